"""User administration, one-time passwords, password policy, sessions and sign-in throttling."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from backend.accounts import models as account_models
from backend.accounts.models import User
from backend.extensions import db
from tests import factories as f
from tests.conftest import auth

STRONG = "Quiet-harbour-lantern-42"


@pytest.fixture
def app(fast_app):
    return fast_app


def login(client, username: str, password: str = f.PASSWORD, ip: str = "10.0.0.1"):
    body = {"username": username, "password": password}
    return client.post("/api/auth/login", json=body, environ_base={"REMOTE_ADDR": ip})


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def create(client, actor, **body):
    body = {"username": "newuser1", "display_name": "新用户", **body}
    return client.post("/api/users", json=body, headers=auth(actor))


def sheet(*rows) -> bytes:
    book = Workbook()
    book.active.append(["用户名", "姓名", "角色", "辖区", "企业统一社会信用代码", "电话"])
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- administration scope ---------------------------------------------------------


def test_bureau_admin_creates_any_role_and_gets_a_one_time_password(client, city):
    response = create(client, city.admin, role="inspector", zone_id=city.zone.id)
    assert response.status_code == 201
    assert response.json["user"]["role"] == "inspector"
    assert response.json["user"]["must_change_password"] is True
    assert len(response.json["one_time_password"]) >= 12
    assert (
        "one_time_password"
        not in client.get(f"/api/users/{response.json['user']['id']}", headers=auth(city.admin)).json
    )


def test_inspector_creates_enterprise_accounts_of_their_zone_only(client, city):
    ok = create(client, city.inspector, role="safety_manager", enterprise_id=city.ent_a.id)
    assert ok.status_code == 201
    other_zone = create(
        client, city.inspector, username="user2", role="safety_manager", enterprise_id=city.ent_x.id
    )
    assert other_zone.status_code == 422
    assert "enterprise_id" in other_zone.json["error"]["details"]["fields"]
    inspector = create(client, city.inspector, username="user3", role="inspector", zone_id=city.zone.id)
    assert inspector.status_code == 403
    assert inspector.json["error"]["code"] == "forbidden_role"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "inspector"}, "zone_id"),
        ({"role": "safety_manager"}, "enterprise_id"),
        ({"role": "block_supervisor", "zone_id": 1, "enterprise_id": 1}, "zone_id"),
        ({"role": "bureau_admin", "enterprise_id": 1}, "enterprise_id"),
    ],
    ids=[
        "inspector_without_zone",
        "manager_without_enterprise",
        "supervisor_with_zone",
        "admin_with_enterprise",
    ],
)
def test_role_zone_enterprise_combinations_are_checked(client, city, body, field):
    response = create(client, city.admin, **body)
    assert response.status_code == 422
    assert field in response.json["error"]["details"]["fields"]


def test_enterprise_accounts_cannot_administer_users(client, city):
    for actor in (city.manager, city.supervisor):
        assert client.get("/api/users", headers=auth(actor)).status_code == 403
        assert (
            create(client, actor, role="safety_manager", enterprise_id=actor.enterprise_id).status_code == 403
        )


def test_inspector_lists_only_their_zones_enterprise_users_and_out_of_scope_is_404(client, city):
    listed = client.get("/api/users", headers=auth(city.inspector)).json
    assert {u["username"] for u in listed["items"]} == {city.manager.username, city.supervisor.username}
    for outside in (city.manager_x, city.admin, city.other_inspector):
        assert client.get(f"/api/users/{outside.id}", headers=auth(city.inspector)).status_code == 404
        patch = client.patch(f"/api/users/{outside.id}", json={"active": False}, headers=auth(city.inspector))
        assert patch.status_code == 404
    assert client.get("/api/users", headers=auth(city.admin)).json["total"] == 6


def test_user_list_searches_username_and_display_name(client, city):
    city.manager.display_name = "王安全"
    db.session.commit()
    found = client.get("/api/users", query_string={"q": "安全"}, headers=auth(city.admin)).json
    assert [u["id"] for u in found["items"]] == [city.manager.id]


def test_username_taken_is_422(client, city):
    response = create(client, city.admin, username=city.manager.username, role="bureau_admin")
    assert response.status_code == 422
    assert response.json["error"]["code"] == "username_taken"


# --- one-time password, forced change, policy -------------------------------------


def _new_manager(client, city) -> tuple[dict, str]:
    created = create(
        client, city.admin, username="zhangsan", role="safety_manager", enterprise_id=city.ent_a.id
    )
    return created.json["user"], created.json["one_time_password"]


def test_one_time_password_session_may_only_set_a_password(client, city):
    _user, otp = _new_manager(client, city)
    signed_in = login(client, "zhangsan", otp)
    assert signed_in.status_code == 200
    assert signed_in.json["user"]["must_change_password"] is True
    headers = bearer(signed_in.json["access_token"])
    refused = client.get("/api/devices", headers=headers)
    assert refused.status_code == 403
    assert refused.json["error"]["code"] == "password_change_required"
    changed = client.post(
        "/api/auth/password", json={"old_password": otp, "new_password": STRONG}, headers=headers
    )
    assert changed.status_code == 200
    assert changed.json["must_change_password"] is False
    assert client.get("/api/devices", headers=headers).status_code == 200
    assert login(client, "zhangsan", otp).status_code == 401
    assert login(client, "zhangsan", STRONG).status_code == 200


@pytest.mark.parametrize(
    "password",
    ["short-1a", "xx-manager-name-xx", "password2024!", "1qaz2wsx3edc", "Woaini1314520", "aaaaaaaaaaaa"],
    ids=[
        "too_short",
        "contains_username",
        "common_word_plus_year",
        "keyboard_walk",
        "pinyin_favourite",
        "one_char",
    ],
)
def test_weak_password_is_422_with_a_chinese_message(client, city, password):
    city.manager.username = "manager-name"
    db.session.commit()
    body = {"old_password": f.PASSWORD, "new_password": password}
    response = client.post("/api/auth/password", json=body, headers=auth(city.manager))
    assert response.status_code == 422
    assert response.json["error"]["code"] == "weak_password"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json["error"]["message"])


def test_wrong_old_password_is_refused(client, city):
    body = {"old_password": "not-it", "new_password": STRONG}
    response = client.post("/api/auth/password", json=body, headers=auth(city.manager))
    assert response.status_code == 422
    assert response.json["error"]["code"] == "wrong_password"


def test_reset_password_gives_a_new_one_time_password_and_ends_sessions(client, city):
    tokens = login(client, city.manager.username).json
    reset = client.post(f"/api/users/{city.manager.id}/reset-password", headers=auth(city.inspector))
    assert reset.status_code == 200
    assert client.get("/api/auth/me", headers=bearer(tokens["access_token"])).status_code == 401
    assert login(client, city.manager.username).status_code == 401
    again = login(client, city.manager.username, reset.json["one_time_password"])
    assert again.json["user"]["must_change_password"] is True


# --- deactivation, changes and history ---------------------------------------------


def test_deactivation_refuses_access_and_refresh_tokens_at_once(client, city):
    tokens = login(client, city.manager.username).json
    off = client.patch(f"/api/users/{city.manager.id}", json={"active": False}, headers=auth(city.admin))
    assert off.status_code == 200
    assert off.json["active"] is False
    assert client.get("/api/auth/me", headers=bearer(tokens["access_token"])).status_code == 401
    assert client.post("/api/auth/refresh", headers=bearer(tokens["refresh_token"])).status_code == 401
    # reactivated: the old session stays ended
    client.patch(f"/api/users/{city.manager.id}", json={"active": True}, headers=auth(city.admin))
    assert client.get("/api/auth/me", headers=bearer(tokens["access_token"])).status_code == 401


def test_changing_role_requires_a_consistent_place(client, city):
    url = f"/api/users/{city.manager.id}"
    half = client.patch(url, json={"role": "inspector"}, headers=auth(city.admin))
    assert half.status_code == 422
    whole = client.patch(
        url,
        json={"role": "inspector", "zone_id": city.zone.id, "enterprise_id": None},
        headers=auth(city.admin),
    )
    assert whole.status_code == 200
    assert (whole.json["role"], whole.json["zone_id"], whole.json["enterprise_id"]) == (
        "inspector",
        city.zone.id,
        None,
    )


def test_an_enterprise_account_holds_a_person_of_its_own_enterprise(client, city):
    person = f.make_person(city.ent_b, ("block_supervisor", None))
    db.session.commit()
    created = create(
        client, city.inspector, role="block_supervisor", enterprise_id=city.ent_b.id, person_id=person.id
    )
    assert created.status_code == 201, created.json
    assert (created.json["user"]["person_id"], created.json["user"]["person_name"]) == (
        person.id,
        person.name,
    )

    other_enterprise = create(
        client,
        city.inspector,
        username="newuser2",
        role="block_supervisor",
        enterprise_id=city.ent_a.id,
        person_id=person.id,
    )
    twice = create(
        client,
        city.inspector,
        username="newuser3",
        role="block_supervisor",
        enterprise_id=city.ent_b.id,
        person_id=person.id,
    )
    assert [r.status_code for r in (other_enterprise, twice)] == [422, 422]
    assert "person_id" in twice.json["error"]["details"]["fields"]


def test_linking_a_supervisor_to_their_person_makes_them_eligible_and_moving_them_unlinks(client, city):
    person = f.make_person(city.ent_b, ("block_supervisor", None))
    db.session.commit()
    url = f"/api/users/{city.supervisor.id}"

    def pool() -> list[dict]:
        return client.get("/api/supervisors", headers=auth(city.inspector)).json["items"]

    assert [row["eligible"] for row in pool()] == [False]

    linked = client.patch(url, json={"person_id": person.id}, headers=auth(city.inspector))
    assert linked.status_code == 200, linked.json
    assert [row["eligible"] for row in pool()] == [True]

    moved = client.patch(url, json={"enterprise_id": city.ent_c.id}, headers=auth(city.inspector))
    assert (moved.status_code, moved.json["person_id"]) == (200, None)


def test_admin_cannot_deactivate_themselves(client, city):
    response = client.patch(f"/api/users/{city.admin.id}", json={"active": False}, headers=auth(city.admin))
    assert response.status_code == 409


def test_every_administrative_action_is_in_the_users_history_newest_first(client, city):
    user, _otp = _new_manager(client, city)
    url = f"/api/users/{user['id']}"
    client.patch(url, json={"enterprise_id": city.ent_b.id, "reason": "调岗"}, headers=auth(city.admin))
    client.patch(url, json={"active": False}, headers=auth(city.inspector))
    client.post(f"{url}/reset-password", headers=auth(city.admin))
    history = client.get(f"{url}/history", headers=auth(city.admin)).json
    fields = [entry["field"] for entry in history]
    assert fields[:3] == ["password", "active", "enterprise_id"]
    assert {"username", "role"} <= set(fields[3:])
    assert history[1]["actor"] == city.inspector.username
    assert (history[1]["before"], history[1]["after"]) == (True, False)
    assert history[2]["reason"] == "调岗"
    assert (history[2]["before"], history[2]["after"]) == (city.ent_a.id, city.ent_b.id)


# --- bulk creation -----------------------------------------------------------------


def test_bulk_creates_every_row_with_one_time_passwords(client, city):
    data = sheet(
        ("li.si", "李四", "安全管理员", "", city.ent_a.credit_code, "13800000000"),
        ("wang.wu", "王五", "block_supervisor", "", city.ent_b.credit_code, ""),
        ("zhao.liu", "赵六", "检查员", city.zone.name, "", ""),
    )
    response = client.post("/api/users/bulk", data=data, headers=auth(city.admin))
    assert response.status_code == 201, response.json
    items = response.json["items"]
    assert [i["user"]["username"] for i in items] == ["li.si", "wang.wu", "zhao.liu"]
    assert items[2]["user"]["zone_id"] == city.zone.id
    assert all(i["one_time_password"] for i in items)
    signed_in = login(client, "li.si", items[0]["one_time_password"])
    assert signed_in.json["user"]["must_change_password"] is True


def test_bulk_with_a_bad_row_creates_nobody_and_lists_row_errors(client, city):
    data = sheet(
        ("li.si", "李四", "safety_manager", "", city.ent_a.credit_code, ""),
        ("li.si", "重复", "safety_manager", "", city.ent_a.credit_code, ""),
        ("x.y", "某人", "厨师", "", "", ""),
        ("w.z", "某人", "safety_manager", "", "91000000000000000X", ""),
    )
    response = client.post("/api/users/bulk", data=data, headers=auth(city.admin))
    assert response.status_code == 422
    assert response.json["error"]["code"] == "bulk_rejected"
    rows = {r["row"]: r["errors"] for r in response.json["error"]["details"]["rows"]}
    assert set(rows) == {3, 4, 5}
    assert "role" in rows[4] and "enterprise_credit_code" in rows[5]
    assert db.session.scalar(select(User).where(User.username == "li.si")) is None


def test_bulk_by_inspector_refuses_other_zones_enterprises(client, city):
    data = sheet(("li.si", "李四", "safety_manager", "", city.ent_x.credit_code, ""))
    response = client.post("/api/users/bulk", data=data, headers=auth(city.inspector))
    assert response.status_code == 422


def test_bulk_can_answer_a_handout_sheet(client, city):
    data = sheet(("li.si", "李四", "safety_manager", "", city.ent_a.credit_code, ""))
    response = client.post("/api/users/bulk?format=xlsx", data=data, headers=auth(city.admin))
    assert response.status_code == 201
    rows = list(load_workbook(io.BytesIO(response.data)).active.values)
    assert rows[1][0] == "li.si" and len(rows[1][3]) >= 12


def test_bulk_handout_sheet_names_roles_as_the_sheet_does(client, city):
    data = sheet(("li.si", "李四", "safety_manager", "", city.ent_a.credit_code, ""))
    response = client.post("/api/users/bulk?format=xlsx", data=data, headers=auth(city.admin))
    rows = list(load_workbook(io.BytesIO(response.data)).active.values)
    assert rows[1][2] == "企业安全员"


def test_bulk_accepts_the_zone_of_an_enterprise_account_and_checks_it(client, city):
    """A zone's two-lists sheet carries each safety manager's zone: it must match the enterprise's."""
    data = sheet(("li.si", "李四", "安全管理员", city.zone.name, city.ent_a.credit_code, ""))
    response = client.post("/api/users/bulk", data=data, headers=auth(city.admin))
    assert response.status_code == 201, response.json
    user = response.json["items"][0]["user"]
    assert user["enterprise_id"] == city.ent_a.id and user["zone_id"] is None

    data = sheet(("wang.wu", "王五", "安全管理员", city.other_zone.name, city.ent_a.credit_code, ""))
    response = client.post("/api/users/bulk", data=data, headers=auth(city.admin))
    assert response.status_code == 422
    assert "zone" in response.json["error"]["details"]["rows"][0]["errors"]


