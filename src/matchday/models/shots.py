"""Shots-informed Dixon-Coles: team strengths fitted on an expected-goals proxy built from shots.

Idea. Goals are a noisy measure of how well a team played: a side with 8 shots on target and 1 goal
played better than the score says. football-data gives shots and shots on target per side; with a
conversion rate per shot on target (``b_on``) and per shot off target (``b_off``) estimated from the
training data by least squares (``goals ~ b_on * on_target + b_off * (shots - on_target)``, no intercept,
time-weighted, pooled over all teams), each side's *proxy* ``b_on * SOT + b_off * (shots - SOT)`` has the
same mean as its goals (the rates are rescaled per competition so that the proxy sums to the goals it
stands for) but much less noise (about 0.3 goals per shot on target; the variance of the proxy
is roughly a third of that of the goals). The team attack/defence parameters are then fitted, with the
usual time decay, prior and Newton solver, on the blended target

    y = (1 - shots_weight) * goals + shots_weight * proxy

with the Poisson log-likelihood as a quasi-likelihood (valid for non-integer targets: the estimating
equations are those of a Poisson GLM and the mean is still modelled correctly). A blend rather than the
proxy alone, because finishing skill and shot quality differ between teams and persist; goals carry that
part. Matches without shot data use their goals. Finally the Dixon-Coles rho is fitted on the real goals
given those rates, so predictions are full Dixon-Coles score matrices.

``shots_weight`` default 0.3. The precision argument alone would put ~0.7 on the proxy, but the proxy
misses finishing skill and shot quality, and shots depend on the score (a trailing side shoots more).
Walk-forward RPS (weekly refits, from October, each league's history since 2012-13):

* validation, top-5 leagues 2014-15 to 2018-19: goals only 0.19686; weight 0.3: 0.19691; 0.5: 0.19741;
  0.7: 0.19833 -- no gain, hence the small default;
* top-5 leagues 2019-20 to 2023-24: goals only 0.20202; 0.3: 0.20198; 0.5: 0.20235;
* Premier League 2023-24 from 1 November (280 matches): goals only 0.1960; 0.3: 0.1949; 0.5: 0.1946.

So the variant helps on some seasons and not on average; it is kept as an option and reported, not made
the default model.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from matchday.data.frames import MatchArrays
from matchday.models.distributions import DixonColesScores, PoissonScores, ScoreDistribution, fit_score_glm
from matchday.models.goal_model import DEFAULT_SHRINKAGE, PROMOTED_PRIOR, GoalModel, _Design
from matchday.models.league_prior import DEFAULT_OFFSET_PRIOR_SD, LeaguePrior
from matchday.models.weights import DEFAULT_XI

SHOT_COLUMNS = ("home_shots", "away_shots", "home_shots_on_target", "away_shots_on_target")


class ShotsDixonColes(GoalModel):
    """Dixon-Coles with team strengths fitted on a goals/shots blend (see the module docstring).

    ``shots_weight`` in [0, 1]: 0 is the goals-only Poisson fit (then rho on goals), 1 the shots proxy
    alone. ``distribution``: the score distribution of the predictions, default Dixon-Coles (its extras
    are refitted on the real goals). Every other argument is :class:`~matchday.models.goal_model.GoalModel`'s.
    Fitted extras: ``conversion_`` (goals per shot on target, per shot off target, pooled over
    competitions), ``shots_share_`` (share of team-matches with shot data), ``goals_loglik_`` (log-likelihood
    of the real goals at the fit).
    """

    default_distribution = DixonColesScores

    def __init__(
        self,
        distribution: ScoreDistribution | None = None,
        *,
        shots_weight: float = 0.3,
        xi: float = DEFAULT_XI,
        max_goals: int = 10,
        shrinkage: float = DEFAULT_SHRINKAGE,
        priors: Mapping[str, tuple[float, float]] | None = None,
        newcomer_prior: tuple[float, float] | None = PROMOTED_PRIOR,
        prior_mean: str = "competition",
        league_prior: LeaguePrior | None = None,
        league_prior_sd: float | None = DEFAULT_OFFSET_PRIOR_SD,
        home_advantage: str = "competition",
        warm_start: bool = False,
        solver: str = "newton",
        tol: float = 1e-4,
        max_iter: int = 100,
    ) -> None:
        super().__init__(distribution, xi=xi, max_goals=max_goals, shrinkage=shrinkage, priors=priors,
                         newcomer_prior=newcomer_prior, prior_mean=prior_mean, league_prior=league_prior,
                         league_prior_sd=league_prior_sd, home_advantage=home_advantage,
                         warm_start=warm_start, solver=solver, tol=tol, max_iter=max_iter)
        self.shots_weight = shots_weight

    def _fit_distribution(self) -> ScoreDistribution:
        return PoissonScores()

    def _targets(self, data: MatchArrays, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if not 0.0 <= self.shots_weight <= 1.0:
            raise ValueError(f"shots_weight must lie in [0, 1] (got {self.shots_weight})")
        goals = np.concatenate([data.home_goals, data.away_goals])
        columns = [data.column(name) for name in SHOT_COLUMNS]
        if any(c is None for c in columns):
            shots = on_target = np.full(goals.shape, np.nan)
        else:
            shots = np.concatenate([columns[0], columns[1]])
            on_target = np.concatenate([columns[2], columns[3]])
        off_target = shots - on_target
        usable = np.isfinite(on_target) & np.isfinite(off_target) & (off_target >= 0)
        w2 = np.concatenate([weights, weights])
        self.shots_share_ = float(usable.mean())
        if usable.sum() < 50:  # too little shot data to estimate conversion: goals only
            self.conversion_ = (np.nan, np.nan)
            return data.home_goals, data.away_goals
        design = np.column_stack([on_target[usable], off_target[usable]])
        ww = w2[usable]
        gram = (design * ww[:, None]).T @ design
        coef = np.linalg.solve(gram, (design * ww[:, None]).T @ goals[usable])
        if coef[1] < 0:  # off-target shots cannot lower the expectation: refit on shots on target only
            coef = np.array([float(np.dot(ww * design[:, 0], goals[usable]) / np.dot(ww * design[:, 0], design[:, 0])),
                             0.0])
        raw = np.nan_to_num(on_target) * coef[0] + np.nan_to_num(off_target) * coef[1]
        # least squares does not keep the mean: rescale per competition so that the proxy has exactly the
        # (time-weighted) goals of the matches it stands for; otherwise the blend would bias the goal level
        _, comp = np.unique(np.concatenate([data.competition, data.competition]).astype(str), return_inverse=True)
        n_comp = int(comp.max()) + 1  # every competition, also those without shot data (UEFA: none)
        goals_sum = np.bincount(comp[usable], (ww * goals[usable]), minlength=n_comp)
        proxy_sum = np.bincount(comp[usable], (ww * raw[usable]), minlength=n_comp)
        scale = np.where(proxy_sum > 0, goals_sum / np.where(proxy_sum > 0, proxy_sum, 1.0), 1.0)
        total = float(np.dot(ww, raw[usable]))
        self.conversion_ = tuple(float(c) * float(np.dot(ww, goals[usable])) / total for c in coef) if total > 0 \
            else (float(coef[0]), float(coef[1]))
        proxy = np.where(usable, raw * scale[comp], goals)
        target = (1.0 - self.shots_weight) * goals + self.shots_weight * proxy
        n = len(data)
        return target[:n], target[n:]

    def _after_fit(self, data: MatchArrays, design: _Design) -> None:
        """Refit the distribution's extras (rho) on the real goals with the team rates held fixed."""
        eta_h, eta_a = design.linear_predictors(self.params_)
        empty = np.zeros((len(data), 0))
        distribution = self.distribution_
        theta, loglik, _ = fit_score_glm(distribution, empty, empty, data.home_goals, data.away_goals,
                                         design.weights, offset_home=eta_h, offset_away=eta_a)
        self.extra_ = dict(zip(distribution.extra_names, theta.tolist(), strict=True))
        self.goals_loglik_ = float(loglik)
