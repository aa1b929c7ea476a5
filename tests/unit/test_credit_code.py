"""GB 32100-2015 unified social credit code (统一社会信用代码) check character."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from backend.org.rules import (
    CREDIT_CODE_CHARS,
    credit_code_check_char,
    credit_code_problem,
    is_valid_credit_code,
)

REAL_CODES = ["91350100M000100Y43", "911101080828461726"]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_credit_codes_are_valid(code):
    assert credit_code_problem(code) is None
    assert is_valid_credit_code(code)


@pytest.mark.parametrize("code", REAL_CODES)
def test_check_char_of_real_codes(code):
    assert credit_code_check_char(code[:17]) == code[17]


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91350100M000100Y4", "18"),
        ("91350100M000100Y433", "18"),
        ("", "18"),
        ("91350100M000100I43", "I"),
        ("9135O100M000100Y43", "O"),
        ("91350100m000100y43", "invalid characters"),
        ("91350100M000100Y4 ", "invalid characters"),
        ("91350100M000100Y44", "check digit"),
        ("911101080828461727", "check digit"),
    ],
    ids=[
        "17_chars",
        "19_chars",
        "empty",
        "letter_I",
        "letter_O",
        "lowercase",
        "space",
        "check_digit_1",
        "check_digit_2",
    ],
)
def test_invalid_credit_codes_are_refused_with_a_reason(code, fragment):
    problem = credit_code_problem(code)
    assert problem is not None and fragment in problem
    assert not is_valid_credit_code(code)


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_letters_unused_by_the_standard_are_not_in_the_charset(letter):
    assert letter not in CREDIT_CODE_CHARS
    assert len(CREDIT_CODE_CHARS) == 31


FIRST17 = st.text(alphabet=CREDIT_CODE_CHARS, min_size=17, max_size=17)


@given(FIRST17)
def test_appending_the_check_char_makes_any_17_chars_valid(first17):
    check = credit_code_check_char(first17)
    assert check in CREDIT_CODE_CHARS
    assert is_valid_credit_code(first17 + check)


@given(FIRST17, st.integers(min_value=0, max_value=17), st.sampled_from(CREDIT_CODE_CHARS + "IOSVZa-"))
def test_changing_any_one_character_makes_a_valid_code_invalid(first17, position, replacement):
    code = first17 + credit_code_check_char(first17)
    assume(code[position] != replacement)
    changed = code[:position] + replacement + code[position + 1 :]
    assert not is_valid_credit_code(changed)
