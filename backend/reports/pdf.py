"""The monthly report (工作小结) as an A4 PDF with the CJK font (same approach as notices)."""

from __future__ import annotations

from fpdf import FPDF, FontFace
from fpdf.enums import Align, WrapMode, XPos, YPos

from backend.core.qrcodes import cjk_font_path
from backend.notices.rules import chinese_date
from backend.reports.services import report_rows


def monthly_report_pdf(report: dict) -> bytes:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_font("cjk", fname=str(cjk_font_path()))
    title = f"{report['zone_name']}特种设备安全监管工作小结（{report['month']}）"
    pdf.set_title(title)
    pdf.set_creator("sesv")
    pdf.add_page()
    pdf.set_font("cjk", size=18)
    pdf.multi_cell(0, 11, title, align=Align.C, wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("cjk", size=10)
    pdf.multi_cell(
        0,
        6,
        f"统计期间：{chinese_date(report['start'])}至{chinese_date(report['end'])}　"
        f"报送期限：{chinese_date(report['due_on'])}前报市局",
        align=Align.C,
        wrapmode=WrapMode.CHAR,
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(4)
    heading = FontFace(emphasis="", fill_color=(235, 235, 235))
    with pdf.table(
        col_widths=(30, 80, 60),
        headings_style=heading,
        line_height=6,
        wrapmode=WrapMode.CHAR,
        text_align=Align.L,
        padding=1.5,
        width=pdf.epw,
    ) as table:
        table.row(["类别", "指标", "数值"])
        for section, label, value in report_rows(report):
            table.row([section, label, str(value)])
    pdf.ln(4)
    pdf.set_font("cjk", size=8)
    pdf.multi_cell(
        0,
        5,
        "证据链期末链头可用 flask evidence verify 核验；本小结由系统自动生成。",
        wrapmode=WrapMode.CHAR,
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    return bytes(pdf.output())
