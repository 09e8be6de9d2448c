"""How much does a threat's credibility change the answer? (docs/design.md section 4)

For each credibility ``c`` on a grid (and optionally each size of the threat's
effect), the threat is fixed at that value in a copy of the scenario and the
worlds are drawn again with the same seed. Every quantity has its own random
stream (docs/design.md section 5), so all other draws are identical across the grid:
common random numbers, and the curves are smooth in ``c``.

Reported per point: P(the target prefers war to the status quo) — which is
P(war | no deal), the war risk of offering nothing — and for the named offers
P(deal), P(war) and the proposer's EU, with the best named offer (max EU).

Deterrence alone keeps the peace when the target's war value falls below its
status-quo utility. The threatened war value is linear in ``c``: threats are
carried out independently, so the target's war value is an expectation over
the threat combinations, affine in each credibility (Fearon 1995 for the war
value; docs/design.md section 4 for the combinations). So each world's margin
``w_T - u_T(sq) = a_n + b_n c`` is known exactly from two populations
(``c = 0`` and ``c = 1``), and the smallest credibility at which
``P(fight) <= tolerance`` (and stays so up to ``c = 1``) is found exactly from
the worlds' crossing points ``-a_n / b_n``, not from the grid.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from goldenbridge.analysis.evaluate import evaluate, named_offers
from goldenbridge.analysis.results import to_dict
from goldenbridge.analysis.stats import proportion
from goldenbridge.population import Population, sample
from goldenbridge.scenario.distributions import Quantity
from goldenbridge.scenario.errors import InputError, ScenarioError
from goldenbridge.scenario.schema import OfferValue, Scenario

__all__ = ["Deterrence", "DeterrencePoint", "PeaceThreshold", "deterrence", "with_threat"]

EffectField = Literal["cost", "p_win"]


@dataclass(frozen=True)
class DeterrencePoint:
    """The answer at one credibility (and effect) of the threat.

    ``credibility``/``effect`` are None for the scenario as written.
    ``offers`` maps each named offer to its ``p_deal``, ``p_war`` and ``proposer_eu``.
    """

    credibility: float | None
    effect: float | None
    p_fight: float
    p_fight_se: float
    best: str
    best_p_deal: float
    best_p_war: float
    best_eu: float
    offers: dict[str, dict[str, float]]


@dataclass(frozen=True)
class PeaceThreshold:
    """The least credibility at which deterrence alone keeps the peace, for one effect.

    ``credibility`` is None when even a certain threat leaves ``P(fight)`` above
    the tolerance; ``p_fight_at_full`` is P(fight) when the threat is certain.
    """

    effect: float | None
    credibility: float | None
    p_fight_at_zero: float
    p_fight_at_full: float


@dataclass(frozen=True)
class Deterrence:
    """The result of :func:`deterrence`."""

    scenario: str
    threat: str
    target: str
    proposer: str
    samples: int
    seed: int
    effect_field: str | None
    tolerance: float
    baseline: DeterrencePoint
    points: tuple[DeterrencePoint, ...]
    thresholds: tuple[PeaceThreshold, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``goldenbridge deterrence --json``: every field."""
        return to_dict(self)


def with_threat(
    scenario: Scenario,
    threat: str,
    credibility: float,
    effect: float | None = None,
    effect_field: EffectField | None = None,
) -> Scenario:
    """A copy of the scenario with the threat's credibility (and effect) fixed.

    Examples
    --------
    >>> from goldenbridge.scenario import load
    >>> s = with_threat(load("russia-2021"), "us_sanctions", 0.5, 0.2, "cost")
    >>> t = next(t for t in s.threats if t.name == "us_sanctions")
    >>> t.credibility.value, t.effect.cost.value
    (0.5, 0.2)
    """
    if not 0 <= credibility <= 1:
        raise InputError(f"credibility {credibility:g} is outside [0, 1]")
    threats = []
    for t in scenario.threats:
        if t.name == threat:
            change: dict[str, Any] = {"credibility": Quantity(value=credibility)}
            if effect is not None:
                assert effect_field is not None
                change["effect"] = t.effect.model_copy(
                    update={effect_field: Quantity(value=effect)}
                )
            t = t.model_copy(update=change)
        threats.append(t)
    return scenario.model_copy(update={"threats": threats})


def _target_column(population: Population) -> int:
    return population.actor_names.index(population.scenario.target.name)


def _war_margin(population: Population) -> np.ndarray:
    """How much the target prefers fighting to standing down when nothing is offered
    (docs/design.md 4c: ``w_T + pretext`` against ``u_T(sq) - backing_down``); it fights
    where this is > 0, as the population's ``fight`` says."""
    t = _target_column(population)
    stand = population.status_quo_u[:, t] - population.backing_down
    return population.war_value[:, t] + population.pretext - stand


