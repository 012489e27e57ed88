"""Knockout matches and ties played row by row from blocks of uniforms: the Monte Carlo core.

Input for each match is its 90-minute :class:`~matchday.models.grid.ScoreGrid` (venue included: the
second leg's grid has the second-leg host at home, a final's is a neutral one). How a level match or tie is
settled is one :class:`KnockoutParams`: the rules, the extra-time rate, the shoot-out model.

* 90-minute scores are drawn by inverse CDF (:class:`matchday.simulate.sampling.ScoreSampler`, row order).
* Extra time: independent Poisson goals with mean = the match's 90-minute expected goals
  ``* 30/90 * et_factor`` (:mod:`matchday.simulate.extra_time` estimates ``et_factor`` from data).
* Shoot-outs: :mod:`matchday.simulate.penalties` (first kicker by coin toss unless given).
* Who goes through is decided by :func:`matchday.rules.knockout.tie_winner`, the code that also
  decides real ties.

Random numbers. Every simulated tie consumes a fixed block of uniforms, ``UNIFORMS`` rows of ``n``
(first leg, second leg, extra time home/away, coin toss, shoot-out, replay score and replay extra
time), drawn as ``rng.random((len(UNIFORMS), n))``, whatever the options. A row's result depends only on
its own uniforms and grid, not on which other ties share the call (common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from matchday.models.distributions import poisson_pmf
from matchday.models.grid import ScoreGrid
from matchday.rules.knockout import (
    COIN_TOSS,
    MODERN_RULES,
    PENALTIES,
    REPLAY,
    TieRules,
    match_winner,
    tie_winner,
)
from matchday.simulate import penalties
from matchday.simulate.extra_time import DEFAULT_ET_FACTOR, EXTRA_TIME_SHARE
from matchday.simulate.sampling import ScoreSampler

DEFAULT_N = 100_000
DEFAULT_SEED = 0
MAX_ET_GOALS = 6  # extra-time goals enumerated per side in the exact computation ("6 or more")
UNIFORMS: tuple[str, ...] = (
    "leg1",
    "leg2",
    "et_home",
    "et_away",
    "toss",
    "shootout",
    "replay",
    "replay_et_home",
    "replay_et_away",
)
_U = {name: i for i, name in enumerate(UNIFORMS)}
REPLAY_RULES = TieRules(extra_time=True, decider="coin_toss")  # a replay: extra time, then a coin toss

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class KnockoutParams:
    """How a knockout match or tie is settled beyond its 90-minute scores (one set for every function).

    rules: the competition-season's rules (away goals, extra time, decider): ``tie_rules(season, comp)``.
    et_factor: extra-time scoring rate relative to the 90-minute rate (>= 0).
    first_kicker: who kicks first in a shoot-out: -1 coin toss, 0 side A (the first-leg host; the side
        written first in a single match), 1 side B; the public single-tie functions also take a team name.
        A scalar or one value per tie (per row in the row-level functions).
    p_first_kicker_wins: P(the first-kicking side wins a shoot-out) between equal sides.
    shootout_tilt: side A's shoot-out skill advantage in logits (scalar or per tie/row).
    max_et_goals: extra-time goals per side enumerated by the exact computations ("this many or more").
    """

    rules: TieRules = MODERN_RULES
    et_factor: float = DEFAULT_ET_FACTOR
    first_kicker: Any = penalties.COIN_TOSS
    p_first_kicker_wins: float = penalties.P_FIRST_KICKER_WINS
    shootout_tilt: Any = field(default=0.0)
    max_et_goals: int = MAX_ET_GOALS

    def __post_init__(self) -> None:
        if not np.isfinite(self.et_factor) or self.et_factor < 0:
            raise ValueError(f"et_factor must be a finite, non-negative number (got {self.et_factor!r})")
        if not 0.0 < self.p_first_kicker_wins < 1.0:
            raise ValueError(f"p_first_kicker_wins must lie strictly between 0 and 1 (got {self.p_first_kicker_wins!r})")
        if int(self.max_et_goals) != self.max_et_goals or self.max_et_goals < 1:
            raise ValueError(f"max_et_goals must be a positive integer (got {self.max_et_goals!r})")

    def extra_time_pmf(self, grid: ScoreGrid) -> tuple[FloatArray, FloatArray]:
        """Extra-time goal pmfs ``(m, max_et_goals + 1)`` of both sides of each fixture (censored)."""
        scale = EXTRA_TIME_SHARE * self.et_factor
        return (poisson_pmf(scale * grid.home_expected_goals, self.max_et_goals),
                poisson_pmf(scale * grid.away_expected_goals, self.max_et_goals))


def make_rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    """A Generator from a seed (None means the package default, so runs are reproducible by default)."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(DEFAULT_SEED if seed is None else seed)


def draw_uniforms(rng: np.random.Generator, n: int) -> FloatArray:
    """The ``(len(UNIFORMS), n)`` block of uniforms one batch of ``n`` simulated ties consumes."""
    if int(n) != n or n < 1:
        raise ValueError(f"n must be a positive integer (got {n!r})")
    return rng.random((len(UNIFORMS), int(n)))


