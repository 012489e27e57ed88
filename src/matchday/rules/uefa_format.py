"""The format of the UEFA club competitions per season, as data: league phase or groups, sizes, zones and
how the knockout legs are ordered.

From 2024-25 the Champions League (UCL), Europa League (UEL) and Conference League (UECL) start with one
36-club league phase (8 matches per club in the UCL and UEL, 6 in the UECL; every club meets different
opponents, 4 (3) at home and 4 (3) away). Positions 1-8 go to the round of 16, 9-24 to the knockout
phase play-offs, 25-36 are eliminated. The knockout bracket is then fixed by league position
(:mod:`matchday.rules.uefa_bracket`) and the table is ranked by :mod:`matchday.rules.uefa_league_phase`.
Earlier seasons use groups of four (recorded here for completeness; :func:`uefa_format` says which).

Sources, per entry in :data:`_FORMATS` (``source`` field):

* UEFA Champions League Regulations 2024/25 (2024-27 cycle), art. 17 (league phase: 36 clubs, 8 matches),
  art. 18 (equality of points, see :mod:`matchday.rules.uefa_league_phase`), art. 19-21 (knockout phase:
  play-offs 9-24, round of 16, bracket); the Europa League and Conference League regulations 2024/25 have
  the same articles (Conference League: 6 league-phase matches).
* uefa.com, "Champions League league phase standings: how teams level on points are separated"
  (13 September 2024): criteria a-e plus alphabetical order during matchdays 1-7, the full a-j from the
  last matchday.
* Knockout legs: in 2024-25 the seeded club played the second leg at home in the play-offs (positions
  9-16) and the round of 16 (positions 1-8); in the quarter-finals and semi-finals the order of legs was
  drawn (R16 draw of 21 February 2025; e.g. Barcelona (2nd) hosted the first leg of its semi-final
  against Inter (4th)). For 2025-26 UEFA (club competitions committee, May 2025, ratified before the
  league-phase draw of 28 August 2025) gave the second leg at home to the bracket path of positions 1-4 in
  the quarter-finals and of positions 1-2 in the semi-finals, a club that eliminates a seed taking over
  its path; reported (ESPN, 2 June 2025; Sky Sport Austria, 16 September 2025) as applying to all three
  competitions. The UEL/UECL 2025-26 entries rest on that report, not on their regulations' text: they say
  so in ``notes``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

from matchday.data.competitions import UEFA_CODES, resolve_competition
from matchday.data.errors import DataError
from matchday.data.seasons import normalize_season, season_start_year

#: How the order of legs of a quarter-final or semi-final is fixed.
#: ``"drawn"``: by the draw (2024-25); ``"path_seed"``: the bracket path of the better league-phase seed
#: plays the second leg at home (2025-26: positions 1-4 in the quarter-finals, 1-2 in the semi-finals).
LEG_ORDERS = ("drawn", "path_seed")

#: League-phase zones (1-based positions, inclusive).
ROUND_OF_16 = "round_of_16"
KNOCKOUT_PLAYOFF = "knockout_playoff"
ELIMINATED = "eliminated"


@dataclass(frozen=True, slots=True)
class UefaFormat:
    """The format of one UEFA club competition in one season.

    kind: ``"league_phase"`` (2024-25 on) or ``"groups"`` (groups of ``group_size``).
    n_clubs: clubs in the league phase (or group stage). matches_per_club: league-phase (group) matches.
    direct_places: positions going straight to the round of 16 (league phase: 1-8).
    playoff_places: (first, last) positions in the knockout phase play-offs (league phase: 9-24).
    quarter_final_legs / semi_final_legs: one of :data:`LEG_ORDERS` (league phase only).
    final_neutral / away_goals: the final is one match at a neutral venue; no away goals rule (2021-22 on).
    assumed: True when no researched entry covers the season and the nearest one was taken (see notes).
    """

    competition: str
    season: str
    kind: str
    n_clubs: int
    matches_per_club: int
    source: str
    direct_places: int = 0
    playoff_places: tuple[int, int] | None = None
    n_groups: int = 0
    group_size: int = 0
    quarter_final_legs: str = "drawn"
    semi_final_legs: str = "drawn"
    final_neutral: bool = True
    away_goals: bool = False
    assumed: bool = False
    notes: str = ""

    @property
    def league_phase(self) -> bool:
        return self.kind == "league_phase"

    @property
    def league_phase_matches(self) -> int:
        """Matches in the whole league phase (36 x 8 / 2 = 144 in the UCL/UEL, 108 in the UECL)."""
        return self.n_clubs * self.matches_per_club // 2

    def zone(self, position: int) -> str:
        """What a final league-phase position (1-based) leads to: round of 16, play-offs or elimination."""
        if not self.league_phase:
            raise DataError(f"{self.competition} {self.season} has no league phase (it has groups)",
                            value=position, expected="a season from 2024-25 on")
        if not 1 <= position <= self.n_clubs:
            raise DataError("league-phase position out of range", value=position,
                            expected=f"1..{self.n_clubs}")
        if position <= self.direct_places:
            return ROUND_OF_16
        assert self.playoff_places is not None
        if position <= self.playoff_places[1]:
            return KNOCKOUT_PLAYOFF
        return ELIMINATED


_LEAGUE_PHASE_SOURCE = ("UEFA {name} Regulations 2024/25 (2024-27 cycle), art. 17-21; uefa.com league-phase "
                        "standings explainer, 13 September 2024")
_PATH_SEED_SOURCE = ("UEFA club competitions committee decision of May 2025 for 2025-26 (ESPN, 2 June 2025; "
                     "Sky Sport Austria, 16 September 2025): second leg at home for the bracket path of "
                     "positions 1-4 (quarter-finals) and 1-2 (semi-finals)")

# (competition, first start year, last start year (None = open), fields). Researched up to the end of the
# 2024-27 cycle; a later season takes the newest entry with ``assumed=True``.
_FormatSpec = tuple[str, int, int | None, dict]
_FORMATS: tuple[_FormatSpec, ...] = (
    # Champions League group stage: 32 clubs, 8 groups of 4 (1999-2000 to 2002-03 had a second group
    # stage; not recorded). Away goals in two-legged ties until 2020-21.
    ("UCL", 2003, 2023, dict(kind="groups", n_clubs=32, matches_per_club=6, n_groups=8, group_size=4,
                             direct_places=0, source="UEFA Champions League Regulations 2003-2024 (group stage)")),
    ("UCL", 2024, 2024, dict(kind="league_phase", n_clubs=36, matches_per_club=8, direct_places=8,
                             playoff_places=(9, 24), quarter_final_legs="drawn", semi_final_legs="drawn",
                             source=_LEAGUE_PHASE_SOURCE.format(name="Champions League"))),
    ("UCL", 2025, 2026, dict(kind="league_phase", n_clubs=36, matches_per_club=8, direct_places=8,
                             playoff_places=(9, 24), quarter_final_legs="path_seed", semi_final_legs="path_seed",
                             source=_LEAGUE_PHASE_SOURCE.format(name="Champions League") + "; " + _PATH_SEED_SOURCE)),
    # Europa League: 48 clubs in 12 groups (2009-10 to 2020-21, then a round of 32), 32 clubs in 8 groups
    # with knockout round play-offs against the Champions League's third-placed clubs (2021-22 to 2023-24).
    ("UEL", 2009, 2020, dict(kind="groups", n_clubs=48, matches_per_club=6, n_groups=12, group_size=4,
                             source="UEFA Europa League Regulations 2009-2021 (group stage, round of 32)")),
    ("UEL", 2021, 2023, dict(kind="groups", n_clubs=32, matches_per_club=6, n_groups=8, group_size=4,
                             source="UEFA Europa League Regulations 2021-2024 (group stage, knockout round play-offs)")),
    ("UEL", 2024, 2024, dict(kind="league_phase", n_clubs=36, matches_per_club=8, direct_places=8,
                             playoff_places=(9, 24), quarter_final_legs="drawn", semi_final_legs="drawn",
                             source=_LEAGUE_PHASE_SOURCE.format(name="Europa League"))),
    ("UEL", 2025, 2026, dict(kind="league_phase", n_clubs=36, matches_per_club=8, direct_places=8,
                             playoff_places=(9, 24), quarter_final_legs="path_seed", semi_final_legs="path_seed",
                             source=_LEAGUE_PHASE_SOURCE.format(name="Europa League") + "; " + _PATH_SEED_SOURCE,
                             notes="Order of the quarter- and semi-final legs from a press report that the "
                                   "Champions League change applies to all three competitions; not checked "
                                   "against the Europa League regulations 2025/26.")),
    # Conference League: 32 clubs in 8 groups (2021-22 to 2023-24), then a 36-club league phase of 6 matches.
    ("UECL", 2021, 2023, dict(kind="groups", n_clubs=32, matches_per_club=6, n_groups=8, group_size=4,
                              source="UEFA Europa Conference League Regulations 2021-2024 (group stage)")),
    ("UECL", 2024, 2024, dict(kind="league_phase", n_clubs=36, matches_per_club=6, direct_places=8,
                              playoff_places=(9, 24), quarter_final_legs="drawn", semi_final_legs="drawn",
                              source=_LEAGUE_PHASE_SOURCE.format(name="Conference League"))),
    ("UECL", 2025, 2026, dict(kind="league_phase", n_clubs=36, matches_per_club=6, direct_places=8,
                              playoff_places=(9, 24), quarter_final_legs="path_seed", semi_final_legs="path_seed",
                              source=_LEAGUE_PHASE_SOURCE.format(name="Conference League") + "; " + _PATH_SEED_SOURCE,
                              notes="Order of the quarter- and semi-final legs from a press report that the "
                                    "Champions League change applies to all three competitions; not checked "
                                    "against the Conference League regulations 2025/26.")),
)

_AWAY_GOALS_LAST = 2020  # abolished from 2021-22 (rules.knockout.LAST_AWAY_GOALS_SEASON)


def uefa_format(competition: str, season: str) -> UefaFormat:
    """The format of a UEFA club competition in a season (``"UCL"``, ``"2024-25"``).

    Raises DataError for a season no entry covers that lies before the first researched one. A season after
    the last researched one takes the newest format with ``assumed=True`` and a warning (never silently).
    """
    code = resolve_competition(competition).code
    if code not in UEFA_CODES:
        raise DataError("not a UEFA club competition", value=competition, expected=", ".join(UEFA_CODES))
    season = normalize_season(season)
    start = season_start_year(season)
    entries = [e for e in _FORMATS if e[0] == code]
    for _, first, last, fields in entries:
        if first <= start and (last is None or start <= last):
            return UefaFormat(competition=code, season=season, away_goals=start <= _AWAY_GOALS_LAST, **fields)
    newest = max(entries, key=lambda e: e[1])
    if start > (newest[2] or start):
        note = (f"no researched format for {code} {season}; assuming the {newest[1]}-{(newest[1] + 1) % 100:02d} "
                f"format (36-club league phase)")
        warnings.warn(note, stacklevel=2)
        fields = dict(newest[3])
        fields["notes"] = "; ".join(x for x in (fields.get("notes", ""), note) if x)
        return UefaFormat(competition=code, season=season, assumed=True, **fields)
    oldest = min(e[1] for e in entries)
    raise DataError(f"no researched format for {code} {season}", value=season,
                    expected=f"a season from {oldest}-{(oldest + 1) % 100:02d} on")


def has_league_phase(competition: str, season: str) -> bool:
    """True from 2024-25 on (the 36-club league phase), False for the group-stage seasons."""
    start = season_start_year(season)
    return start >= 2024 and resolve_competition(competition).code in UEFA_CODES
