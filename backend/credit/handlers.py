"""Credit's subscriptions to the lower domains' events: a record that changes what an
enterprise is graded on re-grades it right after its commit (seed 002 第十三条)."""

from __future__ import annotations

from flask import Flask

from backend.core.events import subscribe
from backend.credit.services import regrade_enterprise

#: the events that change an enterprise's indicators (hazards reported, rectified, closed…)
REGRADING_EVENTS = ("hazard.*", "complaint.substantiated")


def regrade_on_event(kind: str, payload: dict) -> None:
    regrade_enterprise(payload["enterprise_id"], kind)


def register_credit_handlers(app: Flask) -> None:
    for pattern in REGRADING_EVENTS:
        subscribe(app, pattern, regrade_on_event)
