"""The brief as one self-contained HTML file (presentation only: no model logic).

Everything is inline: the style sheet, the figures (SVG), the scenario text. Every
number shown from a result carries ``data-key`` (its path in the JSON of
``goldenbridge report --json``) and ``data-value`` (the number as stored), so a
reader or a test can trace each one back.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from importlib import resources
from typing import Any

from goldenbridge.report.brief import Brief
from goldenbridge.report.documents import json_safe, round_numbers
from goldenbridge.report.narrative import answer, pct, possessive
from goldenbridge.scenario import Scenario

__all__ = ["SECTIONS", "render"]

#: The sections of the brief, by element id, in order.
SECTIONS = (
    ("question", "The question"),
    ("scenario", "The scenario in plain words"),
    ("packages", "The named packages"),
    ("optimum", "Risk-return optimum and golden bridge"),
    ("figures", "Frontier and bargaining range"),
    ("decides", "Which assumption decides"),
    ("types", "By type"),
    ("methods", "Method notes"),
    ("reproduce", "Reproduce"),
)


def _note(note: str | None) -> str:
    """A switch's reason for not changing the answer, under its name."""
    return f"<br><small>{_e(note)}</small>" if note else ""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


# The brief's JSON document while rendering: every number shown is read from it.
_document: ContextVar[dict[str, Any]] = ContextVar("_document")


def _lookup(key: str | None) -> Any:
    """The value at ``key`` (``evaluate.offers[name].p_deal``, ``x[0]``), or None."""
    if key is None:
        return None
    node: Any = _document.get()
    for part in re.findall(r"[^.\[\]]+|\[[^\]]*\]", key):
        if part.startswith("["):
            inner = part[1:-1]
            if inner.isdigit() and isinstance(node, list) and int(inner) < len(node):
                node = node[int(inner)]
            elif isinstance(node, list):
                node = next(
                    (x for x in node if isinstance(x, dict) and x.get("name") == inner), None
                )
            else:
                return None
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            return None
    return node


def _first(*keys: str) -> str:
    """The first key present in the document (fields renamed as the model grows)."""
    return next((k for k in keys if _lookup(k) is not None), keys[0])


Format = Callable[[float, float | None], str]


def _n(key: str, text: Format | None = None, se: str | None = None, tag: str = "td") -> str:
    """A cell showing the number at ``key`` of the brief's JSON, traced by data attributes."""
    value = _lookup(key)
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        return f"<{tag}>–</{tag}>"
    error = _lookup(se)
    shown = text(value, error) if text is not None else f"{value:.4f}"
    return f'<{tag} class="num" data-key="{_e(key)}" data-value="{value!r}">{_e(shown)}</{tag}>'


def _p(key: str, se: str | None = None, tag: str = "td") -> str:
    """A probability cell: ``45.7% ± 0.1`` (one standard error when the JSON has it)."""
    return _n(key, lambda p, e: pct(p, e if isinstance(e, float) else None), se, tag)


def _table(head: Iterable[str], rows: Iterable[str], caption: str = "") -> str:
    """A table in a box that scrolls sideways when the table is wider than the screen (a
    phone), rather than widening the page; the box can be focused and scrolled by keyboard
    and is named by the caption."""
    cap = f"<caption>{_e(caption)}</caption>" if caption else ""
    th = "".join(f"<th>{_e(h)}</th>" for h in head)
    table = f"<table>{cap}<thead><tr>{th}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    return _scrolls(table, caption)


def _scrolls(table: str, label: str = "") -> str:
    """``table`` in its sideways-scrolling box (see :func:`_table`)."""
    name = f' aria-label="{_e(label)}"' if label else ""
    return f'<div class="table-scroll" role="region" tabindex="0"{name}>{table}</div>'


