"""Benchmark: `gendan check` on a ledger with one stray value far away.

Builds the small ledger of the tests (BASE plus 200 出货 rows) three times: as is,
with a value in 出货!XFD5000 and with one in 出货!XFD1048576 (where the Rust
reader used to allocate the whole rectangle: 2.7 GB and 7 s, and 512 GB, an
abort). Each `gendan check` runs in a fresh process, capped at 4 GB of address
space so an old build fails fast instead of swapping; wall time and the child's
peak RSS (wait4) are reported, medians over --repeat runs.

    python benchmarks/bench_farcell.py [--repeat 3] [--big]

(from the repository root: each child runs `python -m gendan_xl` from there).

--big also puts a value at XFD1048576 in the 出货 sheet (about 100k rows) of the
big benchmark ledger (benchmarks/gen_ledger.py) and compares it with the ledger
as is.

Target (issue 10 item 8): the XFD1048576 case under 1 GB and under 5 s.
"""

from __future__ import annotations

import argparse
import copy
import io
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

CAP = 4 << 30


def _cap() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CAP, CAP))


def run_check(path: Path) -> tuple[float, float, int]:
    """(seconds, peak RSS bytes, exit code) of `gendan check path` in a fresh process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gendan_xl", "check", str(path), "--lang", "en"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=_cap,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    assert proc.stderr is not None
    err = proc.stderr.read().decode("utf-8", "replace")
    proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        print(f"  {path.name}: exit {code}: {err.strip().splitlines()[-1] if err.strip() else ''}")
    return elapsed, usage.ru_maxrss * 1024.0, code


def add_far_value(path: Path, sheet: str, ref: str) -> None:
    from gendan_xl.read.xlsxscan import sheet_parts

    row = "".join(ch for ch in ref if ch.isdigit())
    cell = f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'.encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        part = sheet_parts(zin)[sheet]
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == part:
                data = data.replace(b"</sheetData>", cell)
            zout.writestr(info.filename, data)
    path.write_bytes(buf.getvalue())


def small_ledgers(folder: Path) -> dict[str, Path]:
    from helpers import make_workbook
    from test_checks import BASE

    sheets = copy.deepcopy(BASE)
    for i in range(200):
        sheets["出货"].append([date(2026, 11, 5), "SO3", "1", 0, f"DN{100 + i}", date(2026, 11, 6)])
    out = {}
    for name, ref in (("no far cell", None), ("XFD5000", "XFD5000"), ("XFD1048576", "XFD1048576")):
        path = make_workbook(folder / f"{name.replace(' ', '_')}.xlsx", sheets)
        if ref:
            add_far_value(path, "出货", ref)
        out[name] = path
    return out


def big_ledgers(folder: Path) -> dict[str, Path]:
    from gen_ledger import ensure_big_ledger

    src = ensure_big_ledger()
    far = folder / "big_far.xlsx"
    far.write_bytes(src.read_bytes())
    add_far_value(far, "出货", "XFD1048576")
    return {"big, no far cell": src, "big, XFD1048576": far}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--big", action="store_true")
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        cases = small_ledgers(Path(tmp))
        if args.big:
            cases |= big_ledgers(Path(tmp))
        for name, path in cases.items():
            runs = [run_check(path) for _ in range(args.repeat)]
            secs = statistics.median(r[0] for r in runs)
            peak = max(r[1] for r in runs)
            codes = sorted({r[2] for r in runs})
            print(f"{name:>18}: median {secs:6.2f} s   peak {peak / 2**20:7.0f} MiB   exit {codes}")
            if name == "XFD1048576":
                ok = secs < 5 and peak < 2**30 and codes in ([0], [1], [0, 1])
    print("PASS" if ok else "MISS", "(XFD1048576: under 5 s and 1 GB, check completes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
