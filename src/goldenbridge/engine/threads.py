"""Work split across threads, each with its share of numba's threads (same numbers).

The approval rule's kernels release the GIL (``nogil``), and numpy's sorts and large
array operations do too, so independent pieces of work -- offers, whose decisions depend
on each offer alone (:func:`goldenbridge.analysis.outcomes.decide`) -- run side by side
on Python threads. Each thread runs numba's parallel kernels on ``threads // workers``
of numba's threads (:func:`numba.set_num_threads` is per thread), so ``workers`` pieces
on as many cores do not oversubscribe them. The pieces and their order are fixed by the
caller, so the results never depend on how many threads ran them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numba

__all__ = ["map_threads", "workers"]

T = TypeVar("T")
R = TypeVar("R")


def workers(pieces: int) -> int:
    """How many threads :func:`map_threads` uses for ``pieces`` pieces: one per numba
    thread at most (``NUMBA_NUM_THREADS``, or as set by :func:`numba.set_num_threads`)."""
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
