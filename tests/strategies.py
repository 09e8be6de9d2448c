"""Hypothesis strategies shared by every test module (one home, as in Axelrod).

Scenarios: ``scenarios()`` and ``bargaining_scenario()``. Engine inputs:
``worlds_and_offers()`` draws a :class:`Worlds` and matching :class:`Offers`
(1-3 actors, 0-3 continuous and 0-2 discrete issues, 1-3 type strata, weights,
fight flags, loss exponents all quadratic or mixed; values on a coarse grid half
of the time so that exact ties ``u_i == r_i``, which accept, occur often);
``random_worlds`` / ``random_offers`` build larger inputs from a numpy ``rng``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from goldenbridge.engine.arrays import ActorArrays, Offers, Worlds

__all__ = [
    "scenarios",
    "bargaining_scenario",
    "worlds_and_offers",
    "random_worlds",
    "random_offers",
    "observation_lists",
    "fearon_scenario",
    "mutated_scenarios",
    "builtin_documents",
    "nasty_values",
    "nasty_numbers",
    "nasty_text",
]

finite = st.floats(allow_nan=False, allow_infinity=False)


@st.composite
def scenarios(draw: st.DrawFn, max_issues: int = 3, vetoes: bool = True) -> dict[str, Any]:
    """A random valid bargaining scenario (as a mapping) with continuous issues.

    Scales, positions (fixed or uniform), saliences, loss exponents, war chances
    and costs vary; the target's position is fixed so that monotonicity holds.
    """
    k = draw(st.integers(1, max_issues))
    issues = []
    for i in range(k):
        lo = draw(st.floats(-100, 100))
        width = draw(st.floats(1, 200))
        issues.append({"name": f"i{i}", "min": lo, "max": lo + width})

    def point(issue: dict[str, float]) -> float:
        t = draw(st.floats(0, 1))
        return issue["min"] + t * (issue["max"] - issue["min"])

    def position(fixed: bool) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for issue in issues:
            if fixed or draw(st.booleans()):
                out[issue["name"]] = point(issue)
            else:
                a, b = sorted((point(issue), point(issue)))
                out[issue["name"]] = {"uniform": [a, b]}
        return out

    def salience() -> dict[str, float]:
        return {issue["name"]: draw(st.floats(0.05, 1)) for issue in issues}

    actors: list[dict[str, Any]] = [
        {"name": "P", "role": "proposer", "position": position(False), "salience": salience()},
        {
            "name": "T",
            "role": "target",
            "position": position(True),
            "salience": salience(),
            "rho": draw(st.sampled_from([1.0, 2.0, 1.5])),
        },
    ]
    if vetoes and draw(st.booleans()):
        actors.append({"name": "V", "role": "veto", "position": position(False)})
    hi = draw(st.floats(0, 0.5))
    scenario = {
        "name": "generated",
        "samples": 2000,
        "seed": draw(st.integers(0, 2**16)),
        "issues": issues,
        "actors": actors,
        "conflict": {
            "p_win": {"uniform": sorted([draw(st.floats(0, 1)), draw(st.floats(0, 1))])},
            "cost": {"P": draw(st.floats(0, 0.3)), "T": {"uniform": [0, hi]}},
        },
    }
    return scenario


def bargaining_scenario() -> dict[str, Any]:
    """A small valid scenario with every feature, for mutation in bad-input tests."""
    return {
        "name": "base",
        "samples": 500,
        "seed": 1,
        "issues": [
            {"name": "nato", "min": 0, "max": 100, "labels": {0: "open door", 100: "halt"}},
            {"name": "missiles", "min": 0, "max": 100},
            {"name": "basing", "options": ["none", "rotational", "permanent"]},
        ],
        "actors": [
            {
                "name": "US",
                "role": "proposer",
                "position": {"nato": 0, "missiles": {"uniform": [0, 20]}},
                "values": {"basing": {"none": 0.2, "rotational": 0.6, "permanent": 1}},
            },
            {
                "name": "Russia",
                "role": "target",
                "position": {"nato": 100, "missiles": 100},
                "values": {"basing": {"none": 1, "rotational": 0.4, "permanent": 0}},
                "types": {
                    "security": {"prior": 0.6, "salience": {"nato": 0.5, "missiles": 0.5}},
                    "revisionist": {"prior": 0.4, "war_value": {"uniform": [0.3, 0.9]}},
                },
            },
            {"name": "Poland", "role": "veto", "position": {"nato": 0, "missiles": 10}},
        ],
        "conflict": {
            "p_win": {"beta": [2, 3]},
            "cost": {"US": 0.05, "Russia": {"triangular": [0, 0.1, 0.3]}},
        },
        "threats": [
            {
                "name": "sanctions",
                "by": "US",
                "against": "Russia",
                "credibility": {"uniform": [0.6, 0.9]},
                "effect": {"cost": 0.1},
                "cost_to_threatener": 0.02,
            }
        ],
        "offers": {"reject": {}, "bridge": {"nato": 50, "missiles": 60, "basing": "none"}},
    }


@st.composite
def observation_lists(draw: st.DrawFn, scenario: dict[str, Any]) -> list[dict[str, Any]]:
    """Random observations of a scenario from :func:`scenarios`: responses of the
    target (or a veto) to random offers, signals by war preference, quiet periods."""
    issues = scenario["issues"]
    actors = [a["name"] for a in scenario["actors"] if a["role"] != "proposer"]
    items: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["rejected", "accepted", "signal", "no_attack"]))
        if kind in ("rejected", "accepted"):
            values = {
                i["name"]: i["min"] + draw(st.floats(0, 1)) * (i["max"] - i["min"]) for i in issues
            }
            item: dict[str, Any] = {
                "kind": kind,
                "values": values,
                "by": draw(st.sampled_from(actors)),
            }
            if kind == "rejected":
                item["attack"] = draw(st.sampled_from([None, True, False]))
        elif kind == "signal":
            item = {
                "kind": kind,
                "name": "mobilisation",
                "if_war": draw(st.floats(0.01, 1)),
                "if_peace": draw(st.floats(0.01, 1)),
            }
        else:
            item = {
                "kind": kind,
                "rounds": draw(st.integers(1, 20)),
                "hazard": draw(st.floats(0, 0.9)),
            }
        items.append(item)
    return items


def random_worlds(
    rng: np.random.Generator,
    n: int,
    n_actors: int = 2,
    kc: int = 2,
    kd: int = 1,
    n_options: int = 3,
    n_groups: int = 2,
    rho: str = "quadratic",
    grid: bool = False,
    unit_weights: bool = False,
) -> Worlds:
    """Random worlds; ``rho`` is ``"quadratic"`` or ``"mixed"`` (1, 2, 0.5, 1.5, 3).

    Actor 0 proposes; the others decide (actor 0 decides alone when it is alone).
    With ``grid`` every continuous value is a multiple of 1/4, so ties are common.
    """

    def uniform(shape):
        u = rng.random(shape)
        return np.round(u * 4) / 4 if grid else u

    actors = []
    for _ in range(n_actors):
        sal = rng.dirichlet(np.ones(kc + kd), n) if kc + kd else np.zeros((n, 0))
        table = rng.random((n, kd, n_options)) * sal[:, kc:, None]
        if grid:
            table = np.round(table * 8) / 8
        if rho == "quadratic":
            r = np.full(n, 2.0)
        else:
            r = rng.choice([1.0, 2.0, 0.5, 1.5, 3.0], n)
        actors.append(
            ActorArrays(
                weight=np.ascontiguousarray(sal[:, :kc]),
                ideal=uniform((n, kc)),
                rho=r,
                table=table,
                reservation=uniform(n),
            )
        )
    deciders = tuple(range(1, n_actors)) if n_actors > 1 else (0,)
    weights = np.ones(n) if unit_weights else rng.uniform(0.1, 2.0, n)
    return Worlds(
        actors=tuple(actors),
        proposer=0,
        deciders=deciders,
        fight=rng.random(n) < 0.5,
        weights=weights,
        group=rng.integers(0, n_groups, n),
        n_groups=n_groups,
    )


def random_offers(
    rng: np.random.Generator, m: int, kc: int, kd: int, n_options: int, grid: bool = False
) -> Offers:
    """Random offers over ``kc`` continuous and ``kd`` discrete issues."""
    x = rng.random((m, kc))
    if grid:
        x = np.round(x * 4) / 4
    return Offers(x=x, option=rng.integers(0, n_options, (m, kd)))


@st.composite
def worlds_and_offers(
    draw,
    max_n: int = 60,
    max_m: int = 40,
    rho: str | None = None,
    kcs: tuple[int, ...] | None = None,
):
    """A (Worlds, Offers) pair of matching shapes; ``kcs``: the numbers of continuous issues
    to draw from (default 0..3)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kc = draw(st.integers(0, 3) if kcs is None else st.sampled_from(kcs))
    kd = draw(st.integers(0, 2))
    n_options = draw(st.integers(1, 4))
    grid = draw(st.booleans())
    worlds = random_worlds(
        rng,
        n=draw(st.integers(1, max_n)),
        n_actors=draw(st.integers(1, 3)),
        kc=kc,
        kd=kd,
        n_options=n_options,
        n_groups=draw(st.integers(1, 3)),
        rho=rho or draw(st.sampled_from(["quadratic", "mixed"])),
        grid=grid,
        unit_weights=draw(st.booleans()),
    )
    offers = random_offers(rng, draw(st.integers(1, max_m)), kc, kd, n_options, grid)
    return worlds, offers


