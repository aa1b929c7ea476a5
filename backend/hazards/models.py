"""Hazards (隐患), their photos and their append-only event log."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.accounts.models import User
from backend.core.clock import utcnow
from backend.core.db import TimestampMixin, UTCDateTime
from backend.core.search import LONGEST_TERM, searchable
from backend.devices.models import Device
from backend.extensions import Model
from backend.hazards.rules import HazardStatus
from backend.org.models import Enterprise


class Hazard(TimestampMixin, Model):
    __tablename__ = "hazards"
    __table_args__ = (
        Index("ix_hazards_enterprise_status", "enterprise_id", "status"),
        Index("ix_hazards_status_deadline", "status", "deadline"),
        #: the list's order (newest first): a search walks it and stops at the count cap
        Index("ix_hazards_created_at_id", "created_at", "id"),
        #: an inspector's list (one zone), newest first
        Index("ix_hazards_zone_created_at_id", "zone_id", "created_at", "id"),
        #: the same for hazards on a device: a search through the device walks only those
        Index(
            "ix_hazards_on_device_created_at_id",
            "created_at",
            "id",
            postgresql_where=text("device_id IS NOT NULL"),
            sqlite_where=text("device_id IS NOT NULL"),
        ),
    )
    #: client-generated UUID: made on the phone before the first local save
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"), index=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), index=True)
    source: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(60))
    severity: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(Text)
    location: Mapped[str] = mapped_column(String(200), default="")
    responsible_person: Mapped[str] = mapped_column(String(60), default="")
    status: Mapped[str] = mapped_column(String(30), default=HazardStatus.reported)
    deadline: Mapped[date] = mapped_column(Date)
    #: the deadline as reported, once a notice has bound `deadline` to its own (the evidence covers this one)
    reported_deadline: Mapped[date | None] = mapped_column(Date)
    reported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reporter_role: Mapped[str] = mapped_column(String(30))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: counts in the credit grade; a peer's finding waits for a regulator (rules.needs_confirmation)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: sha256 of the canonical create payload: same id + other content is a conflict
    payload_hash: Mapped[str] = mapped_column(String(64))
    #: proof of presence: {"location", "scans": [{token, position, device_id, at}], "photos": {sha256: …}}
    presence: Mapped[dict | None] = mapped_column(JSON)

    enterprise: Mapped[Enterprise] = relationship()
    device: Mapped[Device | None] = relationship()
    reported_by: Mapped[User] = relationship(foreign_keys=[reported_by_id])
    photos: Mapped[list[HazardPhoto]] = relationship(order_by="HazardPhoto.id", cascade="all, delete-orphan")
    events: Mapped[list[HazardEvent]] = relationship(order_by="HazardEvent.at", cascade="all, delete-orphan")


class HazardPhoto(Model):
    __tablename__ = "hazard_photos"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hazard_id: Mapped[str] = mapped_column(ForeignKey("hazards.id"), index=True)
    #: refers to photos.sha256; the photo may arrive before or after the record
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    #: before (the hazard) or after (proof of rectification)
    stage: Mapped[str] = mapped_column(String(10))
    event_id: Mapped[str | None] = mapped_column(String(36))


class HazardEvent(Model):
    """One step of the closed loop; never updated, never deleted."""

    __tablename__ = "hazard_events"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    hazard_id: Mapped[str] = mapped_column(ForeignKey("hazards.id"), index=True)
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    payload_hash: Mapped[str] = mapped_column(String(64), default="")
    #: proof of presence of the step's photos (rectification): {"geolocation", "scans", "photos": {sha256: …}}
    presence: Mapped[dict | None] = mapped_column(JSON)
    actor: Mapped[User] = relationship()


class HazardSearchTerm(Model):
    """One index term (core.search) of a hazard's description, category or location."""

    __tablename__ = "hazard_search_terms"
    term: Mapped[str] = mapped_column(String(LONGEST_TERM), primary_key=True)
    hazard_id: Mapped[str] = mapped_column(ForeignKey("hazards.id", ondelete="CASCADE"), primary_key=True)


searchable(Hazard, HazardSearchTerm, "hazard_id", ("description", "category", "location"))
