"""History of regulated records: who changed which field, from what to what, when and why.

Plumbing under every domain (devices, enterprises, people, certificates, users, credit config, plans):
a service that changes a regulated record calls `assign_with_history` (or `record_history`) inside its
own transaction, so the record and its history commit together or not at all. Rows are append-only.
Each call publishes `history.recorded` with the ids of its rows: the evidence chain (a higher floor,
subscribed at app setup) gives every row its own entry right after the commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any, Protocol

from marshmallow import fields
from sqlalchemy import JSON, Index, Integer, String, Text, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from backend.core.clock import utcnow
from backend.core.db import UTCDateTime
from backend.core.events import publish
from backend.core.schemas import BaseSchema
from backend.extensions import Model, db

#: the event `record_history` publishes, payload {"ids": [the rows it inserted]}
HISTORY_RECORDED = "history.recorded"


class Actor(Protocol):
    id: int
    username: str


class HistoryEntry(Model):
    __tablename__ = "history_entries"
    __table_args__ = (Index("ix_history_entries_entity", "entity", "entity_id", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: no foreign key: a user's history outlives nothing, and core does not know accounts
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(60), default="")
    field: Mapped[str] = mapped_column(String(60))
    before: Mapped[Any] = mapped_column(JSON, nullable=True)
    after: Mapped[Any] = mapped_column(JSON, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")


def plain(value: Any) -> Any:
    """A JSON value for a column value: dates as ISO text, enums as their value."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def record_history(
    entity: str,
    entity_id: object,
    actor: Actor | None,
    changes: Mapping[str, tuple[Any, Any]],
    reason: str = "",
) -> None:
    """Append one row per changed field; `changes` maps field → (before, after). The rows' ids go out
    in one `history.recorded` event, handled after the commit (the evidence chain covers them)."""
    rows = [
        {
            "entity": entity,
            "entity_id": str(entity_id),
            "at": utcnow(),
            "actor_id": actor.id if actor else None,
            "actor": actor.username if actor else "system",
            "field": field,
            "before": plain(before),
            "after": plain(after),
            "reason": reason or "",
        }
        for field, (before, after) in changes.items()
    ]
    if rows:
        ids = db.session.scalars(insert(HistoryEntry).returning(HistoryEntry.id), rows).all()
        publish(HISTORY_RECORDED, {"ids": sorted(ids)})


def assign_with_history(
    record: Any,
    entity: str,
    values: Mapping[str, Any],
    actor: Actor | None,
    reason: str = "",
) -> dict[str, tuple[Any, Any]]:
    """Set each attribute that differs, record it, and return what changed (field → (before, after))."""
    changed = {
        field: (getattr(record, field), value)
        for field, value in values.items()
        if plain(getattr(record, field)) != plain(value)
    }
    for field, (_before, after) in changed.items():
        setattr(record, field, after)
    if record.id is None:
        db.session.flush()
    record_history(entity, record.id, actor, changed, reason)
    return changed


def history_of(entity: str, entity_id: object) -> list[HistoryEntry]:
    """Every change of one record, newest first."""
    query = (
        select(HistoryEntry)
        .where(HistoryEntry.entity == entity, HistoryEntry.entity_id == str(entity_id))
        .order_by(HistoryEntry.id.desc())
    )
    return list(db.session.scalars(query))


class HistoryEntrySchema(BaseSchema):
    """API.md, Records regulators rely on: `at`, `actor`, `field`, `before`, `after`, `reason`."""

    at = fields.DateTime(dump_only=True)
    actor = fields.String(dump_only=True)
    field = fields.String(dump_only=True)
    before = fields.Raw(dump_only=True, allow_none=True)
    after = fields.Raw(dump_only=True, allow_none=True)
    reason = fields.String(dump_only=True)
