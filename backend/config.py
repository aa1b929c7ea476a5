"""Configuration from the environment, with safe defaults for a single-machine install."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _instance_dir() -> Path:
    path = Path(os.environ.get("SESV_INSTANCE_DIR", ROOT / "instance"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _persistent_secret(instance: Path, name: str) -> str:
    """Read a secret kept under instance/, generating it on first start."""
    path = instance / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _database_url(instance: Path) -> str:
    url = os.environ.get("DATABASE_URL", f"sqlite:///{instance / 'sesv.db'}")
    # Heroku-style URLs and plain postgresql:// both mean psycopg 3 here.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_config(overrides: dict | None = None) -> dict:
    """Build the Flask config mapping; overrides win (tests pass a tmp database)."""
    instance = _instance_dir()
    config = {
        "INSTANCE_DIR": str(instance),
        "SECRET_KEY": os.environ.get("SECRET_KEY") or _persistent_secret(instance, "secret_key"),
        # signs `flask evidence checkpoint`; unset: derived from SECRET_KEY (keep it off the database host)
        "EVIDENCE_CHECKPOINT_KEY": os.environ.get("EVIDENCE_CHECKPOINT_KEY", ""),
        "JWT_SECRET_KEY": os.environ.get("JWT_SECRET_KEY") or _persistent_secret(instance, "jwt_secret_key"),
        "JWT_ACCESS_TOKEN_EXPIRES": timedelta(minutes=int(os.environ.get("JWT_ACCESS_MINUTES", "15"))),
        "JWT_REFRESH_TOKEN_EXPIRES": timedelta(days=int(os.environ.get("JWT_REFRESH_DAYS", "30"))),
        "REFRESH_REUSE_GRACE": timedelta(seconds=int(os.environ.get("REFRESH_REUSE_GRACE_SECONDS", "10"))),
        "JWT_TOKEN_LOCATION": ["headers"],
        "SQLALCHEMY_DATABASE_URI": _database_url(instance),
        # FULL (default): every acknowledged write is on disk before the answer; NORMAL trades
        # the last commits before a power cut for speed (README, "Benchmarks")
        "SQLITE_SYNCHRONOUS": os.environ.get("SQLITE_SYNCHRONOUS", "FULL").upper(),
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_UPLOAD_BYTES", 16 * 1024 * 1024)),
        "PHOTO_MAX_BYTES": int(os.environ.get("PHOTO_MAX_BYTES", 15 * 1024 * 1024)),
        "ATTACHMENT_MAX_BYTES": int(os.environ.get("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)),
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR", str(instance / "uploads")),
        # photos in an S3-compatible store (MinIO, OSS, Ceph RGW): s3://bucket[/prefix]?endpoint=…&region=…,
        # credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; empty: local disk under UPLOAD_DIR
        "BLOB_STORAGE_URL": os.environ.get("BLOB_STORAGE_URL", ""),
        "PWA_DIST": os.environ.get("PWA_DIST", str(ROOT / "pwa" / "dist")),
        "LOGIN_MAX_FAILURES": int(os.environ.get("LOGIN_MAX_FAILURES", "5")),
        "LOGIN_LOCK_MINUTES": int(os.environ.get("LOGIN_LOCK_MINUTES", "15")),
        # a name failed this often from all clients slows every client to one try per LOGIN_SLOWDOWN_SECONDS
        "LOGIN_SLOWDOWN_FAILURES": int(os.environ.get("LOGIN_SLOWDOWN_FAILURES", "20")),
        "LOGIN_SLOWDOWN_SECONDS": int(os.environ.get("LOGIN_SLOWDOWN_SECONDS", "30")),
        # several app servers share rate limits and job leases through it (README, "Redis");
        # empty: a SQLite file for the limits and the database's lease rows, one machine
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "RATELIMIT_ENABLED": os.environ.get("RATELIMIT_ENABLED", "1") == "1",
        "RATELIMIT_HEADERS_ENABLED": True,
        # Redis down: keep limiting on this server alone (per process) rather than failing requests
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        # reverse proxies in front (nginx = 1): trust that many X-Forwarded-For/-Proto hops
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        "API_TITLE": "特种设备安全监管 API (Zone · Block · Chain)",
        "API_VERSION": "1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "openapi.json",
        # /api/docs is backend/apidocs.py (Swagger UI from the package, no CDN): no OPENAPI_SWAGGER_UI_*
        "HAZARD_DEADLINE_DAYS_GENERAL": int(os.environ.get("HAZARD_DAYS_GENERAL", "15")),
        "HAZARD_DEADLINE_DAYS_MAJOR": int(os.environ.get("HAZARD_DAYS_MAJOR", "30")),
        #: the complainant's tracking page shows the verified rectification's after-photos
        #: (the bureau's choice)
        "COMPLAINT_PUBLIC_AFTER_PHOTOS": os.environ.get("COMPLAINT_PUBLIC_AFTER_PHOTOS", "0") == "1",
        #: days after a self-check period ends in which its entry still counts on time; later ones are 补录
        "SELF_CHECK_GRACE_DAYS": {
            "daily": int(os.environ.get("SELF_CHECK_GRACE_DAILY", "2")),
            "weekly": int(os.environ.get("SELF_CHECK_GRACE_WEEKLY", "7")),
            "monthly": int(os.environ.get("SELF_CHECK_GRACE_MONTHLY", "10")),
        },
        #: how far back any check may be dated at all (older → 422)
        "CHECK_MAX_BACKDATE_DAYS": int(os.environ.get("CHECK_MAX_BACKDATE_DAYS", "90")),
        "JSON_AS_ASCII": False,
        # the in-process schedule (README, "Jobs and notifications"): `make run` turns it on
        "JOBS_SCHEDULER": os.environ.get("JOBS_SCHEDULER", "0") == "1",
        "JOBS_TICK_SECONDS": int(os.environ.get("JOBS_TICK_SECONDS", "60")),
        #: handled domain events older than this are deleted (pending ones never are)
        "EVENTS_RETENTION_DAYS": int(os.environ.get("EVENTS_RETENTION_DAYS", "30")),
        **_channel_config(),
    }
    config.update(overrides or {})
    # shared by all gunicorn workers: on Redis when there is one, else a SQLite file of its own
    config.setdefault(
        "RATELIMIT_STORAGE_URI",
        os.environ.get("RATELIMIT_STORAGE_URI")
        or config["REDIS_URL"]
        or f"sesv-sqlite://{instance / 'ratelimit.db'}",
    )
    config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", _engine_options(str(config["SQLALCHEMY_DATABASE_URI"])))
    return config


def _channel_config() -> dict:
    """Outbound notification channels; each is off while its variable is empty."""
    names = (
        "NOTIFY_WECOM_WEBHOOK",
        "NOTIFY_DINGTALK_WEBHOOK",
        "NOTIFY_DINGTALK_SECRET",
        "NOTIFY_SMS_URL",
        "NOTIFY_SMS_TOKEN",
        "SMTP_HOST",
        "SMTP_USER",
        "SMTP_PASSWORD",
        "SMTP_FROM",
    )
    return {
        **{name: os.environ.get(name, "") for name in names},
        "SMTP_PORT": int(os.environ.get("SMTP_PORT", "25")),
        "SMTP_STARTTLS": os.environ.get("SMTP_STARTTLS", "0") == "1",
    }


def _engine_options(url: str) -> dict:
    """A server connection may drop while pooled, so ping it at checkout; a SQLite file cannot.

    PostgreSQL sessions run without JIT: a list page's plan costs past `jit_above_cost` at province
    size, and compiling it took 70 ms of a 150 ms complaint search (EXPLAIN ANALYZE) to speed up
    work measured in milliseconds. A server's own `jit` setting is overridden per connection.
    The QR scan's key lookups are prepared statements (core.db.prepared) unless
    DATABASE_PREPARED_STATEMENTS=0."""
    if url.startswith("sqlite"):
        return {}
    connect_args: dict = {"options": "-c jit=off"}
    if os.environ.get("DATABASE_PREPARED_STATEMENTS", "1") == "0":
        # a pooler that cannot keep prepared statements (PgBouncer before 1.21 in transaction mode)
        connect_args["prepare_threshold"] = None
    return {"pool_pre_ping": True, "connect_args": connect_args}
