"""Dixon & Coles (1997): Poisson goals, a low-score correction rho, home advantage and time decay.

The model, its parameters and the fit are those of :class:`~matchday.models.goal_model.GoalModel`; the score
distribution is :class:`~matchday.models.distributions.DixonColesScores`, whose log-likelihood gradient is
exact, including the dependence of the low-score factor tau on the expected goals (penaltyblog 1.13.1
leaves that term out, so on Bundesliga 2022-24 its fit stops at log-likelihood -1858.620, rho -0.141,
short of the maximum -1858.4415, rho -0.1306, which this fit reaches; see ``tests/test_models_dixon_coles.py``).

Promoted clubs and teams with few matches are handled by the Gaussian prior (``shrinkage``, default
:data:`~matchday.models.goal_model.DEFAULT_SHRINKAGE`) towards a prior mean (``priors``, default an average
team; :data:`PROMOTED_PRIOR` is the typical newly promoted Premier League club), and better by fitting
the second tier jointly (pass E0 and E1 matches together: the clubs moving between the divisions
connect the two, so a promoted club's Championship form is rated on the Premier League scale). The same
holds across countries when UEFA matches are included in the frame: one scale across leagues.
"""

from __future__ import annotations

from matchday.models.distributions import DixonColesScores
from matchday.models.goal_model import GoalModel


class DixonColes(GoalModel):
    """Dixon-Coles model: :class:`~matchday.models.goal_model.GoalModel` with the
    :class:`~matchday.models.distributions.DixonColesScores` distribution.

    Parameters and defaults are :class:`GoalModel`'s (``xi=0.0019``, ``max_goals=10``, ``shrinkage=6.0``,
    ``newcomer_prior=PROMOTED_PRIOR``, ...); ``distribution=DixonColesScores(rho_bounds=(lo, hi))`` changes
    the range of rho (default (-0.5, 0.5)). Fitted ``rho_`` is the low-score correction.
    """

    default_distribution = DixonColesScores
