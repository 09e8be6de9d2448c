"""Exact enumeration of an all-discrete scenario (docs/design.md 4b: the test oracle).

Oracle: an independent brute force written below in plain Python loops. It reads the
scenario file as raw YAML (not through the package's loader), lists every combination of
its values itself (the full product, a type's fields in every world), and applies the
definitions of docs/design.md 3, 4, 4a and 4b directly: utilities, Fearon's war values
with the threat's expected cost, the target's choice, and each veto's approval as the
expectation over every world of its gain from offering ``x`` rather than nothing, with its
own fields held at its world's values.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import yaml

from goldenbridge.analysis.evaluate import evaluate
from goldenbridge.enumeration import enumerate_worlds, n_combinations, supports
from goldenbridge.population import sample
from goldenbridge.scenario import load
from goldenbridge.scenario.errors import ScenarioError

FILE = Path(__file__).parent / "data" / "discrete" / "all-discrete.yaml"


def _choice(q):
    """(value, probability) pairs of a YAML number or choice."""
    if isinstance(q, int | float):
        return [(float(q), 1.0)]
    values = q["choice"]
    p = q.get("p") or [1 / len(values)] * len(values)
    return list(zip(map(float, values), map(float, p), strict=True))


def brute_force():
    """P(deal), P(deterred), P(war), EU and each actor's P(accept / approve) per offer."""
    raw = yaml.safe_load(FILE.read_text())
    issues = {i["name"]: (i["min"], i["max"], i["status_quo"]) for i in raw["issues"]}
    sq = {k: v[2] for k, v in issues.items()}
    actors = {a["name"]: a for a in raw["actors"]}
    conflict, (threat,) = raw["conflict"], raw["threats"]
    hawk = actors["T"]["types"]["hawk"]
    # the uncertain quantities: name -> [(value, p)]; the full product, hawk's war value in
    # every world (it is read only where T is a hawk)
    space = {
        "p_win": _choice(conflict["p_win"]),
        "cost.T": _choice(conflict["cost"]["T"]),
        "cost.V1": _choice(conflict["cost"]["V1"]),
        "credibility": _choice(threat["credibility"]),
        "T.type": [("hawk", hawk["prior"]), ("dove", actors["T"]["types"]["dove"]["prior"])],
        "T.hawk.war_value": _choice(hawk["war_value"]),
        "V1.b": _choice(actors["V1"]["position"]["b"]),
        "V2.war_value": _choice(actors["V2"]["war_value"]),
    }
    # docs/design.md 4b: a veto knows its actors entry, its conflict cost and the
    # credibility of the threats it carries out
    own = {"V1": ("cost.V1", "credibility", "V1.b"), "V2": ("V2.war_value",), "S": ()}
    names = list(space)
    worlds = []
    for combo in itertools.product(*space.values()):
        values = {k: v for k, (v, _) in zip(names, combo, strict=True)}
        worlds.append((values, float(np.prod([p for _, p in combo]))))

    def ideal(name, world):
        position = dict(actors[name]["position"])
        if name == "V1":
            position["b"] = world["V1.b"]
        return position

    def utility(name, world, x):
        """docs/design.md 3: sum_k w_k (1 - (|x_k - a_k| / range_k) ** rho)."""
        a, rho = ideal(name, world), actors[name]["rho"]
        salience = actors[name].get("salience", {k: 1.0 for k in a})
        total = sum(salience[k] for k in a)
        return sum(
            salience[k] / total * (1 - (abs(x[k] - a[k]) / (issues[k][1] - issues[k][0])) ** rho)
            for k in a
        )

    win = dict(actors["T"]["position"])  # a war the target wins: its position

    def war_value(name, world):
        """Fearon (1995) with the threat's expected cost (docs/design.md 4)."""
        if name == "V2":
            return world["V2.war_value"]
        if name == "T" and world["T.type"] == "hawk":
            fought = world["T.hawk.war_value"]
        else:
            p = world["p_win"]
            cost = world[f"cost.{name}"] if name in ("T", "V1") else conflict["cost"].get(name, 0)
            fought = p * utility(name, world, win) + (1 - p) * utility(name, world, sq) - cost
        if name == "T":
            fought -= world["credibility"] * threat["effect"]["cost"]
        if name == "V1":
            fought -= world["credibility"] * threat["cost_to_threatener"]
        return fought

    def target(world, x, offered):
        """4a: (accepts if offered, fights if no agreement)."""
        u_x, u_sq, w = utility("T", world, x), utility("T", world, sq), war_value("T", world)
        return offered and u_x >= w and u_x >= u_sq, w > u_sq

    offers = {k: {**sq, **v} for k, v in raw["offers"].items()}
    out = {}
    for offer, x in offers.items():
        offered = x != sq
        approve = {}  # actor -> {own values: approves}
        gains = []
        for j, fields in own.items():
            approve[j] = {}
            for known in itertools.product(*(space[f] for f in fields)):
                mine = {f: v for f, (v, _) in zip(fields, known, strict=True)}
                gain = 0.0
                for other, p in worlds:  # 4b: E[a_T(x) (u_j(x) - r_j) | what j knows]
                    pair = {**other, **mine}
                    accepts, fights = target(pair, x, offered)
                    r = war_value(j, pair) if fights else utility(j, pair, sq)
                    gain += p * accepts * (utility(j, pair, x) - r)
                approve[j][tuple(mine.values())] = gain >= 0  # ties approve
                gains.append(gain)
        deal = deterred = war = eu = 0.0
        odds = {"T": 0.0, "V1": 0.0, "V2": 0.0, "S": 0.0}
        for world, p in worlds:
            accepts, fights = target(world, x, True)
            says = {j: approve[j][tuple(world[f] for f in own[j])] for j in own}
            signed = offered and says["V1"] and says["V2"] and accepts
            deal += p * signed
            war += p * (not signed and fights)
            deterred += p * (not signed and not fights)
            eu += p * (
                utility("P", world, x)
                if signed
                else war_value("P", world)
                if fights
                else utility("P", world, sq)
            )
            odds["T"] += p * accepts
            for j in own:
                odds[j] += p * says[j]
        out[offer] = {"deal": deal, "deterred": deterred, "war": war, "eu": eu, **odds}
        out[offer]["gains"] = gains
    return out


