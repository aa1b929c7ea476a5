"""Zones, blocks, enterprises (credit codes, zone moves), people and the two lists (两项清单)."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from backend.core.clock import today
from backend.extensions import db
from tests import factories as f
from tests.conftest import auth


@pytest.fixture
def app(fast_app):
    return fast_app


def _enterprise_body(city, **overrides) -> dict:
    return {"name": "新登记企业", "credit_code": f.valid_credit_code(), "zone_id": city.zone.id} | overrides


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.json
    return {item["id"] for item in response.json["items"]}


# --- enterprises --------------------------------------------------------------------------------


def test_enterprise_create_returns_the_record(client, city):
    body = _enterprise_body(city, block_id=city.block.id, roles=["user", "maintainer"])
    response = client.post("/api/enterprises", json=body, headers=auth(city.admin))
    assert response.status_code == 201, response.json
    assert response.json["credit_code"] == body["credit_code"]
    assert (response.json["zone_id"], response.json["block_id"]) == (city.zone.id, city.block.id)
    assert sorted(response.json["roles"]) == ["maintainer", "user"]


@pytest.mark.parametrize(
    "code",
    ["91350100M000100Y44", "91350100M000100Y4", "9135O100M000100Y43", "91350100M000100I43"],
    ids=["check_digit", "17_chars", "letter_O", "letter_I"],
)
def test_enterprise_create_with_invalid_credit_code_is_422(client, city, code):
    response = client.post(
        "/api/enterprises", json=_enterprise_body(city, credit_code=code), headers=auth(city.admin)
    )
    assert response.status_code == 422
    assert "credit_code" in response.json["error"]["details"]["fields"]


@pytest.mark.parametrize("code", ["91350100M000100Y43", "911101080828461726"])
def test_enterprise_create_accepts_real_credit_codes(client, city, code):
    response = client.post(
        "/api/enterprises", json=_enterprise_body(city, credit_code=code), headers=auth(city.admin)
    )
    assert response.status_code == 201


def test_enterprise_create_with_registered_credit_code_is_409(client, city):
    body = _enterprise_body(city, credit_code=city.ent_x.credit_code)
    response = client.post("/api/enterprises", json=body, headers=auth(city.admin))
    assert response.status_code == 409
    assert response.json["error"]["code"] == "duplicate"


def test_enterprise_patch_to_registered_credit_code_is_409(client, city):
    response = client.patch(
        f"/api/enterprises/{city.ent_a.id}",
        json={"credit_code": city.ent_b.credit_code, "reason": "更正登记"},
        headers=auth(city.admin),
    )
    assert response.status_code == 409


def test_inspector_creates_enterprises_only_in_own_zone(client, city):
    body = _enterprise_body(city, zone_id=city.other_zone.id)
    response = client.post("/api/enterprises", json=body, headers=auth(city.inspector))
    assert response.status_code == 201
    assert response.json["zone_id"] == city.zone.id


def test_enterprise_in_block_of_another_zone_is_422(client, city):
    body = _enterprise_body(city, zone_id=city.other_zone.id, block_id=city.block.id)
    response = client.post("/api/enterprises", json=body, headers=auth(city.admin))
    assert response.status_code == 422
    assert "block_id" in response.json["error"]["details"]["fields"]


@pytest.mark.parametrize(
    ("user", "visible"),
    [("admin", "abcx"), ("inspector", "abc"), ("manager", "a"), ("supervisor", "ab"), ("manager_x", "x")],
)
def test_enterprise_list_is_scoped(client, city, user, visible):
    response = client.get("/api/enterprises", headers=auth(getattr(city, user)))
    assert _ids(response) == {getattr(city, f"ent_{letter}").id for letter in visible}


@pytest.mark.parametrize("by", ["name", "credit_code"])
def test_enterprise_search_by_name_or_credit_code(client, city, by):
    term = getattr(city.ent_b, by)
    response = client.get(f"/api/enterprises?q={term}", headers=auth(city.admin))
    assert city.ent_b.id in _ids(response)
    assert city.ent_x.id not in _ids(response)


def test_enterprise_search_finds_words_of_the_name_or_address_and_the_start_of_a_credit_code(client, city):
    city.ent_b.name, city.ent_b.address = "港区物业管理有限公司", "示例市港区3号楼"
    db.session.commit()
    for q in ("物业", "3号楼", city.ent_b.credit_code[:-1].lower()):
        found = _ids(client.get(f"/api/enterprises?q={q}", headers=auth(city.admin)))
        assert city.ent_b.id in found, q
        assert city.ent_x.id not in found, q


def _move_ent_a_to_other_zone(client, city):
    body = {"zone_id": city.other_zone.id, "block_id": None, "reason": "区划调整"}
    response = client.patch(f"/api/enterprises/{city.ent_a.id}", json=body, headers=auth(city.admin))
    assert response.status_code == 200, response.json
    return response


def test_enterprise_zone_move_carries_its_devices(client, city):
    _move_ent_a_to_other_zone(client, city)
    path = f"/api/devices/{city.dev_a.id}"
    assert client.get(path, headers=auth(city.other_inspector)).status_code == 200
    assert client.get(path, headers=auth(city.inspector)).status_code == 404
    listed = client.get("/api/devices", headers=auth(city.other_inspector))
    assert _ids(listed) == {city.dev_a.id, city.dev_x.id}


def test_enterprise_zone_move_carries_its_hazards(client, city):
    hazard = f.make_hazard(city.ent_a, city.manager)
    db.session.commit()
    _move_ent_a_to_other_zone(client, city)
    path = f"/api/hazards/{hazard.id}"
    assert client.get(path, headers=auth(city.other_inspector)).status_code == 200
    assert client.get(path, headers=auth(city.inspector)).status_code == 404


def test_enterprise_zone_move_leaving_the_block_behind_is_422(client, city):
    response = client.patch(
        f"/api/enterprises/{city.ent_a.id}", json={"zone_id": city.other_zone.id}, headers=auth(city.admin)
    )
    assert response.status_code == 422
    assert client.get(f"/api/devices/{city.dev_a.id}", headers=auth(city.inspector)).status_code == 200


def test_inspector_cannot_move_enterprise_out_of_their_zone(client, city):
    body = {"zone_id": city.other_zone.id, "block_id": None, "reason": "区划调整"}
    client.patch(f"/api/enterprises/{city.ent_c.id}", json=body, headers=auth(city.inspector))
    assert client.get(f"/api/devices/{city.dev_c.id}", headers=auth(city.inspector)).status_code == 200
    assert client.get(f"/api/devices/{city.dev_c.id}", headers=auth(city.other_inspector)).status_code == 404


# --- two lists ----------------------------------------------------------------------------------


@pytest.fixture
def two_lists(city):
    """ent_a: 3 devices in use (+1 scrapped), a certified safety manager and an operator;
    ent_b: 2 devices in use and 1 scrapped; ent_c and ent_x: one device each."""
    for _ in range(2):
        f.make_device(city.ent_a)
    f.make_device(city.ent_b)
    f.make_device(city.ent_a, status="scrapped")
    f.make_device(city.ent_b, status="scrapped")
    expires = today() + timedelta(days=400)
    manager = f.make_person(city.ent_a, ("safety_manager", expires))
    f.make_person(city.ent_a, ("operator", None))
    db.session.commit()
    return manager


def _two_lists(client, user, query: str = ""):
    return client.get(f"/api/enterprises/two-lists?{query}", headers=auth(user))


@pytest.mark.parametrize(
    ("min_devices", "expected"),
    [
        (1, [("ent_a", 3), ("ent_b", 2), ("ent_c", 1), ("ent_x", 1)]),
        (2, [("ent_a", 3), ("ent_b", 2)]),
        (3, [("ent_a", 3)]),
        (4, []),
    ],
)
def test_two_lists_holds_enterprises_with_at_least_min_devices_in_use(
    client, city, two_lists, min_devices, expected
):
    response = _two_lists(client, city.admin, f"min_devices={min_devices}")
    assert response.status_code == 200
    found = [(row["enterprise"]["id"], row["device_count"]) for row in response.json["items"]]
    assert found == [(getattr(city, name).id, n) for name, n in expected]


def test_two_lists_names_the_certified_safety_managers(client, city, two_lists):
    rows = _two_lists(client, city.admin, "min_devices=2").json["items"]
    certificate = two_lists.certificates[0]
    assert rows[0]["safety_managers"] == [
        {
            "name": two_lists.name,
            "phone": two_lists.phone,
            "certificate_no": certificate.number,
            "expires_on": certificate.expires_on.isoformat(),
            "expired": False,
        }
    ]
    assert rows[1]["safety_managers"] == []


def test_two_lists_of_an_inspector_stays_in_their_zone(client, city, two_lists):
    rows = _two_lists(client, city.other_inspector, "min_devices=1").json["items"]
    assert [row["enterprise"]["id"] for row in rows] == [city.ent_x.id]


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def _xlsx_rows(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(response.data)).active
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


HEADER = [
    "企业名称",
    "统一社会信用代码",
    "辖区",
    "区块",
    "设备数",
    "安全管理员",
    "证书编号",
    "证书有效期",
    "证书状态",
]


def test_two_lists_csv_download(client, city, two_lists):
    response = _two_lists(client, city.inspector, "min_devices=2&format=csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _csv_rows(response)
    assert rows[0] == HEADER
    assert rows[1][:7] == [
        city.ent_a.name,
        city.ent_a.credit_code,
        city.zone.name,
        city.block.name,
        "3",
        two_lists.name,
        two_lists.certificates[0].number,
    ]
    assert rows[2][:6] == [city.ent_b.name, city.ent_b.credit_code, city.zone.name, city.block.name, "2", ""]


def test_two_lists_xlsx_download(client, city, two_lists):
    response = _two_lists(client, city.inspector, "min_devices=2&format=xlsx")
    assert response.status_code == 200
    rows = _xlsx_rows(response)
    assert list(rows[0]) == HEADER
    assert rows[1][:6] == [
        city.ent_a.name,
        city.ent_a.credit_code,
        city.zone.name,
        city.block.name,
        3,
        two_lists.name,
    ]
    assert len(rows) == 3


@pytest.fixture
def formula_names(city, two_lists):
    city.ent_a.name = '=HYPERLINK("http://evil.example","点击")'
    two_lists.name = "@SUM(1+1)"
    db.session.commit()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_two_lists_download_neutralises_formulas(client, city, formula_names, fmt):
    response = _two_lists(client, city.admin, f"min_devices=3&format={fmt}")
    rows = _csv_rows(response) if fmt == "csv" else _xlsx_rows(response)
    assert rows[1][0] == "'" + '=HYPERLINK("http://evil.example","点击")'
    assert rows[1][5] == "'@SUM(1+1)"


def test_two_lists_xlsx_cells_are_not_formulas(client, city, formula_names):
    response = _two_lists(client, city.admin, "min_devices=3&format=xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


@pytest.mark.parametrize("query", ["format=pdf", "min_devices=0", "min_devices=abc"])
def test_two_lists_refuses_bad_query_with_422(client, city, query):
    assert _two_lists(client, city.admin, query).status_code == 422


# --- people -------------------------------------------------------------------------------------


#: a certificate photo's hash (the photo itself may arrive before or after the record)
PHOTO = hashlib.sha256(b"certificate photo").hexdigest()


def _person_body(**overrides) -> dict:
    return {
        "name": "李四",
        "phone": "0531-88886666",
        "certificates": [
            {"kind": "safety_manager", "number": "A-001", "expires_on": "2030-12-31", "photo_sha256": PHOTO},
            {"kind": "operator", "number": "B-002", "photo_sha256": PHOTO},
        ],
    } | overrides


def test_manager_registers_a_person_with_certificates(client, city):
    response = client.post("/api/people", json=_person_body(), headers=auth(city.manager))
    assert response.status_code == 201, response.json
    assert response.json["enterprise_id"] == city.ent_a.id
    assert [(c["kind"], c["number"], c["expires_on"]) for c in response.json["certificates"]] == [
        ("safety_manager", "A-001", "2030-12-31"),
        ("operator", "B-002", None),
    ]


def test_people_list_carries_certificates_and_filters_by_kind(client, city):
    client.post("/api/people", json=_person_body(), headers=auth(city.manager))
    client.post("/api/people", json=_person_body(name="王五", certificates=[]), headers=auth(city.manager))
    listed = client.get("/api/people?certificate=safety_manager", headers=auth(city.manager)).json
    assert [p["name"] for p in listed["items"]] == ["李四"]
    assert len(listed["items"][0]["certificates"]) == 2
    assert client.get("/api/people", headers=auth(city.manager)).json["total"] == 2


@pytest.mark.parametrize(
    ("user", "sees"),
    [
        ("manager", True),
        ("supervisor", True),
        ("inspector", True),
        ("manager_x", False),
        ("other_inspector", False),
    ],
)
def test_people_list_is_scoped(client, city, user, sees):
    person = f.make_person(city.ent_a, ("safety_manager", date(2030, 1, 1)))
    db.session.commit()
    response = client.get("/api/people", headers=auth(getattr(city, user)))
    assert (person.id in _ids(response)) is sees


@pytest.mark.parametrize(
    "certificate",
    [
        {"kind": "pilot", "number": "X"},
        {"kind": "operator"},
        {"kind": "operator", "number": ""},
        {"kind": "operator", "number": "X", "expires_on": "2030-02-30"},
    ],
    ids=["unknown_kind", "no_number", "empty_number", "bad_date"],
)
def test_person_with_bad_certificate_is_422(client, city, certificate):
    response = client.post(
        "/api/people", json=_person_body(certificates=[certificate]), headers=auth(city.manager)
    )
    assert response.status_code == 422
    assert "certificates" in response.json["error"]["details"]["fields"]


def test_admin_person_without_enterprise_is_422(client, city):
    response = client.post("/api/people", json=_person_body(), headers=auth(city.admin))
    assert response.status_code == 422
    assert "enterprise_id" in response.json["error"]["details"]["fields"]


# --- zones and blocks ---------------------------------------------------------------------------


def test_zone_with_taken_code_is_409(client, city):
    response = client.post(
        "/api/zones", json={"name": "另一分局", "code": city.zone.code}, headers=auth(city.admin)
    )
    assert response.status_code == 409


def test_inspector_creates_blocks_in_own_zone(client, city):
    response = client.post(
        "/api/blocks", json={"zone_id": city.other_zone.id, "name": "新区块"}, headers=auth(city.inspector)
    )
    assert response.status_code == 201
    assert response.json["zone_id"] == city.zone.id


@pytest.mark.parametrize(
    ("user", "zones"),
    [
        ("admin", {"zone", "other_zone"}),
        ("inspector", {"zone"}),
        ("manager", {"zone"}),
        ("manager_x", {"other_zone"}),
    ],
)
def test_zone_list_is_scoped(client, city, user, zones):
    response = client.get("/api/zones", headers=auth(getattr(city, user)))
    assert _ids(response) == {getattr(city, z).id for z in zones}


def test_enterprise_list_filters_by_model_status(client, city):
    city.ent_b.model_status = "accepted"
    db.session.commit()
    response = client.get("/api/enterprises?model_status=accepted", headers=auth(city.inspector))
    assert [e["id"] for e in response.json["items"]] == [city.ent_b.id]
    bad = client.get("/api/enterprises?model_status=famous", headers=auth(city.inspector))
    assert bad.status_code == 422
