"""Escalation notices (三书一函) and the hazards each one lists."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.accounts.models import User
from backend.core.db import TimestampMixin, UTCDateTime
from backend.devices.rules import CATEGORY_LABELS
from backend.extensions import Model
from backend.hazards.models import Hazard
from backend.notices.rules import KIND_TITLES, NoticeKind, NoticeState
from backend.org.models import Enterprise, Zone


class Notice(TimestampMixin, Model):
    """One issued document; never edited after issue (the evidence chain covers it)."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_kind_issued_on", "kind", "issued_on"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: document number (文号), e.g. 特监〔2026〕整改第0001号; unique so that two
    #: concurrent issuers on PostgreSQL cannot both take the same one
    number: Mapped[str] = mapped_column(String(40), unique=True)
    #: position in the per-year, per-kind sequence the number shows
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(30))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    #: the enterprise's zone when issued: the sub-bureau (分局) that signs it
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"), index=True)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    issued_on: Mapped[date] = mapped_column(Date)
    #: date by which the enterprise must rectify / report / attend
    deadline: Mapped[date] = mapped_column(Date)
    remarks: Mapped[str] = mapped_column(Text, default="")
    #: the stored step of its loop (rules.NoticeState); `overdue` is computed from the deadline
    state: Mapped[str] = mapped_column(String(20), default=NoticeState.issued, server_default="issued")
    #: the safety manager signs for it (签收): their drawn signature, an uploaded PNG by sha256
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signature_sha256: Mapped[str | None] = mapped_column(String(64))
    #: the enterprise's written reply (回复) with photos of what it did
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reply_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    reply_photos: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    #: the issuing zone closes it (结案)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    enterprise: Mapped[Enterprise] = relationship()
    zone: Mapped[Zone] = relationship()
    issued_by: Mapped[User] = relationship(foreign_keys=[issued_by_id])
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])
    replied_by: Mapped[User | None] = relationship(foreign_keys=[replied_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    items: Mapped[list[NoticeHazard]] = relationship(
        order_by="NoticeHazard.position", cascade="all, delete-orphan"
    )

    @property
    def title(self) -> str:
        return KIND_TITLES[NoticeKind(self.kind)]


class NoticeHazard(Model):
    """A hazard listed on a notice, in the order the document shows it."""

    __tablename__ = "notice_hazards"
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), primary_key=True)
    hazard_id: Mapped[str] = mapped_column(ForeignKey("hazards.id"), primary_key=True, index=True)
    #: 1-based row number (序号) on the document
    position: Mapped[int] = mapped_column(Integer)
    #: the hazard's own rectification deadline when the notice was issued (原整改期限)
    hazard_deadline: Mapped[date] = mapped_column(Date)
    hazard: Mapped[Hazard] = relationship()

    @property
    def place(self) -> str:
        """设备/位置 column: device category and registration number, then location."""
        hazard = self.hazard
        parts = []
        if hazard.device is not None:
            device = hazard.device
            parts.append(f"{CATEGORY_LABELS.get(device.category, device.category)} {device.registration_no}")
        if hazard.location:
            parts.append(hazard.location)
        return "，".join(parts) or hazard.category
