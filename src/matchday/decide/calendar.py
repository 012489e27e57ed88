"""A club's remaining matches across competitions as of a date, with the rest days between them.

The calendar holds (a) the club's remaining league fixtures (dated after ``as_of``), (b) the
remaining leg(s) of the UEFA knockout tie it is playing, and (c) the later rounds it may reach. From
2024-25 (the league-phase format, :class:`LeaguePhaseCup`) it holds the club's remaining league-phase
matches (stage 0) and the knockout path its final position would lead to: the knockout play-offs (stage 1,
for positions 9-24; skipped by the top 8), the round of 16 (2), quarter-finals (3), semi-finals (4) and the
final (5), each conditional on getting there; a round whose pairing is known on ``as_of``
(:func:`matchday.simulate.uefa_season.knockout_knowledge`) names the opponent and the venue. Dates of the
later rounds come from stored fixtures of those rounds when present (a finished season, or a schedule
already imported); otherwise from ``cup_dates`` given by the user; otherwise from UEFA's usual gaps
(:data:`DEFAULT_ROUND_GAP_DAYS` from the previous round's last leg to the next round's first leg,
:data:`DEFAULT_LEG_GAP_DAYS` between legs, :data:`DEFAULT_FINAL_GAP_DAYS` from the semi-final second leg to
the final: in 2023-24 the Europa League semi-finals came 14 days after the quarter-finals, 7 days apart,
and the final 13 days later; the Champions League final 24 days later).

Rest days are days since the club's previous match, counting matches already played before ``as_of`` (any
stored competition). The store holds league and UEFA matches only: domestic cup matches are missing, so
rest can be overstated around them. Cup matches of later rounds are *conditional*: played only if the club
gets that far; the rest days shown assume it does (the simulation recomputes rest for every path).

:func:`club_calendar` takes the matches it needs as frames (the league season, the season's UEFA matches,
the club's last match date); :func:`matchday.workflows.calendar_from_store` reads them from the store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import pandas as pd

from matchday.data.errors import MatchdayError

if TYPE_CHECKING:  # pragma: no cover
    from matchday.rules.knockout import TieRules
    from matchday.simulate.bracket import Round, Tie

DEFAULT_LEG_GAP_DAYS = 7
DEFAULT_ROUND_GAP_DAYS = 14
DEFAULT_FINAL_GAP_DAYS = 14


@dataclass(frozen=True)
class CalendarMatch:
    """One of the club's remaining matches.

    key: a readable id used by plans ("E0 2024-04-21 at fulham", "UEL Semi-final leg 1", "UEL Final").
    kind: "league" or "cup". opponent: team id, None when it depends on other results. venue: "home",
    "away", "neutral", or None when it depends on the draw. stage: for cup matches, 0 = the round the club
    is playing now, 1 = the next one, ...; conditional: played only if the club reaches that stage.
    rest_days: days since the previous match (assuming the club reaches every cup stage; None if the club
    has no earlier match in the store). fixture: row label of the league fixture in ``Calendar.league_matches``.
    """

    key: str
    date: dt.date
    competition: str
    kind: str
    opponent: str | None
    venue: str | None
    round: str | None = None
    leg: int | None = None
    stage: int | None = None
    conditional: bool = False
    rest_days: int | None = None
    fixture: int | None = None

    @property
    def is_cup(self) -> bool:
        return self.kind == "cup"


@dataclass(frozen=True)
class CupStage:
    """A knockout round the club has still to play: ``stage`` 0 is the current one."""

    stage: int
    round: str
    two_legged: bool
    neutral: bool
    opponent: str | None  # known for stage 0
    club_hosts_first_leg: bool | None  # None when the draw decides it
    first_leg: tuple[int, int] | None  # played first leg (host's goals first), stage 0 only
    matches: tuple[CalendarMatch, ...]


@dataclass
class CupState:
    """Where the club stands in a UEFA knockout competition on ``as_of``.

    first_round / ties / later_rounds: the bracket as :func:`matchday.simulate.knockout_state.bracket_from_store`
    reads it; club_tie: index of the club's tie in ``ties``; club_through: the club already won that tie
    (its first stage is then the next round).
    """

    competition: str
    season: str
    rules: TieRules
    first_round: Round
    ties: list[Tie]
    later_rounds: list[Round]
    club_tie: int
    club_through: bool
    stages: list[CupStage]


#: Stage numbers of the league-phase format (2024-25 on) in :class:`LeaguePhaseCup` calendars.
LEAGUE_PHASE_STAGES: tuple[str, ...] = ("League phase", "Knockout play-off", "Round of 16", "Quarter-final",
                                        "Semi-final", "Final")


@dataclass
class LeaguePhaseCup:
    """Where the club stands in a UEFA competition of the league-phase format (2024-25 on) on ``as_of``.

    matches: every stored match of the competition season (all rounds; the simulation reads the league
    phase and the knockout rounds from it). stages: the stages still to play, numbered as
    :data:`LEAGUE_PHASE_STAGES` (0 = the club's remaining league-phase matches, 1 = the knockout play-offs,
    ...). position_now: the club's league-phase position on ``as_of``; phase_complete: the league phase is
    over (then the position is final and the play-off stage is there only for positions 9-24).
    """

    competition: str
    season: str
    rules: TieRules
    matches: pd.DataFrame
    stages: list[CupStage]
    position_now: int
    phase_complete: bool
    kind: str = "league_phase"

    @property
    def clubs(self) -> list[str]:
        """Every club of the league phase (team ids)."""
        return sorted(set(self.matches["home"]) | set(self.matches["away"]))


@dataclass
class Calendar:
    """The club's remaining matches (``matches``, date order) and what the simulation needs to play them.

    league_matches: every match of the club's league season (played and scheduled; team ids).
    last_match: date of the club's latest match on or before ``as_of`` (any stored competition).
    notes: caveats found while building the calendar (shown in reports).
    cup: the club's UEFA knockout situation (:class:`CupState`), or from 2024-25 its league-phase season
    (:class:`LeaguePhaseCup`), or None.
    """

    club: str
    as_of: dt.date
    league: str
    season: str
    league_matches: pd.DataFrame
    matches: list[CalendarMatch]
    cup: CupState | LeaguePhaseCup | None
    last_match: dt.date | None
    notes: list[str] = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        return [m.key for m in self.matches]

    @property
    def cup_matches(self) -> list[CalendarMatch]:
        return [m for m in self.matches if m.is_cup]

    @property
    def league_fixtures(self) -> list[CalendarMatch]:
        return [m for m in self.matches if not m.is_cup]

    def frame(self) -> pd.DataFrame:
        """One row per remaining match: date, competition, round/leg, opponent, venue, rest days, conditional."""
        rows = [dict(key=m.key, date=m.date, competition=m.competition, round=m.round or "", leg=m.leg,
                     opponent=m.opponent or "(to be decided)", venue=m.venue or "(draw)", rest_days=m.rest_days,
                     conditional=m.conditional) for m in self.matches]
        frame = pd.DataFrame(rows, columns=["key", "date", "competition", "round", "leg", "opponent", "venue",
                                            "rest_days", "conditional"])
        frame["leg"] = frame["leg"].astype("Int64")
        frame["rest_days"] = frame["rest_days"].astype("Int64")
        return frame


def club_calendar(
    club: str,
    as_of: dt.date,
    *,
    league: str,
    league_matches: pd.DataFrame,
    uefa_matches: pd.DataFrame | None = None,
    last_match: dt.date | None = None,
    cup_dates: Mapping[str, Sequence[dt.date]] | None = None,
) -> Calendar:
    """The club's remaining matches on ``as_of`` (end of that day: its results are known).

    club: team id. league / league_matches: the club's domestic league and every match of its season
    (played and scheduled). uefa_matches: every match of the UEFA competitions of that season (None or
    empty: a league-only calendar). last_match: the club's latest match on or before ``as_of`` in any
    competition (rest days). cup_dates: dates for knockout rounds without stored fixtures, by round name
    (``{"Semi-final": [d1, d2], "Final": [d]}``).
    """
    from matchday.data.seasons import season_of_date
    from matchday.simulate.season import split_fixtures

    season = season_of_date(as_of)
    if not ((league_matches["home"] == club) | (league_matches["away"] == club)).any():
        raise MatchdayError(f"{club} plays no {league} match in {season}")
    _, remaining = split_fixtures(league_matches, as_of)
    own = remaining[(remaining["home"] == club) | (remaining["away"] == club)]
    matches: list[CalendarMatch] = []
    for label, row in own.iterrows():
        home = row["home"] == club
        opponent = row["away"] if home else row["home"]
        date = pd.Timestamp(row["date"]).date()
        matches.append(CalendarMatch(
            key=f"{league} {date.isoformat()} {'v' if home else 'at'} {opponent}", date=date, competition=league,
            kind="league", opponent=opponent, venue="neutral" if bool(row.get("neutral", False)) else (
                "home" if home else "away"), fixture=int(label)))
    notes: list[str] = []
    cup = None
    if uefa_matches is not None and not uefa_matches.empty:
        cup = _cup_state(uefa_matches, club, as_of, season, cup_dates or {}, notes)
    if cup is not None:
        matches.extend(m for stage in cup.stages for m in stage.matches)
    matches.sort(key=lambda m: (m.date, m.kind != "cup"))
    matches = _with_rest_days(matches, last_match)
    if cup is not None:  # the stages hold the same matches, with their rest days
        by_key = {m.key: m for m in matches}
        cup.stages = [replace(stage, matches=tuple(by_key[m.key] for m in stage.matches)) for stage in cup.stages]
    return Calendar(club=club, as_of=as_of, league=league, season=season, league_matches=league_matches,
                    matches=matches, cup=cup, last_match=last_match, notes=notes)


def _with_rest_days(matches: list[CalendarMatch], last: dt.date | None) -> list[CalendarMatch]:
    out = []
    previous = last
    for match in matches:
        rest = (match.date - previous).days if previous is not None else None
        out.append(replace(match, rest_days=rest))
        previous = match.date
    return out


def _cup_state(uefa: pd.DataFrame, club: str, as_of: dt.date, season: str,
               cup_dates: Mapping[str, Sequence[dt.date]], notes: list[str]) -> CupState | LeaguePhaseCup | None:
    """The club's UEFA knockout situation, or None (not in Europe, out, or still in a group stage)."""
    from matchday.rules.knockout import tie_rules
    from matchday.rules.uefa_format import has_league_phase
    from matchday.simulate.knockout_state import KNOCKOUT_ORDER, bracket_from_store

    own = uefa[(uefa["home"] == club) | (uefa["away"] == club)]
    if own.empty:
        return None
    for competition in own["competition"].drop_duplicates():
        if has_league_phase(competition, season):
            state = _league_phase_cup(uefa[uefa["competition"] == competition], competition, club, as_of, season,
                                      cup_dates, notes)
            if state is not None:
                return state
            continue
        mine = own[own["competition"] == competition]
        if not mine["round"].isin(KNOCKOUT_ORDER).any():
            if (pd.to_datetime(mine["date"]) > pd.Timestamp(as_of)).any():
                notes.append(f"{competition}: the club is in a group/league phase on {as_of}; only knockout "
                             "rounds are simulated, so its remaining group matches are left out")
            continue
        all_matches = uefa[uefa["competition"] == competition]
        try:
            first_round, ties, later = bracket_from_store(all_matches, as_of)
        except MatchdayError:
            continue  # every round decided
        index = next((i for i, t in enumerate(ties) if club in (t.home, t.away)), None)
        if index is None:
            continue  # the club went out in an earlier round
        tie = ties[index]
        if tie.winner is not None and tie.winner != club:
            continue
        rules = tie_rules(season, competition)
        stages = _stages(all_matches, competition, club, as_of, first_round, ties, index, later, cup_dates, notes)
        return CupState(competition=competition, season=season, rules=rules, first_round=first_round, ties=ties,
                        later_rounds=later, club_tie=index, club_through=tie.winner == club, stages=stages)
    return None


