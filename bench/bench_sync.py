"""Benchmark: import the whole ../shared/data mirror into a fresh store, then re-import it unchanged.

    python bench/bench_sync.py [--mirror ../shared/data] [--repeat 1] [--seasons 2012-13:2024-25]

Prints the wall time of a full sync (every competition matchday knows, the seasons given, read from a
local mirror directory, so no download), of an unchanged re-sync against the same store (every file's
bytes were imported before: nothing should be read or written), the store's counts, and the machine's
load average (timings on a shared machine vary with its load). The store and cache live in a temporary
folder that is removed afterwards.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root = Path(__file__).resolve().parents[1]
    parser.add_argument("--mirror", default=str(root.parent / "shared" / "data"))
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seasons", default="2012-13:2024-25")
    args = parser.parse_args()

    from matchday.data.fetch import Fetcher, SourceURLs
    from matchday.data.seasons import season_range
    from matchday.data.store import Store
    from matchday.data.sync import sync

    seasons = season_range(args.seasons)
    urls = SourceURLs.resolve(mirror=args.mirror)
    for run in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            fetcher = Fetcher(cache_dir=Path(tmp) / "cache")
            with Store(Path(tmp) / "bench.duckdb") as store:
                started = time.perf_counter()
                first = sync(store, None, seasons, urls=urls, fetcher=fetcher)
                full = time.perf_counter() - started
                started = time.perf_counter()
                again = sync(store, None, seasons, urls=urls, fetcher=fetcher)
                unchanged = time.perf_counter() - started
                counts = store.counts()
        print(f"run {run + 1}: full import {full:.2f} s ({first.read} matches read, {first.added} added, "
              f"{first.odds_added} odds); unchanged re-import {unchanged:.2f} s ({again.added} added); "
              f"ratio {full / unchanged:.1f}x")
        print(f"  store: {counts}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
