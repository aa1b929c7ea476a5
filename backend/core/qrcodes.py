"""QR codes and printable device labels (设备二维码标识).

Each device carries a label whose QR code encodes ``<PUBLIC_BASE_URL>/q/<token>``.
Labels live outdoors and in plant rooms and get scuffed, so every code uses
error correction level H (≈30 % of codewords recoverable) and the standard
4-module quiet zone (ISO/IEC 18004).

Chinese text needs a CJK font that both Pillow and fpdf2 can read; see
:func:`backend.core.pdf.cjk_font_path`.
"""

import io
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache, partial

import qrcode
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_H
from qrcode.image.svg import SvgPathFillImage

from backend.core.pdf import FONT, cjk_font_path, new_document

#: ISO/IEC 18004 asks for at least 4 modules of quiet zone.
QUIET_ZONE = 4
SCAN_HINT = "扫码查询 · 投诉举报"

#: Print resolution the PDF's embedded QR images must reach.
PRINT_DPI = 300
MM_PER_INCH = 25.4

# A4 sheet layout in millimetres: 2 x 4 labels below a title.
PAGE_MARGIN = 10.0
TITLE_HEIGHT = 12.0
GRID_COLS = 2
GRID_ROWS = 4
CELL_PADDING = 4.0
PDF_QR_SIZE = 44.0

# label_png layout in pixels.
LABEL_WIDTH = 560
LABEL_PADDING = 24
LABEL_ACCENT = (11, 83, 148)


@dataclass(frozen=True)
class LabelInfo:
    """What one device label shows besides its QR code."""

    url: str
    category_label: str  #: e.g. '电梯', '锅炉'
    registration_no: str  #: 使用登记证编号
    enterprise_name: str  #: 使用单位
    device_code: str = ""  #: 设备代码, optional
    position_label: str = ""  #: where on the device this label goes (机房 / 轿顶 / 轿厢), optional


# --- QR codes -------------------------------------------------------------


def _qr(url: str, box_size: int = 10) -> qrcode.QRCode:
    """Build a fitted level-H QR code for ``url``."""
    if not url:
        raise ValueError("QR code URL must not be empty")
    if box_size < 1:
        raise ValueError("box_size must be at least 1 pixel")
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_H, box_size=box_size, border=QUIET_ZONE)
    code.add_data(url)
    code.make(fit=True)
    return code


def _qr_image(url: str, box_size: int) -> Image.Image:
    """Render ``url`` as a black-on-white 1-bit Pillow image."""
    return _qr(url, box_size).make_image().get_image()


def _png_bytes(image: Image.Image) -> bytes:
    """Encode a Pillow image as optimised PNG."""
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def qr_png(url: str, *, box_size: int = 10) -> bytes:
    """Return ``url`` as a PNG QR code, ``box_size`` pixels per module."""
    return _png_bytes(_qr_image(url, box_size))


def qr_svg(url: str) -> bytes:
    """Return ``url`` as a standalone SVG QR code (one path, white background)."""
    code = _qr(url)
    code.image_factory = SvgPathFillImage
    buf = io.BytesIO()
    code.make_image().save(buf)
    return buf.getvalue()


def _modules(url: str) -> int:
    """Side of the QR image in modules, quiet zone included."""
    return _qr(url).modules_count + 2 * QUIET_ZONE


def _qr_box_for_print(url: str, size_mm: float) -> int:
    """Pixels per module so a ``size_mm`` QR image reaches PRINT_DPI."""
    target_px = size_mm / MM_PER_INCH * PRINT_DPI
    return math.ceil(target_px / _modules(url))


# --- Fonts and text -------------------------------------------------------


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont:
    """Load the CJK font at ``size`` pixels (cached; fonts are megabytes)."""
    return ImageFont.truetype(str(cjk_font_path()), size)