@pytest.fixture(scope="module")
def oracle():
    return brute_force()


@pytest.fixture(scope="module")
def exact():
    return evaluate(enumerate_worlds(load(FILE)))


def test_the_brute_force_is_well_posed(oracle):
    """No approval sits within rounding of its tie (so signs compare exactly), and the
    scenario exercises blocking: some approvals are neither 0 nor 1."""
    gains = np.array([g for o in oracle.values() for g in o["gains"]])
    assert (np.abs(gains[gains != 0]) > 1e-9).all()
    assert any(0 < o[j] < 1 for o in oracle.values() for j in ("V1", "V2"))


def test_enumeration_is_the_brute_force(oracle, exact):
    assert exact.exact and exact.samples == n_combinations(load(FILE)) == 3 * 2**5 * 3
    for name, want in oracle.items():
        o = exact.offer(name)
        assert abs(o.p_deal - want["deal"]) < 1e-12, name
        assert abs(o.p_deterred - want["deterred"]) < 1e-12, name
        assert abs(o.p_war - want["war"]) < 1e-12, name
        assert abs(o.proposer_eu - want["eu"]) < 1e-12, name
        assert abs(o.actors["T"].p_accept - want["T"]) < 1e-12, name
        for j in ("V1", "V2", "S"):
            assert abs(o.actors[j].p_approve - want[j]) < 1e-12, (name, j)
        assert o.p_deal_se == o.p_war_se == o.actors["V1"].p_accept_se == 0.0
    assert exact.sincere == ("V1",)  # its own sanctions' credibility moves the target


