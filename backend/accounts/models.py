"""Accounts, revoked tokens and failed logins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
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


class RevokedToken(Model):
    __tablename__ = "revoked_tokens"
    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LoginFailure(Model):
    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(60), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
