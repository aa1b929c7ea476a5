"""The scope policy, in one place: which enterprises an actor may see.

- bureau_admin: everything;
- inspector: the enterprises of their zone;
- safety_manager: their own enterprise;
- block_supervisor: their own enterprise plus, for mutual checks, the others of
  their block.
Every list and every single-object load filters through here; out of scope is 404.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import ColumnElement, false, select, true

from backend.core.auth import Role
from backend.org.models import Enterprise


class Actor(Protocol):
    id: int
    username: str
    role: str
    enterprise_id: int | None
    zone_id: int | None

    @property
    def block_id(self) -> int | None: ...


def enterprise_scope(actor: Actor, enterprise_id_col: Any, zone_id_col: Any = None) -> ColumnElement[bool]:
    """A WHERE clause limiting `enterprise_id_col` to the actor's enterprises.

    Tables that carry their enterprise's zone (devices, hazards) pass `zone_id_col`,
    so an inspector's zone is one indexed comparison instead of a subquery.
    """
    if actor.role == Role.bureau_admin:
        return true()
    if actor.role == Role.inspector:
        if actor.zone_id is None:
            return false()
        if zone_id_col is not None:
            return zone_id_col == actor.zone_id
        zone_ids = select(Enterprise.id).where(Enterprise.zone_id == actor.zone_id)
        return enterprise_id_col.in_(zone_ids)
    if actor.role == Role.block_supervisor and actor.block_id is not None:
        block_ids = select(Enterprise.id).where(Enterprise.block_id == actor.block_id)
        return enterprise_id_col.in_(block_ids)
    if actor.enterprise_id is None:
        return false()
    return enterprise_id_col == actor.enterprise_id


def own_records_scope(actor: Actor, enterprise_id_col: Any, zone_id_col: Any = None) -> ColumnElement[bool]:
    """Like `enterprise_scope`, but a block supervisor sees only their own enterprise.

    Mutual checks need the block peers' devices and hazards; they do not need the
    regulator's documents and judgements about those peers (notices, credit grades,
    enforcement cases), which stay between the regulator and the enterprise.
    """
    if actor.role == Role.block_supervisor:
        return enterprise_id_col == actor.enterprise_id if actor.enterprise_id else false()
    return enterprise_scope(actor, enterprise_id_col, zone_id_col)


def zone_scope(actor: Actor, zone_id_col: Any) -> ColumnElement[bool]:
    """A WHERE clause for zone-level records (zones, blocks)."""
    if actor.role == Role.bureau_admin:
        return true()
    zone_id = actor.zone_id if actor.role == Role.inspector else _own_zone(actor)
    return zone_id_col == zone_id if zone_id is not None else false()


def _own_zone(actor: Actor) -> int | None:
    enterprise = getattr(actor, "enterprise", None)
    return enterprise.zone_id if enterprise is not None else None


def can_manage_enterprise(actor: Actor, enterprise: Enterprise) -> bool:
    """May the actor edit this enterprise's ledger (devices, people)?

    A block supervisor sees the other enterprises of the block for mutual checks,
    but edits only their own.
    """
    if actor.role == Role.bureau_admin:
        return True
    if actor.role == Role.inspector:
        return enterprise.zone_id == actor.zone_id
    return enterprise.id == actor.enterprise_id
