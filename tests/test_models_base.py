"""The goal-model family's machinery (goal_model, solver, weights, the frame validation): objective, solver,
input, interface. The contract every model keeps is tested in ``test_models_contract.py``."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from matchday.data.errors import DataError, UnknownChoiceError
from matchday.data.frames import played_matches
from matchday.models import BivariatePoisson, DixonColes, GoalModel, NegativeBinomial, NotFittedError, Poisson
from matchday.models.distributions import DixonColesScores, PoissonScores, ScoreDistribution
from matchday.models.goal_model import CLOSED_DOORS, CLOSED_DOORS_LABEL, _Design, _Objective
from matchday.models.weights import decay_weights, half_life_to_xi, xi_to_half_life
from synthetic import simulate_league, two_leagues

# ------------------------------------------------------------------------------------------------ weights


def test_decay_weights_and_half_life():
    xi = half_life_to_xi(100.0)
    assert xi_to_half_life(xi) == pytest.approx(100.0)
    dates = pd.to_datetime(["2024-01-01", "2023-09-23", "2024-01-05"])
    w = decay_weights(dates, pd.Timestamp("2024-01-01"), xi)
    np.testing.assert_allclose(w, [1.0, 0.5, 1.0])  # 100 days old: half; the future is not up-weighted
    np.testing.assert_allclose(decay_weights(dates, pd.Timestamp("2024-01-01"), 0.0), 1.0)
    assert xi_to_half_life(0.0) == math.inf
    with pytest.raises(ValueError):
        decay_weights(dates, pd.Timestamp("2024-01-01"), -1.0)


# ------------------------------------------------------------------------------------------------ objective


def _objective_for(frame: pd.DataFrame, dist: ScoreDistribution, shrinkage: float, anchors: bool):
    n = len(frame)
    teams = np.array(sorted(set(frame.home) | set(frame.away)), dtype=object)
    home = np.searchsorted(teams, frame.home.to_numpy(object))
    away = np.searchsorted(teams, frame.away.to_numpy(object))
    comps, comp = np.unique(frame.competition.to_numpy(object), return_inverse=True)
    comp = np.where(frame.neutral.to_numpy(), len(comps), comp)
    rng = np.random.default_rng(3)
    anchor = np.array([0 if t.startswith("a") else 1 for t in teams]) if anchors else None
    design = _Design(n_teams=len(teams), n_comp=len(comps), n_extra=len(dist.extra_names), home=home, away=away,
                     comp=comp, weights=rng.uniform(0.3, 1.0, n), prior_attack=rng.normal(0, 0.1, len(teams)),
                     prior_defence=rng.normal(0, 0.1, len(teams)), anchor=anchor, n_anchor=2 if anchors else 1)
    prep = dist.prepare(frame.home_goals.to_numpy(float), frame.away_goals.to_numpy(float), design.weights)
    return _Objective(dist, design, prep, shrinkage), design


@pytest.mark.parametrize("dist_class", [PoissonScores, DixonColesScores])
@pytest.mark.parametrize(("shrinkage", "anchors"), [(0.0, False), (5.0, False), (5.0, True)])
def test_objective_gradient_and_hessian_match_finite_differences(dist_class, shrinkage, anchors):
    frame = two_leagues(np.random.default_rng(11))
    dist = dist_class()
    objective, design = _objective_for(frame, dist, shrinkage, anchors)
    rng = np.random.default_rng(5)
    theta = rng.normal(0, 0.2, design.size)
    theta[design.size - design.n_extra:] = -0.08  # rho
    f, g, res, _ = objective(theta, curvature=True)
    h = objective.hessian(res)
    step = 1e-6
    eye = np.eye(design.size)
    fd_grad = np.array([(objective(theta + step * e)[0] - objective(theta - step * e)[0]) / (2 * step) for e in eye])
    fd_hess = np.array([(objective(theta + step * e)[1] - objective(theta - step * e)[1]) / (2 * step) for e in eye])
    np.testing.assert_allclose(g, fd_grad, rtol=1e-6, atol=1e-5 * np.abs(g).max())
    np.testing.assert_allclose(h, fd_hess, rtol=1e-5, atol=1e-6 * np.abs(h).max())
    np.testing.assert_allclose(h, h.T, atol=1e-12)


# ------------------------------------------------------------------------------------------------ solver


@pytest.mark.parametrize("model_class", [Poisson, DixonColes, NegativeBinomial, BivariatePoisson])
def test_newton_and_lbfgs_reach_the_same_optimum(model_class):
    frame = two_leagues(np.random.default_rng(2))
    newton = model_class(shrinkage=4.0).fit(frame)
    check = model_class(shrinkage=4.0, solver="lbfgs", tol=1e-7).fit(frame)
    assert newton.converged_ and newton.n_iter_ <= 15
    assert newton.objective_ >= check.objective_ - 1e-7
    assert newton.objective_ == pytest.approx(check.objective_, rel=1e-9)
    np.testing.assert_allclose(newton.params_, check.params_, atol=2e-4)


def test_identification_and_shrinkage_constraints():
    frame = two_leagues(np.random.default_rng(4))
    plain = DixonColes(shrinkage=0.0).fit(frame)
    assert plain.attack_.mean() == pytest.approx(0.0, abs=1e-12)
    assert plain.defence_.mean() == pytest.approx(0.0, abs=1e-12)
    # with a prior and one competition mean per group, stationarity in each group mean gives
    # sum over that group's teams of (parameter - prior offset - group mean) = 0
    shrunk = DixonColes(shrinkage=3.0, newcomer_prior=None).fit(frame)
    groups = shrunk.team_competition_
    for name in ("L1", "L2"):
        members = groups.index[groups == name]
        assert len(members) == 8
    # the shrunk fit pulls every team towards its group mean: smaller spread within groups
    for name in ("L1", "L2"):
        members = groups.index[groups == name]
        assert shrunk.attack_[members].std() < plain.attack_[members].std()
    assert shrunk.objective_ < shrunk.loglik_  # the penalty is part of the objective


def test_home_advantage_per_competition_and_neutral_venues():
    frame = two_leagues(np.random.default_rng(8))
    model = DixonColes(shrinkage=0.0).fit(frame)
    by_comp = model.home_advantage_by_competition_
    assert set(by_comp.index) == {"CUP", "L1", "L2"}
    eta_l1 = model.log_rates("a-00", "a-01", competition="L1")[0]
    eta_l2 = model.log_rates("a-00", "a-01", competition="L2")[0]
    eta_neutral = model.log_rates("a-00", "a-01", neutral=True)[0]
    assert eta_l1 - eta_neutral == pytest.approx(by_comp["L1"])
    assert eta_l2 - eta_neutral == pytest.approx(by_comp["L2"])
    # default: the home team's own league
    assert model.log_rates("b-02", "a-01")[0] == pytest.approx(model.log_rates("b-02", "a-01", competition="L2")[0])
    single = DixonColes(shrinkage=0.0, home_advantage="single").fit(frame)
    assert list(single.home_advantage_by_competition_.index) == ["*"]


# ------------------------------------------------------------------------------------------------ interface


ALL_GOAL_MODELS = [Poisson, DixonColes, NegativeBinomial, BivariatePoisson]


@pytest.mark.parametrize("model_class", ALL_GOAL_MODELS)
def test_predictions_are_probabilities_and_neutral_venues_are_symmetric(model_class):
    frame = two_leagues(np.random.default_rng(9))
    model = model_class().fit(frame)
    teams = model.teams_
    home, away = teams[:-1], teams[1:]
    grid = model.predict_many(home, away, neutral=False)
    mats = grid.probabilities
    assert mats.shape == (len(home), 11, 11)
    assert (mats >= 0).all()
    np.testing.assert_allclose(mats.sum(axis=(1, 2)), 1.0, atol=1e-12)
    there = model.predict_many(home, away, neutral=True).probabilities
    back = model.predict_many(away, home, neutral=True).probabilities
    np.testing.assert_allclose(there, np.transpose(back, (0, 2, 1)), atol=1e-15)
    one = model.predict(str(home[0]), str(away[0]))
    np.testing.assert_allclose(one.probabilities[0], mats[0])
    assert one.home_expected_goals[0] == pytest.approx(grid.home_expected_goals[0])
    assert one.away_expected_goals[0] == pytest.approx(grid.away_expected_goals[0])
    # the censored matrix's mean undershoots the exact mean only by the folded tail
    i = np.arange(11)
    assert (one.probabilities[0].sum(axis=1) @ i) == pytest.approx(one.home_expected_goals[0], abs=1e-3)


def test_fit_as_of_means_after_the_last_match_of_that_day():
    frame = two_leagues(np.random.default_rng(12))
    as_of = pd.Timestamp("2011-06-01")
    base = DixonColes().fit(frame, as_of=as_of)
    assert base.last_match_date_ <= as_of and base.as_of_ == as_of
    assert base.n_matches_ == int((frame.date <= as_of).sum())
    next_day = as_of + pd.Timedelta(days=1)
    extra = {"competition": "L1", "season": "sim", "home": "a-00", "away": "a-01", "home_goals": 9, "away_goals": 0,
             "neutral": False}
    # a match the day after is not known yet; one on the day (at any kick-off time) is
    after = pd.concat([frame, pd.DataFrame([{**extra, "date": next_day}])], ignore_index=True)
    np.testing.assert_array_equal(DixonColes().fit(after, as_of=as_of).params_, base.params_)
    evening = pd.concat([frame, pd.DataFrame([{**extra, "date": as_of + pd.Timedelta(hours=20)}])], ignore_index=True)
    on_the_day = DixonColes().fit(evening, as_of="2011-06-01")  # a date string is accepted
    assert on_the_day.n_matches_ == base.n_matches_ + 1
    assert on_the_day.attack_["a-00"] > base.attack_["a-00"]
    # without an as-of date: every played match, as of the last match day
    assert DixonColes().fit(frame).as_of_ == frame.date.max().normalize()
    np.testing.assert_array_equal(DixonColes().fit(frame).params_,
                                  DixonColes().fit(frame, as_of=frame.date.max()).params_)


@pytest.mark.parametrize("solver", ["newton", "lbfgs"])
def test_warm_start_reaches_the_same_optimum_in_fewer_iterations(solver):
    rng = np.random.default_rng(13)
    frame = simulate_league(rng, rng.normal(0, 0.3, 16), rng.normal(0, 0.3, 16), seasons=4,
                            distribution=DixonColesScores(), extra=np.array([-0.1]))
    cold = DixonColes(solver=solver).fit(frame, as_of="2013-05-08")  # a week later: the weekly refit
    # sklearn-style warm_start=True: each fit starts from the model's own previous solution
    warm = DixonColes(solver=solver, warm_start=True).fit(frame, as_of="2013-05-01")
    first_iterations = warm.n_iter_
    warm.fit(frame, as_of="2013-05-08")
    assert warm.n_iter_ < cold.n_iter_ and warm.n_iter_ < first_iterations
    assert warm.objective_ == pytest.approx(cold.objective_, rel=1e-10)
    np.testing.assert_allclose(warm.params_, cold.params_, atol=1e-4)
    # a changed distribution is not warm-started from the old one's solution
    warm.set_params(distribution=PoissonScores()).fit(frame, as_of="2013-05-08")
    assert warm.converged_ and warm.rho_ == 0.0


def test_unknown_team_names_the_closest_fitted_teams():
    frame = two_leagues(np.random.default_rng(14))
    model = Poisson().fit(frame)
    with pytest.raises(UnknownChoiceError) as err:
        model.predict("b-01", "a-03x")
    assert "'a-03x'" in str(err.value)
    assert err.value.choices[0] == "a-03"
    with pytest.raises(NotFittedError, match="not fitted"):
        Poisson().predict("a", "b")


def test_team_with_a_prior_but_no_matches_is_rated_at_its_prior():
    frame = two_leagues(np.random.default_rng(15))
    model = DixonColes(priors={"newcomer-fc": (-0.3, -0.2)}).fit(frame)
    assert "newcomer-fc" in model.teams_
    # no data moves it: it sits at its offset from the reference group's mean, which is fixed at 0
    assert model.attack_["newcomer-fc"] == pytest.approx(-0.3, abs=1e-9)
    assert model.defence_["newcomer-fc"] == pytest.approx(-0.2, abs=1e-9)
    ratings = model.ratings().set_index("team")
    assert ratings.loc["newcomer-fc", "weighted_matches"] == 0
    assert ratings.loc["newcomer-fc", "strength"] < ratings["strength"].median()
    grid = model.predict(str(ratings.index[0]), "newcomer-fc", neutral=True)
    assert grid.home_win[0] > grid.away_win[0]


def test_newcomer_prior_applies_to_clubs_new_to_an_older_competition():
    rng = np.random.default_rng(16)
    frame = simulate_league(rng, np.zeros(6), np.zeros(6), seasons=2, competition="L1")
    late = frame[frame.date >= "2011-08-01"].copy()
    late.loc[late.home == "team-05", "home"] = "promoted"
    late.loc[late.away == "team-05", "away"] = "promoted"
    frame = pd.concat([frame[frame.date < "2011-08-01"], late.head(12)], ignore_index=True)
    model = DixonColes().fit(frame)
    assert list(model._newcomers) == ["promoted"]
    without = DixonColes(newcomer_prior=None).fit(frame)
    assert model.attack_["promoted"] < without.attack_["promoted"]
    assert model.defence_["promoted"] < without.defence_["promoted"]


# ------------------------------------------------------------------------------------------------ input


def test_bad_input_raises_data_errors_naming_the_place():
    frame = two_leagues(np.random.default_rng(17)).head(40)
    with pytest.raises(DataError, match="home_goals"):
        Poisson().fit(frame.drop(columns=["home_goals"]))
    bad = frame.copy()
    bad["source_file"] = "E0.csv"
    bad["source_line"] = np.arange(2, 42)
    bad.loc[5, "away_goals"] = -1
    with pytest.raises(DataError) as err:
        Poisson().fit(bad)
    assert err.value.file == "E0.csv" and err.value.line == 7 and err.value.column == "away_goals"
    same = frame.copy()
    same.loc[3, "away"] = same.loc[3, "home"]
    with pytest.raises(DataError, match="cannot play itself"):
        Poisson().fit(same)
    with pytest.raises(DataError, match="no played matches"):
        Poisson().fit(frame, as_of="1990-01-01")
    with pytest.raises(ValueError, match="shrinkage"):
        Poisson(shrinkage=-1).fit(frame)


def test_unplayed_fixtures_are_skipped_and_nullable_columns_accepted():
    frame = two_leagues(np.random.default_rng(18)).head(60)
    frame["home_goals"] = frame["home_goals"].astype("Int64")
    frame["away_goals"] = frame["away_goals"].astype("Int64")
    frame.loc[[4, 9], ["home_goals", "away_goals"]] = pd.NA
    data = played_matches(frame)
    assert len(data) == 58
    model = Poisson().fit(frame)
    assert model.n_matches_ == 58


def test_generic_goal_model_accepts_any_distribution():
    frame = two_leagues(np.random.default_rng(19))
    generic = GoalModel(DixonColesScores(), shrinkage=2.0).fit(frame)
    specific = DixonColes(shrinkage=2.0).fit(frame)
    np.testing.assert_allclose(generic.params_, specific.params_)
    ratings = specific.ratings()
    assert list(ratings.columns) == ["team", "competition", "attack", "defence", "goals_for", "goals_against",
                                     "strength", "weighted_matches", "last_played"]
    assert ratings["strength"].is_monotonic_decreasing
    assert set(specific.ratings(competition="L2")["team"]) == {f"b-{i:02d}" for i in range(8)}


# ------------------------------------------------------------------------------------------------ closed doors


def _crowd_and_closed(seed: int, crowd: float, closed: float) -> pd.DataFrame:
    """A 16-club league over 2017-18 to 2020-21 whose matches in CLOSED_DOORS have home advantage ``closed``
    and the others ``crowd`` (two simulations of the same clubs, each kept on its side of the period)."""
    rng = np.random.default_rng(seed)
    attack, defence = rng.normal(0, 0.2, 16), rng.normal(0, 0.2, 16)
    frames = [simulate_league(rng, attack, defence, home_advantage=ha, seasons=4, start="2017-08-01")
              for ha in (crowd, closed)]
    first, last = (pd.Timestamp(day) for day in CLOSED_DOORS)
    inside = [(f["date"] >= first) & (f["date"] <= last) for f in frames]
    return pd.concat([frames[0][~inside[0]], frames[1][inside[1]]]).sort_values("date", kind="stable")


def _home_advantage_se(frame: pd.DataFrame) -> float:
    """Standard error of a log home/away goal ratio estimated from ``frame``'s goals (Poisson counts)."""
    return float(np.sqrt(1.0 / frame["home_goals"].sum() + 1.0 / frame["away_goals"].sum()))


