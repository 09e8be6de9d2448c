"""Solution concepts on an imported Genius domain (issue 19, parts 4 and 5).

negmas (AGPL) is the independent oracle here; the package never imports it.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

import goldenbridge as gb
from goldenbridge.analysis.outcome_space import outcome_space

GENIUS = Path(__file__).parent / "data" / "genius" / "EnglandZimbabwe"
pytestmark = pytest.mark.filterwarnings("ignore:Passing outcomes and issues")
FILES = [GENIUS / "EnglandZimbabwe_domain.xml", GENIUS / "England.xml", GENIUS / "Zimbabwe.xml"]


@pytest.fixture(scope="module")
def space():
    return outcome_space(gb.load_genius(*FILES))


def _negmas_normalised():
    """negmas's own reading of the Genius files, each issue's evaluations divided by its
    largest (Genius's convention), so both sides use the same normalised profiles."""
    negmas = pytest.importorskip("negmas")
    from negmas.inout import load_genius_domain_from_folder
    from negmas.preferences import LinearAdditiveUtilityFunction
    from negmas.preferences.value_fun import TableFun

    scenario = load_genius_domain_from_folder(str(GENIUS))
    ufuns = []
    for u in scenario.ufuns:
        values = []
        for v in u.values:
            top = max(v.mapping.values())
            values.append(TableFun({k: e / top for k, e in v.mapping.items()}))
        ufuns.append(
            LinearAdditiveUtilityFunction(
                values=values,
                weights=u.weights,
                outcome_space=scenario.outcome_space,
                reserved_value=u.reserved_value,
                name=u.name,
            )
        )
    return negmas, scenario, ufuns


def test_england_zimbabwe_has_576_outcomes(space):
    assert space.n_outcomes == 576 == 4 * 4 * 3 * 3 * 4
    assert space.parties == ("England", "Zimbabwe")


def test_nash_point_equals_negmas(space):
    _, scenario, ufuns = _negmas_normalised()
    from negmas.preferences.ops import nash_points, pareto_frontier

    outcomes = list(scenario.outcome_space.enumerate_or_sample())
    frontier, indices = pareto_frontier(ufuns, outcomes=outcomes)
    ((utils, k),) = nash_points(ufuns, frontier=frontier)
    negmas_outcome = outcomes[indices[k]]
    ours = space.outcome(space.nash)
    assert tuple(ours.values()) == tuple(negmas_outcome)
    assert space.utilities[space.nash].tolist() == pytest.approx(list(utils), abs=1e-12)
    # The same frontier, as sets of utility pairs.
    theirs = {tuple(np.round(f, 12)) for f in frontier}
    assert {tuple(np.round(space.utilities[r], 12)) for r in space.pareto} == theirs


def test_utilities_match_negmas_on_every_outcome(space):
    _, scenario, ufuns = _negmas_normalised()
    names = space.option_names
    for row in range(space.n_outcomes):
        outcome = tuple(names[k][int(i)] for k, i in enumerate(space.options[row]))
        assert [float(u(outcome)) for u in ufuns] == pytest.approx(
            space.utilities[row].tolist(), abs=1e-12
        )


def test_kalai_smorodinsky_by_brute_force(space):
    u, d = space.utilities, space.disagreement
    gains = u - d
    best = gains.max(axis=0)
    # dominates[o, r]: outcome o is at least as good for both and better for one
    ge = np.all(u[:, None, :] >= u[None, :, :], axis=2)
    gt = np.any(u[:, None, :] > u[None, :, :], axis=2)
    dominated = (ge & gt).any(axis=0)
    candidates = [
        (min(gains[r] / best), gains[r].sum(), -r)
        for r in range(space.n_outcomes)
        if not dominated[r] and np.all(gains[r] > 0)
    ]
    _, _, neg_row = max(candidates)
    assert space.kalai_smorodinsky == -neg_row
    assert set(space.pareto.tolist()) == set(np.flatnonzero(~dominated).tolist())


def test_enumeration_order_is_itertools_product(space):
    expected = list(itertools.product(*(range(len(n)) for n in space.option_names)))
    assert [tuple(r) for r in space.options.tolist()] == expected


def test_imported_genius_runs_the_bargaining_analyses():
    s = gb.load_genius(*FILES)
    space = outcome_space(s)
    offer = space.outcome(space.nash)
    result = gb.evaluate(s, {"nash": offer}, samples=2000, seed=1)
    # No uncertainty in the imported profiles: Zimbabwe accepts the Nash point (its
    # utility there beats its reservation value 0) in every world.
    assert result.offer("nash").actors["Zimbabwe"].p_accept == 1.0


def test_three_parties_nash_by_brute_force(tmp_path):
    # A third party with England's profile, as a veto: the Nash point maximises the
    # product of three gains over the 576 outcomes.
    wales = tmp_path / "Wales.xml"
    wales.write_text((GENIUS / "England.xml").read_text())
    s = gb.load_genius(*FILES, wales, proposer="England", target="Zimbabwe", vetoes=["Wales"])
    space = outcome_space(s)
    assert space.parties == ("England", "Zimbabwe", "Wales")
    gains = space.utilities - space.disagreement
    product = np.where(np.all(gains > 0, axis=1), np.prod(gains, axis=1), -1.0)
    assert space.nash == int(np.argmax(product))
    assert np.array_equal(space.utilities[:, 0], space.utilities[:, 2])


def test_best_offers_on_the_imported_domain():
    s = gb.load_genius(*FILES)
    result = gb.optimize(s, samples=500, seed=2, solutions=False)
    best = result.optimum.values
    space = outcome_space(s)
    row = next(
        r for r in range(space.n_outcomes) if space.outcome(r) == {k: best[k] for k in space.issues}
    )
    # Without uncertainty the optimum is the outcome England values most among those
    # Zimbabwe accepts (its utility there at least its no-deal value).
    assert result.optimum.p_deal == 1.0
    accepted = space.utilities[:, 1] >= _no_deal_target(s)
    assert space.utilities[row, 0] == pytest.approx(space.utilities[accepted, 0].max())


def _no_deal_target(s):
    """Zimbabwe's value of no deal in goldenbridge's model: the better of its war value
    (the reservation value) and the status quo (each issue's first option)."""
    space = outcome_space(s)
    first = next(r for r in range(space.n_outcomes) if not space.options[r].any())
    return max(s.actor("Zimbabwe").war_value.mean(), space.utilities[first, 1])
