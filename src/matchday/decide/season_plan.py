"""Monte Carlo of a club's whole remaining season under rotation plans, with common random numbers.

One :class:`PlanSimulator` draws the randomness of ``n_sims`` simulated futures (chunk by chunk, from the seed,
so memory does not grow with ``n_sims``); every plan is then played on the *same* futures:

* **League.** The season is set up as the season simulation sets it up
  (:class:`~matchday.simulate.season.LeagueFixtures`). One uint32 random number per (future, remaining
  fixture) (:func:`random_bits`). The other clubs' fixtures do not depend on the plan: they are drawn once
  with :class:`ScoreSampler` and reused. The club's own fixtures are drawn from the same numbers by the same
  sampler with the cells ordered by the club's goal difference (then its goals): a monotone coupling, so
  that on a given random number a stronger lineup never gets a worse goal difference. Every simulated
  season is ranked by the league's rules (:meth:`LeagueFixtures.rank`); futures in which the club's results
  equal those of the reference (no rotation, no fatigue) reuse the reference ranking, so only the futures
  a plan changes are ranked again.
* **The knockout path.** Each stage the club may play gets one block of uniforms in the layout of
  :data:`matchday.simulate.tie_play.UNIFORMS`, the same for every plan, and is played by
  :func:`play_two_legged` / :func:`play_single_match` (real rules: extra time, penalties). The club's
  opponents in later rounds come from one simulation of the rest of the bracket, shared by all plans: the
  side the club would meet is the winner of another part of the bracket, which the club's own results
  cannot change.
* **Rotation, fatigue and injuries** change only the club's own match strengths. They depend on the path:
  a league match three days after a semi-final that is played only if the club got there. The strengths of
  every match are computed for each possible path (how many cup stages the club plays), and each future
  uses the path it took.

With a zero second-string gap and no fatigue every plan gives the same grids, hence exactly the same
simulated results; differences between plans are measured on the same futures (paired standard errors).
The model is used through its contract only: ``rates`` and ``grid_from_rates`` for the club's adjusted
strengths, ``predict_many`` for everyone else.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from matchday.decide.calendar import LEAGUE_PHASE_STAGES, Calendar, CupStage, LeaguePhaseCup
from matchday.decide.club_strength import club_grid, club_order, club_scores, club_win_probability
from matchday.decide.fatigue import FatigueModel
from matchday.decide.league_phase_plan import PATH_KEYS, SKIP, LeaguePhasePaths, path_key, path_of_key
from matchday.decide.squad import LineupStrength
from matchday.decide.strategies import Plan
from matchday.models.grid import ScoreGrid
from matchday.simulate.limits import MAX_ROTATION_SIMS, check_sims
from matchday.simulate.sampling import ScoreSampler, random_bits
from matchday.simulate.season import LeagueFixtures
from matchday.simulate.tie_play import KnockoutParams, draw_uniforms, play_single_match, play_two_legged

if TYPE_CHECKING:  # pragma: no cover
    from matchday.models.interface import ScoreModel

DEFAULT_SIMS = 20_000
#: Futures simulated at once (fixed, so results depend on the seed only): memory does not grow with n_sims.
PLAN_CHUNK = 1 << 15

__all__ = ["DEFAULT_SIMS", "PathStrengths", "PlanOutcomes", "PlanSimulator", "club_grid", "club_order", "club_scores",
           "club_win_probability", "path_strengths"]


# ---------------------------------------------------------------------------------------------------
# Strengths along a path
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PathStrengths:
    """Per calendar match on one path (NaN where the match is not played on it): rest days, fatigue
    overlap, expected absent first-choice players, expected injuries, and the log attack / defence changes."""

    rest: np.ndarray
    overlap: np.ndarray
    absent: np.ndarray
    injuries: np.ndarray
    attack: np.ndarray
    defence: np.ndarray


def path_strengths(calendar: Calendar, levels: Sequence[str], lineup: LineupStrength, fatigue: FatigueModel,
                   stages_played: int, skip_stages: frozenset[int] = frozenset()) -> PathStrengths:
    """Walk the calendar in date order, playing cup matches of stages < ``stages_played`` only (and not
    those of ``skip_stages``: the knockout play-offs of a club in the league phase's top 8).

    Match m at level L (first-choice share s): fatigue overlap = (share of the previous match) x s when the
    rest before m is short; expected absent = injuries of the previous ``layoff_matches`` matches; absent
    players cost ``per_player`` each beyond the first-choice players the level leaves out anyway.
    """
    n = len(calendar.matches)
    rest, overlap, absent, injuries, attack, defence = (np.full(n, np.nan) for _ in range(6))
    previous_date = calendar.last_match
    previous_load = lineup.initial_load
    recent: list[float] = []
    for i, match in enumerate(calendar.matches):
        if match.is_cup and match.stage is not None and (match.stage >= stages_played or match.stage in skip_stages):
            continue
        level = levels[i]
        share = lineup.share[level]
        days = (match.date - previous_date).days if previous_date is not None else None
        lap = previous_load * share if fatigue.is_short(days) else 0.0
        missing = sum(recent[-fatigue.layoff_matches:]) if fatigue.layoff_matches else 0.0
        uncovered = max(0.0, min(missing, 11.0) - 11.0 * (1.0 - share))
        rest[i] = np.nan if days is None else days
        overlap[i] = lap
        absent[i] = missing
        attack[i] = lineup.attack[level] + fatigue.attack * lap + lineup.per_player_attack * uncovered
        defence[i] = lineup.defence[level] + fatigue.defence * lap + lineup.per_player_defence * uncovered
        injuries[i] = fatigue.expected_injuries(share, lap)
        recent.append(injuries[i])
        previous_date, previous_load = match.date, share
    return PathStrengths(rest, overlap, absent, injuries, attack, defence)


# ---------------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------------


@dataclass
class PlanOutcomes:
    """One plan on every simulated future (arrays of length ``n_sims``).

    position / points: the club's final league position and points; stages: cup stages played (0 = no cup);
    trophy: won the UEFA competition. levels: the level of each calendar match. strengths: per match on
    the longest path (level, rest, overlap, absent, attack, defence, expected injuries, P(win) where the
    opponent is known). places: the league's Champions League places; europe_places: its European places
    (``europe`` outcome). points_offset: points added to the club before ranking (sensitivity runs).
    """

    plan: Plan
    levels: list[str]
    position: np.ndarray
    points: np.ndarray
    stages: np.ndarray
    trophy: np.ndarray
    strengths: pd.DataFrame
    stage_names: list[str]
    places: int
    points_offset: int = 0
    europe_places: int = 0  # league positions counted as a European place (rules: Places.europe)

    @property
    def n_sims(self) -> int:
        return int(self.position.shape[0])

    def indicator(self, outcome: str) -> np.ndarray:
        """Per-future value of an outcome (see :func:`matchday.decide.strategies.outcome_name`)."""
        from matchday.decide.strategies import outcome_name

        outcome = outcome_name(outcome)
        if outcome == "title":
            return (self.position == 1).astype(float)
        if outcome.startswith("top"):
            return (self.position <= int(outcome[3:])).astype(float)
        if outcome == "europe":
            return (self.position <= self.europe_places).astype(float)
        if outcome == "trophy":
            return self.trophy.astype(float)
        if outcome == "points":
            return self.points.astype(float)
        target = "Final" if outcome == "final" else "Semi-final"
        if target in self.stage_names:
            return (self.stages >= self.stage_names.index(target) + 1).astype(float)
        if not self.stage_names:
            return np.zeros(self.n_sims)
        # the club is past that round already (e.g. "semi" when it is in the final): it has reached it
        from matchday.simulate.knockout_state import KNOCKOUT_ORDER

        first = self.stage_names[0]
        past = KNOCKOUT_ORDER.index(first) > KNOCKOUT_ORDER.index(target) if first in KNOCKOUT_ORDER else False
        return np.full(self.n_sims, 1.0 if past else 0.0)

    def objective(self, weights: dict[str, float]) -> np.ndarray:
        total = np.zeros(self.n_sims)
        for outcome, weight in weights.items():
            total += weight * self.indicator(outcome)
        return total

    @property
    def expected_injuries(self) -> float:
        return float(np.nansum(self.strengths["expected_injuries"]))


# ---------------------------------------------------------------------------------------------------
# The simulator
# ---------------------------------------------------------------------------------------------------


@dataclass
class _Futures:
    """The randomness of one chunk of futures, shared by every plan.

    home_goals / away_goals: ``(c, r)`` scores of the remaining league fixtures (the other clubs' drawn; the
    club's columns are filled per plan); league_bits: ``(c, k)`` random numbers of the club's league fixtures;
    uniforms: per cup stage, the ``(len(UNIFORMS), c)`` uniforms of the club's tie; path_opponents: per stage,
    (opponent index, club hosts the first leg) per future, or None when the opponent is known; rank_seed: the
    lots of the league ranking; lp: the league-phase paths (from 2024-25); reference: the reference ranking
    per points offset (see :meth:`PlanSimulator._reference_ranking`).
    """

    size: int
    home_goals: np.ndarray
    away_goals: np.ndarray
    league_bits: np.ndarray
    uniforms: list[np.ndarray]
    path_opponents: list[tuple[np.ndarray, np.ndarray] | None]
    rank_seed: np.random.SeedSequence
    lp: LeaguePhasePaths | None = None
    reference: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=dict)


class PlanSimulator:
    """Common random numbers for ``n_sims`` futures of ``calendar``'s club, and plans evaluated on them.

    model: a fitted :class:`~matchday.models.interface.ScoreModel` (its rates and ``grid_from_rates`` give the
    club's adjusted strengths); fitted once, on the matches up to ``as_of``.
    seed: one seed for everything (league numbers, tie uniforms, the rest of the bracket, lots).
    n_sims: 2 to :data:`~matchday.simulate.limits.MAX_ROTATION_SIMS`. The futures are simulated in chunks
    of :data:`PLAN_CHUNK` (chunk ``c`` draws from the seed sequence's children ``4c .. 4c + 3``: the league
    numbers, the club's tie uniforms, the rest of the bracket, the lots), so the memory of a run does not
    grow with ``n_sims`` beyond the few bytes per future and plan that :class:`PlanOutcomes` keeps; a run of
    one chunk keeps its futures between calls, longer runs draw each chunk again (from the same seeds, so
    every plan and every sensitivity run sees the same futures).
    """

    def __init__(self, calendar: Calendar, model: ScoreModel, *, n_sims: int = DEFAULT_SIMS, seed: int = 0) -> None:
        self.n_sims = check_sims(n_sims, minimum=2, maximum=MAX_ROTATION_SIMS, name="n_sims",
                                 why_minimum="plans are compared by paired standard errors, which need two futures")
        self.calendar, self.model, self.seed = calendar, model, seed
        self._entropy = np.random.SeedSequence(seed).entropy
        club, league_code = calendar.club, calendar.league
        self.league = league = LeagueFixtures.build(calendar.league_matches, league_code, calendar.season,
                                                    calendar.as_of)
        self.rules = league.rules
        self.club_index = league.index_of(club)
        remaining = league.remaining
        column = {label: k for k, label in enumerate(remaining.index)}
        r = len(remaining)
        self.league_positions = [i for i, m in enumerate(calendar.matches) if not m.is_cup]
        self.club_cols = np.array([column[calendar.matches[i].fixture] for i in self.league_positions], dtype=np.int64)
        self._other_cols = np.setdiff1d(np.arange(r), self.club_cols)
        self._other_sampler = ScoreSampler(league.predict(model, self._other_cols)) if self._other_cols.size else None
        club_rows = remaining.iloc[self.club_cols] if r else remaining
        self.league_club_home = (club_rows["home"] == club).to_numpy(dtype=bool)
        rate_h, rate_a = (model.rates(club_rows["home"].to_numpy(), club_rows["away"].to_numpy(),
                                      league.remaining_neutral(self.club_cols), competition=league_code)
                          if len(club_rows) else (np.zeros(0), np.zeros(0)))
        self.league_rate_for = np.where(self.league_club_home, rate_h, rate_a)
        self.league_rate_against = np.where(self.league_club_home, rate_a, rate_h)

        # knockout path (from 2024-25: the league phase, then the knockout path it leads to)
        cup = calendar.cup
        self.stages: list[CupStage] = cup.stages if cup is not None else []
        self.stage_names = [s.round for s in self.stages]
        #: from 2024-25 the club's cup path is the league phase, then the knockout path it leads to
        #: (:class:`LeaguePhasePaths`, drawn chunk by chunk like the rest)
        self._lp_mode = isinstance(cup, LeaguePhaseCup)
        if self._lp_mode:
            self.stage_names = list(LEAGUE_PHASE_STAGES)
        self._params = KnockoutParams(rules=cup.rules) if cup is not None else KnockoutParams()
        self._rate_cache: dict[tuple[str, str], tuple[float, float]] = {}
        self.opponent_names: list[str] = ([t for tie in cup.ties for t in (tie.home, tie.away)]
                                          if cup is not None and not self._lp_mode else [])
        self.n_chunks = -(-self.n_sims // PLAN_CHUNK)
        self._kept: _Futures | None = None
        #: progress(done, total) of every :meth:`evaluate_many` not given its own (sensitivity reruns)
        self.progress: Callable[[int, int], None] | None = None

    # ------------------------------------------------------------------ the futures, chunk by chunk
    def _streams(self, chunk: int) -> list[np.random.SeedSequence]:
        """Chunk ``chunk``'s four seed sequences: children 4c .. 4c + 3 of the run's seed (chunk 0: the
        children ``SeedSequence(seed).spawn(4)`` gives)."""
        return [np.random.SeedSequence(self._entropy, spawn_key=(4 * chunk + j,)) for j in range(4)]

    def _futures(self, chunk: int) -> _Futures:
        """The randomness of futures ``chunk * PLAN_CHUNK ...`` (kept when the run is one chunk)."""
        if self._kept is not None:
            return self._kept
        size = min(PLAN_CHUNK, self.n_sims - chunk * PLAN_CHUNK)
        streams = self._streams(chunk)
        r = self.league.n_remaining
        bits = random_bits(np.random.default_rng(streams[0]), (size, r))
        home_goals = np.empty((size, r), dtype=np.int8)
        away_goals = np.empty((size, r), dtype=np.int8)
        if self._other_sampler is not None:
            other = self._other_cols
            home_goals[:, other], away_goals[:, other] = self._other_sampler.sample(bits[:, other])
        cup_rng = np.random.default_rng(streams[1])  # one stream: each stage gets its own block
        uniforms = [draw_uniforms(cup_rng, size) for _ in self.stages]
        lp = LeaguePhasePaths(self.calendar, self.model, size, streams[2].spawn(4)) if self._lp_mode else None
        opponents = (self._simulate_rest_of_bracket(np.random.default_rng(streams[2]), size)
                     if self.calendar.cup is not None and not self._lp_mode else [])
        futures = _Futures(size, home_goals, away_goals, bits[:, self.club_cols], uniforms, opponents, streams[3],
                           lp)
        if self.n_chunks == 1:
            self._kept = futures
        return futures

    # ------------------------------------------------------------------ the rest of the bracket
    def _grid(self, pairs: list[tuple[str, str]], neutral: bool) -> ScoreGrid:
        """Baseline (model) grid of (home, away) pairs in the cup competition."""
        home = np.array([p[0] for p in pairs], dtype=object)
        away = np.array([p[1] for p in pairs], dtype=object)
        return self.model.predict_many(home, away, np.full(len(pairs), neutral),
                                       competition=self.calendar.cup.competition)

    def _play(self, home: np.ndarray, away: np.ndarray, names: list[str], two_legged: bool, neutral: bool,
              rng: np.random.Generator, first_leg: np.ndarray | None = None) -> np.ndarray:
        """Winners (team indices) of ties ``home[r]`` v ``away[r]`` (baseline strengths, fresh uniforms)."""
        codes, inverse = np.unique(home * len(names) + away, return_inverse=True)
        pairs = [(names[c // len(names)], names[c % len(names)]) for c in codes]
        uniforms = draw_uniforms(rng, home.size)
        if two_legged:
            draws = play_two_legged(self._grid(pairs, False), self._grid([(b, a) for a, b in pairs], False),
                                    uniforms, index=inverse, params=self._params,
                                    first_leg_home_goals=None if first_leg is None else first_leg[:, 0],
                                    first_leg_away_goals=None if first_leg is None else first_leg[:, 1])
        else:
            draws = play_single_match(self._grid(pairs, neutral), uniforms, index=inverse, params=self._params)
        return np.where(draws.winner == 0, home, away)

    def _simulate_rest_of_bracket(self, rng: np.random.Generator, s: int) -> list[tuple[np.ndarray, np.ndarray] | None]:
        """Who the club would meet in each later stage, in each of ``s`` futures (independent of the club's
        results)."""
        cup = self.calendar.cup
        names = self.opponent_names
        k = len(cup.ties)
        home = np.tile(np.arange(0, 2 * k, 2), s)
        away = home + 1
        first = np.array([tie.first_leg if tie.first_leg is not None else (np.nan, np.nan) for tie in cup.ties], float)
        winners = self._play(home, away, names, cup.first_round.two_legged, cup.first_round.neutral, rng,
                             np.tile(first, (s, 1)) if cup.first_round.two_legged else None)
        known = np.array([-1 if t.winner is None else names.index(t.winner) for t in cup.ties])
        winners = np.where(np.tile(known, s) >= 0, np.tile(known, s), winners).reshape(s, k)
        path = np.full(s, cup.club_tie)
        rows = np.arange(s)
        opponents: list[tuple[np.ndarray, np.ndarray] | None] = [None] if not cup.club_through else []
        for round_ in cup.later_rounds:
            width = winners.shape[1]
            if round_.open_draw:
                order = np.argsort(rng.random((s, width)), axis=1)
                slots = np.take_along_axis(winners, order, axis=1)
                position = np.argsort(order, axis=1)[rows, path]
            else:
                cols = (np.arange(width) if round_.pairings is None
                        else np.array([i for pair in round_.pairings for i in pair]))
                slots = winners[:, cols]
                inverse = np.empty(width, dtype=np.int64)
                inverse[cols] = np.arange(width)
                position = inverse[path]
            opponents.append((slots[rows, position ^ 1], position % 2 == 0))
            winners = self._play(slots[:, 0::2].ravel(), slots[:, 1::2].ravel(), names, round_.two_legged,
                                 round_.neutral, rng).reshape(s, width // 2)
            path = position // 2
        return opponents

    # ------------------------------------------------------------------ club cup matches
    def _cup_rates(self, opponent: str, venue: str) -> tuple[float, float]:
        """(rate for, rate against) of the club v ``opponent`` at ``venue`` in the cup (model strengths)."""
        key = (opponent, venue)
        if key not in self._rate_cache:
            comp = self.calendar.cup.competition
            club = self.calendar.club
            if venue == "away":
                rate_h, rate_a = self.model.rates([opponent], [club], [False], competition=comp)
                self._rate_cache[key] = (float(rate_a[0]), float(rate_h[0]))
            else:
                rate_h, rate_a = self.model.rates([club], [opponent], [venue == "neutral"], competition=comp)
                self._rate_cache[key] = (float(rate_h[0]), float(rate_a[0]))
        return self._rate_cache[key]

    def _leg_grid(self, opponents: list[str], club_home: np.ndarray, venues: list[str],
                  delta: tuple[float, float]) -> ScoreGrid:
        """Grid (host first) of one leg of the club against each opponent, with the club's strength change."""
        rates = np.array([self._cup_rates(o, v) for o, v in zip(opponents, venues, strict=True)]).reshape(-1, 2)
        return club_grid(self.model, rates[:, 0], rates[:, 1], club_home, *delta)

    def _stage_grids(self, stage: CupStage, opponents: list[str], hosts: np.ndarray,
                     deltas: dict[int, tuple[float, float]]) -> tuple[ScoreGrid, ScoreGrid | None]:
        """Grids of the club's legs against each (opponent, hosts) combination: (first leg, second leg or
        None for a single match). Leg grids are written host-first."""
        hosts = np.asarray(hosts, bool)
        if not stage.two_legged:
            venue = "neutral" if stage.neutral else "home"
            return self._leg_grid(opponents, np.ones(len(opponents), bool), [venue] * len(opponents),
                                  deltas.get(1, (0.0, 0.0))), None
        legs = {m.leg or 1 for m in stage.matches}
        grids = []
        for leg in (1, 2):
            club_home = hosts if leg == 1 else ~hosts
            delta = deltas.get(leg, (0.0, 0.0)) if leg in legs else (0.0, 0.0)
            grids.append(self._leg_grid(opponents, club_home, ["home" if h else "away" for h in club_home], delta))
        return grids[0], grids[1]

    def _play_cup(self, futures: _Futures, strengths: dict[int, PathStrengths]) -> tuple[np.ndarray, np.ndarray]:
        """(stages played, trophy) per future of the chunk for one plan's strengths."""
        s = futures.size
        stages_played = np.zeros(s, dtype=np.int8)
        trophy = np.zeros(s, dtype=bool)
        if not self.stages:
            return stages_played, trophy
        alive = np.ones(s, dtype=bool)
        positions = {m.key: i for i, m in enumerate(self.calendar.matches)}
        for number, stage in enumerate(self.stages):
            rows = np.flatnonzero(alive)
            if rows.size == 0:
                break
            stages_played[rows] = number + 1
            path = strengths[number + 1]
            deltas = {(m.leg or 1): (float(path.attack[positions[m.key]]), float(path.defence[positions[m.key]]))
                      for m in stage.matches}
            if futures.path_opponents[number] is None:
                opponents = [stage.opponent]
                hosts = np.array([bool(stage.club_hosts_first_leg)])
                combo = np.zeros(rows.size, dtype=np.int64)
            else:
                opp, host = futures.path_opponents[number]
                unique, combo = np.unique(opp[rows] * 2 + host[rows], return_inverse=True)
                opponents = [self.opponent_names[c // 2] for c in unique]
                hosts = (unique % 2).astype(bool)
            first_grid, second_grid = self._stage_grids(stage, opponents, hosts, deltas)
            uniforms = futures.uniforms[number][:, rows]
            if stage.two_legged:
                first_leg = stage.first_leg
                draws = play_two_legged(
                    first_grid, second_grid, uniforms, index=combo, params=self._params,
                    first_leg_home_goals=None if first_leg is None else float(first_leg[0]),
                    first_leg_away_goals=None if first_leg is None else float(first_leg[1]),
                )
                won = (draws.winner == 0) == hosts[combo]
            else:
                draws = play_single_match(first_grid, uniforms, index=combo, params=self._params)
                won = draws.winner == 0
            alive[rows] = won
            if number == len(self.stages) - 1:
                trophy[rows] = won
        return stages_played, trophy

    # ------------------------------------------------------------------ league
    def _club_league_scores(self, futures: _Futures, attack: np.ndarray | float = 0.0,
                            defence: np.ndarray | float = 0.0) -> tuple[np.ndarray, np.ndarray]:
        """(club goals, opponent goals) ``(c, k)`` in the club's league fixtures, every future of the chunk
        with the same strength changes (per fixture)."""
        grid = club_grid(self.model, self.league_rate_for, self.league_rate_against, self.league_club_home,
                         attack, defence)
        return club_scores(grid, self.league_club_home, futures.league_bits)

    def _league_scores(self, futures: _Futures, strengths: dict[int, PathStrengths], stages_played: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
        """(club goals, opponent goals) ``(c, k)`` in the club's league fixtures, each future on its path."""
        index = np.array(self.league_positions, dtype=np.int64)
        variants = sorted(strengths)
        club_goals = opp_goals = None
        for v in variants:
            c, o = self._club_league_scores(futures, strengths[v].attack[index], strengths[v].defence[index])
            if club_goals is None:
                club_goals, opp_goals = c, o
            else:
                rows = stages_played == v
                club_goals[rows], opp_goals[rows] = c[rows], o[rows]
        return club_goals, opp_goals

    def _rank(self, futures: _Futures, club_goals: np.ndarray, opp_goals: np.ndarray, rows: np.ndarray | None,
              points_offset: int) -> tuple[np.ndarray, np.ndarray]:
        """(position, points) of the club in the chunk's futures ``rows`` (all when None) given its league
        scores."""
        hg = futures.home_goals if rows is None else futures.home_goals[rows]
        ag = futures.away_goals if rows is None else futures.away_goals[rows]
        hg, ag = hg.copy(), ag.copy()
        home = self.league_club_home
        hg[:, self.club_cols] = np.where(home, club_goals, opp_goals)
        ag[:, self.club_cols] = np.where(home, opp_goals, club_goals)
        offset = np.zeros(len(self.league.teams), dtype=np.int64)
        offset[self.club_index] = points_offset
        positions, standings = self.league.rank(hg, ag, np.random.default_rng(futures.rank_seed), offset)
        return positions[:, self.club_index].astype(np.int16), standings.points[:, self.club_index].astype(np.int16)

    def _reference_ranking(self, futures: _Futures, points_offset: int
                           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The chunk's reference futures (no rotation, no fatigue: the model's own strengths) and their ranking."""
        if points_offset not in futures.reference:
            club_goals, opp_goals = self._club_league_scores(futures)
            position, points = self._rank(futures, club_goals, opp_goals, None, points_offset)
            futures.reference[points_offset] = (club_goals, opp_goals, position, points)
        return futures.reference[points_offset]

    def _evaluate_chunk(self, futures: _Futures, strengths: dict[int, PathStrengths], points_offset: int
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(position, points, stages played, trophy) of one plan in the chunk's futures."""
        if futures.lp is not None:
            path, trophy, _ = futures.lp.play(strengths)
            stages_played = (path % SKIP).astype(np.int8)
            club_goals, opp_goals = self._league_scores(futures, strengths, path)
        else:
            stages_played, trophy = self._play_cup(futures, strengths)
            club_goals, opp_goals = self._league_scores(futures, strengths, stages_played)
        ref_club, ref_opp, ref_position, ref_points = self._reference_ranking(futures, points_offset)
        changed = np.flatnonzero(((club_goals != ref_club) | (opp_goals != ref_opp)).any(axis=1))
        position, points = ref_position.copy(), ref_points.copy()
        if changed.size:
            position[changed], points[changed] = self._rank(futures, club_goals[changed], opp_goals[changed],
                                                            changed, points_offset)
        return position, points, stages_played, trophy

    # ------------------------------------------------------------------ public
    def strengths(self, plan: Plan, lineup: LineupStrength, fatigue: FatigueModel) -> dict[int, PathStrengths]:
        """The plan's match strengths on every path (key = cup stages played; 0 when there is no cup; in the
        league-phase format :func:`~matchday.decide.league_phase_plan.path_key`)."""
        if self._lp_mode:
            out = {}
            for key in PATH_KEYS:
                played, skipped = path_of_key(key)
                out[key] = path_strengths(self.calendar, plan.levels(self.calendar, played), lineup, fatigue, played,
                                          skipped)
            return out
        variants = range(1, len(self.stages) + 1) if self.stages else [0]
        return {v: path_strengths(self.calendar, plan.levels(self.calendar, v if self.stages else None), lineup,
                                  fatigue, v) for v in variants}

    def evaluate(self, plan: Plan, lineup: LineupStrength, fatigue: FatigueModel, *, points_offset: int = 0
                 ) -> PlanOutcomes:
        """Play ``plan`` on every simulated future."""
        return self.evaluate_many([plan], lineup, fatigue, points_offset=points_offset)[0]

    def evaluate_many(self, plans: Sequence[Plan], lineup: LineupStrength, fatigue: FatigueModel, *,
                      points_offset: int = 0, progress: Callable[[int, int], None] | None = None) -> list[PlanOutcomes]:
        """Play every plan on every simulated future, chunk by chunk (each chunk's futures drawn once for all
        plans). progress(done, total): futures x plans played so far."""
        progress = progress or self.progress
        prepared = [(plan, plan.levels(self.calendar), self.strengths(plan, lineup, fatigue)) for plan in plans]
        parts: list[list[tuple[np.ndarray, ...]]] = [[] for _ in prepared]
        total, done = self.n_sims * len(prepared), 0
        for chunk in range(self.n_chunks):
            futures = self._futures(chunk)
            for k, (_, _, strengths) in enumerate(prepared):
                parts[k].append(self._evaluate_chunk(futures, strengths, points_offset))
                done += futures.size
                if progress:
                    progress(done, total)
        out = []
        for (plan, levels, strengths), chunks in zip(prepared, parts, strict=True):
            position, points, stages, trophy = (np.concatenate([c[i] for c in chunks]) for i in range(4))
            out.append(PlanOutcomes(plan=plan, levels=levels, position=position, points=points, stages=stages,
                                    trophy=trophy, strengths=self._strength_table(levels, strengths),
                                    stage_names=self.stage_names, places=self.rules.places.champions_league,
                                    points_offset=points_offset, europe_places=self.rules.places.europe))
        return out

    def _strength_table(self, levels: list[str], strengths: dict[int, PathStrengths]) -> pd.DataFrame:
        longest = strengths[int(path_key(6, False))] if self._lp_mode else strengths[max(strengths)]
        cal = self.calendar
        win = np.full(len(cal.matches), np.nan)
        if self.league_positions:
            idx = np.array(self.league_positions)
            grid = club_grid(self.model, self.league_rate_for, self.league_rate_against, self.league_club_home,
                             longest.attack[idx], longest.defence[idx])
            win[idx] = club_win_probability(grid, self.league_club_home)
        where = {key: i for i, key in enumerate(cal.keys)}
        for number, stage in enumerate(self.stages):
            if stage.opponent is None:
                continue
            for m in stage.matches:
                i = where[m.key]
                venue = m.venue or "home"
                rate_for, rate_against = self._cup_rates(stage.opponent, venue)
                path = longest if self._lp_mode else strengths[number + 1]
                grid = club_grid(self.model, [rate_for], [rate_against], [venue != "away"],
                                 path.attack[i], path.defence[i])
                win[i] = club_win_probability(grid, [venue != "away"])[0]
        return pd.DataFrame({
            "key": cal.keys, "date": [m.date for m in cal.matches], "level": levels, "rest_days": longest.rest,
            "overlap": longest.overlap, "expected_absent": longest.absent, "attack": longest.attack,
            "defence": longest.defence, "expected_injuries": longest.injuries, "p_win": win,
        })
