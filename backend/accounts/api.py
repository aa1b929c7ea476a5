"""Sign in, refresh, sign out, who am I."""

from flask_jwt_extended import (
    create_access_token,
    create_refresh_token,
    current_user,
    get_jwt,
    jwt_required,
)
from flask_smorest import Blueprint

from backend.accounts import services
from backend.accounts.schemas import (
    AccessTokenSchema,
    LoginSchema,
    LogoutSchema,
    TokensSchema,
    UserSchema,
)
from backend.core.auth import require_roles
from backend.core.schemas import EmptySchema
from backend.extensions import db, limiter

bp = Blueprint("auth", __name__, url_prefix="/api/auth", description="登录与令牌")


@bp.post("/login")
@limiter.limit("30 per minute")
@bp.arguments(LoginSchema)
@bp.response(200, TokensSchema)
def login(body: dict) -> dict:
    """Sign in with username and password."""
    try:
        user = services.authenticate(body["username"], body["password"])
    finally:
        db.session.commit()  # failed attempts are recorded even when refused
    return {
        "access_token": create_access_token(identity=user),
        "refresh_token": create_refresh_token(identity=user),
        "user": user,
    }


@bp.post("/refresh")
@jwt_required(refresh=True)
@bp.response(200, AccessTokenSchema)
def refresh() -> dict:
    """Exchange a refresh token (as Bearer) for a new access token."""
    return {"access_token": create_access_token(identity=current_user)}


@bp.post("/logout")
@require_roles()
@bp.arguments(LogoutSchema)
@bp.response(200, EmptySchema)
def logout(body: dict) -> dict:
    """Revoke the access token in use and the given refresh token."""
    services.sign_out(current_user, get_jwt(), body.get("refresh_token"))
    db.session.commit()
    return {}


@bp.get("/me")
@require_roles()
@bp.response(200, UserSchema)
def me():
    """The signed-in user."""
    return current_user
