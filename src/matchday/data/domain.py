"""Domain objects every source reader yields (one model for all providers, kloppy-style).

Goals are counted per team; ``home_goals``/``away_goals`` are the score after 90 minutes
(plus stoppage time). A match decided in extra time also carries the score after 120 minutes
(``aet_*``, which *includes* the 90-minute goals) and, if it went to a shoot-out, the penalty
score (``pen_*``). A match without a result has ``home_goals is None``.

Every match has a ``status`` (:data:`MATCH_STATUSES`): ``played`` and ``awarded`` carry a score (an
awarded score is the official result of a match that was not played, or not played out: it counts in
the table but says nothing about goal scoring); ``scheduled``, ``postponed``, ``cancelled`` and
``abandoned`` carry none. A reader sets the status where its source says so; otherwise it is
``played`` for a match with a score and, for one without, decided by :func:`classify_unplayed`.

Every value a reader produces is checked here as well (:meth:`Match.__post_init__`), so that nothing
a reader lets through can break the store: goals lie in ``0..MAX_GOALS`` in every source, a
shoot-out score must be one a shoot-out can end with, statistics lie in ``0..MAX_COUNT`` and a club
name must look like a name. Failures are :class:`~matchday.data.errors.DataError` naming the file and
line the match came from.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING

from matchday.data.errors import DataError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: What became of a match. ``played``/``awarded`` have a score, the others none.
MATCH_STATUSES: tuple[str, ...] = ("played", "scheduled", "postponed", "cancelled", "awarded", "abandoned")
STATUSES_WITH_SCORE = frozenset(("played", "awarded"))
#: Matches that may still be played ("still to play"); cancelled, abandoned and awarded ones are not.
STATUSES_TO_PLAY = frozenset(("scheduled", "postponed"))

#: The one bound on goals (per team, per period) in every reader. The most goals a team scored in a
#: senior match on record is 149 (an own-goal protest, AS Adema 149-0, Madagascar 2002), a farce no
#: source here could hold; the most in the data here is 13 (champs.csv). 99 is the two-digit limit the
#: openfootball formats already had: it keeps every real score and stops overflowing numbers.
MAX_GOALS = 99
#: Bound on a per-team match statistic (shots, fouls, corners, cards): far above any real match, far
#: below the store's 32-bit integers.
MAX_COUNT = 999
#: Shoot-out scores with a margin of two or more: only the first five kicks each can end that way
#: (after them, sudden death ends one goal apart), and only before the trailing side is out of kicks.
_DECISIVE_SHOOTOUTS = frozenset(
    ((0, 2), (0, 3), (1, 3), (1, 4), (2, 4), (3, 5), (2, 0), (3, 0), (3, 1), (4, 1), (4, 2), (5, 3))
)

_NAME_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f?!\[\]{}<>=*#@$%^|\\~`;\"]")
_NAME_SCORE = re.compile(r"(?<![0-9])[0-9]{1,3}\s*[-:]\s*[0-9]{1,3}(?![0-9])")
MAX_NAME_LENGTH = 80


#: How openfootball writes a club not known yet (a final before the semi-finals are played).
PLACEHOLDER_NAMES = frozenset(("N.N.", "N. N.", "NN", "N.N"))


def is_placeholder(name: object) -> bool:
    """Whether a club name stands for a club not known yet (``N.N.``): such fixtures are not stored."""
    return isinstance(name, str) and name.strip() in PLACEHOLDER_NAMES


def shootout_problem(home: int, away: int) -> str | None:
    """Why ``home``-``away`` cannot be the final score of a penalty shoot-out (None if it can).

    A shoot-out never ends level; one goal apart it can end at any score (sudden death); two or more
    apart only inside the first five kicks each (3-0, 4-2, 5-3, ...: never 5-2 or 6-3).
    """
    if home < 0 or away < 0:
        return "a negative number of penalties"
    if home == away:
        return "a shoot-out cannot end level"
    if abs(home - away) > 1 and (home, away) not in _DECISIVE_SHOOTOUTS:
        return "a shoot-out is decided one goal apart after five kicks each, or earlier with at most five"
    return None


DATA_QUALITY_LOG = "matchday.data.quality"
"""Logger of the values a reader leaves out of a match it keeps (sync lists them in its summary)."""


def checked_shootout(pens: tuple[int, int] | None, where: str) -> tuple[int, int] | None:
    """``pens`` when a shoot-out can end with it; else None, with a warning naming ``where`` (file, line or
    field) and why. A shoot-out score that cannot be says nothing about who won the shoot-out, while the
    match's 90-minute and extra-time scores stand: the match is kept without it (another source may have the
    shoot-out), rather than refusing the whole file."""
    if pens is None or (problem := shootout_problem(*pens)) is None:
        return pens
    logging.getLogger(DATA_QUALITY_LOG).warning(
        "%s: impossible shoot-out score %d-%d (%s): left out; the match keeps its 90-minute and extra-time "
        "scores", where, pens[0], pens[1], problem)
    return None


def club_name_problem(name: object) -> str | None:
    """Why ``name`` cannot be a club name as a source writes it (None if it can); see
    :func:`_club_name_problem` for the rule. Results are cached: a file repeats its names."""
    if isinstance(name, str):
        return _cached_name_problem(name)
    return _club_name_problem(name)


@functools.lru_cache(maxsize=8192)
def _cached_name_problem(name: str) -> str | None:
    return _club_name_problem(name)


def _club_name_problem(name: object) -> str | None:
    """Why ``name`` cannot be a club name as a source writes it (None if it can).

    A name has a letter, at most MAX_NAME_LENGTH characters, no control characters, none of
    ``? ! [ ] { } < > = * # @ $ % ^ | \\ ~ ` ; "`` (every club name in the data uses only letters,
    digits, spaces and ``- . ' / &``), and nothing that reads as a score (``0-0``, ``2:1``).
    """
    if not isinstance(name, str) or not name.strip():
        return "a club name is missing"
    if len(name) > MAX_NAME_LENGTH:
        return f"a club name of {len(name)} characters (at most {MAX_NAME_LENGTH})"
    if not any(ch.isalpha() for ch in name):
        return "a club name needs a letter"
    if _NAME_FORBIDDEN.search(name):
        return "a club name with a character no club name has"
    if _NAME_SCORE.search(name):
        return "a club name that contains a score"
    return None


@dataclass(frozen=True, slots=True)
class OddsQuote:
    """One decimal price quoted for one outcome of one market.

    market: ``"1x2"`` (selections home/draw/away), ``"ou"`` (over/under, ``line`` in goals) or
    ``"ah"`` (Asian handicap, ``line`` = handicap given to the home side, selections home/away).
    bookmaker: the provider's code (``B365``, ``PS`` = Pinnacle, ``Max``/``Avg`` = market
    maximum/average, ``BbMx``/``BbAv`` = BetBrain maximum/average in older files).
    closing: True for closing prices (football-data's ``C`` columns), False for pre-match.
    """

    bookmaker: str
    market: str
    selection: str
    price: float
    line: float | None = None
    closing: bool = False


@dataclass(frozen=True, slots=True)
class Match:
    """One match as read from a source, with the source's own team names (not yet resolved)."""

    competition: str  # matchday code: E0, E1, SP1, I1, D1, F1, UCL, UEL, UECL
    season: str  # "2023-24"
    date: dt.date
    home: str  # team name as written by the source
    away: str
    home_goals: int | None = None  # after 90 minutes; None when not played yet
    away_goals: int | None = None
    ht_home_goals: int | None = None
    ht_away_goals: int | None = None
    aet_home_goals: int | None = None  # after 120 minutes, including the first 90
    aet_away_goals: int | None = None
    pen_home: int | None = None  # shoot-out score
    pen_away: int | None = None
    kickoff: dt.time | None = None  # local kick-off time as given by the source
    round: str | None = None  # "Quarter-final", "Group A", "Matchday 12" ...
    leg: int | None = None  # 1 or 2 in a two-legged tie, None otherwise
    neutral: bool = False  # played at a neutral venue (finals)
    home_country: str | None = None  # 3-letter code as written by the source (ENG, ITA, ...)
    away_country: str | None = None
    home_shots: int | None = None
    away_shots: int | None = None
    home_shots_on_target: int | None = None
    away_shots_on_target: int | None = None
    home_fouls: int | None = None
    away_fouls: int | None = None
    home_corners: int | None = None
    away_corners: int | None = None
    home_yellow: int | None = None
    away_yellow: int | None = None
    home_red: int | None = None
    away_red: int | None = None
    referee: str | None = None
    source: str = ""  # provider id: football-data, openfootball-json, football-txt, engsoccerdata
    source_file: str = ""  # file name or URL the match was read from
    source_line: int | None = None  # 1-based line in that file (None for JSON)
    odds: tuple[OddsQuote, ...] = field(default=(), compare=False)
    status: str | None = None  # MATCH_STATUSES; None: not stated by the source (see classify_unplayed)

    def __post_init__(self) -> None:
        problem = _problem(self)
        if problem is not None:
            column, value, reason, expected = problem
            raise DataError(reason, file=self.source_file or None, line=self.source_line, column=column,
                            value=value, expected=expected)

    @property
    def played(self) -> bool:
        return self.home_goals is not None and self.away_goals is not None

    @property
    def extra_time(self) -> bool:
        return self.aet_home_goals is not None

    @property
    def penalties(self) -> bool:
        return self.pen_home is not None


MATCH_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(Match) if f.name != "odds")

