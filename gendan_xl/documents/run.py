"""One document run for every way in (CLI, ribbon, batch, demo): under the ledger's
lock (``numbers.ledger_lock``, beside the ledger's real path) from start to end:
fingerprint the ledger's files -> read the ledger -> build the documents
(``gendan_xl.documents``), numbering them from the journal (the same rows get the same
numbers again; ``reissue`` voids and renumbers) -> record the documents' data (for
``reprint``) -> with write-back check the files are unchanged and the target cells
still empty, then write the new numbers into the ledger through a ``NumberSink`` (a failure
voids the numbers and writes no document) -> only then write the workbook
(``write.docs_book``) under a name no other file has, and the 分配结果 beside it.

Two sinks take the numbers: ``FilePatch`` patches the clerk's file on disk
(``--write-back``: ``write.patch``, a backup, refused when the file is open or
changed), and the ribbon's live sink (``excel.live.LiveSink``) writes them into the
cells of the workbook open in Excel, which is the ledger then. Everything else
(lock, journal, numbering, documents, names) is the same for both.

``DocsResult`` says what a run did; ``DocsResult.to_json`` is the ``--json`` contract
of every ``gendan docs`` command.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from gendan_xl.documents import common
from gendan_xl.documents.delivery import (
    DeliveryRun,
    build_delivery_notes,
    delivery_write_back,
    note_paper_setting,
)
from gendan_xl.documents.models import (
    Assignment,
    DelayNotice,
    DeliveryNote,
    LedgerRow,
    MaterialIssueDoc,
    WorkOrderDoc,
    WriteBackPlan,
)
from gendan_xl.documents.numbers import (
    allocate,
    ledger_folder,
    ledger_lock,
    live_numbers,
    lock_wait,
    read_documents,
    read_journal,
    real_path,
    record_documents,
    void,
)
from gendan_xl.documents.statement import (
    journal_name,
    numbered_statement,
    unnumbered_warning,
)
from gendan_xl.documents.work_orders import (
    Allocator,
    SkippedLine,
    WorkOrderRun,
    build_work_orders,
    pending_lines,
    planned_dates,
    work_order_write_back,
)
from gendan_xl.engine import check_ledger
from gendan_xl.files import BACKUPS_KEEP, ledger_parts, prune_backups, write_new
from gendan_xl.ledger import Ledger
from gendan_xl.model import LedgerError
from gendan_xl.read import read_ledger, resolve_ledger
from gendan_xl.schema import output_name
from gendan_xl.write.docs_book import (
    assignments_path,
    write_assignments,
    write_delivery_notes,
    write_statement,
    write_work_orders,
)
from gendan_xl.write.docs_writeback import (
    Fingerprint,
    apply_write_back,
    check_plan_writable,
    plan_files,
    snapshot,
    verify_unchanged,
)
from gendan_xl.write.patch import WriteBackResult

Say = Callable[[str], None]


@dataclass
class DocsResult:
    """What a docs run did, for the CLI (or a ribbon handler) to show."""

    output: Path | None = None  # the workbook written; None when there was nothing to do
    assignments: list[Assignment] = field(default_factory=list)
    write_back: list[WriteBackResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # clerk-readable, make the exit code 1
    notes: list[str] = field(default_factory=list)  # informational lines
    cautions: list[str] = field(default_factory=list)  # shown on stderr, exit code unchanged
    reused: list[str] = field(default_factory=list)  # numbers given again to the same sources
    assignment_file: Path | None = None  # the 分配结果 workbook beside the documents
    skipped: list[tuple[str, str, LedgerRow | None]] = field(default_factory=list)  # (what, why, row)
    numbers: list[str] = field(default_factory=list)  # the documents' numbers, in document order

    def to_json(self) -> dict[str, object]:
        """The ``gendan docs ... --json`` object: the numbers issued or reused, each with
        its source rows and quantity, and the rows skipped with their reason."""
        reused = set(self.reused)
        return {
            "output": str(self.output) if self.output else None,
            "assignments_file": str(self.assignment_file) if self.assignment_file else None,
            "numbers": [
                {
                    "number": a.number, "kind": a.kind, "day": a.day.isoformat(), "customer": a.customer,
                    "order_no": a.order_no, "qty": a.qty, "reused": a.number in reused, "note": a.note,
                    "rows": [{"file": r.file, "sheet": r.sheet, "row": r.row} for r in a.rows],
                }
                for a in self.assignments
            ],
            "skipped": [
                {"what": what, "reason": why,
                 "row": {"file": row.file, "sheet": row.sheet, "row": row.row} if row else None}
                for what, why, row in self.skipped
            ],
            "written_back": [
                {"file": str(w.path), "cells": w.cells_written, "rows": w.rows_appended,
                 "backup": str(w.backup) if w.backup else None}
                for w in self.write_back
            ],
            "warnings": list(self.warnings),
            "notes": list(self.notes),
        }


# ------------------------------------------------------------------ number sinks


class NumberSink(Protocol):
    """Where a run's new numbers go into the clerk's ledger (the cells and rows of a
    ``WriteBackPlan``, always target cells that were empty when the ledger was read)."""

    def check(self, files: Sequence[str]) -> None:
        """Refuse (``LedgerError``) before any number is allocated when these ledger
        files (source names as the reader gives them) cannot take the numbers now."""

    def apply(self, plan: WriteBackPlan) -> list[WriteBackResult]:
        """Write the plan; raise ``LedgerError`` with nothing written when it cannot
        (a target cell filled meanwhile, the file changed)."""


@dataclass
class FilePatch:
    """``--write-back``: surgical patches of the ledger's files on disk, each after a
    backup (the newest ``backups_keep`` kept), refused when a file is open or locked,
    was changed since ``before`` (fingerprints taken before reading) or a target cell
    is no longer empty."""

    resolve: Callable[[str], Path]
    before: dict[Path, Fingerprint | None]
    backups_keep: int = BACKUPS_KEEP

    def check(self, files: Sequence[str]) -> None:
        check_plan_writable([self.resolve(f) for f in dict.fromkeys(files)])

    def apply(self, plan: WriteBackPlan) -> list[WriteBackResult]:
        check_plan_writable(plan_files(plan, self.resolve))
        verify_unchanged(plan, self.resolve, self.before)
        done = apply_write_back(plan, self.resolve)
        for result in done:
            prune_backups(result.path, self.backups_keep)
        return done


# ------------------------------------------------------------------ engine


def _resolver(target: Path) -> Callable[[str], Path]:
    """Map a ledger source's file name (as the reader shows it) to its path."""
    workbook, _config = resolve_ledger(target)
    base = target if target.is_dir() else target.parent

    def resolve(name: str) -> Path:
        p = Path(name)
        if p.is_absolute() or workbook is not None:
            return p
        return base / p

    return resolve


