"""Every forged, stale or misused bearer token is a 401 envelope on every kind of endpoint."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import timedelta

import jwt as pyjwt
import pytest
from flask import current_app
from flask_jwt_extended import create_access_token, create_refresh_token, decode_token

from backend.accounts.models import User
from backend.extensions import db
from tests.factories import PASSWORD, image_bytes
from tests.security.conftest import assert_envelope

FAR_FUTURE = 4_102_444_800  # 2100-01-01


def _b64(data: dict | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _claims(user: User, **changes: object) -> dict:
    return {
        "sub": str(user.id),
        "type": "access",
        "fresh": False,
        "jti": "f" * 36,
        "role": user.role,
        "iat": 1_700_000_000,
        "nbf": 1_700_000_000,
        "exp": FAR_FUTURE,
    } | changes


def alg_none(user: User) -> str:
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims(user))}."


def alg_none_capitalised(user: User) -> str:
    return f"{_b64({'alg': 'None', 'typ': 'JWT'})}.{_b64(_claims(user))}."


def alg_none_with_signature_kept(user: User) -> str:
    """A genuine token whose header is swapped for alg=none (signature left in place)."""
    _header, claims, signature = create_access_token(identity=user).split(".")
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{claims}.{signature}"


def wrong_key(user: User) -> str:
    return pyjwt.encode(_claims(user), "another-key-that-is-long-enough-0123456789", "HS256")


def empty_key(user: User) -> str:
    """HS256 with an empty secret (PyJWT refuses to make one, so sign by hand)."""
    signing_input = f"{_b64({'alg': 'HS256', 'typ': 'JWT'})}.{_b64(_claims(user))}"
    signature = hmac.new(b"", signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def hs512_with_wrong_key(user: User) -> str:
    return pyjwt.encode(_claims(user), "x" * 64, "HS512")


def role_escalated(user: User) -> str:
    """A real token whose payload claims bureau_admin; the old signature no longer fits."""
    header, _claims_part, signature = create_access_token(identity=user).split(".")
    data = decode_token(create_access_token(identity=user))
    return f"{header}.{_b64(data | {'role': 'bureau_admin'})}.{signature}"


def subject_swapped(user: User) -> str:
    """A real token re-pointed at another account (id 1 or 2), signature unchanged."""
    header, _claims_part, signature = create_access_token(identity=user).split(".")
    data = decode_token(create_access_token(identity=user))
    other = "1" if data["sub"] != "1" else "2"
    return f"{header}.{_b64(data | {'sub': other})}.{signature}"


def signature_stripped(user: User) -> str:
    header, claims, _signature = create_access_token(identity=user).split(".")
    return f"{header}.{claims}."


def expired(user: User) -> str:
    return create_access_token(identity=user, expires_delta=timedelta(seconds=-1))


def not_yet_valid(user: User) -> str:
    key = current_app.config["JWT_SECRET_KEY"]
    return pyjwt.encode(_claims(user, nbf=FAR_FUTURE - 10), key, "HS256")


def refresh_as_access(user: User) -> str:
    return create_refresh_token(identity=user)


def kid_injection(user: User) -> str:
    key = current_app.config["JWT_SECRET_KEY"]
    return pyjwt.encode(
        _claims(user),
        key,
        "HS256",
        headers={"kid": "../../../../dev/null", "jku": "https://evil.example/keys"},
    )


FORGERIES: dict[str, tuple[Callable[[User], str], str]] = {
    "alg_none": (alg_none, "token_invalid"),
    "alg_None": (alg_none_capitalised, "token_invalid"),
    "alg_none_signature_kept": (alg_none_with_signature_kept, "token_invalid"),
    "wrong_key": (wrong_key, "token_invalid"),
    "empty_key": (empty_key, "token_invalid"),
    "hs512_wrong_key": (hs512_with_wrong_key, "token_invalid"),
    "role_escalated": (role_escalated, "token_invalid"),
    "subject_swapped": (subject_swapped, "token_invalid"),
    "signature_stripped": (signature_stripped, "token_invalid"),
    "expired": (expired, "token_expired"),
    "not_yet_valid": (not_yet_valid, "token_invalid"),
    "refresh_as_access": (refresh_as_access, "token_invalid"),
}

PHOTO = image_bytes()
# one of each kind of protected endpoint: read, list, write, upload, sync
ENDPOINTS: dict[str, tuple[str, str, dict]] = {
    "me": ("GET", "/api/auth/me", {}),
    "hazard_list": ("GET", "/api/hazards", {}),
    "device_create": ("POST", "/api/devices", {"json": {}}),
    "photo_upload": ("PUT", "/api/photos/" + "0" * 64, {"data": PHOTO, "content_type": "image/jpeg"}),
    "sync_push": ("POST", "/api/sync/push", {"json": {"ops": []}}),
    "sync_pull": ("GET", "/api/sync/pull", {}),
}


def call(client, endpoint: str, token: str | None):
    method, path, kwargs = ENDPOINTS[endpoint]
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.open(path, method=method, headers=headers, **kwargs)


def login(client, username: str) -> dict:
    response = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200
    return response.get_json()


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
@pytest.mark.parametrize("forgery", list(FORGERIES))
def test_forged_or_misused_token_is_401_envelope(client, city, forgery, endpoint):
    make, code = FORGERIES[forgery]
    assert_envelope(call(client, endpoint, make(city.admin)), 401, code)


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_genuine_token_gets_past_authentication(client, city, endpoint):
    """The control: the same calls with a real token are not refused as unauthenticated."""
    assert call(client, endpoint, create_access_token(identity=city.admin)).status_code != 401


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_missing_token_is_401_token_missing(client, city, endpoint):
    assert_envelope(call(client, endpoint, None), 401, "token_missing")


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_access_token_revoked_by_logout_is_401_everywhere(client, city, endpoint):
    tokens = login(client, city.inspector.username)
    assert call(client, endpoint, tokens["access_token"]).status_code != 401
    out = client.post(
        "/api/auth/logout",
        json={"refresh_token": tokens["refresh_token"]},
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    assert out.status_code == 200
    assert_envelope(call(client, endpoint, tokens["access_token"]), 401, "token_revoked")


def test_refresh_token_revoked_by_logout_cannot_mint_access_tokens(client, city):
    tokens = login(client, city.inspector.username)
    client.post(
        "/api/auth/logout",
        json={"refresh_token": tokens["refresh_token"]},
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    response = client.post(
        "/api/auth/refresh", headers={"Authorization": f"Bearer {tokens['refresh_token']}"}
    )
    assert_envelope(response, 401, "token_revoked")


def test_expired_refresh_token_is_401(client, city):
    token = create_refresh_token(identity=city.admin, expires_delta=timedelta(seconds=-1))
    response = client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {token}"})
    assert_envelope(response, 401, "token_expired")


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_token_of_deleted_user_is_401(client, city, endpoint):
    token = create_access_token(identity=city.supervisor)
    db.session.delete(city.supervisor)
    db.session.commit()
    assert_envelope(call(client, endpoint, token), 401, "token_invalid")


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_token_of_deactivated_user_is_401(client, city, endpoint):
    token = create_access_token(identity=city.manager)
    city.manager.active = False
    db.session.commit()
    assert_envelope(call(client, endpoint, token), 401, "token_invalid")


def test_deactivated_user_cannot_refresh(client, city):
    refresh = create_refresh_token(identity=city.manager)
    city.manager.active = False
    db.session.commit()
    response = client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {refresh}"})
    assert_envelope(response, 401, "token_invalid")


def test_escalated_role_claim_cannot_reach_admin_only_route(client, city):
    """Even a validly signed token's role claim is not trusted: the role comes from the user row."""
    key = current_app.config["JWT_SECRET_KEY"]
    token = pyjwt.encode(_claims(city.manager, role="bureau_admin"), key, "HS256")
    response = client.post(
        "/api/zones", json={"name": "越权分局", "code": "ZX"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert_envelope(response, 403, "forbidden_role")
