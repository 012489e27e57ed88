"""The UEFA league phase table (Champions League, Europa League, Conference League from 2024-25): one
vectorised ranking for the real table and for a Monte Carlo array of simulated league phases.

The regulations (art. 18.01 of the 2024/25 regulations of all three competitions; uefa.com explainer of
13 September 2024) rank clubs by points (3 for a win, 1 for a draw) and, for clubs level on points on
completion of the league phase, by these criteria in this order (every one applied to the whole table,
none head-to-head):

====  ==============================  =====================================================================
a     ``goal_difference``              superior goal difference in the league phase
b     ``goals_for``                    higher number of goals scored in the league phase
c     ``away_goals_for``               higher number of away goals scored in the league phase
d     ``wins``                         higher number of wins in the league phase
e     ``away_wins``                    higher number of away wins in the league phase
f     ``opponents_points``             higher number of points obtained collectively by the league-phase
                                       opponents
g     ``opponents_goal_difference``    superior collective goal difference of the league-phase opponents
h     ``opponents_goals_for``          higher number of goals scored collectively by the league-phase
                                       opponents
i     ``disciplinary_points``          lower disciplinary points total (yellow card 1, red card 3, sending-off
                                       after two yellow cards 3; players and officials, all league-phase
                                       matches)
j     ``club_coefficient``             higher club coefficient
====  ==============================  =====================================================================

During the league phase (matchdays 1 to 7 of the UCL/UEL, 1 to 5 of the UECL) UEFA's live table uses
criteria a-e only, then the alphabetical order of the clubs' abbreviated names; from the last matchday on
the full list a-j applies. :func:`rank_league_phase` does the same: the full list once some club has
played all its matches (``full_criteria=None``), or as the caller says.

Criteria the data lacks, modelled explicitly:

* ``opponents_*`` (f-h) are computed from the opponents' own results in the matches given, over the
  opponents of the whole league-phase schedule (``opponents``; default: the opponents met in the matches
  given, which is the whole schedule for a completed or simulated phase).
* ``disciplinary_points`` (i): no stored source has the cards of UEFA matches. The caller may pass them
  (``disciplinary``, per club); otherwise criterion i is skipped.
* ``club_coefficient`` (j): not stored; the caller may pass the coefficients (``coefficient``, per club;
  UEFA's coefficient of the season, higher is better); otherwise clubs still level after the last
  criterion given are ordered by a lot drawn from ``rng`` (seeded, so reproducible) and flagged in
  ``LeaguePhaseStandings.lot``. For the real 2024-25 tables no lot is needed: criteria a-e separate every
  club level on points (tested).
* Alphabetical order (matchdays 1-7): by the order the caller gives (``alphabetical``; default the team
  index, which :func:`league_phase_table` sets from the clubs' names, not UEFA's abbreviated names).

The engine reuses the building blocks of :mod:`matchday.rules.table` (fixture structure, packed team
totals, lexicographic refinement by packed keys) and adds away wins and the opponents' totals.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from matchday.data.errors import DataError
from matchday.rules.table import _as_index, _checked_results, _refine, _Schedule, _schedule, _team_totals
from matchday.rules.uefa_format import UefaFormat, uefa_format

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: Every criterion in the regulation's order (``points`` first, then a-j).
CRITERIA: tuple[str, ...] = (
    "points", "goal_difference", "goals_for", "away_goals_for", "wins", "away_wins",
    "opponents_points", "opponents_goal_difference", "opponents_goals_for",
    "disciplinary_points", "club_coefficient",
)
#: Criteria UEFA applies before the last matchday (then alphabetical order).
IN_PROGRESS_CRITERIA: tuple[str, ...] = CRITERIA[:6]
LOT = "lot"  # what ``separating_criteria`` names when a lot (or the alphabet) decided


@dataclass(frozen=True)
class LeaguePhaseStandings:
    """League-phase standings of S simulated (or 1 real) league phases; arrays are (S, N) unless stated.

    positions: 1-based; order[s, p]: the club in position p+1. tied: the club is level with another club
    on every criterion applied, so its place among them was decided by a lot (full criteria) or by
    alphabetical order (matchdays before the last); ``lot`` is the same array. full_criteria: whether
    criteria f-j were applied.
    disciplinary_points / club_coefficient: as given ((N,) or None). Counts are int16.
    """

    played: np.ndarray
    won: np.ndarray
    drawn: np.ndarray
    lost: np.ndarray
    goals_for: np.ndarray
    goals_against: np.ndarray
    away_goals_for: np.ndarray
    away_won: np.ndarray
    points: np.ndarray
    opponents_points: np.ndarray
    opponents_goal_difference: np.ndarray
    opponents_goals_for: np.ndarray
    positions: np.ndarray
    order: np.ndarray
    tied: np.ndarray
    full_criteria: bool
    disciplinary_points: np.ndarray | None
    club_coefficient: np.ndarray | None

    @property
    def goal_difference(self) -> np.ndarray:
        return self.goals_for - self.goals_against

    @property
    def lot(self) -> np.ndarray:
        """Clubs placed by the lot (or the alphabet): the same as ``tied``."""
        return self.tied

    @property
    def wins(self) -> np.ndarray:
        return self.won

    @property
    def away_wins(self) -> np.ndarray:
        return self.away_won

    @property
    def n_sims(self) -> int:
        return int(self.points.shape[0])

    @property
    def n_teams(self) -> int:
        return int(self.points.shape[1])

    def criterion(self, name: str) -> np.ndarray:
        """(S, N) values of a criterion, oriented so that higher ranks first (disciplinary points negated)."""
        if name == "disciplinary_points":
            if self.disciplinary_points is None:
                raise KeyError("no disciplinary points were given")
            return np.broadcast_to(-self.disciplinary_points, self.points.shape)
        if name == "club_coefficient":
            if self.club_coefficient is None:
                raise KeyError("no club coefficients were given")
            return np.broadcast_to(self.club_coefficient, self.points.shape)
        return getattr(self, name)

    def applied_criteria(self) -> tuple[str, ...]:
        """The criteria this ranking used, in order (before any lot)."""
        if not self.full_criteria:
            return IN_PROGRESS_CRITERIA
        names = list(CRITERIA[:9])
        if self.disciplinary_points is not None:
            names.append("disciplinary_points")
        if self.club_coefficient is not None:
            names.append("club_coefficient")
        return tuple(names)


def opponents_matrix(home_idx: npt.ArrayLike, away_idx: npt.ArrayLike, n_teams: int) -> np.ndarray:
    """(N, N) number of league-phase meetings of clubs i and j (symmetric; 0 or 1 in a league phase)."""
    hi = _as_index(home_idx, "home_idx", n_teams)
    ai = _as_index(away_idx, "away_idx", n_teams)
    meetings = np.zeros((n_teams, n_teams), dtype=np.int64)
    np.add.at(meetings, (hi, ai), 1)
    return meetings + meetings.T


def _per_team(values: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Sum of a (C, M) per-match count over each team's match columns ``cols`` (N, K; padding = M)."""
    padded = np.zeros((values.shape[0], values.shape[1] + 1), dtype=np.int16)
    padded[:, :-1] = values
    return padded[:, cols].sum(axis=2, dtype=np.int16)


