"""Pure hash-chain rules."""

from __future__ import annotations

import hashlib

GENESIS = "0" * 64


def link_hash(seq: int, prev_hash: str, body: str) -> str:
    """sha256 over the sequence number, the previous hash and the canonical body."""
    return hashlib.sha256(f"{seq}\n{prev_hash}\n{body}".encode()).hexdigest()