@dataclass
class _Session:
    """One document run on one ledger, under its lock: the ledger's real path, the
    fingerprints of its files taken before reading, its journal folder."""

    real: Path
    before: dict[Path, Fingerprint | None]
    folder: Path
    issued_before: set[str]

    @property
    def name(self) -> str:
        return self.real.name


@contextlib.contextmanager
def locked_ledger(target: Path, wait: float | None) -> Iterator[_Session]:
    """Hold the ledger's lock from reading it to the end of the write-back."""
    real = real_path(target)
    if not real.exists():
        raise LedgerError(str(target), "文件不存在", "file not found")
    with ledger_lock(real, timeout=lock_wait(wait)):
        folder = ledger_folder(real)
        before = snapshot(ledger_parts(real))
        yield _Session(real, before, folder, set(read_journal(folder).issued))


def _allocator(session: _Session, kind: str, reissue: bool) -> Allocator:
    def alloc(
        pattern: str, day: date, count: int, existing: Iterable[str],
        sources: Sequence[Sequence[str]] | None = None,
    ) -> list[str]:
        return allocate(
            session.folder, kind, pattern or None, day, count, existing, ledger=session.name,
            sources=sources, reissue=reissue, why="重开(--reissue)/ reissued",
        )

    return alloc


def _read(target: Path, as_of: date) -> Ledger:
    return read_ledger(target, as_of)


def ledger_sink(
    session: _Session, ledger: Ledger, sheet_key: str, write_back: bool, sink: NumberSink | None
) -> NumberSink | None:
    """The sink of this run (``sink``, else a ``FilePatch`` with ``write_back``), after
    it agreed to take numbers into the sheet's files: refused before allocating anything."""
    if sink is None and write_back:
        sink = FilePatch(_resolver(session.real), session.before, ledger.options.backups_keep)
    if sink is not None:
        sources = ledger.table(sheet_key).sources
        if sheet_key == "work_orders":
            sources = sources[:1]  # new rows go to the first 工单 sheet
        sink.check([src.file for src in sources])
    return sink


