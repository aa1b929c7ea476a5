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

from backend.core.clock import CHINA_TZ
from backend.credit.recompute import recompute_grades
from backend.jobs import reminders
from backend.maintenance.services import maintenance_day
from backend.notifications.channels import Channels
from backend.notifications.delivery import DeliveryReport, deliver_urgent, send_digests
from backend.notifications.services import notify


@dataclass(frozen=True)
class Job:
    name: str
    title: str
    trigger: BaseTrigger
    #: does the work as of a China-time day, returns counts; `failed` > 0 marks the run failed
    run: Callable[[date], dict]

    def next_due_after(self, moment: datetime) -> datetime:
        """The first fire time strictly after `moment`."""
        fire = self.trigger.get_next_fire_time(None, moment + timedelta(seconds=1))
        return fire or moment + timedelta(days=1)  # a cron without an end date always fires again


def _credit_cycle(as_of: date) -> dict:
    report = recompute_grades(as_of)
    return {"graded": report.graded, "changed": report.changed}


def _notify_from(sources: Iterable[Callable], as_of: date) -> dict:
    return {"notified": notify(chain.from_iterable(source(as_of) for source in sources))}


def _deliver(send: Callable[[Channels], DeliveryReport]) -> dict:
    return send(Channels.from_config(current_app.config)).as_counts()


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
    Job("daily_digest", "每日提醒汇总推送", _cron(hour=8, minute=0), lambda _: _deliver(send_digests)),
)
