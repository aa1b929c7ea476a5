"""Crash consistency: SIGKILL the server at random moments under concurrent writes, restart, check.

    .venv/bin/python bench/crash_consistency.py [rounds]
Checks after the last restart: SQLite integrity_check is ok, every write the server acknowledged
(201) is present, and `flask evidence verify` walks the whole chain without a broken link.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("CRASH_PORT", "18771"))
FLASK = str(ROOT / ".venv/bin/flask")


def environment(instance: Path) -> dict:
    return os.environ | {
        "SESV_INSTANCE_DIR": str(instance),
        "RATELIMIT_ENABLED": "0",
        "DATABASE_URL": f"sqlite:///{instance / 'crash.db'}",
    }


def start(env: dict) -> subprocess.Popen:
    with socket.socket() as probe:  # another server there would acknowledge writes we then look for
        if probe.connect_ex(("127.0.0.1", PORT)) == 0:
            raise SystemExit(f"port {PORT} is already in use; set CRASH_PORT to a free one")
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--log-level",
            "critical",
            "app:app",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=1)
            connection.request("GET", "/api/health")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.1)
    raise SystemExit("server did not start")


def token() -> str:
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=5)
    connection.request(
        "POST",
        "/api/auth/login",
        json.dumps({"username": "manager1", "password": "demo-password-1"}),
        {"Content-Type": "application/json"},
    )
    return json.loads(connection.getresponse().read())["access_token"]


def writer(bearer: str, acknowledged: list[str], stop: threading.Event) -> None:
    headers = {"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"}
    while not stop.is_set():
        hazard_id = str(uuid.uuid4())
        body = json.dumps(
            {
                "id": hazard_id,
                "device_id": random.randint(1, 300),
                "category": "电梯",
                "severity": "general",
                "description": "崩溃一致性测试",
            }
        )
        try:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=5)
            connection.request("POST", "/api/hazards", body, headers)
            if connection.getresponse().status == 201:
                acknowledged.append(hazard_id)
        except OSError:
            time.sleep(0.05)  # the server is down: keep trying until told to stop


def run_round(env: dict, acknowledged: list[str]) -> None:
    server = start(env)
    bearer, stop = token(), threading.Event()
    threads = [threading.Thread(target=writer, args=(bearer, acknowledged, stop)) for _ in range(6)]
    for thread in threads:
        thread.start()
    time.sleep(random.uniform(0.5, 2.5))
    os.killpg(server.pid, signal.SIGKILL)  # master and workers, mid-write
    server.wait()
    stop.set()
    for thread in threads:
        thread.join()


def check(env: dict, instance: Path, acknowledged: list[str]) -> bool:
    database = sqlite3.connect(instance / "crash.db")
    integrity = database.execute("PRAGMA integrity_check").fetchone()[0]
    stored = {row[0] for row in database.execute("SELECT id FROM hazards")}
    database.close()
    missing = [h for h in acknowledged if h not in stored]
    verify = subprocess.run(
        [FLASK, "--app", "app", "evidence", "verify"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    print(f"integrity_check: {integrity}")
    print(
        f"acknowledged writes: {len(acknowledged)}, stored hazards: {len(stored)}, "
        f"acknowledged but missing: {len(missing)}"
    )
    print(f"evidence verify: {(verify.stdout or verify.stderr).strip()}")
    return integrity == "ok" and not missing and verify.returncode == 0


def main(rounds: int) -> int:
    with tempfile.TemporaryDirectory() as directory:
        instance = Path(directory)
        env = environment(instance)
        for command in (["db", "upgrade"], ["demo", "load"]):
            subprocess.run(
                [FLASK, "--app", "app", *command], cwd=ROOT, env=env, check=True, capture_output=True
            )
        acknowledged: list[str] = []
        for _ in range(rounds):
            run_round(env, acknowledged)
        print(f"{rounds} rounds of SIGKILL under 6 concurrent writers")
        ok = check(env, instance, acknowledged)
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5))
