"""A score-driven (GAS) dynamic model of goals: team strengths that move after every match.

After Koopman & Lit (2019, JRSS A 182(1)) and Creal, Koopman & Lucas' generalised autoregressive score
models: each club has an attack ``a`` and a defence ``d`` (log scale, relative to its league's level), and
each league a home and an away log-level ``mu``. For a league match of home club i against away club j
with goals (x, y)::

    log lam_home = mu_home[league] + a_i - d_j          log lam_away = mu_away[league] + a_j - d_i

and after it, each state moves along the score of the Poisson log-likelihood (unit scaling)::

    a_i += k (x - lam_home)    d_j -= k (x - lam_home)    a_j += k (y - lam_away)    d_i -= k (y - lam_away)
    mu_home[league] += k0 * mean over the day's matches of (x - lam_home) / lam_home   (and mu_away alike)

``k = 0.015`` (:data:`SCORE_DRIVEN_RATE`), ``k0 = 0.002`` (:data:`LEVEL_RATE`), no mean reversion; chosen on
the validation seasons 2014-15..2018-19 (k 0.01 / 0.015 / 0.02 scanned: 0.015 and 0.02 tie; a reversion
towards the league mean with a half-life of one to four years was worse in every setting). With k = 0.015
a rating forgets its start after about 1 / (k * 1.4 goals) ~ 50 matches.

Clubs changing league (promotion, relegation) keep ``carry = 0.5`` of their state plus an offset:
:data:`~matchday.models.goal_model.PROMOTED_PRIOR` into a higher tier, its mirror into a lower one (tiers from
:mod:`matchday.data.competitions`; nothing for a move between leagues of the same or an unknown tier). A
club first seen starts at 0, its league's average. A league's levels are the log of its running mean
home and away goals over its first 100 matches (the typical 1.45 and 1.15 before its first match day), and
drift by the score only after that.

Only league matches move the states (:func:`league_competitions`): a UEFA or cup match pits clubs rated
against different league levels, so its residual would mostly measure the gap between the leagues, which
this model does not carry. The filter is therefore not on one scale across leagues: a fixture between
clubs of two leagues is predicted as if the leagues were equal. Use it within a league, or inside
:class:`~matchday.models.combined.CombinedModel`, where the goal model carries the cross-league scale.

The recursion runs over match days (a club plays at most once a day); within a day every club is updated
at once with NumPy. ``fit(matches, as_of)`` replays the league matches up to ``as_of``; with
``warm_start=True`` a later refit continues from the previous state and processes only the new days
(walk-forward backtests; the frame must hold the same earlier matches).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Self

import numpy as np
import pandas as pd

from matchday.data.competitions import COMPETITIONS, UEFA_CODES
from matchday.data.errors import DataError
from matchday.data.frames import MatchArrays, as_of_day, day_end, played_matches
from matchday.models.distributions import PoissonScores
from matchday.models.goal_model import PROMOTED_PRIOR
from matchday.models.interface import ModelBase, as_array, filter_ratings, map_values

SCORE_DRIVEN_RATE: float = 0.015
"""k: how far one goal above or below expectation moves a club's attack or its opponent's defence."""

LEVEL_RATE: float = 0.002
"""k0: how fast a league's scoring level drifts (per match day, on the mean relative residual)."""

CARRY: float = 0.5
"""Share of its state a club keeps when it changes league (plus the promoted/relegated offset)."""

LEVEL_START_MATCHES = 100
"""A league's levels are its running mean goals over its first this many matches, then drift with ``k0``."""

DEFAULT_LEVELS: tuple[float, float] = (1.45, 1.15)
"""Home and away goals per match assumed for a league before its first match day is processed."""


def league_competitions(competition: np.ndarray, home: np.ndarray, away: np.ndarray) -> set[str]:
    """The competitions of ``competition`` that are domestic leagues.

    A code :mod:`matchday.data.competitions` knows is a league if its kind is ``"league"``; an unknown code
    (a user's own data) is a league if at least half of its clubs play most of their matches in it (a cup
    between clubs of several leagues is nobody's main competition).
    """
    comps = pd.unique(competition)
    known = {c for c in comps if c in COMPETITIONS}
    leagues = {c for c in known if COMPETITIONS[c].kind == "league"}
    unknown = [c for c in comps if c not in known and c not in UEFA_CODES]
    if unknown:
        sides = pd.DataFrame({"team": np.concatenate([home, away]),
                              "competition": np.concatenate([competition, competition])})
        counts = sides.groupby(["team", "competition"]).size().reset_index(name="n")
        main = counts.sort_values(["team", "n"], ascending=[True, False], kind="stable").drop_duplicates("team")
        main_of = dict(zip(main["team"], main["competition"], strict=True))
        for code in unknown:
            clubs = counts.loc[counts["competition"] == code, "team"]
            share = float(np.mean([main_of[t] == code for t in clubs])) if len(clubs) else 0.0
            if share >= 0.5:
                leagues.add(code)
    return leagues


