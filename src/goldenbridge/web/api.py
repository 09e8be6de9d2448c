"""The JSON API under ``/api/``: the page uses it and so can scripts.

Results have the same JSON shapes as the CLI's ``--json`` (both call the result
types' ``to_dict()``). Every model computation runs on the one compute worker.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

import goldenbridge as gb
from goldenbridge.report.documents import json_safe, round_numbers
from goldenbridge.scenario import ScenarioError, parse, summaries
from goldenbridge.scenario.budget import check_budget
from goldenbridge.scenario.checks import inner_sample
from goldenbridge.web.compute import Deadline, Timed
from goldenbridge.web.jobs import optimize_document, sensitivity_document
from goldenbridge.web.scenarios import parse_upload
from goldenbridge.web.state import WebState, error_body, limits_dict, web_state

__all__ = ["router", "describe", "summary"]

router = APIRouter(prefix="/api")

T = TypeVar("T")

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {
        "description": text,
        "content": {
            "application/json": {
                "example": error_body("actors.Russia.salience.nato", "must be >= 0")
                if code == 422
                else error_body(None, text)
            }
        },
    }
    for code, text in {
        404: "Unknown scenario (not a built-in, or an upload this server no longer holds).",
        413: "Request body over the server's limit.",
        422: "Invalid scenario or request: `field` names the field (`file` the upload, "
        "when named), `message` the problem.",
        503: "The computation ran past the per-request compute-time limit.",
    }.items()
}

ScenarioRef = Annotated[
    str | dict[str, Any],
    Field(
        description="A built-in scenario's name, the `id` returned by `/api/validate`, "
        "or a whole scenario document (as its YAML/JSON would read).",
        examples=["fearon-1d"],
    ),
]


class ValidateRequest(BaseModel):
    """A scenario to check: YAML/JSON text (a file's content) or a document."""

    model_config = ConfigDict(extra="forbid", strict=True)

    text: str | None = Field(None, description="The scenario file's content (YAML or JSON).")
    filename: str | None = Field(
        None, max_length=200, description="Shown in error messages only; never opened."
    )
    document: dict[str, Any] | None = Field(None, description="The scenario as a JSON object.")

    @model_validator(mode="after")
    def _one_source(self) -> ValidateRequest:
        if (self.text is None) == (self.document is None):
            raise ValueError("give exactly one of text or document")
        return self


class EvaluateRequest(BaseModel):
    """Offers to evaluate on a scenario's sampled worlds."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,  # `samples: true` is not 1, `"20000"` is not a number
        json_schema_extra={
            "examples": [
                {"scenario": "fearon-1d", "offers": {"split": {"share": 0.6}}, "samples": 20000}
            ]
        },
    )

    scenario: ScenarioRef
    offers: dict[str, dict[str, float | str]] | None = Field(
        None,
        description="Offer name -> {issue: value or option}; issues left out stay at the "
        "status quo. Default: the scenario's named offers.",
    )
    samples: int | None = Field(None, ge=1, description="Worlds (default: the scenario's).")
    seed: int | None = Field(None, ge=0, lt=2**63, description="Seed (default: the scenario's).")


class SensitivityRequest(BaseModel):
    """One offer whose outcome the Sobol' indices attribute to the scenario's inputs."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,  # `samples: true` is not 1, `"20000"` is not a number
        json_schema_extra={
            "examples": [{"scenario": "fearon-1d", "offer": {"share": 0.6}, "n": 1024}]
        },
    )

    scenario: ScenarioRef
    offer: str | dict[str, float | str] | None = Field(
        None,
        description="A named offer, {issue: value} (issues left out at the status quo), or "
        "null for the recommended offer (the risk-return optimum).",
    )
    output: Literal["p_war", "p_deal", "proposer_eu"] = "p_war"
    n: int = Field(1024, ge=64, le=16384, description="Saltelli's base sample (a power of 2).")
    seed: int | None = Field(None, ge=0, lt=2**63, description="Seed (default: the scenario's).")
    parts: list[Literal["global", "robustness", "flips", "voi"]] = Field(
        ["global"],
        min_length=1,
        description="Parts of the analysis: the Sobol' table alone by default (seconds); "
        "robustness sweeps, decision flips and value of information take longer.",
    )


