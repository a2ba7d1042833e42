"""Grouping schemes: LAB target groups 6.1-6.9 into KL's five, Copenhagen's two and Rødovre's seven groups."""

from __future__ import annotations

import pytest

from borgerblik.core import GroupingError, InstrumentError, lab_group, load_groupings

LAB_CODES = ["6.1", "6.2", "6.3", "6.4", "6.5", "6.6", "6.7", "6.8", "6.9"]


def test_shipped_schemes():
    assert list(load_groupings()) == ["kl2024", "kbh", "rodovre"]


def test_kl2024_maps_every_lab_code_as_the_seed_does():
    assert {code: lab_group(code, "kl2024") for code in LAB_CODES} == {
        "6.1": "dagpenge",
        "6.2": "job_udd_parate",
        "6.3": "aktivitetsparate",
        "6.4": "job_udd_parate",
        "6.5": "aktivitetsparate",
        "6.6": "sygedagpenge",
        "6.7": "jobafklaring",
        "6.8": "aktivitetsparate",
        "6.9": "job_udd_parate",
    }
    scheme = load_groupings()["kl2024"]
    assert scheme.group("job_udd_parate").label == "Job- og uddannelsesparate"
    assert scheme.group_names == (
        "dagpenge",
        "sygedagpenge",
        "job_udd_parate",
        "aktivitetsparate",
        "jobafklaring",
    )


def test_kbh_splits_udsatte_from_job_and_education_ready():
    groups = {code: lab_group(code, "kbh") for code in LAB_CODES}
    assert [code for code, group in groups.items() if group == "udsatte"] == [
        "6.3",
        "6.5",
        "6.6",
        "6.7",
        "6.8",
        "6.9",
    ]
    assert [code for code, group in groups.items() if group == "job_udd_parate"] == ["6.1", "6.2", "6.4"]


def test_rodovre_benefit_groups_by_lab_code_and_by_benefit_name():
    rodovre = load_groupings()["rodovre"]
    assert [rodovre.group_of(code) for code in LAB_CODES] == [
        "dagpenge",
        "kontanthjaelp",
        "kontanthjaelp",
        "uddannelseshjaelp",
        "uddannelseshjaelp",
        "sygedagpenge",
        "rfy_jobafklaring",
        "rfy_ressourceforloeb",
        "ledighedsydelse",
    ]
    assert len(rodovre.groups) == 7
    # a benefit name is finer than the LAB code and wins: an aktivitetsparat under 30 on uddannelseshjælp
    assert rodovre.group_of("6.3", "Uddannelseshjælp") == "uddannelseshjaelp"
    # an unknown benefit name falls back to the LAB code
    assert rodovre.group_of("6.3", "noget andet") == "kontanthjaelp"
    assert rodovre.group("rfy_ressourceforloeb").label == "Ressourceforløbsydelse under ressourceforløb"


def test_lab_code_spelling_is_normalised():
    assert lab_group(" 6.6 ", "kl2024") == "sygedagpenge"
    assert lab_group(6.6, "kl2024") == "sygedagpenge"


def test_unknown_lab_code_or_scheme_is_an_error_not_a_silent_none():
    assert load_groupings()["kl2024"].group_of("7.1") is None
    with pytest.raises(
        GroupingError, match="målgruppe '7.1' hører ikke til nogen gruppe i grupperingen 'kl2024'"
    ):
        lab_group("7.1")
    with pytest.raises(GroupingError, match="ukendt gruppering 'aarhus' \\(kendte: kl2024, kbh, rodovre\\)"):
        lab_group("6.1", "aarhus")
    with pytest.raises(GroupingError, match="gruppen 'dagpenge' findes ikke i grupperingen 'kbh'"):
        load_groupings()["kbh"].group("dagpenge")


def test_a_custom_grouping_file(tmp_path):
    path = tmp_path / "groupings.yaml"
    path.write_text(
        'lab_codes: {"6.1": dagpenge, "6.6": sygedagpenge}\n'
        "schemes:\n"
        "  to:\n"
        "    groups:\n"
        '      ledige: {label: Ledige, codes: ["6.1"]}\n'
        '      syge: {label: Syge, codes: ["6.6"]}\n',
        encoding="utf-8",
    )
    schemes = load_groupings(path)
    assert schemes["to"].group_of("6.6") == "syge"


def test_a_lab_code_in_two_groups_is_rejected_with_its_line(tmp_path):
    path = tmp_path / "groupings.yaml"
    path.write_text(
        'lab_codes: {"6.1": dagpenge, "6.6": sygedagpenge}\n'
        "schemes:\n"
        "  to:\n"
        "    groups:\n"
        '      ledige: {label: Ledige, codes: ["6.1"]}\n'
        '      syge: {label: Syge, codes: ["6.6", "6.1", "6.10"]}\n',
        encoding="utf-8",
    )
    with pytest.raises(InstrumentError) as caught:
        load_groupings(path)
    messages = [str(p) for p in caught.value.problems]
    assert messages == [
        "groupings.yaml, linje 6, felt 'codes': forventede hver LAB-kode i én gruppe (står også i 'ledige'), "
        "fik '6.1'",
        "groupings.yaml, linje 6, felt 'codes': forventede en LAB-kode 6.1-6.9, fik '6.10'",
    ]
