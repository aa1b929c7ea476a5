"""File names in Content-Disposition: ASCII fallback plus the RFC 5987 UTF-8 name."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from backend.core.downloads import ascii_fallback, content_disposition


@pytest.mark.parametrize(
    ("name", "plain"),
    [
        ("monthly-全市-2026-11.xlsx", "monthly-_-2026-11.xlsx"),
        ("工作小结-城东分局-2026-11.pdf", "2026-11.pdf"),
        ("两项清单.csv", "download.csv"),
        ('a"b\\c;d.pdf', "a_b_c_d.pdf"),
        ("标签.p\u00e9ng", "download.png"),
        ("README", "README"),
    ],
)
def test_ascii_fallback_keeps_only_plain_characters(name, plain):
    assert ascii_fallback(name) == plain


def test_header_is_ascii_and_carries_the_chinese_name():
    header = content_disposition("工作小结-全市-2026-11.xlsx", fallback="monthly-2026-11.xlsx")
    assert header.isascii()
    assert header.startswith("attachment; filename=\"monthly-2026-11.xlsx\"; filename*=UTF-8''")
    assert unquote(header.split("UTF-8''")[1]) == "工作小结-全市-2026-11.xlsx"


def test_inline_header_for_files_shown_in_the_browser():
    assert content_disposition("设备标签-1.png", inline=True).startswith('inline; filename="1.png"')
