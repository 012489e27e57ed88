"""Which stored matches a model learns from, for a forecast made on a given date.

Default: the last three seasons of every stored league plus the UEFA club competitions, so that one fit
puts every club on one scale (Atalanta v Liverpool is a real forecast) and promoted clubs bring their
second-tier form with them. Only matches played on or before ``as_of`` are returned: "as of D" means
after the last match of day D, the same meaning the league table uses.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from matchday.data.competitions import COMPETITIONS
from matchday.data.seasons import season_of_date, season_start_year

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from matchday.data.store import Store
    from matchday.models.interface import ScoreModel
    from matchday.models.league_prior import LeaguePrior, PriorChain

DEFAULT_SEASONS_BACK = 3


def training_seasons(as_of: dt.date, seasons_back: int = DEFAULT_SEASONS_BACK) -> list[str]:
    """The season running on ``as_of`` and the ``seasons_back - 1`` before it."""
    last = season_start_year(season_of_date(as_of))
    return [f"{y}-{(y + 1) % 100:02d}" for y in range(last - seasons_back + 1, last + 1)]


def training_window(as_of: dt.date, seasons_back: int = DEFAULT_SEASONS_BACK) -> list[str]:
    """The seasons :func:`training_frame` reads: :func:`training_seasons` and the season after them, whose
    early qualifying rounds can start before July (champs.csv's June matches: a club whose only match so
    far is one of them must be known to the model); matches after ``as_of`` are dropped anyway."""
    seasons = training_seasons(as_of, seasons_back)
    start = season_start_year(seasons[-1]) + 1
    return [*seasons, f"{start}-{(start + 1) % 100:02d}"]


def training_frame(
    store: Store,
    as_of: dt.date,
    *,
    competitions: list[str] | None = None,
    seasons_back: int = DEFAULT_SEASONS_BACK,
) -> pd.DataFrame:
    """Played matches dated on or before ``as_of`` from the given competitions (default: all stored), in the
    seasons of :func:`training_seasons`. Results the league awarded (status ``awarded``: a score nobody
    played) are left out; ``frame.attrs["left_out"]`` counts them (``{"awarded": n}``)."""
    comps = competitions or list(COMPETITIONS)
    seasons = training_seasons(as_of, seasons_back)
    frame = store.matches(comps, training_window(as_of, seasons_back), played=True, until=as_of)
    awarded = frame["status"].eq("awarded") if "status" in frame else None
    if awarded is not None and awarded.any():
        frame = frame[~awarded].reset_index(drop=True)
    if frame.empty:
        from matchday.data.errors import MatchdayError

        latest = store.matches(comps, None, played=True)
        where = f"in the store at {store.path}"
        if latest.empty:
            raise MatchdayError(f"no played matches of {', '.join(comps)} {where}; run `matchday sync` first")
        first, last = (latest["date"].min().date().isoformat(), latest["date"].max().date().isoformat())
        raise MatchdayError(
            f"no played matches of {seasons[0]} to {seasons[-1]} (the training window) on or before "
            f"{as_of.isoformat()} {where}, which holds played matches from {first} to {last}; "
            "pick a date in that range"
        )
    frame.attrs["left_out"] = {"awarded": int(awarded.sum()) if awarded is not None else 0}
    return frame


def fit_model(name: str, store: Store, as_of: dt.date, *, competitions: list[str] | None = None,
              params: Mapping[str, Any] | None = None, carry_league_prior: bool = True) -> ScoreModel:
    """The model ``name`` of :data:`matchday.models.MODELS` (constructed with ``params``) fitted on
    :func:`training_frame`: every stored competition's matches of the last three seasons, dated on or
    before ``as_of`` (after the last match of that day).

    A goal model (a model with a ``league_prior`` parameter) also gets, unless ``params`` sets one or
    ``carry_league_prior`` is False, the prior on its league strength offsets carried from the earlier,
    non-overlapping training windows in the store (:func:`league_prior_from_store`), so a window with
    few cross-league matches keeps the scale of the earlier ones. Elo (``league_ratings``) gets the
    starting rating of each league from the same offsets (Dixon-Coles', as they stood when the window
    begins), so that its leagues do not all start level.

    This is the entry point for "a model as of a date": the CLI, the report writers and the web layer call
    it; a fitted-model cache can key on (name, params, as_of, the store's content).
    """
    from matchday.models import MODELS, checked_model_name

    checked_model_name(name)
    frame = training_frame(store, as_of, competitions=competitions)
    settings = dict(params or {})
    model = MODELS[name](**settings)
    model, frame = prepare_fit(model, name, store, as_of, frame, competitions=competitions, settings=settings,
                               carry_league_prior=carry_league_prior)
    return model.fit(frame, as_of=as_of)


def carries_league_prior(model: Any, settings: Mapping[str, Any]) -> bool:
    """Whether a fit of ``model`` (built with ``settings``) gets what earlier windows say about the leagues:
    a goal model's carried offset prior, Elo's league starting ratings (unless ``settings`` set them)."""
    params = model.get_params()
    return any(key in params and settings.get(key) is None for key in ("league_prior", "league_ratings"))


def prepare_fit(model: Any, name: str, store: Store, as_of: dt.date, frame: pd.DataFrame, *,
                competitions: Sequence[str] | None = None, settings: Mapping[str, Any] | None = None,
                carry_league_prior: bool = True) -> tuple[Any, pd.DataFrame]:
    """What a fit of ``model`` (``MODELS[name](**settings)``) as of ``as_of`` needs beyond its training frame,
    one place for :func:`fit_model` and :func:`matchday.workflows.fit_or_load`:

    * a goal model (a ``league_prior`` parameter) gets the league-offset prior carried from the earlier,
      non-overlapping windows of the store (:func:`league_prior_from_store`); a model whose cross-league
      scale is its goal model's (``league_prior_source()``: combined) gets that goal model's;
    * Elo (``league_ratings``) gets each league's starting rating from Dixon-Coles' carried offsets;
    * a model that ``needs_market`` (with-market) gets the closing 1X2 prices of the training matches.
    """
    settings = dict(settings or {})
    comps = list(competitions) if competitions else None
    params = model.get_params()
    if carry_league_prior and "league_prior" in params and settings.get("league_prior") is None:
        source, source_params = (model.league_prior_source() if hasattr(model, "league_prior_source")
                                 else (name, settings))
        model.set_params(league_prior=league_prior_from_store(source, store, as_of, competitions=comps,
                                                              params=source_params))
    if carry_league_prior and "league_ratings" in params and settings.get("league_ratings") is None:
        from matchday.models.elo import elo_starts_from_prior

        prior = league_prior_from_store("dixon-coles", store, as_of, competitions=comps)
        model.set_params(league_ratings=elo_starts_from_prior(prior, params["initial_rating"]))
    if getattr(model, "needs_market", False):  # with-market: the closing prices of the training matches
        from matchday.models.combined import attach_closing_market

        frame = attach_closing_market(frame, store.odds(frame["match_id"], market="1x2", closing=True))
    return model, frame


_CHAINS: OrderedDict[tuple[str, ...], PriorChain] = OrderedDict()
"""Prior chains by (store, its content, model, settings, competitions): a chain keeps the posterior of every
earlier window it fitted, so commands and walk-forward runs in one process fit each window once."""
_MAX_CHAINS = 4


def league_prior_from_store(name: str, store: Store, as_of: dt.date, *, competitions: list[str] | None = None,
                            params: Mapping[str, Any] | None = None) -> LeaguePrior | None:
    """The league-offset prior of a fit of ``name`` as of ``as_of``: the posterior of the previous
    non-overlapping training window (fitted the same way, with its own carried prior) drifted to ``as_of``
    (:class:`matchday.models.league_prior.PriorChain`). None when the store has no earlier window.

    Every as-of day of a season shares the earlier windows, so the chain is kept (:data:`_CHAINS`) for as long
    as the store's matches say the same (:meth:`~matchday.data.store.Store.match_content`): validate-ties'
    683 fits or a day of commands fit each earlier window once (a chain costs about four Dixon-Coles fits)."""
    from matchday.data.errors import MatchdayError
    from matchday.models import MODELS
    from matchday.models.cache import canonical
    from matchday.models.league_prior import PriorChain

    settings = {key: value for key, value in dict(params or {}).items() if key != "league_prior"}

    def loader(day: dt.date, seasons_back: int) -> pd.DataFrame | None:
        try:
            return training_frame(store, day, competitions=competitions, seasons_back=seasons_back)
        except MatchdayError:
            return None

    key = (str(store.path), store.match_content(), name, json.dumps(canonical(settings), sort_keys=True),
           ",".join(sorted(competitions or ())))
    chain = _CHAINS.pop(key, None)
    if chain is None:
        chain = PriorChain(lambda: MODELS[name](**settings), loader, seasons_back=DEFAULT_SEASONS_BACK)
    chain.loader = loader  # this call's store (the same content; the earlier store may be closed)
    _CHAINS[key] = chain
    while len(_CHAINS) > _MAX_CHAINS:
        _CHAINS.popitem(last=False)
    return chain.prior(as_of)
