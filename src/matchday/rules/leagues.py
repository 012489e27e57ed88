"""League rules as data: points, tie-breakers, play-offs, places and point deductions, per season.

Every league table matchday computes is ranked by :mod:`matchday.rules.table` from a
:class:`TableRules` object returned by :func:`rules_for`. The rules are written as data below, one entry
per competition and season range, each with the regulation it comes from. Where a fact is recalled rather
than checked against the regulation's text, the entry says so in ``notes``.

Tie-breaker vocabulary (``TableRules.criteria``; every criterion ranks the higher value first):

==========================  ==================================================================
``points``                  league points, including point adjustments (deductions are negative)
``points_per_game``         points divided by matches played (Ligue 1 2019-20, season curtailed)
``goal_difference``         goals for minus goals against, all matches
``goals_for``               goals scored, all matches
``away_goals_for``          goals scored in away matches, all matches
``wins``                    matches won
``h2h_points``              points in the matches between the tied clubs only ("mini-league")
``h2h_goal_difference``     goal difference in the matches between the tied clubs
``h2h_goals_for``           goals scored in the matches between the tied clubs
``h2h_away_goals_for``      away goals scored in the matches between the tied clubs
==========================  ==================================================================

Head-to-head criteria are computed among the clubs still level when the first head-to-head criterion of a
run is reached (a "classifica avulsa"). With ``h2h_restart`` (La Liga), a group that a criterion splits into
smaller groups that are still level starts again from the first head-to-head criterion among the smaller
group only. With ``incomplete_h2h="skip"`` the head-to-head criteria are ignored for a group whose mutual
matches have not all been played yet (in-season tables); ``"stop"`` (Bundesliga) leaves such clubs level.

Point deductions live in ``deductions.csv`` beside this module (one row per decision, signed: a deduction is
negative, a reduction on appeal positive) with the date it took effect, so that a table "as of" a date
applies only the decisions already in force: :func:`deductions_for`.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from matchday.data.competitions import LEAGUE_CODES, resolve_competition
from matchday.data.errors import DataError, UnknownChoiceError
from matchday.data.seasons import normalize_season, season_start_year

GLOBAL_CRITERIA: frozenset[str] = frozenset(
    {"points", "points_per_game", "goal_difference", "goals_for", "away_goals_for", "wins"}
)
H2H_CRITERIA: frozenset[str] = frozenset(
    {"h2h_points", "h2h_goal_difference", "h2h_goals_for", "h2h_away_goals_for"}
)
CRITERIA: frozenset[str] = GLOBAL_CRITERIA | H2H_CRITERIA


@dataclass(frozen=True, slots=True)
class Places:
    """How many final positions lead where, counted from the top (European places, promotion) or from the
    bottom (relegation). League berths only: domestic cup winners also qualify for Europe, and when a cup
    winner has already qualified through the league its berth usually passes down the table, so the counts
    below assume that usual case. Treat the European counts as nominal, not as the regulation's last word."""

    champions_league: int = 0
    europa_league: int = 0
    conference_league: int = 0
    promotion: int = 0  # second tier: automatic promotion
    promotion_playoff: int = 0  # second tier: places in the promotion play-offs
    relegation_playoff: int = 0  # places just above the relegation places that play a relegation play-off
    relegation: int = 0  # direct relegation

    def zone(self, position: int, n_teams: int) -> str:
        """What a 1-based final position leads to: ``"champions_league"``, ..., ``"relegation"`` or ``""``."""
        top = (
            ("promotion", self.promotion),
            ("promotion_playoff", self.promotion_playoff),
            ("champions_league", self.champions_league),
            ("europa_league", self.europa_league),
            ("conference_league", self.conference_league),
        )
        edge = 0
        for name, count in top:
            edge += count
            if position <= edge:
                return name
        if position > n_teams - self.relegation:
            return "relegation"
        if position > n_teams - self.relegation - self.relegation_playoff:
            return "relegation_playoff"
        return ""


