"""Plots write PNG and SVG; the concession path they draw matches the closed form."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from goldenbridge.analysis.negotiate.concession_path import concession_path
from goldenbridge.analysis.optimize.best import optimize
from goldenbridge.cli import app
from goldenbridge.population import sample
from goldenbridge.report.plots import optimize_plots
from goldenbridge.scenario import parse
from strategies import fearon_scenario

pytest.importorskip("matplotlib")


def _written(paths):
    assert paths and all(p.stat().st_size > 0 for p in paths)
    for p in paths:
        head = p.read_bytes()[:200]
        assert (
            head.startswith(b"\x89PNG")
            if p.suffix == ".png"
            else b"<svg" in head or b"<?xml" in head
        )
    assert {p.suffix for p in paths} == {".png", ".svg"}


def test_concession_path_matches_fearon():
    # From the status quo (A keeps all, share 1) to B's position (share 0): at s the
    # offer is x = 1 - s and P(deal) = clip((p + hi - x) / (hi - lo), 0, 1).
    pop = sample(parse(fearon_scenario(0.5, 0.0, 0.3, 0.1)), samples=20_000, seed=4)
    path = concession_path(pop, points=51)
    x = 1 - path.s
    expected = np.clip((0.5 + 0.3 - x) / 0.3, 0, 1)
    assert np.all(np.abs(path.p_deal - expected) <= 4 * path.p_deal_se + 1e-9)
    assert path.knots[0][1] == 0.0 and path.knots[-1][1] == 1.0


def test_optimize_plots_one_and_two_issues(tmp_path):
    pop = sample(parse(fearon_scenario(0.5, 0.0, 0.3, 0.1)), samples=2000, seed=1)
    paths = optimize_plots(pop, optimize(pop, solutions=False), tmp_path / "one")
    _written(paths)
    assert {p.stem for p in paths} == {"concession-path", "frontier", "range-share"}
    data = fearon_scenario(0.5, 0.0, 0.3, 0.1)
    data["issues"].append({"name": "extra", "min": 0, "max": 10})
    data["actors"][0]["position"]["extra"] = 10
    data["actors"][1]["position"]["extra"] = 0
    pop = sample(parse(data), samples=1000, seed=1)
    paths = optimize_plots(pop, optimize(pop, solutions=False), tmp_path / "two")
    _written(paths)
    assert "range-share-extra" in {p.stem for p in paths}


def test_cli_plot_option(tmp_path):
    result = CliRunner().invoke(
        app, ["optimize", "fearon-1d", "-n", "2000", "--plot", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "frontier.png").exists() and (tmp_path / "frontier.svg").exists()
    assert "Plots:" in result.stdout


def test_cli_slice_picks_any_two_issues(tmp_path):
    # Four issues: by default the slices are the first three pairs (a with each other
    # issue); --slice asks for any pair, here the two the default leaves out.
    data = fearon_scenario(0.5, 0.0, 0.3, 0.1, samples=1500)
    for name in ("b", "c", "d"):
        data["issues"].append({"name": name, "min": 0, "max": 10})
        data["actors"][0]["position"][name] = 10
        data["actors"][1]["position"][name] = 0
    file = tmp_path / "four.json"
    file.write_text(json.dumps(data))
    runner = CliRunner()
    out = tmp_path / "plots"
    args = ["optimize", str(file), "--json", "--plot", str(out)]
    result = runner.invoke(app, [*args, "--slice", "c,d", "--slice", "b, d"])
    assert result.exit_code == 0, result.output
    slices = sorted(p.name for p in out.glob("range-*"))
    assert slices == [f"range-{n}.{f}" for n in ("b-d", "c-d") for f in ("png", "svg")]
    for bad, words in (("c", "two different issues"), ("c,zz", "issues.zz: not an issue")):
        result = runner.invoke(app, [*args, "--slice", bad])
        error = json.loads(result.stdout)["error"]  # under --json the error is the document
        assert result.exit_code == 2 and words in f"{error['field']}: {error['message']}"


@pytest.mark.slow
def test_negotiation_plot_draws_every_mixed_offer(tmp_path, monkeypatch):
    """Where the proposer mixes, the left panel holds one point per offer made, its area
    the share of the talks' weight it is made to."""
    import goldenbridge as gb
    from goldenbridge.report import plots

    pop = sample(gb.load("russia-2021"), samples=2000, seed=1)
    result = gb.negotiate(pop, 3, grid=51, decompose=False)
    mixed = [
        (r.round, m.position, m.share) for r in result.sequence if len(r.mix) > 1 for m in r.mix
    ]
    assert mixed  # the population makes the proposer mix
    drawn = []
    real_save = plots._save

    def keep(fig, directory, stem):
        drawn.extend(c.get_offsets().tolist() for c in fig.axes[0].collections)
        return real_save(fig, directory, stem)

    monkeypatch.setattr(plots, "_save", keep)
    _written(plots.plot_negotiation(result, tmp_path))
    assert sorted(map(tuple, drawn[0])) == sorted((float(r), p) for r, p, _ in mixed)


def test_one_issue_deal_curve_under_own_information_is_evaluates(tmp_path):
    """Where the allies decide on their own information, the one-issue plot's P(deal) is
    ``evaluate``'s at each value (the other issues at the status quo), not the per-world
    closed form; the plot is written with it."""
    import goldenbridge as gb
    from goldenbridge.analysis.bargaining_range import bargaining_range
    from goldenbridge.report.plots import _deal_along, plot_range_1d
    from goldenbridge.scenario import load

    pop = sample(load("russia-2021"), samples=400, seed=3)
    along = _deal_along(pop, "ukraine", samples=400)
    values = np.array([0.0, 30.0, 70.0])
    e = gb.evaluate(pop, {f"{v}": {"ukraine": v} for v in values})
    assert np.array_equal(along(values), [e.offer(f"{v}").p_deal for v in values])
    assert along(values)[0] == 0.0  # the status quo offers nothing
    _written(plot_range_1d(bargaining_range(pop, "ukraine"), tmp_path, 20.0, p_deal=along))