def _values(values: Mapping[str, Any], scenario: Scenario) -> str:
    """A package in short words (HTML): the issues moved off the status quo; each
    value's nearest labelled point on the scale shows on hover."""
    sq = scenario.complete({})
    parts = []
    for issue in scenario.issues:
        v = values.get(issue.name, sq[issue.name])
        if v == sq[issue.name]:
            continue
        if isinstance(v, str):
            parts.append(f"{_e(issue.name)} {_e(v)}")
            continue
        near = _nearest_label(issue, float(v))
        title = f' title="{_e(near)}"' if near else ""
        parts.append(f"<span{title}>{_e(issue.name)} {float(v):.3g}</span>")
    return " · ".join(parts) or "status quo (nothing offered)"


def _nearest_label(issue: Any, v: float) -> str:
    if not issue.labels:
        return ""
    point = min(issue.labels, key=lambda k: abs(float(k) - v))
    width = issue.max - issue.min
    if abs(float(point) - v) > 0.05 * width:
        return ""
    return str(issue.labels[point])


def _quantity(q: Any) -> str:
    if q.value is not None:
        return f"{q.value:g}"
    if q.uniform is not None:
        return f"uniform {q.uniform[0]:g} – {q.uniform[1]:g}"
    if q.normal is not None:
        clip = f", clipped to {q.clip[0]:g} – {q.clip[1]:g}" if q.clip else ""
        return f"normal mean {q.normal[0]:g}, sd {q.normal[1]:g}{clip}"
    if q.triangular is not None:
        lo, mode, hi = q.triangular
        return f"triangular {lo:g} – {hi:g}, mode {mode:g}"
    if q.beta is not None:
        lo, hi = q.scale or (0, 1)
        return f"beta({q.beta[0]:g}, {q.beta[1]:g}) on {lo:g} – {hi:g}"
    if q.choice is not None:
        ps = q.p or [1 / len(q.choice)] * len(q.choice)
        return "one of " + ", ".join(f"{c:g} ({p:.0%})" for c, p in zip(q.choice, ps, strict=True))
    return "?"


def _span(q: Any) -> str:
    lo, hi = q.support()
    return f"{lo:g}" if lo == hi else f"{lo:g} – {hi:g}"


def _quantities(node: Any, path: str = "") -> Iterable[tuple[str, Any]]:
    """Every number of a scenario that has a distribution or a source, with its path."""
    from pydantic import BaseModel

    from goldenbridge.scenario import Quantity

    if isinstance(node, Quantity):
        if node.value is None or node.source or node.basis:
            yield path, node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _quantities(getattr(node, name), f"{path}.{name}" if path else name)
    elif isinstance(node, Mapping):
        for key, value in node.items():
            yield from _quantities(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list | tuple):
        for i, value in enumerate(node):
            label = getattr(value, "name", None) or str(i)
            yield from _quantities(value, f"{path}.{label}" if path else label)


