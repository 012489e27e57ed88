"""One interface for running many independent tasks: here, in local processes, or on a Dask cluster.

Walk-forward backtests (:func:`matchday.evaluate.backtest.walk_forward_many`) and parameter sweeps
(:mod:`matchday.evaluate.sweep`) hand their work to an :class:`Executor`; nothing in them depends on which
one runs it.

The task model
--------------
``executor.map(fn, tasks, shared=..., cost=..., labels=..., progress=...)`` returns
``[fn(shared, task) for task in tasks]``, in the order of ``tasks`` whatever order they finished in.

* ``fn`` is a module-level function (workers import it by name, so every worker needs the same matchday);
* ``shared`` is one object every task reads (the match frame, the model factories): it is shipped once per
  worker (a forked process inherits it; a Dask cluster gets it scattered to every worker), never per task;
* each ``task`` is a small picklable object (which unit, which models); its result is pickled back;
* ``cost`` (optional, one number per task) orders the work heaviest first so that the workers finish
  together; it never changes a result.

Results are identical whichever executor ran them: a task's result depends only on ``shared`` and the task
(models are deterministic, and every random step elsewhere takes a seed), results are assembled by task
index, and every task runs with single-threaded BLAS in every executor (a multi-threaded BLAS may round a
sum differently with a different number of threads). Work that depends on earlier results (a stacking
model that needs its members' out-of-sample forecasts) runs as two maps: the second one's ``shared`` holds
the first one's results.

Executors
---------
* :class:`SerialExecutor`: here, one task after another (the reference);
* :class:`ProcessExecutor`: a pool of local processes (fork where the platform has it, so ``shared`` may
  hold lambdas; spawn elsewhere, where it must pickle);
* :class:`DaskExecutor`: a Dask distributed cluster, either a ``LocalCluster`` started here
  (``local:N``) or a running scheduler (``tcp://host:port``). Needs ``pip install 'matchday[distributed]'``.
  On connecting it checks that every worker runs the same matchday code as this process.

:func:`executor_for` turns the command line's ``--scheduler`` / ``--jobs`` into one of them.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any

from matchday.data.errors import MatchdayError

log = logging.getLogger(__name__)

TaskFunction = Callable[[Any, Any], Any]
"""``fn(shared, task) -> result``: a module-level function."""

Progress = Callable[[int, int, str], None]
"""``progress(done, total, label)``: called here (never on a worker) after each finished task."""

SCHEDULER_HELP = ("serial, processes[:N] (local processes, the default), local:N (a Dask LocalCluster of N "
                  "worker processes) or a Dask scheduler address such as tcp://host:8786")
DASK_PROTOCOLS = ("tcp://", "tls://", "ucx://", "inproc://", "ws://", "wss://")


class TaskError(MatchdayError):
    """A task failed on a worker. The message names the task and the original error (its type and text);
    it is a plain one-argument exception so that it crosses process boundaries intact."""


# --------------------------------------------------------------------------------------------------- helpers
_BLAS_LOCK = threading.Lock()
_BLAS_DEPTH = 0
_BLAS_LIMITER: Any = None


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """BLAS limited to one thread while any task of this process runs (safe when tasks run on threads).

    The limit is process-wide (threadpoolctl), so it is taken by the first running task and given back by
    the last one; nested and concurrent uses share it. :meth:`Executor.map` also holds it in the calling
    thread for the whole map: OpenBLAS (0.3.30 here) ignores a limit set from another thread once the main
    thread has set one, so worker threads in this process could not take it themselves. Worker processes
    take it in their own main thread (process pool) or have it from Dask's nanny
    (``OPENBLAS_NUM_THREADS=1``) and take it again per task.
    """
    global _BLAS_DEPTH, _BLAS_LIMITER
    with _BLAS_LOCK:
        if _BLAS_DEPTH == 0:
            try:
                from threadpoolctl import threadpool_limits

                _BLAS_LIMITER = threadpool_limits(limits=1, user_api="blas")
            except ImportError:  # pragma: no cover - threadpoolctl is a dependency
                _BLAS_LIMITER = None
        _BLAS_DEPTH += 1
    try:
        yield
    finally:
        with _BLAS_LOCK:
            _BLAS_DEPTH -= 1
            if _BLAS_DEPTH == 0 and _BLAS_LIMITER is not None:
                _BLAS_LIMITER.restore_original_limits()
                _BLAS_LIMITER = None


def environment() -> dict[str, str]:
    """What a worker runs: matchday's version and code fingerprint, Python and the numeric libraries."""
    import platform

    import numpy
    import pandas
    import scipy

    import matchday
    from matchday.models.cache import code_fingerprint

    return {"matchday": matchday.__version__, "code": code_fingerprint(), "python": platform.python_version(),
            "numpy": numpy.__version__, "scipy": scipy.__version__, "pandas": pandas.__version__}


