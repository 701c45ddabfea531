"""Benchmark: requirements, allocation and the material-aware plan on about 100k
OPEN work orders with 5 BOM lines per item, 20k materials, 50k purchase lines and
200k requisitions, against a bare fastexcel read of the same sheets.

The big ledger (``gen_ledger.py``) has about 100k work orders, but nearly all of
them are finished, so allocation would barely run. This benchmark writes its own
variant of it (same seed, same rows): every order line and its work order get
10% more quantity than was made and shipped (``q + max(1, q // 10)``) and no work
order is 完成, so every work order is open with about a tenth of its work left
(a backlog of some four months per line). It is cached as
``benchmarks/.cache/materials_open/台账.xlsx``. The material sheets are generated
once (seeded, numpy) into ``物料.xlsx`` beside it, with a gendan.toml naming both. Each measurement runs in a fresh subprocess, runs are
interleaved, figures are medians over --repeat runs:

    python benchmarks/bench_materials.py [--repeat 3]

Target (issue 12): the plan with materials (requirements + allocation + the
material-aware schedule, i.e. all of ``plan_ledger``) costs <= 0.5x the bare read.
The figure without the material sheets is printed beside it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from datetime import datetime, time
from pathlib import Path
from time import perf_counter

import numpy as np
import xlsxwriter

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen_ledger import AS_OF, CACHE_DIR, build_ledger, write_ledger  # noqa: E402

FOLDER = CACHE_DIR / "materials_open"
N_MATERIALS, BOM_PER_ITEM, N_PURCHASES, N_REQUISITIONS = 20_000, 5, 50_000, 200_000

CHILD = r"""
import json, resource, sys, time
from datetime import date
from pathlib import Path
folder, mode, as_of = Path(sys.argv[1]), sys.argv[2], date.fromisoformat(sys.argv[3])
out = {}
t0 = time.perf_counter()
if mode == "bare":
    import fastexcel
    rows = 0
    for f in ("台账.xlsx", "物料.xlsx"):
        reader = fastexcel.read_excel(str(folder / f))
        for name in reader.sheet_names:
            rows += len(reader.load_sheet(name, schema_sample_rows=None).to_pandas())
    out["rows"] = rows
else:
    from gendan_xl.ledger import Table
    from gendan_xl.plan import plan_ledger
    from gendan_xl.read import read_ledger
    ledger = read_ledger(folder, as_of)
    ledger.book
    t1 = time.perf_counter()
    result = plan_ledger(ledger, as_of)
    t2 = time.perf_counter()
    bom = ledger.tables["bom"]
    ledger.tables["bom"] = Table(bom.spec, bom.df.iloc[:0], [])
    bare_plan = plan_ledger(ledger, as_of)
    t3 = time.perf_counter()
    m = result.materials
    out.update(read=t1 - t0, plan=t2 - t1, plan_without=t3 - t2, requirements=len(m.requirements),
               short=int((m.requirements["short"] > 0).sum()), late_purchases=len(m.late_purchases),
               material_late=int((result.orders["reason"] == "material_shortage").sum()),
               work_orders=len(result.work_orders), no_material_orders=len(bare_plan.orders))
