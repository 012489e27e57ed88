"""Benchmark: rank 100,000 simulated 380-match seasons with each league's tie-breakers.

    python bench/bench_table.py [--sims 100000] [--repeat 3] [--chunk 4096] [--jobs N]

Prints, per rule set (E0, SP1, I1 of 2023-24), the wall time of :func:`matchday.rules.table.rank_league`
(best and median of --repeat runs), the CPU time it used, the peak memory it allocates (tracemalloc; the
int8 input is not counted) and the process's peak RSS, plus how often the tie-breakers were needed.

Goals are independent Poisson draws (home 1.5, away 1.2 per match), int8, fixed seed; 20 clubs, fixtures in
``double_round_robin`` order (the order the simulation layer should use; a shuffled order is timed once for
comparison). Target (simulation issue): well under 1 s per 100,000 seasons on 2 cores. Timings on a shared
machine vary with its load: the load average is printed alongside.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
import tracemalloc

import numpy as np

from matchday.rules.leagues import rules_for
from matchday.rules.table import double_round_robin, rank_league


def timed(repeat: int, fn) -> tuple[list[float], list[float], object]:
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--chunk", type=int, default=4096)
    parser.add_argument("--jobs", type=int, default=None, help="threads (default: one per CPU, at most 4)")
    args = parser.parse_args()

    rng = np.random.default_rng(20240414)
    home_idx, away_idx = double_round_robin(20)
    m = home_idx.size
    started = time.perf_counter()
    home_goals = rng.poisson(1.5, size=(args.sims, m)).astype(np.int8)
    away_goals = rng.poisson(1.2, size=(args.sims, m)).astype(np.int8)
    print(f"{args.sims:,} seasons x {m} matches generated in {time.perf_counter() - started:.1f} s (not timed); "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, chunk {args.chunk}, "
          f"jobs {args.jobs or 'auto'}")

    for league in ("E0", "SP1", "I1"):
        rules = rules_for(league, "2023-24")

        def run(rules=rules):
            return rank_league(home_idx, away_idx, home_goals, away_goals, 20, rules,
                               chunk_size=args.chunk, n_jobs=args.jobs)

        walls, cpus, st = timed(args.repeat, run)
        tracemalloc.start()
        run()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        pts = np.sort(st.points, axis=1)
        level = (pts[:, 1:] == pts[:, :-1]).any(axis=1).mean()
        extra = ""
        if rules.playoff_for_title:
            extra = (f"; title play-off {st.title_playoff.mean():.2%}, "
                     f"relegation play-off {st.relegation_playoff.mean():.2%}")
        print(f"{league:4s} {' > '.join(rules.criteria)}")
        print(f"     wall best {min(walls):.3f} s, median {np.median(walls):.3f} s; CPU {min(cpus):.3f} s; "
              f"peak allocation {peak / 2**20:.0f} MiB")
        print(f"     seasons with clubs level on points {level:.1%}; level after every criterion "
              f"{st.tied.any(axis=1).mean():.3%}{extra}")

    perm = rng.permutation(m)
    shuffled = (home_idx[perm], away_idx[perm], np.ascontiguousarray(home_goals[:, perm]),
                np.ascontiguousarray(away_goals[:, perm]))
    rules = rules_for("E0", "2023-24")
    walls, cpus, _ = timed(args.repeat, lambda: rank_league(*shuffled, 20, rules, chunk_size=args.chunk,
                                                            n_jobs=args.jobs))
    print(f"E0 with the fixtures in shuffled order (general path): wall best {min(walls):.3f} s, "
          f"CPU {min(cpus):.3f} s")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
    print(f"process peak RSS {rss:.0f} MiB (includes the {2 * args.sims * m / 2**20:.0f} MiB of int8 input)")


if __name__ == "__main__":
    main()
