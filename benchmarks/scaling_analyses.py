"""Each analysis's time and peak memory against N (worlds) and M (offers), whole process.

``benchmarks/scaling.py`` times the engine's kernels alone; this script times what the
analyses do on russia-2021 (docs/design.md: its allies decide under the approval rule,
each with its own information), each cell in a process of its own with the numba cache
warm: its wall time from start to exit and its peak resident set (``ru_maxrss`` of the
child, from :func:`os.wait4`), the process's imports (0.3 GiB of it: numpy, scipy,
numba) included.

Cells:

* ``evaluate``: the 7 named offers on N = 10^4, 10^5, 10^6 worlds (the CLI);
  and M = 1 .. 10^4 offers drawn uniformly on the issues' ranges on N = 10^4 worlds
  (``gb.evaluate`` on them, one process per cell);
* ``optimize``: N = 10^4 and 10^5 (the CLI; the default is 10^5);
* ``negotiate --rounds 4``: N = 10^4, 3 x 10^4, 10^5 (the CLI; G = 101 grid offers).

``python benchmarks/scaling_analyses.py [--json] [--only evaluate]``; the table is in
docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: evaluate on M random offers: the offers drawn with a fixed seed, then one call
_OFFERS = """
import sys, numpy as np, goldenbridge as gb
s = gb.load("russia-2021")
n, m = int(sys.argv[1]), int(sys.argv[2])
rng = np.random.default_rng(0)
offers = {f"o{i}": {k.name: float(rng.uniform(k.min, k.max)) for k in s.issues} for i in range(m)}
gb.evaluate(s, offers, samples=n)
"""


Cell = tuple[str, int, int | None, list[str]]


def cells(only: set[str] | None = None) -> list[Cell]:
    """(analysis, N, M, arguments after ``python``) of every cell (M None: the analysis
    chooses its offers)."""

    def cli(*args: str, n: int) -> list[str]:
        return [sys.executable, "-m", "goldenbridge", *args, "--samples", str(n), "--json"]

    out: list[Cell] = []
    for n in (10_000, 100_000, 1_000_000):
        out.append(("evaluate", n, 7, cli("evaluate", "russia-2021", n=n)))
    for m in (1, 10, 100, 1_000, 10_000):
        out.append(("evaluate", 10_000, m, [sys.executable, "-c", _OFFERS, "10000", str(m)]))
    for n in (10_000, 100_000):
        out.append(("optimize", n, None, cli("optimize", "russia-2021", n=n)))
    for n in (10_000, 30_000, 100_000):
        out.append(("negotiate", n, 101, cli("negotiate", "russia-2021", "--rounds", "4", n=n)))
    return [c for c in out if only is None or c[0] in only]


def measure(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident GiB of one process running ``args``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    start = time.perf_counter()
    child = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = code = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    if code:
        raise SystemExit(f"{' '.join(args[:6])}...: exit code {code}")
    return wall, usage.ru_maxrss / 2**20  # kiB -> GiB


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--json", action="store_true")
    p.add_argument("--only", action="append", help="an analysis (repeatable)")
    a = p.parse_args(argv)
    todo = cells(set(a.only) if a.only else None)
    first: dict[str, list[str]] = {}
    for name, _, _, args in todo:
        first.setdefault(name, args)
    for args in first.values():  # each analysis's first cell, untimed: the numba cache warm
        measure(args)
    rows = []
    for name, n, m, args in todo:
        wall, gib = measure(args)
        rows.append({"analysis": name, "n": n, "m": m, "wall_s": wall, "peak_gib": gib})
        if not a.json:
            offers = "-" if m is None else f"{m:,}"
            print(f"{name:10} N={n:>9,} M={offers:>6}  {wall:8.2f} s  {gib:6.2f} GiB", flush=True)
    if a.json:
        print(json.dumps({"load_average": os.getloadavg(), "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
