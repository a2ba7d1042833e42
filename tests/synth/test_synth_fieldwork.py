"""The simulated fieldwork reproduces the KL 2024 seed's response pattern and results.

Seed figures (kl-tvaerkommunal-2024.txt): 86,965 sampled; 31,717 complete (36,5 %), 2,021 partial
(2,3 %), 4,195 opted out (4,8 %); municipal response rates 32,0–46,2 %; respondents' mean age 46,7
vs the sample's 42,2; weighted overall satisfaction 29,5 / 33,5 / 18,3 / 8,4 / 10,2 %; best
municipality 4,03, worst 3,32; men, the young and aktivitetsparate less satisfied.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from borgerblik.synth import simulate_fieldwork
from borgerblik.synth.satisfaction import COURSE_EFFECT_CENTRE, course_effect

ANSWERED = pl.col("outcome").is_in(["complete", "partial"])
SEED_OVERALL = [29.5, 33.5, 18.3, 8.4, 10.2]


def share(persons: pl.DataFrame, outcome: str) -> float:
    return (persons["outcome"] == outcome).mean() * 100


def test_outcome_shares_match_the_seed(fieldwork):
    persons = fieldwork.persons
    assert persons.height == 86_956
    assert share(persons, "complete") == pytest.approx(36.5, abs=1.0)
    assert share(persons, "partial") == pytest.approx(2.3, abs=0.4)
    assert share(persons, "opted_out") == pytest.approx(4.8, abs=0.5)
    assert persons.select(ANSWERED.mean()).item() * 100 == pytest.approx(38.8, abs=1.0)


def test_municipal_response_rates_lie_in_the_seeds_range_and_fall_with_size(fieldwork):
    rates = dict(fieldwork.persons.group_by("kommune").agg(ANSWERED.mean()).iter_rows())
    assert len(rates) == 44
    assert min(rates.values()) >= 0.32 and max(rates.values()) <= 0.462
    assert rates["København"] < rates["Hørsholm"]


def test_respondents_are_older_more_often_women_and_sygedagpenge(fieldwork):
    persons = fieldwork.persons
    respondents = fieldwork.respondents()
    assert persons["alder"].mean() == pytest.approx(42.2, abs=0.4)
    assert respondents["alder"].mean() == pytest.approx(46.7, abs=0.7)

    def shares(frame: pl.DataFrame, column: str) -> dict[str, float]:
        return dict(frame[column].value_counts(normalize=True).iter_rows())

    assert shares(respondents, "koen")["kvinde"] > shares(persons, "koen")["kvinde"]
    assert shares(respondents, "aldersgruppe")["16-29"] < shares(persons, "aldersgruppe")["16-29"]
    sample_groups, respondent_groups = (
        shares(persons, "maalgruppe_kl2024"),
        shares(respondents, "maalgruppe_kl2024"),
    )
    assert respondent_groups["sygedagpenge"] > sample_groups["sygedagpenge"]
    assert respondent_groups["aktivitetsparate"] < sample_groups["aktivitetsparate"]


def test_men_the_young_and_dagpenge_opt_out_relatively_more(fieldwork):
    ratio = fieldwork.persons.group_by("koen", "aldersgruppe", "maalgruppe_kl2024").agg(
        opted=(pl.col("outcome") == "opted_out").sum(), answered=ANSWERED.sum()
    )

    def opt_per_answer(column: str) -> dict[str, float]:
        totals = ratio.group_by(column).agg(pl.col("opted").sum() / pl.col("answered").sum())
        return dict(totals.iter_rows())

    assert opt_per_answer("koen")["mand"] > opt_per_answer("koen")["kvinde"]
    by_age = opt_per_answer("aldersgruppe")
    assert by_age["16-29"] > by_age["30-49"] > by_age["50-66"]
    by_group = opt_per_answer("maalgruppe_kl2024")
    assert by_group["dagpenge"] == max(by_group.values())


def test_weighted_overall_satisfaction_is_the_seeds_within_one_and_a_half_points(fieldwork, weighted):
    answers = weighted(fieldwork.persons).filter(pl.col("samlet_tilfredshed").is_between(1, 5))
    sums = (
        answers.group_by("samlet_tilfredshed")
        .agg(pl.col("weight").sum())
        .sort("samlet_tilfredshed", descending=True)
    )
    shares = (sums["weight"] / sums["weight"].sum() * 100).to_list()
    assert shares == pytest.approx(SEED_OVERALL, abs=1.5)
    unweighted = (
        answers["samlet_tilfredshed"].value_counts(normalize=True).sort("samlet_tilfredshed", descending=True)
    )
    assert unweighted["proportion"][0] * 100 > shares[0]  # unweighted looks more positive, as the seed says


def test_about_four_percent_answer_ved_ikke_to_the_overall_question(fieldwork):
    overall = fieldwork.respondents()["samlet_tilfredshed"].drop_nulls()
    assert (overall == 9).mean() * 100 == pytest.approx(4.2, abs=1.0)  # seed: 1,337 of 31,911


def test_men_the_young_and_aktivitetsparate_are_less_satisfied(fieldwork, weighted):
    answers = weighted(fieldwork.persons).filter(pl.col("samlet_tilfredshed").is_between(1, 5))

    def means(column: str) -> dict[str, float]:
        score = (pl.col("samlet_tilfredshed") * pl.col("weight")).sum() / pl.col("weight").sum()
        return dict(answers.group_by(column).agg(score).iter_rows())

    assert means("koen")["mand"] < means("koen")["kvinde"]
    by_age = means("aldersgruppe")
    assert by_age["16-29"] < by_age["30-49"] < by_age["50-66"]
    by_group = means("maalgruppe_kl2024")
    assert by_group["aktivitetsparate"] == min(by_group.values())


def test_best_and_worst_municipality_are_near_the_seeds(fieldwork, weighted):
    answers = weighted(fieldwork.persons).filter(pl.col("samlet_tilfredshed").is_between(1, 5))
    score = (pl.col("samlet_tilfredshed") * pl.col("weight")).sum() / pl.col("weight").sum()
    means = answers.group_by("kommune").agg(score.alias("mean")).sort("mean")
    assert means["mean"][-1] == pytest.approx(4.03, abs=0.12)
    assert means["mean"][0] == pytest.approx(3.32, abs=0.12)


def test_routing_follows_the_instrument(fieldwork):
    r = fieldwork.respondents()
    asked = pl.col("taettere_job").is_not_null()
    assert set(r.filter(asked)["maalgruppe_kl2024"].unique()) == {"dagpenge", "job_udd_parate"}
    assert set(r.filter(pl.col("arbejdsgiver").is_not_null())["maalgruppe_kl2024"].unique()) == {
        "sygedagpenge"
    }
    back = r.filter(pl.col("tilbagevenden_job").is_not_null())
    assert set(back["maalgruppe_kl2024"].unique()) == {"sygedagpenge"} and (back["arbejdsgiver"] == 1).all()
    belief = r.filter(pl.col("styrket_tro").is_not_null())
    assert set(belief["maalgruppe_kl2024"].unique()) == {"sygedagpenge", "aktivitetsparate", "jobafklaring"}
    assert (belief.filter(pl.col("maalgruppe_kl2024") == "sygedagpenge")["arbejdsgiver"] == 2).all()
    cooperation = r.filter(pl.col("samarbejde").is_not_null())
    assert set(cooperation["maalgruppe_kl2024"].unique()) == {"aktivitetsparate"}
    assert (cooperation["andre_afdelinger"] == 1).all()
    complete = r.filter(pl.col("outcome") == "complete")
    assert complete["tillid"].null_count() == 0 and complete["samlet_tilfredshed"].null_count() == 0


def test_nobody_else_has_answers_and_partial_answers_stop_part_way(fieldwork):
    persons = fieldwork.persons
    silent = persons.filter(~ANSWERED)
    assert (
        silent.select(pl.sum_horizontal(pl.col(fieldwork.answer_columns).is_not_null())).to_series().max()
        == 0
    )
    partial = persons.filter(pl.col("outcome") == "partial")
    assert partial["status"].null_count() == 0  # everyone answered at least the first question
    assert partial["samlet_tilfredshed"].is_not_null().mean() < 0.2
    assert partial["forbedringer"].null_count() == partial.height or partial["forbedringer"].null_count() > 0


def test_items_correlate_with_overall_satisfaction_through_the_latent_variable(fieldwork):
    valid = fieldwork.respondents().filter(
        pl.col("samlet_tilfredshed").is_between(1, 5)
        & pl.col("udgangspunkt").is_between(1, 5)
        & pl.col("jobmuligheder").is_between(1, 5)
    )
    strong = valid.select(pl.corr("udgangspunkt", "samlet_tilfredshed", method="spearman")).item()
    weak = valid.select(pl.corr("jobmuligheder", "samlet_tilfredshed", method="spearman")).item()
    assert strong > 0.5 and 0.2 < weak < strong


def test_velforberedt_mean_is_near_the_seeds_3_87(fieldwork, weighted):
    answers = weighted(fieldwork.persons).filter(pl.col("velforberedt").is_between(1, 5))
    mean = (answers["velforberedt"] * answers["weight"]).sum() / answers["weight"].sum()
    assert mean == pytest.approx(3.87, abs=0.08)


def test_the_cumulative_response_curve_jumps_after_each_reminder(fieldwork):
    curve = fieldwork.response_curve()["cumulative_rate"].to_list()
    daily = [curve[0]] + [b - a for a, b in zip(curve, curve[1:], strict=False)]
    assert daily[7] > 3 * daily[6] and daily[14] > 3 * daily[13]
    assert curve[-1] == pytest.approx(fieldwork.persons.select(ANSWERED.mean()).item())
    assert [str(d) for d in fieldwork.reminders_on] == ["2024-03-25", "2024-04-01"]
    last = fieldwork.respondents()["responded_at"].max()
    assert str(last.date()) <= "2024-04-07"  # the seed's close date


def test_mode_and_language_are_mostly_web_and_danish(fieldwork):
    r = fieldwork.respondents()
    assert (r["mode"] == "web").mean() > 0.95 and set(r["mode"].unique()) == {"web", "telefon"}
    assert (r["language"] == "da").mean() > 0.95 and set(r["language"].unique()) <= {"da", "en", "ar"}


def test_open_answers_are_danish_themes_with_redaction_cases(fieldwork):
    r = fieldwork.respondents()
    texts = pl.concat([r["hvorfor_tilfreds"].drop_nulls(), r["forbedringer"].drop_nulls()])
    assert texts.len() > 20_000
    assert texts.str.contains("sagsbehandler").any()
    names = texts.str.contains(r"(Tak til|Min sagsbehandler) [A-ZÆØÅ][a-zæøå]+ ")
    phones = texts.str.contains(r"\b\d\d \d\d \d\d \d\d\b")
    cprs = texts.str.extract(r"\b(\d{6}-\d{4})\b").drop_nulls()
    assert names.sum() > 500 and phones.sum() > 100 and cprs.len() > 50
    days = cprs.str.slice(0, 2).cast(pl.Int32)
    assert days.min() >= 61 and days.max() <= 91  # substitute form: never a real person's number
    truth = fieldwork.truth.join(r.select("respondent_id", "samlet_tilfredshed"), on="respondent_id")
    happy = truth.filter(pl.col("samlet_tilfredshed").is_in([4, 5]))["hvorfor_tilfreds_tema"].drop_nulls()
    assert set(happy.unique()) == {
        "positive_samtaler",
        "klar_kommunikation",
        "hoert_forstaaet",
        "hurtige_processer",
        "tilbud",
    }
    assert set(truth["hvorfor_tilfreds_pii"].drop_nulls().unique()) == {"", "navn", "telefon", "cpr"}


def test_no_cpr_or_contact_data_in_the_fieldwork(fieldwork):
    assert not {"cpr", "telefon", "email", "digital_post_fritaget"} & set(fieldwork.persons.columns)
    assert fieldwork.persons["respondent_id"].to_list()[:3] == [1, 2, 3]


def test_same_seed_same_fieldwork_and_waves_trend_upwards(sample, instrument, fieldwork, weighted):
    part = sample.head(3_000)
    first = simulate_fieldwork(part, instrument, seed=3, wave=2024)
    assert first.persons.equals(simulate_fieldwork(part, instrument, seed=3, wave=2024).persons)
    earlier = simulate_fieldwork(sample, instrument, seed=11, wave=2022)

    def overall_mean(fw) -> float:
        answers = weighted(fw.persons).filter(pl.col("samlet_tilfredshed").is_between(1, 5))
        return (answers["samlet_tilfredshed"] * answers["weight"]).sum() / answers["weight"].sum()

    assert overall_mean(earlier) < overall_mean(fieldwork) - 0.03
    assert share(earlier.persons, "opted_out") < 1.5  # before 2024 there was no opt-out link
    assert str(earlier.invited_on) == "2022-03-21"


def test_a_frame_without_the_contract_columns_or_an_unknown_wave_is_refused(sample, instrument):
    with pytest.raises(ValueError, match="mangler kolonnerne cpr, maalgruppe"):
        simulate_fieldwork(pl.DataFrame({"kommune": ["Assens"]}), instrument, seed=1)
    with pytest.raises(ValueError, match=r"bølgen skal være en af \[2022, 2023, 2024\], fik 2019"):
        simulate_fieldwork(sample.head(10), instrument, seed=1, wave=2019)


def test_answers_by_respondent_gives_only_what_was_answered(fieldwork):
    answers = dict(fieldwork.answers_by_respondent())
    assert len(answers) == fieldwork.respondents().height
    first_id, first = next(iter(answers.items()))
    row = fieldwork.persons.filter(pl.col("respondent_id") == first_id).row(0, named=True)
    assert first == {k: row[k] for k in fieldwork.answer_columns if row[k] is not None}
    assert all(None not in given.values() for given in answers.values())


def test_other_templates_route_their_follow_ups_by_the_parent_answer(sample):
    from borgerblik.core import load_template

    vive = simulate_fieldwork(sample.head(4_000), load_template("vive-kbh-2020"), seed=5).respondents()
    low = vive.filter(pl.col("tilfreds_samtale_lav").is_not_null())["tilfreds_samtale"]
    high = vive.filter(pl.col("tilfreds_samtale_hoej").is_not_null())["tilfreds_samtale"]
    assert low.len() > 0 and set(low.unique()) <= {1, 2}
    assert high.len() > 0 and set(high.unique()) <= {3, 4, 5}
    rodovre = simulate_fieldwork(sample.head(2_000), load_template("rodovre-2023"), seed=5)
    assert rodovre.respondents()["samlet_tilfredshed"].is_not_null().any()


def test_the_course_effect_follows_kls_duration_groups_and_lifts_ended_courses():
    # weeks to the survey close (2024-04-07): 25.9, 26, 51.9, 52, 104, and an ended course
    starts = ["2023-10-09", "2023-10-08", "2023-04-10", "2023-04-09", "2022-04-10", "2019-01-01"]
    strata = pl.DataFrame({"ydelse_start": starts})
    ended = np.array([False, False, False, False, False, True])
    shifts = course_effect(strata, ended) + COURSE_EFFECT_CENTRE
    assert shifts.round(4).tolist() == [0.06, 0.02, 0.02, -0.03, -0.08, 0.10]
    one_year = course_effect(pl.DataFrame({"ydelse_start": ["2023-04-01"]}), np.array([False]))
    assert one_year.tolist() == pytest.approx([-0.03 - COURSE_EFFECT_CENTRE])


def test_ended_courses_are_more_satisfied_and_satisfaction_falls_with_duration(fieldwork, weighted):
    answers = weighted(fieldwork.persons).filter(pl.col("samlet_tilfredshed").is_between(1, 5))
    score = (pl.col("samlet_tilfredshed") * pl.col("weight")).sum() / pl.col("weight").sum()
    by_status = dict(answers.group_by("status").agg(score).iter_rows())
    assert 0.1 < by_status[2] - by_status[1] < 0.4  # ended vs still in a course
    weeks = (pl.lit(date(2024, 4, 7)) - pl.col("ydelse_start").str.to_date()).dt.total_days() / 7
    group = pl.when(weeks < 26).then(0).when(weeks < 52).then(1).when(weeks < 104).then(2).otherwise(3)
    current = answers.filter(pl.col("status") == 1).with_columns(varighed=group)
    means = current.group_by("varighed").agg(score.alias("mean")).sort("varighed")["mean"].to_list()
    assert means == sorted(means, reverse=True) and means[0] - means[-1] < 0.6


def test_contact_categories_are_the_sampling_stages_kl_split_of_the_sample(fieldwork, sample):
    valid_phone = pl.col("telefon").str.contains(r"^(\+45)?\d{8}$")
    exempt = pl.col("digital_post_fritaget") == "ja"
    expected = sample.select(
        digital_post_og_sms=(~exempt & valid_phone).sum(),
        kun_digital_post=(~exempt & ~valid_phone).sum(),
        kun_sms=(exempt & valid_phone).sum(),
        hverken=(exempt & ~valid_phone).sum(),
    ).row(0, named=True)
    assert dict(fieldwork.persons["kontakt"].value_counts().iter_rows()) == expected
