"""`gendan demo DIR`: write the seeded demo ledger, then run everything the
product does on it, writing each output beside it. The demo's as-of date is
fixed so the outputs are the same on every machine and every day."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gendan_xl.demo import build_demo
from gendan_xl.engine import check_ledger
from gendan_xl.model import Lang, Severity
from gendan_xl.read import read_ledger
from gendan_xl.schema import output_name
from gendan_xl.write.demo_book import write_demo
from gendan_xl.write.issues_book import write_issue_report

DEMO_LEDGER = "演示台账.xlsx"


def run_demo(folder: Path, lang: Lang, say: Callable[[str], None]) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    data = build_demo()
    ledger_path = write_demo(data, folder / DEMO_LEDGER)
    zh = lang == "zh"
    say(("已写出演示台账:" if zh else "Demo ledger: ") + str(ledger_path))

    ledger = read_ledger(ledger_path, data.as_of)
    result = check_ledger(ledger, data.as_of)
    stamp = data.as_of.strftime("%Y%m%d")
    issues_path = write_issue_report(
        folder / output_name("check", stamp), result.issues, lang, ledger_root=Path.cwd()
    )
    errors, warnings = result.count(Severity.ERROR), result.count(Severity.WARNING)
    say(
        (f"检查:错误 {errors} 个,警告 {warnings} 个 -> " if zh else f"Check: {errors} errors, {warnings} warnings -> ")
        + str(issues_path)
    )
    for step in demo_steps():
        step(ledger_path, ledger, data.as_of, folder, lang, say)
    return 0


def demo_steps() -> list[Callable[..., None]]:
    """The steps after the check: the follow-up report, then the documents."""
    from gendan_xl.cli_docs import demo_docs
    from gendan_xl.cli_report import demo_report

    return [demo_report, demo_docs]
