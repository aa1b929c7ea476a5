"""Escalation notices (三书一函) over HTTP: issue, escalation rules, scope, numbering, PDF."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from backend.core.changes import Change
from backend.core.clock import today, utcnow
from backend.evidence.models import EvidenceEntry
from backend.evidence.services import verify_chain
from backend.extensions import db
from backend.hazards.models import Hazard
from backend.hazards.services import hazard_evidence_problem
from backend.notices import services
from backend.notices.models import Notice
from backend.notices.rules import chinese_date
from tests.conftest import auth
from tests.factories import new_id

KINDS = ("listed_supervision", "interview", "rectification", "reminder")
ESCALATIONS = ("listed_supervision", "interview", "reminder")


@pytest.fixture
def app(fast_app):
    return fast_app


def report(
    client,
    user,
    *,
    device=None,
    enterprise=None,
    severity="general",
    category="电梯",
    description="轿厢照明不亮",
) -> str:
    hazard_id = new_id()
    body = {"id": hazard_id, "category": category, "severity": severity, "description": description}
    body |= {"device_id": device.id} if device else {"enterprise_id": enterprise.id}
    response = client.post("/api/hazards", json=body, headers=auth(user))
    assert response.status_code == 201, response.json
    return hazard_id


def set_hazard(hazard_id: str, **values) -> None:
    db.session.execute(update(Hazard).where(Hazard.id == hazard_id).values(**values))
    db.session.commit()


def overdue(hazard_id: str, days: int = 1) -> str:
    set_hazard(hazard_id, deadline=today() - timedelta(days=days))
    return hazard_id


def issue(client, user, kind, enterprise, hazard_ids, *, deadline=None, **extra):
    body = {
        "kind": kind,
        "enterprise_id": enterprise.id,
        "hazard_ids": hazard_ids,
        "deadline": (deadline or today() + timedelta(days=10)).isoformat(),
    } | extra
    return client.post("/api/notices", json=body, headers=auth(user))


def issue_as_suggested(client, user, suggestion: dict):
    """Issue with the issue form's defaults as they are (GET /api/notices/suggestion)."""
    body = {
        "kind": suggestion["kind"],
        "enterprise_id": suggestion["enterprise_id"],
        "hazard_ids": [h["id"] for h in suggestion["hazards"]],
        "deadline": suggestion["deadline"],
    }
    return client.post("/api/notices", json=body, headers=auth(user))


def major_overdue(client, city, **kwargs) -> str:
    return overdue(report(client, city.manager, device=city.dev_a, severity="major", **kwargs))


# --- issuing ------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_inspector_issues_each_kind_for_an_overdue_major_hazard(client, city, kind):
    hazard_id = major_overdue(client, city)
    response = issue(client, city.inspector, kind, city.ent_a, [hazard_id], remarks="请按期整改")
    assert response.status_code == 201, response.json
    notice = response.json
    assert notice["kind"] == kind
    assert notice["enterprise_name"] == city.ent_a.name
    assert notice["zone_name"] == city.zone.name
    assert notice["issued_on"] == today().isoformat()
    assert notice["remarks"] == "请按期整改"
    assert [h["hazard_id"] for h in notice["hazards"]] == [hazard_id]
    assert notice["hazards"][0]["hazard_deadline"] == (today() - timedelta(days=1)).isoformat()
    assert notice["number"].startswith(f"特监〔{today().year}〕")
    assert notice["pdf_url"] == f"/api/notices/{notice['id']}.pdf"


def test_issuing_logs_notice_on_the_hazard_without_changing_its_status(client, city):
    hazard_id = major_overdue(client, city)
    before = db.session.scalar(select(Change.seq).where(Change.entity_id == hazard_id))
    notice = issue(client, city.inspector, "reminder", city.ent_a, [hazard_id]).json
    hazard = client.get(f"/api/hazards/{hazard_id}", headers=auth(city.manager)).json
    event = hazard["events"][-1]
    assert event["action"] == "notice_issued"
    assert event["from_status"] == event["to_status"] == hazard["status"] == "reported"
    assert event["note"] == f"{notice['number']} 提醒敦促函"
    assert db.session.scalar(select(Change.seq).where(Change.entity_id == hazard_id)) > before


