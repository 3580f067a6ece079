"""Examiner teams and assignment: a proposal that explains itself, and manual changes.

Teams have 3–4 examiners and one coordinator and take 1–2 contributions each; no
examiner may have a conflict with any contribution of their team. Among proposals that
satisfy that, the greedy placement prefers teams that mix organisations and
competences and spreads new examiners, so that each team has experienced members.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter

from scoring.core import access
from scoring.core.auth import User
from scoring.core.errors import Refused
from scoring.core.store import Store
from scoring.core.text import count as number_of
from scoring.mail import notices
from scoring.teams.conflicts import Examiner, Unit, conflicts, describe, load_examiners, load_units
from scoring.year import phases

MIN_SIZE, MAX_SIZE = 3, 4
MIN_LOAD, MAX_LOAD = 1, 2
TEAM_NAMES = ["Skeppsholmen", "Djurgården", "Kastellholmen", "Långholmen", "Reimersholme", "Kungsholmen",
              "Lidingö", "Fjäderholmarna", "Beckholmen", "Stora Essingen", "Lilla Essingen", "Kärrtorp"]


class TeamError(Refused):
    """A team change that breaks a rule; the message is Swedish."""


@dataclasses.dataclass
class ProposedTeam:
    name: str
    members: list[Examiner]
    coordinator: Examiner
    units: list[Unit]
    notes: list[str]


@dataclasses.dataclass
class Proposal:
    teams: list[ProposedTeam]
    conflicts_avoided: list[str]
    unplaced_examiners: list[Examiner]
    summary: list[str]
    # False when teams have started work: the proposal only adds teams for what is left.
    replaces_all: bool = True


def _team_count(examiners: int, contributions: int) -> int:
    fewest = math.ceil(contributions / MAX_LOAD)
    if examiners < fewest * MIN_SIZE:
        raise TeamError(
            f"För få examinatorer: {contributions} bidrag kräver minst {fewest} lag och "
            f"{fewest * MIN_SIZE} examinatorer, men registret har {examiners}."
        )
    # As many teams as the examiners fill (3–4 each), but never more teams than contributions.
    return max(fewest, min(contributions, examiners // MIN_SIZE, math.ceil(examiners / MAX_SIZE)))


def propose(examiners: list[Examiner], units: list[Unit], taken_names: frozenset[str] = frozenset()) -> Proposal:
    """A conflict-free team proposal, with the reasons it looks as it does."""
    if not units:
        raise TeamError("Det finns inga bidrag att fördela.")
    count = _team_count(len(examiners), len(units))
    # Spread contributions over teams round robin, ordered by class, so each team gets
    # different kinds of units and the load differs by at most one.
    ordered = sorted(units, key=lambda u: (u.class_code or "", u.contribution_id))
    buckets: list[list[Unit]] = [[] for _ in range(count)]
    for index, unit in enumerate(ordered):
        buckets[index % count].append(unit)
    blocked = {
        (e.id, t): [c for u in bucket for c in [conflicts(e, u)] if c]
        for e in examiners for t, bucket in enumerate(buckets)
    }
    avoided = sorted({
        describe(e, u, codes) for e in examiners for u in units if (codes := conflicts(e, u))
    })
    # Hardest to place first: most blocked teams, then the experienced (future coordinators).
    order = sorted(examiners, key=lambda e: (-sum(bool(blocked[(e.id, t)]) for t in range(count)),
                                            e.is_new, -e.years_as_examiner, e.id))
    members: list[list[Examiner]] = [[] for _ in range(count)]
    unplaced = []
    for examiner in order:
        open_teams = [t for t in range(count) if not blocked[(examiner.id, t)] and len(members[t]) < MAX_SIZE]
        if not open_teams:
            unplaced.append(examiner)
            continue
        members[min(open_teams, key=lambda t: _cost(examiner, members[t]))].append(examiner)
    _fill_small_teams(members, blocked, count)
    names = (f"Lag {n}" for n in TEAM_NAMES * (2 + count // len(TEAM_NAMES)) if f"Lag {n}" not in taken_names)
    teams = []
    for t in range(count):
        if not members[t]:
            continue
        coordinator = max(members[t], key=lambda e: (not e.is_new, e.years_as_examiner, -e.id))
        orgs = Counter(e.organisation for e in members[t])
        notes = [
            f"{number_of(len(members[t]), 'examinator', 'examinatorer')}, {len(buckets[t])} bidrag.",
            f"Lagsamordnare: {coordinator.name} ({coordinator.years_as_examiner} år som examinator).",
            f"Förvaltningar/bolag: {len(orgs)} olika.",
            f"Nya examinatorer: {sum(e.is_new for e in members[t])}.",
        ]
        if len(members[t]) < MIN_SIZE:
            notes.append(f"För litet lag: minst {MIN_SIZE} behövs – komplettera för hand.")
        teams.append(ProposedTeam(next(names), members[t], coordinator, buckets[t], notes))
    summary = [
        f"{len(units)} bidrag fördelade på {len(teams)} lag ({MIN_LOAD}–{MAX_LOAD} bidrag per lag).",
        f"{len(examiners) - len(unplaced)} av {len(examiners)} examinatorer placerade, "
        f"{MIN_SIZE}–{MAX_SIZE} per lag.",
        f"{len(avoided)} jävssituationer undvikna.",
    ]
    if unplaced:
        summary.append("Kunde inte placeras utan jäv eller för att lagen var fulla: "
                       + ", ".join(e.name for e in unplaced) + ".")
    return Proposal(teams, avoided, unplaced, summary)


def _cost(examiner: Examiner, team: list[Examiner]) -> tuple:
    same_org = sum(m.organisation == examiner.organisation for m in team)
    shared_skills = sum(len(set(m.competences) & set(examiner.competences)) for m in team)
    new_together = sum(m.is_new for m in team) if examiner.is_new else 0
    no_experience = 0 if examiner.is_new or any(not m.is_new for m in team) else -1
    return (len(team) >= MIN_SIZE, same_org, new_together, no_experience, shared_skills, len(team))


def _fill_small_teams(members: list[list[Examiner]], blocked: dict, count: int) -> None:
    """Move examiners from teams above the minimum to teams below it, where allowed."""
    for small in [t for t in range(count) if len(members[t]) < MIN_SIZE]:
        for donor in sorted(range(count), key=lambda t: -len(members[t])):
            while len(members[small]) < MIN_SIZE and len(members[donor]) > MIN_SIZE:
                movable = [e for e in members[donor] if not blocked[(e.id, small)]]
                if not movable:
                    break
                members[donor].remove(movable[-1])
                members[small].append(movable[-1])


# --- the store ----------------------------------------------------------------------------


def work_started(store: Store, year: int) -> bool:
    """Whether anyone has begun an individual assessment this year."""
    return bool(store.fetchone(
        "SELECT count(*) FROM assessments a JOIN contributions c ON c.id = a.contribution_id WHERE c.year = ?",
        [year])[0])


def propose_for_year(store: Store, user: User, year: int) -> Proposal:
    """Before work starts: teams for everything. After: new teams only for the contributions
    without a team, from the examiners without one, never touching teams at work."""
    access.require(store, user, "teams.manage")
    if not work_started(store, year):
        return propose(load_examiners(store), load_units(store, year))
    placed = {r[0] for r in store.fetchall(
        "SELECT m.user_id FROM team_members m JOIN teams t ON t.id = m.team_id WHERE t.year = ?", [year])}
    assigned = {r[0] for r in store.fetchall(
        "SELECT s.contribution_id FROM assignments s JOIN contributions c ON c.id = s.contribution_id"
        " WHERE c.year = ?", [year])}
    units = [u for u in load_units(store, year) if u.contribution_id not in assigned]
    if not units:
        raise TeamError("Alla bidrag har redan ett lag. Lagen som har börjat arbeta ändras bara för hand.")
    names = frozenset(r[0] for r in store.fetchall("SELECT name FROM teams WHERE year = ?", [year]))
    proposal = propose([e for e in load_examiners(store) if e.id not in placed], units, names)
    proposal.replaces_all = False
    proposal.summary.insert(0, "Bedömningarna har börjat: förslaget gäller bara bidragen utan lag och examinatorerna "
                               "utan lag; lagen som arbetar ändras inte.")
    return proposal


def apply(store: Store, user: User, year: int, proposal: Proposal, reason: str = "Förslag från verktyget") -> None:
    """Use a proposal: before work starts it replaces the year's teams; after, it adds its teams."""
    access.require(store, user, "teams.manage")
    if proposal.replaces_all and work_started(store, year):
        raise TeamError("Bedömningar har redan påbörjats; ta fram ett nytt förslag, som bara gäller bidragen "
                        "utan lag, eller ändra lagen för hand.")
    with store.write(user.email) as uow:
        if proposal.replaces_all:
            old = uow.fetchall("SELECT id FROM teams WHERE year = ?", [year])
            for (team_id,) in old:
                uow.execute("DELETE FROM team_members WHERE team_id = ?", [team_id])
            uow.execute("DELETE FROM assignments WHERE contribution_id IN (SELECT id FROM contributions"
                        " WHERE year = ?)", [year])
            uow.execute("DELETE FROM teams WHERE year = ?", [year])
        else:
            proposed = [u.contribution_id for t in proposal.teams for u in t.units]
            placeholders = ", ".join("?" * len(proposed)) or "NULL"
            if uow.fetchone(f"SELECT count(*) FROM assignments WHERE contribution_id IN ({placeholders})",
                            proposed)[0]:
                raise TeamError("Någon har gett bidragen lag sedan förslaget togs fram; ta fram ett nytt förslag.")
        for team in proposal.teams:
            team_id = uow.fetchone("INSERT INTO teams (year, name, coordinator_id) VALUES (?, ?, ?) RETURNING id",
                                   [year, team.name, team.coordinator.id])[0]
            for member in team.members:
                uow.execute("INSERT INTO team_members VALUES (?, ?)", [team_id, member.id])
            for unit in team.units:
                uow.execute("INSERT INTO assignments (contribution_id, team_id, assigned_by, reason) VALUES (?, ?, ?, ?)",
                            [unit.contribution_id, team_id, user.email, reason])
                phases.transition(uow, phases.CONTRIBUTION, unit.contribution_id, phases.P.TILLDELAD,
                                  only_from=(phases.P.INKOMMET,), action="tilldelad lag")
            uow.audit("bilda lag", "teams", team_id, None, {
                "name": team.name, "members": [m.id for m in team.members], "coordinator": team.coordinator.id,
                "contributions": [u.contribution_id for u in team.units], "reason": reason})
            notices.assigned(uow, team_id)


