"""The 客诉处理单 workbook: one A4 portrait form per complaint, laid out like the other
forms (company, title and number, a two-column table of facts), then the problem and
the action taken as registered, empty boxes for the responsible department's 原因分析
and 纠正预防措施 and for 效果确认, and sign-offs 跟单/品质/责任部门/主管."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

import xlsxwriter

from gendan_xl.documents.complaint_forms import ComplaintForm
from gendan_xl.schema import COMPLAINT_CLOSED
from gendan_xl.write.docs_book import (
    DATE,
    LATE_RED,
    _Fmt,
    _signoff_boxes,
    _write_forms,
    form_end,
    form_top,
    merge,
    qty_unit,
)

KS_WIDTHS = (13, 21, 13, 21, 13, 17)


def _state(doc: ComplaintForm, limit: int | None) -> tuple[str, bool]:
    """The state as printed, and whether it is past the reminder (red)."""
    if doc.status == COMPLAINT_CLOSED:
        days = f"(用时 {doc.days_open} 天)" if doc.days_open is not None else ""
        return f"{doc.status}{days}", False
    if doc.days_open is None:
        return doc.status, False
    return f"{doc.status}(已 {doc.days_open} 天)", limit is not None and doc.days_open > limit


def add_complaint_sheet(wb: xlsxwriter.Workbook, f: _Fmt, name: str, doc: ComplaintForm, limit: int | None) -> Any:
    ws = wb.add_worksheet(name)
    last = form_top(ws, f, KS_WIDTHS, doc.company.name, "客 诉 处 理 单", f"打印日期:{doc.print_date.isoformat()}",
                    f"客诉编号:{doc.number}", split=2)
    customer = doc.customer + (f"({doc.customer_full})" if doc.customer_full and doc.customer_full != doc.customer
                               else "")
    order = doc.order_no + (f"(PO {doc.customer_po})" if doc.customer_po else "")
    state, overdue = _state(doc, limit)
    facts: list[tuple[str, object, str, object]] = [
        ("客户", customer, "联系人/电话", doc.contact),
        ("订单号", order, "客诉日期", doc.complaint_date or ""),
        ("产品编码", doc.item, "品名规格", " ".join(x for x in (doc.item_name, doc.spec) if x)),
        ("数量", qty_unit(doc.qty, doc.unit), "责任部门", doc.dept),
        ("状态", state, "结案日期", doc.closed_date or ""),
    ]
    row = 4
    for k1, v1, k2, v2 in facts:
        ws.set_row(row, 26)
        merge(ws, row, 0, row, 0, k1, f.label())
        red = k1 == "状态" and overdue
        merge(ws, row, 1, row, 2, v1, f.cell(text_wrap=True, bold=red,  # type: ignore[arg-type]
                                             font_color=LATE_RED if red else "#000000"))
        merge(ws, row, 3, row, 3, k2, f.label())
        fmt2 = f.cell(DATE, align="center") if hasattr(v2, "isoformat") else f.cell(text_wrap=True)
        merge(ws, row, 4, row, last, v2, fmt2)  # type: ignore[arg-type]
        row += 1
    box = f(font_size=11, text_wrap=True, valign="top", border=1)
    for title, text, height in (
        ("问题描述", doc.problem, 56),
        ("处理措施", doc.action, 44),
        ("原因分析(责任部门填写)", "", 84),
        ("纠正预防措施(责任部门填写)", "", 84),
        ("效果确认(品质部填写)", "", 48),
    ):
        ws.set_row(row, 22)
        merge(ws, row, 0, row, last, title, f.label())
        ws.set_row(row + 1, height)
        merge(ws, row + 1, 0, row + 1, last, ("    " + text) if text else None, box)
        row += 2
    row += 1
    row = _signoff_boxes(ws, f, row, ((0, 0, "跟单"), (1, 2, "品质"), (3, 3, "责任部门"), (4, last, "主管")), 40)
    return form_end(ws, "客诉处理单", doc.number, row, last)


def write_complaint_forms(path: Path, docs: Sequence[ComplaintForm], limit: int | None = None) -> Path:
    """The 客诉处理单 workbook: one sheet (form) per complaint; ``limit``: 客诉结案提醒天数
    (an open complaint older than that prints its state in red)."""
    return _write_forms(
        path, "客诉处理单", [(doc.number, partial(add_complaint_sheet, doc=doc, limit=limit)) for doc in docs]
    )


__all__ = ["add_complaint_sheet", "write_complaint_forms"]
