"""Store-backed questions in matchday.workflows that the command line and the web layer share: a tie's exact
odds, the chances through a season, the market of a stored match, and backtests read back from the log.
(The rotation and calendar entry points are tested with the decide layer.)"""

from __future__ import annotations

import datetime as dt
import shutil

import numpy as np
import pandas as pd
import pytest

from matchday import workflows
from matchday.rules.knockout import MODERN_RULES, tie_rules
from matchday.simulate.tie_play import KnockoutParams
from synthetic import simulate_league


# ------------------------------------------------------------------------------------------------ ties
@pytest.fixture(scope="module")
def fitted_poisson():
    from matchday.models import MODELS

    rng = np.random.default_rng(5)
    attack = np.array([0.5, 0.0, 0.0, -0.3, -0.2, 0.1])
    defence = np.array([0.4, 0.0, 0.0, -0.2, -0.1, 0.0])
    frame = simulate_league(rng, attack, defence, seasons=4, competition="E0")
    return MODELS["poisson"]().fit(frame)


def test_tie_odds_add_up_and_follow_the_first_leg(fitted_poisson):
    params = KnockoutParams(rules=MODERN_RULES)
    level = workflows.tie_odds(fitted_poisson, "team-00", "team-03", competition="E0", params=params)
    assert level.p_advance.sum() == pytest.approx(1.0) and level.p_method.sum() == pytest.approx(1.0)
    assert level.p_advance[0] > 0.5  # the strongest side against a weak one
    ahead = workflows.tie_odds(fitted_poisson, "team-03", "team-00", competition="E0", params=params,
                               first_leg_score=(3, 0))
    behind = workflows.tie_odds(fitted_poisson, "team-03", "team-00", competition="E0", params=params,
                                first_leg_score=(0, 3))
    assert behind.p_advance[0] < 1 - level.p_advance[0] < ahead.p_advance[0]
    assert level.teams == ("team-00", "team-03")
    named = workflows.tie_odds(fitted_poisson, "team-00", "team-03", competition="E0", params=params,
                               teams=("Strong", "Weak"))
    assert named.teams == ("Strong", "Weak") and np.array_equal(named.p_advance, level.p_advance)


def test_tie_odds_are_exact_against_monte_carlo(fitted_poisson):
    """The exact enumeration agrees with the independent Monte Carlo tie player within its error."""
    from matchday.simulate.ties import simulate_single_match_tie, simulate_two_legged_tie

    params = KnockoutParams(rules=tie_rules("2018-19", "UCL"))  # away goals count
    exact = workflows.tie_odds(fitted_poisson, "team-01", "team-04", competition="E0", params=params,
                               first_leg_score=(1, 2))
    leg1 = fitted_poisson.predict("team-01", "team-04", competition="E0")
    leg2 = fitted_poisson.predict("team-04", "team-01", competition="E0")
    mc = simulate_two_legged_tie(leg1, leg2, first_leg_score=(1, 2), params=params, n=200_000, seed=3)
    assert abs(exact.p_advance[0] - mc.p_advance[0]) < 4 * mc.se[0]
    final = workflows.tie_odds(fitted_poisson, "team-01", "team-04", competition="E0", params=params, final=True)
    grid = fitted_poisson.predict("team-01", "team-04", neutral=True, competition="E0")
    mc_final = simulate_single_match_tie(grid, params=params, n=200_000, seed=4)
    assert abs(final.p_advance[0] - mc_final.p_advance[0]) < 4 * mc_final.se[0]


def test_a_final_between_equals_is_a_coin_flip(fitted_poisson):
    """A side against itself on neutral ground: 90 minutes, extra time and the shoot-out (first kicker by coin
    toss) are symmetric, so each goes through exactly half the time."""
    same = workflows.tie_odds(fitted_poisson, "team-01", "team-01", competition="E0",
                              params=KnockoutParams(rules=MODERN_RULES), final=True)
    assert same.p_advance == pytest.approx([0.5, 0.5], abs=1e-12)


def test_no_bracket_from_the_knockout_play_offs_of_a_league_phase_season():
    with pytest.raises(workflows.MatchdayError, match="not simulated here yet"):
        workflows.refuse_bracket_before_round_of_16("UCL", "2024-25", "Knockout play-off", dt.date(2025, 2, 1))
    workflows.refuse_bracket_before_round_of_16("UCL", "2024-25", "Round of 16", dt.date(2025, 3, 1))
    workflows.refuse_bracket_before_round_of_16("UCL", "2023-24", "Knockout play-off", dt.date(2024, 2, 1))
    from matchday import cli

    assert cli._refuse_bracket_before_round_of_16 is workflows.refuse_bracket_before_round_of_16  # one rule


# ------------------------------------------------------------------------------------------------ matchdays
def test_matchday_checkpoints():
    # 4 clubs: 2 matches a matchday; matches on consecutive days, one day without
    dates = pd.to_datetime(["2023-08-12", "2023-08-12", "2023-08-19", "2023-08-20", "2023-08-26"])
    played = pd.DataFrame({"date": dates})
    points = workflows.matchday_dates(played, 4, dt.date(2023, 8, 27))
    assert points == [(0, dt.date(2023, 8, 11)), (1, dt.date(2023, 8, 12)), (2, dt.date(2023, 8, 20)),
                      (2.5, dt.date(2023, 8, 27))]
    assert workflows.matchday_dates(played.iloc[:0], 4, dt.date(2023, 8, 27)) == []
    # nothing after the as-of date counts
    assert workflows.matchday_dates(played, 4, dt.date(2023, 8, 19))[-1] == (1.5, dt.date(2023, 8, 19))


