"""Zones, blocks, enterprises and people: scoped reads and writes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select

from backend.core.auth import Role
from backend.core.changes import record_change
from backend.core.errors import Forbidden, NotFound, ValidationFailed
from backend.core.unique import flush_unique
from backend.extensions import db
from backend.org.models import Block, Certificate, Enterprise, Person, Zone
from backend.org.scope import (
    Actor,
    can_manage_enterprise,
    enterprise_scope,
    own_records_scope,
    zone_scope,
)


def visible_zones(actor: Actor) -> Select:
    return select(Zone).where(zone_scope(actor, Zone.id)).order_by(Zone.id)


def create_zone(actor: Actor, data: dict) -> Zone:
    zone = Zone(**data)
    db.session.add(zone)
    flush_unique("辖区名称或代码已存在 (zone name or code exists)")
    return zone


def visible_blocks(actor: Actor, filters: dict) -> Select:
    query = select(Block).where(zone_scope(actor, Block.zone_id)).order_by(Block.id)
    if filters.get("zone_id"):
        query = query.where(Block.zone_id == filters["zone_id"])
    return query


def create_block(actor: Actor, data: dict) -> Block:
    zone_id = actor.zone_id if actor.role == Role.inspector else data.get("zone_id")
    if zone_id is None or db.session.get(Zone, zone_id) is None:
        raise ValidationFailed(details={"fields": {"zone_id": ["辖区不存在 (unknown zone)"]}})
    block = Block(zone_id=zone_id, name=data["name"])
    db.session.add(block)
    db.session.flush()
    return block


def visible_enterprises(actor: Actor, filters: dict | None = None) -> Select:
    filters = filters or {}
    query = select(Enterprise).where(enterprise_scope(actor, Enterprise.id))
    if filters.get("q"):
        pattern = f"%{filters['q']}%"
        query = query.where(or_(Enterprise.name.like(pattern), Enterprise.credit_code.like(pattern)))
    for key in ("zone_id", "block_id", "model_status"):
        if filters.get(key):
            query = query.where(getattr(Enterprise, key) == filters[key])
    if filters.get("public_place") is not None:
        column = Enterprise.public_place
        query = query.where(column.isnot(None) if filters["public_place"] else column.is_(None))
    return query.order_by(Enterprise.id)


def get_enterprise_for(actor: Actor, enterprise_id: int) -> Enterprise:
    enterprise = db.session.scalar(visible_enterprises(actor).where(Enterprise.id == enterprise_id))
    if enterprise is None:
        raise NotFound("企业不存在或不在您的管辖范围 (enterprise not found)")
    return enterprise


def get_records_enterprise_for(actor: Actor, enterprise_id: int) -> Enterprise:
    """An enterprise whose regulator records (credit grade, its history) the actor may read:
    as `get_enterprise_for`, but a block supervisor's peers are out of scope (404)."""
    enterprise = db.session.scalar(
        select(Enterprise).where(Enterprise.id == enterprise_id, own_records_scope(actor, Enterprise.id))
    )
    if enterprise is None:
        raise NotFound("企业不存在或不在您的管辖范围 (enterprise not found)")
    return enterprise


def get_managed_enterprise(actor: Actor, enterprise_id: int) -> Enterprise:
    """An enterprise the actor may edit: 404 outside scope, 403 inside but read-only."""
    enterprise = get_enterprise_for(actor, enterprise_id)
    if not can_manage_enterprise(actor, enterprise):
        raise Forbidden("只能维护本单位的台账 (you may only edit your own enterprise)")
    return enterprise


def _check_placement(actor: Actor, zone_id: int | None, block_id: int | None) -> int:
    if actor.role == Role.inspector:
        zone_id = actor.zone_id
    if zone_id is None or db.session.get(Zone, zone_id) is None:
        raise ValidationFailed(details={"fields": {"zone_id": ["辖区不存在 (unknown zone)"]}})
    if block_id is not None:
        block = db.session.get(Block, block_id)
        if block is None or block.zone_id != zone_id:
            raise ValidationFailed(details={"fields": {"block_id": ["区块不在该辖区 (block not in zone)"]}})
    return zone_id


def _apply_enterprise_fields(enterprise: Enterprise, data: dict[str, Any]) -> None:
    for key, value in data.items():
        if key == "roles":
            value = ",".join(sorted({str(r) for r in value}))
        setattr(enterprise, key, value)


def create_enterprise(actor: Actor, data: dict) -> Enterprise:
    data = dict(data)
    data["zone_id"] = _check_placement(actor, data.get("zone_id"), data.get("block_id"))
    enterprise = Enterprise()
    _apply_enterprise_fields(enterprise, data)
    db.session.add(enterprise)
    flush_unique("统一社会信用代码已登记 (credit code already registered)")
    record_change("enterprise", enterprise.id, enterprise.id)
    return enterprise


def update_enterprise(actor: Actor, enterprise_id: int, data: dict) -> tuple[Enterprise, bool]:
    """Edit an enterprise; True when it moved zone (its records follow: org.overview)."""
    enterprise = get_enterprise_for(actor, enterprise_id)
    if actor.role not in (Role.bureau_admin, Role.inspector):
        raise Forbidden("只有监管人员可以修改企业信息 (regulators only)")
    if "zone_id" in data or "block_id" in data:
        zone_id = data.get("zone_id", enterprise.zone_id)
        data["zone_id"] = _check_placement(actor, zone_id, data.get("block_id", enterprise.block_id))
    moved = "zone_id" in data and data["zone_id"] != enterprise.zone_id
    _apply_enterprise_fields(enterprise, data)
    flush_unique("统一社会信用代码已登记 (credit code already registered)")
    record_change("enterprise", enterprise.id, enterprise.id)
    return enterprise, moved


def visible_people(actor: Actor, filters: dict) -> Select:
    query = select(Person).where(enterprise_scope(actor, Person.enterprise_id))
    if filters.get("enterprise_id"):
        query = query.where(Person.enterprise_id == filters["enterprise_id"])
    if filters.get("certificate"):
        holders = select(Certificate.person_id).where(Certificate.kind == filters["certificate"])
        query = query.where(Person.id.in_(holders))
    return query.order_by(Person.id)


def create_person(actor: Actor, data: dict) -> Person:
    enterprise_id = data.get("enterprise_id") or actor.enterprise_id
    if enterprise_id is None:
        raise ValidationFailed(details={"fields": {"enterprise_id": ["必填 (required)"]}})
    enterprise = get_managed_enterprise(actor, enterprise_id)
    person = Person(
        name=data["name"],
        phone=data["phone"],
        enterprise_id=enterprise.id,
        zone_id=enterprise.zone_id,
    )
    person.certificates = [Certificate(**c) for c in data["certificates"]]
    db.session.add(person)
    db.session.flush()
    return person


def safety_managers(enterprise_ids: list[int]) -> dict[int, list[dict]]:
    query = (
        select(Person, Certificate)
        .join(Certificate, Certificate.person_id == Person.id)
        .where(Person.enterprise_id.in_(enterprise_ids), Certificate.kind == "safety_manager")
        .order_by(Person.id)
    )
    found: dict[int, list[dict]] = {}
    for person, cert in db.session.execute(query):
        found.setdefault(person.enterprise_id, []).append(
            {
                "name": person.name,
                "phone": person.phone,
                "certificate_no": cert.number,
                "expires_on": cert.expires_on,
            }
        )
    return found
