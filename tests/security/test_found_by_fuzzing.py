"""Server errors that schemathesis and the upload fuzzer found, pinned as plain tests."""

from __future__ import annotations

import pytest
from flask_jwt_extended import create_access_token

from backend.complaints import rules
from backend.core.images import sha256_hex
from tests import factories as f
from tests.security.conftest import assert_envelope


@pytest.mark.parametrize("suffix", ["", "/thumb"], ids=["full", "thumbnail"])
def test_photo_link_with_non_ascii_signature_is_404_not_500(client, city, suffix):
    """hmac.compare_digest refuses non-ASCII str: it raised TypeError (a 500)."""
    data = f.image_bytes()
    sha = sha256_hex(data)
    headers = {"Authorization": f"Bearer {create_access_token(identity=city.admin)}"}
    assert client.put(f"/api/photos/{sha}", data=data, headers=headers).status_code == 201
    response = client.get(f"/api/photos/{sha}{suffix}", query_string={"exp": 4_102_444_800, "sig": "签名"})
    assert_envelope(response, 404, "not_found")


def test_challenge_with_non_ascii_signature_is_refused_not_an_error():
    assert rules.parse_challenge(b"k" * 32, "v1.4102444800.8.salt.签名") is None


def test_complaint_with_non_ascii_challenge_signature_is_4xx(client, city):
    body = {
        "qr_token": city.dev_a.qr_token,
        "category": "other",
        "description": "电梯异响",
        "pow": {"challenge": "v1.4102444800.8.salt.签名", "nonce": "1"},
    }
    response = client.post("/api/public/complaints", json=body)
    assert 400 <= response.status_code < 500
    assert_envelope(response, response.status_code)


def _walk(node, path: str = ""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield path, key, value
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}/{i}")


def test_openapi_numeric_bounds_are_numbers(client):
    """A Decimal Range came out as "minimum": "0.00", which schemathesis cannot generate from."""
    spec = client.get("/api/openapi.json").get_json()
    bad = [
        f"{path}/{key}={value!r}"
        for path, key, value in _walk(spec)
        if key in {"minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems"}
        and not isinstance(value, int | float)
    ]
    assert not bad
