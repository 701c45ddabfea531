"""Benchmark: surgical write-back vs an openpyxl load-and-save of the same ledger.

The ledger (cached under benchmarks/.cache/) has 100,000 order rows (订单) and
100,000 shipment rows (出货) plus a chart; 500 shipment rows spread over the sheet
get a new 送货单号. Each measurement runs in its own subprocess on a fresh copy,
reporting wall and CPU time and its peak resident memory (ru_maxrss); on a
shared, noisy machine the CPU figure is the steadier one. The fast method is
repeated (median); openpyxl once or twice, as it takes tens of seconds.

    python benchmarks/bench_writeback.py [--patch-runs 5] [--openpyxl-runs 1]

``--styled`` measures instead a work-order write-back (6 rows appended, 1 cell
patched) into a 工单 sheet whose 200 data rows are followed by styled empty rows
down to row 1,048,576, written both ways Excel does it: ``<row s=".."
customFormat="1"/>`` and rows of cells holding only a style (target: under 5 s).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
LEDGER = CACHE / "ledger_100k.xlsx"
ROWS = 100_000
NOTES = 500
NOTE_COLUMN = "G"  # 送货单号 in the 出货 sheet below


def target_rows() -> list[int]:
    """500 shipment rows spread over the sheet (physical rows, header in row 1)."""
    step = ROWS // NOTES
    return [2 + i * step for i in range(NOTES)]


def build_ledger(path: Path) -> None:
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.xlsx")
    wb = xlsxwriter.Workbook(str(tmp), {"constant_memory": True})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    base = datetime(2026, 1, 1)
    blank_targets = set(target_rows())

    orders = wb.add_worksheet("订单")
    orders.write_row(0, 0, ["订单号", "行号", "客户", "客户PO", "产品编码", "品名", "规格", "数量",
                            "单位", "单价", "下单日期", "交期", "回复交期", "变更交期", "优先级",
                            "状态", "备注"])
    for r in range(1, ROWS + 1):
        orders.write_string(r, 0, f"SO{r:06d}")
        orders.write_number(r, 1, 1 + r % 3)
        orders.write_string(r, 2, f"客户{r % 97:02d}")
        orders.write_string(r, 3, f"PO-{r * 7 % 100000:05d}")
        orders.write_string(r, 4, f"ITEM-{r % 500:04d}")
        orders.write_string(r, 5, f"产品{r % 500}")
        orders.write_string(r, 6, "100x200mm")
        orders.write_number(r, 7, 100 + r % 900)
        orders.write_string(r, 8, "PCS")
        orders.write_number(r, 9, 1.25 + r % 40)
        orders.write_datetime(r, 10, base + timedelta(days=r % 300), day)
        orders.write_datetime(r, 11, base + timedelta(days=r % 300 + 20), day)
        orders.write_blank(r, 12, None, day)
        orders.write_blank(r, 13, None, day)
        orders.write_string(r, 14, "普通")
        orders.write_string(r, 15, "正常")
        orders.write_blank(r, 16, None)

    ship = wb.add_worksheet("出货")
    ship.write_row(0, 0, ["出货日期", "订单号", "行号", "产品编码", "数量", "箱数", "送货单号",
                          "签回日期", "备注"])
    for r in range(1, ROWS + 1):
        ship.write_datetime(r, 0, base + timedelta(days=r % 300 + 10), day)
        ship.write_string(r, 1, f"SO{r:06d}")
        ship.write_number(r, 2, 1 + r % 3)
        ship.write_string(r, 3, f"ITEM-{r % 500:04d}")
        ship.write_number(r, 4, 100 + r % 900)
        ship.write_number(r, 5, 1 + r % 20)
        if r + 1 in blank_targets:
            ship.write_blank(r, 6, None)
        else:
            ship.write_string(r, 6, f"SH2026{r:07d}")
        ship.write_blank(r, 7, None, day)
        ship.write_blank(r, 8, None)

    overview = wb.add_worksheet("概览")
    chart = wb.add_chart({"type": "line"})
    chart.add_series({"name": "出货数量", "values": "=出货!$E$2:$E$1001"})
    overview.insert_chart("B2", chart)
    wb.close()
    os.replace(tmp, path)


STYLED = {"rows": CACHE / "styled_rows_1m.xlsx", "cells": CACHE / "styled_cells_1m.xlsx"}
STYLED_DATA = 200


def build_styled(path: Path, cells_only: bool) -> None:
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.xlsx")
    # constant_memory drops formats of rows without cells, so only for the cells variant.
    wb = xlsxwriter.Workbook(str(tmp), {"constant_memory": cells_only})
    border = wb.add_format({"border": 1})
    ws = wb.add_worksheet("工单")
    ws.write_row(0, 0, ["工单号", "订单号", "行号", "产品编码", "数量", "产线"])
    for r in range(1, STYLED_DATA + 1):
        ws.write_row(r, 0, [f"WO{r:06d}", f"SO{r:06d}", 1, f"ITEM-{r % 50}", 100 + r, "A线"], border)
    for r in range(STYLED_DATA + 1, 1_048_576):
        if cells_only:
            for c in range(6):
                ws.write_blank(r, c, None, border)
        else:
            ws.set_row(r, None, border)
    wb.close()
    os.replace(tmp, path)


def run_styled(path: Path) -> None:
    from gendan_xl.write.patch import write_back

    rows = [{"A": f"WO20261103{i:03d}", "B": f"SO9{i:05d}", "C": 1, "E": 500} for i in range(6)]
    result = write_back(path, "工单", {(5, "F"): "B线"}, rows)
    first = STYLED_DATA + 2
    assert result.appended_rows == {"工单": list(range(first, first + 6))}, result


def run_patch(path: Path) -> None:
    from gendan_xl.write.patch import write_back

    cells = {(row, NOTE_COLUMN): f"SH20261103{i + 1:03d}" for i, row in enumerate(target_rows())}
    result = write_back(path, "出货", cells)
    assert result.cells_written == NOTES, result


def run_openpyxl(path: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb["出货"]
    for i, row in enumerate(target_rows()):
        ws[f"{NOTE_COLUMN}{row}"] = f"SH20261103{i + 1:03d}"
    wb.save(path)


def child(method: str, path: Path) -> None:
    """Run one measurement in this (fresh) process and print JSON."""
    fn = {"patch": run_patch, "openpyxl": run_openpyxl, "styled": run_styled}[method]
    # Import before timing: the figures compare the work, not the interpreter start-up.
    if method in ("patch", "styled"):
        import gendan_xl.write.patch  # noqa: F401
    else:
        import openpyxl  # noqa: F401
    start, cpu_start = time.perf_counter(), time.process_time()
    fn(path)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"seconds": elapsed, "cpu_seconds": cpu, "peak_mb": rss_kb / 1024}))


def measure(method: str, workdir: Path, source: Path = LEDGER) -> dict[str, float]:
    copy = workdir / f"{method}-{time.time_ns()}.xlsx"
    shutil.copyfile(source, copy)
    env = dict(os.environ, PYTHONPATH=str(HERE.parent) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run(
        [sys.executable, __file__, "--child", method, str(copy)],
        capture_output=True, text=True, env=env, check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{method} failed:\n{proc.stderr}")
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    for extra in workdir.iterdir():
        extra.unlink()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--patch-runs", type=int, default=5)
    parser.add_argument("--openpyxl-runs", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true", help="regenerate the cached ledger")
    parser.add_argument("--styled", action="store_true",
                        help="measure the sheet with a million styled empty rows instead")
    parser.add_argument("--child", nargs=2, metavar=("METHOD", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    if args.styled:
        styled_main(args.patch_runs, args.rebuild)
        return
    if args.rebuild or not LEDGER.exists():
        t = time.perf_counter()
        build_ledger(LEDGER)
        print(f"built {LEDGER} in {time.perf_counter() - t:.1f} s")
    print(f"ledger: {LEDGER.stat().st_size / 1e6:.1f} MB, 订单 {ROWS:,} rows, 出货 {ROWS:,} rows; "
          f"writing {NOTES} 送货单号")
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        work = Path(tmp)
        patch = [measure("patch", work) for _ in range(args.patch_runs)]
        slow = [measure("openpyxl", work) for _ in range(args.openpyxl_runs)]
    fast_s = statistics.median(r["seconds"] for r in patch)
    fast_cpu = statistics.median(r["cpu_seconds"] for r in patch)
    fast_mb = max(r["peak_mb"] for r in patch)
    runs = ", ".join(f"{r['seconds']:.2f}" for r in patch)
    print(f"write-back (patch):  median {fast_s:7.2f} s wall, {fast_cpu:7.2f} s CPU over "
          f"{len(patch)} runs ({runs}); peak {fast_mb:5.0f} MB")
    if not slow:
        return
    slow_s = statistics.median(r["seconds"] for r in slow)
    slow_cpu = statistics.median(r["cpu_seconds"] for r in slow)
    slow_mb = max(r["peak_mb"] for r in slow)
    print(f"openpyxl load+save:  median {slow_s:7.2f} s wall, {slow_cpu:7.2f} s CPU over "
          f"{len(slow)} runs; peak {slow_mb:5.0f} MB")
    ratio, cpu_ratio = slow_s / fast_s, slow_cpu / fast_cpu
    verdict = "OK" if min(ratio, cpu_ratio) >= 20 else "BELOW TARGET"
    print(f"speed-up: {ratio:.1f}x wall, {cpu_ratio:.1f}x CPU (target >= 20x) -> {verdict}")


def styled_main(runs: int, rebuild: bool) -> None:
    for kind, path in STYLED.items():
        if rebuild or not path.exists():
            t = time.perf_counter()
            build_styled(path, cells_only=kind == "cells")
            print(f"built {path} in {time.perf_counter() - t:.1f} s")
        with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
            got = [measure("styled", Path(tmp), path) for _ in range(runs)]
        wall = statistics.median(r["seconds"] for r in got)
        cpu = statistics.median(r["cpu_seconds"] for r in got)
        peak = max(r["peak_mb"] for r in got)
        verdict = "OK" if wall < 5 else "BELOW TARGET"
        print(f"1M styled empty {kind:5} ({path.stat().st_size / 1e6:.1f} MB): median {wall:5.2f} s wall, "
              f"{cpu:5.2f} s CPU over {len(got)} runs; peak {peak:4.0f} MB (target < 5 s) -> {verdict}")


if __name__ == "__main__":
    main()