@dataclass(frozen=True, slots=True)
class TableRules:
    """The ranking rules of one competition in one season (see the module docstring for ``criteria``)."""

    competition: str
    season: str
    n_teams: int
    criteria: tuple[str, ...]
    places: Places
    source: str  # the regulation (and article) the criteria come from
    h2h_restart: bool = False  # re-apply head-to-head among a smaller group still level (La Liga)
    incomplete_h2h: str = "skip"  # "skip" or "stop": head-to-head while mutual matches are unplayed
    meetings_per_pair: int = 2  # matches between two clubs in a full season (double round robin)
    points_for_win: int = 3
    points_for_draw: int = 1
    playoff_for_title: bool = False  # a tie on points for 1st goes to a play-off match (Serie A 2022-23 on)
    playoff_for_last_relegation_place: bool = False  # a tie on points across the relegation line likewise
    last_resort: str = "play-off"  # what the regulation does when every criterion is level
    notes: str = ""

    def __post_init__(self) -> None:
        unknown = [c for c in self.criteria if c not in CRITERIA]
        if unknown:
            raise ValueError(f"unknown tie-breaker criteria {unknown}; known: {sorted(CRITERIA)}")
        if not self.criteria or self.criteria[0] not in GLOBAL_CRITERIA:
            raise ValueError("the first criterion must be a whole-table one such as 'points'")
        if self.incomplete_h2h not in ("skip", "stop"):
            raise ValueError(f"incomplete_h2h must be 'skip' or 'stop', not {self.incomplete_h2h!r}")


# --- rule definitions -----------------------------------------------------------------------------------
# (competition, first season start year or None, last season start year or None, fields). A range with None
# at either end is open: the earliest rules apply to older seasons, the newest to seasons not yet written
# here (2024-25 on), and both are stated in ``notes`` of the table they produce.

_RuleSpec = tuple[str, int | None, int | None, dict]

