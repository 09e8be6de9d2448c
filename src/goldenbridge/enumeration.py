"""Scenario -> every world, when every uncertain quantity is discrete (docs/design.md 4b, 5).

When each uncertain quantity of a scenario is a ``choice`` (or a fixed number) and each
type mixture has discrete fields, the worlds can be listed exhaustively: every
combination of values, weighted by its probability. The population is then the
distribution itself, not a sample of it, and every estimate over it is exact (the test
oracle of docs/design.md 4b).

The worlds are built by the population layer's own :func:`~goldenbridge.population.sample`,
fed the uniform of each value instead of each quantity's random stream (the mid-point
of the value's interval of the inverse CDF): the per-path design of section 5 is kept,
so :mod:`goldenbridge.information` pairs an actor's fields with other worlds exactly as it
does on a sample. A field of one type of a mixture (``actors.X.types.T.war_value``) only
matters in worlds where X has type T, so it is enumerated there only: elsewhere it stays
at its first value, which nothing reads.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, replace

import numpy as np

from goldenbridge.population import Population, sample
from goldenbridge.scenario.distributions import Quantity
from goldenbridge.scenario.errors import ScenarioError
from goldenbridge.scenario.schema import Scenario

__all__ = ["MAX_WORLDS", "Support", "supports", "n_combinations", "enumerate_worlds"]

#: Most worlds :func:`enumerate_worlds` builds unless told otherwise: the exact approvals
#: pair each world with every world (``N**2`` pairs per veto actor).
MAX_WORLDS = 5_000


@dataclass(frozen=True)
class Support:
    """The values one discrete quantity (or an actor's type) takes.

    Attributes
    ----------
    path : str
        Its field path (``actors.X.type`` for a type).
    uniforms : tuple of float
        The uniform that selects each value through the inverse CDF (the mid-point of
        its interval); values of probability 0 are left out.
    p : tuple of float
        Each value's probability.
    """

    path: str
    uniforms: tuple[float, ...]
    p: tuple[float, ...]


def _midpoints(p: list[float]) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The mid-point of each value's interval ``[F_{k-1}, F_k)`` of the inverse CDF
    (:meth:`Quantity.ppf` and the type draw both map ``u`` to the first k with
    ``u < F_k``), for the values of positive probability."""
    edges = np.concatenate([[0.0], np.cumsum(p)])
    edges[-1] = max(edges[-1], 1.0)
    keep = [k for k, q in enumerate(p) if q > 0]
    return (
        tuple(float((edges[k] + edges[k + 1]) / 2) for k in keep),
        tuple(float(p[k]) for k in keep),
    )


def _support(path: str, q: Quantity) -> Support:
    if q.kind != "choice":
        raise ScenarioError(
            path,
            f"is a {q.kind} distribution: exact enumeration needs every uncertain quantity "
            "to be a choice (or a fixed value); sample it instead",
        )
    assert q.choice is not None
    p = list(q.p) if q.p is not None else [1 / len(q.choice)] * len(q.choice)
    uniforms, probs = _midpoints(p)
    return Support(path, uniforms, probs)


def supports(scenario: Scenario) -> list[Support]:
    """Every uncertain quantity of ``scenario`` with its values, in sampling order.

    Raises
    ------
    ScenarioError
        Naming the first quantity that is not discrete.

    Examples
    --------
    >>> from goldenbridge.scenario import load
    >>> spec = {"name": "s", "issues": [{"name": "x"}], "actors": [
    ...     {"name": "A", "role": "proposer", "position": {"x": 0}},
    ...     {"name": "B", "role": "target", "position": {"x": 100},
    ...      "war_value": {"choice": [0.2, 0.5, 0.9], "p": [0.5, 0.25, 0.25]}}]}
    >>> [(s.path, s.uniforms, s.p) for s in supports(load(spec))]
    [('actors.B.war_value', (0.25, 0.625, 0.875), (0.5, 0.25, 0.25))]
    """
    probe = sample(scenario, samples=1, budget=None)
    out = []
    for path in probe.uniforms:
        if path in probe.quantities:
            out.append(_support(path, probe.quantities[path]))
        else:  # an actor's type: actors.<name>.type
            actor = scenario.actor(path[len("actors.") : -len(".type")])
            uniforms, p = _midpoints([t.p for t in (actor.types or {}).values()])
            out.append(Support(path, uniforms, p))
    return out


def _factors(scenario: Scenario, found: list[Support]) -> list[list[tuple[dict, float]]]:
    """Independent factors of the joint distribution: one per plain quantity, and one per
    typed actor holding its type with the fields of that type (enumerated only there)."""
    typed = {a.name: a.types for a in scenario.actors if a.types}
    by_path = {s.path: s for s in found}
    factors: list[list[tuple[dict, float]]] = []
    owned: set[str] = set()
    for name, types in typed.items():
        type_path = f"actors.{name}.type"
        if type_path not in by_path:
            continue
        owned.add(type_path)
        own = {
            t: [s for s in found if s.path.startswith(f"actors.{name}.types.{t}.")] for t in types
        }
        rest = {s.path: s.uniforms[0] for fields in own.values() for s in fields}
        owned.update(rest)
        factor = []
        chosen = by_path[type_path]
        live = [t for t, spec in types.items() if spec.p > 0]
        for t, u_type, p_type in zip(live, chosen.uniforms, chosen.p, strict=True):
            fields = own[t]
            for combo in itertools.product(*(zip(s.uniforms, s.p, strict=True) for s in fields)):
                assignment = dict(rest, **{type_path: u_type})
                prob = p_type
                for s, (u, q) in zip(fields, combo, strict=True):
                    assignment[s.path] = u
                    prob *= q
                factor.append((assignment, prob))
        factors.append(factor)
    for s in found:
        if s.path not in owned:
            factors.append([({s.path: u}, q) for u, q in zip(s.uniforms, s.p, strict=True)])
    return factors


def n_combinations(scenario: Scenario) -> int:
    """How many worlds :func:`enumerate_worlds` would build (without building them)."""
    return math.prod(len(f) for f in _factors(scenario, supports(scenario)))


def enumerate_worlds(scenario: Scenario, max_worlds: int | None = MAX_WORLDS) -> Population:
    """Every world of an all-discrete scenario, weighted by its probability.

    Parameters
    ----------
    scenario : Scenario
    max_worlds : int, optional
        Refuse, before building them, more worlds than this (``None``: no limit).

    Returns
    -------
    Population
        With ``exact`` set: :func:`goldenbridge.analysis.evaluate.evaluate` then computes
        every approval by pairing each world with every world and reports no sampling
        error. Weights sum to 1.

    Raises
    ------
    ScenarioError
        A quantity that is not discrete (named), or more combinations than ``max_worlds``.

    Examples
    --------
    >>> from goldenbridge.scenario import load
    >>> spec = {"name": "s", "issues": [{"name": "x"}], "actors": [
    ...     {"name": "A", "role": "proposer", "position": {"x": 0}},
    ...     {"name": "B", "role": "target", "position": {"x": 100},
    ...      "war_value": {"choice": [0.2, 0.5, 0.9], "p": [0.5, 0.25, 0.25]}}]}
    >>> pop = enumerate_worlds(load(spec))
    >>> pop.n, pop.inputs["actors.B.war_value"].tolist(), pop.worlds.weights.tolist()
    (3, [0.2, 0.5, 0.9], [0.5, 0.25, 0.25])
    """
    factors = _factors(scenario, supports(scenario))
    n = math.prod(len(f) for f in factors)
    if max_worlds is not None and n > max_worlds:
        sizes = " x ".join(str(len(f)) for f in factors)
        raise ScenarioError(
            "samples",
            f"exact enumeration needs {sizes} = {n:,} worlds, more than the limit of "
            f"{max_worlds:,}: sample the scenario instead, or raise the limit",
        )
    paths = sorted({p for f in factors for assignment, _ in f for p in assignment})
    uniforms = {p: np.empty(n) for p in paths}
    weights = np.ones(n)
    for row, combo in enumerate(itertools.product(*factors)):
        for assignment, prob in combo:
            for p, u in assignment.items():
                uniforms[p][row] = u
            weights[row] *= prob
    population = sample(scenario, samples=n, uniforms=uniforms, budget=None)
    return replace(population.reweighted(weights / weights.sum()), exact=True)
