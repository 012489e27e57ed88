"""The model contract, checked on every model the way scikit-learn's check_estimator checks estimators.

Every entry of :data:`matchday.models.MODELS` (Elo and the shots model included) is built with non-default
parameters and must: rebuild itself from ``get_params`` (``clone``), return itself from ``fit``, keep its
parameters through ``fit``, name its fitted state with a trailing ``_``, refuse to predict before ``fit``
with a clear error, predict score grids that are probabilities (``predict_many`` = ``grid_from_rates`` of
``rates``), treat a neutral venue symmetrically, use only the matches up to its as-of day, and give the same
result twice. A new model joins by being registered in ``MODELS`` (and given a row in ``NON_DEFAULT``).
Components that are not forecasting models of goals (the statistic ratings of the combined model) keep the
same contract and are checked here too (``COMPONENTS``).
"""

from __future__ import annotations

import inspect
import pickle

import numpy as np
import pandas as pd
import pytest

from matchday.data.errors import MatchdayError, UnknownChoiceError
from matchday.models import MODELS, ModelBase, NotFittedError, ScoreGrid, ScoreModel, clone
from matchday.models.statistics import StatisticRatings
from synthetic import two_leagues, with_market, with_shots

NON_DEFAULT: dict[str, dict] = {
    "dixon-coles": {"xi": 0, "shrinkage": 0, "max_goals": 8, "home_advantage": "single"},
    "poisson": {"xi": 0.003, "shrinkage": 2.0, "prior_mean": "zero"},
    "negative-binomial": {"xi": 0.0, "newcomer_prior": None, "tol": 1e-6},
    "bivariate-poisson": {"shrinkage": 1.0, "max_goals": 9, "priors": {"a-00": (0.1, 0.0)}},
    "shots-dixon-coles": {"shots_weight": 0.5, "xi": 0.0, "shrinkage": 3.0},
    "elo": {"k": 30.0, "goal_weighting": "none", "rho": False, "burn_in_days": 100.0, "max_goals": 8},
    "score-driven": {"rate": 0.02, "level_rate": 0.0, "carry": 0.3, "max_goals": 8},
    "combined": {"components": ("goals", "shots_on_target", "score_driven"), "statistics_xi": 0.02,
                 "weights": {"home": 0.01, "away": -0.01, "goals": 0.6, "shots_on_target": 0.2, "score_driven": 0.3}},
    "with-market": {"past_odds_xi": 0.05, "shrinkage": 4.0,
                    "weights": {"home": 0.0, "away": 0.0, "goals": 0.5, "shots_on_target": 0.1, "shots": 0.1,
                                "corners": 0.1, "score_driven": 0.2, "past_odds": 0.3}},
}
COMPONENTS: dict[str, tuple[type, dict]] = {
    "statistic-ratings": (StatisticRatings, {"statistic": "shots", "xi": 0.01, "max_goals": 30, "shrinkage": 3.0}),
}
CHECKED = {**{name: (cls, NON_DEFAULT.get(name)) for name, cls in MODELS.items()}, **COMPONENTS}
AS_OF = pd.Timestamp("2011-09-30")


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return with_market(with_shots(np.random.default_rng(7), two_leagues(np.random.default_rng(70))))


def test_every_registered_model_is_checked():
    assert set(NON_DEFAULT) == set(MODELS)


@pytest.fixture(params=sorted(CHECKED), scope="module")
def name(request) -> str:
    return request.param


def make(name: str) -> ScoreModel:
    cls, params = CHECKED[name]
    return cls(**params)


@pytest.fixture(scope="module")
def fitted(name, frame) -> ScoreModel:
    return make(name).fit(frame, as_of=AS_OF)


def test_explicit_parameters_and_clone_round_trip(name):
    cls, non_default = CHECKED[name]
    kinds = {p.kind for p in inspect.signature(cls.__init__).parameters.values()}
    assert inspect.Parameter.VAR_KEYWORD not in kinds and inspect.Parameter.VAR_POSITIONAL not in kinds
    model = make(name)
    params = model.get_params()
    for key, value in non_default.items():
        assert params[key] == value  # DixonColes(xi=0, shrinkage=0) keeps 0 and 0
    copy = clone(model)
    assert type(copy) is cls and copy is not model and copy.get_params() == params
    assert cls(**params).get_params() == params
    with pytest.raises(ValueError, match="no parameter"):
        model.set_params(no_such_parameter=1)
    assert "not fitted" in repr(model)


