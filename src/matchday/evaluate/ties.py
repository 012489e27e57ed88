"""Validation of the two-legged-tie model against history: how often does the first-leg loser go through?

Data: engsoccerdata ``champs.csv`` (European Cup / Champions League 1955-56 to 2015-16, qualifiers
included) and openfootball Football.TXT (Champions League 2019-20 to 2023-24, Europa League 2020-21
to 2023-24, Conference League 2021-22 to 2023-24). Every two-legged tie whose first leg had a winner
is a trial: did the first-leg loser go through? Ties are grouped by the first-leg margin (1, 2, 3+)
and by where the loser played the first leg (at home or away).

Tie model (what is validated): :func:`matchday.simulate.tie_exact.two_legged_probabilities` (exact
enumeration of the second leg, extra time and penalties under the rules of that season, by the rule
code of :mod:`matchday.rules.knockout`) fed by a deliberately simple strength model, because the
historical ties come without a team-strength model:

* Goals are Poisson with the home and away rates of the competition in a five-season window around
  the tie (all non-neutral matches of the source), so each era has its own goal rate and home advantage.
* The two sides differ by a log-strength ``d`` (A's rates at home and away are multiplied by
  ``exp(d/2)``, B's by ``exp(-d/2)``) with prior ``d ~ Normal(0, sigma^2)``; ``sigma`` is the spread
  of strength differences between paired teams, fitted by maximum marginal likelihood on the scores of
  both legs of *other* ties (two folds by odd/even season, so no tie helps fit its own prediction).
* The first leg's score updates ``d`` (Bayes on a grid); the second leg is the posterior-predictive
  score matrix. A 0-3 home defeat thus says both "3 goals behind" and "probably the weaker side".

The reference "equal teams" model (``sigma = 0``) ignores the second point and shows what the first
point alone predicts. The report gives per situation the number of ties, the observed share with its
Wilson 95% interval, the mean predicted probability and expected count, a reliability table, and the
Brier score of each model against the base rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from matchday.models.distributions import poisson_pmf
from matchday.models.grid import ScoreGrid
from matchday.report import markdown_table
from matchday.rules.knockout import tie_rules, tie_winner
from matchday.simulate.extra_time import DEFAULT_ET_FACTOR, ExtraTimeEstimate, estimate_extra_time_factor
from matchday.simulate.penalties import P_FIRST_KICKER_WINS
from matchday.simulate.tie_exact import two_legged_probabilities
from matchday.simulate.tie_play import KnockoutParams

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

CHAMPS = Path("engsoccerdata") / "champs.csv"
FOOTBALL_TXT = Path("openfootball") / "champions-league"
WINDOW_SEASONS = 5
GRID = np.linspace(-6.0, 6.0, 81)  # standard-normal nodes for the strength difference
_GRID_WEIGHTS = np.exp(-0.5 * GRID**2)
MAX_GOALS = 10
RELIABILITY_BINS = (0.0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 1.0)


# ---------------------------------------------------------------------------------------------------
# Historical ties
# ---------------------------------------------------------------------------------------------------


def _start_year(season: pd.Series) -> np.ndarray:
    return season.astype(str).str[:4].astype(int).to_numpy()


def champs_history(path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(ties, matches) of ``champs.csv``: the two-legged ties in the common layout of
    :func:`tie_history` and every match (for the era goal rates)."""
    import pandas as pd

    from matchday.data.domain import matches_frame
    from matchday.data.sources.engsoccerdata import champs_ties, read_engsoccerdata_champs

    raw = champs_ties(path)
    raw = raw[raw["first_leg_home_through"].notna() & (raw["decided_by"] != "walkover")]
    extra = raw["extra_time"].to_numpy()
    a1 = raw["first_leg_home_goals"].to_numpy(float)
    b1 = raw["first_leg_away_goals"].to_numpy(float)
    ties = pd.DataFrame(
        {
            "source": "engsoccerdata",
            "competition": "UCL",
            "season": raw["season"].to_numpy(),
            "round": raw["round"].to_numpy(),
            "team_a": raw["first_leg_home"].to_numpy(),
            "team_b": raw["first_leg_away"].to_numpy(),
            "a1": a1,
            "b1": b1,
            "b2": raw["second_leg_home_goals"].to_numpy(float),
            "a2": raw["second_leg_away_goals"].to_numpy(float),
            "aet_b": np.where(extra, raw["agg_aet_away"].to_numpy(float) - b1, np.nan),
            "aet_a": np.where(extra, raw["agg_aet_home"].to_numpy(float) - a1, np.nan),
            "pens_b": raw["pen_away"].to_numpy(float, na_value=np.nan),
            "pens_a": raw["pen_home"].to_numpy(float, na_value=np.nan),
            "a_through": raw["first_leg_home_through"].to_numpy(bool),
            "decided_by": raw["decided_by"].to_numpy(),
        }
    )
    matches = matches_frame(read_engsoccerdata_champs(path))
    return ties, matches


