"""What `flask evidence verify` checks: each domain's record checks, the records the chain must
cover, the stored photo files and the signed checkpoint."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from sqlalchemy import select

from backend.complaints.models import Complaint
from backend.complaints.services import complaint_evidence_problem
from backend.core.history import HistoryEntry
from backend.credit.models import Accident, EnforcementCase
from backend.credit.records import credit_evidence_problem
from backend.evidence.history import (
    HISTORY_CHANGE,
    awaiting_history_ids,
    backfill_history_entries,
    history_evidence_problem,
)
from backend.evidence.models import EvidenceEntry
from backend.evidence.services import Audit, Coverage, RecordCheck, append_evidence_batch, checkpoint_key
from backend.extensions import db
from backend.hazards.models import Hazard, HazardEvent
from backend.hazards.services import hazard_evidence_problem, hazard_state_problem
from backend.inspections.models import Check
from backend.inspections.services import check_evidence_problem
from backend.maintenance.models import MaintenanceRecord
from backend.maintenance.services import maintenance_evidence_problem
from backend.measures.models import DeviceOrder
from backend.measures.services import order_evidence, order_evidence_problem, order_state_problem
from backend.notices.models import Notice
from backend.notices.services import notice_evidence_problem
from backend.photos.models import Photo
from backend.photos.services import stored_file_digests
from backend.reports.models import MonthlyFiguresFreeze
from backend.reports.submissions import freeze_evidence, report_evidence_problem

#: hazard events that are not chain entries of their own: the report (hazard.create covers it)
#: and the note a notice leaves (notice.issue covers it)
UNCHAINED_HAZARD_EVENTS = ("report", "notice_issued")


def record_checks() -> dict[str, RecordCheck]:
    return {
        "hazard.": hazard_evidence_problem,
        "notice.": notice_evidence_problem,
        "complaint.": complaint_evidence_problem,
        "check.": check_evidence_problem,
        "accident.": credit_evidence_problem,
        "enforcement.": credit_evidence_problem,
        "report.": report_evidence_problem,
        "maintenance.": maintenance_evidence_problem,
        "order.": order_evidence_problem,
        "history.": history_evidence_problem,
    }


def checkpoint_key_of_app() -> str:
    return checkpoint_key(current_app.config["SECRET_KEY"], current_app.config.get("EVIDENCE_CHECKPOINT_KEY"))


def evidence_audit(checkpoint: dict | None = None) -> Audit:
    return Audit(
        states={"hazard.": hazard_state_problem, "order.": order_state_problem},
        coverage=covered_records(),
        file_digest=stored_file_digests,
        checkpoint=checkpoint,
        checkpoint_key=checkpoint_key_of_app(),
    )


def covered_records() -> list[Coverage]:
    """Every record of these kinds must have its chain entry: a row added behind the app's back fails."""
    return [
        _by_ref("hazard", Hazard.id, "hazard.create"),
        Coverage(
            "hazard step",
            _ids(select(HazardEvent.id).where(HazardEvent.action.not_in(UNCHAINED_HAZARD_EVENTS))),
            _step_event,
        ),
        _by_ref("check", Check.id, "check.submit"),
        _by_ref("notice", Notice.id, "notice.issue"),
        _by_ref("complaint", Complaint.id, "complaint.create"),
        _by_ref("accident", Accident.id, "accident.record"),
        _by_ref("enforcement case", EnforcementCase.id, "enforcement.open"),
        _by_ref("maintenance record", MaintenanceRecord.id, "maintenance.record"),
        _by_ref("device order", DeviceOrder.id, "order.issue"),
        _by_ref("frozen monthly figures", MonthlyFiguresFreeze.id, "report.frozen"),
        # a photo stored before the chain hashed files needs `flask evidence backfill-photos` first
        _by_ref("photo", Photo.sha256, "photo.store"),
        # the history of devices, enterprises, people, certificates, users, credit config and plans
        _by_ref("history entry", HistoryEntry.id, HISTORY_CHANGE, awaiting=awaiting_history_ids),
    ]


def _ids(query):
    return lambda: (str(i) for i in db.session.scalars(query))


def _by_ref(name: str, column, kind: str, awaiting: Callable[[], set[str]] | None = None) -> Coverage:
    def covers(entry: EvidenceEntry, _data: dict) -> str | None:
        return entry.ref if entry.kind == kind else None

    return Coverage(name, _ids(select(column)), covers, awaiting)


def _step_event(entry: EvidenceEntry, data: dict) -> str | None:
    if entry.kind.startswith("hazard.") and entry.kind != "hazard.create":
        return data.get("event")
    return None


def backfill_record_entries() -> int:
    """Give the device orders, auto-frozen months and history rows made before the chain covered them
    their entry (`flask evidence backfill-records`); idempotent. Like a backfilled photo, such an entry
    proves the record unchanged from the backfill on, not before it (its body says `"backfilled": true`)."""
    orders = db.session.scalars(select(DeviceOrder).order_by(DeviceOrder.id))
    freezes = db.session.scalars(select(MonthlyFiguresFreeze).order_by(MonthlyFiguresFreeze.id))
    events = _missing("order.issue", [(str(o.id), order_evidence(o)) for o in orders])
    events += _missing("report.frozen", [(str(z.id), freeze_evidence(z)) for z in freezes])
    if events:
        append_evidence_batch(events)
    return len(events) + backfill_history_entries()


def _missing(kind: str, records: list[tuple[str, dict]]) -> list[tuple[str, str, dict]]:
    covered = set(db.session.scalars(select(EvidenceEntry.ref).where(EvidenceEntry.kind == kind)))
    return [(kind, ref, data | {"backfilled": True}) for ref, data in records if ref not in covered]
