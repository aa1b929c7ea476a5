"""The monthly report's self-check figures (日管控, 周排查, 月调度) are counted in the database; they
must equal what counting each device and enterprise one by one gives (`_one_by_one` below: how the
report counted them before, in Python, which took 13 s at province size)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select, update

from backend.core.clock import CHINA_TZ, local_day, today
from backend.demo import load_demo
from backend.devices.models import Device
from backend.devices.rules import DeviceStatus
from backend.extensions import db
from backend.inspections.models import Check, ChecklistTemplate
from backend.inspections.rules import CheckKind, Rhythm, period_of
from backend.inspections.services import install_default_templates
from backend.org.models import Enterprise, Zone
from backend.reports import rules
from backend.reports.services import self_check_figures
from tests import factories as f


@pytest.fixture
def app(fast_app):
    return fast_app


def _one_by_one(zone: Zone | None, start: date, as_of: date) -> dict:
    """Every device in use and every enterprise using one, counted apart from its own checks."""
    earliest = min(period_of(Rhythm.weekly, start).start, start)
    query = select(Check.enterprise_id, Check.device_id, Check.subkind, Check.performed_on).where(
        Check.kind == CheckKind.self_check,
        Check.performed_on >= earliest,
        Check.performed_on <= as_of,
        Check.late.is_(False),
    )
    devices = select(Device.id, Device.created_at).where(Device.status == DeviceStatus.in_use)
    in_use = select(Device.enterprise_id).where(Device.status == DeviceStatus.in_use)
    enterprises = select(Enterprise.id, Enterprise.created_at).where(Enterprise.id.in_(in_use))
    if zone is not None:
        query = query.where(Check.zone_id == zone.id)
        devices = devices.where(Device.zone_id == zone.id)
        enterprises = enterprises.where(Enterprise.zone_id == zone.id)
    done: dict[tuple, list[date]] = {}
    for enterprise_id, device_id, subkind, on in db.session.execute(query):
        key = (Rhythm.daily, device_id) if subkind == Rhythm.daily else (subkind, enterprise_id)
        done.setdefault(key, []).append(on)
    owners = {
        Rhythm.daily: db.session.execute(devices).all(),
        Rhythm.weekly: db.session.execute(enterprises).all(),
        Rhythm.monthly: db.session.execute(enterprises).all(),
    }
    figures = {}
    for rhythm, rows in owners.items():
        expected = completed = 0
        for owner_id, created_at in rows:
            since = max(start, local_day(created_at))
            e, d = rules.periods_done(rhythm, done.get((rhythm, owner_id), ()), since, as_of)
            expected, completed = expected + e, completed + d
        figures[rhythm.value] = {
            "expected": expected,
            "done": completed,
            "rate": rules.rate(completed, expected),
        }
    return figures


def _local(day: date, at: time = time()) -> datetime:
    return datetime.combine(day, at, CHINA_TZ).astimezone(UTC)


def _moments(start: date) -> list[datetime]:
    """Registration moments around the edges that matter: China-time midnights, the month's bounds."""
    return [
        datetime(2024, 3, 1, tzinfo=UTC),
        _local(start - timedelta(days=1), time(23, 59, 59)),
        _local(start),
        _local(start + timedelta(days=2), time(23, 59, 59)),
        _local(start + timedelta(days=3)),
        _local(start + timedelta(days=10), time(12)),
        _local(start + timedelta(days=26), time(7)),
        _local(today()),
        _local(today() + timedelta(days=1)),
    ]


def _template_id() -> int:
    install_default_templates()
    return db.session.scalars(select(ChecklistTemplate.id)).first()


def _random_checks(
    rng: random.Random, enterprises: list[Enterprise], user_id: int, first: date, n: int
) -> None:
    """Self-checks (some 补录, some mutual checks, some recorded in another zone) from `first` to today."""
    template_id = _template_id()
    zones = sorted({e.zone_id for e in enterprises})
    devices: dict[int, list[int]] = {}
    for enterprise_id, device_id in db.session.execute(select(Device.enterprise_id, Device.id)):
        devices.setdefault(enterprise_id, []).append(device_id)
    span = (today() - first).days
    for _ in range(n):
        enterprise = rng.choice(enterprises)
        subkind = rng.choice(list(Rhythm))
        own = devices.get(enterprise.id, [])
        db.session.add(
            Check(
                id=f.new_id(),
                kind=CheckKind.self_check if rng.random() < 0.9 else CheckKind.mutual_check,
                subkind=subkind,
                template_id=template_id,
                enterprise_id=enterprise.id,
                zone_id=enterprise.zone_id if rng.random() < 0.75 else rng.choice(zones),
                device_id=rng.choice(own)
                if own and (subkind == Rhythm.daily or rng.random() < 0.3)
                else None,
                performed_by_id=user_id,
                performed_on=first + timedelta(days=rng.randrange(span + 1)),
                result="pass",
                payload_hash="0" * 64,
                late=rng.random() < 0.15,
            )
        )
    db.session.flush()


