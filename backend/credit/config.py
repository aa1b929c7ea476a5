"""The bureau's grading config (weights, bands, rule switches): read and change it."""

from __future__ import annotations

import json

from backend.core.auth import Role
from backend.core.clock import utcnow
from backend.core.errors import Forbidden, ValidationFailed
from backend.core.hashing import canonical_bytes, payload_hash
from backend.core.history import HistoryEntry, history_of, record_history
from backend.credit import rules
from backend.credit.models import CreditConfig
from backend.evidence.services import append_evidence
from backend.extensions import db
from backend.org.scope import Actor


def current_config() -> dict:
    """The bureau's grading config, or the documented defaults (rules.DEFAULT_CONFIG) for
    what it does not set."""
    row = db.session.get(CreditConfig, 1)
    return rules.DEFAULT_CONFIG | json.loads(row.data) if row else rules.DEFAULT_CONFIG


def update_config(actor: Actor, data: dict) -> dict:
    """Change weights, bands and rule switches (bureau only); applies from the next recompute."""
    if actor.role != Role.bureau_admin:
        raise Forbidden("只有市局可以修改分级规则 (bureau only)")
    config = current_config() | data
    errors = rules.validate_config(config)
    if errors:
        raise ValidationFailed(details={"fields": errors})
    before = current_config()
    changed = {key: (before.get(key), value) for key, value in config.items() if before.get(key) != value}
    row = db.session.get(CreditConfig, 1) or CreditConfig(id=1)
    record_history("credit_config", 1, actor, changed)
    row.data, row.updated_by_id, row.updated_at = canonical_bytes(config).decode(), actor.id, utcnow()
    db.session.add(row)
    db.session.flush()
    append_evidence("credit.config", "1", {"content": payload_hash(config)})
    return config


def config_history(actor: Actor) -> list[HistoryEntry]:
    """Every change of the grading config (who, when, which setting, before, after), newest first."""
    if actor.role not in (Role.bureau_admin, Role.inspector):
        raise Forbidden("只有监管人员可以查看分级规则的修改记录 (regulators only)")
    return history_of("credit_config", 1)
