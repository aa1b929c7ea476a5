"""Pure complaint rules: categories, ticket numbers, phone masking, proof of work, IP keys.

No Flask, no database, no clock: time and keys are arguments.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from backend.core.clients import ip_rate_key  # noqa: F401 - IP keys live in core; re-exported


class ComplaintCategory(StrEnum):
    elevator_trapped = "elevator_trapped"
    abnormal_operation = "abnormal_operation"
    no_inspection_label = "no_inspection_label"
    overdue_inspection = "overdue_inspection"
    unlicensed_operation = "unlicensed_operation"
    other = "other"


CATEGORY_LABELS: dict[str, str] = {
    ComplaintCategory.elevator_trapped: "电梯困人",
    ComplaintCategory.abnormal_operation: "运行异常",
    ComplaintCategory.no_inspection_label: "无检验合格标志",
    ComplaintCategory.overdue_inspection: "超期未检",
    ComplaintCategory.unlicensed_operation: "无证作业",
    ComplaintCategory.other: "其他",
}


class ComplaintStatus(StrEnum):
    received = "received"
    substantiated = "substantiated"
    not_substantiated = "not_substantiated"
    duplicate = "duplicate"


STATUS_LABELS = {
    ComplaintStatus.received: "已受理，待核查",
    ComplaintStatus.substantiated: "经核查属实",
    ComplaintStatus.not_substantiated: "经核查不属实",
    ComplaintStatus.duplicate: "重复举报，已并案处理",
}


#: the event of a complaint that came in beyond its label's quota: queued for triage, flagged
FLAG_ACTION = "flag"


class PublicStage(StrEnum):
    """Where the complainant's report stands, as the tracking page tells it."""

    received = "received"
    checked = "checked"
    rectifying = "rectifying"
    rectified = "rectified"


STAGE_LABELS = {
    PublicStage.received: "已受理",
    PublicStage.checked: "已核查",
    PublicStage.rectifying: "整改中",
    PublicStage.rectified: "已整改",
}

#: the stages a report that opened a hazard passes through; other outcomes end at `checked`
FULL_PATH = (PublicStage.received, PublicStage.checked, PublicStage.rectifying, PublicStage.rectified)
#: hazard statuses (hazards.rules.HazardStatus values) that mean the rectification is done and verified
HAZARD_DONE = "verified_closed"


def public_stage(complaint_status: str, hazard_status: str | None) -> PublicStage:
    """The public stage for a complaint and the hazard its triage opened (None when none).

    Only a verified rectification counts as 已整改: an enterprise's own submission does not.
    """
    if complaint_status == ComplaintStatus.received:
        return PublicStage.received
    if complaint_status != ComplaintStatus.substantiated or hazard_status is None:
        return PublicStage.checked
    return PublicStage.rectified if hazard_status == HAZARD_DONE else PublicStage.rectifying


def stage_path(complaint_status: str, hazard_status: str | None) -> tuple[PublicStage, ...]:
    """The steps shown for this complaint: the full path once it may lead to a rectification."""
    if complaint_status == ComplaintStatus.received or hazard_status is not None:
        return FULL_PATH
    return FULL_PATH[:2]


class TriageOutcome(StrEnum):
    substantiated = "substantiated"
    not_substantiated = "not_substantiated"
    duplicate = "duplicate"


class RewardStatus(StrEnum):
    pending = "pending"
    paid = "paid"


class RewardMethod(StrEnum):
    bank_transfer = "bank_transfer"
    mobile_payment = "mobile_payment"
    cash = "cash"


def payment_problem(status: str, amount: object, paid_on: date, *, as_of: date) -> tuple[str, str] | None:
    """(field, message) when a reward payment may not be recorded; a reward is paid once."""
    if status == RewardStatus.paid:
        return "status", "奖励已发放 (already paid)"
    if amount is None:
        return "amount_yuan", "奖励金额未核定，不能登记发放 (no amount set)"
    if paid_on > as_of:
        return "paid_on", "发放日期不能晚于今天 (paid_on in the future)"
    return None


def names_a_device(
    qr_token: str | None, registration_no: str | None, address: str | None, photos: Sequence[str] = ()
) -> bool:
    """A complaint names its device by label, or (no label) by registration number, address or a photo of it
    (the regulator links the device at triage)."""
    return bool(photos) or any(value and value.strip() for value in (qr_token, registration_no, address))


