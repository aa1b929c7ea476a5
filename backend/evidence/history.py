"""The history of regulated records in the evidence chain: one `history.change` entry per history row.

`core.history.record_history` publishes `history.recorded` with the ids of the rows it inserted; right
after the commit `chain_history` appends one entry per row, in id order, in one batch. The entry's data
is the row's canonical hash (`content`, over every field: entity, entity_id, at, actor_id, actor, field,
before, after, reason) plus what a reader needs to find the row (entity, entity_id, field); the values
themselves (a person's phone…) stay out of the chain. `flask evidence verify` re-hashes each row.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Protocol

from flask import Flask
from sqlalchemy import String, cast, exists, select

from backend.core.db import chunks, table_of
from backend.core.events import Event, subscribe_batch
from backend.core.hashing import payload_hash
from backend.core.history import HISTORY_RECORDED, HistoryEntry
from backend.evidence.models import EvidenceEntry
from backend.evidence.services import append_evidence_batch, row_by_ref
from backend.extensions import db

HISTORY_CHANGE = "history.change"
#: ids per IN (…) lookup: under SQLite's and PostgreSQL's bound-parameter limits
LOOKUP = 5000


class HistoryFields(Protocol):
    """A history row: the ORM object, or a Core row of its table (the after-commit run reads those)."""

    @property
    def id(self) -> int: ...
    @property
    def entity(self) -> str: ...
    @property
    def entity_id(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def actor_id(self) -> int | None: ...
    @property
    def actor(self) -> str: ...
    @property
    def field(self) -> str: ...
    @property
    def before(self) -> Any: ...
    @property
    def after(self) -> Any: ...
    @property
    def reason(self) -> str: ...


def history_content(row: HistoryFields) -> str:
    """The sha256 over every field of a history row, times and actors included."""
    return payload_hash(
        {
            "entity": row.entity,
            "entity_id": row.entity_id,
            # in UTC whatever the database session's time zone (PostgreSQL returns its own)
            "at": row.at.astimezone(UTC).isoformat(),
            "actor_id": row.actor_id,
            "actor": row.actor,
            "field": row.field,
            "before": row.before,
            "after": row.after,
            "reason": row.reason,
        }
    )


def history_evidence(row: HistoryFields) -> dict:
    return {
        "entity": row.entity,
        "entity_id": row.entity_id,
        "field": row.field,
        "content": history_content(row),
    }


def history_evidence_problem(kind: str, ref: str, data: dict) -> str | None:
    """Does the history row still hold what the chain recorded? (for verify_chain)"""
    row = row_by_ref(HistoryEntry, ref)
    if row is None:
        return f"history entry {ref} was removed"
    return None if history_content(row) == data.get("content") else f"history entry {ref} was altered"


def chain_history_rows(ids: Iterable[int], backfilled: bool = False) -> int:
    """Append a `history.change` entry for each of the rows `ids` that has none yet, in id order, in one
    batch; the number appended. A row already chained (run-pending met the after-commit run, or the
    backfill came first) or gone is skipped."""
    table = table_of(HistoryEntry)
    unchained = ~exists().where(
        EvidenceEntry.kind == HISTORY_CHANGE, EvidenceEntry.ref == cast(table.c.id, String)
    )
    rows: list[HistoryFields] = [
        row
        for part in chunks(sorted(set(ids)), LOOKUP)
        for row in db.session.execute(
            select(table).where(table.c.id.in_(part), unchained).order_by(table.c.id)
        )
    ]
    mark = {"backfilled": True} if backfilled else {}
    events = [(HISTORY_CHANGE, str(row.id), history_evidence(row) | mark) for row in rows]
    if events:
        append_evidence_batch(events)
    return len(events)


def chain_history(events: list[tuple[str, dict]]) -> None:
    """The batch handler of `history.recorded`: every row of one handling run, one append."""
    chain_history_rows(i for _kind, payload in events for i in payload.get("ids", []))


def backfill_history_entries() -> int:
    """Give the history rows written before the chain covered history their entry (`"backfilled":
    true`); such an entry proves the row unchanged from the backfill on, not before. Only rows older
    than the first row chained as it was written: a row that appeared later without its entry was
    slipped in behind the application's back (or awaits its event: `flask events run-pending`)."""
    first_live = db.session.scalar(
        select(EvidenceEntry.ref)
        .where(EvidenceEntry.kind == HISTORY_CHANGE, EvidenceEntry.body.not_like('%"backfilled":true%'))
        .order_by(EvidenceEntry.seq)
        .limit(1)
    )
    older = select(HistoryEntry.id)
    if first_live is not None:
        older = older.where(HistoryEntry.id < int(first_live))
    return chain_history_rows(db.session.scalars(older), backfilled=True)


def awaiting_history_ids() -> set[str]:
    """The history rows named by a `history.recorded` event still pending (its after-commit run failed
    or the process stopped first): they have no entry yet; `flask events run-pending` appends it."""
    payloads = db.session.scalars(
        select(Event.payload).where(Event.kind == HISTORY_RECORDED, Event.done_at.is_(None))
    )
    return {str(i) for payload in payloads for i in payload.get("ids", [])}


def register_history_chaining(app: Flask) -> None:
    subscribe_batch(app, HISTORY_RECORDED, chain_history)