def poisson_from_uniform(u: FloatArray, rate: FloatArray) -> IntArray:
    """Poisson draws by inverse CDF: the number of k >= 0 with F(k) <= u (vectorised, exact)."""
    rate = np.broadcast_to(np.asarray(rate, dtype=float), np.shape(u))
    count = np.zeros(np.shape(u), dtype=np.int64)
    term = np.exp(-rate)
    cdf = term.copy()
    for k in range(1, 64):
        more = u >= cdf
        if not more.any():
            break
        count += more
        term = term * rate / k
        cdf = cdf + term
    return count


def tie_kicker_to_match(first_kicker: npt.ArrayLike) -> IntArray:
    """Tie terms (0 = A kicks first, 1 = B) to second-leg terms (0 = home = B kicks first)."""
    kicker = np.asarray(first_kicker, dtype=np.int64)
    return np.where(kicker == penalties.COIN_TOSS, penalties.COIN_TOSS, 1 - kicker)


@dataclass(frozen=True)
class TieDraws:
    """Simulated two-legged ties (or single matches), one row per simulation.

    Team A is at home in the first leg, B in the second (a single match: A at home, B away).
    leg1_*: first leg (A home); leg2_*: second leg (B home); aet_*: second leg after 120 minutes incl.
    the 90-minute goals (NaN where the rules play no extra time); pens_*: 1-0 / 0-1 marks of who won
    the shoot-out (or coin toss), not a kick count, NaN where none is held; winner: 0 = A, 1 = B;
    method: codes of :mod:`matchday.rules.knockout`. Single matches leave leg2_* as -1.
    """

    leg1_home_goals: IntArray
    leg1_away_goals: IntArray
    leg2_home_goals: IntArray
    leg2_away_goals: IntArray
    aet_home: FloatArray
    aet_away: FloatArray
    pens_home: FloatArray
    pens_away: FloatArray
    winner: npt.NDArray[np.int8]
    method: npt.NDArray[np.int8]

    @property
    def aggregate_a(self) -> IntArray:
        """A's goals over 180 minutes (a single match: 90)."""
        return self.leg1_home_goals + np.maximum(self.leg2_away_goals, 0)

    @property
    def aggregate_b(self) -> IntArray:
        return self.leg1_away_goals + np.maximum(self.leg2_home_goals, 0)


def _index(index: npt.ArrayLike | None, n: int, size: int) -> IntArray:
    if index is None:
        if size != 1:
            raise ValueError(f"index is required with {size} matches per leg")
        return np.zeros(n, dtype=np.int64)
    index = np.asarray(index, dtype=np.int64)
    if index.shape != (n,):
        raise ValueError(f"index must have shape ({n},) (got {index.shape})")
    if index.size and (index.min() < 0 or index.max() >= size):
        raise ValueError(f"index values must lie in 0..{size - 1}")
    return index


def _scores(grid: ScoreGrid, u: FloatArray, rows: IntArray) -> tuple[IntArray, IntArray]:
    """90-minute scores by inverse CDF: row ``r`` uses fixture ``rows[r]`` and uniform ``u[r]``."""
    home, away = ScoreSampler(grid).sample_rows(ScoreSampler.bits_from_uniforms(u), rows)
    return home.astype(np.int64), away.astype(np.int64)


def _extra_time(grid: ScoreGrid, rows: IntArray, u_home: FloatArray, u_away: FloatArray, et_factor: float
                ) -> tuple[IntArray, IntArray]:
    scale = EXTRA_TIME_SHARE * et_factor
    home = poisson_from_uniform(u_home, scale * grid.home_expected_goals[rows])
    away = poisson_from_uniform(u_away, scale * grid.away_expected_goals[rows])
    return home, away


def _known_first_leg(values: npt.ArrayLike | None, drawn: IntArray, name: str) -> IntArray:
    if values is None:
        return drawn
    given = np.broadcast_to(np.asarray(values, dtype=float), drawn.shape)
    known = np.isfinite(given)
    if np.any(known & ((given < 0) | (given != np.round(given)))):
        raise ValueError(f"{name} must be whole, non-negative goals (NaN where the first leg is not played)")
    return np.where(known, np.nan_to_num(given), drawn).astype(np.int64)


