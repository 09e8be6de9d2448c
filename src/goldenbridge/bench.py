"""Engine benchmark: pairs/s of each way to count acceptances, against the machine's peak.

Run ``goldenbridge bench [--json]`` or ``python -m goldenbridge.bench``. On the
same random inputs (N worlds, M offers, K continuous issues, quadratic loss,
random world weights) it times, best of ``repeats``:

* numpy naive broadcast ``(w * (x - a)**2).sum(-1) <= thr`` (float64, on a slice
  of worlds),
* numpy matmul, the expanded square ``-w.(x^2)' + 2(w*a).x' - sum w a^2`` in float32,
* the fused hot-path kernels (:func:`goldenbridge.engine.hot.deal_and_payoff`,
  float32): one actor; three deciders jointly; three deciders plus the proposer's
  payoff; M = 10 offers (one register vector of 16 lanes, 10 used; best of 10x
  the repeats, as a call takes half a millisecond); and the exact float64 tally
  (:func:`goldenbridge.engine.fused.tally`),
* negmas' linear-additive utility function per outcome, when negmas is installed
  (it is AGPL: imported only here, inside the function, never by the package).

The peak is the machine's own: :func:`goldenbridge.engine.peak.fma_peak`, a
kernel of independent FMA chains on registers, in float32 and in float64,
measured before and after the kernels (the best kept), on numba's threads.
Each row's ``roofline_fraction`` is its GFLOP/s over the peak of its precision,
reported raw (never clamped): in the same FLOP convention (an FMA is 2) no
kernel can beat the FMA units, so a fraction above 1 would be a bug of the
bench (``tests/test_bench.py`` fails on one). numpy's float32 matrix product
(sgemm) is timed beside it with the BLAS library and core type it ran
(threadpoolctl): with ``OPENBLAS_CORETYPE`` set to an older core it runs well
below the FMA peak, and no longer inflates the fractions.

FLOPs per world-offer pair and actor are counted as ``4K + 2`` (per issue a
subtraction, a square and a weighted add; then the comparison and the count);
the register kernel does them as ``2K`` FMAs and two other vector operations
per 16 pairs (docs/performance.md).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from goldenbridge.engine import fused, hot, peak
from goldenbridge.engine import utilities as engine_utilities
from goldenbridge.engine.arrays import ActorArrays, Offers, Worlds

__all__ = ["run", "main", "make_inputs", "negmas_ufun", "blas_info", "format_table"]


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


def blas_info() -> list[dict[str, Any]]:
    """The BLAS libraries numpy loaded: API, version, core type, threads (threadpoolctl)."""
    from threadpoolctl import threadpool_info

    keys = ("internal_api", "version", "architecture", "num_threads", "threading_layer")
    return [
        {key: lib.get(key) for key in keys}
        for lib in threadpool_info()
        if lib["user_api"] == "blas"
    ]


def _sgemm_gflops(repeats: int, size: int = 4096) -> float:
    """fp32 GFLOP/s of a float32 matrix product (numpy -> BLAS, its own threads)."""
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


def nested(
    samples: int = 20_000, m: int = 16, repeats: int = 1, scenario: str = "russia-2021"
) -> dict[str, Any]:
    """The approval rule's nested expectation (docs/design.md 4b), timed.

    Every veto (and stakeholder) that knows only its own fields approves each offer in
    each world by its expected gain over every world it cannot tell apart: done directly,
    a double sum of N x N pairs per offer and actor. :func:`goldenbridge.analysis.outcomes.
    decide` computes it with control variates, binned residuals with proven bounds and
    sorted thresholds, pairing a world with every other only where the sign is not settled.
    This times ``decide`` on ``samples`` worlds of ``scenario`` and ``m`` random offers
    (approvals per second, and the pairs per second the direct double sum would need for
    the same answers), and the direct double sum itself on 32 worlds (the exact level of
    ``decide`` for the first such actor, pairs per second), so that the ratio of the two
    is the method's speed-up over computing the expectations directly.
    """
    from goldenbridge.analysis import outcomes
    from goldenbridge.population import sample
    from goldenbridge.scenario import load

    pop = sample(load(scenario), samples, seed=1)
    rng = np.random.default_rng(0)
    base = pop.encode([{}] * m)
    offers = Offers(rng.random(base.x.shape), base.option)
    own = outcomes.own_information(pop.scenario)
    decisions: list[outcomes.Decisions] = []
    seconds = _best(lambda: decisions.append(outcomes.decide(pop, offers)), repeats)
    approvals = samples * m * len(own)
    row: dict[str, Any] = {
        "scenario": scenario,
        "n": samples,
        "m": m,
        "actors": own,
        "seconds": seconds,
        "approvals_per_s": approvals / seconds,
        "direct_pairs_per_s_equivalent": approvals * samples / seconds,
        "inner_error": float(decisions[-1].inner_error.max()),
        "direct_pairs_per_s": None,
        "speedup_vs_direct": None,
    }
    if own:  # the direct double sum of the first such actor, on 32 worlds
        offered = ~outcomes.offers_nothing(pop, offers)
        t = pop.actor_names.index(pop.scenario.target.name)
        i = pop.actor_names.index(own[0])
        u_t, u_i = (engine_utilities(pop.worlds.actors[k], offers) for k in (t, i))
        rule = outcomes._OwnApproval(pop, own[0], offers, offered, u_t, u_i)
        rows = np.arange(min(32, samples))
        last = len(rule.levels) - 1
        direct = _best(lambda: rule._gain(rows, samples, last), repeats)
        row["direct_pairs_per_s"] = rows.size * samples * m / direct
        row["speedup_vs_direct"] = row["direct_pairs_per_s_equivalent"] / row["direct_pairs_per_s"]
    return row


def _peaks(seconds: float) -> dict[str, peak.FmaPeak]:
    return {
        name: peak.fma_peak(seconds, dtype=dtype)
        for name, dtype in (("float32", np.float32), ("float64", np.float64))
    }


def run(
    n: int = 200_000,
    m: int = 2_000,
    k: int = 8,
    repeats: int = 3,
    scaling: bool = True,
    log: Callable[[str], None] = print,
    peak_size: int = 4096,
    peak_seconds: float = 0.1,
    nested_samples: int = 20_000,
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
        Receives one line per step (progress).
    peak_size : int
        Side of the float32 matrices of the sgemm row.
    peak_seconds : float
        Time spent on each measurement of the FMA peak (per precision; it is
        measured before and after the kernels).
    nested_samples : int
        Worlds of the approval rule's timing (:func:`nested`, 16 offers).

    Returns
    -------
    dict
        ``rows`` (one per method: seconds, pairs/s, GFLOP/s, ``roofline_fraction``
        against the FMA peak of the row's precision), ``fma_peak`` (per precision),
        ``sgemm`` (GFLOP/s, its fraction of the float32 FMA peak, the BLAS it ran),
        the headline figures, and ``scaling``.
    """
    import numba

    flops = 4 * k + 2
    one, offers = make_inputs(n, m, k, 1)
    three, _ = make_inputs(n, m, k, 4)  # proposer + three deciders
    joint = Worlds(three.actors[1:], 0, (0, 1, 2), three.fight, three.weights, three.group, 1)
    rows: list[dict[str, Any]] = []

    def timed(name, precision, worlds, offs, fn, actors=1, reps=repeats):
        log(f"timing {name}")
        sec = _best(fn, reps)
        rows.append(
            {
                "method": name,
                "precision": precision,
                "n": worlds.n,
                "m": offs.m,
                "actors": actors,
                "seconds": sec,
                "pairs_per_s": worlds.n * offs.m / sec,
                "gflops": worlds.n * offs.m * actors * flops / sec / 1e9,
            }
        )
        return rows[-1]["pairs_per_s"]

    log("measuring the FMA peak (float32, float64)")
    before = _peaks(peak_seconds)
    n_naive = max(1, min(n, 2_000_000 // m))
    sub = one.subset(slice(0, n_naive))
    naive = timed(
        "numpy naive broadcast", "float64", sub, offers, lambda: _naive(sub, offers), reps=1
    )
    n_mm = max(1, min(n, 20_000))
    sub_mm = one.subset(slice(0, n_mm))
    mm = timed("numpy matmul", "float32", sub_mm, offers, lambda: _matmul(sub_mm, offers))
    fused_rate = timed(
        "fused, 1 actor",
        "float32",
        one,
        offers,
        lambda: hot.deal_and_payoff(one, offers, payoff=False),
    )
    joint_rate = timed(
        "fused, 3 deciders",
        "float32",
        joint,
        offers,
        lambda: hot.deal_and_payoff(joint, offers, payoff=False),
        actors=3,
    )
    pay_rate = timed(
        "fused, 3 deciders + EU",
        "float32",
        three,
        offers,
        lambda: hot.deal_and_payoff(three, offers),
        actors=4,
    )
    few = offers.subset(slice(0, 10))
    few_rate = timed(
        "fused, 1 actor, M=10",
        "float32",
        one,
        few,
        lambda: hot.deal_and_payoff(one, few, payoff=False),
        reps=10 * repeats,
    )
    sub_t = three.subset(slice(0, min(n, 2 * 16_384)))
    tally_rate = timed(
        "fused exact tally, 4 actors",
        "float64",
        sub_t,
        offers,
        lambda: fused.tally(sub_t, offers),
        actors=4,
        reps=1,
    )
    log("the approval rule's nested expectation")
    nested_row = nested(nested_samples, 16, repeats)
    log("negmas per outcome")
    negmas = _negmas_rate(k)
    log("numpy sgemm")
    sgemm = _sgemm_gflops(repeats, peak_size)
    log("measuring the FMA peak again")
    after = _peaks(peak_seconds)
    peaks = {
        name: max(before[name], after[name], key=lambda p: p.gflops)
        for name in ("float32", "float64")
    }
    for row in rows:  # raw: never clamped (a value above 1 is a bug the tests catch)
        row["roofline_fraction"] = row["gflops"] / peaks[row["precision"]].gflops

    table = []
    if scaling:
        log("scaling of the fused kernel (1 actor, float32)")
        for nn, mm_ in [(n // 4, m), (n // 2, m), (n, m), (n, m // 4), (n, m // 2)]:
            nn, mm_ = max(nn, 1), max(mm_, 1)
            w_s, o_s = one.subset(slice(0, nn)), offers.subset(slice(0, mm_))
            sec = _best(partial(hot.deal_and_payoff, w_s, o_s, payoff=False), repeats)
            table.append({"n": nn, "m": mm_, "seconds": sec, "pairs_per_s": nn * mm_ / sec})

    by_name = {row["method"]: row for row in rows}
    peak32 = peaks["float32"].gflops
    from llvmlite import binding

    return {
        "n": n,
        "m": m,
        "k": k,
        "flops_per_pair": flops,
        "threads": numba.get_num_threads(),
        "host_cpu": binding.get_host_cpu_name(),
        "load_average": list(os.getloadavg()),
        "fma_peak": {
            name: {
                "gflops": p.gflops,
                "chains": p.chains,
                "threads": p.threads,
                "by_chains": {str(c): g for c, g in p.by_chains.items()},
                "before_kernels_gflops": before[name].gflops,
                "after_kernels_gflops": after[name].gflops,
            }
            for name, p in peaks.items()
        },
        "sgemm": {
            "size": peak_size,
            "gflops": sgemm,
            "fraction_of_fma_peak": sgemm / peak32,
            "blas": blas_info(),
        },
        "rows": rows,
        "peak_gflops": peak32,
        "fused_pairs_per_s": fused_rate,
        "fused_gflops": by_name["fused, 1 actor"]["gflops"],
        "roofline_fraction": by_name["fused, 1 actor"]["roofline_fraction"],
        "joint3_pairs_per_s": joint_rate,
        "joint3_roofline_fraction": by_name["fused, 3 deciders"]["roofline_fraction"],
        "deal_eu_pairs_per_s": pay_rate,
        "few_offers_pairs_per_s": few_rate,
        "few_offers_slowdown": fused_rate / few_rate,
        "tally_f64_pairs_per_s": tally_rate,
        "numpy_naive_pairs_per_s": naive,
        "numpy_matmul_pairs_per_s": mm,
        "negmas_outcomes_per_s": negmas,
        "speedup_vs_naive": fused_rate / naive,
        "speedup_vs_negmas": None if negmas is None else fused_rate / negmas,
        "scaling": table,
        "nested": nested_row,
    }


def format_table(result: dict[str, Any]) -> list[str]:
    """The text report of :func:`run`'s result: the peak, then one row per method."""
    p32, p64 = result["fma_peak"]["float32"], result["fma_peak"]["float64"]
    sg = result["sgemm"]
    blas = ", ".join(
        f"{lib['internal_api']} {lib['version']} core {lib['architecture']}, "
        f"{lib['num_threads']} threads"
        for lib in sg["blas"]
    )
    lines = [
        f"goldenbridge bench: N={result['n']} M={result['m']} K={result['k']}, "
        f"{result['threads']} numba threads on {result['host_cpu']} (load average "
        f"{' '.join(f'{x:.2f}' for x in result['load_average'])}), "
        f"{result['flops_per_pair']} FLOPs per pair and actor",
        f"FMA peak (own kernel, {p32['chains']} chains): float32 {p32['gflops']:.1f} GFLOP/s, "
        f"float64 {p64['gflops']:.1f} GFLOP/s",
        f"numpy sgemm {sg['size']}^3: {sg['gflops']:.1f} GFLOP/s = "
        f"{sg['fraction_of_fma_peak']:.1%} of the float32 FMA peak ({blas or 'no BLAS found'})",
        "",
        f"{'method':<30} {'prec':<7} {'N':>9} {'M':>6} {'seconds':>9} {'pairs/s':>10} "
        f"{'GFLOP/s':>8} {'of FMA peak':>11}",
    ]
    for r in result["rows"]:
        lines.append(
            f"{r['method']:<30} {r['precision']:<7} {r['n']:>9} {r['m']:>6} {r['seconds']:>9.4f} "
            f"{r['pairs_per_s']:>10.3g} {r['gflops']:>8.1f} {r['roofline_fraction']:>11.1%}"
        )
    negmas = result["negmas_outcomes_per_s"]
    lines.append(
        f"{'negmas LinearAdditiveUtility':<30} {'':<7} {'':>9} {'':>6} {'':>9} "
        f"{negmas:>10.3g}  outcomes/s"
        if negmas is not None
        else "negmas: not installed (pip install negmas) -- skipped"
    )
    lines.append(
        f"speedup of fused (1 actor): {result['speedup_vs_naive']:.0f}x numpy naive"
        + (
            f", {result['speedup_vs_negmas']:.0f}x negmas per outcome"
            if result["speedup_vs_negmas"] is not None
            else ""
        )
        + f"; M=10 {result['few_offers_slowdown']:.2f}x slower per pair than M={result['m']}"
    )
    nd = result["nested"]
    lines.append(
        f"approval rule (nested expectation), {nd['scenario']}, N={nd['n']} M={nd['m']}, "
        f"{len(nd['actors'])} actors on their own information: {nd['seconds']:.3f} s, "
        f"{nd['approvals_per_s']:.3g} approvals/s"
        + (
            f" = {nd['direct_pairs_per_s_equivalent']:.3g} pairs/s of the direct double sum, "
            f"which runs at {nd['direct_pairs_per_s']:.3g} pairs/s "
            f"({nd['speedup_vs_direct']:.0f}x)"
            if nd["direct_pairs_per_s"] is not None
            else ""
        )
    )
    if result["scaling"]:
        lines.append("scaling of the fused kernel (1 actor, float32):")
        for row in result["scaling"]:
            lines.append(
                f"  N={row['n']:>9} M={row['m']:>6}  {row['seconds']:8.4f} s  "
                f"{row['pairs_per_s']:10.3g} pairs/s"
            )
    return lines


def main(argv: list[str] | None = None) -> None:
    """``python -m goldenbridge.bench [--json] [-n N] [-m M] [-k K] [--repeats R]``."""
    import argparse

    p = argparse.ArgumentParser(prog="python -m goldenbridge.bench", description=__doc__)
    p.add_argument("-n", type=int, default=200_000, help="worlds")
    p.add_argument("-m", type=int, default=2_000, help="offers")
    p.add_argument("-k", type=int, default=8, help="continuous issues")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--no-scaling", action="store_true")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    a = p.parse_args(argv)
    progress = (lambda s: None) if a.json else (lambda s: print(s, file=sys.stderr))
    result = run(a.n, a.m, a.k, a.repeats, not a.no_scaling, log=progress)
    if a.json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
    else:
        print("\n".join(format_table(result)))


if __name__ == "__main__":
    main()
