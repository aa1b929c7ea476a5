"""Gather the inspector's work queue from the domains below, each query scoped to the actor."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from backend.complaints.models import Complaint
from backend.complaints.rules import CATEGORY_LABELS, ComplaintStatus
from backend.core.auth import REGULATORS
from backend.core.clock import local_day, today
from backend.core.errors import Forbidden
from backend.extensions import db
from backend.hazards.models import Hazard, HazardEvent
from backend.hazards.rules import Action, HazardStatus, Severity
from backend.inspections.status import self_check_status
from backend.notices.models import Notice
from backend.notices.rules import KIND_TITLES, NoticeState
from backend.org.models import Enterprise
from backend.org.scope import Actor, enterprise_scope, own_records_scope, zone_scope
from backend.plans.models import InspectionPlan, ItemStatus, PlanItem, PlanStatus
from backend.workqueue.rules import Kind, QueueItem, Urgency, deadline_urgency, ordered

#: enough for a day's work; `total` says how many there are in all
MAX_ITEMS = 200
MAX_ENTERPRISES = 500


def work_queue(actor: Actor, as_of: date | None = None) -> dict:
    """A regulator's open work, most urgent first."""
    if actor.role not in REGULATORS:
        raise Forbidden("只有监管人员有工作队列 (regulators only)")
    as_of = as_of or today()
    items = ordered(
        [
            *_overdue_notices(actor, as_of),
            *_hazards_to_verify(actor),
            *_complaints_to_triage(actor),
            *_missed_self_checks(actor, as_of),
            *_plan_items(actor, as_of),
        ]
    )
    counts = {kind.value: 0 for kind in Kind}
    for item in items:
        counts[item.kind] += 1
    return {"as_of": as_of, "total": len(items), "counts": counts, "items": items[:MAX_ITEMS]}


def _overdue_notices(actor: Actor, as_of: date) -> list[QueueItem]:
    notices = db.session.scalars(
        select(Notice)
        .options(joinedload(Notice.enterprise))
        .where(
            own_records_scope(actor, Notice.enterprise_id, Notice.zone_id),
            Notice.state.not_in([NoticeState.replied, NoticeState.closed]),
            Notice.deadline < as_of,
        )
    )
    return [
        QueueItem(
            Kind.notice_overdue,
            str(n.id),
            f"{KIND_TITLES.get(n.kind, n.kind)} {n.number}",
            n.enterprise.name,
            n.deadline,
            Urgency.overdue,
            f"/notices/{n.id}",
        )
        for n in notices
    ]


def _hazards_to_verify(actor: Actor) -> list[QueueItem]:
    submitted_at = (
        select(HazardEvent.hazard_id, func.max(HazardEvent.at).label("at"))
        .where(HazardEvent.action == Action.submit_rectification)
        .group_by(HazardEvent.hazard_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Hazard, submitted_at.c.at)
        .options(joinedload(Hazard.enterprise))
        .outerjoin(submitted_at, submitted_at.c.hazard_id == Hazard.id)
        .where(
            enterprise_scope(actor, Hazard.enterprise_id, Hazard.zone_id),
            Hazard.status == HazardStatus.rectification_submitted,
        )
    )
    return [
        QueueItem(
            Kind.hazard_verification,
            hazard.id,
            hazard.description,
            hazard.enterprise.name,
            local_day(at or hazard.updated_at),
            Urgency.waiting,
            f"/hazards/{hazard.id}",
            major=hazard.severity == Severity.major,
        )
        for hazard, at in rows
    ]


def _complaints_to_triage(actor: Actor) -> list[QueueItem]:
    complaints = db.session.scalars(
        select(Complaint)
        .options(joinedload(Complaint.enterprise))
        .where(enterprise_scope(actor, Complaint.enterprise_id), Complaint.status == ComplaintStatus.received)
    )
    return [
        QueueItem(
            Kind.complaint_triage,
            str(c.id),
            f"{c.ticket_no} {CATEGORY_LABELS.get(c.category, c.category)}",
            c.enterprise.name if c.enterprise else c.reported_address,
            c.day,
            Urgency.waiting,
            f"/complaints/{c.id}",
        )
        for c in complaints
    ]


def _missed_self_checks(actor: Actor, as_of: date) -> list[QueueItem]:
    enterprise_ids = list(
        db.session.scalars(
            select(Enterprise.id)
            .where(enterprise_scope(actor, Enterprise.id))
            .order_by(Enterprise.id)
            .limit(MAX_ENTERPRISES)
        )
    )
    items = []
    for row in self_check_status(actor, enterprise_ids, as_of):
        missed = _missed_days(row)
        if missed:
            items.append(
                QueueItem(
                    Kind.missed_self_check,
                    str(row["enterprise_id"]),
                    row["enterprise_name"],
                    "",
                    min(missed),
                    Urgency.overdue,
                    f"/enterprises/{row['enterprise_id']}",
                    missed=_missed_counts(row),
                )
            )
    return items


def _missed_days(row: dict) -> list[date]:
    daily = [day for device in row["daily"]["devices"] for day in device["missed"]]
    periodic = [period["start"] for name in ("weekly", "monthly") for period in row[name]["missed"]]
    return daily + periodic


def _missed_counts(row: dict) -> dict[str, int]:
    """Missed daily device-days and weekly and monthly periods; the PWA words them in the user's language."""
    return {
        "daily": row["daily"]["missed"],
        "weekly": len(row["weekly"]["missed"]),
        "monthly": len(row["monthly"]["missed"]),
    }


def _plan_items(actor: Actor, as_of: date) -> list[QueueItem]:
    rows = db.session.execute(
        select(PlanItem, InspectionPlan)
        .join(InspectionPlan, InspectionPlan.id == PlanItem.plan_id)
        .options(joinedload(PlanItem.enterprise))
        .where(
            zone_scope(actor, InspectionPlan.zone_id),
            InspectionPlan.status == PlanStatus.published,
            InspectionPlan.period_start <= as_of,
            PlanItem.status == ItemStatus.pending,
        )
    )
    return [
        QueueItem(
            Kind.plan_item,
            str(item.id),
            item.enterprise.name,
            plan.title,
            plan.period_end,
            deadline_urgency(plan.period_end, as_of),
            f"/plans/{plan.id}",
        )
        for item, plan in rows
        if actor.id in item.inspectors
    ]
