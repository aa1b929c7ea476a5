"""Self-hosted proof of work for the anonymous complaint intake (no third-party captcha):
a signed challenge, and spending a solution once."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from backend.complaints import rules
from backend.complaints.keys import pow_key
from backend.complaints.models import SpentChallenge
from backend.complaints.rules import PowProblem
from backend.core.clock import utcnow
from backend.core.errors import AppError
from backend.extensions import db

DEFAULT_POW_BITS = 18
DEFAULT_POW_TTL_SECONDS = 600


def _setting(name: str, default: int) -> int:
    return int(current_app.config.get(name, default))


def issue_challenge() -> dict:
    """A signed challenge: find a nonce with sha256(challenge + nonce) ≥ difficulty zero bits."""
    now = int(utcnow().timestamp())
    ttl = _setting("COMPLAINT_POW_TTL_SECONDS", DEFAULT_POW_TTL_SECONDS)
    bits = _setting("COMPLAINT_POW_BITS", DEFAULT_POW_BITS)
    challenge = rules.make_challenge(pow_key(), now=now, ttl=ttl, bits=bits, salt=secrets.token_hex(12))
    return {
        "challenge": challenge,
        "difficulty": bits,
        "expires_at": datetime.fromtimestamp(now + ttl, tz=UTC),
    }


POW_MESSAGES = {
    PowProblem.required: "请先完成人机验证 (proof of work required)",
    PowProblem.invalid: "人机验证无效 (challenge not issued by us)",
    PowProblem.expired: "人机验证已过期，请重新获取 (challenge expired)",
    PowProblem.too_easy: "人机验证难度不足，请重新获取 (challenge too easy)",
    PowProblem.unsolved: "人机验证未通过 (nonce does not solve the challenge)",
    PowProblem.reused: "人机验证已使用，请重新获取 (challenge already used)",
}


def _pow_error(problem: PowProblem) -> AppError:
    return AppError(POW_MESSAGES[problem], code=problem.value)


def spend_pow(pow_data: dict | None) -> None:
    """Check a solution (signature, expiry, difficulty, work) and mark it used (400 otherwise)."""
    if not pow_data:
        raise _pow_error(PowProblem.required)
    now = utcnow()
    problem = rules.pow_problem(
        pow_key(),
        pow_data["challenge"],
        pow_data["nonce"],
        now=int(now.timestamp()),
        min_bits=_setting("COMPLAINT_POW_BITS", DEFAULT_POW_BITS),
    )
    if problem:
        raise _pow_error(problem)
    terms = rules.parse_challenge(pow_key(), pow_data["challenge"])
    if terms is None:  # pragma: no cover - pow_problem checked the signature
        raise _pow_error(PowProblem.invalid)
    db.session.execute(delete(SpentChallenge).where(SpentChallenge.expires_at < now))
    digest = hashlib.sha256(pow_data["challenge"].encode()).hexdigest()
    if db.session.get(SpentChallenge, digest) is not None:
        raise _pow_error(PowProblem.reused)
    try:
        with db.session.begin_nested():
            db.session.add(
                SpentChallenge(digest=digest, expires_at=datetime.fromtimestamp(terms.expires, tz=UTC))
            )
    except IntegrityError as exc:  # a concurrent submission spent it first
        raise _pow_error(PowProblem.reused) from exc