def test_issuing_appends_evidence_without_personal_data_and_chain_verifies(client, city):
    # hazards untouched behind the API's back, so the hazard entries verify too
    first = report(client, city.manager, device=city.dev_a)
    second = report(client, city.manager, device=city.dev_a, severity="major")
    notice = issue(client, city.admin, "rectification", city.ent_a, [second, first]).json
    entry = db.session.scalar(select(EvidenceEntry).where(EvidenceEntry.kind == "notice.issue"))
    assert entry.ref == str(notice["id"])
    assert city.admin.display_name not in entry.body
    assert sorted([first, second])[0] in entry.body
    report_ = verify_chain({"hazard.": hazard_evidence_problem, "notice.": services.notice_evidence_problem})
    assert report_.ok, report_.problem


def test_evidence_check_names_a_notice_edited_in_the_database(client, city):
    notice = issue(client, city.admin, "reminder", city.ent_a, [major_overdue(client, city)]).json
    db.session.execute(update(Notice).values(deadline=today() + timedelta(days=90)))
    db.session.commit()
    report_ = verify_chain({"notice.": services.notice_evidence_problem})
    assert not report_.ok
    assert report_.problem == f"notice {notice['id']} was altered"


def test_hazards_are_listed_in_the_given_order_once(client, city):
    a, b = major_overdue(client, city), major_overdue(client, city)
    response = issue(client, city.inspector, "reminder", city.ent_a, [b, a, b])
    assert [(h["position"], h["hazard_id"]) for h in response.json["hazards"]] == [(1, b), (2, a)]


# --- escalation rules ------------------------------------------------------------


@pytest.mark.parametrize("kind", ESCALATIONS)
def test_escalation_refuses_hazard_neither_overdue_nor_repeated(client, city, kind):
    hazard_id = report(client, city.manager, device=city.dev_a, severity="major")
    response = issue(client, city.inspector, kind, city.ent_a, [hazard_id])
    assert response.status_code == 422
    assert response.json["error"]["code"] == "escalation_not_allowed"
    assert "hazard_ids" in response.json["error"]["details"]["fields"]


def test_rectification_notice_needs_no_overdue_hazard(client, city):
    hazard_id = report(client, city.manager, device=city.dev_a)
    assert issue(client, city.inspector, "rectification", city.ent_a, [hazard_id]).status_code == 201


def test_hazard_due_today_is_not_overdue(client, city):
    hazard_id = report(client, city.manager, device=city.dev_a)
    set_hazard(hazard_id, deadline=today())
    assert issue(client, city.inspector, "reminder", city.ent_a, [hazard_id]).status_code == 422
    overdue(hazard_id)
    assert issue(client, city.inspector, "reminder", city.ent_a, [hazard_id]).status_code == 201


def test_second_hazard_on_the_same_device_is_repeated(client, city):
    first = report(client, city.manager, device=city.dev_a)
    second = report(client, city.manager, device=city.dev_a, category="安全附件")
    assert issue(client, city.inspector, "interview", city.ent_a, [first]).status_code == 422
    assert issue(client, city.inspector, "interview", city.ent_a, [second]).status_code == 201


def test_hazard_on_another_device_is_not_repeated(client, city):
    from tests.factories import make_device

    report(client, city.manager, device=city.dev_a)
    other = make_device(city.ent_a)
    db.session.commit()
    hazard_id = report(client, city.manager, device=other)
    assert issue(client, city.inspector, "interview", city.ent_a, [hazard_id]).status_code == 422


def test_without_a_device_the_same_category_is_repeated(client, city):
    first = report(client, city.manager, enterprise=city.ent_a, category="消防通道")
    other = report(client, city.manager, enterprise=city.ent_a, category="安全标识")
    again = report(client, city.manager, enterprise=city.ent_a, category="消防通道")
    assert issue(client, city.inspector, "interview", city.ent_a, [other]).status_code == 422
    assert issue(client, city.inspector, "interview", city.ent_a, [again]).status_code == 201
    assert issue(client, city.inspector, "interview", city.ent_a, [first]).status_code == 422


