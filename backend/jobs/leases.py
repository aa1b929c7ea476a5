"""Who may run a due job now: one runner across every worker and app server. Two strategies
behind one interface. Without Redis, the job's lease row in the database (one conditional
UPDATE grants it to exactly one runner). With `REDIS_URL`, a Redis lock per job (SET NX PX
with the runner's token); the due time stays in the database's lease row, written before
the lock is released, so the next holder of the lock sees the job is no longer due."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from flask import current_app
from redis import Redis
from sqlalchemy import or_, select, update

from backend.core.db import rows_affected, table_of
from backend.core.shared_state import RedisLock, redis_client
from backend.extensions import db
from backend.jobs.models import JobLease

#: a runner that dies mid-job frees the job after this long
LEASE = timedelta(minutes=30)

LEASES = table_of(JobLease)


class Leases(Protocol):
    def claim(self, name: str, holder: str, moment: datetime) -> bool:
        """Take job `name` if it is due at `moment` and no live runner holds it (commits)."""

    def finish(self, name: str, holder: str, next_due_at: datetime | None) -> None:
        """Stage the end of `holder`'s run in the session (None: still due, retry next tick)."""

    def release(self, name: str, holder: str) -> None:
        """After the finish is committed (or the run broke off): free the job for others."""


class DatabaseLeases:
    """The lease in the job's row: claimed and freed with the run's own transactions."""

    def claim(self, name: str, holder: str, moment: datetime) -> bool:
        taken = rows_affected(
            db.session.execute(
                update(LEASES)
                .where(
                    LEASES.c.name == name,
                    LEASES.c.next_due_at <= moment,
                    or_(LEASES.c.lease_until.is_(None), LEASES.c.lease_until < moment),
                )
                .values(lease_until=moment + LEASE, holder=holder)
            )
        )
        db.session.commit()
        return taken == 1

    def finish(self, name: str, holder: str, next_due_at: datetime | None) -> None:
        values: dict = {"lease_until": None, "holder": ""}
        if next_due_at is not None:
            values["next_due_at"] = next_due_at
        db.session.execute(
            update(LEASES).where(LEASES.c.name == name, LEASES.c.holder == holder).values(**values)
        )

    def release(self, name: str, holder: str) -> None:
        """Nothing left: `finish` freed the row in the run's last transaction."""


class RedisLeases:
    """A Redis lock per job across app servers; the lock expires by Redis's clock after LEASE."""

    def __init__(self, client: Redis) -> None:
        self._client = client

    def _lock(self, name: str) -> RedisLock:
        return RedisLock(self._client, f"sesv:job-lease:{name}", LEASE)

    def claim(self, name: str, holder: str, moment: datetime) -> bool:
        lock = self._lock(name)
        if not lock.acquire(holder):
            return False
        due_at = db.session.scalar(select(LEASES.c.next_due_at).where(LEASES.c.name == name))
        db.session.commit()
        if due_at is not None and due_at <= moment:
            return True
        lock.release(holder)  # another runner already ran it
        return False

    def finish(self, name: str, holder: str, next_due_at: datetime | None) -> None:
        if next_due_at is not None:
            db.session.execute(update(LEASES).where(LEASES.c.name == name).values(next_due_at=next_due_at))

    def release(self, name: str, holder: str) -> None:
        self._lock(name).release(holder)


def current_leases() -> Leases:
    """Redis when the app has `REDIS_URL`, else the database."""
    client = redis_client(current_app)
    return RedisLeases(client) if client is not None else DatabaseLeases()
