"""Device rows as lists show them: the ledger plus what field work says about each device.

One floor up from devices: the counts come from hazards, complaints and inspections,
which build on the ledger.
"""

from __future__ import annotations

from sqlalchemy import select

from backend.complaints.services import complaints_about
from backend.core.auth import Role
from backend.core.pagination import Page, paginate
from backend.core.search import start_list_page
from backend.devicefile.services import pending_records_of
from backend.devices.models import Device
from backend.devices.services import get_device_for, visible_devices
from backend.extensions import db
from backend.hazards.services import open_hazards_of
from backend.inspections.status import last_checks
from backend.org.scope import Actor


def annotate_devices(actor: Actor, devices: list[Device]) -> list[Device]:
    """Add open-hazard, complaint and pending-record counts (one query for all three) and the
    last checks; enterprise people count only substantiated complaints (they never see the others)."""
    if not devices:
        return devices
    substantiated_only = actor.role not in (Role.bureau_admin, Role.inspector)
    counts = {
        row[0]: row[1:]
        for row in db.session.execute(
            select(
                Device.id,
                open_hazards_of(Device.id),
                complaints_about(Device.id, substantiated_only=substantiated_only),
                pending_records_of(Device.id),
            ).where(Device.id.in_([d.id for d in devices]))
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
