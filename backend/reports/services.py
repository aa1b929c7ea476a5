"""Dashboard figures and the monthly report (工作小结), scoped to a zone or the bureau.

Each figure is one GROUP BY over its table, filtered by the caller's zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, Subquery, case, distinct, func, or_, select

from backend.complaints.models import Complaint
from backend.complaints.rules import ComplaintStatus
from backend.core.auth import REGULATORS, Role
from backend.core.clock import local_midnight, today
from backend.core.errors import Forbidden, NotFound, ValidationFailed
from backend.credit.models import Accident, CreditGrade
from backend.credit.rules import years_before
from backend.devices.models import Device
from backend.devices.rules import LONG_IDLE_DAYS, DeviceStatus
from backend.devices.services import overdue_clause as device_overdue
from backend.evidence.models import EvidenceEntry
from backend.evidence.rules import GENESIS
from backend.extensions import db
from backend.hazards.models import Hazard
from backend.hazards.services import open_clause as hazard_open
from backend.hazards.services import overdue_clause as hazard_overdue
from backend.inspections.models import Check, MutualCheckAssignment, MutualCheckCycle
from backend.inspections.rules import CheckKind, Period, Rhythm, periods_between
from backend.notices.models import Notice
from backend.notices.rules import KIND_TITLES, NoticeKind
from backend.org.models import Block, Certificate, CertificateKind, Enterprise, Person, Zone
from backend.org.scope import Actor
from backend.plans.models import InspectionPlan, ItemStatus, PlanItem, PlanStatus
from backend.reports import rules


def zone_for(actor: Actor, zone_id: int | None) -> Zone | None:
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
    zone = zone_for(actor, filters.get("zone_id"))
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


def parse_month(month: str) -> tuple[date, date]:
    try:
        return rules.month_bounds(month)
    except ValueError as error:
        raise ValidationFailed(details={"fields": {"month": ["格式为 YYYY-MM"]}}) from error


def live_monthly_report(zone: Zone | None, month: str) -> dict:
    """The month's figures computed now from the records (a month not yet submitted)."""
    start, end = parse_month(month)
    as_of = min(today(), end)
    figures = _figures(zone, start, end, as_of)
    figures["devices"]["long_idle"] = long_idle_count(zone, as_of)
    figures["hazards"] |= hazard_breakdown(zone, start, end)
    return figures | {
        "month": month,
        "as_of": as_of,
        "due_on": rules.report_due_on(month),
        "chain_head": chain_head_at(end),
        "self_checks": self_check_figures(zone, start, as_of),
        "plans": plan_figures(zone, start, end),
        "notices": notice_figures(zone, start, end),
        "key_devices": key_device_figures(zone, as_of),
    }


def long_idle_count(zone: Zone | None, as_of: date) -> int:
    """Devices stopped (停用) for a year or more by `as_of` (长期停用, seed 004)."""
    cutoff = as_of - timedelta(days=LONG_IDLE_DAYS)
    query = (
        select(func.count())
        .select_from(Device)
        .where(Device.status == DeviceStatus.idle, Device.idle_since <= cutoff)
    )
    return db.session.scalar(_in_zone(query, Device.zone_id, zone)) or 0


def hazard_breakdown(zone: Zone | None, start: date, end: date) -> dict:
    """Hazards found in the period by source, and the major ones apart, with their rectification rates."""
    found_in = (Hazard.created_at >= _at(start)) & (Hazard.created_at < _at(end + timedelta(days=1)))
    closed = Hazard.closed_at.is_not(None)
    query = (
        select(Hazard.source, Hazard.severity, func.count(), func.count().filter(closed))
        .where(found_in)
        .group_by(Hazard.source, Hazard.severity)
    )
    rows = db.session.execute(_in_zone(query, Hazard.zone_id, zone)).all()
    by_source: dict[str, dict] = {}
    major = {"found": 0, "closed": 0}
    for source, severity, found, closed_count in rows:
        entry = by_source.setdefault(source, {"found": 0, "closed": 0})
        entry["found"] += found
        entry["closed"] += closed_count
        if severity == "major":
            major["found"] += found
            major["closed"] += closed_count
    for entry in (*by_source.values(), major):
        entry["rectification_rate"] = rules.rate(entry["closed"], entry["found"])
    return {"by_source": dict(sorted(by_source.items())), "major": major}