_RULES: tuple[_RuleSpec, ...] = (
    # Premier League. Points, goal difference, goals scored; from 2019-20 then points and away goals in the
    # matches between the clubs (Premier League statement of July 2019, Handbook Section C, rules C.17-C.18
    # in recent editions: numbers from memory), then a play-off at a neutral ground if the position matters
    # for the title, Europe or relegation. Before 2019-20 a tie after goals scored went straight to that
    # play-off.
    ("E0", None, 2018, dict(
        criteria=("points", "goal_difference", "goals_for"),
        source="Premier League Handbook, Section C (league table), rules as in force until 2018-19",
        last_resort="play-off if it decides the title, Europe or relegation; otherwise the clubs share the place",
    )),
    ("E0", 2019, None, dict(
        criteria=("points", "goal_difference", "goals_for", "h2h_points", "h2h_away_goals_for"),
        source="Premier League Handbook 2023/24, Section C (rules C.17-C.18; head-to-head added for 2019-20)",
        last_resort="play-off if it decides the title, Europe or relegation; otherwise the clubs share the place",
    )),
    # Championship: EFL Regulations (league positions regulation, number from memory). Points, goal
    # difference, goals scored, then the results between the clubs (points, then away goals), then a
    # play-off where it matters. Regular season only (the play-offs are knockout matches, not a table).
    ("E1", None, None, dict(
        criteria=("points", "goal_difference", "goals_for", "h2h_points", "h2h_away_goals_for"),
        source="EFL Regulations, league positions (points, goal difference, goals scored, head-to-head)",
        last_resort="play-off if it decides promotion, the play-offs or relegation",
        notes="The head-to-head steps are recalled, not checked against every season's EFL Regulations; "
              "they only matter after points, goal difference and goals scored are all level.",
    )),
    # La Liga: RFEF Reglamento General, art. 201 (ties on points). Two clubs: goal difference in their
    # two matches, then overall goal difference, then goals scored. More than two: points in the matches
    # among them as if no one else had played, then goal difference in those matches, then overall goal
    # difference, then goals scored, then the fair-play ranking. The rules apply in order and
    # "eliminatorily": once some clubs are separated, those still level start again from the first rule
    # (two-club rule for two). For two clubs with two meetings, h2h points then h2h goal difference orders
    # exactly as h2h goal difference alone, so one criteria list covers both cases.
    ("SP1", None, None, dict(
        criteria=("points", "h2h_points", "h2h_goal_difference", "goal_difference", "goals_for"),
        h2h_restart=True,
        source="RFEF Reglamento General, art. 201 (empate a puntos)",
        last_resort="fair-play ranking (cards), not modelled: reported as unresolved",
        notes="In-season tables use head-to-head only once both matches between the clubs have been "
              "played (LaLiga's practice); until then overall goal difference decides.",
    )),
    # Serie A (up to 2021-22): NOIF / Lega Serie A: "classifica avulsa" among the tied clubs (points, then
    # goal difference in their matches), then overall goal difference, goals scored, then lots.
    ("I1", None, 2021, dict(
        criteria=("points", "h2h_points", "h2h_goal_difference", "goal_difference", "goals_for"),
        source="Lega Serie A / FIGC NOIF art. 51 (classifica avulsa), in force 2005-06 to 2021-22",
        last_resort="drawing of lots",
    )),
    # Serie A from 2022-23: same order for every place, except that two clubs level on points for 1st, or
    # level across the last relegation place (17th/18th), play a play-off (FIGC Consiglio Federale,
    # 2022; one match in 2022-23, e.g. Spezia v Verona; from 2023-24 the relegation play-off is two legs).
    # With more than two clubs level, the classifica avulsa picks the two that play.
    ("I1", 2022, None, dict(
        criteria=("points", "h2h_points", "h2h_goal_difference", "goal_difference", "goals_for"),
        playoff_for_title=True,
        playoff_for_last_relegation_place=True,
        source="FIGC Consiglio Federale decisions of 2022 and 7 July 2023 (spareggio scudetto/retrocessione); "
               "Lega Serie A classification criteria",
        last_resort="drawing of lots (play-off for 1st and for 17th/18th)",
    )),
    # Bundesliga: DFL Spielordnung (ranking on equal points): goal difference, goals scored, the aggregate
    # score of the two matches between the clubs, away goals in those matches, away goals overall, then a
    # play-off on neutral ground. During the season, while both matches have not been played, only goal
    # difference and goals scored count and the clubs share the place (incomplete_h2h="stop").
    ("D1", None, None, dict(
        criteria=("points", "goal_difference", "goals_for", "h2h_goal_difference", "h2h_away_goals_for",
                  "away_goals_for"),
        incomplete_h2h="stop",
        source="DFL Spielordnung (SpOL), ranking criteria on equal points (as published by bundesliga.com)",
        last_resort="play-off on neutral ground",
        notes="The third criterion is the aggregate score of the two matches (\"Gesamtergebnis aus Hin- "
              "und Rueckspiel\"), i.e. head-to-head goal difference, not head-to-head points.",
    )),
    # Ligue 1: LFP Reglement des competitions 2023/24, art. 518 ter (eight criteria): overall goal
    # difference, points in the matches between the clubs, goal difference in them, goals in them, away
    # goals in them, goals scored overall, away goals overall, fair-play ranking. Verified by 2023-24: Metz
    # finished above Lorient (same points and goal difference, Lorient more goals overall) on head-to-head
    # away goals.
    ("F1", None, 2018, dict(
        criteria=("points", "goal_difference", "h2h_points", "h2h_goal_difference", "h2h_goals_for",
                  "h2h_away_goals_for", "goals_for", "away_goals_for"),
        source="LFP Reglement des competitions (criteria as in art. 518 ter of 2023/24)",
        last_resort="fair-play ranking (cards), not modelled: reported as unresolved",
        notes="The 2023-24 order is applied to earlier seasons; it was not checked season by season.",
    )),
    # 2019-20 was stopped in March 2020: the LFP board (30 April 2020) ranked clubs by points per match.
    ("F1", 2019, 2019, dict(
        criteria=("points_per_game", "goal_difference", "h2h_points", "h2h_goal_difference",
                  "h2h_goals_for", "h2h_away_goals_for", "goals_for", "away_goals_for"),
        source="LFP Conseil d'administration, 30 April 2020 (final ranking by points per match played)",
        last_resort="fair-play ranking (cards), not modelled: reported as unresolved",
    )),
    ("F1", 2020, None, dict(
        criteria=("points", "goal_difference", "h2h_points", "h2h_goal_difference", "h2h_goals_for",
                  "h2h_away_goals_for", "goals_for", "away_goals_for"),
        source="LFP Reglement des competitions 2023/24, art. 518 ter",
        last_resort="fair-play ranking (cards), not modelled: reported as unresolved",
        notes="From 2025-26 the LFP replaced the away-goal criteria by wins and away wins (not yet here).",
    )),
)