@pytest.mark.parametrize(
    ("days_before", "status"), [(364, 201), (366, 422)], ids=["within-a-year", "over-a-year"]
)
def test_repeat_window_is_365_days(client, city, days_before, status):
    earlier = report(client, city.manager, device=city.dev_a)
    set_hazard(earlier, created_at=utcnow() - timedelta(days=days_before))
    later = report(client, city.manager, device=city.dev_a)
    assert issue(client, city.inspector, "interview", city.ent_a, [later]).status_code == status


def test_listed_supervision_needs_a_major_hazard(client, city):
    general = overdue(report(client, city.manager, device=city.dev_a))
    response = issue(client, city.inspector, "listed_supervision", city.ent_a, [general])
    assert response.status_code == 422
    assert "重大隐患" in response.json["error"]["message"]
    major = major_overdue(client, city)
    ok = issue(client, city.inspector, "listed_supervision", city.ent_a, [general, major])
    assert ok.status_code == 201


@pytest.mark.parametrize("kind", KINDS)
def test_closed_hazard_cannot_be_listed(client, city, kind):
    hazard_id = major_overdue(client, city)
    set_hazard(hazard_id, status="verified_closed")
    response = issue(client, city.inspector, kind, city.ent_a, [hazard_id])
    assert response.status_code == 422
    assert "已复查销号" in response.json["error"]["message"]


def test_hazard_of_another_enterprise_is_422(client, city):
    own = major_overdue(client, city)
    foreign = report(client, city.inspector, device=city.dev_c)
    response = issue(client, city.inspector, "rectification", city.ent_a, [own, foreign])
    assert response.status_code == 422
    assert foreign in response.json["error"]["details"]["fields"]["hazard_ids"][0]


def test_unknown_hazard_id_is_422(client, city):
    response = issue(client, city.inspector, "rectification", city.ent_a, [new_id()])
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "warning"}, "kind"),
        ({"hazard_ids": []}, "hazard_ids"),
        ({"hazard_ids": ["not-a-uuid"]}, "hazard_ids"),
        ({"deadline": (today() - timedelta(days=1)).isoformat()}, "deadline"),
        ({"deadline": "today"}, "deadline"),
        ({"remarks": "很" * 1001}, "remarks"),
        ({"remarks": "一号\x00楼"}, "remarks"),
        ({"enterprise_id": None}, "enterprise_id"),
        ({"enterprise_id": 2**70}, "enterprise_id"),
        ({"hazard_ids": [new_id() for _ in range(51)]}, "hazard_ids"),
    ],
    ids=[
        "unknown-kind",
        "no-hazards",
        "bad-hazard-id",
        "deadline-past",
        "deadline-garbage",
        "huge-remarks",
        "nul-in-remarks",
        "no-enterprise",
        "huge-enterprise-id",
        "too-many-hazards",
    ],
)
def test_bad_input_is_422_on_the_field(client, city, change, field):
    body = {
        "kind": "rectification",
        "enterprise_id": city.ent_a.id,
        "hazard_ids": [report(client, city.manager, device=city.dev_a)],
        "deadline": (today() + timedelta(days=10)).isoformat(),
    } | change
    response = client.post("/api/notices", json=body, headers=auth(city.inspector))
    assert response.status_code == 422, response.json
    assert field in response.json["error"]["details"]["fields"]


def test_deadline_must_be_after_today(client, city):
    hazard_id = report(client, city.manager, device=city.dev_a)
    response = issue(client, city.inspector, "rectification", city.ent_a, [hazard_id], deadline=today())
    assert response.status_code == 422
    assert "deadline" in response.json["error"]["details"]["fields"]


# --- roles and scope ------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 201),
        ("inspector", 201),
        ("other_inspector", 404),
        ("manager", 403),
        ("supervisor", 403),
        ("manager_x", 403),
    ],
)
def test_who_may_issue(client, city, who, status):
    hazard_id = major_overdue(client, city)
    response = issue(client, getattr(city, who), "rectification", city.ent_a, [hazard_id])
    assert response.status_code == status
    issued = db.session.scalars(select(Notice.id)).all()
    assert issued == ([response.json["id"]] if status == 201 else [])