def self_check_figures(zone: Zone | None, start: date, as_of: date) -> dict:
    """日管控 (per device in use), 周排查 and 月调度 (per enterprise): periods ended in the month
    up to `as_of`, and how many have a check recorded in time (补录 does not count).

    Counted in the database: owners by the day they count from (the month's first day, or the
    China-time day they were registered), their checks by owner cohort and period."""
    tallies = dict.fromkeys(Rhythm, (0, 0))
    if as_of >= start:
        days = [start + timedelta(days=k) for k in range((as_of - start).days + 1)]
        devices = _self_check_owners(Rhythm.daily, zone, days).subquery()
        enterprises = _self_check_owners(Rhythm.weekly, zone, days).subquery()
        enterprise_cohorts = _cohorts(enterprises, days)  # the same for 周排查 and 月调度
        for rhythm in Rhythm:
            owners = devices if rhythm == Rhythm.daily else enterprises
            cohorts = _cohorts(devices, days) if rhythm == Rhythm.daily else enterprise_cohorts
            tallies[rhythm] = _self_check_tally(rhythm, zone, owners, cohorts, days)
    return {r.value: {"expected": e, "done": d, "rate": rules.rate(d, e)} for r, (e, d) in tallies.items()}


def _cohorts(owners: Subquery, days: list[date]) -> dict[date, int]:
    """How many owners count from each day."""
    rows = db.session.execute(select(owners.c.since, func.count()).group_by(owners.c.since))
    return {days[since]: count for since, count in rows}


def _self_check_tally(
    rhythm: Rhythm, zone: Zone | None, owners: Subquery, cohorts: dict[date, int], days: list[date]
) -> tuple[int, int]:
    periods = periods_between(rhythm, days[0], days[-1])
    checks = _self_check_periods(rhythm, zone, periods, days[-1]).subquery()
    done = db.session.execute(
        select(owners.c.since, checks.c.period, func.count(distinct(checks.c.owner_id)))
        .join(owners, owners.c.owner_id == checks.c.owner_id)
        .group_by(owners.c.since, checks.c.period)
    )
    return rules.cohort_periods_done(
        rhythm,
        cohorts,
        {(days[since], periods[period].start): count for since, period, count in done},
        days[-1],
    )


def _self_check_owners(rhythm: Rhythm, zone: Zone | None, days: list[date]) -> Select:
    """(owner_id, since): devices in use (日管控) or enterprises using one (周排查, 月调度)
    registered by the end of the last day, with the index in `days` of the day they count from."""
    in_use = Device.status == DeviceStatus.in_use
    if rhythm == Rhythm.daily:
        owner, created_at, zone_id, counted = Device.id, Device.created_at, Device.zone_id, in_use
    else:
        owner, created_at, zone_id = Enterprise.id, Enterprise.created_at, Enterprise.zone_id
        counted = Enterprise.id.in_(select(Device.enterprise_id).where(in_use))
    since = case(*[(created_at < local_midnight(day + timedelta(days=1)), k) for k, day in enumerate(days)])
    query = select(owner.label("owner_id"), since.label("since")).where(
        counted, created_at < local_midnight(days[-1] + timedelta(days=1))
    )
    return _in_zone(query, zone_id, zone)


def _self_check_periods(rhythm: Rhythm, zone: Zone | None, periods: list[Period], as_of: date) -> Select:
    """(owner_id, period): the rhythm's self-checks recorded in time up to `as_of`, with the index in
    `periods` of the period each falls in; the owner is the device (日管控) or the enterprise."""
    owner = Check.device_id if rhythm == Rhythm.daily else Check.enterprise_id
    period = case(*[(Check.performed_on <= p.end, k) for k, p in enumerate(periods)])
    query = select(owner.label("owner_id"), period.label("period")).where(
        Check.kind == CheckKind.self_check,
        Check.subkind == rhythm,
        Check.performed_on >= periods[0].start,
        Check.performed_on <= as_of,
        Check.late.is_(False),
    )
    return _in_zone(query, Check.zone_id, zone)