_GOAL_PAIRS = (("home_goals", "away_goals"), ("ht_home_goals", "ht_away_goals"),
               ("aet_home_goals", "aet_away_goals"))
_COUNT_FIELDS = tuple(f.name for f in fields(Match) if f.name.endswith(
    ("_shots", "_on_target", "_fouls", "_corners", "_yellow", "_red")))


def _problem(m: Match) -> tuple[str, object, str, str] | None:
    """(field, value, reason, expected) of the first impossible value of a match, or None."""
    for name in (m.home, m.away):
        reason = club_name_problem(name)
        if reason is not None:
            return ("home" if name is m.home else "away"), name, reason, "a club name"
    if m.home == m.away and not is_placeholder(m.home):
        return "away", m.away, "a club cannot play itself", "two different clubs"
    if (is_placeholder(m.home) or is_placeholder(m.away)) and m.home_goals is not None:
        return "home", f"{m.home} v {m.away}", "a result for a club not known yet (N.N.)", "two club names"
    for home_field, away_field in _GOAL_PAIRS:
        home, away = getattr(m, home_field), getattr(m, away_field)
        if (home is None) != (away is None):
            return home_field, (home, away), "a score given for one side only", "both goals or neither"
        for column, goals in ((home_field, home), (away_field, away)):
            if goals is not None and (isinstance(goals, bool) or not isinstance(goals, int)
                                      or not 0 <= goals <= MAX_GOALS):
                return column, goals, "goals out of range", f"a whole number from 0 to {MAX_GOALS}"
    if m.home_goals is None and (m.aet_home_goals is not None or m.pen_home is not None):
        return "home_goals", None, "extra-time or shoot-out score without the 90-minute score", "the score"
    if m.ht_home_goals is not None and m.home_goals is not None and (
            m.ht_home_goals > m.home_goals or m.ht_away_goals > m.away_goals):
        return "ht_home_goals", (m.ht_home_goals, m.ht_away_goals), "half-time score above the final score", \
            f"at most {m.home_goals}-{m.away_goals}"
    if m.aet_home_goals is not None and (m.aet_home_goals < m.home_goals or m.aet_away_goals < m.away_goals):
        return "aet_home_goals", (m.aet_home_goals, m.aet_away_goals), \
            "score after extra time below the 90-minute score", f"at least {m.home_goals}-{m.away_goals}"
    if (m.pen_home is None) != (m.pen_away is None):
        return "pen_home", (m.pen_home, m.pen_away), "a shoot-out score for one side only", "both or neither"
    if m.pen_home is not None:
        if any(isinstance(v, bool) or not isinstance(v, int) or v > MAX_GOALS for v in (m.pen_home, m.pen_away)):
            return "pen_home", (m.pen_home, m.pen_away), "shoot-out score out of range", \
                f"whole numbers from 0 to {MAX_GOALS}"
        reason = shootout_problem(m.pen_home, m.pen_away)
        if reason is not None:
            return "pen_home", f"{m.pen_home}-{m.pen_away}", f"impossible shoot-out score: {reason}", \
                "a score a shoot-out can end with, e.g. 4-3, 5-4 or 3-1"
    for column in _COUNT_FIELDS:
        value = getattr(m, column)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or not 0 <= value <= MAX_COUNT):
            return column, value, "statistic out of range", f"a whole number from 0 to {MAX_COUNT}"
    if m.status is not None:
        if m.status not in MATCH_STATUSES:
            return "status", m.status, "unknown match status", ", ".join(MATCH_STATUSES)
        if (m.status in STATUSES_WITH_SCORE) != (m.home_goals is not None):
            return "status", m.status, f"a {m.status} match " + (
                "needs a score" if m.status in STATUSES_WITH_SCORE else "has no score"), \
                "a score for played/awarded matches only"
    return None


