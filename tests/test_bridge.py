"""The golden bridge over its P(war) target (docs/design.md section 6, issue 13 part 4):
the curve of the proposer's best utility, and why no bridge exists.

Oracles: the one-veto case of tests/test_information.py, whose P(war) has a closed form
(P(war)(x) = 2/3 - x (1 - 2x) / 1.5, V approves with probability 1 - 2x), and a dense
grid of offers scored on the same worlds (a brute force independent of the pattern
search).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from test_information import one_veto
from typer.testing import CliRunner

from goldenbridge.analysis.optimize import optimize
from goldenbridge.analysis.optimize.model_search import model_scores
from goldenbridge.cli import app
from goldenbridge.population import sample

SAMPLES = 5_000
#: optimize() with a curve on 5 000 worlds: about 10 s on the 2-core machine
pytestmark = pytest.mark.slow


def closed_form_x(q: float) -> float:
    """The smallest concession x with P(war)(x) <= q (u_P = 1 - x: the best for P)."""
    c = 1 - 1.5 * q  # x (1 - 2x) = 1.5 (2/3 - q)  <=>  2x^2 - x + c = 0
    return (1 - math.sqrt(1 - 8 * c)) / 4


@pytest.fixture(scope="module")
def population():
    return sample(one_veto(), samples=SAMPLES)


@pytest.fixture(scope="module")
def result(population):
    return optimize(population, solutions=False, curve=[0.60, 0.62, 0.65])


def test_the_curve_against_a_grid_and_the_closed_form(population, result):
    curve = result.curve
    assert [p.max_p_war for p in curve.points] == [0.60, 0.62, 0.65]
    grid = np.linspace(0, 0.3, 151)
    s = model_scores(population, population.encode([{"x": float(x)} for x in grid]))
    for p in curve.points:
        assert p.values is not None and p.p_war <= p.max_p_war + 1e-12
        # at least as good as every grid offer that meets the target, up to the search's
        # last step (1/128 of the scale: u_P = 1 - x moves by as much)
        best_on_grid = (1 - grid)[(s.p_war <= p.max_p_war) & (grid > 0)].max()
        assert p.proposer_u >= best_on_grid - 1 / 128 - 1e-12
        # the closed form, up to the sampling error of V's threshold (see
        # test_information.test_one_veto_closed_form) and the search step
        assert abs(p.values["x"] - closed_form_x(p.max_p_war)) < 0.04
    u = [p.proposer_u for p in curve.points]
    assert u == sorted(u)  # a looser target never costs more


def test_no_bridge_names_the_veto_and_the_concession(result):
    """The default target, half of offering nothing's P(war) = 1/3, is out of reach: the
    lowest P(war) on the path is 2/3 - 1/12 = 0.583 (at x = 1/4, between the path's
    steps 0.2 and 0.3); V approves with 1 - 2x, below one half from x = 0.3 on."""
    assert result.bridge is None and result.bridge_by == "p_war"
    why = result.no_bridge
    assert why is not None and abs(why.max_p_war - result.status_quo.p_war / 2) < 0.01
    assert min(abs(why.best_values["x"] - 0.2), abs(why.best_values["x"] - 0.3)) < 1e-9
    assert abs(why.best_p_war - (2 / 3 - 0.25 * 0.5 / 1.5)) < 0.03
    assert why.blocker is not None and why.blocker.actor == "V"
    assert why.blocker.values["x"] == pytest.approx(0.3)
    assert abs(why.blocker.p_approve - 0.4) < 0.05
    doc = result.to_dict()["no_bridge"]
    assert doc["vetoes"][0]["actor"] == "V" and "path" not in doc


def test_the_sentence_says_why(result):
    from goldenbridge.cli.optimize import bridge_sentences

    text = " ".join(bridge_sentences(result, one_veto()))
    assert "No package found brings P(war) down to" in text
    assert "from x=0.30 on, V approves in only" in text


def test_cli_curve_json_and_plots(tmp_path):
    file = tmp_path / "one-veto.yaml"
    file.write_text(json.dumps(one_veto().model_dump(exclude_none=True)))
    args = ["optimize", str(file), "--samples", "2000", "--curve", "2", "--json"]
    result = CliRunner().invoke(app, [*args, "--plot", str(tmp_path / "plots")])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    points = doc["curve"]["points"]
    assert len(points) == 2 and doc["bridge"] is None and doc["no_bridge"]["vetoes"]
    u = [p["proposer_u"] for p in points if p["values"] is not None]
    assert u == sorted(u)
    assert (tmp_path / "plots" / "bridge-curve.png").exists()
    assert (tmp_path / "plots" / "frontier.svg").exists()
