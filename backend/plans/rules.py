"""Pure rules of the random inspection plan (双随机、一公开; seed 002 第八–十二条).

How a plan of `size` enterprises (计划规模) is composed:
- every D enterprise (第十一条) and every key object whatever its grade (第十二条) is in;
- the quotas are shares of the plan total (计划总数): A ≤ 5 % (floor; key A objects are in by
  第十二条 and do not use it), B ≥ 10 % (ceil), C ≥ 50 % (ceil) (第八–十条);
- the plan total is the asked size, or, when the mandatory objects and the floors do not fit in it,
  the smallest total in which they do (D and key objects crowd out the C and B floors otherwise);
- a grade with fewer enterprises than its floor asks gives all it has, and the plan says how many
  are missing; places the floors leave go to C, then B, then A (within the A cap); when every grade
  is exhausted the plan holds fewer than its total and says so. A plan is never refused for its mix.
Enterprises are drawn with `random.Random(seed)` from candidates sorted by id, so the same seed and
the same candidates give the same plan. Each enterprise gets `per_item` inspectors drawn at random,
least-loaded first, never one linked to it: from the zone first, then from the rest of the city.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

GRADES = ("A", "B", "C", "D")
#: seed 002 第八–十条: A at most, B and C at least, as a share of the plan total
A_MAX_SHARE, B_MIN_SHARE, C_MIN_SHARE = 0.05, 0.10, 0.50
FLOORS = (("C", C_MIN_SHARE), ("B", B_MIN_SHARE))


class PlanImpossible(Exception):
    """The plan cannot be staffed; `problems` says why."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


@dataclass(frozen=True)
class Candidate:
    enterprise_id: int
    grade: str
    #: why it must be in the plan (public_place, accident, complaints, named); empty when not key
    key_reasons: tuple[str, ...] = ()

    @property
    def mandatory(self) -> bool:
        return bool(self.key_reasons) or self.grade == "D"


@dataclass(frozen=True)
class Inspector:
    id: int
    #: enterprises the inspector is linked to (回避): never assigned to them
    linked: frozenset[int] = frozenset()


@dataclass
class Item:
    enterprise_id: int
    grade: str
    key_reasons: tuple[str, ...]
    inspector_ids: list[int] = field(default_factory=list)


def limits(total: int) -> dict[str, int]:
    """The quota bounds of a plan total: A (not key) at most, B and C at least."""
    return {
        "A_max": math.floor(total * A_MAX_SHARE),
        "B_min": math.ceil(total * B_MIN_SHARE),
        "C_min": math.ceil(total * C_MIN_SHARE),
    }


@dataclass(frozen=True)
class Pool:
    """How many candidates of each grade there are, and how many of them must be in."""

    available: Mapping[str, int]
    mandatory: Mapping[str, int]

    @classmethod
    def of(cls, candidates: Sequence[Candidate]) -> Pool:
        return cls(
            {g: sum(1 for c in candidates if c.grade == g) for g in GRADES},
            {g: sum(1 for c in candidates if c.grade == g and c.mandatory) for g in GRADES},
        )

    @property
    def mandatory_total(self) -> int:
        return sum(self.mandatory.values())

    @property
    def key_total(self) -> int:
        """Mandatory objects that are in as key objects (the D ones are in as D)."""
        return self.mandatory_total - self.mandatory["D"]

    def floor_count(self, grade: str, floor: int) -> int:
        """What a floor grade gives: its mandatory ones, at least the floor, at most all it has."""
        return max(self.mandatory[grade], min(self.available[grade], floor))

    def needed(self, total: int) -> int:
        """Places the mandatory objects and the floors take in a plan of `total`."""
        bounds = limits(total)
        return (
            self.mandatory["A"]
            + self.mandatory["D"]
            + self.floor_count("B", bounds["B_min"])
            + self.floor_count("C", bounds["C_min"])
        )