def football_txt_history(folder: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(ties, matches) of every Football.TXT file under ``folder`` (``<season>/<stem>.txt``).

    The files do not say who went through, so the winner follows from the results by the rules of
    the season (:func:`matchday.rules.knockout.tie_winner`)."""
    import pandas as pd

    from matchday.data.domain import matches_frame
    from matchday.data.sources.footballtxt import read_football_txt

    files = sorted(Path(folder).glob("*/*.txt"))
    if not files:
        from matchday.data.errors import DataError

        raise DataError("no Football.TXT files found", file=str(folder), expected="<season>/<stem>.txt files")
    matches = matches_frame([m for f in files for m in read_football_txt(f)])
    played = matches[matches["home_goals"].notna() & matches["leg"].notna()]
    key = ["competition", "season", "round"]
    first = played[played["leg"] == 1].copy()
    second = played[played["leg"] == 2].copy()
    first["pair"] = [frozenset(p) for p in zip(first["home"], first["away"], strict=True)]
    second["pair"] = [frozenset(p) for p in zip(second["home"], second["away"], strict=True)]
    legs = first.merge(second, on=[*key, "pair"], suffixes=("_1", "_2"))
    legs = legs[legs["home_1"] == legs["away_2"]]
    ties = pd.DataFrame(
        {
            "source": "football-txt",
            "competition": legs["competition"].to_numpy(),
            "season": legs["season"].to_numpy(),
            "round": legs["round"].to_numpy(),
            "team_a": legs["home_1"].to_numpy(),
            "team_b": legs["away_1"].to_numpy(),
            "a1": legs["home_goals_1"].to_numpy(float),
            "b1": legs["away_goals_1"].to_numpy(float),
            "b2": legs["home_goals_2"].to_numpy(float),
            "a2": legs["away_goals_2"].to_numpy(float),
            "aet_b": legs["aet_home_goals_2"].to_numpy(float, na_value=np.nan),
            "aet_a": legs["aet_away_goals_2"].to_numpy(float, na_value=np.nan),
            "pens_b": legs["pen_home_2"].to_numpy(float, na_value=np.nan),
            "pens_a": legs["pen_away_2"].to_numpy(float, na_value=np.nan),
        }
    )
    winner = np.empty(len(ties), dtype=np.int8)
    methods = np.empty(len(ties), dtype=object)
    starts = _start_year(ties["season"])
    for (competition, start), index in ties.groupby([ties["competition"], starts]).groups.items():
        rows = ties.loc[index]
        rules = tie_rules(int(start), competition)
        decision = tie_winner(
            rows["a1"], rows["b1"], rows["b2"], rows["a2"], rows["aet_b"], rows["aet_a"],
            rows["pens_b"], rows["pens_a"], rules.away_goals,
            away_goals_in_extra_time=rules.away_goals_in_extra_time,
        )  # fmt: skip
        position = ties.index.get_indexer(index)
        winner[position] = decision.winner
        methods[position] = decision.method_names()
    if np.any(winner < 0):
        bad = ties.loc[winner < 0].iloc[0]
        from matchday.data.errors import DataError

        raise DataError(
            "a two-legged tie is not decided by its results",
            value=f"{bad['team_a']} v {bad['team_b']} {bad['season']} {bad['round']}",
            expected="extra time or a shoot-out where the tie was level",
        )
    ties["a_through"] = winner == 0
    ties["decided_by"] = methods
    return ties, matches


@dataclass(frozen=True)
class HistoryData:
    """The historical ties and matches of both sources (read once, shared by the analyses)."""

    champs_ties: pd.DataFrame
    champs_matches: pd.DataFrame
    txt_ties: pd.DataFrame
    txt_matches: pd.DataFrame


def load_history(shared_data: str | Path) -> HistoryData:
    """Read ``engsoccerdata/champs.csv`` and ``openfootball/champions-league/`` under ``shared_data``."""
    root = Path(shared_data)
    champs_ties, champs_matches = champs_history(root / CHAMPS)
    txt_ties, txt_matches = football_txt_history(root / FOOTBALL_TXT)
    return HistoryData(_situations(champs_ties), champs_matches, _situations(txt_ties), txt_matches)


def _situations(ties: pd.DataFrame) -> pd.DataFrame:
    """Adds margin, loser venue and whether the first-leg loser went through."""
    ties = ties.copy()
    diff = ties["a1"] - ties["b1"]
    ties["start_year"] = _start_year(ties["season"])
    ties["first_leg_margin"] = diff.abs().astype(int)
    ties["margin"] = np.where(ties["first_leg_margin"] >= 3, "3+", ties["first_leg_margin"].astype(str))
    ties["loser_venue"] = np.where(diff < 0, "home", np.where(diff > 0, "away", ""))
    ties["loser_through"] = np.where(diff < 0, ties["a_through"], ~ties["a_through"])
    return ties


# ---------------------------------------------------------------------------------------------------
# Strength model
# ---------------------------------------------------------------------------------------------------


def era_rates(matches: pd.DataFrame, window: int = WINDOW_SEASONS) -> pd.DataFrame:
    """Home and away goals per match of each competition and season start year, pooled over
    ``window`` seasons centred on it (non-neutral played matches). Columns competition, start_year,
    home_rate, away_rate, matches."""
    import pandas as pd

    played = matches[matches["home_goals"].notna() & ~matches["neutral"].astype(bool)]
    frame = pd.DataFrame(
        {
            "competition": played["competition"].to_numpy(),
            "start_year": _start_year(played["season"]),
            "home": played["home_goals"].to_numpy(float),
            "away": played["away_goals"].to_numpy(float),
        }
    )
    sums = frame.groupby(["competition", "start_year"]).agg(home=("home", "sum"), away=("away", "sum"),
                                                            matches=("home", "size"))  # fmt: skip
    half = window // 2
    rows = []
    for competition, part in sums.groupby(level="competition"):
        part = part.droplevel("competition")
        years = part.index.to_numpy()
        for year in years:
            near = np.abs(years - year) <= half
            total = part["matches"].to_numpy()[near].sum()
            rows.append(
                {
                    "competition": competition,
                    "start_year": int(year),
                    "home_rate": part["home"].to_numpy()[near].sum() / total,
                    "away_rate": part["away"].to_numpy()[near].sum() / total,
                    "matches": int(total),
                }
            )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class StrengthPrior:
    """Prior of the log-strength difference d = log-strength(A) - log-strength(B) between paired sides:
    Normal(mean, sd^2). ``mean`` < 0 when the second-leg host (B) tends to be the stronger side, as
    under UEFA seeding (group winners and seeded clubs play the second leg at home)."""

    mean: float
    sd: float


def _log_rates_on_grid(home: np.ndarray, away: np.ndarray, prior: StrengthPrior) -> tuple[np.ndarray, ...]:
    """Log-rates of leg 1 (A home, B away) and leg 2 (B home, A away), ties by grid nodes.

    exp(d/2) has mean exp(mean/2 + sd^2/8); subtracting sd^2/8 keeps a match's expected goals at the
    era's rate (shifted only by the prior mean) instead of inflating every rate by the spread.
    """
    shift = 0.5 * (prior.mean + prior.sd * GRID)[None, :]
    base = -(prior.sd**2) / 8.0
    log_home, log_away = np.log(home)[:, None] + base, np.log(away)[:, None] + base
    return log_home + shift, log_away - shift, log_home - shift, log_away + shift


def _log_likelihood_grid(ties: pd.DataFrame, home: np.ndarray, away: np.ndarray, prior: StrengthPrior,
                         both_legs: bool) -> np.ndarray:  # fmt: skip
    """Poisson log-likelihood of the first leg (or both legs) at each grid node, ties by nodes.

    Written through the sufficient statistics: with s = d/2 and b = -sd^2/8, the first leg gives
    ``s (a1 - b1) - e^b (mu_h e^s + mu_a e^-s)`` and both legs ``goals * b + s (a1 - b1 + a2 - b2) -
    e^b (mu_h + mu_a)(e^s + e^-s)``, up to terms that depend on neither d nor the prior."""
    a1, b1, b2, a2 = (ties[name].to_numpy(float)[:, None] for name in ("a1", "b1", "b2", "a2"))
    s = 0.5 * (prior.mean + prior.sd * GRID)[None, :]
    scale = np.exp(-(prior.sd**2) / 8.0)
    up, down = np.exp(s), np.exp(-s)
    home, away = home[:, None], away[:, None]
    if not both_legs:
        return s * (a1 - b1) - scale * (home * up + away * down)
    goals = a1 + b1 + a2 + b2
    return goals * np.log(scale) + s * (a1 - b1 + a2 - b2) - scale * (home + away) * (up + down)


def fit_strength_prior(ties: pd.DataFrame, home: np.ndarray, away: np.ndarray) -> StrengthPrior:
    """Maximum-marginal-likelihood prior of the strength difference, from both legs' 90-minute scores
    (outcomes of the ties are not used)."""
    from scipy.optimize import minimize

    log_prior = np.log(_GRID_WEIGHTS / _GRID_WEIGHTS.sum())

    def negative(params: np.ndarray) -> float:
        prior = StrengthPrior(mean=float(params[0]), sd=float(np.exp(params[1])))
        grid = _log_likelihood_grid(ties, home, away, prior, both_legs=True) + log_prior
        top = grid.max(axis=1, keepdims=True)
        return -float(np.sum(top[:, 0] + np.log(np.exp(grid - top).sum(axis=1))))

    result = minimize(negative, x0=np.array([0.0, np.log(0.7)]), method="L-BFGS-B",
                      bounds=[(-2.0, 2.0), (np.log(0.01), np.log(3.0))])  # fmt: skip
    return StrengthPrior(mean=float(result.x[0]), sd=float(np.exp(result.x[1])))


def second_leg_matrices(ties: pd.DataFrame, home: np.ndarray, away: np.ndarray, prior: StrengthPrior,
                        max_goals: int = MAX_GOALS) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Posterior-predictive score matrices ``(m, G+1, G+1)`` of both legs given each tie's first leg:
    the second leg (B home) and a first-leg-type match (A home, used for historical replays)."""
    grid = _log_likelihood_grid(ties, home, away, prior, both_legs=False) + np.log(_GRID_WEIGHTS)
    weights = np.exp(grid - grid.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)
    l1a, l1b, l2b, l2a = (np.exp(x) for x in _log_rates_on_grid(home, away, prior))
    # sum over grid nodes d of w[d] * p_home[d, i] * p_away[d, j], as a batched matrix product
    leg2 = np.swapaxes(weights[:, :, None] * poisson_pmf(l2b, max_goals), 1, 2) @ poisson_pmf(l2a, max_goals)
    leg1 = np.swapaxes(weights[:, :, None] * poisson_pmf(l1a, max_goals), 1, 2) @ poisson_pmf(l1b, max_goals)
    return leg2, leg1


def predict_ties(
    ties: pd.DataFrame,
    rates: pd.DataFrame,
    prior: StrengthPrior,
    *,
    et_factor: float = DEFAULT_ET_FACTOR,
    p_first_kicker_wins: float = P_FIRST_KICKER_WINS,
) -> np.ndarray:
    """P(team A goes through) for each tie, given its first leg, under the season's rules."""
    keyed = ties[["competition", "start_year"]].merge(rates, how="left", on=["competition", "start_year"])
    home, away = keyed["home_rate"].to_numpy(), keyed["away_rate"].to_numpy()
    if np.any(~np.isfinite(home)):
        raise ValueError("no era goal rate for some ties (their competition and season have no matches)")
    leg2, leg1 = second_leg_matrices(ties, home, away, prior)
    p_a = np.empty(len(ties))
    eras = [tie_rules(int(y), c) for c, y in zip(ties["competition"], ties["start_year"], strict=True)]
    for rules in set(eras):
        rows = np.array([e == rules for e in eras])
        p = two_legged_probabilities(  # extra time from each matrix's own mean goals
            ScoreGrid.from_matrices(leg2[rows]),
            first_leg_home_goals=ties["a1"].to_numpy()[rows],
            first_leg_away_goals=ties["b1"].to_numpy()[rows],
            leg1=ScoreGrid.from_matrices(leg1[rows]),
            params=KnockoutParams(rules=rules, et_factor=et_factor, p_first_kicker_wins=p_first_kicker_wins),
        )
        p_a[rows] = p.sum(axis=1)[:, 0]
    return p_a


# ---------------------------------------------------------------------------------------------------
# Validation
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


@dataclass(frozen=True)
class TieHistory:
    """All ties with their situation and predictions, and the strength priors used, by label."""

    ties: pd.DataFrame
    priors: dict[str, StrengthPrior]


MODERN_FROM = 1999  # Champions League with group stages and seeded second legs (1999-00 on)


def _era_rates_for(ties: pd.DataFrame, rates: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    keyed = ties[["competition", "start_year"]].merge(rates, how="left", on=["competition", "start_year"])
    return keyed["home_rate"].to_numpy(), keyed["away_rate"].to_numpy()


def tie_history(
    data: HistoryData | str | Path,
    *,
    et_factor: float = DEFAULT_ET_FACTOR,
    p_first_kicker_wins: float = P_FIRST_KICKER_WINS,
    sources: tuple[str, ...] = ("engsoccerdata", "football-txt"),
) -> TieHistory:
    """Every historical two-legged tie, and the model's P(first-leg loser goes through).

    data: :func:`load_history`'s result, or the shared-data root to read it from.
    Strength priors are never fitted on the ties they predict: champs.csv ties are predicted with a
    prior fitted on the other half of its seasons (odd/even start years); the Football.TXT ties
    (2019-20 on) with a prior fitted on the champs.csv ties of 1999-00 to 2015-16 (earlier seasons,
    modern format): an out-of-time test.

    Columns: source, competition, season, start_year, round, team_a, team_b, a1, b1 (first leg, A
    home), b2, a2 (second leg, B home), aet_b, aet_a, pens_b, pens_a, a_through, decided_by,
    first_leg_margin, margin ("1", "2", "3+"), loser_venue ("home", "away", "" for a drawn first leg),
    loser_through, p_model_a / p_equal_a (P(A goes through)), p_model / p_equal (P(first-leg loser goes
    through); for drawn first legs, P(A)).
    """
    import pandas as pd

    if not isinstance(data, HistoryData):
        data = load_history(data)
    champs_rates = era_rates(data.champs_matches)
    champs_home, champs_away = _era_rates_for(data.champs_ties, champs_rates)
    priors: dict[str, StrengthPrior] = {}
    parts = []
    for source in sources:
        if source == "engsoccerdata":
            ties, rates = data.champs_ties.copy(), champs_rates
            ties["p_model_a"] = np.nan
            for fold, name in ((0, "even"), (1, "odd")):
                test = (ties["start_year"] % 2 == fold).to_numpy()
                prior = fit_strength_prior(ties[~test], champs_home[~test], champs_away[~test])
                priors[f"champs.csv {name} seasons (fitted on the others)"] = prior
                ties.loc[test, "p_model_a"] = predict_ties(
                    ties[test], rates, prior, et_factor=et_factor, p_first_kicker_wins=p_first_kicker_wins
                )
        elif source == "football-txt":
            ties, rates = data.txt_ties.copy(), era_rates(data.txt_matches)
            modern = (data.champs_ties["start_year"] >= MODERN_FROM).to_numpy()
            prior = fit_strength_prior(data.champs_ties[modern], champs_home[modern], champs_away[modern])
            priors[f"Football.TXT (fitted on champs.csv {MODERN_FROM}-{(MODERN_FROM + 1) % 100:02d} on)"] = prior
            ties["p_model_a"] = predict_ties(
                ties, rates, prior, et_factor=et_factor, p_first_kicker_wins=p_first_kicker_wins
            )
        else:
            raise ValueError(f"unknown source {source!r}; expected 'engsoccerdata' or 'football-txt'")
        ties["p_equal_a"] = predict_ties(
            ties, rates, StrengthPrior(0.0, 0.0), et_factor=et_factor, p_first_kicker_wins=p_first_kicker_wins
        )
        loser_is_b = (ties["loser_venue"] == "away").to_numpy()
        ties["p_model"] = np.where(loser_is_b, 1.0 - ties["p_model_a"], ties["p_model_a"])
        ties["p_equal"] = np.where(loser_is_b, 1.0 - ties["p_equal_a"], ties["p_equal_a"])
        parts.append(ties)
    return TieHistory(ties=pd.concat(parts, ignore_index=True), priors=priors)


def calibration_table(ties: pd.DataFrame, by: tuple[str, ...] = ("source", "margin", "loser_venue")) -> pd.DataFrame:
    """Per situation: ties, comebacks (first-leg loser went through), observed share and Wilson 95%
    interval, mean predicted probability of both models and the expected number of comebacks."""
    decisive = ties[ties["loser_venue"] != ""]
    grouped = decisive.groupby(list(by), sort=True)
    table = grouped.agg(
        ties=("loser_through", "size"),
        comebacks=("loser_through", "sum"),
        predicted=("p_model", "mean"),
        expected=("p_model", "sum"),
        predicted_equal=("p_equal", "mean"),
        var=("p_model", lambda p: float(np.sum(p * (1 - p)))),
    )
    table["observed"] = table["comebacks"] / table["ties"]
    table["low"], table["high"] = wilson_interval(table["comebacks"].to_numpy(), table["ties"].to_numpy())
    # Observed minus expected count over its Poisson-binomial standard deviation.
    table["z"] = (table["comebacks"] - table["expected"]) / np.sqrt(table["var"].clip(lower=1e-12))
    columns = ["ties", "comebacks", "observed", "low", "high", "predicted", "expected", "z", "predicted_equal"]
    return table[columns].reset_index()


def reliability_table(ties: pd.DataFrame, column: str = "p_model", bins: tuple[float, ...] = RELIABILITY_BINS) -> pd.DataFrame:
    """Ties binned by predicted P(first-leg loser goes through): mean prediction vs observed share."""
    decisive = ties[ties["loser_venue"] != ""]
    import pandas as pd

    labels = pd.cut(decisive[column], bins=list(bins), include_lowest=True)
    table = decisive.groupby(labels, observed=True).agg(
        ties=("loser_through", "size"), comebacks=("loser_through", "sum"), predicted=(column, "mean")
    )
    table["observed"] = table["comebacks"] / table["ties"]
    table["low"], table["high"] = wilson_interval(table["comebacks"].to_numpy(), table["ties"].to_numpy())
    table.index = table.index.astype(str)
    table.index.name = "predicted bin"
    return table.reset_index()


def brier_scores(ties: pd.DataFrame) -> pd.DataFrame:
    """Brier score of P(first-leg loser goes through) per source and overall: the strength model,
    equal teams, and the base rate (the source's overall share: an in-sample reference)."""
    import pandas as pd

    decisive = ties[ties["loser_venue"] != ""]
    rows = []
    for source, part in [*decisive.groupby("source"), ("all", decisive)]:
        outcome = part["loser_through"].to_numpy(float)
        base = outcome.mean()
        model = float(np.mean((part["p_model"] - outcome) ** 2))
        equal = float(np.mean((part["p_equal"] - outcome) ** 2))
        reference = float(np.mean((base - outcome) ** 2))
        rows.append(
            {
                "source": source,
                "ties": len(part),
                "base_rate": base,
                "brier_model": model,
                "brier_equal_teams": equal,
                "brier_base_rate": reference,
                "skill_model": 1 - model / reference,
                "skill_equal_teams": 1 - equal / reference,
            }
        )
    return pd.DataFrame(rows)


def anchor_checks(ties: pd.DataFrame) -> pd.DataFrame:
    """The documented anchors, as far as the data reach: home 0-3 and home 3+ first-leg defeats."""
    import pandas as pd

    rows = []

    def add(label: str, mask: pd.Series) -> None:
        part = ties[mask]
        p = part["p_model"].to_numpy()
        low, high = wilson_interval(np.array([part["loser_through"].sum()]), np.array([len(part)]))
        rows.append(
            {
                "situation": label,
                "ties": len(part),
                "comebacks": int(part["loser_through"].sum()),
                "low": float(low[0]),
                "high": float(high[0]),
                "expected_model": float(p.sum()),
                "p_none_model": float(np.prod(1.0 - p)),
                "expected_equal_teams": float(part["p_equal"].sum()),
            }
        )

    champs = ties["source"] == "engsoccerdata"
    home_loss = ties["loser_venue"] == "home"
    zero_three = (ties["a1"] == 0) & (ties["b1"] == 3)
    window = ties["start_year"].between(1979, 2008)
    add("European Cup/CL 1979-80..2008-09, home 0-3 first-leg losers", champs & home_loss & zero_three & window)
    add("European Cup/CL 1955-56..2015-16, home 0-3 first-leg losers", champs & home_loss & zero_three)
    add("European Cup/CL 1955-56..2015-16, home 3+ first-leg losers", champs & home_loss & (ties["margin"] == "3+"))
    add("European Cup/CL 1955-56..2015-16, away 3+ first-leg losers", champs & ~home_loss & (ties["margin"] == "3+") & (ties["loser_venue"] == "away"))
    txt = ties["source"] == "football-txt"
    add("Europa/Conference League 2020-21..2023-24, home 3+ first-leg losers",
        txt & ties["competition"].isin(["UEL", "UECL"]) & home_loss & (ties["margin"] == "3+"))  # fmt: skip
    add("UCL/UEL/UECL 2019-20..2023-24, 3+ first-leg losers (home or away)", txt & (ties["margin"] == "3+"))
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------------


def extra_time_matches(data: HistoryData | str | Path) -> pd.DataFrame:
    """Every match of champs.csv and the Football.TXT files (matches frame with ``source``), for
    :func:`matchday.simulate.extra_time.estimate_extra_time_factor`."""
    import pandas as pd

    if not isinstance(data, HistoryData):
        data = load_history(data)
    return pd.concat([data.champs_matches, data.txt_matches], ignore_index=True)


def tie_history_report(
    shared_data: HistoryData | str | Path,
    *,
    output: str | Path | None = None,
    et_factor: float = DEFAULT_ET_FACTOR,
    p_first_kicker_wins: float = P_FIRST_KICKER_WINS,
) -> tuple[pd.DataFrame, str]:
    """Validate the tie model on history; returns (calibration table, markdown report).

    The calibration table's ``attrs`` also hold the other results: ``pooled`` (both sources),
    ``reliability``, ``brier``, ``anchors``, ``ties`` (every tie with its predictions), ``priors``
    and ``extra_time`` (the :class:`ExtraTimeEstimate`).

    shared_data: the data root holding ``engsoccerdata/champs.csv`` and
    ``openfootball/champions-league/`` (or :func:`load_history`'s result). output: where to write the markdown (e.g.
    ``docs/validation.md``); nothing is written when None.
    """
    data = shared_data if isinstance(shared_data, HistoryData) else load_history(shared_data)
    history = tie_history(data, et_factor=et_factor, p_first_kicker_wins=p_first_kicker_wins)
    ties = history.ties
    calibration = calibration_table(ties)
    pooled = calibration_table(ties, by=("margin", "loser_venue"))
    reliability = reliability_table(ties)
    brier = brier_scores(ties)
    anchors = anchor_checks(ties)
    et = estimate_extra_time_factor(extra_time_matches(data))
    text = _report_text(history, calibration, pooled, reliability, brier, anchors, et, et_factor, p_first_kicker_wins)
    # The other tables ride along as metadata of the calibration table, for callers and tests.
    calibration.attrs.update(
        {"pooled": pooled, "reliability": reliability, "brier": brier, "anchors": anchors, "ties": ties,
         "priors": history.priors, "extra_time": et}
    )  # fmt: skip
    if output is not None:
        path = Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return calibration, text


def _report_text(
    history: TieHistory,
    calibration: pd.DataFrame,
    pooled: pd.DataFrame,
    reliability: pd.DataFrame,
    brier: pd.DataFrame,
    anchors: pd.DataFrame,
    et: ExtraTimeEstimate,
    et_factor: float,
    p_first_kicker_wins: float,
) -> str:
    ties = history.ties
    count = ties.groupby("source").size()
    decisive = ties[ties["loser_venue"] != ""].groupby("source").size()
    prior_text = "; ".join(f"{label}: mean {p.mean:+.2f}, sd {p.sd:.2f}" for label, p in history.priors.items())
    shares = {"observed": 3, "low": 3, "high": 3, "predicted": 3, "expected": 1, "z": 1, "predicted_equal": 3}
    liverpool = ties[(ties["team_a"].str.contains("Liverpool")) & (ties["team_b"] == "Atalanta")]
    lines = [
        "# Validation: two-legged ties against history",
        "",
        "Generated by `matchday.evaluate.ties.tie_history_report` (do not edit by hand).",
        "",
        "## Question",
        "",
        "How often does the side that lost the first leg go through, by first-leg margin and by where it",
        "lost (at home or away), and does the tie model predict those shares? A model that promises",
        "miracles (a 0-3 home loser going through one time in ten) or rules them out (zero) fails here.",
        "",
        "## Data",
        "",
        f"* engsoccerdata `champs.csv`: European Cup / Champions League 1955-56 to 2015-16, qualifiers "
        f"included: {count.get('engsoccerdata', 0)} two-legged ties ({decisive.get('engsoccerdata', 0)} "
        "with a first-leg winner); walkovers left out; who went through is the file's record.",
        f"* openfootball Football.TXT: Champions League 2019-20 to 2023-24, Europa League 2020-21 to 2023-24, "
        f"Conference League 2021-22 to 2023-24: {count.get('football-txt', 0)} two-legged ties "
        f"({decisive.get('football-txt', 0)} with a first-leg winner); who went through follows from the "
        "results by the rules of the season (same rule code as the simulator).",
        "* Not available here: UEFA Cup / Europa League before 2020-21 and Cup Winners' Cup, so the",
        "  UEFA Cup anchors below can be discussed but not recomputed.",
        "",
        "## Model",
        "",
        "* Second leg, extra time and shoot-out enumerated exactly (`simulate.tie_exact.two_legged_probabilities`),",
        "  with the rules of each season (`rules.knockout.tie_rules`: replays to 1968-69, coin toss 1969-70,",
        "  away goals incl. extra time 1967-68 to 2020-21, none from 2021-22).",
        f"* Extra time at `et_factor` = {et_factor:.2f} times the 90-minute scoring rate; shoot-out won by "
        f"the first kicker with probability {p_first_kicker_wins:.2f}, first kicker by coin toss.",
        "* Goal rates: Poisson with the competition's home and away goals per match over five seasons",
        "  around the tie (era goal rate and home advantage).",
        "* Strength: the sides differ by a log-strength d (A minus B) ~ Normal(mean, sd^2), fitted by marginal",
        "  likelihood of both legs' 90-minute scores (not of who went through) on other ties: champs.csv ties",
        "  on the other half of the seasons (odd/even), Football.TXT ties on champs.csv 1999-00 to 2015-16",
        "  (out of time). Each tie's first leg then updates d (Bayes) and the second leg is predicted from the",
        f"  posterior. Fitted priors: {prior_text}. A negative mean says the second-leg host is",
        "  usually the stronger side (UEFA seeding).",
        "* Reference: equal teams (d = 0), i.e. only the deficit and the venue, no inference about strength.",
        "",
        "## Calibration: share of first-leg losers that went through",
        "",
        "`observed` with its Wilson 95% interval (`low`, `high`); `predicted` = mean model probability,",
        "`expected` = predicted number of comebacks, `z` = (comebacks - expected) / sd of a sum of",
        "Bernoullis; `predicted_equal` = the equal-teams reference.",
        "",
        markdown_table(calibration, shares),
        "",
        "Both sources together:",
        "",
        markdown_table(pooled, shares),
        "",
        "## Reliability (strength model)",
        "",
        markdown_table(reliability, {"predicted": 3, "observed": 3, "low": 3, "high": 3}),
        "",
        "## Brier score of P(first-leg loser goes through)",
        "",
        "Lower is better; skill = 1 - Brier / Brier of the base rate (the source's overall share, known",
        "only after the fact, so a demanding reference).",
        "",
        markdown_table(
            brier,
            {"base_rate": 3, "brier_model": 4, "brier_equal_teams": 4, "brier_base_rate": 4,
             "skill_model": 3, "skill_equal_teams": 3},
        ),
        "",
        "## Anchors",
        "",
        "`p_none_model` = the model's probability that none of these sides went through.",
        "",
        markdown_table(
            anchors,
            {"low": 3, "high": 3, "expected_model": 2, "p_none_model": 3, "expected_equal_teams": 2},
        ),
        "",
    ]
    lines += _anchor_discussion(anchors, liverpool)
    lines += ["", "## Findings", ""] + _findings(pooled, brier, ties)
    lines += [
        "",
        "## Extra-time scoring rate",
        "",
        f"Matches that went to extra time: {et.n_matches}, with {et.extra_time_goals} extra-time goals against "
        f"{et.expected_goals:.1f} expected at the era's 90-minute rate: `et_factor` = {et.factor:.2f} "
        f"(robust SE {et.se:.2f}, Poisson SE {et.se_poisson:.2f}; 95% interval "
        f"{et.interval()[0]:.2f}-{et.interval()[1]:.2f}). The simulator's default is {DEFAULT_ET_FACTOR:.2f}.",
        "",
        markdown_table(et.by_group, {"expected_goals": 1, "factor": 2, "se": 2, "se_poisson": 2}),
        "",
    ]
    return "\n".join(lines)


def _anchor_discussion(anchors: pd.DataFrame, liverpool: pd.DataFrame) -> list[str]:
    window, zero_three = anchors.iloc[0], anchors.iloc[1]
    per_tie = zero_three["expected_model"] / max(int(zero_three["ties"]), 1)
    lines = [
        f"* Published anchor: from 1979 to 2008, home 0-3 first-leg losers went through 0 of 97 times. The "
        f"European Cup/CL part of that window here: {int(window['comebacks'])} of {int(window['ties'])}; the "
        f"model expects {window['expected_model']:.2f} comebacks and gives {window['p_none_model']:.0%} to none "
        f"at all. Over all {int(zero_three['ties'])} home 0-3 defeats in the European Cup/CL "
        f"({int(zero_three['comebacks'])} comebacks) the model's mean chance per tie is {per_tie:.2%}; at that "
        f"rate 97 ties give {97 * per_tie:.2f} expected comebacks and P(0 of 97) = {(1 - per_tie) ** 97:.0%}. "
        "The model agrees with the record without ruling a comeback out: every such tie keeps a small, "
        "non-zero chance.",
        "* Published anchor: in the UEFA Cup / Europa League no side had overturned a 3+ goal home first-leg "
        "defeat in 132 attempts when Liverpool lost 0-3 at home to Atalanta (11 April 2024). (The issue's text "
        "says 'away'; the situation is a home first-leg defeat, the loser having to win away by 3+.) UEFA Cup "
        "history before 2020-21 is not in the shared data; the Europa/Conference League rows 2020-21 to 2023-24 "
        "are in the table above.",
    ]
    if len(liverpool):
        row = liverpool.iloc[0]
        lines.append(
            f"* Liverpool v Atalanta 0-3 (2023-24 Europa League quarter-final): the model gave Liverpool "
            f"{row['p_model']:.1%} (equal teams: {row['p_equal']:.1%}); over 132 such ties that is "
            f"{132 * row['p_model']:.1f} expected comebacks and P(none) = {(1 - row['p_model']) ** 132:.0%}. "
            "Liverpool won 1-0 in Bergamo and went out 1-3 on aggregate. (The real model, with Liverpool "
            "the stronger side, gives more; this validation model knows nothing but the first leg.)"
        )
    return lines


def _findings(pooled: pd.DataFrame, brier: pd.DataFrame, ties: pd.DataFrame) -> list[str]:
    """Plain-language reading of the tables (every number taken from them)."""
    cell = pooled.set_index(["margin", "loser_venue"])
    total = brier.set_index("source").loc["all"]
    worst = pooled.loc[pooled["z"].abs().idxmax()]
    home3, away3 = cell.loc[("3+", "home")], cell.loc[("3+", "away")]
    lines = [
        f"* Long shots: after a 3+ goal home defeat {int(home3['comebacks'])} of {int(home3['ties'])} sides went "
        f"through (model: {home3['expected']:.1f} expected, mean chance {home3['predicted']:.2%}); after a 3+ "
        f"goal away defeat {int(away3['comebacks'])} of {int(away3['ties'])} (model: {away3['expected']:.1f}). "
        "The model neither promises these comebacks nor rules them out, and it tells the two venues apart: "
        "winning away by three is far rarer than winning at home by three.",
        f"* Overall: Brier {total['brier_model']:.4f} against {total['brier_base_rate']:.4f} for the base rate "
        f"(skill {total['skill_model']:.0%}); the equal-teams reference scores {total['brier_equal_teams']:.4f}. "
        "Inferring strength from the first leg helps most in the tails, where equal teams overstate comebacks "
        "(compare `predicted_equal`).",
        f"* Where the model is off most: margin {worst['margin']}, first-leg loser {worst['loser_venue']}: "
        f"{worst['observed']:.1%} observed against {worst['predicted']:.1%} predicted (z = {worst['z']:.1f}). "
        "The side at home in the second leg does better than the era's home advantage and the fitted seeding "
        "prior imply, whichever side it is: second-leg game states (the side ahead sits back) and "
        "team-specific home advantage are not in this validation model.",
    ]
    surprises = ties[(ties["margin"] == "3+") & ties["loser_through"] & (ties["p_model"] < 0.01)]
    for row in surprises.itertuples():
        lines.append(
            f"* The rarest comeback here: {row.season} {row.competition} {row.round}, {row.team_a} "
            f"{int(row.a1)}-{int(row.b1)} {row.team_b}, then {row.team_b} {int(row.b2)}-{int(row.a2)} "
            f"{row.team_a} (after 90 minutes); the model had given it {row.p_model:.2%}."
        )
    return lines
