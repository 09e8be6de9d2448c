"""Acceptance engines: arrays in, weighted sums out (docs/design.md section 8).

``numpy`` is the float64 reference (:mod:`goldenbridge.engine.reference`), ``numba``
the fused kernels (:mod:`goldenbridge.engine.fused`, the default), ``dask`` splits
worlds across a Dask cluster (:mod:`goldenbridge.engine.distributed`). All three
return the same :class:`~goldenbridge.engine.arrays.Tally`, bit for bit in float64.
Under the allies' approval rule (docs/design.md 4b, the default) the analyses decide
offers through :func:`goldenbridge.analysis.outcomes.decide`, which calls
:func:`utilities` (compiled in :mod:`goldenbridge.engine.utility`) and the approval
kernels (:mod:`~goldenbridge.engine.binned`, :mod:`~goldenbridge.engine.thresholds`,
:mod:`~goldenbridge.engine.choice`, :mod:`~goldenbridge.engine.sums`); under the
per-world rule they call :func:`tally`; :func:`margins` and :func:`utilities_at` where
they need per-world values.

:func:`deal_and_payoff` (:mod:`goldenbridge.engine.hot`, with
:mod:`~goldenbridge.engine.registers` and :mod:`~goldenbridge.engine.simd`) is a faster,
counts-only float32 path for quadratic losses. Only ``goldenbridge bench`` calls it: no
analysis does (docs/performance.md says why; among other reasons, every shipped
scenario samples its actors' loss exponents from a range, so none of its worlds has
the quadratic losses the kernels take).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np

from goldenbridge.engine import numba_cache  # noqa: F401  (before any kernel: a cache fails soft)
from goldenbridge.engine.arrays import ActorArrays, Offers, Tally, Worlds
from goldenbridge.engine.utility import margins, utilities, utilities_at
from goldenbridge.scenario.errors import InputError

__all__ = [
    "ActorArrays",
    "Offers",
    "Tally",
    "Worlds",
    "BACKENDS",
    "deal_and_payoff",
    "get_engine",
    "margins",
    "tally",
    "utilities",
    "utilities_at",
]

#: Names accepted by :func:`get_engine`.
BACKENDS = ("auto", "numpy", "numba", "dask")


def get_engine(name: str = "auto", dask: str | None = None) -> Callable[[Worlds, Offers], Tally]:
    """The ``tally(worlds, offers)`` function of a backend.

    Parameters
    ----------
    name : {"auto", "numpy", "numba", "dask"}
        ``auto`` is ``numba``, or ``dask`` when ``dask`` is given.
    dask : str, optional
        ``"local"`` (start a LocalCluster) or a scheduler address ``tcp://host:port``.

    Examples
    --------
    >>> get_engine("numpy").__module__
    'goldenbridge.engine.reference'
    """
    if name == "auto":
        name = "numba" if dask is None else "dask"
    if name == "numpy":
        from goldenbridge.engine.reference import tally as numpy_tally

        return numpy_tally
    if name == "numba":
        from goldenbridge.engine.fused import tally as fused_tally

        return fused_tally
    if name == "dask":
        from goldenbridge.engine.distributed import tally as dask_tally

        return partial(dask_tally, address=dask or "local")
    raise InputError(f"unknown engine {name!r}; expected one of {BACKENDS}")


def deal_and_payoff(
    worlds: Worlds, offers: Offers, dtype: type = np.float32, payoff: bool = True
) -> tuple[np.ndarray, np.ndarray | None]:
    """``P(deal)`` and the proposer's expected utility per offer, fast (float32 by
    default); see :func:`goldenbridge.engine.hot.deal_and_payoff`. Measured by
    ``goldenbridge bench``; the analyses do not call it yet (they use :func:`tally`)."""
    from goldenbridge.engine.hot import deal_and_payoff as hot_deal_and_payoff

    return hot_deal_and_payoff(worlds, offers, dtype, payoff)


def tally(worlds: Worlds, offers: Offers, backend: str = "auto", dask: str | None = None) -> Tally:
    """Weighted sums of acceptance, deal, war and payoff (see :class:`Tally`).

    Parameters
    ----------
    worlds, offers
        The population and the offers.
    backend : {"auto", "numpy", "numba", "dask"}
        Which engine; all give the same result.
    dask : str, optional
        Dask cluster for ``backend="dask"`` (``"local"`` or ``tcp://host:port``).
    """
    return get_engine(backend, dask)(worlds, offers)
