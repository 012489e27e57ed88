"""Walk-forward backtest: every model refitted at least weekly on data strictly before kick-off, scored
match by match next to base rates and the betting market on the very same matches.

How a run works
---------------
* **Work units and tasks.** One unit per evaluated (competition, season), one task per (unit, model).
  Tasks are independent, so they run on any :class:`~matchday.evaluate.executor.Executor` (here, local
  processes with ``n_jobs``, or a Dask cluster) with identical results; a unit's pieces are assembled in
  unit and model order, whatever order the tasks finished in.
* **Training data of a unit**: the played matches of the ``train_competitions`` of the evaluated one
  (default: every league of the same country in the frame, e.g. E0 and E1 together so that promoted
  clubs arrive with their Championship form on the same scale) from the evaluated season and the
  ``history_seasons`` seasons before it. Each model applies its own time decay to them.
* **Blocks.** The unit's played matches (from ``start`` on) are cut into blocks (:func:`refit_blocks`):
  ``"weekly"`` (default) = ISO weeks, Monday to Sunday, so a refit happens at least every 7 days and
  every block's results feed the next; ``"daily"`` = one block per match day (like penaltyblog's
  backtest; several times more fits); ``"gap"`` = a new block after each calendar day without a match
  in that competition, and at least weekly (one block per round when rounds are separated by a free
  day). ISO weeks are the default because they bound the staleness of every forecast by 7 days with
  ~40 refits per season; "gap" refits more often in congested periods.
* **Fit and predict.** For each block the model is fitted as of the day before the block's first match
  day (``as_of`` = that day: every training match dated on or before it; kick-off times are not used, so
  a Saturday block never sees another Saturday result), then ``predict_many`` (with each fixture's
  competition) gives the block's :class:`~matchday.models.grid.ScoreGrid` and its ``outcomes()`` the 1X2
  probabilities. Models are used through their contract only (:mod:`matchday.models.interface`); a model
  whose parameters include ``warm_start`` is refitted in place with ``warm_start=True`` (its previous
  solution starts the optimiser; the optimum does not depend on it). A model that fails to fit or
  predict stops the run with a :class:`~matchday.evaluate.executor.TaskError` naming the unit and the
  model, with the model's own error type and message. Scoring is vectorised over all matches at the end.
* **Unknown clubs.** A club with no match in the training data (a promoted club at its first match
  when the second tier is not in the data) cannot be rated by a model that has never seen it. Those
  matches get the block's base rates instead and are flagged ``imputed``; the flag and the count per
  fit are reported, never hidden.
* **Baselines and yardsticks.** ``base_rates`` (home/draw/away frequencies of the evaluated
  competition's training matches before the block) is always present. With ``odds``,
  ``market_close`` and ``market_pre`` (see :mod:`matchday.evaluate.market`) are scored on the same
  matches.

Scores (per match, lower is better): RPS normalised by ``r - 1``, log loss in nats, multi-class Brier
(:mod:`matchday.evaluate.metrics`). Paired differences between two forecasts are computed on the
matches both scored, with standard errors clustered by ISO week (matches of one week share shocks:
weather, injuries news, fixture congestion), across leagues.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from matchday.data.competitions import COMPETITIONS
from matchday.data.errors import DataError
from matchday.data.frames import played_matches
from matchday.data.seasons import normalize_season, season_start_year
from matchday.evaluate.executor import Executor, executor_for
from matchday.evaluate.market import DEFAULT_METHOD, MARKET_MODELS, market_probabilities
from matchday.evaluate.metrics import (
    brier,
    calibration_table,
    log_loss,
    outcome_index,
    paired_difference,
    reliability_plot,
    rps,
)

if TYPE_CHECKING:  # pragma: no cover
    from matchday.data.domain import Match
    from matchday.data.registry import TeamRegistry
    from matchday.data.store import Store
    from matchday.models.interface import ScoreModel

ModelFactory = Callable[[], "ScoreModel"]
Progress = Callable[[int, int, str], None]

BASE_RATES = "base_rates"
REFIT_MODES: tuple[str, ...] = ("weekly", "daily", "gap")
METRICS: tuple[str, ...] = ("rps", "log_loss", "brier")
REQUIRED_COLUMNS: tuple[str, ...] = ("date", "competition", "season", "home", "away", "home_goals", "away_goals")
FORECAST_COLUMNS: tuple[str, ...] = (
    "match_id", "competition", "season", "date", "week", "block", "as_of", "home", "away", "model",
    "p_home", "p_draw", "p_away", "outcome", "rps", "log_loss", "brier", "imputed",
)


# ---------------------------------------------------------------------------------------------------
# Blocks
# ---------------------------------------------------------------------------------------------------


def refit_blocks(dates: Any, refit: str = "weekly") -> np.ndarray:
    """Block number (0, 1, ... in time order) of each date; a model is refitted before every block.

    ``"weekly"``: ISO week (Monday-Sunday) of the date. ``"daily"``: the calendar day. ``"gap"``: a new
    block after every calendar day without a match, and at the latest 7 days after the block began.
    """
    if refit not in REFIT_MODES:
        raise ValueError(f"refit must be one of {', '.join(REFIT_MODES)}; got {refit!r}")
    stamps = pd.to_datetime(pd.Series(np.asarray(dates).reshape(-1)))
    if stamps.isna().any():
        raise ValueError("every match needs a date to be placed in a block")
    days = stamps.to_numpy().astype("datetime64[D]").astype(np.int64)  # days since 1970-01-01 (a Thursday)
    if refit == "daily":
        key = days
    elif refit == "weekly":
        key = days - (days + 3) % 7  # the Monday of the ISO week
    else:
        unique_days = np.unique(days)
        starts = np.empty(unique_days.size, dtype=np.int64)
        block_start = unique_days[0] if unique_days.size else 0
        for position, day in enumerate(unique_days):  # one step per match day, not per match
            if position and (day - unique_days[position - 1] > 1 or day - block_start >= 7):
                block_start = day
            starts[position] = block_start
        key = starts[np.searchsorted(unique_days, days)]
    _, codes = np.unique(key, return_inverse=True)
    return codes.astype(np.int64).reshape(-1)


def iso_week_labels(dates: Any) -> np.ndarray:
    """``"2023-W45"`` per date: the cluster label of the paired standard errors."""
    calendar = pd.DatetimeIndex(pd.to_datetime(np.asarray(dates))).isocalendar()
    return (calendar["year"].astype(str) + "-W" + calendar["week"].astype(str).str.zfill(2)).to_numpy(dtype=object)


# ---------------------------------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------------------------------


def frames_from_matches(
    matches: Iterable[Match], registry: TeamRegistry | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Model input frame and long odds table from domain matches, without a store.

    Team names are resolved to canonical ids with ``registry`` (default :meth:`TeamRegistry.load`),
    unknown names get the registry's provisional id, and ``match_id`` is the store's deterministic
    :func:`~matchday.data.store.match_id_for`, so the ids agree with a store holding the same matches.
    Returns ``(matches_frame, odds)`` shaped like :meth:`Store.matches` and :meth:`Store.odds`.
    """
    from matchday.data.domain import matches_frame
    from matchday.data.registry import TeamRegistry
    from matchday.data.store import match_id_for

    registry = registry or TeamRegistry.load()
    matches = list(matches)
    frame = matches_frame(matches)
    if frame.empty:
        empty_odds = pd.DataFrame(columns=["match_id", "bookmaker", "market", "selection", "line", "closing", "price"])
        return frame.assign(match_id=pd.Series(dtype=object)), empty_odds
    cache: dict[tuple[str, str | None], str] = {}

    def team_id(name: str, country: str | None) -> str:
        key = (name, country)
        if key not in cache:
            cache[key] = registry.resolve(name, country) or registry.provisional_id(name, country)
        return cache[key]

    league_country = frame["competition"].map(
        lambda c: COMPETITIONS[c].country if c in COMPETITIONS and COMPETITIONS[c].country != "EUR" else None)
    for side in ("home", "away"):
        country = frame[f"{side}_country"].where(frame[f"{side}_country"].notna(), league_country)
        frame[f"{side}_name"] = frame[side]
        frame[side] = [team_id(n, c if isinstance(c, str) else None) for n, c in zip(frame[side], country, strict=True)]
    frame["match_id"] = [
        match_id_for(c, s, d.date(), h, a)
        for c, s, d, h, a in zip(frame["competition"], frame["season"], frame["date"], frame["home"], frame["away"],
                                 strict=True)
    ]
    ids = frame["match_id"].to_numpy()
    odds = pd.DataFrame(
        [(ids[i], q.bookmaker, q.market, q.selection, q.line, q.closing, q.price)
         for i, m in enumerate(matches) for q in m.odds],
        columns=["match_id", "bookmaker", "market", "selection", "line", "closing", "price"],
    )
    return frame, odds


