"""The device ledger (特种设备台账)."""

from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.core.clock import utcnow
from backend.core.db import TimestampMixin, UTCDateTime
from backend.devices.rules import DeviceStatus
from backend.extensions import Model
from backend.org.models import Enterprise


def new_qr_token() -> str:
    """128 random bits, URL-safe: labels must not be guessable or enumerable."""
    return secrets.token_urlsafe(16)


class Device(TimestampMixin, Model):
    __tablename__ = "devices"
    __table_args__ = (
        Index("ix_devices_enterprise_category", "enterprise_id", "category"),
        Index("ix_devices_zone_id", "zone_id", "id"),
        Index("ix_devices_zone_due", "zone_id", "next_inspection_due"),
        Index("ix_devices_status_due", "status", "next_inspection_due"),
        #: covers the credit-grading device pass (GROUP BY enterprise, overdue in use)
        Index("ix_devices_enterprise_status_due", "enterprise_id", "status", "next_inspection_due"),
        #: the dashboard's devices by category and status: an index-only scan, not the whole table
        Index("ix_devices_category_status", "category", "status"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    #: the enterprise's zone, kept here so an inspector's zone filter is one index range
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"))
    category: Mapped[str] = mapped_column(String(30), index=True)
    #: use-registration number (使用登记证编号)
    registration_no: Mapped[str] = mapped_column(String(40), unique=True)
    #: manufacturer's product / device code (设备代码)
    device_code: Mapped[str] = mapped_column(String(40), default="", index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default=DeviceStatus.in_use)
    idle_since: Mapped[date | None] = mapped_column(Date)
    next_inspection_due: Mapped[date | None] = mapped_column(Date)
    last_inspection_on: Mapped[date | None] = mapped_column(Date)
    key_monitored: Mapped[bool] = mapped_column(Boolean, default=False)
    maintenance_company_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    emergency_phone: Mapped[str] = mapped_column(String(30), default="")
    qr_token: Mapped[str] = mapped_column(String(40), unique=True, default=new_qr_token)
    qr_issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    enterprise: Mapped[Enterprise] = relationship(foreign_keys=[enterprise_id])
    maintenance_company: Mapped[Enterprise | None] = relationship(foreign_keys=[maintenance_company_id])


class QrTokenEvent(Model):
    """A label re-issue: who revoked the old token, when and why."""

    __tablename__ = "qr_token_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    #: first characters only: enough to recognise a label, useless to forge one
    old_token_hint: Mapped[str] = mapped_column(String(8))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
