"""League tables: one vectorised ranking for one real season or for many simulated seasons at once.

:func:`rank_league` is the ranking engine. It takes the fixture list as team indices (``home_idx[m]``,
``away_idx[m]``, teams ``0..n_teams-1``) and the scores of every match in every simulated season
(``home_goals[s, m]``, ``away_goals[s, m]``; a real season is one "simulation"), and returns
:class:`Standings`: ``sims x teams`` arrays (points, goal difference, ...), the finishing position of every
club in every simulation, and the flags the rules raise (unresolved ties, Serie A play-offs).

How it works, and why it is fast (the simulation issue ranks 100,000 seasons of 380 matches at a time):

* Team totals: the four counts of a match seen from the home side (goals for, goals against, win, loss)
  are written as the four byte lanes of one uint32; the uint32s are laid out on an N x N grid (home club
  x away club), and one row sum and one column sum per club add all four counts at once.
* Clubs are ranked by sorting one integer key per club that packs the criteria as bit fields
  (``argsort`` along the team axis). Only simulations that still have two clubs level go on to the next
  step, and head-to-head records are computed only for the pairs of clubs that are level (neighbours in
  the sorted order), so the tie-breakers cost little even where, as in Serie A and La Liga, they come
  straight after points.
* Blocks of simulations are ranked in threads (NumPy releases the GIL), memory bounded per block.

:func:`league_table` is the user-facing table of one real season (a pandas DataFrame), built on the same
engine.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from matchday.data.errors import DataError
from matchday.data.frames import as_of_day, bad_row, played_matches
from matchday.rules.leagues import GROUP_CRITERIA, H2H_CRITERIA, TableRules, deductions_for, rules_for

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


# --- fixture structure ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Schedule:
    """What the ranking needs to know about the fixture list, computed once per call."""

    home_idx: np.ndarray  # (M,) int64
    away_idx: np.ndarray
    n_teams: int
    played: np.ndarray  # (N,) matches per team
    home_cols: np.ndarray  # (N, Kh) column of each team's home matches; padding = M (no match)
    away_cols: np.ndarray  # (N, Ka)
    grid: np.ndarray | None  # (N*N,) match column of home i v away j, M = none; None if a pairing repeats
    canonical: bool  # matches are exactly double_round_robin(N): lanes go to the grid by slicing alone
    pair_of: np.ndarray  # (N, N) index of the unordered pair {i, j} in the CSR below, -1 if they never meet
    pair_ptr: np.ndarray  # (P+1,) CSR offsets into pair_matches
    pair_matches: np.ndarray  # match columns grouped by pair
    min_meetings: int  # fewest matches between any two teams (0 if some pair never meets)


def double_round_robin(n_teams: int) -> tuple[np.ndarray, np.ndarray]:
    """Home and away team indices of every match of a double round robin, in the order :func:`rank_league`
    ranks fastest (home club, then away club: 0 v 1, 0 v 2, ..., 1 v 0, 1 v 2, ...)."""
    home, away = np.nonzero(~np.eye(n_teams, dtype=bool))
    return home.astype(np.int64), away.astype(np.int64)


def _columns_by_team(team_of_match: np.ndarray, n_teams: int, pad: int) -> np.ndarray:
    counts = np.bincount(team_of_match, minlength=n_teams)
    width = int(counts.max()) if counts.size else 0
    order = np.argsort(team_of_match, kind="stable")
    cols = np.full((n_teams, width), pad, dtype=np.int64)
    starts = np.cumsum(counts) - counts
    slot = np.arange(order.size) - np.repeat(starts, counts)
    cols[np.repeat(np.arange(n_teams), counts), slot] = order
    return cols


def _schedule(home_idx: np.ndarray, away_idx: np.ndarray, n_teams: int) -> _Schedule:
    m = home_idx.size
    lo = np.minimum(home_idx, away_idx)
    hi = np.maximum(home_idx, away_idx)
    pair_code = lo * n_teams + hi
    order = np.argsort(pair_code, kind="stable")
    uniq, counts = np.unique(pair_code[order], return_counts=True)
    pair_of = np.full((n_teams, n_teams), -1, dtype=np.int64)
    pair_of[uniq // n_teams, uniq % n_teams] = np.arange(uniq.size)
    pair_of[uniq % n_teams, uniq // n_teams] = np.arange(uniq.size)
    cells = home_idx * n_teams + away_idx
    grid = None
    if np.unique(cells).size == m:  # each home/away pairing at most once (every league season)
        grid = np.full(n_teams * n_teams, m, dtype=np.int64)
        grid[cells] = np.arange(m)
    played = np.bincount(home_idx, minlength=n_teams) + np.bincount(away_idx, minlength=n_teams)
    canon_home, canon_away = double_round_robin(n_teams)
    canonical = (m == canon_home.size and np.array_equal(home_idx, canon_home)
                 and np.array_equal(away_idx, canon_away))
    return _Schedule(
        home_idx=home_idx, away_idx=away_idx, n_teams=n_teams, played=played.astype(np.int64),
        home_cols=_columns_by_team(home_idx, n_teams, m), away_cols=_columns_by_team(away_idx, n_teams, m),
        grid=grid, canonical=canonical, pair_of=pair_of,
        pair_ptr=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64), pair_matches=order.astype(np.int64),
        min_meetings=int(counts.min()) if uniq.size == n_teams * (n_teams - 1) // 2 and m else 0,
    )


# --- team totals ----------------------------------------------------------------------------------------


def _team_totals(hg: np.ndarray, ag: np.ndarray, sched: _Schedule) -> dict[str, np.ndarray]:
    """Goals for/against, wins, losses and away goals per team for a chunk of simulations (C, N) int64.

    The four counts of a match, seen from the home side (goals for, goals against, win, loss), are written
    as the four lanes of one integer (bytes of a uint32, or uint16 lanes of a uint64 when a season's
    totals could pass 255), so a single sum per team and side adds all four at once.
    """
    c, m = hg.shape
    n = sched.n_teams
    if m == 0:
        zero = np.zeros((c, n), dtype=np.int64)
        return {"goals_for": zero, "goals_against": zero.copy(), "won": zero.copy(), "lost": zero.copy(),
                "away_goals_for": zero.copy(), "away_wins": zero.copy()}
    top = int(max(hg.max(), ag.max()))
    k = max(sched.home_cols.shape[1], sched.away_cols.shape[1])
    if top * k < 256 and k < 256:
        lane, word = np.uint8, np.uint32
    elif top * k < 65536 and k < 32768:
        lane, word = np.uint16, np.uint64
    else:
        raise DataError("too many goals or matches per team to count", column="home_goals/away_goals",
                        value=f"{k} matches, up to {top} goals", expected="season totals below 65536")
    word = np.dtype(word).newbyteorder("<")  # lane j holds bits 8j.. (16j..) on any platform
    if sched.canonical:
        # Matches in double_round_robin order are the off-diagonal cells of the N x N grid (home i, away j)
        # in row-major order: written straight into the grid through a strided view, diagonal left zero.
        lanes = np.zeros((c, n * n, 4), dtype=lane)
        view = lanes[:, 1:, :].reshape(c, n - 1, n + 1, 4)[:, :, :n, :]
        hs, as_ = hg.reshape(c, n - 1, n), ag.reshape(c, n - 1, n)
        view[..., 0] = hs
        view[..., 1] = as_
        np.greater(hs, as_, out=view[..., 2], casting="unsafe")
        np.less(hs, as_, out=view[..., 3], casting="unsafe")
        cells = lanes.view(word)[:, :, 0].reshape(c, n, n)
    else:
        lanes = np.zeros((c, m + 1, 4), dtype=lane)  # column m: "no match", counts nothing
        lanes[:, :m, 0] = hg
        lanes[:, :m, 1] = ag
        np.greater(hg, ag, out=lanes[:, :m, 2], casting="unsafe")
        np.less(hg, ag, out=lanes[:, :m, 3], casting="unsafe")
        packed = lanes.view(word)[:, :, 0]  # (c, m + 1)
        cells = None if sched.grid is None else packed.take(sched.grid, axis=1).reshape(c, n, n)
    if cells is not None:
        # On the grid, home totals are row sums and away totals column sums.
        home = np.einsum("cij->ci", cells)
        away = np.einsum("cij->cj", cells)
    else:  # a pairing played more than once: sum over each team's own columns
        home = packed.take(sched.home_cols, axis=1).sum(axis=2, dtype=word)
        away = packed.take(sched.away_cols, axis=1).sum(axis=2, dtype=word)
    bits = 8 * np.dtype(lane).itemsize
    home, away = home.astype(np.int64), away.astype(np.int64)

    def field(x: np.ndarray, j: int) -> np.ndarray:
        return (x >> (j * bits)) & ((1 << bits) - 1)

    # A team's away matches carry the home side's counts: swap the fields.
    return {
        "goals_for": field(home, 0) + field(away, 1),
        "goals_against": field(home, 1) + field(away, 0),
        "won": field(home, 2) + field(away, 3),
        "lost": field(home, 3) + field(away, 2),
        "away_goals_for": field(away, 1),
        "away_wins": field(away, 3),
    }


# --- sorting helpers ------------------------------------------------------------------------------------


def _pack(cls: np.ndarray, values: list[np.ndarray]) -> tuple[np.ndarray, list[int], list[int]] | None:
    """One int64 key per team holding the class (ascending) and then each value (descending) as bit
    fields, most significant first, so that sorting the key sorts lexicographically. Returns the key and
    each field's shift and width (width 0 for a constant column), or None when they need over 62 bits."""
    spans = [(0, cls.shape[1] - 1)]  # classes are dense ranks below the number of teams
    for v in values:
        hi = int(v.max())
        spans.append((hi, hi - int(v.min())))
    widths = [span.bit_length() for _, span in spans]
    total = sum(widths)
    if total > 62:
        return None
    shifts = []
    shift = total
    for width in widths:
        shift -= width
        shifts.append(shift)
    key = cls.astype(np.int64, copy=True)
    if widths[0]:
        key <<= shifts[0]
    for v, (hi, _), width, sh in zip(values, spans[1:], widths[1:], shifts[1:], strict=True):
        if width:
            field = hi - v  # higher value first
            if sh:
                field <<= sh
            key |= field
    return key, shifts, widths


