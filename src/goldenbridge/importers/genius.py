"""Genius XML: a domain file plus one preference profile per party (Genius, ANAC).

The domain (``<negotiation_template>`` or a ``<utility_space>`` without evaluations)
lists discrete issues and their options (``<issue><item value=.../></issue>``). Each
profile gives, per issue, an ``evaluation`` of every option and a ``<weight>``; Genius
values an outcome at ``sum_k w_k * e_k(x_k) / max e_k`` (Baarslag et al., "Genius"),
which is goldenbridge's utility for discrete issues (DESIGN.md section 3), so the
evaluations and weights are copied as they are: ``values`` and ``salience``. The
profile's ``<reservation value=.../>`` is that party's utility of no agreement: its
``war_value``. A ``<discount_factor>`` below 1 is recorded in the header (goldenbridge
discounts only in multi-round talks). Each party is named after its profile's file.
Integer and real issues are not read (an error names them).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from goldenbridge.importers.common import Imported, finish, number, read_text, slug
from goldenbridge.scenario import ScenarioError

__all__ = ["load", "LABEL"]

LABEL = "Genius XML (domain + preference profiles)"


def _parse(file: str) -> ET.Element:
    try:
        return ET.fromstring(read_text(file).encode("utf-8"))
    except ET.ParseError as exc:
        line, col = exc.position
        raise ScenarioError(f"line {line}, column {col + 1}", "invalid XML", file) from None


def _issues(root: ET.Element, file: str) -> list[ET.Element]:
    issues = list(root.iter("issue"))
    for issue in issues:
        kind = (issue.get("type") or issue.get("etype") or "discrete").lower()
        if kind != "discrete":
            raise ScenarioError(
                f"issue {issue.get('name')!r}",
                f"{kind} issues are not supported (discrete only)",
                file,
            )
    return issues


def _is_profile(root: ET.Element) -> bool:
    return any(item.get("evaluation") is not None for item in root.iter("item")) or any(
        True for _ in root.iter("weight")
    )


def _domain(root: ET.Element, file: str) -> list[dict[str, Any]]:
    out = []
    for issue in _issues(root, file):
        name = slug(issue.get("name") or "")
        if not name:
            raise ScenarioError(f"issue {issue.get('index')}", "an issue needs a name", file)
        options = [slug(item.get("value") or "") for item in issue.iter("item")]
        if not options or not all(options):
            raise ScenarioError(f"issue {name!r}", "every item needs a value", file)
        out.append({"name": name, "options": options, "index": issue.get("index")})
    if not out:
        raise ScenarioError("", "the domain has no issues", file)
    return out


def _profile(root: ET.Element, issues: list[dict[str, Any]], file: str) -> dict[str, Any]:
    by_name = {i["name"]: i for i in issues}
    values: dict[str, dict[str, float]] = {}
    index_to_name: dict[str, str] = {}
    for issue in _issues(root, file):
        name = slug(issue.get("name") or "")
        if name not in by_name:
            raise ScenarioError(f"issue {name!r}", "not an issue of the domain", file)
        index_to_name[issue.get("index") or ""] = name
        evals: dict[str, float] = {}
        for item in issue.iter("item"):
            option = slug(item.get("value") or "")
            where = f"issue {name!r}, item {option!r}, evaluation"
            if option not in by_name[name]["options"]:
                raise ScenarioError(where, "not an option of the domain", file)
            evals[option] = number(item.get("evaluation") or "", file, where, lo=0)
        values[name] = evals
    missing = [i["name"] for i in issues if i["name"] not in values]
    if missing:
        raise ScenarioError(f"issue {missing[0]!r}", "the profile does not evaluate it", file)
    weights: dict[str, float] = {}
    for w in root.iter("weight"):
        idx = w.get("index") or ""
        if idx not in index_to_name:
            raise ScenarioError(f"weight {idx}", "names no issue of the profile", file)
        weights[index_to_name[idx]] = number(w.get("value") or "", file, f"weight {idx}", lo=0)
    reservation = root.find(".//reservation")
    discount = root.find(".//discount_factor")
    return {
        "values": values,
        "salience": weights or {i["name"]: 1.0 for i in issues},
        "reservation": (
            number(reservation.get("value") or "", file, "reservation", lo=0, hi=1)
            if reservation is not None
            else None
        ),
        "discount": (
            number(discount.get("value") or "", file, "discount_factor", lo=0, hi=1)
            if discount is not None
            else None
        ),
    }


def load(
    files: Sequence[str | Path],
    *,
    proposer: str | None = None,
    target: str | None = None,
    vetoes: Sequence[str] = (),
) -> Imported:
    """Import a Genius domain and its profiles (in any order; the domain is recognised).

    Examples
    --------
    >>> from goldenbridge.importers import genius
    >>> d = "tests/data/genius/EnglandZimbabwe/"
    >>> imp = genius.load([d + "EnglandZimbabwe_domain.xml", d + "England.xml", d + "Zimbabwe.xml"])
    >>> [a.name for a in imp.scenario.actors], [len(i.options) for i in imp.scenario.issues]
    (['England', 'Zimbabwe'], [4, 4, 3, 3, 4])
    """
    if len(files) < 3:
        raise ScenarioError("FILE", "Genius needs a domain file and at least two profiles")
    parsed = [(str(f), _parse(str(f))) for f in files]
    domains = [(f, r) for f, r in parsed if not _is_profile(r)]
    if len(domains) != 1:
        raise ScenarioError(
            "FILE", f"expected exactly one domain file among the inputs (found {len(domains)})"
        )
    domain_file, domain_root = domains[0]
    issues = _domain(domain_root, domain_file)
    actors: list[dict[str, Any]] = []
    notes: list[str] = []
    for f, root in parsed:
        if f == domain_file:
            continue
        prof = _profile(root, issues, f)
        actor: dict[str, Any] = {
            "name": Path(f).stem,
            "values": prof["values"],
            "salience": prof["salience"],
        }
        if prof["reservation"] is not None:
            actor["war_value"] = prof["reservation"]
        actors.append(actor)
        notes.append(
            f"{actor['name']}: reservation value {prof['reservation']} -> war_value"
            + (
                f"; discount factor {prof['discount']:g} (not used by one-shot analyses)"
                if prof["discount"] is not None and prof["discount"] < 1
                else ""
            )
        )
    names = [a["name"] for a in actors]
    if len(set(names)) != len(names):
        raise ScenarioError("FILE", "two profiles have the same file name")
    data: dict[str, Any] = {
        "name": Path(domain_file).stem.removesuffix("_domain"),
        "description": f"Imported from {Path(domain_file).name} ({LABEL}).",
        "issues": [{"name": i["name"], "options": i["options"]} for i in issues],
        "actors": actors,
    }
    n_outcomes = 1
    for i in issues:
        n_outcomes *= len(i["options"])
    notes = [
        f"{len(issues)} discrete issues, {n_outcomes} outcomes. Utility: Genius's sum of",
        "weight x evaluation / the issue's largest evaluation (values and salience below).",
        "Status quo: each issue's first option (Genius has none; set status_quo if needed).",
        *notes,
    ]
    return finish(
        data,
        files=[domain_file, *(f for f, _ in parsed if f != domain_file)],
        format_label=LABEL,
        notes=notes,
        proposer=proposer,
        target=target,
        vetoes=vetoes,
    )
