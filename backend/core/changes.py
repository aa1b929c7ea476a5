"""The change feed (what phones pull): every domain records its writes here inside its
own transaction. Plumbing under every domain; `sync` serves it."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Boolean, Index, Integer, String, delete, insert, update
from sqlalchemy.orm import Mapped, mapped_column

from backend.core.db import chunks, rows_affected, table_of
from backend.core.singletons import insert_singleton
from backend.extensions import Model, db


class SyncCounter(Model):
    """One row; bumping it inside the write transaction orders changes by commit."""

    __tablename__ = "sync_counter"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class Change(Model):
    """The latest change of one entity; pull reads these in seq order."""

    __tablename__ = "changes"
    __table_args__ = (Index("ix_changes_enterprise_seq", "enterprise_id", "seq"),)
    entity: Mapped[str] = mapped_column(String(20), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


BULK_CHUNK = 5_000


def next_seq(count: int = 1) -> int:
    """Allocate the next `count` change numbers and return the last; the row lock orders
    commits on PostgreSQL."""
    bump = (
        update(SyncCounter)
        .where(SyncCounter.id == 1)
        .values(value=SyncCounter.value + count)
        .returning(SyncCounter.value)
    )
    seq = db.session.scalar(bump)
    if seq is None:
        insert_singleton(SyncCounter(id=1, value=0))
        seq = db.session.scalar(bump)
    assert seq is not None  # noqa: S101 - the row was just inserted
    return seq


def record_change(entity: str, entity_id: object, enterprise_id: int, *, deleted: bool = False) -> None:
    """Give the entity the next change number (one row per entity: its latest change).
    Core statements, no ORM flush: this runs once per record on every write path."""
    key = str(entity_id)
    table = table_of(Change)
    values = {"enterprise_id": enterprise_id, "seq": next_seq(), "deleted": deleted}
    moved = rows_affected(
        db.session.execute(
            update(table).where(table.c.entity == entity, table.c.entity_id == key).values(values)
        )
    )
    if not moved:
        db.session.execute(insert(table).values(entity=entity, entity_id=key, **values))


def record_changes(entity: str, rows: Iterable[tuple[object, int]]) -> int:
    """`record_change` for many records written in bulk (the demo loader, imports): each
    (id, enterprise id) gets the next change number in the order given. Returns the count."""
    total = 0
    for chunk in chunks(((str(entity_id), enterprise_id) for entity_id, enterprise_id in rows), BULK_CHUNK):
        last = next_seq(len(chunk))
        db.session.execute(
            delete(Change).where(Change.entity == entity, Change.entity_id.in_([key for key, _ in chunk]))
        )
        db.session.execute(
            insert(Change),
            [
                {
                    "entity": entity,
                    "entity_id": key,
                    "enterprise_id": enterprise_id,
                    "seq": last - len(chunk) + n + 1,
                    "deleted": False,
                }
                for n, (key, enterprise_id) in enumerate(chunk)
            ],
        )
        total += len(chunk)
    return total
