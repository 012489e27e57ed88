"""The what-if condition language: one remaining fixture and what happens in it.

    "<home> v <away>: <outcome>"

<home>/<away> are any names the team registry knows ("Wolves", "Wolverhampton Wanderers FC").
<outcome> is one of (case does not matter):

=====================================  =======================================================
``home win`` / ``draw`` / ``away win``   the 90-minute result
``not home win`` / ``not draw`` /      the other two results ("Arsenal don't win" at Wolves is
``not away win``                         ``Wolves v Arsenal: not away win``)
``<club> win`` / ``<club> wins``         that club wins (it must play in the fixture)
``<club> does not win`` / ``<club>     that club draws or loses
doesn't win`` / ``<club> draws or loses``
``<club> loses`` / ``<club> lose``      that club loses
``2-1``                                  that exact score (home goals first)
``<club> win by 2+``                     that club wins by at least two goals
=====================================  =======================================================

A fixture that does not exist, or that was already played by the as-of date, is an error that says so.
Several conditions on one fixture must all hold ("Fulham v Liverpool: Liverpool win" and "Fulham v
Liverpool: 0-2" is the 0-2); conditions that no score meets together ("0-2" and "home win"), or a score
beyond the model's grid ("25-0"), are an error that names them (:func:`matchday.simulate.season.apply_conditions`).
Conditions on different fixtures never conflict: a club may be named in two fixtures on one day.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from matchday.simulate.season import ConditionError, FixtureCondition

_FIXTURE = re.compile(r"^\s*(?P<home>.+?)\s+(?:v|vs\.?|-)\s+(?P<away>.+?)\s*:\s*(?P<outcome>.+?)\s*$", re.I)
_SCORE = re.compile(r"^(\d{1,2})\s*[-:]\s*(\d{1,2})$")

Mask = Callable[[np.ndarray, np.ndarray], np.ndarray]

_RESULTS: dict[str, Mask] = {
    "home win": lambda h, a: h > a,
    "home": lambda h, a: h > a,
    "draw": lambda h, a: h == a,
    "away win": lambda h, a: h < a,
    "away": lambda h, a: h < a,
    "not home win": lambda h, a: h <= a,
    "not draw": lambda h, a: h != a,
    "not away win": lambda h, a: h >= a,
}


__all__ = ["ConditionError", "ParsedCondition", "parse_condition", "to_fixture_conditions"]


@dataclass(frozen=True)
class ParsedCondition:
    home: str  # team id
    away: str
    mask: Mask
    text: str


def parse_condition(text: str, resolve: Callable[[str], str]) -> ParsedCondition:
    """Parse one condition; ``resolve`` maps a club name to its team id (raising on unknown names)."""
    match = _FIXTURE.match(text)
    if not match:
        raise ConditionError(
            f"cannot read condition {text!r}: expected '<home> v <away>: <outcome>', "
            "e.g. 'Fulham v Liverpool: away win' or 'Wolves v Arsenal: not away win'"
        )
    home, away = resolve(match["home"]), resolve(match["away"])
    outcome = " ".join(match["outcome"].lower().replace("'", "'").split())
    return ParsedCondition(home, away, _outcome_mask(outcome, home, away, resolve, text), text.strip())


def _outcome_mask(outcome: str, home: str, away: str, resolve: Callable[[str], str], text: str) -> Mask:
    if outcome in _RESULTS:
        return _RESULTS[outcome]
    score = _SCORE.match(outcome)
    if score:
        h, a = int(score[1]), int(score[2])
        return lambda hg, ag: (hg == h) & (ag == a)
    patterns: list[tuple[str, Callable[[bool, int], Mask]]] = [
        (r"^(?P<club>.+?) wins? by (?P<n>\d+)\+?$", lambda is_home, n: _win_by(is_home, n)),
        (r"^(?P<club>.+?) (?:does not|doesn't|do not|don't) win$", lambda is_home, _: _not_win(is_home)),
        (r"^(?P<club>.+?) draws? or loses?$", lambda is_home, _: _not_win(is_home)),
        (r"^(?P<club>.+?) (?:loses|lose)$", lambda is_home, _: _win_by(not is_home, 1)),
        (r"^(?P<club>.+?) (?:wins|win)$", lambda is_home, _: _win_by(is_home, 1)),
    ]
    for pattern, build in patterns:
        found = re.match(pattern, outcome)
        if not found:
            continue
        club = resolve(found["club"])
        if club not in (home, away):
            raise ConditionError(f"{text!r}: {found['club']!r} does not play in this fixture")
        n = int(found.groupdict().get("n") or 1)
        return build(club == home, n)
    raise ConditionError(
        f"{text!r}: cannot read the outcome {outcome!r}; use home win, draw, away win, not home win, "
        "not draw, not away win, an exact score like 2-1, '<club> wins', '<club> does not win' or '<club> loses'"
    )


def _win_by(home_side: bool, margin: int) -> Mask:
    if home_side:
        return lambda h, a: h - a >= margin
    return lambda h, a: a - h >= margin


def _not_win(home_side: bool) -> Mask:
    if home_side:
        return lambda h, a: h <= a
    return lambda h, a: a <= h


def to_fixture_conditions(
    parsed: list[ParsedCondition], season_matches: pd.DataFrame, remaining: pd.DataFrame, as_of,
    names: Callable[[str], str], *, until=None,
) -> list[FixtureCondition]:
    """Check each condition against the season's fixtures and return the simulator's conditions.

    remaining: the fixtures the simulation plays (still to play after ``as_of``, up to ``until`` when the
    question stops at a date)."""
    out = []
    for condition in parsed:
        pair = (season_matches["home"] == condition.home) & (season_matches["away"] == condition.away)
        in_season = season_matches[pair]
        if in_season.empty:
            reverse = season_matches[(season_matches["home"] == condition.away) & (season_matches["away"] == condition.home)]
            hint = ""
            if not reverse.empty:
                hint = f"; did you mean {names(condition.away)} v {names(condition.home)} (the home side is named first)?"
            raise ConditionError(f"{condition.text!r}: there is no such fixture this season{hint}")
        to_play = remaining[(remaining["home"] == condition.home) & (remaining["away"] == condition.away)]
        if len(to_play) > 1:
            dates = ", ".join(str(pd.Timestamp(d).date()) for d in to_play["date"])
            raise ConditionError(f"{condition.text!r}: {names(condition.home)} play {names(condition.away)} at home "
                                 f"{len(to_play)} more times ({dates}); a condition names one match")
        if to_play.empty:
            played = in_season[in_season["home_goals"].notna() & in_season["away_goals"].notna()]
            if played.empty or (until is not None and pd.Timestamp(in_season.iloc[-1]["date"]).date() > until):
                row = in_season.iloc[-1]
                raise ConditionError(
                    f"{condition.text!r}: that match is on {pd.Timestamp(row['date']).date()}, after the date the "
                    f"question stops at ({until if until is not None else as_of})")
            row = played.iloc[-1]
            raise ConditionError(
                f"{condition.text!r}: already played on {pd.Timestamp(row['date']).date()} "
                f"({names(condition.home)} {int(row['home_goals'])}-{int(row['away_goals'])} {names(condition.away)}), "
                f"before the as-of date {as_of}"
            )
        out.append(FixtureCondition(condition.home, condition.away, condition.mask, condition.text))
    return out
