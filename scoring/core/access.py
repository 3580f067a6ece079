"""Who may do what: one table of permissions built from named predicates.

The core asks ``require(store, user, "dossier.read", year=...)`` before it acts; pages ask
``can(...)`` to decide what to show. Nothing else compares roles: a new rule is a new
line in ``PERMISSIONS``, and the access-matrix test is generated from that table.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scoring.core.auth import User
    from scoring.core.store import Store


class AccessDenied(PermissionError):
    """The acting user may not see or change this; the message is Swedish."""


class DeclarationRequired(AccessDenied):
    """An examiner must declare conflicts and confidentiality before reading."""


# --- what a question is about ----------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Ask:
    store: Store
    user: User
    year: int | None = None
    contribution_id: int | None = None
    # Each predicate is answered once per question, however many permissions ask it.
    answers: dict = dataclasses.field(default_factory=dict, compare=False, repr=False)


class Predicate:
    """A named yes/no about an ``Ask``; combine with ``|``, ``&`` and ``~``."""

    def __init__(self, name: str, test: Callable[[Ask], bool]) -> None:
        self.name, self.test = name, test

    def __call__(self, ask: Ask) -> bool:
        if self.name not in ask.answers:
            ask.answers[self.name] = bool(self.test(ask))
        return ask.answers[self.name]

    def __or__(self, other: Predicate) -> Predicate:
        return Predicate(f"({self.name} eller {other.name})", lambda a: self(a) or other(a))

    def __and__(self, other: Predicate) -> Predicate:
        return Predicate(f"({self.name} och {other.name})", lambda a: self(a) and other(a))

    def __invert__(self) -> Predicate:
        return Predicate(f"inte {self.name}", lambda a: not self(a))

    def __repr__(self) -> str:
        return self.name


def predicate(test: Callable[[Ask], bool]) -> Predicate:
    return Predicate(test.__name__, test)


@predicate
def is_admin(ask: Ask) -> bool:
    return ask.user.role == "admin"


@predicate
def is_examiner(ask: Ask) -> bool:
    return ask.user.role == "examinator"


@predicate
def is_preparatory(ask: Ask) -> bool:
    return ask.user.role == "beredningsgrupp"


@predicate
def is_jury(ask: Ask) -> bool:
    return ask.user.role == "domarkommitte"


@predicate
def coordinates_a_team(ask: Ask) -> bool:
    """An examiner who coordinates one of the year's teams."""
    return is_examiner(ask) and ask.year is not None and ask.store.cached(
        ("is_coordinator", ask.year, ask.user.id), lambda: ask.store.fetchone(
            "SELECT 1 FROM teams WHERE year = ? AND coordinator_id = ?", [ask.year, ask.user.id])) is not None


@predicate
def leads_the_team(ask: Ask) -> bool:
    """Coordinates the team the contribution is assigned to."""
    return ask.contribution_id is not None and ask.store.cached(
        ("leads", ask.user.id, ask.contribution_id), lambda: ask.store.fetchone(
            "SELECT 1 FROM assignments s JOIN teams t ON t.id = s.team_id WHERE s.contribution_id = ?"
            " AND t.coordinator_id = ?", [ask.contribution_id, ask.user.id])) is not None


@predicate
def in_the_team(ask: Ask) -> bool:
    """A member of the contribution's team who has not declared a conflict on it."""
    return is_examiner(ask) and ask.contribution_id is not None and _visibility(
        ask.store, ask.user, ask.contribution_id)[0]


@predicate
def has_declared(ask: Ask) -> bool:
    return ask.contribution_id is not None and _visibility(ask.store, ask.user, ask.contribution_id)[1]


# Only a proposal for an award or an honourable mention takes a contribution on to the
# preparatory group and the jury; "inget förslag" does not.
CANDIDATE_PROPOSALS = ("utmarkelse", "hedersomnamnande")
_CANDIDATE_SQL = "p.proposal IN ('utmarkelse', 'hedersomnamnande')"


@predicate
def is_proposed(ask: Ask) -> bool:
    """The team has proposed it for an award or an honourable mention: it reaches the jury."""
    return ask.contribution_id is not None and ask.store.cached(
        ("is_proposed", ask.contribution_id), lambda: ask.store.fetchone(
            f"SELECT 1 FROM proposals p WHERE p.contribution_id = ? AND {_CANDIDATE_SQL}",
            [ask.contribution_id])) is not None


def _year_of(ask: Ask) -> int | None:
    if ask.year is not None:
        return ask.year
    if ask.contribution_id is None:
        return None
    row = ask.store.cached(("year_of", ask.contribution_id), lambda: ask.store.fetchone(
        "SELECT year FROM contributions WHERE id = ?", [ask.contribution_id]))
    return row[0] if row else None


