"""SVG charts built from templates: a few milliseconds each, against ~130 ms for matplotlib or vega (the
issue's measurement); a report holds ~60 of them. Every mark carries ``data-source`` and ``data-value``.

The five answer categories use PuOr from ColorBrewer, a diverging palette colour-blind readers can tell
apart; the middle category is grey. Text is dark on white only, so contrast never depends on a bar's colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from borgerblik.reporting.model import Figure

PALETTE = ("#b35806", "#f1a340", "#d8d8d8", "#998ec3", "#542788")
"""Lowest (1) to highest (5) category."""
GROUPED = (PALETTE[0], PALETTE[2], PALETTE[4])
"""A 0–10 question's three groups (0–6, 7–8, 9–10): the ends of the same diverging palette, grey between."""
INK, HIGHLIGHT, MUTED = "#1a1a1a", "#b35806", "#4a4a4a"
FONT = "DejaVu Sans, sans-serif"
WIDTH = 640
LABEL_WIDTH = 210


def _num(value: float) -> str:
    return f"{value:.1f}"


def _attrs(figure: Figure | None) -> str:
    if figure is None:
        return ""
    return f' data-source="{escape(figure.source)}" data-value="{figure.value:.6g}"'


def _svg(chart_id: str, title: str, alt: str, height: float, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {_num(height)}" width="{WIDTH}" '
        f'height="{_num(height)}" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'font-family="{FONT}" font-size="12">'
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(alt)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _label(
    x: float, y: float, text: str, anchor: str = "end", weight: str = "normal", fill: str = INK
) -> str:
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}" fill="{fill}" font-weight="{weight}">'
        f"{escape(text)}</text>"
    )


def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Bar:
    label: str
    shares: Sequence[Figure]


def stacked_bars(
    chart_id: str,
    title: str,
    alt: str,
    bars: Sequence[Bar],
    categories: Sequence[str],
    palette: Sequence[str] = PALETTE,
) -> str:
    """100 % bars of the categories (five on 1–5, three groups on 0–10), lowest first, with a legend of the
    instrument's labels."""
    row, top = 26, 10
    plot = WIDTH - LABEL_WIDTH - 20
    body = []
    for i, bar in enumerate(bars):
        y = top + i * row
        body.append(_label(LABEL_WIDTH - 8, y + 15, _short(bar.label)))
        total = sum(f.value for f in bar.shares) or 1.0
        x = float(LABEL_WIDTH)
        for k, figure in enumerate(bar.shares):
            w = plot * figure.value / total
            body.append(
                f'<rect x="{_num(x)}" y="{y + 3}" width="{_num(w)}" height="{row - 8}" fill="{palette[k]}"'
                f"{_attrs(figure)}/>"
            )
            x += w
    legend_y = top + len(bars) * row + 14
    x = 10.0
    for k, name in enumerate(categories):
        body.append(f'<rect x="{_num(x)}" y="{legend_y - 10}" width="12" height="12" fill="{palette[k]}"/>')
        body.append(_label(x + 16, legend_y, name, anchor="start"))
        x += 20 + 6.6 * len(name)
        if x > WIDTH - 120 and k < len(categories) - 1:
            x, legend_y = 10.0, legend_y + 18
    return _svg(chart_id, title, alt, legend_y + 10, body)


@dataclass(frozen=True)
class Interval:
    label: str
    mean: Figure
    low: Figure | None
    high: Figure | None
    highlight: bool = False