def test_the_sample_agrees_with_the_enumeration(sampled, exact):
    e = sampled
    assert e.exact is None
    for o in e.offers:
        want = exact.offer(o.name)
        for key in ("p_deal", "p_deterred", "p_war"):
            se = getattr(o, f"{key}_se") + o.inner_error
            assert abs(getattr(o, key) - getattr(want, key)) < 4 * se + 1e-12, (o.name, key)
        assert abs(o.proposer_eu - want.proposer_eu) < 4 * o.proposer_eu_se + 1e-12
        target = o.actors["T"]
        assert abs(target.p_accept - want.actors["T"].p_accept) < 4 * target.p_accept_se + 1e-12


@pytest.fixture(scope="module")
def sampled():
    return evaluate(sample(load(FILE), samples=20_000))


def test_the_sampled_approvals_agree_with_the_enumeration(sampled, exact):
    """Every veto's and stakeholder's P(approve), V1's included (its own sanctions'
    credibility moves the target), agrees with the exact one within its SE: the approvals
    are settled in every world, not only where they decide the outcome."""
    for o in sampled.offers:
        for j in ("V1", "V2", "S"):
            got, want = o.actors[j], exact.offer(o.name).actors[j]
            assert abs(got.p_approve - want.p_approve) < 4 * got.p_accept_se + 1e-12, (o.name, j)


def test_a_type_field_is_enumerated_only_under_its_type():
    """288 worlds, not the full product's 384: the hawk's war value is listed only where
    T is a hawk; the probabilities still sum to 1 and match each quantity's own."""
    pop = enumerate_worlds(load(FILE))
    assert pop.n == 288 and abs(pop.worlds.weights.sum() - 1) < 1e-15
    w = pop.worlds.weights
    hawk = pop.type_index["T"] == 0
    assert abs(w[hawk].sum() - 0.3) < 1e-15
    assert abs(w[pop.inputs["actors.V2.war_value"] == 0.5].sum() - 0.5) < 1e-15
    assert abs(w[pop.inputs["conflict.cost.V1"] == 0.4].sum() - 0.3) < 1e-15


def test_what_cannot_be_enumerated_is_a_one_line_error():
    with pytest.raises(ScenarioError) as err:
        enumerate_worlds(load("fearon-1d"))
    assert err.value.path == "conflict.cost.B" and "uniform" in str(err.value)
    with pytest.raises(ScenarioError) as err:
        enumerate_worlds(load(FILE), max_worlds=100)
    assert err.value.path == "samples" and "288" in str(err.value) and "\n" not in str(err.value)


def test_supports_select_each_value():
    """The uniform of each value maps back to it through the quantity's inverse CDF."""
    scenario = load(FILE)
    pop = sample(scenario, samples=1, budget=None)
    for s in supports(scenario):
        if s.path in pop.quantities:
            q = pop.quantities[s.path]
            assert q.ppf(np.array(s.uniforms)).tolist() == [v for v, _ in _choice(q.model_dump())]


@pytest.mark.slow  # three CLI runs: 5-17 s on the shared 2-core machine
def test_cli_evaluate_exact():
    """``evaluate --exact`` prints the enumeration's numbers (SEs 0, ``exact``) and refuses a
    scenario with a continuous quantity in one line (exit 2; one JSON document under
    --json)."""
    import json

    from typer.testing import CliRunner

    from goldenbridge.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["evaluate", str(FILE), "--exact", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["exact"] is True and doc["samples"] == 288
    want = evaluate(enumerate_worlds(load(FILE)))
    for o in doc["offers"]:
        assert o["p_war_se"] == 0.0
        assert abs(o["p_war"] - want.offer(o["name"]).p_war) < 1e-12
    assert "exact" not in json.loads(
        runner.invoke(app, ["evaluate", str(FILE), "--samples", "500", "--json"]).stdout
    )
    result = runner.invoke(app, ["evaluate", "fearon-1d", "--exact"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: conflict.cost.B: is a uniform distribution: exact enumeration needs every "
        "uncertain quantity to be a choice (or a fixed value); sample it instead"
    ]
    result = runner.invoke(app, ["evaluate", "fearon-1d", "--exact", "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["field"] == "conflict.cost.B"
