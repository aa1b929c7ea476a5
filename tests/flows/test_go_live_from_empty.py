"""A bureau goes live from an empty production database: migrate, first administrator from the
command line, then zones, a block, enterprises and users through the API; every role signs in with
its one-time password, sets its own, and does one real piece of work. No demo data anywhere."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest

from backend.core.clock import today
from backend.core.images import sha256_hex
from tests.factories import new_id, valid_credit_code
from tests.flows.test_hazard_lifecycle import jpeg_bytes
from tests.test_migrations import _keep_logging, empty_db_app  # noqa: F401 - fixtures

#: what each role's screens read; on a young install none of them may fail
SCREEN_READS = (
    "/api/auth/me",
    "/api/auth/sessions",
    "/api/zones",
    "/api/blocks",
    "/api/enterprises",
    "/api/people",
    "/api/devices",
    "/api/devices/attention",
    "/api/hazards",
    "/api/hazards?open=true",
    "/api/checks",
    "/api/checklist-templates",
    "/api/self-checks/status",
    "/api/mutual-check-cycles",
    "/api/mutual-check-assignments?mine=true",
    "/api/supervisors",
    "/api/certificates?verification=pending",
    "/api/notices",
    "/api/complaints",
    "/api/notifications?unread=true",
    "/api/users",
    "/api/plans",
    "/api/plans/key-objects",
    "/api/plans/recusals",
    "/api/credit/grades",
    "/api/credit/grades/counts",
    "/api/credit/config",
    "/api/credit/accidents",
    "/api/credit/enforcement-cases",
    "/api/reports/dashboard",
    "/api/enterprises/two-lists",
    "/api/sync/pull",
)


@dataclass
class Session:
    """A signed-in user talking to the API."""

    client: object
    token: str
    user: dict

    def call(self, method: str, path: str, expect: int = 200, **kwargs):
        headers = {"Authorization": f"Bearer {self.token}"} | kwargs.pop("headers", {})
        response = getattr(self.client, method)(path, headers=headers, **kwargs)
        assert response.status_code == expect, (method, path, response.status_code, response.get_json())
        return response.get_json()

    def get(self, path: str, expect: int = 200):
        return self.call("get", path, expect)

    def post(self, path: str, body: dict, expect: int = 201):
        return self.call("post", path, expect, json=body)

    def upload(self, data: bytes) -> str:
        sha = sha256_hex(data)
        self.call("put", f"/api/photos/{sha}", 201, data=data, headers={"Content-Type": "image/jpeg"})
        return sha


def first_sign_in(client, username: str, one_time_password: str) -> Session:
    """Sign in with the one-time password: nothing works until a password of one's own is set."""
    response = client.post("/api/auth/login", json={"username": username, "password": one_time_password})
    assert response.status_code == 200, response.get_json()
    assert response.json["user"]["must_change_password"] is True
    session = Session(client, response.json["access_token"], response.json["user"])
    refused = session.get("/api/enterprises", expect=403)
    assert refused["error"]["code"] == "password_change_required"
    own = f"Tide-{len(username)}-lantern-2026"
    session.post("/api/auth/password", {"old_password": one_time_password, "new_password": own}, expect=200)
    again = client.post("/api/auth/login", json={"username": username, "password": own})
    assert again.status_code == 200, again.get_json()
    assert again.json["user"]["must_change_password"] is False
    return Session(client, again.json["access_token"], again.json["user"])


def screens_load(session: Session) -> None:
    """Every screen's read answers (200, or 403 for a role it is not for), never a 500."""
    failures = {}
    for path in SCREEN_READS:
        response = session.client.get(path, headers={"Authorization": f"Bearer {session.token}"})
        if response.status_code not in (200, 403):
            failures[path] = (response.status_code, response.get_json())
    assert failures == {}, session.user["role"]


