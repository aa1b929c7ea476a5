"""The caller's inbox."""

from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from backend.core.auth import require_roles
from backend.extensions import db
from backend.notifications import services
from backend.notifications.schemas import InboxQuerySchema, InboxSchema, NotificationSchema, PreferencesSchema

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


@bp.get("/preferences")
@require_roles()
@bp.response(200, PreferencesSchema)
def get_preferences():
    """The caller's delivery preferences: contact, channels per category, digest or immediate, quiet hours."""
    return services.preferences(current_user.id)


@bp.put("/preferences")
@require_roles()
@bp.arguments(PreferencesSchema)
@bp.response(200, PreferencesSchema)
def put_preferences(body: dict):
    """Replace the caller's delivery preferences."""
    contact = services.save_preferences(current_user.id, body)
    db.session.commit()
    return contact
