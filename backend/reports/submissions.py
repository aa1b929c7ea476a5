"""Submitting the monthly report (工作小结): the zone inspector's narrative and the month's figures,
frozen at submission and covered by the evidence chain; the bureau's list of who submitted."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from backend.core.auth import Role
from backend.core.clock import local_day, today, utcnow
from backend.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from backend.core.hashing import canonical_bytes, payload_hash
from backend.core.unique import flush_unique
from backend.evidence.services import append_evidence, append_evidence_batch, row_by_ref
from backend.extensions import db
from backend.org.models import Zone
from backend.org.scope import Actor
from backend.reports import rules
from backend.reports.models import MonthlyFiguresFreeze, MonthlyReportSubmission
from backend.reports.services import live_monthly_report, parse_month, zone_for

#: figures that are dates; stored as ISO strings, read back as dates
_DATE_KEYS = ("start", "end", "as_of", "due_on")
ALREADY_SUBMITTED = "该月工作小结已报送，报送后不能更改 (this month's report was already submitted)"


def _freeze(figures: dict) -> dict:
    """The figures as plain JSON (dates as ISO strings), exactly as hashed."""
    return json.loads(canonical_bytes(figures))


def _thaw(figures: dict) -> dict:
    return figures | {key: date.fromisoformat(figures[key]) for key in _DATE_KEYS if key in figures}


def content_of(submission: MonthlyReportSubmission) -> dict:
    """What the chain's hash covers: the zone, the month, the narrative and the frozen figures."""
    return {
        "zone_id": submission.zone_id,
        "month": submission.month,
        "summary": submission.summary,
        "problems": submission.problems,
        "next_steps": submission.next_steps,
        "figures": submission.figures,
    }


def submission_of(zone_id: int, month: str) -> MonthlyReportSubmission | None:
    return db.session.scalar(
        select(MonthlyReportSubmission).where(
            MonthlyReportSubmission.zone_id == zone_id, MonthlyReportSubmission.month == month
        )
    )


def freeze_of(zone_id: int, month: str) -> MonthlyFiguresFreeze | None:
    return db.session.scalar(
        select(MonthlyFiguresFreeze).where(
            MonthlyFiguresFreeze.zone_id == zone_id, MonthlyFiguresFreeze.month == month
        )
    )


def _frozen_or_live(zone: Zone, month: str) -> dict:
    frozen = freeze_of(zone.id, month)
    return frozen.figures if frozen is not None else _freeze(live_monthly_report(zone, month))


def freeze_unsubmitted(as_of: date) -> int:
    """Once the previous month's report is past due, freeze its figures for every zone that has
    not submitted (auto-frozen); the number frozen. Running again freezes nothing new."""
    month = rules.month_due(as_of)
    if as_of <= rules.report_due_on(month):
        return 0
    done = set(
        db.session.scalars(
            select(MonthlyReportSubmission.zone_id).where(MonthlyReportSubmission.month == month)
        )
    ) | set(
        db.session.scalars(select(MonthlyFiguresFreeze.zone_id).where(MonthlyFiguresFreeze.month == month))
    )
    zones = db.session.scalars(select(Zone).where(Zone.id.not_in(done)).order_by(Zone.id)).all()
    now = utcnow()
    freezes = [
        MonthlyFiguresFreeze(
            zone_id=zone.id, month=month, figures=_freeze(live_monthly_report(zone, month)), frozen_at=now
        )
        for zone in zones
    ]
    if not freezes:
        return 0
    db.session.add_all(freezes)
    db.session.flush()
    append_evidence_batch([("report.frozen", str(f.id), freeze_evidence(f)) for f in freezes])
    return len(freezes)


def submit_monthly_report(actor: Actor, data: dict) -> MonthlyReportSubmission:
    """The zone inspector submits a finished month once; its figures never change afterwards."""
    if actor.role != Role.inspector:
        raise Forbidden("只有辖区监管人员可以报送工作小结 (zone inspectors only)")
    zone = db.session.get(Zone, data["zone_id"]) if data["zone_id"] == actor.zone_id else None
    if zone is None:
        raise NotFound("辖区不存在或不在您的管辖范围 (zone not found)")
    month = data["month"]
    parse_month(month)
    if not rules.month_has_ended(month, today()):
        raise ValidationFailed(details={"fields": {"month": ["只能报送已结束的月份"]}})
    if submission_of(zone.id, month) is not None:
        raise Conflict(ALREADY_SUBMITTED)
    submission = MonthlyReportSubmission(
        zone_id=zone.id,
        month=month,
        summary=data["summary"],
        problems=data["problems"],
        next_steps=data["next_steps"],
        submitted_by_id=actor.id,
        late=rules.is_late(today(), month),
        figures=_frozen_or_live(zone, month),
    )
    submission.content_hash = payload_hash(content_of(submission))
    submission.evidence_seq = 0
    db.session.add(submission)
    flush_unique(ALREADY_SUBMITTED)
    entry = append_evidence("report.monthly", str(submission.id), report_evidence(submission))
    submission.evidence_seq = entry.seq
    return submission


