"""Monte Carlo of the rest of a league season, ranked by the league's own rules.

Played results (on or before ``as_of``, the end of that day) are fixed; each remaining fixture's score is
drawn from the model's :class:`~matchday.models.grid.ScoreGrid` (:mod:`matchday.simulate.sampling`); every
simulated season is ranked by :func:`matchday.rules.table.rank_league`, the same code that ranks the real
table, vectorised over simulations.

Memory does not grow with the number of simulations: they are drawn, ranked and counted in chunks (a few
thousand simulations, sized so that a chunk's temporaries stay near :data:`CHUNK_BYTES`), and only counts
are kept: finishing positions per club and a histogram of each club's final points (points are whole
numbers, so its percentiles are exact). The per-simulation arrays are kept only when asked for
(``keep_simulations=True``). The result depends on the seed only, not on the chunk size: scores come from
one stream of random numbers drawn in order, the drawing of lots from a second stream that the ranking
consumes one seed per block of :data:`RANK_BLOCK` simulations (chunks are whole blocks), and the Serie A
play-offs from a third stream, one pair of uniforms per simulation.

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

from matchday.data.errors import MatchdayError
from matchday.models.grid import ScoreGrid
from matchday.rules.leagues import TableRules, deductions_for, rules_for
from matchday.rules.table import Standings, rank_league
from matchday.simulate.limits import check_sims
from matchday.simulate.sampling import ScoreSampler, random_bits

if TYPE_CHECKING:  # pragma: no cover
    from matchday.models.interface import ScoreModel

DEFAULT_SIMS = 100_000
#: Simulations per ranking block: the lots stream gives each block its own seed, so chunks are whole blocks.
RANK_BLOCK = 4096
#: Target size of one chunk's temporaries (sampler, ranking), in bytes: memory does not grow with n_sims.
CHUNK_BYTES = 64 * 2**20
#: A Serie A play-off (title or relegation) is a single match at a neutral venue: if it is level after 90
#: minutes, extra time and penalties decide it; the simulation gives a level play-off to either club with
#: probability 1/2, a documented simplification.
PLAYOFF_DRAW_SPLIT = 0.5


class ConditionError(MatchdayError, ValueError):
    """What-if conditions that cannot be applied: bad syntax, unknown club or fixture, already played, a score
    beyond the model's grid, or conditions that contradict each other (no score satisfies them all)."""


@dataclass(frozen=True)
class FixtureCondition:
    """Allowed scores of one remaining fixture: ``allowed(home_goals, away_goals)`` gives a boolean mask
    over the (G+1, G+1) score cells."""

    home: str
    away: str
    allowed: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (home_goals, away_goals) -> bool array
    label: str


@dataclass(frozen=True)
class SimulatedSeasons:
    """Per-simulation arrays of a season simulation (kept only with ``keep_simulations=True``): positions
    (S, N) 1-based finishing positions, points (S, N) final points (with deductions), goal_difference (S, N)."""

    positions: np.ndarray
    points: np.ndarray
    goal_difference: np.ndarray


class PointsHistogram:
    """Counts of each club's final points over simulations, ``counts[team, points - low]``, growing its range
    as needed. Points are whole numbers, so the histogram is exact (mean, percentiles)."""

    def __init__(self, n_teams: int) -> None:
        self.low = 0
        self.counts = np.zeros((n_teams, 0), dtype=np.int64)

    def add(self, points: np.ndarray) -> None:
        """Count a block of simulated points ``(S, N)``."""
        if points.size == 0:
            return
        lo, hi = int(points.min()), int(points.max())
        if self.counts.shape[1] == 0:
            self.low, self.counts = lo, np.zeros((self.counts.shape[0], hi - lo + 1), dtype=np.int64)
        elif lo < self.low or hi >= self.low + self.counts.shape[1]:
            new_low = min(lo, self.low)
            width = max(hi, self.low + self.counts.shape[1] - 1) - new_low + 1
            grown = np.zeros((self.counts.shape[0], width), dtype=np.int64)
            grown[:, self.low - new_low:self.low - new_low + self.counts.shape[1]] = self.counts
            self.low, self.counts = new_low, grown
        n_teams, width = self.counts.shape
        codes = (points.astype(np.int64) - self.low) + np.arange(n_teams, dtype=np.int64) * width
        self.counts += np.bincount(codes.ravel(), minlength=n_teams * width).reshape(n_teams, width)


