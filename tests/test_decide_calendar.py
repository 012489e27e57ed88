"""A club's remaining matches across competitions, with rest days (real April 2024 data)."""

from __future__ import annotations

import datetime as dt

import pytest

from matchday.data.errors import MatchdayError
from matchday.data.store import Store
from matchday.workflows import calendar_from_store


@pytest.fixture(scope="module")
def store(synced_db):
    with Store(synced_db, read_only=True) as opened:
        yield opened


def test_liverpool_after_palace(store):
    cal = calendar_from_store(store, "Liverpool", dt.date(2024, 4, 15))
    assert cal.league == "E0" and cal.season == "2023-24" and cal.last_match == dt.date(2024, 4, 14)
    first = cal.matches[0]
    assert (first.key, first.date, first.opponent, first.venue, first.rest_days) == (
        "UEL Quarter-final leg 2", dt.date(2024, 4, 18), "atalanta", "away", 4)
    league = cal.league_fixtures
    assert [m.opponent for m in league] == ["fulham", "everton", "west-ham-united", "tottenham-hotspur",
                                           "aston-villa", "wolverhampton-wanderers"]
    assert league[0].rest_days == 3 and league[0].venue == "away"  # Fulham, three days after Bergamo
    stages = cal.cup.stages
    assert [s.round for s in stages] == ["Quarter-final", "Semi-final", "Final"]
    assert stages[0].first_leg == (0, 3) and stages[0].club_hosts_first_leg
    # the semi-final against the Benfica/Marseille winner, who host the first leg (as drawn)
    semi = [m for m in cal.matches if m.round == "Semi-final"]
    assert [(m.date, m.venue, m.conditional) for m in semi] == [
        (dt.date(2024, 5, 2), "away", True), (dt.date(2024, 5, 9), "home", True)]
    final = cal.matches[-1]
    assert (final.key, final.date, final.venue) == ("UEL Final", dt.date(2024, 5, 22), "neutral")
    assert final.rest_days == 3  # Wolves at home on the 19th
    frame = cal.frame()
    assert list(frame["rest_days"])[:3] == [4, 3, 3] and frame["conditional"].sum() == 3


def test_liverpool_before_the_first_leg(store):
    cal = calendar_from_store(store, "liverpool", dt.date(2024, 4, 10))
    keys = cal.keys
    assert keys[:3] == ["UEL Quarter-final leg 1", "E0 2024-04-14 v crystal-palace", "UEL Quarter-final leg 2"]
    assert cal.matches[0].venue == "home" and cal.matches[0].rest_days == 4  # Manchester United away on the 7th
    assert cal.cup.stages[0].first_leg is None and len(cal.cup.stages[0].matches) == 2


def test_after_the_first_leg_and_given_dates(store):
    cal = calendar_from_store(store, "liverpool", dt.date(2024, 4, 12),
                        cup_dates={"Semi-final": [dt.date(2024, 5, 1), dt.date(2024, 5, 8)]})
    assert cal.cup.stages[0].first_leg == (0, 3)
    assert cal.keys[0] == "E0 2024-04-14 v crystal-palace" and cal.matches[0].rest_days == 3
    semi = [m.date for m in cal.matches if m.round == "Semi-final"]
    assert semi == [dt.date(2024, 5, 1), dt.date(2024, 5, 8)]


def test_club_out_of_europe_has_a_league_only_calendar(store):
    cal = calendar_from_store(store, "Arsenal", dt.date(2024, 4, 20))  # out in Munich on the 17th; won at Wolves on the 20th
    assert cal.cup is None and not cal.cup_matches
    assert all(m.competition == "E0" for m in cal.matches) and len(cal.matches) == 5
    assert cal.last_match == dt.date(2024, 4, 20) and cal.matches[0].opponent == "chelsea"


def test_unknown_club_is_a_clear_error(store):
    with pytest.raises(MatchdayError, match="Liverpol|closest|unknown"):
        calendar_from_store(store, "Liverpol FC Reds", dt.date(2024, 4, 15))
