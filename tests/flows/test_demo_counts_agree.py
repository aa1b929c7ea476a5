"""On the demo city every screen shows the same counts, whoever looks.

The phone's home and enterprise pages count its synced copy (pwa/src/offline/queries.ts
`homeCounts`, EnterpriseDetailView): `_phone_counts` below counts a full pull the same way.
The dashboard, the monthly report, the credit page's facts and the list filters ask the
server. One definition per count (devices/rules.py `is_overdue`, hazards/rules.py
`is_open`, `is_overdue`, and their SQL forms in the services) makes them agree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from backend.accounts.models import User
from backend.core.changes import Change
from backend.core.clock import today
from backend.demo import load_demo
from backend.devices.models import Device
from backend.extensions import db
from backend.hazards.models import Hazard
from backend.inspections.models import Check
from backend.notices.models import Notice
from backend.org.models import Enterprise
from backend.sync.entities import LOADERS
from tests.conftest import auth

OPEN = {"reported", "rectifying", "rectification_submitted"}
FACTS = ("hazards_open", "hazards_overdue", "major_hazards_open", "devices_overdue_share")


@dataclass
class Counts:
    open: int = 0
    overdue: int = 0
    major_open: int = 0
    overdue_devices: int = 0
    in_use_devices: int = 0

    def facts(self) -> dict[str, int]:
        """As the credit page states them (the device share per mille, rounded down)."""
        share = self.overdue_devices * 1000 // self.in_use_devices if self.in_use_devices else 0
        return {
            "hazards_open": self.open,
            "hazards_overdue": self.overdue,
            "major_hazards_open": self.major_open,
            "devices_overdue_share": share,
        }


@pytest.fixture
def demo(app):
    load_demo()
    db.session.commit()


def _headers(username: str) -> dict:
    return auth(db.session.scalars(select(User).where(User.username == username)).one())


def _pull_all(client, headers: dict) -> dict[str, dict[str, dict]]:
    """The phone's copy after its first sync: entity → id → record."""
    copy: dict[str, dict[str, dict]] = defaultdict(dict)
    cursor = None
    while True:
        page = client.get(
            "/api/sync/pull", query_string={"cursor": cursor} if cursor else {}, headers=headers
        ).json
        for change in page["changes"]:
            if change["deleted"]:
                copy[change["entity"]].pop(change["id"], None)
            else:
                copy[change["entity"]][change["id"]] = change["data"]
        cursor = page["cursor"]
        if not page["more"]:
            return copy


def _phone_counts(
    copy: dict[str, dict[str, dict]], enterprise_id: int | None = None, graded_only: bool = False
) -> Counts:
    """homeCounts (or, for one enterprise, its page) over the synced copy; `graded_only`: the hazards
    its credit grade counts (a peer's mutual-check finding waits for a regulator's confirmation)."""
    counts = Counts()
    for h in copy["hazard"].values():
        if graded_only and not h["confirmed"]:
            continue
        if enterprise_id is None or h["enterprise_id"] == enterprise_id:
            is_open = h["status"] in OPEN
            counts.open += is_open
            counts.overdue += h["is_overdue"] and h["status"] != "verified_closed"
            counts.major_open += is_open and h["severity"] == "major"
    for d in copy["device"].values():
        if enterprise_id is None or d["enterprise_id"] == enterprise_id:
            counts.overdue_devices += d["inspection_state"] == "overdue"
            counts.in_use_devices += d["status"] == "in_use"
    return counts


def _total(client, headers: dict, path: str, **query) -> int:
    return client.get(path, query_string={"per_page": 1, **query}, headers=headers).json["total"]


def _listed(client, headers: dict) -> Counts:
    """The hazard and device lists' own filters (the online lists and exports)."""
    return Counts(
        open=_total(client, headers, "/api/hazards", open="true"),
        overdue=_total(client, headers, "/api/hazards", overdue="true"),
        major_open=_total(client, headers, "/api/hazards", open="true", severity="major"),
        overdue_devices=_total(client, headers, "/api/devices", overdue="true"),
        in_use_devices=_total(client, headers, "/api/devices", status="in_use"),
    )


def _figures(report: dict) -> tuple[int, int, int]:
    return report["hazards"]["open"], report["hazards"]["overdue"], report["devices"]["overdue_inspections"]


def _credit_facts(client, headers: dict, enterprise_id: int) -> dict[str, int]:
    page = client.get(f"/api/credit/enterprises/{enterprise_id}", headers=headers).json
    values = {i["indicator"]: i["value"] for g in page["groups"] for i in g["indicators"]}
    return {name: values[name] for name in FACTS}


@pytest.mark.parametrize("username", ["admin", "inspector1", "manager1"])
def test_every_screen_counts_the_same_in_each_scope(client, demo, username):
    headers = _headers(username)
    copy = _pull_all(client, headers)
    home = _phone_counts(copy)
    assert home.open and home.overdue and home.overdue_devices  # the demo has some of each

    assert _listed(client, headers) == home

    if username != "manager1":  # the regulators' figures
        dashboard = client.get("/api/reports/dashboard", headers=headers).json
        month = client.get(
            "/api/reports/monthly", query_string={"month": today().strftime("%Y-%m")}, headers=headers
        ).json
        expected = (home.open, home.overdue, home.overdue_devices)
        assert _figures(dashboard) == expected
        assert _figures(month) == expected
        attention = client.get("/api/devices/attention", headers=headers).json
        assert sum(z["overdue"] for z in attention["zones"]) == home.overdue_devices

    # each enterprise's page (from the synced copy) and its credit page state the same facts
    enterprises = sorted(int(i) for i in copy["enterprise"])
    assert enterprises
    for enterprise_id in enterprises:
        graded = _phone_counts(copy, enterprise_id, graded_only=True)
        assert _credit_facts(client, headers, enterprise_id) == graded.facts()


def test_manager_pulls_every_open_hazard_of_his_enterprise(client, demo):
    headers = _headers("manager1")
    copy = _pull_all(client, headers)
    stored = set(
        db.session.scalars(select(Hazard.id).where(Hazard.enterprise_id == 1, Hazard.status.in_(OPEN)))
    )
    pulled = {i for i, h in copy["hazard"].items() if h["status"] in OPEN}
    assert pulled == stored
    facts = _credit_facts(client, headers, 1)
    assert len(pulled) == facts["hazards_open"] > 1
    assert sum(h["is_overdue"] for h in copy["hazard"].values()) == facts["hazards_overdue"] > 0


#: synced kinds the demo city has no rows of (notices are issued in the app)
DEMO_MAKES_NONE = {"notice"}
MODELS = {"device": Device, "hazard": Hazard, "enterprise": Enterprise, "check": Check, "notice": Notice}


def test_the_demo_puts_every_record_the_phone_syncs_in_the_change_feed(demo):
    assert set(MODELS) == set(LOADERS)
    for entity, model in MODELS.items():
        stored = {str(i) for i in db.session.scalars(select(model.id))}
        fed = set(db.session.scalars(select(Change.entity_id).where(Change.entity == entity)))
        assert fed == stored, entity
        assert stored or entity in DEMO_MAKES_NONE, entity


def test_the_demo_ranking_rests_on_entrapments_and_faults_of_different_companies(client, demo):
    ranking = client.get("/api/maintenance/companies/ranking", headers=_headers("admin")).json
    trapped = [row["company"] for row in ranking if row["entrapments_per_100"] > 0]
    broken = [row["company"] for row in ranking if row["faults_per_100"] > 0]
    assert len(trapped) == 1 and len(broken) == 1 and trapped != broken
