"""Append to the evidence chain and verify it."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import select, update

from backend.core.clock import utcnow
from backend.core.db import table_of
from backend.core.hashing import canonical_bytes
from backend.core.singletons import insert_singleton
from backend.evidence.models import EvidenceEntry, EvidenceHead
from backend.evidence.rules import GENESIS, link_hash
from backend.extensions import db

Row = TypeVar("Row")


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


#: the body format: 1 = {kind, ref, data}; 2 adds "v" and the entry time "at"
BODY_VERSION = 2


def append_evidence(kind: str, ref: str, data: dict) -> EvidenceEntry:
    """Append one evidence event; appends are serialised by the head row lock."""
    return append_evidence_batch([(kind, ref, data)])[0]


def append_evidence_batch(events: Iterable[tuple[str, str, dict]]) -> list[EvidenceEntry]:
    """Append events in order under one head lock (bulk loads: the demo's records)."""
    seq, prev = _lock_head()
    entries = []
    for kind, ref, data in events:
        at = utcnow()
        body = canonical_bytes(
            {"v": BODY_VERSION, "kind": kind, "ref": ref, "data": data, "at": at.isoformat()}
        ).decode()
        seq += 1
        entry = EvidenceEntry(
            seq=seq, kind=kind, ref=ref, body=body, prev_hash=prev, hash=link_hash(seq, prev, body), at=at
        )
        entries.append(entry)
        prev = entry.hash
    db.session.add_all(entries)
    table = table_of(EvidenceHead)
    db.session.execute(update(table).where(table.c.id == 1).values(seq=seq, hash=prev))
    db.session.flush()
    return entries


@dataclass
class Problem:
    """One failure: its kind (chain, head, checkpoint, record, unrecorded, pending, photo), what it names."""

    kind: str
    message: str
    seq: int | None = None


@dataclass
class ChainReport:
    ok: bool
    entries: int
    head_hash: str
    problems: list[Problem] = field(default_factory=list)

    @property
    def broken_at(self) -> int | None:
        return self.problems[0].seq if self.problems else None

    @property
    def problem(self) -> str:
        return self.problems[0].message if self.problems else ""


RecordCheck = Callable[[str, str, dict], "str | None"]
#: called once per record with the data of its newest entry: does the record's current state match it?
StateCheck = Callable[[str, dict], "str | None"]
#: the entry kind that covers a record, the ids of the records that must have one, and the id an entry covers
CoveredIds = Callable[[], Iterable[str]]
CoveredRef = Callable[[EvidenceEntry, dict], "str | None"]


@dataclass
class Coverage:
    name: str
    ids: CoveredIds
    covers: CoveredRef
    #: the ids whose entry an after-commit event still owes (pending in the outbox): reported as
    #: pending, with the command that appends it, instead of as unrecorded
    awaiting: Callable[[], set[str]] | None = None


@dataclass
class Audit:
    """What `flask evidence verify` checks beyond the links and the per-entry records."""

    states: dict[str, StateCheck] = field(default_factory=dict)
    coverage: list[Coverage] = field(default_factory=list)
    #: the sha256 of a photo's stored files by name ("file", "thumb"), None once purged
    file_digest: Callable[[str], dict | None] | None = None
    checkpoint: dict | None = None
    checkpoint_key: str = ""


def row_by_ref(model: type[Row], ref: str) -> Row | None:
    """The row a chain entry's integer ref names; None when the ref is not a number or the row is gone
    (a record check reports that as missing)."""
    return db.session.get(model, int(ref)) if ref.isdigit() else None


def verify_chain(
    checks: dict[str, RecordCheck] | None = None, batch: int = 5000, audit: Audit | None = None
) -> ChainReport:
    """Walk the chain from the start; report every broken link and altered record.

    `checks` maps a kind prefix ("hazard.") to a function that re-reads the record
    an entry covers and says how it no longer matches. With an `audit`, also compare
    the walk with the stored head (and a signed checkpoint), each record's current
    state with its newest entry, every covered record with the entries, and the
    stored photo files with the digests the chain recorded.
    """
    checks, audit = checks or {}, audit or Audit()
    walk = _Walk(checks, audit)
    while True:
        after = EvidenceEntry.seq > walk.last_seq
        rows = db.session.scalars(
            select(EvidenceEntry).where(after).order_by(EvidenceEntry.seq).limit(batch)
        ).all()
        if not rows:
            break
        for entry in rows:
            walk.step(entry)
    problems = walk.problems
    if audit.coverage or audit.states or audit.file_digest or audit.checkpoint is not None:
        problems += _head_problems(walk.last_seq, walk.prev)
        problems += walk.state_problems()
        problems += walk.coverage_problems()
    if audit.checkpoint is not None:
        problems += _checkpoint_problems(audit.checkpoint, audit.checkpoint_key, walk.hashes)
    return ChainReport(not problems, walk.count, walk.prev, problems)


class _Walk:
    def __init__(self, checks: dict[str, RecordCheck], audit: Audit) -> None:
        self.checks, self.audit = checks, audit
        self.prev, self.last_seq, self.count = GENESIS, 0, 0
        self.problems: list[Problem] = []
        self.newest: dict[tuple[str, str], dict] = {}
        self.covered: dict[str, set[str]] = {c.name: set() for c in audit.coverage}
        self.hashes: dict[int, str] = {}

    def step(self, entry: EvidenceEntry) -> None:
        link = _link_problem(entry, self.prev, self.last_seq)
        if link:
            self.problems.append(Problem("chain", link, entry.seq))
        body = json.loads(entry.body)
        data = body.get("data", {})
        if body.get("v", 1) >= 2 and body.get("at") != entry.at.isoformat():
            self.problems.append(Problem("chain", "entry time altered", entry.seq))
        record = _record_problem(entry, data, self.checks)
        if record:
            self.problems.append(Problem("record", record, entry.seq))
        self._remember(entry, data)
        self.prev, self.last_seq, self.count = entry.hash, entry.seq, self.count + 1

    def _remember(self, entry: EvidenceEntry, data: dict) -> None:
        if self.audit.checkpoint is not None and str(entry.seq) == str(self.audit.checkpoint.get("seq")):
            self.hashes[entry.seq] = entry.hash
        for prefix in self.audit.states:
            if entry.kind.startswith(prefix):
                self.newest[(prefix, entry.ref)] = data
        for coverage in self.audit.coverage:
            ref = coverage.covers(entry, data)
            if ref is not None:
                self.covered[coverage.name].add(ref)
        if self.audit.file_digest is not None and entry.kind == "photo.store":
            self._check_photo(entry, data)

    def _check_photo(self, entry: EvidenceEntry, data: dict) -> None:
        stored = self.audit.file_digest(entry.ref) if self.audit.file_digest else None
        if stored is not None and stored != {name: data.get(name) for name in stored}:
            message = f"photo {entry.ref}: the stored file was replaced or removed"
            self.problems.append(Problem("photo", message, entry.seq))

    def state_problems(self) -> list[Problem]:
        found = []
        for (prefix, ref), data in self.newest.items():
            problem = self.audit.states[prefix](ref, data)
            if problem:
                found.append(Problem("record", problem))
        return found

    def coverage_problems(self) -> list[Problem]:
        found = []
        for coverage in self.audit.coverage:
            covered = self.covered[coverage.name]
            missing = [ref for ref in coverage.ids() if ref not in covered]
            awaiting = coverage.awaiting() if missing and coverage.awaiting else set()
            found += [
                Problem(
                    "pending",
                    f"{coverage.name} {ref} has no chain entry yet: its after-commit event is pending, "
                    "run `flask events run-pending`",
                )
                if ref in awaiting
                else Problem("unrecorded", f"{coverage.name} {ref} has no chain entry")
                for ref in missing
            ]
        return found


def _head_problems(last_seq: int, last_hash: str) -> list[Problem]:
    head = db.session.get(EvidenceHead, 1)
    seq, digest = (head.seq, head.hash) if head else (0, GENESIS)
    if (seq, digest) == (last_seq, last_hash):
        return []
    return [
        Problem(
            "head",
            f"the stored head is seq {seq} ({digest[:12]}…) but the chain ends at seq {last_seq} "
            f"({last_hash[:12]}…): entries were removed or rewritten",
        )
    ]


def _record_problem(entry: EvidenceEntry, data: dict, checks: dict[str, RecordCheck]) -> str:
    for prefix, check in checks.items():
        if entry.kind.startswith(prefix):
            return check(entry.kind, entry.ref, data) or ""
    return ""


def checkpoint_key(secret_key: str, configured: str | None) -> str:
    """EVIDENCE_CHECKPOINT_KEY, or a key derived from SECRET_KEY (never SECRET_KEY itself)."""
    if configured:
        return configured
    return hmac.new(secret_key.encode(), b"sesv evidence checkpoint", hashlib.sha256).hexdigest()


def _checkpoint_signature(key: str, seq: int, digest: str, at: str) -> str:
    return hmac.new(key.encode(), f"{seq}:{digest}:{at}".encode(), hashlib.sha256).hexdigest()


def export_checkpoint(key: str) -> dict:
    """The chain head, HMAC-signed, to keep outside the database (print it, mail it)."""
    head = db.session.get(EvidenceHead, 1)
    seq, digest = (head.seq, head.hash) if head else (0, GENESIS)
    at = utcnow().isoformat()
    signature = _checkpoint_signature(key, seq, digest, at)
    return {"seq": seq, "hash": digest, "at": at, "algorithm": "sha256", "hmac_sha256": signature}


def _checkpoint_problems(checkpoint: dict, key: str, hashes: dict[int, str]) -> list[Problem]:
    try:
        seq, digest, at = int(checkpoint["seq"]), str(checkpoint["hash"]), str(checkpoint["at"])
        signature = str(checkpoint["hmac_sha256"])
    except (KeyError, TypeError, ValueError):
        return [Problem("checkpoint", "the checkpoint file is not a checkpoint")]
    if not hmac.compare_digest(_checkpoint_signature(key, seq, digest, at), signature):
        return [Problem("checkpoint", "the checkpoint's signature does not match (wrong key or edited)")]
    if hashes.get(seq, GENESIS if seq == 0 else None) != digest:
        return [
            Problem(
                "checkpoint",
                f"the chain no longer holds the checkpoint of {at}: seq {seq} with hash {digest[:12]}…",
                seq,
            )
        ]
    return []


def _link_problem(entry: EvidenceEntry, prev: str, last_seq: int) -> str:
    if entry.seq != last_seq + 1:
        return f"missing entries before seq {entry.seq}"
    if entry.prev_hash != prev:
        return "previous-hash link broken"
    if link_hash(entry.seq, entry.prev_hash, entry.body) != entry.hash:
        return "entry body altered"
    return ""
