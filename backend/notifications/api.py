"""The caller's inbox."""

from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from backend.core.auth import require_roles
from backend.extensions import db
from backend.notifications import services
from backend.notifications.schemas import InboxQuerySchema, InboxSchema, NotificationSchema

bp = Blueprint("notifications", __name__, url_prefix="/api/notifications", description="通知与提醒")


@bp.get("")
@require_roles()
@bp.arguments(InboxQuerySchema, location="query")
@bp.response(200, InboxSchema)
def list_notifications(query: dict):
    """The caller's notifications, newest first, with `unread_count`; `unread=true` for unread only."""
    return services.inbox(current_user.id, query["unread"], query["page"], query["per_page"])


@bp.post("/<int:notification_id>/read")
@require_roles()
@bp.response(200, NotificationSchema)
def mark_read(notification_id: int):
    """Mark one of the caller's notifications read (idempotent)."""
    notification = services.mark_read(current_user.id, notification_id)
    db.session.commit()
    return notification
