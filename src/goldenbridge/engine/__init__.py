"""Acceptance engines: arrays in, weighted sums out (DESIGN.md section 8).

``numpy`` is the float64 reference (:mod:`goldenbridge.engine.reference`), ``numba``
the fused kernels (:mod:`goldenbridge.engine.fused`, the default), ``dask`` splits
worlds across a Dask cluster (:mod:`goldenbridge.engine.distributed`). All three
return the same :class:`~goldenbridge.engine.arrays.Tally`, bit for bit in float64.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from goldenbridge.engine.arrays import ActorArrays, Offers, Tally, Worlds
from goldenbridge.engine.reference import margins, utilities

__all__ = [
    "ActorArrays",
    "Offers",
    "Tally",
    "Worlds",
    "BACKENDS",
    "get_engine",
    "margins",
    "tally",
    "utilities",
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
    raise ValueError(f"unknown engine {name!r}; expected one of {BACKENDS}")


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
