"""Odds <-> probabilities: margin removal methods against independent calculations and real prices."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from matchday.evaluate.metrics import outcome_index, rps
from matchday.forecast.odds import (
    METHODS,
    implied_probabilities,
    odds_from_probabilities,
    overround,
    remove_margin,
)

# a typical 1X2 book: strong home favourite, ~4.8% margin
FAVOURITE_BOOK = np.array([1.5, 4.2, 7.0])


def random_books(n: int, seed: int = 3) -> np.ndarray:
    """Realistic 1X2 odds: Dirichlet probabilities with a 2-8% margin applied multiplicatively."""
    rng = np.random.default_rng(seed)
    p = rng.dirichlet([4.0, 2.5, 3.0], size=n)
    margin = rng.uniform(0.02, 0.08, size=(n, 1))
    return 1.0 / (p * (1.0 + margin))


@pytest.mark.parametrize("method", METHODS)
def test_probabilities_sum_to_one(method: str) -> None:
    books = random_books(2000)
    probabilities, parameter = remove_margin(books, method)
    assert probabilities.shape == books.shape and parameter.shape == (2000,)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-12)
    assert np.all(probabilities < 1)
    if method == "additive":  # long shots below the per-outcome margin are clipped to exactly 0
        assert np.all(probabilities >= 0) and np.any(probabilities == 0)
    else:
        assert np.all(probabilities > 0)


@pytest.mark.parametrize("method", METHODS)
def test_zero_margin_gives_inverse_odds(method: str) -> None:
    p = np.array([[0.5, 0.3, 0.2], [0.62, 0.23, 0.15], [0.125, 0.25, 0.625]])
    odds = 1.0 / p
    probabilities, _ = remove_margin(odds, method)
    np.testing.assert_allclose(probabilities, p, atol=1e-12)
    np.testing.assert_allclose(implied_probabilities(odds), p, atol=1e-15)


def test_multiplicative_and_additive_by_hand() -> None:
    implied = 1.0 / FAVOURITE_BOOK
    booksum = implied.sum()
    assert overround(FAVOURITE_BOOK) == pytest.approx(booksum)
    probabilities, parameter = remove_margin(FAVOURITE_BOOK, "multiplicative")
    np.testing.assert_allclose(probabilities, implied / booksum)
    assert parameter == pytest.approx(booksum)
    probabilities, parameter = remove_margin(FAVOURITE_BOOK, "additive")
    np.testing.assert_allclose(probabilities, implied - (booksum - 1) / 3)
    assert parameter == pytest.approx((booksum - 1) / 3)


def test_additive_clips_negative_longshot_and_renormalises() -> None:
    odds = np.array([1.2, 5.0, 200.0])  # 1/200 = 0.005 is below the per-outcome margin of ~0.0128
    probabilities, shift = remove_margin(odds, "additive")
    # by hand: the long shot goes to 0 and the margin is shared by the other two outcomes
    expected_shift = (1 / 1.2 + 1 / 5.0 - 1) / 2
    np.testing.assert_allclose(probabilities, [1 / 1.2 - expected_shift, 1 / 5.0 - expected_shift, 0.0])
    assert shift == pytest.approx(expected_shift)


def test_power_agrees_with_independent_root_finding() -> None:
    implied = 1.0 / FAVOURITE_BOOK
    exponent = optimize.brentq(lambda k: np.sum(implied**k) - 1.0, 0.5, 3.0, xtol=1e-15)
    probabilities, parameter = remove_margin(FAVOURITE_BOOK, "power")
    assert parameter == pytest.approx(exponent, rel=1e-12)
    assert parameter > 1.0  # a positive margin means kappa > 1
    np.testing.assert_allclose(probabilities, implied**exponent, atol=1e-12)


def test_shin_agrees_with_fixed_point_iteration() -> None:
    """Jullien & Salanie's fixed point for z (the algorithm of the `shin` package), not Newton."""
    implied = 1.0 / FAVOURITE_BOOK
    booksum, k = implied.sum(), implied.size
    z = 0.0
    for _ in range(1000):
        z = (np.sum(np.sqrt(z**2 + 4 * (1 - z) * implied**2 / booksum)) - 2) / (k - 2)
    expected = (np.sqrt(z**2 + 4 * (1 - z) * implied**2 / booksum) - z) / (2 * (1 - z))
    probabilities, parameter = remove_margin(FAVOURITE_BOOK, "shin")
    assert parameter == pytest.approx(z, abs=1e-12)
    np.testing.assert_allclose(probabilities, expected, atol=1e-12)


def test_shin_equals_additive_for_two_outcomes() -> None:
    """Known identity: with two outcomes Shin's probabilities are the additive ones."""
    rng = np.random.default_rng(5)
    first = rng.uniform(0.1, 0.9, size=200)
    p = np.column_stack([first, 1.0 - first])
    books = 1.0 / (p * rng.uniform(1.02, 1.08, size=(200, 1)))  # two-way prices, e.g. over/under
    shin, _ = remove_margin(books, "shin")
    additive, _ = remove_margin(books, "additive")
    np.testing.assert_allclose(shin, additive, atol=1e-10)


