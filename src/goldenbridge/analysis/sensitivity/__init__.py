"""Which assumption decides the answer (docs/design.md section 6).

``combined`` runs the parts for one offer: Sobol' attribution (``attribution``) or
Morris screening (``robustness``), one-at-a-time sweeps of the scenario's assumptions
(``assumptions``, ``robustness``), decision flips (``flips``) and the value of
information (``voi``).

Functions named like their submodule (``assumptions``, ``attribution``, ``flips``) are
not re-exported, so those names stay the modules: import them from the submodule.
"""

from goldenbridge.analysis.sensitivity.assumptions import Assumption
from goldenbridge.analysis.sensitivity.attribution import Attribution
from goldenbridge.analysis.sensitivity.combined import (
    METHODS,
    PARTS,
    ROBUSTNESS_SAMPLES,
    Sensitivity,
    sensitivity,
)
from goldenbridge.analysis.sensitivity.flips import Flip, headline
from goldenbridge.analysis.sensitivity.robustness import MorrisRow, Sweep, morris, sweeps
from goldenbridge.analysis.sensitivity.voi import Information, value_of_information

__all__ = [
    "METHODS",
    "PARTS",
    "ROBUSTNESS_SAMPLES",
    "Assumption",
    "Attribution",
    "Flip",
    "Information",
    "MorrisRow",
    "Sensitivity",
    "Sweep",
    "headline",
    "morris",
    "sensitivity",
    "sweeps",
    "value_of_information",
]
