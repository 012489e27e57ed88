"""The remaining rounds of a UEFA knockout bracket by vectorised Monte Carlo.

Give the ties of the current round (with a played first leg, or an already known winner, where there
is one), the later rounds (fixed pairings, as in the 2023-24 Europa League whose quarter-final
winners met in pairings fixed by the draw, or an open draw each round) and a vectorised model
``predict(home_ids, away_ids, neutral_flags) -> ScoreGrid`` (e.g.
``functools.partial(model.predict_many, competition="UEL")``). Each simulation plays every tie with the
rules of :mod:`matchday.rules.knockout` through :mod:`matchday.simulate.tie_play`; ties in the same
simulation are independent (fresh uniforms per tie). ``predict`` is asked once for each distinct
(home, away, venue) and its grids are kept: the number of distinct pairings is small.

Example (2023-24 Europa League from the quarter-finals, after the first legs)::

    qf = [Tie("ac-milan", "roma", (0, 1)), Tie("liverpool", "atalanta", (0, 3)),
          Tie("leverkusen", "west-ham", (2, 0)), Tie("benfica", "marseille", (2, 1))]
    rounds = [Round("Semi-finals", pairings=[(3, 1), (0, 2)]),
              Round("Final", pairings=[(0, 1)], two_legged=False, neutral=True)]
    predict = functools.partial(model.predict_many, competition="UEL")
    simulate_bracket(qf, rounds, predict, first_round=Round("Quarter-finals"), seed=0).table
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from matchday.models.grid import ScoreGrid
from matchday.simulate.limits import check_sims
from matchday.simulate.tie_play import (
    DEFAULT_N,
    DEFAULT_SEED,
    KnockoutParams,
    draw_uniforms,
    make_rng,
    play_single_match,
    play_two_legged,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

Predict = Callable[[np.ndarray, np.ndarray, np.ndarray], ScoreGrid]
CHUNK_SIMULATIONS = 200_000  # simulated brackets per vectorised block (memory bound)


@dataclass(frozen=True, slots=True)
class Tie:
    """A tie of the current round. ``home`` hosts the first leg (a single match: is written first).

    first_leg: the played first leg's score (home goals, away goals); winner: set when the tie is
    already decided (then nothing is simulated for it).
    """

    home: str
    away: str
    first_leg: tuple[int, int] | None = None
    winner: str | None = None

    def __post_init__(self) -> None:
        if self.home == self.away:
            raise ValueError(f"a tie needs two different sides (got {self.home!r} twice)")
        if self.winner is not None and self.winner not in (self.home, self.away):
            raise ValueError(f"winner {self.winner!r} is neither {self.home!r} nor {self.away!r}")
        if self.first_leg is not None:
            home, away = self.first_leg
            if int(home) != home or int(away) != away or home < 0 or away < 0:
                raise ValueError(f"first_leg must be two whole, non-negative numbers (got {self.first_leg!r})")


@dataclass(frozen=True, slots=True)
class Round:
    """A round of the bracket.

    pairings: for a later round, ``(i, j)`` pairs of the previous round's ties whose winners meet, the
    winner of tie ``i`` hosting the first leg (or written first in a single match); None pairs them in
    order (0 v 1, 2 v 3, ...). Entrants are numbered after the previous round's ties. open_draw: draw
    the pairings at random in each simulation instead (no country protection); with entrants, a seeded
    draw: each entrant meets one of the previous round's winners, who hosts the first leg.
    two_legged / neutral: the format (a final: ``two_legged=False, neutral=True``). entrants: clubs that
    join in this round (they skipped the rounds before, e.g. the group winners of the 2021-22 to
    2023-24 Europa League, who entered in the round of 16 against the knockout play-off winners).
    """

    name: str
    pairings: Sequence[tuple[int, int]] | None = None
    two_legged: bool = True
    neutral: bool = False
    open_draw: bool = False
    entrants: tuple[str, ...] = ()


@dataclass(frozen=True)
class BracketResult:
    """table: P(reaches each round) and P(wins), one row per club (columns in round order, then
    ``Winner``); n: simulations. ``table[round].sum()`` is the number of places in that round."""

    table: pd.DataFrame
    n: int

    def se(self) -> pd.DataFrame:
        """Monte Carlo standard errors of ``table``."""
        return np.sqrt(self.table * (1.0 - self.table) / self.n)


class GridCache:
    """Grids of (home, away, venue) fixtures between ``teams``, asked of ``predict`` once each (in one
    vectorised call per batch of new fixtures) and renormalised."""

    def __init__(self, predict: Predict, teams: list[str]) -> None:
        self.predict = predict
        self.teams = np.asarray(teams, dtype=object)
        self.cache: dict[tuple[int, int, bool], ScoreGrid] = {}

    def grid(self, pairs: np.ndarray, neutral: bool, reverse: bool = False) -> ScoreGrid:
        """Grid of (home, away) id pairs (rows of ``pairs``); ``reverse`` plays the return leg."""
        keys = [(int(b), int(a), neutral) if reverse else (int(a), int(b), neutral) for a, b in pairs]
        new = list(dict.fromkeys(k for k in keys if k not in self.cache))
        if new:
            home = self.teams[[k[0] for k in new]]
            away = self.teams[[k[1] for k in new]]
            grids = self.predict(home, away, np.full(len(new), neutral)).normalized()
            for row, key in enumerate(new):
                self.cache[key] = grids[row]
        return ScoreGrid.concat([self.cache[k] for k in keys])


def _pairing_columns(round_: Round, ties_before: int) -> list[int]:
    """Columns of (previous winners, entrants) in slot order; ``ties_before`` counts the previous round's
    ties plus this round's entrants."""
    if ties_before % 2:
        raise ValueError(f"round {round_.name!r} follows a round of {ties_before} ties; an even number is needed")
    if round_.open_draw and round_.entrants and 2 * len(round_.entrants) != ties_before:
        raise ValueError(f"round {round_.name!r}: a seeded draw needs as many entrants as previous winners "
                         f"({len(round_.entrants)} entrants, {ties_before - len(round_.entrants)} winners)")
    if round_.pairings is None or round_.open_draw:
        return list(range(ties_before))
    used = [i for pair in round_.pairings for i in pair]
    if sorted(used) != list(range(ties_before)):
        raise ValueError(
            f"round {round_.name!r}: pairings {list(round_.pairings)} must use each of the previous round's "
            f"ties and entrants 0..{ties_before - 1} exactly once"
        )
    return used


