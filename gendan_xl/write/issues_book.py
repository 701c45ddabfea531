"""The 检查结果 sheet: one row per issue, each linking to its cell in the ledger.

``add_issue_sheet`` adds the sheet to any xlsxwriter workbook (the report uses
it too); ``write_issue_report`` writes a workbook holding just that sheet.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import xlsxwriter

from gendan_xl.model import Issue, Lang, Severity, issue_rows
from gendan_xl.write.book import FONT, Formats, fixed_properties, safe_text, set_widths

LINK_TITLE = {"zh": "链接", "en": "Link"}
SHEET_NAME = {"zh": "检查结果", "en": "Issues"}


def ledger_link(issue: Issue, link_base: Path | None) -> str | None:
    """An external link that opens the ledger file at the issue's cell."""
    if link_base is None or not issue.ref.file:
        return None
    target = Path(issue.ref.file)
    try:
        shown = os.path.relpath(target.resolve(), link_base.resolve())
    except ValueError:  # another drive on Windows
        shown = str(target.resolve())
    cell = issue.ref.cell or "A1"
    sheet = issue.ref.sheet.replace("'", "''")
    return f"external:{shown}#'{sheet}'!{cell}"


def add_issue_sheet(
    wb: xlsxwriter.Workbook,
    fmt: Formats,
    issues: list[Issue],
    lang: Lang = "zh",
    link_base: Path | None = None,
    ledger_root: Path | None = None,
) -> Any:
    """Add the 检查结果 sheet. ``link_base``: folder the workbook is written to
    (links are relative to it); ``ledger_root``: folder the issue file names are
    relative to."""
    ws = wb.add_worksheet(SHEET_NAME[lang])
    rows = issue_rows(issues, lang)
    titles = [*rows[0], LINK_TITLE[lang]]
    ws.write_row(0, 0, titles, fmt.header)
    sev_fmt = {Severity.ERROR: fmt.bad, Severity.WARNING: fmt.warn, Severity.INFO: fmt.text}
    for r, (issue, row) in enumerate(zip(issues, rows[1:], strict=True), start=1):
        for c, value in enumerate(row):
            style = sev_fmt[issue.severity] if c == 0 else fmt.wrap if c in (1, 6) else fmt.text
            ws.write_string(r, c, safe_text(value), style)
        file_ref = issue.model_copy(
            update={"ref": issue.ref.model_copy(update={"file": str((ledger_root or Path()) / issue.ref.file)})}
        )
        link = ledger_link(file_ref, link_base)
        if link and len(link) < 2000:
            ws.write_url(r, len(row), link, fmt.link, string="打开" if lang == "zh" else "open")
    set_widths(ws, [6, 22, 12, 8, 12, 18, 60, 22, 8])
    ws.freeze_panes(1, 0)
    if issues:
        ws.autofilter(0, 0, len(issues), len(titles) - 1)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    return ws


def write_issue_report(
    path: Path, issues: list[Issue], lang: Lang = "zh", ledger_root: Path | None = None
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    fixed_properties(wb)
    fmt = Formats(wb)
    add_issue_sheet(wb, fmt, issues, lang, link_base=path.parent, ledger_root=ledger_root)
    wb.close()
    return path


__all__ = ["FONT", "add_issue_sheet", "write_issue_report"]
