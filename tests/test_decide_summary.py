"""The rotation summary never contradicts its own table (issue 8 item 10).

The plans' outcomes are constructed here (positions, trophies per simulated future), not simulated, so that
each case is exactly the situation it names: plans close together, the stance reversed, plans tied, a
Europe plan worse for the title but better overall, the weights without a title. Every sentence of the
summary is then checked against :attr:`RotationAnalysis.table`.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from matchday.data.errors import MatchdayError
from matchday.decide import FatigueModel
from matchday.decide.calendar import club_calendar
from matchday.decide.recommend import RotationAnalysis, percent
from matchday.decide.season_plan import PlanOutcomes
from matchday.decide.squad import lineup_from
from matchday.decide.strategies import check_weight_keys, named_plans, parse_weights
from synthetic import small_season

CLUBS = [f"c-{i:02d}" for i in range(6)]
AS_OF = dt.date(2024, 2, 10)
N = 4000


def cup_frame() -> pd.DataFrame:
    rows = [("Semi-final", 1, "2024-02-08", "c-00", "c-03", 1, 1), ("Semi-final", 1, "2024-02-08", "c-01", "c-02", 2, 0),
            ("Semi-final", 2, "2024-02-15", "c-03", "c-00", None, None),
            ("Semi-final", 2, "2024-02-15", "c-02", "c-01", None, None)]
    frame = pd.DataFrame(rows, columns=["round", "leg", "date", "home", "away", "home_goals", "away_goals"])
    return frame.assign(date=pd.to_datetime(frame["date"]), competition="UEL", season="2023-24", neutral=False,
                        aet_home_goals=np.nan, aet_away_goals=np.nan, pen_home=np.nan, pen_away=np.nan)


@pytest.fixture(scope="module")
def calendar():
    strength = dict(zip(CLUBS, [0.25, 0.2, 0.0, -0.05, -0.15, -0.25], strict=True))
    league = small_season(np.random.default_rng(21), CLUBS, strength, start="2024-01-06", rounds_played=6)
    return club_calendar("c-00", AS_OF, league="E0", league_matches=league, uefa_matches=cup_frame(),
                         last_match=AS_OF)


def outcome(plan, calendar, *, title: float, top4: float, trophy: float, rng: np.random.Generator,
            shared: tuple[np.ndarray, np.ndarray] | None = None) -> PlanOutcomes:
    """A plan's futures with the given P(title), P(top 4), P(trophy); ``shared`` uniforms couple plans."""
    u1, u2 = shared if shared is not None else (rng.random(N), rng.random(N))
    position = np.where(u1 < title, 1, np.where(u1 < top4, 3, 5))
    trophy_won = u2 < trophy
    stages = np.where(trophy_won, 2, 1)
    return PlanOutcomes(plan=plan, levels=["full"] * len(calendar.matches), position=position,
                        points=np.full(N, 60) - position, stages=stages, trophy=trophy_won,
                        strengths=pd.DataFrame({"expected_injuries": [0.0]}), stage_names=["Semi-final", "Final"],
                        places=4)


def analysis_of(calendar, probabilities: dict[str, tuple[float, float, float]], *, weights="title=1,trophy=0.5,top4=0.3",
                coupled=True, seed=0) -> RotationAnalysis:
    rng = np.random.default_rng(seed)
    plans = {p.name: p for p in named_plans(calendar)}
    shared = (rng.random(N), rng.random(N)) if coupled else None
    outcomes = [outcome(plans[name], calendar, title=t, top4=f, trophy=c, rng=rng, shared=shared)
                for name, (t, f, c) in probabilities.items()]
    table = pd.DataFrame({"team": CLUBS, "points": [40, 42, 30, 28, 20, 18], "position": [2, 1, 3, 4, 5, 6]})
    simulator = SimpleNamespace(n_sims=N, seed=seed, league=SimpleNamespace(current_table=lambda: table))
    return RotationAnalysis(calendar=calendar, weights=parse_weights(weights), lineup=lineup_from(None),
                            fatigue=FatigueModel.none(), plans=[o.plan for o in outcomes], outcomes=outcomes,
                            simulator=simulator, model_name="constructed")


def check_consistent(analysis: RotationAnalysis) -> str:
    """Assertions every summary must pass against its table; returns the summary."""
    table = analysis.table.set_index("plan")
    text = analysis.summary()
    best = table["objective"].idxmax()
    assert analysis.best == best
    named = re.search(r"Best plans? at the weights given \([^)]*\): '([^']+)'", text)
    assert named and named.group(1) == best, text
    # every "P(x) a vs b" and "objective ... a vs b" pair quotes the table's numbers for the stance plans
    if analysis.has_stance_flip:
        europe, league = analysis._stance_plans(None, None)
        for outcome_name in ("title", "top4"):
            if outcome_name in analysis.weights:
                quoted = (f"P({outcome_name}) {percent(table.loc[league, f'p_{outcome_name}'])} vs "
                          f"{percent(table.loc[europe, f'p_{outcome_name}'])}")
                assert quoted in text, (quoted, text)
        # a claim that one plan scores above the other at the weights given must match the table, beyond noise
        above = re.search(r"at the weights given '([^']+)' scores above '([^']+)'", text)
        if above:
            comp = analysis.compare(above.group(1), above.group(2))
            assert table.loc[above.group(1), "objective"] > table.loc[above.group(2), "objective"]
            assert comp.difference > 2 * comp.se_paired
        if best not in (europe, league):
            assert f"though '{best}' is better than both" in text
        assert "Europe comes first" not in text and "title-equivalents" not in text
    for line in text.splitlines():  # no internal function names
        assert not re.search(r"\b[a-z]+_[a-z_]+\(|\b(estimate_uefa_fatigue|DixonColes|cup_dates)\b", line), line
    return text


