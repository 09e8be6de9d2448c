"""The hot path (P(deal) and the proposer's EU) against the numpy reference.

Every kernel (offers in registers, offers or worlds in the SIMD lanes) obeys the
float32 margin rule and returns the same numbers as the others, whatever the
thread count, and an offer's numbers do not depend on the other offers in the call.
"""

from __future__ import annotations

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from test_engine_fused import EPS32, EPS64, margin_bound

from goldenbridge import engine
from goldenbridge.engine import hot, reference
from goldenbridge.engine.arrays import Offers
from strategies import random_offers, random_worlds, worlds_and_offers


# The kernels are compiled per number of continuous issues K (a closure each), so every K
# here costs a compilation of each path (offer lanes, world lanes, registers) in both
# precisions: 10-20 s of one core each, about 210 s in all on a fresh install. K = 0 (no
# continuous issue), 1 (the odd-issue chain empty) and 3 (both chains, the bench tests' K,
# whose kernels are shared) cover the loss's edge cases; K = 2's register kernel is
# exercised by test_numba_cache, the lanes' K = 5 below. One test per K and precision (ten
# examples each, as many per K as the 30 drawn over the three K's before), so that
# pytest-xdist runs them on both workers at once (conftest.py runs slow tests first).
@pytest.mark.slow
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("kc", [0, 1, 3])
def test_deal_and_payoff_obeys_margin_rule_on_both_paths(kc, dtype):
    eps = EPS32 if dtype is np.float32 else EPS64

    @settings(max_examples=10, deadline=None)
    @given(worlds_and_offers(rho="quadratic", kcs=(kc,)))
    def check(case):
        _obeys_margin_rule_on_every_path(*case, dtype, eps)

    check()


def _obeys_margin_rule_on_every_path(worlds, offers, dtype, eps):
    exact = reference.tally(worlds, offers)
    total_w = exact.w.sum()
    margins = reference.margins(worlds, offers)
    p_deal, eu = hot.deal_and_payoff(worlds, offers, dtype)
    near = np.abs(margins) <= margin_bound(worlds, eps)[:, None, :]
    near_deal = near[:, :, list(worlds.deciders)].any(axis=2)
    allowed = worlds.weights @ near_deal / total_w
    assert np.all(np.abs(p_deal - exact.deal.sum(0) / total_w) <= allowed + 1e-12)
    clean = allowed == 0  # no near tie: EU differs by rounding of u_P only
    eu_exact = exact.payoff.sum(0) / total_w
    assert np.allclose(eu[clean], eu_exact[clean], rtol=0, atol=64 * eps)
    paths = ["offers", "worlds"]
    if dtype is np.float32 and offers.option.shape[1] == 0 and offers.x.shape[1] > 0:
        paths.append("registers")
    for path in paths:
        other = hot.deal_and_payoff(worlds, offers, dtype, path=path)
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


@pytest.mark.parametrize("kd", [0, 1])
# m = 300 (offers in several tiles) waits ~34 s cold for the kernels m = 9 compiles: slow
@pytest.mark.parametrize("m", [9, pytest.param(300, marks=pytest.mark.slow)])
def test_results_do_not_depend_on_threads_tiles_or_paths(m, kd):
    rng = np.random.default_rng(11)
    worlds = random_worlds(
        rng, 3 * hot.SUM_BLOCK + 999, n_actors=3, kc=5, kd=kd, n_options=3, n_groups=2
    )  # kc = 5 as below: the same compiled kernels serve both tests
    offers = random_offers(rng, m, 5, kd, 3)
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = hot.deal_and_payoff(worlds, offers)
    finally:
        numba.set_num_threads(threads)
    others = [hot.deal_and_payoff(worlds, offers, path=p) for p in ("auto", "offers", "worlds")]
    for got in others:
        np.testing.assert_array_equal(got[0], one[0])
        np.testing.assert_array_equal(got[1], one[1])


@pytest.mark.parametrize("n_actors", [1, 3])
def test_an_offers_numbers_do_not_depend_on_the_other_offers(n_actors):
    """Few offers (one register vector of 16) and many (two, other tiles) agree."""
    rng = np.random.default_rng(3)
    worlds = random_worlds(rng, 2 * hot.SUM_BLOCK + 77, n_actors=n_actors, kc=5, kd=0)
    offers = random_offers(rng, 300, 5, 0, 1)
    p_all, eu_all = hot.deal_and_payoff(worlds, offers)
    picks = [3, 17, 299, 150, 42]
    some = Offers(x=offers.x[picks], option=offers.option[picks])
    p_some, eu_some = hot.deal_and_payoff(worlds, some)
    np.testing.assert_array_equal(p_some, p_all[picks])
    np.testing.assert_array_equal(eu_some, eu_all[picks])


def test_registers_path_refuses_what_it_cannot_do():
    rng = np.random.default_rng(5)
    worlds = random_worlds(rng, 50, kc=2, kd=1, n_options=3)
    with pytest.raises(ValueError, match="registers"):
        hot.deal_and_payoff(worlds, random_offers(rng, 4, 2, 1, 3), path="registers")
    with pytest.raises(ValueError, match="path: 'gpu'"):
        hot.deal_and_payoff(worlds, random_offers(rng, 4, 2, 1, 3), path="gpu")


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


def test_vector_intrinsics_against_numpy():
    """The masked sums; vfma, vadd, vsub, vmax are checked through the paths' agreement."""
    from numba import njit

    from goldenbridge.engine import simd

    @njit
    def run(mg, lim, up, w, rp, counter):
        simd.wide_vectors()
        lo = hi = plo = phi = simd.zeros8()
        a, b = simd.load16(mg, 0), simd.splat16(lim)
        lo, hi = simd.add_where_le(lo, hi, a, b, w)
        plo, phi = simd.add_payoff(plo, phi, a, b, simd.load16(up, 0), w, rp)
        out = np.empty(32)
        simd.store8(out, 0, lo)
        simd.store8(out, 8, hi)
        simd.store8(out, 16, plo)
        simd.store8(out, 24, phi)
        first = simd.fetch_add(counter, 1)
        return out, first

    rng = np.random.default_rng(0)
    mg = rng.normal(size=16).astype(np.float32)
    up = rng.normal(size=16).astype(np.float32)
    lim, w, rp = np.float32(0.1), 0.7, -2.5
    counter = np.array([5, 9], np.int64)
    out, first = run(mg, lim, up, w, rp, counter)
    deal = mg <= lim
    np.testing.assert_array_equal(out[:16], np.where(deal, w, 0.0))
    np.testing.assert_array_equal(out[16:32], w * np.where(deal, up.astype(np.float64), rp))
    assert first == 9 and counter.tolist() == [5, 10]
