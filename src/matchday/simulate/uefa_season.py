"""The UEFA club competitions from 2024-25 by vectorised Monte Carlo: one engine for CL, EL and ECL.

From any date of the season: the rest of the 36-club league phase (each remaining fixture drawn from the
model's :class:`~matchday.models.grid.ScoreGrid` by the one :class:`~matchday.simulate.sampling.ScoreSampler`,
every simulated phase ranked by :func:`~matchday.rules.uefa_league_phase.rank_league_phase`, the code that
ranks the real table), then the knockout phase as the regulations build it from the final positions
(:mod:`matchday.rules.uefa_bracket`): knockout play-offs 9-16 v 17-24, the round of 16 fixed by position,
quarter-finals, semi-finals and the single-match final at a neutral venue, every tie settled by the tie
engine (:mod:`matchday.simulate.tie_play`, :class:`~matchday.simulate.tie_play.KnockoutParams`: extra
time, penalties, no away goals).

What is known on the as-of date is used, and nothing later:

* league-phase results dated on or before ``as_of`` are fixed, the other league-phase fixtures (later, or
  without a result: postponed, overdue) are simulated;
* a knockout round's stored pairings are used when its draw had taken place by ``as_of``
  (:func:`matchday.rules.uefa_draws.draw_date`) and the clubs in it were known (the league phase, or the
  previous round, decided by ``as_of``); their legs played by ``as_of`` are fixed;
* everything the draws have not fixed yet is a seeded lot: each simulation takes one of the draws the rules
  allow that reproduce the stored pairings (:func:`matchday.rules.uefa_draws.agreeing_draws`), uniformly,
  i.e. a fair coin for each open choice of :class:`~matchday.rules.uefa_bracket.BracketDraw`.

Modelled explicitly: club coefficients and disciplinary points (criteria i-j of the league-phase ranking)
are not stored, so clubs level on every other criterion are separated by a seeded lot (flagged in the
notes when it happens in the real table). Random streams: one for the scores, one for ranking lots, one
for the draws, one for the knockout ties, all spawned from ``seed``.

Example::

    model = fit_model("dixon-coles", store, as_of)
    result = simulate_uefa_season(store.matches(["UCL"], ["2024-25"]), model, "UCL", "2024-25",
                                  as_of=dt.date(2024, 12, 15), n_sims=100_000, seed=0)
    result.summary()       # P(top 8), P(9-24), P(out), expected points, P(reach each round), P(win)
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from matchday.data.errors import DataError
from matchday.models.grid import ScoreGrid
from matchday.rules.uefa_bracket import BracketDraw, bracket_slots, clubs_in_slots, ties_of_round
from matchday.rules.uefa_draws import (
    KNOCKOUT_ROUNDS,
    PLAYOFF,
    AgreeingDraws,
    agreeing_draws,
    draw_date,
    take_draws,
)
from matchday.rules.uefa_format import UefaFormat
from matchday.rules.uefa_league_phase import (
    LeaguePhaseStandings,
    league_phase_fixtures,
    league_phase_table,
    rank_league_phase,
)
from matchday.simulate.sampling import ScoreSampler, random_bits
from matchday.simulate.tie_play import KnockoutParams, draw_uniforms, play_single_match, play_two_legged

if TYPE_CHECKING:  # pragma: no cover
    from matchday.models.interface import ScoreModel

DEFAULT_SIMS = 100_000
CHUNK = 25_000  # simulations per block (bounds the sampler's and the tie engine's temporary memory)
#: How far a club gets: index into STAGES (0: out after the league phase ... 6: wins the trophy).
STAGES: tuple[str, ...] = ("League phase", *KNOCKOUT_ROUNDS, "Winner")
#: Columns of :meth:`UefaSimulation.knockout_table` (P(reaching the stage)), in stage order.
STAGE_COLUMNS: tuple[str, ...] = ("p_knockout_phase", "p_round_of_16", "p_quarter_final", "p_semi_final", "p_final",
                                  "p_winner")
_TIES_PER_ROUND = {"Knockout play-off": 8, "Round of 16": 8, "Quarter-final": 4, "Semi-final": 2, "Final": 1}


# --------------------------------------------------------------------------------------------- league phase
@dataclass
class LeaguePhase:
    """One league phase split at ``as_of``: clubs (sorted ids), every fixture (played first, then the ones
    still to play), the opponents matrix of the whole schedule and the alphabetical order of the names."""

    competition: str
    season: str
    as_of: dt.date | None
    fmt: UefaFormat
    teams: list[str]
    fixtures: pd.DataFrame  # played rows first, then remaining; columns of the match frame
    n_played: int
    home_idx: np.ndarray
    away_idx: np.ndarray
    meetings: np.ndarray
    alphabetical: np.ndarray
    frame: pd.DataFrame  # every match of the competition season (any round), as given
    names: dict[str, str]

    @classmethod
    def build(cls, matches: pd.DataFrame, competition: str, season: str, as_of: dt.date | None, *,
              names: Mapping[str, str] | None = None, fmt: UefaFormat | None = None) -> LeaguePhase:
        """The league phase of ``matches`` (every match of the competition season: columns home, away,
        date, home_goals, away_goals, round)."""
        from matchday.data.frames import as_of_day, on_or_before

        phase = league_phase_fixtures(matches, competition, season, fmt)
        fmt, teams = phase.fmt, phase.teams
        rows = phase.rows.copy()
        rows["date"] = pd.to_datetime(rows["date"])
        expected_matches = fmt.league_phase_matches
        if len(rows) != expected_matches:
            raise DataError(f"{fmt.competition} {fmt.season}: {len(rows)} league-phase fixtures are stored",
                            column="round", value=len(rows), expected=f"{expected_matches}")
        scored = rows["home_goals"].notna() & rows["away_goals"].notna()
        played = scored.to_numpy() & on_or_before(rows["date"].to_numpy(dtype="datetime64[ns]"), as_of_day(as_of))
        fixtures = pd.concat([rows[played], rows[~played]]).reset_index(drop=True)  # played first
        label = dict(names or {})
        return cls(fmt.competition, fmt.season, as_of, fmt, teams, fixtures, int(played.sum()),
                   phase.index(fixtures["home"]), phase.index(fixtures["away"]), phase.opponents,
                   phase.alphabetical(label), matches, {t: str(label.get(t, t)) for t in teams})

    @property
    def n_remaining(self) -> int:
        return len(self.fixtures) - self.n_played

    @property
    def remaining(self) -> pd.DataFrame:
        return self.fixtures.iloc[self.n_played:]

    @property
    def complete(self) -> bool:
        return self.n_remaining == 0

    @property
    def last_date(self) -> dt.date:
        """Date of the last league-phase fixture (played or not)."""
        return pd.Timestamp(self.fixtures["date"].max()).date()

    def predict(self, model: ScoreModel) -> ScoreGrid:
        """The model's grids of the remaining fixtures (home advantage of this competition)."""
        rest = self.remaining
        return model.predict_many(rest["home"].to_numpy(), rest["away"].to_numpy(), np.zeros(len(rest), bool),
                                  competition=self.competition)

    def rank(self, home_goals: np.ndarray, away_goals: np.ndarray, rng: np.random.Generator | int | None
             ) -> LeaguePhaseStandings:
        """Final standings of S simulated phases whose remaining fixtures ended ``home_goals`` -
        ``away_goals`` ((S, n_remaining) int8): every club has played all its matches, so the full list
        of criteria applies (a lot where the data lack the coefficients)."""
        size = home_goals.shape[0]
        played = self.fixtures.iloc[:self.n_played]
        fixed_h = played["home_goals"].to_numpy(dtype=np.int8)
        fixed_a = played["away_goals"].to_numpy(dtype=np.int8)
        hg = np.concatenate([np.broadcast_to(fixed_h, (size, fixed_h.size)), home_goals], axis=1)
        ag = np.concatenate([np.broadcast_to(fixed_a, (size, fixed_a.size)), away_goals], axis=1)
        return rank_league_phase(self.home_idx, self.away_idx, hg, ag, len(self.teams),
                                 matches_per_team=self.fmt.matches_per_club, opponents=self.meetings,
                                 full_criteria=True, alphabetical=self.alphabetical, rng=rng)

    def current_table(self) -> pd.DataFrame:
        """The real league-phase table on ``as_of`` (UEFA's criteria; alphabetical order before the last
        matchday)."""
        return league_phase_table(self.frame, self.competition, self.season, as_of=self.as_of, names=self.names,
                                  fmt=self.fmt)


