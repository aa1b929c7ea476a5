"""Pure account rules: password strength, which role needs which place, sign-in throttling.

No Flask, no database, no clock: the common-password list, counts and times are arguments.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

from backend.core.auth import Role

MIN_PASSWORD_LENGTH = 10
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
_EDGE_NOISE = string.digits + string.punctuation + " "


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def password_weakness(password: str, username: str, common: frozenset[str]) -> str | None:
    """Why a password is too weak (a Chinese message with English), or None when it will do."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"密码至少需要{MIN_PASSWORD_LENGTH}个字符 (at least {MIN_PASSWORD_LENGTH} characters)"
    lowered, name = password.lower(), username.strip().lower()
    if name and name in lowered:
        return "密码不能包含用户名 (must not contain the username)"
    core = lowered.strip(_EDGE_NOISE)
    if lowered in common or (core and core in common) or len(set(lowered)) <= 2:
        return "密码过于常见，请换一个不易猜到的密码 (too common, choose one that is hard to guess)"
    return None


#: role → (needs a zone, needs an enterprise)
PLACE_OF_ROLE: dict[Role, tuple[bool, bool]] = {
    Role.bureau_admin: (False, False),
    Role.inspector: (True, False),
    Role.safety_manager: (False, True),
    Role.block_supervisor: (False, True),
    Role.maintenance_admin: (False, True),
    Role.maintenance_worker: (False, True),
}

#: what a zone inspector may create or manage: enterprise accounts of their own zone
INSPECTOR_MANAGES = (
    Role.safety_manager,
    Role.block_supervisor,
    Role.maintenance_admin,
    Role.maintenance_worker,
)
#: what a maintenance company's admin may create or manage: its own workers
MAINTENANCE_ADMIN_MANAGES = (Role.maintenance_worker,)


def placement_problems(role: Role, zone_id: int | None, enterprise_id: int | None) -> dict[str, str]:
    """Field → message for a role whose zone or enterprise is missing or not allowed."""
    needs_zone, needs_enterprise = PLACE_OF_ROLE[role]
    problems: dict[str, str] = {}
    if needs_zone and zone_id is None:
        problems["zone_id"] = "监察员必须属于一个辖区 (an inspector needs a zone)"
    if not needs_zone and zone_id is not None:
        problems["zone_id"] = "该角色不属于辖区 (this role has no zone)"
    if needs_enterprise and enterprise_id is None:
        problems["enterprise_id"] = "企业用户必须属于一家企业 (this role needs an enterprise)"
    if not needs_enterprise and enterprise_id is not None:
        problems["enterprise_id"] = "该角色不属于企业 (this role has no enterprise)"
    return problems


USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.@-]{3,60}$")


@dataclass(frozen=True)
class ThrottlePolicy:
    #: failures of one username from one client before that client is locked out of it
    client_failures: int
    window: timedelta
    #: failures of one username from all clients before every client is slowed down
    username_failures: int
    #: while slowed down, one attempt per client per this long
    slowdown: timedelta


@dataclass(frozen=True)
class LoginRefusal:
    code: str
    retry_after: timedelta


def login_refusal(
    policy: ThrottlePolicy,
    now: datetime,
    client_failures: int,
    username_failures: int,
    last_client_failure: datetime | None,
) -> LoginRefusal | None:
    """Whether this client may try this username now.

    The client that failed too often is locked out of the name; a name failed often from many
    clients (a spread-out guesser) slows every client to one try per `slowdown`, so the real
    owner, on a client of their own, is slowed but never locked out.
    """
    if client_failures >= policy.client_failures:
        return LoginRefusal("login_locked", policy.window)
    if username_failures >= policy.username_failures and last_client_failure is not None:
        wait = last_client_failure + policy.slowdown - now
        if wait > timedelta(0):
            return LoginRefusal("login_slowed", wait)
    return None
