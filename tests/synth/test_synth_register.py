"""The synthetic register matches the KL 2024 seed's totals and shares (kl-tvaerkommunal-2024.txt)."""

from __future__ import annotations

from datetime import date

import polars as pl

from borgerblik.registers.cpr import with_cpr_columns
from borgerblik.sampling import load_design
from borgerblik.synth import (
    INELIGIBLE_RULES,
    MUNICIPALITIES,
    REGISTER_COLUMNS,
    generate_register,
    with_strata,
)

SEED_NAMES = (
    "Assens",
    "Brøndby",
    "Brønderslev",
    "Esbjerg",
    "Favrskov",
    "Fredensborg",
    "Fredericia",
    "Frederiksberg",
    "Frederikshavn",
    "Faaborg-Midtfyn",
    "Gladsaxe",
    "Greve",
    "Guldborgsund",
    "Halsnæs",
    "Hedensted",
    "Holstebro",
    "Høje-Taastrup",
    "Hørsholm",
    "Kalundborg",
    "Kolding",
    "København",
    "Lemvig",
    "Lyngby-Taarbæk",
    "Middelfart",
    "Morsø",
    "Norddjurs",
    "Nordfyn",
    "Næstved",
    "Odense",
    "Odsherred",
    "Randers",
    "Rudersdal",
    "Silkeborg",
    "Skanderborg",
    "Skive",
    "Syddjurs",
    "Tårnby",
    "Varde",
    "Vejen",
    "Vesthimmerland",
    "Viborg",
    "Aabenraa",
    "Aalborg",
)
VALID_PHONE = r"^(\+45)?\d{8}$"
KL_SIZE_RULE = load_design("kl2024").size_rule


def cpr_birth_and_gender(cpr: pl.Series) -> pl.DataFrame:
    """Birth date and gender as the registers stage reads them from the CPR numbers."""
    return with_cpr_columns(pl.DataFrame({"cpr": cpr}), "cpr").select("foedselsdato", "koen")


def test_register_has_the_seed_population_in_the_contract_columns(register):
    assert register.columns == list(REGISTER_COLUMNS)
    assert register.height == 198_877


def test_the_44_municipalities_are_the_seeds_43_names_plus_haderslev(register):
    names = set(register["kommune"].unique())
    assert len(names) == 44
    assert names == set(SEED_NAMES) | {"Haderslev"}
    sizes = dict(register.group_by("kommune").len().iter_rows())
    assert sizes == {m.name: m.population for m in MUNICIPALITIES}
    assert sizes["København"] == 40_728
    assert sizes["Hørsholm"] == 1_518


def test_the_sampling_stages_kl_size_rule_on_these_municipalities_gives_the_seeds_sample():
    sizes = [KL_SIZE_RULE.size(m.population) for m in MUNICIPALITIES]
    assert sum(sizes) == 86_956  # seed: 86,965 (0.01 % off)
    assert min(sizes) == 1_507 and max(sizes) == 2_619  # seed: "mellem 1.507 og 2.619"


def test_the_sample_is_the_sampling_stages_kl_draw(register, sample):
    sizes = dict(sample.group_by("kommune").len().iter_rows())
    assert sizes == {m.name: KL_SIZE_RULE.size(m.population) for m in MUNICIPALITIES}
    assert sizes["København"] == 2_619 and sizes["Hørsholm"] == 1_507
    # proportional over gender × age group × LAB code within each municipality: within one of the quota
    keys = ["kommune", "koen", "aldersgruppe", "maalgruppe"]
    population = with_strata(register).group_by(keys).len("N")
    drawn = with_strata(sample).group_by(keys).len("n")
    cells = population.join(drawn, on=keys, how="left").with_columns(pl.col("n").fill_null(0))
    wanted = pl.col("kommune").replace_strict(sizes, return_dtype=pl.Int64)
    quota = pl.col("N") * wanted / pl.col("N").sum().over("kommune")
    assert cells.select((pl.col("n") - quota).abs().max()).item() < 1


