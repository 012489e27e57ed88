"""``matchday sync``: find, download (through the cache), read and import source files.

Three phases, so that a long download never blocks anyone reading the store:

1. read which file contents the store already holds (a short read; skipped if the store is busy);
2. download and parse every planned file, without any lock on the store. A download is checked
   (it must parse as its source's format) before it may replace the cached copy;
3. only then open the store for writing (waiting a bounded time while another process holds it) and
   import everything in one transaction.

Bad input stops the whole sync with one clear error naming the file and line, and the store is left
untouched; with ``skip_bad_files=True`` an unreadable file is left out instead (all or nothing per
file), named in the report's ``rejected``. Files the sources do not publish are listed in ``missing``;
when none of the planned files exists anywhere, :class:`~matchday.data.errors.NothingFoundError`
says what was looked for and where.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from matchday.data.competitions import COMPETITIONS, LEAGUE_CODES, UEFA_CODES, resolve_competition
from matchday.data.domain import DATA_QUALITY_LOG, Match
from matchday.data.errors import DataError, EmptyStoreError, NothingFoundError, StoreBusyError
from matchday.data.fetch import MISSING_MAX_AGE, MISSING_MAX_AGE_RUNNING, Fetcher, SourceURLs
from matchday.data.seasons import season_code, season_of_date, season_start_year
from matchday.data.sources.footballdata_fixtures import FIXTURES_FILE
from matchday.data.sources.footballdata_fixtures import SOURCE as FIXTURES_SOURCE
from matchday.data.store import Batch, ImportReport, Store, check_store_path, covering_import, default_db_path

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
    divisions: tuple[str, ...] | None = None  # a file of several divisions: the ones to keep (None: all)


def default_seasons(today: dt.date | None = None) -> list[str]:
    last = season_start_year(season_of_date(today or dt.date.today()))
    return [f"{y}-{(y + 1) % 100:02d}" for y in range(season_start_year(DEFAULT_FIRST_SEASON), last + 1)]


def plan_files(competitions: Iterable[str], seasons: Sequence[str], running: str | None = None) -> list[PlannedFile]:
    """Every file that may hold matches of these competitions and seasons, primary source first.

    running: the season running today; when it is asked for with a league, football-data's fixtures file
    (the coming days' matches of every division, with pre-match odds) is read too, for those leagues.
    """
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
    leagues = tuple(code for code in codes if code in LEAGUE_CODES)
    if running is not None and running in seasons and leagues:
        planned.append(PlannedFile(FIXTURES_SOURCE, FIXTURES_FILE, None, running, False, divisions=leagues))
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
    if source == FIXTURES_SOURCE:
        from matchday.data.sources.footballdata_fixtures import read_footballdata_fixtures

        return read_footballdata_fixtures
    raise ValueError(f"no reader for source {source!r}")


def url_source(source: str) -> str:
    """The source whose base URL serves a planned file: the fixtures file sits at football-data's."""
    return "football-data" if source == FIXTURES_SOURCE else source


def read_planned(
    planned: PlannedFile, content: bytes, url: str, seasons: Sequence[str] | None = None,
    today: dt.date | None = None,
) -> list[Match]:
    reader = _reader(planned.source)
    if planned.source == FIXTURES_SOURCE:
        matches = reader(content, source_file=url, divisions=planned.divisions)
    elif planned.competition is None:
        matches = reader(content, source_file=url, today=today)
    else:
        matches = reader(content, source_file=url, competition=planned.competition, season=planned.season,
                         today=today)
    if seasons is not None and planned.competition is None:
        wanted = set(seasons)
        matches = [m for m in matches if m.season in wanted]
    return matches


def _known_contents(target: Store | Path) -> dict[str, list[tuple[int, tuple[str, ...] | None]]]:
    """What the store already holds (phase 1). A store busy with another writer is not waited for:
    everything is then read and the import recognises what it holds."""
    if isinstance(target, Store):
        return target.imported_contents()
    if str(target) == ":memory:" or not target.exists():
        return {}
    try:
        with Store(target, read_only=True, lock_wait=0) as store:
            return store.imported_contents()
    except (StoreBusyError, EmptyStoreError):  # busy: read everything; empty: an interrupted first sync
        return {}


def _describe_missing(planned: list[PlannedFile], urls: SourceURLs, seasons: Sequence[str],
                      competitions: Sequence[str]) -> str:
    sources = sorted({p.source for p in planned})
    examples = ", ".join(f"{p.source} {p.relative}" for p in planned[:4]) + (" ..." if len(planned) > 4 else "")
    where = "; ".join(f"{s} at {urls.bases[url_source(s)]}" for s in sources)
    span = seasons[0] if len(seasons) == 1 else f"{seasons[0]} to {seasons[-1]}"
    return (f"nothing found for {' '.join(competitions)} {span}: none of the {len(planned)} files looked for "
            f"exists ({examples}); looked in {where}. Check --mirror (the root holding football-data/ and "
            "openfootball/), --source and --seasons")


@contextlib.contextmanager
def data_quality_notes() -> Iterator[list[str]]:
    """Collect, while reading, the warnings of :data:`~matchday.data.domain.DATA_QUALITY_LOG` (a value a reader
    left out of a match it kept, e.g. an impossible shoot-out score), each once, for the sync summary."""
    notes: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage()
            if message not in notes:
                notes.append(message)

    logger = logging.getLogger(DATA_QUALITY_LOG)
    handler = Collect(level=logging.WARNING)
    logger.addHandler(handler)
    try:
        yield notes
    finally:
        logger.removeHandler(handler)


def sync(
    store: Store | str | os.PathLike | None = None,
    competitions: Iterable[str] | None = None,
    seasons: Sequence[str] | None = None,
    *,
    urls: SourceURLs | None = None,
    fetcher: Fetcher | None = None,
    registry=None,
    progress: Callable[[str, int, int], None] | None = None,
    today: dt.date | None = None,
    skip_bad_files: bool = False,
    lock_wait: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> ImportReport:
    """Download, read and import; returns what was done (see :class:`~matchday.data.store.ImportReport`).

    store: an open :class:`Store` (the caller holds its lock throughout), or the path of the store file
        (default :func:`~matchday.data.store.default_db_path`): then the store is opened for writing only
        once everything is downloaded and parsed, waiting up to ``lock_wait`` seconds for other processes.
    progress(stage, done, total) is optional; stages ``download`` and ``import``.
    skip_bad_files: leave out files that cannot be read (named in ``report.rejected``) instead of stopping.
    Raises DataError (bad file), NothingFoundError (none of the planned files exists), FetchError,
    StoreError.
    """
    from matchday.data.registry import TeamRegistry

    today = today or dt.date.today()
    asked = [resolve_competition(c).code for c in competitions] if competitions else None
    competitions = asked or [*LEAGUE_CODES, *UEFA_CODES]
    # Without explicit seasons, multi-season history files (champs.csv, 1955 on) are imported whole.
    history_filter = sorted(seasons) if seasons else None
    seasons = list(seasons) if seasons else default_seasons(today)
    target: Store | Path = store if isinstance(store, Store) else (
        Path(store) if store is not None else default_db_path())
    if not isinstance(target, Store) and str(target) != ":memory:":
        check_store_path(target, read_only=False)  # fail before a long download, not after it
    known = _known_contents(target)
    urls = urls or SourceURLs.resolve()
    urls.check_mirror_roots()
    fetcher = fetcher or Fetcher()
    registry = registry or TeamRegistry.load()
    running = season_of_date(today)
    planned = plan_files(competitions, seasons, running)

    with data_quality_notes() as notes:  # values readers left out of matches they kept
        report = ImportReport()
        batches: list[Batch] = []
        found: list[PlannedFile] = []
        missing: list[PlannedFile] = []
        for done, item in enumerate(planned, start=1):
            url = urls.url(url_source(item.source), item.relative)
            is_running = item.season in (None, running)
            scope = tuple(history_filter) if item.competition is None and history_filter else None
            parsed: dict[str, list[Match] | None] = {}

            def check(content: bytes, item: PlannedFile = item, url: str = url, scope=scope, parsed=parsed) -> None:
                digest = hashlib.sha256(content).hexdigest()
                if digest in parsed:
                    return
                if covering_import(known.get(digest, []), scope) is not None:  # imported before: valid, nothing to read
                    parsed[digest] = None
                    return
                parsed[digest] = read_planned(item, content, url, history_filter, today)

            try:
                download = fetcher.fetch(
                    url, max_age=RUNNING_SEASON_MAX_AGE if is_running else None,
                    missing_max_age=MISSING_MAX_AGE_RUNNING if is_running else MISSING_MAX_AGE, check=check,
                )
                if download.content is not None:
                    check(download.content)  # file:// URLs are not checked by the fetcher
            except DataError as exc:
                if not skip_bad_files:
                    raise
                report.rejected.append(str(exc))
                found.append(item)
                continue
            if download.warning:
                report.warnings.append(download.warning)
            if download.content is None:
                missing.append(item)
                report.missing.append(f"{item.source} {item.relative}" + (" (remembered)" if download.from_cache else ""))
            else:
                found.append(item)
                digest = hashlib.sha256(download.content).hexdigest()
                seen = covering_import(known.get(digest, []), scope)
                if seen is not None:  # these very bytes were imported before: nothing to read or write
                    report.merge(ImportReport(files=1, read=seen, unchanged=seen))
                else:
                    batches.append(Batch(item.source, url, parsed[digest] or [], digest, scope, download.final_url))
            if progress:
                progress("download", done, len(planned))

        if planned and not found:
            raise NothingFoundError(_describe_missing(planned, urls, seasons, competitions))
        if found and report.read == 0 and not any(batch.matches for batch in batches):
            # e.g. champs.csv (1955 on, one file for every season) asked for a season it does not hold
            raise NothingFoundError(
                f"nothing found for {', '.join(asked or competitions)} in {seasons[0]}"
                + (f" to {seasons[-1]}" if len(seasons) > 1 else "") + ": the files found ("
                + ", ".join(f"{p.source} {p.relative}" for p in found[:5]) + ") hold no match of those seasons")
        for code in asked or []:
            if not any(p.competition in (code, None) for p in found):
                looked = [p for p in planned if p.competition == code]
                report.warnings.append(f"nothing found for {code} in {seasons[0]}"
                                       + (f" to {seasons[-1]}" if len(seasons) > 1 else "")
                                       + f" ({len(looked)} files looked for, none exists)")

        on_import = (lambda done, total: progress("import", done, total)) if progress else None
        if isinstance(target, Store):
            imported = target.import_batches(batches, registry, progress=on_import)
        elif batches:
            with Store(target, lock_wait=lock_wait, on_wait=on_wait) as opened:
                imported = opened.import_batches(batches, registry, progress=on_import)
        else:  # nothing new: no need to take the write lock; still report what is open
            imported = ImportReport()
            try:
                if str(target) != ":memory:" and target.exists():
                    with Store(target, read_only=True, lock_wait=lock_wait, on_wait=on_wait) as opened:
                        counts = opened.counts()
                    imported.open_conflicts, imported.open_odds_changes = counts["conflicts"], counts["odds_changes"]
            except EmptyStoreError:
                pass
            except StoreBusyError:
                report.warnings.append("could not count the open conflicts: the store is busy")
        report.merge(imported)
        report.warnings.extend(notes)
        return report
