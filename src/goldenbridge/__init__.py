"""goldenbridge: crisis bargaining analysis.

>>> import goldenbridge as gb
>>> result = gb.evaluate("fearon-1d", {"split": {"share": 0.6}}, samples=20_000, seed=3)
>>> round(result.offer("split").p_deal, 1)
0.7

The public names live in :mod:`goldenbridge.facade` and are imported on first use
(PEP 562), so that ``import goldenbridge`` -- and ``goldenbridge --version`` --
does not import numpy, numba or pydantic.
"""

from __future__ import annotations

import sys
import types

TYPE_CHECKING = False  # typing itself takes ~50 ms to import
if TYPE_CHECKING:
    from typing import Any

    __version__: str

    from goldenbridge.facade import (  # noqa: F401
        SENSITIVITY_PARTS,
        ActorOdds,
        DegeneracyWarning,
        Deterrence,
        Evaluation,
        Forecast,
        Negotiation,
        Observations,
        OfferResult,
        OptimizeResult,
        Population,
        Posterior,
        Scenario,
        ScenarioError,
        ScenarioLike,
        Sensitivity,
        TypeOdds,
        builtin_names,
        deterrence,
        evaluate,
        forecast,
        load,
        load_decide,
        load_eum,
        load_genius,
        load_ktab,
        load_observations,
        negotiate,
        optimize,
        population,
        sample,
        sensitivity,
        update,
    )

__all__ = [
    "ActorOdds",
    "DegeneracyWarning",
    "Deterrence",
    "Evaluation",
    "Forecast",
    "Negotiation",
    "Observations",
    "OfferResult",
    "OptimizeResult",
    "Population",
    "Posterior",
    "Scenario",
    "ScenarioError",
    "SENSITIVITY_PARTS",
    "Sensitivity",
    "TypeOdds",
    "builtin_names",
    "deterrence",
    "evaluate",
    "load",
    "load_observations",
    "negotiate",
    "optimize",
    "population",
    "sample",
    "update",
    "sensitivity",
    "forecast",
    "load_genius",
    "load_ktab",
    "load_decide",
    "load_eum",
]
_FACADE = frozenset(__all__) | {"ScenarioLike"}


def _version() -> str:
    """The installed distribution's version: pyproject.toml is the one source."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("goldenbridge")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


def __getattr__(name: str) -> Any:
    """``__version__``, or a facade name: import :mod:`goldenbridge.facade` and keep all
    its names here."""
    if name == "__version__":
        types.ModuleType.__setattr__(sys.modules[__name__], name, _version())
        return globals()[name]
    if name not in _FACADE:
        raise AttributeError(f"module 'goldenbridge' has no attribute {name!r}")
    from goldenbridge import facade

    package = sys.modules[__name__]
    for key in _FACADE:
        types.ModuleType.__setattr__(package, key, getattr(facade, key))
    return getattr(facade, name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | _FACADE)


class _Package(types.ModuleType):
    """The package module. Importing the submodule ``goldenbridge.population`` sets the
    package attribute ``population`` to that module; the name belongs to the facade's
    function :func:`goldenbridge.facade.population`, so a submodule never takes a facade
    name (the eager ``__init__`` had the same effect by defining the function last)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _FACADE and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
