"""Dixon & Coles (1997): Poisson goals, a low-score correction rho, home advantage and time decay.

The model, its parameters and the fit are those of :class:`~matchday.models.base.GoalModel`; the score
distribution is :class:`~matchday.models.scores.DixonColesScores`, whose log-likelihood gradient is
exact, including the dependence of the low-score factor tau on the expected goals (penaltyblog 1.13.1
leaves that term out, so on Bundesliga 2022-24 its fit stops at log-likelihood -1858.620, rho -0.141,
short of the maximum -1858.4415, rho -0.1306, which this fit reaches; see ``tests/test_models_dixon_coles.py``).

Promoted clubs and teams with few matches are handled by the Gaussian prior (``shrinkage``, default
:data:`~matchday.models.base.DEFAULT_SHRINKAGE`) towards a prior mean (``priors``, default an average
team; :data:`PROMOTED_PRIOR` is the typical newly promoted Premier League club), and better by fitting
the second tier jointly (pass E0 and E1 matches together: the clubs moving between the divisions
connect the two, so a promoted club's Championship form is rated on the Premier League scale). The same
holds across countries when UEFA matches are included in the frame: one scale across leagues.
"""

from __future__ import annotations

from typing import Any

from matchday.models.base import GoalModel
from matchday.models.scores import DixonColesScores, PoissonScores


class DixonColes(GoalModel):
    """Dixon-Coles model: ``DixonColes(xi=0.0019, max_goals=10, rho=True, shrinkage=16.0, as_of=None)``.

    ``rho=False`` gives the independent Poisson model; ``rho_bounds`` bounds the low-score correction.
    Every other option (xi, max_goals, shrinkage, priors, newcomer_prior, prior_mean, home_advantage,
    as_of, warm_start, solver, tol) is :class:`~matchday.models.base.GoalModel`'s.
    """

    def __init__(self, *, rho: bool = True, rho_bounds: tuple[float, float] = (-0.5, 0.5), **options: Any) -> None:
        super().__init__(DixonColesScores(rho_bounds) if rho else PoissonScores(), **options)
        self.rho = rho
        self.rho_bounds = rho_bounds
