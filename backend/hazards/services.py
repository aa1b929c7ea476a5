"""Report hazards and move them through the closed loop (隐患闭环)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, ScalarSelect, Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from backend.core.auth import REGULATORS, Role
from backend.core.changes import record_change
from backend.core.clock import local_day, today, utcnow
from backend.core.errors import Conflict, Forbidden, InvalidState, NotFound, ValidationFailed
from backend.core.events import publish
from backend.core.exports import export_items, yes_no
from backend.core.hashing import payload_hash
from backend.core.pagination import Page, paginate
from backend.core.search import (
    Arm,
    found_once,
    has_terms,
    holds_words,
    joined_on_terms,
    related_terms_arm,
    start_list_page,
)
from backend.devices.services import get_device_for, names_matching_device
from backend.evidence.services import append_evidence
from backend.extensions import db
from backend.hazards import rules
from backend.hazards.models import Hazard, HazardEvent, HazardPhoto, HazardSearchTerm
from backend.hazards.rules import Action, ActorFacts, HazardFacts, HazardStatus
from backend.inspections.models import MutualCheckAssignment, MutualCheckCycle
from backend.org.models import Enterprise, EnterpriseSearchTerm
from backend.org.scope import Actor, enterprise_scope
from backend.org.services import enterprise_holds_words, get_enterprise_for
from backend.photos.models import Photo
from backend.presence.services import evidence_of, presence_record

OPEN = rules.OPEN_STATUSES


def open_clause() -> ColumnElement[bool]:
    """rules.is_open in SQL."""
    return Hazard.status.in_(OPEN)


def overdue_clause(as_of: Any, deadline: Any = Hazard.deadline) -> ColumnElement[bool]:
    """rules.is_overdue in SQL; `deadline` may wrap the column (credit grading does)."""
    return open_clause() & (deadline < as_of)


def major_open_clause() -> ColumnElement[bool]:
    """rules.is_major_open in SQL."""
    return open_clause() & (Hazard.severity == rules.Severity.major)


def _facts(hazard: Hazard) -> HazardFacts:
    return HazardFacts(
        hazard.status,
        hazard.severity,
        hazard.enterprise_id,
        hazard.zone_id,
        hazard.reported_by_id,
        hazard.reporter_role,
        _rectified_by(hazard),
    )


def _rectified_by(hazard: Hazard) -> int | None:
    submitted = [e for e in hazard.events if e.action == Action.submit_rectification]
    return max(submitted, key=lambda e: e.at).actor_id if submitted else None


def _actor_facts(actor: Actor) -> ActorFacts:
    zone_id = actor.zone_id if actor.role == Role.inspector else None
    return ActorFacts(actor.id, actor.role, actor.enterprise_id, zone_id)


def allowed_actions_for(actor: Actor, hazard: Hazard) -> list[Action]:
    return rules.allowed_actions(_facts(hazard), _actor_facts(actor))


def _hazard_clauses(actor: Actor, filters: dict) -> list:
    clauses: list = [enterprise_scope(actor, Hazard.enterprise_id, Hazard.zone_id)]
    for key in ("status", "severity", "source", "enterprise_id", "device_id", "zone_id"):
        if filters.get(key) is not None:
            clauses.append(getattr(Hazard, key) == filters[key])
    if filters.get("block_id"):
        in_block = select(Enterprise.id).where(Enterprise.block_id == filters["block_id"])
        clauses.append(Hazard.enterprise_id.in_(in_block))
    if filters.get("open") is not None:
        clauses.append(open_clause() if filters["open"] else ~open_clause())
    if filters.get("overdue"):
        clauses.append(overdue_clause(today()))
    if filters.get("awaiting_verification"):
        clauses.append(_awaiting_my_review(actor))
    return clauses


#: the hazard list's order; search arms stop in it (core.search.limited_union)
_NEWEST_FIRST = (Hazard.created_at.desc(), Hazard.id.desc())  # ix_hazards_created_at_id read backwards


def visible_hazards(actor: Actor, filters: dict | None = None, search_limit: int | None = None) -> Select:
    filters = filters or {}
    clauses = _hazard_clauses(actor, filters)
    query = select(Hazard).where(*clauses)
    if filters.get("q"):
        q = filters["q"].strip()
        arms = _search_arms(q, clauses)
        query = query.where(found_once(Hazard.id, arms, _NEWEST_FIRST, _holds_as_written(q), search_limit))
    return query.options(
        # each row shows its enterprise's name: loaded for the page's rows, not joined to all
        # the ids a search found before the page is cut
        selectinload(Hazard.enterprise),
        selectinload(Hazard.photos),
        selectinload(Hazard.events).joinedload(HazardEvent.actor),
    ).order_by(*_NEWEST_FIRST)


def _search_arms(q: str, clauses: list) -> list[Arm]:
    """The hazard's own words, its device as the device search finds it, or its enterprise's
    name or address: one id query each, every one walking an index."""
    base = select(Hazard.id).where(*clauses)
    on_device = base.where(names_matching_device(Hazard.device_id, q))
    if not has_terms(q):
        return [on_device]
    return [
        joined_on_terms(base, HazardSearchTerm, "hazard_id", Hazard.id, q),
        related_terms_arm(
            base, EnterpriseSearchTerm, "enterprise_id", Hazard.enterprise_id, q, _NEWEST_FIRST
        ),
        on_device,
    ]


def _holds_as_written(q: str) -> ColumnElement[bool]:
    """The found hazards that hold the words of `q` as written, not only their character pairs
    (core.search.holds_words), each arm of _search_arms checked again by key."""
    on_device = names_matching_device(Hazard.device_id, q, as_written=True)
    if not has_terms(q):
        return on_device
    return (
        holds_words((Hazard.description, Hazard.category, Hazard.location), q)
        | enterprise_holds_words(Hazard.enterprise_id, q)
        | on_device
    )


def _awaiting_my_review(actor: Actor):
    submitted = Hazard.status == HazardStatus.rectification_submitted
    if actor.role in (Role.bureau_admin, Role.inspector):
        return submitted
    return (
        submitted
        & (Hazard.reported_by_id == actor.id)
        & (Hazard.severity == rules.Severity.general)
        & (Hazard.reporter_role == Role.block_supervisor)
    )


def list_hazards(actor: Actor, filters: dict) -> Page:
    cap, reach = start_list_page(filters)
    return paginate(visible_hazards(actor, filters, reach), filters["page"], filters["per_page"], cap)


def get_hazard_for(actor: Actor, hazard_id: str) -> Hazard:
    hazard = db.session.scalar(visible_hazards(actor).where(Hazard.id == str(hazard_id)))
    if hazard is None:
        raise NotFound("隐患不存在或不在您的管辖范围 (hazard not found)")
    return hazard


def open_hazards_of(device_id: Any) -> ScalarSelect[int]:
    """How many open hazards the device `device_id` (a column of the caller's query) has. The
    status is a FILTER, not a WHERE, so the count reads the device's own index entries
    (SQLite otherwise walked every open hazard for each device)."""
    return select(func.count().filter(open_clause())).where(Hazard.device_id == device_id).scalar_subquery()


def _create_hash(data: dict) -> str:
    return payload_hash({k: v for k, v in data.items() if k != "id"} | {"id": str(data["id"])})


def _target_enterprise(actor: Actor, data: dict) -> tuple[Enterprise, int | None]:
    if data.get("device_id") is not None:
        device = get_device_for(actor, data["device_id"])
        if data.get("enterprise_id") not in (None, device.enterprise_id):
            raise ValidationFailed(details={"fields": {"enterprise_id": ["与设备所属企业不一致"]}})
        return device.enterprise, device.id
    enterprise_id = data.get("enterprise_id") or actor.enterprise_id
    if enterprise_id is None:
        raise ValidationFailed(details={"fields": {"enterprise_id": ["请选择企业或设备 (required)"]}})
    return get_enterprise_for(actor, enterprise_id), None


def _days() -> dict[str, int]:
    return {
        "general": current_app.config["HAZARD_DEADLINE_DAYS_GENERAL"],
        "major": current_app.config["HAZARD_DEADLINE_DAYS_MAJOR"],
    }


def _check_peer_assignment(actor: Actor, enterprise: Enterprise) -> None:
    """A non-regulator reports on another enterprise only through a mutual check assigned to them."""
    since = today() - timedelta(days=rules.OFFLINE_GRACE_DAYS)
    assigned = db.session.scalar(
        select(MutualCheckAssignment.id)
        .join(MutualCheckCycle, MutualCheckCycle.id == MutualCheckAssignment.cycle_id)
        .where(
            MutualCheckAssignment.supervisor_id == actor.id,
            MutualCheckAssignment.enterprise_id == enterprise.id,
            MutualCheckCycle.starts_on <= today(),
            MutualCheckCycle.due_on >= since,
        )
        .limit(1)
    )
    if assigned is None:
        raise Forbidden(
            "只能对分配给您的互查单位报告隐患 (no mutual-check assignment for this enterprise)",
            code="assignment_required",
        )


def report_hazard_from_client(actor: Actor, data: dict) -> tuple[Hazard, bool]:
    """A report sent by a phone (API or sync): a client-sent `source` is ignored."""
    return _report(actor, data, requested_source=None)


def report_hazard(actor: Actor, data: dict) -> tuple[Hazard, bool]:
    """A report made by another service (a check's failed item, a complaint's triage): its
    `source` names the check, and still only picks among what the reporter may assert."""
    return _report(actor, data, requested_source=data.get("source"))


def _report(actor: Actor, data: dict, requested_source: str | None) -> tuple[Hazard, bool]:
    """Record a hazard found on site; the same id again is the same report (idempotent).

    Returns (hazard, created).
    """
    digest = _create_hash(data)
    existing = db.session.get(Hazard, str(data["id"]))
    if existing is not None:
        if existing.payload_hash != digest or existing.reported_by_id != actor.id:
            raise Conflict("该编号的隐患已存在且内容不同 (id reused with other content)")
        return get_hazard_for(actor, existing.id), False
    enterprise, device_id = _target_enterprise(actor, data)
    own = enterprise.id == actor.enterprise_id
    if actor.role not in REGULATORS and not own:
        _check_peer_assignment(actor, enterprise)
    deadline = _deadline(actor, data)
    unconfirmed = rules.needs_confirmation(actor.role, own)
    hazard = Hazard(
        id=str(data["id"]),
        enterprise_id=enterprise.id,
        zone_id=enterprise.zone_id,
        device_id=device_id,
        source=rules.decided_source(actor.role, own, requested_source),
        category=data["category"],
        severity=data["severity"],
        description=data["description"],
        location=data["location"],
        responsible_person=data["responsible_person"],
        deadline=deadline,
        reported_by_id=actor.id,
        reporter_role=actor.role,
        confirmed=not unconfirmed,
        payload_hash=digest,
    )
    hazard.photos = [HazardPhoto(sha256=s, stage="before") for s in dict.fromkeys(data["photos"])]
    hazard.presence = data.get("presence") or presence_record(data, data["photos"], enterprise.id, device_id)
    hazard.events = [
        HazardEvent(
            id=str(data["id"]),
            action="report",
            from_status=None,
            to_status=HazardStatus.reported,
            actor_id=actor.id,
            note=data["description"],
            payload_hash=digest,
        )
    ]
    db.session.add(hazard)
    db.session.flush()
    record_change("hazard", hazard.id, hazard.enterprise_id)
    append_evidence("hazard.create", hazard.id, hazard_evidence(hazard))
    _publish(hazard, "hazard.create")
    return hazard, True


def _deadline(actor: Actor, data: dict):
    reported_on = today()
    days = _days()
    deadline = data.get("deadline") or rules.default_deadline(data["severity"], reported_on, days)
    if deadline < rules.earliest_deadline(reported_on, data.get("recorded_on")):
        raise ValidationFailed(details={"fields": {"deadline": ["整改期限不能早于发现当天"]}})
    if rules.deadline_too_long(deadline, data["severity"], reported_on, days, actor.role):
        limit = days[data["severity"]]
        raise ValidationFailed(
            details={"fields": {"deadline": [f"整改期限最长 {limit} 天，更长须由监管部门确定"]}}
        )
    return deadline


def confirm_hazard(actor: Actor, hazard_id: str) -> Hazard:
    """A regulator confirms a peer's finding, so it counts in the enterprise's grade (idempotent)."""
    hazard = get_hazard_for(actor, hazard_id)
    if actor.role not in REGULATORS:
        raise Forbidden("只有监管部门可以确认隐患 (regulators only)", code="forbidden_role")
    if hazard.confirmed:
        return hazard
    hazard.confirmed = True
    hazard.confirmed_by_id = actor.id
    event = HazardEvent(
        id=str(uuid.uuid4()),
        action="confirm",
        from_status=hazard.status,
        to_status=hazard.status,
        actor_id=actor.id,
        payload_hash="",
    )
    hazard.events.append(event)
    hazard.updated_at = utcnow()
    db.session.flush()
    record_change("hazard", hazard.id, hazard.enterprise_id)
    append_evidence("hazard.confirm", hazard.id, hazard_step_evidence(event, hazard))
    _publish(hazard, "hazard.confirm")
    return hazard


def transition_hazard(actor: Actor, hazard_id: str, data: dict) -> Hazard:
    """Take one step of the loop; replaying the same step id is a no-op."""
    hazard = get_hazard_for(actor, hazard_id)
    digest = _step_hash(data)
    existing = db.session.get(HazardEvent, str(data["id"]))
    if existing is not None:
        if existing.payload_hash != digest or existing.hazard_id != hazard.id:
            raise Conflict("该编号的操作已存在且内容不同 (step id reused)")
        return hazard
    action = Action(data["action"])
    _check_transition(actor, hazard, action, data)
    event = HazardEvent(
        id=str(data["id"]),
        action=action.value,
        from_status=hazard.status,
        to_status=rules.target_status(action),
        actor_id=actor.id,
        note=data["note"],
        reason=data["reason"],
        payload_hash=digest,
        presence=presence_record(data, data["photos"], hazard.enterprise_id, hazard.device_id),
    )
    hazard.events.append(event)
    for sha in dict.fromkeys(data["photos"]):
        hazard.photos.append(HazardPhoto(sha256=sha, stage="after", event_id=event.id))
    hazard.status = event.to_status
    hazard.updated_at = utcnow()
    hazard.closed_at = utcnow() if hazard.status == HazardStatus.verified_closed else None
    db.session.flush()
    record_change("hazard", hazard.id, hazard.enterprise_id)
    append_evidence(f"hazard.{action.value}", hazard.id, hazard_step_evidence(event, hazard))
    _publish(hazard, f"hazard.{action.value}")
    return hazard


#: a step's optional proof-of-presence fields; a step sent without them hashes as before they existed
PRESENCE_KEYS = ("geolocation", "photo_meta", "scans")


def _step_hash(data: dict) -> str:
    """Idempotency key of a step: an op queued by an older app (no presence fields) still replays as
    a duplicate of the step it made."""
    kept = {k: v for k, v in data.items() if not (k in PRESENCE_KEYS and not v)}
    return payload_hash(kept | {"id": str(data["id"])})


def _publish(hazard: Hazard, kind: str) -> None:
    """A new or closed hazard changes the enterprise's risk score at once (seed 002 第十三条):
    credit re-grades it right after the commit."""
    publish(kind, {"enterprise_id": hazard.enterprise_id, "hazard_id": hazard.id})


def _check_transition(actor: Actor, hazard: Hazard, action: Action, data: dict) -> None:
    sources, _ = rules.TRANSITIONS[action]
    if hazard.status not in sources:
        raise InvalidState(f"隐患当前状态为 {hazard.status}，不能执行 {action.value}")
    if rules.verifies_own_rectification(_facts(hazard), _actor_facts(actor), action):
        raise Forbidden(
            "重大隐患须由整改提交人以外的监管人员核查 (the rectifier may not verify)",
            code="verifier_is_rectifier",
        )
    if action not in allowed_actions_for(actor, hazard):
        raise Forbidden("您无权对该隐患执行此操作 (not allowed for your role)")
    if action == Action.submit_rectification:
        _check_after_photos(hazard, data["photos"])
    if action == Action.return_ and not data["reason"]:
        raise ValidationFailed(details={"fields": {"reason": ["退回需填写原因"]}})


def _check_after_photos(hazard: Hazard, photos: list[str]) -> None:
    """After-photos are new uploads: not the hazard's own before-photos, not a hash never uploaded."""
    if not photos:
        raise ValidationFailed(details={"fields": {"photos": ["提交整改需附整改后照片"]}})
    before = {p.sha256 for p in hazard.photos if p.stage == "before"}
    if before & set(photos):
        raise ValidationFailed(details={"fields": {"photos": ["整改后照片不能使用隐患发现时的照片"]}})
    uploaded = set(db.session.scalars(select(Photo.sha256).where(Photo.sha256.in_(photos))))
    if uploaded != set(photos):
        raise ValidationFailed(details={"fields": {"photos": ["整改后照片尚未上传，请先上传照片"]}})


def hazard_digest(hazard: Hazard) -> str:
    """Digest of what a report states; any later edit of these columns breaks the chain."""
    before = sorted(p.sha256 for p in hazard.photos if p.stage == "before")
    return payload_hash(
        [
            hazard.id,
            hazard.enterprise_id,
            hazard.device_id,
            hazard.source,
            hazard.category,
            hazard.severity,
            hazard.description,
            hazard.location,
            (hazard.reported_deadline or hazard.deadline).isoformat(),
            hazard.reported_by_id,
            before,
        ]
        # reports made before presence was recorded keep their digest
        + ([hazard.presence] if hazard.presence else [])
    )


def hazard_evidence_strength(hazard: Hazard) -> dict:
    """On site, or the plain warnings, judged on the report's before-photos and its device's place."""
    before = [p.sha256 for p in hazard.photos if p.stage == "before"]
    return evidence_of(hazard.presence, before, hazard.device, hazard.created_at)


def event_digest(event: HazardEvent, hazard: Hazard) -> str:
    photos = sorted(p.sha256 for p in hazard.photos if p.event_id == event.id)
    return payload_hash(
        [
            event.id,
            event.hazard_id,
            event.action,
            event.from_status,
            event.to_status,
            event.actor_id,
            event.note,
            event.reason,
            photos,
        ]
        # steps made before their presence was recorded keep their digest
        + ([event.presence] if event.presence else [])
    )


def step_evidence_strength(event: HazardEvent) -> dict | None:
    """How strongly a step's photos (the rectification's after-photos) show they were taken on site;
    None for a step without photos."""
    hazard = db.session.get(Hazard, event.hazard_id)
    photos = [p.sha256 for p in hazard.photos if p.event_id == event.id] if hazard else []
    if hazard is None or not photos:
        return None
    return evidence_of(event.presence, photos, hazard.device, event.at)


def hazard_evidence_problem(kind: str, ref: str, data: dict) -> str | None:
    """Does the stored hazard (or step) still match what the chain recorded?"""
    hazard = db.session.get(Hazard, ref)
    if hazard is None:
        return f"hazard {ref} is missing"
    if kind == "hazard.create":
        altered = hazard_digest(hazard) != data.get("content") or _facts_differ(data, hazard_facts(hazard))
        return f"hazard {ref} was altered" if altered else None
    event = db.session.get(HazardEvent, data.get("event"))
    if event is None or event.hazard_id != ref:
        return f"step {data.get('event')} of hazard {ref} is missing"
    if event_digest(event, hazard) != data.get("content") or _facts_differ(data, event_facts(event)):
        return f"step {event.id} of hazard {ref} was altered"
    last = max(hazard.events, key=lambda e: e.at)
    return None if hazard.status == last.to_status else f"hazard {ref} status differs from its steps"


HAZARD_LEDGER_HEADINGS = (
    "发现日期",
    "企业名称",
    "使用登记证编号",
    "隐患类别",
    "隐患等级",
    "隐患描述",
    "位置",
    "来源",
    "状态",
    "整改期限",
    "是否超期",
    "闭环日期",
)


def hazard_ledger_rows(actor: Actor, filters: dict) -> list[list]:
    """The hazard list with the list's filters, one spreadsheet row per hazard."""
    as_of = today()
    query = visible_hazards(actor, filters).options(joinedload(Hazard.device))
    return [
        [
            local_day(h.created_at),
            h.enterprise.name,
            h.device.registration_no if h.device else "",
            h.category,
            rules.SEVERITY_LABELS.get(h.severity, h.severity),
            h.description,
            h.location,
            rules.SOURCE_LABELS.get(h.source, h.source),
            rules.STATUS_LABELS.get(h.status, h.status),
            h.deadline,
            yes_no(h.status in OPEN and h.deadline < as_of),
            local_day(h.closed_at) if h.closed_at else None,
        ]
        for h in export_items(query)
    ]


# --- evidence body v2: times, actors and the state after each entry -----------------
# Entries made before carry no "facts"/"state" and are checked as before.


def hazard_facts(hazard: Hazard) -> str:
    return payload_hash([hazard.created_at.isoformat(), hazard.responsible_person])


def event_facts(event: HazardEvent) -> str:
    return payload_hash([event.at.isoformat(), event.actor_id])


def hazard_state(hazard: Hazard) -> str:
    """What a step changes: the newest entry of a hazard must match its current row."""
    closed_at = hazard.closed_at.isoformat() if hazard.closed_at else None
    return payload_hash([hazard.status, closed_at, hazard.confirmed, hazard.confirmed_by_id])


def hazard_evidence(hazard: Hazard) -> dict:
    return {"content": hazard_digest(hazard), "facts": hazard_facts(hazard), "state": hazard_state(hazard)}


def hazard_step_evidence(event: HazardEvent, hazard: Hazard) -> dict:
    return {
        "event": event.id,
        "content": event_digest(event, hazard),
        "facts": event_facts(event),
        "state": hazard_state(hazard),
    }


def _facts_differ(data: dict, facts: str) -> bool:
    return "facts" in data and data["facts"] != facts


def hazard_state_problem(ref: str, data: dict) -> str | None:
    """Given the newest entry of a hazard: do its status, closed_at and confirmation still match?"""
    hazard = db.session.get(Hazard, ref)
    if hazard is None or "state" not in data:
        return None  # a missing hazard is reported by its entries
    if hazard_state(hazard) != data["state"]:
        return f"hazard {ref} state (status, closed_at, confirmation) was altered"
    return None