def _scenario_section(s: Scenario) -> str:
    rows = []
    for a in s.actors:
        position = ", ".join(f"{k} {_quantity(v)}" for k, v in a.position.items()) or "–"
        types = (
            ", ".join(f"{t} (prior {_quantity(d.prior)})" for t, d in a.types.items())
            if a.types
            else "–"
        )
        rows.append(
            f"<tr><td>{_e(a.name)}</td><td>{_e(a.role)}</td><td>{_e(position)}</td>"
            f"<td>{_e(types)}</td><td>{_e(a.description or '')}</td></tr>"
        )
    actors = _table(("actor", "role", "ideal point", "types", "description"), rows, "Actors")
    rows = []
    for i in s.issues:
        if i.options:
            scale = "options: " + ", ".join(i.options)
        else:
            scale = f"{i.min:g} – {i.max:g}"
        labels = "".join(f"<li><b>{k:g}</b>: {_e(v)}</li>" for k, v in sorted(i.labels.items()))
        rows.append(
            f"<tr><td>{_e(i.name)}</td><td>{_e(i.label or '')}</td><td>{_e(scale)}</td>"
            f"<td>{_e(s.complete({})[i.name])}</td><td><ul>{labels}</ul></td></tr>"
        )
    issues = _table(("issue", "what it is", "scale", "status quo", "points on the scale"), rows)
    rows = [
        f"<tr><td><code>{_e(path)}</code></td><td>{_e(_quantity(q))}</td>"
        f"<td>{_span(q)}</td><td class='basis-{_e(q.basis or 'none')}'>"
        f"{_e(q.basis or 'not stated')}</td><td>{_e(q.source or '')}</td></tr>"
        for path, q in _quantities(s)
    ]
    assumptions = _table(("quantity", "assumption", "range", "basis", "source"), rows)
    sources = ""
    if s.sources:
        items = s.sources.items() if isinstance(s.sources, dict) else enumerate(s.sources, 1)
        sources = (
            "<h3>Sources</h3><ul>"
            + "".join(f"<li><b>{_e(k)}</b>: {_e(v)}</li>" for k, v in items)
            + "</ul>"
        )
    threats = ""
    if s.threats:
        threats = "<h3>Threats</h3>" + _table(
            ("threat", "by", "against", "credibility", "description"),
            (
                f"<tr><td>{_e(t.name)}</td><td>{_e(t.by)}</td><td>{_e(t.against)}</td>"
                f"<td>{_e(_quantity(t.credibility))}</td><td>{_e(t.description or '')}</td></tr>"
                for t in s.threats
            ),
        )
    return (
        f"{actors}<h3>Issues and their scales</h3>{issues}{threats}"
        "<h3>Assumptions, their ranges and their basis</h3>"
        "<p>Every uncertain number is drawn from the distribution shown in each sampled "
        "world; <em>fact</em> marks a number read from a source, <em>judgement</em> an "
        f"analyst's estimate.</p>{assumptions}{sources}"
    )


def _actor_odds(odds: Any) -> tuple[float, float | None]:
    """The target's P(accept) or an ally's P(approve) (the same field), with its SE."""
    return odds.p_accept, odds.p_accept_se


def _packages_section(b: Brief) -> str:
    ev = b.evaluation
    names = list(ev.offers[0].actors) if ev.offers else []
    roles = {a.name: a.role for a in b.scenario.actors}
    head = ["package", "what is offered", "P(deal)", "P(deterred)", "P(war)"]
    head += [f"P({n} {'accepts' if roles[n] == 'target' else 'approves'})" for n in names]
    head += [f"{possessive(ev.proposer)} EU"]
    rows = []
    for o in ev.offers:
        k = f"evaluate.offers[{o.name}]"
        cells = [
            f"<td>{_e(o.name)}</td><td>{_values(o.values, b.scenario)}</td>",
            _p(f"{k}.p_deal", f"{k}.p_deal_se"),
            _p(f"{k}.p_deterred", f"{k}.p_deterred_se"),
            _p(f"{k}.p_war", f"{k}.p_war_se"),
        ]
        for n in names:
            a = f"{k}.actors.{n}"
            cells.append(
                _p(
                    _first(f"{a}.p_approve", f"{a}.p_accept"),
                    _first(f"{a}.p_approve_se", f"{a}.p_accept_se"),
                )
            )
        cells.append(
            _n(f"{k}.proposer_eu", lambda v, e: f"{v:.3f} ± {e:.3f}", f"{k}.proposer_eu_se")
        )
        rows.append("<tr>" + "".join(cells) + "</tr>")
    baseline = (
        f"<p>Without any deal {_e(ev.target)} fights in "
        f"{_p('evaluate.p_war_no_deal', tag='span')} "
        "of the sampled worlds. Values are estimates ± one Monte Carlo standard error "
        f"over {ev.samples:,} worlds (seed {ev.seed}).</p>"
    )
    figure = _figure(b, "outcomes", "Outcome of each package (95% intervals)")
    return baseline + _table(head, rows) + figure