def intervals(
    chart_id: str,
    title: str,
    alt: str,
    rows: Sequence[Interval],
    lo: float = 1.0,
    hi: float = 5.0,
    reference: float | None = None,
    ticks: Sequence[tuple[float, str]] | None = None,
    bars: bool = False,
) -> str:
    """Dots with 95 % intervals on the question's axis (breakdowns, and the comparison of municipalities):
    1–5 by default, 0–10, or a share 0–100 % (``ticks``); ``bars`` draws each figure as a bar from the
    axis' start, the interval over it (a yes/no question's share answering ja)."""
    row, top = 20, 24
    plot = WIDTH - LABEL_WIDTH - 30

    def at(v: float) -> float:
        return LABEL_WIDTH + plot * (min(max(v, lo), hi) - lo) / (hi - lo)

    body = []
    for tick, name in ticks or [(float(t), str(t)) for t in range(int(lo), int(hi) + 1)]:
        body.append(
            f'<line x1="{_num(at(tick))}" x2="{_num(at(tick))}" y1="{top - 6}" '
            f'y2="{top + len(rows) * row}" stroke="#cccccc"/>'
        )
        body.append(_label(at(tick), top - 10, name, anchor="middle"))
    if reference is not None:
        body.append(
            f'<line x1="{_num(at(reference))}" x2="{_num(at(reference))}" y1="{top - 6}" '
            f'y2="{top + len(rows) * row}" stroke="{MUTED}" stroke-dasharray="4 3"/>'
        )
    for i, r in enumerate(rows):
        y = top + i * row + row / 2
        colour = HIGHLIGHT if r.highlight else "#2b4c7e"
        weight = "bold" if r.highlight else "normal"
        body.append(_label(LABEL_WIDTH - 8, y + 4, _short(r.label), weight=weight))
        if bars:
            body.append(
                f'<rect x="{LABEL_WIDTH}" y="{_num(y - 6)}" width="{_num(at(r.mean.value) - LABEL_WIDTH)}" '
                f'height="12" fill="{"#f6c48f" if r.highlight else "#b9c6dc"}"{_attrs(r.mean)}/>'
            )
        if r.low is not None and r.high is not None:
            body.append(
                f'<line x1="{_num(at(r.low.value))}" x2="{_num(at(r.high.value))}" y1="{_num(y)}" '
                f'y2="{_num(y)}" stroke="{colour}" stroke-width="2"{_attrs(r.low)}/>'
            )
        body.append(
            f'<circle cx="{_num(at(r.mean.value))}" cy="{_num(y)}" r="{5 if r.highlight else 4}" '
            f'fill="{colour}"{_attrs(r.mean)}/>'
        )
    return _svg(chart_id, title, alt, top + len(rows) * row + 8, body)


@dataclass(frozen=True)
class Point:
    number: int
    importance: Figure
    mean: Figure


def priority_map(
    chart_id: str, title: str, alt: str, points: Sequence[Point], quadrant_names: dict[str, str]
) -> str:
    """Rambøll's priority map: importance across, score up, lines at the means, the four quadrants named."""
    size, left, top = 380, 60, 20
    xs = [p.importance.value for p in points] or [0.0]
    ys = [p.mean.value for p in points] or [3.0]
    x_mid, y_mid = sum(xs) / len(xs), sum(ys) / len(ys)
    x_lo, x_hi = min(xs) * 0.9, max(xs) * 1.1 or 1.0
    y_lo, y_hi = min(ys) - 0.15, max(ys) + 0.15

    def px(v: float) -> float:
        return left + size * (v - x_lo) / ((x_hi - x_lo) or 1)

    def py(v: float) -> float:
        return top + size * (1 - (v - y_lo) / ((y_hi - y_lo) or 1))

    body = [
        f'<rect x="{left}" y="{top}" width="{size}" height="{size}" fill="none" stroke="#999999"/>',
        f'<line x1="{_num(px(x_mid))}" x2="{_num(px(x_mid))}" y1="{top}" y2="{top + size}" stroke="{MUTED}" '
        'stroke-dasharray="4 3"/>',
        f'<line x1="{left}" x2="{left + size}" y1="{_num(py(y_mid))}" y2="{_num(py(y_mid))}" '
        f'stroke="{MUTED}" stroke-dasharray="4 3"/>',
        _label(left + 6, top + 16, quadrant_names["mulighed"], anchor="start", weight="bold"),
        _label(left + size - 6, top + 16, quadrant_names["styrke"], anchor="end", weight="bold"),
        _label(left + 6, top + size - 8, quadrant_names["svaghed"], anchor="start", weight="bold"),
        _label(left + size - 6, top + size - 8, quadrant_names["udfordring"], anchor="end", weight="bold"),
        _label(left + size / 2, top + size + 30, quadrant_names["x_axis"], anchor="middle"),
        f'<text x="16" y="{top + size / 2}" text-anchor="middle" fill="{INK}" '
        f'transform="rotate(-90 16 {top + size / 2})">{escape(quadrant_names["y_axis"])}</text>',
    ]
    for p in points:
        x, y = px(p.importance.value), py(p.mean.value)
        body.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="9" fill="#2b4c7e"{_attrs(p.importance)}/>')
        body.append(
            f'<text x="{_num(x)}" y="{_num(y + 4)}" text-anchor="middle" fill="#ffffff" '
            f'font-size="10" font-weight="bold" aria-hidden="true"{_attrs(p.mean)}>{p.number}</text>'
        )
    return _svg(chart_id, title, alt, top + size + 44, body)


