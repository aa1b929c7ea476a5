"""Photos uploaded anonymously for complaints: links only for matching bytes, a lower pixel
cap, a few processing slots, and removal of the uploads no complaint ever cited."""

from __future__ import annotations

import struct
import zlib
from datetime import timedelta

from sqlalchemy import select

from backend.complaints.photos import _upload_slots, purge_unclaimed_photos
from backend.core.clock import utcnow
from backend.core.images import sha256_hex
from backend.extensions import db
from backend.jobs.definitions import JOBS
from backend.photos.models import Photo
from backend.photos.services import storage
from tests import factories as f
from tests.api.test_complaints import _filed, app  # noqa: F401 - the complaints app (PoW cheap)
from tests.conftest import auth

PHOTO = f.image_bytes((90, 40, 160))


def _public_put(client, data: bytes, sha: str | None = None):
    return client.put(f"/api/public/photos/{sha or sha256_hex(data)}", data=data, content_type="image/jpeg")


def _png_claiming(width: int, height: int) -> bytes:
    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + payload))
        return struct.pack(">I", len(payload)) + kind + payload + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = chunk(b"IDAT", zlib.compress(b"\0" * 64))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + pixels + chunk(b"IEND", b"")


def test_knowing_a_stored_photos_hash_gives_no_link_to_it(client, city):
    sha = sha256_hex(PHOTO)
    stored = client.put(f"/api/photos/{sha}", data=PHOTO, headers=auth(city.manager))
    assert stored.status_code == 201
    for response in (
        _public_put(client, b"", sha),
        _public_put(client, f.image_bytes((1, 2, 3)), sha),
        client.put(f"/api/photos/{sha}", data=b"", headers=auth(city.supervisor)),
    ):
        assert response.status_code == 400
        assert response.json["error"]["code"] == "hash_mismatch"
        assert "sig=" not in response.get_data(as_text=True)
    again = _public_put(client, PHOTO)
    assert again.status_code == 200 and "sig=" in again.json["url"]


def test_anonymous_uploads_have_a_lower_pixel_cap_than_signed_in_ones(client, city):
    huge = _png_claiming(7000, 7000)  # 49 megapixels: under the signed-in cap of 50
    public = _public_put(client, huge)
    assert (public.status_code, public.json["error"]["code"]) == (413, "decompression_bomb")
    signed_in = client.put(f"/api/photos/{sha256_hex(huge)}", data=huge, headers=auth(city.manager))
    assert signed_in.json["error"]["code"] != "decompression_bomb"  # past the cap, then found truncated


def test_anonymous_uploads_beyond_the_free_slots_are_429_and_retry_succeeds(client, city):
    slots = _upload_slots()
    held = 0
    while slots.acquire(blocking=False):
        held += 1
    try:
        busy = _public_put(client, PHOTO)
        assert (busy.status_code, busy.json["error"]["code"]) == (429, "uploads_busy")
        assert db.session.get(Photo, sha256_hex(PHOTO)) is None
    finally:
        for _ in range(held):
            slots.release()
    assert held >= 1
    assert _public_put(client, PHOTO).status_code == 201


def _age(sha: str, days: float) -> None:
    db.session.get(Photo, sha).created_at = utcnow() - timedelta(days=days)
    db.session.commit()


def test_anonymous_photos_no_complaint_cited_are_removed_after_a_day(client, city):
    orphan, cited, fresh, used_by_hazard = (f.image_bytes((c, 10, 10)) for c in (10, 60, 110, 160))
    for data in (orphan, cited, fresh, used_by_hazard):
        assert _public_put(client, data).status_code == 201
    _filed(client, city.dev_a, photos=[sha256_hex(cited)])
    report = client.post(
        "/api/hazards",
        json={
            "id": f.new_id(),
            "device_id": city.dev_a.id,
            "category": "电梯",
            "severity": "general",
            "description": "门锁回路短接",
            "photos": [sha256_hex(used_by_hazard)],
        },
        headers=auth(city.manager),
    )
    assert report.status_code == 201, report.json
    signed_in = f.image_bytes((200, 200, 10))
    uploaded = client.put(f"/api/photos/{sha256_hex(signed_in)}", data=signed_in, headers=auth(city.manager))
    assert uploaded.status_code == 201
    for data in (orphan, cited, used_by_hazard, signed_in):
        _age(sha256_hex(data), 2)
    _age(sha256_hex(fresh), 0.5)

    assert purge_unclaimed_photos(utcnow()) == 1
    db.session.commit()
    left = set(db.session.scalars(select(Photo.sha256)))
    assert left == {sha256_hex(d) for d in (cited, fresh, used_by_hazard, signed_in)}
    assert not storage().exists(f"{sha256_hex(orphan)}.jpg")
    assert not storage().exists(f"{sha256_hex(orphan)}.thumb.jpg")
    assert storage().exists(f"{sha256_hex(cited)}.jpg")
    assert purge_unclaimed_photos(utcnow()) == 0


def test_the_unclaimed_photo_purge_is_a_scheduled_job(client, city):
    assert _public_put(client, PHOTO).status_code == 201
    _age(sha256_hex(PHOTO), 2)
    job = next(job for job in JOBS if job.name == "unclaimed_photos")
    assert job.run(utcnow().date()) == {"removed": 1}
