"""Where the web app computes: one worker thread, one analysis process, time limits, caches.

Interactive work (parsing a scenario, sampling worlds, evaluating offers) runs on
a single worker thread, one job at a time (:class:`ComputeWorker`). Two reasons:
numba's default threading layer aborts the whole process when ``parallel=True``
code is entered from several threads at once, and the engine already uses every
core for one job, so running jobs side by side would only make each one slower.
Requests queue for the worker; the time limit counts from the moment a job starts
on the worker, never the time spent queueing. Python cannot stop a running
thread, so a job that overruns is abandoned: its request gets a
:class:`ComputeTimeout` at once, and the job itself stops at its next
:meth:`Deadline.check` (between sampling and the engine), freeing the worker.

Slow analyses (the optimiser, Sobol' indices: seconds to minutes) run in one
separate process (:class:`AnalysisProcess`), one at a time, so that sliders stay
live meanwhile. Its numba runtime is its own, so the rule above holds in each
process, and a job that overruns its limit is stopped for real: the process is
killed and a fresh one started. The same happens at once when the client whose
request waits for the job disconnects (:meth:`AnalysisProcess.run` cancelled).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

import goldenbridge as gb
from goldenbridge.scenario import InputError, ScenarioError

__all__ = [
    "AnalysisCancelled",
    "AnalysisFailed",
    "AnalysisProcess",
    "ComputeTimeout",
    "ComputeWorker",
    "Deadline",
    "PopulationCache",
    "ResultCache",
    "Timed",
]

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

    def __init__(self, seconds: float, abandoned: threading.Event | None = None) -> None:
        self.seconds = seconds
        self.started = time.perf_counter()
        self.end = self.started + seconds
        self.abandoned = abandoned

    def check(self) -> None:
        """Raise :class:`ComputeTimeout` when the job's time is up or nobody waits for it."""
        if time.perf_counter() > self.end or (
            self.abandoned is not None and self.abandoned.is_set()
        ):
            raise ComputeTimeout(self.seconds)

    @property
    def elapsed(self) -> float:
        """Seconds since the job started on the worker."""
        return time.perf_counter() - self.started


@dataclass(frozen=True)
class Timed(Generic[T]):
    """A job's result, the compute time it took and the time it waited for the worker;
    ``sample_s``: the part of the compute spent sampling worlds (a population's first
    request)."""

    value: T
    compute_s: float
    queue_s: float
    sample_s: float = 0.0


class ComputeWorker:
    """Runs jobs one at a time on one thread, each under a compute-time limit.

    Parameters
    ----------
    time_limit : float
        Seconds of compute time allowed to one job (queueing not counted).
    threads : int or None
        numba's threads for the worker's jobs (:func:`numba.set_num_threads` is per
        thread); None: all of them.
    """

    def __init__(self, time_limit: float, threads: int | None = None) -> None:
        self.time_limit = time_limit
        self.threads = threads
        self._executor = ThreadPoolExecutor(
            max_workers=1,
            thread_name_prefix="goldenbridge-worker",
            initializer=None if threads is None else partial(_numba_threads, threads),
        )

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
            deadline = Deadline(self.time_limit, abandoned)
            loop.call_soon_threadsafe(mark_started)
            value = job(deadline)
            return Timed(value, deadline.elapsed, deadline.started - queued)

        result = asyncio.wrap_future(self._executor.submit(task))
        try:
            waiting: set[asyncio.Future[Any]] = {started, result}
            await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
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


def _numba_threads(threads: int) -> None:
    """The worker thread's own share of numba's threads."""
    import numba

    numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))  # type: ignore[attr-defined]


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
    """The last ``size`` results of slow analyses, by their arguments (event loop only)."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._entries: OrderedDict[str, Any] = OrderedDict()

    def get(self, key: str) -> Any:
        """The result kept under ``key``, or None."""
        if key in self._entries:
            self._entries.move_to_end(key)
        return self._entries.get(key)

    def put(self, key: str, value: Any) -> None:
        """Keep ``value`` under ``key``, forgetting the oldest beyond ``size``."""
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)


class AnalysisFailed(Exception):
    """An analysis raised something other than a :class:`ScenarioError` in its process."""


class AnalysisCancelled(Exception):
    """The request waiting for an analysis went away, and the analysis was stopped."""


#: How often a waiting analysis looks whether its request was cancelled (seconds).
_POLL_S = 0.05


def _exit_with(parent: int) -> None:
    """End this process as soon as ``parent`` is gone (killed with SIGKILL, say): a
    job under way would otherwise keep running, orphaned, until it finished."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="goldenbridge-parent-watch", daemon=True).start()


