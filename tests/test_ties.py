"""Vectorised tie simulation, exact enumeration and brackets: invariants, reproducibility, agreement."""

from __future__ import annotations

import numpy as np
import pytest

from matchday.models.grid import ScoreGrid
from matchday.rules.knockout import (
    AWAY_GOALS_EXTRA_TIME,
    EXTRA_TIME,
    PENALTIES,
    REPLAY,
    TieRules,
    tie_rules,
)
from matchday.simulate.bracket import Round, Tie, simulate_bracket
from matchday.simulate.penalties import shootout_home_win_probability
from matchday.simulate.sampling import ScoreSampler
from matchday.simulate.tie_exact import single_match_probabilities, two_legged_probabilities
from matchday.simulate.tie_play import KnockoutParams, play_two_legged, poisson_from_uniform
from matchday.simulate.ties import (
    exact_single_match_tie,
    exact_two_legged_tie,
    simulate_single_match_tie,
    simulate_two_legged_tie,
    simulate_two_legged_ties,
)

HOME = ScoreGrid.from_rates(1.55, 1.15)  # an average home match, home side written first
NEUTRAL = ScoreGrid.from_rates(1.3, 1.3)  # two equal sides at a neutral ground


def dixon_coles_like(home: float, away: float, rho: float = -0.1) -> ScoreGrid:
    """A grid with Dixon-Coles low-score dependence (the models layer's kind of input)."""
    matrix = ScoreGrid.from_rates(home, away).probabilities[0].copy()
    matrix[0, 0] *= 1 - home * away * rho
    matrix[0, 1] *= 1 + home * rho
    matrix[1, 0] *= 1 + away * rho
    matrix[1, 1] *= 1 - rho
    return ScoreGrid.from_matrices(matrix / matrix.sum(), home, away)


def rules(tie_rules_: TieRules, **more) -> KnockoutParams:
    return KnockoutParams(rules=tie_rules_, **more)


def test_probabilities_sum_to_one_and_methods_add_up():
    result = simulate_two_legged_tie(HOME, dixon_coles_like(1.7, 1.0), n=20_000, seed=1, teams=("X", "Y"))
    assert result.p_advance.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.allclose(result.p_method.sum(axis=0), result.p_advance)
    assert result.aggregate.sum() == pytest.approx(1.0)
    summary = result.summary()
    assert list(summary.columns) == ["X", "Y"] and summary.loc["total"].sum() == pytest.approx(1.0)
    exact = two_legged_probabilities(dixon_coles_like(1.7, 1.0), leg1=HOME)
    assert exact.sum() == pytest.approx(1.0, abs=1e-9)


def test_symmetric_teams_at_neutral_legs_are_a_coin_flip():
    exact = two_legged_probabilities(NEUTRAL, leg1=NEUTRAL).sum(axis=1)[0]
    assert exact[0] == pytest.approx(0.5, abs=1e-12)
    result = simulate_two_legged_tie(NEUTRAL, NEUTRAL, n=100_000, seed=7)
    assert abs(result.p_advance[0] - 0.5) < 4 * result.se[0]
    single = simulate_single_match_tie(NEUTRAL, n=100_000, seed=7)
    assert abs(single.p_advance[0] - 0.5) < 4 * single.se[0]


def test_first_leg_deficits_matter_in_order_and_never_to_zero():
    """Equal teams (each strong at home): after a first leg lost 0-k at home the chance falls with k,
    is small after 0-3 but stays above zero."""
    margins = [1, 2, 3, 4]
    exact = [
        two_legged_probabilities(HOME, first_leg_home_goals=0, first_leg_away_goals=k).sum(axis=1)[0, 0]
        for k in margins
    ]
    assert all(a > b for a, b in zip(exact, exact[1:], strict=False))
    assert 0.003 < exact[2] < 0.05  # 0-3 at home: a long shot, not impossible
    # The same with common random numbers: each simulated path with a bigger deficit can only do worse.
    many = simulate_two_legged_ties(
        HOME[[0] * 4], HOME[[0] * 4], first_leg_home_goals=[0, 0, 0, 0], first_leg_away_goals=margins, n=40_000,
        seed=3,
    )
    simulated = many["p_advance_a"].to_numpy()
    assert np.all(np.diff(simulated) <= 0) and simulated[2] > 0
    assert np.all(np.abs(simulated - exact) < 4 * many["se"].to_numpy() + 1e-3)


