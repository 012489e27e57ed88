"""Parameter sweeps: leagues x seasons x models x model settings, each a walk-forward backtest.

A sweep is a grid: the leagues and seasons to evaluate, and for each model a grid of constructor parameters
(every combination is one *variant*, e.g. ``dixon-coles(shrinkage=3, xi=0.001)``). Every variant is
backtested walk-forward on exactly the same matches (:func:`matchday.evaluate.backtest.walk_forward_many`:
one task per league, season and variant, on any :class:`~matchday.evaluate.executor.Executor`), next to
base rates and, with odds, the closing and pre-match market.

The grid comes from the command line (``--leagues``, ``--seasons``, ``--models``, ``--param``) or a TOML
file::

    leagues = ["E0", "SP1"]
    seasons = "2021-22:2023-24"        # a range, one season, or a list of seasons
    refit = "weekly"                   # optional: weekly (default), daily or gap
    history_seasons = 2                # optional: seasons before the evaluated one that train it
    start = "2023-10-01"               # optional: evaluate matches from this date on

    [models.dixon-coles]               # one table per model; each key is a constructor parameter
    xi = [0.0, 0.0019]                 # a list is a grid of values
    shrinkage = [3.0, 6.0]

    [models.elo]                       # an empty table: the model with its defaults

A parameter whose value is itself a list (``newcomer_prior``) is given as a list of lists
(``newcomer_prior = [[-0.3, 0.2]]``); inner lists become tuples.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import os
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matchday.data.errors import DataError, MatchdayError, UnknownChoiceError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from matchday.evaluate.backtest import BacktestResult, Progress
    from matchday.evaluate.executor import Executor

SPEC_KEYS = ("leagues", "seasons", "models", "refit", "history_seasons", "start")


def format_value(value: Any) -> str:
    """A parameter value as it appears in a variant's label (TOML-like: 0.0019, true, none, (a, b))."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, tuple | list):
        return "(" + ", ".join(format_value(v) for v in value) + ")"
    return str(value)


def parse_value(text: str) -> Any:
    """A command-line value: a TOML literal (number, true/false, [list]) or else plain text; none/null -> None."""
    stripped = text.strip()
    if stripped.lower() in ("none", "null"):
        return None
    try:
        return tomllib.loads(f"value = {stripped}")["value"]
    except tomllib.TOMLDecodeError:
        return stripped


def _split_values(text: str) -> list[str]:
    """``0,0.001,[1,2]`` -> ``["0", "0.001", "[1,2]"]`` (commas inside brackets do not split)."""
    parts, depth, current = [], 0, []
    for char in text:
        if char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p for p in (part.strip() for part in parts) if p]


def _freeze(value: Any) -> Any:
    """Lists inside a value become tuples (hashable, and what the models take)."""
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        raise MatchdayError(f"a table {value!r} is not a parameter value (expected a number, text, true/false "
                            "or a list of values)")
    return value


@dataclass(frozen=True)
class Variant:
    """One model with one set of constructor parameters (the rest at their defaults)."""

    model: str
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def label(self) -> str:
        """``dixon-coles`` or ``dixon-coles(shrinkage=3.0, xi=0.001)``: the name its forecasts carry."""
        if not self.params:
            return self.model
        return f"{self.model}(" + ", ".join(f"{k}={format_value(v)}" for k, v in self.params) + ")"

    def factory(self) -> partial:
        """A picklable callable returning a fresh unfitted model (``functools.partial`` of the class)."""
        from matchday.models import MODELS

        return partial(MODELS[self.model], **dict(self.params))


def model_parameters(model: str) -> dict[str, Any]:
    """The model's constructor parameters and their defaults (``get_params`` of a default instance)."""
    from matchday.models import MODELS, checked_model_name

    checked_model_name(model)
    return MODELS[model]().get_params(deep=False)


def expand_grid(model: str, grid: Mapping[str, Any] | None = None) -> list[Variant]:
    """Every combination of the grid's values (a scalar is a one-value grid), in the given key order.

    Unknown parameter names are an error naming the model's parameters; duplicate values count once.
    """
    known = model_parameters(model)
    axes: list[tuple[str, list[Any]]] = []
    for name, values in (grid or {}).items():
        if name not in known:
            raise UnknownChoiceError(f"parameter of {model}", name, sorted(known))
        values = values if isinstance(values, list) else [values]
        if not values:
            raise MatchdayError(f"{model}.{name}: an empty list of values")
        unique = list(dict.fromkeys(_freeze(v) for v in values))
        axes.append((name, unique))
    combos = itertools.product(*(values for _, values in axes))
    return [Variant(model, tuple(zip([n for n, _ in axes], combo, strict=True))) for combo in combos]