def bars(chart_id: str, title: str, alt: str, rows: Sequence[tuple[str, Figure]]) -> str:
    """Plain horizontal bars (largest differences), longest first."""
    row, top = 22, 8
    plot = WIDTH - LABEL_WIDTH - 60
    longest = max((abs(f.value) for _, f in rows), default=1.0) or 1.0
    body = []
    for i, (label, figure) in enumerate(rows):
        y = top + i * row
        w = plot * abs(figure.value) / longest
        body.append(_label(LABEL_WIDTH - 8, y + 14, _short(label)))
        body.append(
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{_num(w)}" height="{row - 7}" '
            f'fill="#542788"{_attrs(figure)}/>'
        )
        body.append(_label(LABEL_WIDTH + w + 6, y + 14, figure.text, anchor="start"))
    return _svg(chart_id, title, alt, top + len(rows) * row + 6, body)


def response_curve(
    chart_id: str,
    title: str,
    alt: str,
    points: Sequence[tuple[int, Figure]],
    reminders: Sequence[int],
    reminder_label: str,
    day_label: str,
) -> str:
    """Cumulative response rate by fieldwork day, the reminders marked as dashed lines."""
    left, top, w, h = 60, 16, WIDTH - 90, 200
    days = max([d for d, _ in points] + list(reminders) + [1])
    rate_max = max([f.value for _, f in points] + [0.1])

    def px(d: float) -> float:
        return left + w * d / days

    def py(v: float) -> float:
        return top + h * (1 - v / rate_max)

    body = [
        f'<line x1="{left}" x2="{left + w}" y1="{top + h}" y2="{top + h}" stroke="#999999"/>',
        f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + h}" stroke="#999999"/>',
        _label(left - 6, top + 8, f"{rate_max * 100:.0f} %"),
        _label(left - 6, top + h, "0 %"),
        _label(left + w / 2, top + h + 32, day_label, anchor="middle"),
    ]
    for tick in range(0, days + 1, 7 if days > 10 else 1):
        body.append(_label(px(tick), top + h + 15, str(tick), anchor="middle"))
    for n, day in enumerate(reminders, start=1):
        body.append(
            f'<line x1="{_num(px(day))}" x2="{_num(px(day))}" y1="{top}" y2="{top + h}" '
            f'stroke="{HIGHLIGHT}" stroke-dasharray="5 3"/>'
        )
        body.append(_label(px(day) + 4, top + 12, f"{reminder_label} {n}", anchor="start"))
    path = " ".join(
        f"{'M' if i == 0 else 'L'}{_num(px(d))},{_num(py(f.value))}" for i, (d, f) in enumerate(points)
    )
    body.append(f'<path d="{path}" fill="none" stroke="#2b4c7e" stroke-width="2"/>')
    for d, f in points:
        body.append(f'<circle cx="{_num(px(d))}" cy="{_num(py(f.value))}" r="2" fill="#2b4c7e"{_attrs(f)}/>')
    return _svg(chart_id, title, alt, top + h + 42, body)