def league_tier(code: str) -> float:
    """1 = top flight, 2 = second tier, ...; NaN for a competition matchday does not know."""
    info = COMPETITIONS.get(code)
    return float(info.tier) if info is not None and info.kind == "league" else float("nan")


@dataclass
class FilterState:
    """The filter after the last processed day: states per club, levels per league (plain arrays)."""

    team_index: dict[str, int] = field(default_factory=dict)
    attack: np.ndarray = field(default_factory=lambda: np.zeros(0))
    defence: np.ndarray = field(default_factory=lambda: np.zeros(0))
    team_league: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))  # -1 = none yet
    last_played: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # ns since 1970
    matches: np.ndarray = field(default_factory=lambda: np.zeros(0))  # league matches per club
    league_index: dict[str, int] = field(default_factory=dict)
    level: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))  # log home / away level per league
    goal_sums: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))  # goals of the first matches
    league_matches: np.ndarray = field(default_factory=lambda: np.zeros(0))  # matches processed per league
    cutoff: np.datetime64 | None = None  # matches before this moment have been processed
    n_processed: int = 0

    def add_teams(self, names: Iterable[str]) -> None:
        new = [n for n in pd.unique(np.asarray(list(names), dtype=object)) if n not in self.team_index]
        if not new:
            return
        start = len(self.team_index)
        self.team_index.update({name: start + i for i, name in enumerate(new)})
        k = len(new)
        self.attack = np.concatenate([self.attack, np.zeros(k)])
        self.defence = np.concatenate([self.defence, np.zeros(k)])
        self.team_league = np.concatenate([self.team_league, np.full(k, -1, dtype=np.intp)])
        self.last_played = np.concatenate([self.last_played, np.full(k, np.iinfo(np.int64).min, dtype=np.int64)])
        self.matches = np.concatenate([self.matches, np.zeros(k)])

    def add_leagues(self, codes: Iterable[str]) -> None:
        """Register new leagues at the default levels."""
        for code in codes:
            if code in self.league_index:
                continue
            self.league_index[code] = len(self.league_index)
            self.level = np.vstack([self.level, np.log([DEFAULT_LEVELS])])
            self.goal_sums = np.vstack([self.goal_sums, np.zeros((1, 2))])
            self.league_matches = np.append(self.league_matches, 0.0)


def run_filter(state: FilterState, data: MatchArrays, rows: np.ndarray, *, rate: float, level_rate: float,
               carry: float, promoted_prior: tuple[float, float] | None) -> None:
    """Advance ``state`` over the matches ``rows`` of ``data`` (league matches, any order): one vectorised
    update per match day, in date order."""
    if rows.size == 0:
        return
    order = rows[np.argsort(data.date[rows], kind="stable")]
    home, away = data.home[order], data.away[order]
    comp = data.competition[order]
    x, y = data.home_goals[order], data.away_goals[order]
    neutral = data.neutral[order]
    dates = data.date[order]
    state.add_teams(np.concatenate([home, away]))
    state.add_leagues(pd.unique(comp))
    hi = map_values(home, state.team_index, -1, dtype=np.intp)
    ai = map_values(away, state.team_index, -1, dtype=np.intp)
    league = map_values(comp, state.league_index, -1, dtype=np.intp)
    tiers = np.array([league_tier(c) for c in state.league_index], dtype=float)
    prior = np.zeros(2) if promoted_prior is None else np.asarray(promoted_prior, dtype=float)
    days = dates.astype("datetime64[D]")
    starts = np.flatnonzero(np.r_[True, days[1:] != days[:-1]])
    bounds = np.r_[starts, order.size]
    att, dfn, level = state.attack, state.defence, state.level
    team_league, sums, seen = state.team_league, state.goal_sums, state.league_matches
    n_leagues = len(state.league_index)
    for position in range(starts.size):
        day_rows = slice(bounds[position], bounds[position + 1])
        h, a, lg = hi[day_rows], ai[day_rows], league[day_rows]
        both = np.concatenate([h, a])
        both_league = np.concatenate([lg, lg])
        moved = team_league[both] != both_league
        if moved.any():
            clubs, to = both[moved], both_league[moved]
            came = team_league[clubs]
            fresh = came < 0
            step = np.where(fresh, np.nan, tiers[np.where(fresh, 0, came)] - tiers[to])  # > 0: promoted
            sign = np.where(step > 0, 1.0, np.where(step < 0, -1.0, 0.0))  # NaN (unknown tier) -> 0
            att[clubs] = np.where(fresh, 0.0, carry * att[clubs] + sign * prior[0])
            dfn[clubs] = np.where(fresh, 0.0, carry * dfn[clubs] + sign * prior[1])
            team_league[clubs] = to
        flat = neutral[day_rows]
        mean_level = 0.5 * (level[lg, 0] + level[lg, 1])
        lam_h = np.exp(np.where(flat, mean_level, level[lg, 0]) + att[h] - dfn[a])
        lam_a = np.exp(np.where(flat, mean_level, level[lg, 1]) + att[a] - dfn[h])
        res_h, res_a = x[day_rows] - lam_h, y[day_rows] - lam_a
        np.add.at(att, h, rate * res_h)
        np.add.at(dfn, a, -rate * res_h)
        np.add.at(att, a, rate * res_a)
        np.add.at(dfn, h, -rate * res_a)
        count = np.bincount(lg, minlength=n_leagues)
        settled = (count > 0) & (seen >= LEVEL_START_MATCHES)
        level[settled, 0] += level_rate * np.bincount(lg, res_h / lam_h, minlength=n_leagues)[settled] / count[settled]
        level[settled, 1] += level_rate * np.bincount(lg, res_a / lam_a, minlength=n_leagues)[settled] / count[settled]
        young = (count > 0) & (seen < LEVEL_START_MATCHES)
        if young.any():  # a league's first matches: its levels are its running mean goals
            sums[:, 0] += np.bincount(lg, x[day_rows], minlength=n_leagues) * young
            sums[:, 1] += np.bincount(lg, y[day_rows], minlength=n_leagues) * young
            level[young] = np.log(np.maximum(sums[young] / (seen[young] + count[young])[:, None], 0.1))
        seen += count
    stamps = dates.astype("datetime64[ns]").astype(np.int64)
    np.maximum.at(state.last_played, np.concatenate([hi, ai]), np.concatenate([stamps, stamps]))
    np.add.at(state.matches, np.concatenate([hi, ai]), 1.0)
    state.n_processed += int(order.size)


