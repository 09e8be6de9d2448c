"""The track record (issue 17): the crisis library, ICB base rates, hindcast scores.

Scores are recomputed here from the scenario files and the ICB excerpt with independent
arithmetic (hand formulas, the csv module, scipy's binomial distribution), never typed in.
"""

from __future__ import annotations

import copy
import csv
import json
import math
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy.stats import binom, binomtest, norm
from typer.testing import CliRunner

from goldenbridge.analysis.baserate import base_rate, parse_attributes
from goldenbridge.analysis.baserate_logit import fit
from goldenbridge.analysis.evaluate import evaluate
from goldenbridge.analysis.hindcast import hindcast, library_names
from goldenbridge.analysis.scoring import bootstrap_difference, brier, log_score
from goldenbridge.cli import app
from goldenbridge.population import sample
from goldenbridge.scenario import Scenario, load, parse
from goldenbridge.scenario.record import OUTCOMES

runner = CliRunner()
BUILTIN = resources.files("goldenbridge.scenario.builtin")
ICB = resources.files("goldenbridge").joinpath("data/icb")
SHARED_ICB = Path(__file__).resolve().parents[2] / "shared" / "data" / "icb"
NUMBER_KEYS = {"value", "uniform", "normal", "triangular", "beta", "choice"}
CASES = library_names()


def _raw(name: str) -> dict:
    return yaml.safe_load(BUILTIN.joinpath(f"{name}.yaml").read_text(encoding="utf-8"))


def _unsourced(node, path=""):
    """Paths of numbers (or distributions) not written with both `source` and `basis`."""
    if isinstance(node, dict):
        if NUMBER_KEYS & set(node):
            return [] if {"source", "basis"} <= set(node) else [path]
        return [p for k, v in node.items() for p in _unsourced(v, f"{path}.{k}")]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _unsourced(v, f"{path}.{i}")]
    if isinstance(node, int | float) and not isinstance(node, bool):
        return [path]
    return []


# --- the library -------------------------------------------------------------------------------


def test_library_has_at_least_eight_cases_beside_the_seed():
    assert len([c for c in CASES if c != "russia-2021"]) >= 8
    outcomes = {_raw(c)["outcome"]["result"] for c in CASES}
    assert outcomes == set(OUTCOMES)  # every outcome occurs at least once


@pytest.mark.parametrize("name", CASES)
def test_library_case_validates_and_is_complete(name):
    s = load(name)
    assert s.library is not None and s.outcome is not None
    assert s.library.offer in s.offers
    assert s.outcome.result in OUTCOMES and s.outcome.source
    assert s.outcome.date >= s.library.cutoff  # what happened comes after the cut-off
    assert parse_attributes(s.library.attributes) == s.library.attributes
    if name != "russia-2021":  # the seed crisis is the one large scenario
        assert len(s.issues) <= 3 and len(s.vetoes) <= 1


@pytest.mark.parametrize("name", [c for c in CASES if _raw(c)["library"].get("icb")])
def test_attributes_of_an_icb_crisis_are_icbs_own_coding(name):
    record = _raw(name)["library"]
    system = {r["crisno"]: r for r in _excerpt("icb1v14-excerpt.csv")}[str(record["icb"])]
    actors = [r for r in _excerpt("icb2v14-excerpt.csv") if r["crisno"] == str(record["icb"])]
    gravity = [
        "economic",
        "limited_military",
        "political",
        "territorial",
        "influence",
        "grave",
        "existence",
    ][int(system["gravcr"])]
    power = int(system["powdissy"])
    assert record["attributes"] == {
        "great_power": any(r["powsta"] in ("3", "4") for r in actors),
        "gravity": gravity,
        "territorial": any(r["gravty"] == "3" for r in actors),
        "power_discrepancy": "low" if power <= 3 else "medium" if power <= 8 else "high",
    }


@pytest.mark.parametrize("name", CASES)
def test_every_model_number_has_source_and_basis(name):
    raw = _raw(name)
    for section in ("actors", "conflict", "threats"):
        assert _unsourced(raw.get(section, []), section) == []


@pytest.mark.parametrize("name", [c for c in CASES if c != "russia-2021"])
def test_each_file_states_its_cutoff_and_that_it_was_not_tuned(name):
    text = BUILTIN.joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    header = text.split("\nname:")[0]
    assert "Information cut-off" in header and "never tuned" in header
    assert "never reads" in header


