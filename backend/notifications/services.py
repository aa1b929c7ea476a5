"""The inbox: add notifications once per subject and period, list them, mark them read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from backend.core.clock import utcnow
from backend.core.db import table_of
from backend.core.errors import NotFound
from backend.core.pagination import paginate
from backend.extensions import db
from backend.notifications.models import Notification, NotificationContact

INSERT_BATCH = 1000


@dataclass(frozen=True)
class Message:
    """A notification to add: `dedupe_key` names its subject and period."""

    user_id: int
    kind: str
    dedupe_key: str
    title: str
    body: str = ""
    link: str = ""
    urgent: bool = False


def notify(messages: Iterable[Message]) -> int:
    """Add each message unless the user already has one with its dedupe key; the number added.
    Race-free: the unique (user, key) index decides, so two runs at once add each one once."""
    rows = [_row(m) for m in {(m.user_id, m.dedupe_key): m for m in messages}.values()]
    added = 0
    for start in range(0, len(rows), INSERT_BATCH):
        statement = _insert_ignoring_duplicates(rows[start : start + INSERT_BATCH])
        added += len(db.session.execute(statement).all())
    return added


def _row(message: Message) -> dict:
    return {
        "user_id": message.user_id,
        "kind": message.kind,
        "dedupe_key": message.dedupe_key[:120],
        "title": message.title[:200],
        "body": message.body,
        "link": message.link[:200],
        "urgent": message.urgent,
        "created_at": utcnow(),
    }


def _insert_ignoring_duplicates(rows: list[dict]):
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    table = table_of(Notification)
    return (
        dialect.insert(table)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["user_id", "dedupe_key"])
        .returning(table.c.id)
    )


def inbox(user_id: int, unread_only: bool, page: int, per_page: int) -> dict:
    """The user's notifications, newest first, with how many are unread."""
    query = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    listing = paginate(query.order_by(Notification.id.desc()), page, per_page)
    return {**vars(listing), "unread_count": unread_count(user_id)}


def unread_count(user_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        )
        or 0
    )


def mark_read(user_id: int, notification_id: int) -> Notification:
    """Mark one of the user's notifications read (again: no change); another's is 404."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user_id:
        raise NotFound("通知不存在 (notification not found)")
    if notification.read_at is None:
        db.session.execute(
            update(Notification)
            .where(Notification.id == notification_id, Notification.read_at.is_(None))
            .values(read_at=utcnow())
            .execution_options(synchronize_session="fetch")
        )
    return notification


def preferences(user_id: int) -> NotificationContact:
    """The user's delivery preferences (the defaults until they save some)."""
    found = db.session.get(NotificationContact, user_id)
    if found is not None:
        return found
    return NotificationContact(
        user_id=user_id,
        email="",
        phone="",
        outbound=True,
        mode="digest",
        quiet_start="",
        quiet_end="",
        channels={},
    )


def save_preferences(user_id: int, data: dict) -> NotificationContact:
    contact = db.session.get(NotificationContact, user_id)
    if contact is None:
        contact = NotificationContact(user_id=user_id)
        db.session.add(contact)
    for name in ("email", "phone", "outbound", "mode", "quiet_start", "quiet_end"):
        setattr(contact, name, data[name])
    contact.channels = {category: sorted(set(picked)) for category, picked in data["channels"].items()}
    db.session.flush()
    return contact