def _months() -> list[str]:
    """Two months back, last month (finished), this month (to today) and next month (not begun)."""
    this = today().replace(day=1)
    two_back = (this - timedelta(days=32)).replace(day=1)
    return [
        two_back.strftime("%Y-%m"),
        rules.month_due(today()),
        this.strftime("%Y-%m"),
        (this + timedelta(days=32)).strftime("%Y-%m"),
    ]


def _assert_same_figures(zones: list[Zone | None]) -> None:
    for month in _months():
        start, end = rules.month_bounds(month)
        as_of = min(today(), end)
        for zone in zones:
            assert self_check_figures(zone, start, as_of) == _one_by_one(zone, start, as_of), (month, zone)


def test_self_check_figures_equal_counting_each_owner_apart(city):
    rng = random.Random(23)
    start = rules.month_bounds(rules.month_due(today()))[0]
    moments = _moments(start)
    enterprises = [city.ent_a, city.ent_b, city.ent_c, city.ent_x]
    enterprises += [f.make_enterprise(rng.choice([city.zone, city.other_zone])) for _ in range(8)]
    for enterprise in enterprises:
        enterprise.created_at = rng.choice(moments)
        for _ in range(rng.randrange(4)):
            f.make_device(
                enterprise,
                created_at=rng.choice(moments),
                status=rng.choice(["in_use", "in_use", "in_use", "idle", "scrapped"]),
                # a device moved to another zone stays counted where it is now
                zone_id=enterprise.zone_id if rng.random() < 0.9 else city.other_zone.id,
            )
    _random_checks(rng, enterprises, city.admin.id, start - timedelta(days=45), 250)
    _checks_recorded_in_another_zone(city, start + timedelta(days=9))
    db.session.commit()

    _assert_same_figures([None, city.zone, city.other_zone])


def _checks_recorded_in_another_zone(city, on: date) -> None:
    """A quiet enterprise whose only checks were recorded in another zone: they count for the
    city, not for its zone."""
    quiet = f.make_enterprise(city.zone, created_at=datetime(2024, 3, 1, tzinfo=UTC))
    device = f.make_device(quiet, created_at=datetime(2024, 3, 1, tzinfo=UTC))
    for rhythm in Rhythm:
        db.session.add(
            Check(
                id=f.new_id(),
                kind=CheckKind.self_check,
                subkind=rhythm,
                template_id=_template_id(),
                enterprise_id=quiet.id,
                zone_id=city.other_zone.id,
                device_id=device.id,
                performed_by_id=city.admin.id,
                performed_on=on,
                result="pass",
                payload_hash="0" * 64,
            )
        )


def test_self_check_figures_on_the_demo_city_equal_counting_each_owner_apart(app):
    load_demo()
    rng = random.Random(5)
    start = rules.month_bounds(rules.month_due(today()))[0]
    moments = _moments(start)
    # the demo registers everything today: spread registrations over the months reported
    for model in (Device, Enterprise):
        for owner_id in db.session.scalars(select(model.id)):
            if rng.random() < 0.3:
                moment = rng.choice(moments)
                db.session.execute(update(model).where(model.id == owner_id).values(created_at=moment))
    enterprises = list(db.session.scalars(select(Enterprise).order_by(Enterprise.id)))
    user_id = db.session.scalar(select(Check.performed_by_id).limit(1)) or f.make_user("bureau_admin").id
    _random_checks(rng, enterprises, user_id, start - timedelta(days=45), 3000)
    db.session.commit()

    figures = self_check_figures(None, start, rules.month_bounds(rules.month_due(today()))[1])
    assert figures["daily"]["expected"] > 0 and figures["daily"]["done"] > 0
    assert figures["weekly"]["done"] > 0 and figures["monthly"]["done"] > 0
    _assert_same_figures([None, *db.session.scalars(select(Zone).order_by(Zone.id))])