def _run(fn: TaskFunction, shared: Any, task: Any, label: str) -> tuple[Any, float]:
    """One task with single-threaded BLAS; any failure becomes a :class:`TaskError` naming the task."""
    started = time.perf_counter()
    try:
        with single_threaded_blas():
            result = fn(shared, task)
    except TaskError:
        raise
    except Exception as exc:
        text = str(exc).strip() or "(no message)"
        raise TaskError(f"{label}: {type(exc).__name__}: {text}") from exc
    return result, time.perf_counter() - started


def _labels(tasks: Sequence[Any], labels: Sequence[str] | None) -> list[str]:
    if labels is None:
        return [f"task {i + 1} of {len(tasks)}" for i in range(len(tasks))]
    if len(labels) != len(tasks):
        raise ValueError(f"{len(labels)} labels for {len(tasks)} tasks")
    return [str(label) for label in labels]


def _order(n: int, cost: Sequence[float] | None) -> list[int]:
    """Task indices, heaviest first (stable: equal costs keep their order)."""
    if cost is None:
        return list(range(n))
    if len(cost) != n:
        raise ValueError(f"{len(cost)} costs for {n} tasks")
    return sorted(range(n), key=lambda i: -float(cost[i]))


# --------------------------------------------------------------------------------------------------- executors
class Executor(ABC):
    """Runs ``fn(shared, task)`` for every task and returns the results in task order (see the module doc).

    Use as a context manager (or call :meth:`close`) so that pools and cluster connections are released.
    ``seconds`` holds each task's own run time after a :meth:`map` (timings differ between runs; results do
    not).
    """

    kind: str = "executor"

    def __init__(self) -> None:
        self.seconds: list[float] = []

    @property
    @abstractmethod
    def workers(self) -> int:
        """How many tasks can run at once."""

    @abstractmethod
    def _map(self, fn: TaskFunction, tasks: Sequence[Any], shared: Any, order: list[int], labels: list[str],
             done: Callable[[int, Any, float], None]) -> None:
        """Run every task (in ``order`` of preference) and call ``done(index, result, seconds)`` as each
        finishes, here."""

    def map(self, fn: TaskFunction, tasks: Sequence[Any], *, shared: Any = None, cost: Sequence[float] | None = None,
            labels: Sequence[str] | None = None, progress: Progress | None = None) -> list[Any]:
        """``[fn(shared, task) for task in tasks]``, computed by this executor.

        cost: one number per task (larger = started earlier); labels: one name per task for progress and
        errors; progress: ``progress(done, total, label)`` after each task. A failing task stops the run with
        a :class:`TaskError` naming it.
        """
        tasks = list(tasks)
        names = _labels(tasks, labels)
        order = _order(len(tasks), cost)
        results: list[Any] = [None] * len(tasks)
        seconds = [0.0] * len(tasks)
        finished = 0

        def done(index: int, result: Any, elapsed: float) -> None:
            nonlocal finished
            results[index] = result
            seconds[index] = elapsed
            finished += 1
            if progress is not None:
                progress(finished, len(tasks), names[index])

        if tasks:
            # here as well as in each task: OpenBLAS ignores a limit set from a worker thread once the main
            # thread has set one, so in-process workers (Dask threads) rely on this one
            with single_threaded_blas():
                self._map(fn, tasks, shared, order, names, done)
        self.seconds = seconds
        return results

    def describe(self) -> str:
        """One line: what runs the tasks."""
        return f"{self.kind} ({self.workers} worker{'s' if self.workers != 1 else ''})"

    def close(self) -> None:  # noqa: B027 - most executors hold nothing between maps
        """Release pools and connections (idempotent)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.describe()}>"


class SerialExecutor(Executor):
    """Every task here, one after another, in the given order (the reference for the others)."""

    kind = "serial"

    @property
    def workers(self) -> int:
        return 1

    def _map(self, fn, tasks, shared, order, labels, done) -> None:
        for index in range(len(tasks)):  # task order, not cost order: the reference run is the plain loop
            result, elapsed = _run(fn, shared, tasks[index], labels[index])
            done(index, result, elapsed)


# ------------------------------------------------------------------------------------------ local processes
_WORKER_SHARED: dict[str, Any] = {}


def _install_shared(token: str, shared: Any) -> None:
    """Process-pool initializer: keep the map's shared object for the tasks of this worker."""
    _WORKER_SHARED.clear()
    _WORKER_SHARED[token] = shared