def _rank_block(
    hg: np.ndarray,
    ag: np.ndarray,
    sched: _Schedule,
    meetings: np.ndarray,
    adjust: np.ndarray,
    full: bool,
    disciplinary: np.ndarray | None,
    coefficient_rank: np.ndarray | None,
    alphabetical: np.ndarray,
    rng: np.random.Generator | None,
) -> dict[str, np.ndarray]:
    c = hg.shape[0]
    t = sched.n_teams
    totals = _team_totals(hg, ag, sched)
    played = np.broadcast_to(sched.played, (c, t))
    won, lost = totals["won"], totals["lost"]
    drawn = played - won - lost
    points = 3 * won + drawn + adjust
    gd = totals["goals_for"] - totals["goals_against"]
    away_won = _per_team(ag > hg, sched.away_cols).astype(np.int64)
    # Opponents' totals: one matrix product for the three criteria (float32 is exact for integers below
    # 2**24; a club's opponents total at most a few hundred points or goals).
    stacked = np.concatenate([points, gd, totals["goals_for"]]).astype(np.float32)
    opp = np.rint(stacked @ meetings.astype(np.float32)).astype(np.int64)
    opp_points, opp_gd, opp_gf = opp[:c], opp[c:2 * c], opp[2 * c:]

    cls, _, order, still = _refine(np.zeros((c, t), dtype=np.int64),
                                   [points, gd, totals["goals_for"], totals["away_goals_for"], won, away_won])
    active = np.flatnonzero(still)
    if full and active.size:
        extra = [opp_points[active], opp_gd[active], opp_gf[active]]
        if disciplinary is not None:
            extra.append(np.broadcast_to(-disciplinary, (active.size, t)))
        if coefficient_rank is not None:
            extra.append(np.broadcast_to(coefficient_rank, (active.size, t)))
        sub_cls, _, sub_order, sub_still = _refine(cls[active], extra)
        cls[active], order[active] = sub_cls, sub_order
        active = active[sub_still]

    class_id = np.arange(c)[:, None] * t + cls
    tied = np.bincount(class_id.ravel(), minlength=c * t)[class_id] > 1
    order = np.empty((c, t), dtype=np.int64)
    np.put_along_axis(order, cls, np.broadcast_to(np.arange(t), (c, t)), axis=1)
    if active.size:
        if full:  # the lot, seeded (club coefficient or disciplinary points not given)
            if rng is None:
                raise DataError("clubs are level on every criterion given and no generator draws the lot",
                                column="rng", expected="a seeded numpy Generator, or club coefficients")
            lots = rng.permuted(np.broadcast_to(np.arange(t), (active.size, t)), axis=1)
        else:  # matchdays before the last: alphabetical order
            lots = np.broadcast_to(alphabetical, (active.size, t))
        order[active] = np.argsort(cls[active] * t + lots, axis=1, kind="stable")
    positions = np.empty((c, t), dtype=np.int64)
    np.put_along_axis(positions, order, np.broadcast_to(np.arange(1, t + 1), (c, t)), axis=1)
    return {
        "won": won, "drawn": drawn, "lost": lost, "goals_for": totals["goals_for"],
        "goals_against": totals["goals_against"], "away_goals_for": totals["away_goals_for"],
        "away_won": away_won, "points": points, "opponents_points": opp_points,
        "opponents_goal_difference": opp_gd, "opponents_goals_for": opp_gf,
        "positions": positions, "order": order, "tied": tied,
    }


