"""The Dask backend returns exactly the local result (2-worker LocalCluster)."""

from __future__ import annotations

import numpy as np
import pytest

from goldenbridge.engine import distributed, fused, reference
from strategies import random_offers, random_worlds

pytest.importorskip("dask.distributed")


def test_dask_equals_local_exactly():
    from dask.distributed import Client, LocalCluster

    rng = np.random.default_rng(7)
    worlds = random_worlds(
        rng, 3 * reference.WORLD_BLOCK + 17, n_actors=3, kc=3, kd=1, n_groups=2, rho="mixed"
    )
    offers = random_offers(rng, 25, 3, 1, 3)
    local = fused.tally(worlds, offers)
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        got = distributed.tally(worlds, offers, client=client, blocks_per_task=1)
        # the same offers again (repeated runs, e.g. sensitivity sweeps): scattered data
        # must not be released under a second call's feet
        again = distributed.tally(worlds, offers, client=client, blocks_per_task=1)
    assert got == local and again == local
