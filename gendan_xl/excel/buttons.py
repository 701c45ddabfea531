"""Ribbon handlers: one per button tag of macros/customUI14.xml.

The VBA callback runs ``b.run('<tag>')``; each handler is a few lines over the
engine, acting on the clerk's active workbook through ``LiveWorkbook``. Errors
reach the clerk as one message box, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from gendan_xl import __version__
from gendan_xl.engine import CheckResult, check_ledger, issue_rows
from gendan_xl.excel.live import LiveWorkbook
from gendan_xl.ledger import Ledger
from gendan_xl.model import LedgerError, Severity
from gendan_xl.read import read_grids
from gendan_xl.schema import SETTING_KEYS

Handler = Callable[[LiveWorkbook, date], None]

ISSUE_SHEET = "检查结果"
RESULT_SHEETS = (ISSUE_SHEET, "交期预警", "产能负荷", "插单模拟", "分配结果")
MARK_COLOURS = {
    Severity.ERROR: (255, 199, 206),
    Severity.WARNING: (255, 235, 156),
    Severity.INFO: (221, 235, 247),
}


def read_live(live: LiveWorkbook, as_of: date) -> Ledger:
    """The open workbook as a ledger (result sheets written by us are skipped)."""
    return read_grids(live.name, live.grids(skip=RESULT_SHEETS), as_of)


def on_check(live: LiveWorkbook, as_of: date) -> CheckResult:
    """检查数据: refresh the 检查结果 sheet and highlight every bad cell in place."""
    result = check_ledger(read_live(live, as_of), as_of)
    for sheet, address in live.read_marks():
        live.unmark(sheet, address)
    marks: list[tuple[str, str]] = []
    for issue in result.issues:
        cell = issue.ref.cell
        if issue.ref.file == live.name and issue.ref.column and cell and live.has_sheet(issue.ref.sheet):
            live.mark(issue.ref.sheet, cell, MARK_COLOURS[issue.severity], issue.message())
            marks.append((issue.ref.sheet, cell))
    live.save_marks(marks)
    live.write_sheet(ISSUE_SHEET, issue_rows(result.issues), widths=(6, 16, 10, 8, 12, 16, 60, 20))
    errors, warnings = result.count(Severity.ERROR), result.count(Severity.WARNING)
    live.alert(f"检查完成:错误 {errors} 个,警告 {warnings} 个。详见「{ISSUE_SHEET}」。")
    return result


def on_settings(live: LiveWorkbook, as_of: date) -> None:
    """设置: open the 设置 sheet, creating it with the defaults on first use."""
    if not live.has_sheet("设置"):
        rows: list[list[object]] = [["项目", "值"]]
        rows += [[label, default] for label, default in SETTING_KEYS.values()]
        live.write_sheet("设置", rows, widths=(18, 36))
    live.activate("设置")


def on_about(live: LiveWorkbook, as_of: date) -> None:
    live.alert(f"跟单助手 gendan_xl {__version__}\n检查台账、交期预警、产能负荷、生成工单/送货单/对账单。")


HANDLERS: dict[str, Handler] = {
    "check": on_check,  # type: ignore[dict-item]
    "settings": on_settings,
    "about": on_about,
}


def dispatch(live: LiveWorkbook, tag: str, as_of: date | None = None) -> None:
    """Run the handler for ``tag``; any failure becomes one message box."""
    handler = HANDLERS.get(tag)
    if handler is None:
        live.alert(f"未知按钮:{tag}")
        return
    try:
        handler(live, as_of or date.today())
    except LedgerError as exc:
        live.alert(exc.message())
    except Exception as exc:  # the clerk sees a sentence, not a traceback
        live.alert(f"出错了:{type(exc).__name__}: {exc}")


def run(tag: str) -> None:
    """Entry point of the ribbon's RunPython call."""
    import xlwings as xw

    dispatch(LiveWorkbook(xw.books.active), tag)
