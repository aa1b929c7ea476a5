"""Draw, publish and track random inspection plans (双随机、一公开)."""

from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from backend.accounts.models import User
from backend.complaints.models import Complaint
from backend.complaints.rules import ComplaintStatus
from backend.core.auth import REGULATORS, Role
from backend.core.clock import today, utcnow
from backend.core.errors import Forbidden, InvalidState, NotFound, ValidationFailed
from backend.core.hashing import payload_hash
from backend.core.history import HistoryEntry, history_of, record_history
from backend.core.pagination import Page, paginate
from backend.credit.models import Accident, CreditGrade
from backend.credit.rules import years_before
from backend.evidence.services import append_evidence
from backend.extensions import db
from backend.org.models import Enterprise, Person, Zone
from backend.org.scope import Actor, zone_scope
from backend.plans import rules
from backend.plans.access import require_regulator
from backend.plans.models import InspectionPlan, InspectorRecusal, ItemStatus, KeyObject, PlanItem, PlanStatus
from backend.plans.pdf import Row, plan_pdf

#: "many substantiated complaints" (第十二条第三项): this many in the last year
MANY_COMPLAINTS = 3


def _key_reasons(zone_id: int, as_of: date) -> dict[int, list[str]]:
    """Key objects of the zone (第十二条), set-based: public places, accidents, complaints."""
    reasons: dict[int, list[str]] = {}
    queries = {
        "public_place": select(Enterprise.id).where(
            Enterprise.zone_id == zone_id, Enterprise.public_place.is_not(None)
        ),
        "accident": select(Accident.enterprise_id)
        .where(
            Accident.zone_id == zone_id,
            Accident.responsible.is_(True),
            Accident.occurred_on > years_before(as_of, 2),
        )
        .distinct(),
        "complaints": select(Complaint.enterprise_id)
        .join(Enterprise, Enterprise.id == Complaint.enterprise_id)
        .where(
            Enterprise.zone_id == zone_id,
            Complaint.status == ComplaintStatus.substantiated,
            Complaint.day > years_before(as_of, 1),
        )
        .group_by(Complaint.enterprise_id)
        .having(func.count() >= MANY_COMPLAINTS),
    }
    for reason, query in queries.items():
        for enterprise_id in db.session.scalars(query):
            if enterprise_id is not None:  # complaints not yet linked to a device
                reasons.setdefault(enterprise_id, []).append(reason)
    return reasons


def _named_key_objects(zone_id: int, start: date, end: date) -> dict[int, str]:
    """Key objects the regulator named (第十二条第四项) in force on some day of the plan period."""
    rows = db.session.execute(
        select(KeyObject.enterprise_id, KeyObject.reason)
        .where(
            KeyObject.zone_id == zone_id,
            KeyObject.starts_on <= end,
            or_(KeyObject.ends_on.is_(None), KeyObject.ends_on >= start),
        )
        .order_by(KeyObject.id)
    )
    named: dict[int, str] = {}
    for enterprise_id, reason in rows:
        named[enterprise_id] = f"{named[enterprise_id]}；{reason}" if enterprise_id in named else reason
    return named


def _candidates(zone_id: int, as_of: date, named: dict[int, str]) -> list[rules.Candidate]:
    keys = _key_reasons(zone_id, as_of)
    for enterprise_id in named:
        keys.setdefault(enterprise_id, []).append("named")
    rows = db.session.execute(
        select(CreditGrade.enterprise_id, CreditGrade.grade)
        .where(CreditGrade.zone_id == zone_id)
        .order_by(CreditGrade.enterprise_id)
    )
    return [rules.Candidate(e, g, tuple(keys.get(e, ()))) for e, g in rows]


def _inspectors(*where) -> list[rules.Inspector]:
    """Active inspectors matching `where`, each with the enterprises they are linked to (回避)."""
    users = db.session.execute(
        select(User.id, User.enterprise_id, Person.enterprise_id)
        .outerjoin(Person, Person.id == User.person_id)
        .where(User.role == Role.inspector, User.active.is_(True), *where)
    ).all()
    recusals: dict[int, set[int]] = {}
    for inspector_id, enterprise_id in db.session.execute(
        select(InspectorRecusal.inspector_id, InspectorRecusal.enterprise_id).where(
            InspectorRecusal.withdrawn_at.is_(None),
            InspectorRecusal.inspector_id.in_([uid for uid, _, _ in users]),
        )
    ):
        recusals.setdefault(inspector_id, set()).add(enterprise_id)
    return [
        rules.Inspector(uid, frozenset({e for e in (own, person) if e} | recusals.get(uid, set())))
        for uid, own, person in users
    ]


