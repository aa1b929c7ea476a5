"""Two app servers on one PostgreSQL and one Redis; one SIGKILLed mid-load.

    .venv/bin/python bench/bench_two_servers.py [seconds]      (default 20; BENCH_QUICK=1: 10)

Runs itself inside scripts/with-postgres.sh (PG_TEST_PORT picks the port) unless BENCH_DATABASE_URL
names a PostgreSQL; starts redis-server on a free loopback port, migrates, loads the demo city and
starts two gunicorns (BENCH_PORT and BENCH_PORT+1, BENCH_WORKERS workers × 4 threads each) with
the same REDIS_URL. Simulated phones (BENCH_PHONES, demo users) push batches of BENCH_BATCH
`hazard.create` ops through `POST /api/sync/push`, each batch with its op ids, alternating servers;
after each acknowledged push the phone pulls from its cursor. Halfway, the first server is killed
(SIGKILL, master and workers); a phone whose push fails resends the same batch to the other server,
as the PWA's outbox does. Then `flask jobs run-due` runs on both servers at the same moment.
Checks: every acknowledged op is in the database exactly once (one hazard per op, no op applied
twice), no duplicate notification and one run per due job, and each phone's pulls from its
cursor returned every hazard it had acknowledged. Exit status 1 when a check fails.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
QUICK = os.environ.get("BENCH_QUICK") == "1"
BASE_PORT = int(os.environ.get("BENCH_PORT", "18781"))
WORKERS = os.environ.get("BENCH_WORKERS", "1")
BATCH = int(os.environ.get("BENCH_BATCH", "5"))
PHONES = os.environ.get(
    "BENCH_PHONES",
    "inspector1,inspector2,inspector3,inspector1b,inspector2b,inspector3b,manager1,supervisor1",
).split(",")
PASSWORD = "demo-password-1"  # noqa: S105 - the documented demo credential
MARK = "双机压测"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def refuse_taken(port: int) -> None:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise SystemExit(f"port {port} is already in use; set BENCH_PORT to a free pair")


def start_redis(directory: Path) -> tuple[subprocess.Popen, str]:
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not os.access(binary, os.X_OK):
        raise SystemExit("redis-server not found: install Debian's redis-server package")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory), "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(200):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return process, f"redis://127.0.0.1:{port}/0"
        time.sleep(0.05)
    raise SystemExit("redis-server did not start")


def flask(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / ".venv/bin/flask"), "--app", "app", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )


def start_server(port: int, env: dict, log: Path) -> subprocess.Popen:
    refuse_taken(port)
    with log.open("wb") as output:
        server = subprocess.Popen(
            [
                *(str(ROOT / ".venv/bin/gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", WORKERS),
                *("--threads", "4", "--log-level", "warning", "app:app"),
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # killpg reaches the master and its workers
        )
    for _ in range(300):
        try:
            if call(port, "GET", "/api/health")[0] == 200:
                return server
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"server on {port} did not start: {log.read_text()[-2000:]}")


def call(port: int, method: str, path: str, body: object = None, bearer: str = "") -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {bearer}"} if bearer else {})
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, json.dumps(body) if body is not None else None, headers)
        response = connection.getresponse()
        raw = response.read()
        return response.status, (json.loads(raw) if raw else {})
    finally:
        connection.close()


def expect(condition: object, detail: object) -> None:
    if not condition:
        raise RuntimeError(str(detail)[:2000])


@dataclass
class Phone:
    username: str
    ports: list[int]
    rng: random.Random
    token: str = ""
    devices: list[int] = field(default_factory=list)
    cursor: str = ""
    preferred: int = 0
    acked: dict[str, str] = field(default_factory=dict)  # op id → hazard id
    rejected: int = 0
    retries: int = 0
    seen: set[str] = field(default_factory=set)  # hazard ids its pulls returned
    latencies: list[float] = field(default_factory=list)

    def sign_in(self) -> None:
        body = {"username": self.username, "password": PASSWORD}
        status, answer = call(self.ports[0], "POST", "/api/auth/login", body)
        expect(status == 200, answer)
        self.token = answer["access_token"]
        status, answer = call(self.ports[0], "GET", "/api/devices?per_page=100", bearer=self.token)
        expect(status == 200, answer)
        self.devices = [device["id"] for device in answer["items"]]
        expect(self.devices, f"{self.username} sees no devices")
        self.pull()  # the phone starts from its cursor, as after its first sync

    def send(self, method: str, path: str, body: object = None) -> tuple[int, dict]:
        """Try the preferred server; on a dead one or a 5xx, the other, until one answers."""
        for _attempt in range(200):
            port = self.ports[self.preferred]
            try:
                started = time.perf_counter()
                status, answer = call(port, method, path, body, self.token)
                if status < 500:
                    if method == "POST":
                        self.latencies.append((time.perf_counter() - started) * 1000)
                    return status, answer
            except OSError:
                pass
            self.retries += 1
            self.preferred = 1 - self.preferred
            time.sleep(0.05)
        raise RuntimeError(f"{self.username}: no server answered")

    def push(self) -> None:
        ops = []
        for _ in range(BATCH):
            op_id = str(uuid.uuid4())
            payload = {
                "id": str(uuid.uuid4()),
                "device_id": self.rng.choice(self.devices),
                "category": "电梯",
                "severity": self.rng.choice(["general", "general", "major"]),
                "description": f"{MARK} {op_id}",
            }
            ops.append({"op_id": op_id, "type": "hazard.create", "payload": payload})
        status, answer = self.send("POST", "/api/sync/push", {"ops": ops})
        expect(status == 200, answer)
        for op, result in zip(ops, answer["results"], strict=True):
            if result["status"] in ("applied", "duplicate"):
                self.acked[op["op_id"]] = op["payload"]["id"]
            else:
                self.rejected += 1
        self.preferred = self.rng.randrange(2) if len(self.ports) == 2 else 0  # spread the load

    def pull(self) -> None:
        more = True
        while more:
            status, answer = self.send("GET", f"/api/sync/pull?cursor={self.cursor}")
            expect(status == 200, answer)
            self.seen.update(c["id"] for c in answer["changes"] if c["entity"] == "hazard")
            self.cursor, more = answer["cursor"], answer["more"]

    def run(self, until: float) -> None:
        while time.perf_counter() < until:
            self.push()
            self.pull()


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else 0.0


def run_due_on_both(env: dict) -> list[str]:
    """`flask jobs run-due` on both servers at the same moment (two processes, one Redis)."""
    command = [str(ROOT / ".venv/bin/flask"), "--app", "app", "jobs", "run-due"]
    runs = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    return [run.communicate(timeout=600)[0].strip() for run in runs]


def database_checks(url: str, phones: list[Phone]) -> dict:
    acked_ops = [op for phone in phones for op in phone.acked]
    acked_hazards = [hazard for phone in phones for hazard in phone.acked.values()]
    with psycopg.connect(url) as connection:
        applied = connection.execute(
            "SELECT count(*) FROM applied_ops WHERE op_id = ANY(%s)", (acked_ops,)
        ).fetchone()[0]
        stored = connection.execute(
            "SELECT count(DISTINCT id) FROM hazards WHERE id = ANY(%s)", (acked_hazards,)
        ).fetchone()[0]
        duplicates = connection.execute(
            "SELECT count(*) FROM (SELECT description FROM hazards WHERE description LIKE %s "
            "GROUP BY description HAVING count(*) > 1) d",
            (f"{MARK} %",),
        ).fetchone()[0]
        total = connection.execute(
            "SELECT count(*) FROM hazards WHERE description LIKE %s", (f"{MARK} %",)
        ).fetchone()[0]
    return {
        "acked": len(acked_ops),
        "lost": len(acked_ops) - stored,
        "applied_rows": applied,
        "duplicates": duplicates,
        "stored": total,
    }


def notification_checks(url: str) -> dict:
    with psycopg.connect(url) as connection:
        same_key = connection.execute(
            "SELECT count(*) FROM (SELECT 1 FROM notifications GROUP BY user_id, dedupe_key "
            "HAVING count(*) > 1) d"
        ).fetchone()[0]
        same_text = connection.execute(
            "SELECT count(*) FROM (SELECT 1 FROM notifications GROUP BY user_id, kind, title, body, link "
            "HAVING count(*) > 1) d"
        ).fetchone()[0]
        runs = connection.execute("SELECT job, count(*) FROM job_runs GROUP BY job ORDER BY job").fetchall()
        notifications = connection.execute("SELECT count(*) FROM notifications").fetchone()[0]
    return {"same_key": same_key, "same_text": same_text, "runs": dict(runs), "notifications": notifications}


def prepare(env: dict) -> None:
    for command in (["db", "upgrade"], ["checklists", "install"], ["demo", "load"]):
        flask(env, *command)


def make_jobs_due(url: str) -> None:
    """Every scheduled job due now (a tick after the load), with no run recorded yet."""
    with psycopg.connect(url) as connection:
        connection.execute("DELETE FROM job_leases")
        connection.execute("DELETE FROM job_runs")


def load(phones: list[Phone], servers: list[subprocess.Popen], seconds: float) -> float:
    started = time.perf_counter()
    until = started + seconds
    threads = [threading.Thread(target=phone.run, args=(until,)) for phone in phones]
    for thread in threads:
        thread.start()
    time.sleep(seconds / 2)
    os.killpg(servers[0].pid, signal.SIGKILL)  # server A, master and workers, mid-load
    servers[0].wait()
    print(f"# killed server A (port {phones[0].ports[0]}) after {time.perf_counter() - started:.1f} s")
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def report(phones: list[Phone], took: float, rows: dict, jobs: dict, cursor_missing: int) -> bool:
    latencies = [ms for phone in phones for ms in phone.latencies]
    print(f"phones {len(phones)}, {BATCH} hazard.create ops a push, {took:.1f} s, server A killed halfway")
    print(
        f"ops/s {rows['acked'] / took:.1f}   acked {rows['acked']}   lost {rows['lost']}   "
        f"duplicates {rows['duplicates']}   rejected {sum(p.rejected for p in phones)}   "
        f"retries {sum(p.retries for p in phones)}"
    )
    print(
        f"push latency p50 {percentile(latencies, 0.5):.0f} ms   p99 {percentile(latencies, 0.99):.0f} ms   "
        f"pushes {len(latencies)}"
    )
    print(
        f"stored hazards of the run {rows['stored']}   applied-op rows {rows['applied_rows']}   "
        f"pull cursor: acked hazards missing from the phone's pulls {cursor_missing}"
    )
    print(
        f"jobs run-due on both servers at once: runs per job {jobs['runs']}   "
        f"notifications {jobs['notifications']}   duplicate notifications "
        f"{jobs['same_key'] + jobs['same_text']}"
    )
    return (
        rows["lost"] == 0
        and rows["duplicates"] == 0
        and rows["applied_rows"] == rows["acked"]
        and rows["stored"] == rows["acked"]
        and cursor_missing == 0
        and jobs["same_key"] == 0
        and jobs["same_text"] == 0
        and all(count == 1 for count in jobs["runs"].values())
    )


def main(seconds: float) -> int:
    url = os.environ["BENCH_DATABASE_URL"]
    plain_url = url.replace("postgresql+psycopg://", "postgresql://")
    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        redis, redis_url = start_redis(work)
        env = os.environ | {
            "DATABASE_URL": url,
            "REDIS_URL": redis_url,
            "SESV_INSTANCE_DIR": str(work / "instance"),
            "UPLOAD_DIR": str(work / "uploads"),
            "RATELIMIT_ENABLED": "1",
            "JOBS_SCHEDULER": "0",
        }
        servers: list[subprocess.Popen] = []
        try:
            prepare(env)
            ports = [BASE_PORT, BASE_PORT + 1]
            servers = [start_server(port, env, work / f"server-{port}.log") for port in ports]
            rng = random.Random(23)
            phones = [Phone(name, ports, random.Random(rng.random())) for name in PHONES]
            for phone in phones:
                phone.sign_in()
            took = load(phones, servers, seconds)
            for phone in phones:
                phone.pull()  # from its cursor, on the survivor
            cursor_missing = sum(len(set(phone.acked.values()) - phone.seen) for phone in phones)
            rows = database_checks(plain_url, phones)
            make_jobs_due(plain_url)
            outputs = run_due_on_both(env)
            print("# run-due outputs: " + " | ".join(o.replace("\n", "; ") for o in outputs))
            ok = report(phones, took, rows, notification_checks(plain_url), cursor_missing)
        finally:
            for server in servers:
                if server.poll() is None:
                    os.killpg(server.pid, signal.SIGTERM)
                    server.wait(timeout=30)
            redis.terminate()
            redis.wait(timeout=10)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    if not os.environ.get("BENCH_DATABASE_URL"):
        if not os.environ.get("TEST_DATABASE_URL"):  # not yet inside with-postgres.sh: start one there
            script = str(ROOT / "scripts/with-postgres.sh")
            os.execv(script, [script, sys.executable, __file__, *sys.argv[1:]])  # noqa: S606
        os.environ["BENCH_DATABASE_URL"] = os.environ["TEST_DATABASE_URL"]
    default = 10 if QUICK else 20
    raise SystemExit(main(float(sys.argv[1]) if len(sys.argv) > 1 else default))
