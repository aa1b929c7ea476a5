"""Render a notice as an A4 official letter (公文式文书) with fpdf2 and the CJK font."""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from backend.core.pdf import FONT, data_table, new_document, paragraph
from backend.notices.models import Notice
from backend.notices.rules import NoticeKind, chinese_date

SEVERITY_LABELS = {"general": "一般", "major": "重大"}
LAW = "《中华人民共和国特种设备安全法》"
RED = (192, 0, 0)
MARGIN_X = 25.0
MARGIN_TOP = 22.0
INDENT = "\u3000\u3000"  # two ideographic spaces: first-line indent of a paragraph
#: hazard table columns (mm; together the 160 mm text width)
COLUMNS = (("序号", 12), ("设备/位置", 40), ("隐患描述", 64), ("等级", 14), ("原整改期限", 30))

BODIES: dict[NoticeKind, str] = {
    NoticeKind.rectification: (
        "经检查，你单位存在下列特种设备安全隐患，现责令你单位于{deadline}前完成整改，"
        "并将整改情况书面报告我局。逾期未整改的，依据" + LAW + "有关规定处理。"
    ),
    NoticeKind.reminder: (
        "经查，你单位下列特种设备安全隐患已超过整改期限或反复出现，至今未有效消除。"
        "现函告提醒，请你单位切实落实特种设备安全主体责任，于{deadline}前完成整改，"
        "并将整改情况书面报告我局。逾期仍未整改的，我局将依法采取约谈、挂牌督办等措施，"
        "并依据" + LAW + "有关规定处理。"
    ),
    NoticeKind.interview: (
        "你单位下列特种设备安全隐患逾期未整改或反复发生，反映出你单位特种设备安全主体责任"
        "落实不到位。根据特种设备安全监督管理有关规定，我局决定对你单位进行约谈。"
        "请你单位主要负责人和安全管理人员于{deadline}前到我局接受约谈（具体时间、地点另行通知），"
        "并携带隐患整改情况书面报告及相关证明材料。无正当理由拒不接受约谈的，依法依规处理。"
    ),
    NoticeKind.listed_supervision: (
        "你单位下列特种设备安全隐患（含重大隐患）逾期未消除。根据" + LAW + "及特种设备安全"
        "监督管理有关规定，我局决定对上述隐患实行挂牌督办。请你单位落实整改责任、措施、资金、"
        "时限和应急预案，于{deadline}前完成整改并书面报告我局，经我局复查合格后予以销号。"
        "整改完成前，应当采取有效的安全防范措施，必要时停止使用相关特种设备。"
        "逾期未完成整改的，依法从严处理。"
    ),
}


DEADLINE_LABELS: dict[NoticeKind, str] = {
    NoticeKind.rectification: "整改期限",
    NoticeKind.reminder: "整改期限",
    NoticeKind.interview: "接受约谈期限",
    NoticeKind.listed_supervision: "督办整改期限",
}


class _Letter(FPDF):
    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(FONT, size=8)
        self.set_text_color(120)
        self.cell(0, 5, f"第 {self.page_no()} 页 / 共 {{nb}} 页", align=Align.C)
        self.set_text_color(0)


def _new_pdf(notice: Notice) -> FPDF:
    pdf = new_document(
        f"{notice.title} {notice.number}",
        margin_x=MARGIN_X,
        margin_top=MARGIN_TOP,
        break_margin=20,
        document=_Letter,
    )
    pdf.add_page()
    return pdf


def _heading(pdf: FPDF, notice: Notice) -> None:
    """Red title, the document number and a red rule, as on a 红头 document."""
    pdf.set_text_color(*RED)
    paragraph(pdf, notice.title, size=24, height=14, align=Align.C)
    pdf.set_text_color(0)
    pdf.ln(2)
    paragraph(pdf, notice.number, size=12, height=7, align=Align.C)
    pdf.ln(1)
    pdf.set_draw_color(*RED)
    pdf.set_line_width(0.6)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.set_draw_color(0)
    pdf.set_line_width(0.2)
    pdf.ln(6)


def _hazard_table(pdf: FPDF, notice: Notice) -> None:
    pdf.set_font(FONT, size=10)
    with data_table(pdf, [w for _, w in COLUMNS], line_height=6, padding=1.5) as table:
        table.row([title for title, _ in COLUMNS])
        for item in notice.items:
            hazard = item.hazard
            table.row(
                [
                    str(item.position),
                    item.place,
                    hazard.description,
                    SEVERITY_LABELS.get(hazard.severity, hazard.severity),
                    chinese_date(item.hazard_deadline),
                ]
            )
    pdf.ln(4)


#: heights (mm) of the signature and of the receipt; neither is split across pages
SIGNATURE_HEIGHT = 28
RECEIPT_HEIGHT = 27


def _signature(pdf: FPDF, notice: Notice) -> None:
    if pdf.will_page_break(SIGNATURE_HEIGHT):
        pdf.add_page()
    pdf.ln(10)
    x = pdf.w - pdf.r_margin - 60
    for text in (f"{notice.zone.name}（盖章）", chinese_date(notice.issued_on)):
        pdf.set_x(x)
        pdf.set_font(FONT, size=12)
        pdf.cell(60, 8, text, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _receipt(pdf: FPDF, notice: Notice) -> None:
    if pdf.will_page_break(RECEIPT_HEIGHT):
        pdf.add_page()
    pdf.ln(6)
    pdf.set_draw_color(150)
    pdf.set_dash_pattern(dash=1.5, gap=1.5)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.set_dash_pattern()
    pdf.set_draw_color(0)
    pdf.ln(3)
    paragraph(pdf, f"送达回执：{notice.number}已收到。", size=10, height=6)
    paragraph(pdf, "被送达单位签收人：__________　　签收日期：____年__月__日", size=10, height=6)
    paragraph(pdf, "本文书一式两份，一份送达被检查单位，一份由签发机关存档。", size=9, height=6)


def notice_pdf(notice: Notice) -> bytes:
    """The notice as an A4 PDF: title, number, addressee, body, hazard table, signature."""
    pdf = _new_pdf(notice)
    _heading(pdf, notice)
    enterprise = notice.enterprise
    paragraph(pdf, f"{enterprise.name}（统一社会信用代码：{enterprise.credit_code}）：")
    kind = NoticeKind(notice.kind)
    body = BODIES[kind].format(deadline=chinese_date(notice.deadline))
    paragraph(pdf, INDENT + body)
    pdf.ln(3)
    paragraph(pdf, f"隐患清单（共{len(notice.items)}项）：", size=12, height=8)
    _hazard_table(pdf, notice)
    paragraph(pdf, f"{INDENT}{DEADLINE_LABELS[kind]}：{chinese_date(notice.deadline)}")
    if notice.remarks:
        paragraph(pdf, f"{INDENT}备注：{notice.remarks}")
    _signature(pdf, notice)
    _receipt(pdf, notice)
    return bytes(pdf.output())
