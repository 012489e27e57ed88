"""The shots-informed Dixon-Coles variant (matchday.models.shots)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matchday.models import DixonColes, Poisson, ShotsDixonColes
from synthetic import simulate_league


def _with_shots(rng: np.random.Generator, frame: pd.DataFrame, attack: np.ndarray, defence: np.ndarray,
                conversion: float = 0.3) -> pd.DataFrame:
    """Add shots drawn from the same rates as the goals: on target ~ Poisson(lambda / conversion), off
    target ~ Poisson(1.5 * lambda / conversion), independent of the goals given the rates."""
    index = {f"team-{i:02d}": i for i in range(len(attack))}
    h = frame["home"].map(index).to_numpy()
    a = frame["away"].map(index).to_numpy()
    lam_h = np.exp(0.15 + 0.25 * ~frame["neutral"].to_numpy() + attack[h] - defence[a])
    lam_a = np.exp(0.15 + attack[a] - defence[h])
    out = frame.copy()
    out["home_shots_on_target"] = rng.poisson(lam_h / conversion)
    out["away_shots_on_target"] = rng.poisson(lam_a / conversion)
    out["home_shots"] = out["home_shots_on_target"] + rng.poisson(1.5 * lam_h / conversion)
    out["away_shots"] = out["away_shots_on_target"] + rng.poisson(1.5 * lam_a / conversion)
    return out


def test_shots_sharpen_the_strength_estimates_when_they_carry_the_rates():
    errors = {0.0: [], 0.7: []}
    for seed in range(3):
        rng = np.random.default_rng(50 + seed)
        attack, defence = rng.normal(0, 0.3, 16), rng.normal(0, 0.3, 16)
        attack -= attack.mean()
        defence -= defence.mean()
        frame = _with_shots(rng, simulate_league(rng, attack, defence, seasons=1), attack, defence)
        for weight in errors:
            model = ShotsDixonColes(shots_weight=weight, xi=0.0, shrinkage=0.0).fit(frame)
            errors[weight].append(np.sqrt(np.mean((model.attack_.to_numpy() - attack) ** 2)))
            if weight:  # the proxy (conversion rates x shots) has the goals' mean
                on, off = model.conversion_
                proxy = (on * frame[["home_shots_on_target", "away_shots_on_target"]].to_numpy()
                         + off * (frame[["home_shots", "away_shots"]].to_numpy()
                                  - frame[["home_shots_on_target", "away_shots_on_target"]].to_numpy()))
                goals = frame[["home_goals", "away_goals"]].to_numpy()
                assert proxy.mean() == pytest.approx(goals.mean(), rel=0.05)
                assert on > 0 and off >= 0
    assert np.mean(errors[0.7]) < 0.8 * np.mean(errors[0.0])


def test_shots_weight_zero_is_the_goals_model():
    rng = np.random.default_rng(60)
    attack, defence = rng.normal(0, 0.3, 10), rng.normal(0, 0.3, 10)
    frame = _with_shots(rng, simulate_league(rng, attack, defence, seasons=2), attack, defence)
    shots = ShotsDixonColes(shots_weight=0.0).fit(frame)
    poisson = Poisson().fit(frame)
    np.testing.assert_allclose(shots.attack_, poisson.attack_, atol=1e-6)
    # rho is refitted on the goals with the rates fixed: close to the joint Dixon-Coles estimate
    assert shots.rho_ == pytest.approx(DixonColes().fit(frame).rho_, abs=0.03)
    assert shots.goals_loglik_ <= DixonColes().fit(frame).loglik_ + 1e-6
    np.testing.assert_allclose(shots.predict_many(shots.teams_[:3], shots.teams_[1:4]).probabilities.sum(axis=(1, 2)), 1.0,
                               atol=1e-12)


def test_matches_without_shot_data_use_their_goals():
    rng = np.random.default_rng(61)
    attack, defence = rng.normal(0, 0.3, 10), rng.normal(0, 0.3, 10)
    frame = _with_shots(rng, simulate_league(rng, attack, defence, seasons=2), attack, defence)
    for column in ("home_shots", "away_shots", "home_shots_on_target", "away_shots_on_target"):
        frame[column] = frame[column].astype("Int64")
    frame.loc[frame.index[:30], ["home_shots_on_target", "away_shots_on_target"]] = pd.NA
    model = ShotsDixonColes().fit(frame)
    assert model.shots_share_ == pytest.approx(1 - 30 / len(frame))
    no_shots = ShotsDixonColes().fit(frame.drop(columns=["home_shots", "away_shots", "home_shots_on_target",
                                                         "away_shots_on_target"]))
    assert np.isnan(no_shots.conversion_[0])
    np.testing.assert_allclose(no_shots.attack_, Poisson().fit(frame).attack_, atol=1e-6)
    with pytest.raises(ValueError, match="shots_weight"):
        ShotsDixonColes(shots_weight=1.5).fit(frame)


def test_a_competition_without_shot_data_sorted_last():
    """Old: IndexError when the competitions sorted after every competition with shots (the UEFA ones:
    UCL, UECL, UEL) had none (``matchday ratings E0 --model shots-dixon-coles`` on a store with UEFA matches)."""
    rng = np.random.default_rng(3)
    attack, defence = rng.normal(0, 0.3, 8), rng.normal(0, 0.3, 8)
    league = _with_shots(rng, simulate_league(rng, attack, defence, seasons=1, competition="E0"), attack, defence)
    cup = simulate_league(rng, attack, defence, seasons=1, competition="UEL").iloc[:20]
    model = ShotsDixonColes(shots_weight=0.5).fit(pd.concat([league, cup], ignore_index=True))
    assert np.isfinite(model.attack_.to_numpy()).all() and model.shots_share_ < 1
