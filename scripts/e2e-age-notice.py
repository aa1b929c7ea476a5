"""Test-only: time passes for one notice on the browser tests' demo server (scripts/e2e-server.sh).

The server reads the real clock and has nothing to wind it forward with, so the notice's deadline
moves back instead: to `days` ago, binding its hazards' deadlines as issuing does (the API tests
do the same in-process: tests/api/test_notice_loop.py). The moved rows go into the change feed so
the phones' copies carry the new deadline. Not part of the app and reachable from no URL; it
refuses any database but an e2e server's fresh instance (the `.e2e` mark e2e-server.sh leaves).

    SESV_INSTANCE_DIR=<the e2e server's> .venv/bin/python scripts/e2e-age-notice.py <notice id> [days]
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

from backend import create_app
from backend.core.changes import record_change
from backend.core.clock import today
from backend.extensions import db
from backend.notices.models import Notice


def main(notice_id: int, days: int) -> None:
    instance = os.environ.get("SESV_INSTANCE_DIR")
    if not instance or not (Path(instance) / ".e2e").exists() or os.environ.get("DATABASE_URL"):
        sys.exit("e2e-age-notice: not an e2e server's instance (SESV_INSTANCE_DIR with an .e2e mark)")
    with create_app().app_context():
        notice = db.session.get(Notice, notice_id)
        if notice is None:
            sys.exit(f"e2e-age-notice: no notice {notice_id}")
        notice.deadline = today() - timedelta(days=days)
        record_change("notice", notice.id, notice.enterprise_id)
        for item in notice.items:
            item.hazard.deadline = min(item.hazard.deadline, notice.deadline)
            record_change("hazard", item.hazard.id, item.hazard.enterprise_id)
        db.session.commit()


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 1)
