"""The page's brief download and its list of saved runs: ``/api/brief``, ``/api/runs``.

The brief is ``goldenbridge report``'s HTML, built in the analysis process; the runs
are those the command line saved in the run history (read only: the server never
writes to it, and a missing history file is not created).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from goldenbridge.history import HistoryError, RunStore, default_path
from goldenbridge.scenario import ScenarioError
from goldenbridge.web.api import ScenarioRef, _check_request, _resolved
from goldenbridge.web.jobs import brief_html
from goldenbridge.web.state import web_state

__all__ = ["router"]

router = APIRouter(prefix="/api")

#: The brief's analyses in the web app run on at most this many worlds: with the
#: defaults below the seed crisis's brief took 49 s of CPU (143 s wall at load 9.6 on
#: 2 cores), inside the analysis time limit (180 s). The CLI has no such cap.
BRIEF_SAMPLES = 10_000


class BriefRequest(BaseModel):
    """The brief of a scenario, as ``goldenbridge report`` writes it."""

    model_config = ConfigDict(extra="forbid")

    scenario: ScenarioRef
    offers: list[str] | None = Field(None, description="Named offers to show (default: all).")
    samples: int | None = Field(None, ge=1, description=f"At most {BRIEF_SAMPLES:,} are used.")
    seed: int | None = Field(None, ge=0)
    sections: list[Literal["optimize", "sensitivity"]] = ["optimize", "sensitivity"]
    sensitivity_samples: int = Field(1000, ge=100, le=BRIEF_SAMPLES)
    sobol_n: int = Field(128, ge=8, le=4096)


@router.post(
    "/brief",
    summary="The brief as one self-contained HTML file (goldenbridge report)",
    response_class=HTMLResponse,
)
async def brief(body: BriefRequest, request: Request) -> HTMLResponse:
    """The same HTML as ``goldenbridge report``, as a download."""
    state = web_state(request)
    if body.sobol_n & (body.sobol_n - 1):
        raise ScenarioError("sobol_n", f"{body.sobol_n} is not a power of 2")
    _, scenario = await _resolved(state, body.scenario)
    for name in body.offers or []:
        if name not in scenario.offers:
            raise ScenarioError("offers", f"{name}: no such named offer")
    samples = min(_check_request(state, scenario, body.samples), BRIEF_SAMPLES)
    seed = scenario.seed if body.seed is None else body.seed
    timed = await state.analyses.run(
        brief_html,
        scenario,
        body.offers,
        samples,
        seed,
        tuple(body.sections),
        min(body.sensitivity_samples, samples),
        body.sobol_n,
    )
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", scenario.name) or "scenario"
    headers = {"content-disposition": f'attachment; filename="{name}-brief.html"'}
    return HTMLResponse(timed.value, headers=headers)


@router.get("/runs", summary="Runs of a scenario saved by the command line (newest first)")
async def runs(
    scenario: Annotated[str, Query(description="The scenario's name.")],
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> dict[str, Any]:
    """The run history's rows for ``scenario`` (``goldenbridge runs list --scenario``);
    an unusable history file is reported in ``error``, never touched."""
    path = default_path()
    if not path.exists():
        return {"db": str(path), "runs": [], "error": None}
    try:
        with RunStore(path) as store:
            found = [r.summary() for r in store.runs(scenario=scenario, limit=limit)]
    except HistoryError as exc:
        return {"db": str(path), "runs": [], "error": str(exc)}
    return {"db": str(path), "runs": found, "error": None}
