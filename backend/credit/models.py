"""Accidents (事故), enforcement cases (立案处罚), recognitions and credit grades (信用风险等级)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.core.clock import utcnow
from backend.core.db import TimestampMixin, UTCDateTime
from backend.extensions import Model
from backend.org.models import Enterprise


class Accident(TimestampMixin, Model):
    """A special-equipment accident (特种设备安全事故) recorded by a regulator."""

    __tablename__ = "accidents"
    __table_args__ = (Index("ix_accidents_enterprise_occurred", "enterprise_id", "occurred_on"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"), index=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    occurred_on: Mapped[date] = mapped_column(Date, index=True)
    deaths: Mapped[int] = mapped_column(Integer, default=0)
    injuries: Mapped[int] = mapped_column(Integer, default=0)
    #: the enterprise bears responsibility (key object for two years, 第十二条)
    responsible: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    enterprise: Mapped[Enterprise] = relationship()


class EnforcementCase(TimestampMixin, Model):
    """An enforcement case (立案处罚) against an enterprise."""

    __tablename__ = "enforcement_cases"
    __table_args__ = (Index("ix_enforcement_cases_enterprise_opened", "enterprise_id", "opened_on"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"), index=True)
    case_no: Mapped[str] = mapped_column(String(60), unique=True)
    opened_on: Mapped[date] = mapped_column(Date, index=True)
    violation: Mapped[str] = mapped_column(Text)
    #: 责令改正
    ordered_to_correct: Mapped[bool] = mapped_column(Boolean, default=True)
    #: 罚款 (yuan); a fine with an order to correct makes the grade D
    fine_yuan: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    closed_on: Mapped[date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    enterprise: Mapped[Enterprise] = relationship()


class CreditRecognition(TimestampMixin, Model):
    """A lowering reason granted by the bureau: dual-prevention benchmark or intrinsic safety."""

    __tablename__ = "credit_recognitions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    #: benchmark (双重预防机制标杆) or intrinsic_safety (本质安全提升)
    kind: Mapped[str] = mapped_column(String(20))
    granted_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class CreditConfig(Model):
    """The bureau's grading weights and bands (one row; absent → rules.DEFAULT_CONFIG)."""

    __tablename__ = "credit_config"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: canonical JSON of the config (see credit/rules.py DEFAULT_CONFIG)
    data: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class _GradeColumns:
    """The facts an enterprise was graded on, the group scores, the grade and its reasons."""

    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), primary_key=True)
    zone_id: Mapped[int] = mapped_column(Integer)
    #: the day this row was last written. A full cycle rewrites only the rows whose content
    #: changed and confirms the others: a grade holds as of the later of this day and the
    #: latest cycle's (services.graded_as_of)
    as_of: Mapped[date] = mapped_column(Date)
    # facts (credit/indicators.py), each a set-based SQL piece
    no_safety_manager: Mapped[int] = mapped_column(Integer, default=0)
    operators_expired_share: Mapped[int] = mapped_column(Integer, default=0)
    hazards_open: Mapped[int] = mapped_column(Integer, default=0)
    hazards_overdue: Mapped[int] = mapped_column(Integer, default=0)
    major_hazards_open: Mapped[int] = mapped_column(Integer, default=0)
    mutual_check_findings: Mapped[int] = mapped_column(Integer, default=0)
    devices_overdue_share: Mapped[int] = mapped_column(Integer, default=0)
    inspection_findings: Mapped[int] = mapped_column(Integer, default=0)
    complaints_substantiated: Mapped[int] = mapped_column(Integer, default=0)
    enforcement_cases: Mapped[int] = mapped_column(Integer, default=0)
    fined_cases: Mapped[int] = mapped_column(Integer, default=0)
    accidents_3y: Mapped[int] = mapped_column(Integer, default=0)
    last_accident_on: Mapped[date | None] = mapped_column(Date)
    benchmark: Mapped[bool] = mapped_column(Boolean, default=False)
    intrinsic_safety: Mapped[bool] = mapped_column(Boolean, default=False)
    # result
    safety_management: Mapped[float] = mapped_column(Float, default=0)
    operator_competence: Mapped[float] = mapped_column(Float, default=0)
    risk_control: Mapped[float] = mapped_column(Float, default=0)
    device_condition: Mapped[float] = mapped_column(Float, default=0)
    inspection_results: Mapped[float] = mapped_column(Float, default=0)
    enforcement: Mapped[float] = mapped_column(Float, default=0)
    score: Mapped[float] = mapped_column(Float, default=0)
    band_grade: Mapped[str] = mapped_column(String(1))
    grade: Mapped[str] = mapped_column(String(1))
    #: the reasons that applied, a bit each (rules.REASON_BIT; rules.reasons_of reads them)
    reason_bits: Mapped[int] = mapped_column(Integer, default=0)
    previous_grade: Mapped[str | None] = mapped_column(String(1))
    #: the last day graded C or worse (the one-year bar)
    last_c_on: Mapped[date | None] = mapped_column(Date)


class CreditGrade(_GradeColumns, Model):
    """The current grade of each enterprise.

    PostgreSQL: fillfactor 50 (migration 5c3f1e0a9b21) so the daily recompute's upsert
    updates each row in place (HOT) instead of adding index entries.
    """

    __tablename__ = "credit_grades"
    __table_args__ = (Index("ix_credit_grades_zone_grade", "zone_id", "grade"),)


class CreditGradeChange(Model):
    """A grade change and why (信用修复 history); written set-based by each recompute."""

    __tablename__ = "credit_grade_changes"
    __table_args__ = (Index("ix_credit_grade_changes_enterprise_on", "enterprise_id", "changed_on"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    from_grade: Mapped[str | None] = mapped_column(String(1))
    to_grade: Mapped[str] = mapped_column(String(1))
    score: Mapped[float] = mapped_column(Float)
    #: as in credit_grades: a bit per rules.Reason
    reason_bits: Mapped[int] = mapped_column(Integer, default=0)
    changed_on: Mapped[date] = mapped_column(Date)
    #: cycle (full recompute) or the event that triggered it (hazard.verify, accident…)
    cause: Mapped[str] = mapped_column(String(40))


class CreditCycle(Model):
    """One full recompute (评级周期): the day graded as of, how many were graded, rewritten, changed."""

    __tablename__ = "credit_cycles"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    graded: Mapped[int] = mapped_column(Integer)
    #: rows whose content changed (facts, score, grade, reasons, previous grade, last C day)
    written: Mapped[int] = mapped_column(Integer)
    #: grades that changed (logged in credit_grade_changes)
    changed: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
