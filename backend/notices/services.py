"""Issue escalation notices (三书一函) and read them within scope."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import Select, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from backend.core.auth import REGULATORS, Role
from backend.core.changes import record_change
from backend.core.clock import today, utcnow
from backend.core.errors import Conflict, Forbidden, InvalidState, NotFound, ValidationFailed
from backend.core.hashing import payload_hash
from backend.core.history import record_history
from backend.core.pagination import Page, paginate
from backend.evidence.services import append_evidence
from backend.extensions import db
from backend.hazards.models import Hazard, HazardEvent
from backend.hazards.rules import OPEN_STATUSES
from backend.hazards.services import get_hazard_for, open_clause
from backend.notices import rules
from backend.notices.models import Notice, NoticeHazard
from backend.notices.pdf import notice_pdf
from backend.org.models import Enterprise
from backend.org.scope import Actor, own_records_scope
from backend.org.services import get_enterprise_for
from backend.photos.models import Photo


def visible_notices(actor: Actor, filters: dict | None = None) -> Select:
    """Notices to the enterprises the actor may see; block peers' notices are not theirs."""
    filters = filters or {}
    query = select(Notice).where(own_records_scope(actor, Notice.enterprise_id))
    for key in ("kind", "enterprise_id"):
        if filters.get(key) is not None:
            query = query.where(getattr(Notice, key) == filters[key])
    return query.options(
        joinedload(Notice.enterprise),
        joinedload(Notice.zone),
        joinedload(Notice.issued_by),
        selectinload(Notice.items).joinedload(NoticeHazard.hazard).joinedload(Hazard.device),
    ).order_by(Notice.issued_on.desc(), Notice.id.desc())


def list_notices(actor: Actor, filters: dict) -> Page:
    return paginate(visible_notices(actor, filters), filters["page"], filters["per_page"])


#: larger ids cannot exist (and overflow the database driver)
MAX_ID = 2**63 - 1


def get_notice_for(actor: Actor, notice_id: int) -> Notice:
    notice = None
    if 0 < notice_id <= MAX_ID:
        notice = db.session.scalar(visible_notices(actor).where(Notice.id == notice_id))
    if notice is None:
        raise NotFound("文书不存在或不在您的管辖范围 (notice not found)")
    return notice


def notice_document(actor: Actor, notice_id: int) -> tuple[Notice, bytes]:
    """The notice as a printable A4 PDF."""
    notice = get_notice_for(actor, notice_id)
    return notice, notice_pdf(notice)


def issue_notice(actor: Actor, data: dict) -> Notice:
    """Issue a notice (签发文书) to an enterprise for some of its open hazards.

    Regulators only; an enterprise outside the actor's zone is 404; the escalation
    rules (rules.escalation_problem) give 422. Each hazard's log records the notice.
    """
    if actor.role not in REGULATORS:
        raise Forbidden("只有监管人员可以签发文书 (regulators only)")
    enterprise = get_enterprise_for(actor, data["enterprise_id"])
    hazards = _enterprise_hazards(enterprise, [str(h) for h in data["hazard_ids"]])
    issued_on = today()
    _check_escalation(data["kind"], hazards, issued_on, data["deadline"])
    notice = _insert_notice(actor, enterprise, data, hazards, issued_on)
    for hazard in hazards:
        _log_on_hazard(actor, notice, hazard)
    db.session.flush()
    append_evidence("notice.issue", str(notice.id), notice_evidence(notice))
    record_change("notice", notice.id, notice.enterprise_id)
    return notice


def _enterprise_hazards(enterprise: Enterprise, hazard_ids: list[str]) -> list[Hazard]:
    """The listed hazards in the order given; each must be this enterprise's (else 422)."""
    wanted = list(dict.fromkeys(hazard_ids))
    found = {
        h.id: h
        for h in db.session.scalars(
            select(Hazard).where(Hazard.id.in_(wanted), Hazard.enterprise_id == enterprise.id)
        )
    }
    missing = [h for h in wanted if h not in found]
    if missing:
        raise ValidationFailed(
            details={
                "fields": {
                    "hazard_ids": [
                        f"不是该企业的隐患 (not a hazard of this enterprise): {', '.join(missing)}"
                    ]
                }
            }
        )
    return [found[h] for h in wanted]


