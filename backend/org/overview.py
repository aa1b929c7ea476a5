"""Enterprises as the org screens show them, and the edits that reach the floors above org.

One floor up from org: an enterprise row carries its complaint counts, and moving an
enterprise to another zone moves every row that carried its zone with it (same
transaction), through the models' metadata so no upper domain is imported here.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from backend.complaints.services import enterprise_complaint_counts
from backend.core.auth import Role
from backend.core.changes import record_change
from backend.core.pagination import Page, paginate
from backend.core.search import start_list_page
from backend.extensions import db
from backend.org import services
from backend.org.models import Enterprise
from backend.org.scope import Actor


def list_enterprises(actor: Actor, filters: dict) -> Page:
    cap, reach = start_list_page(filters)
    query = services.visible_enterprises(actor, filters, search_limit=reach).options(
        selectinload(Enterprise.block)
    )
    page = paginate(query, filters["page"], filters["per_page"], cap)
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


#: the tables whose rows carry their enterprise's zone and follow it when it moves
ZONE_FOLLOWS_ENTERPRISE = (
    "devices",
    "hazards",
    "checks",
    "notices",
    "accidents",
    "enforcement_cases",
    "credit_grades",
    "people",
    "users",
    "maintenance_orders",
    "maintenance_records",
)
#: the tables with a zone that stay where they are, and why
ZONE_STAYS = {
    "enterprises": "the moved row itself",
    "blocks": "a block is part of its zone; the enterprise leaves its block when it moves",
    "inspection_plans": "a zone's own annual plan",
    "mutual_check_cycles": "a zone's own mutual-check cycle",
    "monthly_report_submissions": "a zone's own monthly report",
    "mutual_check_assignments": "a task of the old zone's cycle within the block the enterprise left",
    "plan_key_objects": "a line of the old zone's published plan (in the evidence chain); "
    "the new zone lists the enterprise in its own plan",
    "stationings": "the old zone's inspectors were stationed there; the new zone starts its own",
    "monthly_figure_freezes": "a zone's own frozen monthly figures (a past month never changes)",
}
#: the synced entity of a following table: re-announced so the new zone's phones pull it
SYNCED_ENTITIES = {"devices": "device", "hazards": "hazard", "checks": "check", "notices": "notice"}


def _move_zone_records(enterprise: Enterprise) -> None:
    """Every row that carried the enterprise's old zone follows it to the new one."""
    tables = db.metadata.tables
    for name in ZONE_FOLLOWS_ENTERPRISE:
        table = tables[name]
        carried_old_zone = (table.c.enterprise_id == enterprise.id) & (table.c.zone_id != enterprise.zone_id)
        entity = SYNCED_ENTITIES.get(name)
        moved_ids = list(db.session.scalars(select(table.c.id).where(carried_old_zone))) if entity else []
        db.session.execute(update(table).where(carried_old_zone).values(zone_id=enterprise.zone_id))
        for record_id in moved_ids:
            record_change(str(entity), record_id, enterprise.id)
