"""Accounts, sign-in sessions (refresh-token families), revoked tokens and failed logins."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from backend.core.clock import utcnow
from backend.core.db import TimestampMixin, UTCDateTime
from backend.extensions import Model
from backend.org.models import Enterprise, Person, Zone


class User(TimestampMixin, Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(30))
    display_name: Mapped[str] = mapped_column(String(60), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: own enterprise of a safety manager or block supervisor
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    #: zone of an inspector
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zones.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    phone: Mapped[str] = mapped_column(String(30), default="", server_default="")
    #: signed in with a one-time password: may only set a new password until it has
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    enterprise: Mapped[Enterprise | None] = relationship()
    zone: Mapped[Zone | None] = relationship()
    person: Mapped[Person | None] = relationship()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def block_id(self) -> int | None:
        return self.enterprise.block_id if self.enterprise else None

    @property
    def effective_zone_id(self) -> int | None:
        return self.enterprise.zone_id if self.enterprise else self.zone_id


@cache
def _dummy_hash() -> str:
    return generate_password_hash("not-anyones-password")


def dummy_password_check(password: str) -> None:
    """The hash work of a real password check, for a name that has no account."""
    check_password_hash(_dummy_hash(), password)


class RevokedToken(Model):
    __tablename__ = "revoked_tokens"
    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuthSession(Model):
    """One sign-in: the family of every access and refresh token minted from it (claim `sid`).

    Only `refresh_jti` may refresh (and, for a few seconds after a rotation, the token it replaced);
    presenting an older refresh token of the family is reuse (a stolen copy), which ends the
    session. An ended session refuses its access tokens too.
    """

    __tablename__ = "auth_sessions"
    #: not stored: set when listing a user's sessions, true for the one asking
    current = False
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    refresh_jti: Mapped[str] = mapped_column(String(64))
    #: the refresh token it replaced, and when: a second tab (or a retry whose answer was lost)
    #: presenting it within REFRESH_REUSE_GRACE is a race, not a stolen copy
    previous_refresh_jti: Mapped[str] = mapped_column(String(64), default="")
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    client: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: logout, signed_out, reuse, deactivated, password_changed, password_reset
    ended_reason: Mapped[str] = mapped_column(String(30), default="")


class LoginFailure(Model):
    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_username_client", "username", "client", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(60), index=True)
    #: the client's address bucket (IPv6 by /64), see complaints.rules.ip_rate_key
    client: Mapped[str] = mapped_column(String(64), default="", server_default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
