"""Run each due job once, however many runners (gunicorn workers, machines, a cron'd
`flask jobs run-due`) look at the same moment: a runner first takes the job's lease
(jobs/leases.py: the database's lease row, or a Redis lock when `REDIS_URL` is set), which
exactly one of them gets. A run is recorded (start, end, outcome, counts, error); a failed
run leaves the job due, so the next tick retries it, and tells the bureau."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from backend.core.clock import today, utcnow
from backend.core.db import table_of, write_intent
from backend.extensions import db
from backend.jobs.definitions import JOBS, Job
from backend.jobs.leases import Leases, current_leases
from backend.jobs.models import JobLease, JobRun
from backend.jobs.reminders import bureau_admins
from backend.notifications.services import Message, notify

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunResult:
    job: str
    outcome: str
    counts: dict
    error: str


def run_due(jobs: Sequence[Job] = JOBS, now: datetime | None = None) -> list[RunResult]:
    """Run every job of `jobs` that is due at `now` and not held by another runner."""
    token = write_intent.set(True)  # SQLite: take the write lock at BEGIN, never fail mid-way
    try:
        _ensure_leases(jobs, now or utcnow())
        # read the clock after the lease rows exist: a racing runner's first-seen row may carry a
        # moment later than ours, which would make the job look not yet due to both of us
        moment = now or utcnow()
        holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        leases = current_leases()
        return [_run_held(job, holder, leases) for job in jobs if leases.claim(job.name, holder, moment)]
    finally:
        write_intent.reset(token)


def _ensure_leases(jobs: Sequence[Job], moment: datetime) -> None:
    """A job seen for the first time is due at once."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    rows = [{"name": job.name, "next_due_at": moment, "holder": ""} for job in jobs]
    db.session.execute(dialect.insert(table_of(JobLease)).values(rows).on_conflict_do_nothing())
    db.session.commit()


def claim(name: str, holder: str, moment: datetime) -> bool:
    """Take the lease of job `name` if it is due and free (or its holder's lease expired)."""
    return current_leases().claim(name, holder, moment)


def _run_held(job: Job, holder: str, leases: Leases) -> RunResult:
    try:
        return _run(job, holder, leases)
    finally:
        leases.release(job.name, holder)


def _run(job: Job, holder: str, leases: Leases) -> RunResult:
    run = JobRun(job=job.name, started_at=utcnow(), outcome="running", counts={}, error="")
    db.session.add(run)
    db.session.commit()
    try:
        counts = dict(job.run(today()))
        db.session.commit()
    except Exception as exc:  # any failure is recorded and retried, never lost in a log
        log.exception("job %s failed", job.name)
        db.session.rollback()
        counts = {"failed": 1, "error": f"{type(exc).__name__}: {exc}"}
    error = str(counts.pop("error", ""))[:4000]
    outcome = "failed" if counts.get("failed") else "ok"
    _finish(job, holder, leases, run.id, outcome, counts, error)
    return RunResult(job.name, outcome, counts, error)


def _finish(
    job: Job, holder: str, leases: Leases, run_id: int, outcome: str, counts: dict, error: str
) -> None:
    finished = utcnow()
    db.session.execute(
        update(table_of(JobRun))
        .where(table_of(JobRun).c.id == run_id)
        .values(finished_at=finished, outcome=outcome, counts=counts, error=error)
    )
    # a failed job stays due: the next tick retries it
    leases.finish(job.name, holder, job.next_due_after(finished) if outcome == "ok" else None)
    if outcome == "failed":
        notify(_failure_messages(job, run_id, error))
    db.session.commit()


def _failure_messages(job: Job, run_id: int, error: str) -> list[Message]:
    return [
        Message(
            user_id,
            "job.failed",
            f"job.failed:{run_id}",
            f"定时任务失败：{job.title}",
            f"{job.name}：{error[:300]}（下一次检查时自动重试）",
            "/me",
            urgent=True,
        )
        for user_id in bureau_admins()
    ]


@dataclass(frozen=True)
class JobStatus:
    name: str
    title: str
    next_due_at: datetime | None
    last_run: JobRun | None


def job_statuses(jobs: Sequence[Job] = JOBS) -> list[JobStatus]:
    """Each job with its next due time and its last run."""
    leases = {lease.name: lease for lease in db.session.scalars(select(JobLease))}
    statuses = []
    for job in jobs:
        last = db.session.scalars(
            select(JobRun).where(JobRun.job == job.name).order_by(JobRun.id.desc()).limit(1)
        ).first()
        lease = leases.get(job.name)
        statuses.append(JobStatus(job.name, job.title, lease.next_due_at if lease else None, last))
    return statuses


def run_now(name: str, jobs: Sequence[Job] = JOBS) -> RunResult | None:
    """An admin's "run now": make job `name` due at once and run it through the same lease as
    the schedule; None when another runner holds it right now (it is running)."""
    job = next(job for job in jobs if job.name == name)
    moment = utcnow()
    _ensure_leases([job], moment)
    db.session.execute(
        update(table_of(JobLease)).where(table_of(JobLease).c.name == name).values(next_due_at=moment)
    )
    db.session.commit()
    results = run_due([job], now=moment)
    return results[0] if results else None


#: how many recent runs the failure count looks at
RECENT_RUNS = 20


def job_overview(jobs: Sequence[Job] = JOBS) -> list[dict]:
    """Each job for the admin screen: its schedule, next due time, whether it is running now,
    its last run and how many of its recent runs failed."""
    now = utcnow()
    leases = {lease.name: lease for lease in db.session.scalars(select(JobLease))}
    rows = []
    for status, job in zip(job_statuses(jobs), jobs, strict=True):
        lease = leases.get(job.name)
        recent = db.session.scalars(
            select(JobRun.outcome).where(JobRun.job == job.name).order_by(JobRun.id.desc()).limit(RECENT_RUNS)
        ).all()
        rows.append(
            {
                "name": job.name,
                "title": job.title,
                "schedule": job.schedule,
                "next_due_at": status.next_due_at,
                "running": bool(lease and lease.lease_until and lease.lease_until > now),
                "last_run": status.last_run,
                "recent_failures": recent.count("failed"),
            }
        )
    return rows
