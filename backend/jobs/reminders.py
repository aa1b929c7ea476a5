"""Who is told what (issue 20), read from every domain as of one China-time day. Each
reminder carries a dedupe key naming its subject and period, so running these again adds
nothing (notifications.services.notify ignores a key the user already has)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, String, and_, cast, exists, func, literal, select

from backend.accounts.models import User
from backend.complaints.keys import reveal_phone
from backend.complaints.models import Complaint, ComplaintEvent
from backend.complaints.rules import STATUS_LABELS, ComplaintStatus
from backend.core.auth import Role
from backend.core.clock import CHINA_TZ
from backend.devices.models import Device
from backend.devices.rules import DUE_SOON_DAYS, DeviceStatus
from backend.extensions import db
from backend.hazards.models import Hazard, HazardEvent
from backend.hazards.rules import Action, HazardStatus
from backend.inspections.models import Check, MutualCheckAssignment, MutualCheckCycle
from backend.inspections.rules import CheckKind, Rhythm
from backend.notices.models import Notice, NoticeHazard
from backend.notifications.delivery import PublicText
from backend.notifications.models import PublicSms
from backend.notifications.services import Message
from backend.org.models import Certificate, Enterprise, Person, Zone
from backend.plans.models import InspectionPlan, ItemStatus, PlanItem, PlanStatus
from backend.reports.models import MonthlyReportSubmission
from backend.reports.rules import month_due, report_due_on

HAZARD_SOON_DAYS = 3
NOTICE_SOON_DAYS = 3
ASSIGNMENT_SOON_DAYS = 3
CERTIFICATE_SOON_DAYS = 60
#: the monthly report reminder starts on this day of the month (due before the 25th, seed 001)
REPORT_REMINDER_DAY = 20
#: returned rectifications and issued notices this recent are still worth telling
RECENT_DAYS = 14


def _users_by(role: Role, column) -> dict[int, list[int]]:
    rows = db.session.execute(
        select(column, User.id).where(User.role == role, User.active.is_(True), column.isnot(None))
    )
    found: dict[int, list[int]] = {}
    for key, user_id in rows:
        found.setdefault(key, []).append(user_id)
    return found


def managers_by_enterprise() -> dict[int, list[int]]:
    return _users_by(Role.safety_manager, User.enterprise_id)


def managers_of(enterprise_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(User.id).where(
                User.role == Role.safety_manager, User.active.is_(True), User.enterprise_id == enterprise_id
            )
        )
    )


def inspectors_by_zone() -> dict[int, list[int]]:
    return _users_by(Role.inspector, User.zone_id)


def bureau_admins() -> list[int]:
    return list(
        db.session.scalars(select(User.id).where(User.role == Role.bureau_admin, User.active.is_(True)))
    )


def _open_hazard() -> ColumnElement[bool]:
    return Hazard.status != HazardStatus.verified_closed


def _place(hazard: Hazard) -> str:
    """What the hazard is, short enough for a title."""
    return hazard.description[:30] or hazard.location


# --- safety managers -------------------------------------------------------------------


def hazard_deadlines(as_of: date) -> Iterator[Message]:
    """An open hazard due within 3 days, or past its deadline (urgent)."""
    managers = managers_by_enterprise()
    hazards = db.session.scalars(
        select(Hazard).where(_open_hazard(), Hazard.deadline <= as_of + timedelta(days=HAZARD_SOON_DAYS))
    )
    for hazard in hazards:
        overdue = hazard.deadline < as_of
        kind = "hazard.overdue" if overdue else "hazard.deadline_soon"
        title = f"隐患已超期未整改：{_place(hazard)}" if overdue else f"隐患整改期限将至：{_place(hazard)}"
        for user_id in managers.get(hazard.enterprise_id, ()):
            yield Message(
                user_id,
                kind,
                f"{kind}:{hazard.id}:{hazard.deadline}",
                title,
                f"整改期限 {hazard.deadline}。{hazard.description[:80]}",
                f"/hazards/{hazard.id}",
                urgent=overdue,
            )


def returned_rectifications(as_of: date) -> Iterator[Message]:
    """A rectification the inspector returned, with the reason (also sent right after the
    return by the event handler; the same key keeps it once)."""
    since = datetime.combine(as_of - timedelta(days=RECENT_DAYS), time(), CHINA_TZ)
    rows = db.session.execute(
        select(HazardEvent, Hazard)
        .join(Hazard, Hazard.id == HazardEvent.hazard_id)
        .where(HazardEvent.action == Action.return_.value, HazardEvent.at >= since, _open_hazard())
    )
    managers = managers_by_enterprise()
    for event, hazard in rows:
        yield from returned_messages(event, hazard, managers.get(hazard.enterprise_id, ()))


def returned_messages(event: HazardEvent, hazard: Hazard, user_ids) -> Iterator[Message]:
    for user_id in user_ids:
        yield Message(
            user_id,
            "hazard.returned",
            f"hazard.returned:{event.id}",
            f"整改被退回：{_place(hazard)}",
            f"退回原因：{event.reason or event.note or '未注明'}",
            f"/hazards/{hazard.id}",
            urgent=True,
        )


def missed_self_checks(as_of: date) -> Iterator[Message]:
    """An enterprise whose devices in use had no daily self-check yesterday (日管控)."""
    yesterday = as_of - timedelta(days=1)
    done = exists().where(
        Check.device_id == Device.id,
        Check.kind == CheckKind.self_check,
        Check.subkind == Rhythm.daily,
        Check.performed_on == yesterday,
    )
    rows = db.session.execute(
        select(Device.enterprise_id, func.count())
        .where(
            Device.status == DeviceStatus.in_use,
            Device.created_at < datetime.combine(yesterday, time(), CHINA_TZ),
            ~done,
        )
        .group_by(Device.enterprise_id)
    )
    managers = managers_by_enterprise()
    for enterprise_id, missed in rows:
        for user_id in managers.get(enterprise_id, ()):
            yield Message(
                user_id,
                "selfcheck.missed",
                f"selfcheck.missed:{enterprise_id}:{yesterday}",
                f"昨日有 {missed} 台设备未做日管控自查",
                f"{yesterday} 的日管控（每日自查）未完成，请补查并记录。",
                "/self-check/daily",
            )


def periodic_inspections(as_of: date) -> Iterator[Message]:
    """A device in use whose periodic inspection falls due within 30 days, or is overdue (urgent)."""
    managers = managers_by_enterprise()
    devices = db.session.scalars(
        select(Device).where(
            Device.status == DeviceStatus.in_use,
            Device.next_inspection_due <= as_of + timedelta(days=DUE_SOON_DAYS),
        )
    )
    for device in devices:
        due = device.next_inspection_due or as_of  # not None: the query compared it
        overdue = due < as_of
        kind = "inspection.overdue" if overdue else "inspection.due_soon"
        name = device.name or device.registration_no
        title = f"定期检验已超期：{name}" if overdue else f"定期检验将到期：{name}"
        for user_id in managers.get(device.enterprise_id, ()):
            yield Message(
                user_id,
                kind,
                f"{kind}:{device.id}:{due}",
                title,
                f"下次检验日期 {due}，请向检验机构申报。设备注册代码 {device.registration_no}。",
                f"/devices/{device.id}",
                urgent=overdue,
            )


def expiring_certificates(as_of: date) -> Iterator[Message]:
    """A certificate of someone in the enterprise that expires within 60 days, or has expired."""
    managers = managers_by_enterprise()
    rows = db.session.execute(
        select(Certificate, Person)
        .join(Person, Person.id == Certificate.person_id)
        .where(
            Person.enterprise_id.isnot(None),
            Certificate.expires_on <= as_of + timedelta(days=CERTIFICATE_SOON_DAYS),
        )
    )
    for certificate, person in rows:
        expired = certificate.expires_on is not None and certificate.expires_on < as_of
        kind = "certificate.expired" if expired else "certificate.expiring"
        for user_id in managers.get(person.enterprise_id or 0, ()):
            yield Message(
                user_id,
                kind,
                f"{kind}:{certificate.id}:{certificate.expires_on}",
                f"{person.name} 的证书已过期" if expired else f"{person.name} 的证书即将到期",
                f"证书 {certificate.number} 有效期至 {certificate.expires_on}，请及时复审。",
                f"/enterprises/{person.enterprise_id}",
            )


def complaints_about_devices(as_of: date) -> Iterator[Message]:
    """A public complaint about one of the enterprise's devices, not yet triaged."""
    managers = managers_by_enterprise()
    complaints = db.session.scalars(select(Complaint).where(Complaint.status == ComplaintStatus.received))
    for complaint in complaints:
        if complaint.enterprise_id is None:  # no label: a regulator links the device first
            continue
        for user_id in managers.get(complaint.enterprise_id, ()):
            yield Message(
                user_id,
                "complaint.received",
                f"complaint.received:{complaint.id}",
                "有群众投诉您单位的设备",
                # not the complainant's words: they could tell the enterprise who complained
                f"投诉单号 {complaint.ticket_no}，监管部门核查后会通知处理要求",
                f"/devices/{complaint.device_id}",
                urgent=True,
            )


