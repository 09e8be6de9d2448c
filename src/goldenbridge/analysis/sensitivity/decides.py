"""Which assumption decides: each assumption's range and each switch against the answer.

The answer is the recommended offer's P(war) (or another measure), re-optimised under
each change (docs/design.md section 6). Re-optimising is a search per change, so the
assumptions are first *screened* with the base offer held fixed at both ends of each range
(one model run per end, common random numbers); the ``top`` that move it most are then
re-optimised at both ends (:class:`~goldenbridge.analysis.sensitivity.recommend.
Recommender`, warm-started). The assumption that decides is the re-optimised one whose
range moves the answer most; the rows of the robustness table, the switches and the
headline all come from here, and :func:`notes` says where the other tables (Sobol',
flips, value of information) rank something else first, and why.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from goldenbridge.analysis.sensitivity.assumptions import Assumption, population_at
from goldenbridge.analysis.sensitivity.attribution import Attribution, Output
from goldenbridge.analysis.sensitivity.flips import Flip
from goldenbridge.analysis.sensitivity.observed import NOTHING_OBSERVED, Observed
from goldenbridge.analysis.sensitivity.recommend import (
    SWITCH_STEP,
    Answer,
    Recommender,
    proposer_only,
)
from goldenbridge.analysis.sensitivity.robustness import MorrisRow
from goldenbridge.analysis.sensitivity.switches import SWITCHES
from goldenbridge.analysis.sensitivity.voi import Information
from goldenbridge.engine.threads import map_threads
from goldenbridge.population import Population

__all__ = ["Row", "SwitchRow", "rows", "switch_rows", "headline", "notes", "input_of", "LABELS"]

#: How each measure is named in sentences.
LABELS: dict[str, str] = {"p_war": "P(war)", "p_deal": "P(deal)", "proposer_eu": "proposer EU"}

Progress = Callable[[int, int], None]
#: ``worlds({assumption: change})`` -> the worlds with the assumptions changed.
Worlds = Callable[[Mapping[Assumption, float]], Population]


@dataclass(frozen=True)
class Row:
    """One assumption at the two ends of its range.

    Attributes
    ----------
    assumption : Assumption
    low, high : Answer
        The answer with the assumption at the low / high end: re-optimised when
        ``reoptimised``, else the base offer held fixed.
    fixed : (float, float)
        The measure of the base offer held fixed at the two ends (the screening).
    reoptimised : bool
    baseline : float
        The measure as written.
    """

    assumption: Assumption
    low: Answer
    high: Answer
    fixed: tuple[float, float]
    reoptimised: bool
    baseline: float
    output: Output

    @property
    def swing(self) -> float:
        """How far the range moves the answer: the widest of the ends and the baseline."""
        values = (self.low.measure(self.output), self.high.measure(self.output), self.baseline)
        return max(values) - min(values)

    @property
    def fixed_swing(self) -> float:
        """The same with the base offer held fixed."""
        values = (*self.fixed, self.baseline)
        return max(values) - min(values)

    def to_dict(self) -> dict[str, Any]:
        """name, kind, baseline, range, each measure at the two ends, the offers there
        (re-optimised rows), the fixed offer's measure there, swing."""
        a = self.assumption
        out: dict[str, Any] = {**a.to_dict(), "reoptimised": self.reoptimised}
        for key in LABELS:
            out[key] = [self.low.measure(key), self.high.measure(key)]  # type: ignore[arg-type]
        if self.reoptimised:
            out["offer"] = [dict(self.low.values), dict(self.high.values)]
        out["fixed"] = {self.output: list(self.fixed)}
        out["swing"] = self.swing
        return out


