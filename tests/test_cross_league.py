"""The out-of-sample check of the cross-league scale (evaluate/cross_league.py), on leagues simulated from known
strengths and on hand-made forecasts whose residuals are known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matchday.evaluate.cross_league import (
    SHIPPED,
    WITHOUT_NEW,
    Variant,
    country_residuals,
    cross_league_report,
    outcome_rates,
    paired,
    stage_rates,
    uefa_walk_forward,
)
from matchday.models import DixonColes
from synthetic import simulate_league


def _history(seed: int = 0) -> pd.DataFrame:
    """E0 and SP1 (ten clubs each, the Spanish ones 0.3 stronger) over 2019-20 and 2020-21, and 120 UCL matches
    between them in 2020-21, every score drawn from a Poisson model with known strengths."""
    rng = np.random.default_rng(seed)
    strength = {"eng": rng.normal(0, 0.2, 10), "esp": rng.normal(0, 0.2, 10) + 0.3}
    parts = []
    for prefix, code in (("eng", "E0"), ("esp", "SP1")):
        for season, start in (("2019-20", "2019-08-10"), ("2020-21", "2020-08-10")):
            league = simulate_league(rng, strength[prefix], strength[prefix], seasons=1, start=start, competition=code,
                                     prefix=prefix)
            league["date"] = pd.Timestamp(start) + (league["date"] - pd.Timestamp(start)) * 0.8  # August to May
            parts.append(league.assign(season=season))
    n = 120
    i, j = rng.integers(0, 10, n), rng.integers(0, 10, n)
    eng_home = rng.random(n) < 0.5
    se, ss = strength["eng"][i], strength["esp"][j]
    eta_h = 0.15 + 0.25 + np.where(eng_home, se - ss, ss - se)
    eta_a = 0.15 + np.where(eng_home, ss - se, se - ss)
    dates = pd.Timestamp("2020-09-15") + pd.to_timedelta(np.sort(rng.integers(0, 240, n)), unit="D")
    eng, esp = np.array([f"eng-{k:02d}" for k in i]), np.array([f"esp-{k:02d}" for k in j])
    parts.append(pd.DataFrame({
        "date": dates, "competition": "UCL", "season": "2020-21", "home": np.where(eng_home, eng, esp),
        "away": np.where(eng_home, esp, eng), "home_goals": rng.poisson(np.exp(eta_h)),
        "away_goals": rng.poisson(np.exp(eta_a)), "neutral": False,
        "home_country": np.where(eng_home, "ENG", "ESP"), "away_country": np.where(eng_home, "ESP", "ENG"),
        "round": "Group A",
    }))
    frame = pd.concat(parts, ignore_index=True)
    frame["match_id"] = [f"m{k}" for k in range(len(frame))]
    return frame.sort_values("date", kind="stable").reset_index(drop=True)


def test_walk_forward_forecasts_every_uefa_match_from_the_past_only():
    history = _history()
    variants = [Variant(SHIPPED, DixonColes), Variant(WITHOUT_NEW, lambda: DixonColes(league_prior_sd=None),
                                                      carry_prior=False)]
    walk = uefa_walk_forward(history, ["2020-21"], variants)
    forecasts = walk.forecasts
    uefa = history[history["competition"] == "UCL"]
    for label in (SHIPPED, WITHOUT_NEW):
        own = forecasts[forecasts["variant"] == label]
        assert sorted(own["match_id"]) == sorted(uefa["match_id"])  # every match once
        assert (own["as_of"] < own["date"]).all()  # fitted before the match day
        probs = own[["p_home", "p_draw", "p_away"]].to_numpy()
        np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-12)
    # the first fits see no UCL match yet: the shipped model says its link is weak, later ones not
    shipped = forecasts[forecasts["variant"] == SHIPPED].sort_values("date")
    assert shipped["weak_link"].iloc[0] and not shipped["weak_link"].iloc[-1]
    assert walk.skipped.empty
    assert (walk.fits.groupby("variant")["n_train"].diff().dropna() >= 0).all()  # the window only grows
    # the simulated truth has no country effect: residuals are noise
    table = country_residuals(forecasts, SHIPPED)
    assert set(table["country"]) == {"ENG", "ESP"}
    assert (table["z"].abs() < 3).all()
    assert table["matches"].sum() == 2 * len(uefa)
    rates = outcome_rates(forecasts, SHIPPED)
    assert rates["matches"].sum() == len(uefa)
    pair = paired(forecasts, SHIPPED, WITHOUT_NEW)
    assert pair["matches"] == len(uefa) and np.isfinite(pair["se"])
    text = cross_league_report(walk, selection=(), report=("2020-21",))
    assert "## Report seasons: 2020-21 to 2020-21" in text and "Residuals per country" in text


def test_country_residuals_are_actual_minus_model_from_each_side():
    forecasts = pd.DataFrame({
        "variant": "m", "season": "2023-24", "match_id": ["a", "b", "c"], "week": ["w1", "w1", "w2"],
        "home": ["x", "y", "x"], "away": ["y", "x", "z"], "home_country": ["ENG", "ESP", "ENG"],
        "away_country": ["ESP", "ENG", "ENG"], "home_goals": [2, 0, 1], "away_goals": [0, 0, 1],
        "p_home": [0.5, 0.4, 0.5], "p_draw": [0.3, 0.3, 0.3], "p_away": [0.2, 0.3, 0.2],
        "xg_home": [1.5, 1.2, 1.4], "xg_away": [1.0, 1.1, 1.0], "weak_link": False, "offset_sd": 0.1,
    })
    table = country_residuals(forecasts, "m").set_index("country")
    # match c is between two English clubs and is left out; x is English, y Spanish
    # ENG: match a as home (2-0 against +0.5 expected: +1.5), match b as away (0-0 against -0.1: +0.1)
    assert table.loc["ENG", "matches"] == 2
    assert table.loc["ENG", "gd_residual"] == pytest.approx((1.5 + 0.1) / 2)
    # points: a home win worth 3 against 3 * 0.5 + 0.3 = 1.8; a draw away worth 1 against 3 * 0.3 + 0.3 = 1.2
    assert table.loc["ENG", "points_residual"] == pytest.approx(((3 - 1.8) + (1 - 1.2)) / 2)
    assert table.loc["ESP", "gd_residual"] == pytest.approx(-(1.5 + 0.1) / 2)


def test_stage_rates_split_second_legs_by_the_first_leg_margin():
    rows = [  # (round, leg, home, away, home goals, away goals)
        ("Group A", 0, "a", "b", 1, 1), ("Group A", 0, "b", "a", 2, 0), ("Group A", 0, "c", "d", 0, 1),
        ("Round of 16", 1, "a", "b", 2, 0), ("Round of 16", 2, "b", "a", 1, 0),  # b behind by 2, wins at home
        ("Round of 16", 1, "c", "d", 1, 1), ("Round of 16", 2, "d", "c", 0, 0),  # level, a draw
        ("Round of 16", 1, "e", "f", 0, 1), ("Round of 16", 2, "f", "e", 3, 1),  # f ahead by 1, wins
        ("Final", 0, "a", "d", 2, 1),
    ]
    frame = pd.DataFrame(rows, columns=["round", "leg", "home", "away", "home_goals", "away_goals"])
    frame = frame.assign(variant=SHIPPED, season="2023-24", competition="UCL", p_home=0.5, p_draw=0.3, p_away=0.2,
                         xg_home=1.5, xg_away=1.0, match_id=[f"m{k}" for k in range(len(frame))], week="w")
    table = stage_rates(frame, SHIPPED).set_index("stage")
    main = ["group or league phase", "first legs", "second legs", "single knock-out matches"]
    assert table.loc[main, "matches"].tolist() == [3, 3, 3, 1]
    assert table.loc[main, "matches"].sum() == len(frame)
    parts = [f"second legs, {name}" for name in ("home side behind after leg 1", "level after leg 1",
                                                 "home side ahead after leg 1")]
    assert table.loc[parts, "matches"].tolist() == [1, 1, 1]
    assert table.loc[parts, "home_observed"].tolist() == [1.0, 0.0, 1.0]
    assert table.loc[parts, "draw_observed"].tolist() == [0.0, 1.0, 0.0]
    assert table.loc["second legs", "home_observed"] == pytest.approx(2 / 3)
    assert table.loc["group or league phase", "draw_observed"] == pytest.approx(1 / 3)
    assert (table["home_predicted"] == 0.5).all()
    assert table.loc["first legs", "draw_se"] == pytest.approx(np.sqrt(3 * 0.3 * 0.7) / 3)
