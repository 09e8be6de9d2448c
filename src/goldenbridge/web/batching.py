"""Evaluate requests that wait for the worker together are answered by one engine call.

The engine evaluates M offers on the same worlds much faster than M calls of one
offer each (russia-2021, 100 000 worlds, on this project's 2-core machine: about
120 ms for one offer, 30 ms per offer for 10, 13 ms per offer for 200). So
requests that queue for the one worker on the same population (scenario,
samples, seed) join a batch: the first queues a job, those arriving before that
job starts join it (up to 64 offers in all), and the job evaluates every valid
offer at once and hands each request its own document, the same as evaluating
it alone. A request whose
offers are invalid gets its own error; the others are unaffected.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import goldenbridge as gb
from goldenbridge.analysis.evaluate import named_offers
from goldenbridge.scenario import ScenarioError
from goldenbridge.scenario.schema import OfferValue
from goldenbridge.web.compute import ComputeWorker, Deadline, PopulationCache, Timed

__all__ = ["EvaluateBatcher", "evaluate_together"]

Offers = Mapping[str, Mapping[str, OfferValue]]
PopulationKey = tuple[str, int, int]


@dataclass
class _Request:
    offers: Offers | None
    answer: asyncio.Future[Timed[dict[str, Any]]]


@dataclass
class _Batch:
    scenario: gb.Scenario
    requests: list[_Request] = field(default_factory=list)
    offers: int = 0


def evaluate_together(
    population: gb.Population, requests: list[Offers | None]
) -> list[dict[str, Any] | ScenarioError]:
    """Each request's ``evaluate(population, offers).to_dict()``, from one engine call.

    ``None`` stands for the scenario's named offers. A request with an invalid
    offer gets the :class:`ScenarioError` that evaluating it alone would raise.
    """
    scenario = population.scenario
    outcomes: list[dict[str, Any] | ScenarioError] = [{} for _ in requests]
    merged: dict[str, Mapping[str, OfferValue]] = {}
    owner: dict[str, tuple[int, str]] = {}
    for i, offers in enumerate(requests):
        chosen = named_offers(population) if offers is None else offers
        try:
            population.encode([scenario.complete(dict(v)) for v in chosen.values()])
        except ScenarioError as exc:
            outcomes[i] = exc
            continue
        for name, values in chosen.items():
            key = f"{i}/{name}"
            merged[key] = values
            owner[key] = (i, name)
    if not merged:
        return outcomes
    document = gb.evaluate(population, merged).to_dict()
    common = {k: v for k, v in document.items() if k != "offers"}
    for i, outcome in enumerate(outcomes):
        if not isinstance(outcome, ScenarioError):
            outcomes[i] = {**common, "offers": []}
    for offer in document["offers"]:
        i, name = owner[offer["name"]]
        outcomes[i]["offers"].append({**offer, "name": name})  # type: ignore[index]
    return outcomes


class EvaluateBatcher:
    """Merges evaluate requests for the same population while they wait for the worker."""

    def __init__(
        self, worker: ComputeWorker, populations: PopulationCache, max_offers: int = 64
    ) -> None:
        self.worker = worker
        self.populations = populations
        self.max_offers = max_offers  # per batch: bounds one job's memory and time
        self._open: dict[PopulationKey, _Batch] = {}
        self._lock = threading.Lock()  # the worker closes a batch as the event loop adds to it
        self._jobs: set[asyncio.Task[None]] = set()

    async def evaluate(
        self, key: PopulationKey, scenario: gb.Scenario, offers: Offers | None
    ) -> Timed[dict[str, Any]]:
        """``evaluate(population, offers).to_dict()`` on the population ``key``
        = (scenario id, samples, seed), batched with other requests for it."""
        answer: asyncio.Future[Timed[dict[str, Any]]] = asyncio.get_running_loop().create_future()
        size = len(offers) if offers is not None else max(1, len(scenario.offers))
        with self._lock:
            batch = self._open.get(key)
            opened = batch is None or batch.offers + size > self.max_offers
            if batch is None or opened:  # a full batch stays queued; this one starts the next
                batch = self._open[key] = _Batch(scenario)
            batch.requests.append(_Request(offers, answer))
            batch.offers += size
        if opened:
            job = asyncio.ensure_future(self._run(key, batch))
            self._jobs.add(job)  # keep a reference until it is done
            job.add_done_callback(self._jobs.discard)
        return await answer

    def _close(self, key: PopulationKey, batch: _Batch) -> list[_Request]:
        """Take the batch's requests; later arrivals start a new batch."""
        with self._lock:
            if self._open.get(key) is batch:
                del self._open[key]
            return list(batch.requests)

    async def _run(self, key: PopulationKey, batch: _Batch) -> None:
        def job(deadline: Deadline) -> tuple[list[_Request], list[Any], float]:
            requests = self._close(key, batch)
            t0 = time.perf_counter()
            population = self.populations.get(key[0], batch.scenario, key[1], key[2])
            sampled = time.perf_counter() - t0
            deadline.check()
            return requests, evaluate_together(population, [r.offers for r in requests]), sampled

        try:
            timed = await self.worker.run(job)
        except Exception as exc:  # noqa: BLE001 (every request of the batch gets it)
            for request in self._close(key, batch):
                if not request.answer.done():
                    request.answer.set_exception(exc)
            return
        requests, outcomes, sampled = timed.value
        for request, outcome in zip(requests, outcomes, strict=True):
            if request.answer.done():  # its client went away
                continue
            if isinstance(outcome, ScenarioError):
                request.answer.set_exception(outcome)
            else:
                request.answer.set_result(Timed(outcome, timed.compute_s, timed.queue_s, sampled))
