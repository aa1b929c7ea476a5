"""Demo maintenance: the city's four maintenance companies get an admin and workers, contracts for
the elevators they maintain, and the work orders now due (some already overdue).

`maint1` works for the company that maintains enterprise 1's elevators (`manager1`'s), so the
demo logins meet on an order; `maintadmin1` is that company's admin.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import insert, select
from werkzeug.security import generate_password_hash

from backend.accounts.models import User
from backend.core.auth import Role
from backend.core.clock import utcnow
from backend.devices.models import Device
from backend.devices.rules import DeviceCategory
from backend.extensions import db
from backend.maintenance.models import MaintenanceContract
from backend.maintenance.services import generate_orders
from backend.org.models import Enterprise

DEMO_PASSWORD = "demo-password-1"  # noqa: S105 - documented demo credential
#: workers per company: maintN, maintNb
WORKER_SUFFIXES = (("", "一"), ("b", "二"))


def load_maintenance_demo(as_of: date) -> int:
    """Users, contracts and today's orders; returns the number of orders opened."""
    companies = db.session.scalars(
        select(Enterprise).where(Enterprise.roles.contains("maintainer")).order_by(Enterprise.id)
    ).all()
    _add_users(companies)
    _add_contracts(as_of)
    return generate_orders(as_of)


def _add_users(companies) -> None:
    password_hash = generate_password_hash(DEMO_PASSWORD)
    rows = []
    for n, company in enumerate(companies, start=1):
        rows.append(_user(f"maintadmin{n}", Role.maintenance_admin, f"维保单位{n}管理员", company.id))
        rows.extend(
            _user(f"maint{n}{suffix}", Role.maintenance_worker, f"维保工{n}{number}", company.id)
            for suffix, number in WORKER_SUFFIXES
        )
    if rows:
        db.session.execute(insert(User), [row | {"password_hash": password_hash} for row in rows])


def _user(username: str, role: Role, display_name: str, company_id: int) -> dict:
    return {
        "username": username,
        "role": role.value,
        "display_name": display_name,
        "enterprise_id": company_id,
        "zone_id": None,
        "person_id": None,
        "active": True,
        "created_at": utcnow(),
        "updated_at": utcnow(),
    }


def _add_contracts(as_of: date) -> None:
    """One contract per maintained elevator, begun 10–17 days ago: its first half-monthly
    maintenance falls due between two days ago and five days from now."""
    devices = db.session.execute(
        select(Device.id, Device.maintenance_company_id).where(
            Device.category == DeviceCategory.elevator, Device.maintenance_company_id.isnot(None)
        )
    ).all()
    rows = [
        {
            "device_id": device_id,
            "company_id": company_id,
            "starts_on": as_of - timedelta(days=10 + device_id % 8),
            "ends_on": as_of + timedelta(days=365 * 2),
            "created_at": utcnow(),
            "updated_at": utcnow(),
        }
        for device_id, company_id in devices
    ]
    if rows:
        db.session.execute(insert(MaintenanceContract), rows)