@pytest.mark.parametrize("name", CASES)
def test_outcome_and_library_blocks_are_never_read_by_the_model(name):
    raw = _raw(name)
    offer = raw["library"]["offer"]
    stripped = {k: v for k, v in raw.items() if k not in ("outcome", "library")}
    flipped = copy.deepcopy(raw)
    flipped["outcome"]["result"] = "deal" if raw["outcome"]["result"] != "deal" else "war"
    results = []
    for data in (raw, stripped, flipped):
        s = parse(data)
        r = evaluate(sample(s, samples=3000), {offer: dict(s.offers[offer])}).offer(offer)
        results.append((r.p_deal, r.p_war, r.proposer_eu, r.p_deal_se, r.p_war_se))
    assert results[0] == results[1] == results[2]


def test_library_offer_must_name_an_offer():
    raw = _raw("cuba-1962")
    raw["library"]["offer"] = "no_such_offer"
    with pytest.raises(ValueError, match="library.offer: no offer named 'no_such_offer'"):
        parse(raw)


# --- scores ------------------------------------------------------------------------------------


def test_brier_and_log_score_by_hand():
    f = {"deal": 0.2, "deterred": 0.3, "war": 0.5}
    assert brier(f, "war") == pytest.approx(0.2**2 + 0.3**2 + 0.5**2)  # 0.38
    assert brier(f, "deal") == pytest.approx(0.8**2 + 0.3**2 + 0.5**2)  # 0.98
    assert log_score(f, "deterred") == pytest.approx(math.log(0.3))
    certain = {"deal": 1.0, "deterred": 0.0, "war": 0.0}
    assert brier(certain, "war") == 2.0 and brier(certain, "deal") == 0.0
    assert log_score(certain, "war", n=9) == pytest.approx(math.log(0.1))
    assert log_score(certain, "war") == -math.inf
    with pytest.raises(ValueError, match="outcome"):
        brier(f, "peace")


def test_bootstrap_interval_matches_the_binomial_distribution():
    # resampling 10 cases with 3 ones: the mean is Binomial(10, 0.3) / 10
    a, b = [1.0] * 3 + [0.0] * 7, [0.0] * 10
    d = bootstrap_difference(a, b, draws=40_000, seed=3)
    assert d.mean == pytest.approx(0.3)
    assert d.low == pytest.approx(binom.ppf(0.025, 10, 0.3) / 10, abs=0.1 + 1e-9)
    assert d.high == pytest.approx(binom.ppf(0.975, 10, 0.3) / 10, abs=0.1 + 1e-9)
    assert bootstrap_difference(a, b, draws=500, seed=1) == bootstrap_difference(
        a, b, draws=500, seed=1
    )


# --- ICB base rates ----------------------------------------------------------------------------


