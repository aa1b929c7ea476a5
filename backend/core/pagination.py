"""Paginate a SELECT into the list envelope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select

from backend.extensions import db


@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int


def paginate(query: Select, page: int, per_page: int) -> Page:
    total = db.session.scalar(
        select(func.count()).select_from(query.order_by(None).subquery())
    )
    items = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page))
    return Page(list(items), page, per_page, total or 0)
