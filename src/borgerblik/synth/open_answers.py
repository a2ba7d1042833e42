"""Open answers in Danish, drawn from the themes the KL 2024 seed reports.

Satisfied citizens (4–5 on the overall question) explain with the seed's five positive themes and
suggest small adjustments; less satisfied ones with its four negative themes and its four calls for
change. A few answers name a caseworker, give a phone number or a CPR-like number, as real answers
do, so redaction can be tested; the CPR-like numbers are substitute numbers (day + 60), never a
real person's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from borgerblik.synth.names import FIRST_NAMES_MEN, FIRST_NAMES_WOMEN, MOBILE_SERIES


@dataclass(frozen=True)
class Theme:
    code: str
    label: str
    sentences: tuple[str, ...]


WHY_SATISFIED: tuple[Theme, ...] = (
    Theme(
        "positive_samtaler",
        "Positive samtaler med sagsbehandler",
        (
            "Min sagsbehandler har lyttet til mig og taget min situation alvorligt.",
            "Jeg har haft en rigtig god sagsbehandler, som har støttet mig hele vejen.",
            "Samtalerne har været gode, og jeg er blevet mødt med forståelse.",
        ),
    ),
    Theme(
        "klar_kommunikation",
        "God og klar kommunikation",
        (
            "Der er god og klar kommunikation, så jeg ved hvad der forventes af mig.",
            "Jeg har fået klar besked om regler og krav, og det har gjort forløbet trygt.",
            "Informationen har været tydelig, og jeg har altid vidst hvad næste skridt var.",
        ),
    ),
    Theme(
        "hoert_forstaaet",
        "Føler sig hørt og forstået",
        (
            "Jeg føler mig hørt og anerkendt, og der bliver fulgt op på min sag.",
            "Jeg er blevet mødt med respekt og empati i hele forløbet.",
            "De har inddraget mig i planen og lyttet til mine ønsker.",
        ),
    ),
    Theme(
        "hurtige_processer",
        "Hurtige og effektive processer",
        (
            "Hurtig og effektiv behandling, som førte til et job.",
            "Det gik stærkt, og jeg kom hurtigt videre.",
            "Sagsbehandlingen har været effektiv uden unødig ventetid.",
        ),
    ),
    Theme(
        "tilbud",
        "Tilbud og aktiviteter",
        (
            "Kurset jeg fik tilbudt gav mig redskaber og motivation til at søge job.",
            "Praktikken gennem jobcentret førte til et fast job.",
            "Tilbuddet om jobsøgningskursus har hjulpet mig tættere på arbejdsmarkedet.",
        ),
    ),
)
WHY_LESS_SATISFIED: tuple[Theme, ...] = (
    Theme(
        "manglende_imoedekommenhed",
        "Manglende imødekommenhed",
        (
            "Jeg føler mig nedgjort og bliver talt ned til til møderne.",
            "Der er ingen respekt for den enkelte, og de lover ting der aldrig sker.",
            "Jeg følte mig ikke velkommen, og der var ikke tid til mig.",
        ),
    ),
    Theme(
        "overset",
        "Føler sig overset og ikke forstået",
        (
            "Der bliver ikke lyttet til mig, og jeg bliver behandlet rutinemæssigt.",
            "Ingen forstår min situation, det er som at tale til en væg.",
            "Jeg føler mig overset og ikke mødt med forståelse.",
        ),
    ),
    Theme(
        "helbred",
        "Manglende hensyntagen til helbred",
        (
            "Der tages ikke hensyn til mit helbred, selvom jeg er sygemeldt med stress.",
            "Jobcentret lytter ikke til min læge og presser mig i aktivitet.",
            "Min psykiske situation bliver ikke taget alvorligt.",
        ),
    ),
    Theme(
        "sag_ikke_menneske",
        "Behandlet som en sag, ikke et menneske",
        (
            "Jeg bliver mødt som et sagsnummer og ikke som et menneske.",
            "Det handler kun om proceskrav og ikke om at hjælpe mig videre.",
            "Det var en sludder for en sludder til hvert møde, intet konstruktivt.",
        ),
    ),
)
IMPROVE_SATISFIED: tuple[Theme, ...] = (
    Theme(
        "smaa_justeringer",
        "Små justeringer",
        (
            "Mere fleksible mødetider ville gøre det lettere.",
            "Brevene fra jobcentret kunne være mindre formelle og kolde.",
            "Det ville være godt med kurser i digitale færdigheder.",
        ),
    ),
    Theme(
        "individuel_tilpasning",
        "Individuel tilpasning",
        (
            "Forløbet kunne tilpasses mere til den enkelte og mindre til proceskrav.",
            "Aktiviteterne burde passe bedre til min uddannelse og livssituation.",
        ),
    ),
    Theme(
        "flere_ressourcer",
        "Flere ressourcer",
        (
            "Der er lang ventetid, fordi der mangler sagsbehandlere.",
            "Der var gode tilbud, men ventetiden var for lang.",
        ),
    ),
    Theme(
        "bedre_formidling",
        "Bedre formidling af information",
        (
            "En hjemmeside hvor man let kan finde information og booke møder.",
            "Informationsmøder om nye tilbud og regler ville hjælpe.",
        ),
    ),
)
IMPROVE_LESS_SATISFIED: tuple[Theme, ...] = (
    Theme(
        "hurtigere_sagsbehandling",
        "Hurtigere sagsbehandling",
        (
            "Hurtigere sagsbehandling og kortere ventetid.",
            "Det tager alt for lang tid at få svar på noget som helst.",
        ),
    ),
    Theme(
        "medmenneskelighed",
        "Mere medmenneskelighed fra sagsbehandler",
        (
            "Mere empati og medmenneskelighed fra sagsbehandleren.",
            "At blive mødt som det menneske jeg er, med forståelse.",
        ),
    ),
    Theme(
        "faerre_skift",
        "Færre sagsbehandlerskift",
        (
            "Samme sagsbehandler hele vejen igennem, jeg starter forfra hver gang.",
            "Færre skift af sagsbehandler, det giver uro at fortælle sin sag igen og igen.",
        ),
    ),
    Theme(
        "klarere_kommunikation",
        "Bedre og klarere kommunikation",
        (
            "Bedre kommunikation og påmindelse om samtaler.",
            "Klarere besked om procedurer og krav, og en sagsbehandler man kan få fat i.",
        ),
    ),
)

#: Shares of written answers that carry an identifier to redact.
SHARE_WITH_NAME = 0.06
SHARE_WITH_PHONE = 0.02
SHARE_WITH_CPR = 0.01


@dataclass(frozen=True)
class OpenAnswers:
    text: list[str]
    theme: list[str]
    has_name: np.ndarray
    has_phone: np.ndarray
    has_cpr: np.ndarray


def write_answers(satisfied: np.ndarray, improvement: bool, rng: np.random.Generator) -> OpenAnswers:
    """One answer per citizen: a theme sentence by satisfaction, sometimes with an identifier added."""
    size = satisfied.size
    happy, unhappy = (
        (IMPROVE_SATISFIED, IMPROVE_LESS_SATISFIED) if improvement else (WHY_SATISFIED, WHY_LESS_SATISFIED)
    )
    has_name = rng.random(size) < SHARE_WITH_NAME
    has_phone = rng.random(size) < SHARE_WITH_PHONE
    has_cpr = rng.random(size) < SHARE_WITH_CPR
    names = np.array(FIRST_NAMES_WOMEN + FIRST_NAMES_MEN)
    texts, themes = [], []
    picks = rng.random((size, 2))
    name_pick = rng.integers(0, names.size, size)
    phones = MOBILE_SERIES[rng.integers(0, MOBILE_SERIES.size, size)] * 1_000_000 + rng.integers(
        0, 1_000_000, size
    )
    cprs = _cpr_like(size, rng)
    for i in range(size):
        pool = happy if satisfied[i] else unhappy
        theme = pool[int(picks[i, 0] * len(pool))]
        sentence = theme.sentences[int(picks[i, 1] * len(theme.sentences))]
        parts = [sentence]
        if has_name[i]:
            name = names[name_pick[i]]
            parts.append(
                f"Tak til {name} for hjælpen." if satisfied[i] else f"Min sagsbehandler {name} svarer aldrig."
            )
        if has_phone[i]:
            number = str(phones[i])
            parts.append(f"Ring gerne til mig på {number[:2]} {number[2:4]} {number[4:6]} {number[6:]}.")
        if has_cpr[i]:
            parts.append(f"Mit cpr-nummer er {cprs[i]}, hvis I vil finde min sag.")
        texts.append(" ".join(parts))
        themes.append(theme.code)
    return OpenAnswers(texts, themes, has_name, has_phone, has_cpr)


def _cpr_like(size: int, rng: np.random.Generator) -> list[str]:
    day = rng.integers(61, 89, size)
    month = rng.integers(1, 13, size)
    year = rng.integers(60, 100, size)
    serial = rng.integers(0, 4000, size)
    return [f"{d:02d}{m:02d}{y:02d}-{s:04d}" for d, m, y, s in zip(day, month, year, serial, strict=True)]
