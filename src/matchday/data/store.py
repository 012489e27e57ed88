"""The embedded DuckDB store: competitions, seasons, teams and aliases, matches, odds, forecasts.

Imports are idempotent (a match already stored is recognised and nothing is added) and transactional:
:meth:`Store.import_batches` writes everything of one call in a single transaction, so a failure part-way
leaves the store exactly as it was. The same match arriving from a second source with a different
result (after 90 minutes, after extra time or in a shoot-out) is recorded in ``conflicts`` and never
overwrites the stored result; a different price for a stored quote is recorded in ``odds_changes``
(with the file each price came from) and never overwrites the stored price. A file is identified by
its content (SHA-256), not by its path: the same bytes from another mirror are not imported twice.

Opening a store checks the path (not a directory, a device or another program's database; writable
when writing) and waits a bounded time (``lock_wait`` seconds, default ``MATCHDAY_LOCK_WAIT`` or
:data:`DEFAULT_LOCK_WAIT`) while another process holds DuckDB's lock on it, then fails with one line
naming that process where DuckDB says which it is. Every problem is a
:class:`~matchday.data.errors.StoreError` with one line of text. Older stores are upgraded in place
(schema :data:`SCHEMA_VERSION`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from matchday.data.competitions import COMPETITIONS
from matchday.data.domain import MATCH_COLUMNS, Match, is_placeholder, matches_frame
from matchday.data.errors import DataError, EmptyStoreError, StoreBusyError, StoreError
from matchday.data.running import RESULT_PRIORITY, SCHEDULE_PRIORITY, link_to_stored

if TYPE_CHECKING:  # pragma: no cover
    import duckdb

    from matchday.data.registry import TeamRegistry

SCHEMA_VERSION = 2
#: Seconds a command waits for another process to release the store (``MATCHDAY_LOCK_WAIT``).
DEFAULT_LOCK_WAIT = 60.0
ENV_LOCK_WAIT = "MATCHDAY_LOCK_WAIT"
CONTENT_EXCLUDED = ("source", "source_file", "source_line")
"""Columns of ``matches`` left out of :meth:`Store.match_content`: where a row was read from, not what it says
(a match re-read from a renamed file is the same match)."""

#: Columns of ``matches`` beyond the Match fields (ids resolved through the registry).
_STAT_COLUMNS = [c for c in MATCH_COLUMNS if c not in ("home", "away", "source", "source_file", "source_line")]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS competitions (
    code VARCHAR PRIMARY KEY, name VARCHAR, country VARCHAR, kind VARCHAR, tier INTEGER);
CREATE TABLE IF NOT EXISTS seasons (
    competition VARCHAR, season VARCHAR, first_date DATE, last_date DATE, matches INTEGER,
    PRIMARY KEY (competition, season));
CREATE TABLE IF NOT EXISTS teams (
    team_id VARCHAR PRIMARY KEY, name VARCHAR, country VARCHAR, registered BOOLEAN);
CREATE TABLE IF NOT EXISTS team_aliases (
    alias VARCHAR, team_id VARCHAR, source VARCHAR, PRIMARY KEY (alias, team_id, source));
CREATE TABLE IF NOT EXISTS unknown_names (
    name VARCHAR, country VARCHAR, source VARCHAR, competition VARCHAR, season VARCHAR,
    team_id VARCHAR, PRIMARY KEY (name, source, competition, season));
CREATE TABLE IF NOT EXISTS matches (
    match_id VARCHAR PRIMARY KEY,
    competition VARCHAR NOT NULL, season VARCHAR NOT NULL, date DATE NOT NULL, kickoff TIME,
    home_id VARCHAR NOT NULL, away_id VARCHAR NOT NULL,
    home_goals INTEGER, away_goals INTEGER, ht_home_goals INTEGER, ht_away_goals INTEGER,
    aet_home_goals INTEGER, aet_away_goals INTEGER, pen_home INTEGER, pen_away INTEGER,
    round VARCHAR, leg INTEGER, neutral BOOLEAN, home_country VARCHAR, away_country VARCHAR,
    home_shots INTEGER, away_shots INTEGER, home_shots_on_target INTEGER, away_shots_on_target INTEGER,
    home_fouls INTEGER, away_fouls INTEGER, home_corners INTEGER, away_corners INTEGER,
    home_yellow INTEGER, away_yellow INTEGER, home_red INTEGER, away_red INTEGER, referee VARCHAR,
    source VARCHAR, source_file VARCHAR, source_line INTEGER, status VARCHAR);
CREATE TABLE IF NOT EXISTS match_sources (
    match_id VARCHAR, source VARCHAR, source_file VARCHAR, source_line INTEGER, home_name VARCHAR,
    away_name VARCHAR, PRIMARY KEY (match_id, source, source_file));
CREATE TABLE IF NOT EXISTS odds (
    match_id VARCHAR, bookmaker VARCHAR, market VARCHAR, selection VARCHAR, line DOUBLE,
    closing BOOLEAN, price DOUBLE, source_file VARCHAR);
CREATE TABLE IF NOT EXISTS odds_changes (
    match_id VARCHAR, bookmaker VARCHAR, market VARCHAR, selection VARCHAR, line DOUBLE, closing BOOLEAN,
    stored_price DOUBLE, stored_file VARCHAR, new_price DOUBLE, new_source VARCHAR, new_file VARCHAR,
    new_line INTEGER, found_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS conflicts (
    match_id VARCHAR, competition VARCHAR, season VARCHAR, date DATE, home_id VARCHAR, away_id VARCHAR,
    stored_source VARCHAR, stored_score VARCHAR, other_source VARCHAR, other_file VARCHAR,
    other_line INTEGER, other_score VARCHAR, found_at TIMESTAMP,
    PRIMARY KEY (match_id, other_source, other_score));
CREATE TABLE IF NOT EXISTS imports (
    source VARCHAR, source_file VARCHAR, sha256 VARCHAR, imported_at TIMESTAMP, matches INTEGER,
    added INTEGER, final_url VARCHAR, scope VARCHAR, PRIMARY KEY (source_file, sha256));
CREATE TABLE IF NOT EXISTS forecasts (
    run_id VARCHAR, created_at TIMESTAMP, model VARCHAR, as_of DATE, match_id VARCHAR,
    competition VARCHAR, home_id VARCHAR, away_id VARCHAR, p_home DOUBLE, p_draw DOUBLE, p_away DOUBLE,
    home_expected_goals DOUBLE, away_expected_goals DOUBLE, details VARCHAR);
"""

