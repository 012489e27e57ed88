"""Store-backed entry points: read what a question needs from the store, then ask the layers below.

The command line, the report writers (:mod:`matchday.reports`) and a web layer share these, so that the
layers below never open the store themselves (decide, in particular, takes frames and a fitted model).

* :func:`fit_from_store` - the model as of a date with the
  :class:`~matchday.models.provenance.TrainingProvenance` of its training window (the one fit path), fitted
  once and then loaded from the fitted-model cache (:mod:`matchday.models.cache`) while the store's matches
  in its training window are unchanged; :func:`fit_or_load` also says whether it was cached, and
  :func:`fitted_model` gives the model alone;
* :func:`store_fingerprint` - the fingerprint of the store's matches in a training window;
* :func:`latest_played_date` - the default "as of" of a question: the last day with a played match;
* :func:`backtest_input` - the matches and 1X2 odds a walk-forward backtest or sweep of some leagues needs;
* :func:`calendar_from_store` - a club's remaining matches across competitions (:mod:`matchday.decide.calendar`);
* :func:`analyse_rotation` - rotation advice for a club as of a date; :func:`compare_dates` at several dates;
* :func:`fatigue_from_store` - the short-rest effect estimated from the stored league and UEFA matches;
* :func:`uefa_season_from_store` - a UEFA competition of the league-phase format (2024-25 on) simulated
  from a date: league-phase odds, then the knockout phase by position (:mod:`matchday.simulate.uefa_season`);
* :func:`resolve_club` - a club's id from any name, provisional (unregistered) clubs of the store included;
* :func:`tie_from_store` - a knockout tie on a date, store first (played legs, finished ties), with the tie
  model's odds (:mod:`matchday.simulate.tie_model`, the function ``validate-ties`` scores).
* :func:`tie_odds` - a knockout tie's exact odds under explicit rules (what-if rules; the tie model itself,
  with each season's rules, extra-time factor and shoot-out model, is ``tie_model.forecast_tie``);
  :func:`bracket_state` and :func:`refuse_bracket_before_round_of_16` - the bracket simulator's starting point;
* :func:`matchday_dates` and :func:`chances_by_matchday` - title / places / relegation chances at the end of
  every matchday of a season, the model refitted on what was known then;
* :func:`stored_market` - the market's view of a stored match (1X2, totals, Asian handicaps, margin removed);
* :func:`backtest_runs` and :func:`backtest_from_store` - walk-forward backtests read back from the forecasts log;
* :func:`track_record_from_store` - the graded track record of logged forecasts (``matchday track-record``).

User input (dates, competitions, seasons, clubs, first-leg text) is resolved by :mod:`matchday.inputs`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from matchday import inputs
from matchday.data.errors import MatchdayError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from matchday.data.store import Store
    from matchday.decide.calendar import Calendar
    from matchday.decide.fatigue import FatigueEstimate, FatigueModel
    from matchday.decide.recommend import RotationAnalysis
    from matchday.decide.squad import LineupStrength, Squad
    from matchday.decide.strategies import Plan
    from matchday.evaluate.backtest import BacktestResult
    from matchday.models.cache import CachedFit, ModelCache
    from matchday.models.interface import ScoreModel
    from matchday.models.provenance import TrainingProvenance
    from matchday.simulate.tie_play import KnockoutParams
    from matchday.simulate.ties import TieResult
    from matchday.simulate.uefa_season import UefaSimulation


# --------------------------------------------------------------------------------------------- fitted models
def store_fingerprint(store: Store, competitions: Sequence[str], seasons: Sequence[str], until: dt.date) -> str:
    """Fingerprint of every stored match of ``competitions`` x ``seasons`` dated on or before ``until``: the rows a
    fit on that window can see (played or not; :meth:`~matchday.data.store.Store.match_content`), so that a
    cached fit is found without reading the training frame. Matches outside the window do not count."""
    return store.match_content(competitions, seasons, until)


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
    from matchday.models import MODELS, checked_model_name
    from matchday.models.cache import CachedFit, FitKey, ModelCache
    from matchday.models.provenance import TrainingProvenance
    from matchday.models.training import (
        DEFAULT_SEASONS_BACK,
        carries_league_prior,
        prepare_fit,
        training_frame,
        training_seasons,
    )

    checked_model_name(model)
    instance = MODELS[model](**dict(params or {}))
    back = DEFAULT_SEASONS_BACK if seasons_back is None else seasons_back
    comps = list(competitions) if competitions else list(COMPETITIONS)
    store_cache = ModelCache() if cache is None or cache is True else (cache or None)
    settings = dict(params or {})
    carried = carries_league_prior(instance, settings)
    key = None
    if store_cache is not None:
        seasons = training_seasons(as_of, back)
        data = store_fingerprint(store, comps, seasons, as_of)
        if carried:  # the carried league prior rests on every earlier season too
            data += "|carried prior:" + store.match_content(comps, None, as_of)
        key = FitKey(model, instance.get_params(deep=False), as_of, tuple(sorted(comps)), tuple(sorted(seasons)), data)
        found = store_cache.load(key)
        if found is not None:
            return found
    started = time.perf_counter()
    frame = training_frame(store, as_of, competitions=comps, seasons_back=back)
    instance, frame = prepare_fit(instance, model, store, as_of, frame, competitions=comps, settings=settings)
    fitted = instance.fit(frame, as_of=as_of)
    seconds = time.perf_counter() - started
    provenance = TrainingProvenance.from_frame(model, frame, as_of, training_seasons(as_of, back), params=params,
                                               left_out=frame.attrs.get("left_out"))
    path = None
    if store_cache is not None and key is not None:
        path = store_cache.save(key, fitted, n_matches=len(frame), fit_seconds=seconds, provenance=provenance)
    return CachedFit(fitted, key, False, seconds, len(frame), path, provenance=provenance)


def fitted_model(store: Store, model: str = inputs.DEFAULT_MODEL, as_of: dt.date | None = None, *,
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


class FittedModel(NamedTuple):
    """A fitted model and what it rests on (unpacks as ``model, provenance = fit_from_store(...)``)."""

    model: ScoreModel
    provenance: TrainingProvenance


def fit_from_store(store: Store, model: str, as_of: dt.date, *, competitions: list[str] | None = None,
                   params: Mapping[str, Any] | None = None, cache: ModelCache | bool | None = None) -> FittedModel:
    """The model ``model`` of :data:`matchday.models.MODELS` (constructed with ``params``) fitted on
    :func:`~matchday.models.training.training_frame` (every stored competition's matches of the model's
    window, dated on or before ``as_of``, awarded results left out), and the
    :class:`~matchday.models.provenance.TrainingProvenance` computed from that same frame; through the
    fitted-model ``cache`` (:func:`fit_or_load`), which keeps the provenance beside the model.

    This is the fit path of the command line, the report writers, the rotation advice and the web layer.
    """
    found = fit_or_load(store, model, as_of, params=params, competitions=competitions, cache=cache)
    return FittedModel(found.model, found.provenance)


def model_label(fitted: ScoreModel) -> str:
    """The registry name of a fitted model's class (``dixon-coles``), for text a user reads."""
    from matchday.models import MODELS

    return next((name for name, cls in MODELS.items() if type(fitted) is cls), type(fitted).__name__)


