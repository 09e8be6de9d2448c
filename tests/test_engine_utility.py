"""The compiled utilities (engine/utility.py) against the numpy reference, bit for bit."""

from __future__ import annotations

import numba
import numpy as np
from hypothesis import given, settings

from goldenbridge.engine import reference, utility
from goldenbridge.engine.arrays import ActorArrays
from strategies import random_offers, random_worlds, worlds_and_offers


@settings(max_examples=60, deadline=None)
@given(worlds_and_offers(kcs=(0, 1, 3, 9)))
def test_utilities_equal_the_reference_bit_for_bit(pair):
    """Every actor, every world and offer (mixed exponents 0.5..3, ties on a grid, nine
    issues, where numpy's pairwise sums would already differ from a sequential one)."""
    worlds, offers = pair
    for actor in worlds.actors:
        got = utility.utilities(actor, offers)
        assert np.array_equal(got, reference.utilities(actor, offers))
        rows = np.arange(worlds.n) % offers.x.shape[0]  # one outcome per world
        x, option = offers.x[rows], offers.option[rows]
        want = reference.utilities_at(actor, x, option)
        assert np.array_equal(utility.utilities_at(actor, x, option), want)
    assert np.array_equal(utility.margins(worlds, offers), reference.margins(worlds, offers))


def test_utilities_with_continuous_exponents_and_zero_distance():
    """Exponents drawn from a continuum (the C library's pow), an ideal point on the
    offer (|d| = 0), and the same numbers with one thread or two (6 000 worlds: rows split
    between threads, engine/threads.py)."""
    rng = np.random.default_rng(5)
    worlds = random_worlds(rng, 6_000, n_actors=2, kc=4, kd=2, n_options=3, rho="mixed")
    offers = random_offers(rng, 9, 4, 2, 3)
    a = worlds.actors[1]
    a = ActorArrays(a.weight, a.ideal.copy(), rng.uniform(0.3, 3.0, 6_000), a.table, a.reservation)
    a.ideal[:5] = offers.x[0]
    want = reference.utilities(a, offers)
    threads = numba.get_num_threads()
    try:
        for n in {1, threads}:
            numba.set_num_threads(n)
            assert np.array_equal(utility.utilities(a, offers), want)
    finally:
        numba.set_num_threads(threads)
    # independent of both: u = sum_c w (1 - |x - a| ** rho) + table, by hand for one cell
    n, m = 7, 3
    by_hand = sum(
        a.weight[n, c] * (1 - abs(offers.x[m, c] - a.ideal[n, c]) ** a.rho[n]) for c in range(4)
    ) + sum(a.table[n, k, offers.option[m, k]] for k in range(2))
    assert abs(want[n, m] - by_hand) < 1e-12


@settings(max_examples=40, deadline=None)
@given(worlds_and_offers(kcs=(1, 3, 9)))
def test_one_offer_with_kept_terms_equals_utilities_bit_for_bit(pair):
    """:class:`~goldenbridge.engine.utility.OneOffer` over a walk of offers that moves
    one issue, several, none, and goes back to an earlier one (its kept terms reused), and
    a change of options: every actor's utilities equal :func:`utilities`' bit for bit."""
    worlds, offers = pair
    one = utility.OneOffer(worlds.actors, keep=3)
    kc = offers.x.shape[1]
    walk = [(offers.x[0], offers.option[0])]
    for m in range(offers.x.shape[0]):
        x = walk[-1][0].copy()
        x[m % kc] = offers.x[m, m % kc]  # one issue moved
        walk += [(x, walk[-1][1]), (x.copy(), walk[-1][1])]  # and the same point again
        walk.append((offers.x[m], offers.option[m]))  # several issues, other options
        walk.append(walk[0])  # back to the first: a kept offer, or not any more
    for x, option in walk:
        got = one(x, option)
        assert got.shape == (len(worlds.actors), worlds.n, 1)
        single = type(offers)(x[None, :], option[None, :])
        for a, actor in enumerate(worlds.actors):
            assert np.array_equal(got[a], utility.utilities(actor, single))
