"""The CJK PDF set-up every printed document shares (labels, notices, reports, plans):
the font, an A4 page in millimetres, paragraphs wrapped per character, and data tables.

Chinese text needs a font that both Pillow and fpdf2 can read; see :func:`cjk_font_path`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path

from fpdf import FPDF, FontFace
from fpdf.enums import Align, WrapMode, XPos, YPos
from fpdf.table import Table

FONT_ENV = "SESV_CJK_FONT"
#: Debian/Ubuntu package that provides the default font.
FONT_PACKAGE = "fonts-wqy-microhei"
#: Known locations of WenQuanYi Micro Hei (TrueType outlines; fpdf2 reads the
#: first face of the .ttc). Droid Sans Fallback is not listed: it lacks Latin
#: digits, and Noto CJK is CFF-in-TTC, which fpdf2 does not embed reliably.
FONT_CANDIDATES: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),  # Debian, Ubuntu
    Path("/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc"),  # Arch
    Path("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc"),  # Fedora
)
#: the family name the CJK font is registered under in every document
FONT = "cjk"
#: table headings: plain text on light grey
HEADING_STYLE = FontFace(emphasis="", fill_color=(235, 235, 235))


def cjk_font_path() -> Path:
    """Locate a CJK font usable by Pillow and fpdf2 ($SESV_CJK_FONT first)."""
    override = os.environ.get(FONT_ENV)
    candidates = (Path(override),) if override else ()
    for path in (*candidates, *FONT_CANDIDATES):
        if path.is_file():
            return path
    raise RuntimeError(
        "No CJK font found for QR labels and PDF documents. Install the Debian package "
        f"'{FONT_PACKAGE}' (apt-get install -y {FONT_PACKAGE}) or point "
        f"{FONT_ENV} at a TrueType .ttf/.ttc with Chinese glyphs."
    )


def new_document(
    title: str,
    *,
    margin_x: float,
    margin_top: float,
    break_margin: float | None,
    document: type[FPDF] = FPDF,
) -> FPDF:
    """An A4 portrait document in mm with the CJK font registered as FONT, no page yet.

    `break_margin`: the bottom margin at which a page breaks by itself; None: never.
    """
    pdf = document(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(margin_x, margin_top, margin_x)
    pdf.set_auto_page_break(auto=break_margin is not None, margin=break_margin or 0)
    pdf.add_font(FONT, fname=str(cjk_font_path()))
    pdf.set_title(title)
    pdf.set_creator("sesv")
    return pdf


def paragraph(pdf: FPDF, text: str, size: float = 12, height: float = 7.5, align: Align = Align.J) -> None:
    """Text over the full width, wrapped per character (Chinese has no spaces), then a new line."""
    pdf.set_font(FONT, size=size)
    pdf.multi_cell(0, height, text, align=align, wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def data_table(
    pdf: FPDF, col_widths: Sequence[float], *, line_height: float, padding: float
) -> AbstractContextManager[Table]:
    """A full-width table with grey headings, cells left-aligned and wrapped per character
    (use as a context manager; the first row is the headings)."""
    return pdf.table(
        col_widths=tuple(col_widths),
        headings_style=HEADING_STYLE,
        line_height=line_height,
        wrapmode=WrapMode.CHAR,
        text_align=Align.L,
        padding=padding,
        width=pdf.epw,
    )
