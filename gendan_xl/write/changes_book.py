"""The cumulative change log (变更记录.xlsx) and the printable 变更通知单 of a batch
run. The 变更通知单 is laid out like the other forms (``docs_book``): A4 portrait,
bordered grid in the house font, fit to the page width, the number and page in the
footer, sign-offs for 跟单 / 计划 / 生产 / 仓库 / 品质.
"""

from __future__ import annotations

from datetime import date, datetime, time
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter

from gendan_xl.changes import LOG_COLUMNS, LOG_SHEET, ChangeNotice, Effect
from gendan_xl.files import replacing
from gendan_xl.model import OrderStatus
from gendan_xl.write.book import FONT, FONT_SIZE, fixed_properties, new_workbook, safe_text
from gendan_xl.write.docs_book import (
    DATE,
    LATE_RED,
    _Fmt,
    _page_setup,
    _set_widths,
    _signoff_boxes,
    _write_forms,
    merge,
    put,
)

LOG_WIDTHS = (11, 16, 14, 10, 13, 13, 9, 8, 16)


def add_change_log_sheet(wb: xlsxwriter.Workbook, name: str, log: pd.DataFrame, title: str | None = None) -> Any:
    """One sheet of change-log rows (newest first or as given): header, dates as
    dates, filter, frozen header, A4 landscape fit to width."""
    ws = wb.add_worksheet(name)
    base = {"font_name": FONT, "font_size": FONT_SIZE, "valign": "vcenter"}
    head = wb.add_format({**base, "bold": True, "border": 1, "bg_color": "#F2F2F2", "align": "center"})
    text = wb.add_format(base)
    day = wb.add_format({**base, "num_format": "yyyy-mm-dd", "align": "center"})
    top = 0
    if title:
        ws.write_string(0, 0, title, wb.add_format({**base, "bold": True, "font_size": 14}))
        top = 2
    for c, (_key, header) in enumerate(LOG_COLUMNS):
        ws.write_string(top, c, header, head)
        ws.set_column(c, c, LOG_WIDTHS[c])
    for i, row in enumerate(log.reindex(columns=[k for k, _ in LOG_COLUMNS]).itertuples(index=False, name=None)):
        r = top + 1 + i
        for c, value in enumerate(row):
            if isinstance(value, pd.Timestamp | datetime):
                ws.write_datetime(r, c, value.to_pydatetime() if isinstance(value, pd.Timestamp) else value, day)
            elif isinstance(value, date):
                ws.write_datetime(r, c, datetime.combine(value, time()), day)
            elif value is None or (isinstance(value, float) and value != value) or value == "":
                continue
            else:
                ws.write_string(r, c, safe_text(value), text)
    ws.autofilter(top, 0, top + max(len(log), 1), len(LOG_COLUMNS) - 1)
    ws.freeze_panes(top + 1, 0)
    ws.repeat_rows(top)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_footer("&C&P / &N")
    return ws


def write_change_log(path: Path, log: pd.DataFrame) -> Path:
    """变更记录.xlsx: every change of every run (one sheet 变更记录), atomically."""
    with replacing(path) as tmp:
        wb = new_workbook(str(tmp))
        fixed_properties(wb, LOG_SHEET)
        add_change_log_sheet(wb, LOG_SHEET, log)
        wb.close()
    return path


# ------------------------------------------------------------------ 变更通知单

BG_WIDTHS = (5, 14.5, 12, 11.5, 11.5, 11.5, 9, 11)
BG_ROW = 16  # points: one printed line of either table
BG_CHANGE_TITLES = ("序号", "变更", "订单行/工单", "字段", "原值", "新值", "位置")
BG_EFFECT_TITLES = ("序号", "订单行", "原预计完工", "新预计完工", "原状态", "新状态", "说明")
BG_DEPARTMENTS = "计划、生产、仓库、品质"


def _effect_note(e: Effect) -> str:
    if e.new_status is None:
        return "已删除"
    if e.old_status is None:
        return "新增"
    if e.new_status == OrderStatus.CANCELLED.value:
        return "已取消"
    if e.slips and e.old_forecast and e.new_forecast:
        days = (date.fromisoformat(e.new_forecast) - date.fromisoformat(e.old_forecast)).days
        return f"推迟 {days} 天"
    if e.slips:
        return "无法排产"
    if e.old_forecast and e.new_forecast and e.new_forecast < e.old_forecast:
        days = (date.fromisoformat(e.old_forecast) - date.fromisoformat(e.new_forecast)).days
        return f"提前 {days} 天"
    return "状态变化"


