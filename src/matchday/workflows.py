"""Store-backed entry points: read what a question needs from the store, then ask the layers below.

The command line, the report writers (:mod:`matchday.reports`) and a web layer share these, so that the
layers below never open the store themselves (decide, in particular, takes frames and a fitted model).

* :func:`fitted_model` - "the model as of a date", fitted once and then loaded from the fitted-model cache
  (:mod:`matchday.models.cache`) while the store's matches in its training window are unchanged; every
  command that needs a model gets it here (:func:`fit_or_load` also says whether it was cached);
* :func:`store_fingerprint` - the fingerprint of the store's matches in a training window;
* :func:`backtest_input` - the matches and 1X2 odds a walk-forward backtest or sweep of some leagues needs;
* :func:`calendar_from_store` - a club's remaining matches across competitions (:mod:`matchday.decide.calendar`);
* :func:`analyse_rotation` - rotation advice for a club as of a date; :func:`compare_dates` at several dates;
* :func:`fatigue_from_store` - the short-rest effect estimated from the stored league and UEFA matches.
"""

from __future__ import annotations

import datetime as dt
import hashlib
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
    from matchday.models.cache import CachedFit, ModelCache
    from matchday.models.interface import ScoreModel


# --------------------------------------------------------------------------------------------- fitted models
FINGERPRINT_EXCLUDED = ("source", "source_file", "source_line")
"""Columns of the store's ``matches`` table left out of the data fingerprint: where a row was read from, not
what it says (a match re-read from a renamed file is the same match)."""


def store_fingerprint(store: Store, competitions: Sequence[str], seasons: Sequence[str], until: dt.date) -> str:
    """Fingerprint of every stored match of ``competitions`` x ``seasons`` dated on or before ``until``: the rows a
    fit on that window can see (played or not), every column except :data:`FINGERPRINT_EXCLUDED`.

    Computed in the database (row count, XOR and sum of DuckDB's 64-bit hash of each row; ~10 ms for 17,000
    matches), so that a cached fit is found without reading the training frame. A new result, a corrected
    score, a changed status, date or team id of any match in the window changes it; matches outside the window
    do not. The DuckDB version is part of it (its hash function may change between versions: then every fit
    is made once more).
    """
    import duckdb

    columns = [row[0] for row in store.con.execute("DESCRIBE matches").fetchall()
               if row[0] not in FINGERPRINT_EXCLUDED]
    quoted = ", ".join(f'"{c}"' for c in columns)
    count, xor, total = store.con.execute(
        f"""SELECT count(*), coalesce(bit_xor(h), 0), coalesce(sum(h), 0) FROM (
                SELECT hash({quoted}) AS h FROM matches
                WHERE list_contains(?, competition) AND list_contains(?, season) AND date <= ?)""",
        [sorted(competitions), sorted(seasons), until]).fetchall()[0]
    text = f"{duckdb.__version__}|{','.join(columns)}|{count}|{xor}|{total}"
    return f"{count}:" + hashlib.sha256(text.encode()).hexdigest()[:24]