def play_two_legged(
    leg1: ScoreGrid,
    leg2: ScoreGrid,
    uniforms: FloatArray,
    *,
    index: npt.ArrayLike | None = None,
    first_leg_home_goals: npt.ArrayLike | None = None,
    first_leg_away_goals: npt.ArrayLike | None = None,
    params: KnockoutParams = KnockoutParams(),  # noqa: B008 (frozen, immutable)
) -> TieDraws:
    """Play ``n`` two-legged ties from a block of uniforms (:func:`draw_uniforms`): the deterministic core.

    leg1, leg2: grids of the first leg (A home) and second leg (B home), one fixture per tie; index:
    ``(n,)`` tie of each row (omit with one tie). first_leg_*_goals: the played first leg's score per row
    (scalar or ``(n,)``; NaN where not played): it replaces the drawn one. ``params.first_kicker`` and
    ``params.shootout_tilt`` are scalars or one per row.
    """
    if len(leg1) != len(leg2):
        raise ValueError(f"leg1 has {len(leg1)} matches and leg2 {len(leg2)}; one pair per tie is needed")
    rules = params.rules
    n = uniforms.shape[1]
    rows = _index(index, n, len(leg1))
    u = uniforms
    a1, b1 = _scores(leg1, u[_U["leg1"]], rows)
    a1 = _known_first_leg(first_leg_home_goals, a1, "first_leg_home_goals")
    b1 = _known_first_leg(first_leg_away_goals, b1, "first_leg_away_goals")
    b2, a2 = _scores(leg2, u[_U["leg2"]], rows)
    if rules.extra_time:
        et_b, et_a = _extra_time(leg2, rows, u[_U["et_home"]], u[_U["et_away"]], params.et_factor)
        aet_b, aet_a = (b2 + et_b).astype(float), (a2 + et_a).astype(float)
    else:
        aet_b = aet_a = np.full(n, np.nan)
    if rules.decider == "penalties":
        # The shoot-out is held at B's ground: B is its "home" side.
        b_wins, _ = penalties.draw_shootouts(
            u[_U["toss"]],
            u[_U["shootout"]],
            tie_kicker_to_match(params.first_kicker),
            p_first_kicker_wins=params.p_first_kicker_wins,
            skill_tilt=-np.asarray(params.shootout_tilt, dtype=float),
        )
    elif rules.decider == "coin_toss":
        b_wins = (u[_U["toss"]] < 0.5).astype(np.int8)
    else:
        b_wins = None
    pens_b = b_wins.astype(float) if b_wins is not None else np.full(n, np.nan)
    pens_a = 1.0 - pens_b
    decision = tie_winner(
        a1, b1, b2, a2, aet_b, aet_a, pens_b, pens_a, rules.away_goals,
        away_goals_in_extra_time=rules.away_goals_in_extra_time,
    )  # fmt: skip
    winner, method = decision.winner.copy(), decision.method.copy()
    if rules.decider == "coin_toss":
        method[method == PENALTIES] = COIN_TOSS
    elif rules.decider == "replay":
        level = winner < 0
        if np.any(level):
            replay = play_single_match(
                leg1.averaged_with(leg2.transposed()),  # a neutral venue: the mean of both legs
                u[[_U["replay"], _U["replay_et_home"], _U["replay_et_away"], _U["toss"], _U["shootout"]]][:, level],
                index=rows[level],
                params=KnockoutParams(rules=REPLAY_RULES, et_factor=params.et_factor),
            )
            winner[level] = replay.winner
            method[level] = REPLAY
    return TieDraws(a1, b1, b2, a2, aet_b, aet_a, pens_b, pens_a, winner, method)


def play_single_match(
    grid: ScoreGrid,
    uniforms: FloatArray,
    *,
    index: npt.ArrayLike | None = None,
    params: KnockoutParams = KnockoutParams(),  # noqa: B008 (frozen, immutable)
) -> TieDraws:
    """Play ``n`` single-match ties (finals, replays) from uniforms; home side = A (winner 0).

    ``uniforms``: a :func:`draw_uniforms` block (rows ``UNIFORMS``) or a 5-row block (score, extra time
    home, extra time away, toss, shoot-out).
    """
    rules = params.rules
    if uniforms.shape[0] == len(UNIFORMS):
        uniforms = uniforms[[_U["leg1"], _U["et_home"], _U["et_away"], _U["toss"], _U["shootout"]]]
    if uniforms.shape[0] != 5:
        raise ValueError("uniforms must be a draw_uniforms block or have 5 rows")
    n = uniforms.shape[1]
    rows = _index(index, n, len(grid))
    home, away = _scores(grid, uniforms[0], rows)
    if rules.extra_time:
        et_home, et_away = _extra_time(grid, rows, uniforms[1], uniforms[2], params.et_factor)
        aet_home, aet_away = (home + et_home).astype(float), (away + et_away).astype(float)
    else:
        aet_home = aet_away = np.full(n, np.nan)
    if rules.decider == "penalties":
        away_wins, _ = penalties.draw_shootouts(
            uniforms[3],
            uniforms[4],
            params.first_kicker,
            p_first_kicker_wins=params.p_first_kicker_wins,
            skill_tilt=params.shootout_tilt,
        )
        away_wins = 1 - away_wins  # draw_shootouts gives "home wins"
    else:  # a coin toss (a replay is not replayed again)
        away_wins = (uniforms[3] < 0.5).astype(np.int8)
    pens_away = away_wins.astype(float)
    pens_home = 1.0 - pens_away
    decision = match_winner(home, away, aet_home, aet_away, pens_home, pens_away)
    method = decision.method.copy()
    if rules.decider != "penalties":
        method[method == PENALTIES] = COIN_TOSS
    missing = np.full(n, -1, dtype=np.int64)
    return TieDraws(
        home, away, missing, missing, aet_home, aet_away, pens_home, pens_away, decision.winner, method
    )
