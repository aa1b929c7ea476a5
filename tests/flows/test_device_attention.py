"""Overdue (超期未检) and long-idle devices counted per zone and enterprise, in scope."""

from __future__ import annotations

from datetime import timedelta

from backend.core.clock import today
from backend.extensions import db
from tests import factories as f
from tests.conftest import auth


def test_attention_counts_overdue_and_long_idle_per_zone_and_enterprise(client, city):
    f.make_device(city.ent_a, next_inspection_due=today() - timedelta(days=1))
    f.make_device(city.ent_a, next_inspection_due=today())  # due today is not overdue yet
    f.make_device(city.ent_a, status="scrapped", next_inspection_due=today() - timedelta(days=90))
    f.make_device(city.ent_c, status="idle", idle_since=today() - timedelta(days=365))
    f.make_device(city.ent_c, status="idle", idle_since=today() - timedelta(days=364))
    f.make_device(city.ent_x, next_inspection_due=today() - timedelta(days=5))
    db.session.commit()

    body = client.get("/api/devices/attention", headers=auth(city.inspector)).json

    assert body["zones"] == [
        {"zone_id": city.zone.id, "zone_name": city.zone.name, "overdue": 1, "long_idle": 1}
    ]
    by_enterprise = {e["enterprise_id"]: (e["overdue"], e["long_idle"]) for e in body["enterprises"]}
    assert by_enterprise == {city.ent_a.id: (1, 0), city.ent_c.id: (0, 1)}


def test_attention_of_a_safety_manager_covers_only_their_enterprise(client, city):
    f.make_device(city.ent_b, next_inspection_due=today() - timedelta(days=1))
    db.session.commit()
    body = client.get("/api/devices/attention", headers=auth(city.manager)).json
    assert body["enterprises"] == []
    assert [z["overdue"] for z in body["zones"]] == [0]
