"""Enterprises as the org screens show them, and the edits that reach the floors above org.

One floor up from org: an enterprise row carries its complaint counts, and moving an
enterprise to another zone moves its devices and hazards with it (same transaction).
"""

from __future__ import annotations

from sqlalchemy import select, update

from backend.complaints.services import enterprise_complaint_counts
from backend.core.auth import Role
from backend.core.changes import record_change
from backend.core.pagination import Page, paginate
from backend.devices.models import Device
from backend.extensions import db
from backend.hazards.models import Hazard
from backend.org import services
from backend.org.models import Enterprise
from backend.org.scope import Actor


def list_enterprises(actor: Actor, filters: dict) -> Page:
    page = paginate(services.visible_enterprises(actor, filters), filters["page"], filters["per_page"])
    annotate_enterprises(actor, page.items)
    return page


def show_enterprise(actor: Actor, enterprise_id: int) -> Enterprise:
    return annotate_enterprises(actor, [services.get_enterprise_for(actor, enterprise_id)])[0]


def annotate_enterprises(actor: Actor, enterprises: list[Enterprise]) -> list[Enterprise]:
    """Add complaint counts; enterprise people count only substantiated complaints."""
    counts = enterprise_complaint_counts([e.id for e in enterprises])
    key = "total" if actor.role in (Role.bureau_admin, Role.inspector) else "substantiated"
    for enterprise in enterprises:
        enterprise.complaint_count = counts.get(enterprise.id, {}).get(key, 0)  # type: ignore[attr-defined]
    return enterprises


def update_enterprise(actor: Actor, enterprise_id: int, data: dict) -> Enterprise:
    enterprise, moved = services.update_enterprise(actor, enterprise_id, data)
    if moved:
        _move_zone_records(enterprise)
    return annotate_enterprises(actor, [enterprise])[0]


def _move_zone_records(enterprise: Enterprise) -> None:
    """Devices and hazards carry their enterprise's zone: follow it to the new zone."""
    for entity, model in (("device", Device), ("hazard", Hazard)):
        db.session.execute(
            update(model).where(model.enterprise_id == enterprise.id).values(zone_id=enterprise.zone_id)
        )
        # re-announce them so the new zone's phones pull them
        for record_id in db.session.scalars(select(model.id).where(model.enterprise_id == enterprise.id)):
            record_change(entity, record_id, enterprise.id)
