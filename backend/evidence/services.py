"""Append to the evidence chain and verify it."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select, update

from backend.core.clock import utcnow
from backend.core.db import table_of
from backend.core.hashing import canonical_bytes
from backend.core.singletons import insert_singleton
from backend.evidence.models import EvidenceEntry, EvidenceHead
from backend.evidence.rules import GENESIS, link_hash
from backend.extensions import db


def _lock_head() -> tuple[int, str]:
    """Take the chain's write lock by touching the head row first; its (seq, hash) as
    locked (PostgreSQL re-reads the row a concurrent append just committed)."""
    table = table_of(EvidenceHead)
    head = db.session.execute(
        update(table).where(table.c.id == 1).values(seq=table.c.seq).returning(table.c.seq, table.c.hash)
    ).first()
    if head is None:
        insert_singleton(EvidenceHead(id=1, seq=0, hash=GENESIS))
        return _lock_head()
    return head.seq, head.hash


def append_evidence(kind: str, ref: str, data: dict) -> EvidenceEntry:
    """Append one evidence event; appends are serialised by the head row lock."""
    head_seq, head_hash = _lock_head()
    body = canonical_bytes({"kind": kind, "ref": ref, "data": data}).decode()
    seq = head_seq + 1
    entry = EvidenceEntry(
        seq=seq,
        kind=kind,
        ref=ref,
        body=body,
        prev_hash=head_hash,
        hash=link_hash(seq, head_hash, body),
        at=utcnow(),
    )
    db.session.add(entry)
    table = table_of(EvidenceHead)
    db.session.execute(update(table).where(table.c.id == 1).values(seq=seq, hash=entry.hash))
    db.session.flush()
    return entry


@dataclass
class ChainReport:
    ok: bool
    entries: int
    head_hash: str
    broken_at: int | None = None
    problem: str = ""


RecordCheck = Callable[[str, str, dict], "str | None"]


def verify_chain(checks: dict[str, RecordCheck] | None = None, batch: int = 5000) -> ChainReport:
    """Walk the chain from the start; report the first broken link or altered record.

    `checks` maps a kind prefix ("hazard.") to a function that re-reads the record
    an entry covers and says how it no longer matches.
    """
    checks = checks or {}
    prev, count, last_seq = GENESIS, 0, 0
    while True:
        rows = db.session.scalars(
            select(EvidenceEntry).where(EvidenceEntry.seq > last_seq).order_by(EvidenceEntry.seq).limit(batch)
        ).all()
        if not rows:
            return ChainReport(True, count, prev)
        for entry in rows:
            problem = _link_problem(entry, prev, last_seq) or _record_problem(entry, checks)
            if problem:
                return ChainReport(False, count, prev, entry.seq, problem)
            prev, last_seq, count = entry.hash, entry.seq, count + 1


def _record_problem(entry: EvidenceEntry, checks: dict[str, RecordCheck]) -> str:
    for prefix, check in checks.items():
        if entry.kind.startswith(prefix):
            return check(entry.kind, entry.ref, json.loads(entry.body)["data"]) or ""
    return ""


def export_checkpoint(secret: str) -> dict:
    """The chain head, HMAC-signed, to keep outside the database (print it, mail it)."""
    head = db.session.get(EvidenceHead, 1)
    seq, digest = (head.seq, head.hash) if head else (0, GENESIS)
    at = utcnow().isoformat()
    message = f"{seq}:{digest}:{at}".encode()
    signature = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return {"seq": seq, "hash": digest, "at": at, "algorithm": "sha256", "hmac_sha256": signature}


def _link_problem(entry: EvidenceEntry, prev: str, last_seq: int) -> str:
    if entry.seq != last_seq + 1:
        return f"missing entries before seq {entry.seq}"
    if entry.prev_hash != prev:
        return "previous-hash link broken"
    if link_hash(entry.seq, entry.prev_hash, entry.body) != entry.hash:
        return "entry body altered"
    return ""
