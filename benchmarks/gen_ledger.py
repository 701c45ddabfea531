"""Generate and cache the big benchmark ledger.

100,000 order lines, about 100,000 work orders, exactly 1,000,000 daily-report
rows, about 100,000 shipments, plus items, lines, customers, calendar and
settings: two years of a large factory (300 lines, 2,000 items, 200 customers).
The data is mostly clean, so ``gendan check`` spends its time reading, not
reporting, but typed as a real ledger is: dates are Excel dates, numbers are
numbers, codes are text. Ten bad dates, ten bad numbers and ten unknown item
codes are planted in the orders so the tolerant paths are exercised too.

Columns are built with numpy (vectorised, seeded); the workbook is written with
xlsxwriter in constant_memory mode, one ``write_row`` per row segment.

    python benchmarks/gen_ledger.py            # build benchmarks/.cache/big_ledger.xlsx if missing
    python benchmarks/gen_ledger.py --force    # rebuild it

Benchmark scripts call ``ensure_big_ledger()``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter

from gendan_xl.schema import (
    CALENDAR,
    CUSTOMERS,
    DAILY,
    ITEMS,
    LINES,
    ORDERS,
    SETTING_KEYS,
    SETTINGS,
    SHIPMENTS,
    WORK_ORDERS,
    SheetSpec,
)

CACHE_DIR = Path(__file__).resolve().parent / ".cache"
BIG_LEDGER = CACHE_DIR / "big_ledger.xlsx"
AS_OF = date(2026, 11, 26)
N_ORDER_LINES = 100_000
N_DAILY = 1_000_000
N_ITEMS = 2_000
N_LINES = 300
N_CUSTOMERS = 200
HISTORY_DAYS = 730
SEED = 20261126
EXCEL_EPOCH = date(1899, 12, 30)


def _serial(d: date) -> int:
    return (d - EXCEL_EPOCH).days


# --- data ---------------------------------------------------------------------


class Ledger:
    """Column lists (plain Python values, ready for xlsxwriter) per sheet."""

    def __init__(self) -> None:
        self.sheets: dict[str, dict[str, list[Any]]] = {}


def _workdays() -> tuple[np.ndarray, list[str]]:
    """Excel serials of working days before AS_OF (Monday to Saturday, China's
    statutory holidays off, their make-up days worked), and their yyyymmdd strings
    for document numbers."""
    from gendan_xl.calendar import china_day_kinds

    def working(d: date) -> bool:
        kinds = china_day_kinds(d.year)
        kind = int(kinds[d.timetuple().tm_yday - 1]) if kinds is not None else 0
        return kind == 2 or (kind == 0 and d.weekday() != 6)

    days = [AS_OF - timedelta(days=n) for n in range(HISTORY_DAYS, 0, -1)]
    days = [d for d in days if working(d)]
    return np.array([_serial(d) for d in days], dtype=np.int64), [d.strftime("%Y%m%d") for d in days]


def build_ledger(seed: int = SEED) -> Ledger:
    rng = np.random.default_rng(seed)
    out = Ledger()
    serials, ymd = _workdays()
    n_days = len(serials)

    # lines -----------------------------------------------------------------------
    # Enough lines that each works a few jobs a day, three 8-hour shifts: the daily
    # reports stay within the hours a line has (the audit finds little to say).
    moulding = N_LINES * 2 // 3
    line_names = [f"注塑{i + 1}线" if i < moulding else f"组装{i - moulding + 1}线" for i in range(N_LINES)]
    out.sheets["lines"] = {
        "line": line_names,
        "workshop": [f"注塑{i // 10 + 1}车间" if i < moulding else "装配车间" for i in range(N_LINES)],
        "shifts": [3] * N_LINES,
        "hours_per_shift": [8.0] * N_LINES,
        "efficiency": [0.9] * N_LINES,
        "rest_days": ["日"] * N_LINES,
    }

    # items -----------------------------------------------------------------------
    nouns = ["外壳", "底座", "面板", "按键", "旋钮", "卡扣", "齿轮", "灯罩", "把手", "支架",
             "端盖", "网罩", "导轨", "垫片", "护套", "托盘", "盒体", "盖板", "连接件", "装饰条"]
    materials = ["ABS", "PP", "PC", "POM", "PA66", "PC+ABS", "HDPE", "TPE"]
    colours = ["黑色", "白色", "灰色", "透明", "红色", "蓝色"]
    item_codes = [f"P{100000 + i}" for i in range(N_ITEMS)]
    item_line = rng.integers(0, N_LINES, N_ITEMS)
    rate = rng.integers(800, 4000, N_ITEMS)
    ppc = rng.choice(np.array([20, 50, 100, 200, 500, 1000, 2000]), N_ITEMS)
    gross = np.round(rng.uniform(5, 18, N_ITEMS), 2)
    price = np.round(rng.uniform(0.05, 25.0, N_ITEMS), 3)
    out.sheets["items"] = {
        "item": item_codes,
        "item_name": [f"{nouns[i % 20]}{i // 20 + 1:03d}" for i in range(N_ITEMS)],
        "spec": [f"{materials[i % 8]} {colours[i % 6]} {40 + i % 160}mm" for i in range(N_ITEMS)],
        "unit": ["PCS"] * N_ITEMS,
        "line": [line_names[j] for j in item_line.tolist()],
        "std_rate": rate.tolist(),
        "pcs_per_carton": ppc.tolist(),
        "gross_weight": gross.tolist(),
        "net_weight": np.round(gross - 0.8, 2).tolist(),
        "carton_size": ["55×40×35cm"] * N_ITEMS,
        "unit_price": price.tolist(),
    }

    # customers -------------------------------------------------------------------
    cities = ["深圳", "东莞", "广州", "佛山", "惠州", "中山"]
    cust = [f"客户{i + 1:03d}" for i in range(N_CUSTOMERS)]
    out.sheets["customers"] = {
        "customer": cust,
        "full_name": [f"{cities[i % 6]}市{c}实业有限公司" for i, c in enumerate(cust)],
        "address": [f"{cities[i % 6]}市工业区{i + 1}号" for i in range(N_CUSTOMERS)],
        "contact": ["王小姐" if i % 2 else "陈先生" for i in range(N_CUSTOMERS)],
        "phone": [f"0769-8{i:03d} {1000 + i:04d}" for i in range(N_CUSTOMERS)],
        "statement_day": [25 if i % 3 == 0 else None for i in range(N_CUSTOMERS)],
    }

    # order lines -----------------------------------------------------------------
    sizes = rng.choice(np.array([1, 2, 3, 4]), size=N_ORDER_LINES, p=[0.4, 0.3, 0.2, 0.1])
    ends = np.cumsum(sizes)
    n_orders = int(np.searchsorted(ends, N_ORDER_LINES)) + 1
    sizes = sizes[:n_orders]
    sizes[-1] -= int(ends[n_orders - 1]) - N_ORDER_LINES
    order_day = np.sort(rng.integers(0, n_days, n_orders))
    order_cust = rng.integers(0, N_CUSTOMERS, n_orders)
    order_idx = np.repeat(np.arange(n_orders), sizes)
    line_no = np.arange(N_ORDER_LINES) - np.repeat(np.cumsum(sizes) - sizes, sizes) + 1
    day = order_day[order_idx]
    item = rng.integers(0, N_ITEMS, N_ORDER_LINES)
    qty = (rng.integers(5, 300, N_ORDER_LINES) * 100).astype(np.int64)
    order_serial = serials[day]
    due = order_serial + rng.integers(10, 41, N_ORDER_LINES)
    promised = np.where(rng.random(N_ORDER_LINES) < 0.2, due + rng.integers(3, 11, N_ORDER_LINES), 0)
    changed = np.where(rng.random(N_ORDER_LINES) < 0.05, due + rng.integers(5, 15, N_ORDER_LINES), 0)
    priority = rng.choice(np.array(["普通", "急", "特急"], dtype=object), N_ORDER_LINES, p=[0.88, 0.09, 0.03])
    order_no = np.array([f"SO{2_000_000 + i}" for i in range(n_orders)], dtype=object)[order_idx]
    cust_arr = np.array(cust, dtype=object)
    codes = np.array(item_codes, dtype=object)

    orders: dict[str, list[Any]] = {
        "order_no": order_no.tolist(),
        "line_no": line_no.tolist(),
        "customer": cust_arr[order_cust[order_idx]].tolist(),
        "customer_po": [f"PO{2_000_000 + i}" for i in order_idx.tolist()],
        "item": codes[item].tolist(),
        "item_name": np.array(out.sheets["items"]["item_name"], dtype=object)[item].tolist(),
        "spec": np.array(out.sheets["items"]["spec"], dtype=object)[item].tolist(),
        "qty": qty.tolist(),
        "unit": ["PCS"] * N_ORDER_LINES,
        "unit_price": price[item].tolist(),
        "order_date": order_serial.tolist(),
        "due_date": due.tolist(),
        "promised_date": [v or None for v in promised.tolist()],
        "changed_date": [v or None for v in changed.tolist()],
        "priority": priority.tolist(),
        "status": ["正常"] * N_ORDER_LINES,
        "remark": [None] * N_ORDER_LINES,
    }
    # A few planted mistakes, spread out: the tolerant paths must run too.
    for k, i in enumerate(range(5_000, N_ORDER_LINES, 9_500)):
        if k % 3 == 0:
            orders["qty"][i] = f"约{orders['qty'][i]}"
        elif k % 3 == 1:
            orders["order_date"][i] = "2026/13/45"
        else:
            orders["item"][i] = orders["item"][i].replace("P", "Q")
    out.sheets["orders"] = orders

    # work orders: one per order line, issued a day or two after the order --------
    issue_day = day + rng.integers(1, 3, N_ORDER_LINES)
    has_wo = issue_day < n_days - 1
    wo_idx = np.flatnonzero(has_wo)
    wo_issue = issue_day[wo_idx]
    seq = pd.Series(wo_issue).groupby(wo_issue).cumcount().to_numpy() + 1
    ymd_arr = np.array(ymd, dtype=object)
    wo_no = np.array([f"WO{d}{s:04d}" for d, s in zip(ymd_arr[wo_issue].tolist(), seq.tolist(),
                                                       strict=True)], dtype=object)
    n_wo = len(wo_idx)

    # daily reports: consecutive shifts per work order from the day after issue --
    start = wo_issue + 1
    cap = np.maximum(2 * (n_days - start), 0)
    rows_per = np.minimum(rng.poisson(9.5, n_wo) + 1, cap)
    deficit = N_DAILY - int(rows_per.sum())
    while deficit != 0:
        if deficit > 0:
            room = np.flatnonzero(rows_per < cap)
            take = room[: min(deficit, len(room))]
            rows_per[take] += 1
        else:
            spare = np.flatnonzero(rows_per > 1)
            take = spare[: min(-deficit, len(spare))]
            rows_per[take] -= 1
        deficit = N_DAILY - int(rows_per.sum())
    wo_qty = qty[wo_idx]
    good_per_row = np.where(rows_per > 0, wo_qty // np.maximum(rows_per, 1), 0)
    row_wo = np.repeat(np.arange(n_wo), rows_per)
    k = np.arange(N_DAILY) - np.repeat(np.cumsum(rows_per) - rows_per, rows_per)
    row_day = start[row_wo] + k // 2
    good = good_per_row[row_wo]
    # The last report of a work order makes the rest: finished work orders made exactly
    # their qty (nothing left uncovered, nothing closed short).
    has_rows = rows_per > 0
    last_row = (np.cumsum(rows_per) - 1)[has_rows]
    good[last_row] += (wo_qty - good_per_row * rows_per)[has_rows]
    last_day = start + (rows_per - 1) // 2
    produced = np.where(has_rows, wo_qty, 0)
    finished = (rows_per > 0) & (last_day < n_days - 2)
    wo_line = np.array(out.sheets["items"]["line"], dtype=object)[item[wo_idx]]
    shift_names = np.array(["白班", "夜班"], dtype=object)
    out.sheets["daily"] = {
        "date": serials[row_day].tolist(),
        "wo_no": wo_no[row_wo].tolist(),
        "line": wo_line[row_wo].tolist(),
        "shift": shift_names[k % 2].tolist(),
        "good_qty": good.tolist(),
        "bad_qty": (good // 100).tolist(),
        # hours at the item's standard rate: no rate outliers
        "hours": np.maximum(np.round(good / rate[item[wo_idx]][row_wo], 2), 0.01).tolist(),
        "exception": [None] * N_DAILY,
        "remark": [None] * N_DAILY,
    }

    plan_finish = np.minimum(start + np.maximum(rows_per, 1) // 2, n_days - 1)
    out.sheets["work_orders"] = {
        "wo_no": wo_no.tolist(),
        "order_no": order_no[wo_idx].tolist(),
        "line_no": line_no[wo_idx].tolist(),
        "item": codes[item[wo_idx]].tolist(),
        "qty": wo_qty.tolist(),
        "line": wo_line.tolist(),
        "plan_start": serials[np.minimum(start, n_days - 1)].tolist(),
        "plan_finish": serials[plan_finish].tolist(),
        "issue_date": serials[wo_issue].tolist(),
        "status": np.where(finished, "完成", np.where(rows_per > 0, "生产中", "未开工")).tolist(),
    }

    # shipments: finished work orders ship what they made the next working day -----
    ship_wo = np.flatnonzero(finished & (produced > 0))
    ship_day = last_day[ship_wo] + 1
    ship_line = wo_idx[ship_wo]
    ship_cust = order_cust[order_idx[ship_line]]
    order = np.lexsort((ship_line, ship_cust, ship_day))
    ship_wo, ship_day, ship_line, ship_cust = (a[order] for a in (ship_wo, ship_day, ship_line, ship_cust))
    note_key = pd.DataFrame({"day": ship_day, "cust": ship_cust})
    note_seq = note_key.groupby("day")["cust"].transform(lambda s: pd.factorize(s)[0] + 1).to_numpy()
    note_no = [f"SH{d}{s:04d}" for d, s in zip(ymd_arr[ship_day].tolist(), note_seq.tolist(), strict=True)]
    ship_serial = serials[ship_day]
    note_ids = note_key.groupby(["day", "cust"], sort=False).ngroup().to_numpy()
    n_notes = int(note_ids.max()) + 1
    note_lag = rng.integers(1, 8, n_notes)
    note_unsigned = rng.random(n_notes) < 0.05
    signed = ship_serial + note_lag[note_ids]
    signed_ok = (signed <= _serial(AS_OF)) & ~note_unsigned[note_ids]
    ship_qty = produced[ship_wo]
    out.sheets["shipments"] = {
        "ship_date": ship_serial.tolist(),
        "order_no": order_no[ship_line].tolist(),
        "line_no": line_no[ship_line].tolist(),
        "item": codes[item[ship_line]].tolist(),
        "qty": ship_qty.tolist(),
        "cartons": (-(-ship_qty // ppc[item[ship_line]])).tolist(),
        "note_no": note_no,
        "signed_date": np.where(signed_ok, signed, 0).tolist(),
        "remark": [None] * len(ship_wo),
    }
    out.sheets["shipments"]["signed_date"] = [v or None for v in out.sheets["shipments"]["signed_date"]]

    out.sheets["calendar"] = {
        "date": [_serial(date(2026, 10, 24)), _serial(date(2026, 12, 2))],
        "line": [line_names[0], None],
        "kind": ["加班", "休息"],
        "hours": [8.0, None],
    }
    values: dict[str, object] = {"company_name": "东莞市宏达塑胶制品有限公司", "risk_days": 2}
    out.sheets["settings"] = {
        "key": [label for label, _default in SETTING_KEYS.values()],
        "value": [values.get(key, default) for key, (_label, default) in SETTING_KEYS.items()],
    }
    return out


# --- writing ------------------------------------------------------------------

SHEET_ORDER: tuple[SheetSpec, ...] = (ORDERS, WORK_ORDERS, DAILY, SHIPMENTS, ITEMS, CUSTOMERS,
                                      LINES, CALENDAR, SETTINGS)


def _segments(spec: SheetSpec, keys: Sequence[str]) -> list[tuple[str, list[int]]]:
    """Runs of columns written with one call: ("plain", cols) or ("date", cols);
    optional date columns are written cell by cell ("sparse")."""
    out: list[tuple[str, list[int]]] = []
    for i, key in enumerate(keys):
        col = spec.column(key)
        kind = "plain"
        if col.type == "date":
            kind = "date" if col.required else "sparse"
        if out and out[-1][0] == kind and kind != "sparse":
            out[-1][1].append(i)
        else:
            out.append((kind, [i]))
    return out


def _write_sheet(wb: Any, spec: SheetSpec, data: dict[str, list[Any]], fmt: dict[str, Any]) -> None:
    ws = wb.add_worksheet(spec.name)
    keys = [c.key for c in spec.columns if c.key in data]
    n = len(data[keys[0]])
    top = 0
    if spec is ORDERS:
        ws.write_string(0, 0, f"{AS_OF.year}年{AS_OF.month}月订单跟踪表", fmt["title"])
        top = 1
    ws.write_row(top, 0, [spec.column(k).name for k in keys], fmt["header"])
    ws.freeze_panes(top + 1, 0)
    widths = [max(10, 2 * len(spec.column(k).name) + 2) for k in keys]
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    columns = [data[k] for k in keys]
    # Columns that are blank all the way down are not written cell by cell at all;
    # runs are cut there so each write_row covers only cells that hold a value.
    blank = {c for c, values in enumerate(columns) if all(v is None for v in values)}
    plans: list[tuple[str, int, list[Any]]] = []
    for kind, cols in _segments(spec, keys):
        runs: list[list[int]] = [[]]
        for c in cols:
            if c in blank:
                runs.append([])
            else:
                runs[-1].append(c)
        for run in (r for r in runs if r):
            if kind == "sparse":
                plans.append((kind, run[0], columns[run[0]]))
            else:
                plans.append((kind, run[0], list(zip(*(columns[c] for c in run), strict=True))))
    date_fmt = fmt["date"]
    write_row = ws.write_row
    write_number = ws.write_number
    for i in range(n):
        r = top + 1 + i
        for kind, first, values in plans:
            if kind == "plain":
                write_row(r, first, values[i])
            elif kind == "date":
                write_row(r, first, values[i], date_fmt)
            elif values[i] is not None:
                write_number(r, first, values[i], date_fmt)
    # constant_memory writes rows as they come; nothing below may go back up.


def write_ledger(ledger: Ledger, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".tmp.xlsx")
    wb = xlsxwriter.Workbook(str(tmp), {
        "constant_memory": True,
        "strings_to_numbers": False,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "default_format_properties": {"font_name": "等线", "font_size": 10},
    })
    wb.set_properties({"title": "benchmark ledger", "author": "gendan_xl",
                       "created": pd.Timestamp(AS_OF).to_pydatetime()})
    fmt = {
        "date": wb.add_format({"num_format": "yyyy-mm-dd"}),
        "header": wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1}),
        "title": wb.add_format({"bold": True, "font_size": 14}),
    }
    for spec in SHEET_ORDER:
        _write_sheet(wb, spec, ledger.sheets[spec.key], fmt)
    wb.close()
    os.replace(tmp, path)
    return path


def ensure_big_ledger(force: bool = False, path: Path = BIG_LEDGER) -> Path:
    """The cached big ledger, generated first if missing (or when ``force``)."""
    if force or not path.exists():
        t0, c0 = time.perf_counter(), time.process_time()
        ledger = build_ledger()
        t1 = time.perf_counter()
        write_ledger(ledger, path)
        t2, c2 = time.perf_counter(), time.process_time()
        counts = {k: len(next(iter(v.values()))) for k, v in ledger.sheets.items()}
        # CPU time as well: on a shared machine the wall clock says more about the neighbours.
        print(f"generated {path} in {t2 - t0:.1f} s wall, {c2 - c0:.1f} s CPU "
              f"(data {t1 - t0:.1f} s, writing {t2 - t1:.1f} s), "
              f"{path.stat().st_size / 1e6:.1f} MB; rows: {counts}", file=sys.stderr)
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--force", action="store_true", help="rebuild even if the cached file exists")
    parser.add_argument("--out", type=Path, default=BIG_LEDGER, help=f"where to write (default {BIG_LEDGER})")
    args = parser.parse_args(argv)
    path = ensure_big_ledger(force=args.force, path=args.out)
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
