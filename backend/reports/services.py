"""Dashboard figures and the monthly report (工作小结), scoped to a zone or the bureau.

Each figure is one GROUP BY over its table, filtered by the caller's zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from backend.complaints.models import Complaint
from backend.complaints.rules import ComplaintStatus
from backend.core.auth import REGULATORS, Role
from backend.core.clock import today
from backend.core.errors import Forbidden, NotFound, ValidationFailed
from backend.credit.models import Accident, CreditGrade
from backend.credit.rules import years_before
from backend.devices.models import Device
from backend.devices.rules import DeviceStatus
from backend.devices.services import overdue_clause as device_overdue
from backend.evidence.models import EvidenceEntry
from backend.evidence.rules import GENESIS
from backend.extensions import db
from backend.hazards.models import Hazard
from backend.hazards.services import open_clause as hazard_open
from backend.hazards.services import overdue_clause as hazard_overdue
from backend.inspections.models import MutualCheckAssignment, MutualCheckCycle
from backend.org.models import Block, Enterprise, Zone
from backend.org.scope import Actor
from backend.reports import rules


def _zone_for(actor: Actor, zone_id: int | None) -> Zone | None:
    """The zone the figures cover: an inspector's own; the bureau's choice (None = all)."""
    if actor.role not in REGULATORS:
        raise Forbidden("只有监管人员可以查看统计 (regulators only)")
    if actor.role == Role.inspector:
        if zone_id not in (None, actor.zone_id) or actor.zone_id is None:
            raise NotFound("辖区不存在或不在您的管辖范围 (zone not found)")
        zone_id = actor.zone_id
    if zone_id is None:
        return None
    zone = db.session.get(Zone, zone_id)
    if zone is None:
        raise NotFound("辖区不存在 (zone not found)")
    return zone


def _at(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def _in_zone(query, column, zone: Zone | None):
    return query if zone is None else query.where(column == zone.id)


def device_figures(zone: Zone | None, as_of: date) -> dict:
    """Devices by category and status; overdue periodic inspections (超期未检)."""
    rows = db.session.execute(
        _in_zone(
            select(Device.category, Device.status, func.count()).group_by(Device.category, Device.status),
            Device.zone_id,
            zone,
        )
    ).all()
    overdue = db.session.scalar(
        _in_zone(select(func.count()).select_from(Device).where(device_overdue(as_of)), Device.zone_id, zone)
    )
    by_category: dict[str, dict[str, int]] = {}
    for category, status, count in rows:
        by_category.setdefault(category, {})[status] = count
    registered = sum(c for _cat, s, c in rows if s != DeviceStatus.scrapped)
    return {"by_category": by_category, "registered": registered, "overdue_inspections": overdue or 0}


def hazard_figures(zone: Zone | None, start: date, end: date, as_of: date) -> dict:
    """Hazards found and closed in the period, open and overdue now, rectification rate."""
    found_in = (Hazard.created_at >= _at(start)) & (Hazard.created_at < _at(end + timedelta(days=1)))
    closed = Hazard.closed_at.is_not(None)
    row = db.session.execute(
        _in_zone(
            select(
                func.count().filter(found_in),
                func.count().filter(found_in & closed),
                func.count().filter(
                    Hazard.closed_at >= _at(start), Hazard.closed_at < _at(end + timedelta(days=1))
                ),
                func.count().filter(hazard_open()),
                func.count().filter(hazard_overdue(as_of)),
                func.count().filter(found_in, Hazard.severity == "major"),
            ).select_from(Hazard),
            Hazard.zone_id,
            zone,
        )
    ).one()
    found, found_closed, closed_in, open_now, overdue, major = (int(v or 0) for v in row)
    return {
        "found": found,
        "closed": closed_in,
        "open": open_now,
        "overdue": overdue,
        "major_found": major,
        "rectification_rate": rules.rate(found_closed, found),
    }


def complaint_figures(zone: Zone | None, start: date, end: date) -> dict:
    query = (
        select(Complaint.status, func.count())
        .join(Enterprise, Enterprise.id == Complaint.enterprise_id)
        .where(Complaint.day >= start, Complaint.day <= end)
        .group_by(Complaint.status)
    )
    counts = dict(db.session.execute(_in_zone(query, Enterprise.zone_id, zone)).all())
    return {
        "received": sum(counts.values()),
        "substantiated": counts.get(ComplaintStatus.substantiated, 0),
        "pending": counts.get(ComplaintStatus.received, 0),
    }


def mutual_check_figures(zone: Zone | None, start: date, end: date) -> dict:
    """Mutual-check (互查) completion per block for the rounds running in the period."""
    task = MutualCheckAssignment
    query = (
        select(Block.id, Block.name, func.count(), func.count(task.check_id))
        .join(task, task.block_id == Block.id)
        .join(MutualCheckCycle, MutualCheckCycle.id == task.cycle_id)
        .where(MutualCheckCycle.starts_on <= end, MutualCheckCycle.due_on >= start)
        .group_by(Block.id, Block.name)
        .order_by(Block.id)
    )
    rows = db.session.execute(_in_zone(query, task.zone_id, zone)).all()
    by_block = [
        {
            "block_id": block_id,
            "block_name": name,
            "tasks": tasks,
            "done": done,
            "completion_rate": rules.share(done, tasks),
        }
        for block_id, name, tasks, done in rows
    ]
    tasks, done = sum(b["tasks"] for b in by_block), sum(b["done"] for b in by_block)
    return {"tasks": tasks, "done": done, "completion_rate": rules.share(done, tasks), "by_block": by_block}


def grade_figures(zone: Zone | None) -> dict:
    rows = db.session.execute(
        _in_zone(
            select(CreditGrade.grade, func.count()).group_by(CreditGrade.grade), CreditGrade.zone_id, zone
        )
    ).all()
    return dict.fromkeys("ABCD", 0) | dict(rows)


def accident_figures(zone: Zone | None, end: date, devices: int) -> dict:
    """Accidents and deaths over the 12 months to `end`, per 10,000 devices, against targets."""
    since = years_before(end, 1)
    accidents, deaths = db.session.execute(
        _in_zone(
            select(func.count(), func.coalesce(func.sum(Accident.deaths), 0)).where(
                Accident.occurred_on > since, Accident.occurred_on <= end
            ),
            Accident.zone_id,
            zone,
        )
    ).one()
    accident_rate, death_rate = rules.per_10k(accidents, devices), rules.per_10k(int(deaths), devices)
    return {
        "accidents_12m": accidents,
        "deaths_12m": int(deaths),
        "accidents_per_10k": accident_rate,
        "deaths_per_10k": death_rate,
        "accident_target": rules.ACCIDENT_RATE_TARGET,
        "death_target": rules.DEATH_RATE_TARGET,
        "accident_within_target": rules.within_target(accident_rate, rules.ACCIDENT_RATE_TARGET),
        "death_within_target": rules.within_target(death_rate, rules.DEATH_RATE_TARGET),
    }


def dashboard(actor: Actor, filters: dict) -> dict:
    """The dashboard of a zone (inspector: own zone) or of the city (bureau)."""
    zone = _zone_for(actor, filters.get("zone_id"))
    as_of = today()
    start = filters.get("start") or as_of.replace(day=1)
    end = filters.get("end") or as_of
    if end < start:
        raise ValidationFailed(details={"fields": {"end": ["不能早于开始日期"]}})
    return _figures(zone, start, end, as_of)


def _figures(zone: Zone | None, start: date, end: date, as_of: date) -> dict:
    devices = device_figures(zone, as_of)
    return {
        "zone_id": zone.id if zone else None,
        "zone_name": zone.name if zone else "全市",
        "start": start,
        "end": end,
        "devices": devices,
        "hazards": hazard_figures(zone, start, end, as_of),
        "complaints": complaint_figures(zone, start, end),
        "grades": grade_figures(zone),
        "mutual_checks": mutual_check_figures(zone, start, end),
        "accidents": accident_figures(zone, end, devices["registered"]),
    }


def chain_head_at(end: date) -> dict:
    """The evidence-chain head at the end of the period: seq and hash of its last entry."""
    entry = db.session.scalar(
        select(EvidenceEntry)
        .where(EvidenceEntry.at < _at(end + timedelta(days=1)))
        .order_by(EvidenceEntry.seq.desc())
        .limit(1)
    )
    return {"seq": entry.seq, "hash": entry.hash} if entry else {"seq": 0, "hash": GENESIS}


def monthly_report(actor: Actor, zone_id: int | None, month: str) -> dict:
    """The zone's monthly report (工作小结): the dashboard figures of the month and the chain head."""
    try:
        start, end = rules.month_bounds(month)
    except ValueError as error:
        raise ValidationFailed(details={"fields": {"month": ["格式为 YYYY-MM"]}}) from error
    zone = _zone_for(actor, zone_id)
    as_of = min(today(), end)
    return _figures(zone, start, end, as_of) | {
        "month": month,
        "due_on": rules.due_on(month),
        "chain_head": chain_head_at(end),
    }