def _prepare(matches: pd.DataFrame) -> pd.DataFrame:
    """Validated copy sorted by date, with match_id, neutral and a normalised season."""
    played_matches(matches, columns=REQUIRED_COLUMNS)  # the one match-frame validation (data/frames.py)
    frame = matches.copy()
    frame["date"] = pd.to_datetime(frame["date"])
    if frame["date"].isna().any():
        row = frame.index[frame["date"].isna().to_numpy()][0]
        raise DataError("match without a date", column="date", value=f"row {row!r}", expected="a date")
    frame["season"] = [normalize_season(s) for s in frame["season"].astype(str)]
    if "neutral" not in frame.columns:
        frame["neutral"] = False
    frame["neutral"] = frame["neutral"].fillna(False).astype(bool)
    if "match_id" not in frame.columns:
        from matchday.data.store import match_id_for

        frame["match_id"] = [
            match_id_for(c, s, d.date(), h, a)
            for c, s, d, h, a in zip(frame["competition"], frame["season"], frame["date"], frame["home"],
                                     frame["away"], strict=True)
        ]
    frame = frame.sort_values("date", kind="stable").reset_index(drop=True)
    return frame


def _default_train_competitions(competition: str, present: Sequence[str]) -> list[str]:
    """The evaluated league plus the other leagues of its country in the data (E0 with E1)."""
    info = COMPETITIONS.get(competition)
    if info is None or info.kind != "league":
        return [competition]
    same = [c for c in present if c in COMPETITIONS and COMPETITIONS[c].kind == "league"
            and COMPETITIONS[c].country == info.country]
    return sorted(set(same) | {competition})


