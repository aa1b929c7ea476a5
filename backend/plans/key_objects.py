"""Key objects named by the regulator (重点监管对象, 第十二条第四项): always in the next draw."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from backend.core.clock import today
from backend.core.errors import Conflict, InvalidState, NotFound, ValidationFailed
from backend.core.pagination import Page, paginate
from backend.evidence.services import append_evidence
from backend.extensions import db
from backend.org.scope import Actor, zone_scope
from backend.org.services import get_enterprise_for
from backend.plans.access import require_regulator
from backend.plans.models import KeyObject


def visible_key_objects(actor: Actor, filters: dict | None = None) -> Select:
    """Named key objects of the actor's zone(s), newest first; `in_force` as of today."""
    require_regulator(actor)
    filters = filters or {}
    query = select(KeyObject).where(zone_scope(actor, KeyObject.zone_id))
    for key in ("zone_id", "enterprise_id"):
        if filters.get(key):
            query = query.where(getattr(KeyObject, key) == filters[key])
    if filters.get("in_force") is not None:
        now = today()
        live = (KeyObject.starts_on <= now) & or_(KeyObject.ends_on.is_(None), KeyObject.ends_on >= now)
        query = query.where(live if filters["in_force"] else ~live)
    return query.order_by(KeyObject.id.desc())


def list_key_objects(actor: Actor, filters: dict) -> Page:
    query = visible_key_objects(actor, filters).options(
        selectinload(KeyObject.enterprise), selectinload(KeyObject.named_by)
    )
    return paginate(query, filters["page"], filters["per_page"])


def get_key_object_for(actor: Actor, key_object_id: int) -> KeyObject:
    key_object = db.session.scalar(visible_key_objects(actor).where(KeyObject.id == key_object_id))
    if key_object is None:
        raise NotFound("重点监管对象不存在或不在您的管辖范围 (key object not found)")
    return key_object


def name_key_object(actor: Actor, data: dict) -> KeyObject:
    """Name an enterprise of the actor's zone a key object; every draw then includes it."""
    require_regulator(actor)
    enterprise = get_enterprise_for(actor, data["enterprise_id"])
    starts_on, ends_on = data.get("starts_on") or today(), data.get("ends_on")
    if ends_on is not None and ends_on < starts_on:
        raise ValidationFailed(details={"fields": {"ends_on": ["结束日期不能早于开始日期"]}})
    overlapping = db.session.scalar(
        select(KeyObject.id).where(
            KeyObject.enterprise_id == enterprise.id,
            KeyObject.starts_on <= (ends_on or date.max),
            or_(KeyObject.ends_on.is_(None), KeyObject.ends_on >= starts_on),
        )
    )
    if overlapping is not None:
        raise Conflict(
            "该企业在此期间已被列为重点监管对象 (already a key object)",
            details={"key_object_id": overlapping},
        )
    key_object = KeyObject(
        enterprise_id=enterprise.id,
        zone_id=enterprise.zone_id,
        reason=data["reason"],
        named_by_id=actor.id,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    db.session.add(key_object)
    db.session.flush()
    append_evidence(
        "plan.key_object.name",
        str(key_object.id),
        {
            "enterprise_id": enterprise.id,
            "reason": key_object.reason,
            "by": actor.id,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat() if ends_on else None,
        },
    )
    return key_object


def end_key_object(actor: Actor, key_object_id: int, data: dict) -> KeyObject:
    """End a named key object: by default no longer in force from today (last day yesterday).

    A naming ended before it starts never applies.
    """
    key_object = get_key_object_for(actor, key_object_id)
    yesterday = today() - timedelta(days=1)
    if key_object.ends_on is not None and key_object.ends_on <= yesterday:
        raise InvalidState("该重点监管对象已结束 (already ended)")
    ends_on = data.get("ends_on") or yesterday
    if ends_on < yesterday:
        raise ValidationFailed(details={"fields": {"ends_on": ["结束日期不能早于昨天"]}})
    key_object.ends_on = max(ends_on, key_object.starts_on - timedelta(days=1))
    key_object.ended_by_id = actor.id
    db.session.flush()
    append_evidence(
        "plan.key_object.end",
        str(key_object.id),
        {
            "enterprise_id": key_object.enterprise_id,
            "by": actor.id,
            "ends_on": key_object.ends_on.isoformat(),
        },
    )
    return key_object
