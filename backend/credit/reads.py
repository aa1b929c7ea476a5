"""Read credit grades: one enterprise's breakdown and history, the graded list, its
distribution and the change history (PWA credit screens, issue #8)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import Select, func, select

from backend.core.clock import today
from backend.core.errors import NotFound
from backend.core.pagination import Page, paginate
from backend.credit import rules
from backend.credit.config import current_config
from backend.credit.models import CreditGrade, CreditGradeChange
from backend.credit.recompute import graded_as_of, latest_cycle, latest_cycle_day
from backend.extensions import db
from backend.org.models import Enterprise
from backend.org.scope import Actor, own_records_scope
from backend.org.services import get_records_enterprise_for


def visible_grades(actor: Actor, filters: dict) -> Select:
    query = select(CreditGrade).where(
        own_records_scope(actor, CreditGrade.enterprise_id, CreditGrade.zone_id)
    )
    for key in ("grade", "zone_id"):
        if filters.get(key):
            query = query.where(getattr(CreditGrade, key) == filters[key])
    # by risk: D, C, B, A (the letters sort that way descending), the highest score (most risk) first
    return query.order_by(CreditGrade.grade.desc(), CreditGrade.score.desc(), CreditGrade.enterprise_id)


def _summary(grade: CreditGrade, name: str, cycle_day: date | None) -> dict:
    return {
        "enterprise_id": grade.enterprise_id,
        "enterprise_name": name,
        "zone_id": grade.zone_id,
        "grade": grade.grade,
        "score": grade.score,
        "as_of": graded_as_of(grade, cycle_day),
        "reasons": _reason_list(grade.reason_bits),
    }


def _reason_list(bits: int) -> list[dict]:
    return [{"code": r.value, "label": rules.REASON_LABELS[r]} for r in rules.reasons_of(bits)]


def facts_of(grade: CreditGrade, established_on: date | None) -> rules.Facts:
    values = {name: getattr(grade, name) for name in rules.ITEMS}
    return rules.Facts(
        established_on=established_on,
        last_accident_on=grade.last_accident_on,
        benchmark=bool(grade.benchmark),
        intrinsic_safety=bool(grade.intrinsic_safety),
        **values,
    )


def enterprise_credit(actor: Actor, enterprise_id: int) -> dict:
    """The grade with its breakdown, reasons, what to fix (信用修复) and its history."""
    enterprise = get_records_enterprise_for(actor, enterprise_id)
    grade = db.session.get(CreditGrade, enterprise.id)
    if grade is None:
        raise NotFound("该企业尚未评级，下一轮评级后可见 (not graded yet)", code="not_graded")
    config = current_config()
    # what a re-grade after a fix would see: this grade as the previous one
    facts = replace(
        facts_of(grade, enterprise.established_on),
        previous_grade=rules.Grade(grade.grade),
        last_c_on=grade.last_c_on,
    )
    groups = [
        {
            "group": g,
            "label": rules.GROUP_LABELS[g],
            "points": getattr(grade, g),
            "weight": config["weights"][g],
            "indicators": [
                {
                    "indicator": n,
                    "value": getattr(grade, n),
                    "points": round(rules.item_points(n, getattr(grade, n), config), 2),
                }
                for n, item in rules.ITEMS.items()
                if item[0] == g
            ],
        }
        for g in rules.GROUPS
    ]
    history = db.session.scalars(
        select(CreditGradeChange)
        .where(CreditGradeChange.enterprise_id == enterprise.id)
        .order_by(CreditGradeChange.id.desc())
        .limit(20)
    ).all()
    return _summary(grade, enterprise.name, latest_cycle_day()) | {
        "band_grade": grade.band_grade,
        "previous_grade": grade.previous_grade,
        "bands": config["bands"],
        "groups": groups,
        "repair": rules.repair_hints(facts, today(), config),
        "history": [
            {
                "from_grade": h.from_grade,
                "to_grade": h.to_grade,
                "score": h.score,
                "changed_on": h.changed_on,
                "cause": h.cause,
                "reasons": _reason_list(h.reason_bits),
            }
            for h in history
        ],
    }


def _grades_matching(actor: Actor, filters: dict) -> Select:
    """Grades in scope, filtered by grade, zone and part of the enterprise name or credit code."""
    query = visible_grades(actor, filters)
    if filters.get("q"):
        pattern = f"%{filters['q']}%"
        query = query.where(
            CreditGrade.enterprise_id.in_(
                select(Enterprise.id).where(
                    Enterprise.name.like(pattern) | Enterprise.credit_code.like(pattern)
                )
            )
        )
    return query


def search_grades(actor: Actor, filters: dict) -> Page:
    """Grades in scope matching the filters, highest risk first, with enterprise names."""
    page = paginate(_grades_matching(actor, filters), filters["page"], filters["per_page"])
    ids = [g.enterprise_id for g in page.items]
    names = dict(
        db.session.execute(select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(ids))).all()
    )
    cycle_day = latest_cycle_day()
    page.items = [_summary(g, names.get(g.enterprise_id, ""), cycle_day) for g in page.items]
    return page


def grade_counts(actor: Actor, filters: dict) -> dict:
    """How many enterprises in scope hold each grade (A/B/C/D), under the same zone and name
    filters, and the latest full cycle (the day every grade holds as of)."""
    matching = _grades_matching(actor, filters | {"grade": None}).order_by(None).subquery()
    rows = db.session.execute(select(matching.c.grade, func.count()).group_by(matching.c.grade))
    counts = dict.fromkeys([g.value for g in rules.Grade], 0) | dict(rows.all())
    return counts | {"total": sum(counts.values()), "latest_cycle": latest_cycle()}


def list_grade_changes(actor: Actor, enterprise_id: int, filters: dict) -> Page:
    """One enterprise's grade changes (信用修复 history), newest first; 404 out of scope."""
    enterprise = get_records_enterprise_for(actor, enterprise_id)
    query = (
        select(CreditGradeChange)
        .where(CreditGradeChange.enterprise_id == enterprise.id)
        .order_by(CreditGradeChange.changed_on.desc(), CreditGradeChange.id.desc())
    )
    page = paginate(query, filters["page"], filters["per_page"])
    page.items = [
        {
            "from_grade": h.from_grade,
            "to_grade": h.to_grade,
            "score": h.score,
            "changed_on": h.changed_on,
            "cause": h.cause,
            "reasons": _reason_list(h.reason_bits),
        }
        for h in page.items
    ]
    return page
