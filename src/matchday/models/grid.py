"""ScoreGrid: the one type for score-probability matrices, what every model predicts.

A grid holds ``n`` fixtures' 90-minute score distributions, ``probabilities[k, i, j]`` = P(home side of
fixture k scores i, away side j), shape ``(n, G+1, G+1)``, with row/column ``G`` = "G or more" (models fold
the tail in, so each matrix sums to 1 up to rounding), and each fixture's exact expected goals
(``home_expected_goals``, ``away_expected_goals``, goals per 90 minutes; not the censored matrix's mean).
Simulations read the expected goals for extra time; markets read the matrices.

Markets are methods that call :mod:`matchday.forecast.markets`, where each market is computed once
(the grid is the models layer's output; the market arithmetic is the forecast layer's, imported when a
market is asked for)::

    grid = model.predict_many(home_ids, away_ids, neutral)     # ScoreGrid of len(home_ids) fixtures
    grid.outcomes()                                            # (n, 3): home win, draw, away win
    grid.expected_points()                                     # (n, 2)
    grid.totals([2.5]).over                                    # (n, 1)
    grid[0].markets_table()                                    # one fixture's summary table

Build grids with :meth:`ScoreGrid.from_rates` (independent Poisson), :meth:`ScoreGrid.from_matrices`
(validated arrays) or a model; combine them with :meth:`take`, :meth:`transposed`, :meth:`concat`,
:meth:`averaged_with` and :meth:`conditioned`. Sampling lives in :mod:`matchday.simulate.sampling`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from matchday.models.distributions import independent_matrix, poisson_pmf

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from matchday.forecast.markets import OverUnder, Settlement

DEFAULT_MAX_GOALS = 10


@dataclass(frozen=True, eq=False)
class ScoreGrid:
    """Score distributions of ``n`` fixtures (see the module docstring).

    probabilities: ``(n, G+1, G+1)`` non-negative, finite; home goals along axis 1.
    home_expected_goals / away_expected_goals: ``(n,)`` exact expected goals per 90 minutes.
    """

    probabilities: np.ndarray
    home_expected_goals: np.ndarray
    away_expected_goals: np.ndarray

    def __post_init__(self) -> None:
        p = np.asarray(self.probabilities, dtype=float)
        if p.ndim != 3 or p.shape[1] != p.shape[2] or p.shape[1] < 2:
            raise ValueError(f"a score grid has shape (n, G+1, G+1) with G >= 1; got {p.shape}")
        ok = np.isfinite(p) & (p >= 0)
        if not ok.all():
            bad = int(np.flatnonzero(~ok.all(axis=(1, 2)))[0])
            raise ValueError(f"score matrix {bad} must hold finite, non-negative probabilities")
        home = np.asarray(self.home_expected_goals, dtype=float).reshape(-1)
        away = np.asarray(self.away_expected_goals, dtype=float).reshape(-1)
        if home.shape != (p.shape[0],) or away.shape != (p.shape[0],):
            raise ValueError(f"expected goals need one value per fixture ({p.shape[0]}); got {home.shape}, "
                             f"{away.shape}")
        object.__setattr__(self, "probabilities", p)
        object.__setattr__(self, "home_expected_goals", home)
        object.__setattr__(self, "away_expected_goals", away)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_matrices(cls, matrices: npt.ArrayLike, home_expected_goals: npt.ArrayLike | None = None,
                      away_expected_goals: npt.ArrayLike | None = None) -> ScoreGrid:
        """A grid from one ``(G+1, G+1)`` matrix or a ``(n, G+1, G+1)`` stack (not renormalised); expected
        goals default to each matrix's own means (which the censored last row/column understate)."""
        p = np.asarray(matrices, dtype=float)
        if p.ndim == 2:
            p = p[None]
        if p.ndim != 3 or p.shape[1] != p.shape[2]:
            raise ValueError(f"score matrices must have shape (G+1, G+1) or (n, G+1, G+1); got {p.shape}")
        goals = np.arange(p.shape[1], dtype=float)
        home = p.sum(axis=2) @ goals if home_expected_goals is None else home_expected_goals
        away = p.sum(axis=1) @ goals if away_expected_goals is None else away_expected_goals
        return cls(p, np.broadcast_to(np.asarray(home, dtype=float), p.shape[:1]),
                   np.broadcast_to(np.asarray(away, dtype=float), p.shape[:1]))

    @classmethod
    def from_rates(cls, home_rate: npt.ArrayLike, away_rate: npt.ArrayLike,
                   max_goals: int = DEFAULT_MAX_GOALS) -> ScoreGrid:
        """Independent Poisson goals with the given expected goals (broadcast together), censored at G."""
        home, away = np.broadcast_arrays(np.asarray(home_rate, dtype=float).reshape(-1),
                                         np.asarray(away_rate, dtype=float).reshape(-1))
        if not (np.all(np.isfinite(home)) and np.all(np.isfinite(away)) and np.all(home >= 0) and np.all(away >= 0)):
            raise ValueError("expected goals must be finite and non-negative")
        return cls(independent_matrix(poisson_pmf(home, max_goals), poisson_pmf(away, max_goals)), home, away)

    @classmethod
    def concat(cls, grids: Sequence[ScoreGrid]) -> ScoreGrid:
        """One grid of every fixture of ``grids`` in order (smaller grids padded with zeros to the largest G)."""
        if not grids:
            raise ValueError("no score grids given")
        size = max(g.max_goals for g in grids) + 1
        parts = []
        for grid in grids:
            pad = size - grid.max_goals - 1
            parts.append(np.pad(grid.probabilities, ((0, 0), (0, pad), (0, pad))) if pad else grid.probabilities)
        return cls(np.concatenate(parts), np.concatenate([g.home_expected_goals for g in grids]),
                   np.concatenate([g.away_expected_goals for g in grids]))

    # ------------------------------------------------------------------ shape and selection
    def __len__(self) -> int:
        return self.probabilities.shape[0]

    @property
    def max_goals(self) -> int:
        """G: the last row/column means "G or more" goals."""
        return self.probabilities.shape[1] - 1

    def __getitem__(self, index: int | slice | npt.ArrayLike) -> ScoreGrid:
        """Fixtures ``index`` as a grid (an integer gives a grid of one fixture)."""
        if isinstance(index, int | np.integer):
            index = [int(index)]
        return ScoreGrid(self.probabilities[index], self.home_expected_goals[index], self.away_expected_goals[index])

    def take(self, index: npt.ArrayLike) -> ScoreGrid:
        """Fixtures ``index`` (integer array, repeats allowed) as a grid."""
        return self[np.asarray(index, dtype=np.int64)]

    def transposed(self) -> ScoreGrid:
        """The same fixtures written the other way round (home and away swapped)."""
        return ScoreGrid(np.swapaxes(self.probabilities, 1, 2), self.away_expected_goals, self.home_expected_goals)

    def normalized(self) -> ScoreGrid:
        """Each matrix divided by its total, so that it sums to exactly 1."""
        totals = self.probabilities.sum(axis=(1, 2))
        if np.any(totals <= 0):
            raise ValueError(f"score matrix {int(np.flatnonzero(totals <= 0)[0])} has no probability mass")
        return ScoreGrid(self.probabilities / totals[:, None, None], self.home_expected_goals,
                         self.away_expected_goals)

    def averaged_with(self, other: ScoreGrid) -> ScoreGrid:
        """The fixture-by-fixture mean of two grids of the same shape (e.g. a neutral replay: a leg and the
        other leg transposed)."""
        if other.probabilities.shape != self.probabilities.shape:
            raise ValueError(f"grids of shape {self.probabilities.shape} and {other.probabilities.shape} differ")
        return ScoreGrid(0.5 * (self.probabilities + other.probabilities),
                         0.5 * (self.home_expected_goals + other.home_expected_goals),
                         0.5 * (self.away_expected_goals + other.away_expected_goals))

    def conditioned(self, fixture: int, allowed: np.ndarray) -> ScoreGrid:
        """The grid with fixture ``fixture`` restricted to the ``allowed`` scores (a ``(G+1, G+1)`` boolean
        mask) and renormalised: the distribution given that condition."""
        kept = self.probabilities[fixture] * np.asarray(allowed, dtype=bool)
        total = kept.sum()
        if total <= 0:
            raise ValueError(f"the condition leaves fixture {fixture} no possible score")
        probabilities = self.probabilities.copy()
        probabilities[fixture] = kept / total
        goals = np.arange(self.max_goals + 1, dtype=float)
        home, away = self.home_expected_goals.copy(), self.away_expected_goals.copy()
        home[fixture] = probabilities[fixture].sum(axis=1) @ goals
        away[fixture] = probabilities[fixture].sum(axis=0) @ goals
        return ScoreGrid(probabilities, home, away)

    def score_masks(self) -> tuple[np.ndarray, np.ndarray]:
        """(home goals, away goals) of every cell, ``(G+1, G+1)`` each: build condition masks from them."""
        goals = np.arange(self.max_goals + 1)
        return np.meshgrid(goals, goals, indexing="ij")

    # ------------------------------------------------------------------ markets (forecast/markets.py)
    def outcomes(self) -> np.ndarray:
        """1X2 probabilities ``(n, 3)``: home win, draw, away win."""
        from matchday.forecast.markets import outcome_probabilities

        return outcome_probabilities(self.probabilities)

    @property
    def home_win(self) -> np.ndarray:
        return self.outcomes()[:, 0]

    @property
    def draw(self) -> np.ndarray:
        return self.outcomes()[:, 1]

    @property
    def away_win(self) -> np.ndarray:
        return self.outcomes()[:, 2]

    def expected_points(self, win: float = 3.0, draw: float = 1.0) -> np.ndarray:
        """Expected league points ``(n, 2)`` of the home and the away side."""
        from matchday.forecast.markets import expected_points

        return expected_points(self.probabilities, win, draw)

    def totals(self, lines: npt.ArrayLike | None = None) -> OverUnder:
        """Over/under total goals at each line (multiples of 0.5; default ``DEFAULT_TOTAL_LINES``): ``(n, L)``."""
        from matchday.forecast.markets import DEFAULT_TOTAL_LINES, totals

        return totals(self.probabilities, DEFAULT_TOTAL_LINES if lines is None else lines)

    def asian_handicap(self, line: npt.ArrayLike, selection: str = "home") -> Settlement:
        """Asian handicap settlement (``line`` = the home side's handicap, football-data's ``AHh``)."""
        from matchday.forecast.markets import asian_handicap

        return asian_handicap(self.probabilities, line, selection)

    def asian_total(self, line: npt.ArrayLike, selection: str = "over") -> Settlement:
        """Asian (quarter-line capable) total-goals settlement."""
        from matchday.forecast.markets import asian_total

        return asian_total(self.probabilities, line, selection)

    def both_teams_to_score(self) -> np.ndarray:
        """P(both sides score) ``(n,)``."""
        from matchday.forecast.markets import both_teams_to_score

        return both_teams_to_score(self.probabilities)

    def goal_difference(self) -> tuple[np.ndarray, np.ndarray]:
        """(differences, probabilities ``(n, D)``) of home minus away goals."""
        from matchday.forecast.markets import goal_difference_distribution

        return goal_difference_distribution(self.probabilities)

    def correct_scores(self, top: int = 10) -> pd.DataFrame:
        """The ``top`` most likely scores per fixture (column ``match`` = position in the grid)."""
        from matchday.forecast.markets import correct_scores

        return correct_scores(self.probabilities, top)

    def markets_table(self, fixture: int = 0, total_lines: npt.ArrayLike | None = None,
                      handicap_lines: npt.ArrayLike | None = None, top_scores: int = 5) -> pd.DataFrame:
        """Readable summary of one fixture's markets (see :func:`matchday.forecast.markets.markets_table`;
        lines default to its ``DEFAULT_TOTAL_LINES`` and ``DEFAULT_HANDICAP_LINES``)."""
        from matchday.forecast.markets import DEFAULT_HANDICAP_LINES, DEFAULT_TOTAL_LINES, markets_table

        return markets_table(self.probabilities[fixture], DEFAULT_TOTAL_LINES if total_lines is None else total_lines,
                             DEFAULT_HANDICAP_LINES if handicap_lines is None else handicap_lines, top_scores)

    def __repr__(self) -> str:
        return f"ScoreGrid({len(self)} fixtures, G={self.max_goals})"