def _per_club(values: npt.ArrayLike | None, n_teams: int, name: str) -> np.ndarray | None:
    if values is None:
        return None
    arr = np.asarray(values, dtype=np.float64)
    if arr.shape != (n_teams,) or not np.isfinite(arr).all():
        raise DataError(f"{name} must hold one finite number per club", column=name, value=arr.shape,
                        expected=f"({n_teams},)")
    return arr


def rank_league_phase(
    home_idx: npt.ArrayLike,
    away_idx: npt.ArrayLike,
    home_goals: npt.ArrayLike,
    away_goals: npt.ArrayLike,
    n_teams: int,
    *,
    matches_per_team: int,
    opponents: npt.ArrayLike | None = None,
    full_criteria: bool | None = None,
    disciplinary: npt.ArrayLike | None = None,
    coefficient: npt.ArrayLike | None = None,
    alphabetical: npt.ArrayLike | None = None,
    deductions: npt.ArrayLike | None = None,
    rng: np.random.Generator | int | None = 0,
    chunk_size: int = 8192,
    n_jobs: int | None = None,
) -> LeaguePhaseStandings:
    """Rank every simulated league phase by UEFA's criteria (see the module docstring).

    home_idx, away_idx: (M,) club indices of the matches played (0..n_teams-1), the same in every
    simulation. home_goals, away_goals: (S, M) or (M,) goals after 90 minutes, any integer dtype (int8 is
    cheapest). A real table is S = 1 with the matches played so far.
    matches_per_team: league-phase matches per club (8 UCL/UEL, 6 UECL; :func:`uefa_format`).
    opponents: (N, N) meetings of the whole league-phase schedule (:func:`opponents_matrix` of every
    fixture, played or not), for criteria f-h; None takes the matches given.
    full_criteria: apply f-j (True) or a-e then alphabetical order (False); None: True once some club has
    played ``matches_per_team`` matches (UEFA: "from the last matchday").
    disciplinary: (N,) disciplinary points (lower ranks first), or None to skip criterion i.
    coefficient: (N,) club coefficients (higher ranks first), or None: a lot drawn from ``rng`` instead.
    alphabetical: (N,) rank of each club's abbreviated name (0 first); None: the club index.
    deductions: (N,) signed point adjustments (UEFA disciplinary deductions), or None.
    rng: a Generator or a seed for the lot (each block of ``chunk_size`` simulations draws from its own
    generator seeded from it, so results do not depend on ``n_jobs``). None: no lot; a tie that needs one
    is an error.
    """
    n_teams = int(n_teams)
    if n_teams < 2:
        raise DataError("a league phase needs at least two clubs", column="n_teams", value=n_teams)
    hi, ai, hg, ag = _checked_results(home_idx, away_idx, home_goals, away_goals, n_teams)
    sched = _schedule(hi, ai, n_teams)
    if sched.played.max(initial=0) > matches_per_team:
        club = int(np.argmax(sched.played))
        raise DataError("a club has played more league-phase matches than the format has",
                        column="home_idx/away_idx", value=f"club {club}: {int(sched.played[club])}",
                        expected=f"at most {matches_per_team}")
    if opponents is None:
        meetings = opponents_matrix(hi, ai, n_teams)
    else:
        meetings = np.asarray(opponents)
        if meetings.shape != (n_teams, n_teams) or (meetings != meetings.T).any() or (meetings < 0).any():
            raise DataError("opponents must be a symmetric (N, N) count of meetings", column="opponents",
                            value=meetings.shape, expected=f"({n_teams}, {n_teams}), symmetric, >= 0")
        meetings = meetings.astype(np.int64)
    if full_criteria is None:
        full_criteria = bool(sched.played.max(initial=0) >= matches_per_team)
    disc = _per_club(disciplinary, n_teams, "disciplinary")
    coef = _per_club(coefficient, n_teams, "coefficient")
    coef_rank = None if coef is None else np.unique(coef, return_inverse=True)[1].astype(np.int64)
    disc_key = None if disc is None else np.unique(disc, return_inverse=True)[1].astype(np.int64)
    if alphabetical is None:
        alpha = np.arange(n_teams, dtype=np.int64)
    else:
        alpha = np.asarray(alphabetical, dtype=np.int64)
        if alpha.shape != (n_teams,) or np.unique(alpha).size != n_teams:
            raise DataError("alphabetical must rank every club once", column="alphabetical", value=alpha.shape,
                            expected=f"a permutation of 0..{n_teams - 1}")
    adjust = np.zeros(n_teams, dtype=np.int64) if deductions is None else np.asarray(deductions, np.int64)
    if adjust.shape != (n_teams,):
        raise DataError("deductions must have one entry per club", column="deductions", value=adjust.shape,
                        expected=f"({n_teams},)")
    if isinstance(rng, int | np.integer):
        rng = np.random.default_rng(int(rng))

    s = hg.shape[0]
    shape = (s, n_teams)
    names16 = ("played", "won", "drawn", "lost", "goals_for", "goals_against", "away_goals_for", "away_won",
               "points", "opponents_points", "opponents_goal_difference", "opponents_goals_for")
    out = {name: np.empty(shape, dtype=np.int16) for name in names16 if name != "played"}
    positions = np.empty(shape, dtype=np.int16)
    order = np.empty(shape, dtype=np.int16)
    tied = np.empty(shape, dtype=bool)
    step = max(1, int(chunk_size))
    blocks = [slice(start, min(s, start + step)) for start in range(0, s, step)]
    seeds = [None] * len(blocks) if rng is None else rng.integers(0, 2**63, size=len(blocks)).tolist()

    def run(i: int) -> None:
        block = blocks[i]
        lots = None if seeds[i] is None else np.random.default_rng(seeds[i])
        res = _rank_block(np.ascontiguousarray(hg[block]), np.ascontiguousarray(ag[block]), sched, meetings,
                          adjust, full_criteria, disc_key, coef_rank, alpha, lots)
        for name in out:
            out[name][block] = res[name]
        positions[block], order[block], tied[block] = res["positions"], res["order"], res["tied"]

    workers = min(len(blocks), n_jobs if n_jobs else min(4, os.cpu_count() or 1))
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(run, range(len(blocks))))
    else:
        for i in range(len(blocks)):
            run(i)
    return LeaguePhaseStandings(
        played=np.broadcast_to(sched.played.astype(np.int16), shape), positions=positions, order=order,
        tied=tied, full_criteria=full_criteria, disciplinary_points=disc, club_coefficient=coef,
        **out,
    )


