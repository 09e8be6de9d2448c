"""What was seen: observations for Bayesian updating (docs/design.md section 6, "updating").

An observations file is YAML or JSON: either a list of observations or a mapping
with a default logit ``noise`` and the list under ``observations``::

    noise: 0.02                 # utility units; 0 = the model's hard acceptance rule
    observations:
      - {kind: rejected, offer: us_jan26_answer}          # by the target unless `by:` names one
      - {kind: accepted, values: {share: 0.7}, by: B}
      - kind: signal            # a costly signal: P(signal | world)
        name: mobilisation
        by_type: {security_seeker: 0.3, revisionist: 0.9}  # per type of `actor` (the target)
      - {kind: signal, name: drills, if_war: 0.8, if_peace: 0.4}
      - kind: signal
        name: rhetoric
        logistic: {input: actors.Russia.rho, midpoint: 1.5, scale: 0.2}
      - {kind: no_attack, rounds: 4, hazard: 0.15}       # 4 periods without attack
      - {kind: talks, offers: [bridge_minsk, bridge_minsk], outcome: war}   # dynamic game

Every observation may carry ``label``, ``date`` and ``source`` (text, shown in
reports) and its own ``noise``. :func:`parse_observations` validates with
pydantic and raises :class:`~goldenbridge.scenario.ScenarioError` naming the
field (``observations.1.offer: ...``); :func:`goldenbridge.analysis.update.posterior.update`
then checks the names (offers, actors, types, inputs) against the population.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from goldenbridge.scenario.errors import ScenarioError
from goldenbridge.scenario.reading import read_file
from goldenbridge.scenario.schema import Name, OfferValue

__all__ = [
    "AllyVote",
    "Rejected",
    "Accepted",
    "Signal",
    "Logistic",
    "NoAttack",
    "Talks",
    "Observation",
    "Observations",
    "parse_observations",
    "load_observations",
]

_STRICT = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)
Probability = Annotated[float, Field(ge=0, le=1)]
Noise = Annotated[float, Field(ge=0)]


class _Observed(BaseModel):
    """Fields every observation shares: where it comes from, and its own noise."""

    model_config = _STRICT

    label: str | None = None
    date: str | None = None
    source: str | None = None
    noise: Noise | None = None


class _OfferResponse(_Observed):
    """An actor's answer to an offer: a named offer or explicit values."""

    offer: Name | None = None
    values: dict[Name, OfferValue] | None = None
    by: Name | None = None

    @model_validator(mode="after")
    def _one_offer(self) -> _OfferResponse:
        if (self.offer is None) == (self.values is None):
            raise ValueError("give exactly one of offer (a named offer) or values")
        return self

    def describe(self) -> str:
        what = self.offer if self.offer is not None else json.dumps(self.values)
        return f"{self.kind} {what}"  # type: ignore[attr-defined]


class Rejected(_OfferResponse):
    """An offer was rejected; ``attack`` says whether war followed (omit: not observed).

    ``context`` says where: ``one-shot`` (a final offer; read with the static model) or
    ``talks`` (a round of talks that go on; read with the dynamic model of
    docs/design.md section 6, the offer projected on the talks path). ``update`` reports
    which model read it, and the other beside it when they disagree.
    """

    kind: Literal["rejected"]
    attack: bool | None = None
    context: Literal["one-shot", "talks"] = "one-shot"

    def describe(self) -> str:
        tail = {None: "", True: " and attacked", False: " without attacking"}[self.attack]
        return super().describe() + tail


class Accepted(_OfferResponse):
    """An offer was accepted."""

    kind: Literal["accepted"]


class Logistic(BaseModel):
    """``P = low + (high - low) / (1 + exp(-(x - midpoint) / scale))`` of a world quantity ``x``."""

    model_config = _STRICT

    input: str = Field(min_length=1)
    midpoint: float
    scale: float
    low: Probability = 0.0
    high: Probability = 1.0

    @model_validator(mode="after")
    def _nonzero_scale(self) -> Logistic:
        if self.scale == 0:
            raise ValueError("scale must be non-zero (negative: the signal falls with the input)")
        return self


