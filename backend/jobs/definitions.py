"""The scheduled jobs: what each does and when it is due (APScheduler cron triggers,
China time). `make run` and `flask jobs run-due` run the same list."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import chain

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from flask import current_app
from sqlalchemy import select

from backend.accounts.models import User
from backend.complaints.photos import purge_unclaimed_photos
from backend.core.auth import Role
from backend.core.clock import CHINA_TZ, utcnow
from backend.core.events import prune_handled
from backend.credit.recompute import recompute_grades
from backend.extensions import db
from backend.inspections.mutual import open_due_cycles
from backend.jobs import reminders
from backend.maintenance.services import maintenance_day
from backend.notifications.channels import Channels
from backend.notifications.delivery import DeliveryReport, deliver_urgent, send_digests, send_public_texts
from backend.notifications.services import notify
from backend.reports.submissions import freeze_unsubmitted


@dataclass(frozen=True)
class Job:
    name: str
    title: str
    trigger: BaseTrigger
    #: does the work as of a China-time day, returns counts; `failed` > 0 marks the run failed
    run: Callable[[date], dict]

    @property
    def schedule(self) -> str:
        """The cron fields that are set, e.g. "hour=2 minute=0" (China time)."""
        fields = getattr(self.trigger, "fields", [])
        return " ".join(f"{f.name}={f}" for f in fields if not f.is_default) or str(self.trigger)

    def next_due_after(self, moment: datetime) -> datetime:
        """The first fire time strictly after `moment`."""
        fire = self.trigger.get_next_fire_time(None, moment + timedelta(seconds=1))
        return fire or moment + timedelta(days=1)  # a cron without an end date always fires again


def _credit_cycle(as_of: date) -> dict:
    report = recompute_grades(as_of)
    return {"graded": report.graded, "changed": report.changed}


def _purge_unclaimed_photos(_as_of: date) -> dict:
    return {"removed": purge_unclaimed_photos(utcnow())}


def _notify_from(sources: Iterable[Callable], as_of: date) -> dict:
    return {"notified": notify(chain.from_iterable(source(as_of) for source in sources))}


def _deliver(send: Callable[[Channels, datetime], DeliveryReport]) -> dict:
    return send(Channels.from_config(current_app.config), utcnow()).as_counts()


def _complaint_texts(as_of: date) -> dict:
    channels = Channels.from_config(current_app.config)
    return send_public_texts(channels, reminders.complaint_status_texts(as_of)).as_counts()


def _freeze_months(as_of: date) -> dict:
    return {"frozen": freeze_unsubmitted(as_of)}


def _open_mutual_cycles(as_of: date) -> dict:
    """Opened on the bureau's behalf: the first active bureau admin is the round's creator."""
    bureau = db.session.scalars(
        select(User).where(User.role == Role.bureau_admin, User.active.is_(True)).order_by(User.id).limit(1)
    ).first()
    if bureau is None:
        return {"opened": 0}
    return {"opened": open_due_cycles(bureau, as_of)}


def _prune_events(_as_of: date) -> dict:
    days = current_app.config["EVENTS_RETENTION_DAYS"]
    return {"pruned": prune_handled(utcnow() - timedelta(days=days))}


def _cron(**fields) -> CronTrigger:
    return CronTrigger(timezone=CHINA_TZ, **fields)


JOBS: tuple[Job, ...] = (
    Job("credit_cycle", "每日信用风险分级", _cron(hour=2, minute=0), _credit_cycle),
    Job(
        "overdue",
        "隐患、检验、文书超期提醒",
        _cron(minute=10),
        lambda as_of: _notify_from(reminders.OVERDUE, as_of),
    ),
    Job(
        "reminders",
        "到期、退回、投诉、互查任务提醒",
        _cron(minute="*/5"),
        lambda as_of: _notify_from(reminders.REMINDERS, as_of),
    ),
    Job("maintenance", "电梯维保工单生成与超期提醒", _cron(hour=1, minute=30), maintenance_day),
    Job("urgent_delivery", "紧急提醒即时推送", _cron(minute="*"), lambda _: _deliver(deliver_urgent)),
    Job("daily_digest", "每日提醒汇总推送", _cron(minute=0), lambda _: _deliver(send_digests)),
    Job("unclaimed_photos", "清除未随投诉提交的匿名照片", _cron(hour=3, minute=30), _purge_unclaimed_photos),
    Job("complaint_sms", "投诉进展短信告知", _cron(minute="*/5"), _complaint_texts),
    Job("freeze_month", "冻结上月统计数据", _cron(hour=1, minute=30), _freeze_months),
    Job("mutual_cycles", "按季度开启区块互查", _cron(hour=1, minute=0), _open_mutual_cycles),
    Job("prune_events", "清理已处理的领域事件", _cron(hour=3, minute=30), _prune_events),
)
