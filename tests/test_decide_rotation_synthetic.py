"""The rotation-plan Monte Carlo on a small synthetic league and cup (no real data).

Six clubs play a double round robin (four rounds left on the as-of date); the club ``c-00`` is in a
European semi-final (1-1 after the first leg) whose final has no stored date. The calendar is built from
frames (decide never opens the store); the cup path is checked against exact tie probabilities, the league
against the season simulator, and the common random numbers against their promises.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from matchday.decide import FatigueModel, analyse_calendar
from matchday.decide.calendar import club_calendar
from matchday.models import DixonColes
from matchday.rules.knockout import tie_rules
from matchday.simulate.season import simulate_season
from matchday.simulate.tie_play import KnockoutParams
from matchday.simulate.ties import exact_single_match_tie, exact_two_legged_tie
from synthetic import simulate_league, small_season

CLUBS = [f"c-{i:02d}" for i in range(6)]
STRENGTH = dict(zip(CLUBS, [0.25, 0.2, 0.0, -0.05, -0.15, -0.25], strict=True))
AS_OF = dt.date(2024, 2, 10)  # after round 6 of 10 (weekly from 6 January)
CUP = KnockoutParams(rules=tie_rules("2023-24", "UEL"))
N = 20_000


def cup_frame() -> pd.DataFrame:
    rows = [("Semi-final", 1, "2024-02-08", "c-00", "c-03", 1, 1), ("Semi-final", 1, "2024-02-08", "c-01", "c-02", 2, 0),
            ("Semi-final", 2, "2024-02-15", "c-03", "c-00", None, None),
            ("Semi-final", 2, "2024-02-15", "c-02", "c-01", None, None)]
    frame = pd.DataFrame(rows, columns=["round", "leg", "date", "home", "away", "home_goals", "away_goals"])
    return frame.assign(date=pd.to_datetime(frame["date"]), competition="UEL", season="2023-24", neutral=False,
                        aet_home_goals=np.nan, aet_away_goals=np.nan, pen_home=np.nan, pen_away=np.nan)


@pytest.fixture(scope="module")
def setting():
    league = small_season(np.random.default_rng(21), CLUBS, STRENGTH, start="2024-01-06", rounds_played=6)
    history = simulate_league(np.random.default_rng(22), np.array(list(STRENGTH.values())),
                              np.array(list(STRENGTH.values())), seasons=3, start="2020-08-01", competition="E0",
                              prefix="c")
    played = pd.concat([history, league.dropna(subset=["home_goals"]), cup_frame().dropna(subset=["home_goals"])],
                       ignore_index=True)
    model = DixonColes().fit(played, as_of=AS_OF)
    calendar = club_calendar("c-00", AS_OF, league="E0", league_matches=league, uefa_matches=cup_frame(),
                             last_match=AS_OF)
    return calendar, model


def test_calendar_from_frames(setting):
    calendar, _ = setting
    frame = calendar.frame().set_index("key")
    assert list(frame["competition"]).count("E0") == 4
    assert frame.loc["UEL Semi-final leg 2", "rest_days"] == 5 and frame.loc["UEL Semi-final leg 2", "venue"] == "away"
    final = frame.loc["UEL Final"]
    assert final["conditional"] and final["venue"] == "neutral"
    assert final["date"] == dt.date(2024, 2, 29)  # UEFA's usual gap after the semi-final, said in a note
    assert any("Final: no fixtures stored" in note for note in calendar.notes)
    assert calendar.cup.stages[0].first_leg == (1, 1) and calendar.cup.stages[0].opponent == "c-03"


def test_zero_gap_and_no_fatigue_give_identical_futures(setting):
    calendar, model = setting
    analysis = analyse_calendar(calendar, model, gap=0.0, fatigue=FatigueModel.none(), n_sims=2000, seed=1)
    first = analysis.outcomes[0]
    assert len(analysis.outcomes) == 4
    for other in analysis.outcomes[1:]:
        for field in ("position", "points", "stages", "trophy"):
            np.testing.assert_array_equal(getattr(first, field), getattr(other, field))
    assert (analysis.table["se_vs_best"] == 0).all()


def test_cup_path_agrees_with_exact_tie_probabilities(setting):
    calendar, model = setting
    analysis = analyse_calendar(calendar, model, plans=["full strength"], fatigue=FatigueModel.none(), n_sims=N,
                                seed=2)
    outcome = analysis.outcomes[0]

    def through(home: str, away: str, first_leg: tuple[int, int]) -> float:
        legs = [model.predict(h, a, competition="UEL") for h, a in ((home, away), (away, home))]
        return float(exact_two_legged_tie(*legs, first_leg_score=first_leg, params=CUP).p_advance[0])

    p_final = through("c-00", "c-03", (1, 1))
    other = {"c-01": through("c-01", "c-02", (2, 0))}
    other["c-02"] = 1.0 - other["c-01"]
    p_trophy = p_final * sum(p * exact_single_match_tie(model.predict("c-00", club, neutral=True, competition="UEL"),
                                                        params=CUP).p_advance[0] for club, p in other.items())
    for simulated, exact in ((outcome.indicator("final").mean(), p_final), (outcome.trophy.mean(), p_trophy)):
        assert abs(simulated - exact) < 4.5 * np.sqrt(exact * (1 - exact) / N)
    assert np.all(outcome.trophy <= outcome.indicator("final"))
    assert set(np.unique(outcome.stages)) == {1, 2}


def test_league_path_agrees_with_the_season_simulator(setting):
    calendar, model = setting
    analysis = analyse_calendar(calendar, model, plans=["full strength"], gap=0.0, fatigue=FatigueModel.none(),
                                n_sims=N, seed=3)
    season = simulate_season(calendar.league_matches, model, "E0", "2023-24", as_of=AS_OF, n_sims=N, seed=4,
                             keep_simulations=True)
    club = season.teams.index("c-00")
    for outcome_value, simulated in ((analysis.outcomes[0].indicator("title"), season.positions[:, club] == 1),
                                     (analysis.outcomes[0].points, season.points[:, club])):
        difference = outcome_value.mean() - simulated.mean()
        assert abs(difference) < 4.5 * np.sqrt(outcome_value.var() / N + simulated.var() / N)


def test_a_weaker_league_lineup_never_gains_points_on_any_future(setting):
    calendar, model = setting
    analysis = analyse_calendar(calendar, model, plans=["full strength", {"league": "second"}],
                                fatigue=FatigueModel.none(), n_sims=5000, seed=5)
    full, rested = analysis.outcomes
    assert np.all(rested.points <= full.points)  # the monotone coupling, future by future
    assert rested.indicator("title").mean() < full.indicator("title").mean()
    np.testing.assert_array_equal(rested.trophy, full.trophy)  # the cup lineup is the same in both plans
    comparison = analysis.compare("full strength", "custom 2")
    assert comparison.difference > 0 and comparison.se_paired < comparison.se_independent
    assert "c-00 are" in analysis.summary() and "4 league matches left" in analysis.summary()


def test_reproducible_with_a_seed(setting):
    calendar, model = setting
    first = analyse_calendar(calendar, model, n_sims=1000, seed=7).table
    pd.testing.assert_frame_equal(first, analyse_calendar(calendar, model, n_sims=1000, seed=7).table)
    assert not first.equals(analyse_calendar(calendar, model, n_sims=1000, seed=8).table)


def test_rotation_futures_come_in_seeded_chunks(setting, monkeypatch):
    """A run of several chunks: its first chunk is the one-chunk run, every plan and every rerun sees the same
    futures, and memory beyond the kept outcomes does not grow."""
    from matchday.decide import season_plan
    from matchday.simulate.limits import SimulationSizeError

    calendar, model = setting
    monkeypatch.setattr(season_plan, "PLAN_CHUNK", 400)
    one = analyse_calendar(calendar, model, n_sims=400, seed=5)
    three = analyse_calendar(calendar, model, n_sims=1000, seed=5)
    assert three.simulator.n_chunks == 3
    for a, b in zip(one.outcomes, three.outcomes, strict=True):
        for name in ("position", "points", "stages", "trophy"):
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name)[:400])
    again = three.simulator.evaluate_many(three.plans, three.lineup, three.fatigue)  # drawn again, chunk by chunk
    for a, b in zip(three.outcomes, again, strict=True):
        np.testing.assert_array_equal(a.position, b.position)
        np.testing.assert_array_equal(a.trophy, b.trophy)
    with pytest.raises(SimulationSizeError, match="two futures"):
        analyse_calendar(calendar, model, n_sims=1, seed=5)
    # memory: only the kept outcomes (6 bytes per future and plan, copied once when the chunks are joined) grow
    import tracemalloc

    def peak(n: int) -> int:
        simulator = season_plan.PlanSimulator(calendar, model, n_sims=n, seed=5)
        tracemalloc.start()
        try:
            simulator.evaluate_many(three.plans, three.lineup, three.fatigue)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    short, long = peak(800), peak(8000)
    assert (long - short) / (7200 * len(three.plans)) < 32, (short, long)
