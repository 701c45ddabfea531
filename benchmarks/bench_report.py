"""Benchmark: writing the report workbook (`gendan report`) on the big generated
ledger (100k order lines, 1M daily rows) against writing the same cells with
plain xlsxwriter in constant-memory mode.

The ledger is read, checked and planned once (those times are printed for
information). Then, interleaved over --repeat runs in one process:

- report: ``write_report`` from the ``ReportData`` (turning the tables into
  cell values, formats, widths, charts, conditional formats, the issue sheet
  with its links: everything);
- baseline: the same cell values, already prepared as Python lists (not
  timed), written with ``write_row`` into a constant-memory workbook, no formats.

Target (issue 3): report <= 1.3x the baseline (ratio of medians). Run:

    python benchmarks/bench_report.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import xlsxwriter  # noqa: E402
from gen_ledger import ensure_big_ledger  # noqa: E402

from gendan_xl.cli.report import report_data  # noqa: E402
from gendan_xl.engine import check_ledger, issue_rows  # noqa: E402
from gendan_xl.read import read_ledger  # noqa: E402
from gendan_xl.write.report import (  # noqa: E402
    ALERT_COLS,
    OTD_COLS,
    OVERLOAD_COLS,
    RECEIPT_COLS,
    SHIPPING_COLS,
    WORK_ORDER_COLS,
    Col,
    column_values,
    write_report,
)
from gendan_xl.write.report_data import ReportData  # noqa: E402

AS_OF = date(2026, 11, 26)


def table_rows(cols: tuple[Col, ...], df: Any) -> list[list[Any]]:
    data = [column_values(df[c.key], c.kind, "zh") for c in cols]
    return [[c.zh for c in cols], *[list(r) for r in zip(*data, strict=True)]]


def same_cells(data: ReportData) -> dict[str, list[list[Any]]]:
    """The cells the report writes, sheet by sheet, as plain Python values."""
    cap = data.capacity
    weeks = sorted(cap["week"].unique())
    grid: list[list[Any]] = [["产线", "项目", *weeks]]
    for name in ("utilization", "available_hours", "scheduled_hours"):
        pivot = cap.pivot(index="line", columns="week", values=name).reindex(columns=weeks)
        grid += [[str(line), name, *vals] for line, vals in zip(pivot.index, pivot.to_numpy().tolist(), strict=True)]
    issues = [[*row, "打开"] for row in issue_rows(data.issues, "zh")]
    return {
        "alerts": table_rows(ALERT_COLS, data.alerts),
        "work_orders": table_rows(WORK_ORDER_COLS, data.work_orders),
        "capacity": grid + table_rows(OVERLOAD_COLS, data.overloads),
        "shipping": table_rows(SHIPPING_COLS, data.shipping),
        "receipts": table_rows(RECEIPT_COLS, data.receipts),
        "otd": table_rows(OTD_COLS, data.otd),
        "issues": issues,
    }


def write_plain(path: Path, sheets: dict[str, list[list[Any]]]) -> None:
    wb = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            ws.write_row(r, 0, row)
    wb.close()


def timed(fn: Any) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process): on a shared machine the CPU
    time is the steadier of the two."""
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - t0, time.process_time() - c0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    path = ensure_big_ledger()
    print(f"ledger: {path} ({path.stat().st_size / 1e6:.1f} MB)")

    t0 = time.perf_counter()
    ledger = read_ledger(path, AS_OF)
    t_read = time.perf_counter() - t0
    checked = check_ledger(ledger, AS_OF)
    t_check = time.perf_counter() - t0 - t_read
    t1 = time.perf_counter()
    data = report_data(ledger, checked, AS_OF)
    t_plan = time.perf_counter() - t1
    print(f"read {t_read:.2f} s, check {t_check:.2f} s, plan + report tables {t_plan:.2f} s")
    sheets = same_cells(data)
    cells = sum(len(r) for rows in sheets.values() for r in rows)
    print("rows written: " + ", ".join(f"{k} {len(v) - 1:,}" for k, v in sheets.items()) + f"; cells {cells:,}")

    report_t: list[tuple[float, float]] = []
    plain_t: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        folder = Path(tmp)
        for i in range(args.repeat):  # interleaved, so machine noise hits both alike
            plain_t.append(timed(lambda i=i: write_plain(folder / f"plain{i}.xlsx", sheets)))
            report_t.append(timed(lambda i=i: write_report(folder / f"report{i}.xlsx", data)))
        size = (folder / "report0.xlsx").stat().st_size
    ok = True
    for k, what in ((0, "wall"), (1, "CPU")):
        rep = statistics.median(t[k] for t in report_t)
        base = statistics.median(t[k] for t in plain_t)
        ratio = rep / base
        ok = ok and ratio <= 1.3
        print(f"{what:>4}: report {rep:6.2f} s ({rep / cells * 1e6:.1f} µs a cell), "
              f"plain xlsxwriter constant_memory {base:6.2f} s ({base / cells * 1e6:.1f} µs a cell): "
              f"{ratio:.2f}x  (target <= 1.3x)")
    print(f"report file: {size / 1e6:.1f} MB")
    print("PASS" if ok else "MISS")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
