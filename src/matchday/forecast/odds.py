"""Decimal odds <-> outcome probabilities, with the bookmaker's margin removed or added.

Arrays of odds have shape ``(..., k)``: one row per market (a match's 1X2 has ``k = 3``), one column
per outcome. Everything is vectorised over rows; a row holding any NaN gives NaN in every output of
that row (missing prices in football-data files), other rows are unaffected. Odds must be decimal
(European) prices greater than 1.

Notation: ``pi_i = 1 / o_i`` are the raw implied probabilities and ``B = sum(pi_i)`` the booksum
(overround; ``B - 1`` is the margin). Margin-removal methods, each returning the probabilities and the
fitted parameter of the method:

``multiplicative``  ``p_i = pi_i / B``. Parameter: ``B``.
``additive``        ``p_i = pi_i - c`` with the same ``c`` for every outcome, ``sum p = 1``. When that would
                    make a long shot negative, the probability is clipped at 0 and ``c`` is re-solved among
                    the remaining outcomes, i.e. ``p_i = max(pi_i - c, 0)``: the Euclidean projection of
                    ``pi`` onto the probability simplex. Parameter: ``c`` (= ``(B - 1) / k`` when nothing
                    is clipped).
``power``           ``p_i = pi_i ** kappa`` with ``kappa`` solving ``sum pi_i ** kappa = 1`` (``kappa > 1``
                    when ``B > 1``). Parameter: ``kappa``.
``shin``            Shin (1992, 1993), in the form of Jullien & Salanie (1994) and Strumbelj (2014):
                    ``p_i = (sqrt(z**2 + 4 (1 - z) pi_i**2 / B) - z) / (2 (1 - z))`` with the insider
                    share ``z`` solving ``sum p_i = 1``. Parameter: ``z`` (``0 <= z < 1`` when ``B >= 1``;
                    a book with ``B < 1``, e.g. best prices across bookmakers, gives ``z < 0``, outside
                    Shin's model: an extrapolation).

Power and Shin move probability from long shots to favourites relative to the multiplicative method
(the favourite-longshot bias). Their parameters are found by a vectorised, bracketed Newton iteration
over all rows at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

METHODS: tuple[str, ...] = ("multiplicative", "additive", "power", "shin")


class MarginRemoval(NamedTuple):
    """Result of :func:`remove_margin`."""

    probabilities: FloatArray  # (..., k), each valid row sums to 1
    parameter: FloatArray  # (...): B, c, kappa or z (see the module docstring)


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise ValueError(f"unknown margin method {method!r}; choose one of {', '.join(METHODS)}")


def _as_rows(values: npt.ArrayLike, what: str) -> tuple[FloatArray, npt.NDArray[np.bool_], tuple[int, ...]]:
    """Values as (n, k) rows, a mask of rows without NaN, and the original shape."""
    array = np.asarray(values, dtype=float)
    if array.ndim == 0 or array.shape[-1] < 2:
        raise ValueError(f"{what} must have shape (..., k) with k >= 2 outcomes; got shape {array.shape}")
    rows = array.reshape(-1, array.shape[-1])
    valid = ~np.isnan(rows).any(axis=1)
    return rows, valid, array.shape


def _first_bad(rows: FloatArray, bad: npt.NDArray[np.bool_], what: str, expected: str) -> None:
    if np.any(bad):
        row, column = np.argwhere(bad)[0]
        raise ValueError(
            f"{what}: row {row}, outcome {column} is {float(rows[row, column])!r}; expected {expected}"
        )


def _as_odds(odds: npt.ArrayLike) -> tuple[FloatArray, npt.NDArray[np.bool_], tuple[int, ...]]:
    rows, valid, shape = _as_rows(odds, "odds")
    _first_bad(rows, ~np.isnan(rows) & ~(np.isfinite(rows) & (rows > 1.0)), "odds", "decimal odds > 1")
    return rows, valid, shape


def _solve_decreasing(
    function: Callable[[FloatArray], tuple[FloatArray, FloatArray]],
    lower: FloatArray,
    upper: FloatArray,
    start: FloatArray,
    tolerance: float = 1e-15,
    max_iterations: int = 200,
) -> FloatArray:
    """Roots of decreasing functions, one per row, by Newton's method kept inside a bracket.

    ``function(x)`` returns values and derivatives for all rows; ``f(lower) >= 0 >= f(upper)``. A Newton
    step that leaves the current bracket is replaced by bisection, so every row converges.
    """
    x = np.clip(start, lower, upper)
    lower, upper = lower.copy(), upper.copy()
    for _ in range(max_iterations):
        value, slope = function(x)
        done = (np.abs(value) <= tolerance) | (upper - lower <= tolerance * np.maximum(1.0, np.abs(x)))
        if np.all(done):
            break
        lower = np.where(value > 0, x, lower)
        upper = np.where(value < 0, x, upper)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = x - value / slope
        outside = ~np.isfinite(newton) | (newton <= lower) | (newton >= upper)
        x = np.where(done, x, np.where(outside, 0.5 * (lower + upper), newton))
    return x


def _shin_probabilities(
    implied: FloatArray, booksum: FloatArray, z: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Shin probabilities (n, k) for insider shares z (n,) and their derivative in z."""
    a = implied**2 / booksum[:, None]
    z = z[:, None]
    root = np.sqrt(z**2 + 4.0 * (1.0 - z) * a)
    p = (root - z) / (2.0 * (1.0 - z))
    d_root = (z - 2.0 * a) / root
    dp = ((d_root - 1.0) * (1.0 - z) + (root - z)) / (2.0 * (1.0 - z) ** 2)
    return p, dp


