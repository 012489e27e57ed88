"""Where a UEFA knockout competition stands on a date, read from its stored matches.

Knockout rounds are the rounds whose matches carry legs (two-legged ties) and the final. The current
round is the first one not yet decided on ``as_of``; its ties come with any first leg already played.
Later rounds are paired the way they were drawn: when the stored data hold the later rounds' fixtures
(a finished season, or a draw already published as fixtures), the pairing is read from which earlier ties
their clubs came from; otherwise the caller gives pairings, or they are drawn at random (``open_draw``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from matchday.data.errors import MatchdayError
from matchday.data.frames import as_of_day, on_or_before
from matchday.rules.knockout import match_winner, tie_rules, tie_winner
from matchday.simulate.bracket import Round, Tie

KNOCKOUT_ORDER = ("Knockout play-off", "Round of 32", "Round of 16", "Quarter-final", "Semi-final", "Final")


@dataclass(frozen=True)
class StoredTie:
    round: str
    home: str  # hosts the first leg (single match: written first)
    away: str
    first_leg: tuple[int, int] | None
    winner: str | None
    first_leg_date: dt.date


def knockout_ties(matches: pd.DataFrame, as_of: dt.date | None) -> list[StoredTie]:
    """Every knockout tie of one competition season with what was known on ``as_of`` (end of day)."""
    day = as_of_day(as_of)
    away_goals = False
    if not matches.empty:
        away_goals = tie_rules(str(matches["season"].iloc[0]), str(matches["competition"].iloc[0])).away_goals
    ties: list[StoredTie] = []
    for name in KNOCKOUT_ORDER:
        rows = matches[matches["round"] == name].sort_values("date")
        if rows.empty:
            continue
        known = rows["home_goals"].notna() & on_or_before(pd.to_datetime(rows["date"]).to_numpy(), day)
        seen: set[frozenset[str]] = set()
        for row in rows.itertuples():
            pair = frozenset((row.home, row.away))
            if pair in seen:
                continue
            seen.add(pair)
            legs = rows[rows["home"].isin(pair) & rows["away"].isin(pair)]
            leg_known = known[legs.index]
            first = legs.iloc[0]
            first_leg = (int(first.home_goals), int(first.away_goals)) if leg_known.iloc[0] else None
            winner = None
            if leg_known.all():
                winner = _winner(legs, away_goals)
            ties.append(StoredTie(name, first.home, first.away, first_leg, winner, first.date.date()))
    return ties


def _winner(legs: pd.DataFrame, away_goals_rule: bool) -> str | None:
    """The winner of a fully played tie (one or two matches), by the same rule code as the simulation."""
    def goals(row, column: str) -> list[float]:
        value = getattr(row, column)
        return [float("nan") if pd.isna(value) else float(value)]

    first = legs.iloc[0]
    if len(legs) == 1:
        decision = match_winner(*(goals(first, c) for c in _RESULT_COLUMNS))
    else:
        second = legs.iloc[1]
        decision = tie_winner(goals(first, "home_goals"), goals(first, "away_goals"),
                              *(goals(second, c) for c in _RESULT_COLUMNS), away_goals_rule=away_goals_rule)
    side = int(decision.winner[0])
    return None if side < 0 else (first.home if side == 0 else first.away)


_RESULT_COLUMNS = ("home_goals", "away_goals", "aet_home_goals", "aet_away_goals", "pen_home", "pen_away")


def bracket_from_store(
    matches: pd.DataFrame, as_of: dt.date | None, pairings: dict[str, list[tuple[int, int]]] | None = None,
) -> tuple[Round, list[Tie], list[Round]]:
    """(current round, its ties, later rounds) of a knockout competition on ``as_of``."""
    ties = knockout_ties(matches, as_of)
    if not ties:
        raise MatchdayError("no knockout rounds stored for this competition and season")
    rounds = [name for name in KNOCKOUT_ORDER if any(t.round == name for t in ties)]
    current_name = next((r for r in rounds if any(t.round == r and t.winner is None for t in ties)), None)
    if current_name is None:
        raise MatchdayError(f"every knockout round was decided by {as_of}: nothing left to simulate")
    current = [t for t in ties if t.round == current_name]
    later_names = [r for r in KNOCKOUT_ORDER[KNOCKOUT_ORDER.index(current_name) + 1:]]
    if "Final" not in rounds and "Final" not in later_names:
        later_names.append("Final")
    later: list[Round] = []
    previous = current
    for name in later_names:
        final = name == "Final"
        given = (pairings or {}).get(name)
        stored = [t for t in ties if t.round == name]
        derived = None if given else _pairings_from(previous, stored)
        if given is None and derived is None and len(previous) > 2:
            later.append(Round(name, None, two_legged=not final, neutral=final, open_draw=True))
        else:
            later.append(Round(name, given or derived, two_legged=not final, neutral=final))
        previous = stored if stored else [None] * (len(previous) // 2)
    first_round = Round(current_name, None, two_legged=current_name != "Final", neutral=current_name == "Final")
    return first_round, [Tie(t.home, t.away, t.first_leg, t.winner) for t in current], later


def _pairings_from(previous: list, stored: list[StoredTie]) -> list[tuple[int, int]] | None:
    """Which earlier ties feed each stored tie (the drawn bracket), if every club can be traced."""
    if not stored or any(p is None for p in previous) or len(stored) * 2 != len(previous):
        return None
    where = {}
    for i, tie in enumerate(previous):
        where[tie.home] = i
        where[tie.away] = i
    pairs = []
    for tie in stored:
        if tie.home not in where or tie.away not in where:
            return None
        pairs.append((where[tie.home], where[tie.away]))
    return pairs
