"""`borgerblik sample draw`: a stratified sample from any frame, without a database."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from borgerblik.cli import app

runner = CliRunner()


def _frame(tmp_path: Path) -> Path:
    rows = ["kommune;koen;alder;navn"]
    # A: 6 mænd 16-29, 3 kvinder 16-29, 3 kvinder 30-49 (12); B: 2 mænd, 2 kvinder (4)
    rows += [f"A;mand;16-29;a{i}" for i in range(6)]
    rows += [f"A;kvinde;16-29;b{i}" for i in range(3)]
    rows += [f"A;kvinde;30-49;c{i}" for i in range(3)]
    rows += ["B;mand;16-29;d0", "B;mand;16-29;d1", "B;kvinde;50-66;e0", "B;kvinde;50-66;e1"]
    path = tmp_path / "F.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _sizes(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "SIZES.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_draw_hits_n_per_group_with_proportional_strata(tmp_path: Path) -> None:
    frame = _frame(tmp_path)
    sizes = _sizes(tmp_path, "kommune,n\nA,4\nB,10\n")
    out = tmp_path / "OUT.csv"
    args = ["sample", "draw", "--frame", str(frame), "--within", "kommune", "--strata", "koen,alder",
            "--sizes", str(sizes), "--seed", "5", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    drawn = pl.read_csv(out, separator=";")
    assert drawn.columns == ["kommune", "koen", "alder", "navn"]
    counts = dict(drawn.group_by(["kommune", "koen", "alder"]).len().select(
        pl.concat_str(["kommune", "koen", "alder"], separator="/"), "len").iter_rows())
    # A: n = 4 of 12 → quotas 2, 1, 1 exactly; B: n = 10 > 4 → the whole group
    assert counts == {"A/mand/16-29": 2, "A/kvinde/16-29": 1, "A/kvinde/30-49": 1,
                      "B/mand/16-29": 2, "B/kvinde/50-66": 2}
    original = pl.read_csv(frame, separator=";")
    assert drawn.join(original, on=drawn.columns, how="anti").height == 0
    report = tmp_path / "rapport.csv"
    with_report = runner.invoke(app, [*args, "--report", str(report)])
    assert with_report.exit_code == 0, with_report.output
    columns = ["kommune", "koen", "alder", "population", "kvote", "stikproeve"]
    assert pl.read_csv(report).select(columns).rows() == [
        ("A", "kvinde", "16-29", 3, 1.0, 1),
        ("A", "kvinde", "30-49", 3, 1.0, 1),
        ("A", "mand", "16-29", 6, 2.0, 2),
        ("B", "kvinde", "50-66", 2, 2.0, 2),
        ("B", "mand", "16-29", 2, 2.0, 2),
    ]
    again = runner.invoke(app, args[:-2])
    assert again.exit_code == 0
    assert again.stdout == out.read_text(encoding="utf-8")


def test_draw_refuses_sizes_it_cannot_use(tmp_path: Path) -> None:
    frame = _frame(tmp_path)
    base = ["sample", "draw", "--frame", str(frame), "--within", "kommune", "--strata", "koen", "--seed", "1"]
    missing = runner.invoke(app, [*base, "--sizes", str(_sizes(tmp_path, "kommune,n\nA,4\n"))])
    assert missing.exit_code == 2
    assert "mangler for kommune B" in missing.output
    bad_n = runner.invoke(app, [*base, "--sizes", str(_sizes(tmp_path, "kommune,n\nA,4\nB,fire\n"))])
    assert bad_n.exit_code == 2
    assert "linje 3, kolonne n: forventede et helt tal ≥ 0, fik 'fire'" in bad_n.output
    twice = runner.invoke(app, [*base, "--sizes", str(_sizes(tmp_path, "kommune,n\nA,4\nA,5\nB,1\n"))])
    assert twice.exit_code == 2
    assert "linje 3" in twice.output


def test_draw_names_an_unknown_column(tmp_path: Path) -> None:
    frame = _frame(tmp_path)
    sizes = _sizes(tmp_path, "kommune,n\nA,4\nB,1\n")
    result = runner.invoke(app, ["sample", "draw", "--frame", str(frame), "--within", "kommune", "--strata",
                                 "ydelse", "--sizes", str(sizes), "--seed", "1"])
    assert result.exit_code == 2
    assert "--strata 'ydelse' er ikke en kolonne" in result.output


def test_sample_without_a_survey_says_what_to_give() -> None:
    result = runner.invoke(app, ["sample"])
    assert result.exit_code == 2
    assert "angiv --survey ID" in result.output