# ---------------------------------------------------------------------------------------------------
# Work units
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Unit:
    competition: str
    season: str
    train_rows: np.ndarray  # positions in the prepared frame, ascending date
    test_rows: np.ndarray  # positions in the prepared frame, ascending date


@dataclass(frozen=True)
class _Options:
    refit: str
    warm_start: bool


def _base_rates(outcomes: np.ndarray) -> np.ndarray:
    """Home/draw/away frequencies (uniform when there is nothing to count)."""
    if outcomes.size == 0:
        return np.full(3, 1.0 / 3.0)
    return np.bincount(outcomes, minlength=3)[:3] / outcomes.size


def _predict_outcomes(model: ScoreModel, home: np.ndarray, away: np.ndarray, neutral: np.ndarray,
                      competition: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """1X2 probabilities (n, 3) and a mask of the fixtures the model could rate (both clubs in ``teams_``)."""
    probs = np.full((home.size, 3), np.nan)
    known = np.isin(home, model.teams_) & np.isin(away, model.teams_)
    rows = np.flatnonzero(known)
    if rows.size:
        probs[rows] = model.predict_many(home[rows], away[rows], neutral[rows], competition[rows]).outcomes()
    totals = probs.sum(axis=1, keepdims=True)
    probs = probs / totals  # censored or truncated matrices: make each forecast sum to exactly 1
    return probs, known & np.isfinite(probs).all(axis=1)


def _run_unit(unit: _Unit, factories: Mapping[str, ModelFactory], frame: pd.DataFrame, options: _Options,
              base: bool = True) -> tuple[pd.DataFrame, list[dict]]:
    """Forecasts of one (competition, season) by the given models: one row per (test match, model), and one
    record per fit. ``base``: also the base rates' rows and records (and the records of skipped blocks); the
    base rates are computed either way, since they stand in for clubs a model cannot rate."""
    train = frame.iloc[unit.train_rows]
    test = frame.iloc[unit.test_rows]
    train_dates = train["date"].to_numpy(dtype="datetime64[ns]")
    train_outcome = outcome_index(train["home_goals"].to_numpy(dtype=float, na_value=np.nan),
                                  train["away_goals"].to_numpy(dtype=float, na_value=np.nan))
    train_same = (train["competition"] == unit.competition).to_numpy()
    test_dates = test["date"].to_numpy(dtype="datetime64[ns]")
    home = test["home"].to_numpy(dtype=object)
    away = test["away"].to_numpy(dtype=object)
    neutral = test["neutral"].to_numpy(dtype=bool)
    competition = test["competition"].to_numpy(dtype=object)
    blocks = refit_blocks(test_dates, options.refit)

    names = [BASE_RATES, *factories] if base else list(factories)
    n = len(test)
    probabilities = {name: np.full((n, 3), np.nan) for name in names}
    imputed = {name: np.zeros(n, dtype=bool) for name in names}
    as_of = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    models: dict[str, Any] = {}
    fits: list[dict] = []
    for block in range(int(blocks.max()) + 1 if n else 0):
        rows = np.flatnonzero(blocks == block)
        cutoff = test_dates[rows].astype("datetime64[D]").min().astype("datetime64[ns]")  # the block's first day
        stop = int(np.searchsorted(train_dates, cutoff, side="left"))
        day_before = cutoff - np.timedelta64(1, "D")  # as of the end of it: what was known at the first kick-off
        as_of[rows] = day_before
        record = {"competition": unit.competition, "season": unit.season, "block": block,
                  "as_of": pd.Timestamp(day_before), "n_train": stop, "n_predict": int(rows.size),
                  "last_train_date": pd.Timestamp(train_dates[stop - 1]) if stop else pd.NaT}
        if stop == 0:  # nothing to learn from: the block is not forecast by anyone
            if base:
                fits.append({**record, "model": None, "skipped": True})
            continue
        same = train_same[:stop]
        rates = _base_rates(train_outcome[:stop][same] if same.any() else train_outcome[:stop])
        if base:
            probabilities[BASE_RATES][rows] = rates
            fits.append({**record, "model": BASE_RATES, "skipped": False, "fit_seconds": 0.0,
                         "predict_seconds": 0.0, "imputed": 0, "warm_start": False})
        training = train.iloc[:stop]
        for name, factory in factories.items():
            model = models.get(name)
            warm = model is not None  # the same instance refitted with warm_start=True
            if model is None:
                model = factory()
                if options.warm_start and "warm_start" in model.get_params():
                    model.set_params(warm_start=True)
                    models[name] = model
            started = time.perf_counter()
            model.fit(training, as_of=pd.Timestamp(day_before))
            fitted = time.perf_counter()
            probs, known = _predict_outcomes(model, home[rows], away[rows], neutral[rows], competition[rows])
            probs[~known] = rates
            probabilities[name][rows] = probs
            imputed[name][rows] = ~known
            fits.append({**record, "model": name, "skipped": False, "fit_seconds": fitted - started,
                         "predict_seconds": time.perf_counter() - fitted, "imputed": int((~known).sum()),
                         "warm_start": warm})
    pieces = []
    for name in names:
        pieces.append(pd.DataFrame({
            "row": unit.test_rows, "block": blocks, "as_of": as_of, "model": name,
            "p_home": probabilities[name][:, 0], "p_draw": probabilities[name][:, 1],
            "p_away": probabilities[name][:, 2], "imputed": imputed[name],
        }))
    return pd.concat(pieces, ignore_index=True), fits


@dataclass(frozen=True)
class _Job:
    """What every task of a run reads (shipped once per worker): the units, the models, the frame."""

    units: list[_Unit]
    factories: Mapping[str, ModelFactory]
    frame: pd.DataFrame
    options: _Options


@dataclass(frozen=True)
class _Task:
    """One unit of work: a unit's forecasts by some of the models (and its base rates when ``base``)."""

    unit: int
    models: tuple[str, ...]
    base: bool


def _run_task(job: _Job, task: _Task) -> tuple[pd.DataFrame, list[dict]]:
    """The executor's task function (module level: workers import it by name)."""
    factories = {name: job.factories[name] for name in task.models}
    return _run_unit(job.units[task.unit], factories, job.frame, job.options, base=task.base)


def _tasks(units: list[_Unit], names: Sequence[str]) -> list[_Task]:
    """One task per (unit, model), the unit's first one also carrying its base rates: the finest split that
    keeps a model's warm-started refits of one unit together."""
    tasks = []
    for index in range(len(units)):
        if not names:
            tasks.append(_Task(index, (), True))
        for position, name in enumerate(names):
            tasks.append(_Task(index, (name,), position == 0))
    return tasks


def _execute(units: list[_Unit], factories: Mapping[str, ModelFactory], frame: pd.DataFrame, options: _Options,
             executor: Executor, progress: Progress | None
             ) -> list[tuple[pd.DataFrame, list[dict], float]]:
    """Run every (unit, model) task on ``executor``; per unit, in unit order: (forecast rows, fit records,
    seconds). Pieces are assembled by task index, so the result does not depend on which task finished
    first or where it ran."""
    names = list(factories)
    tasks = _tasks(units, names)
    cost = [units[t.unit].train_rows.size + 5 * units[t.unit].test_rows.size for t in tasks]
    labels = [f"{units[t.unit].competition} {units[t.unit].season}" + (f" {t.models[0]}" if t.models else "")
              for t in tasks]
    job = _Job(units, dict(factories), frame, options)
    outputs = executor.map(_run_task, tasks, shared=job, cost=cost, labels=labels, progress=progress)
    seconds = executor.seconds or [0.0] * len(tasks)
    rank = {name: position for position, name in enumerate([BASE_RATES, *names])}
    per_unit: list[tuple[list[pd.DataFrame], list[dict], float]] = [([], [], 0.0) for _ in units]
    for task, (out, fits), elapsed in zip(tasks, outputs, seconds, strict=True):
        pieces, records, total = per_unit[task.unit]
        pieces.append(out)
        records.extend(fits)
        per_unit[task.unit] = (pieces, records, total + elapsed)
    results = []
    for pieces, records, total in per_unit:
        # fit records in the serial order: block by block, base rates (or the skip) first, then each model
        records = sorted(records, key=lambda r: (r["block"], -1 if r["model"] in (None, BASE_RATES)
                                                 else rank[r["model"]]))
        results.append((pd.concat(pieces, ignore_index=True), records, total))
    return results


# ---------------------------------------------------------------------------------------------------
# Result
# ---------------------------------------------------------------------------------------------------


@dataclass
class BacktestResult:
    """Everything a walk-forward run produced.

    forecasts: one row per (match, model) with the columns :data:`FORECAST_COLUMNS`: ``week`` is the
        ISO week label (cluster of the standard errors), ``block`` the refit block within the unit,
        ``as_of`` the fit's as-of day (the day before the block; NaT for the market), ``outcome`` 0/1/2 =
        home/draw/away, ``imputed`` True where the model could not rate a club and base rates stood in.
    fits: one row per (unit, block, model) fit: ``as_of``, ``n_train``, ``last_train_date``,
        ``n_predict``, ``fit_seconds``, ``predict_seconds``, ``imputed``, ``warm_start``, ``skipped``.
    settings: the run's arguments; unit_seconds: per (competition, season) unit, its matches, fits and the
        summed run time of its tasks (one per model, possibly on different workers);
    wall_seconds: the whole run.
    """

    forecasts: pd.DataFrame
    fits: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)
    unit_seconds: pd.DataFrame = field(default_factory=pd.DataFrame)
    wall_seconds: float = 0.0

    @property
    def models(self) -> list[str]:
        """Model names in the order they were given (base rates, models, markets, blends)."""
        return list(pd.unique(self.forecasts["model"]))

    def summary(self, by: Sequence[str] = ("competition", "season"), models: Sequence[str] | None = None
                ) -> pd.DataFrame:
        """Mean RPS, log loss and Brier per model and group (``by=()`` pools all matches).

        Columns: model, *by, n (matches scored), rps, log_loss, brier, imputed (matches with base rates
        standing in). Rows are in model order, then group order.
        """
        frame = self._select(models)
        keys = ["model", *by]
        grouped = frame.groupby(keys, sort=False, observed=True)
        table = grouped[list(METRICS)].mean()
        table.insert(0, "n", grouped["rps"].count())
        table["imputed"] = grouped["imputed"].sum().astype(int)
        table = table.reset_index()
        table["model"] = pd.Categorical(table["model"], categories=self.models, ordered=True)
        table = table.sort_values(keys, kind="stable").reset_index(drop=True)
        table["model"] = table["model"].astype(str)
        return table

    def compare(self, reference: str = "market_close", metric: str = "rps",
                by: Sequence[str] = ("competition", "season"), models: Sequence[str] | None = None
                ) -> pd.DataFrame:
        """Paired differences ``model - reference`` of a per-match score, per group.

        Only matches scored by both enter. Columns: model, *by, n, difference (mean; negative = the model
        is better), standard_error (clustered by ISO week, CR1), z. NaN standard error for a group with
        fewer than two weeks.
        """
        if metric not in METRICS:
            raise ValueError(f"metric must be one of {', '.join(METRICS)}; got {metric!r}")
        if reference not in self.models:
            raise ValueError(f"no forecasts named {reference!r} in this result; have {', '.join(self.models)}")
        wide = self.forecasts.pivot(index="match_id", columns="model", values=metric)
        meta = self.forecasts.drop_duplicates("match_id").set_index("match_id")[["competition", "season", "week"]]
        wide = wide.join(meta)
        names = [m for m in (models or self.models) if m != reference]
        rows = []
        groups = wide.groupby(list(by), sort=True, observed=True) if by else [((), wide)]
        for key, group in groups:
            key = key if isinstance(key, tuple) else (key,)
            for name in names:
                a, b = group[name].to_numpy(dtype=float), group[reference].to_numpy(dtype=float)
                both = ~(np.isnan(a) | np.isnan(b))
                n = int(both.sum())
                row = {"model": name, **dict(zip(by, key, strict=True)), "n": n, "difference": np.nan,
                       "standard_error": np.nan}
                if n >= 2:
                    row["difference"] = float(np.mean(a[both] - b[both]))
                    weeks = group["week"].to_numpy()[both]
                    if len(set(weeks)) >= 2:
                        row["standard_error"] = paired_difference(a[both], b[both], clusters=weeks).standard_error
                rows.append(row)
        table = pd.DataFrame(rows, columns=["model", *by, "n", "difference", "standard_error"])
        table["z"] = table["difference"] / table["standard_error"]
        return table

    def report(self, metric: str = "rps", by: Sequence[str] = ("competition", "season")) -> pd.DataFrame:
        """:meth:`summary` plus the paired difference in ``metric`` against each market present
        (``vs_market_close``/``se_market_close``, ``vs_market_pre``/``se_market_pre``)."""
        table = self.summary(by)
        for market in MARKET_MODELS:
            if market not in self.models:
                continue
            diff = self.compare(market, metric, by).rename(
                columns={"difference": f"vs_{market}", "standard_error": f"se_{market}"})
            table = table.merge(diff[["model", *by, f"vs_{market}", f"se_{market}"]], on=["model", *by], how="left")
        return table

    def calibration(self, model: str, bins: int | Sequence[float] = 10) -> pd.DataFrame:
        """Reliability table of one model's 1X2 forecasts (home, draw and away pooled as binary events)."""
        frame = self._select([model]).dropna(subset=["p_home", "p_draw", "p_away", "outcome"])
        return calibration_table(frame[["p_home", "p_draw", "p_away"]].to_numpy(), frame["outcome"].to_numpy(),
                                 bins=bins)

    def write_reliability(self, model: str, path: str | os.PathLike, bins: int | Sequence[float] = 10,
                          title: str | None = None) -> Path:
        """Reliability diagram (PNG) of one model's forecasts; returns the path."""
        return reliability_plot(self.calibration(model, bins), path, title=title or f"Reliability: {model}")

    def _select(self, models: Sequence[str] | None) -> pd.DataFrame:
        if models is None:
            return self.forecasts
        unknown = [m for m in models if m not in self.models]
        if unknown:
            raise ValueError(f"no forecasts named {unknown[0]!r} in this result; have {', '.join(self.models)}")
        return self.forecasts[self.forecasts["model"].isin(models)]


