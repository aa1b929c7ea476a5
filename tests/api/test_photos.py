"""Evidence photos: idempotent upload by sha256, cleaning, limits, signed links. Never a 500."""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib

import pytest
from PIL import Image

from backend.core.images import sha256_hex
from tests import factories as f
from tests.conftest import auth


@pytest.fixture
def app(fast_app):
    return fast_app


def _put(client, user, data: bytes, sha: str | None = None, content_type: str = "image/jpeg"):
    headers = (auth(user) if user else {}) | {"Content-Type": content_type}
    return client.put(f"/api/photos/{sha or sha256_hex(data)}", data=data, headers=headers)


def _fetch(client, url: str):
    response = client.get(url)
    body = response.get_data()
    response.close()  # send_file streams from disk
    return response, body


def _assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.json["error"]["code"] == code


def _noise(size: tuple[int, int], seed: int = 1) -> Image.Image:
    """Pixels that do not compress away (so truncation hits image data)."""
    return Image.frombytes("RGB", size, random.Random(seed).randbytes(size[0] * size[1] * 3))


def _jpeg(image: Image.Image, **save) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", **save)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_first_upload_is_201_then_200(client, city, fmt):
    data = f.image_bytes(size=(64, 48), fmt=fmt)
    first = _put(client, city.manager, data, content_type=f"image/{fmt.lower()}")
    again = _put(client, city.inspector, data)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json["sha256"] == sha256_hex(data)
    assert (first.json["width"], first.json["height"]) == (64, 48)
    assert first.json["thumbnail_url"].startswith(f"/api/photos/{sha256_hex(data)}/thumb?")
    assert again.json == first.json


def test_signed_links_serve_the_cleaned_jpeg_and_thumbnail(client, city):
    data = _jpeg(_noise((1000, 600)))
    body = _put(client, city.manager, data).json
    full, full_bytes = _fetch(client, body["url"])
    thumb, thumb_bytes = _fetch(client, body["thumbnail_url"])
    assert (full.status_code, full.mimetype) == (200, "image/jpeg")
    assert (thumb.status_code, thumb.mimetype) == (200, "image/jpeg")
    assert Image.open(io.BytesIO(full_bytes)).size == (1000, 600)
    assert max(Image.open(io.BytesIO(thumb_bytes)).size) <= 320


def test_hash_mismatch_is_400(client, city):
    data = f.image_bytes()
    _assert_error(_put(client, city.manager, data, sha=sha256_hex(b"other")), 400, "hash_mismatch")


def test_uppercase_hash_is_400_not_stored(client, city):
    data = f.image_bytes()
    response = _put(client, city.manager, data, sha=sha256_hex(data).upper())
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b"just some text, not an image", "text/plain"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif"),
        (f.image_bytes(fmt="BMP"), "image/bmp"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "application/pdf"),
        (b"", "image/jpeg"),
    ],
    ids=["text", "gif", "bmp", "pdf", "empty"],
)
def test_non_image_is_415(client, city, data, content_type):
    _assert_error(_put(client, city.manager, data, content_type=content_type), 415, "unsupported_media_type")


def _gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Phone 12"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (36.0, 40.0, 12.5), 3: "E", 4: (117.0, 1.0, 30.0)})
    return exif


def test_12_megapixel_photo_is_stored_without_exif_or_gps(client, city):
    data = _jpeg(_noise((4000, 3000)), exif=_gps_exif(), quality=80)
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the upload really has GPS
    body = _put(client, city.manager, data).json
    assert max(body["width"], body["height"]) <= 1920
    for url in (body["url"], body["thumbnail_url"]):
        _response, stored = _fetch(client, url)
        image = Image.open(io.BytesIO(stored))
        assert len(image.getexif()) == 0
        assert "exif" not in image.info
        assert b"Exif" not in stored and b"PhoneMaker" not in stored


