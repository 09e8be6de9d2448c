"""Where the web app computes: one worker thread, a compute-time limit, cached populations.

Every model computation of the web app (parsing a scenario, sampling worlds,
running the engine) runs on a single worker thread, one job at a time. Two
reasons: numba's default threading layer aborts the whole process when
``parallel=True`` code is entered from several threads at once, and the engine
already uses every core for one job, so running jobs side by side would only
make each one slower. Requests queue for the worker; the time limit counts from
the moment a job starts on the worker, never the time spent queueing.

Python cannot stop a running thread, so a job that overruns is abandoned: its
request gets a :class:`ComputeTimeout` at once, and the job itself stops at its
next :meth:`Deadline.check` (between sampling and the engine), freeing the worker.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Generic, TypeVar

import goldenbridge as gb

__all__ = ["ComputeTimeout", "ComputeWorker", "Deadline", "PopulationCache", "ResultCache", "Timed"]

T = TypeVar("T")


class ComputeTimeout(Exception):
    """A job ran longer than the per-request compute-time limit."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(
            f"the computation ran past this server's limit of {seconds:g} s of compute time; "
            "ask for fewer samples or fewer offers"
        )


class Deadline:
    """The end of one job's compute time, checked between the steps of the job."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.started = time.perf_counter()
        self.end = self.started + seconds

    def check(self) -> None:
        """Raise :class:`ComputeTimeout` when the job's time is up."""
        if time.perf_counter() > self.end:
            raise ComputeTimeout(self.seconds)

    @property
    def elapsed(self) -> float:
        """Seconds since the job started on the worker."""
        return time.perf_counter() - self.started


@dataclass(frozen=True)
class Timed(Generic[T]):
    """A job's result, the compute time it took and the time it waited for the worker."""

    value: T
    compute_s: float
    queue_s: float


class ComputeWorker:
    """Runs jobs one at a time on one thread, each under a compute-time limit.

    Parameters
    ----------
    time_limit : float
        Seconds of compute time allowed to one job (queueing not counted).
    """

    def __init__(self, time_limit: float) -> None:
        self.time_limit = time_limit
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="goldenbridge-worker")

    async def run(self, job: Callable[[Deadline], T]) -> Timed[T]:
        """Queue ``job(deadline)`` for the worker and wait for its result.

        Raises
        ------
        ComputeTimeout
            When the job runs past the limit once started; whatever the job
            raises otherwise.
        """
        loop = asyncio.get_running_loop()
        started: asyncio.Future[None] = loop.create_future()
        abandoned = threading.Event()

        def mark_started() -> None:
            if not started.done():
                started.set_result(None)

        queued = time.perf_counter()

        def task() -> Timed[T]:
            if abandoned.is_set():  # its request is gone: don't spend the worker on it
                raise ComputeTimeout(self.time_limit)
            deadline = Deadline(self.time_limit)
            loop.call_soon_threadsafe(mark_started)
            value = job(deadline)
            return Timed(value, deadline.elapsed, deadline.started - queued)

        result = asyncio.wrap_future(self._executor.submit(task))
        try:
            await asyncio.wait({started, result}, return_when=asyncio.FIRST_COMPLETED)
            if result.done():
                return result.result()
            # The job is running: from now on the clock counts.
            done, _ = await asyncio.wait({result}, timeout=self.time_limit)
            if not done:
                raise ComputeTimeout(self.time_limit)
            return result.result()
        finally:
            abandoned.set()
            if not started.done():
                started.cancel()
            if not result.done():
                # Nobody reads it any more; keep asyncio from warning about it.
                result.add_done_callback(lambda f: f.cancelled() or f.exception())

    def shutdown(self) -> None:
        """Stop taking jobs (the running one finishes)."""
        self._executor.shutdown(wait=False, cancel_futures=True)


class PopulationCache:
    """Sampled populations by (scenario id, samples, seed), least recently used first out.

    Moving a slider then only runs the engine. The cache holds at most
    ``max_worlds`` worlds in all (the newest population is always kept). Used
    from the worker thread only, so it needs no lock.
    """

    def __init__(self, max_worlds: int) -> None:
        self.max_worlds = max_worlds
        self._entries: OrderedDict[tuple[str, int, int], gb.Population] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(
        self, scenario_id: str, scenario: gb.Scenario, samples: int, seed: int
    ) -> gb.Population:
        """The population of ``scenario`` (known as ``scenario_id``), sampled once."""
        key = (scenario_id, samples, seed)
        population = self._entries.get(key)
        if population is not None:
            self.hits += 1
            self._entries.move_to_end(key)
            return population
        self.misses += 1
        population = gb.population(scenario, samples, seed)
        self._entries[key] = population
        while len(self._entries) > 1 and self.worlds > self.max_worlds:
            self._entries.popitem(last=False)
        return population

    @property
    def worlds(self) -> int:
        """Worlds held in all."""
        return sum(p.n for p in self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)


class ResultCache:
    """The last ``size`` results of a slow analysis, by their arguments (worker thread only)."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._entries: OrderedDict[str, object] = OrderedDict()

    def get_or_compute(self, key: str, compute: Callable[[], T]) -> T:
        """The cached result for ``key``, or ``compute()`` kept under it."""
        if key in self._entries:
            self._entries.move_to_end(key)
            return self._entries[key]  # type: ignore[return-value]
        value = compute()
        self._entries[key] = value
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return value
