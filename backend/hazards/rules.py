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
    #: who submitted the latest rectification (整改), if anyone
    rectified_by_id: int | None = None


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


def verifies_own_rectification(hazard: HazardFacts, actor: ActorFacts, action: Action) -> bool:
    """A major hazard's rectification is verified by someone other than who rectified it
    (an inspector who recorded the rectification on the enterprise's behalf included)."""
    return (
        action == Action.verify
        and hazard.severity == Severity.major
        and hazard.rectified_by_id is not None
        and hazard.rectified_by_id == actor.id
    )


def allowed_actions(hazard: HazardFacts, actor: ActorFacts) -> list[Action]:
    """The transitions this actor may take on this hazard now."""
    allowed = []
    for action, (sources, _target) in TRANSITIONS.items():
        if hazard.status not in sources or verifies_own_rectification(hazard, actor, action):
            continue
        permitted = _may_rectify if action in ENTERPRISE_ACTIONS else _may_review
        if permitted(hazard, actor):
            allowed.append(action)
    return allowed


# --- who may assert what ----------------------------------------------------------------

REGULATOR_ROLES = frozenset({"bureau_admin", "inspector"})
#: what a regulator's finding may be recorded as (a complaint's hazard comes from complaint triage)
REGULATOR_SOURCES = frozenset({HazardSource.inspection, HazardSource.complaint})


def decided_source(reporter_role: str, own_enterprise: bool, requested: str | None) -> HazardSource:
    """Where a hazard came from follows from who found it where, never from what a client says:
    the enterprise's own people self-check, a peer's supervisor mutual-checks, regulators inspect.
    `requested` (an internal caller's check kind) only picks among what the reporter may assert."""
    if reporter_role in REGULATOR_ROLES:
        return HazardSource(requested) if requested in REGULATOR_SOURCES else HazardSource.inspection
    return HazardSource.self_check if own_enterprise else HazardSource.mutual_check


def needs_confirmation(reporter_role: str, own_enterprise: bool) -> bool:
    """A non-regulator's finding on another enterprise counts in its grade only once a regulator
    confirms it: no single competitor moves a peer's grade."""
    return reporter_role not in REGULATOR_ROLES and not own_enterprise


def deadline_too_long(
    deadline: date, severity: str, reported_on: date, days: dict[str, int], reporter_role: str
) -> bool:
    """The bureau's configured days bound a deadline; only a regulator may grant longer."""
    if reporter_role in REGULATOR_ROLES:
        return False
    return deadline > default_deadline(severity, reported_on, days)


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


STATUS_LABELS = {
    HazardStatus.reported: "待整改",
    HazardStatus.rectifying: "整改中",
    HazardStatus.rectification_submitted: "待复核",
    HazardStatus.verified_closed: "已闭环",
}
SEVERITY_LABELS = {Severity.general: "一般隐患", Severity.major: "重大隐患"}
SOURCE_LABELS = {
    HazardSource.self_check: "企业自查",
    HazardSource.mutual_check: "互查",
    HazardSource.inspection: "监管检查",
    HazardSource.complaint: "投诉举报",
}