def separating_criteria(standings: LeaguePhaseStandings, sim: int = 0) -> list[str]:
    """For positions 2..N of simulation ``sim``: the first criterion on which the club differs from the
    club directly above (``"points"`` for most), or :data:`LOT` when none of the applied criteria does."""
    order = standings.order[sim].astype(np.int64)
    names = standings.applied_criteria()
    values = np.stack([np.asarray(standings.criterion(name)[sim], dtype=np.float64)[order] for name in names])
    differs = values[:, 1:] != values[:, :-1]  # (criteria, N-1)
    first = np.argmax(differs, axis=0)
    return [names[k] if differs[k, j] else LOT for j, k in enumerate(first)]


# --- the user-facing table ------------------------------------------------------------------------------

LEAGUE_PHASE_COLUMNS = ("position", "team", "played", "won", "drawn", "lost", "goals_for", "goals_against",
                        "goal_difference", "points", "away_goals_for", "away_won", "opponents_points",
                        "opponents_goal_difference", "opponents_goals_for", "zone", "tiebreak", "note")


def is_league_phase_round(round_name: object) -> bool:
    """True for the readers' league-phase round names (``"League phase"``, ``"League phase, Matchday 3"``)."""
    return isinstance(round_name, str) and round_name.strip().lower().startswith("league phase")


