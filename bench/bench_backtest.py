"""Walk-forward benchmark: matchday's models against base rates, the betting market and penaltyblog.

Run on demand (not part of the test suite)::

    python bench/bench_backtest.py                    # everything (~25 min: penaltyblog fits take ~1 s each)
    python bench/bench_backtest.py --no-penaltyblog   # our models, markets and blends only (minutes)
    python bench/bench_backtest.py --leagues E0 --seasons 2023-24 --no-penaltyblog   # quick look

Reads the football-data CSVs in ``../shared/data/football-data/mmz4281`` (``MATCHDAY_SHARED_DATA``
overrides the data root) with matchday's football-data reader and prints:

1. the speed target: a walk-forward of E0 E1 SP1 I1 D1 F1 x 2019-20..2023-24 with weekly refits of the
   Dixon-Coles model on ``--n-jobs`` processes (issue 3: under 2 minutes on 2 cores);
2. per league-season RPS of every model (ours, penaltyblog's when ``import penaltyblog`` works), base
   rates, the closing and pre-match markets and the model + market blends;
3. the gap closed, ``(pb_best - ours) / (pb_best - market_close)``, per league-season and pooled over the
   top-5 leagues, and the number of those 25 league-seasons where our best results-only model beats
   penaltyblog's best, with paired standard errors (clustered by ISO week);
4. paired differences of every forecast against the closing and the pre-match market;
5. the blend (log opinion pool of a model and the pre-match market, weights fitted walk-forward on
   earlier weeks only; 2018-19 is run as a warm-up season for it and not reported);
6. the market's RPS under each margin-removal method;
7. the issue's EPL check: EPL 2023-24 from 1 Nov 2023 (280 matches), trained on 2022-23 + 2023-24 so
   far, next to penaltyblog's published reference numbers.

penaltyblog runs behind a small adapter (this file only) on exactly the same training frames, blocks
and matches as our models, over the top-5 leagues (its fits take seconds each, so not on E1). Its models get time weights ``dixon_coles_weights(xi=0.0018)`` (its own
default decay; in the EPL check this scored better than no weights) and its Elo its default k = 20,
home advantage 100, replayed over the training matches at every refit.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from matchday.data.seasons import season_code, season_range, season_start_year
from matchday.data.sources.footballdata import read_footballdata
from matchday.evaluate.backtest import BacktestResult, add_blend, frames_from_matches, walk_forward_many
from matchday.evaluate.market import market_probabilities
from matchday.evaluate.metrics import outcome_index, paired_difference, rps
from matchday.forecast.odds import METHODS
from matchday.models import ModelBase, ScoreGrid

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MATCHDAY_SHARED_DATA", REPO.parent / "shared" / "data"))
FOOTBALL_DATA = SHARED / "football-data" / "mmz4281"

TOP5 = ["E0", "SP1", "I1", "D1", "F1"]
LEAGUES = [*TOP5, "E1"]
SEASONS = season_range("2019-20:2023-24")
REFERENCE_EPL = {"penaltyblog Dixon-Coles": 0.2004, "penaltyblog Poisson": 0.2005, "penaltyblog Elo": 0.2031,
                 "base rates": 0.2321, "Pinnacle closing": 0.1836}
MARKETS = ["market_close", "market_pre"]


# --------------------------------------------------------------------------------------------- data


def load(leagues: list[str], seasons: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    matches = []
    for season in seasons:
        for league in leagues:
            path = FOOTBALL_DATA / season_code(season) / f"{league}.csv"
            if path.exists():
                matches.extend(read_footballdata(path))
    return frames_from_matches(matches)


# --------------------------------------------------------------------------------------------- models


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def our_models() -> dict[str, object]:
    """Every registered model (matchday.models.MODELS), with its defaults, named like its class."""
    from matchday.models import MODELS

    return {snake(cls.__name__): cls for cls in MODELS.values()}


def outcome_grid(p: np.ndarray) -> ScoreGrid:
    """A grid that carries only 1X2 probabilities ``(n, 3)`` (mass on 1-0, 0-0 and 0-1), so that a rating
    system without a score model can be scored by the backtest, which reads ``outcomes()`` only."""
    matrices = np.zeros((len(p), 3, 3))
    matrices[:, 1, 0], matrices[:, 0, 0], matrices[:, 0, 1] = p[:, 0], p[:, 1], p[:, 2]
    return ScoreGrid.from_matrices(matrices)


def results_only(name: str) -> bool:
    """Models that use nothing but results (the shots variant reads shot counts)."""
    return "shot" not in name and not name.startswith(("pb_", "blend")) and name not in ("base_rates", *MARKETS)


class PenaltyblogGoals(ModelBase):
    """penaltyblog 1.13.1 goal model behind matchday's model contract (benchmark only: 1X2 grids)."""

    def __init__(self, kind: str = "dixon_coles", xi: float = 0.0018, max_goals: int = 10) -> None:
        self.kind, self.xi, self.max_goals = kind, xi, max_goals

    def fit(self, matches: pd.DataFrame, as_of=None) -> PenaltyblogGoals:
        import penaltyblog as pb

        frame = matches if as_of is None else matches[matches["date"] <= pd.Timestamp(as_of)]
        cls = {"dixon_coles": pb.models.DixonColesGoalModel, "poisson": pb.models.PoissonGoalsModel}[self.kind]
        weights = pb.models.dixon_coles_weights(frame["date"], self.xi) if self.xi else None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.model_ = cls(frame["home_goals"].to_numpy(dtype=int), frame["away_goals"].to_numpy(dtype=int),
                              frame["home"].to_numpy(dtype=object), frame["away"].to_numpy(dtype=object), weights)
            self.model_.fit()
        self.teams_ = np.unique(np.concatenate([frame["home"].to_numpy(dtype=object),
                                                frame["away"].to_numpy(dtype=object)]))
        self.n_matches_ = len(frame)
        return self

    def predict_many(self, home, away, neutral=False, competition=None) -> ScoreGrid:
        rows = []
        for h, a in zip(home, away, strict=True):
            try:
                rows.append(self.model_.predict(h, a, max_goals=self.max_goals).home_draw_away)
            except ValueError:  # its Dixon-Coles grid went negative (1 + lambda * rho < 0): repair it
                rows.append(self._clipped_dixon_coles(h, a))
        return outcome_grid(np.array(rows, dtype=float))

    def _clipped_dixon_coles(self, home: str, away: str) -> list[float]:
        """penaltyblog's own Dixon-Coles grid with the negative low-score cells set to 0, renormalised.

        Its fit leaves rho unconstrained, so for a lopsided fixture tau(0, 1) = 1 + lambda * rho can be
        negative and its ``predict`` raises (seen in the Bundesliga). A user would clip."""
        from penaltyblog.models import dixon_coles as module

        model, size = self.model_, self.max_goals
        params, n = model._params, model.n_teams
        h, a = model.team_to_idx[home], model.team_to_idx[away]
        grid, lam_home, lam_away = np.empty(size * size), np.empty(1), np.empty(1)
        module.compute_dixon_coles_probabilities(float(params[h]), float(params[a]), float(params[h + n]),
                                                 float(params[a + n]), float(params[-2]), float(params[-1]),
                                                 size, grid, lam_home, lam_away)
        grid = np.clip(grid.reshape(size, size), 0.0, None)
        grid /= grid.sum()
        return [float(np.tril(grid, -1).sum()), float(np.trace(grid)), float(np.triu(grid, 1).sum())]


