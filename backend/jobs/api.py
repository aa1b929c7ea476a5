"""The bureau's jobs screen: each scheduled job with its last run, and "run now"."""

from flask_smorest import Blueprint

from backend.core.auth import Role, require_roles
from backend.core.errors import Conflict, NotFound
from backend.jobs import runner
from backend.jobs.definitions import JOBS
from backend.jobs.schemas import JobListSchema, RunNowSchema

bp = Blueprint("jobs", __name__, url_prefix="/api/jobs", description="定时任务")


@bp.get("")
@require_roles(Role.bureau_admin)
@bp.response(200, JobListSchema)
def list_jobs():
    """Every scheduled job: schedule, next due time, last run (start, end, outcome, counts), failures."""
    return {"items": runner.job_overview()}


@bp.post("/<name>/run")
@require_roles(Role.bureau_admin)
@bp.response(200, RunNowSchema)
def run_job(name: str):
    """Run one job now (through the same lease as the schedule); 409 while it is running elsewhere."""
    if name not in {job.name for job in JOBS}:
        raise NotFound("定时任务不存在 (no such job)")
    result = runner.run_now(name)
    if result is None:
        raise Conflict("该任务正在运行 (the job is running)")
    return result