def _remove_rows(implied: FloatArray, method: str) -> tuple[FloatArray, FloatArray]:
    """Margin removal on valid rows of raw implied probabilities (n, k)."""
    n, k = implied.shape
    booksum = implied.sum(axis=1)
    if method == "multiplicative":
        return implied / booksum[:, None], booksum
    if method == "additive":
        # Euclidean projection onto the simplex (sort-based, Duchi et al. 2008): p = max(pi - c, 0)
        descending = -np.sort(-implied, axis=1)
        excess = np.cumsum(descending, axis=1) - 1.0
        positions = np.arange(1, k + 1)
        kept = (descending - excess / positions) > 0  # a True prefix
        count = kept.sum(axis=1)
        shift = excess[np.arange(n), count - 1] / count
        return np.maximum(implied - shift[:, None], 0.0), shift
    if method == "power":
        log_implied = np.log(implied)

        def power_equation(kappa: FloatArray) -> tuple[FloatArray, FloatArray]:
            powered = implied ** kappa[:, None]
            return powered.sum(axis=1) - 1.0, (powered * log_implied).sum(axis=1)

        # k * max(pi)**kappa <= 1 beyond this kappa, so the sum is below 1 there
        upper = np.log(k) / -np.log(implied.max(axis=1)) + 1.0
        kappa = _solve_decreasing(power_equation, np.zeros(n), upper, np.ones(n))
        p = implied ** kappa[:, None]
        return p / p.sum(axis=1, keepdims=True), kappa

    # shin
    def shin_equation(z: FloatArray) -> tuple[FloatArray, FloatArray]:
        p, dp = _shin_probabilities(implied, booksum, z)
        return p.sum(axis=1) - 1.0, dp.sum(axis=1)

    # sum p = sqrt(B) at z = 0, below 1 as z -> 1, and >= k/2 >= 1 at z = -1
    above = booksum >= 1.0
    lower = np.where(above, 0.0, -1.0)
    upper = np.where(above, 1.0, 0.0)
    z = _solve_decreasing(shin_equation, lower, upper, np.zeros(n))
    p, _ = _shin_probabilities(implied, booksum, z)
    return p / p.sum(axis=1, keepdims=True), z


def overround(odds: npt.ArrayLike) -> FloatArray:
    """Booksum ``sum(1 / odds)`` over the last axis (1.05 = 5% margin); NaN for rows with a NaN."""
    rows, _, shape = _as_odds(odds)
    return (1.0 / rows).sum(axis=1).reshape(shape[:-1])


def implied_probabilities(odds: npt.ArrayLike) -> FloatArray:
    """Raw implied probabilities ``1 / odds`` (margin still included)."""
    rows, _, shape = _as_odds(odds)
    return (1.0 / rows).reshape(shape)


def remove_margin(odds: npt.ArrayLike, method: str = "multiplicative") -> MarginRemoval:
    """Outcome probabilities from decimal odds ``(..., k)`` with the margin removed by ``method``.

    Returns :class:`MarginRemoval` ``(probabilities (..., k), parameter (...))``; rows with any NaN give
    NaN. See the module docstring for the methods and their parameters.
    """
    _check_method(method)
    rows, valid, shape = _as_odds(odds)
    probabilities = np.full(rows.shape, np.nan)
    parameter = np.full(rows.shape[0], np.nan)
    if np.any(valid):
        probabilities[valid], parameter[valid] = _remove_rows(1.0 / rows[valid], method)
    return MarginRemoval(probabilities.reshape(shape), parameter.reshape(shape[:-1]))