def test_best_overall_is_neither_stance_plan(calendar):
    # the April 2024 shape: full strength best; all in Europe above all in league at the weight given
    analysis = analysis_of(calendar, {"full strength": (0.114, 0.99, 0.042), "all in league": (0.118, 0.99, 0.005),
                                      "all in Europe": (0.112, 0.99, 0.043), "balanced": (0.115, 0.99, 0.017)})
    text = check_consistent(analysis)
    assert "at the weights given 'all in Europe' scores above 'all in league'" in text
    assert "'all in league' comes first below a trophy weight of" in text and "'all in Europe' above it" in text


def test_europe_plan_worse_for_the_title_but_better_without_the_trophy(calendar):
    # P(title) 8.4% vs 8.8% against the Europe plan, but its top-4 chances more than make up for it
    analysis = analysis_of(calendar, {"full strength": (0.086, 0.90, 0.04), "all in league": (0.088, 0.80, 0.01),
                                      "all in Europe": (0.084, 0.95, 0.05), "balanced": (0.086, 0.85, 0.02)})
    text = check_consistent(analysis)
    assert "at least as good for the league" not in text
    table = analysis.table.set_index("plan")
    assert table.loc["all in Europe", "p_title"] < table.loc["all in league", "p_title"]  # the case it names
    assert (f"P(title) {percent(table.loc['all in league', 'p_title'])} vs "
            f"{percent(table.loc['all in Europe', 'p_title'])}") in text  # quoted as the table has them
    assert "'all in Europe' does at least as well without the trophy and wins it more often" in text


def test_reversed_stance_europe_plan_wins_the_trophy_less_often(calendar):
    analysis = analysis_of(calendar, {"full strength": (0.30, 0.9, 0.10), "all in league": (0.25, 0.9, 0.20),
                                      "all in Europe": (0.35, 0.9, 0.05), "balanced": (0.28, 0.9, 0.12)})
    flip = analysis.stance_flip()
    assert flip.trophy_gain < 0 and flip.threshold is not None and flip.threshold > 0
    text = check_consistent(analysis)
    assert "'all in Europe' comes first below a trophy weight of" in text and "'all in league' above it" in text
    # the sentence agrees with the weight sensitivity, which re-ranks the same futures
    sens = analysis.weight_sensitivity(values=[flip.threshold * 0.5, flip.threshold * 1.5]).set_index("weight")
    assert sens.iloc[0]["all in Europe"] > sens.iloc[0]["all in league"]
    assert sens.iloc[1]["all in Europe"] < sens.iloc[1]["all in league"]


def test_close_plans_are_called_within_noise(calendar):
    analysis = analysis_of(calendar, {"full strength": (0.200, 0.9, 0.100), "all in league": (0.201, 0.9, 0.099),
                                      "all in Europe": (0.199, 0.9, 0.101), "balanced": (0.200, 0.9, 0.100)},
                           coupled=False, seed=4)
    text = check_consistent(analysis)
    assert "not clearly better" in text
    assert "are within noise of each other" in text


def test_tied_plans_are_called_tied(calendar):
    same = (0.3, 0.9, 0.1)
    analysis = analysis_of(calendar, {"full strength": same, "all in league": same, "all in Europe": same,
                                      "balanced": same})
    text = check_consistent(analysis)
    assert "tied: they give the same result on every simulated future" in text
    assert "'all in Europe' and 'all in league' score the same at every trophy weight" in text


def test_weights_without_a_title_and_the_chart_axis_follows_them(calendar, tmp_path):
    analysis = analysis_of(calendar, {"full strength": (0.3, 0.9, 0.10), "all in league": (0.32, 0.95, 0.02),
                                      "all in Europe": (0.28, 0.85, 0.11), "balanced": (0.3, 0.9, 0.06)},
                           weights="top4=2,europe=1,trophy=3")
    text = check_consistent(analysis)
    assert "(top4=2, europe=1, trophy=3)" in text and "title=1" not in text
    curve = analysis.stance_flip_curve()
    assert curve.attrs["others"] == "top4=2, europe=1"
    assert curve["weight"].max() >= 2 * 2  # the axis spans the scale of the weights given, not a fixed 0-2
    assert curve["weight"].max() >= 1.5 * 3
    path = analysis.plot(tmp_path / "chart.png")
    assert path.read_bytes()[:4] == b"\x89PNG"
    # 'europe' is the league's European places: all positions within them count
    europe = analysis.outcome("full strength").indicator("europe")
    assert europe.sum() == 0  # constructed outcomes carry no European places (europe_places = 0)


def test_weight_keys_name_what_they_are():
    assert parse_weights("title=1,trophy=0.5,top4=0.3,europe=0.2") == {"title": 1, "trophy": 0.5, "top4": 0.3,
                                                                        "europe": 0.2}
    with pytest.raises(MatchdayError, match="names the UEFA Europa League trophy, but the club plays the UEFA "
                                            "Champions League"):
        check_weight_keys("title=1,uel=0.5", "UCL")
    check_weight_keys("title=1,ucl=0.5", "UCL")  # the right competition: fine
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_weight_keys("title=1,europa=0.5", "UCL")
    assert len(caught) == 1 and issubclass(caught[0].category, FutureWarning)
    assert "winning the UEFA Champions League" in str(caught[0].message) and "'trophy'" in str(caught[0].message)
    assert parse_weights("europa=0.5") == {"trophy": 0.5}  # the deprecated key still works