def _check_no_conflict(store: Store, examiner_id: int, team_id: int, extra_contribution: int | None = None) -> None:
    examiner = next((e for e in load_examiners(store) if e.id == examiner_id), None)
    if examiner is None:
        raise TeamError("Examinatorn finns inte i registret.")
    year = store.fetchone("SELECT year FROM teams WHERE id = ?", [team_id])[0]
    contribution_ids = {r[0] for r in store.fetchall("SELECT contribution_id FROM assignments WHERE team_id = ?",
                                                     [team_id])}
    if extra_contribution:
        contribution_ids.add(extra_contribution)
    for unit in load_units(store, year):
        if unit.contribution_id in contribution_ids and (codes := conflicts(examiner, unit)):
            raise TeamError(f"Går inte: {describe(examiner, unit, codes)}")


def move_examiner(store: Store, user: User, examiner_id: int, to_team_id: int | None, reason: str) -> None:
    """Move an examiner to another team (or out of all teams), with a reason kept."""
    access.require(store, user, "teams.manage")
    if not reason.strip():
        raise TeamError("Ange varför ändringen görs.")
    if to_team_id is not None:
        _check_no_conflict(store, examiner_id, to_team_id)
        size = store.fetchone("SELECT count(*) FROM team_members WHERE team_id = ?", [to_team_id])[0]
        if size >= MAX_SIZE:
            raise TeamError(f"Laget har redan {MAX_SIZE} examinatorer.")
    with store.write(user.email) as uow:
        year = uow.fetchone("SELECT year FROM teams WHERE id = ?", [to_team_id])[0] if to_team_id else None
        before = uow.fetchall(
            "SELECT m.team_id FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.user_id = ?"
            + (" AND t.year = ?" if year else ""), [examiner_id, year] if year else [examiner_id])
        for (team_id,) in before:
            uow.execute("DELETE FROM team_members WHERE team_id = ? AND user_id = ?", [team_id, examiner_id])
            uow.execute("UPDATE teams SET coordinator_id = NULL WHERE id = ? AND coordinator_id = ?",
                        [team_id, examiner_id])
        if to_team_id is not None:
            uow.execute("INSERT INTO team_members VALUES (?, ?)", [to_team_id, examiner_id])
        uow.audit("flytta examinator", "team_members", examiner_id,
                  {"teams": [t for (t,) in before]}, {"team": to_team_id, "reason": reason})
        if to_team_id is not None:
            notices.assigned(uow, to_team_id, [examiner_id])


