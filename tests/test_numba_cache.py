"""Numba's cache fails soft (issue 16): an unwritable or full cache folder falls back to
compiling in memory with one warning; a damaged cache file is recompiled; and the
hot path's thread count survives a rejected call."""

from __future__ import annotations

import errno
import importlib.util
import sys
import warnings
from pathlib import Path

import numba
import numpy as np
import pytest
from numba.core import caching

from goldenbridge.engine import Offers
from goldenbridge.engine.hot import deal_and_payoff
from goldenbridge.engine.numba_cache import CacheWarning
from strategies import random_worlds

SOURCE = """
from numba import njit

@njit(cache=True)
def twice(x):
    return 2.0 * x
"""


def fresh_module(folder, name):
    """The same source file imported as a new module: a new dispatcher, the same cache."""
    path = folder / "kernel_mod.py"
    if not path.exists():
        path.write_text(SOURCE)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def index_files(dispatcher):
    """The kernel's cache index files, wherever numba keeps them: ``__pycache__`` beside the
    source, or under ``NUMBA_CACHE_DIR`` when the environment sets it (numba's own choice
    of the folder, as it makes it for a kernel)."""
    folder = caching.FunctionCache(dispatcher.py_func)._cache_path
    return list(Path(folder).glob("*.nbi"))


@pytest.fixture(autouse=True)
def _reset_warnings():
    from goldenbridge.engine import numba_cache

    numba_cache._warned.clear()
    yield
    numba_cache._warned.clear()


def test_no_writable_cache_folder_compiles_without_it(tmp_path, monkeypatch):
    def read_only(self):
        raise PermissionError(errno.EACCES, "Permission denied", self.get_cache_path())

    monkeypatch.setattr(caching._CacheLocator, "ensure_cache_path", read_only)
    with pytest.warns(CacheWarning, match="no writable cache folder"):
        module = fresh_module(tmp_path, "kernel_ro")
        assert module.twice(2.0) == 4.0
    monkeypatch.undo()  # numba may name its folder again: nothing was written there
    assert not index_files(module.twice)


def test_a_full_disk_while_saving_compiles_without_it(tmp_path, monkeypatch):
    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(caching.IndexDataCacheFile, "save", full)
    module = fresh_module(tmp_path, "kernel_full")
    with pytest.warns(CacheWarning, match="cannot write the cache"):
        assert module.twice(3.0) == 6.0


def test_a_truncated_cache_file_is_recompiled(tmp_path):
    first = fresh_module(tmp_path, "kernel_a")
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)  # a healthy cache: no warning
        assert first.twice(1.5) == 3.0
    (index,) = index_files(first.twice)
    index.write_bytes(index.read_bytes()[:7])  # truncated by a crash
    second = fresh_module(tmp_path, "kernel_b")
    with pytest.warns(CacheWarning, match="damaged cache file"):
        assert second.twice(5.0) == 10.0
    third = fresh_module(tmp_path, "kernel_c")  # the rewritten cache loads cleanly
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        assert third.twice(1.0) == 2.0


def test_a_rejected_call_leaves_the_thread_count_alone():
    rng = np.random.default_rng(0)
    worlds = random_worlds(rng, 50, n_actors=2, kc=2, kd=0)
    offers = Offers(x=rng.random((3, 2)), option=np.zeros((3, 0), dtype=np.int64))
    before = numba.get_num_threads()
    with pytest.raises(ValueError, match="path"):
        deal_and_payoff(worlds, offers, path="sideways")
    with pytest.raises(ValueError, match="registers"):
        deal_and_payoff(worlds, offers, dtype=np.float64, path="registers")
    assert numba.get_num_threads() == before
    deal_and_payoff(worlds, offers)  # small: runs on one thread, then restores
    assert numba.get_num_threads() == before


BLAS_SOURCE = """
import sys

import numpy as np
from numba import njit

import goldenbridge.engine  # noqa: F401  (the cache hooks)


@njit(cache=True)
def twice(x):
    return 2.0 * x


@njit(cache=True)
def dot(a, b):
    return np.dot(a, b)


twice(1.0)
print("scipy.linalg" in sys.modules, "numba.np.arraymath" in sys.modules)
from numba.np import arraymath, linalg  # noqa: E402

print(arraymath._HAVE_BLAS, arraymath.ensure_blas is linalg.ensure_blas)
a = np.arange(6.0).reshape(2, 3)
print(np.array_equal(dot(a, a.T), a @ a.T))
"""


def test_kernels_load_without_numbas_registries_and_compile_without_scipy_linalg(tmp_path):
    """A kernel loaded from the cache brings in none of numba's registries (not even
    ``numba.np.arraymath``); a kernel compiled imports that module without its BLAS probe
    importing scipy.linalg; the probe's answer is the same (BLAS found), and a cached kernel
    that calls BLAS still gets it (each line checked in a fresh process: the first run
    compiles, the second loads from the cache)."""
    import os
    import subprocess

    script = tmp_path / "blas_kernels.py"
    script.write_text(BLAS_SOURCE)
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    runs = [
        subprocess.run(
            [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=300
        )
        for _ in range(2)
    ]
    assert all(r.returncode == 0 for r in runs), runs[-1].stderr
    assert runs[0].stdout.split() == ["False", "True", "True", "True", "True"]  # compiled
    assert runs[1].stdout.split() == ["False", "False", "True", "True", "True"]  # loaded
