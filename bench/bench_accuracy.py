"""Accuracy benchmark of issue 12 (items 2-4): the combined model side by side with penaltyblog and the market.

Run on demand (not part of the test suite)::

    python bench/bench_accuracy.py               # top five, 2019-20..2024-25 from day 70 (first run ~30-60 min;
                                                 # a re-run reads every fit from the cache: a few minutes)
    python bench/bench_accuracy.py --quick       # one league-season (E0 2023-24), weights learned on E0 alone
    python bench/bench_accuracy.py --divisions all   # also the eleven other divisions (CLI default decision)
    python bench/bench_accuracy.py --uefa        # also UEFA matches: cross-league forecasts of both models
    python bench/bench_accuracy.py --calibrate   # the weights to ship (DEFAULT_WEIGHTS in models/combined.py)

Protocol (as the research defined it, /work/research-accuracy/REPORT.md):

* **Evaluated matches**: E0 SP1 I1 D1 F1, each league-season from its first match + 70 days on; test seasons
  2019-20..2024-25 (30 league-seasons), validation 2014-15..2018-19 shown for reference.
* **Walk-forward**: ISO-week blocks; every forecast of a block uses only matches dated strictly before the
  block's first match day (fits as of the day before). The combined model is refitted at every block on its
  league and the other leagues of its country in the data (E0 with E1, D1 with D2, ...), the evaluated season
  and the four before it.
* **Weights of the combined model**: learned at every weekly cut-off (:func:`matchday.models.combined.learn_weights`)
  on the earlier out-of-sample forecasts of matches already played, five leagues pooled, seasons from 2014-15
  on (the first two seasons of data rest on too little history), time-weighted with a half-life of 730 days,
  ridge 1 towards the goal model; the goal model's weights until 1,500 such forecasts exist. The shipped
  defaults are never used here. Evidence for the stacking comes from every week of every season (not only
  from day 70).
* **Yardsticks on the same matches**: penaltyblog 1.13.1 Dixon-Coles and Poisson behind
  ``bench/bench_backtest.py``'s adapter (time weights xi 0.0018) and matchday's DixonColes, through
  ``walk_forward_many`` on the bench frame of ``bench_backtest.py`` (top five + E1: E0 trains with E1, the
  others alone; two seasons back), weekly refits from the same day 70. Markets: Pinnacle first, then the
  average; Shin margin removal (:mod:`matchday.evaluate.market`), pre-match and closing.
* **Standard errors**: paired per-match differences clustered by ISO week across leagues; the share of the
  gap closed, ``mean(pb - model) / mean(pb - closing)``, with a delta-method SE clustered the same way.
* **Market-aware** (item 4): matchday's walk-forward log pool of each model with the pre-match market
  (:func:`matchday.forecast.blend.walk_forward_pool`), fitted at each cut-off on earlier matches from 2014-15.

Every fit is cached under ``out/bench-cache/accuracy`` (``MATCHDAY_BENCH_CACHE``), keyed by the protocol and
by the source of the model modules, so a changed model is refitted and an unchanged one is read back.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import inspect
import logging
import os
import pickle
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from matchday.data.competitions import COMPETITIONS
from matchday.data.seasons import season_code
from matchday.data.sources.footballdata import read_footballdata
from matchday.evaluate.backtest import frames_from_matches, iso_week_labels, refit_blocks, walk_forward_many
from matchday.evaluate.market import market_probabilities
from matchday.evaluate.metrics import log_loss, outcome_index, paired_difference, rps
from matchday.forecast.blend import walk_forward_pool
from matchday.models import DixonColes, ScoreGrid
from matchday.models import combined as combined_module
from matchday.models.combined import (
    COMPONENTS,
    WEIGHTS_HALF_LIFE_DAYS,
    WEIGHTS_MIN_FORECASTS,
    WEIGHTS_RIDGE,
    WITH_MARKET_COMPONENTS,
    Evidence,
    WithMarket,
    attach_closing_market,
    combine,
    learn_weights,
)
from matchday.models.distributions import DixonColesScores

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MATCHDAY_SHARED_DATA", REPO.parent / "shared" / "data"))
FOOTBALL_DATA = SHARED / "football-data" / "mmz4281"
CACHE = Path(os.environ.get("MATCHDAY_BENCH_CACHE", REPO / "out" / "bench-cache" / "accuracy"))

TOP5 = ["E0", "SP1", "I1", "D1", "F1"]
OTHERS = ["E1", "N1", "P1", "B1", "T1", "G1", "SC0", "D2", "I2", "SP2", "F2"]
SEASONS = [f"{y}-{(y + 1) % 100:02d}" for y in range(2012, 2025)]
VALIDATION = SEASONS[2:7]  # 2014-15 .. 2018-19
TEST = SEASONS[7:]  # 2019-20 .. 2024-25
START_DAY = 70
GOAL_HISTORY = 4  # seasons before the evaluated one in the combined model's training frame
YARDSTICK_HISTORY = 2  # bench_backtest.py's protocol for penaltyblog and matchday's DixonColes
FIRST_WEIGHTS_YEAR = 2014
REFIT_DAYS = 7
YARDSTICK_LEAGUES = [*TOP5, "E1"]
STAT_COLUMNS = ["home_shots", "away_shots", "home_shots_on_target", "away_shots_on_target", "home_corners",
                "away_corners"]
VERSION = "accuracy-1"

log = logging.getLogger("bench_accuracy")


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------- caching


def source_key() -> str:
    """Fingerprint of the model code the evidence depends on (a changed model is refitted)."""
    from matchday.models import distributions, dixon_coles, goal_model, score_driven, solver, statistics

    text = "".join(inspect.getsource(m) for m in (combined_module, statistics, score_driven, goal_model,
                                                  dixon_coles, distributions, solver))
    return hashlib.sha1((VERSION + text).encode()).hexdigest()[:10]


def cached(name: str, compute: Callable[[], object]) -> object:
    path = CACHE / f"{name}.pkl"
    if path.exists():
        with path.open("rb") as handle:
            return pickle.load(handle)
    value = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    return value


# --------------------------------------------------------------------------------------------- data


def load_data(divisions: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(frame, market): every football-data match of ``divisions`` 2012-13..2024-25 with statistics, the
    past-prices columns of the with-market model (closing, proportional) and one row per match of the
    evaluation's market (closing and pre-match 1X2, Shin; columns close_h/d/a, pre_h/d/a)."""
    paths = [FOOTBALL_DATA / season_code(s) / f"{d}.csv" for s in SEASONS for d in divisions]
    paths = [p for p in paths if p.exists()]
    stamp = hashlib.sha1("".join(f"{p}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in paths).encode())
    key = f"data-{VERSION}-{stamp.hexdigest()[:10]}"

    def compute() -> tuple[pd.DataFrame, pd.DataFrame]:
        started = time.perf_counter()
        matches = []
        for path in paths:
            matches.extend(read_footballdata(path))
        frame, odds = frames_from_matches(matches)
        frame = frame[frame["home_goals"].notna() & frame["away_goals"].notna()].copy()
        keep = ["match_id", "competition", "season", "date", "home", "away", "home_goals", "away_goals", "neutral",
                *STAT_COLUMNS]
        frame = frame[keep].sort_values(["date", "competition", "match_id"], kind="stable").reset_index(drop=True)
        for column in ["home_goals", "away_goals", *STAT_COLUMNS]:
            frame[column] = frame[column].astype("float64")
        frame["season_year"] = frame["season"].str[:4].astype(int)
        frame["week"] = iso_week_labels(frame["date"])
        frame = attach_closing_market(frame, odds)
        market = pd.DataFrame({"match_id": frame["match_id"]}).set_index("match_id")
        for kind, prefix in (("closing", "close"), ("pre", "pre")):
            probs = market_probabilities(odds, kind, match_ids=frame["match_id"]).set_index("match_id")
            for src, dst in (("p_home", "h"), ("p_draw", "d"), ("p_away", "a")):
                market[f"{prefix}_{dst}"] = probs[src].reindex(market.index)
        say(f"data: {len(frame)} matches of {len(paths)} files in {time.perf_counter() - started:.0f} s")
        return frame, market.reset_index()

    return cached(key, compute)


# --------------------------------------------------------------------------------------------- units


@dataclass(frozen=True)
class Block:
    """One refit: the forecast rows (positions in the frame) and their cut-off (the first match day)."""

    competition: str
    season: str
    cutoff: pd.Timestamp
    rows: np.ndarray


def evaluation_mask(frame: pd.DataFrame, leagues: Sequence[str], seasons: Sequence[str], start_day: int) -> np.ndarray:
    """Rows on or after the league-season's first match date + ``start_day`` days."""
    first = frame.groupby(["competition", "season"])["date"].transform("min")
    mask = frame["competition"].isin(leagues) & frame["season"].isin(seasons)
    return (mask & (frame["date"] >= first + pd.Timedelta(days=start_day))).to_numpy()


def blocks_for(frame: pd.DataFrame, mask: np.ndarray) -> list[Block]:
    out = []
    for (competition, season), group in frame[mask].groupby(["competition", "season"], sort=False):
        block = refit_blocks(group["date"].to_numpy(), "weekly")
        positions, dates = group.index.to_numpy(), group["date"].to_numpy()
        for b in np.unique(block):
            out.append(Block(competition, season, pd.Timestamp(dates[block == b].min()).normalize(),
                             positions[block == b]))
    out.sort(key=lambda b: (b.cutoff, b.competition))
    return out


def training_leagues(competition: str, present: Sequence[str]) -> list[str]:
    """The league and the other leagues of its country in the data (E0 with E1, D1 with D2, N1 alone)."""
    country = COMPETITIONS[competition].country
    return sorted({c for c in present if COMPETITIONS[c].country == country} | {competition})


# --------------------------------------------------------------------------------------------- combined model


def evidence_unit(frame: pd.DataFrame, blocks: list[Block], competition: str, season: str) -> dict:
    """Fit the with-market model (its evidence includes the combined model's) at every block of one
    league-season, warm-started from block to block; the evidence of each block's fixtures."""
    year = int(season[:4])
    present = list(pd.unique(frame["competition"]))
    leagues = training_leagues(competition, present)
    year_ok = (frame["season_year"] >= year - GOAL_HISTORY) & (frame["season_year"] <= year)
    pool = np.flatnonzero((frame["competition"].isin(leagues) & year_ok).to_numpy())
    dates = frame["date"].to_numpy()[pool]
    model = WithMarket(weights=combined_module.DEFAULT_WEIGHTS[WITH_MARKET_COMPONENTS], warm_start=True)
    parts, rows, as_of, rho, fit_seconds = [], [], [], [], []
    for block in sorted(blocks, key=lambda b: b.cutoff):
        stop = int(np.searchsorted(dates, np.datetime64(block.cutoff), side="left"))
        if stop < 50:
            continue
        day_before = block.cutoff - pd.Timedelta(days=1)
        started = time.perf_counter()
        model.fit(frame.iloc[pool[:stop]], as_of=day_before)
        fit_seconds.append(time.perf_counter() - started)
        test = frame.iloc[block.rows]
        known = np.isin(test["home"], model.teams_) & np.isin(test["away"], model.teams_)
        if not known.all():  # a club the goal model has never seen: no forecast (scored by nobody)
            log.warning("%s %s %s: %d fixtures with an unseen club", competition, season, block.cutoff.date(),
                        int((~known).sum()))
        keep = block.rows[known]
        if keep.size == 0:
            continue
        test = test[known]
        parts.append(model.evidence(test["home"].to_numpy(), test["away"].to_numpy(), test["neutral"].to_numpy(),
                                    test["competition"].to_numpy()))
        rows.append(keep)
        as_of.append(np.full(keep.size, np.datetime64(day_before, "ns")))
        rho.append(np.full(keep.size, model.extra_["rho"]))
    if not parts:
        return {"rows": np.zeros(0, dtype=np.intp)}
    return {"evidence": Evidence.concat(parts), "rows": np.concatenate(rows), "as_of": np.concatenate(as_of),
            "rho": np.concatenate(rho), "fit_seconds": np.array(fit_seconds)}


def evidence_table(frame: pd.DataFrame, leagues: Sequence[str], seasons: Sequence[str], start_day: int) -> dict:
    """Evidence of every (league, season) unit, each cached on disk; concatenated, sorted by as-of day."""
    key = source_key()
    mask = evaluation_mask(frame, leagues, seasons, start_day)
    units: dict[tuple[str, str], list[Block]] = {}
    for block in blocks_for(frame, mask):
        units.setdefault((block.competition, block.season), []).append(block)
    pieces = []
    for number, ((competition, season), blocks) in enumerate(sorted(units.items()), start=1):
        started = time.perf_counter()
        name = f"evidence-{key}-{competition}-{season}-d{start_day}-h{GOAL_HISTORY}"
        fresh = not (CACHE / f"{name}.pkl").exists()
        piece = cached(name, lambda c=competition, s=season, b=blocks: evidence_unit(frame, b, c, s))
        if fresh:
            seconds = piece.get("fit_seconds", np.zeros(1))
            say(f"combined {competition} {season}: {len(blocks)} refits, {piece['rows'].size} forecasts, "
                f"{time.perf_counter() - started:.0f} s (fit {np.mean(seconds) * 1000:.0f} ms each) "
                f"[{number}/{len(units)}]")
        if piece["rows"].size:
            pieces.append(piece)
    evidence = Evidence.concat([p["evidence"] for p in pieces])
    rows = np.concatenate([p["rows"] for p in pieces])
    as_of = np.concatenate([p["as_of"] for p in pieces])
    rho = np.concatenate([p["rho"] for p in pieces])
    order = np.lexsort((rows, as_of))
    fit_seconds = np.concatenate([p["fit_seconds"] for p in pieces])
    return {"evidence": evidence.take(order), "rows": rows[order], "as_of": as_of[order], "rho": rho[order],
            "fit_seconds": fit_seconds}


@dataclass
class WeightSchedule:
    """Weights learned walk-forward: ``fits`` = [(date, weights)], each learned on forecasts dated before it."""

    components: tuple[str, ...]
    fits: list[tuple[np.datetime64, dict[str, float]]]

    def at(self, day: np.datetime64) -> dict[str, float]:
        """The weights in force for forecasts made after ``day`` (the last fit dated on or before it)."""
        dates = np.array([d for d, _ in self.fits], dtype="datetime64[ns]")
        position = int(np.searchsorted(dates, np.datetime64(day, "ns"), side="right")) - 1
        if position < 0:
            return {"home": 0.0, "away": 0.0, **{c: float(c == "goals") for c in self.components}}
        return self.fits[position][1]


def learn_schedule(table: dict, frame: pd.DataFrame, components: tuple[str, ...], train_leagues: Sequence[str]
                   ) -> WeightSchedule:
    """Walk-forward weights: at every cut-off at least REFIT_DAYS after the last fit, a Poisson regression on
    the forecasts of ``train_leagues`` (seasons from FIRST_WEIGHTS_YEAR) dated before the cut-off."""
    evidence = table["evidence"].subset(components)
    rows = table["rows"]
    dates = frame["date"].to_numpy(dtype="datetime64[ns]")[rows]
    usable = ((frame["season_year"].to_numpy()[rows] >= FIRST_WEIGHTS_YEAR)
              & frame["competition"].isin(train_leagues).to_numpy()[rows] & evidence.complete)
    goals_h = frame["home_goals"].to_numpy()[rows]
    goals_a = frame["away_goals"].to_numpy()[rows]
    fits: list[tuple[np.datetime64, dict[str, float]]] = []
    last, weights = None, None
    for cut in np.unique(table["as_of"]):  # as_of = the day before the block: forecasts made after it
        if last is not None and (cut - last) < np.timedelta64(REFIT_DAYS, "D"):
            continue
        past = np.flatnonzero(usable & (dates <= cut))
        if past.size < WEIGHTS_MIN_FORECASTS:
            continue
        age = (cut - dates[past]) / np.timedelta64(1, "D")
        weights = learn_weights(evidence.take(past), goals_h[past], goals_a[past],
                                sample_weight=0.5 ** (age / WEIGHTS_HALF_LIFE_DAYS), ridge=WEIGHTS_RIDGE, start=weights)
        fits.append((cut, weights))
        last = cut
    return WeightSchedule(components, fits)


def forecasts_from(table: dict, frame: pd.DataFrame, components: tuple[str, ...], schedule: WeightSchedule | None,
                   name: str) -> pd.DataFrame:
    """1X2 forecasts of the table's fixtures: the combined log-rates with the schedule's weights at each
    forecast's as-of day (None = the goal model alone) and the goal model's Dixon-Coles grid (its rho)."""
    evidence = table["evidence"].subset(components)
    as_of, rho = table["as_of"], table["rho"]
    probs = np.full((as_of.size, 3), np.nan)
    lam = np.full((as_of.size, 2), np.nan)
    complete = evidence.complete
    groups = pd.DataFrame({"as_of": as_of, "rho": rho}).groupby(["as_of", "rho"], sort=False).indices
    distribution = DixonColesScores()
    for (day, value), index in groups.items():
        weights = schedule.at(np.datetime64(day, "ns")) if schedule is not None else \
            {"home": 0.0, "away": 0.0, **{c: float(c == "goals") for c in components}}
        log_h, log_a = combine(evidence.take(index), weights)
        lam_h, lam_a = np.exp(log_h), np.exp(log_a)
        matrix = distribution.matrix(lam_h, lam_a, np.array([value]), 10)
        p = ScoreGrid.from_matrices(matrix).outcomes()
        probs[index] = p / p.sum(axis=1, keepdims=True)
        lam[index, 0], lam[index, 1] = lam_h, lam_a
    out = pd.DataFrame({"match_id": frame["match_id"].to_numpy()[table["rows"]], "as_of": as_of,
                        "p_home": probs[:, 0], "p_draw": probs[:, 1], "p_away": probs[:, 2],
                        "complete": complete})
    out.attrs["name"] = name
    return out


# --------------------------------------------------------------------------------------------- yardsticks


def bench_backtest_module():
    spec = importlib.util.spec_from_file_location("bench_backtest", REPO / "bench" / "bench_backtest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def yardsticks(frame: pd.DataFrame, leagues: Sequence[str], seasons: Sequence[str], start_day: int,
               penaltyblog: bool, pb_seasons: Sequence[str] = ()) -> dict[str, pd.DataFrame]:
    """matchday's DixonColes on ``seasons`` and penaltyblog DC / Poisson on ``pb_seasons`` (its fits take
    ~1-3 s each on a shared machine: ~1 min per league-season), per league-season through
    ``walk_forward_many``, cached. The top five use bench_backtest.py's frame (top five + E1); the other
    divisions the frame of every division (their country's leagues train together)."""
    present = list(pd.unique(frame["competition"]))
    bench = bench_backtest_module() if penaltyblog else None
    kinds: dict[str, dict[str, Callable[[], object]]] = {"ours": {"matchday_dixon_coles": DixonColes}}
    if penaltyblog:
        kinds["pb"] = {"pb_dixon_coles": lambda: bench.PenaltyblogGoals("dixon_coles"),
                       "pb_poisson": lambda: bench.PenaltyblogGoals("poisson")}
    first = frame.groupby(["competition", "season"])["date"].min()
    tables: dict[str, list[pd.DataFrame]] = {}
    for kind, factories in kinds.items():
        for season in (seasons if kind == "ours" else pb_seasons):
            for league in leagues:
                if (league, season) not in first.index:
                    continue
                scope = YARDSTICK_LEAGUES if league in TOP5 else present
                name = f"yardstick-{VERSION}-{kind}-{league}-{season}-d{start_day}-{'top' if league in TOP5 else 'all'}"
                start = first[(league, season)] + pd.Timedelta(days=start_day)

                def compute(league=league, season=season, start=start, factories=factories, scope=scope, kind=kind):
                    started = time.perf_counter()
                    sub = frame[frame["competition"].isin(scope)].reset_index(drop=True)
                    result = walk_forward_many(factories, sub, competitions=[league], seasons=[season], start=start,
                                               refit="weekly", history_seasons=YARDSTICK_HISTORY, n_jobs=1)
                    out = result.forecasts[result.forecasts["model"].isin(list(factories))]
                    say(f"{kind} {league} {season}: {len(out) // len(factories)} forecasts, "
                        f"{time.perf_counter() - started:.0f} s")
                    return out[["match_id", "model", "as_of", "p_home", "p_draw", "p_away", "imputed"]].copy()

                table = cached(name, compute)
                for model, group in table.groupby("model"):
                    tables.setdefault(model, []).append(group.drop(columns="model"))
    return {name: pd.concat(parts, ignore_index=True) for name, parts in tables.items()}


# --------------------------------------------------------------------------------------------- scoring


def score_table(frame: pd.DataFrame, market: pd.DataFrame, forecasts: dict[str, pd.DataFrame], mask: np.ndarray
                ) -> pd.DataFrame:
    """Long table (match_id, competition, season, week, model, rps, log_loss) over the ``mask`` rows; a
    match missing from any forecast (or without both markets) is dropped for all."""
    rows = frame[mask][["match_id", "competition", "season", "week"]].copy()
    y = outcome_index(frame[mask]["home_goals"].to_numpy(), frame[mask]["away_goals"].to_numpy())
    m = market.set_index("match_id").reindex(rows["match_id"])
    probs = {"market_pre": m[["pre_h", "pre_d", "pre_a"]].to_numpy(),
             "market_close": m[["close_h", "close_d", "close_a"]].to_numpy()}
    for name, table in forecasts.items():
        aligned = table.drop_duplicates("match_id").set_index("match_id").reindex(rows["match_id"])
        probs[name] = aligned[["p_home", "p_draw", "p_away"]].to_numpy(dtype=float)
    ok = np.ones(len(rows), dtype=bool)
    for p in probs.values():
        ok &= np.isfinite(p).all(axis=1)
    pieces = [rows[ok].assign(model=name, rps=rps(p[ok], y[ok]), log_loss=log_loss(p[ok], y[ok]))
              for name, p in probs.items()]
    out = pd.concat(pieces, ignore_index=True)
    out.attrs["dropped"] = int((~ok).sum())
    return out


def wide(scores: pd.DataFrame, metric: str) -> pd.DataFrame:
    return scores.pivot_table(index=["match_id", "week"], columns="model", values=metric).reset_index()


def paired(scores: pd.DataFrame, a: str, b: str, metric: str = "rps") -> tuple[float, float]:
    table = wide(scores, metric)
    d = paired_difference(table[a], table[b], clusters=table["week"].to_numpy())
    return d.mean, d.standard_error


def gap_closed(scores: pd.DataFrame, model: str, reference: str = "pb_dixon_coles", market: str = "market_close",
               metric: str = "rps") -> tuple[float, float]:
    """mean(ref - model) / mean(ref - market), delta-method SE clustered by ISO week (ratio estimator)."""
    table = wide(scores, metric)
    num = (table[reference] - table[model]).to_numpy()
    den = (table[reference] - table[market]).to_numpy()
    share = num.mean() / den.mean()
    z = (num - share * den) / den.mean()
    codes, uniques = pd.factorize(table["week"])
    g = len(uniques)
    sums = np.bincount(codes, weights=z - z.mean(), minlength=g)
    return float(share), float(np.sqrt(g / (g - 1) * np.sum(sums**2) / len(z) ** 2))


def show(frame: pd.DataFrame, digits: int = 5) -> str:
    def cell(v: object) -> str:
        if isinstance(v, float | np.floating):
            return "" if not np.isfinite(v) else (f"{v:.{digits}f}" if abs(v) < 100 else f"{v:.0f}")
        return str(v)

    columns = list(frame.columns)
    body = [[cell(v) for v in row] for row in frame.itertuples(index=False)]
    widths = [max(len(str(c)), *(len(r[i]) for r in body)) if body else len(str(c)) for i, c in enumerate(columns)]
    lines = ["  ".join(str(c).rjust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)) for r in body]
    return "\n".join(lines)


def pooled_table(scores: pd.DataFrame, models: Sequence[str], reference: str = "pb_dixon_coles") -> pd.DataFrame:
    rows = []
    for model in models:
        sub = scores[scores["model"] == model]
        row = {"model": model, "n": len(sub), "rps": sub["rps"].mean(), "log_loss": sub["log_loss"].mean()}
        if model != reference:
            row["d_rps"], row["se"] = paired(scores, model, reference, "rps")
            row["d_logloss"], row["se_ll"] = paired(scores, model, reference, "log_loss")
            row["gap_closed"], row["gap_se"] = gap_closed(scores, model, reference)
        rows.append(row)
    return pd.DataFrame(rows)


def league_season_table(scores: pd.DataFrame, models: Sequence[str], focus: str, reference: str = "pb_dixon_coles"
                        ) -> pd.DataFrame:
    rows = []
    for (competition, season), group in scores.groupby(["competition", "season"]):
        means = group.groupby("model")[["rps", "log_loss"]].mean()
        row = {"league": competition, "season": season, "n": int(len(group) / group["model"].nunique())}
        for m in models:
            row[m] = means.loc[m, "rps"]
        row["d_rps"], row["se"] = paired(group, focus, reference)
        row["d_logloss"], _ = paired(group, focus, reference, "log_loss")
        gap = means.loc[reference, "rps"] - means.loc["market_close", "rps"]
        row["gap_closed"] = (means.loc[reference, "rps"] - means.loc[focus, "rps"]) / gap
        rows.append(row)
    return pd.DataFrame(rows)


def log_losses(scores: pd.DataFrame, models: Sequence[str]) -> pd.DataFrame:
    table = scores.groupby(["competition", "season", "model"])["log_loss"].mean().unstack("model")
    return table[list(models)].reset_index()


# --------------------------------------------------------------------------------------------- market-aware


def market_blend(forecast: pd.DataFrame, frame: pd.DataFrame, market: pd.DataFrame, free: bool) -> pd.DataFrame:
    """The walk-forward log pool of a forecast with the pre-match market: weights fitted at each forecast's
    as-of day on earlier matches (dated on or before it) of seasons from FIRST_WEIGHTS_YEAR."""
    table = forecast[["match_id", "as_of", "p_home", "p_draw", "p_away"]].merge(
        frame[["match_id", "date", "season_year", "home_goals", "away_goals"]], on="match_id")
    q = market.set_index("match_id").reindex(table["match_id"])[["pre_h", "pre_d", "pre_a"]].to_numpy()
    y = outcome_index(table["home_goals"].to_numpy(), table["away_goals"].to_numpy()).astype(float)
    y[table["season_year"].to_numpy() < FIRST_WEIGHTS_YEAR] = np.nan
    probs, a, b = walk_forward_pool(table[["p_home", "p_draw", "p_away"]].to_numpy(), q, y, table["date"].to_numpy(),
                                    table["as_of"].to_numpy(), free=free)
    out = table[["match_id", "as_of"]].copy()
    out[["p_home", "p_draw", "p_away"]] = probs
    out["model_weight"], out["market_weight"] = a, b
    return out


# --------------------------------------------------------------------------------------------- sections


def top_five(frame: pd.DataFrame, market: pd.DataFrame, leagues: Sequence[str], eval_seasons: Sequence[str],
             evidence_seasons: Sequence[str], penaltyblog: bool) -> dict:
    """Evidence (every week of ``evidence_seasons``), walk-forward weights, forecasts, and the yardsticks on
    ``eval_seasons`` from day 70."""
    table = evidence_table(frame, leagues, evidence_seasons, start_day=0)
    fits = table["fit_seconds"]
    say(f"combined: {fits.size} refits, {np.mean(fits) * 1000:.0f} ms per refit (median {np.median(fits) * 1000:.0f})")
    schedules = {"combined": learn_schedule(table, frame, COMPONENTS, leagues),
                 "with_market": learn_schedule(table, frame, WITH_MARKET_COMPONENTS, leagues)}
    forecasts = {"combined": forecasts_from(table, frame, COMPONENTS, schedules["combined"], "combined"),
                 "with_market": forecasts_from(table, frame, WITH_MARKET_COMPONENTS, schedules["with_market"],
                                               "with_market"),
                 "goal_model_2nd_h4": forecasts_from(table, frame, COMPONENTS, None, "goal_model_2nd_h4")}
    forecasts.update(yardsticks(frame, leagues, eval_seasons, START_DAY, penaltyblog,
                                [s for s in eval_seasons if s in TEST or len(eval_seasons) == 1]))
    return {"table": table, "schedules": schedules, "forecasts": forecasts}


def print_main(frame: pd.DataFrame, market: pd.DataFrame, run: dict, leagues: Sequence[str],
               seasons: Sequence[str], label: str, penaltyblog: bool) -> pd.DataFrame:
    forecasts = dict(run["forecasts"])
    if not penaltyblog:
        forecasts = {k: v for k, v in forecasts.items() if not k.startswith("pb_")}
    reference = "pb_dixon_coles" if "pb_dixon_coles" in forecasts else "matchday_dixon_coles"
    models = [m for m in ["pb_dixon_coles", "pb_poisson", "matchday_dixon_coles", "goal_model_2nd_h4", "combined",
                          "with_market", "market_pre", "market_close"] if m in forecasts or m.startswith("market")]
    mask = evaluation_mask(frame, leagues, seasons, START_DAY)
    scores = score_table(frame, market, forecasts, mask)
    n_leagues = scores.groupby(["competition", "season"]).ngroups
    print(f"\n=== {label}: {', '.join(leagues)} {seasons[0]}..{seasons[-1]} from day {START_DAY}: "
          f"{scores['match_id'].nunique()} matches ({scores.attrs['dropped']} dropped: no forecast or no market) ===")
    print(f"\n--- item 2: pooled (paired differences vs {reference}; SE clustered by ISO week) ---")
    print(show(pooled_table(scores, models, reference)))
    per = league_season_table(scores, models, "combined", reference)
    print(f"\n--- item 2: RPS per league-season (d = combined - {reference}, SE; gap closed) ---")
    print(show(per))
    print("\n--- item 2: log loss per league-season ---")
    print(show(log_losses(scores, models)))
    print("\n--- item 3: targets ---")
    for model in ("combined", "with_market"):
        share, se = gap_closed(scores, model, reference)
        d, d_se = paired(scores, model, reference)
        dl, dl_se = paired(scores, model, reference, "log_loss")
        wins = league_season_table(scores, models, model, reference)
        won = int((wins["d_rps"] < 0).sum())
        significant = int(((wins["d_rps"] / wins["se"]) < -1.96).sum())
        print(f"{model}: gap closed {share:.1%} (SE {se:.1%}, 95% interval {share - 1.96 * se:.1%} .. "
              f"{share + 1.96 * se:.1%}); d RPS {d:+.5f} (SE {d_se:.5f}, z {d / d_se:.1f}), d log loss {dl:+.5f} "
              f"(SE {dl_se:.5f}); beats {reference} in {won} of {n_leagues} league-seasons "
              f"({significant} individually significant at 5%)")
    print("target: >= 30% of the gap, significantly (paired), and >= 25 of 30 league-seasons")
    return scores


def print_market_aware(frame: pd.DataFrame, market: pd.DataFrame, run: dict, leagues: Sequence[str],
                       seasons: Sequence[str]) -> None:
    print("\n--- item 4: market-aware (walk-forward log pool with the pre-match price; paired vs pre-match) ---")
    blends = {}
    for model in ("combined", "with_market"):
        for free in (False, True):
            name = f"{'free_' if free else ''}pool({model},pre)"
            blends[name] = cached(f"blend-{source_key()}-{model}-{free}",
                                  lambda m=model, f=free: market_blend(run["forecasts"][m], frame, market, f))
    mask = evaluation_mask(frame, leagues, seasons, START_DAY)
    scores = score_table(frame, market, {**{k: run["forecasts"][k] for k in ("combined", "with_market")}, **blends},
                         mask)
    rows = []
    for name in [*blends, "combined", "with_market"]:
        d, se = paired(scores, name, "market_pre")
        dl, sel = paired(scores, name, "market_pre", "log_loss")
        row = {"forecast": name, "d_rps_vs_pre": d, "se": se, "z": d / se if se else np.nan, "d_logloss": dl,
               "se_ll": sel}
        if name in blends:
            w = blends[name].merge(frame[["match_id", "season"]], on="match_id")
            w = w[w["season"].isin(seasons)]
            row["model_weight_min"], row["model_weight_max"] = w["model_weight"].min(), w["model_weight"].max()
            row["model_weight_mean"] = w["model_weight"].mean()
        rows.append(row)
    print(show(pd.DataFrame(rows)))
    print("a model adds information beyond the pre-match price only if a pool scores significantly below it (z < -2)")


def print_weights(run: dict, frame: pd.DataFrame) -> None:
    print("\n--- learned weights (walk-forward; mean of the fits in each season) ---")
    for name, schedule in run["schedules"].items():
        if not schedule.fits:
            print(f"{name}: never learned (fewer than {WEIGHTS_MIN_FORECASTS} earlier forecasts)")
            continue
        table = pd.DataFrame([{"date": pd.Timestamp(d), **w} for d, w in schedule.fits])
        table["season"] = [f"{y}-{(y + 1) % 100:02d}" for y in (table["date"].dt.year - (table["date"].dt.month < 7))]
        print(f"{name}:")
        print(show(table.drop(columns="date").groupby("season").mean().reset_index(), 3))


def other_divisions(frame: pd.DataFrame, market: pd.DataFrame, run: dict, penaltyblog: bool) -> None:
    """The combined model with the top five's walk-forward weights on the other divisions, test seasons."""
    divisions = [d for d in OTHERS if d in set(frame["competition"])]
    table = evidence_table(frame, divisions, TEST, START_DAY)
    forecast = forecasts_from(table, frame, COMPONENTS, run["schedules"]["combined"], "combined")
    yard = yardsticks(frame, divisions, TEST, START_DAY, penaltyblog, TEST if penaltyblog else ())
    forecasts = {"combined": forecast, **yard}
    mask = evaluation_mask(frame, divisions, TEST, START_DAY)
    scores = score_table(frame, market, forecasts, mask)
    references = [r for r in ("matchday_dixon_coles", "pb_dixon_coles") if r in yard]
    rows = []
    for division, group in [*scores.groupby("competition"), ("all", scores)]:
        row = {"division": division, "n": group["match_id"].nunique(),
               "fallback": float(1 - forecast.set_index("match_id").reindex(group["match_id"].unique())["complete"].mean())}
        for reference in references:
            d, se = paired(group, "combined", reference)
            short = "dc" if reference == "matchday_dixon_coles" else "pb"
            row[f"d_vs_{short}"], row[f"se_{short}"] = d, se
            per = group.groupby("season").apply(lambda g, r=reference: paired(g, "combined", r)[0],
                                                include_groups=False)
            row[f"wins_{short}"] = f"{int((per < 0).sum())}/{per.size}"
            dl, _ = paired(group, "combined", reference, "log_loss")
            row[f"dll_vs_{short}"] = dl
        gap = group.groupby("model")["rps"].mean()
        row["rps_combined"], row["rps_close"] = gap["combined"], gap["market_close"]
        rows.append(row)
    print(f"\n=== the other divisions, {TEST[0]}..{TEST[-1]} from day {START_DAY} (weights: the top five's, "
          "walk-forward) ===")
    print(show(pd.DataFrame(rows)))
    print("fallback: share of matches forecast by the goal model alone (a club without statistics)")


def calibrate(run: dict, frame: pd.DataFrame, leagues: Sequence[str]) -> None:
    """The weights to ship: learned on every usable forecast (half-life weighting from the last one)."""
    table = run["table"]
    print("\n--- calibration: weights to ship (DEFAULT_WEIGHTS in src/matchday/models/combined.py) ---")
    for components in (COMPONENTS, WITH_MARKET_COMPONENTS):
        evidence = table["evidence"].subset(components)
        rows = table["rows"]
        dates = frame["date"].to_numpy(dtype="datetime64[ns]")[rows]
        usable = ((frame["season_year"].to_numpy()[rows] >= FIRST_WEIGHTS_YEAR)
                  & frame["competition"].isin(leagues).to_numpy()[rows])
        last = dates[usable].max()
        age = (last - dates[usable]) / np.timedelta64(1, "D")
        weights = learn_weights(evidence.take(np.flatnonzero(usable)), frame["home_goals"].to_numpy()[rows][usable],
                                frame["away_goals"].to_numpy()[rows][usable],
                                sample_weight=0.5 ** (age / WEIGHTS_HALF_LIFE_DAYS), ridge=WEIGHTS_RIDGE)
        n = int((usable & evidence.complete).sum())
        print(f"{components}: learned on {n} forecasts up to {pd.Timestamp(last).date()}")
        print("    {" + ", ".join(f'"{k}": {v:.4f}' for k, v in weights.items()) + "}")


# --------------------------------------------------------------------------------------------- UEFA


UEFA = ["UCL", "UEL", "UECL"]
CLI_SEASONS_BACK = 3  # the CLI's training frame: the running season and the two before it, every competition


def uefa_store() -> Path:
    """A store of every competition 2016-17..2024-25 synced from the local mirror (built once, cached)."""
    from matchday.data.fetch import Fetcher, SourceURLs
    from matchday.data.store import Store
    from matchday.data.sync import sync

    path = CACHE / f"store-{VERSION}.duckdb"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    tmp = path.with_suffix(".tmp.duckdb")
    tmp.unlink(missing_ok=True)
    with Store(tmp) as store:
        sync(store, None, SEASONS[4:], urls=SourceURLs.resolve(mirror=str(SHARED)),
             fetcher=Fetcher(cache_dir=CACHE / "fetch-cache"))
    tmp.replace(path)
    say(f"store: synced {SEASONS[4]}..{SEASONS[-1]} in {time.perf_counter() - started:.0f} s")
    return path


def uefa_unit(matches: pd.DataFrame, season: str, schedule: WeightSchedule) -> pd.DataFrame:
    """Walk-forward forecasts of one season's UEFA matches by matchday's DixonColes and the combined model,
    both fitted as the CLI fits them (every competition, the running season and the two before it), weekly."""
    from matchday.models import CombinedModel

    year = int(season[:4])
    window = matches[matches["season"].str[:4].astype(int).between(year - CLI_SEASONS_BACK + 1, year)]
    window = window.sort_values("date", kind="stable").reset_index(drop=True)
    test = window[window["competition"].isin(UEFA) & (window["season"] == season)]
    blocks = refit_blocks(test["date"].to_numpy(), "weekly")
    dates = window["date"].to_numpy()
    goal = DixonColes(warm_start=True)
    combined = CombinedModel(warm_start=True)
    out = []
    for block in np.unique(blocks):
        rows = test[blocks == block]
        cutoff = pd.Timestamp(rows["date"].min()).normalize()
        day_before = cutoff - pd.Timedelta(days=1)
        train = window.iloc[: int(np.searchsorted(dates, np.datetime64(cutoff), side="left"))]
        started = time.perf_counter()
        goal.fit(train, as_of=day_before)
        middle = time.perf_counter()
        combined.set_params(weights=schedule.at(np.datetime64(day_before, "ns")))
        combined.fit(train, as_of=day_before)
        seconds = (middle - started, time.perf_counter() - middle)
        known = np.isin(rows["home"], combined.teams_) & np.isin(rows["away"], combined.teams_)
        rows = rows[known]
        if rows.empty:
            continue
        args = (rows["home"].to_numpy(), rows["away"].to_numpy(), rows["neutral"].to_numpy(),
                rows["competition"].to_numpy())
        piece = rows[["match_id", "competition", "season", "date", "home", "away", "home_goals", "away_goals"]].copy()
        piece["as_of"] = day_before
        for name, model in (("matchday_dixon_coles", goal), ("combined", combined)):
            p = model.predict_many(*args).outcomes()
            piece[[f"{name}_h", f"{name}_d", f"{name}_a"]] = p / p.sum(axis=1, keepdims=True)
        piece["fallback"] = combined.goal_model_only(*args)
        piece["dc_seconds"], piece["combined_seconds"] = seconds
        piece["n_train"] = len(train)
        piece["unseen"] = int((~known).sum())
        out.append(piece)
    return pd.concat(out, ignore_index=True)


def uefa_section(schedule: WeightSchedule) -> None:
    """Cross-league forecasts: UEFA matches 2019-20..2024-25, combined vs matchday's DixonColes, paired."""
    from matchday.data.store import Store

    with Store(uefa_store(), read_only=True) as store:
        matches = store.matches(None, SEASONS[4:], played=True)
    pieces = []
    for season in TEST:
        name = f"uefa-{source_key()}-{season}"
        fresh = not (CACHE / f"{name}.pkl").exists()
        started = time.perf_counter()
        piece = cached(name, lambda s=season: uefa_unit(matches, s, schedule))
        if fresh:
            say(f"uefa {season}: {len(piece)} matches, {time.perf_counter() - started:.0f} s")
        pieces.append(piece)
    table = pd.concat(pieces, ignore_index=True)
    y = outcome_index(table["home_goals"].to_numpy(dtype=float), table["away_goals"].to_numpy(dtype=float))
    table["week"] = iso_week_labels(table["date"])
    scores = {}
    for name in ("matchday_dixon_coles", "combined"):
        p = table[[f"{name}_h", f"{name}_d", f"{name}_a"]].to_numpy()
        scores[name] = (rps(p, y), log_loss(p, y))
    rows = []
    groups = [("all", np.ones(len(table), dtype=bool)), ("evidence used", ~table["fallback"].to_numpy()),
              ("goal model only", table["fallback"].to_numpy())]
    groups += [(c, (table["competition"] == c).to_numpy()) for c in UEFA]
    for label, mask in groups:
        if mask.sum() < 2:
            continue
        row = {"matches": label, "n": int(mask.sum())}
        for metric, k in (("rps", 0), ("log_loss", 1)):
            a, b = scores["combined"][k][mask], scores["matchday_dixon_coles"][k][mask]
            row[f"{metric}_dc"], row[f"{metric}_combined"] = b.mean(), a.mean()
            d = paired_difference(a, b, clusters=table["week"].to_numpy()[mask])
            row[f"d_{metric}"], row[f"se_{metric}"] = d.mean, d.standard_error
        rows.append(row)
    print(f"\n=== UEFA matches {TEST[0]}..{TEST[-1]}: cross-league forecasts (both models fitted like the CLI: "
          f"every competition, {CLI_SEASONS_BACK} seasons, weekly; combined weights walk-forward) ===")
    print(show(pd.DataFrame(rows)))
    refits = table.drop_duplicates(["season", "as_of"])
    print(f"{int(refits['unseen'].sum())} UEFA matches had a club neither model had seen (not forecast); "
          "'goal model only': a club without league statistics (the combined model is the goal model there)")
    print(f"fit on the CLI's frame ({refits['n_train'].mean():.0f} matches on average, warm-started weekly): "
          f"DixonColes {refits['dc_seconds'].median():.2f} s, combined {refits['combined_seconds'].median():.2f} s "
          f"(medians over {len(refits)} refits; ratio {refits['combined_seconds'].median() / refits['dc_seconds'].median():.1f})")


# --------------------------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one league-season (E0 2023-24)")
    parser.add_argument("--divisions", choices=["top5", "all"], default="top5")
    parser.add_argument("--uefa", action="store_true", help="cross-league forecasts on UEFA matches")
    parser.add_argument("--calibrate", action="store_true", help="print the weights to ship")
    parser.add_argument("--no-penaltyblog", action="store_true")
    parser.add_argument("--penaltyblog-everywhere", action="store_true",
                        help="with --divisions all: penaltyblog on the eleven other divisions too (~1 h more)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("matchday.models.combined").setLevel(logging.ERROR)
    started = time.perf_counter()
    penaltyblog = not args.no_penaltyblog
    if penaltyblog:
        try:
            import penaltyblog as pb  # noqa: F401
        except ImportError as error:
            say(f"penaltyblog not importable ({error}); install with pip install -e '.[bench]'. Comparing "
                "with matchday's DixonColes instead")
            penaltyblog = False
    divisions = TOP5 + OTHERS if args.divisions == "all" else TOP5
    frame, market = load_data(sorted(set(divisions) | {"E1", "SP2", "I2", "D2", "F2"}))
    if args.quick:
        leagues, eval_seasons = ["E0"], ["2023-24"]
        evidence_seasons = [s for s in SEASONS if s <= "2023-24"]
        run = top_five(frame, market, leagues, eval_seasons, evidence_seasons, penaltyblog)
        print_main(frame, market, run, leagues, eval_seasons, "QUICK (weights learned on E0 alone)", penaltyblog)
        print_weights(run, frame)
    else:
        run = top_five(frame, market, TOP5, VALIDATION + TEST, SEASONS, penaltyblog)
        print_main(frame, market, run, TOP5, TEST, "TEST", penaltyblog)
        print_main(frame, market, run, TOP5, VALIDATION, "VALIDATION (for reference; penaltyblog not run there)",
                   False)
        print_market_aware(frame, market, run, TOP5, TEST)
        print_weights(run, frame)
        if args.calibrate:
            calibrate(run, frame, TOP5)
        if args.divisions == "all":
            other_divisions(frame, market, run, args.penaltyblog_everywhere)
        if args.uefa:
            uefa_section(run["schedules"]["combined"])
    say(f"bench_accuracy: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
