"""Reports of a stored survey with two waves (2023 and 2024 of the KL instrument, Hørsholm and Lemvig): the
method section's exclusions and send-outs, non-response per municipality, the response curve and the funnel,
the trend table and its sentences, the quote layout — each checked against storage or the tables behind it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import openpyxl
import polars as pl
import pytest
from lxml import html as lxml_html
from test_reporting_cli import structure
from test_reporting_figures import check_text, expected

from borgerblik.core import load_template
from borgerblik.reporting.from_database import _weighting, analysed_survey
from borgerblik.reporting.open_section import redacted
from borgerblik.reporting.publish import choose_municipalities, write_reports
from borgerblik.reporting.texts import SENTIMENT
from borgerblik.storage import Database
from borgerblik.surveys import stored_survey

SNAPSHOTS = Path(__file__).with_name("snapshots")
SURVEY = "KL tværkommunal 2024"


@pytest.fixture(scope="session")
def stored(stored_db: str, tmp_path_factory: pytest.TempPathFactory):
    tables, instrument, title = analysed_survey(SURVEY, stored_db, bootstrap=50)
    chosen, _ = choose_municipalities(tables, instrument, "all")
    out = tmp_path_factory.mktemp("lagrede-rapporter") / "ud"
    written = write_reports(tables, instrument, out, chosen, survey_title=title, workers=1)
    frames = {name: t for name, t in tables.tables.items()}
    return out, frames, written


def tree(out: Path, name: str):
    return lxml_html.fromstring((out / f"{name}.html").read_bytes())


def rows_of(table) -> list[list[str]]:
    return [[c.text_content() for c in tr.xpath("./th|./td")] for tr in table.xpath("./tbody/tr")]


def caption_table(section, starts: str):
    found = [
        t for t in section.xpath(".//table") if t.xpath("./caption")[0].text_content().startswith(starts)
    ]
    assert found, starts
    return found[0]


@pytest.mark.parametrize("name", ["landsrapport", "kommuner/lemvig", "kommuner/hoersholm"])
def test_every_number_in_the_stored_reports_is_its_table_row(stored, name):
    out, frames, _ = stored
    page = tree(out, name)
    texts = [e for e in page.xpath("//*[@data-source]") if e.tag not in ("rect", "circle", "line", "text")]
    assert len(texts) > 300
    for element in texts:
        check_text(frames, element.get("data-source"), element.text_content())
    for mark in page.xpath("//svg//*[@data-value]"):
        value, _ = expected(frames, mark.get("data-source"))
        assert float(mark.get("data-value")) == pytest.approx(value, rel=1e-5)


def test_the_method_section_counts_the_exclusions_of_each_population_rule(stored, stored_db):
    out, _, _ = stored
    with Database(stored_db) as db:
        record = db.survey_by_name(SURVEY)
    (imported,) = record.settings["population_exclusions"].values()
    for name in ("landsrapport", "kommuner/lemvig"):
        method = tree(out, name).get_element_by_id("metode")
        assert "Registerudtrækket til hele undersøgelsen rummede 495 borgere." in method.text_content()
        table = caption_table(method, "Populationsreglerne")
        shown = [(r[0], int(r[2])) for r in rows_of(table)]
        assert shown == [
            ("Alder", 15),
            ("Målgruppe", 0),
            ("Aktivt forløb i perioden", 15),
            ("Samtaletype", 15),
        ]
        assert [e["excluded"] for e in imported["exclusions"]] == [n for _, n in shown]
        assert imported["register"] == 495


def test_the_method_section_dates_every_send_out_by_channel(stored, stored_db):
    """Dates as the fieldwork ran (invitation 4 March, reminders a week apart); counts as the outbox holds
    them, message by message."""
    out, _, _ = stored
    with Database(stored_db) as db:
        messages = db.messages_frame(db.survey_by_name(SURVEY).id).filter(pl.col("status") != "cancelled")
    days = {"invitation": ["04.03.2024"], "reminder": ["11.03.2024", "18.03.2024"]}
    names = {"digital_post": "Digital Post", "email": "E-mail", "sms": "SMS"}
    wanted = []
    for kind, label in (
        ("invitation", "Invitation"),
        ("reminder", "1. påmindelse"),
        ("reminder", "2. påmindelse"),
    ):
        day = days[kind][0] if label != "2. påmindelse" else days[kind][1]
        sent = messages.filter(pl.col("kind") == kind).with_columns(
            pl.col("sent_at").dt.convert_time_zone("Europe/Copenhagen").dt.strftime("%d.%m.%Y").alias("day")
        )
        for channel in sorted(sent["channel"].unique().to_list()):
            n = sent.filter((pl.col("channel") == channel) & (pl.col("day") == day)).height
            if n:
                wanted.append([label, names[channel], day, str(n)])
    method = tree(out, "landsrapport").get_element_by_id("metode")
    shown = rows_of(caption_table(method, "Udsendelser"))
    assert shown == wanted
    assert {r[0] for r in shown} == {"Invitation", "1. påmindelse", "2. påmindelse"}
    assert {r[1] for r in shown if r[0] == "Invitation"} >= {"Digital Post", "SMS"}
    assert "påmindelser på dag 7, 14 af feltarbejdet" in method.text_content()


def test_non_response_in_a_municipal_report_has_its_own_figures_and_hides_small_groups(stored, stored_db):
    out, _, _ = stored
    with Database(stored_db) as db:
        survey = stored_survey(db, db.survey_by_name(SURVEY).id)
    sample = survey.sample.filter(pl.col("kommune") == "Lemvig")
    answered = survey.respondents.filter(pl.col("kommune") == "Lemvig")
    women = sample.filter(pl.col("koen") == "kvinde").height / sample.height
    women_answered = answered.filter(pl.col("koen") == "kvinde").height / answered.height
    section = tree(out, "kommuner/lemvig").get_element_by_id("bortfald")
    rows = {r[0]: r[1:] for r in rows_of(caption_table(section, "Bortfald: Lemvig"))}
    pct = lambda x: f"{x * 100:.1f} %".replace(".", ",")  # noqa: E731
    assert rows["Køn: kvinde"][:2] == [pct(women), pct(women_answered)]
    labels = {
        "aktivitetsparate": "Aktivitetsparate",
        "dagpenge": "Dagpenge",
        "job_udd_parate": "Job- og uddannelsesparate",
        "jobafklaring": "Jobafklaring",
        "sygedagpenge": "Sygedagpenge",
    }
    sampled = sample["maalgruppe_kl2024"].unique().to_list()
    counts = {g: answered.filter(pl.col("maalgruppe_kl2024") == g).height for g in sampled}
    few = sorted(g for g, n in counts.items() if n < 5)
    hidden = set(few)
    if len(few) == 1:  # one hidden share would follow from the others: the next smallest goes too
        hidden.add(min((g for g in counts if g not in hidden), key=lambda g: counts[g]))
    for group in sampled:
        assert (f"Målgruppe: {labels[group]}" in rows) == (group not in hidden), group
    assert ("Grupper med under 5 respondenter vises ikke" in section.text_content()) == bool(hidden)
    national = tree(out, "landsrapport").get_element_by_id("bortfald")
    assert len(rows_of(caption_table(national, "Bortfald: Hele landet"))) == 10  # 2 + 3 + 5 groups


def test_a_small_group_is_hidden_with_the_next_smallest_in_the_non_response_table():
    from borgerblik.reporting.facts import _nonresponse_line

    sample = pl.DataFrame({"g": ["a"] * 40 + ["b"] * 30 + ["c"] * 20 + ["d"] * 10})
    resp = pl.DataFrame({"g": ["a"] * 20 + ["b"] * 12 + ["c"] * 6 + ["d"] * 3, "weight": [2.0] * 41})
    rows = _nonresponse_line("Lemvig", "g", sample, resp, threshold=5)
    assert [(r["group"], r["suppressed"]) for r in rows] == [
        ("a", False),
        ("b", False),
        ("c", True),
        ("d", True),
    ]
    assert [r["share_sample"] for r in rows] == [0.4, 0.3, None, None]
    assert rows[0]["share_respondents"] == pytest.approx(20 / 41)
    assert rows[1]["share_weighted"] == pytest.approx(12 / 41)


def test_the_response_curve_marks_the_reminders_and_the_funnel_counts_each_step(stored, stored_db):
    out, _, _ = stored
    with Database(stored_db) as db:
        survey = stored_survey(db, db.survey_by_name(SURVEY).id)
    lemvig = survey.sample.filter(pl.col("kommune") == "Lemvig")
    section = tree(out, "kommuner/lemvig").get_element_by_id("svarprocent")
    curve, funnel = section.xpath(".//svg")
    reminders = curve.xpath(".//*[local-name()='line'][@stroke-dasharray='5 3']")
    assert len(reminders) == 2
    assert [t.text for t in curve.xpath(".//*[local-name()='text']") if t.text.startswith("Påmindelse")] == [
        "Påmindelse 1",
        "Påmindelse 2",
    ]
    responded = lemvig.filter(pl.col("outcome").is_in(["partial", "complete"])).height
    last = rows_of(caption_table(section, "Svarprocent over tid: Lemvig"))[-1]
    assert last[1] == f"{responded / lemvig.height * 100:.1f} %".replace(".", ",")
    steps = rows_of(caption_table(section, "Feltarbejdet trin for trin: Lemvig"))
    complete = lemvig.filter(pl.col("outcome") == "complete").height
    with Database(stored_db) as db:
        survey_id = db.survey_by_name(SURVEY).id
        invitations = [i for i in db.invitations(survey_id) if i.kommune == "Lemvig"]
        opened = len(set(db.session_states(survey_id)) & {i.id for i in invitations})
        flags = db.contact_flags(survey_id).filter(
            pl.col("member_id").is_in([i.member_id for i in invitations])
        )
    reachable = flags.filter(~pl.col("digital_post_fritaget") | pl.col("sms") | pl.col("email")).height
    assert [s[0] for s in steps] == [
        "Inviteret",
        "Kunne nås (mindst én kanal)",
        "Åbnede linket",
        "Begyndte at svare",
        "Gennemførte",
    ]
    wanted = [lemvig.height, reachable, opened, responded, complete]
    assert [int(s[1]) for s in steps] == wanted
    assert wanted[0] > wanted[1] > wanted[2] >= wanted[3] > wanted[4] > 0
    assert [float(m.get("data-value")) for m in funnel.xpath(".//*[local-name()='rect']")] == wanted
    book = openpyxl.load_workbook(out / "kommuner/lemvig.xlsx")
    assert len(book["Svarprocent"]._charts) == 2  # Excel's own line (curve) and bar (funnel) charts


def _weighted_positive(
    db: Database, survey_id: int, question: str, kommune: str | None = None
) -> tuple[float, float]:
    """% positive and mean of one wave, weighted as the survey's own weighting (the drawn strata's)."""
    s = stored_survey(db, survey_id)
    weights = _weighting(db, s).weights
    frame = s.respondents.with_columns(pl.col("respondent_id").cast(pl.Utf8)).join(
        weights.with_columns(pl.col("respondent_id").cast(pl.Utf8)), on="respondent_id"
    )
    if kommune is not None:
        frame = frame.filter(pl.col("kommune") == kommune)
    valid = frame.filter(pl.col(question).is_between(1, 5))
    w, y = valid["weight"].to_numpy(), valid[question].to_numpy()
    return float(np.sum(w * (y >= 4)) / np.sum(w)), float(np.sum(w * y) / np.sum(w))


def test_trends_from_two_stored_waves(stored, stored_db):
    out, frames, _ = stored
    with Database(stored_db) as db:
        ids = {y: db.survey_by_name(f"KL tværkommunal {y}").id for y in (2023, 2024)}
        positive = {y: _weighted_positive(db, i, "samlet_tilfredshed") for y, i in ids.items()}
    section = tree(out, "landsrapport").get_element_by_id("tendenser")
    table = caption_table(section, "Udvikling over tid: andel positive — Hele landet")
    assert [th.text_content() for th in table.xpath("./thead/tr/th")] == [
        "Spørgsmål",
        "2023",
        "2024",
        "Ændring i gennemsnit siden 2023",
    ]
    rows = {r[0]: r[1:] for r in rows_of(table)}
    pct = lambda x: f"{x * 100:.1f} %".replace(".", ",")  # noqa: E731
    dec = lambda x: f"{x:.2f}".replace(".", ",")  # noqa: E731
    overall = rows["Overordnet tilfredshed"]
    assert overall[:2] == [pct(positive[y][0]) for y in (2023, 2024)]
    changes = frames["trend_changes"].filter(
        (pl.col("group") == "alle") & (pl.col("year_before") == 2023) & (pl.col("year_after") == 2024)
    )
    overall_change = changes.filter(pl.col("question") == "samlet_tilfredshed")["change"][0]
    assert overall_change == pytest.approx(positive[2024][1] - positive[2023][1], abs=1e-9)
    assert overall[2] == dec(overall_change)
    # the average row is the mean of the question rows of its wave (the Copenhagen memo's)
    trends = frames["trends"]
    for year, column in ((2023, 0), (2024, 1)):
        questions = trends.filter(
            (pl.col("group") == "alle") & (pl.col("year") == year) & pl.col("n_questions").is_null()
        )
        assert rows["Gennemsnit"][column] == pct(questions["pct_positive"].mean())
    # the largest changes: everyone's three largest changes in mean, largest first, with the test
    instrument = load_template("kl-2024")
    heading = {q: instrument.question(q).label.present["da"] for q in instrument.scale_items()}
    mean = {
        (r["question"], r["year"]): r["mean"]
        for r in trends.filter(pl.col("group") == "alle").iter_rows(named=True)
    }
    top = changes.sort(pl.col("change").abs(), descending=True).head(3)
    wanted = ["De største ændringer i gennemsnit siden 2023:"] + [
        f"»{heading[r['question']]}«: fra {dec(mean[(r['question'], 2023)])} til "
        f"{dec(mean[(r['question'], 2024)])} ({'' if r['p_value'] < 0.05 else 'ikke '}signifikant, "
        f"p = {r['p_value']:.3f}).".replace("0.", "0,")
        for r in top.iter_rows(named=True)
    ]
    sentences = [p.text_content() for p in section.xpath("./p")]
    assert sentences[1:] == wanted
    assert mean[("samlet_tilfredshed", 2024)] == pytest.approx(positive[2024][1], abs=1e-9)
    conclusions = tree(out, "landsrapport").get_element_by_id("konklusioner").text_content()
    first = top.row(0, named=True)
    assert f"Den største ændring siden 2023 er på »{heading[first['question']]}«: fra " in conclusions


def test_trend_rows_of_a_small_group_are_hidden_with_the_next_smallest_and_its_average():
    from borgerblik.analysis.trends import AVERAGE_LABEL
    from borgerblik.reporting.trends_section import published_trends

    rows = [
        ("q1", 2024, "alle", 60, 0.6),
        ("q1", 2024, "a", 40, 0.7),
        ("q1", 2024, "b", 17, 0.5),
        ("q1", 2024, "c", 3, 0.2),
        ("q2", 2024, "alle", 60, 0.5),
        ("q2", 2024, "a", 40, 0.5),
        ("q2", 2024, "b", 10, 0.5),
        ("q2", 2024, "c", 10, 0.5),
        (AVERAGE_LABEL, 2024, "a", None, 0.6),
        (AVERAGE_LABEL, 2024, "b", None, 0.5),
        (AVERAGE_LABEL, 2024, "c", None, 0.35),
        (AVERAGE_LABEL, 2024, "alle", None, 0.55),
    ]
    frame = pl.DataFrame(
        rows, schema=["question", "year", "group", "n_valid", "pct_positive"], orient="row"
    ).with_row_index("_row")
    shown = published_trends(frame, threshold=5)
    kept = sorted((r["question"], r["group"]) for r in shown.iter_rows(named=True))
    assert kept == [
        (AVERAGE_LABEL, "a"),
        (AVERAGE_LABEL, "alle"),
        ("q1", "a"),
        ("q1", "alle"),
        ("q2", "a"),
        ("q2", "alle"),
        ("q2", "b"),
        ("q2", "c"),
    ]


def test_a_small_target_group_is_hidden_from_the_trend_table(stored):
    out, frames, _ = stored
    trends = frames["trends"].filter(pl.col("group") != "alle")
    small = trends.filter(pl.col("n_valid") < 5)
    shown = {e.get("data-source") for e in tree(out, "landsrapport").xpath("//*[@data-source]")}
    for row in small.iter_rows(named=True):
        assert f"trends:{row['_row']}:pct_positive" not in shown


@pytest.mark.parametrize("name", ["landsrapport", "kommuner/lemvig"])
def test_open_answers_in_the_quote_layout(stored, name):
    out, frames, _ = stored
    place = "alle" if name == "landsrapport" else "Lemvig"
    section = tree(out, name).get_element_by_id("aabne")
    themes = section.xpath(".//div[@class='theme']")
    assert themes
    quotes = [q.text_content().strip("»«") for q in section.xpath(".//blockquote")]
    normalised = [re.sub(r"\W+", " ", q.casefold()).strip() for q in quotes]
    assert len(set(normalised)) == len(normalised), "no quote twice"
    pool = frames["open_answers_quotes"].filter(pl.col("kommune") == place)["quote"].to_list()
    for theme in themes:
        assert 1 <= len(theme.xpath(".//blockquote")) <= 3
    for quote in quotes:
        assert quote in [redacted(q) for q in pool]
        assert "[[" not in quote and redacted(quote) == quote
    accounts = frames["open_answers_accounts"].filter(pl.col("kommune") == place)
    captions = {c.text_content() for c in section.xpath(".//table/caption")}
    instrument = load_template("kl-2024")
    hidden = accounts.group_by("question", "group").agg(pl.col("suppressed").all()).filter("suppressed")
    for question, group, _ in hidden.iter_rows():
        heading = instrument.question(question).label.present["da"]
        assert f"Temaer — {SENTIMENT['da'][group]}: {heading}" not in captions
    shown = accounts.filter(~pl.col("suppressed")).select("question", "group").unique()
    for question, group in shown.iter_rows():
        heading = instrument.question(question).label.present["da"]
        assert f"Temaer — {SENTIMENT['da'][group]}: {heading}" in captions
    if place == "Lemvig":
        assert hidden.height, "a group of Lemvig's is too small for its open answers to be shown"
    assert "Citaterne er anonymiserede" in section.text_content()


def test_the_stored_pdfs_are_pdf_ua_and_draw_the_curve(stored):
    out, _, written = stored
    assert written.untagged == ()
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is missing (apt-get install poppler-utils)")
    text = subprocess.run(
        ["pdftotext", str(out / "kommuner/lemvig.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Feltarbejdet trin for trin" in text and "Påmindelse 1" in text and "Påmindelse 2" in text
    info = subprocess.run(
        ["pdfinfo", str(out / "kommuner/lemvig.pdf")], capture_output=True, text=True
    ).stdout
    assert re.search(r"Tagged:\s+yes", info)


@pytest.mark.parametrize(
    ("name", "snapshot"), [("kommuner/lemvig", "kommune_lagret"), ("landsrapport", "landsrapport_lagret")]
)
def test_stored_report_structure_snapshot(stored, name, snapshot):
    """Headings, sections, figures, tables and quotes of the reports of the stored two-wave survey (the
    fixture's fieldwork is the same on every run)."""
    out, _, _ = stored
    path = SNAPSHOTS / f"{snapshot}_structure.txt"
    found = structure(out / f"{name}.html")
    if os.environ.get("UPDATE_SNAPSHOTS") or not path.exists():
        path.write_text(found, encoding="utf-8")
    assert found == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["landsrapport.html", "kommuner/lemvig.html"])
