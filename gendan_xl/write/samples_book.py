"""The 试样通知单 workbook: one A4 portrait form per sample to make, laid out like the
other forms (company, title and number, a table of facts, the sample's requirements,
what each department does, a record to fill in by hand, sign-offs 跟单/工程/生产/品质)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

import xlsxwriter

from gendan_xl.documents.samples import SampleNotice
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

YP_WIDTHS = (13, 11, 11, 11, 13, 11, 11, 11)
DUTIES = (
    "工程部:按客户图纸/样板及下列要求安排打样,确认模具与工艺;"
    "生产部:配合试产并记录工艺参数;"
    "品质部:按客户标准检验并出具检验记录。"
    "样品完成后交跟单,于要求日期前送客户确认;客户确认合格后由品质部封样、登记封样编号,作为批量生产的标准。"
)


def add_sample_notice_sheet(wb: xlsxwriter.Workbook, f: _Fmt, name: str, doc: SampleNotice) -> Any:
    ws = wb.add_worksheet(name)
    last = form_top(ws, f, YP_WIDTHS, doc.company.name, "试 样 通 知 单", f"开单日期:{doc.issue_date.isoformat()}",
                    f"编号:{doc.number}", split=3)
    ws.set_row(3, 20)
    merge(ws, 3, 0, 3, last, "发往:工程部、生产部、品质部", f(font_size=11))
    customer = doc.customer + (f"({doc.customer_full})" if doc.customer_full and doc.customer_full != doc.customer
                               else "")
    facts: list[tuple[str, object, str, object]] = [
        ("样品单号", doc.number, "客户", customer),
        ("产品编码", doc.item, "客户料号", doc.customer_item or "-"),
        ("品名", doc.item_name or "-", "规格", doc.spec or "-"),
        ("样品数量", qty_unit(doc.qty, doc.unit) or "-", "要求送样日期", doc.required_date or "-"),
        ("模具号", doc.mold_no or "-", "品质标准", doc.quality_std or "-"),
    ]
    row = 5
    for k1, v1, k2, v2 in facts:
        ws.set_row(row, 30)
        merge(ws, row, 0, row, 0, k1, f.label())
        merge(ws, row, 1, row, 3, v1, f.cell(text_wrap=True, bold=k1 in ("样品单号", "样品数量")))  # type: ignore[arg-type]
        merge(ws, row, 4, row, 4, k2, f.label())
        if hasattr(v2, "isoformat"):
            late = {"font_color": LATE_RED} if doc.days_overdue else {}
            fmt = f.cell(DATE, align="center", bold=True, **late)
        else:
            fmt = f.cell(text_wrap=True)
        merge(ws, row, 5, row, last, v2, fmt)  # type: ignore[arg-type]
        row += 1
    if doc.days_overdue:
        ws.set_row(row, 22)
        merge(ws, row, 0, row, last, f"要求送样日期已过 {doc.days_overdue} 天,请优先安排打样并尽快送样",
              f(bold=True, font_color=LATE_RED, font_size=11))
        row += 1
    row += 1
    ws.set_row(row, 24)
    merge(ws, row, 0, row, last, "样品要求 / 备注", f.label())
    row += 1
    ws.set_row(row, 72)
    merge(ws, row, 0, row, last, "    " + (doc.remark or "按客户图纸及样板要求打样。"),
          f(font_size=11, text_wrap=True, valign="top", border=1))
    row += 1
    ws.set_row(row, 8)
    row += 1
    ws.set_row(row, 48)
    merge(ws, row, 0, row, last, DUTIES, f(font_size=10, text_wrap=True, valign="top"))
    row += 1
    # A record filled in by hand as the sample goes through the departments.
    ws.set_row(row, 24)
    merge(ws, row, 0, row, last, "打样记录(手填)", f.label())
    row += 1
    for k1, k2 in (("打样完成日期", "检验结果"), ("实际送样日期", "快递/送样单号")):
        ws.set_row(row, 28)
        merge(ws, row, 0, row, 0, k1, f.label())
        merge(ws, row, 1, row, 3, None, f.cell())
        merge(ws, row, 4, row, 4, k2, f.label())
        merge(ws, row, 5, row, last, None, f.cell())
        row += 1
    row += 1
    row = _signoff_boxes(ws, f, row, ((0, 1, "跟单"), (2, 3, "工程"), (4, 5, "生产"), (6, last, "品质")), 44)
    return form_end(ws, "试样通知单", doc.number, row, last)


def write_sample_notices(path: Path, docs: Sequence[SampleNotice]) -> Path:
    """The 试样通知单 workbook: one sheet (form) per sample."""
    return _write_forms(path, "试样通知单", [(doc.number, partial(add_sample_notice_sheet, doc=doc)) for doc in docs])