CATEGORY_LABELS = {
    "boiler": "锅炉",
    "pressure_vessel": "压力容器",
    "gas_cylinder": "气瓶",
    "pressure_piping": "压力管道",
    "elevator": "电梯",
    "crane": "起重机械",
    "ropeway": "客运索道",
    "amusement_ride": "大型游乐设施",
    "field_vehicle": "场(厂)内机动车辆",
}


def report_rows(report: dict) -> list[tuple[str, str, object]]:
    """The report as (section, figure, value) rows: the XLSX sheet and the PDF table."""
    d, h, c, a = report["devices"], report["hazards"], report["complaints"], report["accidents"]
    rows: list[tuple[str, str, object]] = [
        ("设备", "在册设备（不含报废）", d["registered"]),
        ("设备", "超期未检", d["overdue_inspections"]),
    ]
    for category, statuses in sorted(d["by_category"].items()):
        rows.append(
            (
                "设备",
                f"{CATEGORY_LABELS.get(category, category)}（在用/停用/报废）",
                f"{statuses.get('in_use', 0)}/{statuses.get('idle', 0)}/{statuses.get('scrapped', 0)}",
            )
        )
    pct = lambda v: "—" if v is None else f"{v * 100:.1f}%"  # noqa: E731
    rows += [
        ("隐患", "本月发现", h["found"]),
        ("隐患", "其中重大隐患", h["major_found"]),
        ("隐患", "本月关闭", h["closed"]),
        ("隐患", "当前未关闭", h["open"]),
        ("隐患", "当前逾期", h["overdue"]),
        ("隐患", "整改率（本月发现已关闭）", pct(h["rectification_rate"])),
        ("投诉举报", "本月受理", c["received"]),
        ("投诉举报", "经查属实", c["substantiated"]),
        ("投诉举报", "待处理", c["pending"]),
    ]
    m = report["mutual_checks"]
    rows += [
        ("区块互查", "互查任务（已完成/总数）", f"{m['done']}/{m['tasks']}"),
        ("区块互查", "完成率", pct(m["completion_rate"])),
    ]
    rows += [
        ("区块互查", f"{b['block_name']}（已完成/总数）", f"{b['done']}/{b['tasks']}") for b in m["by_block"]
    ]
    rows += [("信用风险等级", f"{g} 级企业", n) for g, n in report["grades"].items()]
    fmt = lambda v: "—" if v is None else f"{v:.2f}"  # noqa: E731
    rows += [
        ("事故", "近12个月事故起数", a["accidents_12m"]),
        ("事故", "近12个月死亡人数", a["deaths_12m"]),
        ("事故", f"万台设备事故率（目标 < {a['accident_target']}）", fmt(a["accidents_per_10k"])),
        ("事故", f"万台设备死亡率（目标 < {a['death_target']}）", fmt(a["deaths_per_10k"])),
    ]
    head = report["chain_head"]
    rows += [("证据链", "期末链头序号", head["seq"]), ("证据链", "期末链头哈希", head["hash"])]
    return rows
