"""The combined model: goals, match statistics and a score-driven filter as evidence of strength, stacked
into one pair of goal rates, on the goal model's cross-league scale.

Evidence (each a fitted component, see ``docs/models.md`` for the measurements behind every choice):

* ``goals``: :class:`~matchday.models.dixon_coles.DixonColes` on every match it is given (leagues, UEFA and
  other cups): the base rates (intercept, home advantage per competition, league levels), rho, and the one
  scale across leagues;
* ``shots_on_target``, ``shots``, ``corners``: :class:`~matchday.models.statistics.StatisticRatings` on the
  league matches that report the statistic, decaying fast (``statistics_xi = 0.015`` per day);
* ``score_driven``: :class:`~matchday.models.score_driven.ScoreDriven`, the GAS filter on league goals;
* ``past_odds`` (opt-in, :class:`WithMarket`): ratings of the expected goals implied by the closing 1X2 prices
  of matches already played (decay 0.03 per day, prior precision 0.3: the implied means are nearly
  noise-free).

Each component k gives a club an attack ``A_k`` and a defence ``D_k``. Only their deviations from the mean
of the club's league carry evidence here (the statistics and the filter have no cross-league scale; the goal
model has one): for a fixture of home club h and away club a, with ``L(club)`` the fixture's league when it
is a league match, else the club's own latest league::

    x_k(home) = (A_k[h] - mean A_k over L(h)) - (D_k[a] - mean D_k over L(a))      (x_k(away) alike)
    log lambda_home = eta_home + b_home + (w_goals - 1) x_goals(home) + sum_{k != goals} w_k x_k(home)

where ``eta`` is the goal model's own log-rate of the fixture (its league levels, home advantage and neutral
venue included). With ``w_goals = 1`` and every other weight 0 the model *is* the goal model; a
cross-league fixture keeps the goal model's gap between the two leagues in full, and the weights only
re-weigh what each club shows relative to its own league. The grid is the goal model's Dixon-Coles grid
for the combined rates (its rho).

**Missing evidence degrades to the goal model.** A fixture in which either club lacks a component (no
match reporting the statistic, no league match for the filter, no past prices, or no league at all: a club
seen only in UEFA matches) is forecast by the goal model alone; the fit says which leagues and how many
clubs (``notes_``, logged as warnings), :attr:`coverage_` lists every club, and
:meth:`CombinedModel.goal_model_only` tells a caller which of its fixtures fell back.

**The weights** ``w_k`` and the intercept corrections ``b_home``, ``b_away`` are a Poisson regression of
goals on the evidence (:func:`learn_weights`), learned walk-forward on earlier *out-of-sample* forecasts:
never on the forecast matches. The package ships them (:data:`DEFAULT_WEIGHTS`), learned that way on the
top five leagues 2014-15..2024-25 by ``python bench/bench_accuracy.py --calibrate``, which re-learns them on
new data; ``weights=`` takes any others. Why shipped, not learned inside ``fit``: they are population
constants (how much a shot rating says about future goals), stable across leagues and seasons (season means
2019-20..2024-25: goals 0.47-0.60, shots on target 0.03-0.11, shots 0.29-0.39, corners 0.10-0.15, score-driven
0.14-0.24), and need ~1,500
out-of-sample forecasts to pin down; a walk-forward inside every fit would need ~100 weekly refits of every
component on the user's window (minutes on the default 16-league frame, instead of seconds) and would
learn them from one window's forecasts only. The benchmark never uses the shipped values: it learns the
weights at each weekly cut-off from earlier forecasts, exactly as the calibration does.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Self

import numpy as np
import pandas as pd

from matchday.data.competitions import COMPETITIONS
from matchday.data.errors import DataError
from matchday.data.frames import as_of_day, played_matches
from matchday.models.distributions import poisson_pmf
from matchday.models.dixon_coles import DixonColes
from matchday.models.goal_model import DEFAULT_SHRINKAGE, PROMOTED_PRIOR
from matchday.models.interface import (
    NEWCOMER_DAYS,
    ModelBase,
    NotFittedError,
    as_array,
    filter_ratings,
    map_values,
)
from matchday.models.league_prior import LeaguePrior
from matchday.models.score_driven import (
    CARRY,
    LEVEL_RATE,
    SCORE_DRIVEN_RATE,
    ScoreDriven,
    league_competitions,
)
from matchday.models.statistics import STATISTICS_XI, StatisticRatings, with_statistic
from matchday.models.weights import DEFAULT_XI

logger = logging.getLogger(__name__)

STATISTICS: tuple[str, ...] = ("shots_on_target", "shots", "corners")
"""The match statistics used as evidence (frame columns ``home_<name>`` / ``away_<name>``)."""

COMPONENTS: tuple[str, ...] = ("goals", *STATISTICS, "score_driven")
"""The components of the combined model (the default)."""

WITH_MARKET_COMPONENTS: tuple[str, ...] = (*COMPONENTS, "past_odds")
"""The components of :class:`WithMarket`: the combined model plus past matches' closing prices."""