def histogram_mean(counts: np.ndarray, low: int) -> np.ndarray:
    """Mean per row of integer values counted in ``counts[row, value - low]``."""
    total = counts.sum(axis=1)
    values = low + np.arange(counts.shape[1], dtype=np.int64)
    return (counts @ values) / np.maximum(total, 1)


def histogram_percentile(counts: np.ndarray, low: int, q: float) -> np.ndarray:
    """The ``q``-th percentile per row of integer values counted in ``counts[row, value - low]``, with
    ``numpy.percentile``'s default (linear) interpolation between order statistics."""
    total = counts.sum(axis=1)
    cumulative = np.cumsum(counts, axis=1)
    position = (total - 1) * (q / 100.0)
    below = np.floor(position).astype(np.int64)
    above = np.minimum(below + 1, total - 1)

    def order_statistic(k: np.ndarray) -> np.ndarray:  # k-th smallest value (0-based) of each row
        return low + (cumulative <= k[:, None]).sum(axis=1)

    lower, upper = order_statistic(below), order_statistic(above)
    return lower + (position - below) * (upper - lower)


@dataclass
class SeasonSimulation:
    """The outcome of a season simulation, as counts over ``n_sims`` simulations.

    teams: team ids (the row order of the counts). position_counts: ``(N, N)`` simulations in which team t
    finished in position p + 1 (``[t, p]``). points_counts: ``(N, W)`` simulations in which team t finished
    on ``points_low + w`` points (with deductions). current: the real table at ``as_of``. simulations: the
    per-simulation arrays when ``keep_simulations=True`` was asked for (``positions``, ``points``,
    ``goal_difference``; memory grows with ``n_sims``), else None.
    """

    competition: str
    season: str
    as_of: dt.date | None
    until: dt.date | None
    teams: list[str]
    n_sims: int
    position_counts: np.ndarray
    points_counts: np.ndarray
    points_low: int
    current: pd.DataFrame
    rules: TableRules
    n_remaining: int
    seed: int | None
    conditions: list[str] = field(default_factory=list)
    recorded: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    simulations: SimulatedSeasons | None = None

    def _kept(self) -> SimulatedSeasons:
        if self.simulations is None:
            raise AttributeError("the per-simulation arrays were not kept: run simulate_season(..., "
                                 "keep_simulations=True) (memory then grows with n_sims)")
        return self.simulations

    @property
    def positions(self) -> np.ndarray:
        """(S, N) finishing positions of every simulation (only with ``keep_simulations=True``)."""
        return self._kept().positions

    @property
    def points(self) -> np.ndarray:
        """(S, N) final points of every simulation (only with ``keep_simulations=True``)."""
        return self._kept().points

    @property
    def goal_difference(self) -> np.ndarray:
        """(S, N) final goal difference of every simulation (only with ``keep_simulations=True``)."""
        return self._kept().goal_difference

    def position_probabilities(self) -> pd.DataFrame:
        """P(team finishes in position p): rows = teams (current order), columns = 1..N. Rows and columns sum to 1."""
        n = len(self.teams)
        frame = pd.DataFrame(self.position_counts / self.n_sims, index=self.teams, columns=range(1, n + 1))
        return frame.loc[self._current_order()]

    def _current_order(self) -> list[str]:
        return [t for t in self.current["team"] if t in self.teams] + [t for t in self.teams if t not in set(self.current["team"])]

    def probability(self, event: np.ndarray) -> np.ndarray:
        """Share of simulations in which a (S, N) boolean event holds, per team (events on the kept arrays)."""
        return event.mean(axis=0)

    def p_position_at_most(self, place: int) -> np.ndarray:
        """P(finishing in the top ``place`` positions) per team (column order ``teams``)."""
        return self.position_counts[:, :max(0, place)].sum(axis=1) / self.n_sims

    def summary(self) -> pd.DataFrame:
        """One row per club: points now, expected and percentile points, P(title), P(places), P(relegation)."""
        places = self.rules.places
        n = len(self.teams)
        counts, low = self.points_counts, self.points_low
        cols: dict[str, np.ndarray] = {
            "expected_points": histogram_mean(counts, low),
            "points_p05": histogram_percentile(counts, low, 5),
            "points_p50": histogram_percentile(counts, low, 50),
            "points_p95": histogram_percentile(counts, low, 95),
            "expected_position": (self.position_counts @ np.arange(1, n + 1)) / self.n_sims,
            "p_title": self.p_position_at_most(1),
        }
        if places.promotion:
            cols["p_promotion"] = self.p_position_at_most(places.promotion)
        if places.champions_league:
            cols[f"p_top{places.champions_league}"] = self.p_position_at_most(places.champions_league)
        european = places.champions_league + places.europa_league + places.conference_league
        if european:
            cols["p_europe"] = self.p_position_at_most(european)
        if places.relegation:
            cols["p_relegation"] = self.position_counts[:, n - places.relegation:].sum(axis=1) / self.n_sims
        frame = pd.DataFrame(cols, index=self.teams)
        now = self.current.set_index("team")
        frame.insert(0, "points", now["points"].reindex(self.teams).fillna(0).astype(int))
        frame.insert(0, "played", now["played"].reindex(self.teams).fillna(0).astype(int))
        frame = frame.loc[self._current_order()]
        frame.index.name = "team"
        return frame.reset_index()

    def top_probabilities(self) -> pd.Series:
        """P(top of the table) per club at the end of the simulated period."""
        return pd.Series(self.p_position_at_most(1), index=self.teams).sort_values(ascending=False)


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
             points_offset: np.ndarray | None = None, *,
             playoff_uniforms: np.ndarray | None = None) -> tuple[np.ndarray, Standings]:
        """(positions ``(S, N)``, standings) of ``S`` simulated seasons whose remaining fixtures ended
        ``home_goals`` - ``away_goals`` (int8 ``(S, n_remaining)``). Lots draw from ``rng`` (one seed per block
        of :data:`RANK_BLOCK` simulations); play-offs use ``playoff_uniforms`` ``(S, 2)`` (title, relegation)
        when given, else draw from ``rng`` after the ranking. ``points_offset``: points added per team before
        ranking (sensitivity runs)."""
        size = home_goals.shape[0]
        fixed_home = self.played["home_goals"].to_numpy(dtype=np.int8)
        fixed_away = self.played["away_goals"].to_numpy(dtype=np.int8)
        hg = np.concatenate([np.broadcast_to(fixed_home, (size, fixed_home.size)), home_goals], axis=1)
        ag = np.concatenate([np.broadcast_to(fixed_away, (size, fixed_away.size)), away_goals], axis=1)
        adjust = self.adjust if points_offset is None else self.adjust + points_offset
        standings = rank_league(self.home_idx, self.away_idx, hg, ag, len(self.teams), self.rules, adjust, rng=rng,
                                chunk_size=RANK_BLOCK)
        positions = standings.positions.copy()
        settle_playoffs(positions, standings, self.rules, rng if playoff_uniforms is None else playoff_uniforms)
        return positions, standings


