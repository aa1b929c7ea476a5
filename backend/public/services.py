from __future__ import annotations

from typing import Any

from backend.core.clock import today
from backend.core.errors import NotFound
from backend.devices.models import Device
from backend.devices.overview import annotate_devices
from backend.devices.rules import LABEL_POSITIONS
from backend.devices.services import resolve_label
from backend.maintenance.services import PublicMaintenance, public_maintenance_columns, public_maintenance_of


class PublicView:
    """What the label shows anyone: the device's public fields and its maintenance summary
    (public.api.PublicViewSchema), which is not stored on the device."""

    def __init__(self, device: Device, maintenance: PublicMaintenance) -> None:
        self._device = device
        self.last_maintenance = maintenance.last
        self.next_maintenance_due = maintenance.next_due

    def __getattr__(self, name: str) -> Any:
        return getattr(self._device, name)


def qr_lookup(actor, token: str) -> dict:
    """Resolve a label token; unknown and revoked tokens are 404 alike. The label, the device and its
    maintenance summary come in one query; the record's counts and last checks (in scope) in one more."""
    found = resolve_label(token, actor, columns=public_maintenance_columns(today()))
    if found is None:
        raise NotFound("二维码无效或已作废 (unknown or revoked label)")
    device = found.device
    full = annotate_devices(actor, [device])[0] if found.in_scope else None
    position_label = LABEL_POSITIONS.get(found.position, found.position) if found.position else None
    public = PublicView(device, public_maintenance_of(found.values))
    return {"public": public, "device": full, "position": found.position, "position_label": position_label}
