"""Command line: `flask demo load`, `flask evidence verify`, `flask users create`, `flask jobs run-due`, …"""

from __future__ import annotations

import time

import click
from flask import Flask

from backend.extensions import db


def register_cli(app: Flask) -> None:
    app.cli.add_command(demo)
    app.cli.add_command(evidence)
    app.cli.add_command(complaints)
    app.cli.add_command(checklists)
    app.cli.add_command(credit)
    app.cli.add_command(events)
    app.cli.add_command(users)
    app.cli.add_command(jobs)
    app.cli.add_command(blobs)
    app.cli.add_command(backup)


@click.group(help="Demo data.")
def demo() -> None:
    """Commands under `flask demo`."""


@demo.command("load", help="Load the demo city (only into an empty database).")
@click.option("--scale", type=click.Choice(["city", "province"]), default="city")
@click.option("--enterprises", type=int, default=None, help="Override the enterprise count.")
@click.option("--devices", type=int, default=None, help="Override the device count.")
@click.option("--if-empty", is_flag=True, help="Do nothing when data exists.")
def load(scale: str, enterprises: int | None, devices: int | None, if_empty: bool) -> None:
    from dataclasses import replace

    from backend.demo import CITY, DEMO_LOGINS, DEMO_PASSWORD, PROVINCE, is_empty, load_demo

    if not is_empty():
        if if_empty:
            click.echo("Database already has data; demo not loaded.")
            return
        raise click.ClickException("The database is not empty; refusing to load the demo.")
    chosen = CITY if scale == "city" else PROVINCE
    chosen = replace(chosen, enterprises=enterprises or chosen.enterprises, devices=devices or chosen.devices)
    started = time.perf_counter()
    counts = load_demo(chosen)
    db.session.commit()
    click.echo(f"Loaded {counts} in {time.perf_counter() - started:.1f} s.")
    click.echo(f"Demo logins (password {DEMO_PASSWORD}):")
    for username, role, who in DEMO_LOGINS:
        click.echo(f"  {username:<12} {role:<17} {who}")


@click.group(help="The evidence chain.")
def evidence() -> None:
    """Commands under `flask evidence`."""


@evidence.command(
    "verify",
    help="Walk the chain, compare it with the stored head (and a checkpoint), re-derive every covered "
    "record and photo file; list each failure.",
)
@click.option(
    "--checkpoint",
    "checkpoint_file",
    type=click.File("r"),
    default=None,
    help="A file written by `flask evidence checkpoint`: the chain must still hold that seq with that hash.",
)
def verify(checkpoint_file) -> None:
    import json

    from backend.evidence.services import verify_chain
    from backend.system.evidence_audit import evidence_audit, record_checks

    started = time.perf_counter()
    try:
        checkpoint = json.load(checkpoint_file) if checkpoint_file else None
    except ValueError as error:
        raise click.ClickException("The checkpoint file is not JSON.") from error
    report = verify_chain(record_checks(), audit=evidence_audit(checkpoint))
    elapsed = time.perf_counter() - started
    if not report.ok:
        for problem in report.problems:
            where = f" at seq {problem.seq}" if problem.seq is not None else ""
            click.echo(f"BROKEN [{problem.kind}]{where}: {problem.message}", err=True)
        raise click.ClickException(f"{len(report.problems)} problem(s) in {report.entries} entries.")
    checked = " and the checkpoint" if checkpoint else ""
    click.echo(f"OK: {report.entries} entries, head {report.head_hash}{checked}, in {elapsed:.1f} s")


@evidence.command("checkpoint", help="Print the signed chain head (seq, hash, time); keep it off the server.")
def checkpoint() -> None:
    import json

    from backend.evidence.services import export_checkpoint
    from backend.system.evidence_audit import checkpoint_key_of_app

    click.echo(json.dumps(export_checkpoint(checkpoint_key_of_app())))


@evidence.command(
    "backfill-photos",
    help="Give each photo stored before the chain hashed photo files its photo.store entry (run once; "
    "running it again adds nothing).",
)
def backfill_photos() -> None:
    from backend.photos.backfill import backfill_photo_entries

    added = backfill_photo_entries()
    db.session.commit()
    click.echo(f"Added {added} photo entr{'y' if added == 1 else 'ies'}.")