#: Upgrades of a store written by an older matchday (idempotent; run in one transaction).
_MIGRATIONS = [
    "ALTER TABLE matches ADD COLUMN IF NOT EXISTS status VARCHAR",
    """UPDATE matches SET status = CASE WHEN home_goals IS NULL THEN 'scheduled' ELSE 'played' END
       WHERE status IS NULL""",
    "ALTER TABLE odds ADD COLUMN IF NOT EXISTS source_file VARCHAR",
    "ALTER TABLE imports ADD COLUMN IF NOT EXISTS final_url VARCHAR",
    "ALTER TABLE imports ADD COLUMN IF NOT EXISTS scope VARCHAR",
]

_SCORE_COLUMNS = ["home_goals", "away_goals", "aet_home_goals", "aet_away_goals", "pen_home", "pen_away"]
_ODDS_COLUMNS = ["match_id", "bookmaker", "market", "selection", "line", "closing", "price", "source_file"]
#: Among matches without a result, a later source may move a match along this order, never back.
_UNPLAYED_RANK = {"scheduled": 0, "postponed": 1, "abandoned": 2, "cancelled": 3}



def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(os.environ.get("MATCHDAY_DB", Path(user_data_dir("matchday")) / "matchday.duckdb"))


def match_id_for(competition: str, season: str, date: dt.date, home_id: str, away_id: str) -> str:
    """Deterministic id: the same match from any source gets the same id."""
    key = f"{competition}|{season}|{date.isoformat()}|{home_id}|{away_id}"
    return hashlib.sha1(key.encode()).hexdigest()[:16]


@dataclass
class Batch:
    """The matches of one source file, ready to import.

    content_sha256 identifies the file by its bytes; scope names the seasons kept from a file that holds
    several (``None``: the whole file), so that the same bytes read for other seasons are imported again.
    final_url is where the bytes came from after any redirect (provenance).
    """

    source: str
    source_file: str
    matches: list[Match]
    content_sha256: str = ""
    scope: tuple[str, ...] | None = None
    final_url: str | None = None


@dataclass
class ImportReport:
    """What an import (or a whole sync) did. Counts add up over files; lists name what was left out."""

    files: int = 0
    read: int = 0
    added: int = 0
    updated: int = 0  # matches without a result that now have one, or whose status moved on
    unchanged: int = 0
    conflicts: int = 0  # new conflicts found by this import
    odds_added: int = 0
    odds_changed: int = 0  # stored quotes this import priced differently (recorded, not applied)
    placeholders: int = 0  # fixtures between clubs not known yet (N.N.), not stored
    rescheduled: int = 0  # stored matches whose date or kick-off this import moved (data/running.py)
    unknown_names: list[tuple[str, str | None]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # files looked for that the source does not have
    warnings: list[str] = field(default_factory=list)  # things done differently than asked, and why
    rejected: list[str] = field(default_factory=list)  # files left out as unreadable (one line each)
    open_conflicts: int = 0  # conflicts in the store after the import (all of them, not just new ones)
    open_odds_changes: int = 0

    _COUNTS = ("files", "read", "added", "updated", "unchanged", "conflicts", "odds_added", "odds_changed",
               "placeholders", "rescheduled")

    def merge(self, other: ImportReport) -> None:
        for name in self._COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("unknown_names", "missing", "warnings", "rejected"):
            getattr(self, name).extend(getattr(other, name))
        self.open_conflicts = max(self.open_conflicts, other.open_conflicts)
        self.open_odds_changes = max(self.open_odds_changes, other.open_odds_changes)


def lock_wait_seconds(value: float | None = None) -> float:
    """Seconds to wait for a locked store: ``value``, else ``MATCHDAY_LOCK_WAIT``, else the default."""
    if value is not None:
        return max(0.0, float(value))
    text = os.environ.get(ENV_LOCK_WAIT, "").strip()
    if not text:
        return DEFAULT_LOCK_WAIT
    try:
        seconds = float(text)
    except ValueError:
        raise StoreError(f"{ENV_LOCK_WAIT}={text!r} is not a number of seconds") from None
    if not seconds >= 0 or seconds == float("inf"):
        raise StoreError(f"{ENV_LOCK_WAIT}={text!r}: expected a number of seconds >= 0")
    return seconds


_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<exe>.*?) \(PID (?P<pid>[0-9]+)\)")


def lock_holder(message: str) -> str | None:
    """The process DuckDB names in a lock error: ``PID 123 (matchday sync --mirror ...)``, or None."""
    found = _LOCK_HOLDER.search(message)
    if not found:
        return None
    pid = found.group("pid")
    command = found.group("exe")
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        argv = [a for a in raw.decode(errors="replace").split("\x00") if a]
        # "python .../bin/matchday sync ..." reads better as "matchday sync ..."
        names = [Path(arg).name for arg in argv]
        if "matchday" in names:
            argv = ["matchday", *argv[names.index("matchday") + 1:]]
        if argv:
            command = " ".join(argv)
    except OSError:
        pass
    command = " ".join(command.split())
    if len(command) > 100:
        command = command[:97] + "..."
    return f"PID {pid} ({command})"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def check_store_path(path: Path, *, read_only: bool) -> None:
    """Raise StoreError when ``path`` cannot be a store: a folder, a device, missing (for reading),
    not writable (for writing: the file, or the folder it would be created in), not a path at all."""
    try:
        _check_store_path(path, read_only=read_only)
    except StoreError:
        raise
    except (OSError, ValueError) as exc:
        shown = str(path) if len(str(path)) <= 80 else str(path)[:77] + "..."
        raise StoreError(f"{shown}: not a usable store path ({getattr(exc, 'strerror', None) or exc})") from None


