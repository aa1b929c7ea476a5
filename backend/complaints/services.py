"""Complaint intake from the public, tracking, triage by the zone inspector, rewards.

Privacy (举报人保密, PIPL arts. 19 and 51):
- the only personal datum is an optional contact phone, stored as a Fernet token (keys.py)
  plus a masked copy (138****5678); no hash of the phone is stored anywhere;
- regulators in scope (bureau_admin, the zone's inspectors) see it masked and may reveal it
  on request (reveal_contact_phone), which the history keeps for the bureau; the enterprise's
  people see only substantiated complaints about their own enterprise, with no contact,
  description, photos or submission time (schemas.ENTERPRISE_FIELDS);
- the phone never reaches a log or the evidence chain (digests only);
- purge_expired_contacts() wipes it COMPLAINT_PHONE_RETENTION_DAYS after closing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any, cast

from flask import current_app
from limits import parse_many
from sqlalchemy import (
    ColumnElement,
    CursorResult,
    ScalarSelect,
    Select,
    case,
    exists,
    false,
    func,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload, selectinload

from backend.complaints import rules
from backend.complaints.keys import reveal_phone, seal_phone
from backend.complaints.models import Complaint, ComplaintEvent, ComplaintPhoto, ComplaintSearchTerm, Reward
from backend.complaints.pow import spend_pow
from backend.complaints.rules import ComplaintStatus, TriageOutcome
from backend.core.auth import REGULATORS, Role
from backend.core.clock import today, utcnow
from backend.core.errors import Conflict, Forbidden, InvalidState, NotFound, ValidationFailed
from backend.core.events import publish
from backend.core.hashing import payload_hash
from backend.core.history import HistoryEntry, assign_with_history, history_of, record_history
from backend.core.pagination import Page, paginate
from backend.core.search import (
    Arm,
    found_once,
    has_terms,
    holds_words,
    joined_on_terms,
    related_terms_arm,
    start_list_page,
    starts_with,
)
from backend.devices.models import Device
from backend.devices.services import (
    device_by_token,
    get_device_for,
    names_matching_device,
)
from backend.evidence.services import append_evidence
from backend.extensions import db
from backend.hazards.models import HazardEvent, HazardPhoto
from backend.hazards.rules import Action, HazardSource
from backend.hazards.services import report_hazard
from backend.org.models import Enterprise, EnterpriseSearchTerm
from backend.org.scope import Actor, enterprise_scope
from backend.org.services import enterprise_holds_words
from backend.photos.models import Photo

DEFAULT_PHONE_RETENTION_DAYS = 180
DEFAULT_SUBJECT_QUOTA = "10 per hour"


def _config(name: str, default: int) -> int:
    return int(current_app.config.get(name, default))


# --- intake and tracking (anonymous) --------------------------------------------------


def _new_tracking_code() -> str:
    """80 random bits as 16 base32 characters, shown in groups: ABCD-EFGH-JKLM-NPQR."""
    raw = base64.b32encode(secrets.token_bytes(10)).decode()
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def _code_hash(code: str) -> str:
    normalized = "".join(code.split()).replace("-", "").upper()
    return hashlib.sha256(normalized.encode()).hexdigest()


def _check_photos_uploaded(hashes: list[str]) -> None:
    if not hashes:
        return
    found = set(db.session.scalars(select(Photo.sha256).where(Photo.sha256.in_(hashes))))
    missing = [h for h in hashes if h not in found]
    if missing:
        raise ValidationFailed(
            "请先上传照片 (upload the photos first)",
            code="photo_missing",
            details={"fields": {"photos": [f"未上传: {', '.join(missing)}"]}},
        )


def _labelled_device(qr_token: str | None) -> Device | None:
    """The device behind a label token; None when the complaint names no label."""
    if not qr_token:
        return None
    device = device_by_token(qr_token)
    if device is None:
        raise NotFound("二维码无效或已作废 (unknown or revoked label)")
    return device


def submit_complaint(data: dict) -> tuple[Complaint, str]:
    """Take a complaint about the device behind a label token, or about a device without a
    label named by registration number or address (a regulator links it at triage);
    returns (complaint, tracking code).

    The proof of work is checked and spent first (400 pow_*); an unknown or revoked
    token is 404.
    """
    spend_pow(data.get("pow"))
    device = _labelled_device(data.get("qr_token"))
    photos = list(dict.fromkeys(data["photos"]))
    _check_photos_uploaded(photos)
    code = _new_tracking_code()
    complaint = Complaint(
        tracking_hash=_code_hash(code),
        device_id=device.id if device else None,
        enterprise_id=device.enterprise_id if device else None,
        reported_registration_no=data["registration_no"].strip(),
        reported_address=data["address"].strip(),
        category=data["category"],
        description=data["description"],
        status=ComplaintStatus.received,
    )
    phone = data.get("contact_phone")
    if phone:
        complaint.phone_enc = seal_phone(phone)
        complaint.phone_masked = rules.mask_phone(phone)
        complaint.sms_consent = bool(data.get("sms_consent"))
    complaint.photos = [ComplaintPhoto(sha256=s, position=i) for i, s in enumerate(photos, 1)]
    complaint.events = [ComplaintEvent(action="submit", to_status=ComplaintStatus.received)]
    if _subject_over_quota(complaint):
        complaint.events.append(ComplaintEvent(action=rules.FLAG_ACTION, to_status=ComplaintStatus.received))
    _insert_numbered(complaint)
    append_evidence("complaint.create", str(complaint.id), complaint_evidence(complaint))
    if device is not None:
        payload = {"complaint_id": complaint.id, "device_id": device.id, "category": complaint.category}
        publish("complaint.received", payload)
    return complaint, code


def _subject_over_quota(complaint: Complaint) -> bool:
    """Whether the label (or the registration number or address named) already had its
    quota of complaints (COMPLAINT_DEVICE_LIMIT, limiter syntax): the complaint is then
    queued for triage as flagged, never refused, so junk cannot silence a genuine one."""
    if complaint.device_id is not None:
        subject = Complaint.device_id == complaint.device_id
    elif complaint.reported_registration_no:
        subject = Complaint.reported_registration_no == complaint.reported_registration_no
    else:
        subject = Complaint.reported_address == complaint.reported_address
    now = utcnow()
    for limit in parse_many(current_app.config.get("COMPLAINT_DEVICE_LIMIT", DEFAULT_SUBJECT_QUOTA)):
        since = now - timedelta(seconds=limit.get_expiry())
        recent = db.session.scalar(select(func.count()).where(subject, Complaint.created_at >= since)) or 0
        if recent >= limit.amount:
            return True
    return False


def _insert_numbered(complaint: Complaint, attempts: int = 5) -> None:
    """Take the next ticket number of the day; the unique number settles races (PostgreSQL)."""
    day = today()
    for _ in range(attempts):
        last = db.session.scalar(select(func.max(Complaint.seq)).where(Complaint.day == day))
        complaint.day, complaint.seq = day, (last or 0) + 1
        complaint.ticket_no = rules.ticket_number(day, complaint.seq)
        try:
            with db.session.begin_nested():
                db.session.add(complaint)
                db.session.flush()
            return
        except IntegrityError:
            continue
    raise Conflict("受理编号繁忙，请重试 (ticket number taken, retry)", code="ticket_number_taken")


_NO_MATCH = "0" * 64


def track_complaint(ticket_no: str, code: str) -> Complaint:
    """The complaint for a ticket number and its tracking code; a wrong code is 404 like an
    unknown ticket."""
    complaint = None
    if rules.is_ticket_number(ticket_no):
        complaint = db.session.scalar(
            select(Complaint)
            .options(
                selectinload(Complaint.events),
                joinedload(Complaint.device),
                joinedload(Complaint.hazard),
                joinedload(Complaint.reward),
            )
            .where(Complaint.ticket_no == ticket_no)
        )
    expected = complaint.tracking_hash if complaint is not None else _NO_MATCH
    if not hmac.compare_digest(expected, _code_hash(code)) or complaint is None:
        raise NotFound("受理编号或查询码不正确 (unknown ticket or wrong code)")
    complaint.public_after_photos = _public_after_photos(complaint)
    return complaint


def _public_after_photos(complaint: Complaint) -> list[str]:
    """The verified rectification's after-photos, only when the bureau publishes them
    (COMPLAINT_PUBLIC_AFTER_PHOTOS, off by default): photos only, never who took them."""
    hazard = complaint.hazard
    if not current_app.config.get("COMPLAINT_PUBLIC_AFTER_PHOTOS", False):
        return []
    if rules.public_stage(complaint.status, hazard.status if hazard else None) != rules.PublicStage.rectified:
        return []
    last_submission = db.session.scalar(
        select(HazardEvent.id)
        .where(
            HazardEvent.hazard_id == complaint.hazard_id,
            HazardEvent.action == Action.submit_rectification,
        )
        .order_by(HazardEvent.at.desc(), HazardEvent.id.desc())
        .limit(1)
    )
    return list(
        db.session.scalars(
            select(HazardPhoto.sha256)
            .where(
                HazardPhoto.hazard_id == complaint.hazard_id,
                HazardPhoto.stage == "after",
                HazardPhoto.event_id == last_submission,
            )
            .order_by(HazardPhoto.id)
        )
    )


# --- regulators and enterprises -------------------------------------------------------


def _complaint_clauses(actor: Actor, filters: dict) -> list:
    if actor.role in REGULATORS:
        # a complaint without a label is nobody's zone yet: every regulator may link it. The
        # zone is probed per complaint: as `IN (the zone's enterprises)` beside that OR,
        # PostgreSQL hashed the zone's 38k enterprises again for every search arm
        unlinked = Complaint.enterprise_id.is_(None)
        named = aliased(Enterprise)
        in_scope = exists().where(
            named.id == Complaint.enterprise_id, enterprise_scope(actor, named.id, named.zone_id)
        )
        clauses: list = [] if actor.role == Role.bureau_admin else [in_scope | unlinked]
    elif actor.enterprise_id is None:
        clauses = [false()]
    else:
        clauses = [
            Complaint.enterprise_id == actor.enterprise_id,
            Complaint.status == ComplaintStatus.substantiated,
        ]
    for key in ("status", "category", "device_id", "enterprise_id"):
        if filters.get(key) is not None:
            clauses.append(getattr(Complaint, key) == filters[key])
    return clauses


#: the complaint list's order; search arms stop in it (core.search.limited_union)
_NEWEST_FIRST = (Complaint.created_at.desc(), Complaint.id.desc())


def visible_complaints(actor: Actor, filters: dict | None = None, search_limit: int | None = None) -> Select:
    """Regulators: complaints about enterprises in scope. Enterprise people (safety
    managers, block supervisors): substantiated complaints about their own enterprise."""
    filters = filters or {}
    clauses = _complaint_clauses(actor, filters)
    query = select(Complaint).where(*clauses)
    if filters.get("q"):
        q = filters["q"].strip()
        arms = _search_arms(q, clauses)
        written = _holds_as_written(q)
        query = query.where(found_once(Complaint.id, arms, _NEWEST_FIRST, written, search_limit))
    # loaded for the page's rows after its LIMIT: joined into the page query, PostgreSQL joined
    # every match (1,365 of the bureau's `电梯`) before keeping the newest 20
    return query.options(
        selectinload(Complaint.device),
        selectinload(Complaint.enterprise),  # each row shows its enterprise's name
        selectinload(Complaint.reward),
        selectinload(Complaint.photos),
        selectinload(Complaint.events),
    ).order_by(*_NEWEST_FIRST)


def _search_arms(q: str, clauses: list) -> list[Arm]:
    """Ticket number prefix, the complaint's words, its device or its enterprise: one id query
    each, every one walking an index."""
    base = select(Complaint.id).where(*clauses)
    arms: list[Arm] = [
        (
            base.where(starts_with(Complaint.ticket_no, q)),
            (Complaint.ticket_no,),
        ),
        base.where(names_matching_device(Complaint.device_id, q)),
    ]
    if has_terms(q):
        arms.append(joined_on_terms(base, ComplaintSearchTerm, "complaint_id", Complaint.id, q))
        arms.append(
            related_terms_arm(
                base, EnterpriseSearchTerm, "enterprise_id", Complaint.enterprise_id, q, _NEWEST_FIRST
            )
        )
    return arms


def _holds_as_written(q: str) -> ColumnElement[bool]:
    """The found complaints that hold the words of `q` as written, not only their character pairs
    (core.search.holds_words), each arm of _search_arms checked again by key."""
    written = starts_with(Complaint.ticket_no, q) | names_matching_device(
        Complaint.device_id, q, as_written=True
    )
    if not has_terms(q):
        return written
    return (
        written
        | holds_words((Complaint.description,), q)
        | enterprise_holds_words(Complaint.enterprise_id, q)
    )


def list_complaints(actor: Actor, filters: dict) -> Page:
    cap, reach = start_list_page(filters)
    query = visible_complaints(actor, filters, reach)
    return paginate(query, filters["page"], filters["per_page"], cap)


def get_complaint_for(actor: Actor, complaint_id: int) -> Complaint:
    complaint = db.session.scalar(visible_complaints(actor).where(Complaint.id == complaint_id))
    if complaint is None:
        raise NotFound("投诉不存在或不在您的管辖范围 (complaint not found)")
    return complaint


def triage_complaint(actor: Actor, complaint_id: int, data: dict) -> Complaint:
    """Record the inspector's finding (核查结论) once: substantiated (may open a hazard on the
    device's enterprise, creates a pending reward), not substantiated, or duplicate."""
    if actor.role not in REGULATORS:
        raise Forbidden("只有监管人员可以核查投诉 (regulators only)")
    complaint = get_complaint_for(actor, complaint_id)
    outcome = TriageOutcome(data["outcome"])
    problem = rules.triage_problem(
        complaint.status,
        outcome,
        duplicate_of=data.get("duplicate_of"),
        opens_hazard=bool(data.get("open_hazard")),
        has_reward=data.get("reward_yuan") is not None,
        needs_device=complaint.device_id is None and data.get("device_id") is None,
    )
    if problem:
        field, message = problem
        error = InvalidState if field == "outcome" else ValidationFailed
        raise error(message, details={"fields": {field: [message]}})
    if data.get("device_id") is not None:
        _link_device(actor, complaint, data["device_id"])
    if outcome == TriageOutcome.duplicate:
        _check_original(actor, complaint, data["duplicate_of"])
    _claim(complaint, ComplaintStatus(outcome.value))
    complaint.public_reply = data["public_reply"]
    complaint.duplicate_of_id = data.get("duplicate_of")
    complaint.triaged_by_id = actor.id
    complaint.closed_at = utcnow()
    if outcome == TriageOutcome.substantiated:
        if data.get("open_hazard"):
            complaint.hazard_id = _open_hazard(actor, complaint, data["open_hazard"]).id
        complaint.reward = Reward(amount_yuan=data.get("reward_yuan"))
    complaint.events.append(
        ComplaintEvent(
            action="triage", to_status=complaint.status, actor_id=actor.id, public_reply=data["public_reply"]
        )
    )
    db.session.flush()
    append_evidence("complaint.triage", str(complaint.id), triage_evidence(complaint))
    if complaint.status == ComplaintStatus.substantiated:
        publish(
            "complaint.substantiated",
            {"enterprise_id": complaint.enterprise_id, "complaint_id": complaint.id},
        )
    return complaint