def simulate_bracket(
    ties: Sequence[Tie],
    later_rounds: Sequence[Round],
    predict: Predict,
    *,
    first_round: Round | None = None,
    params: KnockoutParams = KnockoutParams(),  # noqa: B008 (frozen, immutable)
    n: int = DEFAULT_N,
    seed: int | np.random.Generator | None = DEFAULT_SEED,
    progress: Callable[[int, int], None] | None = None,
) -> BracketResult:
    """P(each club reaches each remaining round, and wins), by ``n`` simulated brackets.

    ties: the current round's ties (format from ``first_round``, default two-legged, named "Current
    round"). later_rounds: the rounds after it, the last one normally the final. predict(home_ids,
    away_ids, neutral_flags): the model's 90-minute grids of a stack of fixtures. params: rules, extra
    time and shoot-out model of every tie (a coin toss decides who kicks first). n: 1 to
    :data:`~matchday.simulate.limits.MAX_SIMS`, played in chunks of :data:`CHUNK_SIMULATIONS` (memory does
    not grow with ``n``); progress(done, n): called after each chunk.
    """
    import pandas as pd

    if not ties:
        raise ValueError("no ties given")
    first_round = first_round or Round("Current round")
    teams = [name for tie in ties for name in (tie.home, tie.away)]
    if len(set(teams)) != len(teams):
        raise ValueError("a club appears in two ties of the current round")
    entrant_index = []
    for round_ in later_rounds:
        entrant_index.append(np.arange(len(teams), len(teams) + len(round_.entrants)))
        teams += list(round_.entrants)
    if len(set(teams)) != len(teams):
        raise ValueError("an entrant of a later round already plays in the bracket")
    rounds = [first_round, *later_rounds]
    # Validate the shape of the bracket before simulating anything.
    places = len(ties)
    for round_ in later_rounds:
        places += len(round_.entrants)
        _pairing_columns(round_, places)
        places //= 2
    if places != 1:
        raise ValueError(f"the last round ({rounds[-1].name!r}) leaves {places} sides; add rounds up to the final")
    n = check_sims(n, name="n")

    rng = make_rng(seed)
    cache = GridCache(predict, teams)
    n_teams = len(teams)
    counts = np.zeros((len(rounds) + 1, n_teams))
    first_leg = np.array([tie.first_leg if tie.first_leg is not None else (np.nan, np.nan) for tie in ties], float)
    known = np.array([-1 if tie.winner is None else teams.index(tie.winner) for tie in ties])
    done = 0
    while done < n:  # chunks of simulations bound the memory; the stream of random numbers continues
        size = min(CHUNK_SIMULATIONS, n - done)
        winners = np.broadcast_to(np.arange(2 * len(ties)), (size, 2 * len(ties)))  # tie j = columns 2j, 2j+1
        for number, round_ in enumerate(rounds):
            if number == 0:
                slots = winners
            else:
                entrants = entrant_index[number - 1]
                if round_.open_draw and entrants.size:  # seeded: each entrant v a random winner (who hosts)
                    order = np.argsort(rng.random(winners.shape), axis=1)
                    drawn = np.take_along_axis(winners, order, axis=1)
                    slots = np.empty((size, 2 * entrants.size), dtype=winners.dtype)
                    slots[:, 0::2], slots[:, 1::2] = drawn, entrants
                elif round_.open_draw:
                    order = np.argsort(rng.random(winners.shape), axis=1)
                    slots = np.take_along_axis(winners, order, axis=1)
                else:
                    pool = np.concatenate([winners, np.broadcast_to(entrants, (size, entrants.size))], axis=1)
                    slots = pool[:, _pairing_columns(round_, pool.shape[1])]
            counts[number] += np.bincount(slots.ravel(), minlength=n_teams)
            winners = _play_round(
                slots,
                round_,
                cache,
                rng,
                first_leg if number == 0 else None,
                known if number == 0 else None,
                params,
            )
        counts[-1] += np.bincount(winners[:, 0], minlength=n_teams)
        done += size
        if progress:
            progress(done, n)
    table = pd.DataFrame((counts / n).T, index=pd.Index(teams, name="club"),
                         columns=[r.name for r in rounds] + ["Winner"])  # fmt: skip
    table = table.sort_values(list(table.columns[::-1]), ascending=False)
    return BracketResult(table=table, n=n)