def test_matches_without_crowds_get_their_own_home_advantage():
    frame = _crowd_and_closed(31, crowd=0.35, closed=0.0)
    first, last = (pd.Timestamp(day) for day in CLOSED_DOORS)
    inside = (frame["date"] >= first) & (frame["date"] <= last)
    model = DixonColes(xi=0.0).fit(frame)
    plain = DixonColes(xi=0.0, closed_doors=None).fit(frame)
    crowd_se, closed_se = _home_advantage_se(frame[~inside]), _home_advantage_se(frame[inside])
    assert model.closed_doors_matches_ == int(inside.sum())
    assert model.home_advantage_by_competition_["X1"] == pytest.approx(0.35, abs=3.5 * crowd_se)
    assert model.closed_doors_home_advantage_ == pytest.approx(0.0, abs=3.5 * closed_se)
    # one home advantage for both regimes lands in between: about the match-weighted mean of the two
    share = float(inside.mean())
    mixed = (1 - share) * model.home_advantage_by_competition_["X1"] + share * model.closed_doors_home_advantage_
    assert plain.home_advantage_by_competition_["X1"] == pytest.approx(mixed, abs=crowd_se)
    assert plain.home_advantage_by_competition_["X1"] < model.home_advantage_by_competition_["X1"] - crowd_se
    assert np.isnan(plain.closed_doors_home_advantage_)
    # forecasts use the crowd value; "closed doors" asks for the other one
    eta_crowd = model.log_rates("team-00", "team-01", competition="X1")[0]
    eta_closed = model.log_rates("team-00", "team-01", competition=CLOSED_DOORS_LABEL)[0]
    eta_neutral = model.log_rates("team-00", "team-01", neutral=True)[0]
    assert eta_crowd - eta_neutral == pytest.approx(model.home_advantage_by_competition_["X1"])
    assert eta_closed - eta_neutral == pytest.approx(model.closed_doors_home_advantage_)


