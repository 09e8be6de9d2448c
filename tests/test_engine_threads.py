"""Row kernels on several threads (engine/threads.py): every row exactly once, whatever the
thread count, and a kernel's error reaches the caller."""

from __future__ import annotations

import numba
import numpy as np
import pytest

from goldenbridge.engine.threads import MIN_ROWS, by_rows


@numba.njit(nogil=True)
def _count(lo, hi, seen, owner):  # pragma: no cover - compiled
    for i in range(lo, hi):
        seen[i] += 1
        owner[i] = lo


@numba.njit(nogil=True)
def _fail(lo, hi, limit):  # pragma: no cover - compiled
    if hi > limit:
        raise ValueError("row out of range")


@pytest.mark.parametrize("n", [0, 1, MIN_ROWS - 1, 2 * MIN_ROWS, 5 * MIN_ROWS + 3])
def test_every_row_once_with_any_thread_count(n):
    threads = numba.get_num_threads()
    try:
        for t in sorted({1, threads}):
            numba.set_num_threads(t)
            seen, owner = np.zeros(n, np.int64), np.full(n, -1, np.int64)
            by_rows(_count, n, seen, owner)
            assert (seen == 1).all()
            ranges = len(np.unique(owner))  # one range per thread, at least MIN_ROWS each
            assert ranges == (max(1, min(t, n // MIN_ROWS)) if n else 0)
    finally:
        numba.set_num_threads(threads)


def test_an_error_in_any_range_reaches_the_caller():
    n = 4 * MIN_ROWS
    with pytest.raises(ValueError, match="row out of range"):
        by_rows(_fail, n, n // 2)  # the last range fails (on another thread when there is one)
    by_rows(_fail, n, n)  # and the pool still works
