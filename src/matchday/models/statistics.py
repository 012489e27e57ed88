"""Team ratings of a match statistic (shots on target, shots, corners, ...): evidence of strength.

Goals are rare, so a side's goals say little about how well it played; shots on target, shots and corners
are counted ten times as often and follow the same strengths. :class:`StatisticRatings` is the goal
model's machinery (:class:`~matchday.models.goal_model.GoalModel`: attack/defence, home advantage per
competition, time decay, Gaussian prior, exact Newton) with the statistic as the target of a Poisson
(quasi-)likelihood::

    log E[home statistic] = intercept + home_advantage[c] + attack[home] - defence[away]
    log E[away statistic] = intercept                     + attack[away] - defence[home]

``attack`` is how much of the statistic a club produces, ``defence`` how little it allows (log scale, 0 =
the average club). Non-integer targets (the expected goals implied by past prices) are fine: the Poisson
estimating equations only need the mean to be right.

Only matches that report the statistic enter the fit (a match without it is no evidence, not a zero);
:attr:`StatisticRatings.counts_` gives each club's number of such matches. The grids it predicts are of
the statistic, not of goals, which is why it is a component of :class:`~matchday.models.combined.CombinedModel`
rather than a registered forecasting model. Its decay is fast by default (``xi = 0.015`` per day,
half-life 46 days): a statistic is far less noisy per match than goals, so a rating settles on a few
matches and recency wins (scanned 0.0019 / 0.004 / 0.008 / 0.015 / 0.03 on the validation seasons
2014-15..2018-19: 0.008-0.03 is a plateau and 0.015 its geometric middle).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Self

import numpy as np
import pandas as pd

from matchday.data.errors import DataError
from matchday.data.frames import MatchArrays, as_of_day, day_end, played_matches
from matchday.models.distributions import PoissonScores, ScoreDistribution
from matchday.models.goal_model import DEFAULT_SHRINKAGE, PROMOTED_PRIOR, GoalModel

STATISTICS_XI: float = 0.015
"""Decay rate (1/day) of the statistic ratings: half-life 46 days (see the module docstring)."""

NEGLIGIBLE_WEIGHT: float = 1e-6
"""Matches whose decay weight is below this carry nothing: they are left out of the fit (at 0.015/day,
older than 921 days)."""


def statistic_columns(statistic: str) -> tuple[str, str]:
    """The frame columns of a statistic: ``home_<statistic>``, ``away_<statistic>``."""
    return f"home_{statistic}", f"away_{statistic}"


def with_statistic(matches: pd.DataFrame, statistic: str) -> np.ndarray:
    """Mask of the rows of ``matches`` that report ``statistic`` for both sides (False without the columns)."""
    home, away = statistic_columns(statistic)
    if home not in matches.columns or away not in matches.columns:
        return np.zeros(len(matches), dtype=bool)
    values_home = pd.to_numeric(matches[home], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    values_away = pd.to_numeric(matches[away], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return np.isfinite(values_home) & np.isfinite(values_away) & (values_home >= 0) & (values_away >= 0)


class StatisticRatings(GoalModel):
    """Attack/defence ratings of one match statistic (see the module docstring).

    Parameters
    ----------
    statistic: the column suffix: ``"shots_on_target"`` reads ``home_shots_on_target`` /
        ``away_shots_on_target``; also ``"shots"``, ``"corners"``, ``"implied_goals"``, ...
    xi: decay rate in 1/day (default :data:`STATISTICS_XI`, half-life 46 days).
    max_goals: G of the grids of the statistic (default 40: shots reach 30 and more).
    Every other argument is :class:`~matchday.models.goal_model.GoalModel`'s.

    Fitted (besides the goal model's): ``counts_`` (matches with the statistic per team),
    ``n_without_`` (played matches up to the as-of day that lacked it and were left out).
    """

    default_distribution = PoissonScores

    def __init__(
        self,
        statistic: str = "shots_on_target",
        *,
        xi: float = STATISTICS_XI,
        max_goals: int = 40,
        shrinkage: float = DEFAULT_SHRINKAGE,
        priors: Mapping[str, tuple[float, float]] | None = None,
        newcomer_prior: tuple[float, float] | None = PROMOTED_PRIOR,
        prior_mean: str = "competition",
        home_advantage: str = "competition",
        warm_start: bool = False,
        solver: str = "newton",
        tol: float = 1e-4,
        max_iter: int = 100,
    ) -> None:
        super().__init__(None, xi=xi, max_goals=max_goals, shrinkage=shrinkage, priors=priors,
                         newcomer_prior=newcomer_prior, prior_mean=prior_mean, home_advantage=home_advantage,
                         warm_start=warm_start, solver=solver, tol=tol, max_iter=max_iter)
        self.statistic = statistic

    def _predict_distribution(self) -> ScoreDistribution:
        return PoissonScores()

    def _targets(self, data: MatchArrays, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        home, away = statistic_columns(self.statistic)
        return data.column(home), data.column(away)

    def fit(self, matches: pd.DataFrame, as_of: Any = None) -> Self:
        """Fit on the played matches dated on or before ``as_of`` that report the statistic and whose decay
        weight is at least :data:`NEGLIGIBLE_WEIGHT`; a frame with none is an error naming the columns."""
        day = as_of_day(as_of)
        data = played_matches(matches, day)
        reported = with_statistic(matches, self.statistic)[data.positions]
        keep = data.positions[reported]
        if keep.size and self.xi > 0:
            last = day if day is not None else pd.Timestamp(data.date.max()).normalize()
            oldest = np.datetime64(day_end(last).to_datetime64(), "ns") - np.timedelta64(
                int(math.log(1.0 / NEGLIGIBLE_WEIGHT) / self.xi * 86_400), "s")
            dates = matches["date"].to_numpy(dtype="datetime64[ns]")[keep] if keep.size else np.empty(0)
            keep = keep[dates >= oldest]
        if keep.size == 0:
            home, away = statistic_columns(self.statistic)
            raise DataError(f"no played match reports {self.statistic}" +
                            (f" on or before {day.date()}" if day is not None else ""),
                            column=f"{home}/{away}", expected="counts >= 0 on at least one played match")
        subset = matches.iloc[keep]
        super().fit(subset, as_of=day if day is not None else pd.Timestamp(data.date.max()).normalize())
        self.n_without_ = int(len(data) - reported.sum())
        sides = np.concatenate([subset["home"].to_numpy(dtype=object), subset["away"].to_numpy(dtype=object)])
        counts = pd.Series(sides).value_counts()
        self.counts_ = counts.reindex(self.teams_, fill_value=0).rename("matches").rename_axis("team")
        return self
