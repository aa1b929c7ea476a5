"""Pure inspection rules: mutual-check assignment, self-check rhythm, checklist answers."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.inspections.rules import (
    Period,
    answer_problems,
    assign_mutual_checks,
    overall_result,
    period_of,
    rhythm_status,
)


@st.composite
def blocks(draw, min_size: int = 2, max_size: int = 12, min_with: int = 0):
    """A block of 2–12 enterprises, each with 0–3 eligible supervisors, and a seed."""
    size = draw(st.integers(min_size, max_size))
    enterprise_ids = draw(st.lists(st.integers(1, 10_000), min_size=size, max_size=size, unique=True))
    counts = draw(st.lists(st.integers(0, 3), min_size=size, max_size=size))
    for i in range(min(min_with, size)):
        counts[i] = max(counts[i], 1)
    next_user = iter(range(100_000, 200_000))
    supervisors = {
        e: [next(next_user) for _ in range(n)] for e, n in zip(enterprise_ids, counts, strict=True)
    }
    return enterprise_ids, supervisors, draw(st.integers(0, 2**31 - 1))


def _owner(supervisors: dict[int, list[int]]) -> dict[int, int]:
    return {s: e for e, users in supervisors.items() for s in users}


@settings(max_examples=300, deadline=None)
@given(blocks())
def test_assignment_never_sends_a_supervisor_to_their_own_enterprise(block):
    enterprise_ids, supervisors, seed = block
    owner = _owner(supervisors)
    for a in assign_mutual_checks(enterprise_ids, supervisors, seed).assignments:
        assert owner[a.supervisor_id] == a.from_enterprise_id != a.enterprise_id


@settings(max_examples=300, deadline=None)
@given(blocks(min_size=3))
def test_assignment_has_no_reciprocal_pairs_in_blocks_of_three_or_more(block):
    enterprise_ids, supervisors, seed = block
    pairs = {
        (a.from_enterprise_id, a.enterprise_id)
        for a in assign_mutual_checks(enterprise_ids, supervisors, seed).assignments
    }
    assert not {(b, a) for a, b in pairs} & pairs


@settings(max_examples=300, deadline=None)
@given(blocks())
def test_assignment_balances_load_across_eligible_supervisors(block):
    enterprise_ids, supervisors, seed = block
    plan = assign_mutual_checks(enterprise_ids, supervisors, seed)
    load = Counter(a.supervisor_id for a in plan.assignments)
    everyone = [s for users in supervisors.values() for s in users]
    if everyone:
        loads = [load.get(s, 0) for s in everyone]
        assert max(loads) - min(loads) <= 1


@settings(max_examples=300, deadline=None)
@given(blocks(min_with=12))
def test_assignment_covers_every_enterprise_when_all_have_supervisors(block):
    enterprise_ids, supervisors, seed = block
    plan = assign_mutual_checks(enterprise_ids, supervisors, seed)
    assert plan.unassigned == ()
    assert sorted(a.enterprise_id for a in plan.assignments) == sorted(enterprise_ids)


@settings(max_examples=300, deadline=None)
@given(blocks())
def test_assignment_leaves_out_only_what_the_constraints_forbid(block):
    enterprise_ids, supervisors, seed = block
    plan = assign_mutual_checks(enterprise_ids, supervisors, seed)
    inspecting = sum(1 for e in enterprise_ids if supervisors[e])
    expected = {0: len(enterprise_ids), 1: 1}.get(inspecting, 0)
    if inspecting == 2 and len(enterprise_ids) >= 3:
        expected = 1
    assert len(plan.unassigned) == expected
    assert len(plan.assignments) + len(plan.unassigned) == len(enterprise_ids)


@settings(max_examples=100, deadline=None)
@given(blocks())
def test_assignment_is_reproducible_from_its_seed(block):
    enterprise_ids, supervisors, seed = block
    assert assign_mutual_checks(enterprise_ids, supervisors, seed) == assign_mutual_checks(
        list(reversed(enterprise_ids)), supervisors, seed
    )


def test_assignment_of_a_two_enterprise_block_is_the_reciprocal_pair():
    plan = assign_mutual_checks([1, 2], {1: [11], 2: [22]}, seed=7)
    assert {(a.enterprise_id, a.supervisor_id) for a in plan.assignments} == {(1, 22), (2, 11)}


def test_assignment_ignores_enterprises_outside_the_block():
    plan = assign_mutual_checks([1, 2, 3], {1: [11], 2: [22], 3: [33], 9: [99]}, seed=1)
    assert 99 not in {a.supervisor_id for a in plan.assignments}


@pytest.mark.parametrize(
    ("rhythm", "day", "expected"),
    [
        ("daily", date(2026, 3, 4), Period(date(2026, 3, 4), date(2026, 3, 4))),
        ("weekly", date(2026, 3, 4), Period(date(2026, 3, 2), date(2026, 3, 8))),
        ("monthly", date(2026, 2, 14), Period(date(2026, 2, 1), date(2026, 2, 28))),
        ("monthly", date(2024, 12, 31), Period(date(2024, 12, 1), date(2024, 12, 31))),
    ],
    ids=["day", "iso-week", "february", "december"],
)
def test_period_of_covers_the_day_week_or_month(rhythm, day, expected):
    assert period_of(rhythm, day) == expected


def test_daily_rhythm_counts_days_without_a_check_as_missed_and_today_as_due():
    status = rhythm_status("daily", [date(2026, 3, 2), date(2026, 3, 4)], date(2026, 3, 1), date(2026, 3, 5))
    assert [p.start for p in status.missed] == [date(2026, 3, 1), date(2026, 3, 3)]
    assert status.due is True
    assert status.last_done == date(2026, 3, 4)


def test_weekly_rhythm_is_not_due_once_this_week_is_done():
    status = rhythm_status("weekly", [date(2026, 3, 3)], date(2026, 2, 23), date(2026, 3, 5))
    assert status.due is False
    assert status.missed == (Period(date(2026, 2, 23), date(2026, 3, 1)),)


def test_monthly_rhythm_ignores_checks_after_as_of():
    status = rhythm_status("monthly", [date(2026, 4, 2)], date(2026, 3, 1), date(2026, 3, 20))
    assert status.due is True
    assert status.last_done is None


def test_answers_must_cover_every_item_once_and_failed_ones_need_evidence():
    problems = answer_problems(
        ["a", "b", "c"],
        [
            {"code": "a", "result": "pass"},
            {"code": "a", "result": "pass"},
            {"code": "b", "result": "fail", "note": "", "photos": []},
            {"code": "z", "result": "pass"},
        ],
    )
    assert set(problems) == {"a", "b", "c", "z"}


def test_overall_result_fails_when_any_item_fails():
    assert overall_result([{"result": "pass"}, {"result": "na"}]) == "pass"
    assert overall_result([{"result": "pass"}, {"result": "fail"}]) == "fail"