def test_bulk_refuses_a_file_that_is_not_xlsx(client, city):
    response = client.post("/api/users/bulk", data=b"not a spreadsheet", headers=auth(city.admin))
    assert response.status_code == 422
    assert response.json["error"]["code"] == "invalid_xlsx"


# --- command line ------------------------------------------------------------------


def test_cli_creates_the_first_administrator_with_a_one_time_password(app, client):
    result = app.test_cli_runner().invoke(args=["users", "create", "chief", "--role", "bureau_admin"])
    assert result.exit_code == 0, result.output
    otp = result.output.strip().rsplit(" ", 1)[-1]
    signed_in = login(client, "chief", otp)
    assert signed_in.status_code == 200
    assert signed_in.json["user"]["must_change_password"] is True


def test_cli_refuses_an_inspector_without_zone(app):
    result = app.test_cli_runner().invoke(args=["users", "create", "insp", "--role", "inspector"])
    assert result.exit_code != 0
    assert "zone_id" in result.output


def test_cli_reset_password(app, client, city):
    result = app.test_cli_runner().invoke(args=["users", "reset-password", city.admin.username])
    assert result.exit_code == 0, result.output
    otp = result.output.strip().rsplit(" ", 1)[-1]
    assert login(client, city.admin.username, otp).status_code == 200
    assert login(client, city.admin.username).status_code == 401


