"""A check printed as an A4 record (检查记录): what was checked, each item's result and finding
with its photos, the signature, and the evidence-chain entry that fixes its content."""

from __future__ import annotations

import io

from fpdf import FPDF
from fpdf.enums import Align

from backend.core.pdf import FONT, data_table, new_document, paragraph
from backend.core.storage import BlobNotFoundError
from backend.evidence.models import EvidenceEntry
from backend.inspections.models import Check
from backend.inspections.rules import KIND_LABELS, RESULT_LABELS
from backend.photos.services import storage

MARGIN_X = 18.0
ITEM_RESULTS = {"pass": "符合", "fail": "不符合", "na": "不适用"}
SEVERITY_LABELS = {"general": "一般", "major": "重大"}
#: item table columns (mm; together the 174 mm text width)
COLUMNS = (("序号", 12), ("检查项目", 78), ("结果", 18), ("问题描述", 66))
PHOTO_WIDTH = 40.0


def check_pdf(check: Check, evidence: EvidenceEntry | None) -> bytes:
    """The check as an A4 PDF: heading facts, item table, findings with photos, signature, evidence."""
    pdf = new_document(f"检查记录 {check.id}", margin_x=MARGIN_X, margin_top=18, break_margin=18)
    pdf.add_page()
    paragraph(pdf, "特种设备安全检查记录", size=20, height=12, align=Align.C)
    pdf.ln(3)
    _facts(pdf, check)
    _items(pdf, check)
    _findings(pdf, check)
    _signature(pdf, check)
    _evidence(pdf, evidence)
    return bytes(pdf.output())


def _facts(pdf: FPDF, check: Check) -> None:
    device = check.device
    rows = [
        ("检查类型", f"{KIND_LABELS.get(check.kind, check.kind)} {check.subkind}".strip()),
        ("被检查单位", check.enterprise.name),
        ("设备", f"{device.registration_no} {device.name}" if device else "（全单位）"),
        ("检查表", f"{check.template.title}（第 {check.template.version} 版）"),
        ("检查日期", check.performed_on.isoformat()),
        ("检查人", check.performed_by.display_name),
        ("结论", RESULT_LABELS.get(check.result, check.result)),
        ("记录编号", f"{check.id}（第 {check.version} 版）"),
    ]
    pdf.set_font(FONT, size=10)
    with data_table(pdf, (40, 134), line_height=6, padding=1.5) as table:
        table.row(["项目", "内容"])
        for label, value in rows:
            table.row([label, value])
    if check.summary:
        pdf.ln(2)
        paragraph(pdf, f"检查小结：{check.summary}", size=11, height=7)
    pdf.ln(3)


def _items(pdf: FPDF, check: Check) -> None:
    paragraph(pdf, f"检查项目（共 {len(check.items)} 项）", size=12, height=8)
    pdf.set_font(FONT, size=9.5)
    with data_table(pdf, [w for _, w in COLUMNS], line_height=5.5, padding=1.2) as table:
        table.row([title for title, _ in COLUMNS])
        for position, item in enumerate(check.items, start=1):
            note = item.note
            if item.result == "fail":
                note = f"[{SEVERITY_LABELS.get(item.severity, item.severity)}] {note}".strip()
            text = check.template.item_text(item.code) or item.code
            table.row([str(position), text, ITEM_RESULTS.get(item.result, item.result), note])
    pdf.ln(3)


def _findings(pdf: FPDF, check: Check) -> None:
    """Each item with photos: its text, then the photos (thumbnails) in a row that wraps."""
    with_photos = [(n, i) for n, i in enumerate(check.items, start=1) if i.photos]
    if not with_photos:
        return
    paragraph(pdf, "问题照片", size=12, height=8)
    for position, item in with_photos:
        paragraph(pdf, f"{position}. {check.template.item_text(item.code) or item.code}", size=10, height=6)
        _photo_row(pdf, item.photos)


def _photo_row(pdf: FPDF, photos: list[str]) -> None:
    x = pdf.l_margin
    row_height = 0.0
    for sha in photos:
        data = _thumbnail(sha)
        if data is None:
            paragraph(pdf, f"（照片 {sha[:12]}… 尚未上传）", size=9, height=5)
            continue
        if x + PHOTO_WIDTH > pdf.w - pdf.r_margin:
            pdf.set_y(pdf.get_y() + row_height + 2)
            x, row_height = pdf.l_margin, 0.0
        info = pdf.image(io.BytesIO(data), x=x, y=pdf.get_y(), w=PHOTO_WIDTH)
        row_height = max(row_height, info.rendered_height)
        x += PHOTO_WIDTH + 3
    pdf.set_y(pdf.get_y() + row_height + 3)


def _thumbnail(sha256: str) -> bytes | None:
    try:
        return storage().get(f"{sha256}.thumb.jpg")
    except (BlobNotFoundError, ValueError):
        return None


def _signature(pdf: FPDF, check: Check) -> None:
    pdf.ln(4)
    signed_at = check.signed_at.strftime("%Y-%m-%d %H:%M UTC")
    paragraph(
        pdf,
        f"签字确认：{check.signed_by or check.performed_by.display_name}　　签字时间：{signed_at}",
        size=11,
    )
    if check.late:
        paragraph(pdf, "（补录：超过自查宽限期后提交）", size=9, height=5)


def _evidence(pdf: FPDF, entry: EvidenceEntry | None) -> None:
    pdf.ln(3)
    if entry is None:
        paragraph(pdf, "证据链：无对应条目", size=9, height=5)
        return
    paragraph(
        pdf, f"证据链条目：第 {entry.seq} 号（{entry.kind}，{entry.at:%Y-%m-%d %H:%M} UTC）", size=9, height=5
    )
    paragraph(pdf, f"条目哈希（{entry.algorithm}）：{entry.hash}", size=9, height=5)
    paragraph(pdf, f"前一条目哈希：{entry.prev_hash}", size=9, height=5)
