"""What the web explorer's routes share: the limits, the state object, the error shape.

Both :mod:`goldenbridge.web.app` (the application and its middleware) and
:mod:`goldenbridge.web.api` (the JSON routes) import from here, so neither imports
the other's internals.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass, field
from typing import Any

from fastapi import Request

from goldenbridge.engine.threads import threadsafe
from goldenbridge.scenario.errors import InputError
from goldenbridge.web.batching import EvaluateBatcher
from goldenbridge.web.compute import AnalysisProcess, ComputeWorker, PopulationCache, ResultCache
from goldenbridge.web.scenarios import ScenarioStore

__all__ = ["Limits", "WebState", "error_body", "limits_dict", "web_state"]


@dataclass(frozen=True)
class Limits:
    """What one request may ask of the server.

    Attributes
    ----------
    max_body_bytes : int
        Largest request body (413 beyond it); uploads count against it.
    max_samples : int
        Most worlds one request may sample (422 beyond it).
    max_offers : int
        Most offers one evaluate request may carry.
    compute_seconds : float
        Compute time allowed to one request, counted from when its job starts
        on the worker (time queued behind other requests does not count).
    analysis_seconds : float
        The same for the slow analyses (optimiser, Sobol' indices), which run
        in the analysis process.
    cache_worlds : int
        Sampled worlds kept for reuse, over all cached populations.
    max_work : int
        Work units one request may cost (:func:`goldenbridge.scenario.budget.cost`:
        worlds x draws per world), tighter than the command line's so that no
        request holds the single worker for long.
    body_seconds : float
        Time a client has to send its request body (slow clients get 408).
    quick_samples : int
        Evaluations on at most this many worlds (the page's previews while a slider
        moves) run on a second worker of their own, one numba thread, so that they never
        wait for a whole sample's evaluation (where numba's threading layer allows two
        threads in it at once, ``omp`` or ``tbb``; with ``workqueue`` everything runs
        on the one worker). 0: no second worker.
    """

    max_body_bytes: int = 1_000_000
    max_samples: int = 1_000_000
    max_offers: int = 64
    compute_seconds: float = 20.0
    analysis_seconds: float = 180.0
    cache_worlds: int = 3_000_000
    max_work: int = 10_000_000
    body_seconds: float = 10.0
    quick_samples: int = 10_000


@dataclass
class WebState:
    """Everything the routes share: limits, scenarios, the worker, its batches and caches."""

    limits: Limits
    default_scenario: str
    scenarios: ScenarioStore = field(default_factory=ScenarioStore)
    worker: ComputeWorker = field(init=False)
    populations: PopulationCache = field(init=False)
    analyses: AnalysisProcess = field(init=False)
    evaluations: EvaluateBatcher = field(init=False)
    quick: EvaluateBatcher = field(init=False)  # evaluations on few worlds (previews)
    results: ResultCache = field(default_factory=ResultCache)
    running: dict[str, asyncio.Future[Any]] = field(default_factory=dict)
    waiting: dict[str, int] = field(default_factory=dict)  # requests per running analysis

    def __post_init__(self) -> None:
        self.worker = ComputeWorker(self.limits.compute_seconds)
        self.populations = PopulationCache(self.limits.cache_worlds)
        self.analyses = AnalysisProcess(self.limits.analysis_seconds)
        self.evaluations = EvaluateBatcher(self.worker, self.populations)
        self.quick = self.evaluations
        if self.limits.quick_samples > 0 and threadsafe():
            worker = ComputeWorker(self.limits.compute_seconds, threads=1)
            cached = PopulationCache(max(self.limits.quick_samples, 200_000))
            self.quick = EvaluateBatcher(worker, cached)

    def batcher(self, samples: int) -> EvaluateBatcher:
        """The worker that evaluates on ``samples`` worlds: the quick one for few."""
        return self.quick if samples <= self.limits.quick_samples else self.evaluations

    def shutdown(self) -> None:
        """Stop the workers and the analysis process."""
        self.worker.shutdown()
        self.quick.worker.shutdown()
        self.analyses.shutdown()


def error_body(field: str | None, message: str, file: str | None = None) -> dict[str, Any]:
    """The one JSON shape of every error response, the same as the CLI's ``--json``:
    ``{"error": {"file", "field", "message"}}`` (``file`` and ``field`` null when unknown).

    Examples
    --------
    >>> error_body("samples", "must be >= 1")
    {'error': {'file': None, 'field': 'samples', 'message': 'must be >= 1'}}
    """
    return {"error": InputError(message, field or "", file).as_dict()}


def limits_dict(limits: Limits) -> dict[str, Any]:
    """The limits as JSON (``/api/info``)."""
    return asdict(limits)


def web_state(request: Request) -> WebState:
    """The state of the application serving ``request`` (set by ``create_app``)."""
    return request.app.state.web  # type: ignore[no-any-return]
