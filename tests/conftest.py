"""Set-up shared by every test module: one compilation of each numba kernel per machine.

The engine's kernels are compiled on first use and kept in numba's on-disk cache
(``cache=True``: ``__pycache__/*.nbi`` and ``*.nbc`` beside each module), which every
process reads, so under pytest-xdist a kernel that one worker compiled is loaded by
the other, not compiled again, and no test compiles a kernel that an earlier test
(in any worker) compiled. What the cache alone does not prevent: two workers asking
for the same kernel at the same moment (at the start of a run, both need the
exact tally) would both compile it. Here a lock file per kernel makes the second
wait for the first and then load its result from the cache.
"""

from __future__ import annotations

import fcntl
import hashlib
import tempfile
from pathlib import Path

import pytest
from numba.core.caching import NullCache
from numba.core.dispatcher import Dispatcher

LOCKS = Path(tempfile.gettempdir()) / "goldenbridge-numba-locks"
_compile_for_args = Dispatcher._compile_for_args


def _lock_name(dispatcher: Dispatcher) -> str:
    """The kernel's module, qualified name and closure constants (``kc``, ``r``)."""
    func = dispatcher.py_func
    cells = [c.cell_contents for c in func.__closure__ or ()]
    consts = [repr(c) if isinstance(c, int | float | str | bool) else "?" for c in cells]
    text = f"{func.__module__}.{func.__qualname__}:{','.join(consts)}"
    return hashlib.sha1(text.encode()).hexdigest()[:20] + ".lock"


def _compile_once(self: Dispatcher, *args, **kws):
    """Dispatcher._compile_for_args under the kernel's lock, for cached kernels."""
    if isinstance(self._cache, NullCache):  # not cached on disk: nothing to share
        return _compile_for_args(self, *args, **kws)
    LOCKS.mkdir(exist_ok=True)
    with open(LOCKS / _lock_name(self), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        return _compile_for_args(self, *args, **kws)


Dispatcher._compile_for_args = _compile_once


@pytest.fixture(autouse=True)
def _run_history_in_tmp(tmp_path_factory, monkeypatch):
    """Every CLI run in a test saves into a scratch file (GOLDENBRIDGE_DB), never into the
    user's real run history."""
    folder = tmp_path_factory.mktemp("history")
    monkeypatch.setenv("GOLDENBRIDGE_DB", str(folder / "runs.sqlite"))
