"""Pure credit-risk grading rules (信用风险分级, Shandong 2024, seed 002).

Higher score = higher risk. The score is the sum of six indicator groups (第五条), each
capped at its weight; the grade is the score band (第六条), then, in this order:
1. D floors: an accident in the last `accident_d_years` years, or a case where the
   enterprise was ordered to correct and fined in the last year (第六条 D 级);
2. never A (第七条): founded under 3 years ago (or founding date unknown), last grade C
   or D, an accident within one year;
3. the one-year bar (第十三条): graded C (or worse) within the last year → not A;
4. the three-year lock (第十三条): after an accident the grade is not lowered for 3 years.
Lowering reasons (第十三条: 3 accident-free years, dual-prevention benchmark, intrinsic
safety improvements) deduct points. Every rule that fired is kept as a reason code.
The same rules run set-based in SQL (credit/indicators.py); tests keep them equal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any


class Grade(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"


RANK = {Grade.A: 0, Grade.B: 1, Grade.C: 2, Grade.D: 3}
GROUPS = ("safety_management", "operator_competence", "risk_control", "device_condition",
          "inspection_results", "enforcement")
GROUP_LABELS = {
    "safety_management": "安全生产管理", "operator_competence": "作业人员安全素质",
    "risk_control": "风险管控和隐患排查治理", "device_condition": "设备安全运行和使用场所",
    "inspection_results": "特种设备安全检查", "enforcement": "立案处罚与事故",
}


class Kind(StrEnum):
    flag = "flag"  #: points when the fact is true (1)
    share = "share"  #: points × fraction (the fact is per mille, 0..1000)
    count = "count"  #: points per occurrence


#: indicator → (group, kind, what to fix: the credit-repair hint)
ITEMS: dict[str, tuple[str, Kind, str]] = {
    "no_safety_manager": ("safety_management", Kind.flag, "配备持有效证书的安全管理员"),
    "operators_expired_share": ("operator_competence", Kind.share, "作业人员证书到期复审"),
    "hazards_open": ("risk_control", Kind.count, "整改未关闭的隐患并提交复查"),
    "hazards_overdue": ("risk_control", Kind.count, "逾期隐患尽快整改，经监管确认后关闭"),
    "major_hazards_open": ("risk_control", Kind.count, "消除重大隐患"),
    "mutual_check_findings": ("risk_control", Kind.count, "落实互查发现问题的整改"),
    "devices_overdue_share": ("device_condition", Kind.share, "超期未检设备申报定期检验"),
    "inspection_findings": ("inspection_results", Kind.count, "监督检查发现问题全部整改"),
    "complaints_substantiated": ("inspection_results", Kind.count, "针对属实投诉举报落实整改"),
    "enforcement_cases": ("enforcement", Kind.count, "依法履行处罚决定，完成整改"),
    "fined_cases": ("enforcement", Kind.count, "依法履行处罚决定，完成整改"),
    "accidents_3y": ("enforcement", Kind.count, "落实事故整改措施，三年无事故后可下调"),
}


class Reason(StrEnum):
    """Why the grade is what it is (which rule capped, raised or lowered it)."""

    d_accident = "d_accident"  #: 近3年发生事故 → D
    d_fined = "d_fined"  #: 被责令改正并处罚款 → D
    never_a_young = "never_a_young"  #: 成立不满三年
    never_a_previous = "never_a_previous"  #: 上个评价周期为 C/D
    never_a_accident = "never_a_accident"  #: 一年内发生事故
    c_bar = "c_bar"  #: C 级一年内不得调整至 A
    accident_lock = "accident_lock"  #: 事故后三年内不得下调
    accident_free = "accident_free"  #: 连续三年无事故（下调）
    benchmark = "benchmark"  #: 双重预防机制标杆（下调）
    intrinsic_safety = "intrinsic_safety"  #: 本质安全提升（下调）


#: the order the reasons apply in (`grade`): lowering, D floors, never A, accident lock.
#: A stored grade keeps its reasons as one integer, a bit per reason in this order
#: (`reason_bits`), so the set-based recompute adds bits instead of joining strings.
REASON_ORDER = (Reason.accident_free, Reason.benchmark, Reason.intrinsic_safety,
                Reason.d_accident, Reason.d_fined, Reason.never_a_young, Reason.never_a_previous,
                Reason.never_a_accident, Reason.c_bar, Reason.accident_lock)
REASON_BIT = {reason: 1 << position for position, reason in enumerate(REASON_ORDER)}


def reasons_of(bits: int) -> list[Reason]:
    """The reasons stored as `bits`, in the order they apply."""
    return [r for r in REASON_ORDER if bits & REASON_BIT[r]]


REASON_LABELS = {
    Reason.d_accident: "近3年发生特种设备安全事故，评为D级",
    Reason.d_fined: "一年内被依法责令改正并处罚款，评为D级",
    Reason.never_a_young: "成立不满三年（或成立日期不详），不得评为A级",
    Reason.never_a_previous: "上个评价周期为C级或D级，不得评为A级",
    Reason.never_a_accident: "一年内发生过特种设备安全事故，不得评为A级",
    Reason.c_bar: "一年内曾为C级或D级，不得调整至A级",
    Reason.accident_lock: "发生事故后三年内不得下调风险等级",
    Reason.accident_free: "连续三年以上未发生事故，予以下调（扣减分值）",
    Reason.benchmark: "被认定为双重预防机制标杆企业，予以下调（扣减分值）",
    Reason.intrinsic_safety: "本质安全提升取得显著成效，予以下调（扣减分值）",
}

DEFAULT_CONFIG: dict[str, Any] = {
    #: maximum points of each indicator group; together 100 (百分制)
    "weights": {"safety_management": 15, "operator_competence": 10, "risk_control": 25,
                "device_condition": 20, "inspection_results": 15, "enforcement": 15},
    #: points per indicator (flag: when true; share: at 100 %; count: each)
    "points": {"no_safety_manager": 15, "operators_expired_share": 10, "hazards_open": 2,
               "hazards_overdue": 5, "major_hazards_open": 10, "mutual_check_findings": 1,
               "devices_overdue_share": 40, "inspection_findings": 3,
               "complaints_substantiated": 4, "enforcement_cases": 8, "fined_cases": 7,
               "accidents_3y": 15},
    #: upper bounds (exclusive) of A, B and C; a score ≥ the last is D
    "bands": [15, 35, 60],
    #: points deducted by the lowering reasons (第十三条)
    "deductions": {"accident_free": 3, "benchmark": 10, "intrinsic_safety": 5},
    #: an accident within this many years makes the grade D (0: off)
    "accident_d_years": 3,
    #: a fined enforcement case within a year makes the grade D
    "fined_d": True,
}


def validate_config(config: dict) -> dict[str, list[str]]:
    """Field errors of a grading config (empty when valid)."""
    errors: dict[str, list[str]] = {}
    weights = config.get("weights", {})
    if set(weights) != set(GROUPS) or any(not _number(v) or v < 0 for v in weights.values()):
        errors["weights"] = [f"需为六个指标组的非负分值: {', '.join(GROUPS)}"]
    elif round(sum(weights.values()), 6) != 100:
        errors["weights"] = ["六个指标组权重之和须为 100 (weights must sum to 100)"]
    points = config.get("points", {})
    if set(points) != set(ITEMS) or any(not _number(v) or v < 0 for v in points.values()):
        errors["points"] = [f"需为每个指标的非负分值: {', '.join(ITEMS)}"]
    bands = config.get("bands", [])
    if (len(bands) != 3 or any(not _number(b) for b in bands)
            or not 0 < bands[0] < bands[1] < bands[2] <= 100):
        errors["bands"] = ["需为三个递增分界 0 < A < B < C ≤ 100"]
    deductions = config.get("deductions", {})
    if set(deductions) != {"accident_free", "benchmark", "intrinsic_safety"} or any(
            not _number(v) or v < 0 for v in deductions.values()):
        errors["deductions"] = ["需为 accident_free, benchmark, intrinsic_safety 的非负分值"]
    years = config.get("accident_d_years")
    if not isinstance(years, int) or isinstance(years, bool) or not 0 <= years <= 10:
        errors["accident_d_years"] = ["0–10 的整数"]
    if not isinstance(config.get("fined_d"), bool):
        errors["fined_d"] = ["true 或 false"]
    return errors


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def years_before(as_of: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February → 28 February)."""
    try:
        return as_of.replace(year=as_of.year - years)
    except ValueError:
        return as_of.replace(year=as_of.year - years, day=28)


