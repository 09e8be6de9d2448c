"""Numba's on-disk cache, made to fail soft.

The kernels are compiled with ``cache=True``: the first run in a checkout writes
the machine code next to the sources (or under ``NUMBA_CACHE_DIR``) and later
runs start in a second instead of a minute. A cache must never stop a run:

- no writable cache folder (read-only install, full disk, bad ``NUMBA_CACHE_DIR``):
  the kernels compile in memory, with one :class:`CacheWarning`;
- a cache file that cannot be written (the disk fills up mid-write): the same;
- a damaged cache file (truncated, from a crashed run): it is removed and the
  kernel recompiled, with one warning.

Numba itself raises in all three cases (``RuntimeError: cannot cache function``,
``OSError``, ``EOFError``/``UnpicklingError``). This module wraps the three entry
points once, at import; it changes nothing when the cache works.

Two start-up costs went with the first kernel loaded from the cache:

- numba's own ``Cache.load_overload`` first refreshes the target context: it imports
  and installs every typing and lowering registry numba has (its numpy, random, typed
  containers, ...), 0.19-0.23 s of one core, though a kernel loaded from the cache is
  machine code that needs none of them -- only the runtime (NRT) that its allocations
  call. The loader here initialises the runtime alone; a kernel that is not in the
  cache is compiled by numba's compiler, which refreshes the context itself
  (``numba.core.compiler.CompilerBase``). ``evaluate russia-2021`` 1.10 -> 0.92 s in
  one process (best of 3, alternated; docs/performance-log.md, stop 35).
- that refresh imports ``numba.np.arraymath``, which probes for a BLAS by importing
  ``scipy.linalg.cython_blas`` -- all of ``scipy.linalg``, 0.35 s on a quiet 2-core
  machine and up to 0.9 s under load -- though no kernel of this package calls BLAS.
  scipy is a dependency, so the probe's answer is known: before numba compiles (a
  kernel not found in the cache), :func:`_arraymath_without_probe` imports that module
  with the probe a no-op (the same answer). A kernel that did call BLAS would still
  find it: numba resolves BLAS functions from scipy when they are first called.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import Any

from numba.core import caching, dispatcher
from numba.core.runtime import rtsys

__all__ = ["CacheWarning", "install"]


class CacheWarning(RuntimeWarning):
    """Numba's cache could not be used; kernels compile without it."""


_warned: set[str] = set()


def _warn(kind: str, detail: str) -> None:
    if kind in _warned:
        return
    _warned.add(kind)
    warnings.warn(f"numba cache: {detail}", CacheWarning, stacklevel=3)


def _enable_caching(self: Any) -> None:
    try:
        self._cache = caching.FunctionCache(self.py_func)
    except (RuntimeError, OSError) as exc:  # no writable cache folder
        self._cache = caching.NullCache()
        _warn("folder", f"no writable cache folder ({exc}); compiling without a cache")


def _arraymath_without_probe() -> None:
    """Import ``numba.np.arraymath`` with its BLAS probe answered without importing
    scipy.linalg (module docstring); nothing if numba's layout is not the one known."""
    try:
        from numba.np import linalg
    except ImportError:  # pragma: no cover - another numba
        return
    probe = getattr(linalg, "ensure_blas", None)
    if probe is None:  # pragma: no cover - another numba
        return
    linalg.ensure_blas = lambda: None  # type: ignore[assignment]  # scipy is a dependency
    try:
        from numba.np import arraymath
    finally:
        linalg.ensure_blas = probe  # type: ignore[assignment]
    if getattr(arraymath, "ensure_blas", None) is not probe:
        arraymath.ensure_blas = probe  # type: ignore[attr-defined]


def _load_overload(self: Any, sig: Any, target_context: Any) -> Any:
    """numba's ``Cache.load_overload`` without its refresh of the whole context (module
    docstring): the runtime alone is what a loaded kernel needs."""
    rtsys.initialize(target_context)
    try:
        with self._guard_against_spurious_io_errors():
            data = self._load_overload(sig, target_context)
    except Exception as exc:  # a damaged file: numba has no narrower contract here
        index = getattr(getattr(self, "_cache_file", None), "_index_path", None)
        if index:
            try:
                os.remove(index)
            except OSError:
                pass
        _warn("damaged", f"a damaged cache file was removed ({type(exc).__name__}); recompiling")
        data = None
    if data is None and "numba.np.arraymath" not in sys.modules:
        _arraymath_without_probe()  # numba compiles next, and its refresh imports it
    return data


def _save_overload(self: Any, sig: Any, data: Any) -> None:
    try:
        _ORIGINAL_SAVE(self, sig, data)
    except Exception as exc:  # full disk, read-only file, damaged index
        _warn("save", f"cannot write the cache ({exc}); this run compiles without it")


_ORIGINAL_SAVE = caching.Cache.save_overload


def install() -> None:
    """Wrap numba's cache entry points (idempotent)."""
    if getattr(caching.Cache.load_overload, "_goldenbridge", False):
        return
    for function in (_enable_caching, _load_overload, _save_overload):
        function._goldenbridge = True  # type: ignore[attr-defined,union-attr]
    dispatcher.Dispatcher.enable_caching = _enable_caching  # type: ignore[method-assign]
    caching.Cache.load_overload = _load_overload  # type: ignore[method-assign]
    caching.Cache.save_overload = _save_overload  # type: ignore[method-assign]


install()