@predicate
def is_jury_member(ask: Ask) -> bool:
    """A jury account the office has listed as a member of the year's jury committee."""
    year = _year_of(ask)
    return is_jury(ask) and year is not None and ask.store.cached(
        ("jury_member", year, ask.user.id), lambda: ask.store.fetchone(
            "SELECT 1 FROM jury_members WHERE year = ? AND user_id = ?", [year, ask.user.id])) is not None


@predicate
def jury_declared(ask: Ask) -> bool:
    """A jury member who has declared conflicts of interest on every candidate of the year."""
    year = _year_of(ask)
    return is_jury_member(ask) and ask.store.cached(("jury_declared", year, ask.user.id), lambda: ask.store.fetchone(
        "SELECT count(*) FROM proposals p JOIN contributions c ON c.id = p.contribution_id"
        f" WHERE c.year = ? AND {_CANDIDATE_SQL} AND NOT EXISTS (SELECT 1 FROM jury_declarations d"
        "  WHERE d.contribution_id = p.contribution_id AND d.user_id = ?)", [year, ask.user.id]))[0] == 0


above_the_teams = is_preparatory | is_jury
# The jury sees candidates only after declaring conflicts of interest, as examiners do.
jury_cleared = ~is_jury | jury_declared
jury_side = is_admin | (above_the_teams & jury_cleared)
leads = is_admin | leads_the_team
sees_contribution = is_admin | in_the_team | (above_the_teams & is_proposed & jury_cleared)


# --- the table ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Permission:
    rule: Predicate
    refusal: str                       # the Swedish answer when refused
    needs: tuple[str, ...] = ()        # what the question must name: "year", "contribution"


