"""Photos the public uploads before filing a complaint: a lower pixel cap and a few
processing slots per worker (anonymous bytes must not buy the server's time), and a
daily purge of the uploads no complaint ever cited."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import JSON, Column, String, Text, cast, exists, select

from backend.core.errors import TooManyRequests
from backend.extensions import db
from backend.photos.models import Photo
from backend.photos.services import delete_photo, store_photo

#: a 24-megapixel phone photo passes; the authenticated upload allows 50 megapixels
DEFAULT_PUBLIC_MAX_PIXELS = 24_000_000
#: anonymous photos decoded at once per worker process
DEFAULT_PUBLIC_SLOTS = 2
#: an anonymous upload no complaint cited this long after is removed
UNCLAIMED_PHOTO_TTL = timedelta(days=1)

BUSY = "uploads_busy"

_slots_guard = threading.Lock()


def _upload_slots() -> threading.BoundedSemaphore:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with _slots_guard:
        slots = app.extensions.get("public_photo_slots")
        if slots is None:
            count = int(app.config.get("PUBLIC_PHOTO_SLOTS", DEFAULT_PUBLIC_SLOTS))
            slots = threading.BoundedSemaphore(count)
            app.extensions["public_photo_slots"] = slots
        return slots


def store_public_photo(sha256: str, raw: bytes) -> tuple[Photo, bool]:
    """store_photo for an anonymous client; busy slots answer 429 at once (no queueing)."""
    slots = _upload_slots()
    if not slots.acquire(blocking=False):
        raise TooManyRequests("正在处理的照片较多，请稍后重试 (uploads busy, retry shortly)", code=BUSY)
    try:
        max_pixels = int(current_app.config.get("PUBLIC_PHOTO_MAX_PIXELS", DEFAULT_PUBLIC_MAX_PIXELS))
        return store_photo(None, sha256, raw, max_pixels=max_pixels)
    finally:
        slots.release()


def _photo_reference_columns() -> Iterator[Column]:
    """Every column that may cite a photo by its sha256, found in the models' metadata so a
    new table citing photos is covered without being listed here."""
    for table in db.metadata.sorted_tables:
        if table.name == Photo.__tablename__:
            continue
        for column in table.columns:
            if "photo" in column.name or column.name == "sha256":
                yield column


def _cited(sha256: str) -> bool:
    for column in _photo_reference_columns():
        if isinstance(column.type, JSON):
            clause = cast(column, Text).contains(sha256)
        elif isinstance(column.type, String | Text):
            clause = column == sha256
        else:
            continue
        if db.session.scalar(select(exists().where(clause))):
            return True
    return False


def purge_unclaimed_photos(now: datetime) -> int:
    """Remove anonymous uploads older than a day that no record cites; returns how many."""
    candidates = db.session.scalars(
        select(Photo.sha256).where(
            Photo.uploaded_by_id.is_(None), Photo.created_at < now - UNCLAIMED_PHOTO_TTL
        )
    ).all()
    removed = 0
    for sha256 in candidates:
        if not _cited(sha256):
            delete_photo(sha256)
            removed += 1
    return removed
