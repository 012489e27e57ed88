"""Domain objects every source reader yields (one model for all providers, kloppy-style).

Goals are counted per team; ``home_goals``/``away_goals`` are the score after 90 minutes
(plus stoppage time). A match decided in extra time also carries the score after 120 minutes
(``aet_*``, which *includes* the 90-minute goals) and, if it went to a shoot-out, the penalty
score (``pen_*``). A scheduled match has ``home_goals is None``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


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
    return frame