@dataclass(frozen=True)
class Facts:
    """What the product knows about one enterprise on `as_of` (all counts ≥ 0)."""

    established_on: date | None = None
    no_safety_manager: int = 0
    operators_expired_share: int = 0  #: per mille
    hazards_open: int = 0
    hazards_overdue: int = 0
    major_hazards_open: int = 0
    mutual_check_findings: int = 0
    devices_overdue_share: int = 0  #: per mille
    inspection_findings: int = 0
    complaints_substantiated: int = 0
    enforcement_cases: int = 0
    fined_cases: int = 0
    accidents_3y: int = 0
    last_accident_on: date | None = None
    benchmark: bool = False
    intrinsic_safety: bool = False
    #: the grade before this computation, and the last day it was C or worse
    previous_grade: Grade | None = None
    last_c_on: date | None = None


@dataclass
class Result:
    grade: Grade
    score: float
    band_grade: Grade
    groups: dict[str, float]
    reasons: list[Reason] = field(default_factory=list)


def item_points(name: str, value: int, config: dict) -> float:
    """Points one indicator contributes before its group's cap."""
    _group, kind, _fix = ITEMS[name]
    points = config["points"][name]
    if kind == Kind.flag:
        return points if value else 0
    if kind == Kind.share:
        return points * value / 1000
    return points * value


