"""Random inspection plans (双随机): quotas as shares of the plan total, never refused for the mix."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.plans.rules import (
    GRADES,
    Candidate,
    Inspector,
    PlanImpossible,
    Pool,
    check_plan,
    composition,
    describe,
    draw,
    exact_sizes,
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
    """Brute force: is there a composition of exactly `size` meeting every rule?"""
    avail = {g: sum(1 for c in candidates if c.grade == g) for g in GRADES}
    forced = {g: sum(1 for c in candidates if c.grade == g and c.key_reasons) for g in GRADES}
    bounds = limits(size)
    for a in range(forced["A"], min(avail["A"], forced["A"] + bounds["A_max"]) + 1):
        for b in range(max(forced["B"], bounds["B_min"]), avail["B"] + 1):
            c = size - avail["D"] - a - b
            if max(forced["C"], bounds["C_min"]) <= c <= avail["C"]:
                return True
    return False


def counts(size: int, candidates: list[Candidate]) -> dict[str, int]:
    return dict(composition(size, candidates).counts)


@pytest.mark.parametrize(
    ("size", "mix", "expected"),
    [
        (20, (10, 10, 20, 2), {"A": 0, "B": 2, "C": 16, "D": 2}),
        (20, (3, 9, 10, 0), {"A": 1, "B": 9, "C": 10, "D": 0}),
        (4, (0, 0, 10, 0), {"A": 0, "B": 0, "C": 4, "D": 0}),
    ],
    ids=["fill-c-first", "a-cap-1", "no-b-at-all"],
)
def test_composition_examples(size, mix, expected):
    assert counts(size, pool(*mix)) == expected


def test_a_grade_short_of_its_floor_gives_all_it_has_and_the_plan_says_how_many_are_missing():
    plan = composition(10, pool(a=30, b=1, c=3))  # the demo's zone 1
    assert plan.total == 10 and dict(plan.counts) == {"A": 0, "B": 1, "C": 3, "D": 0}
    assert plan.shortfall == {"C": 2}
    assert plan.unfilled == 6 and not plan.exact
    notes = describe(plan)
    assert "C 级企业应不少于计划总数的 50%，即 5 家；本辖区只有 3 家，已全部纳入，缺 2 家。" in notes
    assert any(
        "实际抽取 4 家，少 6 家" in n and "A 级（重点对象除外）不超过计划总数的 5%，即 0 家" in n
        for n in notes
    )


def test_mandatory_objects_beyond_the_size_are_all_in_and_the_total_grows_to_hold_them():
    candidates = pool(a=29, b=1, c=2, d=1, keys={"A": 21, "B": 1, "C": 2})  # the demo's zone 3
    plan = composition(10, candidates)
    assert plan.total == 25 and dict(plan.counts) == {"A": 21, "B": 1, "C": 2, "D": 1}
    assert plan.shortfall == {"C": 11, "B": 2}
    notes = describe(plan)
    assert notes[0] == "必查对象（D 级 1 家、重点对象 24 家）共 25 家，多于计划规模 10 家，已全部纳入。"
    assert "本辖区只有 2 家，已全部纳入，缺 11 家" in notes[1]


def test_mandatory_d_crowding_the_floors_grows_the_total_until_every_quota_holds():
    plan = composition(10, pool(b=50, c=50, d=8))
    # C ≥ 50 % and B ≥ 10 % leave D at most 40 %: 8 D need a plan of 20
    assert plan.total == 20 and dict(plan.counts) == {"A": 0, "B": 2, "C": 10, "D": 8}
    assert not plan.shortfall and not plan.unfilled
    assert "计划总数由 10 家增至 20 家" in describe(plan)[0]
    assert composition(19, pool(b=50, c=50, d=8)).total == 20  # the smallest total that holds them


def test_key_a_objects_are_in_without_using_the_a_cap_of_the_other_a():
    plan = composition(20, pool(a=5, b=5, c=20, keys={"A": 2}))
    assert dict(plan.counts) == {"A": 2, "B": 2, "C": 16, "D": 0}
    items = draw(40, pool(a=10, b=10, c=20, keys={"A": 3}), INSPECTORS, seed=5).items
    key_a = [i for i in items if i.grade == "A" and i.key_reasons]
    drawn_a = [i for i in items if i.grade == "A" and not i.key_reasons]
    assert len(key_a) == 3 and len(drawn_a) == limits(40)["A_max"] == 2
    assert check_plan(40, items)["A_max"]


def test_exact_sizes_are_the_ones_meeting_every_quota_without_a_note():
    assert exact_sizes(pool(a=30, b=1, c=3)) == [(2, 4)]
    assert exact_sizes(pool(a=29, b=1, c=2, d=1, keys={"A": 21, "B": 1, "C": 2})) == []
    assert exact_sizes(pool(b=50, c=50, d=8))[0] == (20, 20)


def test_the_zone_lacking_unlinked_inspectors_borrows_from_the_rest_of_the_city_and_says_so():
    zone = [Inspector(1, frozenset({1})), Inspector(2)]
    city = [Inspector(7), Inspector(8, frozenset({1}))]
    result = draw(2, pool(b=1, c=1), zone, seed=1, others=city)
    first = next(i for i in result.items if i.enterprise_id == 1)
    assert sorted(first.inspector_ids) == [2, 7] and result.borrowed == {1: [7]}
    second = next(i for i in result.items if i.enterprise_id == 2)
    assert sorted(second.inspector_ids) == [1, 2]  # the zone had two unlinked ones for it
    note = describe(result.composition, result.borrowed, 2, {7: "城西分局监察员"})[-1]
    assert note == "本辖区无关联的监察员不足每家 2 名，1 家企业从其他辖区抽派监察员：城西分局监察员。"


def test_too_few_unlinked_inspectors_in_the_whole_city_is_a_clear_error():
    with pytest.raises(PlanImpossible) as error:
        draw(2, pool(b=1, c=1), [Inspector(1, frozenset({1})), Inspector(2)], seed=1)
    assert "inspectors" in error.value.problems


mixes = st.tuples(
    *(st.integers(0, 30) for _ in GRADES), st.integers(0, 3), st.integers(0, 3), st.integers(0, 3)
)


@settings(max_examples=300, deadline=None)
@given(size=st.integers(1, 80), mix=mixes, seed=st.integers(0, 2**31))
def test_every_size_and_mix_draws_a_plan_meeting_each_quota_the_zone_can_meet(size, mix, seed):
    a, b, c, d, ka, kb, kc = mix
    candidates = pool(a, b, c, d, keys={"A": min(ka, a), "B": min(kb, b), "C": min(kc, c)})
    if not candidates:
        return
    linked = [Inspector(i.id, frozenset({i.id % 7 + 1})) for i in INSPECTORS]
    result = draw(size, candidates, linked, seed)
    plan, items = result.composition, result.items
    verdict = check_plan(plan.total, items)
    assert plan.exact == feasible(size, candidates) == (plan.total == size and all(verdict.values()))
    assert verdict["A_max"]  # the cap on non-key A always holds
    for grade in ("B", "C"):  # a floor is met, or the grade gave all it has and the shortfall says so
        drawn = sum(1 for i in items if i.grade == grade)
        assert verdict[f"{grade}_min"] or (drawn == plan.pool.available[grade] and grade in plan.shortfall)
    assert plan.total >= size and len(items) == plan.held
    if plan.total > max(size, plan.pool.mandatory_total):  # grown only as far as needed
        assert Pool.of(candidates).needed(plan.total - 1) > plan.total - 1
    assert verdict["size"] or plan.unfilled
    assert bool(describe(plan)) == (not plan.exact)
    chosen = {i.enterprise_id for i in items}
    assert {x.enterprise_id for x in candidates if x.grade == "D" or x.key_reasons} <= chosen
    for item in items:
        assert len(set(item.inspector_ids)) == 2
        assert all(item.enterprise_id not in i.linked for i in linked if i.id in item.inspector_ids)
    assert draw(size, candidates, linked, seed) == result  # same seed, same plan


def test_different_seeds_draw_different_enterprises():
    candidates = pool(a=40, b=40, c=200)
    first = {i.enterprise_id for i in draw(40, candidates, INSPECTORS, seed=1).items}
    second = {i.enterprise_id for i in draw(40, candidates, INSPECTORS, seed=2).items}
    assert first != second


def test_inspector_load_is_balanced():
    items = draw(60, pool(a=20, b=20, c=60), INSPECTORS, seed=3).items
    load = [sum(i.id in item.inspector_ids for item in items) for i in INSPECTORS]
    assert max(load) - min(load) <= 1