def test_axe_finds_no_wcag_21_aa_violations_in_the_stored_reports(stored, chromium_path, name):
    """The new parts (send-out and exclusion tables, funnel, quotes) keep the report WCAG 2.1 AA."""
    sync_api = pytest.importorskip("playwright.sync_api")
    from axe_playwright_python.sync_playwright import Axe

    out, _, _ = stored
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page()
            page.goto((out / name).as_uri())
            results = Axe().run(
                page,
                options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}},
            )
            violations = [
                f"{v['id']}: {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
                for v in results.response["violations"]
            ]
        finally:
            browser.close()
    assert violations == []


@pytest.mark.parametrize("name", ["landsrapport", "kommuner/lemvig"])
def test_open_answers_positive_neutral_negative_per_theme(stored, name):
    """VIVE's accounting beside the quotes: per open question the shares positive, neutral and negative of
    the answers with each theme — the text stage's ``open_answers_sentiment`` rows, suppressed ones left
    out (and named nowhere)."""
    out, frames, _ = stored
    place = "alle" if name == "landsrapport" else "Lemvig"
    section = tree(out, name).get_element_by_id("aabne")
    table = frames["open_answers_sentiment"].filter(pl.col("kommune") == place)
    instrument = load_template("kl-2024")
    sources = {e.get("data-source") for e in section.xpath(".//*[@data-source]")}
    for question in table["question"].unique().sort().to_list():
        shown = table.filter((pl.col("question") == question) & ~pl.col("suppressed"))
        heading = instrument.question(question).label.present["da"]
        found = caption_table(section, f"Positive, neutrale og negative svar pr. tema: {heading}")
        assert [th.text_content() for th in found.xpath("./thead/tr/th")] == [
            "Tema",
            "Svar med temaet",
            "Positive",
            "Neutrale",
            "Negative",
        ]
        body = rows_of(found)
        assert body[0][0] == "Alle svar"
        ordered = shown.filter(pl.col("code") != "(alle koder)").sort(
            ["answers", "label"], descending=[True, False]
        )
        assert [r[0] for r in body[1:]] == ordered["label"].to_list()
        for row, r in zip(
            body,
            [
                *shown.filter(pl.col("code") == "(alle koder)").iter_rows(named=True),
                *ordered.iter_rows(named=True),
            ],
            strict=True,
        ):
            assert row[1] == str(r["answers"])
            shares = [r[f"share_{s}"] for s in ("positiv", "neutral", "negativ")]
            assert row[2:] == [f"{v * 100:.1f} %".replace(".", ",") for v in shares]
            assert sum(shares) == pytest.approx(1.0)
        for r in table.filter((pl.col("question") == question) & pl.col("suppressed")).iter_rows(named=True):
            assert not any(s.startswith(f"open_answers_sentiment:{r['_row']}:") for s in sources)
    if place == "alle":  # the fixture's fieldwork is the same on every run
        found = caption_table(
            section, "Positive, neutrale og negative svar pr. tema: Uddybning af tilfredshed"
        )
        assert rows_of(found)[:2] == [
            ["Alle svar", "89", "77,8 %", "8,7 %", "13,5 %"],
            ["Tema 1: ton, nedlad, ventetid", "22", "30,4 %", "29,7 %", "39,9 %"],
        ]
    else:
        assert table["suppressed"].any(), "a theme of Lemvig's is too small for its sentiment shares"


