"""Set-up shared by every test module: one compilation of each numba kernel per machine.

The engine's kernels are compiled on first use and kept in numba's on-disk cache
(``cache=True``: ``__pycache__/*.nbi`` and ``*.nbc`` beside each module), which every
process reads, so under pytest-xdist a kernel that one worker compiled is loaded by
the other, not compiled again, and no test compiles a kernel that an earlier test
(in any worker) compiled. What the cache alone does not prevent: two workers asking
for the same kernel at the same moment (at the start of a run, both need the
exact tally) would both compile it. Here a lock file per kernel and argument types makes
the second wait for the first and then load its result from the cache (two signatures of
one kernel compile side by side), and a lock per cache index keeps two workers that save
signatures of one kernel at once from dropping each other's.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import time
from pathlib import Path

import pytest
from numba.core.caching import Cache, NullCache
from numba.core.dispatcher import Dispatcher

import goldenbridge.engine.numba_cache  # noqa: F401  (its cache wrappers first: wrapped below)

LOCKS = Path(tempfile.gettempdir()) / "goldenbridge-numba-locks"
_compile_for_args = Dispatcher._compile_for_args
_save_overload = Cache.save_overload  # goldenbridge.engine.numba_cache's


def _lock_name(dispatcher: Dispatcher, args: tuple = ()) -> str:
    """The kernel's module, qualified name, closure constants (``kc``, ``r``) and argument
    types: two workers compiling two signatures of one kernel (float32 and float64, say)
    do not wait for each other."""
    func = dispatcher.py_func
    cells = [c.cell_contents for c in func.__closure__ or ()]
    consts = [repr(c) if isinstance(c, int | float | str | bool) else "?" for c in cells]
    try:
        types = ",".join(str(dispatcher.typeof_pyval(a)) for a in args)
    except Exception:  # a type numba cannot name: one lock for every such call
        types = "?"
    text = f"{func.__module__}.{func.__qualname__}:{','.join(consts)}:{types}"
    return hashlib.sha1(text.encode()).hexdigest()[:20] + ".lock"


#: ``GOLDENBRIDGE_COMPILE_LOG=file``: one line per kernel compiled (not loaded from the
#: cache) or loaded, with the test that asked for it (docs/performance.md, "Cold start").
COMPILE_LOG = os.environ.get("GOLDENBRIDGE_COMPILE_LOG")


def _log(self: Dispatcher, args: tuple, cpu: float, waited: float, misses: int) -> None:
    what = "compiled" if sum(self._cache_misses.values()) > misses else "loaded"
    func = self.py_func
    line = (
        f"{time.process_time() - cpu:7.2f}s cpu {waited:6.2f}s waited {what:8} "
        f"{func.__module__}.{func.__qualname__} pid={os.getpid()} "
        f"{os.environ.get('PYTEST_CURRENT_TEST', '-')} "
        f"{[self.typeof_pyval(a) for a in args]}\n"
    )
    with open(COMPILE_LOG, "a") as f:  # type: ignore[arg-type]
        f.write(line)


def _compile_once(self: Dispatcher, *args, **kws):
    """Dispatcher._compile_for_args under the kernel's lock, for cached kernels."""
    if isinstance(self._cache, NullCache):  # not cached on disk: nothing to share
        return _compile_for_args(self, *args, **kws)
    LOCKS.mkdir(exist_ok=True)
    start, cpu, misses = time.perf_counter(), time.process_time(), sum(self._cache_misses.values())
    with open(LOCKS / _lock_name(self, args), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        waited = time.perf_counter() - start
        try:
            return _compile_for_args(self, *args, **kws)
        finally:
            if COMPILE_LOG:
                _log(self, args, cpu, waited, misses)


def _save_once(self, sig, data):
    """numba's Cache.save_overload under a lock on the kernel's cache index: numba reads
    the index, adds the new signature and writes it back, so two workers saving two
    signatures of one kernel at once could each drop the other's."""
    index = getattr(getattr(self, "_cache_file", None), "_index_path", None)
    if index is None:
        return _save_overload(self, sig, data)
    LOCKS.mkdir(exist_ok=True)
    name = hashlib.sha1(str(index).encode()).hexdigest()[:20] + ".save.lock"
    with open(LOCKS / name, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _save_overload(self, sig, data)


Dispatcher._compile_for_args = _compile_once
Cache.save_overload = _save_once


@pytest.fixture(autouse=True)
def _run_history_in_tmp(tmp_path_factory, monkeypatch):
    """Every CLI run in a test saves into a scratch file (GOLDENBRIDGE_DB), never into the
    user's real run history."""
    folder = tmp_path_factory.mktemp("history")
    monkeypatch.setenv("GOLDENBRIDGE_DB", str(folder / "runs.sqlite"))


def pytest_configure(config):
    """Under pytest-xdist, hand out tests one at a time (``--maxschedchunk 1``, unless given):
    each worker takes the next test when it is free, so the slow ones (first, below)
    spread over both workers. xdist's default sends each worker a run of consecutive
    tests at the start: every slow test on the first worker."""
    if getattr(config.option, "maxschedchunk", 0) is None:
        config.option.maxschedchunk = 1


def pytest_collection_modifyitems(config, items):
    """Slow tests first (stable: each module's order kept otherwise): the long ones (some
    compile kernels of their own for 30-40 s on a fresh install) start side by side on
    both workers, and the short ones fill in after them, instead of a long one starting
    last on one worker while the other waits."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