@pytest.mark.parametrize(
    "era", [tie_rules(2023), tie_rules(2005), tie_rules(1960), tie_rules(1968), tie_rules(1969)], ids=str
)
def test_monte_carlo_agrees_with_exact_enumeration(era: TieRules):
    leg1, leg2 = dixon_coles_like(1.4, 1.2), dixon_coles_like(1.9, 0.9)
    for first_leg in (None, (2, 1)):
        result = simulate_two_legged_tie(leg1, leg2, first_leg_score=first_leg, params=rules(era), n=60_000,
                                         seed=11)
        kwargs = {"leg1": leg1, "params": rules(era)}
        if first_leg is not None:
            kwargs |= {"first_leg_home_goals": first_leg[0], "first_leg_away_goals": first_leg[1]}
        exact = two_legged_probabilities(leg2, **kwargs)[0]
        se = np.sqrt(exact * (1 - exact) / result.n) + 1e-4
        assert np.all(np.abs(result.p_method - exact) < 5 * se)


def test_away_goals_in_extra_time_only_help_the_visitor():
    result = simulate_two_legged_tie(NEUTRAL, NEUTRAL, params=rules(tie_rules("2010-11")), n=50_000, seed=2)
    assert result.p_method[AWAY_GOALS_EXTRA_TIME, 0] > 0.001  # A, the visitor in the second leg
    assert result.p_method[AWAY_GOALS_EXTRA_TIME, 1] == 0.0
    modern = simulate_two_legged_tie(NEUTRAL, NEUTRAL, params=rules(tie_rules("2022-23")), n=50_000, seed=2)
    assert modern.p_method[AWAY_GOALS_EXTRA_TIME].sum() == 0.0
    replay = simulate_two_legged_tie(NEUTRAL, NEUTRAL, params=rules(tie_rules(1960)), n=50_000, seed=2)
    assert replay.p_method[REPLAY].sum() > 0.05 and replay.p_method[PENALTIES].sum() == 0.0


def test_extra_time_rate_follows_et_factor():
    decided_in_et = [
        two_legged_probabilities(NEUTRAL, leg1=NEUTRAL, params=KnockoutParams(et_factor=f))[0, EXTRA_TIME].sum()
        for f in (0.0, 0.5, 1.0, 1.5)
    ]
    assert decided_in_et[0] == 0.0 and np.all(np.diff(decided_in_et) > 0)


def test_seeded_runs_are_reproducible():
    first = simulate_two_legged_tie(HOME, HOME, n=10_000, seed=42, keep_draws=True)
    again = simulate_two_legged_tie(HOME, HOME, n=10_000, seed=42, keep_draws=True)
    other = simulate_two_legged_tie(HOME, HOME, n=10_000, seed=43, keep_draws=True)
    assert np.array_equal(first.draws.winner, again.draws.winner)
    assert np.array_equal(first.draws.leg2_home_goals, again.draws.leg2_home_goals)
    assert not np.array_equal(first.draws.leg1_home_goals, other.draws.leg1_home_goals)


def test_many_ties_at_once_equal_single_tie_runs_with_the_same_seed():
    legs1 = ScoreGrid.concat([HOME, dixon_coles_like(2.0, 0.8), ScoreGrid.from_rates(1.2, 1.4)])
    legs2 = ScoreGrid.concat([dixon_coles_like(1.6, 1.1), HOME, ScoreGrid.from_rates(1.8, 1.0)])
    firsts = [(np.nan, np.nan), (0, 3), (2, 2)]
    many = simulate_two_legged_ties(
        legs1,
        legs2,
        first_leg_home_goals=[f[0] for f in firsts],
        first_leg_away_goals=[f[1] for f in firsts],
        params=rules(tie_rules("2019-20")),
        n=20_000,
        seed=99,
    )
    for t in range(3):
        first = None if np.isnan(firsts[t][0]) else firsts[t]
        alone = simulate_two_legged_tie(
            legs1[t], legs2[t], first_leg_score=first, params=rules(tie_rules("2019-20")), n=20_000, seed=99
        )
        assert many.loc[t, "p_advance_a"] == alone.p_advance[0]
        assert many.loc[t, "p_penalties"] == alone.p_method[PENALTIES].sum()


def test_vectorised_rows_with_an_index_match_one_tie_rows():
    """The bracket path (many matrices, a row index) gives each row what a one-tie call gives it."""
    tables1, tables2 = ScoreGrid.concat([HOME, NEUTRAL]), ScoreGrid.concat([NEUTRAL, HOME])
    uniforms = np.random.default_rng(5).random((9, 3000))
    index = np.random.default_rng(6).integers(0, 2, 3000)
    together = play_two_legged(tables1, tables2, uniforms, index=index)
    for t in (0, 1):
        rows = index == t
        alone = play_two_legged(tables1.take([t]), tables2.take([t]), uniforms[:, rows])
        assert np.array_equal(alone.winner, together.winner[rows])
        assert np.array_equal(alone.leg2_away_goals, together.leg2_away_goals[rows])