def _serve_analyses(connection: Connection, parent: int | None = None) -> None:
    """The analysis process: run ``(function, arguments)`` jobs until the pipe closes
    or the parent process ends.

    Domain errors travel back as (field, message, file); anything else only by its type,
    so that no stack trace reaches a client.
    """
    if parent is not None:
        _exit_with(parent)
    while True:
        try:
            function, arguments = connection.recv()
        except (EOFError, OSError):
            return
        try:
            connection.send(("ok", function(*arguments)))
        except InputError as exc:  # bad input (ScenarioError or a bad argument)
            connection.send(("scenario", (exc.path, exc.message, exc.file)))
        except Exception as exc:  # noqa: BLE001 (reported to the parent, which logs it)
            connection.send(("failed", f"{type(exc).__name__}: {exc}"))


def _ready() -> bool:
    """The first job of a new process: answers once the process has imported goldenbridge."""
    return True


class AnalysisProcess:
    """Runs slow analyses in one child process, one at a time, each under a time limit.

    Parameters
    ----------
    time_limit : float
        Seconds one job may run once the process has it (queueing and starting
        the process not counted); past it the process is killed.

    Notes
    -----
    Jobs are ``(function, arguments)`` pairs that pickle: a module-level function
    and plain data or scenarios. The process is started with ``spawn`` (a fork
    would copy the parent's numba threads) when first needed or by :meth:`start`.
    """

    def __init__(self, time_limit: float) -> None:
        self.time_limit = time_limit
        self._context = multiprocessing.get_context("spawn")
        self._process: Any = None
        self._connection: Connection | None = None
        self._lock = threading.Lock()  # one job at a time, across the threads that wait
        self.cancelled = 0  # running jobs stopped because their request went away

    async def run(self, function: Callable[..., T], *arguments: Any) -> Timed[T]:
        """Queue ``function(*arguments)`` for the process and wait for its result.

        Cancelling the awaiting task (its client went away) stops the job at once: a
        queued job never starts, a running one has its process killed and replaced.

        Raises
        ------
        ComputeTimeout
            When the job runs past the limit (the process is then replaced).
        ScenarioError
            What the analysis raised about its input.
        AnalysisFailed
            Anything else it raised.
        """
        cancelled = threading.Event()
        try:
            return await asyncio.to_thread(self._call, function, arguments, cancelled)
        except asyncio.CancelledError:
            cancelled.set()  # the thread sees it within _POLL_S and stops the process
            raise

    def _call(
        self, function: Callable[..., T], arguments: tuple[Any, ...], cancelled: threading.Event
    ) -> Timed[T]:
        queued = time.perf_counter()
        with self._lock:
            if cancelled.is_set():  # nobody waits for it any more
                raise AnalysisCancelled("the request was cancelled before its analysis started")
            connection = self._started()
            started = time.perf_counter()
            connection.send((function, arguments))
            while not connection.poll(_POLL_S):
                if cancelled.is_set():
                    self._stop()
                    self.cancelled += 1
                    raise AnalysisCancelled("the request was cancelled: its analysis was stopped")
                if time.perf_counter() - started > self.time_limit:
                    self._stop()
                    raise ComputeTimeout(self.time_limit)
            try:
                kind, value = connection.recv()
            except (EOFError, OSError):
                self._stop()
                raise AnalysisFailed("the analysis process ended unexpectedly") from None
        if kind == "scenario":
            raise ScenarioError(*value)
        if kind == "failed":
            raise AnalysisFailed(value)
        return Timed(value, time.perf_counter() - started, started - queued)

    def start(self) -> None:
        """Start the process now (it then imports goldenbridge while nobody waits)."""
        with self._lock:
            self._started()

    def _started(self) -> Connection:
        if self._process is None or not self._process.is_alive():
            parent, child = self._context.Pipe()
            process = self._context.Process(
                target=_serve_analyses,
                args=(child, os.getpid()),
                name="goldenbridge-analyses",
                daemon=True,
            )
            process.start()
            child.close()
            self._process, self._connection = process, parent
            # Starting takes seconds (imports); no job's time limit should pay for it.
            parent.send((_ready, ()))
            if not parent.poll(120) or parent.recv() != ("ok", True):
                self._stop()
                raise AnalysisFailed("the analysis process did not start")
        assert self._connection is not None
        return self._connection

    def _stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join(5)
        if self._connection is not None:
            self._connection.close()
        self._process = self._connection = None

    def shutdown(self) -> None:
        """Stop the process (a running job is lost)."""
        self._stop()
