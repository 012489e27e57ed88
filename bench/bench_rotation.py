"""Benchmark and case figures: rotation plans for Liverpool in April 2024.

    python bench/bench_rotation.py [--db PATH] [--mirror ../shared/data] [--sims 20000] [--seed 0]
                                   [--weights title=1,trophy=0.5,top4=0.3] [--squad FILE] [--estimate]

Uses the store at --db (built from --mirror with ``matchday sync`` when the file does not exist). For each
as-of date (2024-04-10 before the first leg, 2024-04-12 after the 0-3, 2024-04-15 after losing to Crystal
Palace) it prints the timings (model fit, calendar, simulator set-up with common random numbers, evaluation
of the named plans) and the results: P(title), P(top 4), P(win the Europa League), P(reach the final),
expected points, objective with its SE, the paired difference from the best plan (and the SE independent
runs would give), the stance flip, and at 2024-04-15 the sensitivity to the second-string gap and to the
points gap. ``--estimate`` also runs the short-rest estimation over the whole store (a few seconds).
Target (issue 5): ~5 plans x 20,000 futures in seconds, not minutes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from pathlib import Path

import pandas as pd

DATES = (dt.date(2024, 4, 10), dt.date(2024, 4, 12), dt.date(2024, 4, 15))


def ensure_store(db: Path, mirror: Path) -> None:
    if db.exists():
        return
    from matchday.data.fetch import SourceURLs
    from matchday.data.store import Store
    from matchday.data.sync import sync

    started = time.perf_counter()
    with Store(db) as store:
        sync(store, None, None, urls=SourceURLs.resolve(mirror=str(mirror)))
    print(f"built {db} from {mirror} in {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/decide.duckdb"))
    parser.add_argument("--mirror", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "data")
    parser.add_argument("--sims", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--weights", default="title=1,trophy=0.5,top4=0.3")
    parser.add_argument("--squad", default=None)
    parser.add_argument("--estimate", action="store_true", help="also estimate the short-rest effect")
    args = parser.parse_args()

    from matchday.data.store import Store
    from matchday.decide import analyse_calendar
    from matchday.models.training import fit_model
    from matchday.workflows import calendar_from_store, fatigue_from_store

    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 30)
    ensure_store(args.db, args.mirror)
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; {args.sims:,} futures, seed {args.seed}, "
          f"weights {args.weights}")
    with Store(args.db, read_only=True) as store:
        if args.estimate:
            started = time.perf_counter()
            estimate = fatigue_from_store(store)
            print(f"\nshort-rest estimate ({time.perf_counter() - started:.1f} s):")
            print(estimate.table().to_string(index=False, float_format=lambda v: f"{v:.4f}"))
            print(estimate.summary())
        teams = store.teams().set_index("team_id")["name"]
        for as_of in DATES:
            clock = {}
            started = time.perf_counter()
            model = fit_model("dixon-coles", store, as_of)
            clock["fit"] = time.perf_counter() - started
            started = time.perf_counter()
            calendar = calendar_from_store(store, "liverpool", as_of)
            clock["calendar"] = time.perf_counter() - started
            names = {t: str(teams.get(t, t)) for t in set(calendar.league_matches["home"])}
            names.update({t: str(teams.get(t, t)) for tie in calendar.cup.ties for t in (tie.home, tie.away)})
            started = time.perf_counter()
            analysis = analyse_calendar(calendar, model, weights=args.weights, squad=args.squad, n_sims=args.sims,
                                        seed=args.seed, model_name="dixon-coles", team_names=names)
            clock["set-up + plans"] = time.perf_counter() - started
            started = time.perf_counter()
            again = analysis.simulator.evaluate_many(analysis.plans, analysis.lineup, analysis.fatigue)
            clock[f"{len(again)} plans on the same futures again"] = time.perf_counter() - started
            print(f"\n=== Liverpool as of {as_of.isoformat()} ===")
            print("timings: " + ", ".join(f"{k} {v:.2f} s" for k, v in clock.items()))
            table = analysis.table.drop(columns=["rules"])
            print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
            flip = analysis.stance_flip()
            print(f"best: {analysis.best}; stance flip: {flip.describe()}")
            print(analysis.summary())
            if as_of == DATES[-1]:
                started = time.perf_counter()
                gaps = analysis.gap_sensitivity()
                points = analysis.points_sensitivity()
                fatigue = analysis.fatigue_sensitivity()
                print(f"\nsensitivity ({time.perf_counter() - started:.1f} s for "
                      f"{(len(gaps) + len(points) + len(fatigue)) * len(analysis.plans)} plan runs):")
                for frame in (gaps, points, fatigue):
                    print(frame.to_string(index=False, float_format=lambda v: f"{v:.4f}"))


if __name__ == "__main__":
    main()
