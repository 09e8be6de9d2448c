"""The benchmark runs end to end at toy sizes and reports its headline figures.

Speed itself is measured by ``goldenbridge bench``, never asserted in tests.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from goldenbridge import bench
from goldenbridge.cli import app
from goldenbridge.engine import utilities

KEYS = {
    "fused_pairs_per_s",
    "numpy_naive_pairs_per_s",
    "negmas_outcomes_per_s",
    "peak_gflops",
    "fused_gflops",
    "roofline_fraction",
    "speedup_vs_naive",
}


def test_bench_module_reports_headline_figures():
    lines: list[str] = []
    result = bench.run(n=3000, m=40, k=3, repeats=1, scaling=True, log=lines.append, peak_size=256)
    assert KEYS <= set(result)
    assert result["fused_pairs_per_s"] > 0 and result["peak_gflops"] > 0
    assert len(result["scaling"]) == 5
    assert any("numpy naive" in line for line in lines)


def test_bench_cli_json_is_one_document(monkeypatch):
    real_run = bench.run
    monkeypatch.setattr(bench, "run", lambda *a, **kw: real_run(*a, **kw, peak_size=128))
    res = CliRunner().invoke(
        app,
        ["bench", "-n", "2000", "-m", "20", "-k", "2", "--repeats", "1", "--no-scaling", "--json"],
    )
    assert res.exit_code == 0, res.output
    assert KEYS <= set(json.loads(res.output))


def test_negmas_ufun_is_the_engines_utility():
    pytest.importorskip("negmas")
    worlds, offers = bench.make_inputs(1, 50, 5, seed=4)
    actor = worlds.actors[0]
    ufun = bench.negmas_ufun(actor.weight[0], actor.ideal[0])
    ours = utilities(actor, offers)[0]
    theirs = [ufun(tuple(x)) for x in offers.x]
    np.testing.assert_allclose(theirs, ours, rtol=0, atol=1e-12)
