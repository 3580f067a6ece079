"""The demo year: a 2026 award year with units, teams and work in progress.

Demo accounts exist only in a database built here (marked ``demo = 1``); a real
deployment starts empty and gets its first admin from ``python -m scoring users add``.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import random

import openpyxl

from scoring.assessment import individual as assessments
from scoring.consensus import workspace as consensus
from scoring.consensus.rules import agenda, group_findings
from scoring.core import auth
from scoring.core.store import Store, set_setting
from scoring.intake import changes, eligibility, registrations
from scoring.intake import review as intake_store
from scoring.jury import members as jury_members
from scoring.reports import documents as reports
from scoring.teams import assignment as teams
from scoring.teams import conflicts, examiners
from scoring.year import calendar, phases, progress, years
from scoring.year.framework import load_framework
from workbench_tools import picture_maker
from workbench_tools.demo_text import FINDINGS, KEY_THEMES, answer
from workbench_tools.docx_builder import LAYOUTS, ContributionText, build_contribution

DEMO_YEAR = 2026
DEMO_PASSWORD = "demo-kvalitet-2026"
ACTOR = "demo"
# The office's own milestones, placed between the 2026 framework's last deadline for
# units (18 June) and the ceremony (24 November).
DEMO_SCHEDULE = {
    "individuell_bedomning": dt.date(2026, 8, 28),
    "konsensus": dt.date(2026, 9, 11),
    "platsbesok": dt.date(2026, 9, 25),
    "forslag": dt.date(2026, 10, 9),
    "domarkommitte": dt.date(2026, 10, 23),
}


@dataclasses.dataclass(frozen=True)
class DemoUnit:
    name: str
    organisation: str
    kind: str      # what sort of unit (2026 has no competition classes; the demo text differs)
    quality: str
    target_group: str
    staff: str
    employees: int


UNITS = [
    DemoUnit("Förskolan Solrosen", "Södermalms stadsdelsförvaltning", "forskola", "stark",
             "barnen och vårdnadshavarna", "pedagogerna", 18),
    DemoUnit("Förskolan Ekorren", "Skarpnäcks stadsdelsförvaltning", "forskola", "svag",
             "barnen och vårdnadshavarna", "pedagogerna", 11),
    DemoUnit("Hjulstaskolan", "Utbildningsförvaltningen", "skola", "medel",
             "eleverna", "lärarna", 54),
    DemoUnit("Kungsholmens gymnasium, språkintroduktion", "Utbildningsförvaltningen", "skola",
             "stark", "eleverna", "lärarna", 23),
    DemoUnit("Vård- och omsorgsboendet Sjöviken", "Äldreförvaltningen", "aldreomsorg", "medel",
             "de boende och deras närstående", "medarbetarna", 62),
    DemoUnit("Hemtjänsten Farsta", "Farsta stadsdelsförvaltning", "aldreomsorg", "svag",
             "kunderna", "medarbetarna", 48),
    DemoUnit("Bostad med särskild service Lärkan", "Hässelby-Vällingby stadsdelsförvaltning",
             "socialtjanst", "stark", "de boende", "medarbetarna", 14),
    DemoUnit("Mottagningsenheten för ekonomiskt bistånd", "Socialförvaltningen", "socialtjanst",
             "medel", "de sökande", "handläggarna", 27),
    DemoUnit("Kundservice, Stockholm Vatten och Avfall", "Stockholm Vatten och Avfall AB", "andra",
             "medel", "kunderna", "kundrådgivarna", 31),
]

# (name, organisation, workplace, competences, years as examiner)
EXAMINERS = [
    ("Lisa Berg", "Kulturförvaltningen", "Stadsbiblioteket", "verksamhetsutveckling, ledarskap", 6),
    ("Erik Lind", "Trafikkontoret", "Planeringsavdelningen", "analys, statistik", 2),
    ("Sara Nilsson", "Norrmalms stadsdelsförvaltning", "Förskolan Vasa", "förskola, pedagogik", 0),
    ("Ahmed Yusuf", "Stadsledningskontoret", "Ekonomiavdelningen", "ekonomi, internkontroll", 3),
    ("Maria Holm", "Socialförvaltningen", "Enheten för hemlösa", "socialtjänst, utredning", 5),
    ("Johan Ek", "Fastighetskontoret", "Förvaltningsavdelningen", "fastigheter, miljö", 0),
    ("Anna Svensson", "Idrottsförvaltningen", "Simhallar", "kundservice, kvalitet", 4),
    ("Fatima Khalil", "Bromma stadsdelsförvaltning", "Äldreomsorgen", "äldreomsorg, kvalitet", 1),
    ("Peter Andersson", "Stockholm Exergi AB", "Kundcenter", "kundservice, processer", 7),
    ("Karin Wik", "Miljöförvaltningen", "Tillsyn", "tillsyn, miljö", 0),
    ("Mikael Strand", "Enskede-Årsta-Vantörs stadsdelsförvaltning", "Ekonomienheten",
     "ekonomi, analys", 3),
    ("Elin Sjöberg", "Utbildningsförvaltningen", "Grundskoleavdelningen", "skola, uppföljning", 8),
    ("Oskar Lund", "Arbetsmarknadsförvaltningen", "Jobbtorg", "arbetsmarknad, coachning", 0),
    ("Nora Hassan", "Spånga-Tensta stadsdelsförvaltning", "Socialtjänsten",
     "socialtjänst, mänskliga rättigheter", 2),
    ("Gustav Berglund", "Serviceförvaltningen", "Kontaktcenter", "digitalisering, service", 4),
    ("Ida Persson", "Stockholms Stadshus AB", "Ägarstyrning", "styrning, internkontroll", 1),
    ("Hanna Lindqvist", "Kyrkogårdsförvaltningen", "Skogskyrkogården", "miljö, verksamhetsplanering", 0),
    ("David Olsson", "Exploateringskontoret", "Projektkontoret", "projektledning, analys", 5),
]
OTHER_ACCOUNTS = [
    ("kvalitetsenheten@demo.stockholm.se", "Vera Holm", "admin"),
    ("beredning@demo.stockholm.se", "Bo Ekström", "beredningsgrupp"),
    ("jury@demo.stockholm.se", "Birgitta Stadsdirektör", "domarkommitte"),
    ("helena.ahlstrom@demo.stockholm.se", "Helena Ahlström", "domarkommitte"),
]
# The jury committee of the year: (e-mail, the förvaltning or organisation they lead, chair).
# The chair has declared; the socialdirektör has not, and will be offered her own units as conflicts.
JURY = [
    ("jury@demo.stockholm.se", "Stadsledningskontoret", True),
    ("helena.ahlstrom@demo.stockholm.se", "Socialförvaltningen", False),
]
# The office's questions in the year's basic control (the instructions say only that they
# concern economy and results, among other things).
BASIC_CONTROL_QUESTIONS = [
    "Visar föregående års bokslut eller innevarande års prognos ett underskott?",
    "Finns det pågående tillsynsärenden, anmälningar eller granskningar som rör verksamheten?",
    "Finns det något annat som gör att det vore olämpligt att belöna verksamheten?",
]


def email_for(name: str) -> str:
    table = str.maketrans("åäöéÅÄÖÉ", "aaoeAAOE")
    return name.lower().translate(table).replace(" ", ".") + "@demo.stockholm.se"


class DemoError(RuntimeError):
    pass


def is_demo(store: Store) -> bool:
    return store.setting("demo") == "1"


def build_demo(store: Store) -> None:
    """Fill an empty store with the demo year, through the same core paths people take."""
    if store.fetchone("SELECT count(*) FROM users")[0] and not is_demo(store):
        raise DemoError("Databasen innehåller riktiga data; demoåret byggs bara i en tom databas.")
    if is_demo(store):
        raise DemoError("Databasen innehåller redan demoåret.")
    rng = random.Random(2026)
    framework = load_framework(DEMO_YEAR)
    # The accounts `python -m scoring users add` makes.
    with store.write(ACTOR) as uow:
        set_setting(uow, "demo", "1")
        for email, name, role in OTHER_ACCOUNTS:
            auth.add_user(uow, email=email, name=name, role=role, password=DEMO_PASSWORD)
    admin = auth.user_by_email(store, OTHER_ACCOUNTS[0][0])
    # The office sets up the year (Utmärkelseår), registers interest and the examiners.
    years.create(store, admin, DEMO_YEAR, DEMO_SCHEDULE)
    registration_ids = _registrations(store, admin)
    examiners.import_examiners(store, admin, "examinatorer.xlsx", _examiner_workbook())
    with store.write(ACTOR) as uow:  # as `users set-password` does for examiners without the city's login
        for name, *_ in EXAMINERS:
            auth.set_password(uow, auth.user_by_email(store, email_for(name)).id, DEMO_PASSWORD)
    # The contributions arrive as Word files and go through the same intake as real ones, in the
    # order the office happened to take them in (which the team proposal's round robin follows);
    # the files are written in the order of UNITS, so the random draws follow the units.
    originals, files = {}, {}
    for index, unit in enumerate(UNITS):
        originals[unit.name] = rng.getstate()
        files[unit.name] = contribution_file(framework, unit, rng, LAYOUTS[index % len(LAYOUTS)])
    ids_by_name = {}
    for index in INTAKE_ORDER:
        unit = UNITS[index]
        name = unit.name
        received = calendar.utc_from_stockholm(*ARRIVALS.get(unit.name, DEFAULT_ARRIVAL(index)))
        intake_id = intake_store.upload(store, admin, DEMO_YEAR, f"{unit.name}.docx", files[name], received_at=received)
        read = intake_store.review(store, admin, intake_id)
        ids_by_name[name] = intake_store.accept(
            store, admin, intake_id, read.version, unit_name=unit.name, organisation=unit.organisation,
            registration_id=registration_ids.get(unit.name), note=_acceptance_note(read) if read.needs_note else "")
    contribution_ids = [ids_by_name[u.name] for u in UNITS]
    _send_back_and_correct(store, admin, framework, contribution_ids, originals)
    # Teams and assignments come from the workbench's own proposal, as the office would do it.
    teams.apply(store, admin, DEMO_YEAR, teams.propose_for_year(store, admin, DEMO_YEAR),
                reason="Demoårets lagindelning (verktygets förslag)")
    progress.advance(store, admin, DEMO_YEAR)  # intake done: the year moves to individual assessment
    _work_in_progress(store, rng, framework, contribution_ids)
    # The office has done the basic control; one unit had a deficit last year.
    eligibility.set_basic_control_questions(store, admin, DEMO_YEAR, BASIC_CONTROL_QUESTIONS)
    for cid, unit in zip(contribution_ids, UNITS, strict=True):
        deficit = unit.quality == "svag" and unit.kind == "forskola"
        eligibility.record(store, admin, cid, eligibility.Facts(
            employees_including_manager=unit.employees, manager_with_full_responsibility=True,
            business_plan_with_goals=True, previous_year_deficit=deficit,
            forecast_deficit=False, protocol_extract_received=dt.date(2026, 6, 5),
            basic_control=eligibility.BasicControl(
                answered_on=dt.date(2026, 6, 16),
                answers={BASIC_CONTROL_QUESTIONS[0]: "Ja, föregående år." if deficit else "Nej.",
                         BASIC_CONTROL_QUESTIONS[1]: "Nej.", BASIC_CONTROL_QUESTIONS[2]: "Nej."},
                note="Svaren kom från förvaltningens ekonomichef.")))
    _consensus_in_progress(store, framework)
    _archived_year(store, contribution_ids)
    # Of the fully submitted ones, the first stays ready for consensus; the others are done.
    proposal_by_quality = {"stark": "utmarkelse", "medel": "hedersomnamnande", "svag": "inget"}
    for n, index in enumerate(COMPLETED):
        _complete_consensus(store, framework, contribution_ids[index], proposal_by_quality[UNITS[index].quality],
                            final_report=n == 0)
    # The jury committee: the office lists its members; the chair has declared on the candidates.
    for email, organisation, chair in JURY:
        jury_members.add_member(store, admin, DEMO_YEAR, email, organisation, chair)
    chair = auth.user_by_email(store, JURY[0][0])
    jury_members.declare(store, chair, DEMO_YEAR, {
        c["contribution_id"]: c["suggested_conflict"] for c in jury_members.to_declare(store, chair, DEMO_YEAR)})


# When the files reached the office (Stockholm time); one came the day after the deadline.
ARRIVALS = {"Hemtjänsten Farsta": (dt.date(2026, 5, 8), dt.time(9, 12))}


def DEFAULT_ARRIVAL(index: int) -> tuple[dt.date, dt.time]:  # noqa: N802 - reads as the constant above
    return dt.date(2026, 5, 4 + index % 4), dt.time(10 + index % 6, 5 * index % 60)


LATE_NOTE = "Förvaltningen meddelade före sista dagen att bidraget skulle komma en dag sent; vi tar emot det."
FINDINGS_NOTE = "Bidraget tas emot; verksamheten har fått fynden och examinatorerna bedömer det som det är."
SEND_BACK = "Ekorren"
SEND_BACK_REASON = ("Bilden under fråga 19 innehåller löpande text, och bilagan med verksamhetsplanen saknas. "
                    "Skicka en rättad version med texten i svaret och med bilagan.")
# (unit, contact) for the survey tool's export; the last one registered by hand and never sent anything.
CONTACTS = ["Camilla Åberg", "Jonas Nyberg", "Leila Rahimi", "Magnus Forsberg", "Therese Karlsson",
            "Omar Bergström", "Petra Lindgren", "Sami Haddad", "Ulla Sundberg"]
NO_SHOW = ("Fritidsgården Vinden", "Spånga-Tensta stadsdelsförvaltning", "Karim Ali")


def _acceptance_note(read) -> str:
    return LATE_NOTE if read.late else FINDINGS_NOTE


def _registrations(store: Store, admin) -> dict[str, int]:
    """The survey tool's export for the nine units, and one unit registered by hand."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["Verksamhet", "Förvaltning/bolag", "Kontaktperson", "E-post", "Telefon"])
    for unit, contact in zip(UNITS, CONTACTS, strict=True):
        writer.writerow([unit.name, unit.organisation, contact, email_for(contact), "08-508 00 000"])
    registrations.import_file(store, admin, DEMO_YEAR, "intresseanmalan.csv", buffer.getvalue().encode("utf-8"))
    name, organisation, contact = NO_SHOW
    registrations.add(store, admin, DEMO_YEAR, registrations.Registration(
        name, organisation, contact, email_for(contact), note="Anmälde sig per telefon."))
    return {r["unit_name"]: r["id"] for r in registrations.registrations(store, admin, DEMO_YEAR)}