@dataclass(frozen=True)
class SwitchRow:
    """One structural switch: the answer under the setting as written and the other.

    ``note`` says why the other setting cannot change the answer (then ``answer`` is the
    answer as written, not recomputed); ``None`` when it was recomputed.
    """

    name: str
    description: str
    as_written: str
    other: str
    answer: Answer
    output: Output
    baseline: float
    note: str | None = None

    @property
    def swing(self) -> float:
        return abs(self.answer.measure(self.output) - self.baseline)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "as_written": self.as_written,
            "other": self.other,
            "offer": dict(self.answer.values),
            "p_war": self.answer.p_war,
            "p_deal": self.answer.p_deal,
            "proposer_eu": self.answer.proposer_eu,
            "swing": self.swing,
            "note": self.note,
        }


def rows(
    base: Population,
    recommender: Recommender,
    assumptions: Sequence[Assumption],
    output: Output,
    top: int | None = 6,
    progress: Progress | None = None,
    worlds: Worlds | None = None,
    shortcut: bool = True,
    threads: bool = True,
) -> tuple[Row, ...]:
    """Every assumption at the ends of its range: screened with the offer fixed, the
    ``top`` (all when ``None``) re-optimised; re-optimised rows first, widest swing first.

    ``worlds(settings)`` gives the worlds with the assumptions changed (default
    :func:`~goldenbridge.analysis.sensitivity.assumptions.population_at` on ``base``; with
    observations, the changed prior conditioned on them). A re-optimisation starts from
    the screening's score of the base offer on the same worlds (no second model run).
    ``shortcut``: an assumption that moves only the proposer's fields keeps the base
    worlds' decisions (:meth:`Recommender.fixed`); off when ``worlds`` conditions on
    observations (whose likelihoods may read the proposer's fields). ``threads``: the
    screening's runs, then the re-optimisations, side by side
    (:func:`~goldenbridge.engine.threads.map_threads`; each run is its own population and
    search, so the numbers are the same); off when ``worlds`` conditions on observations.
    """
    if worlds is None:

        def worlds(settings: Mapping[Assumption, float]) -> Population:
            return population_at(base, settings)

    answer0 = recommender.base
    m0 = answer0.measure(output)
    chosen = len(assumptions) if top is None else min(top, len(assumptions))
    if not recommender.reoptimise:
        chosen = 0  # a fixed offer: the screening is the answer
    runs, total = 0, 2 * (len(assumptions) + chosen)
    lock = threading.Lock()

    def ran() -> None:
        nonlocal runs
        with lock:  # the screening's runs report from several threads
            runs += 1
            if progress is not None:
                progress(runs, total)

    def at(a: Assumption, delta: float, how: Callable[[Population], Answer]) -> Answer:
        answer = how(worlds({a: delta})) if delta else answer0
        ran()
        return answer

    def held(end: tuple[Assumption, float]) -> Answer:
        a, delta = end
        same = shortcut and proposer_only(base, a)
        return at(a, delta, lambda population: recommender.fixed(population, same))

    ends = [(a, delta) for a in assumptions for delta in (a.down, a.up)]
    answers = map_threads(held, ends) if threads else [held(end) for end in ends]
    screened = [(a, answers[2 * i], answers[2 * i + 1]) for i, a in enumerate(assumptions)]

    def fixed_swing(item: tuple[Assumption, Answer, Answer]) -> float:
        values = (item[1].measure(output), item[2].measure(output), m0)
        return max(values) - min(values)

    screened.sort(key=lambda item: -fixed_swing(item))

    def again(job: tuple[Assumption, float, Answer]) -> Answer:
        a, delta, start = job
        return at(a, delta, lambda population: recommender.at(population, start=start))

    # the re-optimisations, each on its own worlds from its own start: side by side too
    jobs = [(a, d, s) for a, lo, hi in screened[:chosen] for d, s in ((a.down, lo), (a.up, hi))]
    found = map_threads(again, jobs) if threads else [again(job) for job in jobs]
    out = []
    for k, (a, lo, hi) in enumerate(screened):
        fixed = (lo.measure(output), hi.measure(output))
        if k < chosen:
            out.append(Row(a, found[2 * k], found[2 * k + 1], fixed, True, m0, output))
        else:
            out.append(Row(a, lo, hi, fixed, False, m0, output))
    return tuple(sorted(out, key=lambda r: (not r.reoptimised, -r.swing)))


