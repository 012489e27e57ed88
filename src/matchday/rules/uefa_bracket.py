"""The knockout phase of the UEFA club competitions from 2024-25, fixed by league-phase position, as data.

After the 36-club league phase (:mod:`matchday.rules.uefa_league_phase`) the same structure holds in the
Champions League, Europa League and Conference League (regulations 2024/25, art. 19-21; UEFA's draw
procedure for the knockout phase play-offs, 31 January 2025, and the round of 16, 21 February 2025):

* **Knockout phase play-offs** (two legs): positions 9-16 are seeded and play the second leg at home
  against 17-24 in fixed pairs of pairs: 9/10 v 23/24, 11/12 v 21/22, 13/14 v 19/20, 15/16 v 17/18. The
  draw decides which of the two unseeded clubs meets which seeded club, and in which half of the bracket
  each tie lies.
* **Round of 16** (two legs): positions 1-8 are seeded (second leg at home) in four pairs, 1/2, 3/4, 5/6
  and 7/8; each pair meets the winners of the play-off ties of one group: 1/2 the winners of 15/16 v 17/18,
  3/4 of 13/14 v 19/20, 5/6 of 11/12 v 21/22, 7/8 of 9/10 v 23/24. The draw puts one club of each seeded
  pair in each half of the bracket (the play-off draw already placed the play-off ties).
* **Quarter-finals** (two legs), in each half: the path of the 1/2 seed against the path of the 7/8 seed,
  and the path of the 3/4 seed against the path of the 5/6 seed. **Semi-finals** (two legs): the two
  quarter-finals of a half. **Final**: the winners of the two halves, one match at a neutral venue.
  No away goals (abolished 2021-22): level after 180 (90) minutes, extra time, then penalties.
* Order of legs in the quarter- and semi-finals: drawn in 2024-25; from 2025-26 the path of positions 1-4
  (quarter-finals) and 1-2 (semi-finals) plays the second leg at home
  (:attr:`~matchday.rules.uefa_format.UefaFormat.quarter_final_legs`).

Checked against the stored 2024-25 play-off and round-of-16 pairings (and the quarter- and semi-finals)
of all three competitions (``tests/test_uefa_bracket.py``).

Representation
--------------
The bracket is a list of **slots** in a canonical order, so that every later round pairs neighbours:
round-of-16 tie ``j`` (0..7) is ``4 * half + k`` where ``k`` runs over the seeded pairs in the order
:data:`HALF_ORDER` = (1/2, 7/8, 3/4, 5/6); quarter-final ``q`` pairs round-of-16 ties ``2q`` and ``2q+1``;
semi-final ``h`` pairs quarter-finals ``2h`` and ``2h+1``; the final pairs the semi-finals 0 and 1.
Play-off tie ``j`` feeds round-of-16 tie ``j``. In every two-legged tie the side listed first plays the
second leg at home when its bit is 0 (see :class:`BracketDraw`). Half 0 is, by definition, the half of
position 1 (the two halves are symmetric; the final is at a neutral venue).

What the draws decide is a :class:`BracketDraw`: one small integer array per choice, one row per
simulation, ``-1`` where a choice is not known yet. :func:`draw_bracket` fills the unknown choices by a
seeded lot (simulation); :func:`read_draw` reads the choices that were made from the stored pairings
(reality) and lists any pairing that breaks the rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from matchday.data.errors import DataError
from matchday.rules.uefa_format import UefaFormat

#: Seeded round-of-16 pairs in their order within a half of the bracket (1/2 v 7/8 and 3/4 v 5/6 in the
#: quarter-finals).
HALF_ORDER: tuple[tuple[int, int], ...] = ((1, 2), (7, 8), (3, 4), (5, 6))

#: For each seeded round-of-16 pair: the play-off pairs whose winners it meets (seeded 9-16, unseeded 17-24).
PLAYOFF_GROUPS: dict[tuple[int, int], tuple[tuple[int, int], tuple[int, int]]] = {
    (1, 2): ((15, 16), (17, 18)),
    (3, 4): ((13, 14), (19, 20)),
    (5, 6): ((11, 12), (21, 22)),
    (7, 8): ((9, 10), (23, 24)),
}

ROUND_NAMES: tuple[str, ...] = ("Knockout play-off", "Round of 16", "Quarter-final", "Semi-final", "Final")


@dataclass(frozen=True)
class BracketDraw:
    """The choices the draws make, one row per simulation (int8; -1: not drawn / not known yet).

    playoff_swap (S, 4), per seeded pair k of :data:`HALF_ORDER`: 0 pairs the better-placed seeded play-off
    club with the better-placed unseeded one (15 v 17 and 16 v 18), 1 crosses them (15 v 18, 16 v 17).
    playoff_half (S, 4): 0 puts the tie of the better-placed seeded play-off club (15) in half 0.
    seed_half (S, 4): 0 puts the better-placed seed of pair k (1, 7, 3, 5) in half 0 (always 0 for 1/2).
    quarter_final_legs (S, 4), semi_final_legs (S, 2): 0 when the side listed first (the path of the
    better seeded pair) plays the second leg at home, 1 when the other does.
    """

    playoff_swap: np.ndarray
    playoff_half: np.ndarray
    seed_half: np.ndarray
    quarter_final_legs: np.ndarray
    semi_final_legs: np.ndarray

    @property
    def n(self) -> int:
        return int(self.playoff_swap.shape[0])

    def fields(self) -> dict[str, np.ndarray]:
        return {"playoff_swap": self.playoff_swap, "playoff_half": self.playoff_half,
                "seed_half": self.seed_half, "quarter_final_legs": self.quarter_final_legs,
                "semi_final_legs": self.semi_final_legs}

    def complete(self) -> bool:
        return all((v >= 0).all() for v in self.fields().values())


def unknown_draw(n: int = 1) -> BracketDraw:
    """A draw where nothing is known yet (before the play-off draw), except that position 1 is in half 0."""
    draw = BracketDraw(*(np.full((n, w), -1, dtype=np.int8) for w in (4, 4, 4, 4, 2)))
    draw.seed_half[:, 0] = 0
    return draw


def draw_bracket(
    n: int,
    rng: np.random.Generator | int,
    fmt: UefaFormat,
    known: BracketDraw | None = None,
) -> BracketDraw:
    """``n`` simulated draws: the choices in ``known`` (one row, or ``n`` rows) are kept, every unknown one
    (-1) is a fair coin from ``rng`` (seeded). With ``fmt.quarter_final_legs == "path_seed"`` (2025-26 on)
    the quarter-final and semi-final leg order is not drawn: the better seeded path hosts the second leg."""
    if not fmt.league_phase:
        raise DataError(f"{fmt.competition} {fmt.season} has no league-phase bracket", value=fmt.season,
                        expected="a season from 2024-25 on")
    if isinstance(rng, int | np.integer):
        rng = np.random.default_rng(int(rng))
    base = known if known is not None else unknown_draw(1)
    out = {}
    for name, value in base.fields().items():
        value = np.broadcast_to(np.asarray(value, dtype=np.int8), (n, value.shape[1])).copy()
        if name == "quarter_final_legs" and fmt.quarter_final_legs == "path_seed":
            value[value < 0] = 0
        if name == "semi_final_legs" and fmt.semi_final_legs == "path_seed":
            value[value < 0] = 0
        if name == "seed_half":
            value[:, 0] = 0
        todo = value < 0
        if todo.any():
            value[todo] = rng.integers(0, 2, size=int(todo.sum()), dtype=np.int8)
        out[name] = value
    return BracketDraw(**out)


@dataclass(frozen=True)
class BracketSlots:
    """League positions in the bracket's slots, one row per simulation.

    playoff (S, 8, 2): play-off tie j (feeding round-of-16 tie j) as (first-leg host, second-leg host):
    (unseeded 17-24, seeded 9-16). round_of_16_seed (S, 8): the seed (1-8) of round-of-16 tie j, who meets
    the winner of play-off tie j and plays the second leg at home.
    quarter_final_legs (S, 4), semi_final_legs (S, 2): as in :class:`BracketDraw`.
    """

    playoff: np.ndarray
    round_of_16_seed: np.ndarray
    quarter_final_legs: np.ndarray
    semi_final_legs: np.ndarray


def bracket_slots(draw: BracketDraw) -> BracketSlots:
    """Which league positions go into which slots under a complete draw (vectorised over simulations)."""
    if not draw.complete():
        raise DataError("the draw has choices not made yet (-1)", column="draw",
                        expected="a complete draw: fill it with draw_bracket()")
    n = draw.n
    playoff = np.zeros((n, 8, 2), dtype=np.int16)
    seed = np.zeros((n, 8), dtype=np.int16)
    for k, pair in enumerate(HALF_ORDER):
        (s1, s2), (u1, u2) = PLAYOFF_GROUPS[pair]
        swap = draw.playoff_swap[:, k].astype(bool)
        opp_of_s1 = np.where(swap, u2, u1)
        opp_of_s2 = np.where(swap, u1, u2)
        s1_half = draw.playoff_half[:, k].astype(np.int64)  # half of the tie of seeded club s1
        rows = np.arange(n)
        playoff[rows, 4 * s1_half + k] = np.stack([opp_of_s1, np.full(n, s1)], axis=1)
        playoff[rows, 4 * (1 - s1_half) + k] = np.stack([opp_of_s2, np.full(n, s2)], axis=1)
        better_half = draw.seed_half[:, k].astype(np.int64)
        seed[rows, 4 * better_half + k] = pair[0]
        seed[rows, 4 * (1 - better_half) + k] = pair[1]
    return BracketSlots(playoff=playoff, round_of_16_seed=seed,
                        quarter_final_legs=draw.quarter_final_legs.copy(),
                        semi_final_legs=draw.semi_final_legs.copy())


def clubs_in_slots(order: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Club indices at 1-based league ``positions`` (any shape (S, ...)) given the standings' ``order``
    (S, N): ``order[s, p - 1]`` is the club in position p."""
    order = np.asarray(order)
    flat = np.asarray(positions, dtype=np.int64).reshape(order.shape[0], -1) - 1
    return np.take_along_axis(order.astype(np.int64), flat, axis=1).reshape(np.shape(positions))


