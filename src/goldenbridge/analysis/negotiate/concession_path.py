"""A concession path: the odds and payoffs of offers along a line of concessions.

The path runs through given offers (by default from the status quo to the
target's mean ideal point) in straight segments, parametrised by ``s`` in [0, 1]
in proportion to the distance travelled in normalised issue units. Along it the
risk-return trade-off is visible: each concession buys P(deal) and costs the
proposer utility (Powell 1999, *In the Shadow of Power*, ch. 3).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from goldenbridge.analysis.evaluate import outcome_tally
from goldenbridge.analysis.results import to_dict
from goldenbridge.analysis.stats import proportion
from goldenbridge.engine import Offers
from goldenbridge.population import Population, first_worlds
from goldenbridge.scenario.errors import InputError
from goldenbridge.scenario.schema import OfferValue

__all__ = ["ConcessionPath", "concession_path", "target_mean_position"]


@dataclass(frozen=True)
class ConcessionPath:
    """P(deal), P(war), EU and E[u_P] at ``points`` offers along a path.

    Attributes
    ----------
    s : (P,) float64
        Position along the path (0 = first knot, 1 = last).
    knots : tuple of (label, s, values)
        The offers the path runs through.
    p_deal, p_deal_se, p_war, proposer_eu, proposer_u : (P,) float64
    samples : int
        Worlds evaluated.
    """

    s: np.ndarray
    knots: tuple[tuple[str, float, dict[str, OfferValue]], ...]
    p_deal: np.ndarray
    p_deal_se: np.ndarray
    p_war: np.ndarray
    proposer_eu: np.ndarray
    proposer_u: np.ndarray
    samples: int

    def to_dict(self) -> dict[str, Any]:
        """Every field; each knot as ``{"label", "s", "values"}``."""
        document = to_dict(self)
        document["knots"] = [{"label": k, "s": s, "values": dict(v)} for k, s, v in self.knots]
        return document


def target_mean_position(population: Population) -> dict[str, OfferValue]:
    """The target's mean ideal point on the continuous issues (its favourite option,
    by mean evaluation, on the discrete ones)."""
    worlds = population.worlds
    names = population.actor_names
    target = worlds.actors[names.index(population.scenario.target.name)]
    w = worlds.weights / worlds.weights.sum()
    out: dict[str, OfferValue] = {}
    for issue in population.scenario.issues:
        if issue.discrete:
            d = population.discrete.index(issue.name)
            options = issue.options or []
            out[issue.name] = options[int(np.argmax(w @ target.table[:, d, : len(options)]))]
        else:
            c = population.continuous.index(issue.name)
            # a mean of normalised points can leave [0, 1] by rounding (1.0000000000000007)
            mean = min(max(float(w @ target.ideal[:, c]), 0.0), 1.0)
            out[issue.name] = issue.min + mean * (issue.max - issue.min)
    return out


def concession_path(
    population: Population,
    through: Sequence[tuple[str, Mapping[str, OfferValue]]] | None = None,
    points: int = 201,
    samples: int | None = 20_000,
) -> ConcessionPath:
    """Evaluate ``points`` offers along the path through the labelled offers ``through``.

    Parameters
    ----------
    population : Population
    through : sequence of (label, offer), optional
        At least two offers; default the status quo and the target's mean position.
    points : int
    samples : int, optional
        Evaluate on the first ``samples`` worlds (default 20 000; None: all;
        :func:`~goldenbridge.population.first_worlds`).

    Each offer is decided as :func:`~goldenbridge.analysis.evaluate.evaluate` decides it
    (:func:`~goldenbridge.analysis.evaluate.outcome_tally`), so the path agrees with
    ``evaluate`` at every point.

    Examples
    --------
    >>> from goldenbridge.population import sample
    >>> from goldenbridge.scenario import load
    >>> path = concession_path(sample(load("fearon-1d"), samples=4000, seed=1), points=11)
    >>> float(path.p_deal[0]), float(path.p_deal[-1])
    (0.0, 1.0)
    """
    scenario = population.scenario
    if through is None:
        through = [("status quo", {}), (f"{scenario.target.name}'s position", {})]
        through[1] = (through[1][0], target_mean_position(population))
    if len(through) < 2:
        raise InputError("a concession path needs at least two offers")
    labels = [label for label, _ in through]
    values = [scenario.complete(dict(v)) for _, v in through]
    knots = population.encode(values, "path")
    steps = np.linalg.norm(np.diff(knots.x, axis=0), axis=1)
    total = steps.sum()
    cum = np.r_[0.0, np.cumsum(steps)] / total if total > 0 else np.linspace(0, 1, len(values))
    s = np.linspace(0.0, 1.0, points)
    seg = np.clip(np.searchsorted(cum, s, side="right") - 1, 0, len(values) - 2)
    span = np.where(cum[seg + 1] > cum[seg], cum[seg + 1] - cum[seg], 1.0)
    frac = np.clip((s - cum[seg]) / span, 0.0, 1.0)[:, None]
    x = knots.x[seg] + frac * (knots.x[seg + 1] - knots.x[seg])
    # A discrete issue takes the option of the nearer knot.
    option = np.where(frac < 0.5, knots.option[seg], knots.option[seg + 1])
    population = first_worlds(population, samples)
    t = outcome_tally(population, Offers(x, option))[0]
    w, w2 = t.w.sum(), t.w2.sum()
    p, se = proportion(t.deal.sum(0), t.deal2.sum(0), w, w2)
    return ConcessionPath(
        s=s,
        knots=tuple((lab, float(c), v) for lab, c, v in zip(labels, cum, values, strict=True)),
        p_deal=p,
        p_deal_se=se,
        p_war=t.war.sum(0) / w,
        proposer_eu=t.payoff.sum(0) / w,
        proposer_u=t.proposer_u.sum(0) / w,
        samples=population.n,
    )
