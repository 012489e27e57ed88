"""Model + market blend for users who have pre-match odds: a logarithmic opinion pool.

Given a model forecast ``m`` and de-margined market probabilities ``q`` for the same match (1X2, or
any ``r`` ordered outcomes), the pool is::

    p_k  proportional to  m_k ** a * q_k ** b        (k = home, draw, away)

* ``convex`` (default): ``a = w``, ``b = 1 - w`` with ``0 <= w <= 1``. ``w = 0`` is the market exactly,
  ``w = 1`` the model exactly, and in between a geometric mixture.
* ``free``: ``a, b >= 0`` separately, so that the pool may also sharpen (``a + b > 1``) or flatten the
  combined forecast; it contains the convex pool.

Why a log pool rather than a linear mixture ``w m + (1 - w) q``: it is the multinomial-logistic
stacking of the two forecasts' log-probabilities (Genest & Zidek 1986; the "logarithmic opinion pool"
is the only pool that is externally Bayesian), it treats a small probability given by both sources as
small, and its log-likelihood is concave in the weights, so the fit has one optimum. The weights are
fitted by maximum likelihood (mean log loss, a proper score) with an exact gradient.

Fit the weights on *past* matches only (:func:`walk_forward_pool` does this block by block): the
market's information already contains most of what a results-only model knows, so the model's weight
must be earned out of sample. Measured (``bench/bench_backtest.py``, six leagues 2019-20 to 2023-24,
weights refitted weekly on every earlier match from 2017-18 on): against Pinnacle's pre-match prices
the maximum-likelihood weight of the Dixon-Coles and Elo models is 0 at every refit, i.e. the pool is
the market; on a short history (one season) the weight wanders up to ~0.1 and costs ~1e-5 RPS. The
pool cannot then beat the market, and by construction it does not fall behind it either.
"""

from __future__ import annotations

from typing import Self

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

_EPS = 1e-12  # probabilities are clipped here before taking logs (a 0 from a censored matrix)


def _as_probabilities(values: npt.ArrayLike, what: str) -> FloatArray:
    p = np.asarray(values, dtype=float)
    if p.ndim == 1:
        p = p[None, :]
    if p.ndim != 2 or p.shape[1] < 2:
        raise ValueError(f"{what} must have shape (n, r) with r >= 2 outcomes; got shape {p.shape}")
    bad = np.isfinite(p) & ((p < 0) | (p > 1))
    if bad.any():
        row, column = np.argwhere(bad)[0]
        raise ValueError(f"{what}: row {row}, outcome {column} is {p[row, column]!r}; expected a probability")
    return p


