"""Acceptance engines: arrays in, weighted sums out; they know nothing of scenarios."""

from goldenbridge.engine.arrays import ActorArrays, Offers, Tally, Worlds
from goldenbridge.engine.reference import margins, tally, utilities

__all__ = ["ActorArrays", "Offers", "Tally", "Worlds", "margins", "tally", "utilities"]