def notices_to_enterprises(as_of: date) -> Iterator[Message]:
    """A notice issued to the enterprise, and its deadline within 3 days."""
    managers = managers_by_enterprise()
    notices = db.session.scalars(
        select(Notice).where(Notice.issued_on >= as_of - timedelta(days=RECENT_DAYS))
    )
    for notice in notices:
        soon = as_of <= notice.deadline <= as_of + timedelta(days=NOTICE_SOON_DAYS)
        for user_id in managers.get(notice.enterprise_id, ()):
            yield Message(
                user_id,
                "notice.issued",
                f"notice.issued:{notice.id}",
                f"收到监管文书 {notice.number}",
                f"请在 {notice.deadline} 前完成整改并回复。",
                f"/enterprises/{notice.enterprise_id}",
                urgent=True,
            )
            if soon:
                yield Message(
                    user_id,
                    "notice.deadline_soon",
                    f"notice.deadline_soon:{notice.id}:{notice.deadline}",
                    f"文书 {notice.number} 期限将至",
                    f"整改期限 {notice.deadline}。",
                    f"/enterprises/{notice.enterprise_id}",
                )


# --- block supervisors -------------------------------------------------------------------


def mutual_check_assignments(as_of: date) -> Iterator[Message]:
    """A new mutual-check assignment, and its due date within 3 days while still undone."""
    rows = db.session.execute(
        select(MutualCheckAssignment, MutualCheckCycle, Enterprise.name)
        .join(MutualCheckCycle, MutualCheckCycle.id == MutualCheckAssignment.cycle_id)
        .join(Enterprise, Enterprise.id == MutualCheckAssignment.enterprise_id)
        .where(
            MutualCheckAssignment.supervisor_id.isnot(None),
            MutualCheckAssignment.check_id.is_(None),
            MutualCheckCycle.due_on >= as_of,
        )
    )
    for assignment, cycle, enterprise_name in rows:
        yield from assignment_messages(assignment, cycle, enterprise_name)
        if cycle.due_on <= as_of + timedelta(days=ASSIGNMENT_SOON_DAYS):
            yield Message(
                assignment.supervisor_id or 0,
                "assignment.due_soon",
                f"assignment.due_soon:{assignment.id}:{cycle.due_on}",
                f"互查任务即将到期：{enterprise_name}",
                f"请在 {cycle.due_on} 前完成互查。",
                f"/checks/{assignment.id}",
            )


