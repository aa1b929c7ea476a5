"""What a phone camera reaches from a device label: /api/qr/<token> and /q/<token>."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from backend.core.clock import today, utcnow
from backend.devices.models import DeviceLabel
from backend.extensions import db
from backend.inspections.models import Check, ChecklistTemplate
from backend.inspections.rules import CheckKind
from backend.inspections.services import install_default_templates
from backend.maintenance.models import MaintenanceContract, MaintenanceOrder, MaintenanceRecord
from backend.maintenance.rules import MaintenanceKind, OrderStatus, RecordStatus
from tests import factories as f
from tests.conftest import auth


@pytest.fixture
def app(fast_app):
    return fast_app


PUBLIC_KEYS = {
    "category",
    "category_label",
    "registration_no",
    "enterprise_name",
    "status",
    "status_label",
    "inspection_state",
    "next_inspection_due",
    "maintenance_company",
    "emergency_phone",
    "last_maintenance",
    "next_maintenance_due",
}


def _lookup(client, token: str, user=None):
    return client.get(f"/api/qr/{token}", headers=auth(user) if user else {})


def test_anonymous_scan_gets_exactly_the_public_view(client, city):
    response = _lookup(client, city.dev_a.qr_token)
    assert response.status_code == 200
    assert set(response.json) == {"public", "device", "position", "position_label"}
    assert set(response.json["public"]) == PUBLIC_KEYS
    assert response.json["device"] is None
    assert response.json["position"] is None  # the device's default label


def test_public_view_values(client, city):
    city.dev_a.maintenance_company_id = city.ent_c.id
    city.dev_a.emergency_phone = "0531-96333"
    db.session.commit()
    public = _lookup(client, city.dev_a.qr_token).json["public"]
    assert public == {
        "category": "elevator",
        "category_label": "电梯",
        "registration_no": city.dev_a.registration_no,
        "enterprise_name": city.ent_a.name,
        "status": "in_use",
        "status_label": "在用",
        "inspection_state": "valid",
        "next_inspection_due": city.dev_a.next_inspection_due.isoformat(),
        "maintenance_company": city.ent_c.name,
        "emergency_phone": "0531-96333",
        "last_maintenance": None,
        "next_maintenance_due": None,
    }


def test_public_view_shows_an_overdue_inspection(client, city):
    device = f.make_device(city.ent_a, next_inspection_due=today() - timedelta(days=1))
    db.session.commit()
    assert _lookup(client, device.qr_token).json["public"]["inspection_state"] == "overdue"


@pytest.mark.parametrize("user", ["admin", "inspector", "manager", "supervisor"])
def test_signed_in_user_in_scope_also_gets_the_device_record(client, city, user):
    response = _lookup(client, city.dev_a.qr_token, getattr(city, user))
    assert response.status_code == 200
    device = response.json["device"]
    assert device["id"] == city.dev_a.id
    assert device["qr_url"] == f"https://tzsb.example.cn/q/{city.dev_a.qr_token}"
    assert set(response.json["public"]) == PUBLIC_KEYS


@pytest.mark.parametrize("user", ["other_inspector", "manager_x"])
def test_signed_in_user_out_of_scope_gets_only_the_public_view(client, city, user):
    response = _lookup(client, city.dev_a.qr_token, getattr(city, user))
    assert response.status_code == 200
    assert response.json["device"] is None
    assert set(response.json["public"]) == PUBLIC_KEYS


def test_manager_of_a_block_peer_gets_only_the_public_view(client, city):
    response = _lookup(client, city.dev_b.qr_token, city.manager)
    assert response.json["device"] is None


@pytest.mark.parametrize(
    "token",
    ["does-not-exist-at-all-00", "a", "x" * 64, "1"],
    ids=["unknown", "one_char", "max_length", "database_id"],
)
def test_unknown_token_is_404(client, city, token):
    response = _lookup(client, token)
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_token_longer_than_64_chars_is_404(client, city):
    assert _lookup(client, "y" * 65).status_code == 404


def test_tokens_are_long_url_safe_and_distinct(app, city):
    devices = [f.make_device(city.ent_a) for _ in range(500)]
    tokens = [d.qr_token for d in devices]
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22,}", t) for t in tokens)
    assert len(set(tokens)) == len(tokens)


def test_token_is_not_the_database_id(client, city):
    assert _lookup(client, str(city.dev_a.id)).status_code == 404
    assert city.dev_a.qr_token != str(city.dev_a.id)


@pytest.mark.parametrize("built", [False, True], ids=["pwa_not_built", "pwa_built"])
def test_label_url_opens_an_html_page(app, client, city, tmp_path, built):
    if built:
        dist = tmp_path / "dist"
        dist.mkdir()
        (dist / "index.html").write_text("<!doctype html><title>PWA</title>", encoding="utf-8")
    response = client.get(f"/q/{city.dev_a.qr_token}")
    body = response.get_data()
    response.close()  # a built index.html is streamed from disk
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert b"<title>" in body


def test_public_lookup_is_a_json_api_with_no_store(client, city):
    response = _lookup(client, city.dev_a.qr_token)
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"


def _labelled_elevator(city):
    """dev_a with a maintenance company and a car-top label: every part of the record filled in."""
    company = f.make_enterprise(city.zone, roles="maintainer")
    city.dev_a.maintenance_company_id = company.id
    city.dev_a.position_labels.append(DeviceLabel(position="car_top"))
    db.session.commit()
    return city.dev_a.position_labels[0].token


@pytest.mark.parametrize("user", ["admin", "inspector", "manager", "supervisor"])
def test_scanning_either_label_in_scope_gives_the_same_record_as_the_device_page(client, city, user):
    car_top = _labelled_elevator(city)
    record = client.get(f"/api/devices/{city.dev_a.id}", headers=auth(getattr(city, user))).json
    for token, position in ((city.dev_a.qr_token, None), (car_top, "car_top")):
        db.session.expunge_all()  # each request loads what it shows itself
        answer = _lookup(client, token, getattr(city, user)).json
        assert answer["device"] == record
        assert answer["position"] == position
        assert answer["public"]["maintenance_company"] == record["maintenance_company"]
        assert record["position_labels"][0]["position"] == "car_top"


@pytest.mark.parametrize("user", ["other_inspector", "manager_x"])
def test_scanning_a_position_label_out_of_scope_gives_only_the_public_view(client, city, user):
    car_top = _labelled_elevator(city)
    answer = _lookup(client, car_top, getattr(city, user)).json
    assert answer["device"] is None
    assert answer["position"] == "car_top"
    assert set(answer["public"]) == PUBLIC_KEYS


def _statements(app, call) -> int:
    count = 0

    def counted(*_args) -> None:
        nonlocal count
        count += 1

    event.listen(db.engine, "before_cursor_execute", counted)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", counted)
    return count


def _maintained(city, device, company) -> None:
    """A contract, a done half-monthly maintenance (no open order) and a self-check of `device`."""
    start = today() - timedelta(days=30)
    contract = MaintenanceContract(
        device_id=device.id, company_id=company.id, starts_on=start, ends_on=start + timedelta(days=365)
    )
    db.session.add(contract)
    db.session.flush()
    order = MaintenanceOrder(
        device_id=device.id,
        company_id=company.id,
        enterprise_id=device.enterprise_id,
        zone_id=device.zone_id,
        contract_id=contract.id,
        kind=MaintenanceKind.half_month,
        due_on=today() - timedelta(days=3),
        status=OrderStatus.done,
        items=[],
    )
    db.session.add(order)
    db.session.flush()
    at = utcnow() - timedelta(days=4)
    db.session.add(
        MaintenanceRecord(
            order=order,
            device_id=device.id,
            company_id=company.id,
            enterprise_id=device.enterprise_id,
            zone_id=device.zone_id,
            kind=MaintenanceKind.half_month,
            worker_id=city.admin.id,
            items=[],
            scans=[],
            photos=[],
            signature_sha256="5" * 64,
            first_scan_at=at,
            last_scan_at=at + timedelta(minutes=40),
            payload_hash="0" * 64,
            status=RecordStatus.confirmed,
        )
    )
    install_default_templates()
    db.session.add(
        Check(
            id=f.new_id(),
            kind=CheckKind.self_check,
            subkind="daily",
            template_id=db.session.scalars(select(ChecklistTemplate.id)).first(),
            enterprise_id=device.enterprise_id,
            zone_id=device.zone_id,
            device_id=device.id,
            performed_by_id=city.manager.id,
            performed_on=today(),
            result="pass",
            payload_hash="0" * 64,
        )
    )
    db.session.commit()


@pytest.mark.parametrize("label", ["default", "car_top"])
def test_a_scan_reads_the_maintenance_with_the_label_and_the_record_in_one_more(app, client, city, label):
    """The device and its maintenance summary come in the one statement that finds the label; in scope,
    the record's counts and last checks in one more, after the one of the sign-in: each further round
    trip was a province scan's p99 (issue 23)."""
    car_top = _labelled_elevator(city)
    _maintained(city, city.dev_a, city.dev_a.maintenance_company)
    token = car_top if label == "car_top" else city.dev_a.qr_token
    sign_in = {"username": city.inspector.username, "password": f.PASSWORD}
    signed_in = client.post("/api/auth/login", json=sign_in)
    headers = {"Authorization": f"Bearer {signed_in.json['access_token']}"}
    client.get(f"/api/qr/{token}", headers=headers)  # warm: nothing is loaded on first use
    answer: dict = {}

    def scan(headers: dict) -> None:
        db.session.expunge_all()  # each request loads what it shows itself
        answer.update(client.get(f"/api/qr/{token}", headers=headers).json)

    anonymous = _statements(app, lambda: scan({}))
    assert answer["device"] is None
    assert answer["public"]["last_maintenance"]["confirmed"] is True
    assert answer["public"]["next_maintenance_due"] is not None
    assert anonymous == (1 if label == "default" else 2)  # position labels: looked for after default ones
    assert _statements(app, lambda: scan(headers)) == anonymous + 2  # the sign-in, the record
    assert answer["device"]["last_self_check"] == {"on": today().isoformat(), "result": "pass"}