def _check_store_path(path: Path, *, read_only: bool) -> None:
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a store file; give a file path such as "
                         f"{path / 'matchday.duckdb'}")
    if path.exists() and not path.is_file():
        raise StoreError(f"{path} is not a regular file (a device or a pipe?); give a store file path")
    if read_only:
        if not path.exists():
            raise StoreError(f"no matchday store at {path}; run `matchday sync` first")
        if not os.access(path, os.R_OK):
            raise StoreError(f"cannot read the store {path}: permission denied")
        return
    parent = path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the folder {parent} for the store: {exc.strerror or exc}") from None
    if path.exists():
        if not os.access(path, os.W_OK):
            raise StoreError(f"the store {path} is read-only for this user; a command that writes "
                             "(sync, predict, ...) cannot use it")
    elif not os.access(parent, os.W_OK | os.X_OK):
        raise StoreError(f"cannot create the store {path}: the folder {parent} is not writable")


class Store:
    """A DuckDB file holding everything matchday knows. Use as a context manager.

    path: the store file (default :func:`default_db_path`); ``":memory:"`` for a throw-away store.
    read_only: open for reading (many processes may read at once; none may write meanwhile).
    lock_wait: seconds to wait while another process holds the lock (see :func:`lock_wait_seconds`).
    on_wait: called once with a one-line message when the store is busy and we start waiting.
    """

    def __init__(
        self,
        path: str | os.PathLike | None = None,
        *,
        read_only: bool = False,
        lock_wait: float | None = None,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else default_db_path()
        self.read_only = read_only
        self._lock_wait = lock_wait_seconds(lock_wait)
        self._on_wait = on_wait
        memory = str(path) == ":memory:"
        if path is not None and not str(path).strip():
            raise StoreError("no store path given (an empty --db); give a file such as matchday.duckdb")
        if not memory:
            self.path = self.path.expanduser()
            self._check_path()
        self.con: duckdb.DuckDBPyConnection = self._connect(":memory:" if memory else str(self.path), read_only)
        try:
            self._prepare_schema()
        except BaseException:
            self.con.close()
            raise

    # ------------------------------------------------------------------ opening
    def _check_path(self) -> None:
        check_store_path(self.path, read_only=self.read_only)

    def _connect(self, target: str, read_only: bool) -> duckdb.DuckDBPyConnection:
        """duckdb.connect, waiting up to the lock wait while another process holds the lock."""
        import duckdb

        deadline = time.monotonic() + self._lock_wait
        delay, told = 0.05, False
        while True:
            try:
                return duckdb.connect(target, read_only=read_only)
            except duckdb.Error as exc:
                text = str(exc)
                if "lock" not in text.lower() or "Could not set lock" not in text:
                    raise self._open_error(exc) from None
                holder = lock_holder(text)
                who = f"another process, {holder}" if holder else "another process"
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise StoreBusyError(
                        f"the store {self.path} is in use by {who}; gave up after waiting "
                        f"{self._lock_wait:g} s (wait longer with --lock-wait or {ENV_LOCK_WAIT})"
                    ) from None
                if not told and self._on_wait is not None:
                    self._on_wait(f"the store {self.path} is in use by {who}; waiting up to "
                                  f"{self._lock_wait:g} s")
                told = True
                time.sleep(min(delay, max(remaining, 0.0)))
                delay = min(delay * 2, 0.5)

    def _open_error(self, exc: BaseException) -> StoreError:
        text = _first_line(exc)
        if "not a valid DuckDB database file" in text:
            return StoreError(f"{self.path} is not a matchday store (not a DuckDB database file)")
        if "different configuration" in text:
            return StoreError(f"the store {self.path} is already open in this process in another mode")
        if "Permission denied" in text or "Read-only file system" in text:
            return StoreError(f"cannot {'read' if self.read_only else 'write'} the store {self.path}: "
                              "permission denied")
        return StoreError(f"cannot open the store {self.path}: {text}")

    def _schema_version(self) -> int | None:
        tables = {row[0] for row in self.con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}
        if "meta" not in tables:
            if tables:
                raise StoreError(f"{self.path} is a DuckDB database but not a matchday store "
                                 f"(it has tables {', '.join(sorted(tables)[:5])}); refusing to use it")
            return None
        rows = self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
        try:
            return int(rows[0][0]) if rows else None
        except (TypeError, ValueError):
            raise StoreError(f"{self.path}: unreadable schema version {rows[0][0]!r}") from None

    def _prepare_schema(self) -> None:
        import duckdb

        try:
            version = self._schema_version()
        except duckdb.Error as exc:
            raise self._open_error(exc) from None
        if version is not None and version > SCHEMA_VERSION:
            raise StoreError(f"the store {self.path} was written by a newer matchday (schema {version}, this "
                             f"one knows {SCHEMA_VERSION}); upgrade matchday or use another --db")
        if self.read_only:
            if version is None:
                raise EmptyStoreError(f"{self.path} is an empty database, not yet a matchday store; run `matchday sync`")
            if version < SCHEMA_VERSION:  # upgrade in place, then read
                self.con.close()
                Store(self.path, lock_wait=self._lock_wait, on_wait=self._on_wait).close()
                self.con = self._connect(str(self.path), True)
            return
        if version == SCHEMA_VERSION:
            self._ensure_competitions()
            return
        try:
            self.con.execute("BEGIN TRANSACTION")
            self.con.execute(_SCHEMA)
            for statement in _MIGRATIONS:
                self.con.execute(statement)
            self.con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
            self._ensure_competitions()
            self.con.execute("COMMIT")
        except duckdb.Error as exc:
            self.con.execute("ROLLBACK")
            raise self._open_error(exc) from None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    def _ensure_competitions(self) -> None:
        rows = [(c.code, c.name, c.country, c.kind, c.tier) for c in COMPETITIONS.values()]
        self.con.executemany("INSERT OR IGNORE INTO competitions VALUES (?, ?, ?, ?, ?)", rows)

    # ------------------------------------------------------------------ import
    def import_batches(
        self, batches: Sequence[Batch], registry: TeamRegistry, progress: Callable[[int, int], None] | None = None
    ) -> ImportReport:
        """Import files in one transaction. Raises DataError (and writes nothing) on bad input.

        progress(done, total) is called after each file is written (optional). The report's
        ``open_conflicts``/``open_odds_changes`` count everything recorded in the store afterwards.
        """
        report = ImportReport()
        prepared = [self._prepare(batch, registry) for batch in batches]  # validate before writing
        self.con.execute("BEGIN TRANSACTION")
        try:
            for done, (batch, (frame, odds, unknown, skipped)) in enumerate(
                    zip(batches, prepared, strict=True), start=1):
                written = self._write_batch(batch, frame, odds, unknown, registry)
                written.placeholders = skipped
                report.merge(written)
                if progress:
                    progress(done, len(batches))
            self._refresh_seasons()
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        report.open_conflicts = self._count("conflicts")
        report.open_odds_changes = self._count("odds_changes")
        return report

    def _prepare(
        self, batch: Batch, registry: TeamRegistry
    ) -> tuple[pd.DataFrame, pd.DataFrame, list[tuple[str, str | None, str]], int]:
        # Fixtures between clubs not known yet ("N.N. v N.N." for a final) are no match to store.
        matches = [m for m in batch.matches if not (is_placeholder(m.home) or is_placeholder(m.away))]
        skipped = len(batch.matches) - len(matches)
        frame = matches_frame(matches)
        unknown: dict[tuple[str, str | None], str] = {}
        if frame.empty:
            return frame, pd.DataFrame(), [], skipped

        def team_id(name: str, country: str | None, row: int) -> str:
            found = registry.resolve(name, country=country)
            if found is not None:
                return found
            if country is None:
                # A UEFA club without its "(XXX)": only a name the registry knows can say which club it is.
                raise DataError(
                    f"club {name!r} has no country code and the registry knows no club of that name "
                    "(or several)", file=batch.source_file, line=_line(frame.iloc[row]), column="club",
                    value=name, expected="a UEFA club written with its country, e.g. 'Liverpool FC (ENG)'",
                )
            try:
                found = registry.provisional_id(name, country)
            except ValueError:  # no letter or digit the registry can key the name by
                raise DataError(
                    "club name without a Latin letter or digit", file=batch.source_file,
                    line=_line(frame.iloc[row]), column="club", value=name,
                    expected="a club name in Latin letters, as the sources write them",
                ) from None
            unknown[(name, country)] = found
            return found

        league_country = frame["competition"].map(
            lambda c: COMPETITIONS[c].country if c in COMPETITIONS and COMPETITIONS[c].country != "EUR" else None)
        cache: dict[tuple[str, str | None], str] = {}
        for side in ("home", "away"):
            # Plain Python values: pandas may hold a missing country as NaN, which is not a country.
            countries = [
                own if isinstance(own, str) and own else (fallback if isinstance(fallback, str) else None)
                for own, fallback in zip(frame[f"{side}_country"].tolist(), league_country.tolist(), strict=True)
            ]
            ids = []
            for row, (name, country) in enumerate(zip(frame[side].tolist(), countries, strict=True)):
                key = (name, country)
                if key not in cache:
                    cache[key] = team_id(name, country, row)
                ids.append(cache[key])
            frame[f"{side}_id"] = ids
            frame[f"{side}_country"] = pd.Series(countries, index=frame.index, dtype=object)
        same = frame["home_id"] == frame["away_id"]
        if same.any():
            row = frame[same].iloc[0]
            raise DataError(
                "a club cannot play itself", file=batch.source_file, line=_line(row), column="home/away",
                value=f"{row['home']} v {row['away']}", expected="two different clubs",
            )
        frame["match_id"] = [
            match_id_for(c, s, d.date(), h, a)
            for c, s, d, h, a in zip(frame.competition, frame.season, frame.date, frame.home_id, frame.away_id, strict=True)
        ]
        self._check_duplicates(frame, batch)
        odds_rows = [
            (i, q.bookmaker, q.market, q.selection, q.line, q.closing, q.price)
            for i, m in enumerate(matches)
            for q in m.odds
        ]
        odds = pd.DataFrame(odds_rows, columns=["row", "bookmaker", "market", "selection", "line", "closing", "price"])
        unknown_rows = [(name, country, team) for (name, country), team in unknown.items()]
        return frame, odds, unknown_rows, skipped

    @staticmethod
    def _check_duplicates(frame: pd.DataFrame, batch: Batch) -> None:
        """One match listed twice (same pairing and date), or a league pairing more often in one season than
        the competition's format allows (:attr:`Competition.pairing_repeats`: 1 in a double round robin; up
        to 3 in the Scottish Premiership's split), is bad input."""
        keys = frame[["competition", "season", "home_id", "away_id"]].copy()
        keys["date_key"] = frame["date"].dt.strftime("%Y-%m-%d")
        dup = keys.duplicated(keep="first")
        league = frame["competition"].map(lambda c: COMPETITIONS.get(c) is not None and COMPETITIONS[c].kind == "league")
        allowed = frame["competition"].map(lambda c: COMPETITIONS[c].pairing_repeats if c in COMPETITIONS else 1)
        occurrence = keys.groupby(["competition", "season", "home_id", "away_id"]).cumcount() + 1
        dup |= league & (occurrence > allowed)
        if dup.any():
            row = frame[dup].iloc[0]
            raise DataError(
                "the same match appears twice", file=batch.source_file, line=_line(row), column="HomeTeam/AwayTeam",
                value=f"{row['home']} v {row['away']} ({row['season']})",
                expected="each league pairing once per season",
            )

    def _existing(self, competition: str, season: str) -> pd.DataFrame:
        return self.con.execute(
            """SELECT match_id, competition, season, date, home_id, away_id, round, home_goals, away_goals,
                      aet_home_goals, aet_away_goals, pen_home, pen_away, source
               FROM matches WHERE competition = ? AND season = ?""",
            [competition, season],
        ).df()

    def _write_batch(
        self,
        batch: Batch,
        frame: pd.DataFrame,
        odds: pd.DataFrame,
        unknown: list[tuple[str, str | None, str]],
        registry: TeamRegistry,
    ) -> ImportReport:
        report = ImportReport(files=1, read=len(frame))
        if frame.empty:
            return report
        if batch.content_sha256 and self.imported_matches(batch.content_sha256, batch.scope) is not None:
            report.unchanged = len(frame)  # the very same bytes were imported before (from any path)
            return report
        self._write_teams(frame, registry, unknown, batch)
        frame = frame.copy()
        frame["stored_id"] = None
        for (competition, season), group in frame.groupby(["competition", "season"], sort=False):
            existing = self._existing(competition, season)
            if existing.empty:
                continue
            linked = link_to_stored(group, existing)
            # A pairing on the same day is one match whatever the sources call its round ("Quarter-finals",
            # "QF"): link what the rounds kept apart when the stored match has that very day.
            same_day = existing.assign(day=pd.to_datetime(existing["date"]).dt.normalize()).drop_duplicates(
                ["home_id", "away_id", "day"]).set_index(["home_id", "away_id", "day"])["match_id"]
            keys = pd.MultiIndex.from_arrays([group["home_id"], group["away_id"], group["date"].dt.normalize()])
            by_day = pd.Series(same_day.reindex(keys).to_numpy(), index=group.index)
            taken = set(linked.dropna())
            fill = linked.isna() & by_day.notna() & ~by_day.isin(taken)
            linked[fill] = by_day[fill]
            # A record of the day a stored match was first stored on (it has since moved) is that match.
            known_ids = set(existing["match_id"]) - set(linked.dropna())
            first_day = linked.isna() & group["match_id"].isin(known_ids)
            linked[first_day] = group.loc[first_day, "match_id"]
            frame.loc[group.index, "stored_id"] = linked
        new = frame[frame["stored_id"].isna()]
        known = frame[frame["stored_id"].notna()]
        if not new.empty:
            insert = new[["match_id", *_STAT_COLUMNS, "home_id", "away_id", "source", "source_file", "source_line"]]
            self.con.register("incoming_matches", insert)
            columns = ", ".join(insert.columns)
            self.con.execute(f"INSERT INTO matches ({columns}) SELECT {columns} FROM incoming_matches")
            self.con.unregister("incoming_matches")
            report.added = len(new)
        if not known.empty:
            upd, same, conflicts, moved = self._reconcile(known, batch)
            report.updated, report.unchanged, report.conflicts, report.rescheduled = upd, same, conflicts, moved
        # provenance: which source files list each match
        frame["final_id"] = frame["stored_id"].fillna(frame["match_id"])
        provenance = pd.DataFrame(
            {
                "match_id": frame["final_id"],
                "source": frame["source"],
                "source_file": frame["source_file"],
                "source_line": frame["source_line"],
                "home_name": frame["home"],
                "away_name": frame["away"],
            }
        )
        self.con.register("incoming_provenance", provenance)
        self.con.execute("INSERT OR IGNORE INTO match_sources SELECT * FROM incoming_provenance")
        self.con.unregister("incoming_provenance")
        if not odds.empty:
            report.odds_added, report.odds_changed = self._write_odds(frame, odds, batch)
        self.con.execute(
            """INSERT OR IGNORE INTO imports (source, source_file, sha256, imported_at, matches, added, final_url, scope)
               VALUES (?, ?, ?, now(), ?, ?, ?, ?)""",
            [batch.source, batch.source_file, batch.content_sha256, len(frame), report.added, batch.final_url,
             ",".join(batch.scope) if batch.scope is not None else None],
        )
        report.unknown_names = [(name, country) for name, country, _ in unknown]
        return report

    def _write_odds(self, frame: pd.DataFrame, odds: pd.DataFrame, batch: Batch) -> tuple[int, int]:
        """Store new quotes; record (never apply) a different price for a quote already stored."""
        rows = odds["row"].to_numpy()
        odds = odds.assign(
            match_id=frame["final_id"].to_numpy()[rows],
            known=frame["stored_id"].notna().to_numpy()[rows],
            source_file=batch.source_file,
            source_line=frame["source_line"].to_numpy()[rows],
        )
        before = self._count("odds")
        # Odds of a match new to the store cannot be stored yet; only known matches need the joins.
        self.con.register("incoming_odds", odds.loc[~odds["known"], _ODDS_COLUMNS])
        self.con.execute(f"INSERT INTO odds ({', '.join(_ODDS_COLUMNS)}) SELECT * FROM incoming_odds")
        self.con.unregister("incoming_odds")
        changed = 0
        if odds["known"].any():
            self.con.register("incoming_odds", odds.loc[odds["known"], [*_ODDS_COLUMNS, "source_line"]])
            same_quote = """o.match_id = i.match_id AND o.bookmaker = i.bookmaker AND o.market = i.market
                            AND o.selection = i.selection AND o.closing = i.closing
                            AND o.line IS NOT DISTINCT FROM i.line"""
            before_changes = self._count("odds_changes")
            self.con.execute(
                f"""INSERT INTO odds_changes
                    SELECT i.match_id, i.bookmaker, i.market, i.selection, i.line, i.closing, o.price,
                           o.source_file, i.price, ?, i.source_file, i.source_line, now()
                    FROM incoming_odds i JOIN odds o ON {same_quote}
                    WHERE o.price <> i.price
                      AND NOT EXISTS (SELECT 1 FROM odds_changes c
                                      WHERE c.match_id = i.match_id AND c.bookmaker = i.bookmaker
                                        AND c.market = i.market AND c.selection = i.selection
                                        AND c.closing = i.closing AND c.line IS NOT DISTINCT FROM i.line
                                        AND c.new_price = i.price)""",
                [batch.source],
            )
            changed = self._count("odds_changes") - before_changes
            self.con.execute(
                f"""INSERT INTO odds ({', '.join(_ODDS_COLUMNS)})
                    SELECT {', '.join('i.' + c for c in _ODDS_COLUMNS)} FROM incoming_odds i
                    ANTI JOIN odds o ON {same_quote}"""
            )
            self.con.unregister("incoming_odds")
        return self._count("odds") - before, changed

    def _reconcile(self, known: pd.DataFrame, batch: Batch) -> tuple[int, int, int, int]:
        """Compare incoming records with the stored matches they are (``data/running.py``'s identity):
        fill results of fixtures, with the date and kick-off the result was played on; move statuses on;
        take a later schedule (date, kick-off) of a match still to play from a source at least as trusted
        for schedules (:data:`~matchday.data.running.SCHEDULE_PRIORITY`); record conflicts (90 minutes,
        extra time, shoot-out); complete a stored result with the extra time or shoot-out another source gives.
        Returns (updated, unchanged, new conflicts, rescheduled)."""
        stored = self.con.execute(
            """SELECT match_id AS stored_id, home_goals AS old_home, away_goals AS old_away,
                      aet_home_goals AS old_aet_home, aet_away_goals AS old_aet_away,
                      pen_home AS old_pen_home, pen_away AS old_pen_away, source AS old_source,
                      status AS old_status, date AS old_date, kickoff AS old_kickoff, round AS old_round,
                      leg AS old_leg
               FROM matches WHERE list_contains(?, match_id)""",
            [known["stored_id"].tolist()],
        ).df()
        both = known.merge(stored, on="stored_id", how="left")
        incoming_played = both["home_goals"].notna()
        stored_played = both["old_home"].notna()
        fill = incoming_played & ~stored_played

        def differ(new: str, old: str) -> pd.Series:
            return both[new].astype("Int64").ne(both[old].astype("Int64")).fillna(False).astype(bool)

        def both_have(new: str, old: str) -> pd.Series:
            return both[new].notna() & both[old].notna()

        # Sources that omit extra-time or shoot-out detail are not in conflict over it; sources that
        # both give it must agree on it.
        differs = incoming_played & stored_played & (
            differ("home_goals", "old_home") | differ("away_goals", "old_away")
            | (both_have("aet_home_goals", "old_aet_home")
               & (differ("aet_home_goals", "old_aet_home") | differ("aet_away_goals", "old_aet_away")))
            | (both_have("pen_home", "old_pen_home")
               & (differ("pen_home", "old_pen_home") | differ("pen_away", "old_pen_away")))
        )
        # Status: "awarded" outranks "played" on the same score; among unplayed matches a status only
        # moves on (scheduled -> postponed -> abandoned -> cancelled), never back.
        old_rank = both["old_status"].map(_UNPLAYED_RANK)
        new_rank = both["status"].map(_UNPLAYED_RANK)
        restatus = (
            (incoming_played & stored_played & ~differs & both["status"].eq("awarded")
             & both["old_status"].ne("awarded"))
            | (~incoming_played & ~stored_played & new_rank.gt(old_rank).fillna(False).astype(bool))
        )
        # The schedule: a played record's date is the day it was played; for a match still to play the
        # schedule of the source trusted most for schedules (the fixtures file first) wins.
        new_day = pd.to_datetime(both["date"]).dt.normalize()
        old_day = pd.to_datetime(both["old_date"]).dt.normalize()
        moved_day = new_day.ne(old_day)
        moved_time = both["kickoff"].notna() & both["kickoff"].astype(str).ne(both["old_kickoff"].astype(str))
        rank_new = both["source"].map(lambda x: SCHEDULE_PRIORITY.get(x, 99))
        rank_old = both["old_source"].map(lambda x: SCHEDULE_PRIORITY.get(x, 99))
        reschedule = ~incoming_played & ~stored_played & (moved_day | moved_time) & (rank_new <= rank_old)
        # A played match whose stored date is not the day a more trusted result source says it was played
        # (a fixture stored at its original date, played later) moves to that day.
        result_new = both["source"].map(lambda x: RESULT_PRIORITY.get(x, 99))
        result_old = both["old_source"].map(lambda x: RESULT_PRIORITY.get(x, 99))
        redate = incoming_played & stored_played & ~differs & moved_day & (result_new < result_old)
        # A source agreeing on the result that also gives the extra time or the shoot-out another source
        # omitted (or left out as impossible) completes the stored match.
        detail = incoming_played & stored_played & ~differs & (
            (both["aet_home_goals"].notna() & both["old_aet_home"].isna())
            | (both["pen_home"].notna() & both["old_pen_home"].isna()))
        for _, row in both[detail].iterrows():
            self.con.execute(
                """UPDATE matches SET aet_home_goals=coalesce(aet_home_goals, ?),
                   aet_away_goals=coalesce(aet_away_goals, ?), pen_home=coalesce(pen_home, ?),
                   pen_away=coalesce(pen_away, ?) WHERE match_id=?""",
                [*(_int_or_none(row[c]) for c in ("aet_home_goals", "aet_away_goals", "pen_home", "pen_away")),
                 row["stored_id"]],
            )
        for _, row in both[fill].iterrows():
            self.con.execute(
                """UPDATE matches SET home_goals=?, away_goals=?, aet_home_goals=?, aet_away_goals=?,
                   pen_home=?, pen_away=?, ht_home_goals=?, ht_away_goals=?, status=?, date=?,
                   kickoff=coalesce(?, kickoff), round=coalesce(round, ?), leg=coalesce(leg, ?), source=?
                   WHERE match_id=?""",
                [*(_int_or_none(row[c]) for c in _SCORE_COLUMNS), _int_or_none(row["ht_home_goals"]),
                 _int_or_none(row["ht_away_goals"]), row["status"], row["date"].date(), _time_or_none(row["kickoff"]),
                 _text_or_none(row["round"]), _int_or_none(row["leg"]), row["source"], row["stored_id"]],
            )
        for _, row in both[reschedule | redate].iterrows():
            self.con.execute(
                "UPDATE matches SET date=?, kickoff=coalesce(?, kickoff), source=? WHERE match_id=?",
                [row["date"].date(), _time_or_none(row["kickoff"]), row["source"], row["stored_id"]],
            )
        for _, row in both[restatus].iterrows():
            self.con.execute("UPDATE matches SET status=? WHERE match_id=?", [row["status"], row["stored_id"]])
        conflicts = 0
        for _, row in both[differs].iterrows():
            old = [_int_or_none(row[c]) for c in
                   ("old_home", "old_away", "old_aet_home", "old_aet_away", "old_pen_home", "old_pen_away")]
            before = self._count("conflicts")
            self.con.execute(
                "INSERT OR IGNORE INTO conflicts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())",
                [
                    row["stored_id"], row["competition"], row["season"], row["date"].date(), row["home_id"],
                    row["away_id"], row["old_source"], _score_text(old), row["source"], row["source_file"],
                    _int_or_none(row["source_line"]), _score_text([_int_or_none(row[c]) for c in _SCORE_COLUMNS]),
                ],
            )
            conflicts += self._count("conflicts") - before
        updated = fill | restatus | reschedule | redate | detail  # disjoint from ``differs``
        moved = int((reschedule | redate | (fill & moved_day)).sum())
        return int(updated.sum()), len(both) - int(updated.sum()) - int(differs.sum()), conflicts, moved

    def _write_teams(
        self, frame: pd.DataFrame, registry: TeamRegistry, unknown: list[tuple[str, str | None, str]], batch: Batch
    ) -> None:
        ids = pd.unique(pd.concat([frame["home_id"], frame["away_id"]]))
        registered = [registry.teams[i] for i in ids if i in registry.teams]
        teams = pd.DataFrame(
            [(t.team_id, t.name, t.country, True) for t in registered]
            + [(team_id, name, country, False) for name, country, team_id in unknown],
            columns=["team_id", "name", "country", "registered"],
        )
        aliases = pd.DataFrame(
            {"alias": pd.concat([frame["home"], frame["away"]]), "team_id": pd.concat([frame["home_id"], frame["away_id"]])}
        ).drop_duplicates()
        aliases["source"] = batch.source
        self._insert_ignore("teams", teams)
        self._insert_ignore("team_aliases", aliases)
        if unknown:
            sides = [
                frame[["competition", "season", side, f"{side}_country", f"{side}_id"]].set_axis(
                    ["competition", "season", "name", "country", "team_id"], axis=1
                )
                for side in ("home", "away")
            ]
            seen = pd.concat(sides).drop_duplicates(["name", "competition", "season"])
            seen = seen[seen["team_id"].isin({team_id for _, _, team_id in unknown})]
            seen["source"] = batch.source
            self._insert_ignore("unknown_names", seen[["name", "country", "source", "competition", "season", "team_id"]])

    def _insert_ignore(self, table: str, frame: pd.DataFrame) -> None:
        if frame.empty:
            return
        self.con.register("incoming_rows", frame)
        columns = ", ".join(frame.columns)
        self.con.execute(f"INSERT OR IGNORE INTO {table} ({columns}) SELECT {columns} FROM incoming_rows")
        self.con.unregister("incoming_rows")

    def imported_matches(self, content_sha256: str, scope: Sequence[str] | None = None) -> int | None:
        """How many matches an earlier import of these very bytes read (from any path), or None if they
        are new. ``scope``: the seasons wanted from a multi-season file; an earlier import counts only if
        it covered all of them (an import of the whole file covers every scope)."""
        return covering_import(self.imported_contents().get(content_sha256, []), scope)

    def imported_contents(self) -> dict[str, list[tuple[int, tuple[str, ...] | None]]]:
        """sha256 -> [(matches read, seasons kept or None for the whole file)] of every import."""
        rows = self.con.execute("SELECT sha256, matches, scope FROM imports WHERE sha256 <> ''").fetchall()
        found: dict[str, list[tuple[int, tuple[str, ...] | None]]] = {}
        for sha, matches, scope in rows:
            found.setdefault(sha, []).append((int(matches or 0), tuple(scope.split(",")) if scope else None))
        return found

    def _refresh_seasons(self) -> None:
        self.con.execute(
            """INSERT OR REPLACE INTO seasons
               SELECT competition, season, min(date), max(date), count(*) FROM matches GROUP BY ALL"""
        )

    def _count(self, table: str) -> int:
        return int(self.con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])

    # ------------------------------------------------------------------ queries
    def match_content(self, competitions: Sequence[str] | None = None, seasons: Sequence[str] | None = None,
                      until: dt.date | None = None) -> str:
        """A fingerprint of what the stored matches of ``competitions`` x ``seasons`` dated on or before ``until``
        say (None: no restriction): every column but :data:`CONTENT_EXCLUDED`, hashed row by row and aggregated
        in the database (row count, XOR and sum of DuckDB's 64-bit row hashes; ~10 ms for 17,000 matches).
        A new result, a corrected score, a changed status, date or team id changes it; where a row was read
        from does not. Starts with the row count (``"<count>:<sha256 prefix>"``); the DuckDB version is part of
        it (its hash function may change between versions)."""
        import duckdb

        columns = [row[0] for row in self.con.execute("DESCRIBE matches").fetchall() if row[0] not in CONTENT_EXCLUDED]
        quoted = ", ".join(f'"{c}"' for c in columns)
        where, args = [], []
        if competitions is not None:
            where.append("list_contains(?, competition)")
            args.append(sorted(competitions))
        if seasons is not None:
            where.append("list_contains(?, season)")
            args.append(sorted(seasons))
        if until is not None:
            where.append("date <= ?")
            args.append(until)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        count, xor, total = self.con.execute(
            f"SELECT count(*), coalesce(bit_xor(h), 0), coalesce(sum(h), 0) FROM "
            f"(SELECT hash({quoted}) AS h FROM matches{clause})", args).fetchall()[0]
        text = f"{duckdb.__version__}|{','.join(columns)}|{count}|{xor}|{total}"
        return f"{count}:" + hashlib.sha256(text.encode()).hexdigest()[:24]

    def counts(self) -> dict[str, int]:
        tables = ["matches", "odds", "teams", "team_aliases", "unknown_names", "conflicts", "odds_changes",
                  "forecasts"]
        return {t: self._count(t) for t in tables}

    def matches(
        self,
        competitions: Iterable[str] | None = None,
        seasons: Iterable[str] | None = None,
        *,
        played: bool | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        teams: Iterable[str] | None = None,
        statuses: Iterable[str] | None = None,
    ) -> pd.DataFrame:
        """Matches as a DataFrame with team ids in ``home``/``away`` and names in ``home_name``/``away_name``.

        since/until are inclusive dates. played=True keeps matches with a result (played or awarded),
        False those without one (whatever became of them). statuses keeps only those statuses
        (:data:`~matchday.data.domain.MATCH_STATUSES`; :data:`~matchday.data.domain.STATUSES_TO_PLAY`
        are the matches still to play). Column ``status`` says what became of each match: a model of
        goals should leave ``awarded`` results out (their score was not played). Column ``overdue``: a
        match still to play dated on or before its competition season's latest stored result (postponed,
        or its result not published yet): still to play, date unknown (``docs/running-season.md``).
        """
        where, params = ["TRUE"], []
        if competitions is not None:
            where.append("list_contains(?, m.competition)")
            params.append(list(competitions))
        if seasons is not None:
            where.append("list_contains(?, m.season)")
            params.append(list(seasons))
        if played is True:
            where.append("m.home_goals IS NOT NULL")
        elif played is False:
            where.append("m.home_goals IS NULL")
        if since is not None:
            where.append("m.date >= ?")
            params.append(since)
        if until is not None:
            where.append("m.date <= ?")
            params.append(until)
        if statuses is not None:
            where.append("list_contains(?, m.status)")
            params.append(list(statuses))
        if teams is not None:
            where.append("(list_contains(?, m.home_id) OR list_contains(?, m.away_id))")
            team_list = list(teams)
            params.extend([team_list, team_list])
        frame = self.con.execute(
            f"""SELECT m.*, th.name AS home_name, ta.name AS away_name,
                       (m.home_goals IS NULL AND coalesce(m.status, 'scheduled') IN ('scheduled', 'postponed')
                        AND m.date <= r.last_result) IS TRUE AS overdue
                FROM matches m LEFT JOIN teams th ON th.team_id = m.home_id
                LEFT JOIN teams ta ON ta.team_id = m.away_id
                LEFT JOIN (SELECT competition, season, max(date) AS last_result FROM matches
                           WHERE home_goals IS NOT NULL GROUP BY ALL) r
                       ON r.competition = m.competition AND r.season = m.season
                WHERE {' AND '.join(where)} ORDER BY m.date, m.kickoff NULLS FIRST, m.home_id""",
            params,
        ).df()
        frame = frame.rename(columns={"home_id": "home", "away_id": "away"})
        frame["date"] = pd.to_datetime(frame["date"])
        for column in frame.columns:
            if column.endswith(("_goals", "_shots", "_on_target", "_fouls", "_corners", "_yellow", "_red")) or column in (
                "pen_home", "pen_away", "leg", "source_line"
            ):
                frame[column] = frame[column].astype("Int64")
        frame["neutral"] = frame["neutral"].fillna(False).astype(bool)
        return frame

    def odds(self, match_ids: Iterable[str] | None = None, *, market: str | None = None,
             bookmaker: str | None = None, closing: bool | None = None) -> pd.DataFrame:
        where, params = ["TRUE"], []
        if match_ids is not None:
            where.append("list_contains(?, match_id)")
            params.append(list(match_ids))
        for column, value in (("market", market), ("bookmaker", bookmaker), ("closing", closing)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        return self.con.execute(f"SELECT * FROM odds WHERE {' AND '.join(where)}", params).df()

    def available(self) -> pd.DataFrame:
        """What the store holds: one row per competition and season."""
        return self.con.execute(
            """SELECT s.competition, s.season, s.first_date, s.last_date, s.matches,
                      count(m.home_goals) AS played
               FROM seasons s JOIN matches m USING (competition, season)
               GROUP BY ALL ORDER BY s.competition, s.season"""
        ).df()

    def teams(self) -> pd.DataFrame:
        return self.con.execute("SELECT * FROM teams ORDER BY team_id").df()

    def unknown_names(self) -> pd.DataFrame:
        return self.con.execute(
            "SELECT * FROM unknown_names ORDER BY country NULLS LAST, name, competition, season"
        ).df()

    def conflicts(self) -> pd.DataFrame:
        """Every recorded conflict (open: the stored result was kept, the other source disagrees)."""
        return self.con.execute("SELECT * FROM conflicts ORDER BY date, match_id, other_source").df()

    def odds_changes(self) -> pd.DataFrame:
        """Stored quotes that a later file priced differently: both prices and the files they came from."""
        return self.con.execute(
            """SELECT m.date, m.competition, m.season, m.home_id, m.away_id, c.*
               FROM odds_changes c LEFT JOIN matches m USING (match_id)
               ORDER BY m.date, c.match_id, c.bookmaker, c.market, c.selection, c.found_at"""
        ).df()

    def log_forecasts(self, rows: pd.DataFrame, *, model: str, as_of: dt.date | None, run_id: str | None = None) -> str:
        """Append forecasts (columns home, away, p_home, p_draw, p_away, optional match_id, competition,
        home_expected_goals, away_expected_goals, details) to the forecasts log; returns the run id."""
        run_id = run_id or uuid.uuid4().hex[:12]
        frame = pd.DataFrame(
            {
                "run_id": run_id,
                "created_at": pd.Timestamp.now(tz="UTC").tz_localize(None),
                "model": model,
                "as_of": pd.Timestamp(as_of) if as_of is not None else pd.NaT,
                "match_id": rows.get("match_id"),
                "competition": rows.get("competition"),
                "home_id": rows["home"],
                "away_id": rows["away"],
                "p_home": rows["p_home"],
                "p_draw": rows["p_draw"],
                "p_away": rows["p_away"],
                "home_expected_goals": rows.get("home_expected_goals"),
                "away_expected_goals": rows.get("away_expected_goals"),
                "details": rows["details"].map(json.dumps) if "details" in rows else None,
            },
            index=rows.index,
        )
        self.con.register("incoming_forecasts", frame)
        self.con.execute("INSERT INTO forecasts SELECT * FROM incoming_forecasts")
        self.con.unregister("incoming_forecasts")
        return run_id

    def forecasts(self, run_id: str | None = None) -> pd.DataFrame:
        if run_id is None:
            return self.con.execute("SELECT * FROM forecasts ORDER BY created_at").df()
        return self.con.execute("SELECT * FROM forecasts WHERE run_id = ?", [run_id]).df()


def covering_import(imports: list[tuple[int, tuple[str, ...] | None]], scope: Sequence[str] | None) -> int | None:
    """Matches read by the earlier import that covers ``scope`` (None: the whole file), or None."""
    for matches, done in imports:
        if done is None or (scope is not None and set(scope) <= set(done)):
            return matches
    return None


def _time_or_none(value: object) -> dt.time | None:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, dt.time):
        return value
    try:
        return pd.Timestamp(str(value)).time()
    except ValueError:
        return None


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _int_or_none(value: object) -> int | None:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    return int(value)


def _score_text(score: list[int | None]) -> str:
    text = f"{score[0]}-{score[1]}"
    if score[2] is not None:
        text += f" aet {score[2]}-{score[3]}"
    if score[4] is not None:
        text += f" pens {score[4]}-{score[5]}"
    return text


def _line(row: pd.Series) -> int | None:
    value = row.get("source_line")
    return None if value is None or value is pd.NA else int(value)
