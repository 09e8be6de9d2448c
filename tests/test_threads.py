"""engine/threads.py: work split across threads, and small kernels on one thread; a serial
kernel's rows on threads (every row exactly once, whatever the thread count, and a
kernel's error reaches the caller)."""

from __future__ import annotations

import numba
import numpy as np
import pytest

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


@numba.njit(nogil=True, cache=True)
def _count(lo, hi, seen, owner):  # pragma: no cover - compiled
    for i in range(lo, hi):
        seen[i] += 1
        owner[i] = lo


@numba.njit(nogil=True, cache=True)
def _fail(lo, hi, limit):  # pragma: no cover - compiled
    if hi > limit:
        raise ValueError("row out of range")


@pytest.mark.parametrize("n", [0, 1, 7, 10_000])
@pytest.mark.parametrize("work", [threads.SERIAL_BELOW - 1, threads.SERIAL_BELOW])
def test_by_rows_covers_every_row_once_with_any_thread_count(n, work):
    before = numba.get_num_threads()
    try:
        for t in sorted({1, before}):
            numba.set_num_threads(t)
            seen, owner = np.zeros(n, np.int64), np.full(n, -1, np.int64)
            threads.by_rows(_count, n, work, seen, owner)
            assert (seen == 1).all()
            ranges = len(np.unique(owner))  # one range per thread; small work: one
            assert ranges == min(n, t if work >= threads.SERIAL_BELOW else 1)
    finally:
        numba.set_num_threads(before)


def test_an_error_in_any_row_range_reaches_the_caller():
    n = 10_000
    with pytest.raises(ValueError, match="row out of range"):
        threads.by_rows(_fail, n, threads.SERIAL_BELOW, n // 2)  # the last range fails
    threads.by_rows(_fail, n, threads.SERIAL_BELOW, n)  # and the pool still works


def test_aside_runs_on_a_thread_of_its_own_with_one_numba_thread():
    """:func:`aside` runs ``fn`` on another thread, whose numba kernels (and
    :func:`by_rows`) use that thread alone; ``result()`` gives its value or raises what it
    raised; the caller's numba thread count is left alone."""
    import threading

    before = numba.get_num_threads()
    seen = threads.aside(lambda: (threading.get_ident(), numba.get_num_threads())).result()
    assert seen[0] != threading.get_ident() and seen[1] == 1
    assert numba.get_num_threads() == before

    def fails():
        raise ValueError("inside")

    with pytest.raises(ValueError, match="inside"):
        threads.aside(fails).result()
