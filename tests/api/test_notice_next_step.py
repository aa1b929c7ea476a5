"""An overdue notice's next step (seed 004: 提醒敦促函 → 整改通知书 → 约谈 → 挂牌督办): the issue
form opened from the notice proposes the next kind for the hazards the notice cited that are
still open, and those defaults are accepted as they are."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.core.clock import today
from backend.extensions import db
from backend.hazards.models import Hazard
from backend.notices.models import Notice
from tests.api.test_notices import issue, issue_as_suggested, report
from tests.conftest import auth


@pytest.fixture
def app(fast_app):
    return fast_app


def _overdue_notice(client, city, hazard_ids: list[str], kind: str = "rectification") -> dict:
    res = issue(client, city.inspector, kind, city.ent_a, hazard_ids)
    assert res.status_code == 201, res.json
    notice = db.session.get(Notice, res.json["id"])
    notice.deadline = today() - timedelta(days=1)
    for item in notice.items:
        item.hazard.deadline = notice.deadline
    db.session.commit()
    return res.json


def _suggestion(client, user, notice_id: int):
    return client.get(f"/api/notices/suggestion?notice_id={notice_id}", headers=auth(user))


def test_the_next_step_of_an_overdue_notice_proposes_the_next_kind_for_its_hazards(client, city):
    cited = [report(client, city.manager, device=city.dev_a, description=f"隐患{n}") for n in range(2)]
    report(client, city.manager, device=city.dev_a, description="另一项未逾期的隐患")
    notice = _overdue_notice(client, city, cited)
    suggestion = _suggestion(client, city.inspector, notice["id"])
    assert suggestion.status_code == 200, suggestion.json
    assert suggestion.json["kind"] == "interview"  # 整改通知书 → 约谈
    assert sorted(h["id"] for h in suggestion.json["hazards"]) == sorted(cited)
    assert [n["id"] for n in suggestion.json["overdue_notices"]] == [notice["id"]]
    assert issue_as_suggested(client, city.inspector, suggestion.json).status_code == 201


def test_the_next_step_leaves_out_hazards_already_closed(client, city):
    cited = [report(client, city.manager, device=city.dev_a, description=f"隐患{n}") for n in range(2)]
    notice = _overdue_notice(client, city, cited)
    db.session.get(Hazard, cited[0]).status = "verified_closed"
    db.session.commit()
    hazards = _suggestion(client, city.inspector, notice["id"]).json["hazards"]
    assert [h["id"] for h in hazards] == [cited[1]]


def test_another_zones_notice_gives_no_suggestion(client, city):
    notice = _overdue_notice(client, city, [report(client, city.manager, device=city.dev_a)])
    assert _suggestion(client, city.other_inspector, notice["id"]).status_code == 404


def test_the_enterprise_cannot_ask_for_the_next_step(client, city):
    notice = _overdue_notice(client, city, [report(client, city.manager, device=city.dev_a)])
    assert _suggestion(client, city.manager, notice["id"]).status_code == 403
