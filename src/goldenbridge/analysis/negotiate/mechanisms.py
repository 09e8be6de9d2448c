"""The mechanisms of strategic time, switched on and off (docs/design.md section 6).

Four mechanisms make time matter in talks: the ``hazard`` (war breaks out anyway while
the target waits), ``mobilisation`` (the target's cost of each round it waits mobilised),
``drift`` (``p_win`` moves each round: a closing or opening window) and ``pretext`` (each
round whose offer leaves face unsaved makes war cheaper for the target).

- Scenario switches (for sensitivity's structural switches): :func:`without` returns the
  scenario with the named mechanisms off; :data:`MECHANISMS` names them.
- Game switches: :func:`switch_off` zeroes them in a solved game's arrays.
- :func:`shapley` splits a quantity computed under every subset of mechanisms into one part
  per mechanism (Shapley 1953): ``v(none) + sum of parts = v(all)`` whatever the order in
  which the mechanisms are switched on.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable
from dataclasses import replace

from goldenbridge.analysis.negotiate.timegame import TimeGame
from goldenbridge.scenario.distributions import Quantity
from goldenbridge.scenario.errors import InputError
from goldenbridge.scenario.schema import Scenario, Talks

__all__ = ["MECHANISMS", "without", "switch_off", "shapley"]

#: The mechanisms of time in talks, in the order the output lists them.
MECHANISMS = ("hazard", "mobilisation", "drift", "pretext")


def _names(mechanisms: Iterable[str]) -> tuple[str, ...]:
    names = tuple(mechanisms)
    for m in names:
        if m not in MECHANISMS:
            raise InputError(f"unknown mechanism {m!r} (known: {', '.join(MECHANISMS)})")
    return names


def without(scenario: Scenario, *mechanisms: str) -> Scenario:
    """The scenario with the named mechanisms switched off (all four when none is named).

    ``hazard``: ``talks.hazard = 0``; ``mobilisation``: ``conflict.mobilisation = 0``;
    ``drift``: ``conflict.p_win_drift = 0``; ``pretext``: ``talks.accumulate_pretext =
    false`` (the one-shot pretext of 4c stays; a scenario without a talks block gets one
    with ``rounds: 1``, which ``negotiate``'s rounds argument overrides).

    Examples
    --------
    >>> from goldenbridge.scenario import load
    >>> s = without(load("russia-2021"), "hazard", "drift")
    >>> s.talks.hazard.support(), s.conflict.p_win_drift.support()
    ((0.0, 0.0), (0.0, 0.0))
    """
    names = _names(mechanisms) or MECHANISMS
    zero = Quantity(value=0.0)
    conflict = scenario.conflict
    talks = scenario.talks
    if "mobilisation" in names:
        conflict = conflict.model_copy(update={"mobilisation": zero})
    if "drift" in names:
        conflict = conflict.model_copy(update={"p_win_drift": zero})
    if ("hazard" in names or "pretext" in names) and talks is None:
        talks = Talks(rounds=Quantity(value=1.0))
    if talks is not None:
        if "hazard" in names:
            talks = talks.model_copy(update={"hazard": zero})
        if "pretext" in names:
            talks = talks.model_copy(update={"accumulate_pretext": False})
    return scenario.model_copy(update={"conflict": conflict, "talks": talks})


def switch_off(game: TimeGame, mechanisms: Iterable[str]) -> tuple[TimeGame, bool, bool]:
    """The game with the mechanisms off: returns the game, whether the hazard is on and
    whether pretext accumulates (those two are settings of the solver, not arrays)."""
    names = set(_names(mechanisms))
    out = game
    if "mobilisation" in names:
        out = replace(out, mobilisation=out.mobilisation * 0.0)
    if "drift" in names:
        out = replace(out, drift=out.drift * 0.0, drift_p=out.drift_p * 0.0)
    return out, "hazard" not in names, "pretext" not in names


def shapley(
    value: Callable[[frozenset[str]], float], players: Iterable[str]
) -> tuple[float, dict[str, float]]:
    """Shapley values of the game ``value(coalition)`` over ``players``.

    Returns ``value(empty set)`` and each player's part; the parts sum to
    ``value(all) - value(empty set)``. ``value`` is called once per coalition.

    Examples
    --------
    Two mechanisms that only work together split their joint effect equally:

    >>> base, parts = shapley(lambda s: 0.1 + 0.2 * (len(s) == 2), ["a", "b"])
    >>> round(base, 10), {k: round(v, 10) for k, v in parts.items()}
    (0.1, {'a': 0.1, 'b': 0.1})
    """
    players = tuple(players)
    n = len(players)
    cache = {
        frozenset(c): value(frozenset(c))
        for r in range(n + 1)
        for c in itertools.combinations(players, r)
    }
    parts: dict[str, float] = {}
    for i in players:
        others = [p for p in players if p != i]
        phi = 0.0
        for r in range(n):
            weight = math.factorial(r) * math.factorial(n - r - 1) / math.factorial(n)
            for c in itertools.combinations(others, r):
                s = frozenset(c)
                phi += weight * (cache[s | {i}] - cache[s])
        parts[i] = phi
    return cache[frozenset()], parts
