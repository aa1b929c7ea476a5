"""Search in Chinese (`q`) through the term index (core.search): what people type finds the
devices, hazards and complaints they mean, in their scope, and the index follows every write."""

from __future__ import annotations

import pytest

from backend.core.search import _long_words_held, query_terms, text_terms
from backend.extensions import db
from backend.org.models import EnterpriseSearchTerm
from tests import factories as f
from tests.conftest import auth


@pytest.fixture
def app(fast_app):
    return fast_app


def _found(client, user, path: str) -> set:
    answer = client.get(path, headers=auth(user))
    assert answer.status_code == 200, answer.json
    return {item["id"] for item in answer.json["items"]}


def test_terms_are_pairs_last_characters_and_suffixes_of_each_word():
    assert text_terms("3号客梯", "Ａ座 东区") == {
        *("3号", "号客", "客梯", "梯", "3号客梯", "号客梯"),
        *("a座", "座", "东区", "区"),
    }
    suffixes = {term for term in text_terms("化工示例企业000123有限公司") if len(term) > 2}
    assert "企业000123" in suffixes and "有限公司" in suffixes and max(map(len, suffixes)) == 8
    assert query_terms("客梯 3") == (["客梯"], ["3"])


def test_a_whole_word_is_read_by_its_suffixes_when_every_pair_of_it_is_common(app, city):
    """Every pair of '企业000123' is in all these names: the index range of the word itself
    gives the one enterprise holding it, without walking the others."""
    names = [f"化工示例企业{n:06d}有限公司" for n in (123, 231, 312, 1230, 12300, 100023)]
    made = [f.make_enterprise(city.zone, name=name) for name in names]
    db.session.commit()
    assert _long_words_held(EnterpriseSearchTerm, "enterprise_id", "企业000123") == ({made[0].id}, "")
    assert _long_words_held(EnterpriseSearchTerm, "enterprise_id", "000123 示例") == ({made[0].id}, "示例")
    assert _long_words_held(EnterpriseSearchTerm, "enterprise_id", "企业999999") == (set(), "")


def test_a_word_too_common_to_read_is_searched_by_its_pairs(client, city, monkeypatch):
    monkeypatch.setattr("backend.core.search._RARITY_PROBE", 2)
    city.ent_a.name, city.ent_b.name = "东区物业有限公司", "西区物业有限公司"
    db.session.commit()
    assert _long_words_held(EnterpriseSearchTerm, "enterprise_id", "有限公司")[0] is None
    found = _found(client, city.admin, "/api/enterprises?q=物业有限公司")
    assert {city.ent_a.id, city.ent_b.id} <= found


def test_a_word_longer_than_a_term_is_found_by_its_windows_and_as_written(client, city):
    boiler = f.make_device(city.ent_c, category="boiler", name="锅炉房东侧二号燃气热水锅炉", location="一层")
    decoy = f.make_device(city.ent_c, category="boiler", name="锅炉房东侧三号燃气热水锅炉", location="一层")
    db.session.commit()
    assert _found(client, city.inspector, "/api/devices?q=锅炉房东侧二号燃气热水锅炉") == {boiler.id}
    assert _found(client, city.inspector, "/api/devices?q=东侧二号燃气热水") == {boiler.id}
    assert decoy.id in _found(client, city.inspector, "/api/devices?q=东侧三号燃气热水锅炉")


def test_category_name_finds_every_device_of_the_category_in_scope(client, city):
    crane = f.make_device(city.ent_c, category="crane", name="桥吊", registration_no="起搜0001")
    db.session.commit()
    found = _found(client, city.inspector, "/api/devices?q=电梯")
    assert found == {city.dev_a.id, city.dev_b.id, city.dev_c.id}
    assert _found(client, city.inspector, "/api/devices?q=起重机") == {crane.id}


def test_subtype_name_finds_by_device_name_not_other_subtypes(client, city):
    passenger = f.make_device(city.ent_c, name="3号客梯", location="南塔")
    freight = f.make_device(city.ent_c, name="货梯", location="北塔")
    escalator = f.make_device(city.ent_c, name="自动扶梯", location="商场一层")
    db.session.commit()
    found = _found(client, city.inspector, "/api/devices?q=客梯")
    assert passenger.id in found
    assert freight.id not in found and escalator.id not in found
    assert _found(client, city.inspector, "/api/devices?q=扶梯") == {escalator.id}
    assert _found(client, city.inspector, "/api/devices?q=商场一层") == {escalator.id}


def test_two_character_enterprise_name_fragment_finds_its_devices_and_hazards(client, city):
    city.ent_c.name = "滨江物业管理有限公司"
    hazard = f.make_hazard(city.ent_c, city.inspector, description="护栏松动", category="其他")
    db.session.commit()
    assert _found(client, city.inspector, "/api/devices?q=物业") == {city.dev_c.id}
    assert _found(client, city.inspector, "/api/hazards?q=物业") == {hazard.id}


def test_an_enterprise_search_finds_the_words_as_written_not_any_name_holding_their_pairs(client, city):
    """'000002' and '000020' hold the same pairs (00, 02); only one of them holds the word."""
    city.ent_c.name = "化工示例企业000002有限公司"
    other = f.make_enterprise(city.zone, name="化工示例企业000020有限公司")
    typed_full_width = f.make_enterprise(city.zone, name="化工示例企业０００００２分公司")
    db.session.commit()
    assert _found(client, city.admin, f"/api/enterprises?q={city.ent_c.name}") == {city.ent_c.id}
    assert _found(client, city.admin, "/api/enterprises?q=000002") == {city.ent_c.id, typed_full_width.id}
    assert other.id in _found(client, city.admin, "/api/enterprises?q=000020")


