"""The workbench's command line: ``python -m scoring --help``."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sys
from pathlib import Path

import yaml

from scoring.core import auth, backup, config
from scoring.core.errors import Refused
from scoring.core.store import StoreUnavailable, get_store
from scoring.feedback import results
from scoring.intake import document as intake
from scoring.intake.docx_reader import UnreadableFile
from scoring.mail import outbox, reminders, smtp
from scoring.reports import documents as reports
from scoring.reports import templates as report_templates
from scoring.year import calendar, framework_store, years
from scoring.year.framework import FrameworkError, available_years, load_framework
from workbench_tools import bench, demo


def _store():
    try:
        return get_store()
    except StoreUnavailable as exc:
        raise SystemExit(str(exc)) from None


def cmd_demo(args: argparse.Namespace) -> int:
    store = _store()
    if args.logins_only:
        if not demo.is_demo(store):
            return 0
    else:
        try:
            demo.build_demo(store)
        except demo.DemoError as exc:
            print(exc, file=sys.stderr)
            return 1
        print(f"Demoåret {demo.DEMO_YEAR} är skapat i {store.path}.")
    print(f"Demoinloggningar (lösenord för alla: {demo.DEMO_PASSWORD}):")
    for label, email in demo.demo_logins(store):
        print(f"  {label:<26} {email}")
    return 0


def cmd_users_add(args: argparse.Namespace) -> int:
    password = None
    if not args.oidc_only:
        password = args.password or getpass.getpass("Lösenord (minst 10 tecken): ")
    store = _store()
    try:
        with store.write("kommandoraden") as uow:
            user_id = auth.add_user(
                uow, email=args.email, name=args.name, role=args.role, password=password
            )
    except auth.AuthError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"Kontot {auth.normalise_email(args.email)} ({auth.ROLES[args.role]}) är skapat, id {user_id}.")
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    for user in auth.list_users(_store()):
        login = "lösenord" if user["has_password"] else "endast OIDC"
        state = "aktiv" if user["active"] else "inaktiv"
        print(f"{user['email']:<40} {auth.ROLES[user['role']]:<18} {login:<12} {state}")
    return 0


def _active_user(store, email: str) -> auth.User | None:
    user = auth.user_by_email(store, email)
    if user is None:
        print(f"Inget aktivt konto för {email}.", file=sys.stderr)
    return user


def cmd_users_unlock(args: argparse.Namespace) -> int:
    store = _store()
    if (user := _active_user(store, args.email)) is None:
        return 1
    with store.write("kommandoraden") as uow:
        auth.unlock(uow, user.id)
    print(f"Kontot {user.email} är upplåst.")
    return 0


def cmd_users_password(args: argparse.Namespace) -> int:
    store = _store()
    if (user := _active_user(store, args.email)) is None:
        return 1
    password = args.password or getpass.getpass("Nytt lösenord (minst 10 tecken): ")
    try:
        with store.write("kommandoraden") as uow:
            auth.set_password(uow, user.id, password)
    except auth.AuthError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"Lösenordet för {user.email} är bytt.")
    return 0


def _framework_line(year: int, framework, origin: str) -> str:
    classes = f"{len(framework.classes)} tävlingsklasser" if framework.classes else "inga tävlingsklasser"
    return (f"{year} ({origin}): {len(framework.areas)} frågeområden, {len(framework.questions())} frågor, "
            f"högst {framework.character_limit.max_chars} tecken, {classes}")


def cmd_frameworks(args: argparse.Namespace) -> int:
    """Every shipped file, and every year the office wrote that is stored in the database."""
    status = 0
    for year in available_years():
        try:
            print(_framework_line(year, load_framework(year), "fil"))
        except FrameworkError as exc:
            print(exc, file=sys.stderr)
            status = 1
    if not config.database_url() and not Path(config.database_path()).is_file():
        print(f"Ingen databas på {config.database_path()}: inga sparade år att kontrollera.")
        return status
    for year, outcome in framework_store.check_stored(_store()):
        if isinstance(outcome, FrameworkError):
            print(outcome, file=sys.stderr)
            status = 1
        else:
            print(_framework_line(year, outcome, "Kvalitetsenheten"))
    return status


def cmd_intake(args: argparse.Namespace) -> int:
    try:
        framework = load_framework(args.year)
    except FrameworkError as exc:
        print(exc, file=sys.stderr)
        return 2
    results = []
    for path in args.files:
        name = Path(path).name
        try:
            data = Path(path).read_bytes()
            result = intake.take_in(data, name, framework)
        except (OSError, UnreadableFile) as exc:
            message = str(exc) if isinstance(exc, UnreadableFile) else f"{name}: filen går inte att läsa ({exc.strerror})."
            results.append({"file": name, "year": args.year, "questions": [], "chars_counted": None,
                            "limit": framework.character_limit.max_chars, "over_limit": None,
                            "findings": [], "pictures": [], "error": message})
            continue
        results.append(intake.as_json(result) | {"_result": result})
    if args.json:
        print(json.dumps([{k: v for k, v in r.items() if k != "_result"} for r in results],
                         ensure_ascii=False, indent=2))
    else:
        for r in results:
            print(_intake_text(r, framework))
    return 1 if any(r["error"] for r in results) else 0


def _intake_text(r: dict, framework) -> str:
    if r["error"]:
        return f"{r['file']}: FEL – {r['error']}\n"
    report = r["_result"].report
    lines = [f"{r['file']} ({framework.title})",
             f"  Tecken utan blanksteg: {r['chars_counted']} av högst {r['limit']}"
             + ("  ÖVER GRÄNSEN" if r["over_limit"] else "")]
    for area in framework.areas:
        lines.append(f"  {area.title}: {report.chars_by_area[area.code]} tecken")
    lines.append("  Fråga  Tecken  Besvarad  Säkerhet  Hittad genom")
    for q in report.questions:
        lines.append(f"  {q['number']:>5}  {q['chars']:>6}  {'ja' if q['answered'] else 'NEJ':<8}  "
                     f"{q['confidence']:>7.0%}  {q['how']}")
    lines += ["  Fynd:"] + [f"  - {f.text}" for f in report.findings] if report.findings else ["  Inga fynd."]
    return "\n".join(lines) + "\n"


def cmd_reports(args: argparse.Namespace) -> int:
    """The year's final feedback reports (and PDFs when LibreOffice is there) into a folder."""
    store = _store()
    admin = _office(store)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    files = reports.final_reports(store, admin, args.year, lambda n, total, unit: print(f"{n}/{total} {unit}"))
    if args.pdf:
        try:
            files += reports.to_pdf(files)
        except reports.ReportError as exc:
            print(exc, file=sys.stderr)
    for name, data in files:
        (out / name).write_bytes(data)
    name, data = reports.jury_dossier(store, admin, args.year)
    (out / name).write_bytes(data)
    print(f"{len(files)} filer och juryunderlaget i {out}.")
    return 0


