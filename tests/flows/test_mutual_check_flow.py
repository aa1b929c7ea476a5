"""A block mutual check done offline: cycle → sync push → hazards with photos → closed loop."""

from __future__ import annotations

from datetime import timedelta

from backend.core.clock import today
from backend.extensions import db
from backend.inspections.services import install_default_templates
from tests import factories as f
from tests.conftest import auth
from tests.flows.test_hazard_lifecycle import jpeg_bytes, upload


def _certify(user) -> None:
    person = f.make_person(user.enterprise, ("block_supervisor", today() + timedelta(days=365)))
    user.person_id = person.id
    db.session.commit()


def test_offline_mutual_check_becomes_two_hazards_that_close_the_loop(client, city, app):
    install_default_templates()  # what `make migrate` does (a GET never installs them)
    _certify(city.supervisor)
    opened = client.post(
        "/api/mutual-check-cycles",
        headers=auth(city.inspector),
        json={
            "name": "2026年第四季度互查",
            "starts_on": today().isoformat(),
            "due_on": (today() + timedelta(days=30)).isoformat(),
        },
    )
    assert opened.status_code == 201, opened.json

    tasks = client.get("/api/mutual-check-assignments?mine=true", headers=auth(city.supervisor))
    [task] = tasks.json["items"]
    assert task["enterprise_id"] == city.ent_a.id
    template = next(
        t
        for t in client.get(
            "/api/checklist-templates?purpose=enterprise", headers=auth(city.supervisor)
        ).json["items"]
    )
    codes = [i["code"] for s in template["sections"] for i in s["items"]]
    # photos go up first (by sha256), then the queued op that cites them
    photo_1 = upload(client, city.supervisor, jpeg_bytes((180, 40, 40)))
    photo_2 = upload(client, city.supervisor, jpeg_bytes((40, 40, 180)))
    failed = {codes[1]: ("未设置安全管理机构", photo_1), codes[9]: ("安全阀超期未校验", photo_2)}
    items = [
        {"code": c, "result": "fail", "note": failed[c][0], "photos": [failed[c][1]]}
        if c in failed
        else {"code": c, "result": "pass"}
        for c in codes
    ]
    op = {
        "op_id": f.new_id(),
        "type": "check.submit",
        "payload": {
            "id": f.new_id(),
            "kind": "mutual_check",
            "template_id": template["id"],
            "assignment_id": task["id"],
            "signed_by": "李监督",
            "items": items,
        },
    }

    pushed = client.post("/api/sync/push", json={"ops": [op]}, headers=auth(city.supervisor)).json
    replayed = client.post("/api/sync/push", json={"ops": [op]}, headers=auth(city.supervisor)).json
    assert [r["status"] for r in pushed["results"] + replayed["results"]] == ["applied", "duplicate"]

    hazards = client.get("/api/hazards", headers=auth(city.manager)).json["items"]
    assert len(hazards) == 2
    assert {h["source"] for h in hazards} == {"mutual_check"}
    assert {h["photos"][0]["sha256"] for h in hazards} == {photo_1, photo_2}
    for hazard in hazards:
        with client.get(hazard["photos"][0]["url"]) as image:
            assert (image.status_code, image.mimetype) == (200, "image/jpeg")
            assert image.get_data()[:2] == b"\xff\xd8"
    check = client.get(f"/api/checks/{op['payload']['id']}", headers=auth(city.manager)).json
    assert (check["result"], check["signed_by"], check["failed_items"]) == ("fail", "李监督", 2)

    for hazard in hazards:
        proof = upload(client, city.manager, jpeg_bytes((30, 170, 30)))
        step = {"id": f.new_id(), "action": "submit_rectification", "note": "已整改", "photos": [proof]}
        rectified = client.post(
            f"/api/hazards/{hazard['id']}/transitions", json=step, headers=auth(city.manager)
        )
        assert rectified.json["status"] == "rectification_submitted", rectified.json
        verified = client.post(
            f"/api/hazards/{hazard['id']}/transitions",
            json={"id": f.new_id(), "action": "verify", "note": "复查合格"},
            headers=auth(city.supervisor),
        )
        assert verified.json["status"] == "verified_closed", verified.json

    open_left = client.get("/api/hazards?open=true", headers=auth(city.inspector)).json["total"]
    assert open_left == 0
