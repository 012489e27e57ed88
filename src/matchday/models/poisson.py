"""Independent Poisson goals model (Maher 1982): the Dixon-Coles machinery with rho fixed at 0."""

from __future__ import annotations

from matchday.models.distributions import PoissonScores
from matchday.models.goal_model import GoalModel


class Poisson(GoalModel):
    """Home and away goals independent Poisson with team attack/defence, home advantage, time decay.

    Same parameters, likelihood and optimiser as :class:`~matchday.models.dixon_coles.DixonColes`
    (see :class:`~matchday.models.goal_model.GoalModel` for every argument).
    """

    default_distribution = PoissonScores
