"""Escalation-notice rules (三书一函): table-driven, no app, time passed as as_of."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from backend.notices.rules import (
    KIND_TITLES,
    EscalationFacts,
    NoticeKind,
    bound_deadline,
    chinese_date,
    deadline_problem,
    escalated_kind,
    escalation_problem,
    is_overdue,
    next_kind,
    notice_number,
    notice_status,
    suggested_kind,
    transition_problem,
)

AS_OF = date(2026, 3, 10)
LATER = AS_OF + timedelta(days=10)
K = NoticeKind


def hazard(
    status="reported", severity="general", deadline=AS_OF + timedelta(days=5), repeated=False
) -> EscalationFacts:
    return EscalationFacts(status, severity, deadline, repeated)


FRESH = hazard()
DUE_TODAY = hazard(deadline=AS_OF)
OVERDUE = hazard(deadline=AS_OF - timedelta(days=1))
REPEATED = hazard(repeated=True)
MAJOR = hazard(severity="major")
MAJOR_OVERDUE = hazard(severity="major", deadline=AS_OF - timedelta(days=1))
MAJOR_REPEATED = hazard(severity="major", repeated=True)
CLOSED = hazard(status="verified_closed", deadline=AS_OF - timedelta(days=30))
SUBMITTED_OVERDUE = hazard(status="rectification_submitted", deadline=AS_OF - timedelta(days=1))


def test_every_kind_has_a_title():
    assert set(KIND_TITLES) == set(NoticeKind)
    assert KIND_TITLES[K.rectification] == "整改通知书"
    assert KIND_TITLES[K.reminder] == "提醒敦促函"


@pytest.mark.parametrize(
    ("kind", "year", "seq", "number"),
    [
        ("rectification", 2026, 1, "特监〔2026〕整改第0001号"),
        ("reminder", 2026, 12, "特监〔2026〕提醒第0012号"),
        ("interview", 2027, 305, "特监〔2027〕约谈第0305号"),
        ("listed_supervision", 2026, 10000, "特监〔2026〕督办第10000号"),
    ],
)
def test_notice_number(kind, year, seq, number):
    assert notice_number(kind, year, seq) == number


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (FRESH, False),
        (DUE_TODAY, False),
        (OVERDUE, True),
        (SUBMITTED_OVERDUE, True),
        (CLOSED, False),
    ],
    ids=["fresh", "due-today", "overdue", "submitted-overdue", "closed"],
)
def test_is_overdue(facts, expected):
    assert is_overdue(facts, AS_OF) is expected


@pytest.mark.parametrize(
    ("deadline", "ok"),
    [
        (AS_OF - timedelta(days=1), False),
        (AS_OF, False),
        (AS_OF + timedelta(days=1), True),
    ],
    ids=["yesterday", "today", "tomorrow"],
)
def test_deadline_must_be_after_as_of(deadline, ok):
    assert (deadline_problem(deadline, AS_OF) is None) is ok


#: (kind, hazards, allowed?, words in the problem)
CASES = [
    # rectification: any open hazard
    (K.rectification, [FRESH], True, ""),
    (K.rectification, [MAJOR, OVERDUE], True, ""),
    (K.rectification, [CLOSED], False, "已复查销号"),
    (K.rectification, [], False, "至少"),
    # reminder and interview: each hazard overdue or repeated
    (K.reminder, [OVERDUE], True, ""),
    (K.reminder, [REPEATED], True, ""),
    (K.reminder, [SUBMITTED_OVERDUE], True, ""),
    (K.reminder, [FRESH], False, "未逾期且非重复发生"),
    (K.reminder, [DUE_TODAY], False, "未逾期"),
    (K.reminder, [OVERDUE, FRESH], False, "第2项隐患"),
    (K.reminder, [CLOSED], False, "已复查销号"),
    (K.interview, [REPEATED, OVERDUE], True, ""),
    (K.interview, [MAJOR], False, "约谈通知书"),
    (K.interview, [DUE_TODAY], False, "未逾期"),
    (K.interview, [], False, "至少"),
    # listed supervision: the same, plus one major hazard
    (K.listed_supervision, [MAJOR_OVERDUE], True, ""),
    (K.listed_supervision, [MAJOR_REPEATED], True, ""),
    (K.listed_supervision, [OVERDUE, MAJOR_OVERDUE], True, ""),
    (K.listed_supervision, [OVERDUE], False, "重大隐患"),
    (K.listed_supervision, [REPEATED, OVERDUE], False, "重大隐患"),
    (K.listed_supervision, [MAJOR], False, "未逾期"),
    (K.listed_supervision, [hazard(severity="major", deadline=AS_OF)], False, "未逾期"),
    (K.listed_supervision, [MAJOR_OVERDUE, CLOSED], False, "第2项隐患已复查销号"),
]


@pytest.mark.parametrize(
    ("kind", "hazards", "allowed", "words"), CASES, ids=[f"{c[0].value}-{i}" for i, c in enumerate(CASES)]
)
def test_escalation_problem(kind, hazards, allowed, words):
    problem = escalation_problem(kind, hazards, AS_OF, LATER)
    assert (problem is None) is allowed, problem
    if not allowed:
        assert words in problem


@pytest.mark.parametrize("kind", list(NoticeKind))
@pytest.mark.parametrize("deadline", [AS_OF, AS_OF - timedelta(days=3)], ids=["today", "past"])
def test_escalation_problem_checks_the_notice_deadline_first(kind, deadline):
    problem = escalation_problem(kind, [MAJOR_OVERDUE], AS_OF, deadline)
    assert problem == deadline_problem(deadline, AS_OF)


def test_escalation_problem_refuses_an_unknown_kind():
    with pytest.raises(ValueError, match="warning"):
        escalation_problem("warning", [FRESH], AS_OF, LATER)


SUGGESTIONS = {
    "none": ([], K.rectification),
    "fresh": ([FRESH], K.rectification),
    "due-today": ([DUE_TODAY], K.rectification),
    "major-fresh": ([MAJOR], K.rectification),
    "overdue": ([OVERDUE], K.reminder),
    "two-overdue": ([OVERDUE, OVERDUE], K.reminder),
    "repeated": ([REPEATED], K.interview),
    "overdue+repeated": ([OVERDUE, REPEATED], K.interview),
    "major-repeated": ([MAJOR_REPEATED], K.interview),
    "major-overdue": ([MAJOR_OVERDUE], K.listed_supervision),
    "major-overdue+repeated": ([MAJOR_OVERDUE, REPEATED], K.listed_supervision),
    "major-overdue+fresh": ([MAJOR_OVERDUE, FRESH], K.rectification),
    "overdue+fresh": ([OVERDUE, FRESH], K.rectification),
}


@pytest.mark.parametrize(("hazards", "kind"), SUGGESTIONS.values(), ids=SUGGESTIONS.keys())
def test_suggested_kind(hazards, kind):
    assert suggested_kind(hazards, AS_OF) == kind


OPEN = [FRESH, DUE_TODAY, OVERDUE, REPEATED, MAJOR, MAJOR_OVERDUE, MAJOR_REPEATED, SUBMITTED_OVERDUE]


@pytest.mark.parametrize("first", OPEN)
@pytest.mark.parametrize("second", [None, *OPEN])
def test_suggested_kind_is_always_issuable(first, second):
    hazards = [first] if second is None else [first, second]
    assert escalation_problem(suggested_kind(hazards, AS_OF), hazards, AS_OF, LATER) is None


def test_chinese_date():
    assert chinese_date(date(2026, 1, 5)) == "2026年1月5日"


# --- the loop after issue: status, transitions, escalation order, deadline binding ---------

DUE = date(2026, 12, 16)


@pytest.mark.parametrize(
    ("state", "as_of", "status"),
    [
        ("issued", DUE, "issued"),
        ("issued", DUE + timedelta(days=1), "overdue"),
        ("acknowledged", DUE + timedelta(days=1), "overdue"),
        ("replied", DUE + timedelta(days=30), "replied"),
        ("closed", DUE + timedelta(days=30), "closed"),
    ],
)
def test_notice_status_is_overdue_only_when_unanswered_after_the_deadline(state, as_of, status):
    assert notice_status(state, DUE, as_of) == status


@pytest.mark.parametrize(
    ("state", "action", "allowed"),
    [
        ("issued", "acknowledge", True),
        ("acknowledged", "acknowledge", False),
        ("issued", "reply", False),
        ("acknowledged", "reply", True),
        ("replied", "reply", False),
        ("acknowledged", "close", False),
        ("replied", "close", True),
        ("closed", "close", False),
    ],
)
def test_each_step_follows_the_one_before(state, action, allowed):
    assert (transition_problem(state, action) is None) is allowed


@pytest.mark.parametrize(
    ("kind", "after"),
    [
        ("reminder", "rectification"),
        ("rectification", "interview"),
        ("interview", "listed_supervision"),
        ("listed_supervision", "listed_supervision"),
    ],
)
def test_escalation_order_of_seed_004(kind, after):
    assert next_kind(kind) == after


def test_notice_deadline_binds_only_a_later_hazard_deadline():
    assert bound_deadline(date(2027, 1, 5), DUE) == DUE
    assert bound_deadline(date(2026, 12, 1), DUE) == date(2026, 12, 1)


def test_escalated_kind_steps_back_to_what_the_rules_allow():
    as_of = date(2026, 12, 20)
    late_general = EscalationFacts("rectifying", "general", DUE)
    # after an overdue interview the next step is listed supervision, which needs a major hazard
    assert (
        escalated_kind([late_general], ["interview"], as_of, as_of + timedelta(days=7))
        == NoticeKind.interview
    )
    late_major = EscalationFacts("rectifying", "major", DUE)
    assert escalated_kind([late_major], [], as_of, as_of + timedelta(days=7)) == NoticeKind.listed_supervision
    fresh = EscalationFacts("reported", "general", date(2027, 1, 5))
    assert (
        escalated_kind([fresh], ["rectification"], as_of, as_of + timedelta(days=7))
        == NoticeKind.rectification
    )