def _optimum_section(b: Brief) -> str:
    r = b.optimum
    if r is None:
        return "<p>Not computed for this brief (<code>--sections</code>).</p>"
    s = b.scenario
    rows = []
    picks = [
        ("status quo", r.status_quo, None, "status_quo"),
        ("risk-return optimum", r.optimum, r.optimum_fresh, "optimum"),
    ]
    if r.bridge is not None:
        picks.append(
            (f"golden bridge (P(deal) ≥ {r.target_p:g})", r.bridge, r.bridge_fresh, "bridge")
        )
    picks.append(("highest P(deal) with concessions", r.max_deal, None, "max_deal"))
    for label, o, _fresh, key in picks:
        k = f"optimize.{key}"
        rows.append(
            f"<tr><td>{_e(label)}</td><td>{_values(o.values, s)}</td>"
            + _p(f"{k}.p_deal", f"{k}.p_deal_se")
            + _p(f"{k}.p_war", f"{k}.p_war_se")
            + _n(f"{k}.proposer_eu")
            + _n(f"{k}.proposer_eu_fresh")
            + "</tr>"
        )
    table = _table(
        ("", "package", "P(deal)", "P(war)", "EU", "EU, fresh worlds"),
        rows,
        f"Searched {', '.join(r.issues)} by {r.method} over {r.samples:,} worlds",
    )
    note = (
        "<p>The risk-return optimum maximises the proposer's expected utility; the golden "
        f"bridge is the package best for {_e(s.proposer.name)} among those reaching the "
        "required P(deal). Each is re-evaluated on an independent set of worlds (seed "
        f"{r.fresh_seed}): the optimiser's curse makes the search's own estimate "
        "optimistic.</p>"
    )
    if r.bridge is None:
        note += f"<p><b>No package found reaches P(deal) ≥ {r.target_p:g}.</b></p>"
    return table + note


def _figure(b: Brief, name: str, caption: str) -> str:
    svg = b.figures.get(name)
    if not svg:
        return ""
    return f'<figure id="fig-{_e(name)}">{svg}<figcaption>{_e(caption)}</figcaption></figure>'


def _figures_section(b: Brief) -> str:
    parts = [_figure(b, "frontier", "What each P(deal) costs the proposer: the frontier")]
    parts.append(_figure(b, "concession-path", "Along the concession path through the optimum"))
    ranges = "".join(
        _figure(b, name, f"Bargaining range: {name[6:].replace('-', ' × ')}")
        for name in sorted(n for n in b.figures if n.startswith("range-"))
    )
    if ranges:
        parts.append(f'<div class="figrow">{ranges}</div>')
    body = "".join(parts)
    return body or "<p>No figures (the optimisation was not run).</p>"


def _decides_section(b: Brief) -> str:
    r = b.sensitivity
    if r is None:
        return "<p>Not computed for this brief (<code>--sections</code>).</p>"
    doc = r.to_dict()
    out = [f'<p class="headline">{_e(r.headline)}</p>']
    out += [f'<p class="note">{_e(note)}</p>' for note in r.notes]
    labels = {"p_war": "P(war)", "p_deal": "P(deal)", "proposer_eu": "proposer EU"}
    shown = [
        k for k in labels if doc["robustness"] and isinstance(doc["robustness"][0].get(k), list)
    ]
    head = ["assumption", "as written", "range"]
    head += [f"{labels[k]} at {end}" for k in shown for end in ("low end", "high end")]
    rows = []
    top = 12
    for i, row in enumerate(doc["robustness"][:top]):
        k = f"sensitivity.robustness[{i}]"
        lo, hi = row["range"]
        cells = "".join(_n(f"{k}.{key}[{j}]") for key in shown for j in (0, 1))
        mark = "" if row.get("reoptimised") or not r.reoptimised else " (offer fixed)"
        rows.append(
            f"<tr><td>{_e(row['name'] + mark)}</td><td class='num'>{row['baseline']:.3g}</td>"
            f"<td class='num'>{lo:.3g} – {hi:.3g}</td>{cells}</tr>"
        )
    again = "re-optimised under each change" if r.reoptimised else "held fixed"
    out.append(
        _table(
            head,
            rows,
            f"The {r.offer_name} offer ({again}) with each assumption at the ends of its range",
        )
    )
    if len(doc["robustness"]) > top:
        more = len(doc["robustness"]) - top
        out.append(f"<p>The {top} widest swings; {more} more in the JSON document.</p>")
    if doc["switches"]:
        out.append(
            _table(
                ("switch", "as written", "other setting", "P(war)", "P(deal)"),
                (
                    f"<tr><td>{_e(s['name'])}{_note(s.get('note'))}</td>"
                    f"<td>{_e(s['as_written'])}</td>"
                    f"<td>{_e(s['other'])}</td>{_p(f'sensitivity.switches[{i}].p_war')}"
                    f"{_p(f'sensitivity.switches[{i}].p_deal')}</tr>"
                    for i, s in enumerate(doc["switches"])
                ),
                "Structural switches: the offer and its P(war) under the other setting",
            )
        )
    flips = [f for f in doc["flips"] if f.get("threshold") is not None]
    if flips:
        out.append(
            _table(
                ("assumption", "as written", "the answer moves when", labels[r.output]),
                (
                    f"<tr><td>{_e(f['factor'])}</td><td>{f['baseline']:.3g}</td>"
                    f"<td>{_e(f.get('direction') or '')} {f['threshold']:.3g}</td>"
                    f"{_n(f'sensitivity.flips[{i}].value')}</tr>"
                    for i, f in enumerate(doc["flips"])
                    if f.get("threshold") is not None
                ),
                f"Decision flips: how far each assumption must move to move "
                f"{labels[r.output]} by {r.flip_by:g}",
            )
        )
    out.append(_figure(b, "tornado", "Each assumption at the low and high end of its range"))
    out.append(_figure(b, "indices", "What explains the outcome across worlds (Sobol' indices)"))
    return "".join(out)


