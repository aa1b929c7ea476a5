"""Load and serialise the entities named in a page of changes (batched per kind)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy.orm import selectinload

from backend.core.changes import Change
from backend.core.schemas import dumping_for
from backend.devices.models import Device
from backend.devices.overview import annotate_devices
from backend.devices.schemas import DeviceSchema
from backend.devices.services import visible_devices
from backend.extensions import db
from backend.hazards.models import Hazard
from backend.hazards.schemas import HazardSchema
from backend.hazards.services import visible_hazards
from backend.inspections.models import Check
from backend.inspections.schemas import CheckSchema
from backend.inspections.services import visible_checks
from backend.notices.models import Notice
from backend.notices.schemas import NoticeSchema
from backend.notices.services import visible_notices
from backend.org.models import Enterprise
from backend.org.schemas import EnterpriseSchema
from backend.org.scope import Actor
from backend.org.services import visible_enterprises


def _devices(actor: Actor, ids: list[str]) -> dict[str, dict]:
    found = db.session.scalars(visible_devices(actor).where(Device.id.in_([int(i) for i in ids])))
    devices = annotate_devices(actor, list(found.unique()))
    return {str(d.id): DeviceSchema().dump(d) for d in devices}


def _hazards(actor: Actor, ids: list[str]) -> dict[str, dict]:
    found = db.session.scalars(visible_hazards(actor).where(Hazard.id.in_(ids)))
    with dumping_for(actor):
        return {h.id: HazardSchema().dump(h) for h in found.unique()}


def _enterprises(actor: Actor, ids: list[str]) -> dict[str, dict]:
    query = visible_enterprises(actor).where(Enterprise.id.in_([int(i) for i in ids]))
    # each of a province's enterprises has a block of its own: one query for a page's blocks, not 200
    found = db.session.scalars(query.options(selectinload(Enterprise.block)))
    return {str(e.id): EnterpriseSchema().dump(e) for e in found}


def _checks(actor: Actor, ids: list[str]) -> dict[str, dict]:
    found = db.session.scalars(visible_checks(actor).where(Check.id.in_(ids)))
    return {c.id: CheckSchema().dump(c) for c in found.unique()}


def _notices(actor: Actor, ids: list[str]) -> dict[str, dict]:
    found = db.session.scalars(visible_notices(actor).where(Notice.id.in_([int(i) for i in ids])))
    with dumping_for(actor):
        return {str(n.id): NoticeSchema().dump(n) for n in found.unique()}


LOADERS = {
    "device": _devices,
    "hazard": _hazards,
    "enterprise": _enterprises,
    "check": _checks,
    "notice": _notices,
}


def load_entities(actor: Actor, rows: Sequence[Change]) -> dict[tuple[str, str], dict]:
    wanted: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if not row.deleted:
            wanted[row.entity].append(row.entity_id)
    loaded: dict[tuple[str, str], dict] = {}
    for entity, ids in wanted.items():
        for key, data in LOADERS[entity](actor, ids).items():
            loaded[(entity, key)] = data
    return loaded