def report_evidence(submission: MonthlyReportSubmission) -> dict:
    return {"zone_id": submission.zone_id, "month": submission.month, "content_hash": submission.content_hash}


def freeze_evidence(freeze: MonthlyFiguresFreeze) -> dict:
    """Every field of an auto-frozen month: the zone, the month, the figures and when they were frozen."""
    content = [freeze.id, freeze.zone_id, freeze.month, freeze.figures, freeze.frozen_at.isoformat()]
    return {"zone_id": freeze.zone_id, "month": freeze.month, "content_hash": payload_hash(content)}


def _freeze_problem(ref: str, data: dict) -> str | None:
    freeze = row_by_ref(MonthlyFiguresFreeze, ref)
    if freeze is None:
        return f"frozen figures {ref} are missing"
    recorded = {k: v for k, v in data.items() if k != "backfilled"}
    return None if freeze_evidence(freeze) == recorded else f"frozen figures {ref} were altered"


def report_evidence_problem(kind: str, ref: str, data: dict) -> str | None:
    """Does the stored report (or auto-frozen month) still match what the chain recorded?"""
    if kind == "report.frozen":
        return _freeze_problem(ref, data)
    submission = db.session.get(MonthlyReportSubmission, int(ref))
    if submission is None:
        return f"monthly report {ref} is missing"
    unchanged = payload_hash(content_of(submission)) == submission.content_hash
    if not unchanged or report_evidence(submission) != data:
        return f"monthly report {ref} was altered"
    return None


def submission_brief(submission: MonthlyReportSubmission) -> dict:
    return {
        "id": submission.id,
        "zone_id": submission.zone_id,
        "month": submission.month,
        "summary": submission.summary,
        "problems": submission.problems,
        "next_steps": submission.next_steps,
        "submitted_by_id": submission.submitted_by_id,
        "submitted_by_name": submission.submitted_by.display_name or submission.submitted_by.username,
        "submitted_at": submission.submitted_at,
        "submitted_on": local_day(submission.submitted_at),
        "late": submission.late,
        "content_hash": submission.content_hash,
        "evidence_seq": submission.evidence_seq,
    }


def monthly_report(actor: Actor, zone_id: int | None, month: str) -> dict:
    """A zone's report of the month: the frozen figures and narrative once submitted, live until then
    (the whole city, for the bureau, is always live)."""
    parse_month(month)
    zone = zone_for(actor, zone_id)
    submission = submission_of(zone.id, month) if zone else None
    if submission is not None:
        return _thaw(submission.figures) | {
            "frozen": True,
            "auto_frozen": False,
            "submission": submission_brief(submission),
        }
    auto = freeze_of(zone.id, month) if zone else None
    if auto is not None:
        return _thaw(auto.figures) | {"frozen": True, "auto_frozen": True, "submission": None}
    return live_monthly_report(zone, month) | {"frozen": False, "auto_frozen": False, "submission": None}


def submissions(actor: Actor, month: str) -> dict:
    """The bureau's view of a month: every zone, whether and when it submitted, late ones flagged."""
    if actor.role != Role.bureau_admin:
        raise Forbidden("只有市局可以查看各辖区报送情况 (bureau only)")
    parse_month(month)
    zones = db.session.scalars(select(Zone).order_by(Zone.id)).all()
    submitted = {
        s.zone_id: s
        for s in db.session.scalars(
            select(MonthlyReportSubmission).where(MonthlyReportSubmission.month == month)
        )
    }
    auto_frozen = set(
        db.session.scalars(select(MonthlyFiguresFreeze.zone_id).where(MonthlyFiguresFreeze.month == month))
    )
    due_on = rules.report_due_on(month)
    overdue = today() > due_on
    rows = [
        {
            "zone_id": zone.id,
            "zone_name": zone.name,
            "submitted": zone.id in submitted,
            "submission": submission_brief(submitted[zone.id]) if zone.id in submitted else None,
            "overdue": zone.id not in submitted and overdue,
            "auto_frozen": zone.id in auto_frozen and zone.id not in submitted,
        }
        for zone in zones
    ]
    return {
        "month": month,
        "due_on": due_on,
        "zones": rows,
        "submitted": len(submitted),
        "missing": len(zones) - len(submitted),
        "late": sum(s.late for s in submitted.values()),
    }
