"""Sign-in with throttling, token revocation, and account management."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from backend.accounts.models import LoginFailure, User
from backend.accounts.tokens import revoke, revoke_encoded
from backend.core.auth import Role
from backend.core.clock import utcnow
from backend.core.errors import AppError, TooManyRequests
from backend.extensions import db


class InvalidCredentials(AppError):
    status = 401
    code = "invalid_credentials"
    message = "用户名或密码错误 (wrong username or password)"


def _recent_failures(username: str, since: datetime) -> int:
    query = select(func.count()).where(LoginFailure.username == username, LoginFailure.at >= since)
    return db.session.scalar(query) or 0


def authenticate(username: str, password: str) -> User:
    """Check a password; after too many failures the account is locked for a while."""
    window = timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    max_failures = current_app.config["LOGIN_MAX_FAILURES"]
    if _recent_failures(username, utcnow() - window) >= max_failures:
        raise TooManyRequests(
            "登录失败次数过多，请15分钟后再试 (too many failed sign-ins, try later)",
            code="login_locked",
        )
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or not user.check_password(password):
        db.session.add(LoginFailure(username=username))
        raise InvalidCredentials()
    db.session.execute(delete(LoginFailure).where(LoginFailure.username == username))
    return user


def sign_out(user: User, jwt_data: dict, refresh_token: str | None) -> None:
    """Revoke the access token in use and, if given, the refresh token."""
    revoke(jwt_data["jti"], datetime.fromtimestamp(jwt_data["exp"], tz=utcnow().tzinfo))
    if refresh_token:
        revoke_encoded(refresh_token, user.id)


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
