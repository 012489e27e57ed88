"""What a user types, turned into what matchday computes with: dates, competitions, seasons, clubs, a
first-leg score, and the competition a pairing is played in.

The command line and the web layer both resolve their inputs here, so that a bad value gets the same one-line
:class:`~matchday.data.errors.MatchdayError` in the terminal and as a JSON error (``option`` names the flag or
the parameter the message quotes: ``--as-of`` on the command line, ``as_of`` on the web). Every function either
returns a canonical value (an ISO date, a competition code, a ``2023-24`` season, a team id) or raises; none
writes anything.

Layering: this module sits on top of the data and rules layers and below the command line, the web layer and
:mod:`matchday.workflows`; it imports nothing else of matchday, and nothing heavy at import time (``import
matchday.cli`` stays light).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from matchday.data.errors import MatchdayError, UnknownChoiceError

DEFAULT_MODEL = "combined"
"""The model of every forecast, simulation and decision (CLI and web) unless the user names another
(``docs/models.md``: goals, shots, corners and a score-driven filter on the goal model's cross-league scale)."""

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from matchday.data.competitions import Competition
    from matchday.data.store import Store

#: The competitions whose knockout ties ``tie`` understands (home advantage, rules by era).
UEFA_TIE_COMPETITIONS: tuple[str, ...] = ("UCL", "UEL", "UECL")
#: ``tie`` without a competition and without a stored meeting of the pair: the Champions League.
DEFAULT_TIE_COMPETITION = "UCL"

_FIRST_LEG = re.compile(r"^\s*(?P<home>.+?)\s+(?P<h>\d{1,2})\s*[-:]\s*(?P<a>\d{1,2})\s+(?P<away>.+?)\s*$")


# --------------------------------------------------------------------------------------------------- dates
def parse_date(text: str | None, option: str = "--as-of") -> dt.date | None:
    """An ISO date (``YYYY-MM-DD``), None for None; anything else is a clear error naming ``option``."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError) as exc:
        raise MatchdayError(f"{option}: {text!r} is not a date (expected YYYY-MM-DD)") from exc


def as_of_or_today(text: str | None, option: str = "--as-of") -> dt.date:
    """:func:`parse_date`, today when not given."""
    return parse_date(text, option) or dt.date.today()


# --------------------------------------------------------------------------------------------------- competitions
def competition(text: str, kind: str | None = None) -> Competition:
    """The competition named by ``text`` (a code or a readable name); with ``kind`` (``"league"`` or
    ``"cup"``), a clear error when it is the other kind, saying which command fits it."""
    from matchday.data.competitions import resolve_competition

    comp = resolve_competition(text)
    if kind == "league" and comp.kind != "league":
        raise MatchdayError(f"{comp.code} ({comp.name}) is a cup, not a league; use `matchday bracket {comp.code}` "
                            f"or `matchday results {comp.code}`")
    if kind == "cup" and comp.kind != "cup":
        raise MatchdayError(f"{comp.code} ({comp.name}) is a league; use `matchday simulate {comp.code}`")
    return comp


# --------------------------------------------------------------------------------------------------- seasons
def season(text: str | None, cutoff: dt.date | None) -> str:
    """The named season (any spelling :func:`~matchday.data.seasons.normalize_season` reads), else the one
    running on ``cutoff`` (today when None)."""
    from matchday.data.seasons import normalize_season, season_of_date

    return normalize_season(text) if text else season_of_date(cutoff or dt.date.today())


def require_season(store: Store, code: str, season_: str, *, why: str | None = None) -> None:
    """Raise unless the store holds matches of competition ``code`` in ``season_`` (the error lists the stored
    seasons, or says which ``sync`` to run when there are none). ``why``: where the season came from when the
    user did not name it (``"the season running on 2026-11-30"``), so that the message stays true."""
    available = store.available()
    have = available[available["competition"] == code]["season"].tolist()
    if season_ not in have:
        from matchday.data.errors import UnknownChoiceError

        if not have:
            raise MatchdayError(f"no {code} matches in the store at {store.path}; run `matchday sync {code}`")
        if why:
            raise MatchdayError(f"no {code} matches of {season_} ({why}) in the store; it holds {code} {have[0]} to "
                                f"{have[-1]}: name one of those seasons or give an --as-of inside them")
        raise UnknownChoiceError(f"season for {code}", season_, have)


# --------------------------------------------------------------------------------------------------- clubs
def club(name: str, store: Store | None = None) -> str:
    """The team id of a club named by any known name (the registry; the error names the closest clubs).

    With ``store``, a team id the store holds is accepted as it is, and clubs the store holds only under a
    provisional (``unregistered:``) id resolve by the names the sources wrote for them (case, accents,
    punctuation and legal-form words such as "FC" or "NK" aside). A name matching two provisional clubs is
    ambiguous (an error naming both), never a guess.
    """
    text = str(name).strip()
    if not text:
        raise MatchdayError("a club name is required")
    from matchday.data.registry import TeamRegistry

    registry = TeamRegistry.load()
    if store is None:
        return registry.require(text)
    teams = store.teams()
    if text in set(teams["team_id"]):
        return text
    found = registry.match(text)
    if found.team_id is not None:
        return found.team_id
    provisional = teams[~teams["registered"].astype(bool)]
    if found.how != "ambiguous" and not provisional.empty:
        provisional_club = _provisional_club(store, teams, provisional, text)
        if provisional_club is not None:
            return provisional_club
    try:
        return registry.require(text)
    except UnknownChoiceError as error:
        if provisional.empty or found.how == "ambiguous":
            raise
        import difflib

        closer = difflib.get_close_matches(text, list(provisional["name"].astype(str)), n=3, cutoff=0.6)
        raise UnknownChoiceError("team", text, closer + list(error.choices), closest=True) from None


def _provisional_club(store: Store, teams: pd.DataFrame, provisional: pd.DataFrame, text: str) -> str | None:
    """The one provisional club whose source spellings match ``text`` (exactly after normalising, else with
    legal-form words dropped); None when none does; an error when two do."""
    from matchday.data.registry import LEGAL_FORM_WORDS, normalize_name

    spellings = [(str(n), str(t)) for n, t in zip(provisional["name"], provisional["team_id"], strict=True)]
    unknown = store.unknown_names()
    spellings += [(str(n), str(t)) for n, t in zip(unknown["name"], unknown["team_id"], strict=True)]

    def short(key: str) -> str:
        return " ".join(word for word in key.split() if word not in LEGAL_FORM_WORDS)

    wanted = normalize_name(text)
    for key_of in (lambda key: key, short):
        ids = {team for spelling, team in spellings if key_of(normalize_name(spelling)) == key_of(wanted)}
        if len(ids) == 1:
            return ids.pop()
        if len(ids) > 1:
            names = teams.set_index("team_id")["name"]
            raise UnknownChoiceError(f"team (ambiguous: {len(ids)} unregistered clubs match)", text,
                                     [f"{names.get(t, t)} ({t})" for t in sorted(ids)])
    return None


def parse_first_leg(text: str, resolve: Callable[[str], str] = club,
                    option: str = "--first-leg") -> tuple[str, int, int, str]:
    """``'Liverpool 0-3 Atalanta'`` -> (home id, home goals, away goals, away id); ``resolve`` turns a name
    into a team id (default :func:`club`)."""
    match = _FIRST_LEG.match(text)
    if not match:
        raise MatchdayError(f"{option} {text!r}: expected '<home club> <goals>-<goals> <away club>', "
                            "e.g. 'Liverpool 0-3 Atalanta'")
    return resolve(match["home"]), int(match["h"]), int(match["a"]), resolve(match["away"])


def tie_sides(team_a: str, team_b: str, first_leg: str | None, *, final: bool = False,
              resolve: Callable[[str], str] = club, option: str = "--first-leg",
              final_option: str = "--final") -> tuple[str, str, tuple[int, int] | None]:
    """(side A, side B, first-leg score or None) of a knockout tie: A hosts the first leg. With a played
    first leg, its home club becomes A and its score (A's goals, B's goals) is returned. ``option`` and
    ``final_option`` are the names the messages quote."""
    a, b = resolve(team_a), resolve(team_b)
    if a == b:
        raise MatchdayError(f"a tie needs two different clubs (got {a} twice)")
    if not first_leg:
        return a, b, None
    if final:
        raise MatchdayError(f"a final is one match: give either {option} or {final_option}, not both")
    leg_home, home_goals, away_goals, leg_away = parse_first_leg(first_leg, resolve, option)
    if {leg_home, leg_away} != {a, b}:
        raise MatchdayError(f"{option} names {leg_home} and {leg_away}, not the tie's clubs {a} and {b}")
    return leg_home, leg_away, (home_goals, away_goals)


# --------------------------------------------------------------------------------------------------- pairings
def fixture_competition(store: Store, home: str, away: str, as_of: dt.date) -> str | None:
    """The competition of the pair's latest meeting up to ``as_of`` or the next one scheduled after it (a UEFA
    tie between clubs of two leagues); None when they never meet in the store (the model then uses the home
    club's league)."""
    meetings = store.matches(teams=[home])
    meetings = meetings[(meetings["home"].isin([home, away])) & (meetings["away"].isin([home, away]))]
    if meetings.empty:
        return None
    after = meetings[meetings["date"] > str(as_of)]
    row = after.iloc[0] if not after.empty else meetings.iloc[-1]
    return str(row["competition"])


def tie_competition(store: Store, a: str, b: str, cutoff: dt.date, competition_: str | None) -> str:
    """The UEFA competition of a tie: the one named, else the pair's UEFA meeting around ``cutoff``
    (:func:`fixture_competition`), else :data:`DEFAULT_TIE_COMPETITION`."""
    if competition_:
        from matchday.data.competitions import resolve_competition

        return resolve_competition(competition_).code
    found = fixture_competition(store, a, b, cutoff)
    return found if found in UEFA_TIE_COMPETITIONS else DEFAULT_TIE_COMPETITION
