"""The in-process schedule `make run` starts: an APScheduler background thread in each
gunicorn worker that calls `run_due` every JOBS_TICK_SECONDS. Several workers (or machines)
ticking at once are safe: the lease in runner.claim lets one of them run each due job."""

from __future__ import annotations

import atexit
import logging
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from backend.core.clock import utcnow
from backend.extensions import db
from backend.jobs.runner import run_due

log = logging.getLogger(__name__)


def _tick(app: Flask) -> None:
    with app.app_context():
        try:
            for result in run_due():
                log.info("job %s: %s %s %s", result.job, result.outcome, result.counts, result.error)
        except Exception:  # the database was away: the next tick tries again
            log.exception("scheduled jobs: tick failed")
        finally:
            db.session.remove()


def start_scheduler(app: Flask) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(daemon=True)
    scheduler.add_job(
        _tick,
        IntervalTrigger(seconds=app.config["JOBS_TICK_SECONDS"]),
        args=[app],
        id="run_due",
        max_instances=1,
        coalesce=True,
        next_run_time=utcnow() + timedelta(seconds=5),
    )
    scheduler.start()
    atexit.register(lambda: scheduler.shutdown(wait=False))
    return scheduler
