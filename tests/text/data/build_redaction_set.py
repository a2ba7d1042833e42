"""Builds redaction_set.jsonl, the labelled sentences the redactor is measured on (run once; the file is
committed, so the measurement never changes under a test). ``python tests/text/data/build_redaction_set.py``

Each line: ``text``, ``identifiers`` ([kind, exact substring] — what must disappear) and ``protected``
(substrings that must survive: places, job centres, amounts, weeks, times, ordinary words that are names).
The sentences are written the ways citizens write: lower case, no full stop, numbers in several forms.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

FIRST = [
    "Mette",
    "Hanne",
    "Lone",
    "Birgitte",
    "Susanne",
    "Camilla",
    "Pia",
    "Karina",
    "Malene",
    "Dorthe",
    "Gitte",
    "Heidi",
    "Charlotte",
    "Rikke",
    "Tina",
    "Bente",
    "Ahmad",
    "Fatima",
    "Mohammad",
    "Ayse",
    "Mehmet",
    "Peter",
    "Jens",
    "Lars",
    "Søren",
    "Henrik",
    "Thomas",
    "Jesper",
    "Rasmus",
    "Anders",
    "Niels",
    "Ole",
    "Bjarne",
    "Kasper",
    "Frederik",
    "Morten",
    "Brian",
    "Jørgen",
    "Carsten",
    "Flemming",
    "Torben",
    "Louise",
    "Sanne",
    "Trine",
    "Kirsten",
    "Annette",
    "Jeanette",
]
AMBIGUOUS_FIRST = ["Per", "Line", "Kim", "Bo", "Hans", "Vibe", "Stig", "Mark", "Karl"]
SURNAMES = [
    "Hansen",
    "Nielsen",
    "Jensen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Poulsen",
    "Johansen",
    "Mortensen",
    "Møller",
    "Lund",
    "Holm",
    "Østergaard",
    "Kjær",
    "Jakobsen",
    "Lauridsen",
    "Frederiksen",
    "Mikkelsen",
    "Henriksen",
    "Bach",
    "Dahl",
    "Vestergaard",
    "Nørgaard",
    "Yilmaz",
    "Hussein",
    "Ali",
    "Khan",
]
STREETS = [
    "Vestergade",
    "Søndergade",
    "Nørregade",
    "Østergade",
    "Algade",
    "Skolevej",
    "Kirkevej",
    "Møllevej",
    "Bakkevej",
    "Lindevej",
    "Engvej",
    "Birkevej",
    "Ahornvej",
    "Toftevej",
    "Ringvejen",
    "Stationsvej",
    "Strandvejen",
    "Frederiksborgvej",
    "Jernbanegade",
    "Skovvej",
    "Havnegade",
    "Rosenvænget",
    "Kastanie Allé",
    "Bredgade",
    "Parkvej",
    "Egeparken",
    "Vibevej",
    "Solbakken",
    "Tværgade",
    "H.C. Ørsteds Vej",
]
PLACES = [
    "Jobcenter Aarhus",
    "Jobcenter Holstebro",
    "Jobcenter København",
    "Jobcenter Lolland",
    "Jobcenter Esbjerg",
    "Odense Kommune",
    "Vejle Kommune",
    "Herning",
    "Viborg",
    "Silkeborg",
    "Aalborg",
    "Køge",
    "Randers",
    "Nyborg",
    "Tønder",
    "Greve",
    "Svendborg",
    "Roskilde",
    "Frederiksberg",
    "Nørrebro",
    "Fyn",
    "Bornholm",
]
ROLES = ["sagsbehandler", "rådgiver", "jobkonsulent", "mentor", "kontaktperson", "socialrådgiver"]
DOMAINS = ["gmail.com", "hotmail.com", "live.dk", "outlook.dk", "mail.dk", "yahoo.dk", "jubii.dk"]
MOBILES = [
    "20",
    "21",
    "22",
    "23",
    "24",
    "25",
    "26",
    "27",
    "28",
    "29",
    "30",
    "31",
    "40",
    "41",
    "42",
    "50",
    "51",
    "52",
    "53",
    "60",
    "61",
    "71",
    "81",
    "91",
    "93",
]


def phone(rng: random.Random) -> str:
    digits = rng.choice(MOBILES) + "".join(rng.choice("0123456789") for _ in range(6))
    style = rng.randrange(7)
    if style == 0:
        return digits
    if style == 1:
        return " ".join(digits[i : i + 2] for i in range(0, 8, 2))
    if style == 2:
        return f"{digits[:4]} {digits[4:]}"
    if style == 3:
        return "+45 " + " ".join(digits[i : i + 2] for i in range(0, 8, 2))
    if style == 4:
        return "0045" + digits
    if style == 5:
        return "-".join(digits[i : i + 2] for i in range(0, 8, 2))
    return "+45" + digits


def cpr(rng: random.Random) -> str:
    day = rng.randint(1, 28) + (60 if rng.random() < 0.2 else 0)
    month = rng.randint(1, 12)
    year = rng.randint(0, 99)
    serial = rng.randint(0, 9999)
    sep = rng.choice(["-", "-", "", " "])
    return f"{day:02d}{month:02d}{year:02d}{sep}{serial:04d}"


def email(rng: random.Random, first: str, last: str) -> str:
    local = rng.choice(
        [f"{first}.{last}", f"{first}{rng.randint(1, 99)}", f"{first[0]}{last}", f"{first}_{last}"]
    )
    return f"{local.lower()}@{rng.choice(DOMAINS)}"


def address(rng: random.Random) -> str:
    number = f"{rng.randint(1, 140)}{rng.choice(['', '', '', 'B', 'A'])}"
    floor = rng.choice(["", "", f", {rng.randint(1, 4)}. th", f" {rng.randint(1, 4)}. tv", ", st."])
    return f"{rng.choice(STREETS)} {number}{floor}"


def sentences(rng: random.Random) -> list[dict]:
    rows: list[dict] = []

    def add(text: str, identifiers: list[tuple[str, str]], protected: list[str]) -> None:
        for _, value in identifiers:
            assert value in text, (value, text)
        for value in protected:
            assert value in text, (value, text)
        rows.append({"text": text, "identifiers": identifiers, "protected": protected})

    for _ in range(70):
        f, s, role, place = rng.choice(FIRST), rng.choice(SURNAMES), rng.choice(ROLES), rng.choice(PLACES)
        case = rng.randrange(10)
        if case == 0:
            add(f"Min {role} {f} har været rigtig god til at lytte.", [("name", f)], [role])
        elif case == 1:
            add(f"Tak til {f} {s} fra {place} for hjælpen", [("name", f"{f} {s}")], [place])
        elif case == 2:
            low = f.lower()
            add(f"min {role} {low} svarer aldrig når jeg ringer", [("name", low)], ["ringer"])
        elif case == 3:
            add(f"{f} på {place} har hjulpet mig med at finde praktik.", [("name", f)], [place, "praktik"])
        elif case == 4:
            add(
                f"Jeg har haft tre forskellige sagsbehandlere, senest {f} {s}, og det giver uro.",
                [("name", f"{f} {s}")],
                ["tre"],
            )
        elif case == 5:
            add(f"hos {place} mødte jeg {f} som forstod min situation", [("name", f)], [place])
        elif case == 6:
            add(
                f"Min mand {f} har måttet tage fri for at komme med til møderne i uge {rng.randint(1, 52)}.",
                [("name", f)],
                ["uge"],
            )
        elif case == 7:
            other = rng.choice(FIRST)
            add(f"Jeg vil gerne rose {f} og {other} i {place}.", [("name", f), ("name", other)], [place])
        elif case == 8:
            add(
                f"{role.capitalize()}en, {f} {s}, lovede at ringe tilbage men gjorde det aldrig",
                [("name", f"{f} {s}")],
                ["ringe"],
            )
        else:
            add(
                f"Fru {s} var meget venlig og gav mig god vejledning om dagpenge.",
                [("name", s)],
                ["dagpenge"],
            )
    for _ in range(25):
        f, role = rng.choice(AMBIGUOUS_FIRST), rng.choice(ROLES)
        case = rng.randrange(3)
        if case == 0:
            add(
                f"Jeg havde samtaler med {f} hver anden uge, og det hjalp.", [("name", f)], ["hver anden uge"]
            )
        elif case == 1:
            add(f"Min {role} {f} var god, men der var 2 samtaler per måned.", [("name", f)], ["per måned"])
        else:
            s = rng.choice(SURNAMES)
            add(f"Tak til {f} {s}.", [("name", f"{f} {s}")], [])
    for _ in range(55):
        number = phone(rng)
        case = rng.randrange(5)
        if case == 0:
            add(f"Ring gerne til mig på {number}.", [("phone", number)], ["Ring"])
        elif case == 1:
            add(f"i kan fange mig på {number} efter kl. 15", [("phone", number)], ["kl. 15"])
        elif case == 2:
            add(f"Mit nummer er {number}, skriv en sms hvis jeg ikke tager den", [("phone", number)], ["sms"])
        elif case == 3:
            place = rng.choice(PLACES)
            add(f"Jeg ringede til {place} på {number} tre gange uden svar", [("phone", number)], [place])
        else:
            add(f"tlf {number} - jeg har ventet 6 uger på svar", [("phone", number)], ["6 uger"])
    for _ in range(50):
        number = cpr(rng)
        case = rng.randrange(4)
        if case == 0:
            add(f"Mit cpr-nummer er {number}, hvis I vil finde min sag.", [("cpr", number)], ["min sag"])
        elif case == 1:
            add(f"cpr {number} - se min sag", [("cpr", number)], [])
        elif case == 2:
            add(
                f"Jeg fik 12.450 kr. for lidt udbetalt, mit personnummer er {number}",
                [("cpr", number)],
                ["12.450 kr."],
            )
        else:
            add(f"Min søn (cpr {number}) har også været ledig i 26 uger.", [("cpr", number)], ["26 uger"])
    for _ in range(40):
        f, s = rng.choice(FIRST), rng.choice(SURNAMES)
        mail = email(rng, f, s)
        case = rng.randrange(3)
        if case == 0:
            add(f"Skriv til mig på {mail} i stedet for e-Boks.", [("email", mail)], ["e-Boks"])
        elif case == 1:
            add(f"min mail er {mail} og jeg tjekker den hver dag", [("email", mail)], ["hver dag"])
        else:
            add(f"Kontakt mig gerne: {mail}", [("email", mail)], ["Kontakt"])
    for _ in range(45):
        where = address(rng)
        case = rng.randrange(4)
        if case == 0:
            add(f"Jeg bor på {where}, og der er langt til jobcentret.", [("address", where)], ["jobcentret"])
        elif case == 1:
            city = rng.choice(["8000 Aarhus C", "7500 Holstebro", "5000 Odense C", "2200 København N"])
            add(f"Send brevet til {where}, {city}", [("address", where)], [city])
        elif case == 2:
            add(
                f"kurset foregik på {where} hver tirsdag kl. 9.00",
                [("address", where)],
                ["kl. 9.00", "tirsdag"],
            )
        else:
            add(f"Min adresse er {where} og ikke den gamle", [("address", where)], ["gamle"])
    protected_only = [
        ("Per uge skal jeg søge 5 job, og det er for mange.", ["Per uge", "5 job"]),
        ("Ring til mig hvis der er noget.", ["Ring til mig"]),
        ("Min sagsbehandler har lyttet til mig og taget min situation alvorligt.", ["Min sagsbehandler"]),
        ("Have det godt igen er det vigtigste for mig.", ["Have det godt"]),
        ("Hans sag blev lukket uden at nogen sagde det til ham.", ["Hans sag"]),
        (
            "Jeg har været til 12 samtaler på 26 uger i Jobcenter Aarhus.",
            ["12 samtaler", "26 uger", "Jobcenter Aarhus"],
        ),
        ("Det koster 1.250 kr. i transport om måneden at komme til Herning.", ["1.250 kr.", "Herning"]),
        ("Mødet var kl. 10.30-11.15 i uge 42, og jeg ventede en time.", ["kl. 10.30-11.15", "uge 42"]),
        ("Sommer og vinter er det samme: ingen hjælp.", ["Sommer og vinter"]),
        ("Jeg har fået 14.832,50 kr. i kontanthjælp pr. måned siden 2021.", ["14.832,50 kr.", "2021"]),
        ("Lang ventetid, over 3 måneder før første samtale.", ["Lang ventetid", "3 måneder"]),
        (
            "Jobcenter Viborg og Silkeborg Kommune samarbejder dårligt.",
            ["Jobcenter Viborg", "Silkeborg Kommune"],
        ),
        ("Jeg bor i Nyborg og skal til Odense hver uge.", ["Nyborg", "Odense"]),
        ("Vi fik brev via Digital Post den 3. marts.", ["Digital Post", "3. marts"]),
        ("Mit mål er et fast job på 37 timer om ugen.", ["37 timer"]),
        ("Frisk luft og praktik i Tønder hjalp mig.", ["Frisk luft", "Tønder"]),
        ("Grøn omstilling var emnet på kurset i Greve.", ["Grøn omstilling", "Greve"]),
        ("Strand og skov i Svendborg, men ingen job.", ["Svendborg"]),
        ("Jeg fik 4 ud af 5 i karakter til mødet.", ["4 ud af 5"]),
        ("mødet blev flyttet til kl 14 på torsdag", ["kl 14", "torsdag"]),
    ]
    words = [
        ("Jeg har været ledig i {n} uger og søgt {m} job.", ["{n} uger", "{m} job"]),
        ("Jeg har deltaget i {m} møder på jobcentret i {p}.", ["{p}", "{m} møder"]),
        ("Ydelsen på {a} kr. rækker ikke til husleje i {p}.", ["{a} kr.", "{p}"]),
        ("Fra uge {w} til uge {w2} var jeg i praktik i {p}.", ["uge {w}", "uge {w2}", "{p}"]),
        ("Mødet kl. {t} blev aflyst med kort varsel.", ["kl. {t}"]),
        ("Ring til jobcentret i {p} mellem kl. 9 og 12, sagde de.", ["{p}", "kl. 9 og 12"]),
        ("Per måned får jeg {a} kr., og ventetiden var {n} uger.", ["Per måned", "{a} kr.", "{n} uger"]),
        ("Jeg har 2 børn og bor {n} km fra {p}.", ["{n} km", "{p}"]),
    ]
    for text, protected in protected_only:
        add(text, [], protected)
    for _ in range(60):
        template, protected = rng.choice(words)
        values = {
            "n": rng.randint(2, 60),
            "m": rng.randint(2, 40),
            "w": rng.randint(1, 26),
            "w2": rng.randint(27, 52),
            "p": rng.choice(PLACES),
            "a": f"{rng.randint(1, 19)}.{rng.randint(0, 999):03d}",
            "t": f"{rng.randint(8, 15)}.{rng.choice(['00', '15', '30', '45'])}",
        }
        add(template.format(**values), [], [p.format(**values) for p in protected])
    return rows


def main() -> None:
    rows = sentences(random.Random(20241201))
    target = Path(__file__).with_name("redaction_set.jsonl")
    with target.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} sentences → {target}")


if __name__ == "__main__":
    main()
