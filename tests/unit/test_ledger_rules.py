"""The values people type into a device ledger, and the words they search with."""

from __future__ import annotations

from datetime import date

import pytest

from backend.devices.rules import (
    LedgerValueError,
    categories_matching,
    parse_category,
    parse_ledger_date,
    parse_ledger_row,
    parse_status,
    parse_yes_no,
)


@pytest.mark.parametrize("text", ["2027-03-01", "2027/03/01", "2027年3月1日", "2027/3/1", " 2027.03.01 "])
def test_dates_as_people_write_them(text):
    assert parse_ledger_date(text) == date(2027, 3, 1)


@pytest.mark.parametrize("text", ["2027-02-30", "明年三月", "03/01/2027", "2027年13月1日", ""])
def test_impossible_dates_are_refused_in_chinese(text):
    with pytest.raises(LedgerValueError, match="日期无效"):
        parse_ledger_date(text)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("电梯", "elevator"),
        ("elevator", "elevator"),
        ("场（厂）内专用机动车辆", "field_vehicle"),
        ("锅炉", "boiler"),
    ],
)
def test_category_by_chinese_name_or_code(text, code):
    assert parse_category(text) == code


def test_unknown_category_lists_the_allowed_names():
    with pytest.raises(LedgerValueError, match="电梯、起重机械"):
        parse_category("飞机")


@pytest.mark.parametrize(
    ("text", "code"), [("在用", "in_use"), ("停用", "idle"), ("报废", "scrapped"), ("idle", "idle")]
)
def test_status_by_chinese_name_or_code(text, code):
    assert parse_status(text) == code


@pytest.mark.parametrize(("text", "value"), [("是", True), ("否", False), ("Y", True), ("0", False)])
def test_yes_no(text, value):
    assert parse_yes_no(text) is value


def test_a_row_becomes_codes_and_names_what_it_cannot_read():
    values, problems = parse_ledger_row(
        {
            "category": "电梯",
            "status": "在用",
            "key_monitored": "是",
            "next_inspection_due": "2027年3月1日",
            "name": "1号客梯",
            "idle_since": "去年",
        }
    )
    assert values == {
        "category": "elevator",
        "status": "in_use",
        "key_monitored": True,
        "next_inspection_due": "2027-03-01",
        "name": "1号客梯",
    }
    assert list(problems) == ["idle_since"]


@pytest.mark.parametrize(
    ("word", "codes"),
    [
        ("电梯", {"elevator"}),
        ("压力", {"pressure_vessel", "pressure_piping"}),
        ("起重机", {"crane"}),
        ("场车", {"field_vehicle"}),
        ("elevator", {"elevator"}),
        ("客梯", set()),  # a subtype: found by the device names, not the whole category
        ("梯", set()),  # one character names no category
        ("一号楼", set()),
    ],
)
def test_search_words_that_name_categories(word, codes):
    assert categories_matching(word) == codes
