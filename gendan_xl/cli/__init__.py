"""The ``gendan`` command: parse arguments -> call the engine -> render -> exit code.

Exit codes: 0 clean (warnings allowed), 1 data errors found, 2 the input cannot
be used at all (one line on stderr, no traceback), 3 a file is locked / open in
Excel or another run holds the lock.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import NoReturn

from gendan_xl import __version__
from gendan_xl.failures import failure_line, os_error_in
from gendan_xl.model import SEVERITY_LABEL, Lang, LedgerError, Severity
from gendan_xl.termtext import visible

EXIT_OK, EXIT_ERRORS, EXIT_UNUSABLE, EXIT_LOCKED = 0, 1, 2, 3


class Locked(Exception):
    """Raised by commands when a file or run lock is held by someone else."""


def date_arg(text: str) -> date:
    from gendan_xl.read.values import parse_date

    value = parse_date(text, date.today())
    if value is None:
        raise argparse.ArgumentTypeError(f"不是有效日期 / not a date: {text}")
    return value


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


# ---------------------------------------------------------------- check


def cmd_check(args: argparse.Namespace) -> int:
    from gendan_xl.engine import check
    from gendan_xl.files import ledger_parts, refuse_inputs

    if args.report:
        refuse_inputs(Path(args.report), ledger_parts(Path(args.ledger)))
    result = check(Path(args.ledger), args.as_of)
    lang: Lang = args.lang
    report = None
    if args.report:
        from gendan_xl.write.issues_book import write_issue_report

        # Atomic, and a file gendan did not write is never replaced (a new name instead).
        report = write_output_file(
            Path(args.report), lambda p: write_issue_report(p, result.issues, lang, ledger_root=Path.cwd())
        )
    if args.json:
        out(json.dumps(result.to_json(lang), ensure_ascii=False))
    else:
        render_issues(result.issues, lang, result.ledger.name, result.ledger.row_counts)
        if report is not None:
            out(("已写出检查结果:" if lang == "zh" else "Issue report written: ") + str(report))
    return EXIT_ERRORS if result.has_errors else EXIT_OK


def render_issues(issues: list, lang: Lang, name: str, rows: dict[str, int], limit: int = 200) -> None:  # type: ignore[type-arg]
    """A readable summary grouped by sheet, errors first."""
    from rich.console import Console
    from rich.table import Table

    from gendan_xl.termtext import markup_safe as esc

    console = Console(highlight=False, soft_wrap=True)
    errors = sum(1 for i in issues if i.severity == Severity.ERROR)
    warnings = sum(1 for i in issues if i.severity == Severity.WARNING)
    counts = ",".join(f"{esc(k)} {v} 行" if lang == "zh" else f"{esc(k)} {v} rows" for k, v in rows.items())
    if lang == "zh":
        console.print(f"[bold]{esc(name)}[/bold]  {counts}")
        console.print(f"错误 [red]{errors}[/red] 个,警告 [yellow]{warnings}[/yellow] 个")
    else:
        console.print(f"[bold]{esc(name)}[/bold]  {counts}")
        console.print(f"[red]{errors}[/red] errors, [yellow]{warnings}[/yellow] warnings")
    by_sheet: dict[str, list] = {}  # type: ignore[type-arg]
    for issue in issues[:limit]:
        by_sheet.setdefault(issue.ref.sheet or "-", []).append(issue)
    for sheet, items in by_sheet.items():
        table = Table(title=esc(sheet), show_lines=False, title_justify="left")
        for title in (("级别", "单元格", "问题") if lang == "zh" else ("Severity", "Cell", "Problem")):
            table.add_column(title)
        for issue in items:
            colour = {"error": "red", "warning": "yellow", "info": "cyan"}[issue.severity.value]
            label = SEVERITY_LABEL[lang][issue.severity]
            table.add_row(f"[{colour}]{label}[/{colour}]", esc(issue.ref.cell or ""), esc(issue.message(lang)))
        console.print(table)
    if len(issues) > limit:
        more = len(issues) - limit
        console.print(f"…… 另有 {more} 个问题(用 --report 或 --json 查看全部)" if lang == "zh"
                      else f"... {more} more (use --report or --json for all)")


# ---------------------------------------------------------------- template / demo


def write_output_file(path: Path, write: Callable[[Path], object], *, new_only: bool = False) -> Path:
    """Write an output workbook atomically: ``files.write_output`` (replaces only a
    file gendan wrote), or with ``new_only`` never replacing anything. A failed
    write is one clear line naming the file (exit 2; 3 when the file is in use)."""
    from gendan_xl.files import write_new, write_output

    try:
        return write_new(path, write) if new_only else write_output(path, write)
    except PermissionError as exc:
        raise Locked(
            f"{path}: 无法写出,文件或文件夹被占用或只读(是否在 Excel 中打开?)"
            f"/ cannot write: the file or folder is in use or read-only ({exc.strerror or exc})"
        ) from exc
    except OSError as exc:
        raise LedgerError(
            str(path), f"无法写出文件({exc.strerror or exc})", f"cannot write the file ({exc.strerror or exc})"
        ) from exc


def cmd_template(args: argparse.Namespace) -> int:
    from gendan_xl.write.template import write_template

    target = Path(args.file)
    if target.exists() or target.is_symlink():
        raise LedgerError(
            str(target),
            "文件已存在,空白台账不会覆盖任何文件;请换一个文件名",
            "the file exists; the blank ledger never replaces a file, choose another name",
        )
    path = write_output_file(target, lambda p: write_template(p, lang=args.lang), new_only=True)
    out(("已写出空白台账:" if args.lang == "zh" else "Blank ledger written: ") + str(path))
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from gendan_xl.demo.run import run_demo

    return run_demo(Path(args.dir), args.lang, out)


# ---------------------------------------------------------------- parser


class _Parser(argparse.ArgumentParser):
    """argparse with a Chinese-first line for wrong arguments (exit 2, no traceback)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_UNUSABLE, f"{self.prog}: 参数错误 / usage error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="gendan",
        description="跟单助手 gendan_xl: 检查台账、排产预警、生成单据。Order follow-up ledgers: check, plan, print.",
    )
    parser.add_argument("--version", action="version", version=f"gendan_xl {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--lang", choices=("zh", "en"), default="zh", help="消息语言 / message language (default zh)")
        p.add_argument("--debug", action="store_true", help="出错时显示完整错误信息 / show the full trace on failure")

    p = sub.add_parser(
        "check",
        help="检查台账 / check a ledger cell by cell",
        description="检查台账,逐个单元格指出问题。例 / example: gendan check 台账.xlsx --report 检查结果.xlsx",
    )
    p.add_argument("ledger", help="台账工作簿,或含 gendan.toml 的文件夹 / ledger workbook or folder with gendan.toml")
    p.add_argument("--as-of", type=date_arg, default=None, help="检查日期 / as-of date (default today)")
    p.add_argument("--json", action="store_true", help="输出 JSON / print one JSON object")
    p.add_argument("--report", metavar="FILE.xlsx", help="写出检查结果工作簿 / write the issue workbook")
    common(p)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser(
        "template",
        help="生成空白台账 / write a blank ledger",
        description="生成空白台账模板。例 / example: gendan template 台账模板.xlsx",
    )
    p.add_argument("file", help="输出文件 / output .xlsx")
    common(p)
    p.set_defaults(func=cmd_template)

    p = sub.add_parser(
        "demo",
        help="生成演示台账并运行全部功能 / write the demo ledger and run everything on it",
        description="生成演示台账并运行全部功能。例 / example: gendan demo demo_out",
    )
    p.add_argument("dir", help="输出文件夹 / output folder")
    common(p)
    p.set_defaults(func=cmd_demo)

    for register in EXTRA_COMMANDS:
        register(sub, common)
    return parser


