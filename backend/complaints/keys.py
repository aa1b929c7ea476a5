"""Keys derived from SECRET_KEY for complaints: the contact phone's cipher and the
proof-of-work signing key.

The contact phone is stored as a Fernet token whose key is HKDF-SHA256(SECRET_KEY,
salt="sesv-complaint-contact", info="contact phone v1"). Rotating SECRET_KEY makes stored
phones unreadable (they then show as masked only).
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from backend.complaints.models import Complaint
from backend.core.auth import REGULATORS
from backend.org.scope import Actor


@lru_cache(maxsize=4)
def _derived_key(secret: str, info: bytes) -> bytes:
    """A purpose-bound 32-byte key from SECRET_KEY (HKDF-SHA256)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"sesv-complaint-contact", info=info).derive(
        secret.encode()
    )


def _contact_cipher() -> Fernet:
    key = _derived_key(current_app.config["SECRET_KEY"], b"contact phone v1")
    return Fernet(base64.urlsafe_b64encode(key))


def pow_key() -> bytes:
    """The key that signs proof-of-work challenges."""
    return _derived_key(current_app.config["SECRET_KEY"], b"proof of work v1")


def seal_phone(phone: str) -> str:
    """The contact phone as a Fernet token, for storage."""
    return _contact_cipher().encrypt(phone.encode()).decode()


def reveal_phone(complaint: Complaint) -> str | None:
    """The contact phone in clear, for regulators in scope only (callers check)."""
    if not complaint.phone_enc:
        return None
    try:
        return _contact_cipher().decrypt(complaint.phone_enc.encode()).decode()
    except InvalidToken:
        return None  # SECRET_KEY was rotated: only the masked copy remains


def may_see_identity(actor: Actor | None) -> bool:
    """Regulators reach a complaint only within scope; everyone else never sees identity."""
    return actor is not None and actor.role in REGULATORS
