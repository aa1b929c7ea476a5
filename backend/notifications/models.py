"""A notification in a person's inbox, and where else a person wants to be told."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.core.clock import utcnow
from backend.core.db import UTCDateTime
from backend.extensions import Model


class Notification(Model):
    """One message to one user. `dedupe_key` names the subject and period (a hazard's
    deadline, a day's missed self-check): the same reminder is never added twice."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "dedupe_key"),
        Index("ix_notifications_inbox", "user_id", "id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    dedupe_key: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    #: a PWA route, e.g. /hazards/<id>
    link: Mapped[str] = mapped_column(String(200), default="")
    #: urgent ones go out on the channels at once; the rest wait for the daily digest
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: sent on the outbound channels (immediately if urgent, else in a digest)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


class NotificationContact(Model):
    """Where and when a user is reached outside the app (per-person preferences, API.md)."""

    __tablename__ = "notification_contacts"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    #: False: in-app only, nothing by e-mail or SMS
    outbound: Mapped[bool] = mapped_column(Boolean, default=True)
    #: "digest": non-urgent ones once a day; "immediate": each as it comes
    mode: Mapped[str] = mapped_column(String(10), default="digest", server_default="digest")
    #: "HH:MM" China time, both empty when none: nothing but urgent items goes out inside them
    quiet_start: Mapped[str] = mapped_column(String(5), default="", server_default="")
    quiet_end: Mapped[str] = mapped_column(String(5), default="", server_default="")
    #: {category: [channel, …]} for the categories the user narrowed; any other: every channel
    channels: Mapped[dict] = mapped_column(JSON, default=dict)


class DigestSent(Model):
    """A person's daily digest went out that day (China time): one a day, however often the job runs."""

    __tablename__ = "notification_digests"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)


class PublicSms(Model):
    """A text to someone outside the system (a complainant), once per subject: `subject`
    names what it tells (complaint_event:<id>)."""

    __tablename__ = "public_sms"
    subject: Mapped[str] = mapped_column(String(80), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
