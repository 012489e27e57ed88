"""The tie model against real history (champs.csv 1955-2016, Football.TXT 2019-20 to 2023-24)."""

from __future__ import annotations

import numpy as np
import pytest

from matchday.evaluate.ties import (
    StrengthPrior,
    era_rates,
    extra_time_matches,
    fit_strength_prior,
    load_history,
    predict_ties,
    tie_history_report,
    wilson_interval,
)
from matchday.simulate.extra_time import DEFAULT_ET_FACTOR, estimate_extra_time_factor


@pytest.fixture(scope="module")
def history(shared_data):
    return load_history(shared_data)


@pytest.fixture(scope="module")
def report(history, tmp_path_factory):
    path = tmp_path_factory.mktemp("docs") / "validation.md"
    calibration, text = tie_history_report(history, output=path)
    return calibration, text, path


def test_home_zero_three_losers_rarely_go_through_and_the_model_agrees(history):
    ties = history.champs_ties
    situation = ((ties["a1"] == 0) & (ties["b1"] == 3)).to_numpy()
    count, comebacks = int(situation.sum()), int(ties.loc[situation, "a_through"].sum())
    assert count >= 30 and comebacks / count < 0.05
    low, high = wilson_interval(np.array([comebacks]), np.array([count]))
    # The model's chance for these ties (prior fitted on the other ties' scores only).
    rates = era_rates(history.champs_matches)
    keyed = ties[["competition", "start_year"]].merge(rates, how="left", on=["competition", "start_year"])
    home, away = keyed["home_rate"].to_numpy(), keyed["away_rate"].to_numpy()
    prior = fit_strength_prior(ties[~situation], home[~situation], away[~situation])
    p = predict_ties(ties[situation], rates, prior)
    assert np.all(p > 1e-4)  # no miracle is ruled out ...
    assert p.mean() < high[0]  # ... nor promised: within the historical share's 95% interval
    assert np.prod(1 - p) > 0.05  # the observed count is not surprising under the model
    # The first leg also says who is stronger: that lowers the chance below the equal-teams figure.
    equal = predict_ties(ties[situation], rates, StrengthPrior(0.0, 0.0))
    assert p.mean() < equal.mean()


def test_calibration_table(report):
    calibration, text, path = report
    assert path.read_text(encoding="utf-8") == text
    assert "# Validation: two-legged ties against history" in text and "Brier" in text
    for (source, _), rows in calibration.groupby(["source", "loser_venue"]):
        ordered = rows.set_index("margin").loc[["1", "2", "3+"]]
        assert np.all(np.diff(ordered["predicted"]) < 0)  # bigger deficits, fewer comebacks
        if source == "engsoccerdata":  # hundreds of ties per cell (Football.TXT: a few dozen)
            assert np.all(np.diff(ordered["observed"]) < 0)
    big = calibration[calibration["ties"] >= 100]
    assert len(big) >= 5
    assert np.all(np.abs(big["z"]) < 3.5)  # no gross miscalibration where there are data
    assert np.all((big["predicted"] > big["low"] - 0.06) & (big["predicted"] < big["high"] + 0.06))


def test_model_beats_the_base_rate_and_keeps_long_shots_alive(report):
    calibration, text, _ = report
    brier = calibration.attrs["brier"].set_index("source")
    assert np.all(brier["brier_model"] < brier["brier_base_rate"])
    assert brier.loc["all", "brier_model"] < brier.loc["all", "brier_equal_teams"]
    ties = calibration.attrs["ties"]
    assert ties["p_model"].between(0.0, 1.0).all()
    # Every deficit up to six goals keeps a chance (beyond, e.g. KR Reykjavik 2-12 Feyenoord in
    # 1969-70, the censored 10-goal score grid leaves exactly none).
    assert (ties.loc[ties["first_leg_margin"] <= 6, "p_model"] > 0).all()
    liverpool = ties[(ties["team_a"] == "Liverpool FC") & (ties["team_b"] == "Atalanta")]
    assert len(liverpool) == 1
    assert 0.001 < float(liverpool["p_model"].iloc[0]) < 0.05  # "barely a prayer", not none
    assert "| all |" in text


def test_extra_time_factor_estimate(history):
    estimate = estimate_extra_time_factor(extra_time_matches(history))
    assert estimate.n_matches >= 150  # 128 in champs.csv plus the Football.TXT ones
    assert 0.5 < estimate.factor < 1.0 and estimate.factor + 2 * estimate.se < 1.0
    assert estimate.se < 0.15
    # The simulator's documented default is this estimate.
    assert abs(DEFAULT_ET_FACTOR - estimate.factor) <= estimate.se
    assert set(estimate.by_group["source"]) == {"engsoccerdata", "football-txt"}


def test_football_txt_ties_follow_the_rules(history):
    ties = history.txt_ties
    assert len(ties) > 200
    marseille = ties[(ties["team_a"] == "SL Benfica") & (ties["team_b"] == "Olympique Marseille")]
    row = marseille.iloc[0]
    # 2023-24 EL QF: Benfica 2-1 Marseille; Marseille 1-0 Benfica a.e.t., 4-2 on penalties.
    assert (row["a1"], row["b1"], row["b2"], row["a2"]) == (2, 1, 1, 0)
    assert row["decided_by"] == "penalties" and not row["a_through"]
    # 2020-21 still had away goals, 2021-22 no longer.
    methods = ties.groupby(ties["season"])["decided_by"].agg(set)
    assert "away_goals" in methods["2020-21"] and "away_goals" not in methods["2022-23"]
