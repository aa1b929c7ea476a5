"""One-off: give the photos stored before the chain hashed photo files their `photo.store`
entry (`flask evidence backfill-photos`). Idempotent: a photo with an entry is skipped.

A backfilled entry proves the files are unchanged from the backfill on, not before it:
its body says so (`"backfilled": true`)."""

from __future__ import annotations

from itertools import islice

from sqlalchemy import exists, select

from backend.evidence.models import EvidenceEntry
from backend.evidence.services import append_evidence_batch
from backend.extensions import db
from backend.photos.models import Photo
from backend.photos.services import stored_file_digests

BATCH = 500


def photos_without_entry() -> list[str]:
    has_entry = exists().where(EvidenceEntry.kind == "photo.store", EvidenceEntry.ref == Photo.sha256)
    return list(
        db.session.scalars(select(Photo.sha256).where(~has_entry).order_by(Photo.created_at, Photo.sha256))
    )


def backfill_photo_entries() -> int:
    """Append a `photo.store` entry with the stored files' digests for each photo without one."""
    pending = iter(photos_without_entry())
    added = 0
    while batch := list(islice(pending, BATCH)):
        events = []
        for sha256 in batch:
            digests = stored_file_digests(sha256)
            if digests is not None:
                events.append(("photo.store", sha256, digests | {"backfilled": True}))
        append_evidence_batch(events)
        added += len(events)
    return added
