"""The match frame: its one validation, and what "as of" a date means.

A match frame has one row per match with the columns ``date``, ``home``, ``away`` (team ids after the
store, source names before it), ``home_goals`` and ``away_goals`` (after 90 minutes; missing for a match not
played yet), and optionally ``neutral``, ``competition`` and ``source_file`` / ``source_line`` (where the row
came from, for error messages). :meth:`matchday.data.store.Store.matches` and
:func:`matchday.data.domain.matches_frame` return such frames.

**As of.** ``as_of = D`` (a date; a timestamp counts as its day) means *after the last match of day D*:
every match dated D or earlier is known, whatever its kick-off time, and every later one is still to play.
Tables, simulations and model fits all use this meaning (:func:`as_of_day`, :func:`on_or_before`); a fit's
time decay counts a match's age from the end of day D (:func:`day_end`), so a match played on D is one day
old.

:func:`played_matches` is the one validation of a match frame: the league table
(:func:`matchday.rules.table.league_table`), every model fit and the backtest call it. Bad input raises
:class:`~matchday.data.errors.DataError` naming the column, the row (source file and line when the frame
carries them), the value and what was expected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from matchday.data.errors import DataError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

REQUIRED_COLUMNS: tuple[str, ...] = ("date", "home", "away", "home_goals", "away_goals")
ALL_COMPETITIONS = "*"  # competition of every row of a frame without a competition column


def as_of_day(value: Any) -> pd.Timestamp | None:
    """``as_of`` as the midnight that starts its day (None stays None); a date, string or timestamp."""
    import pandas as pd

    if value is None:
        return None
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise DataError("cannot read the as-of date", column="as_of", value=value,
                        expected="a date such as 2024-04-14") from exc
    if stamp is pd.NaT:
        raise DataError("as-of date is missing", column="as_of", value=value, expected="a date")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return stamp.normalize()


def day_end(day: pd.Timestamp) -> pd.Timestamp:
    """The end of ``day`` (midnight after it): the moment "as of that day" refers to."""
    import pandas as pd

    return day.normalize() + pd.Timedelta(days=1)


def on_or_before(dates: np.ndarray, day: pd.Timestamp | None) -> np.ndarray:
    """Mask of ``dates`` (datetime64) that fall on ``day`` or earlier (all True when ``day`` is None)."""
    values = np.asarray(dates, dtype="datetime64[ns]")
    if day is None:
        return np.ones(values.shape, dtype=bool)
    return values < np.datetime64(day_end(day).to_datetime64(), "ns")


@dataclass
class MatchArrays:
    """The played matches of a frame as NumPy arrays (one entry per match, frame order kept).

    ``positions`` are the rows of ``source`` (the caller's frame) that were kept; :meth:`column` reads any
    further column (shots, countries) for those rows.
    """

    source: pd.DataFrame
    positions: np.ndarray
    date: np.ndarray  # datetime64[ns]
    home: np.ndarray  # object (team labels)
    away: np.ndarray
    home_goals: np.ndarray  # float, whole numbers
    away_goals: np.ndarray
    neutral: np.ndarray  # bool
    competition: np.ndarray  # object ("*" when the frame has no competition column)

    def __len__(self) -> int:
        return len(self.date)

    def column(self, name: str, dtype: Any = float) -> np.ndarray | None:
        """Column ``name`` for the kept rows (missing values as NaN for floats), None if absent."""
        import pandas as pd

        if name not in self.source.columns:
            return None
        values = self.source[name]
        if dtype is float:
            array = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        else:
            array = values.to_numpy(dtype=dtype)
        return array[self.positions]


def bad_row(frame: pd.DataFrame, position: int, column: str, reason: str, expected: str | None,
            value: Any = None) -> DataError:
    """A :class:`DataError` about row ``position`` of ``frame`` (its source file and line when known);
    ``value`` defaults to the row's ``column``."""
    import pandas as pd

    file = line = None
    if "source_file" in frame.columns:
        source_file = frame["source_file"].iloc[position]
        file = None if pd.isna(source_file) or source_file == "" else str(source_file)
    if "source_line" in frame.columns:
        source_line = frame["source_line"].iloc[position]
        line = None if pd.isna(source_line) else int(source_line)
    where = "" if line is not None else f" (row {frame.index[position]!r} of the match frame)"
    shown = frame[column].iloc[position] if value is None else value
    return DataError(reason + where, file=file, line=line, column=column, value=shown, expected=expected)


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _dates(frame: pd.DataFrame) -> np.ndarray:
    import pandas as pd

    dates = frame["date"]
    if not pd.api.types.is_datetime64_any_dtype(dates):
        parsed = pd.to_datetime(dates, errors="coerce")
        unreadable = (parsed.isna() & dates.notna()).to_numpy()
        if unreadable.any():
            raise bad_row(frame, _first(unreadable), "date", "match date cannot be read", "a date")
        dates = parsed
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    return dates.to_numpy(dtype="datetime64[ns]")


def _goals(frame: pd.DataFrame, column: str) -> np.ndarray:
    import pandas as pd

    try:
        return frame[column].to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        unreadable = np.isnan(values) & frame[column].notna().to_numpy()
        if unreadable.any():
            raise bad_row(frame, _first(unreadable), column, "goals must be whole numbers >= 0",
                          "an integer >= 0") from None
        return values


def _teams(frame: pd.DataFrame, column: str) -> np.ndarray:
    """The column as an object array; a missing or blank team on any row is an error."""
    import pandas as pd

    values = frame[column].to_numpy(dtype=object)
    codes, uniques = pd.factorize(values)  # checks each distinct label once
    blank = np.array([str(u).strip() == "" for u in uniques], dtype=bool)
    bad = (codes < 0) | (blank[codes] if blank.size else np.zeros(codes.shape, dtype=bool))
    if bad.any():
        raise bad_row(frame, _first(bad), column, f"match without a {column} team", "a team id or name")
    return values


def played_matches(
    frame: pd.DataFrame, as_of: Any = None, *, columns: Sequence[str] = REQUIRED_COLUMNS
) -> MatchArrays:
    """Validate a match frame and return its played matches dated on or before ``as_of`` (all when None).

    Every row must have two teams, different from each other; a date that cannot be read is an error on
    any row, a missing one only on a played row; goals must be whole numbers >= 0 where given. Rows whose
    goals are missing (fixtures) are checked but not returned. ``columns``: the columns the caller needs
    (a missing one is an error naming it). No per-row Python: model fits call this on every refit.
    """
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise DataError("matches must be a pandas DataFrame", value=type(frame).__name__,
                        expected="a DataFrame with columns " + ", ".join(columns))
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError("match frame lacks a required column", column=missing[0],
                        expected="columns " + ", ".join(columns))
    home, away = _teams(frame, "home"), _teams(frame, "away")
    same = home == away
    if same.any():
        raise bad_row(frame, _first(same), "away", "a team cannot play itself", "two different teams")
    date = _dates(frame)
    home_goals, away_goals = _goals(frame, "home_goals"), _goals(frame, "away_goals")
    played = ~(np.isnan(home_goals) | np.isnan(away_goals))
    for column, values in (("home_goals", home_goals), ("away_goals", away_goals)):
        given = ~np.isnan(values)
        bad = given & ((values < 0) | (values != np.floor(values)) | ~np.isfinite(values))
        if bad.any():
            raise bad_row(frame, _first(bad), column, "goals must be whole numbers >= 0", "an integer >= 0")
    undated = played & np.isnat(date)
    if undated.any():
        raise bad_row(frame, _first(undated), "date", "played match without a date", "a date")
    keep = played & on_or_before(date, as_of_day(as_of))
    positions = np.flatnonzero(keep)
    everything = positions.size == len(frame)

    def take(array: np.ndarray) -> np.ndarray:
        return array if everything else array[positions]

    if "neutral" in frame.columns:
        flags = frame["neutral"]
        neutral = flags.to_numpy(dtype=bool) if flags.dtype == bool else flags.fillna(False).to_numpy(dtype=bool)
    else:
        neutral = np.zeros(len(frame), dtype=bool)
    if "competition" in frame.columns:
        competition = frame["competition"].to_numpy(dtype=object)
        unknown = pd.isna(competition)
        if unknown.any():
            competition = np.where(unknown, ALL_COMPETITIONS, competition)
    else:
        competition = np.full(len(frame), ALL_COMPETITIONS, dtype=object)
    return MatchArrays(frame, positions, take(date), take(home), take(away), take(home_goals), take(away_goals),
                       take(neutral), take(competition))