_Refined = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
_FLOAT_EXACT_BITS = 52  # integers below 2**52 convert to float64 exactly


def _scatter_ranks(order: np.ndarray, boundary: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense rank per team (and in sorted order) from a per-row sort order and the boundaries between
    sorted neighbours."""
    ranks_sorted = np.zeros(order.shape, dtype=np.int64)
    np.cumsum(boundary, axis=1, out=ranks_sorted[:, 1:])
    ranks = np.empty_like(ranks_sorted)
    np.put_along_axis(ranks, order, ranks_sorted, axis=1)
    return ranks, ranks_sorted


def _refine(cls: np.ndarray, values: list[np.ndarray]) -> _Refined:
    """Split the classes ``cls`` (lower = better) lexicographically by ``values`` (higher = better).

    Returns the new dense classes, the same in sorted order, the sort order and, per row, whether any two
    teams are still level.
    """
    packed = _pack(cls, values)
    if packed is not None:
        key = packed[0]
        order = np.argsort(key, axis=1)
        ks = np.take_along_axis(key, order, axis=1)
        boundary = ks[:, 1:] != ks[:, :-1]
    else:  # value ranges beyond 2**62 in total
        columns = [cls] + [-v for v in values]
        order = np.lexsort(columns[::-1], axis=-1)
        boundary = np.zeros((cls.shape[0], cls.shape[1] - 1), dtype=bool)
        for col in columns:
            srt = np.take_along_axis(col, order, axis=1)
            boundary |= srt[:, 1:] != srt[:, :-1]
    return (*_scatter_ranks(order, boundary), order, ~boundary.all(axis=1))


def _refine_first_split(cls: np.ndarray, values: list[np.ndarray]) -> _Refined:
    """Split every class by the FIRST of ``values`` that is not constant on it (restart semantics: the
    smaller groups start again from the first criterion in the next round).

    Returns the new classes, the same in sorted order, the sort order and, per row, whether any class was
    split.
    """
    n, t = cls.shape
    packed = _pack(cls, values)
    if packed is None:  # value ranges beyond 2**62 in total
        return _refine_first_split_wide(cls, [cls] + [-v for v in values])
    key, shifts, widths = packed
    order = np.argsort(key, axis=1)
    ks = np.take_along_axis(key, order, axis=1)
    step = ks[:, 1:] ^ ks[:, :-1]  # bits that differ between sorted neighbours
    group_break = (step >> shifts[0]) != 0 if widths[0] else np.zeros((n, t - 1), dtype=bool)
    # Per group (a run of equal classes; keys ascend along the row), the bits that vary are those of the
    # first XOR the last member; the most significant varying field is the first criterion that splits it.
    is_start = np.ones((n, t), dtype=bool)
    is_start[:, 1:] = group_break
    is_end = np.ones((n, t), dtype=bool)
    is_end[:, :-1] = group_break
    first = np.maximum.accumulate(np.where(is_start, ks, -1), axis=1)
    last = np.minimum.accumulate(np.where(is_end, ks, np.iinfo(np.int64).max)[:, ::-1], axis=1)[:, ::-1]
    varying = first ^ last
    if sum(widths) <= _FLOAT_EXACT_BITS:  # the float64 exponent is the highest varying bit + 1
        field_at = np.full(64, 63, dtype=np.int64)  # exponent -> shift of the field holding that bit
        for sh, width in zip(shifts[1:], widths[1:], strict=True):
            field_at[sh + 1: sh + width + 1] = sh
        chosen = field_at[np.frexp(varying.astype(np.float64))[1]]
    else:
        chosen = np.full((n, t), 63, dtype=np.int64)
        for sh, width in sorted(zip(shifts[1:], widths[1:], strict=True)):
            if width:
                chosen[(varying >> sh) != 0] = sh
    split = ((step >> chosen[:, 1:]) != 0) & ~group_break
    return (*_scatter_ranks(order, group_break | split), order, split.any(axis=1))


def _refine_first_split_wide(cls: np.ndarray, columns: list[np.ndarray]) -> _Refined:
    """:func:`_refine_first_split` for value ranges too wide to pack into one key."""
    n, t = cls.shape
    order = np.lexsort(columns[::-1], axis=-1)
    srt = [np.take_along_axis(col, order, axis=1) for col in columns]
    group_break = srt[0][:, 1:] != srt[0][:, :-1]
    pos = np.broadcast_to(np.arange(t), (n, t))
    is_start = np.ones((n, t), dtype=bool)
    is_start[:, 1:] = group_break
    is_end = np.ones((n, t), dtype=bool)
    is_end[:, :-1] = group_break
    first = np.maximum.accumulate(np.where(is_start, pos, 0), axis=1)
    last = np.minimum.accumulate(np.where(is_end, pos, t - 1)[:, ::-1], axis=1)[:, ::-1]
    chosen = np.full((n, t), len(columns), dtype=np.int64)
    for j in range(len(columns) - 1, 0, -1):
        varies = np.take_along_axis(srt[j], first, axis=1) != np.take_along_axis(srt[j], last, axis=1)
        chosen[varies] = j
    split = np.zeros((n, t - 1), dtype=bool)
    for j in range(1, len(columns)):
        split |= (chosen[:, 1:] == j) & (srt[j][:, 1:] != srt[j][:, :-1])
    split &= ~group_break
    return (*_scatter_ranks(order, group_break | split), order, split.any(axis=1))


# --- head-to-head ---------------------------------------------------------------------------------------


def _head_to_head(
    ref: np.ndarray,
    order: np.ndarray,
    ref_sorted: np.ndarray,
    rows: np.ndarray,
    hg: np.ndarray,
    ag: np.ndarray,
    sched: _Schedule,
    rules: TableRules,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Head-to-head records among the clubs of each class of ``ref`` (n, N), for chunk rows ``rows``.

    ``order`` sorts each row by class and ``ref_sorted`` is the sorted classes, so the clubs of a class are
    neighbours and the pairs to visit are found by comparing neighbours at distance 1, 2, ... Returns the
    criteria values (n, N; zero for a lone club) and whether each club's class has played all its mutual
    matches (``meetings_per_pair`` per pair; always true for a lone club).
    """
    n, t = ref.shape
    size = n * t
    rs, first, second = [], [], []
    live, sub = None, ref_sorted  # rows with a pair at the previous distance (None: all)
    for d in range(1, t):
        r, k = np.nonzero(sub[:, d:] == sub[:, :-d])
        if r.size == 0:  # classes are runs: none at distance d, none further
            break
        if live is not None:
            r = live[r]
        rs.append(r)
        first.append(order[r, k])
        second.append(order[r, k + d])
        live = r[np.concatenate([[True], r[1:] != r[:-1]])]  # nonzero lists rows in order
        sub = ref_sorted[live]
    if rs:
        r = np.concatenate(rs)
        p = sched.pair_of[np.concatenate(first), np.concatenate(second)]
        r, p = r[p >= 0], p[p >= 0]
    else:
        r = p = np.zeros(0, dtype=np.int64)
    counts = sched.pair_ptr[p + 1] - sched.pair_ptr[p]
    rr = np.repeat(r, counts)
    offsets = np.arange(rr.size) - np.repeat(np.cumsum(counts) - counts, counts)
    m = sched.pair_matches[np.repeat(sched.pair_ptr[p], counts) + offsets]
    home, away = sched.home_idx[m], sched.away_idx[m]
    flat = rows[rr] * hg.shape[1] + m
    gh = np.ravel(hg).take(flat).astype(np.int64)  # hg is a contiguous block: ravel is a view
    ga = np.ravel(ag).take(flat).astype(np.int64)
    at_home, at_away = rr * t + home, rr * t + away
    pw, pd_ = rules.points_for_win, rules.points_for_draw
    pts_home = pw * (gh > ga) + pd_ * (gh == ga)
    pts_away = pw * (ga > gh) + pd_ * (gh == ga)

    # Points, goals for, goals against and away goals of each club, as 12-bit fields of one float64
    # weight (exact below 2**53) when the totals fit, so two bincounts do the work of seven.
    most = max(int(gh.max(initial=0)), int(ga.max(initial=0)), pw, pd_) * int(sched.played.max(initial=0))
    if most < 4096:
        home_w = pts_home + (gh << 12) + (ga << 24)
        away_w = pts_away + (ga << 12) + (gh << 24) + (ga << 36)
        tot = np.bincount(at_home, weights=home_w, minlength=size).astype(np.int64)
        tot += np.bincount(at_away, weights=away_w, minlength=size).astype(np.int64)
        tot = tot.reshape(n, t)
        fields = [(tot >> (12 * j)) & 4095 for j in range(4)]
    else:
        def total(w_home: np.ndarray, w_away: np.ndarray) -> np.ndarray:
            out = np.bincount(at_home, weights=w_home, minlength=size)
            out += np.bincount(at_away, weights=w_away, minlength=size)
            return out.astype(np.int64).reshape(n, t)

        fields = [total(pts_home, pts_away), total(gh, ga), total(ga, gh),
                  total(np.zeros_like(ga), ga)]
    values = {
        "h2h_points": fields[0],
        "h2h_goals_for": fields[1],
        "h2h_goal_difference": fields[1] - fields[2],
        "h2h_away_goals_for": fields[3],
    }
    if sched.min_meetings >= rules.meetings_per_pair:  # every pairing complete (a simulated full season)
        return values, np.ones((n, t), dtype=bool)
    class_id = np.arange(n)[:, None] * t + ref
    class_size = np.bincount(class_id.ravel(), minlength=size)[class_id]
    mutual = np.bincount(rr * t + ref[rr, home], minlength=size)[class_id]
    complete = mutual >= rules.meetings_per_pair * class_size * (class_size - 1) // 2
    return values, complete


# --- the engine -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Standings:
    """League standings of S simulated (or 1 real) seasons; every array is (S, N) unless stated.

    points include the adjustments (deductions negative). positions are 1-based finishing positions;
    order[s, p] is the team finishing in position p+1. tied marks clubs still level with another club on
    every criterion of the rules (the regulation then uses ``rules.last_resort``; here the tie is broken by
    team index, or at random when a generator is given). title_playoff / relegation_playoff (S,) flag the
    Serie A ties that a play-off match decides (positions 1-2, resp. the last safe place and the first
    relegation place, hold the two clubs that would play it). played is a read-only broadcast of the
    fixture list's counts.
    """

    played: np.ndarray
    won: np.ndarray
    drawn: np.ndarray
    lost: np.ndarray
    goals_for: np.ndarray
    goals_against: np.ndarray
    away_goals_for: np.ndarray
    points: np.ndarray
    adjustments: np.ndarray  # (N,) points added by decisions (deductions negative)
    positions: np.ndarray
    order: np.ndarray
    classes: np.ndarray  # dense rank after every criterion (0 = best); clubs sharing one are level
    tied: np.ndarray
    title_playoff: np.ndarray
    relegation_playoff: np.ndarray

    @property
    def goal_difference(self) -> np.ndarray:
        return self.goals_for - self.goals_against

    @property
    def n_sims(self) -> int:
        return int(self.points.shape[0])

    @property
    def n_teams(self) -> int:
        return int(self.points.shape[1])


def _as_index(values: npt.ArrayLike, name: str, n_teams: int) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1 or (arr.size and not np.issubdtype(arr.dtype, np.integer)):
        raise DataError("team indices must be a 1-D integer array", column=name, value=arr.dtype,
                        expected="integers 0..n_teams-1")
    arr = arr.astype(np.int64)
    if arr.size and (arr.min() < 0 or arr.max() >= n_teams):
        bad = arr[(arr < 0) | (arr >= n_teams)][0]
        raise DataError("team index out of range", column=name, value=int(bad),
                        expected=f"0..{n_teams - 1}")
    return arr


def _checked_results(home_idx: npt.ArrayLike, away_idx: npt.ArrayLike, home_goals: npt.ArrayLike,
                     away_goals: npt.ArrayLike, n_teams: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(home index, away index, home goals (S, M), away goals (S, M)) of a block of results, checked: indices in
    range, equal lengths, no club playing itself, goals of one shape and never negative. One check for league
    tables and UEFA league phases."""
    hi = _as_index(home_idx, "home_idx", n_teams)
    ai = _as_index(away_idx, "away_idx", n_teams)
    if hi.size != ai.size:
        raise DataError("home_idx and away_idx differ in length", column="away_idx", value=ai.size,
                        expected=str(hi.size))
    if (hi == ai).any():
        bad = int(np.flatnonzero(hi == ai)[0])
        raise DataError("a team cannot play itself", column="away_idx", value=f"match {bad}: {hi[bad]}")
    hg = _as_goals(home_goals, "home_goals", hi.size)
    ag = _as_goals(away_goals, "away_goals", hi.size)
    if hg.shape != ag.shape:
        raise DataError("home_goals and away_goals differ in shape", column="away_goals", value=ag.shape,
                        expected=str(hg.shape))
    if hg.size and (hg.min() < 0 or ag.min() < 0):
        raise DataError("goals cannot be negative", column="home_goals/away_goals",
                        value=int(min(hg.min(), ag.min())))
    return hi, ai, hg, ag


def _as_goals(values: npt.ArrayLike, name: str, m: int) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != m:
        raise DataError("goals must be an array (sims, matches)", column=name, value=arr.shape,
                        expected=f"(S, {m})")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise DataError("goals must be integers", column=name, value=arr.dtype, expected="an integer dtype")
    return arr


def rank_league(
    home_idx: npt.ArrayLike,
    away_idx: npt.ArrayLike,
    home_goals: npt.ArrayLike,
    away_goals: npt.ArrayLike,
    n_teams: int,
    rules: TableRules,
    deductions: npt.ArrayLike | None = None,
    *,
    rng: np.random.Generator | None = None,
    chunk_size: int = 4096,
    n_jobs: int | None = None,
    groups: npt.ArrayLike | None = None,
    group_values: Mapping[str, npt.ArrayLike] | None = None,
    regular_season: bool = False,
) -> Standings:
    """Rank every simulated season of a league by its rules (see the module docstring).

    home_idx, away_idx: (M,) team indices of each match, same for every simulation; the order of
    :func:`double_round_robin` is the fastest (no gather on the way to the home x away grid).
    home_goals, away_goals: (S, M) or (M,) non-negative integer goals (after 90 minutes); any integer dtype,
    int8 is cheapest. A real season is S = 1; played matches are the same in every simulation.
    deductions: (N,) signed point adjustments (a deduction is negative), or None.
    rng: breaks ties left after every criterion at random (drawing of lots); None breaks them by team index.
    Each block of simulations draws from its own generator seeded from ``rng``, so a result depends on
    ``rng`` and ``chunk_size`` but not on ``n_jobs``.
    chunk_size: simulations per block; memory is about 16 bytes x chunk_size x M per worker.
    n_jobs: threads ranking blocks at once (NumPy releases the GIL); None = one per CPU, at most 4.
    groups: (N,) group of each club after a split (0 = the group of the top positions, 1 = the next, ...):
    a club ranks inside its group's positions whatever its points (the Scottish split), and head-to-head
    criteria only compare clubs of one group. None: one table.
    group_values: per-club values of the group-only criteria (``not_rounded_up``,
    ``regular_season_position``), (N,) integers, higher ranks first.
    regular_season: rank the regular season of a split format as one table (how :func:`league_table` ranks
    the season before its split). Without it, or ``groups``, a split format raises
    :class:`~matchday.rules.leagues.FormatNotSimulatedError`: after a split, who plays whom depends on the
    regular season, so a fixture list fixed in advance cannot describe it.
    """
    if rules.format.staged and groups is None and not regular_season:
        rules.require_simulable()
    n_teams = int(n_teams)
    if n_teams < 1:
        raise DataError("a league needs at least one team", column="n_teams", value=n_teams)
    hi, ai, hg, ag = _checked_results(home_idx, away_idx, home_goals, away_goals, n_teams)
    adjust = np.zeros(n_teams, dtype=np.int64) if deductions is None else np.asarray(deductions, np.int64)
    if adjust.shape != (n_teams,):
        raise DataError("deductions must have one entry per team", column="deductions", value=adjust.shape,
                        expected=f"({n_teams},)")
    group_of = None
    if groups is not None:
        group_of = np.asarray(groups)
        if group_of.shape != (n_teams,) or (group_of.size and not np.issubdtype(group_of.dtype, np.integer)):
            raise DataError("groups must give one integer group per team", column="groups", value=group_of.shape,
                            expected=f"({n_teams},) integers")
        group_of = np.unique(group_of, return_inverse=True)[1].astype(np.int64)  # dense: 0, 1, ...
    extra: dict[str, np.ndarray] = {}
    for name, values in (group_values or {}).items():
        arr = np.asarray(values, dtype=np.int64)
        if arr.shape != (n_teams,):
            raise DataError("a group criterion needs one value per team", column=name, value=arr.shape,
                            expected=f"({n_teams},)")
        extra[name] = arr
    missing = [c for c in rules.criteria if c in GROUP_CRITERIA and c not in extra]
    if missing:
        raise DataError(f"criterion {missing[0]!r} needs its values per club", column="group_values",
                        expected=f"group_values={{{missing[0]!r}: ...}}")
    sched = _schedule(hi, ai, n_teams)
    s = hg.shape[0]
    shape = (s, n_teams)
    out = {name: np.empty(shape, dtype=np.int32) for name in
           ("won", "drawn", "lost", "goals_for", "goals_against", "away_goals_for", "points")}
    positions = np.empty(shape, dtype=np.int16)
    order = np.empty(shape, dtype=np.int16)
    classes = np.empty(shape, dtype=np.int16)
    tied = np.empty(shape, dtype=bool)
    title = np.zeros(s, dtype=bool)
    releg = np.zeros(s, dtype=bool)
    step = max(1, int(chunk_size))
    blocks = [slice(start, min(s, start + step)) for start in range(0, s, step)]
    seeds = [None] * len(blocks) if rng is None else rng.integers(0, 2**63, size=len(blocks)).tolist()

    def run(i: int) -> None:
        block = blocks[i]
        lots = None if seeds[i] is None else np.random.default_rng(seeds[i])
        res = _rank_block(np.ascontiguousarray(hg[block]), np.ascontiguousarray(ag[block]), sched, rules,
                          adjust, lots, group_of, extra)
        for name in out:
            out[name][block] = res[name]
        positions[block], order[block], tied[block] = res["positions"], res["order"], res["tied"]
        classes[block] = res["classes"]
        title[block], releg[block] = res["title_playoff"], res["relegation_playoff"]

    workers = min(len(blocks), n_jobs if n_jobs else min(4, os.cpu_count() or 1))
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(run, range(len(blocks))))
    else:
        for i in range(len(blocks)):
            run(i)
    return Standings(
        played=np.broadcast_to(sched.played.astype(np.int32), shape),
        won=out["won"], drawn=out["drawn"], lost=out["lost"], goals_for=out["goals_for"],
        goals_against=out["goals_against"], away_goals_for=out["away_goals_for"], points=out["points"],
        adjustments=adjust, positions=positions, order=order, classes=classes, tied=tied,
        title_playoff=title, relegation_playoff=releg,
    )


def _rank_block(
    hg: np.ndarray,
    ag: np.ndarray,
    sched: _Schedule,
    rules: TableRules,
    adjust: np.ndarray,
    rng: np.random.Generator | None,
    group_of: np.ndarray | None = None,
    extra: Mapping[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    c = hg.shape[0]
    t = sched.n_teams
    totals = _team_totals(hg, ag, sched)
    played = np.broadcast_to(sched.played, (c, t))
    drawn = played - totals["won"] - totals["lost"]
    points = rules.points_for_win * totals["won"] + rules.points_for_draw * drawn + adjust
    makers = {
        "points": lambda: points,
        "points_per_game": lambda: (points * 1_000_000) // np.maximum(played, 1),  # exact up to 1000 matches
        "goal_difference": lambda: totals["goals_for"] - totals["goals_against"],
        "goals_for": lambda: totals["goals_for"],
        "away_goals_for": lambda: totals["away_goals_for"],
        "wins": lambda: totals["won"],
        "away_wins": lambda: totals["away_wins"],
    }
    for name, values in (extra or {}).items():
        makers[name] = lambda values=values: np.broadcast_to(values, (c, t))
    whole = {name: makers[name]() for name in rules.criteria if name in makers}
    if group_of is None:
        cls = np.zeros((c, t), dtype=np.int64)
        cls_sorted = np.zeros((c, t), dtype=np.int64)
        order = np.broadcast_to(np.arange(t), (c, t)).copy()  # sorts each row by class
    else:  # a split: every club starts in its group's class, so it can only move within the group
        first = np.argsort(group_of, kind="stable")
        cls = np.broadcast_to(group_of, (c, t)).copy()
        cls_sorted = np.broadcast_to(group_of[first], (c, t)).copy()
        order = np.broadcast_to(first, (c, t)).copy()
    stopped = np.zeros((c, t), dtype=bool)  # level clubs whose head-to-head is incomplete ("stop" rules)
    active = np.arange(c)  # rows (simulations) that still have two clubs level

    # Consecutive criteria of the same kind form a run; head-to-head values of a run are computed among the
    # clubs level when the run starts.
    runs: list[list[str]] = []
    for name in rules.criteria:
        if runs and (name in H2H_CRITERIA) == (runs[-1][0] in H2H_CRITERIA):
            runs[-1].append(name)
        else:
            runs.append([name])
    restart_from = len(runs)
    if rules.h2h_restart:
        restart_from = next((i for i, run in enumerate(runs) if run[0] in H2H_CRITERIA), len(runs))

    def values_for(names: list[str], rows: np.ndarray) -> list[np.ndarray]:
        h2h: dict[str, np.ndarray] = {}
        incomplete = np.zeros((rows.size, t), dtype=bool)
        if any(name in H2H_CRITERIA for name in names):
            h2h, complete = _head_to_head(cls[rows], order[rows], cls_sorted[rows], rows, hg, ag, sched, rules)
            incomplete = ~complete
            if rules.incomplete_h2h == "stop":
                stopped[rows] |= incomplete
        frozen = stopped[rows]
        vals = []
        for name in names:
            if name in H2H_CRITERIA:
                v = h2h[name]
                v[incomplete] = 0
            else:
                v = whole[name][rows]
            if frozen.any():
                v = np.where(frozen, 0, v)
            vals.append(v)
        return vals

    def update(rows: np.ndarray, refined: tuple[np.ndarray, ...]) -> np.ndarray:
        cls[rows], cls_sorted[rows], order[rows] = refined[0], refined[1], refined[2]
        return refined[3]

    for run in runs[:restart_from]:
        if active.size == 0:
            break
        still = update(active, _refine(cls[active], values_for(run, active)))
        active = active[still]

    if restart_from < len(runs):
        names = [name for run in runs[restart_from:] for name in run]
        while active.size:
            split = update(active, _refine_first_split(cls[active], values_for(names, active)))
            active = active[split]
            if active.size:  # split and still some level: the smaller groups start again
                srt = cls_sorted[active]
                active = active[(srt[:, 1:] == srt[:, :-1]).any(axis=1)]

    # Classes are dense ranks 0..; clubs sharing one are level on every criterion.
    class_id = np.arange(c)[:, None] * t + cls
    tied = np.bincount(class_id.ravel(), minlength=c * t)[class_id] > 1
    tie_rows = np.flatnonzero(tied.any(axis=1))
    order = np.empty((c, t), dtype=np.int64)
    np.put_along_axis(order, cls, np.broadcast_to(np.arange(t), (c, t)), axis=1)
    if tie_rows.size:
        if rng is None:
            lots = np.broadcast_to(np.arange(t), (tie_rows.size, t))
        else:
            lots = rng.permuted(np.broadcast_to(np.arange(t), (tie_rows.size, t)), axis=1)
        order[tie_rows] = np.argsort(cls[tie_rows] * t + lots, axis=1, kind="stable")
    positions = np.empty((c, t), dtype=np.int64)
    np.put_along_axis(positions, order, np.broadcast_to(np.arange(1, t + 1), (c, t)), axis=1)

    title = np.zeros(c, dtype=bool)
    releg = np.zeros(c, dtype=bool)
    if t >= 2 and (rules.playoff_for_title or rules.playoff_for_last_relegation_place):
        by_place = np.take_along_axis(points, order, axis=1)
        if rules.playoff_for_title:
            title = by_place[:, 0] == by_place[:, 1]
        safe = t - rules.places.relegation  # 1-based position of the last safe place
        if rules.playoff_for_last_relegation_place and 1 <= safe < t:
            releg = by_place[:, safe - 1] == by_place[:, safe]
    return {
        "won": totals["won"], "drawn": drawn, "lost": totals["lost"], "goals_for": totals["goals_for"],
        "goals_against": totals["goals_against"], "away_goals_for": totals["away_goals_for"],
        "points": points, "positions": positions, "order": order, "classes": cls, "tied": tied,
        "title_playoff": title, "relegation_playoff": releg,
    }


# --- the user-facing table ------------------------------------------------------------------------------

TABLE_COLUMNS = ("position", "team", "played", "won", "drawn", "lost", "goals_for", "goals_against",
                 "goal_difference", "points", "deduction", "note")


def league_table(
    frame: pd.DataFrame,
    competition: str,
    season: str,
    as_of: dt.date | str | None = None,
    deductions: Mapping[str, int] | None = None,
    *,
    rules: TableRules | None = None,
    team_labels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The league table of one season from its matches, as the regulation ranks it.

    frame: one row per match with columns ``home``, ``away`` (team labels), ``home_goals``, ``away_goals``
    (after 90 minutes; missing for matches not played) and ``date``. Every club in the frame appears in the
    table, also one that has not played yet.
    as_of: inclusive cut-off. Only matches played on or before this date count, and only deductions in
    force on that date (``effective_date <= as_of``). None: every played match and every deduction.
    deductions: signed point adjustments keyed by the frame's team labels (deductions negative). None looks
    them up with :func:`~matchday.rules.leagues.deductions_for`, keyed by canonical team ids: right when the
    labels are team ids; for source names pass ``deductions_for(..., resolve=...)``. A deduction whose label
    matches no club is an error, never silently dropped.

    team_labels: team id -> the frame's label, for the results the rules say the league awarded
    (``TableRules.awarded``); None: the labels are team ids. An awarded result replaces the score played on
    its date, or adds the match when the frame lacks it.

    Split formats (``rules.format``): the regular season is ranked first; once every club has played it, each
    group is ranked on its own (points carried in full or halved) and keeps its range of positions.

    Returns columns position, team, played, won, drawn, lost, goals_for, goals_against, goal_difference,
    points, deduction, note; ``note`` names the group of a split, awarded results, clubs level on every
    tie-breaker and Serie A play-offs.
    ``attrs["rules"]`` holds the :class:`TableRules` applied, ``attrs["as_of"]`` the cut-off.
    """
    import pandas as pd

    rules = rules or rules_for(competition, season)
    cutoff = as_of_day(as_of)
    frame = frame.reset_index(drop=True)
    played_matches(frame, cutoff)  # the one match-frame validation (data/frames.py), before any use of it
    teams = sorted(set(frame["home"].astype(str)) | set(frame["away"].astype(str)))
    index_of = {team: i for i, team in enumerate(teams)}
    frame, awarded_notes = _apply_awarded(frame, rules, cutoff, team_labels, index_of)
    played = played_matches(frame, cutoff)  # again: awarded results may have replaced or added rows
    rows = played.positions
    goals = {"home_goals": played.home_goals.astype(np.int64), "away_goals": played.away_goals.astype(np.int64)}
    home = pd.Series(played.home, dtype=object).astype(str).map(index_of).to_numpy(dtype=np.int64)
    away = pd.Series(played.away, dtype=object).astype(str).map(index_of).to_numpy(dtype=np.int64)
    fixture = home * len(teams) + away
    _, first_seen, seen = np.unique(fixture, return_index=True, return_counts=True)
    if rules.meetings_per_pair == 2 and not rules.format.staged and (seen > 1).any():
        row = int(rows[first_seen[np.flatnonzero(seen > 1)[0]]])
        raise bad_row(frame, row, "home", "the same fixture is played twice in one league season",
                      "each home/away pairing once", value=f"{frame.at[row, 'home']} v {frame.at[row, 'away']}")

    if deductions is None:
        deductions = deductions_for(rules.competition, rules.season, as_of=as_of)
    adjust = np.zeros(len(teams), dtype=np.int64)
    for label, points in deductions.items():
        if label not in index_of:
            raise DataError(f"a point deduction names a club that is not in the {rules.competition} "
                            f"{rules.season} matches", column="deductions", value=label,
                            expected="a team label of the frame; for source names pass "
                                     "deductions=deductions_for(competition, season, as_of, resolve=...)")
        adjust[index_of[label]] += int(points)

    n = len(teams)
    hg_all, ag_all = goals["home_goals"], goals["away_goals"]
    stage_notes = [""] * n
    if rules.format.staged:
        match_dates = played.date
        st, points, order, tied_rows, stage_notes, final = _staged(home, away, hg_all, ag_all, match_dates, n,
                                                                    rules, adjust, frame, rows)
    else:
        st = rank_league(home, away, hg_all, ag_all, n, rules, adjust)
        points = st.points[0]
        order = st.order[0].astype(np.int64)
        final = bool((st.played[0] == rules.meetings_per_pair * (n - 1)).all())
        tied_rows = [(t, [u for u in order if u != t and st.classes[0][u] == st.classes[0][t]])
                     for t in np.flatnonzero(st.tied[0])]
    notes = [_join(a, b) for a, b in zip(stage_notes, (awarded_notes.get(t, "") for t in teams), strict=True)]
    for t, level in tied_rows:
        text = "level on every tie-breaker with " + ", ".join(teams[u] for u in level)
        notes[t] = _join(notes[t], text + (f"; {rules.last_resort}" if final else ""))
    if not rules.format.staged and final and st.title_playoff[0]:
        for place in (0, 1):
            notes[order[place]] = _join(notes[order[place]], "title play-off: level on points for 1st")
    if not rules.format.staged and final and st.relegation_playoff[0]:
        safe = n - rules.places.relegation
        for place in (safe - 1, safe):
            notes[order[place]] = _join(
                notes[order[place]], f"relegation play-off: level on points for {safe}th place")
    records = [
        (place, teams[t], int(st.played[0, t]), int(st.won[0, t]), int(st.drawn[0, t]), int(st.lost[0, t]),
         int(st.goals_for[0, t]), int(st.goals_against[0, t]), int(st.goal_difference[0, t]),
         int(points[t]), int(adjust[t]), notes[t])
        for place, t in enumerate(order, start=1)
    ]
    table = pd.DataFrame.from_records(records, columns=list(TABLE_COLUMNS))
    table.attrs["rules"] = rules
    table.attrs["as_of"] = None if cutoff is None else cutoff.date()
    return table


def _apply_awarded(frame, rules: TableRules, cutoff, team_labels, index_of):
    """The frame with the rules' awarded results in place of the scores played (or added), and a note per club."""
    import pandas as pd

    notes: dict[str, str] = {}
    awarded = [a for a in rules.awarded if cutoff is None or pd.Timestamp(a.date) <= cutoff]
    if not awarded:
        return frame, notes
    frame = frame.copy()
    dates = pd.to_datetime(frame["date"], errors="coerce").dt.normalize()
    for result in awarded:
        home = (team_labels or {}).get(result.home, result.home)
        away = (team_labels or {}).get(result.away, result.away)
        for label, team_id in ((home, result.home), (away, result.away)):
            if label not in index_of:
                raise DataError(f"an awarded result of {rules.competition} {rules.season} names a club that is not in "
                                "the matches", column="awarded", value=team_id, file=rules.file,
                                expected="a team label of the frame; pass team_labels={team id: label}")
        hit = (frame["home"].astype(str) == home) & (frame["away"].astype(str) == away) & (
            dates == pd.Timestamp(result.date))
        played = ""
        if hit.any():
            row = frame.index[hit][0]
            if pd.notna(frame.at[row, "home_goals"]):
                played = f" (played {int(frame.at[row, 'home_goals'])}-{int(frame.at[row, 'away_goals'])})"
            frame.loc[row, ["home_goals", "away_goals"]] = [result.home_goals, result.away_goals]
        else:
            extra = {column: pd.NA for column in frame.columns}
            extra.update(home=home, away=away, date=pd.Timestamp(result.date), home_goals=result.home_goals,
                         away_goals=result.away_goals)
            frame = pd.concat([frame, pd.DataFrame([extra])], ignore_index=True)
            played = " (not in the source files)"
        text = (f"{home} v {away} of {result.date.isoformat()} counts {result.home_goals}-{result.away_goals} as "
                f"awarded{played}")
        for label in (home, away):
            notes[label] = _join(notes.get(label, ""), text)
    return frame, notes


def regular_season_matches(home: np.ndarray, away: np.ndarray, dates: np.ndarray, n_teams: int,
                           regular_rounds: int) -> np.ndarray:
    """Which played matches belong to the regular season of a split format: in date order (ties in input
    order), a match is regular while both clubs have played fewer than ``regular_rounds`` regular matches.

    Returns a boolean mask over the matches. Real tables only (one pass over a few hundred matches).
    """
    order = np.argsort(np.asarray(dates), kind="stable")
    count = np.zeros(n_teams, dtype=np.int64)
    regular = np.zeros(home.size, dtype=bool)
    for m in order:
        h, a = home[m], away[m]
        if count[h] < regular_rounds and count[a] < regular_rounds:
            regular[m] = True
            count[h] += 1
            count[a] += 1
    return regular


def _staged(home, away, hg, ag, dates, n, rules: TableRules, adjust, frame, rows):  # noqa: C901
    """The table of a split or play-off-group season: regular season, then each group ranked on its own.

    Returns (standings over all matches, points per club, final order, tied clubs, a note per club, final?).
    """
    import dataclasses

    import pandas as pd

    from matchday.rules.leagues import SeasonFormat

    fmt = rules.format
    plain = dataclasses.replace(rules, format=SeasonFormat())
    regular = regular_season_matches(home, away, dates, n, fmt.regular_rounds)
    counts = np.bincount(home[regular], minlength=n) + np.bincount(away[regular], minlength=n)
    notes = [""] * n
    if not fmt.in_data or not counts.size or counts.min() < fmt.regular_rounds or n != rules.n_teams:
        # The regular season is all there is (in the files, or so far): one table.
        st = rank_league(home, away, hg, ag, n, plain, adjust)
        order = st.order[0].astype(np.int64)
        done = bool(counts.size and counts.min() >= fmt.regular_rounds)
        what = ("regular season only: the play-offs that decide the final table are not in the source files"
                if not fmt.in_data else "regular season")
        for t in range(n):
            notes[t] = what if not fmt.in_data else ""
        tied = [(t, [u for u in order if u != t and st.classes[0][u] == st.classes[0][t]])
                for t in np.flatnonzero(st.tied[0])]
        return st, st.points[0], order, tied, notes, done and not fmt.in_data
    reg = np.flatnonzero(regular)
    st1 = rank_league(home[reg], away[reg], hg[reg], ag[reg], n, plain, adjust)
    pos1, pts1 = st1.positions[0].astype(np.int64), st1.points[0].astype(np.int64)
    group_of = np.full(n, -1, dtype=np.int64)
    for g, group in enumerate(fmt.groups):
        group_of[(pos1 >= group.first) & (pos1 <= group.last)] = g
    later = np.flatnonzero(~regular)
    crossing = later[group_of[home[later]] != group_of[away[later]]]
    # A match between two groups after the split is no league match: it can only be a play-off the rules
    # describe whose positions span both groups (Belgium's Europe play-off final, in the 2023-24 file).
    spans = [(p.positions, p.kind) for p in rules.playoffs if p.kind == "europe_playoff"]
    extra_matches = []
    for m in crossing:
        ranges = [(fmt.groups[group_of[t]].first, fmt.groups[group_of[t]].last) for t in (home[m], away[m])]
        if any(all(lo <= hi_p and lo_p <= hi for lo, hi in ranges) for (lo_p, hi_p), _ in spans):
            extra_matches.append(int(m))
    if extra_matches:
        crossing = crossing[~np.isin(crossing, extra_matches)]
        keep = np.ones(home.size, dtype=bool)
        keep[extra_matches] = False
        for m in extra_matches:
            text = (f"{frame.at[int(rows[m]), 'home']} v {frame.at[int(rows[m]), 'away']} "
                    f"({pd.Timestamp(dates[m]).date().isoformat()}) is the European play-off, not a league match: "
                    "left out of the table")
            for t in (home[m], away[m]):
                notes[t] = _join(notes[t], text)
        sub = np.flatnonzero(keep)
        home, away, hg, ag, regular, rows = home[sub], away[sub], hg[sub], ag[sub], regular[sub], rows[sub]
        later = np.flatnonzero(~regular)
    if crossing.size:
        m = int(crossing[0])
        raise bad_row(
            frame, int(rows[m]), "home",
            f"a match after the split of {rules.competition} {rules.season} is between clubs of two groups "
            f"({fmt.groups[group_of[home[m]]].name} v {fmt.groups[group_of[away[m]]].name})",
            f"after {fmt.regular_rounds} matches per club, matches within one group",
            value=f"{frame.at[int(rows[m]), 'home']} v {frame.at[int(rows[m]), 'away']}")
    st = rank_league(home, away, hg, ag, n, plain, adjust, groups=group_of)
    points = st.points[0].astype(np.int64).copy()
    order: list[int] = []
    tied: list[tuple[int, list[int]]] = []
    for g, group in enumerate(fmt.groups):
        members = np.flatnonzero(group_of == g)
        inside = later[np.isin(home[later], members) & np.isin(away[later], members)]
        if group.carry == "half_up":
            local = np.full(n, -1, dtype=np.int64)
            local[members] = np.arange(members.size)
            carried = -((-pts1[members]) // 2)  # halved, rounded up
            group_rules = dataclasses.replace(plain, criteria=group.criteria or rules.criteria)
            values = {"not_rounded_up": 1 - pts1[members] % 2, "regular_season_position": -pos1[members]}
            sg = rank_league(local[home[inside]], local[away[inside]], hg[inside], ag[inside], members.size,
                             group_rules, carried, group_values=values)
            within = members[sg.order[0].astype(np.int64)]
            points[members] = sg.points[0]
            for i, t in enumerate(members):
                notes[t] = _join(f"{group.name}: regular season {pts1[t]} points, halved to {carried[i]}"
                                 + (" (rounded up)" if pts1[t] % 2 else ""), notes[t])
            tied += [(members[i], [members[j] for j in sg.order[0] if j != i and sg.classes[0][j] == sg.classes[0][i]])
                     for i in np.flatnonzero(sg.tied[0])]
        else:
            if group.criteria and group.criteria != rules.criteria:
                sg = rank_league(home, away, hg, ag, n, dataclasses.replace(plain, criteria=group.criteria),
                                 adjust, groups=group_of)
            else:
                sg = st
            within = np.array([t for t in sg.order[0] if group_of[t] == g], dtype=np.int64)
            points[members] = sg.points[0][members]
            for t in members:
                notes[t] = _join(group.name, notes[t])
            tied += [(int(t), [int(u) for u in sg.order[0] if u != t and sg.classes[0][u] == sg.classes[0][t]])
                     for t in members if sg.tied[0][t]]
        order += [int(t) for t in within]
    group_sizes = np.bincount(group_of, minlength=len(fmt.groups))
    played_after = np.bincount(home[later], minlength=n) + np.bincount(away[later], minlength=n)
    expected_after = np.array([fmt.groups[g].meetings * (group_sizes[g] - 1) for g in group_of])
    final = bool((played_after >= expected_after).all())
    return st, points, np.asarray(order, dtype=np.int64), tied, notes, final




def _join(a: str, b: str) -> str:
    return f"{a}; {b}" if a and b else a or b
