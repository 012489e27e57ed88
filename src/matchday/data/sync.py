"""``matchday sync``: find, download (through the cache), read and import source files.

Reading happens before writing: every planned file is downloaded and parsed first, so one bad file
stops the whole sync with a clear error and the store is left untouched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from matchday.data.competitions import COMPETITIONS, LEAGUE_CODES, UEFA_CODES, resolve_competition
from matchday.data.domain import Match
from matchday.data.fetch import Fetcher, SourceURLs
from matchday.data.seasons import season_code, season_of_date, season_start_year
from matchday.data.store import Batch, ImportReport, Store

#: The first season read by default (football-data's current column generation starts here).
DEFAULT_FIRST_SEASON = "2012-13"
#: engsoccerdata's champs.csv covers the European Cup up to this season (finals only after 2015-16).
ENGSOCCERDATA_LAST_SEASON = "2017-18"
#: Files of a season still running are fetched again after this many seconds.
RUNNING_SEASON_MAX_AGE = 6 * 3600


@dataclass(frozen=True)
class PlannedFile:
    source: str
    relative: str  # path below the source's base URL
    competition: str | None  # None: the file holds several competitions/seasons
    season: str | None
    required: bool  # False: the source may legitimately not publish it (404 is fine)


def default_seasons(today: dt.date | None = None) -> list[str]:
    last = season_start_year(season_of_date(today or dt.date.today()))
    return [f"{y}-{(y + 1) % 100:02d}" for y in range(season_start_year(DEFAULT_FIRST_SEASON), last + 1)]


def plan_files(competitions: Iterable[str], seasons: Sequence[str]) -> list[PlannedFile]:
    """Every file that may hold matches of these competitions and seasons, primary source first."""
    planned: list[PlannedFile] = []
    codes = [resolve_competition(c).code for c in competitions]
    for code in codes:
        comp = COMPETITIONS[code]
        for season in seasons:
            if code in LEAGUE_CODES:
                planned.append(PlannedFile("football-data", f"mmz4281/{season_code(season)}/{code}.csv", code, season, False))
            if comp.openfootball:
                planned.append(PlannedFile("openfootball-json", f"{season}/{comp.openfootball}.json", code, season, False))
            if comp.football_txt:
                for stem in (comp.football_txt, comp.football_txt + "q"):
                    planned.append(PlannedFile("football-txt", f"{season}/{stem}.txt", code, season, False))
    if "UCL" in codes and any(season_start_year(s) <= season_start_year(ENGSOCCERDATA_LAST_SEASON) for s in seasons):
        # one file for every season 1955-56 on; read_planned keeps the requested seasons
        planned.append(PlannedFile("engsoccerdata", "champs.csv", None, None, False))
    return planned


def _reader(source: str) -> Callable[..., list[Match]]:
    if source == "football-data":
        from matchday.data.sources.footballdata import read_footballdata

        return read_footballdata
    if source == "openfootball-json":
        from matchday.data.sources.openfootball_json import read_openfootball_json

        return read_openfootball_json
    if source == "football-txt":
        from matchday.data.sources.footballtxt import read_football_txt

        return read_football_txt
    if source == "engsoccerdata":
        from matchday.data.sources.engsoccerdata import read_engsoccerdata_champs

        return read_engsoccerdata_champs
    raise ValueError(f"no reader for source {source!r}")


def read_planned(
    planned: PlannedFile, content: bytes, url: str, seasons: Sequence[str] | None = None
) -> list[Match]:
    reader = _reader(planned.source)
    if planned.competition is None:
        matches = reader(content, source_file=url)
    else:
        matches = reader(content, source_file=url, competition=planned.competition, season=planned.season)
    if seasons is not None and planned.competition is None:
        wanted = set(seasons)
        matches = [m for m in matches if m.season in wanted]
    return matches


def sync(
    store: Store,
    competitions: Iterable[str] | None = None,
    seasons: Sequence[str] | None = None,
    *,
    urls: SourceURLs | None = None,
    fetcher: Fetcher | None = None,
    registry=None,
    progress: Callable[[str, int, int], None] | None = None,
    today: dt.date | None = None,
) -> ImportReport:
    """Download, read and import; returns what was added. ``progress(stage, done, total)`` is optional."""
    from matchday.data.registry import TeamRegistry

    competitions = list(competitions) if competitions else [*LEAGUE_CODES, *UEFA_CODES]
    # Without explicit seasons, multi-season history files (champs.csv, 1955 on) are imported whole.
    history_filter = list(seasons) if seasons else None
    seasons = list(seasons) if seasons else default_seasons(today)
    urls = urls or SourceURLs.resolve()
    fetcher = fetcher or Fetcher()
    registry = registry or TeamRegistry.load()
    running = season_of_date(today or dt.date.today())
    planned = plan_files(competitions, seasons)
    batches: list[Batch] = []
    unchanged = ImportReport()
    for done, item in enumerate(planned, start=1):
        url = urls.url(item.source, item.relative)
        max_age = RUNNING_SEASON_MAX_AGE if item.season in (None, running) else None
        content = fetcher.get(url, max_age=max_age)
        if content is not None:
            digest = hashlib.sha256(content).hexdigest()
            seen = store.imported_matches(url, digest)
            if seen is not None:  # these very bytes were imported before: nothing to read or write
                unchanged.merge(ImportReport(files=1, read=seen, unchanged=seen))
            else:
                batches.append(Batch(item.source, url, read_planned(item, content, url, history_filter), digest))
        if progress:
            progress("download", done, len(planned))
    on_import = (lambda done, total: progress("import", done, total)) if progress else None
    report = store.import_batches(batches, registry, progress=on_import)
    report.merge(unchanged)
    return report
