"""The evidence chain notices a record changed behind the application's back."""

from __future__ import annotations

from sqlalchemy import text

from backend.extensions import db
from tests.conftest import auth
from tests.factories import new_id


def report(client, city, description="压力表损坏") -> str:
    hazard_id = new_id()
    body = {
        "id": hazard_id,
        "device_id": city.dev_a.id,
        "category": "安全附件",
        "severity": "general",
        "description": description,
    }
    assert client.post("/api/hazards", json=body, headers=auth(city.manager)).status_code == 201
    return hazard_id


def test_evidence_verify_passes_on_untouched_chain(app, client, city):
    report(client, city)
    hazard_id = report(client, city, "防护栏缺失")
    step = {"id": new_id(), "action": "start_rectification"}
    client.post(f"/api/hazards/{hazard_id}/transitions", json=step, headers=auth(city.manager))
    result = app.test_cli_runner().invoke(args=["evidence", "verify"])
    assert result.exit_code == 0, result.output
    assert "OK: 3 entries" in result.output


def test_evidence_verify_names_a_hazard_edited_directly_in_the_database(app, client, city):
    report(client, city)
    tampered = report(client, city, "安全阀铅封缺失")
    db.session.execute(text("UPDATE hazards SET description = '无问题' WHERE id = :id"), {"id": tampered})
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["evidence", "verify"])
    assert result.exit_code != 0
    assert f"hazard {tampered} was altered" in result.output
    assert "seq 2" in result.output


def test_evidence_verify_names_a_rewritten_chain_entry(app, client, city):
    report(client, city)
    db.session.execute(
        text("UPDATE evidence_entries SET body = replace(body, 'hazard', 'hazarx') WHERE seq = 1")
    )
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["evidence", "verify"])
    assert result.exit_code != 0
    assert "seq 1" in result.output


def test_evidence_checkpoint_is_signed_head(app, client, city):
    report(client, city)
    result = app.test_cli_runner().invoke(args=["evidence", "checkpoint"])
    assert result.exit_code == 0
    assert '"seq": 1' in result.output and "hmac_sha256" in result.output