class ScoreDriven(ModelBase):
    """Score-driven (GAS) attack/defence filter on goals (see the module docstring).

    Parameters
    ----------
    rate: k, the step per goal of residual (default :data:`SCORE_DRIVEN_RATE`).
    level_rate: k0, the drift rate of each league's levels (default :data:`LEVEL_RATE`).
    carry: share of its state a club keeps when it changes league (default :data:`CARRY`).
    promoted_prior: offset (attack, defence) of a club moving up a tier (its mirror moving down); None = 0.
    max_goals: G of the score grids (independent Poisson goals).
    warm_start: a refit at a later as-of day continues from the previous state (new days only).

    Fitted: ``teams_`` (clubs with at least one league match), ``attack_``, ``defence_`` (Series),
    ``team_league_`` (each club's latest league), ``levels_`` (log home/away level per league),
    ``n_matches_`` (played matches up to the as-of day in the frame), ``n_filtered_`` (league matches the
    filter has processed), ``skipped_`` (matches of other competitions, by competition).
    """

    def __init__(
        self,
        *,
        rate: float = SCORE_DRIVEN_RATE,
        level_rate: float = LEVEL_RATE,
        carry: float = CARRY,
        promoted_prior: tuple[float, float] | None = PROMOTED_PRIOR,
        max_goals: int = 10,
        warm_start: bool = False,
    ) -> None:
        self.rate = rate
        self.level_rate = level_rate
        self.carry = carry
        self.promoted_prior = promoted_prior
        self.max_goals = max_goals
        self.warm_start = warm_start

    def _validate_config(self) -> None:
        for name in ("rate", "level_rate"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a finite number >= 0 (got {value!r})")
        if not 0.0 <= self.carry <= 1.0:
            raise ValueError(f"carry must lie in [0, 1] (got {self.carry!r})")
        if int(self.max_goals) != self.max_goals or self.max_goals < 2:
            raise ValueError(f"max_goals must be an integer >= 2 (got {self.max_goals!r})")

    def fit(self, matches: pd.DataFrame, as_of: Any = None) -> Self:
        """Run the filter over the league matches dated on or before ``as_of`` (a day; all when None)."""
        self._validate_config()
        day = as_of_day(as_of)
        data = played_matches(matches, day)
        if len(data) == 0:
            raise DataError("no played matches to filter" + (f" on or before {day.date()}" if day is not None else ""),
                            column="date", expected="at least one played match on or before the as-of date")
        day = day if day is not None else pd.Timestamp(data.date.max()).normalize()
        end = np.datetime64(day_end(day).to_datetime64(), "ns")
        leagues = league_competitions(data.competition, data.home, data.away)
        is_league = np.isin(data.competition, list(leagues))
        if not is_league.any():
            raise DataError("no league matches to filter: the score-driven model rates clubs on league matches only",
                            column="competition", value=", ".join(map(str, pd.unique(data.competition)[:5])),
                            expected="a domestic league (football-data division or a competition most of "
                                     "whose clubs play mostly in it)")
        state = getattr(self, "_state", None)
        rows = np.flatnonzero(is_league)
        if self.warm_start and state is not None and state.cutoff is not None and end >= state.cutoff:
            rows = rows[data.date[rows] >= state.cutoff]
        else:
            state = FilterState()
        run_filter(state, data, rows, rate=self.rate, level_rate=self.level_rate, carry=self.carry,
                   promoted_prior=self.promoted_prior)
        state.cutoff = end
        self._state = state
        names = np.array(list(state.team_index), dtype=object)
        rated = state.team_league >= 0
        order = np.argsort(names[rated])
        self._rows = np.flatnonzero(rated)[order]  # state positions of teams_
        self.teams_ = names[rated][order]
        league_names = np.array(list(state.league_index), dtype=object)
        index = pd.Index(self.teams_, dtype=object, name="team")
        self.attack_ = pd.Series(state.attack[self._rows], index=index, name="attack")
        self.defence_ = pd.Series(state.defence[self._rows], index=index, name="defence")
        self.team_league_ = pd.Series(league_names[state.team_league[self._rows]], index=index, name="league")
        self.levels_ = pd.DataFrame(state.level.copy(), columns=["home", "away"],
                                    index=pd.Index(league_names, dtype=object, name="league"))
        others = data.competition[~is_league]
        self.skipped_ = pd.Series(others).value_counts().rename("matches").rename_axis("competition")
        self.n_matches_ = len(data)
        self.n_filtered_ = state.n_processed
        self.as_of_ = day
        self.distribution_ = PoissonScores()
        self.extra_: dict[str, float] = {}
        self._last = state.last_played[self._rows].astype("datetime64[ns]")
        self._league_lookup = {str(name): i for i, name in enumerate(league_names)}
        return self

    def _levels_for(self, hi: np.ndarray, ai: np.ndarray, flag: np.ndarray, competition: Any
                    ) -> tuple[np.ndarray, np.ndarray]:
        """Log levels of each fixture's two sides: the fixture's league when it is one the filter knows,
        else each club's own league; a neutral venue gives both sides the mean of home and away."""
        level = self._state.level
        own = self._state.team_league[self._rows]
        home_league, away_league = own[hi], own[ai]
        if competition is not None:
            given = map_values(as_array(competition, hi.size), self._league_lookup, -1, dtype=np.intp)
            home_league = np.where(given >= 0, given, home_league)
            away_league = np.where(given >= 0, given, away_league)
        mean_h = 0.5 * (level[home_league, 0] + level[home_league, 1])
        mean_a = 0.5 * (level[away_league, 0] + level[away_league, 1])
        return (np.where(flag, mean_h, level[home_league, 0]), np.where(flag, mean_a, level[away_league, 1]))

    def log_rates(self, home: Any, away: Any, neutral: Any = False, competition: Any = None
                  ) -> tuple[np.ndarray, np.ndarray]:
        """log lambda per fixture: the level of the fixture's league (default each club's own) + attack -
        the opponent's defence; a neutral venue gives both sides the league's mean level."""
        hi, ai, flag = self._fixtures(home, away, neutral)
        level_h, level_a = self._levels_for(hi, ai, flag, competition)
        att, dfn = self.attack_.to_numpy(), self.defence_.to_numpy()
        return level_h + att[hi] - dfn[ai], level_a + att[ai] - dfn[hi]

    def ratings(self, teams: Iterable[str] | None = None, competition: str | None = None) -> pd.DataFrame:
        """Team ratings, strongest first: team, competition (latest league), attack, defence (log scale,
        relative to that league's level), goals_for / goals_against (expected goals per match against the
        league's average club on neutral ground), strength = goals_for - goals_against, matches (league
        matches filtered), last_played. Strengths compare clubs within a league, not across leagues."""
        self._check_fitted()
        level = self._state.level[self._state.team_league[self._rows]]
        mean_level = level.mean(axis=1)
        att, dfn = self.attack_.to_numpy(), self.defence_.to_numpy()
        frame = pd.DataFrame({"team": self.teams_, "competition": self.team_league_.to_numpy(),
                              "attack": att, "defence": dfn})
        frame["goals_for"] = np.exp(mean_level + att)
        frame["goals_against"] = np.exp(mean_level - dfn)
        frame["strength"] = frame["goals_for"] - frame["goals_against"]
        frame["matches"] = self._state.matches[self._rows]
        frame["last_played"] = pd.to_datetime(self._last)
        return filter_ratings(frame, teams, competition).sort_values("strength", ascending=False,
                                                                     kind="stable").reset_index(drop=True)
