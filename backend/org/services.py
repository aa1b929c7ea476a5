"""Zones, blocks, enterprises and people: scoped reads and writes."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, select
from sqlalchemy.orm import aliased

from backend.core.auth import Role
from backend.core.changes import record_change
from backend.core.errors import Forbidden, NotFound, ValidationFailed
from backend.core.history import plain, record_history
from backend.core.search import (
    Arm,
    found_once,
    has_terms,
    holds_words,
    own_terms_arm,
    starts_with,
)
from backend.core.unique import flush_unique
from backend.extensions import db
from backend.org.models import (
    Block,
    Certificate,
    CertificateKind,
    Enterprise,
    EnterpriseSearchTerm,
    ModelStatus,
    Person,
    Zone,
)
from backend.org.people import add_certificate, counted_certificate_clause
from backend.org.rules import ACCEPTANCE_FIELDS, CONTACT_FIELDS, block_full_problem, block_size_warning
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


def visible_enterprises(actor: Actor, filters: dict | None = None, search_limit: int | None = None) -> Select:
    """Enterprises in the actor's scope, filtered as the lists ask; `search_limit` bounds how many
    matches of `q` are read (core.search.limited_union)."""
    filters = filters or {}
    clauses = [enterprise_scope(actor, Enterprise.id)]
    for key in ("zone_id", "block_id", "model_status"):
        if filters.get(key):
            clauses.append(getattr(Enterprise, key) == filters[key])
    if filters.get("public_place") is not None:
        column = Enterprise.public_place
        clauses.append(column.isnot(None) if filters["public_place"] else column.is_(None))
    if filters.get("q"):
        # each arm holds `clauses` (the scope among them); not repeated out here, where PostgreSQL
        # would join the matched ids to the whole zone rather than fetch them by key
        q = filters["q"].strip()
        arms = _enterprise_search_arms(q, clauses)
        # a full name finds that enterprise, not every name holding its character pairs
        written = starts_with(Enterprise.credit_code, q.upper()) | holds_words(
            (Enterprise.name, Enterprise.address), q
        )
        query = select(Enterprise).where(
            found_once(Enterprise.id, arms, (Enterprise.id,), written, search_limit)
        )
    else:
        query = select(Enterprise).where(*clauses)
    return query.order_by(Enterprise.id)


def enterprise_holds_words(enterprise_id: Any, q: str) -> ColumnElement[bool]:
    """The enterprise `enterprise_id` has the words of `q` as written in its name or address
    (core.search.holds_words: for the few ids a capped search found, probed by key)."""
    named = aliased(Enterprise)  # never correlated away by a query that has enterprises in it
    return exists().where(named.id == enterprise_id, holds_words((named.name, named.address), q))


def _enterprise_search_arms(q: str, clauses: list) -> list[Arm]:
    """A credit code as people type it (its start, either case), or words of the name or address
    (core.search terms): each an index range, never a scan of the province's 600k names."""
    base = select(Enterprise.id).where(*clauses)
    arms: list[Arm] = [
        (base.where(starts_with(Enterprise.credit_code, q.upper())), (Enterprise.credit_code,))
    ]
    if has_terms(q):
        arms.append(own_terms_arm(base, EnterpriseSearchTerm, "enterprise_id", Enterprise.id, q))
    return arms


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


def _check_placement(
    actor: Actor, zone_id: int | None, block_id: int | None, enterprise_id: int | None = None
) -> int:
    if actor.role == Role.inspector:
        zone_id = actor.zone_id
    if zone_id is None or db.session.get(Zone, zone_id) is None:
        raise ValidationFailed(details={"fields": {"zone_id": ["辖区不存在 (unknown zone)"]}})
    if block_id is not None:
        # locked, so two enterprises joining at once cannot make it eleven
        block = db.session.scalar(select(Block).where(Block.id == block_id).with_for_update())
        if block is None or block.zone_id != zone_id:
            raise ValidationFailed(details={"fields": {"block_id": ["区块不在该辖区 (block not in zone)"]}})
        problem = block_full_problem(block_members(block.id, excluding=enterprise_id))
        if problem:
            raise ValidationFailed(problem, details={"fields": {"block_id": [problem]}})
    return zone_id


def block_members(block_id: int, excluding: int | None = None) -> int:
    query = select(func.count()).select_from(Enterprise).where(Enterprise.block_id == block_id)
    if excluding is not None:
        query = query.where(Enterprise.id != excluding)
    return db.session.scalar(query) or 0


def block_sizes(block_ids: list[int]) -> dict[int, int]:
    query = (
        select(Enterprise.block_id, func.count())
        .where(Enterprise.block_id.in_(block_ids))
        .group_by(Enterprise.block_id)
    )
    return {int(block_id): n for block_id, n in db.session.execute(query).all() if block_id is not None}


def annotate_blocks(blocks: list[Block]) -> list[Block]:
    """Each block with its size and, below five enterprises, a warning."""
    sizes = block_sizes([b.id for b in blocks])
    for block in blocks:
        block.enterprise_count = sizes.get(block.id, 0)  # type: ignore[attr-defined]
        block.warning = block_size_warning(block.enterprise_count)  # type: ignore[attr-defined]
    return blocks


def unblocked_enterprises(actor: Actor, zone_id: int) -> Select:
    """Enterprises of a zone in no block yet (each should join one of 5–10)."""
    if db.session.scalar(select(Zone.id).where(Zone.id == zone_id, zone_scope(actor, Zone.id))) is None:
        raise NotFound("辖区不存在或不在您的管辖范围 (zone not found)")
    return visible_enterprises(actor, {"zone_id": zone_id}).where(Enterprise.block_id.is_(None))