def _finish_write_back(
    session: _Session, sink: NumberSink, kind: str, plan: WriteBackPlan, numbers: list[str], result: DocsResult,
    also: dict[str, list[str]] | None = None,
) -> None:
    """Write the numbers into the ledger through ``sink``; if that fails, void this
    run's numbers and say the ledger is unchanged (no document has been written yet)."""
    result.warnings += plan.problems
    if plan.empty:
        return
    try:
        result.write_back = sink.apply(plan)
    except LedgerError as exc:
        with contextlib.suppress(LedgerError):
            void(session.folder, kind, numbers, exc.message("zh"), ledger=session.name)
            for other, more in (also or {}).items():  # e.g. the 退货单 of a 送货单 run
                void(session.folder, other, more, exc.message("zh"), ledger=session.name)
        numbers = numbers + [n for more in (also or {}).values() for n in more]
        span = _span(numbers)
        raise type(exc)(
            exc.path,
            f"{exc.reason_zh}。台账未改动;本次的单号 {span} 已作废,不会再发出,也未生成单据",
            f"{exc.reason_en}. The ledger is unchanged; this run's numbers {span} are void "
            "(never given out again) and no document was written",
        ) from exc


def _span(numbers: Sequence[str]) -> str:
    if not numbers:
        return ""
    return numbers[0] if len(numbers) == 1 else f"{numbers[0]}…{numbers[-1]}({len(numbers)} 个)"


def _write_documents(path: Path, write: Callable[[Path], object], numbers: Sequence[str]) -> Path:
    """Write a document workbook under a name no other file has (same-day runs never
    replace each other); the ledger may already hold the numbers, so a failure says
    how to print them again."""
    try:
        return write_new(path, write)
    except OSError as exc:
        raise LedgerError(
            str(path),
            f"无法写出单据文件({exc.strerror or exc});单号已记录,"
            f"可用 gendan docs reprint {' '.join(numbers[:3])} … 重新打印",
            f"cannot write the document file ({exc.strerror or exc}); the numbers are recorded, "
            f"print them again with gendan docs reprint",
        ) from exc


def _write_assignment_file(
    result: DocsResult, written: bool, skipped: Sequence[SkippedLine] = ()
) -> None:
    """The 分配结果 workbook beside the document workbook just written (a file of its
    own: it must never print on the form paper)."""
    if result.output is None:
        return
    numbers = [a.number for a in result.assignments]
    result.assignment_file = _write_documents(
        assignments_path(result.output),
        lambda p: write_assignments(p, result.assignments, written, skipped),
        numbers,
    )


def _customer(target: Path, ledger: Ledger, wanted: str) -> str:
    name = common.find_customer(ledger, wanted)
    if name is None:
        raise LedgerError(
            str(target), f"客户「{wanted}」不在订单表或客户表中", f"customer '{wanted}' is not in the ledger"
        )
    return name


def _note_reuse(session: _Session, result: DocsResult) -> None:
    result.reused = [a.number for a in result.assignments if a.number in session.issued_before]
    if result.reused:
        result.notes.append(
            f"沿用之前为同样的行分配的单号 {_span(result.reused)}(重新打印同一单据;要作废重开请加 --reissue)"
        )