def _score(frame: pd.DataFrame) -> pd.DataFrame:
    probs = frame[["p_home", "p_draw", "p_away"]].to_numpy(dtype=float)
    outcome = frame["outcome"].to_numpy(dtype=float)
    frame["rps"] = rps(probs, outcome)
    frame["log_loss"] = log_loss(probs, outcome)
    frame["brier"] = brier(probs, outcome)
    return frame


# ---------------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------------


def walk_forward_many(
    factories: Mapping[str, ModelFactory],
    matches: pd.DataFrame,
    *,
    competitions: Iterable[str],
    seasons: Iterable[str],
    start: Any = None,
    refit: str = "weekly",
    history_seasons: int = 2,
    odds: pd.DataFrame | None = None,
    progress: Progress | None = None,
    n_jobs: int = 1,
    executor: Executor | None = None,
    train_competitions: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
    warm_start: bool = True,
    market_method: str = DEFAULT_METHOD,
) -> BacktestResult:
    """Walk-forward backtest of several models on the same matches (see the module docstring).

    factories: ``{name: callable returning a fresh unfitted model}`` (a class, ``functools.partial`` or
        a lambda) of :class:`~matchday.models.interface.ScoreModel` objects.
    matches: model input frame (``Store.matches()`` or :func:`frames_from_matches`): date, competition,
        season, home, away (team ids), home_goals, away_goals, and optionally match_id, neutral, shots...
    competitions, seasons: what is evaluated (one work unit per pair present in ``matches``).
    start: evaluate only matches on or after this date (earlier ones of the season still train).
    refit: ``"weekly"`` (default), ``"daily"`` or ``"gap"`` (see :func:`refit_blocks`).
    history_seasons: how many seasons before the evaluated one the training data reaches back.
    odds: the long odds table; adds ``market_close`` and ``market_pre`` (margin removed by
        ``market_method``).
    progress: ``progress(done_tasks, total_tasks, label)`` after each (unit, model) task, here.
    n_jobs: local worker processes when no ``executor`` is given (``-1`` = every core; 1 = run here).
    executor: what runs the (unit, model) tasks (:mod:`matchday.evaluate.executor`: serial, local processes
        or a Dask cluster); the result is the same whichever runs them. The caller closes it.
    train_competitions: competitions whose matches train the models: a list for every unit, or
        ``{evaluated: [training ...]}``; default: the evaluated league plus the other leagues of its
        country present in ``matches``.
    warm_start: refit a model in place with ``warm_start=True`` when that is one of its parameters.
    """
    wall_started = time.perf_counter()
    names = list(factories)
    for name in names:
        if name == BASE_RATES or name in MARKET_MODELS:
            raise ValueError(f"model name {name!r} is reserved for a baseline; choose another")
    if refit not in REFIT_MODES:
        raise ValueError(f"refit must be one of {', '.join(REFIT_MODES)}; got {refit!r}")
    if history_seasons < 0:
        raise ValueError(f"history_seasons must be >= 0; got {history_seasons}")
    frame = _prepare(matches)
    competitions = list(dict.fromkeys(competitions))
    seasons = [normalize_season(s) for s in seasons]
    start_stamp = pd.Timestamp(start) if start is not None else None
    played = (frame["home_goals"].notna() & frame["away_goals"].notna()).to_numpy()
    season_year = frame["season"].map(season_start_year).to_numpy()
    present = list(pd.unique(frame["competition"]))

    units: list[_Unit] = []
    for competition in competitions:
        if isinstance(train_competitions, Mapping):
            training = list(train_competitions.get(competition, [competition]))
        elif train_competitions is not None:
            training = list(train_competitions)
        else:
            training = _default_train_competitions(competition, present)
        in_training = frame["competition"].isin(training).to_numpy() & played
        for season in seasons:
            year = season_start_year(season)
            test = played & (frame["competition"] == competition).to_numpy() & (frame["season"] == season).to_numpy()
            if start_stamp is not None:
                test &= (frame["date"] >= start_stamp).to_numpy()
            if not test.any():
                continue
            last = frame["date"].to_numpy()[test].max()
            train = in_training & (season_year >= year - history_seasons) & (season_year <= year)
            train &= (frame["date"] < last).to_numpy()
            units.append(_Unit(competition, season, np.flatnonzero(train), np.flatnonzero(test)))
    if not units:
        raise DataError("no played matches to evaluate", column="competition/season",
                        value=f"{', '.join(competitions)} / {', '.join(seasons)}",
                        expected="competitions and seasons present in the match frame")

    options = _Options(refit=refit, warm_start=warm_start)
    if executor is None:
        with executor_for(None, n_jobs) as local:
            outputs = _execute(units, factories, frame, options, local, progress)
            ran_on, jobs = local.describe(), local.workers
    else:
        outputs = _execute(units, factories, frame, options, executor, progress)
        ran_on, jobs = executor.describe(), executor.workers

    pieces, fit_rows, unit_rows = [], [], []
    for unit, (out, fits, seconds) in zip(units, outputs, strict=True):
        pieces.append(out)
        fit_rows.extend(fits)
        unit_rows.append({"competition": unit.competition, "season": unit.season, "matches": unit.test_rows.size,
                          "fits": sum(1 for f in fits if f.get("model") not in (None, BASE_RATES)),
                          "seconds": seconds})
    forecasts = pd.concat(pieces, ignore_index=True)
    test_rows = np.concatenate([u.test_rows for u in units])
    blocks = forecasts[forecasts["model"] == BASE_RATES].set_index("row")["block"]
    if odds is not None:
        ids = frame["match_id"].to_numpy()[test_rows]
        for market, kind in MARKET_MODELS.items():
            probs = market_probabilities(odds, kind, method=market_method, match_ids=ids).set_index("match_id")
            aligned = probs.reindex(ids)
            forecasts = pd.concat([forecasts, pd.DataFrame({
                "row": test_rows, "block": blocks.reindex(test_rows).to_numpy(),
                "as_of": np.full(test_rows.size, np.datetime64("NaT"), dtype="datetime64[ns]"), "model": market,
                "p_home": aligned["p_home"].to_numpy(), "p_draw": aligned["p_draw"].to_numpy(),
                "p_away": aligned["p_away"].to_numpy(), "imputed": np.zeros(test_rows.size, dtype=bool),
            })], ignore_index=True)

    rows = forecasts["row"].to_numpy()
    meta = frame.iloc[rows]
    forecasts["match_id"] = meta["match_id"].to_numpy()
    forecasts["competition"] = meta["competition"].to_numpy()
    forecasts["season"] = meta["season"].to_numpy()
    forecasts["date"] = meta["date"].to_numpy()
    forecasts["home"] = meta["home"].to_numpy()
    forecasts["away"] = meta["away"].to_numpy()
    forecasts["outcome"] = outcome_index(meta["home_goals"].to_numpy(dtype=float, na_value=np.nan),
                                         meta["away_goals"].to_numpy(dtype=float, na_value=np.nan))
    forecasts["week"] = iso_week_labels(forecasts["date"])
    order = {name: i for i, name in enumerate([BASE_RATES, *names, *MARKET_MODELS])}
    forecasts["_order"] = forecasts["model"].map(order)
    forecasts = forecasts.sort_values(["_order", "date", "row"], kind="stable").reset_index(drop=True)
    forecasts = _score(forecasts)[list(FORECAST_COLUMNS)]
    fits = pd.DataFrame(fit_rows)
    settings = {"models": names, "competitions": competitions, "seasons": seasons,
                "start": None if start_stamp is None else start_stamp.date().isoformat(), "refit": refit,
                "history_seasons": history_seasons, "n_jobs": jobs, "executor": ran_on, "warm_start": warm_start,
                "market_method": market_method if odds is not None else None,
                "train_competitions": {u.competition: sorted(set(frame["competition"].iloc[u.train_rows]))
                                       for u in units}}
    return BacktestResult(forecasts, fits, settings, pd.DataFrame(unit_rows), time.perf_counter() - wall_started)


