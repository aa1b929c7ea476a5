"""Seed 002 (Shandong 2024) grading rules: one case per rule and per boundary."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from backend.credit.rules import (
    DEFAULT_CONFIG,
    LOWERING,
    REASON_BIT,
    REASON_LABELS,
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
YOUNG = date(2025, 1, 1)  #: under three years: never A, and not three accident-free years


def facts(**overrides) -> Facts:
    """A clean, old enterprise: score 0 before deductions."""
    return Facts(**({"established_on": OLD} | overrides))


def no_deduction(**overrides) -> dict:
    config = copy.deepcopy(DEFAULT_CONFIG)
    config["deductions"] = {"accident_free": 0, "benchmark": 0, "intrinsic_safety": 0}
    return config | overrides


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (0, "A"),
        (14.99, "A"),
        (15, "B"),
        (34.99, "B"),
        (35, "C"),
        (59.99, "C"),
        (60, "D"),
        (100, "D"),
    ],
    ids=lambda v: str(v),
)
def test_band_boundaries_follow_the_configured_bounds(score, expected):
    assert band(score, DEFAULT_CONFIG) == expected


@pytest.mark.parametrize(
    ("overrides", "group", "points"),
    [
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
    ],
    ids=lambda v: str(v),
)
def test_each_indicator_scores_in_its_group(overrides, group, points):
    scores = group_scores(facts(**overrides), DEFAULT_CONFIG)
    assert scores[group] == pytest.approx(points)
    assert sum(scores.values()) == pytest.approx(points)


def test_score_is_the_sum_of_groups_and_never_exceeds_100():
    worst = facts(
        established_on=YOUNG,
        no_safety_manager=1,
        operators_expired_share=1000,
        hazards_open=99,
        devices_overdue_share=1000,
        inspection_findings=99,
        enforcement_cases=9,
    )
    result = grade(worst, AS_OF, no_deduction())
    assert result.score == 100
    assert result.grade == Grade.D


@pytest.mark.parametrize(
    ("overrides", "expected_grade", "reason"),
    [
        # D floors
        (
            {"last_accident_on": years_before(AS_OF, 3).replace(day=24), "accidents_3y": 1},
            "D",
            Reason.d_accident,
        ),
        ({"fined_cases": 1}, "D", Reason.d_fined),
        # never A (第七条)
        ({"established_on": date(2024, 1, 1)}, "B", Reason.never_a_young),
        ({"established_on": None}, "B", Reason.never_a_young),
        ({"previous_grade": Grade.C}, "B", Reason.never_a_previous),
        ({"previous_grade": Grade.D}, "B", Reason.never_a_previous),
        # C may not reach A within a year (第十三条)
        ({"previous_grade": Grade.B, "last_c_on": date(2026, 1, 10)}, "B", Reason.c_bar),
    ],
    ids=lambda v: str(v),
)
def test_rule_caps_or_raises_the_grade_and_says_why(overrides, expected_grade, reason):
    result = grade(facts(**overrides), AS_OF, no_deduction())
    assert result.grade == expected_grade
    assert reason in result.reasons


def test_accident_within_one_year_bars_a_even_with_the_d_floor_off():
    result = grade(facts(last_accident_on=date(2026, 1, 1)), AS_OF, no_deduction(accident_d_years=0))
    assert result.grade == Grade.B
    assert Reason.never_a_accident in result.reasons


@pytest.mark.parametrize(
    ("founded", "capped"),
    [
        (date(2023, 11, 23), False),  # exactly three years: may be A
        (date(2023, 11, 24), True),  # one day short
    ],
)
def test_three_year_age_boundary(founded, capped):
    result = grade(facts(established_on=founded), AS_OF, no_deduction())
    assert (Reason.never_a_young in result.reasons) is capped
    assert result.grade == (Grade.B if capped else Grade.A)


@pytest.mark.parametrize(
    ("accident", "capped"),
    [
        (date(2025, 11, 23), False),  # exactly a year ago: outside "within one year"
        (date(2025, 11, 24), True),
    ],
)
def test_one_year_accident_boundary(accident, capped):
    result = grade(facts(last_accident_on=accident), AS_OF, no_deduction(accident_d_years=0))
    assert (Reason.never_a_accident in result.reasons) is capped


@pytest.mark.parametrize(
    ("last_c", "capped"),
    [
        (date(2025, 11, 23), False),
        (date(2025, 11, 24), True),
    ],
)
def test_one_year_c_bar_boundary(last_c, capped):
    result = grade(facts(previous_grade=Grade.B, last_c_on=last_c), AS_OF, no_deduction())
    assert result.grade == (Grade.B if capped else Grade.A)


@pytest.mark.parametrize(
    ("accident", "locked"),
    [
        (date(2023, 11, 24), True),  # within three years: no lowering
        (date(2023, 11, 23), False),  # three full years: may be lowered
    ],
)
def test_three_year_no_downgrade_after_an_accident(accident, locked):
    result = grade(
        facts(last_accident_on=accident, previous_grade=Grade.C), AS_OF, no_deduction(accident_d_years=0)
    )
    assert result.grade == (Grade.C if locked else Grade.B)
    assert (Reason.accident_lock in result.reasons) is locked


def test_accident_lock_does_not_stop_raising():
    result = grade(
        facts(
            last_accident_on=date(2025, 1, 1),
            previous_grade=Grade.B,
            devices_overdue_share=1000,
            hazards_overdue=5,
            inspection_findings=5,
        ),
        AS_OF,
        no_deduction(accident_d_years=0),
    )
    assert result.grade == Grade.D
    assert Reason.accident_lock not in result.reasons


# -- 第十三条: the lowering conditions lower the grade one level ---------------------------

B_SCORE = {"hazards_overdue": 4}  #: 20 points: band B
C_SCORE = {"hazards_overdue": 5, "devices_overdue_share": 500}  #: 45 points: band C
D_SCORE = {"hazards_overdue": 5, "devices_overdue_share": 1000, "inspection_findings": 5}  #: 60


@pytest.mark.parametrize(
    ("overrides", "band_grade", "expected", "reasons"),
    [
        # three accident-free years (an old firm, no accident): B → A
        (B_SCORE, "B", "A", [Reason.accident_free, Reason.lowered]),
        ({**C_SCORE}, "C", "B", [Reason.accident_free, Reason.lowered]),
        ({**D_SCORE}, "D", "C", [Reason.accident_free, Reason.lowered]),
        # a young firm is lowered by a recognition alone
        (
            {**C_SCORE, "established_on": YOUNG, "benchmark": True},
            "C",
            "B",
            [Reason.benchmark, Reason.lowered],
        ),
        (
            {**D_SCORE, "established_on": YOUNG, "intrinsic_safety": True},
            "D",
            "C",
            [Reason.intrinsic_safety, Reason.lowered],
        ),
    ],
    ids=["accident_free_B", "accident_free_C", "accident_free_D", "benchmark_C", "intrinsic_D"],
)
def test_a_lowering_condition_lowers_the_grade_one_level_and_not_the_score(
    overrides, band_grade, expected, reasons
):
    result = grade(facts(**overrides), AS_OF)
    assert (result.band_grade, result.grade, result.reasons) == (band_grade, expected, reasons)
    assert result.score == sum(result.groups.values())


def test_several_lowering_conditions_still_lower_one_level():
    result = grade(facts(**D_SCORE, benchmark=True, intrinsic_safety=True), AS_OF)
    assert (result.band_grade, result.grade) == (Grade.D, Grade.C)
    assert result.reasons == [Reason.accident_free, Reason.benchmark, Reason.intrinsic_safety, Reason.lowered]


def test_the_issue_benchmark_enterprise_at_29_7_is_lowered_to_a_keeping_its_score():
    result = grade(
        facts(hazards_overdue=4, inspection_findings=3, operators_expired_share=70, benchmark=True), AS_OF
    )
    assert (result.score, result.band_grade, result.grade) == (29.7, Grade.B, Grade.A)
    assert Reason.lowered in result.reasons


def test_lowering_never_goes_below_a_and_an_a_keeps_no_lowering_reason():
    result = grade(facts(benchmark=True), AS_OF)
    assert (result.grade, result.reasons) == (Grade.A, [])


def test_a_d_floor_is_not_lowered():
    result = grade(facts(**B_SCORE, fined_cases=1, benchmark=True), AS_OF)
    assert (result.grade, result.reasons) == (Grade.D, [Reason.d_fined])


@pytest.mark.parametrize(
    ("overrides", "cap"),
    [
        ({"established_on": YOUNG, "benchmark": True}, Reason.never_a_young),
        ({"previous_grade": Grade.C}, Reason.never_a_previous),
        ({"previous_grade": Grade.B, "last_c_on": date(2026, 3, 1)}, Reason.c_bar),
    ],
    ids=["young", "previous_c", "c_within_a_year"],
)
def test_never_a_binds_after_the_lowering_a_band_b_stays_b(overrides, cap):
    result = grade(facts(**B_SCORE, **overrides), AS_OF)
    assert (result.band_grade, result.grade) == (Grade.B, Grade.B)
    assert cap in result.reasons
    assert Reason.lowered not in result.reasons


def test_never_a_does_not_stop_lowering_c_to_b():
    result = grade(facts(**C_SCORE, previous_grade=Grade.C, last_c_on=AS_OF), AS_OF)
    assert result.grade == Grade.B
    assert result.reasons == [Reason.accident_free, Reason.lowered]


def test_no_lowering_within_three_years_of_an_accident_and_the_lock_says_so():
    config = no_deduction(accident_d_years=1)  # the D floor of one year only: band C shows
    result = grade(facts(**C_SCORE, benchmark=True, last_accident_on=date(2024, 6, 1)), AS_OF, config)
    assert (result.band_grade, result.grade) == (Grade.C, Grade.C)
    assert result.reasons == [Reason.benchmark, Reason.accident_lock]


def test_after_three_accident_free_years_the_recognition_lowers_again():
    config = no_deduction(accident_d_years=1)
    result = grade(facts(**C_SCORE, benchmark=True, last_accident_on=date(2023, 11, 23)), AS_OF, config)
    assert result.grade == Grade.B
    assert result.reasons == [Reason.accident_free, Reason.benchmark, Reason.lowered]


def test_the_lowered_reason_says_one_level_and_the_conditions_do_not_claim_points():
    assert "下调一级" in REASON_LABELS[Reason.lowered]
    assert all("扣减" not in REASON_LABELS[r] for r in LOWERING)


@pytest.mark.parametrize(
    ("overrides", "reason", "points"),
    [
        ({}, Reason.accident_free, 3),
        ({"benchmark": True}, Reason.benchmark, 13),
        ({"intrinsic_safety": True}, Reason.intrinsic_safety, 8),
    ],
)
def test_the_bureau_may_also_deduct_points_for_a_lowering_condition(overrides, reason, points):
    config = copy.deepcopy(DEFAULT_CONFIG)
    config["deductions"] = {"accident_free": 3, "benchmark": 10, "intrinsic_safety": 5}
    result = grade(facts(hazards_overdue=4, **overrides), AS_OF, config)
    assert reason in result.reasons
    assert result.score == 20 - points


def test_by_default_the_lowering_conditions_deduct_no_points():
    assert set(DEFAULT_CONFIG["deductions"].values()) == {0}
    assert grade(facts(**B_SCORE, benchmark=True), AS_OF).score == 20


def test_a_deducting_condition_is_kept_as_a_reason_though_the_band_is_a():
    config = no_deduction(deductions={"accident_free": 0, "benchmark": 10, "intrinsic_safety": 0})
    result = grade(facts(hazards_overdue=1, benchmark=True), AS_OF, config)
    assert (result.score, result.grade, result.reasons) == (0, Grade.A, [Reason.benchmark])


def test_no_accident_free_lowering_within_three_years_of_an_accident_or_for_young_firms():
    young = grade(facts(**B_SCORE, established_on=YOUNG), AS_OF)
    recent = grade(
        facts(**B_SCORE, last_accident_on=date(2024, 1, 1)), AS_OF, no_deduction(accident_d_years=0)
    )
    assert Reason.accident_free not in young.reasons
    assert Reason.accident_free not in recent.reasons
    assert (young.grade, recent.grade) == (Grade.B, Grade.B)


def test_deductions_never_push_the_score_below_zero():
    config = no_deduction(deductions={"accident_free": 3, "benchmark": 10, "intrinsic_safety": 5})
    assert grade(facts(benchmark=True, intrinsic_safety=True), AS_OF, config).score == 0


def test_rectification_lowers_the_grade_when_hazards_close():
    before = grade(
        facts(established_on=YOUNG, hazards_overdue=4, hazards_open=4, major_hazards_open=1), AS_OF
    )
    after = grade(facts(established_on=OLD, previous_grade=before.grade), AS_OF)
    assert (before.grade, after.grade) == (Grade.B, Grade.A)


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        (Grade.C, AS_OF),
        (Grade.D, AS_OF),
        (Grade.B, date(2026, 1, 1)),
        (Grade.A, date(2026, 1, 1)),
    ],
)
def test_last_c_day_is_remembered_for_the_one_year_bar(new, expected):
    assert next_last_c_on(new, AS_OF, date(2026, 1, 1)) == expected


def test_repair_hints_list_what_adds_points_largest_gain_first():
    hints = repair_hints(facts(hazards_open=1, major_hazards_open=1, devices_overdue_share=500), AS_OF)
    assert [h["indicator"] for h in hints] == ["devices_overdue_share", "major_hazards_open", "hazards_open"]
    # closing the one open hazard closes the major one it is
    assert [h["gain"] for h in hints] == [20, 12, 12]
    assert hints[0]["fix"]


def _hint(hints: list[dict], indicator: str) -> dict:
    return next(h for h in hints if h["indicator"] == indicator)


#: a full risk-control group: 19 open hazards (38 points), 2 of them overdue (+10), 1 major (+10),
#: 3 mutual-check findings (+3): 61 points capped at 25
CAPPED = {
    "hazards_open": 19,
    "hazards_overdue": 2,
    "major_hazards_open": 1,
    "mutual_check_findings": 3,
    "established_on": YOUNG,
    "no_safety_manager": 1,
}


def test_a_hint_in_a_capped_group_shows_the_real_gain_not_its_points():
    hints = repair_hints(facts(**CAPPED), AS_OF)
    overdue = _hint(hints, "hazards_overdue")
    assert (overdue["points"], overdue["gain"]) == (10, 0)  # 17 open + 1 major still fill 25
    assert overdue["grade_after"] == "C"
    major = _hint(hints, "major_hazards_open")
    assert (major["points"], major["gain"]) == (10, 0)


def test_closing_the_open_hazards_closes_the_overdue_and_major_ones_among_them():
    hint = _hint(repair_hints(facts(**CAPPED), AS_OF), "hazards_open")
    assert (hint["points"], hint["gain"], hint["score_after"]) == (38, 22, 18)  # 3 mutual remain
    assert hint["grade_after"] == "B"


def test_a_capped_gain_is_less_than_the_points_when_the_group_is_only_just_over():
    hints = repair_hints(facts(hazards_open=12, hazards_overdue=1, established_on=YOUNG), AS_OF)
    overdue = _hint(hints, "hazards_overdue")  # 24 + 5 = 29 capped 25; without it 22
    assert (overdue["points"], overdue["gain"]) == (5, 3)


def test_a_hint_grades_through_every_rule_a_young_firm_stays_b():
    hint = _hint(
        repair_hints(facts(no_safety_manager=1, hazards_open=1, established_on=YOUNG), AS_OF),
        "no_safety_manager",
    )
    assert (hint["gain"], hint["score_after"], hint["grade_after"]) == (15, 2, "B")


def test_a_hint_after_an_accident_keeps_the_current_grade_for_three_years():
    locked = facts(**B_SCORE, previous_grade=Grade.C, last_accident_on=date(2025, 1, 1))
    hint = _hint(repair_hints(locked, AS_OF, no_deduction(accident_d_years=0)), "hazards_overdue")
    assert (hint["gain"], hint["grade_after"]) == (20, "C")


def test_records_that_count_for_a_year_say_so_and_gain_what_their_ageing_out_brings():
    hints = repair_hints(facts(**B_SCORE, enforcement_cases=2, fined_cases=1), AS_OF)
    fined = _hint(hints, "fined_cases")
    assert fined["counts_for_years"] == 1
    # the fined case goes with its case: 23 points capped at 15 become 8, and the D floor goes:
    # band B (28), lowered to A (three accident-free years)
    assert (fined["points"], fined["gain"], fined["grade_after"]) == (7, 7, "A")
    assert _hint(hints, "hazards_overdue")["counts_for_years"] is None


def test_an_accident_ages_out_after_three_years_and_then_the_firm_is_lowered():
    hint = _hint(
        repair_hints(facts(**B_SCORE, accidents_3y=1, last_accident_on=date(2025, 6, 1)), AS_OF),
        "accidents_3y",
    )
    assert (hint["counts_for_years"], hint["gain"], hint["grade_after"]) == (3, 15, "A")


def test_default_config_is_valid():
    assert validate_config(DEFAULT_CONFIG) == {}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"weights": DEFAULT_CONFIG["weights"] | {"enforcement": 16}}, "weights"),
        ({"weights": {"risk_control": 100}}, "weights"),
        ({"points": DEFAULT_CONFIG["points"] | {"hazards_open": -1}}, "points"),
        ({"bands": [35, 15, 60]}, "bands"),
        ({"bands": [15, 35]}, "bands"),
        ({"bands": [15, 35, 101]}, "bands"),
        ({"deductions": {}}, "deductions"),
        ({"accident_d_years": True}, "accident_d_years"),
        ({"fined_d": "yes"}, "fined_d"),
    ],
    ids=lambda v: str(v)[:40],
)
def test_invalid_config_names_the_field(change, field):
    assert set(validate_config(DEFAULT_CONFIG | change)) == {field}


def test_leap_day_years_before():
    assert years_before(date(2028, 2, 29), 1) == date(2027, 2, 28)


def test_stored_reason_bits_read_back_in_the_order_the_rules_apply():
    applied = [
        Reason.accident_free,
        Reason.lowered,
        Reason.d_fined,
        Reason.never_a_young,
        Reason.accident_lock,
    ]
    assert reasons_of(sum(REASON_BIT[r] for r in reversed(applied))) == applied
    assert reasons_of(0) == []


def test_the_stored_bits_of_the_earlier_reasons_did_not_move():
    # grades and their change history were stored with these bits (migration 8a4f6b2c1d90)
    assert [REASON_BIT[r] for r in (Reason.accident_free, Reason.d_accident, Reason.accident_lock)] == [
        1,
        8,
        512,
    ]
    assert REASON_BIT[Reason.lowered] == 1024
