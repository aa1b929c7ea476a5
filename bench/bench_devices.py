"""Device search and get-by-id p50/p99 through the full Flask stack (in-process).

    .venv/bin/python bench/bench_devices.py [city|province]
Province size (600k enterprises, 2.3M devices) is generated once into bench/out/.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import build_app, row, timed


def login(client, username: str) -> dict:
    token = client.post("/api/auth/login", json={"username": username, "password": "demo-password-1"})
    return {"Authorization": f"Bearer {token.json['access_token']}"}


def main(scale: str) -> None:
    app = build_app(f"{scale}", scale)
    client = app.test_client()
    rng = random.Random(7)
    with app.app_context():
        from sqlalchemy import func, select

        from backend.devices.models import Device
        from backend.extensions import db

        max_id = db.session.scalar(select(func.max(Device.id)))
    runs = 300
    for username in ("admin", "inspector1", "manager1"):
        headers = login(client, username)
        queries = {
            "list page 1": "/api/devices?per_page=20",
            "list page 50": "/api/devices?per_page=20&page=50",
            "filter category=elevator": "/api/devices?category=elevator",
            "filter overdue=true": "/api/devices?overdue=true",
            "filter key_monitored & category=boiler": "/api/devices?key_monitored=true&category=boiler",
            "search registration prefix": "/api/devices?q=梯12苏E00",
        }
        for label, url in queries.items():
            samples = timed(lambda url=url, headers=headers: client.get(url, headers=headers), runs // 3)
            print(row(f"[{scale}] {username:<10} {label}", samples))

        def get_one(headers=headers):
            client.get(f"/api/devices/{rng.randint(1, max_id)}", headers=headers)

        label = f"[{scale}] {username:<10} get by id (random, 404 when out of scope)"
        print(row(label, timed(get_one, runs)))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "city")
