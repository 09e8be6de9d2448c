"""The numpy reference engine against a brute-force loop over worlds and offers,
and its chunking: exact whatever the chunk size, memory bounded by the chunk."""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
from hypothesis import HealthCheck, given, settings

from goldenbridge.engine import reference
from goldenbridge.engine.arrays import ActorArrays, Offers
from goldenbridge.engine.reference import tally, utilities
from strategies import random_offers, random_worlds, worlds_and_offers


def test_quadratic_utility_matches_closed_form():
    a = ActorArrays(
        weight=np.array([[0.25, 0.75]]),
        ideal=np.array([[0.0, 1.0]]),
        rho=np.array([2.0]),
        table=np.zeros((1, 0, 0)),
        reservation=np.zeros(1),
    )
    u = utilities(a, Offers(np.array([[0.5, 0.5]]), np.zeros((1, 0), np.int64)))
    assert u[0, 0] == 0.25 * (1 - 0.25) + 0.75 * (1 - 0.25)


def _utility(actor: ActorArrays, n: int, x: np.ndarray, option: np.ndarray) -> float:
    """docs/design.md section 3 for one world and one offer, in plain Python floats."""
    u = 0.0
    for c in range(x.shape[0]):
        d = abs(float(x[c]) - float(actor.ideal[n, c]))
        rho = float(actor.rho[n])
        loss = d * d if rho == 2.0 else d if rho == 1.0 else math.pow(d, rho)
        u += float(actor.weight[n, c]) * (1.0 - loss)
    for k in range(option.shape[0]):
        u += float(actor.table[n, k, option[k]])
    return u


def _brute_force(worlds, offers):
    """Every Tally sum by a loop over worlds and offers (docs/design.md sections 4-6)."""
    g_count, m, a_count = worlds.n_groups, offers.m, len(worlds.actors)
    out = {
        "w": np.zeros(g_count),
        "fight": np.zeros(g_count),
        "accept": np.zeros((g_count, m, a_count)),
        "sole": np.zeros((g_count, m, a_count)),
        "deal": np.zeros((g_count, m)),
        "war": np.zeros((g_count, m)),
        "payoff": np.zeros((g_count, m)),
        "payoff_sq2": np.zeros((g_count, m)),
        "proposer_u": np.zeros((g_count, m)),
    }
    for n in range(worlds.n):
        w, g, fight = float(worlds.weights[n]), int(worlds.group[n]), bool(worlds.fight[n])
        out["w"][g] += w
        out["fight"][g] += w * fight
        for j in range(m):
            u = [_utility(a, n, offers.x[j], offers.option[j]) for a in worlds.actors]
            accepts = [u[i] >= float(a.reservation[n]) for i, a in enumerate(worlds.actors)]
            rejecters = [i for i in worlds.deciders if not accepts[i]]
            deal = not rejecters
            for i in range(a_count):
                out["accept"][g, j, i] += w * accepts[i]
                out["sole"][g, j, i] += w * (rejecters == [i])
            out["deal"][g, j] += w * deal
            out["war"][g, j] += w * (not deal and fight)
            u_p = u[worlds.proposer]
            z = u_p if deal else float(worlds.actors[worlds.proposer].reservation[n])
            out["payoff"][g, j] += w * z
            out["payoff_sq2"][g, j] += w * w * z * z
            out["proposer_u"][g, j] += w * u_p
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=worlds_and_offers(max_n=25, max_m=8))
def test_tally_equals_a_brute_force_loop(case):
    worlds, offers = case
    t = tally(worlds, offers)
    for name, expected in _brute_force(worlds, offers).items():
        assert np.allclose(getattr(t, name), expected, rtol=1e-12, atol=1e-12), name


def test_chunk_size_changes_nothing():
    rng = np.random.default_rng(5)
    worlds = random_worlds(
        rng, 2 * reference.WORLD_BLOCK + 77, n_actors=3, kc=3, kd=1, n_groups=2, rho="mixed"
    )
    offers = random_offers(rng, 13, 3, 1, 3)
    whole = tally(worlds, offers)
    for max_cells in (1, reference.WORLD_BLOCK * 5, 10**9):
        assert tally(worlds, offers, max_cells=max_cells) == whole


def _peak_bytes(n_blocks: int, m: int, max_cells: int) -> int:
    rng = np.random.default_rng(1)
    worlds = random_worlds(
        rng, n_blocks * reference.WORLD_BLOCK, n_actors=3, kc=8, kd=1, n_groups=2, rho="mixed"
    )
    offers = random_offers(rng, m, 8, 1, 3)
    tracemalloc.start()
    try:
        tally(worlds, offers, max_cells=max_cells)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_is_bounded_by_the_chunk_not_by_n_or_m():
    # The memory bound (docs/performance.md): the engine's own memory depends on the chunk
    # (max_cells world-offer pairs), not on N or M, so N = 10^6 x M = 10^4 x K = 8 fits. Measured
    # here at K = 8 with 3 actors (mixed exponents): about 70 bytes a pair, i.e. about
    # 0.28 GB at the default max_cells of 4e6, beside the inputs (about 0.3 GB for 2 actors
    # at N = 10^6, K = 8) -- within 1 GiB. Without chunking the larger case below
    # would hold 30x the pairs at once.
    max_cells = 4 * reference.WORLD_BLOCK
    small = _peak_bytes(1, 8, max_cells)
    large = _peak_bytes(3, 40, max_cells)
    assert small <= 100 * max_cells
    # only the per-offer output sums grow with M (a few kB here)
    assert large <= small + 200_000
