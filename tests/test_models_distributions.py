"""Score matrices and score distributions (matchday.models.distributions) against scipy.stats, by brute force."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from matchday.models.distributions import (
    BivariatePoissonScores,
    DixonColesScores,
    NegativeBinomialScores,
    PoissonScores,
    apply_dixon_coles,
    bivariate_poisson_matrix,
    independent_matrix,
    negative_binomial_pmf,
    poisson_pmf,
)

RATES_HOME = np.array([0.3, 1.1, 1.6, 2.4, 4.0])
RATES_AWAY = np.array([0.2, 0.9, 1.3, 0.7, 3.5])


def test_censored_poisson_pmf_is_exact_below_g_and_folds_the_tail():
    g = 8
    pmf = poisson_pmf(RATES_HOME, g)
    for mu, row in zip(RATES_HOME, pmf, strict=True):
        np.testing.assert_allclose(row[:g], stats.poisson.pmf(np.arange(g), mu), rtol=1e-12, atol=1e-300)
        assert row[g] == pytest.approx(stats.poisson.sf(g - 1, mu), rel=1e-9, abs=1e-15)
    np.testing.assert_allclose(pmf.sum(axis=1), 1.0, atol=1e-14)


def test_negative_binomial_pmf_matches_scipy():
    size = 3.5
    pmf = negative_binomial_pmf(RATES_HOME, size, 12, censored=False)
    for mu, row in zip(RATES_HOME, pmf, strict=True):
        expected = stats.nbinom.pmf(np.arange(13), size, size / (size + mu))
        np.testing.assert_allclose(row, expected, rtol=1e-10)


@pytest.mark.parametrize("rho", [-0.2, -0.05, 0.05])
def test_dixon_coles_matrix_sums_to_one_and_keeps_the_poisson_marginals(rho):
    g = 10
    assert (1 - RATES_HOME * RATES_AWAY * rho > 0).all() and (1 + np.minimum(RATES_HOME, RATES_AWAY) * rho > 0).all()
    matrix = apply_dixon_coles(independent_matrix(poisson_pmf(RATES_HOME, g), poisson_pmf(RATES_AWAY, g)),
                               RATES_HOME, RATES_AWAY, rho)
    np.testing.assert_allclose(matrix.sum(axis=(1, 2)), 1.0, atol=1e-13)
    # tau moves mass only inside the 0/1 block and keeps both marginals exactly (Dixon & Coles 1997)
    np.testing.assert_allclose(matrix.sum(axis=2), poisson_pmf(RATES_HOME, g), atol=1e-14)
    np.testing.assert_allclose(matrix.sum(axis=1), poisson_pmf(RATES_AWAY, g), atol=1e-14)
    expected_00 = stats.poisson.pmf(0, RATES_HOME) * stats.poisson.pmf(0, RATES_AWAY) * (1 - RATES_HOME * RATES_AWAY * rho)
    np.testing.assert_allclose(matrix[:, 0, 0], expected_00, rtol=1e-12)
    assert (matrix >= 0).all()


def test_dixon_coles_matrix_with_an_invalid_tau_is_clipped_and_renormalised():
    # 1 - lambda * mu * rho < 0: the 0-0 cell would be negative
    matrix = apply_dixon_coles(independent_matrix(poisson_pmf(np.array([4.0]), 10), poisson_pmf(np.array([3.5]), 10)),
                               np.array([4.0]), np.array([3.5]), 0.1)
    assert matrix[0, 0, 0] == 0.0
    assert (matrix >= 0).all()
    assert matrix.sum() == pytest.approx(1.0, abs=1e-14)


def test_dixon_coles_tau_values():
    base = independent_matrix(poisson_pmf(np.array([1.5]), 10), poisson_pmf(np.array([1.2]), 10))
    tau = apply_dixon_coles(base.copy(), np.array([1.5]), np.array([1.2]), -0.1)[0] / base[0]
    np.testing.assert_allclose([tau[0, 0], tau[0, 1], tau[1, 0], tau[1, 1], tau[2, 1], tau[0, 3]],
                               [1 + 0.18, 1 - 0.15, 1 - 0.12, 1.1, 1.0, 1.0])


def test_bivariate_poisson_matrix_against_brute_force_convolution():
    g = 9
    lam1, lam2, lam3 = np.array([1.2, 0.4]), np.array([0.8, 2.2]), 0.3
    matrix = bivariate_poisson_matrix(lam1, lam2, lam3, g)
    for m in range(2):
        brute = np.zeros((g, g))
        for i in range(g):
            for j in range(g):
                brute[i, j] = sum(stats.poisson.pmf(i - k, lam1[m]) * stats.poisson.pmf(j - k, lam2[m])
                                  * stats.poisson.pmf(k, lam3) for k in range(min(i, j) + 1))
        np.testing.assert_allclose(matrix[m, :g, :g], brute, rtol=1e-10, atol=1e-300)
        # censored row/column: P(X = i, Y >= g) = P(X = i) - P(X = i, Y < g)
        row_tail = stats.poisson.pmf(np.arange(g), lam1[m] + lam3) - brute.sum(axis=1)
        np.testing.assert_allclose(matrix[m, :g, g], row_tail, atol=1e-14)
    np.testing.assert_allclose(matrix.sum(axis=(1, 2)), 1.0, atol=1e-13)
    # covariance lam3 (computed on a wide grid, where truncation is negligible)
    wide = bivariate_poisson_matrix(lam1, lam2, lam3, 40)[0]
    i, j = np.meshgrid(np.arange(41), np.arange(41), indexing="ij")
    mean_x, mean_y = (i * wide).sum(), (j * wide).sum()
    assert (i * j * wide).sum() - mean_x * mean_y == pytest.approx(lam3, abs=1e-9)


def test_poisson_pmf_broadcasts_over_any_shape_of_rates():
    rates = np.array([[0.5, 1.0, 2.0], [3.0, 0.0, 1.5]])
    pmf = poisson_pmf(rates, 6)
    assert pmf.shape == (2, 3, 7)
    np.testing.assert_array_equal(pmf.reshape(-1, 7), poisson_pmf(rates.ravel(), 6))
    assert poisson_pmf(1.2, 6).shape == (1, 7)
    np.testing.assert_array_equal(poisson_pmf(0.0, 4)[0], [1.0, 0.0, 0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="max_goals"):
        poisson_pmf(rates, 0)


# ------------------------------------------------------------------------------------------------
# log-likelihoods: against a straightforward scipy.stats implementation, and derivatives against
# finite differences
# ------------------------------------------------------------------------------------------------

RNG = np.random.default_rng(7)
N = 60
GOALS_X = np.r_[[0, 0, 1, 1, 2, 0, 3], RNG.poisson(1.5, N - 7)].astype(float)
GOALS_Y = np.r_[[0, 1, 0, 1, 2, 4, 3], RNG.poisson(1.1, N - 7)].astype(float)
WEIGHTS = RNG.uniform(0.2, 1.0, N)
ETA_H = RNG.normal(0.3, 0.3, N)
ETA_A = RNG.normal(0.0, 0.3, N)


def reference_loglik(name: str, eta_h, eta_a, extra) -> float:
    """One match at a time with scipy.stats: the textbook formulas."""
    total = 0.0
    for x, y, w, eh, ea in zip(GOALS_X, GOALS_Y, WEIGHTS, eta_h, eta_a, strict=True):
        lh, la = math.exp(eh), math.exp(ea)
        if name == "poisson":
            p = stats.poisson.pmf(x, lh) * stats.poisson.pmf(y, la)
        elif name == "dixon-coles":
            rho = extra[0]
            tau = {(0, 0): 1 - lh * la * rho, (0, 1): 1 + lh * rho, (1, 0): 1 + la * rho, (1, 1): 1 - rho}
            p = stats.poisson.pmf(x, lh) * stats.poisson.pmf(y, la) * tau.get((int(x), int(y)), 1.0)
        elif name == "negative-binomial":
            r = math.exp(extra[0])
            p = stats.nbinom.pmf(x, r, r / (r + lh)) * stats.nbinom.pmf(y, r, r / (r + la))
        else:
            l3 = math.exp(extra[0])
            p = sum(stats.poisson.pmf(x - k, lh) * stats.poisson.pmf(y - k, la) * stats.poisson.pmf(k, l3)
                    for k in range(int(min(x, y)) + 1))
        total += w * math.log(p)
    return total


DISTRIBUTIONS = [
    (PoissonScores(), np.zeros(0)),
    (DixonColesScores(), np.array([-0.12])),
    (NegativeBinomialScores(), np.array([math.log(4.0)])),
    (BivariatePoissonScores(), np.array([math.log(0.2)])),
]


@pytest.mark.parametrize(("dist", "extra"), DISTRIBUTIONS, ids=lambda v: getattr(v, "name", ""))
def test_loglik_matches_scipy_reference(dist, extra):
    prep = dist.prepare(GOALS_X, GOALS_Y, WEIGHTS)
    result = dist.loglik(ETA_H, ETA_A, extra, prep)
    assert result.loglik == pytest.approx(reference_loglik(dist.name, ETA_H, ETA_A, extra), rel=1e-11)


@pytest.mark.parametrize(("dist", "extra"), DISTRIBUTIONS, ids=lambda v: getattr(v, "name", ""))
def test_derivatives_match_finite_differences(dist, extra):
    prep = dist.prepare(GOALS_X, GOALS_Y, WEIGHTS)
    res = dist.loglik(ETA_H, ETA_A, extra, prep, True)
    step = 1e-6

    def at(eh, ea, ex):
        return dist.loglik(eh, ea, ex, prep, False)

    # first derivatives per match (matches are separable: evaluate each match on its own)
    np.testing.assert_allclose(res.d_home, (_per_match(dist, ETA_H + step, ETA_A, extra)
                                            - _per_match(dist, ETA_H - step, ETA_A, extra)) / (2 * step),
                               rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(res.d_away, (_per_match(dist, ETA_H, ETA_A + step, extra)
                                            - _per_match(dist, ETA_H, ETA_A - step, extra)) / (2 * step),
                               rtol=1e-6, atol=1e-8)
    # second derivatives from the analytic first derivatives
    up, down = at(ETA_H + step, ETA_A, extra), at(ETA_H - step, ETA_A, extra)
    np.testing.assert_allclose(res.h_hh, (up.d_home - down.d_home) / (2 * step), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(res.h_ha, (up.d_away - down.d_away) / (2 * step), rtol=1e-6, atol=1e-8)
    up, down = at(ETA_H, ETA_A + step, extra), at(ETA_H, ETA_A - step, extra)
    np.testing.assert_allclose(res.h_aa, (up.d_away - down.d_away) / (2 * step), rtol=1e-6, atol=1e-8)
    for j in range(len(extra)):
        e = np.zeros(len(extra))
        e[j] = step
        up, down = at(ETA_H, ETA_A, extra + e), at(ETA_H, ETA_A, extra - e)
        assert res.d_extra[j] == pytest.approx((up.loglik - down.loglik) / (2 * step), rel=1e-6, abs=1e-7)
        np.testing.assert_allclose(res.h_he[:, j], (up.d_home - down.d_home) / (2 * step), rtol=1e-5, atol=1e-8)
        np.testing.assert_allclose(res.h_ae[:, j], (up.d_away - down.d_away) / (2 * step), rtol=1e-5, atol=1e-8)
        assert res.h_ee[j, j] == pytest.approx((up.d_extra[j] - down.d_extra[j]) / (2 * step), rel=1e-5, abs=1e-6)


def _per_match(dist, eta_h, eta_a, extra) -> np.ndarray:
    """Weighted log-likelihood of each match on its own."""
    out = np.empty(N)
    for i in range(N):
        one = dist.prepare(GOALS_X[i:i + 1], GOALS_Y[i:i + 1], WEIGHTS[i:i + 1])
        out[i] = dist.loglik(eta_h[i:i + 1], eta_a[i:i + 1], extra, one).loglik
    return out


def test_dixon_coles_gradient_includes_the_tau_dependence_on_the_rates():
    """The term penaltyblog 1.13.1 omits: d log tau(0,0) / d log lambda = -lambda mu rho / tau."""
    dist = DixonColesScores()
    x, y, w = np.array([0.0]), np.array([0.0]), np.array([1.0])
    prep = dist.prepare(x, y, w)
    lh, la, rho = 1.4, 1.1, -0.15
    res = dist.loglik(np.log([lh]), np.log([la]), np.array([rho]), prep)
    tau = 1 - lh * la * rho
    assert res.d_home[0] == pytest.approx((0 - lh) + (-lh * la * rho) / tau, rel=1e-12)
    assert res.d_home[0] != pytest.approx(0 - lh, rel=1e-3)