def fearon_scenario(
    p_win: float, lo: float, hi: float, c_a: float, samples: int = 20_000
) -> dict[str, Any]:
    """Fearon's one-issue crisis (fearon-1d) with B's cost of war ~ U[lo, hi].

    The scale is A's share (A's ideal 1, B's 0, linear utilities); ``p_win`` is B's
    chance of winning, so Fearon's and Powell's ``p`` (A's chance) is ``1 - p_win``.
    """
    return {
        "name": "fearon",
        "samples": samples,
        "seed": 7,
        "issues": [{"name": "share", "min": 0, "max": 1, "status_quo": 1}],
        "conflict": {
            "p_win": p_win,
            "win": {"share": 0},
            "lose": {"share": 1},
            "cost": {"A": c_a, "B": {"uniform": [lo, hi]} if hi > lo else lo},
        },
        "actors": [
            {"name": "A", "role": "proposer", "position": {"share": 1}, "rho": 1},
            {"name": "B", "role": "target", "position": {"share": 0}, "rho": 1},
        ],
    }


# --- Mutations of the shipped scenarios (issue 16: the fuzz test of loader + evaluate) ---

#: Values an attacker or a careless edit puts where the schema expects something else.
nasty_numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [
            5e-324,
            1e308,
            -1e308,
            1e300,
            -1e154,
            1e154,
            1e15,
            -1e15,
            0.0,
            -0.0,
            1e-300,
            40.0,
            2**63,
            -(2**63),
        ]
    ),
    st.integers(-(2**70), 2**70),
)
nasty_text = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            " ",
            "a\nerror: forged",
            "\x1b[2J",
            "nato",
            "Russia",
            "none",
            "\u202e",
            "x" * 300,
            "true",
            "1e12",
            ":emoji:",
            "[bold]x",
        ]
    ),
)
nasty_leaves = st.one_of(nasty_numbers, nasty_text, st.booleans(), st.none())
nasty_values = st.recursive(
    nasty_leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(
                nasty_text,
                st.sampled_from(
                    [
                        "uniform",
                        "beta",
                        "normal",
                        "scale",
                        "value",
                        "choice",
                        "p",
                        "clip",
                        "salience",
                        "position",
                        "types",
                        "prior",
                        "cost",
                        "p_win",
                    ]
                ),
            ),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=8,
)


