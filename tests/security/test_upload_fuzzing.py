"""Upload fuzzing through HTTP: mutated real images, lying headers, huge dimensions; never a 500.

Both photo endpoints are exercised: the signed-in PUT /api/photos/<sha256> and the anonymous
PUT /api/public/photos/<sha256> of the complaint form. The URL always carries the true sha256 of
the body, so every mutated byte reaches the image pipeline instead of stopping at the hash check.
`FUZZ_EXAMPLES=5000 .venv/bin/python -m pytest tests/security/test_upload_fuzzing.py` hunts longer.
"""

from __future__ import annotations

import io
import os
import struct
import zlib

import pytest
from flask_jwt_extended import create_access_token
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from backend.core.images import sha256_hex
from backend.extensions import db
from backend.photos.models import Photo
from tests.security.conftest import assert_envelope


def _photo(fmt: str, size: tuple[int, int] = (96, 64), mode: str = "RGB", **save: object) -> bytes:
    image = Image.new(mode, size, (40, 90, 160) if mode == "RGB" else None)
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, size[0] - 8, size[1] - 8), fill=(230, 180, 20) if mode == "RGB" else 128)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save)
    return buffer.getvalue()


def _exif_jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation
    exif[0x010F] = "Phone"
    return _photo("JPEG", exif=exif.tobytes())


SEEDS: dict[str, bytes] = {
    "jpeg": _photo("JPEG"),
    "jpeg_progressive": _photo("JPEG", progressive=True),
    "jpeg_exif": _exif_jpeg(),
    "png": _photo("PNG"),
    "png_palette": _photo("PNG", mode="P"),
    "png_interlaced": _photo("PNG", interlace=1),
    "webp_lossy": _photo("WEBP"),
    "webp_lossless": _photo("WEBP", lossless=True),
}
CONTENT_TYPES = [
    None,
    "image/jpeg",
    "image/png",
    "image/webp",
    "application/octet-stream",
    "text/html",
    "image/svg+xml",
    "multipart/form-data; boundary=x",
    "application/json",
]
CLEAN_STATUSES = {200, 201, 400, 413, 415}


@pytest.fixture
def put(client, city):
    """PUT bytes under their own sha256 to one of the two endpoints; check the outcome is clean."""
    headers = {"Authorization": f"Bearer {create_access_token(identity=city.inspector)}"}

    def _put(raw: bytes, *, public: bool, content_type: str | None = None):
        prefix = "/api/public/photos/" if public else "/api/photos/"
        response = client.put(
            prefix + sha256_hex(raw), data=raw, content_type=content_type, headers={} if public else headers
        )
        assert response.status_code in CLEAN_STATUSES, (response.status_code, response.get_data()[:300])
        if response.status_code >= 400:
            assert_envelope(response, response.status_code)
        else:
            _assert_stored_clean_jpeg(client, response.get_json())
        return response

    return _put


def _assert_stored_clean_jpeg(client, photo: dict) -> None:
    response = client.get(photo["url"])
    data = response.get_data()
    response.close()
    with Image.open(io.BytesIO(data)) as stored:
        assert stored.format == "JPEG"
        assert stored.size == (photo["width"], photo["height"])
        assert not stored.getexif()


# FUZZ_EXAMPLES=5000 for a long hunt; the default keeps the suite quick
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(
    seed=st.sampled_from(sorted(SEEDS)),
    public=st.booleans(),
    content_type=st.sampled_from(CONTENT_TYPES),
    flips=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=8),
)
def test_bytes_flipped_in_real_images_never_500(put, seed, public, content_type, flips):
    raw = bytearray(SEEDS[seed])
    for position, value in flips:
        raw[position % len(raw)] = value
    put(bytes(raw), public=public, content_type=content_type)


@FUZZ
@given(
    seed=st.sampled_from(sorted(SEEDS)),
    public=st.booleans(),
    start=st.integers(0, 10_000),
    length=st.integers(0, 2_000),
    junk=st.binary(min_size=0, max_size=512),
)
def test_spliced_truncated_and_padded_images_never_500(put, seed, public, start, length, junk):
    raw = SEEDS[seed]
    at = start % len(raw)
    put(raw[:at] + junk + raw[at + length :], public=public)


@FUZZ
@given(
    head=st.sampled_from(sorted(SEEDS)),
    body=st.sampled_from(sorted(SEEDS)),
    public=st.booleans(),
    cut=st.integers(2, 64),
)
def test_one_formats_header_on_anothers_body_never_500(put, head, body, public, cut):
    put(SEEDS[head][:cut] + SEEDS[body][cut:], public=public)


