"""Photos in an S3-compatible object store (BLOB_STORAGE_URL) served by a real S3-protocol server
on loopback: upload, signed links through this origin, `flask evidence verify`, `flask blobs
copy-to-store`."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from backend.core.images import sha256_hex
from backend.core.storage import BlobWriteError, LocalBlobStorage, S3BlobStorage, blob_storage
from tests import factories as f
from tests.conftest import auth
from tests.objectstore import ObjectStore, running_object_store


@pytest.fixture(scope="module")
def object_store() -> ObjectStore:
    with running_object_store() as store:
        yield store


@pytest.fixture
def bucket(object_store) -> str:
    return object_store.new_bucket()


@pytest.fixture
def on_object_store(app, object_store, bucket, monkeypatch) -> str:
    monkeypatch.setitem(app.config, "BLOB_STORAGE_URL", object_store.url(bucket))
    return bucket


def upload(client, user, data: bytes) -> dict:
    response = client.put(
        f"/api/photos/{sha256_hex(data)}", data=data, headers=auth(user) | {"Content-Type": "image/jpeg"}
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.json


def fetch(client, url: str):
    response = client.get(url)
    body = response.get_data()
    response.close()
    return response, body


def objects(object_store: ObjectStore, bucket: str) -> dict[str, bytes]:
    s3 = object_store.client()
    names = [item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    return {name: s3.get_object(Bucket=bucket, Key=name)["Body"].read() for name in names}


def verify(app):
    return app.test_cli_runner().invoke(args=["evidence", "verify"])


def test_an_uploaded_photo_lands_in_the_object_store_and_its_signed_links_serve_it(
    app, client, city, object_store, on_object_store
):
    photo = upload(client, city.manager, f.image_bytes(size=(640, 480)))
    sha = photo["sha256"]

    stored = objects(object_store, on_object_store)
    full, full_body = fetch(client, photo["url"])
    thumb, thumb_body = fetch(client, photo["thumbnail_url"])

    assert set(stored) == {f"photos/{sha}.jpg", f"photos/{sha}.thumb.jpg"}
    assert not Path(app.config["UPLOAD_DIR"]).exists()
    assert (full.status_code, full.mimetype, full_body) == (200, "image/jpeg", stored[f"photos/{sha}.jpg"])
    assert (thumb.status_code, thumb_body) == (200, stored[f"photos/{sha}.thumb.jpg"])
    assert "default-src 'self'" in full.headers["Content-Security-Policy"]
    assert full.headers["Cache-Control"] == "private, max-age=86400"


def test_a_tampered_signature_or_a_missing_object_is_404(app, client, city, object_store, on_object_store):
    photo = upload(client, city.manager, f.image_bytes())
    object_store.client().delete_object(Bucket=on_object_store, Key=f"photos/{photo['sha256']}.thumb.jpg")

    assert fetch(client, photo["url"].replace("sig=", "sig=0"))[0].status_code == 404
    assert fetch(client, photo["thumbnail_url"])[0].status_code == 404


def test_evidence_verify_hashes_photos_in_the_object_store(app, client, city, object_store, on_object_store):
    sha = upload(client, city.manager, f.image_bytes())["sha256"]
    assert verify(app).exit_code == 0, verify(app).output

    object_store.client().put_object(
        Bucket=on_object_store, Key=f"photos/{sha}.jpg", Body=f.image_bytes(colour=(0, 0, 200))
    )

    result = verify(app)
    assert result.exit_code != 0
    assert f"photo {sha}" in result.output


def test_copy_to_store_copies_every_local_photo_and_checks_each_hash(
    app, client, city, object_store, bucket, monkeypatch
):
    shas = [upload(client, city.manager, f.image_bytes(colour=(c, 40, 40)))["sha256"] for c in (10, 200)]
    local = LocalBlobStorage(app.config["UPLOAD_DIR"])
    local_digests = {key: hashlib.sha256(local.get(key)).hexdigest() for key in local.list_keys()}
    monkeypatch.setitem(app.config, "BLOB_STORAGE_URL", object_store.url(bucket))

    first = app.test_cli_runner().invoke(args=["blobs", "copy-to-store"])
    again = app.test_cli_runner().invoke(args=["blobs", "copy-to-store"])

    assert first.exit_code == 0 and "copied 4, already there 0, hash mismatches 0" in first.output
    assert again.exit_code == 0 and "copied 0, already there 4, hash mismatches 0" in again.output
    copied = objects(object_store, bucket)
    copied_digests = {k.removeprefix("photos/"): hashlib.sha256(v).hexdigest() for k, v in copied.items()}
    assert copied_digests == local_digests
    for key in list(local.list_keys()):
        local.delete(key)
    assert verify(app).exit_code == 0
    assert {sha for sha in shas if blob_storage(app.config).exists(f"{sha}.jpg")} == set(shas)


def test_copy_to_store_without_an_object_store_refuses(app):
    result = app.test_cli_runner().invoke(args=["blobs", "copy-to-store"])

    assert result.exit_code != 0 and "BLOB_STORAGE_URL is not set" in result.output


def test_bytes_damaged_on_the_way_are_refused_by_the_store(object_store, bucket):
    store = blob_storage({"BLOB_STORAGE_URL": object_store.url(bucket)})
    assert isinstance(store, S3BlobStorage)

    def flip_a_byte(request, **_kwargs):
        body = request.body.read() if hasattr(request.body, "read") else bytes(request.body)
        request.body = b"X" + body[1:]

    store.client.meta.events.register("before-send.s3.PutObject", flip_a_byte)
    try:
        with pytest.raises((ClientError, BlobWriteError)) as refused:
            store.put(f"{'a' * 64}.jpg", b"\xff\xd8 real bytes \xff\xd9")
    finally:
        store.client.meta.events.unregister("before-send.s3.PutObject", flip_a_byte)

    # a store that checks Content-MD5 answers BadDigest; one that does not is caught by the ETag
    if isinstance(refused.value, ClientError):
        assert refused.value.response["Error"]["Code"] in {"BadDigest", "InvalidDigest"}
    assert not store.exists(f"{'a' * 64}.jpg")
