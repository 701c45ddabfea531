"""Benchmark: `gendan plan` (read + check + plan) on the 100k-order / 1M-daily-row
ledger against a bare fastexcel read of the same sheets.

Each measurement runs in a fresh subprocess; the runs are interleaved so machine
noise hits both alike; figures are medians over --repeat runs. Run:

    python benchmarks/bench_plan.py [--repeat 3]

Target (issue 3): planning on top of reading costs <= 0.5x the bare read, i.e.
median(plan stage) / median(bare read) <= 0.5.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen_ledger import AS_OF, ensure_big_ledger  # noqa: E402

# Every sheet `gendan plan` reads.
SHEETS = ("订单", "产品", "产线", "日历", "工单", "生产日报", "出货", "客户", "设置")

CHILD = r"""
import json, resource, sys, time
from datetime import date
from pathlib import Path
path, mode, sheets, as_of = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), date.fromisoformat(sys.argv[4])
out = {}
t0 = time.perf_counter()
if mode == "bare":
    import fastexcel
    reader = fastexcel.read_excel(path)
    rows = 0
    for name in [s for s in reader.sheet_names if s in sheets]:
        rows += len(reader.load_sheet(name, schema_sample_rows=None).to_pandas())
    out["rows"] = rows
elif mode == "plan":
    from gendan_xl.engine import check_ledger
    from gendan_xl.plan import plan_ledger
    from gendan_xl.read import read_ledger
    ledger = read_ledger(Path(path), as_of)
    t1 = time.perf_counter()
    checked = check_ledger(ledger, as_of)
    t2 = time.perf_counter()
    result = plan_ledger(ledger, as_of)
    t3 = time.perf_counter()
    out.update(read=t1 - t0, check=t2 - t1, plan=t3 - t2, issues=len(checked.issues),
               orders=len(result.orders), statuses=result.status_counts(),
               overloads=len(result.overloads), capacity_rows=len(result.capacity_daily))
else:
    raise SystemExit("unknown mode " + mode)
out["seconds"] = time.perf_counter() - t0
out["cpu_seconds"] = time.process_time()
out["peak_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps(out))
"""


def measure(path: Path, mode: str) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), mode, json.dumps(SHEETS, ensure_ascii=False), AS_OF.isoformat()],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    path = ensure_big_ledger()
    print(f"ledger: {path} ({path.stat().st_size / 1e6:.1f} MB), as of {AS_OF}")
    runs: dict[str, list[dict[str, object]]] = {"bare": [], "plan": []}
    for i in range(args.repeat):
        for mode in runs:
            runs[mode].append(measure(path, mode))
            print(f"  run {i + 1} {mode}: {float(runs[mode][-1]['seconds']):.2f} s", flush=True)

    def med(mode: str, key: str) -> float:
        return statistics.median(float(r[key]) for r in runs[mode])  # type: ignore[arg-type]

    bare = med("bare", "seconds")
    total = med("plan", "seconds")
    read, check, plan = med("plan", "read"), med("plan", "check"), med("plan", "plan")
    last = runs["plan"][-1]
    print(f"bare fastexcel read of {len(SHEETS)} sheets: median {bare:7.2f} s  ({runs['bare'][0]['rows']:,} rows)")
    print(f"read + check + plan:                median {total:7.2f} s  "
          f"(read {read:.2f}, check {check:.2f}, plan {plan:.2f})")
    print(f"  {last['orders']:,} order lines, statuses {last['statuses']}, "
          f"{last['overloads']} overloads, {last['capacity_rows']} line-days")
    print(f"peak memory: bare {max(float(r['peak_bytes']) for r in runs['bare']) / 2**30:.2f} GiB, "
          f"plan {max(float(r['peak_bytes']) for r in runs['plan']) / 2**30:.2f} GiB")
    ratio = plan / bare
    print(f"planning on top of reading / bare read: {ratio:.2f}x  (target <= 0.5x)")
    print(f"(read + check + plan) / bare read:      {total / bare:.2f}x")
    print("PASS" if ratio <= 0.5 else "MISS")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