class Signal(_Observed):
    """A costly signal (mobilisation, exercises) with its probability in each world.

    Exactly one of: ``by_type`` (type of ``actor`` -> P(signal)), ``if_war`` and
    ``if_peace`` (by whether the target prefers war to the status quo in the
    world), or ``logistic`` in a world quantity.
    """

    kind: Literal["signal"]
    name: Name
    actor: Name | None = None
    by_type: dict[Name, Probability] | None = None
    if_war: Probability | None = None
    if_peace: Probability | None = None
    logistic: Logistic | None = None

    @model_validator(mode="after")
    def _one_likelihood(self) -> Signal:
        given = [
            k
            for k, v in (
                ("by_type", self.by_type),
                ("if_war/if_peace", self.if_war if self.if_war is not None else self.if_peace),
                ("logistic", self.logistic),
            )
            if v is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of by_type, if_war and if_peace, or logistic"
                + (f" (got {', '.join(given)})" if given else "")
            )
        if (self.if_war is None) != (self.if_peace is None):
            raise ValueError("give both if_war and if_peace")
        return self

    def describe(self) -> str:
        return f"signal {self.name}"


class NoAttack(_Observed):
    """``rounds`` periods passed without an attack.

    In a world where the target prefers war to the status quo it attacks in each
    period with probability ``hazard``; elsewhere with ``hazard_if_peace``
    (accidents, default 0). The likelihood is ``(1 - h) ** rounds``.
    """

    kind: Literal["no_attack"]
    rounds: float = Field(gt=0)
    hazard: Annotated[float, Field(ge=0, lt=1)]
    hazard_if_peace: Annotated[float, Field(ge=0, lt=1)] = 0.0

    def describe(self) -> str:
        plural = "" if self.rounds == 1 else "s"
        return f"no attack for {self.rounds:g} round{plural} (hazard {self.hazard:g})"


class Talks(_Observed):
    """Rounds of the dynamic bargaining game (docs/design.md section 6): the offers made,
    one per round, and what the target did.

    The target waited (neither accepted nor attacked, and no war broke out) in every
    round but the last, and in the last round ``outcome`` happened: it was still
    ``waiting``, it ``accepted``, or there was ``war`` (an attack, the pretext
    hazard, or a veto blocking the deal it accepted in a world that fights).
    Offers are named offers or values on the talks path (``project: true`` uses
    the nearest point on the path for an offer off it), or ``positions`` in [0, 1]
    along it. ``horizon``, ``hazard``, ``discount``, ``from``, ``to`` override the
    scenario's ``talks`` block. ``tremble`` is the probability that the target's
    behaviour is not the equilibrium's (then each action is equally likely).
    """

    model_config = ConfigDict(
        extra="forbid", allow_inf_nan=False, frozen=True, populate_by_name=True
    )

    kind: Literal["talks"]
    offers: list[str | dict[str, OfferValue]] | None = Field(default=None, min_length=1)
    positions: list[Annotated[float, Field(ge=0, le=1)]] | None = Field(default=None, min_length=1)
    project: bool = False
    outcome: Literal["waiting", "accepted", "war"] = "waiting"
    horizon: int | None = Field(default=None, ge=1)
    hazard: Annotated[float, Field(ge=0, lt=1)] | None = None
    discount: Annotated[float, Field(gt=0, le=1)] | None = None
    path_from: str | dict[str, OfferValue] | None = Field(default=None, alias="from")
    path_to: str | dict[str, OfferValue] | None = Field(default=None, alias="to")
    grid: int = Field(default=101, ge=2)
    tremble: Annotated[float, Field(ge=0, lt=1)] = 0.0

    @model_validator(mode="after")
    def _one_kind_of_offer(self) -> Talks:
        if (self.offers is None) == (self.positions is None):
            raise ValueError("give exactly one of offers or positions (one per round)")
        return self

    @property
    def rounds(self) -> int:
        """The number of rounds observed."""
        return len(self.offers if self.offers is not None else self.positions or [])

    def describe(self) -> str:
        plural = "" if self.rounds == 1 else "s"
        return f"talks: {self.rounds} round{plural}, then {self.outcome}"


