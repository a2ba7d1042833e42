"""The words the redactor judges by: the vendored name list, the Danish words that are also names, the places
and service names that must survive, and the role nouns after which a word is a person's name.

The name list is DaCy's (see ``data/NOTICE.md``). Danish does not capitalise nouns, so a capitalised word in
the middle of a sentence that the list knows is a name; at the start of a sentence, or written in lower case,
the words below that are also ordinary Danish ("Per uge", "ring til mig", "hans sag", "sommer") need context.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib.resources import files

from borgerblik.registers.municipalities import DANISH_MUNICIPALITIES


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Names that are also ordinary Danish (or English) words: a name only when the context says so.
AMBIGUOUS_NAMES: frozenset[str] = _words(
    """
    ane appel bach back bager bak balle bang bank banke bay ben berg birk bjerg bjerre bo bonde borg bro
    brok brun brink bue busk bæk dam dan de due edel engel fisker fly fog foged folke from frost frisk
    fugl funder gad gade gram green greve grøn hall hammer hans have hede helle hjort holm holme horn
    hvid høj høst just jul kamp kejser klinge klit kok kold kraft krog kure kusk lam lang lange le lee
    lind linde line list liv loft lund lykke lyng maj mark mine mose mørk munk pind post præst rask ravn
    ring rose sand skov skytte slot smed sommer stage storm strand strøm sund svane tang tom vang vest
    vester vind vinter wind øster per kim find tage stig sten vibe karl jan max rosa gry sejr skjold
    kvist krag kramer jæger vad van li thi bilde fjord mille kit bent will joy mai hall nord syd bager
    kaiser mia sonne toft lau bay ask dyhr eli elo ida vera kaja
    """
) | _words(
    # Listed names found written in lower case, as ordinary words, in the seed reports' Danish prose
    # (VIVE, KL, Rambøll, the Copenhagen memo): "andre" (others), "din" (your), "holdt" (held), …
    "andre din sine stilling otte holdt mønster frede skriver yde"
)
#: Role nouns and verbs after which the next word is a name even in lower case ("min rådgiver per").
ROLE_WORDS: frozenset[str] = _words(
    """
    rådgiver rådgiveren rådgivere sagsbehandler sagsbehandleren sagsbehandlere jobkonsulent
    jobkonsulenten konsulent konsulenten mentor mentoren kontaktperson kontaktpersonen hedder kaldet navn
    navnet chef chefen læge lægen psykolog psykologen coach coachen leder lederen jobformidler
    virksomhedskonsulent virksomhedskonsulenten socialrådgiver socialrådgiveren mand manden kone konen
    kæreste kæresten søn sønnen datter datteren bror broren søster søsteren mor moren far faren veileder
    vejleder vejlederen
    """
)
#: Verbs after which an ambiguous first name at the start of a sentence is the subject ("Kim var min mentor").
FINITE_VERBS: frozenset[str] = _words(
    """
    var er har havde sagde siger ringede ringer hjalp hjælper gav giver lovede lover fik får kunne kan
    skulle skal ville vil blev bliver gjorde gør tog tager kom kommer skrev skriver mente mener syntes synes
    forstod forstår lyttede lytter spurgte spørger fortalte fortæller svarede svarer
    """
)
#: Words after which a capitalised word is a name even at the start of a sentence ("Tak til Per").
NAME_PREPOSITIONS: frozenset[str] = _words("til fra hos med og ved v. af for om")
#: Places, services and organisations citizens mention, beside the 98 municipalities.
PLACES: frozenset[str] = (
    _words(
        """
    Danmark Jylland Fyn Sjælland Lolland Falster Bornholm Amager Nørrebro Vesterbro Østerbro Valby
    Brønshøj Vanløse Hellerup Lyngby Taastrup Ringkøbing Skjern Ikast Brande Grenaa Ebeltoft Hobro
    Nykøbing Rønne Als Gram Ribe Grindsted Kastrup Birkerød Farum Værløse Hundested Frederiksværk Korsør
    Skælskør Stege Nakskov Maribo Sakskøbing Haslev Ringe Bogense Middelfart Skagen Sæby Brønderslev
    Løgstør Aars Nibe Hammel Ry Tarm Ølgod Brørup Rødding Vojens Kolding Haderslev Aabenraa Padborg
    Gråsten Augustenborg Nordborg Aalborg Digital Post Borger.dk borger.dk MitID NemID e-Boks Udbetaling
    STAR KL A-kasse A-kassen FOA HK 3F Krifa Region Midtjylland Nordjylland Syddanmark Hovedstaden
    Sjælland Jobcenter Jobcentret Jobnet Ydelseskontoret Kommune Kommunen Dansk Danske Engelsk Arabisk
    Tyrkisk Ukrainsk Somalisk Januar Februar Marts April Juni Juli August September Oktober November
    December Mandag Tirsdag Onsdag Torsdag Fredag Lørdag Søndag Ankestyrelsen Borgerservice
    Borgerservicecenter Røde Kors Kirkens Korshær Frelsens Hær Skat SKAT Familieretshuset Sprogcenter
    Sprogcentret Ældresagen Politiet Rigshospitalet Psykiatrien Ungdommens Uddannelsesvejledning VUC FGU
    STU AMU UU Folkeuniversitetet Arbejdstilsynet Styrelsen Beskæftigelsesministeriet Sundhedsstyrelsen
    Excel Word Outlook Facebook LinkedIn Jobindex Google Teams Zoom Skype
    """
    )
    | DANISH_MUNICIPALITIES
)
#: Small words that are never part of a street name or a surname ("Jeg bor på Vestergade 4").
FUNCTION_WORDS: frozenset[str] = _words(
    "jeg du han hun vi i de den det der som og men på til fra hos ved min mit mine bor boede adressen er"
    " adresse"
)
#: Words that make the word before or after a place, not a person ("Jobcenter Holm", "Lund Kommune").
PLACE_MARKERS: frozenset[str] = _words(
    "jobcenter jobcentret jobcentre kommune kommunen region regionen sygehus hospital skole universitet"
)


def _folded(words: frozenset[str]) -> frozenset[str]:
    return frozenset(word.casefold() for word in words)


PLACES_FOLDED = _folded(PLACES)


@cache
def name_kinds() -> dict[str, str]:
    """Casefolded name → 'first' or 'last' ('first' where it is both), from the vendored list; single
    letters (DaCy lists initials) and places are left out."""
    kinds: dict[str, str] = {}
    source = files("borgerblik.text").joinpath("data/names.csv")
    with source.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            name = row["name"].strip().casefold()
            if len(name) < 2 or not name.replace("-", "").isalpha() or name in PLACES_FOLDED:
                continue
            if kinds.get(name) != "first":
                kinds[name] = row["kind"]
    return kinds
