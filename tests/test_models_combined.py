"""The combined model, the score-driven filter and the statistic ratings on frames built for the purpose:
what the evidence is, how the weights turn it into rates, the cross-league scale, and how the model falls
back to the goal model when statistics are missing (no statistics, some leagues only, a club with none)."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from matchday.data.errors import DataError
from matchday.models import CombinedModel, DixonColes, ScoreDriven, WithMarket
from matchday.models.combined import (
    COMPONENTS,
    MARKET_COLUMNS,
    Evidence,
    attach_closing_market,
    closing_market,
    combine,
    implied_goals,
    learn_weights,
)
from matchday.models.distributions import poisson_pmf
from matchday.models.score_driven import league_competitions
from matchday.models.statistics import StatisticRatings
from synthetic import simulate_league, two_leagues, with_market, with_shots

AS_OF = pd.Timestamp("2011-09-30")
WEIGHTS = {"home": 0.02, "away": 0.03, "goals": 0.5, "shots_on_target": 0.15, "shots": 0.1, "corners": 0.1,
           "score_driven": 0.3}
GOALS_ONLY = {"home": 0.0, "away": 0.0, "goals": 1.0, "shots_on_target": 0.0, "shots": 0.0, "corners": 0.0,
              "score_driven": 0.0}
STATS = ["home_shots", "away_shots", "home_shots_on_target", "away_shots_on_target", "home_corners", "away_corners"]


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return with_market(with_shots(np.random.default_rng(7), two_leagues(np.random.default_rng(70))))


def pairs(teams_a, teams_b):
    home, away = np.meshgrid(np.asarray(teams_a, dtype=object), np.asarray(teams_b, dtype=object), indexing="ij")
    return home.ravel(), away.ravel()


L1 = [f"a-{i:02d}" for i in range(8)]
L2 = [f"b-{i:02d}" for i in range(8)]


def test_goal_model_weights_give_the_goal_model_exactly(frame):
    combined = CombinedModel(weights=GOALS_ONLY).fit(frame, as_of=AS_OF)
    goal = DixonColes().fit(frame, as_of=AS_OF)
    home, away = pairs(L1 + L2, L2 + L1)
    keep = home != away
    home, away = home[keep], away[keep]
    for neutral, competition in ((False, None), (True, "CUP"), (False, "CUP")):
        ours = combined.predict_many(home, away, neutral, competition)
        theirs = goal.predict_many(home, away, neutral, competition)
        np.testing.assert_allclose(ours.probabilities, theirs.probabilities, rtol=1e-12, atol=1e-15)
    assert combined.extra_["rho"] == goal.rho_
    columns = ["team", "competition", "attack", "defence", "goals_for", "goals_against", "strength"]
    pd.testing.assert_frame_equal(combined.ratings()[columns], goal.ratings()[columns], rtol=1e-12)


def test_evidence_is_league_relative_and_keeps_the_cross_league_gap(frame):
    """Within a league the contrasts average to zero over its clubs, so across every pairing of an L1 and an
    L2 club at a neutral venue the combined log-rates average exactly the goal model's: the weights re-weigh
    what a club shows against its own league and never shrink the gap between the leagues."""
    weights = {**WEIGHTS, "home": 0.0, "away": 0.0}
    model = CombinedModel(weights=weights).fit(frame, as_of=AS_OF)
    home, away = pairs(L1, L2)
    evidence = model.evidence(home, away, neutral=True, competition="CUP")
    assert evidence.complete.all()
    np.testing.assert_allclose(evidence.x_home.mean(axis=0), 0.0, atol=1e-12)
    log_h, log_a = combine(evidence, weights)
    np.testing.assert_allclose(log_h.mean(), evidence.eta_home.mean(), atol=1e-12)
    np.testing.assert_allclose(log_a.mean(), evidence.eta_away.mean(), atol=1e-12)
    # and the combined ratings keep the goal model's league levels (mean strength per league)
    ours = model.ratings().groupby("competition")["attack"].mean()
    goal = model.goal_model_.ratings().set_index("team").loc[L1 + L2]
    theirs = goal.assign(league=["L1"] * 8 + ["L2"] * 8).groupby("league")["attack"].mean()
    np.testing.assert_allclose(ours.loc[["L1", "L2"]].to_numpy(), theirs.loc[["L1", "L2"]].to_numpy(), atol=1e-12)


def test_the_weights_move_the_rates_the_way_the_evidence_points(frame):
    model = CombinedModel(weights={**GOALS_ONLY, "shots_on_target": 0.5}).fit(frame, as_of=AS_OF)
    home, away = pairs(L1, L1)
    keep = home != away
    evidence = model.evidence(home[keep], away[keep], competition="L1")
    log_h, _ = combine(evidence, model.weights_)
    column = evidence.components.index("shots_on_target")
    np.testing.assert_allclose(log_h - evidence.eta_home, 0.5 * evidence.x_home[:, column], atol=1e-12)
    rates_h, _ = model.rates(home[keep], away[keep], competition="L1")
    np.testing.assert_allclose(np.log(rates_h), log_h, atol=1e-12)


def test_no_statistics_at_all_degrades_to_the_goal_model_loudly(frame, caplog):
    bare = frame.drop(columns=STATS)
    with caplog.at_level(logging.WARNING, logger="matchday.models.combined"):
        model = CombinedModel(weights=WEIGHTS).fit(bare, as_of=AS_OF)
    assert any("shots_on_target" in note and "goal model" in note for note in model.notes_)
    assert any("shots_on_target" in record.getMessage() for record in caplog.records)
    assert not model.coverage_["combined"].any()
    goal = DixonColes().fit(bare, as_of=AS_OF)
    home, away = pairs(L1 + L2, L2 + L1)
    keep = home != away
    np.testing.assert_allclose(model.predict_many(home[keep], away[keep]).probabilities,
                               goal.predict_many(home[keep], away[keep]).probabilities, rtol=1e-12, atol=1e-15)
    assert model.goal_model_only(home[keep], away[keep]).all()
    assert (model.ratings()["evidence"] == "goals only").all()


def test_a_league_without_statistics_falls_back_there_only(frame):
    partial = frame.copy()
    partial.loc[partial["competition"] == "L2", STATS] = np.nan
    model = CombinedModel(weights=WEIGHTS).fit(partial, as_of=AS_OF)
    goal = DixonColes().fit(partial, as_of=AS_OF)
    assert any("L2 (8)" in note for note in model.notes_)
    covered = model.coverage_.set_index("team")["combined"]
    assert covered.loc[L1].all() and not covered.loc[L2].any()
    home, away = pairs(L1 + L2, L1 + L2)
    keep = home != away
    home, away = home[keep], away[keep]
    fallback = model.goal_model_only(home, away)
    assert np.array_equal(fallback, np.isin(home, L2) | np.isin(away, L2))
    ours, theirs = model.predict_many(home, away).probabilities, goal.predict_many(home, away).probabilities
    np.testing.assert_allclose(ours[fallback], theirs[fallback], rtol=1e-12, atol=1e-15)
    assert np.abs(ours[~fallback] - theirs[~fallback]).max() > 1e-3  # the evidence is used where it exists


def test_a_club_with_statistics_in_no_match_uses_the_goal_model(frame):
    partial = frame.copy()
    club = "a-03"
    partial.loc[(partial["home"] == club) | (partial["away"] == club), STATS] = np.nan
    model = CombinedModel(weights=WEIGHTS).fit(partial, as_of=AS_OF)
    row = model.coverage_.set_index("team").loc[club]
    assert row["score_driven"] and not row["shots_on_target"] and not row["combined"]
    others = [t for t in L1 if t != club]
    assert model.goal_model_only([club] * 7, others).all()
    assert not model.goal_model_only(others[:-1], others[1:]).any()
    assert any("shots_on_target, shots, corners: 1 clubs lack them (L1 (1))" in note for note in model.notes_)
    ratings = model.ratings().set_index("team")
    assert ratings.loc[club, "evidence"] == "goals only" and ratings.loc[others, "evidence"].eq("combined").all()


def test_clubs_seen_only_in_cup_matches_are_rated_by_the_goal_model(frame):
    cup = pd.DataFrame({"date": pd.Timestamp("2011-05-01") + pd.to_timedelta(np.arange(6) * 7, unit="D"),
                        "competition": "CUP", "season": "sim", "home": ["x-00", "a-01", "x-00", "b-02", "x-00", "a-04"],
                        "away": ["a-01", "x-00", "b-02", "x-00", "a-04", "x-00"], "home_goals": [1, 2, 0, 1, 1, 3],
                        "away_goals": [1, 0, 2, 1, 2, 0], "neutral": False})
    model = CombinedModel(weights=WEIGHTS).fit(pd.concat([frame, cup], ignore_index=True), as_of=AS_OF)
    assert "x-00" in model.teams_
    assert pd.isna(model.coverage_.set_index("team").loc["x-00", "league"])
    assert model.goal_model_only(["x-00"], ["a-01"], competition="CUP").all()
    assert any("no league match" in note for note in model.notes_)


def test_learn_weights_recovers_the_weights_that_made_the_goals():
    rng = np.random.default_rng(3)
    n = 30_000
    components = COMPONENTS
    truth = {"home": 0.05, "away": -0.03, "goals": 0.6, "shots_on_target": 0.2, "shots": 0.1, "corners": 0.15,
             "score_driven": 0.3}
    x_home, x_away = rng.normal(0, 0.25, (n, 5)), rng.normal(0, 0.25, (n, 5))
    evidence = Evidence(components, rng.normal(0.3, 0.1, n), rng.normal(0.05, 0.1, n), x_home, x_away,
                        np.zeros(n, dtype=bool))
    log_h, log_a = combine(evidence, truth)
    learned = learn_weights(evidence, rng.poisson(np.exp(log_h)).astype(float), rng.poisson(np.exp(log_a)).astype(float),
                            ridge=1.0)
    for name, value in truth.items():
        assert abs(learned[name] - value) < 0.05, (name, learned[name], value)
    # no forecast to learn from: the goal model's weights
    empty = learn_weights(evidence.take(np.arange(0)), np.zeros(0), np.zeros(0))
    assert empty == {"home": 0.0, "away": 0.0, "goals": 1.0, "shots_on_target": 0.0, "shots": 0.0, "corners": 0.0,
                     "score_driven": 0.0}


def test_implied_goals_invert_the_1x2_of_two_poisson_means():
    lam = np.array([[1.6, 1.1], [0.7, 2.4], [2.9, 0.4], [1.2, 1.2]])
    ph = poisson_pmf(lam[:, 0], 10, censored=False)
    pa = poisson_pmf(lam[:, 1], 10, censored=False)
    joint = ph[:, :, None] * pa[:, None, :]
    p = np.stack([np.tril(joint, -1).sum(axis=(1, 2)), np.trace(joint, axis1=1, axis2=2),
                  np.triu(joint, 1).sum(axis=(1, 2))], axis=1)
    home, away = implied_goals(np.vstack([p, [np.nan, 0.3, 0.3]]))  # scores up to 10 goals, as implied_goals
    np.testing.assert_allclose(home[:4], lam[:, 0], rtol=1e-6)
    np.testing.assert_allclose(away[:4], lam[:, 1], rtol=1e-6)
    assert np.isnan(home[4]) and np.isnan(away[4])


def test_closing_market_prefers_pinnacle_and_removes_the_margin():
    rows = []
    for match, books in {"m1": {"PS": (2.0, 3.5, 4.0), "Avg": (1.9, 3.3, 3.8)}, "m2": {"Avg": (1.5, 4.0, 6.5)},
                         "m3": {"PS": (2.0, None, 4.0)}, "m4": {"B365": (2.1, 3.4, 3.6)}}.items():
        for book, prices in books.items():
            for selection, price in zip(("home", "draw", "away"), prices, strict=True):
                rows.append({"match_id": match, "bookmaker": book, "market": "1x2", "selection": selection,
                             "line": None, "closing": True, "price": price})
    rows.append({"match_id": "m1", "bookmaker": "PS", "market": "1x2", "selection": "home", "line": None,
                 "closing": False, "price": 9.0})  # a pre-match price is not a closing one
    market = closing_market(pd.DataFrame(rows)).set_index("match_id")
    assert list(market.index) == ["m1", "m2"]  # m3 incomplete, m4 not a closing book used
    inverse = 1 / np.array([2.0, 3.5, 4.0])
    np.testing.assert_allclose(market.loc["m1", list(MARKET_COLUMNS)].to_numpy(dtype=float), inverse / inverse.sum())
    np.testing.assert_allclose(market[list(MARKET_COLUMNS)].sum(axis=1), 1.0)
    frame = pd.DataFrame({"match_id": ["m1", "m2", "m3"], "home": ["a", "b", "c"]})
    attached = attach_closing_market(frame, pd.DataFrame(rows))
    assert np.isnan(attached.loc[2, "market_p_home"]) and np.isnan(attached.loc[2, "home_implied_goals"])
    assert attached.loc[0, "home_implied_goals"] > attached.loc[0, "away_implied_goals"]


def test_with_market_needs_past_prices_and_says_so(frame):
    weights = {**WEIGHTS, "past_odds": 0.3}
    model = WithMarket(weights=weights).fit(frame.drop(columns=list(MARKET_COLUMNS)), as_of=AS_OF)
    assert any(note.startswith("past_odds: no closing prices") for note in model.notes_)
    assert not model.coverage_["combined"].any()
    priced = WithMarket(weights=weights).fit(frame, as_of=AS_OF)
    assert priced.coverage_.set_index("team").loc[L1 + L2, "combined"].all()


def test_unknown_component_sets_need_weights():
    with pytest.raises(ValueError, match="no shipped weights"):
        CombinedModel(components=("goals", "corners")).fit(pd.DataFrame(), as_of=AS_OF)
    with pytest.raises(ValueError, match="including 'goals'"):
        CombinedModel(components=("corners",), weights={"home": 0, "away": 0, "corners": 1}).fit(pd.DataFrame())
    with pytest.raises(ValueError, match="weights lack"):
        CombinedModel(weights={"home": 0.0}).fit(pd.DataFrame())


# ------------------------------------------------------------------------------------ score-driven filter


def test_league_competitions_from_the_catalogue_and_from_the_data(frame):
    assert league_competitions(np.array(["E0", "UCL", "E1"], dtype=object), np.array(["x", "y", "z"], dtype=object),
                               np.array(["y", "z", "x"], dtype=object)) == {"E0", "E1"}
    played = frame[frame["date"] <= AS_OF]
    found = league_competitions(played["competition"].to_numpy(dtype=object), played["home"].to_numpy(dtype=object),
                                played["away"].to_numpy(dtype=object))
    assert found == {"L1", "L2"}  # the cup is nobody's main competition


def test_score_driven_warm_start_equals_a_full_replay(frame):
    days = pd.date_range("2011-03-01", "2011-09-30", freq="14D")
    warm = ScoreDriven(warm_start=True)
    for day in days:
        warm.fit(frame, as_of=day)
    cold = ScoreDriven().fit(frame, as_of=days[-1])
    pd.testing.assert_series_equal(warm.attack_, cold.attack_, atol=1e-12, rtol=0)
    pd.testing.assert_series_equal(warm.defence_, cold.defence_, atol=1e-12, rtol=0)
    pd.testing.assert_frame_equal(warm.levels_, cold.levels_, atol=1e-12, rtol=0)
    assert warm.n_filtered_ == cold.n_filtered_ and cold.skipped_.to_dict() == {"CUP": 24}


def test_score_driven_follows_a_club_whose_form_changes():
    rng = np.random.default_rng(5)
    first = simulate_league(rng, np.zeros(10), np.zeros(10), seasons=2, competition="X1", prefix="t")
    strong = np.zeros(10)
    strong[0] = 0.6
    second = simulate_league(rng, strong, np.zeros(10), seasons=2, start="2012-08-01", competition="X1", prefix="t")
    frame = pd.concat([first, second], ignore_index=True)
    before = ScoreDriven().fit(frame, as_of="2012-07-31").attack_["t-00"]
    after = ScoreDriven().fit(frame).attack_["t-00"]
    assert after - before > 0.25  # it moved most of the way to the new strength (0.6)
    static = DixonColes(xi=0).fit(frame).attack_  # a static fit averages the two halves
    assert after > static["t-00"] - static.mean()


def test_score_driven_carries_a_promoted_clubs_form_with_an_offset():
    dates = pd.to_datetime(["2020-08-01", "2020-08-08", "2021-08-01", "2021-08-08"])
    frame = pd.DataFrame({"date": dates, "competition": ["E1", "E1", "E0", "E0"], "season": "x",
                          "home": ["up", "z1", "up", "z3"], "away": ["z1", "up", "z2", "up"],
                          "home_goals": [4, 0, 1, 1], "away_goals": [0, 3, 1, 1], "neutral": False})
    model = ScoreDriven()
    model.fit(frame, as_of="2020-12-31")
    in_e1 = model.attack_["up"]
    assert in_e1 > 0
    model.fit(frame, as_of="2021-08-01")  # first E0 match: half its E1 state plus the promoted prior, then updated
    state = model._state
    assert model.team_league_["up"] == "E0"
    lam = np.exp(state.level[state.league_index["E0"], 0] + 0.5 * in_e1 - 0.22)  # approximately, before the update
    assert abs(model.attack_["up"] - (0.5 * in_e1 - 0.22 + 0.015 * (1 - lam))) < 0.02


# ------------------------------------------------------------------------------------ statistic ratings


def test_statistic_ratings_skip_matches_without_the_statistic(frame):
    partial = frame.copy()
    partial.loc[partial.index[:40], ["home_corners", "away_corners"]] = np.nan
    model = StatisticRatings("corners").fit(partial, as_of=AS_OF)
    played = int((partial["date"] <= AS_OF).sum())
    assert model.n_matches_ == played - 40 and model.n_without_ == 40
    assert model.counts_.sum() == 2 * (played - 40)
    with pytest.raises(DataError, match="no played match reports fouls"):
        StatisticRatings("fouls").fit(frame, as_of=AS_OF)


def test_a_fit_needs_the_market_exactly_when_past_odds_are_a_component():
    """prepare_fit attaches closing prices when `needs_market`: a combined model configured with past odds
    (a sweep setting, say) needs them as much as with-market does."""
    from matchday.models.combined import COMPONENTS, WITH_MARKET_COMPONENTS

    assert not CombinedModel().needs_market and WithMarket().needs_market
    assert CombinedModel(components=WITH_MARKET_COMPONENTS).needs_market
    assert not WithMarket(components=COMPONENTS).needs_market
