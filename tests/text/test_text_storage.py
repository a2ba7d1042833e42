"""Codebooks and codes in the database, and the codes command line round trip."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from borgerblik.cli import _command
from borgerblik.storage import StorageError
from borgerblik.storage.open_answers import Code, codebook, coded_answers, save_codebook, set_codes
from borgerblik.text.coding import kappa_per_code

BOOK = [
    Code("samtaler", "Samtalerne", keywords=("lyttet", "forstået")),
    Code("lyttet", "Lyttet til mig", parent="samtaler", examples=("Min rådgiver lyttede",)),
    Code("ventetid", "Ventetid"),
]


def test_a_codebook_round_trips_with_its_two_levels(db, kl_invited):
    survey_id, _ = kl_invited(db, {"anne": "6.1"})
    assert save_codebook(db, survey_id, "hvorfor_tilfreds", BOOK) == 3
    assert codebook(db, survey_id, "hvorfor_tilfreds") == BOOK
    save_codebook(db, survey_id, "hvorfor_tilfreds", BOOK[:1])
    assert [c.code for c in codebook(db, survey_id, "hvorfor_tilfreds")] == ["samtaler"]


def test_a_third_level_or_an_unknown_parent_is_refused(db, kl_invited):
    survey_id, _ = kl_invited(db, {"anne": "6.1"})
    with pytest.raises(StorageError, match="overkoden 'x'"):
        save_codebook(db, survey_id, "q", [Code("a", "A", parent="x")])
    with pytest.raises(StorageError, match="to niveauer"):
        save_codebook(
            db, survey_id, "q", [Code("a", "A"), Code("b", "B", parent="a"), Code("c", "C", parent="b")]
        )


def test_two_coders_code_the_same_answers_and_kappa_compares_them(db, kl_invited):
    survey_id, invited = kl_invited(db, {"anne": "6.1", "bo": "6.1", "carl": "6.2"})
    save_codebook(db, survey_id, "hvorfor_tilfreds", BOOK)
    ids = [invited[name].id for name in ("anne", "bo", "carl")]
    set_codes(db, survey_id, "hvorfor_tilfreds", [(ids[0], "lyttet"), (ids[1], "ventetid")], coder="a")
    set_codes(db, survey_id, "hvorfor_tilfreds", [(ids[0], "lyttet"), (ids[1], "lyttet")], coder="b")
    set_codes(db, survey_id, "hvorfor_tilfreds", [(ids[2], "ventetid")], coder="a")
    set_codes(db, survey_id, "hvorfor_tilfreds", [(ids[2], "ventetid")], coder="b")
    coded = coded_answers(db, survey_id, "hvorfor_tilfreds")
    by_coder = {
        coder: {
            i: set(coded.filter((coded["coder"] == coder) & (coded["invitation_id"] == i))["code"])
            for i in ids
        }
        for coder in ("a", "b")
    }
    kappas = kappa_per_code(by_coder["a"], by_coder["b"], ["lyttet", "ventetid"])
    assert kappas["ventetid"] == pytest.approx(0.4)
    with pytest.raises(StorageError, match="uden for kodebogen"):
        set_codes(db, survey_id, "hvorfor_tilfreds", [(ids[0], "nej")], coder="a")


def test_codes_import_and_export_by_file(db, kl_invited, tmp_path):
    survey_id, invited = kl_invited(db, {"anne": "6.1", "bo": "6.1"})
    url = str(db.engine.url.render_as_string(hide_password=False))
    book = tmp_path / "kodebog.csv"
    book.write_text(
        "kode;etiket;overkode\nsamtaler;Samtalerne;\nlyttet;Lyttet til mig;samtaler\n", encoding="utf-8-sig"
    )
    runner = CliRunner()
    args = ["--survey", str(survey_id), "--question", "hvorfor_tilfreds", "--database", url]
    result = runner.invoke(_command("codes"), ["import", str(book), "--codebook", *args])
    assert result.exit_code == 0, result.output
    coded = tmp_path / "koder.csv"
    coded.write_text(f"svar_id,koder\n{invited['anne'].id},samtaler|lyttet\n", encoding="utf-8")
    result = runner.invoke(_command("codes"), ["import", str(coded), "--coder", "mette", *args])
    assert result.exit_code == 0, result.output
    assert "2 koder" in result.output
    out = tmp_path / "ud.csv"
    result = runner.invoke(_command("codes"), ["export", "--codebook", "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8-sig").splitlines()[2] == "lyttet;Lyttet til mig;;;;samtaler"
    bad = tmp_path / "bad.csv"
    bad.write_text("svar_id;koder\nx;lyttet\n", encoding="utf-8")
    result = runner.invoke(_command("codes"), ["import", str(bad), *args])
    assert result.exit_code == 2 and "linje 2, kolonne svar_id" in result.output
