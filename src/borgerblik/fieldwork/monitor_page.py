"""The monitor as a web page (for the web stage to mount): the status table and the response curve as SVG.

The page reloads itself every ``refresh`` seconds, so it follows fieldwork live without any script.
"""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_date, format_datetime

from borgerblik.danish import integer, share
from borgerblik.fieldwork.letters import environment
from borgerblik.fieldwork.monitor import DANISH_TIME, FieldworkStatus

WIDTH, HEIGHT = 640, 240


def _chart(status: FieldworkStatus) -> dict[str, object]:
    curve = status.curve
    top = max([0.05, *(p.rate for p in curve)])
    step = (WIDTH - 10) / max(1, len(curve) - 1)
    plot = HEIGHT - 24

    def y(rate: float) -> float:
        return round(plot - rate / top * (plot - 8), 1)

    points = " ".join(f"{round(i * step, 1)},{y(p.rate)}" for i, p in enumerate(curve))
    reminders = [round(i * step, 1) for i, p in enumerate(curve) if p.reminder]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "points": points,
        "reminders": reminders,
        "first": format_date(curve[0].day, "d. MMM", locale="da_DK"),
        "last": format_date(curve[-1].day, "d. MMM", locale="da_DK"),
        "final": share(curve[-1].rate),
        "reminder_labels": ", ".join(format_date(d, "d. MMMM", locale="da_DK") for d in status.reminder_days),
    }


def monitor_html(status: FieldworkStatus, *, refresh: int = 30, now: datetime | None = None) -> str:
    """The monitor page in Danish; ``refresh=0`` for a static page."""
    template = environment().get_template("monitor.html.j2")
    moment = (now or datetime.now(DANISH_TIME)).astimezone(DANISH_TIME)
    return template.render(
        status=status,
        refresh=refresh,
        updated=format_datetime(moment, "d. MMMM y 'kl.' HH:mm", locale="da_DK"),
        chart=_chart(status) if status.curve else None,
        n=integer,
        pct=share,
    )