def test_the_pdf_keeps_the_fieldwork_funnel_with_its_intro(stored_db):
    """The funnel could land on the page after its intro sentence: now one unbreakable block."""
    from borgerblik.reporting.content import build_report
    from borgerblik.reporting.pdf import typst_source

    tables, instrument, title = analysed_survey(SURVEY, stored_db, bootstrap=0)
    source = typst_source(build_report(tables, instrument, "Lemvig", survey_title=title))
    kept = re.findall(r'#block\(breakable: false\)\[\n#par\("([^"]*)"\)\n#figure\(caption: "([^"]*)"', source)
    assert (
        "Fra invitation til gennemført besvarelse: hvor mange der nåede hvert trin.",
        "Feltarbejdet trin for trin: Lemvig",
    ) in kept
    assert (
        "Påmindelserne gik ud på dag 7, 14; kurven stiger efter hver af dem.",
        "Svarprocent over tid: Lemvig",
    ) in kept


def test_a_municipal_report_has_its_own_trend_table(stored, stored_db):
    """The analysis's trend function with the municipality as the group: each wave's weighted % positive
    of the municipality's own answers, the tested change in its mean, its largest change a conclusion. The
    municipalities of a wave are one line: Kalundborg's single 2023 answer (a citizen of the 2023 sample
    who lived there) is hidden with the next smallest of 2023 — Lemvig's — and named nowhere."""
    out, frames, _ = stored
    pct = lambda x: f"{x * 100:.1f} %".replace(".", ",")  # noqa: E731
    trends = frames["municipal_trends"]
    assert trends.filter((pl.col("group") == "Kalundborg") & (pl.col("question") == "samlet_tilfredshed"))[
        "n_valid"
    ].to_list() == [1]
    with Database(stored_db) as db:
        ids = {y: db.survey_by_name(f"KL tværkommunal {y}").id for y in (2023, 2024)}
        own = {
            (k, y): _weighted_positive(db, i, "samlet_tilfredshed", k)
            for y, i in ids.items()
            for k in ("Hørsholm", "Lemvig")
        }
    for kommune, name in (("Hørsholm", "kommuner/hoersholm"), ("Lemvig", "kommuner/lemvig")):
        page = tree(out, name)
        section = page.get_element_by_id("tendenser")
        table = caption_table(section, f"Udvikling over tid: andel positive — {kommune}")
        assert len(section.xpath(".//table")) == 1  # the municipality only, no target groups
        rows = {r[0]: r[1:] for r in rows_of(table)}
        sources = {e.get("data-source") for e in section.xpath(".//*[@data-source]")}
        mine = set(trends.filter(pl.col("group") == kommune)["_row"].to_list())
        assert all(int(s.split(":")[1]) in mine for s in sources if s.startswith("municipal_trends:"))
        assert "Kalundborg" not in page.text_content()
        if kommune == "Lemvig":
            assert rows["Overordnet tilfredshed"] == ["–", pct(own[(kommune, 2024)][0]), ""]
            continue
        assert rows["Overordnet tilfredshed"][:2] == [pct(own[(kommune, y)][0]) for y in (2023, 2024)]
        change = frames["municipal_trend_changes"].filter(
            (pl.col("group") == kommune) & (pl.col("question") == "samlet_tilfredshed")
        )["change"][0]
        assert change == pytest.approx(own[(kommune, 2024)][1] - own[(kommune, 2023)][1], abs=1e-9)
        assert rows["Overordnet tilfredshed"][2] == f"{change:.2f}".replace(".", ",")
        assert (
            "Den største ændring siden 2023 er på »" in page.get_element_by_id("konklusioner").text_content()
        )
