"""Decide: squad rotation and priorities across competitions.

* :mod:`.calendar` - a club's remaining matches across competitions, with rest days;
* :mod:`.squad` - squad files and lineup strength (two-tier model without a file);
* :mod:`.fatigue` - short-rest and injury effects, and their estimation from the store;
* :mod:`.strategies` - rotation plans and objectives;
* :mod:`.season_plan` - the joint Monte Carlo of league, tie and later rounds per plan (common random numbers);
* :mod:`.recommend` - table of plans, best plan, sensitivity, stance flip, summary; :mod:`.plots` - PNG chart.

The command line calls :func:`analyse_rotation` (see :mod:`.recommend`).
"""

from matchday.decide.calendar import Calendar, CalendarMatch, club_calendar
from matchday.decide.fatigue import FatigueEstimate, FatigueModel, estimate_uefa_fatigue
from matchday.decide.recommend import RotationAnalysis, analyse_calendar, analyse_rotation, compare_dates
from matchday.decide.squad import DEFAULT_GAP, LineupStrength, Squad, read_squad
from matchday.decide.strategies import Plan, named_plans, parse_plan, parse_weights

__all__ = [
    "DEFAULT_GAP",
    "Calendar",
    "CalendarMatch",
    "FatigueEstimate",
    "FatigueModel",
    "LineupStrength",
    "Plan",
    "RotationAnalysis",
    "Squad",
    "analyse_calendar",
    "analyse_rotation",
    "club_calendar",
    "compare_dates",
    "estimate_uefa_fatigue",
    "named_plans",
    "parse_plan",
    "parse_weights",
    "read_squad",
]
