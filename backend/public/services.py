from __future__ import annotations

from backend.core.errors import AppError, NotFound
from backend.devices.overview import show_device
from backend.devices.rules import LABEL_POSITIONS
from backend.devices.services import resolve_label


def qr_lookup(actor, token: str) -> dict:
    """Resolve a label token; unknown and revoked tokens are 404 alike."""
    found = resolve_label(token)
    if found is None:
        raise NotFound("二维码无效或已作废 (unknown or revoked label)")
    device = found.device
    full = None
    if actor is not None:
        try:
            full = show_device(actor, device.id)
        except AppError:
            full = None
    position_label = LABEL_POSITIONS.get(found.position, found.position) if found.position else None
    return {"public": device, "device": full, "position": found.position, "position_label": position_label}
