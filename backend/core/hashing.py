"""Canonical JSON hashing, for idempotency keys and the evidence chain."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_bytes(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def payload_hash(data: Any) -> str:
    return hashlib.sha256(canonical_bytes(data)).hexdigest()
