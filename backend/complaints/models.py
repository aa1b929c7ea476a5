"""Complaints (投诉举报), their photos and log, rewards (奖励) and spent PoW challenges."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.complaints.rules import FLAG_ACTION, ComplaintStatus, RewardStatus
from backend.core.clock import utcnow
from backend.core.db import TimestampMixin, UTCDateTime
from backend.core.search import LONGEST_TERM, searchable
from backend.devices.models import Device
from backend.extensions import Model
from backend.hazards.models import Hazard
from backend.org.models import Enterprise


class Complaint(TimestampMixin, Model):
    """A report from the public about one device: by its label, or (no label, 无检验合格标志)
    by the registration number or address the complainant gives, until a regulator links it.

    Who complained is never stored beyond an optional contact phone, kept encrypted
    (Fernet) next to a masked copy, and wiped after the retention period.
    """

    __tablename__ = "complaints"
    __table_args__ = (Index("ix_complaints_enterprise_status", "enterprise_id", "status"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: TS20261123-0001: the day (China time) and the per-day sequence
    ticket_no: Mapped[str] = mapped_column(String(20), unique=True)
    day: Mapped[date] = mapped_column(Date)
    seq: Mapped[int] = mapped_column(Integer)
    #: sha256 of the tracking code the complainant holds; the code itself is not kept
    tracking_hash: Mapped[str] = mapped_column(String(64))
    #: None until a regulator links a complaint made without a label
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), index=True)
    #: the device's using enterprise when the complaint came in (or was linked)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    #: what the complainant named when there was no label to scan
    reported_registration_no: Mapped[str] = mapped_column(String(40), default="", server_default="")
    reported_address: Mapped[str] = mapped_column(String(200), default="", server_default="")
    category: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=ComplaintStatus.received)
    #: Fernet token of the contact phone (key derived from SECRET_KEY); None when not
    #: given or purged
    phone_enc: Mapped[str | None] = mapped_column(Text)
    #: 138****5678
    phone_masked: Mapped[str | None] = mapped_column(String(20))
    contact_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the complainant agreed to be told of status changes by SMS at the contact phone
    sms_consent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    public_reply: Mapped[str] = mapped_column(Text, default="")
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))
    hazard_id: Mapped[str | None] = mapped_column(ForeignKey("hazards.id"))
    triaged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the regulator who linked a complaint made without a label to its device
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: set by triage (every outcome is final); the retention clock starts here
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    device: Mapped[Device | None] = relationship()
    enterprise: Mapped[Enterprise | None] = relationship()
    hazard: Mapped[Hazard | None] = relationship()
    photos: Mapped[list[ComplaintPhoto]] = relationship(
        order_by="ComplaintPhoto.position", cascade="all, delete-orphan"
    )
    events: Mapped[list[ComplaintEvent]] = relationship(
        order_by="ComplaintEvent.id", cascade="all, delete-orphan"
    )
    reward: Mapped[Reward | None] = relationship(back_populates="complaint")

    #: not a column: the after-photos the tracking answer may show, set by track_complaint
    public_after_photos: tuple[str, ...] | list[str] = ()

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def flagged(self) -> bool:
        """Came in beyond its label's quota (maybe junk): triaged with care, never refused."""
        return any(event.action == FLAG_ACTION for event in self.events)

    @property
    def photo_hashes(self) -> list[str]:
        return [p.sha256 for p in self.photos]


class ComplaintPhoto(Model):
    __tablename__ = "complaint_photos"
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), primary_key=True)
    #: refers to photos.sha256 (uploaded anonymously before the complaint)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


class ComplaintEvent(Model):
    """One step (submit, triage); never updated. public_reply is what the public sees."""

    __tablename__ = "complaint_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    #: None for the anonymous submission
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    public_reply: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Reward(TimestampMixin, Model):
    """Reward for a substantiated complaint (投诉举报奖励); no personal data beyond the link."""

    __tablename__ = "complaint_rewards"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), unique=True)
    amount_yuan: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    status: Mapped[str] = mapped_column(String(10), default=RewardStatus.pending)
    #: when the payment was recorded
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the day the money went out, as the bureau records it
    paid_on: Mapped[date | None] = mapped_column(Date)
    method: Mapped[str | None] = mapped_column(String(20))
    #: the bureau's voucher or transfer number; never shown to the public
    reference: Mapped[str] = mapped_column(String(60), default="", server_default="")
    complaint: Mapped[Complaint] = relationship(back_populates="reward")


class SpentChallenge(Model):
    """A proof-of-work challenge already used for a submission (single use until expiry)."""

    __tablename__ = "spent_pow_challenges"
    #: sha256 of the challenge string
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class ComplaintSearchTerm(Model):
    """One index term (core.search) of a complaint's description."""

    __tablename__ = "complaint_search_terms"
    term: Mapped[str] = mapped_column(String(LONGEST_TERM), primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), primary_key=True
    )


searchable(Complaint, ComplaintSearchTerm, "complaint_id", ("description",))