def test_favourite_longshot_shift() -> None:
    multiplicative, _ = remove_margin(FAVOURITE_BOOK, "multiplicative")
    for method in ("power", "shin"):
        probabilities, _ = remove_margin(FAVOURITE_BOOK, method)
        assert probabilities[0] > multiplicative[0]  # favourite gains
        assert probabilities[2] < multiplicative[2]  # long shot loses
    books = random_books(500)
    favourite = np.argmin(books, axis=1)
    longshot = np.argmax(books, axis=1)
    rows = np.arange(len(books))
    multiplicative, _ = remove_margin(books, "multiplicative")
    for method in ("power", "shin"):
        probabilities, _ = remove_margin(books, method)
        assert np.all(probabilities[rows, favourite] >= multiplicative[rows, favourite] - 1e-12)
        assert np.all(probabilities[rows, longshot] <= multiplicative[rows, longshot] + 1e-12)


def test_shin_z_in_plausible_range() -> None:
    _, z = remove_margin(random_books(1000), "shin")
    assert np.all((z > 0) & (z < 0.2))


def test_book_below_one_still_sums_to_one() -> None:
    """Best prices across bookmakers can give a booksum below 1 (an arbitrage)."""
    odds = np.array([[2.2, 3.9, 4.1]])
    assert overround(odds)[0] < 1.0
    for method in METHODS:
        probabilities, parameter = remove_margin(odds, method)
        np.testing.assert_allclose(probabilities.sum(), 1.0, atol=1e-12)
        if method == "shin":
            assert parameter[0] < 0
        if method == "power":
            assert parameter[0] < 1


@pytest.mark.parametrize("method", METHODS)
def test_nan_rows_give_nan_and_leave_others_alone(method: str) -> None:
    books = random_books(5)
    books[2, 1] = np.nan
    probabilities, parameter = remove_margin(books, method)
    assert np.all(np.isnan(probabilities[2])) and np.isnan(parameter[2])
    assert np.isnan(overround(books)[2])
    clean = np.delete(books, 2, axis=0)
    np.testing.assert_allclose(
        np.delete(probabilities, 2, axis=0), remove_margin(clean, method).probabilities
    )
    all_nan, _ = remove_margin(np.full((2, 3), np.nan), method)
    assert np.all(np.isnan(all_nan))


def test_batch_shape_is_kept() -> None:
    books = random_books(12).reshape(2, 6, 3)
    probabilities, parameter = remove_margin(books, "shin")
    assert probabilities.shape == (2, 6, 3) and parameter.shape == (2, 6)
    assert overround(books).shape == (2, 6)


def test_invalid_odds_are_named() -> None:
    with pytest.raises(ValueError, match=r"row 1, outcome 2 is 0\.95"):
        remove_margin([[2.0, 3.0, 4.0], [1.5, 4.0, 0.95]])
    with pytest.raises(ValueError, match="unknown margin method"):
        remove_margin(FAVOURITE_BOOK, "proportional")
    with pytest.raises(ValueError, match="k >= 2"):
        remove_margin([2.0])


@pytest.mark.parametrize("method", METHODS)
def test_odds_from_probabilities_round_trip(method: str) -> None:
    rng = np.random.default_rng(11)
    p = rng.dirichlet([4.0, 2.5, 3.0], size=300)
    margin = rng.uniform(0.0, 0.08, size=300)
    odds = odds_from_probabilities(p, margin, method)
    assert np.all(odds > 1.0)
    np.testing.assert_allclose(overround(odds), 1.0 + margin, atol=1e-12)
    np.testing.assert_allclose(remove_margin(odds, method).probabilities, p, atol=1e-10)
    np.testing.assert_allclose(odds_from_probabilities(p, 0.0, method), 1.0 / p, rtol=1e-12)


def test_odds_from_probabilities_errors_and_nan() -> None:
    with pytest.raises(ValueError, match="sums to"):
        odds_from_probabilities([0.5, 0.4, 0.2])
    with pytest.raises(ValueError, match="margin >= 0"):
        odds_from_probabilities([0.5, 0.3, 0.2], -0.02, "shin")
    with pytest.raises(ValueError, match="above 1"):
        odds_from_probabilities([0.97, 0.02, 0.01], 0.1, "additive")
    odds = odds_from_probabilities([[0.5, 0.3, 0.2], [np.nan, 0.5, 0.5]], 0.05, "power")
    assert np.all(np.isnan(odds[1])) and np.all(np.isfinite(odds[0]))


def test_pinnacle_closing_odds_epl_2023_24(shared_data: Path) -> None:
    frame = pd.read_csv(shared_data / "football-data" / "mmz4281" / "2324" / "E0.csv")
    odds = frame[["PSCH", "PSCD", "PSCA"]].to_numpy(dtype=float)
    outcome = outcome_index(frame["FTHG"], frame["FTAG"])
    assert len(frame) == 380

    booksum = overround(odds)
    assert 1.00 < np.nanmean(booksum) < 1.05

    # base rates with hindsight (the season's own frequencies): the strongest version of that baseline
    base_rates = np.bincount(outcome, minlength=3) / len(outcome)
    base_rps = rps(np.tile(base_rates, (len(outcome), 1)), outcome).mean()
    for method in METHODS:
        probabilities, parameter = remove_margin(odds, method)
        np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-12)
        market_rps = np.nanmean(rps(probabilities, outcome))
        assert market_rps < base_rps - 0.02, method
        if method == "shin":
            assert np.all((parameter >= 0) & (parameter <= 0.2))