# --- sign-in hardening -------------------------------------------------------------


def test_guesser_locks_only_their_own_client_not_the_owner_elsewhere(client, city):
    for _ in range(5):
        assert login(client, city.admin.username, "wrong", ip="203.0.113.9").status_code == 401
    locked = login(client, city.admin.username, ip="203.0.113.9")
    assert locked.status_code == 429
    assert locked.json["error"]["code"] == "login_locked"
    assert login(client, city.admin.username, ip="198.51.100.7").status_code == 200


def test_many_clients_guessing_one_name_slow_every_client_but_never_lock_the_owner(client, city, app):
    for n in range(app.config["LOGIN_SLOWDOWN_FAILURES"]):
        login(client, city.admin.username, "wrong", ip=f"203.0.113.{n}")
    again = login(client, city.admin.username, "wrong", ip="203.0.113.1")
    assert again.status_code == 429
    assert again.json["error"]["code"] == "login_slowed"
    assert again.json["error"]["details"]["retry_after"] > 0
    assert login(client, city.admin.username, ip="198.51.100.7").status_code == 200


def test_unknown_username_costs_a_password_hash_like_a_known_one(client, city, monkeypatch):
    calls = []
    real = account_models.check_password_hash
    monkeypatch.setattr(account_models, "check_password_hash", lambda h, p: calls.append(h) or real(h, p))
    assert login(client, "nobody-by-that-name", "some-password").status_code == 401
    assert login(client, city.manager.username, "some-password").status_code == 401
    assert len(calls) == 2
    assert calls[0].split("$")[0] == calls[1].split("$")[0]  # same method and cost


