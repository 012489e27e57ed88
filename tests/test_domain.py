"""The checks every Match passes (whatever reader made it) and the status of matches without a score."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from matchday.data.domain import (
    MATCH_STATUSES,
    MAX_GOALS,
    Match,
    classify_unplayed,
    club_name_problem,
    matches_frame,
    shootout_problem,
)
from matchday.data.errors import DataError


def _m(**kw) -> Match:
    base = dict(competition="UCL", season="2023-24", date=dt.date(2024, 4, 11), home="Liverpool FC",
                away="Atalanta", source_file="2023-24/el.txt", source_line=7)
    return Match(**{**base, **kw})


def _shootout_finals(max_rounds: int = 12) -> set[tuple[int, int]]:
    """Every score a shoot-out can end with, by playing every sequence of kicks under the rules:
    five kicks each, alternately, stopping as soon as one side cannot be caught; then sudden death
    (a round each until one scores and the other misses). Either side may kick first."""
    finals: set[tuple[int, int]] = set()
    for first in (0, 1):
        for kicks in itertools.product((0, 1), repeat=10):
            scored, taken = [0, 0], [0, 0]
            ended = None
            for index, goal in enumerate(kicks):
                side = (first + index) % 2
                scored[side] += goal
                taken[side] += 1
                left = [5 - taken[0], 5 - taken[1]]
                if scored[0] > scored[1] + left[1] or scored[1] > scored[0] + left[0]:
                    ended = tuple(scored)
                    break
            if ended is None:
                if scored[0] != scored[1]:
                    ended = tuple(scored)
                else:  # sudden death from a level score: any number of level rounds, then one apart
                    for extra in range(max_rounds):
                        finals.add((scored[0] + extra + 1, scored[1] + extra))
                        finals.add((scored[0] + extra, scored[1] + extra + 1))
                    continue
            finals.add(ended)
    return finals


def test_shootout_rule_matches_every_possible_shootout():
    possible = _shootout_finals()
    for home, away in itertools.product(range(12), repeat=2):
        assert (shootout_problem(home, away) is None) == ((home, away) in possible), (home, away)


@pytest.mark.parametrize("pens", [(4, 4), (0, 0), (5, 2), (6, 3), (7, 5)])
def test_impossible_shootout_is_a_data_error_naming_file_and_line(pens):
    with pytest.raises(DataError, match=r"2023-24/el.txt, line 7.*impossible shoot-out") as info:
        _m(home_goals=1, away_goals=1, aet_home_goals=1, aet_away_goals=1, pen_home=pens[0], pen_away=pens[1])
    assert info.value.line == 7


@pytest.mark.parametrize("goals", [MAX_GOALS + 1, 3_000_000_000, 99_999_999_999_999_999_999, -1])
def test_goals_have_one_bound(goals):
    with pytest.raises(DataError, match="goals out of range"):
        _m(home_goals=goals, away_goals=0)
    _m(home_goals=MAX_GOALS, away_goals=0)  # the bound itself is a score


def test_statistics_stay_inside_the_store_integers():
    with pytest.raises(DataError, match="statistic out of range"):
        _m(home_goals=1, away_goals=0, home_shots=3_000_000_000)


@pytest.mark.parametrize(("name", "ok"), [
    ("0-0 ??", False), ("", False), ("   ", False), ("1899", False), ("Milan 2-1", False), ("A" * 81, False),
    ("Bodø/Glimt", True), ("Nott'm Forest", True), ("1. FC Köln", True), ("Brighton & Hove Albion", True),
    ("SK Dnipro-1", True), ("Astana-64", True), ("FK Radnički 1923", True), ("St. Patrick's Athletic", True),
])
def test_club_names(name, ok):
    assert (club_name_problem(name) is None) == ok


def test_status_must_fit_the_score():
    assert _m(home_goals=3, away_goals=0, status="awarded").status == "awarded"
    with pytest.raises(DataError, match="cancelled match has no score"):
        _m(home_goals=3, away_goals=0, status="cancelled")
    with pytest.raises(DataError, match="needs a score"):
        _m(status="played")
    with pytest.raises(DataError, match="unknown match status"):
        _m(status="forfeit")


def test_unplayed_matches_get_a_status_from_the_calendar():
    played = _m(home_goals=1, away_goals=0, date=dt.date(2024, 3, 1))
    before = _m(home="Arsenal", away="Chelsea", date=dt.date(2024, 2, 1))  # the source has moved past it
    after = _m(home="Arsenal", away="Everton", date=dt.date(2024, 5, 1))
    stated = _m(home="Chelsea", away="Everton", date=dt.date(2024, 5, 2), status="cancelled")
    running = classify_unplayed([played, before, after, stated], today=dt.date(2024, 4, 1))
    assert [m.status for m in running] == ["played", "postponed", "scheduled", "cancelled"]
    over = classify_unplayed([played, before, after, stated], today=dt.date(2024, 8, 1))
    assert [m.status for m in over] == ["played", "cancelled", "cancelled", "cancelled"]
    # 2019-20 ran into August 2020: a fixture of 2 August 2020 was still to play on 1 July 2020
    covid = _m(season="2019-20", date=dt.date(2020, 8, 2))
    assert classify_unplayed([covid], today=dt.date(2020, 7, 1))[0].status == "scheduled"


def test_frame_has_a_status_for_every_match():
    frame = matches_frame([_m(home_goals=1, away_goals=0), _m(home="Arsenal", away="Chelsea")])
    assert frame["status"].tolist() == ["played", "scheduled"]
    assert set(frame["status"]) <= set(MATCH_STATUSES)