def _link_device(actor: Actor, complaint: Complaint, device_id: int) -> None:
    """Link a complaint made without a label to the device it is about (in the actor's scope)."""
    if complaint.device_id is not None:
        if complaint.device_id == device_id:
            return
        message = "该投诉已关联设备 (the complaint already names its device)"
        raise ValidationFailed(message, details={"fields": {"device_id": [message]}})
    device = get_device_for(actor, device_id)
    complaint.device_id, complaint.enterprise_id = device.id, device.enterprise_id
    complaint.device, complaint.linked_by_id = device, actor.id


def pay_reward(actor: Actor, complaint_id: int, data: dict) -> Complaint:
    """Record that the bureau paid a complaint's reward (once); history keeps who and when."""
    if actor.role != "bureau_admin":
        raise Forbidden("只有市局管理员可以登记奖励发放 (bureau_admin only)")
    complaint = get_complaint_for(actor, complaint_id)
    reward = complaint.reward
    if reward is None:
        raise InvalidState("该投诉没有奖励 (no reward for this complaint)")
    problem = rules.payment_problem(reward.status, reward.amount_yuan, data["paid_on"], as_of=today())
    if problem:
        field, message = problem
        error = InvalidState if field == "status" else ValidationFailed
        raise error(message, details={"fields": {field: [message]}})
    values = {
        "status": rules.RewardStatus.paid,
        "paid_on": data["paid_on"],
        "method": data["method"].value,
        "reference": data["reference"].strip(),
        "paid_at": utcnow(),
    }
    assign_with_history(reward, "complaint_reward", values, actor, reason=f"complaint {complaint.ticket_no}")
    return complaint