class OptimizeRequest(BaseModel):
    """Search the whole offer space of a scenario."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,  # `samples: true` is not 1, `"20000"` is not a number
        json_schema_extra={
            "examples": [{"scenario": "fearon-1d", "target_p": 0.5, "samples": 20000}]
        },
    )

    scenario: ScenarioRef
    target_p: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Bridge by P(deal): the best offer with P(deal) at least this (any "
        "signed deal counts). Left out: the bridge is by P(war).",
    )
    max_p_war: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Bridge by P(war) (the default): the best offer with P(war) at most "
        "this (default half of offering nothing's). Ignored when target_p is given.",
    )
    issues: list[str] | None = Field(
        None, description="Issues to search (the others stay at the status quo); default all."
    )
    samples: int | None = Field(None, ge=1, description="Worlds (default: the scenario's).")
    seed: int | None = Field(None, ge=0, lt=2**63, description="Seed (default: the scenario's).")
    solutions: bool = Field(True, description="Also the Nash and Kalai–Smorodinsky solutions.")


def _timed_response(timed: Timed[dict[str, Any]]) -> JSONResponse:
    """The result, with its compute and queueing times in ``Server-Timing`` (and the part
    of the compute spent sampling the worlds, when they were sampled for it)."""
    timing = f"compute;dur={1000 * timed.compute_s:.1f}, queue;dur={1000 * timed.queue_s:.1f}"
    if timed.sample_s > 0.001:
        timing += f", sample;dur={1000 * timed.sample_s:.1f}"
    return JSONResponse(round_numbers(json_safe(timed.value)), headers={"server-timing": timing})


def summary(scenario: gb.Scenario) -> dict[str, Any]:
    """The document of ``goldenbridge validate --json``."""
    return {
        "valid": True,
        "scenario": scenario.name,
        "issues": len(scenario.issues),
        "actors": len(scenario.actors),
        "threats": len(scenario.threats),
        "offers": list(scenario.offers),
        "samples": scenario.samples,
        "seed": scenario.seed,
    }


def _base_rate(scenario: gb.Scenario) -> dict[str, Any] | None:
    """The ICB base rate shown beside the model's P(war) for a library case (issue 17)."""
    record = scenario.library
    if record is None or not record.attributes:
        return None
    from goldenbridge.analysis.baserate import base_rate

    r = base_rate(record.attributes, exclude=[record.icb] if record.icb else [], min_cases=20)
    return {
        "n": r.n,
        "attributes": r.used,
        "p_war": r.p_war.p,
        "low": r.p_war.low,
        "high": r.p_war.high,
    }


def describe(scenario_id: str, scenario: gb.Scenario) -> dict[str, Any]:
    """What the page needs to draw a scenario's controls."""
    issues = []
    for issue in scenario.issues:
        issues.append(
            {
                "name": issue.name,
                "label": issue.label or issue.name,
                "discrete": issue.discrete,
                "min": None if issue.discrete else issue.min,
                "max": None if issue.discrete else issue.max,
                "options": issue.options,
                "status_quo": issue.status_quo_value,
                "labels": [
                    {"value": value, "label": label}
                    for value, label in sorted(issue.labels.items())
                ],
            }
        )
    return {
        "id": scenario_id,
        "name": scenario.name,
        "description": scenario.description or "",
        "samples": scenario.samples,
        "seed": scenario.seed,
        "proposer": scenario.proposer.name,
        "target": scenario.target.name,
        "issues": issues,
        "actors": [
            {"name": a.name, "role": a.role, "types": list(a.type_names)} for a in scenario.actors
        ],
        "offers": {name: scenario.complete(dict(v)) for name, v in scenario.offers.items()},
        "base_rate": _base_rate(scenario),
    }


@router.get("/info", summary="Server version, default scenario, limits and analyses")
async def info(request: Request) -> dict[str, Any]:
    """What this server offers: the scenario the page opens with, the request limits, and
    numba's threading layer once the engine has run parallel code."""
    state = web_state(request)
    return {
        "version": gb.__version__,
        "default_scenario": state.default_scenario,
        "limits": limits_dict(state.limits),
        "analyses": ["evaluate", "optimize", "sensitivity"],
        "numba_threading_layer": _threading_layer(),
    }


