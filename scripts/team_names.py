"""Maintainer tool: inventory the team names in the raw data and check them against the registry.

Reads the raw files directly (no source readers): football-data CSVs, footballcsv CSVs, openfootball
JSON, Football.TXT and engsoccerdata's champs.csv, each name with the country it belongs to (the
league's country, or the ``(XXX)`` / hcountry code the source writes).

    python scripts/team_names.py                 # names that do not resolve (exit 1 if any)
    python scripts/team_names.py --all           # every name -> team id, grouped by id (review merges)
    python scripts/team_names.py --data DIR      # another data folder (default ../shared/data)
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from matchday.data.competitions import league_country
from matchday.data.registry import TeamRegistry, split_country
from matchday.data.sources.footballtxt import read_football_txt

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data"



@dataclass
class Seen:
    """One distinct (source, country, name) with the files it occurs in."""

    source: str
    country: str | None
    name: str
    files: set[str] = field(default_factory=set)


def footballdata_text(raw: bytes) -> str:
    """A football-data file's text as the reader decodes it: UTF-8 (BOM removed), else Windows-1252."""
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def inventory(data: Path) -> list[Seen]:
    """Every distinct team name per source in the raw data under ``data``."""
    seen: dict[tuple[str, str | None, str], Seen] = {}

    def add(source: str, country: str | None, name: str, file: Path) -> None:
        name = name.strip()
        if not name:
            return
        item = seen.setdefault((source, country, name), Seen(source, country, name))
        item.files.add(str(file.relative_to(data)))

    for path in sorted(data.glob("football-data/mmz4281/*/*.csv")):
        country = league_country(path.stem)
        for row in csv.DictReader(io.StringIO(footballdata_text(path.read_bytes()), newline="")):
            if row.get("Div"):
                add("football-data", country, row["HomeTeam"], path)
                add("football-data", country, row["AwayTeam"], path)
    for path in sorted(data.glob("footballcsv/*/*.csv")):
        country = league_country(path.stem)
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                add("footballcsv", country, row["Team 1"], path)
                add("footballcsv", country, row["Team 2"], path)
    for path in sorted(data.glob("openfootball/football.json/*/*.json")):
        country = league_country(path.stem)  # None for uefa.cl: names carry "(XXX)"
        matches = json.loads(path.read_text(encoding="utf-8")).get("matches", [])
        for match in matches:
            for key in ("team1", "team2"):
                name = match[key]
                add("openfootball-json", split_country(name)[1] or country, name, path)
    for path in sorted(data.glob("openfootball/champions-league/*/*.txt")):
        for match in read_football_txt(path):
            add("football-txt", match.home_country, f"{match.home} ({match.home_country})", path)
            add("football-txt", match.away_country, f"{match.away} ({match.away_country})", path)
    champs = data / "engsoccerdata" / "champs.csv"
    if champs.exists():
        with champs.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                add("engsoccerdata", row["hcountry"], row["home"], champs)
                add("engsoccerdata", row["vcountry"], row["visitor"], champs)
    return sorted(seen.values(), key=lambda s: (s.source, s.country or "", s.name))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data folder")
    parser.add_argument("--all", action="store_true", help="list every name with its team id")
    parser.add_argument("--aliases", type=Path, default=None, help="extra alias CSV to load")
    args = parser.parse_args(argv)

    registry = TeamRegistry.load(args.aliases)
    names = inventory(args.data)
    if args.all:
        by_id: dict[str, set[str]] = defaultdict(set)
        for item in names:
            team_id = registry.resolve(item.name, item.country) or "?"
            by_id[team_id].add(f"{item.name} [{item.source} {item.country or '-'}]")
        for team_id in sorted(by_id):
            label = registry.name(team_id) if team_id in registry else "UNREGISTERED"
            print(f"{team_id}  ({label})")
            for text in sorted(by_id[team_id]):
                print(f"    {text}")
        return 0

    missing = [item for item in names if registry.resolve(item.name, item.country) is None]
    per_source: dict[str, int] = defaultdict(int)
    for item in names:
        per_source[item.source] += 1
    for source, total in sorted(per_source.items()):
        unknown = sum(1 for m in missing if m.source == source)
        print(f"{source:18} {total:4} distinct names, {unknown:3} unregistered")
    for item in missing:
        near = ", ".join(registry.closest(item.name, 3, country=item.country)) or "-"
        example = sorted(item.files)[0]
        print(
            f"UNREGISTERED {item.source:17} {item.country or '-':3} {item.name!r:40} in {example}; "
            f"closest: {near}"
        )
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
