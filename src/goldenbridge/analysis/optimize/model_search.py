"""Searching the offer space under the model's own decision rule (docs/design.md 4a-4c).

The exact searches of :mod:`~goldenbridge.analysis.optimize.search` and
:mod:`~goldenbridge.analysis.optimize.line_search` rest on the per-world rule (each
decider accepts iff ``u_i(x) >= r_i`` in that world), whose deal sets are intervals per
world. Under the default information structure a veto's approval is an expectation over
the worlds it cannot tell apart, so those closed forms do not hold. This search scores
offers with the same outcome path as :func:`~goldenbridge.analysis.evaluate.evaluate`:
a scrambled Sobol design over the searched issues (Owen 1998) plus anchors (the status
quo, each decider's mean ideal point, the named offers), then a pattern search around the
best (Hooke & Jeeves 1961) with a halving step, for the risk-return optimum and for the
golden bridge (the best E[u_P(x)] among offers with P(war) <= the target, or P(deal) >=
it). It is a heuristic on a sampled population, not an exact optimum; ``optimize``
reports the result re-evaluated on all worlds and on a fresh population.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from goldenbridge.analysis.evaluate import outcome_tally
from goldenbridge.analysis.optimize.search import Space, _concat
from goldenbridge.analysis.stats import mean, proportion
from goldenbridge.engine import Offers
from goldenbridge.population import Population

__all__ = [
    "ModelScores",
    "model_scores",
    "Criterion",
    "model_search",
    "polish",
    "DESIGN_POINTS",
]

#: Points of the Sobol design (a power of two).
DESIGN_POINTS = 128
#: Offers scored per call (bounds memory: worlds x offers x actors).
CHUNK = 32


@dataclass(frozen=True)
class ModelScores:
    """P(deal), P(war), EU and E[u_P] of M offers (all (M,) float64), with the standard
    errors of the first three (:mod:`goldenbridge.analysis.stats`; None where not kept)."""

    p_deal: np.ndarray
    p_war: np.ndarray
    eu: np.ndarray
    u: np.ndarray
    p_deal_se: np.ndarray | None = None
    p_war_se: np.ndarray | None = None
    eu_se: np.ndarray | None = None

    def __getitem__(self, index: np.ndarray | slice) -> ModelScores:
        return _scores([None if a is None else a[index] for a in _columns(self)])

    @staticmethod
    def concat(parts: Sequence[ModelScores]) -> ModelScores:
        """The scores of several batches of offers, one after the other."""
        return _scores(_concat(parts, _FIELDS))


_FIELDS = ("p_deal", "p_war", "eu", "u", "p_deal_se", "p_war_se", "eu_se")


def _columns(s: ModelScores) -> list[np.ndarray | None]:
    return [getattr(s, name) for name in _FIELDS]


def _scores(columns: Sequence[np.ndarray | None]) -> ModelScores:
    p_deal, p_war, eu, u, p_deal_se, p_war_se, eu_se = columns
    assert p_deal is not None and p_war is not None and eu is not None and u is not None
    return ModelScores(p_deal, p_war, eu, u, p_deal_se, p_war_se, eu_se)


def model_scores(population: Population, offers: Offers) -> ModelScores:
    """Score offers with the outcome path of ``evaluate`` (the status quo offers nothing)."""
    parts = []
    for s in range(0, offers.m, CHUNK):
        t, _, _, _ = outcome_tally(population, offers.subset(slice(s, s + CHUNK)))
        w, w2 = t.w.sum(), t.w2.sum()
        p_deal, p_deal_se = proportion(t.deal.sum(0), t.deal2.sum(0), w, w2)
        p_war, p_war_se = proportion(t.war.sum(0), t.war2.sum(0), w, w2)
        eu, eu_se = mean(t.payoff.sum(0), t.payoff2.sum(0), t.payoff_sq2.sum(0), w, w2)
        u = t.proposer_u.sum(0) / w
        parts.append(ModelScores(p_deal, p_war, eu, u, p_deal_se, p_war_se, eu_se))
    return ModelScores.concat(parts)


@dataclass(frozen=True)
class Criterion:
    """What makes an offer a bridge: P(war) <= ``max_p_war``, or P(deal) >= ``min_p_deal``.

    The status quo offers nothing and is never a bridge.
    """

    max_p_war: float | None = None
    min_p_deal: float | None = None

    def feasible(self, s: ModelScores, offered: np.ndarray) -> np.ndarray:
        ok = offered.copy()
        if self.max_p_war is not None:
            ok &= s.p_war <= self.max_p_war + 1e-12
        if self.min_p_deal is not None:
            ok &= s.p_deal >= self.min_p_deal - 1e-12
        return ok

    def key(self, s: ModelScores, offered: np.ndarray) -> np.ndarray:
        """Larger is better: feasible offers by E[u_P] above every infeasible one."""
        shortfall = np.zeros_like(s.u)
        if self.max_p_war is not None:
            shortfall += np.maximum(s.p_war - self.max_p_war, 0.0)
        if self.min_p_deal is not None:
            shortfall += np.maximum(self.min_p_deal - s.p_deal, 0.0)
        return np.where(self.feasible(s, offered), 10.0 + s.u, -shortfall - 10.0 * ~offered)


@dataclass(frozen=True)
class ModelFound:
    """What :func:`model_search` found (engine coordinates) and the scores it saw."""

    optimum: Offers
    bridge: Offers | None
    candidates: Offers
    scores: ModelScores


def _anchors(population: Population, space: Space) -> np.ndarray:
    """Searched coordinates of the status quo and each actor's mean ideal point."""
    base = space.base.x[0, list(space.columns)]
    points = [base]
    for actor in population.worlds.actors:
        if actor.ideal.shape[1]:
            points.append(actor.ideal[:, list(space.columns)].mean(axis=0))
    return np.array(points)


