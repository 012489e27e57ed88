"""A graded track record: forecasts logged before matches, scored once the results are stored.

The store's forecasts log (:meth:`~matchday.data.store.Store.log_forecasts`) holds every forecast the
user asked for (`matchday predict`) and the fixture forecasts of the running-season views (`matchday now`,
`matchday update`), each with the model and the date of the data it was made from (``as_of``). Walk-forward
backtests write there too (``details.source == "backtest"``); they are kept apart (``include_backtests``)
because they were not made before the matches, only with the data before them.

A forecast is graded when its match has a stored result and was played after the forecast's ``as_of`` (the
model could not know it). A forecast that names its match (``match_id``: the views do) is linked to it; one
that names only the clubs (`predict`) is linked to the clubs' first stored meeting after ``as_of`` within
:data:`LINK_DAYS` (in its competition when logged). When a match was forecast several times by one model,
the latest forecast before it counts (the one a user would have seen last). ``logged_before_kickoff`` says
whether the forecast was written before the match day (a live forecast); forecasts asked about the past
(``--as-of``) are genuine out-of-sample forecasts but not live ones, and can be left out (``live_only``).

Scores per competition and model: ranked probability score, log loss and Brier score
(:mod:`matchday.evaluate.metrics`), beside the pre-match market on the same matches where odds are stored
(:func:`~matchday.evaluate.market.market_probabilities`, margin removed), with the paired difference and
its standard error; and a reliability table of all graded 1X2 probabilities.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from matchday.data.store import Store

#: A forecast that names only the clubs is linked to their first meeting within this many days after it.
LINK_DAYS = 120
GRADED_COLUMNS = ("run_id", "created_at", "model", "as_of", "command", "match_id", "competition", "season", "date",
                  "home", "away", "home_goals", "away_goals", "outcome", "p_home", "p_draw", "p_away", "rps",
                  "log_loss", "brier", "logged_before_kickoff", "market_p_home", "market_p_draw", "market_p_away",
                  "market_rps", "market_log_loss", "market_bookmaker")


def _details(text: object) -> dict:
    if not isinstance(text, str) or not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _link(log: pd.DataFrame, matches: pd.DataFrame) -> pd.Series:
    """The stored match each forecast is about (None when not found)."""
    out = pd.Series([None] * len(log), index=log.index, dtype=object)
    known = set(matches["match_id"])
    named = log["match_id"].notna() & log["match_id"].isin(known)
    out[named] = log.loc[named, "match_id"]
    rest = log[~named]
    if rest.empty:
        return out
    by_pair = {key: group.sort_values("date") for key, group in matches.groupby(["home", "away"], sort=False)}
    for row in rest.itertuples():
        group = by_pair.get((row.home_id, row.away_id))
        if group is None:
            continue
        start = pd.Timestamp(row.as_of) if pd.notna(row.as_of) else pd.Timestamp(row.created_at).normalize()
        after = group[(group["date"] > start) & (group["date"] <= start + pd.Timedelta(days=LINK_DAYS))]
        if isinstance(row.competition, str) and row.competition:
            after = after[after["competition"] == row.competition]
        if not after.empty:
            out[row.Index] = after.iloc[0]["match_id"]
    return out


def graded_forecasts(store: Store, *, include_backtests: bool = False, live_only: bool = False,
                     since: dt.date | None = None) -> pd.DataFrame:
    """One row per graded forecast (:data:`GRADED_COLUMNS`): the latest forecast of each (model, match)
    made before the match, its scores, and the pre-match market's on the same match where odds exist.
    ``attrs["pending"]``: forecasts whose match has no result yet; ``attrs["unlinked"]``: forecasts whose
    match is not stored."""
    from matchday.evaluate.market import market_probabilities
    from matchday.evaluate.metrics import brier, log_loss, outcome_index, rps

    log = store.forecasts()
    empty = pd.DataFrame(columns=list(GRADED_COLUMNS))
    empty.attrs.update(pending=0, unlinked=0, backtests=0)
    if log.empty:
        return empty
    details = log["details"].map(_details)
    backtest = details.map(lambda d: d.get("source") == "backtest")
    log = log.assign(command=details.map(lambda d: d.get("command") or d.get("source") or "unknown"))
    n_backtests = int(backtest.sum())
    if not include_backtests:
        log = log[~backtest]
    if log.empty:
        empty.attrs["backtests"] = n_backtests
        return empty
    teams = sorted(set(log["home_id"]) | set(log["away_id"]))
    matches = store.matches(teams=teams)
    matches = matches[matches["home"].isin(teams) & matches["away"].isin(teams)]
    log = log.assign(linked=_link(log, matches))
    unlinked = int(log["linked"].isna().sum())
    log = log[log["linked"].notna()].merge(
        matches[["match_id", "competition", "season", "date", "home", "away", "home_goals", "away_goals", "status"]]
        .rename(columns={"match_id": "linked", "competition": "match_competition"}), on="linked", how="inner")
    before = log["as_of"].isna() | (pd.to_datetime(log["as_of"]) < log["date"])  # the result was not known
    log = log[before]
    played = log["home_goals"].notna() & (log["status"].fillna("played") == "played")
    pending = int(log["home_goals"].isna().sum())  # awarded or cancelled matches are neither graded nor pending
    log = log[played]
    if since is not None:
        log = log[log["date"] >= pd.Timestamp(since)]
    log = log.assign(logged_before_kickoff=pd.to_datetime(log["created_at"]).dt.normalize() < log["date"])
    if live_only:
        log = log[log["logged_before_kickoff"]]
    # the latest forecast of each (model, match) before it
    log = log.sort_values(["as_of", "created_at"]).drop_duplicates(["model", "linked"], keep="last")
    if log.empty:
        empty.attrs.update(pending=pending, unlinked=unlinked, backtests=n_backtests)
        return empty
    probs = log[["p_home", "p_draw", "p_away"]].to_numpy(dtype=float)
    probs = probs / probs.sum(axis=1, keepdims=True)
    outcome = outcome_index(log["home_goals"].to_numpy(dtype=float), log["away_goals"].to_numpy(dtype=float))
    out = pd.DataFrame({
        "run_id": log["run_id"].to_numpy(), "created_at": log["created_at"].to_numpy(), "model": log["model"].to_numpy(),
        "as_of": pd.to_datetime(log["as_of"]).dt.date.to_numpy(), "command": log["command"].to_numpy(),
        "match_id": log["linked"].to_numpy(), "competition": log["match_competition"].to_numpy(),
        "season": log["season"].to_numpy(), "date": log["date"].dt.date.to_numpy(), "home": log["home"].to_numpy(),
        "away": log["away"].to_numpy(), "home_goals": log["home_goals"].astype(int).to_numpy(),
        "away_goals": log["away_goals"].astype(int).to_numpy(), "outcome": outcome,
        "p_home": probs[:, 0], "p_draw": probs[:, 1], "p_away": probs[:, 2],
        "rps": rps(probs, outcome), "log_loss": log_loss(probs, outcome), "brier": brier(probs, outcome),
        "logged_before_kickoff": log["logged_before_kickoff"].to_numpy(dtype=bool),
    })
    odds = store.odds(out["match_id"].unique().tolist(), market="1x2")
    market = market_probabilities(odds, "pre") if not odds.empty else pd.DataFrame(columns=["match_id"])
    market = market.set_index("match_id") if len(market) else None
    for column in ("market_p_home", "market_p_draw", "market_p_away", "market_rps", "market_log_loss"):
        out[column] = np.nan
    out["market_bookmaker"] = None
    if market is not None:
        has = out["match_id"].isin(market.index)
        if has.any():
            m = market.loc[out.loc[has, "match_id"]]
            mp = m[["p_home", "p_draw", "p_away"]].to_numpy(dtype=float)
            y = out.loc[has, "outcome"].to_numpy()
            out.loc[has, ["market_p_home", "market_p_draw", "market_p_away"]] = mp
            out.loc[has, "market_rps"] = rps(mp, y)
            out.loc[has, "market_log_loss"] = log_loss(mp, y)
            out.loc[has, "market_bookmaker"] = m["bookmaker"].to_numpy()
    out = out.sort_values(["date", "competition", "home", "model"]).reset_index(drop=True)
    out.attrs.update(pending=pending, unlinked=unlinked, backtests=n_backtests)
    return out


def track_record(graded: pd.DataFrame) -> pd.DataFrame:
    """Per competition and model (and over all competitions): graded forecasts, mean RPS, log loss and
    Brier score; on the matches with stored odds, the market's RPS and log loss and the model's paired RPS
    difference to it (negative: the model did better) with its standard error."""
    from matchday.evaluate.metrics import paired_difference

    columns = ["competition", "model", "forecasts", "rps", "log_loss", "brier", "with_odds", "market_rps",
               "market_log_loss", "rps_vs_market", "rps_vs_market_se", "live_share", "first", "last"]
    if graded.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    groups = [*graded.groupby(["competition", "model"], sort=True),
              *((("all", model), group) for model, group in graded.groupby("model", sort=True))]
    for (competition, model), group in groups:
        with_odds = group[group["market_rps"].notna()]
        row = {"competition": competition, "model": model, "forecasts": len(group),
               "rps": group["rps"].mean(), "log_loss": group["log_loss"].mean(), "brier": group["brier"].mean(),
               "with_odds": len(with_odds), "market_rps": with_odds["market_rps"].mean() if len(with_odds) else np.nan,
               "market_log_loss": with_odds["market_log_loss"].mean() if len(with_odds) else np.nan,
               "rps_vs_market": np.nan, "rps_vs_market_se": np.nan,
               "live_share": float(group["logged_before_kickoff"].mean()),
               "first": min(group["date"]), "last": max(group["date"])}
        if len(with_odds) >= 2:
            diff = paired_difference(with_odds["rps"].to_numpy(), with_odds["market_rps"].to_numpy())
            row["rps_vs_market"], row["rps_vs_market_se"] = diff.mean, diff.standard_error
        rows.append(row)
    return pd.DataFrame(rows, columns=columns)


def track_record_calibration(graded: pd.DataFrame, bins: int = 10) -> pd.DataFrame:
    """Reliability of every graded 1X2 probability (home, draw and away pooled)."""
    from matchday.evaluate.metrics import calibration_table

    if graded.empty:
        return pd.DataFrame()
    return calibration_table(graded[["p_home", "p_draw", "p_away"]].to_numpy(dtype=float),
                             graded["outcome"].to_numpy(dtype=float), bins=bins)
