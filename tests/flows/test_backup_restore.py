"""The restore drill: back up the demo city with photos, wipe database and photo files, restore,
then `flask evidence verify` is OK and every table has the rows it had (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from backend.accounts.models import User
from backend.core.images import sha256_hex
from backend.demo import load_demo
from backend.extensions import db
from backend.photos.services import signed_photo_url
from backend.system.backup import row_counts
from tests import factories as f
from tests.conftest import auth


def cli(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def fetch(client, url: str) -> tuple[int, bytes]:
    response = client.get(url)
    body = response.get_data()
    response.close()  # send_file streams from disk
    return response.status_code, body


def upload_photos(client, user, count: int) -> list[str]:
    shas = []
    for colour in range(count):
        data = f.image_bytes(colour=(colour * 40, 90, 90), size=(320, 240))
        response = client.put(
            f"/api/photos/{sha256_hex(data)}", data=data, headers=auth(user) | {"Content-Type": "image/jpeg"}
        )
        assert response.status_code == 201
        shas.append(sha256_hex(data))
    return shas


def wipe(app) -> None:
    db.session.remove()
    db.drop_all()
    shutil.rmtree(app.config["UPLOAD_DIR"])


@pytest.fixture
def demo_with_photos(app, client):
    load_demo()
    db.session.commit()
    uploader = db.session.scalars(db.select(User).where(User.role == "inspector")).first()
    return upload_photos(client, uploader, 3)


def test_backup_wipe_restore_gives_back_every_row_and_photo_and_the_chain_verifies(
    app, client, demo_with_photos, tmp_path
):
    before = row_counts()
    shown_before = fetch(client, signed_photo_url(demo_with_photos[0], "full"))[1]
    created = cli(app, "backup", "create", "--to", str(tmp_path / "backup"))
    assert created.exit_code == 0, created.output
    wipe(app)

    restored = cli(app, "backup", "restore", "--from", str(tmp_path / "backup"), "--yes")

    assert restored.exit_code == 0, restored.output
    assert "counts match the backup" in restored.output
    assert row_counts() == before and before["hazards"] > 0
    verified = cli(app, "evidence", "verify")
    assert verified.exit_code == 0, verified.output
    assert fetch(client, signed_photo_url(demo_with_photos[0], "full")) == (200, shown_before)


def test_a_backup_with_a_damaged_photo_file_is_refused(app, client, demo_with_photos, tmp_path):
    assert cli(app, "backup", "create", "--to", str(tmp_path / "backup")).exit_code == 0
    damaged = next(Path(tmp_path / "backup" / "blobs").rglob("*.jpg"))
    damaged.write_bytes(b"\xff\xd8 other bytes \xff\xd9")
    wipe(app)

    restored = cli(app, "backup", "restore", "--from", str(tmp_path / "backup"), "--yes")

    assert restored.exit_code != 0
    assert "do not match its manifest" in restored.output


def test_backup_refuses_a_directory_that_is_not_empty(app, tmp_path):
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "old").write_text("x")

    result = cli(app, "backup", "create", "--to", str(tmp_path / "backup"))

    assert result.exit_code != 0 and "is not empty" in result.output


def test_manifest_records_each_photo_files_sha256(app, client, demo_with_photos, tmp_path):
    assert cli(app, "backup", "create", "--to", str(tmp_path / "backup")).exit_code == 0

    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())

    assert {f"{sha}.jpg" for sha in demo_with_photos} <= set(manifest["blobs"])
    assert manifest["row_counts"]["photos"] >= len(demo_with_photos)