OFFICE = "Bara Kvalitetsenheten "
PERMISSIONS: dict[str, Permission] = {
    # the year
    "year.status": Permission(is_admin, OFFICE + "ser årets status och alla lags framsteg."),
    "year.agreement": Permission(is_admin, OFFICE + "ser årets samstämmighet."),
    "year.lock": Permission(is_admin | is_jury, "Bara juryn eller Kvalitetsenheten avslutar året."),
    "year.setup": Permission(is_admin, OFFICE + "lägger upp utmärkelseår, schema och årets faser."),
    "settings.change": Permission(is_admin, OFFICE + "ändrar inställningarna."),
    "accounts.manage": Permission(is_admin, OFFICE + "hanterar konton."),
    "audit.read": Permission(is_admin, OFFICE + "ser händelseloggen."),
    "backup.download": Permission(is_admin, OFFICE + "tar ut säkerhetskopior."),
    # intake
    "intake.manage": Permission(is_admin, OFFICE + "tar emot bidrag."),
    "eligibility.read": Permission(sees_contribution, "Du har inte behörighet till det här bidraget.",
                                   ("contribution",)),
    "eligibility.record": Permission(is_admin, OFFICE + "för registret över grundläggande kontroll."),
    # teams
    "examiners.manage": Permission(is_admin, OFFICE + "hanterar examinatorsregistret."),
    "teams.manage": Permission(is_admin, OFFICE + "bildar lag och tilldelar bidrag."),
    "conflicts.declare": Permission(in_the_team, "Du kan bara lämna jävsdeklaration för ditt lags bidrag.",
                                    ("contribution",)),
    "conflicts.review": Permission(is_admin, OFFICE + "ser anmälda jäv."),
    "team.progress": Permission(coordinates_a_team, "Bara lagsamordnaren ser lagets framsteg.", ("year",)),
    # contributions and individual assessment
    "contribution.see": Permission(sees_contribution, "Du har inte behörighet till det här bidraget.",
                                   ("contribution",)),
    "contribution.read": Permission(sees_contribution & (~is_examiner | has_declared),
                                    "Du har inte behörighet till det här bidraget.", ("contribution",)),
    "assessment.own": Permission(is_examiner & in_the_team & has_declared,
                                 "Bara examinatorer i bidragets lag gör individuella bedömningar.",
                                 ("contribution",)),
    "assessment.progress": Permission(is_examiner, "Bara examinatorer har egna bedömningar."),
    # Reading the assessments of a contribution: an examiner their own, and the teammates'
    # handed-in work once their own is handed in; only the office sees another's draft.
    "assessments.read": Permission(is_admin | in_the_team, "Bara laget och Kvalitetsenheten läser bidragets "
                                   "individuella bedömningar.", ("contribution",)),
    "assessments.drafts": Permission(is_admin, OFFICE + "ser andras utkast."),
    "assessment.reopen": Permission(leads, "Bara lagets samordnare eller Kvalitetsenheten kan öppna en inlämnad "
                                           "bedömning.", ("contribution",)),
    # consensus, site visit, proposal
    "consensus.lead": Permission(leads, "Bara lagets samordnare eller Kvalitetsenheten leder konsensus för "
                                        "bidraget.", ("contribution",)),
    "consensus.results": Permission(leads | (above_the_teams & is_proposed),
                                    "Du har inte behörighet till det här bidragets konsensus.", ("contribution",)),
    # reports
    "report.write": Permission(leads, "Bara lagets samordnare eller Kvalitetsenheten skriver bidragets rapport.",
                               ("contribution",)),
    "reports.settings": Permission(is_admin, OFFICE + "bestämmer om rapporterna visar poäng."),
    "reports.templates": Permission(is_admin, OFFICE + "byter rapportmallar."),
    "reports.final": Permission(is_admin, OFFICE + "gör rapporter slutliga och tar ut årets alla rapporter."),
    "scores.workbook": Permission(is_admin, OFFICE + "tar ut årets poäng."),
    # after the jury
    "feedback.manage": Permission(leads, "Bara lagets samordnare eller Kvalitetsenheten bokar återbesöket och lämnar "
                                         "över rapporten.", ("contribution",)),
    "feedback.override": Permission(is_admin, OFFICE + "lämnar över en rapport före utdelningen eller återbesöket."),
    "results.make": Permission(is_admin, OFFICE + "tar fram diplom, årets resultat och mottagarna av prispengar."),
    # the jury
    "dossier.read": Permission(jury_side, "Juryunderlaget är för Kvalitetsenheten, beredningsgruppen och juryn "
                                          "(juryns ledamöter efter sin jävsdeklaration)."),
    "dossier.prepare": Permission(is_admin | is_preparatory, "Bara beredningsgruppen och Kvalitetsenheten "
                                                            "bereder juryunderlaget."),
    "jury.shortlist": Permission(jury_side, "Beredningen och besluten är för beredningsgruppen, juryn och "
                                            "Kvalitetsenheten (juryns ledamöter efter sin jävsdeklaration)."),
    "archive.read": Permission(is_admin | above_the_teams, "Arkivet är för Kvalitetsenheten, beredningsgruppen "
                                                          "och juryn."),
    "jury.pseudonyms": Permission(is_admin, OFFICE + "ändrar inställningen."),
    "jury.real_names": Permission(is_admin, "Namnen är dolda för beredningsgruppen och juryn."),
    "jury.members": Permission(is_admin, OFFICE + "för listan över domarkommitténs ledamöter."),
    "jury.declare": Permission(is_jury_member, "Bara domarkommitténs ledamöter lämnar jävsdeklaration här.",
                               ("year",)),
    "jury.decide": Permission(is_jury_member & jury_declared, "Bara domarkommitténs ledamöter fattar beslut, "
                                                              "efter sin jävsdeklaration.", ("year",)),
    # e-mail
    "mail.outbox": Permission(is_admin, OFFICE + "ser utkorgen och skickar meddelanden igen."),
    "mail.templates": Permission(is_admin, OFFICE + "ändrar e-postmallarna."),
    "mail.reminders": Permission(is_admin, OFFICE + "skickar påminnelser och stoppar dem för någon."),
    "mail.own": Permission(is_admin | is_examiner | above_the_teams, "Logga in för att se dina meddelanden."),
    # the year's framework
    "frameworks.edit": Permission(is_admin, OFFICE + "skriver anvisningarna för ett nytt år."),
}

# Pages by key, in menu order. A page is a permission like any other.
PAGES: dict[str, Predicate] = {
    "start": is_admin | is_examiner | above_the_teams,
    "aretsgang": is_admin,
    "ar": is_admin,
    "skriv_anvisningar": is_admin,
    "anmalningar": is_admin,
    "intag": is_admin,
    "granskning": is_admin,
    "behorighet": is_admin,
    "examinatorer": is_admin,
    "lag": is_admin,
    "bedomning": is_examiner,
    "konsensus": is_admin | coordinates_a_team,
    "rapporter": is_admin | coordinates_a_team,
    "aterbesok": is_admin | coordinates_a_team,
    "mallar": is_admin,
    "beredning": jury_side,
    "beslut": is_admin | is_jury,
    "resultat": is_admin,
    "arkiv": is_admin | above_the_teams,
    "bidrag": is_admin | is_examiner,
    "anvisningar": is_admin | is_examiner | above_the_teams,
    "konton": is_admin,
    "utskick": is_admin,
    "logg": is_admin,
    "meddelanden": is_admin | is_examiner | above_the_teams,
}
for _key, _rule in PAGES.items():
    PERMISSIONS[f"page.{_key}"] = Permission(_rule, "Sidan är inte till för din roll.")


def _allows(ask: Ask, permission: str) -> bool:
    entry = PERMISSIONS[permission]  # an unknown name is a programming error, never a "no"
    if "contribution" in entry.needs and ask.contribution_id is None:
        raise TypeError(f"{permission} needs a contribution")
    if "year" in entry.needs and ask.year is None:
        raise TypeError(f"{permission} needs a year")
    return entry.rule(ask)


