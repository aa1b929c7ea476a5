"""Sign-in, lockout, refresh, sign-out and every way a bearer token can be bad."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import jwt as pyjwt
import pytest
from flask_jwt_extended import create_access_token, create_refresh_token

from backend.extensions import db
from tests.conftest import auth
from tests.factories import PASSWORD


@pytest.fixture
def app(fast_app):
    return fast_app


def login(client, username: str, password: str = PASSWORD):
    return client.post("/api/auth/login", json={"username": username, "password": password})


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_login_returns_tokens_and_the_user(client, city):
    response = login(client, city.manager.username)
    assert response.status_code == 200
    body = response.json
    assert body["access_token"] and body["refresh_token"]
    assert body["user"]["id"] == city.manager.id
    assert body["user"]["username"] == city.manager.username
    assert body["user"]["role"] == "safety_manager"
    assert "password_hash" not in body["user"]


def test_login_access_token_opens_the_api(client, city):
    token = login(client, city.inspector.username).json["access_token"]
    me = client.get("/api/auth/me", headers=bearer(token))
    assert me.status_code == 200
    assert me.json["id"] == city.inspector.id


@pytest.mark.parametrize(
    ("username", "password"),
    [("known", "wrong-password"), ("nobody-by-that-name", PASSWORD)],
    ids=["wrong_password", "unknown_user"],
)
def test_login_refuses_bad_credentials_with_401(client, city, username, password):
    name = city.manager.username if username == "known" else username
    response = login(client, name, password)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "invalid_credentials"


def test_login_refuses_deactivated_user(client, city):
    city.manager.active = False
    db.session.commit()
    response = login(client, city.manager.username)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "invalid_credentials"


def test_login_locks_after_five_failures(client, city):
    for _ in range(5):
        assert login(client, city.manager.username, "wrong").status_code == 401
    response = login(client, city.manager.username, "wrong")
    assert response.status_code == 429
    assert response.json["error"]["code"] == "login_locked"


def test_login_refuses_correct_password_while_locked(client, city):
    for _ in range(5):
        login(client, city.manager.username, "wrong")
    response = login(client, city.manager.username)
    assert response.status_code == 429
    assert response.json["error"]["code"] == "login_locked"


def test_login_success_resets_the_failure_count(client, city):
    for _ in range(4):
        login(client, city.manager.username, "wrong")
    assert login(client, city.manager.username).status_code == 200
    for _ in range(4):
        login(client, city.manager.username, "wrong")
    assert login(client, city.manager.username).status_code == 200


def test_login_lockout_is_per_username(client, city):
    for _ in range(5):
        login(client, city.manager.username, "wrong")
    assert login(client, city.inspector.username).status_code == 200


@pytest.mark.parametrize(
    "body",
    [{}, {"username": "x"}, {"username": "", "password": ""}, {"username": 5, "password": []}],
    ids=["empty", "no_password", "blank", "wrong_types"],
)
def test_login_validates_body_with_422(client, city, body):
    response = client.post("/api/auth/login", json=body)
    assert response.status_code == 422
    assert response.json["error"]["code"] == "validation_failed"


def test_refresh_with_refresh_token_gives_new_access_token(client, city):
    tokens = login(client, city.manager.username).json
    response = client.post("/api/auth/refresh", headers=bearer(tokens["refresh_token"]))
    assert response.status_code == 200
    me = client.get("/api/auth/me", headers=bearer(response.json["access_token"]))
    assert me.json["id"] == city.manager.id


def test_refresh_refuses_access_token_with_401(client, city):
    tokens = login(client, city.manager.username).json
    response = client.post("/api/auth/refresh", headers=bearer(tokens["access_token"]))
    assert response.status_code == 401
    assert response.json["error"]["code"] == "token_invalid"


def test_refresh_token_does_not_open_the_api(client, city):
    tokens = login(client, city.manager.username).json
    response = client.get("/api/auth/me", headers=bearer(tokens["refresh_token"]))
    assert response.status_code == 401
    assert response.json["error"]["code"] == "token_invalid"


def test_refresh_without_token_is_401(client, city):
    response = client.post("/api/auth/refresh")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "token_missing"


def test_logout_revokes_the_access_token(client, city):
    tokens = login(client, city.manager.username).json
    out = client.post("/api/auth/logout", json={}, headers=bearer(tokens["access_token"]))
    assert out.status_code == 200
    again = client.get("/api/auth/me", headers=bearer(tokens["access_token"]))
    assert again.status_code == 401
    assert again.json["error"]["code"] == "token_revoked"


def test_logout_revokes_the_refresh_token_in_the_body(client, city):
    tokens = login(client, city.manager.username).json
    body = {"refresh_token": tokens["refresh_token"]}
    client.post("/api/auth/logout", json=body, headers=bearer(tokens["access_token"]))
    response = client.post("/api/auth/refresh", headers=bearer(tokens["refresh_token"]))
    assert response.status_code == 401
    assert response.json["error"]["code"] == "token_revoked"


def test_logout_does_not_revoke_someone_elses_refresh_token(client, city):
    theirs = login(client, city.inspector.username).json["refresh_token"]
    body = {"refresh_token": theirs}
    client.post("/api/auth/logout", json=body, headers=auth(city.manager))
    assert client.post("/api/auth/refresh", headers=bearer(theirs)).status_code == 200


def test_logout_ignores_garbage_refresh_token(client, city):
    body = {"refresh_token": "not.a.token"}
    response = client.post("/api/auth/logout", json=body, headers=auth(city.manager))
    assert response.status_code == 200


def test_other_sessions_survive_logout(client, city):
    first = login(client, city.manager.username).json["access_token"]
    second = login(client, city.manager.username).json["access_token"]
    client.post("/api/auth/logout", json={}, headers=bearer(first))
    assert client.get("/api/auth/me", headers=bearer(second)).status_code == 200


def _alg_none_token(user_id: int) -> str:
    header = _b64({"alg": "none", "typ": "JWT"})
    claims = _b64(
        {
            "sub": str(user_id),
            "type": "access",
            "fresh": False,
            "jti": "x" * 36,
            "role": "bureau_admin",
            "exp": 4_102_444_800,
        }
    )
    return f"{header}.{claims}."


def _wrong_key_token(user_id: int) -> str:
    claims = {
        "sub": str(user_id),
        "type": "access",
        "fresh": False,
        "jti": "y" * 36,
        "role": "bureau_admin",
        "exp": 4_102_444_800,
        "iat": 1_700_000_000,
        "nbf": 1_700_000_000,
    }
    return pyjwt.encode(claims, "another-key-that-is-long-enough-0123456789", "HS256")


BAD_TOKENS = {
    "malformed": (lambda user: "definitely-not-a-jwt", "token_invalid"),
    "three_garbage_parts": (lambda user: "abc.def.ghi", "token_invalid"),
    "alg_none": (lambda user: _alg_none_token(user.id), "token_invalid"),
    "wrong_key": (lambda user: _wrong_key_token(user.id), "token_invalid"),
    "expired": (
        lambda user: create_access_token(identity=user, expires_delta=timedelta(seconds=-1)),
        "token_expired",
    ),
    "refresh_as_access": (lambda user: create_refresh_token(identity=user), "token_invalid"),
}


@pytest.mark.parametrize("kind", list(BAD_TOKENS), ids=list(BAD_TOKENS))
def test_bad_bearer_token_is_401_with_its_code(client, city, kind):
    make, code = BAD_TOKENS[kind]
    response = client.get("/api/devices", headers=bearer(make(city.admin)))
    assert response.status_code == 401
    assert response.json["error"]["code"] == code


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "bearer", "Token abc", "Bearer a b c"],
    ids=[
        "bearer_without_token",
        "bearer_blank",
        "basic",
        "lowercase_no_token",
        "other_scheme",
        "spaces_in_token",
    ],
)
def test_malformed_authorization_header_is_401_never_422(client, city, header):
    response = client.get("/api/devices", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json["error"]["code"] in {"token_missing", "token_invalid"}


def test_token_of_deleted_or_deactivated_user_is_401(client, city):
    headers = auth(city.manager)
    city.manager.active = False
    db.session.commit()
    response = client.get("/api/auth/me", headers=headers)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "token_invalid"


def test_token_with_non_numeric_subject_is_401(client, city):
    token = create_access_token(identity=city.admin, additional_claims={"sub": "abc"})
    response = client.get("/api/auth/me", headers=bearer(token))
    assert response.status_code == 401
    assert response.json["error"]["code"] == "token_invalid"