def run_work_orders(
    target: Path,
    out_dir: Path,
    as_of: date,
    order_nos: Sequence[str] = (),
    write_back: bool = False,
    ledger: Ledger | None = None,
    *,
    reissue: bool = False,
    wait: float | None = None,
    sink: NumberSink | None = None,
) -> DocsResult:
    """``ledger``: the ledger already read from ``target`` (else it is read here);
    ``sink``: where the new numbers go (default: a ``FilePatch`` with ``write_back``).

    Holds the ledger's lock from reading to the end of the write-back; the same
    order lines get the same numbers again unless ``reissue``."""
    with locked_ledger(target, wait) as session:
        ledger = ledger or _read(session.real, as_of)
        sink = ledger_sink(session, ledger, "work_orders", write_back, sink)
        journal_warnings = read_journal(session.folder).warnings
        pending = not pending_lines(ledger, order_nos)[0].empty  # else no need to plan or check
        run = build_work_orders(
            ledger, as_of, _allocator(session, "wo", reissue), order_nos,
            schedule=planned_dates(ledger, as_of) if pending else {},
            problems=check_ledger(ledger, as_of).issues if pending else (),
        )
        result = DocsResult(assignments=run.assignments, cautions=journal_warnings)
        result.warnings += [f"订单号「{n}」不在订单表中,或没有需要下工单的订单行" for n in run.unknown_orders]
        result.warnings += [f"未下工单 {s.label}(订单行有错误,请先修正):{s.reason}" for s in run.skipped]
        result.skipped += [(s.label, s.reason, s.source) for s in run.skipped]
        if not run.docs:
            return result
        _note_reuse(session, result)
        numbers = result.numbers = [d.wo_no for d in run.docs]
        plan = work_order_write_back(ledger, run.docs) if sink is not None else WriteBackPlan()
        written = sink is not None and not plan.problems
        company = common.text(ledger.setting("company_name", ""))
        record_documents(session.folder, [
            {"kind": "wo", "number": d.wo_no, "ledger": session.name, "company": company,
             "written": written, "doc": d.model_dump(mode="json")}
            for d in run.docs
        ])
        if sink is not None:
            _finish_write_back(session, sink, "wo", plan, numbers, result)
        result.output = _write_documents(
            out_dir / output_name("work_orders", f"{as_of:%Y%m%d}", numbers[0]),
            lambda p: write_work_orders(p, run.docs, company),
            numbers,
        )
        _write_assignment_file(result, written, run.skipped)
    return result


def run_material_issues(
    target: Path, out_dir: Path, as_of: date, wo_nos: Sequence[str] = (), ledger: Ledger | None = None, *,
    reissue: bool = False, wait: float | None = None,
) -> DocsResult:
    """发料通知单 for open work orders with BOM rows (only ``wo_nos`` when given), numbered
    under the ledger's lock and journal like the other documents (nothing is written
    back). ``ledger``: the ledger already read from ``target`` (else it is read here)."""
    from gendan_xl.documents.material_issues import build_material_issues
    from gendan_xl.write.docs_book import write_material_issues

    with locked_ledger(target, wait) as session:
        ledger = ledger or _read(session.real, as_of)
        run = build_material_issues(ledger, as_of, _allocator(session, "fl", reissue), wo_nos)
        result = DocsResult(cautions=read_journal(session.folder).warnings)
        if not ledger.table("bom").present:
            result.warnings.append("台账没有 BOM 表(物料清单),无法开发料通知单")
        result.warnings += [f"工单「{w}」不是需要发料的未完工工单" for w in run.unknown]
        if not run.docs:
            return result
        numbers = result.numbers = [d.number for d in run.docs]
        result.assignments = run.assignments
        result.reused = [n for n in numbers if n in session.issued_before]
        if result.reused:
            result.notes.append(f"沿用今天为同一工单分配的单号 {_span(result.reused)}(要作废重开请加 --reissue)")
        company = common.text(ledger.setting("company_name", ""))
        record_documents(session.folder, [
            {"kind": "fl", "number": d.number, "ledger": session.name, "company": company,
             "doc": d.model_dump(mode="json")}
            for d in run.docs
        ])
        result.output = _write_documents(
            out_dir / output_name("material_issues", f"{as_of:%Y%m%d}", numbers[0]),
            lambda p: write_material_issues(p, run.docs, company),
            numbers,
        )
        result.notes += [f"  {d.number}  {d.wo_no}  {d.item}  {len(d.lines)} 种物料" for d in run.docs]
    return result


