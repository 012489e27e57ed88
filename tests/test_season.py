"""Season Monte Carlo: invariants, exact reproduction of the real table, conditioning, real 2023-24 checks."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from matchday.data.registry import TeamRegistry
from matchday.data.store import Store
from matchday.models import DixonColes
from matchday.rules.table import league_table
from matchday.simulate.conditions import ConditionError, parse_condition, to_fixture_conditions
from matchday.simulate.season import FixtureCondition, simulate_season, split_fixtures

AS_OF = dt.date(2024, 4, 15)


@pytest.fixture(scope="module")
def e0(synced_db):
    with Store(synced_db, read_only=True) as store:
        season = store.matches(["E0"], ["2023-24"])
        train = store.matches(["E0", "E1"], ["2022-23", "2023-24"], played=True, until=AS_OF)
    model = DixonColes().fit(train, as_of=AS_OF)
    return season, model


def test_probabilities_sum_to_one(e0):
    season, model = e0
    sim = simulate_season(season, model, "E0", "2023-24", as_of=AS_OF, n_sims=4000, seed=3)
    probs = sim.position_probabilities()
    assert np.allclose(probs.sum(axis=0), 1) and np.allclose(probs.sum(axis=1), 1)
    summary = sim.summary()
    assert summary["p_title"].sum() == pytest.approx(1)
    assert summary["p_relegation"].sum() == pytest.approx(3)
    assert summary["p_top4"].sum() == pytest.approx(4)
    # points now + points still to win bound every simulated total
    remaining = split_fixtures(season, AS_OF)[1]
    games_left = pd.concat([remaining["home"], remaining["away"]]).value_counts()
    for row in summary.itertuples():
        left = int(games_left.get(row.team, 0))
        assert row.points <= row.points_p05 and row.points_p95 <= row.points + 3 * left


def test_seeded_reproducibility(e0):
    season, model = e0
    a = simulate_season(season, model, "E0", "2023-24", as_of=AS_OF, n_sims=2000, seed=7, keep_simulations=True)
    b = simulate_season(season, model, "E0", "2023-24", as_of=AS_OF, n_sims=2000, seed=7, keep_simulations=True, chunk_size=300)
    c = simulate_season(season, model, "E0", "2023-24", as_of=AS_OF, n_sims=2000, seed=8, keep_simulations=True)
    # chunking does not change the simulated scores (lots for clubs level on everything may differ)
    assert np.array_equal(a.points, b.points) and np.array_equal(a.goal_difference, b.goal_difference)
    again = simulate_season(season, model, "E0", "2023-24", as_of=AS_OF, n_sims=2000, seed=7, keep_simulations=True)
    assert np.array_equal(a.positions, again.positions)
    assert not np.array_equal(a.positions, c.positions)


def test_fixing_every_remaining_match_reproduces_the_final_table(e0):
    season, model = e0
    _, remaining = split_fixtures(season, AS_OF)
    conditions = [
        FixtureCondition(r.home, r.away, (lambda h, a, x=int(r.home_goals), y=int(r.away_goals): (h == x) & (a == y)),
                         f"{r.home} v {r.away}: {r.home_goals}-{r.away_goals}")
        for r in remaining.itertuples()
    ]
    sim = simulate_season(season, model, "E0", "2023-24", as_of=AS_OF, conditions=conditions,
                          n_sims=500, seed=1, keep_simulations=True)
    final = league_table(season, "E0", "2023-24")
    expected = final.set_index("team")["position"]
    for column, team in enumerate(sim.teams):
        assert (sim.positions[:, column] == expected[team]).all(), team
    assert (sim.points[:, sim.teams.index("everton")] == 40).all()  # after the 8-point deduction


def test_conditioned_run_equals_filtered_baseline(e0):
    season, model = e0
    fixture = ("fulham", "liverpool")
    base = simulate_season(season, model, "E0", "2023-24", as_of=AS_OF, n_sims=30000, seed=11, keep_simulations=True,
                           record=[fixture])
    hg, ag = base.recorded[fixture]
    kept = ag > hg
    condition = FixtureCondition(*fixture, lambda h, a: a > h, "Fulham v Liverpool: away win")
    cond = simulate_season(season, model, "E0", "2023-24", as_of=AS_OF, conditions=[condition],
                           n_sims=30000, seed=12, keep_simulations=True)
    liverpool = base.teams.index("liverpool")
    p_filtered = (base.positions[kept, liverpool] == 1).mean()
    p_cond = (cond.positions[:, liverpool] == 1).mean()
    se = np.sqrt(p_filtered * (1 - p_filtered) / kept.sum() + p_cond * (1 - p_cond) / 30000)
    assert abs(p_filtered - p_cond) < 4 * se + 1e-9
    assert (cond.recorded == {})


def test_real_2023_24_checks(e0):
    season, model = e0
    sim = simulate_season(season, model, "E0", "2023-24", as_of=AS_OF, n_sims=5000, seed=2)
    summary = sim.summary().set_index("team")
    # Sheffield United had 16 points with 6 games left, 10 from safety: relegated in (nearly) every future
    assert summary.loc["sheffield-united", "p_relegation"] > 0.99
    # the title was a three-club race on 15 April 2024 and nobody else could reach 73 + ...
    contenders = summary[summary["p_title"] > 0].index
    assert set(contenders) == {"manchester-city", "arsenal", "liverpool"}
    # after the last match day the simulation has nothing left to draw and equals the real table
    end = simulate_season(season, model, "E0", "2023-24", as_of=dt.date(2024, 5, 19), n_sims=10, seed=0, keep_simulations=True)
    assert end.n_remaining == 0
    assert (end.positions[:, end.teams.index("manchester-city")] == 1).all()


def test_until_date_and_top_question(e0):
    season, model = e0
    conds = [parse_condition(text, TeamRegistry.load().require)
             for text in ("Fulham v Liverpool: away win", "Wolves v Arsenal: not away win")]
    _, remaining = split_fixtures(season, AS_OF)
    fixture_conditions = to_fixture_conditions(conds, season, remaining, AS_OF, str)
    sim = simulate_season(season, model, "E0", "2023-24", as_of=AS_OF, until=dt.date(2024, 4, 21),
                          conditions=fixture_conditions, n_sims=2000, seed=0)
    # Liverpool 74 at least, Arsenal at most 72 and City 73 without a league match by 21 April
    assert sim.top_probabilities()["liverpool"] == 1.0


def test_condition_errors(e0):
    season, _ = e0
    _, remaining = split_fixtures(season, AS_OF)
    resolve = TeamRegistry.load().require
    with pytest.raises(ConditionError, match="already played on 2024-04-14"):
        to_fixture_conditions([parse_condition("Liverpool v Crystal Palace: home win", resolve)], season, remaining, AS_OF, str)
    with pytest.raises(ConditionError, match="no such fixture this season"):
        to_fixture_conditions([parse_condition("Liverpool v Leeds: home win", resolve)], season, remaining, AS_OF, str)
    one_way = season[~((season["home"] == "fulham") & (season["away"] == "liverpool"))]
    with pytest.raises(ConditionError, match="home side is named first"):
        to_fixture_conditions([parse_condition("Fulham v Liverpool: home win", resolve)], one_way, remaining, AS_OF, str)
    with pytest.raises(ConditionError, match="expected '<home> v <away>: <outcome>'"):
        parse_condition("Liverpool beat Fulham", resolve)
    with pytest.raises(ConditionError, match="cannot read the outcome"):
        parse_condition("Fulham v Liverpool: maybe", resolve)
    with pytest.raises(ConditionError, match="does not play"):
        parse_condition("Fulham v Liverpool: crystal palace wins", resolve)
    parsed = parse_condition("Fulham v Liverpool: Liverpool does not win", resolve)
    h, a = np.meshgrid(np.arange(4), np.arange(4), indexing="ij")
    assert np.array_equal(parsed.mask(h, a), a <= h)
    assert np.array_equal(parse_condition("Fulham v Liverpool: 1-3", resolve).mask(h, a), (h == 1) & (a == 3))


def test_a_cancelled_match_is_not_to_play_once_its_date_has_passed():
    """Issue 8 item 10: a cancelled or abandoned match without a result, dated on or before the as-of day, is
    neither played nor still to play; dated later, it was still to play on that day."""
    frame = pd.DataFrame({
        "date": pd.to_datetime(["2022-03-01", "2022-03-10", "2022-03-17", "2022-03-20", "2022-03-24"]),
        "home": ["a", "b", "c", "a", "b"], "away": ["b", "c", "a", "c", "a"],
        "home_goals": [1.0, np.nan, np.nan, np.nan, 2.0], "away_goals": [0.0, np.nan, np.nan, np.nan, 2.0],
        "status": ["played", "cancelled", "abandoned", "scheduled", "played"],
    })
    played, remaining = split_fixtures(frame, dt.date(2022, 3, 18))
    assert list(played["date"].dt.day) == [1]
    assert list(remaining["date"].dt.day) == [20, 24]  # the two void matches of 10 and 17 March are gone
    _, before = split_fixtures(frame, dt.date(2022, 3, 5))
    assert list(before["date"].dt.day) == [10, 17, 20, 24]  # on 5 March nobody knew they would not be played
    _, no_status = split_fixtures(frame.drop(columns=["status"]), dt.date(2022, 3, 18))
    assert len(no_status) == 4  # a frame without statuses keeps the old meaning
