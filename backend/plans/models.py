"""Random inspection plans (双随机检查计划), their items and inspector recusals."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.accounts.models import User
from backend.core.db import TimestampMixin, UTCDateTime
from backend.extensions import Model
from backend.org.models import Enterprise, Zone


class PlanStatus:
    draft = "draft"
    published = "published"


class ItemStatus:
    pending = "pending"
    done = "done"
    not_found = "not_found"  #: 查无下落 / closed down


class InspectionPlan(TimestampMixin, Model):
    __tablename__ = "inspection_plans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    #: the size asked for (计划规模)
    size: Mapped[int] = mapped_column(Integer)
    #: 计划总数: the quotas are shares of it; above `size` when mandatory objects and floors need more
    quota_total: Mapped[int] = mapped_column(Integer)
    #: why the plan differs from the asked size or misses a quota, in plain words, one note a line
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: the recorded seed: the same seed over the same candidates draws the same plan
    seed: Mapped[int] = mapped_column(Integer)
    per_item: Mapped[int] = mapped_column(Integer, default=2)
    #: sha256 of the candidate list (id, grade, key reasons) the draw ran over
    candidates_digest: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default=PlanStatus.draft)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    zone: Mapped[Zone] = relationship()
    items: Mapped[list[PlanItem]] = relationship(order_by="PlanItem.id", cascade="all, delete-orphan")

    @property
    def note_lines(self) -> list[str]:
        return [line for line in self.notes.split("\n") if line]


class PlanItem(Model):
    __tablename__ = "inspection_plan_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("inspection_plans.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    #: the grade when drawn
    grade: Mapped[str] = mapped_column(String(1))
    #: comma-separated key-object reasons (public_place, accident, complaints)
    key_reasons: Mapped[str] = mapped_column(String(100), default="")
    #: comma-separated user ids of the drawn inspectors
    inspector_ids: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default=ItemStatus.pending)
    result: Mapped[str] = mapped_column(Text, default="")
    done_on: Mapped[date | None] = mapped_column(Date)
    #: problems found by the inspection (0 when none or not found)
    findings: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: the regulator's reason when the enterprise is a named key object (第十二条第四项)
    named_reason: Mapped[str] = mapped_column(String(200), default="", server_default="")
    enterprise: Mapped[Enterprise] = relationship()

    @property
    def inspectors(self) -> list[int]:
        return [int(i) for i in self.inspector_ids.split(",") if i]


class RecusalKind:
    relative = "relative"  #: 近亲属在该企业任职
    former_employer = "former_employer"  #: 曾在该企业任职
    interest = "interest"  #: 持股或其他利益关系
    other = "other"


RECUSAL_KINDS = (RecusalKind.relative, RecusalKind.former_employer, RecusalKind.interest, RecusalKind.other)


class InspectorRecusal(Model):
    """An inspector linked to an enterprise (回避): never drawn to inspect it while not withdrawn."""

    __tablename__ = "inspector_recusals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    reason: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(20), default=RecusalKind.other, server_default=RecusalKind.other)
    declared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    declared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdraw_reason: Mapped[str] = mapped_column(String(200), default="", server_default="")
    inspector: Mapped[User] = relationship(foreign_keys=[inspector_id])
    enterprise: Mapped[Enterprise] = relationship()

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


class KeyObject(TimestampMixin, Model):
    """An enterprise the regulator names a key object (重点监管对象, 第十二条第四项).

    Every draw whose period overlaps [starts_on, ends_on] includes it.
    """

    __tablename__ = "plan_key_objects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    #: the enterprise's zone when named, so zone scoping is one comparison
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"), index=True)
    reason: Mapped[str] = mapped_column(String(200))
    named_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    #: last day in force; None = until ended
    ends_on: Mapped[date | None] = mapped_column(Date)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    enterprise: Mapped[Enterprise] = relationship()
    named_by: Mapped[User] = relationship(foreign_keys=[named_by_id])

    def in_force(self, start: date, end: date | None = None) -> bool:
        """In force on some day of [start, end]."""
        return self.starts_on <= (end or start) and (self.ends_on is None or self.ends_on >= start)
