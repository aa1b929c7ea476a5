"""The evidence chain (链): an append-only, hash-linked log of evidence events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.core.clock import utcnow
from backend.core.db import UTCDateTime
from backend.extensions import Model


class EvidenceHead(Model):
    """One row; updating it serialises appends (row lock / SQLite write lock)."""

    __tablename__ = "evidence_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64))


class EvidenceEntry(Model):
    __tablename__ = "evidence_entries"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(40))
    ref: Mapped[str] = mapped_column(String(64), index=True)
    #: the canonical JSON bytes that were hashed (digests only, no personal data)
    body: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    algorithm: Mapped[str] = mapped_column(String(20), default="sha256")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
