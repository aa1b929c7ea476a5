"""Documents of the device file (合格证、铭牌、检验报告 …): stored once by sha256, type-checked by
their first bytes, size-limited, listed on the device with who uploaded them and when."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from backend.core.errors import AppError, NotFound, ValidationFailed
from backend.core.images import sha256_hex
from backend.core.storage import BlobNotFoundError
from backend.devicefile.models import DeviceAttachment
from backend.devicefile.rules import EXTENSIONS, sniff_media_type
from backend.devices.services import Editor, get_device_for
from backend.extensions import db
from backend.org.scope import Actor
from backend.org.services import get_managed_enterprise
from backend.photos.services import storage


class AttachmentTooLarge(AppError):
    status = 413


class AttachmentTypeRefused(AppError):
    status = 415


def blob_key(attachment: DeviceAttachment) -> str:
    return f"{attachment.sha256}.{EXTENSIONS[attachment.media_type]}"


def list_attachments(actor: Actor, device_id: int) -> list[DeviceAttachment]:
    device = get_device_for(actor, device_id)
    return list(
        db.session.scalars(
            select(DeviceAttachment)
            .options(joinedload(DeviceAttachment.uploaded_by))
            .where(DeviceAttachment.device_id == device.id)
            .order_by(DeviceAttachment.uploaded_at.desc(), DeviceAttachment.id.desc())
        )
    )


def add_attachment(
    actor: Editor, device_id: int, raw: bytes, kind: str, title: str
) -> tuple[DeviceAttachment, bool]:
    """Keep the document (the same bytes on the same device: the existing entry, not a copy)."""
    device = get_device_for(actor, device_id)
    get_managed_enterprise(actor, device.enterprise_id)
    media_type = _checked_type(raw)
    sha256 = sha256_hex(raw)
    existing = db.session.scalar(
        select(DeviceAttachment).where(
            DeviceAttachment.device_id == device.id, DeviceAttachment.sha256 == sha256
        )
    )
    if existing is not None:
        return existing, False
    attachment = DeviceAttachment(
        device_id=device.id,
        enterprise_id=device.enterprise_id,
        sha256=sha256,
        kind=kind,
        title=title,
        media_type=media_type,
        size=len(raw),
        uploaded_by_id=actor.id,
    )
    store = storage()
    key = blob_key(attachment)
    if not store.exists(key):
        store.put(key, raw)
    db.session.add(attachment)
    db.session.flush()
    return attachment, True


def open_attachment(actor: Actor, device_id: int, attachment_id: int) -> tuple[DeviceAttachment, bytes]:
    device = get_device_for(actor, device_id)
    attachment = db.session.scalar(
        select(DeviceAttachment).where(
            DeviceAttachment.id == attachment_id, DeviceAttachment.device_id == device.id
        )
    )
    if attachment is None:
        raise NotFound("附件不存在 (attachment not found)")
    try:
        return attachment, storage().get(blob_key(attachment))
    except BlobNotFoundError as exc:
        raise NotFound("附件文件缺失 (attachment file missing)") from exc


def _checked_type(raw: bytes) -> str:
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    if not raw:
        raise ValidationFailed("文件为空 (empty file)", details={"fields": {"file": ["请选择文件"]}})
    if len(raw) > limit:
        raise AttachmentTooLarge(
            f"文件超过 {limit // (1024 * 1024)} MB (file too large)",
            code="too_large",
            details={"max_bytes": limit},
        )
    media_type = sniff_media_type(raw)
    if media_type is None:
        raise AttachmentTypeRefused(
            "仅支持 PDF、JPEG、PNG、WebP 文件 (unsupported file type)", code="unsupported_type"
        )
    return media_type
