"""Dixon-Coles fit: time and maximised log-likelihood, side by side with penaltyblog (optional).

    python bench/bench_dixon_coles.py [--data ../shared/data] [--repeats 30] [--blas-threads 1]

Prints, on the Premier League 2022-23 + 2023-24 (760 matches, no time decay, no prior: the model
penaltyblog fits):

* matchday's fit time (median over repeats, data frame in -> fitted model out) and log-likelihood, and the
  same for a warm-started weekly refit and for the default configuration (time decay, prior);
* penaltyblog 1.13.1's DixonColesGoalModel on the same data (if importable: ``pip install
  matchday[bench]``), its time (constructor + fit), its log-likelihood, and the speed ratio;
* the Bundesliga 2022-23 + 2023-24 (612 matches) log-likelihood against the true maximum -1858.4415
  (penaltyblog stops at -1858.620 there, because its gradient leaves out d tau / d lambda).

BLAS threads: both fits do small dense linear algebra (an 80 x 80 Cholesky for matchday, SLSQP's
least-squares subproblems for penaltyblog), where threads only add synchronisation; on a busy machine a
multi-threaded OpenBLAS slows penaltyblog by an order of magnitude. The benchmark therefore pins BLAS to
one thread by default (``--blas-threads 0`` leaves the environment alone); it is set before NumPy loads.
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TRUE_MAX_D1 = -1858.4415
PENALTYBLOG_D1 = -1858.620


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("MATCHDAY_SHARED_DATA",
                                                                          REPO.parent / "shared" / "data")))
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--blas-threads", type=int, default=1, help="0 = leave the environment as it is")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if args.blas_threads > 0:
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[name] = str(args.blas_threads)
    sys.path.insert(0, str(REPO / "src"))
    import numpy as np
    import pandas as pd

    from matchday.models import DixonColes

    def read(division: str, seasons: list[str]) -> pd.DataFrame:
        frames = []
        for season in seasons:
            path = args.data / "football-data" / "mmz4281" / season / f"{division}.csv"
            raw = pd.read_csv(path, encoding="utf-8-sig")
            raw = raw[raw["Div"].notna()]
            frames.append(pd.DataFrame({
                "date": pd.to_datetime(raw["Date"], dayfirst=True, format="mixed"), "competition": division,
                "home": raw["HomeTeam"], "away": raw["AwayTeam"], "home_goals": raw["FTHG"].astype(int),
                "away_goals": raw["FTAG"].astype(int), "neutral": False,
            }))
        return pd.concat(frames, ignore_index=True)

    def timed(function, repeats: int) -> tuple[float, object]:
        result = function()  # warm-up (imports, caches)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            result = function()
            times.append(time.perf_counter() - start)
        return statistics.median(times), result

    if not (args.data / "football-data").exists():
        print(f"shared data not found at {args.data} (use --data)")
        return 1
    epl = read("E0", ["2223", "2324"])
    bundesliga = read("D1", ["2223", "2324"])
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    print(f"Dixon-Coles fit benchmark   (BLAS threads: {threads}, repeats: {args.repeats}, median times)")
    print(f"Premier League 2022-23 + 2023-24: {len(epl)} matches, {epl['home'].nunique()} teams")
    print()

    same_model = {"xi": 0.0, "shrinkage": 0.0, "home_advantage": "single"}
    ours_time, ours = timed(lambda: DixonColes(**same_model).fit(epl), args.repeats)
    print(f"  matchday    DixonColes (no decay, no prior)  {ours_time * 1e3:8.2f} ms   "
          f"log-likelihood {ours.loglik_:.4f}   rho {ours.rho_:+.4f}   Newton iterations {ours.n_iter_}")

    previous = DixonColes(**same_model, warm_start=True).fit(epl, as_of="2024-05-11")  # a week before the end
    warm_time, warm = timed(lambda: copy.copy(previous).fit(epl, as_of="2024-05-19"), args.repeats)
    print(f"  matchday    weekly refit, warm start         {warm_time * 1e3:8.2f} ms   "
          f"log-likelihood {warm.loglik_:.4f}   Newton iterations {warm.n_iter_}")
    default_time, default = timed(lambda: DixonColes().fit(epl), args.repeats)
    print(f"  matchday    default (decay 0.0019/day, prior) {default_time * 1e3:7.2f} ms   "
          f"penalised objective {default.objective_:.4f}")

    try:
        import penaltyblog
        from penaltyblog.models import DixonColesGoalModel
    except ImportError:
        print("  penaltyblog not installed: pip install 'matchday[bench]' for the side-by-side")
        penaltyblog = None
    if penaltyblog is not None:
        def fit_penaltyblog(frame: pd.DataFrame):
            model = DixonColesGoalModel(frame["home_goals"], frame["away_goals"], frame["home"], frame["away"])
            model.fit()
            return model

        theirs_time, theirs = timed(lambda: fit_penaltyblog(epl), max(5, args.repeats // 3))
        print(f"  penaltyblog {penaltyblog.__version__} DixonColesGoalModel     {theirs_time * 1e3:8.2f} ms   "
              f"log-likelihood {theirs.loglikelihood:.4f}   rho {theirs.get_params()['rho']:+.4f}")
        print(f"  speed-up: {theirs_time / ours_time:.1f}x (cold fit), {theirs_time / warm_time:.1f}x (warm refit);"
              f"  log-likelihood difference (matchday - penaltyblog): {ours.loglik_ - theirs.loglikelihood:+.6f}")

    print()
    d1 = DixonColes(**same_model).fit(bundesliga)
    check = DixonColes(**same_model, solver="lbfgs", tol=1e-8).fit(bundesliga)
    print(f"Bundesliga 2022-23 + 2023-24: {len(bundesliga)} matches")
    print(f"  matchday    log-likelihood {d1.loglik_:.4f}  rho {d1.rho_:+.4f}   "
          f"(true maximum {TRUE_MAX_D1}; relative difference {abs(d1.loglik_ / TRUE_MAX_D1 - 1):.1e})")
    print(f"  L-BFGS-B check on the same exact gradient: {check.loglik_:.6f} "
          f"(Newton - L-BFGS-B = {d1.loglik_ - check.loglik_:+.1e})")
    if penaltyblog is not None:
        theirs = fit_penaltyblog(bundesliga)
        print(f"  penaltyblog log-likelihood {theirs.loglikelihood:.4f}  rho {theirs.get_params()['rho']:+.4f}   "
              f"(short of the maximum by {d1.loglik_ - theirs.loglikelihood:.4f})")
    else:
        print(f"  penaltyblog 1.13.1 (reported): {PENALTYBLOG_D1}, rho -0.141")
    ok = abs(d1.loglik_ - TRUE_MAX_D1) < 5e-4 and np.isfinite(ours.loglik_)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