def _types_section(b: Brief) -> str:
    ev = b.evaluation
    if not ev.offers or not ev.offers[0].types:
        return "<p>No actor has types in this scenario.</p>"
    out = []
    for actor, types in ev.offers[0].types.items():
        head = ["package"] + [
            f"{t} (weight {pct(v.weight)}): {x}"
            for t, v in types.items()
            for x in ("P(accept)", "P(deal)")
        ]
        rows = []
        for o in ev.offers:
            k = f"evaluate.offers[{o.name}].types.{actor}"
            cells = "".join(_p(f"{k}.{t}.p_accept") + _p(f"{k}.{t}.p_deal") for t in types)
            rows.append(f"<tr><td>{_e(o.name)}</td>{cells}</tr>")
        out.append(_table(head, rows, f"{actor} by type"))
    return "".join(out)


METHODS = """
<ul>
<li><b>Worlds.</b> Every uncertain number is drawn jointly in each of N sampled worlds,
each quantity from its own random stream derived from the seed (numpy SeedSequence), so the
same seed gives the same numbers. Probabilities are weighted fractions over worlds; their
Monte Carlo standard error is sqrt(Σ w²(y − p)²) / Σ w.</li>
<li><b>Utility.</b> u<sub>i</sub>(x) = Σ<sub>k</sub> w<sub>ik</sub> (1 − (|x<sub>k</sub> −
a<sub>ik</sub>| / range<sub>k</sub>)<sup>ρ</sup>), bounded in [0, 1] (the Genius convention,
Baarslag et al. 2014, for discrete issues).</li>
<li><b>War and the bargaining range.</b> An actor's war value is p·u(win) + (1 − p)·u(lose) −
cost (Fearon 1995, <i>Rationalist explanations for war</i>, International Organization 49(3));
in one dimension the range of peaceful deals is [p − c<sub>A</sub>, p + c<sub>B</sub>]. Threats
add to the target's cost or move its odds, carried out with their credibility; uncertainty
over the target's resolve gives the risk-return trade-off of Powell (1999, <i>In the Shadow of
Power</i>).</li>
<li><b>Outcomes.</b> Veto actors approve or block a package before it is offered; the target
accepts, stands down (deterred) or fights. P(deal) + P(deterred) + P(war) = 1.</li>
<li><b>Risk-return optimum and golden bridge.</b> The optimum maximises the proposer's expected
utility Σ w [deal·u<sub>P</sub>(x) + (1 − deal)·r<sub>P</sub>] / Σ w; the bridge is the best
package for the proposer among those reaching the required P(deal). Both are re-evaluated on
fresh worlds against the optimiser's curse (Smith &amp; Winkler 2006, Management Science 52(3)).
Nash (1950) and Kalai–Smorodinsky (1975) solutions are in the optimisation's JSON.</li>
<li><b>Which assumption decides.</b> Sobol' indices (Sobol' 2001; Saltelli et al. 2010, Computer
Physics Communications 181) computed with SALib (Herman &amp; Usher 2017) for the per-world war
indicator of the recommended package (the risk-return optimum); each assumption at the ends of
its 90% range with common random numbers, the package re-optimised under each change (warm
started); the structural switches (veto information, face and pretext, an unappeasable type,
the reading of a rejection, the mechanisms of talks) beside them; decision flips: the
smallest change of an assumption that moves the recommended package's P(war) by the flip size.
The assumption that decides is the one whose range moves that P(war) most.</li>
</ul>
"""