class PenaltyblogElo(ModelBase):
    """penaltyblog's Elo replayed over the training matches at every refit (benchmark only: 1X2 grids)."""

    def __init__(self, k: float = 20.0, home_field_advantage: float = 100.0) -> None:
        self.k, self.home_field_advantage = k, home_field_advantage

    def fit(self, matches: pd.DataFrame, as_of=None) -> PenaltyblogElo:
        import penaltyblog as pb

        frame = matches if as_of is None else matches[matches["date"] <= pd.Timestamp(as_of)]
        self.elo_ = pb.ratings.Elo(self.k, self.home_field_advantage)
        results = outcome_index(frame["home_goals"].to_numpy(dtype=float), frame["away_goals"].to_numpy(dtype=float))
        for home, away, result in zip(frame["home"], frame["away"], results, strict=True):
            self.elo_.update_ratings(home, away, int(result))
        self.teams_ = np.unique(np.concatenate([frame["home"].to_numpy(dtype=object),
                                                frame["away"].to_numpy(dtype=object)]))
        self.n_matches_ = len(frame)
        return self

    def predict_many(self, home, away, neutral=False, competition=None) -> ScoreGrid:
        rows = [self.elo_.calculate_match_probabilities(h, a) for h, a in zip(home, away, strict=True)]
        return outcome_grid(np.array([[r["home_win"], r["draw"], r["away_win"]] for r in rows], dtype=float))


