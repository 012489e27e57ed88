"""The club's match strengths as score grids: its rates scaled by a plan's strength changes, through the
model's own distribution (Dixon-Coles' low-score correction is kept), and scores drawn with a coupling that
is monotone in the club's goal difference. Shared by the season plans
(:mod:`matchday.decide.season_plan`) and the league-phase paths (:mod:`matchday.decide.league_phase_plan`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from matchday.models.grid import ScoreGrid
from matchday.simulate.sampling import ScoreSampler

if TYPE_CHECKING:  # pragma: no cover
    from matchday.models.interface import ScoreModel


def club_grid(model: ScoreModel, rate_for: np.ndarray, rate_against: np.ndarray, club_home: np.ndarray,
              attack: np.ndarray | float = 0.0, defence: np.ndarray | float = 0.0) -> ScoreGrid:
    """Grid (written home-first) of club matches with strength changes applied.

    rate_for / rate_against: the model's rates of the club's goals and of its opponent's goals
    (:meth:`ScoreModel.rates`); attack / defence: the club's changes (log scale, negative = weaker), so
    its rates become ``rate_for * exp(attack)`` and ``rate_against * exp(-defence)``. club_home: the club is
    written first (at home, or first at a neutral venue).
    """
    scored = np.asarray(rate_for, float) * np.exp(attack)
    allowed = np.asarray(rate_against, float) * np.exp(-np.asarray(defence, float))
    home = np.asarray(club_home, bool)
    return model.grid_from_rates(np.where(home, scored, allowed), np.where(home, allowed, scored))


def club_win_probability(grid: ScoreGrid, club_home: np.ndarray) -> np.ndarray:
    """P(the club wins in 90 minutes) from a home-first grid (:meth:`ScoreGrid.outcomes`)."""
    outcomes = grid.outcomes()
    return np.where(np.asarray(club_home, bool), outcomes[:, 0], outcomes[:, 2])


def club_order(club_home: np.ndarray) -> list[str]:
    """Sampler cell order per club match: by the club's goal difference, then its goals (a monotone
    coupling: on the same random number a stronger lineup never gets a worse goal difference)."""
    return ["home_margin" if home else "away_margin" for home in np.asarray(club_home, bool)]


def club_scores(grid: ScoreGrid, club_home: np.ndarray, bits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(club goals, opponent goals) ``(S, k)`` of ``k`` club matches drawn with the random numbers ``bits``."""
    home_goals, away_goals = ScoreSampler(grid, club_order(club_home)).sample(bits)
    home = np.asarray(club_home, bool)
    return np.where(home, home_goals, away_goals), np.where(home, away_goals, home_goals)
