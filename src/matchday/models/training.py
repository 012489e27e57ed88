"""Which stored matches a model learns from, for a forecast made on a given date.

Default: the last three seasons of every stored league plus the UEFA club competitions, so that one fit
puts every club on one scale (Atalanta v Liverpool is a real forecast) and promoted clubs bring their
second-tier form with them. Only matches played on or before ``as_of`` are returned: "as of D" means
after the last match of day D, the same meaning the league table uses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from matchday.data.competitions import COMPETITIONS
from matchday.data.seasons import season_of_date, season_start_year

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from matchday.data.store import Store
    from matchday.models.interface import ScoreModel

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
              params: Mapping[str, Any] | None = None) -> ScoreModel:
    """The model ``name`` of :data:`matchday.models.MODELS` (constructed with ``params``) fitted on
    :func:`training_frame`: every stored competition's matches of the last three seasons, dated on or
    before ``as_of`` (after the last match of that day).

    This is the entry point for "a model as of a date": the CLI, the report writers and the web layer call
    it; a fitted-model cache can key on (name, params, as_of, the store's content).
    """
    from matchday.data.errors import UnknownChoiceError
    from matchday.models import MODELS

    if name not in MODELS:
        raise UnknownChoiceError("model", name, sorted(MODELS))
    frame = training_frame(store, as_of, competitions=competitions)
    return MODELS[name](**dict(params or {})).fit(frame, as_of=as_of)