def _threshold(a: np.ndarray, b: np.ndarray, w: np.ndarray, tolerance: float) -> float | None:
    """Least ``c`` in [0, 1] with ``P(a + b c > 0) <= tolerance`` on all of [c, 1].

    Worlds with ``b < 0`` fight on ``[0, -a/b)``, with ``b > 0`` on ``(-a/b, 1]``,
    with ``b = 0`` always or never; P(fight) is piecewise constant between the
    crossing points, so checking the points and the gaps between them is exact.
    """
    total = w.sum()
    flat = b == 0
    always = float(w[flat & (a > 0)].sum())
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        cross = np.where(flat, np.nan, -a / b)
    falling, rising = ~flat & (b < 0), ~flat & (b > 0)
    c_fall, w_fall = cross[falling], w[falling]
    order = np.argsort(c_fall)
    c_fall, w_fall = c_fall[order], w_fall[order]
    tail_fall = np.concatenate([np.cumsum(w_fall[::-1])[::-1], [0.0]])  # sum over c_n >= c_k
    c_rise, w_rise = cross[rising], w[rising]
    order = np.argsort(c_rise)
    c_rise, w_rise = c_rise[order], w_rise[order]
    head_rise = np.concatenate([[0.0], np.cumsum(w_rise)])  # sum over c_n < c_k

    def p_fight(c: np.ndarray) -> np.ndarray:
        falling_on = tail_fall[np.searchsorted(c_fall, c, side="right")]  # c_n > c
        rising_on = head_rise[np.searchsorted(c_rise, c, side="left")]  # c_n < c
        return (always + falling_on + rising_on) / total

    points = np.unique(np.concatenate([[0.0, 1.0], cross[~flat]]))
    points = points[(points >= 0) & (points <= 1)]
    gaps = (points[:-1] + points[1:]) / 2
    at_point, in_gap = p_fight(points), p_fight(gaps)
    bad = at_point > tolerance
    bad[:-1] |= in_gap > tolerance  # a gap belongs to the point on its left
    if bad[-1]:
        return None
    violated = np.flatnonzero(bad)
    first_ok = violated[-1] + 1 if violated.size else 0
    return float(points[first_ok])


def _point(
    population: Population,
    offers: Mapping[str, Mapping[str, OfferValue]],
    credibility: float | None,
    effect: float | None,
) -> DeterrencePoint:
    result = evaluate(population, offers)
    w = population.worlds.weights
    fight = population.worlds.fight.astype(np.float64)
    p, se = proportion(w @ fight, (w * w) @ fight, w.sum(), w @ w)
    best = result.best
    return DeterrencePoint(
        credibility=credibility,
        effect=effect,
        p_fight=float(p),
        p_fight_se=float(se),
        best=best.name,
        best_p_deal=best.p_deal,
        best_p_war=best.p_war,
        best_eu=best.proposer_eu,
        offers={
            o.name: {"p_deal": o.p_deal, "p_war": o.p_war, "proposer_eu": o.proposer_eu}
            for o in result.offers
        },
    )


def _draws(
    scenario: Scenario,
    threat: str,
    keys: Sequence[tuple[float, float | None] | None],
    effect_field: EffectField | None,
    samples: int,
    seed: int,
    progress: Callable[[int, int], None] | None,
) -> Iterator[Population]:
    """The populations of ``keys`` (None: the scenario itself; else (credibility, effect)
    of the threat), one at a time, in order. (Drawing the next one on a thread of its
    own while the caller evaluates this one gained nothing: the evaluation uses both
    cores.)"""
    for i, key in enumerate(keys):
        s = scenario if key is None else with_threat(scenario, threat, *key, effect_field)
        population = sample(s, samples, seed)
        if progress is not None:
            progress(i + 1, len(keys))
        yield population


