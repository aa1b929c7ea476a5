"""Immediate notifications from the lower domains' events (core.events): a returned
rectification reaches the safety manager right after the inspector's commit, not at the
next tick. The reminder job sends the same message under the same key, so it arrives once."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from backend.complaints.models import Complaint
from backend.complaints.rules import ComplaintCategory
from backend.core.events import subscribe
from backend.extensions import db
from backend.hazards.models import Hazard, HazardEvent
from backend.hazards.rules import Action
from backend.jobs.reminders import managers_of, returned_messages
from backend.maintenance.services import open_order_for_complaint
from backend.notifications.services import notify


def notify_returned_rectification(_kind: str, payload: dict) -> None:
    hazard = db.session.get(Hazard, payload["hazard_id"])
    if hazard is None:
        return
    event = db.session.scalars(
        select(HazardEvent)
        .where(HazardEvent.hazard_id == hazard.id, HazardEvent.action == Action.return_.value)
        .order_by(HazardEvent.at.desc())
        .limit(1)
    ).first()
    if event is not None:
        notify(returned_messages(event, hazard, managers_of(hazard.enterprise_id)))


def open_rescue_for_trapped_passengers(_kind: str, payload: dict) -> None:
    """电梯困人 reported from the label page: the maintenance company gets an urgent order at once."""
    if payload.get("category") != ComplaintCategory.elevator_trapped:
        return
    complaint = db.session.get(Complaint, payload["complaint_id"])
    if complaint is not None:
        open_order_for_complaint(payload["device_id"], complaint.ticket_no, complaint.description)


def register_notification_handlers(app: Flask) -> None:
    subscribe(app, f"hazard.{Action.return_.value}", notify_returned_rectification)
    subscribe(app, "complaint.received", open_rescue_for_trapped_passengers)
