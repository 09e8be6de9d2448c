"""The benchmark runs end to end at toy sizes and reports honest figures.

Speed itself is measured by ``goldenbridge bench``, never asserted in tests. What
is asserted: the peak kernel does the FMAs it counts (against the closed form of
its recurrence), every roofline fraction is the row's GFLOP/s over the measured
FMA peak, raw, and none exceeds 1 -- also with OpenBLAS told to run an older
core's kernels (``OPENBLAS_CORETYPE``), which made the old sgemm-based peak print
141-347 %.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from goldenbridge import bench
from goldenbridge.cli import app
from goldenbridge.engine import peak, utilities

KEYS = {
    "fused_pairs_per_s",
    "numpy_naive_pairs_per_s",
    "negmas_outcomes_per_s",
    "peak_gflops",
    "fused_gflops",
    "roofline_fraction",
    "speedup_vs_naive",
    "fma_peak",
    "sgemm",
    "rows",
    "nested",
}
TOY = {
    "n": 3000,
    "m": 40,
    "k": 3,
    "repeats": 1,
    "peak_size": 128,
    "peak_seconds": 0.05,
    "nested_samples": 1000,
}


def check_fractions(result: dict) -> None:
    """Every fraction is GFLOP/s over the FMA peak of its precision, raw, and <= 1."""
    for row in result["rows"]:
        p = result["fma_peak"][row["precision"]]["gflops"]
        assert row["roofline_fraction"] == pytest.approx(row["gflops"] / p, rel=1e-3)  # raw
        assert 0 < row["roofline_fraction"] <= 1, row
    assert result["roofline_fraction"] <= 1 and result["joint3_roofline_fraction"] <= 1
    sg = result["sgemm"]
    assert sg["fraction_of_fma_peak"] == pytest.approx(
        sg["gflops"] / result["fma_peak"]["float32"]["gflops"], rel=1e-3
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("chains", peak.CHAINS)
def test_peak_kernel_runs_the_fmas_it_counts(dtype, chains):
    # x <- fma(x, a, b) with a = 1 - b has the closed form x_n = 1 + (x_0 - 1) a^n.
    # One round more or less moves each chain by b (x_0 - 1) a^n ~ 2e-4; the float32
    # rounding of n = 60 rounds stays below n * 2^-24 ~ 4e-6: the check tells them apart.
    n = 60
    seeds, a, b = peak._args(chains, dtype)
    x0 = np.array(seeds, np.float64)
    lanes = 64 // np.dtype(dtype).itemsize
    expected = lanes * (1 + (x0 - 1) * float(a) ** n).sum()
    got = peak.fma_run(chains, n, dtype)
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    wrong = lanes * (1 + (x0 - 1) * float(a) ** (n + 1)).sum()
    assert abs(got - wrong) > 10 * abs(got - expected)


def test_fma_peak_reports_each_chain_count():
    p = peak.fma_peak(seconds=0.01, threads=1, burst=2e-4)
    assert set(p.by_chains) == set(peak.CHAINS) and p.gflops == max(p.by_chains.values())
    assert p.by_chains[p.chains] == p.gflops and p.threads == 1 and p.dtype == "float32"
    two = peak.fma_peak(seconds=0.01, threads=2, burst=2e-4)
    assert two.threads == 2 and two.dtype == "float32" and two.gflops > 0


def test_bench_fractions_are_raw_and_at_most_one():
    lines: list[str] = []
    result = bench.run(scaling=True, log=lines.append, **TOY)
    assert KEYS <= set(result)
    check_fractions(result)
    assert {r["method"] for r in result["rows"]} >= {"numpy naive broadcast", "fused, 1 actor"}
    assert len(result["scaling"]) == 5
    assert all(lib["architecture"] for lib in result["sgemm"]["blas"])
    table = bench.format_table(result)
    assert any(line.startswith("fused, 1 actor") for line in table)
    assert any("numpy sgemm" in line and "core" in line for line in table)


def test_bench_cli_json_is_one_document(monkeypatch):
    real_run = bench.run
    monkeypatch.setattr(
        bench, "run", lambda *a, **kw: real_run(*a, **kw, peak_size=128, peak_seconds=0.05)
    )
    # k = 3 as TOY: the kernels compiled for the test above serve this one
    args = ["bench", "-n", "2000", "-m", "20", "-k", "3", "--repeats", "1", "--no-scaling"]
    args += ["--approval-samples", "1000"]
    res = CliRunner().invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    result = json.loads(res.output)
    assert KEYS <= set(result)
    check_fractions(result)
    text = CliRunner().invoke(app, args)
    assert text.exit_code == 0, text.output
    assert "of FMA peak" in text.output and not text.output.lstrip().startswith("{")


@pytest.mark.slow
def test_an_older_blas_core_cannot_push_a_fraction_above_one():
    # The old bench divided by numpy's sgemm: with OpenBLAS on an older core's kernels
    # the "peak" fell and the fractions rose above 1. The FMA peak does not move.
    env = {**os.environ, "OPENBLAS_CORETYPE": "Prescott"}
    src = str(Path(bench.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join([src, env.get("PYTHONPATH", "")])
    code = (
        "import json; from goldenbridge import bench; "
        f"print(json.dumps(bench.run(scaling=False, log=lambda s: None, **{TOY!r})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    result = json.loads(done.stdout)
    check_fractions(result)
    blas = result["sgemm"]["blas"]
    if blas and blas[0]["internal_api"] == "openblas":  # the variable took effect
        assert {lib["architecture"] for lib in blas} != {
            lib["architecture"] for lib in bench.blas_info()
        }


def test_negmas_ufun_is_the_engines_utility():
    pytest.importorskip("negmas")
    worlds, offers = bench.make_inputs(1, 50, 5, seed=4)
    actor = worlds.actors[0]
    ufun = bench.negmas_ufun(actor.weight[0], actor.ideal[0])
    ours = utilities(actor, offers)[0]
    theirs = [ufun(tuple(x)) for x in offers.x]
    np.testing.assert_allclose(theirs, ours, rtol=0, atol=1e-12)


def test_nested_expectation_rates_count_what_was_timed():
    row = bench.nested(samples=1000, m=4, repeats=1)
    from goldenbridge.scenario import load

    scenario = load("russia-2021")
    expected = [a.name for a in scenario.actors if a.role in ("veto", "stakeholder")]
    assert row["actors"] == expected  # russia-2021: every one on its own information
    approvals = 1000 * 4 * len(expected)
    assert row["approvals_per_s"] == pytest.approx(approvals / row["seconds"])
    assert row["direct_pairs_per_s_equivalent"] == pytest.approx(row["approvals_per_s"] * 1000)
    assert row["speedup_vs_direct"] == pytest.approx(
        row["direct_pairs_per_s_equivalent"] / row["direct_pairs_per_s"]
    )
    assert row["inner_error"] == 0.0
