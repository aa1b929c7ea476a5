from __future__ import annotations

from backend.core.errors import AppError, NotFound
from backend.devices.overview import show_device
from backend.devices.services import device_by_token


def qr_lookup(actor, token: str) -> dict:
    """Resolve a label token; unknown and revoked tokens are 404 alike."""
    device = device_by_token(token)
    if device is None:
        raise NotFound("二维码无效或已作废 (unknown or revoked label)")
    full = None
    if actor is not None:
        try:
            full = show_device(actor, device.id)
        except AppError:
            full = None
    return {"public": device, "device": full}
