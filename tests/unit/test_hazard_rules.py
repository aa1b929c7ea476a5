"""The rectification state machine as a pure table: every action × status × role."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from backend.hazards.rules import (
    Action,
    ActorFacts,
    HazardFacts,
    HazardStatus,
    allowed_actions,
    default_deadline,
    is_overdue,
    target_status,
)

S = HazardStatus
ENT, PEER_ENT, OTHER_ENT, ZONE, OTHER_ZONE = 1, 2, 3, 10, 11
SUPERVISOR_ID = 99

#: a general hazard in enterprise ENT (zone ZONE) found by a peer block supervisor
HAZARD = HazardFacts(
    status=S.reported,
    severity="general",
    enterprise_id=ENT,
    zone_id=ZONE,
    reported_by_id=SUPERVISOR_ID,
    reporter_role="block_supervisor",
)

#: name → (actor, may rectify, may review)
ACTORS: dict[str, tuple[ActorFacts, bool, bool]] = {
    "admin": (ActorFacts(1, "bureau_admin", None, None), True, True),
    "inspector": (ActorFacts(2, "inspector", None, ZONE), True, True),
    "other_inspector": (ActorFacts(3, "inspector", None, OTHER_ZONE), False, False),
    "manager": (ActorFacts(4, "safety_manager", ENT, None), True, False),
    "manager_x": (ActorFacts(5, "safety_manager", OTHER_ENT, None), False, False),
    "reporting_supervisor": (ActorFacts(SUPERVISOR_ID, "block_supervisor", PEER_ENT, None), False, True),
    "other_supervisor": (ActorFacts(6, "block_supervisor", PEER_ENT, None), False, False),
    "own_supervisor": (ActorFacts(7, "block_supervisor", ENT, None), True, False),
}

#: action → statuses it may start from
SOURCES = {
    Action.start_rectification: {S.reported},
    Action.submit_rectification: {S.reported, S.rectifying},
    Action.verify: {S.rectification_submitted},
    Action.return_: {S.rectification_submitted},
}
RECTIFY = {Action.start_rectification, Action.submit_rectification}


def _expected(action: Action, status: S, may_rectify: bool, may_review: bool) -> bool:
    return status in SOURCES[action] and (may_rectify if action in RECTIFY else may_review)


@pytest.mark.parametrize("status", list(S), ids=str)
@pytest.mark.parametrize("action", list(Action), ids=str)
@pytest.mark.parametrize("name", list(ACTORS))
def test_allowed_actions_follow_status_and_role(name, action, status):
    actor, may_rectify, may_review = ACTORS[name]
    allowed = allowed_actions(replace(HAZARD, status=status), actor)
    assert (action in allowed) is _expected(action, status, may_rectify, may_review)


@pytest.mark.parametrize("status", list(S), ids=str)
def test_allowed_actions_keep_the_transition_table_order(status):
    allowed = allowed_actions(replace(HAZARD, status=status), ACTORS["admin"][0])
    assert allowed == [a for a in Action if status in SOURCES[a]]


def test_closed_hazard_allows_nothing_to_anyone():
    closed = replace(HAZARD, status=S.verified_closed)
    assert all(allowed_actions(closed, actor) == [] for actor, _r, _v in ACTORS.values())


SUPERVISOR = ACTORS["reporting_supervisor"][0]
SUBMITTED = replace(HAZARD, status=S.rectification_submitted)


@pytest.mark.parametrize(
    ("hazard", "may_review"),
    [
        (SUBMITTED, True),
        (replace(SUBMITTED, severity="major"), False),
        (replace(SUBMITTED, reporter_role="inspector"), False),
        (replace(SUBMITTED, reported_by_id=SUPERVISOR_ID + 1), False),
        (replace(SUBMITTED, enterprise_id=PEER_ENT), False),
        (replace(SUBMITTED, reported_by_id=None, reporter_role=None), False),
    ],
    ids=[
        "general_mutual_check",
        "major",
        "reported_as_inspector",
        "someone_elses_report",
        "own_enterprise",
        "no_reporter",
    ],
)
def test_block_supervisor_reviews_only_their_general_mutual_check_finding(hazard, may_review):
    allowed = allowed_actions(hazard, SUPERVISOR)
    assert (Action.verify in allowed) is may_review
    assert (Action.return_ in allowed) is may_review


def test_inspector_without_zone_may_do_nothing():
    actor = ActorFacts(2, "inspector", None, None)
    assert all(allowed_actions(replace(HAZARD, status=s), actor) == [] for s in S)


@pytest.mark.parametrize(
    ("action", "status"),
    [
        (Action.start_rectification, S.rectifying),
        (Action.submit_rectification, S.rectification_submitted),
        (Action.verify, S.verified_closed),
        (Action.return_, S.rectifying),
    ],
    ids=str,
)
def test_target_status_of_each_action(action, status):
    assert target_status(action) == status


def test_return_action_is_spelled_return_on_the_wire():
    assert Action("return") is Action.return_


DAYS = {"general": 15, "major": 30}


@pytest.mark.parametrize(
    ("severity", "expected"),
    [("general", date(2025, 1, 16)), ("major", date(2025, 1, 31))],
    ids=["general_15_days", "major_30_days"],
)
def test_default_deadline_by_severity(severity, expected):
    assert default_deadline(severity, date(2025, 1, 1), DAYS) == expected


def test_default_deadline_crosses_a_leap_day():
    assert default_deadline("general", date(2024, 2, 20), DAYS) == date(2024, 3, 6)


AS_OF = date(2025, 6, 15)


@pytest.mark.parametrize(
    ("status", "deadline", "overdue"),
    [
        (S.reported, date(2025, 6, 14), True),
        (S.rectifying, date(2025, 6, 14), True),
        (S.rectification_submitted, date(2025, 6, 14), True),
        (S.reported, AS_OF, False),
        (S.reported, date(2025, 6, 16), False),
        (S.verified_closed, date(2025, 1, 1), False),
        (S.reported, None, False),
    ],
    ids=[
        "reported_past",
        "rectifying_past",
        "submitted_past",
        "due_today",
        "due_tomorrow",
        "closed_past",
        "no_deadline",
    ],
)
def test_is_overdue(status, deadline, overdue):
    assert is_overdue(status, deadline, AS_OF) is overdue


def test_earliest_deadline_follows_the_recorded_day_within_the_grace_window():
    from backend.hazards.rules import OFFLINE_GRACE_DAYS, earliest_deadline

    server_today = date(2026, 11, 23)
    assert earliest_deadline(server_today, None) == server_today
    assert earliest_deadline(server_today, date(2026, 11, 22)) == date(2026, 11, 22)
    assert earliest_deadline(server_today, date(2026, 11, 24)) == server_today
    grace_floor = server_today - timedelta(OFFLINE_GRACE_DAYS)
    assert earliest_deadline(server_today, date(2025, 1, 1)) == grace_floor
