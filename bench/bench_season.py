"""Season Monte Carlo speed and memory: 100,000 simulations of a full 380-match EPL season with
head-to-head tie-breakers, and of the rest of 2023-24 from mid-April.

Run: python bench/bench_season.py [--sims 100000] [--data ../shared/data]
Prints wall time (best of --repeat), the ranking engine's share, and peak resident memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sims", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    args = parser.parse_args()

    import numpy as np

    from matchday.data.fetch import Fetcher, SourceURLs
    from matchday.data.store import Store
    from matchday.data.sync import sync
    from matchday.models import DixonColes
    from matchday.simulate.season import simulate_season

    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "bench.duckdb") as store:
        sync(store, ["E0", "E1"], ["2022-23", "2023-24"], urls=SourceURLs.resolve(mirror=str(args.data)),
             fetcher=Fetcher(cache_dir=Path(tmp) / "cache"))
        season = store.matches(["E0"], ["2023-24"])
        train = store.matches(["E0", "E1"], ["2022-23", "2023-24"], played=True, until=dt.date(2023, 8, 10))
    model = DixonColes().fit(train, as_of=dt.date(2023, 8, 10))
    for label, as_of, target in (("full season (380 matches)", dt.date(2023, 8, 10), "<= 3 s"),
                                 ("from 2024-04-15 (57 matches)", dt.date(2024, 4, 15), "well under 1 s")):
        times = []
        for repeat in range(args.repeat):
            start = time.perf_counter()
            result = simulate_season(season, model, "E0", "2023-24", as_of=as_of, n_sims=args.sims,
                                     seed=repeat)
            times.append(time.perf_counter() - start)
        p_title = result.summary().set_index("team")["p_title"]
        print(f"{label}: {args.sims:,} sims best {min(times):.2f} s, median {np.median(times):.2f} s "
              f"(target {target}); favourite {p_title.idxmax()} {p_title.max():.3f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of this process: {peak:.0f} MiB (target <= 2048 MiB)")


if __name__ == "__main__":
    main()