@evidence.command(
    "backfill-records",
    help="Give each device order, auto-frozen month and history row made before the chain covered them "
    "its entry (run once after upgrading; running it again adds nothing).",
)
def backfill_records() -> None:
    from backend.system.evidence_audit import backfill_record_entries

    added = backfill_record_entries()
    db.session.commit()
    click.echo(f"Added {added} record entr{'y' if added == 1 else 'ies'}.")


@click.group(help="Public complaints.")
def complaints() -> None:
    """Commands under `flask complaints`."""


@complaints.command(
    "purge",
    help="Wipe contact phones of complaints closed longer ago than "
    "COMPLAINT_PHONE_RETENTION_DAYS (default 180).",
)
def purge() -> None:
    from backend.complaints.services import purge_expired_contacts
    from backend.core.clock import utcnow

    count = purge_expired_contacts(utcnow())
    db.session.commit()
    click.echo(f"Wiped the contact phone of {count} complaint(s).")


@click.group(help="Checklist templates.")
def checklists() -> None:
    """Commands under `flask checklists`."""


@checklists.command("install", help="Publish the shipped default checklists not installed yet.")
def install_checklists() -> None:
    from backend.inspections.services import install_default_templates

    added = install_default_templates()
    db.session.commit()
    click.echo(f"Installed {added} checklist templates.")


@click.group(help="Credit-risk grading (信用风险分级).")
def credit() -> None:
    """Commands under `flask credit`."""


@credit.command("recompute", help="Grade every enterprise now (a full cycle), set-based.")
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Grade as of this day (default today, China time).",
)
def recompute(as_of) -> None:
    from backend.core.clock import today
    from backend.credit.recompute import recompute_grades

    started = time.perf_counter()
    report = recompute_grades(as_of.date() if as_of else today())
    db.session.commit()
    click.echo(
        f"Graded {report.graded} enterprise(s) as of {report.as_of}, {report.changed} "
        f"change(s), {report.written} row(s) rewritten, in "
        f"{time.perf_counter() - started:.2f} s."
    )


@click.group(help="Domain events (the outbox of core.events).")
def events() -> None:
    """Commands under `flask events`."""


@events.command(
    "run-pending",
    help="Run the handlers of events left pending (a crash, a failed "
    "handler); safe to run any time, each event is handled once.",
)
def run_pending() -> None:
    from backend.core.db import write_intent
    from backend.core.events import handle_events

    token = write_intent.set(True)  # SQLite: take the write lock at BEGIN
    try:
        report = handle_events()
    finally:
        write_intent.reset(token)
    click.echo(f"Handled {report.done} event(s), {report.failed} failed (left pending).")
    if report.failed:
        raise SystemExit(1)


@click.group(help="User accounts (the first administrator of a fresh install, resets).")
def users() -> None:
    """Commands under `flask users`."""


@users.command("create", help="Create a user and print their one-time password (replaced at first sign-in).")
@click.argument("username")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["bureau_admin", "inspector", "safety_manager", "block_supervisor"]),
)
@click.option("--zone-id", type=int, default=None, help="The zone of an inspector.")
@click.option(
    "--enterprise-id", type=int, default=None, help="The enterprise of a safety manager or supervisor."
)
@click.option("--display-name", default="", help="Name shown in the app (default: the username).")
def create_user(
    username: str, role: str, zone_id: int | None, enterprise_id: int | None, display_name: str
) -> None:
    from backend.accounts.admin import create_user
    from backend.core.errors import AppError

    body = {
        "username": username,
        "role": role,
        "zone_id": zone_id,
        "enterprise_id": enterprise_id,
        "display_name": display_name,
    }
    try:
        created = create_user(None, body)
    except AppError as error:
        raise click.ClickException(_problem(error)) from error
    db.session.commit()
    click.echo(f"Created {role} {username}. One-time password (shown once): {created.one_time_password}")


@users.command("reset-password", help="Give a user a new one-time password; their sessions end.")
@click.argument("username")
def reset_user_password(username: str) -> None:
    from sqlalchemy import select

    from backend.accounts.admin import reset_password
    from backend.accounts.models import User

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"No user {username}.")
    password = reset_password(None, user)
    db.session.commit()
    click.echo(f"New one-time password for {username} (shown once): {password}")


