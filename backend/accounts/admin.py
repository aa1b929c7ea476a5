"""User administration: the bureau manages every account, a zone inspector its enterprises' accounts.

Every change is in the user's history (core.history, entity "user"), written in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, or_, select

from backend.accounts.models import User
from backend.accounts.rules import (
    INSPECTOR_MANAGES,
    MAINTENANCE_ADMIN_MANAGES,
    USERNAME_PATTERN,
    placement_problems,
)
from backend.accounts.services import end_sessions, give_one_time_password
from backend.core.auth import MAINTAINERS, REGULATORS, Role
from backend.core.errors import Forbidden, InvalidState, NotFound, ValidationFailed
from backend.core.history import HistoryEntry, assign_with_history, history_of, record_history
from backend.core.pagination import Page, paginate
from backend.extensions import db
from backend.org.models import Enterprise, Person, Zone

#: fields whose change ends the user's sessions (their scope changes; the phone signs in again)
SCOPE_FIELDS = ("role", "zone_id", "enterprise_id")


@dataclass
class NewUser:
    user: User
    one_time_password: str


def _scoped(actor: User) -> Select:
    query = select(User)
    if actor.role == Role.bureau_admin:
        return query
    if actor.role == Role.maintenance_admin:
        return query.where(
            User.enterprise_id == actor.enterprise_id, User.role.in_(MAINTENANCE_ADMIN_MANAGES)
        )
    return query.join(Enterprise, User.enterprise_id == Enterprise.id).where(
        Enterprise.zone_id == actor.zone_id
    )


def list_users(
    actor: User, search: str, role: str | None, active: bool | None, page: int, per_page: int
) -> Page:
    query = _scoped(actor)
    if search:
        pattern = f"%{search.strip()}%"
        query = query.where(or_(User.username.ilike(pattern), User.display_name.ilike(pattern)))
    if role:
        query = query.where(User.role == role)
    if active is not None:
        query = query.where(User.active.is_(active))
    return paginate(query.order_by(User.username), page, per_page)


def get_user(actor: User, user_id: int) -> User:
    user = db.session.scalar(_scoped(actor).where(User.id == user_id))
    if user is None:
        raise NotFound("用户不存在 (no such user)")
    return user


def _check_placement(actor: User | None, role: Role, zone_id: int | None, enterprise_id: int | None) -> None:
    """Role, zone and enterprise agree, exist, and lie within what the actor manages."""
    inspector = actor is not None and actor.role == Role.inspector
    if inspector and role not in INSPECTOR_MANAGES:
        message = "检查员只能管理企业安全员和街区监督员 (inspectors manage enterprise accounts only)"
        raise Forbidden(message, code="forbidden_role")
    if actor is not None and actor.role == Role.maintenance_admin:
        _check_company_admin_placement(actor, role, enterprise_id)
    problems = placement_problems(role, zone_id, enterprise_id)
    if zone_id is not None and "zone_id" not in problems and db.session.get(Zone, zone_id) is None:
        problems["zone_id"] = "辖区不存在 (no such zone)"
    if enterprise_id is not None and "enterprise_id" not in problems:
        enterprise = db.session.get(Enterprise, enterprise_id)
        if enterprise is None or (inspector and actor and enterprise.zone_id != actor.zone_id):
            problems["enterprise_id"] = "本辖区没有这家企业 (no such enterprise in your zone)"
        elif role in MAINTAINERS and "maintainer" not in enterprise.role_list:
            problems["enterprise_id"] = "该企业不是维保单位 (not a maintenance company)"
    if problems:
        raise ValidationFailed(details={"fields": {k: [v] for k, v in problems.items()}})


def _check_company_admin_placement(actor: User, role: Role, enterprise_id: int | None) -> None:
    """A maintenance company's admin manages its own workers, nobody else."""
    if role not in MAINTENANCE_ADMIN_MANAGES:
        raise Forbidden(
            "维保单位管理员只能管理本单位维保人员 (company admins manage their workers only)",
            code="forbidden_role",
        )
    if enterprise_id != actor.enterprise_id:
        raise ValidationFailed(
            details={"fields": {"enterprise_id": ["只能是本单位 (your own company only)"]}}
        )


