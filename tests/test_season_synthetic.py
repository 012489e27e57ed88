"""The season Monte Carlo on small synthetic leagues (no real data): against exact enumeration, invariants,
conditions, seeds and chunks."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from matchday.models import DixonColes
from matchday.rules.table import league_table
from matchday.simulate.sampling import sample_scores
from matchday.simulate.season import FixtureCondition, LeagueFixtures, simulate_season
from synthetic import simulate_league, small_season

TEAMS = [f"team-{i:02d}" for i in range(4)]
STRENGTH = {"team-00": 0.3, "team-01": 0.1, "team-02": -0.1, "team-03": -0.3}


@pytest.fixture(scope="module")
def model() -> DixonColes:
    rng = np.random.default_rng(1)
    history = simulate_league(rng, np.array([0.3, 0.1, -0.1, -0.3]), np.array([0.2, 0.1, -0.1, -0.2]), seasons=3,
                              start="2020-08-01", competition="E0")
    return DixonColes(shrinkage=1.0).fit(history, as_of="2023-07-31")


@pytest.fixture(scope="module")
def last_round() -> pd.DataFrame:
    """Four clubs, five of six rounds played: two fixtures left."""
    return small_season(np.random.default_rng(5), TEAMS, STRENGTH, start="2023-08-12", rounds_played=5)


def as_of_of(season: pd.DataFrame) -> dt.date:
    return season.loc[season["home_goals"].notna(), "date"].max().date()


def test_positions_match_exact_enumeration_of_the_last_round(model, last_round):
    as_of = as_of_of(last_round)
    league = LeagueFixtures.build(last_round, "E0", "2023-24", as_of)
    assert league.n_remaining == 2
    grid = league.predict(model)
    size = grid.max_goals + 1
    # every combination of the two remaining scores, ranked by the same code, weighted by its probability
    cells = np.arange(size * size)
    first, second = np.meshgrid(cells, cells, indexing="ij")
    first, second = first.ravel(), second.ravel()
    home = np.stack([first // size, second // size], axis=1).astype(np.int8)
    away = np.stack([first % size, second % size], axis=1).astype(np.int8)
    weight = grid.probabilities[0].ravel()[first] * grid.probabilities[1].ravel()[second]
    positions, standings = league.rank(home, away, np.random.default_rng(0))
    exact = np.stack([np.bincount(positions[:, t] - 1, weights=weight, minlength=4) for t in range(4)])
    lots = float(weight[standings.tied.any(axis=1)].sum())  # drawn at random: not exact in the enumeration
    np.testing.assert_allclose(exact.sum(axis=1), 1.0, atol=1e-9)

    n = 40_000
    sim = simulate_season(last_round, model, "E0", "2023-24", as_of=as_of, n_sims=n, seed=3)
    simulated = sim.position_probabilities().loc[league.teams].to_numpy()
    se = np.sqrt(exact * (1 - exact) / n)
    assert np.all(np.abs(simulated - exact) <= 4.5 * se + lots + 1e-4)


def test_invariants_and_expected_points(model):
    season = small_season(np.random.default_rng(9), [f"team-{i:02d}" for i in range(4)], STRENGTH,
                          start="2023-08-12", rounds_played=2)
    as_of = as_of_of(season)
    n = 20_000
    sim = simulate_season(season, model, "E0", "2023-24", as_of=as_of, n_sims=n, seed=1, keep_simulations=True)
    probs = sim.position_probabilities()
    np.testing.assert_allclose(probs.sum(axis=0), 1.0)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    assert np.all(np.sort(sim.positions, axis=1) == np.arange(1, 5))  # each simulation is a ranking
    now = sim.current.set_index("team")["points"].reindex(sim.teams).to_numpy()
    remaining = 6 - sim.current.set_index("team")["played"].reindex(sim.teams).to_numpy()
    assert np.all(sim.points >= now) and np.all(sim.points <= now + 3 * remaining)
    # expected points: the current points plus each remaining fixture's expected points from its grid
    league = LeagueFixtures.build(season, "E0", "2023-24", as_of)
    points = league.predict(model).expected_points()
    exact = now.astype(float).copy()
    for k, (home, away) in enumerate(zip(league.remaining["home"], league.remaining["away"], strict=True)):
        exact[league.index_of(home)] += points[k, 0]
        exact[league.index_of(away)] += points[k, 1]
    se = sim.points.std(axis=0) / np.sqrt(n)
    assert np.all(np.abs(sim.points.mean(axis=0) - exact) < 4.5 * se)


def test_seeds_chunks_and_shared_random_numbers(model, last_round):
    as_of = as_of_of(last_round)
    a = simulate_season(last_round, model, "E0", "2023-24", as_of=as_of, n_sims=3000, seed=7, keep_simulations=True,
                        record=[tuple(last_round.iloc[-1][["home", "away"]])])
    b = simulate_season(last_round, model, "E0", "2023-24", as_of=as_of, n_sims=3000, seed=7, keep_simulations=True, chunk_size=7)
    c = simulate_season(last_round, model, "E0", "2023-24", as_of=as_of, n_sims=3000, seed=8, keep_simulations=True)
    np.testing.assert_array_equal(a.positions, b.positions)
    assert not np.array_equal(a.positions, c.positions)
    # the season engine draws the remaining scores exactly as sample_scores does with the same stream
    recorded = next(iter(a.recorded.values()))
    league = LeagueFixtures.build(last_round, "E0", "2023-24", as_of)
    score_seed = np.random.SeedSequence(7).spawn(2)[0]
    home, away = sample_scores(league.predict(model), 3000, seed=score_seed)
    np.testing.assert_array_equal(recorded[0], home[:, -1])
    np.testing.assert_array_equal(recorded[1], away[:, -1])


def test_conditions_fix_results_and_equal_the_filtered_baseline(model, last_round):
    as_of = as_of_of(last_round)
    full = small_season(np.random.default_rng(5), TEAMS, STRENGTH, start="2023-08-12", rounds_played=6)
    remaining = full[full["date"] > pd.Timestamp(as_of)]
    fixed = [FixtureCondition(r.home, r.away, lambda h, a, x=int(r.home_goals), y=int(r.away_goals): (h == x) & (a == y),
                              f"{r.home} v {r.away}") for r in remaining.itertuples()]
    sim = simulate_season(last_round, model, "E0", "2023-24", as_of=as_of, conditions=fixed, n_sims=50, seed=0, keep_simulations=True)
    final = league_table(full, "E0", "2023-24", deductions={}).set_index("team")
    for t, team in enumerate(sim.teams):
        assert (sim.positions[:, t] == final.loc[team, "position"]).all()
    # "the last fixture is a home win": the conditioned run is the baseline given that event
    home, away = remaining.iloc[-1][["home", "away"]]
    n = 30_000
    base = simulate_season(last_round, model, "E0", "2023-24", as_of=as_of, n_sims=n, seed=11, keep_simulations=True, record=[(home, away)])
    hg, ag = base.recorded[(home, away)]
    given = hg > ag
    cond = simulate_season(last_round, model, "E0", "2023-24", as_of=as_of, n_sims=n, seed=12, keep_simulations=True,
                           conditions=[FixtureCondition(home, away, lambda h, a: h > a, "home win")])
    p_cond = (cond.positions == 1).mean(axis=0)
    p_filtered = (base.positions[given] == 1).mean(axis=0)
    se = np.sqrt(p_cond * (1 - p_cond) / n + p_filtered * (1 - p_filtered) / given.sum())
    assert np.all(np.abs(p_cond - p_filtered) < 4.5 * se + 1e-4)
    with pytest.raises(ValueError, match="no possible score"):
        simulate_season(last_round, model, "E0", "2023-24", as_of=as_of, n_sims=10, seed=0,
                        conditions=[FixtureCondition(home, away, lambda h, a: h < 0, "impossible")])


def test_until_simulates_only_fixtures_up_to_a_date(model):
    season = small_season(np.random.default_rng(9), TEAMS, STRENGTH, start="2023-08-12", rounds_played=2)
    as_of = as_of_of(season)
    until = as_of + dt.timedelta(days=7)  # one more round
    sim = simulate_season(season, model, "E0", "2023-24", as_of=as_of, until=until, n_sims=500, seed=0, keep_simulations=True)
    assert sim.n_remaining == 2
    assert sim.points.sum(axis=1).max() <= sim.current["points"].sum() + 2 * 3
