"""Monte Carlo of the rest of a league season, ranked by the league's own rules.

Played results (on or before ``as_of``) are fixed; each remaining fixture's score is drawn from the model's
score matrix; every simulated season is ranked by :func:`matchday.rules.table.rank_league`, the same code
that ranks the real table, vectorised over simulations. Work runs in chunks of simulations so memory stays
bounded whatever ``n_sims`` is.

Conditions (what-if) restrict named fixtures to a set of scores: the draw for that fixture comes from the
model's matrix restricted to the allowed scores and renormalised. That is exactly the baseline simulation
filtered on the condition, without throwing simulations away.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from matchday.rules.leagues import TableRules, deductions_for, rules_for
from matchday.rules.table import rank_league
from matchday.simulate.sampling import ScoreSampler, random_bits

DEFAULT_SIMS = 100_000
DEFAULT_CHUNK = 25_000
#: A Serie A play-off (title or relegation) is a single match at a neutral venue: if it is level after 90
#: minutes, extra time and penalties decide it; the simulation gives a level play-off to either club with
#: probability 1/2, a documented simplification.
PLAYOFF_DRAW_SPLIT = 0.5


@dataclass(frozen=True)
class FixtureCondition:
    """Allowed scores of one remaining fixture: a boolean mask over the (G+1, G+1) score grid."""

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


def split_fixtures(matches: pd.DataFrame, as_of: dt.date | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(played by the end of ``as_of``, still to play): a match dated after ``as_of`` counts as unplayed."""
    dates = pd.to_datetime(matches["date"])
    played = matches["home_goals"].notna() & matches["away_goals"].notna()
    if as_of is not None:
        played &= dates <= pd.Timestamp(as_of)
    return matches[played], matches[~played]


def simulate_season(
    matches: pd.DataFrame,
    predict_many: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray],
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
    home_goals, away_goals, neutral. as_of: results up to and including this date are known.
    until: simulate only fixtures up to this date (a table "after date D"); None = the whole season.
    predict_many(home, away, neutral) -> (R, G+1, G+1) score matrices (the fitted model).
    deductions: point adjustments by team id; None = those in force on ``as_of`` (later decisions
    cannot be known then).
    record: (home, away) fixtures whose simulated scores are kept in ``result.recorded``.
    """
    from matchday.rules.table import league_table

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
    known = matches.assign(date=pd.to_datetime(matches["date"]))
    known.loc[~known.index.isin(played.index), ["home_goals", "away_goals"]] = pd.NA
    current = league_table(known, competition, season, rules=rules,
                           deductions={t: p for t, p in deductions.items() if t in index})

    n_teams, n_played, r = len(teams), len(played), len(remaining)
    home_idx = np.concatenate([played["home"].map(index), remaining["home"].map(index)]).astype(np.int64)
    away_idx = np.concatenate([played["away"].map(index), remaining["away"].map(index)]).astype(np.int64)
    remaining_columns = np.arange(n_played, n_played + r)
    homes, aways = remaining["home"].to_numpy(), remaining["away"].to_numpy()
    recorded_columns = {}
    for fixture in record:
        found = np.flatnonzero((homes == fixture[0]) & (aways == fixture[1]))
        if found.size != 1:
            raise ValueError(f"cannot record {fixture}: not a remaining fixture")
        recorded_columns[tuple(fixture)] = int(remaining_columns[found[0]])
    if r:
        matrices = np.asarray(
            predict_many(homes, aways, remaining["neutral"].fillna(False).to_numpy(dtype=bool)
                         if "neutral" in remaining else np.zeros(r, bool)),
            dtype=np.float64,
        )
        sampler = ScoreSampler(apply_conditions(matrices, remaining, conditions))
    elif conditions:
        raise ValueError("conditions given but no fixture is left to play")
    # Separate streams for scores and for drawing lots: results do not depend on the chunk size.
    score_rng, lots_rng = (np.random.default_rng(child) for child in np.random.SeedSequence(seed).spawn(2))
    n_sims = int(n_sims)
    home_goals = np.empty((n_sims, n_played + r), dtype=np.int8)
    away_goals = np.empty((n_sims, n_played + r), dtype=np.int8)
    home_goals[:, :n_played] = played["home_goals"].to_numpy(dtype=np.int8)
    away_goals[:, :n_played] = played["away_goals"].to_numpy(dtype=np.int8)
    for start in range(0, n_sims, chunk_size):  # chunks bound the temporary memory of the sampler
        stop = min(n_sims, start + chunk_size)
        if r:
            sim_home, sim_away = sampler.sample(random_bits(score_rng, (stop - start, r)))
            home_goals[start:stop, n_played:] = sim_home
            away_goals[start:stop, n_played:] = sim_away
        if progress:
            progress(stop // 2, n_sims)
    standings = rank_league(home_idx, away_idx, home_goals, away_goals, n_teams, rules, adjust, rng=lots_rng)
    positions = standings.positions.copy()
    settle_playoffs(positions, standings, rules, lots_rng)
    if progress:
        progress(n_sims, n_sims)
    recorded = {key: (home_goals[:, col].copy(), away_goals[:, col].copy()) for key, col in recorded_columns.items()}
    return SeasonSimulation(
        competition=rules.competition, season=rules.season, as_of=as_of, until=until, teams=teams,
        positions=positions, points=standings.points, goal_difference=standings.goal_difference,
        current=current, rules=rules,
        n_remaining=r, seed=seed, conditions=[c.label for c in conditions], recorded=recorded,
    )


def settle_playoffs(positions: np.ndarray, standings, rules: TableRules, rng: np.random.Generator) -> None:
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


def apply_conditions(matrices: np.ndarray, remaining: pd.DataFrame, conditions: Sequence[FixtureCondition]) -> np.ndarray:
    """Restrict the named fixtures' matrices to their allowed scores (renormalised)."""
    if not conditions:
        return matrices
    matrices = matrices.copy()
    goals = np.arange(matrices.shape[1])
    home_goals, away_goals = np.meshgrid(goals, goals, indexing="ij")
    homes, aways = remaining["home"].to_numpy(), remaining["away"].to_numpy()
    for condition in conditions:
        rows = np.flatnonzero((homes == condition.home) & (aways == condition.away))
        if rows.size != 1:
            raise ValueError(f"condition {condition.label!r} matches {rows.size} remaining fixtures")
        mask = condition.allowed(home_goals, away_goals)
        kept = matrices[rows[0]] * mask
        if kept.sum() <= 0:
            raise ValueError(f"condition {condition.label!r} leaves no possible score")
        matrices[rows[0]] = kept / kept.sum()
    return matrices