@dataclass(frozen=True)
class LeaguePhaseFixtures:
    """The league-phase matches of a competition season, checked once for the table and the simulation:
    the format has a league phase, the frame has the columns, the clubs are the format's number and no two
    clubs meet twice.

    rows: the league-phase matches (played or not), in the frame's order; teams: the club labels, sorted
    (index ``i`` everywhere below); opponents: (N, N) meetings of clubs i and j, played or not."""

    fmt: UefaFormat
    rows: pd.DataFrame
    teams: list[str]
    opponents: np.ndarray

    def index(self, labels: pd.Series) -> np.ndarray:
        """Club indices of ``labels`` (a home or away column of :attr:`rows`)."""
        position = {team: i for i, team in enumerate(self.teams)}
        return labels.astype(str).map(position).to_numpy(np.int64)

    def alphabetical(self, names: Mapping[str, str] | None = None) -> np.ndarray:
        """Each club's place in the alphabetical order of its display name (``names``: label -> name;
        default the labels), which breaks ties during the phase."""
        label = names or {}
        display = np.array([str(label.get(t, t)).casefold() for t in self.teams])
        return np.argsort(np.argsort(display, kind="stable"), kind="stable")


def league_phase_fixtures(frame: pd.DataFrame, competition: str, season: str,
                          fmt: UefaFormat | None = None) -> LeaguePhaseFixtures:
    """The checked league-phase matches of ``frame`` (a competition season's matches, any rounds; columns
    ``home``, ``away``, ``home_goals``, ``away_goals``, ``date``, ``round``): see :class:`LeaguePhaseFixtures`."""
    fmt = fmt or uefa_format(competition, season)
    if not fmt.league_phase:
        raise DataError(f"{fmt.competition} {fmt.season} has no league phase (group stage format)",
                        value=fmt.season, expected="a season from 2024-25 on")
    missing = [c for c in ("home", "away", "home_goals", "away_goals", "date", "round") if c not in frame.columns]
    if missing:
        raise DataError("the match frame lacks a column", column=missing[0],
                        expected="columns home, away, home_goals, away_goals, date, round")
    rows = frame[frame["round"].map(is_league_phase_round)].reset_index(drop=True)
    if rows.empty:
        raise DataError(f"no league-phase matches of {fmt.competition} {fmt.season} are stored (they are "
                        "listed once the league-phase draw is made, at the end of August)", column="round",
                        expected='rounds named "League phase ..."')
    teams = sorted(set(rows["home"].astype(str)) | set(rows["away"].astype(str)))
    if len(teams) != fmt.n_clubs:
        raise DataError(f"{fmt.competition} {fmt.season}: the league-phase matches name {len(teams)} clubs",
                        column="home/away", value=len(teams),
                        expected=f"{fmt.n_clubs} (a club under two names, or matches missing?)")
    fixtures = LeaguePhaseFixtures(fmt, rows, teams, np.zeros((0, 0), dtype=np.int64))
    meetings = opponents_matrix(fixtures.index(rows["home"]), fixtures.index(rows["away"]), len(teams))
    if (meetings > 1).any():
        i, j = np.argwhere(meetings > 1)[0]
        raise DataError("two clubs meet twice in the league phase", column="home/away",
                        value=f"{teams[i]} v {teams[j]}", expected="each pairing at most once")
    return LeaguePhaseFixtures(fmt, rows, teams, meetings)


