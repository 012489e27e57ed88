"""Season calibration: title and relegation probabilities made during past seasons, against what happened.

For every league season and every checkpoint date, a model is fitted on the matches up to that date, the
rest of the season is simulated, and each club's P(title) and P(relegation) is compared with the final
table. Scores: Brier score (mean squared error of the probabilities, lower is better) next to the Brier
score of a "current table" baseline and of the base rate, and a reliability table (binned probabilities
against observed frequencies).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from matchday.data.seasons import season_start_year
from matchday.report import markdown_table

if TYPE_CHECKING:  # pragma: no cover
    from matchday.data.store import Store

#: (month, day) checkpoints within a season: a quarter, half, two thirds and the run-in.
DEFAULT_CHECKPOINTS: tuple[tuple[int, int], ...] = ((10, 15), (1, 1), (3, 1), (4, 15))
#: Second tiers fitted jointly with a league so promoted clubs carry their form.
SECOND_TIER = {"E0": ["E1"]}


def checkpoint_dates(season: str, checkpoints: Sequence[tuple[int, int]] = DEFAULT_CHECKPOINTS) -> list[dt.date]:
    start = season_start_year(season)
    return [dt.date(start if month >= 7 else start + 1, month, day) for month, day in checkpoints]


#: Statuses of a stored match that was never played and never will be (data/domain.py).
NEVER_PLAYED = ("cancelled", "abandoned")


def _season_state(matches: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(matches still to play, matches never played) of a stored league season.

    Still to play: no result and not cancelled or abandoned (scheduled, postponed, or a status the source did
    not state); their presence means the season is not finished. Never played: cancelled or abandoned
    without a result (the league's rules may award one; the final table applies awarded results).
    """
    no_result = matches["home_goals"].isna() | matches["away_goals"].isna()
    status = matches["status"] if "status" in matches.columns else pd.Series(None, index=matches.index, dtype=object)
    never = no_result & status.isin(NEVER_PLAYED)
    return matches[no_result & ~never], matches[never]


def season_coverage(store: Store, competitions: Sequence[str], seasons: Sequence[str],
                    checkpoints: Sequence[tuple[int, int]] = DEFAULT_CHECKPOINTS) -> pd.DataFrame:
    """What a calibration run evaluates and what it leaves out, and why: one row per (league, season,
    checkpoint) with ``evaluated`` (bool), ``reason`` (why it is left out, "" when evaluated) and ``note``
    (what an evaluated season lacks: matches never played)."""
    rows = []
    for competition in competitions:
        for season in seasons:
            matches = store.matches([competition], [season])
            dates = checkpoint_dates(season, checkpoints)
            if matches.empty:
                rows += [_unit(competition, season, d, "not in the store") for d in dates]
                continue
            to_play, never = _season_state(matches)
            note = ""
            if len(never):
                listed = "; ".join(f"{r.home_name} v {r.away_name} {pd.Timestamp(r.date).date()} ({r.status})"
                                   for r in never.itertuples())
                note = (f"{len(never)} of {len(matches)} matches never played ({listed}): the final table counts "
                        "the results the league's rules award for them, else goes without them")
            if len(to_play):
                last = pd.Timestamp(to_play["date"].max()).date()
                reason = (f"not finished in the store: {len(to_play)} of {len(matches)} matches still to play "
                          f"(the last on {last}), so there is no final table to score against")
                rows += [_unit(competition, season, d, reason) for d in dates]
                continue
            played_dates = pd.to_datetime(matches.loc[matches["home_goals"].notna(), "date"])
            first, last = played_dates.min().date(), played_dates.max().date()
            for date in dates:
                if date < first:
                    rows.append(_unit(competition, season, date, f"the season had not started (first match {first})"))
                elif date >= last:
                    rows.append(_unit(competition, season, date, f"nothing left to play: the season ended on {last}"))
                else:
                    rows.append(_unit(competition, season, date, "", note))
    return pd.DataFrame(rows, columns=["competition", "season", "as_of", "evaluated", "reason", "note"])


def _unit(competition: str, season: str, as_of: dt.date, reason: str, note: str = "") -> dict:
    return {"competition": competition, "season": season, "as_of": as_of, "evaluated": not reason,
            "reason": reason, "note": note}


