"""Hypothesis strategies for engine inputs, shared by every test that needs worlds.

``worlds_and_offers()`` draws a :class:`Worlds` and matching :class:`Offers`:
1-3 actors, 0-3 continuous and 0-2 discrete issues, 1-3 type strata, weights,
fight flags, and loss exponents either all quadratic or mixed. Values come from a
coarse grid half of the time so that exact ties (``u_i == r_i``, which accept)
occur often.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from goldenbridge.engine.arrays import ActorArrays, Offers, Worlds

__all__ = ["worlds_and_offers", "random_worlds", "random_offers"]


def random_worlds(rng: np.random.Generator, n: int, n_actors: int = 2, kc: int = 2,
                  kd: int = 1, n_options: int = 3, n_groups: int = 2,
                  rho: str = "quadratic", grid: bool = False,
                  unit_weights: bool = False) -> Worlds:
    """Random worlds; ``rho`` is ``"quadratic"`` or ``"mixed"`` (1, 2, 0.5, 1.5, 3).

    Actor 0 proposes; the others decide (actor 0 decides alone when it is alone).
    With ``grid`` every continuous value is a multiple of 1/4, so ties are common.
    """
    def uniform(shape):
        u = rng.random(shape)
        return np.round(u * 4) / 4 if grid else u

    actors = []
    for _ in range(n_actors):
        sal = rng.dirichlet(np.ones(kc + kd), n) if kc + kd else np.zeros((n, 0))
        table = rng.random((n, kd, n_options)) * sal[:, kc:, None]
        if grid:
            table = np.round(table * 8) / 8
        if rho == "quadratic":
            r = np.full(n, 2.0)
        else:
            r = rng.choice([1.0, 2.0, 0.5, 1.5, 3.0], n)
        actors.append(ActorArrays(
            weight=np.ascontiguousarray(sal[:, :kc]), ideal=uniform((n, kc)), rho=r,
            table=table, reservation=uniform(n),
        ))
    deciders = tuple(range(1, n_actors)) if n_actors > 1 else (0,)
    weights = np.ones(n) if unit_weights else rng.uniform(0.1, 2.0, n)
    return Worlds(
        actors=tuple(actors), proposer=0, deciders=deciders, fight=rng.random(n) < 0.5,
        weights=weights, group=rng.integers(0, n_groups, n), n_groups=n_groups,
    )


def random_offers(rng: np.random.Generator, m: int, kc: int, kd: int, n_options: int,
                  grid: bool = False) -> Offers:
    """Random offers over ``kc`` continuous and ``kd`` discrete issues."""
    x = rng.random((m, kc))
    if grid:
        x = np.round(x * 4) / 4
    return Offers(x=x, option=rng.integers(0, n_options, (m, kd)))


@st.composite
def worlds_and_offers(draw, max_n: int = 60, max_m: int = 40, rho: str | None = None):
    """A (Worlds, Offers) pair of matching shapes."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kc = draw(st.integers(0, 3))
    kd = draw(st.integers(0, 2))
    n_options = draw(st.integers(1, 4))
    grid = draw(st.booleans())
    worlds = random_worlds(
        rng, n=draw(st.integers(1, max_n)), n_actors=draw(st.integers(1, 3)), kc=kc, kd=kd,
        n_options=n_options, n_groups=draw(st.integers(1, 3)),
        rho=rho or draw(st.sampled_from(["quadratic", "mixed"])), grid=grid,
        unit_weights=draw(st.booleans()),
    )
    offers = random_offers(rng, draw(st.integers(1, max_m)), kc, kd, n_options, grid)
    return worlds, offers