def league_phase_table(
    frame: pd.DataFrame,
    competition: str,
    season: str,
    as_of: dt.date | str | None = None,
    *,
    coefficient: Mapping[str, float] | None = None,
    disciplinary: Mapping[str, int] | None = None,
    names: Mapping[str, str] | None = None,
    rng: np.random.Generator | int | None = 0,
    fmt: UefaFormat | None = None,
) -> pd.DataFrame:
    """The league-phase table of a UEFA competition from its matches, ranked as the regulation ranks it.

    frame: the competition's matches of the season (any rounds; columns ``home``, ``away``,
    ``home_goals``, ``away_goals``, ``date``, ``round``); league-phase rows are those whose round starts
    with "League phase". Unplayed league-phase fixtures count for the schedule (opponents, criteria f-h).
    as_of: inclusive cut-off for results (None: every result).
    coefficient / disciplinary: per team label (missing clubs: error); None: see the module docstring.
    names: label -> display name, for the alphabetical order during the phase (default the labels).
    Returns :data:`LEAGUE_PHASE_COLUMNS`; ``tiebreak`` names the criterion that put a club below the club
    above when it is not points; ``note`` flags a lot. ``attrs`` holds the format, the criteria applied and
    the cut-off.
    """
    import pandas as pd

    phase = league_phase_fixtures(frame, competition, season, fmt)
    fmt, rows, teams, meetings = phase.fmt, phase.rows, phase.teams, phase.opponents
    home_all, away_all = phase.index(rows["home"]), phase.index(rows["away"])
    dates = pd.to_datetime(rows["date"], errors="coerce")
    scored = rows["home_goals"].notna() & rows["away_goals"].notna()
    if as_of is not None:
        scored &= dates.dt.normalize() <= pd.Timestamp(as_of).normalize()
    keep = np.flatnonzero(scored.to_numpy())
    hg = rows["home_goals"].iloc[keep].to_numpy(dtype=np.int64)
    ag = rows["away_goals"].iloc[keep].to_numpy(dtype=np.int64)

    def per_club(mapping: Mapping[str, float] | None, name: str) -> np.ndarray | None:
        if mapping is None:
            return None
        absent = [t for t in teams if t not in mapping]
        if absent:
            raise DataError(f"{name} misses a club of the league phase", column=name, value=absent[0],
                            expected="a value for every club")
        return np.array([float(mapping[t]) for t in teams])

    alpha = phase.alphabetical(names)
    st = rank_league_phase(home_all[keep], away_all[keep], hg, ag, len(teams),
                           matches_per_team=fmt.matches_per_club, opponents=meetings,
                           disciplinary=per_club(disciplinary, "disciplinary"),
                           coefficient=per_club(coefficient, "coefficient"), alphabetical=alpha, rng=rng)
    order = st.order[0].astype(np.int64)
    between = ["", *separating_criteria(st)]
    records = []
    for place, t in enumerate(order, start=1):
        why = between[place - 1]
        note = ""
        if st.lot[0, t]:
            note = ("level on every criterion applied; placed by a seeded lot (club coefficient not given)"
                    if st.full_criteria else "level on criteria a-e; alphabetical order")
        records.append((
            place, teams[t], int(st.played[0, t]), int(st.won[0, t]), int(st.drawn[0, t]), int(st.lost[0, t]),
            int(st.goals_for[0, t]), int(st.goals_against[0, t]), int(st.goal_difference[0, t]),
            int(st.points[0, t]), int(st.away_goals_for[0, t]), int(st.away_won[0, t]),
            int(st.opponents_points[0, t]), int(st.opponents_goal_difference[0, t]),
            int(st.opponents_goals_for[0, t]), fmt.zone(place), "" if why in ("", "points") else why, note,
        ))
    table = pd.DataFrame.from_records(records, columns=list(LEAGUE_PHASE_COLUMNS))
    table.attrs["format"] = fmt
    table.attrs["criteria"] = st.applied_criteria()
    table.attrs["full_criteria"] = st.full_criteria
    table.attrs["as_of"] = None if as_of is None else pd.Timestamp(as_of).date()
    table.attrs["fixtures"] = int(len(rows))
    table.attrs["played"] = int(keep.size)
    return table
