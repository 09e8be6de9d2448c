"""The continuation approvals share work between branches, rounds and solves: each shared
piece equals the computation it replaces.

Oracles: the straightforward computations written out here -- the worlds grouped by their
own pattern with ``np.unique`` and one ``flatnonzero`` per pattern, each branch's values
computed column by column without merging equal branches, a fresh cache -- and the same
numbers on one thread and on two.
"""

from __future__ import annotations

import numba
import numpy as np
import pytest
from test_negotiate_continuation import DELTA, H, small
from test_negotiate_vetoes import GRID, grid_offers

from goldenbridge.analysis.negotiate import continuation
from goldenbridge.analysis.negotiate.building import (
    Approvals,
    build,
    proposer_gains,
    with_approvals,
)
from goldenbridge.analysis.negotiate.continuation import continuation_approvals, pattern_groups
from goldenbridge.analysis.negotiate.play_tree import reached_states
from goldenbridge.analysis.negotiate.timegame import solve
from goldenbridge.engine import utilities


@pytest.fixture(scope="module")
def talks():
    """A 3-round game on 2 000 worlds, grouped in types, with its equilibrium and a
    random pattern of the veto's own later approvals."""
    pop = small(2_000, 21)
    offers = grid_offers(pop)
    built = build(pop, offers)
    eq = solve(built.game, 3, DELTA, H, 4)
    own = np.random.default_rng(21).random((3, pop.n, GRID)) < 0.8
    return pop, offers, built, eq, own


def _by_offer(own):
    """(T, N, G) approvals offer-major, (T, G, N), as the plans take them."""
    return np.packbits(own.transpose(0, 2, 1), axis=2)