def fit_or_load(store: Store, model: str, as_of: dt.date, *, params: Mapping[str, Any] | None = None,
                competitions: Sequence[str] | None = None, seasons_back: int | None = None,
                cache: ModelCache | bool | None = None) -> CachedFit:
    """The model ``model`` (a name of :data:`matchday.models.MODELS`, built with ``params``) fitted on the
    store's matches up to ``as_of`` (:func:`matchday.models.training.training_frame`: every stored
    competition of the last three seasons by default), loaded from the fitted-model cache when the same model,
    configuration, as-of day and training data were fitted before.

    cache: a :class:`~matchday.models.cache.ModelCache`; None = the default one (``MATCHDAY_MODEL_CACHE``);
    False = no cache (fit, neither read nor write). The key is (name, ``get_params()``, as_of, training
    competitions and seasons, :func:`store_fingerprint` of that window).
    """
    import time

    from matchday.data.competitions import COMPETITIONS
    from matchday.data.errors import UnknownChoiceError
    from matchday.models import MODELS
    from matchday.models.cache import CachedFit, FitKey, ModelCache
    from matchday.models.training import DEFAULT_SEASONS_BACK, training_frame, training_seasons

    if model not in MODELS:
        raise UnknownChoiceError("model", model, sorted(MODELS))
    instance = MODELS[model](**dict(params or {}))
    back = DEFAULT_SEASONS_BACK if seasons_back is None else seasons_back
    comps = list(competitions) if competitions else list(COMPETITIONS)
    store_cache = ModelCache() if cache is None or cache is True else (cache or None)
    key = None
    if store_cache is not None:
        seasons = training_seasons(as_of, back)
        key = FitKey(model, instance.get_params(deep=False), as_of, tuple(sorted(comps)), tuple(sorted(seasons)),
                     store_fingerprint(store, comps, seasons, as_of))
        found = store_cache.load(key)
        if found is not None:
            return found
    started = time.perf_counter()
    frame = training_frame(store, as_of, competitions=comps, seasons_back=back)
    fitted = instance.fit(frame, as_of=as_of)
    seconds = time.perf_counter() - started
    path = None
    if store_cache is not None and key is not None:
        path = store_cache.save(key, fitted, n_matches=len(frame), fit_seconds=seconds)
    return CachedFit(fitted, key, False, seconds, len(frame), path)


def fitted_model(store: Store, model: str = "dixon-coles", as_of: dt.date | None = None, *,
                 params: Mapping[str, Any] | None = None, competitions: Sequence[str] | None = None,
                 seasons_back: int | None = None, cache: ModelCache | bool | None = None) -> ScoreModel:
    """:func:`fit_or_load`'s model: the one function every command uses for "the model as of a date"
    (``as_of`` None = today)."""
    return fit_or_load(store, model, as_of or dt.date.today(), params=params, competitions=competitions,
                       seasons_back=seasons_back, cache=cache).model


def backtest_input(store: Store, competitions: Sequence[str], seasons: Sequence[str], history_seasons: int = 2
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(played matches, 1X2 odds) for walk-forward runs of ``competitions`` x ``seasons``: every league of their
    countries (promoted clubs bring their second-tier form) from ``history_seasons`` seasons before the first
    one to the last one."""
    from matchday.data.competitions import COMPETITIONS
    from matchday.data.seasons import season_start_year

    years = [season_start_year(s) for s in seasons]
    needed = [f"{y}-{(y + 1) % 100:02d}" for y in range(min(years) - history_seasons, max(years) + 1)]
    countries = {COMPETITIONS[c].country for c in competitions}
    train_codes = sorted({c.code for c in COMPETITIONS.values() if c.kind == "league" and c.country in countries})
    matches = store.matches(train_codes, needed, played=True)
    if matches.empty:
        raise MatchdayError(f"no matches stored for {', '.join(competitions)} {', '.join(seasons)}; run "
                            "`matchday sync` first")
    return matches, store.odds(matches["match_id"].tolist(), market="1x2")


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
    model: str = "dixon-coles",
    fitted: ScoreModel | None = None,
    n_sims: int = 20_000,
    seed: int = 0,
    cup_dates: Mapping[str, Sequence[dt.date]] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cache: ModelCache | bool | None = None,
) -> RotationAnalysis:
    """Rotation advice for ``club`` (id or name) as of ``as_of`` (end of that day), from the store.

    model / fitted: the model's name (:func:`fitted_model` on the matches up to ``as_of``, through ``cache``),
    or an already fitted one. Every other argument is :func:`matchday.decide.recommend.analyse_calendar`'s.
    """
    from matchday.decide.recommend import analyse_calendar

    calendar = calendar_from_store(store, club, as_of, cup_dates=cup_dates)
    model_name = model if fitted is None else f"{type(fitted).__name__} (given)"
    fitted = fitted if fitted is not None else fitted_model(store, model, as_of, cache=cache)
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
