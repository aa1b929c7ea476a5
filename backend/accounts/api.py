"""Sign in, refresh, sign out, passwords, my sessions; user administration."""

from flask import Response, request
from flask_jwt_extended import current_user, get_jwt, jwt_required
from flask_smorest import Blueprint

from backend.accounts import admin, bulk, services
from backend.accounts.schemas import (
    AdminUserPageSchema,
    AdminUserSchema,
    BulkQuerySchema,
    ChangePasswordSchema,
    EndedSessionsSchema,
    LoginSchema,
    LogoutSchema,
    NewUserListSchema,
    NewUserSchema,
    OneTimePasswordSchema,
    RefreshedTokensSchema,
    SessionListSchema,
    TokensSchema,
    UserCreateSchema,
    UserPatchSchema,
    UserQuerySchema,
    UserSchema,
)
from backend.core.auth import REGULATORS, USER_ADMINS, Role, require_roles
from backend.core.clients import ip_rate_key
from backend.core.exports import xlsx_response
from backend.core.history import HistoryEntrySchema
from backend.core.schemas import EmptySchema
from backend.extensions import db, limiter

bp = Blueprint("auth", __name__, url_prefix="/api/auth", description="登录与令牌")
users_bp = Blueprint("users", __name__, url_prefix="/api/users", description="用户管理")


def _client() -> str:
    return ip_rate_key(request.remote_addr or "")


@bp.post("/login")
@limiter.limit("30 per minute")
@bp.arguments(LoginSchema)
@bp.response(200, TokensSchema)
def login(body: dict) -> dict:
    """Sign in with username and password.

    Failures are throttled per username and client: 5 from one client lock that client out of the
    name for 15 minutes (429 `login_locked`); a name failed often from many clients slows every
    client to one try per 30 s (429 `login_slowed`, `details.retry_after`). With a one-time password
    `user.must_change_password` is true and the session may only set a password.
    """
    try:
        user = services.authenticate(body["username"], body["password"], _client())
        access, refresh = services.start_session(user, _client(), request.headers.get("User-Agent", ""))
    finally:
        db.session.commit()  # failed attempts are recorded even when refused
    return {"access_token": access, "refresh_token": refresh, "user": user}


@bp.post("/refresh")
@jwt_required(refresh=True)
@bp.response(200, RefreshedTokensSchema)
def refresh() -> dict:
    """Exchange the session's refresh token (as Bearer) for a new access token and refresh token.

    Each refresh token works once. Presenting a spent one (a copy someone kept) ends the whole
    session: 401 `refresh_token_reused`.
    """
    try:
        access, refresh = services.refresh_session(current_user, get_jwt())
    finally:
        db.session.commit()  # a detected reuse ends the session even though the request fails
    return {"access_token": access, "refresh_token": refresh}


@bp.post("/logout")
@require_roles(before_password_change=True)
@bp.arguments(LogoutSchema)
@bp.response(200, EmptySchema)
def logout(body: dict) -> dict:
    """End the session of the access token in use (its refresh token stops working too)."""
    services.sign_out(current_user, get_jwt(), body.get("refresh_token"))
    db.session.commit()
    return {}


@bp.get("/me")
@require_roles(before_password_change=True)
@bp.response(200, UserSchema)
def me():
    """The signed-in user."""
    return current_user


@bp.post("/password")
@require_roles(before_password_change=True)
@bp.arguments(ChangePasswordSchema)
@bp.response(200, UserSchema)
def change_password(body: dict):
    """Change one's own password (also replaces a one-time password). Other sessions end.

    422 `weak_password`: shorter than 10, containing the username, or a common password;
    422 `wrong_password`: the old password is wrong.
    """
    services.change_password(current_user, get_jwt(), body["old_password"], body["new_password"])
    db.session.commit()
    return current_user


@bp.get("/sessions")
@require_roles()
@bp.response(200, SessionListSchema)
def my_sessions() -> dict:
    """My signed-in devices (live sessions), most recently used first."""
    current = get_jwt().get("sid")
    sessions = services.live_sessions(current_user)
    for session in sessions:
        session.current = session.id == current
    return {"items": sessions}


