"""The web layer's one door into matchday's computation.

Every page and every ``/api/v1`` endpoint asks a :class:`Question` (a kind plus canonical parameters:
competition code, season, as-of date, model, simulations, seed, ...). :class:`Services` validates the
question (the same resolution functions and error types as the command line: unknown clubs, competitions,
seasons, dates and conditions raise :class:`~matchday.data.errors.MatchdayError` with the CLI's message),
then answers it with the same public functions the CLI calls, and returns a JSON-ready ``dict`` (a *view*).

This module is the only one in :mod:`matchday.web` that imports the layers below (data, rules, models,
forecast, simulate, decide, evaluate, workflows, inputs): when a lower layer changes only this file needs
adapting. User input is resolved by :mod:`matchday.inputs` (the command line's resolution, so messages are
identical); store-backed questions go through :mod:`matchday.workflows` (the CLI's entry points); models are
used through their contract only (``fit_from_store`` via :meth:`Services._fitted`, ``predict`` / ``predict_many``
returning a :class:`~matchday.models.grid.ScoreGrid`, ``ratings``), never through their fitted state.

Caching (the interface later work plugs into)
---------------------------------------------
* A view is cached under ``question.key(fingerprint)``: the question's canonical JSON text plus the store's
  *data fingerprint* (:meth:`StoreSource.fingerprint`, i.e. :func:`matchday.views.data_fingerprint`: a hash of
  what was imported, not of the file, so writing precomputed views into the store does not invalidate them).
* :class:`ResultCache` is the protocol (``get(key)``, ``put(key, value)``); :class:`MemoryCache` is the
  in-process LRU of answered questions.
* Precomputed views: ``Services(views=...)`` (default :class:`matchday.views.StoreViews` on the same store) holds
  the running-season views ``matchday update`` stored (one ``now`` view per competition season: table,
  projection, position matrix, league-phase and knockout odds, the basis of the fit). A season projection or a
  UEFA league-phase simulation whose question equals a stored view's (competition, season, as-of, model,
  simulations, seed) and data fingerprint is read from it (:meth:`Services.cached`) instead of simulated, and
  the defaults of a question about a competition season (as-of date, model, simulations, seed) are those of
  the newest fresh stored view that speaks for the competition's latest played match
  (:meth:`Services._defaults`); without one, the as-of date is the latest day with a played match of the
  competition season, as the CLI's.
* Fitted models come from :func:`matchday.workflows.fit_or_load`, exactly as the CLI gets them, through the
  on-disk fitted-model cache the CLI shares (``Services(fits=...)``: a :class:`~matchday.models.cache.ModelCache`,
  default ``ModelCache()``, i.e. ``MATCHDAY_MODEL_CACHE``; keyed by model, configuration, as-of date and the
  training window's data fingerprint), behind an in-process LRU of the fitted objects keyed by (model, as-of
  date, :meth:`StoreSource.fingerprint`). ``fits`` may instead be a plain :class:`ResultCache` (that LRU only,
  nothing on disk).

Heavy questions (kinds in :data:`HEAVY_KINDS`: season simulations, what-if, chances through the season,
brackets, rotation) are bounded by :class:`Limits` and run by :mod:`matchday.web.jobs`, once per distinct
question; everything else is answered inline.

Computations live below: the matchday checkpoints and the chances through a season, the market of a stored
match, the backtests and the track record of the forecasts log, a UEFA league-phase season and a tie's exact
odds are :mod:`matchday.workflows` functions; this module turns their frames into JSON views. Every view of a
forecast carries ``basis`` and ``basis_text``: the fit's
:class:`~matchday.models.provenance.TrainingProvenance` rendered by its own ``to_dict`` and ``describe``, as the
CLI's ``--json`` and captions.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import math
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from matchday import inputs
from matchday.data.errors import MatchdayError
from matchday.models import MODELS, checked_model_name

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from matchday.data.store import Store
    from matchday.models.cache import ModelCache

log = logging.getLogger("matchday.web")

Progress = Callable[[int, int], None]
View = dict[str, Any]

MODEL_NAMES = tuple(MODELS)  # the models the CLI offers, under the same names
DEFAULT_MODEL = inputs.DEFAULT_MODEL  # the CLI's default model
HEAVY_KINDS = frozenset({"projection", "whatif", "chances", "bracket", "rotation", "uefa_season"})
#: Kinds a stored ``now`` view of ``matchday update`` can answer (see :meth:`Services.cached`).
PRECOMPUTED_KINDS = frozenset({"projection", "uefa_season"})
TRACK_RECORD_NOTE = ("The track record grades forecasts logged before the matches (`matchday predict`, `now`, "
                     "`update`) once the results are stored, as `matchday track-record` does; walk-forward "
                     "backtests are kept apart (`backtests=true` adds them, as the CLI's --backtests).")


class NotFoundError(MatchdayError):
    """A resource named in the URL (competition season, match, job) does not exist: HTTP 404."""


class BusyError(MatchdayError):
    """Too many heavy questions are waiting: HTTP 429, try again shortly."""


class StoreBusyError(MatchdayError):
    """The store file is locked by a writing process (sync / update): HTTP 503, try again shortly."""


class JobTimeoutError(MatchdayError):
    """A heavy question ran past the server's time limit (:attr:`Limits.max_job_seconds`): HTTP 503."""


# --------------------------------------------------------------------------------------------------- limits
@dataclass(frozen=True)
class Limits:
    """Bounds on what one request may ask for (memory and time of heavy questions)."""

    min_sims: int = 100
    max_sims: int = 100_000  # season, what-if, bracket: memory ~ sims x clubs x 24 bytes
    max_rotation_sims: int = 50_000  # rotation: every plan keeps its futures
    max_chances_sims: int = 20_000  # chances through the season: one simulation per matchday
    default_sims: int = 20_000
    default_chances_sims: int = 5_000
    max_conditions: int = 60
    max_plans: int = 8
    max_top: int = 500
    max_fixtures: int = 500
    max_weight: float = 100.0
    max_gap: float = 2.0
    max_job_seconds: float = 300.0  # a heavy question is stopped at its next progress report after this


# --------------------------------------------------------------------------------------------------- questions
def _canonical(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in sorted(value.items())}
    return value


@dataclass(frozen=True)
class Question:
    """What a page or endpoint asks: ``kind`` plus canonical parameters (codes, ISO dates, numbers).

    ``text`` is the canonical JSON form; ``key(fingerprint)`` the cache key. Two requests that mean the same
    thing (``Premier League`` and ``E0``, ``2023/24`` and ``2023-24``) give the same question.
    """

    kind: str
    text: str
    note: str = field(default="", compare=False)  # how a default was chosen (the as-of date), for the reader

    @classmethod
    def of(cls, kind: str, **params: Any) -> Question:
        body = {k: _canonical(v) for k, v in sorted(params.items())}
        return cls(kind, json.dumps({"kind": kind, **body}, sort_keys=True, separators=(",", ":")))

    def with_note(self, note: str) -> Question:
        return replace(self, note=note)

    @property
    def params(self) -> dict[str, Any]:
        out = json.loads(self.text)
        out.pop("kind")
        return out

    def key(self, fingerprint: str) -> str:
        return f"{self.text}@{fingerprint}"

    @property
    def heavy(self) -> bool:
        return self.kind in HEAVY_KINDS


# --------------------------------------------------------------------------------------------------- caches
class ResultCache(Protocol):
    """Where answered questions are kept: ``get`` returns None on a miss."""

    def get(self, key: str) -> Any | None: ...

    def put(self, key: str, value: Any) -> None: ...