class AllyVote(_Observed):
    """A veto actor (``by``) approved or blocked a package before it was offered (docs/design.md
    4b): read with the approval rule; ``tremble`` is the chance its vote was not the rule's."""

    kind: Literal["approved", "blocked"]
    by: Name
    offer: Name | None = None
    values: dict[Name, OfferValue] | None = None
    tremble: Annotated[float, Field(ge=0, lt=1)] = 0.0

    @model_validator(mode="after")
    def _one_offer(self) -> AllyVote:
        if (self.offer is None) == (self.values is None):
            raise ValueError("give exactly one of offer (a named offer) or values")
        return self

    def describe(self) -> str:
        what = self.offer if self.offer is not None else json.dumps(self.values)
        return f"{self.by} {self.kind} {what}"


Observation = Annotated[
    Rejected | Accepted | Signal | NoAttack | Talks | AllyVote, Field(discriminator="kind")
]
_KINDS = ("rejected", "accepted", "signal", "no_attack", "talks", "approved", "blocked")


class Observations(BaseModel):
    """A list of observations and the default logit noise for offer responses."""

    model_config = _STRICT

    noise: Noise = 0.0
    observations: list[Observation] = Field(min_length=1)
    description: str | None = None
    sources: dict[str, str] | list[str] | None = None


def _field_path(loc: tuple[Any, ...]) -> str:
    """Pydantic's location as a dotted path, without the discriminator tags."""
    parts = []
    for i, key in enumerate(loc):
        if isinstance(key, str) and key in _KINDS and i > 0 and isinstance(loc[i - 1], int):
            continue
        if isinstance(key, str) and ("[" in key or key in ("float", "str")):
            continue
        parts.append(str(key))
    return ".".join(parts)


def parse_observations(data: Any, file: str | None = None) -> Observations:
    """Validate a list of observations, or a mapping with ``observations:``.

    Raises
    ------
    ScenarioError
        With the field path and the problem (one line).

    Examples
    --------
    >>> obs = parse_observations([{"kind": "rejected", "offer": "reject"}])
    >>> obs.observations[0].describe()
    'rejected reject'
    >>> parse_observations([{"kind": "rejected"}])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    goldenbridge.scenario.errors.ScenarioError: observations.0: give exactly one of offer ...
    """
    if isinstance(data, list):
        data = {"observations": data}
    if not isinstance(data, Mapping):
        raise ScenarioError("", "expected a list of observations or a mapping", file)
    for i, item in enumerate(data.get("observations") or []):
        if isinstance(item, Mapping) and item.get("kind") not in _KINDS:
            given = item.get("kind")
            problem = "missing" if given is None else f"{given!r} is not"
            raise ScenarioError(
                f"observations.{i}.kind", f"{problem} one of {', '.join(_KINDS)}", file
            )
    try:
        return Observations.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            message = "unknown field"
        elif first["type"] == "missing":
            message = "missing required field"
        else:
            message = message[:1].lower() + message[1:]
        raise ScenarioError(_field_path(tuple(first["loc"])), message, file) from None


def load_observations(source: str | Path | Mapping[str, Any] | list[Any]) -> Observations:
    """Observations from a YAML or JSON file, a mapping or a list."""
    if isinstance(source, Mapping | list):
        return parse_observations(source)
    name = str(source)
    if not Path(name).exists() and not Path(name).is_symlink():
        raise ScenarioError("", "no such observations file", name)
    return parse_observations(read_file(name), name)