def can(store: Store, user: User, permission: str, *, year: int | None = None,
        contribution_id: int | None = None) -> bool:
    return _allows(Ask(store, user, year, contribution_id), permission)


def require(store: Store, user: User, permission: str, *, year: int | None = None,
            contribution_id: int | None = None) -> None:
    if not can(store, user, permission, year=year, contribution_id=contribution_id):
        raise AccessDenied(PERMISSIONS[permission].refusal)


# --- questions the pages and the core ask often -------------------------------------------


def role_label(store: Store, user: User, year: int | None) -> str:
    if year is not None and can(store, user, "team.progress", year=year):
        return "Lagsamordnare"
    return user.role_label


def page_keys(store: Store, user: User, year: int | None) -> list[str]:
    ask = Ask(store, user, year)
    return [key for key in PAGES if _allows(ask, f"page.{key}")]


def visible_contribution_ids(store: Store, user: User, year: int) -> list[int]:
    """The contributions this user may read in a year (``contribution.see`` for a whole year)."""
    return list(store.cached(("visible_ids", user.id, user.role, year),
                             lambda: tuple(_visible_ids(store, user, year))))


def _visible_ids(store: Store, user: User, year: int) -> list[int]:
    ask = Ask(store, user, year)
    if is_admin(ask):
        rows = store.fetchall("SELECT id FROM contributions WHERE year = ? ORDER BY id", [year])
    elif is_examiner(ask):
        # Only the team's contributions, and not one the examiner declared a conflict on.
        rows = store.fetchall(
            "SELECT c.id FROM contributions c"
            " JOIN assignments a ON a.contribution_id = c.id"
            " JOIN team_members m ON m.team_id = a.team_id"
            " WHERE c.year = ? AND m.user_id = ?"
            " AND NOT EXISTS (SELECT 1 FROM conflict_declarations d"
            "   WHERE d.contribution_id = c.id AND d.user_id = m.user_id AND d.has_conflict)"
            " ORDER BY c.id",
            [year, user.id],
        )
    elif above_the_teams(ask) and jury_cleared(ask):
        # The preparatory group and the (declared) jury see the candidates: contributions
        # proposed for an award or an honourable mention.
        rows = store.fetchall(
            "SELECT c.id FROM contributions c JOIN proposals p ON p.contribution_id = c.id"
            f" WHERE c.year = ? AND {_CANDIDATE_SQL} ORDER BY c.id",
            [year],
        )
    else:
        rows = []
    return [r[0] for r in rows]


def _visibility(store: Store, user: User, contribution_id: int) -> tuple[bool, bool]:
    """(member of its team without a conflict, has declared), in one cached query."""
    row = store.cached(("visibility", user.id, contribution_id), lambda: store.fetchone(
        "SELECT EXISTS (SELECT 1 FROM assignments a JOIN team_members m ON m.team_id = a.team_id"
        " WHERE a.contribution_id = c.id AND m.user_id = ?) AND NOT coalesce(d.has_conflict, FALSE),"
        " d.user_id IS NOT NULL FROM contributions c LEFT JOIN conflict_declarations d"
        " ON d.contribution_id = c.id AND d.user_id = ? WHERE c.id = ?",
        [user.id, user.id, contribution_id],
    ))
    return (bool(row[0]), bool(row[1])) if row else (False, False)


def examiner_account(role: str) -> bool:
    """Whether an account (not the one acting) holds the examiner role: for imports."""
    return role == "examinator"


def jury_account(role: str) -> bool:
    """Whether an account (not the one acting) is a jury committee account: for the member list."""
    return role == "domarkommitte"


def require_contribution(store: Store, user: User, contribution_id: int) -> None:
    require(store, user, "contribution.see", contribution_id=contribution_id)


def needs_declaration(store: Store, user: User, contribution_id: int) -> bool:
    """An examiner of the team who has not yet declared conflicts and confidentiality."""
    return can(store, user, "contribution.see", contribution_id=contribution_id) and not can(
        store, user, "contribution.read", contribution_id=contribution_id)


def require_readable(store: Store, user: User, contribution_id: int, *also: str) -> None:
    """May read the contribution's content: visible, and for an examiner, declared first;
    and whatever else ``also`` names about the same contribution."""
    ask = Ask(store, user, None, contribution_id)
    if not _allows(ask, "contribution.see"):
        raise AccessDenied(PERMISSIONS["contribution.see"].refusal)
    if not _allows(ask, "contribution.read"):
        raise DeclarationRequired("Bekräfta att du inte har jäv och att du behandlar bidraget "
                                  "konfidentiellt innan du öppnar det.")
    for permission in also:
        if not _allows(ask, permission):
            raise AccessDenied(PERMISSIONS[permission].refusal)
