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

:func:`by_rows` does the same for a kernel's rows: a kernel whose rows are independent is
compiled serially with ``nogil=True``, taking a row range ``lo, hi`` as its first two
arguments, and runs on one range per numba thread, the calling thread included. A kernel
compiled with ``parallel=True`` costs one to two seconds more to compile on a fresh
install than the same loop compiled serially (docs/performance.md, "Cold start"): numba
builds the loop body as a function of its own plus the code that schedules it. Each row
is computed by the same code whatever the split, so the numbers never depend on the
thread count either. No numba threading layer is entered, so any layer will do.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

import numba

__all__ = [
    "SERIAL_BELOW",
    "aside",
    "by_rows",
    "map_threads",
    "sized",
    "threadsafe",
    "together",
    "workers",
]

#: Inner iterations of a parallel kernel below which it runs on the calling thread alone
#: (about a millisecond of work): a parallel launch waits for every thread it uses, and on
#: a busy machine a thread may wait a scheduler time slice for its core. Measured on the
#: 2-core machine at load ~5: ``utilities_at`` of 4 000 worlds took 0.29 ms on one thread
#: and 16 ms (median) on two.
SERIAL_BELOW = 100_000

T = TypeVar("T")
R = TypeVar("R")


def threadsafe() -> bool:
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
    if not threadsafe():
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


_lock = threading.Lock()
_pool: tuple[int, ThreadPoolExecutor] | None = None


def _executor() -> ThreadPoolExecutor:
    """The process's pool for :func:`by_rows` (a new one in a forked child: the parent's
    threads are gone)."""
    global _pool
    with _lock:
        if _pool is None or _pool[0] != os.getpid():
            workers = max(1, numba.config.NUMBA_NUM_THREADS - 1)  # type: ignore[attr-defined]
            _pool = (os.getpid(), ThreadPoolExecutor(workers, "goldenbridge-rows"))
        return _pool[1]


def by_rows(kernel: Callable[..., Any], n: int, work: int, *args: Any) -> None:
    """``kernel(lo, hi, *args)`` on ranges covering rows ``0 .. n - 1``, one per numba
    thread (this thread's :func:`numba.get_num_threads`: inside :func:`map_threads`, its
    share); on the calling thread alone when ``work`` (the kernel's inner iterations) is
    below :data:`SERIAL_BELOW`, as :func:`sized` does for a parallel kernel.

    Examples
    --------
    >>> import numpy as np
    >>> @numba.njit(nogil=True)
    ... def double(lo, hi, x, out):
    ...     for i in range(lo, hi):
    ...         out[i] = 2.0 * x[i]
    >>> x, out = np.arange(10000.0), np.empty(10000)
    >>> by_rows(double, 10000, SERIAL_BELOW, x, out)
    >>> bool((out == 2.0 * x).all())
    True
    """
    threads = max(1, min(numba.get_num_threads(), n)) if work >= SERIAL_BELOW else 1
    cuts = [n * t // threads for t in range(threads + 1)]
    _at_once([(kernel, cuts[t], cuts[t + 1], *args) for t in range(threads)])


def together(kernel: Callable[..., Any], threads: int, *args: Any) -> None:
    """``kernel(*args)`` on ``threads`` threads at once, the calling thread included, for a
    serial kernel (``nogil=True``) that hands out its own work items: each call takes the
    next item from an atomic counter among ``args`` until none is left, so a thread whose
    core another process holds takes fewer items and does not hold the others up (a call
    that starts late finds nothing left to do). The kernel computes each item the same
    way on any thread, so the numbers do not depend on the thread count.
    """
    _at_once([(kernel, *args)] * max(1, threads))


def _at_once(calls: list[tuple[Any, ...]]) -> None:
    """Each ``(fn, *args)`` of ``calls`` run at once: the first on the calling thread,
    the others on the pool; returns when every one is done."""
    others = [_executor().submit(*call) for call in calls[1:]]
    try:
        calls[0][0](*calls[0][1:])
    finally:
        for future in others:
            future.result()


def aside(fn: Callable[[], R]) -> Future[R]:
    """``fn()`` started on a thread of its own, numba's kernels there on that thread alone
    (:func:`by_rows` runs its rows on the calling thread): work independent of what the
    calling thread does next, for a core it leaves idle. ``fn`` must enter no parallel
    kernel (numba's ``workqueue`` layer aborts when two threads enter it at once) and
    share nothing mutable with the caller. ``result()`` waits for it (and raises what
    it raised).

    Examples
    --------
    >>> aside(lambda: sum(range(10))).result()
    45
    """

    def run() -> R:
        numba.set_num_threads(1)
        return fn()

    pool = ThreadPoolExecutor(1, thread_name_prefix="goldenbridge-aside")
    try:
        return pool.submit(run)
    finally:
        pool.shutdown(wait=False)  # the thread ends when fn does