def run_delivery_notes(
    target: Path,
    out_dir: Path,
    as_of: date,
    on_date: date | None = None,
    customer: str | None = None,
    prices: bool = False,
    write_back: bool = False,
    ledger: Ledger | None = None,
    *,
    reissue: bool = False,
    wait: float | None = None,
    sink: NumberSink | None = None,
) -> DocsResult:
    """As ``run_work_orders``: the same shipment rows get the same note numbers again
    unless ``reissue``."""
    with locked_ledger(target, wait) as session:
        ledger = ledger or _read(session.real, as_of)
        result = DocsResult(cautions=read_journal(session.folder).warnings)
        name = None if customer is None else _customer(target, ledger, customer)
        sink = ledger_sink(session, ledger, "shipments", write_back, sink)
        run = DeliveryRun()
        for kind in ("dn", "rt"):  # 送货单, then 退货单 for the returns (出货.类型 退货)
            earlier = {} if reissue else live_numbers(session.folder, kind, session.name)
            part = build_delivery_notes(
                ledger, _allocator(session, kind, reissue), on_date, name, prices, earlier=earlier, kind=kind
            )
            run.notes += part.notes
            run.unmatched += part.unmatched
        result.assignments = run.assignments
        if run.unmatched and name is None:
            rows = "、".join(r.address for r in run.unmatched[:10]) + ("……" if len(run.unmatched) > 10 else "")
            result.warnings.append(f"{len(run.unmatched)} 行出货找不到对应的订单行,未开送货单:{rows}")
            result.skipped += [(r.address, "找不到对应的订单行 / no order line", r) for r in run.unmatched]
        if not run.notes:
            return result
        _note_reuse(session, result)
        numbers = result.numbers = [n.note_no for n in run.notes]
        plan = delivery_write_back(ledger, run.notes) if sink is not None else WriteBackPlan()
        written = sink is not None and not plan.problems
        paper, landscape = note_paper_setting(ledger)
        record_documents(session.folder, [
            {"kind": n.kind, "number": n.note_no, "ledger": session.name, "written": written,
             "paper": paper, "landscape": landscape, "doc": n.model_dump(mode="json")}
            for n in run.notes
        ])
        if sink is not None:
            _finish_write_back(session, sink, "dn", plan, [n.note_no for n in run.notes if n.kind == "dn"], result,
                               also={"rt": [n.note_no for n in run.notes if n.kind == "rt"]})
        stamp = (on_date or as_of).strftime("%Y%m%d")
        result.output = _write_documents(
            out_dir / output_name("delivery_notes", stamp, numbers[0]),
            lambda p: write_delivery_notes(p, run.notes, paper, landscape),
            numbers,
        )
        _write_assignment_file(result, written)
    return result


def _chain_output(result: DocsResult, path: Path, earlier: str = "") -> None:
    """A reprint of several kinds writes one workbook per kind: the last is the
    result's output, the ones before it are named in its notes."""
    if result.output is not None:
        result.notes.append(f"已写出{earlier}:{result.output}")
    result.output = path


def run_reprint(numbers: Sequence[str], out_dir: Path, ledger: Path | None = None) -> DocsResult:
    """Print issued documents again, exactly as recorded when they were made
    (``gendan_documents.jsonl`` beside the ledger; ``ledger`` None: the current folder)."""
    folder = ledger_folder(ledger) if ledger is not None else Path.cwd()
    records, damaged = read_documents(folder)
    journal = read_journal(folder)
    result = DocsResult(cautions=damaged + journal.warnings)
    wos: list[tuple[WorkOrderDoc, dict[str, object]]] = []
    notes: list[tuple[DeliveryNote, dict[str, object]]] = []
    fls: list[tuple[MaterialIssueDoc, dict[str, object]]] = []
    plain: dict[str, list[dict[str, object]]] = {kind: [] for kind in PLAIN_REPRINTS}
    for number in dict.fromkeys(n.strip() for n in numbers):
        if number in journal.voided:
            why = journal.voided[number].get("why", "")
            result.warnings.append(f"单号 {number} 已作废({why}),不重印")
            continue
        record = records.get(number)
        if record is None:
            result.warnings.append(f"找不到单号 {number} 的单据记录(在 {folder} 中)")
            continue
        if record.get("kind") == "wo":
            wos.append((WorkOrderDoc.model_validate(record["doc"]), record))
        elif record.get("kind") == "fl":
            fls.append((MaterialIssueDoc.model_validate(record["doc"]), record))
        elif record.get("kind") in plain:
            plain[str(record["kind"])].append(record)
        else:
            notes.append((DeliveryNote.model_validate(record["doc"]), record))
    if wos:
        docs = [d for d, _r in wos]
        first = wos[0][1]
        assignments = WorkOrderRun(docs=docs).assignments
        result.assignments += assignments
        result.output = _write_documents(
            out_dir / output_name("work_orders", "重印", docs[0].wo_no),
            lambda p: write_work_orders(p, docs, str(first.get("company", ""))),
            [d.wo_no for d in docs],
        )
    if notes:
        dns = [n for n, _r in notes]
        first = notes[0][1]
        assignments = DeliveryRun(notes=dns).assignments
        result.assignments += assignments
        path = _write_documents(
            out_dir / output_name("delivery_notes", "重印", dns[0].note_no),
            lambda p: write_delivery_notes(
                p, dns, str(first.get("paper", "A5")), bool(first.get("landscape", True))
            ),
            [n.note_no for n in dns],
        )
        _chain_output(result, path, "制造命令单")
    if fls:
        from gendan_xl.write.docs_book import write_material_issues

        fdocs = [d for d, _r in fls]
        company = str(fls[0][1].get("company", ""))
        path = _write_documents(
            out_dir / output_name("material_issues", "重印", fdocs[0].number),
            lambda p: write_material_issues(p, fdocs, company),
            [d.number for d in fdocs],
        )
        _chain_output(result, path)
    for kind, recs in plain.items():
        if recs:
            model, write, stem = _plain_reprint(kind)
            forms: list[Any] = [model.model_validate(r["doc"]) for r in recs]
            path = _write_documents(
                out_dir / output_name(stem, "重印", forms[0].number),
                lambda p: write(p, forms),  # noqa: B023 - called at once, in this iteration
                [d.number for d in forms],
            )
            _chain_output(result, path)
    return result


