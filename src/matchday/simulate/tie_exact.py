"""Knockout ties computed exactly: every 90-minute, second-leg and extra-time score enumerated.

The same model and rules as the Monte Carlo core (:mod:`matchday.simulate.tie_play`): a
:class:`~matchday.models.grid.ScoreGrid` per leg and one :class:`~matchday.simulate.tie_play.KnockoutParams`.
Results are ``(m, len(METHOD_NAMES), 2)`` arrays: P(decided by that method and that side goes through).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matchday.models.grid import ScoreGrid
from matchday.rules.knockout import (
    COIN_TOSS,
    METHOD_NAMES,
    PENALTIES,
    REPLAY,
    UNDECIDED,
    match_winner,
    tie_winner,
)
from matchday.simulate import penalties
from matchday.simulate.tie_play import REPLAY_RULES, KnockoutParams, tie_kicker_to_match

_CHUNK_ROWS = 2_000_000  # cells per vectorised block (memory bound)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def _grid(grid: ScoreGrid) -> ScoreGrid:
    """The grid renormalised (each matrix sums to exactly 1); anything else is a clear error."""
    if not isinstance(grid, ScoreGrid):
        raise TypeError(f"a knockout computation takes ScoreGrid legs (got {type(grid).__name__}); build one "
                        "with model.predict_many, ScoreGrid.from_rates or ScoreGrid.from_matrices")
    return grid.normalized()


def single_match_probabilities(
    grid: ScoreGrid,
    params: KnockoutParams = KnockoutParams(),  # noqa: B008 (frozen, immutable)
) -> FloatArray:
    """Exact ``(m, len(METHOD_NAMES), 2)`` P(decided by method, side goes through) of ``m`` single-match
    ties (side 0 = home), by enumerating 90-minute and extra-time scores (extra-time goals censored at
    ``params.max_et_goals``). Each matrix is renormalised. Same model and rules as :func:`play_single_match`."""
    return _single_match(_grid(grid), params)


def _single_match(table: ScoreGrid, params: KnockoutParams) -> FloatArray:
    rules = params.rules
    m, size = len(table), table.max_goals + 1
    if rules.decider == "penalties":
        home_shootout = penalties.shootout_home_win_probability(
            np.broadcast_to(np.asarray(params.first_kicker), (m,)),
            p_first_kicker_wins=params.p_first_kicker_wins,
            skill_tilt=np.broadcast_to(np.asarray(params.shootout_tilt, dtype=float), (m,)),
        )
    else:
        home_shootout = np.full(m, 0.5)
    goals = np.arange(size)
    h = goals[:, None, None, None]
    a = goals[None, :, None, None]
    if rules.extra_time:
        e = np.arange(params.max_et_goals + 1)
        aet_h = (h + e[None, None, :, None]).astype(float)
        aet_a = (a + e[None, None, None, :]).astype(float)
        et_home, et_away = params.extra_time_pmf(table)
        weights = (
            table.probabilities[:, :, :, None, None]
            * et_home[:, None, None, :, None]
            * et_away[:, None, None, None, :]
        )
    else:
        aet_h = aet_a = np.array(np.nan)
        weights = table.probabilities[:, :, :, None, None]
    # Shoot-out won by the home side (pens 1-0): those rows weigh home_shootout, the mirror 1 - it.
    decision = match_winner(h, a, aet_h, aet_a, 1.0, 0.0)
    method = np.broadcast_to(decision.method, weights.shape[1:])
    winner = np.broadcast_to(decision.winner, weights.shape[1:])
    out = np.zeros((m, len(METHOD_NAMES), 2))
    shootout = method == PENALTIES
    for k in range(len(METHOD_NAMES)):
        for side in (0, 1):
            cells = (method == k) & (winner == side) & ~shootout
            if cells.any():
                out[:, k, side] = weights[:, cells].sum(axis=1)
    p_shootout = weights[:, shootout].sum(axis=1)
    decided_at = PENALTIES if rules.decider == "penalties" else COIN_TOSS
    out[:, decided_at, 0] += p_shootout * home_shootout
    out[:, decided_at, 1] += p_shootout * (1.0 - home_shootout)
    return out


def two_legged_probabilities(
    leg2: ScoreGrid,
    *,
    first_leg_home_goals: npt.ArrayLike | None = None,
    first_leg_away_goals: npt.ArrayLike | None = None,
    leg1: ScoreGrid | None = None,
    params: KnockoutParams = KnockoutParams(),  # noqa: B008 (frozen, immutable)
) -> FloatArray:
    """Exact ``(m, len(METHOD_NAMES), 2)`` P(decided by method, side goes through) of ``m``
    two-legged ties (side 0 = A, at home in the first leg), by enumerating every second-leg and
    extra-time score (and every first-leg score where ``first_leg_*`` is not given: then ``leg1`` is
    required; it is also required in the replay eras, whose replay is a neutral average of both legs).
    Same model and rules as :func:`play_two_legged`; ``sum(axis=1)`` is P(A), P(B). Each matrix is
    renormalised.
    """
    rules = params.rules
    table2 = _grid(leg2)
    m, size = len(table2), table2.max_goals + 1
    known = first_leg_home_goals is not None and first_leg_away_goals is not None
    if known:
        a1 = np.broadcast_to(np.asarray(first_leg_home_goals, dtype=float), (m,))[:, None]
        b1 = np.broadcast_to(np.asarray(first_leg_away_goals, dtype=float), (m,))[:, None]
        if np.any(~np.isfinite(a1)) or np.any(~np.isfinite(b1)):
            raise ValueError("first_leg_*_goals must be given for every tie (or not at all, with leg1)")
        w1 = np.ones((m, 1))
    else:
        if leg1 is None:
            raise ValueError("give the first leg's score or its score distribution (leg1)")
        table1 = _grid(leg1)
        if len(table1) != m:
            raise ValueError(f"leg1 has {len(table1)} matches and leg2 {m}")
        size1 = table1.max_goals + 1
        g1 = np.arange(size1)
        a1 = np.broadcast_to(np.repeat(g1, size1).astype(float), (m, size1 * size1))
        b1 = np.broadcast_to(np.tile(g1, size1).astype(float), (m, size1 * size1))
        w1 = table1.probabilities.reshape(m, -1)
    # The shoot-out is held at B's ground: P(B wins it).
    if rules.decider == "penalties":
        b_shootout = penalties.shootout_home_win_probability(
            tie_kicker_to_match(np.broadcast_to(np.asarray(params.first_kicker), (m,))),
            p_first_kicker_wins=params.p_first_kicker_wins,
            skill_tilt=-np.broadcast_to(np.asarray(params.shootout_tilt, dtype=float), (m,)),
        )
    else:
        b_shootout = np.full(m, 0.5)
    if rules.decider == "replay":
        if leg1 is None:
            raise ValueError("a replay era's tie needs leg1 too (the replay's neutral matrix averages both legs)")
        replay = _single_match(
            _grid(leg1).averaged_with(table2.transposed()),  # a neutral venue: the mean of both legs
            KnockoutParams(rules=REPLAY_RULES, et_factor=params.et_factor, max_et_goals=params.max_et_goals),
        ).sum(axis=1)[:, 0]
    else:
        replay = None

    # Two stages with the same rule code: (1) every first-leg cell x second-leg score, 180 minutes;
    # (2) only the cells still level, x extra-time scores (and the shoot-out). Level cells are few
    # (one per goal difference, one in all under away goals), so stage 2 is cheap.
    n_codes = 2 * len(METHOD_NAMES)
    shootout_code, level_code, width = n_codes, n_codes + 1, n_codes + 2
    sums = np.zeros(m * width)

    def accumulate(ties: IntArray, weights: FloatArray, method: np.ndarray, winner: np.ndarray) -> None:
        codes = np.where(method == PENALTIES, shootout_code, method.astype(np.int64) * 2 + winner)
        codes = np.where(method == UNDECIDED, level_code, codes)
        sums[:] += np.bincount((ties * width + codes).ravel(), weights=weights.ravel(), minlength=m * width)

    goals = np.arange(size, dtype=float)
    e = np.arange(params.max_et_goals + 1) if rules.extra_time else np.zeros(1, dtype=np.int64)
    et_home, et_away = params.extra_time_pmf(table2) if rules.extra_time else (np.ones((m, 1)),) * 2
    pens = (1.0, 0.0) if rules.decider != "replay" else (None, None)  # written as won by B; re-weighted
    per_block = max(1, _CHUNK_ROWS // (w1.shape[1] * size * size))
    for start in range(0, m, per_block):
        ties = np.arange(start, min(m, start + per_block))
        # Axes: tie, first-leg cell, B's second-leg goals, A's second-leg goals.
        weights = w1[ties][:, :, None, None] * table2.probabilities[ties][:, None, :, :]
        first = tie_winner(a1[ties][:, :, None, None], b1[ties][:, :, None, None], goals[:, None], goals[None, :],
                           away_goals_rule=rules.away_goals)  # fmt: skip
        method = np.broadcast_to(first.method, weights.shape)
        winner = np.broadcast_to(first.winner, weights.shape)
        level = method == UNDECIDED
        tie_of = np.broadcast_to(ties[:, None, None, None], weights.shape)
        accumulate(tie_of[~level], weights[~level], method[~level], winner[~level])
        t, cell, i, j = np.nonzero(level)
        if t.size == 0:
            continue
        tie = ties[t]
        b2, a2 = goals[i][:, None, None], goals[j][:, None, None]
        extra = (b2 + e[None, :, None], a2 + e[None, None, :]) if rules.extra_time else (None, None)
        second = tie_winner(a1[tie, cell][:, None, None], b1[tie, cell][:, None, None], b2, a2, *extra, *pens,
                            rules.away_goals, away_goals_in_extra_time=rules.away_goals_in_extra_time)  # fmt: skip
        level_weights = weights[level][:, None, None] * et_home[tie][:, :, None] * et_away[tie][:, None, :]
        shape = level_weights.shape
        accumulate(np.broadcast_to(tie[:, None, None], shape), level_weights,
                   np.broadcast_to(second.method, shape), np.broadcast_to(second.winner, shape))  # fmt: skip

    sums = sums.reshape(m, width)
    out = sums[:, :n_codes].reshape(m, len(METHOD_NAMES), 2).copy()
    p_shootout, p_level = sums[:, shootout_code], sums[:, level_code]
    decided_at = COIN_TOSS if rules.decider == "coin_toss" else PENALTIES
    out[:, decided_at, 1] += p_shootout * b_shootout
    out[:, decided_at, 0] += p_shootout * (1.0 - b_shootout)
    if replay is not None:
        out[:, REPLAY, 0] += p_level * replay
        out[:, REPLAY, 1] += p_level * (1.0 - replay)
    return out
