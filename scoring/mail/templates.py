"""The Swedish wording of every message, as templates the office can edit (with a preview).

Fields are written ``{{ namn }}`` as in the Word templates, with ``{% if … %}`` where a
part depends on something. Templates render in a sandbox with every field required; the
values (names, reasons) go in exactly as they are, never read as template text, so a name
like ``{{ 7*7 }}`` or ``<b>`` comes out literally. Messages are plain text.
"""

from __future__ import annotations

import dataclasses

from jinja2 import StrictUndefined, TemplateError, meta
from jinja2.sandbox import SandboxedEnvironment

from scoring.core import access, versions
from scoring.core.auth import User
from scoring.core.errors import Refused
from scoring.core.store import Store, UnitOfWork, utcnow

MAX_SUBJECT = 200
MAX_BODY = 5_000
SIGNATURE = "Med vänliga hälsningar\nKvalitetsenheten, Stockholms stad"
_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False,
                            trim_blocks=True, lstrip_blocks=True)


class TemplateProblem(Refused):
    """A template the office wrote that cannot be used; the message names what is wrong."""


@dataclasses.dataclass(frozen=True)
class Kind:
    key: str
    title: str                 # the office's name for it
    to: str                    # who gets it
    fields: dict[str, str]     # field -> what it holds
    subject: str
    body: str

    def sample(self) -> dict:
        return {name: SAMPLE.get(name, f"[{name}]") for name in self.fields}


COMMON = {"namn": "mottagarens namn", "ar": "utmärkelseåret", "lank": "länk till sidan i Examinatorsstöd"}
CONTRIBUTION = {"bidrag": "verksamhetens namn (bidraget)"}
TEAM = {"lag": "examinatorslagets namn", "samordnare": "lagsamordnarens namn"}
VISIT = {"datum": "besökets datum", "tid": "besökets tid, eller tomt", "har_tid": "sant när tiden är satt"}
UNIT = {"kontaktperson": "kontaktpersonens namn", "verksamhet": "verksamhetens namn", "ar": "utmärkelseåret"}

