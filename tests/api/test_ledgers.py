"""Ledgers in and out (API.md): the import template, Chinese values in the import (all rows or
none), list downloads with the list's filters and the caller's scope, and search in Chinese."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from backend.complaints.models import Complaint
from backend.core.clock import today
from backend.devices.models import Device
from backend.extensions import db
from tests import factories as f
from tests.conftest import auth


@pytest.fixture
def app(fast_app):
    return fast_app


def _sheet(answer, index: int = 0):
    assert answer.status_code == 200, answer.data[:300]
    assert "filename*=UTF-8''" in answer.headers["Content-Disposition"]
    return load_workbook(io.BytesIO(answer.data)).worksheets[index]


def _column(sheet, heading: str) -> list:
    headings = [c.value for c in sheet[1]]
    index = headings.index(heading)
    return [row[index] for row in sheet.iter_rows(min_row=2, values_only=True)]


# --- ledgers in ---------------------------------------------------------------------------------


def test_template_has_chinese_headings_an_example_and_the_allowed_values(client, city):
    answer = client.get("/api/devices/import/template.xlsx", headers=auth(city.manager))
    ledger = _sheet(answer)
    headings = [c.value for c in ledger[1]]
    assert headings[:5] == ["统一社会信用代码", "企业名称", "辖区代码", "设备类别", "使用登记证编号"]
    assert _column(ledger, "设备类别") == ["电梯"]
    guide = _sheet(answer, 1)
    allowed = {row[0]: row[2] for row in guide.iter_rows(min_row=2, values_only=True) if row[0]}
    assert "起重机械" in allowed["设备类别"] and "电梯" in allowed["设备类别"]
    assert "在用" in allowed["状态"] and "报废" in allowed["状态"]
    assert "2027年3月1日" in allowed["下次检验日期"]


def test_template_is_for_those_who_import(client, city):
    assert client.get("/api/devices/import/template.xlsx", headers=auth(city.supervisor)).status_code == 403


HEADINGS = ["统一社会信用代码", "设备类别", "使用登记证编号", "状态", "下次检验日期", "重点监控"]


def _xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    book.active.append(HEADINGS)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _csv(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADINGS, *rows])
    return buffer.getvalue().encode("utf-8")


def _import(client, user, data: bytes, filename: str, dry_run: bool = False):
    form = {"file": (io.BytesIO(data), filename)}
    query = "?dry_run=true" if dry_run else ""
    return client.post(
        f"/api/devices/import{query}", data=form, content_type="multipart/form-data", headers=auth(user)
    )


def _devices(prefix: str) -> dict[str, Device]:
    db.session.expire_all()
    found = db.session.scalars(select(Device).where(Device.registration_no.startswith(prefix)))
    return {d.registration_no: d for d in found}


def test_import_reads_chinese_categories_statuses_yes_no_and_dates(client, city):
    code = city.ent_a.credit_code
    rows = [
        [code, "电梯", "梯中文0001", "在用", "2027-03-01", "是"],
        [code, "起重机械", "梯中文0002", "停用", "2027/03/01", "否"],
        [code, "压力容器", "梯中文0003", "报废", "2027年3月1日", ""],
    ]
    answer = _import(client, city.manager, _csv(rows), "台账.csv")
    assert answer.status_code == 200, answer.json
    devices = _devices("梯中文")
    assert [(d.category, d.status, d.next_inspection_due, d.key_monitored) for d in devices.values()] == [
        ("elevator", "in_use", date(2027, 3, 1), True),
        ("crane", "idle", date(2027, 3, 1), False),
        ("pressure_vessel", "scrapped", date(2027, 3, 1), False),
    ]


def test_one_bad_row_imports_nothing_and_says_why_in_chinese(client, city):
    code = city.ent_a.credit_code
    rows = [
        [code, "电梯", "梯全无0001", "在用", "2027年3月1日", "是"],
        [code, "飞机", "梯全无0002", "在修", "2027年2月30日", "也许"],
    ]
    for dry_run in (True, False):
        answer = _import(client, city.manager, _xlsx(rows), "台账.xlsx", dry_run=dry_run)
        assert answer.status_code == 422, answer.json
        [report] = answer.json["error"]["details"]["rows"]
        assert report["row"] == 3
        fields = report["fields"]
        assert set(fields) == {"category", "status", "next_inspection_due", "key_monitored"}
        assert "电梯" in fields["category"][0] and "在用" in fields["status"][0]
    assert _devices("梯全无") == {}


def test_dry_run_checks_without_saving(client, city):
    rows = [[city.ent_a.credit_code, "电梯", "梯预览0001", "在用", "2027/03/01", "否"]]
    answer = _import(client, city.manager, _xlsx(rows), "台账.xlsx", dry_run=True)
    assert answer.status_code == 200, answer.json
    assert answer.json["rows"] == 1 and answer.json["dry_run"] is True
    assert _devices("梯预览") == {}


# --- ledgers out --------------------------------------------------------------------------------


def test_devices_xlsx_follows_the_list_filters_and_scope(client, city):
    f.make_device(city.ent_a, category="crane", registration_no="起出0001", name="桥式起重机")
    db.session.commit()
    mine = _sheet(client.get("/api/devices.xlsx", headers=auth(city.manager)))
    assert [c.value for c in mine[1]][:3] == ["使用登记证编号", "设备类别", "设备名称"]
    assert set(_column(mine, "使用登记证编号")) == {city.dev_a.registration_no, "起出0001"}
    cranes = _sheet(client.get("/api/devices.xlsx?category=crane", headers=auth(city.manager)))
    assert _column(cranes, "使用登记证编号") == ["起出0001"]
    assert _column(cranes, "设备类别") == ["起重机械"]
    zone = _sheet(client.get("/api/devices.xlsx", headers=auth(city.inspector)))
    assert city.dev_x.registration_no not in _column(zone, "使用登记证编号")
    assert city.dev_c.registration_no in _column(zone, "使用登记证编号")


def test_hazards_xlsx_follows_the_list_filters_and_scope(client, city):
    f.make_hazard(city.ent_a, city.manager, description="安全钳动作异常", severity="major")
    f.make_hazard(city.ent_a, city.manager, description="轿厢照明不足")
    f.make_hazard(city.ent_x, city.manager_x, description="别区的隐患")
    db.session.commit()
    everything = _sheet(client.get("/api/hazards.xlsx", headers=auth(city.manager)))
    assert sorted(_column(everything, "隐患描述")) == ["安全钳动作异常", "轿厢照明不足"]
    major = _sheet(client.get("/api/hazards.xlsx?severity=major", headers=auth(city.manager)))
    assert _column(major, "隐患描述") == ["安全钳动作异常"]
    assert _column(major, "隐患等级") == ["重大隐患"]


def test_checks_xlsx_has_chinese_headings_and_is_scoped(client, city):
    answer = client.get("/api/checks.xlsx?kind=self_check", headers=auth(city.manager))
    sheet = _sheet(answer)
    assert [c.value for c in sheet[1]][:3] == ["检查日期", "检查类型", "企业名称"]
    assert client.get("/api/checks.xlsx?kind=nonsense", headers=auth(city.manager)).status_code == 422


# --- search in Chinese --------------------------------------------------------------------------


def _found(client, user, path: str) -> set:
    answer = client.get(path, headers=auth(user))
    assert answer.status_code == 200, answer.json
    return {item["id"] for item in answer.json["items"]}


def test_device_search_finds_the_category_in_chinese_within_scope(client, city):
    boiler = f.make_device(city.ent_c, category="boiler", registration_no="锅搜0001", name="蒸汽")
    db.session.commit()
    elevators = _found(client, city.inspector, "/api/devices?q=电梯")
    assert elevators == {city.dev_a.id, city.dev_b.id, city.dev_c.id}  # not dev_x: another zone
    assert _found(client, city.inspector, "/api/devices?q=锅炉") == {boiler.id}
    assert _found(client, city.manager, "/api/devices?q=电梯") == {city.dev_a.id}


def test_device_search_finds_names_addresses_and_enterprises(client, city):
    city.ent_c.address = "滨江路88号"
    passenger = f.make_device(city.ent_c, name="3号客梯", location="南塔")
    freight = f.make_device(city.ent_c, name="货梯", location="北塔")
    db.session.commit()
    assert passenger.id in _found(client, city.inspector, "/api/devices?q=3号客梯")
    assert freight.id not in _found(client, city.inspector, "/api/devices?q=客梯")
    assert _found(client, city.inspector, "/api/devices?q=南塔") == {passenger.id}
    assert _found(client, city.inspector, "/api/devices?q=滨江路") == {
        city.dev_c.id,
        passenger.id,
        freight.id,
    }
    named = _found(client, city.inspector, f"/api/devices?q={city.ent_b.name}")
    assert named == {city.dev_b.id}
    assert _found(client, city.other_inspector, "/api/devices?q=滨江路") == set()


def test_hazard_search_by_words_device_category_and_scope(client, city):
    brake = f.make_hazard(city.ent_a, city.manager, description="制动器磨损", category="其他")
    on_device = f.make_hazard(
        city.ent_c, city.inspector, description="护栏松动", category="其他", device_id=city.dev_c.id
    )
    far = f.make_hazard(city.ent_x, city.manager_x, description="制动器磨损", category="其他")
    db.session.commit()
    assert _found(client, city.inspector, "/api/hazards?q=制动器") == {brake.id}
    assert on_device.id in _found(client, city.inspector, "/api/hazards?q=电梯")
    assert far.id not in _found(client, city.admin, "/api/hazards?q=护栏")


def _complaint(device: Device, description: str) -> Complaint:
    seq = (db.session.scalar(select(func.count()).select_from(Complaint)) or 0) + 1
    complaint = Complaint(
        ticket_no=f"TS{today():%Y%m%d}-{seq:04d}",
        day=today(),
        seq=seq,
        tracking_hash="0" * 64,
        device_id=device.id,
        enterprise_id=device.enterprise_id,
        category="abnormal_operation",
        description=description,
    )
    db.session.add(complaint)
    db.session.flush()
    return complaint


def test_complaint_search_by_words_device_and_scope(client, city):
    shaking = _complaint(city.dev_a, "运行时抖动厉害")
    trapped = _complaint(city.dev_c, "困人半小时")
    far = _complaint(city.dev_x, "运行时抖动")
    db.session.commit()
    assert _found(client, city.inspector, "/api/complaints?q=抖动") == {shaking.id}
    assert _found(client, city.inspector, "/api/complaints?q=电梯") == {shaking.id, trapped.id}
    assert far.id in _found(client, city.other_inspector, "/api/complaints?q=抖动")
    assert _found(client, city.inspector, f"/api/complaints?q={city.dev_c.registration_no}") == {trapped.id}


def test_complaint_search_finds_the_words_as_written_not_rows_holding_their_pairs(client, city):
    """'000002' and '000020' hold the same pairs (00, 02)."""
    city.dev_a.name = "泵房000020"
    written = _complaint(city.dev_c, "3号机000002异响")
    decoy = _complaint(city.dev_c, "3号机000020异响")
    decoy_device = _complaint(city.dev_a, "异响")
    db.session.commit()
    assert _found(client, city.inspector, "/api/complaints?q=000002") == {written.id}
    assert {decoy.id, decoy_device.id} <= _found(client, city.inspector, "/api/complaints?q=000020")


def test_hazard_and_device_search_treat_wildcards_literally(client, city):
    f.make_hazard(city.ent_a, city.manager, description="100%故障")
    db.session.commit()
    assert _found(client, city.admin, "/api/hazards?q=%25") != set()
    assert _found(client, city.admin, "/api/hazards?q=_") == set()
    assert _found(client, city.admin, "/api/devices?q=%25") == set()