def chunk_simulations(n_fixtures: int, n_matches: int, n_teams: int, requested: int | None = None) -> int:
    """Simulations per chunk: ``requested`` rounded up to whole :data:`RANK_BLOCK` blocks, or (None) as many
    blocks as fit :data:`CHUNK_BYTES` of temporaries (about 32 bytes per remaining fixture for the sampler,
    2 per match and 48 per club for the ranking, per simulation)."""
    if requested is not None:
        blocks = -(-max(1, int(requested)) // RANK_BLOCK)
    else:
        per_simulation = 32 * n_fixtures + 2 * n_matches + 48 * n_teams + 64
        blocks = max(1, CHUNK_BYTES // (per_simulation * RANK_BLOCK))
    return int(blocks) * RANK_BLOCK


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
    chunk_size: int | None = None,
    rules: TableRules | None = None,
    deductions: dict[str, int] | None = None,
    progress: Callable[[int, int], None] | None = None,
    record: Sequence[tuple[str, str]] = (),
    keep_simulations: bool = False,
) -> SeasonSimulation:
    """Simulate the rest of one league season.

    matches: every match of the season (played and scheduled), columns home, away (team ids), date,
    home_goals, away_goals, neutral. model: a fitted :class:`~matchday.models.interface.ScoreModel`.
    as_of: results up to and including this date are known. until: simulate only fixtures up to this date
    (a table "after date D"); None = the whole season. deductions: point adjustments by team id; None =
    those in force on ``as_of`` (later decisions cannot be known then). n_sims: 1 to
    :data:`~matchday.simulate.limits.MAX_SIMS`. chunk_size: simulations drawn and ranked at once (rounded up
    to whole :data:`RANK_BLOCK` blocks; None sizes chunks to :data:`CHUNK_BYTES`); the result depends on
    ``seed`` only, not on ``chunk_size``, and memory does not grow with ``n_sims``. progress(done, total):
    called after each chunk. record: (home, away) fixtures whose simulated scores are kept in
    ``result.recorded`` and keep_simulations: keep the per-simulation arrays (``result.positions`` ...);
    both grow with ``n_sims``.
    """
    n_sims = check_sims(n_sims)
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
        raise ConditionError("conditions given but no fixture is left to play")
    # One stream for scores, one for drawing lots, one for play-offs: results do not depend on the chunk size.
    streams = np.random.SeedSequence(seed).spawn(3)
    score_rng, lots_rng, playoff_rng = (np.random.default_rng(s) for s in streams)
    has_playoffs = bool(league.rules.playoff_for_title or league.rules.playoff_for_last_relegation_place)
    n_teams = len(league.teams)
    chunk = chunk_simulations(r, len(league.home_idx), n_teams, chunk_size)
    position_counts = np.zeros((n_teams, n_teams), dtype=np.int64)
    points = PointsHistogram(n_teams)
    kept: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    recorded_parts: dict[tuple[str, str], list[tuple[np.ndarray, np.ndarray]]] = {k: [] for k in recorded_columns}
    columns = np.arange(n_teams, dtype=np.int64)
    for start in range(0, n_sims, chunk):
        size = min(n_sims, start + chunk) - start
        if r:
            home_goals, away_goals = sampler.sample(random_bits(score_rng, (size, r)))
        else:
            home_goals = away_goals = np.zeros((size, 0), dtype=np.int8)
        uniforms = playoff_rng.random((size, 2)) if has_playoffs else None
        positions, standings = league.rank(home_goals, away_goals, lots_rng, playoff_uniforms=uniforms)
        codes = columns * n_teams + (positions.astype(np.int64) - 1)
        position_counts += np.bincount(codes.ravel(), minlength=n_teams * n_teams).reshape(n_teams, n_teams)
        points.add(standings.points)
        for key, col in recorded_columns.items():
            recorded_parts[key].append((home_goals[:, col].copy(), away_goals[:, col].copy()))
        if keep_simulations:
            kept.append((positions, standings.points, standings.goal_difference))
        if progress:
            progress(start + size, n_sims)
    recorded = {key: (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))
                for key, parts in recorded_parts.items()}
    simulations = None
    if keep_simulations:
        simulations = SimulatedSeasons(*(np.concatenate([part[k] for part in kept]) for k in range(3)))
    return SeasonSimulation(
        competition=league.rules.competition, season=league.rules.season, as_of=as_of, until=until,
        teams=league.teams, n_sims=n_sims, position_counts=position_counts, points_counts=points.counts,
        points_low=points.low, current=league.current_table(), rules=league.rules, n_remaining=r, seed=seed,
        conditions=[c.label for c in conditions], recorded=recorded, simulations=simulations,
    )