def switch_rows(
    prior: Population,
    recommender: Recommender,
    output: Output,
    observed: Observed = NOTHING_OBSERVED,
) -> tuple[SwitchRow, ...]:
    """The answer under the other setting of each registered switch that applies.

    ``prior`` is the worlds before any observation; each switch's worlds are conditioned
    on ``observed`` (read as the switch says) before the offer is re-optimised. A switch
    whose other setting cannot change the answer is listed with the answer as written and
    the reason.
    """
    m0 = recommender.base.measure(output)
    out = []
    for switch in SWITCHES.values():
        setting = switch.alternative(prior, observed)
        if setting is None:
            continue
        if setting.inert is not None:
            answer = recommender.base
        else:
            worlds = prior if setting.population is None else setting.population
            answer = recommender.at(observed.condition(worlds, setting.reading), SWITCH_STEP)
        out.append(
            SwitchRow(
                switch.name,
                switch.description,
                setting.as_written,
                setting.other,
                answer,
                output,
                m0,
                setting.inert,
            )
        )
    return tuple(out)


def input_of(assumption: Assumption) -> str:
    """The world-level input (a Sobol' factor) an assumption is about: a distribution's
    quantity for its shift and spread, the actor's type for a prior."""
    if assumption.kind == "prior":
        actor = assumption.path.removeprefix("actors.").split(".types.")[0]
        return f"{actor}.type"
    return assumption.name.removesuffix(".sd")


def _pct(output: Output, x: float) -> str:
    return f"{100 * x:.1f}%" if output != "proposer_eu" else f"{x:.3f}"


def _range_words(a: Assumption) -> str:
    values = f"({a.low:.3g} to {a.high:.3g}, assumed {a.baseline:.3g})"
    if a.kind == "spread":
        return f"from half to twice its spread {values}"
    if a.kind == "prior" or a.quantity is None or a.name.endswith("credibility"):
        return f"over its range {values}"
    return f"over its 90% range {values}"


def headline(
    found: Sequence[Row],
    switches: Sequence[SwitchRow],
    output: Output,
    offer_name: str,
    reoptimised: bool,
) -> str:
    """The report's first sentence: the single assumption that moves the answer most.

    Examples
    --------
    >>> import numpy as np
    >>> a = Assumption("conflict.p_win", "conflict.p_win", "shift", 0.6, 0.45, 0.75, -.15, .15)
    >>> lo = Answer({"x": 0.5}, 0.31, 0.5, 0.4, np.zeros(1))
    >>> hi = Answer({"x": 0.7}, 0.12, 0.7, 0.5, np.zeros(1))
    >>> headline([Row(a, lo, hi, (0.35, 0.1), True, 0.2, "p_war")], [], "p_war", "x", True)
    "The answer depends most on conflict.p_win: over its range (0.45 to 0.75, assumed 0.6) \
the recommended offer's P(war), re-optimised, runs from 31.0% to 12.0% (20.0% as written)."
    """
    what = LABELS[output]
    subject = (
        f"the recommended offer's {what}, re-optimised,"
        if reoptimised
        else f"{what} of '{offer_name}'"
    )
    if not found:
        text = "No assumption is uncertain: nothing to vary."
        first_swing = 0.0
    else:
        r = found[0]
        first_swing = r.swing
        text = (
            f"The answer depends most on {r.assumption.name}: {_range_words(r.assumption)} "
            f"{subject} runs from {_pct(output, r.low.measure(output))} to "
            f"{_pct(output, r.high.measure(output))} ({_pct(output, r.baseline)} as written)."
        )
    bigger = [s for s in switches if s.swing > first_swing]
    if bigger:
        s = max(bigger, key=lambda s: s.swing)
        text += (
            f" A structural switch moves it further: with {s.name} {s.other} (as written: "
            f"{s.as_written}) it is {_pct(output, s.answer.measure(output))}."
        )
    return text


