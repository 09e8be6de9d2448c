"""The scenario model (docs/design.md section 2): what users write, validated by pydantic.

Field-level rules (types, ranges of single numbers, distribution parameters)
live here; rules that relate fields to each other (an actor's position names an
issue that exists, priors sum to 1, ...) live in :mod:`goldenbridge.scenario.checks`,
which raises :class:`~goldenbridge.scenario.errors.ScenarioError` with the path.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from goldenbridge.scenario.distributions import Quantity
from goldenbridge.scenario.record import CaseRecord, Outcome

__all__ = [
    "Issue",
    "Actor",
    "ActorType",
    "Conflict",
    "ThreatEffect",
    "Threat",
    "Talks",
    "Scenario",
    "Role",
    "OfferValue",
    "TYPE_FIELDS",
    "Name",
    "MAX_MAGNITUDE",
]

Role = Literal["proposer", "target", "veto", "stakeholder"]
#: A point on an issue: a number on a continuous scale or an option's name.
OfferValue = float | str

_STRICT = ConfigDict(extra="forbid", allow_inf_nan=False)

#: Largest magnitude of a number on an issue's scale: differences and squares of
#: scale points must stay finite.
MAX_MAGNITUDE = 1e12


def _single_line(text: str) -> str:
    """Names and labels are one line of printable text: a newline or a control
    character in a name would forge lines in errors, tables and logs."""
    if not text.isprintable():
        bad = next(c for c in text if not c.isprintable())
        raise ValueError(f"must be one line of printable text (found {bad!r})")
    return text


def _name(text: str) -> str:
    if text != text.strip():
        raise ValueError("a name must not begin or end with spaces")
    return _single_line(text)


#: A name (of an issue, actor, option, offer, threat, type): printable, one line.
Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_name)]
#: A short text shown beside a number (a scale label).
Label = Annotated[str, Field(max_length=500), AfterValidator(_single_line)]
#: A number on a scale, bounded so that widths and squares stay finite.
ScalePoint = Annotated[float, Field(ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE)]


class Issue(BaseModel):
    """One negotiable issue: a numeric scale or a list of discrete options."""

    model_config = _STRICT

    name: Name
    label: Label | None = None
    min: ScalePoint = 0.0
    max: ScalePoint = 100.0
    labels: dict[ScalePoint, Label] = Field(default_factory=dict)
    status_quo: OfferValue | None = None
    options: list[Name] | None = Field(default=None, max_length=1000)
    source: str | None = None

    @model_validator(mode="after")
    def _scale(self) -> Issue:
        if self.options is not None:
            if not self.options:
                raise ValueError("options: give at least one option")
            if len(set(self.options)) != len(self.options):
                raise ValueError("options: option names must be unique")
            return self
        if not self.max > self.min:
            raise ValueError(f"max ({self.max}) must be greater than min ({self.min})")
        return self

    @property
    def discrete(self) -> bool:
        """True for an issue with a list of options."""
        return self.options is not None

    @property
    def status_quo_value(self) -> OfferValue:
        """The status quo with its default filled in (``min`` or the first option)."""
        if self.status_quo is not None:
            return self.status_quo
        return self.options[0] if self.options is not None else self.min

    def label_of(self, value: OfferValue) -> str | None:
        """The scale label at ``value`` exactly, if any."""
        if isinstance(value, str):
            return value
        return self.labels.get(float(value))


class ActorType(BaseModel):
    """One type of an actor: a prior and whole top-level fields it overrides."""

    model_config = _STRICT

    prior: Quantity

    @field_validator("prior")
    @classmethod
    def _fixed_prior(cls, prior: Quantity) -> Quantity:
        lo, hi = prior.support()
        if lo != hi:
            raise ValueError("a prior must be a number, not a distribution")
        if not 0 <= lo <= 1:
            raise ValueError("a prior must be between 0 and 1")
        return prior

    @property
    def p(self) -> float:
        """The prior probability of this type."""
        return self.prior.support()[0]

    capability: Quantity | None = None
    position: dict[Name, Quantity] | None = None
    values: dict[Name, dict[Name, Quantity]] | None = None
    salience: dict[Name, Quantity] | None = None
    rho: Quantity | None = None
    war_value: Quantity | None = None
    description: str | None = None


#: Actor fields a type may override.
TYPE_FIELDS = ("capability", "position", "values", "salience", "rho", "war_value")


class Actor(BaseModel):
    """An actor: role, preferences, capability and (optionally) its own war value."""

    model_config = _STRICT

    name: Name
    role: Role = "stakeholder"
    description: str | None = None
    capability: Quantity = Quantity(value=1.0)
    position: dict[Name, Quantity] = Field(default_factory=dict)
    values: dict[Name, dict[Name, Quantity]] = Field(default_factory=dict)
    salience: dict[Name, Quantity] | None = None
    rho: Quantity = Quantity(value=2.0)
    war_value: Quantity | None = None
    types: dict[Name, ActorType] | None = None
    #: A veto actor that sees the whole world (docs/design.md section 4b); default: its own
    #: fields only. Only for role ``veto``.
    informed: bool = False

    def resolved(self, type_name: str | None) -> Actor:
        """The actor as it is under one of its types (whole fields replaced)."""
        if type_name is None or not self.types:
            return self
        override = self.types[type_name]
        changes = {f: getattr(override, f) for f in TYPE_FIELDS if getattr(override, f) is not None}
        return self.model_copy(update=changes)

    @property
    def type_names(self) -> tuple[str, ...]:
        """Names of the actor's types (empty when it has none)."""
        return tuple(self.types) if self.types else ()