def settle_playoffs(positions: np.ndarray, standings: Standings, rules: TableRules,
                    rng: np.random.Generator | np.ndarray) -> None:
    """Serie A: a title or relegation tie on points is a play-off match; its loser takes the lower place.

    The ranking puts the two clubs in the two places at stake; a level play-off goes either way with
    probability :data:`PLAYOFF_DRAW_SPLIT` (the strength difference of the two clubs is ignored here).
    ``rng``: a generator, or uniforms ``(S, 2)`` (column 0 the title play-off, 1 the relegation play-off).
    """
    n_teams = positions.shape[1]
    flags = []
    if rules.playoff_for_title:
        flags.append((standings.title_playoff, 0, 0))
    if rules.playoff_for_last_relegation_place and rules.places.relegation:
        flags.append((standings.relegation_playoff, n_teams - rules.places.relegation - 1, 1))
    for flag, upper, column in flags:
        sims = np.flatnonzero(flag)
        if not sims.size:
            continue
        u = rng.random(sims.size) if isinstance(rng, np.random.Generator) else np.asarray(rng)[sims, column]
        swap = sims[u < PLAYOFF_DRAW_SPLIT]
        a = standings.order[swap, upper].astype(np.int64)
        b = standings.order[swap, upper + 1].astype(np.int64)
        positions[swap, a], positions[swap, b] = upper + 2, upper + 1


