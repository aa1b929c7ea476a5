"""Create many users from an XLSX sheet: every row or none, with each bad row's errors.

Columns (first row is a header, any wording): username, display name, role, zone, enterprise
unified credit code, phone. A role is its code (`safety_manager`) or its Chinese name; a zone
its name or id.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select

from backend.accounts import admin
from backend.accounts.models import User
from backend.accounts.rules import PLACE_OF_ROLE
from backend.core.auth import Role
from backend.core.errors import AppError, ValidationFailed
from backend.extensions import db
from backend.org.models import Enterprise, Zone

MAX_ROWS = 2000
COLUMNS = ("username", "display_name", "role", "zone", "enterprise_credit_code", "phone")
HEADER = ("用户名", "姓名", "角色", "辖区", "企业统一社会信用代码", "电话")
ROLE_NAMES = {
    "局管理员": Role.bureau_admin,
    "监管局管理员": Role.bureau_admin,
    "检查员": Role.inspector,
    "监察员": Role.inspector,
    "安全员": Role.safety_manager,
    "企业安全员": Role.safety_manager,
    "安全管理员": Role.safety_manager,
    "街区监督员": Role.block_supervisor,
    "监督员": Role.block_supervisor,
}
#: the name each role goes by in sheets handed out (read back by ROLE_NAMES)
ROLE_TITLES = {
    Role.bureau_admin: "监管局管理员",
    Role.inspector: "检查员",
    Role.safety_manager: "企业安全员",
    Role.block_supervisor: "街区监督员",
}


class BulkRejected(AppError):
    status = 422
    code = "bulk_rejected"
    message = "表格有错误，未创建任何用户 (the sheet has errors; no user was created)"


def read_rows(data: bytes) -> list[dict[str, str]]:
    """The sheet's data rows as text by column name; a file that is not XLSX is a 422."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ValidationFailed("不是有效的 XLSX 文件 (not an XLSX file)", code="invalid_xlsx") from exc
    sheet = book.worksheets[0]
    rows: list[dict] = []
    for number, cells in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        values = [_text(cell) for cell in (cells or ())][: len(COLUMNS)]
        if not any(values):
            continue
        if len(rows) >= MAX_ROWS:
            raise ValidationFailed(
                f"一次最多导入{MAX_ROWS}行 (at most {MAX_ROWS} rows)", code="too_many_rows"
            )
        row = dict(zip(COLUMNS, values + [""] * (len(COLUMNS) - len(values)), strict=True))
        rows.append({"row": str(number), **row})
    book.close()
    return rows


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return str(cell).strip()


def _role(text: str) -> Role | None:
    if text in Role.__members__:
        return Role(text)
    return ROLE_NAMES.get(text)


def _zone_id(text: str) -> int | None:
    if not text:
        return None
    if text.isdigit():
        return int(text)
    return db.session.scalar(select(Zone.id).where(Zone.name == text)) or -1


def _enterprise_id(credit_code: str) -> int | None:
    if not credit_code:
        return None
    found = db.session.scalar(select(Enterprise.id).where(Enterprise.credit_code == credit_code.upper()))
    return found or -1


def create_from_sheet(actor: User, data: bytes) -> list[admin.NewUser]:
    """All rows or none: each row is created in a savepoint; any error rolls every row back."""
    rows = read_rows(data)
    if not rows:
        raise ValidationFailed("表格中没有用户 (the sheet has no users)", code="empty_sheet")
    created: list[admin.NewUser] = []
    errors: list[dict] = []
    seen: set[str] = set()
    for row in rows:
        problems = _create_row(actor, row, seen, created)
        if problems:
            errors.append({"row": int(row["row"]), "username": row["username"], "errors": problems})
    if errors:
        db.session.rollback()
        raise BulkRejected(details={"rows": errors})
    return created


def _create_row(actor: User, row: dict[str, str], seen: set[str], created: list[admin.NewUser]) -> dict:
    role = _role(row["role"])
    if role is None:
        return {"role": ["未知角色 (unknown role)"]}
    if row["username"] in seen:
        return {"username": ["表格中用户名重复 (username repeated in the sheet)"]}
    seen.add(row["username"])
    zone_id, enterprise_id = _zone_id(row["zone"]), _enterprise_id(row["enterprise_credit_code"])
    if PLACE_OF_ROLE[role][1] and zone_id is not None:
        if not _enterprise_in_zone(enterprise_id, zone_id):
            return {"zone": ["企业不在该辖区 (the enterprise is not in this zone)"]}
        zone_id = None  # an enterprise account's zone is its enterprise's
    body = {
        "username": row["username"],
        "display_name": row["display_name"],
        "role": role.value,
        "zone_id": zone_id,
        "enterprise_id": enterprise_id,
        "phone": row["phone"][:30],
    }
    try:
        with db.session.begin_nested():
            created.append(admin.create_user(actor, body))
    except AppError as error:
        fields = error.details.get("fields") or {"row": [error.message]}
        return {_column_of(name): messages for name, messages in fields.items()}
    return {}


def _enterprise_in_zone(enterprise_id: int | None, zone_id: int) -> bool:
    """The zone column of an enterprise account (as a zone's two-lists sheet has it) only checks the place.

    An unknown enterprise passes here: the enterprise column reports it.
    """
    enterprise = db.session.get(Enterprise, enterprise_id) if enterprise_id else None
    return enterprise is None or enterprise.zone_id == zone_id


def _column_of(field: str) -> str:
    return {"zone_id": "zone", "enterprise_id": "enterprise_credit_code"}.get(field, field)