def _quantity(name: str) -> str:
    """The world-level input an assumption's *name* is about (as :func:`input_of`)."""
    if name.endswith(".prior") and ".types." in name:
        return f"{name.split('.types.')[0]}.type"
    return name.removesuffix(".sd")


def _amount(output: Output, x: float) -> str:
    return f"{100 * x:.1f} points" if output != "proposer_eu" else f"{x:.3f}"


def notes(
    found: Sequence[Row],
    attribution: Attribution | None,
    flips: Sequence[Flip],
    information: Sequence[Information],
    output: Output,
    observed: Observed = NOTHING_OBSERVED,
    screening: Sequence[MorrisRow] = (),
) -> tuple[str, ...]:
    """Where a table ranks another assumption first than the headline, and why.

    One sentence per table whose first entry is about another quantity than the
    headline's assumption: the Sobol' table (its largest total index) or the Morris
    screening (its largest mu*), the robustness screening with the offer held fixed, the
    flips (the smallest relative change), the value of information (the largest gain).
    Without robustness rows the headline names the global table's first entry, and the
    value of information is checked against it. With observations, a note says that the
    Sobol' indices are over the prior's draws.
    """
    what = LABELS[output]
    out = []
    if attribution is not None and observed.items:
        out.append(
            "The Sobol' indices are over the prior's draws, before the observations "
            "(SALib's estimators take an unweighted design); every other table is on the "
            "worlds updated on them."
        )
    ranked = [f for f in attribution.factors if f.ST is not None] if attribution else []
    if found:
        head = found[0].assumption
        name, quantity = head.name, input_of(head)
        how = "re-optimised" if found[0].reoptimised else "held fixed"
    elif ranked:
        name = quantity = ranked[0].name
    elif screening:
        name, quantity = screening[0].name, _quantity(screening[0].name)
    else:
        return tuple(out)
    if found and ranked and ranked[0].name != quantity:
        out.append(
            f"The Sobol' table ranks {ranked[0].name} first (total index "
            f"{ranked[0].ST:.2f}): it explains most of the spread of the per-world "
            f"outcome across the worlds as drawn, for the offer held fixed; the headline "
            f"asks instead how far moving {name}'s assumed distribution moves {what} "
            f"with the offer {how}."
        )
    if found and screening and screening[0].name != name:
        out.append(
            f"Morris screening ranks {screening[0].name} first (mu* "
            f"{screening[0].mu_star:.3f}): it averages the effects of small moves of every "
            f"assumption at once, with the offer held fixed; the headline moves one "
            f"assumption over its whole range with the offer {how}."
        )
    if found:
        screen = max(found, key=lambda r: r.fixed_swing)
        if (
            found[0].reoptimised
            and screen.assumption != found[0].assumption
            and screen.fixed_swing > found[0].swing
        ):
            out.append(
                f"With the offer held fixed {screen.assumption.name} moves {what} most "
                f"({_amount(output, screen.fixed_swing)}); re-optimising the offer absorbs "
                "part of it."
            )
        moved = [f for f in flips if f.threshold is not None]
        if moved and moved[0].factor != name:
            out.append(
                f"{moved[0].factor} moves {what} by the flip size after the smallest share "
                f"of its range, but {name} moves it further over its whole range."
            )
    learned = [i for i in information if i.name != "everything" and i.value > 0]
    if learned:
        top = max(learned, key=lambda i: i.value)
        if top.name != quantity:
            out.append(
                f"Learning {top.name} is worth most to the proposer ({top.value:.4f}): "
                f"information pays when it changes which offer is best, not when it moves "
                f"{what} under the same offer."
            )
    return tuple(out)
