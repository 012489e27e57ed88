"""Knockout ties: one tie's odds by Monte Carlo or exactly, many ties at once (the public entry points).

Each leg is a :class:`~matchday.models.grid.ScoreGrid` of one fixture (or of ``m`` fixtures for many ties),
with the venue built in: the first leg's grid has A at home, the second leg's B at home, a final's grid is
the model's neutral one. How a level tie is settled is one
:class:`~matchday.simulate.tie_play.KnockoutParams` (rules, extra-time rate, shoot-out model)::

    leg1 = model.predict("liverpool", "atalanta", competition="UEL")
    leg2 = model.predict("atalanta", "liverpool", competition="UEL")
    params = KnockoutParams(rules=tie_rules("2023-24", "UEL"))
    exact_two_legged_tie(leg1, leg2, first_leg_score=(0, 3), params=params).p_advance   # no Monte Carlo error
    simulate_two_legged_tie(leg1, leg2, first_leg_score=(0, 3), params=params, n=100_000, seed=0)

Random numbers: every simulated tie consumes one column of uniforms (:data:`~matchday.simulate.tie_play.UNIFORMS`)
from ``numpy.random.default_rng(seed)``, whatever the options, drawn in blocks of :data:`TIE_BLOCK` ties
(a fixed size, so a run is reproducible from its seed alone); the ties are played and counted block by
block, so memory does not grow with ``n`` (only ``keep_draws=True`` keeps every row), and
:func:`simulate_two_legged_ties` (many ties at once, each given the same uniforms: common random numbers)
gives each tie exactly the result of :func:`simulate_two_legged_tie` with the same seed. The ties'
outcomes are then dependent, so joint events across ties must use independent draws (as the bracket
simulator does). The row-level core is :mod:`matchday.simulate.tie_play`, the exact enumeration
:mod:`matchday.simulate.tie_exact`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from matchday.models.grid import ScoreGrid
from matchday.rules.knockout import METHOD_NAMES
from matchday.simulate import penalties
from matchday.simulate.limits import check_sims
from matchday.simulate.tie_exact import single_match_probabilities, two_legged_probabilities
from matchday.simulate.tie_play import (
    DEFAULT_N,
    DEFAULT_SEED,
    KnockoutParams,
    TieDraws,
    draw_uniforms,
    make_rng,
    play_single_match,
    play_two_legged,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

_CHUNK_ROWS = 2_000_000  # simulated rows per vectorised block (memory bound)
#: Simulated ties per block of uniforms (fixed: results depend on the seed only; memory on the block only).
TIE_BLOCK = 1 << 18
_DEFAULT = KnockoutParams()

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class TieResult:
    """Summary of simulated ties between ``teams`` = (A, B).

    p_advance: ``(2,)`` P(A goes through), P(B goes through). p_method: ``(len(METHOD_NAMES), 2)``
    P(decided this way and this side goes through). aggregate: ``P[a, b]`` of the score after 180
    minutes (a single match: 90), A's goals first. n: simulations (``None`` for exact results).
    draws: the simulated rows when asked for.
    """

    teams: tuple[str, str]
    p_advance: FloatArray
    p_method: FloatArray
    aggregate: FloatArray | None
    n: int | None
    draws: TieDraws | None = None

    @property
    def se(self) -> FloatArray:
        """Monte Carlo standard error of ``p_advance`` (0 for exact results)."""
        if self.n is None:
            return np.zeros(2)
        return np.sqrt(self.p_advance * (1.0 - self.p_advance) / self.n)

    def summary(self) -> pd.DataFrame:
        """P(goes through) and how, one row per way a tie can be decided, one column per side."""
        import pandas as pd

        used = self.p_method.sum(axis=1) > 0
        frame = pd.DataFrame(self.p_method[used], index=np.asarray(METHOD_NAMES)[used], columns=list(self.teams))
        frame.loc["total"] = self.p_advance
        frame.index.name = "decided by"
        return frame


class _TieCounts:
    """Counts of simulated ties, added block by block: (method, winner) and the aggregate score."""

    def __init__(self, keep: bool) -> None:
        self.counts = np.zeros(2 * len(METHOD_NAMES), dtype=np.int64)
        self.aggregate = np.zeros((0, 0), dtype=np.int64)
        self.n = 0
        self.keep = keep
        self.parts: list[TieDraws] = []

    def add(self, draws: TieDraws) -> None:
        if np.any(draws.winner < 0):  # cannot happen with the built-in deciders; kept honest
            raise RuntimeError("some simulated ties were not decided")
        codes = draws.method.astype(np.int64) * 2 + draws.winner
        self.counts += np.bincount(codes, minlength=self.counts.size)
        agg_a, agg_b = draws.aggregate_a, draws.aggregate_b
        width = max(int(max(agg_a.max(), agg_b.max())) + 1, self.aggregate.shape[0])
        if width > self.aggregate.shape[0]:
            grown = np.zeros((width, width), dtype=np.int64)
            grown[: self.aggregate.shape[0], : self.aggregate.shape[1]] = self.aggregate
            self.aggregate = grown
        self.aggregate += np.bincount(agg_a * width + agg_b, minlength=width * width).reshape(width, width)
        self.n += draws.winner.shape[0]
        if self.keep:
            self.parts.append(draws)

    def result(self, teams: tuple[str, str]) -> TieResult:
        n = self.n
        counts = self.counts.reshape(-1, 2)
        draws = None
        if self.keep:
            draws = TieDraws(**{f.name: np.concatenate([getattr(p, f.name) for p in self.parts])
                                for f in fields(TieDraws)})
        return TieResult(
            teams=teams,
            p_advance=counts.sum(axis=0) / n,  # from integer counts: exact, whatever the summation order
            p_method=counts / n,
            aggregate=self.aggregate / n,
            n=n,
            draws=draws,
        )


def uniform_blocks(rng: np.random.Generator, n: int) -> Iterator[np.ndarray]:
    """The uniforms of ``n`` simulated ties, in blocks of at most :data:`TIE_BLOCK` ties (``(len(UNIFORMS),
    size)`` each, from ``rng`` in order): the same blocks whoever asks, so results depend on the seed only."""
    n = check_sims(n, name="n")
    for start in range(0, n, TIE_BLOCK):
        yield draw_uniforms(rng, min(TIE_BLOCK, n - start))


def _kicker_code(first_kicker: int | str | None, teams: tuple[str, str]) -> int:
    """None = coin toss; 0/1 or a team name in ``teams``."""
    if first_kicker is None:
        return penalties.COIN_TOSS
    if isinstance(first_kicker, str):
        if first_kicker not in teams:
            raise ValueError(f"first_kicker {first_kicker!r} is neither {teams[0]!r} nor {teams[1]!r}")
        return teams.index(first_kicker)
    if first_kicker not in (0, 1, penalties.COIN_TOSS):
        raise ValueError("first_kicker must be None (coin toss), 0 (first-named side) or 1")
    return int(first_kicker)


def _first_leg(first_leg_score: tuple[int, int] | None) -> tuple[float, float]:
    if first_leg_score is None:
        return np.nan, np.nan
    home, away = first_leg_score
    if int(home) != home or int(away) != away or home < 0 or away < 0:
        raise ValueError(f"first_leg_score must be two whole, non-negative numbers (got {first_leg_score!r})")
    return float(home), float(away)


def _one(grid: ScoreGrid, what: str) -> ScoreGrid:
    """A single fixture's grid, renormalised; anything else is a clear error."""
    if not isinstance(grid, ScoreGrid):
        raise TypeError(f"{what} must be a ScoreGrid (got {type(grid).__name__}); build one with model.predict, "
                        "ScoreGrid.from_rates or ScoreGrid.from_matrices")
    if len(grid) != 1:
        raise ValueError(f"{what}: one tie needs a grid of one fixture (got {len(grid)}; see "
                         "simulate_two_legged_ties for many)")
    return grid.normalized()


