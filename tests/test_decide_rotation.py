"""Rotation plans on common simulated futures: the issue's checks on the real April 2024 situation.

Liverpool as of 2024-04-15: 0-3 down to Atalanta before the second leg in Bergamo, two points behind
Manchester City with six league matches left. Small simulation counts keep each test to a second or two.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from matchday.data.store import Store
from matchday.decide import FatigueModel, LineupStrength, analyse_calendar
from matchday.decide.season_plan import PlanSimulator, club_grid, club_scores, club_win_probability
from matchday.decide.squad import LEVELS, example_squad_path
from matchday.decide.strategies import named_plans
from matchday.workflows import analyse_rotation, calendar_from_store, compare_dates

AS_OF = dt.date(2024, 4, 15)
N = 3000


@pytest.fixture(scope="module")
def april(synced_db):
    from matchday.models.training import fit_model

    with Store(synced_db, read_only=True) as store:
        calendar = calendar_from_store(store, "liverpool", AS_OF)
        model = fit_model("dixon-coles", store, AS_OF)
    return calendar, model


def test_zero_gap_and_no_fatigue_give_exactly_equal_outcomes(april):
    calendar, model = april
    analysis = analyse_calendar(calendar, model, gap=0.0, fatigue=FatigueModel.none(), n_sims=N, seed=1)
    assert [o.plan.name for o in analysis.outcomes] == ["full strength", "all in league", "all in Europe", "balanced"]
    first = analysis.outcomes[0]
    for other in analysis.outcomes[1:]:
        for name in ("position", "points", "stages", "trophy"):
            np.testing.assert_array_equal(getattr(first, name), getattr(other, name))
    table = analysis.table
    assert table["objective"].nunique() == 1 and (table["se_vs_best"] == 0).all()


def test_rotation_changes_results_when_there_is_a_gap(april):
    calendar, model = april
    analysis = analyse_calendar(calendar, model, n_sims=N, seed=1)
    table = analysis.table.set_index("plan")
    # resting the first XI in Bergamo costs Europa League chances
    assert table.loc["all in league", "p_trophy"] < table.loc["full strength", "p_trophy"]
    assert table.loc["all in league", "p_final"] < table.loc["full strength", "p_final"]


def test_a_stronger_lineup_never_lowers_the_win_probability(april):
    calendar, model = april
    sim = PlanSimulator(calendar, model, n_sims=10, seed=0)
    lineup = LineupStrength.two_tier()
    by_level = []
    for level in ("second", "partial", "full"):
        att, dfn = lineup.delta(level)
        grid = club_grid(model, sim.league_rate_for, sim.league_rate_against, sim.league_club_home, att, dfn)
        by_level.append(club_win_probability(grid, sim.league_club_home))
    assert np.all(np.diff(np.stack(by_level), axis=0) > 0)
    # any improvement of attack or defence, at home or away, raises P(win); checked on a grid
    steps = np.linspace(-0.6, 0.3, 10)
    for j in range(len(sim.league_rate_for)):
        att, dfn = np.meshgrid(steps, steps, indexing="ij")
        grid = club_grid(model, np.full(att.size, sim.league_rate_for[j]), np.full(att.size, sim.league_rate_against[j]),
                         np.full(att.size, sim.league_club_home[j]), att.ravel(), dfn.ravel())
        p = club_win_probability(grid, np.full(att.size, sim.league_club_home[j])).reshape(att.shape)
        assert np.all(np.diff(p, axis=0) > 0) and np.all(np.diff(p, axis=1) > 0)


def test_the_coupling_is_monotone_on_the_same_random_numbers(april):
    _, model = april
    bits = (np.arange(20_000, dtype=np.uint64) * (2**32 // 20_000)).astype(np.uint32)[:, None]
    for home in (False, True):
        weak = club_grid(model, [1.2], [1.35], [home], -0.3, -0.3)
        strong = club_grid(model, [1.2], [1.35], [home], 0.0, 0.0)
        goals_w, against_w = club_scores(weak, [home], bits)
        goals_s, against_s = club_scores(strong, [home], bits)
        assert np.all(goals_s.astype(int) - against_s >= goals_w.astype(int) - against_w)


def test_league_only_weights_with_fatigue_rest_the_first_xi_in_europe(april):
    calendar, model = april
    fatigue = FatigueModel(attack=-0.1, defence=-0.1)
    analysis = analyse_calendar(calendar, model, weights="title=1,top4=0.3", fatigue=fatigue, n_sims=N, seed=2)
    best = analysis.outcome(analysis.best)
    cup_levels = [level for level, m in zip(best.levels, calendar.matches, strict=True) if m.is_cup]
    assert cup_levels and all(level != "full" for level in cup_levels)
    # on every simulated future, resting in Europe leaves the league at least as good as playing the first XI
    full, rested = analysis.outcome("full strength"), analysis.outcome("all in league")
    assert np.all(rested.points >= full.points)
    assert np.mean(rested.position <= full.position) > 0.999
    comparison = analysis.compare("all in league", "full strength")
    assert comparison.difference > 0 and comparison.z > 2


def test_common_random_numbers_beat_independent_runs(april):
    calendar, model = april
    one = analyse_calendar(calendar, model, n_sims=N, seed=3)
    other = analyse_calendar(calendar, model, n_sims=N, seed=4)
    paired = one.compare("full strength", "all in league")
    a = one.outcome("full strength").objective(one.weights)
    b = other.outcome("all in league").objective(other.weights)
    independent_se = np.sqrt(a.var(ddof=1) / N + b.var(ddof=1) / N)
    assert paired.se_paired < 0.5 * independent_se
    assert paired.se_paired < 0.5 * paired.se_independent
    table = one.table
    assert (table["se_vs_best"] <= table["se_vs_best_independent"]).all()


def test_reproducible_with_a_seed(april):
    calendar, model = april
    first = analyse_calendar(calendar, model, n_sims=1000, seed=7).table
    again = analyse_calendar(calendar, model, n_sims=1000, seed=7).table
    pd.testing.assert_frame_equal(first, again)
    other = analyse_calendar(calendar, model, n_sims=1000, seed=8).table
    assert not np.allclose(first["objective"], other["objective"])


def test_baseline_agrees_with_the_season_and_bracket_simulators(april, synced_db):
    from matchday.rules.knockout import tie_rules
    from matchday.simulate.bracket import simulate_bracket
    from matchday.simulate.knockout_state import bracket_from_store
    from matchday.simulate.season import simulate_season
    from matchday.simulate.tie_play import KnockoutParams

    calendar, model = april
    n = 6000
    analysis = analyse_calendar(calendar, model, plans=["full strength"], gap=0.0, fatigue=FatigueModel.none(),
                                n_sims=n, seed=5)
    base = analysis.outcomes[0]
    season = simulate_season(calendar.league_matches, model, "E0", "2023-24", as_of=AS_OF,
                             n_sims=n, seed=6)
    p_title = float(season.top_probabilities()["liverpool"])
    se = np.sqrt(2 * p_title * (1 - p_title) / n)
    assert abs(base.indicator("title").mean() - p_title) < 4 * se
    with Store(synced_db, read_only=True) as store:
        first_round, ties, later = bracket_from_store(store.matches(["UEL"], ["2023-24"]), AS_OF)

    def predict(home, away, neutral):
        return model.predict_many(home, away, neutral, competition="UEL")

    bracket = simulate_bracket(ties, later, predict, first_round=first_round,
                               params=KnockoutParams(rules=tie_rules("2023-24", "UEL")), n=n, seed=6)
    p_cup = float(bracket.table.loc["liverpool", "Winner"])
    p_final = float(bracket.table.loc["liverpool", "Final"])
    assert abs(base.trophy.mean() - p_cup) < 4 * np.sqrt(2 * p_cup * (1 - p_cup) / n) + 1e-3
    assert abs(base.indicator("final").mean() - p_final) < 4 * np.sqrt(2 * p_final * (1 - p_final) / n)


def test_invariants_of_every_plan(april):
    calendar, model = april
    analysis = analyse_calendar(calendar, model, n_sims=N, seed=9)
    for o in analysis.outcomes:
        assert np.all(o.indicator("title") <= o.indicator("top4"))
        assert np.all(o.trophy <= o.indicator("final")) and np.all(o.indicator("final") <= o.indicator("semi"))
        assert o.stages.min() >= 1 and o.stages.max() <= 3
        assert o.points.min() >= 71 and o.points.max() <= 71 + 3 * 6
        assert set(o.levels) <= set(LEVELS)


def test_stance_flip_and_sensitivity(april):
    calendar, model = april
    analysis = analyse_calendar(calendar, model, n_sims=N, seed=10)
    flip = analysis.stance_flip()
    assert flip.threshold is not None and flip.se > 0 and flip.trophy_gain > 0
    weights = analysis.weight_sensitivity(values=[max(flip.threshold - 0.05, 0.0), flip.threshold + 0.05])
    below, above = weights.iloc[0], weights.iloc[1]
    assert below[flip.league] >= below[flip.europe] and above[flip.europe] >= above[flip.league]
    gaps = analysis.gap_sensitivity((0.0, 0.3))
    assert list(gaps["gap"]) == [0.0, 0.3] and (gaps.iloc[0]["full strength"] >= gaps.iloc[1]["full strength"])
    points = analysis.points_sensitivity((-3, 0, 3))
    assert list(points["gap_to_leader"]) == [-5, -2, 1]
    assert points["p_title_first_plan"].is_monotonic_increasing
    assert "Stance flip" in analysis.summary()


def test_reports_json_chart_and_store_entry_point(april, synced_db, tmp_path):
    calendar, model = april
    with Store(synced_db, read_only=True) as store:
        analysis = analyse_rotation(store, "Liverpool", AS_OF, weights="title=1,trophy=0.5,top4=0.3",
                                    squad=example_squad_path(), fitted=model, n_sims=1000, seed=0,
                                    plans=["all in league", "full strength", "rest Bergamo: UEL Quarter-final=second"])
    assert [o.plan.name for o in analysis.outcomes] == ["all in league", "full strength", "rest Bergamo"]
    assert "squad file" in analysis.lineup.source
    text = analysis.summary()
    assert "Liverpool are 3rd on 71 points, 2 points behind the leader" in text and "Best plan" in text
    data = json.loads(json.dumps(analysis.to_dict()))
    assert data["best"] == analysis.best and len(data["plans"]) == 3 and data["calendar"][0]["opponent"] == "atalanta"
    assert data["levels"]["rest Bergamo"]["UEL Semi-final leg 1"] == "full"
    path = analysis.plot(tmp_path / "rotation.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_named_plans_of_the_real_calendar(april):
    calendar, _ = april
    plans = {p.name: p.levels(calendar) for p in named_plans(calendar)}
    keys = calendar.keys
    assert plans["all in league"][keys.index("UEL Quarter-final leg 2")] == "second"
    assert plans["all in league"][keys.index("E0 2024-04-21 at fulham")] == "full"
    assert plans["all in Europe"][keys.index("E0 2024-05-19 v wolverhampton-wanderers")] == "second"  # before the final


def test_club_without_a_european_match(april, synced_db, tmp_path):
    _, model = april  # fitted on matches up to 2024-04-15, before the as-of date below: no look-ahead
    with Store(synced_db, read_only=True) as store:
        calendar = calendar_from_store(store, "arsenal", dt.date(2024, 4, 20))
    analysis = analyse_calendar(calendar, model, n_sims=1000, seed=0, plans=["full strength", {"league": "partial"}])
    assert not analysis.has_stance_flip and "p_trophy" not in analysis.table
    table = analysis.table.set_index("plan")
    assert table.loc["full strength", "p_title"] > table.loc["custom 2", "p_title"]
    assert analysis.best == "full strength" and "Stance flip" not in analysis.summary()
    assert analysis.plot(tmp_path / "league.png").exists()


def test_compare_dates_before_and_after_the_first_leg(synced_db):
    with Store(synced_db, read_only=True) as store:
        frame = compare_dates(store, "liverpool", [dt.date(2024, 4, 10), dt.date(2024, 4, 12)], n_sims=800, seed=0,
                              plans=["full strength", "all in league"])
    assert len(frame) == 4 and frame.groupby("as_of")["best"].sum().eq(1).all()
    trophy = frame.set_index(["as_of", "plan"])["p_trophy"]
    # losing the first leg 0-3 at home takes most of the Europa League chances away
    assert trophy[(dt.date(2024, 4, 12), "full strength")] < 0.5 * trophy[(dt.date(2024, 4, 10), "full strength")]
    assert frame["flip_threshold"].notna().all()
