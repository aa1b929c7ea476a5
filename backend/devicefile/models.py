"""The device's technical file (技术档案): periodic-inspection records with the report's photos."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.accounts.models import User
from backend.core.clock import utcnow
from backend.core.db import UTCDateTime
from backend.devicefile.rules import RecordStatus
from backend.extensions import Model


class InspectionRecord(Model):
    """One periodic inspection (定期检验) by an inspection agency, as its report states it."""

    __tablename__ = "inspection_records"
    __table_args__ = (Index("ix_inspection_records_device", "device_id", "inspected_on"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    inspected_on: Mapped[date] = mapped_column(Date)
    agency: Mapped[str] = mapped_column(String(100))
    report_no: Mapped[str] = mapped_column(String(60))
    conclusion: Mapped[str] = mapped_column(String(30))
    next_due: Mapped[date] = mapped_column(Date)
    #: sha256 of the report's photos (uploaded through PUT /api/photos first)
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default=RecordStatus.pending, index=True)
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    entered_by: Mapped[User] = relationship(foreign_keys=[entered_by_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])
