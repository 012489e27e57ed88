"""Knockout-tie rules: aggregate, away goals (incl. extra time) by season, penalties, single matches."""

from __future__ import annotations

import numpy as np
import pytest

from matchday.data.errors import DataError
from matchday.rules.knockout import (
    AWAY_GOALS,
    AWAY_GOALS_EXTRA_TIME,
    EXTRA_TIME,
    METHOD_NAMES,
    PENALTIES,
    REGULATION,
    UNDECIDED,
    match_winner,
    tie_rules,
    tie_winner,
)


def test_aggregate_decides_first():
    # Barcelona v PSG 2016-17 R16: PSG 4-0 Barcelona, Barcelona 6-1 PSG -> Barcelona (B) through.
    decision = tie_winner(4, 0, 6, 1, away_goals_rule=True)
    assert decision.winner == 1 and decision.method == REGULATION
    # A shoot-out score passed for a tie settled on aggregate changes nothing.
    assert tie_winner(4, 0, 6, 1, None, None, 0, 5).winner == 1


def test_away_goals_after_180_minutes_only_in_the_away_goals_era():
    # A wins 2-1 at home, loses 0-1 away: 2-2 on aggregate, B scored once away (in leg 1), A never.
    with_rule = tie_winner(2, 1, 1, 0, away_goals_rule=True)
    assert with_rule.winner == 1 and with_rule.method == AWAY_GOALS
    without = tie_winner(2, 1, 1, 0, away_goals_rule=False)
    assert without.winner == -1 and without.method == UNDECIDED  # extra time needed, not given
    assert tie_winner(2, 1, 1, 0, 2, 0, away_goals_rule=False).method == EXTRA_TIME


def test_away_goals_scored_in_extra_time_count_double():
    # Chelsea v PSG 2014-15 R16: PSG 1-1 Chelsea; Chelsea 1-1 PSG after 90, 2-2 after extra time.
    # Level 3-3; PSG scored 2 away goals at Stamford Bridge (one in extra time), Chelsea 1 in Paris.
    decision = tie_winner(1, 1, 1, 1, 2, 2, away_goals_rule=True)
    assert decision.winner == 0 and decision.method == AWAY_GOALS_EXTRA_TIME
    # From 2021-22 the same results go to penalties.
    rules = tie_rules("2021-22")
    assert not rules.away_goals
    assert tie_winner(1, 1, 1, 1, 2, 2, away_goals_rule=rules.away_goals).method == UNDECIDED
    shootout = tie_winner(1, 1, 1, 1, 2, 2, 5, 4, away_goals_rule=rules.away_goals)
    assert shootout.winner == 1 and shootout.method == PENALTIES
    # A flag to switch the extra-time part off: then 3-3 with equal 90-minute away goals -> penalties.
    no_et_away = tie_winner(1, 1, 1, 1, 2, 2, 3, 4, away_goals_rule=True, away_goals_in_extra_time=False)
    assert no_et_away.winner == 0 and no_et_away.method == PENALTIES


def test_real_ties_decided_on_penalties_and_in_extra_time():
    # Man City v Real Madrid 2023-24 QF: Real 3-3 City; City 1-1 Real a.e.t., Real win 4-3 on pens.
    decision = tie_winner(3, 3, 1, 1, 1, 1, 3, 4, away_goals_rule=tie_rules("2023-24").away_goals)
    assert decision.winner == 0 and decision.method == PENALTIES  # A = Real Madrid
    # Freiburg v Lens 2023-24 EL play-off: Lens 0-0 Freiburg; Freiburg 2-2 Lens, 3-2 a.e.t.
    decision = tie_winner(0, 0, 2, 2, 3, 2)
    assert decision.winner == 1 and decision.method == EXTRA_TIME


def test_tie_winner_is_vectorised_row_for_row():
    rng = np.random.default_rng(5)
    n = 500
    goals = rng.integers(0, 4, size=(4, n))
    et = goals[2:] + rng.integers(0, 2, size=(2, n))
    pens = rng.integers(0, 6, size=(2, n))
    for rule in (False, True):
        together = tie_winner(*goals, et[0], et[1], pens[0], pens[1], away_goals_rule=rule)
        for row in range(0, n, 37):
            alone = tie_winner(*goals[:, row], et[0, row], et[1, row], pens[0, row], pens[1, row], away_goals_rule=rule)
            assert alone.winner == together.winner[row] and alone.method == together.method[row]
    names = together.method_names()
    assert set(names) <= set(METHOD_NAMES)


