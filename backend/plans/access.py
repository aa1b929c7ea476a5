"""Who may act on plans, key objects and recusals."""

from __future__ import annotations

from backend.core.auth import REGULATORS
from backend.core.errors import Forbidden
from backend.org.scope import Actor


def require_regulator(actor: Actor) -> None:
    if actor.role not in REGULATORS:
        raise Forbidden("只有监管人员可以执行此操作 (regulators only)")