def is_repeated(hazard: Hazard) -> bool:
    """Did the enterprise report a hazard on the same device (without a device: in the
    same category) within REPEAT_WINDOW_DAYS before this one? (反复出现的隐患)"""
    since = hazard.created_at - timedelta(days=rules.REPEAT_WINDOW_DAYS)
    same = (
        Hazard.device_id == hazard.device_id
        if hazard.device_id is not None
        else Hazard.category == hazard.category
    )
    earlier = exists().where(
        Hazard.enterprise_id == hazard.enterprise_id,
        Hazard.id != hazard.id,
        same,
        Hazard.created_at >= since,
        Hazard.created_at < hazard.created_at,
    )
    return bool(db.session.scalar(select(earlier)))


def escalation_facts(hazard: Hazard) -> rules.EscalationFacts:
    return rules.EscalationFacts(hazard.status, hazard.severity, hazard.deadline, is_repeated(hazard))


def _check_escalation(kind: str, hazards: list[Hazard], as_of: date, deadline: date) -> None:
    facts = [escalation_facts(h) for h in hazards]
    problem = rules.escalation_problem(kind, facts, as_of, deadline)
    if problem:
        field = "deadline" if rules.deadline_problem(deadline, as_of) else "hazard_ids"
        raise ValidationFailed(problem, code="escalation_not_allowed", details={"fields": {field: [problem]}})


def _next_seq(kind: str, year: int) -> int:
    """Next number in the kind's sequence for `year` (the unique number guards races)."""
    last = db.session.scalar(
        select(func.max(Notice.seq)).where(
            Notice.kind == kind, Notice.issued_on.between(date(year, 1, 1), date(year, 12, 31))
        )
    )
    return (last or 0) + 1


def _insert_notice(
    actor: Actor, enterprise: Enterprise, data: dict, hazards: list[Hazard], issued_on: date
) -> Notice:
    kind = rules.NoticeKind(data["kind"])
    seq = _next_seq(kind, issued_on.year)
    notice = Notice(
        number=rules.notice_number(kind, issued_on.year, seq),
        seq=seq,
        kind=kind,
        enterprise_id=enterprise.id,
        zone_id=enterprise.zone_id,
        issued_by_id=actor.id,
        issued_on=issued_on,
        deadline=data["deadline"],
        remarks=data["remarks"],
    )
    notice.items = [
        NoticeHazard(hazard_id=h.id, position=i, hazard_deadline=h.deadline)
        for i, h in enumerate(hazards, start=1)
    ]
    try:
        with db.session.begin_nested():
            db.session.add(notice)
            db.session.flush()
    except IntegrityError as exc:
        # SQLite serialises writers; on PostgreSQL two issuers may race for one number.
        raise Conflict(
            "文书编号已被占用，请重新提交 (notice number taken, retry)", code="notice_number_taken"
        ) from exc
    return notice


def _log_on_hazard(actor: Actor, notice: Notice, hazard: Hazard) -> None:
    """The hazard's own log shows the notice; its status does not change, its deadline
    becomes no later than the notice's (rules.bound_deadline)."""
    note = f"{notice.number} {notice.title}"
    bound = rules.bound_deadline(hazard.deadline, notice.deadline)
    if bound != hazard.deadline:
        note += f"；整改期限 {hazard.deadline.isoformat()} → {bound.isoformat()}"
        record_history("hazard", hazard.id, actor, {"deadline": (hazard.deadline, bound)}, notice.number)
        hazard.reported_deadline = hazard.reported_deadline or hazard.deadline
        hazard.deadline = bound
    hazard.events.append(
        HazardEvent(
            id=str(uuid.uuid4()),
            action="notice_issued",
            from_status=hazard.status,
            to_status=hazard.status,
            actor_id=actor.id,
            note=note,
            payload_hash="",
        )
    )
    hazard.updated_at = utcnow()
    record_change("hazard", hazard.id, hazard.enterprise_id)


def notice_evidence(notice: Notice) -> dict:
    """What the evidence chain records of a notice: no personal data; "facts" hashes when
    and by whom it was issued."""
    return {
        "number": notice.number,
        "kind": notice.kind,
        "enterprise": notice.enterprise_id,
        "hazards": sorted(i.hazard_id for i in notice.items),
        "deadline": notice.deadline.isoformat(),
        "facts": _issue_facts(notice),
    }