def test_a_competition_played_only_without_crowds_keeps_its_own_home_advantage():
    rng = np.random.default_rng(5)
    league = _crowd_and_closed(6, crowd=0.3, closed=0.05)
    teams = np.array([f"team-{k:02d}" for k in range(16)], dtype=object)
    n = 60
    i, j = rng.integers(0, 8, n), rng.integers(8, 16, n)
    cup = pd.DataFrame({"date": pd.Timestamp("2020-09-01") + pd.to_timedelta(rng.integers(0, 200, n), unit="D"),
                        "competition": "CUP", "season": "sim", "home": teams[i], "away": teams[j],
                        "home_goals": rng.poisson(1.5, n), "away_goals": rng.poisson(1.1, n), "neutral": False})
    model = DixonColes(xi=0.0).fit(pd.concat([league, cup]).sort_values("date", kind="stable"))
    first, last = (pd.Timestamp(day) for day in CLOSED_DOORS)
    league_inside = int(((league["date"] >= first) & (league["date"] <= last)).sum())
    assert model.closed_doors_matches_ == league_inside  # the cup's matches stay in its own slot
    assert np.isfinite(model.home_advantage_by_competition_["CUP"])
    assert model.converged_


@pytest.mark.parametrize("period", [("2021-01-01", "2020-01-01"), ("not a day", "2020-01-01"), ("2020-01-01",)])
def test_closed_doors_must_be_a_period(period):
    frame = _crowd_and_closed(2, crowd=0.3, closed=0.0)
    with pytest.raises(ValueError, match="closed_doors"):
        DixonColes(closed_doors=period).fit(frame)


