"""QR labels decode with an independent reader (zxing-cpp), also after damage."""

import io
import math
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFilter

from backend.core import pdf as core_pdf
from backend.core import qrcodes
from backend.core.pdf import cjk_font_path
from backend.core.qrcodes import (
    QUIET_ZONE,
    SCAN_HINT,
    LabelInfo,
    label_png,
    labels_pdf,
    qr_png,
    qr_svg,
)

BASE = "https://tzsb.example.gov.cn/q/"
URL = BASE + "Xq3vR9_kLm2Tz8Wp-A4bCd"  # 22-char token, like token_urlsafe(16)
ENTERPRISE = "济南市历城区某某特种设备安装维修有限责任公司"
CATEGORIES = ["电梯", "锅炉", "压力容器", "起重机械", "场（厂）内专用机动车辆"]


def _decode(image: Image.Image) -> list[str]:
    """All QR texts zxing-cpp finds in ``image``."""
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return [barcode.text for barcode in found]


def _open(data: bytes) -> Image.Image:
    """Load PNG bytes as an RGB image."""
    return Image.open(io.BytesIO(data)).convert("RGB")


def _info(i: int = 0, url: str = URL) -> LabelInfo:
    """A realistic label with a long enterprise name."""
    return LabelInfo(
        url=url,
        category_label=CATEGORIES[i % len(CATEGORIES)],
        registration_no=f"梯11鲁A0{i}234(23)",
        enterprise_name=ENTERPRISE,
        device_code=f"31103701022015{i:05d}" if i % 2 else "",
    )


def test_qr_png_decodes_to_exact_url() -> None:
    image = _open(qr_png(URL))
    assert _decode(image) == [URL]


def test_qr_png_has_quiet_zone_and_box_size() -> None:
    image = _open(qr_png(URL, box_size=7)).convert("L")
    border = QUIET_ZONE * 7
    assert image.width % 7 == 0
    assert image.crop((0, 0, image.width, border)).getextrema() == (255, 255)
    assert image.crop((0, 0, border, image.height)).getextrema() == (255, 255)


def test_qr_png_rejects_empty_url() -> None:
    with pytest.raises(ValueError, match="empty"):
        qr_png("")


def _rasterise_svg(svg: bytes, scale: int = 8) -> Image.Image:
    """Paint qrcode's one-path SVG (``Mx,yHx2Vy2Hxz`` squares) with Pillow."""
    text = svg.decode()
    view = re.search(r'viewBox="0 0 (\d+) (\d+)"', text)
    path = re.search(r'<path d="([^"]+)"', text)
    assert view and path
    size = (int(view[1]) * scale, int(view[2]) * scale)
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    for x, y, x2, y2 in re.findall(r"M(\d+),(\d+)H(\d+)V(\d+)H\d+z", path[1]):
        box = (int(x) * scale, int(y) * scale, int(x2) * scale - 1, int(y2) * scale - 1)
        draw.rectangle(box, fill=0)
    return image


def test_qr_svg_is_standalone_and_decodes() -> None:
    svg = qr_svg(URL)
    assert svg.startswith(b"<?xml")
    assert b'xmlns="http://www.w3.org/2000/svg"' in svg
    assert b'fill="white"' in svg  # background, so it scans on dark pages
    assert _decode(_rasterise_svg(svg)) == [URL]


def test_label_png_decodes() -> None:
    image = _open(label_png(_info(3)))
    assert _decode(image) == [URL]


def test_label_png_long_category_still_decodes() -> None:
    image = _open(label_png(_info(4)))
    assert image.width == qrcodes.LABEL_WIDTH
    assert _decode(image) == [URL]


@pytest.mark.parametrize("angle", [15, 90])
def test_label_decodes_when_rotated(angle: int) -> None:
    image = _open(label_png(_info())).rotate(angle, expand=True, fillcolor="white")
    assert _decode(image) == [URL]


def test_qr_decodes_when_blurred_at_print_scale() -> None:
    # 4 px/module is roughly a 20 mm code photographed from arm's length.
    image = _open(qr_png(URL, box_size=4)).filter(ImageFilter.GaussianBlur(1.5))
    assert _decode(image) == [URL]