def walk_forward(model_factory: ModelFactory, matches: pd.DataFrame, *, name: str | None = None,
                 **arguments: Any) -> BacktestResult:
    """Walk-forward backtest of one model: :func:`walk_forward_many` with ``{name: model_factory}`` and the
    same keyword arguments (``name`` defaults to the factory's class or function name, ``"model"`` for a
    lambda)."""
    label = name or getattr(model_factory, "__name__", None) or type(model_factory).__name__
    if label == "<lambda>":
        label = "model"
    return walk_forward_many({label: model_factory}, matches, **arguments)


def add_blend(result: BacktestResult, model: str, market: str = "market_pre", *, name: str | None = None,
              free: bool = False, min_matches: int = 300, window_days: float | None = None,
              weight: float | None = None) -> BacktestResult:
    """The result plus a model + market log pool (:mod:`matchday.forecast.blend`) fitted walk-forward.

    Each forecast is pooled with weights fitted on the matches (of every unit in the result) played
    before that forecast's own cut-off, never on its own result or a later one; until ``min_matches``
    such matches exist the pool is the market. ``weight`` fixes the model's weight instead (0 = the
    market, 1 = the model). The new rows are named ``name`` (default
    ``"blend:<model>"``) and carry the model's weight in ``result.settings["blends"]``. Matches without
    a market forecast get the model's.
    """
    from matchday.forecast.blend import walk_forward_pool

    for needed in (model, market):
        if needed not in result.models:
            raise ValueError(f"no forecasts named {needed!r} in this result; have {', '.join(result.models)}")
    label = name or f"blend:{model}"
    columns = ["p_home", "p_draw", "p_away"]
    own = result.forecasts[result.forecasts["model"] == model].set_index("match_id")
    other = result.forecasts[result.forecasts["model"] == market].set_index("match_id").reindex(own.index)
    probs, weight_model, weight_market = walk_forward_pool(
        own[columns].to_numpy(dtype=float), other[columns].to_numpy(dtype=float), own["outcome"].to_numpy(dtype=float),
        own["date"].to_numpy(), own["as_of"].to_numpy(), free=free, min_matches=min_matches, window_days=window_days,
        weight=weight)
    blended = own.reset_index()
    blended["model"] = label
    blended[columns] = probs
    blended = _score(blended)
    forecasts = pd.concat([result.forecasts[result.forecasts["model"] != label], blended[list(FORECAST_COLUMNS)]],
                          ignore_index=True)
    weights = pd.DataFrame({"as_of": own["as_of"].to_numpy(), "model_weight": weight_model,
                            "market_weight": weight_market}).drop_duplicates("as_of").sort_values("as_of")
    settings = dict(result.settings)
    settings["blends"] = {**settings.get("blends", {}),
                          label: {"model": model, "market": market, "free": free, "min_matches": min_matches,
                                  "window_days": window_days, "fixed_weight": weight, "weights": weights.reset_index(drop=True)}}
    return replace(result, forecasts=forecasts, settings=settings)