def deterrence(
    scenario: Scenario,
    threat: str,
    grid: Sequence[float] | None = None,
    *,
    effects: Sequence[float] | None = None,
    effect_field: EffectField | None = None,
    offers: Mapping[str, Mapping[str, OfferValue]] | None = None,
    samples: int | None = None,
    seed: int | None = None,
    tolerance: float = 0.01,
    progress: Callable[[int, int], None] | None = None,
) -> Deterrence:
    """Sweep a threat's credibility (and effect) with common random numbers.

    Parameters
    ----------
    scenario : Scenario
    threat : str
        The threat's name.
    grid : sequence of float, optional
        Credibilities in [0, 1] (default 0, 0.1, ..., 1).
    effects : sequence of float, optional
        Sizes of the threat's effect to sweep as well (fixed values of
        ``effect.cost`` or ``effect.p_win``); default: the scenario's own.
    effect_field : {"cost", "p_win"}, optional
        Which effect ``effects`` sets; inferred when the threat has only one.
    offers : mapping, optional
        Offers to compare (default: the scenario's named offers).
    tolerance : float
        "Keeps the peace" means ``P(fight) <= tolerance``.
    progress : callable, optional
        Called as ``progress(done, total)`` after each population.

    Returns
    -------
    Deterrence

    Examples
    --------
    Fearon's crisis with a sanction costing B 0.5 when carried out: B's war
    value is ``0.5 - c_B - 0.5 c`` with ``c_B ~ U[0, 0.3]`` and status quo 0, so
    P(fight) = ``clip((0.5 - 0.5 c) / 0.3, 0, 1)``: at most 1% of worlds fight
    from c = 1 - 0.006 = 0.994 on.

    >>> from goldenbridge.scenario import load, parse
    >>> data = load("fearon-1d").model_dump(exclude_none=True)
    >>> data["threats"] = [{"name": "sanctions", "by": "A", "against": "B",
    ...                     "credibility": 0.5, "effect": {"cost": 0.5}}]
    >>> d = deterrence(parse(data), "sanctions", [0.5, 0.8], samples=20_000, seed=1)
    >>> [round(p.p_fight, 1) for p in d.points], round(d.thresholds[0].credibility, 3)
    ([0.8, 0.3], 0.994)
    """
    by_name = {t.name: t for t in scenario.threats}
    if threat not in by_name:
        known = ", ".join(by_name) or "none"
        raise ScenarioError("threats", f"no threat called {threat!r} (threats: {known})")
    spec = by_name[threat]
    if spec.against != scenario.target.name:
        raise ScenarioError(f"threats.{threat}.against", "the sweep needs a threat to the target")
    grid = [i / 10 for i in range(11)] if grid is None else [float(c) for c in grid]
    if not grid or any(not 0 <= c <= 1 for c in grid):
        raise InputError("credibilities must lie in [0, 1]")
    if effects is not None:
        present = [f for f in ("cost", "p_win") if getattr(spec.effect, f) is not None]
        if effect_field is None:
            if len(present) != 1:
                raise InputError(f"threat {threat!r} has effects {present}: name the effect field")
            effect_field = present[0]  # type: ignore[assignment]
    sizes: list[float | None] = list(effects) if effects is not None else [None]
    samples = scenario.samples if samples is None else samples
    seed = scenario.seed if seed is None else seed
    # every population the sweep reads, each (credibility, effect) drawn once (the grid's 0
    # and 1 are the thresholds' ends: the same scenario and seed, the same worlds), each
    # read as it comes: its point, and at 0 and 1 the target's war margin
    keys: list[tuple[float, float | None] | None] = [None]
    keys += [(c, size) for size in sizes for c in [*grid, 0.0, 1.0]]
    keys = list(dict.fromkeys(keys))
    at: dict[tuple[float, float | None], DeterrencePoint] = {}
    margin: dict[tuple[float, float | None], np.ndarray] = {}
    populations = _draws(scenario, threat, keys, effect_field, samples, seed, progress)
    base = next(populations)
    chosen: Mapping[str, Mapping[str, OfferValue]] = (
        dict(offers) if offers is not None else named_offers(base)
    )
    baseline = _point(base, chosen, None, None)
    for key, population in zip(keys[1:], populations, strict=True):
        assert key is not None
        if key[0] in grid:
            at[key] = _point(population, chosen, *key)
        if key[0] in (0.0, 1.0):
            margin[key] = _war_margin(population)
    points = [at[c, size] for size in sizes for c in grid]
    thresholds = []
    for size in sizes:
        a = margin[0.0, size]
        b = margin[1.0, size] - a
        w = base.worlds.weights
        thresholds.append(
            PeaceThreshold(
                effect=size,
                credibility=_threshold(a, b, w, tolerance),
                p_fight_at_zero=float(w @ (a > 0) / w.sum()),
                p_fight_at_full=float(w @ (a + b > 0) / w.sum()),
            )
        )
    return Deterrence(
        scenario=scenario.name,
        threat=threat,
        target=scenario.target.name,
        proposer=scenario.proposer.name,
        samples=samples,
        seed=seed,
        effect_field=effect_field if effects is not None else None,
        tolerance=tolerance,
        baseline=baseline,
        points=tuple(points),
        thresholds=tuple(thresholds),
    )
