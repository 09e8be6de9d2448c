"""The fused numba engine against the numpy reference (the oracle).

Float64: every Tally field equal bit for bit. Float32: an acceptance may flip only
in worlds whose float64 margin is within the rounding bound computed here.
"""

from __future__ import annotations

import numba
import numpy as np
import pytest
from hypothesis import given, settings

from goldenbridge import engine
from goldenbridge.engine import fused, reference
from goldenbridge.engine.arrays import Tally
from strategies import random_offers, random_worlds, worlds_and_offers

EPS32 = float(np.finfo(np.float32).eps)
EPS64 = float(np.finfo(np.float64).eps)


def margin_bound(worlds, eps: float) -> np.ndarray:
    """(N, A) bound on |margin computed at precision eps - float64 margin|.

    Inputs are rounded to the precision (|error| <= eps/2 each, all values <= 1),
    so d = x - a is off by at most delta = 2 eps; |d|^rho then by
    max(rho, 1) delta + delta^min(rho, 1) + 2 eps (pow's own error); each term
    w (1 - loss) adds 3 eps, each table look-up and the reservation 2 eps, and the
    running sums eps per addition. A factor 2 covers what this leaves out.

    The float32 hot path (engine/hot.py) computes a quadratic term as ``t * t``
    with ``t = fma(fl(sqrt w), x, fl(-sqrt(w) a))`` (w >= 0): with s = sqrt(w),
    |t - s d| <= s (|x| (eps + eps^2/4) + |a| eps/2) + |t| eps/2 <= 2 eps s, so
    |t^2 - w d^2| <= 2 eps s (2 s |d| + 2 eps s) <= 4 eps w (1 + eps), inside the
    w * dloss = 8 eps w used here for rho = 2; each fma that adds ``t * t`` rounds
    once (eps/2 of a partial sum <= 1), inside the eps per addition.
    """
    delta = 2 * eps
    out = []
    for a in worlds.actors:
        rho = a.rho[:, None]
        dloss = np.maximum(rho, 1) * delta + delta ** np.minimum(rho, 1) + 2 * eps
        kc, kd = a.weight.shape[1], a.table.shape[1]
        b = (a.weight * dloss).sum(1) + eps * (4 * kc + 3 * kd + 3)
        out.append(2 * b)
    return np.stack(out, axis=1)


def assert_margin_rule(worlds, offers, got: Tally, exact: Tally, eps: float) -> None:
    """Counts of got and exact differ by at most the weight of near-tie worlds."""
    margins = reference.margins(worlds, offers)  # (N, M, A)
    near = np.abs(margins) <= margin_bound(worlds, eps)[:, None, :]
    dec = list(worlds.deciders)
    near_deal = near[:, :, dec].any(axis=2)
    w = worlds.weights
    for g in range(worlds.n_groups):
        sel = worlds.group == g
        slack = 1e-9 * (1 + w[sel].sum())
        allowed_acc = np.einsum("n,nma->ma", w[sel], near[sel])
        assert np.all(np.abs(got.accept[g] - exact.accept[g]) <= allowed_acc + slack)
        allowed_deal = w[sel] @ near_deal[sel]
        assert np.all(np.abs(got.deal[g] - exact.deal[g]) <= allowed_deal + slack)
        assert np.all(np.abs(got.war[g] - exact.war[g]) <= allowed_deal + slack)


@settings(max_examples=40, deadline=None)
@given(worlds_and_offers())
def test_float64_tally_equals_reference_exactly(case):
    worlds, offers = case
    assert fused.tally(worlds, offers) == reference.tally(worlds, offers)


@pytest.mark.parametrize("rho", ["quadratic", "mixed"])
def test_float64_exact_over_several_world_blocks(rho):
    rng = np.random.default_rng(5)
    n = 2 * reference.WORLD_BLOCK + 1234
    worlds = random_worlds(rng, n, n_actors=3, kc=3, kd=1, n_options=3, n_groups=3, rho=rho)
    offers = random_offers(rng, 37, 3, 1, 3)
    assert fused.tally(worlds, offers) == reference.tally(worlds, offers)


@settings(max_examples=30, deadline=None)
@given(worlds_and_offers())
def test_float32_tally_obeys_margin_rule(case):
    worlds, offers = case
    exact = reference.tally(worlds, offers)
    got = fused.tally(worlds, offers, np.float32)
    assert_margin_rule(worlds, offers, got, exact, EPS32)
    np.testing.assert_array_equal(got.w, exact.w)


