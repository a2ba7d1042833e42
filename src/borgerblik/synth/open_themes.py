"""What citizens write about each theme the KL 2024 seed reports, as clause templates the generator composes.

Real answers on one theme do not repeat one sentence: they come back to the same few topic words in many
phrasings ("gode samtaler", "min sagsbehandler lytter", "hun har lyttet til mig hele vejen"), and one
citizen's answer mixes a short phrase with a full clause. Each theme is therefore a handful of clauses, each
with alternatives in brackets (``[a|b|c]``, one chosen; an empty alternative drops the part), written the way
VIVE's and KL's quoted answers are: spoken, first person, the caseworker as "min sagsbehandler" or "hun".
Themes overlap where real ones do (caseworkers, listening and waiting appear on both sides), so no single
word marks a theme. Satisfied citizens explain with the seed's five positive themes and suggest small
adjustments; less satisfied ones with its four negative themes and its four calls for change.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Theme:
    code: str
    label: str
    clauses: tuple[str, ...]
    """Clause templates: ``[a|b]`` is one of the alternatives, ``[a|]`` the part or nothing."""


WHY_SATISFIED: tuple[Theme, ...] = (
    Theme(
        "positive_samtaler",
        "Positive samtaler med sagsbehandler",
        (
            "[min sagsbehandler|sagsbehandleren|min rådgiver|min kontaktperson] har [lyttet til "
            "mig|været god "
            "til at lytte|altid haft tid til en snak|støttet mig hele vejen|været sød og hjælpsom]",
            "[gode|rigtig gode|fine|rare] samtaler med [min sagsbehandler|sagsbehandleren|min rådgiver]",
            "samtalerne har været [gode|rigtig gode|en stor hjælp|rare][ hver gang|]",
            "jeg har haft en [rigtig god|super god|dejlig|sød] sagsbehandler",
            "[hun|han] har [lyttet|støttet mig|været god til at lytte][ hele vejen| fra starten| hver gang]",
            "jeg går fra samtalerne med [en god fornemmelse|mere mod på det|ny energi]",
            "min sagsbehandler [forstår|kender] min situation og [støtter|hjælper] mig",
            "det har været rart at [snakke|tale] med [hende|ham|min sagsbehandler]",
            "[god|fin|ærlig] dialog med [sagsbehandleren|min sagsbehandler]",
            "gode samtaler",
        ),
    ),
    Theme(
        "klar_kommunikation",
        "God og klar kommunikation",
        (
            "[god|klar|tydelig] [kommunikation|information|besked][ hele vejen| fra starten| om hvad "
            "der skal ske|]",
            "jeg ved [hvad der forventes af mig|hvad der skal ske|hvad næste skridt er]",
            "de har forklaret [reglerne|kravene|mine rettigheder og pligter] [tydeligt|klart|så jeg "
            "forstod det]",
            "jeg har fået [klar|tydelig|god] besked [om regler og krav|om hvad jeg skal|i god tid]",
            "[brevene|beskederne på min side|deres mails] har været [til at forstå|tydelige|klare]",
            "jeg har altid vidst hvad [næste skridt var|jeg skulle|der skulle ske]",
            "[informationen|kommunikationen] har været [god|tydelig|klar og forståelig]",
            "de svarer [klart|tydeligt|ordentligt] på mine spørgsmål",
            "klar besked",
        ),
    ),
    Theme(
        "hoert_forstaaet",
        "Føler sig hørt og forstået",
        (
            "jeg føler mig [hørt|hørt og forstået|set og hørt|forstået]",
            "jeg er blevet [mødt med respekt|taget alvorligt|mødt med forståelse|behandlet ordentligt]",
            "de har [inddraget mig i planen|lyttet til mine ønsker|spurgt hvad jeg selv ville]",
            "mine ønsker er blevet [hørt|taget med|respekteret]",
            "de [forstår|forstod] min situation",
            "jeg har selv været med til at [bestemme|lægge planen|vælge]",
            "der bliver fulgt op på [min sag|det vi aftaler|mine ønsker]",
            "[respekt|empati|forståelse] for min situation",
            "følte mig [hørt|forstået|taget alvorligt]",
        ),
    ),
    Theme(
        "hurtige_processer",
        "Hurtige og effektive processer",
        (
            "det gik [hurtigt|stærkt|rigtig hurtigt|hurtigere end jeg troede]",
            "[hurtig|effektiv|hurtig og effektiv] [behandling|sagsbehandling|hjælp]",
            "jeg kom hurtigt [videre|i job|i gang]",
            "[ingen|ikke nogen|næsten ingen] ventetid",
            "jeg fik [svar|en tid|hjælp] [hurtigt|med det samme|inden for få dage]",
            "[tingene|det hele|sagen] blev [ordnet|klaret] hurtigt",
            "det var [effektivt|hurtigt overstået|et kort forløb]",
            "fik job [efter kort tid|efter få uger|hurtigt]",
            "hurtigt og effektivt",
        ),
    ),
    Theme(
        "tilbud",
        "Tilbud og aktiviteter",
        (
            "[kurset|forløbet|jobsøgningskurset|praktikken] [gav mig|har givet mig] "
            "[redskaber|motivation|mod "
            "på at søge job|nye kompetencer]",
            "praktikken [førte til et job|blev til et fast job|gav mig erfaring]",
            "jeg fik [et kursus|en praktik|et godt tilbud|et løntilskudsjob] [der passede til "
            "mig|som har hjulpet "
            "mig|jeg selv havde ønsket]",
            "[gode|relevante|fine] [kurser|tilbud|aktiviteter]",
            "[jobsøgningskurset|cv-kurset] har hjulpet mig [tættere på arbejdsmarkedet|med at skrive "
            "ansøgninger]",
            "jeg har lært [meget|noget nyt] [på kurset|på holdet|i praktikken]",
            "min mentor har været en stor [hjælp|støtte]",
            "godt kursus",
        ),
    ),
)
WHY_LESS_SATISFIED: tuple[Theme, ...] = (
    Theme(
        "manglende_imoedekommenhed",
        "Manglende imødekommenhed",
        (
            "jeg bliver talt ned til [til møderne|hver gang|af sagsbehandleren]",
            "jeg føler mig [nedgjort|ydmyget|mistænkeliggjort|som en der snyder]",
            "[ingen|ikke nogen] respekt for [den enkelte|mig|folk]",
            "de [lover ting der aldrig sker|siger en ting og gør noget andet]",
            "jeg følte mig [ikke velkommen|uvelkommen|til besvær]",
            "[sur|uvenlig|arrogant|nedladende] [sagsbehandler|tone|modtagelse]",
            "der var ikke tid til mig",
            "[tonen|måden de taler på] er [nedladende|kold|uvenlig]",
            "de er [uvenlige|sure|nedladende]",
        ),
    ),
    Theme(
        "overset",
        "Føler sig overset og ikke forstået",
        (
            "der bliver ikke lyttet til mig",
            "jeg føler mig [overset|glemt|ikke forstået|usynlig]",
            "ingen forstår min situation",
            "de forstår ikke [min situation|hvad jeg siger|hvordan jeg har det]",
            "det er som at tale til en væg",
            "jeg bliver [behandlet rutinemæssigt|ikke hørt|overhørt]",
            "de lytter ikke [til hvad jeg siger|til mine ønsker|overhovedet]",
            "mine ønsker bliver ikke hørt",
            "ingen lytter",
        ),
    ),
    Theme(
        "helbred",
        "Manglende hensyntagen til helbred",
        (
            "der tages ikke hensyn til mit helbred",
            "jeg er sygemeldt med [stress|depression|angst|rygsmerter] og [bliver presset|skal "
            "stadig møde op|skal "
            "stadig i aktivitet]",
            "[jobcentret|de|sagsbehandleren] lytter ikke til [min læge|lægen|min psykiater]",
            "[de|jobcentret] presser mig i aktivitet [selvom jeg er syg|selvom lægen siger nej]",
            "min [psykiske|fysiske] situation bliver ikke taget alvorligt",
            "de [ignorerer|ser bort fra] [lægeerklæringen|min lægeerklæring|mine diagnoser]",
            "[det|forløbet] har gjort mig [mere syg|endnu mere syg|dårligere]",
            "mine [smerter|sygdom] bliver ikke taget alvorligt",
            "ingen hensyn til mit helbred",
        ),
    ),
    Theme(
        "sag_ikke_menneske",
        "Behandlet som en sag, ikke et menneske",
        (
            "jeg [bliver mødt|bliver behandlet|føler mig behandlet] som et [sagsnummer|nummer|tal i "
            "systemet][ og "
            "ikke som et menneske|]",
            "det handler kun om [proceskrav|regler|at sætte flueben|papirer]",
            "[meningsløse|spildte|unødvendige] [møder|aktiviteter|kurser][ der ikke fører til noget| "
            "bare for at "
            "opfylde krav|]",
            "en sludder for en sludder til hvert møde",
            "systemet [er ligeglad|tænker kun på regler|kører bare videre]",
            "det er bare [kontrol|kontrol og krav|for at tjekke af]",
            "jeg er bare [et nummer|en sag] for dem",
            "intet konstruktivt",
        ),
    ),
)
IMPROVE_SATISFIED: tuple[Theme, ...] = (
    Theme(
        "smaa_justeringer",
        "Små justeringer",
        (
            "[mere fleksible|flere] mødetider[ ville gøre det lettere|]",
            "[brevene|brevene fra jobcentret] kunne være [mindre formelle|mere venlige|lettere at forstå]",
            "kurser i [digitale færdigheder|it|at bruge computer]",
            "mulighed for [telefonmøder|videomøder|møder online]",
            "[det er fint|alt er fint] som det er, måske [lidt mere fleksibilitet|kortere breve]",
        ),
    ),
    Theme(
        "individuel_tilpasning",
        "Individuel tilpasning",
        (
            "forløbet [kunne|burde] tilpasses [mere til den enkelte|min situation]",
            "aktiviteter der passer [bedre til min uddannelse|til min livssituation|til mig]",
            "[mindre fokus på|færre] proceskrav[ og mere på den enkelte|]",
            "se på [den enkelte|hvad jeg kan]",
            "tilbud der passer til [mine behov|den enkelte]",
        ),
    ),
    Theme(
        "flere_ressourcer",
        "Flere ressourcer",
        (
            "[lang|for lang] ventetid[ fordi der mangler sagsbehandlere| på en samtale| på tilbud]",
            "[flere sagsbehandlere|mere personale|flere ressourcer][ så der er tid til den enkelte|]",
            "sagsbehandlerne har for [mange sager|travlt]",
            "[gode tilbud|tilbuddene var gode] men [ventetiden var for lang|for få pladser]",
        ),
    ),
    Theme(
        "bedre_formidling",
        "Bedre formidling af information",
        (
            "[en hjemmeside|en app] hvor man [let|nemt] kan finde [information|sine møder][ og booke møder|]",
            "[informationsmøder|mere information] om [nye tilbud|regler|mine muligheder]",
            "[bedre|tydeligere] information om [tilbud|hvilke tilbud der findes|rettigheder]",
            "[jeg vidste ikke|man får ikke at vide] hvilke tilbud der [findes|er]",
        ),
    ),
)
IMPROVE_LESS_SATISFIED: tuple[Theme, ...] = (
    Theme(
        "hurtigere_sagsbehandling",
        "Hurtigere sagsbehandling",
        (
            "hurtigere [sagsbehandling|svar|behandling]",
            "kortere ventetid[ på svar| på afgørelser|]",
            "det tager [alt for lang tid|evigheder] at få svar[ på noget som helst| på mine mails|]",
            "[svar|afgørelser] inden for [rimelig tid|få dage]",
        ),
    ),
    Theme(
        "medmenneskelighed",
        "Mere medmenneskelighed fra sagsbehandler",
        (
            "mere [empati|medmenneskelighed|forståelse] fra [sagsbehandleren|sagsbehandlerne|jobcentret]",
            "at blive mødt som [det menneske jeg er|et menneske]",
            "[se|behandle] borgerne som mennesker[ og ikke som sager|]",
            "lidt mere [venlighed|menneskelighed]",
        ),
    ),
    Theme(
        "faerre_skift",
        "Færre sagsbehandlerskift",
        (
            "samme sagsbehandler [hele vejen igennem|hele tiden|fra start til slut]",
            "[færre|ikke så mange] skift af sagsbehandler",
            "jeg [starter forfra|skal forklare det hele igen] hver gang[ jeg får en ny|]",
            "[tre|fire|fem] sagsbehandlere på [et år|et halvt år]",
            "det giver uro at fortælle sin sag igen og igen",
        ),
    ),
    Theme(
        "klarere_kommunikation",
        "Bedre og klarere kommunikation",
        (
            "[bedre|klarere] kommunikation[ og påmindelse om samtaler|]",
            "[klarere|tydeligere] besked om [procedurer og krav|hvad jeg skal]",
            "en sagsbehandler man kan [få fat i|ringe til]",
            "[svar på|at de svarer på] mails og opkald",
            "påmindelse om [møder|samtaler] [på sms|i god tid]",
        ),
    ),
)

#: What citizens add that belongs to no theme: a verdict before or after the reasons.
ASIDES_SATISFIED = ("alt i alt godt", "tak for hjælpen", "super tilfreds", "kan ikke klage", "meget tilfreds")
ASIDES_LESS_SATISFIED = ("meget utilfreds", "det er ikke i orden", "dårlig oplevelse", "spild af tid", "øv")
