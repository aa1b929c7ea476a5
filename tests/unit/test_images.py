"""Photo pipeline tests on real Pillow-made files (no mocks)."""

import io
import struct
import subprocess
import sys
import textwrap
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from backend.core.images import (
    ImageRejected,
    ProcessedImage,
    check_sha256,
    process_upload,
    sha256_hex,
)

ROOT = Path(__file__).resolve().parents[2]
GPS_IFD = 0x8825
ORIENTATION = 0x0112
RED, BLUE, WHITE = (255, 0, 0), (0, 0, 255), (255, 255, 255)
#: Segments a clean baseline JPEG may contain: SOI, APP0/JFIF, DQT, SOF0, DHT, SOS.
CLEAN_JPEG_MARKERS = {0xD8, 0xE0, 0xDB, 0xC0, 0xC4, 0xDA}


# --- builders -------------------------------------------------------------------


def _save(img: Image.Image, fmt: str, **params: object) -> bytes:
    """Encode ``img`` with Pillow and return the file bytes."""
    buf = io.BytesIO()
    img.save(buf, format=fmt, **params)
    return buf.getvalue()


def _photo(size: tuple[int, int]) -> Image.Image:
    """Photo-like RGB content: gradients plus sensor-ish noise."""
    grad = Image.linear_gradient("L").resize(size)
    noise = Image.effect_noise(size, 48)
    return Image.merge("RGB", (grad, noise, grad.transpose(Image.Transpose.ROTATE_180)))


def _gps_exif(orientation: int | None = None) -> Image.Exif:
    """EXIF with a GPS IFD (Beijing) and optional Orientation, as a phone writes it."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    if orientation:
        exif[ORIENTATION] = orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (39.0, 54.0, 15.0), 3: "E", 4: (116.0, 23.0, 30.0)})
    return exif


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    """One PNG chunk with a correct CRC."""
    crc = zlib.crc32(tag + data)
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)


def _png_claiming(width: int, height: int, idat: bytes = b"") -> bytes:
    """A hand-made 8-bit greyscale PNG whose IHDR claims ``width`` x ``height``."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat or zlib.compress(b"\0" * (width + 1)))
        + _png_chunk(b"IEND", b"")
    )


def _zero_png(width: int, height: int) -> bytes:
    """A complete, valid all-black greyscale PNG: tiny file, huge when decoded."""
    comp = zlib.compressobj(9)
    row = b"\0" * (width + 1)  # filter byte + pixels
    idat = b"".join(comp.compress(row) for _ in range(height)) + comp.flush()
    return _png_claiming(width, height, idat)


def _jpeg_markers(data: bytes) -> set[int]:
    """Marker codes of all JPEG segments up to and including SOS."""
    assert data[:2] == b"\xff\xd8"
    markers, pos = {0xD8}, 2
    while data[pos] == 0xFF:
        marker = data[pos + 1]
        markers.add(marker)
        if marker == 0xDA:
            return markers
        pos += 2 + struct.unpack(">H", data[pos + 2 : pos + 4])[0]
    raise AssertionError(f"bad JPEG segment at {pos}")


def _open(data: bytes) -> Image.Image:
    """Decode our output back, insisting it is a JPEG."""
    img = Image.open(io.BytesIO(data), formats=["JPEG"])
    img.load()
    return img


def _rejected(raw: bytes, **kwargs: int) -> ImageRejected:
    """Run the pipeline expecting a rejection and return it."""
    with pytest.raises(ImageRejected) as info:
        process_upload(raw, **kwargs)
    return info.value


def _is_red(pixel: tuple[int, ...]) -> bool:
    """True if a (JPEG-blurred) pixel is clearly red."""
    r, g, b = pixel[:3]
    return r > 200 and g < 60 and b < 60


@pytest.fixture(scope="module")
def phone_photo_12mp() -> bytes:
    """A 4000x3000 JPEG with GPS EXIF, like a phone camera upload."""
    return _save(_photo((4000, 3000)), "JPEG", quality=80, exif=_gps_exif())


# --- metadata and size ------------------------------------------------------------


