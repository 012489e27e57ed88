"""Team-strength models behind one small interface (see :mod:`matchday.models.base`).

``fit(matches, as_of=None) -> self`` (only matches strictly before ``as_of``), ``predict(home, away,
neutral=False) -> ScoreMatrix``, vectorised ``predict_many(home, away, neutral) -> (n, G+1, G+1)`` and
``ratings() -> DataFrame``:

* :class:`DixonColes` (and :class:`Poisson`, rho = 0), :class:`NegativeBinomial`,
  :class:`BivariatePoisson`: team attack/defence models sharing one likelihood machinery and Newton solver;
* :class:`ShotsDixonColes`: Dixon-Coles fitted on a goals / shots-on-target blend (an xG proxy);
* :class:`Elo`: ClubElo-style ratings with a fitted mapping from rating difference to goals.
"""

from matchday.models.base import DEFAULT_SHRINKAGE, PROMOTED_PRIOR, GoalModel, RatingModel
from matchday.models.bivariate_poisson import BivariatePoisson
from matchday.models.dixon_coles import DixonColes
from matchday.models.elo import Elo
from matchday.models.negative_binomial import NegativeBinomial
from matchday.models.poisson import Poisson
from matchday.models.scores import ScoreMatrix
from matchday.models.shots import ShotsDixonColes

MODELS: dict[str, type[RatingModel]] = {
    "dixon-coles": DixonColes,
    "poisson": Poisson,
    "negative-binomial": NegativeBinomial,
    "bivariate-poisson": BivariatePoisson,
    "shots-dixon-coles": ShotsDixonColes,
    "elo": Elo,
}
"""Models by the name the CLI and the backtests use."""

__all__ = [
    "DEFAULT_SHRINKAGE",
    "MODELS",
    "PROMOTED_PRIOR",
    "BivariatePoisson",
    "DixonColes",
    "Elo",
    "GoalModel",
    "NegativeBinomial",
    "Poisson",
    "RatingModel",
    "ScoreMatrix",
    "ShotsDixonColes",
]
