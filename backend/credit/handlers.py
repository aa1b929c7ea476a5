"""Credit's subscriptions to the lower domains' events: a record that changes what an
enterprise is graded on re-grades it right after its commit (seed 002 第十三条)."""

from __future__ import annotations

from flask import Flask

from backend.core.events import subscribe_batch
from backend.credit.models import CreditGrade
from backend.credit.regrade import regrade_enterprise
from backend.extensions import db
from backend.inspections.services import GRADE_LOOKUP

#: the events that change an enterprise's indicators (hazards reported, rectified, closed…)
REGRADING_EVENTS = ("hazard.*", "complaint.substantiated")


def regrade_on_events(events: list[tuple[str, dict]]) -> None:
    """Re-grade each enterprise of one commit's events once: a grade depends on the state
    after the commit, not on how many events led there (a 50-op push re-grades once). The
    latest event of an enterprise names the cause in its grade history."""
    for enterprise_id, kind in _latest_kind_by_enterprise(events).items():
        regrade_enterprise(enterprise_id, kind)


def _latest_kind_by_enterprise(events: list[tuple[str, dict]]) -> dict[int, str]:
    return {payload["enterprise_id"]: kind for kind, payload in events}


def current_grade(enterprise_id: int) -> str | None:
    grade = db.session.get(CreditGrade, enterprise_id)
    return grade.grade if grade else None


def register_credit_handlers(app: Flask) -> None:
    for pattern in REGRADING_EVENTS:
        subscribe_batch(app, pattern, regrade_on_events)
    # the remote / electronic inspection mode depends on the grade (seed 002 第八、九条)
    app.extensions[GRADE_LOOKUP] = current_grade