PHONE_REVEAL_FIELD = "contact_phone_revealed"


def reveal_contact_phone(actor: Actor, complaint_id: int, reason: str) -> str:
    """The complainant's phone in clear for a regulator in scope who asks for it; who asked,
    when and why is kept in the complaint's history (never the number itself)."""
    if actor.role not in REGULATORS:
        raise Forbidden("只有监管人员可以查看举报人电话 (regulators only)")
    complaint = get_complaint_for(actor, complaint_id)
    phone = reveal_phone(complaint)
    if phone is None:
        raise NotFound("该投诉没有可查看的联系电话 (no contact phone)", code="no_contact_phone")
    revealed = {PHONE_REVEAL_FIELD: (None, complaint.phone_masked)}
    record_history("complaint", complaint.id, actor, revealed, reason)
    return phone


def phone_reveals(actor: Actor, complaint_id: int) -> list[HistoryEntry]:
    """Who saw a complaint's phone in clear, and when (the bureau's oversight)."""
    if actor.role != Role.bureau_admin:
        raise Forbidden("只有局管理员可以查看电话查看记录 (bureau only)")
    complaint = get_complaint_for(actor, complaint_id)
    return [entry for entry in history_of("complaint", complaint.id) if entry.field == PHONE_REVEAL_FIELD]