def _named_kicker(params: KnockoutParams, teams: tuple[str, str]) -> KnockoutParams:
    return replace(params, first_kicker=_kicker_code(params.first_kicker, teams))


def simulate_two_legged_tie(
    leg1: ScoreGrid,
    leg2: ScoreGrid,
    *,
    first_leg_score: tuple[int, int] | None = None,
    params: KnockoutParams = _DEFAULT,
    n: int = DEFAULT_N,
    seed: int | np.random.Generator | None = DEFAULT_SEED,
    teams: tuple[str, str] = ("A", "B"),
    keep_draws: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> TieResult:
    """Monte Carlo of one two-legged tie, from scratch or after a known first leg.

    leg1: the first leg's grid (A at home); leg2: the second leg's (B at home). first_leg_score: (A's
    goals, B's goals) of a played first leg. params: rules, extra time and shoot-out model
    (``params.first_kicker`` may name a team of ``teams``). n, seed: simulations (1 to
    :data:`~matchday.simulate.limits.MAX_SIMS`) and seed. progress(done, n): called after each block.
    """
    first_home, first_away = _first_leg(first_leg_score)
    table1, table2, named = _one(leg1, "leg1"), _one(leg2, "leg2"), _named_kicker(params, teams)
    counts = _TieCounts(keep_draws)
    for uniforms in uniform_blocks(make_rng(seed), n):
        counts.add(play_two_legged(table1, table2, uniforms, first_leg_home_goals=first_home,
                                   first_leg_away_goals=first_away, params=named))
        if progress:
            progress(counts.n, n)
    return counts.result(teams)


def simulate_single_match_tie(
    grid: ScoreGrid,
    *,
    params: KnockoutParams = _DEFAULT,
    n: int = DEFAULT_N,
    seed: int | np.random.Generator | None = DEFAULT_SEED,
    teams: tuple[str, str] = ("home", "away"),
    keep_draws: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> TieResult:
    """Monte Carlo of a single-match tie (a final): 90 minutes, extra time, penalties.

    ``grid`` must describe the venue: for a final at a neutral ground, the model's neutral grid
    (``model.predict(home, away, neutral=True)``). teams[0] is the side written as home.
    """
    table, named = _one(grid, "grid"), _named_kicker(params, teams)
    counts = _TieCounts(keep_draws)
    for uniforms in uniform_blocks(make_rng(seed), n):
        counts.add(play_single_match(table, uniforms, params=named))
        if progress:
            progress(counts.n, n)
    return counts.result(teams)


def exact_single_match_tie(grid: ScoreGrid, *, params: KnockoutParams = _DEFAULT,
                           teams: tuple[str, str] = ("home", "away")) -> TieResult:
    """:func:`simulate_single_match_tie` without Monte Carlo error (``n`` and ``aggregate`` are None)."""
    p_method = single_match_probabilities(_one(grid, "grid"), _named_kicker(params, teams))[0]
    return TieResult(teams=teams, p_advance=p_method.sum(axis=0), p_method=p_method, aggregate=None, n=None)


def exact_two_legged_tie(
    leg1: ScoreGrid,
    leg2: ScoreGrid,
    *,
    first_leg_score: tuple[int, int] | None = None,
    params: KnockoutParams = _DEFAULT,
    teams: tuple[str, str] = ("A", "B"),
) -> TieResult:
    """:func:`simulate_two_legged_tie` without Monte Carlo error: the same model and arguments, computed by
    :func:`~matchday.simulate.tie_exact.two_legged_probabilities` (``n`` and ``aggregate`` are None)."""
    first_home, first_away = _first_leg(first_leg_score)
    known = first_leg_score is not None
    p_method = two_legged_probabilities(
        _one(leg2, "leg2"),
        first_leg_home_goals=first_home if known else None,
        first_leg_away_goals=first_away if known else None,
        leg1=_one(leg1, "leg1"),
        params=_named_kicker(params, teams),
    )[0]
    return TieResult(teams=teams, p_advance=p_method.sum(axis=0), p_method=p_method, aggregate=None, n=None)


def simulate_two_legged_ties(
    leg1: ScoreGrid,
    leg2: ScoreGrid,
    *,
    first_leg_home_goals: npt.ArrayLike | None = None,
    first_leg_away_goals: npt.ArrayLike | None = None,
    params: KnockoutParams = _DEFAULT,
    n: int = 20_000,
    seed: int | np.random.Generator | None = DEFAULT_SEED,
) -> pd.DataFrame:
    """Many two-legged ties at once (``m`` ties, ``n`` simulations each, common random numbers).

    leg1, leg2: grids of ``m`` fixtures each. first_leg_*: ``(m,)`` scores of played first legs, NaN where
    not played. ``params.first_kicker`` (0/1/-1) and ``params.shootout_tilt``: scalar or ``(m,)``. Each tie
    gets the same uniforms, so tie ``t`` equals :func:`simulate_two_legged_tie` on tie ``t`` alone with the
    same seed (see the module docstring for what that implies). Returns one row per tie: p_advance_a,
    p_advance_b, se, and the P(decided by ...) columns.
    """
    import pandas as pd

    for grid, name in ((leg1, "leg1"), (leg2, "leg2")):
        if not isinstance(grid, ScoreGrid):
            raise TypeError(f"{name} must be a ScoreGrid (got {type(grid).__name__})")
    table1, table2 = leg1.normalized(), leg2.normalized()
    m = len(table1)
    if len(table2) != m:
        raise ValueError(f"leg1 has {m} matches and leg2 {len(table2)}")

    def per_tie(values: npt.ArrayLike | None, fill: float) -> FloatArray:
        if values is None:
            return np.full(m, fill)
        return np.broadcast_to(np.asarray(values, dtype=float), (m,)).copy()

    first_home, first_away = per_tie(first_leg_home_goals, np.nan), per_tie(first_leg_away_goals, np.nan)
    kicker = per_tie(params.first_kicker, penalties.COIN_TOSS).astype(np.int64)
    tilt = per_tie(params.shootout_tilt, 0.0)
    counts = np.zeros((m, len(METHOD_NAMES), 2))
    for uniforms in uniform_blocks(make_rng(seed), n):  # blocks of simulations, then blocks of ties
        size = uniforms.shape[1]
        per_block = max(1, _CHUNK_ROWS // size)
        for start in range(0, m, per_block):
            ties = np.arange(start, min(m, start + per_block))
            index = np.repeat(np.arange(ties.size), size)
            draws = play_two_legged(
                table1.take(ties),
                table2.take(ties),
                np.tile(uniforms, (1, ties.size)),
                index=index,
                first_leg_home_goals=first_home[ties][index],
                first_leg_away_goals=first_away[ties][index],
                params=replace(params, first_kicker=kicker[ties][index], shootout_tilt=tilt[ties][index]),
            )
            codes = (index * len(METHOD_NAMES) + draws.method) * 2 + draws.winner
            counts[ties] += np.bincount(codes, minlength=ties.size * len(METHOD_NAMES) * 2).reshape(
                ties.size, len(METHOD_NAMES), 2
            )
    p_method = counts / n
    p_a = counts[:, :, 0].sum(axis=1) / n
    frame = pd.DataFrame({"p_advance_a": p_a, "p_advance_b": 1.0 - p_a, "se": np.sqrt(p_a * (1 - p_a) / n)})
    for k, name in enumerate(METHOD_NAMES):
        if name != "undecided":
            frame[f"p_{name}"] = p_method[:, k, :].sum(axis=1)
    return frame
