"""Benchmark: `gendan check` on a 100k-order / 1M-daily-row ledger against
(a) a bare read of the same sheets with fastexcel (the fastest Rust reader) and
(b) pandas.read_excel with openpyxl, plus peak memory.

Each measurement runs in a fresh subprocess (so peak RSS is its own); times are
medians over --repeat runs (openpyxl once: it takes minutes). Run:

    python benchmarks/bench_check.py [--repeat 3] [--skip-openpyxl]

Targets (issue 2): check <= 1.4x the bare read (issue 9; 1.5x in issue 2), >= 5x faster than pandas+openpyxl,
peak memory <= 2 GB.
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

from gen_ledger import ensure_big_ledger  # noqa: E402

SHEETS = ("订单", "产品", "产线", "工单", "生产日报", "出货", "客户")

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
path, mode = sys.argv[1], sys.argv[2]
sheets = json.loads(sys.argv[3])
t0 = time.perf_counter()
if mode == "bare":
    import fastexcel
    reader = fastexcel.read_excel(path)
    names = [s for s in reader.sheet_names if s in sheets]
    rows = 0
    for name in names:
        df = reader.load_sheet(name, schema_sample_rows=None).to_pandas()
        rows += len(df)
elif mode == "bare-arrow":
    import fastexcel
    reader = fastexcel.read_excel(path)
    rows = 0
    for name in [s for s in reader.sheet_names if s in sheets]:
        rows += reader.load_sheet(name, schema_sample_rows=None).to_arrow().num_rows
elif mode == "openpyxl":
    import pandas as pd
    frames = pd.read_excel(path, sheet_name=[s for s in sheets], engine="openpyxl")
    rows = sum(len(f) for f in frames.values())
elif mode == "check":
    from datetime import date
    from gendan_xl.engine import check
    result = check(Path(path), date(2026, 11, 26))
    rows = sum(result.ledger.row_counts.values())
    print("issues", len(result.issues), file=sys.stderr)
else:
    raise SystemExit("unknown mode " + mode)
elapsed = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": elapsed, "peak_bytes": peak, "rows": rows}))
"""


def measure(path: Path, mode: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), mode, json.dumps(SHEETS, ensure_ascii=False)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-openpyxl", action="store_true")
    args = parser.parse_args()
    path = ensure_big_ledger()
    print(f"ledger: {path} ({path.stat().st_size / 1e6:.1f} MB)")
    results: dict[str, list[dict[str, float]]] = {}
    # Interleave the runs so machine noise hits every method alike.
    for _ in range(args.repeat):
        for mode in ("bare", "bare-arrow", "check"):
            results.setdefault(mode, []).append(measure(path, mode))
    if not args.skip_openpyxl:
        results["openpyxl"] = [measure(path, "openpyxl")]
    med = {m: statistics.median(r["seconds"] for r in rs) for m, rs in results.items()}
    peak = {m: max(r["peak_bytes"] for r in rs) for m, rs in results.items()}
    rows = results["check"][0]["rows"]
    for mode in results:
        runs = " ".join(f"{r['seconds']:.2f}" for r in results[mode])
        print(f"{mode:>11}: median {med[mode]:7.2f} s   peak {peak[mode] / 2**20:7.0f} MiB   runs {runs}")
    print(f"rows read by check: {rows:,.0f}")
    ratio_bare = med["check"] / med["bare"]
    print(f"check / bare fastexcel read (to pandas): {ratio_bare:.2f}x  (target <= 1.4x)")
    print(f"check / bare fastexcel read (to arrow):  {med['check'] / med['bare-arrow']:.2f}x")
    ok = ratio_bare <= 1.4 and peak["check"] <= 2 * 2**30
    if "openpyxl" in med:
        speedup = med["openpyxl"] / med["check"]
        print(f"pandas+openpyxl / check: {speedup:.1f}x faster  (target >= 5x)")
        ok = ok and speedup >= 5
    print(f"check peak memory: {peak['check'] / 2**30:.2f} GiB (target <= 2 GiB)")
    print("PASS" if ok else "MISS")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
