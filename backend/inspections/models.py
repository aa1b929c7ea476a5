"""Checklist templates (versioned), checks, mutual-check cycles and the supervisor pool."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.accounts.models import User
from backend.core.clock import utcnow
from backend.core.db import TimestampMixin, UTCDateTime
from backend.devices.models import Device
from backend.extensions import Model
from backend.org.models import Block, Enterprise


class ChecklistTemplate(Model):
    """One published version of a checklist; never edited (a change is a new version)."""

    __tablename__ = "checklist_templates"
    __table_args__ = (UniqueConstraint("code", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), index=True)
    version: Mapped[int] = mapped_column(Integer)
    #: enterprise / daily_device / weekly_investigation / monthly_dispatch
    purpose: Mapped[str] = mapped_column(String(30))
    device_category: Mapped[str | None] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(120))
    #: [{"code","title","items":[{"code","text"}]}]
    sections: Mapped[list] = mapped_column(JSON)
    #: the version new checks use; exactly one per code
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by: Mapped[User | None] = relationship()

    @property
    def item_codes(self) -> list[str]:
        return [item["code"] for section in self.sections for item in section["items"]]

    @property
    def required_codes(self) -> list[str]:
        """Items that must be answered (an item without the flag is required)."""
        return [i["code"] for s in self.sections for i in s["items"] if i.get("required", True)]

    def item_text(self, code: str) -> str:
        return next((i["text"] for s in self.sections for i in s["items"] if i["code"] == code), code)


class MutualCheckCycle(TimestampMixin, Model):
    """One round of block mutual checks (互查) in a zone."""

    __tablename__ = "mutual_check_cycles"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    starts_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    #: the draw's seed, kept so the assignment can be re-derived and audited
    seed: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assignments: Mapped[list[MutualCheckAssignment]] = relationship(
        back_populates="cycle", order_by="MutualCheckAssignment.id"
    )


class MutualCheckAssignment(TimestampMixin, Model):
    __tablename__ = "mutual_check_assignments"
    __table_args__ = (UniqueConstraint("cycle_id", "enterprise_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("mutual_check_cycles.id"), index=True)
    block_id: Mapped[int] = mapped_column(ForeignKey("blocks.id"))
    #: the enterprise to be inspected
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"))
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: the check that fulfilled it (latest version's first id)
    check_id: Mapped[str | None] = mapped_column(String(36))
    #: the first check was performed after the cycle's due date (accepted, counted as 逾期完成)
    late: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    cycle: Mapped[MutualCheckCycle] = relationship(back_populates="assignments")
    block: Mapped[Block] = relationship()
    enterprise: Mapped[Enterprise] = relationship()
    supervisor: Mapped[User | None] = relationship()


class Check(Model):
    """A submitted checklist: immutable; a correction is a new row that supersedes it."""

    __tablename__ = "checks"
    __table_args__ = (
        Index("ix_checks_enterprise_kind_on", "enterprise_id", "kind", "performed_on"),
        Index("ix_checks_device_kind_on", "device_id", "kind", "performed_on"),
    )
    #: client-generated UUID (the phone makes it before the first local save)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    #: daily / weekly / monthly (self-checks), routine / special (inspections)
    subkind: Mapped[str] = mapped_column(String(20), default="")
    #: onsite / remote / electronic (rules.InspectionMode): remote and electronic only for the
    #: special inspections of A and B enterprises
    mode: Mapped[str] = mapped_column(String(12), default="onsite", server_default="onsite")
    template_id: Mapped[int] = mapped_column(ForeignKey("checklist_templates.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"), index=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("mutual_check_assignments.id"), index=True)
    performed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    performed_on: Mapped[date] = mapped_column(Date)
    result: Mapped[str] = mapped_column(String(10))
    summary: Mapped[str] = mapped_column(Text, default="")
    #: the name the supervisor or inspector signed the result with (签字确认)
    signed_by: Mapped[str] = mapped_column(String(60), default="")
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: 补录: a self-check received after its period's grace window; kept, but the period stays missed
    late: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    version: Mapped[int] = mapped_column(Integer, default=1)
    supersedes_id: Mapped[str | None] = mapped_column(ForeignKey("checks.id"), unique=True)
    payload_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: proof of presence: {"geolocation", "scans": [{token, position, device_id, at}], "photos": {sha256: …}}
    presence: Mapped[dict | None] = mapped_column(JSON)
    #: the drawn signature (a PNG uploaded through the photo API), by sha256
    signature_sha256: Mapped[str | None] = mapped_column(String(64))

    template: Mapped[ChecklistTemplate] = relationship()
    enterprise: Mapped[Enterprise] = relationship()
    device: Mapped[Device | None] = relationship()
    performed_by: Mapped[User] = relationship()
    items: Mapped[list[CheckItem]] = relationship(order_by="CheckItem.id", cascade="all, delete-orphan")


class CheckItem(Model):
    __tablename__ = "check_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    check_id: Mapped[str] = mapped_column(ForeignKey("checks.id"), index=True)
    code: Mapped[str] = mapped_column(String(60))
    result: Mapped[str] = mapped_column(String(4))
    note: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[str] = mapped_column(String(10), default="general")
    #: sha256 of photos (uploaded first through the photo API)
    photos: Mapped[list] = mapped_column(JSON, default=list)
    #: the hazard a failed item became
    hazard_id: Mapped[str | None] = mapped_column(String(36))


class SupervisorExam(TimestampMixin, Model):
    """Training and exam result of a candidate block supervisor (监督员库)."""

    __tablename__ = "supervisor_exams"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    trained_on: Mapped[date | None] = mapped_column(Date)
    exam_on: Mapped[date] = mapped_column(Date)
    score: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool] = mapped_column(Boolean)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
