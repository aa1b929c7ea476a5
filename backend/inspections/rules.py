"""Pure inspection rules: self-check rhythms (日管控、周排查、月调度), mutual-check
assignment (互查分配) and checklist answers. No Flask, no database, no clock."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class CheckKind(StrEnum):
    self_check = "self_check"
    mutual_check = "mutual_check"
    inspection = "inspection"
    #: model-enterprise acceptance by the city bureau (示范单位验收)
    acceptance = "acceptance"


class Rhythm(StrEnum):
    """Shanghai's self-control routine (seed 004)."""

    daily = "daily"
    weekly = "weekly"
    monthly = "monthly"


class InspectionType(StrEnum):
    routine = "routine"
    special = "special"


class InspectionMode(StrEnum):
    """How a supervisory inspection is carried out (seed 002 第八、九条第二项)."""

    onsite = "onsite"  #: 现场检查
    remote = "remote"  #: 远程监管 (video, sensors, the enterprise's own records online)
    electronic = "electronic"  #: 电子检查 (documents and ledgers sent electronically)


#: 专项监督检查 of A and B enterprises may be remote or electronic; C and D are inspected on site
REMOTE_MODE_GRADES = frozenset({"A", "B"})


def mode_problem(kind: str, subkind: str, mode: str, grade: str | None) -> str | None:
    """Why this check may not be carried out in `mode` (None: it may)."""
    if mode == InspectionMode.onsite:
        return None
    if kind != "inspection" or subkind != InspectionType.special:
        return "远程监管、电子检查仅用于专项监督检查 (special inspections only)"
    if grade not in REMOTE_MODE_GRADES:
        return "仅 A、B 级单位的专项监督检查可采取远程监管或电子检查（第八、九条）"
    return None


class ItemResult(StrEnum):
    passed = "pass"
    failed = "fail"
    not_applicable = "na"


class CheckResult(StrEnum):
    passed = "pass"
    failed = "fail"


#: which template purpose a check of each kind may use
TEMPLATE_PURPOSE = {
    (CheckKind.self_check, Rhythm.daily): "daily_device",
    (CheckKind.self_check, Rhythm.weekly): "weekly_investigation",
    (CheckKind.self_check, Rhythm.monthly): "monthly_dispatch",
}
ENTERPRISE_PURPOSE = "enterprise"


def template_purpose(kind: str, rhythm: str | None) -> str:
    """Self-checks use the rhythm's template; the other kinds the enterprise checklist."""
    if kind == CheckKind.self_check:
        return TEMPLATE_PURPOSE[(CheckKind.self_check, Rhythm(rhythm or Rhythm.daily))]
    return ENTERPRISE_PURPOSE


def hazard_source(kind: str) -> str:
    """A failed item becomes a hazard with the check's kind as its source."""
    return {CheckKind.self_check: "self_check", CheckKind.mutual_check: "mutual_check"}.get(
        CheckKind(kind), "inspection"
    )


# --- answers --------------------------------------------------------------------------


def answer_problems(
    item_codes: Sequence[str], answers: Sequence[Mapping], required: Sequence[str] | None = None
) -> dict[str, str]:
    """Every required template item answered once (optional ones at most once), nothing else;
    a failed item needs a note or photo. `required` defaults to every item."""
    problems: dict[str, str] = {}
    seen: set[str] = set()
    known = set(item_codes)
    for answer in answers:
        code = answer["code"]
        if code not in known:
            problems[code] = "检查表中没有该项 (unknown item)"
        elif code in seen:
            problems[code] = "同一项重复作答 (answered twice)"
        elif answer["result"] == ItemResult.failed and not (answer.get("note") or answer.get("photos")):
            problems[code] = "不合格项需填写说明或附照片 (failed item needs a note or photo)"
        seen.add(code)
    for code in item_codes if required is None else required:
        if code not in seen:
            problems[code] = "该项未作答 (not answered)"
    return problems


def is_late(performed_on: date, due_on: date) -> bool:
    """A mutual check done after its cycle's due date is late (逾期完成) but still accepted:
    offline work is never thrown away. The day it was performed counts, not the day it synced."""
    return performed_on > due_on


def overall_result(answers: Iterable[Mapping]) -> CheckResult:
    failed = any(a["result"] == ItemResult.failed for a in answers)
    return CheckResult.failed if failed else CheckResult.passed


# --- self-check rhythm ----------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def period_of(rhythm: str, day: date) -> Period:
    """The day, ISO week (Monday–Sunday) or calendar month containing `day`."""
    if rhythm == Rhythm.daily:
        return Period(day, day)
    if rhythm == Rhythm.weekly:
        start = day - timedelta(days=day.weekday())
        return Period(start, start + timedelta(days=6))
    start = day.replace(day=1)
    following = (start + timedelta(days=32)).replace(day=1)
    return Period(start, following - timedelta(days=1))


def periods_between(rhythm: str, since: date, as_of: date) -> list[Period]:
    """The periods from the one containing `since` to the one containing `as_of`."""
    periods, current = [], period_of(rhythm, since)
    while current.start <= as_of:
        periods.append(current)
        current = period_of(rhythm, current.end + timedelta(days=1))
    return periods


