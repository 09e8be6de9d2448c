"""A veto's per-world features, and its branches' values as coefficients on them.

The continuation rule (:mod:`~goldenbridge.analysis.negotiate.continuation`, whose module
docstring derives it) values a branch of the talks for veto ``j`` in world ``n`` as

    V = [u_j(win_k) | u_j(lose_k) | u_j(x_g) | own_j | u_j(sq) | 1] . coefficients,

linear in a handful of features of ``j``'s own world (its utilities of the types' mean
war outcomes, of the path's offers and of the status quo, and its own costs of a war)
times type-level sums of the branch's outcome weights. :class:`_Features` computes the
features once per population and veto, column-major; :func:`_coefficients` turns branches
into coefficients; :func:`_values` multiplies them over the features some branch weighs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from goldenbridge.analysis.negotiate.building import Built, time_inputs
from goldenbridge.analysis.negotiate.kernels import _take_cells
from goldenbridge.analysis.negotiate.play_tree import Branch
from goldenbridge.engine import Offers, utilities
from goldenbridge.population import Population

__all__: list[str] = []

#: Worlds per block (the features' computation, the continuation's products).
_BLOCK = 8192


@dataclass(frozen=True)
class _Partners:
    """Type-level means of the partner side of veto j's pairs (module docstring)."""

    mass: np.ndarray
    p: np.ndarray
    f: np.ndarray
    fp: np.ndarray
    d: np.ndarray
    against: np.ndarray
    f_against: np.ndarray
    win: Offers
    lose: Offers


def _partners(population: Population, built: Built, actor: int) -> _Partners:
    worlds = population.worlds
    w = worlds.weights
    k = built.keys.size
    tk = built.type_of
    mass = np.bincount(tk, weights=w, minlength=k)
    safe = np.where(mass > 0, mass, 1.0)
    p = population.p_win
    f0 = worlds.fight.astype(np.float64)
    _, d = time_inputs(population)
    parts = population.war_parts
    against = _threats(population, actor, "against", parts.effect_cost)

    def mean(x: np.ndarray) -> np.ndarray:
        return np.bincount(tk, weights=w * x, minlength=k) / safe

    def point(x: np.ndarray, option: np.ndarray, weight: np.ndarray) -> Offers:
        tot = np.bincount(tk, weights=w * weight, minlength=k)
        ok = np.where(tot > 0, tot, 1.0)
        cols = [
            np.bincount(tk, weights=w * weight * x[:, c], minlength=k) / ok
            for c in range(x.shape[1])
        ]
        xs = np.column_stack(cols) if cols else np.zeros((k, 0))
        xs = np.where((tot > 0)[:, None], xs, x.mean(axis=0) if x.shape[0] else 0.0)
        opt = np.repeat(option[:1], k, axis=0)
        if option.shape[1] and not (option == option[:1]).all():
            heaviest = np.zeros(k, dtype=np.int64)
            best = np.full(k, -1.0)
            for n in np.argsort(-(w * weight), kind="stable"):
                if best[tk[n]] < 0:
                    best[tk[n]], heaviest[tk[n]] = 1.0, n
            opt = option[heaviest]
        return Offers(np.ascontiguousarray(xs), np.ascontiguousarray(opt))

    return _Partners(
        mass=mass,
        p=mean(p),
        f=mean(f0),
        fp=mean(f0 * p),
        d=mean(d),
        against=mean(against),
        f_against=mean(f0 * against),
        win=point(parts.win_x, parts.win_option, p),
        lose=point(parts.lose_x, parts.lose_option, 1.0 - p),
    )


def _threats(population: Population, actor: int, side: str, cost: np.ndarray) -> np.ndarray:
    """(N,) the credibility-weighted ``cost[:, h]`` of the threats ``h`` whose ``side``
    ("by" or "against") is veto j, summed in the scenario's order."""
    name = population.actor_names[actor]
    out = np.zeros(population.n)
    for h, threat in enumerate(population.scenario.threats):
        if getattr(threat, side) == name:
            out += population.war_parts.credibility[:, h] * cost[:, h]
    return out


