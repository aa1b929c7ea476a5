"""Record entity changes for pull (called by domain services inside their transaction)."""

from __future__ import annotations

from sqlalchemy import select, update

from backend.core.singletons import insert_singleton
from backend.extensions import db
from backend.sync.models import Change, SyncCounter


def next_seq() -> int:
    """Allocate the next change number; the row lock orders commits on PostgreSQL."""
    bump = (
        update(SyncCounter)
        .where(SyncCounter.id == 1)
        .values(value=SyncCounter.value + 1)
        .returning(SyncCounter.value)
    )
    seq = db.session.scalar(bump)
    if seq is None:
        insert_singleton(SyncCounter(id=1, value=0))
        seq = db.session.scalar(bump)
    return seq


def record_change(
    entity: str, entity_id: object, enterprise_id: int, *, deleted: bool = False
) -> None:
    key = str(entity_id)
    seq = next_seq()
    change = db.session.scalar(
        select(Change).where(Change.entity == entity, Change.entity_id == key)
    )
    if change is None:
        change = Change(entity=entity, entity_id=key)
        db.session.add(change)
    change.enterprise_id = enterprise_id
    change.seq = seq
    change.deleted = deleted
    db.session.flush()
