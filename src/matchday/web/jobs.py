"""Heavy questions run in the background, once per distinct question, with progress.

:class:`JobRunner` owns a small pool of worker threads (default 2, one per core of the reference
machine). Submitting a question whose job is already queued or running returns that job (one computation
per distinct question); a finished job keeps its result for a while so a poll finds it. At most
``max_pending`` jobs wait at once; past that :class:`~matchday.web.services.BusyError` (HTTP 429) asks the
client to come back. A job that runs longer than ``max_seconds`` is stopped the next time it reports progress
(:class:`~matchday.web.services.JobTimeoutError`, HTTP 503): threads cannot be killed, so the bound holds to
within one progress step (a chunk of simulations, a plan, a matchday). The numeric work releases the GIL for
most of its time, so the request threads keep answering cached pages while a simulation runs
(``bench/bench_web.py`` measures it).

This module knows nothing about football: it runs callables ``work(progress) -> result``.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from matchday.data.errors import MatchdayError
from matchday.web.services import BusyError, JobTimeoutError

log = logging.getLogger("matchday.web")


@dataclass
class Job:
    """One heavy question being answered. ``status``: queued, running, done or failed."""

    id: str
    key: str
    label: str
    status: str = "queued"
    done: int = 0
    total: int = 0
    result: Any = None
    error: str | None = None
    user_error: MatchdayError | None = None  # the bad-input error (its message and HTTP status), None for a crash
    created: float = field(default_factory=time.monotonic)
    started: float | None = None
    finished: float | None = None
    _event: threading.Event = field(default_factory=threading.Event, repr=False)

    def progress(self, done: int, total: int) -> None:
        self.done, self.total = int(done), int(total)

    def wait(self, seconds: float) -> bool:
        """Block up to ``seconds``; True when the job has finished (done or failed)."""
        return self._event.wait(max(0.0, seconds))

    @property
    def finished_ok(self) -> bool:
        return self.status == "done"

    def to_dict(self) -> dict[str, Any]:
        share = (self.done / self.total) if self.total else (1.0 if self.status == "done" else 0.0)
        now = time.monotonic()
        return {"id": self.id, "label": self.label, "status": self.status, "done": self.done, "total": self.total,
                "progress": round(min(1.0, share), 4), "error": self.error,
                "seconds": round(((self.finished or now) - (self.started or now)), 3)}


class JobRunner:
    """A bounded worker pool with deduplication by question key."""

    def __init__(self, workers: int = 2, max_pending: int = 16, keep_finished: int = 256,
                 max_seconds: float | None = None) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1 (got {workers})")
        if max_seconds is not None and not max_seconds > 0:
            raise ValueError(f"max_seconds must be positive or None (got {max_seconds})")
        self.workers = workers
        self.max_seconds = max_seconds
        self.max_pending = max_pending
        self.keep_finished = keep_finished
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="matchday-job")
        self._lock = threading.Lock()
        self._active: dict[str, Job] = {}  # key -> queued or running job
        self._jobs: OrderedDict[str, Job] = OrderedDict()  # id -> job (recent ones)

    def submit(self, key: str, label: str, work: Callable[[Callable[[int, int], None]], Any]) -> Job:
        with self._lock:
            job = self._active.get(key)
            if job is not None:
                return job
            waiting = sum(1 for j in self._active.values() if j.status == "queued")
            if waiting >= self.max_pending:
                raise BusyError(f"{waiting} heavy questions are already waiting; try again in a few seconds")
            job = Job(id=uuid.uuid4().hex[:16], key=key, label=label)
            self._active[key] = job
            self._jobs[job.id] = job
            while len(self._jobs) > self.keep_finished:
                oldest_id, oldest = next(iter(self._jobs.items()))
                if oldest.status in ("queued", "running"):
                    break
                self._jobs.pop(oldest_id)
        self._pool.submit(self._run, job, work)
        return job

    def _run(self, job: Job, work: Callable[[Callable[[int, int], None]], Any]) -> None:
        job.status, job.started = "running", time.monotonic()
        limit = self.max_seconds

        def progress(done: int, total: int) -> None:
            job.progress(done, total)
            if limit is not None and time.monotonic() - job.started > limit:
                raise JobTimeoutError(f"this question took longer than the server's limit of {limit:g} s and was "
                                      "stopped; ask for fewer simulations, or use the command line")

        try:
            job.result = work(progress)
            job.status = "done"
        except MatchdayError as exc:
            job.status, job.error, job.user_error = "failed", str(exc), exc
        except Exception:  # a bug, not bad input: logged with its traceback, reported without it
            log.exception("job %s (%s) failed", job.id, job.label)
            job.status, job.error = "failed", "internal error while computing this answer (see the server log)"
        finally:
            job.finished = time.monotonic()
            with self._lock:
                if self._active.get(job.key) is job:
                    self._active.pop(job.key)
            job._event.set()

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def stats(self) -> dict[str, int]:
        with self._lock:
            active = list(self._active.values())
        return {"workers": self.workers, "running": sum(j.status == "running" for j in active),
                "queued": sum(j.status == "queued" for j in active), "max_pending": self.max_pending,
                "max_seconds": self.max_seconds}

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
