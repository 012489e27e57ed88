"""Issue 9 item 4: every Monte Carlo runs in bounded memory whatever the number of simulations, its result
depends on the seed only (not on how the work is chunked), and counts or seeds out of range are one clear
error. Synthetic leagues and grids (no real data); the command line's side is in tests/test_cli.py.

Memory is measured with tracemalloc (NumPy reports its allocations to it): the peak of a run eight times
longer must stay close to the peak of the short one. Before the chunked engines, the season simulation kept
(S, fixtures) scores and (S, clubs) tables for all S simulations at once, so the peak grew eightfold.
"""

from __future__ import annotations

import functools
import tracemalloc

import numpy as np
import pytest

from matchday.models import DixonColes
from matchday.models.grid import ScoreGrid
from matchday.simulate import bracket as bracket_module
from matchday.simulate import ties as ties_module
from matchday.simulate.bracket import Round, Tie, simulate_bracket
from matchday.simulate.limits import (
    MAX_ROTATION_SIMS,
    MAX_SEED,
    MAX_SIMS,
    SimulationSizeError,
    check_seed,
    check_sims,
)
from matchday.simulate.season import RANK_BLOCK, histogram_percentile, simulate_season
from matchday.simulate.ties import simulate_two_legged_tie, simulate_two_legged_ties
from synthetic import simulate_league, small_season

TEAMS = [f"team-{i:02d}" for i in range(6)]
STRENGTH = dict(zip(TEAMS, [0.3, 0.2, 0.1, -0.1, -0.2, -0.3], strict=True))


@pytest.fixture(scope="module")
def league():
    rng = np.random.default_rng(1)
    history = simulate_league(rng, np.array(list(STRENGTH.values())), np.array(list(STRENGTH.values())), seasons=3,
                              start="2020-08-01", competition="E0")
    model = DixonColes(shrinkage=1.0).fit(history, as_of="2023-07-31")
    season = small_season(np.random.default_rng(5), TEAMS, STRENGTH, start="2023-08-12", rounds_played=6)
    as_of = season.loc[season["home_goals"].notna(), "date"].max().date()
    return season, model, as_of


