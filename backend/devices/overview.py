"""Device rows as lists show them: the ledger plus what field work says about each device.

One floor up from devices: the counts come from hazards, complaints and inspections,
which build on the ledger.
"""

from __future__ import annotations

from backend.complaints.services import complaint_counts
from backend.core.auth import Role
from backend.core.pagination import Page, paginate
from backend.core.search import list_reach
from backend.devicefile.services import pending_record_counts
from backend.devices.models import Device
from backend.devices.services import get_device_for, visible_devices
from backend.hazards.services import open_hazard_counts
from backend.inspections.status import last_checks
from backend.org.scope import Actor


def annotate_devices(actor: Actor, devices: list[Device]) -> list[Device]:
    """Add open-hazard and complaint counts; enterprise people count only substantiated
    complaints (they never see the others)."""
    ids = [d.id for d in devices]
    hazards, complaints, checks = open_hazard_counts(ids), complaint_counts(ids), last_checks(devices)
    pending = pending_record_counts(ids)
    key = "total" if actor.role in (Role.bureau_admin, Role.inspector) else "substantiated"
    for device in devices:
        device.open_hazards = hazards.get(device.id, 0)  # type: ignore[attr-defined]
        device.complaint_count = complaints.get(device.id, {}).get(key, 0)  # type: ignore[attr-defined]
        device.last_self_check = checks[device.id]["self"]  # type: ignore[attr-defined]
        device.last_mutual_check = checks[device.id]["mutual"]  # type: ignore[attr-defined]
        device.pending_inspection_records = pending.get(device.id, 0)  # type: ignore[attr-defined]
    return devices


def list_devices(actor: Actor, filters: dict) -> Page:
    cap, reach = list_reach(filters)
    query = visible_devices(actor, filters, search_limit=reach)
    page = paginate(query, filters["page"], filters["per_page"], cap)
    annotate_devices(actor, page.items)
    return page


def show_device(actor: Actor, device_id: int) -> Device:
    return annotate_devices(actor, [get_device_for(actor, device_id)])[0]
