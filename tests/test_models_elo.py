"""ClubElo-style ratings (matchday.models.elo): the update rule by hand, adaptive home advantage,
newcomers, the fitted goal mapping, strict as-of, warm starts, real data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from matchday.models import Elo
from matchday.models.distributions import PoissonScores
from synthetic import simulate_league
from test_models_dixon_coles import read_football_data


def _matches(rows: list[tuple[str, str, str, int, int]], competition: str = "E0") -> pd.DataFrame:
    return pd.DataFrame({
        "date": pd.to_datetime([r[0] for r in rows]), "competition": competition,
        "home": [r[1] for r in rows], "away": [r[2] for r in rows],
        "home_goals": [r[3] for r in rows], "away_goals": [r[4] for r in rows], "neutral": False,
    })


def test_updates_follow_the_clubelo_formulas():
    frame = _matches([("2020-08-01", "a", "b", 2, 0), ("2020-08-08", "b", "c", 1, 1), ("2020-08-15", "c", "a", 0, 3)])
    model = Elo().fit(frame)
    ratings = {"a": 1500.0, "b": 1500.0, "c": 1500.0}
    hfa = 100.0
    for home, away, hg, ag in (("a", "b", 2, 0), ("b", "c", 1, 1), ("c", "a", 0, 3)):
        expected = 1 / (10 ** (-(ratings[home] + hfa - ratings[away]) / 400) + 1)
        result = 1.0 if hg > ag else 0.5 if hg == ag else 0.0
        factor = math.sqrt(abs(hg - ag)) if hg != ag else 1.0
        delta = 20 * factor * (result - expected)
        ratings[home] += delta
        ratings[away] -= delta
        hfa += 0.075 * delta
    for team, value in ratings.items():
        assert model.ratings_[team] == pytest.approx(value, abs=1e-9)
    assert model.home_advantage_["ENG"] == pytest.approx(hfa, abs=1e-9)
    assert model.ratings_.sum() == pytest.approx(4500.0)  # zero sum
    history = model.history_
    assert list(history["home_elo"][:1]) == [1500.0]
    assert history["elo_diff"].iloc[0] == pytest.approx(100.0)


def test_home_advantage_adapts_to_the_data_per_country():
    rng = np.random.default_rng(41)
    attack, defence = rng.normal(0, 0.25, 10), rng.normal(0, 0.25, 10)
    # 0.8 on the log-goal scale is an expected score of about 0.75 for equal sides, ~190 Elo points
    strong = simulate_league(rng, attack, defence, home_advantage=0.8, seasons=8, competition="E0", prefix="e")
    none = simulate_league(rng, attack, defence, home_advantage=0.0, seasons=8, competition="SP1", prefix="s")
    model = Elo().fit(pd.concat([strong, none], ignore_index=True))
    assert model.home_advantage_["ENG"] > 160  # both start at 100
    assert model.home_advantage_["ESP"] < 50
    # neutral venue: no home advantage, and the forecast is the mirror image
    there = model.predict("e-00", "e-01", neutral=True).probabilities[0]
    back = model.predict("e-01", "e-00", neutral=True).probabilities[0]
    np.testing.assert_allclose(there, back.T, atol=1e-15)
    at_home = model.predict("e-00", "e-01")
    assert at_home.home_win[0] > model.predict("e-00", "e-01", neutral=True).home_win[0]


def test_goal_mapping_is_fitted_and_matrices_are_probabilities():
    rng = np.random.default_rng(42)
    attack = np.linspace(-0.5, 0.5, 12)
    frame = simulate_league(rng, attack, attack.copy(), seasons=6, distribution=PoissonScores())
    model = Elo().fit(frame)
    assert model.mapping_converged_
    assert model.goal_slope_ > 0.3  # more Elo, more goals for and fewer against
    ratings = model.ratings()
    truth = pd.Series(2 * attack, index=[f"team-{i:02d}" for i in range(12)])
    # Elo is noisy (K = 20): neighbours may swap, but the order follows the true strengths
    assert ratings.set_index("team")["elo"].corr(truth, method="spearman") > 0.9
    assert ratings["strength"].is_monotonic_decreasing
    mats = model.predict_many(model.teams_[:-1], model.teams_[1:]).probabilities
    assert mats.shape == (11, 11, 11)
    np.testing.assert_allclose(mats.sum(axis=(1, 2)), 1.0, atol=1e-12)
    assert (mats >= 0).all()
    lam_h, lam_a = model.rates(["team-11"], ["team-00"])
    assert lam_h[0] > 2 * lam_a[0]
    # Elo's own expectation and the score matrix agree on who is favourite
    assert model.win_expectancy("team-11", "team-00")[0] > 0.8
    assert model.predict("team-11", "team-00").home_win[0] > 0.6


def test_as_of_day_included_and_warm_start_equals_a_full_run():
    rng = np.random.default_rng(43)
    frame = simulate_league(rng, rng.normal(0, 0.3, 10), rng.normal(0, 0.3, 10), seasons=3)
    as_of = pd.Timestamp("2011-03-01")
    full = Elo().fit(frame, as_of=as_of)
    assert full.n_matches_ == int((frame["date"] <= as_of).sum())
    extra = pd.DataFrame([{"date": as_of + pd.Timedelta(days=1), "competition": "X1", "home": "team-00",
                           "away": "team-01", "home_goals": 7, "away_goals": 0, "neutral": False}])
    same = Elo().fit(pd.concat([frame, extra], ignore_index=True), as_of=as_of)  # the day after: not known
    pd.testing.assert_series_equal(same.ratings_, full.ratings_)
    on_the_day = Elo().fit(pd.concat([frame, extra], ignore_index=True), as_of=extra["date"].iloc[0])
    assert on_the_day.ratings_["team-00"] > full.ratings_["team-00"]
    # walk forward: weekly refits continuing from the previous state give the full run's ratings
    walker = Elo(warm_start=True)
    for day in pd.date_range("2011-01-04", "2011-03-01", freq="7D"):
        walker.fit(frame, as_of=day)
    reference = Elo().fit(frame, as_of=as_of)
    np.testing.assert_allclose(walker.ratings_.to_numpy(), reference.ratings_.to_numpy(), atol=1e-9)
    assert walker.n_matches_ == reference.n_matches_


def test_promoted_club_starts_at_the_level_of_the_weakest_clubs():
    rng = np.random.default_rng(44)
    frame = simulate_league(rng, np.linspace(-0.4, 0.4, 8), np.linspace(-0.4, 0.4, 8), seasons=2)
    first = frame[frame["date"] < "2011-07-01"]
    second = frame[frame["date"] >= "2011-08-01"].copy()
    second = second.replace({"home": {"team-00": "promoted"}, "away": {"team-00": "promoted"}})
    data = pd.concat([first, second], ignore_index=True)
    before = Elo().fit(data, as_of="2011-07-15")
    weakest = np.sort(before.ratings_.to_numpy())[:3].mean()
    model = Elo().fit(data)
    history = model.history_
    debut = history[(history["home"] == "promoted") | (history["away"] == "promoted")].iloc[0]
    start = debut["home_elo"] if debut["home"] == "promoted" else debut["away_elo"]
    assert start == pytest.approx(weakest, abs=1e-9)
    # second tier: clubs founding an E1 competition start 300 lower than E0's founders
    tiers = pd.concat([
        _matches([("2020-08-01", "top-a", "top-b", 1, 0)], "E0"),
        _matches([("2020-08-01", "low-a", "low-b", 1, 0)], "E1"),
    ], ignore_index=True)
    elo = Elo().fit(tiers).history_.set_index("home")
    assert elo.loc["top-a", "home_elo"] - elo.loc["low-a", "home_elo"] == pytest.approx(300.0)


def test_epl_ratings_before_the_title_run_in(shared_data):
    """14 April 2024: Man City 73, Arsenal 71, Liverpool 71 points; Elo's top three are those clubs."""
    seasons = ["1920", "2021", "2122", "2223", "2324"]
    frame = read_football_data(shared_data, "E0", seasons)
    as_of = "2024-04-14"
    model = Elo().fit(frame, as_of=as_of)
    season = frame[(frame["season"] == "2324") & (frame["date"] <= as_of)]
    points = (season.assign(h=np.select([season.home_goals > season.away_goals, season.home_goals ==
                                         season.away_goals], [3, 1], 0))
              .assign(a=lambda f: np.select([f.away_goals > f.home_goals, f.away_goals == f.home_goals], [3, 1], 0)))
    table = (points.groupby("home")["h"].sum() + points.groupby("away")["a"].sum()).sort_values(ascending=False)
    assert list(table.iloc[:3]) == [73, 71, 71]
    top = model.ratings(competition="E0")["team"].iloc[:3]
    assert set(top) == set(table.index[:3]) == {"Man City", "Arsenal", "Liverpool"}
    # relegation-bound Sheffield United are the lowest-rated Premier League side
    assert model.ratings(competition="E0")["team"].iloc[-1] == table.index[-1] == "Sheffield United"
