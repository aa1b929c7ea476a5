"""Full credit-grade recompute (flask credit recompute) on a generated database.

    .venv/bin/python bench/bench_credit.py [city|province]
Province size (600k enterprises, 2.3M devices) is generated once into bench/out/ (shared
with bench_devices.py). Set BENCH_DATABASE_URL=postgresql://… to run on PostgreSQL.
Goal: ≤ 5 s for the province on SQLite and on PostgreSQL. A daily cycle (grades of one
day recomputed on the next) rewrites only the rows whose content changed; the worst case,
every row rewritten (the second cycle after a load, a config change that moves every
score), is timed after clearing each previous grade. Each run also prints the CPU
time of the SQL work (SQLite: this process; PostgreSQL: its backend, when local), which a
busy shared machine disturbs far less than the wall time. The event re-grade is timed
without and with its commit (SQLite commits with synchronous=FULL: an fsync).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import build_app


def _ensure_index() -> None:
    """Databases generated before the covering device index (same DDL as the migration)."""
    from sqlalchemy import text

    from backend.extensions import db

    started = time.perf_counter()
    db.session.execute(
        text(
            "CREATE INDEX IF NOT EXISTS ix_devices_enterprise_status_due "
            "ON devices (enterprise_id, status, next_inspection_due)"
        )
    )
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


def _server_cpu() -> Callable[[], float]:
    """CPU seconds used so far by the process doing the SQL work: this process on SQLite,
    the PostgreSQL backend of this session when the server runs on this machine (else 0).
    On a shared machine the wall time says how busy the others were; the CPU time does not."""
    import os

    from sqlalchemy import text

    from backend.extensions import db

    if db.engine.dialect.name == "sqlite":
        return time.process_time
    pid = db.session.scalar(text("SELECT pg_backend_pid()"))
    stat = Path(f"/proc/{pid}/stat")
    if not stat.exists():
        return lambda: 0.0

    def used() -> float:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    return used


def main(scale: str) -> None:
    app = build_app(f"{scale}", scale)
    with app.app_context():
        from datetime import timedelta

        from sqlalchemy import text

        from backend.core.clock import today
        from backend.credit.recompute import recompute_grades
        from backend.credit.regrade import regrade_enterprise
        from backend.extensions import db

        engine = db.engine.dialect.name
        _ensure_index()
        _ensure_hazards(scale)

        def cycle(label: str, as_of) -> None:
            cpu = _server_cpu()
            started, cpu_started = time.perf_counter(), cpu()
            report = recompute_grades(as_of)
            db.session.commit()
            seconds = time.perf_counter() - started
            print(
                f"[{scale}/{engine}] {label}: {report.graded} graded, {report.written} rows "
                f"rewritten, {report.changed} changes, {seconds:.2f} s (SQL CPU "
                f"{cpu() - cpu_started:.2f} s)",
                flush=True,
            )

        def vacuum_grades() -> None:
            if engine == "postgresql":
                with db.engine.connect() as connection:
                    connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                        text("VACUUM credit_grades")
                    )

        day, next_day = today(), today() + timedelta(days=1)
        vacuum_grades()  # what earlier runs left dead is not this run's
        cycle("settle", day)
        for run in range(2):  # a daily cycle: yesterday's grades, today's facts
            cycle(f"daily cycle {run + 1}, as of {next_day}", next_day)
            cycle(f"daily cycle {run + 1}, as of {day}", day)
        for run in range(2):  # worst case: every row rewritten (as after a config change)
            db.session.execute(text("UPDATE credit_grades SET previous_grade = NULL"))
            db.session.commit()
            # the setup's 600k dead rows are not the scenario's: a config change meets a
            # table that autovacuum has kept after ordinary days
            vacuum_grades()
            cycle(f"every row rewritten {run + 1}", day)
        regrade, commit = [], []
        for enterprise_id in range(1, 201):
            started = time.perf_counter()
            regrade_enterprise(enterprise_id, "bench")
            graded = time.perf_counter()
            db.session.commit()
            regrade.append((graded - started) * 1000)
            commit.append((time.perf_counter() - graded) * 1000)
        total = sorted(r + c for r, c in zip(regrade, commit, strict=True))
        regrade.sort()
        commit.sort()
        print(
            f"[{scale}/{engine}] event re-grade of one enterprise: p50 {regrade[100]:.1f} ms, "
            f"p99 {regrade[197]:.1f} ms; with its commit p50 {total[100]:.1f} ms, p99 "
            f"{total[197]:.1f} ms (the commit alone p50 {commit[100]:.1f} ms)"
        )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "city")