def _process_task(token: str, fn: TaskFunction, task: Any, label: str) -> tuple[Any, float]:
    return _run(fn, _WORKER_SHARED[token], task, label)


class ProcessExecutor(Executor):
    """A pool of ``workers`` local processes, started for each :meth:`map` and stopped after it.

    With the ``fork`` start method (Linux, the default here) the workers inherit ``shared`` without pickling
    it, so model factories may be lambdas; with ``spawn`` (macOS, Windows) ``shared`` is pickled once per
    worker. Tasks and results are pickled.
    """

    kind = "processes"

    def __init__(self, workers: int | None = None, *, start_method: str | None = None) -> None:
        super().__init__()
        count = (os.cpu_count() or 1) if workers is None or workers == -1 else int(workers)
        if count < 1:
            raise MatchdayError(f"processes: {workers} workers; expected at least 1 (or -1 for every core)")
        self._workers = count
        methods = multiprocessing.get_all_start_methods()
        self.start_method = start_method or ("fork" if "fork" in methods else "spawn")

    @property
    def workers(self) -> int:
        return self._workers

    def _map(self, fn, tasks, shared, order, labels, done) -> None:
        if self._workers == 1 or len(tasks) == 1:
            for index in order:
                result, elapsed = _run(fn, shared, tasks[index], labels[index])
                done(index, result, elapsed)
            return
        token = uuid.uuid4().hex
        context = multiprocessing.get_context(self.start_method)
        with ProcessPoolExecutor(max_workers=min(self._workers, len(tasks)), mp_context=context,
                                 initializer=_install_shared, initargs=(token, shared)) as pool:
            pending = {pool.submit(_process_task, token, fn, tasks[i], labels[i]): i for i in order}
            try:
                while pending:
                    finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in finished:
                        index = pending.pop(future)
                        result, elapsed = future.result()
                        done(index, result, elapsed)
            except BaseException:
                for future in pending:
                    future.cancel()
                raise


# ------------------------------------------------------------------------------------------------------ dask
def _dask_task(fn: TaskFunction, shared: Any, task: Any, label: str) -> tuple[Any, float]:
    return _run(fn, shared, task, label)


def _require_dask(what: str) -> Any:
    try:
        import distributed
    except ImportError:
        raise MatchdayError(f"{what} needs Dask distributed, which is not installed: "
                            "pip install 'matchday[distributed]'") from None
    return distributed