def _play_round(
    slots: np.ndarray,
    round_: Round,
    cache: GridCache,
    rng: np.random.Generator,
    first_leg: np.ndarray | None,
    known: np.ndarray | None,
    params: KnockoutParams,
) -> np.ndarray:
    """Winners ``(n, k)`` of the ``k`` ties in ``slots`` ``(n, 2k)`` (all ties, all simulations at once)."""
    n, width = slots.shape
    k = width // 2
    home = slots[:, 0::2].ravel()  # row s * k + j = tie j of simulation s
    away = slots[:, 1::2].ravel()
    n_teams = len(cache.teams)
    codes, inverse = np.unique(home * n_teams + away, return_inverse=True)
    pairs = np.stack([codes // n_teams, codes % n_teams], axis=1)
    uniforms = draw_uniforms(rng, n * k)
    if round_.two_legged:
        goals = np.tile(first_leg, (n, 1)) if first_leg is not None else None
        draws = play_two_legged(
            cache.grid(pairs, neutral=False),
            cache.grid(pairs, neutral=False, reverse=True),
            uniforms,
            index=inverse,
            first_leg_home_goals=None if goals is None else goals[:, 0],
            first_leg_away_goals=None if goals is None else goals[:, 1],
            params=params,
        )
    else:
        draws = play_single_match(cache.grid(pairs, neutral=round_.neutral), uniforms, index=inverse, params=params)
    winners = np.where(draws.winner == 0, home, away)
    if known is not None:
        fixed = np.tile(known, n)
        winners = np.where(fixed >= 0, fixed, winners)
    return winners.reshape(n, k)
