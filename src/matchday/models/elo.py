"""Elo ratings in the ClubElo style, with a fitted mapping from rating difference to a score matrix.

Rating updates (http://clubelo.com/System, Lars Schiefler):

* expected result of the home side ``E = 1 / (10 ** (-dr / 400) + 1)`` with
  ``dr = R_home + HFA[country] - R_away`` (no HFA at a neutral venue);
* after the match both ratings move by ``k * F * (W - E)`` (zero sum), W = 1 / 0.5 / 0 for a home
  win / draw / loss and ``F = sqrt(|goal difference|)`` for a win, 1 for a draw (ClubElo's goal-difference
  weighting; ``goal_weighting="none"`` gives F = 1);
* home advantage is estimated per country, adaptively: it starts at ``hfa_initial`` Elo points (100 for
  leagues, ``hfa_international`` = 125 for cross-border UEFA matches) and after every non-neutral match
  moves by ``hfa_rate`` (0.075) times the points the home side won, so in the long run home sides win as
  many points as they lose (ClubElo's "adaptive home field advantage").
* a club seen for the first time starts at ``initial_rating - tier_gap * (tier - 1)`` while its
  competition is new in the data, and afterwards (a promoted club) at the mean rating of the three
  lowest-rated clubs active in that competition in the last year, i.e. the level of the clubs it replaces.
  With the second tier in the data (E1), promoted clubs arrive with their own rating instead.

The sequential update over matches in date order is a tight Python loop (about 2-4 ms per thousand
matches); everything else is vectorised. Probabilities: a Poisson regression (Dixon-Coles score
distribution, so with rho) of home and away goals on the pre-match rating difference ``d = dr / 400``,
``log lambda_home = c[competition] + b1 * d + b2 * d**2`` and ``log lambda_away = c[competition] - b1 * d
+ b2 * d**2``, fitted by maximum likelihood on the matches after a burn-in, time-weighted like the goal
models. The symmetric form makes neutral-venue forecasts mirror images of each other, and the quadratic
term lets lopsided matches have more goals. Elo therefore also yields a full score matrix.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Self

import numpy as np
import pandas as pd

from matchday.data.competitions import COMPETITIONS, UEFA_CODES
from matchday.data.errors import DataError
from matchday.data.frames import MatchArrays, as_of_day, day_end, played_matches
from matchday.models.distributions import DixonColesScores, PoissonScores, fit_score_glm
from matchday.models.interface import ModelBase, as_array, filter_ratings, map_values
from matchday.models.weights import DEFAULT_XI, decay_weights

INTERNATIONAL = "INT"  # home-advantage key of cross-border (UEFA) matches


@dataclass
class _EloState:
    """Everything the sequential pass carries from one refit to the next (warm start)."""

    ratings: dict[str, float] = field(default_factory=dict)
    hfa: dict[str, float] = field(default_factory=dict)
    last_comp: dict[str, str] = field(default_factory=dict)
    last_date: dict[str, np.datetime64] = field(default_factory=dict)
    domestic: dict[str, str] = field(default_factory=dict)  # last non-UEFA competition per team
    comp_first: dict[str, np.datetime64] = field(default_factory=dict)
    cutoff: np.datetime64 | None = None  # matches before this moment (the end of the as-of day) are processed
    n_processed: int = 0
    # per processed match: pre-match ratings (history) and what the goal mapping is fitted on
    home: list[np.ndarray] = field(default_factory=list)
    away: list[np.ndarray] = field(default_factory=list)
    home_elo: list[np.ndarray] = field(default_factory=list)
    away_elo: list[np.ndarray] = field(default_factory=list)
    diff: list[np.ndarray] = field(default_factory=list)
    home_goals: list[np.ndarray] = field(default_factory=list)
    away_goals: list[np.ndarray] = field(default_factory=list)
    competition: list[np.ndarray] = field(default_factory=list)
    date: list[np.ndarray] = field(default_factory=list)
    mature: list[np.ndarray] = field(default_factory=list)


class _History:
    """Matches processed before (previous refits) and in the current batch, for newcomers' peers."""

    home: np.ndarray
    away: np.ndarray
    comp: np.ndarray
    date: np.ndarray
    offset: int  # index of the current batch's first match

    def __init__(self, state: _EloState, home: np.ndarray, away: np.ndarray, comp: np.ndarray,
                 date: np.ndarray) -> None:
        self.home = np.concatenate([*state.home, home])
        self.away = np.concatenate([*state.away, away])
        self.comp = np.concatenate([*state.competition, comp])
        self.date = np.concatenate([*state.date, date])
        self.offset = len(self.home) - len(home)

    def recent_teams(self, competition: str, i: int, window: np.timedelta64) -> np.ndarray:
        """Clubs that played in ``competition`` within ``window`` before batch match ``i``."""
        upto = self.offset + i
        mask = (self.comp[:upto] == competition) & (self.date[:upto] >= self.date[upto] - window)
        return pd.unique(np.concatenate([self.home[:upto][mask], self.away[:upto][mask]]))