def test_reachability_shares_are_the_seeds_scaled_to_the_population(register):
    valid_phone = pl.col("telefon").str.contains(VALID_PHONE)
    exempt = pl.col("digital_post_fritaget") == "ja"
    counts = register.select(
        neither=(exempt & ~valid_phone).sum(),
        sms_only=(exempt & valid_phone).sum(),
        digital_post_only=(~exempt & ~valid_phone).sum(),
    ).row(0, named=True)
    # 262, 1,765 and 5,195 of the seed's 86,965 sampled citizens, scaled to 198,877.
    assert counts == {"neither": 599, "sms_only": 4_036, "digital_post_only": 11_880}


def test_a_proportional_sample_lands_near_the_seeds_reachability_counts(sample):
    valid_phone = pl.col("telefon").str.contains(VALID_PHONE)
    exempt = pl.col("digital_post_fritaget") == "ja"
    counts = sample.select(
        neither=(exempt & ~valid_phone).sum(),
        sms_only=(exempt & valid_phone).sum(),
        digital_post_only=(~exempt & ~valid_phone).sum(),
    ).row(0, named=True)
    assert abs(counts["neither"] - 262) <= 50
    assert abs(counts["sms_only"] - 1_765) <= 120
    assert abs(counts["digital_post_only"] - 5_195) <= 250


def test_phone_numbers_are_danish_mobiles_some_with_country_code_some_missing_or_invalid(register):
    phones = register["telefon"]
    assert (phones == "").sum() > 0
    invalid = phones.filter((phones != "") & ~phones.str.contains(VALID_PHONE))
    assert invalid.len() > 0 and invalid.str.contains(r"^\d{7}$|^\d{9}$").all()
    assert phones.str.starts_with("+45").mean() > 0.1
    valid = phones.filter(phones.str.contains(VALID_PHONE)).str.strip_prefix("+45")
    assert valid.str.slice(0, 1).is_in(list("2345679") + ["8"]).all()


def test_emails_use_reserved_example_domains_only(register):
    emails = register["email"].filter(register["email"] != "")
    assert emails.str.contains(r"@example\.(com|net|org)$").all()
    assert 0.5 < emails.len() / register.height < 0.6


def test_cpr_numbers_are_unique_substitute_numbers_with_a_valid_century_digit(register):
    cpr = register["cpr"]
    assert cpr.str.contains(r"^\d{6}-\d{4}$").all()
    assert cpr.n_unique() == register.height
    day = cpr.str.slice(0, 2).cast(pl.Int32)
    assert day.min() >= 61 and day.max() <= 91
    born = cpr_birth_and_gender(cpr)
    assert born["foedselsdato"].null_count() == 0  # every (day − 60, month, century) is a real date
    years = born["foedselsdato"].dt.year()
    assert years.min() == 1957 and years.max() == 2007  # age 16–66 on 2023-12-31


def test_century_digit_follows_the_cpr_table(register):
    frame = register
    born = cpr_birth_and_gender(frame["cpr"])
    digit = frame["cpr"].str.slice(7, 1).cast(pl.Int32)
    year = born["foedselsdato"].dt.year()
    in_2000s = year >= 2000
    assert digit.filter(in_2000s).is_in([4, 5, 6, 7, 8, 9]).all()
    assert digit.filter(~in_2000s).is_in([0, 1, 2, 3, 4, 9]).all()


def test_gender_follows_the_last_digit_and_women_are_the_majority(register):
    strata = with_strata(register)
    last = strata["cpr"].str.slice(10, 1).cast(pl.Int32)
    assert ((last % 2 == 1) == (strata["koen"] == "mand")).all()
    assert 0.51 < (strata["koen"] == "kvinde").mean() < 0.54


