"""The device ledger: scoped search and filters, writes, ledger import, QR labels."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
import zxingcpp
from openpyxl import Workbook
from PIL import Image
from sqlalchemy import event, func, select

from backend.core.clock import today
from backend.devices.models import Device
from backend.extensions import db
from backend.org.models import Enterprise
from tests import factories as f
from tests.conftest import auth


@pytest.fixture
def app(fast_app):
    return fast_app


def _list(client, user, query: str = ""):
    response = client.get(f"/api/devices?{query}", headers=auth(user))
    assert response.status_code == 200, response.json
    return response


def _ids(response) -> set[int]:
    return {item["id"] for item in response.json["items"]}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- list: scope, envelope, filters -------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "visible"),
    [
        ("admin", "abcx"),
        ("inspector", "abc"),
        ("other_inspector", "x"),
        ("manager", "a"),
        ("supervisor", "ab"),
        ("manager_x", "x"),
    ],
)
def test_device_list_is_limited_to_the_callers_scope(client, city, user, visible):
    expected = {getattr(city, f"dev_{letter}").id for letter in visible}
    assert _ids(_list(client, getattr(city, user))) == expected


def test_device_list_envelope_has_paging_fields(client, city):
    for _ in range(3):
        f.make_device(city.ent_a)
    db.session.commit()
    body = _list(client, city.admin, "per_page=2&page=2").json
    assert set(body) == {"items", "page", "per_page", "total", "total_exact"}
    assert (body["page"], body["per_page"], body["total"], body["total_exact"]) == (2, 2, 7, True)
    assert len(body["items"]) == 2


def test_device_list_pages_do_not_overlap(client, city):
    pages = [_ids(_list(client, city.admin, f"per_page=3&page={n}")) for n in (1, 2)]
    assert len(pages[0]) == 3 and len(pages[1]) == 1
    assert not pages[0] & pages[1]


def test_device_record_carries_qr_url_and_labels(client, city):
    item = _list(client, city.manager).json["items"][0]
    assert item["qr_url"] == f"https://tzsb.example.cn/q/{city.dev_a.qr_token}"
    assert item["category_label"] == "电梯"
    assert item["enterprise_name"] == city.ent_a.name
    assert item["inspection_state"] == "valid"
    assert item["open_hazards"] == 0


@pytest.fixture
def ledger(city) -> dict[str, int]:
    """Devices of ent_a, each matching some filters; `dev_a` is a plain elevator in use."""
    t = today()
    devices = {
        "boiler": f.make_device(city.ent_a, category="boiler"),
        "idle_364": f.make_device(city.ent_a, status="idle", idle_since=t - timedelta(days=364)),
        "idle_365": f.make_device(city.ent_a, status="idle", idle_since=t - timedelta(days=365)),
        "scrapped_past_due": f.make_device(
            city.ent_a, status="scrapped", next_inspection_due=t - timedelta(days=30)
        ),
        "overdue": f.make_device(city.ent_a, next_inspection_due=t - timedelta(days=1)),
        "due_today": f.make_device(city.ent_a, next_inspection_due=t),
        "key": f.make_device(city.ent_a, key_monitored=True),
    }
    db.session.commit()
    return {"dev_a": city.dev_a.id} | {name: d.id for name, d in devices.items()}


ALL = {"dev_a", "boiler", "idle_364", "idle_365", "scrapped_past_due", "overdue", "due_today", "key"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("category=boiler", {"boiler"}),
        ("category=elevator", ALL - {"boiler"}),
        ("status=idle", {"idle_364", "idle_365"}),
        ("status=scrapped", {"scrapped_past_due"}),
        ("overdue=true", {"overdue"}),
        ("overdue=false", ALL - {"overdue"}),
        ("long_idle=true", {"idle_365"}),
        ("key_monitored=true", {"key"}),
        ("key_monitored=false", ALL - {"key"}),
        ("status=in_use&overdue=false&key_monitored=false&category=elevator", {"dev_a", "due_today"}),
    ],
    ids=[
        "category",
        "category_other",
        "status_idle",
        "status_scrapped",
        "overdue",
        "not_overdue",
        "long_idle",
        "key_monitored",
        "not_key_monitored",
        "combined",
    ],
)
def test_device_list_filters(client, city, ledger, query, expected):
    found = _ids(_list(client, city.admin, f"enterprise_id={city.ent_a.id}&{query}"))
    assert found == {ledger[name] for name in expected}


@pytest.mark.parametrize(
    ("placement", "visible"),
    [("block", "ab"), ("zone", "abc"), ("other_zone", "x")],
)
def test_device_list_filters_by_block_and_zone(client, city, placement, visible):
    key = "block_id" if placement == "block" else "zone_id"
    response = _list(client, city.admin, f"{key}={getattr(city, placement).id}")
    assert _ids(response) == {getattr(city, f"dev_{letter}").id for letter in visible}


def test_block_filter_does_not_widen_a_managers_scope(client, city):
    assert _ids(_list(client, city.manager, f"block_id={city.block.id}")) == {city.dev_a.id}


@pytest.fixture
def numbered(city) -> dict[str, int]:
    devices = {
        "prefix": f.make_device(city.ent_a, registration_no="锅炉QX-0001", name="一号锅炉"),
        "inside": f.make_device(city.ent_a, registration_no="A锅炉QX-0002", name="二号"),
        "code": f.make_device(city.ent_b, registration_no="容RQ-0003", device_code="锅炉QX-99"),
    }
    db.session.commit()
    return {name: d.id for name, d in devices.items()}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("锅炉QX", {"prefix", "code"}),
        ("锅炉QX-0001", {"prefix"}),
        ("QX", set()),
        ("A锅炉", {"inside"}),
        ("一号", {"prefix"}),
    ],
    ids=["prefix", "full_number", "infix_is_not_prefix", "other_prefix", "name_anywhere_in_scope"],
)
def test_search_matches_number_or_code_prefix_or_name(client, city, numbered, q, expected):
    found = _ids(_list(client, city.admin, f"q={q}"))
    assert found == {numbered[name] for name in expected}


def test_search_by_name_within_one_enterprise(client, city, numbered):
    found = _ids(_list(client, city.admin, f"q=一号&enterprise_id={city.ent_a.id}"))
    assert found == {numbered["prefix"]}


def test_search_treats_like_wildcards_literally(client, city, numbered):
    assert _ids(_list(client, city.admin, "q=%25")) == set()
    assert _ids(_list(client, city.admin, f"q=_&enterprise_id={city.ent_a.id}")) == set()


def test_search_by_enterprise_name_reads_the_term_index_within_the_inspectors_zone(client, city):
    """A contains-match on 600k enterprise names has no index: the search reads the enterprises'
    term index (core.search) instead, and only the inspector's zone's devices."""
    statements: list[str] = []

    def remember(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        found = _ids(_list(client, city.inspector, f"q={city.ent_x.name}"))
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    assert found == set()
    assert any("FROM enterprise_search_terms" in s for s in statements)
    searches = [s for s in statements if "FROM devices" in s and "UNION" in s]
    assert searches
    # the words as written are checked only on the ids the index found, never over all names
    assert all(re.search(r"\bdevices\.id IN \(SELECT", s) for s in statements if "LIKE" in s)
    assert all(re.search(r"\bdevices\.zone_id =", s) for s in searches)


# --- create / patch -----------------------------------------------------------------------------


def _device_body(**overrides) -> dict:
    return {"category": "crane", "registration_no": f"起新{f.new_id()[:8]}", "name": "桥式起重机"} | overrides


def test_manager_creates_device_in_own_enterprise_by_default(client, city):
    response = client.post("/api/devices", json=_device_body(), headers=auth(city.manager))
    assert response.status_code == 201, response.json
    assert response.json["enterprise_id"] == city.ent_a.id
    assert response.json["status"] == "in_use"
    assert response.json["qr_url"].startswith("https://tzsb.example.cn/q/")


@pytest.mark.parametrize(
    ("user", "enterprise", "status"),
    [
        ("admin", "ent_x", 201),
        ("inspector", "ent_c", 201),
        ("inspector", "ent_x", 404),
        ("manager", "ent_a", 201),
        ("manager", "ent_b", 404),
        ("supervisor", "ent_a", 403),
        ("supervisor", "ent_b", 403),
        ("other_inspector", "ent_a", 404),
    ],
)
def test_device_create_is_scoped(client, city, user, enterprise, status):
    body = _device_body(enterprise_id=getattr(city, enterprise).id)
    response = client.post("/api/devices", json=body, headers=auth(getattr(city, user)))
    assert response.status_code == status, response.json


def test_device_created_by_inspector_takes_the_enterprises_zone(client, city):
    body = _device_body(enterprise_id=city.ent_c.id)
    created = client.post("/api/devices", json=body, headers=auth(city.inspector)).json
    assert created["id"] in _ids(_list(client, city.inspector, f"zone_id={city.zone.id}"))
    assert created["id"] not in _ids(_list(client, city.other_inspector))


def test_device_create_with_taken_registration_no_is_409(client, city):
    body = _device_body(enterprise_id=city.ent_a.id, registration_no=city.dev_b.registration_no)
    response = client.post("/api/devices", json=body, headers=auth(city.admin))
    assert response.status_code == 409
    assert response.json["error"]["code"] == "duplicate"


def test_device_patch_to_taken_registration_no_is_409_and_changes_nothing(client, city):
    old, taken = city.dev_a.registration_no, city.dev_x.registration_no
    response = client.patch(
        f"/api/devices/{city.dev_a.id}", json={"registration_no": taken}, headers=auth(city.admin)
    )
    assert response.status_code == 409
    assert (
        client.get(f"/api/devices/{city.dev_a.id}", headers=auth(city.admin)).json["registration_no"] == old
    )


def test_device_create_with_unknown_maintenance_company_is_422(client, city):
    body = _device_body(maintenance_company_id=2_000_000)
    response = client.post("/api/devices", json=body, headers=auth(city.manager))
    assert response.status_code == 422
    assert "maintenance_company_id" in response.json["error"]["details"]["fields"]


def test_device_patch_to_idle_sets_idle_since_today(client, city):
    # status is regulated (the enterprise may not declare its own device stopped): a regulator sets it
    response = client.patch(
        f"/api/devices/{city.dev_a.id}", json={"status": "idle"}, headers=auth(city.inspector)
    )
    assert response.status_code == 200
    assert response.json["status"] == "idle"
    assert response.json["idle_since"] == today().isoformat()


def test_device_patch_to_idle_keeps_a_given_idle_since(client, city):
    body = {"status": "idle", "idle_since": "2020-03-01"}
    response = client.patch(f"/api/devices/{city.dev_a.id}", json=body, headers=auth(city.inspector))
    assert response.json["idle_since"] == "2020-03-01"
    assert city.dev_a.id in _ids(_list(client, city.manager, "long_idle=true"))


def test_device_patch_changes_only_the_given_fields(client, city):
    response = client.patch(
        f"/api/devices/{city.dev_a.id}", json={"location": "三号楼"}, headers=auth(city.manager)
    )
    assert response.json["location"] == "三号楼"
    assert response.json["registration_no"] == city.dev_a.registration_no
    assert response.json["category"] == "elevator"


def test_device_patch_cannot_move_device_to_another_enterprise(client, city):
    response = client.patch(
        f"/api/devices/{city.dev_a.id}", json={"enterprise_id": city.ent_b.id}, headers=auth(city.manager)
    )
    assert response.status_code in (200, 422)
    assert _ids(_list(client, city.manager)) == {city.dev_a.id}


@pytest.mark.parametrize(
    ("user", "status"), [("manager", 200), ("supervisor", 403), ("manager_x", 404), ("other_inspector", 404)]
)
def test_device_patch_is_scoped(client, city, user, status):
    response = client.patch(
        f"/api/devices/{city.dev_a.id}", json={"location": "x"}, headers=auth(getattr(city, user))
    )
    assert response.status_code == status


# --- QR tokens and labels -----------------------------------------------------------------------


def test_reissued_qr_token_revokes_the_old_label(client, city):
    old = city.dev_a.qr_token
    response = client.post(
        f"/api/devices/{city.dev_a.id}/qr-token", json={"reason": "标签损坏"}, headers=auth(city.manager)
    )
    assert response.status_code == 200
    new = response.json["qr_token"]
    assert new != old
    assert response.json["qr_url"].endswith(f"/q/{new}")
    assert client.get(f"/api/qr/{old}").status_code == 404
    resolved = client.get(f"/api/qr/{new}")
    assert resolved.status_code == 200
    assert resolved.json["public"]["registration_no"] == city.dev_a.registration_no


def test_qr_token_reissue_by_read_only_supervisor_is_403_and_keeps_token(client, city):
    token = city.dev_a.qr_token
    response = client.post(f"/api/devices/{city.dev_a.id}/qr-token", json={}, headers=auth(city.supervisor))
    assert response.status_code == 403
    assert client.get(f"/api/qr/{token}").status_code == 200


def test_label_png_decodes_to_the_devices_qr_url(client, city):
    response = client.get(f"/api/devices/{city.dev_a.id}/label.png", headers=auth(city.manager))
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data))
    texts = [b.text for b in zxingcpp.read_barcodes(image)]
    assert texts == [f"https://tzsb.example.cn/q/{city.dev_a.qr_token}"]


def test_label_svg_is_svg(client, city):
    response = client.get(f"/api/devices/{city.dev_a.id}/label.svg", headers=auth(city.manager))
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert b"<svg" in response.data


def test_label_of_out_of_scope_device_is_404(client, city):
    response = client.get(f"/api/devices/{city.dev_x.id}/label.png", headers=auth(city.manager))
    assert response.status_code == 404


def test_enterprise_label_sheet_is_a_pdf(client, city):
    response = client.get(f"/api/enterprises/{city.ent_a.id}/labels.pdf", headers=auth(city.manager))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")


# --- ledger import ------------------------------------------------------------------------------

HEADER = ["credit_code", "enterprise_name", "zone_code", "category", "registration_no", "next_inspection_due"]


def _csv(rows: list[list], header: list[str] = HEADER, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def _xlsx(rows: list[list], header: list[str] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _import(client, user, data: bytes, filename: str = "ledger.csv", query: str = ""):
    form = {"file": (io.BytesIO(data), filename)}
    return client.post(
        f"/api/devices/import{query}", data=form, content_type="multipart/form-data", headers=auth(user)
    )


def _reg() -> str:
    return f"梯导{f.new_id()[:10]}"


def _good_rows(city) -> list[list]:
    new_code = f.valid_credit_code()
    return [
        [city.ent_a.credit_code, "", "", "elevator", _reg(), "2030-01-31"],
        [new_code, "新导入企业", city.zone.code, "boiler", _reg(), ""],
        [new_code, "新导入企业", city.zone.code, "crane", _reg(), "2029-06-30"],
    ]


def test_csv_import_creates_enterprises_and_devices(client, city):
    rows = _good_rows(city)
    response = _import(client, city.admin, _csv(rows))
    assert response.status_code == 200, response.json
    assert response.json == {"rows": 3, "dry_run": False, "created": {"enterprises": 1, "devices": 3}}
    imported = _list(client, city.admin, "q=梯导").json["items"]
    assert {d["registration_no"] for d in imported} == {r[4] for r in rows}
    assert {d["enterprise_name"] for d in imported} == {city.ent_a.name, "新导入企业"}


def test_a_large_import_writes_in_batches_not_row_by_row_and_every_row_reaches_search_and_sync(client, city):
    """A 20,000-row ledger is one request: per-row queries made 2,000 rows take minutes."""
    new_code = f.valid_credit_code()
    rows = [
        [city.ent_a.credit_code if n % 2 else new_code, "批量新企业", city.zone.code, "elevator", _reg(), ""]
        for n in range(300)
    ]
    statements: list[str] = []

    def remember(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        response = _import(client, city.admin, _csv(rows))
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    assert response.status_code == 200, response.json
    assert response.json["created"] == {"enterprises": 1, "devices": 300}
    # SQLite cannot return the ids of a multi-row INSERT in order, so each device is its own INSERT
    # there (one statement each, no flush); everything else is per file or per chunk
    others = [s for s in statements if not s.startswith("INSERT INTO devices")]
    assert len(others) < 40, f"{len(others)} statements besides the device rows for 300 rows"
    found = _list(client, city.admin, f"q={rows[-1][4]}").json["items"]
    assert [d["registration_no"] for d in found] == [rows[-1][4]]
    feed = client.get("/api/sync/pull", headers=auth(city.manager)).json
    numbers = {c["data"]["registration_no"] for c in feed["changes"] if c["entity"] == "device" and c["data"]}
    assert {r[4] for r in rows if r[0] == city.ent_a.credit_code} <= numbers


def test_xlsx_import_with_chinese_headings_and_date_cells(client, city):
    header = ["统一社会信用代码", "企业名称", "辖区代码", "设备类别", "使用登记证编号", "下次检验日期"]
    number = _reg()
    rows = [[city.ent_a.credit_code, "", "", "pressure_vessel", number, date(2031, 5, 6)]]
    response = _import(client, city.manager, _xlsx(rows, header), "台账.xlsx")
    assert response.status_code == 200, response.json
    device = _list(client, city.manager, f"q={number}").json["items"][0]
    assert (device["category"], device["next_inspection_due"]) == ("pressure_vessel", "2031-05-06")


def test_gb18030_csv_from_chinese_excel_imports(client, city):
    rows = [[city.ent_a.credit_code, "", "", "elevator", _reg(), ""]]
    response = _import(client, city.manager, _csv(rows, encoding="gb18030"))
    assert response.status_code == 200, response.json
    assert response.json["created"]["devices"] == 1


def test_inspector_import_places_new_enterprises_in_own_zone(client, city):
    code, number = f.valid_credit_code(), _reg()
    rows = [[code, "辖区新企业", city.other_zone.code, "elevator", number, ""]]
    assert _import(client, city.inspector, _csv(rows)).status_code == 200
    assert len(_list(client, city.inspector, f"q={number}").json["items"]) == 1
    assert _list(client, city.other_inspector, f"q={number}").json["items"] == []


BAD_ROWS = {
    "bad_category": lambda c: [c.ent_a.credit_code, "", "", "rocket", _reg(), ""],
    "bad_credit_code": lambda c: ["91350100M000100Y44", "某企业", c.zone.code, "elevator", _reg(), ""],
    "bad_date": lambda c: [c.ent_a.credit_code, "", "", "elevator", _reg(), "2030-02-30"],
    "taken_registration_no": lambda c: [c.ent_a.credit_code, "", "", "elevator", c.dev_x.registration_no, ""],
    "new_enterprise_without_name": lambda c: [f.valid_credit_code(), "", c.zone.code, "elevator", _reg(), ""],
    "unknown_zone_code": lambda c: [f.valid_credit_code(), "某企业", "NO-SUCH", "elevator", _reg(), ""],
    "out_of_scope_enterprise": lambda c: [c.ent_x.credit_code, "", "", "elevator", _reg(), ""],
}
BAD_FIELD = {
    "bad_category": "category",
    "bad_credit_code": "credit_code",
    "bad_date": "next_inspection_due",
    "taken_registration_no": "registration_no",
    "new_enterprise_without_name": "enterprise_name",
    "unknown_zone_code": "zone_code",
    "out_of_scope_enterprise": "credit_code",
}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("problem", list(BAD_ROWS))
def test_import_with_one_bad_row_saves_nothing(client, city, problem, fmt):
    rows = _good_rows(city)
    rows.insert(1, BAD_ROWS[problem](city))
    devices, enterprises = _count(Device), _count(Enterprise)
    user = city.inspector if problem == "out_of_scope_enterprise" else city.admin
    data = _csv(rows) if fmt == "csv" else _xlsx(rows)
    response = _import(client, user, data, f"ledger.{fmt}")
    assert response.status_code == 422, response.json
    assert response.json["error"]["code"] == "import_failed"
    [report] = response.json["error"]["details"]["rows"]
    assert report["row"] == 3  # the heading is row 1, the bad row came second
    assert list(report["fields"]) == [BAD_FIELD[problem]]
    assert (_count(Device), _count(Enterprise)) == (devices, enterprises)


def test_import_reports_every_bad_row_by_number(client, city):
    rows = _good_rows(city)
    rows[0][3] = "rocket"
    rows[2][4] = rows[1][4]  # same registration number twice in the file
    response = _import(client, city.admin, _csv(rows))
    assert response.status_code == 422
    assert [r["row"] for r in response.json["error"]["details"]["rows"]] == [2, 4]


def test_import_dry_run_checks_and_saves_nothing(client, city):
    devices, enterprises = _count(Device), _count(Enterprise)
    response = _import(client, city.admin, _csv(_good_rows(city)), query="?dry_run=true")
    assert response.status_code == 200, response.json
    assert response.json == {"rows": 3, "dry_run": True, "created": {"enterprises": 0, "devices": 0}}
    assert (_count(Device), _count(Enterprise)) == (devices, enterprises)


@pytest.mark.parametrize(
    ("filename", "data"),
    [("ledger.txt", b"credit_code,category\n"), ("ledger.pdf", b"%PDF-1.4\n"), ("ledger", b"a,b\n")],
    ids=["txt", "pdf", "no_extension"],
)
def test_import_of_non_csv_file_is_415(client, city, filename, data):
    response = _import(client, city.admin, data, filename)
    assert response.status_code == 415
    assert response.json["error"]["code"] == "unsupported_file"


def test_import_of_corrupt_xlsx_is_4xx_not_500(client, city):
    response = _import(client, city.admin, b"this is not a zip archive", "ledger.xlsx")
    assert response.status_code in (415, 422), response.json
    assert response.json["error"]["code"] in ("unsupported_file", "validation_failed")


def test_import_without_file_is_422(client, city):
    response = client.post(
        "/api/devices/import", data={}, content_type="multipart/form-data", headers=auth(city.admin)
    )
    assert response.status_code == 422
    assert "file" in response.json["error"]["details"]["fields"]


def test_import_with_heading_only_is_422(client, city):
    response = _import(client, city.admin, _csv([]))
    assert response.status_code == 422