def _issue_facts(notice: Notice) -> str:
    return payload_hash([notice.created_at.isoformat(), notice.issued_on.isoformat(), notice.issued_by_id])


def _at(moment: datetime | None) -> str:
    return payload_hash([moment.isoformat() if moment else None])


def step_evidence(notice: Notice, action: str) -> dict:
    """What the chain records of one step: who, when ("facts"), the signature, a digest of the reply text."""
    if action == rules.NoticeAction.acknowledge:
        return {
            "by": notice.acknowledged_by_id,
            "signature": notice.signature_sha256,
            "facts": _at(notice.acknowledged_at),
        }
    if action == rules.NoticeAction.reply:
        return {
            "by": notice.replied_by_id,
            "text": payload_hash(notice.reply_text),
            "photos": sorted(notice.reply_photos or []),
            "facts": _at(notice.replied_at),
        }
    return {"by": notice.closed_by_id, "facts": _at(notice.closed_at)}


def notice_evidence_problem(kind: str, ref: str, data: dict) -> str | None:
    """Does the stored notice (or its step) still match what the chain recorded? (for verify_chain)"""
    notice = db.session.get(Notice, int(ref))
    if notice is None:
        return f"notice {ref} is missing"
    action = kind.removeprefix("notice.")
    stored = notice_evidence(notice) if action == "issue" else step_evidence(notice, action)
    if "facts" not in data:  # recorded before the times were hashed
        stored.pop("facts", None)
    return None if stored == data else f"notice {ref} was altered"


# --- the enterprise's answer and the regulator's close -------------------------------


def allowed_actions(actor: Actor | None, notice: Notice) -> list[rules.NoticeAction]:
    """What the actor may do next: the enterprise's safety manager signs and replies,
    the issuing zone (or the bureau) closes."""
    if actor is None:
        return []
    return [
        action
        for action in rules.NoticeAction
        if _may(actor, notice, action) and not rules.transition_problem(notice.state, action)
    ]


def _may(actor: Actor, notice: Notice, action: rules.NoticeAction) -> bool:
    if action == rules.NoticeAction.close:
        return actor.role == Role.bureau_admin or (
            actor.role == Role.inspector and actor.zone_id == notice.zone_id
        )
    return actor.role == Role.safety_manager and actor.enterprise_id == notice.enterprise_id


def _step(actor: Actor, notice_id: int, action: rules.NoticeAction) -> Notice:
    """The notice, once the actor may take `action` now: out of scope 404, not theirs 403, wrong state 409."""
    notice = get_notice_for(actor, notice_id)
    if not _may(actor, notice, action):
        raise Forbidden("您无权对该文书执行此操作 (not allowed for your role)")
    problem = rules.transition_problem(notice.state, action)
    if problem:
        raise InvalidState(problem)
    return notice


def _require_uploaded(field: str, photos: list[str], message: str) -> None:
    uploaded = set(db.session.scalars(select(Photo.sha256).where(Photo.sha256.in_(photos))))
    if uploaded != set(photos):
        raise ValidationFailed(details={"fields": {field: [message]}})


def _record_step(actor: Actor, notice: Notice, action: rules.NoticeAction) -> Notice:
    before = notice.state
    notice.state = rules.next_state(action)
    record_history("notice", notice.id, actor, {"state": (before, notice.state)})
    db.session.flush()
    append_evidence(f"notice.{action}", str(notice.id), step_evidence(notice, action))
    record_change("notice", notice.id, notice.enterprise_id)
    return notice


def acknowledge_notice(actor: Actor, notice_id: int, data: dict) -> Notice:
    """The safety manager signs for the notice (签收) with a drawn signature (an uploaded PNG)."""
    notice = _step(actor, notice_id, rules.NoticeAction.acknowledge)
    _require_uploaded("signature", [data["signature"]], "签名图片尚未上传 (signature not uploaded)")
    notice.acknowledged_at = utcnow()
    notice.acknowledged_by_id = actor.id
    notice.signature_sha256 = data["signature"]
    return _record_step(actor, notice, rules.NoticeAction.acknowledge)