def test_gps_exif_is_stripped_and_12mp_photo_downscaled(phone_photo_12mp: bytes):
    assert Image.open(io.BytesIO(phone_photo_12mp)).getexif().get_ifd(GPS_IFD)

    result = process_upload(phone_photo_12mp)

    assert (result.width, result.height) == (1920, 1440)
    out = _open(result.data)
    assert out.size == (1920, 1440)
    assert out.mode == "RGB"
    assert not out.getexif()
    assert "exif" not in out.info
    assert b"Exif\0\0" not in result.data
    assert b"PhoneMaker" not in result.data
    assert _jpeg_markers(result.data) <= CLEAN_JPEG_MARKERS
    assert result.source_format == "JPEG"


def test_thumbnail_of_12mp_photo_has_320_long_edge_and_no_exif(
    phone_photo_12mp: bytes,
):
    result = process_upload(phone_photo_12mp)

    thumb = _open(result.thumbnail)
    assert thumb.size == (result.thumb_width, result.thumb_height) == (320, 240)
    assert _jpeg_markers(result.thumbnail) <= CLEAN_JPEG_MARKERS


def test_xmp_icc_and_comment_are_not_copied_to_output():
    xmp = b"<x:xmpmeta><exif:GPSLatitude>39,54.25N</exif:GPSLatitude></x:xmpmeta>"
    icc = b"\0" * 128 + b"acsp-fake-profile"
    raw = _save(_photo((640, 480)), "JPEG", xmp=xmp, icc_profile=icc, comment=b"secret-note")
    assert b"GPSLatitude" in raw

    result = process_upload(raw)

    for needle in (b"GPSLatitude", b"acsp-fake", b"secret-note", b"ICC_PROFILE"):
        assert needle not in result.data
    assert _jpeg_markers(result.data) <= CLEAN_JPEG_MARKERS


def test_small_photo_is_not_upscaled():
    result = process_upload(_save(_photo((200, 100)), "JPEG"))

    assert (result.width, result.height) == (200, 100)
    assert (result.thumb_width, result.thumb_height) == (200, 100)


def test_portrait_thumbnail_long_edge_is_320():
    result = process_upload(_save(_photo((1200, 1600)), "JPEG"))

    assert (result.width, result.height) == (1200, 1600)
    assert (result.thumb_width, result.thumb_height) == (240, 320)
    assert _open(result.thumbnail).size == (240, 320)


def test_upload_over_max_bytes_is_refused_with_413():
    err = _rejected(b"\xff\xd8" + b"\0" * 2048, max_bytes=1024)

    assert (err.status, err.code) == (413, "image_too_large")


def test_multi_picture_mpo_phone_photo_keeps_first_frame_as_plain_jpeg():
    first, depth_map = Image.new("RGB", (800, 600), RED), Image.new("L", (800, 600))
    raw = _save(first, "MPO", save_all=True, append_images=[depth_map.convert("RGB")])

    result = process_upload(raw)

    assert result.source_format == "JPEG"
    assert b"MPF" not in result.data
    assert _is_red(_open(result.data).getpixel((400, 300)))


# --- orientation ------------------------------------------------------------------


def test_orientation_6_landscape_pixels_come_out_upright_portrait():
    # Stored landscape with a red marker in the stored top-left corner; Orientation=6
    # means "rotate 90° clockwise to view", so the marker must end up top-right.
    stored = Image.new("RGB", (400, 300), BLUE)
    stored.paste(RED, (0, 0, 60, 60))
    raw = _save(stored, "JPEG", quality=95, exif=_gps_exif(orientation=6))

    result = process_upload(raw)

    out = _open(result.data)
    assert out.size == (300, 400)
    w, h = out.size
    assert _is_red(out.getpixel((w - 15, 15)))
    for corner in ((15, 15), (15, h - 15), (w - 15, h - 15)):
        assert not _is_red(out.getpixel(corner))
    assert (result.thumb_width, result.thumb_height) == (240, 320)
    assert not out.getexif()


def test_orientation_8_large_photo_is_rotated_and_downscaled_to_portrait():
    # Orientation=8: "rotate 90° counter-clockwise", so stored top-left -> bottom-left.
    stored = Image.new("RGB", (4000, 3000), BLUE)
    stored.paste(RED, (0, 0, 400, 400))
    raw = _save(stored, "JPEG", exif=_gps_exif(orientation=8))

    result = process_upload(raw)

    out = _open(result.data)
    assert out.size == (result.width, result.height) == (1440, 1920)
    assert _is_red(out.getpixel((40, 1880)))
    assert not _is_red(out.getpixel((40, 40)))


