"""`gendan demo DIR`: write the seeded demo ledger, then run everything the
product does on it, writing each output beside it. The demo's as-of date is
fixed so the outputs are the same on every machine and every day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from gendan_xl.demo import build_demo
from gendan_xl.engine import check_ledger
from gendan_xl.files import write_new
from gendan_xl.ledger import Ledger
from gendan_xl.model import Lang, Severity
from gendan_xl.read import read_ledger
from gendan_xl.schema import output_name
from gendan_xl.write.demo_book import write_demo
from gendan_xl.write.issues_book import write_issue_report

DEMO_LEDGER = "演示台账.xlsx"
RUSH_QTY = 2000  # the demo's rush order (插单说明)
Say = Callable[[str], None]


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
    return [demo_report, demo_docs, demo_promises, demo_samples, demo_registers]


def demo_report(ledger_path: Path, ledger: Ledger, as_of: date, folder: Path, lang: Lang, say: Say) -> None:
    """The demo's report: the same as ``gendan report`` on the demo ledger."""
    from gendan_xl.engine import report_data
    from gendan_xl.files import write_output
    from gendan_xl.write.report import report_name, write_report

    data = report_data(ledger, check_ledger(ledger, as_of), as_of)
    path = write_output(
        folder / report_name(as_of), lambda tmp: write_report(tmp, data, lang, ledger_root=Path.cwd())
    )
    say(("已写出跟单报告:" if lang == "zh" else "Report: ") + str(path))


def demo_docs(ledger_path: Path, ledger: Ledger, as_of: date, folder: Path, lang: str, say: Say) -> None:
    """The demo's documents, as a clerk would make them: work orders; priced delivery
    notes written back into the demo's own copy of the ledger; then the statement of
    the customer with the most delivery notes this period, read from that copy, so it
    lists the notes just issued."""
    from gendan_xl.documents.common import customer_info
    from gendan_xl.documents.run import run_delivery_notes, run_statement, run_work_orders
    from gendan_xl.documents.statement import period_of

    del lang
    work_orders = run_work_orders(ledger_path, folder, as_of, ledger=ledger)
    delivery = run_delivery_notes(ledger_path, folder, as_of, prices=True, write_back=True)
    for kind, result in (("制造命令单", work_orders), ("送货单", delivery)):
        if result.output is not None:
            say(f"{kind} {len(result.assignments)} 张 -> {result.output}")
    written = read_ledger(ledger_path, as_of)
    _demo_packing(ledger_path, written, as_of, folder, [a.number for a in delivery.assignments if a.kind == "dn"], say)
    ships = written["shipments"]
    book = written.book
    customers = pd.Series(book.line_of(book.ship_codes, "customer"), index=ships.index)
    recent = ships["ship_date"] > pd.Timestamp(as_of) - pd.Timedelta(days=30)
    busiest = customers[ships["note_no"].notna() & recent].value_counts()
    if len(busiest):
        name = str(busiest.index[0])
        # The period the as-of date is in: it holds the notes just issued (still open: 未结账).
        period = period_of(as_of, customer_info(written, name).statement_day)
        st = run_statement(ledger_path, folder, as_of, name, period, ledger=written)
        say(f"对账单 -> {st.output}")


def _demo_packing(ledger_path: Path, written: Ledger, as_of: date, folder: Path, notes: list[str], say: Say) -> None:
    """装箱单 of the delivery notes just issued (their 送货单号, read back from the ledger)."""
    from gendan_xl.documents.packing_run import run_packing_lists

    if not notes:
        return
    packing = run_packing_lists(ledger_path, folder, as_of, notes, ledger=written)
    if packing.output is not None:
        say(f"装箱单 {len(packing.assignments)} 张 -> {packing.output}")


def demo_promises(ledger_path: Path, ledger: Ledger, as_of: date, folder: Path, lang: str, say: Say) -> None:
    """The papers around a promise, from the ledger as the documents left it: the
    发料通知单 of the open work orders, the 订单评审表 of the week's new order lines, the
    交期变更通知 to customers with late lines (nothing written back), and the 插单说明
    of a rush order of the item with the most open order lines."""
    from gendan_xl.documents.review_run import run_review
    from gendan_xl.documents.run import run_delay_notices, run_material_issues
    from gendan_xl.plan import whatif
    from gendan_xl.plan.rush import rush_brief
    from gendan_xl.write.notices_book import write_rush_brief

    del lang
    written = read_ledger(ledger_path, as_of)
    issues = run_material_issues(ledger_path, folder, as_of, ledger=written)
    if issues.output is not None:
        say(f"发料通知单 {len(issues.assignments)} 张 -> {issues.output}")
    review = run_review(ledger_path, as_of, ledger=written, sheet=folder / output_name("review", f"{as_of:%Y%m%d}"))
    if review.sheet is not None:
        say(f"订单评审表 {len(review.result.lines)} 行 -> {review.sheet}")
    notices = run_delay_notices(ledger_path, folder, as_of)
    if notices.output is not None:
        say(f"交期变更通知 {len(notices.assignments)} 份 -> {notices.output}")
    lines = written.book.lines
    open_items = lines.loc[lines["open"], "item"].dropna().astype(str).value_counts()
    if len(open_items):
        item, due = str(open_items.index[0]), as_of + timedelta(days=14)
        result = whatif(written, item, RUSH_QTY, due, as_of)
        brief = rush_brief(written, result, item, RUSH_QTY, due)
        path = write_new(folder / output_name("rush_brief", f"{as_of:%Y%m%d}", item), lambda p: write_rush_brief(p, brief))
        say(f"插单说明 {item} × {RUSH_QTY:,} -> {path}")


def demo_samples(ledger_path: Path, ledger: Ledger, as_of: date, folder: Path, lang: str, say: Say) -> None:
    """The 试样通知单 of the samples not yet sent (nothing written back: the new
    request's YP number is listed in the 分配结果)."""
    from gendan_xl.documents.run import run_sample_notices

    del ledger, lang
    notices = run_sample_notices(ledger_path, folder, as_of)
    if notices.output is not None:
        say(f"试样通知单 {len(notices.assignments)} 张 -> {notices.output}")


def demo_registers(ledger_path: Path, ledger: Ledger, as_of: date, folder: Path, lang: Lang, say: Say) -> None:
    """The 客诉处理单 of the open complaints and the 成品月结 of the as-of month so far
    (the same as ``gendan docs complaint-forms`` and ``gendan monthly --out``)."""
    from gendan_xl.documents.run import run_complaint_forms
    from gendan_xl.files import write_output
    from gendan_xl.monthly import monthly_summary
    from gendan_xl.write.report import write_monthly

    zh = lang == "zh"
    forms = run_complaint_forms(ledger_path, folder, as_of, ledger=ledger)
    if forms.output is not None:
        say((f"客诉处理单 {len(forms.numbers)} 张 -> " if zh else f"Complaint forms: {len(forms.numbers)} -> ")
            + str(forms.output))
    summary = monthly_summary(ledger, as_of.year, as_of.month, as_of)
    path = write_output(folder / output_name("monthly", f"{as_of:%Y%m}"),
                        lambda p: write_monthly(p, summary, as_of, ledger.name, lang))
    say(("成品月结 -> " if zh else "Finished-goods summary -> ") + str(path))
