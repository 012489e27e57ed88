"""When the knockout pairings of a UEFA club competition became known (2024-25 on), as data.

A forecast "as of D" may use a stored knockout pairing only if the draw that made it had taken place by D
and the clubs in it were known by D. The store cannot tell: a store synced after the season holds every
pairing, with match dates but no draw dates. This module says when each round was drawn.

From 2024-25 (regulations 2024/25, art. 19-21, all three competitions) there are two knockout draws:

* the **knockout phase play-off draw**, after the league phase;
* the **round of 16 draw**, after the play-offs, which also fixes the rest of the bracket (which
  round-of-16 ties meet in each quarter-final and semi-final, the halves of the final) and, in 2024-25, the
  order of legs of the quarter- and semi-finals (:mod:`matchday.rules.uefa_bracket`). The quarter-finals,
  semi-finals and the final are therefore "drawn" on the date of the round-of-16 draw; their clubs are
  known only once the previous round is decided (the simulation, :mod:`matchday.simulate.uefa_season`,
  checks that as well).

Researched dates (:data:`DRAW_DATES`, source per entry): 2024-25, uefa.com draw reports (knockout phase
play-off draw, Nyon, 31 January 2025, Champions League and Europa League; the Conference League's on 20
December 2024, the day after its last league-phase matchday; round of 16 draw, Nyon, 21 February 2025, all
three competitions). Other seasons fall back to UEFA's habit of drawing on the Friday after the previous
round's last match (31 January 2025, 20 December 2024 and 21 February 2025 were all such Fridays), and say
so (``researched=False``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from matchday.data.errors import DataError
from matchday.rules.uefa_bracket import BracketDraw, bracket_slots, read_draw
from matchday.rules.uefa_format import UefaFormat

PLAYOFF = "Knockout play-off"
ROUND_OF_16 = "Round of 16"
#: Rounds whose pairings the round-of-16 draw fixes (from 2024-25).
FIXED_BY_ROUND_OF_16_DRAW = ("Round of 16", "Quarter-final", "Semi-final", "Final")
#: Knockout rounds in order (after the league phase).
KNOCKOUT_ROUNDS = ("Knockout play-off", "Round of 16", "Quarter-final", "Semi-final", "Final")

_UEFA_DRAWS_2024_25 = ("uefa.com: knockout phase play-off draw, Nyon, 31 January 2025 (UCL, UEL); Conference "
                       "League knockout play-off draw, 20 December 2024; round of 16 draw (with the rest of the "
                       "bracket), Nyon, 21 February 2025")

#: (competition, season) -> {draw: date}, with the source.
DRAW_DATES: dict[tuple[str, str], tuple[dict[str, dt.date], str]] = {
    ("UCL", "2024-25"): ({PLAYOFF: dt.date(2025, 1, 31), ROUND_OF_16: dt.date(2025, 2, 21)}, _UEFA_DRAWS_2024_25),
    ("UEL", "2024-25"): ({PLAYOFF: dt.date(2025, 1, 31), ROUND_OF_16: dt.date(2025, 2, 21)}, _UEFA_DRAWS_2024_25),
    ("UECL", "2024-25"): ({PLAYOFF: dt.date(2024, 12, 20), ROUND_OF_16: dt.date(2025, 2, 21)}, _UEFA_DRAWS_2024_25),
}

_FRIDAY = 4


@dataclass(frozen=True)
class DrawDate:
    """The day a round's pairings were drawn; ``researched`` False when it is the Friday-after rule."""

    round: str
    date: dt.date | None
    researched: bool
    source: str


def friday_after(day: dt.date) -> dt.date:
    """The first Friday strictly after ``day``."""
    ahead = (_FRIDAY - day.weekday()) % 7 or 7
    return day + dt.timedelta(days=ahead)


def draw_date(competition: str, season: str, round_name: str, *, league_phase_end: dt.date | None,
              playoff_end: dt.date | None) -> DrawDate:
    """When the pairings of ``round_name`` (one of :data:`KNOCKOUT_ROUNDS`) were drawn.

    league_phase_end / playoff_end: the date of the last league-phase match and of the last knockout
    play-off match (the store's; used by the Friday-after fallback, None when not known yet: then the draw
    date is unknown and ``date`` is None).
    """
    if round_name not in KNOCKOUT_ROUNDS:
        raise ValueError(f"not a knockout round of the league-phase format: {round_name!r}")
    draw = PLAYOFF if round_name == PLAYOFF else ROUND_OF_16
    known = DRAW_DATES.get((competition, season))
    if known is not None and draw in known[0]:
        return DrawDate(round_name, known[0][draw], True, known[1])
    before = league_phase_end if draw == PLAYOFF else playoff_end
    date = friday_after(before) if before is not None else None
    return DrawDate(round_name, date, False, "not researched: the Friday after the previous round's last match")


# --- the draws that agree with the stored pairings ----------------------------------------------------------


