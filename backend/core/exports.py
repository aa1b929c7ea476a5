"""Tabular downloads: CSV (UTF-8 with BOM, so Excel shows Chinese) and XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from flask import Response
from openpyxl import Workbook
from sqlalchemy import Select, func, select

from backend.core.downloads import file_response
from backend.core.errors import ValidationFailed
from backend.extensions import db

#: a list download holds at most this many rows; more asks for narrower filters
MAX_EXPORT_ROWS = 50_000


def _cell(value: object) -> object:
    """Neutralise spreadsheet formulas in user text (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return "" if value is None else value


def csv_response(
    filename: str, header: Sequence[str], rows: Sequence[Sequence], *, fallback: str | None = None
) -> Response:
    """`filename` without extension (Chinese is fine); `fallback`: its ASCII stand-in."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([[_cell(v) for v in row] for row in rows])
    body = "\ufeff" + buffer.getvalue()
    return file_response(
        body.encode("utf-8"),
        f"{filename}.csv",
        "text/csv; charset=utf-8",
        fallback=fallback and f"{fallback}.csv",
    )


def xlsx_response(
    filename: str, header: Sequence[str], rows: Sequence[Sequence], *, fallback: str | None = None
) -> Response:
    """`filename` without extension (Chinese is fine); `fallback`: its ASCII stand-in."""
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append([_cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return file_response(
        buffer.getvalue(), f"{filename}.xlsx", mimetype, fallback=fallback and f"{fallback}.xlsx"
    )


def export_items(query: Select) -> list:
    """Every row of a list query for a download, refused (422) above MAX_EXPORT_ROWS."""
    count = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    if count > MAX_EXPORT_ROWS:
        raise ValidationFailed(
            f"共 {count} 条，超过单次导出上限 {MAX_EXPORT_ROWS} 条，请缩小筛选范围 (too many rows to export)",
            code="export_too_large",
        )
    return list(db.session.scalars(query).unique())


def yes_no(value: bool) -> str:
    return "是" if value else "否"
