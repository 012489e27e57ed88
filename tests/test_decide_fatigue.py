"""Fatigue and injury risk: the short-rest estimator (recovery on synthetic data, a real slice), the model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matchday.decide.fatigue import FatigueModel, fit_rest_effect, rest_after_uefa
from synthetic import simulate_fatigue_data


def test_estimator_recovers_a_known_effect():
    data = simulate_fatigue_data(n_teams=20, n_seasons=8, attack=-0.2, conceded=0.15, share_tired=0.2, seed=3)
    est = fit_rest_effect(data)
    assert est.converged
    assert est.n_short == int(data["home_rest_uefa"].notna().sum() + data["away_rest_uefa"].notna().sum())
    assert abs(est.attack - (-0.2)) < 3 * est.attack_se
    assert abs(est.conceded - 0.15) < 3 * est.conceded_se
    assert est.strength < 0 and est.points < 0
    assert 0.02 < est.attack_se < 0.1


def test_estimator_finds_nothing_where_there_is_nothing():
    data = simulate_fatigue_data(n_teams=20, n_seasons=6, attack=0.0, conceded=0.0, seed=11)
    est = fit_rest_effect(data)
    assert abs(est.strength) < 3 * est.strength_se
    assert abs(est.points) < 3 * est.points_se


def test_rest_after_uefa_counts_days_since_the_latest_earlier_uefa_match():
    league = pd.DataFrame({"date": pd.to_datetime(["2024-04-14", "2024-04-21", "2024-04-18"]),
                           "home": ["liverpool", "fulham", "atalanta"], "away": ["palace", "liverpool", "x"]})
    uefa = pd.DataFrame({"date": pd.to_datetime(["2024-04-11", "2024-04-18"]),
                         "home": ["liverpool", "atalanta"], "away": ["atalanta", "liverpool"]})
    out = rest_after_uefa(league, uefa)
    assert out.loc[0, "home_rest_uefa"] == 3  # Liverpool v Atalanta on the 11th, Palace on the 14th
    assert out.loc[1, "away_rest_uefa"] == 3  # Atalanta away on the 18th, Fulham on the 21st
    assert np.isnan(out.loc[0, "away_rest_uefa"]) and np.isnan(out.loc[1, "home_rest_uefa"])
    assert out.loc[2, "home_rest_uefa"] == 7  # a same-day UEFA match is not "before"


def test_estimate_on_a_real_slice(synced_db):
    from matchday.data.store import Store
    from matchday.workflows import fatigue_from_store

    with Store(synced_db, read_only=True) as store:
        est = fatigue_from_store(store, leagues=("E0", "SP1"), seasons=["2022-23", "2023-24"])
    assert est.n_matches == 1520
    assert 50 < est.n_short < 400
    assert np.isfinite(est.strength) and 0 < est.strength_se < 0.5
    table = est.table()
    assert list(table["effect"])[:3] == ["attack (log goals scored)", "conceded (log goals conceded)",
                                         "strength (attack - conceded)"]
    model = est.model()
    assert model.attack <= 0 and model.defence <= 0  # physically possible part only
    assert "n = " in model.source and str(est.n_short) in model.source


def test_fatigue_model_injuries_and_validation():
    model = FatigueModel()
    assert model.injury_per_match_short == pytest.approx(25.6 / 1000 * 1.5)  # Dupont et al. 2010
    assert model.injury_per_match_normal == pytest.approx(4.1 / 1000 * 1.5)
    assert model.expected_injuries(1.0, 1.0) == pytest.approx(11 * 0.0384)
    assert model.expected_injuries(0.0, 0.0) == 0
    assert model.is_short(3) and not model.is_short(4) and not model.is_short(None)
    none = FatigueModel.none()
    assert none.cost == 0 and none.expected_injuries(1.0, 1.0) == 0
    assert FatigueModel(attack=-0.1, defence=-0.05).scaled(2).cost == pytest.approx(0.3)
    with pytest.raises(ValueError):
        FatigueModel(injury_per_match_short=1.5)
