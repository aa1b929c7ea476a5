"""Random inspection plans (双随机): quotas over plan sizes and grade mixes, reproducibility."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.plans.rules import (
    GRADES,
    Candidate,
    Inspector,
    PlanImpossible,
    check_plan,
    composition,
    draw,
    limits,
)

INSPECTORS = [Inspector(100 + n) for n in range(6)]


def pool(a: int = 0, b: int = 0, c: int = 0, d: int = 0, keys: dict | None = None) -> list[Candidate]:
    """Candidates numbered per grade; `keys` maps grade → how many of them are key objects."""
    keys = keys or {}
    out, n = [], 0
    for grade, count in zip(GRADES, (a, b, c, d), strict=True):
        for k in range(count):
            n += 1
            out.append(Candidate(n, grade, ("public_place",) if k < keys.get(grade, 0) else ()))
    return out


def feasible(size: int, candidates: list[Candidate]) -> bool:
    """Brute force: is there any composition meeting every rule?"""
    avail = {g: sum(1 for c in candidates if c.grade == g) for g in GRADES}
    forced = {g: sum(1 for c in candidates if c.grade == g and c.key_reasons) for g in GRADES}
    bounds = limits(size)
    for a in range(forced["A"], min(avail["A"], forced["A"] + bounds["A_max"]) + 1):
        for b in range(max(forced["B"], bounds["B_min"]), avail["B"] + 1):
            c = size - avail["D"] - a - b
            if max(forced["C"], bounds["C_min"]) <= c <= avail["C"]:
                return True
    return False


@pytest.mark.parametrize(("size", "mix", "expected"), [
    (20, (10, 10, 20, 2), {"A": 0, "B": 2, "C": 16, "D": 2}),
    (10, (0, 1, 5, 0), None),  # not enough enterprises: C and B fill, still short
    (19, (5, 5, 5, 0), None),  # C needs 10, only 5
    (20, (3, 2, 10, 1), None),  # A capped at 1: 14 at most
    (20, (3, 9, 10, 0), {"A": 1, "B": 9, "C": 10, "D": 0}),
    (4, (0, 0, 2, 3), None),  # every D plus half C exceeds the plan
], ids=["fill-c-first", "too-few", "c-short", "a-cap-short", "a-cap-1", "d-overflow"])
def test_composition_examples(size, mix, expected):
    if expected is None:
        with pytest.raises(PlanImpossible):
            composition(size, pool(*mix))
    else:
        assert composition(size, pool(*mix)) == expected


def test_key_a_objects_are_in_the_plan_without_using_the_a_quota():
    assert composition(20, pool(a=5, b=5, c=20, keys={"A": 2})) == {"A": 2, "B": 2, "C": 16, "D": 0}


def test_too_few_unlinked_inspectors_is_a_clear_error():
    linked = [Inspector(1, frozenset({1})), Inspector(2)]
    with pytest.raises(PlanImpossible) as error:
        draw(2, pool(b=1, c=1), linked, seed=1)
    assert "inspectors" in error.value.problems


mixes = st.tuples(*(st.integers(0, 30) for _ in GRADES), st.integers(0, 3), st.integers(0, 3),
                  st.integers(0, 3))


@settings(max_examples=300, deadline=None)
@given(size=st.integers(1, 80), mix=mixes, seed=st.integers(0, 2**31))
def test_quotas_hold_for_every_size_and_mix_or_the_plan_is_refused(size, mix, seed):
    a, b, c, d, ka, kb, kc = mix
    candidates = pool(a, b, c, d, keys={"A": min(ka, a), "B": min(kb, b), "C": min(kc, c)})
    linked = [Inspector(i.id, frozenset({i.id % 7 + 1})) for i in INSPECTORS]
    if not feasible(size, candidates):
        with pytest.raises(PlanImpossible):
            draw(size, candidates, linked, seed)
        return
    items = draw(size, candidates, linked, seed)
    assert all(check_plan(size, items).values()), check_plan(size, items)
    chosen = {i.enterprise_id for i in items}
    assert {x.enterprise_id for x in candidates if x.grade == "D" or x.key_reasons} <= chosen
    for item in items:
        assert len(set(item.inspector_ids)) == 2
        assert all(item.enterprise_id not in i.linked
                   for i in linked if i.id in item.inspector_ids)
    assert draw(size, candidates, linked, seed) == items  # same seed, same plan


def test_different_seeds_draw_different_enterprises():
    candidates = pool(a=40, b=40, c=200)
    first = {i.enterprise_id for i in draw(40, candidates, INSPECTORS, seed=1)}
    second = {i.enterprise_id for i in draw(40, candidates, INSPECTORS, seed=2)}
    assert first != second


def test_inspector_load_is_balanced():
    items = draw(60, pool(a=20, b=20, c=60), INSPECTORS, seed=3)
    load = [sum(i.id in item.inspector_ids for item in items) for i in INSPECTORS]
    assert max(load) - min(load) <= 1