# Documents reprinted from their record alone (no assignments, no company field),
# in this order: 交期变更通知, 外协申请单, 试样通知单.
PLAIN_REPRINTS = ("jq", "wx", "yp")


def _plain_reprint(kind: str) -> tuple[Any, Callable[[Path, list[Any]], Path], str]:
    """The model, the workbook writer and the output stem of a ``PLAIN_REPRINTS`` kind."""
    if kind == "jq":
        from gendan_xl.write.notices_book import write_delay_notices

        return DelayNotice, write_delay_notices, "delay_notices"
    if kind == "wx":
        from gendan_xl.documents.outsourcing import OutsourcingRequest
        from gendan_xl.write.outsourcing_book import write_outsourcing

        return OutsourcingRequest, write_outsourcing, "outsourcing"
    from gendan_xl.documents.samples import SampleNotice
    from gendan_xl.write.samples_book import write_sample_notices

    return SampleNotice, write_sample_notices, "sample_notices"


def run_statement(
    target: Path, out_dir: Path, as_of: date, customer: str, period: str, ledger: Ledger | None = None,
    *, wait: float | None = None,
) -> DocsResult:
    """The 对账单 of ``customer`` for ``period``, numbered (the same customer and period
    keep their number) under the ledger's lock."""
    with locked_ledger(target, wait) as session:
        ledger = ledger or _read(session.real, as_of)
        result = DocsResult(cautions=read_journal(session.folder).warnings)
        name = _customer(target, ledger, customer)
        run = numbered_statement(ledger, name, period, as_of, session.folder, journal_name(session.real))
        st = run.statement
        result.numbers = [st.number]
        if run.unnumbered:
            result.cautions.append(unnumbered_warning(run, name))
        file_name = output_name("statement", common.sanitize_file_part(name), st.period)
        result.output = _write_documents(out_dir / file_name, lambda p: write_statement(p, st), [st.number])
        state = f",截至 {st.open_until.isoformat()}(未结账)" if st.open_until else ""
        result.notes.append(
            f"{st.number} {st.customer.display_name} {st.start.isoformat()} 至 {st.end.isoformat()}{state}:"
            f"{len(st.lines)} 行,送货单 {len(st.notes)} 张;期初 {st.opening_balance:,.2f} + 送货 "
            f"{st.delivered_amount:,.2f} - 退货 {st.returned_amount:,.2f} - 收款 {st.received_amount:,.2f}"
            f" = 期末应收 {st.closing_balance:,.2f}"
        )
    return result


