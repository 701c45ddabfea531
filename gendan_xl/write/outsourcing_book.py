"""The 外协申请单 workbook: one A4 portrait form per proposal, laid out like the
other forms (company, title and number, a two-column table of facts, the reason
with the shortfall hours, sign-offs 跟单/计划/生产/外协跟单员)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

import xlsxwriter

from gendan_xl.documents.outsourcing import OutsourcingRequest
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

WX_WIDTHS = (14, 20, 14, 20, 14, 18)


def add_outsourcing_sheet(wb: xlsxwriter.Workbook, f: _Fmt, name: str, doc: OutsourcingRequest) -> Any:
    ws = wb.add_worksheet(name)
    last = form_top(ws, f, WX_WIDTHS, doc.company.name, "外 协 申 请 单", f"申请日期:{doc.issue_date.isoformat()}",
                    f"编号:{doc.number}", split=2)
    cartons = ""
    if doc.carton:
        cartons = f"({doc.qty / doc.carton:,.0f} 箱 × {doc.carton:,.0f})"
    facts: list[tuple[str, object, str, object]] = [
        ("订单行", doc.label, "客户", doc.customer),
        ("产品编码", doc.item, "品名规格", " ".join(x for x in (doc.item_name, doc.spec) if x)),
        ("订单数量", qty_unit(doc.order_qty, doc.unit), "产线", doc.line),
        ("外协数量", qty_unit(doc.qty, doc.unit) + cartons, "折合工时", f"{doc.hours:g} 小时"),
        ("需回厂日期", doc.needed_by, "建议外协厂", doc.supplier or "(待外协跟单员选定)"),
        ("原预计完工", doc.forecast_finish or "-", "外协后厂内完工", doc.in_house_finish or "全部外协"),
    ]
    row = 4
    for k1, v1, k2, v2 in facts:
        ws.set_row(row, 26)
        merge(ws, row, 0, row, 0, k1, f.label())
        strong = k1 in ("外协数量", "需回厂日期")
        fmt1 = f.cell(DATE, align="center", bold=True, font_color=LATE_RED) if hasattr(v1, "isoformat") else (
            f.cell(bold=strong, text_wrap=True))
        merge(ws, row, 1, row, 2, v1, fmt1)  # type: ignore[arg-type]
        merge(ws, row, 3, row, 3, k2, f.label())
        fmt2 = f.cell(DATE, align="center") if hasattr(v2, "isoformat") else f.cell(text_wrap=True)
        merge(ws, row, 4, row, last, v2, fmt2)  # type: ignore[arg-type]
        row += 1
    ws.set_row(row, 26)
    merge(ws, row, 0, row, last, "申请原因", f.label())
    row += 1
    ws.set_row(row, 66)
    merge(ws, row, 0, row, last, "    " + doc.reason, f(font_size=11, text_wrap=True, valign="top", border=1))
    row += 1
    ws.set_row(row, 26)
    merge(ws, row, 0, row, last, "外协要求:按本公司图纸、样品及品质标准加工;分批回厂须事先通知;回厂时附送货单及检验记录。",
          f(font_size=10, text_wrap=True))
    row += 2
    row = _signoff_boxes(ws, f, row, ((0, 0, "跟单"), (1, 2, "计划"), (3, 3, "生产"), (4, last, "外协跟单员")), 44)
    return form_end(ws, "外协申请单", doc.number, row, last)


def write_outsourcing(path: Path, docs: Sequence[OutsourcingRequest]) -> Path:
    """The 外协申请单 workbook: one sheet (form) per proposal."""
    return _write_forms(path, "外协申请单", [(doc.number, partial(add_outsourcing_sheet, doc=doc)) for doc in docs])
