"""Pure elevator-maintenance rules (TSG T5002 电梯维护保养规则): intervals, item lists, when the
next maintenance is due, which work order to open, on-site proof and the rescue clock.

No Flask, no database, no clock: dates, times and records are arguments.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from backend.complaints.rules import ComplaintCategory, ComplaintStatus


class MaintenanceKind(StrEnum):
    half_month = "half_month"
    quarter = "quarter"
    half_year = "half_year"
    year = "year"
    urgent = "urgent"


class OrderStatus(StrEnum):
    open = "open"
    done = "done"
    #: the contract ended before it was due: nobody owes it, it is not graded
    cancelled = "cancelled"
    #: dumped, never stored: an open order past its due date
    overdue = "overdue"


class RecordStatus(StrEnum):
    awaiting_confirmation = "awaiting_confirmation"
    confirmed = "confirmed"
    disputed = "disputed"


class ItemResult(StrEnum):
    ok = "ok"  # 符合
    adjusted = "adjusted"  # 已调整/修复
    failed = "failed"  # 不合格（须说明）
    not_applicable = "not_applicable"  # 无此项


PERIODIC = (
    MaintenanceKind.half_month,
    MaintenanceKind.quarter,
    MaintenanceKind.half_year,
    MaintenanceKind.year,
)
#: TSG T5002 第七条: 半月、季度、半年、年度 maintenance; a bigger one includes the smaller ones' items
INTERVAL_DAYS: dict[MaintenanceKind, int] = {
    MaintenanceKind.half_month: 15,
    MaintenanceKind.quarter: 90,
    MaintenanceKind.half_year: 180,
    MaintenanceKind.year: 365,
}
RANK = {kind: rank for rank, kind in enumerate(PERIODIC, start=1)}
KIND_LABELS = {
    MaintenanceKind.half_month: "半月维保",
    MaintenanceKind.quarter: "季度维保",
    MaintenanceKind.half_year: "半年维保",
    MaintenanceKind.year: "年度维保",
    MaintenanceKind.urgent: "急修",
}
#: orders open this many days before they are due, so the company can plan the round
LEAD_DAYS = 3
#: a visit shorter than this (first to last scan) is flagged: a signature without the work
MIN_ON_SITE_MINUTES: dict[MaintenanceKind, int] = {
    MaintenanceKind.half_month: 20,
    MaintenanceKind.quarter: 40,
    MaintenanceKind.half_year: 60,
    MaintenanceKind.year: 90,
    MaintenanceKind.urgent: 0,
}
#: the local limit for reaching trapped passengers (困人), minutes; configurable per city
DEFAULT_RESCUE_LIMIT_MINUTES = 30
#: a phone's clock may run this far ahead of the server's before its scan times are refused
CLOCK_SKEW = timedelta(minutes=10)


@dataclass(frozen=True)
class Item:
    code: str
    text: str
    #: a live photo is part of the proof for this item
    photo: bool = False

    def as_dict(self) -> dict:
        return {"code": self.code, "text": self.text, "photo": self.photo}


def _items(prefix: str, rows: Sequence[tuple[str, bool] | str]) -> tuple[Item, ...]:
    items = []
    for n, row in enumerate(rows, start=1):
        text, photo = (row, False) if isinstance(row, str) else row
        items.append(Item(f"{prefix}{n:02d}", text, photo))
    return tuple(items)


# TSG T5002 附件A (曳引与强制驱动电梯), the items a phone can show on one screen
TRACTION_ITEMS: dict[MaintenanceKind, tuple[Item, ...]] = {
    MaintenanceKind.half_month: _items(
        "hm",
        (
            ("机房、滑轮间环境：清洁，门窗完好，照明正常", True),
            "手动紧急操作装置：齐全，在指定位置",
            "驱动主机：运行时无异常振动和异常声响",
            "制动器各销轴部位：动作灵活",
            ("制动器间隙：打开时制动衬与制动轮不发生摩擦", True),
            "限速器各销轴部位：润滑，转动灵活，电气开关正常",
            "层站召唤、层楼显示：齐全、有效",
            ("轿厢照明、风扇、应急照明：工作正常", True),
            "轿内报警装置、对讲系统：工作正常",
            "轿门防撞击保护装置（安全触板、光幕）：功能有效",
            "层门地坎：清洁",
            "层门自动关门装置：正常",
            "层门门锁自动复位：手动开锁装置释放后能自动复位",
            "层门门锁电气触点：清洁，接触良好，接线可靠",
            ("底坑环境：清洁，无渗水、积水，照明正常", True),
            "底坑停止装置：工作正常",
            "平层准确度：符合标准值",
        ),
    ),
    MaintenanceKind.quarter: _items(
        "q",
        (
            "减速机润滑油：油量适宜，无渗漏",
            ("制动衬：清洁，磨损量不超过制造单位要求", True),
            "编码器：清洁，安装牢固，工作正常",
            ("曳引轮槽、悬挂装置：清洁，钢丝绳无严重油腻，张力均匀", True),
            "限速器轮槽、限速器钢丝绳：清洁，无严重油腻",
            "靴衬、滚轮：清洁，磨损量不超过制造单位要求",
            "验证轿门关闭的电气安全装置：工作正常",
            "层门门导靴：磨损量不超过制造单位要求",
            "消防开关：工作正常，功能有效",
            "耗能缓冲器：电气安全装置有效，油量适宜，柱塞无锈蚀",
        ),
    ),
    MaintenanceKind.half_year: _items(
        "hy",
        (
            "电动机与减速机联轴器：连接无松动，弹性元件无老化",
            "驱动轮、导向轮轴承部：无异常声响，无振动，润滑良好",
            ("曳引轮槽：磨损量不超过制造单位要求", True),
            "制动器上检测开关：工作正常，制动器动作可靠",
            "控制柜内各接线端子：紧固、整齐，线号齐全清晰",
            ("悬挂装置、补偿绳：磨损量、断丝数不超过要求", True),
            "绳头组合：螺母无松动",
            "层门、轿门门扇：各相关间隙符合标准值",
            "对重缓冲距：符合标准值",
        ),
    ),
    MaintenanceKind.year: _items(
        "y",
        (
            "减速机润滑油：按制造单位要求适时更换",
            "控制柜接触器、继电器触点：接触良好",
            ("制动器制动能力：符合制造单位要求，有足够的制动力", True),
            "导电回路绝缘性能测试：符合标准",
            ("限速器安全钳联动试验：工作正常", True),
            "上行超速保护装置动作试验：工作正常",
            "轿厢和对重的导轨支架、导轨：固定，无松动，压板牢固",
            "随行电缆：无损伤",
            "轿厢称重装置：准确有效",
        ),
    ),
    MaintenanceKind.urgent: _items(
        "u",
        (
            "到达现场，确认故障和被困情况",
            "解救被困人员（如有）",
            ("排除故障，试运行正常", True),
        ),
    ),
}

# TSG T5002 附件D (自动扶梯与自动人行道)
ESCALATOR_ITEMS: dict[MaintenanceKind, tuple[Item, ...]] = {
    MaintenanceKind.half_month: _items(
        "ehm",
        (
            "电器部件：清洁，接线紧固",
            "故障显示板：信号功能正常",
            ("设备运行状况：正常，没有异常声响和抖动", True),
            "主驱动链：运转正常，电气安全保护装置有效",
            "制动器机械装置：清洁，动作正常",
            "梳齿板开关：工作正常",
            ("梳齿板梳齿与踏板面齿槽：完好，啮合正常", True),
            "扶手带入口保护装置：工作正常",
            "扶手带：表面无毛刺，运行与踏板同步",
            "出入口安全警示标志：齐全，醒目",
            "紧急停止开关：工作正常",
        ),
    ),
    MaintenanceKind.quarter: _items(
        "eq",
        (
            "扶手带的运行速度：相对于梯级的速度偏差符合标准",
            ("梯级链张紧装置：工作正常", True),
            "梯级轴衬：润滑有效",
        ),
    ),
    MaintenanceKind.half_year: _items(
        "ehy",
        (
            "制动衬厚度：不小于制造单位要求",
            ("主驱动链：清理表面油污，润滑", True),
            "梯级、踏板与围裙板间隙：符合标准值",
        ),
    ),
    MaintenanceKind.year: _items(
        "ey",
        (
            "主接触器：工作可靠",
            ("制动器制停距离：符合标准值", True),
            "扶手带断带保护开关：功能正常",
        ),
    ),
    MaintenanceKind.urgent: TRACTION_ITEMS[MaintenanceKind.urgent],
}


def is_escalator(device_name: str) -> bool:
    return "扶梯" in device_name or "人行道" in device_name


def checklist(kind: MaintenanceKind, escalator: bool = False) -> list[Item]:
    """The items of one maintenance of `kind`: its own plus those of every smaller periodic kind."""
    table = ESCALATOR_ITEMS if escalator else TRACTION_ITEMS
    if kind == MaintenanceKind.urgent:
        return list(table[kind])
    return [item for smaller in PERIODIC if RANK[smaller] <= RANK[kind] for item in table[smaller]]


# --- schedule ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractTerm:
    starts_on: date
    ends_on: date

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


def last_done_covering(kind: MaintenanceKind, done: Mapping[MaintenanceKind, date]) -> date | None:
    """The last maintenance that counts for `kind`: its own or a bigger one (which includes its items)."""
    dates = [day for other, day in done.items() if other in RANK and RANK[other] >= RANK[kind]]
    return max(dates) if dates else None


def next_due(kind: MaintenanceKind, done: Mapping[MaintenanceKind, date], starts_on: date) -> date:
    """When the next `kind` maintenance is due: one interval after the last that counts, or after
    the contract began."""
    last = last_done_covering(kind, done)
    base = last if last is not None and last >= starts_on else starts_on
    return base + timedelta(days=INTERVAL_DAYS[kind])


def next_maintenance_due(term: ContractTerm | None, done: Mapping[MaintenanceKind, date]) -> date | None:
    """The next date any maintenance is due (the half-monthly one sets the pace); None without a contract."""
    if term is None:
        return None
    return min(next_due(kind, done, term.starts_on) for kind in PERIODIC)


@dataclass(frozen=True)
class OrderToOpen:
    kind: MaintenanceKind
    due_on: date


def order_to_open(
    term: ContractTerm,
    done: Mapping[MaintenanceKind, date],
    has_open_periodic: bool,
    as_of: date,
    lead_days: int = LEAD_DAYS,
) -> OrderToOpen | None:
    """The periodic order a device needs now, if any.

    One open periodic order per device at a time; when several kinds are due together the
    biggest is opened (it includes the smaller ones' items), due when the earliest of them is.
    Nothing is opened for a day the contract does not cover.
    """
    if has_open_periodic or not term.covers(as_of):
        return None
    horizon = as_of + timedelta(days=lead_days)
    due = {kind: next_due(kind, done, term.starts_on) for kind in PERIODIC}
    ready = [kind for kind, day in due.items() if day <= horizon]
    if not ready:
        return None
    biggest = max(ready, key=RANK.__getitem__)
    due_on = min(due[kind] for kind in ready)
    return OrderToOpen(biggest, due_on) if due_on <= term.ends_on else None


def is_overdue(status: str, due_on: date, as_of: date) -> bool:
    return status == OrderStatus.open and due_on < as_of


def shown_status(status: str, due_on: date, as_of: date) -> str:
    return OrderStatus.overdue if is_overdue(status, due_on, as_of) else status


# --- the record ---------------------------------------------------------------------------


def item_problems(expected: Sequence[dict], given: Sequence[dict]) -> dict[str, str]:
    """Item code → what is wrong: every item answered once, a failed one explained, a photo
    where the item asks for one (unless it does not apply)."""
    answers = {item["code"]: item for item in given}
    problems: dict[str, str] = {}
    unknown = [code for code in answers if code not in {item["code"] for item in expected}]
    for code in unknown:
        problems[code] = "不属于本工单的项目 (not an item of this order)"
    if len(answers) != len(given):
        problems["items"] = "同一项目重复填写 (an item answered twice)"
    cited = [photo for item in given for photo in set(item.get("photos") or ())]
    if len(cited) != len(set(cited)):
        problems["photos"] = "同一张照片不能用于多个项目 (one photo used for two items)"
    for item in expected:
        answer = answers.get(item["code"])
        if answer is None:
            problems[item["code"]] = "未填写 (not answered)"
        elif answer["result"] == ItemResult.failed and not answer.get("note"):
            problems[item["code"]] = "不合格项须说明情况 (a failed item needs a note)"
        elif item.get("photo") and answer["result"] != ItemResult.not_applicable and not answer.get("photos"):
            problems[item["code"]] = "该项须拍摄现场照片 (this item needs a live photo)"
    return problems


def scan_problems(
    scan_times: Sequence[datetime], order_created: datetime, received_at: datetime
) -> str | None:
    """Scan times must fall between the order's creation and the moment the server got them
    (a phone clock a little ahead is tolerated)."""
    if not scan_times:
        return "须在现场扫描设备标签 (scan the device's label on site)"
    if min(scan_times) < order_created - CLOCK_SKEW:
        return "扫码时间早于工单生成时间 (a scan before the order existed)"
    if max(scan_times) > received_at + CLOCK_SKEW:
        return "扫码时间晚于提交时间 (a scan time in the future)"
    return None


def label_hash(token: str) -> str:
    """What the worker's phone is given of a device's label tokens: enough to refuse a wrong
    label offline, not enough to print the label (or to claim a scan) without being there."""
    return hashlib.sha256(token.encode()).hexdigest()


def minutes_between(start: datetime, end: datetime) -> int:
    return max(0, int((end - start).total_seconds() // 60))


def short_visit(kind: MaintenanceKind, first_scan: datetime, last_scan: datetime) -> bool:
    """Was the worker on site (first to last scan) for less than the kind's minimum?"""
    return minutes_between(first_scan, last_scan) < MIN_ON_SITE_MINUTES[kind]


@dataclass(frozen=True)
class Rescue:
    arrival_minutes: int
    release_minutes: int | None
    late: bool


def rescue(
    reported_at: datetime, arrived_at: datetime, released_at: datetime | None, limit_minutes: int
) -> Rescue:
    """困人救援: minutes from the report to arrival (first scan) and to release, against the limit."""
    arrival = minutes_between(reported_at, arrived_at)
    release = minutes_between(reported_at, released_at) if released_at else None
    return Rescue(arrival, release, arrival > limit_minutes)


def evidence_strength(
    photo_items: int, photo_items_with_photos: int, scans: int, signed: bool, short: bool
) -> float:
    """0..1: how much of the on-site proof a record carries (photos where asked, a scan on
    arrival and on leaving, the signature, a believable time on site)."""
    photos = photo_items_with_photos / photo_items if photo_items else 1.0
    parts = (
        photos,
        1.0 if scans >= 2 else 0.5 if scans == 1 else 0.0,
        1.0 if signed else 0.0,
        0.0 if short else 1.0,
    )
    return round(sum(parts) / len(parts), 3)


# --- company grading ------------------------------------------------------------------------


@dataclass(frozen=True)
class CompanyFacts:
    """One maintenance company's record over the grading window."""

    elevators: int
    orders_due: int
    orders_on_time: int
    mean_evidence_strength: float
    records: int
    disputed: int
    entrapments: int
    late_rescues: int
    #: urgent orders for a fault without trapped passengers (故障报修), from the using unit or a regulator
    faults: int
    complaints: int


@dataclass(frozen=True)
class CompanyGrade:
    score: float
    grade: str
    on_time_rate: float
    dispute_rate: float
    entrapments_per_100: float
    faults_per_100: float
    complaints_per_100: float


#: weights of the 100-point quality score (higher is better); configurable in one place
GRADE_WEIGHTS = {
    "on_time": 40.0,
    "evidence": 20.0,
    "disputes": 15.0,
    "entrapments": 10.0,
    "faults": 5.0,
    "complaints": 10.0,
}
#: per 100 maintained elevators a year, the count that leaves nothing of its part: an entrapment weighs
#: twice a fault (a well-kept elevator still breaks down now and then; trapping people is the failure)
ENTRAPMENTS_CEILING = 10.0
FAULTS_CEILING = 20.0
COMPLAINTS_CEILING = 10.0
GRADE_BANDS = ((85.0, "A"), (70.0, "B"), (55.0, "C"))


def grade_company(facts: CompanyFacts, weights: Mapping[str, float] = GRADE_WEIGHTS) -> CompanyGrade:
    """电梯维保单位质量评价: on-time rate, on-site evidence strength, disputes, entrapments,
    faults and complaints per 100 maintained elevators. The company sets none of these itself:
    due dates come from the schedule, disputes from the using units, entrapments, faults and
    complaints from users, regulators and the public."""
    on_time = facts.orders_on_time / facts.orders_due if facts.orders_due else 1.0
    disputes = facts.disputed / facts.records if facts.records else 0.0
    per_100 = 100.0 / facts.elevators if facts.elevators else 0.0
    entrapments = (facts.entrapments + facts.late_rescues) * per_100
    faults = facts.faults * per_100
    complaints = facts.complaints * per_100
    # a missed maintenance is a visit that did not happen: a third missed leaves nothing of this part
    on_time_part = max(0.0, 1 - (1 - on_time) * 3)
    score = (
        weights["on_time"] * on_time_part
        + weights["evidence"] * facts.mean_evidence_strength
        + weights["disputes"] * (1 - min(1.0, disputes * 5))
        + weights["entrapments"] * (1 - min(1.0, entrapments / ENTRAPMENTS_CEILING))
        + weights["faults"] * (1 - min(1.0, faults / FAULTS_CEILING))
        + weights["complaints"] * (1 - min(1.0, complaints / COMPLAINTS_CEILING))
    )
    score = round(score, 1)
    grade = next((label for floor, label in GRADE_BANDS if score >= floor), "D")
    return CompanyGrade(
        score,
        grade,
        round(on_time, 3),
        round(disputes, 3),
        round(entrapments, 2),
        round(faults, 2),
        round(complaints, 2),
    )


#: what a complaint about a maintained elevator says of its maintenance; a missing inspection label,
#: an overdue inspection or an unlicensed operator are the using unit's duties, not the company's
MAINTENANCE_COMPLAINTS = frozenset(
    {ComplaintCategory.elevator_trapped, ComplaintCategory.abnormal_operation, ComplaintCategory.other}
)


@dataclass(frozen=True)
class ComplaintFact:
    device_id: int
    day: date
    category: str
    status: str


def complaints_against(
    complaints: Iterable[ComplaintFact],
    terms: Mapping[int, Sequence[ContractTerm]],
    as_of: date,
    window_days: int,
) -> int:
    """The complaints that count against a company's grade: about maintenance, found true on
    triage (an unchecked or refuted complaint is anyone's word, and a competitor could file it),
    made within the window up to `as_of`, on a day the company's contract covered that device."""
    since = as_of - timedelta(days=window_days)
    return sum(
        1
        for c in complaints
        if c.status == ComplaintStatus.substantiated
        and c.category in MAINTENANCE_COMPLAINTS
        and since <= c.day <= as_of
        and any(term.covers(c.day) for term in terms.get(c.device_id, ()))
    )


def ranked(grades: Iterable[tuple[int, CompanyGrade]]) -> list[tuple[int, CompanyGrade]]:
    """Best first; ties by company id so the ranking is stable."""
    return sorted(grades, key=lambda pair: (-pair[1].score, pair[0]))


@dataclass(frozen=True)
class CertificateFacts:
    verification: str
    issued_on: date | None
    expires_on: date | None


def uncertified_reason(certificate: CertificateFacts | None, left: bool, as_of: date) -> str:
    """Why a worker's record would be refused on `as_of` (the phone says it in their words):
    missing, left (no longer on the company's staff), pending, rejected, not_yet_valid or expired."""
    if left:
        return "left"
    if certificate is None:
        return "missing"
    if certificate.verification != "verified":
        return certificate.verification if certificate.verification == "rejected" else "pending"
    if certificate.issued_on is not None and certificate.issued_on > as_of:
        return "not_yet_valid"
    return "expired"
