"""Cold start (docs/performance.md, "Cold start"): each kernel an evaluation needs is
compiled once, whatever its callers' arrays. A read-only or writable array, a C or
Fortran layout, is a numba type of its own: a kernel called both ways is compiled twice,
seconds of CPU on every fresh install. Each kernel's wrapper casts its arguments to one
type; this checks it on two scenarios, one of a single world, the bench's direct call of the
approval kernels
and a population whose arrays were made read-only by the engine's packing."""

from __future__ import annotations

import goldenbridge as gb
from goldenbridge import bench
from goldenbridge.engine import binned, choice, thresholds, utility


def test_each_evaluate_kernel_has_one_signature():
    gb.evaluate("russia-2021", samples=4000)
    gb.evaluate("cuba-1962", samples=4000)
    gb.evaluate("russia-2021", samples=1)  # one world: some of its arrays are views
    bench.nested(samples=1000, m=2, repeats=1)
    pop = gb.population("russia-2021", samples=4000)
    gb.evaluate(pop)
    gb.evaluate(pop)  # its arrays now read-only (kept packed)
    kernels = (
        utility._utilities,
        binned._residual_kernel,
        thresholds._steps,
        thresholds._sweep,
        choice._gain_from_parts_kernel,
        choice._approval_kernel,
    )
    for kernel in kernels:
        assert len(kernel.signatures) <= 1, (kernel.py_func.__qualname__, kernel.signatures)
    assert utility._utilities.signatures and thresholds._sweep.signatures  # they did run
