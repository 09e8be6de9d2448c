"""Rules that relate a scenario's fields to each other (docs/design.md sections 2 and 4).

Each rule raises :class:`ScenarioError` naming the field by a dotted path with
actors and issues by name, e.g. ``actors.Russia.salience.nato``.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable

from pydantic import BaseModel

from goldenbridge.scenario.budget import INNER_SAMPLE, check_budget
from goldenbridge.scenario.distributions import Quantity
from goldenbridge.scenario.errors import ScenarioError
from goldenbridge.scenario.schema import Actor, Issue, OfferValue, Scenario

__all__ = ["check", "MAX_THREATS", "UTILITY_BOUND", "RHO_RANGE", "LIMITS"]

#: War values are exact expectations over 2^J threat combinations.
MAX_THREATS = 12
#: Costs and direct war values are in utility units (utilities lie in [0, 1]);
#: beyond this their expectations and standard errors lose all precision.
UTILITY_BOUND = 1e6
#: Loss exponents the engines compute alike (1 linear, 2 quadratic).
RHO_RANGE = (0.01, 100.0)
#: Most issues, actors and named offers a scenario may have.
LIMITS = {"issues": 200, "actors": 100, "offers": 1000}


def _unknown(name: str, known: Iterable[str], what: str) -> str:
    """``unknown <what>``, with the closest known name when one is close."""
    close = difflib.get_close_matches(str(name), [str(k) for k in known], n=1)
    return f"unknown {what}" + (f" (did you mean {close[0]!r}?)" if close else "")


def _unique(names: list[str], path: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ScenarioError(path, f"duplicate name {name!r}")
        seen.add(name)


def _within(q: Quantity, lo: float, hi: float, path: str, what: str) -> None:
    qlo, qhi = q.support()
    if qlo < lo or qhi > hi:
        shown = f"{qlo:g}" if qlo == qhi else f"[{qlo:g}, {qhi:g}]"
        raise ScenarioError(path, f"{shown} is outside {what} [{lo:g}, {hi:g}]")


def _point(issue: Issue, value: OfferValue, path: str) -> None:
    """A point on an issue: inside the scale, or one of the options."""
    if issue.discrete:
        if not isinstance(value, str) or value not in (issue.options or []):
            raise ScenarioError(path, f"{value!r} is not an option of issue {issue.name!r}")
        return
    if isinstance(value, str):
        raise ScenarioError(path, f"expected a number on the scale of {issue.name!r}, got text")
    if not math.isfinite(value) or not issue.min <= value <= issue.max:
        raise ScenarioError(path, f"{value:g} is outside the scale [{issue.min:g}, {issue.max:g}]")


def _outcome(issues: dict[str, Issue], outcome: dict[str, OfferValue], path: str) -> None:
    for name, value in outcome.items():
        if name not in issues:
            raise ScenarioError(f"{path}.{name}", _unknown(name, issues, "issue"))
        _point(issues[name], value, f"{path}.{name}")


def _actor_preferences(actor: Actor, issues: dict[str, Issue], path: str) -> None:
    """Position, values, salience and rho of one actor (or one of its types)."""
    for name, q in actor.position.items():
        p = f"{path}.position.{name}"
        if name not in issues:
            raise ScenarioError(p, _unknown(name, issues, "issue"))
        issue = issues[name]
        if issue.discrete:
            raise ScenarioError(p, "a discrete issue takes `values` (option -> evaluation)")
        _within(q, issue.min, issue.max, p, "the issue's scale")
    for name, evaluations in actor.values.items():
        p = f"{path}.values.{name}"
        if name not in issues:
            raise ScenarioError(p, _unknown(name, issues, "issue"))
        issue = issues[name]
        if not issue.discrete:
            raise ScenarioError(p, "a continuous issue takes a `position`, not `values`")
        for option, q in evaluations.items():
            if option not in (issue.options or []):
                raise ScenarioError(
                    f"{p}.{option}", _unknown(option, issue.options or [], f"option of {name!r}")
                )
            if q.support()[0] < 0:
                raise ScenarioError(f"{p}.{option}", "evaluations must be >= 0")
        if not evaluations or max(q.support()[1] for q in evaluations.values()) <= 0:
            raise ScenarioError(p, "at least one option needs an evaluation > 0")
    cares = set(actor.position) | set(actor.values)
    if actor.salience is not None:
        for name, q in actor.salience.items():
            p = f"{path}.salience.{name}"
            if name not in issues:
                raise ScenarioError(p, _unknown(name, issues, "issue"))
            if name not in cares:
                raise ScenarioError(p, "the actor has no position on this issue")
            if q.support()[0] < 0:
                raise ScenarioError(p, "salience must be >= 0")
        if cares and all(q.support()[1] <= 0 for q in actor.salience.values()):
            raise ScenarioError(f"{path}.salience", "saliences cannot all be 0")
    if actor.rho.support()[0] <= 0:
        raise ScenarioError(f"{path}.rho", "rho must be > 0")
    _within(actor.rho, *RHO_RANGE, f"{path}.rho", "the loss exponents")
    if actor.capability.support()[0] < 0:
        raise ScenarioError(f"{path}.capability", "capability must be >= 0")
    if actor.war_value is not None:
        _utility(actor.war_value, f"{path}.war_value")


def _utility(q: Quantity, path: str) -> None:
    """A cost or war value: in utility units, bounded by :data:`UTILITY_BOUND`."""
    _within(q, -UTILITY_BOUND, UTILITY_BOUND, path, "the utility range")


def check(scenario: Scenario) -> Scenario:
    """Check the cross-field rules; return the scenario unchanged if they hold.

    Raises
    ------
    ScenarioError
        The first rule broken, with the field path.
    """
    for key, limit in LIMITS.items():
        count = len(getattr(scenario, key))
        if count > limit:
            raise ScenarioError(key, f"at most {limit} {key} (got {count})")
    _unique([i.name for i in scenario.issues], "issues")
    _unique([a.name for a in scenario.actors], "actors")
    issues = {i.name: i for i in scenario.issues}
    actors = {a.name: a for a in scenario.actors}
    for issue in scenario.issues:
        path = f"issues.{issue.name}"
        _point(issue, issue.status_quo_value, f"{path}.status_quo")
        if not issue.discrete:
            for at in issue.labels:
                if not issue.min <= at <= issue.max:
                    raise ScenarioError(f"{path}.labels.{at:g}", "label outside the scale")

    roles = [a.role for a in scenario.actors]
    for role in ("proposer", "target"):
        if roles.count(role) != 1:
            raise ScenarioError(
                "actors",
                f"a bargaining scenario needs exactly one {role} (found {roles.count(role)})",
            )

    for actor in scenario.actors:
        path = f"actors.{actor.name}"
        if actor.informed and actor.role != "veto":
            raise ScenarioError(
                f"{path}.informed", f"only a veto actor can be informed (this one is {actor.role})"
            )
        if actor.types:
            total = sum(t.p for t in actor.types.values())
            if not math.isclose(total, 1.0, abs_tol=1e-6):
                raise ScenarioError(
                    f"{path}.types", f"priors must sum to 1 (they sum to {total:g})"
                )
            for type_name in actor.types:
                resolved = actor.resolved(type_name)
                _actor_preferences(resolved, issues, f"{path}.types.{type_name}")
                if not (resolved.position or resolved.values):
                    raise ScenarioError(f"{path}.types.{type_name}", "no position on any issue")
        else:
            _actor_preferences(actor, issues, path)
            if not (actor.position or actor.values):
                raise ScenarioError(f"{path}.position", "no position on any issue")

    conflict = scenario.conflict
    _within(conflict.p_win, 0, 1, "conflict.p_win", "the probabilities")
    for key in ("win", "lose"):
        for name, value in (getattr(conflict, key) or {}).items():
            path = f"conflict.{key}.{name}"
            if name not in issues:
                raise ScenarioError(path, _unknown(name, issues, "issue"))
            if isinstance(value, Quantity):
                if issues[name].discrete:
                    raise ScenarioError(path, f"expected an option of issue {name!r}")
                _within(value, issues[name].min, issues[name].max, path, "the issue's scale")
            else:
                _point(issues[name], value, path)
    for name, q in conflict.cost.items():
        if name not in actors:
            raise ScenarioError(f"conflict.cost.{name}", _unknown(name, actors, "actor"))
        _utility(q, f"conflict.cost.{name}")

    if len(scenario.threats) > MAX_THREATS:
        raise ScenarioError("threats", f"at most {MAX_THREATS} threats (2^J combinations)")
    _unique([t.name for t in scenario.threats], "threats")
    target = scenario.target
    direct_war_value = target.war_value is not None or any(
        t.war_value is not None for t in (target.types or {}).values()
    )
    for threat in scenario.threats:
        path = f"threats.{threat.name}"
        for key in ("by", "against"):
            if getattr(threat, key) not in actors:
                who = getattr(threat, key)
                raise ScenarioError(f"{path}.{key}", _unknown(who, actors, "actor"))
        _within(threat.credibility, 0, 1, f"{path}.credibility", "the probabilities")
        _utility(threat.cost_to_threatener, f"{path}.cost_to_threatener")
        if threat.effect.cost is not None:
            _utility(threat.effect.cost, f"{path}.effect.cost")
        if threat.effect.p_win is not None:
            _within(threat.effect.p_win, -1, 1, f"{path}.effect.p_win", "the shifts of p_win")
        if threat.effect.p_win is not None:
            if threat.against != target.name:
                raise ScenarioError(
                    f"{path}.effect.p_win", "a p_win effect must be against the target"
                )
            if direct_war_value:
                raise ScenarioError(
                    f"{path}.effect.p_win",
                    "the target gives war_value directly, so p_win does not enter it",
                )

    for path, q in _quantities(scenario, ""):
        if q.known_to is not None and q.is_fixed:
            raise ScenarioError(
                f"{path}.known_to", "a fixed number is known to every actor already"
            )
    if scenario.conflict.face is not None and not scenario.conflict.has_face:
        raise ScenarioError("conflict.face", "set backing_down or pretext too (both are 0)")

    for offer_name, offer in scenario.offers.items():
        _outcome(issues, offer, f"offers.{offer_name}")
    if scenario.library is not None and scenario.library.offer not in scenario.offers:
        raise ScenarioError("library.offer", f"no offer named {scenario.library.offer!r}")
    if scenario.talks is not None:
        for key, end in (("from", scenario.talks.from_), ("to", scenario.talks.to)):
            if isinstance(end, str) and end not in scenario.offers:
                raise ScenarioError(f"talks.{key}", _unknown(end, scenario.offers, "offer"))
            if isinstance(end, dict):
                _outcome(issues, end, f"talks.{key}")
    check_budget(scenario, inner=inner_sample(scenario))
    return scenario


def inner_sample(scenario: Scenario) -> int:
    """Partner worlds per world that the approval rule samples (docs/design.md 4b):
    :data:`~goldenbridge.scenario.budget.INNER_SAMPLE` where a veto decides on its own
    information and either a quantity is ``known_to: all`` or its own threat moves
    ``p_win`` (the pairs are then redrawn, not computed from parts); 1 otherwise.

    Examples
    --------
    >>> from goldenbridge.scenario import load
    >>> inner_sample(load("russia-2021"))
    1
    """
    vetoes = [
        a.name
        for a in scenario.actors
        if a.role == "veto" and not a.informed and scenario.information != "informed"
    ]
    if not vetoes:
        return 1
    shared = any(q.known_to == "all" for _, q in _quantities(scenario, ""))
    moves_p = any(t.by in vetoes and t.effect.p_win is not None for t in scenario.threats)
    return INNER_SAMPLE if shared or moves_p else 1


def _quantities(node: object, path: str) -> list[tuple[str, Quantity]]:
    """Every :class:`Quantity` in a scenario with its field path (names for list items)."""
    if isinstance(node, Quantity):
        return [(path, node)]
    if isinstance(node, BaseModel):
        items = [(k, getattr(node, k)) for k in type(node).model_fields]
    elif isinstance(node, dict):
        items = list(node.items())
    elif isinstance(node, list):
        items = [(getattr(v, "name", str(i)), v) for i, v in enumerate(node)]
    else:
        return []
    found = []
    for key, value in items:
        found += _quantities(value, f"{path}.{key}" if path else str(key))
    return found