def parse_param(text: str, models: Sequence[str]) -> tuple[list[str], str, list[Any]]:
    """A ``--param`` option: ``[MODEL.]NAME=V1,V2,...`` -> (models it applies to, name, values).

    Without ``MODEL.`` it applies to every listed model that has the parameter (an error if none has it).
    """
    if "=" not in text:
        raise MatchdayError(f"--param {text!r}: expected [MODEL.]NAME=VALUE[,VALUE...], e.g. dixon-coles.xi=0,0.0019")
    target, _, values_text = text.partition("=")
    target = target.strip()
    model, dot, name = target.rpartition(".")
    if not dot:
        model, name = "", target
    values = [parse_value(v) for v in _split_values(values_text)]
    if not name or not values:
        raise MatchdayError(f"--param {text!r}: expected [MODEL.]NAME=VALUE[,VALUE...], e.g. dixon-coles.xi=0,0.0019")
    if model:
        if model not in models:
            raise MatchdayError(f"--param {text!r}: {model} is not one of the sweep's models ({', '.join(models)})")
        return [model], name, values
    having = [m for m in models if name in model_parameters(m)]
    if not having:
        raise MatchdayError(f"--param {text!r}: none of the sweep's models ({', '.join(models)}) has a parameter "
                            f"{name!r}")
    return having, name, values


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep grid (build it with :meth:`build`, :meth:`from_toml` or :meth:`from_options`)."""

    leagues: tuple[str, ...]
    seasons: tuple[str, ...]
    variants: tuple[Variant, ...]
    refit: str = "weekly"
    history_seasons: int = 2
    start: dt.date | None = None
    source: str = "command line"

    @classmethod
    def build(cls, leagues: Iterable[str], seasons: str | Iterable[str], models: Mapping[str, Mapping[str, Any]],
              *, refit: str = "weekly", history_seasons: int = 2, start: str | dt.date | None = None,
              source: str = "command line") -> SweepSpec:
        """Validate and expand: league codes or names, a season range/list, ``{model: {param: values}}``."""
        from matchday.data.competitions import resolve_competition
        from matchday.data.seasons import normalize_season, season_range
        from matchday.evaluate.backtest import REFIT_MODES

        codes = []
        for league in leagues:
            competition = resolve_competition(str(league))
            if competition.kind != "league":
                raise MatchdayError(f"{source}: {competition.code} ({competition.name}) is a cup; a sweep "
                                    "evaluates leagues")
            codes.append(competition.code)
        if not codes:
            raise MatchdayError(f"{source}: no leagues to evaluate (give leagues, e.g. E0 SP1)")
        season_list = season_range(seasons) if isinstance(seasons, str) else [normalize_season(str(s)) for s in seasons]
        if not season_list:
            raise MatchdayError(f"{source}: no seasons to evaluate")
        if not models:
            raise MatchdayError(f"{source}: no models to evaluate")
        variants: list[Variant] = []
        for model, grid in models.items():
            if grid is not None and not isinstance(grid, Mapping):
                raise MatchdayError(f"{source}: models.{model} must be a table of parameters, got {grid!r}")
            variants.extend(expand_grid(model, grid))
        labels = [v.label for v in variants]
        if len(set(labels)) != len(labels):
            raise MatchdayError(f"{source}: a variant appears twice ({', '.join(sorted({x for x in labels if labels.count(x) > 1}))})")
        if refit not in REFIT_MODES:
            raise UnknownChoiceError("refit", refit, list(REFIT_MODES))
        if not isinstance(history_seasons, int) or isinstance(history_seasons, bool) or history_seasons < 0:
            raise MatchdayError(f"{source}: history_seasons must be a whole number >= 0, got {history_seasons!r}")
        if isinstance(start, str):
            try:
                start = dt.date.fromisoformat(start)
            except ValueError:
                raise MatchdayError(f"{source}: start {start!r} is not a date (expected YYYY-MM-DD)") from None
        return cls(tuple(dict.fromkeys(codes)), tuple(dict.fromkeys(season_list)), tuple(variants), refit,
                   history_seasons, start, source)

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str], **overrides: Any) -> SweepSpec:
        """A sweep file (the module doc shows one); ``overrides`` (not None) replace its top-level keys."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise MatchdayError(f"{path}: cannot read the sweep file ({exc.strerror or exc})") from None
        except UnicodeDecodeError as exc:
            raise DataError(f"not a text file (byte {exc.start} is not UTF-8); a sweep file is TOML",
                            file=str(path)) from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise DataError(f"not valid TOML: {exc}", file=str(path)) from None
        unknown = [k for k in data if k not in SPEC_KEYS]
        if unknown:
            raise DataError(f"unknown key {unknown[0]!r}", file=str(path), expected=", ".join(SPEC_KEYS))
        data.update({k: v for k, v in overrides.items() if v is not None})
        for required in ("leagues", "seasons", "models"):
            if required not in data:
                raise DataError(f"missing key {required!r}", file=str(path),
                                expected="leagues, seasons and a [models.NAME] table per model")
        leagues = data["leagues"]
        if isinstance(leagues, str):
            leagues = [leagues]
        models = data["models"]
        if not isinstance(models, Mapping):
            raise DataError("models must be tables ([models.dixon-coles])", file=str(path), value=models)
        return cls.build(leagues, data["seasons"], models, refit=data.get("refit", "weekly"),
                         history_seasons=data.get("history_seasons", 2), start=data.get("start"),
                         source=str(path))

    @classmethod
    def from_options(cls, leagues: Iterable[str], seasons: str, models: Sequence[str], params: Sequence[str] = (),
                     **options: Any) -> SweepSpec:
        """The command line's grid: model names and ``--param [MODEL.]NAME=V1,V2`` options."""
        grid: dict[str, dict[str, Any]] = {m: {} for m in models}
        for text in params:
            targets, name, values = parse_param(text, list(grid))
            for model in targets:
                grid[model][name] = values
        return cls.build(leagues, seasons, grid, **options)

    def grid(self) -> dict[str, dict[str, list[Any]]]:
        """``{model: {parameter: [values]}}``: the grid the variants were expanded from."""
        grid: dict[str, dict[str, list[Any]]] = {}
        for variant in self.variants:
            params = grid.setdefault(variant.model, {})
            for name, value in variant.params:
                values = params.setdefault(name, [])
                if value not in values:
                    values.append(value)
        return grid

    def with_grid(self, models: Sequence[str] | None = None, params: Sequence[str] = ()) -> SweepSpec:
        """This sweep with other models (``models``: each with its defaults) and/or ``--param`` grids applied on
        top (:func:`parse_param`); leagues, seasons and settings unchanged."""
        grid = {m: {} for m in models} if models else self.grid()
        for text in params:
            targets, name, values = parse_param(text, list(grid))
            for model in targets:
                grid[model][name] = values
        return SweepSpec.build(self.leagues, self.seasons, grid, refit=self.refit,
                               history_seasons=self.history_seasons, start=self.start, source=self.source)

    @property
    def n_tasks(self) -> int:
        """Work units of the executor: leagues x seasons x variants (seasons absent from the data drop out)."""
        return len(self.leagues) * len(self.seasons) * len(self.variants)

    def factories(self) -> dict[str, partial]:
        return {v.label: v.factory() for v in self.variants}

    def describe(self) -> str:
        return (f"{len(self.leagues)} league(s) x {len(self.seasons)} season(s) x {len(self.variants)} variant(s) = "
                f"{self.n_tasks} walk-forward runs ({self.refit} refits)")


