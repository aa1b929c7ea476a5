"""Canonical JSON hashing, for idempotency keys and the evidence chain."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_bytes(data: Any) -> bytes:
    """Sorted, compact UTF-8 JSON; a lone surrogate (refused later) still hashes instead of raising."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return text.encode("utf-8", "surrogatepass")


def payload_hash(data: Any) -> str:
    return hashlib.sha256(canonical_bytes(data)).hexdigest()