# ------------------------------------------------------------------------------------------------ second legs


def test_second_legs_rho_is_recovered_and_used_only_for_second_legs():
    """League matches drawn with rho -0.05, 'second legs' between the same clubs with rho +0.25 (fewer draws)."""
    rng = np.random.default_rng(12)
    attack, defence = rng.normal(0, 0.2, 20), rng.normal(0, 0.2, 20)
    dc = DixonColesScores()
    league = simulate_league(rng, attack, defence, distribution=dc, extra=np.array([-0.05]), seasons=3,
                             start="2015-08-01")
    legs = simulate_league(rng, attack, defence, distribution=dc, extra=np.array([0.25]), seasons=3,
                           start="2015-08-01", competition="CUP").assign(leg=2)
    frame = pd.concat([league.assign(leg=np.nan), legs]).sort_values("date", kind="stable")
    model = DixonColes(xi=0.0, second_leg_rho=True).fit(frame)
    assert model.second_leg_weight_ == pytest.approx(len(legs))
    assert model.second_leg_rho_ == pytest.approx(0.25, abs=3.5 * model.second_leg_rho_sd_)
    assert model.rho_ < model.second_leg_rho_ - 2 * model.second_leg_rho_sd_
    # the standard error follows from the count: about 1 / sqrt(0.5 n) for n second legs
    assert 0.5 / np.sqrt(len(legs)) < model.second_leg_rho_sd_ < 3.0 / np.sqrt(len(legs))
    first = model.predict_many(["team-00", "team-03"], ["team-01", "team-04"], competition="CUP")
    second = model.predict_many(["team-00", "team-03"], ["team-01", "team-04"], competition="CUP",
                                second_leg=[True, False])
    np.testing.assert_allclose(second.probabilities.sum(axis=(1, 2)), 1.0)
    assert second.outcomes()[0, 1] < first.outcomes()[0, 1]  # rho > league rho: fewer draws
    np.testing.assert_allclose(second.outcomes()[1], first.outcomes()[1])  # only the flagged fixture changes
    np.testing.assert_allclose(second.home_expected_goals, first.home_expected_goals)  # tau keeps the means
    off = DixonColes(xi=0.0).fit(frame)  # default: one rho for every match
    assert np.isnan(off.second_leg_rho_)
    np.testing.assert_allclose(off.predict_many(["team-00"], ["team-01"], second_leg=True).probabilities,
                               off.predict_many(["team-00"], ["team-01"]).probabilities)