def reward_history(actor: Actor, complaint_id: int) -> list[HistoryEntry]:
    """Every recorded change of a complaint's reward, newest first (regulators in scope)."""
    complaint = get_complaint_for(actor, complaint_id)
    if complaint.reward is None:
        return []
    return history_of("complaint_reward", complaint.reward.id)


def _claim(complaint: Complaint, status: ComplaintStatus) -> None:
    """Move received → status atomically: two inspectors triaging at once, one wins (409)."""
    claimed = cast(
        CursorResult,
        db.session.execute(
            update(Complaint)
            .where(Complaint.id == complaint.id, Complaint.status == ComplaintStatus.received)
            .values(status=status, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    if claimed != 1:
        raise InvalidState("该投诉已核查完毕 (already triaged)")
    complaint.status = status


def _check_original(actor: Actor, complaint: Complaint, original_id: int) -> None:
    original = db.session.scalar(visible_complaints(actor).where(Complaint.id == original_id))
    if original is None or original.id == complaint.id or original.device_id != complaint.device_id:
        message = "原投诉须为同一设备的另一投诉 (must be another complaint about the same device)"
        raise ValidationFailed(message, details={"fields": {"duplicate_of": [message]}})


def _open_hazard(actor: Actor, complaint: Complaint, spec: dict):
    """A hazard (source complaint) on the device's enterprise, reported by the inspector."""
    hazard, _created = report_hazard(
        actor,
        {
            "id": uuid.uuid4(),
            "device_id": complaint.device_id,
            "enterprise_id": None,
            "source": HazardSource.complaint,
            "category": spec["category"],
            "severity": spec["severity"],
            "description": spec["description"],
            "location": "",
            "responsible_person": "",
            "deadline": None,
            "photos": complaint.photo_hashes if spec.get("attach_photos") else [],
        },
    )
    return hazard


def complaints_about(device_id: Any, *, substantiated_only: bool) -> ScalarSelect[int]:
    """How many complaints name the device `device_id` (a column of the caller's query): all of
    them, or only the substantiated ones (all that enterprise users ever see)."""
    substantiated = func.count().filter(Complaint.status == ComplaintStatus.substantiated)
    counted = substantiated if substantiated_only else func.count()
    return select(counted).where(Complaint.device_id == device_id).scalar_subquery()


def purge_expired_contacts(as_of: datetime, days: int | None = None) -> int:
    """Wipe the contact phone of complaints closed more than the retention period before
    `as_of` (PIPL art. 19: shortest necessary retention); the complaint itself stays."""
    if days is None:
        days = _config("COMPLAINT_PHONE_RETENTION_DAYS", DEFAULT_PHONE_RETENTION_DAYS)
    cutoff = as_of - timedelta(days=days)
    result = cast(
        CursorResult,
        db.session.execute(
            update(Complaint)
            .where(
                Complaint.closed_at < cutoff,
                (Complaint.phone_enc.is_not(None)) | (Complaint.phone_masked.is_not(None)),
            )
            .values(phone_enc=None, phone_masked=None, contact_purged_at=as_of)
            .execution_options(synchronize_session="fetch")
        ),
    )
    return result.rowcount or 0


# --- evidence chain (digests only, never the phone) -----------------------------------


def complaint_digest(complaint: Complaint) -> str:
    """What the complainant submitted; a device linked later at triage is the triage's."""
    linked_later = complaint.linked_by_id is not None
    content: list = [
        complaint.ticket_no,
        None if linked_later else complaint.device_id,
        None if linked_later else complaint.enterprise_id,
        complaint.category,
        complaint.description,
        sorted(complaint.photo_hashes),
    ]
    if complaint.reported_registration_no or complaint.reported_address:
        content.append([complaint.reported_registration_no, complaint.reported_address])
    return payload_hash(content)


def triage_digest(complaint: Complaint) -> str:
    content: list = [
        complaint.id,
        complaint.status,
        complaint.public_reply,
        complaint.duplicate_of_id,
        complaint.hazard_id,
        complaint.triaged_by_id,
    ]
    if complaint.linked_by_id is not None:
        content.append([complaint.device_id, complaint.enterprise_id, complaint.linked_by_id])
    return payload_hash(content)


def complaint_facts(complaint: Complaint) -> str:
    """When it came in (entries made before carry no "facts" and are checked as before)."""
    return payload_hash([complaint.created_at.isoformat()])


def triage_facts(complaint: Complaint) -> str:
    """When it was triaged (closed) and by whom."""
    closed_at = complaint.closed_at.isoformat() if complaint.closed_at else None
    return payload_hash([closed_at, complaint.triaged_by_id])


def complaint_evidence(complaint: Complaint) -> dict:
    return {"content": complaint_digest(complaint), "facts": complaint_facts(complaint)}


def triage_evidence(complaint: Complaint) -> dict:
    return {"content": triage_digest(complaint), "facts": triage_facts(complaint)}


def complaint_evidence_problem(kind: str, ref: str, data: dict) -> str | None:
    """Does the stored complaint still match what the chain recorded? (for verify_chain)"""
    complaint = db.session.get(Complaint, int(ref))
    if complaint is None:
        return f"complaint {ref} is missing"
    stored = complaint_evidence(complaint) if kind == "complaint.create" else triage_evidence(complaint)
    recorded_keys = {"content", "facts"} & set(data)
    altered = any(stored[key] != data[key] for key in recorded_keys) or "content" not in data
    return f"complaint {ref} was altered" if altered else None


def enterprise_complaint_counts(enterprise_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per enterprise: total and substantiated complaints (the enterprise record, grading)."""
    if not enterprise_ids:
        return {}
    rows = db.session.execute(
        select(
            Complaint.enterprise_id,
            func.count(),
            func.sum(case((Complaint.status == ComplaintStatus.substantiated, 1), else_=0)),
        )
        .where(Complaint.enterprise_id.in_(enterprise_ids))
        .group_by(Complaint.enterprise_id)
    ).all()
    return {e: {"total": total, "substantiated": int(subst or 0)} for e, total, subst in rows}
