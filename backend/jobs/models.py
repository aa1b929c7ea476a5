"""The lease that lets one runner at a time take a due job, and the record of each run."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.core.clock import utcnow
from backend.core.db import UTCDateTime
from backend.extensions import Model


class JobLease(Model):
    """One row per job: when it is next due and who holds it now. A runner takes a due job
    with one UPDATE … WHERE next_due_at <= now AND the lease is free or expired; the
    database lets exactly one of several racing runners (workers, machines) change the row."""

    __tablename__ = "job_leases"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    next_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    holder: Mapped[str] = mapped_column(String(80), default="")


class JobRun(Model):
    """One run of a job: outcome `running`, then `ok` or `failed` (with the error)."""

    __tablename__ = "job_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job: Mapped[str] = mapped_column(String(40), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(String(10), default="running")
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    error: Mapped[str] = mapped_column(Text, default="")
