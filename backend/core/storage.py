"""Blob storage for uploaded photos: content-addressed keys, atomic writes, checked hashes.

Keys look like ``<sha256>.jpg`` / ``<sha256>.thumb.jpg``. Two strategies behind one interface:
local disk (the default; ``root/ab/cd/<key>`` so no directory grows past a few thousand entries)
and any S3-compatible object store (MinIO, Alibaba OSS, Ceph RGW) named by ``BLOB_STORAGE_URL``.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError

#: Lowercase alphanumerics first (the shard prefix), then [0-9a-z_.-]; this rules out
#: "/", "\\", "..", hidden files and our own ".tmp-" files by construction.
_KEY_RE = re.compile(r"[0-9a-z]{4}[0-9a-z_.-]{0,196}")
_TMP_PREFIX = ".tmp-"


class BlobNotFoundError(KeyError):
    """No blob is stored under the requested key."""


class BlobStorage(Protocol):
    """What the app needs from a blob store: local disk or an S3-compatible object store."""

    def put(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key`` atomically, replacing any previous blob."""
        ...

    def get(self, key: str) -> bytes:
        """Return the blob's bytes; raise BlobNotFoundError if absent."""
        ...

    def open_path(self, key: str) -> Path | None:
        """Return a local file path for send_file, or None if absent/not local."""
        ...

    def exists(self, key: str) -> bool:
        """Return True if a blob is stored under ``key``."""
        ...

    def delete(self, key: str) -> None:
        """Remove the blob; deleting a missing key is a no-op."""
        ...

    def list_keys(self) -> Iterator[str]:
        """Every stored key, in no particular order."""
        ...


def validate_key(key: str) -> str:
    """Return ``key`` if it is a safe storage key, else raise ValueError."""
    if not isinstance(key, str) or not _KEY_RE.fullmatch(key):
        raise ValueError(f"invalid storage key: {key!r}")
    return key


class LocalBlobStorage:
    """BlobStorage on the local filesystem under ``root/ab/cd/<key>``."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def path_for(self, key: str) -> Path:
        """Return where ``key`` lives (whether or not it exists yet)."""
        validate_key(key)
        return self.root / key[:2] / key[2:4] / key

    def put(self, key: str, data: bytes) -> None:
        """Write to a temp file in the same directory, fsync, then os.replace."""
        path = self.path_for(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=_TMP_PREFIX, dir=path.parent)
        try:
            _write_all(fd, data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(path.parent)

    def get(self, key: str) -> bytes:
        """Return the stored bytes; raise BlobNotFoundError if absent."""
        try:
            return self.path_for(key).read_bytes()
        except FileNotFoundError as exc:
            raise BlobNotFoundError(key) from exc

    def open_path(self, key: str) -> Path | None:
        """Return the file path if the blob exists, else None."""
        path = self.path_for(key)
        return path if path.is_file() else None

    def exists(self, key: str) -> bool:
        """Return True if the blob exists."""
        return self.path_for(key).is_file()

    def delete(self, key: str) -> None:
        """Remove the blob if present."""
        self.path_for(key).unlink(missing_ok=True)

    def list_keys(self) -> Iterator[str]:
        """Every stored key (temp files of unfinished writes are not keys)."""
        if not self.root.is_dir():
            return
        for path in self.root.glob("*/*/*"):
            if path.is_file() and _KEY_RE.fullmatch(path.name) and path.parent.parent.parent == self.root:
                yield path.name


class BlobWriteError(RuntimeError):
    """The object store did not keep the bytes it was sent."""


class S3BlobStorage:
    """BlobStorage on an S3-compatible object store, under ``<prefix><key>`` in one bucket.

    Every write carries Content-MD5, so the store refuses bytes damaged on the way (BadDigest),
    and the sha256 as object metadata; a plain PUT's ETag is the MD5 the store computed, so a
    store that skips the Content-MD5 check is caught here too (the damaged object is removed).
    """

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    def _name(self, key: str) -> str:
        return self.prefix + validate_key(key)

    def put(self, key: str, data: bytes) -> None:
        """Upload ``data``; the store checks its MD5, we check the ETag it answers."""
        md5 = hashlib.md5(data, usedforsecurity=False)
        answer = self.client.put_object(
            Bucket=self.bucket,
            Key=self._name(key),
            Body=data,
            ContentMD5=base64.b64encode(md5.digest()).decode(),
            ContentType="image/jpeg" if key.endswith(".jpg") else "application/octet-stream",
            Metadata={"sha256": hashlib.sha256(data).hexdigest()},
        )
        etag = answer.get("ETag", "").strip('"')
        if re.fullmatch(r"[0-9a-f]{32}", etag) and etag != md5.hexdigest():
            self.delete(key)  # damaged bytes must not stand in for the photo
            raise BlobWriteError(f"object store kept other bytes for {key}")

    def get(self, key: str) -> bytes:
        """Return the object's bytes; raise BlobNotFoundError if absent."""
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as exc:
            if _missing(exc):
                raise BlobNotFoundError(key) from exc
            raise
        return answer["Body"].read()

    def open_path(self, key: str) -> Path | None:
        """Objects have no local path; callers fall back to ``get``."""
        validate_key(key)
        return None

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as exc:
            if _missing(exc):
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def list_keys(self) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for item in page.get("Contents", []):
                name = item["Key"][len(self.prefix) :]
                if _KEY_RE.fullmatch(name):
                    yield name


