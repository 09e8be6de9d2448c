"""Time against N (worlds) and M (offers): the exact tally and the hot path.

The same random inputs as ``goldenbridge bench`` (K = 8 continuous issues, quadratic
losses, weighted worlds, a proposer and three deciders), at N = 10^4 .. 10^6 with
M = 100, and at M = 1 .. 10^4 with N = 10^4. Each cell is the best of ``repeats``
calls after a warm-up, for

* ``tally``: :func:`goldenbridge.engine.fused.tally`, float64, every field (what
  the analyses call today), and
* ``hot``: :func:`goldenbridge.engine.hot.deal_and_payoff`, float32, P(deal) and
  the proposer's EU (the kernel the bench measures).

``python benchmarks/scaling.py [--json]``; the table is in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from goldenbridge.bench import make_inputs
from goldenbridge.engine import fused, hot

N_GRID = (10_000, 100_000, 1_000_000)
M_GRID = (1, 10, 100, 1_000, 10_000)


def _best(fn, repeats: int) -> float:
    fn()
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def run(repeats: int = 2, k: int = 8, m_at_n: int = 100, n_at_m: int = 10_000, log=print):
    """Seconds per call of both engines over the N and M grids."""
    worlds, offers = make_inputs(max(N_GRID), max(M_GRID), k, n_actors=4)
    rows = []
    cells = [(n, m_at_n) for n in N_GRID] + [(n_at_m, m) for m in M_GRID if m != m_at_n]
    for n, m in cells:
        w, o = worlds.subset(slice(0, n)), offers.subset(slice(0, m))
        t_tally = _best(lambda w=w, o=o: fused.tally(w, o), repeats)
        t_hot = _best(lambda w=w, o=o: hot.deal_and_payoff(w, o), repeats)
        rows.append({"n": n, "m": m, "tally_s": t_tally, "hot_s": t_hot})
        log(f"N={n:>9} M={m:>6}  tally {t_tally:9.4f} s  hot {t_hot:9.4f} s")
    return {"k": k, "actors": 4, "load_average": os.getloadavg(), "rows": rows}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--json", action="store_true")
    a = p.parse_args(argv)
    result = run(a.repeats, log=(lambda s: None) if a.json else print)
    if a.json:
        json.dump(result, sys.stdout, indent=2)
        print()


if __name__ == "__main__":
    main()
