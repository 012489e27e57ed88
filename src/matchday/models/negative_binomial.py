"""Negative-binomial goals model: the Poisson team model with overdispersed (NB2) goal counts.

Same parametrisation, time weights, prior and Newton fit as every goal model
(:class:`~matchday.models.goal_model.GoalModel`); the score distribution is
:class:`~matchday.models.distributions.NegativeBinomialScores` (one shared size ``r``: Var = mean + mean^2/r).
Top-flight goals are close to Poisson once team strengths are accounted for, so the fitted ``r`` is
usually large (``size_`` near its upper bound, i.e. the Poisson model); the model is here to let the data
say so.
"""

from __future__ import annotations

import math

from matchday.models.distributions import NegativeBinomialScores
from matchday.models.goal_model import GoalModel


class NegativeBinomial(GoalModel):
    """Independent negative-binomial home and away goals (arguments as in ``GoalModel``)."""

    default_distribution = NegativeBinomialScores

    @property
    def size_(self) -> float:
        """Fitted NB size r (variance = mean + mean**2 / r)."""
        self._check_fitted()
        return math.exp(self.extra_["log_size"])
