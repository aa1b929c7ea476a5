"""Tabular downloads: CSV (UTF-8 with BOM, so Excel shows Chinese) and XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from flask import Response
from openpyxl import Workbook


def _cell(value: object) -> object:
    """Neutralise spreadsheet formulas in user text (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return "" if value is None else value


def csv_response(filename: str, header: Sequence[str], rows: Sequence[Sequence]) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([[_cell(v) for v in row] for row in rows])
    body = "\ufeff" + buffer.getvalue()
    return _download(body.encode("utf-8"), f"{filename}.csv", "text/csv; charset=utf-8")


def xlsx_response(filename: str, header: Sequence[str], rows: Sequence[Sequence]) -> Response:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append([_cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _download(buffer.getvalue(), f"{filename}.xlsx", mimetype)


def _download(body: bytes, filename: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