def penaltyblog_models() -> dict[str, object]:
    try:
        import penaltyblog  # noqa: F401
    except Exception as error:  # optional benchmark-only extra
        print(f"penaltyblog not importable ({error}); comparing our models only", file=sys.stderr)
        return {}
    return {"pb_dixon_coles": lambda: PenaltyblogGoals("dixon_coles"),
            "pb_poisson": lambda: PenaltyblogGoals("poisson"),
            "pb_elo": PenaltyblogElo}


def merge(ours: BacktestResult, theirs: BacktestResult) -> BacktestResult:
    """Add a second run's model forecasts (same matches, same blocks) to a result."""
    extra = theirs.forecasts[~theirs.forecasts["model"].isin(ours.models)]
    order = [m for m in ours.models if not m.startswith(("market", "blend"))] + list(pd.unique(extra["model"]))
    order += [m for m in ours.models if m not in order]
    forecasts = pd.concat([ours.forecasts, extra], ignore_index=True)
    forecasts["_order"] = forecasts["model"].map({m: i for i, m in enumerate(order)})
    forecasts = forecasts.sort_values(["_order", "date"], kind="stable").drop(columns="_order")
    fits = pd.concat([ours.fits, theirs.fits[theirs.fits["model"].isin(extra["model"].unique())]],
                     ignore_index=True)
    return BacktestResult(forecasts.reset_index(drop=True), fits, ours.settings, ours.unit_seconds,
                          ours.wall_seconds + theirs.wall_seconds)


# --------------------------------------------------------------------------------------------- printing


def progress(done: int, total: int, label: str) -> None:
    print(f"  [{done}/{total}] {label}", file=sys.stderr, flush=True)


def show(title: str, frame: pd.DataFrame, digits: int = 4) -> None:
    print(f"\n== {title}")
    with pd.option_context("display.width", 250, "display.max_columns", 40, "display.max_rows", 400):
        print(frame.to_string(float_format=lambda v: f"{v:.{digits}f}"))


def rps_table(result: BacktestResult) -> pd.DataFrame:
    table = result.summary().pivot_table(index=["competition", "season"], columns="model", values="rps")
    return table[[m for m in result.models if m in table.columns]]


def per_match(result: BacktestResult, metric: str = "rps") -> pd.DataFrame:
    wide = result.forecasts.pivot(index="match_id", columns="model", values=metric)
    meta = result.forecasts.drop_duplicates("match_id").set_index("match_id")[["competition", "season", "week"]]
    return wide.join(meta)