class Conflict(BaseModel):
    """The war that follows when there is no deal and the target fights (section 4)."""

    model_config = _STRICT

    p_win: Quantity = Quantity(value=0.5)
    win: dict[Name, Quantity | Name] | None = None
    lose: dict[Name, Quantity | Name] | None = None
    cost: dict[Name, Quantity] = Field(default_factory=dict)
    #: Face and pretext (docs/design.md section 4c): the target's cost of standing down with
    #: nothing, how much cheaper war becomes when an offer saves no face, and the gain
    #: ``u_T(x) - u_T(sq)`` that saves face fully.
    backing_down: Quantity = Quantity(value=0.0)
    pretext: Quantity = Quantity(value=0.0)
    face: Quantity | None = None
    #: Time in talks (docs/design.md section 6, dynamics): the target's cost of each round it
    #: waits mobilised (its utility units) and the change of ``p_win`` per round (< 0: a
    #: closing window for the target).
    mobilisation: Quantity = Quantity(value=0.0)
    p_win_drift: Quantity = Quantity(value=0.0)

    @model_validator(mode="after")
    def _face(self) -> Conflict:
        costs = (self.backing_down, self.pretext)
        if self.face is None:
            if any(q.support() != (0.0, 0.0) for q in costs):
                raise ValueError(
                    "face: give the gain that saves face when backing_down or pretext is set"
                )
        elif self.face.support()[0] <= 0:
            raise ValueError("face: must be > 0")
        for what, q in (("backing_down", self.backing_down), ("pretext", self.pretext)):
            if q.support()[0] < 0:
                raise ValueError(f"{what}: must be >= 0")
        if self.mobilisation.support()[0] < 0:
            raise ValueError("mobilisation: must be >= 0")
        low, high = self.p_win_drift.support()
        if low < -1 or high > 1:
            raise ValueError("p_win_drift: must lie in [-1, 1] (a change of p_win per round)")
        return self

    @property
    def has_face(self) -> bool:
        """True when face or pretext can change a choice (either cost is not 0)."""
        return any(q.support() != (0.0, 0.0) for q in (self.backing_down, self.pretext))


class ThreatEffect(BaseModel):
    """What a carried-out threat does to the war: more cost and/or a lower ``p_win``."""

    model_config = _STRICT

    cost: Quantity | None = None
    p_win: Quantity | None = None


class Threat(BaseModel):
    """A deterrent threat, carried out with probability ``credibility``."""

    model_config = _STRICT

    name: Name
    by: Name
    against: Name
    credibility: Quantity
    effect: ThreatEffect = ThreatEffect()
    cost_to_threatener: Quantity = Quantity(value=0.0)
    description: str | None = None


def _fixed(q: Quantity, lo: float, hi: float, what: str) -> float:
    """The number a fixed quantity holds, checked to lie in [lo, hi]."""
    low, high = q.support()
    if low != high:
        raise ValueError(f"{what} must be a number, not a distribution")
    if not lo <= low <= hi:
        raise ValueError(f"{what} must be between {lo:g} and {hi:g} (got {low:g})")
    return low


