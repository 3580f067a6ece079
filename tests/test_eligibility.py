"""Eligibility and the basic control, year by year, and the archive's waiting rules."""

from __future__ import annotations

import datetime as dt

import pytest

from scoring.core import access, auth
from scoring.intake import eligibility
from scoring.intake.eligibility import MAY_NOT, MAY_TAKE_PART, NO_AWARD, Facts, evaluate
from scoring.year.framework import load_framework

F2026, F2024, F2012 = (load_framework(y) for y in (2026, 2024, 2012))
COMPLETE = Facts(
    employees_including_manager=8, manager_with_full_responsibility=True, business_plan_with_goals=True,
    previous_year_deficit=False, forecast_deficit=False, protocol_extract_date=dt.date(2026, 6, 1),
    basic_control_answered=True,
)


def test_a_complete_healthy_unit_may_take_part():
    result = evaluate(F2026, COMPLETE, [])
    assert (result.status, result.reasons, result.missing) == (MAY_TAKE_PART, [], [])


def test_employees_exclude_the_manager_in_2026_and_include_in_2024():
    five = Facts(**{**COMPLETE.__dict__, "employees_including_manager": 5})
    assert evaluate(F2026, five, []).status == MAY_NOT
    assert evaluate(F2026, five, []).reasons == ["Verksamheten har 4 medarbetare exklusive chef; minst 5 krävs."]
    five_2024 = Facts(**{**five.__dict__, "protocol_extract_date": dt.date(2024, 6, 1)})
    assert evaluate(F2024, five_2024, []).status == MAY_TAKE_PART


def test_a_deficit_allows_taking_part_but_not_the_award():
    result = evaluate(F2026, Facts(**{**COMPLETE.__dict__, "forecast_deficit": True}), [])
    assert result.status == NO_AWARD and result.reasons == ["Innevarande års prognos visar underskott."]
    assert evaluate(F2012, Facts(forecast_deficit=True, protocol_extract_date=dt.date(2012, 6, 1)), []).status == MAY_NOT


def test_city_share_manager_plan_and_late_protocol_block():
    assert evaluate(F2026, Facts(**{**COMPLETE.__dict__, "city_share_rule_applies": True,
                                    "city_share_percent": 40}), []).status == MAY_NOT
    assert evaluate(F2026, Facts(**{**COMPLETE.__dict__, "city_share_rule_applies": True,
                                    "city_share_percent": 51}), []).status == MAY_TAKE_PART
    assert evaluate(F2026, Facts(**{**COMPLETE.__dict__, "manager_with_full_responsibility": False}), []).status == MAY_NOT
    late = evaluate(F2026, Facts(**{**COMPLETE.__dict__, "protocol_extract_date": dt.date(2026, 6, 11)}), [])
    assert late.status == MAY_NOT and "efter sista dag 2026-06-10" in late.reasons[0]


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
    result = evaluate(F2026, COMPLETE, earlier)
    assert result.status == status
    if status == MAY_NOT:
        assert result.reasons == ["Verksamheten fick utmärkelsen 2024 och kan delta igen tidigast 2027."]


def test_unknown_facts_are_listed_as_missing():
    result = evaluate(F2026, Facts(), [])
    assert result.status == MAY_TAKE_PART
    assert result.missing == ["antal anställda", "chefens ansvar", "verksamhetsplan med mål",
                              "föregående års resultat och årets prognos", "protokollsutdrag",
                              "svar på grundläggande kontroll"]


def test_register_uses_earlier_decisions_of_the_same_unit(demo_store):
    admin = auth.user_by_email(demo_store, "kvalitetsenheten@demo.stockholm.se")
    cid, unit_id = demo_store.fetchone("SELECT id, unit_id FROM contributions ORDER BY id LIMIT 1")
    with demo_store.write("test") as uow:
        old = uow.fetchone("INSERT INTO contributions (year, unit_id, class_code) VALUES (2025, ?, 'forskola')"
                           " RETURNING id", [unit_id])[0]
        uow.execute("INSERT INTO decisions (contribution_id, decision, decided_by) VALUES (?, 'utmarkelse', 'jury')",
                    [old])
    result = eligibility.record(demo_store, admin, cid, COMPLETE)
    assert result.status == MAY_NOT and "2025" in result.reasons[0]
    facts, again = eligibility.register(demo_store, admin, cid)
    assert facts == COMPLETE and again == result
    examiner = auth.user_by_email(demo_store, "erik.lind@demo.stockholm.se")
    with pytest.raises(access.AccessDenied):
        eligibility.record(demo_store, examiner, cid, COMPLETE)
