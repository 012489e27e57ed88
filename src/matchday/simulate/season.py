"""Monte Carlo of the rest of a league season, ranked by the league's own rules.

Played results (on or before ``as_of``, the end of that day) are fixed; each remaining fixture's score is
drawn from the model's :class:`~matchday.models.grid.ScoreGrid` (:mod:`matchday.simulate.sampling`); every
simulated season is ranked by :func:`matchday.rules.table.rank_league`, the same code that ranks the real
table, vectorised over simulations. Scores are drawn in chunks of simulations, so the sampler's temporary
memory stays bounded; ranking works on any block of simulations (:meth:`LeagueFixtures.rank`), so a caller
can also rank chunk by chunk.

:class:`LeagueFixtures` is the one set-up of a league season for simulation (teams, played and remaining
fixtures, point deductions, ranking); the season simulation and the rotation plans
(:mod:`matchday.decide.season_plan`) both use it.

Conditions (what-if) restrict named fixtures to a set of scores: the draw for that fixture comes from the
model's grid restricted to the allowed scores and renormalised (:meth:`ScoreGrid.conditioned`). That is
exactly the baseline simulation filtered on the condition, without throwing simulations away.

Example::

    model = DixonColes().fit(training_frame, as_of=date)
    result = simulate_season(season_matches, model, "E0", "2023-24", as_of=date, n_sims=100_000, seed=0)
    result.summary()      # P(title), P(top 4), P(relegation), expected points per club
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from matchday.models.grid import ScoreGrid
from matchday.rules.leagues import TableRules, deductions_for, rules_for
from matchday.rules.table import Standings, rank_league
from matchday.simulate.sampling import ScoreSampler, random_bits

if TYPE_CHECKING:  # pragma: no cover
    from matchday.models.interface import ScoreModel

DEFAULT_SIMS = 100_000
DEFAULT_CHUNK = 25_000
#: A Serie A play-off (title or relegation) is a single match at a neutral venue: if it is level after 90
#: minutes, extra time and penalties decide it; the simulation gives a level play-off to either club with
#: probability 1/2, a documented simplification.
PLAYOFF_DRAW_SPLIT = 0.5


@dataclass(frozen=True)
class FixtureCondition:
    """Allowed scores of one remaining fixture: ``allowed(home_goals, away_goals)`` gives a boolean mask
    over the (G+1, G+1) score cells."""

    home: str
    away: str
    allowed: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (home_goals, away_goals) -> bool array
    label: str


@dataclass
class SeasonSimulation:
    """The outcome of a season simulation.

    positions: (S, N) 1-based finishing positions; points: (S, N) final points (with deductions).
    teams: team ids in column order. current: the real table at ``as_of``.
    """

    competition: str
    season: str
    as_of: dt.date | None
    until: dt.date | None
    teams: list[str]
    positions: np.ndarray
    points: np.ndarray
    goal_difference: np.ndarray
    current: pd.DataFrame
    rules: TableRules
    n_remaining: int
    seed: int | None
    conditions: list[str] = field(default_factory=list)
    recorded: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    @property
    def n_sims(self) -> int:
        return int(self.positions.shape[0])

    def position_probabilities(self) -> pd.DataFrame:
        """P(team finishes in position p): rows = teams (current order), columns = 1..N. Rows and columns sum to 1."""
        n = len(self.teams)
        counts = np.zeros((n, n))
        for t in range(n):
            counts[t] = np.bincount(self.positions[:, t] - 1, minlength=n)
        frame = pd.DataFrame(counts / self.n_sims, index=self.teams, columns=range(1, n + 1))
        return frame.loc[self._current_order()]

    def _current_order(self) -> list[str]:
        return [t for t in self.current["team"] if t in self.teams] + [t for t in self.teams if t not in set(self.current["team"])]

    def probability(self, event: np.ndarray) -> np.ndarray:
        """Share of simulations in which a (S, N) boolean event holds, per team."""
        return event.mean(axis=0)

    def summary(self) -> pd.DataFrame:
        """One row per club: points now, expected and percentile points, P(title), P(places), P(relegation)."""
        places = self.rules.places
        n = len(self.teams)
        pos = self.positions
        cols: dict[str, np.ndarray] = {
            "expected_points": self.points.mean(axis=0),
            "points_p05": np.percentile(self.points, 5, axis=0),
            "points_p50": np.percentile(self.points, 50, axis=0),
            "points_p95": np.percentile(self.points, 95, axis=0),
            "expected_position": pos.mean(axis=0),
            "p_title": self.probability(pos == 1),
        }
        if places.promotion:
            cols["p_promotion"] = self.probability(pos <= places.promotion)
        if places.champions_league:
            cols[f"p_top{places.champions_league}"] = self.probability(pos <= places.champions_league)
        european = places.champions_league + places.europa_league + places.conference_league
        if european:
            cols["p_europe"] = self.probability(pos <= european)
        if places.relegation:
            cols["p_relegation"] = self.probability(pos > n - places.relegation)
        frame = pd.DataFrame(cols, index=self.teams)
        now = self.current.set_index("team")
        frame.insert(0, "points", now["points"].reindex(self.teams).fillna(0).astype(int))
        frame.insert(0, "played", now["played"].reindex(self.teams).fillna(0).astype(int))
        frame = frame.loc[self._current_order()]
        frame.index.name = "team"
        return frame.reset_index()

    def top_probabilities(self) -> pd.Series:
        """P(top of the table) per club at the end of the simulated period."""
        return pd.Series(self.probability(self.positions == 1), index=self.teams).sort_values(ascending=False)


#: Statuses of a match that will not be played (data/domain.py): dated on or before the as-of day, such a
#: match is neither played nor still to play.
VOID_STATUSES = ("cancelled", "abandoned")


def split_fixtures(matches: pd.DataFrame, as_of: dt.date | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(played by the end of ``as_of``, still to play): a match dated after ``as_of`` counts as unplayed.

    A match without a result whose ``status`` (when the frame has one) is cancelled or abandoned and whose
    date is on or before ``as_of`` is in neither part: by then it was known not to be played. Dated later,
    it was still to play on ``as_of``.
    """
    from matchday.data.frames import as_of_day, on_or_before

    dates = pd.to_datetime(matches["date"]).to_numpy(dtype="datetime64[ns]")
    known = on_or_before(dates, as_of_day(as_of))
    scored = (matches["home_goals"].notna() & matches["away_goals"].notna()).to_numpy()
    played = scored & known
    void = np.zeros(len(matches), dtype=bool)
    if "status" in matches.columns:
        void = matches["status"].isin(VOID_STATUSES).to_numpy() & ~scored & known
    return matches[played], matches[~played & ~void]


