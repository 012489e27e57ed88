"""Independent Poisson goals model (Maher 1982): the Dixon-Coles machinery with rho fixed at 0."""

from __future__ import annotations

from typing import Any

from matchday.models.base import GoalModel
from matchday.models.scores import PoissonScores


class Poisson(GoalModel):
    """Home and away goals independent Poisson with team attack/defence, home advantage, time decay.

    Same parameters, likelihood and optimiser as :class:`~matchday.models.dixon_coles.DixonColes`
    (see :class:`~matchday.models.base.GoalModel` for every argument).
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(PoissonScores(), **options)
