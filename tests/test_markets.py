"""Markets from score matrices: invariants, and agreement with Poisson maths done by hand with scipy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from matchday.forecast.markets import (
    asian_handicap,
    asian_total,
    both_teams_to_score,
    correct_scores,
    expected_goals,
    fair_odds,
    goal_difference_distribution,
    markets_table,
    normalize,
    outcome_probabilities,
    total_goals_distribution,
    totals,
)

MAX_GOALS = 25  # Poisson tails beyond 25 goals are far below 1e-12 for these rates


def poisson_matrix(home_rate: float, away_rate: float, max_goals: int = MAX_GOALS) -> np.ndarray:
    goals = np.arange(max_goals + 1)
    return np.outer(stats.poisson.pmf(goals, home_rate), stats.poisson.pmf(goals, away_rate))


def random_matrices(n: int, size: int = 11, seed: int = 7) -> np.ndarray:
    """Arbitrary (correlated, non-Poisson) score matrices that sum to 1."""
    rng = np.random.default_rng(seed)
    return rng.dirichlet(np.full(size * size, 0.3), size=n).reshape(n, size, size)


RATES = [(1.6, 1.1), (0.4, 2.7), (2.9, 0.3), (1.2, 1.2)]


@pytest.mark.parametrize(("home_rate", "away_rate"), RATES)
def test_poisson_markets_match_hand_calculation(home_rate: float, away_rate: float) -> None:
    m = poisson_matrix(home_rate, away_rate)
    skellam = stats.skellam(home_rate, away_rate)  # home - away of independent Poissons
    total = stats.poisson(home_rate + away_rate)

    home, draw, away = outcome_probabilities(m)
    assert home == pytest.approx(skellam.sf(0), abs=1e-12)
    assert draw == pytest.approx(skellam.pmf(0), abs=1e-12)
    assert away == pytest.approx(skellam.cdf(-1), abs=1e-12)

    lines = np.array([0.5, 1.5, 2.5, 3.5, 4.5])
    over_under = totals(m, lines)
    np.testing.assert_allclose(over_under.under, total.cdf(np.floor(lines)), atol=1e-12)
    np.testing.assert_allclose(over_under.over, total.sf(np.floor(lines)), atol=1e-12)
    np.testing.assert_array_equal(over_under.push, 0.0)

    closed_form = (1 - np.exp(-home_rate)) * (1 - np.exp(-away_rate))
    assert both_teams_to_score(m) == pytest.approx(closed_form, abs=1e-12)
    np.testing.assert_allclose(expected_goals(m), [home_rate, away_rate], atol=1e-10)

    differences, gd = goal_difference_distribution(m)
    np.testing.assert_allclose(gd, skellam.pmf(differences), atol=1e-12)
    counts, tg = total_goals_distribution(m)
    np.testing.assert_allclose(tg, total.pmf(counts), atol=1e-12)

    # whole line -1 on the home side: win by 2+, push on a one-goal win, lose otherwise
    minus_one = asian_handicap(m, -1.0)
    assert minus_one.win == pytest.approx(skellam.sf(1), abs=1e-12)
    assert minus_one.push == pytest.approx(skellam.pmf(1), abs=1e-12)
    assert minus_one.loss == pytest.approx(skellam.cdf(0), abs=1e-12)


def test_one_x_two_sums_to_one_and_matches_triangles() -> None:
    stack = random_matrices(50)
    probs = outcome_probabilities(stack)
    assert probs.shape == (50, 3)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(probs[:, 0], np.tril(stack, -1).sum(axis=(1, 2)), atol=1e-12)
    np.testing.assert_allclose(probs[:, 1], np.trace(stack, axis1=1, axis2=2), atol=1e-12)


def test_stack_equals_one_by_one() -> None:
    stack = random_matrices(6)
    lines = np.array([-1.25, -0.5, 0.0, 0.75, 1.0, 2.25])  # one handicap per match
    stacked = asian_handicap(stack, lines)
    for k, m in enumerate(stack):
        np.testing.assert_allclose(outcome_probabilities(stack)[k], outcome_probabilities(m))
        np.testing.assert_allclose(totals(stack).over[k], totals(m).over)
        assert both_teams_to_score(stack)[k] == pytest.approx(both_teams_to_score(m))
        np.testing.assert_allclose(expected_goals(stack)[k], expected_goals(m))
        single = asian_handicap(m, lines[k])
        for field in ("win", "half_win", "push", "half_loss", "loss"):
            assert getattr(stacked, field)[k] == pytest.approx(getattr(single, field))


def test_totals_over_plus_under_is_one_and_monotone() -> None:
    stack = random_matrices(20)
    lines = np.arange(0.5, 9.0, 1.0)
    over_under = totals(stack, lines)
    np.testing.assert_allclose(over_under.over + over_under.under, 1.0, atol=1e-12)
    assert np.all(np.diff(over_under.over, axis=1) <= 1e-15)
    assert np.all(np.diff(over_under.under, axis=1) >= -1e-15)
    # whole lines push on the exact total
    whole = totals(stack, [0.0, 2.0, 3.0])
    np.testing.assert_allclose(whole.over + whole.under + whole.push, 1.0, atol=1e-12)
    _, tg = total_goals_distribution(stack)
    np.testing.assert_allclose(whole.push[:, 1], tg[:, 2], atol=1e-12)
    np.testing.assert_allclose(whole.push[:, 0], stack[:, 0, 0], atol=1e-12)


def test_totals_reject_quarter_lines() -> None:
    with pytest.raises(ValueError, match="multiples of 0.5"):
        totals(random_matrices(1)[0], [2.25])


@pytest.mark.parametrize("line", [-2.75, -1.5, -1.25, -1.0, -0.75, -0.25, 0.0, 0.25, 0.5, 1.0, 1.75])
@pytest.mark.parametrize("selection", ["home", "away"])
def test_asian_handicap_probabilities_sum_to_one(line: float, selection: str) -> None:
    settlement = asian_handicap(random_matrices(10), line, selection)
    total = settlement.win + settlement.half_win + settlement.push + settlement.half_loss + settlement.loss
    np.testing.assert_allclose(total, 1.0, atol=1e-12)
    quarter = (line * 4) % 2 == 1
    whole = line == int(line)
    if not quarter:  # half results only exist on quarter lines
        np.testing.assert_array_equal(settlement.half_win + settlement.half_loss, 0.0)
    if not whole:  # pushes only exist on whole lines
        np.testing.assert_array_equal(settlement.push, 0.0)


def test_half_line_handicaps_are_match_results() -> None:
    stack = random_matrices(10)
    home, draw, away = outcome_probabilities(stack).T
    minus_half = asian_handicap(stack, -0.5)
    np.testing.assert_allclose(minus_half.win, home, atol=1e-12)
    np.testing.assert_allclose(minus_half.loss, draw + away, atol=1e-12)
    np.testing.assert_allclose(asian_handicap(stack, 0.5, "away").win, away, atol=1e-12)
    np.testing.assert_allclose(asian_handicap(stack, 0.5).win, home + draw, atol=1e-12)


def test_zero_line_is_draw_no_bet() -> None:
    stack = random_matrices(10)
    home, draw, away = outcome_probabilities(stack).T
    dnb = asian_handicap(stack, 0.0)
    np.testing.assert_allclose([dnb.win, dnb.push, dnb.loss], [home, draw, away], atol=1e-12)
    np.testing.assert_allclose(dnb.fair_price(), (home + away) / home, rtol=1e-12)
    np.testing.assert_allclose(dnb.effective_probability, home / (home + away), rtol=1e-12)


@pytest.mark.parametrize("line", [-2.25, -1.75, -0.75, -0.25, 0.25, 0.75, 1.25])
@pytest.mark.parametrize("selection", ["home", "away"])
def test_quarter_line_is_average_of_neighbours(line: float, selection: str) -> None:
    stack = random_matrices(8)
    quarter = asian_handicap(stack, line, selection)
    lower = asian_handicap(stack, line - 0.25, selection)
    upper = asian_handicap(stack, line + 0.25, selection)
    for price in (1.3, 1.95, 2.6, 5.0):
        np.testing.assert_allclose(
            quarter.expected_value(price),
            0.5 * (lower.expected_value(price) + upper.expected_value(price)),
            atol=1e-12,
        )


def test_fair_price_has_zero_expected_value() -> None:
    stack = random_matrices(10)
    for line in (-1.75, -1.0, -0.5, 0.25):
        settlement = asian_handicap(stack, line)
        np.testing.assert_allclose(settlement.expected_value(settlement.fair_price()), 0.0, atol=1e-12)
        assert np.all(settlement.expected_value(settlement.fair_price() + 0.1) > 0)
        np.testing.assert_allclose(
            1.0 / settlement.fair_price(), settlement.effective_probability, rtol=1e-12
        )


def test_away_side_mirrors_home_side() -> None:
    stack = random_matrices(10)
    for line in (-1.25, -0.5, 0.0, 0.75):
        home = asian_handicap(stack, line, "home")
        away = asian_handicap(stack, line, "away")
        np.testing.assert_allclose(away.win, home.loss, atol=1e-15)
        np.testing.assert_allclose(away.half_win, home.half_loss, atol=1e-15)
        np.testing.assert_allclose(away.push, home.push, atol=1e-15)
        # swapping the teams (transposing the matrix) and the sign of the line gives the same bet
        swapped = asian_handicap(np.swapaxes(stack, 1, 2), -line, "home")
        np.testing.assert_allclose(swapped.win, away.win, atol=1e-15)
        np.testing.assert_allclose(swapped.half_loss, away.half_loss, atol=1e-15)


def test_quarter_line_settles_by_hand() -> None:
    m = poisson_matrix(1.8, 0.9)
    gd_values, gd = goal_difference_distribution(m)
    p = dict(zip(gd_values.tolist(), gd, strict=True))
    # home -0.75 = half on -0.5 and half on -1: a one-goal win is a half-win, 2+ a win
    settlement = asian_handicap(m, -0.75)
    assert settlement.half_win == pytest.approx(p[1], abs=1e-12)
    assert settlement.win == pytest.approx(sum(v for d, v in p.items() if d >= 2), abs=1e-12)
    # home +0.25 = half on 0 and half on +0.5: a draw is a half-win
    plus = asian_handicap(m, 0.25)
    assert plus.half_win == pytest.approx(p[0], abs=1e-12)
    assert plus.loss == pytest.approx(sum(v for d, v in p.items() if d < 0), abs=1e-12)
    # away at home line -0.25 receives +0.25: a draw is a half-win for the away bet
    assert asian_handicap(m, -0.25, "away").half_win == pytest.approx(p[0], abs=1e-12)


def test_asian_total_agrees_with_totals() -> None:
    stack = random_matrices(5)
    plain = totals(stack, [2.5, 3.0])
    np.testing.assert_allclose(asian_total(stack, 2.5, "over").win, plain.over[:, 0], atol=1e-12)
    np.testing.assert_allclose(asian_total(stack, 3.0, "under").push, plain.push[:, 1], atol=1e-12)
    quarter = asian_total(stack, 2.75, "over")  # half on 2.5, half on 3: exactly three goals half-wins
    _, tg = total_goals_distribution(stack)
    np.testing.assert_allclose(quarter.half_win, tg[:, 3], atol=1e-12)


def test_invalid_lines_and_matrices() -> None:
    m = random_matrices(1)[0]
    with pytest.raises(ValueError, match="multiples of 0.25"):
        asian_handicap(m, -0.6)
    with pytest.raises(ValueError, match="selection"):
        asian_handicap(m, -0.5, "draw")
    with pytest.raises(ValueError, match="shape"):
        outcome_probabilities(np.ones(5))
    with pytest.raises(ValueError, match="negative"):
        outcome_probabilities(-m)


def test_correct_scores_most_likely_first() -> None:
    m = poisson_matrix(1.4, 1.3)
    table = correct_scores(m, top=4)
    assert list(table.columns) == ["home_goals", "away_goals", "score", "probability", "fair_odds"]
    assert table["score"].iloc[0] == "1-1"  # the mode of two Poissons with rates in (1, 2)
    assert table["probability"].iloc[0] == pytest.approx(
        stats.poisson.pmf(1, 1.4) * stats.poisson.pmf(1, 1.3)
    )
    np.testing.assert_allclose(table["probability"], np.sort(m.ravel())[::-1][:4])
    for row in table.itertuples():
        assert row.probability == m[row.home_goals, row.away_goals]
    stacked = correct_scores(np.stack([m, m.T]), top=3)
    assert len(stacked) == 6
    assert stacked[stacked["match"] == 1]["score"].tolist()[1] == "0-1"


def test_fair_odds_and_normalize() -> None:
    np.testing.assert_array_equal(fair_odds([0.5, 0.25, 0.0]), [2.0, 4.0, np.inf])
    truncated = poisson_matrix(2.5, 2.0, max_goals=4)
    assert truncated.sum() < 0.99
    assert normalize(truncated).sum() == pytest.approx(1.0, abs=1e-14)


def test_markets_table_consistent_with_functions() -> None:
    m = poisson_matrix(1.5, 1.2)
    table = markets_table(m, total_lines=(1.5, 2.5), handicap_lines=(-0.5, 0.0), top_scores=3)
    assert list(table.columns) == ["market", "selection", "line", "probability", "fair_odds"]
    one_x_two = table[table["market"] == "1X2"]["probability"].to_numpy()
    np.testing.assert_allclose(one_x_two, outcome_probabilities(m))
    over = table[(table["market"] == "Total goals") & (table["selection"] == "Over")]
    np.testing.assert_allclose(over["probability"], totals(m, [1.5, 2.5]).over[[0, 1]])
    home_minus_half = table[(table["market"] == "Asian handicap") & (table["line"] == -0.5)]
    assert home_minus_half["probability"].iloc[0] == pytest.approx(one_x_two[0])
    np.testing.assert_allclose(table["fair_odds"], 1.0 / table["probability"])
    assert (table["market"] == "Correct score").sum() == 3
    with pytest.raises(ValueError, match="one score matrix"):
        markets_table(np.stack([m, m]))
