"""The monthly report (工作小结) as an A4 PDF with the CJK font (core/pdf.py)."""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import Align

from backend.core.pdf import data_table, new_document, paragraph
from backend.notices.rules import chinese_date
from backend.reports.services import NARRATIVE_HEADINGS, report_rows


def monthly_report_pdf(report: dict) -> bytes:
    title = f"{report['zone_name']}特种设备安全监管工作小结（{report['month']}）"
    pdf = new_document(title, margin_x=20, margin_top=20, break_margin=18)
    pdf.add_page()
    paragraph(pdf, title, size=18, height=11, align=Align.C)
    paragraph(
        pdf,
        f"统计期间：{chinese_date(report['start'])}至{chinese_date(report['end'])}　"
        f"报送期限：{chinese_date(report['due_on'])}前报市局",
        size=10,
        height=6,
        align=Align.C,
    )
    pdf.ln(4)
    submission = report.get("submission")
    if submission:
        _narrative(pdf, submission)
    with data_table(pdf, (30, 80, 60), line_height=6, padding=1.5) as table:
        table.row(["类别", "指标", "数值"])
        for section, label, value in report_rows(report):
            table.row([section, label, str(value)])
    pdf.ln(4)
    if submission:
        late = "（逾期报送）" if submission["late"] else ""
        paragraph(
            pdf,
            f"{submission['submitted_by_name']}于{chinese_date(submission['submitted_on'])}报送{late}，"
            f"报送时数据已冻结；内容哈希 {submission['content_hash']}"
            f"（证据链第 {submission['evidence_seq']} 条）。",
            size=8,
            height=5,
        )
    else:
        paragraph(pdf, "本小结尚未报送，数据为实时统计，报送后冻结。", size=8, height=5)
    paragraph(
        pdf, "证据链期末链头可用 flask evidence verify 核验；统计数据由系统自动生成。", size=8, height=5
    )
    return bytes(pdf.output())


def _narrative(pdf: FPDF, submission: dict) -> None:
    for number, (key, heading) in zip("一二三", NARRATIVE_HEADINGS.items(), strict=True):
        paragraph(pdf, f"{number}、{heading}", size=13, height=8)
        paragraph(pdf, submission[key], size=11, height=7)
        pdf.ln(2)
    paragraph(pdf, "四、主要数据", size=13, height=8)
