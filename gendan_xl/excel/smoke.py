"""The Excel side of ``gendan addin smoketest``: the only code of it touching xlwings.

- ``XlwingsExcel``: a thin adapter over one invisible Excel instance (start, open,
  Application.Run, formulas, values, quit). ``gendan_xl.addin.smoketest`` drives it
  and is tested against a double of it; this class itself runs only in real Excel.
- ``run_handler(tag)``: what the add-in's ``GendanSmokeButton`` runs through
  RunPython, in the Python process Excel starts. It runs the ribbon handler on the
  calling book like a button would, but records the handler's message boxes (an
  invisible Excel cannot show them, and a modal box would stall the test) and its
  outcome in ``gendan_smoketest_<tag>.json`` beside the workbook.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
from datetime import date
from pathlib import Path
from typing import Any

import xlwings as xw

from gendan_xl.excel.live import LiveWorkbook

HANDLER_RESULT = "gendan_smoketest_{tag}.json"


class XlwingsExcel:
    """One invisible Excel, reached through xlwings. Books are named by their file name."""

    def __init__(self, timeout: float = 300.0) -> None:
        self.timeout = timeout
        self.timed_out = False
        self._app: Any = None
        self._books: dict[str, Any] = {}
        self._watchdog: threading.Timer | None = None

    def start(self) -> str:
        """Start Excel (invisible, no alerts); return its version."""
        self._app = xw.App(visible=False, add_book=False)
        self._app.display_alerts = False
        self._app.screen_updating = False
        # A modal dialog (a VBA MsgBox, a "Python not found") would block every
        # later call: after ``timeout`` seconds the Excel we started is ended.
        self._watchdog = threading.Timer(self.timeout, self._kill)
        self._watchdog.daemon = True
        self._watchdog.start()
        return str(self._app.version)

    def _kill(self) -> None:
        self.timed_out = True
        with contextlib.suppress(Exception):
            os.kill(int(self._app.pid), signal.SIGTERM)

    def open(self, path: Path) -> str:
        book = self._app.books.open(str(path))
        self._books[book.name] = book
        return str(book.name)

    def run(self, book: str, macro: str, *args: object) -> object:
        """``Application.Run "'book'!macro", args``."""
        return self._books[book].macro(macro)(*args)

    def activate(self, book: str) -> None:
        self._books[book].activate()

    def add_sheet(self, book: str, name: str) -> None:
        sheets = self._books[book].sheets
        sheets.add(name, after=sheets[len(sheets) - 1])

    def set_formula(self, book: str, sheet: str, address: str, formula: str) -> None:
        cell = self._books[book].sheets[sheet].range(address)
        try:
            cell.formula2 = formula  # what a clerk typing into Excel 365 gets
        except Exception:  # Excel 2016/2019: no dynamic arrays
            cell.formula = formula

    def calculate(self) -> None:
        self._app.calculate()

    def value(self, book: str, sheet: str | int, address: str) -> object:
        """A cell's value; an error cell comes back as its text ("#N/A")."""
        cell = self._books[book].sheets[sheet].range(address)
        return cell.options(err_to_str=True).value

    def quit(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
        if self._app is None:
            return
        for book in reversed(list(self._books.values())):
            with contextlib.suppress(Exception):
                book.close()  # unsaved changes are dropped (display_alerts is off)
        try:
            self._app.quit()
        except Exception:
            with contextlib.suppress(Exception):
                self._app.kill()


class _RecordingWorkbook(LiveWorkbook):
    """A LiveWorkbook whose message boxes are written down instead of shown."""

    def __init__(self, book: Any) -> None:
        super().__init__(book)
        self.alerts: list[str] = []

    def alert(self, message: str, title: str = "跟单助手") -> None:
        self.alerts.append(message)


def handler_outcome(live: LiveWorkbook, tag: str, as_of: date) -> dict[str, object]:
    """Run the handler for ``tag`` as the button would; its outcome as data."""
    from gendan_xl.excel.buttons import HANDLERS

    handler = HANDLERS.get(tag)
    alerts = live.alerts if isinstance(live, _RecordingWorkbook) else []
    if handler is None:
        return {"tag": tag, "ok": False, "error": f"unknown tag {tag!r}", "alerts": alerts}
    try:
        handler(live, as_of)
    except Exception as exc:  # recorded for the report, never raised into Excel
        return {"tag": tag, "ok": False, "error": f"{type(exc).__name__}: {exc}", "alerts": alerts}
    return {"tag": tag, "ok": True, "error": "", "alerts": alerts}


def run_handler(tag: str) -> None:
    """Entry point of ``GendanSmokeButton``: runs in the Python that Excel starts."""
    from gendan_xl.demo import DEFAULT_AS_OF

    book = xw.Book.caller()
    live = _RecordingWorkbook(book)
    outcome = handler_outcome(live, tag, DEFAULT_AS_OF)
    outcome["book"] = str(book.name)
    target = Path(str(book.fullname)).parent / HANDLER_RESULT.format(tag=tag)
    target.write_text(json.dumps(outcome, ensure_ascii=False, indent=1), encoding="utf-8")