def _examiner_workbook() -> bytes:
    """The examiner registry as the office keeps it in Excel."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Namn", "E-post", "Förvaltning/bolag", "Arbetsplats", "Kompetenser", "År som examinator", "Ny"])
    for name, organisation, workplace, competences, served in EXAMINERS:
        sheet.append([name, email_for(name), organisation, workplace, competences, served,
                      "Ja" if served == 0 else "Nej"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _send_back_and_correct(store: Store, admin, framework, contribution_ids: list[int], originals: dict) -> None:
    """One contribution is sent back for changes and its corrected version taken in."""
    index = next(i for i, u in enumerate(UNITS) if SEND_BACK in u.name)
    unit, cid = UNITS[index], contribution_ids[index]
    request_id = changes.request_changes(store, admin, cid, SEND_BACK_REASON, 2, today=dt.date(2026, 5, 11))
    same_text = random.Random()
    same_text.setstate(originals[unit.name])
    data = contribution_file(framework, unit, same_text, LAYOUTS[index % len(LAYOUTS)], corrected=True)
    intake_id = changes.upload_correction(store, admin, request_id, f"{unit.name} rättad.docx", data,
                                          received_at=calendar.utc_from_stockholm(dt.date(2026, 5, 12), dt.time(14, 30)))
    read = intake_store.review(store, admin, intake_id)
    intake_store.accept(store, admin, intake_id, read.version, note=FINDINGS_NOTE if read.needs_note else "")


def contribution_file(framework, unit: DemoUnit, rng: random.Random, layout: str = "rubriker", *,
                      corrected: bool = False) -> bytes:
    """A demo unit's contribution as a Word file, written at the unit's quality (``corrected``:
    with the appendix and without the ingress, as after a request for changes)."""
    fill = {"mg": unit.target_group, "vh": unit.name, "med": unit.staff}
    manager = rng.choice(["Camilla", "Jonas", "Leila", "Magnus", "Therese", "Omar"]) + " " + rng.choice(
        ["Åberg", "Bergström", "Nyberg", "Karlsson", "Rahimi", "Forsberg"])
    intro = {
        "unit_name": unit.name,
        "manager_name": manager,
        "manager_phone": f"08-508 {rng.randint(10, 99)} {rng.randint(100, 999)}",
        "manager_email": email_for(manager).replace("@demo.", "@"),
        "address": f"{rng.choice(['Ringvägen', 'Storgatan', 'Skolvägen', 'Parkgatan'])} {rng.randint(1, 60)}, Stockholm",
        "employees": str(unit.employees),
    }
    answers = {}
    for area in framework.areas:
        for question in area.questions:
            labels = [p.label for p in question.parts] or [None]
            for label in labels:
                answers[(question.number, label)] = list(answer(rng, area.code, unit.quality, fill))
            if question.number in (12, 13) and unit.quality != "svag":
                answers[(question.number, labels[0])].append(
                    [["År", "2023", "2024", "2025"], ["Totalt", "78", "81", "84"],
                     ["Kvinnor", "80", "83", "86"], ["Män", "75", "78", "81"]])
            if question.number == 13 and unit.quality == "stark":  # a diagram of the results, as units do
                answers[(question.number, labels[1])].append(picture_maker.chart_picture((78, 81, 84), "Nöjda (%)"))
            if question.number == 19 and unit.quality == "svag" and not corrected:  # text as a picture: sent back
                answers[(question.number, labels[0])].append(picture_maker.text_picture())
    content = ContributionText(
        unit_name=unit.name,
        intro_fields=intro,
        unit_information=[
            f"{unit.name} är en del av {unit.organisation}. Vi har {unit.employees} medarbetare och vårt "
            f"uppdrag är att ge {unit.target_group} en trygg och likvärdig service av hög kvalitet.",
        ],
        answers=answers,
        glossary=["Arbetsplatsträff (APT): månatligt möte för alla medarbetare."],
        # A weak contribution forgets the required appendix and keeps the ingress.
        appendix=[] if unit.quality == "svag" and not corrected else [
            "Mål 1: Alla i målgruppen upplever delaktighet. Förväntat resultat: 85 % nöjda.",
            "Mål 2: Medarbetarna har rätt kompetens. Förväntat resultat: alla har en utvecklingsplan.",
        ],
    )
    return build_contribution(framework, content, layout=layout, keep_ingress=unit.quality == "svag" and not corrected)


# Per unit, by its place in UNITS (a test gives the units other names): the state each team
# member's assessment is in (the coordinator first). "oppnad" is a draft the coordinator
# reopened with a reason; None is not started. Units not listed are not started at all.
DEMO_STATES = {
    0: ["inlamnad"] * 4,                          # Förskolan Solrosen: ready for consensus
    1: ["last"] * 4,                              # Förskolan Ekorren: consensus opened
    2: ["inlamnad", "utkast", "oppnad", None],    # Hjulstaskolan: mixed
    3: ["utkast", "utkast", None, None],          # Kungsholmens gymnasium
    4: [None, "utkast", None, None],              # Sjöviken
    5: ["inlamnad"] * 4,                          # Hemtjänsten Farsta: consensus done, proposed, report final
    6: ["inlamnad"] * 4,                          # Lärkan: consensus done, proposed
}
COMPLETED = [5, 6]
# The order the files are taken in (places in UNITS). The team proposal deals contributions
# round robin in this order, which spreads the kinds of unit over the teams.
INTAKE_ORDER = [4, 5, 8, 0, 1, 2, 3, 6, 7]
REOPEN_REASON = "Poängen i Medarbetarskap saknar iakttagelser; komplettera innan konsensus."


def _work_in_progress(store: Store, rng, framework, contribution_ids) -> None:
    """Assessments in every state so every page has something to show, each written as the
    examiner writes it on Bedömning (declaration, scores, findings, notes, submit)."""
    assignments = store.fetchall(
        "SELECT a.contribution_id, a.team_id, t.coordinator_id FROM assignments a"
        " JOIN teams t ON t.id = a.team_id ORDER BY 1")
    base = {"stark": 70, "medel": 45, "svag": 20}
    # In the order of UNITS, so the random draws follow the units, not the order of intake.
    for cid, team_id, coordinator_id in sorted(assignments, key=lambda a: contribution_ids.index(a[0])):
        index = contribution_ids.index(cid)
        states, quality = DEMO_STATES.get(index, []), UNITS[index].quality
        members = [auth.user_by_email(store, r[0]) for r in store.fetchall(
            "SELECT u.email FROM team_members m JOIN users u ON u.id = m.user_id WHERE m.team_id = ?"
            " ORDER BY (m.user_id <> ?), u.name", [team_id, coordinator_id])]
        coordinator = members[0]
        blocks = dict(store.fetchall(
            "SELECT question_number, min(block_id) FROM contribution_blocks WHERE contribution_id = ?"
            " AND role = 'svar' AND question_number IS NOT NULL GROUP BY 1", [cid]))
        # Examiners agree on which criteria are stronger (a shared "truth") and differ by a
        # step or so; the last member of each team is a little more lenient.
        truth = {c.code: rng.randint(-3, 3) * 5 for area in framework.areas for c in area.criteria}
        for position, (examiner, state) in enumerate(zip(members, states, strict=False)):
            if state is None:
                continue
            leniency = 10 if position == len(members) - 1 else 0
            complete = state != "utkast"
            conflicts.declare(store, examiner, cid, has_conflict=False, confidentiality_accepted=True)
            version = 0
            for area in framework.areas if complete else framework.areas[:2]:
                scores = {c.code: framework.scale.snap(base[quality] + truth[c.code] + leniency
                                                       + rng.choice((-5, 0, 0, 5)))
                          for c in area.criteria}
                for code, value in scores.items():
                    version = assessments.set_criterion_score(store, examiner, cid, version, area.code, code, value)
                numbers = [q.number for q in area.questions]
                for kind in ("styrka", "utvecklingsomrade"):
                    touched = sorted(rng.sample(numbers, k=min(len(numbers), rng.randint(1, 2))))
                    version = assessments.add_finding(
                        store, examiner, cid, version, area_code=area.code, kind=kind, text=rng.choice(FINDINGS[kind]),
                        questions=touched, anchors=[blocks[n] for n in touched if n in blocks])
                version = assessments.set_note(store, examiner, cid, version, numbers[0], "Läs om svaret inför konsensus.")
                if complete:
                    version = assessments.set_site_visit_questions(
                        store, examiner, cid, version, area.code,
                        [f"Hur följs arbetet i {area.title.lower()} upp i vardagen?"])
            if complete:
                assessments.submit(store, examiner, cid, version)
            if state == "oppnad":
                aid = assessments.own_assessment(store, examiner, cid).id
                assessments.reopen(store, coordinator, aid, REOPEN_REASON)
        if "last" in states:  # the team has handed in and the coordinator opens consensus
            consensus.open_consensus(store, coordinator, cid, 0)


def _consensus_in_progress(store: Store, framework) -> None:
    """The contribution whose consensus is open: the first two areas agreed at the median."""
    cid, email = store.fetchone(
        "SELECT c.id, u.email FROM contributions c JOIN assignments s ON s.contribution_id = c.id"
        " JOIN teams t ON t.id = s.team_id JOIN users u ON u.id = t.coordinator_id"
        " WHERE c.phase = 'konsensus' ORDER BY c.id LIMIT 1")
    coordinator = auth.user_by_email(store, email)
    work = consensus.workspace(store, coordinator, cid)
    version = work.version
    for item in agenda(framework, list(work.individual.values()), work.threshold):
        if item.area_code not in {a.code for a in framework.areas[:2]}:
            continue
        for code, spread in item.criteria.items():
            version = consensus.set_score(store, coordinator, cid, version, item.area_code, code, spread.median_offer)


def _archived_year(store: Store, contribution_ids: list[int]) -> None:
    """2024, decided and locked: one of this year's units took part then (a returning unit)."""
    unit_index = next(i for i, u in enumerate(UNITS) if u.quality == "medel" and u.kind == "skola")
    unit_id = store.fetchone("SELECT unit_id FROM contributions WHERE id = ?", [contribution_ids[unit_index]])[0]
    with store.write(ACTOR) as uow:
        years.create_year(uow, 2024)
        cid = uow.fetchone("INSERT INTO contributions (year, unit_id, phase) VALUES (2024, ?,"
                           " 'forslag_lamnat') RETURNING id", [unit_id])[0]
        for area, text in (
                (None, "Resultaten analyseras sällan könsuppdelat eller över tid."),
                ("malgrupp", "Det framgår inte hur eleverna är delaktiga i att utveckla undervisningen."),
                ("uppfoljning_utveckling", "Resultaten redovisas inte könsuppdelade och det saknas en förklaring "
                                           "till varför.")):
            uow.execute("INSERT INTO consensus_findings (contribution_id, area_code, kind, text, is_key_theme)"
                        " VALUES (?, ?, 'utvecklingsomrade', ?, ?)", [cid, area, text, area is None])
        uow.execute("INSERT INTO proposals (contribution_id, proposal, motivation, submitted_by) VALUES"
                    " (?, 'hedersomnamnande', 'Ett engagerat arbete med elevernas inflytande.', 'Examinatorslaget 2024')",
                    [cid])
        uow.execute("INSERT INTO decisions (contribution_id, decision, motivation, decided_by, decided_at) VALUES"
                    " (?, 'hedersomnamnande', 'För ett engagerat arbete med elevernas inflytande.', 'Domarkommittén',"
                    " ?)", [cid, dt.datetime(2024, 11, 21, 12)])
        phases.transition(uow, phases.YEAR, 2024, phases.YearPhase.AVSLUTAT, also={"locked": True},
                          action="året avslutat")


