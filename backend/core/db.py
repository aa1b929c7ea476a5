"""Declarative base with a constraint naming convention, SQLite connection tuning, and statements
prepared once per PostgreSQL connection."""

from __future__ import annotations

import contextvars
import fcntl
import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import islice
from typing import Any, Literal, TypeVar, cast

from sqlalchemy import DateTime, Executable, MetaData, Table, event, inspect, text
from sqlalchemy.engine import Connection, CursorResult, Engine, ExecutionContext, Result
from sqlalchemy.orm import MANYTOONE, DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.types import TypeDecorator

from backend.core.clock import utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: True while the current request may write; SQLite then takes the write lock at BEGIN.
write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=False)

#: FULL syncs the WAL at every COMMIT (an acknowledged write survives power loss);
#: NORMAL syncs only at checkpoints (survives a process crash, may lose the last
#: commits on power loss or a kernel crash). See the README's benchmark notes.
SQLITE_SYNCHRONOUS_MODES = ("FULL", "NORMAL", "EXTRA")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def table_of(model: type[Base]) -> Table:
    """A mapped class's table, typed as a Table (for Core statements on the hot paths)."""
    return cast(Table, model.__table__)


def advance_id_sequences(session: Session, metadata: MetaData) -> None:
    """After rows were inserted with explicit ids (the demo generator, a restore), move each
    PostgreSQL id sequence past the largest id, or the next row a user adds collides with one.
    SQLite needs nothing: its next rowid follows the largest."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in metadata.sorted_tables:
        column = table.c.get("id")
        if column is None or not column.primary_key or column.autoincrement is False:
            continue
        sequence = session.scalar(text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name})
        if sequence is None:
            continue
        session.execute(
            text(f"SELECT setval(:sequence, COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table.name}"),  # noqa: S608 - metadata names
            {"sequence": sequence},
        )


def rows_affected(result: Result) -> int:
    """How many rows an UPDATE or DELETE touched."""
    return cast(CursorResult, result).rowcount


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every engine (SQLite drops the offset otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )


T = TypeVar("T")


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """`items` in lists of `size` (the last shorter): bulk writes and IN (…) lookups stay bounded."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


@contextmanager
def reads_before_writing(session: Session) -> Iterator[None]:
    """Run a writing request's preliminary reads (token, account) outside its write lock.

    The reads run in a deferred transaction that is committed (nothing to write) when the
    block ends, so the request's own transaction then begins with BEGIN IMMEDIATE: the
    one-writer-at-a-time section covers only the work that needs it.
    """
    intent = write_intent.get()
    if not intent or session.get_bind().dialect.name != "sqlite":
        yield
        return
    write_intent.set(False)
    try:
        yield
        if session.in_transaction() and not (session.new or session.dirty or session.deleted):
            session.commit()
    finally:
        write_intent.set(True)


def keep_state_after_commit(session: Session, *, hold_loaded: bool) -> None:
    """A request's objects keep their loaded values after its one commit.

    Views commit, then serialise what they wrote; expiring it at commit made that
    serialisation read every row back in a second transaction (which, for a writing
    request on SQLite, queued for the write lock again). With `hold_loaded` the session
    also keeps every row it loaded until the request ends, so a relationship the response
    shows (a hazard's enterprise name) is found in the identity map instead of re-read.
    """
    session.expire_on_commit = False
    if hold_loaded:
        session.info[_HELD] = []


def expire_state_on_commit(session: Session) -> None:
    session.expire_on_commit = True
    session.info.pop(_HELD, None)


_HELD = "sesv_held_rows"


@event.listens_for(Session, "loaded_as_persistent")
def _hold_loaded_row(session: Session, instance: object) -> None:
    held = session.info.get(_HELD)
    if held is not None:
        held.append(instance)


@event.listens_for(Session, "after_flush")
def _forget_stale_parents(session: Session, _context: object) -> None:
    """Expire a loaded many-to-one whose foreign key a flush changed (task.supervisor after
    task.supervisor_id = …): with state kept after commit nothing else would reload it."""
    for instance in session.dirty:
        state = inspect(instance)
        stale = [
            rel.key
            for rel in state.mapper.relationships
            if rel.direction is MANYTOONE
            and rel.key not in state.unloaded
            and any(
                state.attrs[col.key].history.has_changes()
                for col in rel.local_columns
                if col.key in state.attrs
            )
        ]
        if stale:
            session.expire(instance, stale)