def test_issue_without_token_is_401(client, city):
    response = client.post("/api/notices", json={})
    assert response.status_code == 401


def test_manager_reads_and_prints_own_enterprises_notice(client, city):
    notice = issue(
        client, city.inspector, "rectification", city.ent_a, [report(client, city.manager, device=city.dev_a)]
    ).json
    listed = client.get("/api/notices", headers=auth(city.manager)).json
    assert [n["id"] for n in listed["items"]] == [notice["id"]]
    one = client.get(f"/api/notices/{notice['id']}", headers=auth(city.manager))
    assert one.status_code == 200
    assert one.json["number"] == notice["number"]
    pdf = client.get(f"/api/notices/{notice['id']}.pdf", headers=auth(city.manager))
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"].startswith("inline;")
    assert pdf.data.startswith(b"%PDF")


@pytest.mark.parametrize("who", ["manager_x", "other_inspector", "supervisor"])
def test_notice_outside_scope_is_404(client, city, who):
    notice = issue(
        client, city.inspector, "rectification", city.ent_a, [report(client, city.manager, device=city.dev_a)]
    ).json
    user = getattr(city, who)
    assert client.get(f"/api/notices/{notice['id']}", headers=auth(user)).status_code == 404
    assert client.get(f"/api/notices/{notice['id']}.pdf", headers=auth(user)).status_code == 404
    assert client.get("/api/notices", headers=auth(user)).json["total"] == 0


def test_block_supervisor_reads_own_enterprises_notice_but_not_a_peers(client, city):
    """Mutual checks open the peers' hazards, not the regulator's documents to them."""
    own = issue(
        client,
        city.inspector,
        "rectification",
        city.ent_b,
        [report(client, city.inspector, device=city.dev_b)],
    ).json
    issue(
        client, city.inspector, "rectification", city.ent_a, [report(client, city.manager, device=city.dev_a)]
    )
    listed = client.get("/api/notices", headers=auth(city.supervisor)).json
    assert [n["id"] for n in listed["items"]] == [own["id"]]


def test_list_filters_by_kind_and_enterprise(client, city):
    a = report(client, city.manager, device=city.dev_a)
    c = report(client, city.inspector, device=city.dev_c)
    issue(client, city.inspector, "rectification", city.ent_a, [a])
    issue(client, city.inspector, "rectification", city.ent_c, [c])
    issue(client, city.inspector, "reminder", city.ent_a, [overdue(a)])
    headers = auth(city.inspector)
    assert client.get("/api/notices", headers=headers).json["total"] == 3
    by_kind = client.get("/api/notices?kind=reminder", headers=headers).json
    assert [n["kind"] for n in by_kind["items"]] == ["reminder"]
    by_enterprise = client.get(f"/api/notices?enterprise_id={city.ent_c.id}", headers=headers).json
    assert [n["enterprise_id"] for n in by_enterprise["items"]] == [city.ent_c.id]
    assert client.get("/api/notices?kind=warning", headers=headers).status_code == 422


@pytest.mark.parametrize(
    "path",
    ["/api/notices/99999999999999999999999", "/api/notices/99999999999999999999999.pdf"],
    ids=["notice", "pdf"],
)
def test_notice_with_huge_id_is_404(client, city, path):
    response = client.get(path, headers=auth(city.admin))
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_list_filter_with_huge_enterprise_id_is_422(client, city):
    response = client.get("/api/notices?enterprise_id=99999999999999999999999", headers=auth(city.admin))
    assert response.status_code == 422


# --- numbering ------------------------------------------------------------------


def test_numbers_count_per_kind_within_the_year(client, city):
    hazard_id = major_overdue(client, city)
    year = today().year
    numbers = [
        issue(client, city.inspector, kind, city.ent_a, [hazard_id]).json["number"]
        for kind in ("rectification", "rectification", "reminder", "rectification")
    ]
    assert numbers == [
        f"特监〔{year}〕整改第0001号",
        f"特监〔{year}〕整改第0002号",
        f"特监〔{year}〕提醒第0001号",
        f"特监〔{year}〕整改第0003号",
    ]


