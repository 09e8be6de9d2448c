"""engine/threads.py: work split across threads, and small kernels on one thread."""

from __future__ import annotations

import numba
import numpy as np

from goldenbridge.engine import threads, utilities
from goldenbridge.engine.arrays import ActorArrays, Offers


def test_map_threads_keeps_the_order_and_runs_each_piece_on_a_share_of_the_threads():
    seen = threads.map_threads(lambda x: (x, numba.get_num_threads()), list(range(7)))
    assert [x for x, _ in seen] == list(range(7))
    n = threads.workers(7)
    assert all(t == max(1, numba.get_num_threads() // n) for _, t in seen)


def test_small_work_runs_on_one_thread_and_the_count_comes_back():
    before = numba.get_num_threads()
    with threads.sized(threads.SERIAL_BELOW - 1):
        assert numba.get_num_threads() == 1
    assert numba.get_num_threads() == before
    with threads.sized(threads.SERIAL_BELOW):
        assert numba.get_num_threads() == before


def test_a_layer_that_is_not_thread_safe_gets_one_worker(monkeypatch):
    monkeypatch.setattr(numba, "threading_layer", lambda: "workqueue")
    assert threads.workers(8) == 1
    assert threads.map_threads(lambda x: x + 1, [1, 2]) == [2, 3]


def test_utilities_are_the_same_on_one_thread_or_many():
    rng = np.random.default_rng(3)
    n, k = 50_000, 4  # above SERIAL_BELOW: the parallel launch
    actor = ActorArrays(
        weight=rng.random((n, k)),
        ideal=rng.random((n, k)),
        rho=rng.uniform(0.5, 3, n),
        table=np.zeros((n, 0, 0)),
        reservation=np.zeros(n),
    )
    offers = Offers(rng.random((3, k)), np.zeros((3, 0), np.int64))
    many = utilities(actor, offers)
    with threads.sized(0):  # forced onto one thread
        one = utilities(actor, offers)
    assert np.array_equal(one, many)
