"""Engine benchmark: pairs/s of each way to count acceptances, against the machine's peak.

Run ``goldenbridge bench [--json]`` or ``python -m goldenbridge.bench``. On the
same random inputs (N worlds, M offers, K continuous issues, quadratic loss,
random world weights) it times, best of ``repeats``:

* numpy naive broadcast ``(w * (x - a)**2).sum(-1) <= thr`` (on a slice of worlds),
* numpy matmul, the expanded square ``-w.(x^2)' + 2(w*a).x' - sum w a^2`` in float32,
* the fused hot-path kernels (:func:`goldenbridge.engine.hot.deal_and_payoff`,
  float32): one actor; three deciders jointly; three deciders plus the proposer's
  payoff; M = 10 offers (one register vector of 16 lanes, 10 used; best of 10x
  the repeats, as a call takes half a millisecond); and the exact float64 tally
  (:func:`goldenbridge.engine.fused.tally`),
* negmas' linear-additive utility function per outcome, when negmas is installed
  (it is AGPL: imported only here, inside the function, never by the package),
* the fp32 peak: a large float32 matmul, measured in the same run.

FLOPs per world-offer pair and actor are counted as ``4K + 2`` (per issue a
subtraction, a square and a weighted add; then the comparison and the count).
The last line printed is one JSON object with the headline figures.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from goldenbridge.engine import fused, hot
from goldenbridge.engine.arrays import ActorArrays, Offers, Worlds

__all__ = ["run", "main", "make_inputs", "negmas_ufun"]


def make_inputs(n: int, m: int, k: int, n_actors: int = 1, seed: int = 0) -> tuple[Worlds, Offers]:
    """Random worlds (weighted, quadratic, K continuous issues) and offers.

    Actor 0 proposes; with one actor it also decides, otherwise actors 1.. decide.
    """
    rng = np.random.default_rng(seed)
    actors = tuple(
        ActorArrays(
            weight=rng.dirichlet(np.ones(k), n),
            ideal=rng.random((n, k)),
            rho=np.full(n, 2.0),
            table=np.zeros((n, 0, 0)),
            reservation=rng.uniform(0.5, 0.95, n),
        )
        for _ in range(n_actors)
    )
    deciders = (0,) if n_actors == 1 else tuple(range(1, n_actors))
    worlds = Worlds(
        actors, 0, deciders, rng.random(n) < 0.5, rng.uniform(0.5, 1.5, n), np.zeros(n, np.int64), 1
    )
    return worlds, Offers(rng.random((m, k)), np.zeros((m, 0), np.int64))


def _best(fn: Callable[[], object], repeats: int) -> float:
    """Best wall time of ``repeats`` calls, after one warm-up call."""
    fn()
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return float(best)


def _peak_gflops(repeats: int, size: int = 4096) -> float:
    """fp32 GFLOP/s of a large float32 matrix product (BLAS, its own threads)."""
    rng = np.random.default_rng(1)
    a = rng.random((size, size), dtype=np.float32)
    b = rng.random((size, size), dtype=np.float32)
    return 2 * size**3 / _best(lambda: a @ b, repeats) / 1e9


def _naive(worlds: Worlds, offers: Offers) -> np.ndarray:
    a = worlds.actors[0]
    d = offers.x[None, :, :] - a.ideal[:, None, :]
    loss = (a.weight[:, None, :] * d**2).sum(-1)
    ok = loss <= (a.weight.sum(1) - a.reservation)[:, None]
    return worlds.weights @ ok


def _matmul(worlds: Worlds, offers: Offers, block: int = 8192) -> np.ndarray:
    a = worlds.actors[0]
    x = offers.x.astype(np.float32)
    w = a.weight.astype(np.float32)
    wa = (a.weight * a.ideal).astype(np.float32)
    const = (a.weight * a.ideal**2).sum(1).astype(np.float32)
    thr = (a.weight.sum(1) - a.reservation).astype(np.float32)
    out = np.zeros(offers.m)
    for n0 in range(0, worlds.n, block):
        s = slice(n0, n0 + block)
        loss = w[s] @ (x * x).T - 2 * wa[s] @ x.T + const[s, None]
        out += worlds.weights[s] @ (loss <= thr[s, None])
    return out


def negmas_ufun(weight: np.ndarray, ideal: np.ndarray):
    """negmas' LinearAdditiveUtilityFunction for ``sum_c w_c (1 - (x_c - a_c)^2)``.

    The same utility the engine computes for one world (K continuous issues on
    [0, 1], quadratic loss). Raises ImportError without negmas (AGPL: imported
    here only, never by the package).
    """
    from negmas.outcomes import make_issue
    from negmas.preferences import LinearAdditiveUtilityFunction

    issues = [make_issue((0.0, 1.0), name=f"i{c}") for c in range(len(weight))]
    values = [lambda v, a=float(a): 1.0 - (v - a) ** 2 for a in ideal]
    return LinearAdditiveUtilityFunction(
        values=values, weights=[float(w) for w in weight], issues=issues
    )


def _negmas_rate(k: int, outcomes: int = 20_000) -> float | None:
    """Outcomes/s of negmas' LinearAdditiveUtilityFunction, or None without negmas."""
    rng = np.random.default_rng(2)
    try:
        ufun = negmas_ufun(rng.dirichlet(np.ones(k)), rng.random(k))
    except ImportError:
        return None
    points = [tuple(p) for p in rng.random((outcomes, k))]
    return outcomes / _best(lambda: [ufun(p) for p in points], 1)