def peak_bytes(run) -> int:
    """Peak memory traced while ``run()`` runs."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# --- the limits themselves -------------------------------------------------------------------------------


def test_counts_and_seeds_say_what_is_accepted_and_why():
    assert check_sims(1) == 1 and check_sims(MAX_SIMS) == MAX_SIMS and check_sims(np.int64(5)) == 5
    assert check_sims(1e6) == 1_000_000  # a whole float is a whole number
    for bad, needle in ((0, "at least one simulation"), (-5, "from 1 to 100,000,000"),
                        (MAX_SIMS + 1, "standard error"), (2.5, "not a whole number"), ("10", "not a whole number"),
                        (True, "not a whole number")):
        with pytest.raises(SimulationSizeError, match=needle):
            check_sims(bad)
    with pytest.raises(SimulationSizeError, match="from 2 to 10,000,000"):
        check_sims(1, minimum=2, maximum=MAX_ROTATION_SIMS)
    assert check_seed(0) == 0 and check_seed(MAX_SEED) == MAX_SEED
    for bad in (-1, MAX_SEED + 1):
        with pytest.raises(SimulationSizeError, match="0 to 4,294,967,295"):
            check_seed(bad)
    assert issubclass(SimulationSizeError, ValueError)  # library callers that caught ValueError still do


def test_every_engine_refuses_counts_out_of_range(league):
    season, model, as_of = league
    grid = ScoreGrid.from_rates(1.5, 1.1)
    predict = functools.partial(model.predict_many, competition="E0")
    for n in (0, -5, MAX_SIMS + 1):
        with pytest.raises(SimulationSizeError):
            simulate_season(season, model, "E0", "2023-24", as_of=as_of, n_sims=n)
        with pytest.raises(SimulationSizeError):
            simulate_two_legged_tie(grid, grid, n=n)
        with pytest.raises(SimulationSizeError):
            simulate_bracket([Tie("team-00", "team-01"), Tie("team-02", "team-03")], [Round("Final", two_legged=False,
                             neutral=True)], predict, n=n)


# --- the season engine -----------------------------------------------------------------------------------


def test_season_result_depends_on_the_seed_not_on_the_chunks(league):
    season, model, as_of = league
    n = 3 * RANK_BLOCK + 123  # four chunks of one block, two of two, or one
    runs = [simulate_season(season, model, "E0", "2023-24", as_of=as_of, n_sims=n, seed=7, chunk_size=size,
                            keep_simulations=True) for size in (RANK_BLOCK, 2 * RANK_BLOCK, None)]
    for other in runs[1:]:
        np.testing.assert_array_equal(runs[0].position_counts, other.position_counts)
        np.testing.assert_array_equal(runs[0].points_counts, other.points_counts)
        np.testing.assert_array_equal(runs[0].positions, other.positions)  # lots included, simulation by simulation
    reseeded = simulate_season(season, model, "E0", "2023-24", as_of=as_of, n_sims=n, seed=8)
    assert not np.array_equal(runs[0].position_counts, reseeded.position_counts)


def test_counts_give_what_the_simulations_give(league):
    """The summary from counts and histograms equals the summary computed from every simulation."""
    season, model, as_of = league
    sim = simulate_season(season, model, "E0", "2023-24", as_of=as_of, n_sims=5000, seed=3, chunk_size=RANK_BLOCK,
                          keep_simulations=True)
    summary = sim.summary().set_index("team").loc[sim.teams]
    np.testing.assert_allclose(summary["expected_points"], sim.points.mean(axis=0), rtol=1e-12)
    for q in (5, 50, 95):
        np.testing.assert_allclose(summary[f"points_p{q:02d}"], np.percentile(sim.points, q, axis=0), rtol=1e-12)
    np.testing.assert_allclose(summary["expected_position"], sim.positions.mean(axis=0), rtol=1e-12)
    np.testing.assert_array_equal(summary["p_title"], (sim.positions == 1).mean(axis=0))
    np.testing.assert_array_equal(summary["p_relegation"], (sim.positions > len(TEAMS) - 3).mean(axis=0))
    counts = np.stack([np.bincount(sim.positions[:, t] - 1, minlength=len(TEAMS)) for t in range(len(TEAMS))])
    np.testing.assert_array_equal(sim.position_counts, counts)
    with pytest.raises(AttributeError, match="keep_simulations=True"):
        _ = simulate_season(season, model, "E0", "2023-24", as_of=as_of, n_sims=10, seed=3).positions


def test_histogram_percentiles_match_numpy_on_awkward_samples():
    rng = np.random.default_rng(0)
    for size in (1, 2, 3, 10, 101):
        values = rng.integers(-5, 40, size=(3, size))
        low = int(values.min())
        counts = np.stack([np.bincount(v - low, minlength=int(values.max()) - low + 1) for v in values])
        for q in (0, 5, 33.3, 50, 95, 100):
            np.testing.assert_allclose(histogram_percentile(counts, low, q), np.percentile(values, q, axis=1))


def test_season_memory_does_not_grow_with_the_number_of_simulations(league):
    season, model, as_of = league

    def run(n: int):
        return lambda: simulate_season(season, model, "E0", "2023-24", as_of=as_of, n_sims=n, seed=0,
                                       chunk_size=RANK_BLOCK)

    short, long = peak_bytes(run(2 * RANK_BLOCK)), peak_bytes(run(16 * RANK_BLOCK))
    assert long < 1.3 * short, (short, long)


# --- ties and brackets -----------------------------------------------------------------------------------


def test_tie_blocks_bound_memory_and_many_ties_still_equal_one_tie(monkeypatch):
    monkeypatch.setattr(ties_module, "TIE_BLOCK", 1000)
    home, away = ScoreGrid.from_rates(1.6, 1.1), ScoreGrid.from_rates(1.3, 1.2)
    short = peak_bytes(lambda: simulate_two_legged_tie(home, away, n=2000, seed=1))
    long = peak_bytes(lambda: simulate_two_legged_tie(home, away, n=16_000, seed=1))
    assert long < 1.3 * short, (short, long)
    kept = simulate_two_legged_tie(home, away, first_leg_score=(1, 0), n=3500, seed=4, keep_draws=True)
    assert kept.draws.winner.shape == (3500,)  # every block's rows, in order
    assert kept.p_advance[0] == np.mean(kept.draws.winner == 0)
    alone = simulate_two_legged_tie(home, away, first_leg_score=(1, 0), n=3500, seed=4)
    np.testing.assert_array_equal(alone.p_method, kept.p_method)
    many = simulate_two_legged_ties(ScoreGrid.concat([home, away]), ScoreGrid.concat([away, home]),
                                    first_leg_home_goals=[1, np.nan], first_leg_away_goals=[0, np.nan], n=3500, seed=4)
    assert many.loc[0, "p_advance_a"] == pytest.approx(alone.p_advance[0], abs=1e-12)
    progress = []
    simulate_two_legged_tie(home, away, n=2500, seed=1, progress=lambda done, total: progress.append((done, total)))
    assert progress == [(1000, 2500), (2000, 2500), (2500, 2500)]


def test_bracket_chunks_bound_memory(monkeypatch, league):
    _, model, _ = league
    monkeypatch.setattr(bracket_module, "CHUNK_SIMULATIONS", 1000)
    ties = [Tie("team-00", "team-01", (2, 0)), Tie("team-02", "team-03")]
    predict = functools.partial(model.predict_many, competition="E0")
    rounds = [Round("Final", two_legged=False, neutral=True)]
    short = peak_bytes(lambda: simulate_bracket(ties, rounds, predict, n=2000, seed=0))
    long = peak_bytes(lambda: simulate_bracket(ties, rounds, predict, n=16_000, seed=0))
    assert long < 1.3 * short, (short, long)
    progress = []
    result = simulate_bracket(ties, rounds, predict, n=2500, seed=0, progress=lambda d, t: progress.append((d, t)))
    assert progress[-1] == (2500, 2500) and len(progress) == 3
    assert result.table["Winner"].sum() == pytest.approx(1.0)


def test_condition_and_count_errors_are_matchday_errors():
    from matchday.data.errors import MatchdayError
    from matchday.simulate.conditions import ConditionError

    assert issubclass(ConditionError, MatchdayError) and issubclass(ConditionError, ValueError)
    assert issubclass(SimulationSizeError, MatchdayError)