def _zone_inspectors(zone_id: int) -> list[rules.Inspector]:
    return _inspectors(User.zone_id == zone_id)


def _city_inspectors(zone_id: int) -> list[rules.Inspector]:
    """The rest of the city's inspectors: sent where the zone lacks unlinked ones."""
    return _inspectors(or_(User.zone_id.is_(None), User.zone_id != zone_id))


def _names(user_ids: set[int]) -> dict[int, str]:
    rows = db.session.execute(select(User.id, User.display_name, User.username).where(User.id.in_(user_ids)))
    return {uid: display or username for uid, display, username in rows}


def _zone_for(actor: Actor, zone_id: int) -> Zone:
    zone = db.session.scalar(select(Zone).where(Zone.id == zone_id, zone_scope(actor, Zone.id)))
    if zone is None:
        raise NotFound("辖区不存在或不在您的管辖范围 (zone not found)")
    return zone


def _check_period(data: dict) -> None:
    if data["period_end"] < data["period_start"]:
        raise ValidationFailed(details={"fields": {"period_end": ["不能早于开始日期"]}})


def draw_inspection_plan(actor: Actor, data: dict) -> InspectionPlan:
    """Draw enterprises and inspectors at random with a recorded seed; the plan's notes say where
    it differs from the asked size or misses a quota (422 only when the city cannot staff it)."""
    if actor.role not in REGULATORS:
        raise Forbidden("只有监管人员可以制定检查计划 (regulators only)")
    zone = _zone_for(actor, data["zone_id"])
    _check_period(data)
    seed = data.get("seed")
    seed = secrets.randbelow(2**31) if seed is None else seed
    named = _named_key_objects(zone.id, data["period_start"], data["period_end"])
    candidates = _candidates(zone.id, today(), named)
    if not candidates:
        raise ValidationFailed(
            "本辖区没有已评级的企业可抽取 (no graded enterprises)",
            code="plan_impossible",
            details={"quotas": {"size": "本辖区没有已评级的企业可抽取"}},
        )
    try:
        drawn = rules.draw(
            data["size"],
            candidates,
            _zone_inspectors(zone.id),
            seed,
            data["per_item"],
            others=_city_inspectors(zone.id),
        )
    except rules.PlanImpossible as error:
        raise ValidationFailed(
            str(error), code="plan_impossible", details={"quotas": error.problems}
        ) from error
    borrowed_names = _names({i for ids in drawn.borrowed.values() for i in ids})
    notes = rules.describe(drawn.composition, drawn.borrowed, data["per_item"], borrowed_names)
    plan = InspectionPlan(
        zone_id=zone.id,
        title=data.get("title") or f"{zone.name}双随机抽查计划",
        period_start=data["period_start"],
        period_end=data["period_end"],
        size=data["size"],
        quota_total=drawn.composition.total,
        notes="\n".join(notes),
        seed=seed,
        per_item=data["per_item"],
        candidates_digest=payload_hash([[c.enterprise_id, c.grade, list(c.key_reasons)] for c in candidates]),
        created_by_id=actor.id,
    )
    plan.items = [
        PlanItem(
            enterprise_id=i.enterprise_id,
            grade=i.grade,
            key_reasons=",".join(i.key_reasons),
            named_reason=named.get(i.enterprise_id, "")[:200],
            inspector_ids=",".join(map(str, i.inspector_ids)),
        )
        for i in drawn.items
    ]
    db.session.add(plan)
    db.session.flush()
    append_evidence(
        "plan.draw",
        str(plan.id),
        {"seed": seed, "candidates": plan.candidates_digest, "content": plan_digest(plan)},
    )
    return plan


def preview_plan(actor: Actor, query: dict) -> dict:
    """What a draw of the zone would hold before drawing: the mandatory objects, the sizes meeting
    every quota exactly and, for the asked size, the plan total and its notes."""
    require_regulator(actor)
    zone = _zone_for(actor, query["zone_id"])
    start = query.get("period_start") or today()
    end = max(start, query.get("period_end") or start)
    candidates = _candidates(zone.id, today(), _named_key_objects(zone.id, start, end))
    pool = rules.Pool.of(candidates)
    preview = {
        "zone_id": zone.id,
        "candidates": dict(pool.available),
        "mandatory": {
            "total": pool.mandatory_total,
            "D": pool.mandatory["D"],
            "key": pool.key_total,
            "by_grade": dict(pool.mandatory),
        },
        "exact_sizes": [list(r) for r in rules.exact_sizes(pool)],
        "inspectors": {"zone": len(_zone_inspectors(zone.id)), "city_others": len(_city_inspectors(zone.id))},
    }
    size = query.get("size")
    if size and candidates:
        counts = rules.composition(size, pool)
        preview |= {
            "size": size,
            "quota_total": counts.total,
            "composition": dict(counts.counts),
            "limits": counts.limits,
            "exact": counts.exact,
            "notes": rules.describe(counts),
        }
    return preview