def _pattern(
    score: Callable[[np.ndarray], tuple[ModelScores, np.ndarray]],
    start: np.ndarray,
    key: Callable[[ModelScores, np.ndarray], np.ndarray],
    step: float = 0.125,
    smallest: float = 1 / 512,
) -> np.ndarray:
    """Hooke & Jeeves (1961): move to the best neighbour at +-step on each coordinate;
    halve the step when none improves."""
    x = start.copy()
    s, offered = score(x[None, :])
    best = float(key(s, offered)[0])
    k = x.size
    while step >= smallest:
        moves = np.concatenate([np.eye(k), -np.eye(k)]) * step
        trial = np.clip(x[None, :] + moves, 0.0, 1.0)
        s, offered = score(trial)
        values = key(s, offered)
        i = int(np.argmax(values))
        if values[i] > best + 1e-12:
            x, best = trial[i], float(values[i])
        else:
            step /= 2
    return x


def model_search(
    population: Population,
    space: Space,
    criterion: Criterion,
    note: Callable[[str], None] | None = None,
    bridge: bool = True,
) -> ModelFound:
    """The risk-return optimum and the bridge over the continuous searched issues.

    Discrete searched issues keep their status quo here (a note says so in ``optimize``).
    ``bridge=False``: the optimum alone (no search for the bridge, which is then ``None``;
    the optimum is the same).
    """
    k = len(space.columns)
    from scipy.stats import qmc  # lazy: scipy.stats costs ~1-2 s of every command's start

    design = qmc.Sobol(k, scramble=True, seed=population.seed).random(DESIGN_POINTS) if k else None
    points = _anchors(population, space) if k else np.zeros((1, 0))
    if design is not None:
        points = np.concatenate([points, design])
    nothing = space.offers(space.base.x[:, list(space.columns)])

    # Each offer's scores depend on it alone (not on the others scored with it), so a
    # point the searches revisit (a neighbour clipped at a bound, the point just left, the
    # optimum and the bridge's shared path) is scored once.
    known: dict[bytes, ModelScores] = {}

    def score(x: np.ndarray) -> tuple[ModelScores, np.ndarray]:
        offers = space.offers(x)
        same = np.all(offers.x == nothing.x, axis=1) & np.all(
            offers.option == nothing.option, axis=1
        )
        keys = [row.tobytes() for row in x]
        todo = list(dict.fromkeys(k for k in keys if k not in known))
        if todo:
            rows = np.array([keys.index(k) for k in todo])
            fresh = model_scores(population, offers.subset(rows))
            for j, k in enumerate(todo):
                known[k] = fresh[np.array([j])]
        parts = [known[k] for k in keys]
        stacked = ModelScores.concat(parts)
        return stacked, ~same

    if note is not None:
        note("scoring a Sobol design under the model's approval rule")
    s, offered = score(points)
    optimum = points[int(np.argmax(s.eu))]
    best = points[int(np.argmax(criterion.key(s, offered)))] if bridge else optimum
    if k:
        if note is not None:
            note("pattern search around the best offers")
        optimum = _pattern(score, optimum, lambda sc, off: sc.eu)
        best = _pattern(score, best, criterion.key) if bridge else optimum
    final = np.stack([optimum, best])
    fs, foff = score(final)
    all_points = np.concatenate([points, final])
    all_scores = ModelScores.concat([s, fs])
    has_bridge = bridge and bool(criterion.feasible(fs, foff)[1])
    return ModelFound(
        optimum=space.offers(optimum[None, :]),
        bridge=space.offers(best[None, :]) if has_bridge else None,
        candidates=space.offers(all_points),
        scores=all_scores,
    )