def funnel(chart_id: str, title: str, alt: str, steps: Sequence[tuple[str, Figure, Figure]]) -> str:
    """The fieldwork funnel: one bar per step (label, count, share of invited), widest first, centred."""
    row, top = 30, 8
    plot = WIDTH - LABEL_WIDTH - 110
    widest = max((c.value for _, c, _ in steps), default=1.0) or 1.0
    body = []
    for i, (label, count, share) in enumerate(steps):
        y = top + i * row
        w = max(plot * count.value / widest, 1.0)
        x = LABEL_WIDTH + (plot - w) / 2
        body.append(_label(LABEL_WIDTH - 8, y + 17, _short(label, 32)))
        body.append(
            f'<rect x="{_num(x)}" y="{y + 3}" width="{_num(w)}" height="{row - 8}" fill="#2b4c7e"'
            f"{_attrs(count)}/>"
        )
        body.append(_label(LABEL_WIDTH + plot + 8, y + 17, f"{count.text} ({share.text})", anchor="start"))
    return _svg(chart_id, title, alt, top + len(steps) * row + 6, body)


@dataclass(frozen=True)
class FunnelPoint:
    label: str
    n: Figure
    adjusted: Figure
    outside_95: bool = False
    outside_998: bool = False
    highlight: bool = False


def funnel_plot(
    chart_id: str,
    title: str,
    alt: str,
    points: Sequence[FunnelPoint],
    limits: Sequence[tuple[int, float, float, float, float]],
    national: float,
    axes: tuple[str, str],
    share: bool = False,
) -> str:
    """Spiegelhalter's funnel: adjusted score (up) against respondents (across), the national figure as a
    line, the 95 % limits dashed and the 99,8 % limits solid; a municipality outside the limits or the own
    one is named beside its dot (the own one larger, in the highlight colour)."""
    left, top, w, h = 64, 14, WIDTH - 100, 260
    n_max = max([p.n.value for p in points] + [limits[-1][0]]) * 1.05
    shown = [lim for lim in limits if lim[0] >= max(1.0, min(p.n.value for p in points) * 0.5)]
    values = [p.adjusted.value for p in points] + [v for lim in shown for v in (lim[1], lim[4])]
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.05 or 0.1
    lo, hi = lo - pad, hi + pad

    def px(n: float) -> float:
        return left + w * n / n_max

    def py(v: float) -> float:
        return top + h * (1 - (v - lo) / (hi - lo))

    def written(v: float) -> str:
        return f"{v * 100:.0f} %" if share else f"{v:.2f}".replace(".", ",")

    body = [
        f'<line x1="{left}" x2="{left + w}" y1="{top + h}" y2="{top + h}" stroke="#999999"/>',
        f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + h}" stroke="#999999"/>',
        _label(left - 6, top + 8, written(hi)),
        _label(left - 6, top + h, written(lo)),
        _label(left - 6, py(national) + 4, written(national)),
        _label(left + w / 2, top + h + 32, axes[0], anchor="middle"),
        f'<text x="14" y="{top + h / 2}" text-anchor="middle" fill="{INK}" '
        f'transform="rotate(-90 14 {top + h / 2})">{escape(axes[1])}</text>',
        f'<line x1="{left}" x2="{left + w}" y1="{_num(py(national))}" y2="{_num(py(national))}" '
        f'stroke="{MUTED}"/>',
    ]
    for tick in (0, n_max / 4, n_max / 2, 3 * n_max / 4):
        body.append(_label(px(tick), top + h + 15, f"{tick:.0f}", anchor="middle"))
    for column, dash in ((1, ""), (2, ' stroke-dasharray="5 3"'), (3, ' stroke-dasharray="5 3"'), (4, "")):
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{_num(px(lim[0]))},{_num(py(min(max(lim[column], lo), hi)))}"
            for i, lim in enumerate(shown)
        )
        body.append(f'<path d="{path}" fill="none" stroke="#2b4c7e" stroke-width="1.2"{dash}/>')
    for p in points:
        x, y = px(p.n.value), py(p.adjusted.value)
        colour = HIGHLIGHT if p.highlight else "#2b4c7e"
        body.append(
            f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{6 if p.highlight else 3.5}" fill="{colour}"'
            f"{_attrs(p.adjusted)}/>"
        )
        if p.highlight or p.outside_95:
            weight = "bold" if p.highlight else "normal"
            right = x > left + 0.75 * w  # near the right edge the name goes left of its dot
            body.append(
                _label(
                    x - 9 if right else x + 8, y + 4, _short(p.label, 24), "end" if right else "start", weight
                )
            )
    return _svg(chart_id, title, alt, top + h + 42, body)