def assignment_messages(assignment, cycle, enterprise_name: str) -> Iterator[Message]:
    if assignment.supervisor_id:
        yield Message(
            assignment.supervisor_id,
            "assignment.new",
            f"assignment.new:{assignment.id}:{assignment.supervisor_id}",
            f"新的互查任务：{enterprise_name}",
            f"{cycle.name}，{cycle.starts_on} 至 {cycle.due_on}。",
            f"/checks/{assignment.id}",
            urgent=True,
        )


# --- inspectors ---------------------------------------------------------------------------


def inspector_queues(as_of: date) -> Iterator[Message]:
    """Per zone, once a day: hazards waiting for verification, complaints waiting for triage."""
    inspectors = inspectors_by_zone()
    waiting = db.session.execute(
        select(Hazard.zone_id, func.count())
        .where(Hazard.status == HazardStatus.rectification_submitted)
        .group_by(Hazard.zone_id)
    )
    for zone_id, count in waiting:
        for user_id in inspectors.get(zone_id, ()):
            yield Message(
                user_id,
                "hazard.awaiting_verification",
                f"hazard.awaiting_verification:{zone_id}:{as_of}",
                f"{count} 条隐患整改待核验",
                "企业已提交整改，请到现场或凭照片核验。",
                "/hazards",
            )
    untriaged = db.session.execute(
        select(Enterprise.zone_id, func.count())
        .select_from(Complaint)
        .join(Enterprise, Enterprise.id == Complaint.enterprise_id)
        .where(Complaint.status == ComplaintStatus.received)
        .group_by(Enterprise.zone_id)
    )
    for zone_id, count in untriaged:
        for user_id in inspectors.get(zone_id, ()):
            yield Message(
                user_id,
                "complaint.awaiting_triage",
                f"complaint.awaiting_triage:{zone_id}:{as_of}",
                f"{count} 条投诉待核查",
                "群众投诉已受理，请核查并答复。",
                "/complaints",
            )


