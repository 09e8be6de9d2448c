"""Work split across threads, each with its share of numba's threads (same numbers).

The approval rule's kernels release the GIL (``nogil``), and numpy's sorts and large
array operations do too, so independent pieces of work -- offers, whose decisions depend
on each offer alone (:func:`goldenbridge.analysis.outcomes.decide`) -- run side by side
on Python threads. Each thread runs numba's parallel kernels on ``threads // workers``
of numba's threads (:func:`numba.set_num_threads` is per thread), so ``workers`` pieces
on as many cores do not oversubscribe them. The pieces and their order are fixed by the
caller, so the results never depend on how many threads ran them. Where numba's
threading layer is ``workqueue`` (no OpenMP or TBB), which aborts when two threads enter
it at once, everything runs on the calling thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

import numba

__all__ = ["SERIAL_BELOW", "map_threads", "sized", "workers"]

#: Inner iterations of a parallel kernel below which it runs on the calling thread alone
#: (about a millisecond of work): a parallel launch waits for every thread it uses, and on
#: a busy machine a thread may wait a scheduler time slice for its core. Measured on the
#: 2-core machine at load ~5: ``utilities_at`` of 4 000 worlds took 0.29 ms on one thread
#: and 16 ms (median) on two.
SERIAL_BELOW = 100_000

T = TypeVar("T")
R = TypeVar("R")


def _threadsafe() -> bool:
    """numba's threading layer may be entered from several threads at once: ``omp`` and
    ``tbb`` may, ``workqueue`` aborts on it."""
    numba.get_num_threads()  # starts the layer if no parallel kernel has run yet
    try:
        return numba.threading_layer() in ("omp", "tbb")
    except ValueError:  # not started after all: stay on this thread
        return False


def workers(pieces: int) -> int:
    """How many threads :func:`map_threads` uses for ``pieces`` pieces: one per numba
    thread at most (``NUMBA_NUM_THREADS``, or as set by :func:`numba.set_num_threads`),
    and one where numba's threading layer is not thread-safe."""
    if not _threadsafe():
        return 1
    return max(1, min(pieces, numba.get_num_threads()))


def map_threads(fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """``[fn(x) for x in items]``, on :func:`workers` threads.

    Examples
    --------
    >>> map_threads(lambda x: x * x, [1, 2, 3])
    [1, 4, 9]
    """
    n = workers(len(items))
    if n <= 1:
        return [fn(x) for x in items]
    share = max(1, numba.get_num_threads() // n)

    def run(x: T) -> R:
        numba.set_num_threads(share)  # this thread's kernels only
        return fn(x)

    with ThreadPoolExecutor(n, thread_name_prefix="goldenbridge") as pool:
        return list(pool.map(run, items))


@contextmanager
def sized(work: int) -> Iterator[None]:
    """Inside, numba's parallel kernels run on this thread alone when ``work`` (their
    inner iterations) is below :data:`SERIAL_BELOW`. Each row of those kernels is
    computed the same way on any thread, so the numbers do not change."""
    before = numba.get_num_threads()
    if work >= SERIAL_BELOW or before == 1:
        yield
        return
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(before)