def _round_dates(stored: pd.DataFrame, two_legged: bool, path: set[str]) -> tuple[list[dt.date] | None, set[str]]:
    """Dates of a stored round (of the tie on the club's path when it can be told) and that tie's clubs."""
    if stored.empty:
        return None, set()
    on_path = stored[stored["home"].isin(path) | stored["away"].isin(path)]
    rows = (on_path if not on_path.empty else stored).sort_values("date")
    clubs = set(on_path["home"]) | set(on_path["away"])
    if two_legged:
        if rows["leg"].notna().any():
            first = rows[rows["leg"] == 1]["date"].min()
            second = rows[rows["leg"] == 2]["date"].min()
            if pd.notna(first) and pd.notna(second):
                return [pd.Timestamp(first).date(), pd.Timestamp(second).date()], clubs
        dates = sorted({pd.Timestamp(d).date() for d in rows["date"]})
        return (dates[:2] if len(dates) >= 2 else None), clubs
    return [pd.Timestamp(rows["date"].min()).date()], clubs


def _stages(all_matches: pd.DataFrame, competition: str, club: str, as_of: dt.date, first_round: Round,
            ties: list[Tie], index: int, later: list[Round], cup_dates: Mapping[str, Sequence[dt.date]],
            notes: list[str]) -> list[CupStage]:
    tie = ties[index]
    stages: list[CupStage] = []
    cutoff = pd.Timestamp(as_of)
    path = {tie.home, tie.away}
    previous_last: dt.date | None = None
    if tie.winner is None:
        legs = all_matches[(all_matches["round"] == first_round.name)
                           & all_matches["home"].isin(path) & all_matches["away"].isin(path)].sort_values("date")
        opponent = tie.away if tie.home == club else tie.home
        hosts_first = tie.home == club
        entries = []
        leg_dates = [pd.Timestamp(d).date() for d in legs["date"]]
        if first_round.two_legged and len(leg_dates) == 1:
            leg_dates.append(leg_dates[0] + dt.timedelta(days=DEFAULT_LEG_GAP_DAYS))
            notes.append(f"{competition} {first_round.name}: second leg not stored; assumed "
                         f"{DEFAULT_LEG_GAP_DAYS} days after the first")
        for number, date in enumerate(leg_dates, start=1):
            if pd.Timestamp(date) <= cutoff:
                continue
            if first_round.two_legged:
                home = hosts_first if number == 1 else not hosts_first
                venue, key, leg = ("home" if home else "away"), f"{competition} {first_round.name} leg {number}", number
            else:
                venue, key, leg = ("neutral" if first_round.neutral else "home"), f"{competition} {first_round.name}", None
            entries.append(CalendarMatch(key=key, date=date, competition=competition, kind="cup", opponent=opponent,
                                         venue=venue, round=first_round.name, leg=leg, stage=0))
        if not entries:
            raise MatchdayError(f"{competition} {first_round.name}: the club's tie is undecided on {as_of} but no "
                                "leg is left to play (a result is missing from the store)")
        stages.append(CupStage(0, first_round.name, first_round.two_legged, first_round.neutral, opponent,
                               hosts_first, tie.first_leg, tuple(entries)))
        previous_last = leg_dates[-1]
    else:
        rows = all_matches[all_matches["round"] == first_round.name]
        previous_last = pd.Timestamp(rows["date"].max()).date()
    # the club's path: its tie, then the pairing that feeds each later round (unknown after an open draw)
    position: int | None = index
    for round_ in later:
        number = len(stages)
        stored = all_matches[all_matches["round"] == round_.name]
        dates: list[dt.date] | None = None
        if round_.name in cup_dates:
            dates = [d if isinstance(d, dt.date) else pd.Timestamp(d).date() for d in cup_dates[round_.name]]
        if dates is None:
            dates, clubs = _round_dates(stored, round_.two_legged, path)
            path |= clubs
        if dates is None:
            assert previous_last is not None
            gap = DEFAULT_FINAL_GAP_DAYS if not round_.two_legged else DEFAULT_ROUND_GAP_DAYS
            first = previous_last + dt.timedelta(days=gap)
            dates = [first, first + dt.timedelta(days=DEFAULT_LEG_GAP_DAYS)] if round_.two_legged else [first]
            notes.append(f"{competition} {round_.name}: no fixtures stored; dates assumed "
                         + ", ".join(d.isoformat() for d in dates) + " (UEFA's usual gaps between rounds)")
        expected = 2 if round_.two_legged else 1
        if len(dates) != expected:
            raise MatchdayError(f"{competition} {round_.name}: {expected} date(s) needed, got {len(dates)}")
        hosts: bool | None = None
        if round_.open_draw or position is None:
            position = None
        else:
            pairs = list(round_.pairings) if round_.pairings is not None else [
                (2 * k, 2 * k + 1) for k in range(_round_size(ties, later, round_))]
            position, hosts = next((k, p[0] == position) for k, p in enumerate(pairs) if position in p)
            if not round_.two_legged:
                hosts = None
        entries = []
        for number_leg, date in enumerate(dates, start=1):
            if round_.two_legged:
                venue = None if hosts is None else ("home" if (hosts if number_leg == 1 else not hosts) else "away")
                key, leg = f"{competition} {round_.name} leg {number_leg}", number_leg
            else:
                venue = "neutral" if round_.neutral else None
                key, leg = f"{competition} {round_.name}", None
            entries.append(CalendarMatch(key=key, date=date, competition=competition, kind="cup", opponent=None,
                                         venue=venue, round=round_.name, leg=leg, stage=number, conditional=True))
        stages.append(CupStage(number, round_.name, round_.two_legged, round_.neutral, None, hosts, None,
                               tuple(entries)))
        previous_last = dates[-1]
    return stages