@dataclass(frozen=True)
class Composition:
    size: int
    #: 计划总数: the quotas are shares of it
    total: int
    counts: Mapping[str, int]
    pool: Pool

    @property
    def limits(self) -> dict[str, int]:
        return limits(self.total)

    @property
    def held(self) -> int:
        return sum(self.counts.values())

    @property
    def unfilled(self) -> int:
        """Places of the total no grade had anyone left for (the A cap holds)."""
        return self.total - self.held

    @property
    def shortfall(self) -> dict[str, int]:
        """Floor grades with fewer enterprises than the floor asks → how many are missing."""
        bounds = self.limits
        return {
            g: bounds[f"{g}_min"] - self.pool.available[g]
            for g, _ in FLOORS
            if self.pool.available[g] < bounds[f"{g}_min"]
        }

    @property
    def exact(self) -> bool:
        """The plan meets every quota at exactly the asked size."""
        return self.total == self.size and not self.shortfall and not self.unfilled


def plan_total(size: int, pool: Pool) -> int:
    """The smallest total ≥ size holding every mandatory object with the floors met as far as possible.

    `needed` grows with the total, so iterating from the lower bound reaches the least fixed point.
    """
    total = max(size, pool.mandatory_total)
    while (needed := pool.needed(total)) > total:
        total = needed
    return total


def composition(size: int, candidates: Sequence[Candidate] | Pool) -> Composition:
    """How many of each grade a plan of `size` takes (never refused; see `Composition`)."""
    if size < 1:
        raise ValueError("size must be at least 1")
    pool = candidates if isinstance(candidates, Pool) else Pool.of(candidates)
    total = plan_total(size, pool)
    bounds = limits(total)
    counts = {
        "A": pool.mandatory["A"],
        "B": pool.floor_count("B", bounds["B_min"]),
        "C": pool.floor_count("C", bounds["C_min"]),
        "D": pool.available["D"],
    }
    room = total - sum(counts.values())
    a_cap = min(pool.available["A"], pool.mandatory["A"] + bounds["A_max"])
    for grade, cap in (("C", pool.available["C"]), ("B", pool.available["B"]), ("A", a_cap)):
        extra = min(room, cap - counts[grade])
        counts[grade] += extra
        room -= extra
    return Composition(size, total, counts, pool)


def exact_sizes(candidates: Sequence[Candidate] | Pool) -> list[tuple[int, int]]:
    """The sizes whose plan meets every quota exactly, as inclusive ranges (empty when none does)."""
    pool = candidates if isinstance(candidates, Pool) else Pool.of(candidates)
    ranges: list[tuple[int, int]] = []
    for size in range(max(1, pool.mandatory_total), sum(pool.available.values()) + 1):
        if not composition(size, pool).exact:
            continue
        if ranges and ranges[-1][1] == size - 1:
            ranges[-1] = (ranges[-1][0], size)
        else:
            ranges.append((size, size))
    return ranges


@dataclass
class Draw:
    items: list[Item]
    composition: Composition
    #: enterprise id → inspectors sent from outside the zone (too few unlinked ones in it)
    borrowed: dict[int, list[int]] = field(default_factory=dict)


def draw(
    size: int,
    candidates: Sequence[Candidate],
    inspectors: Sequence[Inspector],
    seed: int,
    per_item: int = 2,
    others: Sequence[Inspector] = (),
) -> Draw:
    """Draw the plan: enterprises by quota, then inspectors (reproducible from `seed`).

    `inspectors` are the zone's; `others` the rest of the city's, sent only where the zone lacks
    `per_item` unlinked ones. PlanImpossible when even the city lacks them for an enterprise.
    """
    counts = composition(size, candidates)
    rng = random.Random(seed)  # noqa: S311 - a reproducible public draw, not a secret
    items: list[Item] = []
    for grade in GRADES:
        pool = sorted((c for c in candidates if c.grade == grade), key=lambda c: c.enterprise_id)
        must = [c for c in pool if c.mandatory]
        rest = [c for c in pool if not c.mandatory]
        chosen = must + rng.sample(rest, counts.counts[grade] - len(must))
        items += [Item(c.enterprise_id, c.grade, c.key_reasons) for c in chosen]
    items.sort(key=lambda i: i.enterprise_id)
    borrowed = _assign(items, _by_id(inspectors), _by_id(others), rng, per_item)
    return Draw(items, counts, borrowed)


def _by_id(inspectors: Sequence[Inspector]) -> list[Inspector]:
    return sorted(inspectors, key=lambda i: i.id)


