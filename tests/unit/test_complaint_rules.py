"""Pure complaint rules: proof of work, phone masking, ticket numbers, IP keys, triage."""

from datetime import date

import pytest

from backend.complaints import rules
from backend.complaints.rules import PowProblem

KEY = b"k" * 32
NOW = 1_800_000_000


def _challenge(bits: int = 8, ttl: int = 600, key: bytes = KEY) -> str:
    return rules.make_challenge(key, now=NOW, ttl=ttl, bits=bits, salt="abc123")


@pytest.mark.parametrize(
    ("digest", "bits"),
    [
        (b"\xff" + b"\x00" * 31, 0),
        (b"\x80" + b"\x00" * 31, 0),
        (b"\x7f" + b"\x00" * 31, 1),
        (b"\x01" + b"\x00" * 31, 7),
        (b"\x00\x80" + b"\x00" * 30, 8),
        (b"\x00\x00\x3f" + b"\x00" * 29, 18),
        (b"\x00" * 32, 256),
    ],
)
def test_leading_zero_bits(digest, bits):
    assert rules.leading_zero_bits(digest) == bits


def test_challenge_round_trips_its_terms():
    terms = rules.parse_challenge(KEY, _challenge(bits=12))
    assert terms == rules.Challenge(expires=NOW + 600, bits=12, salt="abc123")


def _first_failing_nonce(challenge: str, bits: int) -> str:
    n = 0
    while rules.leading_zero_bits(rules.pow_digest(challenge, str(n))) >= bits:
        n += 1
    return str(n)


def _tamper_bits(challenge: str) -> str:
    parts = challenge.split(".")
    parts[2] = "1"
    return ".".join(parts)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("solved", None),
        ("unsolved", PowProblem.unsolved),
        ("expired", PowProblem.expired),
        ("other_key", PowProblem.invalid),
        ("tampered_bits", PowProblem.invalid),
        ("garbage", PowProblem.invalid),
        ("too_easy", PowProblem.too_easy),
    ],
    ids=lambda v: str(v),
)
def test_pow_problem(case, expected):
    challenge, nonce, min_bits, now = _challenge(), None, 8, NOW
    if case == "expired":
        now = NOW + 601
    elif case == "other_key":
        challenge = _challenge(key=b"x" * 32)
    elif case == "tampered_bits":
        challenge = _tamper_bits(challenge)
    elif case == "garbage":
        challenge = "v1.not-a-challenge"
    elif case == "too_easy":
        min_bits = 9
    nonce = _first_failing_nonce(challenge, 8) if case == "unsolved" else rules.solve_pow(challenge, 8)
    assert rules.pow_problem(KEY, challenge, nonce, now=now, min_bits=min_bits) == expected


def test_solution_meets_difficulty():
    challenge = _challenge(bits=10)
    nonce = rules.solve_pow(challenge, 10)
    assert rules.leading_zero_bits(rules.pow_digest(challenge, nonce)) >= 10


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("19900001111", "199****1111"),
        ("051258123456", "051*****3456"),
        ("1234567", "*******"),
    ],
)
def test_mask_phone(phone, masked):
    assert rules.mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 13812345678", "13812345678"),
        ("008613812345678", "13812345678"),
        ("0512-58123456", "051258123456"),
        ("010-12345678", "01012345678"),
        ("12812345678", None),  # no such mobile prefix
        ("1381234567", None),  # too short
        ("abc", None),
        ("", None),
        ("1" * 100_000, None),
    ],
)
def test_normalize_phone(raw, normalized):
    assert rules.normalize_phone(raw) == normalized


@pytest.mark.parametrize(
    ("day", "seq", "ticket"),
    [
        (date(2026, 11, 23), 1, "TS20261123-0001"),
        (date(2026, 1, 5), 42, "TS20260105-0042"),
        (date(2026, 1, 5), 12345, "TS20260105-12345"),
    ],
)
def test_ticket_number(day, seq, ticket):
    assert rules.ticket_number(day, seq) == ticket
    assert rules.is_ticket_number(ticket)


@pytest.mark.parametrize(
    "value", ["TS2026112-0001", "XX20261123-0001", "TS20261123-1", "TS20261123-0001 ", "1 OR 1=1", ""]
)
def test_not_a_ticket_number(value):
    assert not rules.is_ticket_number(value)