@bp.delete("/sessions/<string:session_id>")
@require_roles()
@bp.response(200, EmptySchema)
def end_my_session(session_id: str) -> dict:
    """Sign one of my sessions out (another phone, or this one)."""
    services.end_own_session(current_user, session_id)
    db.session.commit()
    return {}


@bp.delete("/sessions")
@require_roles()
@bp.response(200, EndedSessionsSchema)
def end_all_my_sessions() -> dict:
    """Sign out everywhere, this session included."""
    ended = services.end_sessions(current_user.id, "signed_out_everywhere")
    db.session.commit()
    return {"ended": ended}


# --- administration -----------------------------------------------------------------


@users_bp.get("")
@require_roles(*USER_ADMINS)
@users_bp.arguments(UserQuerySchema, location="query")
@users_bp.response(200, AdminUserPageSchema)
def list_users(query: dict):
    """Users I manage: the bureau all, a zone inspector the accounts of their zone's enterprises."""
    return admin.list_users(
        current_user, query["q"], query["role"], query["active"], query["page"], query["per_page"]
    )


@users_bp.post("")
@require_roles(*USER_ADMINS)
@users_bp.arguments(UserCreateSchema)
@users_bp.response(201, NewUserSchema)
def create_user(body: dict):
    """Create a user with a one-time password (shown only in this answer).

    A zone inspector may create safety managers and block supervisors of their zone's enterprises.
    """
    created = admin.create_user(current_user, body)
    db.session.commit()
    return created


@users_bp.post("/bulk")
@require_roles(*REGULATORS)
@users_bp.arguments(BulkQuerySchema, location="query")
@users_bp.response(201, NewUserListSchema)
@users_bp.alt_response(
    201,
    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    description="with format=xlsx",
)
def create_users_from_sheet(query: dict):
    """Create users from an XLSX sent as the request body: all rows or none.

    Columns after a header row: 用户名, 姓名, 角色 (code or Chinese name), 辖区 (name or id; for an
    enterprise account only checked against its enterprise's zone),
    企业统一社会信用代码, 电话. Any bad row: 422 `bulk_rejected`, `details.rows` = [{row, username, errors}].
    """
    created = bulk.create_from_sheet(current_user, request.get_data(cache=False))
    db.session.commit()
    if query["format"] == "xlsx":
        return _handout_sheet(created)
    return {"items": created}


def _handout_sheet(created: list[admin.NewUser]) -> Response:
    header = ("用户名", "姓名", "角色", "一次性密码")
    rows = [
        (n.user.username, n.user.display_name, bulk.ROLE_TITLES[Role(n.user.role)], n.one_time_password)
        for n in created
    ]
    response = xlsx_response("新用户一次性密码", header, rows, fallback="new-users")
    response.status_code = 201
    response.headers["Cache-Control"] = "no-store"
    return response


@users_bp.get("/<int:user_id>")
@require_roles(*USER_ADMINS)
@users_bp.response(200, AdminUserSchema)
def get_user(user_id: int):
    return admin.get_user(current_user, user_id)


@users_bp.patch("/<int:user_id>")
@require_roles(*USER_ADMINS)
@users_bp.arguments(UserPatchSchema)
@users_bp.response(200, AdminUserSchema)
def update_user(body: dict, user_id: int):
    """Change display name, phone, role, zone, enterprise or active; each change is in the history.

    Deactivating, or changing role, zone or enterprise, ends the user's sessions at once.
    """
    user = admin.update_user(current_user, user_id, body)
    db.session.commit()
    return user


@users_bp.post("/<int:user_id>/reset-password")
@require_roles(*USER_ADMINS)
@users_bp.response(200, OneTimePasswordSchema)
def reset_password(user_id: int) -> dict:
    """A new one-time password (shown once); the user's sessions end."""
    password = admin.reset_password_of(current_user, user_id)
    db.session.commit()
    return {"one_time_password": password}


@users_bp.get("/<int:user_id>/history")
@require_roles(*USER_ADMINS)
@users_bp.response(200, HistoryEntrySchema(many=True))
def user_history(user_id: int):
    """Every administrative change of the user, newest first."""
    return admin.user_history(current_user, user_id)