# --------------------------------------------------------------------------------------------- knockouts
@dataclass(frozen=True)
class KnownTie:
    """A stored knockout tie known on the as-of date: (first-leg host, second-leg host) as team ids, the
    first leg's score if played by then, and the winner if decided by then."""

    round: str
    home: str
    away: str
    first_leg: tuple[int, int] | None
    winner: str | None


@dataclass(frozen=True)
class KnockoutKnowledge:
    """What the stored knockout phase shows on the as-of date: the rounds whose pairings are used, their
    ties, the draws that agree with them (None while the league phase is open) and why a stored round
    was left out."""

    rounds: tuple[str, ...]
    ties: tuple[KnownTie, ...]
    draws: AgreeingDraws | None
    notes: tuple[str, ...]

    def of_round(self, name: str) -> list[KnownTie]:
        return [t for t in self.ties if t.round == name]


def _decided_ties(matches: pd.DataFrame, as_of: dt.date | None
                  ) -> tuple[dict[tuple[str, str, str], KnownTie], dict[tuple[str, str, str], str]]:
    """Every stored knockout tie with what was known on ``as_of`` (first leg, winner), and notes.

    A tie whose every leg was played by ``as_of`` but whose stored score does not decide it (a source's
    shoot-out written as 4-4) takes as winner the one of its two clubs that the stored next round lists
    (the winner was known on the day), and says so; without that, it stays undecided (simulated)."""
    from matchday.data.frames import as_of_day, on_or_before
    from matchday.simulate.knockout_state import knockout_ties

    rounds = matches[matches["round"].isin(KNOCKOUT_ROUNDS)]
    out: dict[tuple[str, str, str], KnownTie] = {}
    notes: dict[tuple[str, str, str], str] = {}
    day = as_of_day(as_of)
    for tie in knockout_ties(rounds, as_of):
        winner = tie.winner
        if winner is None and tie.round in KNOCKOUT_ROUNDS[:-1]:
            legs = rounds[(rounds["round"] == tie.round) & rounds["home"].isin([tie.home, tie.away])
                          & rounds["away"].isin([tie.home, tie.away])]
            played = legs["home_goals"].notna() & on_or_before(pd.to_datetime(legs["date"]).to_numpy(), day)
            if len(legs) == 2 and played.all():
                following = KNOCKOUT_ROUNDS[KNOCKOUT_ROUNDS.index(tie.round) + 1]
                nxt = rounds[rounds["round"] == following]
                listed = {tie.home, tie.away} & (set(nxt["home"]) | set(nxt["away"]))
                if len(listed) == 1:
                    winner = listed.pop()
                    notes[(tie.round, tie.home, tie.away)] = (
                        f"{tie.round} {tie.home} v {tie.away}: the stored scores do not decide the tie (a source's "
                        f"extra time or shoot-out is missing or level); {winner} is taken as the winner because "
                        f"the stored {following} lists it")
                else:
                    notes[(tie.round, tie.home, tie.away)] = (
                        f"{tie.round} {tie.home} v {tie.away}: played, but the stored scores do not decide the "
                        "tie; it is simulated")
        out[(tie.round, tie.home, tie.away)] = KnownTie(tie.round, tie.home, tie.away, tie.first_leg, winner)
    return out, notes


