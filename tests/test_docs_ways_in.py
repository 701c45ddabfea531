"""One document run for every way in: the CLI (``gendan docs ... --write-back`` on the
file), the ribbon (its handlers on the in-memory xlwings double of the same file, the
open workbook as the number sink) and batch make the same documents from the same
ledger: the same numbers, the same workbooks cell for cell (values, formats, print
setup, via ``snapshot.canonical``) and the same values written into the ledger.

What legitimately differs, and is the only thing not compared: the folder each way
writes into (the CLI's ``--out``, beside the ledger for the ribbon, batch's 输出
folder); the file names are compared. No document carries a time of day.

Also here: the live number sink's own rules, and that each ribbon document handler
stays a few lines over the run.
"""

from __future__ import annotations

import copy
import inspect
import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
from snapshot import canonical
from xw_double import FakeBook

from gendan_xl import cli
from gendan_xl.batch import run_batch, write_example_config
from gendan_xl.demo import build_demo
from gendan_xl.documents.models import WriteBackCell, WriteBackPlan, WriteBackRow
from gendan_xl.documents.numbers import read_journal
from gendan_xl.excel import buttons
from gendan_xl.excel.buttons import dispatch
from gendan_xl.excel.live import LiveWorkbook
from gendan_xl.excel.sink import LiveSink
from gendan_xl.model import LedgerError
from gendan_xl.write.demo_book import write_demo
from gendan_xl.write.docs_book import assignments_path
from gendan_xl.write.patch import WriteBackRefused

AS_OF = date(2026, 11, 26)
LEDGER = "台账.xlsx"


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_demo(build_demo(), tmp_path_factory.mktemp("demo") / LEDGER)


@pytest.fixture(scope="module")
def pristine(demo_file: Path) -> FakeBook:
    return FakeBook.from_xlsx(demo_file)


def _copy(src: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(src, folder / LEDGER))


def _opened(pristine: FakeBook, path: Path) -> tuple[FakeBook, LiveWorkbook]:
    """The double of the demo ledger as if opened in Excel from ``path``."""
    book = copy.deepcopy(pristine)
    book.fullname, book.name = str(path), path.name
    return book, LiveWorkbook(book)  # type: ignore[arg-type]


def _plain(value: object) -> object:
    """A cell value as both ways give it: a date read back from the file is a
    midnight datetime, a whole number may come back as a float."""
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _cells(book: FakeBook, sheet: str) -> dict[tuple[int, int], object]:
    return {k: _plain(v) for k, v in book.sheets[sheet].cells.items()}


def _same_workbook(a: Path, b: Path) -> None:
    assert a.name == b.name
    assert canonical(a) == canonical(b)


def test_work_orders_cli_and_ribbon_make_the_same_documents(demo_file: Path, pristine: FakeBook,
                                                           tmp_path: Path) -> None:
    cli_file = _copy(demo_file, tmp_path / "cli")
    xl_file = _copy(demo_file, tmp_path / "excel")
    out = tmp_path / "cli_out"
    # exit 1: the demo's XS2611048-2 needs a work order but its row has an error (skipped)
    assert cli.main(["docs", "work-orders", str(cli_file), "--as-of", AS_OF.isoformat(), "--out", str(out),
                     "--write-back"]) == cli.EXIT_ERRORS
    book, live = _opened(pristine, xl_file)
    result = buttons.on_work_orders(live, AS_OF)

    numbers = read_journal(cli_file.parent).issued
    assert list(read_journal(xl_file.parent).issued) == list(numbers) and len(numbers) >= 3
    assert [a.number for a in result.assignments] == list(numbers)
    cli_doc = out / result.output.name  # type: ignore[union-attr]
    _same_workbook(result.output, cli_doc)  # type: ignore[arg-type]
    _same_workbook(assignments_path(result.output), assignments_path(cli_doc))  # type: ignore[arg-type]
    # The 工单 rows appended to the file by the patch are the rows appended to the open workbook.
    written = FakeBook.from_xlsx(cli_file)
    assert _cells(written, "工单") == _cells(book, "工单") != _cells(pristine, "工单")
    assert result.write_back[0].rows_appended == len(numbers)


