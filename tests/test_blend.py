"""Model + market log opinion pool: limits, recovery of known weights, and walk-forward fitting on the past."""

from __future__ import annotations

import numpy as np
import pytest

from matchday.forecast.blend import LogOpinionPool, pool, walk_forward_pool


def random_forecasts(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two different but related 1X2 forecasts per match (Dirichlet draws around a common centre)."""
    rng = np.random.default_rng(seed)
    centre = rng.dirichlet([4.5, 2.8, 3.2], size=n)
    model = rng.gamma(20 * centre)  # Dirichlet(20 * centre) row by row, vectorised
    market = rng.gamma(20 * centre)
    return model / model.sum(axis=1, keepdims=True), market / market.sum(axis=1, keepdims=True)


def draw_outcomes(p: np.ndarray, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.random(len(p))[:, None] > np.cumsum(p, axis=1)).sum(axis=1)


def test_weight_zero_is_the_market_and_one_is_the_model() -> None:
    model, market = random_forecasts(50, seed=1)
    np.testing.assert_array_equal(pool(model, market, 0.0), market)
    np.testing.assert_array_equal(pool(model, market, 1.0), model)
    for weight, expected in ((0.0, market), (1.0, model)):
        fitted = LogOpinionPool(weight=weight).fit(model, market, draw_outcomes(market, seed=2))
        np.testing.assert_array_equal(fitted.predict(model, market), expected)


def test_pool_is_the_normalised_geometric_mixture() -> None:
    model, market = random_forecasts(20, seed=3)
    got = pool(model, market, 0.3)
    raw = model**0.3 * market**0.7
    np.testing.assert_allclose(got, raw / raw.sum(axis=1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(got.sum(axis=1), 1.0, atol=1e-14)
    free = pool(model, market, 0.5, 1.5)
    raw = model**0.5 * market**1.5
    np.testing.assert_allclose(free, raw / raw.sum(axis=1, keepdims=True), rtol=1e-12)


def test_missing_market_falls_back_to_the_model() -> None:
    model, market = random_forecasts(5, seed=4)
    market[2] = np.nan
    got = pool(model, market, 0.2)
    np.testing.assert_array_equal(got[2], model[2])
    assert np.isfinite(got).all()


def test_fit_recovers_the_weight_that_generated_the_outcomes() -> None:
    model, market = random_forecasts(30_000, seed=5)
    truth = pool(model, market, 0.3)
    outcome = draw_outcomes(truth, seed=6)
    fitted = LogOpinionPool().fit(model, market, outcome)
    assert fitted.model_weight_ == pytest.approx(0.3, abs=0.05)
    assert fitted.market_weight_ == pytest.approx(1 - fitted.model_weight_, abs=1e-15)
    free = LogOpinionPool(free=True).fit(model, market, draw_outcomes(pool(model, market, 0.4, 0.9), seed=7))
    assert free.model_weight_ == pytest.approx(0.4, abs=0.07)
    assert free.market_weight_ == pytest.approx(0.9, abs=0.07)


def test_fitted_weight_is_the_likelihood_maximum() -> None:
    model, market = random_forecasts(4_000, seed=8)
    outcome = draw_outcomes(pool(model, market, 0.6), seed=9)
    fitted = LogOpinionPool().fit(model, market, outcome)

    def mean_log_loss(weight: float) -> float:
        p = pool(model, market, weight)
        return float(-np.mean(np.log(p[np.arange(len(p)), outcome])))

    assert fitted.log_loss_ == pytest.approx(mean_log_loss(fitted.model_weight_), rel=1e-10)
    for step in (-0.02, 0.02):
        assert mean_log_loss(fitted.model_weight_) <= mean_log_loss(fitted.model_weight_ + step)
    # the fitted pool is never worse in sample than either source on its own (both are in the family)
    assert fitted.log_loss_ <= min(mean_log_loss(0.0), mean_log_loss(1.0)) + 1e-12


def test_walk_forward_pool_uses_only_matches_up_to_each_as_of_day() -> None:
    n = 1_200
    model, market = random_forecasts(n, seed=10)
    dates = np.datetime64("2023-08-05") + np.repeat(np.arange(n // 40) * 7, 40).astype("timedelta64[D]")
    as_of = dates - np.timedelta64(1, "D")  # each week's forecasts: as of the day before its first match day
    outcome = draw_outcomes(pool(model, market, 0.5), seed=11).astype(float)
    probs, weight_model, weight_market = walk_forward_pool(model, market, outcome, dates, as_of, min_matches=200)

    cutoffs = np.unique(as_of)
    for cutoff in cutoffs[[0, 4, 5, 12, -1]]:
        rows = as_of == cutoff
        past = dates <= cutoff
        if past.sum() < 200:
            np.testing.assert_array_equal(weight_model[rows], 0.0)  # the market until enough history
            np.testing.assert_array_equal(probs[rows], market[rows])
            continue
        expected = LogOpinionPool().fit(model[past], market[past], outcome[past])
        np.testing.assert_allclose(weight_model[rows], expected.model_weight_, rtol=1e-12)
        np.testing.assert_allclose(probs[rows], expected.predict(model[rows], market[rows]), rtol=1e-12)
    np.testing.assert_allclose(weight_model + weight_market, 1.0)

    # rewriting the results from some week on changes no weight used before that week
    week = cutoffs[15]
    scrambled = outcome.copy()
    scrambled[dates > week] = (scrambled[dates > week] + 1) % 3
    _, weight_again, _ = walk_forward_pool(model, market, scrambled, dates, as_of, min_matches=200)
    np.testing.assert_array_equal(weight_again[as_of <= week], weight_model[as_of <= week])
    assert not np.array_equal(weight_again[as_of > week], weight_model[as_of > week])


def test_walk_forward_pool_with_fixed_weight_and_window() -> None:
    model, market = random_forecasts(300, seed=12)
    dates = np.datetime64("2024-01-01") + (np.arange(300) // 10 * 3).astype("timedelta64[D]")
    outcome = draw_outcomes(market, seed=13).astype(float)
    probs, weight_model, _ = walk_forward_pool(model, market, outcome, dates, dates, weight=1.0)
    np.testing.assert_array_equal(probs, model)
    np.testing.assert_array_equal(weight_model, 1.0)
    day_before = dates - np.timedelta64(1, "D")
    _, windowed, _ = walk_forward_pool(model, market, outcome, dates, day_before, min_matches=50, window_days=30)
    last = dates == dates[-1]
    recent = (dates < dates[-1]) & (dates >= dates[-1] - np.timedelta64(30, "D"))
    assert 50 <= recent.sum() < (dates < dates[-1]).sum()
    expected = LogOpinionPool().fit(model[recent], market[recent], outcome[recent]).model_weight_
    np.testing.assert_allclose(windowed[last], expected, rtol=1e-12)


def test_bad_input_is_rejected() -> None:
    model, market = random_forecasts(4, seed=14)
    with pytest.raises(ValueError, match="shape"):
        pool(model, market[:, :2], 0.5)
    with pytest.raises(ValueError, match=">= 0"):
        pool(model, market, -0.1, 0.5)
    with pytest.raises(ValueError, match="expected a probability"):
        pool(model * 2, market, 0.5)
    with pytest.raises(RuntimeError, match="not fitted"):
        LogOpinionPool().predict(model, market)
    with pytest.raises(ValueError, match="no match"):
        LogOpinionPool().fit(model, market, np.full(4, np.nan))
