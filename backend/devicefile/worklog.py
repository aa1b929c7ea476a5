"""Installation, alteration, repair (安装、改造、修理) and patrol (巡查) records of a device; the
first installation record gives the device its install date (age, old elevators)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from backend.core.changes import record_change
from backend.core.clock import today
from backend.core.errors import ValidationFailed
from backend.core.history import assign_with_history
from backend.devicefile.models import DeviceWorkRecord
from backend.devicefile.rules import WORK_LABELS, WorkKind
from backend.devices.services import Editor, get_device_for
from backend.extensions import db
from backend.org.scope import Actor
from backend.org.services import get_managed_enterprise


def list_work_records(actor: Actor, device_id: int, kind: str | None = None) -> list[DeviceWorkRecord]:
    device = get_device_for(actor, device_id)
    query = (
        select(DeviceWorkRecord)
        .options(joinedload(DeviceWorkRecord.entered_by))
        .where(DeviceWorkRecord.device_id == device.id)
        .order_by(DeviceWorkRecord.done_on.desc(), DeviceWorkRecord.id.desc())
    )
    if kind:
        query = query.where(DeviceWorkRecord.kind == kind)
    return list(db.session.scalars(query))


def add_work_record(actor: Editor, device_id: int, data: dict) -> DeviceWorkRecord:
    device = get_device_for(actor, device_id)
    get_managed_enterprise(actor, device.enterprise_id)
    if data["done_on"] > today():
        raise ValidationFailed(details={"fields": {"done_on": ["日期不能晚于今天"]}})
    record = DeviceWorkRecord(
        device_id=device.id,
        enterprise_id=device.enterprise_id,
        kind=data["kind"],
        done_on=data["done_on"],
        unit=data["unit"].strip(),
        description=data.get("description", "").strip(),
        entered_by_id=actor.id,
    )
    db.session.add(record)
    db.session.flush()
    if record.kind == WorkKind.installation and device.installed_on is None:
        reason = f"{WORK_LABELS[record.kind]}记录（{record.unit}）"
        assign_with_history(device, "device", {"installed_on": record.done_on}, actor, reason)
        record_change("device", device.id, device.enterprise_id)
    return record
