"""Eligibility and the basic control, year by year, and the archive's waiting rules; each
rule checked against the sentence of the city's documents it rests on."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from seeds import Y2012, Y2026, says

from scoring.core import access, auth
from scoring.intake import eligibility
from scoring.intake.eligibility import (
    INCOMPLETE,
    MAY_NOT,
    MAY_TAKE_PART,
    NO_AWARD,
    NOT_ASSESSED,
    BasicControl,
    Facts,
    evaluate,
    may_receive,
)
from scoring.year.framework import load_framework

F2026, F2024, F2012 = (load_framework(y) for y in (2026, 2024, 2012))
COMPLETE = Facts(
    employees_including_manager=8, manager_with_full_responsibility=True, business_plan_with_goals=True,
    previous_year_deficit=False, forecast_deficit=False, protocol_extract_received=dt.date(2026, 6, 1),
    basic_control=BasicControl(dt.date(2026, 6, 15), {"Underskott?": "Nej."}, "Svar från ekonomichefen."),
)


def with_(facts: Facts, **changes) -> Facts:
    return dataclasses.replace(facts, **changes)


def test_a_complete_healthy_unit_may_take_part():
    result = evaluate(F2026, COMPLETE, [])
    assert (result.status, result.reasons, result.missing, result.notes) == (MAY_TAKE_PART, [], [], [])


def test_employees_exclude_the_manager_in_2026_and_include_in_2024():
    says(Y2026, "minst fem medarbetare, exklusive chef.")
    five = with_(COMPLETE, employees_including_manager=5)
    assert evaluate(F2026, five, []).status == MAY_NOT
    assert evaluate(F2026, five, []).reasons == ["Verksamheten har 4 medarbetare exklusive chef; minst 5 krävs."]
    assert evaluate(F2024, with_(five, protocol_extract_received=dt.date(2024, 6, 1)), []).status == MAY_TAKE_PART


def test_a_deficit_allows_taking_part_but_not_the_award():
    says(Y2026, "En förutsättning för att kunna få en utmärkelse är emellertid att föregående års ekonomiska "
                "resultat samt innevarande års prognos inte redovisar ett underskott.")
    result = evaluate(F2026, with_(COMPLETE, forecast_deficit=True), [])
    assert result.status == NO_AWARD and result.reasons == ["Innevarande års prognos visar underskott."]
    says(Y2012, "De verksamheter som deltar ska prognostisera en budget i balans innevarande år.")
    assert evaluate(F2012, Facts(forecast_deficit=True, protocol_extract_received=dt.date(2012, 6, 1)),
                    []).status == MAY_NOT


def test_city_share_and_manager_block():
    assert evaluate(F2026, with_(COMPLETE, city_share_rule_applies=True, city_share_percent=40), []).status == MAY_NOT
    assert evaluate(F2026, with_(COMPLETE, city_share_rule_applies=True, city_share_percent=51),
                    []).status == MAY_TAKE_PART
    assert evaluate(F2026, with_(COMPLETE, manager_with_full_responsibility=False), []).status == MAY_NOT


def test_the_protocol_extract_is_judged_by_when_it_was_received():
    says(Y2026, "Protokollsutdrag från nämnd- eller styrelsemöte skickas senast den 10 juni till")
    on_time = evaluate(F2026, with_(COMPLETE, protocol_extract_received=dt.date(2026, 6, 10)), [])
    assert on_time.status == MAY_TAKE_PART and on_time.notes == []
    # Received late: the office is told, with the dates; the seed says no more, so it does not decide.
    late = evaluate(F2026, with_(COMPLETE, protocol_extract_received=dt.date(2026, 6, 11)), [])
    assert late.status == MAY_TAKE_PART
    assert late.notes and "kom in 2026-06-11, efter sista dag 2026-06-10" in late.notes[0]


def test_the_basic_control_records_questions_answers_a_note_and_its_date_against_the_deadline():
    says(Y2026, "Senast 18 juni – Besvara frågor gällande grundläggande kontroll.")
    assert F2026.deadline("grundlaggande_kontroll") == dt.date(2026, 6, 18)
    unanswered = evaluate(F2026, with_(COMPLETE, basic_control=BasicControl()), [])
    assert unanswered.status == INCOMPLETE and unanswered.missing == ["svar på grundläggande kontroll"]
    assert unanswered.preliminary == MAY_TAKE_PART
    late = evaluate(F2026, with_(COMPLETE, basic_control=BasicControl(dt.date(2026, 6, 19), {"Fråga": "Svar"})), [])
    assert late.status == MAY_TAKE_PART and "efter sista dag 2026-06-18" in late.notes[0]


@pytest.mark.parametrize(
    ("earlier", "status"),
    [
        ([(2024, "utmarkelse")], MAY_NOT),          # 2024 winner: earliest 2027
        ([(2023, "utmarkelse")], MAY_TAKE_PART),    # the seed's own example: 2023 → 2026
        ([(2025, "hedersomnamnande")], MAY_TAKE_PART),  # honourable mention may come back the next year
        ([(2025, "ingen")], MAY_TAKE_PART),
    ],
)
def test_the_waiting_rules_from_the_archive(earlier, status):
    says(Y2026, "Det betyder att en verksamhet som fått utmärkelsen år 2023 kan delta igen tidigast år 2026.")
    result = evaluate(F2026, COMPLETE, earlier)
    assert result.status == status
    if status == MAY_NOT:
        assert result.reasons == ["Verksamheten fick utmärkelsen 2024 och kan delta igen tidigast 2027."]


def test_2012_says_nothing_about_honourable_mentions_returning_so_the_office_decides():
    says(Y2012, "Enheter som har vunnit kan ej delta de närmaste två åren efter att de har erhållit "
                "kvalitetsutmärkelsen.")
    assert F2012.eligibility.honourable_mention_earliest_return_years is None
    facts = Facts(forecast_deficit=False, protocol_extract_received=dt.date(2012, 6, 1))
    undecided = evaluate(F2012, facts, [(2011, "hedersomnamnande")])
    assert undecided.status == INCOMPLETE and "Kvalitetsenhetens beslut" in undecided.missing[0]
    assert evaluate(F2012, facts, [(2011, "hedersomnamnande")], honourable_mention_return=2).status == MAY_NOT
    assert evaluate(F2012, facts, [(2011, "hedersomnamnande")], honourable_mention_return=1).status == MAY_TAKE_PART


def test_nothing_registered_is_not_assessed_never_may_take_part(demo_store):
    says(Y2026, "När protokollsutdragen är mottagna genomför stadsledningskontoret en kontroll av vissa "
                "grundläggande delar.")
    result = evaluate(F2026, Facts(), [], recorded=False)
    assert result.status == NOT_ASSESSED
    assert result.missing == ["antal anställda", "chefens ansvar", "verksamhetsplan med mål",
                              "föregående års resultat och årets prognos", "protokollsutdrag",
                              "svar på grundläggande kontroll"]
    admin = auth.user_by_email(demo_store, "kvalitetsenheten@demo.stockholm.se")
    with demo_store.write("test") as uow:
        uow.execute("UPDATE contributions SET eligibility = NULL WHERE id = (SELECT min(id) FROM contributions)")
    cid = demo_store.fetchone("SELECT min(id) FROM contributions")[0]
    assert eligibility.register(demo_store, admin, cid)[1].status == NOT_ASSESSED
    assert eligibility.statuses(demo_store, admin, 2026)[cid] == NOT_ASSESSED


def test_an_honourable_mention_passes_the_same_basic_control_as_an_award():
    says(Y2026, "Detta för att säkerställa att det inte finns något som gör att det vore olämpligt att belöna "
                "verksamheten med en utmärkelse eller ett hedersomnämnande.")
    says(Y2026, "Mottagare av utmärkelsen eller av hedersomnämnande får dessutom en summa pengar")
    assert F2026.eligibility.honourable_mention_same_control_as_award
    incomplete = evaluate(F2026, with_(COMPLETE, basic_control=BasicControl()), [])
    deficit = evaluate(F2026, with_(COMPLETE, forecast_deficit=True), [])
    for result in (incomplete, deficit, evaluate(F2026, Facts(), [], recorded=False)):
        assert may_receive(F2026, result, "hedersomnamnande") and may_receive(F2026, result, "utmarkelse")
        assert may_receive(F2026, result, "inget") is None
    assert may_receive(F2026, evaluate(F2026, COMPLETE, []), "hedersomnamnande") is None
    # A year that says otherwise needs only that the unit may take part.
    lenient = F2026.model_copy(update={"eligibility": F2026.eligibility.model_copy(
        update={"honourable_mention_same_control_as_award": False})})
    assert may_receive(lenient, deficit, "hedersomnamnande") is None and may_receive(lenient, deficit, "utmarkelse")


def test_register_uses_earlier_decisions_of_the_same_unit(demo_store):
    admin = auth.user_by_email(demo_store, "kvalitetsenheten@demo.stockholm.se")
    cid, unit_id = demo_store.fetchone("SELECT id, unit_id FROM contributions ORDER BY id LIMIT 1")
    with demo_store.write("test") as uow:
        old = uow.fetchone("INSERT INTO contributions (year, unit_id) VALUES (2025, ?) RETURNING id", [unit_id])[0]
        uow.execute("INSERT INTO decisions (contribution_id, decision, decided_by) VALUES (?, 'utmarkelse', 'jury')",
                    [old])
    result = eligibility.record(demo_store, admin, cid, COMPLETE)
    assert result.status == MAY_NOT and "2025" in result.reasons[0]
    facts, again = eligibility.register(demo_store, admin, cid)
    assert facts == COMPLETE and again == result
    examiner = auth.user_by_email(demo_store, "erik.lind@demo.stockholm.se")
    with pytest.raises(access.AccessDenied):
        eligibility.record(demo_store, examiner, cid, COMPLETE)


def test_the_office_writes_the_years_questions_and_its_return_rule(demo_store):
    admin = auth.user_by_email(demo_store, "kvalitetsenheten@demo.stockholm.se")
    eligibility.set_basic_control_questions(demo_store, admin, 2012, ["Underskott?", " ", "Tillsyn?"])
    assert eligibility.basic_control_questions(demo_store, 2012) == ["Underskott?", "Tillsyn?"]
    assert eligibility.honourable_mention_return(demo_store, 2012) is None
    eligibility.set_honourable_mention_return(demo_store, admin, 2012, 1)
    assert eligibility.honourable_mention_return(demo_store, 2012) == 1
    with pytest.raises(eligibility.EligibilityError, match="säger redan"):
        eligibility.set_honourable_mention_return(demo_store, admin, 2026, 2)
