"""Knockout-tie rules of UEFA club competitions: two-legged ties, extra time, away goals, penalties.

One rule code for history and simulation: :func:`tie_winner` and :func:`match_winner` take arrays
(one row for a real tie, ``n`` rows for ``n`` simulated ties) and say who goes through and how.

Conventions
-----------
* A two-legged tie is between team **A**, at home in the first leg, and team **B**, at home in the
  second leg. Goals are always given *as the match was written*: ``leg2_home_goals`` are B's goals.
* Scores are goals after 90 minutes (plus stoppage time). ``aet_*`` is the second leg's score after
  120 minutes *including* its 90-minute goals (as in :class:`matchday.data.domain.Match`), missing
  (``None``/NaN) when no extra time was played. ``pens_*`` is the shoot-out score, missing when none.
* A result array ``winner`` holds 0 when A (or the home side of a single match) goes through, 1 when
  B (the away side) does, -1 when the given results do not decide the tie (for example a level tie
  whose extra time is missing, or a tie that went to a replay).

Rules by season (:func:`tie_rules`), as applied in the European Cup / Champions League and later in
the UEFA Cup / Europa League and the Conference League:

* 1955-56 to 1966-67: aggregate only; a level tie went to a replay at a neutral venue (extra time,
  then a coin toss). No extra time in the second leg.
* 1967-68 to 2020-21: away-goals rule. Level on aggregate, the side with more away goals goes
  through; in extra time of the second leg, away goals still count double (the visitor's extra-time
  goals are away goals), so a 1-1 extra time after level legs sends the visitor through.
  Level after extra time: replay (to 1968-69), coin toss (1969-70), penalties (from 1970-71).
* From 2021-22: the away-goals rule is abolished (UEFA decision of 24 June 2021); level on
  aggregate after 180 minutes means 30 minutes of extra time, then penalties.

These eras give the recorded winner of every two-legged tie in engsoccerdata's ``champs.csv`` that
they decide (tested), but for 1992-93 Stuttgart v Leeds (Stuttgart through on away goals, but a replay
was ordered because they had fielded an ineligible player). In 1967-68, the rule's first season, the
Braunschweig v Juventus quarter-final still went to a replay (won by Juventus, the away-goals winner).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from matchday.data.errors import DataError
from matchday.data.seasons import season_start_year

# How a tie was decided (values of ``TieDecision.method``).
REGULATION = 0  # on aggregate after 180 minutes (a single match: after 90 minutes)
AWAY_GOALS = 1  # level on aggregate after 180 minutes, more away goals
EXTRA_TIME = 2  # on aggregate after extra time of the second leg (or of the single match)
AWAY_GOALS_EXTRA_TIME = 3  # level after extra time, more away goals (extra-time away goals count)
PENALTIES = 4
REPLAY = 5  # decided by a replay at a neutral venue (historical, to 1968-69)
COIN_TOSS = 6  # historical (1969-70, and a replay still level)
UNDECIDED = 7  # the results given do not decide the tie
METHOD_NAMES: tuple[str, ...] = (
    "regulation",
    "away_goals",
    "extra_time",
    "away_goals_extra_time",
    "penalties",
    "replay",
    "coin_toss",
    "undecided",
)

EXTRA_TIME_MINUTES = 30
LAST_AWAY_GOALS_SEASON = "2020-21"  # abolished in all UEFA club competitions from 2021-22

Decider = Literal["penalties", "replay", "coin_toss"]

FIRST_SEASON: dict[str, int] = {"UCL": 1955, "UEL": 1971, "UECL": 2021}  # start years


@dataclass(frozen=True, slots=True)
class TieRules:
    """How a knockout tie is settled.

    away_goals: level on aggregate, more away goals wins.
    away_goals_in_extra_time: the away-goals comparison is repeated after extra time, counting the
        visitor's extra-time goals as away goals (UEFA practice throughout the away-goals era).
    extra_time: 30 minutes of extra time in the second leg (and in a single-match tie) when level.
    decider: what settles a tie still level after extra time: ``"penalties"``, ``"replay"`` (a third
        match at a neutral venue, with extra time and then a coin toss) or ``"coin_toss"``.
    """

    away_goals: bool = False
    away_goals_in_extra_time: bool = True
    extra_time: bool = True
    decider: Decider = "penalties"

    def __post_init__(self) -> None:
        if self.decider not in ("penalties", "replay", "coin_toss"):
            raise ValueError(f"decider must be 'penalties', 'replay' or 'coin_toss' (got {self.decider!r})")


MODERN_RULES = TieRules()
AWAY_GOALS_RULES = TieRules(away_goals=True)


def tie_rules(season: str | int, competition: str = "UCL") -> TieRules:
    """The two-legged-tie rules of a UEFA competition in a season (``"2020-21"``, ``"2021"`` or 2020).

    An integer is a start year (``champs.csv``'s ``Season``). Raises :class:`DataError` for a season
    before the competition existed (UEFA Cup from 1971-72, Conference League from 2021-22).
    """
    start = int(season) if isinstance(season, int | np.integer) else season_start_year(str(season))
    code = competition.upper()
    if code not in FIRST_SEASON:
        raise DataError("not a UEFA club competition", value=competition, expected="UCL, UEL or UECL")
    if start < FIRST_SEASON[code]:
        first = FIRST_SEASON[code]
        raise DataError(
            f"{code} was not played in that season",
            value=season,
            expected=f"{first}-{(first + 1) % 100:02d} or later",
        )
    last_away_goals = season_start_year(LAST_AWAY_GOALS_SEASON)
    if start > last_away_goals:
        return MODERN_RULES
    if start >= 1970:
        return AWAY_GOALS_RULES
    if start == 1969:
        return TieRules(away_goals=True, decider="coin_toss")
    if start >= 1967:
        return TieRules(away_goals=True, decider="replay")
    return TieRules(away_goals=False, extra_time=False, decider="replay")


#: Knockout rounds whose pairings were fixed by the draw of an earlier round, by competition and season
#: (start years, inclusive; None = open-ended): (competitions, first, last, {round: the round whose draw
#: fixed it}). Sources: uefa.com draw pages: "The quarter-final, semi-final and final draws all took place
#: on Friday 15 March" (2018-19 Champions League; the Europa League drew both rounds the same day); before
#: 2018-19 the semi-finals were drawn after the quarter-finals (e.g. 13 April 2018); the Conference League
#: drew its quarter- and semi-finals together from its first season (18 March 2022); from 2024-25 the one
#: draw after the knockout play-offs (21 February 2025) fixes the round of 16, quarter-finals and
#: semi-finals (:mod:`matchday.rules.uefa_bracket`).
JOINT_DRAWS: tuple[tuple[tuple[str, ...], int, int | None, dict[str, str]], ...] = (
    (("UCL", "UEL"), 2018, 2023, {"Semi-final": "Quarter-final"}),
    (("UECL",), 2021, 2023, {"Semi-final": "Quarter-final"}),
    (("UCL", "UEL", "UECL"), 2024, None, {"Quarter-final": "Round of 16", "Semi-final": "Round of 16"}),
)


def draw_round(competition: str, season: str | int, round_name: str) -> str:
    """The knockout round at whose draw the pairings of ``round_name`` were fixed (itself when it was drawn
    on its own). The final is always the two semi-final winners, so its pairing is fixed with the
    semi-finals'. Rounds not listed in :data:`JOINT_DRAWS` were drawn after the round before them."""
    if round_name == "Final":
        return draw_round(competition, season, "Semi-final")
    start = int(season) if isinstance(season, int | np.integer) else season_start_year(str(season))
    code = competition.upper()
    for codes, first, last, rounds in JOINT_DRAWS:
        if code in codes and start >= first and (last is None or start <= last) and round_name in rounds:
            return rounds[round_name]
    return round_name


@dataclass(frozen=True, slots=True)
class TieDecision:
    """Who goes through (``winner``: 0 = A / home side, 1 = B / away side, -1 = undecided) and how
    (``method``: one of the module's method codes, see :data:`METHOD_NAMES`)."""

    winner: npt.NDArray[np.int8]
    method: npt.NDArray[np.int8]

    def method_names(self) -> npt.NDArray[np.str_]:
        return np.asarray(METHOD_NAMES)[self.method]


def _goals(values: npt.ArrayLike | None, name: str, *, optional: bool) -> npt.NDArray[np.float64]:
    """Goals as float (NaN = not played); None means 'not played' for every row."""
    if values is None:
        if not optional:
            raise ValueError(f"{name} is required")
        return np.array(np.nan)
    array = np.asarray(values, dtype=float)
    finite = array[np.isfinite(array)]
    if finite.size and (finite.min() < 0 or np.any(finite != np.round(finite))):
        bad = finite[(finite < 0) | (finite != np.round(finite))][0]
        raise ValueError(f"{name} must hold non-negative whole numbers of goals (got {bad!r})")
    if not optional and np.any(np.isnan(array)):
        raise ValueError(f"{name} is missing in some rows; every row needs a 90-minute score")
    return array


def _check_aet(aet: np.ndarray, regular: np.ndarray, name: str) -> None:
    """An after-extra-time score includes the 90-minute goals, so it can never be smaller."""
    bad = np.isfinite(aet) & (aet < regular)
    if np.any(bad):
        row = int(np.flatnonzero(np.broadcast_to(bad, np.broadcast(aet, regular).shape).ravel())[0])
        raise ValueError(
            f"{name} is the score after 120 minutes including the 90-minute goals; "
            f"row {row} has fewer goals after extra time than after 90 minutes"
        )


def tie_winner(
    leg1_home_goals: npt.ArrayLike,
    leg1_away_goals: npt.ArrayLike,
    leg2_home_goals: npt.ArrayLike,
    leg2_away_goals: npt.ArrayLike,
    aet_home: npt.ArrayLike | None = None,
    aet_away: npt.ArrayLike | None = None,
    pens_home: npt.ArrayLike | None = None,
    pens_away: npt.ArrayLike | None = None,
    away_goals_rule: bool = False,
    *,
    away_goals_in_extra_time: bool = True,
) -> TieDecision:
    """Who goes through a two-legged tie, vectorised over rows (arrays broadcast together).

    leg1_*: first leg after 90 minutes, A at home. leg2_*: second leg after 90 minutes, B at home
    (``leg2_home_goals`` are B's). aet_*: second leg after 120 minutes including the 90-minute goals
    (home = B), NaN/None where not played. pens_*: shoot-out score (home = B), NaN/None where none.
    Results the rules do not need are ignored (a shoot-out score on a tie already decided by
    aggregate changes nothing), so simulations may pass extra time and shoot-outs for every row.
    """
    a1 = _goals(leg1_home_goals, "leg1_home_goals", optional=False)
    b1 = _goals(leg1_away_goals, "leg1_away_goals", optional=False)
    b2 = _goals(leg2_home_goals, "leg2_home_goals", optional=False)
    a2 = _goals(leg2_away_goals, "leg2_away_goals", optional=False)
    b_et = _goals(aet_home, "aet_home", optional=True)
    a_et = _goals(aet_away, "aet_away", optional=True)
    b_pen = _goals(pens_home, "pens_home", optional=True)
    a_pen = _goals(pens_away, "pens_away", optional=True)
    _check_aet(b_et, b2, "aet_home")
    _check_aet(a_et, a2, "aet_away")
    shape = np.broadcast_shapes(*(x.shape for x in (a1, b1, b2, a2, b_et, a_et, b_pen, a_pen)))

    # The stages in order; np.select takes, row by row, the first stage whose condition holds.
    played_et = np.isfinite(a_et) & np.isfinite(b_et)
    shootout = np.isfinite(a_pen) & np.isfinite(b_pen)
    agg_a, agg_b = a1 + a2, b1 + b2  # after 180 minutes; away goals: A's are a2, B's are b1
    et_agg_a, et_agg_b = a1 + a_et, b1 + b_et  # after extra time of the second leg
    stages: list[tuple[np.ndarray, np.ndarray, int]] = [(agg_a != agg_b, agg_b > agg_a, REGULATION)]
    if away_goals_rule:
        stages.append((a2 != b1, b1 > a2, AWAY_GOALS))
    stages.append((played_et & (et_agg_a != et_agg_b), et_agg_b > et_agg_a, EXTRA_TIME))
    if away_goals_rule and away_goals_in_extra_time:
        stages.append((played_et & (a_et != b1), b1 > a_et, AWAY_GOALS_EXTRA_TIME))
    stages.append((shootout & (a_pen != b_pen), b_pen > a_pen, PENALTIES))
    conditions = [np.broadcast_to(stage[0], shape) for stage in stages]
    winner = np.select(conditions, [np.broadcast_to(s[1], shape) for s in stages], default=-1).astype(np.int8)
    method = np.select(conditions, [np.int8(s[2]) for s in stages], default=UNDECIDED).astype(np.int8)
    return TieDecision(winner=winner, method=method)


def match_winner(
    home_goals: npt.ArrayLike,
    away_goals: npt.ArrayLike,
    aet_home: npt.ArrayLike | None = None,
    aet_away: npt.ArrayLike | None = None,
    pens_home: npt.ArrayLike | None = None,
    pens_away: npt.ArrayLike | None = None,
) -> TieDecision:
    """Who goes through a single-match tie (a final, a replay): 90 minutes, extra time, penalties.

    Same conventions as :func:`tie_winner`; ``winner`` 0 = home (first-named) side, 1 = away side.
    A single-match tie is a two-legged tie whose first leg ended 0-0 with no away goals rule, so the
    same code decides it.
    """
    zero = np.zeros(np.shape(np.asarray(home_goals, dtype=float)))
    # Written as the "second leg" with the away side of the single match as team A (the visitor).
    decision = tie_winner(zero, zero, home_goals, away_goals, aet_home, aet_away, pens_home, pens_away)
    flipped = np.where(decision.winner >= 0, 1 - decision.winner, -1).astype(np.int8)
    return TieDecision(winner=flipped, method=decision.method)


def shootout_winner_from_score(pens_home: npt.ArrayLike, pens_away: npt.ArrayLike) -> npt.NDArray[np.int8]:
    """0 when the home side won the shoot-out, 1 when the away side did, -1 when not decided."""
    home = np.asarray(pens_home, dtype=float)
    away = np.asarray(pens_away, dtype=float)
    out = np.where(home > away, 0, np.where(away > home, 1, -1))
    return out.astype(np.int8)
