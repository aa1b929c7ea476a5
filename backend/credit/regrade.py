"""Event re-grade: a record that changes what an enterprise is graded on re-grades it at once
(seed 002 第十三条)."""

from __future__ import annotations

from backend.core.clock import today
from backend.credit.recompute import recompute_grades


def regrade_enterprise(enterprise_id: int, cause: str) -> None:
    """An event (hazard closed or reported, accident, case, complaint) re-grades at once."""
    recompute_grades(today(), ids=[enterprise_id], cause=cause)