_STYLE_FILE = "brief.css"


def _style() -> str:
    return resources.files("goldenbridge.report").joinpath(_STYLE_FILE).read_text("utf-8")


def render(b: Brief) -> str:
    """The brief as one HTML document (no network: style and figures inline)."""
    token = _document.set(round_numbers(json_safe(b.to_dict())))  # as --json prints it
    try:
        return _page(b)
    finally:
        _document.reset(token)


def _page(b: Brief) -> str:
    s = b.scenario
    vetoes = [a.name for a in s.actors if a.role == "veto"]
    question = (
        f"Would {_e(s.target.name)} take a package from {_e(s.proposer.name)} short of its "
        "demands rather than fight"
        + (f", and would {_e(', '.join(vetoes))} let it be offered" if vetoes else "")
        + "?"
    )
    sections = {
        "question": f"<p class='question'>{question}</p>"
        + (f"<p>{_e(s.description)}</p>" if s.description else "")
        + f"<p class='answer'>{_e(answer(b.evaluation))}</p>",
        "scenario": _scenario_section(s),
        "packages": _packages_section(b),
        "optimum": _optimum_section(b),
        "figures": _figures_section(b),
        "decides": _decides_section(b),
        "types": _types_section(b),
        "methods": METHODS,
        "reproduce": _reproduce(b),
    }
    nav = "".join(f'<li><a href="#{i}">{_e(t)}</a></li>' for i, t in SECTIONS)
    body = "".join(
        f'<section id="{i}"><h2>{_e(t)}</h2>{sections[i]}</section>' for i, t in SECTIONS
    )
    title = f"{s.name}: would {s.target.name} take the bridge?"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="goldenbridge {_e(b.version)}">'
        f"<style>{_style()}</style></head><body>"
        f"<header><h1>{_e(title)}</h1><p class='meta'>goldenbridge {_e(b.version)} · seed "
        f"{b.seed} · {b.samples:,} worlds · scenario sha256 <code>{b.scenario_hash[:12]}</code>"
        f"</p><nav><ol>{nav}</ol></nav></header><main>{body}</main></body></html>\n"
    )


def _reproduce(b: Brief) -> str:
    return (
        "<div class='table-scroll' role='region' tabindex='0' aria-label='reproducibility'>"
        "<table class='facts'>"
        f"<tr><th>goldenbridge version</th><td id='version'>{_e(b.version)}</td></tr>"
        f"<tr><th>seed</th><td id='seed'>{b.seed}</td></tr>"
        f"<tr><th>worlds</th><td>{b.samples:,} (sensitivity: {b.sensitivity_samples:,} per "
        "model run)</td></tr>"
        f"<tr><th>scenario sha256</th><td id='scenario-hash'><code>{b.scenario_hash}</code>"
        "</td></tr></table></div>"
        f"<p>Reproduce with <code>goldenbridge report SCENARIO.yaml --seed {b.seed} --samples "
        f"{b.samples} -o brief.html</code> on the scenario text below (its sha256 must match)."
        "</p><details><summary>The scenario as analysed</summary>"
        f"<pre>{_e(b.scenario_text)}</pre></details>"
    )