def odds_from_probabilities(
    p: npt.ArrayLike, margin: npt.ArrayLike = 0.0, method: str = "multiplicative"
) -> FloatArray:
    """Decimal odds that carry ``margin`` (booksum - 1, e.g. 0.05) on probabilities ``p`` ``(..., k)``.

    The inverse of :func:`remove_margin`: ``remove_margin(odds_from_probabilities(p, m, method),
    method)`` gives back ``p``, and the odds' overround is ``1 + m``. ``margin`` is a scalar or one value
    per row. Each valid row of ``p`` must sum to 1 (within 1e-6). ``power`` and ``shin`` need every
    probability strictly between 0 and 1; ``shin`` needs ``margin >= 0``. A margin so large that some
    price would fall to 1 or below raises ``ValueError``.
    """
    _check_method(method)
    rows, valid, shape = _as_rows(p, "probabilities")
    n, k = rows.shape
    margins = np.broadcast_to(np.asarray(margin, dtype=float), shape[:-1]).reshape(n)
    valid &= ~np.isnan(margins)
    probs, m = rows[valid], margins[valid]
    _first_bad(m[:, None], m[:, None] <= -1.0, "margin", "margin > -1 (booksum > 0)")
    _first_bad(probs, (probs < 0) | (probs > 1), "probabilities", "a value in [0, 1]")
    sums = probs.sum(axis=1)
    if np.any(np.abs(sums - 1.0) > 1e-6):
        row = int(np.flatnonzero(np.abs(sums - 1.0) > 1e-6)[0])
        raise ValueError(f"probabilities: row {row} sums to {float(sums[row])!r}; expected 1")
    if method in ("power", "shin"):
        _first_bad(probs, (probs <= 0) | (probs >= 1), f"probabilities for method {method!r}", "0 < p < 1")

    if method == "multiplicative":
        implied = probs * (1.0 + m[:, None])
    elif method == "additive":
        implied = probs + m[:, None] / k
    elif method == "power":
        log_p = np.log(probs)
        target = 1.0 + m

        def power_equation(exponent: FloatArray) -> tuple[FloatArray, FloatArray]:
            powered = probs ** exponent[:, None]
            return powered.sum(axis=1) - target, (powered * log_p).sum(axis=1)

        # pi_i = p_i ** u with u = 1 / kappa; sum p**u = k at u = 0 and = 1 at u = 1
        _first_bad(target[:, None], target[:, None] >= k, "margin", f"booksum below k = {k}")
        upper = np.maximum(1.0, np.log(k / target) / -np.log(probs.max(axis=1))) + 1.0
        exponent = _solve_decreasing(power_equation, np.zeros(len(m)), upper, np.ones(len(m)))
        implied = probs ** exponent[:, None]
    else:  # shin: pi_i = S * sqrt(z p_i + (1 - z) p_i**2) with S = sum_j sqrt(...) = sqrt(B)
        _first_bad(m[:, None], m[:, None] < 0, "margin", "margin >= 0 for the Shin method")
        target = np.sqrt(1.0 + m)
        largest = np.sqrt(probs).sum(axis=1) ** 2 - 1.0
        _first_bad(m[:, None], m[:, None] >= largest[:, None], "margin", "a margin the Shin model can reach")
        spread = probs - probs**2

        def shin_equation(z: FloatArray) -> tuple[FloatArray, FloatArray]:
            roots = np.sqrt(z[:, None] * spread + probs**2)
            return target - roots.sum(axis=1), -(spread / (2.0 * roots)).sum(axis=1)

        z = _solve_decreasing(shin_equation, np.zeros(len(m)), np.ones(len(m)), np.zeros(len(m)))
        roots = np.sqrt(z[:, None] * spread + probs**2)
        implied = roots * roots.sum(axis=1, keepdims=True)

    _first_bad(
        implied,
        (implied >= 1.0) | (implied < 0.0),
        f"implied probabilities ({method})",
        "a margin that keeps every price above 1",
    )
    odds = np.full(rows.shape, np.nan)
    with np.errstate(divide="ignore"):
        odds[valid] = 1.0 / implied
    return odds.reshape(shape)