def test_score_sampling_and_poisson_inverse_are_right():
    from scipy.special import pdtr  # Poisson CDF, computed independently of the code under test

    u = np.random.default_rng(0).random(50_000)
    rates = np.random.default_rng(1).uniform(0.0, 3.0, 50_000)
    reference = sum((pdtr(k, rates) <= u).astype(int) for k in range(40))  # smallest k with F(k) > u
    assert np.array_equal(poisson_from_uniform(u, rates), reference)
    grid = dixon_coles_like(1.5, 1.1)
    matrix = grid.probabilities[0]
    home, away = ScoreSampler(grid).sample_rows(ScoreSampler.bits_from_uniforms(u), np.zeros(u.size, np.int64))
    frequencies = np.bincount(home.astype(int) * 11 + away, minlength=121).reshape(11, 11) / u.size
    assert np.all(np.abs(frequencies - matrix) < 5 * np.sqrt(matrix * (1 - matrix) / u.size) + 1e-4)


def test_penalties_first_kicker_and_tilt():
    matrix = np.zeros((3, 3))
    matrix[0, 0] = 1.0  # every match ends 0-0: always a shoot-out
    shootout_only = ScoreGrid.from_matrices(matrix)
    home_first = single_match_probabilities(
        shootout_only, KnockoutParams(et_factor=0.0, first_kicker=0, p_first_kicker_wins=0.6)
    ).sum(axis=1)[0, 0]
    assert home_first == pytest.approx(0.6)
    toss = single_match_probabilities(shootout_only, KnockoutParams(et_factor=0.0, p_first_kicker_wins=0.6))
    assert toss.sum(axis=1)[0, 0] == pytest.approx(0.5)
    simulated = simulate_single_match_tie(
        shootout_only, params=KnockoutParams(et_factor=0.0, first_kicker="home", p_first_kicker_wins=0.6),
        n=40_000, seed=4,
    )
    exact = exact_single_match_tie(shootout_only, params=KnockoutParams(et_factor=0.0, first_kicker="home",
                                                                         p_first_kicker_wins=0.6))
    assert exact.p_advance[0] == pytest.approx(0.6)
    assert abs(simulated.p_advance[0] - 0.6) < 4 * simulated.se[0]
    tilted = shootout_home_win_probability(-1, skill_tilt=np.log(2.0))
    assert 0.6 < float(tilted) < 0.7
    # In a two-legged tie, first_kicker and the tilt speak of A (the first-leg host).
    a_first = simulate_two_legged_tie(shootout_only, shootout_only, n=40_000, seed=4,
                                      params=KnockoutParams(et_factor=0.0, first_kicker=0, p_first_kicker_wins=0.6))
    assert abs(a_first.p_advance[0] - 0.6) < 4 * a_first.se[0]


def test_bad_inputs_are_explained():
    with pytest.raises(ValueError, match="non-negative"):
        ScoreGrid.from_matrices(-HOME.probabilities)
    with pytest.raises(TypeError, match="ScoreGrid"):
        simulate_two_legged_tie(HOME.probabilities, HOME, n=10)
    with pytest.raises(ValueError, match="one fixture"):
        exact_two_legged_tie(ScoreGrid.concat([HOME, HOME]), HOME)
    with pytest.raises(ValueError, match="first_kicker"):
        simulate_two_legged_tie(HOME, HOME, params=KnockoutParams(first_kicker="Z"), teams=("X", "Y"), n=10)
    with pytest.raises(ValueError, match="first_leg_score"):
        simulate_two_legged_tie(HOME, HOME, first_leg_score=(1, -2), n=10)
    with pytest.raises(ValueError, match="et_factor"):
        KnockoutParams(et_factor=-1.0)
    with pytest.raises(ValueError, match="p_first_kicker_wins"):
        KnockoutParams(p_first_kicker_wins=1.0)


# ---------------------------------------------------------------------------------------------------
# Brackets
# ---------------------------------------------------------------------------------------------------

EL_QUARTER_FINALS = [
    Tie("AC Milan", "AS Roma", (0, 1)),
    Tie("Liverpool", "Atalanta", (0, 3)),
    Tie("Leverkusen", "West Ham", (2, 0)),
    Tie("Benfica", "Marseille", (2, 1)),
]
EL_LATER = [
    Round("Semi-finals", pairings=[(3, 1), (0, 2)]),  # 2023-24: Benfica/Marseille v Liverpool/Atalanta
    Round("Final", pairings=[(0, 1)], two_legged=False, neutral=True),
]
STRENGTH = {"AC Milan": 0.1, "AS Roma": 0.0, "Liverpool": 0.35, "Atalanta": 0.05, "Leverkusen": 0.3,
            "West Ham": -0.1, "Benfica": 0.0, "Marseille": -0.05}  # fmt: skip


