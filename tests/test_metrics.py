"""Forecast scores, paired comparisons and calibration, checked against hand calculations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from matchday.evaluate.metrics import (
    brier,
    calibration_table,
    log_loss,
    outcome_index,
    paired_difference,
    reliability_plot,
    rps,
    wilson_interval,
)

UNIFORM = np.full((3, 3), 1 / 3)
OUTCOMES = np.array([0, 1, 2])


def test_outcome_index() -> None:
    np.testing.assert_array_equal(outcome_index([2, 1, 0, 3], [0, 1, 2, 3]), [0, 1, 2, 1])


def test_rps_perfect_forecast_is_zero() -> None:
    np.testing.assert_array_equal(rps(np.eye(3), OUTCOMES), 0.0)
    np.testing.assert_array_equal(brier(np.eye(3), OUTCOMES), 0.0)
    np.testing.assert_array_equal(log_loss(np.eye(3), OUTCOMES), 0.0)


def test_rps_of_uniform_forecast_by_hand() -> None:
    # cumulative forecast (1/3, 2/3); cumulative outcome (1, 1) home, (0, 1) draw, (0, 0) away; / (r - 1)
    home = ((1 / 3 - 1) ** 2 + (2 / 3 - 1) ** 2) / 2
    draw = ((1 / 3) ** 2 + (2 / 3 - 1) ** 2) / 2
    away = ((1 / 3) ** 2 + (2 / 3) ** 2) / 2
    np.testing.assert_allclose(rps(UNIFORM, OUTCOMES), [home, draw, away], rtol=1e-14)
    np.testing.assert_allclose([home, draw, away], [5 / 18, 1 / 9, 5 / 18])


def test_rps_worst_forecast_is_one() -> None:
    assert rps([[0.0, 0.0, 1.0]], [0])[0] == pytest.approx(1.0)


def test_rps_rewards_mass_near_the_outcome() -> None:
    """Home win: mass on the draw (adjacent) beats mass on the away win (far); Brier cannot tell."""
    near = np.array([[0.2, 0.8, 0.0]])
    far = np.array([[0.2, 0.0, 0.8]])
    assert rps(near, [0])[0] < rps(far, [0])[0]
    assert brier(near, [0])[0] == pytest.approx(brier(far, [0])[0])
    assert log_loss(near, [0])[0] == pytest.approx(log_loss(far, [0])[0])


def test_rps_general_number_of_outcomes() -> None:
    # five ordered categories, outcome 2: cumulative forecast vs (0, 0, 1, 1)
    p = np.array([[0.1, 0.2, 0.4, 0.2, 0.1]])
    cumulative = np.cumsum(p[0])[:-1]
    expected = np.sum((cumulative - np.array([0, 0, 1, 1])) ** 2) / 4
    assert rps(p, [2])[0] == pytest.approx(expected)


def test_log_loss_and_brier_match_sklearn_formulas() -> None:
    rng = np.random.default_rng(21)
    p = rng.dirichlet([2.0, 1.0, 1.5], size=400)
    y = rng.integers(0, 3, size=400)
    one_hot = np.zeros_like(p)
    one_hot[np.arange(400), y] = 1.0
    # sklearn.metrics.log_loss: -mean(sum(one_hot * log p)); multi-class Brier: mean(sum((p - o)**2))
    assert log_loss(p, y).mean() == pytest.approx(-np.mean(np.sum(one_hot * np.log(p), axis=1)), rel=1e-13)
    assert brier(p, y).mean() == pytest.approx(np.mean(np.sum((p - one_hot) ** 2, axis=1)), rel=1e-13)
    assert brier(UNIFORM, OUTCOMES)[0] == pytest.approx(4 / 9 + 1 / 9 + 1 / 9)
    assert log_loss(UNIFORM, OUTCOMES)[0] == pytest.approx(np.log(3))


def test_log_loss_clips_zero_probability() -> None:
    assert log_loss([[0.0, 0.5, 0.5]], [0])[0] == pytest.approx(-np.log(1e-15))


def test_nan_forecast_or_outcome_scores_nan() -> None:
    p = np.array([[0.5, 0.3, 0.2], [np.nan, 0.5, 0.5], [0.4, 0.3, 0.3]])
    y = np.array([0, 1, np.nan])
    for score in (rps, log_loss, brier):
        values = score(p, y)
        assert np.isfinite(values[0]) and np.isnan(values[1]) and np.isnan(values[2])


def test_bad_outcomes_are_named() -> None:
    with pytest.raises(ValueError, match=r"row 1 is 3\.0"):
        rps(UNIFORM, [0, 3, 1])
    with pytest.raises(ValueError, match="3 rows but outcome has 2"):
        rps(UNIFORM, [0, 1])


def test_paired_difference_plain_standard_error() -> None:
    rng = np.random.default_rng(1)
    a = rng.normal(0.20, 0.1, size=500)
    b = a + rng.normal(-0.01, 0.02, size=500)
    mean, se = paired_difference(a, b)
    d = a - b
    assert mean == pytest.approx(d.mean())
    assert se == pytest.approx(np.sqrt(np.sum((d - d.mean()) ** 2) / (len(d) - 1) / len(d)))
    # NaN pairs are dropped
    a_nan = a.copy()
    a_nan[:10] = np.nan
    assert paired_difference(a_nan, b).mean == pytest.approx(d[10:].mean())


def test_paired_difference_clusters() -> None:
    rng = np.random.default_rng(2)
    n_rounds, per_round = 38, 10
    rounds = np.repeat(np.arange(n_rounds), per_round)
    shock = rng.normal(0, 0.05, size=n_rounds)[rounds]  # a common shock per round
    d = shock + rng.normal(0, 0.02, size=rounds.size)
    _, iid_se = paired_difference(d, np.zeros_like(d))
    _, cluster_se = paired_difference(d, np.zeros_like(d), clusters=rounds)
    # by hand: CR1 over round sums
    sums = np.array([np.sum(d[rounds == r] - d.mean()) for r in range(n_rounds)])
    expected = np.sqrt(n_rounds / (n_rounds - 1) * np.sum(sums**2) / d.size**2)
    assert cluster_se == pytest.approx(expected)
    assert cluster_se > 2 * iid_se  # correlated rounds inflate the uncertainty
    # one match per cluster reduces to the plain standard error
    singletons = paired_difference(d, np.zeros_like(d), clusters=np.arange(d.size))
    assert singletons.standard_error == pytest.approx(iid_se)
    with pytest.raises(ValueError, match="2 clusters"):
        paired_difference(d, np.zeros_like(d), clusters=np.zeros(d.size))


def test_wilson_interval_known_values() -> None:
    low, high = wilson_interval(np.array([0, 5, 10]), np.array([10, 10, 10]))
    # Wilson 95% for 5/10 is 0.2366..0.7634 (z = 1.95996)
    assert low[1] == pytest.approx(0.23659, abs=1e-4) and high[1] == pytest.approx(0.76341, abs=1e-4)
    assert low[0] == pytest.approx(0.0, abs=1e-12) and high[2] == pytest.approx(1.0, abs=1e-12)


def test_calibrated_forecasts_lie_within_intervals() -> None:
    rng = np.random.default_rng(12345)
    p = rng.uniform(0, 1, size=20_000)
    y = (rng.uniform(0, 1, size=p.size) < p).astype(float)
    table = calibration_table(p, y, bins=10, confidence=0.999)
    assert list(table.columns) == [
        "bin",
        "lower",
        "upper",
        "count",
        "mean_predicted",
        "observed_frequency",
        "ci_low",
        "ci_high",
    ]
    assert table["count"].sum() == p.size and len(table) == 10
    assert np.all(
        (table["mean_predicted"] >= table["ci_low"]) & (table["mean_predicted"] <= table["ci_high"])
    )
    assert np.all((table["mean_predicted"] >= table["lower"]) & (table["mean_predicted"] <= table["upper"]))
    # the same check catches a miscalibrated forecast (true probability p**2, forecast p)
    y_bad = (rng.uniform(0, 1, size=p.size) < p**2).astype(float)
    bad = calibration_table(p, y_bad, bins=10, confidence=0.999)
    outside = (bad["mean_predicted"] < bad["ci_low"]) | (bad["mean_predicted"] > bad["ci_high"])
    assert outside.sum() >= 5


def test_calibration_table_pools_multiclass_forecasts() -> None:
    rng = np.random.default_rng(8)
    p = rng.dirichlet([3.0, 2.0, 2.0], size=3000)
    y = (rng.uniform(size=(3000, 1)) > np.cumsum(p, axis=1)).sum(axis=1)  # outcome drawn from p
    table = calibration_table(p, y, bins=[0.0, 0.2, 0.4, 0.6, 1.0], confidence=0.999)
    assert table["count"].sum() == 3 * 3000
    assert np.all(
        (table["mean_predicted"] >= table["ci_low"]) & (table["mean_predicted"] <= table["ci_high"])
    )
    with pytest.raises(ValueError, match="expected 0 or 1"):
        calibration_table([0.2, 0.7], [0, 2])


def test_reliability_plot_writes_png(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    p = rng.uniform(size=2000)
    table = calibration_table(p, (rng.uniform(size=2000) < p).astype(float))
    path = reliability_plot(table, tmp_path / "plots" / "reliability.png", title="test")
    assert path.exists() and path.stat().st_size > 1000
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_wilson_interval_contains_an_observed_zero_or_one():
    from matchday.evaluate.metrics import wilson_interval

    low, high = wilson_interval([0, 7, 7], [7, 7, 1000])
    share = np.array([0, 1, 7 / 1000])
    assert np.all(low <= share) and np.all(share <= high)
    assert high[1] == 1.0 and low[0] == 0.0