def cmd_templates(args: argparse.Namespace) -> int:
    for path in report_templates.write_defaults():
        print(f"Skrev {path}")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    results = bench.run(args.figures, args.quick)
    print(json.dumps(bench.as_json(results), ensure_ascii=False, indent=2) if args.json else bench.table(results))
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    store = _store()
    try:
        manifest = backup.create(store, args.dir)
    except backup.BackupError as exc:
        print(exc, file=sys.stderr)
        return 1
    rows = sum(t["rows"] for t in manifest["tables"].values())
    print(f"Säkerhetskopian ligger i {args.dir}: {len(manifest['tables'])} tabeller, {rows} rader.")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    try:
        result = backup.restore(args.source, config.database_location())
    except backup.BackupError as exc:
        print(exc, file=sys.stderr)
        return 1
    where = config.database_location()
    if config.is_postgres(where):
        from scoring.core.store_postgres import redacted

        where = redacted(where)
    print(f"Återställt {where} från {args.source}: {result['tables']} tabeller, "
          f"{result['rows']} rader, alla kontrollerade mot kopians förteckning.")
    if result["kept"]:
        print(f"Den tidigare databasen finns kvar som {result['kept']}.")
    return 0


def cmd_year_create(args: argparse.Namespace) -> int:
    schedule = {}
    if args.schedule:
        try:
            raw = yaml.safe_load(Path(args.schedule).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            print(f"Schemat {args.schedule} går inte att läsa: {exc}", file=sys.stderr)
            return 1
        if not isinstance(raw, dict):
            print(f"Schemat {args.schedule} ska vara en lista med milstolpe: datum (ÅÅÅÅ-MM-DD).", file=sys.stderr)
            return 1
    store = _store()
    try:
        if args.schedule:
            schedule = years.parse_schedule(raw)
        with store.write("kommandoraden") as uow:
            years.create_year(uow, args.year, schedule)
            current = years.current_year(store)
            if args.current or store.setting("current_year") is None:
                years.set_current_year(uow, args.year)
                current = args.year
    except Refused as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"Utmärkelseåret {args.year} är upplagt med {len(schedule)} datum i schemat.")
    if current != args.year:
        print(f"Aktuellt år är fortfarande {current}; byt med: python -m scoring year current {args.year}")
    return 0


