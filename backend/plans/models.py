"""Random inspection plans (双随机检查计划), their items and inspector recusals."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.core.db import TimestampMixin, UTCDateTime
from backend.extensions import db
from backend.org.models import Enterprise, Zone


class PlanStatus:
    draft = "draft"
    published = "published"


class ItemStatus:
    pending = "pending"
    done = "done"
    not_found = "not_found"  #: 查无下落 / closed down


class InspectionPlan(TimestampMixin, db.Model):
    __tablename__ = "inspection_plans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    size: Mapped[int] = mapped_column(Integer)
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


class PlanItem(db.Model):
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
    enterprise: Mapped[Enterprise] = relationship()

    @property
    def inspectors(self) -> list[int]:
        return [int(i) for i in self.inspector_ids.split(",") if i]


class InspectorRecusal(db.Model):
    """An inspector linked to an enterprise (回避): never drawn to inspect it."""

    __tablename__ = "inspector_recusals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    reason: Mapped[str] = mapped_column(String(200), default="")
