"""Decision flips against closed forms and a brute-force scan."""

from __future__ import annotations

import numpy as np
import pytest

import goldenbridge as gb
from goldenbridge.analysis.sensitivity.flips import headline

SAMPLES, SEED = 4000, 11


def fearon(mean_cost_b: float = 0.15) -> dict:
    """Fearon's crisis, p = .5, c_A = .1, c_B ~ U[m - .15, m + .15], two named offers."""
    return {
        "name": "flips",
        "seed": SEED,
        "samples": SAMPLES,
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


def test_flip_matches_the_closed_form_and_a_brute_force_scan():
    # P(B accepts x) = (m + .15 - (x - .5)) / .3, EU(x) = .4 + (x - .4) P(x):
    # EU(.55) = EU(.70) at m = .2, so above a mean cost of .2 offer "high" instead of "low";
    # P(deal) of "low" = (m + .1) / .3 crosses .5 at m = .05.
    result = gb.sensitivity(gb.load(fearon()), n=64, samples=SAMPLES, points=4)
    assert result.best == "low" and result.offer_name == "low"
    flip = flip_of(result, "conflict.cost.B")
    assert (flip.baseline, flip.low, flip.high) == pytest.approx((0.15, 0.0, 0.3))
    assert flip.direction == "above" and flip.new_best == "high"
    assert flip.threshold == pytest.approx(0.2, abs=0.01)
    assert flip.p_deal_direction == "below"
    assert flip.p_deal_threshold == pytest.approx(0.05, abs=0.015)

    # brute force: the same worlds (same seed) at every mean on a fine grid, evaluated by
    # the ordinary evaluate() on a scenario written out by hand
    means = np.linspace(0.0, 0.3, 121)
    best, deal = [], []
    for m in means:
        e = gb.evaluate(fearon(float(m)), samples=SAMPLES, seed=SEED)
        best.append(e.best.name)
        deal.append(e.offer("low").p_deal >= 0.5)
    i0 = int(np.argmin(abs(means - 0.15)))
    changed = [i for i in range(len(means)) if best[i] != best[i0]]
    nearest = min(changed, key=lambda i: abs(means[i] - 0.15))
    step = means[1] - means[0]
    assert abs(flip.threshold - means[nearest]) <= flip.resolution + step
    assert best[nearest] == flip.new_best
    crossed = [i for i in range(len(means)) if deal[i] != deal[i0]]
    nearest = min(crossed, key=lambda i: abs(means[i] - 0.15))
    assert abs(flip.p_deal_threshold - means[nearest]) <= flip.resolution + step
    assert result.headline.startswith(
        "The answer depends most on conflict.cost.B: if it is above 0.2"
    )


def test_spread_flip_matches_the_closed_form_and_a_brute_force_scan():
    # c_B ~ U[.15 - w, .15 + w]: P(B accepts x) = (w + .65 - x) / 2w, so EU(.55) = EU(.70)
    # where .15 (w + .1) = .3 (w - .05): w = .2, an sd of .2 / sqrt(3) (written: .15 / sqrt(3)).
    # Wider uncertainty about B's cost favours the tougher offer.
    result = gb.sensitivity(gb.load(fearon()), n=64, samples=SAMPLES, points=4)
    flip = flip_of(result, "conflict.cost.B.sd")
    assert flip.baseline == pytest.approx(0.15 / np.sqrt(3), rel=1e-4)
    assert (flip.low, flip.high) == pytest.approx((0.075 / np.sqrt(3), 0.3 / np.sqrt(3)), rel=1e-4)
    assert flip.direction == "above" and flip.new_best == "high"
    assert flip.threshold == pytest.approx(0.2 / np.sqrt(3), abs=0.006)
    # brute force: the same worlds with B's cost written as U[.15 - w, .15 + w] by hand
    widths = np.linspace(0.075, 0.3, 46)
    best = []
    for w in widths:
        data = fearon()
        data["conflict"]["cost"]["B"] = {"uniform": [0.15 - float(w), 0.15 + float(w)]}
        best.append(gb.evaluate(data, samples=SAMPLES, seed=SEED).best.name)
    first = next(i for i, b in enumerate(best) if b != "low" and widths[i] > 0.15)
    step = (widths[1] - widths[0]) / np.sqrt(3)
    assert abs(flip.threshold - widths[first] / np.sqrt(3)) <= 2 * step
    assert all(b == "low" for b, w in zip(best, widths, strict=True) if 0.15 <= w < 0.19)


def test_prior_flip_by_reweighting():
    # soft B accepts "tough" (x = .7) and "generous" (x = .4), hard B only "generous";
    # A's no-deal value .2: EU(tough) = .7 (1 - q) + .2 q, EU(generous) = .4, equal at
    # q = P(hard) = .6.
    scenario = {
        "name": "prior",
        "seed": 2,
        "samples": 20_000,
        "issues": [{"name": "share", "min": 0, "max": 1, "status_quo": 1}],
        "actors": [
            {"name": "A", "role": "proposer", "position": {"share": 1}, "rho": 1, "war_value": 0.2},
            {
                "name": "B",
                "role": "target",
                "position": {"share": 0},
                "rho": 1,
                "types": {
                    "soft": {"prior": 0.7, "war_value": 0.25},
                    "hard": {"prior": 0.3, "war_value": 0.5},
                },
            },
        ],
        "offers": {"tough": {"share": 0.7}, "generous": {"share": 0.4}},
    }
    result = gb.sensitivity(gb.load(scenario), n=64)
    flip = flip_of(result, "B.types.hard.prior")
    assert [f.factor for f in result.flips] == ["B.types.hard.prior"]  # nothing else varies
    assert flip.best == "tough" and flip.new_best == "generous" and flip.direction == "above"
    assert flip.threshold == pytest.approx(0.6, abs=0.02)
    sweep = result.sweeps[0]
    # P(deal) of "tough" = P(soft) = 1 - q at both ends of [0, 1]
    assert sweep.p_deal[[0, -1], result.chosen] == pytest.approx([1.0, 0.0])


def test_headline_when_nothing_flips():
    # the only uncertain input is the proposer's own cost: it never changes B's answer
    data = fearon()
    data["conflict"]["cost"] = {"A": {"uniform": [0.05, 0.1]}, "B": 0.15}
    result = gb.sensitivity(gb.load(data), n=64, samples=2000)
    assert all(f.threshold is None for f in result.flips)
    assert result.headline.startswith("No assumption within its stated range changes")
    assert headline([], [], "x", 0, 0.5).startswith("No assumption is uncertain")
