"""Bulk import of an enterprise/device ledger from CSV or XLSX: all rows or none."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from zipfile import BadZipFile

from marshmallow import ValidationError
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import select

from backend.core.auth import Role
from backend.core.changes import record_changes
from backend.core.db import chunks
from backend.core.errors import AppError, ValidationFailed
from backend.core.messages import chinese_messages
from backend.core.schemas import text
from backend.devices.models import Device
from backend.devices.rules import CATEGORY_LABELS, STATUS_LABELS, parse_ledger_row
from backend.devices.schemas import DeviceCreateSchema
from backend.extensions import db
from backend.org.models import Enterprise, Zone
from backend.org.schemas import CreditCodeField
from backend.org.scope import Actor, can_manage_enterprise

MAX_ROWS = 20_000
LOOKUP_CHUNK = 5_000  # values in one IN (…): well under SQLite's limit on bound parameters
INSERT_CHUNK = 1_000
#: Chinese column headings accepted beside the English ones
HEADINGS = {
    "统一社会信用代码": "credit_code",
    "企业名称": "enterprise_name",
    "辖区代码": "zone_code",
    "设备类别": "category",
    "使用登记证编号": "registration_no",
    "设备代码": "device_code",
    "设备名称": "name",
    "安装位置": "location",
    "状态": "status",
    "下次检验日期": "next_inspection_due",
    "上次检验日期": "last_inspection_on",
    "重点监控": "key_monitored",
}


class LedgerRowSchema(DeviceCreateSchema):
    """A device row plus the enterprise it belongs to (by credit code)."""

    class Meta(DeviceCreateSchema.Meta):
        exclude = ("enterprise_id", "maintenance_company_id")

    credit_code = CreditCodeField(required=True)
    enterprise_name = text(200, load_default="")
    zone_code = text(20, load_default="")


class UnsupportedFile(AppError):
    status = 415
    code = "unsupported_file"
    message = "仅支持 CSV 或 XLSX 文件 (CSV or XLSX only)"


def _rows_from_csv(data: bytes) -> Iterator[dict]:
    try:
        text_data = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text_data = data.decode("gb18030", errors="strict")
    yield from csv.DictReader(io.StringIO(text_data))


def _rows_from_xlsx(data: bytes) -> Iterator[dict]:
    sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
    rows = sheet.iter_rows(values_only=True)
    header = [str(h or "").strip() for h in next(rows, [])]
    for values in rows:
        if any(v not in (None, "") for v in values):
            yield {
                h: ("" if v is None else v.isoformat()[:10] if hasattr(v, "isoformat") else str(v))
                for h, v in zip(header, values, strict=False)
            }


def read_rows(filename: str, data: bytes) -> list[dict]:
    reader = _rows_from_xlsx if filename.lower().endswith(".xlsx") else _rows_from_csv
    if not filename.lower().endswith((".csv", ".xlsx")):
        raise UnsupportedFile()
    try:
        rows = [{HEADINGS.get(k.strip(), k.strip()): v for k, v in row.items() if k} for row in reader(data)]
    except (
        UnicodeDecodeError,
        csv.Error,
        OSError,
        KeyError,
        ValueError,
        BadZipFile,
        InvalidFileException,
    ) as exc:
        raise UnsupportedFile("文件无法读取 (unreadable file)") from exc
    if len(rows) > MAX_ROWS:
        raise ValidationFailed(f"一次最多导入 {MAX_ROWS} 行 (too many rows)")
    return [{k: v for k, v in row.items() if v not in (None, "")} for row in rows]


def import_ledger(actor: Actor, filename: str, data: bytes, *, dry_run: bool = False) -> dict:
    """Validate every row first; any error → 422 with a row-by-row report, nothing saved."""
    rows = read_rows(filename, data)
    if not rows:
        raise ValidationFailed("文件没有数据行 (no data rows)")
    loaded, errors, registered = _validate(actor, rows)
    if errors:
        raise ValidationFailed(
            "导入数据有误，未导入任何数据 (nothing imported)", code="import_failed", details={"rows": errors}
        )
    created = {"enterprises": 0, "devices": 0}
    if not dry_run:
        created = _insert(actor, loaded, registered)
    return {"rows": len(rows), "dry_run": dry_run, "created": created}


def _existing_numbers(rows: list[dict]) -> set[str]:
    numbers = sorted({str(r.get("registration_no", "")) for r in rows})
    return {
        number
        for chunk in chunks(numbers, LOOKUP_CHUNK)
        for number in db.session.scalars(
            select(Device.registration_no).where(Device.registration_no.in_(chunk))
        )
    }


def _enterprises_by_code(rows: list[dict]) -> dict[str, Enterprise]:
    """The registered enterprises the rows name, in a few queries instead of one per row."""
    codes = sorted({str(r.get("credit_code", "")).strip().upper() for r in rows} - {""})
    return {
        enterprise.credit_code: enterprise
        for chunk in chunks(codes, LOOKUP_CHUNK)
        for enterprise in db.session.scalars(select(Enterprise).where(Enterprise.credit_code.in_(chunk)))
    }


def _zone_ids() -> dict[str, int]:
    return {row.code: row.id for row in db.session.execute(select(Zone.code, Zone.id))}


@dataclass(frozen=True)
class _Registered:
    """What the rows are checked against, read once for the whole file."""

    numbers: set[str]
    enterprises: dict[str, Enterprise]
    zone_ids: dict[str, int]


def _validate(actor: Actor, rows: list[dict]) -> tuple[list[dict], list[dict], _Registered]:
    schema, loaded, errors = LedgerRowSchema(), [], []
    seen: set[str] = set()
    registered = _Registered(_existing_numbers(rows), _enterprises_by_code(rows), _zone_ids())
    for number, row in enumerate(rows, start=2):  # row 1 is the heading
        values, unreadable = parse_ledger_row(row)
        try:
            item = schema.load(values)
        except ValidationError as exc:
            errors.append({"row": number, "fields": chinese_messages(exc.messages) | unreadable})
            continue
        if unreadable:
            errors.append({"row": number, "fields": unreadable})
            continue
        problem = _row_problem(actor, item, registered, seen)
        if problem:
            errors.append({"row": number, "fields": problem})
        seen.add(item["registration_no"])
        loaded.append(item)
    return loaded, errors, registered


def _row_problem(actor: Actor, item: dict, registered: _Registered, seen: set) -> dict | None:
    if item["registration_no"] in registered.numbers or item["registration_no"] in seen:
        return {"registration_no": ["使用登记证编号重复 (duplicate registration number)"]}
    enterprise = registered.enterprises.get(item["credit_code"])
    if enterprise is not None:
        if not can_manage_enterprise(actor, enterprise):
            return {"credit_code": ["该企业不在您的管辖范围 (enterprise out of scope)"]}
        return None
    if actor.role not in (Role.bureau_admin, Role.inspector):
        # Same words as out-of-scope: the answer must not reveal who is registered.
        return {"credit_code": ["该企业不在您的管辖范围 (enterprise out of scope)"]}
    if not item["enterprise_name"]:
        return {"enterprise_name": ["新企业需填写名称 (name required for a new enterprise)"]}
    if actor.role == Role.bureau_admin and item["zone_code"] not in registered.zone_ids:
        return {"zone_code": ["辖区代码无效 (unknown zone code)"]}
    return None


def _insert(actor: Actor, items: list[dict], registered: _Registered) -> dict:
    """New enterprises first, then the devices a chunk at a time: one flush, one write of search
    terms and one block of change numbers per chunk rather than per row (20,000 rows in one request).
    `registered` is what the rows were checked against, in the same transaction."""
    enterprises = registered.enterprises
    new = _new_enterprises(actor, items, enterprises, registered.zone_ids)
    for chunk in chunks(items, INSERT_CHUNK):
        devices = [
            Device(
                enterprise_id=enterprises[item["credit_code"]].id,
                zone_id=enterprises[item["credit_code"]].zone_id,
                **{k: v for k, v in item.items() if k not in ("credit_code", "enterprise_name", "zone_code")},
            )
            for item in chunk
        ]
        db.session.add_all(devices)
        db.session.flush()
        record_changes("device", [(device.id, device.enterprise_id) for device in devices])
    return {"enterprises": len(new), "devices": len(items)}


def _new_enterprises(
    actor: Actor, items: list[dict], enterprises: dict[str, Enterprise], zone_ids: dict[str, int]
) -> list[Enterprise]:
    """Register the enterprises the rows name that are not registered yet (adds them to `enterprises`)."""
    new: list[Enterprise] = []
    for item in items:
        code = item["credit_code"]
        if code in enterprises:
            continue
        zone_id = actor.zone_id if actor.role == Role.inspector else zone_ids.get(item["zone_code"])
        enterprises[code] = Enterprise(name=item["enterprise_name"], credit_code=code, zone_id=zone_id)
        new.append(enterprises[code])
    db.session.add_all(new)
    db.session.flush()
    record_changes("enterprise", [(enterprise.id, enterprise.id) for enterprise in new])
    return new


# --- the template people fill in ---------------------------------------------------------------

#: heading → (example, required, what may be written)
TEMPLATE_COLUMNS: dict[str, tuple[str, str, str]] = {
    "统一社会信用代码": ("91310000MA1FL0XX09", "必填", "18 位统一社会信用代码"),
    "企业名称": ("示例物业管理有限公司", "新企业必填", "已登记的企业可不填"),
    "辖区代码": ("", "市局导入新企业时必填", "辖区（分局）代码"),
    "设备类别": ("电梯", "必填", "、".join(CATEGORY_LABELS.values())),
    "使用登记证编号": ("梯11沪A00001(24)", "必填", "3 至 40 个字符，不可重复"),
    "设备代码": ("3110310012024000001", "", "制造单位产品编号"),
    "设备名称": ("1号客梯", "", ""),
    "安装位置": ("1号楼", "", ""),
    "状态": ("在用", "", "、".join(STATUS_LABELS.values()) + "（不填为在用）"),
    "下次检验日期": ("2027年3月1日", "", "2027-03-01、2027/03/01 或 2027年3月1日"),
    "重点监控": ("否", "", "是 或 否（不填为否）"),
}


def template_workbook() -> bytes:
    """The import template: headings and an example row, the allowed values on a second sheet."""
    book = Workbook()
    ledger = book.active
    ledger.title = "设备台账"
    ledger.append(list(TEMPLATE_COLUMNS))
    ledger.append([example for example, _required, _allowed in TEMPLATE_COLUMNS.values()])
    for column, heading in enumerate(TEMPLATE_COLUMNS, start=1):
        ledger.column_dimensions[get_column_letter(column)].width = max(12, 2 * len(heading) + 4)
    guide = book.create_sheet("填写说明")
    guide.append(["列名", "是否必填", "可填写的值"])
    for heading, (_example, required, allowed) in TEMPLATE_COLUMNS.items():
        guide.append([heading, required, allowed])
    guide.append([])
    guide.append(["说明", "", "示例行请删除后再导入；任一行有误则整批不导入，请按提示修改后重试。"])
    guide.column_dimensions["A"].width = 18
    guide.column_dimensions["B"].width = 20
    guide.column_dimensions["C"].width = 80
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
