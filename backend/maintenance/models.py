"""Elevator maintenance (维保): contracts, work orders and the records made on site."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.accounts.models import User
from backend.core.clock import utcnow
from backend.core.db import TimestampMixin, UTCDateTime
from backend.devices.models import Device
from backend.extensions import Model
from backend.maintenance.rules import OrderStatus, RecordStatus
from backend.org.models import Enterprise


class MaintenanceContract(TimestampMixin, Model):
    """A maintenance company (an enterprise with the maintainer role) maintains a device for a period."""

    __tablename__ = "maintenance_contracts"
    __table_args__ = (Index("ix_maintenance_contracts_device_term", "device_id", "starts_on", "ends_on"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    company_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    device: Mapped[Device] = relationship()
    company: Mapped[Enterprise] = relationship()


class MaintenanceOrder(TimestampMixin, Model):
    """A work order: one maintenance of one device by its contracted company, due on a day."""

    __tablename__ = "maintenance_orders"
    __table_args__ = (
        Index("ix_maintenance_orders_company_status", "company_id", "status", "due_on"),
        Index("ix_maintenance_orders_device_status", "device_id", "status"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    company_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    #: the using unit (使用单位) and its zone, copied from the device for scoped lists
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("maintenance_contracts.id"))
    kind: Mapped[str] = mapped_column(String(20))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=OrderStatus.open)
    #: the checklist as opened: [{"code","text","photo"}] (a rules change never rewrites an open order)
    items: Mapped[list] = mapped_column(JSON)
    #: urgent orders (急修): who reported what, when; trapped passengers (困人) start the rescue clock
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    trapped: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    rescue_limit_minutes: Mapped[int | None] = mapped_column(Integer)
    device: Mapped[Device] = relationship()
    company: Mapped[Enterprise] = relationship(foreign_keys=[company_id])
    enterprise: Mapped[Enterprise] = relationship(foreign_keys=[enterprise_id])
    record: Mapped[MaintenanceRecord | None] = relationship(back_populates="order", uselist=False)


class MaintenanceRecord(Model):
    """What the worker did on site; never edited (the evidence chain covers it). Only the using
    unit's answer (confirm or dispute) is added afterwards, and chained too."""

    __tablename__ = "maintenance_records"
    __table_args__ = (Index("ix_maintenance_records_device_status", "device_id", "status"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: one record per order: a re-sent op can never add a second
    order_id: Mapped[int] = mapped_column(ForeignKey("maintenance_orders.id"), unique=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    company_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    worker_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: the operator certificate (电梯作业人员证) the record was accepted on: who was certified, as the
    #: server found it that day, whatever later happens to the account or the person
    certificate_id: Mapped[int | None] = mapped_column(Integer)
    certificate_number: Mapped[str | None] = mapped_column(String(60))
    certificate_holder: Mapped[str | None] = mapped_column(String(60))
    #: [{"code","result","note","photos"}]
    items: Mapped[list] = mapped_column(JSON)
    #: [{"token","at"}] as scanned; tokens are kept as hints only (the first 4 characters)
    scans: Mapped[list] = mapped_column(JSON)
    photos: Mapped[list] = mapped_column(JSON)
    signature_sha256: Mapped[str] = mapped_column(String(64))
    first_scan_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_scan_at: Mapped[datetime] = mapped_column(UTCDateTime())
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    short_visit: Mapped[bool] = mapped_column(Boolean, default=False)
    evidence_strength: Mapped[float] = mapped_column(default=0.0)
    #: digest of the submitted body: the same body again is the same record
    payload_hash: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(30), default=RecordStatus.awaiting_confirmation)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dispute_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    order: Mapped[MaintenanceOrder] = relationship(back_populates="record")
    device: Mapped[Device] = relationship()
    worker: Mapped[User] = relationship(foreign_keys=[worker_id])
    company: Mapped[Enterprise] = relationship(foreign_keys=[company_id])

    @property
    def on_site_minutes(self) -> int:
        return max(0, int((self.last_scan_at - self.first_scan_at).total_seconds() // 60))