def test_ticket_sequence_starts_at_one():
    with pytest.raises(ValueError, match="seq"):
        rules.ticket_number(date(2026, 1, 1), 0)


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:eeee:dddd:cccc", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2::abcd", "2001:db8:1:2::/64"),
        ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
        ("::ffff:198.51.100.4", "198.51.100.4"),
        ("fe80::1%eth0", "fe80::/64"),
        ("not-an-ip", "not-an-ip"),
        ("", "unknown"),
    ],
)
def test_ip_rate_key_groups_ipv6_by_64(address, key):
    assert rules.ip_rate_key(address) == key


R, S, N, D = "received", "substantiated", "not_substantiated", "duplicate"


@pytest.mark.parametrize(
    ("status", "outcome", "dup", "hazard", "reward", "field"),
    [
        (R, S, None, False, False, None),
        (R, S, None, True, True, None),
        (R, N, None, False, False, None),
        (R, D, 7, False, False, None),
        (S, N, None, False, False, "outcome"),
        (D, D, 7, False, False, "outcome"),
        (R, D, None, False, False, "duplicate_of"),
        (R, S, 7, False, False, "duplicate_of"),
        (R, N, None, True, False, "open_hazard"),
        (R, D, 7, True, False, "open_hazard"),
        (R, N, None, False, True, "reward_yuan"),
    ],
)
def test_triage_problem(status, outcome, dup, hazard, reward, field):
    problem = rules.triage_problem(status, outcome, duplicate_of=dup, opens_hazard=hazard, has_reward=reward)
    assert (problem[0] if problem else None) == field


# --- public stage of a complaint (tracking page) -----------------------------------------


@pytest.mark.parametrize(
    ("complaint_status", "hazard_status", "stage"),
    [
        ("received", None, "received"),
        ("substantiated", None, "checked"),
        ("not_substantiated", None, "checked"),
        ("duplicate", None, "checked"),
        ("substantiated", "reported", "rectifying"),
        ("substantiated", "rectifying", "rectifying"),
        ("substantiated", "rectification_submitted", "rectifying"),
        ("substantiated", "verified_closed", "rectified"),
    ],
)
def test_public_stage_follows_complaint_then_hazard(complaint_status, hazard_status, stage):
    assert rules.public_stage(complaint_status, hazard_status) == stage


def test_stage_labels_read_as_the_complainant_expects():
    labels = [rules.STAGE_LABELS[s] for s in rules.stage_path("substantiated", "rectifying")]
    assert labels == ["已受理", "已核查", "整改中", "已整改"]


def test_a_complaint_that_opened_no_hazard_ends_at_the_check():
    assert rules.stage_path("not_substantiated", None) == (
        rules.PublicStage.received,
        rules.PublicStage.checked,
    )
    assert rules.stage_path("received", None)[-1] == rules.PublicStage.rectified


def test_payment_is_recorded_once_with_an_amount_and_not_in_the_future():
    day = date(2026, 12, 6)
    assert rules.payment_problem("pending", 200, day, as_of=day) is None
    assert rules.payment_problem("paid", 200, day, as_of=day)[0] == "status"
    assert rules.payment_problem("pending", None, day, as_of=day)[0] == "amount_yuan"
    assert rules.payment_problem("pending", 200, date(2026, 12, 7), as_of=day)[0] == "paid_on"


@pytest.mark.parametrize(
    ("token", "reg_no", "address", "named"),
    [
        ("tok", None, None, True),
        (None, "3101", "", True),
        (None, "", "人民路88号", True),
        (None, " ", "", False),
    ],
)
def test_a_complaint_names_its_device_by_label_registration_or_address(token, reg_no, address, named):
    assert rules.names_a_device(token, reg_no, address) is named


def test_a_photo_of_the_device_names_it_when_it_has_no_label():
    assert rules.names_a_device(None, "", "", ["a" * 64]) is True
    assert rules.names_a_device(None, "", "", []) is False


def test_triage_of_an_unlinked_complaint_needs_a_device_unless_not_substantiated():
    kwargs = {"duplicate_of": None, "opens_hazard": False, "needs_device": True}
    assert rules.triage_problem("received", "substantiated", **kwargs)[0] == "device_id"
    assert rules.triage_problem("received", "not_substantiated", **kwargs) is None