def _round_size(ties: list[Tie], later: list[Round], round_: Round) -> int:
    """Number of ties in ``round_`` (half the ties of the round before it)."""
    size = len(ties)
    for r in later:
        size //= 2
        if r is round_:
            return size
    raise ValueError(f"round {round_.name!r} is not in the bracket")


# --- the league-phase format (2024-25 on) ---------------------------------------------------------------------


def _default_round_dates(previous_last: dt.date, round_name: str) -> list[dt.date]:
    gap = DEFAULT_FINAL_GAP_DAYS if round_name == "Final" else DEFAULT_ROUND_GAP_DAYS
    first = previous_last + dt.timedelta(days=gap)
    return [first] if round_name == "Final" else [first, first + dt.timedelta(days=DEFAULT_LEG_GAP_DAYS)]


def _stored_round_dates(rows: pd.DataFrame, round_name: str) -> list[dt.date] | None:
    """The first day of each leg of a stored round (the club's own day is unknown until the draw)."""
    if rows.empty:
        return None
    if round_name == "Final":
        return [pd.Timestamp(rows["date"].min()).date()]
    if rows["leg"].notna().any():
        firsts, seconds = rows[rows["leg"] == 1]["date"], rows[rows["leg"] == 2]["date"]
        if not firsts.empty and not seconds.empty:
            return [pd.Timestamp(firsts.min()).date(), pd.Timestamp(seconds.min()).date()]
    days = sorted({pd.Timestamp(d).date() for d in rows["date"]})
    return [days[0], days[-1]] if len(days) >= 2 else None


