"""Recusals (回避): an inspector linked to an enterprise is never drawn for it."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from backend.accounts.models import User
from backend.core.auth import Role
from backend.core.clock import utcnow
from backend.core.errors import Conflict, Forbidden, InvalidState, NotFound
from backend.core.pagination import Page, paginate
from backend.evidence.services import append_evidence
from backend.extensions import db
from backend.org.scope import Actor
from backend.org.services import get_enterprise_for
from backend.plans.access import require_regulator
from backend.plans.models import InspectorRecusal


def visible_recusals(actor: Actor, filters: dict | None = None) -> Select:
    """The bureau sees every declaration; an inspector sees their own."""
    require_regulator(actor)
    filters = filters or {}
    query = select(InspectorRecusal)
    if actor.role == Role.inspector:
        query = query.where(InspectorRecusal.inspector_id == actor.id)
    for key in ("inspector_id", "enterprise_id"):
        if filters.get(key):
            query = query.where(getattr(InspectorRecusal, key) == filters[key])
    if filters.get("active") is not None:
        column = InspectorRecusal.withdrawn_at
        query = query.where(column.is_(None) if filters["active"] else column.is_not(None))
    return query.order_by(InspectorRecusal.id.desc())


def list_recusals(actor: Actor, filters: dict) -> Page:
    query = visible_recusals(actor, filters).options(
        selectinload(InspectorRecusal.enterprise), selectinload(InspectorRecusal.inspector)
    )
    return paginate(query, filters["page"], filters["per_page"])


def _recused_inspector(actor: Actor, inspector_id: int | None) -> User:
    if actor.role == Role.inspector:
        if inspector_id not in (None, actor.id):
            raise Forbidden("监察员只能申报本人的回避 (own recusals only)")
        return db.session.get(User, actor.id)  # type: ignore[return-value]
    inspector = db.session.get(User, inspector_id) if inspector_id else None
    if inspector is None or inspector.role != Role.inspector:
        raise NotFound("监察员不存在 (inspector not found)")
    return inspector


def declare_recusal(actor: Actor, data: dict) -> InspectorRecusal:
    """Declare an inspector's link to an enterprise (回避); the bureau may declare for an inspector."""
    require_regulator(actor)
    enterprise = get_enterprise_for(actor, data["enterprise_id"])
    inspector = _recused_inspector(actor, data.get("inspector_id"))
    duplicate = db.session.scalar(
        select(InspectorRecusal.id).where(
            InspectorRecusal.inspector_id == inspector.id,
            InspectorRecusal.enterprise_id == enterprise.id,
            InspectorRecusal.withdrawn_at.is_(None),
        )
    )
    if duplicate is not None:
        raise Conflict("已申报过与该企业的回避 (already declared)", details={"recusal_id": duplicate})
    recusal = InspectorRecusal(
        inspector_id=inspector.id,
        enterprise_id=enterprise.id,
        kind=data["kind"],
        reason=data["reason"],
        declared_by_id=actor.id,
        declared_at=utcnow(),
    )
    db.session.add(recusal)
    db.session.flush()
    append_evidence(
        "plan.recusal.declare",
        str(recusal.id),
        {"inspector_id": inspector.id, "enterprise_id": enterprise.id, "kind": recusal.kind, "by": actor.id},
    )
    return recusal


def withdraw_recusal(actor: Actor, recusal_id: int, data: dict) -> InspectorRecusal:
    """Withdraw a recusal (the link ended); the inspector may be drawn for the enterprise again."""
    recusal = db.session.scalar(visible_recusals(actor).where(InspectorRecusal.id == recusal_id))
    if recusal is None:
        raise NotFound("回避申报不存在 (recusal not found)")
    if recusal.withdrawn_at is not None:
        raise InvalidState("该回避申报已撤回 (already withdrawn)")
    recusal.withdrawn_at, recusal.withdrawn_by_id = utcnow(), actor.id
    recusal.withdraw_reason = data["reason"]
    db.session.flush()
    append_evidence(
        "plan.recusal.withdraw",
        str(recusal.id),
        {"inspector_id": recusal.inspector_id, "enterprise_id": recusal.enterprise_id, "by": actor.id},
    )
    return recusal