def group_scores(facts: Facts, config: dict) -> dict[str, float]:
    """Each group's points, capped at its weight."""
    raw = dict.fromkeys(GROUPS, 0.0)
    for name, (group, _kind, _fix) in ITEMS.items():
        raw[group] += item_points(name, getattr(facts, name), config)
    return {g: min(raw[g], config["weights"][g]) for g in GROUPS}


def round_score(score: float) -> float:
    """Two decimals, half up (四舍五入), computed as the SQL of the recompute does."""
    return math.floor(score * 100.0 + 0.5) / 100.0


def band(score: float, config: dict) -> Grade:
    """The grade of a score band: A below the first bound, D at or above the last."""
    a, b, c = config["bands"]
    return Grade.A if score < a else Grade.B if score < b else Grade.C if score < c else Grade.D


def _within(day: date | None, as_of: date, years: int) -> bool:
    return day is not None and years > 0 and day > years_before(as_of, years)


def deductions(facts: Facts, as_of: date) -> list[Reason]:
    """Lowering reasons that apply (第十三条 third paragraph)."""
    found = []
    old_enough = facts.established_on is not None and facts.established_on <= years_before(as_of, 3)
    if old_enough and not _within(facts.last_accident_on, as_of, 3):
        found.append(Reason.accident_free)
    if facts.benchmark:
        found.append(Reason.benchmark)
    if facts.intrinsic_safety:
        found.append(Reason.intrinsic_safety)
    return found


def never_a(facts: Facts, as_of: date) -> list[Reason]:
    """第七条: the reasons this enterprise may not be A."""
    found = []
    if facts.established_on is None or facts.established_on > years_before(as_of, 3):
        found.append(Reason.never_a_young)
    if facts.previous_grade in (Grade.C, Grade.D):
        found.append(Reason.never_a_previous)
    if _within(facts.last_accident_on, as_of, 1):
        found.append(Reason.never_a_accident)
    if _within(facts.last_c_on, as_of, 1):
        found.append(Reason.c_bar)
    return found


def grade(facts: Facts, as_of: date, config: dict = DEFAULT_CONFIG) -> Result:
    """Grade one enterprise (信用风险分级) on `as_of`; see the module docstring for the order."""
    groups = group_scores(facts, config)
    lowering = deductions(facts, as_of)
    deducted = sum(config["deductions"][r.value] for r in lowering)
    score = round_score(max(0.0, sum(groups.values()) - deducted))
    result = Result(band(score, config), score, band(score, config), groups, list(lowering))
    if _within(facts.last_accident_on, as_of, config["accident_d_years"]):
        result.grade = Grade.D
        result.reasons.append(Reason.d_accident)
    if config["fined_d"] and facts.fined_cases > 0:
        result.grade = Grade.D
        result.reasons.append(Reason.d_fined)
    if result.grade == Grade.A:
        caps = never_a(facts, as_of)
        if caps:
            result.grade = Grade.B
            result.reasons.extend(caps)
    previous = facts.previous_grade
    if (_within(facts.last_accident_on, as_of, 3) and previous is not None
            and RANK[result.grade] < RANK[previous]):
        result.grade = previous
        result.reasons.append(Reason.accident_lock)
    return result


def next_last_c_on(new_grade: Grade, as_of: date, last_c_on: date | None) -> date | None:
    """The day to remember for the one-year bar: today when graded C or D."""
    return as_of if new_grade in (Grade.C, Grade.D) else last_c_on


def repair_hints(facts: Facts, config: dict = DEFAULT_CONFIG) -> list[dict]:
    """What to fix (信用修复): the indicators that add points, largest first."""
    hints = []
    for name, (group, _kind, fix) in ITEMS.items():
        points = item_points(name, getattr(facts, name), config)
        if points > 0:
            hints.append({"indicator": name, "group": group, "points": round(points, 2), "fix": fix})
    return sorted(hints, key=lambda h: -h["points"])
