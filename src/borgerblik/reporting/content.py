"""The content model of one report, built from the analysis tables — every sentence generated from them.

A group the analysis suppressed (``suppressed`` in breakdowns, no mean in benchmark, absent from drivers and
differences) is left out before anything is built, so no chart, table, alt text or sentence can name it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from borgerblik.core import Instrument
from borgerblik.core.groupings import load_groupings
from borgerblik.reporting import (
    casemix_section,
    charts,
    fieldwork_sections,
    open_section,
    scale_sections,
    trends_section,
)
from borgerblik.reporting.measures import Measure, measure_of
from borgerblik.reporting.model import Chart, Figure, Report, Section, Sentence, Table
from borgerblik.reporting.numbers import Numbers, kind_of
from borgerblik.reporting.slugs import slug
from borgerblik.reporting.tables import ROW, AnalysisTables
from borgerblik.reporting.texts import BREAKDOWN_NAMES, TEXTS

NATIONAL = "alle"
SIGNIFICANT = 0.05
BREAKDOWN_ORDER = ("aldersgruppe", "koen", "varighed", "tilknytning", "maalgruppe")


class ContentBuilder:
    """Builds the report of one place (a municipality or the whole country) from one set of tables."""

    def __init__(
        self,
        tables: AnalysisTables,
        instrument: Instrument,
        municipality: str | None,
        language: str = "da",
        survey_title: str | None = None,
    ) -> None:
        self.t, self.instrument, self.place = tables, instrument, municipality or NATIONAL
        self.municipality, self.lang = municipality, language
        self.w, self.num = TEXTS[language], Numbers(language)
        self.title = survey_title or instrument.title.present.get(language) or instrument.title.present["da"]
        self.overall = instrument.overall_question
        self.measures = {q: measure_of(instrument, q) for q in instrument.scale_items()}
        self.questions = [q for q in instrument.scale_items() if self._row("breakdowns", q) is not None]
        self._charts = 0
        bd = tables.get("breakdowns")
        assert bd is not None
        self.breakdowns = bd.filter(~pl.col("suppressed"))
        self.group_labels = {g.name: g.label for s in load_groupings().values() for g in s.groups}

    # -- figures --------------------------------------------------------------------------------------
    def fig(self, table: str, row: dict[str, Any], column: str, kind: str | None = None) -> Figure:
        value = row[column]
        text = self.num.figure(column, value) if kind is None else self._as(kind, value)
        return Figure(float(value), text, kind or kind_of(column), f"{table}:{row[ROW]}:{column}")

    def _as(self, kind: str, value: float) -> str:
        if kind == "p":
            return self.num.decimal(value, 3)
        return {"share": self.num.share, "count": self.num.integer}.get(kind, self.num.decimal)(value)

    def _row(self, table: str, question: str, place: str | None = None) -> dict[str, Any] | None:
        frame = self.t.get(table)
        if frame is None:
            return None
        rows = frame.filter(
            (pl.col("question") == question)
            & (pl.col("by") == "alle")
            & (pl.col("kommune") == (place or self.place))
            & ~pl.col("suppressed")
            # a routed question nobody here was asked (no valid answer) has no figure: no section
            & pl.col(self.measure(question).column).is_not_null()
        )
        return rows.row(0, named=True) if rows.height else None

    def measure(self, question: str) -> Measure:
        """The question's own measure: mean on 1–5 or 0–10, the share answering ja on yes/no."""
        found = self.measures.get(question)
        return found if found is not None else measure_of(self.instrument, question)

    def heading(self, question: str) -> str:
        q = self.instrument.question(question)
        return (
            q.label.present.get(self.lang) or q.label.present.get("da") or question if q.label else question
        )

    def group_label(self, by: str, group: str) -> str:
        return self.group_labels.get(group, group)

    def by_label(self, by: str) -> str:
        key = "maalgruppe" if by.startswith("maalgruppe") else by
        return BREAKDOWN_NAMES[self.lang].get(key, by)

    def chart_id(self) -> str:
        self._charts += 1
        return f"fig{self._charts}"

    # -- the report -----------------------------------------------------------------------------------
    def build(self) -> Report:
        w = self.w
        kind = w["municipal"] if self.municipality else w["national"]
        place_name = self.municipality or w["all"]
        sections = [self.guide(), self.conclusions()]
        sections += [self.question_section(i, q) for i, q in enumerate(self.questions, start=1)]
        sections += [
            s
            for s in (
                self.comparison(),
                casemix_section.fair_comparison(self),
                self.benchmark(),
                trends_section.trends(self),
                self.priority(),
                self.differences(),
                fieldwork_sections.nonresponse(self),
                fieldwork_sections.curve(self),
            )
            if s is not None
        ]
        sections += [open_section.open_answers(self), fieldwork_sections.method(self)]
        return Report(
            self.lang,
            f"{self.title} — {place_name}",
            kind,
            self.municipality,
            slug(self.municipality) if self.municipality else "landsrapport",
            self.headline(),
            sections,
        )

    def headline(self) -> list[tuple[str, Figure]]:
        row = self._row("breakdowns", self.overall)
        if row is None:
            return []
        found = [(self.w["respondents"], self.fig("breakdowns", row, "n_valid"))]
        if self.measure(self.overall).has_mean:
            found.append((self.w["mean"], self.fig("breakdowns", row, "mean")))
        found.append((self.w["positive"], self.fig("breakdowns", row, "pct_positive")))
        bench = self._benchmark_row(self.overall)
        if bench is not None:
            found.append((self.w["rank"], self.fig("benchmark", bench, "rank")))
        return found

    def guide(self) -> Section:
        threshold = Figure(
            float(self.t.threshold), self.num.integer(self.t.threshold), "count", "method:threshold"
        )
        return Section(
            "laesevejledning",
            self.w["guide"],
            [
                Sentence((self.w["guide_1"],)),
                *scale_sections.guide(self),
                Sentence((self.w["guide_2"], threshold, self.w["guide_3"])),
            ],
        )

    def conclusions(self) -> Section:
        w, blocks = self.w, []
        rows = [
            (q, r)
            for q in self.questions
            if self.measure(q).likert and (r := self._row("breakdowns", q)) is not None
        ]
        if rows:
            best = max(rows, key=lambda qr: qr[1]["mean"])
            worst = min(rows, key=lambda qr: qr[1]["mean"])
            for template, (q, r) in (("highest", best), ("lowest", worst)):
                blocks.append(
                    Sentence((w[template].format(q=self.heading(q)), self.fig("breakdowns", r, "mean"), "."))
                )
        blocks += scale_sections.conclusions(self)
        blocks += (
            self._significant_groups() if self.municipality is None else self._significant_municipality()
        )
        blocks += trends_section.largest_changes(self, conclusion=True)
        drivers = self._drivers()
        if drivers is not None:
            challenges = [
                self.heading(r["predictor"])
                for r in drivers.iter_rows(named=True)
                if r["quadrant"] == "udfordring"
            ]
            blocks.append(
                Sentence((w["challenge"] + ", ".join(challenges) + ".",))
                if challenges
                else Sentence((w["no_challenge"],))
            )
        return Section("konklusioner", w["conclusions"], blocks)

    def _significant_groups(self) -> list[Sentence]:
        sig = self.t.get("significance")
        if sig is None:
            return []
        rows = sig.filter((pl.col("question") == self.overall) & (pl.col("p_value") < SIGNIFICANT)).sort(
            "p_value"
        )
        found, kind = [], self.measure(self.overall).figure_kind
        for r in rows.iter_rows(named=True):
            found.append(
                Sentence(
                    (
                        self.w["group_diff"].format(
                            g=self.group_label(r["by"], r["group"]),
                            by=self.by_label(r["by"]).lower(),
                            q=self.heading(self.overall),
                        ),
                        self.fig("significance", r, "mean_group", kind),
                        self.w["against"],
                        self.fig("significance", r, "mean_rest", kind),
                        self.w["for_rest"],
                        self.fig("significance", r, "p_value", kind="p"),
                        ").",
                    )
                )
            )
        return found

    def _significant_municipality(self) -> list[Sentence]:
        bench = self.t.get("benchmark")
        if bench is None:
            return []
        rows = bench.filter(
            (pl.col("kommune") == self.place)
            & (pl.col("p_value") < SIGNIFICANT)
            & pl.col("mean").is_not_null()
        )
        found = []
        for r in rows.iter_rows(named=True):
            m = self.measure(r["question"])
            words = (
                ("muni_diff", "against", "muni_rest")
                if m.has_mean
                else ("muni_yes", "muni_yes_2", "muni_yes_3")
            )
            found.append(
                Sentence(
                    (
                        self.w[words[0]].format(q=self.heading(r["question"])),
                        self.fig("benchmark", r, "mean", m.figure_kind),
                        self.w[words[1]],
                        self.fig("benchmark", r, "rest_mean", m.figure_kind),
                        self.w[words[2]],
                        self.fig("benchmark", r, "p_value", kind="p"),
                        ").",
                    )
                )
            )
        return found

    # -- per question ----------------------------------------------------------------------------------
    def question_section(self, number: int, question: str) -> Section:
        if not self.measure(question).likert:
            return scale_sections.question_section(self, number, question)
        w = self.w
        q = self.instrument.question(question)
        text = q.text(self.lang) if self.lang in q.wording.present else q.text()
        categories = [
            label
            for _, label in sorted(
                ((code, t.present.get(self.lang) or t.present["da"]) for code, t in q.scale.labels.items())
            )
        ]
        sheet = f"{number:02d} {self.heading(question)}"[:31]
        section = Section(
            f"q-{question}", f"{number}. {self.heading(question)}", [Sentence((text,))], sheet=sheet
        )
        places = [(self.municipality, self._row("breakdowns", question))] if self.municipality else []
        places.append((w["all"], self._row("breakdowns", question, NATIONAL)))
        places = [(name, r) for name, r in places if r is not None]
        bars = [
            charts.Bar(name, [self.fig("breakdowns", r, f"share_{k}") for k in range(1, 6)])
            for name, r in places
        ]
        header = [w["group"], *categories, w["mean"], w["positive"], w["n"], w["dont_know"]]
        table = Table(
            f"{w['distribution']}: {self.heading(question)}",
            header,
            [
                [
                    name,
                    *bar.shares,
                    self.fig("breakdowns", r, "mean"),
                    self.fig("breakdowns", r, "pct_positive"),
                    self.fig("breakdowns", r, "n_valid"),
                    self.fig("breakdowns", r, "n_dont_know"),
                ]
                for bar, (name, r) in zip(bars, places, strict=True)
            ],
            sheet=sheet,
        )
        alt = "; ".join(
            f"{name}: " + ", ".join(f"{c} {f.text}" for c, f in zip(categories, bar.shares, strict=True))
            for bar, (name, _) in zip(bars, places, strict=True)
        )
        cid = self.chart_id()
        section.blocks.append(
            Chart(
                cid, table.caption, alt, charts.stacked_bars(cid, table.caption, alt, bars, categories), table
            )
        )
        own = places[0][1]
        section.blocks.append(
            Sentence(
                (
                    w["dont_know_note"].split("{n}")[0],
                    self.fig("breakdowns", own, "n_dont_know"),
                    w["dont_know_note"].split("{n}")[1],
                )
            )
        )
        if self.municipality:
            section.blocks += self._versus_nation(question)
        breakdown = self._breakdown_chart(question, sheet)
        if breakdown is not None:
            section.blocks.append(breakdown)
        return section

    def _benchmark_row(self, question: str) -> dict[str, Any] | None:
        bench = self.t.get("benchmark")
        if bench is None or self.municipality is None:
            return None
        rows = bench.filter(
            (pl.col("question") == question)
            & (pl.col("kommune") == self.place)
            & pl.col("mean").is_not_null()
        )
        return rows.row(0, named=True) if rows.height else None

    def _versus_nation(self, question: str) -> list[Sentence]:
        r = self._benchmark_row(question)
        if r is None:
            return []
        w, m = self.w, self.measure(question)
        words = ("muni_vs_nation", "nation_has") if m.has_mean else ("muni_vs_nation_yes", "nation_has_yes")
        return [
            Sentence(
                (
                    w[words[0]],
                    self.fig("benchmark", r, "mean", m.figure_kind),
                    w[words[1]],
                    self.fig("benchmark", r, "national_mean", m.figure_kind),
                    w["rank_of"],
                    self.fig("benchmark", r, "rank"),
                    w["of"],
                    self.fig("benchmark", r, "n_municipalities"),
                    ".",
                )
            )
        ]

    def _breakdown_chart(self, question: str, sheet: str) -> Chart | None:
        w, m = self.w, self.measure(question)
        rows = self.breakdowns.filter(
            (pl.col("question") == question)
            & (pl.col("kommune") == self.place)
            & (pl.col("by") != "alle")
            & pl.col(m.column).is_not_null()
        )
        order = {b: i for i, b in enumerate(BREAKDOWN_ORDER)}
        items = sorted(
            rows.iter_rows(named=True),
            key=lambda r: (order.get(r["by"].split("_")[0], 9), r["by"], r["group"]),
        )
        if not items:
            return None
        labels = [f"{self.by_label(r['by'])}: {self.group_label(r['by'], r['group'])}" for r in items]
        marks = [
            charts.Interval(
                label,
                self.fig("breakdowns", r, m.column),
                self.fig("breakdowns", r, m.ci_low),
                self.fig("breakdowns", r, m.ci_high),
            )
            for label, r in zip(labels, items, strict=True)
        ]
        header = [w["group"], w["mean"] if m.has_mean else w["share_yes"], w["ci_low"], w["ci_high"]]
        table = Table(
            f"{w['breakdown']}: {self.heading(question)}",
            [*header, *([w["positive"]] if m.has_mean else []), w["n"]],
            [
                [
                    label,
                    mark.mean,
                    mark.low,
                    mark.high,
                    *([self.fig("breakdowns", r, "pct_positive")] if m.has_mean else []),
                    self.fig("breakdowns", r, "n_valid"),
                ]
                for label, mark, r in zip(labels, marks, items, strict=True)
            ],
            sheet=sheet,
        )
        alt = "; ".join(
            f"{label}: {mark.mean.text} ({mark.low.text}–{mark.high.text})"
            for label, mark in zip(labels, marks, strict=True)
        )
        cid = self.chart_id()
        svg = charts.intervals(
            cid, table.caption, alt, marks, m.lo, m.hi, ticks=m.ticks(), bars=not m.has_mean
        )
        return Chart(cid, table.caption, alt, svg, table)

    # -- across municipalities ----------------------------------------------------------------------------
    def comparison(self) -> Section | None:
        w, m = self.w, self.measure(self.overall)
        rows = self.breakdowns.filter(
            (pl.col("question") == self.overall)
            & (pl.col("by") == "alle")
            & (pl.col("kommune") != NATIONAL)
            & pl.col(m.column).is_not_null()
        ).sort(m.column, descending=True)
        if rows.height < 2:
            return None
        items = list(rows.iter_rows(named=True))
        marks = [
            charts.Interval(
                r["kommune"],
                self.fig("breakdowns", r, m.column),
                self.fig("breakdowns", r, m.ci_low),
                self.fig("breakdowns", r, m.ci_high),
                r["kommune"] == self.municipality,
            )
            for r in items
        ]
        caption = w["comparison_alt" if m.has_mean else "comparison_alt_yes"].format(
            q=self.heading(self.overall)
        )
        table = Table(
            caption,
            [
                w["municipality"],
                w["mean"] if m.has_mean else w["share_yes"],
                w["ci_low"],
                w["ci_high"],
                w["n"],
            ],
            [
                [mark.label, mark.mean, mark.low, mark.high, self.fig("breakdowns", r, "n_valid")]
                for mark, r in zip(marks, items, strict=True)
            ],
            highlight={i for i, mark in enumerate(marks) if mark.highlight},
            sheet="Kommuner",
        )
        national = self._row("breakdowns", self.overall, NATIONAL)
        alt = "; ".join(f"{mark.label}: {mark.mean.text}" for mark in marks)
        cid = self.chart_id()
        svg = charts.intervals(
            cid,
            caption,
            alt,
            marks,
            m.lo,
            m.hi,
            reference=national[m.column] if national else None,
            ticks=m.ticks(),
            bars=not m.has_mean,
        )
        return Section("kommuner", w["comparison"], [Chart(cid, caption, alt, svg, table)], sheet="Kommuner")

    def benchmark(self) -> Section | None:
        if self.municipality is None:
            return None
        w = self.w
        rows = [(q, r) for q in self.questions if (r := self._benchmark_row(q)) is not None]
        if not rows:
            return None
        scale_names = dict(item.split("=") for item in w["scale_names"].split(";"))
        header = [w["question"], w["scale"], w["mean"], w["national_mean"], w["positive"]]
        table = Table(
            w["benchmark"],
            [*header, w["national_positive"], w["rank"], w["of"].strip()],
            [
                [
                    self.heading(q),
                    scale_names[self.measure(q).kind.value],
                    # a yes/no question has no mean: its benchmark "mean" is the share answering ja,
                    # printed once, as its share positive
                    self.fig("benchmark", r, "mean") if self.measure(q).has_mean else "",
                    self.fig("benchmark", r, "national_mean") if self.measure(q).has_mean else "",
                    self.fig("benchmark", r, "pct_positive"),
                    self.fig("benchmark", r, "national_pct_positive"),
                    self.fig("benchmark", r, "rank"),
                    self.fig("benchmark", r, "n_municipalities"),
                ]
                for q, r in rows
            ],
            sheet="Benchmark",
        )
        return Section("benchmark", w["benchmark"], [table], sheet="Benchmark")

    def _drivers(self) -> pl.DataFrame | None:
        drivers = self.t.get("drivers")
        if drivers is None:
            return None
        rows = drivers.filter(pl.col("kommune") == self.place).sort("rank")
        return rows if rows.height else None

    def priority(self) -> Section | None:
        drivers = self._drivers()
        if drivers is None:
            return None
        w = self.w
        names = dict(item.split("=") for item in w["quadrants"].split(";"))
        items = list(drivers.iter_rows(named=True))
        numbers = {q: i for i, q in enumerate(self.questions, start=1)}
        points = [
            charts.Point(
                numbers.get(r["predictor"], 0),
                self.fig("drivers", r, "rescaled_weight"),
                self.fig("drivers", r, "mean"),
            )
            for r in items
        ]
        table = Table(
            w["priority"],
            ["#", w["question"], w["importance"], w["mean"], w["quadrant"]],
            [
                [str(p.number), self.heading(r["predictor"]), p.importance, p.mean, names[r["quadrant"]]]
                for p, r in zip(points, items, strict=True)
            ],
            sheet="Drivere",
        )
        alt = "; ".join(
            f"{p.number} {self.heading(r['predictor'])}: {names[r['quadrant']]}"
            for p, r in zip(points, items, strict=True)
        )
        cid = self.chart_id()
        svg = charts.priority_map(
            cid, w["priority"], alt, points, {**names, "x_axis": w["x_axis"], "y_axis": w["y_axis"]}
        )
        return Section(
            "prioritetskort",
            w["priority"],
            [Sentence((w["priority_intro"],)), Chart(cid, w["priority"], alt, svg, table)],
            sheet="Drivere",
        )

    def differences(self) -> Section | None:
        diff = self.t.get("differences")
        if diff is None:
            return None
        rows = diff.filter(pl.col("kommune") == self.place).sort("difference", descending=True).head(10)
        if not rows.height:
            return None
        w = self.w
        items = list(rows.iter_rows(named=True))
        outcome = self.heading(items[0]["outcome"])
        marks = [(self.heading(r["question"]), self.fig("differences", r, "difference")) for r in items]
        table = Table(
            w["differences"],
            [w["question"], w["high"], w["low"], w["difference"]],
            [
                [label, self.fig("differences", r, "mean_high"), self.fig("differences", r, "mean_low"), f]
                for (label, f), r in zip(marks, items, strict=True)
            ],
            sheet="Forskelle",
        )
        alt = "; ".join(f"{label}: {f.text}" for label, f in marks)
        cid = self.chart_id()
        return Section(
            "forskelle",
            w["differences"],
            [
                Sentence((w["differences_intro"].format(q=outcome),)),
                Chart(cid, w["differences"], alt, charts.bars(cid, w["differences"], alt, marks), table),
            ],
            sheet="Forskelle",
        )


def build_report(
    tables: AnalysisTables,
    instrument: Instrument,
    municipality: str | None = None,
    language: str = "da",
    survey_title: str | None = None,
) -> Report:
    return ContentBuilder(tables, instrument, municipality, language, survey_title).build()


def municipal_names(tables: AnalysisTables, instrument: Instrument) -> Sequence[str]:
    return tables.municipalities(instrument.overall_question)
