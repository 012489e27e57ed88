"""ScoreGrid: construction and validation, selection, and markets that agree with direct enumeration."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from matchday.forecast import markets
from matchday.models.grid import ScoreGrid

HOME = np.array([0.4, 1.5, 2.7])
AWAY = np.array([1.9, 1.0, 0.3])


def test_from_rates_is_independent_poisson_censored_at_g():
    grid = ScoreGrid.from_rates(HOME, AWAY, max_goals=8)
    assert len(grid) == 3 and grid.max_goals == 8
    np.testing.assert_allclose(grid.probabilities.sum(axis=(1, 2)), 1.0, atol=1e-14)
    k = np.arange(8)
    for f in range(3):  # exact below G: the product of two scipy Poisson pmfs
        expected = np.outer(stats.poisson.pmf(k, HOME[f]), stats.poisson.pmf(k, AWAY[f]))
        np.testing.assert_allclose(grid.probabilities[f, :8, :8], expected, rtol=1e-12)
    np.testing.assert_array_equal(grid.home_expected_goals, HOME)  # exact means, not the censored ones
    with pytest.raises(ValueError, match="non-negative"):
        ScoreGrid.from_rates([-1.0], [1.0])


def test_markets_agree_with_enumerating_the_cells():
    grid = ScoreGrid.from_rates(HOME, AWAY)
    p = grid.probabilities
    h, a = grid.score_masks()
    outcomes = grid.outcomes()
    for f in range(3):
        assert outcomes[f, 0] == pytest.approx(p[f][h > a].sum(), abs=1e-15)
        assert outcomes[f, 1] == pytest.approx(p[f][h == a].sum(), abs=1e-15)
        assert grid.both_teams_to_score()[f] == pytest.approx(p[f][(h > 0) & (a > 0)].sum(), abs=1e-15)
        assert grid.totals([2.5]).over[f, 0] == pytest.approx(p[f][h + a > 2.5].sum(), abs=1e-15)
    np.testing.assert_allclose(outcomes.sum(axis=1), 1.0, atol=1e-14)
    np.testing.assert_array_equal(grid.home_win, outcomes[:, 0])
    points = grid.expected_points()
    np.testing.assert_allclose(points[:, 0], 3 * outcomes[:, 0] + outcomes[:, 1])
    np.testing.assert_allclose(points[:, 1], 3 * outcomes[:, 2] + outcomes[:, 1])
    # the methods are the forecast layer's functions, not copies
    np.testing.assert_array_equal(outcomes, markets.outcome_probabilities(p))
    table = grid[1].markets_table()
    assert table.loc[table["market"] == "1X2", "probability"].sum() == pytest.approx(1.0)
    scores = grid.correct_scores(top=3)
    assert list(scores["match"]) == [0, 0, 0, 1, 1, 1, 2, 2, 2]


def test_selection_transpose_concat_average_and_condition():
    grid = ScoreGrid.from_rates(HOME, AWAY)
    assert len(grid[0]) == 1 and len(grid[[0, 2, 2]]) == 3
    np.testing.assert_array_equal(grid.take([2]).probabilities[0], grid.probabilities[2])
    swapped = grid.transposed()
    np.testing.assert_allclose(swapped.outcomes()[:, ::-1], grid.outcomes(), atol=1e-15)
    np.testing.assert_array_equal(swapped.home_expected_goals, AWAY)
    small = ScoreGrid.from_rates([1.0], [1.0], max_goals=4)
    both = ScoreGrid.concat([small, grid])
    assert both.max_goals == 10 and len(both) == 4
    np.testing.assert_array_equal(both.probabilities[0, :5, :5], small.probabilities[0])
    assert both.probabilities[0, 5:, :].sum() == 0
    mean = grid.averaged_with(swapped)
    np.testing.assert_allclose(mean.outcomes()[:, 0], mean.outcomes()[:, 2], atol=1e-15)  # a neutral mixture
    h, a = grid.score_masks()
    won = grid.conditioned(1, h > a)
    assert won.outcomes()[1, 0] == pytest.approx(1.0)
    np.testing.assert_array_equal(won.probabilities[0], grid.probabilities[0])
    with pytest.raises(ValueError, match="no possible score"):
        grid.conditioned(0, np.zeros((11, 11), bool))


def test_bad_grids_are_refused_with_a_reason():
    with pytest.raises(ValueError, match="shape"):
        ScoreGrid.from_matrices(np.ones((3, 4, 5)))
    with pytest.raises(ValueError, match="non-negative"):
        ScoreGrid.from_matrices(-np.ones((2, 3, 3)))
    with pytest.raises(ValueError, match="one value per fixture"):
        ScoreGrid(np.ones((2, 3, 3)) / 9, np.ones(3), np.ones(2))
    one = ScoreGrid.from_matrices(np.full((3, 3), 2.0))
    np.testing.assert_allclose(one.normalized().probabilities.sum(), 1.0)
    assert one.home_expected_goals[0] == pytest.approx(18.0)  # the unnormalised matrix's mean: 6 * (0 + 1 + 2)