def save_backtest(store: Store, result: BacktestResult, run_id: str, models: Sequence[str] | None = None) -> str:
    """Write the per-match forecasts to the store's forecasts log; returns ``run_id``.

    One :meth:`Store.log_forecasts` call per (model, cut-off date) so that the log's ``as_of`` is each
    forecast's own cut-off (NULL for the market), all in one transaction (a failure writes nothing).
    ``details`` holds season, block, outcome, the three scores and the imputed flag as JSON.
    """
    frame = result._select(models)
    if frame.empty:
        return run_id
    def number(value: float) -> float | None:  # JSON has no NaN: a market without odds scores null
        return None if pd.isna(value) else float(value)

    frame = frame.assign(details=[
        {"season": s, "block": int(b), "outcome": None if pd.isna(o) else int(o), "rps": number(r),
         "log_loss": number(ll), "brier": number(br), "imputed": bool(i), "source": "backtest"}
        for s, b, o, r, ll, br, i in zip(frame["season"], frame["block"], frame["outcome"], frame["rps"],
                                         frame["log_loss"], frame["brier"], frame["imputed"], strict=True)
    ])
    columns = ["match_id", "competition", "home", "away", "p_home", "p_draw", "p_away", "details"]
    # one transaction: all rows or none, and far fewer commits (each would cost ~10 ms)
    store.con.execute("BEGIN TRANSACTION")
    try:
        for (model, cutoff), group in frame.groupby(["model", "as_of"], sort=False, dropna=False):
            as_of: dt.date | None = None if pd.isna(cutoff) else pd.Timestamp(cutoff).date()
            store.log_forecasts(group[columns].reset_index(drop=True), model=str(model), as_of=as_of, run_id=run_id)
        store.con.execute("COMMIT")
    except BaseException:
        store.con.execute("ROLLBACK")
        raise
    return run_id
