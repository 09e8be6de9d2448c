"""Decision flips against closed forms and a brute-force scan."""

from __future__ import annotations

import numpy as np
import pytest

import goldenbridge as gb
from goldenbridge.analysis.sensitivity.decides import headline

SAMPLES, SEED = 4000, 11


def fearon(mean_cost_b: float = 0.15, samples: int = SAMPLES) -> dict:
    """Fearon's crisis, p = .5, c_A = .1, c_B ~ U[m - .15, m + .15], two named offers."""
    return {
        "name": "flips",
        "seed": SEED,
        "samples": samples,
        "issues": [{"name": "share", "min": 0, "max": 1, "status_quo": 1}],
        "conflict": {
            "p_win": 0.5,
            "cost": {"A": 0.1, "B": {"uniform": [mean_cost_b - 0.15, mean_cost_b + 0.15]}},
        },
        "actors": [
            {"name": "A", "role": "proposer", "position": {"share": 1}, "rho": 1},
            {"name": "B", "role": "target", "position": {"share": 0}, "rho": 1},
        ],
        "offers": {"low": {"share": 0.55}, "high": {"share": 0.7}},
    }


def flip_of(result, name):
    return next(f for f in result.flips if f.factor == name)


def test_fixed_offer_flip_matches_the_closed_form_and_a_brute_force_scan():
    # B fights whenever it rejects; P(war of x) = 1 - (m + .65 - x)/.3 for a mean cost m of
    # B. Offer 'high' (x = .7): P(war) = 1 - (m - .05)/.3 = 1/3 at m = .15 and moves by
    # .1 when m moves by .03: below .12 or above .18 (equally near: either may be found).
    result = gb.sensitivity(gb.load(fearon()), "high", n=64, flip_by=0.1)
    assert not result.reoptimised and result.offer_name == "high"
    flip = flip_of(result, "conflict.cost.B")
    assert (flip.baseline, flip.low, flip.high) == pytest.approx((0.15, 0.015, 0.285))
    expected = 0.12 if flip.direction == "below" else 0.18
    assert flip.threshold == pytest.approx(expected, abs=0.01)
    assert abs(flip.value - result.baseline.p_war) >= 0.1 - 1e-12
    assert flip.offer == {"share": 0.7}

    # brute force: the same worlds (same seed) at every mean on a fine grid, evaluated by
    # the ordinary evaluate() on a scenario written out by hand
    means = np.linspace(0.015, 0.285, 28)
    p0 = result.baseline.p_war
    moved = [
        abs(gb.evaluate(fearon(float(m)), seed=SEED).offer("high").p_war - p0) >= 0.1 for m in means
    ]
    side = means < 0.15 if flip.direction == "below" else means > 0.15
    first = min((m for m, hit in zip(means, moved, strict=True) if hit and m in means[side]),
                key=lambda m: abs(m - 0.15))  # fmt: skip
    step = means[1] - means[0]
    assert abs(flip.threshold - first) <= flip.resolution + step


def test_reoptimised_flip_follows_the_closed_form():
    # Re-optimised, x* = (m + 1.05)/2 and P(war) = 1 - (m + .25)/.6: a move of .1 needs
    # |m - .15| = .06, below .09 or above .21. The re-optimised P(war) carries the
    # optimum's own sampling noise (a flat EU near x*), hence the wider tolerance.
    result = gb.sensitivity(gb.load(fearon(samples=20_000)), n=64, flip_by=0.1, reoptimise=1)
    flip = flip_of(result, "conflict.cost.B")
    assert flip.threshold is not None
    expected = 0.09 if flip.direction == "below" else 0.21
    assert flip.threshold == pytest.approx(expected, abs=0.03)
    m = flip.threshold
    assert flip.offer["share"] == pytest.approx((m + 1.05) / 2, abs=0.03)


def test_headline_when_nothing_moves():
    # the only uncertain input is the proposer's own cost: it never changes B's answer to
    # a fixed offer
    data = fearon()
    data["conflict"]["cost"] = {"A": {"uniform": [0.05, 0.1]}, "B": 0.15}
    result = gb.sensitivity(gb.load(data), "low", n=64, samples=2000)
    assert all(f.threshold is None for f in result.flips)
    assert all(r.swing == 0.0 for r in result.rows)
    # B accepts 'low' (x = .55) whenever c_B >= .05: always, so P(war) is 0 at both ends
    assert "P(war) of 'low' runs from 0.0% to 0.0% (0.0% as written)" in result.headline
    assert headline([], [], "p_war", "x", True).startswith("No assumption is uncertain")
