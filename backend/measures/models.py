"""Orders on devices, on-site stationing and the serious-violation list."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from backend.accounts.models import User
from backend.core.clock import utcnow
from backend.core.db import TimestampMixin, UTCDateTime
from backend.devices.models import Device
from backend.extensions import Model
from backend.notices.models import Notice
from backend.org.models import Enterprise


class DeviceOrder(Model):
    """查封 or 责令停止使用 of one device, the notice that ordered it, and its lifting."""

    __tablename__ = "device_orders"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    #: the status before the order, what lifting restores unless the regulator says otherwise
    status_before: Mapped[str] = mapped_column(String(20))
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"))
    ordered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    ordered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reason: Mapped[str] = mapped_column(String(200), default="")
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lift_reason: Mapped[str] = mapped_column(String(200), default="")
    device: Mapped[Device] = relationship()
    notice: Mapped[Notice] = relationship()


class Stationing(TimestampMixin, Model):
    """驻点监督: inspectors stationed at a C or D enterprise for a period, and what they found."""

    __tablename__ = "stationings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"), index=True)
    #: the grade when it started (C or D)
    grade: Mapped[str] = mapped_column(String(1))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    #: user ids of the stationed inspectors
    inspector_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    purpose: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: closed by a regulator with a summary (驻点总结); no finding is added afterwards
    closed_on: Mapped[date | None] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text, default="")
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    enterprise: Mapped[Enterprise] = relationship()
    findings: Mapped[list[StationingFinding]] = relationship(order_by="StationingFinding.id")

    @property
    def inspectors(self) -> list[User]:
        """The stationed inspectors in the order they were named (a deleted account drops out)."""
        session = object_session(self)
        if session is None or not self.inspector_ids:
            return []
        users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(self.inspector_ids)))}
        return [users[i] for i in self.inspector_ids if i in users]


class StationingFinding(Model):
    __tablename__ = "stationing_findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stationing_id: Mapped[int] = mapped_column(ForeignKey("stationings.id"), index=True)
    found_on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by: Mapped[User] = relationship()


class SeriousViolation(TimestampMixin, Model):
    """An entry of the serious-violation list (严重违法失信名单, seed 002 第十一条第四项)."""

    __tablename__ = "serious_violations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    #: legal ground (列入依据), e.g. 《市场监督管理严重违法失信名单管理办法》第七条
    ground: Mapped[str] = mapped_column(String(300))
    #: the listing decision's number (决定书文号), public
    decision_no: Mapped[str] = mapped_column(String(60), default="")
    listed_on: Mapped[date] = mapped_column(Date)
    listed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    removed_on: Mapped[date | None] = mapped_column(Date)
    removal_reason: Mapped[str] = mapped_column(String(300), default="")
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    enterprise: Mapped[Enterprise] = relationship()
