"""A club's season in the league-phase format (2024-25): the calendar holds the remaining league-phase
matches and the knockout path, and the rotation plans play it on common futures."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from matchday import cli
from matchday.decide.calendar import LEAGUE_PHASE_STAGES, LeaguePhaseCup

CLUB = "arsenal"


@pytest.fixture(scope="module")
def store(store_2425):
    from matchday.data.store import Store

    with Store(store_2425, read_only=True) as opened:
        yield opened


@pytest.fixture(scope="module")
def fitted(store):
    from matchday.models.training import fit_model

    return fit_model("dixon-coles", store, dt.date(2025, 1, 15))


def test_calendar_in_the_league_phase_lists_its_matches_and_the_knockout_path(store):
    from matchday.rules.uefa_league_phase import is_league_phase_round
    from matchday.workflows import calendar_from_store

    day = dt.date(2025, 1, 15)
    calendar = calendar_from_store(store, "Arsenal", day)
    cup = calendar.cup
    assert isinstance(cup, LeaguePhaseCup) and cup.competition == "UCL" and not cup.phase_complete
    stored = store.matches(["UCL"], ["2024-25"], teams=[CLUB])
    later = stored[stored["round"].map(is_league_phase_round) & (stored["date"] > pd.Timestamp(day))]
    league_phase = [m for m in calendar.cup_matches if m.stage == 0]
    assert [(m.date, m.opponent) for m in league_phase] == [
        (d.date(), a if h == CLUB else h) for d, h, a in zip(later["date"], later["home"], later["away"], strict=True)]
    assert all(not m.conditional and m.venue in ("home", "away") for m in league_phase)
    # The knockout path: play-offs (if 9-24), round of 16 ... final, all still to be decided.
    rounds = [s.round for s in cup.stages]
    assert rounds == list(LEAGUE_PHASE_STAGES)
    knockout = [m for m in calendar.cup_matches if m.stage >= 1]
    assert all(m.conditional and m.opponent is None for m in knockout)
    assert [m.venue for m in knockout if m.round == "Final"] == ["neutral"]
    assert any("depends on the final position" in n for n in calendar.notes)


def test_calendar_after_the_draw_names_the_opponent(store):
    from matchday.workflows import calendar_from_store

    calendar = calendar_from_store(store, "Arsenal", dt.date(2025, 3, 20))
    quarter = store.matches(["UCL"], ["2024-25"], teams=[CLUB])
    quarter = quarter[quarter["round"] == "Quarter-final"].sort_values("date")
    first = quarter.iloc[0]
    opponent = first["away"] if first["home"] == CLUB else first["home"]
    legs = [m for m in calendar.cup_matches if m.round == "Quarter-final"]
    assert [m.opponent for m in legs] == [opponent, opponent]
    assert [m.venue for m in legs] == (["home", "away"] if first["home"] == CLUB else ["away", "home"])
    assert [m.conditional for m in legs] == [False, False]
    assert all(m.conditional for m in calendar.cup_matches if m.round in ("Semi-final", "Final"))
    # A club knocked out by then has no European calendar; one placed 25th or lower neither.
    assert calendar_from_store(store, "Liverpool", dt.date(2025, 3, 20)).cup is None
    assert calendar_from_store(store, "RB Leipzig", dt.date(2025, 2, 5)).cup is None


def test_plans_agree_with_the_uefa_simulation_and_share_their_futures(store, fitted):
    """With no second-string gap and no fatigue every plan plays the very same futures, and P(trophy) /
    P(final) agree with the league-phase engine's (another implementation, other random numbers)."""
    from matchday.decide.fatigue import FatigueModel
    from matchday.decide.recommend import analyse_calendar
    from matchday.workflows import calendar_from_store, uefa_season_from_store

    day = dt.date(2025, 1, 15)
    n = 6000
    calendar = calendar_from_store(store, "Arsenal", day)
    analysis = analyse_calendar(calendar, fitted, gap=0.0, fatigue=FatigueModel.none(), n_sims=n, seed=2)
    first = analysis.outcomes[0]
    for other in analysis.outcomes[1:]:
        assert np.array_equal(other.stages, first.stages) and np.array_equal(other.trophy, first.trophy)
        assert np.array_equal(other.position, first.position)
    engine = uefa_season_from_store(store, "UCL", "2024-25", day, fitted=fitted, n_sims=n, seed=5)
    ko = engine.knockout_table().set_index("team").loc[CLUB]
    for outcome, column in (("trophy", "p_winner"), ("final", "p_final")):
        mine = first.indicator(outcome).mean()
        theirs = ko[column]
        se = np.sqrt(2 * theirs * (1 - theirs) / n)
        assert abs(mine - theirs) < 4.5 * se + 1e-9, (outcome, mine, theirs)
    # Stages played: 1 (league phase only) to 6 (the final); the trophy needs the final.
    assert first.stages.min() >= 1 and first.stages.max() <= 6
    assert (first.stages[first.trophy] == 6).all()


def test_resting_players_in_europe_costs_european_chances(store, fitted):
    from matchday.decide.recommend import analyse_calendar
    from matchday.workflows import calendar_from_store

    calendar = calendar_from_store(store, "Arsenal", dt.date(2025, 1, 15))
    analysis = analyse_calendar(calendar, fitted, plans=["full strength", "all in league"], n_sims=4000, seed=0)
    table = analysis.table.set_index("plan")
    assert table.at["all in league", "p_trophy"] < table.at["full strength", "p_trophy"]
    assert table.at["all in league", "p_final"] < table.at["full strength", "p_final"]


def test_rotate_command_in_the_league_phase(store_2425):
    result = CliRunner().invoke(cli.app, ["rotate", "Arsenal", "--as-of", "2025-01-15", "--sims", "2000",
                                          "--no-sensitivity", "--db", str(store_2425), "--json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert '"cup": "UCL"' in result.stdout
