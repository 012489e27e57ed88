"""Score distributions: probability matrices and the match log-likelihoods of the goal models.

Each goal model (Poisson, Dixon-Coles, negative binomial, bivariate Poisson) is a team-strength linear
predictor (``models/goal_model.py``) plus one :class:`ScoreDistribution` from this module. The distribution
gives, for a match with log-rates ``eta_home``, ``eta_away`` (``lambda = exp(eta)``):

* the weighted log-likelihood and its exact gradient with respect to both log-rates and the
  distribution's own extra parameters (rho, dispersion, covariance), so that the chain rule to the
  team parameters is written once, in ``models/goal_model.py``;
* the score matrix ``P[i, j] = P(home scores i, away scores j)`` for many matches at once.

Truncation: score matrices are **censored** at ``max_goals`` = G, not cut off. Row and column G hold
"G or more" goals, i.e. the tail mass beyond G is folded into the last row/column so that every matrix
sums to 1 (to rounding, ~1e-15) and its marginals are exact for 0..G-1 goals. With the default G = 10
the folded mass is below 1e-4 even for an expected 4 goals, so ``sum(i * P[i, j])`` understates the
mean by at most that order; the exact expected goals are carried separately in
:class:`~matchday.models.grid.ScoreGrid`.

The censored Poisson pmf here (:func:`poisson_pmf`) is the only one in the package: score grids, extra
time in knockout ties and the historical tie model use it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from scipy.special import digamma, gammaln

# ---------------------------------------------------------------------------------------------------
# Censored marginal pmfs and matrices (vectorised over matches)
# ---------------------------------------------------------------------------------------------------


def _check_max_goals(max_goals: int) -> int:
    if int(max_goals) != max_goals or max_goals < 1:
        raise ValueError(f"max_goals must be a positive integer (got {max_goals!r})")
    return int(max_goals)


def _censor(pmf: np.ndarray) -> np.ndarray:
    """Replace the last entry of ``pmf`` (..., G+1) by the survival mass P(X >= G), in place."""
    head = pmf[..., :-1].sum(axis=-1)
    pmf[..., -1] = np.clip(1.0 - head, 0.0, None)
    return pmf


def poisson_pmf(rate: np.ndarray | float, max_goals: int, *, censored: bool = True) -> np.ndarray:
    """Poisson probabilities of 0..G goals, shape ``rate.shape + (G+1,)`` (a scalar rate gives ``(1, G+1)``);
    the last entry is P(X >= G) if ``censored``. ``rate``: expected goals (>= 0).

    Computed by the recurrence p_k = p_{k-1} * rate / k (no overflow, exact for rate = 0).
    """
    g = _check_max_goals(max_goals)
    rate = np.asarray(rate, dtype=float)
    if rate.ndim == 0:
        rate = rate.reshape(1)
    steps = np.empty(rate.shape + (g + 1,))
    steps[..., 0] = np.exp(-rate)
    steps[..., 1:] = rate[..., None] / np.arange(1, g + 1)
    pmf = np.cumprod(steps, axis=-1)
    return _censor(pmf) if censored else pmf


def negative_binomial_pmf(mu: np.ndarray, size: float, max_goals: int, *, censored: bool = True) -> np.ndarray:
    """NB2 probabilities of 0..G goals (mean ``mu``, variance ``mu + mu**2 / size``), shape ``(n, G+1)``."""
    g = _check_max_goals(max_goals)
    mu = np.atleast_1d(np.asarray(mu, dtype=float))
    q = mu / (size + mu)
    k = np.arange(1, g + 1)
    steps = np.empty((mu.size, g + 1))
    steps[:, 0] = np.exp(size * np.log1p(-q))  # (size / (size + mu)) ** size
    steps[:, 1:] = q[:, None] * ((k - 1 + size) / k)
    pmf = np.cumprod(steps, axis=1)
    return _censor(pmf) if censored else pmf


def independent_matrix(home_pmf: np.ndarray, away_pmf: np.ndarray) -> np.ndarray:
    """Outer products ``(n, G+1, G+1)`` of per-match marginal pmfs."""
    return home_pmf[:, :, None] * away_pmf[:, None, :]


def apply_dixon_coles(matrix: np.ndarray, lam_home: np.ndarray, lam_away: np.ndarray, rho: float | np.ndarray
                      ) -> np.ndarray:
    """Multiply the 0/1-goal block of censored Poisson matrices ``(n, G+1, G+1)`` by tau, in place (``rho``:
    one value or one per matrix).

    tau keeps both marginals (and the total) exactly, so the result still sums to 1. Where an extreme
    rate makes a factor negative (e.g. ``1 + lambda * rho < 0`` for rho < 0 and lambda > 1/|rho|) the
    cell is set to 0 and that matrix renormalised.
    """
    matrix[:, 0, 0] *= 1.0 - lam_home * lam_away * rho
    matrix[:, 0, 1] *= 1.0 + lam_home * rho
    matrix[:, 1, 0] *= 1.0 + lam_away * rho
    matrix[:, 1, 1] *= 1.0 - rho
    block = matrix[:, :2, :2]
    bad = (block < 0).any(axis=(1, 2))
    if bad.any():
        np.clip(block, 0.0, None, out=block)
        matrix[bad] /= matrix[bad].sum(axis=(1, 2), keepdims=True)
    return matrix


def fold_to_marginals(joint: np.ndarray, home_pmf: np.ndarray, away_pmf: np.ndarray) -> np.ndarray:
    """Censor a joint pmf ``(n, G+1, G+1)`` (exact on 0..G x 0..G) using its exact marginals.

    ``home_pmf``/``away_pmf`` are the *uncensored* marginal pmfs on 0..G. Afterwards cell ``[i, G]`` is
    P(X = i, Y >= G), ``[G, j]`` is P(X >= G, Y = j) and ``[G, G]`` the remaining mass, so the
    matrix sums to 1.
    """
    out = joint.copy()
    inner = joint[:, :-1, :-1]
    out[:, :-1, -1] = np.clip(home_pmf[:, :-1] - inner.sum(axis=2), 0.0, None)
    out[:, -1, :-1] = np.clip(away_pmf[:, :-1] - inner.sum(axis=1), 0.0, None)
    out[:, -1, -1] = 0.0
    out[:, -1, -1] = np.clip(1.0 - out.sum(axis=(1, 2)), 0.0, None)
    return out


def bivariate_poisson_matrix(
    lam1: np.ndarray, lam2: np.ndarray, lam3: float | np.ndarray, max_goals: int
) -> np.ndarray:
    """Karlis-Ntzoufras bivariate Poisson: X = X1 + X3, Y = X2 + X3, Xk ~ Poisson(lam_k) independent.

    P(x, y) = sum_k Pois(x - k; lam1) Pois(y - k; lam2) Pois(k; lam3), computed as a sum over k of
    shifted outer products (vectorised over matches), then censored at G with the exact Poisson
    marginals (lam1 + lam3, lam2 + lam3).
    """
    g = _check_max_goals(max_goals)
    lam1 = np.atleast_1d(np.asarray(lam1, dtype=float))
    lam2 = np.atleast_1d(np.asarray(lam2, dtype=float))
    lam3 = np.broadcast_to(np.asarray(lam3, dtype=float), lam1.shape)
    p1 = poisson_pmf(lam1, g, censored=False)
    p2 = poisson_pmf(lam2, g, censored=False)
    p3 = poisson_pmf(lam3, g, censored=False)
    joint = np.zeros((lam1.size, g + 1, g + 1))
    for k in range(g + 1):  # loop over the shared count, vectorised over matches
        joint[:, k:, k:] += p3[:, k, None, None] * (p1[:, : g + 1 - k, None] * p2[:, None, : g + 1 - k])
    home = poisson_pmf(lam1 + lam3, g, censored=False)
    away = poisson_pmf(lam2 + lam3, g, censored=False)
    return fold_to_marginals(joint, home, away)


# ---------------------------------------------------------------------------------------------------
# Score distributions: log-likelihood + exact gradient, and matrices
# ---------------------------------------------------------------------------------------------------


@dataclass
class LikelihoodResult:
    """Weighted log-likelihood of a data set with its exact gradient and (optionally) Hessian.

    Derivatives are per match with respect to the log-rates eta_home, eta_away (weights included) and,
    summed over matches, with respect to the distribution's extra parameters ``e``:
    d_home, d_away (n,); d_extra (E,); h_hh, h_aa, h_ha (n,) second derivatives in the log-rates;
    h_he, h_ae (n, E) mixed log-rate/extra derivatives; h_ee (E, E).
    """

    loglik: float
    d_home: np.ndarray
    d_away: np.ndarray
    d_extra: np.ndarray
    h_hh: np.ndarray | None = None
    h_aa: np.ndarray | None = None
    h_ha: np.ndarray | None = None
    h_he: np.ndarray | None = None
    h_ae: np.ndarray | None = None
    h_ee: np.ndarray | None = None


@dataclass(frozen=True)
class ScoreDistribution:
    """Distribution of a score given the two log-rates (independent Poisson here; subclasses extend it).

    Contract: ``prepare(x, y, w)`` precomputes what depends on the data only (constants, index sets);
    ``loglik(eta_h, eta_a, extra, prep, hessian=False)`` returns a :class:`LikelihoodResult` (the true
    log-likelihood, constants included, so values compare across implementations); ``matrix`` returns
    censored score matrices; ``means`` the exact expected goals.
    """

    name: ClassVar[str] = "poisson"
    extra_names: ClassVar[tuple[str, ...]] = ()

    def extra_init(self, x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
        return np.zeros(0)

    def extra_bounds(self) -> list[tuple[float, float]]:
        return []

    def prepare(self, x: np.ndarray, y: np.ndarray, w: np.ndarray) -> dict:
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        const = float(np.dot(w, gammaln(x + 1.0) + gammaln(y + 1.0)))
        return {"x": x, "y": y, "w": w, "const": const, "w_total": float(w.sum())}

    def _poisson(self, eta_h, eta_a, prep, hessian):
        x, y, w = prep["x"], prep["y"], prep["w"]
        lam_h = np.exp(eta_h)
        lam_a = np.exp(eta_a)
        ll = float(np.dot(w, x * eta_h - lam_h + y * eta_a - lam_a)) - prep["const"]
        res = LikelihoodResult(ll, w * (x - lam_h), w * (y - lam_a), np.zeros(len(self.extra_names)))
        if hessian:
            n, e = len(w), len(self.extra_names)
            res.h_hh = -w * lam_h
            res.h_aa = -w * lam_a
            res.h_ha = np.zeros(n)
            res.h_he = np.zeros((n, e))
            res.h_ae = np.zeros((n, e))
            res.h_ee = np.zeros((e, e))
        return res, lam_h, lam_a

    def loglik(self, eta_h: np.ndarray, eta_a: np.ndarray, extra: np.ndarray, prep: dict,
               hessian: bool = False) -> LikelihoodResult:
        return self._poisson(eta_h, eta_a, prep, hessian)[0]

    def matrix(self, lam_h: np.ndarray, lam_a: np.ndarray, extra: np.ndarray, max_goals: int) -> np.ndarray:
        return independent_matrix(poisson_pmf(lam_h, max_goals), poisson_pmf(lam_a, max_goals))

    def means(self, lam_h: np.ndarray, lam_a: np.ndarray, extra: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return lam_h, lam_a


@dataclass(frozen=True)
class PoissonScores(ScoreDistribution):
    """Independent Poisson goals (Maher 1982). Also accepts non-integer targets (quasi-Poisson)."""

    name = "poisson"


_TINY = 1e-300


@dataclass(frozen=True)
class DixonColesScores(ScoreDistribution):
    """Independent Poisson goals times the Dixon-Coles factor tau on 0-0, 1-0, 0-1 and 1-1 (rho).

    Derivatives are exact, including those of log tau with respect to the expected goals
    (e.g. d log tau(0,0) / d log lambda = -lambda*mu*rho / (1 - lambda*mu*rho)), the term
    penaltyblog 1.13.1's gradient leaves out. ``rho_bounds``: the range rho is fitted in.
    """

    rho_bounds: tuple[float, float] = (-0.5, 0.5)
    name = "dixon-coles"
    extra_names = ("rho",)

    def extra_init(self, x, y, w):
        return np.array([-0.05])

    def extra_bounds(self):
        return [self.rho_bounds]

    def prepare(self, x, y, w):
        prep = super().prepare(x, y, w)
        x, y = prep["x"], prep["y"]
        for key, (gx, gy) in {"00": (0, 0), "01": (0, 1), "10": (1, 0)}.items():
            index = np.flatnonzero((x == gx) & (y == gy))
            prep["i" + key] = index
            prep["w" + key] = w[index]
        prep["w11"] = float(w[(x == 1) & (y == 1)].sum())
        return prep

    def loglik(self, eta_h, eta_a, extra, prep, hessian=False):
        res, lam_h, lam_a = self._poisson(eta_h, eta_a, prep, hessian)
        rho = float(extra[0])
        d_rho = 0.0
        h_rr = 0.0
        ll = res.loglik

        i, wi = prep["i00"], prep["w00"]  # tau = 1 - rho * lam_h * lam_a
        if i.size:
            prod = lam_h[i] * lam_a[i]
            q = np.maximum(1.0 - prod * rho, _TINY)
            ll += float(np.dot(wi, np.log(q)))
            share = -wi * prod * rho / q
            res.d_home[i] += share
            res.d_away[i] += share
            d_rho -= float(np.dot(wi, prod / q))
            if hessian:
                curv = share / q  # -w u / q^2 with u = rho * prod
                res.h_hh[i] += curv
                res.h_aa[i] += curv
                res.h_ha[i] += curv
                mixed = -wi * prod / q**2
                res.h_he[i, 0] += mixed
                res.h_ae[i, 0] += mixed
                h_rr -= float(np.dot(wi, (prod / q) ** 2))
        # 0-1: tau = 1 + rho * lam_h (depends on the home rate); 1-0: tau = 1 + rho * lam_a (the away rate)
        sides = (("01", lam_h, res.d_home, res.h_hh, res.h_he), ("10", lam_a, res.d_away, res.h_aa, res.h_ae))
        for key, lam, grad, curvature, mixed in sides:
            i, wi = prep["i" + key], prep["w" + key]
            if not i.size:
                continue
            rate = lam[i]
            q = np.maximum(1.0 + rate * rho, _TINY)
            ll += float(np.dot(wi, np.log(q)))
            grad[i] += wi * rate * rho / q
            d_rho += float(np.dot(wi, rate / q))
            if hessian:
                curvature[i] += wi * rate * rho / q**2
                mixed[i, 0] += wi * rate / q**2
                h_rr -= float(np.dot(wi, (rate / q) ** 2))
        w11 = prep["w11"]  # tau = 1 - rho
        if w11:
            q = max(1.0 - rho, _TINY)
            ll += w11 * math.log(q)
            d_rho -= w11 / q
            h_rr -= w11 / q**2
        res.loglik = ll
        res.d_extra[0] = d_rho
        if hessian:
            res.h_ee[0, 0] = h_rr
        return res

    def matrix(self, lam_h, lam_a, extra, max_goals):
        """``extra[0]``: rho, one value or one per match."""
        base = super().matrix(lam_h, lam_a, extra, max_goals)
        rho = np.asarray(extra[0], dtype=float)
        return apply_dixon_coles(base, lam_h, lam_a, float(rho) if rho.ndim == 0 else rho)


@dataclass(frozen=True)
class NegativeBinomialScores(ScoreDistribution):
    """Independent negative-binomial (NB2) goals with one shared size r: Var = mean + mean**2 / r.

    Extra parameter ``log_size`` = log r, bounded to r in [0.5, 1000] (r -> inf is the Poisson model, and
    at r = 1000 the extra variance is under 0.2% of a 2-goal mean;
    football goals are close to Poisson, so expect r at the upper end unless the data are overdispersed).
    """

    name = "negative-binomial"
    extra_names = ("log_size",)

    def extra_init(self, x, y, w):
        return np.array([math.log(20.0)])

    def extra_bounds(self):
        return [(math.log(0.5), math.log(1e3))]

    def loglik(self, eta_h, eta_a, extra, prep, hessian=False):
        from scipy.special import polygamma

        x, y, w = prep["x"], prep["y"], prep["w"]
        w_total = prep["w_total"]
        r = math.exp(float(extra[0]))
        ll = -prep["const"]
        d_r = 0.0
        d_rr = 0.0
        out: list[tuple[np.ndarray, np.ndarray | None, np.ndarray | None]] = []
        for goals, eta in ((x, eta_h), (y, eta_a)):
            lam = np.exp(eta)
            denom = r + lam
            log_denom = np.log(denom)
            ll += float(np.dot(w, gammaln(goals + r) + goals * eta + r * math.log(r) - (goals + r) * log_denom))
            ll -= w_total * math.lgamma(r)
            grad = w * r * (goals - lam) / denom
            d_r += float(np.dot(w, digamma(goals + r) + math.log(r) - log_denom + (lam - goals) / denom))
            d_r -= w_total * float(digamma(r))
            h_eta = h_mix = None
            if hessian:
                h_eta = -w * r * lam * (r + goals) / denom**2
                h_mix = w * r * (goals - lam) * lam / denom**2
                d_rr += float(np.dot(w, polygamma(1, goals + r) + 1.0 / r - 1.0 / denom
                                     - (lam - goals) / denom**2))
                d_rr -= w_total * float(polygamma(1, r))
            out.append((grad, h_eta, h_mix))
        res = LikelihoodResult(ll, out[0][0], out[1][0], np.array([d_r * r]))
        if hessian:
            n = len(w)
            res.h_hh, res.h_aa, res.h_ha = out[0][1], out[1][1], np.zeros(n)
            res.h_he = out[0][2][:, None]
            res.h_ae = out[1][2][:, None]
            res.h_ee = np.array([[r * d_r + r * r * d_rr]])
        return res

    def matrix(self, lam_h, lam_a, extra, max_goals):
        r = math.exp(float(extra[0]))
        return independent_matrix(
            negative_binomial_pmf(lam_h, r, max_goals), negative_binomial_pmf(lam_a, r, max_goals)
        )


@dataclass(frozen=True)
class BivariatePoissonScores(ScoreDistribution):
    """Karlis & Ntzoufras (2003) bivariate Poisson with a constant covariance lam3 = exp(log_lam3).

    lam3 is bounded to [0.001, 1.5] goals per match (0.001 is independence for every practical purpose).

    The team predictor gives lam1 (home) and lam2 (away); goals are X = X1 + X3, Y = X2 + X3, so the
    expected goals are lam1 + lam3 and lam2 + lam3 and Cov(X, Y) = lam3 >= 0.
    log P(x, y) = -(lam1 + lam2 + lam3) + x log lam1 + y log lam2 - log x! - log y!
                  + log S,  S = sum_k C(x,k) C(y,k) k! t**k,  t = lam3 / (lam1 lam2).
    d log S / d log t = E[k] and d^2 log S / d (log t)^2 = Var[k] under weights ~ C(x,k)C(y,k)k! t**k.
    """

    name = "bivariate-poisson"
    extra_names = ("log_lam3",)

    def extra_init(self, x, y, w):
        return np.array([math.log(0.05)])

    def extra_bounds(self):
        return [(math.log(1e-3), math.log(1.5))]

    def prepare(self, x, y, w):
        prep = super().prepare(x, y, w)
        x, y = prep["x"], prep["y"]
        low = np.minimum(x, y).astype(int)
        index = np.flatnonzero(low > 0)
        kmax = int(low.max(initial=0))
        k = np.arange(kmax + 1, dtype=float)
        xs, ys = x[index][:, None], y[index][:, None]
        valid = k[None, :] <= low[index][:, None]
        with np.errstate(invalid="ignore"):
            log_c = (gammaln(xs + 1) - gammaln(np.where(valid, xs - k, 0) + 1) + gammaln(ys + 1)
                     - gammaln(np.where(valid, ys - k, 0) + 1) - gammaln(k + 1))
        prep.update(ishared=index, log_coef=np.where(valid, log_c, -np.inf), k=k, wshared=w[index])
        return prep

    def loglik(self, eta_h, eta_a, extra, prep, hessian=False):
        res, _, _ = self._poisson(eta_h, eta_a, prep, hessian)
        log_lam3 = float(extra[0])
        lam3 = math.exp(log_lam3)
        w_total = prep["w_total"]
        res.loglik -= lam3 * w_total
        d_l3 = -lam3 * w_total
        h_33 = -lam3 * w_total
        i = prep["ishared"]
        if i.size:
            log_t = log_lam3 - eta_h[i] - eta_a[i]
            log_terms = prep["log_coef"] + np.outer(log_t, prep["k"])
            top = log_terms.max(axis=1, keepdims=True)
            terms = np.exp(log_terms - top)
            s = terms.sum(axis=1)
            kbar = (terms @ prep["k"]) / s
            wi = prep["wshared"]
            res.loglik += float(np.dot(wi, np.log(s) + top[:, 0]))
            res.d_home[i] -= wi * kbar
            res.d_away[i] -= wi * kbar
            d_l3 += float(np.dot(wi, kbar))
            if hessian:
                var = wi * np.maximum((terms @ (prep["k"] ** 2)) / s - kbar**2, 0.0)
                res.h_hh[i] += var
                res.h_aa[i] += var
                res.h_ha[i] += var
                res.h_he[i, 0] -= var
                res.h_ae[i, 0] -= var
                h_33 += float(var.sum())
        res.d_extra[0] = d_l3
        if hessian:
            res.h_ee[0, 0] = h_33
        return res

    def matrix(self, lam_h, lam_a, extra, max_goals):
        return bivariate_poisson_matrix(lam_h, lam_a, math.exp(float(extra[0])), max_goals)

    def means(self, lam_h, lam_a, extra):
        lam3 = math.exp(float(extra[0]))
        return lam_h + lam3, lam_a + lam3


# ---------------------------------------------------------------------------------------------------
# A small dense GLM with these distributions
# ---------------------------------------------------------------------------------------------------


def fit_score_glm(
    distribution: ScoreDistribution,
    x_home: np.ndarray,
    x_away: np.ndarray,
    goals_home: np.ndarray,
    goals_away: np.ndarray,
    weights: np.ndarray,
    *,
    offset_home: np.ndarray | float = 0.0,
    offset_away: np.ndarray | float = 0.0,
    start: np.ndarray | None = None,
    tol: float = 1e-6,
    max_iter: int = 100,
) -> tuple[np.ndarray, float, bool]:
    """Maximum-likelihood fit of a small dense score GLM with the same distributions as the team models.

    ``eta_home = offset_home + x_home @ beta``, ``eta_away = offset_away + x_away @ beta`` (``x_*`` are
    (n, p) design matrices, p may be 0), plus the distribution's extra parameters (rho, ...). Used for
    Elo's mapping from rating difference to goals and to refit rho given fixed rates. The solver is the
    team models' (:func:`matchday.models.solver.newton`). Returns (``[beta, extra]``, weighted
    log-likelihood, converged).
    """
    from matchday.models.solver import bounds_arrays, newton

    p = x_home.shape[1]
    e = len(distribution.extra_names)
    prep = distribution.prepare(goals_home, goals_away, weights)
    lower, upper = bounds_arrays(p + e, distribution.extra_bounds())

    def evaluate(theta: np.ndarray, curvature: bool) -> tuple[float, np.ndarray, LikelihoodResult]:
        eta_h = offset_home + x_home @ theta[:p]
        eta_a = offset_away + x_away @ theta[:p]
        res = distribution.loglik(eta_h, eta_a, theta[p:], prep, curvature)
        grad = np.r_[x_home.T @ res.d_home + x_away.T @ res.d_away, res.d_extra]
        return -res.loglik, -grad, res

    def hessian(res: LikelihoodResult) -> np.ndarray:
        h = np.empty((p + e, p + e))
        h[:p, :p] = ((x_home * res.h_hh[:, None]).T @ x_home + (x_away * res.h_aa[:, None]).T @ x_away
                     + (x_home * res.h_ha[:, None]).T @ x_away + (x_away * res.h_ha[:, None]).T @ x_home)
        mixed = x_home.T @ res.h_he + x_away.T @ res.h_ae
        h[:p, p:] = mixed
        h[p:, :p] = mixed.T
        h[p:, p:] = res.h_ee
        return -h

    theta0 = (np.r_[np.zeros(p), distribution.extra_init(goals_home, goals_away, weights)] if start is None
              else np.asarray(start, dtype=float))
    solution = newton(evaluate, hessian, theta0, lower, upper, tol=tol, max_iter=max_iter)
    return solution.theta, -solution.objective, solution.converged
