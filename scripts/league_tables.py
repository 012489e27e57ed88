"""Maintainer tool: rank every football-data league season in ../shared/data with matchday's rules.

    python scripts/league_tables.py E0 2023-24          # one table
    python scripts/league_tables.py --all > tables.txt  # every division and season, to review by eye

Reads the raw CSVs with matchday's football-data reader, resolves team names with the registry (so point
deductions keyed by team id apply) and prints the table :func:`matchday.rules.table.league_table` gives.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import pandas as pd

from matchday.data.competitions import COMPETITIONS
from matchday.data.domain import matches_frame
from matchday.data.registry import TeamRegistry
from matchday.data.seasons import normalize_season, season_code
from matchday.data.sources.footballdata import FOOTBALLDATA_DIVISIONS, read_footballdata
from matchday.rules.leagues import deductions_for
from matchday.rules.table import league_table

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data"


def season_frame(data: Path, division: str, season: str, registry: TeamRegistry) -> pd.DataFrame:
    """One football-data file as a match frame whose labels are team ids (as the store keeps them)."""
    path = data / "football-data" / "mmz4281" / season_code(season) / f"{division}.csv"
    frame = matches_frame(read_footballdata(path))
    country = COMPETITIONS[division].country
    for side in ("home", "away"):
        frame[side] = [registry.require(name, country) for name in frame[side]]
    return frame


def table(data: Path, division: str, season: str, registry: TeamRegistry, as_of: str | None = None) -> pd.DataFrame:
    frame = season_frame(data, division, season, registry)
    return league_table(frame, division, season, as_of=as_of, deductions=deductions_for(division, season, as_of=as_of))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("division", nargs="?")
    parser.add_argument("season", nargs="?")
    parser.add_argument("--all", action="store_true")
    parser.add_argument("--as-of")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    registry = TeamRegistry.load()
    jobs = ([(d, f"{y}-{(y + 1) % 100:02d}") for d in FOOTBALLDATA_DIVISIONS for y in range(2012, 2025)]
            if args.all else [(args.division, normalize_season(args.season))])
    pd.set_option("display.width", 200)
    pd.set_option("display.max_colwidth", 70)
    for division, season in jobs:
        result = table(args.data, division, season, registry, args.as_of)
        rules = result.attrs["rules"]
        print(f"== {division} {season} ({rules.format.kind}; {rules.source[:80]})")
        print(result.drop(columns=["played"]).to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