@FUZZ
@given(
    raw=st.binary(min_size=0, max_size=4096),
    public=st.booleans(),
    magic=st.sampled_from([b"", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF\x00\x00\x00\x00WEBPVP8 "]),
)
def test_random_bytes_behind_an_image_signature_never_500(put, raw, public, magic):
    put(magic + raw, public=public)


@pytest.mark.parametrize("public", [False, True], ids=["signed_in", "public"])
@pytest.mark.parametrize("seed", sorted(SEEDS))
@pytest.mark.parametrize("content_type", ["image/png", "text/plain", "application/pdf"])
def test_real_image_under_a_lying_content_type_is_judged_by_its_bytes(put, seed, public, content_type):
    assert put(SEEDS[seed], public=public, content_type=content_type).status_code == 201


def _png_header(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    idat = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", 13)
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
        + struct.pack(">I", len(idat))
        + b"IDAT"
        + idat
        + struct.pack(">I", zlib.crc32(b"IDAT" + idat))
        + struct.pack(">I", 0)
        + b"IEND"
        + struct.pack(">I", zlib.crc32(b"IEND"))
    )


def _jpeg_claiming(width: int, height: int) -> bytes:
    """A real small JPEG whose SOF frame header is rewritten to claim other dimensions."""
    raw = bytearray(SEEDS["jpeg"])
    sof = raw.index(b"\xff\xc0")
    raw[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(raw)


def _webp_vp8x_claiming(width: int, height: int) -> bytes:
    """An extended WebP whose canvas header claims the given size over a tiny bitstream."""
    inner = SEEDS["webp_lossy"][12:]
    vp8x = (
        b"VP8X"
        + struct.pack("<I", 10)
        + b"\x00\x00\x00\x00"
        + (width - 1).to_bytes(3, "little")
        + (height - 1).to_bytes(3, "little")
    )
    body = b"WEBP" + vp8x + inner
    return b"RIFF" + struct.pack("<I", len(body)) + body


HUGE = {
    "png_100k_x_100k": _png_header(100_000, 100_000),
    "png_2^31_wide": _png_header(2**31 - 1, 1),
    "png_1_x_2^31": _png_header(1, 2**31 - 1),
    "png_9000_x_9000": _png_header(9_000, 9_000),
    "jpeg_65500_x_65500": _jpeg_claiming(65_500, 65_500),
    "jpeg_65535_x_1000": _jpeg_claiming(65_535, 1_000),
    "webp_16384_x_16384": _webp_vp8x_claiming(16_384, 16_384),
}


@pytest.mark.parametrize("public", [False, True], ids=["signed_in", "public"])
@pytest.mark.parametrize("name", list(HUGE))
def test_huge_claimed_dimensions_are_refused_before_decoding(put, name, public):
    response = put(HUGE[name], public=public)
    assert response.status_code in {400, 413}
    assert response.get_json()["error"]["code"] in {"decompression_bomb", "corrupt_image"}
    assert db.session.get(Photo, sha256_hex(HUGE[name])) is None


def _other_format(fmt: str) -> bytes:
    return _photo(fmt, size=(16, 16))


NOT_PHOTOS = {
    "gif": _other_format("GIF"),
    "bmp": _other_format("BMP"),
    "tiff": _other_format("TIFF"),
    "ico": _other_format("ICO"),
    "pdf": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF",
    "svg_script": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "html": b"<!doctype html><script>alert(document.cookie)</script>",
    "zip": b"PK\x03\x04" + b"\x00" * 60,
    "empty": b"",
    "elf": b"\x7fELF\x02\x01\x01" + b"\x00" * 57,
}


@pytest.mark.parametrize("public", [False, True], ids=["signed_in", "public"])
@pytest.mark.parametrize("name", list(NOT_PHOTOS))
def test_other_formats_dressed_as_jpeg_are_415(put, name, public):
    response = put(NOT_PHOTOS[name], public=public, content_type="image/jpeg")
    assert_envelope(response, 415, "unsupported_media_type")


@pytest.mark.parametrize("public", [False, True], ids=["signed_in", "public"])
def test_image_wrapped_in_a_multipart_form_is_not_accepted_as_an_image(put, public):
    raw = (
        b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n" + SEEDS["jpeg"] + b"\r\n--x--\r\n"
    )
    assert put(raw, public=public, content_type="multipart/form-data; boundary=x").status_code == 415
