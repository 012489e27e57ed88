"""Forecasts: score grids -> betting markets, and odds <-> probabilities (between models and simulate).

``markets``: 1X2, totals, both teams to score, Asian handicaps (line = handicap given to the HOME side,
as in football-data's ``AHh``), correct scores, expected goals, fair odds, a summary table.
``odds``: overround, margin removal (multiplicative, additive, power, Shin) and its inverse.
Both are pure NumPy (pandas only for the tables) and vectorised over stacks of matches.
"""

from matchday.forecast.markets import (
    OverUnder,
    Settlement,
    asian_handicap,
    asian_total,
    both_teams_to_score,
    correct_scores,
    expected_goals,
    expected_points,
    fair_odds,
    goal_difference_distribution,
    markets_table,
    normalize,
    outcome_probabilities,
    total_goals_distribution,
    totals,
)
from matchday.forecast.odds import (
    METHODS,
    MarginRemoval,
    implied_probabilities,
    odds_from_probabilities,
    overround,
    remove_margin,
)

__all__ = [
    "METHODS",
    "MarginRemoval",
    "OverUnder",
    "Settlement",
    "asian_handicap",
    "asian_total",
    "both_teams_to_score",
    "correct_scores",
    "expected_goals",
    "expected_points",
    "fair_odds",
    "goal_difference_distribution",
    "implied_probabilities",
    "markets_table",
    "normalize",
    "odds_from_probabilities",
    "outcome_probabilities",
    "overround",
    "remove_margin",
    "total_goals_distribution",
    "totals",
]
