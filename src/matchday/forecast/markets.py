"""Betting markets from score-probability matrices (the one place each market is derived).

:class:`matchday.models.grid.ScoreGrid` (what every model predicts) offers these as methods that call the
functions here, so 1X2, totals, handicaps, both teams to score, expected points and correct scores are
computed in this module only.

A score matrix ``P`` has shape ``(G+1, G+1)`` with ``P[i, j]`` = probability that the home side scores
``i`` goals and the away side ``j`` (after 90 minutes). Every function here also accepts a stack of
matrices of shape ``(n, G+1, G+1)`` (one per match) and is vectorised over it: the leading axes of the
input become the leading axes of the output. Rectangular matrices ``(R, C)`` work too.

Probabilities are read off the matrix as given. A matrix truncated at ``G`` goals misses the mass beyond
``G`` (for ``G = 10`` and realistic scoring rates that is < 1e-4); renormalise it first with
:func:`normalize` if the complements must be exact.

Sign convention for Asian handicaps: ``line`` is the handicap given to the HOME side, as in
football-data.co.uk's ``AHh``/``AHCh`` columns. ``line = -1.5`` means the home side starts 1.5 goals
behind (a favourite); a bet on the away side at that line gets ``+1.5``. Whole lines (``-1``) can push,
half lines (``-0.5``) cannot, and quarter lines (``-0.75``) put half of the stake on each neighbouring
line (``-0.5`` and ``-1.0``), so they can settle as half-won or half-lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

FloatArray = npt.NDArray[np.float64]

DEFAULT_TOTAL_LINES: tuple[float, ...] = (0.5, 1.5, 2.5, 3.5, 4.5)
DEFAULT_HANDICAP_LINES: tuple[float, ...] = (-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5)


# --------------------------------------------------------------------------------------------------
# helpers


def _as_matrices(matrix: npt.ArrayLike) -> FloatArray:
    """The input as a float array of shape (..., R, C), checked."""
    m = np.asarray(matrix, dtype=float)
    if m.ndim not in (2, 3):
        raise ValueError(
            f"score matrix must have shape (G+1, G+1) or (n, G+1, G+1); got an array of shape {m.shape}"
        )
    if m.shape[-1] == 0 or m.shape[-2] == 0:
        raise ValueError(f"score matrix must not be empty; got shape {m.shape}")
    if np.any(m < 0):
        raise ValueError(f"score matrix holds negative probabilities (smallest {np.nanmin(m):.3g})")
    return m


def normalize(matrix: npt.ArrayLike) -> FloatArray:
    """Each score matrix divided by its total, so that it sums to exactly 1."""
    m = _as_matrices(matrix)
    return m / m.sum(axis=(-2, -1), keepdims=True)


def _check_lines(line: npt.ArrayLike, *, allow_quarter: bool = True) -> FloatArray:
    """Lines as floats; each must be a finite multiple of 0.25 (or 0.5 when ``allow_quarter`` is False)."""
    lines = np.asarray(line, dtype=float)
    step = 4.0 if allow_quarter else 2.0
    scaled = lines * step
    if not np.all(np.isfinite(lines)) or not np.all(scaled == np.round(scaled)):
        expected = "multiples of 0.25" if allow_quarter else "multiples of 0.5 (use asian_total for quarters)"
        raise ValueError(f"lines must be finite {expected}; got {np.atleast_1d(lines).tolist()}")
    return lines


def _settle(values: FloatArray, probs: FloatArray, offset: FloatArray, sign: float) -> dict[str, FloatArray]:
    """Settlement probabilities of a bet whose result is ``sign * (value + offset)`` goals.

    ``values`` is the integer support (V,) of a goal variable (goal difference or total goals) and
    ``probs`` (..., V) its distribution. A result > 0 wins, = 0 pushes, < 0 loses. A quarter ``offset``
    splits the stake into the two neighbouring lines ``offset -/+ 0.25``; their two results add up to a
    score in {-2, -1, 0, 1, 2} = loss, half-loss, push, half-win, win (the two halves are 0.5 goal apart,
    so one cannot win while the other loses). Lines are multiples of 0.25 and values integers, so every
    comparison is exact in floating point.
    """
    offset = np.asarray(offset, dtype=float)
    quarter = np.mod(np.round(offset * 4.0), 2.0) == 1.0
    half_step = np.where(quarter, 0.25, 0.0)
    first = sign * (values + (offset - half_step)[..., None])
    second = sign * (values + (offset + half_step)[..., None])
    score = np.sign(first) + np.sign(second)
    names = {"win": 2.0, "half_win": 1.0, "push": 0.0, "half_loss": -1.0, "loss": -2.0}
    return {name: np.sum(probs * (score == s), axis=-1) for name, s in names.items()}


def fair_odds(p: npt.ArrayLike) -> FloatArray:
    """Fair (margin-free) decimal odds ``1 / p``; ``inf`` where ``p == 0``, NaN stays NaN."""
    p = np.asarray(p, dtype=float)
    with np.errstate(divide="ignore"):
        return 1.0 / p


# --------------------------------------------------------------------------------------------------
# distributions


def goal_difference_distribution(matrix: npt.ArrayLike) -> tuple[npt.NDArray[np.int64], FloatArray]:
    """Distribution of the goal difference ``home - away``.

    Returns ``(differences, probabilities)``: ``differences`` runs from ``-(C-1)`` to ``R-1`` and
    ``probabilities`` has shape ``(..., len(differences))``.
    """
    m = _as_matrices(matrix)
    rows, cols = m.shape[-2:]
    differences = np.arange(-(cols - 1), rows)
    index = np.subtract.outer(np.arange(rows), np.arange(cols)) + (cols - 1)
    one_hot = (index[..., None] == np.arange(differences.size)).astype(float)
    return differences, np.einsum("...ij,ijd->...d", m, one_hot)


def total_goals_distribution(matrix: npt.ArrayLike) -> tuple[npt.NDArray[np.int64], FloatArray]:
    """Distribution of total goals ``home + away``: ``(totals, probabilities (..., len(totals)))``."""
    m = _as_matrices(matrix)
    rows, cols = m.shape[-2:]
    totals = np.arange(rows + cols - 1)
    index = np.add.outer(np.arange(rows), np.arange(cols))
    one_hot = (index[..., None] == totals).astype(float)
    return totals, np.einsum("...ij,ijd->...d", m, one_hot)


# --------------------------------------------------------------------------------------------------
# markets


def outcome_probabilities(matrix: npt.ArrayLike) -> FloatArray:
    """1X2 probabilities, shape ``(..., 3)`` ordered home win, draw, away win."""
    m = _as_matrices(matrix)
    rows, cols = m.shape[-2:]
    home_goals = np.arange(rows)[:, None]
    away_goals = np.arange(cols)[None, :]
    masks = np.stack(
        [home_goals > away_goals, home_goals == away_goals, home_goals < away_goals], axis=-1
    ).astype(float)
    return np.einsum("...ij,ijk->...k", m, masks)


def expected_points(matrix: npt.ArrayLike, win: float = 3.0, draw: float = 1.0) -> FloatArray:
    """Expected league points ``(..., 2)`` of the home and the away side (``win`` / ``draw`` points each)."""
    home, level, away = np.moveaxis(outcome_probabilities(matrix), -1, 0)
    return np.stack([win * home + draw * level, win * away + draw * level], axis=-1)


def both_teams_to_score(matrix: npt.ArrayLike) -> FloatArray:
    """Probability that both sides score at least once, shape ``(...)``."""
    m = _as_matrices(matrix)
    return m[..., 1:, 1:].sum(axis=(-2, -1))


def expected_goals(matrix: npt.ArrayLike) -> FloatArray:
    """Expected goals ``(..., 2)``: home, away (goals per match, from the matrix as given)."""
    m = _as_matrices(matrix)
    rows, cols = m.shape[-2:]
    home = np.einsum("...ij,i->...", m, np.arange(rows, dtype=float))
    away = np.einsum("...ij,j->...", m, np.arange(cols, dtype=float))
    return np.stack([home, away], axis=-1)


@dataclass(frozen=True)
class OverUnder:
    """Total-goals market at several lines.

    ``lines`` has shape ``(L,)``; ``over``, ``under`` and ``push`` have shape ``(..., L)``:
    ``over = P(total > line)``, ``under = P(total < line)``, ``push = P(total == line)`` (zero for
    half lines, where ``over + under`` is the total probability mass).
    """

    lines: FloatArray
    over: FloatArray
    under: FloatArray
    push: FloatArray


def totals(matrix: npt.ArrayLike, lines: npt.ArrayLike = DEFAULT_TOTAL_LINES) -> OverUnder:
    """Over/under probabilities for total goals at each line (multiples of 0.5; goals)."""
    line_array = np.atleast_1d(_check_lines(lines, allow_quarter=False))
    if line_array.ndim != 1:
        raise ValueError(f"lines must be one-dimensional; got shape {line_array.shape}")
    values, probs = total_goals_distribution(matrix)
    cumulative = np.cumsum(probs, axis=-1)
    # P(total <= floor(line)) and P(total == line) by index into the cumulative distribution
    floor_index = np.clip(np.floor(line_array).astype(int), -1, values.size - 1)
    below_or_at = np.where(floor_index >= 0, cumulative[..., np.maximum(floor_index, 0)], 0.0)
    whole = line_array == np.floor(line_array)
    in_range = (line_array >= 0) & (line_array <= values[-1])
    at_index = np.clip(line_array.astype(int), 0, values.size - 1)
    push = np.where(whole & in_range, probs[..., at_index], 0.0)
    total_mass = cumulative[..., -1:]
    return OverUnder(
        lines=line_array,
        over=total_mass - below_or_at,
        under=below_or_at - push,
        push=push,
    )


@dataclass(frozen=True)
class Settlement:
    """How a one-unit bet on one selection of a handicap-style market settles.

    Each probability has the shape of the matches axis (``()`` for a single matrix). ``line`` is the
    handicap given to the HOME side (football-data's ``AHh``) for Asian handicaps, or the goal line for
    Asian totals.
    """

    market: str  # "asian_handicap" or "asian_total"
    selection: str  # "home"/"away" or "over"/"under"
    line: FloatArray
    win: FloatArray
    half_win: FloatArray
    push: FloatArray
    half_loss: FloatArray
    loss: FloatArray

    @property
    def effective_probability(self) -> FloatArray:
        """Probability of winning with pushes voided and half results at half weight: ``1 / fair_price``."""
        won = self.win + 0.5 * self.half_win
        lost = self.loss + 0.5 * self.half_loss
        with np.errstate(invalid="ignore", divide="ignore"):
            return won / (won + lost)

    def fair_price(self) -> FloatArray:
        """Decimal odds at which the bet's expected value is zero: ``1 + E[lost stake] / E[won stake]``."""
        won = self.win + 0.5 * self.half_win
        lost = self.loss + 0.5 * self.half_loss
        with np.errstate(invalid="ignore", divide="ignore"):
            return 1.0 + lost / won

    def expected_value(self, price: npt.ArrayLike) -> FloatArray:
        """Expected profit per unit stake at decimal odds ``price``.

        A win pays ``price - 1``, a half-win half of that, a push returns the stake, a half-loss loses
        half the stake and a loss all of it.
        """
        price = np.asarray(price, dtype=float)
        won = self.win + 0.5 * self.half_win
        lost = self.loss + 0.5 * self.half_loss
        return (price - 1.0) * won - lost


def asian_handicap(matrix: npt.ArrayLike, line: npt.ArrayLike, selection: str = "home") -> Settlement:
    """Asian handicap settlement probabilities.

    line: handicap given to the HOME side in goals (football-data ``AHh``: negative for a home
    favourite), a multiple of 0.25. A scalar, or one line per match (shape broadcastable to the stack's
    leading axes, e.g. ``(n,)`` for a stack of ``n`` matrices).
    selection: ``"home"`` (home goals + line vs away goals) or ``"away"`` (the away side receives
    ``-line``). Line 0 is "draw no bet"; line -0.5 on the home side is the home win.
    """
    if selection not in ("home", "away"):
        raise ValueError(f"selection must be 'home' or 'away'; got {selection!r}")
    lines = _check_lines(line)
    values, probs = goal_difference_distribution(matrix)
    sign = 1.0 if selection == "home" else -1.0
    parts = _settle(values.astype(float), probs, lines, sign)
    return Settlement(market="asian_handicap", selection=selection, line=lines, **parts)


def asian_total(matrix: npt.ArrayLike, line: npt.ArrayLike, selection: str = "over") -> Settlement:
    """Asian (quarter-line capable) total-goals settlement for ``"over"`` or ``"under"`` ``line`` goals."""
    if selection not in ("over", "under"):
        raise ValueError(f"selection must be 'over' or 'under'; got {selection!r}")
    lines = _check_lines(line)
    values, probs = total_goals_distribution(matrix)
    sign = 1.0 if selection == "over" else -1.0
    parts = _settle(values.astype(float), probs, -lines, sign)
    return Settlement(market="asian_total", selection=selection, line=lines, **parts)


def correct_scores(matrix: npt.ArrayLike, top: int = 10) -> pd.DataFrame:
    """The ``top`` most likely scores, most likely first.

    Columns ``home_goals``, ``away_goals``, ``score`` ("2-1"), ``probability``, ``fair_odds``; a stack of
    matrices adds a leading ``match`` column (position in the stack) and gives ``top`` rows per match.
    """
    import pandas as pd

    if top < 1:
        raise ValueError(f"top must be at least 1; got {top}")
    m = _as_matrices(matrix)
    single = m.ndim == 2
    stack = m[None] if single else m
    n, rows, cols = stack.shape
    flat = stack.reshape(n, rows * cols)
    top = min(top, rows * cols)
    order = np.argsort(-flat, axis=1, kind="stable")[:, :top]
    probability = np.take_along_axis(flat, order, axis=1).ravel()
    home_goals, away_goals = np.divmod(order.ravel(), cols)
    frame = pd.DataFrame(
        {
            "match": np.repeat(np.arange(n), top),
            "home_goals": home_goals,
            "away_goals": away_goals,
            "score": [f"{h}-{a}" for h, a in zip(home_goals, away_goals, strict=True)],
            "probability": probability,
            "fair_odds": fair_odds(probability),
        }
    )
    return frame.drop(columns="match") if single else frame


def markets_table(
    matrix: npt.ArrayLike,
    total_lines: npt.ArrayLike = DEFAULT_TOTAL_LINES,
    handicap_lines: npt.ArrayLike = DEFAULT_HANDICAP_LINES,
    top_scores: int = 5,
) -> pd.DataFrame:
    """Readable summary of one match's markets for the command line.

    Columns: ``market`` (1X2, Total goals, Both teams to score, Asian handicap, Correct score),
    ``selection``, ``line`` (goals for totals; the HOME side's handicap for Asian handicap rows, also on
    the away rows, as in football-data's ``AHh``; NaN where there is no line), ``probability`` and
    ``fair_odds`` (= 1 / probability). For Asian handicaps ``probability`` is
    :attr:`Settlement.effective_probability` (pushes voided, half results at half weight).
    """
    import pandas as pd

    m = _as_matrices(matrix)
    if m.ndim != 2:
        raise ValueError(f"markets_table takes one score matrix (G+1, G+1); got shape {m.shape}")
    rows: list[tuple[str, str, float, float]] = []
    nan = float("nan")

    home, draw, away = outcome_probabilities(m)
    rows += [("1X2", "Home", nan, home), ("1X2", "Draw", nan, draw), ("1X2", "Away", nan, away)]

    over_under = totals(m, total_lines)
    for k, line in enumerate(over_under.lines):
        rows.append(("Total goals", "Over", float(line), float(over_under.over[k])))
        rows.append(("Total goals", "Under", float(line), float(over_under.under[k])))

    btts = float(both_teams_to_score(m))
    rows += [("Both teams to score", "Yes", nan, btts), ("Both teams to score", "No", nan, m.sum() - btts)]

    for line in np.atleast_1d(_check_lines(handicap_lines)):
        for side in ("home", "away"):
            settlement = asian_handicap(m, float(line), side)
            rows.append(
                ("Asian handicap", side.title(), float(line), float(settlement.effective_probability))
            )

    scores = correct_scores(m, top=top_scores)
    rows += [
        ("Correct score", s, nan, p) for s, p in zip(scores["score"], scores["probability"], strict=True)
    ]

    frame = pd.DataFrame(rows, columns=["market", "selection", "line", "probability"])
    frame["probability"] = frame["probability"].astype(float)
    frame["fair_odds"] = fair_odds(frame["probability"].to_numpy())
    return frame
