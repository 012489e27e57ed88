"""A club's UEFA season in the league-phase format (2024-25 on) under rotation plans, on common random numbers.

Used by :class:`~matchday.decide.season_plan.PlanSimulator` when the calendar's cup is a
:class:`~matchday.decide.calendar.LeaguePhaseCup`. Drawn once and shared by every plan:

* the other clubs' remaining league-phase matches (scores from the model's grids, one sampler);
* one uint32 random number per (future, club league-phase match), from which the club's results are drawn
  with a monotone coupling (the club's goal difference first), as in the domestic league;
* the knockout draw of every future (a seeded lot among the draws that agree with what is known,
  :func:`matchday.rules.uefa_draws.agreeing_draws`, or every draw while the league phase is open);
* one block of tie uniforms per (future, knockout round, tie slot).

For each plan the club's league-phase results change with its strengths, every future's league phase is
ranked again by UEFA's criteria (:func:`~matchday.rules.uefa_league_phase.rank_league_phase`), the final
order places the clubs in the bracket through the shared draw, and the knockout rounds are played: the
other ties with the model's strengths, the club's ties with the plan's (per leg: level, rest, fatigue). A
plan that changes no result of the club gives exactly the reference futures.

Paths: stage numbers of :data:`~matchday.decide.calendar.LEAGUE_PHASE_STAGES` (0 league phase, 1 knockout
play-offs, 2 round of 16, 3 quarter-finals, 4 semi-finals, 5 final). A future's path is (entered the
play-offs or not, stages played): a club in the top 8 skips stage 1. :func:`path_key` codes it.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import numpy as np

from matchday.decide.club_strength import club_grid, club_scores
from matchday.rules.uefa_bracket import bracket_slots, clubs_in_slots, draw_bracket
from matchday.rules.uefa_draws import KNOCKOUT_ROUNDS, take_draws
from matchday.simulate.sampling import ScoreSampler, random_bits
from matchday.simulate.tie_model import knockout_params
from matchday.simulate.tie_play import draw_uniforms, play_single_match, play_two_legged
from matchday.simulate.uefa_season import KnownResults, LeaguePhase, knockout_knowledge

if TYPE_CHECKING:  # pragma: no cover
    from matchday.decide.calendar import Calendar, LeaguePhaseCup
    from matchday.models.grid import ScoreGrid
    from matchday.models.interface import ScoreModel

_TIES = (8, 8, 4, 2, 1)
SKIP = 10  # added to the stages played on a path that skips the play-offs (top 8)


def path_key(stages_played: int | np.ndarray, skips_playoffs: bool | np.ndarray) -> np.ndarray:
    """One integer per path: stages played (1..6), plus :data:`SKIP` for a club that entered in the round
    of 16."""
    return np.asarray(stages_played, dtype=np.int64) + SKIP * np.asarray(skips_playoffs, dtype=np.int64)


def path_of_key(key: int) -> tuple[int, frozenset[int]]:
    """(stages played, stages skipped) of a :func:`path_key`."""
    return key % SKIP, frozenset({1}) if key >= SKIP else frozenset()


PATH_KEYS: tuple[int, ...] = tuple(int(k) for k in path_key(np.arange(1, 7), False)) + tuple(
    int(k) for k in path_key(np.arange(3, 7), True))


class LeaguePhasePaths:
    """Shared randomness of ``n_sims`` futures of the club's league-phase season, and each plan played on it.

    streams: four SeedSequences (league-phase scores, draws and lots, knockout uniforms, the club's bits).
    """

    def __init__(self, calendar: Calendar, model: ScoreModel, n_sims: int, streams) -> None:
        cup: LeaguePhaseCup = calendar.cup  # type: ignore[assignment]
        self.calendar, self.model, self.n_sims = calendar, model, int(n_sims)
        self.club = calendar.club
        self.competition = cup.competition
        self.phase = phase = LeaguePhase.build(cup.matches, cup.competition, cup.season, calendar.as_of)
        self.teams = phase.teams
        self.index = {t: i for i, t in enumerate(self.teams)}
        self.club_index = self.index[self.club]
        self.params = knockout_params(cup.season, cup.competition)  # the tie model's (tie, bracket)
        score_rng, draw_rng, ko_rng, club_rng = (np.random.default_rng(s) for s in streams)
        self._lots_seed = int(draw_rng.integers(2**62))
        # league phase: the other matches once; the club's matches from their own random numbers
        rest = phase.remaining
        self.club_cols = np.flatnonzero(((rest["home"] == self.club) | (rest["away"] == self.club)).to_numpy())
        other = np.setdiff1d(np.arange(len(rest)), self.club_cols)
        s = self.n_sims
        self.home_goals = np.zeros((s, len(rest)), dtype=np.int8)
        self.away_goals = np.zeros((s, len(rest)), dtype=np.int8)
        if other.size:
            grid = model.predict_many(rest["home"].to_numpy()[other], rest["away"].to_numpy()[other],
                                      np.zeros(other.size, bool), competition=self.competition)
            self.home_goals[:, other], self.away_goals[:, other] = ScoreSampler(grid).sample(
                random_bits(score_rng, (s, other.size)))
        club_rows = rest.iloc[self.club_cols]
        self.club_home = (club_rows["home"] == self.club).to_numpy(dtype=bool)
        self._club_bits = random_bits(club_rng, (s, len(club_rows)))
        if len(club_rows):
            rate_h, rate_a = model.rates(club_rows["home"].to_numpy(), club_rows["away"].to_numpy(),
                                         np.zeros(len(club_rows), bool), competition=self.competition)
        else:
            rate_h = rate_a = np.zeros(0)
        self.rate_for = np.where(self.club_home, rate_h, rate_a)
        self.rate_against = np.where(self.club_home, rate_a, rate_h)
        where = {m.key: i for i, m in enumerate(calendar.matches)}
        self.club_lp_calendar = np.array([
            where[f"{self.competition} league phase {row.date.date().isoformat()} "
                  f"{'v' if row.home == self.club else 'at'} {row.away if row.home == self.club else row.home}"]
            for row in club_rows.itertuples()], dtype=np.int64)
        # knockout: what is known, the draws, the uniforms
        positions = None
        if phase.complete:
            table = phase.current_table()
            positions = dict(zip(table["team"].astype(str), table["position"].astype(int), strict=True))
        knowledge = knockout_knowledge(phase, positions)
        self.known = KnownResults(knowledge.ties, self.index)
        if knowledge.draws is None:
            self.draws = draw_bracket(s, draw_rng, phase.fmt)
        else:
            self.draws = take_draws(knowledge.draws.draw, draw_rng.integers(0, knowledge.draws.n, size=s))
        self.slots = bracket_slots(self.draws)
        self.uniforms = [draw_uniforms(ko_rng, s * k) for k in _TIES]
        from matchday.simulate.bracket import GridCache

        self.cache = GridCache(functools.partial(model.predict_many, competition=self.competition), self.teams)
        self.ko_calendar = {(m.stage, m.leg or 1): i for i, m in enumerate(calendar.matches)
                            if m.competition == self.competition and m.stage is not None and m.stage >= 1}
        self._reference: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._rate_cache: dict[tuple[str, str], tuple[float, float]] = {}

    # ------------------------------------------------------------------ the league phase
    def _order(self, attack: np.ndarray, defence: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(club goals (S, k), final order (S, N)) of the league phase with the club's strength changes
        (per club league-phase match); futures where the club's results equal the reference reuse its
        ranking."""
        s = self.n_sims
        if self.phase.complete or not self.club_cols.size:
            if self._reference is None:
                standings = self._rank(self.home_goals[:1], self.away_goals[:1])
                self._reference = (np.zeros((s, 0), np.int8), np.zeros((s, 0), np.int8),
                                   np.ascontiguousarray(np.broadcast_to(standings.order, (s, len(self.teams)))))
            return self._reference[0], self._reference[2]
        grid = club_grid(self.model, self.rate_for, self.rate_against, self.club_home, attack, defence)
        goals, against = club_scores(grid, self.club_home, self._club_bits)
        if self._reference is None:
            base = club_grid(self.model, self.rate_for, self.rate_against, self.club_home)
            ref_goals, ref_against = club_scores(base, self.club_home, self._club_bits)
            order = self._rank_with(ref_goals, ref_against, None)
            self._reference = (ref_goals, ref_against, order)
        ref_goals, ref_against, ref_order = self._reference
        changed = np.flatnonzero(((goals != ref_goals) | (against != ref_against)).any(axis=1))
        order = ref_order.copy()
        if changed.size:
            order[changed] = self._rank_with(goals[changed], against[changed], changed)
        return goals, order

    def _rank_with(self, goals: np.ndarray, against: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
        hg = (self.home_goals if rows is None else self.home_goals[rows]).copy()
        ag = (self.away_goals if rows is None else self.away_goals[rows]).copy()
        hg[:, self.club_cols] = np.where(self.club_home, goals, against)
        ag[:, self.club_cols] = np.where(self.club_home, against, goals)
        return self._rank(hg, ag).order.astype(np.int64)

    def _rank(self, hg: np.ndarray, ag: np.ndarray):
        # one lot stream, so that a future ranks the same way in every plan when its results are the same
        return self.phase.rank(hg, ag, np.random.default_rng(self._lots_seed))

    # ------------------------------------------------------------------ the knockout phase
    def _cup_rates(self, opponent: str, club_first: bool, neutral: bool) -> tuple[float, float]:
        """(rate for, rate against) of the club v ``opponent`` (model strengths)."""
        key = (opponent, "neutral" if neutral else ("home" if club_first else "away"))
        if key not in self._rate_cache:
            if club_first or neutral:
                h, a = self.model.rates([self.club], [opponent], [neutral], competition=self.competition)
                self._rate_cache[key] = (float(h[0]), float(a[0]))
            else:
                h, a = self.model.rates([opponent], [self.club], [False], competition=self.competition)
                self._rate_cache[key] = (float(a[0]), float(h[0]))
        return self._rate_cache[key]

    def _club_grid(self, opponents: np.ndarray, club_home: np.ndarray, neutral: bool, attack: np.ndarray,
                   defence: np.ndarray) -> ScoreGrid:
        """Grids (home side first) of the club's legs against ``opponents`` (team indices)."""
        rates = np.array([self._cup_rates(self.teams[o], bool(h), neutral) for o, h in zip(opponents, club_home,
                                                                                           strict=True)])
        return club_grid(self.model, rates[:, 0], rates[:, 1], club_home, attack, defence)

    def _delta(self, strengths: dict, key: np.ndarray, stage: int, leg: int) -> tuple[np.ndarray, np.ndarray]:
        """The club's (attack, defence) change in ``stage``/``leg`` on each future's path ``key``."""
        index = self.ko_calendar.get((stage, leg))
        attack, defence = np.zeros(key.size), np.zeros(key.size)
        if index is None:
            return attack, defence
        for k in np.unique(key):
            rows = key == k
            path = strengths[int(k)]
            attack[rows] = np.nan_to_num(path.attack[index])
            defence[rows] = np.nan_to_num(path.defence[index])
        return attack, defence

    def _play(self, number: int, home: np.ndarray, away: np.ndarray, strengths: dict, key: np.ndarray
              ) -> np.ndarray:
        """Winners (S, k) of round ``number`` (1..5): the other ties at model strengths, the club's with the
        plan's; the round's uniforms are the same in every plan."""
        name = KNOCKOUT_ROUNDS[number - 1]
        s, k = home.shape
        h, a = home.ravel().astype(np.int64), away.ravel().astype(np.int64)
        n = len(self.teams)
        codes = h * n + a
        unique, inverse = np.unique(codes, return_inverse=True)
        pairs = np.stack([unique // n, unique % n], axis=1)
        uniforms = self.uniforms[number - 1]
        final = name == "Final"
        first_home, first_away = (None, None) if final else self.known.first[name]
        if final:
            draws = play_single_match(self.cache.grid(pairs, neutral=True), uniforms, index=inverse,
                                      params=self.params)
        else:
            draws = play_two_legged(self.cache.grid(pairs, neutral=False), self.cache.grid(pairs, False, reverse=True),
                                    uniforms, index=inverse, first_leg_home_goals=first_home[codes],
                                    first_leg_away_goals=first_away[codes], params=self.params)
        winner = np.where(draws.winner == 0, h, a)
        mine = np.flatnonzero((h == self.club_index) | (a == self.club_index))
        if mine.size:
            club_first = h[mine] == self.club_index
            opponent = np.where(club_first, a[mine], h[mine])
            path = key[mine // k]
            atk1, def1 = self._delta(strengths, path, number, 1)
            if final:
                grid = self._club_grid(opponent, club_first, True, atk1, def1)
                played = play_single_match(grid, uniforms[:, mine], index=np.arange(mine.size), params=self.params)
            else:
                atk2, def2 = self._delta(strengths, path, number, 2)
                leg1 = self._club_grid(opponent, club_first, False, atk1, def1)
                leg2 = self._club_grid(opponent, ~club_first, False, atk2, def2)
                played = play_two_legged(leg1, leg2, uniforms[:, mine], index=np.arange(mine.size),
                                         first_leg_home_goals=first_home[codes[mine]],
                                         first_leg_away_goals=first_away[codes[mine]], params=self.params)
            winner[mine] = np.where(played.winner == 0, h[mine], a[mine])
        fixed = self.known.winner[name][codes]
        return np.where(fixed >= 0, fixed, winner).reshape(s, k)

    def play(self, strengths: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(path key, trophy, league-phase position) per future for one plan's ``strengths`` (keyed by
        :data:`PATH_KEYS`; the league-phase matches are the same on every path)."""
        s = self.n_sims
        longest = strengths[int(path_key(6, False))]
        _, order = self._order(np.nan_to_num(longest.attack[self.club_lp_calendar]),
                                   np.nan_to_num(longest.defence[self.club_lp_calendar]))
        position = np.argmax(order == self.club_index, axis=1) + 1
        fmt = self.phase.fmt
        skip = position <= fmt.direct_places
        in_ko = position <= fmt.playoff_places[1]
        stages = np.where(in_ko, np.where(skip, 3, 2), 1).astype(np.int64)  # stage reached so far (+1)
        alive = in_ko.copy()
        playoff = clubs_in_slots(order, self.slots.playoff)
        seeds = clubs_in_slots(order, self.slots.round_of_16_seed)
        won = self._play(1, playoff[:, :, 0], playoff[:, :, 1], strengths, path_key(6, False) * np.ones(s, np.int64))
        through = (won == self.club_index).any(axis=1)
        playing = in_ko & ~skip
        stages[playing & through] = 3
        alive &= skip | through
        won = self._play(2, won, seeds, strengths, path_key(6, skip))
        through = (won == self.club_index).any(axis=1)
        stages[alive & through] = 4
        alive &= through
        for number, bits in ((3, self.slots.quarter_final_legs), (4, self.slots.semi_final_legs)):
            better, other = won[:, 0::2], won[:, 1::2]
            won = self._play(number, np.where(bits == 0, other, better), np.where(bits == 0, better, other),
                             strengths, path_key(6, skip))
            through = (won == self.club_index).any(axis=1)
            stages[alive & through] = number + 2
            alive &= through
        champion = self._play(5, won[:, :1], won[:, 1:], strengths, path_key(6, skip))[:, 0]
        trophy = alive & (champion == self.club_index)
        return path_key(stages, skip), trophy, position
