"""Draw, publish and track random inspection plans (双随机、一公开)."""

from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import Select, func, select

from backend.accounts.models import User
from backend.complaints.models import Complaint
from backend.complaints.rules import ComplaintStatus
from backend.core.auth import REGULATORS, Role
from backend.core.clock import today, utcnow
from backend.core.errors import Forbidden, InvalidState, NotFound, ValidationFailed
from backend.core.hashing import payload_hash
from backend.core.pagination import Page, paginate
from backend.credit.models import Accident, CreditGrade
from backend.credit.rules import years_before
from backend.evidence.services import append_evidence
from backend.extensions import db
from backend.org.models import Enterprise, Person, Zone
from backend.org.scope import Actor, zone_scope
from backend.plans import rules
from backend.plans.models import InspectionPlan, InspectorRecusal, ItemStatus, PlanItem, PlanStatus

#: "many substantiated complaints" (第十二条第三项): this many in the last year
MANY_COMPLAINTS = 3


def _key_reasons(zone_id: int, as_of: date) -> dict[int, list[str]]:
    """Key objects of the zone (第十二条), set-based: public places, accidents, complaints."""
    reasons: dict[int, list[str]] = {}
    queries = {
        "public_place": select(Enterprise.id).where(Enterprise.zone_id == zone_id,
                                                    Enterprise.public_place.is_not(None)),
        "accident": select(Accident.enterprise_id).where(
            Accident.zone_id == zone_id, Accident.responsible.is_(True),
            Accident.occurred_on > years_before(as_of, 2)).distinct(),
        "complaints": select(Complaint.enterprise_id).join(
            Enterprise, Enterprise.id == Complaint.enterprise_id).where(
            Enterprise.zone_id == zone_id, Complaint.status == ComplaintStatus.substantiated,
            Complaint.day > years_before(as_of, 1)).group_by(Complaint.enterprise_id).having(
            func.count() >= MANY_COMPLAINTS),
    }
    for reason, query in queries.items():
        for enterprise_id in db.session.scalars(query):
            reasons.setdefault(enterprise_id, []).append(reason)
    return reasons


def _candidates(zone_id: int, as_of: date) -> list[rules.Candidate]:
    keys = _key_reasons(zone_id, as_of)
    rows = db.session.execute(select(CreditGrade.enterprise_id, CreditGrade.grade).where(
        CreditGrade.zone_id == zone_id).order_by(CreditGrade.enterprise_id))
    return [rules.Candidate(e, g, tuple(keys.get(e, ()))) for e, g in rows]


def _inspectors(zone_id: int) -> list[rules.Inspector]:
    users = db.session.execute(select(User.id, User.enterprise_id, Person.enterprise_id).outerjoin(
        Person, Person.id == User.person_id).where(
        User.role == Role.inspector, User.zone_id == zone_id, User.active.is_(True)))
    recusals: dict[int, set[int]] = {}
    for inspector_id, enterprise_id in db.session.execute(
            select(InspectorRecusal.inspector_id, InspectorRecusal.enterprise_id)):
        recusals.setdefault(inspector_id, set()).add(enterprise_id)
    return [rules.Inspector(uid, frozenset({e for e in (own, person) if e} | recusals.get(uid, set())))
            for uid, own, person in users]


def _zone_for(actor: Actor, zone_id: int) -> Zone:
    zone = db.session.scalar(select(Zone).where(Zone.id == zone_id, zone_scope(actor, Zone.id)))
    if zone is None:
        raise NotFound("辖区不存在或不在您的管辖范围 (zone not found)")
    return zone


