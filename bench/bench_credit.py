"""Full credit-grade recompute (flask credit recompute) on a generated database.

    .venv/bin/python bench/bench_credit.py [city|province]
Province size (600k enterprises, 2.3M devices) is generated once into bench/out/ (shared
with bench_devices.py). Set BENCH_DATABASE_URL=postgresql://… to run on PostgreSQL.
Goal: ≤ 5 s for the province on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import build_app


def _ensure_index() -> None:
    """Databases generated before the covering device index (same DDL as the migration)."""
    from sqlalchemy import text

    from backend.extensions import db

    started = time.perf_counter()
    db.session.execute(text("CREATE INDEX IF NOT EXISTS ix_devices_enterprise_status_due "
                            "ON devices (enterprise_id, status, next_inspection_due)"))
    db.session.commit()
    if time.perf_counter() - started > 1:
        print(f"# added ix_devices_enterprise_status_due in {time.perf_counter() - started:.0f} s")


def _ensure_hazards(scale: str) -> None:
    """Databases generated before the demo had hazards get them now (same generator)."""
    from sqlalchemy import func, select, text

    from backend.core.clock import today
    from backend.demo import CITY, PROVINCE, load_demo_hazards
    from backend.extensions import db
    from backend.hazards.models import Hazard

    if db.session.scalar(select(func.count()).select_from(Hazard)):
        return
    started = time.perf_counter()
    load_demo_hazards(CITY if scale == "city" else PROVINCE, today())
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    count = db.session.scalar(select(func.count()).select_from(Hazard))
    print(f"# added {count} demo hazards in {time.perf_counter() - started:.0f} s")


def main(scale: str) -> None:
    app = build_app(f"{scale}", scale)
    with app.app_context():
        from backend.core.clock import today
        from backend.credit.services import recompute_grades, regrade_enterprise
        from backend.extensions import db

        engine = db.engine.dialect.name
        _ensure_index()
        _ensure_hazards(scale)
        for run in range(3):
            started = time.perf_counter()
            report = recompute_grades(today())
            db.session.commit()
            seconds = time.perf_counter() - started
            print(f"[{scale}/{engine}] full recompute run {run + 1}: {report.graded} enterprises, "
                  f"{report.changed} changes, {seconds:.2f} s")
        samples = []
        for enterprise_id in range(1, 201):
            started = time.perf_counter()
            regrade_enterprise(enterprise_id, "bench")
            db.session.commit()
            samples.append((time.perf_counter() - started) * 1000)
        samples.sort()
        print(f"[{scale}/{engine}] event re-grade of one enterprise: p50 {samples[100]:.1f} ms, "
              f"p99 {samples[197]:.1f} ms")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "city")