def test_unfitted_model_refuses_to_predict_clearly(name):
    model = make(name)
    with pytest.raises(NotFittedError, match="not fitted yet") as err:
        model.predict_many(["a-00"], ["a-01"])
    assert isinstance(err.value, MatchdayError)  # the command line prints it as one line
    with pytest.raises(NotFittedError):
        model.ratings()


def test_fit_returns_self_keeps_parameters_and_names_fitted_state(name, frame):
    model = make(name)
    params = model.get_params()
    before = set(vars(model))
    assert model.fit(frame, as_of=AS_OF) is model
    assert model.get_params() == params
    added = [k for k in set(vars(model)) - before if not k.startswith("_")]
    assert added and all(k.endswith("_") for k in added), added
    assert isinstance(model, ScoreModel) and isinstance(model, ModelBase)
    assert model.as_of_ == AS_OF and "fitted on" in repr(model)


def test_grids_are_probabilities_and_come_from_the_rates(fitted):
    teams = fitted.teams_
    home, away = teams[:-1], teams[1:]
    grid = fitted.predict_many(home, away, neutral=False, competition=None)
    assert isinstance(grid, ScoreGrid) and grid.probabilities.shape == (len(home), fitted.max_goals + 1,
                                                                         fitted.max_goals + 1)
    assert (grid.probabilities >= 0).all()
    np.testing.assert_allclose(grid.probabilities.sum(axis=(1, 2)), 1.0, atol=1e-12)
    assert (grid.home_expected_goals > 0).all() and (grid.away_expected_goals > 0).all()
    again = fitted.grid_from_rates(*fitted.rates(home, away, neutral=False))
    np.testing.assert_array_equal(again.probabilities, grid.probabilities)
    np.testing.assert_array_equal(again.home_expected_goals, grid.home_expected_goals)
    one = fitted.predict(str(home[3]), str(away[3]))
    np.testing.assert_array_equal(one.probabilities[0], grid.probabilities[3])
    # a neutral venue is symmetric (in a given competition); home advantage helps the home side
    there = fitted.predict_many(home, away, neutral=True, competition="L1")
    back = fitted.predict_many(away, home, neutral=True, competition="L1")
    np.testing.assert_allclose(there.probabilities, back.transposed().probabilities, atol=1e-14)
    assert (fitted.predict_many(home, away, competition="L1").home_win > there.home_win).all()
    # a competition per fixture picks the home advantage; a stronger rate gives a stronger grid
    per_fixture = fitted.predict_many(home, away, False, np.full(len(home), "L1"))
    assert per_fixture.outcomes().shape == (len(home), 3)
    rate_h, rate_a = fitted.rates(home, away)
    assert (fitted.grid_from_rates(rate_h * 1.3, rate_a).home_win > fitted.grid_from_rates(rate_h, rate_a).home_win).all()


def test_only_matches_up_to_the_as_of_day_count(name, frame, fitted):
    later = frame.copy()
    later.loc[later["date"] > AS_OF, ["home_goals", "away_goals"]] = 9  # results after the as-of day
    other = make(name).fit(later, as_of=AS_OF)
    np.testing.assert_array_equal(other.predict_many(fitted.teams_, fitted.teams_[::-1]).probabilities,
                                  fitted.predict_many(fitted.teams_, fitted.teams_[::-1]).probabilities)
    known = frame[frame["date"] <= AS_OF]
    assert fitted.n_matches_ == len(known)


def test_fits_are_reproducible_and_fitted_models_pickle(name, frame, fitted):
    again = clone(fitted).fit(frame, as_of=AS_OF)
    teams = fitted.teams_
    restored = pickle.loads(pickle.dumps(fitted))  # a fitted-model cache can store them
    np.testing.assert_array_equal(restored.predict_many(teams, teams[::-1]).probabilities,
                                  fitted.predict_many(teams, teams[::-1]).probabilities)
    np.testing.assert_array_equal(again.predict_many(teams, teams[::-1]).probabilities,
                                  fitted.predict_many(teams, teams[::-1]).probabilities)
    pd.testing.assert_frame_equal(again.ratings(), fitted.ratings())


def test_ratings_and_unknown_teams(fitted):
    ratings = fitted.ratings()
    assert {"team", "competition", "goals_for", "goals_against", "strength", "last_played"} <= set(ratings.columns)
    assert sorted(ratings["team"]) == sorted(fitted.teams_)
    assert set(fitted.ratings(competition="L2")["team"]) <= {f"b-{i:02d}" for i in range(8)}
    with pytest.raises(UnknownChoiceError) as err:
        fitted.predict("a-00", "a-0x")
    assert "a-0" in err.value.choices[0]
