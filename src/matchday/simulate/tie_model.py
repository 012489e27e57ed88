"""The one tie model: what ``matchday tie`` and ``matchday bracket`` print and ``matchday validate-ties`` scores.

A knockout tie's odds come from three things, each defined once here:

* **the parameters** of the season's ties, :func:`knockout_params`: the rules of that competition and season
  (:func:`matchday.rules.knockout.tie_rules`: away goals, extra time, replays, penalties), the extra-time
  scoring factor :data:`~matchday.simulate.extra_time.DEFAULT_ET_FACTOR` (estimated from every match that
  went to extra time in the data, see :mod:`matchday.simulate.extra_time`) and the shoot-out model
  (:data:`~matchday.simulate.penalties.P_FIRST_KICKER_WINS`, first kicker by coin toss);
* **the legs' score grids**, :func:`tie_legs`: the fitted model's 90-minute grids with the venue built in
  (first leg at A's ground, second leg at B's, a final at a neutral ground), the competition's home
  advantage (``competition`` per tie);
* **the exact enumeration**, :func:`~matchday.simulate.tie_exact.two_legged_probabilities` /
  :func:`~matchday.simulate.tie_exact.single_match_probabilities` (no Monte Carlo error).

The model is "fitted as of D" by :func:`matchday.models.training.fit_model` (the store's last three seasons
of every competition, up to the end of day D): the command line fits it so for ``tie`` and ``bracket``, and
the validation fits it so as of the day after each historical first leg. :func:`predict_two_legged_ties`
takes stacks of ties (one fitted model, many ties: the validation's case); :func:`forecast_tie` is one tie
with names (the command's case) and calls the same function. The bracket simulator plays the same grids
with the same :func:`knockout_params` by Monte Carlo (:mod:`matchday.simulate.bracket`), so a current-round
tie's P(goes through) there equals :func:`forecast_tie`'s within its Monte Carlo error (tested).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from matchday.models.grid import ScoreGrid
from matchday.rules.knockout import tie_rules
from matchday.simulate.extra_time import DEFAULT_ET_FACTOR
from matchday.simulate.penalties import P_FIRST_KICKER_WINS
from matchday.simulate.tie_exact import single_match_probabilities, two_legged_probabilities
from matchday.simulate.tie_play import KnockoutParams

if TYPE_CHECKING:  # pragma: no cover
    from matchday.models.interface import ScoreModel
    from matchday.simulate.ties import TieResult

FloatArray = npt.NDArray[np.float64]


def knockout_params(season: str | int, competition: str = "UCL") -> KnockoutParams:
    """The tie parameters of a UEFA competition-season: its rules, the estimated extra-time factor and the
    shoot-out model. ``season``: ``"2023-24"`` or a start year. The one place they are chosen."""
    return KnockoutParams(rules=tie_rules(season, competition), et_factor=DEFAULT_ET_FACTOR,
                          p_first_kicker_wins=P_FIRST_KICKER_WINS)


def tie_legs(model: ScoreModel, team_a: Any, team_b: Any, competition: Any = None) -> tuple[ScoreGrid, ScoreGrid]:
    """(first leg, second leg) grids of ties between ``team_a`` (hosts the first leg) and ``team_b``: one
    fixture per tie; ``competition`` (scalar or one per tie) picks the home advantage."""
    a = np.atleast_1d(np.asarray(team_a, dtype=object))
    b = np.atleast_1d(np.asarray(team_b, dtype=object))
    comp = None if competition is None else np.broadcast_to(np.asarray(competition, dtype=object), a.shape)
    leg1 = model.predict_many(a, b, np.zeros(a.size, dtype=bool), comp)
    leg2 = model.predict_many(b, a, np.zeros(a.size, dtype=bool), comp)
    return leg1, leg2


def two_legged_chances(
    leg1: ScoreGrid,
    leg2: ScoreGrid,
    params: KnockoutParams,
    first_leg_home_goals: npt.ArrayLike | None = None,
    first_leg_away_goals: npt.ArrayLike | None = None,
) -> FloatArray:
    """``(m, len(METHOD_NAMES), 2)`` P(decided by method, side goes through) of ``m`` two-legged ties from
    their legs' grids (side 0 = A, the first-leg host), exactly. ``first_leg_*``: the played first legs'
    scores (all ties or none)."""
    known = first_leg_home_goals is not None and first_leg_away_goals is not None
    return two_legged_probabilities(
        leg2,
        first_leg_home_goals=first_leg_home_goals if known else None,
        first_leg_away_goals=first_leg_away_goals if known else None,
        leg1=leg1,
        params=params,
    )


def predict_two_legged_ties(
    model: ScoreModel,
    team_a: Any,
    team_b: Any,
    *,
    params: KnockoutParams,
    competition: Any = None,
    first_leg_home_goals: npt.ArrayLike | None = None,
    first_leg_away_goals: npt.ArrayLike | None = None,
) -> FloatArray:
    """The tie model for a stack of two-legged ties under one set of rules: ``(m, len(METHOD_NAMES), 2)``
    (``.sum(axis=1)[:, 0]`` is P(A goes through)). A hosts the first leg."""
    leg1, leg2 = tie_legs(model, team_a, team_b, competition)
    return two_legged_chances(leg1, leg2, params, first_leg_home_goals, first_leg_away_goals)


def predict_single_match_ties(
    model: ScoreModel, home: Any, away: Any, *, params: KnockoutParams, competition: Any = None,
    neutral: bool = True,
) -> FloatArray:
    """The tie model for single-match ties (finals: a neutral ground by default); side 0 = ``home``."""
    h = np.atleast_1d(np.asarray(home, dtype=object))
    a = np.atleast_1d(np.asarray(away, dtype=object))
    comp = None if competition is None else np.broadcast_to(np.asarray(competition, dtype=object), h.shape)
    grid = model.predict_many(h, a, np.full(h.size, neutral), comp)
    return single_match_probabilities(grid, params)


def forecast_tie(
    model: ScoreModel,
    team_a: str,
    team_b: str,
    *,
    season: str | int,
    competition: str = "UCL",
    first_leg: tuple[int, int] | None = None,
    final: bool = False,
    teams: tuple[str, str] | None = None,
) -> TieResult:
    """One tie's odds by the tie model (what ``matchday tie`` prints).

    team_a hosts the first leg (a final: is written first, at a neutral ground); first_leg: its played
    score (A's goals, B's goals); teams: display names (default the ids).
    """
    from matchday.simulate.ties import TieResult

    params = knockout_params(season, competition)
    if final:
        if first_leg is not None:
            raise ValueError("a final is one match: there is no first leg")
        p_method = predict_single_match_ties(model, [team_a], [team_b], params=params, competition=competition)[0]
    else:
        home, away = (None, None) if first_leg is None else ([first_leg[0]], [first_leg[1]])
        p_method = predict_two_legged_ties(model, [team_a], [team_b], params=params, competition=competition,
                                           first_leg_home_goals=home, first_leg_away_goals=away)[0]
    return TieResult(teams=teams or (team_a, team_b), p_advance=p_method.sum(axis=0), p_method=p_method,
                     aggregate=None, n=None)
