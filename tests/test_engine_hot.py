"""The hot path (P(deal) and the proposer's EU) against the numpy reference.

Both loop orders (offers or worlds in the SIMD lanes) obey the float32 margin rule
and return the same numbers as each other, whatever the thread count.
"""

from __future__ import annotations

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from test_engine_fused import EPS32, EPS64, margin_bound

from goldenbridge import engine
from goldenbridge.engine import hot, reference
from strategies import random_offers, random_worlds, worlds_and_offers


@settings(max_examples=30, deadline=None)
@given(worlds_and_offers(rho="quadratic"))
def test_deal_and_payoff_obeys_margin_rule_on_both_paths(case):
    worlds, offers = case
    exact = reference.tally(worlds, offers)
    total_w = exact.w.sum()
    margins = reference.margins(worlds, offers)
    for dtype, eps in ((np.float32, EPS32), (np.float64, EPS64)):
        p_deal, eu = hot.deal_and_payoff(worlds, offers, dtype)
        near = np.abs(margins) <= margin_bound(worlds, eps)[:, None, :]
        near_deal = near[:, :, list(worlds.deciders)].any(axis=2)
        allowed = worlds.weights @ near_deal / total_w
        assert np.all(np.abs(p_deal - exact.deal.sum(0) / total_w) <= allowed + 1e-12)
        clean = allowed == 0  # no near tie: EU differs by rounding of u_P only
        eu_exact = exact.payoff.sum(0) / total_w
        assert np.allclose(eu[clean], eu_exact[clean], rtol=0, atol=64 * eps)
        other = hot.deal_and_payoff(worlds, offers, dtype, small_m=0)  # offers in lanes
        np.testing.assert_array_equal(other[0], p_deal)
        np.testing.assert_array_equal(other[1], eu)
        deal_only, none = hot.deal_and_payoff(worlds, offers, dtype, payoff=False)
        assert none is None
        np.testing.assert_array_equal(deal_only, p_deal)


def test_general_rho_falls_back_to_tally():
    rng = np.random.default_rng(2)
    worlds = random_worlds(rng, 500, rho="mixed")
    offers = random_offers(rng, 20, 2, 1, 3)
    t = reference.tally(worlds, offers)
    p_deal, eu = engine.deal_and_payoff(worlds, offers, np.float64)
    np.testing.assert_allclose(p_deal, t.deal.sum(0) / t.w.sum(), rtol=1e-12)
    np.testing.assert_allclose(eu, t.payoff.sum(0) / t.w.sum(), rtol=1e-12)


@pytest.mark.parametrize("m", [9, 300])
def test_results_do_not_depend_on_threads_tiles_or_paths(m):
    rng = np.random.default_rng(11)
    worlds = random_worlds(
        rng, reference.WORLD_BLOCK + 999, n_actors=3, kc=4, kd=1, n_options=3, n_groups=2
    )
    offers = random_offers(rng, m, 4, 1, 3)
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = hot.deal_and_payoff(worlds, offers)
    finally:
        numba.set_num_threads(threads)
    two = hot.deal_and_payoff(worlds, offers)
    other_path = hot.deal_and_payoff(worlds, offers, small_m=10**9 if m > 9 else 0)
    for got in (two, other_path):
        np.testing.assert_array_equal(got[0], one[0])
        np.testing.assert_array_equal(got[1], one[1])


def test_negative_weights_fall_back_to_tally():
    rng = np.random.default_rng(4)
    worlds = random_worlds(rng, 300, kc=2, kd=0)
    worlds.actors[1].weight[0, 0] = -0.5  # no square root: the exact engine takes it
    offers = random_offers(rng, 20, 2, 0, 1)
    t = reference.tally(worlds, offers)
    p_deal, eu = hot.deal_and_payoff(worlds, offers, np.float64)
    np.testing.assert_allclose(p_deal, t.deal.sum(0) / t.w.sum(), rtol=1e-12)
    np.testing.assert_allclose(eu, t.payoff.sum(0) / t.w.sum(), rtol=1e-12)


def test_simd_intrinsics():
    from numba import njit

    from goldenbridge.engine.simd import fma, wide_vectors

    @njit
    def fused(a, b, c):
        wide_vectors()
        return fma(a, b, c)

    a = np.float32(1 + 2**-12)  # a * a = 1 + 2^-11 + 2^-24: rounds away in float32
    assert fused(a, a, np.float32(-(1 + 2**-11))) == np.float32(2**-24)
    assert a * a - np.float32(1 + 2**-11) == 0  # unfused: the product rounds first
    ir = next(iter(fused.inspect_llvm().values()))
    assert '"prefer-vector-width"="512"' in ir and "llvm.fma.f32" in ir