KNOWN_COMPONENTS: tuple[str, ...] = WITH_MARKET_COMPONENTS

MARKET_COLUMNS: tuple[str, str, str] = ("market_p_home", "market_p_draw", "market_p_away")
"""Margin-free closing 1X2 probabilities of played matches, the input of the ``past_odds`` component."""

IMPLIED_COLUMNS: tuple[str, str] = ("home_implied_goals", "away_implied_goals")
"""Expected goals implied by a match's closing 1X2 (:func:`implied_goals`); computed when absent."""

PAST_ODDS_XI: float = 0.03
PAST_ODDS_SHRINKAGE: float = 0.3

WEIGHTS_HALF_LIFE_DAYS: float = 730.0
"""Half-life of the time weights of earlier forecasts in the weight regression (calibration)."""

WEIGHTS_RIDGE: float = 1.0
"""Prior precision of every weight around the goal model (w_goals = 1, the rest 0)."""

WEIGHTS_MIN_FORECASTS: int = 1500
"""Earlier out-of-sample forecasts needed before learned weights replace the goal model's."""

DEFAULT_WEIGHTS: dict[tuple[str, ...], dict[str, float]] = {
    COMPONENTS: {"home": -0.0013, "away": 0.0291, "goals": 0.5789, "shots_on_target": 0.0532, "shots": 0.3421,
                 "corners": 0.0903, "score_driven": 0.1589},
    WITH_MARKET_COMPONENTS: {"home": -0.0016, "away": 0.0289, "goals": 0.4433, "shots_on_target": 0.0301,
                             "shots": 0.2738, "corners": 0.0476, "score_driven": 0.0058, "past_odds": 0.3457},
}
"""Shipped weights per component set: ``python bench/bench_accuracy.py --calibrate`` on the top five leagues, every
out-of-sample forecast of 2014-15..2024-25 (19,806; weekly refits, time-weighted with a half-life of 730 days from
the last match, 25 May 2025; ridge 1 towards the goal model). Walk-forward, season by season, the same regression
gave goals 0.41-0.60, shots on target 0.03-0.17, shots 0.13-0.39, corners 0.10-0.24, score-driven 0.14-0.40
(combined) and past odds 0.25-0.39 (with-market): see docs/models.md."""


# ---------------------------------------------------------------------------------------------------
# Evidence and weights
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """What the components say about ``n`` fixtures.

    eta_home, eta_away: the goal model's log-rates ``(n,)``; x_home, x_away: ``(n, K)`` league-relative
    contrasts, one column per component (NaN where a club lacks the component or has no league); neutral:
    ``(n,)`` neutral venues (both sides get the mean of the home and away corrections).
    """

    components: tuple[str, ...]
    eta_home: np.ndarray
    eta_away: np.ndarray
    x_home: np.ndarray
    x_away: np.ndarray
    neutral: np.ndarray

    def __len__(self) -> int:
        return self.eta_home.size

    @property
    def complete(self) -> np.ndarray:
        """Fixtures whose two clubs have every component (the others are forecast by the goal model)."""
        return np.isfinite(self.x_home).all(axis=1) & np.isfinite(self.x_away).all(axis=1)

    def subset(self, components: Iterable[str]) -> Evidence:
        """The same fixtures with only ``components`` (in that order; ``goals`` must be one of them)."""
        names = tuple(components)
        columns = [self.components.index(name) for name in names]
        return Evidence(names, self.eta_home, self.eta_away, self.x_home[:, columns], self.x_away[:, columns],
                        self.neutral)

    def take(self, rows: np.ndarray) -> Evidence:
        return Evidence(self.components, self.eta_home[rows], self.eta_away[rows], self.x_home[rows],
                        self.x_away[rows], self.neutral[rows])

    @classmethod
    def concat(cls, parts: list[Evidence]) -> Evidence:
        first = parts[0]
        return cls(first.components, np.concatenate([p.eta_home for p in parts]),
                   np.concatenate([p.eta_away for p in parts]), np.vstack([p.x_home for p in parts]),
                   np.vstack([p.x_away for p in parts]), np.concatenate([p.neutral for p in parts]))


def _weight_vector(components: tuple[str, ...], weights: Mapping[str, float]) -> tuple[float, float, np.ndarray]:
    missing = [name for name in ("home", "away", *components) if name not in weights]
    if missing:
        raise ValueError(f"weights lack {', '.join(missing)}; expected keys home, away, {', '.join(components)}")
    return float(weights["home"]), float(weights["away"]), np.array([float(weights[k]) for k in components])