out["seconds"] = time.perf_counter() - t0
out["peak_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps(out))
"""


def _write(path: Path, sheets: dict[str, tuple[list[str], list[np.ndarray]]]) -> None:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for name, (headers, cols) in sheets.items():
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, headers)
        lists = [c.tolist() for c in cols]
        for r, row in enumerate(zip(*lists, strict=True), start=1):
            for c, v in enumerate(row):
                if hasattr(v, "year"):
                    ws.write_datetime(r, c, datetime.combine(v, time()), date_fmt)
                else:
                    ws.write(r, c, v)
    wb.close()


def _more(q: object) -> object:
    """10% more than was made (at least one more piece); planted text stays text."""
    return q + max(1, q // 10) if isinstance(q, int) else q


def ensure_open_ledger(force: bool = False) -> Path:
    """The big ledger with every work order open (see the module's docstring)."""
    path = FOLDER / "台账.xlsx"
    if path.exists() and not force:
        return path
    t0 = perf_counter()
    ledger = build_ledger()
    orders, wos = ledger.sheets["orders"], ledger.sheets["work_orders"]
    orders["qty"] = [_more(q) for q in orders["qty"]]
    wos["qty"] = [_more(q) for q in wos["qty"]]
    wos["status"] = ["未开工" if s == "未开工" else "生产中" for s in wos["status"]]
    write_ledger(ledger, path)
    print(f"generated {path} in {perf_counter() - t0:.0f} s: {len(wos['wo_no']):,} work orders, all open",
          file=sys.stderr)
    return path


def ensure_materials(force: bool = False) -> Path:
    """The benchmark folder: the open-work-order ledger, 物料.xlsx and gendan.toml."""
    import fastexcel

    big = ensure_open_ledger(force)
    target = FOLDER / "物料.xlsx"
    if target.exists() and not force:
        return FOLDER
    rng = np.random.default_rng(12)
    reader = fastexcel.read_excel(str(big))
    wo = reader.load_sheet("工单", schema_sample_rows=None).to_pandas()
    items = reader.load_sheet("产品", schema_sample_rows=None).to_pandas()["产品编码"].astype(str).unique()
    materials = np.array([f"M{i:05d}" for i in range(N_MATERIALS)], dtype=object)
    bom_item = np.repeat(items, BOM_PER_ITEM)
    bom_mat = materials[rng.integers(0, N_MATERIALS, len(bom_item))]
    per = rng.choice([0.01, 0.05, 0.2, 1.0, 2.0], len(bom_item))
    loss = rng.choice([0.0, 0.02, 0.05], len(bom_item))
    stock = rng.integers(0, 20_000, N_MATERIALS).astype(float)
    lead = rng.choice([7.0, 15.0, 30.0], N_MATERIALS)
    as_of = np.datetime64(AS_OF, "D")
    po_due = as_of + rng.integers(-20, 60, N_PURCHASES).astype("timedelta64[D]")
    po_qty = rng.integers(100, 20_000, N_PURCHASES).astype(float)
    po_mat = materials[rng.integers(0, N_MATERIALS, N_PURCHASES)]
    wo_no = wo["工单号"].astype(str).to_numpy()
    wo_item = wo["产品编码"].astype(str).to_numpy()
    pick = rng.integers(0, len(wo_no), N_REQUISITIONS)
    by_item = {}
    for i, m in zip(bom_item, bom_mat, strict=True):
        by_item.setdefault(i, []).append(m)
    req_mat = np.array([by_item.get(wo_item[k], ["M00000"])[j] if wo_item[k] in by_item else "M00000"
                        for k, j in zip(pick, rng.integers(0, BOM_PER_ITEM, N_REQUISITIONS), strict=True)],
                       dtype=object)
    def dates(a: np.ndarray) -> np.ndarray:
        return np.array([d.item() for d in a], dtype=object)
    _write(target, {
        "BOM": (["产品编码", "物料编码", "用量", "损耗率"], [bom_item, bom_mat, per, loss]),
        "物料": (["物料编码", "库存", "类型", "采购周期"],
                 [materials, stock, np.full(N_MATERIALS, "外购", dtype=object), lead]),
        "采购": (["采购单号", "供应商", "物料编码", "数量", "单价", "下单日期", "预计到货", "已到数量"],
                 [np.array([f"PO{i:06d}" for i in range(N_PURCHASES)], dtype=object),
                  np.array([f"S{i % 500:03d}" for i in range(N_PURCHASES)], dtype=object), po_mat, po_qty,
                  np.full(N_PURCHASES, 10.0), dates(po_due - np.timedelta64(30, "D")), dates(po_due),
                  np.zeros(N_PURCHASES)]),
        "领料": (["日期", "工单号", "物料编码", "数量"],
                 [dates(as_of - rng.integers(1, 60, N_REQUISITIONS).astype("timedelta64[D]")), wo_no[pick],
                  req_mat, rng.integers(1, 50, N_REQUISITIONS).astype(float)]),
        "供应商价格": (["供应商", "物料编码", "单价", "生效日期"],
                       [np.array([f"S{i % 500:03d}" for i in range(N_MATERIALS)], dtype=object), materials,
                        np.full(N_MATERIALS, 10.0), dates(np.full(N_MATERIALS, as_of - np.timedelta64(400, "D")))]),
    })
    (FOLDER / "gendan.toml").write_text(
        '[ledger]\nworkbook = "台账.xlsx"\nbom = "物料.xlsx"\nmaterials = "物料.xlsx"\npurchases = "物料.xlsx"\n'
        'requisitions = "物料.xlsx"\nsupplier_prices = "物料.xlsx"\n', encoding="utf-8")
    return FOLDER


def measure(mode: str) -> dict[str, object]:
    proc = subprocess.run([sys.executable, "-c", CHILD, str(FOLDER), mode, AS_OF.isoformat()],
                          check=True, capture_output=True, text=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--force", action="store_true", help="regenerate the ledger and the material sheets")
    args = parser.parse_args()
    ensure_materials(args.force)
    runs: dict[str, list[dict[str, object]]] = {"bare": [], "plan": []}
    for i in range(args.repeat):
        for mode in runs:
            runs[mode].append(measure(mode))
            print(f"  run {i + 1} {mode}: {float(runs[mode][-1]['seconds']):.2f} s", flush=True)

    def med(mode: str, key: str) -> float:
        return statistics.median(float(r[key]) for r in runs[mode])  # type: ignore[arg-type]

    bare, plan, without = med("bare", "seconds"), med("plan", "plan"), med("plan", "plan_without")
    last = runs["plan"][-1]
    print(f"bare fastexcel read: median {bare:.2f} s ({runs['bare'][0]['rows']:,} rows)")
    print(f"plan with materials: median {plan:.2f} s; without the material sheets {without:.2f} s")
    print(f"  {last['work_orders']:,} work orders, {last['requirements']:,} requirements, {last['short']:,} short, "
          f"{last['late_purchases']:,} late purchases, {last['material_late']:,} order lines late for material")
    ratio = plan / bare
    print(f"plan with materials / bare read: {ratio:.2f}x  (target <= 0.5x)")
    print("PASS" if ratio <= 0.5 else "MISS")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