def triage_problem(
    status: str,
    outcome: str,
    *,
    duplicate_of: int | None,
    opens_hazard: bool,
    has_reward: bool = False,
    needs_device: bool = False,
) -> tuple[str, str] | None:
    """(field, message) when a triage is not allowed; triage happens once, from received.

    `needs_device`: the complaint names no linked device yet and no device_id was given.
    """
    if status != ComplaintStatus.received:
        return "outcome", "该投诉已核查完毕 (already triaged)"
    if needs_device and outcome != TriageOutcome.not_substantiated:
        return "device_id", "请先关联被投诉的设备 (link the device first)"
    if outcome == TriageOutcome.duplicate and duplicate_of is None:
        return "duplicate_of", "重复举报需注明原投诉 (duplicate_of required)"
    if outcome != TriageOutcome.duplicate and duplicate_of is not None:
        return "duplicate_of", "仅重复举报可注明原投诉 (only for duplicate)"
    if opens_hazard and outcome != TriageOutcome.substantiated:
        return "open_hazard", "仅属实的投诉可立为隐患 (only when substantiated)"
    if has_reward and outcome != TriageOutcome.substantiated:
        return "reward_yuan", "仅属实的投诉可给予奖励 (only when substantiated)"
    return None


# --- ticket numbers -------------------------------------------------------------------

TICKET_PREFIX = "TS"
TICKET_RE = re.compile(r"^TS(\d{8})-(\d{4,6})$")


def ticket_number(day: date, seq: int) -> str:
    """Human-friendly ticket number: TS + local date + per-day sequence (TS20261123-0001)."""
    if seq < 1:
        raise ValueError("seq starts at 1")
    return f"{TICKET_PREFIX}{day:%Y%m%d}-{seq:04d}"


def is_ticket_number(value: str) -> bool:
    return TICKET_RE.fullmatch(value) is not None


# --- contact phone --------------------------------------------------------------------

_PHONE_RE = re.compile(r"^(?:1[3-9]\d{9}|0\d{9,11})$")


def normalize_phone(raw: str) -> str | None:
    """Mainland mobile (13812345678) or landline with area code (0512-58123456), digits only.

    Spaces, dashes and a +86/0086 prefix are dropped; None when it is not a phone number.
    """
    digits = re.sub(r"[\s\-()]", "", raw)
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    return digits if _PHONE_RE.fullmatch(digits) else None


def mask_phone(phone: str) -> str:
    """Keep the first 3 and last 4 digits (GB/T 35273 style): 13812345678 → 138****5678."""
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


# --- proof of work --------------------------------------------------------------------

CHALLENGE_VERSION = "v1"


@dataclass(frozen=True)
class Challenge:
    expires: int
    bits: int
    salt: str


class PowProblem(StrEnum):
    """Error codes for a rejected proof of work (all 400)."""

    required = "pow_required"
    invalid = "pow_invalid"
    expired = "pow_expired"
    too_easy = "pow_too_easy"
    unsolved = "pow_unsolved"
    reused = "pow_reused"


def _sign(key: bytes, payload: str) -> str:
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()[:32]


def make_challenge(key: bytes, *, now: int, ttl: int, bits: int, salt: str) -> str:
    """A self-contained, HMAC-signed challenge: v1.<expires>.<bits>.<salt>.<signature>."""
    payload = f"{CHALLENGE_VERSION}.{now + ttl}.{bits}.{salt}"
    return f"{payload}.{_sign(key, payload)}"


def parse_challenge(key: bytes, challenge: str) -> Challenge | None:
    """The challenge's terms if we signed it, else None."""
    parts = challenge.split(".")
    if len(parts) != 5 or parts[0] != CHALLENGE_VERSION:
        return None
    payload, signature = ".".join(parts[:4]), parts[4]
    if not hmac.compare_digest(_sign(key, payload).encode(), signature.encode()):
        return None
    if not (parts[1].isdigit() and parts[2].isdigit()):
        return None
    return Challenge(expires=int(parts[1]), bits=int(parts[2]), salt=parts[3])


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte:
            return bits + 8 - byte.bit_length()
        bits += 8
    return bits


def pow_digest(challenge: str, nonce: str) -> bytes:
    return hashlib.sha256((challenge + nonce).encode()).digest()


def pow_problem(key: bytes, challenge: str, nonce: str, *, now: int, min_bits: int) -> PowProblem | None:
    """Why this solution is not acceptable (signature, expiry, difficulty, work), or None.

    Single use is the caller's job: it needs storage.
    """
    terms = parse_challenge(key, challenge)
    if terms is None:
        return PowProblem.invalid
    if terms.expires < now:
        return PowProblem.expired
    if terms.bits < min_bits:
        return PowProblem.too_easy
    if leading_zero_bits(pow_digest(challenge, nonce)) < terms.bits:
        return PowProblem.unsolved
    return None


def solve_pow(challenge: str, bits: int, start: int = 0) -> str:
    """Find a nonce (what the PWA does in a worker); for tests and tools."""
    nonce = start
    while leading_zero_bits(pow_digest(challenge, str(nonce))) < bits:
        nonce += 1
    return str(nonce)