KINDS: dict[str, Kind] = {k.key: k for k in (
    Kind("inbjudan", "Inbjudan till en ny examinator", "varje examinator som importeras till registret",
         {**COMMON, "losenordslank": "engångslänk för att välja lösenord (tom när stadens inloggning används)",
          "giltig_till": "när länken slutar gälla"},
         "Välkommen som examinator i Kvalitetsutmärkelsen {{ ar }}",
         "Hej {{ namn }}!\n\n"
         "Du är registrerad som examinator i Stockholms stads kvalitetsutmärkelse {{ ar }}. Bedömningarna görs i "
         "Examinatorsstöd: {{ lank }}\n\n"
         "{% if losenordslank %}"
         "Välj ditt lösenord genom att öppna länken nedan. Länken fungerar en gång och gäller till {{ giltig_till }}.\n"
         "{{ losenordslank }}\n\n"
         "{% else %}"
         "Logga in med ditt konto i staden (Logga in med stadens konto).\n\n"
         "{% endif %}"
         "Du får ett nytt meddelande när ditt examinatorslag har fått sina bidrag.\n\n" + SIGNATURE),
    Kind("tilldelad", "Laget har fått bidrag", "examinatorerna i laget",
         {**COMMON, **TEAM, "bidrag": "lagets bidrag (verksamheternas namn)",
          "sista_dag": "sista dag för individuell bedömning"},
         "Ditt examinatorslag {{ lag }} har fått sina bidrag",
         "Hej {{ namn }}!\n\n"
         "Du är med i examinatorslaget {{ lag }} med {{ samordnare }} som lagsamordnare. Laget ska bedöma: "
         "{{ bidrag }}.\n\n"
         "Gör din individuella bedömning senast {{ sista_dag }}. Innan du öppnar ett bidrag bekräftar du att du "
         "inte har jäv och att du behandlar bidraget konfidentiellt.\n\n"
         "Logga in i Examinatorsstöd: {{ lank }}\n\n" + SIGNATURE),
    Kind("paminnelse_individuell", "Påminnelse: individuell bedömning",
         "examinatorer som inte har lämnat in",
         {**COMMON, "bidrag": "bidragen som inte är inlämnade", "sista_dag": "sista dag",
          "dagar_kvar": "hur långt det är kvar, t.ex. 'om 5 dagar'"},
         "Påminnelse: individuell bedömning senast {{ sista_dag }}",
         "Hej {{ namn }}!\n\n"
         "Din individuella bedömning av {{ bidrag }} är inte inlämnad. Sista dag är {{ sista_dag }} "
         "({{ dagar_kvar }}).\n\n"
         "Logga in i Examinatorsstöd: {{ lank }}\n\n"
         "Behöver du mer tid, hör av dig till din lagsamordnare.\n\n" + SIGNATURE),
    Kind("paminnelse_konsensus", "Påminnelse: konsensus", "lagsamordnare vars konsensus inte är klar",
         {**COMMON, "bidrag": "bidragen där konsensus inte är klar", "sista_dag": "sista dag",
          "dagar_kvar": "hur långt det är kvar"},
         "Påminnelse: konsensus klar senast {{ sista_dag }}",
         "Hej {{ namn }}!\n\n"
         "Konsensus för {{ bidrag }} är inte klar. Enligt schemat ska den vara klar {{ sista_dag }} "
         "({{ dagar_kvar }}).\n\n"
         "Logga in i Examinatorsstöd: {{ lank }}\n\n" + SIGNATURE),
    Kind("ateroppnad", "Bedömningen är öppnad igen", "examinatorn vars bedömning öppnades",
         {**COMMON, **CONTRIBUTION, "orsak": "motiveringen", "av": "vem som öppnade den"},
         "Din bedömning av {{ bidrag }} är öppnad igen",
         "Hej {{ namn }}!\n\n"
         "{{ av }} har öppnat din inlämnade bedömning av {{ bidrag }} igen, med motiveringen:\n\n"
         "{{ orsak }}\n\n"
         "Gör ändringarna och lämna in bedömningen på nytt: {{ lank }}\n\n" + SIGNATURE),
    Kind("konsensus_oppnad", "Konsensus har börjat", "examinatorerna i laget",
         {**COMMON, **CONTRIBUTION, **TEAM, "sista_dag": "när konsensus ska vara klar"},
         "Konsensus för {{ bidrag }} har börjat",
         "Hej {{ namn }}!\n\n"
         "Alla i examinatorslaget {{ lag }} har lämnat in sina bedömningar av {{ bidrag }}, och "
         "{{ samordnare }} har öppnat konsensus. De individuella bedömningarna är nu låsta. Konsensus ska vara "
         "klar {{ sista_dag }}.\n\n"
         "Logga in i Examinatorsstöd: {{ lank }}\n\n" + SIGNATURE),
    Kind("platsbesok", "Platsbesöket är bokat", "examinatorerna i laget",
         {**COMMON, **CONTRIBUTION, **TEAM, **VISIT},
         "Platsbesök hos {{ bidrag }} {{ datum }}",
         "Hej {{ namn }}!\n\n"
         "Platsbesöket hos {{ bidrag }} är bokat {{ datum }}{% if har_tid %} kl. {{ tid }}{% endif %}. "
         "En kalenderinbjudan ligger bifogad.\n\n"
         "Frågorna till besöket finns i Examinatorsstöd: {{ lank }}\n\n" + SIGNATURE),
    Kind("aterbesok", "Återbesöket är bokat", "examinatorerna i laget",
         {**COMMON, **CONTRIBUTION, **TEAM, **VISIT},
         "Återbesök hos {{ bidrag }} {{ datum }}",
         "Hej {{ namn }}!\n\n"
         "Återbesöket hos {{ bidrag }}, där laget ger verksamheten sin återkoppling, är bokat {{ datum }}"
         "{% if har_tid %} kl. {{ tid }}{% endif %}. En kalenderinbjudan ligger bifogad.\n\n"
         "Logga in i Examinatorsstöd: {{ lank }}\n\n" + SIGNATURE),
    Kind("andringsbegaran", "Ändringsbegäran till verksamheten", "verksamhetens kontaktperson",
         {**UNIT, "orsak": "vad verksamheten ska ändra", "sista_dag": "när den rättade versionen ska vara inne",
          "arbetsdagar": "antal arbetsdagar"},
         "Kvalitetsutmärkelsen {{ ar }}: ert bidrag behöver rättas senast {{ sista_dag }}",
         "Hej {{ kontaktperson }}!\n\n"
         "Tack för bidraget från {{ verksamhet }} till Kvalitetsutmärkelsen {{ ar }}. Innan bedömningen kan "
         "börja behöver ni ändra följande:\n\n"
         "{{ orsak }}\n\n"
         "Skicka den rättade versionen till oss senast {{ sista_dag }} ({{ arbetsdagar }} arbetsdagar). "
         "Svara på det här meddelandet om något är oklart.\n\n" + SIGNATURE),
    Kind("rattad_version", "Bekräftelse: rättad version mottagen", "verksamhetens kontaktperson",
         {**UNIT, "mottagen": "när den rättade versionen kom in"},
         "Kvalitetsutmärkelsen {{ ar }}: vi har tagit emot er rättade version",
         "Hej {{ kontaktperson }}!\n\n"
         "Vi har tagit emot den rättade versionen av bidraget från {{ verksamhet }} ({{ mottagen }}). "
         "Den ersätter den tidigare versionen, och bidraget går nu vidare till bedömning.\n\n" + SIGNATURE),
)}