def overdue_notices(as_of: date) -> Iterator[Message]:
    """A notice past its deadline with a hazard still open: to the zone's inspectors (urgent)."""
    inspectors = inspectors_by_zone()
    still_open = exists().where(
        NoticeHazard.notice_id == Notice.id,
        NoticeHazard.hazard_id == Hazard.id,
        _open_hazard(),
    )
    notices = db.session.scalars(select(Notice).where(and_(Notice.deadline < as_of, still_open)))
    for notice in notices:
        for user_id in inspectors.get(notice.zone_id, ()):
            yield Message(
                user_id,
                "notice.overdue",
                f"notice.overdue:{notice.id}",
                f"文书 {notice.number} 已超期，隐患仍未整改",
                f"整改期限 {notice.deadline} 已过，请跟进处置。",
                f"/enterprises/{notice.enterprise_id}",
                urgent=True,
            )


def plan_items_assigned(as_of: date) -> Iterator[Message]:
    """A pending item of a published inspection plan still running, to each inspector drawn for it."""
    rows = db.session.execute(
        select(PlanItem, InspectionPlan, Enterprise.name)
        .join(InspectionPlan, InspectionPlan.id == PlanItem.plan_id)
        .join(Enterprise, Enterprise.id == PlanItem.enterprise_id)
        .where(
            InspectionPlan.status == PlanStatus.published,
            InspectionPlan.period_end >= as_of,
            PlanItem.status == ItemStatus.pending,
        )
    )
    for item, plan, enterprise_name in rows:
        for inspector_id in item.inspectors:
            yield Message(
                inspector_id,
                "plan.assigned",
                f"plan.assigned:{item.id}:{inspector_id}",
                f"双随机检查任务：{enterprise_name}",
                f"{plan.title}，请在 {plan.period_end} 前完成检查并登记结果。",
                f"/plans/{plan.id}",
            )


