"""Photo pipeline for hazard evidence (隐患照片): validate, orient, strip, re-encode.

Phone uploads are untrusted bytes. We open only JPEG/PNG/WebP, refuse decompression
bombs from the header before decoding, honour EXIF orientation, then re-encode from
pixels so EXIF/GPS, XMP, ICC, comments and any trailing payload never reach storage.
"""

import hashlib
import hmac
import io
import struct
import warnings
import zlib
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

#: Pillow format names we accept; everything else is 415 before any decoding.
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")

_WHITE = (255, 255, 255)
#: Decoder failures on truncated or corrupt data (Pillow raises all of these).
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error)

_REJECTIONS: dict[str, tuple[int, str]] = {
    "unsupported_media_type": (
        415,
        "仅支持 JPEG、PNG 或 WebP 图片 / Only JPEG, PNG or WebP images are accepted",
    ),
    "image_too_large": (413, "图片文件过大 / The image file is too large"),
    "decompression_bomb": (
        413,
        "图片像素尺寸过大 / The image has too many pixels",
    ),
    "corrupt_image": (
        400,
        "图片已损坏或不完整 / The image is corrupt or truncated",
    ),
    "hash_mismatch": (
        400,
        "图片校验值不一致 / The image SHA-256 does not match the URL",
    ),
}


class ImageRejected(Exception):
    """A refused upload: HTTP ``status``, snake_case ``code``, bilingual ``message``."""

    def __init__(self, code: str, detail: str = "") -> None:
        self.status, self.message = _REJECTIONS[code]
        self.code = code
        self.detail = detail
        super().__init__(f"{code}: {self.message}" + (f" ({detail})" if detail else ""))


@dataclass(frozen=True)
class ProcessedImage:
    """A cleaned photo: re-encoded JPEG plus a JPEG thumbnail, both metadata-free."""

    data: bytes
    width: int
    height: int
    thumbnail: bytes
    thumb_width: int
    thumb_height: int
    source_format: str


def sha256_hex(data: bytes) -> str:
    """Return the lowercase hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def check_sha256(data: bytes, expected: str) -> None:
    """Raise ImageRejected('hash_mismatch') unless ``data`` hashes to ``expected``."""
    if not hmac.compare_digest(sha256_hex(data).encode(), expected.lower().encode()):
        raise ImageRejected("hash_mismatch")


def process_upload(
    raw: bytes,
    *,
    max_bytes: int = 15 * 1024 * 1024,
    max_pixels: int = 50_000_000,
    long_edge: int = 1920,
    thumb_edge: int = 320,
    quality: int = 85,
) -> ProcessedImage:
    """Validate an uploaded photo and return it upright, downscaled and stripped."""
    if len(raw) > max_bytes:
        raise ImageRejected("image_too_large", f"{len(raw)} > {max_bytes} bytes")
    # Pillow's own bomb check only warns below 2x MAX_IMAGE_PIXELS; make it fatal.
    # (catch_warnings is process-global; the explicit header check is the real guard.)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        # Damaged EXIF makes Pillow warn; we discard metadata anyway, so stay quiet.
        warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")
        try:
            return _process(raw, max_pixels, long_edge, thumb_edge, quality)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageRejected("decompression_bomb", str(exc)) from exc


def _process(raw: bytes, max_pixels: int, long_edge: int, thumb_edge: int, quality: int) -> ProcessedImage:
    """Run the pipeline on bytes already within the size limit."""
    # Not closed via ``with``: close() would free the pixels we keep; a BytesIO holds
    # no OS resource.
    img = _open(raw)
    source_format = str(img.format)
    _check_pixels(img.size, max_pixels)
    _decode(img, long_edge)
    photo = _fit(_to_rgb(img), long_edge)
    data = _encode(photo, quality)
    thumb = _fit(photo, thumb_edge)
    return ProcessedImage(
        data=data,
        width=photo.width,
        height=photo.height,
        thumbnail=_encode(thumb, quality),
        thumb_width=thumb.width,
        thumb_height=thumb.height,
        source_format="JPEG" if source_format == "MPO" else source_format,
    )


def _open(raw: bytes) -> Image.Image:
    """Open lazily (header only), restricted to the allowed formats."""
    try:
        return Image.open(io.BytesIO(raw), formats=ALLOWED_FORMATS)
    except UnidentifiedImageError as exc:
        raise ImageRejected("unsupported_media_type") from exc
    except _DECODE_ERRORS as exc:  # recognised signature, broken header
        raise ImageRejected("corrupt_image", str(exc)) from exc


def _check_pixels(size: tuple[int, int], max_pixels: int) -> None:
    """Refuse by header dimensions, before a single pixel is allocated."""
    width, height = size
    if width < 1 or height < 1:
        raise ImageRejected("corrupt_image", f"{width}x{height}")
    if width * height > max_pixels:
        raise ImageRejected("decompression_bomb", f"{width}x{height} > {max_pixels}")


def _decode(img: Image.Image, long_edge: int) -> None:
    """Decode pixels (JPEG at a reduced DCT scale when large) and apply orientation."""
    if img.format in ("JPEG", "MPO") and max(img.size) >= 2 * long_edge:
        img.draft("RGB", _scaled_up(img.size, long_edge))
    try:
        img.load()
    except _DECODE_ERRORS as exc:
        raise ImageRejected("corrupt_image", str(exc)) from exc
    if img.mode in ("P", "PA") and img.palette is None:
        # e.g. a palette PNG without its PLTE chunk: Pillow decodes it, then asserts on use
        raise ImageRejected("corrupt_image", "palette image without a palette")
    _orient(img)


def _scaled_up(size: tuple[int, int], edge: int) -> tuple[int, int]:
    """Size scaled to long edge ``edge``, rounded up (draft() never goes below it)."""
    longest = max(size)
    return (-(-size[0] * edge // longest), -(-size[1] * edge // longest))


def _orient(img: Image.Image) -> None:
    """Rotate/flip per EXIF Orientation; unreadable EXIF just means 'as stored'."""
    try:
        ImageOps.exif_transpose(img, in_place=True)
    except Exception:  # mangled EXIF raises TypeError & co.; we drop EXIF anyway
        return


def _to_rgb(img: Image.Image) -> Image.Image:
    """Convert to RGB with alpha flattened onto white and no metadata attached."""
    if img.has_transparency_data:
        rgba = img.convert("RGBA")
        out = Image.new("RGB", rgba.size, _WHITE)
        out.paste(rgba, mask=rgba)
    elif img.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N"):
        # 16-bit greyscale PNG: scale to 8 bits instead of clipping to white.
        out = img.convert("I").point(lambda v: v * (1 / 256)).convert("RGB")
    elif img.mode != "RGB":
        out = img.convert("RGB")
    else:
        out = img
    out.info.clear()
    return out


def _fit(img: Image.Image, edge: int) -> Image.Image:
    """Downscale so the long edge is at most ``edge``; never upscale."""
    longest = max(img.size)
    if longest <= edge:
        return img
    size = (
        max(1, round(img.width * edge / longest)),
        max(1, round(img.height * edge / longest)),
    )
    return img.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)


def _encode(img: Image.Image, quality: int) -> bytes:
    """Encode baseline JPEG from pixels only: no EXIF, XMP, ICC or comment."""
    buf = io.BytesIO()
    img.save(
        buf,
        format="JPEG",
        quality=quality,
        optimize=False,
        exif=b"",
        icc_profile=None,
        comment=b"",
        xmp=b"",
    )
    return buf.getvalue()
