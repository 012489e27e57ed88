"""Drawing match scores from a :class:`~matchday.models.grid.ScoreGrid` by inverse CDF: the one sampler.

One random 32-bit integer decides one match's score. Feeding the same random integers to two grids (two
rotation plans, a baseline and a what-if) gives common random numbers: where the grids agree the simulated
scores agree exactly, so differences between scenarios are not Monte Carlo noise.

**Cell order.** The inverse CDF walks the score cells in an order chosen per fixture:

* ``"row"`` (default): home goals, then away goals (row-major);
* ``"home_margin"``: the home side's goal difference, then its goals;
* ``"away_margin"``: the away side's goal difference, then its goals.

With a margin order the coupling is monotone for that side: on the same random number, a grid that is
better for it in the stochastic order of goal difference never gives it a worse goal difference (the
rotation plans use it for the club whose lineup changes). Row order is what season simulations, ties and
brackets use.

Working on integers keeps the hot loop to shifts, adds, gathers and compares (no float multiply and cast
per draw): the inverse CDF is exact on a grid of 2**32 points. Float uniforms (the knockout simulations
keep float streams) are mapped onto that grid by :meth:`ScoreSampler.bits_from_uniforms`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matchday.models.grid import ScoreGrid

_SCALE = 2.0**32
_GUIDE_BITS = 8  # a 256-entry guide table per match: small enough to stay in cache
CELL_ORDERS: tuple[str, ...] = ("row", "home_margin", "away_margin")


def random_bits(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Uniform random uint32 numbers: the raw material of :class:`ScoreSampler`."""
    return rng.integers(0, 2**32, size=shape, dtype=np.uint32)


def cell_orders(size: int) -> np.ndarray:
    """``(3, size * size)``: the flat cell indices of a ``(size, size)`` grid in each of :data:`CELL_ORDERS`."""
    home, away = np.meshgrid(np.arange(size), np.arange(size), indexing="ij")
    home, away = home.ravel(), away.ravel()
    return np.stack([np.arange(size * size), np.lexsort((home, home - away)), np.lexsort((away, away - home))])


class ScoreSampler:
    """Inverse-CDF sampler for the ``m`` fixtures of a grid (each matrix is renormalised).

    order: one of :data:`CELL_ORDERS` for every fixture, or one per fixture.
    """

    def __init__(self, grid: ScoreGrid, order: str | Sequence[str] = "row") -> None:
        if not isinstance(grid, ScoreGrid):
            raise TypeError(f"ScoreSampler samples a ScoreGrid (got {type(grid).__name__})")
        probabilities = grid.probabilities
        m, rows, cols = probabilities.shape
        self.n_matches, self.n_cols, self.cells = m, cols, rows * cols
        codes = self._order_codes(order, m)
        flat = probabilities.reshape(m, rows * cols)  # also for m = 0 (a club with no league match left)
        self._cell: np.ndarray | None = None
        if np.any(codes != 0):
            self._cell = cell_orders(rows)[codes].astype(np.uint32)  # position in the walk -> cell
            flat = np.take_along_axis(flat, self._cell.astype(np.int64), axis=1)
        cdf = np.cumsum(flat, axis=1)
        total = cdf[:, -1:]
        if m and np.any(~(total > 0)):
            raise ValueError("a score matrix has no probability mass")
        cdf = cdf / total
        # position c is drawn when cdf[c-1] <= u < cdf[c] on the 2**32 grid; the last one takes the rest
        self._cdf = np.minimum(np.floor(cdf * _SCALE), _SCALE - 1).astype(np.uint32)
        self._cdf[:, -1] = np.uint32(2**32 - 1)
        grid_points = 1 << _GUIDE_BITS
        points = np.arange(grid_points, dtype=np.uint64) << np.uint64(32 - _GUIDE_BITS)
        shift = np.arange(m, dtype=np.uint64)[:, None] << np.uint64(32)
        # first position whose cdf exceeds the grid point, as a flat index into the (m * cells) array
        self._guide = np.searchsorted(
            (self._cdf.astype(np.uint64) + shift).ravel(), (points[None, :] + shift).ravel(), side="right"
        ).astype(np.uint32)
        self._last = (np.arange(m, dtype=np.uint32) + 1) * self.cells - 1

    @staticmethod
    def _order_codes(order: str | Sequence[str], m: int) -> np.ndarray:
        names = [order] * m if isinstance(order, str) else list(order)
        if len(names) != m:
            raise ValueError(f"need one cell order per fixture ({m}); got {len(names)}")
        unknown = sorted(set(names) - set(CELL_ORDERS))
        if unknown:
            raise ValueError(f"unknown cell order {unknown[0]!r}; use one of {', '.join(CELL_ORDERS)}")
        return np.array([CELL_ORDERS.index(name) for name in names], dtype=np.int64)

    def sample(self, bits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Home and away goals (int8 arrays shaped like ``bits``, (S, m)) for uint32 random numbers;
        column r is drawn from fixture r."""
        if bits.ndim != 2 or bits.shape[-1] != self.n_matches or bits.dtype != np.uint32:
            raise ValueError(f"need uint32 random numbers of shape (S, {self.n_matches})")
        match_of = np.broadcast_to(np.arange(self.n_matches, dtype=np.uint32), bits.shape).ravel()
        home, away = self._draw(bits.ravel(), match_of)
        return home.reshape(bits.shape), away.reshape(bits.shape)

    def sample_rows(self, bits: np.ndarray, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Goals for 1-D uint32 numbers where row k is drawn from fixture ``index[k]``."""
        if bits.ndim != 1 or bits.dtype != np.uint32 or np.shape(index) != bits.shape:
            raise ValueError("need 1-D uint32 random numbers and one fixture index per number")
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
        position = flat - match_of * np.uint32(self.cells)
        cell = position if self._cell is None else self._cell[match_of, position]
        return (cell // self.n_cols).astype(np.int8), (cell % self.n_cols).astype(np.int8)


def sample_scores(grid: ScoreGrid, n_sims: int, seed: int | None = 0, order: str | Sequence[str] = "row"
                  ) -> tuple[np.ndarray, np.ndarray]:
    """``n_sims`` seeded draws of every fixture of ``grid``: (home goals, away goals), int8 ``(n_sims, n)``.

    The same seed gives the same scores; two grids sampled with the same seed share their random numbers.
    """
    if int(n_sims) != n_sims or n_sims < 1:
        raise ValueError(f"n_sims must be a positive integer (got {n_sims!r})")
    bits = random_bits(np.random.default_rng(seed), (int(n_sims), len(grid)))
    return ScoreSampler(grid, order).sample(bits)
