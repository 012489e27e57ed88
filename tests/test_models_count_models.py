"""Negative-binomial and bivariate Poisson goal models: recovery from their own simulated data."""

from __future__ import annotations

import math

import numpy as np
import pytest

from matchday.models import BivariatePoisson, NegativeBinomial, Poisson
from matchday.models.distributions import BivariatePoissonScores, NegativeBinomialScores, PoissonScores
from synthetic import simulate_league


def _strengths(rng: np.random.Generator, n: int = 12) -> tuple[np.ndarray, np.ndarray]:
    attack, defence = rng.normal(0, 0.3, n), rng.normal(0, 0.3, n)
    return attack - attack.mean(), defence - defence.mean()


def test_negative_binomial_recovers_the_dispersion_and_the_teams():
    rng = np.random.default_rng(31)
    attack, defence = _strengths(rng)
    frame = simulate_league(rng, attack, defence, seasons=30, distribution=NegativeBinomialScores(),
                            extra=np.array([math.log(4.0)]))
    model = NegativeBinomial(xi=0.0, shrinkage=0.0).fit(frame)
    assert model.converged_
    assert model.size_ == pytest.approx(4.0, rel=0.25)
    assert np.abs(model.attack_.to_numpy() - attack).max() < 0.15
    assert np.abs(model.defence_.to_numpy() - defence).max() < 0.15
    # overdispersed data: far better than Poisson
    assert model.loglik_ - Poisson(xi=0.0, shrinkage=0.0).fit(frame).loglik_ > 50


def test_negative_binomial_on_poisson_data_goes_to_the_poisson_limit():
    rng = np.random.default_rng(32)
    attack, defence = _strengths(rng)
    frame = simulate_league(rng, attack, defence, seasons=10, distribution=PoissonScores())
    model = NegativeBinomial(xi=0.0, shrinkage=0.0).fit(frame)
    poisson = Poisson(xi=0.0, shrinkage=0.0).fit(frame)
    assert model.size_ > 30
    np.testing.assert_allclose(model.attack_, poisson.attack_, atol=0.02)


def test_bivariate_poisson_recovers_the_covariance_and_the_teams():
    rng = np.random.default_rng(33)
    attack, defence = _strengths(rng)
    frame = simulate_league(rng, attack, defence, intercept=0.0, seasons=30, distribution=BivariatePoissonScores(),
                            extra=np.array([math.log(0.2)]))
    model = BivariatePoisson(xi=0.0, shrinkage=0.0).fit(frame)
    assert model.converged_
    assert model.lambda3_ == pytest.approx(0.2, abs=0.06)
    assert np.abs(model.attack_.to_numpy() - attack).max() < 0.15
    # the covariance term makes the expected goals lambda + lambda3
    grid = model.predict_many(["team-00"], ["team-01"], neutral=True)
    eta_h, eta_a = model.log_rates("team-00", "team-01", neutral=True)
    assert grid.home_expected_goals[0] == pytest.approx(math.exp(eta_h[0]) + model.lambda3_)
    assert grid.away_expected_goals[0] == pytest.approx(math.exp(eta_a[0]) + model.lambda3_)
    # the rates are the distribution's lambda1, lambda2 (without the shared lambda3)
    rate_h, rate_a = model.rates("team-00", "team-01", neutral=True)
    assert rate_h[0] == pytest.approx(math.exp(eta_h[0])) and rate_a[0] == pytest.approx(math.exp(eta_a[0]))
    # and the score matrix carries it: Cov(X, Y) = lambda3 (up to the censored tail)
    matrix = grid.probabilities[0]
    i, j = np.meshgrid(np.arange(11), np.arange(11), indexing="ij")
    covariance = (i * j * matrix).sum() - (i * matrix).sum() * (j * matrix).sum()
    assert covariance == pytest.approx(model.lambda3_, abs=5e-3)