def _league_phase_cup(matches: pd.DataFrame, competition: str, club: str, as_of: dt.date, season: str,
                      cup_dates: Mapping[str, Sequence[dt.date]], notes: list[str]) -> LeaguePhaseCup | None:
    """The club's remaining league-phase matches and the knockout path its position would lead to, or None
    (not in the league phase, or out of the competition on ``as_of``)."""
    from matchday.rules.knockout import tie_rules
    from matchday.rules.uefa_draws import KNOCKOUT_ROUNDS
    from matchday.simulate.uefa_season import LeaguePhase, knockout_knowledge

    try:
        phase = LeaguePhase.build(matches, competition, season, as_of)
    except MatchdayError as exc:
        notes.append(f"{competition}: {exc}; the club's European matches are left out")
        return None
    if club not in phase.teams:
        return None  # a qualifying-round club that did not reach the league phase
    table = phase.current_table().set_index("team")
    position = int(table.at[club, "position"])
    fmt = phase.fmt
    cutoff = pd.Timestamp(as_of)
    stages: list[CupStage] = []
    rest = phase.remaining
    own = rest[(rest["home"] == club) | (rest["away"] == club)].sort_values("date")
    if not own.empty:
        entries = []
        for row in own.itertuples():
            home = row.home == club
            opponent = row.away if home else row.home
            date = pd.Timestamp(row.date).date()
            entries.append(CalendarMatch(
                key=f"{competition} league phase {date.isoformat()} {'v' if home else 'at'} {opponent}",
                date=date, competition=competition, kind="cup", opponent=opponent, venue="home" if home else "away",
                round="League phase", stage=0))
        stages.append(CupStage(0, "League phase", False, False, None, None, None, tuple(entries)))
    positions = None
    if phase.complete:
        if position > fmt.playoff_places[1]:
            return None  # eliminated in the league phase
        positions = {str(t): int(p) for t, p in table["position"].items()}
    knowledge = knockout_knowledge(phase, positions)
    known = {t.round: t for t in knowledge.ties if club in (t.home, t.away)}
    if any(t.winner is not None and t.winner != club for t in known.values()):
        return None  # knocked out by ``as_of``
    previous_last = phase.last_date
    sure = True
    for number, name in enumerate(KNOCKOUT_ROUNDS, start=1):
        rows = matches[matches["round"] == name]
        if phase.complete and name == KNOCKOUT_ROUNDS[0] and position <= fmt.direct_places:
            continue  # the top eight go straight to the round of 16
        tie = known.get(name)
        if tie is not None and tie.winner == club:
            previous_last = pd.Timestamp(rows["date"].max()).date()
            continue  # through already
        final = name == "Final"
        if tie is not None:  # the pairing is known: the tie's own legs
            legs = rows[rows["home"].isin([tie.home, tie.away]) & rows["away"].isin([tie.home, tie.away])]
            dates = sorted(pd.Timestamp(d).date() for d in legs["date"])
            opponent = tie.away if tie.home == club else tie.home
            hosts_first = tie.home == club
        else:
            dates = None
            if name in cup_dates:
                dates = [d if isinstance(d, dt.date) else pd.Timestamp(d).date() for d in cup_dates[name]]
            dates = dates or _stored_round_dates(rows, name)
            if dates is None:
                dates = _default_round_dates(previous_last, name)
                notes.append(f"{competition} {name}: no fixtures stored; dates assumed "
                             + ", ".join(d.isoformat() for d in dates) + " (UEFA's usual gaps)")
            opponent, hosts_first = None, None
            if name in KNOCKOUT_ROUNDS[:2] and phase.complete:
                # seeded clubs (9-16 in the play-offs, 1-8 in the round of 16) host the second leg
                hosts_first = position > (16 if name == KNOCKOUT_ROUNDS[0] else fmt.direct_places)
        entries = []
        for leg, date in enumerate(dates, start=1):
            if pd.Timestamp(date) <= cutoff:
                continue  # a leg already played
            if final:
                venue, key, number_leg = "neutral", f"{competition} Final", None
            else:
                venue = None if hosts_first is None else ("home" if hosts_first == (leg == 1) else "away")
                key, number_leg = f"{competition} {name} leg {leg}", leg
            entries.append(CalendarMatch(key=key, date=date, competition=competition, kind="cup", opponent=opponent,
                                         venue=venue, round=name, leg=number_leg, stage=number,
                                         conditional=not (phase.complete and sure)))
        if entries:
            sure = False  # only the first knockout stage still to play is certain (once the phase is over)
            stages.append(CupStage(number, name, not final, final, opponent, hosts_first,
                                   tie.first_leg if tie is not None else None, tuple(entries)))
        previous_last = dates[-1]
    if not stages:
        return None
    if not phase.complete:
        notes.append(f"{competition}: {phase.n_remaining} league-phase matches left on {as_of}; the knockout path "
                     f"depends on the final position (1-{fmt.direct_places}: round of 16; "
                     f"{fmt.playoff_places[0]}-{fmt.playoff_places[1]}: play-offs first; lower: out)")
    notes.extend(f"{competition}: {note}" for note in knowledge.notes)
    return LeaguePhaseCup(competition=competition, season=season, rules=tie_rules(season, competition),
                          matches=matches, stages=stages, position_now=position, phase_complete=phase.complete)
