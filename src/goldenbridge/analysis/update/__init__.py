"""Bayesian updating of the sampled worlds on observed moves (docs/design.md section 6).

``posterior`` reweights (and, when the weights degenerate, resamples) the worlds;
``likelihoods`` gives P(observation | world) from the static and the dynamic model.
The observations' schema lives with the other user input, in
:mod:`goldenbridge.scenario.observations`.
"""

from goldenbridge.analysis.update.likelihoods import ModelLikelihood
from goldenbridge.analysis.update.posterior import (
    DegeneracyWarning,
    Evidence,
    Posterior,
    QuantityChange,
    Summary,
    kish_ess,
    redrawn_population,
    update,
)

__all__ = [
    "DegeneracyWarning",
    "Evidence",
    "ModelLikelihood",
    "Posterior",
    "QuantityChange",
    "Summary",
    "kish_ess",
    "redrawn_population",
    "update",
]