def plan_figures(zone: Zone | None, start: date, end: date) -> dict:
    """Published random-inspection plans running in the month: items done by its end (执行率)."""
    item_done = (PlanItem.status != ItemStatus.pending) & (PlanItem.done_on <= end)
    query = (
        select(func.count(), func.count().filter(item_done))
        .select_from(PlanItem)
        .join(InspectionPlan, InspectionPlan.id == PlanItem.plan_id)
        .where(
            InspectionPlan.status == PlanStatus.published,
            InspectionPlan.period_start <= end,
            InspectionPlan.period_end >= start,
        )
    )
    items, done = db.session.execute(_in_zone(query, InspectionPlan.zone_id, zone)).one()
    return {"items": items, "done": done, "execution_rate": rules.rate(done, items)}


def notice_figures(zone: Zone | None, start: date, end: date) -> dict:
    """Escalation notices (三书一函) issued in the month, by kind."""
    query = (
        select(Notice.kind, func.count())
        .where(Notice.issued_on >= start, Notice.issued_on <= end)
        .group_by(Notice.kind)
    )
    counts = dict(db.session.execute(_in_zone(query, Notice.zone_id, zone)).all())
    by_kind = {kind.value: counts.get(kind.value, 0) for kind in NoticeKind}
    return {"issued": sum(by_kind.values()), "by_kind": by_kind}


