"""The embedded DuckDB store: competitions, seasons, teams and aliases, matches, odds, forecasts.

Imports are idempotent (a match already stored is recognised and nothing is added) and transactional:
:meth:`Store.import_batches` writes everything of one call in a single transaction, so a failure part-way
leaves the store exactly as it was. The same match arriving from a second source with a different
result is recorded in ``conflicts`` and never overwrites the stored result.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from matchday.data.competitions import COMPETITIONS
from matchday.data.domain import MATCH_COLUMNS, Match, matches_frame
from matchday.data.errors import DataError, MatchdayError

if TYPE_CHECKING:  # pragma: no cover
    import duckdb

    from matchday.data.registry import TeamRegistry

SCHEMA_VERSION = 1

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
    source VARCHAR, source_file VARCHAR, source_line INTEGER);
CREATE TABLE IF NOT EXISTS match_sources (
    match_id VARCHAR, source VARCHAR, source_file VARCHAR, source_line INTEGER, home_name VARCHAR,
    away_name VARCHAR, PRIMARY KEY (match_id, source, source_file));
CREATE TABLE IF NOT EXISTS odds (
    match_id VARCHAR, bookmaker VARCHAR, market VARCHAR, selection VARCHAR, line DOUBLE,
    closing BOOLEAN, price DOUBLE);
CREATE TABLE IF NOT EXISTS conflicts (
    match_id VARCHAR, competition VARCHAR, season VARCHAR, date DATE, home_id VARCHAR, away_id VARCHAR,
    stored_source VARCHAR, stored_score VARCHAR, other_source VARCHAR, other_file VARCHAR,
    other_line INTEGER, other_score VARCHAR, found_at TIMESTAMP,
    PRIMARY KEY (match_id, other_source, other_score));
CREATE TABLE IF NOT EXISTS imports (
    source VARCHAR, source_file VARCHAR, sha256 VARCHAR, imported_at TIMESTAMP, matches INTEGER,
    added INTEGER, PRIMARY KEY (source_file, sha256));
CREATE TABLE IF NOT EXISTS forecasts (
    run_id VARCHAR, created_at TIMESTAMP, model VARCHAR, as_of DATE, match_id VARCHAR,
    competition VARCHAR, home_id VARCHAR, away_id VARCHAR, p_home DOUBLE, p_draw DOUBLE, p_away DOUBLE,
    home_expected_goals DOUBLE, away_expected_goals DOUBLE, details VARCHAR);
"""

_SCORE_COLUMNS = ["home_goals", "away_goals", "aet_home_goals", "aet_away_goals", "pen_home", "pen_away"]

# Which stored match a cup match from another source is, when the two dates differ slightly.
_CUP_DATE_TOLERANCE_DAYS = 3


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(os.environ.get("MATCHDAY_DB", Path(user_data_dir("matchday")) / "matchday.duckdb"))


def match_id_for(competition: str, season: str, date: dt.date, home_id: str, away_id: str) -> str:
    """Deterministic id: the same match from any source gets the same id."""
    key = f"{competition}|{season}|{date.isoformat()}|{home_id}|{away_id}"
    return hashlib.sha1(key.encode()).hexdigest()[:16]


@dataclass
class Batch:
    """The matches of one source file, ready to import."""

    source: str
    source_file: str
    matches: list[Match]
    content_sha256: str = ""