def latest_played_date(store: Store, competitions: Sequence[str] | None = None, seasons: Sequence[str] | None = None,
                       teams: Sequence[str] | None = None) -> dt.date | None:
    """The last day with a played match of those competitions / seasons / clubs in the store (None when
    there is none): the default "as of" of a question, so that the answer rests on the latest data stored
    rather than on today's date."""
    frame = store.matches(list(competitions) if competitions else None, list(seasons) if seasons else None,
                          played=True, teams=list(teams) if teams else None)
    if frame.empty:
        return None
    return frame["date"].max().date()


def resolve_club(store: Store, club: str) -> str:
    """A team id from an id or any known name, provisional (unregistered) clubs of the store included:
    :func:`matchday.inputs.club` with the store (clear error naming the closest clubs when unknown)."""
    return inputs.club(club, store)


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
    model: str = inputs.DEFAULT_MODEL,
    fitted: ScoreModel | FittedModel | None = None,
    n_sims: int = 20_000,
    seed: int = 0,
    cup_dates: Mapping[str, Sequence[dt.date]] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cache: ModelCache | bool | None = None,
) -> RotationAnalysis:
    """Rotation advice for ``club`` (id or name) as of ``as_of`` (end of that day), from the store.

    model / fitted: the model's name (:func:`fit_from_store` on the matches up to ``as_of``, through ``cache``), or an already fitted one
    (a :class:`FittedModel` from :func:`fit_from_store` keeps its provenance; a bare model has none).
    Every other argument is :func:`matchday.decide.recommend.analyse_calendar`'s.
    """
    from matchday.decide.recommend import analyse_calendar

    calendar = calendar_from_store(store, club, as_of, cup_dates=cup_dates)
    if isinstance(fitted, tuple):  # a FittedModel: the model and its provenance
        fitted, provenance = fitted
    elif fitted is None:
        fitted, provenance = fit_from_store(store, model, as_of, cache=cache)
    else:
        provenance = None
    model_name = provenance.model if provenance is not None else model_label(fitted)
    involved = set(calendar.league_matches["home"]) | set(calendar.league_matches["away"])
    cup = calendar.cup
    if cup is not None:
        involved |= set(cup.clubs) if hasattr(cup, "clubs") else {t for tie in cup.ties for t in (tie.home, tie.away)}
    return analyse_calendar(calendar, fitted, weights=weights, plans=plans, squad=squad, gap=gap, fatigue=fatigue,
                            n_sims=n_sims, seed=seed, model_name=model_name, team_names=team_names(store, involved),
                            progress=progress, provenance=provenance)


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