class Talks(BaseModel):
    """Multi-round talks (docs/design.md section 6, dynamics): rounds, pretext hazard, discount.

    ``from``/``to`` give the concession path (a named offer or issue -> value);
    by default it runs from the status quo to the target's mean position.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, populate_by_name=True)

    rounds: Quantity
    hazard: Quantity = Quantity(value=0.0)
    discount: Quantity = Quantity(value=1.0)
    from_: dict[Name, OfferValue] | Name | None = Field(default=None, alias="from")
    to: dict[Name, OfferValue] | Name | None = None
    #: Whether each round whose offer saves no face adds ``pretext * s(x)`` to the target's
    #: war value (docs/design.md section 6); false keeps only the one-shot pretext.
    accumulate_pretext: bool = True
    description: str | None = None

    @field_validator("rounds")
    @classmethod
    def _whole_rounds(cls, q: Quantity) -> Quantity:
        n = _fixed(q, 1, 100, "rounds")
        if n != int(n):
            raise ValueError(f"rounds must be a whole number (got {n:g})")
        return q

    @field_validator("hazard")
    @classmethod
    def _hazard(cls, q: Quantity) -> Quantity:
        if _fixed(q, 0, 1, "hazard") >= 1:
            raise ValueError("hazard must be below 1")
        return q

    @field_validator("discount")
    @classmethod
    def _discount(cls, q: Quantity) -> Quantity:
        if _fixed(q, 0, 1, "discount") <= 0:
            raise ValueError("discount must be above 0")
        return q


class Scenario(BaseModel):
    """A whole crisis: issues, actors, war, threats, offers, sampling settings."""

    model_config = _STRICT

    name: Name
    description: str | None = None
    issues: list[Issue] = Field(min_length=1)
    actors: list[Actor] = Field(min_length=1)
    conflict: Conflict = Conflict()
    threats: list[Threat] = Field(default_factory=list)
    offers: dict[Name, dict[Name, OfferValue]] = Field(default_factory=dict)
    talks: Talks | None = None
    #: Who knows what (docs/design.md section 4b): ``own`` (default) -- each veto actor knows
    #: its own fields and the common prior; ``informed`` -- every veto sees the whole world.
    information: Literal["own", "informed"] = "own"
    seed: int = Field(default=0, ge=0)
    samples: int = Field(default=100_000, ge=1, le=50_000_000)
    sources: dict[str, str] | list[str] | None = None
    library: CaseRecord | None = None  # track record only: never read by the model
    outcome: Outcome | None = None  # what happened: never read by the model

    @field_validator("offers")
    @classmethod
    def _finite_offers(cls, offers: dict[str, dict[str, OfferValue]]) -> dict[str, Any]:
        for name, values in offers.items():
            for issue, v in values.items():
                if isinstance(v, float) and not math.isfinite(v):
                    raise ValueError(f"{name}.{issue}: must be a finite number")
        return offers

    @property
    def warnings(self) -> list[str]:
        """Defaults the scenario relies on without saying so (shown once by the CLI,
        and in the JSON's ``warnings``).

        Examples
        --------
        >>> from goldenbridge.scenario import load
        >>> load("fearon-1d").warnings
        []
        """
        out = []
        if "conflict" not in self.model_fields_set:
            out.append(
                "no `conflict` block: war is assumed to be a coin flip for the target "
                "(p_win 0.5) with no costs of war"
            )
        return out

    def issue(self, name: str) -> Issue:
        """The issue called ``name``."""
        return next(i for i in self.issues if i.name == name)

    def actor(self, name: str) -> Actor:
        """The actor called ``name``."""
        return next(a for a in self.actors if a.name == name)

    @property
    def proposer(self) -> Actor:
        """The one actor with role ``proposer``."""
        return next(a for a in self.actors if a.role == "proposer")

    @property
    def target(self) -> Actor:
        """The one actor with role ``target``."""
        return next(a for a in self.actors if a.role == "target")

    @property
    def vetoes(self) -> list[Actor]:
        """Actors whose acceptance a deal needs besides the target."""
        return [a for a in self.actors if a.role == "veto"]

    def status_quo(self) -> dict[str, OfferValue]:
        """The status quo as an offer: every issue at its ``status_quo``."""
        return {i.name: i.status_quo_value for i in self.issues}

    def complete(self, offer: dict[str, OfferValue]) -> dict[str, OfferValue]:
        """An offer with the issues it leaves out set to their status quo."""
        return {**self.status_quo(), **offer}