def head_to_head(result: BacktestResult, ours: str, theirs: list[str], market: str = "market_close"
                 ) -> pd.DataFrame:
    """Per top-5 league-season: ours vs penaltyblog's best there, paired SE, and the gap closed."""
    wide = per_match(result)
    wide = wide[wide["competition"].isin(TOP5)]
    rows, pooled = [], []
    for (competition, season), group in wide.groupby(["competition", "season"]):
        group = group.dropna(subset=[ours, market, *theirs])
        best = min(theirs, key=lambda m: group[m].mean())
        difference = paired_difference(group[ours], group[best], clusters=group["week"].to_numpy())
        pb_mean, our_mean, market_mean = group[best].mean(), group[ours].mean(), group[market].mean()
        rows.append({"competition": competition, "season": season, "n": len(group), "pb_best": best,
                     "rps_pb_best": pb_mean, f"rps_{ours}": our_mean, f"rps_{market}": market_mean,
                     "ours_minus_pb": difference.mean, "se": difference.standard_error,
                     "gap_closed": (pb_mean - our_mean) / (pb_mean - market_mean)})
        pooled.append(group.assign(_pb=group[best]))
    table = pd.DataFrame(rows)
    both = pd.concat(pooled)
    top5 = both[both["competition"].isin(TOP5)]
    if len(top5):
        difference = paired_difference(top5[ours], top5["_pb"], clusters=top5["week"].to_numpy())
        gap = (top5["_pb"].mean() - top5[ours].mean()) / (top5["_pb"].mean() - top5[market].mean())
        table = pd.concat([table, pd.DataFrame([{
            "competition": "top5", "season": "pooled", "n": len(top5), "pb_best": theirs[0] if len(theirs) == 1 else "(per league-season)",
            "rps_pb_best": top5["_pb"].mean(), f"rps_{ours}": top5[ours].mean(),
            f"rps_{market}": top5[market].mean(), "ours_minus_pb": difference.mean,
            "se": difference.standard_error, "gap_closed": gap}])], ignore_index=True)
    return table


def pooled_versus(result: BacktestResult, leagues: list[str]) -> pd.DataFrame:
    keep = result.forecasts["competition"].isin(leagues)
    sub = BacktestResult(result.forecasts[keep], result.fits)
    tables = []
    for market in MARKETS:
        if market in sub.models:
            table = sub.compare(market, "rps", by=()).set_index("model")[["n", "difference", "standard_error"]]
            tables.append(table.add_suffix(f"_vs_{market}"))
    summary = sub.summary(by=()).set_index("model")[["n", "rps", "log_loss", "brier"]]
    return summary.join(tables, how="left") if tables else summary


