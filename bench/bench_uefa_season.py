"""The league-phase engine and the running-season views: speed and memory.

* `simulate_uefa_season` of the 2024-25 Champions League from 15 December 2024 (36 league-phase matches
  left, then the whole knockout phase), at 20,000 and 100,000 simulations;
* the same from 20 February 2025 (league phase over, play-offs played, round of 16 to draw);
* `agreeing_draws` (all 2**17 draws enumerated and checked against the stored pairings);
* `compute_views` for every competition of the store (what `matchday update` computes), 10,000 sims each.

Run: python bench/bench_uefa_season.py [--data ../shared/data] [--repeat 3]
Prints wall times (best and median of --repeat) and the peak resident memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import tempfile
import time
from pathlib import Path


def timed(function, repeat: int) -> tuple[float, float, object]:
    import numpy as np

    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), float(np.median(times)), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    args = parser.parse_args()

    from matchday.data.fetch import Fetcher, SourceURLs
    from matchday.data.store import Store
    from matchday.data.sync import sync
    from matchday.models.training import fit_model
    from matchday.rules.uefa_bracket import ties_of_round
    from matchday.rules.uefa_draws import KNOCKOUT_ROUNDS, agreeing_draws
    from matchday.rules.uefa_format import uefa_format
    from matchday.simulate.uefa_season import simulate_uefa_season
    from matchday.views import NowSettings, competition_seasons, compute_views

    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "bench.duckdb") as store:
        sync(store, None, ["2023-24", "2024-25"], urls=SourceURLs.resolve(mirror=str(args.data)),
             fetcher=Fetcher(cache_dir=Path(tmp) / "cache"), skip_bad_files=True)
        matches = store.matches(["UCL"], ["2024-25"])
        for day in (dt.date(2024, 12, 15), dt.date(2025, 2, 20)):
            model = fit_model("dixon-coles", store, day)
            for sims in (20_000, 100_000):
                best, median, result = timed(lambda d=day, s=sims, m=model: simulate_uefa_season(
                    matches, m, "UCL", "2024-25", as_of=d, n_sims=s, seed=0), args.repeat)
                win = result.knockout_table().set_index("team")["p_winner"]
                print(f"UCL from {day}: {sims:,} sims best {best:.2f} s, median {median:.2f} s "
                      f"({result.n_remaining} league-phase matches left; favourite {win.idxmax()} {win.max():.3f})")
        base = simulate_uefa_season(matches, model, "UCL", "2024-25", as_of=dt.date(2025, 6, 30), n_sims=1,
                                    knockout=False)
        positions = dict(zip(base.current["team"], base.current["position"], strict=True))
        rounds = {name: ties_of_round(matches, name) for name in KNOCKOUT_ROUNDS}
        best, median, found = timed(lambda: agreeing_draws(uefa_format("UCL", "2024-25"), positions, rounds),
                                    args.repeat)
        print(f"agreeing_draws (2**17 draws, five stored rounds): best {best:.2f} s, median {median:.2f} s, "
              f"{found.n} agree")
        settings = NowSettings(as_of=dt.date(2025, 2, 20), sims=10_000)
        units = competition_seasons(store, settings.as_of)
        fitted = fit_model("dixon-coles", store, settings.as_of)
        best, median, views = timed(lambda: compute_views(store, settings, units, fitted=fitted), 1)
        print(f"compute_views for {len(units)} competitions (10,000 sims each, model fitted once): {best:.1f} s; "
              f"slowest {max(v['seconds'] for v in views):.1f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()
