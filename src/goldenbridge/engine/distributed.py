"""Dask backend: worlds split across workers in fixed blocks, the local result exactly.

Each task takes a run of whole world blocks (:data:`~goldenbridge.engine.reference.
WORLD_BLOCK`) and returns one partial :class:`~goldenbridge.engine.arrays.Tally`
per block, computed by the fused kernel; the client adds the partials in block
order. That is the order the local engines use, so the result is bit for bit the
local one whatever the number of workers or tasks.

Dask is an optional dependency (``pip install goldenbridge[dask]``).
"""

from __future__ import annotations

import numpy as np

from goldenbridge.engine import fused
from goldenbridge.engine.arrays import Offers, Tally, Worlds
from goldenbridge.engine.reference import WORLD_BLOCK

__all__ = ["tally", "connect"]

_LOCAL: dict[str, object] = {}


def connect(address: str = "local"):
    """A Dask client: ``"local"`` starts (once per process) a LocalCluster.

    Parameters
    ----------
    address : str
        ``"local"`` or a scheduler address such as ``tcp://10.0.0.5:8786``.
    """
    from dask.distributed import Client, LocalCluster

    if address != "local":
        return Client(address)
    if "client" not in _LOCAL:
        cluster = LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        )
        _LOCAL["client"] = Client(cluster)
    return _LOCAL["client"]


def _partials(worlds: Worlds, offers: Offers, dtype: type, first_block: int):
    return list(fused.block_partials(worlds, offers, dtype, first_block))


def tally(
    worlds: Worlds,
    offers: Offers,
    client=None,
    address: str = "local",
    blocks_per_task: int = 4,
    dtype: type = np.float64,
) -> Tally:
    """Same result as :func:`goldenbridge.engine.fused.tally`, computed on Dask.

    Parameters
    ----------
    worlds, offers
        The population and the offers.
    client : dask.distributed.Client, optional
        Use this client; otherwise :func:`connect` to ``address``.
    address : str
        ``"local"`` or ``tcp://host:port``.
    blocks_per_task : int
        World blocks per task (does not change the result).
    dtype : np.float64 or np.float32
        Precision of the utilities.
    """
    client = client if client is not None else connect(address)
    offers_f = client.scatter(offers, broadcast=True, hash=False)
    step = blocks_per_task * WORLD_BLOCK
    futures = [
        client.submit(
            _partials,
            worlds.subset(slice(lo, lo + step)),
            offers_f,
            dtype,
            lo // WORLD_BLOCK,
            pure=False,
        )
        for lo in range(0, worlds.n, step)
    ]
    total = Tally.zeros(worlds.n_groups, offers.m, len(worlds.actors))
    expected = 0
    for chunk in client.gather(futures):
        for block, part in chunk:
            if block != expected:  # the order is the contract; never add out of it
                raise RuntimeError(f"block {block} arrived where {expected} was due")
            total.add(part)
            expected += 1
    return total