def _update_latest(state: _EloState, home: np.ndarray, away: np.ndarray, comp: np.ndarray,
                   date: np.ndarray) -> None:
    """Each club's latest competition, latest domestic league and latest date after a batch."""
    n = len(home)
    team = np.concatenate([home, away])
    position = np.concatenate([np.arange(n), np.arange(n)])
    comps = np.concatenate([comp, comp])
    dates = np.concatenate([date, date])
    latest = pd.DataFrame({"team": team, "position": position, "comp": comps, "date": dates})
    latest = latest.sort_values("position", kind="stable").drop_duplicates("team", keep="last")
    state.last_comp.update(zip(latest["team"], latest["comp"], strict=True))
    state.last_date.update(zip(latest["team"], latest["date"].to_numpy(), strict=True))
    domestic = ~np.isin(comps, list(UEFA_CODES))
    if domestic.any():
        league = pd.DataFrame({"team": team[domestic], "position": position[domestic], "comp": comps[domestic]})
        league = league.sort_values("position", kind="stable").drop_duplicates("team", keep="last")
        state.domestic.update(zip(league["team"], league["comp"], strict=True))


def _country(competition: str) -> str:
    comp = COMPETITIONS.get(competition)
    return comp.country if comp is not None else competition


def _tier(competition: str) -> int:
    comp = COMPETITIONS.get(competition)
    return comp.tier if comp is not None and comp.kind == "league" else 1