class MemoryCache:
    """A thread-safe in-process LRU cache bounded by entry count."""

    def __init__(self, max_entries: int = 256) -> None:
        if max_entries < 1:
            raise ValueError(f"max_entries must be at least 1 (got {max_entries})")
        self.max_entries = int(max_entries)
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> Any | None:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
            self.misses += 1
            return None

    def put(self, key: str, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


# --------------------------------------------------------------------------------------------------- store
class StoreSource:
    """The DuckDB store, opened read-only for each question and closed after it.

    Holding no connection between requests lets a writer (``matchday sync`` / ``update``) take the file when
    no request is reading it; while a writer holds it, requests get :class:`StoreBusyError` (503).
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, lock_wait: float = 2.0) -> None:
        from matchday.data.store import default_db_path

        self.path = Path(path) if path is not None else default_db_path()
        self.lock_wait = lock_wait  # seconds a request waits for a writer before answering 503
        if not self.path.exists():
            raise MatchdayError(f"no matchday store at {self.path}; run `matchday sync` first")
        self._stat: tuple | None = None
        self._fingerprint = ""
        self._lock = threading.Lock()

    @contextmanager
    def open(self) -> Iterator[Store]:
        from matchday.data.errors import StoreBusyError as LockedStoreError
        from matchday.data.store import Store

        try:
            store = Store(self.path, read_only=True, lock_wait=self.lock_wait)
        except LockedStoreError:
            raise StoreBusyError(f"the store {self.path} is being written by another process "
                                 "(sync or update); try again in a moment") from None
        except MatchdayError:
            raise
        except Exception as exc:  # duckdb.IOException: another process holds the write lock
            if "lock" in str(exc).lower():
                raise StoreBusyError(f"the store {self.path} is being written by another process "
                                     "(sync or update); try again in a moment") from None
            raise
        try:
            yield store
        finally:
            store.close()

    def _file_stat(self) -> tuple:
        stats = []
        for path in (self.path, self.path.with_name(self.path.name + ".wal")):
            try:
                st = path.stat()
                stats.append((st.st_size, st.st_mtime_ns))
            except FileNotFoundError:
                stats.append(None)
        return tuple(stats)

    def state(self) -> tuple:
        """The store file's size and modification time (and its write-ahead log's): changes whenever a writer
        (sync, update, a logged forecast) has written, even when the data fingerprint does not."""
        return self._file_stat()

    def fingerprint(self) -> str:
        """Hash of the store's imported data (:func:`matchday.views.data_fingerprint`: matches and results per
        competition season, and the table sizes), recomputed only when the file changes. It keys every cached
        answer and every stored view: new data, new answers. The forecasts log and the views are not part of it
        (questions about the log carry the log's size themselves)."""
        from matchday.views import data_fingerprint

        stat = self._file_stat()
        with self._lock:
            if stat == self._stat and self._fingerprint:
                return self._fingerprint
        with self.open() as store:
            value = data_fingerprint(store)
        with self._lock:
            self._stat, self._fingerprint = stat, value
        return value


# --------------------------------------------------------------------------------------------------- helpers
def _clean(value: Any) -> Any:
    """JSON-ready: numpy scalars to Python, NaN/inf to None, dates to ISO text."""
    import numpy as np

    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_clean(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.hour == value.minute == value.second == 0 else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | str):
        return value
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return None
        if isinstance(value, pd.Timestamp):
            return _clean(value.to_pydatetime())
    except ImportError:  # pragma: no cover
        pass
    return str(value)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [_clean(row) for row in frame.to_dict("records")]


def _as_date(value: str | dt.date | None, name: str = "as_of") -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    text = str(value).strip()
    return inputs.parse_date(text, name) if text else None


def _count(value: int, name: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise MatchdayError(f"{name}: {value!r} is not a whole number") from None
    if number < low or number > high:
        raise MatchdayError(f"{name}: {number:,} is outside the allowed range {low:,} to {high:,}"
                            + (" (run bigger simulations with the command line)" if name == "sims" else ""))
    return number


def _model(name: str | None) -> str:
    return DEFAULT_MODEL if name is None else checked_model_name(name)


def _day(value: Any) -> dt.date:
    """A date from a date, a datetime or a pandas Timestamp."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    import pandas as pd

    return pd.Timestamp(value).date()


def _basis(provenance: Any, *, sims: int | None = None, seed: int | None = None,
           competitions: Sequence[str] = ()) -> dict[str, Any]:
    """What a forecast rests on, as the CLI gives it (``--json``'s ``basis`` and the caption's text): the fit's
    :class:`~matchday.models.provenance.TrainingProvenance` rendered by its own ``to_dict`` and ``describe``
    (model, training window per competition, as-of date, simulations and seed, short-window warnings)."""
    if provenance is None:
        return {"basis": None, "basis_text": None}
    options = {"n_sims": sims, "seed": seed, "competitions": list(competitions)}
    return {"basis": provenance.to_dict(**options), "basis_text": provenance.describe(**options)}


@dataclass(frozen=True)
class Defaults:
    """A question's open parameters filled in (:meth:`Services._defaults`): as-of date, model, simulations (None:
    the caller's default), seed, how the as-of date was chosen (``note``, empty when given) and the stored view
    they come from (``view``, its key, or None)."""

    as_of: dt.date
    model: str
    sims: int | None
    seed: int
    note: str
    view: str | None


def _seed(value: int) -> int:
    return _count(value, "seed", 0, 2**32 - 1)


# --------------------------------------------------------------------------------------------------- services
def _memoized_question(method: Callable[..., Question]) -> Callable[..., Question]:
    """Remember the validated question of a request (arguments, data fingerprint, today's date): validation reads
    the store, and a cached answer should not wait for it. Bad input is not remembered (it raises)."""

    @functools.wraps(method)
    def wrapper(self: Services, *args: Any, **kwargs: Any) -> Question:
        key = json.dumps([method.__name__, _canonical(list(args)), _canonical(kwargs), self.fingerprint(),
                          self.source.state(), self.today().isoformat()], default=str)
        found = self._questions.get(key)
        if found is None:
            found = method(self, *args, **kwargs)
            self._questions.put(key, found)
        return found

    return wrapper


class Services:
    """Answers every question the web layer asks, through the same public functions as the CLI."""

    def __init__(
        self,
        source: StoreSource,
        *,
        results: ResultCache | None = None,
        views: ResultCache | bool | None = None,
        fits: ModelCache | ResultCache | None = None,
        limits: Limits | None = None,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        self.source = source
        self.results = results if results is not None else MemoryCache(512)
        if views is None or views is True:  # the views `matchday update` stored in this store
            from matchday.views import StoreViews

            views = StoreViews(source.path, lock_wait=source.lock_wait)
        self.views: ResultCache | None = views or None  # read-only precomputed layer; False: none
        if fits is None:
            from matchday.models.cache import ModelCache

            fits = ModelCache()
        self.fits = fits  # on disk (ModelCache), shared with the CLI; or an in-memory ResultCache only
        self._fit_memory: ResultCache = fits if not hasattr(fits, "load") else MemoryCache(48)
        self.limits = limits or Limits()
        self.today = today
        self._questions = MemoryCache(2048)
        self._fit_locks: dict[str, threading.Lock] = {}
        self._fit_locks_guard = threading.Lock()

    # ----------------------------------------------------------------------------------------- answering
    def fingerprint(self) -> str:
        return self.source.fingerprint()

    def cached(self, question: Question) -> View | None:
        """The answer without computing: answered before (in memory), or read from a stored view of
        ``matchday update`` for the same question and data (then kept in memory too)."""
        fingerprint = self.fingerprint()
        key = question.key(fingerprint)
        found = self.results.get(key)
        if found is not None:
            return found
        found = self._from_views(question, fingerprint)
        if found is not None:
            self.results.put(key, found)
        return found

    # ----------------------------------------------------------------------------------------- stored views
    def _read_view(self, key: str) -> View | None:
        from matchday.data.errors import StoreBusyError as LockedStoreError

        if self.views is None:
            return None
        try:
            return self.views.get(key)
        except LockedStoreError:
            raise StoreBusyError(f"the store {self.source.path} is being written by another process "
                                 "(sync or update); try again in a moment") from None

    def _from_views(self, question: Question, fingerprint: str) -> View | None:
        """The view of ``question`` made from the stored ``now`` view of the same competition season, as-of date,
        model, simulations and seed (:data:`PRECOMPUTED_KINDS`), or None when there is none for this data."""
        if self.views is None or question.kind not in PRECOMPUTED_KINDS:
            return None
        from matchday.views import question_text, view_key

        p = question.params
        text = question_text("now", competition=p["competition"], season=p["season"], as_of=p["as_of"],
                             model=p["model"], sims=p["sims"], seed=p["seed"])
        body = self._read_view(view_key(text, fingerprint))
        if not body:
            return None
        made = getattr(self, f"_{question.kind}_from_view")(p, body)
        if made is None:  # the stored view lacks a part (written by an older `update`, or a failed projection)
            return None
        if "basis" not in body:  # a view stored before views kept their basis: the fit's (cached) provenance
            with self.source.open() as store:
                fitted = self._fitted_with_provenance(store, p["model"], dt.date.fromisoformat(p["as_of"]))
            made.update(_basis(fitted.provenance, sims=p["sims"], seed=p["seed"], competitions=[p["competition"]]))
        else:
            made.update(basis=body["basis"], basis_text=body["basis_text"])
        made = _clean(made)
        made["question"] = json.loads(question.text)
        made["fingerprint"] = fingerprint
        made["precomputed"] = {"view": body["key"], "seconds": body.get("seconds"),
                               "note": "read from the views `matchday update` stored (same question, same data)"}
        return made

    def _defaults(self, store: Store, code: str, season: str, *, as_of: dt.date | None, model: str | None = None,
                  sims: int | None = None, seed: int | None = None) -> Defaults:
        """What a question about one competition season leaves open, filled in.

        With a fresh stored view (``matchday update``) of the competition season that matches what the question
        names (as-of date, model, simulations, seed; without an as-of date, one made on or after the
        competition season's latest played match), the newest such view's values: the page then reads that view.
        Otherwise the CLI's defaults: the latest day with a played match of the competition season (the eve of
        its first stored match when none is played yet), the default model, the web's simulations, seed 0."""
        from matchday.workflows import latest_played_date

        latest = latest_played_date(store, [code], [season])
        chosen = None
        stored = self._stored_views(store, code, season)
        if stored is not None and len(stored):
            days = stored["as_of"].map(lambda d: _day(d))
            keep = (days == as_of) if as_of is not None else (days >= latest) if latest is not None else days == days
            for column, value in (("model", model), ("sims", sims), ("seed", seed)):
                if value is not None:
                    keep &= stored[column] == value
            if keep.any():
                chosen = stored[keep].iloc[0]
        if chosen is not None:
            day = _day(chosen["as_of"])
            note = "" if as_of is not None else (
                f"as of {day.isoformat()}: the date of the views `matchday update` stored (the latest result in "
                f"the store)" + (f"; the latest played {code} {season} match is on {latest.isoformat()}"
                                 if latest is not None and latest != day else ""))
            return Defaults(as_of or day, model or str(chosen["model"]),
                            sims if sims is not None else int(chosen["sims"]),
                            seed if seed is not None else int(chosen["seed"]), note, str(chosen["key"]))
        note = ""
        if as_of is None:
            if latest is not None:
                as_of = latest
                note = (f"as of {latest.isoformat()}: the latest day with a played {code} {season} match in the "
                        "store (pick another date above)")
            else:
                frame = store.matches([code], [season])
                import pandas as pd

                as_of = pd.Timestamp(frame["date"].min()).date() - dt.timedelta(days=1)
                note = (f"as of {as_of.isoformat()}: no {code} {season} match is played in the store yet, so the "
                        "eve of its first stored match")
        return Defaults(as_of, model or DEFAULT_MODEL, sims, 0 if seed is None else seed, note, None)

    def _stored_views(self, store: Store, code: str, season: str):
        """The fresh ``now`` views of one competition season in the store (newest first), or None."""
        if self.views is None:
            return None
        from matchday.views import stored_views

        frame = stored_views(store)
        return frame[(frame["kind"] == "now") & (frame["competition"] == code) & (frame["season"] == season)
                     & frame["fresh"]].reset_index(drop=True)

    def answer(self, question: Question, progress: Progress | None = None) -> View:
        """The view for ``question``: from a cache, else computed (and cached)."""
        found = self.cached(question)
        if found is not None:
            return found
        fingerprint = self.fingerprint()
        view = getattr(self, f"_compute_{question.kind}")(question.params, progress)
        view = _clean(view)
        view.setdefault("question", json.loads(question.text))
        view.setdefault("fingerprint", fingerprint)
        self.results.put(question.key(fingerprint), view)
        return view

    def _fitted(self, store: Store, model: str, as_of: dt.date):
        """The fitted model (exactly as the CLI gets it)."""
        return self._fitted_with_provenance(store, model, as_of).model

    def _fitted_with_provenance(self, store: Store, model: str, as_of: dt.date):
        """:func:`matchday.workflows.fit_from_store` (the CLI's fit path): the fitted model and the provenance of
        its training window, in memory per (model, as-of, data), else from the on-disk cache ``fits``, else
        fitted (and kept in both)."""
        from matchday.workflows import fit_from_store

        key = f"fit|{model}|{as_of.isoformat()}|{self.fingerprint()}"
        found = self._fit_memory.get(key)
        if found is not None:
            return found
        with self._fit_locks_guard:
            lock = self._fit_locks.setdefault(key, threading.Lock())
        with lock:  # one fit per key even when several questions need it at once
            found = self._fit_memory.get(key)
            if found is None:
                found = fit_from_store(store, model, as_of,
                                       cache=self.fits if hasattr(self.fits, "load") else False)
                self._fit_memory.put(key, found)
        with self._fit_locks_guard:
            self._fit_locks.pop(key, None)
        return found

    # ----------------------------------------------------------------------------------------- resolution
    def _league(self, store: Store, competition: str, season: str | None, as_of: dt.date | None):
        """(competition, season) of a stored league season, with the CLI's messages."""
        return self._stored(store, competition, "league", season, as_of)

    def _cup(self, store: Store, competition: str, season: str | None, as_of: dt.date | None):
        """(competition, season) of a stored UEFA competition season, with the CLI's messages."""
        return self._stored(store, competition, "cup", season, as_of)

    def _stored(self, store: Store, competition: str, kind: str, season: str | None, as_of: dt.date | None):
        comp = inputs.competition(competition, kind)
        season = inputs.season(season, as_of or self.today())
        self._require(store, comp.code, season)
        return comp, season

    @staticmethod
    def _require(store: Store, code: str, season: str) -> None:
        try:
            inputs.require_season(store, code, season)
        except MatchdayError as exc:  # unknown season, or nothing of the competition stored
            raise NotFoundError(str(exc)) from None

    @staticmethod
    def _latest_played(store: Store, what: str, *, competitions: Sequence[str] | None = None,
                       teams: Sequence[str] | None = None) -> tuple[dt.date, str]:
        """The CLI's default as-of date of a question that is not about one competition season (a club, a
        pairing, a competition's ratings): the latest day with a played match of ``competitions`` / ``teams`` in
        the store (:func:`matchday.workflows.latest_played_date`), and the sentence that says so."""
        from matchday.workflows import latest_played_date

        latest = latest_played_date(store, competitions, None, teams)
        if latest is None:
            hint = f"`matchday sync {' '.join(competitions)}`" if competitions else "`matchday sync`"
            raise MatchdayError(f"no played {what} match in the store, so there is no latest date to answer as of; "
                                f"run {hint} or give as_of")
        return latest, (f"as of {latest.isoformat()}: the latest day with a played {what} match in the store "
                        "(as_of picks another date)")

    @staticmethod
    def _team(store: Store, name: str) -> str:
        """A team id from an id the store holds or any known name (the registry's clear error otherwise)."""
        return inputs.club(name, store)

    @staticmethod
    def _names(store: Store, team_ids: Iterable[str] | None = None) -> dict[str, str]:
        """Display names of ``team_ids`` (default every stored team), the id where the store has no name."""
        from matchday.workflows import team_names

        return team_names(store, store.teams()["team_id"] if team_ids is None else team_ids)

    # ----------------------------------------------------------------------------------------- cheap views
    def competitions(self) -> View:
        return self.answer(Question.of("competitions"))

    def _compute_competitions(self, params: dict, progress: Progress | None) -> View:
        from matchday.data.competitions import COMPETITIONS

        with self.source.open() as store:
            available = store.available()
        out = []
        for comp in COMPETITIONS.values():
            rows = available[available["competition"] == comp.code]
            if rows.empty:
                continue
            out.append({"code": comp.code, "name": comp.name, "kind": comp.kind, "country": comp.country,
                        "seasons": _records(rows.drop(columns=["competition"]).iloc[::-1])})
        return {"competitions": out, "store": str(self.source.path)}

    @_memoized_question
    def table_question(self, competition: str, season: str, as_of: str | None = None) -> Question:
        from matchday.data.seasons import normalize_season

        cutoff = _as_date(as_of)
        with self.source.open() as store:
            comp, season_ = self._league(store, competition, normalize_season(season), cutoff)
            found = self._defaults(store, comp.code, season_, as_of=cutoff)
        return Question.of("table", competition=comp.code, season=season_, as_of=found.as_of).with_note(found.note)

    def _compute_table(self, p: dict, progress: Progress | None) -> View:
        from matchday.data.competitions import COMPETITIONS
        from matchday.rules.table import league_table

        cutoff = dt.date.fromisoformat(p["as_of"])
        with self.source.open() as store:
            frame = store.matches([p["competition"]], [p["season"]], played=True, until=cutoff)
            all_matches = store.matches([p["competition"]], [p["season"]])
            names = self._names(store)
        table = league_table(frame, p["competition"], p["season"], as_of=cutoff)
        rules = table.attrs["rules"]
        n = len(table)
        table.insert(2, "club", table["team"].map(names).fillna(table["team"]))
        table["zone"] = [rules.places.zone(int(pos), n) for pos in table["position"]]
        remaining = int((all_matches["home_goals"].isna() | (all_matches["date"] > str(cutoff))).sum())
        return {"competition": p["competition"], "name": COMPETITIONS[p["competition"]].name, "season": p["season"],
                "as_of": p["as_of"], "rows": _records(table), "places": _places(rules.places),
                "rules_source": rules.source, "matches_played": int(len(frame)), "matches_remaining": remaining}

    @_memoized_question
    def ratings_question(self, competition: str, as_of: str | None = None, model: str | None = None,
                         top: int = 30) -> Question:
        from matchday.data.competitions import resolve_competition

        comp = resolve_competition(competition)
        cutoff = _as_date(as_of)
        top = _count(top, "top", 1, self.limits.max_top)
        note = ""
        with self.source.open() as store:
            if cutoff is None:
                cutoff, note = self._latest_played(store, comp.code, competitions=[comp.code])
        return Question.of("ratings", competition=comp.code, as_of=cutoff, model=_model(model), top=top).with_note(note)

    def _compute_ratings(self, p: dict, progress: Progress | None) -> View:
        from matchday.data.competitions import COMPETITIONS
        from matchday.data.seasons import season_of_date

        cutoff = dt.date.fromisoformat(p["as_of"])
        season = season_of_date(cutoff)
        with self.source.open() as store:
            members = store.matches([p["competition"]], [season])
            if members.empty:
                raise MatchdayError(f"no {p['competition']} matches stored for {season}; "
                                    f"run `matchday sync {p['competition']}`")
            fitted, provenance = self._fitted_with_provenance(store, p["model"], cutoff)
            names = self._names(store)
        teams = set(members["home"]) | set(members["away"])
        table = fitted.ratings()
        table = table[table["team"].isin(teams)].head(p["top"]).reset_index(drop=True)
        table.insert(1, "club", table["team"].map(names).fillna(table["team"]))
        table.insert(0, "rank", range(1, len(table) + 1))
        return {"competition": p["competition"], "name": COMPETITIONS[p["competition"]].name, "season": season,
                "as_of": p["as_of"], "model": p["model"], "rows": _records(table),
                "note": "strength = expected goal difference per match against an average side on neutral ground",
                **_basis(provenance, competitions=[p["competition"]])}

    @_memoized_question
    def fixtures_question(self, competition: str, season: str, as_of: str | None = None,
                          model: str | None = None, limit: int = 50) -> Question:
        from matchday.data.seasons import normalize_season

        cutoff = _as_date(as_of)
        limit = _count(limit, "limit", 1, self.limits.max_fixtures)
        model = None if model is None else _model(model)
        with self.source.open() as store:
            comp, season_ = self._league(store, competition, normalize_season(season), cutoff)
            found = self._defaults(store, comp.code, season_, as_of=cutoff, model=model)
        return Question.of("fixtures", competition=comp.code, season=season_, as_of=found.as_of, model=found.model,
                           limit=limit).with_note(found.note)

    def _compute_fixtures(self, p: dict, progress: Progress | None) -> View:
        import numpy as np

        from matchday.evaluate.market import market_probabilities
        from matchday.simulate.season import split_fixtures

        cutoff = dt.date.fromisoformat(p["as_of"])
        with self.source.open() as store:
            matches = store.matches([p["competition"]], [p["season"]])
            _, remaining = split_fixtures(matches, cutoff)
            remaining = remaining.head(p["limit"])
            names = self._names(store)
            odds = store.odds(remaining["match_id"].tolist(), market="1x2") if len(remaining) else None
            fitted, provenance = (self._fitted_with_provenance(store, p["model"], cutoff) if len(remaining)
                                  else (None, None))
        rows: list[dict[str, Any]] = []
        if len(remaining):
            home, away = remaining["home"].to_numpy(), remaining["away"].to_numpy()
            neutral = remaining["neutral"].to_numpy(dtype=bool)
            grid = fitted.predict_many(home, away, neutral, np.full(len(home), p["competition"], dtype=object))
            probs = grid.outcomes()
            home_goals, away_goals = grid.home_expected_goals, grid.away_expected_goals
            market = market_probabilities(odds, "pre").set_index("match_id") if odds is not None and len(odds) else None
            for k, row in enumerate(remaining.itertuples()):
                item = {"match_id": row.match_id, "date": row.date, "home": row.home, "away": row.away,
                        "home_club": names.get(row.home, row.home), "away_club": names.get(row.away, row.away),
                        "p_home": probs[k, 0], "p_draw": probs[k, 1], "p_away": probs[k, 2],
                        "home_expected_goals": home_goals[k], "away_expected_goals": away_goals[k], "market": None,
                        "score_later": None}
                if market is not None and row.match_id in market.index:
                    m = market.loc[row.match_id]
                    item["market"] = {"p_home": m["p_home"], "p_draw": m["p_draw"], "p_away": m["p_away"],
                                      "bookmaker": m["bookmaker"], "closing": bool(m["closing"]),
                                      "overround": m["overround"]}
                if not _missing(row.home_goals):
                    item["score_later"] = f"{int(row.home_goals)}-{int(row.away_goals)}"
                rows.append(item)
        return {"competition": p["competition"], "season": p["season"], "as_of": p["as_of"], "model": p["model"],
                "rows": rows, "market_note": "market = pre-match prices (Pinnacle, else the market average) with the "
                "margin removed by Shin's method; shown where the store holds odds",
                **_basis(provenance, competitions=[p["competition"]])}

    @_memoized_question
    def match_question(self, competition: str, season: str, match_id: str, as_of: str | None = None,
                       model: str | None = None) -> Question:
        import re

        from matchday.data.competitions import resolve_competition
        from matchday.data.seasons import normalize_season

        if not re.fullmatch(r"[0-9a-f]{16}", match_id):
            raise NotFoundError(f"no match {match_id!r}: a match id is 16 hexadecimal characters")
        comp = resolve_competition(competition)
        season_ = normalize_season(season)
        cutoff = _as_date(as_of)
        with self.source.open() as store:
            self._require(store, comp.code, season_)
            matches = store.matches([comp.code], [season_])
        row = matches[matches["match_id"] == match_id]
        if row.empty:
            raise NotFoundError(f"no match {match_id} in {comp.code} {season_}")
        date = row["date"].iloc[0].date()
        note = "" if cutoff else (f"as of {date - dt.timedelta(days=1)}: the day before the match, for a pre-match "
                                  "forecast (as_of picks another date)")
        cutoff = cutoff or date - dt.timedelta(days=1)
        return Question.of("match", competition=comp.code, season=season_, match_id=match_id, as_of=cutoff,
                           model=_model(model)).with_note(note)

    def _compute_match(self, p: dict, progress: Progress | None) -> View:
        from matchday.workflows import stored_market

        cutoff = dt.date.fromisoformat(p["as_of"])
        with self.source.open() as store:
            matches = store.matches([p["competition"]], [p["season"]])
            row = matches[matches["match_id"] == p["match_id"]].iloc[0]
            fitted, provenance = self._fitted_with_provenance(store, p["model"], cutoff)
            stored = stored_market(store, p["match_id"])
            names = self._names(store, [row["home"], row["away"]])
        neutral = bool(row["neutral"])
        grid = fitted.predict(row["home"], row["away"], neutral=neutral, competition=p["competition"])
        notes = []
        date = row["date"].date()
        if cutoff >= date and not _missing(row["home_goals"]):
            notes.append(f"as of {cutoff} the model has already seen this match's result ({date}); "
                         "pick an earlier date for a pre-match forecast")
        market: dict[str, Any] = {"one_x_two": _records(stored["one_x_two"]), "totals": [], "asian_handicap": []}
        for key, (first, second), model_probability in (
                ("totals", ("over", "under"), lambda line: grid.totals([line]).over[0, 0]),
                ("asian_handicap", ("home", "away"),
                 lambda line: grid.asian_handicap(line, "home").effective_probability[0])):
            for item in _records(stored[key]):
                market[key].append({
                    "bookmaker": item["bookmaker"], "closing": item["closing"], "line": item["line"],
                    "prices": {first: item[f"price_{first}"], second: item[f"price_{second}"]},
                    "probabilities": {first: item[f"p_{first}"], second: item[f"p_{second}"]},
                    "model": float(model_probability(item["line"]))})
        score = None if _missing(row["home_goals"]) else f"{int(row['home_goals'])}-{int(row['away_goals'])}"
        size = min(grid.max_goals + 1, 7)
        return {"competition": p["competition"], "season": p["season"], "match_id": p["match_id"], "date": date,
                "round": row["round"], "home": row["home"], "away": row["away"],
                "home_club": names[row["home"]], "away_club": names[row["away"]],
                "neutral": neutral, "score": score, "as_of": p["as_of"], "model": p["model"],
                "expected_goals": [float(grid.home_expected_goals[0]), float(grid.away_expected_goals[0])],
                "markets": _records(grid.markets_table()),
                "score_grid": grid.probabilities[0, :size, :size].tolist(), "market": market, "notes": notes,
                **_basis(provenance, competitions=[p["competition"]])}

    @_memoized_question
    def forecast_question(self, home: str, away: str, as_of: str | None = None, model: str | None = None,
                          competition: str | None = None, neutral: bool = False) -> Question:
        """The CLI's ``predict``; default as-of: the latest played match of the competition named, else of the two
        clubs (as the CLI)."""
        from matchday.data.competitions import resolve_competition

        cutoff = _as_date(as_of)
        note = ""
        with self.source.open() as store:
            home_id, away_id = self._team(store, home), self._team(store, away)
            if home_id == away_id:
                raise MatchdayError(f"home and away are the same club ({home_id})")
            chosen = resolve_competition(competition).code if competition else None
            if cutoff is None:
                names = self._names(store, [home_id, away_id])
                cutoff, note = self._latest_played(store, chosen or f"{names[home_id]} or {names[away_id]}",
                                                   competitions=[chosen] if chosen else None,
                                                   teams=None if chosen else [home_id, away_id])
            comp = chosen or inputs.fixture_competition(store, home_id, away_id, cutoff)
        return Question.of("forecast", home=home_id, away=away_id, as_of=cutoff, model=_model(model),
                           competition=comp, neutral=bool(neutral)).with_note(note)

    def _compute_forecast(self, p: dict, progress: Progress | None) -> View:
        """The CLI's ``predict`` (without logging: the server's store is read-only)."""
        cutoff = dt.date.fromisoformat(p["as_of"])
        with self.source.open() as store:
            fitted, provenance = self._fitted_with_provenance(store, p["model"], cutoff)
            names = self._names(store, [p["home"], p["away"]])
        grid = fitted.predict(p["home"], p["away"], neutral=p["neutral"], competition=p["competition"])
        one_x_two = grid.outcomes()[0]
        return {"home": p["home"], "away": p["away"], "home_club": names[p["home"]],
                "away_club": names[p["away"]], "as_of": p["as_of"], "model": p["model"],
                "competition": p["competition"], "neutral": p["neutral"],
                "p_home": one_x_two[0], "p_draw": one_x_two[1], "p_away": one_x_two[2],
                "expected_goals": [float(grid.home_expected_goals[0]), float(grid.away_expected_goals[0])],
                "markets": _records(grid.markets_table()),
                **_basis(provenance, competitions=[c for c in [p["competition"]] if c])}

    # ----------------------------------------------------------------------------------------- ties
    @_memoized_question
    def tie_question(self, team_a: str, team_b: str, as_of: str | None = None, model: str | None = None,
                     competition: str | None = None, first_leg: str | None = None, final: bool = False) -> Question:
        """The CLI's ``tie`` (exact odds): with a played first leg, its home club is side A. Default as-of: the
        latest played match of the competition named, else of the two clubs (as the CLI)."""
        cutoff = _as_date(as_of)
        note = ""
        with self.source.open() as store:
            a, b, score = inputs.tie_sides(team_a, team_b, first_leg, final=bool(final),
                                           resolve=lambda name: self._team(store, name), option="first_leg",
                                           final_option="final")
            if cutoff is None:
                chosen = inputs.competition(competition, "cup").code if competition else None
                names = self._names(store, [a, b])
                cutoff, note = self._latest_played(store, chosen or f"{names[a]} or {names[b]}",
                                                   competitions=[chosen] if chosen else None,
                                                   teams=None if chosen else [a, b])
            comp = inputs.tie_competition(store, a, b, cutoff, competition)
        return Question.of("tie", team_a=a, team_b=b, as_of=cutoff, model=_model(model), competition=comp,
                           first_leg=list(score) if score else None, final=bool(final)).with_note(note)

    def _compute_tie(self, p: dict, progress: Progress | None) -> View:
        from matchday.data.seasons import season_of_date
        from matchday.rules.knockout import tie_rules

        cutoff = dt.date.fromisoformat(p["as_of"])
        with self.source.open() as store:
            fitted, provenance = self._fitted_with_provenance(store, p["model"], cutoff)
            names = self._names(store, [p["team_a"], p["team_b"]])
        rules = tie_rules(season_of_date(cutoff), p["competition"])  # the CLI's rules: the season of the date
        score = tuple(p["first_leg"]) if p["first_leg"] else None
        odds = _tie_odds(fitted, p["team_a"], p["team_b"], p["competition"], season_of_date(cutoff), score,
                         p["final"], names)
        return {"team_a": p["team_a"], "team_b": p["team_b"], "club_a": names[p["team_a"]],
                "club_b": names[p["team_b"]], "as_of": p["as_of"], "model": p["model"],
                "competition": p["competition"], "first_leg": p["first_leg"], "final": p["final"],
                "away_goals_rule": bool(rules.away_goals), **odds,
                **_basis(provenance, competitions=[c for c in [p["competition"]] if c])}

    @_memoized_question
    def league_phase_question(self, competition: str, season: str, as_of: str | None = None) -> Question:
        """The CLI's ``table UCL 2024-25``: a UEFA league phase (2024-25 on) ranked by UEFA's criteria."""
        from matchday.data.seasons import normalize_season
        from matchday.rules.uefa_format import has_league_phase

        cutoff = _as_date(as_of)
        with self.source.open() as store:
            comp, season_ = self._cup(store, competition, normalize_season(season), cutoff)
            if not has_league_phase(comp.code, season_):
                raise MatchdayError(f"{comp.code} {season_} has no league phase: the 36-club league phase starts in "
                                    "2024-25 (earlier seasons had a group stage)")
            found = self._defaults(store, comp.code, season_, as_of=cutoff)
        return Question.of("league_phase", competition=comp.code, season=season_,
                           as_of=found.as_of).with_note(found.note)

    def _compute_league_phase(self, p: dict, progress: Progress | None) -> View:
        from matchday.data.competitions import COMPETITIONS
        from matchday.rules.uefa_league_phase import league_phase_table

        cutoff = dt.date.fromisoformat(p["as_of"])
        with self.source.open() as store:
            frame = store.matches([p["competition"]], [p["season"]])
        names = (dict(zip(frame["home"], frame["home_name"], strict=False))
                 | dict(zip(frame["away"], frame["away_name"], strict=False)))
        names = {k: v for k, v in names.items() if isinstance(v, str)}  # the CLI's names: the alphabetical order
        table = league_phase_table(frame, p["competition"], p["season"], as_of=cutoff, names=names)
        table.insert(1, "club", table["team"].map(names).fillna(table["team"]))
        attrs = table.attrs
        return {"competition": p["competition"], "name": COMPETITIONS[p["competition"]].name, "season": p["season"],
                "as_of": p["as_of"], "rows": _records(table), "criteria": list(attrs["criteria"]),
                "full_criteria": bool(attrs["full_criteria"]), "played": attrs["played"],
                "fixtures": attrs["fixtures"],
                "zones": {"round_of_16": "round of 16", "knockout_playoff": "knockout play-offs",
                          "eliminated": "eliminated"}}

    @_memoized_question
    def cup_question(self, competition: str, season: str, as_of: str | None = None,
                     model: str | None = None) -> Question:
        from matchday.data.seasons import normalize_season

        cutoff = _as_date(as_of)
        model = None if model is None else _model(model)
        with self.source.open() as store:
            comp, season_ = self._cup(store, competition, normalize_season(season), cutoff)
            found = self._defaults(store, comp.code, season_, as_of=cutoff, model=model)
        return Question.of("cup", competition=comp.code, season=season_, as_of=found.as_of,
                           model=found.model).with_note(found.note)

    def _compute_cup(self, p: dict, progress: Progress | None) -> View:
        """Every knockout tie known on the date: decided rounds, the current round with exact odds from the
        stored first legs, and how later rounds pair up (without the later rounds' clubs, unknown then). Rounds
        whose draw was not known on the date (:func:`~matchday.simulate.knockout_state.pairings_known_as_of`, the
        bracket's rule) are left out, and the status says so."""
        from matchday.rules.knockout import tie_rules
        from matchday.rules.uefa_format import has_league_phase
        from matchday.simulate.knockout_state import (
            KNOCKOUT_ORDER,
            bracket_from_store,
            knockout_ties,
            pairings_known_as_of,
        )

        cutoff = dt.date.fromisoformat(p["as_of"])
        with self.source.open() as store:
            matches = store.matches([p["competition"]], [p["season"]])
            names = self._names(store)
            draws = pairings_known_as_of(matches, cutoff)
            hidden = [r for r in KNOCKOUT_ORDER if r in draws and not draws[r].known]
            ties = [t for t in knockout_ties(matches, cutoff) if t.round not in hidden]
            unknown = "" if not hidden else (
                f"not drawn by {cutoff.isoformat()}: {hidden[0]} ({draws[hidden[0]].reason})"
                + (f" and the rounds after it ({', '.join(hidden[1:])})" if len(hidden) > 1 else ""))
            first_round, current, later = None, [], []
            if not ties:  # the group stage or league phase is still being played, or no knockout data stored
                status = "; ".join(x for x in (f"no knockout tie is known on {cutoff.isoformat()}", unknown) if x)
            else:
                try:
                    first_round, current, later = bracket_from_store(matches, cutoff)
                except MatchdayError as exc:  # everything decided
                    status = str(exc)
                else:
                    status = ""
                if first_round is not None and first_round.name in hidden:  # its draw is still to come
                    first_round, current, later = None, [], []
                if unknown:
                    status = "; ".join(x for x in (status, unknown) if x)
            fitted, provenance = (self._fitted_with_provenance(store, p["model"], cutoff) if current
                                  else (None, None))
        rules = tie_rules(p["season"], p["competition"])
        current_name = first_round.name if first_round else None
        rounds: list[dict[str, Any]] = []
        last_round_with_clubs = (KNOCKOUT_ORDER.index(current_name) if current_name
                                 else max((KNOCKOUT_ORDER.index(t.round) for t in ties), default=-1))
        for name in KNOCKOUT_ORDER[: last_round_with_clubs + 1]:
            in_round = [t for t in ties if t.round == name]
            if not in_round:
                continue
            items = []
            for t in in_round:
                legs = matches[(matches["round"] == name) & matches["home"].isin([t.home, t.away])
                               & matches["away"].isin([t.home, t.away])]
                item = {"home": t.home, "away": t.away, "home_club": names.get(t.home, t.home),
                        "away_club": names.get(t.away, t.away), "first_leg": list(t.first_leg) if t.first_leg else None,
                        "first_leg_date": t.first_leg_date, "winner": t.winner,
                        "legs": [{"date": r.date, "home": r.home, "away": r.away,
                                  "score": None if (_missing(r.home_goals) or r.date > _ts(cutoff))
                                  else _score_text(r)} for r in legs.itertuples()],
                        "p_advance": None, "methods": None}
                if t.winner is None and name == current_name:
                    item.update(_tie_odds(fitted, t.home, t.away, p["competition"], p["season"], t.first_leg,
                                          name == "Final", names))
                items.append(item)
            rounds.append({"name": name, "ties": items, "current": name == current_name})
        later_rounds = [{"name": r.name, "pairings": [list(x) for x in r.pairings] if r.pairings else None,
                         "open_draw": r.open_draw, "two_legged": r.two_legged} for r in later]
        from matchday.data.competitions import COMPETITIONS

        return {"competition": p["competition"], "name": COMPETITIONS[p["competition"]].name, "season": p["season"],
                "as_of": p["as_of"], "model": p["model"], "current_round": current_name, "rounds": rounds,
                "later_rounds": later_rounds, "status": status, "away_goals_rule": bool(rules.away_goals),
                "league_phase": has_league_phase(p["competition"], p["season"]),
                **_basis(provenance, competitions=[p["competition"]])}

    @_memoized_question
    def stored_tie_question(self, competition: str, season: str, home: str, away: str, as_of: str | None = None,
                            model: str | None = None) -> Question:
        """The tie between two clubs as stored (legs played by ``as_of`` count): the same question as the CLI's
        ``tie HOME AWAY --first-leg 'HOME h-a AWAY' --as-of D --competition C``."""
        from matchday.data.seasons import normalize_season
        from matchday.simulate.knockout_state import knockout_ties

        cutoff = _as_date(as_of)
        with self.source.open() as store:
            comp, season_ = self._cup(store, competition, normalize_season(season), cutoff)
            a, b = self._team(store, home), self._team(store, away)
            found = self._defaults(store, comp.code, season_, as_of=cutoff,
                                   model=None if model is None else _model(model))
            matches = store.matches([comp.code], [season_])
        ties = [t for t in knockout_ties(matches, found.as_of) if {t.home, t.away} == {a, b}]
        if not ties:
            raise NotFoundError(f"no stored {comp.code} {season_} knockout tie between {a} and {b}")
        t = ties[-1]
        return Question.of("stored_tie", competition=comp.code, season=season_, home=t.home, away=t.away,
                           round=t.round, as_of=found.as_of, model=found.model).with_note(found.note)

    def _compute_stored_tie(self, p: dict, progress: Progress | None) -> View:
        from matchday.simulate.knockout_state import knockout_ties

        cutoff = dt.date.fromisoformat(p["as_of"])
        with self.source.open() as store:
            matches = store.matches([p["competition"]], [p["season"]])
            names = self._names(store)
        t = next(t for t in knockout_ties(matches, cutoff)
                 if t.round == p["round"] and (t.home, t.away) == (p["home"], p["away"]))
        legs = matches[(matches["round"] == p["round"]) & matches["home"].isin([t.home, t.away])
                       & matches["away"].isin([t.home, t.away])]
        final = p["round"] == "Final"
        view = {"competition": p["competition"], "season": p["season"], "round": p["round"], "as_of": p["as_of"],
                "home": t.home, "away": t.away, "home_club": names.get(t.home, t.home),
                "away_club": names.get(t.away, t.away), "final": final,
                "first_leg": list(t.first_leg) if t.first_leg else None, "winner": t.winner,
                "legs": [{"date": r.date, "home": r.home, "away": r.away, "home_club": names.get(r.home, r.home),
                          "away_club": names.get(r.away, r.away),
                          "score": None if (_missing(r.home_goals) or r.date > _ts(cutoff)) else _score_text(r)}
                         for r in legs.itertuples()],
                "odds": None, "cli": None}
        if t.winner is None:
            question = Question.of("tie", team_a=t.home, team_b=t.away, as_of=p["as_of"], model=p["model"],
                                   competition=p["competition"], first_leg=list(t.first_leg) if t.first_leg else None,
                                   final=final)
            view["odds"] = self.answer(question)
            home_name, away_name = names.get(t.home, t.home), names.get(t.away, t.away)
            cli = f"matchday tie '{home_name}' '{away_name}' --as-of {p['as_of']} --competition {p['competition']}"
            if t.first_leg:
                cli += f" --first-leg '{home_name} {t.first_leg[0]}-{t.first_leg[1]} {away_name}'"
            view["cli"] = cli + (" --final" if final else "")
        return view

    # ----------------------------------------------------------------------------------------- heavy views
    def _sims(self, sims: int | None, high: int | None = None, default: int | None = None) -> int:
        value = (default or self.limits.default_sims) if sims is None else sims
        return _count(value, "sims", self.limits.min_sims, high or self.limits.max_sims)

    @_memoized_question
    def projection_question(self, competition: str, season: str, as_of: str | None = None,
                            model: str | None = None, sims: int | None = None, seed: int | None = None) -> Question:
        from matchday.data.seasons import normalize_season

        cutoff = _as_date(as_of)
        with self.source.open() as store:
            comp, season_ = self._league(store, competition, normalize_season(season), cutoff)
            found = self._heavy_defaults(store, comp.code, season_, cutoff, model, sims, seed)
        return Question.of("projection", competition=comp.code, season=season_, as_of=found.as_of, model=found.model,
                           sims=self._sims(found.sims), seed=found.seed).with_note(found.note)

    def _heavy_defaults(self, store: Store, code: str, season: str, cutoff: dt.date | None, model: str | None,
                        sims: int | None, seed: int | None, high: int | None = None) -> Defaults:
        """:meth:`_defaults` of a simulation question, its given values checked first (model, sims, seed)."""
        return self._defaults(store, code, season, as_of=cutoff, model=None if model is None else _model(model),
                              sims=None if sims is None else self._sims(sims, high),
                              seed=None if seed is None else _seed(seed))

    def _simulate(self, p: dict, conditions=(), progress: Progress | None = None):
        from matchday.simulate.season import simulate_season

        cutoff = dt.date.fromisoformat(p["as_of"])
        with self.source.open() as store:
            matches = store.matches([p["competition"]], [p["season"]])
            names = self._names(store)
            fitted, provenance = self._fitted_with_provenance(store, p["model"], cutoff)
        result = simulate_season(matches, fitted, p["competition"], p["season"], as_of=cutoff,
                                 until=None, conditions=list(conditions), n_sims=p["sims"], seed=p["seed"],
                                 progress=progress)
        return result, names, provenance

    @staticmethod
    def _projection_view(p: dict, rows: list[dict], teams: list[str], matrix: list[list[float]], n_remaining: int,
                         names: dict[str, str]) -> View:
        """The projection view from its parts (computed here, or read from a stored view: the same view)."""
        from matchday.rules.leagues import rules_for

        places = rules_for(p["competition"], p["season"]).places
        n = len(teams)
        return {"competition": p["competition"], "season": p["season"], "as_of": p["as_of"], "model": p["model"],
                "sims": p["sims"], "seed": p["seed"], "n_remaining": n_remaining, "rows": rows,
                "places": _places(places),
                "positions": {"teams": teams, "clubs": [names.get(t, t) for t in teams], "matrix": matrix},
                "zones": [places.zone(k, n) for k in range(1, n + 1)],
                "standard_error_note": "Monte Carlo standard error of a probability p: sqrt(p(1-p)/sims)"}

    def _compute_projection(self, p: dict, progress: Progress | None) -> View:
        """The CLI's ``simulate`` of a league season."""
        result, names, provenance = self._simulate(p, progress=progress)
        summary = result.summary()
        summary.insert(1, "club", summary["team"].map(names).fillna(summary["team"]))
        positions = result.position_probabilities()
        view = self._projection_view(p, _records(summary), [str(t) for t in positions.index],
                                     positions.to_numpy().tolist(), int(result.n_remaining), names)
        return view | _basis(provenance, sims=p["sims"], seed=p["seed"], competitions=[p["competition"]])

    def _projection_from_view(self, p: dict, body: View) -> View | None:
        if body.get("format") != "league" or not body.get("projection") or not body.get("positions"):
            return None
        names = {row["team"]: row["club"] for row in body["projection"]}
        return self._projection_view(p, body["projection"], body["positions"]["teams"], body["positions"]["matrix"],
                                     int(body["remaining"]), names)

    @_memoized_question
    def whatif_question(self, competition: str, season: str, given: Sequence[str], as_of: str | None = None,
                        model: str | None = None, sims: int | None = None, seed: int | None = None) -> Question:
        """The CLI's ``whatif --ask table``: conditions are checked now (unknown club, no such fixture,
        already played), so a bad one is a 400 before anything runs. The baseline is the projection question
        with the same as-of date, model, simulations and seed (so the same defaults)."""
        from matchday.data.seasons import normalize_season
        from matchday.simulate.conditions import parse_condition, to_fixture_conditions
        from matchday.simulate.season import split_fixtures

        given = [g for g in (given or []) if str(g).strip()]
        if not given:
            raise MatchdayError("give at least one condition, e.g. given='Fulham v Liverpool: away win'")
        if len(given) > self.limits.max_conditions:
            raise MatchdayError(f"given: {len(given)} conditions; at most {self.limits.max_conditions}")
        cutoff = _as_date(as_of)
        with self.source.open() as store:
            comp, season_ = self._league(store, competition, normalize_season(season), cutoff)
            found = self._heavy_defaults(store, comp.code, season_, cutoff, model, sims, seed)
            matches = store.matches([comp.code], [season_])
            names = self._names(store)
            parsed = [parse_condition(text, lambda name: self._team(store, name)) for text in given]
        _, remaining = split_fixtures(matches, found.as_of)
        to_fixture_conditions(parsed, matches, remaining, found.as_of, lambda t: names.get(t, t))
        seen = [(c.home, c.away) for c in parsed]
        if len(set(seen)) != len(seen):
            raise MatchdayError("given: one condition per fixture (a fixture is named twice)")
        _check_possible(parsed)
        return Question.of("whatif", competition=comp.code, season=season_, as_of=found.as_of, model=found.model,
                           sims=self._sims(found.sims), seed=found.seed,
                           given=[c.text for c in parsed]).with_note(found.note)

    def _compute_whatif(self, p: dict, progress: Progress | None) -> View:
        from matchday.simulate.conditions import parse_condition, to_fixture_conditions
        from matchday.simulate.season import split_fixtures

        base_params = {k: v for k, v in p.items() if k != "given"}
        baseline = self.answer(Question.of("projection", **base_params))
        cutoff = dt.date.fromisoformat(p["as_of"])
        with self.source.open() as store:
            matches = store.matches([p["competition"]], [p["season"]])
            names = self._names(store)
            parsed = [parse_condition(text, lambda name: self._team(store, name)) for text in p["given"]]
        _, remaining = split_fixtures(matches, cutoff)
        conditions = to_fixture_conditions(parsed, matches, remaining, cutoff, lambda t: names.get(t, t))
        result, names, provenance = self._simulate(base_params, conditions, progress)
        cond = result.summary().set_index("team")
        base = {row["team"]: row for row in baseline["rows"]}
        keep = [c for c in cond.columns if c.startswith("p_") or c == "expected_points"]
        rows = []
        for team in cond.index:
            row: dict[str, Any] = {"team": team, "club": names.get(team, team)}
            for metric in keep:
                row[f"{metric}_baseline"] = base[team][metric]
                row[f"{metric}_if"] = float(cond.loc[team, metric])
                row[f"{metric}_change"] = row[f"{metric}_if"] - (base[team][metric] or 0.0)
            rows.append(row)
        return {"competition": p["competition"], "season": p["season"], "as_of": p["as_of"], "model": p["model"],
                "sims": p["sims"], "seed": p["seed"], "given": p["given"], "metrics": keep, "rows": rows,
                "baseline_precomputed": baseline.get("precomputed"),
                "note": "same seed for both runs: the difference comes from the conditions, not from noise",
                **_basis(provenance, sims=p["sims"], seed=p["seed"], competitions=[p["competition"]])}

    @_memoized_question
    def remaining_question(self, competition: str, season: str, as_of: str | None = None,
                           model: str | None = None) -> Question:
        from matchday.data.seasons import normalize_season

        cutoff = _as_date(as_of)
        with self.source.open() as store:
            comp, season_ = self._league(store, competition, normalize_season(season), cutoff)
            found = self._defaults(store, comp.code, season_, as_of=cutoff,
                                   model=None if model is None else _model(model))
        return Question.of("fixtures", competition=comp.code, season=season_, as_of=found.as_of, model=found.model,
                           limit=self.limits.max_fixtures).with_note(found.note)

    @_memoized_question
    def chances_question(self, competition: str, season: str, as_of: str | None = None,
                         model: str | None = None, sims: int | None = None, seed: int | None = None) -> Question:
        from matchday.data.seasons import normalize_season

        cutoff = _as_date(as_of)
        sims_ = self._sims(sims, self.limits.max_chances_sims, self.limits.default_chances_sims)
        with self.source.open() as store:
            comp, season_ = self._league(store, competition, normalize_season(season), cutoff)
            found = self._heavy_defaults(store, comp.code, season_, cutoff, model, None, seed)
        return Question.of("chances", competition=comp.code, season=season_, as_of=found.as_of, model=found.model,
                           sims=sims_, seed=found.seed).with_note(found.note)

    def _compute_chances(self, p: dict, progress: Progress | None) -> View:
        """P(title), P(top places) and P(relegation) of every club at the end of each matchday up to the date
        (:func:`matchday.workflows.chances_by_matchday`, the fitted models from this server's cache)."""
        from matchday.workflows import chances_by_matchday

        cutoff = dt.date.fromisoformat(p["as_of"])
        fits: dict[dt.date, Any] = {}

        def fit(day: dt.date):
            fits[day] = self._fitted_with_provenance(store, p["model"], day)
            return fits[day].model

        with self.source.open() as store:
            frame, skipped = chances_by_matchday(
                store, p["competition"], p["season"], cutoff, fit=fit, n_sims=p["sims"], seed=p["seed"],
                progress=progress)
            teams = sorted(set(frame["team"])) if len(frame) else []
            names = self._names(store, teams)
        columns = [c for c in frame.columns if c.startswith("p_")]
        points = [{"matchday": matchday, "date": group["date"].iloc[0],
                   **{c: group.set_index("team")[c].reindex(teams).tolist() for c in columns}}
                  for matchday, group in frame.groupby("matchday", sort=True)]
        last = fits[max(fits)].provenance if fits else None
        return {"competition": p["competition"], "season": p["season"], "as_of": p["as_of"], "model": p["model"],
                "sims": p["sims"], "seed": p["seed"], "teams": teams, "clubs": [names[t] for t in teams],
                "points": points, "notes": skipped,
                "method": "one point per matchday: matchday k ends on the day the season's k x (clubs/2)-th match "
                          "was played; the model is refitted on the matches known then",
                **_basis(last, sims=p["sims"], seed=p["seed"], competitions=[p["competition"]]),
                "basis_note": "each point rests on its own fit; the basis given is the last point's"}

    # ----------------------------------------------------------------------------------------- UEFA, brackets
    @staticmethod
    def _league_phase_stored(code: str, season: str, matches: pd.DataFrame) -> bool:
        """The CLI's test for the new-format engine: a league-phase season whose league phase is stored."""
        from matchday.rules.uefa_format import has_league_phase
        from matchday.rules.uefa_league_phase import is_league_phase_round

        return bool(has_league_phase(code, season) and matches["round"].astype(str).map(is_league_phase_round).any())

    @_memoized_question
    def uefa_season_question(self, competition: str, season: str, as_of: str | None = None,
                             model: str | None = None, sims: int | None = None, seed: int | None = None) -> Question:
        """The CLI's ``simulate UCL 2024-25``: the league phase and then the knockout phase by position, from the
        as-of date (:func:`matchday.workflows.uefa_season_from_store`)."""
        from matchday.data.seasons import normalize_season
        from matchday.rules.uefa_format import has_league_phase

        cutoff = _as_date(as_of)
        with self.source.open() as store:
            comp, season_ = self._cup(store, competition, normalize_season(season), cutoff)
            if not has_league_phase(comp.code, season_):
                raise MatchdayError(f"{comp.code} ({comp.name}) {season_} has no league phase (group stage before "
                                    f"2024-25); use `matchday bracket {comp.code} {season_}` for its knockout rounds")
            if not self._league_phase_stored(comp.code, season_, store.matches([comp.code], [season_])):
                raise MatchdayError(f"no league-phase match of {comp.code} {season_} is stored (only knockout rounds); "
                                    f"run `matchday sync {comp.code} --seasons {season_}`")
            found = self._heavy_defaults(store, comp.code, season_, cutoff, model, sims, seed)
        return self._uefa_question(comp.code, season_, found)

    def _uefa_question(self, code: str, season: str, found: Defaults) -> Question:
        return Question.of("uefa_season", competition=code, season=season, as_of=found.as_of, model=found.model,
                           sims=self._sims(found.sims), seed=found.seed).with_note(found.note)

    def _compute_uefa_season(self, p: dict, progress: Progress | None) -> View:
        """:func:`matchday.workflows.uefa_season_from_store`, as the CLI's ``simulate`` and ``bracket`` of a
        league-phase season call it (same fit, simulations and seed)."""
        from matchday.workflows import uefa_season_from_store

        cutoff = dt.date.fromisoformat(p["as_of"])
        with self.source.open() as store:
            fitted, provenance = self._fitted_with_provenance(store, p["model"], cutoff)
            result = uefa_season_from_store(store, p["competition"], p["season"], cutoff, fitted=fitted,
                                            n_sims=p["sims"], seed=p["seed"], progress=progress)
        names = result.names
        summary = result.summary()
        summary.insert(1, "club", summary["team"].map(names))
        positions = result.position_probabilities()
        view = self._uefa_view(p, _records(summary), _records(result.knockout_table()), [str(t) for t in positions.index],
                               positions.to_numpy().tolist(), _records(result.ties_table()),
                               list(result.known_rounds), list(result.notes), int(result.n_remaining), names)
        return view | _basis(provenance, sims=p["sims"], seed=p["seed"], competitions=[p["competition"]])

    def _uefa_season_from_view(self, p: dict, body: View) -> View | None:
        if (body.get("format") != "league_phase" or not body.get("projection") or not body.get("positions")
                or not body.get("knockout") or not body.get("bracket")):
            return None
        names = {row["team"]: row["club"] for row in body["projection"]}
        return self._uefa_view(p, body["projection"], body["knockout"], body["positions"]["teams"],
                               body["positions"]["matrix"], body["bracket"]["ties"], body["bracket"]["known_rounds"],
                               body.get("notes") or [], int(body["remaining"]), names)

    @staticmethod
    def _uefa_view(p: dict, rows: list[dict], knockout: list[dict], teams: list[str], matrix: list[list[float]],
                   ties: list[dict], known_rounds: list[str], notes: list[str], n_remaining: int,
                   names: dict[str, str]) -> View:
        """A league-phase season's view from its parts (simulated here or read from a stored view: the same view):
        ``rows`` as the CLI's ``simulate --json`` (P(top 8), P(9-24), P(out), points; P(reach each knockout
        round), P(win)), ``clubs`` as its ``bracket --json`` (the clubs that can reach the knockout phase, best
        chance of winning first), ``ties`` the knockout ties drawn by the as-of date."""
        import pandas as pd

        from matchday.rules.uefa_format import uefa_format
        from matchday.simulate.uefa_season import STAGE_COLUMNS

        fmt = uefa_format(p["competition"], p["season"])
        top, (_, last) = fmt.direct_places, fmt.playoff_places
        position = {row["team"]: row["position"] for row in rows}
        clubs = pd.DataFrame(knockout)
        clubs.insert(1, "club", clubs["team"].map(lambda t: names.get(t, t)))
        clubs.insert(2, "position", clubs["team"].map(position))
        clubs = clubs[clubs["p_knockout_phase"] > 0]
        clubs = clubs.sort_values(["p_winner", "p_final", "p_semi_final", "p_quarter_final", "p_round_of_16",
                                   "position"], ascending=[False, False, False, False, False, True])
        ties = [{**t, "home_club": names.get(t["home"], t["home"]), "away_club": names.get(t["away"], t["away"]),
                 "winner_club": names.get(t["winner"], t["winner"]) if t.get("winner") else ""} for t in ties]
        n = len(teams)
        return {"competition": p["competition"], "season": p["season"], "as_of": p["as_of"], "model": p["model"],
                "sims": p["sims"], "seed": p["seed"], "format": "league_phase", "n_remaining": n_remaining,
                "rows": rows, "clubs": _records(clubs.reset_index(drop=True)), "rounds": list(STAGE_COLUMNS),
                "round_labels": dict(zip(STAGE_COLUMNS, ("Knockout phase", "Round of 16", "Quarter-final",
                                                          "Semi-final", "Final", "Winner"), strict=True)),
                "ties": ties, "known_rounds": known_rounds, "notes": notes,
                "positions": {"teams": teams, "clubs": [names.get(t, t) for t in teams], "matrix": matrix},
                "zones": ["round_of_16" if k <= top else "knockout_playoff" if k <= last else "eliminated"
                          for k in range(1, n + 1)],
                "standard_error_note": "Monte Carlo standard error of a probability p: sqrt(p(1-p)/sims)"}

    @_memoized_question
    def bracket_question(self, competition: str, season: str, as_of: str | None = None,
                         model: str | None = None, sims: int | None = None, seed: int | None = None) -> Question:
        """The CLI's ``bracket``: from 2024-25, when the store holds the league phase, the league-phase engine (the
        same question as :meth:`uefa_season_question`); otherwise the knockout rounds as stored."""
        from matchday.data.seasons import normalize_season
        from matchday.workflows import bracket_state

        cutoff = _as_date(as_of)
        with self.source.open() as store:
            comp, season_ = self._cup(store, competition, normalize_season(season), cutoff)
            found = self._heavy_defaults(store, comp.code, season_, cutoff, model, sims, seed)
            matches = store.matches([comp.code], [season_])
            if self._league_phase_stored(comp.code, season_, matches):
                return self._uefa_question(comp.code, season_, found)
            bracket_state(matches, comp.code, season_, found.as_of)  # the CLI's refusals
        return Question.of("bracket", competition=comp.code, season=season_, as_of=found.as_of, model=found.model,
                           sims=self._sims(found.sims), seed=found.seed).with_note(found.note)

    def _compute_bracket(self, p: dict, progress: Progress | None) -> View:
        """The CLI's ``bracket`` of a season without a league phase: the same ties, later rounds, grids, rules
        and seed."""
        from matchday.simulate.bracket import simulate_bracket
        from matchday.simulate.tie_model import knockout_params
        from matchday.workflows import bracket_state

        cutoff = dt.date.fromisoformat(p["as_of"])
        code = p["competition"]
        with self.source.open() as store:
            matches = store.matches([code], [p["season"]])
            first_round, ties, later, draws = bracket_state(matches, code, p["season"], cutoff)
            fitted, provenance = self._fitted_with_provenance(store, p["model"], cutoff)
            names = self._names(store)

        if progress:
            progress(0, p["sims"])
        result = simulate_bracket(ties, later, functools.partial(fitted.predict_many, competition=code),
                                  first_round=first_round, params=knockout_params(p["season"], code),
                                  n=p["sims"], seed=p["seed"])
        if progress:
            progress(p["sims"], p["sims"])
        frame = result.table.copy()
        frame.insert(0, "club", frame.index.map(lambda t: names.get(t, t)))
        frame = frame.sort_values(frame.columns[-1], ascending=False)
        frame.index.name = "team"
        frame = frame.reset_index()

        return {"competition": code, "season": p["season"], "as_of": p["as_of"], "model": p["model"],
                "sims": p["sims"], "seed": p["seed"], "format": "knockout", "first_round": first_round.name,
                "rounds": [c for c in result.table.columns], "rows": _records(frame),
                "ties": [{"home": t.home, "away": t.away, "home_club": names.get(t.home, t.home),
                          "away_club": names.get(t.away, t.away),
                          "first_leg": list(t.first_leg) if t.first_leg else None, "winner": t.winner} for t in ties],
                "later_rounds": [{"name": r.name, "pairings": [list(x) for x in r.pairings] if r.pairings else None,
                                  "open_draw": r.open_draw, "how": _later_round_note(r, draws)} for r in later],
                **_basis(provenance, sims=p["sims"], seed=p["seed"], competitions=[code])}

    @_memoized_question
    def rotation_question(self, club: str, as_of: str | None = None, weights: str | None = None,
                          gap: float | None = None, plans: Sequence[str] | None = None, model: str | None = None,
                          sims: int | None = None, seed: int | None = None) -> Question:
        """The CLI's ``rotate`` (two-tier squad model; no squad file from a request)."""
        from matchday.decide.squad import DEFAULT_GAP
        from matchday.decide.strategies import parse_weights, resolve_plans
        from matchday.workflows import calendar_from_store

        weights_text = weights or "title=1,trophy=0.5,top4=0.3"
        parsed = parse_weights(weights_text)
        for name, value in parsed.items():
            if not math.isfinite(value) or abs(value) > self.limits.max_weight:
                raise MatchdayError(f"weights: {name}={value} must be a number between "
                                    f"-{self.limits.max_weight:g} and {self.limits.max_weight:g}")
        gap_ = DEFAULT_GAP if gap is None else gap
        if not isinstance(gap_, int | float) or not math.isfinite(gap_) or not 0 <= gap_ <= self.limits.max_gap:
            raise MatchdayError(f"gap: {gap!r} must be a number from 0 to {self.limits.max_gap:g} (log goals)")
        plan_list = [x for x in (plans or []) if str(x).strip()]
        if len(plan_list) > self.limits.max_plans:
            raise MatchdayError(f"plan: {len(plan_list)} plans; at most {self.limits.max_plans}")
        cutoff = _as_date(as_of)
        note = ""
        with self.source.open() as store:
            club_id = self._team(store, club)
            if cutoff is None:  # the CLI's: the latest day with a played match of the club
                cutoff, note = self._latest_played(store, self._names(store, [club_id])[club_id], teams=[club_id])
            resolve_plans(calendar_from_store(store, club_id, cutoff), plan_list or None)
        return Question.of("rotation", club=club_id, as_of=cutoff, weights=weights_text, gap=float(gap_),
                           plans=plan_list, model=_model(model),
                           sims=self._sims(sims, self.limits.max_rotation_sims), seed=_seed(seed or 0)).with_note(note)

    def _compute_rotation(self, p: dict, progress: Progress | None) -> View:
        """The CLI's ``rotate --json`` (with its sensitivity analyses), plus the stance-flip curve for the chart."""
        from matchday.workflows import analyse_rotation

        cutoff = dt.date.fromisoformat(p["as_of"])
        with self.source.open() as store:
            fitted = self._fitted_with_provenance(store, p["model"], cutoff)  # the model and its provenance
            analysis = analyse_rotation(store, p["club"], cutoff, weights=p["weights"], plans=p["plans"] or None,
                                        squad=None, gap=p["gap"], fitted=fitted, n_sims=p["sims"], seed=p["seed"],
                                        progress=progress)
        analysis.gap_sensitivity()
        analysis.points_sensitivity()
        analysis.weight_sensitivity()
        view = analysis.to_dict()  # its "basis": the fit's TrainingProvenance.to_dict, as the CLI's --json
        view["basis_text"] = analysis.basis()
        view["club_name"] = analysis.name(analysis.calendar.club)
        view["weights_text"] = p["weights"]
        view["gap"] = p["gap"]
        view["plan_texts"] = p["plans"]
        view["cli"] = (f"matchday rotate '{view['club_name']}' --as-of {p['as_of']} --weights {p['weights']} --gap {p['gap']:g} "
                       f"--sims {p['sims']} --seed {p['seed']}" + "".join(f" --plan '{x}'" for x in p["plans"]))
        if analysis.has_stance_flip:
            flip = analysis.stance_flip()
            curve = analysis.stance_flip_curve(points=41)
            view["stance_curve"] = {"weight": curve["weight"].tolist(), "difference": curve["difference"].tolist(),
                                    "se": curve["se"].tolist(), "europe_plan": flip.europe, "league_plan": flip.league,
                                    "description": flip.describe()}
        return view

    # ----------------------------------------------------------------------------------------- model page
    @_memoized_question
    def backtests_question(self, run: str | None = None) -> Question:
        import re

        if run is not None and not re.fullmatch(r"[0-9A-Za-z_-]{1,64}", run):
            raise NotFoundError(f"no backtest run {run!r}: a run id is letters, digits, '-' and '_'")
        with self.source.open() as store:
            logged = store.counts()["forecasts"]
        return Question.of("backtests", run=run, log=logged)

    def _compute_backtests(self, p: dict, progress: Progress | None) -> View:
        """A saved backtest run (:func:`matchday.workflows.backtest_from_store`): RPS per model, league and
        season beside the markets (:meth:`~matchday.evaluate.backtest.BacktestResult.report`: paired differences
        with week-clustered standard errors, as the CLI's ``backtest`` computes them) and calibration tables."""
        from matchday.workflows import backtest_from_store, backtest_runs

        with self.source.open() as store:
            runs = _records(backtest_runs(store))
            logged = store.counts()["forecasts"]
            run = p["run"] or (runs[0]["run_id"] if runs else None)
            if p["run"] is not None and p["run"] not in {r["run_id"] for r in runs}:
                raise NotFoundError(f"no backtest run {p['run']!r} in the forecasts log; runs: "
                                    + (", ".join(r["run_id"] for r in runs) or "(none: run `matchday backtest`)"))
            view: dict[str, Any] = {"runs": runs, "run": run, "summary": [], "calibration": {}, "models": [],
                                    "other_logged": int(logged - sum(r["forecasts"] for r in runs)),
                                    "track_record_note": TRACK_RECORD_NOTE}
            if run is None:
                return view
            result = backtest_from_store(store, run)
        view.update(_backtest_view(result))
        return view


    # ----------------------------------------------------------------------------------------- track record
    @_memoized_question
    def track_record_question(self, model: str | None = None, competition: str | None = None,
                              since: str | None = None, live_only: bool = False, backtests: bool = False,
                              matches: bool = False) -> Question:
        """The CLI's ``track-record`` (same options): forecasts logged before the matches, graded once the results
        are stored; walk-forward backtests kept apart unless ``backtests``."""
        import re

        from matchday.data.competitions import resolve_competition

        if model is not None and not re.fullmatch(r"[0-9A-Za-z_.:+-]{1,64}", model):
            raise MatchdayError(f"model: {model!r} is not a model name (letters, digits and - _ . : +)")
        code = resolve_competition(competition).code if competition else None
        since_ = _as_date(since, "since")
        with self.source.open() as store:
            logged = store.counts()["forecasts"]
        return Question.of("track_record", model=model, competition=code, since=since_, live_only=bool(live_only),
                           backtests=bool(backtests), matches=bool(matches), log=logged)

    def _compute_track_record(self, p: dict, progress: Progress | None) -> View:
        """:func:`matchday.workflows.track_record_from_store` (what ``matchday track-record`` prints), with a
        calibration table per model for the chart."""
        from matchday.evaluate.track_record import track_record_calibration
        from matchday.workflows import track_record_from_store

        with self.source.open() as store:
            record = track_record_from_store(store, model=p["model"], competition=p["competition"],
                                             since=dt.date.fromisoformat(p["since"]) if p["since"] else None,
                                             live_only=p["live_only"], include_backtests=p["backtests"])
            names = self._names(store, set(record.graded["home"]) | set(record.graded["away"]))
        graded = record.graded
        view: dict[str, Any] = {
            "model": p["model"], "competition": p["competition"], "since": p["since"], "live_only": p["live_only"],
            "include_backtests": p["backtests"], "summary": _records(record.summary),
            "calibration": _records(record.calibration), "graded": int(len(graded)), "pending": record.pending,
            "unlinked": record.unlinked, "backtests_kept_apart": 0 if p["backtests"] else record.backtests,
            "caption": record.caption,
            "calibration_by_model": {str(m): _records(track_record_calibration(part))
                                     for m, part in graded.groupby("model", sort=True)} if len(graded) else {},
            "note": TRACK_RECORD_NOTE}
        if p["matches"]:
            shown = graded.tail(self.limits.max_fixtures).copy()
            shown.insert(shown.columns.get_loc("home") + 1, "home_club", shown["home"].map(names))
            shown.insert(shown.columns.get_loc("away") + 1, "away_club", shown["away"].map(names))
            view["matches"] = _records(shown)
            view["matches_note"] = (f"the latest {len(shown):,} of {len(graded):,} graded forecasts"
                                    if len(shown) < len(graded) else f"all {len(graded):,} graded forecasts")
        return view


# --------------------------------------------------------------------------------------------------- small helpers
def _tie_odds(fitted: Any, a: str, b: str, competition: str, season: str, score: Sequence[int] | None, final: bool,
              names: dict[str, str]) -> dict[str, Any]:
    """The tie model's odds (:func:`matchday.simulate.tie_model.forecast_tie`: what the CLI's ``tie`` prints and
    ``validate-ties`` scores) as a view part: P(each side goes through) and, per way the tie can be decided,
    P(decided so and this side goes through)."""
    from matchday.rules.knockout import METHOD_NAMES
    from matchday.simulate.tie_model import forecast_tie

    result = forecast_tie(fitted, a, b, season=season, competition=competition,
                          first_leg=tuple(score) if score else None, final=final,
                          teams=(names.get(a, a), names.get(b, b)))
    methods = [{"decided_by": str(name), "a": float(result.p_method[k, 0]), "b": float(result.p_method[k, 1])}
               for k, name in enumerate(METHOD_NAMES) if result.p_method[k].sum() > 0]
    return {"p_advance": [float(result.p_advance[0]), float(result.p_advance[1])], "methods": methods}


def _places(places) -> dict[str, Any]:
    """The league's places (:class:`~matchday.rules.leagues.Places`): the counts by name, the European total
    and what the European counts rest on (``europe_note``, text)."""
    from dataclasses import fields

    out: dict[str, Any] = {f.name: getattr(places, f.name) for f in fields(places)}
    out["europe"] = places.europe
    out["europe_definition"] = places.europe_definition
    return out


def _missing(value: Any) -> bool:
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _ts(date: dt.date):
    import pandas as pd

    return pd.Timestamp(date)


def _check_possible(parsed) -> None:
    """A condition that allows no score on the model's grid (e.g. '11-0') is a user error, not a crash."""
    import numpy as np

    from matchday.models.grid import DEFAULT_MAX_GOALS

    goals = np.arange(DEFAULT_MAX_GOALS + 1)
    home, away = np.meshgrid(goals, goals, indexing="ij")
    for condition in parsed:
        if not np.asarray(condition.mask(home, away)).any():
            raise MatchdayError(f"{condition.text!r}: no score up to {DEFAULT_MAX_GOALS} goals a side satisfies "
                                "this condition")


MARKETS = ("market_pre", "market_close")


def _backtest_view(result: Any) -> dict[str, Any]:
    """The model page's part of a :class:`~matchday.evaluate.backtest.BacktestResult`: ``summary`` (one row per
    model, league and season: n, rps, log_loss, brier, and against each market present ``vs_<market>`` (mean
    paired RPS difference, negative = better than the market), ``se_<market>`` (clustered by ISO week) and
    ``<market>_rps`` (the market's mean RPS in that league and season)); ``calibration`` per model
    (home, draw and away pooled); ``models`` (the run's models and blends, without markets and base rates)."""
    report = result.report()
    models = [m for m in result.models if m not in (*MARKETS, "base_rates")]
    shown = report[report["model"].isin([*models, *MARKETS])]
    summary = []
    for row in _records(shown):
        for market in MARKETS:
            own = report[(report["model"] == market) & (report["competition"] == row["competition"])
                         & (report["season"] == row["season"])]
            row[f"{market}_rps"] = float(own["rps"].iloc[0]) if len(own) else None
            row.setdefault(f"vs_{market}", None)
            row.setdefault(f"se_{market}", None)
        summary.append(row)
    calibration = {model: _records(result.calibration(model)) for model in [*models, "market_close"]
                   if model in result.models}
    return {"summary": summary, "calibration": calibration, "models": models}


def _score_text(row: Any) -> str:
    from matchday.workflows import score_text  # the CLI's wording, imported where used (workflows is heavy)

    return score_text(row)


def _later_round_note(round_: Any, draws: Any) -> str:
    from matchday.workflows import later_round_note

    return later_round_note(round_, draws)
