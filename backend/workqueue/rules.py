"""Pure ordering of the inspector's work queue (no database, dates passed in)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Kind(StrEnum):
    notice_overdue = "notice_overdue"
    hazard_verification = "hazard_verification"
    complaint_triage = "complaint_triage"
    plan_item = "plan_item"
    missed_self_check = "missed_self_check"


class Urgency(StrEnum):
    #: a deadline has passed (notice, plan period, a self-check period)
    overdue = "overdue"
    #: waiting on the inspector with no fixed deadline (a rectification to verify, a complaint to triage)
    waiting = "waiting"
    #: due later (a plan item whose period is still running)
    upcoming = "upcoming"


URGENCY_RANK = {Urgency.overdue: 0, Urgency.waiting: 1, Urgency.upcoming: 2}
#: within the same urgency and day: what puts people at risk or the law's deadline first
KIND_RANK = {
    Kind.notice_overdue: 0,
    Kind.hazard_verification: 1,
    Kind.complaint_triage: 2,
    Kind.missed_self_check: 3,
    Kind.plan_item: 4,
}


@dataclass(frozen=True)
class QueueItem:
    kind: Kind
    ref: str
    title: str
    subtitle: str
    #: the deadline, or the day the item started waiting
    due_on: date
    urgency: Urgency
    link: str
    major: bool = False
    #: missed self-checks: {"daily": device-days, "weekly": periods, "monthly": periods}
    missed: dict[str, int] | None = field(default=None, compare=False)


def deadline_urgency(deadline: date, as_of: date) -> Urgency:
    return Urgency.overdue if deadline < as_of else Urgency.upcoming


def sort_key(item: QueueItem) -> tuple:
    """Overdue, then waiting, then upcoming; oldest first; major hazards before general ones."""
    return (URGENCY_RANK[item.urgency], item.due_on, not item.major, KIND_RANK[item.kind], item.ref)


def ordered(items: list[QueueItem]) -> list[QueueItem]:
    return sorted(items, key=sort_key)