# Club counts per season: (competition, first, last, n_teams).
_SIZES: tuple[tuple[str, int | None, int | None, int], ...] = (
    ("E0", None, None, 20),
    ("E1", None, None, 24),
    ("SP1", None, None, 20),
    ("I1", None, None, 20),
    ("D1", None, None, 18),
    ("F1", None, 2022, 20),
    ("F1", 2023, None, 18),
)

# Places per season range. Champions League / Europa / Conference counts are the league berths in the
# usual case (cup winners already qualified through the league); relegation counts are exact.
_PLACES: tuple[tuple[str, int | None, int | None, Places], ...] = (
    ("E0", None, 2020, Places(champions_league=4, europa_league=3, relegation=3)),
    ("E0", 2021, None, Places(champions_league=4, europa_league=2, conference_league=1, relegation=3)),
    ("E1", None, None, Places(promotion=2, promotion_playoff=4, relegation=3)),
    ("SP1", None, 2020, Places(champions_league=4, europa_league=3, relegation=3)),
    ("SP1", 2021, None, Places(champions_league=4, europa_league=2, conference_league=1, relegation=3)),
    ("I1", None, 2016, Places(champions_league=3, europa_league=3, relegation=3)),
    ("I1", 2017, 2020, Places(champions_league=4, europa_league=3, relegation=3)),
    ("I1", 2021, None, Places(champions_league=4, europa_league=2, conference_league=1, relegation=3)),
    ("D1", None, 2020, Places(champions_league=4, europa_league=3, relegation_playoff=1, relegation=2)),
    ("D1", 2021, None, Places(champions_league=4, europa_league=2, conference_league=1,
                              relegation_playoff=1, relegation=2)),
    ("F1", None, 2015, Places(champions_league=3, europa_league=3, relegation=3)),
    ("F1", 2016, 2018, Places(champions_league=3, europa_league=3, relegation_playoff=1, relegation=2)),
    ("F1", 2019, 2019, Places(champions_league=3, europa_league=3, relegation=2)),  # curtailed: no play-off
    ("F1", 2020, 2021, Places(champions_league=3, europa_league=2, conference_league=1,
                              relegation_playoff=1, relegation=2)),
    ("F1", 2022, 2022, Places(champions_league=3, europa_league=2, conference_league=1, relegation=4)),
    ("F1", 2023, None, Places(champions_league=4, europa_league=2, conference_league=1,
                              relegation_playoff=1, relegation=2)),
)

_KNOWN_FIRST, _KNOWN_LAST = 2012, 2023  # seasons whose rules and deductions were written down here


def _pick(entries, code: str, year: int):
    for entry in entries:
        comp, first, last = entry[0], entry[1], entry[2]
        if comp == code and (first is None or year >= first) and (last is None or year <= last):
            return entry
    return None


def rules_for(competition: str, season: str) -> TableRules:
    """The ranking rules of a league (code or name, e.g. ``"E0"``, ``"Serie A"``) in a season (``"2023-24"``).

    Seasons outside 2012-13..2023-24 get the nearest season's rules, and ``notes`` says so.
    """
    code = resolve_competition(competition).code
    if code not in LEAGUE_CODES:
        raise UnknownChoiceError("league", competition, list(LEAGUE_CODES))
    season = normalize_season(season)
    year = season_start_year(season)
    rule = _pick(_RULES, code, year)
    size = _pick(_SIZES, code, year)
    places = _pick(_PLACES, code, year)
    if rule is None or size is None or places is None:  # pragma: no cover - tables above are complete
        raise UnknownChoiceError("league", competition, list(LEAGUE_CODES))
    fields = dict(rule[3])
    notes = [fields.pop("notes", "")]
    if not _KNOWN_FIRST <= year <= _KNOWN_LAST:
        notes.append(f"{season} is outside the seasons checked here (2012-13 to 2023-24): the nearest "
                     "season's rules, club count and places are applied.")
    return TableRules(
        competition=code,
        season=season,
        n_teams=size[3],
        places=places[3],
        notes=" ".join(n for n in notes if n),
        **fields,
    )


# --- point deductions -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Deduction:
    """One decision changing a club's points in one season (signed: a deduction is negative)."""

    competition: str
    season: str
    team_id: str
    points: int
    effective_date: dt.date
    reason: str
    source: str
    line: int  # line in deductions.csv, for error messages


