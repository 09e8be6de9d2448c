"""What users write: the scenario model, its distributions, loading and errors, and the
observations an update conditions on (:mod:`goldenbridge.scenario.observations`)."""

from goldenbridge.scenario.distributions import Quantity
from goldenbridge.scenario.errors import InputError, ScenarioError
from goldenbridge.scenario.loading import builtin_names, load, parse, read_text, summaries
from goldenbridge.scenario.schema import Actor, Conflict, Issue, Scenario, Threat

__all__ = [
    "Actor",
    "Conflict",
    "InputError",
    "Issue",
    "Quantity",
    "Scenario",
    "ScenarioError",
    "Threat",
    "builtin_names",
    "load",
    "parse",
    "read_text",
    "summaries",
]