@pytest.mark.parametrize("count", [4, 70])
def test_pattern_groups_are_the_unique_patterns(count):
    """Each pattern but "approve every node", ascending, with its worlds ascending: as
    the unique Python-int codes and their worlds (int64 codes up to 62 nodes, packed bits
    beyond)."""
    rng = np.random.default_rng(3)
    own = rng.random((3, 500, 40)) < (0.6 if count < 10 else 0.995)
    nodes = [(1 + i % 2, i // 2) for i in range(count)]
    bits = np.column_stack([own[r][:, o] for r, o in nodes])
    code = [sum(int(b) << i for i, b in enumerate(row)) for row in bits]
    full = (1 << len(nodes)) - 1
    values = sorted({c for c in code if c != full})
    want = [(v, np.flatnonzero([c == v for c in code])) for v in values]
    got = pattern_groups(_by_offer(own), nodes, 500)
    assert len(want) > 1
    assert [v for v, _ in got] == [v for v, _ in want]
    assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(got, want, strict=True))
    assert pattern_groups(_by_offer(np.ones((3, 500, 40), dtype=bool)), nodes, 500) == []


def test_features_are_the_utilities(talks):
    """The features' views are the veto's utilities of the grid's offers."""
    pop, offers, built, _, _ = talks
    feats = continuation._Features(pop, built, offers, 2)
    assert np.array_equal(feats.u, utilities(pop.worlds.actors[2], offers))


def _reference(feats, plan, g):
    """The float64 gains computed branch by branch (no merging of equal branches)."""
    n = feats.u.shape[0]
    v = np.column_stack(
        [
            continuation._values(
                {k: c[..., [b]] for k, c in plan.co.items()}, feats.block(slice(None))
            )[:, 0]
            for b in range(g + 1)
        ]
    )
    for i, (rows, b) in enumerate(plan.fixes):
        c = {k: f[..., [i]] for k, f in plan.fixed.items()}
        v[rows, b] = continuation._values(c, feats.block(rows))[:, 0]
    assert v.shape == (n, g + 1)
    return v[:, :g] - v[:, g:]


@pytest.mark.parametrize("t", [0, 1])
def test_merged_branches_give_each_branchs_values(talks, t):
    """Branches with equal coefficients are computed once and a gain is the product with
    the difference of two branches: the gains equal the branch-by-branch computation up
    to float rounding, exactly 0 where the offer's branch is the branch of nothing and
    neither is fixed; some branches are merged."""
    pop, offers, built, eq, own = talks
    feats = continuation._Features(pop, built, offers, 2)
    reached = reached_states(built.game, eq)
    plan = continuation._plan(built, offers, eq, t, reached[t], None, _by_offer(own), feats)
    cols, index = continuation._distinct_columns(plan.co)
    assert cols.size < GRID + 1  # the test exercises the merging
    for b in range(GRID + 1):  # a merged branch has its representative's coefficients
        assert all(np.array_equal(c[..., b], c[..., cols[index[b]]]) for c in plan.co.values())
    want = _reference(feats, plan, GRID)
    got = continuation._product(feats, plan)
    scale = 1e-9 * (1 + np.abs(want).max())
    assert np.abs(got - want).max() <= scale
    fixed = np.zeros((pop.n, GRID + 1), dtype=bool)
    for rows, b in plan.fixes:
        fixed[rows, b] = True
    same = (index[:GRID] == index[GRID])[None, :] & ~fixed[:, :GRID] & ~fixed[:, GRID:]
    assert same.any() and (got[same] == 0).all()
    assert len(plan.fixes) > 0


def test_products_do_not_depend_on_the_threads(talks):
    """The blocks run side by side: the same gains, bit for bit, on one thread and two."""
    pop, offers, built, eq, own = talks
    feats = continuation._Features(pop, built, offers, 2)
    reached = reached_states(built.game, eq)
    plan = continuation._plan(built, offers, eq, 0, reached[0], None, _by_offer(own), feats)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = continuation._product(feats, plan)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        two = continuation._product(feats, plan)
    finally:
        numba.set_num_threads(before)
    assert np.array_equal(one, two)


def test_a_kept_cache_gives_a_fresh_caches_approvals(talks):
    """Approvals remembered from an earlier solve (same plan) equal those computed anew,
    and a changed equilibrium is not served from the cache."""
    pop, offers, built, eq, _ = talks
    once = built.one_shot.approve_by
    cache: dict = {}
    first = continuation_approvals(pop, built, offers, eq, once, cache)
    assert any(isinstance(k, tuple) and k[0] == "approvals" for k in cache)
    again = continuation_approvals(pop, built, offers, eq, once, cache)
    assert first.same(again)
    other = with_approvals(built, pop, offers, first)
    eq2 = solve(other.game, 3, DELTA, H, 4)
    kept = continuation_approvals(pop, other, offers, eq2, once, cache)
    fresh = continuation_approvals(pop, other, offers, eq2, once)
    assert kept.same(fresh)


def test_proposer_gains_given_or_computed(talks):
    """with_approvals with the proposer's gains passed equals with_approvals computing
    them."""
    pop, offers, built, _, own = talks
    a = with_approvals(built, pop, offers, Approvals.of(own)).game
    b = with_approvals(built, pop, offers, Approvals.of(own), proposer_gains(pop, offers)).game
    assert np.array_equal(a.approved, b.approved)
    assert np.array_equal(a.deal_rounds, b.deal_rounds)


@pytest.mark.parametrize("rows", [8192, 1696])
def test_a_branchs_values_do_not_depend_on_the_other_branches(rows):
    """A merged branch takes its representative's column: the product of a subset of the
    branches equals those columns of the product of them all, bit for bit, on blocks of
    the shapes the continuation approvals use (features of about 230 columns)."""
    rng = np.random.default_rng(rows)
    fw, fl, g = 64, 66, 101
    mat = rng.normal(size=(rows, fw + fl + g))
    rest = (rng.normal(size=rows), rng.normal(size=rows), np.ones(rows))
    # column-major, as _Features keeps them
    feats = (np.asfortranarray(np.column_stack([mat, *rest])), slice(None), np.zeros(rows, bool))
    co = {
        "cw": rng.normal(size=(fw, g + 1)),
        "cl": rng.normal(size=(fl, g + 1)),
        "deals": rng.normal(size=(g, g + 1)),
        "cw_d": rng.normal(size=(fw, g + 1)),
        "cl_d": rng.normal(size=(fl, g + 1)),
        "own": rng.normal(size=g + 1),
        "sq": rng.normal(size=g + 1),
        "c0": rng.normal(size=g + 1),
    }
    full = continuation._values(co, feats)
    some = np.sort(rng.choice(g + 1, 45, replace=False))
    part = continuation._values(continuation._subset(co, some), feats)
    assert np.array_equal(part, full[:, some])