def run(
    n: int = 200_000,
    m: int = 2_000,
    k: int = 8,
    repeats: int = 3,
    scaling: bool = True,
    log: Callable[[str], None] = print,
    peak_size: int = 4096,
) -> dict[str, Any]:
    """Run the benchmark; return the figures (see the module docstring).

    Parameters
    ----------
    n, m, k : int
        Worlds, offers, continuous issues.
    repeats : int
        Timed calls per measurement (the best is kept).
    scaling : bool
        Also time the fused kernel at N/4, N/2, N and M/4, M/2, M.
    log : callable
        Receives the table's lines.
    peak_size : int
        Side of the float32 matrices whose product measures the peak.
    """
    import numba

    flops = 4 * k + 2
    one, offers = make_inputs(n, m, k, 1)
    three, _ = make_inputs(n, m, k, 4)  # proposer + three deciders
    joint = Worlds(three.actors[1:], 0, (0, 1, 2), three.fight, three.weights, three.group, 1)
    rows: list[tuple[str, int, int, float, float]] = []  # name, n, m, seconds, actors

    def timed(name, worlds, offs, fn, actors=1, reps=repeats):
        rows.append((name, worlds.n, offs.m, _best(fn, reps), actors))
        return worlds.n * offs.m / rows[-1][3]

    peak = _peak_gflops(repeats, peak_size)
    n_naive = max(1, min(n, 2_000_000 // m))
    sub = one.subset(slice(0, n_naive))
    naive = timed("numpy naive broadcast", sub, offers, lambda: _naive(sub, offers), reps=1)
    n_mm = max(1, min(n, 20_000))
    sub_mm = one.subset(slice(0, n_mm))
    mm = timed("numpy matmul (fp32)", sub_mm, offers, lambda: _matmul(sub_mm, offers))
    fused_rate = timed(
        "fused, 1 actor (fp32)",
        one,
        offers,
        lambda: hot.deal_and_payoff(one, offers, payoff=False),
    )
    joint_rate = timed(
        "fused, 3 deciders (fp32)",
        joint,
        offers,
        lambda: hot.deal_and_payoff(joint, offers, payoff=False),
        actors=3,
    )
    pay_rate = timed(
        "fused, 3 deciders + EU (fp32)",
        three,
        offers,
        lambda: hot.deal_and_payoff(three, offers),
        actors=4,
    )
    few = offers.subset(slice(0, 10))
    few_rate = timed(
        "fused, 1 actor, M=10 (fp32)",
        one,
        few,
        lambda: hot.deal_and_payoff(one, few, payoff=False),
        reps=10 * repeats,
    )
    sub_t = three.subset(slice(0, min(n, 2 * 16_384)))
    tally_rate = timed(
        "fused exact tally, 4 actors (fp64)",
        sub_t,
        offers,
        lambda: fused.tally(sub_t, offers),
        actors=4,
        reps=1,
    )
    negmas = _negmas_rate(k)

    log(
        f"goldenbridge bench: N={n} M={m} K={k}, {numba.get_num_threads()} numba threads; "
        f"fp32 peak (float32 matmul) {peak:.1f} GFLOP/s"
    )
    log(
        f"{'method':<36} {'N':>9} {'M':>6} {'seconds':>9} {'pairs/s':>10} {'GFLOP/s':>8} "
        f"{'of peak':>7}"
    )
    for name, rn, rm, sec, actors in rows:
        gf = rn * rm * actors * flops / sec / 1e9
        log(
            f"{name:<36} {rn:>9} {rm:>6} {sec:>9.4f} {rn * rm / sec:>10.3g} {gf:>8.1f} "
            f"{gf / peak:>7.0%}"
        )
    if negmas is not None:
        log(
            f"{'negmas LinearAdditiveUtilityFunction':<36} {'':>9} {'':>6} {'':>9} "
            f"{negmas:>10.3g}  outcomes/s"
        )
    else:
        log("negmas: not installed (pip install negmas) -- skipped")

    table = []
    if scaling:
        log("scaling of the fused kernel (1 actor, fp32): seconds")
        for nn, mm_ in [(n // 4, m), (n // 2, m), (n, m), (n, m // 4), (n, m // 2)]:
            w_s, o_s = one.subset(slice(0, nn)), offers.subset(slice(0, mm_))
            sec = _best(partial(hot.deal_and_payoff, w_s, o_s, payoff=False), repeats)
            table.append({"n": nn, "m": mm_, "seconds": sec, "pairs_per_s": nn * mm_ / sec})
            log(f"  N={nn:>9} M={mm_:>6}  {sec:8.4f} s  {nn * mm_ / sec:10.3g} pairs/s")

    fused_gflops = fused_rate * flops / 1e9
    return {
        "n": n,
        "m": m,
        "k": k,
        "threads": numba.get_num_threads(),
        "fused_pairs_per_s": fused_rate,
        "numpy_naive_pairs_per_s": naive,
        "numpy_matmul_pairs_per_s": mm,
        "negmas_outcomes_per_s": negmas,
        "peak_gflops": peak,
        "fused_gflops": fused_gflops,
        "roofline_fraction": fused_gflops / peak,
        "joint3_pairs_per_s": joint_rate,
        "joint3_roofline_fraction": joint_rate * 3 * flops / 1e9 / peak,
        "deal_eu_pairs_per_s": pay_rate,
        "few_offers_pairs_per_s": few_rate,
        "few_offers_slowdown": fused_rate / few_rate,
        "tally_f64_pairs_per_s": tally_rate,
        "speedup_vs_naive": fused_rate / naive,
        "speedup_vs_negmas": None if negmas is None else fused_rate / negmas,
        "scaling": table,
    }


def main(argv: list[str] | None = None) -> None:
    """``python -m goldenbridge.bench [--json] [-n N] [-m M] [-k K] [--repeats R]``."""
    import argparse

    p = argparse.ArgumentParser(prog="python -m goldenbridge.bench", description=__doc__)
    p.add_argument("-n", type=int, default=200_000, help="worlds")
    p.add_argument("-m", type=int, default=2_000, help="offers")
    p.add_argument("-k", type=int, default=8, help="continuous issues")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--no-scaling", action="store_true")
    p.add_argument("--json", action="store_true", help="print only the JSON object")
    a = p.parse_args(argv)
    result = run(
        a.n, a.m, a.k, a.repeats, not a.no_scaling, log=(lambda s: None) if a.json else print
    )
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