def knockout_knowledge(phase: LeaguePhase, positions: Mapping[str, int] | None) -> KnockoutKnowledge:
    """The knockout pairings known on ``phase.as_of`` (see the module docstring): a stored round counts
    when its draw had taken place and every tie of the round before it (the league phase for the
    play-offs) was decided by then. ``positions``: the final league-phase positions (None while the
    league phase is still open: then no knockout round is known)."""
    frame = phase.frame
    as_of = phase.as_of
    notes: list[str] = []
    stored = {name: ties_of_round(frame, name) for name in KNOCKOUT_ROUNDS}
    if positions is None:
        if any(stored.values()):
            notes.append("knockout fixtures are stored but the league phase is not over on the as-of date: "
                         "their pairings were not known then and are drawn by lot")
        return KnockoutKnowledge((), (), None, tuple(notes))
    decided, decided_notes = _decided_ties(frame, as_of)
    day = pd.Timestamp(as_of).date() if as_of is not None else dt.date.max
    known_rounds: list[str] = []
    ties: list[KnownTie] = []
    playoff_rows = frame[frame["round"] == PLAYOFF]
    playoff_end = pd.Timestamp(playoff_rows["date"].max()).date() if not playoff_rows.empty else None
    previous_done = True  # the league phase is over
    for name in KNOCKOUT_ROUNDS:
        pairs = stored[name]
        if not pairs or not previous_done:
            break
        when = draw_date(phase.competition, phase.season, name, league_phase_end=phase.last_date,
                         playoff_end=playoff_end if name != PLAYOFF else None)
        if when.date is None or when.date > day:
            if when.date is not None and not when.researched:
                notes.append(f"{name}: draw date not researched for {phase.season}; taken as "
                             f"{when.date.isoformat()} ({when.source})")
            break
        if not when.researched:
            notes.append(f"{name}: draw date not researched for {phase.season}; taken as {when.date.isoformat()} "
                         f"({when.source})")
        round_ties = [decided.get((name, a, b), KnownTie(name, a, b, None, None)) for a, b in pairs]
        known_rounds.append(name)
        ties.extend(round_ties)
        previous_done = (len(round_ties) == _TIES_PER_ROUND[name]
                         and all(t.winner is not None for t in round_ties))
    known_pairs = {(t.round, t.home, t.away) for t in ties}
    notes.extend(note for key, note in decided_notes.items() if key in known_pairs)
    rounds = {name: [(t.home, t.away) for t in ties if t.round == name] for name in known_rounds}
    draws = agreeing_draws(phase.fmt, positions, rounds)
    while draws.n == 0 and known_rounds:  # stored pairings that break the rules: say so, drop the latest
        dropped = known_rounds.pop()
        notes.append(f"the stored {dropped} pairings do not follow the bracket rules ({'; '.join(draws.problems)});"
                     " they are ignored and drawn by lot")
        ties = [t for t in ties if t.round != dropped]
        rounds.pop(dropped)
        draws = agreeing_draws(phase.fmt, positions, rounds)
    return KnockoutKnowledge(tuple(known_rounds), tuple(ties), draws, tuple(notes))


