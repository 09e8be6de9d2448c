"""Peak memory of the engine at N = 10^6 worlds, M = 10^4 offers, K = 8 issues.

Run ``python benchmarks/memory_engine.py`` from the repository root. Prints the peak
resident set size of the whole process (``resource.getrusage``) after building the
inputs, after the float32 hot path (``deal_and_payoff``, P(deal) and EU), and after
each of two exact ``tally`` calls (the second reuses the kept packing), with the
wall-clock seconds. The figures in docs/performance.md come from here.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from goldenbridge.engine import deal_and_payoff, tally  # noqa: E402
from strategies import random_offers, random_worlds  # noqa: E402


def peak_gib() -> float:
    """Peak resident set size of this process so far, GiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def main() -> None:
    rng = np.random.default_rng(1)
    worlds = random_worlds(rng, 1_000_000, n_actors=2, kc=8, kd=0, n_groups=2)
    offers = random_offers(rng, 10_000, 8, 0, 3)
    print(f"inputs           {peak_gib():.2f} GiB", flush=True)
    start = time.perf_counter()
    deal_and_payoff(worlds, offers)
    print(f"deal_and_payoff  {peak_gib():.2f} GiB  {time.perf_counter() - start:.0f} s", flush=True)
    for label in ("tally", "tally again"):
        start = time.perf_counter()
        tally(worlds, offers)
        print(f"{label:<16} {peak_gib():.2f} GiB  {time.perf_counter() - start:.0f} s", flush=True)


if __name__ == "__main__":
    main()