def _least_loaded(
    eligible: list[Inspector], load: dict[int, int], rng: random.Random, wanted: int
) -> list[Inspector]:
    rng.shuffle(eligible)
    eligible.sort(key=lambda i: load[i.id])  # stable: random among the least loaded
    return eligible[:wanted]


def _assign(
    items: list[Item], zone: list[Inspector], others: list[Inspector], rng: random.Random, per_item: int
) -> dict[int, list[int]]:
    load = dict.fromkeys((i.id for i in zone + others), 0)
    borrowed: dict[int, list[int]] = {}
    for item in items:
        chosen = _least_loaded([i for i in zone if item.enterprise_id not in i.linked], load, rng, per_item)
        if len(chosen) < per_item:
            outside = [i for i in others if item.enterprise_id not in i.linked]
            extra = _least_loaded(outside, load, rng, per_item - len(chosen))
            if len(chosen) + len(extra) < per_item:
                raise PlanImpossible(
                    {
                        "inspectors": (
                            f"企业 {item.enterprise_id} 全市可派的无关联监察员"
                            f"只有 {len(chosen) + len(extra)} 名，每家需要 {per_item} 名"
                        )
                    }
                )
            borrowed[item.enterprise_id] = [i.id for i in extra]
            chosen += extra
        for inspector in chosen:
            item.inspector_ids.append(inspector.id)
            load[inspector.id] += 1
    return borrowed


def check_plan(total: int, items: Sequence[Item]) -> dict[str, bool]:
    """The quota rules as predicates over a drawn plan of that total (for tests and the plan view)."""
    count = {g: sum(1 for i in items if i.grade == g) for g in GRADES}
    bounds = limits(total)
    drawn_a = sum(1 for i in items if i.grade == "A" and not i.key_reasons)
    return {
        "size": len(items) == total,
        "A_max": drawn_a <= bounds["A_max"],
        "B_min": count["B"] >= bounds["B_min"],
        "C_min": count["C"] >= bounds["C_min"],
    }


def _percent(share: float) -> str:
    return f"{share * 100:g}%"


def describe(
    counts: Composition,
    borrowed: Mapping[int, Sequence[int]] | None = None,
    per_item: int = 2,
    inspector_names: Mapping[int, str] | None = None,
) -> list[str]:
    """The plan's notes in plain words: growth beyond the asked size, shortfalls, borrowed inspectors."""
    pool, notes, names_of = counts.pool, [], inspector_names or {}
    if pool.mandatory_total > counts.size:
        notes.append(
            f"必查对象（D 级 {pool.mandatory['D']} 家、重点对象 {pool.key_total} 家）共 "
            f"{pool.mandatory_total} 家，多于计划规模 {counts.size} 家，已全部纳入。"
        )
    start = max(counts.size, pool.mandatory_total)
    if counts.total > start:
        notes.append(
            f"为同时满足 C 级不少于 {_percent(C_MIN_SHARE)}、B 级不少于 {_percent(B_MIN_SHARE)}，"
            f"计划总数由 {start} 家增至 {counts.total} 家。"
        )
    bounds = counts.limits
    for grade, share in FLOORS:
        missing = counts.shortfall.get(grade)
        if missing:
            floor = bounds[f"{grade}_min"]
            notes.append(
                f"{grade} 级企业应不少于计划总数的 {_percent(share)}，即 {floor} 家；"
                f"本辖区只有 {pool.available[grade]} 家，已全部纳入，缺 {missing} 家。"
            )
    if counts.unfilled:
        spare_a = pool.available["A"] - pool.mandatory["A"]
        why = (
            "各级企业已全部纳入"
            if spare_a <= bounds["A_max"]
            else f"C 级、B 级企业已全部纳入，A 级（重点对象除外）不超过计划总数的 {_percent(A_MAX_SHARE)}，"
            f"即 {bounds['A_max']} 家"
        )
        notes.append(
            f"计划总数 {counts.total} 家，实际抽取 {counts.held} 家，少 {counts.unfilled} 家：{why}。"
        )
    if borrowed:
        sent = sorted({i for ids in borrowed.values() for i in ids})
        names = "、".join(names_of.get(i, f"监察员 {i}") for i in sent)
        notes.append(
            f"本辖区无关联的监察员不足每家 {per_item} 名，{len(borrowed)} 家企业从其他辖区抽派"
            f"监察员：{names}。"
        )
    return notes