def test_phone_photo_rotated_by_exif_comes_back_upright(client, city):
    exif = Image.Exif()
    exif[0x0112] = 6  # stored landscape, shown rotated 90° clockwise
    data = _jpeg(_noise((64, 48)), exif=exif)
    body = _put(client, city.manager, data).json
    assert (body["width"], body["height"]) == (48, 64)
    _response, stored = _fetch(client, body["url"])
    assert Image.open(io.BytesIO(stored)).size == (48, 64)


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def _png_claiming(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _png_chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("width", "height"),
    [(10_000, 10_000), (100_000, 1_000), (1, 2**31 - 1)],
    ids=["100_megapixels", "wide", "tall"],
)
def test_png_claiming_huge_dimensions_is_413(client, city, width, height):
    _assert_error(
        _put(client, city.manager, _png_claiming(width, height), content_type="image/png"),
        413,
        "decompression_bomb",
    )


def test_jpeg_with_appended_zip_is_stored_without_it(client, city):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("payload.txt", "hidden")
    data = f.image_bytes(size=(80, 60)) + archive.getvalue()
    response = _put(client, city.manager, data)
    assert response.status_code == 201
    for url in (response.json["url"], response.json["thumbnail_url"]):
        _fetched, stored = _fetch(client, url)
        assert b"PK\x03\x04" not in stored and b"payload.txt" not in stored


@pytest.mark.parametrize("keep", [0.5, 0.1], ids=["half", "tenth"])
def test_truncated_jpeg_is_400(client, city, keep):
    data = _jpeg(_noise((256, 256)))
    truncated = data[: int(len(data) * keep)]
    _assert_error(_put(client, city.manager, truncated), 400, "corrupt_image")


def test_photo_over_the_size_limit_is_413_envelope(app, client, city, monkeypatch):
    data = _jpeg(_noise((200, 200)))
    monkeypatch.setitem(app.config, "PHOTO_MAX_BYTES", len(data) - 1)
    response = _put(client, city.manager, data)
    _assert_error(response, 413, "image_too_large")
    assert set(response.json["error"]) == {"code", "message", "details"}


def test_body_over_the_request_limit_is_413_envelope(app, client, city, monkeypatch):
    data = _jpeg(_noise((200, 200)))
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1000)
    response = _put(client, city.manager, data)
    assert response.status_code == 413
    assert response.json["error"]["code"] in ("payload_too_large", "image_too_large")


def test_rejected_photo_is_not_kept(client, city):
    data = f.image_bytes()
    _put(client, city.manager, data, sha=sha256_hex(b"other"))
    assert _put(client, city.manager, data).status_code == 201


def _tamper(url: str, **changes: str) -> str:
    path, _, query = url.partition("?")
    params = dict(part.split("=", 1) for part in query.split("&"))
    return path + "?" + "&".join(f"{k}={v}" for k, v in (params | changes).items())


@pytest.fixture
def stored(client, city) -> dict:
    return _put(client, city.manager, f.image_bytes()).json


@pytest.mark.parametrize(
    "change",
    [{"sig": "0" * 32}, {"sig": "zz"}, {"exp": "4102444800"}, {"exp": "1"}],
    ids=["forged_sig", "short_sig", "extended_expiry", "expired"],
)
def test_tampered_photo_link_is_404(client, stored, change):
    for url in (stored["url"], stored["thumbnail_url"]):
        response, _body = _fetch(client, _tamper(url, **change))
        assert response.status_code == 404


def test_thumbnail_signature_does_not_open_the_full_photo(client, stored):
    sig = _tamper(stored["thumbnail_url"]).split("sig=")[1]
    response, _body = _fetch(client, _tamper(stored["url"], sig=sig))
    assert response.status_code == 404


def test_photo_link_without_signature_is_422(client, stored):
    response, _body = _fetch(client, stored["url"].split("?")[0])
    assert response.status_code == 422


def test_signed_link_to_a_photo_not_uploaded_yet_is_404(app, client, city):
    from backend.photos.services import signed_photo_url

    with app.test_request_context():
        url = signed_photo_url(sha256_hex(b"never uploaded"), "full")
    response, _body = _fetch(client, url)
    assert response.status_code == 404


def test_anonymous_upload_is_401(client, city):
    response = _put(client, None, f.image_bytes())
    _assert_error(response, 401, "token_missing")