def run_delay_notices(
    target: Path, out_dir: Path, as_of: date, customer: str | None = None, write_back: bool = False,
    *, reissue: bool = False, wait: float | None = None,
) -> DocsResult:
    """交期变更通知 per customer with order lines the plan forecasts late (only
    ``customer`` when given), numbered under the ledger's lock and journal (the same
    lines with the same proposed dates keep their number unless ``reissue``); with
    ``write_back`` the proposed dates go into the empty 回复交期 cells of 订单."""
    from gendan_xl.documents.delay_notices import build_delay_notices, delay_write_back
    from gendan_xl.write.notices_book import write_delay_notices

    with locked_ledger(target, wait) as session:
        ledger = _read(session.real, as_of)
        result = DocsResult(cautions=read_journal(session.folder).warnings)
        name = None if customer is None else _customer(target, ledger, customer)
        sink = ledger_sink(session, ledger, "orders", write_back, None)
        run = build_delay_notices(ledger, as_of, _allocator(session, "jq", reissue), name)
        result.assignments = run.assignments
        result.skipped += run.skipped
        result.notes += [f"未列入 {what}:{why}" for what, why, _row in run.skipped]
        if not run.docs:
            return result
        _note_reuse(session, result)
        numbers = [d.number for d in run.docs]
        plan = delay_write_back(ledger, run.docs) if sink is not None else WriteBackPlan()
        record_documents(session.folder, [
            {"kind": "jq", "number": d.number, "ledger": session.name, "doc": d.model_dump(mode="json")}
            for d in run.docs
        ])
        if sink is not None:
            _finish_write_back(session, sink, "jq", plan, numbers, result)
        result.output = _write_documents(
            out_dir / output_name("delay_notices", f"{as_of:%Y%m%d}", numbers[0]),
            lambda p: write_delay_notices(p, run.docs),
            numbers,
        )
        _write_assignment_file(result, sink is not None and not plan.problems)
        result.notes += [
            f"  {d.number}  {d.customer.name}  {len(d.lines)} 行:"
            + "、".join(f"{ln.label} {ln.original_date:%m-%d}→{ln.proposed_date:%m-%d}" for ln in d.lines[:5])
            + ("……" if len(d.lines) > 5 else "")
            for d in run.docs
        ]
    return result


def run_outsourcing(
    target: Path, out_dir: Path, as_of: date, orders: Sequence[str] = (), *, reissue: bool = False,
    wait: float | None = None,
) -> DocsResult:
    """外协申请单 for the outsourcing proposals of the ledger's overloads
    (``plan.outsource``; only ``orders`` when given), numbered under the ledger's lock
    and journal (the same line, qty and needed-by date keep their number unless
    ``reissue``). Nothing is written into the ledger."""
    from gendan_xl.documents.outsourcing import build_outsourcing
    from gendan_xl.write.outsourcing_book import write_outsourcing

    with locked_ledger(target, wait) as session:
        ledger = _read(session.real, as_of)
        result = DocsResult(cautions=read_journal(session.folder).warnings)
        run = build_outsourcing(ledger, as_of, _allocator(session, "wx", reissue), orders)
        result.assignments = run.assignments
        if not run.docs:
            result.notes.append("没有产能缺口造成的延误订单行,无需外协申请单")
            return result
        _note_reuse(session, result)
        numbers = [d.number for d in run.docs]
        result.numbers = numbers
        record_documents(session.folder, [
            {"kind": "wx", "number": d.number, "ledger": session.name, "doc": d.model_dump(mode="json")}
            for d in run.docs
        ])
        result.output = _write_documents(
            out_dir / output_name("outsourcing", f"{as_of:%Y%m%d}", numbers[0]),
            lambda p: write_outsourcing(p, run.docs),
            numbers,
        )
        _write_assignment_file(result, False)
        result.notes += [
            f"  {d.number}  {d.label} {d.item} × {d.qty:,.0f},{d.needed_by.isoformat()} 前回厂" for d in run.docs
        ]
    return result


