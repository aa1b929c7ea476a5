"""Unique columns: a duplicate is a 409 for the user, not a 500."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from backend.core.errors import Conflict
from backend.extensions import db


def flush_unique(message: str) -> None:
    """Flush pending rows; a unique-constraint clash becomes Conflict(`message`) and leaves
    the rest of the transaction intact (savepoint)."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise Conflict(message, code="duplicate") from exc