SAMPLE = {
    "namn": "Erik Lind", "ar": 2026, "lank": "https://examinatorsstod.example.se/bedomning",
    "losenordslank": "https://examinatorsstod.example.se/?losenord=exempel", "giltig_till": "3 september 2026 kl. 14.00",
    "lag": "Lag Skeppsholmen", "samordnare": "Maria Holm", "bidrag": "Förskolan Solen och Hemtjänsten Farsta",
    "sista_dag": "28 augusti 2026", "dagar_kvar": "om 5 dagar", "orsak": "Bedöm fråga 7 utifrån bedömningsgrunderna.",
    "av": "Maria Holm", "datum": "22 september 2026", "tid": "09.00–12.00", "har_tid": True,
    "kontaktperson": "Anna Berg", "verksamhet": "Förskolan Solen", "arbetsdagar": 2,
    "mottagen": "12 maj 2026 kl. 10.15",
}


# --- rendering ----------------------------------------------------------------------------


def _compile(kind: Kind, name: str, source: str):
    try:
        parsed = _ENV.parse(source)
    except TemplateError as exc:
        line = f" (rad {exc.lineno})" if getattr(exc, "lineno", None) else ""
        raise TemplateProblem(f"{name}: mallen går inte att läsa{line}: {exc.message}.") from None
    unknown = sorted(meta.find_undeclared_variables(parsed) - set(kind.fields))
    if unknown:
        raise TemplateProblem(f"{name}: okänt fält {', '.join('{{ ' + u + ' }}' for u in unknown)}. Fälten som "
                              f"finns: {', '.join(kind.fields)}.")
    return _ENV.from_string(source)


def render(kind: Kind, subject: str, body: str, context: dict) -> tuple[str, str]:
    """The message's subject (one line) and body for these values."""
    try:
        rendered_subject = _compile(kind, "Ämnesraden", subject).render(context)
        rendered_body = _compile(kind, "Texten", body).render(context)
    except TemplateProblem:
        raise
    except TemplateError as exc:
        raise TemplateProblem(f"Mallen går inte att använda: {exc}.") from None
    return " ".join(rendered_subject.split()), rendered_body.strip() + "\n"


def check(kind: Kind, subject: str, body: str) -> tuple[str, str]:
    """Refuse a template the office wrote, naming what is wrong; else its preview."""
    if not subject.strip():
        raise TemplateProblem("Ämnesraden får inte vara tom.")
    if not body.strip():
        raise TemplateProblem("Texten får inte vara tom.")
    if len(subject) > MAX_SUBJECT:
        raise TemplateProblem(f"Ämnesraden har {len(subject)} tecken; högst {MAX_SUBJECT} går att spara.")
    if len(body) > MAX_BODY:
        raise TemplateProblem(f"Texten har {len(body)} tecken; högst {MAX_BODY} går att spara.")
    return render(kind, subject, body, kind.sample())


# --- the office's wording in the store ---------------------------------------------------------


def current(reader, kind_key: str) -> tuple[str, str, int]:
    """(subject, body, version) in use: the office's own, or the default (version 0)."""
    row = reader.fetchone("SELECT subject, body, version FROM mail_templates WHERE kind = ?", [kind_key])
    if row:
        return row[0], row[1], row[2]
    kind = KINDS[kind_key]
    return kind.subject, kind.body, 0


def rendered(uow: UnitOfWork, kind_key: str, context: dict) -> tuple[str, str]:
    subject, body, _ = current(uow, kind_key)
    return render(KINDS[kind_key], subject, body, context)


def templates(store: Store, user: User) -> list[dict]:
    access.require(store, user, "mail.templates")
    rows = []
    for kind in KINDS.values():
        subject, body, version = current(store, kind.key)
        rows.append({"kind": kind, "subject": subject, "body": body, "version": version,
                     "default": (subject, body) == (kind.subject, kind.body)})
    return rows


def save(store: Store, user: User, kind_key: str, expected_version: int, subject: str, body: str) -> int:
    """Store the office's wording after checking it; a stale save is refused with what changed."""
    access.require(store, user, "mail.templates")
    kind = KINDS[kind_key]
    check(kind, subject, body)
    with store.write(user.email) as uow:
        before_subject, before_body, version = current(uow, kind_key)
        versions.require_fresh(uow, entity="mail_templates", entity_id=kind_key, current=version,
                               expected=expected_version, parts=[versions.WHOLE],
                               message=f"Mallen {kind.title.lower()} har ändrats av någon annan sedan du öppnade "
                               "den. Ladda om sidan och gör ändringen igen.")
        uow.execute("INSERT INTO mail_templates (kind, subject, body, updated_by, updated_at, version)"
                    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (kind) DO UPDATE SET subject = excluded.subject,"
                    " body = excluded.body, updated_by = excluded.updated_by, updated_at = excluded.updated_at,"
                    " version = excluded.version", [kind_key, subject, body, user.email, utcnow(), version + 1])
        uow.audit("ändra e-postmall", "mail_templates", kind_key,
                  *versions.entry({"before": {"subject": before_subject, "body": before_body},
                                   "subject": subject, "body": body}, version, version + 1))
    return version + 1


def reset(store: Store, user: User, kind_key: str, expected_version: int) -> int:
    """Back to the workbench's own wording."""
    kind = KINDS[kind_key]
    return save(store, user, kind_key, expected_version, kind.subject, kind.body)