def _big_case(m: int):
    rng = np.random.default_rng(11)
    worlds = random_worlds(
        rng, reference.WORLD_BLOCK + 999, n_actors=3, kc=4, kd=1, n_options=3, n_groups=2
    )
    return worlds, random_offers(rng, m, 4, 1, 3)


@pytest.mark.parametrize("m", [9, 300])
def test_tally_does_not_depend_on_threads_or_tiles(monkeypatch, m):
    worlds, offers = _big_case(m)
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one_tally = fused.tally(worlds, offers, np.float32)
    finally:
        numba.set_num_threads(threads)
    monkeypatch.setattr(fused, "OFFER_TILE", 64)
    monkeypatch.setattr(fused, "_PARTIAL_BYTES", 1)  # one block per kernel call
    small_tiles = fused.tally(worlds, offers, np.float32)
    assert small_tiles == one_tally


def test_packing_is_kept_per_worlds_and_never_stale(monkeypatch):
    rng = np.random.default_rng(8)
    n = 2 * reference.WORLD_BLOCK + 77
    worlds = random_worlds(rng, n, n_actors=3, kc=2, kd=1, n_options=3, n_groups=2)
    offers = random_offers(rng, 5, 2, 1, 3)
    exact = reference.tally(worlds, offers)
    first = fused.tally(worlds, offers)
    again = fused.tally(worlds, offers)  # the kept packing
    assert first == exact and again == exact
    # Too large to keep: packed per run of blocks (one block per run here), same sums.
    monkeypatch.setattr(fused, "_KEEP_BYTES", 0)
    monkeypatch.setattr(fused, "_PARTIAL_BYTES", 1)
    assert fused.tally(worlds.with_weights(worlds.weights), offers) == exact
    # A kept packing cannot go stale: the arrays it was built from are read-only,
    with pytest.raises(ValueError, match="read-only"):
        worlds.actors[0].reservation[0] = 5.0
    # and new weights make a new Worlds object, hence a new packing.
    heavier = worlds.with_weights(np.linspace(0.5, 2.0, n))
    assert fused.tally(heavier, offers) == reference.tally(heavier, offers)
    assert fused.tally(heavier, offers) != exact


def test_a_few_packings_are_kept_least_recently_used_out():
    """The web page alternates a preview population with the whole sample: both stay
    packed (KEEP per kind), the least recently used goes first, and a freed population's
    packing goes with it."""
    import gc

    from goldenbridge.engine import arrays

    rng = np.random.default_rng(9)
    kind = "test-kept"
    made = []

    def build(tag):
        made.append(tag)
        return tag

    worlds = [random_worlds(rng, 50) for _ in range(arrays.KEEP + 1)]
    for i, w in enumerate(worlds[: arrays.KEEP]):
        assert arrays.packed_once(w, kind, 0, lambda i=i: build(i)) == i
    for i, w in enumerate(worlds[: arrays.KEEP]):  # alternating: every one still kept
        assert arrays.packed_once(w, kind, 0, lambda: build("again")) == i
    assert made == list(range(arrays.KEEP))
    arrays.packed_once(worlds[1], kind, 0, lambda: build("again"))  # 0 is now the oldest
    arrays.packed_once(worlds[-1], kind, 0, lambda: build("new"))
    arrays.packed_once(worlds[1], kind, 0, lambda: build("again"))
    arrays.packed_once(worlds[0], kind, 0, lambda: build("rebuilt"))
    assert made[arrays.KEEP :] == ["new", "rebuilt"]
    assert arrays.packed_once(worlds[0], kind, 1, lambda: build("other key")) == "other key"
    del worlds, w
    gc.collect()
    assert arrays._PACKED[kind] == []


def test_engine_selector():
    rng = np.random.default_rng(3)
    worlds = random_worlds(rng, 300, rho="mixed")
    offers = random_offers(rng, 7, 2, 1, 3)
    assert engine.tally(worlds, offers) == engine.tally(worlds, offers, backend="numpy")
    assert engine.get_engine("auto") is fused.tally
    with pytest.raises(ValueError, match="unknown engine"):
        engine.get_engine("gpu")
