"""Decision flips: how far each assumption must move to change the answer.

For each assumption (:mod:`goldenbridge.analysis.sensitivity.assumptions`), in its own
units, the smallest change within its stated range that moves the answer -- the
recommended offer's P(war) (or the chosen measure), re-optimised under the change
(docs/design.md section 6) -- by at least ``by`` (default 5 percentage points) from its
value as written. Found by walking out from the baseline over a grid of changes (the ends
of the range and the value as written) on both sides and bisecting the first interval
where the answer moves that far. A change that happens and reverts inside one interval is
not seen; "none within range" when no grid point moves it that far.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from goldenbridge.analysis.results import JSON_SKIP, json_meta, to_dict
from goldenbridge.analysis.sensitivity.assumptions import Assumption
from goldenbridge.analysis.sensitivity.attribution import Output
from goldenbridge.analysis.sensitivity.recommend import Answer

__all__ = ["Flip", "flip", "FLIP_BY"]

#: How far the measure must move to count as a flip (5 percentage points of P(war)).
FLIP_BY = 0.05


@dataclass(frozen=True)
class Flip:
    """How far one assumption must move to move the answer by ``by``.

    Attributes
    ----------
    factor : str
        The assumption's name.
    baseline : float
        Its value as written (own units).
    low, high : float
        Its stated range.
    threshold : float or None
        The value where the answer has moved by ``by`` (nearest to the baseline), ``None``
        when it does not within the range.
    change : float or None
        The change that reaches it (a distribution's shift or scale factor minus 1, a
        prior's change).
    direction : {"below", "above"} or None
        The answer moves that far when the assumption is below / above ``threshold``.
    value : float or None
        The measure just past the threshold (re-optimised).
    offer : dict or None
        The recommended offer just past the threshold.
    resolution : float
        Width of the bracket of changes the threshold was bisected to.
    span : float
        Width of the range of changes (``up - down``).
    """

    factor: str
    baseline: float
    low: float = field(metadata=json_meta(name="range.0"))
    high: float = field(metadata=json_meta(name="range.1"))
    threshold: float | None
    change: float | None
    direction: str | None
    value: float | None
    offer: dict[str, Any] | None
    resolution: float
    span: float = field(metadata=JSON_SKIP)

    @property
    def relative_change(self) -> float:
        """The change that moves the answer as a fraction of the range (inf if none)."""
        return math.inf if self.change is None else abs(self.change) / self.span

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)


def _crossing(
    values: np.ndarray,
    answers: list[Any],
    start: int,
    ask: Callable[[float], Any],
    refine: int,
) -> tuple[float, Any, float] | None:
    """Nearest change of ``answers`` from index ``start`` on either side, bisected.

    ``values`` are the grid's changes; returns (change, answer past it,
    bracket width) or None.
    """
    found = []
    for step in (-1, 1):
        i = start
        while 0 <= i + step < len(values) and answers[i + step] == answers[start]:
            i += step
        j = i + step
        if not 0 <= j < len(values):
            continue
        same, changed, answer = values[i], values[j], answers[j]
        for _ in range(refine):
            mid = 0.5 * (same + changed)
            got = ask(mid)
            if got == answers[start]:
                same = mid
            else:
                changed, answer = mid, got
        found.append((0.5 * (same + changed), answer, abs(changed - same)))
    if not found:
        return None
    return min(found, key=lambda f: abs(f[0] - values[start]))


def flip(
    assumption: Assumption,
    ends: tuple[Answer, Answer],
    base: Answer,
    ask: Callable[[float], Answer],
    output: Output,
    by: float = FLIP_BY,
    refine: int = 3,
) -> Flip:
    """The decision flip of one assumption.

    Parameters
    ----------
    assumption : Assumption
    ends : (Answer, Answer)
        The answer at the low and the high end of the range (re-optimised).
    base : Answer
        The answer as written.
    ask : callable
        ``ask(change)`` -> the answer at that change (re-optimised): the bisection's probe.
    output : {"p_war", "p_deal", "proposer_eu"}
    by : float
        How far the measure must move.
    refine : int
        Bisection steps.
    """
    a = assumption
    changes = np.array([a.down, 0.0, a.up])
    answers = [ends[0], base, ends[1]]
    if a.down == 0.0:
        changes, answers = changes[1:], answers[1:]
    if a.up == 0.0:
        changes, answers = changes[:-1], answers[:-1]
    start = int(np.flatnonzero(changes == 0.0)[0])
    m0 = base.measure(output)
    found: dict[float, Answer] = {}

    def moved(answer: Answer) -> bool:
        return abs(answer.measure(output) - m0) >= by - 1e-12

    def probe(delta: float) -> bool:
        found[delta] = ask(delta)
        return moved(found[delta])

    for delta, x in zip(changes, answers, strict=True):
        found[float(delta)] = x
    # Both ends may move the answer that far: the nearer crossing, guessed by linear
    # interpolation between the baseline and each end, is the one bisected (each probe is
    # a re-optimisation).
    guesses = []
    for i, x in enumerate(answers):
        gap = abs(x.measure(output) - m0)
        if i != start and gap >= by - 1e-12:
            guesses.append((abs(changes[i]) * by / gap, i))
    cross: tuple[float, Any, float] | None = None
    if guesses:
        _, end = min(guesses)
        pair = sorted((start, end))
        values = changes[pair]
        seen = [moved(answers[i]) for i in pair]
        cross = _crossing(values, seen, pair.index(start), probe, refine)
    past: Answer | None = None
    if cross is not None:
        # the answer just past the threshold: the probe (or end) nearest it on the moved side
        side = [d for d, x in found.items() if moved(x) and (d - cross[0]) * cross[0] >= 0]
        if side:
            past = found[min(side, key=lambda d: abs(d - cross[0]))]
    return Flip(
        factor=a.name,
        baseline=a.baseline,
        low=a.low,
        high=a.high,
        threshold=None if cross is None else a.value(cross[0]),
        change=None if cross is None else float(cross[0]),
        direction=None if cross is None else _side(cross[0]),
        value=None if past is None else past.measure(output),
        offer=None if past is None else dict(past.values),
        resolution=0.0 if cross is None else float(cross[2]),
        span=a.up - a.down,
    )


def _side(change: float) -> str:
    return "below" if change < 0 else "above"


def smallest_first(flips: Sequence[Flip]) -> tuple[Flip, ...]:
    """The flips, the smallest relative change first (those without one last)."""
    return tuple(sorted(flips, key=lambda f: f.relative_change))
