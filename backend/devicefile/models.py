"""The device's technical file (技术档案): periodic-inspection records, safety accessories,
attachments and installation / alteration / repair / patrol records."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
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


class SafetyAccessory(Model):
    """A safety accessory (安全附件) fitted to a device: 安全阀, 压力表, 爆破片, 限速器 …"""

    __tablename__ = "safety_accessories"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    #: model / specification (型号规格)
    model: Mapped[str] = mapped_column(String(60), default="")
    #: factory or serial number (出厂编号)
    serial_no: Mapped[str] = mapped_column(String(60), default="")
    #: next due from its latest confirmed record (None: none confirmed yet)
    next_due: Mapped[date | None] = mapped_column(Date)
    last_checked_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AccessoryRecord(Model):
    """One calibration or inspection (校验/检定) of a safety accessory, asserted like an
    inspection record: the enterprise's waits for a regulator, a regulator's holds."""

    __tablename__ = "accessory_records"
    __table_args__ = (Index("ix_accessory_records_accessory", "accessory_id", "checked_on"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    accessory_id: Mapped[int] = mapped_column(ForeignKey("safety_accessories.id"))
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    checked_on: Mapped[date] = mapped_column(Date)
    agency: Mapped[str] = mapped_column(String(100))
    report_no: Mapped[str] = mapped_column(String(60))
    next_due: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=RecordStatus.pending, index=True)
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    accessory: Mapped[SafetyAccessory] = relationship()
    entered_by: Mapped[User] = relationship(foreign_keys=[entered_by_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])


class DeviceAttachment(Model):
    """A document of the device file (合格证, 铭牌, 检验报告 …): a PDF or image stored by its
    sha256, as uploaded (no re-encoding: the file is the document)."""

    __tablename__ = "device_attachments"
    __table_args__ = (UniqueConstraint("device_id", "sha256"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(100), default="")
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    uploaded_by: Mapped[User] = relationship()


class DeviceWorkRecord(Model):
    """Installation, alteration, repair (安装、改造、修理) or patrol (巡查) of a device."""

    __tablename__ = "device_work_records"
    __table_args__ = (Index("ix_device_work_records_device", "device_id", "done_on"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    done_on: Mapped[date] = mapped_column(Date)
    #: the unit that did the work (施工单位 / 巡查人所在单位)
    unit: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    entered_by: Mapped[User] = relationship()