def test_a_signed_in_scan_out_of_scope_costs_one_query_more_than_an_anonymous_one(app, client, city):
    """The sign-in (session and account) is one query; the scope comes with the device."""
    _lookup(client, city.dev_x.qr_token, city.inspector)  # warm: nothing is loaded on first use
    anonymous = _statements(app, lambda: _lookup(client, city.dev_x.qr_token))
    signed_in = _statements(app, lambda: _lookup(client, city.dev_x.qr_token, city.inspector))
    assert signed_in == anonymous + 1


def _page_links(client, path: str) -> list[str]:
    response = client.get(path)
    response.get_data()
    response.close()
    assert response.status_code == 200
    return response.headers.getlist("Link")


def test_the_complaint_form_page_asks_the_browser_to_fetch_its_device_with_the_page(client, city):
    """The complaint form draws once its label's device has answered (issue 25): the page's response starts
    that lookup while the browser downloads the scripts, and the screen's own fetch takes the answer."""
    token = city.dev_a.qr_token
    preload = f"</api/qr/{token}>; rel=preload; as=fetch; crossorigin"
    assert _page_links(client, f"/complaint/{token}") == [preload]
    assert _lookup(client, token).status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/complaint/track", "/complaint/track/TS2026000001", "/complaint/new", "/q/some-token", "/login", "/"],
)
def test_other_pages_preload_no_lookup(client, path):
    assert _page_links(client, path) == []


def test_a_token_that_is_no_label_token_is_not_echoed_into_a_header(client):
    assert _page_links(client, "/complaint/a%3E;%20rel=preload;%20as=script") == []
    assert _page_links(client, f"/complaint/{'x' * 65}") == []
