"""Bivariate Poisson goals model (Karlis & Ntzoufras 2003) with a constant covariance.

Home goals X = X1 + X3, away goals Y = X2 + X3 with independent Poisson X1 (rate from the home team's
attack, the away team's defence and home advantage), X2 (likewise for the away side) and X3 (rate
``lambda3_``, common to all matches): a positive correlation between the two scores, where Dixon-Coles
instead reshapes only the 0/1-goal cells. Same parametrisation, time weights, prior and Newton fit as every
goal model (:class:`~matchday.models.goal_model.GoalModel`); the score distribution is
:class:`~matchday.models.distributions.BivariatePoissonScores`.
"""

from __future__ import annotations

import math

from matchday.models.distributions import BivariatePoissonScores
from matchday.models.goal_model import GoalModel


class BivariatePoisson(GoalModel):
    """Bivariate Poisson model (arguments as in ``GoalModel``).

    ``rates()`` are lambda1 and lambda2; the expected goals (in the grids and ``ratings()``) are
    lambda1 + lambda3 and lambda2 + lambda3.
    """

    default_distribution = BivariatePoissonScores

    @property
    def lambda3_(self) -> float:
        """Fitted covariance rate lambda3 (goals per match shared by both sides)."""
        self._check_fitted()
        return math.exp(self.extra_["log_lam3"])
