"""Sign-in with throttling, sessions (refresh-token families), passwords."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from uuid import uuid4

from flask import current_app
from sqlalchemy import delete, func, select, update

from backend.accounts.models import AuthSession, LoginFailure, User, dummy_password_check
from backend.accounts.rules import ThrottlePolicy, common_passwords, login_refusal, password_weakness
from backend.accounts.tokens import mint_tokens, revoke, revoke_encoded
from backend.core.auth import Role
from backend.core.clock import utcnow
from backend.core.db import rows_affected
from backend.core.errors import AppError, NotFound, TooManyRequests
from backend.core.history import record_history
from backend.extensions import db


class InvalidCredentials(AppError):
    status = 401
    code = "invalid_credentials"
    message = "用户名或密码错误 (wrong username or password)"


class RefreshTokenReused(AppError):
    status = 401
    code = "refresh_token_reused"
    message = "登录凭证已被使用过，此会话已结束，请重新登录 (refresh token reused; session ended)"


class WeakPassword(AppError):
    status = 422
    code = "weak_password"


class WrongPassword(AppError):
    status = 422
    code = "wrong_password"
    message = "原密码不正确 (the current password is wrong)"


# --- signing in ---------------------------------------------------------------------


def _policy() -> ThrottlePolicy:
    config = current_app.config
    return ThrottlePolicy(
        client_failures=config["LOGIN_MAX_FAILURES"],
        window=timedelta(minutes=config["LOGIN_LOCK_MINUTES"]),
        username_failures=config["LOGIN_SLOWDOWN_FAILURES"],
        slowdown=timedelta(seconds=config["LOGIN_SLOWDOWN_SECONDS"]),
    )


def _serialize_attempts(username: str) -> None:
    """Count-then-record must not interleave for one name. SQLite: the request already holds
    the write lock (BEGIN IMMEDIATE); PostgreSQL: a transaction-scoped advisory lock on the name."""
    if db.session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(username.encode()).digest()[:8], "big", signed=True)
        db.session.execute(select(func.pg_advisory_xact_lock(key)))


def _check_throttle(username: str, client: str, now: datetime) -> None:
    policy = _policy()
    recent = LoginFailure.username == username, LoginFailure.at >= now - policy.window
    mine = (*recent, LoginFailure.client == client)
    client_failures, last_mine = db.session.execute(
        select(func.count(), func.max(LoginFailure.at)).where(*mine)
    ).one()
    username_failures = db.session.scalar(select(func.count()).where(*recent)) or 0
    refusal = login_refusal(policy, now, client_failures or 0, username_failures, last_mine)
    if refusal is None:
        return
    seconds = max(1, int(refusal.retry_after.total_seconds()))
    if refusal.code == "login_locked":
        message = "此设备登录失败次数过多，请15分钟后再试 (too many failed sign-ins from here, try later)"
    else:
        message = f"登录尝试过于频繁，请{seconds}秒后再试 (too many sign-in attempts, wait {seconds} s)"
    raise TooManyRequests(message, code=refusal.code, details={"retry_after": seconds})


def authenticate(username: str, password: str, client: str) -> User:
    """Check a password, throttled per (username, client); unknown names cost the same hash work."""
    now = utcnow()
    _serialize_attempts(username)
    _check_throttle(username, client, now)
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        dummy_password_check(password)  # as slow as a real check: names cannot be told by timing
        ok = False
    else:
        ok = user.check_password(password) and user.active
    if user is None or not ok:
        db.session.add(LoginFailure(username=username, client=client, at=now))
        raise InvalidCredentials()
    # only this client's count: the owner signing in must not reset a guesser's lockout elsewhere
    db.session.execute(
        delete(LoginFailure).where(LoginFailure.username == username, LoginFailure.client == client)
    )
    return user


def start_session(user: User, client: str, user_agent: str) -> tuple[str, str]:
    """A new session (token family) for a signed-in user: its access and refresh tokens."""
    now = utcnow()
    session = AuthSession(
        id=uuid4().hex,
        user_id=user.id,
        created_at=now,
        last_used_at=now,
        expires_at=now + current_app.config["JWT_REFRESH_TOKEN_EXPIRES"],
        client=client[:64],
        user_agent=user_agent[:200],
    )
    tokens = mint_tokens(user, session)
    db.session.add(session)
    return tokens


def refresh_session(user: User, jwt_data: dict) -> tuple[str, str]:
    """Rotate: the presented refresh token must be the session's latest; an older one ends the session."""
    if jwt_data.get("sid") is None:
        raise InvalidCredentials("登录凭证无效 (invalid token)", code="token_invalid")
    session = _locked_session(jwt_data["sid"])
    if session is None or session.ended_at is not None or session.user_id != user.id:
        raise InvalidCredentials("登录已注销 (session ended)", code="token_revoked")
    if jwt_data["jti"] != session.refresh_jti and not _within_rotation_grace(session, jwt_data["jti"]):
        _end(session, "reuse")
        raise RefreshTokenReused()
    session.last_used_at = utcnow()
    session.expires_at = session.last_used_at + current_app.config["JWT_REFRESH_TOKEN_EXPIRES"]
    return mint_tokens(user, session)


