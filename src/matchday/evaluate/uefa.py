"""Calibration of UEFA league-phase forecasts (2024-25 on): P(top 8) and P(9-24) against the final tables.

For every competition season and checkpoint, a model is fitted on the matches played up to the checkpoint
(:func:`~matchday.models.training.fit_model`: every stored league and UEFA match of the last three
seasons), the rest of the league phase is simulated (:func:`~matchday.simulate.uefa_season.simulate_uefa_season`,
``knockout=False``) and each club's P(top 8), P(9-24) and P(25-36) is compared with the final league-phase
table, ranked by the regulation's criteria. Checkpoints come from the data, so any season can be scored:
before the first matchday, after half the matchdays, and before the last matchday
(:func:`league_phase_checkpoints`).

Scores: the Brier score of each event next to two baselines (the format's base rate, 8/36 and 16/36, and
"the table now": probability 1 for the zone a club is in on the checkpoint), the ranked probability score
of the three zones, and reliability bins with two bands: the Wilson interval of the observed frequency
and the binomial band in which a calibrated forecast's observed frequency falls 95% of the time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from matchday.inputs import DEFAULT_MODEL
from matchday.report import markdown_table

if TYPE_CHECKING:  # pragma: no cover
    from matchday.data.store import Store

#: Checkpoints, as matchdays played: before the phase, half of it, all but the last matchday.
CHECKPOINT_NAMES = ("start", "half", "last matchday")
EVENTS = (("top 8", "p_top8", "top8"), ("9-24", "p_playoff", "playoff"))


def league_phase_checkpoints(frame: pd.DataFrame, matches_per_club: int) -> list[tuple[str, int, dt.date]]:
    """(name, matchdays played, date) of the three checkpoints of a league phase (``frame``: its
    fixtures, with dates): the day before the first match, and the days on which half of the matchdays
    and all but the last one had been played (the date of the (k x N/2)-th match in date order)."""
    dates = sorted(pd.to_datetime(frame["date"]).dt.date)
    per_matchday = len(dates) // matches_per_club
    out = [(CHECKPOINT_NAMES[0], 0, dates[0] - dt.timedelta(days=1))]
    for name, k in ((CHECKPOINT_NAMES[1], matches_per_club // 2), (CHECKPOINT_NAMES[2], matches_per_club - 1)):
        out.append((name, k, dates[k * per_matchday - 1]))
    return out


def league_phase_forecasts(
    store: Store,
    competitions: Sequence[str],
    seasons: Sequence[str],
    *,
    model: str = DEFAULT_MODEL,
    n_sims: int = 10_000,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """One row per (competition, season, checkpoint, club): p_top8, p_playoff, p_eliminated, the zone on
    the checkpoint and the final zone. Competition seasons whose league phase is not complete in the store
    are skipped (named in ``attrs["skipped"]``)."""
    from matchday.models.training import fit_model
    from matchday.rules.uefa_format import has_league_phase, uefa_format
    from matchday.rules.uefa_league_phase import is_league_phase_round, league_phase_table
    from matchday.simulate.uefa_season import simulate_uefa_season
    from matchday.workflows import team_names

    rows: list[dict] = []
    skipped: list[str] = []
    units = [(c, s) for c in competitions for s in seasons]
    total = 3 * len(units)
    done = 0
    for competition, season in units:
        if not has_league_phase(competition, season):
            skipped.append(f"{competition} {season}: no league phase (group-stage format)")
            done += 3
            continue
        matches = store.matches([competition], [season])
        phase = matches[matches["round"].map(is_league_phase_round)] if not matches.empty else matches
        fmt = uefa_format(competition, season)
        if len(phase) != fmt.league_phase_matches or phase["home_goals"].isna().any():
            skipped.append(f"{competition} {season}: league phase not complete in the store "
                           f"({int(phase['home_goals'].notna().sum()) if len(phase) else 0} of "
                           f"{fmt.league_phase_matches} results)")
            done += 3
            continue
        names = team_names(store, sorted(set(phase["home"]) | set(phase["away"])))
        final = league_phase_table(matches, competition, season, names=names).set_index("team")
        for name, matchdays, as_of in league_phase_checkpoints(phase, fmt.matches_per_club):
            fitted = fit_model(model, store, as_of)
            result = simulate_uefa_season(matches, fitted, competition, season, as_of=as_of, n_sims=n_sims,
                                          seed=seed, knockout=False, names=names)
            summary = result.league_summary().set_index("team")
            for team, row in summary.iterrows():
                position = int(final.at[team, "position"])
                rows.append({
                    "competition": competition, "season": season, "checkpoint": name, "matchdays": matchdays,
                    "as_of": as_of, "team": team, "club": names.get(team, team), "position_now": int(row["position"]),
                    "played_now": int(row["played"]), "p_top8": float(row["p_top8"]),
                    "p_playoff": float(row["p_playoff"]), "p_eliminated": float(row["p_eliminated"]),
                    "final_position": position, "top8": int(position <= fmt.direct_places),
                    "playoff": int(fmt.direct_places < position <= fmt.playoff_places[1]),
                    "eliminated": int(position > fmt.playoff_places[1]),
                })
            done += 1
            if progress:
                progress(done, total)
    frame = pd.DataFrame(rows)
    frame.attrs["skipped"] = skipped
    return frame


def zone_rps(p: np.ndarray, zone: np.ndarray) -> np.ndarray:
    """Ranked probability score of the three ordered zones (top 8, 9-24, 25-36): ``p`` (n, 3), ``zone``
    (n,) 0/1/2; 0 is perfect, lower is better."""
    cumulative = np.cumsum(p, axis=1)[:, :-1]
    observed = (np.arange(2)[None, :] >= zone[:, None]).astype(float)
    return ((cumulative - observed) ** 2).sum(axis=1) / 2.0


def calibration_scores(forecasts: pd.DataFrame) -> pd.DataFrame:
    """Brier scores of P(top 8) and P(9-24) per competition and checkpoint (and over everything): the
    model, the format's base rate (8/36, 16/36: known before the season) and the table now; the RPS of the
    three zones (model and table now)."""
    out = []
    keys = [("all", "all", forecasts)]
    for (competition, checkpoint), group in forecasts.groupby(["competition", "checkpoint"], sort=False):
        keys.append((competition, checkpoint, group))
    for checkpoint in CHECKPOINT_NAMES:
        keys.append(("all", checkpoint, forecasts[forecasts["checkpoint"] == checkpoint]))
    zone = pd.Series(np.where(forecasts["top8"] == 1, 0, np.where(forecasts["playoff"] == 1, 1, 2)),
                     index=forecasts.index)
    for competition, checkpoint, group in keys:
        if group.empty:
            continue
        now = group["position_now"].to_numpy()
        started = group["played_now"].to_numpy() > 0
        row: dict = {"competition": competition, "checkpoint": checkpoint, "forecasts": len(group)}
        for label, p_col, y_col in EVENTS:
            y = group[y_col].to_numpy(dtype=float)
            p = group[p_col].to_numpy(dtype=float)
            base = 8 / 36 if y_col == "top8" else 16 / 36
            in_zone = (now <= 8) if y_col == "top8" else ((now > 8) & (now <= 24))
            table_now = np.where(started, in_zone.astype(float), base)  # before the first match: the base rate
            row[f"brier_{label}"] = float(np.mean((p - y) ** 2))
            row[f"brier_{label}_base_rate"] = float(np.mean((base - y) ** 2))
            row[f"brier_{label}_table_now"] = float(np.mean((table_now - y) ** 2))
        probs = group[["p_top8", "p_playoff", "p_eliminated"]].to_numpy(dtype=float)
        z = zone.loc[group.index].to_numpy()
        row["rps_zones"] = float(zone_rps(probs, z).mean())
        now_zone = np.where(now <= 8, 0, np.where(now <= 24, 1, 2))
        now_probs = np.eye(3)[now_zone]
        now_probs[~started] = [8 / 36, 16 / 36, 12 / 36]
        row["rps_zones_table_now"] = float(zone_rps(now_probs, z).mean())
        out.append(row)
    return pd.DataFrame(out)


def reliability(p: np.ndarray, y: np.ndarray, bins: int = 10, confidence: float = 0.95) -> pd.DataFrame:
    """Reliability bins (:func:`~matchday.evaluate.metrics.calibration_table`) plus the binomial band:
    the range (``band_low``, ``band_high``) in which the observed frequency of a bin of ``count``
    forecasts averaging ``mean_predicted`` falls with probability ``confidence`` if the forecasts are
    calibrated (binomial quantiles), and ``inside``: whether it does."""
    from scipy.stats import binom

    from matchday.evaluate.metrics import calibration_table

    table = calibration_table(p, y, bins=bins, confidence=confidence)
    n = table["count"].to_numpy()
    mean = table["mean_predicted"].to_numpy()
    tail = (1 - confidence) / 2
    table["band_low"] = binom.ppf(tail, n, mean) / n
    table["band_high"] = binom.ppf(1 - tail, n, mean) / n
    observed = table["observed_frequency"].to_numpy()
    table["inside"] = (observed >= table["band_low"] - 1e-12) & (observed <= table["band_high"] + 1e-12)
    return table


def uefa_calibration_report(forecasts: pd.DataFrame, *, model: str, n_sims: int, seed: int) -> str:
    """Markdown: how the forecasts were made, the scores, reliability bins with bands, and per checkpoint
    the clubs the model was most wrong about."""
    scores = calibration_scores(forecasts)
    comps = ", ".join(sorted(forecasts["competition"].unique()))
    seasons = ", ".join(sorted(forecasts["season"].unique()))
    dates = (forecasts.groupby(["competition", "season", "checkpoint"], sort=False)
             .agg(as_of=("as_of", "first"), matchdays=("matchdays", "first")).reset_index())
    lines = [
        "# UEFA league phase: calibration of P(top 8) and P(9-24)",
        "",
        "Generated by `matchday calibrate-uefa`. For every competition season and checkpoint the model was fitted",
        "only on matches played up to that date (every stored league and UEFA match of the last three seasons),",
        f"the rest of the league phase was simulated {n_sims:,} times (seed {seed}, model {model}) and ranked by",
        "UEFA's criteria, and each club's probability of finishing in the top 8 (round of 16) and in 9-24",
        "(knockout play-offs) was compared with the final league-phase table.",
        "",
        f"Competitions: {comps}. Seasons: {seasons}. Forecasts: {len(forecasts):,} club-checkpoints.",
        "Checkpoints (from the data): before the first matchday, after half of the matchdays, before the last.",
        "",
        markdown_table(dates.assign(as_of=dates["as_of"].astype(str))),
        "",
    ]
    skipped = forecasts.attrs.get("skipped") or []
    if skipped:
        lines += ["Left out: " + "; ".join(skipped) + ".", ""]
    lines += [
        "## Scores (lower is better)",
        "",
        "Brier score of each event; `base_rate` gives every club the format's share (8/36 for the top 8, 16/36",
        "for 9-24: known before the season); `table_now` gives probability 1 to the zone a club is in on the",
        "checkpoint (the base rate before the first match). `rps_zones` is the ranked probability score of the",
        "three ordered zones (top 8, 9-24, 25-36).",
        "",
        markdown_table(scores.round(4)),
        "",
        f"Thin data: {len(forecasts) // 36} league phases x checkpoints, {len(forecasts)} forecasts per event,",
        "and the forecasts of one league phase are not independent (eight clubs make the top 8). Read the",
        "differences between the model and the baselines with that in mind.",
        "",
    ]
    for label, p_col, y_col in EVENTS:
        table = reliability(forecasts[p_col].to_numpy(dtype=float), forecasts[y_col].to_numpy(dtype=float))
        inside = int(table["inside"].sum())
        lines += [
            f"## Reliability: P({label})",
            "",
            "`ci_low`-`ci_high`: Wilson 95% interval of the observed frequency; `band_low`-`band_high`: where a",
            "calibrated forecast's observed frequency falls 95% of the time (binomial, given the bin's count and",
            f"mean forecast). Observed frequency inside the band in {inside} of {len(table)} bins.",
            "",
            markdown_table(table.round(4)),
            "",
        ]
    worst = forecasts.assign(miss=(forecasts["p_top8"] - forecasts["top8"]).abs())
    worst = worst.sort_values("miss", ascending=False).head(10)
    lines += [
        "## The ten largest misses on P(top 8)",
        "",
        markdown_table(worst[["competition", "checkpoint", "club", "position_now", "p_top8", "final_position"]]
                       .round(3)),
        "",
    ]
    return "\n".join(lines) + "\n"