def test_delivery_notes_cli_and_ribbon_make_the_same_documents(demo_file: Path, pristine: FakeBook,
                                                              tmp_path: Path) -> None:
    cli_file = _copy(demo_file, tmp_path / "cli")
    xl_file = _copy(demo_file, tmp_path / "excel")
    out = tmp_path / "cli_out"
    assert cli.main(["docs", "delivery-notes", str(cli_file), "--as-of", AS_OF.isoformat(), "--out", str(out),
                     "--write-back"]) == cli.EXIT_OK
    book, live = _opened(pristine, xl_file)
    result = buttons.on_delivery_notes(live, AS_OF)

    numbers = list(read_journal(cli_file.parent).issued)
    assert list(read_journal(xl_file.parent).issued) == numbers and len(numbers) >= 3
    _same_workbook(result.output, out / result.output.name)  # type: ignore[arg-type, union-attr]
    _same_workbook(assignments_path(result.output), assignments_path(out / result.output.name))  # type: ignore[arg-type, union-attr]
    written = FakeBook.from_xlsx(cli_file)
    assert _cells(written, "出货") == _cells(book, "出货") != _cells(pristine, "出货")
    filled = sum(a for a in (len(x.rows) for x in result.assignments))
    assert result.write_back[0].cells_written == filled > len(numbers)  # some notes carry several rows


def test_statement_cli_ribbon_and_batch_agree(demo_file: Path, tmp_path: Path) -> None:
    """华信电子 (对账日 25), as of 11-26: its period 2026-11 (10-26..11-25) closed
    yesterday, so batch makes it on this run; the CLI and the ribbon make it for the
    same customer and period. All three work on one folder: one journal, one number."""
    folder = tmp_path / "shared"
    ledger = _copy(demo_file, folder)
    # Number the shipments first (as a clerk would), so the statement lists notes.
    assert cli.main(["docs", "delivery-notes", str(ledger), "--as-of", AS_OF.isoformat(), "--out",
                     str(tmp_path / "notes"), "--write-back"]) == cli.EXIT_OK
    name = "对账单_华信电子_2026-11.xlsx"

    assert cli.main(["docs", "statement", str(ledger), "--customer", "华信电子", "--period", "2026-11",
                     "--as-of", AS_OF.isoformat(), "--out", str(tmp_path / "cli_out")]) == cli.EXIT_OK
    book, live = _opened(FakeBook.from_xlsx(ledger), ledger)
    customers = book.sheets["客户"]
    book.select("客户", next(r for (r, c), v in customers.cells.items() if c == 1 and v == "华信电子"))
    result = buttons.on_statement(live, AS_OF)
    assert result is not None and result.output == folder / name
    write_example_config(folder)
    assert run_batch(folder, AS_OF) == 1  # the demo plants data errors
    batch_file = folder / "输出" / name

    _same_workbook(tmp_path / "cli_out" / name, folder / name)
    _same_workbook(folder / name, batch_file)
    journal = read_journal(folder).issued
    mine = [n for n, rec in journal.items() if "华信电子" in str(rec.get("sources")) and n.startswith("DZ")]
    assert mine == ["DZ202611001"]  # one number, given once and reused twice
    assert "DZ202611001" in str(canonical(batch_file))


def test_material_issues_button_matches_the_cli(demo_file: Path, pristine: FakeBook, tmp_path: Path) -> None:
    """发料单: the notes `gendan docs material-issues` makes, numbered FL20261126001..;
    a second click the same day gives the same work orders the same numbers."""
    cli_file = _copy(demo_file, tmp_path / "cli")
    xl_file = _copy(demo_file, tmp_path / "excel")
    out = tmp_path / "cli_out"
    assert cli.main(["docs", "material-issues", str(cli_file), "--as-of", AS_OF.isoformat(),
                     "--out", str(out)]) == cli.EXIT_OK
    book, live = _opened(pristine, xl_file)
    dispatch(live, "material_issues", AS_OF)
    numbers = list(read_journal(cli_file.parent).issued)
    assert list(read_journal(xl_file.parent).issued) == numbers
    assert numbers and numbers[0] == "FL20261126001"
    opened = Path(book.app.books.opened[-1])
    assert opened.parent == xl_file.parent and opened.name.startswith("发料通知单_20261126_FL20261126001")
    _same_workbook(opened, out / opened.name)
    alert = book.app.alerts[-1]
    assert f"已生成 {len(numbers)} 张发料通知单" in alert and opened.name in alert
    # The ledger is not touched (no write-back for material notes).
    assert _cells(book, "工单") == _cells(pristine, "工单")

    dispatch(live, "material_issues", AS_OF)
    assert list(read_journal(xl_file.parent).issued) == numbers  # reused, not renumbered
    assert "沿用" in book.app.alerts[-1]


def test_material_issues_button_without_a_bom(tmp_path: Path) -> None:
    book = FakeBook(tmp_path / LEDGER)
    (tmp_path / LEDGER).write_bytes(b"")  # saved: the file exists beside its journal
    orders = book.sheets.add("订单")
    for c, h in enumerate(["订单号", "行号", "客户", "产品编码", "数量", "下单日期", "交期"], start=1):
        orders.cells[(1, c)] = h
    dispatch(LiveWorkbook(book), "material_issues", AS_OF)  # type: ignore[arg-type]
    assert book.app.books.opened == []
    assert "没有需要发料" in book.app.alerts[-1] and "没有 BOM 表" in book.app.alerts[-1]


