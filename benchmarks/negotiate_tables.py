"""Recompute the russia-2021 talks figures of docs/dynamics.md and docs/update.md.

Run ``PYTHONPATH=src python benchmarks/negotiate_tables.py [--samples N]
[--update-samples M] [--json] [--save FILE]`` from the repository root. Every figure comes from the
library (``gb.negotiate``, ``gb.update``, ``mechanisms.without``); nothing is copied from
the docs. Three parts, printed as the docs quote them (markdown) or, with ``--json``, as one
JSON document (shares with their standard-error bound, rounded to it):

1. ``switches`` (docs/dynamics.md, "russia-2021, each mechanism on and off"): the four
   strategies' P(war) with each mechanism of time switched off in turn
   (:func:`goldenbridge.analysis.negotiate.mechanisms.without`) and all four, on
   ``--samples`` worlds (default 20 000, seed 2022); with everything on, the allies' block
   of the best one-shot offer and their approvals of the sequence's offers round by round,
   under the continuation rule the talks use and under the one-shot rule.
2. ``informed`` (the same section, "Informed allies"): the one-shot offer and the sequence
   with ``information: informed``, same worlds.
3. ``two_rounds_left`` (docs/update.md, "The same record through the dynamic game"):
   ``gb.negotiate(posterior.population, 2)`` on the posterior of
   ``docs/examples/russia-2021-talks.yaml`` (``--update-samples`` worlds, default 100 000 as
   ``goldenbridge update`` draws).

About five minutes on two cores (each negotiate solve on 20 000 worlds takes 15-40 s, the
update and the solve on its 100 000 worlds about three minutes); ``--parts`` runs fewer.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

import goldenbridge as gb
from goldenbridge.analysis.negotiate.dynamics import Negotiation, responses
from goldenbridge.analysis.negotiate.mechanisms import MECHANISMS, without
from goldenbridge.analysis.negotiate.timegame import WAIT
from goldenbridge.analysis.stats import se_bound_scale, share_se_bound
from goldenbridge.analysis.update.posterior import DegeneracyWarning
from goldenbridge.report.documents import round_numbers

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = "russia-2021"
SEED = 2022
TALKS_RECORD = ROOT / "docs" / "examples" / "russia-2021-talks.yaml"
PARTS = ("switches", "informed", "two_rounds_left")
#: The table's columns: the comparison rows of ``negotiate``, in its order.
COLUMNS = ("reject now", "empty talks", "best one-shot", "best sequence")


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _share(p: float, scale: float) -> dict[str, float]:
    return {"p": float(p), "p_se": share_se_bound(float(p), scale)}


def strategies(result: Negotiation) -> dict[str, dict[str, Any]]:
    """The four comparison rows: P(deal), P(war) (each with its SE bound), proposer EU."""
    out = {}
    for column, row in zip(COLUMNS, result.compare, strict=True):
        out[column] = {
            "name": row.name,
            "position": row.position,
            "p_deal": float(row.p_deal),
            "p_deal_se": share_se_bound(float(row.p_deal), result.se_scale),
            "p_war": float(row.p_war),
            "p_war_se": share_se_bound(float(row.p_war), result.se_scale),
            "proposer_eu": float(row.proposer_eu),
        }
    return out


def sequence(result: Negotiation) -> list[dict[str, Any]]:
    """The equilibrium offers: position (the likeliest), issue values, P(deal by t),
    P(war by t), and the offers made where the proposer mixes."""
    return [
        {
            "round": r.round,
            "position": r.position,
            "values": dict(r.values),
            "p_deal_by": float(r.p_deal_by),
            "p_war_by": float(r.p_war_by),
            "mix": [{"position": m.position, "share": m.share} for m in r.mix],
        }
        for r in result.sequence
    ]


def approvals(result: Negotiation, population: gb.Population) -> dict[str, Any]:
    """Where every veto approves, as shares of the worlds' weight.

    ``one_shot_block``: the worlds in which some veto blocks the best one-shot offer (the
    rule ``evaluate`` uses). ``rounds``: for each round of the equilibrium path, the
    worlds still talking at its start (every earlier round's action ``wait``;
    ``on_path`` is their share of all worlds), and among them the share in which every
    veto approves that round's offer under the continuation rule the talks were solved
    with (``continuation``) and under the one-shot rule (``one_shot``).
    """
    w = population.worlds.weights
    total = float(w.sum())
    once = result.built.one_shot
    best = int(np.argmax(once.proposer_eu))  # as negotiate picks the best one-shot offer
    blocked = float(w @ ~once.approve[:, best]) / total
    played = responses(result)
    eq, game = result.equilibrium, result.built.game
    # each round's offer is read in the path's state (its own row where it has one)
    rows = game.rows(eq.rounds, np.argsort(eq.rank), eq.offer.shape[2])
    talking = np.ones(population.n, dtype=bool)
    rounds = []
    c = lv = 0
    for t, j in enumerate(played.offers):
        row = int(rows[t, c, lv])
        c, lv = int(eq.cutoff[t, c, lv, j]), min(lv + int(eq.inc[j]), eq.offer.shape[2] - 1)
        mass = float(w @ talking)
        scale = float(np.sqrt(w[talking].max() / mass)) if mass > 0 else 0.0
        ok = result.approve.approve[row][:, j]
        cont = float(w @ (talking & ok)) / mass if mass else float("nan")
        single = float(w @ (talking & once.approve[:, j])) / mass if mass else float("nan")
        rounds.append(
            {
                "round": t + 1,
                "on_path": float(mass / total),
                "continuation": cont,
                "continuation_se": share_se_bound(cont, scale),
                "one_shot": single,
                "one_shot_se": share_se_bound(single, scale),
            }
        )
        talking &= played.action[t] == WAIT
    return {
        "one_shot_block": blocked,
        "one_shot_block_se": share_se_bound(blocked, se_bound_scale(w)),
        "rounds": rounds,
    }


def _equilibrium(result: Negotiation) -> dict[str, Any]:
    return {
        "misjudged": float(result.misjudged),
        "belief_gap": float(result.belief_gap),
        "skimming_regret": float(result.skimming_regret),
        "proposer_regret": float(result.proposer_regret),
        "mixing_steps": result.mixing_steps,
        "mixing_converged": result.mixing_converged,
        "approvals_mixed_gap": float(result.approvals_mixed_gap),
        "approvals_mixed_iterations": result.approvals_mixed_iterations,
        "approvals_p_war_low": float(result.approvals_p_war_low),
        "approvals_p_war_high": float(result.approvals_p_war_high),
        "consistent": bool(result.consistent),
        "approval_iterations": result.approval_iterations,
        "approvals_converged": result.approvals_converged,
        "order_iterations": result.order_iterations,
        "order_converged": result.order_converged,
    }


def switches(samples: int) -> dict[str, Any]:
    """Part 1: each mechanism switched off in turn, and all four."""
    scenario = gb.load(SCENARIO)
    rows: dict[str, Any] = {}
    for off in ("nothing", *MECHANISMS, "all four"):
        _log(f"switches: {off} off ({samples:,} worlds)")
        changed = (
            scenario
            if off == "nothing"
            else without(scenario)
            if off == "all four"
            else without(scenario, off)
        )
        population = gb.population(changed, samples, SEED)
        result = gb.negotiate(population, decompose=False)
        rows[off] = {"strategies": strategies(result), "sequence": sequence(result)}
        if off == "nothing":
            rows[off]["approvals"] = approvals(result, population)
            rows[off]["equilibrium"] = _equilibrium(result)
    return {"samples": samples, "seed": SEED, "rows": rows}


def informed(samples: int) -> dict[str, Any]:
    """Part 2: every ally informed (``information: informed``), its optimum's direction."""
    _log(f"informed: information informed ({samples:,} worlds)")
    scenario = gb.load(SCENARIO).model_copy(update={"information": "informed"})
    result = gb.negotiate(gb.population(scenario, samples, SEED), decompose=False)
    return {
        "samples": samples,
        "seed": SEED,
        "path_to": dict(result.path_to),
        "strategies": strategies(result),
        "sequence": sequence(result),
    }


