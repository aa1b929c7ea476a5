"""Pure credit-risk grading rules (信用风险分级, Shandong 2024, seed 002).

Higher score = higher risk. The score is the sum of six indicator groups (第五条), each
capped at its weight; the grade is the score band (第六条), then, in this order:
1. D floors: an accident in the last `accident_d_years` years, or a case where the
   enterprise was ordered to correct and fined in the last year (第六条 D 级). A floor is
   the 第六条 definition of D and is not lowered.
2. lowering (第十三条 third paragraph): three accident-free years (founded three years
   ago or more), a dual-prevention benchmark or a marked intrinsic-safety improvement
   lower the band grade by one level (予以下调安全信用风险等级) – one level however many
   conditions hold, never below A, and not within 3 years of an accident (三年内不得下调).
   It lowers the grade the score gives, not the previous grade, so it does not ratchet
   down cycle after cycle.
3. never A (第七条): founded under 3 years ago (or founding date unknown), last grade C
   or D, an accident within one year; and the one-year bar (第十三条): graded C (or
   worse) within the last year → not A. Both bind the grade whatever gave it, so they
   come after the lowering: a band B lowered to A under one of them stays B (第七条 says
   the grade 不得划分为A级; 第十三条 says C 一年内不得调整至A级, an adjustment included).
4. the three-year lock (第十三条): after an accident the grade is not lowered for 3
   years, below the previous grade either.
The bureau may also deduct points for the lowering conditions (`deductions`, 0 by default:
the seed lowers the grade, not the score; points on top would lower twice).

A reason is kept when its rule acted: a lowering condition when it lowered the grade,
was stopped (by the accident lock or 第七条) or deducted points; `lowered` when the grade
is one level below the band; a never-A reason when it kept an A from being given; the
lock when it stopped a lowering. The same rules run set-based in SQL
(credit/indicators.py); tests keep them equal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any


class Grade(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"


RANK = {Grade.A: 0, Grade.B: 1, Grade.C: 2, Grade.D: 3}
GROUPS = (
    "safety_management",
    "operator_competence",
    "risk_control",
    "device_condition",
    "inspection_results",
    "enforcement",
)
GROUP_LABELS = {
    "safety_management": "安全生产管理",
    "operator_competence": "作业人员安全素质",
    "risk_control": "风险管控和隐患排查治理",
    "device_condition": "设备安全运行和使用场所",
    "inspection_results": "特种设备安全检查",
    "enforcement": "立案处罚与事故",
}


class Kind(StrEnum):
    flag = "flag"  #: points when the fact is true (1)
    share = "share"  #: points × fraction (the fact is per mille, 0..1000)
    count = "count"  # type: ignore[assignment]  # shadows str.count; points per occurrence


#: indicator → (group, kind, what to fix: the credit-repair hint)
ITEMS: dict[str, tuple[str, Kind, str]] = {
    "no_safety_manager": ("safety_management", Kind.flag, "配备持有效证书的安全管理员"),
    "operators_expired_share": ("operator_competence", Kind.share, "作业人员持有效证书上岗，证书到期复审"),
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
    accident_free = "accident_free"  #: 连续三年无事故（下调条件）
    benchmark = "benchmark"  #: 双重预防机制标杆（下调条件）
    intrinsic_safety = "intrinsic_safety"  #: 本质安全提升（下调条件）
    lowered = "lowered"  #: 风险等级下调一级


#: the lowering conditions of 第十三条, in the order they are listed there
LOWERING = (Reason.accident_free, Reason.benchmark, Reason.intrinsic_safety)
#: the order the reasons apply in (`grade`): lowering conditions, the lowering, D floors,
#: never A, accident lock.
REASON_ORDER = (
    *LOWERING,
    Reason.lowered,
    Reason.d_accident,
    Reason.d_fined,
    Reason.never_a_young,
    Reason.never_a_previous,
    Reason.never_a_accident,
    Reason.c_bar,
    Reason.accident_lock,
)
#: A stored grade keeps its reasons as one integer, a bit per reason (`reason_bits`), so
#: the set-based recompute adds bits instead of joining strings. Stored rows and the change
#: history keep their bits: a new reason takes the next bit, at the end of this tuple.
BIT_ORDER = (
    Reason.accident_free,
    Reason.benchmark,
    Reason.intrinsic_safety,
    Reason.d_accident,
    Reason.d_fined,
    Reason.never_a_young,
    Reason.never_a_previous,
    Reason.never_a_accident,
    Reason.c_bar,
    Reason.accident_lock,
    Reason.lowered,
)
REASON_BIT = {reason: 1 << position for position, reason in enumerate(BIT_ORDER)}


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
    Reason.accident_free: "连续三年以上未发生特种设备安全事故（第十三条下调条件）",
    Reason.benchmark: "被认定为双重预防机制标杆企业（第十三条下调条件）",
    Reason.intrinsic_safety: "本质安全提升取得显著成效（第十三条下调条件）",
    Reason.lowered: "符合下调条件，风险等级比分值等级下调一级",
}

DEFAULT_CONFIG: dict[str, Any] = {
    #: maximum points of each indicator group; together 100 (百分制)
    "weights": {
        "safety_management": 15,
        "operator_competence": 10,
        "risk_control": 25,
        "device_condition": 20,
        "inspection_results": 15,
        "enforcement": 15,
    },
    #: points per indicator (flag: when true; share: at 100 %; count: each)
    "points": {
        "no_safety_manager": 15,
        "operators_expired_share": 10,
        "hazards_open": 2,
        "hazards_overdue": 5,
        "major_hazards_open": 10,
        "mutual_check_findings": 1,
        "devices_overdue_share": 40,
        "inspection_findings": 3,
        "complaints_substantiated": 4,
        "enforcement_cases": 8,
        "fined_cases": 7,
        "accidents_3y": 15,
    },
    #: upper bounds (exclusive) of A, B and C; a score ≥ the last is D
    "bands": [15, 35, 60],
    #: points the lowering conditions (第十三条) deduct besides lowering the grade one level;
    #: the seed lowers the grade, not the score, so none by default
    "deductions": {"accident_free": 0, "benchmark": 0, "intrinsic_safety": 0},
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
    if len(bands) != 3 or any(not _number(b) for b in bands) or not 0 < bands[0] < bands[1] < bands[2] <= 100:
        errors["bands"] = ["需为三个递增分界 0 < A < B < C ≤ 100"]
    deductions = config.get("deductions", {})
    if set(deductions) != {"accident_free", "benchmark", "intrinsic_safety"} or any(
        not _number(v) or v < 0 for v in deductions.values()
    ):
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
    #: per mille of operator certificates expired; all of it when devices need certified
    #: operators and none holds a valid one (`operators_share`)
    operators_expired_share: int = 0
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


def operators_share(needs_operators: bool, operators: int, expired: int) -> int:
    """The operator indicator (per mille): the share of operator certificates that expired, and
    the whole of it when the enterprise has devices that need certified operators (作业人员证)
    and no valid certificate on file: recording nothing is a gap, not a clean record."""
    if needs_operators and operators - expired <= 0:
        return 1000
    return expired * 1000 // operators if operators else 0


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


def lowering_conditions(facts: Facts, as_of: date) -> list[Reason]:
    """The lowering conditions that hold (第十三条 third paragraph)."""
    found = []
    old_enough = facts.established_on is not None and facts.established_on <= years_before(as_of, 3)
    if old_enough and not _within(facts.last_accident_on, as_of, 3):
        found.append(Reason.accident_free)
    if facts.benchmark:
        found.append(Reason.benchmark)
    if facts.intrinsic_safety:
        found.append(Reason.intrinsic_safety)
    return found


def d_floors(facts: Facts, as_of: date, config: dict) -> list[Reason]:
    """第六条 D 级: the floors that make the grade D whatever the score."""
    found = []
    if _within(facts.last_accident_on, as_of, config["accident_d_years"]):
        found.append(Reason.d_accident)
    if config["fined_d"] and facts.fined_cases > 0:
        found.append(Reason.d_fined)
    return found


def never_a(facts: Facts, as_of: date) -> list[Reason]:
    """第七条 and the one-year bar of 第十三条: the reasons this enterprise may not be A."""
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


LETTERS = (Grade.A, Grade.B, Grade.C, Grade.D)


def one_level_lower(grade_: Grade) -> Grade:
    """The next lower-risk grade; A stays A."""
    return LETTERS[max(RANK[grade_] - 1, 0)]


def grade(facts: Facts, as_of: date, config: dict = DEFAULT_CONFIG) -> Result:
    """Grade one enterprise (信用风险分级) on `as_of`; see the module docstring for the order."""
    groups = group_scores(facts, config)
    conditions = lowering_conditions(facts, as_of)
    deducting = [r for r in conditions if config["deductions"][r.value] > 0]
    deducted = sum(config["deductions"][r.value] for r in deducting)
    score = round_score(max(0.0, sum(groups.values()) - deducted))
    band_grade = band(score, config)
    reasons: set[Reason] = set(deducting)
    locked = _within(facts.last_accident_on, as_of, 3)
    floors = d_floors(facts, as_of, config)
    new = band_grade
    if floors:
        new = Grade.D
        reasons.update(floors)
    elif conditions and band_grade != Grade.A:
        reasons.update(conditions)
        if locked:
            reasons.add(Reason.accident_lock)
        else:
            new = one_level_lower(band_grade)
    caps = never_a(facts, as_of) if new == Grade.A else []
    if caps:
        new = Grade.B
        reasons.update(caps)
    previous = facts.previous_grade
    if locked and previous is not None and RANK[new] < RANK[previous]:
        new = previous
        reasons.add(Reason.accident_lock)
    if RANK[new] < RANK[band_grade]:
        reasons.add(Reason.lowered)
    return Result(new, score, band_grade, groups, [r for r in REASON_ORDER if r in reasons])


def next_last_c_on(new_grade: Grade, as_of: date, last_c_on: date | None) -> date | None:
    """The day to remember for the one-year bar: today when graded C or D."""
    return as_of if new_grade in (Grade.C, Grade.D) else last_c_on


#: indicators that count records of the last N years whatever became of them: fixing one
#: does not take its points off now, they go when the record is N years old
COUNTS_FOR_YEARS = {
    "mutual_check_findings": 1,
    "inspection_findings": 1,
    "complaints_substantiated": 1,
    "enforcement_cases": 1,
    "fined_cases": 1,
    "accidents_3y": 3,
}


def fixed_facts(facts: Facts, name: str, as_of: date) -> Facts:
    """The facts once `name` is fixed (or its records have aged out), with what goes with it:
    the overdue and major hazards are among the open ones, fined cases among the cases."""
    value = getattr(facts, name)
    changes: dict[str, Any] = {name: 0}
    if name == "hazards_open":
        changes |= {"hazards_overdue": 0, "major_hazards_open": 0}
    elif name in ("hazards_overdue", "major_hazards_open"):
        changes["hazards_open"] = max(facts.hazards_open - value, 0)
    elif name == "enforcement_cases":
        changes["fined_cases"] = 0
    elif name == "fined_cases":
        changes["enforcement_cases"] = max(facts.enforcement_cases - value, 0)
    elif name == "accidents_3y" and _within(facts.last_accident_on, as_of, 3):
        changes["last_accident_on"] = years_before(as_of, 3)  # no accident in three years
    return replace(facts, **changes)


def repair_hints(facts: Facts, as_of: date, config: dict = DEFAULT_CONFIG) -> list[dict]:
    """What to fix (信用修复): each indicator that adds points, with what fixing it really
    brings: the enterprise graded again with that fact fixed, through every rule (group caps,
    bands, lowering, 第七条, locks). `facts.previous_grade` and `last_c_on` are those of the
    current grade, which the re-grade after the fix sees as the previous one.

    `points` is what the indicator adds before its group's cap; `gain` the points the score
    would really drop (0 when the group stays over its cap), `grade_after` the grade it would
    give; `counts_for_years` is set for records that count for that long whatever is done.
    Largest gain first."""
    now = grade(facts, as_of, config)
    hints = []
    for name, (group, _kind, fix) in ITEMS.items():
        points = item_points(name, getattr(facts, name), config)
        if points <= 0:
            continue
        after = grade(fixed_facts(facts, name, as_of), as_of, config)
        hints.append(
            {
                "indicator": name,
                "group": group,
                "points": round(points, 2),
                "fix": fix,
                "gain": round_score(max(now.score - after.score, 0.0)),
                "score_after": after.score,
                "grade_after": after.grade.value,
                "counts_for_years": COUNTS_FOR_YEARS.get(name),
            }
        )
    return sorted(hints, key=lambda h: (-h["gain"], -h["points"]))
