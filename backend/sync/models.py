"""The change feed behind pull, and the ledger of applied push ops."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.core.clock import utcnow
from backend.core.db import UTCDateTime
from backend.extensions import db


class SyncCounter(db.Model):
    """One row; bumping it inside the write transaction orders changes by commit."""

    __tablename__ = "sync_counter"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class Change(db.Model):
    """The latest change of one entity; pull reads these in seq order."""

    __tablename__ = "changes"
    __table_args__ = (Index("ix_changes_enterprise_seq", "enterprise_id", "seq"),)
    entity: Mapped[str] = mapped_column(String(20), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class AppliedOp(db.Model):
    """Idempotency ledger: an op id is applied once; its result is replayed after."""

    __tablename__ = "applied_ops"
    op_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    op_type: Mapped[str] = mapped_column(String(40))
    payload_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    result: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
