"""Pure organisation rules: the GB 32100 credit-code check digit."""

from __future__ import annotations

from datetime import date

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


#: a block (块) is 5–10 enterprises (seed 001, 区块链监管)
BLOCK_MIN, BLOCK_MAX = 5, 10

#: what an enterprise's own safety manager may edit of its record
CONTACT_FIELDS = frozenset({"address", "contact_phone"})
#: set only through the bureau's acceptance check (示范单位验收), never by a PATCH
ACCEPTANCE_FIELDS = frozenset({"model_status", "model_accepted_on"})


def block_full_problem(members: int) -> str | None:
    """Why one more enterprise may not join a block of `members`, or None."""
    if members >= BLOCK_MAX:
        return f"区块已有{members}家企业，每个区块最多{BLOCK_MAX}家 (a block holds at most {BLOCK_MAX})"
    return None


def block_size_warning(members: int) -> str | None:
    """A warning for a block below the seed's 5 enterprises, or None."""
    if members < BLOCK_MIN:
        return f"区块仅有{members}家企业，应由{BLOCK_MIN}–{BLOCK_MAX}家组成 (a block of {members}: too small)"
    return None


def is_on_staff(left_on: date | None, as_of: date) -> bool:
    """A person counts for their enterprise until the day they leave."""
    return left_on is None or left_on > as_of
