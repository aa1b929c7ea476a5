"""困人救援 on the record: the using unit and the regulators read, on the maintenance record itself,
when the entrapment was reported, the limit, and how long arrival and release took."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.core.clock import today, utcnow
from backend.extensions import db
from backend.maintenance.models import MaintenanceContract, MaintenanceOrder
from backend.maintenance.services import generate_orders
from tests import factories as f
from tests.conftest import auth

SIGNATURE = "6" * 64
PHOTOS = [c * 64 for c in "789abcdef"]


@pytest.fixture
def app(fast_app):
    return fast_app


@dataclass
class Maint:
    worker: object
    #: the half-monthly order the contract opened
    order: MaintenanceOrder


@pytest.fixture
def maint(city) -> Maint:
    """A company maintaining dev_a under a contract, one of its workers, its half-monthly order."""
    company = f.make_enterprise(city.zone, roles="maintainer")
    start = today() - timedelta(days=14)
    db.session.add(
        MaintenanceContract(
            device_id=city.dev_a.id,
            company_id=company.id,
            starts_on=start,
            ends_on=start + timedelta(days=365),
        )
    )
    city.dev_a.maintenance_company_id = company.id
    db.session.flush()
    generate_orders(today())
    order = db.session.scalars(select(MaintenanceOrder)).one()
    order.created_at = utcnow() - timedelta(hours=5)
    for sha in (*PHOTOS, SIGNATURE):
        f.make_photo(sha)
    m = Maint(f.make_user("maintenance_worker", enterprise=company), order)
    db.session.commit()
    return m


def record_body(city, order: MaintenanceOrder) -> dict:
    """Every item answered, each item that asks for a photo with its own."""
    arrived = utcnow() - timedelta(hours=1)
    photos = iter(PHOTOS)
    items = [
        {"code": i["code"], "result": "ok", "photos": [next(photos)] if i["photo"] else []}
        for i in order.items
    ]
    scans = [
        {"token": city.dev_a.qr_token, "at": at.isoformat()}
        for at in (arrived, arrived + timedelta(minutes=40))
    ]
    return {"items": items, "scans": scans, "photos": [], "signature": SIGNATURE}


def post_record(client, user, order_id: int, body: dict):
    return client.post(f"/api/maintenance/orders/{order_id}/records", json=body, headers=auth(user))


def _trapped_order(client, city, reported_minutes_ago: int) -> MaintenanceOrder:
    res = client.post(
        "/api/maintenance/faults",
        json={"device_id": city.dev_a.id, "trapped": True, "description": "2楼困2人"},
        headers=auth(city.manager),
    )
    assert res.status_code == 201, res.json
    order = db.session.get(MaintenanceOrder, res.json["id"])
    order.reported_at = order.created_at = utcnow() - timedelta(minutes=reported_minutes_ago)
    db.session.commit()
    return order


def _record_trapped(client, city, maint, order, arrived_minutes_ago: int, released_after: int | None):
    body = record_body(city, order)
    arrived = utcnow() - timedelta(minutes=arrived_minutes_ago)
    body["scans"] = [{"token": city.dev_a.qr_token, "at": arrived.isoformat()}]
    if released_after is not None:
        body["released_at"] = (arrived + timedelta(minutes=released_after)).isoformat()
    res = post_record(client, maint.worker, order.id, body)
    assert res.status_code == 201, res.json
    return res.json


def test_the_record_of_a_rescue_within_the_limit_shows_arrival_and_release_minutes(client, city, maint):
    order = _trapped_order(client, city, reported_minutes_ago=40)
    created = _record_trapped(client, city, maint, order, arrived_minutes_ago=22, released_after=6)
    shown = client.get(f"/api/maintenance/records/{created['id']}", headers=auth(city.manager)).json
    assert shown["trapped"] is True
    assert shown["rescue_limit_minutes"] == 30
    assert shown["reported_at"].startswith(order.reported_at.isoformat()[:16])
    assert shown["released_at"] is not None
    assert shown["rescue"] == {"arrival_minutes": 18, "release_minutes": 24, "late": False}


def test_a_late_arrival_is_flagged_on_the_record(client, city, maint):
    order = _trapped_order(client, city, reported_minutes_ago=50)
    created = _record_trapped(client, city, maint, order, arrived_minutes_ago=10, released_after=5)
    assert created["rescue"] == {"arrival_minutes": 40, "release_minutes": 45, "late": True}


def test_a_periodic_record_has_no_rescue(client, city, maint):
    res = post_record(client, maint.worker, maint.order.id, record_body(city, maint.order))
    assert res.status_code == 201, res.json
    assert res.json["trapped"] is False
    assert res.json["reported_at"] is None
    assert res.json["rescue"] is None


def test_a_release_before_arrival_is_refused_on_the_field(client, city, maint):
    order = _trapped_order(client, city, reported_minutes_ago=40)
    body = record_body(city, order)
    arrived = utcnow() - timedelta(minutes=20)
    body["scans"] = [{"token": city.dev_a.qr_token, "at": arrived.isoformat()}]
    body["released_at"] = (arrived - timedelta(seconds=30)).isoformat()
    res = post_record(client, maint.worker, order.id, body)
    assert res.status_code == 422
    assert "released_at" in res.json["error"]["details"]["fields"]