#: execution option of statements that `prepared` marks
_PREPARED = "sesv_prepared"
#: on a connection's info: whether its transaction ran anything but reads
_WROTE = "sesv_wrote"
_READS = ("SELECT", "SET ", "SHOW ")

E = TypeVar("E", bound=Executable)


def prepared(statement: E) -> E:
    """`statement` planned once per pooled PostgreSQL connection instead of at every run.

    For the few key lookups every QR scan makes (the session, the label, the record's counts): the
    label lookup took 2.2 ms planned anew and 0.5 ms prepared. Only those: a prepared statement may
    move to one generic plan, which a search over terms both common and rare must not get, so the
    driver prepares no other statement (_execute_prepared)."""
    return statement.execution_options(**{_PREPARED: True})


@event.listens_for(Engine, "do_execute")
def _execute_prepared(
    cursor: Any, statement: str, parameters: Any, context: ExecutionContext
) -> Literal[True] | None:
    """psycopg prepares what `prepared` marked at once, and nothing else (left to itself it
    prepares any statement run five times on a connection)."""
    if context.dialect.driver != "psycopg":
        return None
    cursor.execute(statement, parameters, prepare=bool(context.execution_options.get(_PREPARED)))
    return True


@event.listens_for(Engine, "begin")
def _began(connection: Connection) -> None:
    connection.info[_WROTE] = False


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(connection: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
    if not statement.lstrip()[:7].upper().startswith(_READS):
        connection.info[_WROTE] = True


def end_read_transaction(session: Session) -> None:
    """End a transaction that only read with COMMIT instead of ROLLBACK, on PostgreSQL: psycopg
    forgets every prepared statement at a rollback (it cannot tell what the rollback undid), and
    every request that only read ended with one. A transaction that wrote anything, or holds
    changes not yet flushed, is left to roll back as before."""
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql" and connection.info.get(_WROTE) is False:
        session.commit()


def configure_sqlite(engine: Engine, synchronous: str = "FULL") -> None:
    """WAL, foreign keys, busy timeout, and BEGIN IMMEDIATE for writing requests.

    A deferred SQLite transaction that reads and then writes can fail with
    SQLITE_BUSY at once (the busy handler is skipped to avoid a deadlock), so
    requests that may write take the write lock when they begin instead.
    The PRAGMAs run once per pooled connection, not per request.
    """
    if engine.dialect.name != "sqlite":
        return
    _check_synchronous(synchronous)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()

    writers = WriterQueue(engine.url.database)

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if not write_intent.get():
            conn.exec_driver_sql("BEGIN")
            return
        if writers.acquire():
            conn.connection.info["holds_writer_queue"] = True
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn, record):
        # The connection is back in the pool: COMMIT or ROLLBACK has run.
        if record.info.pop("holds_writer_queue", False):
            writers.release()

    @event.listens_for(engine, "invalidate")
    def _on_invalidate(_dbapi_conn, record, _exc):
        if record.info.pop("holds_writer_queue", False):
            writers.release()


def _check_synchronous(mode: str) -> None:
    if mode not in SQLITE_SYNCHRONOUS_MODES:
        raise ValueError(f"SQLITE_SYNCHRONOUS must be one of {SQLITE_SYNCHRONOUS_MODES}, not {mode!r}")


class WriterQueue:
    """Writers wait their turn on a lock (threads) and a lock file (gunicorn workers).

    SQLite's own busy handler polls with sleeps of up to 100 ms, which turns a burst of
    phones syncing at once into long tail latencies; a blocking lock hands over at once.
    """

    def __init__(self, database: str | None) -> None:
        self._thread_lock = threading.Lock()
        self._path = f"{database}.writelock" if database and database != ":memory:" else None
        self._fd: int | None = None
        self._pid = 0

    def acquire(self, timeout: float = 10.0) -> bool:
        """Wait for our turn; False after `timeout` (SQLite's busy handler takes over then,
        so a writer that never returned its connection slows others but never hangs them)."""
        if not self._thread_lock.acquire(timeout=timeout):
            return False
        if self._path is None:
            return True
        try:
            if self._pid != os.getpid():  # a forked worker needs its own open file
                self._fd, self._pid = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600), os.getpid()
            fcntl.flock(cast(int, self._fd), fcntl.LOCK_EX)
        except OSError:
            self._thread_lock.release()
            raise
        return True

    def release(self) -> None:
        if self._fd is not None and self._pid == os.getpid():
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._thread_lock.release()
