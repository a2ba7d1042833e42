"""`borgerblik synth register` and `borgerblik synth fieldwork`: synthetic data calibrated to KL 2024.

Thin over borgerblik.synth. Bad input is one clear message on stderr (file, line, column, expected,
got, hint) and exit code 2, never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import typer

from borgerblik.cli.output import fail, out
from borgerblik.core import load_template
from borgerblik.danish import decimal, integer
from borgerblik.synth import (
    ExtractError,
    generate_register,
    proportional_sample,
    read_extract,
    simulate_fieldwork,
)
from borgerblik.synth.outcomes import INVITATION_DAY

synth_app = typer.Typer(
    help="Syntetiske data kalibreret til KL's tværkommunale borgerundersøgelse 2024.", no_args_is_help=True
)



@synth_app.command("register")
def register_command(
    out_file: Path = typer.Option(..., "--out", help="CSV-fil registerudtrækket skrives til (UTF-8, komma)."),
    seed: int = typer.Option(2024, "--seed", help="Startværdi: samme seed giver samme udtræk."),
    ineligible: int = typer.Option(
        0, "--ineligible", min=0, help="Antal ekstra rækker der hver bryder én populationsregel."
    ),
) -> None:
    """Skriv det syntetiske nationale registerudtræk: 198.877 borgere i de 44 KL-kommuner.

    CPR-numre er erstatningsnumre (dag + 60), så intet rigtigt CPR-nummer dannes.

    Eksempel: borgerblik synth register --out register.csv --seed 2024 --ineligible 100
    """
    frame = generate_register(seed=seed, ineligible=ineligible)
    if out_file.is_dir():
        fail(
            f"--out {out_file}: forventede et filnavn, fik en mappe. Tip: --out {out_file / 'register.csv'}"
        )
    try:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        frame.write_csv(out_file)
    except OSError as exc:
        fail(f"--out {out_file}: kunne ikke skrive filen ({exc.strerror or exc})")
    out.print(f"Skrev {integer(frame.height)} rækker til {out_file}")


@synth_app.command("fieldwork")
def fieldwork_command(
    register_file: Path = typer.Option(..., "--register", help="Registerudtræk (CSV) fra `synth register`."),
    out_dir: Path = typer.Option(..., "--out", help="Mappe til stikprøve, feltarbejde og sandhed pr. bølge."),
    seed: int = typer.Option(2024, "--seed", help="Startværdi: samme seed giver samme feltarbejde."),
    waves: str = typer.Option("2024", "--waves", help="Bølger adskilt af komma, fx 2022,2023,2024."),
    sample_fraction: float | None = typer.Option(
        None, "--sample-fraction", help="Træk denne andel pr. kommune i stedet for KL's størrelsesregel."
    ),
    already_sampled: bool = typer.Option(
        False, "--already-sampled", help="Filen er allerede stikprøven: træk ikke igen."
    ),
    template: str = typer.Option("kl-2024", "--template", help="Spørgeskemaskabelon svarene følger."),
) -> None:
    """Simulér tre ugers feltarbejde: udfald, svardag, svarform, sprog og svar kodet pr. spørgsmål.

    Udtrækket læses og kontrolleres af registertrinnet; en afvist række stopper simuleringen med fil,
    linje og kolonne. Stikprøven trækkes af stikprøvetrinnet efter KL-designet (kl2024).

    Pr. bølge skrives sample-<år>.csv (de udtrukne registerrækker), fieldwork-<år>.csv og .parquet
    (én række pr. udtrukket borger, uden CPR og kontaktdata) og truth-<år>.parquet (latent tilfredshed
    og temaer bag de åbne svar, til test).

    Eksempel: borgerblik synth fieldwork --register register.csv --out feltarbejde --waves 2022,2023,2024
    """
    wave_list = _waves(waves)
    if sample_fraction is not None and not 0 < sample_fraction <= 1:
        fail(f"--sample-fraction: forventede et tal over 0 og højst 1, fik {sample_fraction}")
    if not register_file.is_file():
        fail(
            f"{register_file}: filen findes ikke. "
            f"Tip: lav den med `borgerblik synth register --out {register_file}`"
        )
    if out_dir.exists() and not out_dir.is_dir():
        fail(f"--out {out_dir}: forventede en mappe, fik en fil")
    try:
        register = read_extract(register_file)
    except ExtractError as problem:
        fail(str(problem))
    try:
        instrument = load_template(template)
    except KeyError as exc:
        fail(f"--template: {exc.args[0]}")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"--out {out_dir}: kunne ikke oprette mappen ({exc.strerror or exc})")
    for wave in wave_list:
        frame = (
            register
            if already_sampled
            else proportional_sample(register, seed=seed + wave, fraction=sample_fraction)
        )
        fieldwork = simulate_fieldwork(frame, instrument, seed=seed, wave=wave)
        frame.write_csv(out_dir / f"sample-{wave}.csv")
        fieldwork.persons.write_csv(out_dir / f"fieldwork-{wave}.csv")
        fieldwork.persons.write_parquet(out_dir / f"fieldwork-{wave}.parquet")
        fieldwork.truth.write_parquet(out_dir / f"truth-{wave}.parquet")
        counts = dict(fieldwork.persons["outcome"].value_counts().iter_rows())
        answered = counts.get("complete", 0) + counts.get("partial", 0)
        rate = decimal(answered / max(frame.height, 1) * 100, 1)
        out.print(
            f"{wave}: {integer(frame.height)} udtrukket, {integer(counts.get('complete', 0))} gennemførte, "
            f"{integer(counts.get('partial', 0))} delvise, {integer(counts.get('opted_out', 0))} frameldt "
            f"(svarprocent {rate} %) → {out_dir}"
        )


def _waves(text: str) -> list[int]:
    waves = []
    for part in (p.strip() for p in text.split(",")):
        if not part.isdigit() or int(part) not in INVITATION_DAY:
            fail(
                f"--waves: forventede år blandt {', '.join(map(str, INVITATION_DAY))} "
                f"adskilt af komma, fik '{part}'"
            )
        waves.append(int(part))
    return waves


def register(app: typer.Typer) -> None:
    """Add `synth register` and `synth fieldwork` to the top-level app."""
    app.add_typer(synth_app, name="synth")