_DEDUCTIONS_FILE = "deductions.csv"
_DEDUCTION_COLUMNS = ("competition", "season", "team_id", "points", "effective_date", "reason", "source")


def parse_deductions(text: str, file: str = _DEDUCTIONS_FILE) -> list[Deduction]:
    """Rows of a deductions CSV (columns as ``deductions.csv``); bad rows raise :class:`DataError`."""
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in _DEDUCTION_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise DataError("missing columns", file=file, line=1, column=missing[0],
                        expected=",".join(_DEDUCTION_COLUMNS))
    rows: list[Deduction] = []
    for line, row in enumerate(reader, start=2):
        comp = (row["competition"] or "").strip()
        if comp not in LEAGUE_CODES:
            raise DataError("unknown league", file=file, line=line, column="competition", value=comp,
                            expected=" ".join(LEAGUE_CODES))
        try:
            season = normalize_season(row["season"] or "")
        except DataError as exc:
            raise DataError("not a season", file=file, line=line, column="season", value=row["season"],
                            expected="e.g. 2023-24") from exc
        team_id = (row["team_id"] or "").strip()
        if not team_id or team_id != team_id.lower() or " " in team_id:
            raise DataError("not a team id", file=file, line=line, column="team_id", value=team_id,
                            expected="lowercase slug such as nottingham-forest")
        try:
            points = int(row["points"])
        except (TypeError, ValueError):
            raise DataError("not an integer", file=file, line=line, column="points", value=row["points"],
                            expected="signed points, e.g. -10 or 4") from None
        try:
            when = dt.date.fromisoformat((row["effective_date"] or "").strip())
        except ValueError:
            raise DataError("not a date", file=file, line=line, column="effective_date",
                            value=row["effective_date"], expected="YYYY-MM-DD") from None
        rows.append(Deduction(comp, season, team_id, points, when, (row["reason"] or "").strip(),
                              (row["source"] or "").strip(), line))
    return rows


@lru_cache(maxsize=1)
def load_deductions() -> tuple[Deduction, ...]:
    """Every point deduction matchday knows (``deductions.csv`` shipped with the package)."""
    text = resources.files("matchday.rules").joinpath(_DEDUCTIONS_FILE).read_text(encoding="utf-8")
    return tuple(parse_deductions(text))


def _as_date(value: dt.date | str | None) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        import pandas as pd

        return pd.Timestamp(value).date()
    except (ValueError, TypeError):
        raise DataError("not a date", column="as_of", value=value, expected="YYYY-MM-DD") from None


def label_resolver(labels: Iterable[str], team_id_of: Callable[[str], str | None]) -> dict[str, str]:
    """Team id -> label of a match frame, from a label -> team id lookup such as ``TeamRegistry.resolve``.

    Pass the result as ``resolve=`` to :func:`deductions_for` so deductions come keyed like the frame.
    Labels the lookup does not know are skipped; two labels of one club keep the first.
    """
    mapping: dict[str, str] = {}
    for label in labels:
        team_id = team_id_of(label)
        if team_id and team_id not in mapping:
            mapping[team_id] = label
    return mapping


def deductions_for(
    competition: str,
    season: str,
    as_of: dt.date | str | None = None,
    resolve: Callable[[str], str | None] | Mapping[str, str] | None = None,
) -> dict[str, int]:
    """Net point adjustment per club for a league season (negative = points deducted).

    as_of: only decisions with ``effective_date <= as_of`` count (inclusive, like the table's ``--as-of``);
    None counts every decision (the final table).
    resolve: maps a canonical team id (``"nottingham-forest"``) to the label the caller's match data uses
    (``"Nott'm Forest"``); a callable or a mapping. Ids it cannot map (None / missing) are kept as ids.
    Clubs whose adjustments net to zero are left out.
    """
    code = resolve_competition(competition).code
    season = normalize_season(season)
    cutoff = _as_date(as_of)
    totals: dict[str, int] = {}
    for row in load_deductions():
        if row.competition != code or row.season != season:
            continue
        if cutoff is not None and row.effective_date > cutoff:
            continue
        label = row.team_id
        if resolve is not None:
            mapped = resolve.get(row.team_id) if isinstance(resolve, Mapping) else resolve(row.team_id)
            label = mapped if mapped else row.team_id
        totals[label] = totals.get(label, 0) + row.points
    return {label: points for label, points in totals.items() if points != 0}