@dataclass
class ImportReport:
    files: int = 0
    read: int = 0
    added: int = 0
    updated: int = 0  # scheduled matches that now have a result
    unchanged: int = 0
    conflicts: int = 0
    odds_added: int = 0
    unknown_names: list[tuple[str, str | None]] = field(default_factory=list)

    def merge(self, other: ImportReport) -> None:
        for name in ("files", "read", "added", "updated", "unchanged", "conflicts", "odds_added"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.unknown_names.extend(other.unknown_names)


class Store:
    """A DuckDB file holding everything matchday knows. Use as a context manager."""

    def __init__(self, path: str | os.PathLike | None = None, *, read_only: bool = False) -> None:
        import duckdb

        self.path = Path(path) if path is not None else default_db_path()
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        elif not self.path.exists():
            raise MatchdayError(f"no matchday store at {self.path}; run `matchday sync` first")
        self.con: duckdb.DuckDBPyConnection = duckdb.connect(str(self.path), read_only=read_only)
        if not read_only:
            self.con.execute(_SCHEMA)
            self.con.execute(
                "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]
            )
            self._ensure_competitions()

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

        progress(done, total) is called after each file is written (optional).
        """
        report = ImportReport()
        prepared = [self._prepare(batch, registry) for batch in batches]  # validate before writing
        self.con.execute("BEGIN TRANSACTION")
        try:
            for done, (batch, (frame, odds, unknown)) in enumerate(zip(batches, prepared, strict=True), start=1):
                report.merge(self._write_batch(batch, frame, odds, unknown, registry))
                if progress:
                    progress(done, len(batches))
            self._refresh_seasons()
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        return report

    def _prepare(
        self, batch: Batch, registry: TeamRegistry
    ) -> tuple[pd.DataFrame, pd.DataFrame, list[tuple[str, str | None, str]]]:
        frame = matches_frame(batch.matches)
        unknown: dict[tuple[str, str | None], str] = {}
        if frame.empty:
            return frame, pd.DataFrame(), []

        def team_id(name: str, country: str | None) -> str:
            found = registry.resolve(name, country=country)
            if found is None:
                found = registry.provisional_id(name, country)
                unknown[(name, country)] = found
            return found

        cache: dict[tuple[str, str | None], str] = {}
        for side in ("home", "away"):
            countries = frame[f"{side}_country"].where(frame[f"{side}_country"].notna(), None)
            fallback = frame["competition"].map(lambda c: COMPETITIONS[c].country if c in COMPETITIONS else None)
            countries = countries.fillna(fallback.where(fallback != "EUR", None))
            ids = []
            for name, country in zip(frame[side], countries, strict=True):
                key = (name, country)
                if key not in cache:
                    cache[key] = team_id(name, country)
                ids.append(cache[key])
            frame[f"{side}_id"] = ids
            frame[f"{side}_country"] = countries
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
            for i, m in enumerate(batch.matches)
            for q in m.odds
        ]
        odds = pd.DataFrame(odds_rows, columns=["row", "bookmaker", "market", "selection", "line", "closing", "price"])
        unknown_rows = [(name, country, team) for (name, country), team in unknown.items()]
        return frame, odds, unknown_rows

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
            """SELECT match_id, date, home_id, away_id, home_goals, away_goals, aet_home_goals,
                      aet_away_goals, pen_home, pen_away, source
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
        if batch.content_sha256 and self.imported_matches(batch.source_file, batch.content_sha256) is not None:
            report.unchanged = len(frame)  # the very same bytes were imported before
            return report
        self._write_teams(frame, registry, unknown, batch)
        frame = frame.copy()
        frame["stored_id"] = None
        for (competition, season), group in frame.groupby(["competition", "season"], sort=False):
            existing = self._existing(competition, season)
            if existing.empty:
                continue
            frame.loc[group.index, "stored_id"] = _match_to_existing(group, existing, competition)
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
            upd, same, conflicts = self._reconcile(known, batch)
            report.updated, report.unchanged, report.conflicts = upd, same, conflicts
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
            odds = odds.assign(
                match_id=frame["final_id"].to_numpy()[odds["row"].to_numpy()],
                known=frame["stored_id"].notna().to_numpy()[odds["row"].to_numpy()],
            )
            columns = ["match_id", "bookmaker", "market", "selection", "line", "closing", "price"]
            before = self._count("odds")
            # Odds of a match new to the store cannot be stored yet; only known matches need the anti-join.
            self.con.register("incoming_odds", odds.loc[~odds["known"], columns])
            self.con.execute("INSERT INTO odds SELECT * FROM incoming_odds")
            self.con.unregister("incoming_odds")
            if odds["known"].any():
                self.con.register("incoming_odds", odds.loc[odds["known"], columns])
                self.con.execute(
                    """INSERT INTO odds SELECT i.* FROM incoming_odds i ANTI JOIN odds o
                       ON o.match_id = i.match_id AND o.bookmaker = i.bookmaker AND o.market = i.market
                         AND o.selection = i.selection AND o.closing = i.closing
                         AND o.line IS NOT DISTINCT FROM i.line"""
                )
                self.con.unregister("incoming_odds")
            report.odds_added = self._count("odds") - before
        self.con.execute(
            "INSERT OR IGNORE INTO imports VALUES (?, ?, ?, now(), ?, ?)",
            [batch.source, batch.source_file, batch.content_sha256, len(frame), report.added],
        )
        report.unknown_names = [(name, country) for name, country, _ in unknown]
        return report

    def _reconcile(self, known: pd.DataFrame, batch: Batch) -> tuple[int, int, int]:
        """Compare incoming results with stored ones: fill results of fixtures, record conflicts."""
        stored = self.con.execute(
            """SELECT match_id AS stored_id, home_goals AS old_home, away_goals AS old_away,
                      aet_home_goals AS old_aet_home, aet_away_goals AS old_aet_away,
                      pen_home AS old_pen_home, pen_away AS old_pen_away, source AS old_source
               FROM matches WHERE list_contains(?, match_id)""",
            [known["stored_id"].tolist()],
        ).df()
        both = known.merge(stored, on="stored_id", how="left")
        incoming_played = both["home_goals"].notna()
        stored_played = both["old_home"].notna()
        fill = incoming_played & ~stored_played
        # Sources that omit extra-time detail are not in conflict over it: compare the 90-minute score.
        differs = incoming_played & stored_played & (
            (both["home_goals"].astype("Int64") != both["old_home"].astype("Int64"))
            | (both["away_goals"].astype("Int64") != both["old_away"].astype("Int64"))
        )
        for _, row in both[fill].iterrows():
            self.con.execute(
                """UPDATE matches SET home_goals=?, away_goals=?, aet_home_goals=?, aet_away_goals=?,
                   pen_home=?, pen_away=?, ht_home_goals=?, ht_away_goals=? WHERE match_id=?""",
                [*(_int_or_none(row[c]) for c in _SCORE_COLUMNS), _int_or_none(row["ht_home_goals"]),
                 _int_or_none(row["ht_away_goals"]), row["stored_id"]],
            )
        for _, row in both[differs].iterrows():
            old = [_int_or_none(row[c]) for c in
                   ("old_home", "old_away", "old_aet_home", "old_aet_away", "old_pen_home", "old_pen_away")]
            self.con.execute(
                "INSERT OR IGNORE INTO conflicts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())",
                [
                    row["stored_id"], row["competition"], row["season"], row["date"].date(), row["home_id"],
                    row["away_id"], row["old_source"], _score_text(old), row["source"], row["source_file"],
                    _int_or_none(row["source_line"]), _score_text([_int_or_none(row[c]) for c in _SCORE_COLUMNS]),
                ],
            )
        n_fill, n_conflict = int(fill.sum()), int(differs.sum())
        return n_fill, len(both) - n_fill - n_conflict, n_conflict

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

    def imported_matches(self, source_file: str, content_sha256: str) -> int | None:
        """How many matches an earlier import of these very bytes read, or None if they are new."""
        rows = self.con.execute(
            "SELECT max(matches) FROM imports WHERE source_file = ? AND sha256 = ?", [source_file, content_sha256]
        ).fetchall()
        return None if rows[0][0] is None else int(rows[0][0])

    def _refresh_seasons(self) -> None:
        self.con.execute(
            """INSERT OR REPLACE INTO seasons
               SELECT competition, season, min(date), max(date), count(*) FROM matches GROUP BY ALL"""
        )

    def _count(self, table: str) -> int:
        return int(self.con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])

    # ------------------------------------------------------------------ queries
    def counts(self) -> dict[str, int]:
        tables = ["matches", "odds", "teams", "team_aliases", "unknown_names", "conflicts", "forecasts"]
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
    ) -> pd.DataFrame:
        """Matches as a DataFrame with team ids in ``home``/``away`` and names in ``home_name``/``away_name``.

        since/until are inclusive dates. played=True keeps matches with a result, False only fixtures.
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
        if teams is not None:
            where.append("(list_contains(?, m.home_id) OR list_contains(?, m.away_id))")
            team_list = list(teams)
            params.extend([team_list, team_list])
        frame = self.con.execute(
            f"""SELECT m.*, th.name AS home_name, ta.name AS away_name
                FROM matches m LEFT JOIN teams th ON th.team_id = m.home_id
                LEFT JOIN teams ta ON ta.team_id = m.away_id
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
        return self.con.execute("SELECT * FROM conflicts ORDER BY date").df()

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