def combine(evidence: Evidence, weights: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Combined log-rates ``(log lambda_home, log lambda_away)`` of the evidence's fixtures: the weighted
    contrasts on top of the goal model's log-rates; fixtures without complete evidence keep the goal
    model's."""
    b_home, b_away, w = _weight_vector(evidence.components, weights)
    goals = evidence.components.index("goals")
    complete = evidence.complete
    x_home = np.where(complete[:, None], evidence.x_home, 0.0)
    x_away = np.where(complete[:, None], evidence.x_away, 0.0)
    middle = 0.5 * (b_home + b_away)
    adjust_home = np.where(evidence.neutral, middle, b_home) + x_home @ w - x_home[:, goals]
    adjust_away = np.where(evidence.neutral, middle, b_away) + x_away @ w - x_away[:, goals]
    return (evidence.eta_home + np.where(complete, adjust_home, 0.0),
            evidence.eta_away + np.where(complete, adjust_away, 0.0))


def learn_weights(evidence: Evidence, home_goals: np.ndarray, away_goals: np.ndarray, *,
                  sample_weight: np.ndarray | None = None, ridge: float = WEIGHTS_RIDGE,
                  start: Mapping[str, float] | None = None, iterations: int = 50) -> dict[str, float]:
    """The weights that best turn the evidence into the observed goals: a Poisson regression
    ``goals ~ exp(eta - x_goals + b_side + x @ w)`` on the complete fixtures (both sides stacked), with a
    Gaussian prior of precision ``ridge`` on every coefficient around the goal model (``w_goals = 1``, the
    rest 0); Newton's method on the exact Hessian. Neutral venues are left out (they would blur the home
    and away corrections). Give it earlier out-of-sample forecasts only."""
    components = evidence.components
    goals = components.index("goals")
    rows = np.flatnonzero(evidence.complete & np.isfinite(home_goals) & np.isfinite(away_goals) & ~evidence.neutral)
    n, k = rows.size, len(components)
    prior = np.zeros(2 + k)
    prior[2 + goals] = 1.0
    if n == 0:
        return dict(zip(("home", "away", *components), prior.tolist(), strict=True))
    design = np.zeros((2 * n, 2 + k))
    design[:n, 0] = 1.0
    design[n:, 1] = 1.0
    design[:n, 2:] = evidence.x_home[rows]
    design[n:, 2:] = evidence.x_away[rows]
    offset = np.concatenate([evidence.eta_home[rows] - evidence.x_home[rows, goals],
                             evidence.eta_away[rows] - evidence.x_away[rows, goals]])
    target = np.concatenate([home_goals[rows], away_goals[rows]]).astype(float)
    w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=float)[rows]
    w2 = np.concatenate([w, w])
    beta = prior.copy() if start is None else np.array([start.get(name, p) for name, p in
                                                         zip(("home", "away", *components), prior, strict=True)])
    for _ in range(iterations):
        mu = np.exp(np.clip(offset + design @ beta, -10.0, 5.0))
        gradient = design.T @ (w2 * (target - mu)) - ridge * (beta - prior)
        hessian = (design * (w2 * mu)[:, None]).T @ design + ridge * np.eye(beta.size)
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if np.abs(step).max() < 1e-8:
            break
    return dict(zip(("home", "away", *components), beta.tolist(), strict=True))


