"""Submitted monthly reports (工作小结): the zone's narrative and the month's figures, frozen."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.accounts.models import User
from backend.core.clock import utcnow
from backend.core.db import UTCDateTime
from backend.extensions import Model
from backend.org.models import Zone


class MonthlyReportSubmission(Model):
    """One zone's report of one month; never edited after submission (the evidence chain covers it)."""

    __tablename__ = "monthly_report_submissions"
    __table_args__ = (UniqueConstraint("zone_id", "month"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"), index=True)
    #: 'YYYY-MM'
    month: Mapped[str] = mapped_column(String(7), index=True)
    summary: Mapped[str] = mapped_column(Text)
    problems: Mapped[str] = mapped_column(Text)
    next_steps: Mapped[str] = mapped_column(Text)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: submitted after the 25th of the following month (seed 001)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the month's figures as they stood at submission (JSON-ready: dates as ISO strings)
    figures: Mapped[dict] = mapped_column(JSON)
    #: sha256 of the canonical JSON of figures and narrative, appended to the evidence chain
    content_hash: Mapped[str] = mapped_column(String(64))
    evidence_seq: Mapped[int] = mapped_column(Integer)
    zone: Mapped[Zone] = relationship()
    submitted_by: Mapped[User] = relationship()


class MonthlyFiguresFreeze(Model):
    """A month's figures frozen by the schedule for a zone that had not submitted its report by
    the due day: past months never move. A late submission carries these figures, not live ones."""

    __tablename__ = "monthly_figure_freezes"
    __table_args__ = (UniqueConstraint("zone_id", "month"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"))
    #: 'YYYY-MM'
    month: Mapped[str] = mapped_column(String(7), index=True)
    figures: Mapped[dict] = mapped_column(JSON)
    frozen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
