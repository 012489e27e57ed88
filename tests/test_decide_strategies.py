"""Rotation plans (selectors, named plans, text form) and objectives (weights)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from matchday.data.errors import MatchdayError, UnknownChoiceError
from matchday.decide.calendar import Calendar, CalendarMatch
from matchday.decide.strategies import (
    Plan,
    named_plans,
    outcome_name,
    parse_plan,
    parse_weights,
    resolve_plans,
    select,
)


def calendar() -> Calendar:
    d = dt.date
    matches = [
        CalendarMatch("UEL Quarter-final leg 2", d(2024, 4, 18), "UEL", "cup", "atalanta", "away",
                      "Quarter-final", 2, 0),
        CalendarMatch("E0 2024-04-21 at fulham", d(2024, 4, 21), "E0", "league", "fulham", "away", fixture=1),
        CalendarMatch("E0 2024-04-29 v everton", d(2024, 4, 29), "E0", "league", "everton", "home", fixture=2),
        CalendarMatch("UEL Semi-final leg 1", d(2024, 5, 2), "UEL", "cup", None, "away", "Semi-final", 1, 1, True),
        CalendarMatch("UEL Final", d(2024, 5, 22), "UEL", "cup", None, "neutral", "Final", None, 2, True),
    ]
    return Calendar("liverpool", d(2024, 4, 15), "E0", "2023-24", pd.DataFrame(), matches, None, d(2024, 4, 14))


def test_selectors():
    cal = calendar()
    assert select(cal, "europe") == [0, 3, 4]
    assert select(cal, "league") == [1, 2]
    assert select(cal, "UEL") == [0, 3, 4]
    assert select(cal, "semi-final") == [3] and select(cal, "SF") == [3] and select(cal, "UEL Semi-final") == [3]
    assert select(cal, "2024-04-21") == [1]
    assert select(cal, "fulham") == [1]
    assert select(cal, "e0 2024-04-29 v everton") == [2]
    assert select(cal, "after-europe") == [1]  # three days after the quarter-final
    assert select(cal, "before-europe") == [2]  # three days before the semi-final
    assert select(cal, "nobody") == []


def test_plan_rules_apply_in_order_and_unknown_selector_is_an_error():
    cal = calendar()
    plan = Plan("p", (("all", "partial"), ("europe", "second"), ("UEL Final", "full")))
    assert plan.levels(cal) == ["second", "partial", "partial", "second", "full"]
    with pytest.raises(UnknownChoiceError, match="nobody"):
        Plan("bad", (("nobody", "second"),)).levels(cal)


def test_window_rules_apply_only_on_paths_that_play_the_european_match():
    cal = calendar()
    plan = Plan("fresh for Europe", (("before-europe", "second"),))
    assert plan.levels(cal)[2] == "second"
    assert plan.levels(cal, stages_played=1)[2] == "full"  # out in the quarter-final: no semi-final to rest for
    assert plan.levels(cal, stages_played=2)[2] == "second"


def test_named_plans():
    plans = {p.name: p for p in named_plans(calendar())}
    assert list(plans) == ["full strength", "all in league", "all in Europe", "balanced"]
    cal = calendar()
    assert plans["full strength"].levels(cal) == ["full"] * 5
    assert plans["all in league"].levels(cal) == ["second", "full", "full", "second", "second"]
    assert plans["all in Europe"].levels(cal) == ["full", "full", "second", "full", "full"]
    assert plans["balanced"].levels(cal) == ["partial", "full", "partial", "partial", "partial"]


def test_plan_text_and_resolution():
    plan = parse_plan("rest Bergamo: UEL=second, fulham=partial")
    assert plan.name == "rest Bergamo" and plan.rules == (("UEL", "second"), ("fulham", "partial"))
    cal = calendar()
    plans = resolve_plans(cal, ["all in league", "rest Bergamo: UEL=second", {"europe": "partial"}])
    assert [p.name for p in plans] == ["all in league", "rest Bergamo", "custom 3"]
    with pytest.raises(UnknownChoiceError):
        resolve_plans(cal, ["no such plan"])
    with pytest.raises(MatchdayError, match="unique"):
        resolve_plans(cal, ["all in league", "all in league"])
    with pytest.raises(MatchdayError, match="selector=level"):
        parse_plan("x: UEL")


def test_weights():
    assert parse_weights("title=1,trophy=0.5,top4=0.3") == {"title": 1.0, "trophy": 0.5, "top4": 0.3}
    assert parse_weights("title=1,europa=0.5,top4=0.3") == {"title": 1.0, "trophy": 0.5, "top4": 0.3}  # deprecated
    assert parse_weights("europe=1,top_6=0.5") == {"europe": 1.0, "top6": 0.5}
    assert parse_weights({"UCL": 2, "final": 0.1}) == {"trophy": 2.0, "final": 0.1}
    assert outcome_name("Top 6") == "top6"
    with pytest.raises(UnknownChoiceError):
        parse_weights("glory=1")
    with pytest.raises(MatchdayError, match="number"):
        parse_weights("title=lots")
    with pytest.raises(MatchdayError, match="outcome=number"):
        parse_weights("title")