def draw_inspection_plan(actor: Actor, data: dict) -> InspectionPlan:
    """Draw enterprises and inspectors at random with a recorded seed (422 when impossible)."""
    if actor.role not in REGULATORS:
        raise Forbidden("只有监管人员可以制定检查计划 (regulators only)")
    zone = _zone_for(actor, data["zone_id"])
    if data["period_end"] < data["period_start"]:
        raise ValidationFailed(details={"fields": {"period_end": ["不能早于开始日期"]}})
    seed = data.get("seed")
    seed = secrets.randbelow(2**31) if seed is None else seed
    candidates = _candidates(zone.id, today())
    try:
        items = rules.draw(data["size"], candidates, _inspectors(zone.id), seed, data["per_item"])
    except rules.PlanImpossible as error:
        raise ValidationFailed(str(error), code="plan_impossible",
                               details={"quotas": error.problems}) from error
    plan = InspectionPlan(zone_id=zone.id, title=data.get("title") or f"{zone.name}双随机抽查计划",
                          period_start=data["period_start"], period_end=data["period_end"],
                          size=data["size"], seed=seed, per_item=data["per_item"],
                          candidates_digest=payload_hash([[c.enterprise_id, c.grade, list(c.key_reasons)]
                                                          for c in candidates]),
                          created_by_id=actor.id)
    plan.items = [PlanItem(enterprise_id=i.enterprise_id, grade=i.grade,
                           key_reasons=",".join(i.key_reasons),
                           inspector_ids=",".join(map(str, i.inspector_ids))) for i in items]
    db.session.add(plan)
    db.session.flush()
    append_evidence("plan.draw", str(plan.id), {"seed": seed, "candidates": plan.candidates_digest,
                                                "content": plan_digest(plan)})
    return plan


def plan_digest(plan: InspectionPlan) -> str:
    return payload_hash([plan.zone_id, plan.size, plan.seed, plan.per_item,
                         [[i.enterprise_id, i.grade, i.inspector_ids] for i in plan.items]])


def visible_plans(actor: Actor, filters: dict | None = None) -> Select:
    filters = filters or {}
    if actor.role not in REGULATORS:
        raise Forbidden("只有监管人员可以查看检查计划 (regulators only)")
    query = select(InspectionPlan).where(zone_scope(actor, InspectionPlan.zone_id))
    if filters.get("zone_id"):
        query = query.where(InspectionPlan.zone_id == filters["zone_id"])
    return query.order_by(InspectionPlan.id.desc())


def list_plans(actor: Actor, filters: dict) -> Page:
    return paginate(visible_plans(actor, filters), filters["page"], filters["per_page"])


def get_plan_for(actor: Actor, plan_id: int) -> InspectionPlan:
    plan = db.session.scalar(visible_plans(actor).where(InspectionPlan.id == plan_id))
    if plan is None:
        raise NotFound("检查计划不存在或不在您的管辖范围 (plan not found)")
    return plan


def publish_plan(actor: Actor, plan_id: int) -> InspectionPlan:
    """Publish the plan (一公开): the public list shows it from now on."""
    plan = get_plan_for(actor, plan_id)
    if plan.status == PlanStatus.published:
        raise InvalidState("计划已公开 (already published)")
    plan.status, plan.published_at = PlanStatus.published, utcnow()
    db.session.flush()
    append_evidence("plan.publish", str(plan.id), {"content": plan_digest(plan)})
    return plan


def record_item_result(actor: Actor, plan_id: int, item_id: int, data: dict) -> InspectionPlan:
    """Mark one drawn enterprise inspected (execution tracking); its inspectors or the bureau."""
    plan = get_plan_for(actor, plan_id)
    item = next((i for i in plan.items if i.id == item_id), None)
    if item is None:
        raise NotFound("计划中没有该企业 (item not found)")
    if actor.role != Role.bureau_admin and actor.id not in item.inspectors:
        raise Forbidden("只有抽中的监察员可以登记结果 (assigned inspectors only)")
    if item.status != ItemStatus.pending:
        raise InvalidState("该企业的检查结果已登记 (already recorded)")
    item.status, item.result, item.done_on = data["status"], data["result"], today()
    db.session.flush()
    append_evidence("plan.result", f"{plan.id}:{item.id}",
                    {"content": payload_hash([item.id, item.status, item.result])})
    return plan


def execution_rate(plan: InspectionPlan) -> float:
    """Plan execution rate (计划执行率), to reach 100 % (seed 004)."""
    done = sum(1 for i in plan.items if i.status != ItemStatus.pending)
    return round(done / len(plan.items), 4) if plan.items else 0.0


def published_plans(filters: dict) -> Page:
    """The public list (一公开): published plans, newest first."""
    query = select(InspectionPlan).where(InspectionPlan.status == PlanStatus.published).order_by(
        InspectionPlan.published_at.desc(), InspectionPlan.id.desc())
    return paginate(query, filters["page"], filters["per_page"])