def _submitted_zones(month: str) -> set[int]:
    return set(
        db.session.scalars(
            select(MonthlyReportSubmission.zone_id).where(MonthlyReportSubmission.month == month)
        )
    )


def monthly_report_due(as_of: date) -> Iterator[Message]:
    """From the 20th until the zone submits: the previous month's report, to the zone's inspectors;
    once more, urgent, when it is past due and still not submitted."""
    if as_of.day < REPORT_REMINDER_DAY:
        return
    month = month_due(as_of)
    due_on = report_due_on(month)
    submitted = _submitted_zones(month)
    overdue = as_of > due_on
    for zone_id, user_ids in inspectors_by_zone().items():
        if zone_id in submitted:
            continue
        kind = "report.overdue" if overdue else "report.due"
        for user_id in user_ids:
            yield Message(
                user_id,
                kind,
                f"{kind}:{zone_id}:{month}",
                f"{month} 工作小结已逾期未报送" if overdue else f"请于 {due_on} 前报送 {month} 工作小结",
                f"{month} 的月度工作小结应在 {due_on} 前报送市局。",
                f"/reports/monthly?month={month}",
                urgent=overdue,
            )


# --- the bureau ---------------------------------------------------------------------------


def zones_missing_reports(as_of: date) -> Iterator[Message]:
    """After the 25th: the zones that have not submitted the previous month's report, once a month."""
    month = month_due(as_of)
    if as_of <= report_due_on(month):
        return
    submitted = _submitted_zones(month)
    missing = [
        name
        for zone_id, name in db.session.execute(select(Zone.id, Zone.name).order_by(Zone.id))
        if zone_id not in submitted
    ]
    if not missing:
        return
    for user_id in bureau_admins():
        yield Message(
            user_id,
            "report.missing",
            f"report.missing:{month}",
            f"{len(missing)} 个辖区未按期报送 {month} 工作小结",
            "未报送：" + "、".join(missing),
            f"/reports/monthly/submissions?month={month}",
            urgent=True,
        )


# --- the public -------------------------------------------------------------------------------


def complaint_status_texts(as_of: date) -> Iterator[PublicText]:
    """A recent status change of a complaint whose complainant left a phone and agreed to an SMS;
    the text names the ticket and the outcome, never the enterprise's answer in full."""
    since = datetime.combine(as_of - timedelta(days=RECENT_DAYS), time(), CHINA_TZ)
    subject = literal("complaint_event:").concat(cast(ComplaintEvent.id, String))
    sent = select(PublicSms.subject).where(PublicSms.subject == subject)
    rows = db.session.execute(
        select(ComplaintEvent, Complaint)
        .join(Complaint, Complaint.id == ComplaintEvent.complaint_id)
        .where(
            ComplaintEvent.action != "submit",
            ComplaintEvent.at >= since,
            Complaint.sms_consent.is_(True),
            Complaint.phone_enc.isnot(None),
            ~exists(sent),
        )
        .order_by(ComplaintEvent.id)
    )
    for event, complaint in rows:
        phone = reveal_phone(complaint)
        if not phone:
            continue
        status = STATUS_LABELS.get(ComplaintStatus(event.to_status), event.to_status)
        yield PublicText(
            f"complaint_event:{event.id}",
            phone,
            "complaint.status",
            f"【特种设备安全】您的投诉 {complaint.ticket_no} 处理进展：{status}。"
            "可凭查询码在投诉查询页查看详情。",
        )


# --- the jobs' bundles ---------------------------------------------------------------------

OVERDUE = (hazard_deadlines, periodic_inspections, overdue_notices)
REMINDERS = (
    returned_rectifications,
    missed_self_checks,
    expiring_certificates,
    complaints_about_devices,
    notices_to_enterprises,
    mutual_check_assignments,
    inspector_queues,
    plan_items_assigned,
    monthly_report_due,
    zones_missing_reports,
)
