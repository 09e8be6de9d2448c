"""The approval rule's shortcuts give the numbers of the plain computation, bit for bit
(docs/performance-log.md, "The one-shot analyses"): numpy's quick sort where no two values tie,
each world's bin from the sorted values, the losses at the first level's bin edges kept
per population, and a refinement level that computes only the offers it refines."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goldenbridge.analysis import outcomes
from goldenbridge.engine import utilities
from goldenbridge.engine.arrays import stable_argsort
from goldenbridge.engine.binned import Quantiles, binned_residual, bins, edge_losses
from goldenbridge.population import sample
from goldenbridge.scenario import load

values = st.lists(
    st.one_of(
        st.sampled_from([0.0, -0.0, 1.0, 0.5, np.inf, -np.inf, np.nan]),
        st.floats(-2.0, 2.0),
    ),
    min_size=0,
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(values)
def test_stable_argsort_is_numpys_stable_sort(v):
    """Ties (``-0.0`` and ``0.0`` among them), infinities and NaN: the permutation of
    numpy's stable sort (ties in index order, NaN last)."""
    a = np.array(v, dtype=np.float64)
    assert np.array_equal(stable_argsort(a), np.argsort(a, kind="stable"))


@settings(max_examples=200, deadline=None)
@given(values, st.integers(1, 70), st.integers(0, 2**32 - 1))
def test_each_worlds_bin_is_numpys_search(v, b, seed):
    """``Quantiles.bin_of`` counts the inner edges at or below each value exactly as
    ``np.searchsorted(edges[1:-1], v, side="right")`` does, for the quantile edges and
    for any non-decreasing edges."""
    a = np.array(v, dtype=np.float64)
    w = np.random.default_rng(seed).random(a.size)
    q = Quantiles(a, w)
    own = q.edges(b) if a.size else np.zeros(b + 1)
    other = np.sort(np.random.default_rng(seed).uniform(-2.5, 2.5, b + 1))
    for edges in (own, other):
        if np.isnan(edges).any():
            continue
        want = np.searchsorted(edges[1:-1], a, side="right")
        got = q.bin_of(edges)
        assert got.dtype == want.dtype and np.array_equal(got, want)


@pytest.fixture(scope="module")
def russia():
    scenario = load("russia-2021")
    pop = sample(scenario, samples=3_000, seed=5)
    offers = pop.encode([scenario.complete(dict(v)) for v in scenario.offers.values()])
    offered = ~outcomes.offers_nothing(pop, offers)
    names = pop.actor_names
    u_t = utilities(pop.worlds.actors[names.index(scenario.target.name)], offers)
    rules = {}
    for actor in outcomes.own_information(scenario):
        u_j = utilities(pop.worlds.actors[names.index(actor)], offers)
        rules[actor] = outcomes._OwnApproval(pop, actor, offers, offered, u_t, u_j)
    return pop, offers, rules


def test_kept_edge_losses_give_the_residual_computed_in_place(russia):
    """The residual kernel reading the kept losses at the bin edges returns what it
    computes itself, bit for bit, at every level of bins."""
    pop, _, rules = russia
    rule = rules["Poland and the Baltics"]
    rows = np.arange(pop.n)
    for b in (8, 64):
        cols, edges, options_vary, which = rule._edges("win", b)
        h, total = rule._weights("win")
        binned = bins(
            rule.parts["win_x"],
            rule.parts["win_opt"],
            cols,
            options_vary,
            0,
            h,
            edges,
            which,
            total,
        )
        kept = edge_losses(rule.parts, cols, edges)
        assert kept.shape == (pop.n, cols.size, b + 1)
        plain = binned_residual(rows, rule.parts, "win", binned)
        read = binned_residual(rows, rule.parts, "win", binned, kept)
        assert np.array_equal(plain[0], read[0]) and np.array_equal(plain[1], read[1])


def test_the_residual_of_some_entries_is_the_residual_of_every_entry(russia):
    """The residual kernel computing only the entries a level needs (a few offers of each
    refined world) gives each of them the numbers of the whole rectangle, bit for bit, and
    0 elsewhere: rows needing nothing, rows needing every offer, bins at every level."""
    pop, offers, rules = russia
    rng = np.random.default_rng(11)
    compared = 0
    for actor, rule in rules.items():
        if rule.g is None:  # not on the control variate's path
            continue
        for b in (8, 64, 512):
            for outcome in ("win", "lose"):
                got = rule._edges(outcome, b)
                if got is None:
                    continue
                cols, edges, options_vary, _ = got
                h, total = rule._weights(outcome)
                binned = bins(
                    rule.parts[f"{outcome}_x"],
                    rule.parts[f"{outcome}_opt"],
                    cols,
                    options_vary,
                    rule.parts["table"].shape[2],
                    h,
                    edges,
                    None,
                    total,
                )
                rows = np.sort(rng.choice(pop.n, 200, replace=False))
                need = rng.random((rows.size, offers.m)) < 0.1
                need[0] = True
                need[1] = False
                dense = binned_residual(rows, rule.parts, outcome, binned)
                sparse = binned_residual(rows, rule.parts, outcome, binned, need=need)
                for a, c in zip(dense, sparse, strict=True):
                    assert np.array_equal(a[need], c[need]), (actor, b, outcome)
                    assert not c[~need].any()
                compared += 1
    assert compared >= 3  # Ukraine (win and lose) and at least one more level


