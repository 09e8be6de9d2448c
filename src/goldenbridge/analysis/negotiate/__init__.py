"""Offers over several rounds when delay risks war (docs/design.md section 6).

``dynamics`` turns a population into the bargaining game and reports it;
``skimming`` solves the game (the skimming perfect Bayesian equilibrium, by
backward induction); ``concession_path`` is the one-round picture along the
path of offers.

``concession_path`` stays the module's name (import its function from the module).
"""

from goldenbridge.analysis.negotiate.concession_path import ConcessionPath
from goldenbridge.analysis.negotiate.dynamics import (
    Decomposition,
    Negotiation,
    NegotiationRound,
    Responses,
    Strategy,
    negotiate,
    responses,
)
from goldenbridge.analysis.negotiate.mechanisms import MECHANISMS, shapley, without
from goldenbridge.analysis.negotiate.skimming import Equilibrium, ScreeningGame, solve
from goldenbridge.analysis.negotiate.timegame import TimeEquilibrium, TimeGame

__all__ = [
    "MECHANISMS",
    "ConcessionPath",
    "Decomposition",
    "Strategy",
    "TimeEquilibrium",
    "TimeGame",
    "shapley",
    "without",
    "Equilibrium",
    "Negotiation",
    "NegotiationRound",
    "Responses",
    "ScreeningGame",
    "negotiate",
    "responses",
    "solve",
]
