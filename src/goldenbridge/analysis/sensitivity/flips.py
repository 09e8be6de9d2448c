"""Decision flips: how far each assumption must move to change the answer.

For each assumption (:mod:`goldenbridge.analysis.sensitivity.assumptions`), in its own
units, the smallest change within its stated range that

- changes the recommended offer: the named offer with the highest proposer
  expected utility (docs/design.md section 6, the risk-return optimum among the
  named offers), or
- moves P(deal) of the chosen offer across a threshold (default 0.5),

found by walking out from the baseline over the sweep's grid on both sides
and bisecting the first interval where the answer changes. A change that
happens and reverts between two grid points is not seen; the grid's
resolution is the range over the number of points per side, refined by
bisection to ``2**-refine`` of that. "None within range" when no grid point
changes the answer.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from goldenbridge.analysis.results import JSON_SKIP, json_meta, to_dict
from goldenbridge.analysis.sensitivity.robustness import Evaluator, Sweep

__all__ = ["Flip", "flips", "headline"]

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Flip:
    """How far one assumption must move to change the answer.

    Attributes
    ----------
    factor : str
        The assumption's name.
    baseline : float
        Its value as written (own units).
    low, high : float
        Its stated range.
    best : str
        The recommended named offer at the baseline.
    threshold : float or None
        The value where the recommendation changes (nearest to the baseline),
        ``None`` when it does not within the range.
    change : float or None
        The change that reaches it (a distribution's shift or scale factor minus 1, a
        prior's change).
    direction : {"below", "above"} or None
        The recommendation changes when the assumption is below / above ``threshold``.
    new_best : str or None
        The recommended offer just past the threshold.
    p_deal_threshold : float or None
        Where P(deal) of the chosen offer crosses the threshold level.
    p_deal_direction : {"below", "above"} or None
    resolution : float
        Width of the bracket of changes the thresholds were bisected to.
    span : float
        Width of the range of changes (``up - down``).
    """

    factor: str
    baseline: float
    low: float = field(metadata=json_meta(name="range.0"))
    high: float = field(metadata=json_meta(name="range.1"))
    best: str
    threshold: float | None
    change: float | None
    direction: str | None
    new_best: str | None
    p_deal_threshold: float | None
    p_deal_change: float | None
    p_deal_direction: str | None
    resolution: float
    span: float = field(metadata=JSON_SKIP)

    @property
    def relative_change(self) -> float:
        """The change that flips the recommendation as a fraction of the range (inf if none)."""
        return math.inf if self.change is None else abs(self.change) / self.span

    @property
    def relative_p_deal_change(self) -> float:
        """The change that moves P(deal) across the level as a fraction of the range."""
        return math.inf if self.p_deal_change is None else abs(self.p_deal_change) / self.span

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


def flips(
    sweeps: Sequence[Sweep],
    evaluate: Evaluator,
    offer_names: Sequence[str],
    chosen: int,
    threshold: float = 0.5,
    refine: int = 6,
    progress: Progress | None = None,
) -> tuple[Flip, ...]:
    """The decision flips of every swept assumption.

    Parameters
    ----------
    sweeps : sequence of Sweep
        From :func:`goldenbridge.analysis.sensitivity.robustness.sweeps`; columns are the
        offers, the first ``len(offer_names)`` of them the named offers.
    evaluate : Evaluator
        The same evaluator the sweeps used (for bisection).
    offer_names : sequence of str
        Names of the named offers, in column order.
    chosen : int
        Column of the offer whose P(deal) is watched.
    threshold : float
        P(deal) level.
    refine : int
        Bisection steps.

    Returns
    -------
    tuple of Flip, smallest relative change first.
    """
    named = len(offer_names)
    result = []
    for k, sweep in enumerate(sweeps):
        a = sweep.assumption
        start = int(np.flatnonzero(sweep.changes == 0.0)[0])

        def best(eu: np.ndarray) -> str:
            return offer_names[int(np.argmax(eu[:named]))]

        def dealt(p: np.ndarray) -> bool:
            return bool(p[chosen] >= threshold)

        def ask_best(delta: float, a=a) -> str:
            return best(evaluate({a: delta})[1])

        def ask_deal(delta: float, a=a) -> bool:
            return dealt(evaluate({a: delta})[0])

        bests = [best(eu) for eu in sweep.proposer_eu]
        deals = [dealt(p) for p in sweep.p_deal]
        flip = _crossing(sweep.changes, bests, start, ask_best, refine)
        cross = _crossing(sweep.changes, deals, start, ask_deal, refine)
        widths = [f[2] for f in (flip, cross) if f is not None]
        result.append(
            Flip(
                factor=a.name,
                baseline=a.baseline,
                low=a.low,
                high=a.high,
                best=bests[start],
                threshold=None if flip is None else a.value(flip[0]),
                change=None if flip is None else float(flip[0]),
                direction=None if flip is None else _side(flip[0]),
                new_best=None if flip is None else flip[1],
                p_deal_threshold=None if cross is None else a.value(cross[0]),
                p_deal_change=None if cross is None else float(cross[0]),
                p_deal_direction=None if cross is None else _side(cross[0]),
                resolution=float(max(widths, default=0.0)),
                span=a.up - a.down,
            )
        )
        if progress is not None:
            progress(k + 1, len(sweeps))
    return tuple(sorted(result, key=lambda f: f.relative_change))


def _side(change: float) -> str:
    return "below" if change < 0 else "above"


def _number(x: float | None) -> str:
    return "none" if x is None else f"{x:.3g}"


def headline(
    flips: Sequence[Flip],
    sweeps: Sequence[Sweep],
    chosen_name: str,
    chosen: int,
    threshold: float,
) -> str:
    """The report's first sentence: which assumption decides the answer.

    The deciding assumption is the one whose smallest flip of the recommended
    offer is the smallest fraction of its stated range; when none flips it,
    the one whose range moves the chosen offer's P(deal) most.

    Examples
    --------
    >>> f = Flip("conflict.p_win", 0.6, 0.4, 0.8, "A", 0.52, -0.08, "below", "B",
    ...          None, None, None, 0.01, 0.4)
    >>> headline([f], [], "A", 0, 0.5)
    "The answer depends most on conflict.p_win: if it is below 0.52 (assumed 0.6), offer 'B' \
instead of 'A'."
    """
    if not flips:
        return "No assumption is uncertain: nothing to vary."
    first = flips[0]
    if first.threshold is not None:
        return (
            f"The answer depends most on {first.factor}: if it is {first.direction} "
            f"{_number(first.threshold)} (assumed {_number(first.baseline)}), offer "
            f"'{first.new_best}' instead of '{first.best}'."
        )
    text = f"No assumption within its stated range changes the recommended offer '{first.best}'."
    if sweeps:
        top = max(sweeps, key=lambda s: s.swing(chosen, "p_deal"))
        lo, hi = top.p_deal[:, chosen].min(), top.p_deal[:, chosen].max()
        text += (
            f" P(deal) of '{chosen_name}' depends most on {top.assumption.name} "
            f"({100 * lo:.0f}% to {100 * hi:.0f}% over its range)"
        )
        crossing = [f for f in flips if f.p_deal_threshold is not None]
        if crossing:
            c = min(crossing, key=lambda f: f.relative_p_deal_change)
            text += (
                f"; it crosses {100 * threshold:.0f}% if {c.factor} is {c.p_deal_direction} "
                f"{_number(c.p_deal_threshold)} (assumed {_number(c.baseline)})"
            )
        text += "."
    return text
