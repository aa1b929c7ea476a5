"""Roles and the coarse role check for views; fine-grained scope lives in services."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any

from flask_jwt_extended import current_user, verify_jwt_in_request

from backend.core.db import reads_before_writing
from backend.core.errors import Forbidden
from backend.core.schemas import dumping_for
from backend.extensions import db


class Role(StrEnum):
    bureau_admin = "bureau_admin"
    inspector = "inspector"
    safety_manager = "safety_manager"
    block_supervisor = "block_supervisor"
    #: a maintenance company's (维保单位) administrator and its workers
    maintenance_admin = "maintenance_admin"
    maintenance_worker = "maintenance_worker"


ALL_ROLES = tuple(Role)
REGULATORS = (Role.bureau_admin, Role.inspector)
MAINTAINERS = (Role.maintenance_admin, Role.maintenance_worker)
#: who may manage accounts: the regulators, and a maintenance company's admin its own workers
USER_ADMINS = (*REGULATORS, Role.maintenance_admin)


class PasswordChangeRequired(Forbidden):
    code = "password_change_required"
    message = "请先设置新密码 (set a new password first)"


def require_roles(*roles: Role, before_password_change: bool = False) -> Callable:
    """Require a valid access token and, when roles are given, one of them (else 403).

    A user signed in with a one-time password is refused (403 password_change_required)
    everywhere except the views marked `before_password_change` (set a password, sign out).
    """
    allowed = set(roles or ALL_ROLES)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with reads_before_writing(db.session()):
                verify_jwt_in_request()
                if current_user.must_change_password and not before_password_change:
                    raise PasswordChangeRequired()
                if current_user.role not in allowed:
                    raise Forbidden("当前角色无权执行此操作 (role not allowed)", code="forbidden_role")
            return view(*args, **kwargs)

        return wrapper

    return decorator


def dumped_for_current_user(view: Callable) -> Callable:
    """The view's response schema dumps for the signed-in user (`core.schemas.viewer`).
    Goes under `require_roles` (the user is known) and above `response` (it wraps the dump)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with dumping_for(current_user._get_current_object()):
            return view(*args, **kwargs)

    return wrapper


def optional_user() -> Any | None:
    """The signed-in user if a valid token was sent, else None (public endpoints)."""
    verify_jwt_in_request(optional=True)
    if not current_user or current_user.must_change_password:
        return None
    return current_user
