"""Pure organisation rules: the GB 32100 credit-code check digit."""

from __future__ import annotations

#: GB 32100-2015 code characters (I, O, S, V and Z are not used).
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    """The 18th character of a unified social credit code (统一社会信用代码)."""
    total = sum(
        CREDIT_CODE_CHARS.index(ch) * weight for ch, weight in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """Why a credit code is invalid, or None when it is valid."""
    if len(code) != 18:
        return "统一社会信用代码应为18位 (must be 18 characters)"
    bad = sorted({ch for ch in code if ch not in CREDIT_CODE_CHARS})
    if bad:
        return f"含有非法字符 {''.join(bad)} (invalid characters)"
    if credit_code_check_char(code[:17]) != code[17]:
        return "校验码错误 (check digit does not match)"
    return None


def is_valid_credit_code(code: str) -> bool:
    return credit_code_problem(code) is None