def test_refresh_rotates_and_a_reused_refresh_token_ends_the_session(client, city):
    first = login(client, city.manager.username).json
    second = client.post("/api/auth/refresh", headers=bearer(first["refresh_token"])).json
    assert second["refresh_token"] != first["refresh_token"]
    third = client.post("/api/auth/refresh", headers=bearer(second["refresh_token"]))
    assert third.status_code == 200
    reused = client.post("/api/auth/refresh", headers=bearer(first["refresh_token"]))
    assert reused.status_code == 401
    assert reused.json["error"]["code"] == "refresh_token_reused"
    for token in (third.json["refresh_token"],):
        assert client.post("/api/auth/refresh", headers=bearer(token)).status_code == 401
    assert client.get("/api/auth/me", headers=bearer(third.json["access_token"])).status_code == 401


def test_two_tabs_refreshing_at_once_keep_the_session(client, city):
    tokens = login(client, city.manager.username).json
    tab_one = client.post("/api/auth/refresh", headers=bearer(tokens["refresh_token"]))
    tab_two = client.post("/api/auth/refresh", headers=bearer(tokens["refresh_token"]))
    assert (tab_one.status_code, tab_two.status_code) == (200, 200)
    assert client.post("/api/auth/refresh", headers=bearer(tab_two.json["refresh_token"])).status_code == 200


