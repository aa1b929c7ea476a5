"""The device-ledger import at its limit: 20,000 rows (MAX_ROWS) typed the way people type them
(`电梯`, `在用`, `是/否`, `2027年3月1日`), as an inspector of zone 1 sends them: a dry run, then the
import, through the full Flask stack (in-process) on the demo city.

    .venv/bin/python bench/bench_import.py [rows]
Each run imports new registration numbers into bench/out/import.db (the demo city, generated once).
"""

from __future__ import annotations

import io
import sys
import time
import uuid
from pathlib import Path

from openpyxl import Workbook

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import build_app

HEADINGS = ["统一社会信用代码", "设备类别", "使用登记证编号", "设备名称", "安装位置", "状态"]
HEADINGS += ["下次检验日期", "重点监控"]
CATEGORIES = ("电梯", "锅炉", "压力容器", "起重机械", "场（厂）内专用机动车辆")


def ledger(rows: int, credit_codes: list[str]) -> bytes:
    """A workbook with the template's headings and `rows` rows for enterprises already registered."""
    run = uuid.uuid4().hex[:6].upper()
    book = Workbook()
    sheet = book.active
    sheet.append(HEADINGS)
    for i in range(rows):
        category = CATEGORIES[i % len(CATEGORIES)]
        sheet.append(
            [
                credit_codes[i % len(credit_codes)],
                category,
                f"导{run}{i:06d}",
                f"{i % 12 + 1}号{category}",
                f"{i % 9 + 1}号楼",
                "在用",
                f"2027年{i % 12 + 1}月{i % 28 + 1}日",
                "是" if i % 10 == 0 else "否",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main(rows: int) -> None:
    app = build_app("import", "city")
    client = app.test_client()
    token = client.post("/api/auth/login", json={"username": "inspector1", "password": "demo-password-1"})
    headers = {"Authorization": f"Bearer {token.json['access_token']}"}
    with app.app_context():
        from sqlalchemy import select

        from backend.accounts.models import User
        from backend.extensions import db
        from backend.org.models import Enterprise

        zone = db.session.scalar(select(User.zone_id).where(User.username == "inspector1"))
        codes = list(db.session.scalars(select(Enterprise.credit_code).where(Enterprise.zone_id == zone)))
    data = ledger(rows, codes)
    print(f"# {rows} rows, {len(data) / 1024:.0f} KiB xlsx, {len(codes)} enterprises of zone {zone}")
    for dry_run in ("true", "false"):
        started = time.perf_counter()
        res = client.post(
            f"/api/devices/import?dry_run={dry_run}",
            data={"file": (io.BytesIO(data), "台账.xlsx")},
            headers=headers,
        )
        seconds = time.perf_counter() - started
        if res.status_code != 200:
            raise SystemExit(f"import refused: {res.json}")
        label = "dry run (check every row)" if dry_run == "true" else "import (all rows in one transaction)"
        print(f"{label:<40} {seconds:6.1f} s   {rows / seconds:7.0f} rows/s   {res.json['created']}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