def _match_to_existing(group: pd.DataFrame, existing: pd.DataFrame, competition: str) -> list[str | None]:
    """For each incoming row, the id of the stored match it is (or None)."""
    league = COMPETITIONS.get(competition) is not None and COMPETITIONS[competition].kind == "league"
    by_pair: dict[tuple[str, str], list[tuple[dt.date, str]]] = {}
    for match_id, date, home, away in zip(existing.match_id, existing.date, existing.home_id, existing.away_id, strict=True):
        by_pair.setdefault((home, away), []).append((pd.Timestamp(date).date(), match_id))
    found: list[str | None] = []
    # In a league, the k-th meeting of a pairing (by date) in the incoming file is the k-th stored one: a
    # revised date stays the same match, and a pairing that a split repeats (SC0, B1, G1) stays two matches.
    rank = group.assign(_d=group.date).groupby(["home_id", "away_id"])["_d"].rank(method="first").astype(int) - 1
    for date, home, away, k in zip(group.date, group.home_id, group.away_id, rank, strict=True):
        candidates = by_pair.get((home, away), [])
        if league:
            ordered = sorted(candidates)
            found.append(ordered[k][1] if k < len(ordered) else None)
            continue
        day = date.date()
        near = [(abs((d - day).days), mid) for d, mid in candidates if abs((d - day).days) <= _CUP_DATE_TOLERANCE_DAYS]
        found.append(min(near)[1] if near else None)
    return found


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
