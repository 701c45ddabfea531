"""Check that a change to the planning code leaves its results exactly as they were.

Plans the demo ledger (``workbooks/演示台账.xlsx`` at 2026-11-26) and, when given,
a pickled big ledger (e.g. the open-work-order variant of ``bench_materials.py``,
pickled after ``check_ledger`` so that its order book is built), and compares
every frame of the plan (orders, work orders, capacity, overloads, the material
plan) and its JSON with a reference saved before the change:

    python benchmarks/check_plan_same.py save  [--big /tmp/ledger.pkl] [--ref /tmp/plan_ref.pkl]
    python benchmarks/check_plan_same.py check [--big /tmp/ledger.pkl] [--ref /tmp/plan_ref.pkl]

``check`` also prints how long ``plan_ledger`` took on each ledger.
"""

from __future__ import annotations

import argparse
import pickle
import sys
from datetime import date
from pathlib import Path
from time import perf_counter
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gendan_xl.engine import check_ledger  # noqa: E402
from gendan_xl.plan import plan_ledger  # noqa: E402
from gendan_xl.read import read_ledger  # noqa: E402

DEMO = ROOT / "workbooks" / "演示台账.xlsx"
DEMO_AS_OF = date(2026, 11, 26)
BIG_AS_OF = date(2026, 11, 26)  # gen_ledger.AS_OF


def _snapshot(ledger: Any, as_of: date) -> tuple[dict[str, Any], float]:
    t0 = perf_counter()
    plan = plan_ledger(ledger, as_of)
    seconds = perf_counter() - t0
    frames = {
        "orders": plan.orders, "work_orders": plan.work_orders, "capacity_daily": plan.capacity_daily,
        "capacity_weekly": plan.capacity_weekly, "overloads": plan.overloads, "otd": plan.otd,
        "rates": plan.rates, "line_yield": plan.line_yield, "forecasts": plan.forecasts,
    }
    out: dict[str, Any] = {"json": plan.to_json(), "starts": plan.starts, "issues": [i.code for i in plan.issues]}
    if plan.materials is not None:
        m = plan.materials
        frames.update({"m_requirements": m.requirements, "m_jobs": m.jobs, "m_purchases": m.purchases,
                       "m_prices": m.prices, "m_draws": m.draws})
        out["materials_json"] = m.to_json()
    out["frames"] = frames
    return out, seconds


def _ledgers(big: Path | None) -> dict[str, tuple[Any, date]]:
    demo = read_ledger(DEMO, DEMO_AS_OF)
    check_ledger(demo, DEMO_AS_OF)
    out = {"demo": (demo, DEMO_AS_OF)}
    if big is not None:
        with big.open("rb") as f:
            out["big"] = (pickle.load(f), BIG_AS_OF)
    return out


def _compare(name: str, ref: dict[str, Any], now: dict[str, Any]) -> list[str]:
    problems = []
    for key in ("json", "starts", "issues", "materials_json"):
        if ref.get(key) != now.get(key):
            problems.append(f"{name}: {key} differs")
    for key, frame in ref["frames"].items():
        try:
            pd.testing.assert_frame_equal(frame, now["frames"][key], check_exact=True)
        except AssertionError as e:
            problems.append(f"{name}: frame {key} differs: {str(e)[:400]}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", choices=("save", "check"))
    parser.add_argument("--big", type=Path, default=None, help="a pickled, checked Ledger")
    parser.add_argument("--ref", type=Path, default=Path("/tmp/plan_ref.pkl"))
    args = parser.parse_args()
    results = {}
    for name, (ledger, as_of) in _ledgers(args.big).items():
        results[name], seconds = _snapshot(ledger, as_of)
        print(f"{name}: plan_ledger {seconds:.2f} s")
    if args.mode == "save":
        with args.ref.open("wb") as f:
            pickle.dump(results, f)
        print(f"saved {args.ref}")
        return 0
    with args.ref.open("rb") as f:
        ref = pickle.load(f)
    problems = [p for name in results for p in _compare(name, ref[name], results[name])]
    print("\n".join(problems) if problems else "SAME")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
