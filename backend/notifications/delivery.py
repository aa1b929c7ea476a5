"""Sending inbox notifications out: urgent ones at once, the rest in one daily digest per
person (or at once, for those who chose so), each person's preferred channels per kind and
quiet hours respected. An immediate notification is marked delivered only when every channel
took it, so a refused send is tried again by the next run (the run is recorded as failed)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from sqlalchemy import Select, or_, select, update

from backend.core.clock import CHINA_TZ, utcnow
from backend.extensions import db
from backend.notifications import rules
from backend.notifications.channels import ChannelError, Channels
from backend.notifications.models import DigestSent, Notification, NotificationContact, PublicSms

log = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def as_counts(self) -> dict:
        counts: dict = {"sent": self.sent, "failed": self.failed}
        if self.errors:
            counts["error"] = "; ".join(dict.fromkeys(self.errors))[:2000]
        return counts


def _contacts(user_ids: set[int]) -> dict[int, NotificationContact]:
    if not user_ids:
        return {}
    rows = db.session.scalars(select(NotificationContact).where(NotificationContact.user_id.in_(user_ids)))
    return {c.user_id: c for c in rows}


def _attempt(report: DeliveryReport, send: Callable[[], None]) -> bool:
    try:
        send()
    except ChannelError as exc:
        log.warning("notification channel failed: %s", exc)
        report.failed += 1
        report.errors.append(str(exc))
        return False
    return True


def _mark_delivered(ids: list[int]) -> None:
    if ids:
        db.session.execute(
            update(Notification)
            .where(Notification.id.in_(ids), Notification.delivered_at.is_(None))
            .values(delivered_at=utcnow())
        )


def _quiet(contact: NotificationContact | None, now: datetime) -> bool:
    if contact is None:
        return False
    return rules.in_quiet_hours(contact.quiet_start, contact.quiet_end, now.astimezone(CHINA_TZ).time())


def _immediate_users() -> Select:
    return select(NotificationContact.user_id).where(NotificationContact.mode == "immediate")


def deliver_urgent(channels: Channels, now: datetime) -> DeliveryReport:
    """Each urgent notification not yet delivered (to the groups and the person's channels), and
    the non-urgent ones of people who chose `immediate`, except inside their quiet hours (those
    wait: a later tick delivers them once the quiet hours end)."""
    report = DeliveryReport()
    pending = list(
        db.session.scalars(
            select(Notification)
            .where(
                Notification.delivered_at.is_(None),
                or_(Notification.urgent.is_(True), Notification.user_id.in_(_immediate_users())),
            )
            .order_by(Notification.id)
            .limit(500)
        )
    )
    contacts = _contacts({n.user_id for n in pending})
    delivered = []
    for notification in pending:
        contact = contacts.get(notification.user_id)
        if not notification.urgent and _quiet(contact, now):
            continue
        if _send_now(channels, notification, contact, report):
            delivered.append(notification.id)
            report.sent += 1
    _mark_delivered(delivered)
    return report


def _send_now(
    channels: Channels,
    notification: Notification,
    contact: NotificationContact | None,
    report: DeliveryReport,
) -> bool:
    title, text = notification.title, notification.body
    sends: list[Callable[[], None]] = []
    if notification.urgent:
        sends.append(lambda: channels.post_to_groups(title, text))
    if contact is not None and contact.outbound:
        wanted = rules.channels_for(contact.channels or {}, notification.kind)
        if "sms" in wanted:
            sends.append(lambda: channels.sms(contact.phone, notification.kind, f"{title}：{text}"))
        if "email" in wanted:
            sends.append(lambda: channels.email(contact.email, title, text))
    accepted = [_attempt(report, send) for send in sends]  # every channel, even after one fails
    return all(accepted)


def send_digests(channels: Channels, now: datetime) -> DeliveryReport:
    """From DIGEST_HOUR on, one digest a day per person of the notifications not delivered yet
    (by e-mail, for the kinds they take by e-mail), and one summary to the groups. A person in
    quiet hours gets theirs at the first run after they end; `immediate` people get none."""
    report = DeliveryReport()
    local = now.astimezone(CHINA_TZ)
    if local.hour < rules.DIGEST_HOUR:
        return report
    already = select(DigestSent.user_id).where(DigestSent.day == local.date())
    pending = db.session.scalars(
        select(Notification)
        .where(
            Notification.delivered_at.is_(None),
            Notification.user_id.not_in(_immediate_users()),
            Notification.user_id.not_in(already),
        )
        .order_by(Notification.id)
    )
    per_user: dict[int, list[Notification]] = {}
    for notification in pending:
        per_user.setdefault(notification.user_id, []).append(notification)
    contacts = _contacts(set(per_user))
    per_user = {user: items for user, items in per_user.items() if not _quiet(contacts.get(user), local)}
    delivered: list[int] = []
    for user_id, items in per_user.items():
        if _mail_digest(channels, contacts.get(user_id), items, report):
            delivered.extend(n.id for n in items)
            db.session.add(DigestSent(user_id=user_id, day=local.date()))
            report.sent += 1
    _mark_delivered(delivered)  # a person's digest is theirs: a refused group summary never resends it
    if per_user:
        summary = _group_summary(per_user)
        _attempt(report, lambda: channels.post_to_groups("每日提醒汇总", summary))
    return report


def _mail_digest(
    channels: Channels, contact: NotificationContact | None, items: list[Notification], report: DeliveryReport
) -> bool:
    if contact is None or not contact.outbound:
        return True
    mailed = [n for n in items if "email" in rules.channels_for(contact.channels or {}, n.kind)]
    if not mailed:
        return True
    return _attempt(
        report, partial(channels.email, contact.email, digest_subject(mailed), digest_text(mailed))
    )


def digest_subject(items: list[Notification]) -> str:
    return f"特种设备安全提醒：{len(items)} 条待办"


def digest_text(items: list[Notification]) -> str:
    return "\n".join(f"· {n.title}\n  {n.body}" for n in items)


def _group_summary(per_user: dict[int, list[Notification]]) -> str:
    kinds: dict[str, int] = {}
    for items in per_user.values():
        for n in items:
            kinds[n.kind] = kinds.get(n.kind, 0) + 1
    lines = [f"- {kind}: {count}" for kind, count in sorted(kinds.items())]
    return f"{len(per_user)} 人有新提醒\n" + "\n".join(lines)


@dataclass(frozen=True)
class PublicText:
    """An SMS to someone outside the system; `subject` keeps it to once."""

    subject: str
    phone: str
    template: str
    text: str


def send_public_texts(channels: Channels, texts: Iterable[PublicText]) -> DeliveryReport:
    """Each text through the SMS gateway, recorded once accepted (a refused one is tried again
    next run). Without a gateway nothing is sent or recorded: they go once one is configured."""
    report = DeliveryReport()
    if not channels.sms_url:
        return report
    for text in texts:
        if _attempt(report, partial(channels.sms, text.phone, text.template, text.text)):
            db.session.add(PublicSms(subject=text.subject, sent_at=utcnow()))
            db.session.flush()
            report.sent += 1
    return report
