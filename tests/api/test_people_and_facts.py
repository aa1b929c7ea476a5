"""People and their certificates (edit, leave, renew, regulators' check), enterprise facts, block sizes,
and the history of every change."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from backend.core.clock import today
from backend.core.images import sha256_hex
from backend.credit import rules
from backend.credit.models import CreditGrade
from backend.credit.recompute import recompute_grades
from backend.extensions import db
from backend.org.models import Certificate, Verification
from tests import factories as f
from tests.conftest import auth

PHOTO = f.image_bytes((30, 160, 90))
SHA = sha256_hex(PHOTO)


@pytest.fixture
def app(fast_app):
    return fast_app


def _person(client, city, certificates=()):
    body = {"name": "李安全", "phone": "13912345678", "certificates": list(certificates)}
    response = client.post("/api/people", json=body, headers=auth(city.manager))
    assert response.status_code == 201, response.json
    return response.json


def _certificate(kind="safety_manager", number="AQ-001", expires=date(2030, 12, 31), **extra) -> dict:
    return {"kind": kind, "number": number, "expires_on": expires.isoformat(), "photo_sha256": SHA} | extra


def _managers(client, city) -> list[dict]:
    rows = client.get("/api/enterprises/two-lists?min_devices=1", headers=auth(city.inspector)).json["items"]
    return next(r["safety_managers"] for r in rows if r["enterprise"]["id"] == city.ent_a.id)


def _grade(enterprise_id: int) -> CreditGrade:
    recompute_grades(today())
    db.session.commit()
    db.session.expire_all()
    return db.session.get(CreditGrade, enterprise_id)


def _verify(client, city, certificate_id, user=None):
    return client.post(
        f"/api/certificates/{certificate_id}/verify", json={}, headers=auth(user or city.inspector)
    )


# --- certificates: self-declared until a regulator checks the photo -------------------------------


def test_a_certificate_from_an_enterprise_needs_its_photo(client, city):
    person = _person(client, city)
    body = _certificate(photo_sha256=None)
    response = client.post(f"/api/people/{person['id']}/certificates", json=body, headers=auth(city.manager))
    assert response.status_code == 422
    assert "photo_sha256" in response.json["error"]["details"]["fields"]


def test_a_self_declared_certificate_counts_neither_in_the_two_lists_nor_in_the_grade(client, city):
    person = _person(client, city, [_certificate()])
    certificate = person["certificates"][0]
    assert certificate["verification"] == "pending"
    assert _managers(client, city) == []
    assert _grade(city.ent_a.id).no_safety_manager == 1

    response = _verify(client, city, certificate["id"])
    assert (response.status_code, response.json["verification"]) == (200, "verified")
    assert [m["certificate_no"] for m in _managers(client, city)] == ["AQ-001"]
    assert _grade(city.ent_a.id).no_safety_manager == 0


def test_a_regulator_rejects_with_a_reason_and_the_certificate_never_counts(client, city):
    person = _person(client, city, [_certificate()])
    path = f"/api/certificates/{person['certificates'][0]['id']}/reject"
    assert client.post(path, json={}, headers=auth(city.inspector)).status_code == 422
    response = client.post(path, json={"reason": "照片与证书编号不符"}, headers=auth(city.inspector))
    assert (response.json["verification"], response.json["rejection_reason"]) == (
        "rejected",
        "照片与证书编号不符",
    )
    assert _verify(client, city, person["certificates"][0]["id"]).status_code == 409
    assert _managers(client, city) == []


def test_the_verification_queue_is_the_regulators_zone_and_the_bureau_sees_all(client, city):
    mine = _person(client, city, [_certificate()])["certificates"][0]["id"]
    theirs = f.make_person(city.ent_x)
    theirs.certificates.append(Certificate(kind="operator", number="X-1", photo_sha256=SHA))
    db.session.commit()
    queue = lambda user: [  # noqa: E731
        c["id"]
        for c in client.get("/api/certificates?verification=pending", headers=auth(user)).json["items"]
    ]
    assert queue(city.inspector) == [mine]
    assert queue(city.admin) == [mine, theirs.certificates[0].id]
    item = client.get("/api/certificates?verification=pending", headers=auth(city.inspector)).json["items"][0]
    assert (item["person_name"], item["enterprise_name"]) == ("李安全", city.ent_a.name)
    assert item["thumbnail_url"].startswith(f"/api/photos/{SHA}/thumb")
    assert _verify(client, city, theirs.certificates[0].id).status_code == 404
    assert client.get("/api/certificates", headers=auth(city.manager)).status_code == 403


def test_a_certificate_a_regulator_enters_is_verified_at_once(client, city):
    person = f.make_person(city.ent_a)
    db.session.commit()
    body = {"kind": "operator", "number": "ZY-9"}
    response = client.post(f"/api/people/{person.id}/certificates", json=body, headers=auth(city.inspector))
    assert (response.status_code, response.json["verification"]) == (201, "verified")


def test_a_renewal_replaces_the_old_certificate_once_verified_and_keeps_it_as_history(client, city):
    lapsed = today() - timedelta(days=5)
    person = _person(client, city, [_certificate(expires=lapsed)])
    old_id = person["certificates"][0]["id"]
    _verify(client, city, old_id)
    assert [m["expired"] for m in _managers(client, city)] == [True]  # flagged in the two lists

    renewal = _certificate(number="AQ-002", replaces_id=old_id)
    response = client.post(
        f"/api/people/{person['id']}/certificates", json=renewal, headers=auth(city.manager)
    )
    assert response.status_code == 201, response.json
    new_id = response.json["id"]
    assert [m["certificate_no"] for m in _managers(client, city)] == ["AQ-001"]  # until checked
    _verify(client, city, new_id)
    assert [(m["certificate_no"], m["expired"]) for m in _managers(client, city)] == [("AQ-002", False)]
    shown = client.get(f"/api/people/{person['id']}", headers=auth(city.manager)).json["certificates"]
    assert [(c["number"], c["superseded_on"] is not None) for c in shown] == [
        ("AQ-001", True),
        ("AQ-002", False),
    ]
    # the replaced one cannot be renewed again
    again = client.post(f"/api/people/{person['id']}/certificates", json=renewal, headers=auth(city.manager))
    assert again.status_code == 422


def test_a_person_who_left_counts_no_more(client, city):
    person = _person(client, city, [_certificate()])
    _verify(client, city, person["certificates"][0]["id"])
    path = f"/api/people/{person['id']}"
    future = (today() + timedelta(days=3)).isoformat()
    assert client.patch(path, json={"left_on": future}, headers=auth(city.manager)).status_code == 422
    response = client.patch(path, json={"left_on": today().isoformat()}, headers=auth(city.manager))
    assert (response.status_code, response.json["left_on"]) == (200, today().isoformat())
    assert _managers(client, city) == []
    assert _grade(city.ent_a.id).no_safety_manager == 1
    body = _certificate(number="AQ-3")
    assert client.post(f"{path}/certificates", json=body, headers=auth(city.manager)).status_code == 409


def test_people_are_edited_by_their_own_enterprise_and_its_zone(client, city):
    person = f.make_person(city.ent_a)
    db.session.commit()
    path = f"/api/people/{person.id}"
    body = {"phone": "13700000001"}
    assert client.patch(path, json=body, headers=auth(city.manager_x)).status_code == 404
    assert client.patch(path, json=body, headers=auth(city.other_inspector)).status_code == 404
    assert client.patch(path, json=body, headers=auth(city.supervisor)).status_code == 403
    assert client.patch(path, json=body, headers=auth(city.inspector)).status_code == 200
    response = client.patch(path, json={"name": "李四", "reason": "更正姓名"}, headers=auth(city.manager))
    assert response.json["name"] == "李四"


def test_training_records_are_kept_with_the_person(client, city):
    person = _person(client, city)
    body = {"trained_on": "2026-03-02", "topic": "电梯安全管理员继续教育", "hours": 8, "provider": "市特检院"}
    response = client.post(f"/api/people/{person['id']}/trainings", json=body, headers=auth(city.manager))
    assert response.status_code == 201, response.json
    shown = client.get(f"/api/people/{person['id']}", headers=auth(city.inspector)).json
    assert [(t["topic"], t["hours"]) for t in shown["trainings"]] == [("电梯安全管理员继续教育", 8.0)]


def test_person_history_records_edits_and_the_certificate_check_newest_first(client, city):
    person = _person(client, city, [_certificate()])
    client.patch(f"/api/people/{person['id']}", json={"phone": "13700000002"}, headers=auth(city.manager))
    _verify(client, city, person["certificates"][0]["id"])
    history = client.get(f"/api/people/{person['id']}/history", headers=auth(city.manager)).json
    assert [(h["field"], h["actor"]) for h in history[:2]] == [
        ("verified_on", city.inspector.username),
        ("verified_by", city.inspector.username),
    ]
    phone = next(h for h in history if h["field"] == "phone" and h["before"])
    assert (phone["before"], phone["after"], phone["actor"]) == (
        "13912345678",
        "13700000002",
        city.manager.username,
    )
    assert set(history[0]) >= {"at", "actor", "field", "before", "after", "reason"}


# --- the operators indicator: recording nothing is a gap ---------------------------------------


@pytest.mark.parametrize(
    ("needs", "operators", "expired", "share"),
    [(False, 0, 0, 0), (True, 0, 0, 1000), (True, 2, 2, 1000), (True, 2, 1, 500), (False, 2, 1, 500)],
)
def test_operators_share_rule(needs, operators, expired, share):
    assert rules.operators_share(needs, operators, expired) == share


def test_devices_needing_operators_with_none_verified_on_file_are_a_gap(client, city):
    f.make_device(city.ent_a, category="crane", registration_no="起11苏E0000001")
    db.session.commit()
    assert _grade(city.ent_a.id).operators_expired_share == 1000
    person = _person(client, city, [_certificate(kind="operator", number="ZY-1")])
    assert _grade(city.ent_a.id).operators_expired_share == 1000  # self-declared only
    _verify(client, city, person["certificates"][0]["id"])
    assert _grade(city.ent_a.id).operators_expired_share == 0


def test_elevators_alone_need_no_operator_certificate(city):
    assert _grade(city.ent_a.id).operators_expired_share == 0


# --- enterprise facts ---------------------------------------------------------------------------


def test_the_safety_manager_edits_contact_details_only(client, city):
    path = f"/api/enterprises/{city.ent_a.id}"
    response = client.patch(path, json={"contact_phone": "0512-66668888"}, headers=auth(city.manager))
    assert (response.status_code, response.json["contact_phone"]) == (200, "0512-66668888")
    for body in ({"established_on": "2001-01-01"}, {"public_place": "school"}, {"name": "改名公司"}):
        assert client.patch(path, json=body, headers=auth(city.manager)).status_code == 403
    assert client.patch(path, json={"contact_phone": "1"}, headers=auth(city.supervisor)).status_code == 403
    other = f"/api/enterprises/{city.ent_x.id}"
    assert (
        client.patch(other, json={"contact_phone": "0512-1"}, headers=auth(city.manager)).status_code == 404
    )


def test_regulators_change_graded_facts_only_with_a_reason_and_it_is_in_the_history(client, city):
    path = f"/api/enterprises/{city.ent_a.id}"
    body = {"established_on": "2024-05-01"}
    response = client.patch(path, json=body, headers=auth(city.inspector))
    assert response.status_code == 422
    assert "reason" in response.json["error"]["details"]["fields"]
    response = client.patch(path, json=body | {"reason": "营业执照核对"}, headers=auth(city.inspector))
    assert response.status_code == 200
    client.patch(path, json={"contact_phone": "0512-1234"}, headers=auth(city.manager))
    history = client.get(f"{path}/history", headers=auth(city.manager)).json
    assert [(h["field"], h["actor"], h["reason"]) for h in history[:2]] == [
        ("contact_phone", city.manager.username, ""),
        ("established_on", city.inspector.username, "营业执照核对"),
    ]
    assert history[1]["after"] == "2024-05-01"
    assert client.get(f"{path}/history", headers=auth(city.manager_x)).status_code == 404


@pytest.mark.parametrize("user", ["inspector", "admin"])
def test_model_status_is_never_patched(client, city, user):
    body = {"model_status": "accepted", "reason": "已验收"}
    response = client.patch(f"/api/enterprises/{city.ent_a.id}", json=body, headers=auth(getattr(city, user)))
    assert response.status_code == 422
    assert "model_status" in response.json["error"]["details"]["fields"]
    created = {"name": "示范候选公司", "credit_code": f.valid_credit_code(), "model_status": "accepted"}
    assert client.post("/api/enterprises", json=created, headers=auth(city.admin)).status_code == 422


# --- blocks hold 5–10 enterprises ---------------------------------------------------------------


def test_a_block_refuses_an_eleventh_enterprise_and_warns_below_five(client, city):
    blocks = client.get(f"/api/blocks?zone_id={city.zone.id}", headers=auth(city.inspector)).json["items"]
    mine = next(b for b in blocks if b["id"] == city.block.id)
    assert (mine["enterprise_count"], "5" in mine["warning"]) == (2, True)
    for _ in range(8):
        f.make_enterprise(city.zone, city.block)
    db.session.commit()
    body = {"block_id": city.block.id, "reason": "编入区块"}
    response = client.patch(f"/api/enterprises/{city.ent_c.id}", json=body, headers=auth(city.inspector))
    assert response.status_code == 422
    assert "最多10家" in response.json["error"]["message"]
    created = {"name": "第十一家公司", "credit_code": f.valid_credit_code(), "block_id": city.block.id}
    assert client.post("/api/enterprises", json=created, headers=auth(city.inspector)).status_code == 422
    # a member edited in place is no newcomer
    member = {"block_id": city.block.id, "reason": "核对"}
    assert (
        client.patch(
            f"/api/enterprises/{city.ent_a.id}", json=member, headers=auth(city.inspector)
        ).status_code
        == 200
    )
    blocks = client.get(f"/api/blocks?zone_id={city.zone.id}", headers=auth(city.inspector)).json["items"]
    assert next(b for b in blocks if b["id"] == city.block.id)["warning"] is None


def test_enterprises_without_a_block_are_listed_for_their_zone(client, city):
    response = client.get(f"/api/zones/{city.zone.id}/unblocked-enterprises", headers=auth(city.inspector))
    assert [e["id"] for e in response.json["items"]] == [city.ent_c.id]
    other = f"/api/zones/{city.other_zone.id}/unblocked-enterprises"
    assert client.get(other, headers=auth(city.inspector)).status_code == 404


def test_certificates_default_to_pending_whoever_forgets_to_say(city):
    person = f.make_person(city.ent_a)
    person.certificates.append(Certificate(kind="operator", number="Z"))
    db.session.flush()
    assert person.certificates[0].verification == Verification.pending


def test_a_supervisor_sees_of_a_peers_people_only_names_and_certificates(client, city):
    peer = f.make_person(city.ent_a, ("operator", date(2030, 1, 1)))
    own = f.make_person(city.ent_b)
    db.session.commit()
    listed = client.get("/api/people", headers=auth(city.supervisor)).json["items"]
    by_id = {p["id"]: p for p in listed}
    assert by_id[peer.id]["name"] == peer.name and by_id[peer.id]["certificates"]
    assert by_id[peer.id]["phone"] == "" and by_id[own.id]["phone"] == "13800000000"
    one = client.get(f"/api/people/{peer.id}", headers=auth(city.supervisor))
    assert one.status_code == 200 and "13800000000" not in one.get_data(as_text=True)
    assert client.get(f"/api/people/{peer.id}/history", headers=auth(city.supervisor)).status_code == 404
    assert client.get(f"/api/people/{own.id}/history", headers=auth(city.supervisor)).status_code == 200
    assert client.get(f"/api/people/{peer.id}", headers=auth(city.inspector)).json["phone"] == "13800000000"
