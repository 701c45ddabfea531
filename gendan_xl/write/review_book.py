"""The printable 订单评审表 (order review sheet) of ``gendan review --sheet``.

A4 landscape, laid out like the other forms (``write.docs_book``): company and
title, the review's date, window and 送货提前期, then one row per reviewed order
line (要求交期, 最早完工, 可承诺交期, 物料齐套, 结论, 说明, and the committed lines it
would push with their old and new finish), the verdict counts and the sign-offs
跟单 / 计划 / 生产 / 业务. One sheet is one printed page (fit to one page) of at most
``PAGE_LINES`` order lines: a bigger batch continues on further sheets, each with
its own sign-offs, numbered 第 n 页 共 N 页 in the footer.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlsxwriter

from gendan_xl.plan.review import NEGOTIATE, OK, UNSCHEDULABLE, ReviewLine, ReviewResult
from gendan_xl.write.book import FONT, fixed_properties, new_workbook, text_width
from gendan_xl.write.docs_book import (
    DATE,
    LATE_RED,
    _Fmt,
    _page_setup,
    _set_widths,
    _signoff_boxes,
    merge,
    put,
    qty_format,
)

TITLE = "订 单 评 审 表"
PAGE_LINES = 8
PUSHES_SHOWN = 6  # pushed lines listed per order line on paper
# 序号, 订单行, 客户, 客户PO, 产品编码, 品名, 数量, 优先级, 要求交期, 最早完工, 可承诺交期,
# 回复客户交期 (what --write-back puts into 回复交期), 物料齐套, 结论, 说明, 推迟的已承诺订单行
COLS: tuple[tuple[str, float], ...] = (
    ("序号", 4.5), ("订单行", 13), ("客户", 9), ("客户PO", 12), ("产品编码", 9), ("品名", 10), ("数量", 8),
    ("优先级", 6), ("要求交期", 11.5), ("最早完工", 11.5), ("可承诺交期", 12), ("回复客户交期", 12), ("物料齐套", 11.5),
    ("结论", 7.5), ("说明", 24), ("推迟的已承诺订单行\n(原预计→评审后)", 34),
)
VERDICT_COLOUR = {OK: "#006100", NEGOTIATE: "#9C5700", UNSCHEDULABLE: LATE_RED}
SIGNOFFS = ("跟单", "计划", "生产", "业务")


def _md(value: Any) -> str:
    return value.strftime("%m-%d") if value else "-"


def pushes_text(line: ReviewLine, limit: int | None = None) -> str:
    """``C2-1 11-19→11-25(+6天,将延误)`` one per line of the cell (longest delay first);
    past ``limit`` lines, ``…另 N 行`` (the JSON and the 订单评审 sheet list them all)."""
    out = []
    shown = line.pushes if limit is None or len(line.pushes) <= limit else line.pushes[: limit - 1]
    for p in shown:
        days = f"+{p.days}天" if p.days is not None else "排不下"
        late = ",将延误" if p.becomes_late else ""
        out.append(f"{p.key} {_md(p.old_finish)}→{_md(p.new_finish)}({days}{late})")
    if len(shown) < len(line.pushes):
        rest = line.pushes[len(shown):]
        late_rest = sum(p.becomes_late for p in rest)
        out.append(f"…另 {len(rest)} 行" + (f"(其中 {late_rest} 行将延误)" if late_rest else ""))
    return "\n".join(out)


def _material(line: ReviewLine) -> Any:
    return line.material_ready or line.material_note or "-"


def _row_height(cells: Sequence[str], widths: Sequence[float]) -> float:
    lines = 1
    for text, width in zip(cells, widths, strict=True):
        if not text:
            continue
        n = sum(max(1, -(-int(text_width(part)) // max(1, int(width - 1)))) for part in text.split("\n"))
        lines = max(lines, n)
    return max(24.0, 14.0 * lines + 6)


def add_review_sheet(
    wb: xlsxwriter.Workbook, f: _Fmt, name: str, result: ReviewResult, lines: Sequence[ReviewLine],
    first: int, company: str, page: tuple[int, int] = (1, 1),
) -> Any:
    ws = wb.add_worksheet(name)
    widths = [w for _t, w in COLS]
    _set_widths(ws, widths)
    last = len(COLS) - 1
    ws.set_row(0, 26)
    merge(ws, 0, 0, 0, last, company, f(bold=True, font_size=15, align="center"))
    ws.set_row(1, 32)
    merge(ws, 1, 0, 1, last, TITLE, f(bold=True, font_size=20, align="center"))
    ws.set_row(2, 20)
    merge(ws, 2, 0, 2, 6, f"评审日期:{result.as_of:%Y-%m-%d}    下单日期 {result.since:%Y-%m-%d} 至 "
          f"{result.as_of:%Y-%m-%d}", f())
    merge(ws, 2, 7, 2, last, f"可承诺交期 = 最早完工 + 送货提前期 {result.lead_days} 个工作日;回复客户交期:"
          "可按期的为要求交期,需协商的为可承诺交期", f(align="right"))
    row = 3
    ws.set_row(row, 32)
    for c, (title, _w) in enumerate(COLS):
        put(ws, row, c, title, f.label())
    row += 1
    for i, line in enumerate(lines, start=first):
        text_cells = ["", line.key, line.customer, line.customer_po, line.item, line.item_name, "", "", "", "", "",
                      "", "", "", line.reason_zh, pushes_text(line, PUSHES_SHOWN)]
        ws.set_row(row, _row_height(text_cells, widths))
        colour = VERDICT_COLOUR[line.verdict]
        values: list[tuple[Any, Any]] = [
            (i, f.cell(align="center")),
            (line.key, f.cell(text_wrap=True, bold=True)),
            (line.customer, f.cell(text_wrap=True)),
            (line.customer_po, f.cell(text_wrap=True)),
            (line.item, f.cell(text_wrap=True)),
            (line.item_name, f.cell(text_wrap=True)),
            (line.qty, f.cell(qty_format(line.qty))),
            (line.priority, f.cell(align="center", bold=line.priority in ("急", "特急"))),
            (line.due_date, f.cell(DATE, align="center")),
            (line.earliest_finish or "-", f.cell(DATE, align="center")),
            (line.promise_date or "-", f.cell(DATE, align="center")),
            (line.reply_date or "-", f.cell(DATE, align="center", bold=True)),
            (_material(line), f.cell(DATE, align="center", text_wrap=True)),
            (line.verdict, f.cell(align="center", bold=True, font_color=colour)),
            (line.reason_zh, f.cell(text_wrap=True, font_size=9)),
            (pushes_text(line, PUSHES_SHOWN), f.cell(text_wrap=True, font_size=9)),
        ]
        for c, (value, fmt) in enumerate(values):
            put(ws, row, c, value, fmt)
        row += 1
    counts = result.counts()
    ws.set_row(row, 22)
    merge(ws, row, 0, row, last,
          f"本批 {len(result.lines)} 行:可按期 {counts[OK]} 行,需协商 {counts[NEGOTIATE]} 行,"
          f"无法排产 {counts[UNSCHEDULABLE]} 行。需协商的行请业务按「可承诺交期」与客户确认;"
          "无法排产的行请先补齐产品、产线或标准产能。", f(text_wrap=True, font_size=9))
    row += 1
    ws.set_row(row, 10)
    row += 1
    spans = ((0, 3), (4, 7), (8, 13), (14, last))
    boxes = [(c1, c2, title) for (c1, c2), title in zip(spans, SIGNOFFS, strict=True)]
    row = _signoff_boxes(ws, f, row, boxes, 44)
    _page_setup(ws, "A4", landscape=True)
    ws.set_footer(f"&L&\"{FONT},Regular\"&8订单评审表 {result.as_of:%Y-%m-%d}&R&\"{FONT},Regular\"&8第 {page[0]} 页 共 {page[1]} 页")
    ws.print_area(0, 0, row, last)
    ws.fit_to_pages(1, 1)
    return ws


def write_review(path: Path, result: ReviewResult, company: str) -> Path:
    """The 订单评审表 workbook at ``path`` (written as given; the caller picks a
    path that is no input and replaces no file gendan did not write)."""
    wb = new_workbook(str(path))
    fixed_properties(wb, "订单评审表")
    f = _Fmt(wb)
    lines = result.lines
    pages = [lines[i : i + PAGE_LINES] for i in range(0, len(lines), PAGE_LINES)] or [[]]
    for n, chunk in enumerate(pages, start=1):
        name = "订单评审表" if len(pages) == 1 else f"订单评审表{n}"
        add_review_sheet(wb, f, name, result, chunk, (n - 1) * PAGE_LINES + 1, company, (n, len(pages)))
    wb.close()
    return path


__all__ = ["PAGE_LINES", "pushes_text", "write_review"]