def _check_person(user_id: int | None, person_id: int | None, enterprise_id: int | None) -> None:
    """The account's person record (人员档案, whose certificates make a supervisor eligible) is on
    the staff of the account's own enterprise and belongs to no other active account."""
    if person_id is None:
        return
    person = db.session.get(Person, person_id)
    problem = None
    if person is None or enterprise_id is None or person.enterprise_id != enterprise_id:
        problem = "该企业没有这名人员 (no such person in this enterprise)"
    elif person.left_on is not None:
        problem = "该人员已离职 (this person has left)"
    elif db.session.scalar(
        select(User.id).where(User.person_id == person_id, User.active.is_(True), User.id != (user_id or 0))
    ):
        problem = "该人员已有账号 (this person already has an account)"
    if problem:
        raise ValidationFailed(details={"fields": {"person_id": [problem]}})


def _refuse_relinking(actor: User, user: User, person_id: int | None) -> None:
    """An account's person carries the certificates its work is accepted on: a company may link an
    account to its person once, but moving it to another person (one certified worker's certificate
    lent to other accounts) is a regulator's act."""
    if actor.role in REGULATORS or user.person_id is None or person_id == user.person_id:
        return
    raise Forbidden(
        "账号已关联人员，改关联须由监管部门办理 (only a regulator re-links an account to another person)"
    )


def _check_username_free(username: str) -> None:
    if not USERNAME_PATTERN.match(username):
        message = "用户名为3–60位字母、数字或 _ . @ - (3–60 letters, digits or _ . @ -)"
        raise ValidationFailed(details={"fields": {"username": [message]}})
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ValidationFailed(
            "用户名已被使用 (username taken)",
            code="username_taken",
            details={"fields": {"username": ["用户名已被使用 (username taken)"]}},
        )


def create_user(actor: User | None, data: Mapping[str, Any]) -> NewUser:
    """A new account with a one-time password (shown once); `actor` None is the command line."""
    role = Role(data["role"])  # actor None: the command line, which manages everything
    _check_placement(actor, role, data.get("zone_id"), data.get("enterprise_id"))
    _check_username_free(data["username"])
    _check_person(None, data.get("person_id"), data.get("enterprise_id"))
    user = User(active=True)
    password = give_one_time_password(user)
    values = {
        "username": data["username"],
        "display_name": data.get("display_name") or data["username"],
        "role": role.value,
        "zone_id": data.get("zone_id"),
        "enterprise_id": data.get("enterprise_id"),
        "person_id": data.get("person_id"),
        "phone": data.get("phone") or "",
    }
    db.session.add(user)
    assign_with_history(user, "user", values, actor, "创建账号 (account created)")
    return NewUser(user, password)


def update_user(actor: User, user_id: int, changes: Mapping[str, Any]) -> User:
    user = get_user(actor, user_id)
    merged = {
        "role": Role(changes.get("role", user.role)),
        "zone_id": changes.get("zone_id", user.zone_id),
        "enterprise_id": changes.get("enterprise_id", user.enterprise_id),
    }
    if any(field in changes for field in SCOPE_FIELDS):
        _check_placement(actor, merged["role"], merged["zone_id"], merged["enterprise_id"])
    changes = _person_follows_enterprise(user, changes, merged["enterprise_id"])
    if "person_id" in changes:
        _refuse_relinking(actor, user, changes["person_id"])
        _check_person(user.id, changes["person_id"], merged["enterprise_id"])
    if user.id == actor.id and (changes.get("active") is False or "role" in changes):
        raise InvalidState(
            "不能停用自己或更改自己的角色 (you cannot deactivate yourself or change your own role)"
        )
    values = {field: value for field, value in changes.items() if field != "reason"}
    if "role" in values:
        values["role"] = merged["role"].value
    changed = assign_with_history(user, "user", values, actor, changes.get("reason") or "")
    if changed.get("active", (None, True))[1] is False:
        end_sessions(user.id, "deactivated")
    elif any(field in changed for field in SCOPE_FIELDS):
        end_sessions(user.id, "scope_changed")
    return user


def _person_follows_enterprise(
    user: User, changes: Mapping[str, Any], enterprise_id: int | None
) -> Mapping[str, Any]:
    """An account moved to another enterprise leaves the old one's person (and certificates) behind."""
    moved = "enterprise_id" in changes and "person_id" not in changes
    if moved and user.person is not None and user.person.enterprise_id != enterprise_id:
        return {**changes, "person_id": None}
    return changes


def reset_password(actor: User | None, user: User) -> str:
    password = give_one_time_password(user)
    record_history("user", user.id, actor, {"password": (None, "reset")}, "重置密码 (password reset)")
    return password


def reset_password_of(actor: User, user_id: int) -> str:
    return reset_password(actor, get_user(actor, user_id))


def user_history(actor: User, user_id: int) -> list[HistoryEntry]:
    return history_of("user", get_user(actor, user_id).id)
