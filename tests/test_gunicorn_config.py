"""The gunicorn workers' heap: what the app made at start is kept out of full collections, whose
pauses (130-260 ms over some 300,000 objects) were the slowest sample of most province reads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_worker_freezes_what_the_app_made_and_collects_the_young_less_often():
    """In a fresh interpreter: the hook changes this process's collector for good."""
    script = f"""
import gc, runpy
from app import app
config = runpy.run_path({str(ROOT / "gunicorn.conf.py")!r})
config["post_worker_init"](None)
assert gc.get_freeze_count() > 10_000, gc.get_freeze_count()
assert gc.get_threshold() == config["GC_THRESHOLDS"], gc.get_threshold()
print("frozen", gc.get_freeze_count())
"""
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("frozen")


def test_gunicorn_started_as_the_readme_says_loads_the_hook():
    command = [str(ROOT / ".venv/bin/gunicorn"), "--print-config", "app:app"]
    printed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)  # noqa: S603
    settings = {
        name.strip(): value.strip()
        for name, _, value in (line.partition("=") for line in printed.stdout.splitlines())
    }
    assert settings["config"] == "./gunicorn.conf.py"
    assert settings["post_worker_init"] == "<post_worker_init()>"
