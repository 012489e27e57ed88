"""The running season from several sources: merge results and fixtures into one list, one row per match.

During a season no single source has everything: football-data's season file holds only the matches
played, its ``fixtures.csv`` the next few days (with odds), openfootball the whole schedule (football.json
for the leagues and the Champions League, Football.TXT for the three UEFA competitions) with results filled
in as the season goes, and each may be days behind the others. :func:`merge_fixtures` takes every record
of every source (team names already resolved to team ids) and returns one row per match:

* **Identity.** Records of one competition and season with the same home and away club are the same match
  when no source lists that pairing twice (every league of matchday: each club hosts each other club once;
  a UEFA pairing normally meets once with that home side). Dates do not enter, so a postponed or
  rescheduled match keeps one identity however far it moves. Where a source lists a pairing more than once
  (a UEFA league-phase meeting and a knockout tie with the same home club; leagues that split into groups,
  such as the Scottish Premiership), the records are matched to the occurrences of the source that lists
  the pairing most often, each to the nearest date not yet taken by a record of its own source; records left
  over are further occurrences.
* **Result.** A match with a played record takes its result from the played record of the highest
  :data:`RESULT_PRIORITY` (a fixture that gets played is filled in). Played records that disagree on the
  90-minute score are listed in ``conflicts`` (the priority's result is kept, never a mix).
* **Date.** A played match takes the date and kick-off of its chosen result record; a match still to play
  those of the record of the highest :data:`SCHEDULE_PRIORITY` (football-data's fixtures file, the most
  recently published schedule, first). ``rescheduled`` marks matches whose sources give different dates.
* **Status.** ``played``; ``scheduled``; ``overdue`` when still without a result on or before ``as_of``
  (postponed, abandoned, or a result no source has yet): still to play, date unknown. With a fixtures file
  among the sources, ``unconfirmed`` marks scheduled matches inside its window (and of a competition it
  covers) that it does not list: football-data drops postponed matches from it.

The function is pure (frames in, frames out): it neither reads files nor touches the store. How it is meant
to be wired into :class:`~matchday.data.store.Store` is described in ``docs/running-season.md``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from matchday.data.errors import DataError

#: Whose result wins when several sources have one (lower first). football-data's season file is the
#: reference for leagues; for UEFA matches the Football.TXT files carry extra time and penalties.
RESULT_PRIORITY: Mapping[str, int] = {
    "football-data": 0, "football-txt": 1, "openfootball-json": 2, "engsoccerdata": 3,
    "football-data-fixtures": 4,
}
#: Whose date and kick-off win for a match still to play (lower first): the fixtures file is published
#: for the coming days and follows postponements; openfootball's schedules are written for the season.
SCHEDULE_PRIORITY: Mapping[str, int] = {
    "football-data-fixtures": 0, "football-data": 1, "openfootball-json": 2, "football-txt": 3,
    "engsoccerdata": 4,
}
FIXTURES_SOURCE = "football-data-fixtures"
_UNKNOWN = 99

REQUIRED_COLUMNS = ("competition", "season", "date", "home_id", "away_id", "home_goals", "away_goals", "source")
_RESULT_COLUMNS = ("home_goals", "away_goals", "ht_home_goals", "ht_away_goals", "aet_home_goals",
                   "aet_away_goals", "pen_home", "pen_away")
MERGED_COLUMNS = ("identity", "competition", "season", "date", "kickoff", "home_id", "away_id", *_RESULT_COLUMNS,
                  "round", "leg", "status", "result_source", "date_source", "sources", "n_records",
                  "rescheduled", "unconfirmed")


@dataclass(frozen=True)
class MergedFixtures:
    """matches: one row per match (:data:`MERGED_COLUMNS`), by date. links: the identity of every input
    record (same index as the input). conflicts: played records whose 90-minute score differs from the one
    kept (columns identity, source, home_goals, away_goals, kept_source, kept_home_goals, kept_away_goals)."""

    matches: pd.DataFrame
    links: pd.Series
    conflicts: pd.DataFrame


def _identity(competition: str, season: str, home: str, away: str, occurrence: int) -> str:
    key = f"{competition}|{season}|{home}|{away}" + (f"|{occurrence}" if occurrence else "")
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def _check(records: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in REQUIRED_COLUMNS if c not in records.columns]
    if missing:
        raise DataError("the records lack a column", column=missing[0], expected=", ".join(REQUIRED_COLUMNS))
    frame = records.copy()
    for column in ("home_id", "away_id", "competition", "season", "source"):
        blank = frame[column].isna() | (frame[column].astype(str).str.strip() == "")
        if blank.any():
            row = blank.idxmax()
            raise DataError(f"a record (row {row}) has no {column}", column=column, value=frame.at[row, column],
                            expected="a value on every record")
    same = frame["home_id"] == frame["away_id"]
    if same.any():
        row = same.idxmax()
        raise DataError(f"a club plays itself (row {row})", column="away_id", value=frame.at[row, "away_id"])
    frame["date"] = pd.to_datetime(frame["date"], errors="coerce")
    if frame["date"].isna().any():
        row = frame["date"].isna().idxmax()
        raise DataError(f"a record (row {row}) has no valid date", column="date", value=records.at[row, "date"],
                        expected="a date")
    one_side = frame["home_goals"].isna() != frame["away_goals"].isna()
    if one_side.any():
        row = one_side.idxmax()
        raise DataError(f"a record (row {row}) has one side of the score", column="home_goals/away_goals",
                        value=f"{records.at[row, 'home_goals']}-{records.at[row, 'away_goals']}",
                        expected="both goals or neither")
    for column in ("kickoff", "round", "leg", *_RESULT_COLUMNS):
        if column not in frame.columns:
            frame[column] = None
    return frame


def _compatible(a: object, b: object) -> bool:
    """Two records can be one match unless both name a round and the rounds differ."""
    return a is None or b is None or pd.isna(a) or pd.isna(b) or a == b


def _assign(slot_dates: list, slot_rounds: list, dates, rounds, taken: set[int]) -> list[int]:
    """Each (date, round) to the nearest free, round-compatible slot (index), or -1; ``taken`` grows."""
    out = []
    for date, round_ in zip(dates, rounds, strict=True):
        free = [k for k in range(len(slot_dates)) if k not in taken and _compatible(slot_rounds[k], round_)]
        if not free:
            out.append(-1)
            continue
        k = min(free, key=lambda j: (abs((slot_dates[j] - date).days), j))
        taken.add(k)
        out.append(k)
    return out


def _occurrences(group: pd.DataFrame) -> np.ndarray:
    """Occurrence number (0, 1, ...) of each record of one pairing that some source lists more than once
    (or that sources place in different rounds): the occurrences are those of the source listing it most
    often (by date); every other record goes to the nearest occurrence of a compatible round that its own
    source has not taken yet, or starts a new one."""
    anchor = group["source"].value_counts().index[0]
    base = group[group["source"] == anchor].sort_values("date")
    slot_dates, slot_rounds = list(base["date"]), list(base["round"])
    occurrence = pd.Series(-1, index=group.index)
    occurrence[base.index] = np.arange(len(base))
    rest = group[group["source"] != anchor].sort_values("date")
    for _, part in rest.groupby("source", sort=False):
        taken: set[int] = set()
        for row, k, date, round_ in zip(part.index, _assign(slot_dates, slot_rounds, part["date"], part["round"],
                                                            taken), part["date"], part["round"], strict=True):
            if k < 0:
                k = len(slot_dates)
                slot_dates.append(date)
                slot_rounds.append(round_)
            occurrence[row] = k
    # Number occurrences by date so the identity does not depend on which source anchored them.
    order = sorted(range(len(slot_dates)), key=lambda j: (slot_dates[j], j))
    renumber = {k: i for i, k in enumerate(order)}
    return occurrence.map(renumber).to_numpy()


def merge_fixtures(
    records: pd.DataFrame,
    *,
    as_of: dt.date | str | None = None,
    fixtures_window: tuple[dt.date | str, dt.date | str] | None = None,
    result_priority: Mapping[str, int] = RESULT_PRIORITY,
    schedule_priority: Mapping[str, int] = SCHEDULE_PRIORITY,
) -> MergedFixtures:
    """Merge the records of several sources into one row per match (see the module docstring).

    records: one row per match per source, with team ids resolved: columns competition, season, date,
    home_id, away_id, home_goals, away_goals (None when not played), source; optional kickoff, round, leg,
    ht_*/aet_*/pen_* goals and anything else (ignored).
    as_of: the data's date: matches dated on or before it without a result are ``overdue``.
    fixtures_window: (first, last) day the fixtures file covers (inclusive); scheduled matches inside it,
    of a competition the file lists, that it does not list are ``unconfirmed``. None: no such check.
    """
    frame = _check(records)
    if frame.empty:
        return MergedFixtures(pd.DataFrame(columns=list(MERGED_COLUMNS)), pd.Series(dtype=object),
                              pd.DataFrame())
    pair = ["competition", "season", "home_id", "away_id"]
    per_source = frame.groupby([*pair, "source"], sort=False)["date"].transform("size")
    keys = [frame[c] for c in pair]
    rounds = frame["round"].where(frame["round"].notna(), None)
    repeated = (per_source.groupby(keys, sort=False).transform("max") > 1) | (
        rounds.groupby(keys, sort=False).transform("nunique") > 1)
    occurrence = pd.Series(0, index=frame.index)
    for _, group in frame[repeated].groupby(pair, sort=False):
        occurrence[group.index] = _occurrences(group)
    frame["identity"] = [
        _identity(c, s, h, a, int(k)) for c, s, h, a, k in
        zip(frame["competition"], frame["season"], frame["home_id"], frame["away_id"], occurrence, strict=True)
    ]

    played = frame["home_goals"].notna()
    frame["_result_rank"] = frame["source"].map(lambda s: result_priority.get(s, _UNKNOWN))
    frame["_schedule_rank"] = frame["source"].map(lambda s: schedule_priority.get(s, _UNKNOWN))
    # The record each match takes its fields from: a played record of the best result priority, else the
    # record of the best schedule priority (ties: the later date, then input order).
    frame["_pick"] = np.where(played, frame["_result_rank"], 1000 + frame["_schedule_rank"])
    frame["_order"] = np.arange(len(frame))
    ranked = frame.sort_values(["identity", "_pick", "date", "_order"], ascending=[True, True, False, True])
    chosen = ranked.drop_duplicates("identity", keep="first").set_index("identity")

    grouped = frame.groupby("identity", sort=False)
    n_dates = grouped["date"].agg(lambda d: d.dt.normalize().nunique())
    sources = grouped["source"].agg(lambda s: ",".join(sorted(set(s))))
    n_records = grouped.size()
    # Round and leg: from any record that has them (openfootball names rounds, football-data does not).
    round_of = frame.dropna(subset=["round"]).sort_values("_schedule_rank").drop_duplicates("identity")
    round_of = round_of.set_index("identity")

    out = pd.DataFrame(index=chosen.index)
    for column in ("competition", "season", "date", "kickoff", "home_id", "away_id", *_RESULT_COLUMNS):
        out[column] = chosen[column]
    out["round"] = chosen["round"].where(chosen["round"].notna(), round_of["round"].reindex(out.index))
    out["leg"] = chosen["leg"].where(chosen["leg"].notna(), round_of["leg"].reindex(out.index))
    is_played = out["home_goals"].notna()
    out["result_source"] = chosen["source"].where(is_played, None)
    out["date_source"] = chosen["source"]
    out["sources"] = sources.reindex(out.index)
    out["n_records"] = n_records.reindex(out.index).astype(int)
    out["rescheduled"] = n_dates.reindex(out.index) > 1
    cutoff = None if as_of is None else pd.Timestamp(as_of).normalize()
    overdue = ~is_played & (out["date"].dt.normalize() <= cutoff) if cutoff is not None else ~is_played & False
    out["status"] = np.where(is_played, "played", np.where(overdue, "overdue", "scheduled"))
    out["unconfirmed"] = False
    if fixtures_window is not None:
        first, last = (pd.Timestamp(x).normalize() for x in fixtures_window)
        covered = set(frame.loc[frame["source"] == FIXTURES_SOURCE, "competition"])
        listed = set(frame.loc[frame["source"] == FIXTURES_SOURCE, "identity"])
        day = out["date"].dt.normalize()
        inside = (out["status"] == "scheduled") & (day >= first) & (day <= last) & out["competition"].isin(covered)
        out["unconfirmed"] = inside & ~out.index.isin(listed)

    # Conflicts: played records whose 90-minute score differs from the kept one.
    kept = out.loc[is_played, ["home_goals", "away_goals", "result_source"]]
    others = frame[played].merge(kept.rename(columns=lambda c: f"{c}_kept" if c != "result_source" else c),
                                 left_on="identity", right_index=True, how="left")
    differs = (others["home_goals"].astype("Int64") != others["home_goals_kept"].astype("Int64")) | (
        others["away_goals"].astype("Int64") != others["away_goals_kept"].astype("Int64"))
    conflicts = others.loc[differs, ["identity", "source", "home_goals", "away_goals", "result_source",
                                     "home_goals_kept", "away_goals_kept"]].rename(columns={
        "result_source": "kept_source", "home_goals_kept": "kept_home_goals", "away_goals_kept": "kept_away_goals"})

    matches = out.reset_index().rename(columns={"index": "identity"})
    matches = matches.sort_values(["date", "competition", "home_id"], kind="stable").reset_index(drop=True)
    return MergedFixtures(matches=matches[list(MERGED_COLUMNS)], links=frame["identity"],
                          conflicts=conflicts.reset_index(drop=True))


def link_to_stored(incoming: pd.DataFrame, stored: pd.DataFrame) -> pd.Series:
    """For each incoming record of one source file, the ``match_id`` of the stored match it is (or None).

    The store-side form of :func:`merge_fixtures`' identity, for :class:`~matchday.data.store.Store`'s
    import (see ``docs/running-season.md``). incoming: columns competition, season, date, home_id, away_id
    and optional round. stored: the store's matches of the same competitions and seasons (columns match_id,
    competition, season, date, home_id, away_id, optional round), one row per match. A pairing that the
    store and the file each hold once links whatever the dates (postponed, rescheduled, played late),
    unless both name different rounds; several meetings of one pairing link by nearest date among rounds
    that agree, each stored match at most once per file.
    """
    out = pd.Series([None] * len(incoming), index=incoming.index, dtype=object)
    if incoming.empty or stored.empty:
        return out
    pair = ["competition", "season", "home_id", "away_id"]
    inc = incoming.assign(date=pd.to_datetime(incoming["date"]),
                          round=incoming["round"] if "round" in incoming.columns else None)
    sto = stored.assign(date=pd.to_datetime(stored["date"]),
                        round=stored["round"] if "round" in stored.columns else None)
    groups = dict(iter(sto.groupby(pair, sort=False)))
    for key, part in inc.groupby(pair, sort=False):
        have = groups.get(key)
        if have is None:
            continue
        have = have.sort_values("date")
        part = part.sort_values("date")
        taken: set[int] = set()
        slots = _assign(list(have["date"]), list(have["round"]), part["date"], part["round"], taken)
        ids = have["match_id"].tolist()
        for row, k in zip(part.index, slots, strict=True):
            out[row] = ids[k] if k >= 0 else None
    return out

