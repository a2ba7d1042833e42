"""`borgerblik instrument check` is the administrator's first look at a new questionnaire file."""

from pathlib import Path

from typer.testing import CliRunner

from borgerblik.cli import app
from borgerblik.core.loader import TEMPLATE_DIR

runner = CliRunner()


def test_a_shipped_template_checks_clean() -> None:
    result = runner.invoke(app, ["instrument", "check", str(TEMPLATE_DIR / "kl-2024.yaml")])
    assert result.exit_code == 0
    assert "17 skala-items" in result.output
    assert "samlet_tilfredshed" in result.output


def test_a_broken_file_exits_2_and_names_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "skema.yaml"
    bad.write_text("name: x\n", encoding="utf-8")
    result = runner.invoke(app, ["instrument", "check", str(bad)])
    assert result.exit_code == 2
    assert "skema.yaml, linje 1, felt 'name'" in result.output


def test_templates_lists_the_three_seed_instruments() -> None:
    result = runner.invoke(app, ["instrument", "templates"])
    assert result.exit_code == 0
    for name in ("kl-2024", "rodovre-2023", "vive-kbh-2020"):
        assert name in result.output


def test_every_shipped_template_passes_the_language_check() -> None:
    for name in ("kl-2024", "rodovre-2023", "vive-kbh-2020"):
        result = runner.invoke(app, ["instrument", "check", str(TEMPLATE_DIR / f"{name}.yaml")])
        assert result.exit_code == 0, result.output
        assert "i orden" in result.output


def test_a_missing_arabic_text_fails_the_check_with_its_line(tmp_path: Path) -> None:
    """Arabic offered but one follow-up's Arabic wording deleted: the page would show it in Danish."""
    text = (TEMPLATE_DIR / "kl-2024.yaml").read_text(encoding="utf-8")
    arabic_line = "          ar: يرجى توضيح سبب رضاك أو عدم رضاك عن مسارك في مركز التوظيف.\n"
    assert text.count(arabic_line) == 1
    incomplete = tmp_path / "kl-uden-arabisk.yaml"
    incomplete.write_text(text.replace(arabic_line, ""), encoding="utf-8")
    result = runner.invoke(app, ["instrument", "check", str(incomplete)])
    assert result.exit_code == 2
    assert "i orden" not in result.output
    assert "spørgsmål 'hvorfor_tilfreds', felt 'text'" in result.output
    assert "fik ingen tekst på ar" in result.output
