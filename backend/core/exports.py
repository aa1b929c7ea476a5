"""Tabular downloads: CSV (UTF-8 with BOM, so Excel shows Chinese) and XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from flask import Response
from openpyxl import Workbook

from backend.core.downloads import file_response


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