def polish(
    population: Population,
    space: Space,
    start: np.ndarray,
    step: float = 1 / 32,
    smallest: float = 1 / 256,
    start_scores: ModelScores | None = None,
) -> tuple[np.ndarray, ModelScores]:
    """The risk-return optimum near ``start``: a warm-started pattern search.

    Re-optimising after a small change of the population (an assumption moved, with
    common random numbers) starts from the optimum found before, with a small first step,
    instead of a fresh global search (Hooke & Jeeves 1961, as in :func:`model_search`).

    Parameters
    ----------
    population : Population
        The worlds to score on (e.g. the changed population).
    space : Space
        The searched issues (the coordinates of ``start``).
    start : (K,) float64
        Searched coordinates of the incumbent optimum, on [0, 1].
    step, smallest : float
        First and last step of the search (fractions of each issue's scale).
    start_scores : ModelScores, optional
        ``start`` already scored on ``population`` (one offer): not scored again.

    Returns
    -------
    x : (K,) float64
        The coordinates found (``start`` itself when no neighbour improves the EU).
    scores : ModelScores
        Its P(deal), P(war), EU and E[u_P] on ``population`` (one offer).
    """
    x = np.asarray(start, dtype=np.float64).copy()
    if start_scores is None:
        start_scores = model_scores(population, space.offers(x[None, :]))
    best = start_scores
    k = x.size
    # Every point scored so far has an EU at most the best's (+ the tolerance): scoring
    # it again could neither move the search nor change where it moves, so it is skipped
    # (the search and its result are those of scoring every neighbour).
    seen = {x.tobytes()}
    while k and step >= smallest:
        moves = np.concatenate([np.eye(k), -np.eye(k)]) * step
        trial = np.unique(np.clip(x[None, :] + moves, 0.0, 1.0), axis=0)
        trial = trial[[t.tobytes() not in seen for t in trial]]
        if not len(trial):
            step /= 2
            continue
        seen.update(t.tobytes() for t in trial)
        s = model_scores(population, space.offers(trial))
        i = int(np.argmax(s.eu))
        if s.eu[i] > best.eu[0] + 1e-12:
            x, best = trial[i], s[np.array([i])]
        else:
            step /= 2
    return x, best
