"""Periodic-inspection records: the enterprise enters its report, a regulator confirms it, and
the device's inspection dates follow the latest confirmed record."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ScalarSelect, func, select
from sqlalchemy.orm import joinedload

from backend.core.auth import REGULATORS
from backend.core.changes import record_change
from backend.core.clock import today, utcnow
from backend.core.errors import Forbidden, InvalidState, NotFound, ValidationFailed
from backend.core.history import assign_with_history
from backend.devicefile.models import AccessoryRecord, InspectionRecord
from backend.devicefile.rules import (
    CONCLUSION_LABELS,
    RecordFacts,
    RecordStatus,
    governing_record,
    record_problems,
    status_when_entered,
)
from backend.devices.models import Device
from backend.devices.services import Editor, get_device_for
from backend.extensions import db
from backend.org.scope import Actor
from backend.org.services import get_managed_enterprise
from backend.photos.models import Photo

#: a device-file record a regulator confirms
PendingRecord = TypeVar("PendingRecord", InspectionRecord, AccessoryRecord)


def list_records(actor: Actor, device_id: int) -> list[InspectionRecord]:
    """The device's inspection history, newest inspection first."""
    device = get_device_for(actor, device_id)
    query = (
        select(InspectionRecord)
        .options(joinedload(InspectionRecord.entered_by), joinedload(InspectionRecord.confirmed_by))
        .where(InspectionRecord.device_id == device.id)
        .order_by(InspectionRecord.inspected_on.desc(), InspectionRecord.id.desc())
    )
    return list(db.session.scalars(query))


def add_record(actor: Editor, device_id: int, data: dict) -> InspectionRecord:
    """Enter a report; a regulator's record holds at once, the enterprise's waits (待核验)."""
    device = get_device_for(actor, device_id)
    get_managed_enterprise(actor, device.enterprise_id)
    problems = record_problems(data["inspected_on"], data["next_due"], today())
    if problems:
        raise ValidationFailed(details={"fields": problems})
    _check_photos_uploaded(data["photos"])
    by_regulator = actor.role in REGULATORS
    record = InspectionRecord(
        device_id=device.id,
        enterprise_id=device.enterprise_id,
        inspected_on=data["inspected_on"],
        agency=data["agency"].strip(),
        report_no=data["report_no"].strip(),
        conclusion=data["conclusion"],
        next_due=data["next_due"],
        photos=list(dict.fromkeys(data["photos"])),
        status=status_when_entered(by_regulator),
        entered_by_id=actor.id,
    )
    if by_regulator:
        record.confirmed_by_id, record.confirmed_at = actor.id, utcnow()
    db.session.add(record)
    db.session.flush()
    _follow_records(actor, device, record)
    return record


def confirm_record(actor: Editor, device_id: int, record_id: int) -> InspectionRecord:
    """A regulator in scope confirms an enterprise's record."""
    device = get_device_for(actor, device_id)
    record = confirm_pending(actor, InspectionRecord, device, record_id, "检验记录", "inspection record")
    _follow_records(actor, device, record)
    return record


def confirm_pending(
    actor: Editor, model: type[PendingRecord], device: Device, record_id: int, name: str, english: str
) -> PendingRecord:
    """Lock one of the device's pending records (inspection or accessory) and mark it confirmed by `actor`,
    who must be a regulator: the enterprise never confirms the dates it is graded on."""
    if actor.role not in REGULATORS:
        raise Forbidden(f"只有监管人员可以核验{name} (only regulators confirm a {english})")
    record = db.session.scalar(
        select(model).where(model.id == record_id, model.device_id == device.id).with_for_update()
    )
    if record is None:
        raise NotFound(f"{name}不存在 ({english} not found)")
    if record.status == RecordStatus.confirmed:
        raise InvalidState(f"该{name}已核验 (already confirmed)")
    record.status = RecordStatus.confirmed
    record.confirmed_by_id, record.confirmed_at = actor.id, utcnow()
    db.session.flush()
    return record


def pending_records_of(device_id: Any) -> ScalarSelect[int]:
    """How many inspection records of the device `device_id` (a column of the caller's query)
    await a regulator (待核验)."""
    pending = func.count().filter(InspectionRecord.status == RecordStatus.pending)
    return select(pending).where(InspectionRecord.device_id == device_id).scalar_subquery()


def _check_photos_uploaded(photos: list[str]) -> None:
    if not photos:
        return
    uploaded = set(db.session.scalars(select(Photo.sha256).where(Photo.sha256.in_(photos))))
    if uploaded != set(photos):
        raise ValidationFailed(details={"fields": {"photos": ["检验报告照片尚未上传，请先上传照片"]}})


def _follow_records(actor: Editor, device: Device, changed: InspectionRecord) -> None:
    """Set the device's dates from its latest confirmed record, each change in its history."""
    facts = db.session.execute(
        select(
            InspectionRecord.id,
            InspectionRecord.status,
            InspectionRecord.inspected_on,
            InspectionRecord.next_due,
        ).where(InspectionRecord.device_id == device.id)
    ).all()
    governing = governing_record(RecordFacts(*row) for row in facts)
    record_change("device", device.id, device.enterprise_id)  # phones re-pull the device (待核验 or dates)
    if governing is None:
        return
    wanted = {"last_inspection_on": governing.inspected_on, "next_inspection_due": governing.next_due}
    conclusion = CONCLUSION_LABELS.get(changed.conclusion, changed.conclusion)
    reason = f"检验记录 {changed.report_no}（{changed.agency}，{conclusion}）"
    assign_with_history(device, "device", wanted, actor, reason)
