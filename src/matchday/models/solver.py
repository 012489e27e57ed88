"""The one optimiser of the package: Newton's method with a line search and an active set.

Every maximum-likelihood fit of a model (the team parameters of the goal models, Elo's mapping from rating
difference to goals, the shots model's rho on real goals) minimises a smooth function ``F`` whose exact
gradient and Hessian it can compute, some of whose parameters are bounded (rho, a dispersion). :func:`newton`
is that minimiser: a Newton step from a Cholesky solve (damped towards gradient descent where the Hessian is
not positive definite), backtracking until the Armijo condition holds, and parameters on a bound with the
gradient pushing outwards held fixed (the active set). :func:`lbfgs` runs SciPy's L-BFGS-B on the same
objective, as an independent check.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: evaluate(theta, curvature) -> (F, dF/dtheta, state); hessian(state) -> d2F/dtheta2
Evaluate = Callable[[np.ndarray, bool], tuple[float, np.ndarray, Any]]
Hessian = Callable[[Any], np.ndarray]

BLAS_SINGLE_THREAD_FROM = 150  # parameters; below this LAPACK does not thread anyway


@dataclass
class Solution:
    """Where a minimisation stopped: ``theta``, ``objective`` = F(theta), ``state`` = what ``evaluate``
    returned there, iterations, function evaluations, whether it converged and why it stopped."""

    theta: np.ndarray
    objective: float
    state: Any
    n_iter: int
    n_eval: int
    converged: bool
    message: str


def bounds_arrays(size: int, bounded: Sequence[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    """(lower, upper) of ``size`` parameters whose last ``len(bounded)`` ones have the given bounds."""
    lower = np.full(size, -np.inf)
    upper = np.full(size, np.inf)
    first = size - len(bounded)
    for j, (lo, hi) in enumerate(bounded):
        lower[first + j], upper[first + j] = lo, hi
    return lower, upper


def newton(evaluate: Evaluate, hessian: Hessian, theta0: np.ndarray, lower: np.ndarray, upper: np.ndarray, *,
           tol: float, max_iter: int, null: np.ndarray | None = None) -> Solution:
    """Minimise F by Newton's method on the exact Hessian, with backtracking, Levenberg damping where the
    Hessian is not positive definite, and an active set for bounded parameters.

    Converged when the largest (projected) gradient component is below ``tol`` or the predicted gain (half
    the Newton decrement) is below 1e-12. Large problems run with single-threaded BLAS
    (:func:`single_threaded_blas`). ``null``: columns spanning directions along which F is flat (a
    likelihood invariant to a shift of all attacks against the intercept); they are added to the Newton
    system as a rank term, so the step never moves along them. Convergence is quadratic: from a moment
    start it takes 3-5 Hessians; at ``|gradient| <= 1e-4`` the objective is within ~1e-8 of its optimum.
    """
    with single_threaded_blas(np.size(theta0)):
        return _newton(evaluate, hessian, theta0, lower, upper, tol=tol, max_iter=max_iter, null=null)


def _newton(evaluate: Evaluate, hessian: Hessian, theta0: np.ndarray, lower: np.ndarray, upper: np.ndarray, *,
            tol: float, max_iter: int, null: np.ndarray | None) -> Solution:
    theta = np.clip(np.asarray(theta0, dtype=float), lower, upper)
    evaluations = 1
    f, g, state = evaluate(theta, True)
    message = "maximum iterations reached"
    converged = False
    iteration = 0
    for iteration in range(max_iter + 1):  # noqa: B007 (reported as n_iter)
        # bounded parameters sitting on a bound with the gradient pushing outwards are held fixed
        free = ~(((theta <= lower) & (g > 0)) | ((theta >= upper) & (g < 0)))
        if not np.all(np.isfinite(g)):
            message = "non-finite gradient"
            break
        if float(np.abs(g[free]).max(initial=0.0)) <= tol:
            converged, message = True, "converged"
            break
        if iteration == max_iter:
            break
        h = hessian(state)
        hm = h[np.ix_(free, free)] if not free.all() else h
        gm = g[free]
        if null is not None:
            vm = null[free]
            hm = hm + (np.trace(hm) / len(gm)) * (vm @ vm.T)
        direction = np.zeros(theta.size)
        direction[free] = newton_step(hm, gm)
        decrement = -float(np.dot(g, direction))
        if decrement <= 2e-12:
            converged, message = True, "converged"
            break
        step = 1.0
        accepted = False
        while step > 1e-10:
            trial = np.clip(theta + step * direction, lower, upper)
            evaluations += 1
            ft, gt, st = evaluate(trial, True)
            if np.isfinite(ft) and ft <= f - 1e-4 * step * decrement:
                accepted = True
                break
            step *= 0.5
        if not accepted:
            converged = bool(decrement < 1e-8)
            message = "line search stalled" + (" at the optimum" if converged else "")
            break
        theta, f, g, state = trial, ft, gt, st
    return Solution(theta, f, state, iteration, evaluations, converged, message)


def newton_step(hess: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """Solve hess @ step = -grad by Cholesky, so the step is a descent direction.

    A ridge of 1e-10 of the largest curvature keeps exactly flat directions (leagues with no match
    between them: only their relative level is free) from turning rounding noise into large steps; if
    the Hessian is not positive definite (far from the optimum), the ridge grows (Levenberg-Marquardt).
    """
    from scipy.linalg import lapack

    scale = max(float(np.abs(np.diag(hess)).max(initial=0.0)), 1e-12)
    damping = scale * 1e-10
    diagonal = np.arange(len(grad))
    for _ in range(30):
        matrix = hess.copy()
        matrix[diagonal, diagonal] += damping
        _, step, info = lapack.dposv(matrix, -grad, overwrite_a=True)
        if info == 0 and np.all(np.isfinite(step)):
            return step
        damping *= 100.0
    return -grad / scale


def lbfgs(evaluate: Evaluate, theta0: np.ndarray, lower: np.ndarray, upper: np.ndarray, *, tol: float,
          max_iter: int) -> Solution:
    """SciPy L-BFGS-B on the same objective and exact gradient (an independent check of :func:`newton`)."""
    from scipy.optimize import minimize

    bounds = [(None if np.isinf(lo) else lo, None if np.isinf(hi) else hi) for lo, hi in zip(lower, upper, strict=True)]
    calls = [0]

    def value_and_gradient(theta: np.ndarray) -> tuple[float, np.ndarray]:
        calls[0] += 1
        f, g, _ = evaluate(theta, False)
        return f, g

    result = minimize(value_and_gradient, theta0, jac=True, method="L-BFGS-B", bounds=bounds,
                      options={"maxiter": max(max_iter, 15000), "gtol": max(tol, 1e-10), "ftol": 1e-15,
                               "maxcor": 30})
    theta = np.asarray(result.x, dtype=float)
    f, _, state = evaluate(theta, False)
    return Solution(theta, f, state, int(result.nit), calls[0] + 1, bool(result.success), str(result.message))


def single_threaded_blas(size: int) -> contextlib.AbstractContextManager:
    """BLAS limited to one thread for the dense solves of a large fit, if threadpoolctl is installed.

    Why: a joint fit of all leagues solves ~400 x 400 systems; a multi-threaded OpenBLAS on a busy
    2-core machine spends seconds synchronising threads on them (measured: 1.6 s per Cholesky against
    10 ms with one thread). Small fits are unaffected, so the (millisecond) threadpoolctl scan is skipped
    for them.
    """
    if size < BLAS_SINGLE_THREAD_FROM:
        return contextlib.nullcontext()
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")