def run_sample_notices(
    target: Path, out_dir: Path, as_of: date, samples: Sequence[str] = (), write_back: bool = False, *,
    reissue: bool = False, wait: float | None = None, sink: NumberSink | None = None,
) -> DocsResult:
    """试样通知单 for the 样品 rows not yet sent (only ``samples`` when given: 样品单号,
    or the YP number an earlier run gave a row without one), numbered under the
    ledger's lock and journal: a row with its own 样品单号 keeps it, the others get
    ``YP{YYYYMMDD}{SEQ:3}`` numbers (the same rows keep them unless ``reissue``); with
    ``write_back`` the new numbers go into the empty 样品单号 cells."""
    from gendan_xl.documents.samples import build_sample_notices, sample_write_back
    from gendan_xl.write.samples_book import write_sample_notices

    with locked_ledger(target, wait) as session:
        ledger = _read(session.real, as_of)
        result = DocsResult(cautions=read_journal(session.folder).warnings)
        if not ledger.table("samples").present:
            result.warnings.append("台账没有「样品」表,无法开试样通知单")
            return result
        sink = ledger_sink(session, ledger, "samples", write_back, sink)
        earlier = live_numbers(session.folder, "yp", session.name)
        run = build_sample_notices(ledger, as_of, _allocator(session, "yp", reissue), samples, earlier,
                                   problems=check_ledger(ledger, as_of).issues)
        result.assignments = run.assignments
        result.skipped += run.skipped
        result.warnings += [f"样品「{n}」不是待送的样品(送样日期已填、已有确认结果,或不在样品表中)" for n in run.unknown]
        result.warnings += [f"未开试样通知单 {what}:{why}" for what, why, _row in run.skipped]
        if not run.docs:
            return result
        _note_reuse(session, result)
        numbers = result.numbers = [d.number for d in run.docs]
        fresh = [d.number for d in run.docs if not d.given]
        plan = sample_write_back(ledger, run.docs) if sink is not None else WriteBackPlan()
        record_documents(session.folder, [
            {"kind": "yp", "number": d.number, "ledger": session.name, "doc": d.model_dump(mode="json")}
            for d in run.docs
        ])
        if sink is not None:
            _finish_write_back(session, sink, "yp", plan, fresh, result)
        result.output = _write_documents(
            out_dir / output_name("sample_notices", f"{as_of:%Y%m%d}", numbers[0]),
            lambda p: write_sample_notices(p, run.docs),
            numbers,
        )
        _write_assignment_file(result, sink is not None and not plan.problems)
        result.notes += [
            f"  {d.number}  {d.customer}  {d.item} × {d.qty or 0:,.0f},要求 "
            f"{d.required_date.isoformat() if d.required_date else '-'}" + (f"(已逾期 {d.days_overdue} 天)" if d.days_overdue else "")
            for d in run.docs
        ]
    return result


def run_complaint_forms(
    target: Path, out_dir: Path, as_of: date, numbers: Sequence[str] = (), ledger: Ledger | None = None,
) -> DocsResult:
    """客诉处理单 of the open complaints of the 客诉 sheet (or of the 客诉编号 ``numbers``).
    The form's number is the 客诉编号 itself: no number is allocated and nothing is
    written into the ledger, so no ledger lock is taken. ``ledger``: the ledger already
    read from ``target`` (else it is read here)."""
    from gendan_xl.documents.complaint_forms import build_complaint_forms
    from gendan_xl.write.complaint_book import write_complaint_forms

    real = real_path(target)
    if not real.exists():
        raise LedgerError(str(target), "文件不存在", "file not found")
    ledger = ledger or _read(real, as_of)
    result = DocsResult()
    if not ledger.table("complaints").present:
        result.warnings.append("台账没有客诉表,无法开客诉处理单")
        return result
    run = build_complaint_forms(ledger, as_of, numbers)
    result.warnings += [f"客诉编号「{n}」不在客诉表中" for n in run.unknown]
    result.skipped += [(n, "不在客诉表中 / not on the 客诉 sheet", None) for n in run.unknown]
    if not run.docs:
        return result
    result.numbers = [d.number for d in run.docs]
    limit = ledger.options.complaint_open_days
    path = out_dir / output_name("complaint_forms", f"{as_of:%Y%m%d}", common.sanitize_file_part(run.docs[0].number))
    try:  # a name no other file has: same-day runs never replace each other
        result.output = write_new(path, lambda p: write_complaint_forms(p, run.docs, limit))
    except OSError as exc:
        raise LedgerError(str(path), f"无法写出客诉处理单({exc.strerror or exc})",
                          f"cannot write the complaint forms ({exc.strerror or exc})") from exc
    result.notes += [
        f"  {d.number}  {d.complaint_date.isoformat() if d.complaint_date else ''}  {d.customer}  {d.order_no}  {d.status}"
        + (f"(已 {d.days_open} 天)" if d.days_open is not None and d.status != "已结案" else "")
        for d in run.docs
    ]
    return result
