"""Decide: squad rotation and priorities across competitions.

* :mod:`.calendar` - a club's remaining matches across competitions, with rest days;
* :mod:`.squad` - squad files and lineup strength (two-tier model without a file);
* :mod:`.fatigue` - short-rest and injury effects, and their estimation from league and UEFA matches;
* :mod:`.strategies` - rotation plans and objectives;
* :mod:`.season_plan` - the joint Monte Carlo of league, tie and later rounds per plan (common random numbers);
* :mod:`.recommend` - table of plans, best plan, sensitivity, stance flip, summary; :mod:`.plots` - PNG chart.

decide never opens the store: its callers pass the frames and the fitted model it needs
(:mod:`matchday.workflows` reads them from the store for the command line, the report writers and the web
layer). The entry point is :func:`analyse_calendar` (see :mod:`.recommend`).
"""

from matchday.decide.calendar import Calendar, CalendarMatch, club_calendar
from matchday.decide.fatigue import FatigueEstimate, FatigueModel, estimate_uefa_fatigue
from matchday.decide.recommend import RotationAnalysis, analyse_calendar
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
    "club_calendar",
    "estimate_uefa_fatigue",
    "named_plans",
    "parse_plan",
    "parse_weights",
    "read_squad",
]