def add_change_notice_sheet(wb: xlsxwriter.Workbook, f: _Fmt, name: str, doc: ChangeNotice) -> Any:
    """One 变更通知单: heading, to whom, the changes (each at its cell), the order
    lines planned differently (those that slip first, in red), sign-offs."""
    ws = wb.add_worksheet(name)
    _set_widths(ws, BG_WIDTHS)
    last = len(BG_WIDTHS) - 1
    ws.set_row(0, 24)
    merge(ws, 0, 0, 0, last, doc.company, f(bold=True, font_size=15, align="center"))
    ws.set_row(1, 30)
    merge(ws, 1, 0, 1, last, "变 更 通 知 单", f(bold=True, font_size=20, align="center"))
    ws.set_row(2, 18)
    merge(ws, 2, 0, 2, 4, f"致:{BG_DEPARTMENTS}", f(font_size=11))
    merge(ws, 2, 5, 2, last, f"编号:{doc.number}", f(font_size=11, bold=True, align="right"))
    ws.set_row(3, 18)
    merge(ws, 3, 0, 3, 4, f"台账:{Path(doc.ledger).name}", f(font_size=9))
    merge(ws, 3, 5, 3, last, f"日期:{doc.issue_date.isoformat()}", f(font_size=11, align="right"))
    slipping = doc.slipping
    summary = (
        f"    与上次运行{f'({doc.since})' if doc.since else ''}相比,台账有 {len(doc.changes)} 项变更;按同一计算日期重新排产,"
        f"{len(doc.effects)} 个订单行的预计完工或状态发生变化,其中 {len(slipping)} 行推迟"
        + (f"({'、'.join(e.key for e in slipping[:8])}{' 等' if len(slipping) > 8 else ''})" if slipping else "")
        + "。请各部门按新的安排调整计划、生产、备料和检验。"
    )
    ws.set_row(4, 48)
    merge(ws, 4, 0, 4, last, summary, f(font_size=10, text_wrap=True, valign="top"))
    row = 6
    ws.set_row(row, 20)
    merge(ws, row, 0, row, last, f"一、变更明细({len(doc.changes)} 项)", f(bold=True, font_size=11))
    row += 1
    ws.set_row(row, 20)
    for c, title in enumerate(BG_CHANGE_TITLES[:-1]):
        put(ws, row, c, title, f.label())
    merge(ws, row, 6, row, last, BG_CHANGE_TITLES[-1], f.label())
    row += 1
    for i, ch in enumerate(doc.changes, start=1):
        ws.set_row(row, BG_ROW)
        where = f"{ch.sheet}!{ch.cell}" if ch.cell else ch.sheet
        cells: list[tuple[object, Any]] = [
            (i, f.cell(align="center")),
            (ch.label("zh"), f.cell(font_size=9)),
            (ch.key, f.cell()),
            (ch.field, f.cell(font_size=9)),
            (ch.old or "", f.cell(align="center", font_size=9)),
            (ch.new or "", f.cell(align="center", font_size=9, bold=True)),
        ]
        for c, (value, fmt) in enumerate(cells):
            put(ws, row, c, value, fmt)  # type: ignore[arg-type]
        merge(ws, row, 6, row, last, where, f.cell(align="center", font_size=9))
        row += 1
    row += 1
    ws.set_row(row, 20)
    merge(ws, row, 0, row, last, f"二、对交期的影响({len(doc.effects)} 行,推迟 {len(slipping)} 行)",
          f(bold=True, font_size=11))
    row += 1
    ws.set_row(row, 20)
    for c, title in enumerate(BG_EFFECT_TITLES[:-1]):
        put(ws, row, c, title, f.label())
    merge(ws, row, 6, row, last, BG_EFFECT_TITLES[-1], f.label())
    row += 1
    if not doc.effects:
        ws.set_row(row, BG_ROW)
        merge(ws, row, 0, row, last, "排产结果没有变化", f.cell(align="center"))
        row += 1
    for i, e in enumerate(doc.effects, start=1):
        ws.set_row(row, BG_ROW)
        red: dict[str, Any] = {"font_color": LATE_RED, "bold": True} if e.slips else {}
        cells = [
            (i, f.cell(align="center")),
            (e.key, f.cell(**red)),
            (date.fromisoformat(e.old_forecast) if e.old_forecast else "", f.cell(DATE, align="center")),
            (date.fromisoformat(e.new_forecast) if e.new_forecast else "", f.cell(DATE, align="center", **red)),
            (e.status_text("old"), f.cell(align="center", font_size=9)),
            (e.status_text("new"), f.cell(align="center", font_size=9)),
        ]
        for c, (value, fmt) in enumerate(cells):
            put(ws, row, c, value, fmt)  # type: ignore[arg-type]
        merge(ws, row, 6, row, last, _effect_note(e), f.cell(align="center", font_size=9, **red))
        row += 1
    row += 1
    ws.set_row(row, 16)
    merge(ws, row, 0, row, last, "预计完工按两次台账在同一计算日期分别排产得出;红色为推迟的订单行。",
          f(font_size=9, font_color="#595959"))
    row += 1
    row = _signoff_boxes(ws, f, row, ((0, 1, "跟单"), (2, 3, "计划"), (4, 4, "生产"), (5, 6, "仓库"),
                                      (7, last, "品质")), 34)
    _page_setup(ws, "A4", landscape=False)
    ws.set_margins(left=0.4, right=0.4, top=0.4, bottom=0.7)
    ws.set_footer(f"&L变更通知单 {doc.number.replace('&', '&&')}&C第 &P 页 共 &N 页", {"margin": 0.3})
    ws.print_area(0, 0, row, last)
    ws.fit_to_pages(1, 0)
    return ws


def write_change_notice(path: Path, doc: ChangeNotice) -> Path:
    """The 变更通知单 workbook: one sheet, named by its number."""
    return _write_forms(path, "变更通知单", [(doc.number, partial(add_change_notice_sheet, doc=doc))])