class Elo(ModelBase):
    """ClubElo-style ratings with a fitted rating-difference -> goals mapping (see the module docstring).

    Parameters
    ----------
    k: points exchanged per unit of (W - E) (ClubElo: 20).
    goal_weighting: ``"sqrt"`` (F = sqrt(goal difference) for a win) or ``"none"``.
    initial_rating / tier_gap: start of clubs in a competition new to the data (second tier 300 lower:
        ClubElo's English level-1 and level-2 averages differ by about 300).
    hfa_initial / hfa_international / hfa_rate: adaptive home advantage per country (Elo points). The
        start for cross-border matches, 125, is where the adaptive value settles on the stored UEFA matches
        (132, 147 and 93 points in the fits as of 2016-05-01, 2019-05-02 and 2024-04-10; it was 250, which
        a window without cross-border matches, e.g. a store without the 2011-19 Champions League files,
        kept: 67% for Liverpool at home to Barcelona in May 2019).
    newcomer_after_days: a competition seen for longer than this treats first-time clubs as newcomers
        (rated like the three weakest active clubs) instead of founding members.
    burn_in_days: matches in the first ``burn_in_days`` of the data (ratings still settling) are left out
        of the goal-mapping fit, unless fewer than 200 matches would remain.
    xi: time decay (1/day) of the goal-mapping fit. rho: Dixon-Coles correction in the score matrix.
    max_goals: G of the score grids.
    league_ratings: ``{competition: rating}``, the starting rating of the clubs of a competition new to
        the data (replaces ``initial_rating - tier_gap * (tier - 1)`` for the competitions it names). Elo
        puts leagues on one scale only through cross-league matches, which move a league's mean by a few
        points a season; with equal starting ratings and few links every league would stay level.
        :func:`matchday.models.training.fit_model` fills it from the goal model's carried league offsets
        (:func:`elo_league_ratings`). warm_start: a refit at a later as-of date continues the rating pass
    from the previous one instead of starting again (walk-forward backtests).
    """

    def __init__(
        self,
        *,
        k: float = 20.0,
        goal_weighting: str = "sqrt",
        initial_rating: float = 1500.0,
        tier_gap: float = 300.0,
        hfa_initial: float = 100.0,
        hfa_international: float = 125.0,
        hfa_rate: float = 0.075,
        newcomer_after_days: float = 300.0,
        burn_in_days: float = 365.0,
        xi: float = DEFAULT_XI,
        rho: bool = True,
        max_goals: int = 10,
        league_ratings: Mapping[str, float] | None = None,
        warm_start: bool = False,
    ) -> None:
        self.league_ratings = league_ratings
        self.k = k
        self.goal_weighting = goal_weighting
        self.initial_rating = initial_rating
        self.tier_gap = tier_gap
        self.hfa_initial = hfa_initial
        self.hfa_international = hfa_international
        self.hfa_rate = hfa_rate
        self.newcomer_after_days = newcomer_after_days
        self.burn_in_days = burn_in_days
        self.xi = xi
        self.rho = rho
        self.max_goals = max_goals
        self.warm_start = warm_start

    # ------------------------------------------------------------------ fitting
    def fit(self, matches: pd.DataFrame, as_of: Any = None) -> Self:
        """Run the ratings over the played matches dated on or before ``as_of`` (a day; all when None) and
        fit the goal mapping (time decay counted from the end of that day, as in the goal models).

        With ``warm_start=True`` and a previous fit whose as-of day is not later than ``as_of``, only the
        matches after the previous as-of day are processed (walk-forward refits); the frame is assumed to
        hold the same earlier matches.
        """
        if self.goal_weighting not in ("sqrt", "none"):
            raise ValueError(f"goal_weighting must be 'sqrt' or 'none' (got {self.goal_weighting!r})")
        day = as_of_day(as_of)
        data = played_matches(matches, day)
        if len(data) == 0:
            raise DataError("no played matches to rate" + (f" on or before {day.date()}" if day is not None else ""),
                            column="date", expected="at least one played match on or before the as-of date")
        day = day if day is not None else pd.Timestamp(data.date.max()).normalize()
        end = np.datetime64(day_end(day).to_datetime64(), "ns")  # matches before this moment are known
        order = np.argsort(data.date, kind="stable")
        state = getattr(self, "_state", None)
        if not (self.warm_start and state is not None and state.cutoff is not None and end >= state.cutoff):
            state = _EloState()
        else:
            order = order[data.date[order] >= state.cutoff]
        self._run(data, order, state)
        state.cutoff = end
        self._state = state
        self._fit_mapping(state, day_end(day))
        teams = np.array(sorted(state.ratings), dtype=object)
        self.teams_ = teams
        self.ratings_ = pd.Series([state.ratings[t] for t in teams], index=pd.Index(teams, dtype=object, name="team"),
                                  name="elo")
        self.home_advantage_ = pd.Series(dict(sorted(state.hfa.items())), name="home_advantage", dtype=float)
        self.n_matches_ = state.n_processed
        self.as_of_ = day
        self._cross_cache = None
        return self

    def _run(self, data: MatchArrays, order: np.ndarray, state: _EloState) -> None:
        """The sequential rating pass over ``order`` (indices into ``data``, in date order).

        Only the update itself runs match by match (plain floats in dicts: ~2 microseconds a match);
        results, goal-difference factors and home-advantage keys are computed beforehand, the clubs'
        latest competitions and dates afterwards, all vectorised.
        """
        home = data.home[order]
        away = data.away[order]
        hg = data.home_goals[order]
        ag = data.away_goals[order]
        comp = data.competition[order]
        date = data.date[order]
        neutral = data.neutral[order]
        n = len(order)
        goal_diff = hg - ag
        result = np.where(goal_diff > 0, 1.0, np.where(goal_diff < 0, 0.0, 0.5))
        factor = np.sqrt(np.abs(goal_diff)) if self.goal_weighting == "sqrt" else np.ones(n)
        factor[goal_diff == 0] = 1.0
        gain = (self.k * factor).tolist()
        result_l = result.tolist()
        keys = [None if flag else key for key, flag in zip(self._hfa_keys(data, order, comp), neutral.tolist(),
                                                             strict=True)]
        for name in pd.unique(comp):
            if name not in state.comp_first:
                state.comp_first[name] = date[comp == name].min()
        history = _History(state, home, away, comp, date)
        diff = np.empty(n)
        home_elo = np.empty(n)
        away_elo = np.empty(n)
        ratings, hfa = state.ratings, state.hfa
        rate = self.hfa_rate
        home_l, away_l = home.tolist(), away.tolist()
        for i in range(n):
            h, a, key = home_l[i], away_l[i], keys[i]
            rh = ratings.get(h)
            if rh is None:
                rh = ratings[h] = self._newcomer(i, history, state)
            ra = ratings.get(a)
            if ra is None:
                ra = ratings[a] = self._newcomer(i, history, state)
            if key is None:
                adv = 0.0
            else:
                adv = hfa.get(key)
                if adv is None:
                    adv = self.hfa_international if key == INTERNATIONAL else self.hfa_initial
            dr = rh + adv - ra
            diff[i] = dr
            home_elo[i] = rh
            away_elo[i] = ra
            delta = gain[i] * (result_l[i] - 1.0 / (10.0 ** (-dr / 400.0) + 1.0))
            ratings[h] = rh + delta
            ratings[a] = ra - delta
            if key is not None:
                hfa[key] = adv + rate * delta
        if n:
            _update_latest(state, home, away, comp, date)
        first = min(state.comp_first.values()) if state.comp_first else None
        mature = date >= first + np.timedelta64(int(self.burn_in_days * 86400), "s") if first is not None else []
        state.home.append(home)
        state.away.append(away)
        state.home_elo.append(home_elo)
        state.away_elo.append(away_elo)
        state.diff.append(diff / 400.0)
        state.home_goals.append(hg)
        state.away_goals.append(ag)
        state.competition.append(comp)
        state.date.append(date)
        state.mature.append(np.asarray(mature, dtype=bool))
        state.n_processed += n

    def _hfa_keys(self, data: MatchArrays, order: np.ndarray, comp: np.ndarray) -> list[str]:
        """Home-advantage key per match: the country of a domestic match, INT for cross-border ones."""
        home_country = data.column("home_country", dtype=object)
        away_country = data.column("away_country", dtype=object)
        countries = {c: _country(c) for c in set(comp.tolist())}
        comp_country = np.array([countries[c] for c in comp.tolist()], dtype=object)
        keys = comp_country.copy()
        is_uefa = np.isin(comp, list(UEFA_CODES))
        if home_country is not None and away_country is not None:
            hc, ac = home_country[order], away_country[order]
            known = ~(pd.isna(hc) | pd.isna(ac))
            domestic_pair = known & (hc == ac)
            keys = np.where(is_uefa & domestic_pair, hc, keys)
            keys = np.where(is_uefa & ~domestic_pair, INTERNATIONAL, keys)
        else:
            keys = np.where(is_uefa, INTERNATIONAL, keys)
        return [str(k) for k in keys]

    def _newcomer(self, i: int, history: _History, state: _EloState) -> float:
        """Starting rating of a club first seen in match ``i`` of the current batch."""
        competition, date = history.comp[history.offset + i], history.date[history.offset + i]
        founding = self.initial_rating - self.tier_gap * (_tier(competition) - 1)
        if self.league_ratings and competition in self.league_ratings:
            founding = float(self.league_ratings[competition])
        if date - state.comp_first[competition] <= np.timedelta64(int(self.newcomer_after_days * 86400), "s"):
            return founding
        peers = history.recent_teams(competition, i, np.timedelta64(365, "D"))
        ratings = sorted(state.ratings[t] for t in peers if t in state.ratings)
        return float(np.mean(ratings[:3])) if len(ratings) >= 3 else founding

    def _fit_mapping(self, state: _EloState, reference: pd.Timestamp) -> None:
        diff = np.concatenate(state.diff)
        hg = np.concatenate(state.home_goals)
        ag = np.concatenate(state.away_goals)
        comp = np.concatenate(state.competition)
        date = np.concatenate(state.date)
        mature = np.concatenate(state.mature)
        use = mature if mature.sum() >= 200 else np.ones(len(diff), dtype=bool)
        diff, hg, ag, comp, date = diff[use], hg[use], ag[use], comp[use], date[use]
        weights = decay_weights(date, reference, self.xi)
        comps, comp_idx = np.unique(comp.astype(str), return_inverse=True)
        onehot = np.zeros((len(diff), len(comps)))
        onehot[np.arange(len(diff)), comp_idx] = 1.0
        x_home = np.column_stack([onehot, diff, diff**2])
        x_away = np.column_stack([onehot, -diff, diff**2])
        distribution = DixonColesScores() if self.rho else PoissonScores()
        start = np.r_[np.full(len(comps), math.log(max(float(np.average(hg + ag, weights=weights)) / 2, 0.1))),
                      0.0, 0.0, distribution.extra_init(hg, ag, weights)]
        theta, loglik, converged = fit_score_glm(distribution, x_home, x_away, hg, ag, weights, start=start)
        counts = np.bincount(comp_idx, weights, minlength=len(comps))
        self.distribution_ = distribution
        self.goal_intercept_ = pd.Series(theta[:len(comps)], index=pd.Index(comps, name="competition"),
                                         name="intercept")
        self._pooled_intercept = float(np.dot(counts, theta[:len(comps)]) / counts.sum())
        self.goal_slope_ = float(theta[len(comps)])
        self.goal_curvature_ = float(theta[len(comps) + 1])
        self.extra_ = dict(zip(distribution.extra_names, theta[len(comps) + 2:].tolist(), strict=True))
        self.mapping_loglik_ = float(loglik)
        self.mapping_converged_ = bool(converged)
        self.mapping_matches_ = int(len(diff))

    @property
    def history_(self) -> pd.DataFrame:
        """Every processed match in date order with the pre-match ratings and the Elo difference used
        (``elo_diff`` = R_home + HFA - R_away, Elo points; no HFA at a neutral venue)."""
        self._check_fitted()
        state = self._state
        return pd.DataFrame({
            "date": np.concatenate(state.date), "competition": np.concatenate(state.competition),
            "home": np.concatenate(state.home), "away": np.concatenate(state.away),
            "home_goals": np.concatenate(state.home_goals), "away_goals": np.concatenate(state.away_goals),
            "home_elo": np.concatenate(state.home_elo), "away_elo": np.concatenate(state.away_elo),
            "elo_diff": np.concatenate(state.diff) * 400.0,
        })

    # ------------------------------------------------------------------ prediction
    @property
    def rho_(self) -> float:
        self._check_fitted()
        return self.extra_.get("rho", 0.0)

    def _team_competition(self, index: np.ndarray) -> np.ndarray:
        """Each team's current league (its latest domestic competition, else its latest competition)."""
        state = self._state
        return map_values(self.teams_[index], lambda t: state.domestic.get(t, state.last_comp.get(t)), None,
                          dtype=object)

    def _intercepts(self, comps: np.ndarray) -> np.ndarray:
        return map_values(comps, self.goal_intercept_.to_dict(), self._pooled_intercept)

    def rating_difference(self, home: Any, away: Any, neutral: Any = False, competition: Any = None) -> np.ndarray:
        """Elo difference R_home + HFA - R_away per fixture (Elo points)."""
        hi, ai, flag = self._fixtures(home, away, neutral)
        ratings = self.ratings_.to_numpy()
        comps = self._team_competition(hi) if competition is None else as_array(competition, hi.size)
        hfa = self._state.hfa

        def advantage(competition: str) -> float:
            key = INTERNATIONAL if competition in UEFA_CODES else _country(competition)
            return hfa.get(key, self.hfa_international if key == INTERNATIONAL else self.hfa_initial)

        adv = map_values(comps, advantage, self.hfa_initial)
        return ratings[hi] - ratings[ai] + np.where(flag, 0.0, adv)

    def log_rates(self, home: Any, away: Any, neutral: Any = False, competition: Any = None
                  ) -> tuple[np.ndarray, np.ndarray]:
        """Log expected goals of both sides: the competition's intercept plus the fitted mapping of the Elo
        difference (``d = difference / 400``: slope * d and curvature * d**2)."""
        d = self.rating_difference(home, away, neutral, competition) / 400.0
        hi = self._team_index(home)
        comps = self._team_competition(hi) if competition is None else as_array(competition, hi.size)
        base = self._intercepts(comps)
        curve = self.goal_curvature_ * d**2
        return base + self.goal_slope_ * d + curve, base - self.goal_slope_ * d + curve

    def league_link(self, home: Any, away: Any) -> pd.DataFrame:
        """How well the two clubs' leagues are tied together in the rating history, per fixture.

        Elo has no standard deviation: ``offset_sd`` is NaN and ``weak`` means that one of the two leagues
        has fewer than :data:`~matchday.models.league_prior.WEAK_LINK_MATCHES` time-weighted matches against
        other countries' clubs (against other leagues, for two leagues of one country) in the processed
        history (``cross_weight``, the smaller of the two; NaN within a league).
        """
        from matchday.models.league_prior import WEAK_LINK_MATCHES

        hi, ai = self._team_index(home), self._team_index(away)
        league_h = self._team_competition(hi)
        league_a = self._team_competition(ai)
        same_country = map_values(league_h, _country, None, dtype=object) == map_values(league_a, _country, None,
                                                                                           dtype=object)
        cross = np.where(same_country,
                         np.minimum(map_values(league_h, self.cross_league_weights_, 0.0),
                                    map_values(league_a, self.cross_league_weights_, 0.0)),
                         np.minimum(map_values(league_h, self.foreign_weights_, 0.0),
                                    map_values(league_a, self.foreign_weights_, 0.0)))
        same = league_h == league_a
        cross = np.where(same, np.nan, cross)
        return pd.DataFrame({"home_league": league_h, "away_league": league_a, "offset_sd": np.nan,
                             "cross_weight": cross, "weak": ~same & (np.nan_to_num(cross) < WEAK_LINK_MATCHES)})

    @property
    def foreign_weights_(self) -> dict[str, float]:
        """Like :attr:`cross_league_weights_`, against clubs of leagues of other countries (UEFA links)."""
        return self._link_weights()[1]

    @property
    def cross_league_weights_(self) -> dict[str, float]:
        """Time-weighted matches (decay ``xi`` from the as-of day) of each league's clubs against clubs of other
        leagues in the processed history (clubs counted in their current league)."""
        return self._link_weights()[0]

    def _link_weights(self) -> tuple[dict[str, float], dict[str, float]]:
        self._check_fitted()
        if getattr(self, "_cross_cache", None) is None:
            state = self._state
            home, away = np.concatenate(state.home), np.concatenate(state.away)
            index = np.arange(len(self.teams_))
            league = dict(zip(self.teams_, self._team_competition(index), strict=True))
            lh = np.array([league.get(t) for t in home], dtype=object)
            la = np.array([league.get(t) for t in away], dtype=object)
            country = {name: (_country(name) if name not in UEFA_CODES else f"EUR:{name}")
                       for name in set(league.values())}
            ch = np.array([country.get(x) for x in lh], dtype=object)
            ca = np.array([country.get(x) for x in la], dtype=object)
            weights = decay_weights(np.concatenate(state.date), day_end(self.as_of_), self.xi)
            tables = []
            for mask in (lh != la, ch != ca):
                table = (pd.Series(np.r_[weights[mask], weights[mask]], index=np.r_[lh[mask], la[mask]])
                         .groupby(level=0).sum())
                tables.append({str(k): float(v) for k, v in table.items()})
            self._cross_cache = (tables[0], tables[1])
        return self._cross_cache

    def win_expectancy(self, home: Any, away: Any, neutral: Any = False, competition: Any = None) -> np.ndarray:
        """Elo's own expected result E of the home side (win = 1, draw = 1/2)."""
        dr = self.rating_difference(home, away, neutral, competition)
        return 1.0 / (10.0 ** (-dr / 400.0) + 1.0)

    def ratings(self, teams: Iterable[str] | None = None, competition: str | None = None) -> pd.DataFrame:
        """Ratings, strongest first: team, competition (current league), elo, goals_for / goals_against /
        strength (expected goals and goal difference per match against a team of the mean rating on
        neutral ground) and last_played; filters as in ``GoalModel.ratings``."""
        self._check_fitted()
        elo = self.ratings_.to_numpy()
        index = np.arange(len(self.teams_))
        comps = self._team_competition(index)
        d = (elo - elo.mean()) / 400.0
        base = self._intercepts(comps)
        curve = self.goal_curvature_ * d**2
        goals_for = np.exp(base + self.goal_slope_ * d + curve)
        goals_against = np.exp(base - self.goal_slope_ * d + curve)
        last = pd.to_datetime([self._state.last_date[t] for t in self.teams_])
        frame = pd.DataFrame({"team": self.teams_, "competition": comps, "elo": elo, "goals_for": goals_for,
                              "goals_against": goals_against, "strength": goals_for - goals_against,
                              "last_played": last})
        frame = filter_ratings(frame, teams, competition)
        return frame.sort_values("elo", ascending=False, kind="stable").reset_index(drop=True)


