"""Team-strength models behind one contract (:mod:`matchday.models.interface`, ``docs/models.md``).

``fit(matches, as_of=None) -> self`` (matches dated on or before the as-of day), ``predict_many(home, away,
neutral, competition) -> ScoreGrid`` for stacks of fixtures, ``predict(home, away) -> ScoreGrid`` of one,
``rates`` / ``grid_from_rates`` for adjusted strengths, ``ratings() -> DataFrame``, ``get_params`` / ``clone``:

* :class:`DixonColes` (and :class:`Poisson`, rho = 0), :class:`NegativeBinomial`, :class:`BivariatePoisson`:
  team attack/defence models sharing one likelihood machinery and the Newton solver (:mod:`.goal_model`);
* :class:`ShotsDixonColes`: Dixon-Coles fitted on a goals / shots-on-target blend (an xG proxy);
* :class:`Elo`: ClubElo-style ratings with a fitted mapping from rating difference to goals;
* :class:`ScoreDriven`: a score-driven (GAS) filter of attack/defence on league goals;
* :class:`CombinedModel`: goals, shots on target, shots, corners and the score-driven filter stacked into
  goal rates on the goal model's cross-league scale (:class:`WithMarket` adds past closing prices, opt-in).

:func:`matchday.models.training.fit_model` fits one by name from the store as of a date.
"""

from matchday.models.bivariate_poisson import BivariatePoisson
from matchday.models.combined import CombinedModel, WithMarket
from matchday.models.dixon_coles import DixonColes
from matchday.models.elo import Elo
from matchday.models.goal_model import DEFAULT_SHRINKAGE, PROMOTED_PRIOR, GoalModel
from matchday.models.grid import ScoreGrid
from matchday.models.interface import ModelBase, NotFittedError, ScoreModel, clone
from matchday.models.negative_binomial import NegativeBinomial
from matchday.models.poisson import Poisson
from matchday.models.score_driven import ScoreDriven
from matchday.models.shots import ShotsDixonColes

MODELS: dict[str, type[ModelBase]] = {
    "dixon-coles": DixonColes,
    "poisson": Poisson,
    "negative-binomial": NegativeBinomial,
    "bivariate-poisson": BivariatePoisson,
    "shots-dixon-coles": ShotsDixonColes,
    "elo": Elo,
    "score-driven": ScoreDriven,
    "combined": CombinedModel,
    "with-market": WithMarket,
}
"""Models by the name the CLI and the backtests use."""


def checked_model_name(name: str) -> str:
    """``name`` if it names a model of :data:`MODELS`, else an error listing the valid names (checked once,
    before any work starts, by every entry point that takes a model name)."""
    if name not in MODELS:
        from matchday.data.errors import UnknownChoiceError

        raise UnknownChoiceError("model", name, sorted(MODELS))
    return name

__all__ = [
    "checked_model_name",
    "DEFAULT_SHRINKAGE",
    "MODELS",
    "PROMOTED_PRIOR",
    "BivariatePoisson",
    "CombinedModel",
    "DixonColes",
    "Elo",
    "GoalModel",
    "ModelBase",
    "NegativeBinomial",
    "NotFittedError",
    "Poisson",
    "ScoreGrid",
    "ScoreDriven",
    "ScoreModel",
    "ShotsDixonColes",
    "WithMarket",
    "clone",
]