def season_forecasts(
    store: Store,
    competitions: Sequence[str],
    seasons: Sequence[str],
    *,
    model: str = "dixon-coles",
    checkpoints: Sequence[tuple[int, int]] = DEFAULT_CHECKPOINTS,
    n_sims: int = 10_000,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """One row per (league, season, checkpoint, club): p_title, p_relegation, the club's position at the
    checkpoint, and whether it finished first / was relegated.

    Which units are evaluated and which are left out (and why) is :func:`season_coverage`, kept in
    ``attrs["coverage"]``; ``attrs["training"]`` holds the training window of every fit (matches fitted,
    seasons). A season with a match that was never played (cancelled, abandoned) is evaluated; one with
    matches still to play is not (no final table).
    """
    from matchday.models import MODELS, checked_model_name
    from matchday.models.training import training_frame
    from matchday.rules.leagues import rules_for
    from matchday.rules.table import league_table
    from matchday.simulate.season import simulate_season

    checked_model_name(model)
    coverage = season_coverage(store, competitions, seasons, checkpoints)
    from matchday.rules.leagues import FormatNotSimulatedError

    for index, unit in coverage[coverage["evaluated"]].iterrows():
        try:
            rules_for(unit["competition"], unit["season"]).require_simulable()
        except FormatNotSimulatedError as exc:  # a split season: the rules say what cannot be simulated
            reason = str(exc).split(": ", 1)[-1].split(". `matchday table")[0]
            coverage.loc[index, ["evaluated", "reason"]] = (False, f"the season simulator cannot simulate it: {reason}")
    units = coverage[coverage["evaluated"]]
    rows, training = [], []
    for done, unit in enumerate(units.itertuples(), start=1):
        competition, season, as_of = unit.competition, unit.season, unit.as_of
        matches = store.matches([competition], [season])
        rules = rules_for(competition, season)
        final = league_table(matches, competition, season).set_index("team")
        n = len(final)
        train = training_frame(store, as_of, competitions=[competition, *SECOND_TIER.get(competition, [])])
        training.append({"competition": competition, "season": season, "as_of": as_of, "matches": len(train),
                         "seasons": ", ".join(sorted(train["season"].unique())),
                         "awarded_left_out": train.attrs.get("left_out", {}).get("awarded", 0)})
        fitted = MODELS[model]().fit(train, as_of=as_of)
        sim = simulate_season(matches, fitted, competition, season, as_of=as_of, n_sims=n_sims, seed=seed)
        summary = sim.summary().set_index("team")
        now = sim.current.set_index("team")
        for team in summary.index:
            rows.append({
                "competition": competition, "season": season, "as_of": as_of, "team": team,
                "position_now": int(now.loc[team, "position"]) if team in now.index else np.nan,
                "p_title": float(summary.loc[team, "p_title"]),
                "p_relegation": float(summary.loc[team, "p_relegation"]) if "p_relegation" in summary else 0.0,
                "champion": bool(final.loc[team, "position"] == 1),
                "relegated": bool(final.loc[team, "position"] > n - rules.places.relegation),
            })
        if progress:
            progress(done, len(units))
    out = pd.DataFrame(rows, columns=["competition", "season", "as_of", "team", "position_now", "p_title",
                                      "p_relegation", "champion", "relegated"])
    out.attrs["coverage"] = coverage
    out.attrs["training"] = pd.DataFrame(training)
    return out


def calibration_scores(forecasts: pd.DataFrame) -> pd.DataFrame:
    """Brier scores per event and checkpoint month: model, 'leader now' baseline and base rate."""
    out = []
    for event, p_col, y_col in (("title", "p_title", "champion"), ("relegation", "p_relegation", "relegated")):
        frame = forecasts.assign(month=pd.to_datetime(forecasts["as_of"]).dt.strftime("%m-%d"))
        # checkpoints in season order (autumn first)
        months = sorted(frame["month"].unique(), key=lambda m: (int(m[:2]) < 7, m))
        for month, group in [("all", frame), *((m, frame[frame["month"] == m]) for m in months)]:
            y = group[y_col].to_numpy(dtype=float)
            p = group[p_col].to_numpy(dtype=float)
            # "as it stands": the current leader / current bottom clubs get probability 1
            n_teams = group.groupby(["competition", "season", "as_of"])["team"].transform("size").to_numpy()
            places = (group.groupby(["competition", "season", "as_of"])["relegated"].transform("sum").to_numpy())
            if event == "title":
                table_now = (group["position_now"].to_numpy() == 1).astype(float)
            else:
                table_now = (group["position_now"].to_numpy() > n_teams - places).astype(float)
            base = np.full_like(y, y.mean())
            out.append({
                "event": event, "checkpoint": month, "forecasts": len(y), "events": int(y.sum()),
                "brier_model": float(np.mean((p - y) ** 2)),
                "brier_table_now": float(np.mean((table_now - y) ** 2)),
                "brier_base_rate": float(np.mean((base - y) ** 2)),
            })
    return pd.DataFrame(out)


def season_calibration_report(forecasts: pd.DataFrame, *, model: str, n_sims: int, seed: int,
                              coverage: pd.DataFrame | None = None, training: pd.DataFrame | None = None) -> str:
    """Markdown: how the forecasts were made, exactly what was evaluated and what was left out (and why),
    Brier scores, reliability tables. coverage / training: default ``forecasts.attrs`` (set by
    :func:`season_forecasts`)."""
    from matchday.evaluate.metrics import calibration_table

    coverage = coverage if coverage is not None else forecasts.attrs.get("coverage")
    training = training if training is not None else forecasts.attrs.get("training")
    scores = calibration_scores(forecasts)
    leagues = ", ".join(sorted(forecasts["competition"].unique()))
    seasons = sorted(forecasts["season"].unique())
    lines = [
        "# Season calibration: title and relegation odds against what happened",
        "",
        "Generated by `matchday calibrate-seasons`. For every league season and checkpoint date, the model was",
        "fitted only on matches played up to that date (three seasons of history, the second tier too for the",
        "Premier League; results awarded by a league, with no goals played, left out), the rest of the season was",
        f"simulated {n_sims:,} times (seed {seed}, model {model}), and each club's probability of winning the title",
        "and of being relegated was compared with the final table.",
        "",
        f"Leagues: {leagues}. Seasons: {seasons[0]} to {seasons[-1]} ({len(seasons)}). "
        f"Forecasts: {len(forecasts):,} club-checkpoints.",
        "",
    ]
    if coverage is not None and len(coverage):
        lines += _coverage_lines(coverage, forecasts)
    if training is not None and len(training):
        lines += _training_lines(training)
    lines += [
        "## Brier scores (lower is better)",
        "",
        "`table_now` gives probability 1 to the current leader (or the clubs currently in the relegation places)",
        "and 0 to the rest; `base_rate` gives every club the overall frequency of the event.",
        "",
        markdown_table(scores.round(5)),
        "",
    ]
    for event, p_col, y_col in (("title", "p_title", "champion"), ("relegation", "p_relegation", "relegated")):
        table = calibration_table(forecasts[p_col].to_numpy(dtype=float), forecasts[y_col].to_numpy(dtype=float),
                                  bins=10)
        lines += [f"## Reliability: {event}", "", markdown_table(table.round(4)), ""]
    lines += [
        "Reading the tables: in a well-calibrated forecast the observed frequency in each bin lies inside its",
        "interval around the mean forecast probability. Bins with few forecasts are noisy.",
    ]
    return "\n".join(lines) + "\n"


def _coverage_lines(coverage: pd.DataFrame, forecasts: pd.DataFrame) -> list[str]:
    """What was evaluated (per league: seasons, checkpoints, club-checkpoints) and every unit left out."""
    evaluated = coverage[coverage["evaluated"]]
    counts = forecasts.groupby("competition").size()
    rows = []
    for competition, group in evaluated.groupby("competition"):
        rows.append({"league": competition, "seasons": group["season"].nunique(),
                     "first": group["season"].min(), "last": group["season"].max(),
                     "checkpoints": len(group), "club-checkpoints": int(counts.get(competition, 0))})
    total = len(coverage)
    lines = ["## What was evaluated", "",
             f"{len(evaluated)} of {total} league-season checkpoints asked for were evaluated "
             f"({total - len(evaluated)} left out, listed below with the reason).", ""]
    if rows:
        lines += [markdown_table(pd.DataFrame(rows)), ""]
    left = coverage[~coverage["evaluated"]]
    lines += ["## What was left out, and why", ""]
    if left.empty:
        lines += ["Nothing: every league season and checkpoint asked for was evaluated.", ""]
    else:
        grouped = (left.assign(checkpoint=pd.to_datetime(left["as_of"]).dt.strftime("%Y-%m-%d"))
                   .groupby(["competition", "season", "reason"], sort=True)["checkpoint"]
                   .agg(lambda x: ", ".join(x)).reset_index())
        lines += [markdown_table(grouped[["competition", "season", "checkpoint", "reason"]]), ""]
    noted = evaluated[evaluated["note"].astype(bool)].drop_duplicates(["competition", "season"])
    if len(noted):
        lines += ["Evaluated seasons with matches that were never played:", ""]
        lines += [f"- {r.competition} {r.season}: {r.note}." for r in noted.itertuples()]
        lines += [""]
    return lines


def _training_lines(training: pd.DataFrame) -> list[str]:
    """The training windows of the fits: matches per fit, and the fits with fewer seasons than three."""
    short = training[training["seasons"].str.count(",") < 2]
    lines = ["## Training windows", "",
             f"{len(training)} fits; matches per fit from {int(training['matches'].min()):,} to "
             f"{int(training['matches'].max()):,} (median {int(training['matches'].median()):,}); results awarded by "
             f"a league (no goals played) left out of a fit: {int(training['awarded_left_out'].min())} to "
             f"{int(training['awarded_left_out'].max())}.", ""]
    if len(short):
        grouped = (short.groupby(["competition", "season", "seasons"], sort=True)
                   .agg(checkpoints=("as_of", "size"), fewest=("matches", "min"), most=("matches", "max"))
                   .reset_index().rename(columns={"seasons": "seasons of history"}))
        lines += ["Fits with fewer than three seasons of history (the store holds no earlier season of that league):",
                  "", markdown_table(grouped), ""]
    return lines