ELO_POINTS_PER_OFFSET: float = 600.0
"""Elo points per unit of a goal model's league strength offset (log-goal scale).

A league offset ``o`` moves the log ratio of expected goals of a match by ``2 o``; Elo's goal mapping moves it
by ``2 * goal_slope_ * dR / 400``. The fitted slope is 0.66 in every joint fit of the leagues and UEFA
matches (0.656-0.667 as of 2016-05-01, 2019-05-02, 2022-05-01 and 2024-04-10), so ``dR = 400 o / 0.66``,
about 600 o. Check: the Premier League's offset over the Championship, about 0.5, becomes 300 points,
ClubElo's gap between the two (and ``tier_gap``).
"""


def elo_league_ratings(offsets: Mapping[str, float], initial_rating: float = 1500.0,
                       points_per_offset: float = ELO_POINTS_PER_OFFSET) -> dict[str, float]:
    """Starting ratings per league from goal-model strength offsets (``{league: offset}``, any reference):
    ``initial_rating`` for the mean offset, ``points_per_offset`` Elo points per unit above or below."""
    if not offsets:
        return {}
    centre = float(np.mean(list(offsets.values())))
    return {league: initial_rating + points_per_offset * (float(o) - centre) for league, o in offsets.items()}


def elo_starts_from_prior(prior: Any, initial_rating: float = 1500.0) -> dict[str, float] | None:
    """Starting ratings per league from a carried :class:`~matchday.models.league_prior.LeaguePrior`
    (its means, the reference at 0); None without a prior."""
    if prior is None:
        return None
    offsets = {prior.reference: 0.0, **dict(zip(prior.leagues, prior.mean, strict=True))}
    return elo_league_ratings(offsets, initial_rating)
