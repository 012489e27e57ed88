"""Where a UEFA knockout competition stands on a date, read from its stored matches.

* :func:`two_legged_ties` pairs first and second legs into ties (any competitions and seasons) and
  :func:`decide_ties` says who went through and how, by the rule code of :mod:`matchday.rules.knockout`
  (and the replay, where the data hold one); :func:`pair_tie` finds one pair's tie of a season (the
  ``tie`` command's store-first view).
* :func:`pairings_known_as_of` says, per knockout round, whether its pairings were known on a date
  (**the rule**, below); the old-format bracket (:func:`bracket_from_store`) and the league-phase bracket
  both read it.
* :func:`knockout_ties` and :func:`bracket_from_store`: the current round of a competition-season on
  ``as_of`` with any first leg already played, and the later rounds, paired as drawn where the draw was
  known on ``as_of`` and drawn at random where it was not.

**When a round's pairings are known (the rule).** The stored data hold the matches, not the dates of the
draws. A round's pairings were fixed at a draw (for some rounds the draw of an earlier round:
:func:`matchday.rules.knockout.draw_round`; the final's pairing is always the semi-finals' draw), and
that draw certainly took place before the first match of the round it drew. So the pairings of round R
are treated as known on day D when

1. D is on or after the eve of the first stored match of the round whose draw fixed R (the upper bound on
   the draw's date: on the eve of a round's first match its draw has certainly been made), or
2. D is after the last result of the competition-season in the data (the data end before D: the stored
   fixtures of R are the published draw; this is how a store kept up to date by ``matchday sync`` shows
   a draw made since its last result).

Otherwise the pairings are not known on D and are drawn at random. The rule never uses a draw made after D
under (1); the price is that a draw made weeks before its round (the old-format round of 16 in December,
the quarter-final draw in March) is ignored until the eve of its first match. Under (2) a draw made after
D can be used only when D falls between the data's last result and the draw (a day or two); the draws'
dates would remove both approximations, but they are not in any source we read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from matchday.data.errors import MatchdayError
from matchday.data.frames import as_of_day, on_or_before
from matchday.rules.knockout import (
    METHOD_NAMES,
    REPLAY,
    draw_round,
    match_winner,
    tie_rules,
    tie_winner,
)
from matchday.simulate.bracket import Round, Tie

KNOCKOUT_ORDER = ("Knockout play-off", "Round of 32", "Round of 16", "Quarter-final", "Semi-final", "Final")
#: The round after each knockout round (to complete a bracket whose later rounds are not stored yet).
NEXT_ROUND = {"Knockout play-off": "Round of 16", "Round of 32": "Round of 16", "Round of 16": "Quarter-final",
              "Quarter-final": "Semi-final", "Semi-final": "Final"}
REPLAY_SUFFIX = ", replay"

_RESULT_COLUMNS = ("home_goals", "away_goals", "aet_home_goals", "aet_away_goals", "pen_home", "pen_away")


# --------------------------------------------------------------------------------------------------------
# Ties of any competition and season, and who went through
# --------------------------------------------------------------------------------------------------------


def _float(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def two_legged_ties(matches: pd.DataFrame) -> pd.DataFrame:
    """Every two-legged tie of a matches frame (store ids or source names; any competitions and seasons).

    A tie is a first leg (``leg`` 1) and a second leg (``leg`` 2) of the same competition, season and round
    between the same two clubs, the first leg's host visiting in the second. Legs not played yet are kept
    (their goals NaN). One row per tie, in first-leg date order, with columns competition, season, round,
    team_a (first-leg host), team_b, leg1_date, leg2_date, a1, b1 (first leg after 90 minutes, A at home),
    b2, a2 (second leg after 90 minutes, B at home), aet_b, aet_a (second leg after 120 minutes including
    the 90-minute goals; NaN without extra time), pens_b, pens_a (shoot-out), leg1_row, leg2_row (index
    labels of the legs in ``matches``), and the replay where the data hold one (round ``"<round>, replay"``
    between the pair): replay_row, replay_home (the side written first), replay_date, replay_* results. Legs that find
    no partner are listed in ``attrs["unpaired"]`` (index labels).
    """
    needed = {"competition", "season", "round", "leg", "date", "home", "away"}
    missing = needed - set(matches.columns)
    if missing:
        raise ValueError(f"the matches frame lacks {sorted(missing)}")
    frame = matches.assign(row_label=matches.index)
    legs = frame[frame["leg"].notna()]
    first = legs[legs["leg"].astype(int) == 1]
    second = legs[legs["leg"].astype(int) == 2]
    key = ["competition", "season", "round"]
    merged = first.merge(second, left_on=[*key, "home", "away"], right_on=[*key, "away", "home"],
                         suffixes=("_1", "_2"))
    unpaired = sorted(set(legs["row_label"]) - set(merged["row_label_1"]) - set(merged["row_label_2"]))
    ties = pd.DataFrame({
        "competition": merged["competition"].to_numpy(),
        "season": merged["season"].to_numpy(),
        "round": merged["round"].to_numpy(),
        "team_a": merged["home_1"].to_numpy(),
        "team_b": merged["away_1"].to_numpy(),
        "leg1_date": pd.to_datetime(merged["date_1"]).to_numpy(),
        "leg2_date": pd.to_datetime(merged["date_2"]).to_numpy(),
        "a1": _float(merged, "home_goals_1"),
        "b1": _float(merged, "away_goals_1"),
        "b2": _float(merged, "home_goals_2"),
        "a2": _float(merged, "away_goals_2"),
        "aet_b": _float(merged, "aet_home_goals_2"),
        "aet_a": _float(merged, "aet_away_goals_2"),
        "pens_b": _float(merged, "pen_home_2"),
        "pens_a": _float(merged, "pen_away_2"),
        "leg1_row": merged["row_label_1"].to_numpy(),
        "leg2_row": merged["row_label_2"].to_numpy(),
    })
    replays = frame[frame["round"].astype(str).str.endswith(REPLAY_SUFFIX)]
    ties["replay_row"] = pd.Series([None] * len(ties), dtype=object)
    ties["replay_home"] = pd.Series([None] * len(ties), dtype=object)
    ties["replay_date"] = pd.Series([pd.NaT] * len(ties), dtype="datetime64[ns]")
    for name in _RESULT_COLUMNS:
        ties[f"replay_{name}"] = np.nan
    if not replays.empty and not ties.empty:
        lookup = {}
        for row in replays.itertuples():
            base = str(row.round)[: -len(REPLAY_SUFFIX)]
            lookup[(row.competition, row.season, base, frozenset((row.home, row.away)))] = row
        for position, tie in enumerate(ties.itertuples()):
            found = lookup.get((tie.competition, tie.season, tie.round, frozenset((tie.team_a, tie.team_b))))
            if found is None:
                continue
            ties.iat[position, ties.columns.get_loc("replay_row")] = found.row_label
            ties.iat[position, ties.columns.get_loc("replay_home")] = found.home
            ties.iat[position, ties.columns.get_loc("replay_date")] = pd.Timestamp(found.date)
            for name in _RESULT_COLUMNS:
                value = getattr(found, name, None)
                ties.iat[position, ties.columns.get_loc(f"replay_{name}")] = (
                    np.nan if value is None or pd.isna(value) else float(value))
    ties = ties.sort_values(["leg1_date", "competition", "team_a"], kind="stable").reset_index(drop=True)
    ties.attrs["unpaired"] = unpaired
    return ties


def decide_ties(ties: pd.DataFrame, as_of: dt.date | None = None) -> pd.DataFrame:
    """Who went through each tie of :func:`two_legged_ties`, with what was known at the end of ``as_of``
    (None: everything stored).

    Adds ``leg1_played``, ``leg2_played`` (on or before ``as_of``), ``side`` (0: A through, 1: B, -1: not
    decided by the known results), ``winner`` (team id or None), ``method`` (a name of
    :data:`~matchday.rules.knockout.METHOD_NAMES`) and ``agg_a``, ``agg_b`` (aggregate after 180 minutes).
    Each tie is decided by its season's rules (:func:`~matchday.rules.knockout.tie_rules`); where the data
    hold a replay, the replay decides (level ties of the replay eras, and the ordered replay of 1992-93
    VfB Stuttgart v Leeds United after Stuttgart fielded an ineligible player). A replay itself level after
    extra time was settled by a coin toss the data do not record: undecided.
    """
    out = ties.copy()
    day = as_of_day(as_of)
    played1 = np.isfinite(out["a1"].to_numpy(float)) & on_or_before(out["leg1_date"].to_numpy(), day)
    played2 = np.isfinite(out["b2"].to_numpy(float)) & on_or_before(out["leg2_date"].to_numpy(), day)
    out["leg1_played"], out["leg2_played"] = played1, played2
    side = np.full(len(out), -1, dtype=np.int8)
    method = np.full(len(out), METHOD_NAMES.index("undecided"), dtype=np.int8)
    both = played1 & played2
    if both.any():
        starts = out["season"].astype(str).str[:4].astype(int).to_numpy()
        for (competition, start), index in out[both].groupby([out["competition"][both], starts[both]]).groups.items():
            rows = out.loc[index]
            rules = tie_rules(int(start), str(competition))
            decision = tie_winner(rows["a1"], rows["b1"], rows["b2"], rows["a2"], rows["aet_b"], rows["aet_a"],
                                  rows["pens_b"], rows["pens_a"], rules.away_goals,
                                  away_goals_in_extra_time=rules.away_goals_in_extra_time)  # fmt: skip
            position = out.index.get_indexer(index)
            side[position], method[position] = decision.winner, decision.method
        has_replay = both & out["replay_row"].notna().to_numpy() & np.isfinite(out["replay_home_goals"].to_numpy(float))
        has_replay &= on_or_before(out["replay_date"].to_numpy(), day)
        for position in np.flatnonzero(has_replay):
            row = out.iloc[position]
            decision = match_winner(*([row[f"replay_{name}"]] for name in _RESULT_COLUMNS))
            home_side = 0 if row["replay_home"] == row["team_a"] else 1
            won = int(decision.winner[0])
            side[position] = -1 if won < 0 else (home_side if won == 0 else 1 - home_side)
            method[position] = REPLAY if won >= 0 else METHOD_NAMES.index("undecided")
    out["side"] = side
    out["method"] = np.asarray(METHOD_NAMES, dtype=object)[method]
    out["winner"] = np.where(side == 0, out["team_a"], np.where(side == 1, out["team_b"], None))
    out["agg_a"] = out["a1"] + out["a2"]
    out["agg_b"] = out["b1"] + out["b2"]
    return out


def _single_match_ties(matches: pd.DataFrame) -> pd.DataFrame:
    """Knockout rounds played as one match (finals; the 2019-20 quarter- and semi-finals)."""
    single = matches[matches["leg"].isna() & matches["round"].isin(KNOCKOUT_ORDER)]
    return single


def pair_tie(matches: pd.DataFrame, team_a: str, team_b: str) -> dict | None:
    """The knockout tie between two clubs in a frame of their competition-season's matches, or None.

    Returns a dict: ``kind`` ("two-legged" or "single"), competition, season, round, ``legs`` (the stored
    rows, first leg first) and, for two-legged ties, ``tie`` (the :func:`two_legged_ties` row). When the
    clubs met in two knockout rounds of one season (cannot happen in UEFA formats), the later is taken.
    """
    pair = {team_a, team_b}
    mine = matches[matches["home"].isin(pair) & matches["away"].isin(pair)]
    if mine.empty:
        return None
    ties = two_legged_ties(mine)
    single = _single_match_ties(mine)
    if not ties.empty:
        tie = ties.iloc[-1]
        legs = mine.loc[[tie["leg1_row"], tie["leg2_row"]]]
        return {"kind": "two-legged", "competition": tie["competition"], "season": tie["season"],
                "round": tie["round"], "legs": legs, "tie": tie}
    if not single.empty:
        row = single.sort_values("date").iloc[-1]
        return {"kind": "single", "competition": row["competition"], "season": row["season"], "round": row["round"],
                "legs": single.loc[[single.sort_values("date").index[-1]]], "tie": None}
    return None


# --------------------------------------------------------------------------------------------------------
# The current state of one competition-season
# --------------------------------------------------------------------------------------------------------


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
            ties.append(StoredTie(name, first.home, first.away, first_leg, winner, pd.Timestamp(first.date).date()))
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


# --------------------------------------------------------------------------------------------------------
# Draws: which pairings were known on a date
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundDraw:
    """What was known on ``as_of`` about one knockout round's pairings (see the module docstring's rule).

    drawn_at: the round whose draw fixed these pairings (the round itself when drawn on its own).
    first_match: the first stored match of ``drawn_at`` (None when not stored). known_from: the first
    as-of day on which the pairings count as known by rule (1) (None when it cannot apply). known: the
    verdict for ``as_of``; reason: why, in words.
    """

    round: str
    drawn_at: str
    first_match: dt.date | None
    known_from: dt.date | None
    known: bool
    reason: str


def pairings_known_as_of(matches: pd.DataFrame, as_of: dt.date | None) -> dict[str, RoundDraw]:
    """Per knockout round of one competition-season's matches: were its pairings known at the end of
    ``as_of``? (The rule of the module docstring; ``as_of`` None means after everything stored.)"""
    if matches.empty:
        return {}
    competition, season = str(matches["competition"].iloc[0]), str(matches["season"].iloc[0])
    dates = pd.to_datetime(matches["date"])
    played = matches["home_goals"].notna()
    last_result = dates[played].max().date() if played.any() else None
    day = None if as_of is None else pd.Timestamp(as_of).date()
    out: dict[str, RoundDraw] = {}
    for name in KNOCKOUT_ORDER:
        in_round = matches["round"] == name
        if not in_round.any():
            continue
        drawn_at = draw_round(competition, season, name)
        source = matches["round"] == drawn_at
        if not source.any():
            drawn_at, source = name, in_round
        first = dates[source].min().date()
        known_from = first - dt.timedelta(days=1)
        if day is None or day >= known_from:
            how = (f"drawn by {known_from.isoformat()} (the eve of the first {drawn_at.lower()} match)"
                   if drawn_at == name else
                   f"fixed by the {drawn_at.lower()} draw, made by {known_from.isoformat()}")
            out[name] = RoundDraw(name, drawn_at, first, known_from, True, how)
        elif last_result is not None and day > last_result:
            out[name] = RoundDraw(name, drawn_at, first, known_from, True,
                                  f"stored as fixtures; the data's last result is on {last_result.isoformat()}")
        else:
            out[name] = RoundDraw(name, drawn_at, first, known_from, False,
                                  f"the {drawn_at.lower()} draw is not in the data: known only from "
                                  f"{known_from.isoformat()}, the eve of its first match")
    return out


# --------------------------------------------------------------------------------------------------------
# The bracket on a date
# --------------------------------------------------------------------------------------------------------


def bracket_from_store(
    matches: pd.DataFrame, as_of: dt.date | None, pairings: dict[str, list[tuple[int, int]]] | None = None,
    *, allow_entrants: bool = False,
) -> tuple[Round, list[Tie], list[Round]]:
    """(current round, its ties, later rounds) of a knockout competition on ``as_of``.

    The current round is the first whose pairings were known on ``as_of`` (:func:`pairings_known_as_of`)
    and which still has a tie to decide; when the next round's draw was not known yet and every tie before
    it is decided, the current round is the decided one (its winners fixed) and the next round is drawn at
    random. Later rounds keep the stored pairings where they were known, else an open draw.
    ``allow_entrants``: a later round may bring in clubs that skipped the current one (the group winners
    joining the knockout play-off winners in the round of 16, 2021-22 to 2023-24 Europa and Conference
    League); callers that cannot simulate them get a clear error instead.
    """
    ties = knockout_ties(matches, as_of)
    if not ties:
        raise MatchdayError("no knockout rounds stored for this competition and season")
    draws = pairings_known_as_of(matches, as_of)
    rounds = [name for name in KNOCKOUT_ORDER if any(t.round == name for t in ties)]
    current_name = None
    for number, name in enumerate(rounds):
        if not draws[name].known:
            if number == 0:
                raise MatchdayError(
                    f"the {name.lower()} pairings are not known on {as_of}: {draws[name].reason}; the rounds "
                    "before the knockout rounds are not simulated")
            current_name = rounds[number - 1]  # decided: its winners meet in a draw not made yet
            break
        if any(t.round == name and t.winner is None for t in ties):
            current_name = name
            break
    if current_name is None:
        raise MatchdayError(f"every knockout round was decided by {as_of}: nothing left to simulate")
    current = [t for t in ties if t.round == current_name]
    later_names = [r for r in rounds if KNOCKOUT_ORDER.index(r) > KNOCKOUT_ORDER.index(current_name)]
    last = later_names[-1] if later_names else current_name
    while last != "Final":  # rounds not stored yet (a season still running)
        last = NEXT_ROUND[last]
        later_names.append(last)
    later: list[Round] = []
    previous: list[StoredTie | None] = list(current)
    for name in later_names:
        final = name == "Final"
        stored = [t for t in ties if t.round == name]
        entrants: tuple[str, ...] = ()
        if stored and None not in previous:
            clubs_before = {c for t in previous if t is not None for c in (t.home, t.away)}
            entrants = tuple(dict.fromkeys(c for t in stored for c in (t.home, t.away) if c not in clubs_before))
        elif not stored and name == "Round of 16" and current_name == "Knockout play-off":
            raise MatchdayError("the round of 16 is not stored yet: the clubs that skipped the knockout play-offs "
                                "are not known, so the bracket cannot be completed")
        if entrants and not allow_entrants:
            raise MatchdayError(f"the {name.lower()} brings in {len(entrants)} clubs that did not play the "
                                f"{current_name.lower()}: not simulated here")
        places = len(previous) + len(entrants)
        given = (pairings or {}).get(name)
        known = name in draws and draws[name].known
        derived = None if given or not known else _pairings_from(previous, stored, entrants)
        chosen = given or derived
        if chosen is None and places > 2:
            later.append(Round(name, None, two_legged=not final, neutral=final, open_draw=True, entrants=entrants))
        else:
            later.append(Round(name, chosen, two_legged=not final, neutral=final, entrants=entrants))
        size = places // 2
        previous = list(stored) if chosen is not None and len(stored) == size else [None] * size
    first_round = Round(current_name, None, two_legged=current_name != "Final", neutral=current_name == "Final")
    return first_round, [Tie(t.home, t.away, t.first_leg, t.winner) for t in current], later


def _pairings_from(previous: list, stored: list[StoredTie], entrants: tuple[str, ...] = ()
                   ) -> list[tuple[int, int]] | None:
    """Which earlier ties (and entrants, numbered after them) feed each stored tie (the drawn bracket), if
    every club can be traced."""
    if not stored or any(p is None for p in previous) or len(stored) * 2 != len(previous) + len(entrants):
        return None
    where = {}
    for i, tie in enumerate(previous):
        where[tie.home] = i
        where[tie.away] = i
    for j, club in enumerate(entrants):
        where[club] = len(previous) + j
    pairs = []
    for tie in stored:
        if tie.home not in where or tie.away not in where:
            return None
        pairs.append((where[tie.home], where[tie.away]))
    return pairs