def test_a_level_computes_only_the_offers_it_refines(russia):
    """Refining some offers only gives each of them the numbers of refining every offer
    (binned residuals, sorted thresholds and the exact level), bit for bit."""
    pop, offers, rules = russia
    rng = np.random.default_rng(3)
    for rule in rules.values():
        for level, s in enumerate(rule.levels[1:], start=1):
            rows = np.sort(rng.choice(pop.n, 40, replace=False))
            need = np.zeros((rows.size, offers.m), dtype=bool)
            need[:, 2] = True
            need[::3, 4] = True
            every = rule._gain_all(rows, min(s, 2**62), level, need)
            some = rule._gain(rows, min(s, 2**62), level, need)
            for a, b in zip(every, some, strict=True):
                assert np.array_equal(a[need], b[need])
                assert not b[:, ~need.any(axis=0)].any()  # offers not refined: 0


def test_kept_edge_losses_give_the_sweep_computed_in_place(russia):
    """The sorted-threshold sweep reading the kept losses at the bin edges returns what
    it computes itself, bit for bit (every world, in the order of the veto's own
    credibility, and a few worlds in any order)."""
    from goldenbridge.engine.thresholds import threshold_gain

    pop, _, rules = russia
    rule = rules["Germany and France"]
    assert rule.events is not None
    for b in (8, 64):
        sides = tuple(rule._edges(outcome, b) for outcome in ("win", "lose"))
        kept = tuple(
            None if side is None else edge_losses(rule.parts, side[0], side[1]) for side in sides
        )
        assert any(k is not None and k.size for k in kept)
        for rows in (np.arange(pop.n), np.array([2_999, 5, 17, 1_000])):
            u_own = rule.u_own[rows]
            plain = threshold_gain(rows, rule.parts, u_own, rule.events, sides)
            read = threshold_gain(rows, rule.parts, u_own, rule.events, sides, losses=kept)
            assert np.array_equal(plain[0], read[0]) and np.array_equal(plain[1], read[1])


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 40), st.integers(1, 4), st.integers(1, 3))
def test_compiled_sums_are_the_references(seed, n, m, groups):
    """engine/sums.py adds the reference's terms in the reference's order: every sum of
    :func:`goldenbridge.engine.reference.outcome_sums` bit for bit, strata without worlds
    included (weights with zeros, payoffs of both signs)."""
    from goldenbridge.engine import reference, sums
    from goldenbridge.engine.arrays import ActorArrays, Worlds

    rng = np.random.default_rng(seed)
    actors = tuple(
        ActorArrays(
            weight=np.ones((n, 1)),
            ideal=np.zeros((n, 1)),
            rho=np.ones(n),
            table=np.zeros((n, 0, 0)),
            reservation=np.zeros(n),
        )
        for _ in range(3)
    )
    w = np.where(rng.random(n) < 0.2, 0.0, rng.exponential(size=n))
    worlds = Worlds(
        actors=actors,
        proposer=0,
        deciders=(1, 2),
        fight=rng.random(n) < 0.5,
        weights=w,
        group=rng.integers(0, groups, n),
        n_groups=groups + 1,  # the last stratum has no worlds
    )
    accepts = [rng.random((n, m)) < 0.6 for _ in actors]
    deal = accepts[1] & accepts[2]
    war = ~deal & worlds.fight[:, None]
    payoff = rng.normal(size=(n, m))
    u_p = rng.normal(size=(n, m))
    args = (worlds, accepts, deal, war, payoff, u_p)
    got, want = sums.outcome_sums(*args), reference.outcome_sums(*args)
    for name in want.array_names():
        a, b = getattr(got, name), getattr(want, name)
        assert a.shape == b.shape and np.array_equal(a, b), name
        assert np.array_equal(np.signbit(a), np.signbit(b)), name


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 300), st.integers(1, 5), st.integers(1, 3))
def test_binned_sums_are_numpys_bincounts(seed, n, m, c):
    """``bins`` adds each bin's weights (and their absolute values) in world order, as
    ``np.bincount`` does: the same sums bit for bit, signed zeros included."""
    rng = np.random.default_rng(seed)
    b = int(rng.integers(1, 9))
    which = rng.integers(0, b, (c, n))
    h = rng.normal(size=(n, m)) * (rng.random((n, m)) < 0.7)
    h[rng.random((n, m)) < 0.1] = -0.0
    edges = np.sort(rng.random((c, b + 1)), axis=1)
    x, option = np.zeros((n, c)), np.zeros((n, 0), np.int64)
    got = bins(x, option, np.arange(c), False, 0, h, edges, which)
    for i in range(c):
        for k in range(m):
            want = np.bincount(which[i], weights=h[:, k], minlength=b)
            want_abs = np.bincount(which[i], weights=np.abs(h[:, k]), minlength=b)
            assert np.array_equal(got.mass[i, :, k], want)
            assert np.array_equal(np.signbit(got.mass[i, :, k]), np.signbit(want))
            assert np.array_equal(got.absmass[i, :, k], want_abs)
