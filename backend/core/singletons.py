"""One-row tables (counters, chain head) created on first use, safely under concurrency."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from backend.extensions import db


def insert_singleton(row: object) -> None:
    """Insert the row unless a concurrent transaction already did (then use theirs)."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return  # a concurrent transaction created it first; its row serves