def test_device_and_hazard_searches_find_the_words_as_written_not_rows_holding_their_pairs(client, city):
    """'000002' and '000020' hold the same pairs (00, 02): the index finds both, the list shows
    only the rows holding the word, on the device itself, its enterprise or the hazard."""
    pump = f.make_device(city.ent_c, name="泵房000002", location="地下一层")
    decoy = f.make_device(city.ent_c, name="泵房000020", location="地下一层")
    city.ent_a.name = "示例物业000002有限公司"
    city.ent_b.name = "示例物业000020有限公司"
    gauge = f.make_hazard(city.ent_c, city.inspector, description="压力表000002失准", category="其他")
    gauge_decoy = f.make_hazard(city.ent_c, city.inspector, description="压力表000020失准", category="其他")
    leak = {"description": "漏水", "category": "其他"}
    on_pump = f.make_hazard(city.ent_c, city.inspector, device_id=pump.id, **leak)
    on_decoy = f.make_hazard(city.ent_c, city.inspector, device_id=decoy.id, **leak)
    db.session.commit()
    found = _found(client, city.inspector, "/api/devices?q=000002")
    assert found == {pump.id, city.dev_a.id}
    assert decoy.id in _found(client, city.inspector, "/api/devices?q=000020")
    hazards = _found(client, city.inspector, "/api/hazards?q=000002")
    assert {gauge.id, on_pump.id} <= hazards
    assert not {gauge_decoy.id, on_decoy.id} & hazards
    assert _found(client, city.inspector, "/api/devices?q=泵房０００００２") == {pump.id}


def test_one_character_finds_it_anywhere_in_a_word(client, city):
    tank = f.make_device(city.ent_c, category="pressure_vessel", name="储气罐", registration_no="容搜0001")
    db.session.commit()
    assert tank.id in _found(client, city.inspector, "/api/devices?q=罐")
    assert tank.id in _found(client, city.inspector, "/api/devices?q=气")


def test_an_inspector_never_finds_another_zones_rows(client, city):
    city.ent_x.name = "远方物业有限公司"
    far = f.make_hazard(city.ent_x, city.manager_x, description="制动器磨损", category="其他")
    db.session.commit()
    assert _found(client, city.inspector, "/api/devices?q=远方") == set()
    assert _found(client, city.inspector, "/api/devices?q=电梯") & {city.dev_x.id} == set()
    assert _found(client, city.inspector, f"/api/devices?q={city.dev_x.registration_no}") == set()
    assert _found(client, city.inspector, "/api/enterprises?q=远方") == set()
    assert _found(client, city.inspector, f"/api/enterprises?q={city.ent_x.credit_code}") == set()
    assert _found(client, city.other_inspector, "/api/enterprises?q=远方") == {city.ent_x.id}
    assert _found(client, city.inspector, "/api/hazards?q=制动") & {far.id} == set()
    assert _found(client, city.other_inspector, "/api/devices?q=远方") == {city.dev_x.id}
    assert _found(client, city.manager, "/api/devices?q=电梯") == {city.dev_a.id}


def test_a_renamed_enterprise_is_found_by_its_new_name_only(client, city):
    body = {"name": "新港物业有限公司", "reason": "更名"}
    response = client.patch(f"/api/enterprises/{city.ent_c.id}", json=body, headers=auth(city.admin))
    assert response.status_code == 200, response.json
    assert _found(client, city.inspector, "/api/devices?q=新港物业") == {city.dev_c.id}
    assert city.dev_c.id not in _found(client, city.inspector, f"/api/devices?q={city.ent_b.name}")


def test_an_edited_device_is_found_by_its_new_name_and_not_the_old(client, city):
    device = f.make_device(city.ent_a, name="旧名称")
    db.session.commit()
    body = {"name": "观光电梯", "location": "东门大厅"}
    response = client.patch(f"/api/devices/{device.id}", json=body, headers=auth(city.manager))
    assert response.status_code == 200, response.json
    assert device.id in _found(client, city.manager, "/api/devices?q=观光")
    assert _found(client, city.manager, "/api/devices?q=大厅") == {device.id}
    assert _found(client, city.manager, "/api/devices?q=旧名") == set()


def test_a_hazard_reported_through_sync_is_found_by_its_words(client, city):
    op = {
        "op_id": f.new_id(),
        "type": "hazard.create",
        "payload": {
            "id": f.new_id(),
            "device_id": city.dev_a.id,
            "category": "电梯",
            "severity": "general",
            "description": "层门锁失效",
        },
    }
    pushed = client.post("/api/sync/push", json={"ops": [op]}, headers=auth(city.manager))
    assert pushed.json["results"][0]["status"] == "applied", pushed.json
    assert _found(client, city.inspector, "/api/hazards?q=门锁") == {op["payload"]["id"]}


def test_a_search_past_the_cap_says_its_total_is_not_exact(client, city, monkeypatch):
    monkeypatch.setattr("backend.core.search.SEARCH_COUNT_CAP", 2)
    answer = client.get("/api/devices?q=电梯&per_page=1", headers=auth(city.admin)).json
    assert (answer["total"], answer["total_exact"], len(answer["items"])) == (2, False, 1)
    second = client.get("/api/devices?q=电梯&per_page=1&page=3", headers=auth(city.admin)).json
    assert len(second["items"]) == 1
    exact = client.get("/api/devices?q=电梯", headers=auth(city.manager)).json
    assert (exact["total"], exact["total_exact"]) == (1, True)