def _missing(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str
    endpoint: str | None
    region: str | None


def parse_s3_url(url: str) -> S3Location:
    """``s3://bucket[/prefix]?endpoint=http://host:port&region=…``; raise ValueError if malformed."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(f"BLOB_STORAGE_URL must look like s3://bucket?endpoint=…, not {url!r}")
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    prefix = parts.path.strip("/")
    return S3Location(
        bucket=parts.netloc,
        prefix=f"{prefix}/" if prefix else "",
        endpoint=query.get("endpoint"),
        region=query.get("region"),
    )


@lru_cache(maxsize=8)
def _s3_storage(url: str) -> S3BlobStorage:
    """One client per URL and process (building one costs tens of milliseconds)."""
    where = parse_s3_url(url)
    client = boto3.client(
        "s3",
        endpoint_url=where.endpoint,
        region_name=where.region or "us-east-1",
        # Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (boto3's usual chain).
        # Path-style addressing and checksums only when required: what MinIO, OSS and RGW all accept.
        config=BotoConfig(
            s3={"addressing_style": "path"},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            retries={"max_attempts": 3, "mode": "standard"},
        ),
    )
    return S3BlobStorage(client, where.bucket, where.prefix)


def blob_storage(config: Mapping[str, Any]) -> BlobStorage:
    """The configured store: BLOB_STORAGE_URL when set, else local disk under UPLOAD_DIR."""
    url = config.get("BLOB_STORAGE_URL") or ""
    if url:
        return _s3_storage(url)
    return LocalBlobStorage(Path(config["UPLOAD_DIR"]))


@dataclass
class CopyCounts:
    copied: int = 0
    already_there: int = 0
    mismatched: int = 0


def copy_blobs(source: BlobStorage, target: BlobStorage) -> CopyCounts:
    """Copy every blob of ``source`` to ``target`` and read each back to compare its sha256.

    A blob the target already holds with the same hash is left alone; one it holds with
    other bytes is rewritten and read back again. Mismatches after the write are counted.
    """
    counts = CopyCounts()
    for key in sorted(source.list_keys()):
        data = source.get(key)
        digest = hashlib.sha256(data).hexdigest()
        if _stored_digest(target, key) == digest:
            counts.already_there += 1
            continue
        target.put(key, data)
        if _stored_digest(target, key) == digest:
            counts.copied += 1
        else:
            counts.mismatched += 1
    return counts


def _stored_digest(store: BlobStorage, key: str) -> str | None:
    try:
        return hashlib.sha256(store.get(key)).hexdigest()
    except BlobNotFoundError:
        return None


def _write_all(fd: int, data: bytes) -> None:
    """Write ``data`` to ``fd``, make it world-readable, fsync and close it."""
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        # mkstemp creates 0600; a front-end web server may need to read the file.
        os.fchmod(fh.fileno(), 0o644)
        os.fsync(fh.fileno())


def _fsync_dir(directory: Path) -> None:
    """Persist the rename itself (POSIX); a no-op where directories can't be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