def set_coordinator(store: Store, user: User, team_id: int, examiner_id: int, reason: str) -> None:
    access.require(store, user, "teams.manage")
    if not reason.strip():
        raise TeamError("Ange varför ändringen görs.")
    if not store.fetchone("SELECT 1 FROM team_members WHERE team_id = ? AND user_id = ?", [team_id, examiner_id]):
        raise TeamError("Lagsamordnaren måste vara med i laget.")
    with store.write(user.email) as uow:
        before = uow.fetchone("SELECT coordinator_id FROM teams WHERE id = ?", [team_id])[0]
        uow.execute("UPDATE teams SET coordinator_id = ? WHERE id = ?", [examiner_id, team_id])
        uow.audit("byt lagsamordnare", "teams", team_id, before, {"coordinator": examiner_id, "reason": reason})


def assign(store: Store, user: User, contribution_id: int, team_id: int, reason: str, *,
           over_load: bool = False) -> None:
    """Give a contribution to a team: no member may have a conflict, and at most two per team
    unless the office knowingly gives it more (a late contribution), with its reason."""
    access.require(store, user, "teams.manage")
    if not reason.strip():
        raise TeamError("Ange varför ändringen görs.")
    load = store.fetchone("SELECT count(*) FROM assignments WHERE team_id = ? AND contribution_id <> ?",
                          [team_id, contribution_id])[0]
    if load >= MAX_LOAD and not over_load:
        raise TeamError(f"Laget har redan {MAX_LOAD} bidrag. Välj ”över den vanliga belastningen” och motivera "
                        "om laget ändå ska ta det.")
    for (member,) in store.fetchall("SELECT user_id FROM team_members WHERE team_id = ?", [team_id]):
        _check_no_conflict(store, member, team_id, extra_contribution=contribution_id)
    with store.write(user.email) as uow:
        before = uow.fetchone("SELECT team_id FROM assignments WHERE contribution_id = ?", [contribution_id])
        uow.execute("INSERT INTO assignments (contribution_id, team_id, assigned_by, reason) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (contribution_id) DO UPDATE SET team_id = excluded.team_id,"
                    " assigned_by = excluded.assigned_by, reason = excluded.reason, assigned_at = now()",
                    [contribution_id, team_id, user.email, reason])
        phases.transition(uow, phases.CONTRIBUTION, contribution_id, phases.P.TILLDELAD,
                          only_from=(phases.P.INKOMMET,), action="tilldelad lag")
        uow.audit("tilldela bidrag", "assignments", contribution_id, before and before[0],
                  {"team": team_id, "reason": reason, **({"over_load": load + 1} if load >= MAX_LOAD else {})})
        notices.assigned(uow, team_id)