class KnownResults:
    """Vectorised look-up of known knockout results by (round, first-leg host, second-leg host) codes."""

    def __init__(self, ties: tuple[KnownTie, ...], index: Mapping[str, int]) -> None:
        n = len(index)
        self.n = n
        self.first: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.winner: dict[str, np.ndarray] = {}
        for name in KNOCKOUT_ROUNDS:
            home = np.full(n * n, np.nan)
            away = np.full(n * n, np.nan)
            winner = np.full(n * n, -1, dtype=np.int64)
            for tie in (t for t in ties if t.round == name):
                h, a = index[tie.home], index[tie.away]
                codes = [h * n + a] + ([a * n + h] if name == "Final" else [])
                for code in codes:
                    if tie.first_leg is not None and name != "Final":
                        home[code], away[code] = tie.first_leg
                    if tie.winner is not None:
                        winner[code] = index[tie.winner]
            self.first[name] = (home, away)
            self.winner[name] = winner


def _play(name: str, home: np.ndarray, away: np.ndarray, cache, rng: np.random.Generator,
          known: KnownResults, params: KnockoutParams) -> np.ndarray:
    """Winners (S, k) of the ties ``home`` (first-leg host) v ``away`` (S, k) of round ``name``."""
    size, k = home.shape
    h, a = home.ravel().astype(np.int64), away.ravel().astype(np.int64)
    codes = h * known.n + a
    unique, inverse = np.unique(codes, return_inverse=True)
    pairs = np.stack([unique // known.n, unique % known.n], axis=1)
    uniforms = draw_uniforms(rng, size * k)
    if name == "Final":
        draws = play_single_match(cache.grid(pairs, neutral=True), uniforms, index=inverse, params=params)
    else:
        first_home, first_away = known.first[name]
        draws = play_two_legged(cache.grid(pairs, neutral=False), cache.grid(pairs, neutral=False, reverse=True),
                                uniforms, index=inverse, first_leg_home_goals=first_home[codes],
                                first_leg_away_goals=first_away[codes], params=params)
    winners = np.where(draws.winner == 0, h, a)
    fixed = known.winner[name][codes]
    return np.where(fixed >= 0, fixed, winners).reshape(size, k)


def simulate_knockout(order: np.ndarray, draws: BracketDraw, predict: Callable, teams: list[str],
                      known: KnownResults, params: KnockoutParams, rng: np.random.Generator) -> np.ndarray:
    """(S, N) int8 stage each club reaches (index into :data:`STAGES`), given the league-phase ``order``
    ((S, N): the club in each position) and one complete draw per simulation."""
    from matchday.simulate.bracket import GridCache

    size, n = order.shape
    slots = bracket_slots(draws)
    rows = np.arange(size)[:, None]
    positions = np.empty_like(order, dtype=np.int64)
    positions[rows, order.astype(np.int64)] = np.arange(1, n + 1)
    reached = np.where(positions <= 8, 2, np.where(positions <= 24, 1, 0)).astype(np.int8)
    cache = GridCache(predict, teams)
    playoff = clubs_in_slots(order, slots.playoff)  # (S, 8, 2): unseeded (first-leg host), seeded
    seeds = clubs_in_slots(order, slots.round_of_16_seed)
    won = _play("Knockout play-off", playoff[:, :, 0], playoff[:, :, 1], cache, rng, known, params)
    reached[rows, won] = 2
    won = _play("Round of 16", won, seeds, cache, rng, known, params)
    reached[rows, won] = 3
    for stage, name, bits in ((4, "Quarter-final", slots.quarter_final_legs), (5, "Semi-final", slots.semi_final_legs)):
        better, other = won[:, 0::2], won[:, 1::2]  # the path listed first hosts the second leg when bit == 0
        first_host = np.where(bits == 0, other, better)
        second_host = np.where(bits == 0, better, other)
        won = _play(name, first_host, second_host, cache, rng, known, params)
        reached[rows, won] = stage
    champion = _play("Final", won[:, :1], won[:, 1:], cache, rng, known, params)
    reached[rows, champion] = 6
    return reached


# --------------------------------------------------------------------------------------------- the result
@dataclass
class UefaSimulation:
    """A simulated UEFA season (league-phase format).

    positions / points: (S, N) final league-phase positions (1-based) and points, N = 36 clubs in ``teams``
    order; reached: (S, N) stage index (:data:`STAGES`), None when the knockout phase was not simulated.
    current: the real league-phase table on ``as_of``. known_rounds: knockout rounds whose stored pairings
    were used. notes: what the result rests on that the user should know.
    """

    competition: str
    season: str
    as_of: dt.date | None
    fmt: UefaFormat
    teams: list[str]
    names: dict[str, str]
    positions: np.ndarray
    points: np.ndarray
    reached: np.ndarray | None
    current: pd.DataFrame
    n_remaining: int
    known_rounds: tuple[str, ...]
    known_ties: tuple[KnownTie, ...]
    seed: int | None
    notes: list[str] = field(default_factory=list)

    @property
    def n_sims(self) -> int:
        return int(self.positions.shape[0])

    def _order(self) -> list[str]:
        return [t for t in self.current["team"] if t in set(self.teams)]

    def position_probabilities(self) -> pd.DataFrame:
        """P(club finishes the league phase in position p): rows = clubs (current table order), columns
        1..N; every row and every column sums to 1."""
        n = len(self.teams)
        counts = np.stack([np.bincount(self.positions[:, t].astype(np.int64) - 1, minlength=n) for t in range(n)])
        frame = pd.DataFrame(counts / self.n_sims, index=self.teams, columns=range(1, n + 1))
        frame.index.name = "team"
        return frame.loc[self._order()]

    def league_summary(self) -> pd.DataFrame:
        """One row per club (current table order): position, played and points now; expected points
        (5-95% range), expected position, P(top 8), P(9-24: play-offs), P(eliminated after the phase)."""
        pos = self.positions
        top, (_, last) = self.fmt.direct_places, self.fmt.playoff_places
        cols = {
            "expected_points": self.points.mean(axis=0),
            "points_p05": np.percentile(self.points, 5, axis=0),
            "points_p95": np.percentile(self.points, 95, axis=0),
            "expected_position": pos.mean(axis=0),
            "p_top8": (pos <= top).mean(axis=0),
            "p_playoff": ((pos > top) & (pos <= last)).mean(axis=0),
            "p_eliminated": (pos > last).mean(axis=0),
        }
        frame = pd.DataFrame(cols, index=self.teams)
        now = self.current.set_index("team")
        frame.insert(0, "points", now["points"].reindex(self.teams).astype(int))
        frame.insert(0, "played", now["played"].reindex(self.teams).astype(int))
        frame.insert(0, "position", now["position"].reindex(self.teams).astype(int))
        frame = frame.loc[self._order()]
        frame.index.name = "team"
        return frame.reset_index()

    def knockout_table(self) -> pd.DataFrame:
        """P(club reaches each knockout stage) and P(wins the trophy), one row per club (current order)."""
        if self.reached is None:
            raise ValueError("the knockout phase was not simulated (knockout=False)")
        cols = {name: (self.reached >= stage).mean(axis=0) for stage, name in enumerate(STAGE_COLUMNS, start=1)}
        frame = pd.DataFrame(cols, index=self.teams).loc[self._order()]
        frame.index.name = "team"
        return frame.reset_index()

    def summary(self) -> pd.DataFrame:
        """:meth:`league_summary` and, when simulated, :meth:`knockout_table` side by side."""
        frame = self.league_summary()
        if self.reached is not None:
            frame = frame.merge(self.knockout_table().drop(columns=["p_knockout_phase"]), on="team")
        return frame

    def ties_table(self) -> pd.DataFrame:
        """The knockout ties known on the as-of date, round by round, as played so far: first-leg host,
        second-leg host (a final: the two finalists), first leg, winner when decided, and otherwise the
        simulated P(each side goes through)."""
        stage_of = {name: stage for stage, name in enumerate(STAGES)}
        rows = []
        for tie in self.known_ties:
            h, a = self.teams.index(tie.home), self.teams.index(tie.away)
            nxt = stage_of[tie.round] + 1
            p_home = p_away = float("nan")
            if self.reached is not None:
                p_home = float((self.reached[:, h] >= nxt).mean())
                p_away = float((self.reached[:, a] >= nxt).mean())
            rows.append({"round": tie.round, "home": tie.home, "away": tie.away,
                         "first_leg": "" if tie.first_leg is None else f"{tie.first_leg[0]}-{tie.first_leg[1]}",
                         "winner": tie.winner or "", "p_home_through": p_home, "p_away_through": p_away})
        return pd.DataFrame(rows, columns=["round", "home", "away", "first_leg", "winner", "p_home_through",
                                           "p_away_through"])


# --------------------------------------------------------------------------------------------- the engine
def simulate_uefa_season(
    matches: pd.DataFrame,
    model: ScoreModel,
    competition: str,
    season: str,
    *,
    as_of: dt.date | None = None,
    n_sims: int = DEFAULT_SIMS,
    seed: int | None = 0,
    knockout: bool = True,
    params: KnockoutParams | None = None,
    names: Mapping[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> UefaSimulation:
    """Simulate a UEFA competition of the league-phase format (2024-25 on) from ``as_of`` to the final.

    matches: every stored match of the competition season (league phase and knockout rounds, played and
    scheduled; qualifying rounds are ignored), columns home, away (team ids), date, home_goals, away_goals,
    round, leg, aet_*/pen_* where known. model: a fitted :class:`~matchday.models.interface.ScoreModel`
    (its grids of this competition's home advantage; finals on neutral ground). as_of: results up to the
    end of this day are known (None: everything stored). knockout: False stops after the league phase.
    params: how level ties are settled (default: the tie model's, :func:`~matchday.simulate.tie_model.knockout_params`:
    this season's rules, the estimated extra-time factor, the shoot-out model).
    names: team id -> display name (alphabetical order of the live table). The result depends on ``seed``.
    """
    from matchday.simulate.tie_model import knockout_params

    if int(n_sims) != n_sims or n_sims < 1:
        raise ValueError(f"n_sims must be a positive integer (got {n_sims!r})")
    n_sims = int(n_sims)
    phase = LeaguePhase.build(matches, competition, season, as_of, names=names)
    notes: list[str] = []
    score_rng, lots_rng, draw_rng, ko_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(4))
    r = phase.n_remaining
    if r:
        sampler = ScoreSampler(phase.predict(model))
        home_goals = np.empty((n_sims, r), dtype=np.int8)
        away_goals = np.empty((n_sims, r), dtype=np.int8)
        for start in range(0, n_sims, CHUNK):
            stop = min(n_sims, start + CHUNK)
            home_goals[start:stop], away_goals[start:stop] = sampler.sample(random_bits(score_rng, (stop - start, r)))
            if progress:
                progress(stop // 3, n_sims)
        standings = phase.rank(home_goals, away_goals, lots_rng)
        del home_goals, away_goals
        positions, points, order = standings.positions, standings.points, standings.order
        real_positions = None
    else:
        standings = phase.rank(np.zeros((1, 0), np.int8), np.zeros((1, 0), np.int8), lots_rng)
        if standings.lot[0].any():
            tied = [phase.names[phase.teams[i]] for i in np.flatnonzero(standings.lot[0])]
            notes.append("clubs level on every criterion the data has (club coefficients are not stored) were "
                         f"placed by a seeded lot: {', '.join(tied)}")
        positions = np.broadcast_to(standings.positions, (n_sims, len(phase.teams)))
        points = np.broadcast_to(standings.points, (n_sims, len(phase.teams)))
        order = np.broadcast_to(standings.order, (n_sims, len(phase.teams)))
        real_positions = {t: int(standings.positions[0, i]) for i, t in enumerate(phase.teams)}
    reached = None
    knowledge = KnockoutKnowledge((), (), None, ())
    if knockout:
        knowledge = knockout_knowledge(phase, real_positions)
        notes.extend(knowledge.notes)
        params = params or knockout_params(phase.season, phase.competition)
        index = {t: i for i, t in enumerate(phase.teams)}
        known = KnownResults(knowledge.ties, index)
        predict = functools.partial(model.predict_many, competition=phase.competition)
        reached = np.empty((n_sims, len(phase.teams)), dtype=np.int8)
        agreeing = knowledge.draws
        for start in range(0, n_sims, CHUNK):
            stop = min(n_sims, start + CHUNK)
            if agreeing is None:  # the league phase is open: every draw is still to come
                from matchday.rules.uefa_bracket import draw_bracket

                draws = draw_bracket(stop - start, draw_rng, phase.fmt)
            else:
                draws = take_draws(agreeing.draw, draw_rng.integers(0, agreeing.n, size=stop - start))
            reached[start:stop] = simulate_knockout(np.ascontiguousarray(order[start:stop]), draws, predict,
                                                    phase.teams, known, params, ko_rng)
            if progress:
                progress(n_sims // 3 + (2 * stop) // 3, n_sims)
    if progress:
        progress(n_sims, n_sims)
    return UefaSimulation(
        competition=phase.competition, season=phase.season, as_of=as_of, fmt=phase.fmt, teams=phase.teams,
        names=phase.names, positions=np.asarray(positions), points=np.asarray(points), reached=reached,
        current=phase.current_table(), n_remaining=r, known_rounds=knowledge.rounds, known_ties=knowledge.ties,
        seed=seed, notes=notes,
    )