def apply_conditions(grid: ScoreGrid, remaining: pd.DataFrame, conditions: Sequence[FixtureCondition]) -> ScoreGrid:
    """The grid with the named fixtures restricted to their allowed scores (renormalised).

    Several conditions on one fixture must all hold. A :class:`ConditionError` names what cannot be met: a
    condition no cell of the model's grid satisfies (a score beyond its last row/column, which means "G or
    more"), one the model gives probability zero, or conditions that together leave no score (the two, or
    all, that conflict)."""
    home_goals, away_goals = grid.score_masks()
    homes, aways = remaining["home"].to_numpy(), remaining["away"].to_numpy()
    by_row: dict[int, list[tuple[FixtureCondition, np.ndarray]]] = {}
    for condition in conditions:
        rows = np.flatnonzero((homes == condition.home) & (aways == condition.away))
        if rows.size != 1:
            raise ConditionError(f"condition {condition.label!r} matches {rows.size} remaining fixtures; a "
                                 "condition names exactly one")
        mask = np.asarray(condition.allowed(home_goals, away_goals), dtype=bool)
        if mask.shape != home_goals.shape:
            raise ConditionError(f"condition {condition.label!r} does not give one value per score")
        if not mask.any():
            g = grid.max_goals
            raise ConditionError(f"condition {condition.label!r} leaves no possible score: the model's scores go "
                                 f"from 0 to {g} goals a side ({g} meaning {g} or more), so no score of 0-{g} "
                                 "meets it")
        by_row.setdefault(int(rows[0]), []).append((condition, mask))
    for row, items in by_row.items():
        together = np.logical_and.reduce([mask for _, mask in items])
        if not together.any():
            raise ConditionError(_conflict(items))
        kept = grid.probabilities[row] * together
        if not kept.sum() > 0:
            labels = " and ".join(repr(c.label) for c, _ in items)
            raise ConditionError(f"condition {labels} leaves no possible score: the model gives every score it "
                                 "allows probability 0")
        grid = grid.conditioned(row, together)
    return grid


def _conflict(items: list[tuple[FixtureCondition, np.ndarray]]) -> str:
    """The message for conditions on one fixture that no score meets together: the first pair that
    contradicts, else all of them."""
    for i, (first, mask_a) in enumerate(items):
        for second, mask_b in items[i + 1:]:
            if not (mask_a & mask_b).any():
                return (f"conditions {first.label!r} and {second.label!r} contradict each other: no score of "
                        f"that fixture meets both")
    labels = ", ".join(repr(c.label) for c, _ in items)
    return f"conditions {labels} contradict each other: no score of that fixture meets them all"
