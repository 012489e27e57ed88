"""Validation of the one tie model against history, and the extra-time scoring factor from every source.

What is validated is exactly what ``matchday tie`` and ``matchday bracket`` print: the tie model of
:mod:`matchday.simulate.tie_model` (:func:`~matchday.simulate.tie_model.predict_two_legged_ties` with
:func:`~matchday.simulate.tie_model.knockout_params`: the season's rules, the estimated extra-time factor,
the shoot-out model) on the grids of a model fitted by :func:`matchday.models.training.fit_model` on the
store (its last three seasons of every stored competition, up to the as-of day): the same function, the same
parameters, the same fit protocol. Every two-legged tie the store holds with both legs played is predicted
as of **the day after its first leg** (the end of that day, never the day of the second leg): the model is
refitted on that date, so it knows the first leg and everything before it, and nothing after.

Historical ties come from the store, so a tie that two sources list (champs.csv and Football.TXT overlap for
2011-12 to 2015-16; football.json and Football.TXT for 2019-20 and 2024-25) is one tie: the store keeps one
match per club pair and date (within three days) and lists every file that reported it; the report counts
the ties two sources listed. Pairs the store did not merge (a club pair with two first legs within three
days) are merged here and counted too.

References: **equal teams** (the same tie machinery and parameters on independent Poisson grids with the
competition's mean home and away goals in the same training window: only the deficit, the venue and the
rules, no strength) and **the base rate** (the evaluated ties' own share of first-leg hosts that went
through: in-sample, so a demanding reference). Scores: Brier and log loss of P(first-leg host goes through);
a reliability table; per first-leg margin and venue of the first-leg loser, the observed share of comebacks
with its Wilson 95% interval and the model's 95% band for the number of comebacks (the exact distribution
of a sum of independent Bernoullis with the model's probabilities).

The extra-time factor is estimated from files, not the store, because the store keeps one score per match
and the question is whether the sources agree: :func:`extra_time_matches` reads every match of every UEFA
source file under a data folder, finds the matches two sources list (club pair by the team registry, date
within three days) and keeps each once (the earliest source).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from matchday.inputs import DEFAULT_MODEL
from matchday.report import markdown_table
from matchday.simulate.extra_time import DEFAULT_ET_FACTOR, DEFAULT_ET_FACTOR_SE, ExtraTimeEstimate
from matchday.simulate.penalties import P_FIRST_KICKER_WINS

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from matchday.data.store import Store

UEFA = ("UCL", "UEL", "UECL")
CHAMPS = Path("engsoccerdata") / "champs.csv"
FOOTBALL_TXT = Path("openfootball") / "champions-league"
FOOTBALL_JSON = Path("openfootball") / "football.json"
SOURCE_ORDER = ("engsoccerdata", "football-txt", "openfootball-json")  # earliest coverage first
DUPLICATE_DAYS = 3  # two sources' records of one match lie at most this many days apart (the store's tolerance)
RELIABILITY_BINS = tuple(np.round(np.linspace(0.0, 1.0, 11), 1))
LOG_LOSS_FLOOR = 1e-6  # probabilities are clipped here for the log loss (a censored score grid can give 0)


# ---------------------------------------------------------------------------------------------------
# Statistics
# ---------------------------------------------------------------------------------------------------


def wilson_interval(successes: np.ndarray, trials: np.ndarray, z: float = 1.96) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a binomial proportion (vectorised; NaN where there are no trials)."""
    successes = np.asarray(successes, dtype=float)
    trials = np.asarray(trials, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = successes / trials
        centre = (share + z * z / (2 * trials)) / (1 + z * z / trials)
        half = z * np.sqrt(share * (1 - share) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def poisson_binomial_band(p: np.ndarray, level: float = 0.95) -> tuple[int, int]:
    """The central ``level`` band (lowest, highest count) of a sum of independent Bernoulli(p_i), exactly
    (dynamic programming over the count)."""
    p = np.clip(np.asarray(p, dtype=float), 0.0, 1.0)
    pmf = np.zeros(p.size + 1)
    pmf[0] = 1.0
    for k, q in enumerate(p, start=1):
        pmf[1:k + 1] = pmf[1:k + 1] * (1 - q) + pmf[:k] * q
        pmf[0] *= 1 - q
    cdf = np.cumsum(pmf)
    tail = (1 - level) / 2
    low = int(np.searchsorted(cdf, tail, side="left"))
    high = int(np.searchsorted(cdf, 1 - tail, side="left"))
    return low, min(high, p.size)


def brier(p: np.ndarray, outcome: np.ndarray) -> float:
    return float(np.mean((np.asarray(p, float) - np.asarray(outcome, float)) ** 2))


def log_loss(p: np.ndarray, outcome: np.ndarray, floor: float = LOG_LOSS_FLOOR) -> float:
    """Mean negative log-likelihood (natural log) of binary outcomes; p clipped to [floor, 1 - floor]."""
    p = np.clip(np.asarray(p, float), floor, 1 - floor)
    y = np.asarray(outcome, float)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


# ---------------------------------------------------------------------------------------------------
# Historical ties from the store
# ---------------------------------------------------------------------------------------------------


def _result_text(row) -> str:
    """The second leg as stored, e.g. ``1-0 (1-0 a.e.t., 4-4 pens)``."""
    text = f"{row.b2:.0f}-{row.a2:.0f}"
    if np.isfinite(row.aet_b):
        text += f" ({row.aet_b:.0f}-{row.aet_a:.0f} a.e.t."
        text += f", {row.pens_b:.0f}-{row.pens_a:.0f} pens)" if np.isfinite(row.pens_b) else ")"
    return text


def _short(path: str) -> str:
    """A source file as the data folder names it (``champions-league/2023-24/el.txt``)."""
    parts = str(path).replace("\\", "/").rstrip("/").split("/")
    return "/".join(parts[-2:]) if parts[-1] == "champs.csv" else "/".join(parts[-3:])


def _provenance(store: Store, match_ids: list[str]) -> pd.DataFrame:
    """Every (match_id, source, source_file) the store recorded for these matches (its ``match_sources``)."""
    if not match_ids:
        import pandas as pd

        return pd.DataFrame(columns=["match_id", "source", "source_file"])
    return store.con.execute(
        "SELECT match_id, source, source_file FROM match_sources WHERE list_contains(?, match_id)", [match_ids]
    ).df()


@dataclass(frozen=True)
class StoredHistory:
    """The store's two-legged ties (decided and left out) with where they came from.

    ties: ties to predict (both legs played, decided by the stored results), columns of
    :func:`matchday.simulate.knockout_state.decide_ties` plus ``sources`` (the sources that listed the
    legs, e.g. ``engsoccerdata+football-txt``), ``files`` and ``as_of`` (the day after the first leg).
    excluded: ties or legs left out, with ``reason``. files: per source file, the legs it contributed.
    listed_twice: ties listed by two or more sources (counted once); merged_here: ties the validation merged.
    """

    ties: pd.DataFrame
    excluded: pd.DataFrame
    files: pd.DataFrame
    listed_twice: int
    merged_here: int
    matches: pd.DataFrame = field(repr=False)


def stored_history(store: Store, competitions: tuple[str, ...] = UEFA, seasons: list[str] | None = None) -> StoredHistory:
    """The two-legged ties of the store's UEFA matches, each with the day after its first leg."""
    import pandas as pd

    from matchday.rules.knockout import tie_rules
    from matchday.simulate.knockout_state import decide_ties, two_legged_ties

    matches = store.matches(list(competitions), seasons)
    raw = two_legged_ties(matches)
    if raw.empty:
        from matchday.data.errors import MatchdayError

        asked = f" of {', '.join(seasons)}" if seasons else ""
        raise MatchdayError(f"no two-legged ties{asked} stored in {store.path} ({', '.join(competitions)}): run "
                            "`matchday sync` first")
    excluded = []
    for row in raw.attrs.get("unpaired", []):
        leg = matches.loc[row]
        excluded.append({"competition": leg["competition"], "season": leg["season"], "round": leg["round"],
                         "tie": f"{leg['home_name']} v {leg['away_name']} (leg {int(leg['leg'])})",
                         "reason": "no partner leg stored"})
    ties = decide_ties(raw)
    ties["team_a_name"] = matches.loc[ties["leg1_row"], "home_name"].to_numpy()
    ties["team_b_name"] = matches.loc[ties["leg1_row"], "away_name"].to_numpy()
    ties["leg1_id"] = matches.loc[ties["leg1_row"], "match_id"].to_numpy()
    ties["leg2_id"] = matches.loc[ties["leg2_row"], "match_id"].to_numpy()

    # Pairs the store did not merge: the same club pair with first legs within DUPLICATE_DAYS.
    ties["pair"] = [frozenset(p) for p in zip(ties["team_a"], ties["team_b"], strict=True)]
    ties = ties.sort_values(["competition", "leg1_date"], kind="stable")
    duplicate = np.zeros(len(ties), dtype=bool)
    for _, group in ties.groupby([ties["competition"], ties["pair"].map(lambda p: tuple(sorted(p)))]):
        dates = group["leg1_date"].to_numpy()
        close = np.diff(dates).astype("timedelta64[D]").astype(int) <= DUPLICATE_DAYS
        duplicate[ties.index.get_indexer(group.index[1:][close])] = True
    merged_here = int(duplicate.sum())
    for row in ties[duplicate].itertuples():
        excluded.append({"competition": row.competition, "season": row.season, "round": row.round,
                         "tie": f"{row.team_a_name} v {row.team_b_name}",
                         "reason": "the same tie from another source (merged here)"})
    ties = ties[~duplicate]

    provenance = _provenance(store, [*ties["leg1_id"], *ties["leg2_id"]])
    by_match = provenance.groupby("match_id")["source"].agg(lambda s: "+".join(sorted(set(s), key=SOURCE_ORDER.index)
                                                                             if set(s) <= set(SOURCE_ORDER) else sorted(set(s))))
    ties["sources"] = [
        "+".join(sorted(set(str(by_match.get(i1, "")).split("+")) | set(str(by_match.get(i2, "")).split("+")) - {""},
                        key=lambda s: SOURCE_ORDER.index(s) if s in SOURCE_ORDER else 99))
        for i1, i2 in zip(ties["leg1_id"], ties["leg2_id"], strict=True)
    ]
    listed_twice = int(ties["sources"].str.contains("+", regex=False).sum())

    keep = np.ones(len(ties), dtype=bool)
    replay_era = np.array([tie_rules(int(str(season)[:4]), str(comp)).decider != "penalties"
                           for season, comp in zip(ties["season"], ties["competition"], strict=True)], dtype=bool)
    same_day = (ties["leg2_date"] <= ties["leg1_date"]).to_numpy()
    undecided = (ties["side"] < 0).to_numpy()
    for mask, reason in (
        (~(ties["leg1_played"] & ties["leg2_played"]).to_numpy(), lambda r: "a leg has no result stored"),
        (same_day, lambda r: f"both legs dated {r.leg1_date.date()} in the data: no day between them to forecast on"),
        (undecided & replay_era, lambda r: "level after both legs; settled by a coin toss (or a replay) the data do "
                                           "not record"),
        (undecided & ~replay_era, lambda r: "the stored second leg does not decide the tie (extra time or shoot-out "
                                            f"missing or level: {_result_text(r)})"),
    ):
        for row in ties[mask & keep].itertuples():
            excluded.append({"competition": row.competition, "season": row.season, "round": row.round,
                             "tie": f"{row.team_a_name} v {row.team_b_name}", "reason": reason(row)})
        keep &= ~mask
    ties = ties[keep].copy()
    day_after = ties["leg1_date"] + pd.Timedelta(days=1)
    before_second = ties["leg2_date"] - pd.Timedelta(days=1)
    ties["as_of"] = np.where(day_after <= before_second, day_after, ties["leg1_date"])
    ties["a_through"] = ties["side"] == 0
    ties["start_year"] = ties["season"].astype(str).str[:4].astype(int)
    files = provenance.assign(file=provenance["source_file"].map(_short))
    files = files.merge(matches[["match_id", "competition", "season"]], on="match_id", how="left")
    files = (files.groupby(["source", "file"]).agg(legs=("match_id", "size"), first_season=("season", "min"),
                                                   last_season=("season", "max")).reset_index())
    ties = ties.sort_values(["as_of", "competition", "team_a"], kind="stable").reset_index(drop=True)
    return StoredHistory(ties=ties, excluded=pd.DataFrame(excluded, columns=["competition", "season", "round", "tie",
                                                                             "reason"]),
                         files=files, listed_twice=listed_twice, merged_here=merged_here, matches=matches)


# ---------------------------------------------------------------------------------------------------
# Predictions: the tie model as of the day after each first leg
# ---------------------------------------------------------------------------------------------------


def _mean_rates(matches: pd.DataFrame, competition: str, as_of: pd.Timestamp, seasons: list[str]) -> tuple[float, float]:
    """Mean home and away goals of a competition's non-neutral played matches in the training window."""
    window = matches[(matches["season"].isin(seasons)) & matches["home_goals"].notna()
                     & (matches["date"] <= as_of) & ~matches["neutral"].astype(bool)]
    own = window[window["competition"] == competition]
    use = own if len(own) >= 20 else window
    if use.empty:
        return float("nan"), float("nan")
    return float(use["home_goals"].mean()), float(use["away_goals"].mean())


@dataclass(frozen=True)
class TieValidation:
    """The tie model scored on history. ties: every evaluated tie with ``p_model`` / ``p_equal`` (P(first-leg
    host goes through)) and the loser's view (``margin``, ``loser_venue``, ``loser_through``, ``p_loser``,
    ``p_loser_equal``); fits: one row per as-of date (training matches, competitions, seconds)."""

    model: str
    history: StoredHistory
    ties: pd.DataFrame
    fits: pd.DataFrame
    failed: pd.DataFrame


def validate_tie_model(
    store: Store,
    *,
    model: str = DEFAULT_MODEL,
    seasons: list[str] | None = None,
    history: StoredHistory | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> TieValidation:
    """Predict every stored two-legged tie as of the day after its first leg with the tie model and a model
    fitted by :func:`~matchday.models.training.fit_model` on that date (one fit per date)."""
    import pandas as pd

    from matchday.data.errors import MatchdayError
    from matchday.models.grid import ScoreGrid
    from matchday.models.training import fit_model, training_window
    from matchday.simulate.tie_model import (
        knockout_params,
        predict_two_legged_ties,
        tie_legs,
        two_legged_chances,
    )

    history = history or stored_history(store, seasons=seasons)
    ties = history.ties.copy()
    ties["p_model"] = np.nan
    ties["p_equal"] = np.nan
    ties["xg_b2"] = np.nan
    ties["xg_a2"] = np.nan
    uefa = history.matches
    played = store.matches(None, None, played=True)[["competition", "season", "date"]]
    fits, failed = [], []
    dates = sorted(ties["as_of"].unique())
    for number, day in enumerate(dates, start=1):
        rows = ties.index[ties["as_of"] == day]
        as_of = pd.Timestamp(day).date()
        started = time.perf_counter()
        try:
            fitted = fit_model(model, store, as_of)
        except MatchdayError as error:
            for row in ties.loc[rows].itertuples():
                failed.append({"as_of": as_of, "tie": f"{row.team_a_name} v {row.team_b_name}", "reason": str(error)})
            continue
        seconds = time.perf_counter() - started
        window = training_window(as_of)
        frame = played[played["season"].isin(window) & (played["date"] <= pd.Timestamp(as_of))]
        fits.append({"as_of": as_of, "ties": len(rows), "training_matches": len(frame),
                     "competitions": int(frame["competition"].nunique()),
                     "league_matches": int((~frame["competition"].isin(UEFA)).sum()), "seconds": seconds})
        rated = set(np.asarray(fitted.teams_).tolist())
        for row in ties.loc[rows].itertuples():
            if row.team_a not in rated or row.team_b not in rated:  # e.g. a first leg awarded, nothing else played
                unrated = row.team_a_name if row.team_a not in rated else row.team_b_name
                failed.append({"as_of": as_of, "tie": f"{row.team_a_name} v {row.team_b_name}",
                               "reason": f"a club ({unrated}) has no played match in the training window"})
        known = ties.loc[rows]
        known = known[known["team_a"].isin(rated) & known["team_b"].isin(rated)]
        for (season, competition), index in known.groupby(["season", "competition"]).groups.items():
            part = ties.loc[index]
            params = knockout_params(str(season), str(competition))
            p = predict_two_legged_ties(fitted, part["team_a"].to_numpy(), part["team_b"].to_numpy(), params=params,
                                        competition=str(competition), first_leg_home_goals=part["a1"].to_numpy(),
                                        first_leg_away_goals=part["b1"].to_numpy())
            ties.loc[index, "p_model"] = p.sum(axis=1)[:, 0]
            _, leg2 = tie_legs(fitted, part["team_a"].to_numpy(), part["team_b"].to_numpy(), str(competition))
            ties.loc[index, "xg_b2"] = leg2.home_expected_goals
            ties.loc[index, "xg_a2"] = leg2.away_expected_goals
            home, away = _mean_rates(uefa, str(competition), pd.Timestamp(as_of), window)
            equal = ScoreGrid.from_rates(np.full(len(part), home), np.full(len(part), away))
            q = two_legged_chances(equal, equal.transposed(), params, part["a1"].to_numpy(), part["b1"].to_numpy())
            ties.loc[index, "p_equal"] = q.sum(axis=1)[:, 0]
        if progress:
            progress(number, len(dates))
    evaluated = ties[ties["p_model"].notna()].copy()
    diff = evaluated["a1"] - evaluated["b1"]
    evaluated["first_leg_margin"] = diff.abs().astype(int)
    evaluated["margin"] = np.where(evaluated["first_leg_margin"] >= 3, "3+", evaluated["first_leg_margin"].astype(str))
    evaluated["loser_venue"] = np.where(diff < 0, "home", np.where(diff > 0, "away", ""))
    loser_is_b = (diff > 0).to_numpy()
    evaluated["loser_through"] = np.where(loser_is_b, ~evaluated["a_through"], evaluated["a_through"])
    evaluated["p_loser"] = np.where(loser_is_b, 1 - evaluated["p_model"], evaluated["p_model"])
    evaluated["p_loser_equal"] = np.where(loser_is_b, 1 - evaluated["p_equal"], evaluated["p_equal"])
    with_leagues = {row["as_of"]: row["league_matches"] > 0 for row in fits}
    flag = np.array([with_leagues.get(pd.Timestamp(d).date(), False) for d in evaluated["as_of"]], dtype=bool)
    evaluated["period"] = ""
    for value, label in ((False, "fits on UEFA matches only"), (True, "fits on leagues and UEFA matches")):
        seasons = evaluated.loc[flag == value, "season"]
        if len(seasons):
            evaluated.loc[flag == value, "period"] = f"{seasons.min()} to {seasons.max()}, {label}"
    return TieValidation(model=model, history=history, ties=evaluated.reset_index(drop=True),
                         fits=pd.DataFrame(fits), failed=pd.DataFrame(failed, columns=["as_of", "tie", "reason"]))


# ---------------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------------


def score_table(ties: pd.DataFrame, by: str | None = "period") -> pd.DataFrame:
    """Brier and log loss of P(first-leg host goes through): the model, equal teams and the base rate (the
    group's own share of hosts through), per group and overall; skill = 1 - score / base rate's score."""
    import pandas as pd

    rows = []
    groups = [*ties.groupby(by, sort=True)] if by else []
    for label, part in [*groups, ("all", ties)]:
        y = part["a_through"].to_numpy(float)
        base = np.full(len(part), y.mean())
        row = {"group": label, "ties": len(part), "hosts_through": y.mean()}
        for name, p in (("model", part["p_model"]), ("equal_teams", part["p_equal"]), ("base_rate", base)):
            row[f"brier_{name}"] = brier(p, y)
            row[f"log_loss_{name}"] = log_loss(p, y)
        row["brier_skill"] = 1 - row["brier_model"] / row["brier_base_rate"]
        row["log_loss_skill"] = 1 - row["log_loss_model"] / row["log_loss_base_rate"]
        rows.append(row)
    return pd.DataFrame(rows)


def reliability_table(ties: pd.DataFrame, column: str = "p_model", bins: tuple[float, ...] = RELIABILITY_BINS
                      ) -> pd.DataFrame:
    """Ties binned by predicted P(first-leg host goes through): mean prediction, observed share with its
    Wilson 95% interval, and the model's 95% band for the number through."""
    import pandas as pd

    labels = pd.cut(ties[column], bins=list(bins), include_lowest=True)
    rows = []
    for interval, part in ties.groupby(labels, observed=True):
        p = part[column].to_numpy()
        through = int(part["a_through"].sum())
        low, high = wilson_interval(np.array([through]), np.array([len(part)]))
        band = poisson_binomial_band(p)
        rows.append({"predicted bin": str(interval), "ties": len(part), "through": through,
                     "predicted": float(p.mean()), "observed": through / len(part), "low": float(low[0]),
                     "high": float(high[0]), "band": f"{band[0]}-{band[1]}",
                     "inside": band[0] <= through <= band[1]})
    return pd.DataFrame(rows)


def situation_table(ties: pd.DataFrame, by: tuple[str, ...] = ("margin", "loser_venue")) -> pd.DataFrame:
    """Per first-leg margin and venue of the first-leg loser: ties, comebacks, the observed share with its
    Wilson 95% interval, the model's mean probability, expected count and 95% band for the count, and the
    equal-teams reference's mean probability. Drawn first legs are one row (host's view)."""
    import pandas as pd

    rows = []
    decisive = ties[ties["loser_venue"] != ""]
    for key, part in decisive.groupby(list(by), sort=True):
        labels = key if isinstance(key, tuple) else (key,)
        p = part["p_loser"].to_numpy()
        count = int(part["loser_through"].sum())
        low, high = wilson_interval(np.array([count]), np.array([len(part)]))
        band = poisson_binomial_band(p)
        rows.append(dict(zip(by, labels, strict=True)) | {
            "ties": len(part), "comebacks": count, "observed": count / len(part), "low": float(low[0]),
            "high": float(high[0]), "predicted": float(p.mean()), "expected": float(p.sum()),
            "band": f"{band[0]}-{band[1]}", "inside": band[0] <= count <= band[1],
            "predicted_equal": float(part["p_loser_equal"].mean())})
    drawn = ties[ties["loser_venue"] == ""]
    if len(drawn):
        p = drawn["p_model"].to_numpy()
        count = int(drawn["a_through"].sum())
        low, high = wilson_interval(np.array([count]), np.array([len(drawn)]))
        band = poisson_binomial_band(p)
        rows.append(dict(zip(by, ("0 (drawn)", "host"), strict=False)) | {
            "ties": len(drawn), "comebacks": count, "observed": count / len(drawn), "low": float(low[0]),
            "high": float(high[0]), "predicted": float(p.mean()), "expected": float(p.sum()),
            "band": f"{band[0]}-{band[1]}", "inside": band[0] <= count <= band[1],
            "predicted_equal": float(drawn["p_equal"].mean())})
    return pd.DataFrame(rows)


def second_leg_table(ties: pd.DataFrame, by: str | None = "period") -> pd.DataFrame:
    """Second legs (90 minutes), observed against the model's expected goals as of the day after the first
    leg, from the second-leg host's side: mean goal difference residual (observed minus expected) with its
    standard error, and the same for total goals. A positive ``gd_residual`` means second-leg hosts did
    better than the model expected."""
    import pandas as pd

    rows = []
    groups = [*ties.groupby(by, sort=True)] if by else []
    for label, part in [*groups, ("all", ties)]:
        gd = (part["b2"] - part["a2"]) - (part["xg_b2"] - part["xg_a2"])
        total = (part["b2"] + part["a2"]) - (part["xg_b2"] + part["xg_a2"])
        rows.append({"group": label, "second legs": len(part),
                     "host_expected_gd": float((part["xg_b2"] - part["xg_a2"]).mean()),
                     "host_observed_gd": float((part["b2"] - part["a2"]).mean()),
                     "gd_residual": float(gd.mean()), "gd_se": float(gd.std(ddof=1) / np.sqrt(len(part))),
                     "goals_residual": float(total.mean()),
                     "goals_se": float(total.std(ddof=1) / np.sqrt(len(part)))})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------------
# Extra time from every source file
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceFiles:
    """The UEFA source files found under a data folder, per source (paths relative to the folder)."""

    root: Path
    files: dict[str, list[Path]]


def uefa_source_files(data: str | Path) -> SourceFiles:
    """Every UEFA match file under a folder laid out like ``shared/data``: champs.csv, Football.TXT
    ``<season>/<cl|el|conf>[q].txt`` and football.json ``<season>/uefa.*.json``."""
    root = Path(data)
    files = {
        "engsoccerdata": [p for p in [root / CHAMPS] if p.exists()],
        "football-txt": sorted((root / FOOTBALL_TXT).glob("*/*.txt")),
        "openfootball-json": sorted((root / FOOTBALL_JSON).glob("*/uefa.*.json")),
    }
    return SourceFiles(root, files)


def extra_time_matches(data: str | Path | SourceFiles) -> pd.DataFrame:
    """Every match of every UEFA source file under ``data`` (matches frame with ``source``), with the
    duplicates across sources marked: ``match_key`` (one per real match: competition, club pair by the team
    registry, date within three days), ``sources`` (every source listing it) and ``keep`` (True on the
    record of the earliest source, :data:`SOURCE_ORDER`). Records of one source are never merged with each
    other (a replay two days after a final is another match)."""
    import pandas as pd

    from matchday.data.domain import matches_frame
    from matchday.data.errors import DataError
    from matchday.data.registry import TeamRegistry
    from matchday.data.sources.engsoccerdata import read_engsoccerdata_champs
    from matchday.data.sources.footballtxt import read_football_txt
    from matchday.data.sources.openfootball_json import read_openfootball_json

    found = data if isinstance(data, SourceFiles) else uefa_source_files(data)
    frames = []
    left_out: list[dict[str, str]] = []  # files that cannot be read, as `sync --skip-bad-files` leaves them out

    def read(path: Path, reader: Callable[[], list]) -> None:
        try:
            frames.append(matches_frame(reader()))
        except DataError as exc:
            left_out.append({"file": _short(str(path)), "reason": " ".join(str(exc).split())})

    for path in found.files["engsoccerdata"]:
        read(path, lambda path=path: read_engsoccerdata_champs(path))
    for path in found.files["football-txt"]:
        read(path, lambda path=path: read_football_txt(path))
    for path in found.files["openfootball-json"]:
        code = {"uefa.cl": "UCL", "uefa.el": "UEL", "uefa.conf": "UECL"}.get(path.stem)
        if code is None:
            continue
        read(path, lambda path=path, code=code: read_openfootball_json(path, competition=code,
                                                                       season=path.parent.name))
    if not frames:
        raise DataError("no UEFA source files found", file=str(found.root),
                        expected="engsoccerdata/champs.csv or openfootball/champions-league/<season>/*.txt")
    matches = pd.concat(frames, ignore_index=True)
    matches["file"] = matches["source_file"].map(_short)
    registry = TeamRegistry.load()
    cache: dict[tuple[str, str | None], str] = {}

    def club(name: str, country: object) -> str:
        key = (name, country if isinstance(country, str) else None)
        if key not in cache:
            cache[key] = registry.resolve(key[0], country=key[1]) or registry.provisional_id(key[0], key[1])
        return cache[key]

    home = [club(n, c) for n, c in zip(matches["home"], matches["home_country"], strict=True)]
    away = [club(n, c) for n, c in zip(matches["away"], matches["away_country"], strict=True)]
    matches["pair"] = ["|".join(sorted(p)) for p in zip(home, away, strict=True)]
    matches["priority"] = matches["source"].map({s: i for i, s in enumerate(SOURCE_ORDER)})
    matches["day"] = matches["date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    key = np.arange(len(matches))
    # Link each record of a later source to the nearest unlinked record of an earlier source (same
    # competition and pair, within DUPLICATE_DAYS).
    taken: set[int] = set()
    for _, group in matches.groupby(["competition", "pair"], sort=False):
        if group["source"].nunique() < 2:
            continue
        ordered = group.sort_values(["priority", "day"])
        for index, row in ordered.iterrows():
            earlier = ordered[(ordered["priority"] < row["priority"])]
            if earlier.empty:
                continue
            gap = (earlier["day"] - row["day"]).abs()
            candidates = earlier[(gap <= DUPLICATE_DAYS) & ~earlier.index.isin(list(taken))]
            candidates = candidates[~candidates["source"].eq(row["source"])]
            if candidates.empty:
                continue
            target = (candidates["day"] - row["day"]).abs().idxmin()
            key[matches.index.get_loc(index)] = key[matches.index.get_loc(target)]
            taken.add(index)
    matches["match_key"] = key
    matches["keep"] = ~matches.index.isin(list(taken))
    sources = matches.groupby("match_key")["source"].agg(lambda s: "+".join(sorted(set(s), key=SOURCE_ORDER.index)))
    matches["sources"] = matches["match_key"].map(sources)
    matches.attrs["left_out"] = left_out
    return matches


@dataclass(frozen=True)
class ExtraTimeReport:
    """The pooled estimate on the deduplicated matches (``pooled``, with the heterogeneity test across the
    sources that keep the matches), each source on all of its own matches (``per_source``), and the
    matches two sources list (``overlap``: how many went to extra time, how many agree on the score)."""

    pooled: ExtraTimeEstimate
    per_source: pd.DataFrame
    overlap: pd.DataFrame
    files: pd.DataFrame
    left_out: tuple[dict[str, str], ...] = ()  # files that could not be read, each with the reason


def extra_time_report(matches: pd.DataFrame) -> ExtraTimeReport:
    """:func:`~matchday.simulate.extra_time.estimate_extra_time_factor` on :func:`extra_time_matches`."""
    import pandas as pd

    from matchday.simulate.extra_time import estimate_extra_time_factor

    pooled = estimate_extra_time_factor(matches[matches["keep"]], group_by="source")
    rows = []
    for source, part in matches.groupby("source", sort=False):
        own = estimate_extra_time_factor(part, group_by=None)
        seasons = part.loc[part["aet_home_goals"].notna(), "season"]
        rows.append({"source": source, "matches_aet": own.n_matches, "extra_time_goals": own.extra_time_goals,
                     "expected_goals": own.expected_goals, "factor": own.factor, "se": own.se,
                     "seasons": f"{seasons.min()} to {seasons.max()}" if len(seasons) else "",
                     "also_in_another_source": int(((part["aet_home_goals"].notna())
                                                    & part["sources"].str.contains("+", regex=False)).sum())})
    per_source = pd.DataFrame(rows).sort_values("source", key=lambda s: s.map(SOURCE_ORDER.index))
    shared = matches[matches["sources"].str.contains("+", regex=False)]
    overlap_rows = []
    for sources, part in shared.groupby("sources"):
        aet_keys = set(part.loc[part["aet_home_goals"].notna(), "match_key"])
        agree = 0
        for key in aet_keys:
            records = part[part["match_key"] == key]
            scores = {tuple(sorted(((r.home_goals, r.aet_home_goals), (r.away_goals, r.aet_away_goals))))
                      for r in records.itertuples()}
            agree += len(scores) == 1
        overlap_rows.append({"sources": sources, "matches": part["match_key"].nunique(), "went_to_extra_time": len(aet_keys),
                             "same_score_in_both": agree})
    files = (matches.groupby(["source", "file"]).agg(matches=("date", "size"),
                                                      aet=("aet_home_goals", lambda s: int(s.notna().sum())),
                                                      kept=("keep", "sum"))
             .reset_index())
    return ExtraTimeReport(pooled=pooled, per_source=per_source, overlap=pd.DataFrame(overlap_rows), files=files,
                           left_out=tuple(matches.attrs.get("left_out", ())))


# ---------------------------------------------------------------------------------------------------
# Coverage: what the store holds against what the data folder holds
# ---------------------------------------------------------------------------------------------------


def missing_from_store(store: Store, found: SourceFiles) -> list[str]:
    """UEFA source files under the data folder that the store never imported (relative paths)."""
    imported = {_short(str(path)) for path in store.con.execute("SELECT source_file FROM imports").df()["source_file"]}
    missing = []
    for paths in found.files.values():
        for path in paths:
            if _short(str(path)) not in imported:
                missing.append(_short(str(path)))
    return missing


# ---------------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------------


def _seasons_text(frame: pd.DataFrame) -> str:
    parts = []
    for competition, part in frame.groupby("competition", sort=False):
        seasons = sorted(part["season"].unique())
        parts.append(f"{competition} {seasons[0]} to {seasons[-1]} ({len(seasons)} seasons, {len(part)} ties)")
    return "; ".join(parts)


def tie_validation_report(
    validation: TieValidation,
    extra_time: ExtraTimeReport | None,
    *,
    store_path: str | Path | None = None,
    data: str | Path | None = None,
    missing: list[str] | None = None,
    output: str | Path | None = None,
) -> str:
    """The Markdown report (``docs/validation.md``): what was read and left out, then the scores."""
    ties = validation.ties
    history = validation.history
    scores = score_table(ties)
    reliability = reliability_table(ties)
    situations = situation_table(ties)
    by_competition = score_table(ties, by="competition")
    coverage = (ties.groupby(["competition", "season"]).size().rename("ties").reset_index())
    excluded = history.excluded.groupby("reason").size().rename("ties or legs").reset_index()
    fits = validation.fits
    three = {"hosts_through": 3, "brier_model": 4, "brier_equal_teams": 4, "brier_base_rate": 4,
             "log_loss_model": 4, "log_loss_equal_teams": 4, "log_loss_base_rate": 4, "brier_skill": 3,
             "log_loss_skill": 3}
    lines = [
        "# Validation: the tie model against history",
        "",
        "Generated by `matchday validate-ties` (`matchday.evaluate.ties`); do not edit by hand.",
        "",
        "## What is validated",
        "",
        "Exactly what `matchday tie` and `matchday bracket` print: the tie model of `simulate/tie_model.py`",
        "(`predict_two_legged_ties` with `knockout_params`: the season's rules, extra time at "
        f"{DEFAULT_ET_FACTOR:.2f} times the 90-minute rate, shoot-outs won by the first kicker with probability "
        f"{P_FIRST_KICKER_WINS:.2f}, first kicker by coin toss) on the score grids of `{validation.model}` fitted by",
        "`fit_model` on the store (the last three seasons of every stored competition, up to the as-of day).",
        "Every stored two-legged tie with both legs played is predicted **as of the day after its first leg**",
        "(the model refitted on that date: it knows the first leg and nothing after it; when the second leg",
        "followed the next day, as of the first leg's day). The quantity scored is P(first-leg host goes",
        "through).",
        "",
        "References: **equal teams** (the same tie machinery on independent Poisson grids at the competition's",
        "mean home and away goals in the same training window: deficit, venue and rules, no strength) and the",
        "**base rate** (the evaluated ties' own share of first-leg hosts through; in-sample, so demanding).",
        "",
        "## What was read",
        "",
        f"* Store: `{store_path}`." if store_path else "* Store: the default store.",
        f"* Ties evaluated: {len(ties)} ({_seasons_text(ties)}).",
        f"* Model fits: {len(fits)} (one per as-of date); training matches per fit: median "
        f"{int(fits['training_matches'].median()) if len(fits) else 0}, range "
        f"{int(fits['training_matches'].min()) if len(fits) else 0}-{int(fits['training_matches'].max()) if len(fits) else 0}; "
        f"fits with league matches: {int((fits['league_matches'] > 0).sum()) if len(fits) else 0}.",
        f"* Ties listed by two sources and counted once (the store keeps one match per club pair and date): "
        f"{history.listed_twice}; further duplicates merged by the validation: {history.merged_here}.",
        "* To rebuild a store holding every UEFA file of `../shared/data` (as this report's should): "
        "`matchday sync --mirror ../shared/data` (champs.csv whole and every season from 2012-13) and "
        "`matchday sync UCL --seasons 2011-12 --mirror ../shared/data` (Football.TXT 2011-12), then "
        "`matchday validate-ties` (about four minutes: one fit per first-leg day).",
        "",
        "Source files of the evaluated ties' legs (every file that listed a leg):",
        "",
        markdown_table(history.files.rename(columns={"legs": "legs listed"})),
        "",
        "## What was left out, and why",
        "",
    ]
    if len(excluded):
        lines += [markdown_table(excluded), ""]
    lines += [
        "* Single-match ties (finals; the 2019-20 quarter- and semi-finals in Lisbon) and group or league",
        "  phase matches: not two-legged ties.",
    ]
    if len(validation.failed):
        reasons = validation.failed.groupby("reason")["tie"].agg(lambda t: ", ".join(sorted(t)))
        n_failed = len(validation.failed)
        lines.append(f"* {n_failed} tie{'' if n_failed == 1 else 's'} the model could not forecast: "
                     + "; ".join(f"{reason} ({ties})" for reason, ties in reasons.items()))
    if missing:
        lines.append(f"* UEFA files in the data folder (`{data}`) the store does not hold, so not evaluated: "
                     + ", ".join(f"`{m}`" for m in missing) + ". Sync them to include them; a file `matchday sync` refuses "
                     "(it names the file, line and reason, e.g. an impossible shoot-out score) stays out.")
    elif data is not None:
        lines.append(f"* Every UEFA file in the data folder (`{data}`) is in the store.")
    lines += [
        "* Not available in any source here: the UEFA Cup / Europa League before 2020-21 and the Cup Winners' Cup.",
        "",
        "## Scores: Brier and log loss of P(first-leg host goes through)",
        "",
        "Lower is better; skill = 1 - model / base rate. Groups by what the fits rested on: where the store holds",
        "no league matches in the training window, the model is fitted on the UEFA matches of the window only",
        "(thin data: most clubs play a handful of matches a season, and the first fits of a competition rest on",
        "its first few matches); otherwise on the leagues and UEFA matches together.",
        f"Log loss clips probabilities to [{LOG_LOSS_FLOOR:g}, 1 - {LOG_LOSS_FLOOR:g}].",
        "",
        markdown_table(scores, three),
        "",
        "By competition:",
        "",
        markdown_table(by_competition, three),
        "",
        "## Reliability of P(first-leg host goes through)",
        "",
        "`observed` with its Wilson 95% interval (`low`, `high`); `band` = the model's 95% band for the number",
        "through (exact, a sum of the ties' Bernoullis); `inside` = the observed number lies in it.",
        "",
        markdown_table(reliability, {"predicted": 3, "observed": 3, "low": 3, "high": 3}),
        "",
        "## Comebacks by first-leg margin and where the loser played the first leg",
        "",
        "`comebacks` = first-leg losers who went through; `expected` and `band` from the model's probabilities;",
        "`predicted_equal` = the equal-teams reference. The last row is the drawn first legs (host's view).",
        "",
        markdown_table(situations, {"observed": 3, "low": 3, "high": 3, "predicted": 3, "expected": 1,
                                    "predicted_equal": 3}),
        "",
    ]
    by_period = {label: situation_table(part) for label, part in ties.groupby("period")}
    for label, table in by_period.items():
        lines += [f"{label}:", "", markdown_table(table, {"observed": 3, "low": 3, "high": 3, "predicted": 3,
                                                         "expected": 1, "predicted_equal": 3}), ""]
    second = second_leg_table(ties)
    lines += [
        "## Second legs: observed against expected",
        "",
        "The second leg's 90 minutes from the host's side (the side that lost a first leg away hosts it):",
        "expected goal difference from the model as of the day after the first leg, observed, and their",
        "difference with its standard error; the same for total goals.",
        "",
        markdown_table(second, {"host_expected_gd": 3, "host_observed_gd": 3, "gd_residual": 3, "gd_se": 3,
                                "goals_residual": 3, "goals_se": 3}),
        "",
    ]
    lines += _findings(ties, scores, situations, reliability, second)
    if extra_time is not None:
        lines += _extra_time_text(extra_time)
    lines += ["", "## Coverage", "", markdown_table(_coverage_wide(coverage)), ""]
    text = "\n".join(lines) + "\n"
    if output is not None:
        path = Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return text


def _coverage_wide(coverage: pd.DataFrame) -> pd.DataFrame:
    """Ties evaluated per season (rows) and competition (columns)."""
    wide = coverage.pivot_table(index="season", columns="competition", values="ties", aggfunc="sum", fill_value=0)
    return wide.reset_index()


def _findings(ties: pd.DataFrame, scores: pd.DataFrame, situations: pd.DataFrame, reliability: pd.DataFrame,
              second: pd.DataFrame) -> list[str]:
    """Plain-language reading of the tables (every number taken from them)."""
    total = scores.set_index("group").loc["all"]
    outside = situations[~situations["inside"]]
    residual = second.set_index("group").loc["all"]
    z = residual["gd_residual"] / residual["gd_se"] if residual["gd_se"] > 0 else 0.0
    lines = [
        "## Findings",
        "",
        f"* Overall: Brier {total['brier_model']:.4f} (equal teams {total['brier_equal_teams']:.4f}, base rate "
        f"{total['brier_base_rate']:.4f}); log loss {total['log_loss_model']:.4f} (equal teams "
        f"{total['log_loss_equal_teams']:.4f}, base rate {total['log_loss_base_rate']:.4f}).",
        f"* Reliability: {int(reliability['inside'].sum())} of {len(reliability)} probability bins hold the observed "
        "number through inside the model's 95% band.",
        f"* Situations outside the model's 95% band: {len(outside)} of {len(situations)}"
        + (": " + "; ".join(f"margin {r.margin}, loser {r.loser_venue}: {r.comebacks} of {r.ties} "
                              f"(band {r.band}, expected {r.expected:.1f})" for r in outside.itertuples())
           if len(outside) else "") + ".",
        f"* Second legs: hosts beat the model's expected goal difference by {residual['gd_residual']:+.3f} goals a "
        f"match overall (SE {residual['gd_se']:.3f}, z = {z:.1f}; total goals {residual['goals_residual']:+.3f}, SE "
        f"{residual['goals_se']:.3f}). By period: "
        + "; ".join(f"{row.group}: {row.gd_residual:+.3f} (SE {row.gd_se:.3f})"
                    for row in second.itertuples() if row.group != "all")
        + ". Where the excess is significant, the second-leg host (the side that lost a first leg away) is "
        "stronger than the fitted model says; with UEFA matches only in the window the fit "
        "shrinks clubs with a handful of matches towards the average, which understates strength gaps. The "
        "game state (the side ahead sits back) is not in the model either.",
    ]
    liverpool = ties[ties["team_a"].eq("liverpool") & ties["team_b"].eq("atalanta")]
    if len(liverpool):
        row = liverpool.iloc[0]
        lines.append(f"* Liverpool 0-3 Atalanta (2023-24 Europa League quarter-final), as of {row['as_of'].date()}: "
                     f"the model gave Liverpool {row['p_model']:.1%} (equal teams {row['p_equal']:.1%}); Liverpool won "
                     "1-0 in Bergamo and went out 1-3 on aggregate.")
    long_shots = ties[(ties["margin"] == "3+") & ties["loser_through"]]
    for row in long_shots.sort_values("p_loser").head(3).itertuples():
        lines.append(f"* A 3+ goal comeback: {row.season} {row.competition} {row.round}, {row.team_a_name} "
                     f"{int(row.a1)}-{int(row.b1)} {row.team_b_name}, then {int(row.b2)}-{int(row.a2)}; the model "
                     f"had given it {row.p_loser:.2%}.")
    return lines + [""]


def _extra_time_text(report: ExtraTimeReport) -> list[str]:
    et = report.pooled
    test = et.heterogeneity
    low, high = et.interval()
    lines = [
        "## Extra-time scoring rate",
        "",
        "Every match that went to extra time in every source file, each match once (club pair by the team",
        f"registry, date within {DUPLICATE_DAYS} days; the earliest source keeps it). Goals in extra time",
        "against goals expected in 30 minutes at the competition's 90-minute rate (five seasons around the",
        "match).",
        "",
        "Files read:",
        "",
        markdown_table(report.files),
        "",
        *(["Files left out (they cannot be read; `sync --skip-bad-files` leaves them out too): "
           + "; ".join(f"`{f['file']}`: {f['reason']}" for f in report.left_out), ""] if report.left_out else []),
        f"Pooled (deduplicated): {et.n_matches} matches, {et.extra_time_goals} extra-time goals against "
        f"{et.expected_goals:.1f} expected: `et_factor` = {et.factor:.3f}, robust SE {et.se:.3f} (Poisson SE "
        f"{et.se_poisson:.3f}); 95% interval {low:.2f}-{high:.2f}. The simulator's default is "
        f"{DEFAULT_ET_FACTOR:.2f} (SE {DEFAULT_ET_FACTOR_SE:.3f}).",
        "",
        "Each source on all of its own matches (a match two sources list counts in both rows here):",
        "",
        markdown_table(report.per_source, {"expected_goals": 1, "factor": 3, "se": 3}),
        "",
        "Matches two sources list (how many went to extra time, and whether both give the same score):",
        "",
        markdown_table(report.overlap) if len(report.overlap) else "(none)",
        "",
        "The deduplicated matches by the source that keeps them, and by era (away goals to 2020-21):",
        "",
        markdown_table(et.by_group, {"expected_goals": 1, "factor": 3, "se": 3, "se_poisson": 3}),
        "",
    ]
    if test is not None:
        verdict = ("no evidence that the sources disagree beyond chance" if test.p_value >= 0.05 else
                   "the sources disagree beyond chance: the pooled factor hides a real difference")
        lines += [
            f"Do the sources agree? Test of one common factor across {', '.join(test.groups)} (deduplicated, so "
            f"disjoint): chi^2 = {test.statistic:.2f} on {test.df} df, p = {test.p_value:.2f}, I^2 = "
            f"{test.i_squared:.0%}, match-level dispersion {test.dispersion:.2f} (1 = Poisson): {verdict}. The",
            "sources are also eras (champs.csv ends in 2015-16; Football.TXT is mostly 2021-22 on: no away goals, five",
            "substitutes), so this is one test of both.",
            "",
        ]
    return lines


def run_validation(
    store: Store,
    *,
    model: str = DEFAULT_MODEL,
    data: str | Path | None = None,
    output: str | Path | None = None,
    seasons: list[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[TieValidation, ExtraTimeReport | None, str]:
    """``matchday validate-ties``: validate the tie model on the store's ties, estimate the extra-time factor
    from the UEFA files under ``data`` (when given), write the report to ``output`` (when given)."""
    from matchday.models import checked_model_name

    checked_model_name(model)  # else every fit fails, is skipped, and nothing is left to report
    validation = validate_tie_model(store, model=model, seasons=seasons, progress=progress)
    extra, missing = None, None
    if data is not None:
        found = uefa_source_files(data)
        extra = extra_time_report(extra_time_matches(found))
        missing = missing_from_store(store, found)
    text = tie_validation_report(validation, extra, store_path=store.path, data=data, missing=missing, output=output)
    return validation, extra, text


__all__ = [
    "ExtraTimeReport",
    "StoredHistory",
    "TieValidation",
    "brier",
    "extra_time_matches",
    "extra_time_report",
    "log_loss",
    "poisson_binomial_band",
    "reliability_table",
    "run_validation",
    "score_table",
    "situation_table",
    "stored_history",
    "tie_validation_report",
    "uefa_source_files",
    "validate_tie_model",
    "wilson_interval",
]