def test_single_match():
    # 2015-16 final: Real Madrid 1-1 Atletico, 1-1 a.e.t., Real Madrid win 5-3 on penalties.
    decision = match_winner(1, 1, 1, 1, 5, 3)
    assert decision.winner == 0 and decision.method == PENALTIES
    assert match_winner(0, 2).winner == 1
    assert match_winner(1, 1, 1, 2).method == EXTRA_TIME and match_winner(1, 1, 1, 2).winner == 1
    assert match_winner(1, 1).method == UNDECIDED


def test_rules_by_season():
    assert tie_rules("2020-21").away_goals and tie_rules(2020).away_goals
    assert not tie_rules("2021-22").away_goals and not tie_rules("2023-24", "UECL").away_goals
    assert tie_rules("1975-76").decider == "penalties"
    assert tie_rules(1969).decider == "coin_toss"
    assert tie_rules(1968).decider == "replay" and tie_rules(1968).away_goals
    early = tie_rules(1960)
    assert early.decider == "replay" and not early.away_goals and not early.extra_time
    with pytest.raises(DataError, match="UECL"):
        tie_rules("2019-20", "UECL")
    with pytest.raises(DataError):
        tie_rules(1970, "UEL")
    with pytest.raises(DataError):
        tie_rules(2000, "E0")


def test_bad_input_is_explained():
    with pytest.raises(ValueError, match="includ"):
        tie_winner(1, 1, 2, 2, 1, 3)  # 120-minute score lower than the 90-minute one
    with pytest.raises(ValueError, match="non-negative"):
        tie_winner(-1, 0, 0, 0)
    with pytest.raises(ValueError, match="missing"):
        tie_winner(np.nan, 0, 0, 0)


def test_rules_agree_with_every_decided_tie_in_champs_csv(shared_data):
    """The rule code applied to each real tie (1 row at a time, vectorised per season) gives the
    recorded winner, except two ties decided off the pitch or by a rule variant."""
    from matchday.data.sources.engsoccerdata import champs_ties

    ties = champs_ties(shared_data / "engsoccerdata" / "champs.csv")
    ties = ties[ties["first_leg_home_through"].notna() & (ties["decided_by"] != "walkover")]
    start = ties["season"].str[:4].astype(int)
    b1 = ties["first_leg_away_goals"].to_numpy(float)
    a1 = ties["first_leg_home_goals"].to_numpy(float)
    extra = ties["extra_time"].to_numpy()
    mismatches, replayed, decided = [], [], 0
    for year in sorted(start.unique()):
        part = ties[start == year]
        rows = (start == year).to_numpy()
        rules = tie_rules(int(year))
        decision = tie_winner(
            a1[rows], b1[rows], part["second_leg_home_goals"].to_numpy(float),
            part["second_leg_away_goals"].to_numpy(float),
            np.where(extra[rows], part["agg_aet_away"].to_numpy(float) - b1[rows], np.nan),
            np.where(extra[rows], part["agg_aet_home"].to_numpy(float) - a1[rows], np.nan),
            part["pen_away"].to_numpy(float, na_value=np.nan), part["pen_home"].to_numpy(float, na_value=np.nan),
            rules.away_goals,
        )  # fmt: skip
        known = decision.winner >= 0
        decided += int(known.sum())
        wrong = known & ((decision.winner == 0) != part["first_leg_home_through"].to_numpy(bool))
        mismatches += [f"{r.season} {r.first_leg_home} v {r.first_leg_away}" for r in part[wrong].itertuples()]
        replay = known & (part["decided_by"] == "replay").to_numpy()
        replayed += [f"{r.season} {r.first_leg_home} v {r.first_leg_away}" for r in part[replay].itertuples()]
        # Every tie the rules leave open went to a replay or a coin toss in reality.
        assert set(part.loc[~known, "decided_by"]) <= {"replay", "coin toss"}
    assert decided > 2000
    # 1992-93: Stuttgart went through on away goals but had fielded an ineligible player; UEFA
    # ordered a replay, won by Leeds.
    assert mismatches == ["1992-93 VfB Stuttgart v Leeds United"]
    # Ties the rules settle on away goals that went to a replay all the same: Stuttgart v Leeds, and
    # 1967-68 (the rule's first season) Braunschweig v Juventus, where the replay's winner, Juventus,
    # is also the away-goals winner.
    assert sorted(replayed) == ["1967-68 Eintracht Braunschweig v Juventus", "1992-93 VfB Stuttgart v Leeds United"]