def is_recorded_late(rhythm: str, performed_on: date, received_on: date, grace_days: int) -> bool:
    """补录: a self-check that reached the server more than `grace_days` after its period ended.
    It is kept, but its period stays missed in the regulator's view (offline sync fits in the grace)."""
    return received_on > period_of(rhythm, performed_on).end + timedelta(days=grace_days)


def performed_on_problem(performed_on: date, received_on: date, max_backdate_days: int) -> str | None:
    """A check's date may not lie in the future nor further back than the bureau allows."""
    if performed_on > received_on:
        return "检查日期不能晚于今天"
    if performed_on < received_on - timedelta(days=max_backdate_days):
        return f"检查日期不能早于 {max_backdate_days} 天前"
    return None


@dataclass(frozen=True)
class RhythmStatus:
    #: the current period still lacks its check (待完成)
    due: bool
    #: finished periods without a check (漏检), oldest first
    missed: tuple[Period, ...]
    last_done: date | None


def rhythm_status(rhythm: str, done_on: Iterable[date], since: date, as_of: date) -> RhythmStatus:
    """Due and missed self-checks of one rhythm between `since` and `as_of`.

    A period is missed once it has ended without a check; the current one is due.
    Periods before `since` (e.g. before the device or the rule existed) do not count.
    """
    done = sorted({d for d in done_on if d <= as_of})
    periods = periods_between(rhythm, since, as_of)
    covered = {i for i, p in enumerate(periods) for d in done if p.contains(d)}
    missed = tuple(p for i, p in enumerate(periods[:-1]) if i not in covered)
    due = bool(periods) and (len(periods) - 1) not in covered
    return RhythmStatus(due, missed, done[-1] if done else None)


# --- mutual-check assignment ----------------------------------------------------------


@dataclass(frozen=True)
class Assignment:
    enterprise_id: int
    supervisor_id: int
    #: the supervisor's own enterprise
    from_enterprise_id: int


@dataclass(frozen=True)
class AssignmentPlan:
    assignments: tuple[Assignment, ...]
    #: enterprises nobody eligible could inspect under the constraints
    unassigned: tuple[int, ...]


def assign_mutual_checks(
    enterprise_ids: Sequence[int], supervisors: Mapping[int, Sequence[int]], seed: int
) -> AssignmentPlan:
    """Pick, for each enterprise of a block, a supervisor from another enterprise (互查).

    `supervisors` maps an enterprise to its *eligible* supervisors (valid certificate).
    Constraints: nobody inspects their own enterprise; no A-inspects-B-and-B-inspects-A
    pairs when the block has 3 or more enterprises; loads of eligible supervisors differ
    by at most one. Enterprises with supervisors form a random cycle (each inspects the
    next); the others go to the least-loaded supervisors. Same seed, same plan.
    """
    rng = random.Random(seed)  # noqa: S311 - a fair draw, not a secret
    block = sorted(set(enterprise_ids))
    pool = {e: sorted(set(supervisors.get(e, ()))) for e in block}
    inspecting = [e for e in block if pool[e]]
    rng.shuffle(inspecting)
    load = {s: 0 for e in inspecting for s in pool[e]}
    owner = {s: e for e in inspecting for s in pool[e]}
    chosen: dict[int, int] = {}
    for target, inspector in _cycle_pairs(inspecting, len(block)):
        chosen[target] = _least_loaded(pool[inspector], load, rng)
    for target in (e for e in block if not pool[e]):
        if load:
            chosen[target] = _least_loaded(sorted(load), load, rng)
    assignments = tuple(Assignment(t, s, owner[s]) for t, s in sorted(chosen.items()))
    return AssignmentPlan(assignments, tuple(e for e in block if e not in chosen))


def _cycle_pairs(ring: list[int], block_size: int) -> list[tuple[int, int]]:
    """(target, inspecting enterprise) around a ring; a ring of two is a reciprocal pair,
    allowed only when the block has just those two enterprises."""
    if len(ring) < 2:
        return []
    if len(ring) == 2 and block_size >= 3:
        return [(ring[0], ring[1])]
    return [(ring[i], ring[(i + 1) % len(ring)]) for i in range(len(ring))]


def _least_loaded(candidates: Sequence[int], load: dict[int, int], rng: random.Random) -> int:
    lowest = min(load[s] for s in candidates)
    pick = rng.choice([s for s in candidates if load[s] == lowest])
    load[pick] += 1
    return pick


KIND_LABELS: dict[str, str] = {
    CheckKind.self_check: "企业自查",
    CheckKind.mutual_check: "区块互查",
    CheckKind.inspection: "监督检查",
    CheckKind.acceptance: "示范单位验收",
}
RESULT_LABELS: dict[str, str] = {CheckResult.passed: "合格", CheckResult.failed: "不合格"}


def mutual_check_quarter(day: date) -> tuple[str, Period]:
    """The quarterly mutual-check round (区块互查) containing `day`: its name and its dates
    (the calendar quarter, due on its last day)."""
    quarter = (day.month - 1) // 3
    start = date(day.year, quarter * 3 + 1, 1)
    end = period_of(Rhythm.monthly, date(day.year, quarter * 3 + 3, 1)).end
    return f"{day.year}年第{quarter + 1}季度区块互查", Period(start, end)