def _problem(error) -> str:
    fields = error.details.get("fields") or {}
    detail = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in fields.items())
    return f"{error.message} {detail}".strip()


@click.group(help="Scheduled jobs (README, Jobs and notifications).")
def jobs() -> None:
    """Commands under `flask jobs`."""


@jobs.command("list", help="Each scheduled job, when it is next due, and its last run.")
def list_jobs() -> None:
    from backend.jobs.runner import job_statuses

    for status in job_statuses():
        run = status.last_run
        last = (
            f"last run {run.started_at:%Y-%m-%d %H:%M:%S} {run.outcome} {run.counts}"
            + (f" error: {run.error}" if run.error else "")
            if run
            else "never run"
        )
        due = f"{status.next_due_at:%Y-%m-%d %H:%M:%S}" if status.next_due_at else "now"
        click.echo(f"{status.name:<16} next due {due}  {last}  ({status.title})")


@jobs.command("run-due", help="Run every job that is due now; safe alongside the schedule.")
def run_due_jobs() -> None:
    from backend.jobs.runner import run_due

    results = run_due()
    for result in results:
        click.echo(f"{result.job:<16} {result.outcome} {result.counts} {result.error}".rstrip())
    click.echo(f"Ran {len(results)} due job(s).")
    if any(result.outcome == "failed" for result in results):
        raise SystemExit(1)


@click.group(help="Photo files (local disk or the object store of BLOB_STORAGE_URL).")
def blobs() -> None:
    """Commands under `flask blobs`."""


@blobs.command(
    "copy-to-store",
    help="Copy every file under UPLOAD_DIR to the object store of BLOB_STORAGE_URL, reading each back "
    "to compare its sha256; already copied files are skipped.",
)
def copy_to_store() -> None:
    from pathlib import Path

    from flask import current_app

    from backend.core.storage import LocalBlobStorage, blob_storage, copy_blobs

    if not current_app.config["BLOB_STORAGE_URL"]:
        raise click.ClickException("BLOB_STORAGE_URL is not set: there is no object store to copy to.")
    started = time.perf_counter()
    local = LocalBlobStorage(Path(current_app.config["UPLOAD_DIR"]))
    counts = copy_blobs(local, blob_storage(current_app.config))
    elapsed = time.perf_counter() - started
    click.echo(
        f"copied {counts.copied}, already there {counts.already_there}, "
        f"hash mismatches {counts.mismatched}, in {elapsed:.1f} s"
    )
    if counts.mismatched:
        raise click.ClickException(f"{counts.mismatched} file(s) read back with another sha256.")


@click.group(help="Backups you can restore: the database and every photo file (README, Backups).")
def backup() -> None:
    """Commands under `flask backup`."""


@backup.command("create", help="Write the database, the photo files and a manifest into a new directory.")
@click.option(
    "--to", "directory", required=True, type=click.Path(file_okay=False), help="A new or empty directory."
)
def create_backup_command(directory: str) -> None:
    from pathlib import Path

    from flask import current_app

    from backend.core.storage import blob_storage
    from backend.system.backup import BackupError, create_backup

    try:
        summary = create_backup(Path(directory), blob_storage(current_app.config))
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"backed up {summary.database}: {summary.rows} rows in {summary.tables} tables, {summary.blobs} files"
    )


@backup.command(
    "restore", help="Replace the database and put the photo files back, then check counts and hashes."
)
@click.option("--from", "directory", required=True, type=click.Path(exists=True, file_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
def restore_backup_command(directory: str, yes: bool) -> None:
    from pathlib import Path

    from flask import current_app

    from backend.core.storage import blob_storage
    from backend.system.backup import BackupError, restore_backup

    if not yes:
        click.confirm("This replaces every row of the database. Continue?", abort=True)
    try:
        summary = restore_backup(Path(directory), blob_storage(current_app.config))
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"restored {summary.database}: {summary.rows} rows in {summary.tables} tables, "
        f"{summary.blobs} files; counts match the backup. Now run `flask evidence verify`."
    )