def two_rounds_left(samples: int) -> dict[str, Any]:
    """Part 3: the two rounds left, on the posterior of the talks record."""
    _log(f"two rounds left: update on {TALKS_RECORD.name} ({samples:,} worlds)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegeneracyWarning)  # as `goldenbridge update` does
        post = gb.update(gb.population(SCENARIO, samples, SEED), str(TALKS_RECORD))
    for note in post.warnings:
        _log(f"warning: {note}")
    _log("two rounds left: gb.negotiate(posterior.population, 2)")
    result = gb.negotiate(post.population, 2, decompose=False)
    return {
        "samples": samples,
        "seed": SEED,
        "ess": float(post.ess),
        "strategies": strategies(result),
        "sequence": sequence(result),
        "proposer_eu": float(result.proposer_eu),
        "approvals": approvals(result, post.population),
        "equilibrium": _equilibrium(result),
    }


def _pct(p: float) -> str:
    return f"{100 * p:.1f}%"


def _offer(values: dict[str, Any]) -> str:
    return ", ".join(
        f"{k} {v:.0f}" if isinstance(v, float) else f"{k} {v}" for k, v in values.items()
    )


def _positions(seq: list[dict[str, Any]]) -> str:
    """``0.44, 0.48 (76%) or 0.57 (18%), ...``: each round's offer, or its mixture's
    offers made to at least 5% of the weight still talking."""
    out = []
    for r in seq:
        big = [m for m in r["mix"] if m["share"] >= 0.05]
        if len(big) > 1:
            out.append(" or ".join(f"{m['position']:.2f} ({m['share']:.0%})" for m in big))
        else:
            out.append(f"{r['position']:.2f}")
    return ", ".join(out)


def _regrets(eq: dict[str, Any]) -> str:
    return (
        f"skimming regret {eq['skimming_regret']:.2g}, after fictitious play "
        f"{eq['proposer_regret']:.2g} ({eq['mixing_steps']} steps, converged: "
        f"{eq['mixing_converged']}); the skimming belief misjudged "
        f"{100 * eq['misjudged']:.0f}% of the weight, belief gap {eq['belief_gap']:.3f}; "
        f"the allies approve as they would reply to the mixed offers up to "
        f"{eq['approvals_mixed_gap']:.1%} of worlds (the closest of "
        f"{eq['approvals_mixed_iterations'] + 1} solves; P(war) over them "
        f"{eq['approvals_p_war_low']:.1%} .. {eq['approvals_p_war_high']:.1%})"
    )


def markdown(doc: dict[str, Any]) -> str:
    """The figures as the docs quote them."""
    out: list[str] = []
    if "switches" in doc:
        part = doc["switches"]
        out += [
            f"## docs/dynamics.md: each mechanism switched off ({part['samples']:,} worlds, "
            f"seed {part['seed']})",
            "",
            "| switched off  | reject now | empty talks | best one-shot | best sequence |",
            "|---------------|-----------:|------------:|--------------:|--------------:|",
        ]
        for off, row in part["rows"].items():
            cells = [f"{_pct(row['strategies'][c]['p_war']):>{len(c)}}" for c in COLUMNS]
            out.append(f"| {off:<13} | " + " | ".join(cells) + " |")
        base = part["rows"]["nothing"]
        seq = base["sequence"]
        best = base["strategies"]["best sequence"]
        once = base["strategies"]["best one-shot"]
        out += [
            "",
            "Nothing switched off: the sequence offers s = "
            + _positions(seq)
            + " (P(deal by round t) "
            + ", ".join(_pct(r["p_deal_by"]) for r in seq)
            + f"); P(deal) {_pct(best['p_deal'])}, P(war) {_pct(best['p_war'])}, "
            f"US EU {best['proposer_eu']:.4f}; the best one-shot offer (s = "
            f"{once['position']:.2f}) P(deal) {_pct(once['p_deal'])}, P(war) "
            f"{_pct(once['p_war'])}, US EU {once['proposer_eu']:.4f}.",
        ]
        eq = base["equilibrium"]
        out.append(
            f"Equilibrium: {_regrets(eq)}; approvals a fixed point after "
            f"{eq['approval_iterations']} solves (converged: {eq['approvals_converged']})."
        )
        ap = base["approvals"]
        rounds = ap["rounds"]
        out.append(
            f"The allies block the best one-shot offer in {_pct(ap['one_shot_block'])} of "
            "worlds. Of the worlds still talking in each round (share of all worlds "
            + ", ".join(_pct(r["on_path"]) for r in rounds)
            + "), the allies approve that round's offer by the continuation rule in "
            + ", ".join(f"{100 * r['continuation']:.2f}%" for r in rounds)
            + "; by the one-shot rule they would approve "
            + ", ".join(f"{100 * r['one_shot']:.0f}%" for r in rounds)
            + "."
        )
    if "informed" in doc:
        part = doc["informed"]
        st = part["strategies"]
        out += [
            "",
            f"## docs/dynamics.md: informed allies ({part['samples']:,} worlds, seed "
            f"{part['seed']})",
            "",
            f"Path to {_offer(part['path_to'])}: the one-shot offer "
            f"{_pct(st['best one-shot']['p_war'])}, the sequence "
            f"{_pct(st['best sequence']['p_war'])} (P(deal) "
            f"{_pct(st['best sequence']['p_deal'])}; reject now "
            f"{_pct(st['reject now']['p_war'])}, empty talks {_pct(st['empty talks']['p_war'])}).",
        ]
    if "two_rounds_left" in doc:
        part = doc["two_rounds_left"]
        st = part["strategies"]
        seq = part["sequence"]
        eq = part["equilibrium"]
        rounds = part["approvals"]["rounds"]
        out += [
            "",
            f"## docs/update.md: two rounds left (posterior of {TALKS_RECORD.name}, "
            f"{part['samples']:,} worlds, seed {part['seed']}, ESS {part['ess']:,.0f})",
            "",
            "`gb.negotiate(posterior.population, 2)` offers "
            + "; then ".join(f"{_offer(r['values'])} (s = {r['position']:.2f})" for r in seq)
            + f" (s by round: {_positions(seq)})"
            + f": P(deal by round 2) {_pct(seq[-1]['p_deal_by'])}, P(war by then) "
            f"{_pct(seq[-1]['p_war_by'])}, proposer EU {part['proposer_eu']:.3f}; the best "
            f"one-shot offer (s = {st['best one-shot']['position']:.2f}) "
            f"{_pct(st['best one-shot']['p_deal'])} and {_pct(st['best one-shot']['p_war'])}, "
            f"EU {st['best one-shot']['proposer_eu']:.3f}. Refusing at once: war in "
            f"{_pct(st['reject now']['p_war'])} of worlds; {st['empty talks']['name']}: "
            f"{_pct(st['empty talks']['p_war'])}.",
            "Allies' approval of each round's offer among the worlds still talking: "
            + ", ".join(f"{100 * r['continuation']:.2f}%" for r in rounds)
            + " (one-shot rule: "
            + ", ".join(f"{100 * r['one_shot']:.0f}%" for r in rounds)
            + f"). Equilibrium: {_regrets(eq)}.",
        ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20_000, help="worlds, parts 1 and 2")
    parser.add_argument("--update-samples", type=int, default=100_000, help="worlds, part 3")
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS))
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout")
    parser.add_argument("--save", type=Path, help="also write the JSON document to this file")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    doc: dict[str, Any] = {"scenario": SCENARIO, "version": gb.__version__}
    if "switches" in args.parts:
        doc["switches"] = switches(args.samples)
    if "informed" in args.parts:
        doc["informed"] = informed(args.samples)
    if "two_rounds_left" in args.parts:
        doc["two_rounds_left"] = two_rounds_left(args.update_samples)
    _log(f"done in {time.perf_counter() - start:.0f} s")
    text = json.dumps(round_numbers(doc), indent=2, allow_nan=False)
    if args.save is not None:
        args.save.write_text(text + "\n", encoding="utf-8")
    if args.json:
        print(text)
    else:
        print(markdown(doc))


if __name__ == "__main__":
    main()
