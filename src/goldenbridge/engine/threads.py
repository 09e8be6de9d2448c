"""Row kernels on every core without numba's parallel build.

A kernel compiled with ``parallel=True`` costs one to two seconds more to compile, on a
fresh install, than the same loop compiled serially (docs/performance.md, "Cold start"):
numba builds the loop body as a function of its own plus the code that schedules it.
A kernel whose rows are independent is instead compiled serially with ``nogil=True``,
taking a row range ``lo, hi`` as its first two arguments, and :func:`by_rows` runs it on
one range per thread: :func:`numba.get_num_threads` threads (the setting numba's parallel
loops obey), the calling thread included. Each row is computed by the same code whatever
the split, so the numbers never depend on the thread count.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numba

__all__ = ["MIN_ROWS", "by_rows"]

#: Fewer rows than this per thread are not worth a thread.
MIN_ROWS = 2048

_lock = threading.Lock()
_pool: tuple[int, ThreadPoolExecutor] | None = None


def _executor() -> ThreadPoolExecutor:
    """The process's pool (a new one in a forked child: the parent's threads are gone)."""
    global _pool
    with _lock:
        if _pool is None or _pool[0] != os.getpid():
            workers = max(1, numba.config.NUMBA_NUM_THREADS - 1)  # type: ignore[attr-defined]
            _pool = (os.getpid(), ThreadPoolExecutor(workers, "goldenbridge-rows"))
        return _pool[1]


def by_rows(kernel: Callable[..., Any], n: int, *args: Any) -> None:
    """``kernel(lo, hi, *args)`` on ranges covering rows ``0 .. n - 1``, one per thread.

    Examples
    --------
    >>> import numpy as np
    >>> @numba.njit(nogil=True)
    ... def double(lo, hi, x, out):
    ...     for i in range(lo, hi):
    ...         out[i] = 2.0 * x[i]
    >>> x, out = np.arange(10000.0), np.empty(10000)
    >>> by_rows(double, 10000, x, out)
    >>> bool((out == 2.0 * x).all())
    True
    """
    threads = max(1, min(numba.get_num_threads(), n // MIN_ROWS))
    cuts = [n * t // threads for t in range(threads + 1)]
    others = [_executor().submit(kernel, cuts[t], cuts[t + 1], *args) for t in range(1, threads)]
    try:
        kernel(cuts[0], cuts[1], *args)
    finally:
        for future in others:
            future.result()
