"""The device ledger (特种设备台账)."""

from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.core.clock import utcnow
from backend.core.db import TimestampMixin, UTCDateTime
from backend.core.search import LONGEST_TERM, searchable
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
        #: the overdue count's second arm: a safety accessory past its date (安全附件超期)
        Index("ix_devices_status_accessory_due", "status", "accessory_next_due"),
        #: the dashboard's devices by category and status: an index-only scan, not the whole table
        Index("ix_devices_category_status", "category", "status"),
        #: an inspector's list of one category and its count: one range, not two bitmaps of 250k and 140k
        Index("ix_devices_zone_category", "zone_id", "category"),
        #: an inspector's search by registration number: the prefix's range within the zone, in order
        Index("ix_devices_zone_registration_no", "zone_id", "registration_no"),
        #: the monthly report's key devices (重点监控): their count, overdue ones and using units are
        #: an index-only scan of the 12 % that are key, not the province's 2.3M rows
        Index(
            "ix_devices_key_enterprise_status",
            "key_monitored",
            "enterprise_id",
            "status",
            "next_inspection_due",
            "accessory_next_due",
        ),
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
    #: the earliest next due date of its safety accessories (安全附件), from their confirmed
    #: records (devicefile keeps it); None while no accessory has one
    accessory_next_due: Mapped[date | None] = mapped_column(Date)
    #: installation date (安装日期), for the device's age (old elevators, seed 004)
    installed_on: Mapped[date | None] = mapped_column(Date)
    key_monitored: Mapped[bool] = mapped_column(Boolean, default=False)
    maintenance_company_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    emergency_phone: Mapped[str] = mapped_column(String(30), default="")
    qr_token: Mapped[str] = mapped_column(String(40), unique=True, default=new_qr_token)
    qr_issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: the registered place (WGS-84), set by regulators: field records are compared with it
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    enterprise: Mapped[Enterprise] = relationship(foreign_keys=[enterprise_id])
    maintenance_company: Mapped[Enterprise | None] = relationship(foreign_keys=[maintenance_company_id])
    position_labels: Mapped[list[DeviceLabel]] = relationship(
        order_by="DeviceLabel.id", cascade="all, delete-orphan", back_populates="device"
    )


class DeviceLabel(Model):
    """A further label at one position of the device (机房 / 轿顶 / 轿厢 …): its own token, the same device.

    The device's own `qr_token` stays its default label.
    """

    __tablename__ = "device_labels"
    __table_args__ = (UniqueConstraint("device_id", "position"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    position: Mapped[str] = mapped_column(String(20))
    token: Mapped[str] = mapped_column(String(40), unique=True, default=new_qr_token)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    device: Mapped[Device] = relationship(back_populates="position_labels")


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


class DeviceSearchTerm(Model):
    """One index term (core.search) of a device's name or location."""

    __tablename__ = "device_search_terms"
    term: Mapped[str] = mapped_column(String(LONGEST_TERM), primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True)


searchable(Device, DeviceSearchTerm, "device_id", ("name", "location"))
