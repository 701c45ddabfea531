"""Two printable sheets about dates that move: the 交期变更通知 (a letter to a
customer: its late order lines with the new dates proposed) and the 插单说明 (one
page for the rush-order meeting). Laid out like the other forms (``docs_book``):
A4 portrait, bordered grid in the house font, fit to the page width, a footer with
the page number.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import xlsxwriter

from gendan_xl.documents.models import DelayNotice
from gendan_xl.files import replacing
from gendan_xl.model import STATUS_LABEL, OrderStatus
from gendan_xl.plan.rush import STEP_HOURS, RushBrief
from gendan_xl.write.book import text_width
from gendan_xl.write.docs_book import (
    DATE,
    LATE_RED,
    _Fmt,
    _page_setup,
    _set_widths,
    _signoff_boxes,
    _start,
    _write_forms,
    merge,
    put,
    qty_format,
)


def _paper(ws: Any, label: str) -> None:
    """A4 portrait as the other forms, with room at the bottom for the page footer:
    ``label`` (the number) and the page number, counted from 1 on every sheet (one
    workbook holds several letters, so no "of N": N would count all of them)."""
    _page_setup(ws, "A4", landscape=False)
    ws.set_margins(left=0.4, right=0.4, top=0.4, bottom=0.7)
    ws.set_footer(f"&L{label.replace('&', '&&')}&C第 &P 页", {"margin": 0.3})
    ws.set_start_page(1)

# ------------------------------------------------------------- 交期变更通知

JQ_WIDTHS = (5, 13, 13, 10, 13, 11, 11.5, 12.5, 20)
JQ_TITLES = ("序号", "订单号", "客户PO", "产品编码", "品名", "数量", "原交期", "新交期", "原因")


def _wrapped_height(values: Sequence[tuple[object, float]], line_pt: float = 15.0, least: float = 22.0) -> float:
    """A row tall enough for the longest wrapped text among (value, column width)."""
    lines = 1
    for value, width in values:
        if isinstance(value, str) and value:
            lines = max(lines, -(-int(text_width(value)) // max(1, int(width - 1))))
    return max(least, min(lines, 4) * line_pt + 4)


def add_delay_notice_sheet(wb: xlsxwriter.Workbook, f: _Fmt, name: str, doc: DelayNotice) -> Any:
    """One letter: company, title and number, the customer, a short opening, the
    late lines (原交期 -> 新交期, reason), the closing, company and date, sign-offs."""
    ws = wb.add_worksheet(name)
    _set_widths(ws, JQ_WIDTHS)
    last = len(JQ_WIDTHS) - 1
    company = doc.company
    ws.set_row(0, 28)
    merge(ws, 0, 0, 0, last, company.name, f(bold=True, font_size=16, align="center"))
    contact = "  ".join(x for x in (company.address, f"电话:{company.phone}" if company.phone else "") if x)
    ws.set_row(1, 16)
    merge(ws, 1, 0, 1, last, contact, f(font_size=9, align="center"))
    ws.set_row(2, 34)
    merge(ws, 2, 0, 2, last, "交 期 变 更 通 知", f(bold=True, font_size=20, align="center"))
    cust = doc.customer
    rows = (
        (f"致:{cust.display_name}", f"编号:{doc.number}"),
        (f"地址:{cust.address}" if cust.address else "", f"日期:{doc.issue_date.isoformat()}"),
        ("  ".join(x for x in (f"联系人:{cust.contact}" if cust.contact else "",
                               f"电话:{cust.phone}" if cust.phone else "") if x), ""),
    )
    row = 3
    for left, right in rows:
        ws.set_row(row, 20)
        merge(ws, row, 0, row, 5, left, f(font_size=11))
        merge(ws, row, 6, row, last, right, f(font_size=11, bold=right.startswith("编号"), align="right"))
        row += 1
    row += 1
    ws.set_row(row, 22)
    merge(ws, row, 0, row, last, f"尊敬的{cust.display_name}:", f(font_size=11, bold=True))
    row += 1
    opening = (
        "感谢贵司一直以来的信任与支持。经我司核查生产进度,下列订单未能按原定交期交货,"
        "我司已全力安排生产,现将预计新交期通知如下,敬请谅解并予以确认。"
    )
    ws.set_row(row, 40)
    merge(ws, row, 0, row, last, "    " + opening, f(font_size=11, text_wrap=True, valign="top"))
    row += 1
    header = row
    ws.set_row(row, 24)
    for c, title in enumerate(JQ_TITLES):
        put(ws, row, c, title, f.label())
    row += 1
    for i, line in enumerate(doc.lines, start=1):
        name_text = " ".join(x for x in (line.item_name, line.spec) if x)
        ws.set_row(row, _wrapped_height([(line.label, JQ_WIDTHS[1]), (line.customer_po, JQ_WIDTHS[2]),
                                         (name_text, JQ_WIDTHS[4]), (line.reason_text, JQ_WIDTHS[8])]))
        qty = f"{line.qty:,.0f}" if line.qty.is_integer() else f"{line.qty:,.3f}".rstrip("0")
        values: list[tuple[object, Any]] = [
            (i, f.cell(align="center")),
            (line.label, f.cell(text_wrap=True)),
            (line.customer_po, f.cell(text_wrap=True)),
            (line.item, f.cell(text_wrap=True)),
            (name_text, f.cell(text_wrap=True, font_size=9)),
            (f"{qty} {line.unit}".strip(), f.cell(align="right")),
            (line.original_date, f.cell(DATE, align="center")),
            (line.proposed_date, f.cell(DATE, align="center", bold=True, font_color=LATE_RED)),
            (line.reason_text, f.cell(text_wrap=True, font_size=9)),
        ]
        for c, (value, fmt) in enumerate(values):
            put(ws, row, c, value, fmt)  # type: ignore[arg-type]
        row += 1
    ws.set_row(row, 8)
    row += 1
    lead = (f"新交期为预计完工日加送货提前期 {doc.lead_days} 个工作日(到贵司日期)。" if doc.lead_days
            else "新交期为预计完工日。")
    closing = (lead + "如对上述新交期有异议,请尽快与我司跟单联系;给贵司带来的不便,我司深表歉意,"
               "并将尽力提前交货。请确认后签字盖章回传。")
    ws.set_row(row, 40)
    merge(ws, row, 0, row, last, "    " + closing, f(font_size=10, text_wrap=True, valign="top"))
    row += 1
    ws.set_row(row, 20)
    merge(ws, row, 0, row, last, "    此致", f(font_size=11))
    row += 1
    ws.set_row(row, 20)
    merge(ws, row, 0, row, last, "敬礼!", f(font_size=11))
    row += 1
    ws.set_row(row, 22)
    merge(ws, row, 5, row, last, company.name, f(font_size=11, align="right"))
    row += 1
    ws.set_row(row, 20)
    merge(ws, row, 5, row, last, doc.issue_date.strftime("%Y年%m月%d日"), f(font_size=11, align="right"))
    row += 2
    row = _signoff_boxes(ws, f, row, ((0, 2, "跟单"), (3, 5, "审核"), (6, last, "客户确认(签字盖章)")), 44)
    _paper(ws, f"交期变更通知 {doc.number}")
    ws.repeat_rows(header)
    ws.print_area(0, 0, row, last)
    ws.fit_to_pages(1, 0)
    return ws


def write_delay_notices(path: Path, docs: Sequence[DelayNotice]) -> Path:
    """The 交期变更通知 workbook: one sheet (letter) per customer."""
    return _write_forms(path, "交期变更通知", [
        (doc.number, partial(add_delay_notice_sheet, doc=doc)) for doc in docs
    ])


# --------------------------------------------------------------------- 插单说明

RB_WIDTHS = (13, 10, 10, 12, 12, 13, 9, 9, 9)
MATERIAL_LOST_NOTE = (
    "缺料:插单会占用这些订单行的物料,库存和在途采购都不够,又没有采购周期,到料日期未知;"
    "加班解决不了,请与采购确认到料日期后再定。"
)
RB_TITLES = ("订单行", "客户", "产品", "承诺交期", "原预计完工", "插单后完工", "推迟天数", "变为延误", "需追回")


def _d(value: date | None) -> str:
    return value.isoformat() if value else "无法排产"


def _hours(value: float) -> str:
    return f"{value:,.1f}"


def overtime_text(brief: RushBrief) -> list[str]:
    """The overtime advice in sentences (also shown by the CLI and the ribbon)."""
    ot = brief.overtime
    short = [p.label for p in brief.pushed if p.material_lost]
    tail = ["缺料的订单行加班解决不了,需确认到料:" + "、".join(short) + "。"] if short else []
    if ot is None or not ot.needed:
        others = "其余" if short else ""
        return [f"无需加班:{others}被推迟的订单行都不晚于原预计完工与承诺交期中较晚的一天。", *tail]
    if ot.line is None:
        return ["插单的产线不明,无法计算加班。仍会延误:" + "、".join(ot.still_late)]
    if not ot.days:
        return [f"{ot.line} 在需追回的日期之前没有工作日,加班无法避免延误:" + "、".join(ot.still_late)]
    span = f"{ot.days[0].isoformat()} 至 {ot.days[-1].isoformat()}"
    if ot.hours_per_day is None:
        return [
            f"{ot.line} 在 {span} 的 {len(ot.days)} 个工作日每天加班 {_hours(ot.cap)} 小时(每日加班上限)"
            "仍无法避免延误:" + "、".join(ot.still_late) + "。需外协、调线或与客户协商交期。",
        ]
    lines = [
        f"建议加班:{ot.line} 在 {span} 的 {len(ot.days)} 个工作日每天加班 {_hours(ot.hours_per_day)} 小时,"
        f"共 {_hours(ot.total_hours or 0.0)} 小时,{'其余' if short else ''}被推迟的订单行都不再晚于原预计完工或承诺交期。",
    ]
    if ot.rush_finish is not None:
        lines.append(f"加班后插单预计完工 {ot.rush_finish.isoformat()}。")
    return lines + tail


RULE_TEXT = (
    "计算方法:需追回 = 插单后完工晚于「原预计完工与承诺交期中较晚的一天」;在插单产线从排产首日到最早需追回日期"
    "的每个工作日加同样的小时数(以 {step} 小时为单位,不超过每日加班上限 {cap} 小时),取使所有订单行都不再需追回的"
    "最小值;工时与产线可用工时同一口径(已计效率)。"
)


def add_rush_brief_sheet(wb: xlsxwriter.Workbook, f: _Fmt, name: str, brief: RushBrief) -> Any:
    ws = wb.add_worksheet(name)
    _set_widths(ws, RB_WIDTHS)
    last = len(RB_WIDTHS) - 1
    ws.set_row(0, 26)
    merge(ws, 0, 0, 0, last, brief.company, f(bold=True, font_size=14, align="center"))
    ws.set_row(1, 32)
    merge(ws, 1, 0, 1, last, "紧 急 插 单 说 明", f(bold=True, font_size=18, align="center"))
    ws.set_row(2, 18)
    merge(ws, 2, 0, 2, last, f"计划日 {brief.as_of.isoformat()}", f(font_size=10, align="right"))
    row = 3
    status = STATUS_LABEL["zh"][OrderStatus(brief.status)] if brief.status else ""
    if brief.finish is None:
        result = f"无法排产({status})"
    elif brief.days_late and brief.days_late > 0:
        result = f"{brief.finish.isoformat()},晚于要求交期 {brief.days_late} 天"
    else:
        result = f"{brief.finish.isoformat()},可按期"
    hours = f"{_hours(brief.rush_hours)} 小时" if brief.rush_hours is not None else "无产能数据"
    head = (
        ("插单产品", f"{brief.item} {brief.item_name}".strip(), "数量", brief.qty),
        ("要求交期", brief.due, "优先级", brief.priority),
        ("产线", brief.line or "-", "所需工时", hours),
        ("预计完工", result, "", ""),
    )
    for l1, v1, l2, v2 in head:
        ws.set_row(row, 22)
        put(ws, row, 0, l1, f.label())
        fmt = f.cell(DATE, align="left") if isinstance(v1, date) else f.cell(bold=l1 == "预计完工")
        if l1 == "预计完工":
            merge(ws, row, 1, row, last, v1, fmt)
        else:
            merge(ws, row, 1, row, 4, v1, fmt)
            merge(ws, row, 5, row, 6, l2, f.label())
            num = qty_format(v2) if isinstance(v2, float) else None
            merge(ws, row, 7, row, last, v2, f.cell(num, align="left"))
        row += 1
    row += 1
    ws.set_row(row, 22)
    merge(ws, row, 0, row, last, f"受影响的订单行({len(brief.pushed)} 行)", f(bold=True, font_size=12))
    row += 1
    ws.set_row(row, 30)
    for c, title in enumerate(RB_TITLES):
        put(ws, row, c, title, f.label())
    row += 1
    for p in brief.pushed:
        ws.set_row(row, 20)
        red: dict[str, Any] = {"font_color": LATE_RED, "bold": True}
        values: list[tuple[object, Any]] = [
            (p.label, f.cell()), (p.customer, f.cell()), (p.item, f.cell()),
            (p.commitment_date, f.cell(DATE, align="center")), (p.before, f.cell(DATE, align="center")),
            (p.after if p.after else ("缺料" if p.material_lost else "无法排产"),
             f.cell(DATE, align="center", **(red if p.slips else {}))),
            (p.delta_days, f.cell("0", align="center")),
            ("是" if p.becomes_late else "", f.cell(align="center", **red)),
            ("是" if p.slips else "", f.cell(align="center", **red)),
        ]
        for c, (value, fmt) in enumerate(values):
            put(ws, row, c, value, fmt)  # type: ignore[arg-type]
        row += 1
    if not brief.pushed:
        ws.set_row(row, 20)
        merge(ws, row, 0, row, last, "没有其他订单行的完工日期改变。", f.cell(align="center"))
        row += 1
    if any(p.material_lost for p in brief.pushed):
        ws.set_row(row, 30)
        merge(ws, row, 0, row, last, MATERIAL_LOST_NOTE, f(font_size=9, text_wrap=True, valign="top"))
        row += 1
    row += 1
    ws.set_row(row, 22)
    merge(ws, row, 0, row, last, "加班建议", f(bold=True, font_size=12))
    row += 1
    for text in overtime_text(brief):
        ws.set_row(row, 36)
        merge(ws, row, 0, row, last, text, f(font_size=11, text_wrap=True, border=1, bold=True))
        row += 1
    ot = brief.overtime
    if ot is not None and ot.days and ot.hours_per_day is not None:
        ws.set_row(row, 20)
        for c, title in enumerate(("日期", "产线", "正常工时", "加班工时", "合计工时")):
            put(ws, row, c, title, f.label())
        row += 1
        for d, normal in zip(ot.days, ot.normal_hours, strict=True):
            ws.set_row(row, 18)
            put(ws, row, 0, d, f.cell(DATE, align="center"))
            put(ws, row, 1, ot.line, f.cell(align="center"))
            put(ws, row, 2, normal, f.cell("0.0"))
            put(ws, row, 3, ot.hours_per_day, f.cell("0.0", bold=True))
            put(ws, row, 4, normal + ot.hours_per_day, f.cell("0.0"))
            row += 1
    ws.set_row(row, 44)
    merge(ws, row, 0, row, last, RULE_TEXT.format(step=STEP_HOURS, cap=_hours(ot.cap if ot else 0.0)),
          f(font_size=8, text_wrap=True, valign="top"))
    row += 2
    row = _signoff_boxes(ws, f, row, ((0, 1, "跟单"), (2, 3, "计划"), (4, 5, "生产"), (6, last, "业务")), 36)
    _paper(ws, f"插单说明 {brief.item} × {brief.qty:,.0f}")
    ws.print_area(0, 0, row, last)
    ws.fit_to_pages(1, 1)
    return ws


def write_rush_brief(path: Path, brief: RushBrief) -> Path:
    """The 插单说明 workbook: one A4 portrait page."""
    with replacing(path) as tmp:
        wb = _start(tmp, "插单说明")
        add_rush_brief_sheet(wb, _Fmt(wb), "插单说明", brief)
        wb.close()
    return path
