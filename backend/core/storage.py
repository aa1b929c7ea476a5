"""Blob storage for uploaded photos: content-addressed keys, atomic writes.

Keys look like ``<sha256>.jpg`` / ``<sha256>.thumb.jpg`` and are stored locally as
``root/ab/cd/<key>`` so no directory grows past a few thousand entries.
"""

import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

#: Lowercase alphanumerics first (the shard prefix), then [0-9a-z_.-]; this rules out
#: "/", "\\", "..", hidden files and our own ".tmp-" files by construction.
_KEY_RE = re.compile(r"[0-9a-z]{4}[0-9a-z_.-]{0,196}")
_TMP_PREFIX = ".tmp-"


class BlobNotFoundError(KeyError):
    """No blob is stored under the requested key."""


class BlobStorage(Protocol):
    """What the app needs from a blob store; local disk today, S3-like later."""

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
