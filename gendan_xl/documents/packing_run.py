"""The 装箱单 run (``gendan docs packing-lists``): read the ledger, build a packing
list per delivery note (``documents.packing_lists``), write the workbook under a
name no other file has. No number is given out (each list prints its note's
送货单号), so no lock or journal is involved and the ledger is never written."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from gendan_xl.documents.models import Assignment
from gendan_xl.documents.packing_lists import PackingRun, build_packing_lists
from gendan_xl.documents.run import DocsResult
from gendan_xl.files import write_new
from gendan_xl.ledger import Ledger
from gendan_xl.model import LedgerError
from gendan_xl.read import read_ledger
from gendan_xl.schema import output_name
from gendan_xl.write.packing_book import write_packing_lists


def _rows_text(run: PackingRun) -> str:
    rows = run.unnumbered
    shown = "、".join(r.address for r in rows[:10]) + ("……" if len(rows) > 10 else "")
    return shown


def run_packing_lists(
    target: Path, out_dir: Path, as_of: date, notes: Sequence[str] = (), on_date: date | None = None,
    ledger: Ledger | None = None,
) -> DocsResult:
    """装箱单 for the delivery notes in 出货 (only ``notes`` / ``on_date`` when given).
    Rows without a 送货单号 are named in a caution (they need a delivery note first);
    an unknown ``notes`` number and missing item data are warnings (exit 1)."""
    ledger = ledger or read_ledger(target, as_of)
    run = build_packing_lists(ledger, notes, on_date)
    result = DocsResult()
    result.warnings += [f"送货单号「{n}」不在出货表中(或只有退货行),未开装箱单" for n in run.unknown]
    if run.unnumbered:
        result.cautions.append(
            f"{len(run.unnumbered)} 行出货还没有送货单号,不能开装箱单:{_rows_text(run)}。"
            f"请先开送货单(gendan docs delivery-notes {target.name} --write-back),再开装箱单"
        )
        result.skipped += [(r.address, "没有送货单号 / no delivery note number yet", r) for r in run.unnumbered]
    result.warnings += run.problems
    if not run.docs:
        return result
    numbers = result.numbers = [d.note_no for d in run.docs]
    result.assignments = [
        Assignment(kind="pl", number=d.note_no, day=d.ship_date, customer=d.customer.name,
                   order_no="、".join(dict.fromkeys(ln.order_no for ln in d.lines if ln.order_no)),
                   qty=d.total_qty, rows=[ln.source for ln in d.lines])
        for d in run.docs
    ]
    stamp = (on_date or as_of).strftime("%Y%m%d")
    path = out_dir / output_name("packing_lists", stamp, numbers[0])
    try:
        result.output = write_new(path, lambda p: write_packing_lists(p, run.docs))
    except OSError as exc:
        raise LedgerError(str(path), f"无法写出装箱单({exc.strerror or exc})",
                          f"cannot write the packing lists ({exc.strerror or exc})") from exc
    for d in run.docs:
        cartons = f"{d.total_cartons} 箱" if d.total_cartons is not None else "箱数不全"
        gross = f"毛重 {d.total_gross:,.2f} kg" if d.total_gross is not None else "毛重不全"
        cbm = f"{d.total_cbm:,.3f} CBM" if d.total_cbm is not None else "体积不全"
        result.notes.append(f"  装箱单 {d.note_no}  {d.customer.name}  {len(d.lines)} 行,{cartons},{gross},{cbm}")
    return result


__all__ = ["run_packing_lists"]
