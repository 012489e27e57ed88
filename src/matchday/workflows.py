"""Store-backed entry points: read what a question needs from the store, then ask the layers below.

The command line, the report writers (:mod:`matchday.reports`) and a web layer share these, so that the
layers below never open the store themselves (decide, in particular, takes frames and a fitted model).
Fitting a model from the store as of a date is :func:`matchday.models.training.fit_model`.

* :func:`calendar_from_store` - a club's remaining matches across competitions (:mod:`matchday.decide.calendar`);
* :func:`analyse_rotation` - rotation advice for a club as of a date; :func:`compare_dates` at several dates;
* :func:`fatigue_from_store` - the short-rest effect estimated from the stored league and UEFA matches.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from matchday.data.errors import MatchdayError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from matchday.data.store import Store
    from matchday.decide.calendar import Calendar
    from matchday.decide.fatigue import FatigueEstimate, FatigueModel
    from matchday.decide.recommend import RotationAnalysis
    from matchday.decide.squad import LineupStrength, Squad
    from matchday.decide.strategies import Plan
    from matchday.models.interface import ScoreModel


def resolve_club(store: Store, club: str) -> str:
    """A team id from an id or any known name (clear error naming the closest clubs when unknown)."""
    if club in set(store.teams()["team_id"]):
        return club
    from matchday.data.registry import TeamRegistry

    return TeamRegistry.load().require(club)


def team_names(store: Store, team_ids: Iterable[str]) -> dict[str, str]:
    """Display names of team ids (the id itself where the store has no name)."""
    names = store.teams().set_index("team_id")["name"]
    return {t: str(names.get(t, t)) for t in team_ids}


def find_league(store: Store, club: str, season: str) -> str:
    """The domestic league the club plays in ``season`` (the one with most of its stored matches)."""
    from matchday.data.competitions import LEAGUE_CODES

    frame = store.matches(list(LEAGUE_CODES), [season], teams=[club])
    if frame.empty:
        raise MatchdayError(f"{club} has no stored league matches in {season}: run `matchday sync` for its league")
    return str(frame["competition"].value_counts().index[0])


def calendar_from_store(store: Store, club: str, as_of: dt.date, *, league: str | None = None,
                        cup_dates: Mapping[str, Sequence[dt.date]] | None = None,
                        include_cup: bool = True) -> Calendar:
    """The club's remaining matches on ``as_of`` (end of that day), read from the store.

    club: team id or name. league: the domestic league (default: the one the club plays that season).
    include_cup: False ignores UEFA matches. See :func:`matchday.decide.calendar.club_calendar`.
    """
    from matchday.data.competitions import UEFA_CODES
    from matchday.data.seasons import season_of_date
    from matchday.decide.calendar import club_calendar

    club = resolve_club(store, club)
    season = season_of_date(as_of)
    league = league or find_league(store, club, season)
    uefa = None
    if include_cup:
        own = store.matches(list(UEFA_CODES), [season], teams=[club])
        competitions = list(own["competition"].drop_duplicates())
        uefa = store.matches(competitions, [season]) if competitions else own
    past = store.matches(None, None, played=True, until=as_of, teams=[club])
    last = None if past.empty else past["date"].max().date()
    return club_calendar(club, as_of, league=league, league_matches=store.matches([league], [season]),
                         uefa_matches=uefa, last_match=last, cup_dates=cup_dates)


def analyse_rotation(
    store: Store,
    club: str,
    as_of: dt.date,
    *,
    weights: str | Mapping[str, float] | None = None,
    plans: Iterable[str | Plan | Mapping[str, str]] | None = None,
    squad: str | os.PathLike[str] | Squad | LineupStrength | None = None,
    gap: float | None = None,
    fatigue: FatigueModel | None = None,
    model: str = "combined",
    fitted: ScoreModel | None = None,
    n_sims: int = 20_000,
    seed: int = 0,
    cup_dates: Mapping[str, Sequence[dt.date]] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RotationAnalysis:
    """Rotation advice for ``club`` (id or name) as of ``as_of`` (end of that day), from the store.

    model / fitted: the model's name (fitted here on the matches up to ``as_of``), or an already fitted one.
    Every other argument is :func:`matchday.decide.recommend.analyse_calendar`'s.
    """
    from matchday.decide.recommend import analyse_calendar
    from matchday.models.training import fit_model

    calendar = calendar_from_store(store, club, as_of, cup_dates=cup_dates)
    model_name = model if fitted is None else f"{type(fitted).__name__} (given)"
    fitted = fitted if fitted is not None else fit_model(model, store, as_of)
    involved = set(calendar.league_matches["home"]) | set(calendar.league_matches["away"])
    if calendar.cup is not None:
        involved |= {t for tie in calendar.cup.ties for t in (tie.home, tie.away)}
    return analyse_calendar(calendar, fitted, weights=weights, plans=plans, squad=squad, gap=gap, fatigue=fatigue,
                            n_sims=n_sims, seed=seed, model_name=model_name, team_names=team_names(store, involved),
                            progress=progress)


def compare_dates(store: Store, club: str, dates: Iterable[dt.date], **options: Any) -> pd.DataFrame:
    """:func:`analyse_rotation` at several as-of dates (the model refitted at each): one row per date and
    plan with the table's columns, plus ``best`` and the stance-flip threshold."""
    import pandas as pd

    frames = []
    for date in dates:
        analysis = analyse_rotation(store, club, date, **options)
        table = analysis.table
        table.insert(0, "as_of", date)
        table["best"] = table["plan"] == analysis.best
        if analysis.has_stance_flip:
            flip = analysis.stance_flip()
            table["flip_threshold"] = flip.threshold
            table["flip_se"] = flip.se
        frames.append(table)
    return pd.concat(frames, ignore_index=True)


