"""信息公示 (seed 004 item 10: 及时公布本市特种设备安全总体状况; seed 002 第十一条第四项):
the city's aggregate figures for anyone, with no person, hazard or device of any enterprise named
except the enterprises on the serious-violation list."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from backend.core.clock import today
from backend.devices.rules import CATEGORY_LABELS
from backend.extensions import db
from backend.measures.services import public_listings
from backend.plans.models import InspectionPlan, ItemStatus, PlanItem, PlanStatus
from backend.reports import rules
from backend.reports.services import accident_figures, device_figures, hazard_figures

#: plans shown: the latest published ones
PLAN_LIMIT = 20


def disclosure(as_of: date | None = None) -> dict:
    as_of = as_of or today()
    year_start = date(as_of.year, 1, 1)
    devices = device_figures(None, as_of)
    in_use = sum(counts.get("in_use", 0) for counts in devices["by_category"].values())
    hazards = hazard_figures(None, year_start, as_of, as_of)
    return {
        "as_of": as_of,
        "devices": {
            "registered": devices["registered"],
            "by_category": [
                {
                    "category": category,
                    "label": label,
                    "count": _registered(devices["by_category"].get(category)),
                }
                for category, label in CATEGORY_LABELS.items()
            ],
            "in_use": in_use,
            "overdue": devices["overdue_inspections"],
            "inspection_rate": rules.rate(in_use - devices["overdue_inspections"], in_use),
        },
        "accidents": accident_figures(None, as_of, devices["registered"]),
        "hazards": {
            "since": year_start,
            "found": hazards["found"],
            "rectified": hazards["closed"],
            "major_found": hazards["major_found"],
            "rectification_rate": hazards["rectification_rate"],
        },
        "plans": _published_plans(),
        "serious_violations": public_listings(),
    }


def _registered(counts: dict[str, int] | None) -> int:
    return sum(n for status, n in (counts or {}).items() if status != "scrapped")


def _published_plans() -> list[dict]:
    done = PlanItem.status != ItemStatus.pending
    rows = db.session.execute(
        select(
            InspectionPlan.id,
            InspectionPlan.title,
            InspectionPlan.period_start,
            InspectionPlan.period_end,
            func.count(PlanItem.id),
            func.count(PlanItem.id).filter(done),
            func.coalesce(func.sum(PlanItem.findings), 0),
        )
        .join(PlanItem, PlanItem.plan_id == InspectionPlan.id)
        .where(InspectionPlan.status == PlanStatus.published)
        .group_by(InspectionPlan.id)
        .order_by(InspectionPlan.published_at.desc(), InspectionPlan.id.desc())
        .limit(PLAN_LIMIT)
    ).all()
    return [
        {
            "id": plan_id,
            "title": title,
            "period_start": start,
            "period_end": end,
            "items": items,
            "done": executed,
            "findings": int(findings),
            "execution_rate": rules.rate(executed, items),
        }
        for plan_id, title, start, end, items, executed, findings in rows
    ]