# --------------------------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--leagues", nargs="+", default=LEAGUES)
    parser.add_argument("--seasons", nargs="+", default=SEASONS)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--refit", default="weekly")
    parser.add_argument("--no-penaltyblog", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--out", type=Path, default=None, help="write forecasts CSV and reliability PNGs here")
    args = parser.parse_args()
    if not FOOTBALL_DATA.exists():
        sys.exit(f"football-data CSVs not found at {FOOTBALL_DATA}")

    seasons = sorted(args.seasons, key=season_start_year)
    first = season_start_year(seasons[0])
    # blend warm-up: its weights are fitted on past forecasts only, so two earlier seasons are forecast too
    warmup = [f"{y}-{(y + 1) % 100:02d}" for y in (first - 2, first - 1)]
    needed = [f"{y}-{(y + 1) % 100:02d}" for y in range(first - 4, season_start_year(seasons[-1]) + 1)]
    started = time.perf_counter()
    frame, odds = load(args.leagues, needed)
    print(f"loaded {len(frame)} matches and {len(odds)} odds rows from {FOOTBALL_DATA} "
          f"in {time.perf_counter() - started:.1f} s")

    ours = our_models()
    theirs = {} if args.no_penaltyblog else penaltyblog_models()
    print(f"our models: {', '.join(ours)}; penaltyblog: {', '.join(theirs) or '-'}")

    # 1. speed target ---------------------------------------------------------------------------
    if not args.skip_speed and "dixon_coles" in ours:
        result = walk_forward_many({"dixon_coles": ours["dixon_coles"]}, frame, competitions=args.leagues,
                                   seasons=seasons, refit=args.refit, n_jobs=args.n_jobs)
        fits = result.fits[result.fits["model"] == "dixon_coles"]
        print(f"\n== Speed: Dixon-Coles walk-forward, {len(args.leagues)} leagues x {len(seasons)} seasons, "
              f"{args.refit} refits, {args.n_jobs} processes")
        print(f"wall time {result.wall_seconds:.1f} s (target < 120 s); {len(fits)} fits, mean fit "
              f"{1000 * fits['fit_seconds'].mean():.1f} ms (median {1000 * fits['fit_seconds'].median():.1f} ms, "
              f"{fits['n_train'].mean():.0f} training matches on average), predict "
              f"{1000 * fits['predict_seconds'].mean():.2f} ms per block; "
              f"{int(result.forecasts['model'].eq('dixon_coles').sum())} matches forecast")

    # 2. everything ------------------------------------------------------------------------------
    started = time.perf_counter()
    result = walk_forward_many(ours, frame, competitions=args.leagues, seasons=[*warmup, *seasons],
                               refit=args.refit, odds=odds, n_jobs=args.n_jobs, progress=progress)
    for name in ours:
        result = add_blend(result, name, "market_pre")
    blend_seconds = time.perf_counter() - started - result.wall_seconds
    print(f"\nour models ({len(ours)} + baselines, {' and '.join(warmup)} as blend warm-up): {result.wall_seconds:.1f} s, "
          f"blends {blend_seconds:.1f} s")
    pb_leagues = [league for league in args.leagues if league in TOP5]
    if theirs and pb_leagues:  # penaltyblog is slow: only where it is compared (top-5, reported seasons)
        try:
            pb_result = walk_forward_many(theirs, frame, competitions=pb_leagues, seasons=seasons,
                                          refit=args.refit, n_jobs=args.n_jobs, progress=progress)
        except RuntimeError as error:  # report what we have rather than nothing
            print(f"penaltyblog run failed: {error}")
            theirs = {}
        else:
            print(f"penaltyblog models ({len(theirs)}) on {', '.join(pb_leagues)}: {pb_result.wall_seconds:.1f} s")
            result = merge(result, pb_result)
    reported = result.forecasts["season"].isin(seasons)
    weights = {name: spec["weights"] for name, spec in result.settings["blends"].items()}
    result = BacktestResult(result.forecasts[reported].reset_index(drop=True), result.fits, result.settings,
                            result.unit_seconds, result.wall_seconds)
    timing = result.fits.dropna(subset=["model"]).groupby("model")[["fit_seconds", "predict_seconds"]].agg(
        ["mean", "sum"])
    show("Fit and predict time per refit (seconds)", timing)

    show("RPS per league-season (lower is better)", rps_table(result))
    show("Pooled over the top-5 leagues: scores and paired differences in RPS vs the markets "
         "(negative = better than the market; SE clustered by ISO week)", pooled_versus(result, TOP5))
    if "E1" in args.leagues:
        show("Championship (E1), pooled", pooled_versus(result, ["E1"]))

    imputed = result.forecasts.groupby("model")["imputed"].sum()
    imputed = imputed[imputed > 0]
    if len(imputed):
        show("Matches where base rates stood in for a club the model had never seen (first matches of "
             "promoted clubs without second-tier data)", imputed.to_frame("matches"))

    # 3. against penaltyblog -----------------------------------------------------------------------
    results_models = [m for m in ours if results_only(m)]
    top5_rps = result.summary(by=()).set_index("model")["rps"]
    if results_models:
        top5_only = result.forecasts[result.forecasts["competition"].isin(TOP5)]
        pooled = top5_only.groupby("model")["rps"].mean()
        best = min(results_models, key=lambda m: pooled.get(m, np.inf))
        print(f"\nour best results-only model over the top-5 leagues: {best} (pooled RPS {pooled[best]:.4f})")
        if theirs:
            pb_models = [m for m in theirs if m in top5_rps.index]
            pb_overall = min(pb_models, key=lambda m: pooled.get(m, np.inf))
            for name in dict.fromkeys([best, "dixon_coles"]):
                if name not in ours:
                    continue
                for label, candidates in ((f"penaltyblog's best model in each league-season (in hindsight, "
                                           f"of {', '.join(pb_models)})", pb_models),
                                          (f"penaltyblog's best model overall ({pb_overall})", [pb_overall])):
                    table = head_to_head(result, name, candidates)
                    show(f"{name} vs {label}; gap closed = (pb_best - ours) / (pb_best - market_close); "
                         "target >= 0.5 pooled, and ours better in >= 20 of 25", table)
                    inner = table[table["competition"].isin(TOP5)]
                    wins = int((inner["ours_minus_pb"] < 0).sum())
                    print(f"{name} beats {label} in {wins} of {len(inner)} top-5 league-seasons; "
                          f"mean of per-league-season gap closed {inner['gap_closed'].mean():.3f}")
        else:
            market = result.forecasts[result.forecasts["model"] == "market_close"].groupby("competition")["rps"].mean()
            print("penaltyblog not available: gap to the closing market per league, ours:")
            print((top5_only[top5_only["model"] == best].groupby("competition")["rps"].mean() - market).to_string())

    # 4. blends ---------------------------------------------------------------------------------------
    blends = [m for m in result.models if m.startswith("blend:")]
    if blends and "market_pre" in result.models:
        table = result.compare("market_pre", "rps", models=blends)
        show("Blend (log pool with the pre-match market, weights fitted on earlier weeks) minus the pre-match "
             "market, RPS per league-season (target <= 0)", table)
        show("Blends pooled over all leagues vs the pre-match market",
             result.compare("market_pre", "rps", by=(), models=blends))
        for name, table in weights.items():
            table = table[table["as_of"] >= pd.Timestamp(f"{first}-07-01")]
            print(f"{name}: model weight over the reported seasons from {table['model_weight'].min():.3f} to "
                  f"{table['model_weight'].max():.3f}, last {table['model_weight'].iloc[-1]:.3f}")

    # 5. margin removal -------------------------------------------------------------------------------
    matches = frame.set_index("match_id")
    outcome = pd.Series(outcome_index(frame["home_goals"].to_numpy(dtype=float),
                                      frame["away_goals"].to_numpy(dtype=float)), index=frame["match_id"])
    rows = []
    for period, chosen in (("before the backtest", [s for s in needed if season_start_year(s) < first]),
                           ("backtest seasons", seasons)):
        ids = matches.index[matches["season"].isin(chosen) & matches["competition"].isin(args.leagues)]
        for kind in ("closing", "pre"):
            row = {"period": period, "market": kind}
            for method in METHODS:
                probs = market_probabilities(odds, kind, method=method, match_ids=ids)
                row[method] = float(np.mean(rps(probs[["p_home", "p_draw", "p_away"]].to_numpy(),
                                                outcome.reindex(probs["match_id"]).to_numpy())))
            row["n"] = len(probs)
            rows.append(row)
    show("Market RPS by margin-removal method (default: shin)", pd.DataFrame(rows), digits=5)

    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        result.forecasts.to_csv(args.out / "forecasts.csv.gz", index=False)
        for name in result.models:
            result.write_reliability(name, args.out / f"reliability_{name.replace(':', '_')}.png")
        show("Calibration of the closing market", result.calibration("market_close"))
        print(f"forecasts and reliability diagrams written to {args.out}")

    # 6. EPL check --------------------------------------------------------------------------------
    if "E0" in args.leagues and "2023-24" in seasons:
        check = {}
        for refit in ("daily", "weekly"):
            check[refit] = walk_forward_many({**ours, **theirs}, frame, competitions=["E0"], seasons=["2023-24"],
                                             start="2023-11-01", history_seasons=1, train_competitions=["E0"],
                                             refit=refit, odds=odds, n_jobs=1)
        table = pd.concat({refit: r.summary(by=()).set_index("model")[["n", "rps"]] for refit, r in check.items()},
                          axis=1)
        show("EPL 2023-24 from 1 Nov 2023, trained on EPL 2022-23 + 2023-24 so far (penaltyblog reference: "
             + ", ".join(f"{k} {v}" for k, v in REFERENCE_EPL.items()) + "; issue target for ours: <= 0.192)",
             table)
        joint = walk_forward_many(ours, frame, competitions=["E0"], seasons=["2023-24"], start="2023-11-01",
                                  history_seasons=1, refit="daily", odds=odds, n_jobs=1)
        show("Same split, ours trained jointly on E0 + E1 (daily refits)", joint.summary(by=())[["model", "n", "rps"]])


if __name__ == "__main__":
    main()
