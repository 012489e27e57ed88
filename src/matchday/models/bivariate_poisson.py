"""Bivariate Poisson goals model (Karlis & Ntzoufras 2003) with a constant covariance.

Home goals X = X1 + X3, away goals Y = X2 + X3 with independent Poisson X1 (rate from the home team's
attack, the away team's defence and home advantage), X2 (likewise for the away side) and X3 (rate
``lambda3_``, common to all matches): a positive correlation between the two scores, where Dixon-Coles
instead reshapes only the 0/1-goal cells. Same parametrisation, time weights, prior and Newton fit as every
goal model (:class:`~matchday.models.base.GoalModel`); the score distribution is
:class:`~matchday.models.scores.BivariatePoissonScores`.
"""

from __future__ import annotations

import math
from typing import Any

from matchday.models.base import GoalModel
from matchday.models.scores import BivariatePoissonScores


class BivariatePoisson(GoalModel):
    """Bivariate Poisson model (arguments as in ``GoalModel``).

    Expected goals are lambda1 + lambda3 and lambda2 + lambda3; ``ratings()`` reports them.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(BivariatePoissonScores(), **options)

    @property
    def lambda3_(self) -> float:
        """Fitted covariance rate lambda3 (goals per match shared by both sides)."""
        self._check_fitted()
        return math.exp(self.extra_["log_lam3"])
