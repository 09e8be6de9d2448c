"""Empirical base rates of crisis outcomes from the International Crisis Behavior data (v14).

A reference class is the set of ICB crises (system level, 1918-2015) that share a case's
attributes; the base rate is the share of them that ended each way, with a binomial
confidence interval and the number of cases.  The three outcomes of DESIGN.md section 4a are
read from the codebook variables (data/icb/SOURCES.md):

- **war**: ``VIOL = 4`` (full-scale war);
- **deal**: otherwise, ``FOROUT`` in {1, 2} (formal or semi-formal agreement);
- **deterred**: everything else (tacit understanding, unilateral act, imposed agreement,
  other, faded) short of full-scale war.

Besides, P(violence) is the share with ``VIOL >= 2`` (any violence, minor clashes and up) and
P(agreement) the share with ``FOROUT`` in {1, 2} whatever the violence.

Attributes (all optional; a crisis missing the coded variable leaves the class):

- ``great_power`` (bool): a crisis actor is a great power or superpower (ICB2 ``POWSTA >= 3``);
- ``gravity``: the gravest threat (ICB1 ``GRAVCR``), one of :data:`GRAVITY`;
- ``territorial`` (bool): the gravest threat to some actor is territorial (ICB2 ``GRAVTY = 3``;
  a territorial stake behind a graver threat, e.g. to existence, does not count);
- ``power_discrepancy``: ICB1 ``POWDISSY`` in thirds of the v14 distribution: ``low`` (<= 3),
  ``medium`` (4-8), ``high`` (>= 9).
"""

from __future__ import annotations

import csv
import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from scipy.special import betaincinv, ndtri

from goldenbridge.scenario.errors import InputError
from goldenbridge.scenario.record import OUTCOMES

__all__ = [
    "GRAVITY",
    "ATTRIBUTES",
    "RELAX_ORDER",
    "IcbCrisis",
    "Rate",
    "BaseRate",
    "icb_crises",
    "outcome_of",
    "parse_attributes",
    "reference_class",
    "base_rate",
]

#: ICB gravity-of-threat codes 0..6 (GRAVCR / GRAVTY), by name.
GRAVITY: dict[str, int] = {
    "economic": 0,
    "limited_military": 1,
    "political": 2,
    "territorial": 3,
    "influence": 4,
    "grave": 5,
    "existence": 6,
}
_POWER_BINS = {"low": (0, 3), "medium": (4, 8), "high": (9, 10**6)}
#: Attribute name -> accepted values (booleans as ``True``/``False``).
ATTRIBUTES: dict[str, tuple[Any, ...]] = {
    "great_power": (True, False),
    "gravity": tuple(GRAVITY),
    "territorial": (True, False),
    "power_discrepancy": tuple(_POWER_BINS),
}
#: When a class is too small, attributes are dropped in this order (least basic first).
RELAX_ORDER: tuple[str, ...] = ("territorial", "power_discrepancy", "gravity", "great_power")


@dataclass(frozen=True)
class IcbCrisis:
    """One ICB crisis: the coded variables the base rates use."""

    crisno: int
    name: str
    year: int
    gravcr: int | None
    powdissy: int | None
    viol: int
    forout: int | None
    great_power: bool
    territorial: bool


def _int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text else None