@dataclass
class LeagueFixtures:
    """One league season split at ``as_of``, ready to simulate and rank.

    teams: team ids, sorted (the column order of every array); played / remaining: the season's matches
    known by the end of ``as_of`` and those still to play (optionally only up to ``until``); home_idx /
    away_idx: team index of every played, then every remaining fixture; adjust: point adjustments per team
    (the deductions in force on ``as_of`` unless given).
    """

    competition: str
    season: str
    as_of: dt.date | None
    rules: TableRules
    matches: pd.DataFrame
    teams: list[str]
    played: pd.DataFrame
    remaining: pd.DataFrame
    home_idx: np.ndarray
    away_idx: np.ndarray
    deductions: dict[str, int]
    adjust: np.ndarray

    @classmethod
    def build(cls, matches: pd.DataFrame, competition: str, season: str, as_of: dt.date | None, *,
              until: dt.date | None = None, rules: TableRules | None = None,
              deductions: dict[str, int] | None = None) -> LeagueFixtures:
        """The season's set-up from every match of it (played and scheduled; columns home, away, date,
        home_goals, away_goals and optionally neutral)."""
        rules = rules or rules_for(competition, season)
        played, remaining = split_fixtures(matches, as_of)
        if until is not None:
            remaining = remaining[pd.to_datetime(remaining["date"]) <= pd.Timestamp(until)]
        teams = sorted(set(matches["home"]) | set(matches["away"]))
        index = {t: i for i, t in enumerate(teams)}
        if deductions is None:
            deductions = deductions_for(competition, season, as_of=as_of)
        adjust = np.zeros(len(teams), dtype=np.int64)
        for team, points in deductions.items():
            if team in index:
                adjust[index[team]] += points
        home_idx = np.concatenate([played["home"].map(index), remaining["home"].map(index)]).astype(np.int64)
        away_idx = np.concatenate([played["away"].map(index), remaining["away"].map(index)]).astype(np.int64)
        return cls(competition, season, as_of, rules, matches, teams, played, remaining, home_idx, away_idx,
                   dict(deductions), adjust)

    @property
    def n_remaining(self) -> int:
        return len(self.remaining)

    def index_of(self, team: str) -> int:
        return self.teams.index(team)

    def remaining_neutral(self, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Neutral-venue flags of the remaining fixtures ``rows``."""
        remaining = self.remaining.iloc[rows]
        if "neutral" not in remaining:
            return np.zeros(len(remaining), dtype=bool)
        return remaining["neutral"].fillna(False).to_numpy(dtype=bool)

    def predict(self, model: ScoreModel, rows: np.ndarray | slice = slice(None)) -> ScoreGrid:
        """The model's grid of the remaining fixtures ``rows`` (all by default), in the league's competition."""
        remaining = self.remaining.iloc[rows]
        return model.predict_many(remaining["home"].to_numpy(), remaining["away"].to_numpy(),
                                  self.remaining_neutral(rows), competition=self.competition)

    def current_table(self) -> pd.DataFrame:
        """The real table by the end of ``as_of`` (the league's rules and deductions)."""
        from matchday.rules.table import league_table

        known = self.matches.assign(date=pd.to_datetime(self.matches["date"]))
        known.loc[~known.index.isin(self.played.index), ["home_goals", "away_goals"]] = pd.NA
        teams = set(self.teams)
        return league_table(known, self.competition, self.season, rules=self.rules,
                            deductions={t: p for t, p in self.deductions.items() if t in teams})

    def rank(self, home_goals: np.ndarray, away_goals: np.ndarray, rng: np.random.Generator,
             points_offset: np.ndarray | None = None) -> tuple[np.ndarray, Standings]:
        """(positions ``(S, N)``, standings) of ``S`` simulated seasons whose remaining fixtures ended
        ``home_goals`` - ``away_goals`` (int8 ``(S, n_remaining)``). Lots and play-offs draw from ``rng``;
        ``points_offset``: points added per team before ranking (sensitivity runs)."""
        size = home_goals.shape[0]
        fixed_home = self.played["home_goals"].to_numpy(dtype=np.int8)
        fixed_away = self.played["away_goals"].to_numpy(dtype=np.int8)
        hg = np.concatenate([np.broadcast_to(fixed_home, (size, fixed_home.size)), home_goals], axis=1)
        ag = np.concatenate([np.broadcast_to(fixed_away, (size, fixed_away.size)), away_goals], axis=1)
        adjust = self.adjust if points_offset is None else self.adjust + points_offset
        standings = rank_league(self.home_idx, self.away_idx, hg, ag, len(self.teams), self.rules, adjust, rng=rng)
        positions = standings.positions.copy()
        settle_playoffs(positions, standings, self.rules, rng)
        return positions, standings


def simulate_season(
    matches: pd.DataFrame,
    model: ScoreModel,
    competition: str,
    season: str,
    *,
    as_of: dt.date | None = None,
    until: dt.date | None = None,
    conditions: Sequence[FixtureCondition] = (),
    n_sims: int = DEFAULT_SIMS,
    seed: int | None = 0,
    chunk_size: int = DEFAULT_CHUNK,
    rules: TableRules | None = None,
    deductions: dict[str, int] | None = None,
    progress: Callable[[int, int], None] | None = None,
    record: Sequence[tuple[str, str]] = (),
) -> SeasonSimulation:
    """Simulate the rest of one league season.

    matches: every match of the season (played and scheduled), columns home, away (team ids), date,
    home_goals, away_goals, neutral. model: a fitted :class:`~matchday.models.interface.ScoreModel`.
    as_of: results up to and including this date are known. until: simulate only fixtures up to this date
    (a table "after date D"); None = the whole season. deductions: point adjustments by team id; None =
    those in force on ``as_of`` (later decisions cannot be known then). record: (home, away) fixtures whose
    simulated scores are kept in ``result.recorded``. The result depends on ``seed`` only, not on
    ``chunk_size``.
    """
    league = LeagueFixtures.build(matches, competition, season, as_of, until=until, rules=rules,
                                  deductions=deductions)
    remaining, r = league.remaining, league.n_remaining
    homes, aways = remaining["home"].to_numpy(), remaining["away"].to_numpy()
    recorded_columns = {}
    for fixture in record:
        found = np.flatnonzero((homes == fixture[0]) & (aways == fixture[1]))
        if found.size != 1:
            raise ValueError(f"cannot record {fixture}: not a remaining fixture")
        recorded_columns[tuple(fixture)] = int(found[0])
    if r:
        sampler = ScoreSampler(apply_conditions(league.predict(model), remaining, conditions))
    elif conditions:
        raise ValueError("conditions given but no fixture is left to play")
    # Separate streams for scores and for drawing lots: results do not depend on the chunk size.
    score_rng, lots_rng = (np.random.default_rng(child) for child in np.random.SeedSequence(seed).spawn(2))
    n_sims = int(n_sims)
    home_goals = np.empty((n_sims, r), dtype=np.int8)
    away_goals = np.empty((n_sims, r), dtype=np.int8)
    for start in range(0, n_sims, chunk_size):  # chunks bound the temporary memory of the sampler
        stop = min(n_sims, start + chunk_size)
        if r:
            home_goals[start:stop], away_goals[start:stop] = sampler.sample(random_bits(score_rng, (stop - start, r)))
        if progress:
            progress(stop // 2, n_sims)
    positions, standings = league.rank(home_goals, away_goals, lots_rng)
    if progress:
        progress(n_sims, n_sims)
    recorded = {key: (home_goals[:, col].copy(), away_goals[:, col].copy()) for key, col in recorded_columns.items()}
    return SeasonSimulation(
        competition=league.rules.competition, season=league.rules.season, as_of=as_of, until=until,
        teams=league.teams, positions=positions, points=standings.points, goal_difference=standings.goal_difference,
        current=league.current_table(), rules=league.rules, n_remaining=r, seed=seed,
        conditions=[c.label for c in conditions], recorded=recorded,
    )


def settle_playoffs(positions: np.ndarray, standings: Standings, rules: TableRules, rng: np.random.Generator) -> None:
    """Serie A: a title or relegation tie on points is a play-off match; its loser takes the lower place.

    The ranking puts the two clubs in the two places at stake; a level play-off goes either way with
    probability :data:`PLAYOFF_DRAW_SPLIT` (the strength difference of the two clubs is ignored here).
    """
    n_teams = positions.shape[1]
    flags = []
    if rules.playoff_for_title:
        flags.append((standings.title_playoff, 0))
    if rules.playoff_for_last_relegation_place and rules.places.relegation:
        flags.append((standings.relegation_playoff, n_teams - rules.places.relegation - 1))
    for flag, upper in flags:
        sims = np.flatnonzero(flag)
        if not sims.size:
            continue
        swap = sims[rng.random(sims.size) < PLAYOFF_DRAW_SPLIT]
        a = standings.order[swap, upper].astype(np.int64)
        b = standings.order[swap, upper + 1].astype(np.int64)
        positions[swap, a], positions[swap, b] = upper + 2, upper + 1


def apply_conditions(grid: ScoreGrid, remaining: pd.DataFrame, conditions: Sequence[FixtureCondition]) -> ScoreGrid:
    """The grid with the named fixtures restricted to their allowed scores (renormalised)."""
    home_goals, away_goals = grid.score_masks()
    homes, aways = remaining["home"].to_numpy(), remaining["away"].to_numpy()
    for condition in conditions:
        rows = np.flatnonzero((homes == condition.home) & (aways == condition.away))
        if rows.size != 1:
            raise ValueError(f"condition {condition.label!r} matches {rows.size} remaining fixtures")
        try:
            grid = grid.conditioned(int(rows[0]), condition.allowed(home_goals, away_goals))
        except ValueError:
            raise ValueError(f"condition {condition.label!r} leaves no possible score") from None
    return grid
