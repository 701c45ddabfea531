"""Benchmark: `gendan batch` end to end on the 100k-order / 1M-daily-row ledger
(snapshot, read, check, plan once, the report, the shipment plan and the issue
workbook: what the issue measures; statements are off, since a first run on a fresh
output folder would make one per customer) against a bare fastexcel read of the
same sheets.

Each measurement runs in a fresh process (the batch one through the `gendan`
command itself, in a scratch shared folder holding a copy of the ledger); runs are
interleaved so machine noise hits both alike; figures are medians over --repeat
runs. Run:

    python benchmarks/bench_batch.py [--repeat 3]

Target (issue "Order fate a clerk can trust"): median(batch) / median(bare read)
<= 3.0.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen_ledger import AS_OF, ensure_big_ledger  # noqa: E402

SHEETS = ("订单", "产品", "产线", "日历", "工单", "生产日报", "出货", "客户", "设置")
TARGET = 3.0

BARE = r"""
import json, resource, sys, time
import fastexcel
t0 = time.perf_counter()
path, sheets = sys.argv[1], json.loads(sys.argv[2])
reader = fastexcel.read_excel(path)
rows = sum(len(reader.load_sheet(n, schema_sample_rows=None).to_pandas()) for n in reader.sheet_names if n in sheets)
print(json.dumps({"seconds": time.perf_counter() - t0, "rows": rows,
                  "peak_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""

CONFIG = """[ledger]
workbook = "台账.xlsx"

[output]
folder = "输出"
keep = 3

[produce]
check = true
report = true
shipment_plan = true
statements = false
"""


def bare(path: Path) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, "-c", BARE, str(path), json.dumps(SHEETS, ensure_ascii=False)],
        check=True, capture_output=True, text=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def batch(folder: Path) -> dict[str, float]:
    """One `gendan batch` run over ``folder`` (a fresh output folder each time)."""
    shutil.rmtree(folder / "输出", ignore_errors=True)
    gendan = Path(sys.executable).with_name("gendan")
    cmd = [str(gendan)] if gendan.exists() else [sys.executable, "-m", "gendan_xl"]
    t0 = time.perf_counter()
    proc = subprocess.run(
        [*cmd, "batch", str(folder), "--as-of", AS_OF.isoformat()],
        capture_output=True, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    seconds = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"gendan batch failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    record = json.loads((folder / "输出" / "gendan-batch.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    return {"seconds": seconds, "exit": proc.returncode, "record": record}  # type: ignore[dict-item]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    path = ensure_big_ledger()
    print(f"ledger: {path} ({path.stat().st_size / 1e6:.1f} MB), as of {AS_OF}")
    with tempfile.TemporaryDirectory(prefix="gendan-bench-batch-") as tmp:
        folder = Path(tmp)
        shutil.copyfile(path, folder / "台账.xlsx")
        (folder / "gendan.toml").write_text(CONFIG, encoding="utf-8")
        runs: dict[str, list[dict[str, float]]] = {"bare": [], "batch": []}
        for i in range(args.repeat):
            runs["bare"].append(bare(path))
            runs["batch"].append(batch(folder))
            print(f"  run {i + 1}: bare {runs['bare'][-1]['seconds']:.2f} s, "
                  f"batch {runs['batch'][-1]['seconds']:.2f} s", flush=True)
        record = runs["batch"][-1]["record"]
        outputs = sorted(p.name for p in (folder / "输出").glob("*.xlsx"))
        sizes = {p.name: p.stat().st_size for p in (folder / "输出").glob("*.xlsx")}
    b = statistics.median(r["seconds"] for r in runs["bare"])
    t = statistics.median(r["seconds"] for r in runs["batch"])
    print(f"bare fastexcel read of {len(SHEETS)} sheets: median {b:7.2f} s ({runs['bare'][0]['rows']:,} rows)")
    print(f"gendan batch (exit {runs['batch'][-1]['exit']}):         median {t:7.2f} s")
    print(f"  issues {record.get('issues')}, {len(outputs)} outputs: {outputs[:6]}")
    print(f"  output sizes (MB): { {k: round(v / 1e6, 1) for k, v in list(sizes.items())[:6]} }")
    ratio = t / b
    print(f"batch / bare read: {ratio:.2f}x  (target <= {TARGET}x)")
    print("PASS" if ratio <= TARGET else "MISS")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
