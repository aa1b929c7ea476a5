"""After-commit domain events: an outbox written with the record, handled right after commit.

A service calls `publish(kind, payload)`: the event row joins the record's own transaction,
so a committed record always has its event (nothing is lost if the process dies). A higher
domain subscribes a handler to a kind (`subscribe(app, "hazard.*", handler)`) at app setup;
the lower domain never imports it. A batch handler (`subscribe_batch`) gets every matching
event of one handling run at once, so work that depends only on the latest state (a
re-grade) runs once per commit, not once per event: a sync push of 50 ops re-grades once.
Right after the commit the handlers run in a new transaction, all of the commit's events in
one savepoint; should a handler fail, the savepoint rolls back and each event is handled
again in a savepoint of its own, so only the failing events stay pending (the user's write
stands) and `flask events run-pending` retries them.
"""

from __future__ import annotations

import fnmatch
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from flask import Flask, current_app, has_app_context
from sqlalchemy import JSON, Integer, String, Text, delete, event, insert, select, true, update
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column

from backend.core.clock import utcnow
from backend.core.db import UTCDateTime, rows_affected, table_of
from backend.extensions import Model, db

log = logging.getLogger(__name__)

Handler = Callable[[str, dict], None]
BatchHandler = Callable[[list[tuple[str, dict]]], None]

_PUBLISHED = "events.published"  # ids published in the open transaction
_COMMITTED = "events.committed"  # ids whose transaction committed, not yet handled
_HANDLING = "events.handling"  # set while handlers run: their own commits queue, not recurse
_EXTENSION = "events"
BATCH = 500


class Event(Model):
    """The outbox: one row per domain event; `done_at` once every handler ran."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


def publish(kind: str, payload: dict) -> None:
    """Record that `kind` happened, in the caller's transaction; handled after its commit."""
    event_id = db.session.execute(
        insert(table_of(Event))
        .values(kind=kind, payload=payload, created_at=utcnow(), attempts=0)
        .returning(table_of(Event).c.id)
    ).scalar_one()
    db.session().info.setdefault(_PUBLISHED, []).append(event_id)


def init_app(app: Flask) -> None:
    """Give `app` an empty handler registry and run handlers after every commit."""
    app.extensions[_EXTENSION] = {}
    for name, listener in (
        ("after_commit", _after_commit),
        ("after_transaction_end", _after_transaction_end),
    ):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)


@dataclass(frozen=True)
class _Subscription:
    handler: Callable[..., None]  # a Handler, or a BatchHandler when `batch`
    batch: bool


def subscribe(app: Flask, pattern: str, handler: Handler) -> None:
    """Run `handler(kind, payload)` after the commit of every event whose kind matches
    `pattern` (fnmatch: "hazard.*"). Subscribing the same handler twice runs it once."""
    _add(app, pattern, _Subscription(handler, batch=False))


def subscribe_batch(app: Flask, pattern: str, handler: BatchHandler) -> None:
    """Run `handler([(kind, payload), …])` once per handling run (one commit's events, or a
    batch of `run-pending`) with its events whose kind matches `pattern`, oldest first."""
    _add(app, pattern, _Subscription(handler, batch=True))


def _add(app: Flask, pattern: str, subscription: _Subscription) -> None:
    subscriptions = app.extensions[_EXTENSION].setdefault(pattern, [])
    if subscription not in subscriptions:
        subscriptions.append(subscription)


def _subscriptions_for(kind: str) -> list[_Subscription]:
    registry = current_app.extensions.get(_EXTENSION, {})
    return [s for pattern, subs in registry.items() if fnmatch.fnmatchcase(kind, pattern) for s in subs]


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint: its transaction may still roll back
        return
    published = session.info.pop(_PUBLISHED, None)
    if published:
        session.info.setdefault(_COMMITTED, []).extend(published)


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return
    session.info.pop(_PUBLISHED, None)  # published in a transaction that rolled back
    if session.info.get(_HANDLING) or not session.info.get(_COMMITTED) or not has_app_context():
        return
    session.info[_HANDLING] = True
    try:
        while ids := session.info.pop(_COMMITTED, None):
            handle_events(ids)
    finally:
        session.info.pop(_HANDLING, None)