def test_numbering_restarts_each_year(client, city):
    hazard_id = major_overdue(client, city)
    last_year = today().year - 1
    db.session.add(
        Notice(
            number=f"特监〔{last_year}〕整改第0007号",
            seq=7,
            kind="rectification",
            enterprise_id=city.ent_a.id,
            zone_id=city.zone.id,
            issued_by_id=city.inspector.id,
            issued_on=date(last_year, 12, 31),
            deadline=date(last_year + 1, 1, 15),
        )
    )
    db.session.commit()
    response = issue(client, city.inspector, "rectification", city.ent_a, [hazard_id])
    assert response.json["number"] == f"特监〔{today().year}〕整改第0001号"


def test_number_taken_by_a_concurrent_issuer_is_409(client, city, monkeypatch):
    hazard_id = major_overdue(client, city)
    issue(client, city.inspector, "rectification", city.ent_a, [hazard_id])
    monkeypatch.setattr(services, "_next_seq", lambda kind, year: 1)
    response = issue(client, city.inspector, "rectification", city.ent_a, [hazard_id])
    assert response.status_code == 409
    assert response.json["error"]["code"] == "notice_number_taken"
    assert db.session.scalar(select(Notice.id).where(Notice.seq == 1)) is not None
    events = client.get(f"/api/hazards/{hazard_id}", headers=auth(city.manager)).json["events"]
    assert [e["action"] for e in events].count("notice_issued") == 1


# --- PDF --------------------------------------------------------------------------


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "notice.pdf"
    path.write_bytes(data)
    # fixed argv of a local tool on our own file
    out = subprocess.run(  # noqa: S603
        [shutil.which("pdftotext"), "-raw", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    return "".join(out.split())


@pytest.mark.parametrize(
    ("kind", "title", "phrase"),
    [
        ("rectification", "整改通知书", "现责令你单位于"),
        ("reminder", "提醒敦促函", "现函告提醒"),
        ("interview", "约谈通知书", "我局决定对你单位进行约谈"),
        ("listed_supervision", "挂牌督办通知书", "实行挂牌督办"),
    ],
)
def test_pdf_shows_number_addressee_hazards_and_deadline(client, city, tmp_path, kind, title, phrase):
    long_text = "压力表表盘破损且指针卡滞，安全阀铅封缺失，" * 6 + "末尾标记"
    first = major_overdue(client, city, description=long_text)
    second = overdue(report(client, city.manager, device=city.dev_a, description="门锁回路短接"))
    deadline = today() + timedelta(days=20)
    notice = issue(
        client,
        city.inspector,
        kind,
        city.ent_a,
        [first, second],
        deadline=deadline,
        remarks="请于整改完成后三日内报送整改报告及照片。",
    ).json
    response = client.get(f"/api/notices/{notice['id']}.pdf", headers=auth(city.manager))
    text = pdf_text(response.data, tmp_path)
    for expected in (
        title,
        notice["number"],
        city.ent_a.name,
        city.ent_a.credit_code,
        phrase,
        "".join(long_text.split()),
        "门锁回路短接",
        chinese_date(deadline),
        city.zone.name,
        city.dev_a.registration_no,
        "重大",
        "一般",
        "请于整改完成后三日内报送整改报告及照片。",
    ):
        assert expected in text, expected


def test_pdf_with_many_hazards_runs_onto_more_pages(client, city, tmp_path):
    ids = [
        overdue(report(client, city.manager, device=city.dev_a, description=f"隐患描述第{n}条" * 4))
        for n in range(30)
    ]
    notice = issue(client, city.inspector, "reminder", city.ent_a, ids).json
    data = client.get(f"/api/notices/{notice['id']}.pdf", headers=auth(city.inspector)).data
    text = pdf_text(data, tmp_path)
    assert "隐患描述第29条" in text
    assert "第2页" in text