def uefa_seasons(store: Store, minimum_matches: int = 100) -> list[str]:
    """Seasons for which the store holds at least ``minimum_matches`` UEFA matches (knockout dates known)."""
    from matchday.data.competitions import UEFA_CODES

    available = store.available()
    uefa = available[available["competition"].isin(UEFA_CODES)].groupby("season")["matches"].sum()
    return sorted(str(s) for s, n in uefa.items() if n >= minimum_matches)


def fatigue_from_store(store: Store, leagues: Sequence[str] | None = None, seasons: Sequence[str] | None = None, *,
                       max_rest_days: int | None = None, ridge: float = 1e-4) -> FatigueEstimate:
    """:func:`matchday.decide.fatigue.estimate_uefa_fatigue` on the stored matches.

    leagues: domestic leagues whose matches are the outcomes (default the top five); seasons: default every
    season with UEFA dates in the store (:func:`uefa_seasons`); max_rest_days: default
    :data:`~matchday.decide.fatigue.SHORT_REST_DAYS`.
    """
    import pandas as pd

    from matchday.data.competitions import UEFA_CODES
    from matchday.decide.fatigue import SHORT_REST_DAYS, TOP5, estimate_uefa_fatigue

    leagues = list(leagues or TOP5)
    seasons = list(seasons) if seasons is not None else uefa_seasons(store)
    if not seasons:
        raise MatchdayError("no season with UEFA matches in the store: run `matchday sync` first")
    league = store.matches(leagues, seasons, played=True)
    if league.empty:
        raise MatchdayError(f"no played {', '.join(leagues)} matches stored for {', '.join(seasons)}")
    lo, hi = league["date"].min() - pd.Timedelta(days=30), league["date"].max()
    uefa = store.matches(list(UEFA_CODES), None, played=None, since=lo.date(), until=hi.date())
    return estimate_uefa_fatigue(league, uefa, max_rest_days=max_rest_days or SHORT_REST_DAYS, ridge=ridge)