def every_draw(fmt: UefaFormat) -> BracketDraw:
    """Every draw the rules allow, one row each (position 1 in half 0): the 4 play-off pairings, 4 play-off
    halves and 3 seed halves, times the 4 + 2 leg orders of the quarter- and semi-finals where they are
    drawn (2024-25: 2**17 rows; from 2025-26, where the seeded path hosts the second leg: 2**11)."""
    if not fmt.league_phase:
        raise DataError(f"{fmt.competition} {fmt.season} has no league-phase bracket", value=fmt.season,
                        expected="a season from 2024-25 on")
    qf_drawn = fmt.quarter_final_legs == "drawn"
    sf_drawn = fmt.semi_final_legs == "drawn"
    n_bits = 11 + 4 * qf_drawn + 2 * sf_drawn
    codes = np.arange(2 ** n_bits, dtype=np.int64)
    bits = ((codes[:, None] >> np.arange(n_bits)) & 1).astype(np.int8)
    k = len(codes)
    seed_half = np.concatenate([np.zeros((k, 1), np.int8), bits[:, 8:11]], axis=1)
    qf = bits[:, 11:15] if qf_drawn else np.zeros((k, 4), np.int8)
    start = 11 + 4 * qf_drawn
    sf = bits[:, start:start + 2] if sf_drawn else np.zeros((k, 2), np.int8)
    return BracketDraw(playoff_swap=bits[:, 0:4].copy(), playoff_half=bits[:, 4:8].copy(), seed_half=seed_half,
                       quarter_final_legs=qf.copy(), semi_final_legs=sf.copy())


def take_draws(draw: BracketDraw, rows: np.ndarray) -> BracketDraw:
    """The draws ``rows`` of ``draw`` (any integer array)."""
    return BracketDraw(**{name: value[rows] for name, value in draw.fields().items()})


@dataclass(frozen=True)
class AgreeingDraws:
    """The draws (rows of :func:`every_draw`) that reproduce every stored pairing, and the problems found
    when none does (then ``draw`` has no rows)."""

    draw: BracketDraw
    problems: tuple[str, ...]

    @property
    def n(self) -> int:
        return self.draw.n


def round_of_16_slot_of_positions(draw: BracketDraw) -> np.ndarray:
    """(K, 25) int8: the round-of-16 tie (0..7) on whose path league position p (1..24) is in each draw
    (column 0 unused): a seed's own tie, or the tie fed by the play-off tie of a club placed 9-24."""
    slots = bracket_slots(draw)
    k = draw.n
    where = np.full((k, 25), -1, dtype=np.int8)
    rows = np.arange(k)[:, None]
    tie = np.arange(8, dtype=np.int8)[None, :]
    where[rows, slots.round_of_16_seed.astype(np.int64)] = tie
    where[rows, slots.playoff[:, :, 0].astype(np.int64)] = tie
    where[rows, slots.playoff[:, :, 1].astype(np.int64)] = tie
    return where


def agreeing_draws(fmt: UefaFormat, positions: Mapping[str, int],
                   rounds: Mapping[str, Sequence[tuple[str, str]]]) -> AgreeingDraws:
    """The draws under which the bracket built from the final league-phase ``positions`` holds every stored
    tie of ``rounds`` (keyed by :data:`KNOCKOUT_ROUNDS`; a tie is (first-leg host, second-leg host), a final
    (first-named, second-named)), with the legs in the stored order.

    A later draw is a fair lot among these (each choice a fair coin, as :func:`~matchday.rules.uefa_bracket
    .draw_bracket` draws it, conditioned on what the stored pairings show). Unlike
    :func:`~matchday.rules.uefa_bracket.read_draw`, the choices are kept jointly: a stored round-of-16 tie
    ties the half of a seed to the half of a play-off tie even before the quarter-finals say which half
    that is. When no draw agrees, ``problems`` says why (read_draw's list of broken rules).
    """
    draw = every_draw(fmt)
    where = round_of_16_slot_of_positions(draw).astype(np.int64)
    slots = bracket_slots(draw)
    keep = np.ones(draw.n, dtype=bool)
    rows = np.arange(draw.n)
    problems: list[str] = []

    def pos(club: str) -> int | None:
        p = positions.get(club)
        return int(p) if p is not None and 1 <= int(p) <= 24 else None

    for name in KNOCKOUT_ROUNDS:
        for first, second in rounds.get(name, ()):
            a, b = pos(first), pos(second)
            if a is None or b is None:
                keep[:] = False
                problems.append(f"{name} {first} v {second}: a club not placed 1-24 in the league phase")
                continue
            ja, jb = where[:, a], where[:, b]
            if name == PLAYOFF:
                ok = (ja == jb) & (slots.playoff[rows, ja, 0] == a) & (slots.playoff[rows, ja, 1] == b)
            elif name == ROUND_OF_16:
                ok = (ja == jb) & (slots.round_of_16_seed[rows, jb] == b) & (a >= 9)
            elif name == "Quarter-final":
                q = ja // 2
                bit = draw.quarter_final_legs[rows, q]
                ok = (ja // 2 == jb // 2) & (ja != jb) & ((jb % 2 == 0) == (bit == 0))
            elif name == "Semi-final":
                qa, qb = ja // 2, jb // 2
                bit = draw.semi_final_legs[rows, qa // 2]
                ok = (qa // 2 == qb // 2) & (qa != qb) & ((qb % 2 == 0) == (bit == 0))
            else:  # the final: the two halves
                ok = (ja // 4) != (jb // 4)
            keep &= ok
    if not keep.any() and not problems:
        try:
            problems.extend(read_draw(positions, {k: list(v) for k, v in rounds.items()}).problems)
        except DataError as exc:
            problems.append(str(exc))
        if not problems:
            problems.append("the stored pairings agree with no draw the rules allow")
    return AgreeingDraws(take_draws(draw, np.flatnonzero(keep)), tuple(problems))
