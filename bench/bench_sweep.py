"""Sweeps and the executor: scaling with workers, cost per fit, what is shipped; and fit once, use many times.

Run on demand (not part of the test suite)::

    python bench/bench_sweep.py                      # both parts (~3 min on 2 cores)
    python bench/bench_sweep.py --part scaling       # the sweep on 1 and 2 workers only
    python bench/bench_sweep.py --part cache --db STORE   # the model cache on an existing store

Part 1, scaling: one sweep (``--leagues`` x ``--seasons`` x Dixon-Coles with two decay rates, weekly refits,
trained on each league's country) run by the serial executor, local processes (1 and 2) and a Dask
LocalCluster (1 and 2 worker processes). Prints wall time, the speed-up against one worker of the same kind
(the ratio is what to quote: the machine is shared and noisy; the load average before each run is printed),
the cost per fit (fit + predict seconds summed over every refit, divided by the number of refits), the time
the workers were idle or the caller was assembling (workers x wall time minus the tasks' own time) and the
bytes shipped once per worker (the pickled match frame, units and factories). Every
run's forecasts and fit records (timings aside) are compared with the serial run: they must be identical.

Part 2, the fitted-model cache: the full joint Dixon-Coles (every stored league and UEFA competition, three
seasons) as of 15 April 2024, fitted cold (no cache), then loaded from the cache; median of ``--repeat`` runs,
in milliseconds. Without ``--db`` the store is synced from the mirror (2021-22 to 2023-24) into a
temporary folder first (~20 s).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import pickle
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from matchday.data.seasons import season_code
from matchday.data.sources.footballdata import read_footballdata
from matchday.evaluate.backtest import _Job, frames_from_matches
from matchday.evaluate.executor import DaskExecutor, ProcessExecutor, SerialExecutor
from matchday.evaluate.sweep import SweepSpec, run_sweep

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MATCHDAY_SHARED_DATA", REPO.parent / "shared" / "data"))
TIMING = ["fit_seconds", "predict_seconds"]


# --------------------------------------------------------------------------------------------- scaling
def load(leagues: list[str], seasons: list[str], history: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    from matchday.data.competitions import COMPETITIONS
    from matchday.data.seasons import season_start_year

    countries = {COMPETITIONS[c].country for c in leagues}
    codes = sorted(c.code for c in COMPETITIONS.values() if c.kind == "league" and c.country in countries)
    years = [season_start_year(s) for s in seasons]
    matches = []
    for year in range(min(years) - history, max(years) + 1):
        for code in codes:
            path = SHARED / "football-data" / "mmz4281" / season_code(f"{year}-{(year + 1) % 100:02d}") / f"{code}.csv"
            if path.exists():
                matches.extend(read_footballdata(path))
    return frames_from_matches(matches)


def scaling(args: argparse.Namespace) -> None:
    spec = SweepSpec.from_options(args.leagues, args.seasons, ["dixon-coles"], ["dixon-coles.xi=0,0.0019"],
                                  history_seasons=2)
    frame, odds = load(list(spec.leagues), list(spec.seasons), spec.history_seasons)
    print(f"sweep: {spec.describe()}; {len(frame):,} matches in the frame, {os.cpu_count()} cores on this machine")
    runs: dict[str, tuple[float, object]] = {}
    executors = [("serial", lambda: SerialExecutor()), ("processes:1", lambda: ProcessExecutor(1)),
                 ("processes:2", lambda: ProcessExecutor(2))]
    try:
        import distributed  # noqa: F401

        executors += [("dask local:1", lambda: DaskExecutor(n_workers=1)),
                      ("dask local:2", lambda: DaskExecutor(n_workers=2))]
    except ImportError:
        print("dask is not installed (pip install -e '.[distributed]'): Dask rows skipped")
    shipped = None
    for name, make in executors:
        load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        started = time.perf_counter()
        with make() as executor:
            ready = time.perf_counter()
            result = run_sweep(spec, frame, odds=odds, executor=executor)
            wall = time.perf_counter() - ready
            workers = executor.workers
            task_seconds = sum(executor.seconds)
        runs[name] = (wall, result)
        fits = result.backtest.fits
        fitted = fits[~fits["model"].isin([None, "base_rates"]) & ~fits["skipped"].astype(bool)]
        per_fit = (fitted["fit_seconds"] + fitted["predict_seconds"]).sum() / max(1, len(fitted))
        print(f"  {name:<13} wall {wall:6.1f} s (+{ready - started:.1f} s start-up), {len(fitted):,} refits, "
              f"{1000 * per_fit:6.1f} ms per fit (fit + predict), tasks {task_seconds:6.1f} s, idle or assembling "
              f"{max(0.0, workers * wall - task_seconds):5.1f} worker-s; load average before {load_before:.1f}")
        if shipped is None:
            units = result.backtest.unit_seconds
            shipped = len(pickle.dumps(_Job([], spec.factories(), frame, None), protocol=5))
            print(f"  shipped once per worker: {shipped / 1e6:.1f} MB (frame, factories; units add "
                  f"{len(units)} index arrays); per task: a few hundred bytes")
    serial = runs["serial"][1].backtest
    for name, (_, result) in runs.items():
        other = result.backtest
        same = serial.forecasts.equals(other.forecasts) and serial.fits.drop(columns=TIMING).equals(
            other.fits.drop(columns=TIMING))
        print(f"  {name:<13} identical to serial: {'yes' if same else 'NO'}")
    for kind in ("processes", "dask local"):
        one, two = runs.get(f"{kind}:1"), runs.get(f"{kind}:2")
        if one and two:
            print(f"speed-up {kind} 2 workers vs 1: {one[0] / two[0]:.2f}x (ideal 2.00x on 2 idle cores)")
    best = runs["serial"][1]
    print(best.summary().round(4)[["model", "n", "rps", "log_loss", "vs_market_close", "se_market_close",
                                   "rank"]].to_string(index=False))


# --------------------------------------------------------------------------------------------- cache
def cache(args: argparse.Namespace) -> None:
    from matchday.data.store import Store
    from matchday.models.cache import ModelCache
    from matchday.workflows import fit_or_load

    as_of = dt.date(2024, 4, 15)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(args.db) if args.db else Path(tmp) / "store.duckdb"
        if not args.db:
            from matchday.data.fetch import Fetcher, SourceURLs
            from matchday.data.sync import sync

            started = time.perf_counter()
            with Store(db) as store:
                sync(store, None, ["2021-22", "2022-23", "2023-24"], urls=SourceURLs.resolve(mirror=str(SHARED)),
                     fetcher=Fetcher(cache_dir=Path(tmp) / "downloads"))
            print(f"synced 2021-22..2023-24 from {SHARED} in {time.perf_counter() - started:.0f} s")
        fits = ModelCache(Path(tmp) / "fits")
        with Store(db, read_only=True) as store:
            for model in args.models:
                cold = []
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    found = fit_or_load(store, model, as_of, cache=False)
                    cold.append(time.perf_counter() - started)
                started = time.perf_counter()
                first = fit_or_load(store, model, as_of, cache=fits)
                first_seconds = time.perf_counter() - started
                warm = []
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    again = fit_or_load(store, model, as_of, cache=fits)
                    warm.append(time.perf_counter() - started)
                    assert again.cached
                size = first.path.stat().st_size if first.path else 0
                print(f"{model} as of {as_of} on {found.n_matches:,} matches (every stored competition, 3 seasons): "
                      f"cold fit {1000 * statistics.median(cold):.0f} ms (median of {args.repeat}), fit + save "
                      f"{1000 * first_seconds:.0f} ms, cached load {1000 * statistics.median(warm):.1f} ms "
                      f"(median; fingerprint + read + checksum + unpickle), {size / 1e6:.2f} MB on disk; "
                      f"ratio {statistics.median(cold) / statistics.median(warm):.0f}x")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("all", "scaling", "cache"), default="all")
    parser.add_argument("--leagues", nargs="+", default=["E0", "SP1", "I1", "D1", "F1"])
    parser.add_argument("--seasons", default="2021-22:2023-24")
    parser.add_argument("--db", help="an existing store for the cache part (default: sync one from the mirror)")
    parser.add_argument("--models", nargs="+", default=["dixon-coles", "elo"])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    if not SHARED.exists():
        sys.exit(f"no data at {SHARED} (set MATCHDAY_SHARED_DATA)")
    if args.part in ("all", "scaling"):
        scaling(args)
    if args.part in ("all", "cache"):
        cache(args)


if __name__ == "__main__":
    main()
