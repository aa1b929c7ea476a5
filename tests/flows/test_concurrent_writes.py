"""Concurrent writing requests neither fail with 'database is locked' nor lose writes."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from backend.evidence.services import verify_chain
from backend.extensions import db
from backend.hazards.models import Hazard
from tests.conftest import auth
from tests.factories import new_id

THREADS, EACH = 6, 8


def test_parallel_hazard_reports_all_land_and_chain_stays_linked(app, city):
    headers, device_id = auth(city.manager), city.dev_a.id
    statuses: list[int] = []
    lock = threading.Lock()

    def phone() -> None:
        client = app.test_client()
        for n in range(EACH):
            body = {
                "id": new_id(),
                "device_id": device_id,
                "category": "电梯",
                "severity": "general",
                "description": f"并发写入 {n}",
            }
            response = client.post("/api/hazards", json=body, headers=headers)
            with lock:
                statuses.append(response.status_code)

    threads = [threading.Thread(target=phone) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [201] * THREADS * EACH
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Hazard)) == THREADS * EACH
    report = verify_chain()
    assert report.ok and report.entries == THREADS * EACH
