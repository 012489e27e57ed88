"""The knockout bracket fixed by league-phase position: structure invariants over every draw, the seeded
lot, and the real 2024-25 pairings of the CL, EL and ECL read back from the data."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from matchday.data.errors import DataError
from matchday.rules.uefa_bracket import (
    HALF_ORDER,
    PLAYOFF_GROUPS,
    ROUND_NAMES,
    BracketDraw,
    bracket_slots,
    clubs_in_slots,
    draw_bracket,
    read_draw,
    ties_of_round,
    unknown_draw,
)
from matchday.rules.uefa_format import uefa_format
from matchday.rules.uefa_league_phase import league_phase_table


def every_draw() -> BracketDraw:
    """All 2**15 draws (position 1 fixed in half 0), one per row."""
    bits = np.array(list(itertools.product((0, 1), repeat=15)), dtype=np.int8)
    seed_half = np.concatenate([np.zeros((len(bits), 1), np.int8), bits[:, 8:11]], axis=1)
    return BracketDraw(playoff_swap=bits[:, 0:4], playoff_half=bits[:, 4:8], seed_half=seed_half,
                       quarter_final_legs=bits[:, 11:15], semi_final_legs=bits[:, 13:15])


def test_every_draw_gives_a_bracket_that_follows_the_rules():
    draw = every_draw()
    slots = bracket_slots(draw)
    n = draw.n
    po, seeds = slots.playoff.astype(int), slots.round_of_16_seed.astype(int)
    # Positions 1-24 each appear exactly once.
    every = np.concatenate([po.reshape(n, -1), seeds], axis=1)
    assert (np.sort(every, axis=1) == np.arange(1, 25)).all()
    # Play-offs: unseeded (17-24) hosts the first leg, seeded (9-16) the second; pairs as the regulation pairs.
    assert ((po[:, :, 0] >= 17) & (po[:, :, 1] >= 9) & (po[:, :, 1] <= 16)).all()
    # 9/10 v 23/24, 11/12 v 21/22, 13/14 v 19/20, 15/16 v 17/18: the group of the seeded club (0..3) is the
    # group of the unseeded one, never across groups.
    assert ((po[:, :, 1] - 9) // 2 == (24 - po[:, :, 0]) // 2).all()
    for k, pair in enumerate(HALF_ORDER):
        (s1, s2), (u1, u2) = PLAYOFF_GROUPS[pair]
        for half in (0, 1):
            j = 4 * half + k
            assert np.isin(seeds[:, j], pair).all()
            assert np.isin(po[:, j, 1], (s1, s2)).all() and np.isin(po[:, j, 0], (u1, u2)).all()
        # The two halves hold one seed of the pair and one play-off tie of the group each.
        assert (seeds[:, k] != seeds[:, 4 + k]).all()
        assert (po[:, k, 1] != po[:, 4 + k, 1]).all()
    # Position 1 is in half 0, position 2 in half 1: they can meet only in the final.
    assert (seeds[:, 0] == 1).all() and (seeds[:, 4] == 2).all()
    # Every distinct arrangement appears: 2**4 play-off pairings x 2**4 halves x 2**3 seed halves.
    keys = {tuple(row) for row in np.concatenate([po.reshape(n, -1), seeds], axis=1)}
    assert len(keys) == 2 ** 11


def test_slots_map_to_clubs_through_the_standings_order():
    order = np.array([np.arange(36)[::-1]])  # club 35 first, club 0 last
    draw = draw_bracket(1, 0, uefa_format("UCL", "2024-25"))
    slots = bracket_slots(draw)
    clubs = clubs_in_slots(order, slots.playoff)
    assert clubs.shape == slots.playoff.shape
    assert (clubs == 36 - slots.playoff).all()


def test_draw_keeps_known_choices_and_draws_the_rest_fairly():
    fmt = uefa_format("UEL", "2024-25")
    known = unknown_draw(1)
    known.playoff_swap[0] = [1, 0, 1, 0]
    draw = draw_bracket(20_000, 11, fmt, known)
    assert draw.complete()
    assert (draw.playoff_swap == [1, 0, 1, 0]).all()
    assert (draw.seed_half[:, 0] == 0).all()
    for name in ("playoff_half", "quarter_final_legs", "semi_final_legs"):
        share = getattr(draw, name).mean(axis=0)
        assert (np.abs(share - 0.5) < 4 * np.sqrt(0.25 / 20_000)).all(), name
    again = draw_bracket(20_000, 11, fmt, known)
    assert all(np.array_equal(a, b) for a, b in zip(draw.fields().values(), again.fields().values(), strict=True))


def test_from_2025_26_the_seeded_path_hosts_the_second_leg():
    draw = draw_bracket(1000, 3, uefa_format("UCL", "2025-26"))
    assert (draw.quarter_final_legs == 0).all() and (draw.semi_final_legs == 0).all()
    assert draw.playoff_half.std() > 0  # the play-off and round-of-16 halves are still drawn


def test_incomplete_draw_and_old_format_are_refused():
    with pytest.raises(DataError, match="not made yet"):
        bracket_slots(unknown_draw(2))
    with pytest.raises(DataError, match="no league-phase bracket"):
        draw_bracket(10, 0, uefa_format("UCL", "2023-24"))


# --- the real 2024-25 knockout phase ----------------------------------------------------------------------

STEMS = {"UCL": "cl", "UEL": "el", "UECL": "conf"}


def real_rounds(root, competition: str) -> tuple[dict[str, int], dict[str, list[tuple[str, str]]], pd.DataFrame]:
    from matchday.data.domain import matches_frame
    from matchday.data.sources.footballtxt import read_football_txt

    path = root / "openfootball" / "champions-league" / "2024-25" / f"{STEMS[competition]}.txt"
    frame = matches_frame(read_football_txt(path, competition=competition, season="2024-25"))
    table = league_phase_table(frame, competition, "2024-25")
    positions = dict(zip(table["team"], table["position"], strict=True))
    rounds = {name: ties_of_round(frame, name) for name in ROUND_NAMES}
    return positions, rounds, table


@pytest.mark.parametrize("competition", ["UCL", "UEL", "UECL"])
def test_real_2024_25_pairings_follow_the_bracket_by_position(shared_data, competition):
    positions, rounds, table = real_rounds(shared_data, competition)
    assert [len(rounds[name]) for name in ROUND_NAMES] == [8, 8, 4, 2, 1]
    reading = read_draw(positions, rounds)
    assert reading.problems == ()
    assert reading.draw.complete()  # every choice of the draws is visible in the finished season
    # The bracket built from the draw and the positions reproduces every stored tie, legs in order.
    slots = bracket_slots(reading.draw)
    clubs = table["team"].tolist()
    club_at = {int(p): c for c, p in positions.items()}
    playoff = [(club_at[a], club_at[b]) for a, b in slots.playoff[0]]
    assert sorted(playoff) == sorted(rounds["Knockout play-off"])
    winners = {c for tie in rounds["Round of 16"] for c in tie} - {club_at[p] for p in range(1, 9)}
    r16 = []
    for j in range(8):
        seed = club_at[int(slots.round_of_16_seed[0, j])]
        challenger = next(c for c in playoff[j] if c in winners)
        r16.append((challenger, seed))
    assert sorted(r16) == sorted(rounds["Round of 16"])
    # Quarter-finals pair round-of-16 ties 2q and 2q+1; semi-finals quarter-finals 2h and 2h+1.
    r16_clubs = [set(t) for t in r16]
    for first, second in rounds["Quarter-final"]:
        ties = sorted(j for j, t in enumerate(r16_clubs) if {first, second} & t)
        assert len(ties) == 2 and ties[1] == ties[0] + 1 and ties[0] % 2 == 0
        quarter = ties[0] // 2
        host_first = r16_clubs[ties[0]] & {second}  # the better path hosts the second leg: bit 0
        assert bool(host_first) == (reading.draw.quarter_final_legs[0, quarter] == 0)
    assert len(clubs) == 36


def test_real_2024_25_champions_league_bracket_as_played(shared_data):
    positions, rounds, _ = real_rounds(shared_data, "UCL")
    reading = read_draw(positions, rounds)
    slots = bracket_slots(reading.draw)
    club_at = {int(p): c for c, p in positions.items()}
    half0 = {club_at[int(p)] for p in slots.round_of_16_seed[0, :4]}
    # Liverpool (1), Aston Villa (8), Arsenal (3) and Atlético (5) were drawn into one half (UEFA, 21 Feb 2025).
    assert half0 == {"Liverpool FC", "Aston Villa FC", "Arsenal FC", "Club Atlético de Madrid"}
    # The order of legs was drawn: Arsenal (3rd) and Barcelona (2nd) hosted their semi-final first legs.
    # PSG had taken over Liverpool's path (1st), so in half 0 the better path hosted the second leg (0);
    # in half 1 Inter (4th path) hosted Barcelona (2nd path) in the second leg (1).
    assert ("Arsenal FC", "Paris Saint-Germain FC") in rounds["Semi-final"]
    assert ("FC Barcelona", "FC Internazionale Milano") in rounds["Semi-final"]
    assert reading.draw.semi_final_legs[0].tolist() == [0, 1]


def test_read_draw_reports_pairings_that_break_the_rules(shared_data):
    positions, rounds, _ = real_rounds(shared_data, "UCL")
    club_at = {int(p): c for c, p in positions.items()}
    broken = {name: list(ties) for name, ties in rounds.items()}
    # 9th v 22nd (the rules pair 9/10 with 23/24), and a seeded club hosting the first leg.
    broken["Knockout play-off"][0] = (club_at[22], club_at[9])
    broken["Knockout play-off"][1] = (club_at[10], club_at[24])
    problems = read_draw(positions, broken).problems
    assert any("must meet 23 or 24, not 22" in p for p in problems)
    assert any("hosts the first leg" in p for p in problems)
    broken = {name: list(ties) for name, ties in rounds.items()}
    broken["Round of 16"][0] = (club_at[12], club_at[1])  # 1st v a winner from the 11/12 group
    assert any("seed 1 must meet a winner" in p for p in read_draw(positions, broken).problems)
    with pytest.raises(DataError, match="no league-phase position"):
        read_draw({}, rounds)


def test_read_draw_before_the_round_of_16_leaves_its_choices_open(shared_data):
    positions, rounds, _ = real_rounds(shared_data, "UEL")
    only_playoffs = {"Knockout play-off": rounds["Knockout play-off"]}
    draw = read_draw(positions, only_playoffs).draw
    assert (draw.playoff_swap >= 0).all()  # the play-off draw is known
    assert (draw.playoff_half < 0).all() and (draw.seed_half[:, 1:] < 0).all()
    filled = draw_bracket(500, 0, uefa_format("UEL", "2024-25"), draw)
    assert (filled.playoff_swap == draw.playoff_swap).all()
