"""Drawing match scores from score matrices by inverse CDF, vectorised over simulations and matches.

One random 32-bit integer decides one match's score. Feeding the same random integers to two sets of
matrices (two rotation plans, a baseline and a what-if) gives common random numbers: where the matrices
agree the simulated scores agree exactly, so differences between scenarios are not Monte Carlo noise.
Cells are taken in row-major order (home goals, then away goals), so a stronger side does not always get
a better result from the same number; a caller that needs that monotonicity orders the cells by goal
difference first (as :mod:`matchday.decide.season_plan` does for the club whose lineup changes).

Working on integers keeps the hot loop to shifts, adds, gathers and compares (no float multiply and cast
per draw): the inverse CDF is exact on a grid of 2**32 points.
"""

from __future__ import annotations

import numpy as np

_SCALE = 2.0**32
_GUIDE_BITS = 8  # a 256-entry guide table per match: small enough to stay in cache


def random_bits(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Uniform random uint32 numbers: the raw material of :func:`sample_scores`."""
    return rng.integers(0, 2**32, size=shape, dtype=np.uint32)


class ScoreSampler:
    """Inverse-CDF sampler for a fixed set of m score matrices ((m, G+1, G+1), rows = home goals).

    Each matrix is renormalised (a truncated matrix loses a little tail mass).
    """

    def __init__(self, probabilities: np.ndarray) -> None:
        probabilities = np.asarray(probabilities, dtype=np.float64)
        if probabilities.ndim != 3:
            raise ValueError("score matrices must have shape (m, G+1, G+1)")
        m, rows, cols = probabilities.shape
        self.n_matches, self.n_cols, self.cells = m, cols, rows * cols
        cdf = np.cumsum(probabilities.reshape(m, -1), axis=1)
        total = cdf[:, -1:]
        if m and np.any(~(total > 0)):
            raise ValueError("a score matrix has no probability mass")
        cdf = cdf / total
        # cell c is drawn when cdf[c-1] <= u < cdf[c] on the 2**32 grid; the last cell takes the rest
        self._cdf = np.minimum(np.floor(cdf * _SCALE), _SCALE - 1).astype(np.uint32)
        self._cdf[:, -1] = np.uint32(2**32 - 1)
        grid = 1 << _GUIDE_BITS
        points = np.arange(grid, dtype=np.uint64) << np.uint64(32 - _GUIDE_BITS)
        shift = np.arange(m, dtype=np.uint64)[:, None] << np.uint64(32)
        # first cell whose cdf exceeds the grid point, as a flat index into the (m * cells) array
        self._guide = np.searchsorted(
            (self._cdf.astype(np.uint64) + shift).ravel(), (points[None, :] + shift).ravel(), side="right"
        ).astype(np.uint32)
        self._last = (np.arange(m, dtype=np.uint32) + 1) * self.cells - 1

    def sample(self, bits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Home and away goals (int8 arrays shaped like ``bits``, (S, m)) for uint32 random numbers;
        column r is drawn from matrix r."""
        if bits.ndim != 2 or bits.shape[-1] != self.n_matches or bits.dtype != np.uint32:
            raise ValueError(f"need uint32 random numbers of shape (S, {self.n_matches})")
        match_of = np.broadcast_to(np.arange(self.n_matches, dtype=np.uint32), bits.shape).ravel()
        home, away = self._draw(bits.ravel(), match_of)
        return home.reshape(bits.shape), away.reshape(bits.shape)

    def sample_rows(self, bits: np.ndarray, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Goals for 1-D uint32 numbers where row k is drawn from matrix ``index[k]``."""
        if bits.ndim != 1 or bits.dtype != np.uint32 or np.shape(index) != bits.shape:
            raise ValueError("need 1-D uint32 random numbers and one matrix index per number")
        return self._draw(bits, np.asarray(index, dtype=np.uint32))

    @staticmethod
    def bits_from_uniforms(u: np.ndarray) -> np.ndarray:
        """uint32 numbers from uniforms on [0, 1) (for callers that keep float random streams)."""
        return np.minimum(np.floor(np.asarray(u, dtype=np.float64) * _SCALE), _SCALE - 1).astype(np.uint32)

    def _draw(self, u: np.ndarray, match_of: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        guide_index = (u >> np.uint32(32 - _GUIDE_BITS)) + (match_of << np.uint32(_GUIDE_BITS))
        last = self._last[match_of]
        flat = np.minimum(self._guide[guide_index], last)
        cdf = self._cdf.ravel()
        active = np.flatnonzero(cdf[flat] <= u)
        active = active[flat[active] < last[active]]
        while active.size:  # a few draws per bin step past CDF values inside their guide bin
            flat[active] += 1
            keep = (flat[active] < last[active]) & (cdf[flat[active]] <= u[active])
            active = active[keep]
        cell = flat - match_of * np.uint32(self.cells)
        return (cell // self.n_cols).astype(np.int8), (cell % self.n_cols).astype(np.int8)