def teams_of_year(store: Store, user: User, year: int) -> list[dict]:
    """Every team with members, coordinator and contributions, for the admin."""
    access.require(store, user, "teams.manage")
    teams = store.records("SELECT t.id, t.name, t.coordinator_id FROM teams t WHERE t.year = ? ORDER BY t.id",
                          [year])
    for team in teams:
        team["members"] = store.records(
            "SELECT u.id, u.name, e.organisation, e.is_new, e.years_as_examiner FROM team_members m"
            " JOIN users u ON u.id = m.user_id LEFT JOIN examiners e ON e.user_id = u.id"
            " WHERE m.team_id = ? ORDER BY u.name", [team["id"]])
        team["contributions"] = store.records(
            "SELECT c.id, u.name AS unit, a.reason FROM assignments a JOIN contributions c ON c.id = a.contribution_id"
            " JOIN units u ON u.id = c.unit_id WHERE a.team_id = ? ORDER BY u.name", [team["id"]])
    return teams


def create_team(store: Store, user: User, year: int, name: str, member_ids: list[int], coordinator_id: int,
                reason: str) -> int:
    """A new team mid-year (a late contribution, examiners who joined later); returns its id."""
    access.require(store, user, "teams.manage")
    name = " ".join((name or "").split())
    if not name:
        raise TeamError("Ge laget ett namn.")
    if not reason.strip():
        raise TeamError("Ange varför laget bildas.")
    members = list(dict.fromkeys(member_ids))
    if not members:
        raise TeamError("Välj lagets examinatorer.")
    if len(members) > MAX_SIZE:
        raise TeamError(f"Ett lag har högst {MAX_SIZE} examinatorer.")
    if coordinator_id not in members:
        raise TeamError("Lagsamordnaren måste vara med i laget.")
    known = {e.id: e for e in load_examiners(store)}
    unknown = [m for m in members if m not in known]
    if unknown:
        raise TeamError("Någon av de valda finns inte i examinatorsregistret.")
    with store.write(user.email) as uow:
        if uow.fetchone("SELECT 1 FROM teams WHERE year = ? AND lower(name) = lower(?)", [year, name]):
            raise TeamError(f"Det finns redan ett lag som heter {name}.")
        busy = uow.fetchall("SELECT u.name, t.name FROM team_members m JOIN teams t ON t.id = m.team_id"
                            " JOIN users u ON u.id = m.user_id WHERE t.year = ? AND m.user_id IN"
                            f" ({', '.join('?' * len(members))})", [year, *members])
        if busy:
            raise TeamError("Redan med i ett lag: " + ", ".join(f"{p} ({t})" for p, t in busy)
                            + ". Flytta dem i stället.")
        team_id = uow.fetchone("INSERT INTO teams (year, name, coordinator_id) VALUES (?, ?, ?) RETURNING id",
                               [year, name, coordinator_id])[0]
        for member in members:
            uow.execute("INSERT INTO team_members VALUES (?, ?)", [team_id, member])
        uow.audit("bilda lag", "teams", team_id, None,
                  {"name": name, "members": members, "coordinator": coordinator_id, "reason": reason})
    return team_id


def without_team(store: Store, user: User, year: int) -> dict[str, list[dict]]:
    """Contributions with no team and registered examiners in no team, by name."""
    access.require(store, user, "teams.manage")
    contributions = store.records(
        "SELECT c.id, u.name AS unit, c.late FROM contributions c JOIN units u ON u.id = c.unit_id"
        " WHERE c.year = ? AND NOT EXISTS (SELECT 1 FROM assignments s WHERE s.contribution_id = c.id)"
        " ORDER BY lower(u.name)", [year])
    examiners = store.records(
        "SELECT u.id, u.name, e.organisation FROM examiners e JOIN users u ON u.id = e.user_id WHERE u.active"
        " AND NOT EXISTS (SELECT 1 FROM team_members m JOIN teams t ON t.id = m.team_id"
        "   WHERE t.year = ? AND m.user_id = u.id) ORDER BY lower(u.name)", [year])
    return {"contributions": contributions, "examiners": examiners}
