"""The executor interface: serial, local processes and Dask give the same results, in task order.

Real data: a walk-forward of the Premier League (second half of 2023-24, trained on 2022-23 on) run by the
serial, process and Dask executors (a LocalCluster of worker threads, and one of worker processes) must give
exactly equal forecasts and fit records.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pandas as pd
import pytest

from matchday.data.errors import MatchdayError
from matchday.evaluate.backtest import walk_forward_many
from matchday.evaluate.executor import (
    DaskExecutor,
    ProcessExecutor,
    SerialExecutor,
    TaskError,
    executor_for,
    single_threaded_blas,
)
from matchday.models import DixonColes, Elo, Poisson

START = "2024-03-01"  # EPL 2023-24 from March: ~100 matches, ~11 weekly blocks
TIMING = ["fit_seconds", "predict_seconds"]


# ------------------------------------------------------------------------------------- task functions
def _square_after(shared: dict, task: int) -> tuple[int, int]:
    """Sleeps so that later tasks can finish first; returns (task, shared offset + task^2)."""
    time.sleep(shared["sleep"].get(task, 0.0))
    if task in shared.get("fail", ()):
        raise ValueError(f"task {task} refuses")
    return task, shared["offset"] + task * task


def _blas_threads(shared: None, task: int) -> int:
    from threadpoolctl import threadpool_info

    return max((i["num_threads"] for i in threadpool_info() if i.get("user_api") == "blas"), default=1)


@pytest.fixture(scope="module")
def dask_threads(distributed):
    with DaskExecutor(n_workers=2, processes=False) as executor:
        yield executor


def _executors(dask_threads) -> list:
    return [SerialExecutor(), ProcessExecutor(2), dask_threads]


def test_results_come_back_in_task_order_whatever_finishes_first(dask_threads) -> None:
    tasks = list(range(6))
    shared = {"offset": 100, "sleep": {0: 0.3, 1: 0.2}}  # the first tasks finish last
    expected = [(t, 100 + t * t) for t in tasks]
    for executor in _executors(dask_threads):
        seen: list[tuple[int, int, str]] = []
        out = executor.map(_square_after, tasks, shared=shared, cost=[1, 1, 5, 5, 9, 9],
                           labels=[f"t{t}" for t in tasks], progress=lambda d, n, label, seen=seen: seen.append(
                               (d, n, label)))
        assert out == expected, executor
        assert [d for d, _, _ in seen] == list(range(1, 7)) and {n for _, n, _ in seen} == {6}
        assert sorted(label for _, _, label in seen) == [f"t{t}" for t in tasks]
        assert len(executor.seconds) == 6 and executor.seconds[0] >= 0.25  # each task's own run time


def test_a_failing_task_names_itself_and_its_error(dask_threads) -> None:
    shared = {"offset": 0, "sleep": {}, "fail": {3}}
    for executor in _executors(dask_threads):
        with pytest.raises(TaskError, match=r"task-three: ValueError: task 3 refuses"):
            executor.map(_square_after, range(5), shared=shared, labels=["a", "b", "c", "task-three", "e"])


def test_every_task_runs_with_single_threaded_blas(dask_threads) -> None:
    for executor in _executors(dask_threads):
        assert executor.map(_blas_threads, range(3)) == [1, 1, 1], executor


def test_the_blas_limit_is_shared_by_concurrent_tasks_and_given_back() -> None:
    from threadpoolctl import threadpool_info

    def blas() -> int:
        return max((i["num_threads"] for i in threadpool_info() if i.get("user_api") == "blas"), default=1)

    before = blas()
    with single_threaded_blas():  # what map() holds in the calling thread
        assert blas() == 1
        done = []

        def task() -> None:
            with single_threaded_blas():
                done.append(blas())

        worker = threading.Thread(target=task)
        worker.start()
        worker.join()
        assert done == [1] and blas() == 1  # a task ending on another thread does not lift the limit
    assert blas() == before


def test_empty_maps_and_bad_arguments() -> None:
    executor = SerialExecutor()
    assert executor.map(_square_after, [], shared={"offset": 0, "sleep": {}}) == []
    with pytest.raises(ValueError, match="2 costs for 3 tasks"):
        executor.map(_square_after, [1, 2, 3], shared={"offset": 0, "sleep": {}}, cost=[1, 2])
    with pytest.raises(ValueError, match="1 labels for 2 tasks"):
        executor.map(_square_after, [1, 2], shared={"offset": 0, "sleep": {}}, labels=["x"])


def test_scheduler_texts() -> None:
    assert isinstance(executor_for("serial"), SerialExecutor)
    assert isinstance(executor_for(None, 1), SerialExecutor)
    local = executor_for(None, 2)
    assert isinstance(local, ProcessExecutor) and local.workers == 2
    three = executor_for("processes:3")
    assert isinstance(three, ProcessExecutor) and three.workers == 3
    for bad in ("processes:0", "local:x", "local:", "yarn://cluster", "8786"):
        with pytest.raises(MatchdayError, match="--scheduler"):
            executor_for(bad)


def test_an_unreachable_scheduler_is_one_clear_error(distributed) -> None:
    import socket

    with socket.socket() as probe:  # a free port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(MatchdayError, match=f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}"):
        DaskExecutor(f"tcp://127.0.0.1:{port}", timeout=1)


def test_workers_running_other_matchday_code_are_refused(monkeypatch, distributed) -> None:
    import matchday.evaluate.executor as executor_module

    real = executor_module.environment

    def on_a_worker_other_code() -> dict[str, str]:
        env = real()
        if threading.current_thread() is threading.main_thread():  # the client's own check
            return env
        return {**env, "code": "0123456789abcdef"}  # an in-process worker (its event-loop thread)

    monkeypatch.setattr(executor_module, "environment", on_a_worker_other_code)
    with pytest.raises(MatchdayError, match="install the same matchday on every worker"):
        DaskExecutor(n_workers=1, processes=False)


# ------------------------------------------------------------------------------------- real data
@pytest.fixture(scope="module")
def epl(shared_data):
    from matchday.data.sources.footballdata import read_footballdata
    from matchday.evaluate.backtest import frames_from_matches

    matches = []
    for season in ("2223", "2324"):
        matches += read_footballdata(shared_data / "football-data" / "mmz4281" / season / "E0.csv")
    return frames_from_matches(matches)


def _run(executor, epl):
    frame, odds = epl
    factories = {"poisson": Poisson, "dixon-coles": DixonColes, "elo": Elo}
    return walk_forward_many(factories, frame, competitions=["E0"], seasons=["2023-24"], start=START,
                             history_seasons=1, odds=odds, executor=executor)


def _assert_same(a, b) -> None:
    pd.testing.assert_frame_equal(a.forecasts, b.forecasts, check_exact=True)
    pd.testing.assert_frame_equal(a.fits.drop(columns=TIMING), b.fits.drop(columns=TIMING), check_exact=True)
    assert list(a.unit_seconds["matches"]) == list(b.unit_seconds["matches"])


def test_backtests_are_identical_on_serial_process_and_dask_executors(epl, dask_threads) -> None:
    serial = _run(SerialExecutor(), epl)
    processes = _run(ProcessExecutor(2), epl)
    on_dask = _run(dask_threads, epl)
    _assert_same(serial, processes)
    _assert_same(serial, on_dask)
    # the run is real: three models, ~100 matches, refitted weekly, scored against the market
    forecasts = serial.forecasts
    assert set(forecasts["model"]) == {"base_rates", "poisson", "dixon-coles", "elo", "market_close", "market_pre"}
    models = forecasts[forecasts["model"].isin(["poisson", "dixon-coles", "elo"])]
    assert np.allclose(models[["p_home", "p_draw", "p_away"]].sum(axis=1), 1.0)
    fits = serial.fits[serial.fits["model"] == "dixon-coles"]
    assert len(fits) == forecasts[forecasts["model"] == "dixon-coles"]["block"].nunique() >= 8
    assert serial.settings["executor"].startswith("serial") and on_dask.settings["executor"].startswith("dask")


def test_a_dask_process_cluster_gives_the_same_backtest(epl, distributed) -> None:
    """Worker processes (spawned, so every object crosses by pickle) agree with the serial run exactly."""
    serial = _run(SerialExecutor(), epl)
    with DaskExecutor(n_workers=2, processes=True) as executor:
        assert executor.workers == 2 and executor.describe().startswith("dask local:2")
        on_processes = _run(executor, epl)
    _assert_same(serial, on_processes)


def test_a_model_that_fails_stops_the_run_naming_unit_and_model(epl, dask_threads) -> None:
    frame, _ = epl
    for executor in (SerialExecutor(), dask_threads):
        with pytest.raises(TaskError, match=r"E0 2023-24 broken: ValueError: .*shrinkage"):
            walk_forward_many({"poisson": Poisson, "broken": lambda: Poisson(shrinkage=-1.0)}, frame,
                              competitions=["E0"], seasons=["2023-24"], start=START, history_seasons=1,
                              executor=executor)
