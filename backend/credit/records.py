"""Record accidents, enforcement cases and recognitions (each re-grades its enterprise), list
them, and check them against the evidence chain."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from backend.core.auth import REGULATORS, Role
from backend.core.clock import today
from backend.core.errors import Conflict, Forbidden, ValidationFailed
from backend.core.hashing import payload_hash
from backend.core.pagination import Page, paginate
from backend.credit.models import Accident, CreditRecognition, EnforcementCase
from backend.credit.regrade import regrade_enterprise
from backend.devices.models import Device
from backend.evidence.services import append_evidence
from backend.extensions import db
from backend.org.models import Enterprise
from backend.org.scope import Actor, own_records_scope
from backend.org.services import get_enterprise_for


def _require_regulator(actor: Actor) -> None:
    if actor.role not in REGULATORS:
        raise Forbidden("只有监管人员可以登记 (regulators only)")


def _device_of(enterprise: Enterprise, device_id: int | None) -> int | None:
    if device_id is None:
        return None
    device = db.session.get(Device, device_id)
    if device is None or device.enterprise_id != enterprise.id:
        raise ValidationFailed(details={"fields": {"device_id": ["不是该企业的设备"]}})
    return device.id


def _not_future(day: date, name: str) -> None:
    if day > today():
        raise ValidationFailed(details={"fields": {name: ["不能晚于今天 (in the future)"]}})


def record_accident(actor: Actor, data: dict) -> Accident:
    """Record an accident (事故); the enterprise is re-graded (D, three-year lock)."""
    _require_regulator(actor)
    enterprise = get_enterprise_for(actor, data["enterprise_id"])
    _not_future(data["occurred_on"], "occurred_on")
    accident = Accident(
        enterprise_id=enterprise.id,
        zone_id=enterprise.zone_id,
        device_id=_device_of(enterprise, data.get("device_id")),
        occurred_on=data["occurred_on"],
        deaths=data["deaths"],
        injuries=data["injuries"],
        responsible=data["responsible"],
        description=data["description"],
        recorded_by_id=actor.id,
    )
    db.session.add(accident)
    db.session.flush()
    append_evidence("accident.record", str(accident.id), record_evidence(accident))
    regrade_enterprise(enterprise.id, "accident")
    return accident


def open_case(actor: Actor, data: dict) -> EnforcementCase:
    """Record an enforcement case (立案处罚); fined with an order to correct → D."""
    _require_regulator(actor)
    enterprise = get_enterprise_for(actor, data["enterprise_id"])
    _not_future(data["opened_on"], "opened_on")
    case = EnforcementCase(
        enterprise_id=enterprise.id,
        zone_id=enterprise.zone_id,
        case_no=data["case_no"],
        opened_on=data["opened_on"],
        violation=data["violation"],
        ordered_to_correct=data["ordered_to_correct"],
        fine_yuan=data.get("fine_yuan"),
        recorded_by_id=actor.id,
    )
    db.session.add(case)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:
        raise Conflict("案件编号已存在 (case number exists)") from error
    append_evidence("enforcement.open", str(case.id), record_evidence(case))
    regrade_enterprise(enterprise.id, "enforcement_case")
    return case


def grant_recognition(actor: Actor, data: dict) -> CreditRecognition:
    """Record a lowering reason (benchmark / intrinsic safety); bureau only."""
    if actor.role != Role.bureau_admin:
        raise Forbidden("只有市局可以认定 (bureau only)")
    enterprise = get_enterprise_for(actor, data["enterprise_id"])
    recognition = CreditRecognition(
        enterprise_id=enterprise.id,
        kind=data["kind"],
        granted_on=data.get("granted_on") or today(),
        expires_on=data.get("expires_on"),
        note=data["note"],
        recorded_by_id=actor.id,
    )
    db.session.add(recognition)
    db.session.flush()
    append_evidence(
        "credit.recognition",
        str(recognition.id),
        {"content": payload_hash([enterprise.id, recognition.kind, recognition.granted_on.isoformat()])},
    )
    regrade_enterprise(enterprise.id, "recognition")
    return recognition


def accident_digest(a: Accident) -> str:
    return payload_hash(
        [
            a.id,
            a.enterprise_id,
            a.device_id,
            a.occurred_on.isoformat(),
            a.deaths,
            a.injuries,
            a.responsible,
            a.description,
        ]
    )


def case_digest(c: EnforcementCase) -> str:
    return payload_hash(
        [
            c.id,
            c.enterprise_id,
            c.case_no,
            c.opened_on.isoformat(),
            c.violation,
            c.ordered_to_correct,
            str(c.fine_yuan) if c.fine_yuan is not None else None,
        ]
    )


def visible_accidents(actor: Actor, filters: dict) -> Select:
    query = select(Accident).where(own_records_scope(actor, Accident.enterprise_id, Accident.zone_id))
    if filters.get("enterprise_id"):
        query = query.where(Accident.enterprise_id == filters["enterprise_id"])
    return query.order_by(Accident.occurred_on.desc(), Accident.id.desc())


def list_accidents(actor: Actor, filters: dict) -> Page:
    return paginate(visible_accidents(actor, filters), filters["page"], filters["per_page"])


def visible_cases(actor: Actor, filters: dict) -> Select:
    query = select(EnforcementCase).where(
        own_records_scope(actor, EnforcementCase.enterprise_id, EnforcementCase.zone_id)
    )
    if filters.get("enterprise_id"):
        query = query.where(EnforcementCase.enterprise_id == filters["enterprise_id"])
    return query.order_by(EnforcementCase.opened_on.desc(), EnforcementCase.id.desc())


def list_cases(actor: Actor, filters: dict) -> Page:
    return paginate(visible_cases(actor, filters), filters["page"], filters["per_page"])


def credit_evidence_problem(kind: str, ref: str, data: dict) -> str | None:
    """Does the stored accident or enforcement case still match what the chain recorded?"""
    record: Accident | EnforcementCase | None = (
        db.session.get(Accident, int(ref))
        if kind.startswith("accident.")
        else db.session.get(EnforcementCase, int(ref))
    )
    if record is None:
        return f"{kind} {ref} is missing"
    stored = record_evidence(record)
    facts = data.get("facts", stored["facts"])  # entries made before v2 carry no facts
    altered = stored["content"] != data.get("content") or facts != stored["facts"]
    return f"{kind} {ref} was altered" if altered else None


def record_facts(record: Accident | EnforcementCase) -> str:
    """Evidence body v2: when and by whom it was recorded (entries made before carry no facts)."""
    return payload_hash([record.created_at.isoformat(), record.recorded_by_id])


def record_evidence(record: Accident | EnforcementCase) -> dict:
    digest = accident_digest(record) if isinstance(record, Accident) else case_digest(record)
    return {"content": digest, "facts": record_facts(record)}
