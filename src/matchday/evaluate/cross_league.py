"""Out-of-sample check of the cross-league scale: every UEFA match forecast as of the day before it.

How a run works (:func:`uefa_walk_forward`)
------------------------------------------
* **History.** One frame of every stored played match (all leagues, all UEFA competitions).
* **Blocks.** The UEFA matches of the evaluated seasons are cut into ISO weeks (Monday to Sunday); before
  each week every model is fitted as of the day before its first match day on the training window a
  forecast that day would use (:func:`matchday.models.training.training_seasons`: the season running and the
  two before it, every competition, matches dated on or before the as-of day), and forecasts the week's
  UEFA matches. Domestic matches of the week are never seen.
* **Variants** (:class:`Variant`): a model factory, competitions left out of the fit (the ten divisions of
  issue 14, to measure what they add), and whether the goal model carries its league-offset prior from the
  earlier windows (:class:`matchday.models.league_prior.PriorChain`, built from the same history with the
  same exclusions) or not.
* **Unrated clubs.** A club with no match in a variant's window cannot be rated; the fixture is left out
  for that variant and counted; paired comparisons use the fixtures every compared variant rated.

What is reported (:func:`cross_league_report`)
---------------------------------------------
* residuals per country, actual minus model, in goal difference and in points, from each club's side of
  every match between clubs of two countries (a club's country: that of the domestic league it plays in,
  else the country UEFA lists), with standard errors clustered by club-season;
* predicted vs observed draw and home-win rates per competition (binomial standard errors);
* a reliability table of the 1X2 probabilities;
* RPS per variant and paired differences with standard errors clustered by ISO week.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from matchday.data.competitions import COMPETITIONS, UEFA_CODES
from matchday.evaluate.metrics import calibration_table, outcome_index, paired_difference, rps

if TYPE_CHECKING:  # pragma: no cover
    from matchday.data.store import Store

NEW_LEAGUES: tuple[str, ...] = ("N1", "P1", "B1", "T1", "G1", "SC0", "D2", "I2", "SP2", "F2")
"""The ten divisions added by issue 14."""

SELECTION_SEASONS: tuple[str, ...] = ("2013-14", "2014-15", "2015-16", "2016-17", "2017-18", "2018-19", "2019-20",
                                       "2020-21", "2021-22")
"""UEFA seasons on which the model's choices were made (never the reported ones): the Champions League of
2013-14 to 2018-19 (champs.csv, cl.txt; 2012-13 is left out because its training window holds one season of
leagues) and every UEFA competition of 2019-20 to 2021-22."""

REPORT_SEASONS: tuple[str, ...] = ("2022-23", "2023-24", "2024-25")
"""UEFA seasons the check reports on."""

FORECAST_COLUMNS: tuple[str, ...] = (
    "match_id", "date", "season", "competition", "round", "leg", "week", "as_of", "home", "away", "home_country",
    "away_country", "neutral", "home_goals", "away_goals", "variant", "p_home", "p_draw", "p_away",
    "xg_home", "xg_away", "offset_sd", "weak_link",
)


@dataclass(frozen=True)
class Variant:
    """One model set-up of the check.

    ``factory()`` returns an unfitted model; ``exclude``: competitions left out of its training data;
    ``carry_prior``: a goal model gets its league-offset prior carried from the earlier windows;
    ``drift``: the yearly drift of the carried prior (None:
    :data:`~matchday.models.league_prior.DEFAULT_OFFSET_DRIFT`); ``home_drift``: that of the carried UEFA home
    advantages (None: :data:`~matchday.models.league_prior.DEFAULT_HOME_ADVANTAGE_DRIFT`); ``label``: what the
    report calls it.
    """

    label: str
    factory: Callable[[], Any]
    exclude: tuple[str, ...] = ()
    carry_prior: bool = True
    drift: float | None = None  # random-walk drift of the carried prior (None: the default)
    home_drift: float | None = None  # drift of the carried UEFA home advantages (None: the default)


@dataclass
class WalkForward:
    """Forecasts of a walk-forward run (columns :data:`FORECAST_COLUMNS`), the fits made and what was
    left out (``skipped``: one row per variant and fixture it could not rate, with the reason)."""

    forecasts: pd.DataFrame
    fits: pd.DataFrame
    skipped: pd.DataFrame
    seconds: float = 0.0
    settings: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------------------------------


def history_from_store(store: Store) -> pd.DataFrame:
    """Every stored played match (all competitions and seasons), sorted by date."""
    frame = store.matches(None, None, played=True)
    frame = frame.assign(date=pd.to_datetime(frame["date"]))
    return frame.sort_values("date", kind="stable").reset_index(drop=True)


def club_countries(history: pd.DataFrame) -> dict[str, str]:
    """Each club's country: that of its latest domestic league in ``history``, else the country its UEFA
    matches list (Monaco plays in Ligue 1 and is listed as MCO: FRA)."""
    domestic = history[~history["competition"].isin(list(UEFA_CODES))]
    league_country = {code: info.country for code, info in COMPETITIONS.items()}
    countries: dict[str, str] = {}
    for side in ("home", "away"):
        column = f"{side}_country"
        if column in history.columns:
            listed = history[[side, column]].dropna()
            countries.update(zip(listed[side], listed[column].astype(str), strict=True))
    latest = pd.concat([domestic[["date", "home", "competition"]].rename(columns={"home": "team"}),
                        domestic[["date", "away", "competition"]].rename(columns={"away": "team"})])
    latest = latest.sort_values("date", kind="stable").drop_duplicates("team", keep="last")
    for team, code in zip(latest["team"], latest["competition"], strict=True):
        if code in league_country:
            countries[team] = league_country[code]
    return countries


class _Windows:
    """Training windows cut from one history frame: the frame a fit as of a day learns from."""

    def __init__(self, history: pd.DataFrame, exclude: Sequence[str]) -> None:
        frame = history[~history["competition"].isin(list(exclude))] if exclude else history
        self.frame = frame.reset_index(drop=True)
        self.dates = self.frame["date"].to_numpy(dtype="datetime64[ns]")
        self.seasons = self.frame["season"].to_numpy(dtype=object)

    def __call__(self, as_of: dt.date, seasons_back: int) -> pd.DataFrame | None:
        from matchday.models.training import training_seasons

        stop = int(np.searchsorted(self.dates, np.datetime64(as_of + dt.timedelta(days=1), "ns"), side="left"))
        wanted = set(training_seasons(as_of, seasons_back))
        rows = np.flatnonzero(np.isin(self.seasons[:stop], list(wanted)))
        if rows.size == 0:
            return None
        return self.frame.iloc[rows]


# ---------------------------------------------------------------------------------------------------
# Walk-forward
# ---------------------------------------------------------------------------------------------------


def uefa_walk_forward(history: pd.DataFrame, seasons: Iterable[str], variants: Sequence[Variant], *,
                      seasons_back: int = 3, progress: Callable[[int, int, str], None] | None = None
                      ) -> WalkForward:
    """Forecast every UEFA match of ``seasons`` in ``history`` as of the day before its ISO week's first
    match day, with every variant (see the module docstring)."""
    from matchday.evaluate.backtest import iso_week_labels, refit_blocks
    from matchday.models.elo import elo_starts_from_prior
    from matchday.models.league_prior import DEFAULT_OFFSET_DRIFT, PriorChain

    started = time.perf_counter()
    seasons = list(seasons)
    target = history[history["competition"].isin(list(UEFA_CODES)) & history["season"].isin(seasons)]
    target = target.dropna(subset=["home_goals", "away_goals"]).sort_values("date", kind="stable")
    target = target.reset_index(drop=True)
    if target.empty:
        from matchday.data.errors import MatchdayError

        raise MatchdayError(f"no played UEFA match of {', '.join(seasons)} in the store: nothing to check; sync "
                            "those seasons or pick seasons it holds (`matchday status`)")
    countries = club_countries(history)
    dates = target["date"].to_numpy(dtype="datetime64[ns]")
    blocks = refit_blocks(dates, "weekly")
    weeks = iso_week_labels(dates)
    home = target["home"].to_numpy(dtype=object)
    away = target["away"].to_numpy(dtype=object)
    neutral = target["neutral"].fillna(False).to_numpy(dtype=bool)
    competition = target["competition"].to_numpy(dtype=object)
    legs = pd.to_numeric(target["leg"], errors="coerce") if "leg" in target.columns else None
    second_leg = np.zeros(len(target), dtype=bool) if legs is None else legs.eq(2).to_numpy(dtype=bool, na_value=False)
    first_leg = np.zeros(len(target), dtype=bool) if legs is None else legs.eq(1).to_numpy(dtype=bool, na_value=False)

    pieces: list[pd.DataFrame] = []
    fits: list[dict] = []
    skipped: list[pd.DataFrame] = []
    n_blocks = int(blocks.max()) + 1
    for variant in variants:
        windows = _Windows(history, variant.exclude)
        model = variant.factory()
        is_goal_model = "league_prior" in model.get_params()
        drift = DEFAULT_OFFSET_DRIFT if variant.drift is None else variant.drift
        chain = elo_chain = None
        if is_goal_model and variant.carry_prior:
            chain = PriorChain(variant.factory, windows, seasons_back=seasons_back, drift=drift,
                               home_drift=variant.home_drift)
        elif "league_ratings" in model.get_params() and variant.carry_prior:  # Elo: starts from Dixon-Coles' offsets
            from matchday.models import DixonColes

            elo_chain = PriorChain(DixonColes, windows, seasons_back=seasons_back, drift=drift)
        if is_goal_model and "warm_start" in model.get_params():  # the optimum does not depend on the start
            model.set_params(warm_start=True)
        for block in range(n_blocks):
            rows = np.flatnonzero(blocks == block)
            first_day = pd.Timestamp(dates[rows].min()).date()
            as_of = first_day - dt.timedelta(days=1)
            frame = windows(as_of, seasons_back)
            if frame is None or frame.empty:
                continue
            tick = time.perf_counter()
            if chain is not None:
                model.set_params(league_prior=chain.prior(as_of))
            if elo_chain is not None:
                model.set_params(league_ratings=elo_starts_from_prior(elo_chain.prior(as_of),
                                                                     model.get_params()["initial_rating"]))
            model.fit(frame, as_of=as_of)
            fit_seconds = time.perf_counter() - tick
            known = np.isin(home[rows], model.teams_) & np.isin(away[rows], model.teams_)
            if (~known).any():
                lost = target.iloc[rows[~known]][["match_id", "date", "competition", "home", "away"]]
                skipped.append(lost.assign(variant=variant.label, reason="a club has no match in the training window"))
            rows = rows[known]
            record = {"variant": variant.label, "block": block, "as_of": as_of, "n_train": len(frame),
                      "n_predict": int(rows.size), "fit_seconds": fit_seconds}
            if hasattr(model, "home_advantage_by_competition_"):  # what the forecasts' home advantage rests on
                by_comp = model.home_advantage_by_competition_
                record.update({f"home_advantage_{code}": float(by_comp.get(code, np.nan)) for code in UEFA_CODES})
                record["home_advantage_closed_doors"] = float(getattr(model, "closed_doors_home_advantage_", np.nan))
                record["rho"] = float(model.rho_)
            fits.append(record)
            if rows.size == 0:
                continue
            grid = model.predict_many(home[rows], away[rows], neutral[rows],
                                      _forecast_competition(model, competition[rows], dates[rows]),
                                      second_leg=second_leg[rows])
            probs = grid.outcomes()
            probs = probs / probs.sum(axis=1, keepdims=True)
            if hasattr(model, "league_link"):
                link = model.league_link(home[rows], away[rows])
                offset_sd, weak = link["offset_sd"].to_numpy(), link["weak"].to_numpy()
            else:
                offset_sd, weak = np.full(rows.size, np.nan), np.zeros(rows.size, dtype=bool)
            part = target.iloc[rows][["match_id", "date", "season", "competition", "round", "home", "away",
                                      "home_goals", "away_goals"]].copy()
            part["leg"] = np.where(second_leg[rows], 2, np.where(first_leg[rows], 1, 0))
            part["neutral"] = neutral[rows]
            part["week"] = weeks[rows]
            part["as_of"] = pd.Timestamp(as_of)
            part["home_country"] = [countries.get(t, "?") for t in home[rows]]
            part["away_country"] = [countries.get(t, "?") for t in away[rows]]
            part["variant"] = variant.label
            part["p_home"], part["p_draw"], part["p_away"] = probs[:, 0], probs[:, 1], probs[:, 2]
            part["xg_home"] = np.asarray(grid.home_expected_goals, dtype=float)
            part["xg_away"] = np.asarray(grid.away_expected_goals, dtype=float)
            part["offset_sd"] = offset_sd
            part["weak_link"] = weak
            pieces.append(part)
            if progress is not None:
                progress(block + 1, n_blocks, variant.label)
    forecasts = pd.concat(pieces, ignore_index=True)[list(FORECAST_COLUMNS)] if pieces else \
        pd.DataFrame(columns=list(FORECAST_COLUMNS))
    lost = pd.concat(skipped, ignore_index=True) if skipped else pd.DataFrame(
        columns=["match_id", "date", "competition", "home", "away", "variant", "reason"])
    return WalkForward(forecasts, pd.DataFrame(fits), lost, time.perf_counter() - started,
                       {"seasons": seasons, "seasons_back": seasons_back, "variants": [v.label for v in variants]})


def _forecast_competition(model: Any, competition: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """The ``competition`` a forecast passes to ``predict_many``: the match's, except that a goal model with a
    fitted closed-doors home advantage gets :data:`~matchday.models.goal_model.CLOSED_DOORS_LABEL` for the
    matches dated in its ``closed_doors`` period (a forecaster knew, the day before, that a match of 2020-21
    had no crowd)."""
    from matchday.models.goal_model import CLOSED_DOORS_LABEL

    period = getattr(model, "closed_doors", None)
    if period is None or not np.isfinite(getattr(model, "closed_doors_home_advantage_", np.nan)):
        return competition
    first, last = (np.datetime64(pd.Timestamp(day).normalize(), "ns") for day in period)
    day = dates.astype("datetime64[ns]")
    inside = (day >= first) & (day < last + np.timedelta64(1, "D"))
    return np.where(inside, CLOSED_DOORS_LABEL, competition).astype(object)


# ---------------------------------------------------------------------------------------------------
# Analyses
# ---------------------------------------------------------------------------------------------------


def _outcomes(forecasts: pd.DataFrame) -> np.ndarray:
    return outcome_index(forecasts["home_goals"].to_numpy(dtype=float), forecasts["away_goals"].to_numpy(dtype=float))


def score(forecasts: pd.DataFrame) -> pd.DataFrame:
    """``forecasts`` with per-match ``rps``, ``outcome``, expected and actual goal difference and points."""
    frame = forecasts.copy()
    probs = frame[["p_home", "p_draw", "p_away"]].to_numpy(dtype=float)
    y = _outcomes(frame)
    frame["outcome"] = y
    frame["rps"] = rps(probs, y)
    frame["expected_gd"] = frame["xg_home"] - frame["xg_away"]
    frame["actual_gd"] = frame["home_goals"] - frame["away_goals"]
    frame["expected_points"] = 3 * frame["p_home"] + frame["p_draw"]
    frame["expected_points_away"] = 3 * frame["p_away"] + frame["p_draw"]
    frame["points"] = np.select([y == 0, y == 1], [3, 1], 0)
    frame["points_away"] = np.select([y == 2, y == 1], [3, 1], 0)
    return frame


def _cluster_se(values: np.ndarray, clusters: np.ndarray) -> float:
    """Standard error of the mean of ``values`` clustered by ``clusters`` (CR1)."""
    n = values.size
    if n < 2:
        return float("nan")
    codes, uniques = pd.factorize(clusters)
    g = len(uniques)
    if g < 2:
        return float("nan")
    sums = np.bincount(codes, values - values.mean(), minlength=g)
    return float(np.sqrt(g / (g - 1) * np.sum(sums**2) / n**2))


def country_residuals(forecasts: pd.DataFrame, variant: str, *, min_rows: int = 1) -> pd.DataFrame:
    """Actual minus model per country, from each club's side of every match between clubs of two countries.

    Columns: country, matches (club-matches), clubs, gd_residual / gd_se (goal difference per match),
    points_residual / points_se (points per match), z (gd_residual / gd_se). Standard errors are clustered
    by club and season (a club's matches of a season share its form). Sorted by matches.
    """
    frame = score(forecasts[forecasts["variant"] == variant])
    frame = frame[frame["home_country"] != frame["away_country"]]
    sides = pd.concat([
        pd.DataFrame({"country": frame["home_country"], "club": frame["home"], "season": frame["season"],
                      "gd": frame["actual_gd"] - frame["expected_gd"],
                      "points": frame["points"] - frame["expected_points"]}),
        pd.DataFrame({"country": frame["away_country"], "club": frame["away"], "season": frame["season"],
                      "gd": -(frame["actual_gd"] - frame["expected_gd"]),
                      "points": frame["points_away"] - frame["expected_points_away"]}),
    ], ignore_index=True)
    rows = []
    for country, part in sides.groupby("country", sort=False):
        if len(part) < min_rows:
            continue
        cluster = (part["club"] + "|" + part["season"]).to_numpy()
        gd, pts = part["gd"].to_numpy(dtype=float), part["points"].to_numpy(dtype=float)
        gd_se, pts_se = _cluster_se(gd, cluster), _cluster_se(pts, cluster)
        rows.append({"country": country, "matches": len(part), "clubs": part["club"].nunique(),
                     "gd_residual": gd.mean(), "gd_se": gd_se, "points_residual": pts.mean(), "points_se": pts_se,
                     "z": gd.mean() / gd_se if gd_se and np.isfinite(gd_se) and gd_se > 0 else np.nan})
    table = pd.DataFrame(rows, columns=["country", "matches", "clubs", "gd_residual", "gd_se", "points_residual",
                                        "points_se", "z"])
    return table.sort_values("matches", ascending=False, kind="stable").reset_index(drop=True)


def outcome_rates(forecasts: pd.DataFrame, variant: str, by: str = "competition") -> pd.DataFrame:
    """Predicted vs observed home-win and draw rates per ``by`` group (binomial standard errors of the
    observed rates, from the predicted probabilities: sqrt(sum p(1-p)) / n)."""
    frame = score(forecasts[forecasts["variant"] == variant])
    rows = []
    for key, part in frame.groupby(by, sort=True):
        y = part["outcome"].to_numpy()
        n = len(part)
        row = {by: key, "matches": n}
        for label, column, k in (("home", "p_home", 0), ("draw", "p_draw", 1)):
            p = part[column].to_numpy(dtype=float)
            row[f"{label}_predicted"] = p.mean()
            row[f"{label}_observed"] = float((y == k).mean())
            row[f"{label}_se"] = float(np.sqrt(np.sum(p * (1 - p))) / n)
        row["rps"] = part["rps"].mean()
        rows.append(row)
    return pd.DataFrame(rows)


def reliability(forecasts: pd.DataFrame, variant: str, bins: Sequence[float] = (0, .1, .2, .3, .4, .5, .6, .7, .8, .9, 1)
                ) -> pd.DataFrame:
    """Reliability of the 1X2 probabilities (every match and outcome one binary event) in fixed bins."""
    frame = forecasts[forecasts["variant"] == variant]
    probs = frame[["p_home", "p_draw", "p_away"]].to_numpy(dtype=float)
    return calibration_table(probs, _outcomes(frame), bins=np.asarray(bins, dtype=float))


def common_matches(forecasts: pd.DataFrame, variants: Sequence[str]) -> pd.DataFrame:
    """Forecasts of ``variants`` restricted to the matches every one of them rated."""
    frame = forecasts[forecasts["variant"].isin(list(variants))]
    counts = frame.groupby("match_id")["variant"].nunique()
    keep = counts.index[counts == len(set(variants))]
    return frame[frame["match_id"].isin(keep)]


def paired(forecasts: pd.DataFrame, a: str, b: str, mask: Callable[[pd.DataFrame], pd.Series] | None = None
           ) -> dict[str, float]:
    """Mean RPS of ``a`` and ``b`` on the matches both rated (optionally only rows where ``mask``), and the
    paired difference a - b with its standard error clustered by ISO week."""
    frame = score(common_matches(forecasts, [a, b]))
    if mask is not None:
        frame = frame[mask(frame)]
    left = frame[frame["variant"] == a].sort_values("match_id")
    right = frame[frame["variant"] == b].sort_values("match_id")
    if len(left) < 2:
        return {"matches": len(left), "rps_a": np.nan, "rps_b": np.nan, "difference": np.nan, "se": np.nan}
    diff = paired_difference(left["rps"].to_numpy(), right["rps"].to_numpy(), left["week"].to_numpy())
    return {"matches": len(left), "rps_a": float(left["rps"].mean()), "rps_b": float(right["rps"].mean()),
            "difference": diff.mean, "se": diff.standard_error}


def summary(forecasts: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """Mean RPS, log-scale draw rate predicted / observed and matches per variant (and ``by``)."""
    frame = score(forecasts)
    keys = ["variant", *by]
    out = frame.groupby(keys, sort=False).agg(matches=("rps", "size"), rps=("rps", "mean"),
                                               draw_predicted=("p_draw", "mean"),
                                               draw_observed=("outcome", lambda y: float((y == 1).mean())),
                                               weak_link=("weak_link", "mean"))
    return out.reset_index()


def variants_from_names(names: Mapping[str, Callable[[], Any]]) -> list[Variant]:
    """Plain variants (all competitions, prior carried) from ``{label: factory}``."""
    return [Variant(label, factory) for label, factory in names.items()]


# ---------------------------------------------------------------------------------------------------
# The check as a command: default variants and the generated document
# ---------------------------------------------------------------------------------------------------

SHIPPED = "dixon-coles"
WITHOUT_NEW = "dixon-coles without the ten leagues"
NO_PRIOR = "dixon-coles, no league prior"
NO_PRIOR_WITHOUT_NEW = "dixon-coles, no league prior, without the ten leagues"
ELO = "elo"
ELO_EQUAL = "elo, equal starts"
NO_CLOSED_DOORS = "dixon-coles, no closed-doors home advantage"
CARRIED_HOME = "dixon-coles, carried UEFA home advantage"
SECOND_LEG = "dixon-coles, second-leg rho"
NEW_COUNTRIES: tuple[str, ...] = ("NED", "POR", "BEL", "TUR", "GRE", "SCO")
"""Countries of the six first divisions among the ten new ones (the other four are second divisions)."""


def default_variants(tuning: bool = False) -> list[Variant]:
    """The shipped model and its comparisons; with ``tuning`` also the settings compared on the selection
    seasons (spread 0.21 / 0.40 of the league offsets, drift 0.06 / 0.12, no carried prior; the UEFA home and
    draw candidates of issue 8 item 2: no closed-doors home advantage (the model before it), carried UEFA home
    advantages, a second-leg rho)."""
    from matchday.models import DixonColes, Elo

    variants = [
        Variant(SHIPPED, DixonColes),
        Variant(WITHOUT_NEW, DixonColes, exclude=NEW_LEAGUES),
        Variant(NO_PRIOR, lambda: DixonColes(league_prior_sd=None), carry_prior=False),
        Variant(NO_PRIOR_WITHOUT_NEW, lambda: DixonColes(league_prior_sd=None), exclude=NEW_LEAGUES,
                carry_prior=False),
        Variant(ELO, Elo),
        Variant(ELO_EQUAL, lambda: Elo(hfa_international=250.0), carry_prior=False),
    ]
    if tuning:
        variants += [Variant(f"dixon-coles, league spread {sd}", lambda sd=sd: DixonColes(league_prior_sd=sd))
                     for sd in (0.21, 0.40)]
        variants += [Variant(f"dixon-coles, drift {drift}", DixonColes, drift=drift) for drift in (0.06, 0.12)]
        variants += [Variant("dixon-coles, prior not carried", DixonColes, carry_prior=False)]
        variants += [Variant(NO_CLOSED_DOORS, lambda: DixonColes(closed_doors=None)),
                     Variant(CARRIED_HOME, lambda: DixonColes(carried_home_advantage=True)),
                     Variant(SECOND_LEG, lambda: DixonColes(second_leg_rho=True))]
    return variants


def _fmt(value: float, digits: int = 3, signed: bool = False) -> str:
    if value is None or not np.isfinite(value):
        return ""
    return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"


def _rps_table(forecasts: pd.DataFrame, variants: Sequence[str], reference: str) -> pd.DataFrame:
    rows = []
    for name in variants:
        if name not in set(forecasts["variant"]):
            continue
        own = score(forecasts[forecasts["variant"] == name])
        row = {"model": name, "matches": len(own), "RPS": own["rps"].mean()}
        if name != reference:
            pair = paired(forecasts, name, reference)
            row.update({"paired matches": pair["matches"], f"minus {reference}": pair["difference"],
                        "SE": pair["se"]})
        rows.append(row)
    table = pd.DataFrame(rows)
    if "paired matches" in table.columns:
        table["paired matches"] = table["paired matches"].astype("Int64")
    return table


def _residual_markdown(table: pd.DataFrame, min_matches: int = 20) -> str:
    from matchday.report import markdown_table

    shown = table[table["matches"] >= min_matches].copy()
    shown["GD residual"] = [f"{r:+.3f} ± {s:.3f}" for r, s in zip(shown["gd_residual"], shown["gd_se"], strict=True)]
    shown["points residual"] = [f"{r:+.3f} ± {s:.3f}" for r, s in zip(shown["points_residual"], shown["points_se"],
                                                                       strict=True)]
    shown["z"] = [f"{z:+.1f}" + (" *" if abs(z) >= 2 else "") for z in shown["z"]]
    return markdown_table(shown[["country", "matches", "clubs", "GD residual", "points residual", "z"]])


def _rates_markdown(table: pd.DataFrame) -> str:
    from matchday.report import markdown_table

    out = pd.DataFrame({
        "competition": table["competition"], "matches": table["matches"],
        "home win predicted": table["home_predicted"].map(_fmt),
        "home win observed": [f"{o:.3f} ± {s:.3f}" for o, s in zip(table["home_observed"], table["home_se"], strict=True)],
        "draw predicted": table["draw_predicted"].map(_fmt),
        "draw observed": [f"{o:.3f} ± {s:.3f}" for o, s in zip(table["draw_observed"], table["draw_se"], strict=True)],
        "RPS": table["rps"].map(lambda v: _fmt(v, 4)),
    })
    return markdown_table(out)


def cross_league_report(walk: WalkForward, *, selection: Sequence[str] = SELECTION_SEASONS,
                        report: Sequence[str] = REPORT_SEASONS, command: str = "matchday check-scale") -> str:
    """The generated document ``docs/cross-league.md`` from a walk-forward run of :func:`default_variants`."""
    from matchday.models.league_prior import DEFAULT_OFFSET_DRIFT, DEFAULT_OFFSET_PRIOR_SD, WEAK_LINK_SD
    from matchday.report import markdown_table

    forecasts = walk.forecasts
    periods = {"selection": [s for s in walk.settings["seasons"] if s in set(selection)],
               "report": [s for s in walk.settings["seasons"] if s in set(report)]}
    frames = {key: forecasts[forecasts["season"].isin(value)] for key, value in periods.items()}
    variants = list(walk.settings["variants"])
    main = [v for v in variants if v in (SHIPPED, WITHOUT_NEW, NO_PRIOR, NO_PRIOR_WITHOUT_NEW, ELO, ELO_EQUAL)]
    tuning = [v for v in variants if v not in main]

    def span(seasons: Sequence[str]) -> str:
        return f"{seasons[0]} to {seasons[-1]}" if seasons else "(none)"

    lines = [
        "# The cross-league scale, checked out of sample",
        "",
        f"Generated by `{command}` ({walk.seconds / 60:.1f} minutes). Do not edit by hand.",
        "",
        "Every UEFA match in the store (Champions League from `champs.csv` and the Football.TXT `cl.txt` files; "
        "Europa League and Conference League where the data has them) is forecast as of the day before its ISO "
        "week's first match day, by a model fitted on what a forecast that day would use: every stored league and "
        "UEFA competition, the season running and the two before it, matches dated on or before that day "
        "(`matchday.models.training.training_seasons`). Refits are weekly; no match of the week is seen. "
        "The goal models carry their league-offset prior from the earlier, non-overlapping windows "
        "(`matchday.models.league_prior.PriorChain`, built from the same data).",
        "",
        f"* **Selection seasons** (choices were made on these only): {span(periods['selection'])}, "
        f"{len(frames['selection']['match_id'].unique()):,} matches forecast.",
        f"* **Report seasons** (the verdict): {span(periods['report'])}, "
        f"{len(frames['report']['match_id'].unique()):,} matches forecast.",
        f"* Shipped settings: leagues nobody rated before are draws from a population of leagues spread by "
        f"{DEFAULT_OFFSET_PRIOR_SD} around their common level; carried offsets drift by {DEFAULT_OFFSET_DRIFT} a "
        f"year; a forecast's link is weak above {WEAK_LINK_SD} (offset standard deviation) or below 16 "
        "time-weighted cross-league matches.",
        "",
        "Models compared:",
        "",
        f"* `{SHIPPED}`: the shipped Dixon-Coles: league strength offsets with the carried prior, all 16 leagues.",
        f"* `{WITHOUT_NEW}`: the same without N1, P1, B1, T1, G1, SC0, D2, I2, SP2, F2 in the fit (issue 14 item 3).",
        f"* `{NO_PRIOR}`: the model before issue 8: league offsets by maximum likelihood, nothing carried.",
        f"* `{NO_PRIOR_WITHOUT_NEW}`: that model without the ten leagues (what "
        "`tests/test_models_joint.py` saw get worse when they were added).",
        f"* `{ELO}`: the shipped Elo, each league starting from the carried Dixon-Coles offsets (600 Elo points per "
        "unit), cross-border home advantage starting at 125.",
        f"* `{ELO_EQUAL}`: Elo as before: every first division starting at 1500, cross-border home advantage at 250.",
        "",
    ]
    lines += _summary_section(frames, periods)
    for key, title in (("report", "Report seasons"), ("selection", "Selection seasons")):
        frame = frames[key]
        if frame.empty:
            continue
        lines += [f"## {title}: {span(periods[key])}", "",
                  "### Forecast quality (RPS, lower is better; paired differences on the matches both rated, "
                  "standard errors clustered by ISO week)", "",
                  markdown_table(_rps_table(frame, main, SHIPPED),
                                 {"RPS": 4, f"minus {SHIPPED}": 4, "SE": 4}), ""]
        table = country_residuals(frame, SHIPPED)
        lines += ["### Residuals per country (actual minus model), shipped model", "",
                  "Each club's side of every match between clubs of two countries; a club's country is that of the "
                  "league it plays in (else UEFA's). Goal difference and points per match; standard errors "
                  "clustered by club and season; `*` marks |z| >= 2. Countries with at least 20 club-matches.", "",
                  _residual_markdown(table), ""]
        significant = table[(table["matches"] >= 20) & (table["z"].abs() >= 2)]
        lines += [f"{len(significant)} of {int((table['matches'] >= 20).sum())} countries have |z| >= 2"
                  + (f" ({', '.join(significant['country'])}); about {0.05 * (table['matches'] >= 20).sum():.1f} "
                     "would by chance at 5%." if len(significant) else "."), ""]
        lines += ["### Home wins and draws per competition, shipped model", "",
                  "Observed rates with the binomial standard error implied by the forecasts.", "",
                  _rates_markdown(outcome_rates(frame, SHIPPED)), ""]
        if key == "report":
            rel = reliability(frame, SHIPPED)
            rel_view = pd.DataFrame({
                "predicted": [f"{lo:.1f}-{hi:.1f}" for lo, hi in zip(rel["lower"], rel["upper"], strict=True)],
                "events": rel["count"], "mean predicted": rel["mean_predicted"],
                "observed": rel["observed_frequency"], "95% interval": [
                    f"{lo:.3f}-{hi:.3f}" for lo, hi in zip(rel["ci_low"], rel["ci_high"], strict=True)],
            })
            lines += ["### Reliability of the 1X2 probabilities, shipped model", "",
                      "Every match and outcome is one event (home win, draw, away win pooled); Wilson intervals.", "",
                      markdown_table(rel_view, {"mean predicted": 3, "observed": 3}), ""]
        lines += _new_league_section(frame)
        lines += _weak_link_section(frame)
    if tuning and not frames["selection"].empty:
        lines += ["## Settings compared on the selection seasons", "",
                  "Paired against the shipped settings on the selection seasons only; the report seasons were "
                  "not looked at to choose.", "",
                  markdown_table(_rps_table(frames["selection"], [SHIPPED, *tuning], SHIPPED),
                                 {"RPS": 5, f"minus {SHIPPED}": 5, "SE": 5}), ""]
        home_draw = [v for v in (NO_CLOSED_DOORS, CARRIED_HOME, SECOND_LEG) if v in tuning]
        if home_draw and not frames["report"].empty:
            lines += ["The UEFA home-advantage and draw candidates on the report seasons, for the record (not used "
                      "to choose):", "",
                      markdown_table(_rps_table(frames["report"], [SHIPPED, *home_draw], SHIPPED),
                                     {"RPS": 5, f"minus {SHIPPED}": 5, "SE": 5}), ""]
            for key in ("selection", "report"):
                rows = [outcome_rates(frames[key], v, by="variant") for v in [SHIPPED, *home_draw]]
                lines += [f"Home wins and draws of these models, {key} seasons (all UEFA competitions):", "",
                          _rates_markdown(pd.concat(rows, ignore_index=True).rename(columns={"variant": "competition"})),
                          ""]
    lines += _home_draw_section(walk, frames)
    lines += _left_out_section(walk)
    return "\n".join(lines).rstrip() + "\n"


def pooled_rates(forecasts: pd.DataFrame, variant: str) -> dict[str, float]:
    """Predicted and observed home-win and draw rates over every match of ``variant``, with the standard
    error of the observed rate implied by the forecasts and the z of the difference."""
    frame = score(forecasts[forecasts["variant"] == variant])
    y = frame["outcome"].to_numpy()
    out: dict[str, float] = {"matches": float(len(frame))}
    for label, column, k in (("home", "p_home", 0), ("draw", "p_draw", 1)):
        p = frame[column].to_numpy(dtype=float)
        se = float(np.sqrt(np.sum(p * (1 - p))) / max(len(p), 1))
        out[f"{label}_predicted"], out[f"{label}_observed"] = float(p.mean()), float((y == k).mean())
        out[f"{label}_z"] = (out[f"{label}_observed"] - out[f"{label}_predicted"]) / se if se > 0 else float("nan")
    return out


def _summary_section(frames: Mapping[str, pd.DataFrame], periods: Mapping[str, Sequence[str]]) -> list[str]:
    """What the check shows, in numbers, and what follows from it (decided on the selection seasons)."""
    lines = ["## Summary", ""]
    for key in ("report", "selection"):
        frame = frames[key]
        if frame.empty or SHIPPED not in set(frame["variant"]):
            continue
        name = "report" if key == "report" else "selection"
        parts = []
        for other, what in ((NO_PRIOR, "the model without a league prior"),
                            (WITHOUT_NEW, "the same model without the ten new leagues"),
                            (ELO_EQUAL, "Elo with equal starts")):
            if other in set(frame["variant"]):
                pair = paired(frame, SHIPPED, other)
                parts.append(f"{pair['difference']:+.4f} ± {pair['se']:.4f} against {what}")
        rates = pooled_rates(frame, SHIPPED)
        residuals = country_residuals(frame, SHIPPED)
        big = residuals[residuals["matches"] >= 100]
        lines.append(f"* **{name.capitalize()} seasons** ({len(frame[frame['variant'] == SHIPPED]):,} matches): "
                     f"paired RPS of the shipped Dixon-Coles {'; '.join(parts)}. Home wins predicted "
                     f"{rates['home_predicted']:.3f}, observed {rates['home_observed']:.3f} (z {rates['home_z']:+.1f}); "
                     f"draws predicted {rates['draw_predicted']:.3f}, observed {rates['draw_observed']:.3f} "
                     f"(z {rates['draw_z']:+.1f}). Countries with at least 100 club-matches: largest |z| "
                     + (f"{big['z'].abs().max():.1f} ({big.loc[big['z'].abs().idxmax(), 'country']}); England "
                        f"{float(big.set_index('country')['gd_residual'].get('ENG', float('nan'))):+.3f} goals a match "
                        f"(z {float(big.set_index('country')['z'].get('ENG', float('nan'))):+.1f})."
                        if not big.empty else "none."))
    selection = frames["selection"]
    if not selection.empty and SHIPPED in set(selection["variant"]):
        rates = pooled_rates(selection, SHIPPED)
        lines += ["", "What follows, decided on the selection seasons only:", ""]
        pairs = {label: paired(selection, label, SHIPPED) for label in (NO_CLOSED_DOORS, CARRIED_HOME, SECOND_LEG)
                 if label in set(selection["variant"])}

        def pair_text(label: str) -> str:
            pair = pairs.get(label)
            return (f"selection RPS {pair['difference']:+.5f} ± {pair['se']:.5f} against the shipped model"
                    if pair is not None else "not run here")

        lines.append(
            f"* The pooled UEFA home-win rate is {rates['home_z']:+.1f} and the draw rate {rates['draw_z']:+.1f} "
            "standard errors from the forecasts on the selection seasons. The report seasons' miss (home wins "
            "under-, draws over-predicted) has two sources, shown in the section *Where the UEFA home wins and "
            "draws are missed*: (1) the home advantages the forecasts rest on. Each UEFA competition has its own, "
            "fitted without any prior or shrinkage on its 125-400 matches a season (not pulled towards the "
            "leagues'); the windows behind 2022-23 and 2023-24 hold 2020-21 (no crowds) and 2021-22 (crowds "
            "restricted in many countries), when the UEFA home advantage was low, and it came back afterwards "
            "(the table of home advantages in the fits against the observed goal ratios); (2) second legs of "
            "two-legged ties, whose draws are over-predicted and whose home wins depend on the first-leg margin "
            "(the side behind attacks): a tie state a match model does not see.")
        lines.append(
            "* Shipped: matches played without crowds (9 March 2020 to 30 June 2021) get one home advantage of "
            "their own (`closed_doors`, `matchday.models.goal_model.CLOSED_DOORS`), so each competition's home "
            "advantage is that of matches with crowds, and the check forecasts the matches of that period with "
            "the closed-doors value (a forecaster knew there was no crowd). On principle, not on the RPS: "
            f"the model without it has {pair_text(NO_CLOSED_DOORS)}.")
        lines.append(
            "* Not shipped (no gain on the selection seasons): a UEFA home advantage carried from the earlier "
            f"windows as a prior ({pair_text(CARRIED_HOME)}); a rho of their own for second legs "
            f"({pair_text(SECOND_LEG)}; fitted in a window it rests on 10-220 weighted second legs). The second-leg "
            "effect belongs in the tie model (issue 8 item 4), which knows the first-leg result. The report "
            "seasons were not used to choose; they are the first thing to re-test on 2025-26.")
        lines.append("* The league-offset prior and its settings (spread of the population of leagues, drift) were "
                     "chosen on these seasons: see the last section and `matchday/models/league_prior.py`.")
    return [*lines, ""]


def stage_rates(forecasts: pd.DataFrame, variant: str) -> pd.DataFrame:
    """Predicted vs observed home-win and draw rates per stage of ``variant``'s forecasts: group or league
    phase, first legs, second legs (split by the first-leg margin from the second-leg home side's view, where
    the first leg is among the forecasts) and single knock-out matches."""
    frame = score(forecasts[forecasts["variant"] == variant])
    if frame.empty:
        return pd.DataFrame()
    leg = pd.to_numeric(frame["leg"], errors="coerce").fillna(0).to_numpy() if "leg" in frame.columns \
        else np.zeros(len(frame))
    group = frame["round"].fillna("").str.contains("group|league", case=False).to_numpy()
    firsts = frame[leg == 1][["season", "competition", "home", "away", "home_goals", "away_goals"]]
    firsts = firsts.rename(columns={"home": "away", "away": "home", "home_goals": "first_leg_away",
                                    "away_goals": "first_leg_home"}).drop_duplicates(["season", "competition",
                                                                                      "home", "away"])
    margin = frame[["season", "competition", "home", "away"]].merge(firsts, how="left", on=[
        "season", "competition", "home", "away"])
    lead = (margin["first_leg_home"] - margin["first_leg_away"]).to_numpy()
    stage = np.where(group, "group or league phase", np.where(leg == 1, "first legs", np.where(
        leg == 2, "second legs", "single knock-out matches")))
    detail = np.where(leg == 2, np.select([lead < 0, lead == 0, lead > 0],
                                          ["home side behind after leg 1", "level after leg 1",
                                           "home side ahead after leg 1"], "first leg not forecast"), "")
    rows = []
    for label, mask in [(name, stage == name) for name in ("group or league phase", "first legs", "second legs",
                                                           "single knock-out matches")] + \
            [(f"second legs, {name}", (stage == "second legs") & (detail == name)) for name in
             ("home side behind after leg 1", "level after leg 1", "home side ahead after leg 1")]:
        part = frame[mask]
        if part.empty:
            continue
        y = part["outcome"].to_numpy()
        row = {"stage": label, "matches": len(part)}
        for key, column, k in (("home", "p_home", 0), ("draw", "p_draw", 1)):
            p = part[column].to_numpy(dtype=float)
            row[f"{key}_predicted"] = p.mean()
            row[f"{key}_observed"] = float((y == k).mean())
            row[f"{key}_se"] = float(np.sqrt(np.sum(p * (1 - p))) / len(p))
        row["rps"] = part["rps"].mean()
        rows.append(row)
    return pd.DataFrame(rows)


def _home_draw_section(walk: WalkForward, frames: Mapping[str, pd.DataFrame]) -> list[str]:
    """Where the UEFA home wins and draws are missed: per stage (and second legs by first-leg margin), and
    the UEFA home advantages the forecasts rested on, season by season."""
    from matchday.report import markdown_table

    lines = ["## Where the UEFA home wins and draws are missed (shipped model)", ""]
    for key in ("selection", "report"):
        table = stage_rates(frames[key], SHIPPED)
        if table.empty:
            continue
        lines += [f"{key.capitalize()} seasons, per stage (binomial standard errors from the forecasts):", "",
                  _rates_markdown(table.rename(columns={"stage": "competition"})), ""]
    fits = walk.fits
    columns = [f"home_advantage_{code}" for code in UEFA_CODES]
    if not fits.empty and set(columns) <= set(fits.columns):
        own = fits[fits["variant"] == SHIPPED].copy()
        forecasts = score(walk.forecasts[walk.forecasts["variant"] == SHIPPED])
        season_of = forecasts.groupby("as_of")["season"].first()
        own["season"] = pd.to_datetime(own["as_of"]).map(season_of)
        rows = []
        for season, part in own.dropna(subset=["season"]).groupby("season", sort=True):
            played = forecasts[(forecasts["season"] == season) & ~forecasts["neutral"].astype(bool)]
            row = {"season": season}
            for code, column in zip(UEFA_CODES, columns, strict=True):
                row[f"{code} in the fits"] = part[column].mean()
            row["closed doors in the fits"] = part["home_advantage_closed_doors"].mean()
            row["forecast log(home/away xG)"] = float(np.log(played["xg_home"].mean() / played["xg_away"].mean()))
            row["observed log(home/away goals)"] = float(np.log(played["home_goals"].mean()
                                                                / played["away_goals"].mean()))
            rows.append(row)
        table = pd.DataFrame(rows)
        digits = {name: 3 for name in table.columns if name != "season"}
        lines += ["UEFA home advantages (log-goal scale) the forecasts of each season rested on (mean over the "
                  "weekly fits), the closed-doors one, and the season's home/away goal ratio of the non-neutral "
                  "matches as forecast and as played (home-and-away pairs make the ratio close to the home "
                  "advantage):", "", markdown_table(table, digits), ""]
    return lines


def _new_league_section(frame: pd.DataFrame) -> list[str]:
    from matchday.report import markdown_table

    def involves(f: pd.DataFrame) -> pd.Series:
        return f["home_country"].isin(NEW_COUNTRIES) | f["away_country"].isin(NEW_COUNTRIES)

    rows = []
    for label, a, b in ((SHIPPED, SHIPPED, WITHOUT_NEW), (NO_PRIOR, NO_PRIOR, NO_PRIOR_WITHOUT_NEW)):
        if not {a, b} <= set(frame["variant"]):
            continue
        for subset, mask in (("all matches", None), ("a club of NED/POR/BEL/TUR/GRE/SCO", involves)):
            pair = paired(frame, a, b, mask)
            rows.append({"model": label, "matches": subset, "n": pair["matches"], "RPS with": pair["rps_a"],
                         "RPS without": pair["rps_b"], "with minus without": pair["difference"], "SE": pair["se"]})
    if not rows:
        return []
    lines = ["### With and without the ten new leagues in the fit (paired)", "",
             markdown_table(pd.DataFrame(rows), {"RPS with": 4, "RPS without": 4, "with minus without": 4, "SE": 4}), ""]
    common = common_matches(frame, [SHIPPED, WITHOUT_NEW])
    if not common.empty:
        with_ = country_residuals(common, SHIPPED).set_index("country")
        without = country_residuals(common, WITHOUT_NEW).set_index("country")
        keep = [c for c in NEW_COUNTRIES if c in with_.index and c in without.index]
        table = pd.DataFrame({
            "country": keep, "club-matches": [int(with_.loc[c, "matches"]) for c in keep],
            "GD residual with": [f"{with_.loc[c, 'gd_residual']:+.3f} ± {with_.loc[c, 'gd_se']:.3f}" for c in keep],
            "GD residual without": [f"{without.loc[c, 'gd_residual']:+.3f} ± {without.loc[c, 'gd_se']:.3f}"
                                    for c in keep],
            "points residual with": [f"{with_.loc[c, 'points_residual']:+.3f}" for c in keep],
            "points residual without": [f"{without.loc[c, 'points_residual']:+.3f}" for c in keep],
        })
        lines += ["Residuals of the clubs of the six new first divisions' countries, shipped model with and without "
                  "the ten leagues (same matches):", "", markdown_table(table), ""]
    return lines


def _weak_link_section(frame: pd.DataFrame) -> list[str]:
    from matchday.report import markdown_table

    own = score(frame[frame["variant"] == SHIPPED])
    if own.empty:
        return []
    rows = []
    for season, part in own.groupby("season", sort=True):
        weak = part["weak_link"].astype(bool)
        rows.append({"season": season, "matches": len(part), "weak links": int(weak.sum()),
                     "RPS weak": part.loc[weak, "rps"].mean() if weak.any() else np.nan,
                     "RPS not weak": part.loc[~weak, "rps"].mean(),
                     "median offset sd": part["offset_sd"].median()})
    return ["### Forecasts on a weak link, shipped model", "",
            markdown_table(pd.DataFrame(rows), {"RPS weak": 4, "RPS not weak": 4, "median offset sd": 3}), ""]


def _left_out_section(walk: WalkForward) -> list[str]:
    from matchday.report import markdown_table

    lines = ["## What was left out", ""]
    if walk.skipped.empty:
        return [*lines, "Every played UEFA match of the seasons was forecast by every model.", ""]
    counts = (walk.skipped.groupby(["variant", "reason"]).size().rename("fixtures").reset_index())
    lines += ["Fixtures a model could not rate (a club without any match in its training window, e.g. a qualifier "
              "from a country without a stored league in its first UEFA season). Paired comparisons use the fixtures "
              "both models rated.", "", markdown_table(counts), ""]
    return lines


def run_check(history: pd.DataFrame, seasons: Iterable[str], *, tuning: bool = False,
              progress: Callable[[int, int, str], None] | None = None) -> WalkForward:
    """The walk-forward of :func:`default_variants` over the UEFA matches of ``seasons``."""
    return uefa_walk_forward(history, seasons, default_variants(tuning), progress=progress)
