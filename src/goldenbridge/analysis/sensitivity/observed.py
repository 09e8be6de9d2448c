"""What was observed: the answer conditioned on observations, under any assumption.

With observations (``goldenbridge sensitivity --observe FILE``) the answer is the
recommended offer on the *posterior* (docs/design.md section 6, "updating"). A changed
assumption changes the prior, so the worlds are re-read: the changed prior (common random
numbers, :func:`~goldenbridge.analysis.sensitivity.assumptions.population_at`) is updated
on the same observations (:func:`goldenbridge.analysis.update.update`), the likelihoods
recomputed on its worlds -- a dynamic reading solves the talks game on the changed prior,
the beliefs the talks began with. A changed prior alone (a type's prior) is a reweighting:
updating it gives the old posterior times the same likelihood ratio.

Each rejection is read by the static model (a one-shot offer) or the dynamic one (a round
of talks that go on), by its ``context`` unless ``reading`` forces one; the structural
switch ``reading of a rejection`` re-reads the rejections with the other model
(:mod:`goldenbridge.analysis.sensitivity.switches`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

from goldenbridge.analysis.update.likelihoods import READINGS, reads_dynamic
from goldenbridge.analysis.update.posterior import DegeneracyWarning, update
from goldenbridge.population import Population
from goldenbridge.scenario.errors import InputError
from goldenbridge.scenario.observations import Observations, Rejected

__all__ = ["Observed", "NOTHING_OBSERVED"]


@dataclass(frozen=True)
class Observed:
    """Observations the answer is conditioned on, and how their rejections are read.

    Attributes
    ----------
    observations : Observations or None
        ``None``: nothing observed (the answer is on the prior).
    reading : {"context", "static", "dynamic"}
        How rejections are read (:func:`goldenbridge.analysis.update.update`).
    """

    observations: Observations | None = field(default=None, compare=False)
    reading: str = "context"

    def __post_init__(self) -> None:
        if self.reading not in READINGS:
            raise InputError(f"--reading {self.reading}: expected {', '.join(READINGS)}")

    @property
    def items(self) -> tuple:
        """The observations (empty when nothing was observed)."""
        return tuple(self.observations.observations) if self.observations is not None else ()

    @property
    def rejections(self) -> tuple[Rejected, ...]:
        """The observed rejections: what the static or dynamic reading applies to."""
        return tuple(o for o in self.items if isinstance(o, Rejected))

    def reads(self, reading: str | None = None) -> str:
        """How the rejections are read under ``reading`` (default as given): ``static``,
        ``dynamic`` or ``static and dynamic`` (some of each, by context)."""
        how = {reads_dynamic(o, reading or self.reading) for o in self.rejections}
        return " and ".join(k for k, on in (("static", False), ("dynamic", True)) if on in how)

    def dynamic(self, reading: str | None = None) -> bool:
        """Whether any observation is read with the dynamic model (talks, or a rejection
        read dynamically): the talks' mechanisms then enter the answer."""
        return any(reads_dynamic(o, reading or self.reading) for o in self.items)

    def condition(self, prior: Population, reading: str | None = None) -> Population:
        """``prior`` updated on the observations (``prior`` itself when there are none).

        Raises
        ------
        ScenarioError
            When an observation is impossible in every world of ``prior``.
        """
        if self.observations is None or not self.items:
            return prior
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DegeneracyWarning)
            posterior = update(
                prior,
                self.observations,
                reading=reading or self.reading,
                compare_readings=False,
                min_ess_fraction=0.0,
            )
        return posterior.population


#: Nothing observed: the answer is on the prior.
NOTHING_OBSERVED = Observed()