@functools.lru_cache(maxsize=1)
def icb_crises() -> tuple[IcbCrisis, ...]:
    """The ICB v14 crises with a coded ``VIOL`` (486 of 487), from the package's excerpt files."""
    folder = resources.files("goldenbridge").joinpath("data/icb")
    with folder.joinpath("icb2v14-excerpt.csv").open(encoding="utf-8") as f:
        actors = list(csv.DictReader(f))
    great: set[int] = set()
    territorial: set[int] = set()
    for row in actors:
        crisno = int(row["crisno"])
        if (_int(row["powsta"]) or 0) >= 3:
            great.add(crisno)
        if _int(row["gravty"]) == GRAVITY["territorial"]:
            territorial.add(crisno)
    crises = []
    with folder.joinpath("icb1v14-excerpt.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            viol = _int(row["viol"])
            if viol is None:
                continue
            crisno = int(row["crisno"])
            crises.append(
                IcbCrisis(
                    crisno=crisno,
                    name=row["crisname"].strip(),
                    year=int(row["yrtrig"]),
                    gravcr=_int(row["gravcr"]),
                    powdissy=_int(row["powdissy"]),
                    viol=viol,
                    forout=_int(row["forout"]),
                    great_power=crisno in great,
                    territorial=crisno in territorial,
                )
            )
    return tuple(crises)


def outcome_of(crisis: IcbCrisis) -> str:
    """The crisis's outcome in DESIGN.md section 4a's terms (module docstring)."""
    if crisis.viol == 4:
        return "war"
    if crisis.forout in (1, 2):
        return "deal"
    return "deterred"


def _bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1"):
        return True
    if text in ("false", "no", "0"):
        return False
    raise InputError(f"attribute {name}: expected true or false, got {value!r}")


def parse_attributes(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Check and normalise attributes (text from the command line or a scenario's ``library``).

    Raises
    ------
    ValueError
        Naming the attribute and the problem.
    """
    attributes: dict[str, Any] = {}
    for name, value in raw.items():
        if name not in ATTRIBUTES:
            raise InputError(f"attribute {name}: unknown (known: {', '.join(ATTRIBUTES)})")
        if name in ("great_power", "territorial"):
            attributes[name] = _bool(value, name)
            continue
        text = str(value).strip().lower()
        if text not in ATTRIBUTES[name]:
            allowed = ", ".join(ATTRIBUTES[name])
            raise InputError(f"attribute {name}: {value!r} is not one of {allowed}")
        attributes[name] = text
    return attributes


def _matches(crisis: IcbCrisis, attributes: Mapping[str, Any]) -> bool:
    for name, value in attributes.items():
        if name == "great_power" and crisis.great_power != value:
            return False
        if name == "territorial" and crisis.territorial != value:
            return False
        if name == "gravity" and crisis.gravcr != GRAVITY[value]:
            return False
        if name == "power_discrepancy":
            lo, hi = _POWER_BINS[value]
            if crisis.powdissy is None or not lo <= crisis.powdissy <= hi:
                return False
    return True


@dataclass(frozen=True)
class Rate:
    """A binomial proportion ``k / n`` with its confidence interval."""

    k: int
    n: int
    p: float
    low: float
    high: float


def _interval(k: int, n: int, method: str, level: float) -> tuple[float, float]:
    """Two-sided binomial interval for ``k`` of ``n``, as ``scipy.stats.binomtest(k,
    n).proportion_ci(level, method)`` gives it (tested against it), from ``scipy.special``:
    scipy.stats takes a second or two to import, and ``demo`` prints a base rate.

    ``wilson``: the Wilson (1927) score interval without continuity correction, in
    Newcombe's (1998) form ``(2 n p + z^2 +- z sqrt(z^2 + 4 n p q)) / (2 (n + z^2))``.
    ``exact``: Clopper & Pearson (1934), the beta quantiles ``B^-1(a/2; k, n - k + 1)`` and
    ``B^-1(1 - a/2; k + 1, n - k)``. Either end is 0 at ``k = 0`` and 1 at ``k = n``.
    """
    alpha = 1.0 - level
    if method == "exact":
        low = float(betaincinv(k, n - k + 1, alpha / 2)) if k > 0 else 0.0
        high = float(betaincinv(k + 1, n - k, 1 - alpha / 2)) if k < n else 1.0
        return low, high
    z = float(ndtri(1 - alpha / 2))
    p = k / n
    denom = 2 * (n + z**2)
    centre = (2 * n * p + z**2) / denom
    delta = z / denom * math.sqrt(4 * n * p * (1 - p) + z**2)
    return (centre - delta if k > 0 else 0.0), (centre + delta if k < n else 1.0)


def _rate(k: int, n: int, method: str, level: float) -> Rate:
    if n == 0:
        return Rate(k=0, n=0, p=float("nan"), low=0.0, high=1.0)
    low, high = _interval(k, n, method, level)
    return Rate(k=k, n=n, p=k / n, low=low, high=high)


@dataclass(frozen=True)
class BaseRate:
    """The reference class of a set of attributes and how its crises ended."""

    attributes: dict[str, Any]
    used: dict[str, Any]
    n: int
    p_war: Rate
    p_violence: Rate
    p_agreement: Rate
    outcomes: dict[str, Rate]
    crises: tuple[int, ...]
    excluded: tuple[int, ...] = ()
    method: str = "wilson"
    level: float = 0.95
    relaxed: tuple[str, ...] = field(default=())

    def forecast(self) -> dict[str, float]:
        """The base rate as a forecast: P(deal), P(deterred), P(war)."""
        return {k: self.outcomes[k].p for k in OUTCOMES}

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``goldenbridge baserate --json``."""

        def rate(r: Rate) -> dict[str, float | int]:
            return {"k": r.k, "n": r.n, "p": r.p, "low": r.low, "high": r.high}

        return {
            "attributes": dict(self.attributes),
            "used": dict(self.used),
            "relaxed": list(self.relaxed),
            "excluded": list(self.excluded),
            "n": self.n,
            "interval": {"method": self.method, "level": self.level},
            "p_war": rate(self.p_war),
            "p_violence": rate(self.p_violence),
            "p_agreement": rate(self.p_agreement),
            "outcomes": {k: rate(v) for k, v in self.outcomes.items()},
            "crises": list(self.crises),
            "source": "ICB v14 (Brecher, Wilkenfeld et al.); war: VIOL = 4; deal: FOROUT in "
            "{1, 2} short of war; deterred: otherwise",
        }


def reference_class(
    attributes: Mapping[str, Any], exclude: Iterable[int] = (), min_cases: int = 0
) -> tuple[list[IcbCrisis], dict[str, Any], list[str]]:
    """The crises matching checked ``attributes`` (relaxed as in :func:`base_rate`), the
    attributes used and those dropped."""
    excluded = set(exclude)
    pool = [c for c in icb_crises() if c.crisno not in excluded]
    used = dict(attributes)
    relaxed: list[str] = []
    members = [c for c in pool if _matches(c, used)]
    for name in RELAX_ORDER:
        if len(members) >= min_cases:
            break
        if name in used:
            del used[name]
            relaxed.append(name)
            members = [c for c in pool if _matches(c, used)]
    return members, used, relaxed


def base_rate(
    attributes: Mapping[str, Any],
    *,
    exclude: Iterable[int] = (),
    min_cases: int = 0,
    method: str = "wilson",
    level: float = 0.95,
) -> BaseRate:
    """Base rates of war, violence, agreement and the three outcomes in a reference class.

    Parameters
    ----------
    attributes : mapping
        Attribute -> value (module docstring); an empty mapping is every crisis.
    exclude : iterable of int
        ICB crisis numbers left out (a case's own crisis, for an honest hindcast).
    min_cases : int
        While the class has fewer crises, drop attributes in :data:`RELAX_ORDER`.
    method : {"wilson", "exact"}
        Binomial interval: Wilson score, or Clopper-Pearson (the numbers of scipy's
        ``binomtest``).
    level : float
        Confidence level of the intervals.

    Examples
    --------
    >>> r = base_rate({"great_power": True, "gravity": "existence"})
    >>> r.n == r.outcomes["war"].n and r.p_war.k == r.outcomes["war"].k
    True
    """
    wanted = parse_attributes(attributes)
    if method not in ("wilson", "exact"):
        raise InputError(f"method: {method!r} is not wilson or exact")
    excluded = tuple(sorted(set(int(c) for c in exclude)))
    members, used, relaxed = reference_class(wanted, excluded, min_cases)
    n = len(members)
    counts = {k: sum(outcome_of(c) == k for c in members) for k in OUTCOMES}
    return BaseRate(
        attributes=wanted,
        used=used,
        n=n,
        p_war=_rate(counts["war"], n, method, level),
        p_violence=_rate(sum(c.viol >= 2 for c in members), n, method, level),
        p_agreement=_rate(sum(c.forout in (1, 2) for c in members), n, method, level),
        outcomes={k: _rate(counts[k], n, method, level) for k in OUTCOMES},
        crises=tuple(c.crisno for c in members),
        excluded=excluded,
        method=method,
        level=level,
        relaxed=tuple(relaxed),
    )