def _wrap(text: str, width: float, measure: Callable[[str], float], max_lines: int = 2) -> list[str]:
    """Break ``text`` per character to fit ``width``; ellipsise past max_lines.

    Chinese has no spaces, so wrapping is by character, not by word.
    """
    lines: list[str] = []
    line = ""
    for char in text:
        if line and measure(line + char) > width:
            lines.append(line)
            line = ""
        line += char
    lines.append(line)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and measure(last + "…") > width:
            last = last[:-1]
        lines = [*lines[: max_lines - 1], last + "…"]
    return lines


def _fit(text: str, width: float, size: int, measure: Callable[[str, int], float]) -> int:
    """Largest font size ≤ ``size``, but not below half, at which ``text`` fits."""
    floor = max(1, size // 2)
    while size > floor and measure(text, size) > width:
        size -= 1
    return size


def _detail_lines(info: LabelInfo) -> Iterator[tuple[str, str]]:
    """Yield the (caption, value) pairs printed under the category."""
    yield "登记编号", info.registration_no
    if info.device_code:
        yield "设备代码", info.device_code
    if info.position_label:
        yield "标签位置", info.position_label
    yield "使用单位", info.enterprise_name


# --- PNG label ------------------------------------------------------------


def _band(draw: ImageDraw.ImageDraw, top: int, height: int, text: str) -> None:
    """Draw a full-width accent band with centred white text."""
    draw.rectangle((0, top, LABEL_WIDTH, top + height), fill=LABEL_ACCENT)
    width = LABEL_WIDTH - 2 * LABEL_PADDING
    size = _fit(text, width, height * 11 // 20, lambda t, s: _font(s).getlength(t))
    draw.text(
        (LABEL_WIDTH // 2, top + height // 2),
        text,
        font=_font(size),
        fill="white",
        anchor="mm",
    )


def _label_text_rows(info: LabelInfo) -> list[str]:
    """Wrap the detail lines to the label width."""
    font = _font(24)
    width = LABEL_WIDTH - 2 * LABEL_PADDING
    rows: list[str] = []
    for caption, value in _detail_lines(info):
        rows += _wrap(f"{caption}：{value}", width, font.getlength)
    return rows


def label_png(info: LabelInfo) -> bytes:
    """Render a device label (category, QR, details, scan hint) as PNG."""
    # Whole pixels per module: resampling a QR code blurs module edges.
    box = max(1, LABEL_WIDTH // _modules(info.url))
    qr = _qr_image(info.url, box).convert("RGB")
    rows = _label_text_rows(info)
    band, row_h = 72, 34
    height = band + qr.height + len(rows) * row_h + LABEL_PADDING + band
    image = Image.new("RGB", (LABEL_WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    _band(draw, 0, band, f"特种设备 · {info.category_label}")
    image.paste(qr, ((LABEL_WIDTH - qr.width) // 2, band))
    y = band + qr.height
    for row in rows:
        draw.text((LABEL_PADDING, y), row, font=_font(24), fill="black")
        y += row_h
    _band(draw, height - band, band, SCAN_HINT)
    draw.rectangle((0, 0, LABEL_WIDTH - 1, height - 1), outline=LABEL_ACCENT, width=3)
    return _png_bytes(image)


# --- PDF sheet ------------------------------------------------------------


def _start_page(pdf: FPDF, title: str) -> None:
    """Add a page headed by ``title`` and its page number."""
    pdf.add_page()
    pdf.set_font(FONT, size=14)
    pdf.set_xy(PAGE_MARGIN, PAGE_MARGIN)
    pdf.cell(pdf.epw, TITLE_HEIGHT - 4, title, align="C")
    pdf.set_font(FONT, size=8)
    pdf.set_xy(PAGE_MARGIN, PAGE_MARGIN)
    pdf.cell(pdf.epw, TITLE_HEIGHT - 4, f"第 {pdf.page_no()} 页", align="R")


def _cell_size(pdf: FPDF) -> tuple[float, float]:
    """Width and height of one label cell on the grid."""
    height = pdf.eph - TITLE_HEIGHT
    return pdf.epw / GRID_COLS, height / GRID_ROWS


def _cut_lines(pdf: FPDF, x: float, y: float, w: float, h: float) -> None:
    """Dashed grey rectangle to cut along."""
    pdf.set_draw_color(150)
    pdf.set_line_width(0.2)
    pdf.set_dash_pattern(dash=2, gap=1.5)
    pdf.rect(x, y, w, h)
    pdf.set_dash_pattern()


def _text_line(pdf: FPDF, x: float, width: float, size: float, text: str) -> None:
    """Write one line at the current y and move down by its height."""
    pdf.set_font(FONT, size=size)
    height = size * 0.5
    pdf.set_xy(x, pdf.get_y())
    pdf.cell(width, height, text)
    pdf.set_y(pdf.get_y() + height)


def _pdf_width(pdf: FPDF, text: str, size: int) -> float:
    """Width in mm of ``text`` in the CJK font at ``size`` points."""
    pdf.set_font(FONT, size=size)
    return pdf.get_string_width(text)


def _cell_text(pdf: FPDF, info: LabelInfo, x: float, y: float, size: tuple[float, float]) -> None:
    """Category, detail lines and the scan hint in a ``size`` box at x, y."""
    w, h = size
    pdf.set_text_color(*LABEL_ACCENT)
    pdf.set_y(y)
    font_size = _fit(info.category_label, w, 16, partial(_pdf_width, pdf))
    _text_line(pdf, x, w, font_size, info.category_label)
    pdf.set_text_color(0)
    for caption, value in _detail_lines(info):
        pdf.set_y(pdf.get_y() + 1.5)
        _text_line(pdf, x, w, 7, caption)
        pdf.set_font(FONT, size=9)
        for line in _wrap(value, w, pdf.get_string_width):
            _text_line(pdf, x, w, 9, line)
    pdf.set_text_color(*LABEL_ACCENT)
    pdf.set_y(y + h - 5)
    _text_line(pdf, x, w, 10, SCAN_HINT)
    pdf.set_text_color(0)


def _draw_cell(pdf: FPDF, info: LabelInfo, x: float, y: float) -> None:
    """One label: cut lines, QR at PRINT_DPI on the left, text on the right."""
    w, h = _cell_size(pdf)
    _cut_lines(pdf, x, y, w, h)
    qr_y = y + (h - PDF_QR_SIZE) / 2
    box = _qr_box_for_print(info.url, PDF_QR_SIZE)
    png = io.BytesIO(qr_png(info.url, box_size=box))
    pdf.image(png, x + CELL_PADDING, qr_y, PDF_QR_SIZE, PDF_QR_SIZE)
    text_x = x + CELL_PADDING + PDF_QR_SIZE + 2
    text_size = (x + w - CELL_PADDING - text_x, h - 2 * CELL_PADDING)
    _cell_text(pdf, info, text_x, y + CELL_PADDING, text_size)


def labels_pdf(infos: list[LabelInfo], *, title: str) -> bytes:
    """Lay labels out on A4 sheets, 2 x 4 per page, ``title`` on every page."""
    pdf = new_document(title, margin_x=PAGE_MARGIN, margin_top=PAGE_MARGIN, break_margin=None)
    per_page = GRID_COLS * GRID_ROWS
    if not infos:
        _start_page(pdf, title)
    for index, info in enumerate(infos):
        slot = index % per_page
        if slot == 0:
            _start_page(pdf, title)
        w, h = _cell_size(pdf)
        x = PAGE_MARGIN + (slot % GRID_COLS) * w
        y = PAGE_MARGIN + TITLE_HEIGHT + (slot // GRID_COLS) * h
        _draw_cell(pdf, info, x, y)
    return bytes(pdf.output())