def pool(p_model: npt.ArrayLike, p_market: npt.ArrayLike, model_weight: float,
         market_weight: float | None = None) -> FloatArray:
    """Logarithmic pool ``m ** a * q ** b`` renormalised per row (``b = 1 - a`` when not given).

    Rows where the market is missing (any NaN) get the model forecast; rows where the model is missing
    get NaN. A weight of exactly 0 ignores that source entirely (so ``a = 0`` returns ``q`` to the bit).
    """
    m = _as_probabilities(p_model, "p_model")
    q = _as_probabilities(p_market, "p_market")
    if m.shape != q.shape:
        raise ValueError(f"p_model has shape {m.shape} but p_market has shape {q.shape}")
    a = float(model_weight)
    b = 1.0 - a if market_weight is None else float(market_weight)
    if not (np.isfinite(a) and np.isfinite(b) and a >= 0 and b >= 0):
        raise ValueError(f"pool weights must be finite and >= 0; got model {a}, market {b}")
    market_missing = np.isnan(q).any(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_m = np.log(np.maximum(m, _EPS)) if a else np.zeros_like(m)
        log_q = np.log(np.maximum(np.where(market_missing[:, None], 1.0, q), _EPS)) if b else np.zeros_like(q)
    log_p = a * log_m + b * log_q
    log_p -= np.max(log_p, axis=1, keepdims=True)
    p = np.exp(log_p)
    p /= p.sum(axis=1, keepdims=True)
    if a == 0 and b == 1:
        p = np.where(np.isnan(m).any(axis=1)[:, None], np.nan, q)
    elif a == 1 and b == 0:
        p = m.copy()
    p[market_missing] = m[market_missing]
    return p


def _mean_log_loss(p: FloatArray, y: np.ndarray, w: FloatArray) -> float:
    """Weighted mean of ``-ln p[y]`` (nats); NaN for an empty sample."""
    if y.size == 0:
        return float("nan")
    chosen = np.maximum(p[np.arange(y.size), y], _EPS)
    return -float(np.dot(w, np.log(chosen)) / w.sum())


class LogOpinionPool:
    """Model + market log pool (see the module docstring); scikit-learn style.

    Parameters
    ----------
    weight: fix the model weight ``w`` instead of fitting it (``fit`` then only records the sample).
    free: fit ``a`` and ``b`` separately (sharpening allowed) instead of ``a = w, b = 1 - w``.
    max_weight: upper bound of each weight in the fit (1 for the convex pool; 3 for ``free``).

    Fitted attributes: ``model_weight_`` (a), ``market_weight_`` (b), ``n_fit_`` (matches used),
    ``log_loss_`` (mean log loss at the optimum, nats) and ``converged_``.
    """

    def __init__(self, weight: float | None = None, *, free: bool = False, max_weight: float | None = None
                 ) -> None:
        self.weight = weight
        self.free = free
        self.max_weight = max_weight

    def fit(self, p_model: npt.ArrayLike, p_market: npt.ArrayLike, outcome: npt.ArrayLike,
            sample_weight: npt.ArrayLike | None = None) -> Self:
        """Maximum-likelihood weights on matches with both forecasts and a known outcome index."""
        from scipy.optimize import minimize

        m = _as_probabilities(p_model, "p_model")
        q = _as_probabilities(p_market, "p_market")
        if m.shape != q.shape:
            raise ValueError(f"p_model has shape {m.shape} but p_market has shape {q.shape}")
        y = np.asarray(outcome, dtype=float).reshape(-1)
        if y.size != m.shape[0]:
            raise ValueError(f"outcome has {y.size} entries for {m.shape[0]} forecasts")
        w = np.ones(y.size) if sample_weight is None else np.asarray(sample_weight, dtype=float).reshape(-1)
        keep = ~(np.isnan(m).any(axis=1) | np.isnan(q).any(axis=1) | np.isnan(y) | np.isnan(w))
        m, q, y, w = m[keep], q[keep], y[keep].astype(np.intp), w[keep]
        if np.any((y < 0) | (y >= m.shape[1])):
            raise ValueError(f"outcome indices must lie in 0..{m.shape[1] - 1}")
        self.n_fit_ = int(y.size)
        if self.weight is not None:
            a = float(self.weight)
            if not 0 <= a <= 1:
                raise ValueError(f"weight must lie in [0, 1]; got {a}")
            self.model_weight_, self.market_weight_ = a, 1.0 - a
            self.converged_ = True
            self.log_loss_ = _mean_log_loss(pool(m, q, a, 1.0 - a), y, w)
            return self
        if y.size == 0:
            raise ValueError("no match with a model forecast, a market forecast and an outcome to fit on")
        # outcomes along the first axis, matches along the second: the per-match reductions over the r
        # outcomes then run over contiguous rows of length n
        rows = np.arange(y.size)
        log_m = np.ascontiguousarray(np.log(np.maximum(m, _EPS)).T)
        log_q = np.ascontiguousarray(np.log(np.maximum(q, _EPS)).T)
        log_m_y, log_q_y = log_m[y, rows], log_q[y, rows]
        w = w / w.sum()

        def objective(theta: FloatArray) -> tuple[float, FloatArray]:
            a, b = (theta[0], 1.0 - theta[0]) if not self.free else (theta[0], theta[1])
            z = a * log_m + b * log_q
            z_max = z.max(axis=0)
            e = np.exp(z - z_max)
            s = e.sum(axis=0)
            p = e / s
            log_p_y = a * log_m_y + b * log_q_y - z_max - np.log(s)
            value = -float(np.dot(w, log_p_y))
            # d log p_y / d a = log m_y - sum_k p_k log m_k, likewise for b
            g_a = -float(np.dot(w, log_m_y - (p * log_m).sum(axis=0)))
            g_b = -float(np.dot(w, log_q_y - (p * log_q).sum(axis=0)))
            grad = np.array([g_a - g_b]) if not self.free else np.array([g_a, g_b])
            return value, grad

        upper = self.max_weight if self.max_weight is not None else (3.0 if self.free else 1.0)
        if self.free:
            start, bounds = np.array([0.1, 0.9]), [(0.0, upper), (0.0, upper)]
        else:
            start, bounds = np.array([0.1]), [(0.0, min(upper, 1.0))]
        result = minimize(objective, start, jac=True, method="L-BFGS-B", bounds=bounds,
                          options={"gtol": 1e-10, "ftol": 1e-14, "maxiter": 200})
        theta = np.asarray(result.x, dtype=float)
        a, b = (float(theta[0]), 1.0 - float(theta[0])) if not self.free else (float(theta[0]), float(theta[1]))
        self.model_weight_, self.market_weight_ = a, b
        self.log_loss_ = float(result.fun)
        self.converged_ = bool(result.success)
        return self

    def predict(self, p_model: npt.ArrayLike, p_market: npt.ArrayLike) -> FloatArray:
        """Pooled probabilities ``(n, r)``; rows without a market forecast get the model's."""
        if not hasattr(self, "model_weight_"):
            raise RuntimeError("LogOpinionPool is not fitted yet: call fit(p_model, p_market, outcome) first")
        return pool(p_model, p_market, self.model_weight_, self.market_weight_)

    def __repr__(self) -> str:
        if hasattr(self, "model_weight_"):
            return (f"LogOpinionPool(model {self.model_weight_:.3f}, market {self.market_weight_:.3f}, "
                    f"fitted on {self.n_fit_} matches)")
        return f"LogOpinionPool(weight={self.weight}, free={self.free})"


def walk_forward_pool(
    p_model: npt.ArrayLike,
    p_market: npt.ArrayLike,
    outcome: npt.ArrayLike,
    date: npt.ArrayLike,
    as_of: npt.ArrayLike,
    *,
    free: bool = False,
    min_matches: int = 300,
    initial_weight: float = 0.0,
    window_days: float | None = None,
    weight: float | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Pool each forecast with weights fitted only on matches played before its own cut-off.

    p_model, p_market: ``(n, r)`` forecasts of the same ``n`` matches; outcome: ``(n,)`` indices (NaN =
    unknown); date: kick-off date of each match; as_of: each forecast's as-of day (what was known after the
    last match of that day: in the backtest, the day before the block's first kick-off). For every
    distinct as-of day the pool is fitted on the matches dated on or before it (within the last
    ``window_days`` days if given) and applied to the forecasts of that day, so no forecast is pooled
    with weights that saw its own result or any later one. Until ``min_matches`` past matches exist, the weights are
    ``initial_weight`` for the model and ``1 - initial_weight`` for the market (default: trust the
    market until the model has earned a weight). A fixed ``weight`` (model weight of the convex pool)
    skips the fitting altogether.

    Returns ``(probabilities (n, r), model_weight (n,), market_weight (n,))``.
    """
    m = _as_probabilities(p_model, "p_model")
    q = _as_probabilities(p_market, "p_market")
    if m.shape != q.shape:
        raise ValueError(f"p_model has shape {m.shape} but p_market has shape {q.shape}")
    y = np.asarray(outcome, dtype=float).reshape(-1)
    dates = np.asarray(date, dtype="datetime64[ns]").reshape(-1)
    cutoffs = np.asarray(as_of, dtype="datetime64[ns]").reshape(-1)
    n = m.shape[0]
    if weight is not None and not 0 <= weight <= 1:
        raise ValueError(f"weight must lie in [0, 1]; got {weight}")
    if not (y.size == dates.size == cutoffs.size == n):
        raise ValueError("p_model, p_market, outcome, date and as_of must describe the same matches")
    if np.isnat(cutoffs).any():
        raise ValueError("every forecast needs a cut-off date (as_of)")
    usable = ~(np.isnan(m).any(axis=1) | np.isnan(q).any(axis=1) | np.isnan(y) | np.isnat(dates))
    out = np.full(m.shape, np.nan)
    weight_a = np.full(n, np.nan)
    weight_b = np.full(n, np.nan)
    order = np.argsort(dates[usable], kind="stable")
    past_index = np.flatnonzero(usable)[order]
    past_dates = dates[past_index]
    window = None if window_days is None else np.timedelta64(int(round(window_days * 86400)), "s")
    for cutoff in np.unique(cutoffs):
        rows = np.flatnonzero(cutoffs == cutoff)
        end = (cutoff.astype("datetime64[D]") + np.timedelta64(1, "D")).astype("datetime64[ns]")  # end of the day
        stop = int(np.searchsorted(past_dates, end, side="left"))
        begin = 0 if window is None else int(np.searchsorted(past_dates, end - window, side="left"))
        train = past_index[begin:stop]
        if weight is not None:
            a, b = float(weight), 1.0 - float(weight)
        elif train.size >= min_matches:
            fitted = LogOpinionPool(free=free).fit(m[train], q[train], y[train])
            a, b = fitted.model_weight_, fitted.market_weight_
        else:
            a, b = float(initial_weight), 1.0 - float(initial_weight)
        out[rows] = pool(m[rows], q[rows], a, b)
        weight_a[rows], weight_b[rows] = a, b
    return out, weight_a, weight_b