def uefa_season_from_store(
    store: Store,
    competition: str,
    season: str,
    as_of: dt.date | None,
    *,
    model: str = inputs.DEFAULT_MODEL,
    fitted: ScoreModel | None = None,
    n_sims: int = 20_000,
    seed: int = 0,
    knockout: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> UefaSimulation:
    """:func:`matchday.simulate.uefa_season.simulate_uefa_season` on the stored matches of a UEFA
    competition season of the league-phase format (2024-25 on), as known at the end of ``as_of``.

    model / fitted: the model's name (fitted here on the matches up to ``as_of``) or a fitted model.
    as_of None: the date of the latest stored result of the competition season.
    """
    from matchday.data.competitions import resolve_competition
    from matchday.data.seasons import normalize_season
    from matchday.rules.uefa_format import has_league_phase
    from matchday.simulate.uefa_season import simulate_uefa_season

    code = resolve_competition(competition).code
    season = normalize_season(season)
    if not has_league_phase(code, season):
        raise MatchdayError(f"{code} {season} has no league phase (group-stage format before 2024-25); "
                            f"use `matchday bracket {code} {season}` for its knockout rounds")
    matches = store.matches([code], [season])
    if matches.empty:
        raise MatchdayError(f"no {code} {season} matches in the store at {store.path}; run `matchday sync {code}`")
    as_of = as_of or latest_result_date(matches)
    fitted = fitted if fitted is not None else fitted_model(store, model, as_of)
    names = team_names(store, sorted(set(matches["home"]) | set(matches["away"])))
    return simulate_uefa_season(matches, fitted, code, season, as_of=as_of, n_sims=n_sims, seed=seed,
                                knockout=knockout, names=names, progress=progress)


def latest_result_date(matches: pd.DataFrame) -> dt.date:
    """The date of the latest played match in a match frame: what "as of the latest data" means."""
    import pandas as pd

    played = matches[matches["home_goals"].notna()]
    if played.empty:
        raise MatchdayError("no played match stored yet: give --as-of")
    return pd.Timestamp(played["date"].max()).date()


# ---------------------------------------------------------------------------------------------------
# The track record
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackRecord:
    """The graded track record (:mod:`matchday.evaluate.track_record`) as ``matchday track-record`` shows it.

    graded: one row per graded forecast (after the model / competition filters); summary: per competition and
    model (and ``all``); calibration: the reliability table of every graded 1X2 probability; pending: forecasts
    waiting for a result; unlinked: forecasts about matches not in the store; backtests: walk-forward backtest
    forecasts in the log (kept apart unless included); caption: those counts in one sentence.
    """

    graded: pd.DataFrame
    summary: pd.DataFrame
    calibration: pd.DataFrame
    pending: int
    unlinked: int
    backtests: int
    include_backtests: bool

    @property
    def caption(self) -> str:
        return (f"{len(self.graded):,} graded forecasts; {self.pending:,} waiting for a result; {self.unlinked:,} about "
                "matches not in the store" + ("" if self.include_backtests else
                                              f"; {self.backtests:,} backtest forecasts kept apart (--backtests)")
                + "; rps_vs_market < 0: better than the market on the same matches")


def track_record_from_store(store: Store, *, model: str | None = None, competition: str | None = None,
                            since: dt.date | None = None, live_only: bool = False,
                            include_backtests: bool = False) -> TrackRecord:
    """The forecasts logged before their matches, graded once the results are stored
    (:func:`~matchday.evaluate.track_record.graded_forecasts`), only ``model``'s and ``competition``'s (a code or
    name) when given, with :func:`~matchday.evaluate.track_record.track_record` and its calibration table: what
    ``matchday track-record`` prints and the web's track record serves."""
    from matchday.data.competitions import resolve_competition
    from matchday.evaluate.track_record import graded_forecasts, track_record, track_record_calibration

    graded = graded_forecasts(store, include_backtests=include_backtests, live_only=live_only, since=since)
    counts = {k: int(graded.attrs.get(k, 0)) for k in ("pending", "unlinked", "backtests")}
    if model:
        graded = graded[graded["model"] == model]
    if competition:
        graded = graded[graded["competition"] == resolve_competition(competition).code]
    return TrackRecord(graded, track_record(graded), track_record_calibration(graded), counts["pending"],
                       counts["unlinked"], counts["backtests"], include_backtests)


# ---------------------------------------------------------------------------------------------------
# Knockout ties and brackets
# ---------------------------------------------------------------------------------------------------


def tie_odds(model: ScoreModel, team_a: str, team_b: str, *, competition: str | None, params: KnockoutParams,
             first_leg_score: tuple[int, int] | None = None, final: bool = False,
             teams: tuple[str, str] | None = None) -> TieResult:
    """Exact odds of the knockout tie between ``team_a`` and ``team_b`` (team ids; A hosts the first leg),
    from a fitted model's 90-minute grids: who goes through and how (no Monte Carlo error).

    competition: picks the model's home advantage (a UEFA code). params: the tie's rules and extra-time /
    shoot-out model (``KnockoutParams(rules=tie_rules(season, competition))``). first_leg_score: (A's goals,
    B's goals) of a played first leg. final: one match at a neutral venue instead of two legs. teams: the
    sides' display names in the result (default the ids).
    """
    from matchday.simulate.ties import exact_single_match_tie, exact_two_legged_tie

    teams = teams or (team_a, team_b)
    if final:
        grid = model.predict(team_a, team_b, neutral=True, competition=competition)
        return exact_single_match_tie(grid, params=params, teams=teams)
    leg1 = model.predict(team_a, team_b, competition=competition)
    leg2 = model.predict(team_b, team_a, competition=competition)
    return exact_two_legged_tie(leg1, leg2, first_leg_score=first_leg_score, params=params, teams=teams)


def bracket_state(matches: pd.DataFrame, code: str, season: str, as_of: dt.date) -> tuple[Any, list, list, dict]:
    """Where a cup's bracket stands at the end of ``as_of``, as the CLI's ``bracket`` and the web read it:
    (first round to simulate, its ties, the later rounds, the draws known then
    (:func:`~matchday.simulate.knockout_state.pairings_known_as_of`)). A bracket that starts before the round
    of 16 of a league-phase season is refused (:func:`refuse_bracket_before_round_of_16`); a season with
    nothing left to play is the error :func:`~matchday.simulate.knockout_state.bracket_from_store` raises."""
    from matchday.rules.uefa_format import has_league_phase
    from matchday.simulate.knockout_state import bracket_from_store, pairings_known_as_of

    league_phase = has_league_phase(code, season)
    draws = pairings_known_as_of(matches, as_of)
    try:
        first_round, ties, later = bracket_from_store(matches, as_of, allow_entrants=not league_phase)
    except MatchdayError as error:
        if league_phase and "brings in" in str(error):
            refuse_bracket_before_round_of_16(code, season, "Knockout play-off", as_of, draws)
        raise
    refuse_bracket_before_round_of_16(code, season, first_round.name, as_of, draws)
    return first_round, ties, later, draws


def refuse_bracket_before_round_of_16(code: str, season: str, current: str, cutoff: dt.date,
                                      draws: Mapping[str, Any] | None = None) -> None:
    """From 2024-25 the clubs ranked 1-8 enter in the round of 16 by league position: a bracket that starts
    at the knockout play-offs (or in the league phase) is not simulated yet; say so instead of failing.
    draws: the rounds' draws known on ``cutoff`` (:func:`matchday.simulate.knockout_state.pairings_known_as_of`),
    to say from when the round-of-16 draw counts as known."""
    from matchday.rules.uefa_format import has_league_phase

    if current == "Knockout play-off" and has_league_phase(code, season):
        known = (draws or {}).get("Round of 16")
        when = (f"; its draw is taken as known from {known.known_from.isoformat()}, the eve of its first match"
                if known is not None and known.known_from is not None else "")
        raise MatchdayError(
            f"{code} {season} on {cutoff.isoformat()}: the round of 16 is not drawn yet (or its draw is not in the data"
            f"{when}), and a bracket from the knockout play-offs, fixed by league-phase position "
            "is not simulated here yet. Ask for a date from the round of 16 on."
        )


# ---------------------------------------------------------------------------------------------------
# A league season's chances, matchday by matchday
# ---------------------------------------------------------------------------------------------------


def matchday_dates(played: pd.DataFrame, n_teams: int, as_of: dt.date) -> list[tuple[float, dt.date]]:
    """(matchday, date) checkpoints of a league season up to ``as_of``: matchday k ends on the day the
    season's k * n_teams/2-th match is played (leagues have no round numbers in the data; postponed
    matches shift a checkpoint by at most a few days). Matchday 0 is the day before the first match; a
    last, fractional matchday (e.g. 2.5) ends on ``as_of`` when a matchday is under way then.

    played: the season's played matches (column ``date``); n_teams: clubs in the league.
    """
    import pandas as pd

    per_round = max(1, n_teams // 2)
    dates = sorted(pd.to_datetime(played["date"]).dt.date)
    dates = [d for d in dates if d <= as_of]
    out: list[tuple[float, dt.date]] = []
    if not dates:
        return out
    out.append((0, dates[0] - dt.timedelta(days=1)))
    for k in range(1, len(dates) // per_round + 1):
        day = dates[k * per_round - 1]
        if out[-1][1] == day:
            out[-1] = (k, day)
        else:
            out.append((k, day))
    if out[-1][1] < as_of and len(dates) % per_round:
        out.append((round(len(dates) / per_round, 1), as_of))  # part of a matchday since the last full one
    return out


def chances_by_matchday(
    store: Store,
    competition: str,
    season: str,
    as_of: dt.date,
    *,
    model: str = inputs.DEFAULT_MODEL,
    fit: Callable[[dt.date], ScoreModel] | None = None,
    n_sims: int = 5_000,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """P(title), P(top places), P(Europe), P(relegation) ... of every club of a stored league season at the end
    of each matchday up to ``as_of`` (:func:`matchday_dates`): the model refitted on the matches known that day
    and the rest of the season simulated ``n_sims`` times with ``seed`` (the same seed at every checkpoint).

    fit: the fitted model for a date (default :func:`~matchday.models.training.fit_model` of ``model``; a
    cache plugs in here). Returns (one row per checkpoint and club: ``matchday``, ``date``, ``team`` and the
    simulation's ``p_`` columns, every club of the season at every checkpoint, 0 where it cannot reach an
    outcome; the checkpoints skipped, each with the reason: a date at which the model cannot rate every
    club, e.g. a promoted club with no stored match yet).
    """
    import pandas as pd

    from matchday.simulate.season import simulate_season, split_fixtures

    fit = fit or (lambda day: fitted_model(store, model, day))
    matches = store.matches([competition], [season])
    if matches.empty:
        raise MatchdayError(f"no {competition} matches stored for {season}; run `matchday sync {competition}`")
    teams = sorted(set(matches["home"]) | set(matches["away"]))
    played, _ = split_fixtures(matches, as_of)
    checkpoints = matchday_dates(played, len(teams), as_of)
    frames, skipped = [], []
    for k, (matchday, date) in enumerate(checkpoints):
        try:
            result = simulate_season(matches, fit(date), competition, season, as_of=date, n_sims=n_sims, seed=seed)
        except MatchdayError as exc:
            skipped.append(f"matchday {matchday} ({date}) skipped: {exc}")
        else:
            summary = result.summary().set_index("team").reindex(teams)
            columns = [c for c in summary.columns if c.startswith("p_")]
            frame = summary[columns].fillna(0.0).reset_index()
            frame.insert(0, "date", date)
            frame.insert(0, "matchday", matchday)
            frames.append(frame)
        if progress:
            progress(k + 1, len(checkpoints))
    if not frames:
        return pd.DataFrame(columns=["matchday", "date", "team"]), skipped
    return pd.concat(frames, ignore_index=True), skipped


# ---------------------------------------------------------------------------------------------------
# The market on a stored match
# ---------------------------------------------------------------------------------------------------

TWO_WAY_SELECTIONS: dict[str, tuple[str, str]] = {"ou": ("over", "under"), "ah": ("home", "away")}


def two_way_market(odds: pd.DataFrame, market: str) -> pd.DataFrame:
    """Margin-free two-way probabilities (``"ou"``: over/under at each line; ``"ah"``: Asian handicap home/away,
    the line being the home side's handicap), one row per stored book, closing flag and line.

    Multiplicative margin removal (two-way books carry little favourite-longshot bias). The ``Max`` pseudo-book
    (the best price over many books) is left out: no bookmaker offers it. Columns: ``bookmaker``, ``closing``,
    ``line``, ``price_<selection>`` and ``p_<selection>`` for both selections (the p columns sum to 1).
    """
    import numpy as np
    import pandas as pd

    from matchday.forecast.odds import remove_margin

    if market not in TWO_WAY_SELECTIONS:
        raise ValueError(f"market must be one of {', '.join(TWO_WAY_SELECTIONS)}; got {market!r}")
    first, second = TWO_WAY_SELECTIONS[market]
    columns = ["bookmaker", "closing", "line", f"price_{first}", f"price_{second}", f"p_{first}", f"p_{second}"]
    rows = odds[(odds["market"] == market) & (odds["bookmaker"] != "Max") & odds["selection"].isin([first, second])]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    rows = rows.assign(closing=rows["closing"].fillna(False).astype(bool),
                       price=pd.to_numeric(rows["price"], errors="coerce"))
    books = (rows.drop_duplicates(["bookmaker", "closing", "line", "selection"])
             .pivot(index=["bookmaker", "closing", "line"], columns="selection", values="price")
             .reindex(columns=[first, second]))
    prices = books.to_numpy(dtype=float)
    complete = np.isfinite(prices).all(axis=1) & (prices > 1.0).all(axis=1)
    books, prices = books[complete], prices[complete]
    probabilities = remove_margin(prices, "multiplicative").probabilities if len(prices) else np.empty((0, 2))
    out = books.index.to_frame(index=False)
    out["line"] = out["line"].astype(float)
    out[f"price_{first}"], out[f"price_{second}"] = prices[:, 0], prices[:, 1]
    out[f"p_{first}"], out[f"p_{second}"] = probabilities[:, 0], probabilities[:, 1]
    return out[columns]


def stored_market(store: Store, match_id: str) -> dict[str, pd.DataFrame]:
    """The market's view of one stored match, margin removed: ``"one_x_two"`` (the pre-match and the closing
    book that :func:`~matchday.evaluate.market.market_probabilities` picks, column ``kind``), ``"totals"`` and
    ``"asian_handicap"`` (:func:`two_way_market`). Empty frames where no odds are stored."""
    import pandas as pd

    from matchday.evaluate.market import market_probabilities

    odds = store.odds([match_id])
    one_x_two = [market_probabilities(odds, kind).assign(kind=kind) for kind in ("pre", "closing")] if len(odds) else []
    return {"one_x_two": pd.concat(one_x_two, ignore_index=True) if one_x_two else pd.DataFrame(),
            "totals": two_way_market(odds, "ou"), "asian_handicap": two_way_market(odds, "ah")}


# ---------------------------------------------------------------------------------------------------
# Backtests in the forecasts log
# ---------------------------------------------------------------------------------------------------


def _log_source(details: Any) -> str | None:
    import json

    try:
        return json.loads(details).get("source") if isinstance(details, str) else None
    except (ValueError, AttributeError):
        return None


def _backtest_rows(log: pd.DataFrame) -> pd.DataFrame:
    return log[[_log_source(d) == "backtest" for d in log["details"]]] if len(log) else log


def backtest_runs(store: Store) -> pd.DataFrame:
    """The walk-forward backtests that ``matchday backtest`` saved in the store's forecasts log, newest first:
    ``run_id``, ``created_at``, ``models`` and ``competitions`` (sorted lists), ``forecasts`` (rows)."""
    import pandas as pd

    rows = _backtest_rows(store.forecasts())
    columns = ["run_id", "created_at", "models", "competitions", "forecasts"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    runs = [{"run_id": str(run_id), "created_at": group["created_at"].max(), "models": sorted(group["model"].unique()),
             "competitions": sorted(group["competition"].dropna().unique()), "forecasts": len(group)}
            for run_id, group in rows.groupby("run_id", sort=False)]
    return pd.DataFrame(runs, columns=columns).sort_values("created_at", ascending=False, ignore_index=True)


def backtest_from_store(store: Store, run_id: str) -> BacktestResult:
    """One saved backtest run read back from the forecasts log as a
    :class:`~matchday.evaluate.backtest.BacktestResult` (its ``forecasts`` only: the fits and timings are not
    logged), so that ``summary()``, ``compare()``, ``report()`` and ``calibration()`` give the numbers the
    run printed. The scores are the ones the run logged; the match dates (and ISO weeks, the clusters of the
    paired standard errors) come from the stored matches."""
    import json

    import pandas as pd

    from matchday.evaluate.backtest import FORECAST_COLUMNS, BacktestResult, iso_week_labels

    rows = _backtest_rows(store.forecasts(run_id))
    if rows.empty:
        runs = backtest_runs(store)["run_id"].tolist()
        raise MatchdayError(f"no backtest run {run_id!r} in the forecasts log; runs: "
                            + (", ".join(runs) or "(none: run `matchday backtest`)"))
    details = pd.DataFrame([json.loads(d) for d in rows["details"]], index=rows.index)
    codes = sorted(rows["competition"].dropna().unique())
    dates = store.matches(codes).set_index("match_id")["date"]
    frame = pd.DataFrame({
        "match_id": rows["match_id"], "competition": rows["competition"], "season": details["season"],
        "date": rows["match_id"].map(dates), "block": details["block"], "as_of": rows["as_of"],
        "home": rows["home_id"], "away": rows["away_id"], "model": rows["model"], "p_home": rows["p_home"],
        "p_draw": rows["p_draw"], "p_away": rows["p_away"],
        "outcome": pd.to_numeric(details["outcome"], errors="coerce"),
        **{metric: pd.to_numeric(details[metric], errors="coerce") for metric in ("rps", "log_loss", "brier")},
        "imputed": details["imputed"].fillna(False).astype(bool),
    })
    known = frame["date"].notna()  # a match deleted since the run: its week is unknown ("?", one cluster)
    frame["week"] = "?"
    if known.any():
        frame.loc[known, "week"] = iso_week_labels(frame.loc[known, "date"])
    return BacktestResult(forecasts=frame[list(FORECAST_COLUMNS)].reset_index(drop=True), fits=pd.DataFrame(),
                          settings={"run_id": run_id})


# --------------------------------------------------------------------------------------------------------
# Knockout ties, store first
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TieLeg:
    """One stored match of a tie. ``played``: its result is known at the end of the as-of day."""

    date: dt.date
    home: str
    away: str
    home_goals: int | None
    away_goals: int | None
    aet_home_goals: int | None
    aet_away_goals: int | None
    pen_home: int | None
    pen_away: int | None
    played: bool
    source_file: str | None
    source_line: int | None

    def score(self, names: Mapping[str, str] | None = None) -> str:
        """``Liverpool 0-3 Atalanta`` (with extra time and penalties when played)."""
        names = names or {}
        home, away = names.get(self.home, self.home), names.get(self.away, self.away)
        if self.home_goals is None:
            return f"{home} v {away}"
        text = f"{home} {self.home_goals}-{self.away_goals} {away}"
        if self.aet_home_goals is not None:
            text += f" ({self.aet_home_goals}-{self.aet_away_goals} a.e.t."
            text += f", {self.pen_home}-{self.pen_away} pens)" if self.pen_home is not None else ")"
        return text

    def where(self) -> str:
        """The source file and line that holds the leg (for messages)."""
        if not self.source_file:
            return "the store"
        name = str(self.source_file).rstrip("/").split("/")[-2:]
        return "/".join(name) + (f" line {self.source_line}" if self.source_line else "")


@dataclass(frozen=True)
class TieForecast:
    """The tie model's odds at one as-of date: ``label`` says which moment ("now", "before leg 1", ...)."""

    label: str
    as_of: dt.date
    first_leg: tuple[int, int] | None
    result: Any  # matchday.simulate.ties.TieResult


@dataclass(frozen=True)
class TieAnswer:
    """What ``matchday tie`` reports: the tie as the store holds it on ``as_of`` and the model's odds.

    team_a hosts the first leg (a single match: is written first); the stored order wins over the order
    the clubs were named in. round: None when the store holds no tie between the clubs in the season
    running on ``as_of`` (a hypothetical tie). first_leg / first_leg_from: the first-leg score used and
    where it came from ("store", "given", "given (not played by the as-of date)"). decided: for a tie
    finished on ``as_of``, a dict with winner, method (a name of ``METHOD_NAMES``), aggregate
    (A's goals, B's goals over both legs, 90 minutes each) and the legs' extra time and penalties;
    forecast: the odds on ``as_of`` (None when decided); before: with ``show_forecast``, what the model
    said before each played leg.
    """

    team_a: str
    team_b: str
    names: dict[str, str]
    competition: str
    season: str
    round: str | None
    final: bool
    legs: tuple[TieLeg, ...]
    first_leg: tuple[int, int] | None
    first_leg_from: str | None
    as_of: dt.date
    model: str
    decided: dict | None
    forecast: TieForecast | None
    before: tuple[TieForecast, ...] = ()
    notes: tuple[str, ...] = ()

    def situation(self) -> str:
        a, b = self.names[self.team_a], self.names[self.team_b]
        if self.decided is not None:
            return f"{self.names[self.decided['winner']]} went through"
        if self.first_leg is not None:
            return f"after {a} {self.first_leg[0]}-{self.first_leg[1]} {b}"
        return "single match, neutral venue" if self.final else f"{a} at home first"


def _int(value: Any) -> int | None:
    import pandas as pd

    return None if value is None or pd.isna(value) else int(value)


def _legs_of(rows: pd.DataFrame, as_of: dt.date) -> tuple[TieLeg, ...]:
    import pandas as pd

    legs = []
    for row in rows.sort_values("date").itertuples():
        date = pd.Timestamp(row.date).date()
        legs.append(TieLeg(
            date=date, home=row.home, away=row.away, home_goals=_int(row.home_goals), away_goals=_int(row.away_goals),
            aet_home_goals=_int(row.aet_home_goals), aet_away_goals=_int(row.aet_away_goals),
            pen_home=_int(row.pen_home), pen_away=_int(row.pen_away),
            played=row.home_goals is not None and not pd.isna(row.home_goals) and date <= as_of,
            source_file=getattr(row, "source_file", None), source_line=_int(getattr(row, "source_line", None)),
        ))
    return tuple(legs)


def _tie_odds(fitted: ScoreModel, a: str, b: str, *, season: str, competition: str, first_leg: tuple[int, int] | None,
              final: bool, names: Mapping[str, str]) -> Any:
    from matchday.simulate.tie_model import forecast_tie

    return forecast_tie(fitted, a, b, season=season, competition=competition, first_leg=first_leg, final=final,
                        teams=(names[a], names[b]))


def tie_from_store(
    store: Store,
    club_a: str,
    club_b: str,
    as_of: dt.date,
    *,
    model: str = inputs.DEFAULT_MODEL,
    first_leg: tuple[str, int, int, str] | None = None,
    final: bool = False,
    competition: str | None = None,
    show_forecast: bool = False,
    fitted: ScoreModel | None = None,
    cache: ModelCache | bool | None = None,
) -> TieAnswer:
    """A knockout tie on ``as_of`` (end of that day), store first, and the tie model's odds.

    The store's UEFA matches of the season running on ``as_of`` are searched for a tie between the two
    clubs: a leg played by ``as_of`` is used (a finished tie reports its result instead of odds), the
    stored order of legs fixes who hosts the first leg, and the stored competition its rules and home
    advantage. ``first_leg`` = (host, host's goals, visitor's goals, visitor) as typed: a score that
    contradicts a stored, played first leg is an error naming the stored result; one for a first leg not
    played by ``as_of`` is used as a hypothetical. Without a stored tie the tie is hypothetical
    (``club_a`` at home first; ``competition`` default UCL). ``show_forecast``: also the odds before each
    played leg (the model refitted as of the day before it). ``fitted``: a model already fitted as of
    ``as_of`` (else :func:`fitted_model`, through the fitted-model ``cache``). The odds are
    :func:`matchday.simulate.tie_model.forecast_tie`, the function the validation scores.
    """
    from matchday.data.competitions import UEFA_CODES, resolve_competition
    from matchday.data.seasons import season_of_date
    from matchday.simulate.knockout_state import decide_ties, pair_tie, pairings_known_as_of

    a, b = resolve_club(store, club_a), resolve_club(store, club_b)
    if a == b:
        raise MatchdayError(f"a tie needs two different clubs ({club_a!r} and {club_b!r} are the same club)")
    given = None
    if first_leg is not None:
        host, h, g, visitor = first_leg
        host, visitor = resolve_club(store, host), resolve_club(store, visitor)
        if {host, visitor} != {a, b}:
            raise MatchdayError(f"--first-leg names {host} and {visitor}, not the tie's clubs {a} and {b}")
        given = (host, int(h), int(g), visitor)
    season = season_of_date(as_of)
    wanted = resolve_competition(competition).code if competition else None
    uefa = store.matches(list(UEFA_CODES), [season], teams=[a])
    found = pair_tie(uefa, a, b)
    names = team_names(store, [a, b])
    notes: list[str] = []
    if found is None:
        comp = wanted or "UCL"
        if given is not None:
            a, b = given[0], given[3]
        notes.append(f"no {season} UEFA tie between these clubs is stored: a hypothetical tie")
        score = None if given is None else (given[1], given[2])
        fitted = fitted or fitted_model(store, model, as_of, cache=cache)
        result = _tie_odds(fitted, a, b, season=season, competition=comp, first_leg=score, final=final, names=names)
        return TieAnswer(a, b, names, comp, season, None, final, (), score, None if score is None else "given",
                         as_of, model, None, TieForecast("now", as_of, score, result), (), tuple(notes))

    comp, round_name = str(found["competition"]), str(found["round"])
    if wanted is not None and wanted != comp:
        raise MatchdayError(f"the store holds this tie in {comp} {season} ({round_name}), not {wanted}")
    legs = _legs_of(found["legs"], as_of)
    draw = pairings_known_as_of(uefa[uefa["competition"] == comp], as_of).get(round_name)
    if draw is not None and not draw.known and not legs[0].played:
        # the pairing was drawn after as_of: knowing it (or who hosts first) would use the future
        notes.append(f"the store holds a {comp} {season} {round_name.lower()} between these clubs, but its draw "
                     f"is not known on {as_of.isoformat()} ({draw.reason}): a hypothetical tie")
        if given is not None:
            a, b = given[0], given[3]
        score = None if given is None else (given[1], given[2])
        fitted = fitted or fitted_model(store, model, as_of, cache=cache)
        result = _tie_odds(fitted, a, b, season=season, competition=comp, first_leg=score, final=final, names=names)
        return TieAnswer(a, b, names, comp, season, None, final, (), score, None if score is None else "given",
                         as_of, model, None, TieForecast("now", as_of, score, result), (), tuple(notes))
    single = found["kind"] == "single"
    if final and not single:
        raise MatchdayError(f"--final: the store holds a two-legged {comp} {season} {round_name.lower()} between "
                            "these clubs")
    if single and not final:
        notes.append(f"the stored {round_name.lower()} is a single match at a neutral ground")
    a, b = legs[0].home, legs[0].away
    first = legs[0]
    score = (first.home_goals, first.away_goals) if first.played and not single else None
    source = "store" if score is not None else None
    if given is not None:
        if single:
            raise MatchdayError(f"--first-leg: the stored {comp} {season} {round_name.lower()} is a single match")
        stored_text = first.score(names)
        if first.played:
            if (given[0], given[3]) != (first.home, first.away) or (given[1], given[2]) != score:
                raise MatchdayError(
                    f"--first-leg '{names[given[0]]} {given[1]}-{given[2]} {names[given[3]]}' contradicts the stored "
                    f"first leg: {stored_text} on {first.date.isoformat()} ({comp} {season} {round_name}, "
                    f"{first.where()})")
            notes.append(f"--first-leg agrees with the stored result ({stored_text}, {first.date.isoformat()})")
        else:
            if (given[0], given[3]) != (first.home, first.away):
                raise MatchdayError(
                    f"--first-leg has {names[given[0]]} at home, but the stored first leg on "
                    f"{first.date.isoformat()} is {names[first.home]} v {names[first.away]} ({first.where()})")
            score, source = (given[1], given[2]), "given (not played by the as-of date)"
            notes.append(f"the first leg ({first.date.isoformat()}) was not played by {as_of.isoformat()}: the given "
                         "score is a hypothesis")
    elif score is not None:
        notes.append(f"first leg from the store: {first.score(names)} on {first.date.isoformat()}")

    decided = None
    if all(leg.played for leg in legs):
        decided = _decided(found, legs, as_of, decide_ties)
    before: list[TieForecast] = []
    if show_forecast:
        for number, leg in enumerate(legs):
            if not leg.played:
                break
            day = leg.date - dt.timedelta(days=1)
            known = None if number == 0 else (legs[0].home_goals, legs[0].away_goals)
            label = "before the match" if single else f"before leg {number + 1}"
            model_then = fitted_model(store, model, day, cache=cache)
            before.append(TieForecast(label, day, known, _tie_odds(model_then, a, b, season=season, competition=comp,
                                                                   first_leg=known, final=single, names=names)))
    forecast = None
    if decided is None:
        fitted = fitted or fitted_model(store, model, as_of, cache=cache)
        forecast = TieForecast("now", as_of, score, _tie_odds(fitted, a, b, season=season, competition=comp,
                                                              first_leg=score, final=single, names=names))
    return TieAnswer(a, b, names, comp, season, round_name, single, legs, score, source, as_of, model, decided,
                     forecast, tuple(before), tuple(notes))


def _decided(found: dict, legs: tuple[TieLeg, ...], as_of: dt.date, decide_ties: Callable) -> dict:
    """Winner, method and aggregate of a finished tie (the rule code of matchday.rules.knockout)."""
    from matchday.rules.knockout import match_winner

    first = legs[0]
    if found["tie"] is None:  # a single match
        decision = match_winner([first.home_goals], [first.away_goals],
                                [first.aet_home_goals if first.aet_home_goals is not None else float("nan")],
                                [first.aet_away_goals if first.aet_away_goals is not None else float("nan")],
                                [first.pen_home if first.pen_home is not None else float("nan")],
                                [first.pen_away if first.pen_away is not None else float("nan")])
        side = int(decision.winner[0])
        method = str(decision.method_names()[0])
        aggregate = (first.home_goals, first.away_goals)
    else:
        import pandas as pd

        row = decide_ties(pd.DataFrame([found["tie"]]), as_of).iloc[0]
        side, method = int(row["side"]), str(row["method"])
        aggregate = (int(row["agg_a"]), int(row["agg_b"]))
    if side < 0:
        raise MatchdayError(f"the stored results of {first.home} v {first.away} do not decide the tie")
    return {"winner": first.home if side == 0 else first.away, "method": method, "aggregate": aggregate}


def score_text(row: Any) -> str:
    """A played match's score as users read it: ``2-1``, ``1-1 (aet 2-1)``, ``1-1 (aet 1-1) (pens 4-3)``
    (``row``: a match record with home/away goals, a.e.t. goals and shoot-out scores)."""
    import pandas as pd

    text = f"{int(row.home_goals)}-{int(row.away_goals)}"
    if not pd.isna(row.aet_home_goals):
        text += f" (aet {int(row.aet_home_goals)}-{int(row.aet_away_goals)})"
    if not pd.isna(row.pen_home):
        text += f" (pens {int(row.pen_home)}-{int(row.pen_away)})"
    return text


def later_round_note(round_: Any, draws: Mapping[str, Any]) -> str:
    """How a bracket's later round is paired, in words (the caption of `matchday bracket` and the web's):
    drawn at random (and why), the two remaining sides, or the pairings as drawn."""
    if round_.open_draw:
        reason = draws[round_.name].reason if round_.name in draws else "not stored yet"
        return f"drawn at random ({reason})"
    if round_.pairings is None:
        return "the two remaining sides"
    return "pairings as drawn" + (f" ({draws[round_.name].reason})" if round_.name in draws else "")