def builtin_documents() -> dict[str, Any]:
    """The shipped scenarios as plain data (what their YAML holds)."""
    from importlib import resources

    from goldenbridge.scenario import builtin_names
    from goldenbridge.scenario.reading import parse_text

    folder = resources.files("goldenbridge.scenario.builtin")
    return {
        name: parse_text(folder.joinpath(f"{name}.yaml").read_text(encoding="utf-8"), name)
        for name in builtin_names()
    }


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside nested mappings and lists."""
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.extend(_paths(value, (*prefix, i)))
    return out


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@st.composite
def mutated_scenarios(draw: st.DrawFn, mutations: int = 3) -> dict[str, Any]:
    """A shipped scenario with 1..``mutations`` random edits: a value replaced by a
    nasty one, a key removed, a numeric leaf scaled to an extreme, a list entry
    duplicated, or a field added under a misspelt or unexpected name."""
    import copy

    documents = builtin_documents()
    data = copy.deepcopy(documents[draw(st.sampled_from(sorted(documents)))])
    for _ in range(draw(st.integers(1, mutations))):
        paths = _paths(data)
        numeric = [p for p in paths if _is_number(_get(data, p))]
        # most edits change a number (the fields that validate, then overflow or go NaN)
        if numeric and draw(st.integers(0, 9)) < 6:
            path = draw(st.sampled_from(numeric))
            parent, last = _get(data, path[:-1]), path[-1]
            if draw(st.booleans()):
                factor = draw(st.sampled_from([1e300, -1e300, 1e-300, 1e12, 1e6, -1, 0, 2]))
                parent[last] = parent[last] * factor
            else:
                parent[last] = draw(nasty_numbers)
            continue
        path = draw(st.sampled_from(paths))
        parent, last = _get(data, path[:-1]), path[-1]
        action = draw(st.sampled_from(["replace", "remove", "duplicate", "add"]))
        if action == "replace":
            parent[last] = draw(nasty_values)
        elif action == "remove":
            del parent[last]
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[last]))
        elif isinstance(parent, dict):
            parent[draw(nasty_text)] = draw(nasty_values)
    return data