def implied_goals(probabilities: np.ndarray, iterations: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """Two independent-Poisson means (home, away) whose home-win and away-win probabilities are the given
    1X2 probabilities' (``(n, 3)``; vectorised Newton on the log-means, scores to 10 goals). Rows with a
    missing or unusable probability give NaN."""
    p = np.asarray(probabilities, dtype=float).reshape(-1, 3)
    n = p.shape[0]
    ok = np.isfinite(p).all(axis=1) & (p[:, 0] > 0) & (p[:, 2] > 0) & (p[:, 0] + p[:, 2] < 1)
    x = np.log(np.tile([1.5, 1.1], (n, 1)))
    goals = np.arange(11, dtype=float)
    below = np.tril(np.ones((11, 11)), -1)  # [i, j] = 1 if i > j: a home win
    target = np.column_stack([p[:, 0], p[:, 2]])
    rows = np.flatnonzero(ok)
    for _ in range(iterations):
        if rows.size == 0:
            break
        lam = np.exp(x[rows])
        ph = poisson_pmf(lam[:, 0], 10, censored=False)
        pa = poisson_pmf(lam[:, 1], 10, censored=False)
        dh, da = ph * (goals - lam[:, :1]), pa * (goals - lam[:, 1:])
        value = np.column_stack([np.einsum("ni,ij,nj->n", ph, below, pa), np.einsum("ni,ji,nj->n", ph, below, pa)])
        jac = np.empty((rows.size, 2, 2))
        jac[:, 0, 0] = np.einsum("ni,ij,nj->n", dh, below, pa)
        jac[:, 0, 1] = np.einsum("ni,ij,nj->n", ph, below, da)
        jac[:, 1, 0] = np.einsum("ni,ji,nj->n", dh, below, pa)
        jac[:, 1, 1] = np.einsum("ni,ji,nj->n", ph, below, da)
        step = np.linalg.solve(jac, (value - target[rows])[:, :, None])[:, :, 0]
        x[rows] -= np.clip(step, -0.5, 0.5)
    lam = np.exp(x)
    lam[~ok] = np.nan
    return lam[:, 0], lam[:, 1]


CLOSING_BOOKS: tuple[str, ...] = ("PS", "Avg")
"""Closing 1X2 books used for the past-prices evidence, in order: Pinnacle, else the market average."""


def closing_market(odds: pd.DataFrame) -> pd.DataFrame:
    """Margin-free closing 1X2 probabilities per match from the long odds table (``Store.odds()``): the
    first complete closing book of :data:`CLOSING_BOOKS`, prices inverted and normalised to sum to 1
    (proportional margin removal: Pinnacle's closing margin is ~2-3%, where the methods that model the
    favourite-longshot bias move a probability by a few tenths of a percentage point; the evaluation's
    market yardstick, :mod:`matchday.evaluate.market`, uses Shin's). Columns ``match_id`` and
    :data:`MARKET_COLUMNS`; matches without a complete closing book are absent."""
    needed = {"match_id", "bookmaker", "market", "selection", "closing", "price"}
    if not needed <= set(odds.columns):
        missing = sorted(needed - set(odds.columns))[0]
        raise DataError("odds table lacks a column", column=missing, expected="the long odds table (Store.odds())")
    rows = odds[(odds["market"] == "1x2") & odds["closing"].fillna(False).astype(bool)
                & odds["bookmaker"].isin(CLOSING_BOOKS) & odds["selection"].isin(("home", "draw", "away"))]
    rows = rows.assign(price=pd.to_numeric(rows["price"], errors="coerce"))
    books = rows.drop_duplicates(["match_id", "bookmaker", "selection"]).pivot(
        index=["match_id", "bookmaker"], columns="selection", values="price").reindex(columns=["home", "draw", "away"])
    prices = books.to_numpy(dtype=float)
    usable = np.isfinite(prices).all(axis=1) & (prices > 1.0).all(axis=1)
    books = books[usable].reset_index()
    books["rank"] = books["bookmaker"].map({name: i for i, name in enumerate(CLOSING_BOOKS)})
    books = books.sort_values(["match_id", "rank"], kind="stable").drop_duplicates("match_id")
    inverse = 1.0 / books[["home", "draw", "away"]].to_numpy(dtype=float)
    probabilities = inverse / inverse.sum(axis=1, keepdims=True)
    out = pd.DataFrame({"match_id": books["match_id"].to_numpy()})
    for column, values in zip(MARKET_COLUMNS, probabilities.T, strict=True):
        out[column] = values
    return out.reset_index(drop=True)


def attach_closing_market(matches: pd.DataFrame, odds: pd.DataFrame) -> pd.DataFrame:
    """``matches`` (with ``match_id``) plus :data:`MARKET_COLUMNS` from :func:`closing_market` (NaN where a
    match has no closing book) and :data:`IMPLIED_COLUMNS`."""
    if "match_id" not in matches.columns:
        raise DataError("match frame lacks a column", column="match_id", expected="the store's match ids")
    market = closing_market(odds).set_index("match_id").reindex(matches["match_id"].to_numpy())
    frame = matches.drop(columns=[c for c in (*MARKET_COLUMNS, *IMPLIED_COLUMNS) if c in matches.columns])
    frame = frame.assign(**{c: market[c].to_numpy() for c in MARKET_COLUMNS})
    return with_implied_goals(frame)


def with_implied_goals(matches: pd.DataFrame) -> pd.DataFrame:
    """``matches`` with :data:`IMPLIED_COLUMNS` from :data:`MARKET_COLUMNS` (unchanged if it has them)."""
    if all(c in matches.columns for c in IMPLIED_COLUMNS):
        return matches
    if not all(c in matches.columns for c in MARKET_COLUMNS):
        return matches
    p = matches[list(MARKET_COLUMNS)].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    home, away = implied_goals(p)
    return matches.assign(**{IMPLIED_COLUMNS[0]: home, IMPLIED_COLUMNS[1]: away})


# ---------------------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------------------


def _league_of_latest(data_home: np.ndarray, data_away: np.ndarray, comp: np.ndarray, dates: np.ndarray
                      ) -> dict[str, str]:
    """Each club's latest league (the competition of its latest match among the given league matches)."""
    frame = pd.DataFrame({"team": np.concatenate([data_home, data_away]), "competition": np.concatenate([comp, comp]),
                          "date": np.concatenate([dates, dates])})
    latest = frame.sort_values(["team", "date"], kind="stable").drop_duplicates("team", keep="last")
    return dict(zip(latest["team"], latest["competition"], strict=True))


class CombinedModel(ModelBase):
    """Goals, match statistics and a score-driven filter stacked into goal rates on the goal model's scale
    (see the module docstring).

    Parameters
    ----------
    components: which evidence to use; ``"goals"`` must be one (default :data:`COMPONENTS`).
    weights: ``{"home", "away", <component>: weight}``; None = :data:`DEFAULT_WEIGHTS` for ``components``.
    xi, shrinkage, max_goals: the goal model's (Dixon-Coles) decay (1/day), prior precision and grid size.
    statistics_xi: decay (1/day) of the statistic ratings (default 0.015, half-life 46 days); their prior
        precision is ``shrinkage``.
    score_driven_rate, score_driven_level_rate, score_driven_carry: the filter's k, k0 and carry.
    past_odds_xi, past_odds_shrinkage: decay and prior precision of the past-prices ratings.
    warm_start: every component continues from its previous fit (walk-forward refits).

    Fitted: ``goal_model_`` (the fitted DixonColes), ``components_`` ({name: fitted component}),
    ``weights_`` (the weights in use), ``coverage_`` (per club: league, which components rate it, whether the
    combined evidence is complete, last match), ``notes_`` (what falls back to the goal model and why, for the
    clubs that played in the last 300 days), ``teams_`` (every club the goal model rates).
    """

    def __init__(
        self,
        *,
        components: tuple[str, ...] = COMPONENTS,
        weights: Mapping[str, float] | None = None,
        xi: float = DEFAULT_XI,
        shrinkage: float = DEFAULT_SHRINKAGE,
        statistics_xi: float = STATISTICS_XI,
        score_driven_rate: float = SCORE_DRIVEN_RATE,
        score_driven_level_rate: float = LEVEL_RATE,
        score_driven_carry: float = CARRY,
        past_odds_xi: float = PAST_ODDS_XI,
        past_odds_shrinkage: float = PAST_ODDS_SHRINKAGE,
        max_goals: int = 10,
        warm_start: bool = False,
        league_prior: LeaguePrior | None = None,
    ) -> None:
        self.components = components
        self.weights = weights
        self.xi = xi
        self.shrinkage = shrinkage
        self.statistics_xi = statistics_xi
        self.score_driven_rate = score_driven_rate
        self.score_driven_level_rate = score_driven_level_rate
        self.score_driven_carry = score_driven_carry
        self.past_odds_xi = past_odds_xi
        self.past_odds_shrinkage = past_odds_shrinkage
        self.max_goals = max_goals
        self.warm_start = warm_start
        self.league_prior = league_prior  # the goal model's carried league-offset prior (fit_model sets it)

    # ------------------------------------------------------------------ configuration
    def _resolved_weights(self) -> dict[str, float]:
        components = tuple(self.components)
        unknown = [c for c in components if c not in KNOWN_COMPONENTS]
        if unknown or "goals" not in components or len(set(components)) != len(components):
            raise ValueError(f"components must be distinct names from {', '.join(KNOWN_COMPONENTS)} including "
                             f"'goals' (got {components!r})")
        if self.weights is not None:
            weights = dict(self.weights)
        elif components in DEFAULT_WEIGHTS:
            weights = dict(DEFAULT_WEIGHTS[components])
        else:
            raise ValueError(f"no shipped weights for the components {components!r}: pass weights= "
                             "(learn them with bench/bench_accuracy.py --calibrate)")
        _weight_vector(components, weights)
        return weights

    def _component(self, name: str) -> ModelBase:
        """The component model ``name`` (kept between fits with ``warm_start``)."""
        previous = getattr(self, "_models", {}).get(name)
        if self.warm_start and previous is not None:
            return previous
        if name == "goals":
            return DixonColes(xi=self.xi, shrinkage=self.shrinkage, max_goals=self.max_goals,
                              warm_start=self.warm_start, league_prior=self.league_prior)
        if name in STATISTICS:
            return StatisticRatings(name, xi=self.statistics_xi, shrinkage=self.shrinkage, warm_start=self.warm_start)
        if name == "score_driven":
            return ScoreDriven(rate=self.score_driven_rate, level_rate=self.score_driven_level_rate,
                               carry=self.score_driven_carry, promoted_prior=PROMOTED_PRIOR,
                               warm_start=self.warm_start)
        return StatisticRatings("implied_goals", xi=self.past_odds_xi, shrinkage=self.past_odds_shrinkage,
                                warm_start=self.warm_start)

    @property
    def needs_market(self) -> bool:
        """Whether a fit needs the closing prices of the training matches (the ``past_odds`` component):
        :func:`matchday.models.training.prepare_fit` attaches them. Derived from ``components``, so a combined
        model configured with past odds gets them as :class:`WithMarket` does."""
        return "past_odds" in self.components

    def league_prior_source(self) -> tuple[str, dict[str, Any]]:
        """The model and settings whose earlier windows carry this model's league prior: its goal model
        (the cross-league scale is the goal model's; the other components rate clubs within leagues)."""
        return "dixon-coles", {"xi": self.xi, "shrinkage": self.shrinkage, "max_goals": self.max_goals}

    @property
    def league_offsets_(self) -> pd.DataFrame:
        """The goal model's league strength offsets (see :attr:`GoalModel.league_offsets_`)."""
        return self._goal_component().league_offsets_

    @property
    def league_posterior_(self) -> LeaguePrior | None:
        """The goal model's posterior of the league offsets (what a later window's prior is built from)."""
        return getattr(self._goal_component(), "league_posterior_", None)

    def league_link(self, home: Any, away: Any) -> pd.DataFrame:
        """How firmly the two clubs' leagues are tied on the goal model's scale (:meth:`GoalModel.league_link`)."""
        return self._goal_component().league_link(home, away)

    def _goal_component(self) -> ModelBase:
        models = getattr(self, "_models", None)
        if not models or "goals" not in models:
            raise NotFittedError(f"{type(self).__name__} is not fitted yet: call fit() first")
        return models["goals"]

    # ------------------------------------------------------------------ fitting
    def fit(self, matches: pd.DataFrame, as_of: Any = None) -> Self:
        """Fit every component on the played matches dated on or before ``as_of`` (a day; all when None):
        the goal model on all of them, the others on the league matches (see the module docstring)."""
        weights = self._resolved_weights()
        day = as_of_day(as_of)
        data = played_matches(matches, day)
        if len(data) == 0:
            raise DataError("no played matches to fit" + (f" on or before {day.date()}" if day is not None else ""),
                            column="date", expected="at least one played match on or before the as-of date")
        day = day if day is not None else pd.Timestamp(data.date.max()).normalize()
        models: dict[str, ModelBase] = {}
        goal = self._component("goals").fit(matches, as_of=day)
        models["goals"] = goal
        leagues = league_competitions(data.competition, data.home, data.away)
        in_league = np.isin(data.competition, list(leagues))
        league_rows = data.positions[in_league]
        current = _league_of_latest(data.home[in_league], data.away[in_league], data.competition[in_league],
                                    data.date[in_league])
        domestic = matches.iloc[league_rows]
        teams = goal.teams_
        league_of = np.array([current.get(t) for t in teams], dtype=object)
        notes: list[str] = []
        absent: set[str] = set()  # components with no evidence at all (one note, not one per club)
        attack: dict[str, np.ndarray] = {}
        defence: dict[str, np.ndarray] = {}
        for name in self.components:
            if name == "goals":
                model = goal
                covered = np.ones(teams.size, dtype=bool)
            else:
                frame = with_implied_goals(domestic) if name == "past_odds" else domestic
                statistic = "implied_goals" if name == "past_odds" else name
                if name != "score_driven" and not with_statistic(frame, statistic).any():
                    notes.append(self._missing_note(name, statistic))
                    absent.add(name)
                    attack[name] = defence[name] = np.full(teams.size, np.nan)
                    continue
                if len(domestic) == 0:
                    notes.append(f"{name}: no league matches in the data")
                    absent.add(name)
                    attack[name] = defence[name] = np.full(teams.size, np.nan)
                    continue
                model = self._component(name).fit(frame, as_of=day)
                models[name] = model
                rated = model.counts_ if name != "score_driven" else pd.Series(1, index=model.teams_)
                covered = rated.reindex(teams, fill_value=0).to_numpy() > 0
            a = model.attack_.reindex(teams).to_numpy(dtype=float)
            d = model.defence_.reindex(teams).to_numpy(dtype=float)
            attack[name] = np.where(covered, a, np.nan)
            defence[name] = np.where(covered, d, np.nan)
        self._models = models
        # league means of every component over the league's current clubs that it rates
        self._means: dict[str, tuple[dict[str, float], dict[str, float]]] = {}
        for name in self.components:
            frame = pd.DataFrame({"league": league_of, "attack": attack[name], "defence": defence[name]})
            means = frame.dropna().groupby("league")[["attack", "defence"]].mean()
            self._means[name] = (means["attack"].to_dict(), means["defence"].to_dict())
        self._attack, self._defence = attack, defence
        self._league_of = league_of
        self._leagues = leagues
        full = np.isfinite(np.column_stack([attack[k] for k in self.components])).all(axis=1) & (league_of != None)  # noqa: E711
        coverage = pd.DataFrame({"team": teams, "league": league_of})
        for name in self.components:
            coverage[name] = np.isfinite(attack[name]) & (league_of != None)  # noqa: E711
        coverage["combined"] = full
        last = goal.ratings().set_index("team")["last_played"].reindex(teams)
        coverage["last_played"] = last.to_numpy()
        self.coverage_ = coverage
        notes += self._coverage_notes(coverage[coverage["last_played"] >= day - pd.Timedelta(days=NEWCOMER_DAYS)],
                                      absent)
        for note in notes:
            logger.warning("%s: %s", type(self).__name__, note)
        self.notes_ = notes
        self.goal_model_ = goal
        self.components_ = {name: models[name] for name in self.components if name in models}
        self.weights_ = weights
        self.teams_ = teams
        self.distribution_ = goal.distribution_
        self.extra_ = dict(goal.extra_)
        self.second_leg_rho_ = getattr(goal, "second_leg_rho_", float("nan"))
        self.n_matches_ = len(data)
        self.as_of_ = day
        return self

    @staticmethod
    def _missing_note(name: str, statistic: str) -> str:
        if name == "past_odds":
            return ("past_odds: no closing prices of past league matches (columns "
                    f"{', '.join(MARKET_COLUMNS)}); every fixture uses the goal model")
        return f"{name}: no league match reports {statistic}; every fixture uses the goal model"

    def _coverage_notes(self, coverage: pd.DataFrame, absent: set[str]) -> list[str]:
        """What the clubs active in the last NEWCOMER_DAYS days lack (older clubs are not forecast)."""
        notes = []
        no_league = coverage["league"].isna()
        if no_league.any():
            notes.append(f"{int(no_league.sum())} of {len(coverage)} recently active clubs have no league match in "
                         "the data (seen in cups or UEFA matches only): their fixtures use the goal model")
        groups: dict[tuple[str, ...], list[str]] = {}  # components lacked by the same clubs: one note
        for name in self.components:
            if name == "goals" or name in absent:
                continue
            lacking = coverage.loc[~no_league & ~coverage[name], "team"]
            if not lacking.empty:
                groups.setdefault(tuple(lacking), []).append(name)
        for clubs, names in groups.items():
            lacking = coverage[coverage["team"].isin(clubs)]
            per_league = lacking.groupby("league").size().sort_values(ascending=False)
            listed = ", ".join(f"{league} ({n})" for league, n in per_league.head(8).items())
            notes.append(f"{', '.join(names)}: {len(lacking)} clubs lack {'it' if len(names) == 1 else 'them'} "
                         f"({listed}); their fixtures use the goal model")
        return notes

    # ------------------------------------------------------------------ prediction
    def _fixture_leagues(self, hi: np.ndarray, ai: np.ndarray, competition: Any) -> tuple[np.ndarray, np.ndarray]:
        """The league each side is measured against: the fixture's competition when it is a league, else the
        club's own latest league (None when it has none)."""
        home_league, away_league = self._league_of[hi], self._league_of[ai]
        if competition is None:
            return home_league, away_league
        comps = as_array(competition, hi.size)
        is_league = map_values(comps, lambda c: c in self._leagues or (c in COMPETITIONS and
                                                                     COMPETITIONS[c].kind == "league"),
                               False, dtype=bool)
        return np.where(is_league, comps, home_league), np.where(is_league, comps, away_league)

    def evidence(self, home: Any, away: Any, neutral: Any = False, competition: Any = None) -> Evidence:
        """The goal model's log-rates and every component's league-relative contrasts for a stack of
        fixtures (vectorised; see the module docstring)."""
        hi, ai, flag = self._fixtures(home, away, neutral)
        eta_home, eta_away = self.goal_model_.log_rates(self.teams_[hi], self.teams_[ai], flag, competition)
        league_home, league_away = self._fixture_leagues(hi, ai, competition)
        k = len(self.components)
        x_home, x_away = np.empty((hi.size, k)), np.empty((hi.size, k))
        for j, name in enumerate(self.components):
            mean_attack, mean_defence = self._means[name]
            att, dfn = self._attack[name], self._defence[name]
            rel_att_h = att[hi] - map_values(league_home, mean_attack, np.nan)
            rel_att_a = att[ai] - map_values(league_away, mean_attack, np.nan)
            rel_def_h = dfn[hi] - map_values(league_home, mean_defence, np.nan)
            rel_def_a = dfn[ai] - map_values(league_away, mean_defence, np.nan)
            x_home[:, j] = rel_att_h - rel_def_a
            x_away[:, j] = rel_att_a - rel_def_h
        return Evidence(tuple(self.components), eta_home, eta_away, x_home, x_away, flag)

    def log_rates(self, home: Any, away: Any, neutral: Any = False, competition: Any = None
                  ) -> tuple[np.ndarray, np.ndarray]:
        """log lambda_home, log lambda_away per fixture: :func:`combine` of :meth:`evidence` with ``weights_``."""
        self._check_fitted()
        return combine(self.evidence(home, away, neutral, competition), self.weights_)

    def goal_model_only(self, home: Any, away: Any, neutral: Any = False, competition: Any = None) -> np.ndarray:
        """Per fixture: True where a club lacks some evidence and the forecast is the goal model's alone."""
        return ~self.evidence(home, away, neutral, competition).complete

    def ratings(self, teams: Iterable[str] | None = None, competition: str | None = None) -> pd.DataFrame:
        """Team ratings on the goal model's cross-league scale, strongest first.

        Columns: team, competition (latest league; else the goal model's), attack, defence (combined log-scale
        effects: the goal model's league level plus the weighted league-relative evidence), goals_for /
        goals_against (expected goals against the average fitted club on neutral ground), strength (their
        difference), evidence (``"combined"`` or ``"goals only"``), last_played.
        """
        self._check_fitted()
        weights = self.weights_
        league = self._league_of
        full = self.coverage_["combined"].to_numpy()
        delta_attack, delta_defence = np.zeros(self.teams_.size), np.zeros(self.teams_.size)
        for name in self.components:  # the weighted league-relative evidence, beyond the goal model's own
            mean_attack, mean_defence = self._means[name]
            rel_att = self._attack[name] - map_values(league, mean_attack, np.nan)
            rel_def = self._defence[name] - map_values(league, mean_defence, np.nan)
            factor = weights[name] - (1.0 if name == "goals" else 0.0)
            delta_attack += np.where(full, factor * np.nan_to_num(rel_att), 0.0)
            delta_defence += np.where(full, factor * np.nan_to_num(rel_def), 0.0)
        shift = 0.5 * (weights["home"] + weights["away"])
        # on top of the goal model's own ratings (its scale across leagues, whatever carries it); its Dixon-Coles
        # expected goals are the Poisson rates, so a change in log-rate scales them
        base = self.goal_model_.ratings().set_index("team").reindex(self.teams_)
        frame = pd.DataFrame({
            "team": self.teams_,
            "competition": np.where(league != None, league, base["competition"].to_numpy()),  # noqa: E711
            "attack": base["attack"].to_numpy() + delta_attack,
            "defence": base["defence"].to_numpy() + delta_defence,
            "goals_for": base["goals_for"].to_numpy() * np.exp(shift + delta_attack - delta_defence.mean()),
            "goals_against": base["goals_against"].to_numpy() * np.exp(shift + delta_attack.mean() - delta_defence),
        })
        frame["strength"] = frame["goals_for"] - frame["goals_against"]
        frame["evidence"] = np.where(full, "combined", "goals only")
        frame["last_played"] = pd.to_datetime(base["last_played"].to_numpy())
        return filter_ratings(frame, teams, competition).sort_values("strength", ascending=False,
                                                                     kind="stable").reset_index(drop=True)


class WithMarket(CombinedModel):
    """The combined model plus ratings of the expected goals implied by past matches' closing prices
    (opt-in: ``--model with-market``). It needs the margin-free closing 1X2 probabilities of the training
    matches in the frame (:data:`MARKET_COLUMNS`; :func:`matchday.models.training.fit_model` adds them from
    the store's odds). Clubs without priced league matches (UEFA-only clubs, leagues without odds) are
    forecast by the goal model. Not the default, on purpose: it leans on bookmakers' prices, so the market
    stops being an independent yardstick of matchday's forecasts, and UEFA matches carry no odds here."""

    def __init__(
        self,
        *,
        components: tuple[str, ...] = WITH_MARKET_COMPONENTS,
        weights: Mapping[str, float] | None = None,
        xi: float = DEFAULT_XI,
        shrinkage: float = DEFAULT_SHRINKAGE,
        statistics_xi: float = STATISTICS_XI,
        score_driven_rate: float = SCORE_DRIVEN_RATE,
        score_driven_level_rate: float = LEVEL_RATE,
        score_driven_carry: float = CARRY,
        past_odds_xi: float = PAST_ODDS_XI,
        past_odds_shrinkage: float = PAST_ODDS_SHRINKAGE,
        max_goals: int = 10,
        warm_start: bool = False,
        league_prior: LeaguePrior | None = None,
    ) -> None:
        super().__init__(components=components, weights=weights, xi=xi, shrinkage=shrinkage,
                         statistics_xi=statistics_xi, score_driven_rate=score_driven_rate,
                         score_driven_level_rate=score_driven_level_rate, score_driven_carry=score_driven_carry,
                         past_odds_xi=past_odds_xi, past_odds_shrinkage=past_odds_shrinkage, max_goals=max_goals,
                         warm_start=warm_start, league_prior=league_prior)

