"""Heavy questions run once per distinct question, bounded in number, and report progress and errors."""

from __future__ import annotations

import threading

import pytest

from matchday.data.errors import MatchdayError
from matchday.web.jobs import JobRunner
from matchday.web.services import BusyError


def test_same_question_same_job_and_progress():
    release = threading.Event()
    runner = JobRunner(workers=1)

    def work(progress):
        progress(1, 4)
        release.wait(5)
        progress(4, 4)
        return "answer"

    first = runner.submit("q1", "question 1", work)
    second = runner.submit("q1", "question 1", work)
    assert second is first
    release.set()
    assert first.wait(5) and first.status == "done" and first.result == "answer"
    assert first.to_dict()["progress"] == 1.0
    third = runner.submit("q1", "question 1", work)  # asked again after it finished: a new job
    assert third is not first
    assert third.wait(5)
    runner.shutdown()


def test_queue_is_bounded():
    release = threading.Event()
    runner = JobRunner(workers=1, max_pending=1)
    runner.submit("running", "a", lambda progress: release.wait(5))
    runner.submit("queued", "b", lambda progress: None)
    with pytest.raises(BusyError, match="already waiting"):
        runner.submit("refused", "c", lambda progress: None)
    assert runner.stats()["queued"] == 1
    release.set()
    runner.shutdown()


def test_user_errors_and_crashes_are_reported_without_tracebacks():
    runner = JobRunner(workers=1)

    def bad_input(progress):
        raise MatchdayError("unknown team 'X'")

    def bug(progress):
        raise ZeroDivisionError("boom")

    user = runner.submit("u", "user", bad_input)
    crash = runner.submit("c", "crash", bug)
    assert user.wait(5) and crash.wait(5)
    assert user.status == "failed" and isinstance(user.user_error, MatchdayError)
    assert user.error == "unknown team 'X'"
    assert crash.status == "failed" and crash.user_error is None
    assert "boom" not in crash.error and "internal error" in crash.error
    assert runner.get(user.id) is user and runner.get("nope") is None
    runner.shutdown()


def test_a_job_past_the_time_limit_is_stopped_at_its_next_progress_report():
    from matchday.web.services import JobTimeoutError

    runner = JobRunner(workers=1, max_seconds=0.2)
    steps = []

    def slow(progress):
        for step in range(100):
            steps.append(step)
            progress(step, 100)
            threading.Event().wait(0.05)
        return "never"

    job = runner.submit("slow", "slow", slow)
    assert job.wait(10) and job.status == "failed"
    assert isinstance(job.user_error, JobTimeoutError) and "limit of 0.2 s" in job.error
    assert 3 <= len(steps) < 100  # it ran past the limit, then stopped at a progress report
    quick = runner.submit("quick", "quick", lambda progress: progress(1, 1) or "answer")
    assert quick.wait(5) and quick.result == "answer"
    assert runner.stats()["max_seconds"] == 0.2
    runner.shutdown()
    with pytest.raises(ValueError, match="max_seconds"):
        JobRunner(max_seconds=0)
