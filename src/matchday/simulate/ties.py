"""Knockout ties by vectorised Monte Carlo, and exactly by enumeration.

Input for each match is its 90-minute score distribution: a score matrix ``P[i, j]`` = P(home scores
i, away scores j) (shape ``(G+1, G+1)``, e.g. from a Dixon-Coles model; a matrix that does not sum to
1 is renormalised), an object with a ``probabilities`` matrix and ``home_expected_goals`` /
``away_expected_goals`` (:class:`matchday.models.scores.ScoreMatrix`), or a pair of expected goals
``(home_rate, away_rate)`` per 90 minutes (independent Poisson). Venue is part of the input: the
second leg's matrix is the one with the second-leg host at home, a final's matrix is a neutral one.

* 90-minute scores are drawn by inverse CDF on the flattened matrix (one uniform per match).
* Extra time: independent Poisson goals with mean = the match's 90-minute expected goals
  ``* 30/90 * et_factor`` (:mod:`matchday.simulate.extra_time` estimates ``et_factor`` from data).
* Shoot-outs: :mod:`matchday.simulate.penalties` (first kicker by coin toss unless given).
* Who goes through is decided by :func:`matchday.rules.knockout.tie_winner`, the code that also
  decides real ties.

Random numbers. Every simulated tie consumes a fixed block of uniforms, ``UNIFORMS`` rows of ``n``
(first leg, second leg, extra time home/away, coin toss, shoot-out, replay score and replay extra
time), drawn as ``rng.random((len(UNIFORMS), n))`` from ``numpy.random.default_rng(seed)``, whatever
the options. Hence a run is reproducible from its seed, and :func:`simulate_two_legged_ties` (many
ties at once, each tie given the same uniforms: common random numbers) gives each tie exactly the
result of :func:`simulate_two_legged_tie` with the same seed. Common random numbers make differences
between ties (a 0-3 versus a 0-2 first leg) far more precise than independent runs, but the ties'
outcomes are then dependent, so joint events across ties must use independent draws (as the bracket
simulator does).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from matchday.rules.knockout import (
    COIN_TOSS,
    METHOD_NAMES,
    MODERN_RULES,
    PENALTIES,
    REPLAY,
    UNDECIDED,
    TieRules,
    match_winner,
    tie_winner,
)
from matchday.simulate import penalties
from matchday.simulate.extra_time import DEFAULT_ET_FACTOR, EXTRA_TIME_SHARE
from matchday.simulate.sampling import ScoreSampler

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

DEFAULT_MAX_GOALS = 10
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
_CHUNK_ROWS = 2_000_000  # rows per vectorised block (memory bound)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


# ---------------------------------------------------------------------------------------------------
# Score distributions
# ---------------------------------------------------------------------------------------------------


def poisson_score_matrix(
    home_rate: npt.ArrayLike, away_rate: npt.ArrayLike, max_goals: int = DEFAULT_MAX_GOALS
) -> FloatArray:
    """Independent-Poisson score matrix (``(..., G+1, G+1)``), censored: row/column G = "G or more".

    home_rate, away_rate: expected goals per 90 minutes (broadcast together).
    """
    if int(max_goals) != max_goals or max_goals < 1:
        raise ValueError(f"max_goals must be a positive integer (got {max_goals!r})")
    home = np.asarray(home_rate, dtype=float)
    away = np.asarray(away_rate, dtype=float)
    if np.any(~np.isfinite(home)) or np.any(~np.isfinite(away)) or np.any(home < 0) or np.any(away < 0):
        raise ValueError("expected goals must be finite and non-negative")
    return censored_poisson_pmf(home, max_goals)[..., :, None] * censored_poisson_pmf(away, max_goals)[..., None, :]


def censored_poisson_pmf(rate: FloatArray, max_goals: int) -> FloatArray:
    """Poisson pmf of 0..G-1 and P(X >= G) in the last cell, shape ``rate.shape + (G+1,)``."""
    rate = np.asarray(rate, dtype=float)
    k = np.arange(max_goals + 1)
    steps = np.concatenate(
        [np.exp(-rate)[..., None], np.broadcast_to(rate[..., None], rate.shape + (max_goals,)) / k[1:]], axis=-1
    )
    pmf = np.cumprod(steps, axis=-1)
    pmf[..., -1] = np.clip(1.0 - pmf[..., :-1].sum(axis=-1), 0.0, None)
    return pmf


@dataclass(frozen=True)
class ScoreTable:
    """Score distributions of ``m`` matches prepared for sampling and enumeration.

    probabilities: ``(m, G+1, G+1)``, each summing to 1. home_xg / away_xg: expected goals per 90
    minutes (from the model where given, else the matrix means) — these set the extra-time rates.
    """

    probabilities: FloatArray
    home_xg: FloatArray
    away_xg: FloatArray

    @property
    def size(self) -> int:
        return self.probabilities.shape[0]

    @property
    def max_goals(self) -> int:
        return self.probabilities.shape[1] - 1

    def transposed(self) -> ScoreTable:
        """The same matches written the other way round (home and away swapped)."""
        return ScoreTable(np.swapaxes(self.probabilities, 1, 2), self.away_xg, self.home_xg)

    def take(self, index: npt.ArrayLike) -> ScoreTable:
        index = np.asarray(index, dtype=np.int64)
        return ScoreTable(self.probabilities[index], self.home_xg[index], self.away_xg[index])

    def sample(self, u: FloatArray, index: IntArray | None = None) -> tuple[IntArray, IntArray]:
        """Scores by inverse CDF: row ``r`` uses match ``index[r]`` (0 when None) and uniform ``u[r]``.

        The same sampler as the season simulation (:class:`matchday.simulate.sampling.ScoreSampler`), so a
        row's score depends only on its own uniform and matrix, not on which other ties share the call.
        """
        m = self.probabilities.shape[0]
        if index is None:
            if m != 1:
                raise ValueError(f"an index is needed to sample from {m} score matrices")
            index = np.zeros(np.shape(u), dtype=np.int64)
        sampler = ScoreSampler(self.probabilities)
        home, away = sampler.sample_rows(ScoreSampler.bits_from_uniforms(u), np.asarray(index))
        return home.astype(np.int64), away.astype(np.int64)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating)


def _one_table(item: Any, max_goals: int) -> tuple[FloatArray, float | None, float | None]:
    probabilities = getattr(item, "probabilities", None)
    if probabilities is not None:
        return (
            np.asarray(probabilities, dtype=float),
            getattr(item, "home_expected_goals", None),
            getattr(item, "away_expected_goals", None),
        )
    if isinstance(item, tuple | list) and len(item) == 2 and all(_is_number(v) for v in item):
        home, away = (float(v) for v in item)
        return poisson_score_matrix(home, away, max_goals), home, away
    return np.asarray(item, dtype=float), None, None


def score_table(scores: Any, max_goals: int = DEFAULT_MAX_GOALS) -> ScoreTable:
    """A :class:`ScoreTable` from one or many matches' score distributions.

    Accepts a ``(G+1, G+1)`` matrix, a ``(m, G+1, G+1)`` stack, a ``ScoreMatrix``-like object, a pair
    of expected goals ``(home_rate, away_rate)``, or a list of any of these (padded to a common size).
    A matrix must be a NumPy array: a (nested) list is read as a list of matches.
    """
    if isinstance(scores, ScoreTable):
        return scores
    if isinstance(scores, np.ndarray) and scores.ndim == 3 and scores.dtype.kind in "fiu":
        return _stacked_table(scores.astype(float, copy=False))
    if isinstance(scores, np.ndarray) and scores.ndim == 3:
        items: list[Any] = list(scores)
    elif isinstance(scores, list | tuple) and not (len(scores) == 2 and all(_is_number(v) for v in scores)):
        items = list(scores)  # a list is a list of matches; a matrix must be an ndarray
    else:
        items = [scores]
    if not items:
        raise ValueError("no score matrices given")
    parsed = [_one_table(item, max_goals) for item in items]
    size = max(max(p.shape) for p, _, _ in parsed)
    stack = np.zeros((len(parsed), size, size))
    home_xg = np.empty(len(parsed))
    away_xg = np.empty(len(parsed))
    goals = np.arange(size)
    for t, (matrix, home, away) in enumerate(parsed):
        if matrix.ndim != 2:
            raise ValueError(f"score matrix {t} must be 2-dimensional (got shape {matrix.shape})")
        if not np.all(np.isfinite(matrix)) or np.any(matrix < 0):
            raise ValueError(f"score matrix {t} must hold finite, non-negative probabilities")
        total = matrix.sum()
        if total <= 0:
            raise ValueError(f"score matrix {t} has no probability mass")
        stack[t, : matrix.shape[0], : matrix.shape[1]] = matrix / total
        home_xg[t] = float(home) if home is not None else float(goals @ stack[t].sum(axis=1))
        away_xg[t] = float(away) if away is not None else float(goals @ stack[t].sum(axis=0))
    return ScoreTable(stack, home_xg, away_xg)


def _stacked_table(stack: FloatArray) -> ScoreTable:
    """A ScoreTable from a ``(m, G+1, H+1)`` array, vectorised (the same checks as score_table)."""
    if not np.all(np.isfinite(stack)) or np.any(stack < 0):
        bad = int(np.flatnonzero(~np.all(np.isfinite(stack) & (stack >= 0), axis=(1, 2)))[0])
        raise ValueError(f"score matrix {bad} must hold finite, non-negative probabilities")
    totals = stack.sum(axis=(1, 2))
    if np.any(totals <= 0):
        raise ValueError(f"score matrix {int(np.flatnonzero(totals <= 0)[0])} has no probability mass")
    size = max(stack.shape[1:])
    padded = np.zeros((stack.shape[0], size, size))
    padded[:, : stack.shape[1], : stack.shape[2]] = stack / totals[:, None, None]
    goals = np.arange(size)
    return ScoreTable(padded, padded.sum(axis=2) @ goals, padded.sum(axis=1) @ goals)


def neutral_table(leg1: ScoreTable, leg2: ScoreTable) -> ScoreTable:
    """A neutral-venue match between A and B (A written at home) from the two legs' distributions:
    the average of A at home and A away. Used for historical replays."""
    swapped = leg2.transposed()
    return ScoreTable(
        0.5 * (leg1.probabilities + swapped.probabilities),
        0.5 * (leg1.home_xg + swapped.home_xg),
        0.5 * (leg1.away_xg + swapped.away_xg),
    )


# ---------------------------------------------------------------------------------------------------
# Random numbers
# ---------------------------------------------------------------------------------------------------


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


def _check_et_factor(et_factor: float) -> float:
    if not np.isfinite(et_factor) or et_factor < 0:
        raise ValueError(f"et_factor must be a finite, non-negative number (got {et_factor!r})")
    return float(et_factor)


def _tie_kicker_to_match(first_kicker: npt.ArrayLike) -> IntArray:
    """Tie terms (0 = A kicks first, 1 = B) to second-leg terms (0 = home = B kicks first)."""
    kicker = np.asarray(first_kicker, dtype=np.int64)
    return np.where(kicker == penalties.COIN_TOSS, penalties.COIN_TOSS, 1 - kicker)


# ---------------------------------------------------------------------------------------------------
# Simulated ties (row level)
# ---------------------------------------------------------------------------------------------------


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


def _index(index: npt.ArrayLike | None, n: int, size: int) -> IntArray | None:
    if index is None:
        if size != 1:
            raise ValueError(f"index is required with {size} matches per leg")
        return None
    index = np.asarray(index, dtype=np.int64)
    if index.shape != (n,):
        raise ValueError(f"index must have shape ({n},) (got {index.shape})")
    if index.size and (index.min() < 0 or index.max() >= size):
        raise ValueError(f"index values must lie in 0..{size - 1}")
    return index


def _rows(values: FloatArray, index: IntArray | None, n: int) -> FloatArray:
    return np.full(n, values[0]) if index is None else values[index]


def _extra_time(
    table: ScoreTable, index: IntArray | None, u_home: FloatArray, u_away: FloatArray, et_factor: float
) -> tuple[IntArray, IntArray]:
    n = u_home.shape[0]
    scale = EXTRA_TIME_SHARE * et_factor
    home = poisson_from_uniform(u_home, scale * _rows(table.home_xg, index, n))
    away = poisson_from_uniform(u_away, scale * _rows(table.away_xg, index, n))
    return home, away


def _known_first_leg(
    values: npt.ArrayLike | None, drawn: IntArray, name: str
) -> IntArray:
    if values is None:
        return drawn
    given = np.broadcast_to(np.asarray(values, dtype=float), drawn.shape)
    known = np.isfinite(given)
    if np.any(known & ((given < 0) | (given != np.round(given)))):
        raise ValueError(f"{name} must be whole, non-negative goals (NaN where the first leg is not played)")
    return np.where(known, np.nan_to_num(given), drawn).astype(np.int64)


def play_two_legged(
    leg1: ScoreTable,
    leg2: ScoreTable,
    uniforms: FloatArray,
    *,
    index: npt.ArrayLike | None = None,
    first_leg_home_goals: npt.ArrayLike | None = None,
    first_leg_away_goals: npt.ArrayLike | None = None,
    rules: TieRules = MODERN_RULES,
    et_factor: float = DEFAULT_ET_FACTOR,
    first_kicker: npt.ArrayLike = penalties.COIN_TOSS,
    p_first_kicker_wins: float = penalties.P_FIRST_KICKER_WINS,
    shootout_tilt: npt.ArrayLike = 0.0,
) -> TieDraws:
    """Play ``n`` two-legged ties from a block of uniforms (``draw_uniforms``): the deterministic core.

    leg1, leg2: score tables of the first leg (A home) and second leg (B home), one entry per tie;
    index: ``(n,)`` tie of each row (omit with one tie). first_leg_*_goals: the played first leg's
    score per row (scalar or ``(n,)``; NaN where not played): it replaces the drawn one.
    first_kicker: -1 coin toss, 0 = A kicks first, 1 = B (scalar or per row). shootout_tilt: A's
    shoot-out skill advantage in logits. Other arguments: see :func:`simulate_two_legged_tie`.
    """
    if leg1.size != leg2.size:
        raise ValueError(f"leg1 has {leg1.size} matches and leg2 {leg2.size}; one pair per tie is needed")
    et_factor = _check_et_factor(et_factor)
    n = uniforms.shape[1]
    rows = _index(index, n, leg1.size)
    u = uniforms
    a1, b1 = leg1.sample(u[_U["leg1"]], rows)
    a1 = _known_first_leg(first_leg_home_goals, a1, "first_leg_home_goals")
    b1 = _known_first_leg(first_leg_away_goals, b1, "first_leg_away_goals")
    b2, a2 = leg2.sample(u[_U["leg2"]], rows)
    if rules.extra_time:
        et_b, et_a = _extra_time(leg2, rows, u[_U["et_home"]], u[_U["et_away"]], et_factor)
        aet_b, aet_a = (b2 + et_b).astype(float), (a2 + et_a).astype(float)
    else:
        aet_b = aet_a = np.full(n, np.nan)
    if rules.decider == "penalties":
        # The shoot-out is held at B's ground: B is its "home" side.
        b_wins, _ = penalties.draw_shootouts(
            u[_U["toss"]],
            u[_U["shootout"]],
            _tie_kicker_to_match(first_kicker),
            p_first_kicker_wins=p_first_kicker_wins,
            skill_tilt=-np.asarray(shootout_tilt, dtype=float),
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
            neutral = neutral_table(leg1, leg2)
            replay = play_single_match(
                neutral,
                u[[_U["replay"], _U["replay_et_home"], _U["replay_et_away"], _U["toss"], _U["shootout"]]][
                    :, level
                ],
                index=None if rows is None else rows[level],
                rules=TieRules(extra_time=True, decider="coin_toss"),
                et_factor=et_factor,
            )
            winner[level] = replay.winner
            method[level] = REPLAY
    return TieDraws(a1, b1, b2, a2, aet_b, aet_a, pens_b, pens_a, winner, method)


def play_single_match(
    table: ScoreTable,
    uniforms: FloatArray,
    *,
    index: npt.ArrayLike | None = None,
    rules: TieRules = MODERN_RULES,
    et_factor: float = DEFAULT_ET_FACTOR,
    first_kicker: npt.ArrayLike = penalties.COIN_TOSS,
    p_first_kicker_wins: float = penalties.P_FIRST_KICKER_WINS,
    shootout_tilt: npt.ArrayLike = 0.0,
) -> TieDraws:
    """Play ``n`` single-match ties (finals, replays) from uniforms; home side = A (winner 0).

    ``uniforms``: a ``draw_uniforms`` block (rows ``UNIFORMS``) or a 5-row block (score, extra time
    home, extra time away, toss, shoot-out). first_kicker: -1 coin toss, 0 home side, 1 away side;
    shootout_tilt: home side's shoot-out advantage in logits. ``rules``: extra time and decider.
    """
    et_factor = _check_et_factor(et_factor)
    if uniforms.shape[0] == len(UNIFORMS):
        uniforms = uniforms[[_U["leg1"], _U["et_home"], _U["et_away"], _U["toss"], _U["shootout"]]]
    if uniforms.shape[0] != 5:
        raise ValueError("uniforms must be a draw_uniforms block or have 5 rows")
    n = uniforms.shape[1]
    rows = _index(index, n, table.size)
    home, away = table.sample(uniforms[0], rows)
    if rules.extra_time:
        et_home, et_away = _extra_time(table, rows, uniforms[1], uniforms[2], et_factor)
        aet_home, aet_away = (home + et_home).astype(float), (away + et_away).astype(float)
    else:
        aet_home = aet_away = np.full(n, np.nan)
    if rules.decider == "penalties":
        away_wins, _ = penalties.draw_shootouts(
            uniforms[3],
            uniforms[4],
            first_kicker,
            p_first_kicker_wins=p_first_kicker_wins,
            skill_tilt=shootout_tilt,
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


# ---------------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------------


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


def _summarise(draws: TieDraws, teams: tuple[str, str], keep: bool) -> TieResult:
    n = draws.winner.shape[0]
    codes = draws.method.astype(np.int64) * 2 + np.maximum(draws.winner, 0)
    counts = np.bincount(codes, minlength=2 * len(METHOD_NAMES)).reshape(-1, 2)
    p_method = counts / n
    if np.any(draws.winner < 0):  # cannot happen with the built-in deciders; kept honest
        raise RuntimeError("some simulated ties were not decided")
    agg_a, agg_b = draws.aggregate_a, draws.aggregate_b
    width = int(max(agg_a.max(), agg_b.max())) + 1
    aggregate = np.bincount(agg_a * width + agg_b, minlength=width * width).reshape(width, width) / n
    return TieResult(
        teams=teams,
        p_advance=counts.sum(axis=0) / n,  # from integer counts: exact, whatever the summation order
        p_method=p_method,
        aggregate=aggregate,
        n=n,
        draws=draws if keep else None,
    )


def _resolve_rules(rules: TieRules | None, away_goals_rule: bool | None) -> TieRules:
    if rules is None:
        return TieRules(away_goals=bool(away_goals_rule))
    if away_goals_rule is not None and bool(away_goals_rule) != rules.away_goals:
        raise ValueError("away_goals_rule contradicts rules.away_goals; give one of them")
    return rules


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


def simulate_two_legged_tie(
    leg1: Any,
    leg2: Any,
    *,
    first_leg_score: tuple[int, int] | None = None,
    away_goals_rule: bool | None = None,
    rules: TieRules | None = None,
    et_factor: float = DEFAULT_ET_FACTOR,
    first_kicker: int | str | None = None,
    p_first_kicker_wins: float = penalties.P_FIRST_KICKER_WINS,
    shootout_tilt: float = 0.0,
    n: int = DEFAULT_N,
    seed: int | np.random.Generator | None = DEFAULT_SEED,
    teams: tuple[str, str] = ("A", "B"),
    keep_draws: bool = False,
) -> TieResult:
    """Monte Carlo of one two-legged tie, from scratch or after a known first leg.

    leg1: the first leg's 90-minute score distribution with A at home; leg2: the second leg's with B
    at home (matrix, ScoreMatrix or ``(home_rate, away_rate)``). first_leg_score: (A's goals, B's
    goals) of a played first leg. away_goals_rule / rules: ``rules`` (e.g. ``tie_rules("2020-21")``)
    or just the away-goals flag (default: the rules since 2021-22). et_factor: extra-time scoring rate
    relative to the 90-minute rate. first_kicker: None (coin toss), 0/1 or a team name.
    p_first_kicker_wins / shootout_tilt: see :mod:`matchday.simulate.penalties` (tilt: A's advantage
    in logits). n, seed: simulations and seed (int or Generator).
    """
    tie_rules = _resolve_rules(rules, away_goals_rule)
    first_home, first_away = _first_leg(first_leg_score)
    table1, table2 = score_table(leg1), score_table(leg2)
    if table1.size != 1 or table2.size != 1:
        raise ValueError("one tie: give one score matrix per leg (see simulate_two_legged_ties for many)")
    uniforms = draw_uniforms(make_rng(seed), n)
    draws = play_two_legged(
        table1,
        table2,
        uniforms,
        first_leg_home_goals=first_home,
        first_leg_away_goals=first_away,
        rules=tie_rules,
        et_factor=et_factor,
        first_kicker=_kicker_code(first_kicker, teams),
        p_first_kicker_wins=p_first_kicker_wins,
        shootout_tilt=shootout_tilt,
    )
    return _summarise(draws, teams, keep_draws)


def simulate_single_match_tie(
    matrix: Any,
    *,
    rules: TieRules | None = None,
    et_factor: float = DEFAULT_ET_FACTOR,
    first_kicker: int | str | None = None,
    p_first_kicker_wins: float = penalties.P_FIRST_KICKER_WINS,
    shootout_tilt: float = 0.0,
    n: int = DEFAULT_N,
    seed: int | np.random.Generator | None = DEFAULT_SEED,
    teams: tuple[str, str] = ("home", "away"),
    keep_draws: bool = False,
) -> TieResult:
    """Monte Carlo of a single-match tie (a final): 90 minutes, extra time, penalties.

    ``matrix`` must describe the venue: for a final at a neutral ground, the model's neutral matrix
    (``matrix_for(home, away, neutral=True)``). teams[0] is the side written as home.
    """
    tie_rules = rules if rules is not None else MODERN_RULES
    table = score_table(matrix)
    if table.size != 1:
        raise ValueError("one match: give one score matrix")
    draws = play_single_match(
        table,
        draw_uniforms(make_rng(seed), n),
        rules=tie_rules,
        et_factor=et_factor,
        first_kicker=_kicker_code(first_kicker, teams),
        p_first_kicker_wins=p_first_kicker_wins,
        shootout_tilt=shootout_tilt,
    )
    return _summarise(draws, teams, keep_draws)


def simulate_two_legged_ties(
    leg1: Any,
    leg2: Any,
    *,
    first_leg_home_goals: npt.ArrayLike | None = None,
    first_leg_away_goals: npt.ArrayLike | None = None,
    rules: TieRules = MODERN_RULES,
    et_factor: float = DEFAULT_ET_FACTOR,
    first_kicker: npt.ArrayLike = penalties.COIN_TOSS,
    p_first_kicker_wins: float = penalties.P_FIRST_KICKER_WINS,
    shootout_tilt: npt.ArrayLike = 0.0,
    n: int = 20_000,
    seed: int | np.random.Generator | None = DEFAULT_SEED,
) -> pd.DataFrame:
    """Many two-legged ties at once (``m`` ties, ``n`` simulations each, common random numbers).

    leg1, leg2: ``m`` score distributions each (a ``(m, G+1, G+1)`` stack or a list). first_leg_*:
    ``(m,)`` scores of played first legs, NaN where not played. first_kicker, shootout_tilt: scalar
    or ``(m,)``. Each tie gets the same uniforms, so tie ``t`` equals ``simulate_two_legged_tie`` on
    tie ``t`` alone with the same seed (see the module docstring for what that implies).
    Returns one row per tie: p_advance_a, p_advance_b, se, and the P(decided by ...) columns.
    """
    import pandas as pd

    table1, table2 = score_table(leg1), score_table(leg2)
    m = table1.size
    if table2.size != m:
        raise ValueError(f"leg1 has {m} matches and leg2 {table2.size}")

    def per_tie(values: npt.ArrayLike | None, fill: float) -> FloatArray:
        if values is None:
            return np.full(m, fill)
        return np.broadcast_to(np.asarray(values, dtype=float), (m,)).copy()

    first_home, first_away = per_tie(first_leg_home_goals, np.nan), per_tie(first_leg_away_goals, np.nan)
    kicker = per_tie(first_kicker, penalties.COIN_TOSS).astype(np.int64)
    tilt = per_tie(shootout_tilt, 0.0)
    uniforms = draw_uniforms(make_rng(seed), n)
    counts = np.zeros((m, len(METHOD_NAMES), 2))
    per_block = max(1, _CHUNK_ROWS // n)
    for start in range(0, m, per_block):
        ties = np.arange(start, min(m, start + per_block))
        index = np.repeat(np.arange(ties.size), n)
        draws = play_two_legged(
            table1.take(ties),
            table2.take(ties),
            np.tile(uniforms, (1, ties.size)),
            index=index,
            first_leg_home_goals=first_home[ties][index],
            first_leg_away_goals=first_away[ties][index],
            rules=rules,
            et_factor=et_factor,
            first_kicker=kicker[ties][index],
            p_first_kicker_wins=p_first_kicker_wins,
            shootout_tilt=tilt[ties][index],
        )
        codes = (index * len(METHOD_NAMES) + draws.method) * 2 + draws.winner
        counts[ties] = np.bincount(codes, minlength=ties.size * len(METHOD_NAMES) * 2).reshape(
            ties.size, len(METHOD_NAMES), 2
        )
    p_method = counts / n
    p_a = counts[:, :, 0].sum(axis=1) / n
    frame = pd.DataFrame({"p_advance_a": p_a, "p_advance_b": 1.0 - p_a, "se": np.sqrt(p_a * (1 - p_a) / n)})
    for k, name in enumerate(METHOD_NAMES):
        if name != "undecided":
            frame[f"p_{name}"] = p_method[:, k, :].sum(axis=1)
    return frame


# ---------------------------------------------------------------------------------------------------
# Exact probabilities by enumeration
# ---------------------------------------------------------------------------------------------------


def _et_pmf(table: ScoreTable, et_factor: float, max_et_goals: int) -> tuple[FloatArray, FloatArray]:
    scale = EXTRA_TIME_SHARE * et_factor
    return censored_poisson_pmf(scale * table.home_xg, max_et_goals), censored_poisson_pmf(scale * table.away_xg, max_et_goals)


def single_match_probabilities(
    matrix: Any,
    *,
    rules: TieRules = MODERN_RULES,
    et_factor: float = DEFAULT_ET_FACTOR,
    first_kicker: npt.ArrayLike = penalties.COIN_TOSS,
    p_first_kicker_wins: float = penalties.P_FIRST_KICKER_WINS,
    shootout_tilt: npt.ArrayLike = 0.0,
    max_et_goals: int = MAX_ET_GOALS,
) -> FloatArray:
    """Exact ``(m, len(METHOD_NAMES), 2)`` P(decided by method, side goes through) of single-match
    ties (side 0 = home), by enumerating 90-minute and extra-time scores (extra-time goals censored
    at ``max_et_goals``). Same model and rules as :func:`play_single_match`."""
    et_factor = _check_et_factor(et_factor)
    table = score_table(matrix)
    m, size = table.size, table.max_goals + 1
    if rules.decider == "penalties":
        home_shootout = penalties.shootout_home_win_probability(
            np.broadcast_to(np.asarray(first_kicker), (m,)),
            p_first_kicker_wins=p_first_kicker_wins,
            skill_tilt=np.broadcast_to(np.asarray(shootout_tilt, dtype=float), (m,)),
        )
    else:
        home_shootout = np.full(m, 0.5)
    goals = np.arange(size)
    h = goals[:, None, None, None]
    a = goals[None, :, None, None]
    if rules.extra_time:
        e = np.arange(max_et_goals + 1)
        aet_h = (h + e[None, None, :, None]).astype(float)
        aet_a = (a + e[None, None, None, :]).astype(float)
        et_home, et_away = _et_pmf(table, et_factor, max_et_goals)
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
    leg2: Any,
    *,
    first_leg_home_goals: npt.ArrayLike | None = None,
    first_leg_away_goals: npt.ArrayLike | None = None,
    leg1: Any = None,
    rules: TieRules = MODERN_RULES,
    et_factor: float = DEFAULT_ET_FACTOR,
    first_kicker: npt.ArrayLike = penalties.COIN_TOSS,
    p_first_kicker_wins: float = penalties.P_FIRST_KICKER_WINS,
    shootout_tilt: npt.ArrayLike = 0.0,
    max_et_goals: int = MAX_ET_GOALS,
) -> FloatArray:
    """Exact ``(m, len(METHOD_NAMES), 2)`` P(decided by method, side goes through) of ``m``
    two-legged ties (side 0 = A, at home in the first leg), by enumerating every second-leg and
    extra-time score (and every first-leg score where ``first_leg_*`` is not given: then ``leg1`` is
    required; it is also required in the replay eras, whose replay is a neutral average of both legs).
    Same model and rules as :func:`play_two_legged`; ``sum(axis=1)`` is P(A), P(B).
    """
    et_factor = _check_et_factor(et_factor)
    table2 = score_table(leg2)
    m, size = table2.size, table2.max_goals + 1
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
        table1 = score_table(leg1)
        if table1.size != m:
            raise ValueError(f"leg1 has {table1.size} matches and leg2 {m}")
        size1 = table1.max_goals + 1
        g1 = np.arange(size1)
        a1 = np.broadcast_to(np.repeat(g1, size1).astype(float), (m, size1 * size1))
        b1 = np.broadcast_to(np.tile(g1, size1).astype(float), (m, size1 * size1))
        w1 = table1.probabilities.reshape(m, -1)
    # The shoot-out is held at B's ground: P(B wins it).
    if rules.decider == "penalties":
        b_shootout = penalties.shootout_home_win_probability(
            _tie_kicker_to_match(np.broadcast_to(np.asarray(first_kicker), (m,))),
            p_first_kicker_wins=p_first_kicker_wins,
            skill_tilt=-np.broadcast_to(np.asarray(shootout_tilt, dtype=float), (m,)),
        )
    else:
        b_shootout = np.full(m, 0.5)
    if rules.decider == "replay":
        if leg1 is None:
            raise ValueError("a replay era's tie needs leg1 too (the replay's neutral matrix averages both legs)")
        replay = single_match_probabilities(
            neutral_table(score_table(leg1), table2),
            rules=TieRules(extra_time=True, decider="coin_toss"),
            et_factor=et_factor,
            max_et_goals=max_et_goals,
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
    e = np.arange(max_et_goals + 1) if rules.extra_time else np.zeros(1, dtype=np.int64)
    et_home, et_away = _et_pmf(table2, et_factor, max_et_goals) if rules.extra_time else (np.ones((m, 1)),) * 2
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


def exact_two_legged_tie(
    leg1: Any,
    leg2: Any,
    *,
    first_leg_score: tuple[int, int] | None = None,
    away_goals_rule: bool | None = None,
    rules: TieRules | None = None,
    et_factor: float = DEFAULT_ET_FACTOR,
    first_kicker: int | str | None = None,
    p_first_kicker_wins: float = penalties.P_FIRST_KICKER_WINS,
    shootout_tilt: float = 0.0,
    teams: tuple[str, str] = ("A", "B"),
) -> TieResult:
    """:func:`simulate_two_legged_tie` without Monte Carlo error: the same model and arguments,
    computed by :func:`two_legged_probabilities` (``n`` is None, ``aggregate`` is None)."""
    tie_rules = _resolve_rules(rules, away_goals_rule)
    first_home, first_away = _first_leg(first_leg_score)
    known = first_leg_score is not None
    p_method = two_legged_probabilities(
        leg2,
        first_leg_home_goals=first_home if known else None,
        first_leg_away_goals=first_away if known else None,
        leg1=leg1,
        rules=tie_rules,
        et_factor=et_factor,
        first_kicker=_kicker_code(first_kicker, teams),
        p_first_kicker_wins=p_first_kicker_wins,
        shootout_tilt=shootout_tilt,
    )
    if p_method.shape[0] != 1:
        raise ValueError("one tie: give one score matrix per leg")
    return TieResult(teams=teams, p_advance=p_method[0].sum(axis=0), p_method=p_method[0], aggregate=None, n=None)
