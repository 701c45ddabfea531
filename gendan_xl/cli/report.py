"""``gendan report``: read, check and plan the ledger, then write the report
workbook 跟单报告_YYYYMMDD.xlsx (DESIGN §6).

Also the report's step of ``gendan demo`` and its producer for ``gendan batch``.
Exit codes as for ``gendan check``: 0 written and the ledger is clean, 1 written
but the ledger has data errors (listed on the 检查结果 sheet), 2 the ledger cannot
be used, 3 the report file is open in Excel (it cannot be replaced).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from gendan_xl import cli
from gendan_xl.cli import EXIT_ERRORS, EXIT_OK, date_arg, out, write_output_file
from gendan_xl.engine import report_data
from gendan_xl.files import ledger_parts, refuse_inputs
from gendan_xl.model import Lang

if TYPE_CHECKING:
    from gendan_xl.write.report_data import ReportData


def write_report_file(path: Path, data: ReportData, lang: Lang, ledger_root: Path | None = None) -> Path:
    """Write through a temporary file beside ``path`` and rename it into place,
    so a half-written report never carries the final name. An existing file is
    replaced only when gendan wrote it and nobody changed it since; otherwise the
    report gets a new name (``…(2).xlsx``), which is returned."""
    from gendan_xl.write.report import write_report

    return write_output_file(path, lambda tmp: write_report(tmp, data, lang, ledger_root=ledger_root))


def output_path(out: str | None, as_of: date) -> Path:
    """``--out`` as given (a folder gets the default name), else the default
    name in the current folder."""
    from gendan_xl.write.report import report_name

    if not out:
        return Path.cwd() / report_name(as_of)
    path = Path(out)
    if path.is_dir() or out.endswith(("/", "\\")):
        return path / report_name(as_of)
    return path


def cmd_report(args: argparse.Namespace) -> int:
    from gendan_xl.engine import check

    lang: Lang = args.lang
    if args.out:  # before reading: one typo must not cost a long read
        refuse_inputs(output_path(args.out, args.as_of or date.today()), ledger_parts(Path(args.ledger)))
    checked = check(Path(args.ledger), args.as_of)
    data = report_data(checked.ledger, checked, checked.as_of)
    target = output_path(args.out, checked.as_of)
    refuse_inputs(target, ledger_parts(Path(args.ledger)))
    path = write_report_file(target, data, lang, ledger_root=Path.cwd())
    f = data.figures
    if lang == "zh":
        out(f"已写出跟单报告:{path}")
        out(
            f"未完成订单行 {f.open_lines}:已逾期 {f.by_status.get('overdue', 0)},"
            f"将延误 {f.by_status.get('late', 0)},有风险 {f.by_status.get('at_risk', 0)};"
            f"检查错误 {f.errors} 个,警告 {f.warnings} 个"
        )
    else:
        out(f"Report written: {path}")
        out(
            f"{f.open_lines} open order lines: {f.by_status.get('overdue', 0)} overdue, "
            f"{f.by_status.get('late', 0)} late, {f.by_status.get('at_risk', 0)} at risk; "
            f"{f.errors} check errors, {f.warnings} warnings"
        )
    return EXIT_ERRORS if checked.has_errors else EXIT_OK


def register(
    sub: argparse._SubParsersAction,  # type: ignore[type-arg]
    common: Callable[[argparse.ArgumentParser], None],
) -> None:
    p = sub.add_parser(
        "report",
        help="生成跟单报告工作簿 / write the follow-up report workbook",
        description=(
            "读取、检查并排产,写出跟单报告(概览、交期预警、工单进度、产能负荷、出货计划、回单跟踪、"
            "准时交货率、检查结果)。例 / example: gendan report 台账.xlsx --as-of 2026-11-26"
        ),
    )
    p.add_argument("ledger", help="台账工作簿,或含 gendan.toml 的文件夹 / ledger workbook or folder with gendan.toml")
    p.add_argument("--as-of", type=date_arg, default=None, help="计划日期 / as-of date (default today)")
    p.add_argument(
        "--out", metavar="FILE.xlsx",
        help="输出文件或文件夹(默认当前文件夹的 跟单报告_YYYYMMDD.xlsx)/ output file or folder",
    )
    common(p)
    p.set_defaults(func=cmd_report)


cli.EXTRA_COMMANDS.append(register)


# --- demo and batch ----------------------------------------------------------------