def _within_rotation_grace(session: AuthSession, jti: str) -> bool:
    """The token just replaced, presented again within seconds: two tabs refreshing at once."""
    grace = current_app.config["REFRESH_REUSE_GRACE"]
    return (
        jti == session.previous_refresh_jti
        and session.rotated_at is not None
        and utcnow() - session.rotated_at <= grace
    )


def _locked_session(session_id: object) -> AuthSession | None:
    if session_id is None:
        return None
    query = select(AuthSession).where(AuthSession.id == str(session_id)).with_for_update()
    return db.session.scalar(query)


def _end(session: AuthSession, reason: str) -> None:
    if session.ended_at is None:
        session.ended_at = utcnow()
        session.ended_reason = reason


def end_sessions(user_id: int, reason: str, *, keep: str | None = None) -> int:
    """End every live session of a user (but `keep`); their access and refresh tokens stop working."""
    query = (
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.ended_at.is_(None))
        .values(ended_at=utcnow(), ended_reason=reason)
    )
    if keep is not None:
        query = query.where(AuthSession.id != keep)
    return rows_affected(db.session.execute(query))


def sign_out(user: User, jwt_data: dict, refresh_token: str | None) -> None:
    """End the session of the access token in use, whatever else the client sends."""
    session = db.session.get(AuthSession, str(jwt_data.get("sid") or ""))
    if session is not None and session.user_id == user.id:
        _end(session, "logout")
    else:
        revoke(jwt_data["jti"], datetime.fromtimestamp(jwt_data["exp"], tz=utcnow().tzinfo))
    if refresh_token:
        revoke_encoded(refresh_token, user.id)


def live_sessions(user: User) -> list[AuthSession]:
    query = (
        select(AuthSession)
        .where(
            AuthSession.user_id == user.id,
            AuthSession.ended_at.is_(None),
            AuthSession.expires_at > utcnow(),
        )
        .order_by(AuthSession.last_used_at.desc())
    )
    return list(db.session.scalars(query))


def end_own_session(user: User, session_id: str) -> None:
    session = db.session.get(AuthSession, session_id)
    if session is None or session.user_id != user.id or session.ended_at is not None:
        raise NotFound("没有这个会话 (no such session)")
    _end(session, "signed_out")


# --- passwords ----------------------------------------------------------------------

#: no 0/O, 1/l/I: read aloud or copied from paper without mistakes
_OTP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def one_time_password() -> str:
    groups = ("".join(secrets.choice(_OTP_ALPHABET) for _ in range(4)) for _ in range(3))
    return "-".join(groups)


def check_strength(password: str, username: str) -> None:
    problem = password_weakness(password, username, common_passwords())
    if problem:
        raise WeakPassword(problem, details={"fields": {"new_password": [problem]}})


def change_password(user: User, jwt_data: dict, old_password: str, new_password: str) -> None:
    """Set one's own password; every other session of the user ends."""
    if not user.check_password(old_password):
        raise WrongPassword(details={"fields": {"old_password": [WrongPassword.message]}})
    check_strength(new_password, user.username)
    if user.check_password(new_password):
        raise WeakPassword("新密码不能与原密码相同 (must differ from the current password)")
    user.set_password(new_password)
    was_one_time = user.must_change_password
    user.must_change_password = False
    end_sessions(user.id, "password_changed", keep=jwt_data.get("sid"))
    record_history(
        "user", user.id, user, {"password": (None, "changed")}, "一次性密码已更换" if was_one_time else ""
    )


def give_one_time_password(user: User) -> str:
    """A new password the user must replace at next sign-in; their sessions end."""
    password = one_time_password()
    user.set_password(password)
    user.must_change_password = True
    if user.id is not None:
        end_sessions(user.id, "password_reset")
    return password


def create_user(
    username: str,
    password: str,
    role: Role,
    *,
    display_name: str = "",
    enterprise_id: int | None = None,
    zone_id: int | None = None,
    person_id: int | None = None,
) -> User:
    user = User(
        username=username,
        role=role,
        display_name=display_name or username,
        enterprise_id=enterprise_id,
        zone_id=zone_id,
        person_id=person_id,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user
