"""Numbers that may be uncertain (docs/design.md section 5).

A :class:`Quantity` is a fixed ``value`` or one distribution, optionally with a
``source`` and a ``basis`` (fact or judgement) that reports show beside it.
Every distribution is sampled by its inverse CDF from uniforms, so a world's
draw is a deterministic function of one uniform number: raising the sample size
keeps the first worlds, and sensitivity analysis can drive the same mapping with
its own designs.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, model_validator

__all__ = ["Quantity", "KINDS", "MAX_MAGNITUDE", "BETA_SHAPE"]

#: The distribution keys, in the order they are checked.
KINDS = ("value", "uniform", "normal", "triangular", "beta", "choice")
#: Largest magnitude of any number in a quantity: widths (hi - lo), squares and
#: sums of a few thousand of them stay finite in float64.
MAX_MAGNITUDE = 1e12
#: Beta shape parameters whose inverse CDF scipy computes to a finite number for
#: every uniform (outside, ``[5e-324, 1e308]`` overflows and ``[1e300, 40]`` is NaN).
BETA_SHAPE = (1e-3, 1e5)
#: Most values of a ``choice``.
MAX_CHOICES = 10_000


class Quantity(BaseModel):
    """A number or a distribution over numbers.

    Examples
    --------
    >>> Quantity.model_validate(0.3).value
    0.3
    >>> q = Quantity.model_validate({"uniform": [0, 0.3], "basis": "judgement"})
    >>> q.ppf(np.array([0.0, 0.5, 1.0])).tolist()
    [0.0, 0.15, 0.3]
    >>> q.support()
    (0.0, 0.3)
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    value: float | None = None
    uniform: tuple[float, float] | None = None
    normal: tuple[float, float] | None = None
    clip: tuple[float, float] | None = None
    triangular: tuple[float, float, float] | None = None
    beta: tuple[float, float] | None = None
    scale: tuple[float, float] | None = None
    choice: list[float] | None = None
    p: list[float] | None = None
    source: str | None = None
    basis: Literal["fact", "judgement"] | None = None
    #: ``all``: shared knowledge among the actors (docs/design.md section 4b); by default a
    #: quantity is known to the actor it belongs to (and to the target) only.
    known_to: Literal["all"] | None = None

    @model_validator(mode="before")
    @classmethod
    def _plain_number(cls, data: Any) -> Any:
        if isinstance(data, bool):
            raise ValueError("expected a number or a distribution, got a boolean")
        if isinstance(data, int | float):
            return {"value": data}
        if isinstance(data, str):
            raise ValueError(f"expected a number or a distribution, got text {data!r}")
        return data

    def _numbers(self) -> list[float]:
        out: list[float] = []
        for key in ("value", "uniform", "normal", "clip", "triangular", "scale", "choice"):
            got = getattr(self, key)
            if got is not None:
                out.extend([got] if isinstance(got, float | int) else list(got))
        return out

    @model_validator(mode="after")
    def _one_kind(self) -> Quantity:
        given = [k for k in KINDS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of value, uniform, normal, triangular, beta, choice"
                + (f" (got {', '.join(given)})" if given else "")
            )
        kind = given[0]
        if self.choice is not None and len(self.choice) > MAX_CHOICES:
            raise ValueError(f"choice: at most {MAX_CHOICES:,} values")
        big = next((x for x in self._numbers() if abs(x) > MAX_MAGNITUDE), None)
        if big is not None:
            raise ValueError(f"{big:g} is too large: numbers must lie within ±{MAX_MAGNITUDE:g}")
        if self.clip is not None and kind != "normal":
            raise ValueError("clip goes with normal only")
        if self.scale is not None and kind != "beta":
            raise ValueError("scale goes with beta only")
        if self.p is not None and kind != "choice":
            raise ValueError("p goes with choice only")
        if self.uniform is not None and not self.uniform[0] <= self.uniform[1]:
            raise ValueError("uniform: need lo <= hi")
        if self.normal is not None and not self.normal[1] >= 0:
            raise ValueError("normal: the standard deviation must be >= 0")
        if self.clip is not None and not self.clip[0] <= self.clip[1]:
            raise ValueError("clip: need lo <= hi")
        if self.triangular is not None:
            lo, mode, hi = self.triangular
            if not lo <= mode <= hi:
                raise ValueError("triangular: need lo <= mode <= hi")
        if self.beta is not None and not all(
            BETA_SHAPE[0] <= shape <= BETA_SHAPE[1] for shape in self.beta
        ):
            raise ValueError(
                f"beta: both shape parameters must lie in [{BETA_SHAPE[0]:g}, {BETA_SHAPE[1]:g}]"
                f" (got {self.beta[0]:g}, {self.beta[1]:g})"
            )
        if self.scale is not None and not self.scale[0] < self.scale[1]:
            raise ValueError("scale: need lo < hi")
        if self.choice is not None:
            if not self.choice:
                raise ValueError("choice: give at least one value")
            if self.p is not None:
                if len(self.p) != len(self.choice):
                    raise ValueError("p: need one probability per choice")
                if any(q < 0 for q in self.p) or not math.isclose(sum(self.p), 1, abs_tol=1e-6):
                    raise ValueError("p: probabilities must be >= 0 and sum to 1")
        return self

    @property
    def kind(self) -> str:
        """Which of :data:`KINDS` this is."""
        return next(k for k in KINDS if getattr(self, k) is not None)

    @property
    def is_fixed(self) -> bool:
        """True for a plain value (or a degenerate distribution)."""
        lo, hi = self.support()
        return lo == hi

    def support(self) -> tuple[float, float]:
        """Smallest and largest value the quantity can take."""
        if self.value is not None:
            return (self.value, self.value)
        if self.uniform is not None:
            return (self.uniform[0], self.uniform[1])
        if self.normal is not None:
            mean, sd = self.normal
            if sd == 0:
                lo = hi = mean
            else:
                lo, hi = -math.inf, math.inf
            if self.clip is not None:
                lo, hi = max(lo, self.clip[0]), min(hi, self.clip[1])
                lo, hi = min(lo, self.clip[1]), max(hi, self.clip[0])
            return (lo, hi)
        if self.triangular is not None:
            return (self.triangular[0], self.triangular[2])
        if self.beta is not None:
            return self.scale if self.scale is not None else (0.0, 1.0)
        assert self.choice is not None
        return (min(self.choice), max(self.choice))

    def mean(self) -> float:
        """The expected value (used for point summaries, not for sampling)."""
        if self.is_fixed:
            return self.support()[0]
        return float(self.ppf(np.linspace(0.5 / 4096, 1 - 0.5 / 4096, 4096)).mean())

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Inverse CDF: map uniforms in [0, 1) to draws of this quantity."""
        u = np.asarray(u, dtype=np.float64)
        if self.value is not None:
            return np.full(u.shape, self.value)
        if self.uniform is not None:
            lo, hi = self.uniform
            return lo + (hi - lo) * u
        if self.normal is not None:
            from scipy import stats  # imported when needed: it costs ~0.4 s at start-up

            mean, sd = self.normal
            x = (
                mean + sd * stats.norm.ppf(np.clip(u, 1e-12, 1 - 1e-12))
                if sd > 0
                else (np.full(u.shape, mean))
            )
            if self.clip is not None:
                x = np.clip(x, *self.clip)
            return x
        if self.triangular is not None:
            lo, mode, hi = self.triangular
            if hi == lo:
                return np.full(u.shape, lo)
            cut = (mode - lo) / (hi - lo)
            left = lo + np.sqrt(u * (hi - lo) * (mode - lo))
            right = hi - np.sqrt((1 - u) * (hi - lo) * (hi - mode))
            return np.where(u < cut, left, right)
        if self.beta is not None:
            from scipy import stats

            lo, hi = self.scale if self.scale is not None else (0.0, 1.0)
            return lo + (hi - lo) * stats.beta.ppf(u, *self.beta)
        assert self.choice is not None
        values = np.asarray(self.choice, dtype=np.float64)
        p = np.full(len(values), 1 / len(values)) if self.p is None else np.asarray(self.p)
        edges = np.cumsum(p)
        edges[-1] = np.inf
        return values[np.searchsorted(edges, u, side="right")]