def plan_digest(plan: InspectionPlan) -> str:
    return payload_hash(
        [
            plan.zone_id,
            plan.size,
            plan.seed,
            plan.per_item,
            [[i.enterprise_id, i.grade, i.inspector_ids] for i in plan.items],
        ]
    )


def visible_plans(actor: Actor, filters: dict | None = None) -> Select:
    filters = filters or {}
    if actor.role not in REGULATORS:
        raise Forbidden("只有监管人员可以查看检查计划 (regulators only)")
    query = select(InspectionPlan).where(zone_scope(actor, InspectionPlan.zone_id))
    for key in ("zone_id", "status"):
        if filters.get(key):
            query = query.where(getattr(InspectionPlan, key) == filters[key])
    return query.order_by(InspectionPlan.id.desc())


def list_plans(actor: Actor, filters: dict) -> Page:
    query = visible_plans(actor, filters).options(
        selectinload(InspectionPlan.items), selectinload(InspectionPlan.zone)
    )
    return paginate(query, filters["page"], filters["per_page"])


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
    record_history("plan", plan.id, actor, {"status": (plan.status, PlanStatus.published)})
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
    done_on = data.get("done_on") or today()
    if done_on > today() or done_on < plan.period_start:
        raise ValidationFailed(
            details={"fields": {"done_on": [f"检查日期须在 {plan.period_start.isoformat()} 至今天之间"]}}
        )
    findings = data["findings"] if data["status"] == ItemStatus.done else 0
    name = item.enterprise.name
    changes = {f"item.{name}": (item.status, data["status"])}
    if data["result"]:
        changes[f"result.{name}"] = ("", data["result"])
    record_history("plan", plan.id, actor, changes)
    item.status, item.result, item.done_on, item.findings = (
        data["status"],
        data["result"],
        done_on,
        findings,
    )
    db.session.flush()
    append_evidence(
        "plan.result",
        f"{plan.id}:{item.id}",
        {"content": payload_hash([item.id, item.status, item.result, done_on.isoformat(), findings])},
    )
    return plan


def plan_document(actor: Actor, plan_id: int) -> tuple[InspectionPlan, bytes]:
    """The printable plan (A4) with its notes."""
    plan = get_plan_for(actor, plan_id)
    names = _names({uid for item in plan.items for uid in item.inspectors})
    rows = [
        Row(
            item.enterprise.name,
            item.grade,
            [r for r in item.key_reasons.split(",") if r],
            [names.get(uid, str(uid)) for uid in item.inspectors],
            item.status,
        )
        for item in plan.items
    ]
    return plan, plan_pdf(plan, rows)


def execution_rate(plan: InspectionPlan) -> float:
    """Plan execution rate (计划执行率), to reach 100 % (seed 004)."""
    done = sum(1 for i in plan.items if i.status != ItemStatus.pending)
    return round(done / len(plan.items), 4) if plan.items else 0.0


def published_plans(filters: dict) -> Page:
    """The public list (一公开): published plans, newest first."""
    query = (
        select(InspectionPlan)
        .where(InspectionPlan.status == PlanStatus.published)
        .order_by(InspectionPlan.published_at.desc(), InspectionPlan.id.desc())
        .options(
            selectinload(InspectionPlan.items).selectinload(PlanItem.enterprise),
            selectinload(InspectionPlan.zone),
        )
    )
    return paginate(query, filters["page"], filters["per_page"])


def quota_check(plan: InspectionPlan) -> dict[str, bool]:
    """The plan's quotas as predicates (A ≤ 5 %, B ≥ 10 %, C ≥ 50 %, size)."""
    items = [
        rules.Item(i.enterprise_id, i.grade, tuple(r for r in i.key_reasons.split(",") if r))
        for i in plan.items
    ]
    return rules.check_plan(plan.quota_total, items)


def plan_history(actor: Actor, plan_id: int) -> list[HistoryEntry]:
    """Every change of a plan in scope (publication, each item's result), newest first."""
    plan = get_plan_for(actor, plan_id)
    return history_of("plan", plan.id)