def test_target_groups_ages_and_benefit_dates_are_plausible(register):
    strata = with_strata(register)
    assert strata["alder"].min() == 16 and strata["alder"].max() == 66
    assert 41.7 < strata["alder"].mean() < 42.7  # seed: sample mean age 42,2
    shares = dict(strata["maalgruppe_kl2024"].value_counts(normalize=True).iter_rows())
    assert 0.28 < shares["sygedagpenge"] < 0.31 and shares["jobafklaring"] < 0.07
    under_30_only = strata.filter(pl.col("maalgruppe").is_in(["6.4", "6.5"]))
    assert under_30_only["alder"].max() == 29
    assert strata.filter(pl.col("maalgruppe").is_in(["6.2", "6.3"]))["alder"].min() == 30
    start = register["ydelse_start"].str.to_date()
    assert start.max() <= date(2023, 12, 31)
    ended = register["ydelse_slut"].filter(register["ydelse_slut"] != "").str.to_date()
    assert ended.min() >= date(2023, 10, 1) and ended.max() <= date(2023, 12, 31)
    median_days = (
        strata.with_columns(days=(pl.lit(date(2023, 12, 31)) - start).dt.total_days())
        .group_by("maalgruppe")
        .agg(pl.col("days").median())
    )
    medians = dict(median_days.iter_rows())
    assert medians["6.1"] < 200 < medians["6.3"]  # dagpenge courses are short, aktivitetsparate long


def test_every_eligible_citizen_had_a_qualifying_conversation(register):
    qualifying = r"jobsamtale|opfølgningssamtale|fællessamtale med a-kasse"
    assert register["samtaler"].str.contains(qualifying).all()
    assert register["samtaler"].str.contains("rådighedssamtale").any()


def test_same_seed_gives_the_identical_frame(register):
    assert generate_register(seed=2024).equals(register)


def test_ineligible_rows_each_break_one_documented_rule():
    frame = generate_register(seed=2024, ineligible=8)
    assert frame.height == 198_877 + 8
    tail = frame.tail(8)
    rules = [INELIGIBLE_RULES[i % 4] for i in range(8)]
    assert rules[:4] == ["alder", "samtale", "periode", "maalgruppe"]
    born = cpr_birth_and_gender(tail["cpr"])["foedselsdato"].dt.year()
    for i, rule in enumerate(rules):
        row = tail.row(i, named=True)
        age = 2023 - born[i]
        qualifying = any(t in row["samtaler"] for t in ("jobsamtale", "opfølgningssamtale", "fællessamtale"))
        start = date.fromisoformat(row["ydelse_start"])
        stop = date.fromisoformat(row["ydelse_slut"]) if row["ydelse_slut"] else None
        active = start <= date(2023, 12, 31) and (stop is None or stop >= date(2023, 10, 1))
        known = row["maalgruppe"] in {f"6.{d}" for d in range(1, 10)}
        broken = {
            "alder": not 16 <= age <= 66,
            "samtale": not qualifying,
            "periode": not active,
            "maalgruppe": not known,
        }
        assert [name for name, is_broken in broken.items() if is_broken] == [rule], (i, row)
    assert frame.head(198_877)["cpr"].n_unique() == 198_877 and frame["cpr"].n_unique() == frame.height


def test_simulated_reach_uses_the_one_phone_rule() -> None:
    """A number the SMS client refuses (12345678: a 1 is no subscriber number's first digit) gives no SMS
    channel in the simulation either; +45 and spaces are how people write numbers."""
    import polars as pl

    from borgerblik.synth.outcomes import reach

    frame = pl.DataFrame(
        {
            "digital_post_fritaget": ["nej", "nej", "nej", "ja"],
            "telefon": ["12345678", "+45 22 33 44 55", None, "22334455"],
            "email": ["", "", "", ""],
        }
    )
    expected = ["kun_digital_post", "digital_post_og_sms", "kun_digital_post", "kun_sms"]
    assert reach(frame).to_list() == expected