def key_device_figures(zone: Zone | None, as_of: date) -> dict:
    """Key-monitored devices (重点监控): use registration, periodic inspection in date, and the valid
    operator certificates of their using units (seed 003 wants each at 100 %)."""
    key = Device.key_monitored.is_(True) & (Device.status != DeviceStatus.scrapped)
    counts = select(func.count(), func.count().filter(device_overdue(as_of))).where(key)
    devices, overdue = db.session.execute(_in_zone(counts, Device.zone_id, zone)).one()
    # apart, so the count above reads only ix_devices_key_enterprise_status (the unique index finds '')
    unregistered = db.session.scalar(
        _in_zone(select(func.count()).where(key, Device.registration_no == ""), Device.zone_id, zone)
    )
    registered = devices - (unregistered or 0)
    users = _in_zone(select(Device.enterprise_id).where(key), Device.zone_id, zone)
    valid = or_(Certificate.expires_on.is_(None), Certificate.expires_on >= as_of)
    operators, certified = db.session.execute(
        select(func.count(), func.count().filter(valid))
        .select_from(Certificate)
        .join(Person, Person.id == Certificate.person_id)
        .where(Certificate.kind == CertificateKind.operator, Person.enterprise_id.in_(users))
    ).one()
    inspected = devices - (overdue or 0)
    return {
        "devices": devices,
        "registered": registered,
        "registration_rate": rules.rate(registered, devices),
        "inspected": inspected,
        "inspection_rate": rules.rate(inspected, devices),
        "operators": operators,
        "operators_certified": certified,
        "certification_rate": rules.rate(certified, operators),
        "target": rules.KEY_DEVICE_RATE_TARGET,
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


HAZARD_SOURCE_LABELS = {
    "self_check": "企业自查",
    "mutual_check": "区块互查",
    "inspection": "监督检查",
    "complaint": "投诉举报",
}
#: the narrative the zone writes (seed 001: 总结经验、分析问题、提出意见建议)
NARRATIVE_HEADINGS = {"summary": "经验做法", "problems": "存在问题", "next_steps": "意见建议"}
RHYTHM_LABELS = {"daily": "日管控", "weekly": "周排查", "monthly": "月调度"}


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _ratio(done: int, whole: int, rate: float | None) -> str:
    return f"{done}/{whole}（{_pct(rate)}）"


def report_rows(report: dict) -> list[tuple[str, str, object]]:
    """The report as (section, figure, value) rows: the XLSX sheet and the PDF table."""
    submission = report.get("submission")
    rows: list[tuple[str, str, object]] = (
        [("工作小结", heading, submission[key]) for key, heading in NARRATIVE_HEADINGS.items()]
        if submission
        else []
    )
    rows += _device_rows(report) + _field_work_rows(report) + _hazard_rows(report) + _outcome_rows(report)
    head = report["chain_head"]
    rows += [("证据链", "期末链头序号", head["seq"]), ("证据链", "期末链头哈希", head["hash"])]
    return rows


def _device_rows(report: dict) -> list[tuple[str, str, object]]:
    d = report["devices"]
    rows: list[tuple[str, str, object]] = [
        ("设备", "在册设备（不含报废）", d["registered"]),
        ("设备", "超期未检", d["overdue_inspections"]),
    ]
    if "long_idle" in d:
        rows.append(("设备", "长期停用（一年以上）", d["long_idle"]))
    for category, statuses in sorted(d["by_category"].items()):
        rows.append(
            (
                "设备",
                f"{CATEGORY_LABELS.get(category, category)}（在用/停用/报废）",
                f"{statuses.get('in_use', 0)}/{statuses.get('idle', 0)}/{statuses.get('scrapped', 0)}",
            )
        )
    k = report.get("key_devices")
    if k:
        rows += [
            ("重点监控设备", "设备数", k["devices"]),
            (
                "重点监控设备",
                "使用登记率（目标 100%）",
                _ratio(k["registered"], k["devices"], k["registration_rate"]),
            ),
            (
                "重点监控设备",
                "定检率（目标 100%）",
                _ratio(k["inspected"], k["devices"], k["inspection_rate"]),
            ),
            (
                "重点监控设备",
                "作业人员持证率（目标 100%）",
                _ratio(k["operators_certified"], k["operators"], k["certification_rate"]),
            ),
        ]
    return rows


def _field_work_rows(report: dict) -> list[tuple[str, str, object]]:
    rows: list[tuple[str, str, object]] = [
        (
            "企业自查",
            f"{RHYTHM_LABELS[rhythm]}（按时完成/应完成）",
            _ratio(t["done"], t["expected"], t["rate"]),
        )
        for rhythm, t in report.get("self_checks", {}).items()
    ]
    m = report["mutual_checks"]
    rows += [
        ("区块互查", "互查任务（已完成/总数）", f"{m['done']}/{m['tasks']}"),
        ("区块互查", "完成率", _pct(m["completion_rate"])),
    ]
    rows += [
        ("区块互查", f"{b['block_name']}（已完成/总数）", f"{b['done']}/{b['tasks']}") for b in m["by_block"]
    ]
    p = report.get("plans")
    if p:
        rows.append(
            ("双随机检查", "计划执行率（已检查/计划数）", _ratio(p["done"], p["items"], p["execution_rate"]))
        )
    n = report.get("notices")
    if n:
        rows += [("三书一函", KIND_TITLES[NoticeKind(kind)], count) for kind, count in n["by_kind"].items()]
    return rows


def _hazard_rows(report: dict) -> list[tuple[str, str, object]]:
    h = report["hazards"]
    rows: list[tuple[str, str, object]] = [
        ("隐患", "本月发现", h["found"]),
        ("隐患", "其中重大隐患", h["major_found"]),
        ("隐患", "本月关闭", h["closed"]),
        ("隐患", "当前未关闭", h["open"]),
        ("隐患", "当前逾期", h["overdue"]),
        ("隐患", "整改率（本月发现已关闭）", _pct(h["rectification_rate"])),
    ]
    if "major" in h:
        major = h["major"]
        rows.append(
            ("隐患", "重大隐患整改率", _ratio(major["closed"], major["found"], major["rectification_rate"]))
        )
    for source, entry in h.get("by_source", {}).items():
        label = HAZARD_SOURCE_LABELS.get(source, source)
        rows.append(
            (
                "隐患",
                f"{label}发现（已整改/发现）",
                _ratio(entry["closed"], entry["found"], entry["rectification_rate"]),
            )
        )
    return rows


def _outcome_rows(report: dict) -> list[tuple[str, str, object]]:
    c, a = report["complaints"], report["accidents"]
    rows: list[tuple[str, str, object]] = [
        ("投诉举报", "本月受理", c["received"]),
        ("投诉举报", "经查属实", c["substantiated"]),
        ("投诉举报", "待处理", c["pending"]),
    ]
    rows += [("信用风险等级", f"{g} 级企业", n) for g, n in report["grades"].items()]
    fmt = lambda v: "—" if v is None else f"{v:.2f}"  # noqa: E731
    rows += [
        ("事故", "近12个月事故起数", a["accidents_12m"]),
        ("事故", "近12个月死亡人数", a["deaths_12m"]),
        ("事故", f"万台设备事故率（目标 < {a['accident_target']}）", fmt(a["accidents_per_10k"])),
        ("事故", f"万台设备死亡率（目标 < {a['death_target']}）", fmt(a["deaths_per_10k"])),
    ]
    return rows