@pytest.mark.parametrize("ink", ["white", "black"])
def test_qr_decodes_when_partly_covered(ink: str) -> None:
    box = 10
    image = _open(qr_png(URL, box_size=box))
    side = image.width // box - 2 * QUIET_ZONE  # symbol side in modules
    # A round central blotch over ~12 % of the symbol, clear of the finders.
    diameter = round(side * 0.39)
    assert 0.10 <= math.pi / 4 * (diameter / side) ** 2 <= 0.15
    start = (QUIET_ZONE + (side - diameter) // 2) * box
    end = start + diameter * box
    ImageDraw.Draw(image).ellipse((start, start, end, end), fill=ink)
    assert _decode(image) == [URL]


def _pdftoppm() -> str:
    """Path of poppler's pdftoppm (Debian package poppler-utils)."""
    path = shutil.which("pdftoppm")
    assert path, "pdftoppm missing: apt-get install -y poppler-utils"
    return path


def _render_pdf(pdf: bytes, tmp_path: Path, dpi: int = 150) -> list[Image.Image]:
    """Rasterise every page of ``pdf`` in greyscale."""
    source = tmp_path / "labels.pdf"
    source.write_bytes(pdf)
    cmd = [_pdftoppm(), "-r", str(dpi), "-gray", "-png", str(source), "page"]
    subprocess.run(cmd, check=True, cwd=tmp_path, capture_output=True)  # noqa: S603
    pages = sorted(tmp_path.glob("page-*.png"))
    return [Image.open(page).convert("L") for page in pages]


def test_labels_pdf_every_label_decodes(tmp_path: Path) -> None:
    urls = [f"{BASE}tok{i:02d}_abcdefghijklmnopq" for i in range(10)]
    pdf = labels_pdf([_info(i, url) for i, url in enumerate(urls)], title="标识")
    assert pdf.startswith(b"%PDF-")
    pages = _render_pdf(pdf, tmp_path)
    assert len(pages) == 2  # 8 labels on the first A4 sheet, 2 on the second
    assert sorted(_decode(pages[0])) == urls[:8]
    assert sorted(_decode(pages[1])) == urls[8:]


def test_labels_pdf_survives_print_blur(tmp_path: Path) -> None:
    (page,) = _render_pdf(labels_pdf([_info()], title="标识"), tmp_path, dpi=200)
    assert _decode(page.filter(ImageFilter.GaussianBlur(1.5))) == [URL]


def test_labels_pdf_embeds_qr_at_print_resolution() -> None:
    box = qrcodes._qr_box_for_print(URL, qrcodes.PDF_QR_SIZE)
    pixels = box * qrcodes._modules(URL)
    assert pixels / (qrcodes.PDF_QR_SIZE / 25.4) >= qrcodes.PRINT_DPI


def test_labels_pdf_carries_chinese_text(tmp_path: Path) -> None:
    path = shutil.which("pdftotext")
    assert path, "pdftotext missing: apt-get install -y poppler-utils"
    source = tmp_path / "labels.pdf"
    source.write_bytes(labels_pdf([_info(1)], title="历城区特种设备标识"))
    cmd = [path, "-enc", "UTF-8", str(source), "-"]
    text = subprocess.run(cmd, check=True, capture_output=True).stdout  # noqa: S603
    for expected in ("历城区特种设备标识", "锅炉", "梯11鲁A01234(23)", SCAN_HINT):
        assert expected in text.decode().replace("\n", "")


def test_labels_pdf_empty_list_gives_titled_page() -> None:
    assert labels_pdf([], title="空").startswith(b"%PDF-")


GLYPHS_USED = (
    "".join(CATEGORIES)
    + ENTERPRISE
    + SCAN_HINT
    + "特种设备登记编号设备代码使用单位第页：…"
    + "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ()-"
)
NOT_IN_FONT = chr(0x10FFFD)  # plane-16 private use: no font maps it


def _font_cmap() -> dict[int, str]:
    """Unicode -> glyph name map of the label font's first face."""
    with TTFont(cjk_font_path(), fontNumber=0, lazy=True) as font:
        return font.getBestCmap()


def _glyph_pixels(text: str) -> bytes:
    """Greyscale pixels of ``text`` drawn in the label font."""
    image = Image.new("L", (80, 48), 0)
    ImageDraw.Draw(image).text((4, 4), text, font=qrcodes._font(32), fill=255)
    return image.tobytes()


def test_cjk_font_has_every_glyph_used() -> None:
    cmap = _font_cmap()
    assert not {char for char in GLYPHS_USED if ord(char) not in cmap}
    assert ord(NOT_IN_FONT) not in cmap


def test_cjk_font_renders_distinct_glyphs_not_tofu() -> None:
    tofu = _glyph_pixels(NOT_IN_FONT)
    drawn = {char: _glyph_pixels(char) for char in "电梯锅炉"}
    assert tofu not in drawn.values()
    assert all(any(pixels) for pixels in drawn.values())
    assert len(set(drawn.values())) == len(drawn)


def test_cjk_font_env_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    font = tmp_path / "custom.ttf"
    font.write_bytes(b"")
    monkeypatch.setenv(core_pdf.FONT_ENV, str(font))
    assert cjk_font_path() == font


def test_cjk_font_missing_names_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(core_pdf.FONT_ENV, raising=False)
    monkeypatch.setattr(core_pdf, "FONT_CANDIDATES", (Path("/nonexistent.ttc"),))
    with pytest.raises(RuntimeError, match="fonts-wqy-microhei"):
        cjk_font_path()