class DaskExecutor(Executor):
    """Tasks on a Dask distributed cluster.

    address: a running scheduler (``tcp://host:8786``); or ``n_workers`` to start a ``LocalCluster`` here
    (``processes=True``: one single-threaded worker process each; ``processes=False``: worker threads in this
    process, for tests); or ``client``: an existing ``distributed.Client`` (not closed by :meth:`close`).

    ``shared`` is scattered to every worker once per :meth:`map` and released after it; tasks are submitted
    with their cost as priority. On connecting, every worker's matchday version and code fingerprint are
    compared with this process's (a mismatch is an error: the numbers could differ); different NumPy, SciPy or
    pandas versions are logged as a warning. Workers need matchday installed, not the store: the match frame
    travels in ``shared``.
    """

    kind = "dask"

    def __init__(self, address: str | None = None, *, n_workers: int | None = None, processes: bool = True,
                 threads_per_worker: int = 1, client: Any = None, timeout: float = 20.0,
                 check_workers: bool = True) -> None:
        super().__init__()
        distributed = _require_dask(f"the Dask scheduler {address}" if address else "a Dask LocalCluster")
        self._cluster = None
        self._own_client = client is None
        if client is not None:
            self.client = client
            self.address = str(client.scheduler.address)
        elif address is not None:
            self.address = address
            try:
                self.client = distributed.Client(address, timeout=f"{timeout}s", set_as_default=False)
            except (OSError, TimeoutError) as exc:
                raise MatchdayError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        else:
            count = n_workers or os.cpu_count() or 1
            if count < 1:
                raise MatchdayError(f"local:{n_workers}: expected at least one worker")
            self._cluster = distributed.LocalCluster(n_workers=count, threads_per_worker=threads_per_worker,
                                                     processes=processes, dashboard_address=None,
                                                     worker_dashboard_address=None,
                                                     scheduler_kwargs={"dashboard": False,  # health page only
                                                                       "dashboard_address": "127.0.0.1:0"},
                                                     silence_logs=logging.CRITICAL)
            self.client = distributed.Client(self._cluster, set_as_default=False)
            self.address = f"local:{count}" + ("" if processes else " (threads)")
        try:
            self._wait_for_workers(timeout)
            if check_workers:
                self.check_workers()
        except BaseException:
            self.close()
            raise

    def _wait_for_workers(self, timeout: float) -> None:
        try:
            self.client.wait_for_workers(1, timeout=timeout)
        except (OSError, TimeoutError):
            raise MatchdayError(f"the Dask scheduler at {self.address} has no workers after {timeout:.0f} s: start "
                                f"some with `dask worker {self.address}`") from None

    @property
    def workers(self) -> int:
        info = self.client.scheduler_info()["workers"]
        return max(1, sum(int(w.get("nthreads", 1)) for w in info.values()))

    def check_workers(self) -> dict[str, dict[str, str]]:
        """Every worker's :func:`environment`; raises when one runs other matchday code than this process."""
        here = environment()
        try:
            theirs = self.client.run(environment)
        except Exception as exc:  # the worker could not unpickle or run the check
            raise MatchdayError(f"a worker of {self.address} cannot import matchday ({exc}): install the same "
                                "matchday on every worker (docs/sweeps.md)") from None
        for worker, env in sorted(theirs.items()):
            if (env["matchday"], env["code"]) != (here["matchday"], here["code"]):
                raise MatchdayError(
                    f"worker {worker} runs matchday {env['matchday']} (code {env['code']}), this process "
                    f"{here['matchday']} (code {here['code']}): install the same matchday on every worker")
            different = [f"{k} {env[k]} (here {here[k]})" for k in ("python", "numpy", "scipy", "pandas")
                         if env[k] != here[k]]
            if different:
                log.warning("worker %s runs %s: results may differ in the last digits", worker, ", ".join(different))
        return theirs

    def _map(self, fn, tasks, shared, order, labels, done) -> None:
        distributed = _require_dask("a Dask executor")
        run = uuid.uuid4().hex[:12]
        shared_future = self.client.scatter(shared, broadcast=True, hash=False)
        rank = {index: len(order) - position for position, index in enumerate(order)}
        futures = {}
        try:
            for index in order:
                future = self.client.submit(_dask_task, fn, shared_future, tasks[index], labels[index], pure=False,
                                            priority=rank[index], key=f"matchday-{run}-{index}")
                futures[future.key] = (future, index)
            for future in distributed.as_completed([f for f, _ in futures.values()], loop=self.client.loop):
                index = futures[future.key][1]
                result, elapsed = future.result()
                done(index, result, elapsed)
        except BaseException:
            self.client.cancel([f for f, _ in futures.values()])
            raise
        finally:
            self.client.cancel([shared_future])

    def describe(self) -> str:
        return f"dask {self.address} ({self.workers} worker thread{'s' if self.workers != 1 else ''})"

    def close(self) -> None:
        if self._own_client and getattr(self, "client", None) is not None:
            self.client.close()
            self.client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


# --------------------------------------------------------------------------------------------------- choosing
def executor_for(scheduler: str | None = None, jobs: int | None = None) -> Executor:
    """The executor a ``--scheduler`` text names (see :data:`SCHEDULER_HELP`).

    None or ``"processes"``: local processes, ``jobs`` of them (``-1`` or None = every core; 1 = serial).
    ``"processes:N"``: N local processes. ``"serial"``: here. ``"local:N"``: a Dask LocalCluster of N worker
    processes. ``tcp://host:port`` (or another Dask protocol): that Dask scheduler.
    """
    text = (scheduler or "").strip()
    if not text or text == "processes":
        count = (os.cpu_count() or 1) if jobs is None or jobs == -1 else int(jobs)
        return SerialExecutor() if count <= 1 else ProcessExecutor(count)
    if text == "serial":
        return SerialExecutor()
    if text.startswith(("processes:", "local:")):
        kind, _, number = text.partition(":")
        try:
            count = int(number)
        except ValueError:
            count = 0
        if count < 1:
            raise MatchdayError(f"--scheduler {text!r}: expected a number of workers >= 1 after '{kind}:' "
                                f"(e.g. {kind}:2)")
        return ProcessExecutor(count) if kind == "processes" else DaskExecutor(n_workers=count)
    if text.startswith(DASK_PROTOCOLS):
        return DaskExecutor(text)
    raise MatchdayError(f"--scheduler {text!r}: expected {SCHEDULER_HELP}")
