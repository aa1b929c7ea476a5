"""Device rows as lists show them: the ledger plus what field work says about each device.

One floor up from devices: the counts come from hazards, complaints and inspections,
which build on the ledger.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Label, Select, bindparam, select

from backend.complaints.services import complaints_about
from backend.core.auth import Role
from backend.core.db import prepared
from backend.core.pagination import Page, paginate
from backend.core.search import start_list_page
from backend.devicefile.services import pending_records_of
from backend.devices.models import Device
from backend.devices.services import get_device_for, visible_devices
from backend.extensions import db
from backend.hazards.services import open_hazards_of
from backend.inspections.status import brief_checks, device_last_check_columns, last_checks
from backend.org.scope import Actor


def _substantiated_only(actor: Actor) -> bool:
    """Enterprise people count only substantiated complaints: they never see the others."""
    return actor.role not in (Role.bureau_admin, Role.inspector)


@cache
def _counts(*, substantiated_only: bool) -> tuple[Label, ...]:
    """Open hazards, complaints and records awaiting a regulator, per row of a query over Device."""
    return (
        open_hazards_of(Device.id).label("open_hazards"),
        complaints_about(Device.id, substantiated_only=substantiated_only).label("complaint_count"),
        pending_records_of(Device.id).label("pending_inspection_records"),
    )


@cache
def _record_statement(*, substantiated_only: bool) -> Select:
    """What field work says about the device `device_id` (the counts and the last checks) in one
    query; `_set_record` puts it on the device. Built once per kind of viewer: building and keying
    it anew took longer than running it."""
    columns = (*_counts(substantiated_only=substantiated_only), *device_last_check_columns())
    return prepared(select(*columns).where(Device.id == bindparam("device_id")))


def _set_record(device: Device, values: Any) -> Device:
    """Put the `_record_statement` row (a mapping) on `device`, as the device schema shows it."""
    checks = brief_checks(values)
    device.open_hazards = values["open_hazards"]  # type: ignore[attr-defined]
    device.complaint_count = values["complaint_count"]  # type: ignore[attr-defined]
    device.pending_inspection_records = values["pending_inspection_records"]  # type: ignore[attr-defined]
    device.last_self_check = checks["self"]  # type: ignore[attr-defined]
    device.last_mutual_check = checks["mutual"]  # type: ignore[attr-defined]
    return device


def annotate_devices(actor: Actor, devices: list[Device]) -> list[Device]:
    """Add open-hazard, complaint and pending-record counts and the last checks: one query for one
    device's record, two for a page of them (the counts of all, then all the last checks)."""
    if len(devices) == 1:
        device = devices[0]
        statement = _record_statement(substantiated_only=_substantiated_only(actor))
        values = db.session.execute(statement, {"device_id": device.id}).one()
        return [_set_record(device, values._mapping)]
    if not devices:
        return devices
    counts = {
        row[0]: row[1:]
        for row in db.session.execute(
            select(Device.id, *_counts(substantiated_only=_substantiated_only(actor))).where(
                Device.id.in_([d.id for d in devices])
            )
        )
    }
    checks = last_checks(devices)
    for device in devices:
        hazards, complaints, pending = counts.get(device.id, (0, 0, 0))
        device.open_hazards = hazards  # type: ignore[attr-defined]
        device.complaint_count = complaints  # type: ignore[attr-defined]
        device.last_self_check = checks[device.id]["self"]  # type: ignore[attr-defined]
        device.last_mutual_check = checks[device.id]["mutual"]  # type: ignore[attr-defined]
        device.pending_inspection_records = pending  # type: ignore[attr-defined]
    return devices


def list_devices(actor: Actor, filters: dict) -> Page:
    cap, reach = start_list_page(filters)
    query = visible_devices(actor, filters, search_limit=reach)
    page = paginate(query, filters["page"], filters["per_page"], cap)
    annotate_devices(actor, page.items)
    return page


def show_device(actor: Actor, device_id: int) -> Device:
    return annotate_devices(actor, [get_device_for(actor, device_id)])[0]
