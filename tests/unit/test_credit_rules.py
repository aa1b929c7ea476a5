"""Seed 002 (Shandong 2024) grading rules: one case per rule and per boundary."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from backend.credit.rules import (
    DEFAULT_CONFIG,
    REASON_BIT,
    Facts,
    Grade,
    Reason,
    band,
    grade,
    group_scores,
    next_last_c_on,
    reasons_of,
    repair_hints,
    validate_config,
    years_before,
)

AS_OF = date(2026, 11, 23)
OLD = date(2010, 1, 1)


def facts(**overrides) -> Facts:
    """A clean, old enterprise: score 0 before deductions."""
    return Facts(**({"established_on": OLD} | overrides))


def no_deduction(**overrides) -> dict:
    config = copy.deepcopy(DEFAULT_CONFIG)
    config["deductions"] = {"accident_free": 0, "benchmark": 0, "intrinsic_safety": 0}
    return config | overrides


@pytest.mark.parametrize(("score", "expected"), [
    (0, "A"), (14.99, "A"), (15, "B"), (34.99, "B"), (35, "C"), (59.99, "C"), (60, "D"), (100, "D"),
], ids=lambda v: str(v))
def test_band_boundaries_follow_the_configured_bounds(score, expected):
    assert band(score, DEFAULT_CONFIG) == expected


@pytest.mark.parametrize(("overrides", "group", "points"), [
    ({"no_safety_manager": 1}, "safety_management", 15),
    ({"operators_expired_share": 500}, "operator_competence", 5),
    ({"hazards_open": 3}, "risk_control", 6),
    ({"hazards_overdue": 2}, "risk_control", 10),
    ({"major_hazards_open": 1}, "risk_control", 10),
    ({"major_hazards_open": 9}, "risk_control", 25),  # capped at the group weight
    ({"mutual_check_findings": 4}, "risk_control", 4),
    ({"devices_overdue_share": 250}, "device_condition", 10),
    ({"devices_overdue_share": 1000}, "device_condition", 20),  # capped
    ({"inspection_findings": 2}, "inspection_results", 6),
    ({"complaints_substantiated": 2}, "inspection_results", 8),
    ({"enforcement_cases": 1}, "enforcement", 8),
    ({"enforcement_cases": 1, "fined_cases": 1}, "enforcement", 15),
    ({"accidents_3y": 2}, "enforcement", 15),  # capped
], ids=lambda v: str(v))
def test_each_indicator_scores_in_its_group(overrides, group, points):
    scores = group_scores(facts(**overrides), DEFAULT_CONFIG)
    assert scores[group] == pytest.approx(points)
    assert sum(scores.values()) == pytest.approx(points)


def test_score_is_the_sum_of_groups_and_never_exceeds_100():
    worst = facts(no_safety_manager=1, operators_expired_share=1000, hazards_open=99,
                  devices_overdue_share=1000, inspection_findings=99, enforcement_cases=9)
    result = grade(worst, AS_OF, no_deduction())
    assert result.score == 100
    assert result.grade == Grade.D


@pytest.mark.parametrize(("overrides", "expected_grade", "reason"), [
    # D floors
    ({"last_accident_on": years_before(AS_OF, 3).replace(day=24), "accidents_3y": 1}, "D",
     Reason.d_accident),
    ({"fined_cases": 1}, "D", Reason.d_fined),
    # never A (第七条)
    ({"established_on": date(2024, 1, 1)}, "B", Reason.never_a_young),
    ({"established_on": None}, "B", Reason.never_a_young),
    ({"previous_grade": Grade.C}, "B", Reason.never_a_previous),
    ({"previous_grade": Grade.D}, "B", Reason.never_a_previous),
    # C may not reach A within a year (第十三条)
    ({"previous_grade": Grade.B, "last_c_on": date(2026, 1, 10)}, "B", Reason.c_bar),
], ids=lambda v: str(v))
def test_rule_caps_or_raises_the_grade_and_says_why(overrides, expected_grade, reason):
    result = grade(facts(**overrides), AS_OF, no_deduction())
    assert result.grade == expected_grade
    assert reason in result.reasons


def test_accident_within_one_year_bars_a_even_with_the_d_floor_off():
    result = grade(facts(last_accident_on=date(2026, 1, 1)), AS_OF,
                   no_deduction(accident_d_years=0))
    assert result.grade == Grade.B
    assert Reason.never_a_accident in result.reasons


@pytest.mark.parametrize(("founded", "capped"), [
    (date(2023, 11, 23), False),  # exactly three years: may be A
    (date(2023, 11, 24), True),  # one day short
])
def test_three_year_age_boundary(founded, capped):
    result = grade(facts(established_on=founded), AS_OF, no_deduction())
    assert (Reason.never_a_young in result.reasons) is capped
    assert result.grade == (Grade.B if capped else Grade.A)


@pytest.mark.parametrize(("accident", "capped"), [
    (date(2025, 11, 23), False),  # exactly a year ago: outside "within one year"
    (date(2025, 11, 24), True),
])
def test_one_year_accident_boundary(accident, capped):
    result = grade(facts(last_accident_on=accident), AS_OF, no_deduction(accident_d_years=0))
    assert (Reason.never_a_accident in result.reasons) is capped


@pytest.mark.parametrize(("last_c", "capped"), [
    (date(2025, 11, 23), False),
    (date(2025, 11, 24), True),
])
def test_one_year_c_bar_boundary(last_c, capped):
    result = grade(facts(previous_grade=Grade.B, last_c_on=last_c), AS_OF, no_deduction())
    assert result.grade == (Grade.B if capped else Grade.A)


@pytest.mark.parametrize(("accident", "locked"), [
    (date(2023, 11, 24), True),  # within three years: no lowering
    (date(2023, 11, 23), False),  # three full years: may be lowered
])
def test_three_year_no_downgrade_after_an_accident(accident, locked):
    result = grade(facts(last_accident_on=accident, previous_grade=Grade.C), AS_OF,
                   no_deduction(accident_d_years=0))
    assert result.grade == (Grade.C if locked else Grade.B)
    assert (Reason.accident_lock in result.reasons) is locked


def test_accident_lock_does_not_stop_raising():
    result = grade(facts(last_accident_on=date(2025, 1, 1), previous_grade=Grade.B,
                         devices_overdue_share=1000, hazards_overdue=5, inspection_findings=5),
                   AS_OF, no_deduction(accident_d_years=0))
    assert result.grade == Grade.D
    assert Reason.accident_lock not in result.reasons


@pytest.mark.parametrize(("overrides", "reason", "points"), [
    ({}, Reason.accident_free, 3),
    ({"benchmark": True}, Reason.benchmark, 13),
    ({"intrinsic_safety": True}, Reason.intrinsic_safety, 8),
])
def test_lowering_reasons_deduct_points(overrides, reason, points):
    result = grade(facts(hazards_overdue=4, **overrides), AS_OF)
    assert reason in result.reasons
    assert result.score == 20 - points


def test_no_accident_free_deduction_within_three_years_of_an_accident_or_for_young_firms():
    young = grade(facts(established_on=date(2025, 1, 1)), AS_OF)
    recent = grade(facts(last_accident_on=date(2024, 1, 1)), AS_OF, no_deduction(accident_d_years=0)
                   | {"deductions": DEFAULT_CONFIG["deductions"]})
    assert Reason.accident_free not in young.reasons
    assert Reason.accident_free not in recent.reasons


def test_deductions_never_push_the_score_below_zero():
    assert grade(facts(benchmark=True, intrinsic_safety=True), AS_OF).score == 0


def test_rectification_lowers_the_grade_when_hazards_close():
    before = grade(facts(hazards_overdue=4, hazards_open=4, major_hazards_open=1), AS_OF)
    after = grade(facts(previous_grade=before.grade), AS_OF)
    assert (before.grade, after.grade) == (Grade.B, Grade.A)


@pytest.mark.parametrize(("new", "expected"), [
    (Grade.C, AS_OF), (Grade.D, AS_OF), (Grade.B, date(2026, 1, 1)), (Grade.A, date(2026, 1, 1)),
])
def test_last_c_day_is_remembered_for_the_one_year_bar(new, expected):
    assert next_last_c_on(new, AS_OF, date(2026, 1, 1)) == expected


def test_repair_hints_list_what_adds_points_largest_first():
    hints = repair_hints(facts(hazards_open=1, major_hazards_open=1))
    assert [h["indicator"] for h in hints] == ["major_hazards_open", "hazards_open"]
    assert hints[0]["fix"]


def test_default_config_is_valid():
    assert validate_config(DEFAULT_CONFIG) == {}


@pytest.mark.parametrize(("change", "field"), [
    ({"weights": DEFAULT_CONFIG["weights"] | {"enforcement": 16}}, "weights"),
    ({"weights": {"risk_control": 100}}, "weights"),
    ({"points": DEFAULT_CONFIG["points"] | {"hazards_open": -1}}, "points"),
    ({"bands": [35, 15, 60]}, "bands"),
    ({"bands": [15, 35]}, "bands"),
    ({"bands": [15, 35, 101]}, "bands"),
    ({"deductions": {}}, "deductions"),
    ({"accident_d_years": True}, "accident_d_years"),
    ({"fined_d": "yes"}, "fined_d"),
], ids=lambda v: str(v)[:40])
def test_invalid_config_names_the_field(change, field):
    assert set(validate_config(DEFAULT_CONFIG | change)) == {field}


def test_leap_day_years_before():
    assert years_before(date(2028, 2, 29), 1) == date(2027, 2, 28)


def test_stored_reason_bits_read_back_in_the_order_the_rules_apply():
    applied = [Reason.accident_free, Reason.d_fined, Reason.never_a_young, Reason.accident_lock]
    assert reasons_of(sum(REASON_BIT[r] for r in reversed(applied))) == applied
    assert reasons_of(0) == []