def _own(population: Population, actor: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Veto j's own costs of a war (its cost and its threats' costs), its threats' costs
    alone, and its direct war value (NaN where computed)."""
    parts = population.war_parts
    own_threat = _threats(population, actor, "by", parts.cost_to_threatener)
    return parts.base_cost[:, actor] + own_threat, own_threat, parts.direct[:, actor]


def _distinct(points: Offers) -> tuple[Offers, np.ndarray]:
    """The distinct outcome points among the types', and each type's index among them."""
    both = np.hstack([points.x, points.option.astype(np.float64)])
    _, first, index = np.unique(both, axis=0, return_index=True, return_inverse=True)
    return Offers(points.x[first], points.option[first]), index.reshape(-1)


def _coefficients(part: _Partners, branches: Sequence[Branch]) -> dict:
    """The branches' values as coefficients on veto j's per-world features (module
    docstring): ``V = UW cw + UL cl + U deals + own c_own + u_j(sq) c_sq + c_0`` (and, for a
    direct war value, ``cw_d``, ``cl_d`` and ``own`` = its threats' costs less the value)."""
    nb = len(branches)
    m = part.mass[:, None]
    a = np.column_stack([br.deal.sum(axis=0) + br.war + br.stand for br in branches])
    b = np.column_stack([br.war for br in branches])
    c = np.column_stack([br.war_round for br in branches])
    sigma = np.array([part.mass @ br.stand for br in branches])
    deals = np.column_stack([br.deal @ part.mass for br in branches]) if nb else np.zeros((0, 0))
    a, b, c = m * a, m * b, m * c
    f, fp, p, d = part.f[:, None], part.fp[:, None], part.p[:, None], part.d[:, None]
    return {
        "cw": -a * fp + b * p + c * d,
        "cl": -a * (f - fp) + b * (1 - p) - c * d,
        "cw_d": c * d,
        "cl_d": -c * d,
        "own": (a * f - b).sum(axis=0),
        "sq": sigma - (a * (1 - f)).sum(axis=0),
        "c0": (a * part.f_against[:, None] - b * part.against[:, None]).sum(axis=0),
        "deals": deals,
    }


def _fold(coef: np.ndarray, index: np.ndarray, n: int) -> np.ndarray:
    """Sum the types' coefficient rows onto their distinct outcome points."""
    out = np.zeros((n, coef.shape[1]))
    np.add.at(out, index, coef)
    return out


class _Features:
    """Veto j's per-world features and the folding of coefficients onto them."""

    def __init__(self, population: Population, built: Built, grid_offers: Offers, actor: int):
        self.population, self.grid_offers, self.actor = population, grid_offers, actor
        self.part = _partners(population, built, actor)
        self.win, self.wi = _distinct(self.part.win)
        self.lose, self.li = _distinct(self.part.lose)
        own, own_threat, direct = _own(population, actor)
        self.has_direct = ~np.isnan(direct)
        worlds = population.worlds
        n = worlds.n
        fw, fl, g = self.win.m, self.lose.m, grid_offers.m
        # computed once, for every round and solve, side by side (one product per block
        # reads them all): [uw | ul | u | own | u_j(sq) | 1], a view of each of the first three;
        # column-major, so that a block's columns are copied in runs (the products' bits
        # are those of the row-major copy)
        self.mat = np.empty((n, fw + fl + g + 3), order="F")
        self.uw, self.ul = self.mat[:, :fw], self.mat[:, fw : fw + fl]
        self.u = self.mat[:, fw + fl : fw + fl + g]
        # a direct war value enters with the opposite sign of a cost (module docstring)
        self.mat[:, -3] = np.where(self.has_direct, own_threat - direct, own)
        self.mat[:, -2] = population.status_quo_u[:, actor]
        self.mat[:, -1] = 1.0
        for n0 in range(0, n, _BLOCK):
            sl = slice(n0, n0 + _BLOCK)
            arrays = worlds.subset(sl).actors[actor]
            self.u[sl] = utilities(arrays, grid_offers)
            self.uw[sl], self.ul[sl] = utilities(arrays, self.win), utilities(arrays, self.lose)

    def coefficients(self, branches: Sequence[Branch]) -> dict:
        co = _coefficients(self.part, branches)
        for key, index, size in (("cw", self.wi, self.win.m), ("cl", self.li, self.lose.m)):
            for name in (key, key + "_d"):
                co[name] = _fold(co[name], index, size)
        return co

    def block(self, sl: slice | np.ndarray) -> tuple:
        """The features of the worlds ``sl`` (a slice or row indices): :attr:`mat`, ``sl``
        and the direct flags of those worlds."""
        return self.mat, sl, self.has_direct[sl]


def _stack(co: dict, direct: bool = False) -> np.ndarray:
    """(F + 3, B) the coefficients on the features ``[uw | ul | u | own | u_j(sq) | 1]``
    (:attr:`_Features.mat`'s columns): on the war's outcome points, or their direct-value
    twins, the deals, j's own costs, its status-quo utility and 1."""
    win, lose = ("cw_d", "cl_d") if direct else ("cw", "cl")
    return np.vstack([co[win], co[lose], co["deals"], co["own"], co["sq"], co["c0"]])


def _stacks(co: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_stack` of ``co`` and of its direct-value twin, each only on the features
    some branch weighs (most deal rows are 0: a branch signs deals at a few offers), and
    those features' columns."""
    plain, direct = _stack(co), _stack(co, direct=True)
    used = np.flatnonzero(np.any(plain != 0, axis=1) | np.any(direct != 0, axis=1))
    return used, plain[used], direct[used]


def _values(co: dict | tuple, feats: tuple) -> np.ndarray:
    """(R, B) the branches' values in the worlds of ``feats`` (:meth:`_Features.block`),
    float64: ``V = [uw | ul | u | own | u_j(sq) | 1] stack`` (:func:`_stack`), over the
    features the branches weigh (``co``: coefficients, or their :func:`_stacks`)."""
    used, plain, direct = _stacks(co) if isinstance(co, dict) else co
    mat, sl, hd = feats
    # the cells of those worlds and features, column-major (a slice of rows: in runs)
    mat = mat[sl][:, used] if isinstance(sl, slice) else _take_cells(mat, sl, used).T
    v = mat @ plain
    if hd.any():
        v[hd] = mat[hd] @ direct
    return v