# --- decompression bombs ------------------------------------------------------------


def test_png_header_claiming_20000x20000_is_decompression_bomb():
    raw = _png_claiming(20_000, 20_000)
    assert len(raw) < 200

    err = _rejected(raw)

    assert (err.status, err.code) == (413, "decompression_bomb")


def test_valid_highly_compressible_64mp_png_is_refused_before_decoding():
    raw = _zero_png(8000, 8000)  # under Pillow's own limit, over ours
    assert len(raw) < 100_000

    err = _rejected(raw)

    assert (err.status, err.code) == (413, "decompression_bomb")


def test_pillow_bomb_warning_is_fatal_even_when_our_limit_is_higher():
    err = _rejected(_png_claiming(10_000, 10_000), max_pixels=10**9)

    assert (err.status, err.code) == (413, "decompression_bomb")


def test_png_claiming_100_megapixels_is_refused_without_allocating_memory():
    # A fresh interpreter so ru_maxrss (a high-water mark) reflects only this upload;
    # decoding would need >= 300 MB for the pixels alone.
    code = textwrap.dedent(
        """
        import resource, struct, zlib
        from backend.core.images import ImageRejected, process_upload

        def chunk(tag, data):
            crc = struct.pack(">I", zlib.crc32(tag + data))
            return struct.pack(">I", len(data)) + tag + data + crc

        ihdr = struct.pack(">IIBBBBB", 10_000, 10_000, 8, 2, 0, 0, 0)
        raw = (b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", ihdr)
               + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        for limits in ({}, {"max_pixels": 10**9}):
            try:
                process_upload(raw, **limits)
            except ImageRejected as exc:
                print(exc.code)
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
        """
    )
    proc = subprocess.run(  # noqa: S603 - fixed argv, our own interpreter
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    *codes, rss_growth_kib = proc.stdout.split()

    assert codes == ["decompression_bomb", "decompression_bomb"]
    assert int(rss_growth_kib) < 20 * 1024


# --- format allow-list and corrupt data ------------------------------------------


def test_text_file_named_jpg_is_unsupported_media_type(tmp_path: Path):
    fake = tmp_path / "hazard.jpg"
    fake.write_text("<?php system($_GET['c']); ?> not really a photo\n")

    err = _rejected(fake.read_bytes())

    assert (err.status, err.code) == (415, "unsupported_media_type")


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF", "ICO"])
def test_formats_outside_jpeg_png_webp_are_415(fmt: str):
    err = _rejected(_save(Image.new("RGB", (64, 48), RED), fmt))

    assert (err.status, err.code) == (415, "unsupported_media_type")


def test_truncated_jpeg_is_corrupt_image_400():
    raw = _save(_photo((800, 600)), "JPEG")

    err = _rejected(raw[: len(raw) // 2])

    assert (err.status, err.code) == (400, "corrupt_image")


def test_truncated_png_is_corrupt_image_400():
    raw = _save(_photo((300, 200)), "PNG")

    err = _rejected(raw[: len(raw) // 2])

    assert (err.status, err.code) == (400, "corrupt_image")


def test_jpeg_with_appended_zip_is_accepted_and_zip_is_dropped():
    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w") as zf:
        zf.writestr("shell.php", "<?php echo 'pwned'; ?>")
    raw = _save(_photo((640, 480)), "JPEG") + payload.getvalue()
    assert b"PK\x03\x04" in raw

    result = process_upload(raw)

    assert b"PK\x03\x04" not in result.data
    assert b"PK\x03\x04" not in result.thumbnail
    assert b"shell.php" not in result.data
    assert result.data.endswith(b"\xff\xd9")
    assert (result.width, result.height) == (640, 480)


# --- colour modes -------------------------------------------------------------------


def test_png_alpha_is_flattened_onto_white_rgb_jpeg():
    img = Image.new("RGBA", (100, 80), (0, 0, 0, 0))
    img.paste((255, 0, 0, 255), (0, 0, 50, 80))

    result = process_upload(_save(img, "PNG"))

    out = _open(result.data)
    assert out.mode == "RGB"
    assert _is_red(out.getpixel((10, 40)))
    assert min(out.getpixel((90, 40))) > 245  # transparent became white
    assert result.source_format == "PNG"


def test_palette_png_with_transparency_is_flattened_onto_white():
    img = Image.new("P", (64, 64), 0)
    img.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    img.paste(1, (0, 0, 32, 64))

    result = process_upload(_save(img, "PNG", transparency=0))

    out = _open(result.data)
    assert _is_red(out.getpixel((8, 32)))
    assert min(out.getpixel((56, 32))) > 245


def test_16bit_greyscale_png_keeps_mid_tones():
    img = Image.new("I;16", (64, 64), 32768)

    result = process_upload(_save(img, "PNG"))

    r, g, b = _open(result.data).getpixel((32, 32))
    assert 120 <= r <= 136
    assert r == g == b


def test_cmyk_jpeg_is_converted_to_rgb():
    result = process_upload(_save(Image.new("CMYK", (64, 48), (0, 255, 255, 0)), "JPEG"))

    assert _open(result.data).mode == "RGB"
    assert _is_red(_open(result.data).getpixel((32, 24)))


@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
def test_webp_is_accepted_and_reencoded_as_jpeg(mode: str):
    raw = _save(_photo((800, 600)).convert(mode), "WEBP", quality=80)

    result = process_upload(raw)

    assert result.source_format == "WEBP"
    assert _open(result.data).size == (800, 600)
    assert (result.thumb_width, result.thumb_height) == (320, 240)


def test_processed_image_is_frozen():
    result = process_upload(_save(_photo((64, 48)), "PNG"))

    assert isinstance(result, ProcessedImage)
    with pytest.raises(AttributeError):
        result.width = 1  # type: ignore[misc]


# --- hashes and messages -------------------------------------------------------------


def test_sha256_hex_matches_known_vector():
    assert sha256_hex(b"abc") == ("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")


def test_check_sha256_accepts_match_and_rejects_mismatch():
    check_sha256(b"abc", sha256_hex(b"abc").upper())

    with pytest.raises(ImageRejected) as info:
        check_sha256(b"abd", sha256_hex(b"abc"))

    assert (info.value.status, info.value.code) == (400, "hash_mismatch")


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("unsupported_media_type", 415),
        ("image_too_large", 413),
        ("decompression_bomb", 413),
        ("corrupt_image", 400),
        ("hash_mismatch", 400),
    ],
)
def test_rejection_carries_status_and_bilingual_message(code: str, status: int):
    err = ImageRejected(code)

    assert err.status == status
    assert " / " in err.message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err.message)


# --- fuzzing ------------------------------------------------------------------------

_SEEDS = {
    "jpeg": _save(_photo((48, 32)), "JPEG", exif=_gps_exif(orientation=6)),
    "png": _save(_photo((48, 32)).convert("RGBA"), "PNG"),
    "webp": _save(_photo((48, 32)), "WEBP", exif=_gps_exif(orientation=3)),
    "png_exif": _save(_photo((48, 32)), "PNG", exif=_gps_exif(orientation=8)),
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.sampled_from(sorted(_SEEDS)),
    cut=st.integers(min_value=0, max_value=4000),
    flips=st.lists(
        st.tuples(st.integers(min_value=0, max_value=4000), st.integers(0, 255)),
        max_size=4,
    ),
)
def test_mangled_uploads_either_process_or_are_rejected_cleanly(
    seed: str, cut: int, flips: list[tuple[int, int]]
):
    raw = bytearray(_SEEDS[seed][: max(cut, 1)])
    for pos, value in flips:
        raw[pos % len(raw)] = value

    try:
        result = process_upload(bytes(raw))
    except ImageRejected as err:
        assert err.status in (400, 413, 415)
    else:
        assert _open(result.data).mode == "RGB"


def test_palette_png_without_its_palette_is_corrupt_image_400():
    """Found by tests/security/test_upload_fuzzing.py: Pillow asserted (a 500) on the missing PLTE."""
    buffer = io.BytesIO()
    Image.new("P", (8, 8), 3).save(buffer, "PNG")
    raw = buffer.getvalue()
    start = raw.index(b"PLTE") - 4
    length = struct.unpack(">I", raw[start : start + 4])[0]
    with pytest.raises(ImageRejected) as rejected:
        process_upload(raw[:start] + raw[start + 12 + length :])
    assert rejected.value.code == "corrupt_image"
    assert rejected.value.status == 400