def acknowledge_from_client(actor: Actor, data: dict) -> bool:
    """Sync op `notice.acknowledge`: False when this signature already acknowledged it
    (a retried op whose ledger row was lost changes nothing)."""
    notice = get_notice_for(actor, data["notice_id"])
    if notice.signature_sha256 == data["signature"] and notice.acknowledged_by_id == actor.id:
        return False
    acknowledge_notice(actor, data["notice_id"], data)
    return True


def reply_to_notice(actor: Actor, notice_id: int, data: dict) -> Notice:
    """The enterprise reports what it did (回复), with photos."""
    notice = _step(actor, notice_id, rules.NoticeAction.reply)
    photos = list(dict.fromkeys(data["photos"]))
    _require_uploaded("photos", photos, "照片尚未上传，请先上传照片 (photos not uploaded)")
    notice.replied_at = utcnow()
    notice.replied_by_id = actor.id
    notice.reply_text = data["text"]
    notice.reply_photos = photos
    return _record_step(actor, notice, rules.NoticeAction.reply)


def close_notice(actor: Actor, notice_id: int) -> Notice:
    """The issuing zone's inspector (or the bureau) closes the notice (结案)."""
    notice = _step(actor, notice_id, rules.NoticeAction.close)
    notice.closed_at = utcnow()
    notice.closed_by_id = actor.id
    return _record_step(actor, notice, rules.NoticeAction.close)


# --- what the issue form proposes -------------------------------------------------------


def issue_suggestion(actor: Actor, query: dict) -> dict:
    """The issue form's defaults: the hazards (the one given, the open ones a notice cited
    for its next step, or the enterprise's open ones), the kind the escalation rules suggest
    and a deadline that kind allows."""
    if actor.role not in REGULATORS:
        raise Forbidden("只有监管人员可以签发文书 (regulators only)")
    if query.get("notice_id"):
        notice = get_notice_for(actor, query["notice_id"])
        enterprise = get_enterprise_for(actor, notice.enterprise_id)
        hazards = [item.hazard for item in notice.items if item.hazard.status in OPEN_STATUSES]
    elif query.get("hazard_id"):
        hazard = get_hazard_for(actor, str(query["hazard_id"]))
        enterprise = get_enterprise_for(actor, hazard.enterprise_id)
        hazards = [hazard] if hazard.status in OPEN_STATUSES else []
    elif query.get("enterprise_id"):
        enterprise = get_enterprise_for(actor, query["enterprise_id"])
        hazards = _open_hazards(enterprise)
    else:
        raise ValidationFailed(details={"fields": {"hazard_id": ["请指定隐患或企业 (hazard or enterprise)"]}})
    as_of = today()
    facts = [escalation_facts(h) for h in hazards]
    overdue = _overdue_notices(hazards, as_of)
    probe = rules.default_deadline(rules.NoticeKind.rectification, as_of)
    kind = rules.escalated_kind(facts, [n.kind for n in overdue], as_of, probe)
    return {
        "enterprise_id": enterprise.id,
        "enterprise_name": enterprise.name,
        "kind": kind,
        "deadline": rules.default_deadline(kind, as_of),
        "hazards": hazards,
        "overdue_notices": overdue,
    }


def _open_hazards(enterprise: Enterprise) -> list[Hazard]:
    query = (
        select(Hazard)
        .where(Hazard.enterprise_id == enterprise.id, open_clause(), Hazard.confirmed.is_(True))
        .order_by(Hazard.deadline, Hazard.id)
        .limit(rules.MAX_HAZARDS)
    )
    return list(db.session.scalars(query))


def _overdue_notices(hazards: list[Hazard], as_of: date) -> list[Notice]:
    """Notices already citing these hazards whose deadline passed unanswered."""
    if not hazards:
        return []
    cited = select(NoticeHazard.notice_id).where(NoticeHazard.hazard_id.in_([h.id for h in hazards]))
    query = select(Notice).where(
        Notice.id.in_(cited),
        Notice.state.in_([rules.NoticeState.issued, rules.NoticeState.acknowledged]),
        Notice.deadline < as_of,
    )
    return list(db.session.scalars(query.order_by(Notice.id)))
