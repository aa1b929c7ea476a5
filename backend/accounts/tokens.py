"""flask-jwt-extended wiring: identity, user lookup, revocation and 401 envelopes."""

from __future__ import annotations

from datetime import datetime
from uuid import uuid4

from flask import g
from flask_jwt_extended import JWTManager, create_access_token, create_refresh_token, decode_token
from sqlalchemy import bindparam, select

from backend.accounts.models import AuthSession, RevokedToken, User
from backend.core.clock import utcnow
from backend.core.db import prepared
from backend.core.errors import error_response
from backend.extensions import db

#: the session a token names and its user, read at every signed-in request
_session_and_user = prepared(
    select(AuthSession, User)
    .outerjoin(User, User.id == AuthSession.user_id)
    .where(AuthSession.id == bindparam("session_id"))
)


def _unauthorized(code: str, message: str):
    return error_response(401, code, message)


def register_jwt_callbacks(jwt: JWTManager) -> None:
    @jwt.user_identity_loader
    def _identity(user: User) -> str:
        return str(user.id)

    @jwt.additional_claims_loader
    def _claims(user: User) -> dict:
        return {"role": user.role}

    @jwt.user_lookup_loader
    def _lookup(_header: dict, data: dict) -> User | None:
        subject = str(data.get("sub", ""))
        if not subject.isdigit():
            return None
        user = g.pop("session_user", None)
        if user is None or user.id != int(subject):
            user = db.session.get(User, int(subject))
        return user if user is not None and user.active else None

    @jwt.token_in_blocklist_loader
    def _revoked(_header: dict, data: dict) -> bool:
        session_id = data.get("sid")
        if session_id is None:
            # minted outside a sign-in (tools, tests); a refresh token without a session
            # is refused as invalid by the refresh view
            return db.session.get(RevokedToken, data["jti"]) is not None
        row = db.session.execute(_session_and_user, {"session_id": str(session_id)}).first()
        if row is None:
            return True
        session, g.session_user = row  # the user lookup that follows takes it: one query, not two
        return session.ended_at is not None or str(session.user_id) != data.get("sub")

    jwt.unauthorized_loader(lambda _msg: _unauthorized("token_missing", "请先登录 (sign-in required)"))
    jwt.invalid_token_loader(lambda _msg: _unauthorized("token_invalid", "登录凭证无效 (invalid token)"))
    jwt.expired_token_loader(lambda _h, _d: _unauthorized("token_expired", "登录已过期 (token expired)"))
    jwt.revoked_token_loader(lambda _h, _d: _unauthorized("token_revoked", "登录已注销 (token revoked)"))
    jwt.user_lookup_error_loader(
        lambda _h, _d: _unauthorized("token_invalid", "账号不可用 (account unavailable)")
    )


def mint_tokens(user: User, session: AuthSession) -> tuple[str, str]:
    """A new access token and a new refresh token of the session; only that refresh token may refresh."""
    if session.refresh_jti:
        session.previous_refresh_jti, session.rotated_at = session.refresh_jti, utcnow()
    session.refresh_jti = uuid4().hex
    claims = {"sid": session.id}
    access = create_access_token(identity=user, additional_claims=claims)
    refresh = create_refresh_token(identity=user, additional_claims={**claims, "jti": session.refresh_jti})
    return access, refresh


def revoke(jti: str, expires_at: datetime) -> None:
    if db.session.get(RevokedToken, jti) is None:
        db.session.add(RevokedToken(jti=jti, expires_at=expires_at))


def revoke_encoded(token: str, owner_id: int) -> None:
    """Revoke a refresh token the client hands back at logout (if it is theirs)."""
    try:
        data = decode_token(token, allow_expired=True)
    except Exception:
        return
    if data.get("sub") == str(owner_id):
        revoke(data["jti"], datetime.fromtimestamp(data["exp"], tz=utcnow().tzinfo))