def cmd_year_list(args: argparse.Namespace) -> int:
    rows = years.all_years(_store())
    if not rows:
        print("Inga utmärkelseår är upplagda. Lägg upp ett: python -m scoring year create --year ÅÅÅÅ")
    for row in rows:
        marker = "*" if row["current"] else " "
        print(f"{marker} {row['year']}  {row['phase_label']:<28} {row['contributions']:>4} bidrag"
              + ("  (låst)" if row["locked"] else ""))
    return 0


def cmd_year_current(args: argparse.Namespace) -> int:
    store = _store()
    try:
        with store.write("kommandoraden") as uow:
            years.set_current_year(uow, args.year)
    except Refused as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"Aktuellt år är nu {args.year}.")
    return 0


def _stockholm(moment) -> str:
    return f"{calendar.stockholm(moment):%Y-%m-%d %H:%M}" if moment else "–"


def _print_deliveries(deliveries: list[outbox.Delivery]) -> int:
    failed = 0
    for d in deliveries:
        print(f"  {'skickat' if d.sent else 'MISSLYCKADES'}: {d.recipient} – {d.subject} ({d.answer})")
        failed += not d.sent
    return failed


def cmd_mail_reminders(args: argparse.Namespace) -> int:
    try:
        today = dt.date.fromisoformat(args.today) if args.today else calendar.today()
    except ValueError:
        print(f"--today ska vara ett datum ÅÅÅÅ-MM-DD, inte {args.today!r}.", file=sys.stderr)
        return 2
    store = _store()
    try:
        due = reminders.due_today(store, args.year, today)
        queued = reminders.send_due(store, args.year, today, "kommandoraden")
    except Refused as exc:
        print(exc, file=sys.stderr)
        return 1
    if not due:
        print(f"Inga påminnelser är aktuella {today} för {args.year} (de går ut {reminders.days_before(store)} "
              "dagar före sista dag).")
    for key, person in queued:
        print(f"Påminnelse ({reminders.DEADLINES[key].title.lower()}) till {person.name} <{person.email}>: "
              + ", ".join(person.units))
    if due and not queued:
        print("Alla som inte är klara har redan fått sin påminnelse (eller har påminnelserna stoppade).")
    deliveries = outbox.deliver(store)
    if deliveries:
        print("Utskick:")
    return 1 if _print_deliveries(deliveries) else 0


def cmd_mail_outbox(args: argparse.Namespace) -> int:
    print(outbox.server_line())
    rows = outbox.listing(_store(), outbox.Search(args.search or "", args.status), args.limit)
    if not rows:
        print("Utkorgen är tom.")
    for r in rows:
        print(f"{r['id']:>5}  {_stockholm(r['created_at'])}  {r['status_label']:<33} {r['recipient']:<32} "
              f"{r['subject']}" + (f"  [{r['server_answer']}]" if r["status"] == "misslyckat"
                                   else ""))
    return 0


def cmd_mail_send(args: argparse.Namespace) -> int:
    if not smtp.configured():
        print(outbox.server_line(), file=sys.stderr)
        return 1
    deliveries = outbox.deliver(_store())
    if not deliveries:
        print("Inget att skicka.")
    return 1 if _print_deliveries(deliveries) else 0


def cmd_diplomas(args: argparse.Namespace) -> int:
    store = _store()
    office = _office(store)
    folder = Path(args.out)
    if folder.exists() and any(folder.iterdir()):
        print(f"Mappen {folder} innehåller redan filer; välj en ny eller tom mapp.", file=sys.stderr)
        return 1
    try:
        files = results.diplomas(store, office, args.year)
    except Refused as exc:
        print(exc, file=sys.stderr)
        return 1
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files:
        (folder / name).write_bytes(data)
    print(f"{len(files)} diplom för {args.year} i {folder}.")
    return 0


