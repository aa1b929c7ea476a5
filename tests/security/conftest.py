"""The security suite reuses the API suite's shared app (one create_app per session)."""

from __future__ import annotations

import pytest

from tests.api.conftest import _shared_app, fast_app, fast_password_hashing  # noqa: F401 - fixtures


@pytest.fixture
def app(fast_app):  # noqa: F811 - the imported fixture, under the name tests use
    return fast_app


def assert_envelope(response, status: int, code: str | None = None) -> None:
    """The API.md error envelope with the given status (and code, when given)."""
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    assert set(error) == {"code", "message", "details"}
    assert error["message"]
    if code is not None:
        assert error["code"] == code