def cli(app, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, (args, result.output, result.exception)
    return result.output


@pytest.fixture
def production(empty_db_app):  # noqa: F811 - the imported fixture
    """What the README's production section does: migrate, install the checklists, no demo."""
    cli(empty_db_app, "db", "upgrade")
    assert re.search(r"Installed [1-9]\d* checklist templates", cli(empty_db_app, "checklists", "install"))
    return empty_db_app


def answers(template: dict, failed: dict[str, str] | None = None, photo: str | None = None) -> list[dict]:
    failed = failed or {}
    codes = [item["code"] for section in template["sections"] for item in section["items"]]
    return [
        {"code": c, "result": "fail", "note": failed[c], "photos": [photo] if photo else []}
        if c in failed
        else {"code": c, "result": "pass"}
        for c in codes
    ]


def test_a_bureau_goes_live_from_an_empty_database_and_every_role_does_its_work(production):
    client = production.test_client()
    printed = cli(production, "users", "create", "admin0", "--role", "bureau_admin")
    one_time = re.search(r"One-time password \(shown once\): (\S+)", printed).group(1)

    # the bureau builds its city
    admin = first_sign_in(client, "admin0", one_time)
    assert admin.get("/api/zones")["items"] == []
    screens_load(admin)
    zone = admin.post("/api/zones", {"name": "高新区分局", "code": "GX"})
    block = admin.post("/api/blocks", {"zone_id": zone["id"], "name": "科技城区块"})
    enterprises = [
        admin.post(
            "/api/enterprises",
            {
                "name": f"苏州第{n}机械有限公司",
                "credit_code": valid_credit_code(900_000 + n),
                "zone_id": zone["id"],
                "block_id": block["id"],
                "established_on": "2012-05-01",
                "contact_phone": "0512-6666000" + str(n),
            },
        )
        for n in range(1, 6)
    ]
    [listed] = admin.get(f"/api/blocks?zone_id={zone['id']}")["items"]
    assert (listed["enterprise_count"], listed["warning"]) == (5, None)
    home, neighbour = enterprises[0], enterprises[1]

    created = admin.post(
        "/api/users",
        {"username": "gx_inspector", "display_name": "王监察", "role": "inspector", "zone_id": zone["id"]},
    )
    inspector = first_sign_in(client, "gx_inspector", created["one_time_password"])

    # the zone inspector opens the accounts of its enterprises; the supervisor holds a certificate
    created = inspector.post(
        "/api/users",
        {
            "username": "zhang_sm",
            "display_name": "张安全",
            "role": "safety_manager",
            "enterprise_id": home["id"],
        },
    )
    manager_password = created["one_time_password"]
    supervisor_person = inspector.post(
        "/api/people",
        {
            "name": "李监督",
            "phone": "13900000001",
            "enterprise_id": neighbour["id"],
            "certificates": [
                {
                    "kind": "block_supervisor",
                    "number": "JD-2026-001",
                    "issued_on": today().isoformat(),
                    "expires_on": (today() + timedelta(days=4 * 365)).isoformat(),
                }
            ],
        },
    )
    assert supervisor_person["certificates"][0]["counts"] is True
    created = inspector.post(
        "/api/users",
        {
            "username": "li_sup",
            "display_name": "李监督",
            "role": "block_supervisor",
            "enterprise_id": neighbour["id"],
            "person_id": supervisor_person["id"],
        },
    )
    assert created["user"]["person_id"] == supervisor_person["id"]
    supervisor_password = created["one_time_password"]
    [pooled] = inspector.get("/api/supervisors")["items"]
    assert (pooled["display_name"], pooled["eligible"]) == ("李监督", True)

    # the safety manager registers a device and does today's daily self-check, one item failing
    manager = first_sign_in(client, "zhang_sm", manager_password)
    screens_load(manager)
    device = manager.post(
        "/api/devices",
        {
            "category": "elevator",
            "registration_no": "梯11苏E0000001",
            "name": "1号客梯",
            "next_inspection_due": (today() + timedelta(days=300)).isoformat(),
        },
    )
    assert device["enterprise_id"] == home["id"]
    templates = manager.get("/api/checklist-templates?device_category=elevator")["items"]
    elevator = next(t for t in templates if t["device_category"] == "elevator")
    first_code = elevator["sections"][0]["items"][0]["code"]
    worn = manager.upload(jpeg_bytes((180, 40, 40)))
    check = manager.post(
        "/api/checks",
        {
            "id": new_id(),
            "kind": "self_check",
            "subkind": "daily",
            "template_id": elevator["id"],
            "device_id": device["id"],
            "items": answers(elevator, {first_code: "层门门锁磨损"}, worn),
        },
    )
    assert (check["result"], check["failed_items"]) == ("fail", 1)
    [hazard_id] = check["hazard_ids"]

    # the inspector opens a mutual-check round; the supervisor visits a peer of the block
    inspector.post(
        "/api/mutual-check-cycles",
        {
            "name": "2026年第一轮互查",
            "starts_on": today().isoformat(),
            "due_on": (today() + timedelta(days=30)).isoformat(),
        },
    )
    supervisor = first_sign_in(client, "li_sup", supervisor_password)
    screens_load(supervisor)
    tasks = supervisor.get("/api/mutual-check-assignments?mine=true")["items"]
    assert tasks and neighbour["id"] not in {t["enterprise_id"] for t in tasks}
    baseline = next(
        t
        for t in supervisor.get("/api/checklist-templates?purpose=enterprise")["items"]
        if t["code"] == "enterprise_baseline"
    )
    visit = supervisor.post(
        "/api/checks",
        {
            "id": new_id(),
            "kind": "mutual_check",
            "template_id": baseline["id"],
            "assignment_id": tasks[0]["id"],
            "signed_by": "李监督",
            "items": answers(baseline),
        },
    )
    assert (visit["result"], visit["enterprise_id"]) == ("pass", tasks[0]["enterprise_id"])
    done = supervisor.get("/api/mutual-check-assignments?mine=true&done=true")["items"]
    assert [t["id"] for t in done] == [tasks[0]["id"]]

    # the manager rectifies; the inspector sees the enterprise and verifies the fix
    fixed = manager.upload(jpeg_bytes((30, 170, 30)))
    step = {"id": new_id(), "action": "submit_rectification", "note": "已更换门锁", "photos": [fixed]}
    assert manager.post(f"/api/hazards/{hazard_id}/transitions", step, expect=200)["status"] == (
        "rectification_submitted"
    )
    seen = inspector.get(f"/api/enterprises/{home['id']}")
    assert (seen["name"], seen["block_name"]) == (home["name"], "科技城区块")
    verified = inspector.post(
        f"/api/hazards/{hazard_id}/transitions",
        {"id": new_id(), "action": "verify", "note": "复查合格"},
        expect=200,
    )
    assert verified["status"] == "verified_closed"
    assert inspector.get("/api/hazards?open=true")["total"] == 0
    screens_load(inspector)
    screens_load(admin)
