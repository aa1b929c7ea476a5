"""Pure rules of the random inspection plan (双随机、一公开; seed 002 第八–十二条).

Composition of a plan of `size` enterprises:
- every D enterprise (第十一条) and every key object whatever its grade (第十二条);
  key objects are there by 第十二条, so an A-graded key object does not use the A quota;
- A ≤ 5 % of the plan (floor), B ≥ 10 % (ceil), C ≥ 50 % (ceil) (第八–十条);
- the remaining places go to C, then B, then A (higher risk first, within the caps).
Enterprises are drawn with `random.Random(seed)` from candidates sorted by id, so the
same seed and the same candidates give the same plan. Each enterprise gets
`per_item` inspectors drawn at random, least-loaded first, never one linked to it.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

GRADES = ("A", "B", "C", "D")


class PlanImpossible(Exception):
    """The quotas cannot be met; `problems` says which and by how much."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


@dataclass(frozen=True)
class Candidate:
    enterprise_id: int
    grade: str
    #: why it must be in the plan (public_place, accident, complaints); empty when not key
    key_reasons: tuple[str, ...] = ()


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


def limits(size: int) -> dict[str, int]:
    """The quota bounds of a plan of `size`: A at most, B and C at least."""
    return {"A_max": math.floor(size * 0.05), "B_min": math.ceil(size * 0.10),
            "C_min": math.ceil(size * 0.50)}


def composition(size: int, candidates: Sequence[Candidate]) -> dict[str, int]:
    """How many of each grade the plan takes, or PlanImpossible naming the broken quota."""
    available = {g: sum(1 for c in candidates if c.grade == g) for g in GRADES}
    forced = {g: sum(1 for c in candidates if c.grade == g and (c.key_reasons or g == "D"))
              for g in GRADES}
    bounds = limits(size)
    counts = {"A": forced["A"], "B": max(forced["B"], bounds["B_min"]),
              "C": max(forced["C"], bounds["C_min"]), "D": available["D"]}
    problems = {}
    for grade in ("B", "C"):
        if counts[grade] > available[grade]:
            problems[grade] = (f"{grade} 级需要至少 {counts[grade]} 家，本辖区只有 "
                               f"{available[grade]} 家")
    if sum(counts.values()) > size:
        problems["size"] = (f"必查对象（D 级全部、重点对象）与最低配额共 {sum(counts.values())} 家，"
                            f"超过计划规模 {size} 家")
    if problems:
        raise PlanImpossible(problems)
    room = size - sum(counts.values())
    for grade, cap in (("C", available["C"]), ("B", available["B"]),
                       ("A", min(available["A"], forced["A"] + bounds["A_max"]))):
        extra = min(room, cap - counts[grade])
        counts[grade] += extra
        room -= extra
    if room:
        raise PlanImpossible({"size": f"可抽取的企业不足：还差 {room} 家（A 级最多占 5 %）"})
    return counts


def draw(size: int, candidates: Sequence[Candidate], inspectors: Sequence[Inspector],
         seed: int, per_item: int = 2) -> list[Item]:
    """Draw the plan: enterprises by quota, then inspectors (reproducible from `seed`)."""
    if size < 1:
        raise PlanImpossible({"size": "计划规模至少为 1"})
    counts = composition(size, candidates)
    rng = random.Random(seed)  # noqa: S311 - a reproducible public draw, not a secret
    items: list[Item] = []
    for grade in GRADES:
        pool = sorted((c for c in candidates if c.grade == grade), key=lambda c: c.enterprise_id)
        must = [c for c in pool if c.key_reasons or grade == "D"]
        rest = [c for c in pool if not (c.key_reasons or grade == "D")]
        chosen = must + rng.sample(rest, counts[grade] - len(must))
        items += [Item(c.enterprise_id, c.grade, c.key_reasons) for c in chosen]
    _assign(items, sorted(inspectors, key=lambda i: i.id), rng, per_item)
    return sorted(items, key=lambda i: i.enterprise_id)


def _assign(items: list[Item], inspectors: list[Inspector], rng: random.Random, per_item: int) -> None:
    load = dict.fromkeys((i.id for i in inspectors), 0)
    for item in items:
        eligible = [i for i in inspectors if item.enterprise_id not in i.linked]
        if len(eligible) < per_item:
            raise PlanImpossible({"inspectors": (
                f"企业 {item.enterprise_id} 可派的无关联监察员只有 {len(eligible)} 名，"
                f"每家需要 {per_item} 名")})
        rng.shuffle(eligible)
        eligible.sort(key=lambda i: load[i.id])  # stable: random among the least loaded
        for inspector in eligible[:per_item]:
            item.inspector_ids.append(inspector.id)
            load[inspector.id] += 1


def check_plan(size: int, items: Sequence[Item]) -> dict[str, bool]:
    """The quota rules as predicates over a drawn plan (for tests and the plan view)."""
    count = {g: sum(1 for i in items if i.grade == g) for g in GRADES}
    bounds = limits(size)
    drawn_a = sum(1 for i in items if i.grade == "A" and not i.key_reasons)
    return {"size": len(items) == size, "A_max": drawn_a <= bounds["A_max"],
            "B_min": count["B"] >= bounds["B_min"], "C_min": count["C"] >= bounds["C_min"]}