def _threading_layer() -> str | None:
    """numba's threading layer in this process, once parallel code has run (else None)."""
    import numba

    try:
        return str(numba.threading_layer())
    except ValueError:
        return None


@router.get("/scenarios", summary="The built-in scenarios")
async def scenarios(request: Request) -> dict[str, Any]:
    """The same document as ``goldenbridge scenarios --json``."""
    return {"scenarios": summaries(web_state(request).scenarios.builtin)}


@router.get(
    "/scenarios/{reference}",
    summary="A scenario's issues, scales, actors and named offers",
    responses={404: _ERRORS[404]},
)
async def scenario(reference: str, request: Request) -> dict[str, Any]:
    """The controls the page draws for a built-in name or an upload's id."""
    return describe(reference, web_state(request).scenarios.get(reference))


@router.post(
    "/validate",
    summary="Check a scenario and keep it (in memory) for later requests",
    responses={413: _ERRORS[413], 422: _ERRORS[422], 503: _ERRORS[503]},
)
async def validate(body: ValidateRequest, request: Request) -> JSONResponse:
    """The same document as ``goldenbridge validate --json``, plus the ``id`` to use
    as ``scenario`` in later requests. The text is parsed in memory, never saved."""
    state = web_state(request)

    def job(deadline: Deadline) -> dict[str, Any]:
        if body.text is not None:
            parsed = parse_upload(body.text, body.filename or "upload")
        else:
            parsed = parse(body.document, body.filename)
        return {**summary(parsed), "id": state.scenarios.add(parsed)}

    return _timed_response(await state.worker.run(job))


def _resolve(state: WebState, reference: str | dict[str, Any]) -> tuple[str, gb.Scenario]:
    """A scenario reference as (id, scenario); documents are validated and kept."""
    if isinstance(reference, dict):
        scenario = parse(reference, "scenario")
        return state.scenarios.add(scenario), scenario
    return reference, state.scenarios.get(reference)


async def _resolved(state: WebState, reference: str | dict[str, Any]) -> tuple[str, gb.Scenario]:
    """:func:`_resolve`, on the worker when a document must be parsed."""
    if isinstance(reference, dict):
        return (await state.worker.run(lambda deadline: _resolve(state, reference))).value
    return _resolve(state, reference)


def _check_request(state: WebState, scenario: gb.Scenario, samples: int | None) -> int:
    """The sample size to use, within the server's limit."""
    limit = state.limits.max_samples
    n = scenario.samples if samples is None else samples
    if n > limit:
        asked = "asked for" if samples is not None else "scenario's default is"
        raise ScenarioError(
            "samples",
            f"at most {limit:,} samples per request on this server ({asked} {n:,}); "
            "choose a smaller sample size",
        )
    check_budget(scenario, n, state.limits.max_work, inner=inner_sample(scenario))
    return n


@router.post(
    "/evaluate",
    summary="P(accept) per actor, P(deal), P(war) and the proposer's EU of each offer",
    responses={404: _ERRORS[404], 413: _ERRORS[413], 422: _ERRORS[422], 503: _ERRORS[503]},
)
async def evaluate(body: EvaluateRequest, request: Request) -> JSONResponse:
    """The same document as ``goldenbridge evaluate --json``. The scenario's sampled
    worlds are cached per (scenario, samples, seed), so a new offer only runs the engine;
    requests waiting for the engine on the same worlds are evaluated in one call."""
    state = web_state(request)
    if body.offers is not None and not 1 <= len(body.offers) <= state.limits.max_offers:
        raise ScenarioError(
            "offers", f"give between 1 and {state.limits.max_offers} offers per request"
        )

    scenario_id, scenario = await _resolved(state, body.scenario)
    samples = _check_request(state, scenario, body.samples)
    seed = scenario.seed if body.seed is None else body.seed
    key = (scenario_id, samples, seed)
    batcher = state.batcher(samples)  # few worlds (a preview): the quick worker
    return _timed_response(await batcher.evaluate(key, scenario, body.offers))


