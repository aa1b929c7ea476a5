"""A drawn plan as an A4 PDF with the CJK font: the list, the quota figures and the plan's notes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fpdf import FPDF
from fpdf.enums import Align

from backend.core.pdf import FONT, data_table, new_document, paragraph
from backend.notices.rules import chinese_date
from backend.plans.models import InspectionPlan

KEY_REASONS = {
    "public_place": "公众聚集场所",
    "accident": "近二年事故",
    "complaints": "投诉属实较多",
    "named": "监管部门指定",
}
STATUS = {"pending": "待检查", "done": "已检查", "not_found": "查无下落"}
PLAN_STATUS = {"draft": "草稿", "published": "已公开"}


@dataclass(frozen=True)
class Row:
    enterprise: str
    grade: str
    key_reasons: Sequence[str]
    inspectors: Sequence[str]
    status: str


def _line(pdf: FPDF, text: str, size: float = 10, height: float = 6, align: Align = Align.L) -> None:
    paragraph(pdf, text, size, height, align)


def plan_pdf(plan: InspectionPlan, rows: Sequence[Row]) -> bytes:
    pdf = new_document(plan.title, margin_x=18, margin_top=18, break_margin=18)
    pdf.add_page()
    _line(pdf, plan.title, size=16, height=10, align=Align.C)
    period = f"{chinese_date(plan.period_start)}至{chinese_date(plan.period_end)}"
    _line(
        pdf,
        f"{plan.zone.name}　检查期间：{period}　{PLAN_STATUS.get(plan.status, plan.status)}",
        align=Align.C,
    )
    counts = {g: sum(1 for r in rows if r.grade == g) for g in "ABCD"}
    _line(
        pdf,
        f"计划规模 {plan.size} 家，计划总数 {plan.quota_total} 家，实际抽取 {len(rows)} 家"
        f"（A 级 {counts['A']}、B 级 {counts['B']}、C 级 {counts['C']}、D 级 {counts['D']}）；"
        f"每家 {plan.per_item} 名监察员；随机种子 {plan.seed}。",
    )
    if plan.note_lines:
        pdf.ln(2)
        _line(pdf, "说明", size=11)
        for note in plan.note_lines:
            _line(pdf, f"· {note}")
    pdf.ln(3)
    pdf.set_font(FONT, size=9)
    with data_table(pdf, (10, 62, 12, 32, 38, 20), line_height=5.5, padding=1.2) as table:
        table.row(["序号", "企业", "等级", "重点对象", "检查人员", "状态"])
        for n, row in enumerate(rows, 1):
            table.row(
                [
                    str(n),
                    row.enterprise,
                    row.grade,
                    "、".join(KEY_REASONS.get(r, r) for r in row.key_reasons) or "-",
                    "、".join(row.inspectors) or "-",
                    STATUS.get(row.status, row.status),
                ]
            )
    pdf.ln(3)
    _line(
        pdf,
        "抽取规则：D 级和重点监管对象全部纳入；A 级（重点对象除外）不超过计划总数的 5%，"
        "B 级不少于 10%，C 级不少于 50%（《特种设备安全信用风险分级分类监管办法》第八至十二条）。"
        "同一随机种子、同一候选名单抽出同一计划。",
        size=8,
        height=5,
    )
    return bytes(pdf.output())