@dataclass
class HandleReport:
    done: int = 0
    failed: int = 0


class _Pending(NamedTuple):
    id: int
    kind: str
    payload: dict


def handle_events(ids: Sequence[int] | None = None) -> HandleReport:
    """Run the handlers of the pending events `ids` (None: every pending event, oldest
    first, BATCH at a time) and mark each done; never raises: a failure stays pending."""
    report = HandleReport()
    while True:
        try:
            rows = _pending(ids)
            _handle_together(rows, report)
            db.session.commit()
        except Exception:
            log.exception("domain events %s: handling failed, left pending", ids or "pending")
            db.session.rollback()
            return report
        if ids is not None or len(rows) < BATCH:
            return report


def _pending(ids: Sequence[int] | None) -> list[_Pending]:
    table = table_of(Event)
    rows = db.session.execute(
        select(table.c.id, table.c.kind, table.c.payload)
        .where(table.c.done_at.is_(None), table.c.id.in_(ids) if ids is not None else true())
        .order_by(table.c.id)
        .limit(BATCH if ids is None else None)
    ).all()
    return [_Pending(*row) for row in rows]


def _handle_together(rows: list[_Pending], report: HandleReport) -> None:
    """All `rows` in one savepoint, batch handlers once; on a failure, one savepoint each."""
    if len(rows) > 1:
        try:
            with db.session.begin_nested():
                handled = _claim_and_run(rows)
        except Exception:
            log.warning("domain events %s…: a handler failed, handling one by one", rows[0].id)
        else:
            report.done += handled
            return
    for row in rows:
        _handle_one(row, report)


def _handle_one(row: _Pending, report: HandleReport) -> None:
    table = table_of(Event)
    try:
        with db.session.begin_nested():
            if not _claim_and_run([row]):
                return
    except Exception as exc:
        log.exception("domain event %s (%s): handler failed, left pending", row.id, row.kind)
        db.session.execute(
            update(table)
            .where(table.c.id == row.id)
            .values(attempts=table.c.attempts + 1, last_error=repr(exc)[:2000])
        )
        report.failed += 1
        return
    report.done += 1


def _claim_and_run(rows: list[_Pending]) -> int:
    """Mark `rows` done and run their handlers; the number claimed. The claim: run-pending
    and the after-commit run may meet on one event; one wins, the other skips it."""
    table = table_of(Event)
    claimed = set(
        db.session.scalars(
            update(table)
            .where(table.c.id.in_([row.id for row in rows]), table.c.done_at.is_(None))
            .values(done_at=utcnow(), attempts=table.c.attempts + 1)
            .returning(table.c.id)
        )
    )
    _run_handlers([row for row in rows if row.id in claimed])
    return len(claimed)


def _run_handlers(rows: list[_Pending]) -> None:
    """Per-event handlers event by event, then each batch handler once with its events."""
    batches: dict[_Subscription, list[tuple[str, dict]]] = {}
    for row in rows:
        for subscription in dict.fromkeys(_subscriptions_for(row.kind)):  # once per event
            if subscription.batch:
                batches.setdefault(subscription, []).append((row.kind, row.payload))
            else:
                subscription.handler(row.kind, row.payload)
    for subscription, events in batches.items():
        subscription.handler(events)


def prune_handled(before: datetime) -> int:
    """Delete events handled before `before`; the number deleted. A pending event (not yet
    handled, or failing) is never deleted: `flask events run-pending` still needs it."""
    table = table_of(Event)
    result = db.session.execute(delete(table).where(table.c.done_at.isnot(None), table.c.done_at < before))
    return rows_affected(result)
