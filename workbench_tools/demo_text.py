"""Swedish text for the demo year's contributions, by area and quality.

Answers are put together from these pieces with a seeded random generator, so the
demo is the same every time and units of different quality read differently.
"""

from __future__ import annotations

import random

# Per area: an opening for every quality level, then sentence pools. "{mg}" is the
# unit's target group, "{vh}" the kind of unit, "{med}" what its staff are called.
OPENINGS = {
    "stark": [
        "Vi arbetar utifrån en årlig plan där varje steg följs upp och analyseras tillsammans med {med}.",
        "Arbetet är en del av vårt årshjul och bygger på planera, utföra, följa upp, analysera och åtgärda.",
        "Sedan 2023 har vi ett gemensamt arbetssätt för detta som alla {med} känner till och använder.",
    ],
    "medel": [
        "Vi har flera sätt att arbeta med detta och har under de senaste åren försökt göra arbetet mer strukturerat.",
        "Arbetet sker främst på arbetsplatsträffar och i den dagliga dialogen mellan {med}.",
    ],
    "svag": [
        "Vi pratar mycket om detta i verksamheten och alla är engagerade.",
        "Det här är något vi tycker är viktigt och som vi ofta återkommer till.",
    ],
}

POOLS = {
    "malgrupp": {
        "stark": [
            "Två gånger per år genomför vi fokusgrupper med {mg}, och resultaten jämförs med stadens enkät för att se både uttalade och outtalade behov.",
            "Insikterna sammanställs i en behovsanalys som ligger till grund för verksamhetsplanen; 2025 ledde den till att vi ändrade öppettiderna efter önskemål från {mg}.",
            "Alla {med} dokumenterar synpunkter i ett gemensamt system, och varje månad går vi igenom dem för att se mönster och besluta om åtgärder.",
            "Vi har tagit fram en bemötandeplan tillsammans med {mg}; den följs upp genom korta frågor efter varje kontakt och resultatet har ökat från 81 till 90 procent nöjda på tre år.",
            "Vi analyserar resultaten könsuppdelat och såg 2024 att pojkar och män var mindre nöjda med informationen, vilket ledde till nya informationsvägar som nu följs upp.",
            "För att ge likvärdiga förutsättningar erbjuder vi information på sex språk och anpassad kommunikation för personer med funktionsnedsättning.",
        ],
        "medel": [
            "Vi använder stadens brukarundersökning och har ibland egna samtal med {mg} när något särskilt behöver diskuteras.",
            "Synpunkter tas emot muntligt och via e-post, och de som gäller flera personer lyfts på arbetsplatsträffen.",
            "Bemötande diskuteras på arbetsplatsträffar och vi har haft en utbildningsdag om värdegrund.",
            "Resultatet i brukarundersökningen var 84 procent nöjda förra året, ungefär som året innan.",
            "Vi har inte delat upp resultaten på kön eftersom underlaget är litet.",
        ],
        "svag": [
            "{mg} kan alltid komma till oss och säga vad de tycker.",
            "Vi har ett gott bemötande och får ofta beröm.",
            "Alla ska behandlas lika och det är något vi är noga med.",
            "Vi har inga egna mätningar men upplever att {mg} är nöjda.",
        ],
    },
    "chef_ledarskap": {
        "stark": [
            "Varje termin har jag individuella samtal där vi kopplar den enskildes mål till verksamhetsplanen, och på arbetsplatsträffar visar vi hur resultaten rör sig mot målen.",
            "Jag ber regelbundet om återkoppling på mitt ledarskap genom en kort enkät och samtal med skyddsombudet, och har utifrån det delegerat mer av planeringen till arbetslagen.",
            "Kompetensutvecklingen utgår från analysen av {mg}s behov; 2025 utbildades samtliga {med} i motiverande samtal, vilket vi ser i minskade klagomål.",
            "Misstag lyfts som lärtillfällen på vår månatliga förbättringstavla, där {med} själva föreslår och följer upp åtgärder.",
            "Ledningsgruppen utvärderar sitt arbete varje halvår med stöd av en extern handledare och resultatet från medarbetarenkäten.",
        ],
        "medel": [
            "Jag informerar om målen på arbetsplatsträffar och i veckobrev.",
            "Medarbetarsamtal hålls varje år och då tar vi upp kompetensutveckling.",
            "Jag försöker vara tydlig och tillgänglig och har en öppen dörr.",
            "Ibland tar jag hjälp av HR för att utveckla mitt ledarskap.",
        ],
        "svag": [
            "Jag är en närvarande chef och finns alltid till hands.",
            "Alla vet vad vi ska göra eftersom vi har arbetat länge tillsammans.",
            "Mitt ledarskap utvecklas hela tiden i mötet med {med}.",
        ],
    },
    "medarbetarskap": {
        "stark": [
            "Arbetsmiljön följs upp i en gemensam genomgång varje månad där {med} själva prioriterar vad som ska förbättras.",
            "Förbättringsförslag samlas på en digital tavla; under 2025 kom 64 förslag, varav 41 genomfördes och följdes upp.",
            "Vi har kollegialt lärande i form av auskultation och lärande samtal, och delar erfarenheter med två andra verksamheter i nätverk.",
            "Medarbetarundersökningen visade ett aktivt medarbetarskapsindex på 78 år 2023, 81 år 2024 och 84 år 2025.",
            "Analysen visade att lägst resultat fanns för återhämtning, och därför har vi infört planerad reflektionstid som följs upp varje kvartal.",
        ],
        "medel": [
            "Vi har arbetsplatsträffar varje månad där arbetsmiljön är en stående punkt.",
            "{med} bidrar med idéer när vi planerar, och några av dem har genomförts.",
            "Medarbetarundersökningen visade 76 i index, vilket är något lägre än året innan.",
            "Vi har diskuterat resultatet i arbetsgruppen och bestämt att arbeta vidare med kommunikation.",
        ],
        "svag": [
            "Vi har en bra stämning i arbetsgruppen och hjälps åt.",
            "Alla får komma med idéer.",
            "Resultatet från medarbetarundersökningen var bra.",
        ],
    },
    "uppfoljning_utveckling": {
        "stark": [
            "Vi följer upp verksamheten med stadens enkäter, egna indikatorer, tillsyn och synpunkter; resultaten sammanställs i en kvartalsvis resultatdialog.",
            "Resultaten jämförs över tre år och med liknande verksamheter i staden, och vi analyserar orsakerna tillsammans med {med}.",
            "Prognosen för innevarande år visar ett överskott på 0,8 procent, efter resultat i balans de tre senaste åren.",
            "Risker identifieras i en årlig väsentlighets- och riskanalys, och internkontrollen följs upp i verksamhetsplanen.",
            "Miljöarbetet utgår från stadens miljöprogram; vi har minskat matsvinnet med 30 procent sedan 2023 och mäter det varje vecka.",
            "Utifrån analysen prioriterade vi i verksamhetsplanen 2026 delaktighet för {mg} och kompetens, med tydliga förväntade resultat under målen 1.2 och 3.1.",
        ],
        "medel": [
            "Vi följer upp stadens enkäter och gör en egen uppföljning i samband med verksamhetsberättelsen.",
            "Ekonomin är i balans för året och förra året gick vi med ett litet underskott.",
            "Vi gör en riskanalys varje år tillsammans med förvaltningen.",
            "Verksamhetsplanen tas fram av ledningsgruppen och diskuteras sedan på en planeringsdag.",
        ],
        "svag": [
            "Vi följer upp när det behövs.",
            "Ekonomin sköts av förvaltningen.",
            "Vi har många planer för framtiden.",
        ],
    },
}

