"""LocalBlobStorage tests on a real temporary directory."""

import os
import stat
from pathlib import Path

import pytest

from backend.core.images import sha256_hex
from backend.core.storage import (
    BlobNotFoundError,
    BlobStorage,
    LocalBlobStorage,
    parse_s3_url,
    validate_key,
)

DIGEST = sha256_hex(b"photo")
PHOTO_KEY = f"{DIGEST}.jpg"
THUMB_KEY = f"{DIGEST}.thumb.jpg"


@pytest.fixture
def storage(tmp_path: Path) -> LocalBlobStorage:
    """A storage rooted in a fresh temporary directory."""
    return LocalBlobStorage(tmp_path / "uploads")


def test_local_storage_satisfies_blob_storage_protocol(storage: LocalBlobStorage):
    store: BlobStorage = storage  # checked by mypy; runtime smoke below
    store.put(PHOTO_KEY, b"x")

    assert store.exists(PHOTO_KEY)


def test_put_then_get_round_trips_bytes(storage: LocalBlobStorage):
    storage.put(PHOTO_KEY, b"\xff\xd8jpeg-bytes\xff\xd9")

    assert storage.get(PHOTO_KEY) == b"\xff\xd8jpeg-bytes\xff\xd9"


def test_keys_are_sharded_as_ab_cd_key(storage: LocalBlobStorage, tmp_path: Path):
    storage.put(PHOTO_KEY, b"a")
    storage.put(THUMB_KEY, b"b")

    shard = tmp_path / "uploads" / DIGEST[:2] / DIGEST[2:4]
    assert sorted(p.name for p in shard.iterdir()) == [PHOTO_KEY, THUMB_KEY]
    assert storage.open_path(PHOTO_KEY) == shard / PHOTO_KEY


def test_put_overwrites_atomically_and_leaves_no_temp_files(
    storage: LocalBlobStorage,
):
    storage.put(PHOTO_KEY, b"old")
    storage.put(PHOTO_KEY, b"new")

    path = storage.open_path(PHOTO_KEY)
    assert path is not None
    assert path.read_bytes() == b"new"
    assert [p.name for p in path.parent.iterdir()] == [PHOTO_KEY]


def test_put_replaces_via_rename_so_open_readers_keep_old_content(
    storage: LocalBlobStorage,
):
    storage.put(PHOTO_KEY, b"old")
    path = storage.open_path(PHOTO_KEY)
    assert path is not None

    with path.open("rb") as reader:
        storage.put(PHOTO_KEY, b"new")
        assert reader.read() == b"old"  # same inode: never saw a half-written file
    assert path.read_bytes() == b"new"


def test_stored_files_are_readable_by_a_web_server(storage: LocalBlobStorage):
    storage.put(PHOTO_KEY, b"x")

    path = storage.open_path(PHOTO_KEY)
    assert path is not None
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644


def test_missing_key_get_raises_not_found_and_open_path_is_none(
    storage: LocalBlobStorage,
):
    with pytest.raises(BlobNotFoundError):
        storage.get(PHOTO_KEY)
    with pytest.raises(KeyError):  # BlobNotFoundError is a KeyError
        storage.get(THUMB_KEY)
    assert storage.open_path(PHOTO_KEY) is None
    assert not storage.exists(PHOTO_KEY)


def test_delete_removes_blob_and_is_idempotent(storage: LocalBlobStorage):
    storage.put(PHOTO_KEY, b"x")

    storage.delete(PHOTO_KEY)
    storage.delete(PHOTO_KEY)

    assert not storage.exists(PHOTO_KEY)


def test_empty_blob_is_stored(storage: LocalBlobStorage):
    storage.put(PHOTO_KEY, b"")

    assert storage.exists(PHOTO_KEY)
    assert storage.get(PHOTO_KEY) == b""


@pytest.mark.parametrize(
    "key",
    [
        "",
        ".",
        "..",
        "../../etc/passwd",
        "ab/cd.jpg",
        "abcd/../../x",
        "..\\..\\x.jpg",
        "/etc/passwd",
        ".tmp-abcd",
        ".hidden.jpg",
        f"{DIGEST.upper()}.jpg",
        f"{DIGEST}.jpg\0.png",
        f"{DIGEST} .jpg",
        "ab.jpg",  # too short to shard
        "é" * 8,
        "a" * 201,
    ],
)
def test_unsafe_keys_are_rejected_with_value_error(storage: LocalBlobStorage, tmp_path: Path, key: str):
    for call in (
        lambda: storage.put(key, b"x"),
        lambda: storage.get(key),
        lambda: storage.open_path(key),
        lambda: storage.exists(key),
        lambda: storage.delete(key),
    ):
        with pytest.raises(ValueError, match="invalid storage key"):
            call()
    assert not (tmp_path / "uploads").exists()


@pytest.mark.parametrize("key", [PHOTO_KEY, THUMB_KEY, "abcd", "0000_x-y.webp"])
def test_safe_keys_are_accepted(key: str):
    assert validate_key(key) == key


def test_root_may_be_given_as_str(tmp_path: Path):
    storage = LocalBlobStorage(str(tmp_path))
    storage.put(PHOTO_KEY, b"x")

    assert storage.get(PHOTO_KEY) == b"x"


def test_list_keys_names_stored_blobs_and_skips_unfinished_writes(storage: LocalBlobStorage):
    storage.put(PHOTO_KEY, b"x")
    storage.put(THUMB_KEY, b"y")
    (storage.path_for(PHOTO_KEY).parent / ".tmp-half-written").write_bytes(b"z")

    assert sorted(storage.list_keys()) == sorted([PHOTO_KEY, THUMB_KEY])


def test_s3_url_names_bucket_prefix_endpoint_and_region():
    where = parse_s3_url("s3://photos/city-a?endpoint=http://127.0.0.1:9000&region=cn-east-1")

    assert (where.bucket, where.prefix, where.endpoint, where.region) == (
        "photos",
        "city-a/",
        "http://127.0.0.1:9000",
        "cn-east-1",
    )
    with pytest.raises(ValueError, match="BLOB_STORAGE_URL"):
        parse_s3_url("http://photos")