def season_finished(season: str, last_date: dt.date | None, today: dt.date) -> bool:
    """Whether ``season`` is over on ``today``: after its end (30 June, or 31 August 2020 for the
    COVID-stretched 2019-20, see :func:`~matchday.data.seasons.season_end`) and after the last date a
    file lists for it."""
    from matchday.data.seasons import season_end

    end = season_end(season)
    if last_date is not None and last_date > end:
        end = last_date
    return today > end


def classify_unplayed(matches: Sequence[Match], today: dt.date | None = None) -> list[Match]:
    """Status of each match without a score whose source did not state one.

    * in a season that is over (:func:`season_finished`) it was not played: ``cancelled``;
    * dated before the last *played* match of its competition and season in the same file, the source
      has moved past it: ``postponed``;
    * otherwise ``scheduled``.

    Matches with a score and no stated status become ``played``; stated statuses are kept. (Readers
    pass ``status="played"`` for scored matches themselves: a replaced Match is checked again.)
    """
    today = today or dt.date.today()
    last_played: dict[tuple[str, str], dt.date] = {}
    last_any: dict[tuple[str, str], dt.date] = {}
    for m in matches:
        key = (m.competition, m.season)
        last_any[key] = max(last_any.get(key, m.date), m.date)
        if m.home_goals is not None:
            last_played[key] = max(last_played.get(key, m.date), m.date)
    out: list[Match] = []
    for m in matches:
        if m.status is not None:
            out.append(m)
            continue
        if m.home_goals is not None:
            out.append(replace(m, status="played"))
            continue
        key = (m.competition, m.season)
        if season_finished(m.season, last_any.get(key), today):
            status = "cancelled"
        elif key in last_played and m.date < last_played[key]:
            status = "postponed"
        else:
            status = "scheduled"
        out.append(replace(m, status=status))
    return out


def matches_frame(matches: Iterable[Match]) -> pd.DataFrame:
    """Matches as a pandas DataFrame, one row a match, columns as the :class:`Match` fields.

    ``date`` becomes ``datetime64[ns]``; goal and statistic columns use pandas' nullable ``Int64``.
    """
    import pandas as pd

    rows = [tuple(getattr(m, c) for c in MATCH_COLUMNS) for m in matches]
    frame = pd.DataFrame.from_records(rows, columns=list(MATCH_COLUMNS))
    frame["date"] = pd.to_datetime(frame["date"])
    int_columns = [
        c
        for c in MATCH_COLUMNS
        if c.endswith(("_goals", "_shots", "_on_target", "_fouls", "_corners", "_yellow", "_red"))
        or c in ("pen_home", "pen_away", "leg", "source_line")
    ]
    for column in int_columns:
        frame[column] = frame[column].astype("Int64")
    frame["neutral"] = frame["neutral"].astype(bool)
    unstated = frame["status"].isna()
    if unstated.any():
        frame.loc[unstated, "status"] = frame.loc[unstated, "home_goals"].notna().map(
            {True: "played", False: "scheduled"})
    return frame
