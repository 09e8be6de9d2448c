"""Which assumption decides the answer (docs/design.md section 6).

``combined`` runs the parts against the recommended offer (``recommend``: the risk-return
optimum, re-optimised under each change, warm-started): Sobol' attribution of the
per-world war indicator (``attribution``) or Morris screening (``robustness``), every
assumption at the ends of its 90% range (``assumptions``, ``decides``) beside the
structural switches (``switches``, a registry), decision flips (``flips``), the value of
information (``voi``), and the headline naming the assumption that moves the answer most.

Functions named like their submodule (``assumptions``, ``attribution``) are not
re-exported, so those names stay the modules: import them from the submodule.
"""

from goldenbridge.analysis.sensitivity.assumptions import Assumption
from goldenbridge.analysis.sensitivity.attribution import OUTPUTS, Attribution
from goldenbridge.analysis.sensitivity.combined import (
    METHODS,
    PARTS,
    REOPTIMISE,
    ROBUSTNESS_SAMPLES,
    Sensitivity,
    sensitivity,
)
from goldenbridge.analysis.sensitivity.decides import Row, SwitchRow, headline
from goldenbridge.analysis.sensitivity.flips import FLIP_BY, Flip
from goldenbridge.analysis.sensitivity.recommend import Answer, Recommender
from goldenbridge.analysis.sensitivity.robustness import MorrisRow, Sweep, morris, sweeps
from goldenbridge.analysis.sensitivity.switches import SWITCHES, Setting, Switch, register
from goldenbridge.analysis.sensitivity.voi import Information, value_of_information

__all__ = [
    "FLIP_BY",
    "METHODS",
    "OUTPUTS",
    "PARTS",
    "REOPTIMISE",
    "ROBUSTNESS_SAMPLES",
    "SWITCHES",
    "Answer",
    "Assumption",
    "Attribution",
    "Flip",
    "Information",
    "MorrisRow",
    "Recommender",
    "Row",
    "Sensitivity",
    "Setting",
    "Sweep",
    "Switch",
    "SwitchRow",
    "headline",
    "morris",
    "register",
    "sensitivity",
    "sweeps",
    "value_of_information",
]