def test_a_replaced_refresh_token_after_the_grace_is_reuse(app, client, city):
    app.config["REFRESH_REUSE_GRACE"] = timedelta(0)
    tokens = login(client, city.manager.username).json
    client.post("/api/auth/refresh", headers=bearer(tokens["refresh_token"]))
    late = client.post("/api/auth/refresh", headers=bearer(tokens["refresh_token"]))
    assert late.status_code == 401
    assert late.json["error"]["code"] == "refresh_token_reused"


def test_logout_without_refresh_token_ends_the_session_server_side(client, city):
    tokens = login(client, city.manager.username).json
    out = client.post("/api/auth/logout", json={}, headers=bearer(tokens["access_token"]))
    assert out.status_code == 200
    refused = client.post("/api/auth/refresh", headers=bearer(tokens["refresh_token"]))
    assert refused.status_code == 401
    assert refused.json["error"]["code"] == "token_revoked"


def test_my_sessions_lists_and_signs_out_one_or_everywhere(client, city):
    phone = login(client, city.manager.username, ip="10.0.0.1").json
    laptop = login(client, city.manager.username, ip="10.0.0.2").json
    listed = client.get("/api/auth/sessions", headers=bearer(phone["access_token"])).json["items"]
    assert len(listed) == 2
    assert [s["current"] for s in listed if s["client"] == "10.0.0.1"] == [True]
    other = next(s for s in listed if not s["current"])
    ended = client.delete(f"/api/auth/sessions/{other['id']}", headers=bearer(phone["access_token"]))
    assert ended.status_code == 200
    assert client.get("/api/auth/me", headers=bearer(laptop["access_token"])).status_code == 401
    assert client.get("/api/auth/me", headers=bearer(phone["access_token"])).status_code == 200
    # someone else's session is not mine to end
    theirs = login(client, city.inspector.username).json
    their_id = client.get("/api/auth/sessions", headers=bearer(theirs["access_token"])).json["items"][0]["id"]
    assert (
        client.delete(f"/api/auth/sessions/{their_id}", headers=bearer(phone["access_token"])).status_code
        == 404
    )
    everywhere = client.delete("/api/auth/sessions", headers=bearer(phone["access_token"]))
    assert everywhere.json["ended"] == 1
    assert client.get("/api/auth/me", headers=bearer(phone["access_token"])).status_code == 401
    assert client.get("/api/auth/me", headers=bearer(theirs["access_token"])).status_code == 200


def test_changing_password_ends_the_other_sessions(client, city):
    here = login(client, city.manager.username, ip="10.0.0.1").json
    there = login(client, city.manager.username, ip="10.0.0.2").json
    body = {"old_password": f.PASSWORD, "new_password": STRONG}
    assert (
        client.post("/api/auth/password", json=body, headers=bearer(here["access_token"])).status_code == 200
    )
    assert client.get("/api/auth/me", headers=bearer(here["access_token"])).status_code == 200
    assert client.get("/api/auth/me", headers=bearer(there["access_token"])).status_code == 401