# --------------------------------------------------------------------------- the live sink


def _sink_book(tmp_path: Path) -> tuple[FakeBook, LiveSink]:
    book = FakeBook(tmp_path / LEDGER)
    sheet = book.sheets.add("出货")
    for (r, c), v in {(1, 1): "出货日期", (1, 2): "送货单号", (2, 1): "11-25", (3, 1): "11-26",
                      (5, 1): "  "}.items():
        sheet.cells[(r, c)] = v
    return book, LiveSink(LiveWorkbook(book))  # type: ignore[arg-type]


def test_live_sink_fills_empty_cells_and_appends_below_the_last_value(tmp_path: Path) -> None:
    book, sink = _sink_book(tmp_path)
    plan = WriteBackPlan(
        cells=[WriteBackCell(file=LEDGER, sheet="出货", row=2, column="B", value="SH1"),
               WriteBackCell(file=LEDGER, sheet="出货", row=3, column="B", value="SH2")],
        rows=[WriteBackRow(file=LEDGER, sheet="出货", values={"A": "11-27", "B": "SH3"}),
              WriteBackRow(file=LEDGER, sheet="出货", values={"A": "11-28", "B": "=SH4"})],
    )
    done = sink.apply(plan)
    cells = book.sheets["出货"].cells
    # Row 5 holds only blanks: the last row with a value is 3, so new rows are 4 and 5.
    assert [cells.get((r, 2)) for r in range(2, 6)] == ["SH1", "SH2", "SH3", "'=SH4"]
    assert (cells[(4, 1)], cells[(5, 1)]) == ("11-27", "11-28")
    assert (done[0].cells_written, done[0].appended_rows) == (2, {"出货": [4, 5]})


def test_live_sink_refuses_a_filled_target_and_writes_nothing(tmp_path: Path) -> None:
    book, sink = _sink_book(tmp_path)
    book.sheets["出货"].cells[(3, 2)] = "SH-by-hand"
    before = dict(book.sheets["出货"].cells)
    plan = WriteBackPlan(
        cells=[WriteBackCell(file=LEDGER, sheet="出货", row=2, column="B", value="SH1"),
               WriteBackCell(file=LEDGER, sheet="出货", row=3, column="B", value="SH2")],
        rows=[WriteBackRow(file=LEDGER, sheet="出货", values={"B": "SH3"})],
    )
    with pytest.raises(WriteBackRefused, match="出货!B3"):
        sink.apply(plan)
    assert book.sheets["出货"].cells == before
    with pytest.raises(LedgerError) as refused:
        sink.check([LEDGER, "其他.xlsx"])
    assert refused.value.path == "其他.xlsx" and "别的文件" in refused.value.message()
    sink.check([LEDGER])


def test_a_refused_live_write_voids_the_numbers(demo_file: Path, pristine: FakeBook, tmp_path: Path) -> None:
    """A 出货 cell filled while the notes were made: the ribbon says so, writes no
    document and voids the numbers (as the CLI's write-back does)."""
    xl_file = _copy(demo_file, tmp_path / "excel")
    book, live = _opened(pristine, xl_file)

    class Meddling(LiveSink):
        def apply(self, plan: WriteBackPlan) -> list:  # type: ignore[type-arg]
            first = plan.cells[0]
            book.sheets[first.sheet].put(f"{first.column}{first.row}", "手填")
            return super().apply(plan)

    buttons.LiveSink = Meddling  # type: ignore[misc]
    try:
        dispatch(live, "delivery_notes", AS_OF)
    finally:
        buttons.LiveSink = LiveSink  # type: ignore[misc]
    journal = read_journal(xl_file.parent)
    assert journal.issued and set(journal.issued) <= set(journal.voided)
    assert "已作废" in book.app.alerts[-1] and book.app.books.opened == []
    assert not list(xl_file.parent.glob("送货单_*.xlsx"))


def test_ribbon_document_handlers_are_a_few_lines() -> None:
    for handler in (buttons.on_work_orders, buttons.on_material_issues, buttons.on_delivery_notes,
                    buttons.on_statement):
        source = inspect.getsource(handler)
        body = source.split('"""')[2]  # after the docstring
        lines = [ln for ln in body.splitlines() if ln.strip()]
        assert len(lines) <= 10, (handler.__name__, len(lines))
        assert "run_" in body  # through the one document run