def _complete_consensus(store: Store, framework, cid: int, proposal: str, *, final_report: bool) -> None:
    """Consensus, site visit, final consensus and the proposal, through the core as a team would."""
    email = store.fetchone("SELECT u.email FROM assignments s JOIN teams t ON t.id = s.team_id"
                           " JOIN users u ON u.id = t.coordinator_id WHERE s.contribution_id = ?", [cid])[0]
    lead = auth.user_by_email(store, email)
    version = consensus.open_consensus(store, lead, cid, 0)
    work = consensus.workspace(store, lead, cid)
    for item in agenda(framework, list(work.individual.values()), work.threshold):
        for code, spread in item.criteria.items():
            version = consensus.set_score(store, lead, cid, version, item.area_code, code, spread.median_offer)
        if item.flagged:
            version = consensus.set_rationale(store, lead, cid, version, item.area_code,
                                              "Laget gick igenom svaren fråga för fråga och enades om nivån.")
    flagged = [item for item in agenda(framework, list(work.individual.values()), work.threshold) if item.flagged]
    if proposal == "utmarkelse" and flagged:  # one disagreement the team leaves open for the jury
        version = consensus.set_rationale(store, lead, cid, version, flagged[0].area_code,
                                          "Två i laget ser ett väl etablerat arbetssätt, två ser det ännu i delar av "
                                          "verksamheten; laget överlämnar frågan till juryn.")
        version = consensus.set_left_open(store, lead, cid, version, flagged[0].area_code, True)
    groups = group_findings(work.source_findings)
    for group in groups:
        version = consensus.add_finding(store, lead, cid, version, area_code=group.area_code, kind=group.kind,
                                        text=group.text, sources=list(group.members))
    version = consensus.advance(store, lead, cid, version)
    visit = consensus.workspace(store, lead, cid).site_visit
    version = consensus.save_visit(store, lead, cid, version, date=dt.date(2026, 9, 17),
                                   participants="Examinatorslaget, verksamhetens chef och två medarbetare",
                                   documents={d: "sedd" for d in framework.site_visit_documents})
    version = consensus.save_questions(store, lead, cid, version,
                                       [{**q, "outcome": "bekraftad"} for q in visit.questions])
    version = consensus.advance(store, lead, cid, version)
    for kind, themes in KEY_THEMES.items():
        for text in themes:
            version = consensus.add_finding(store, lead, cid, version, area_code=None, kind=kind, text=text)
    version = consensus.advance(store, lead, cid, version)
    if final_report:
        reports.mark_final(store, lead, cid)
    motivation = {
        "utmarkelse": "Systematiskt arbete med målgruppernas behov, tydligt ledarskap och lärande uppföljning.",
        "hedersomnamnande": "Ett tydligt ledarskap och engagerade medarbetare; uppföljningen är ännu inte systematisk.",
        "inget": "Arbetssätten är under uppbyggnad och resultaten redovisas ännu inte över tid.",
    }[proposal]
    consensus.submit_proposal(store, lead, cid, version, proposal, motivation)


def demo_logins(store: Store) -> list[tuple[str, str]]:
    """(role label, e-mail) for one account of each role, for printing."""
    year = years.current_year(store)
    coordinator = store.fetchone(
        "SELECT u.email FROM teams t JOIN users u ON u.id = t.coordinator_id WHERE t.year = ?"
        " ORDER BY t.id LIMIT 1", [year])[0]
    examiner = store.fetchone(
        "SELECT u.email FROM teams t JOIN team_members m ON m.team_id = t.id"
        " JOIN users u ON u.id = m.user_id WHERE t.year = ? AND u.id <> t.coordinator_id"
        " ORDER BY t.id, u.id LIMIT 1", [year])[0]
    return [
        ("Kvalitetsenheten (admin)", OTHER_ACCOUNTS[0][0]),
        ("Examinator", examiner),
        ("Lagsamordnare", coordinator),
        ("Beredningsgrupp", OTHER_ACCOUNTS[1][0]),
        ("Domarkommittén", OTHER_ACCOUNTS[2][0]),
    ]