def test_real_season_has_one_point_per_matchday(synced_db):
    from matchday.data.store import Store

    with Store(synced_db, read_only=True) as store:
        played = store.matches(["E0"], ["2023-24"], played=True)
    points = workflows.matchday_dates(played, 20, dt.date(2024, 6, 30))
    assert [p[0] for p in points] == list(range(39))  # pre-season and 38 matchdays
    assert points[-1][1] == dt.date(2024, 5, 19)  # the last day of the season
    assert all(a[1] < b[1] for a, b in zip(points, points[1:], strict=False))


def test_chances_by_matchday(synced_db):
    from matchday.data.store import Store
    from matchday.models.training import fit_model

    fitted_on = []

    def fit(day):
        fitted_on.append(day)
        return fit_model("elo", store, day)

    as_of = dt.date(2023, 8, 20)
    with Store(synced_db, read_only=True) as store:
        frame, skipped = workflows.chances_by_matchday(store, "E0", "2023-24", as_of, fit=fit, n_sims=400, seed=3)
        played = store.matches(["E0"], ["2023-24"], played=True, until=as_of)
    checkpoints = workflows.matchday_dates(played, 20, as_of)
    assert fitted_on == [d for _, d in checkpoints] and skipped == []
    assert sorted(set(frame["matchday"])) == [k for k, _ in checkpoints]
    assert checkpoints[0][0] == 0 and len(checkpoints) >= 3 and checkpoints[-1][1] <= as_of
    for _, point in frame.groupby("matchday"):
        assert len(point) == 20
        assert point["p_title"].sum() == pytest.approx(1.0)
        assert point["p_top4"].sum() == pytest.approx(4.0) and point["p_relegation"].sum() == pytest.approx(3.0)


# ------------------------------------------------------------------------------------------------ the market
def test_two_way_market_removes_the_margin_per_book():
    odds = pd.DataFrame({
        "match_id": "m", "market": ["ou"] * 7 + ["ah"] * 2 + ["1x2"],
        "bookmaker": ["B365", "B365", "Avg", "Avg", "Max", "Max", "P", "B365", "B365", "B365"],
        "selection": ["over", "under", "over", "under", "over", "under", "over", "home", "away", "home"],
        "line": [2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, -0.5, -0.5, None],
        "closing": [False, False, True, True, False, False, False, False, False, False],
        "price": [1.8, 2.1, 1.9, 1.95, 2.2, 2.3, 1.7, 2.0, 1.85, 1.5],
    })
    totals = workflows.two_way_market(odds, "ou")
    # Max is no book; P quotes only one side (no book to de-margin)
    assert sorted(zip(totals["bookmaker"], totals["closing"], strict=True)) == [("Avg", True), ("B365", False)]
    assert (totals["p_over"] + totals["p_under"]).to_numpy() == pytest.approx(1.0)
    # multiplicative: the probabilities keep the ratio of the inverse prices
    ratio = (1 / totals["price_over"]) / (1 / totals["price_under"])
    assert (totals["p_over"] / totals["p_under"]).to_numpy() == pytest.approx(ratio.to_numpy())
    handicap = workflows.two_way_market(odds, "ah")
    assert list(handicap.columns[-2:]) == ["p_home", "p_away"] and handicap["line"].tolist() == [-0.5]
    assert workflows.two_way_market(odds.iloc[:0], "ou").empty
    with pytest.raises(ValueError, match="market must be one of"):
        workflows.two_way_market(odds, "1x2")


def test_stored_market_of_a_real_match(synced_db):
    from matchday.data.store import Store

    with Store(synced_db, read_only=True) as store:
        match = store.matches(["E0"], ["2023-24"]).iloc[-1]
        market = workflows.stored_market(store, match["match_id"])
    one_x_two = market["one_x_two"]
    assert set(one_x_two["kind"]) == {"pre", "closing"}
    assert (one_x_two[["p_home", "p_draw", "p_away"]].sum(axis=1)).to_numpy() == pytest.approx(1.0)
    assert len(market["totals"]) and len(market["asian_handicap"])
    assert ((market["totals"]["p_over"] > 0) & (market["totals"]["p_over"] < 1)).all()


# ------------------------------------------------------------------------------------------------ backtests
def test_a_backtest_reads_back_from_the_log_as_it_was_run(synced_db, tmp_path):
    from matchday.data.store import Store
    from matchday.evaluate.backtest import save_backtest, walk_forward_many
    from matchday.models import MODELS

    path = tmp_path / "log.duckdb"
    shutil.copy(synced_db, path)
    with Store(path) as store:
        assert workflows.backtest_runs(store).empty
        matches = store.matches(["E0"], ["2022-23", "2023-24"], played=True)
        odds = store.odds(matches["match_id"].tolist(), market="1x2")
        result = walk_forward_many({"elo": MODELS["elo"]}, matches, competitions=["E0"], seasons=["2023-24"],
                                   start=dt.date(2024, 4, 1), history_seasons=1, odds=odds)
        save_backtest(store, result, "run-a")
        runs = workflows.backtest_runs(store)
        loaded = workflows.backtest_from_store(store, "run-a")
        with pytest.raises(workflows.MatchdayError, match="no backtest run 'run-b'.*runs: run-a"):
            workflows.backtest_from_store(store, "run-b")
    assert runs["run_id"].tolist() == ["run-a"] and runs["forecasts"].iloc[0] == len(result.forecasts)
    assert set(runs["models"].iloc[0]) == set(result.models)
    assert loaded.models == result.models
    pd.testing.assert_frame_equal(loaded.summary(), result.summary(), check_dtype=False)
    pd.testing.assert_frame_equal(loaded.report(), result.report(), check_dtype=False)
    pd.testing.assert_frame_equal(loaded.calibration("elo"), result.calibration("elo"), check_dtype=False)
