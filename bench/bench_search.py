"""Search in Chinese (`q`) on devices, hazards and complaints: p50/p99 through the full Flask stack.

    .venv/bin/python bench/bench_search.py [city|province]
The city is the demo city; province size (600k enterprises, 2.3M devices) is generated once into
bench/out/ and takes long. On PostgreSQL: BENCH_DATABASE_URL=postgresql+psycopg://…
Searches count their matches up to core.search.SEARCH_COUNT_CAP ("1000+ found").
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import build_app, row, timed

QUERIES = {
    "devices 电梯 (category)": "/api/devices?per_page=20&q=" + quote("电梯"),
    "devices 客梯 (name)": "/api/devices?per_page=20&q=" + quote("客梯"),
    "devices 梯12 (number prefix)": "/api/devices?per_page=20&q=" + quote("梯12"),
    "devices 物业 (enterprise name)": "/api/devices?per_page=20&q=" + quote("物业"),
    "devices 号楼 (address)": "/api/devices?per_page=20&q=" + quote("3号楼"),
    "hazards 电梯": "/api/hazards?per_page=20&q=" + quote("电梯"),
    "hazards 制动": "/api/hazards?per_page=20&q=" + quote("制动"),
    "complaints 电梯": "/api/complaints?per_page=20&q=" + quote("电梯"),
}


def login(client, username: str) -> dict:
    token = client.post("/api/auth/login", json={"username": username, "password": "demo-password-1"})
    return {"Authorization": f"Bearer {token.json['access_token']}"}


def _load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(scale: str, runs: int = 60) -> None:
    app = build_app(scale, scale)
    client = app.test_client()
    for username in ("admin", "inspector1", "manager1"):
        print(f"# {username}: {_load()}", flush=True)
        headers = login(client, username)
        for label, url in QUERIES.items():
            if "complaints" in url and username == "manager1":
                continue
            first = client.get(url, headers=headers)
            if first.status_code != 200:
                raise SystemExit(f"{url}: {first.status_code} {first.json}")
            samples = timed(lambda url=url, headers=headers: client.get(url, headers=headers), runs)
            found = f"{first.json['total']}{'' if first.json['total_exact'] else '+'} found"
            print(row(f"[{scale}] {username:<10} {label} ({found})", samples), flush=True)
    print(f"# done: {_load()}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "city")
