"""Safety accessories (安全附件) and their calibration records: asserted like inspection records
(the enterprise's wait for a regulator), and the device is late when any accessory is."""

from __future__ import annotations

from sqlalchemy import select

from backend.core.auth import REGULATORS
from backend.core.changes import record_change
from backend.core.clock import today, utcnow
from backend.core.errors import NotFound, ValidationFailed
from backend.core.history import assign_with_history
from backend.devicefile.models import AccessoryRecord, SafetyAccessory
from backend.devicefile.rules import (
    ACCESSORY_LABELS,
    RecordFacts,
    accessory_record_problems,
    earliest_due,
    governing_record,
    status_when_entered,
)
from backend.devicefile.services import confirm_pending
from backend.devices.models import Device
from backend.devices.services import Editor, get_device_for
from backend.extensions import db
from backend.org.scope import Actor
from backend.org.services import get_managed_enterprise


def list_accessories(actor: Actor, device_id: int) -> list[SafetyAccessory]:
    """The device's accessories, each with `record_list` (newest calibration first)."""
    device = get_device_for(actor, device_id)
    accessories = list(
        db.session.scalars(
            select(SafetyAccessory).where(SafetyAccessory.device_id == device.id).order_by(SafetyAccessory.id)
        )
    )
    records = db.session.scalars(
        select(AccessoryRecord)
        .where(AccessoryRecord.device_id == device.id)
        .order_by(AccessoryRecord.checked_on.desc(), AccessoryRecord.id.desc())
    )
    by_accessory: dict[int, list[AccessoryRecord]] = {}
    for record in records:
        by_accessory.setdefault(record.accessory_id, []).append(record)
    for accessory in accessories:
        # a transient list the schema dumps (newest first), not a mapped relationship
        accessory.record_list = by_accessory.get(accessory.id, [])  # type: ignore[attr-defined]
    return accessories


def add_accessory(actor: Editor, device_id: int, data: dict) -> SafetyAccessory:
    """Fit an accessory to the device, with its latest calibration record if given."""
    device = _editable_device(actor, device_id)
    accessory = SafetyAccessory(
        device_id=device.id,
        enterprise_id=device.enterprise_id,
        kind=data["kind"],
        model=data.get("model", ""),
        serial_no=data.get("serial_no", ""),
        created_by_id=actor.id,
    )
    db.session.add(accessory)
    db.session.flush()
    records = [_new_record(actor, device, accessory, data["record"])] if data.get("record") else []
    accessory.record_list = records  # type: ignore[attr-defined]
    return accessory


def add_accessory_record(actor: Editor, device_id: int, accessory_id: int, data: dict) -> AccessoryRecord:
    device = _editable_device(actor, device_id)
    accessory = db.session.scalar(
        select(SafetyAccessory).where(
            SafetyAccessory.id == accessory_id, SafetyAccessory.device_id == device.id
        )
    )
    if accessory is None:
        raise NotFound("安全附件不存在 (safety accessory not found)")
    return _new_record(actor, device, accessory, data)


def confirm_accessory_record(actor: Editor, device_id: int, record_id: int) -> AccessoryRecord:
    """A regulator in scope confirms the enterprise's record (the view admits regulators only)."""
    device = get_device_for(actor, device_id)
    record = confirm_pending(actor, AccessoryRecord, device, record_id, "校验记录", "accessory record")
    _follow_records(actor, device, record)
    return record


def _editable_device(actor: Editor, device_id: int) -> Device:
    device = get_device_for(actor, device_id)
    get_managed_enterprise(actor, device.enterprise_id)
    return device


def _new_record(actor: Editor, device: Device, accessory: SafetyAccessory, data: dict) -> AccessoryRecord:
    problems = accessory_record_problems(data["checked_on"], data["next_due"], today())
    if problems:
        raise ValidationFailed(details={"fields": problems})
    by_regulator = actor.role in REGULATORS
    record = AccessoryRecord(
        accessory_id=accessory.id,
        device_id=device.id,
        checked_on=data["checked_on"],
        agency=data["agency"].strip(),
        report_no=data["report_no"].strip(),
        next_due=data["next_due"],
        status=status_when_entered(by_regulator),
        entered_by_id=actor.id,
    )
    if by_regulator:
        record.confirmed_by_id, record.confirmed_at = actor.id, utcnow()
    db.session.add(record)
    db.session.flush()
    _follow_records(actor, device, record)
    return record


def _follow_records(actor: Editor, device: Device, changed: AccessoryRecord) -> None:
    """The accessory's dates from its latest confirmed record, then the device's accessory date
    (the earliest of its accessories), that change in the device's history."""
    accessory = changed.accessory
    facts = db.session.execute(
        select(
            AccessoryRecord.id, AccessoryRecord.status, AccessoryRecord.checked_on, AccessoryRecord.next_due
        ).where(AccessoryRecord.accessory_id == accessory.id)
    ).all()
    governing = governing_record(RecordFacts(*row) for row in facts)
    record_change("device", device.id, device.enterprise_id)
    if governing is None:
        return
    accessory.last_checked_on, accessory.next_due = governing.inspected_on, governing.next_due
    db.session.flush()
    dues = db.session.scalars(select(SafetyAccessory.next_due).where(SafetyAccessory.device_id == device.id))
    label = ACCESSORY_LABELS.get(accessory.kind, accessory.kind)
    reason = f"安全附件校验记录 {changed.report_no}（{label} {accessory.serial_no}，{changed.agency}）"
    assign_with_history(device, "device", {"accessory_next_due": earliest_due(dues)}, actor, reason)