def _roles_text(roles: Any) -> str:
    return ",".join(sorted({str(r) for r in roles}))


def _apply_enterprise_fields(enterprise: Enterprise, data: dict[str, Any]) -> None:
    for key, value in data.items():
        setattr(enterprise, key, _roles_text(value) if key == "roles" else value)


def create_enterprise(actor: Actor, data: dict) -> Enterprise:
    data = dict(data)
    _refuse_acceptance_fields(data, allowed_status=ModelStatus.none)
    data.pop("model_status", None)
    data.pop("model_accepted_on", None)
    data["zone_id"] = _check_placement(actor, data.get("zone_id"), data.get("block_id"))
    enterprise = Enterprise()
    _apply_enterprise_fields(enterprise, data)
    db.session.add(enterprise)
    flush_unique("统一社会信用代码已登记 (credit code already registered)")
    record_history("enterprise", enterprise.id, actor, {"name": (None, enterprise.name)}, "登记")
    record_change("enterprise", enterprise.id, enterprise.id)
    return enterprise


def _refuse_acceptance_fields(data: dict, allowed_status: str | None = None) -> None:
    """Model status is the outcome of the bureau's acceptance check (示范单位验收), never typed in."""
    status = data.get("model_status")
    typed = [k for k in ACCEPTANCE_FIELDS if k in data]
    if allowed_status is not None and status in (None, allowed_status) and not data.get("model_accepted_on"):
        return
    if typed:
        message = "示范单位状态只能经市局验收变更 (model status changes only through the acceptance check)"
        raise ValidationFailed(message, details={"fields": {k: [message] for k in typed}})


def update_enterprise(actor: Actor, enterprise_id: int, data: dict) -> tuple[Enterprise, bool]:
    """Edit an enterprise; True when it moved zone (its records follow: org.overview).

    Its safety manager edits the contact details; the facts it is graded on change only by
    regulators, with a reason, in the history.
    """
    data = dict(data)
    reason = (data.pop("reason", None) or "").strip()
    enterprise = get_enterprise_for(actor, enterprise_id)
    _refuse_acceptance_fields(data)
    _check_may_edit(actor, enterprise, data, reason)
    if "zone_id" in data or "block_id" in data:
        zone_id = data.get("zone_id", enterprise.zone_id)
        block_id = data.get("block_id", enterprise.block_id)
        data["zone_id"] = _check_placement(actor, zone_id, block_id, enterprise.id)
    moved = "zone_id" in data and data["zone_id"] != enterprise.zone_id
    if "roles" in data:
        data["roles"] = _roles_text(data["roles"])
    changed = {
        k: (getattr(enterprise, k), v) for k, v in data.items() if plain(getattr(enterprise, k)) != plain(v)
    }
    for key, (_before, after) in changed.items():
        setattr(enterprise, key, after)
    # a taken credit code is a 409 before the history is written (its insert would flush first)
    flush_unique("统一社会信用代码已登记 (credit code already registered)")
    record_history("enterprise", enterprise.id, actor, changed, reason)
    record_change("enterprise", enterprise.id, enterprise.id)
    return enterprise, moved


def _check_may_edit(actor: Actor, enterprise: Enterprise, data: dict, reason: str) -> None:
    facts = sorted(k for k in data if k not in CONTACT_FIELDS)
    if actor.role in (Role.bureau_admin, Role.inspector):
        if facts and not reason:
            message = "修改企业登记信息须说明原因 (a reason is required)"
            raise ValidationFailed(message, details={"fields": {"reason": [message]}})
        return
    if actor.role != Role.safety_manager or enterprise.id != actor.enterprise_id:
        raise Forbidden("只能由本单位安全管理员修改联系方式 (only your enterprise's safety manager edits it)")
    if facts:
        raise Forbidden(
            f"企业只能修改联系方式，{', '.join(facts)} 由监管人员修改 (enterprises edit contact details only)"
        )


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
    if actor.role not in (Role.bureau_admin, Role.inspector) and any(
        not c.get("photo_sha256") for c in data["certificates"]
    ):
        message = "每本证书都需上传照片，供监管人员核验 (each certificate needs a photo)"
        raise ValidationFailed(message, details={"fields": {"certificates": [message]}})
    person = Person(
        name=data["name"],
        phone=data["phone"],
        enterprise_id=enterprise.id,
        zone_id=enterprise.zone_id,
    )
    db.session.add(person)
    db.session.flush()
    record_history("person", person.id, actor, {"name": (None, person.name), "phone": (None, person.phone)})
    for certificate in data["certificates"]:
        add_certificate(actor, person.id, certificate)
    db.session.refresh(person)
    return person


def safety_managers(enterprise_ids: list[int], as_of: date) -> dict[int, list[dict]]:
    """Verified safety-manager certificates (not replaced) of people on staff; expired ones flagged."""
    query = (
        select(Person, Certificate)
        .join(Certificate, Certificate.person_id == Person.id)
        .where(
            Person.enterprise_id.in_(enterprise_ids),
            Certificate.kind == CertificateKind.safety_manager,
            counted_certificate_clause(as_of),
        )
        .order_by(Person.id, Certificate.id)
    )
    found: dict[int, list[dict]] = {}
    for person, cert in db.session.execute(query):
        if person.enterprise_id is None:
            continue
        found.setdefault(person.enterprise_id, []).append(
            {
                "name": person.name,
                "phone": person.phone,
                "certificate_no": cert.number,
                "expires_on": cert.expires_on,
                "expired": not cert.is_valid_on(as_of),
            }
        )
    return found