# Later command groups (plan, report, docs, addin, batch) register themselves here.
EXTRA_COMMANDS: list[Callable[[argparse._SubParsersAction, Callable[[argparse.ArgumentParser], None]], None]] = []  # type: ignore[type-arg]


def main(argv: Sequence[str] | None = None) -> int:
    load_commands()
    parser = build_parser()
    args = parser.parse_args(argv)
    lang: Lang = getattr(args, "lang", "zh")
    if getattr(args, "as_of", False) is None:  # the as-of date is resolved here, once
        args.as_of = date.today()
    try:
        return int(args.func(args))
    except LedgerError as exc:
        sys.stderr.write(visible(exc.message(lang)) + "\n")
        return EXIT_UNUSABLE
    except Locked as exc:
        sys.stderr.write(str(exc) + "\n")
        return EXIT_LOCKED
    except KeyboardInterrupt:
        sys.stderr.write("已中断 / interrupted\n")
        return EXIT_UNUSABLE
    except Exception as exc:  # never a traceback for a clerk
        failed = os_error_in(exc)
        if failed is not None:  # disk full, read-only folder ...: one line naming the path
            sys.stderr.write(visible(failure_line(failed.filename or "", failed)) + "\n")
            return EXIT_UNUSABLE
        if getattr(args, "debug", False):
            traceback.print_exc()
        what = "程序内部错误" if lang == "zh" else "internal error"
        hint = "(加 --debug 查看详情)" if lang == "zh" else " (add --debug for details)"
        sys.stderr.write(f"{what}: {type(exc).__name__}: {exc}{hint}\n")
        return EXIT_UNUSABLE


def load_commands() -> None:
    """Import the modules that add command groups (kept out of the import path of `check`)."""
    import importlib

    for name in ("gendan_xl.cli.plan", "gendan_xl.cli.report", "gendan_xl.cli.docs", "gendan_xl.cli.addin", "gendan_xl.cli.batch",
                 "gendan_xl.cli.materials", "gendan_xl.cli.review", "gendan_xl.cli.outsource",
                 "gendan_xl.cli.changes", "gendan_xl.cli.complaints", "gendan_xl.cli.monthly"):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