def _office(store) -> auth.User:
    """The command line acts as the office's first active account (it runs on the server,
    with the database file, so whoever runs it is the office)."""
    office = store.fetchone("SELECT id, email, name, role FROM users WHERE role = 'admin' AND active"
                            " ORDER BY id LIMIT 1")
    if office is None:
        raise SystemExit("Det finns inget konto för Kvalitetsenheten i databasen.")
    return auth.User(*office)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m scoring", description="Examinatorsstöd")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo", help="bygg demoåret 2026 i en tom databas och skriv ut inloggningar")
    p.add_argument("--logins-only", action="store_true", help="skriv bara ut demoinloggningarna")
    p.set_defaults(func=cmd_demo)

    users = sub.add_parser("users", help="konton").add_subparsers(dest="users_command", required=True)
    p = users.add_parser("add", help="skapa ett konto")
    p.add_argument("--email", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--role", required=True, choices=sorted(auth.ROLES))
    p.add_argument("--password", help="utelämna för att få en fråga (syns inte i historiken)")
    p.add_argument("--oidc-only", action="store_true", help="inget lösenord; inloggning via OIDC")
    p.set_defaults(func=cmd_users_add)
    p = users.add_parser("list", help="lista konton")
    p.set_defaults(func=cmd_users_list)
    p = users.add_parser("unlock", help="lås upp ett konto efter för många misslyckade inloggningar")
    p.add_argument("--email", required=True)
    p.set_defaults(func=cmd_users_unlock)
    p = users.add_parser("set-password", help="sätt lösenord, t.ex. för importerade examinatorer utan OIDC")
    p.add_argument("--email", required=True)
    p.add_argument("--password", help="utelämna för att få en fråga")
    p.set_defaults(func=cmd_users_password)

    year = sub.add_parser("year", help="utmärkelseår").add_subparsers(dest="year_command", required=True)
    p = year.add_parser("create", help="lägg upp ett utmärkelseår från årets anvisningar",
                        description="Schemafilen (YAML) anger milstolpar och datum, till exempel "
                                    "'individuell_bedomning: 2026-08-28'. Milstolparna: "
                                    + ", ".join(years.SCHEDULE_LABELS) + ".")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--schedule", help="YAML-fil med Kvalitetsenhetens schema")
    p.add_argument("--current", action="store_true", help="gör det till aktuellt år även om ett annat år är det")
    p.set_defaults(func=cmd_year_create)
    p = year.add_parser("list", help="lista utmärkelseåren (* = aktuellt år)")
    p.set_defaults(func=cmd_year_list)
    p = year.add_parser("current", help="byt aktuellt år")
    p.add_argument("year", type=int)
    p.set_defaults(func=cmd_year_current)

    mail = sub.add_parser("mail", help="e-post: påminnelser och utkorgen").add_subparsers(dest="mail_command",
                                                                                          required=True)
    p = mail.add_parser("send-reminders", help="skicka påminnelserna som ska ut i dag (för ett nattjobb) och det "
                                               "som väntar i utkorgen")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--today", help="dagen som gäller, ÅÅÅÅ-MM-DD (standard: i dag)")
    p.set_defaults(func=cmd_mail_reminders)
    p = mail.add_parser("outbox", help="lista utkorgen, nyast först")
    p.add_argument("--status", choices=[s.value for s in outbox.S])
    p.add_argument("--search", help="sök i mottagare, ämne, text och varför")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=cmd_mail_outbox)
    p = mail.add_parser("send", help="skicka det som väntar och misslyckade meddelanden som ska försökas igen")
    p.set_defaults(func=cmd_mail_send)


    p = sub.add_parser("diplomas", help="skriv ett diplom (.docx) per deltagande verksamhet för ett avslutat år")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--out", required=True, help="ny eller tom mapp")
    p.set_defaults(func=cmd_diplomas)

    p = sub.add_parser("frameworks", help="kontrollera årens anvisningar: filerna och de år Kvalitetsenheten skrivit i databasen")
    p.set_defaults(func=cmd_frameworks)

    p = sub.add_parser("intake", help="läs Word-filer som bidrag och visa frågor, tecken och fynd")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_intake)

    p = sub.add_parser("reports", help="skriv årets slutliga återkopplingsrapporter och juryunderlaget till en mapp")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--pdf", action="store_true", help="även PDF (kräver LibreOffice)")
    p.set_defaults(func=cmd_reports)

    p = sub.add_parser("templates", help="skriv om standardmallarna i report_templates/")
    p.set_defaults(func=cmd_templates)

    p = sub.add_parser("backup", help="säkerhetskopiera databasen till en ny mapp (när appen är stoppad; "
                                      "medan den kör: ladda ned kopian på sidan Händelselogg)")
    p.add_argument("dir", metavar="DIR")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="ersätt databasen med en säkerhetskopia (mapp eller zip); appen ska vara stoppad")
    p.add_argument("source", metavar="DIR")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("bench", help="mät prestanda som kvoter mot baslinjer i samma körning")
    p.add_argument("figures", nargs="*", metavar="FIGURE")
    p.add_argument("--quick", action="store_true", help="färre upprepningar, för en snabb titt")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
