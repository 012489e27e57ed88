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
    checkpoint, and whether it finished first / was relegated."""
    from matchday.models import MODELS
    from matchday.models.training import training_seasons
    from matchday.rules.leagues import rules_for
    from matchday.rules.table import league_table
    from matchday.simulate.season import simulate_season

    if model not in MODELS:
        from matchday.data.errors import UnknownChoiceError

        raise UnknownChoiceError("model", model, sorted(MODELS))
    units = [(c, s, d) for c in competitions for s in seasons for d in checkpoint_dates(s, checkpoints)]
    rows = []
    for done, (competition, season, as_of) in enumerate(units, start=1):
        matches = store.matches([competition], [season])
        if matches.empty or matches["date"].min() > pd.Timestamp(as_of) or matches["home_goals"].isna().any():
            if progress:
                progress(done, len(units))
            continue  # season not stored, not started by then, or not finished (no outcome to score)
        rules = rules_for(competition, season)
        final = league_table(matches, competition, season).set_index("team")
        n = len(final)
        train = store.matches([competition, *SECOND_TIER.get(competition, [])], training_seasons(as_of),
                              played=True, until=as_of)
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
    return pd.DataFrame(rows)


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


def season_calibration_report(forecasts: pd.DataFrame, *, model: str, n_sims: int, seed: int) -> str:
    """Markdown: how the forecasts were made, Brier scores, reliability tables."""
    from matchday.evaluate.metrics import calibration_table

    scores = calibration_scores(forecasts)
    leagues = ", ".join(sorted(forecasts["competition"].unique()))
    seasons = sorted(forecasts["season"].unique())
    lines = [
        "# Season calibration: title and relegation odds against what happened",
        "",
        "Generated by `matchday calibrate-seasons`. For every league season and checkpoint date, the model was",
        "fitted only on matches played up to that date (three seasons of history, the second tier too for the",
        f"Premier League), the rest of the season was simulated {n_sims:,} times (seed {seed}, model {model}), and",
        "each club's probability of winning the title and of being relegated was compared with the final table.",
        "",
        f"Leagues: {leagues}. Seasons: {seasons[0]} to {seasons[-1]} ({len(seasons)}). "
        f"Forecasts: {len(forecasts):,} club-checkpoints.",
        "",
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