def toy_model(calls: list | None = None):
    """A vectorised predict(home_ids, away_ids, neutral_flags) -> ScoreGrid from fixed strengths."""
    def predict(home: np.ndarray, away: np.ndarray, neutral: np.ndarray) -> ScoreGrid:
        if calls is not None:
            calls.extend(zip(home, away, neutral, strict=True))
        advantage = np.where(neutral, 0.0, 0.15)
        gap = np.array([STRENGTH[h] - STRENGTH[a] for h, a in zip(home, away, strict=True)])
        return ScoreGrid.from_rates(1.35 * np.exp(advantage + gap / 2), 1.35 * np.exp(-advantage - gap / 2))

    return predict


def test_bracket_probabilities_add_up_to_the_places():
    calls: list = []
    result = simulate_bracket(EL_QUARTER_FINALS, EL_LATER, toy_model(calls), first_round=Round("QF"),
                              n=20_000, seed=8)  # fmt: skip
    table = result.table
    assert list(table.columns) == ["QF", "Semi-finals", "Final", "Winner"]
    assert table["QF"].sum() == 8 and table["Semi-finals"].sum() == pytest.approx(4)
    assert table["Final"].sum() == pytest.approx(2) and table["Winner"].sum() == pytest.approx(1)
    assert np.all(table.diff(axis=1).iloc[:, 1:] <= 0)  # reaching a later round is never likelier
    # The fixed pairings: Atalanta or Liverpool meet Benfica or Marseille, never Roma.
    assert table.loc["Atalanta", "Semi-finals"] > 0.9 and table.loc["Liverpool", "Semi-finals"] < 0.1
    assert table.loc["Liverpool", "Semi-finals"] > 0.0
    # One model call per distinct (home, away, venue): legs of 4 QFs, 2x4 SF pairings, 4x4 finals.
    assert len(calls) == len(set(calls)) <= 8 + 16 + 16
    assert np.all(result.se().to_numpy() < 0.004)


def test_bracket_with_known_winners_open_draw_and_reproducibility():
    ties = [Tie("A", "B", winner="B"), Tie("C", "D"), Tie("E", "F"), Tie("G", "H")]
    rounds = [Round("SF", open_draw=True), Round("Final", two_legged=False, neutral=True)]

    def equal(home: np.ndarray, away: np.ndarray, neutral: np.ndarray) -> ScoreGrid:
        return ScoreGrid.concat([NEUTRAL if flag else HOME for flag in neutral])

    result = simulate_bracket(ties, rounds, equal, n=20_000, seed=1)
    table = result.table
    assert table.loc["B", "SF"] == 1.0 and table.loc["A", "SF"] == 0.0
    assert table["SF"].sum() == pytest.approx(4) and table["Winner"].sum() == pytest.approx(1)
    # Equal sides: each semi-finalist slot is a fair tie, so the winner probabilities are equal for B.
    assert abs(table.loc["B", "Winner"] - 0.25) < 0.02
    again = simulate_bracket(ties, rounds, equal, n=20_000, seed=1)
    assert again.table.equals(table)


def test_bracket_errors():
    with pytest.raises(ValueError, match="exactly once"):
        simulate_bracket(EL_QUARTER_FINALS, [Round("SF", pairings=[(0, 1), (1, 2)])], toy_model(), n=10)
    with pytest.raises(ValueError, match="final"):
        simulate_bracket(EL_QUARTER_FINALS, [Round("SF")], toy_model(), n=10)
    with pytest.raises(ValueError, match="neither"):
        Tie("A", "B", winner="C")


def test_extra_time_estimator_on_a_hand_made_frame():
    import pandas as pd

    from matchday.data.errors import DataError
    from matchday.simulate.extra_time import estimate_extra_time_factor

    # Every match has 3 goals in 90 minutes, so 30 minutes at that rate expect 1 goal. The two
    # matches that went to extra time scored 1 and 0 goals in it: factor 1/2, Poisson SE sqrt(1)/2.
    frame = pd.DataFrame(
        {
            "competition": "UCL",
            "season": "2020-21",
            "home_goals": [2, 1, 3, 0],
            "away_goals": [1, 2, 0, 3],
            "aet_home_goals": [np.nan, 2, np.nan, 0],
            "aet_away_goals": [np.nan, 2, np.nan, 3],
            "source": "hand",
        }
    )
    estimate = estimate_extra_time_factor(frame)
    assert estimate.n_matches == 2 and estimate.extra_time_goals == 1
    assert estimate.factor == pytest.approx(0.5) and estimate.se_poisson == pytest.approx(0.5)
    assert estimate.se == pytest.approx(np.sqrt(0.5**2 + 0.5**2) / 2)
    frame.loc[1, "aet_home_goals"] = 0  # fewer goals after 120 minutes than after 90
    with pytest.raises(DataError, match="extra time"):
        estimate_extra_time_factor(frame)