# --- reading the draw from the stored pairings -----------------------------------------------------------


@dataclass(frozen=True)
class DrawReading:
    """The draw read from stored pairings (one row; -1 where the data does not show the choice yet) and
    every way the stored pairings differ from the rules (empty when they follow them)."""

    draw: BracketDraw
    problems: tuple[str, ...]


Tie = tuple[str, str]  # (first-leg host, second-leg host); a final: (first-named, second-named)


def read_draw(positions: Mapping[str, int], rounds: Mapping[str, Sequence[Tie]]) -> DrawReading:
    """Read the draw's choices from the stored ties and check them against the bracket rules.

    positions: final league-phase position (1-based) of every club. rounds: the ties of each round that
    the data holds, keyed by :data:`ROUND_NAMES` (missing rounds: not drawn / not known yet); a tie is
    (first-leg host, second-leg host). Returns the choices and the problems found (a tie pairing the wrong
    positions, a seeded club hosting the first leg, a later round pairing the wrong paths ...).
    """
    draw = unknown_draw(1)
    problems: list[str] = []

    def pos(club: str) -> int:
        if club not in positions:
            raise DataError("a club of the knockout phase has no league-phase position", column="club",
                            value=club, expected="a club of the league phase")
        return int(positions[club])

    # Play-offs: which seeded/unseeded clubs meet, and who hosts the second leg.
    playoff_ties = list(rounds.get("Knockout play-off", ()))
    winner_tie: dict[str, int] = {}  # club -> index of its play-off tie in playoff_ties
    tie_of_position: dict[int, int] = {}
    for i, (first, second) in enumerate(playoff_ties):
        p1, p2 = pos(first), pos(second)
        seeded, unseeded = (p2, p1) if p2 < p1 else (p1, p2)
        if not (9 <= seeded <= 16 and 17 <= unseeded <= 24):
            problems.append(f"play-off {first} v {second}: positions {p1} and {p2} are not 9-16 v 17-24")
            continue
        if p1 < p2:
            problems.append(f"play-off {first} v {second}: the seeded club ({first}, {p1}) hosts the first leg")
        group = next(k for k, pair in enumerate(HALF_ORDER) if seeded in PLAYOFF_GROUPS[pair][0])
        (s1, _), (u1, u2) = PLAYOFF_GROUPS[HALF_ORDER[group]]
        if unseeded not in (u1, u2):
            problems.append(f"play-off {first} v {second}: {seeded} must meet {u1} or {u2}, not {unseeded}")
            continue
        if seeded == s1:
            draw.playoff_swap[0, group] = 0 if unseeded == u1 else 1
        winner_tie[first] = winner_tie[second] = i
        tie_of_position[seeded] = i

    # Round of 16: seed pairs against the winners of their play-off group; halves relative to position 1.
    r16 = list(rounds.get("Round of 16", ()))
    seed_tie: dict[int, tuple[str, str]] = {}
    for first, second in r16:
        p1, p2 = pos(first), pos(second)
        seed, other = (p2, p1) if p2 < p1 else (p1, p2)
        if not (1 <= seed <= 8 and 9 <= other <= 24):
            problems.append(f"round of 16 {first} v {second}: positions {p1} and {p2} are not 1-8 v 9-24")
            continue
        if p1 < p2:
            problems.append(f"round of 16 {first} v {second}: the seed ({first}, {p1}) hosts the first leg")
        k = next(j for j, pair in enumerate(HALF_ORDER) if seed in pair)
        (s1, s2), (u1, u2) = PLAYOFF_GROUPS[HALF_ORDER[k]]
        if other not in (s1, s2, u1, u2):
            problems.append(f"round of 16 {first} v {second}: seed {seed} must meet a winner of the "
                            f"{s1}/{s2} v {u1}/{u2} play-offs, not position {other}")
            continue
        seed_tie[seed] = (first, second)
    # The half of each seed: position 1 is in half 0; the play-off tie of the better seeded club of the
    # group against pair 1/2 tells its half; the other pairs' halves come from the quarter- and semi-finals.
    half_of_seed: dict[int, int] = {}
    if 1 in seed_tie or 2 in seed_tie:
        half_of_seed[1], half_of_seed[2] = 0, 1
    # Later rounds: which round-of-16 ties meet (by the seed of each path).
    path_of: dict[str, int] = {}  # club -> the seed (1-8) whose round-of-16 path it is on
    for seed, (first, second) in seed_tie.items():
        path_of[first] = path_of[second] = seed
    qf = list(rounds.get("Quarter-final", ()))
    qf_pairs: list[tuple[int, int, str, str]] = []
    for first, second in qf:
        a, b = path_of.get(first), path_of.get(second)
        if a is None or b is None:
            problems.append(f"quarter-final {first} v {second}: a club without a round-of-16 tie")
            continue
        ka = next(j for j, pair in enumerate(HALF_ORDER) if a in pair)
        kb = next(j for j, pair in enumerate(HALF_ORDER) if b in pair)
        if {ka, kb} not in ({0, 1}, {2, 3}):
            problems.append(f"quarter-final {first} v {second}: paths of seeds {a} and {b}; the rules pair "
                            f"1/2 with 7/8 and 3/4 with 5/6")
            continue
        qf_pairs.append((a, b, first, second))
    # Halves from the quarter-finals (1/2 with 7/8) and the semi-finals (1/2-7/8 with 3/4-5/6).
    for a, b, _, _ in qf_pairs:
        if {a, b} & {1, 2} and (a in half_of_seed or b in half_of_seed):
            known, other = (a, b) if a in half_of_seed else (b, a)
            half_of_seed[other] = half_of_seed[known]
            partner = other - 1 if other % 2 == 0 else other + 1
            half_of_seed[partner] = 1 - half_of_seed[known]
    sf = list(rounds.get("Semi-final", ()))
    qf_of: dict[str, tuple[int, int]] = {}
    for a, b, first, second in qf_pairs:
        qf_of[first] = qf_of[second] = (a, b)
    sf_pairs: list[tuple[tuple[int, int], tuple[int, int], str, str]] = []
    for first, second in sf:
        qa, qb = qf_of.get(first), qf_of.get(second)
        if qa is None or qb is None:
            problems.append(f"semi-final {first} v {second}: a club without a quarter-final")
            continue
        top = [q for q in (qa, qb) if set(q) & {1, 2, 7, 8}]
        low = [q for q in (qa, qb) if set(q) & {3, 4, 5, 6}]
        if len(top) != 1 or len(low) != 1:
            problems.append(f"semi-final {first} v {second}: the rules pair the 1/2-7/8 quarter-final with "
                            f"the 3/4-5/6 quarter-final of the same half")
            continue
        sf_pairs.append((qa, qb, first, second))
        half = next((half_of_seed[s] for s in top[0] if s in half_of_seed), None)
        if half is not None:
            for s in low[0]:
                half_of_seed[s] = half
                partner = s - 1 if s % 2 == 0 else s + 1
                half_of_seed[partner] = 1 - half
    for k, pair in enumerate(HALF_ORDER):
        if pair[0] in half_of_seed:
            draw.seed_half[0, k] = half_of_seed[pair[0]]
    # The half of each play-off tie: the half of the seed its winner met.
    for seed, (first, second) in seed_tie.items():
        if seed not in half_of_seed:
            continue
        other = second if pos(first) == seed else first
        k = next(j for j, pair in enumerate(HALF_ORDER) if seed in pair)
        (s1, s2), _ = PLAYOFF_GROUPS[HALF_ORDER[k]]
        tie = winner_tie.get(other)
        if tie is None:
            continue
        tie_positions = {pos(c) for c in playoff_ties[tie]}
        if s1 in tie_positions:
            draw.playoff_half[0, k] = half_of_seed[seed]
        elif s2 in tie_positions:
            draw.playoff_half[0, k] = 1 - half_of_seed[seed]
    # Order of legs in the quarter- and semi-finals: 0 when the better seeded path hosts the second leg.
    for a, b, _, second in qf_pairs:
        q = next(j for j, pair in enumerate(HALF_ORDER) if {a, b} & set(pair) and j in (0, 2)) // 2
        better = a if (a in (1, 2, 3, 4)) else b
        half = half_of_seed.get(better)
        if half is None:
            continue
        second_host_path = path_of[second]
        draw.quarter_final_legs[0, 2 * half + q] = 0 if second_host_path == better else 1
    for qa, qb, _, second in sf_pairs:
        top = qa if set(qa) & {1, 2, 7, 8} else qb
        seed = next(s for s in top if s in (1, 2))
        half = half_of_seed.get(seed)
        if half is None:
            continue
        draw.semi_final_legs[0, half] = 0 if qf_of[second] == top else 1
    return DrawReading(draw=draw, problems=tuple(problems))


def ties_of_round(frame, round_name: str) -> list[Tie]:
    """(first-leg host, second-leg host) of every tie of a round in a match frame (columns home, away,
    round, leg, date); a single match (the final) gives (first-named, second-named)."""
    rows = frame[frame["round"] == round_name].sort_values("date")
    if rows.empty:
        return []
    if "leg" in rows.columns and rows["leg"].notna().any():
        firsts = rows[rows["leg"] == 1]
        return [(str(h), str(a)) for h, a in zip(firsts["home"], firsts["away"], strict=True)]
    return [(str(h), str(a)) for h, a in zip(rows["home"], rows["away"], strict=True)]