FINDINGS = {
    "styrka": [
        "Verksamheten har ett systematiskt arbetssätt för att fånga målgruppernas behov, som följs upp och leder till förändringar.",
        "Resultaten redovisas över tre år och analyseras tillsammans med medarbetarna.",
        "Chefen förankrar målen i individuella samtal och visar hur arbetet bidrar till helheten.",
        "Förbättringsförslag från medarbetarna samlas, genomförs och följs upp.",
        "Risker och internkontroll är integrerade i planeringen.",
    ],
    "utvecklingsomrade": [
        "Det framgår inte hur resultaten analyseras och används för prioriteringar.",
        "Resultaten redovisas inte könsuppdelade och det saknas en förklaring till varför.",
        "Det är otydligt hur ledarskapet utvärderas och vad det har lett till.",
        "Arbetssätten beskrivs, men inte hur de följs upp och förbättras.",
        "Kopplingen mellan verksamhetsplanens mål och uppföljningen är svag.",
    ],
}


def answer(rng: random.Random, area_code: str, quality: str, fill: dict[str, str]) -> list[str]:
    """Two to four paragraphs answering one question in an area, at a quality level."""
    pool = POOLS.get(area_code, POOLS["uppfoljning_utveckling"])[quality]
    sentences = [rng.choice(OPENINGS[quality])]
    count = {"stark": 5, "medel": 3, "svag": 2}[quality]
    sentences += rng.sample(pool, min(count, len(pool)))
    paragraphs = []
    size = 2 if quality != "svag" else 3
    for i in range(0, len(sentences), size):
        paragraphs.append(" ".join(s.format(**fill) for s in sentences[i : i + size]))
    return [p[0].upper() + p[1:] for p in paragraphs]

# Key themes for a contribution whose consensus is complete.
KEY_THEMES = {
    "styrka": [
        "Målgruppernas behov fångas systematiskt och styr planeringen.",
        "Chefen förankrar mål och uppdrag i dialog med varje medarbetare.",
        "Uppföljningen är regelbunden och leder till förbättringar.",
    ],
    "utvecklingsomrade": [
        "Resultaten redovisas sällan könsuppdelade eller med jämförelser.",
        "Det framgår inte hur lärdomar sprids mellan arbetslagen.",
        "Kopplingen mellan riskanalys och prioriteringar är otydlig.",
    ],
}
