"""`flask backup create|restore`: the database (SQLite online backup API, or pg_dump/pg_restore of a
PostgreSQL database) plus every photo file of the blob store, with a manifest of row counts and
sha256 digests that a restore checks."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from backend.core.storage import BlobStorage, LocalBlobStorage, copy_blobs
from backend.extensions import db

MANIFEST = "manifest.json"
SQLITE_FILE = "sesv.sqlite3"
PG_FILE = "sesv.pgdump"
BLOBS_DIR = "blobs"


class BackupError(RuntimeError):
    """A backup could not be made or restored as it should."""


@dataclass
class BackupSummary:
    database: str
    tables: int
    rows: int
    blobs: int


def create_backup(directory: Path, store: BlobStorage) -> BackupSummary:
    """Write the database, the blobs and the manifest into a new or empty ``directory``."""
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty")
    directory.mkdir(parents=True, exist_ok=True)
    db.session.remove()
    kind = _database_kind()
    if kind == "sqlite":
        _sqlite_copy(_sqlite_path(), directory / SQLITE_FILE)
    else:
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={directory / PG_FILE}", _libpq_url()])
    counts = row_counts()
    blobs = LocalBlobStorage(directory / BLOBS_DIR)
    copied = copy_blobs(store, blobs)
    if copied.mismatched:
        raise BackupError(f"{copied.mismatched} photo file(s) read back with another sha256")
    digests = {key: hashlib.sha256(blobs.get(key)).hexdigest() for key in sorted(blobs.list_keys())}
    manifest = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": kind,
        "row_counts": counts,
        "blobs": digests,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return BackupSummary(kind, len(counts), sum(counts.values()), len(digests))


def restore_backup(directory: Path, store: BlobStorage) -> BackupSummary:
    """Replace the database with the backup's, put every blob back, then check counts and hashes."""
    manifest = _read_manifest(directory)
    kind = _database_kind()
    if manifest["database"] != kind:
        raise BackupError(f"the backup is of a {manifest['database']} database, this one is {kind}")
    db.session.remove()
    db.engine.dispose()
    if kind == "sqlite":
        _sqlite_copy(directory / SQLITE_FILE, _sqlite_path())
    else:
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
              f"--dbname={_libpq_url()}", str(directory / PG_FILE)])  # fmt: skip
    _restore_blobs(directory, manifest["blobs"], store)
    counts = row_counts()
    if counts != manifest["row_counts"]:
        differing = sorted(t for t in counts.keys() | manifest["row_counts"].keys()
                           if counts.get(t) != manifest["row_counts"].get(t))  # fmt: skip
        raise BackupError(f"row counts differ after restore: {', '.join(differing)}")
    return BackupSummary(kind, len(counts), sum(counts.values()), len(manifest["blobs"]))


def row_counts() -> dict[str, int]:
    """Rows of every table the application defines."""
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
        for table in db.metadata.sorted_tables
    }


def _restore_blobs(directory: Path, digests: dict[str, str], store: BlobStorage) -> None:
    blobs = LocalBlobStorage(directory / BLOBS_DIR)
    damaged = [key for key, digest in digests.items() if hashlib.sha256(blobs.get(key)).hexdigest() != digest]
    if damaged:
        raise BackupError(
            f"{len(damaged)} photo file(s) in the backup do not match its manifest: {damaged[:3]}"
        )
    copied = copy_blobs(blobs, store)
    if copied.mismatched:
        raise BackupError(f"{copied.mismatched} photo file(s) read back from the store with another sha256")


def _read_manifest(directory: Path) -> dict[str, Any]:
    try:
        return json.loads((directory / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{directory} holds no readable {MANIFEST}") from exc


def _database_kind() -> str:
    backend = db.engine.url.get_backend_name()
    if backend not in {"sqlite", "postgresql"}:
        raise BackupError(f"no backup method for {backend}")
    return backend


def _sqlite_path() -> Path:
    name = db.engine.url.database
    if not name or name == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(name)


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup API: a consistent copy while the app keeps serving."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def _libpq_url() -> str:
    """The database URL as pg_dump reads it, without the password (that goes in PGPASSWORD)."""
    url = make_url(str(db.engine.url.render_as_string(hide_password=False)))
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    env = dict(os.environ)
    if db.engine.url.password:
        env["PGPASSWORD"] = str(db.engine.url.password)
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[:500]}")