def _excerpt(name: str) -> list[dict[str, str]]:
    with ICB.joinpath(name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_reference_class_counted_independently_from_the_excerpt():
    system, actors = _excerpt("icb1v14-excerpt.csv"), _excerpt("icb2v14-excerpt.csv")
    great = {r["crisno"] for r in actors if r["powsta"] in ("3", "4")}
    members = [r for r in system if r["crisno"] in great and r["gravcr"] == "6" and r["viol"]]
    wars = sum(r["viol"] == "4" for r in members)
    deals = sum(r["viol"] != "4" and r["forout"] in ("1", "2") for r in members)
    rate = base_rate({"great_power": True, "gravity": "existence"})
    assert rate.n == len(members) > 0
    assert (rate.outcomes["war"].k, rate.outcomes["deal"].k) == (wars, deals)
    assert rate.outcomes["deterred"].k == len(members) - wars - deals
    assert rate.p_violence.k == sum(r["viol"] in ("2", "3", "4") for r in members)


def test_wilson_interval_closed_form():
    rate = base_rate({"great_power": True, "gravity": "grave"})
    k, n, z = rate.p_war.k, rate.n, norm.ppf(0.975)
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    assert (rate.p_war.low, rate.p_war.high) == pytest.approx((centre - half, centre + half))
    exact = base_rate({"great_power": True, "gravity": "grave"}, method="exact")
    assert exact.p_war.low < rate.p_war.low  # Clopper-Pearson is the wider here


@pytest.mark.parametrize("method", ["wilson", "exact"])
@pytest.mark.parametrize("level", [0.9, 0.95])
def test_intervals_equal_scipys_binomtest(method, level):
    """The intervals come from scipy.special (scipy.stats is slow to import): the same
    numbers as binomtest's proportion_ci, including the ends k = 0 and k = n."""
    from goldenbridge.analysis.baserate import _interval

    for n in (1, 2, 7, 40, 333):
        for k in sorted({0, 1, n // 3, n - 1, n}):
            ci = binomtest(k, n).proportion_ci(confidence_level=level, method=method)
            got = _interval(k, n, method, level)
            assert got == pytest.approx((ci.low, ci.high), rel=1e-9, abs=1e-12), (k, n)


def test_own_crisis_is_left_out_and_small_classes_relaxed():
    full = base_rate({"great_power": True, "gravity": "grave"})
    without = base_rate({"great_power": True, "gravity": "grave"}, exclude=[196])
    assert 196 in full.crises and 196 not in without.crises and without.n == full.n - 1
    tiny = {
        "great_power": True,
        "gravity": "existence",
        "territorial": True,
        "power_discrepancy": "high",
    }
    relaxed = base_rate(tiny, min_cases=20)
    assert relaxed.n >= 20 and relaxed.relaxed and set(relaxed.used) < set(tiny)


@pytest.mark.skipif(not SHARED_ICB.exists(), reason="shared ICB release files not present")
def test_excerpt_columns_equal_the_release_files():
    for name, excerpt in (
        ("icb1v14.csv", "icb1v14-excerpt.csv"),
        ("icb2v14.csv", "icb2v14-excerpt.csv"),
    ):
        with (SHARED_ICB / name).open(encoding="utf-8-sig") as f:
            full = list(csv.DictReader(f))
        kept = _excerpt(excerpt)
        assert len(full) == len(kept)
        for a, b in zip(full, kept, strict=True):
            assert all(a[c].strip() == b[c] for c in b)


def test_logistic_fit_reproduces_group_frequencies_without_penalty():
    # one binary feature: the unpenalised softmax MLE is each group's outcome shares
    rng = np.random.default_rng(5)
    g = rng.integers(0, 2, size=400)
    probs = np.where(g[:, None] == 1, [0.2, 0.3, 0.5], [0.6, 0.3, 0.1])
    y = np.array([np.eye(3)[rng.choice(3, p=p)] for p in probs])
    x = np.column_stack([np.ones(400), g.astype(float)])
    model = fit(x, y, lam=0.0)
    for group in (0, 1):
        expected = y[g == group].mean(axis=0)
        assert model.predict(np.array([[1.0, group]]))[0] == pytest.approx(expected, abs=1e-5)


# --- hindcast ----------------------------------------------------------------------------------


def test_hindcast_scores_recomputed_from_the_files():
    names = ["cuba-1962", "berlin-1961", "gulf-1991"]
    h = hindcast(names, samples=3000, draws=2000)
    model_b, model_l, base_b, const_b = [], [], [], []
    for case, name in zip(h.cases, names, strict=True):
        raw = _raw(name)
        happened = raw["outcome"]["result"]  # read from the file, not from the result
        assert case.outcome == happened and case.offer == raw["library"]["offer"]
        p = case.forecast
        assert sum(p.values()) == pytest.approx(1.0)
        o = {k: float(k == happened) for k in OUTCOMES}
        model_b.append(sum((p[k] - o[k]) ** 2 for k in OUTCOMES))
        model_l.append(math.log(max(p[happened], 1 / 3001)))
        rate = base_rate(
            raw["library"]["attributes"], exclude=[raw["library"]["icb"]], min_cases=20
        )
        base_b.append(sum((rate.outcomes[k].p - o[k]) ** 2 for k in OUTCOMES))
        const_b.append(sum((1 / 3 - o[k]) ** 2 for k in OUTCOMES))
        assert case.brier == pytest.approx(model_b[-1]) and case.log_score == pytest.approx(
            model_l[-1]
        )
    assert h.brier == pytest.approx(np.mean(model_b))
    assert h.log_score == pytest.approx(np.mean(model_l))
    assert h.baselines["base_rate"]["brier"] == pytest.approx(np.mean(base_b))
    assert h.baselines["constant"]["brier"] == pytest.approx(2 / 3)
    assert h.baselines["constant"]["log_score"] == pytest.approx(math.log(1 / 3))
    diff = h.differences["base_rate"]["brier"]
    assert diff.mean == pytest.approx(np.mean(model_b) - np.mean(base_b))
    assert diff.low <= diff.mean <= diff.high


def test_status_quo_offer_is_never_a_deal():
    # gulf-1991's offer is the status quo (an ultimatum): DESIGN.md section 4a
    (case,) = hindcast(["gulf-1991"], samples=3000, draws=100).cases
    assert case.forecast["deal"] == 0.0
    assert case.forecast["deterred"] + case.forecast["war"] == pytest.approx(1.0)


def test_information_switch_is_a_parameter():
    if "information" in Scenario.model_fields:  # issue 13 has landed
        (case,) = hindcast(["cuba-1962"], samples=2000, draws=100, information="informed").cases
        assert sum(case.forecast.values()) == pytest.approx(1.0)
    else:
        with pytest.raises(ValueError, match="information"):
            hindcast(["cuba-1962"], samples=2000, information="informed")


# --- command line ------------------------------------------------------------------------------


def test_cli_hindcast_json_shape():
    result = runner.invoke(
        app, ["hindcast", "-c", "cuba-1962", "-c", "gulf-1991", "-n", "2000", "--json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert {"cases", "brier", "log_score", "baselines"} <= set(doc)
    keys = {
        "name",
        "date",
        "offer",
        "outcome",
        "p_deal",
        "p_deterred",
        "p_war",
        "brier",
        "log_score",
    }
    for case in doc["cases"]:
        assert keys <= set(case) and case["outcome"] in OUTCOMES
    for baseline in ("base_rate", "constant"):
        assert set(doc["baselines"][baseline]) == {"brier", "log_score"}


def test_cli_baserate_json_and_errors():
    result = runner.invoke(app, ["baserate", "great_power=true", "gravity=grave", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["n"] == doc["p_war"]["n"] and 0 <= doc["p_war"]["low"] <= doc["p_war"]["high"] <= 1
    assert sum(doc["logistic"].values()) == pytest.approx(1.0)
    bad = runner.invoke(app, ["baserate", "gravity=huge"])
    assert bad.exit_code == 2 and "attribute gravity" in bad.output
    assert len(bad.output.strip().splitlines()) == 1
    not_library = runner.invoke(app, ["baserate", "fearon-1d"])
    assert not_library.exit_code == 2 and "library.attributes" in not_library.output
    unknown = runner.invoke(app, ["hindcast", "-c", "fearon-1d"])
    assert unknown.exit_code == 2 and "not a library case" in unknown.output


def test_demo_shows_the_base_rate_beside_the_model():
    result = runner.invoke(app, ["demo", "--samples", "5000"])
    assert result.exit_code == 0, result.output
    record = load("russia-2021").library
    rate = base_rate(record.attributes, min_cases=20)
    assert f"Base rate: of {rate.n} ICB crises like this one" in result.stdout


def test_web_page_gets_the_base_rate_of_a_library_case():
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from goldenbridge.web import create_app

    with TestClient(create_app()) as client:
        spec = client.get("/api/scenarios/russia-2021").json()
        assert client.get("/api/scenarios/fearon-1d").json()["base_rate"] is None
    rate = base_rate(load("russia-2021").library.attributes, min_cases=20)
    assert spec["base_rate"]["n"] == rate.n and spec["base_rate"]["p_war"] == rate.p_war.p
    static = resources.files("goldenbridge").joinpath("web/static")
    assert 'id="base-rate"' in static.joinpath("index.html").read_text(encoding="utf-8")


def test_cross_validation_claims_of_the_docs():
    from goldenbridge.analysis.baserate_logit import cross_validate

    cv = cross_validate()
    assert cv.n == len(_excerpt("icb1v14-excerpt.csv")) - 1  # one crisis has no VIOL coded
    # docs/track-record.md: both attribute-based forecasts beat the overall frequencies
    assert cv.brier["logistic"] < cv.brier["overall"]
    assert cv.brier["reference_class"] < cv.brier["overall"]
    assert cv.log_score["logistic"] > cv.log_score["overall"]
    assert cv.p_war.shape == cv.war.shape == (cv.n,) and np.all((cv.p_war > 0) & (cv.p_war < 1))
    # the overall forecaster predicts each fold's training shares: its Brier is close to (and
    # not below) the in-sample value of the shares themselves, 1 - sum_k p_k^2
    crises = [r for r in _excerpt("icb1v14-excerpt.csv") if r["viol"]]
    war = sum(r["viol"] == "4" for r in crises)
    deal = sum(r["viol"] != "4" and r["forout"] in ("1", "2") for r in crises)
    shares = np.array([deal, len(crises) - war - deal, war]) / len(crises)
    in_sample = 1 - (shares**2).sum()
    assert in_sample <= cv.brier["overall"] < in_sample + 0.01