@dataclass
class SweepResult:
    """A sweep's backtest (every variant's forecasts, base rates and markets) and its grid."""

    spec: SweepSpec
    backtest: BacktestResult
    run_id: str | None = field(default=None)

    @property
    def variants(self) -> list[str]:
        return [v.label for v in self.spec.variants]

    def summary(self, by: Sequence[str] = ()) -> pd.DataFrame:
        """One row per forecast (variants, then base rates and markets) and group: n, RPS, log loss, Brier,
        imputed, the paired RPS difference to each market present (``vs_market_close`` and its clustered
        standard error ``se_market_close``; negative = better than the market), and ``rank`` of the variants
        by RPS within each group (1 = best)."""
        table = self.backtest.report("rps", by=tuple(by))
        params = {v.label: dict(v.params) for v in self.spec.variants}
        table.insert(1, "params", table["model"].map(
            lambda m: ", ".join(f"{k}={format_value(v)}" for k, v in params[m].items()) if m in params else ""))
        variant = table["model"].isin(params)
        keys = list(by)
        ranks = table[variant].groupby(keys, sort=False)["rps"].rank(method="min") if keys else \
            table.loc[variant, "rps"].rank(method="min")
        table["rank"] = ranks.reindex(table.index)
        order = {name: i for i, name in enumerate(self.variants)}
        table["_variant"] = [order.get(m, math.inf) for m in table["model"]]
        table = table.sort_values([*keys, "_variant"], kind="stable").drop(columns="_variant").reset_index(drop=True)
        return table

    def best(self, metric: str = "rps") -> str:
        """The variant with the lowest pooled ``metric``."""
        pooled = self.backtest.summary(by=(), models=self.variants)
        return str(pooled.sort_values(metric, kind="stable").iloc[0]["model"])


def run_sweep(spec: SweepSpec, matches: pd.DataFrame, *, odds: pd.DataFrame | None = None,
              executor: Executor | None = None, n_jobs: int = 1, progress: Progress | None = None,
              market_method: str | None = None) -> SweepResult:
    """Backtest every variant of ``spec`` on ``matches`` (and ``odds``) with ``executor`` (default: local
    processes, ``n_jobs``). The result does not depend on the executor."""
    from matchday.evaluate.backtest import walk_forward_many
    from matchday.evaluate.market import DEFAULT_METHOD

    result = walk_forward_many(spec.factories(), matches, competitions=spec.leagues, seasons=spec.seasons,
                               start=spec.start, refit=spec.refit, history_seasons=spec.history_seasons, odds=odds,
                               progress=progress, n_jobs=n_jobs, executor=executor,
                               market_method=market_method or DEFAULT_METHOD)
    result.settings["sweep"] = {"source": spec.source, "variants": {v.label: {"model": v.model, **dict(v.params)}
                                                                    for v in spec.variants}}
    return SweepResult(spec, result)
