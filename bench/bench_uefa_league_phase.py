"""UEFA league-phase ranking speed: 100,000 simulated 36-club league phases (144 matches, 8 per club, as
in the Champions League; 108 matches for the Conference League) ranked with every art. 18 criterion,
next to rank_league on a 20-club, 380-match league season for scale.

Run: python bench/bench_uefa_league_phase.py [--sims 100000] [--repeat 3]
Prints wall time (best of --repeat), time per 1,000 simulations and the ratio to rank_league.
"""

from __future__ import annotations

import argparse
import time


def best_of(repeat: int, call) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sims", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import numpy as np

    from matchday.rules.leagues import rules_for
    from matchday.rules.table import double_round_robin, rank_league
    from matchday.rules.uefa_league_phase import rank_league_phase

    rng = np.random.default_rng(0)
    results = {}
    for label, per_side in (("UCL/UEL league phase (144 matches)", 4), ("UECL league phase (108 matches)", 3)):
        clubs = rng.permutation(36)
        home = clubs[np.repeat(np.arange(36), per_side)]
        away = clubs[(np.repeat(np.arange(36), per_side) + np.tile(np.arange(1, per_side + 1), 36)) % 36]
        hg = rng.poisson(1.5, size=(args.sims, home.size)).astype(np.int8)
        ag = rng.poisson(1.2, size=(args.sims, home.size)).astype(np.int8)
        seconds = best_of(args.repeat, lambda h=home, a=away, x=hg, y=ag, k=per_side: rank_league_phase(
            h, a, x, y, 36, matches_per_team=2 * k, rng=1))
        st = rank_league_phase(home, away, hg, ag, 36, matches_per_team=2 * per_side, rng=1)
        results[label] = seconds
        print(f"{label}: {seconds:.2f} s for {args.sims:,} sims ({1e6 * seconds / args.sims:.1f} ms per 1,000); "
              f"simulations needing a lot: {st.tied.any(axis=1).mean():.4%}")
    home, away = double_round_robin(20)
    hg = rng.poisson(1.5, size=(args.sims, home.size)).astype(np.int8)
    ag = rng.poisson(1.2, size=(args.sims, home.size)).astype(np.int8)
    rules = rules_for("E0", "2023-24")
    league = best_of(args.repeat, lambda: rank_league(home, away, hg, ag, 20, rules))
    print(f"rank_league, E0 rules, 380 matches: {league:.2f} s for {args.sims:,} sims")
    for label, seconds in results.items():
        print(f"ratio {label} / E0 season: {seconds / league:.2f}")


if __name__ == "__main__":
    main()
