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
"""

from __future__ import annotations

import os
import warnings
from typing import Any

from numba.core import caching, dispatcher

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


def _load_overload(self: Any, sig: Any, target_context: Any) -> Any:
    try:
        return _ORIGINAL_LOAD(self, sig, target_context)
    except Exception as exc:  # a damaged file: numba has no narrower contract here
        index = getattr(getattr(self, "_cache_file", None), "_index_path", None)
        if index:
            try:
                os.remove(index)
            except OSError:
                pass
        _warn("damaged", f"a damaged cache file was removed ({type(exc).__name__}); recompiling")
        return None


def _save_overload(self: Any, sig: Any, data: Any) -> None:
    try:
        _ORIGINAL_SAVE(self, sig, data)
    except Exception as exc:  # full disk, read-only file, damaged index
        _warn("save", f"cannot write the cache ({exc}); this run compiles without it")


_ORIGINAL_LOAD = caching.Cache.load_overload
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
