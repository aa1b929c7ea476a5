"""QR labels for devices: PNG, SVG and a printable A4 sheet per enterprise."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from backend.core.errors import NotFound, ValidationFailed
from backend.core.qrcodes import LabelInfo, label_png, labels_pdf, qr_svg
from backend.devices.models import Device, DeviceLabel
from backend.devices.rules import CATEGORY_LABELS, LABEL_POSITIONS, DeviceStatus
from backend.devices.schemas import qr_url, token_url
from backend.devices.services import get_device_for
from backend.extensions import db
from backend.org.scope import Actor
from backend.org.services import get_enterprise_for

MAX_LABELS_PER_SHEET = 2000


def _info(device: Device, label: DeviceLabel | None = None) -> LabelInfo:
    return LabelInfo(
        url=token_url(label.token) if label else qr_url(device),
        category_label=CATEGORY_LABELS.get(device.category, device.category),
        registration_no=device.registration_no,
        enterprise_name=device.enterprise.name,
        device_code=device.device_code,
        position_label=LABEL_POSITIONS.get(label.position, label.position) if label else "",
    )


def _all_labels(device: Device) -> list[LabelInfo]:
    """The default label, then one per position the device carries."""
    return [_info(device), *(_info(device, label) for label in device.position_labels)]


def device_label_png(actor: Actor, device_id: int, position: str | None = None) -> tuple[str, bytes]:
    """(file name, PNG) of the device's printable label (its default one, or the one at `position`)."""
    device = get_device_for(actor, device_id)
    if not position:
        return f"设备标签-{device.registration_no}.png", label_png(_info(device))
    label = next((lb for lb in device.position_labels if lb.position == position), None)
    if label is None:
        raise NotFound("该位置没有标签 (no label at this position)")
    name = LABEL_POSITIONS.get(position, position)
    return f"设备标签-{device.registration_no}-{name}.png", label_png(_info(device, label))


def device_label_svg(actor: Actor, device_id: int) -> tuple[str, bytes]:
    """(file name, SVG) of the device's QR code alone."""
    device = get_device_for(actor, device_id)
    return f"设备二维码-{device.registration_no}.svg", qr_svg(qr_url(device))


def enterprise_labels_pdf(
    actor: Actor, enterprise_id: int, device_ids: list[int] | None
) -> tuple[str, bytes]:
    """(file name, A4 sheet) of labels for the enterprise's devices in use (or the chosen ones)."""
    enterprise = get_enterprise_for(actor, enterprise_id)
    query = (
        select(Device)
        .options(joinedload(Device.enterprise), selectinload(Device.position_labels))
        .where(Device.enterprise_id == enterprise.id, Device.status != DeviceStatus.scrapped)
        .order_by(Device.id)
    )
    if device_ids:
        query = query.where(Device.id.in_(device_ids))
    devices = db.session.scalars(query.limit(MAX_LABELS_PER_SHEET + 1)).all()
    infos = [info for d in devices for info in _all_labels(d)]
    if len(infos) > MAX_LABELS_PER_SHEET:
        raise ValidationFailed(f"一次最多打印 {MAX_LABELS_PER_SHEET} 张标签，请选择设备 (too many labels)")
    title = f"{enterprise.name} 特种设备二维码标签"
    return f"{title}.pdf", labels_pdf(infos, title=title)