@router.post(
    "/sensitivity",
    summary="Which assumption decides one offer's outcome: Sobol' indices",
    responses={404: _ERRORS[404], 413: _ERRORS[413], 422: _ERRORS[422], 503: _ERRORS[503]},
)
async def sensitivity(body: SensitivityRequest, request: Request) -> JSONResponse:
    """The same document as ``goldenbridge sensitivity --json``: first-order and total
    Sobol' indices (with bootstrap confidence half-widths) of the per-world deal indicator
    or payoff over the world-level inputs. Results are kept per arguments."""
    state = web_state(request)
    if body.n & (body.n - 1):
        raise ScenarioError("n", f"{body.n} is not a power of 2 (Saltelli's base sample)")

    scenario_id, scenario = await _resolved(state, body.scenario)
    key = json.dumps(["sensitivity", scenario_id, body.model_dump(exclude={"scenario"})])
    return await _analysis(
        request,
        state,
        key,
        sensitivity_document,
        scenario,
        body.offer,
        body.output,
        body.n,
        body.seed,
        tuple(body.parts),
    )


@router.post(
    "/optimize",
    summary="The risk-return optimum, the golden bridge and the frontier",
    responses={404: _ERRORS[404], 413: _ERRORS[413], 422: _ERRORS[422], 503: _ERRORS[503]},
)
async def optimize(body: OptimizeRequest, request: Request) -> JSONResponse:
    """The same document as ``goldenbridge optimize --json``: the offer maximising the
    proposer's expected utility (re-evaluated on a fresh population), the golden bridge
    (the best offer with P(war) <= ``max_p_war``, or with P(deal) >= ``target_p`` when
    that is given; null when none is found, with ``no_bridge`` saying why) and the
    frontier. Results are kept per arguments."""
    state = web_state(request)

    scenario_id, scenario = await _resolved(state, body.scenario)
    samples = _check_request(state, scenario, body.samples)
    seed = scenario.seed if body.seed is None else body.seed
    arguments = (body.target_p, body.issues, samples, seed, body.solutions, body.max_p_war)
    key = json.dumps(["optimize", scenario_id, arguments])
    return await _analysis(request, state, key, optimize_document, scenario, *arguments)


async def _analysis(
    request: Request,
    state: WebState,
    key: str,
    function: Callable[..., dict[str, Any]],
    *arguments: Any,
) -> JSONResponse:
    """A slow analysis from the analysis process, or its kept result for the same ``key``.

    The same question asked twice at once is answered once; when every request waiting
    for a running analysis has disconnected, the analysis is stopped (its process killed)
    rather than left to run to its time limit for nobody.
    """
    cached = state.results.get(key)
    if cached is not None:
        return _timed_response(Timed(cached, 0.0, 0.0))
    running = state.running.get(key)
    if running is None:
        running = asyncio.ensure_future(state.analyses.run(function, *arguments))
        state.running[key] = running
        running.add_done_callback(lambda _: state.running.pop(key, None))
    state.waiting[key] = state.waiting.get(key, 0) + 1
    try:
        timed = await _unless_disconnected(request, asyncio.shield(running))
    finally:
        state.waiting[key] -= 1
        if state.waiting[key] == 0:
            del state.waiting[key]
            if not running.done():  # nobody is left to read it
                running.cancel()
    if timed is None:
        return JSONResponse(error_body(None, "the client went away"), status_code=499)
    state.results.put(key, timed.value)
    return _timed_response(timed)


async def _unless_disconnected(request: Request, work: Awaitable[T]) -> T | None:
    """``await work``, or None as soon as the client of ``request`` disconnects."""

    async def disconnected() -> None:
        while (await request.receive())["type"] != "http.disconnect":
            pass

    waiter = asyncio.ensure_future(work)
    watcher = asyncio.ensure_future(disconnected())
    try:
        await asyncio.wait({waiter, watcher}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        watcher.cancel()
        if not waiter.done():
            waiter.cancel()
    if waiter.done() and not waiter.cancelled():
        return waiter.result()
    return None
