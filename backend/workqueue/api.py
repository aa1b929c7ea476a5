"""GET /api/work-queue: the inspector's open work across domains, most urgent first."""

from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from backend.core.auth import REGULATORS, require_roles
from backend.workqueue import services
from backend.workqueue.schemas import WorkQueueSchema

bp = Blueprint("workqueue", __name__, url_prefix="/api/work-queue", description="监管工作队列")


@bp.get("")
@require_roles(*REGULATORS)
@bp.response(200, WorkQueueSchema)
def work_queue():
    """Overdue notices, rectifications to verify, complaints to triage, missed self-checks
    in the zone and the caller's plan items due; 403 for enterprise users."""
    return services.work_queue(current_user)
