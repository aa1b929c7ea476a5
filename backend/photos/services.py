"""Store evidence photos (content-addressed) and sign short-lived view URLs."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from pathlib import Path

from flask import current_app
from sqlalchemy import delete

from backend.core.errors import AppError, NotFound
from backend.core.images import ImageRejected, process_upload, sha256_hex
from backend.core.storage import BlobNotFoundError, BlobStorage, blob_storage
from backend.evidence.services import append_evidence
from backend.extensions import db
from backend.photos.models import Photo

SHA256_HEX = re.compile(r"[0-9a-f]{64}")
VARIANTS = {"full": "jpg", "thumb": "thumb.jpg"}


def storage() -> BlobStorage:
    """Local disk under UPLOAD_DIR, or the object store of BLOB_STORAGE_URL."""
    return blob_storage(current_app.config)


def store_photo(
    actor_id: int | None, sha256: str, raw: bytes, *, max_pixels: int | None = None
) -> tuple[Photo, bool]:
    """Check the hash, clean the image and keep it; an existing hash is a no-op.

    The bytes must match the hash even when the photo is already stored: the answer
    carries signed links, and knowing a hash must not be enough to read a photo."""
    if not SHA256_HEX.fullmatch(sha256):
        raise AppError("照片标识应为64位小写十六进制 sha256 (bad sha256)", code="bad_sha256")
    if sha256_hex(raw) != sha256:
        raise AppError("照片内容与 sha256 不符 (hash mismatch)", code="hash_mismatch")
    existing = db.session.get(Photo, sha256)
    if existing is not None:
        return existing, False
    limits = {"max_bytes": current_app.config["PHOTO_MAX_BYTES"]}
    if max_pixels is not None:
        limits["max_pixels"] = max_pixels
    try:
        image = process_upload(raw, **limits)
    except ImageRejected as exc:
        raise _as_app_error(exc) from exc
    store = storage()
    store.put(f"{sha256}.jpg", image.data)
    store.put(f"{sha256}.thumb.jpg", image.thumbnail)
    photo = Photo(
        sha256=sha256, width=image.width, height=image.height, size=len(image.data), uploaded_by_id=actor_id
    )
    db.session.add(photo)
    db.session.flush()
    stored = {"file": sha256_hex(image.data), "thumb": sha256_hex(image.thumbnail)}
    append_evidence("photo.store", sha256, stored)
    return photo, True


def stored_file_digests(sha256: str) -> dict | None:
    """sha256 of a photo's stored files, for `flask evidence verify`; None once purged (row and files)."""
    store = storage()
    digests = {}
    for field, key in (("file", f"{sha256}.jpg"), ("thumb", f"{sha256}.thumb.jpg")):
        try:
            digests[field] = hashlib.sha256(store.get(key)).hexdigest()
        except BlobNotFoundError:
            digests[field] = "missing"
    if set(digests.values()) == {"missing"} and db.session.get(Photo, sha256) is None:
        return None
    return digests


def delete_photo(sha256: str) -> None:
    """Remove a photo's row and files (an anonymous upload no complaint ever cited)."""
    store = storage()
    store.delete(f"{sha256}.jpg")
    store.delete(f"{sha256}.thumb.jpg")
    db.session.execute(delete(Photo).where(Photo.sha256 == sha256))


def _as_app_error(exc: ImageRejected) -> AppError:
    error = AppError(exc.message, code=exc.code)
    error.status = exc.status
    return error


def _signature(sha256: str, variant: str, expires: int) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    message = f"{sha256}:{variant}:{expires}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def signed_photo_url(sha256: str, variant: str) -> str:
    # Round expiry to the day so the same photo keeps one URL (browser cache hits).
    expires = (int(time.time()) // 86400 + 8) * 86400
    suffix = "/thumb" if variant == "thumb" else ""
    return f"/api/photos/{sha256}{suffix}?exp={expires}&sig={_signature(sha256, variant, expires)}"


def open_signed_photo(sha256: str, variant: str, expires: int, signature: str) -> Path | bytes:
    """The stored file: a local path (sent by the web server) or the object's bytes (relayed
    through this origin, so the CSP stays same-origin and phones never need the store's address)."""
    valid = hmac.compare_digest(_signature(sha256, variant, expires).encode(), signature.encode())
    if not valid or expires < time.time():
        raise NotFound("照片链接无效或已过期 (photo link invalid or expired)")
    store, key = storage(), f"{sha256}.{VARIANTS[variant]}"
    try:
        return store.open_path(key) or store.get(key)
    except BlobNotFoundError as exc:
        raise NotFound("照片尚未上传 (photo not uploaded yet)") from exc
