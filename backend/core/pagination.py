"""Paginate a SELECT into the list envelope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select

from backend.extensions import db

#: Counting past this many rows costs more than it tells a person paging on a phone.
COUNT_CAP = 10_000


@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int
    #: False when there are more than COUNT_CAP matches and `total` is the cap
    total_exact: bool = True


def paginate(query: Select, page: int, per_page: int, cap: int = COUNT_CAP) -> Page:
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).unique())
    if page == 1 and len(items) < per_page:
        return Page(items, page, per_page, len(items))
    capped = query.order_by(None).limit(cap + 1).subquery()
    total = db.session.scalar(select(func.count()).select_from(capped)) or 0
    if total > cap:
        return Page(items, page, per_page, cap, total_exact=False)
    return Page(items, page, per_page, total)
