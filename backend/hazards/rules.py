"""Pure hazard rules: the rectification state machine (隐患闭环) and deadlines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class HazardStatus(StrEnum):
    reported = "reported"
    rectifying = "rectifying"
    rectification_submitted = "rectification_submitted"
    verified_closed = "verified_closed"


class Severity(StrEnum):
    general = "general"
    major = "major"


class HazardSource(StrEnum):
    self_check = "self_check"
    mutual_check = "mutual_check"
    inspection = "inspection"
    complaint = "complaint"


class Action(StrEnum):
    start_rectification = "start_rectification"
    submit_rectification = "submit_rectification"
    verify = "verify"
    #: send a rectification back (退回): the hazard returns to rectifying with a reason
    return_ = "return"


S = HazardStatus
#: action → (statuses it may start from, status it leads to)
TRANSITIONS: dict[Action, tuple[frozenset[HazardStatus], HazardStatus]] = {
    Action.start_rectification: (frozenset({S.reported}), S.rectifying),
    Action.submit_rectification: (frozenset({S.reported, S.rectifying}), S.rectification_submitted),
    Action.verify: (frozenset({S.rectification_submitted}), S.verified_closed),
    Action.return_: (frozenset({S.rectification_submitted}), S.rectifying),
}

ENTERPRISE_ACTIONS = frozenset({Action.start_rectification, Action.submit_rectification})
REVIEW_ACTIONS = frozenset({Action.verify, Action.return_})


@dataclass(frozen=True)
class HazardFacts:
    status: str
    severity: str
    enterprise_id: int
    zone_id: int
    reported_by_id: int | None
    reporter_role: str | None


@dataclass(frozen=True)
class ActorFacts:
    id: int
    role: str
    enterprise_id: int | None
    zone_id: int | None


def _may_rectify(hazard: HazardFacts, actor: ActorFacts) -> bool:
    """The enterprise's own people rectify; regulators may record it for them."""
    if actor.role == "bureau_admin":
        return True
    if actor.role == "inspector":
        return actor.zone_id == hazard.zone_id
    return actor.enterprise_id == hazard.enterprise_id


def _may_review(hazard: HazardFacts, actor: ActorFacts) -> bool:
    """Major hazards need an inspector; a general one may also be verified by the
    block supervisor who found it in a mutual check (never in their own enterprise)."""
    if actor.role == "bureau_admin":
        return True
    if actor.role == "inspector":
        return actor.zone_id == hazard.zone_id
    return (
        actor.role == "block_supervisor"
        and hazard.severity == Severity.general
        and hazard.reported_by_id == actor.id
        and hazard.reporter_role == "block_supervisor"
        and actor.enterprise_id != hazard.enterprise_id
    )


def allowed_actions(hazard: HazardFacts, actor: ActorFacts) -> list[Action]:
    """The transitions this actor may take on this hazard now."""
    allowed = []
    for action, (sources, _target) in TRANSITIONS.items():
        if hazard.status not in sources:
            continue
        permitted = _may_rectify if action in ENTERPRISE_ACTIONS else _may_review
        if permitted(hazard, actor):
            allowed.append(action)
    return allowed


def target_status(action: Action) -> HazardStatus:
    return TRANSITIONS[action][1]


def default_deadline(severity: str, reported_on: date, days: dict[str, int]) -> date:
    """Rectification deadline (整改期限) by severity; the bureau configures the days."""
    return reported_on + timedelta(days=days[severity])


OFFLINE_GRACE_DAYS = 30


def earliest_deadline(server_today: date, recorded_on: date | None) -> date:
    """The earliest deadline a report may carry.

    A report made offline reaches the server later than it was written; its deadline is judged against the day
    the phone recorded it, within a grace window so an old or forged date cannot backdate a deadline freely.
    A phone clock running ahead never moves the bar past the server's today.
    """
    if recorded_on is None or recorded_on > server_today:
        return server_today
    return max(recorded_on, server_today - timedelta(days=OFFLINE_GRACE_DAYS))


#: open (未关闭): not yet verified closed; the SQL form is hazards.services.open_clause
OPEN_STATUSES = (HazardStatus.reported, HazardStatus.rectifying, HazardStatus.rectification_submitted)


def is_open(status: str) -> bool:
    return status in OPEN_STATUSES


def is_overdue(status: str, deadline: date | None, as_of: date) -> bool:
    """逾期, the one definition every screen and report counts: open and past its rectification
    deadline; the deadline day itself is not overdue, `as_of` is the China-time day.
    The SQL form is hazards.services.overdue_clause."""
    return is_open(status) and deadline is not None and deadline < as_of


def is_major_open(status: str, severity: str) -> bool:
    """An open major hazard (重大隐患未整改); SQL: hazards.services.major_open_clause."""
    return is_open(status) and severity == Severity.major
