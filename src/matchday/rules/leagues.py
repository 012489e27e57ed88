"""League rules as data: points, tie-breakers, formats, places, play-offs and point deductions, per season.

Every league table matchday computes is ranked by :mod:`matchday.rules.table` from a :class:`TableRules`
object returned by :func:`rules_for`. The rules are data, not code: one TOML file per league in
``matchday/rules/leagues/<code>.toml`` (``E0.toml``, ``SC0.toml``, ...), read by one loader
(:func:`load_rule_files`). Each file holds ``[[season]]`` blocks, each covering a range of seasons
(``seasons = "2012-13:2018-19"``) with the club count, the tie-breakers, the format (a round robin, a split,
play-off groups), the places and the play-offs decided outside the table, and the ``source`` it comes from
(the league's regulations or the Wikipedia season article). Where a fact was recalled rather than read in
the regulation, the block says so in ``notes``; ``checked`` lists the seasons whose final table a test
compares with the official one, position by position. Every league has researched blocks for 2012-13 to
2025-26; another season falls back to the nearest researched one *loudly*: a WARNING is logged and the
rules' ``fallback`` and ``notes`` name the season whose rules were applied.

Tie-breaker vocabulary (``TableRules.criteria``; every criterion ranks the higher value first):

==========================  ==================================================================
``points``                  league points, including point adjustments (deductions are negative)
``points_per_game``         points divided by matches played (seasons stopped by COVID-19 in 2020)
``goal_difference``         goals for minus goals against, all matches
``goals_for``               goals scored, all matches
``away_goals_for``          goals scored in away matches, all matches
``wins``                    matches won
``away_wins``               away matches won
``h2h_points``              points in the matches between the tied clubs only ("mini-league")
``h2h_goal_difference``     goal difference in the matches between the tied clubs
``h2h_goals_for``           goals scored in the matches between the tied clubs
``h2h_away_goals_for``      away goals scored in the matches between the tied clubs
``not_rounded_up``          play-off groups with halved points: a club whose halved points were not
                            rounded up goes first (Belgium)
``regular_season_position`` play-off groups: the better position after the regular season goes first
==========================  ==================================================================

Head-to-head criteria are computed among the clubs still level when the first head-to-head criterion of a
run is reached (a "classifica avulsa"). With ``h2h_restart`` (La Liga), a group that a criterion splits into
smaller groups that are still level starts again from the first head-to-head criterion among the smaller
group only. With ``incomplete_h2h="skip"`` the head-to-head criteria are ignored for a group whose mutual
matches have not all been played yet (in-season tables); ``"stop"`` (Bundesliga) leaves such clubs level.

Formats (``[season.format]``): ``round_robin`` (the default); ``split`` and ``playoff_groups``: after
``regular_rounds`` matches per club the table splits into ``groups`` of final positions (``[[1, 6], [7,
12]]``); each group carries its clubs' regular-season points in ``full`` or halved and rounded up
(``half_up``), and a club's final position stays inside its group's range (Scotland's 7th can have more
points than its 6th). ``in_data = false`` says the source files hold the regular season only, so the table
matchday can compute is the regular-season table (Belgium before 2023-24).

Play-offs decided outside the table (``[[season.playoffs]]``: relegation and promotion play-offs, European
play-offs, a European performance spot) are described as data events with the positions involved and the
other party (for example the Bundesliga 16th against the 2. Bundesliga 3rd): matchday does not have the
other division's play-off matches, so these events are reported, not simulated. A result the league awarded
instead of the one played (or for a match the files lack) is ``[[season.awarded]]``: the table counts the
awarded score (Kifisia 0-0 Volos of 11 February 2024 counted 3-0 for Kifisia in Greece 2023-24).

Point deductions live in ``deductions.csv`` beside this module (one row per decision, signed: a deduction is
negative, a reduction on appeal positive) with the date it took effect, so that a table "as of" a date
applies only the decisions already in force: :func:`deductions_for`.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from matchday.data.competitions import COMPETITIONS, LEAGUE_CODES, resolve_competition
from matchday.data.errors import DataError, MatchdayError, UnknownChoiceError
from matchday.data.seasons import normalize_season, season_of_date, season_start_year

logger = logging.getLogger(__name__)

GLOBAL_CRITERIA: frozenset[str] = frozenset(
    {"points", "points_per_game", "goal_difference", "goals_for", "away_goals_for", "wins", "away_wins"}
)
H2H_CRITERIA: frozenset[str] = frozenset(
    {"h2h_points", "h2h_goal_difference", "h2h_goals_for", "h2h_away_goals_for"}
)
#: Criteria that only play-off groups know: values come from the regular season, not from the matches.
GROUP_CRITERIA: frozenset[str] = frozenset({"not_rounded_up", "regular_season_position"})
CRITERIA: frozenset[str] = GLOBAL_CRITERIA | H2H_CRITERIA | GROUP_CRITERIA

#: The first and last season every league has researched rules for.
RESEARCHED_FIRST, RESEARCHED_LAST = "2012-13", "2025-26"

EUROPE_DEFINITION = (
    "league positions that qualify for a UEFA club competition when every domestic cup winner has already "
    "qualified through the league, so that the cup winners' berths pass down the table (included); places "
    "won through a European play-off, a play-off against another division or a European title are not "
    "counted"
)


class FormatNotSimulatedError(MatchdayError):
    """A season format that the season simulator cannot simulate (a split, play-off groups)."""


@dataclass(frozen=True, slots=True)
class Places:
    """How many final positions lead where, counted from the top (European places, promotion) or from the
    bottom (relegation). European counts are league berths as :data:`EUROPE_DEFINITION` defines them:
    cup winners' berths are assumed to pass down the table (the usual case); ``europe`` adds them up."""

    champions_league: int = 0
    europa_league: int = 0
    conference_league: int = 0
    promotion: int = 0  # second tier: automatic promotion
    promotion_playoff: int = 0  # second tier: places in the promotion play-offs
    relegation_playoff: int = 0  # places just above the relegation places that play a relegation play-off
    relegation: int = 0  # direct relegation
    europe_note: str = ""  # what the European counts of this league and season rest on

    @property
    def europe(self) -> int:
        """Positions counted as "Europe": Champions League + Europa League + Conference League berths."""
        return self.champions_league + self.europa_league + self.conference_league

    @property
    def europe_definition(self) -> str:
        return EUROPE_DEFINITION + (f". {self.europe_note}" if self.europe_note else "")

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
class StageGroup:
    """One group of a split or play-off stage: the final positions it covers and how points carry over."""

    name: str
    first: int  # 1-based final positions first..last
    last: int
    carry: str = "full"  # "full", "half_up" (halved, rounded up) or "none" (from zero; groups not in the data)
    criteria: tuple[str, ...] = ()  # tie-breakers inside the group; () = the season's criteria
    meetings: int = 2  # matches between two clubs of the group after the split (1: a single round robin)


@dataclass(frozen=True, slots=True)
class SeasonFormat:
    """How a season is played: a plain round robin, or a regular season followed by groups."""

    kind: str = "round_robin"  # "round_robin", "split" or "playoff_groups"
    regular_rounds: int = 0  # matches per club in the regular season (split formats)
    groups: tuple[StageGroup, ...] = ()
    in_data: bool = True  # False: the source files hold the regular season only
    description: str = ""

    @property
    def staged(self) -> bool:
        return self.kind != "round_robin"


@dataclass(frozen=True, slots=True)
class Playoff:
    """A play-off decided outside the league table: described as data, reported, not simulated."""

    kind: str  # "relegation_playoff", "promotion_playoff", "europe_playoff", "title_playoff", ...
    positions: tuple[int, int]  # 1-based final positions of this league taking part
    opponent: str  # who they play: "2. Bundesliga 3rd", "the Ligue 2 play-off winner", "each other"
    decides: str  # what is at stake: "a Bundesliga place", "a Conference League qualifying place"
    note: str = ""
    in_data: bool = False  # False: the play-off matches are not in matchday's sources


@dataclass(frozen=True, slots=True)
class AwardedResult:
    """A result the league awarded: it replaces the score played on ``date`` (or adds the match if the
    files lack it). Teams are registry ids."""

    date: dt.date
    home: str
    away: str
    home_goals: int
    away_goals: int
    source: str


@dataclass(frozen=True, slots=True)
class TableRules:
    """The ranking rules of one competition in one season (see the module docstring for ``criteria``)."""

    competition: str
    season: str
    n_teams: int
    criteria: tuple[str, ...]
    places: Places
    source: str  # the regulation (and article) or the season article the rules come from
    h2h_restart: bool = False  # re-apply head-to-head among a smaller group still level (La Liga)
    incomplete_h2h: str = "skip"  # "skip" or "stop": head-to-head while mutual matches are unplayed
    meetings_per_pair: int = 2  # matches between two clubs in a full season (double round robin)
    points_for_win: int = 3
    points_for_draw: int = 1
    playoff_for_title: bool = False  # a tie on points for 1st goes to a play-off match (Serie A 2022-23 on)
    playoff_for_last_relegation_place: bool = False  # a tie on points across the relegation line likewise
    last_resort: str = "play-off"  # what the regulation does when every criterion is level
    notes: str = ""
    format: SeasonFormat = field(default_factory=SeasonFormat)
    playoffs: tuple[Playoff, ...] = ()
    awarded: tuple[AwardedResult, ...] = ()
    checked: tuple[str, ...] = ()  # seasons whose final table a test compares with the official one
    fallback: str | None = None  # the researched season whose rules were applied to an unresearched one
    file: str = ""  # the rule file these rules come from

    def __post_init__(self) -> None:
        unknown = [c for c in self.criteria if c not in CRITERIA]
        if unknown:
            raise ValueError(f"unknown tie-breaker criteria {unknown}; known: {sorted(CRITERIA)}")
        if not self.criteria or self.criteria[0] not in GLOBAL_CRITERIA:
            raise ValueError("the first criterion must be a whole-table one such as 'points'")
        if self.incomplete_h2h not in ("skip", "stop"):
            raise ValueError(f"incomplete_h2h must be 'skip' or 'stop', not {self.incomplete_h2h!r}")

    def require_simulable(self) -> None:
        """Raise :class:`FormatNotSimulatedError` naming what cannot be simulated in this season's format."""
        fmt = self.format
        if not fmt.staged:
            return
        groups = ", ".join(f"{g.name} ({_ordinal(g.first)}" + (f"-{_ordinal(g.last)}" if g.last > g.first else "")
                           + (", points halved" if g.carry == "half_up" else "") + ")" for g in fmt.groups)
        name = COMPETITIONS[self.competition].name if self.competition in COMPETITIONS else self.competition
        if not fmt.in_data:
            what = (f"its source files hold only the regular season ({fmt.regular_rounds} matches per club), "
                    f"not the play-offs that decide the final table ({groups})")
        else:
            what = (f"after {fmt.regular_rounds} matches per club the table splits into {groups}; who plays "
                    "whom after the split depends on the regular season, and simulating across the split is "
                    "not implemented")
        table = "the regular season" if not fmt.in_data else "the real table, split included"
        raise FormatNotSimulatedError(
            f"cannot simulate {name} ({self.competition}) {self.season}: {what}. `matchday table "
            f"{self.competition} {self.season}` ranks {table}.")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# --- the rule files -------------------------------------------------------------------------------------

_RULE_DIR = "leagues"
_SEASON_KEYS = {"seasons", "teams", "criteria", "source", "last_resort", "notes", "h2h_restart", "incomplete_h2h",
                "meetings_per_pair", "points_for_win", "points_for_draw", "playoff_for_title",
                "playoff_for_last_relegation_place", "checked", "places", "format", "playoffs", "awarded"}
_REQUIRED_SEASON_KEYS = ("seasons", "teams", "criteria", "source", "places")
_PLACES_KEYS = {"champions_league", "europa_league", "conference_league", "promotion", "promotion_playoff",
                "relegation_playoff", "relegation", "europe_note"}
_FORMAT_KEYS = {"kind", "regular_rounds", "groups", "in_data", "description"}
_GROUP_KEYS = {"name", "positions", "carry", "criteria", "meetings"}
_PLAYOFF_KEYS = {"kind", "positions", "opponent", "decides", "note", "in_data"}
_AWARDED_KEYS = {"date", "home", "away", "score", "source"}
_FILE_KEYS = {"competition", "season"}


@dataclass(frozen=True)
class _Block:
    first: int
    last: int
    rules: dict  # TableRules fields except competition/season
    file: str


def _fail(file: str, where: str, message: str, value: object = None, expected: str | None = None):
    raise DataError(message, file=file, column=where, value=value, expected=expected)


def _check_keys(table: dict, allowed: set[str], file: str, where: str) -> None:
    for key in table:
        if key not in allowed:
            _fail(file, f"{where}.{key}" if where else key, "unknown key", key, ", ".join(sorted(allowed)))


def _get(table: dict, key: str, kind: type | tuple[type, ...], file: str, where: str, default=None):
    if key not in table:
        return default
    value = table[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        _fail(file, f"{where}.{key}", f"{key} has the wrong type", value, names)
    return value


def _positions(value, file: str, where: str) -> tuple[int, int]:
    if (not isinstance(value, list) or len(value) != 2 or not all(isinstance(v, int) for v in value)
            or not 1 <= value[0] <= value[1]):
        _fail(file, where, "positions must be [first, last]", value, "two 1-based positions, first <= last")
    return value[0], value[1]


def _criteria(value, file: str, where: str, allowed: frozenset[str]) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        _fail(file, where, "criteria must be a list of names", value, "e.g. [\"points\", \"goal_difference\"]")
    unknown = [v for v in value if v not in allowed]
    if unknown:
        _fail(file, where, "unknown tie-breaker", unknown[0], ", ".join(sorted(allowed)))
    if value[0] not in GLOBAL_CRITERIA:
        _fail(file, where, "the first criterion must be a whole-table one", value[0], "points or points_per_game")
    return tuple(value)


def _season_range(text, file: str, where: str) -> tuple[int, int]:
    if not isinstance(text, str):
        _fail(file, where, "seasons must be a string", text, "\"2012-13:2018-19\" or \"2019-20\"")
    try:
        first, _, last = text.partition(":")
        lo, hi = season_start_year(first), season_start_year(last or first)
    except DataError:
        _fail(file, where, "not a season range", text, "\"2012-13:2018-19\" or \"2019-20\"")
    if hi < lo:
        _fail(file, where, "season range runs backwards", text, "FIRST:LAST")
    return lo, hi


def _parse_block(block: dict, file: str, index: int) -> _Block:
    where = f"season[{index}]"
    _check_keys(block, _SEASON_KEYS, file, where)
    for key in _REQUIRED_SEASON_KEYS:
        if key not in block:
            _fail(file, f"{where}.{key}", f"missing {key}", expected=f"keys {', '.join(_REQUIRED_SEASON_KEYS)}")
    first, last = _season_range(block["seasons"], file, f"{where}.seasons")
    fields: dict = {
        "n_teams": _get(block, "teams", int, file, where),
        "criteria": _criteria(block["criteria"], file, f"{where}.criteria", frozenset(GLOBAL_CRITERIA | H2H_CRITERIA)),
        "source": _get(block, "source", str, file, where),
    }
    if fields["n_teams"] < 2:
        _fail(file, f"{where}.teams", "a league needs two clubs or more", fields["n_teams"], ">= 2")
    if not fields["source"].strip():
        _fail(file, f"{where}.source", "every block names its source", "", "the regulation or season article")
    for key, kind in (("last_resort", str), ("notes", str), ("h2h_restart", bool), ("incomplete_h2h", str),
                      ("meetings_per_pair", int), ("points_for_win", int), ("points_for_draw", int),
                      ("playoff_for_title", bool), ("playoff_for_last_relegation_place", bool)):
        value = _get(block, key, kind, file, where)
        if value is not None:
            fields[key] = value
    if fields.get("incomplete_h2h", "skip") not in ("skip", "stop"):
        _fail(file, f"{where}.incomplete_h2h", "incomplete_h2h is skip or stop", fields["incomplete_h2h"], "skip, stop")
    checked = _get(block, "checked", list, file, where, [])
    fields["checked"] = tuple(normalize_season(c) for c in checked)

    places = _get(block, "places", dict, file, where)
    _check_keys(places, _PLACES_KEYS, file, f"{where}.places")
    counts = {}
    for key in _PLACES_KEYS - {"europe_note"}:
        value = _get(places, key, int, file, f"{where}.places", 0)
        if value < 0:
            _fail(file, f"{where}.places.{key}", "a count cannot be negative", value, ">= 0")
        counts[key] = value
    fields["places"] = Places(**counts, europe_note=_get(places, "europe_note", str, file, f"{where}.places", ""))
    top = sum(counts[k] for k in ("champions_league", "europa_league", "conference_league", "promotion",
                                  "promotion_playoff"))
    if top + counts["relegation"] + counts["relegation_playoff"] > fields["n_teams"]:
        _fail(file, f"{where}.places", "more places than clubs", counts, f"at most {fields['n_teams']} positions")

    fmt = _get(block, "format", dict, file, where)
    if fmt is not None:
        _check_keys(fmt, _FORMAT_KEYS, file, f"{where}.format")
        kind = _get(fmt, "kind", str, file, f"{where}.format", "round_robin")
        if kind not in ("round_robin", "split", "playoff_groups"):
            _fail(file, f"{where}.format.kind", "unknown format", kind, "round_robin, split, playoff_groups")
        groups = []
        for g, group in enumerate(_get(fmt, "groups", list, file, f"{where}.format", [])):
            gw = f"{where}.format.groups[{g}]"
            if not isinstance(group, dict):
                _fail(file, gw, "a group is a table", group, "{name = ..., positions = [1, 6]}")
            _check_keys(group, _GROUP_KEYS, file, gw)
            lo, hi = _positions(group.get("positions"), file, f"{gw}.positions")
            carry = _get(group, "carry", str, file, gw, "full")
            if carry not in ("full", "half_up", "none"):
                _fail(file, f"{gw}.carry", "unknown carry", carry, "full, half_up or none")
            criteria = ()
            if "criteria" in group:
                criteria = _criteria(group["criteria"], file, f"{gw}.criteria", CRITERIA)
            meetings = _get(group, "meetings", int, file, gw, 2)
            if meetings not in (1, 2):
                _fail(file, f"{gw}.meetings", "a group plays a single or a double round robin", meetings, "1 or 2")
            groups.append(StageGroup(_get(group, "name", str, file, gw, f"group {g + 1}"), lo, hi, carry, criteria,
                                     meetings))
        if kind != "round_robin":
            regular = _get(fmt, "regular_rounds", int, file, f"{where}.format", 0)
            if regular <= 0:
                _fail(file, f"{where}.format.regular_rounds", "a split needs the regular season's length",
                      regular, "matches per club before the split")
            edges = [(g.first, g.last) for g in groups]
            expected = 1
            for lo, hi in edges:
                if lo != expected:
                    _fail(file, f"{where}.format.groups", "groups must cover positions 1..teams in order",
                          edges, f"a group starting at {expected}")
                expected = hi + 1
            if expected != fields["n_teams"] + 1:
                _fail(file, f"{where}.format.groups", "groups must cover positions 1..teams in order", edges,
                      f"the last group ending at {fields['n_teams']}")
        fields["format"] = SeasonFormat(kind, _get(fmt, "regular_rounds", int, file, f"{where}.format", 0),
                                        tuple(groups), _get(fmt, "in_data", bool, file, f"{where}.format", True),
                                        _get(fmt, "description", str, file, f"{where}.format", ""))
    playoffs = []
    for p, item in enumerate(_get(block, "playoffs", list, file, where, [])):
        pw = f"{where}.playoffs[{p}]"
        if not isinstance(item, dict):
            _fail(file, pw, "a play-off is a table", item, "{kind = ..., positions = [...]}")
        _check_keys(item, _PLAYOFF_KEYS, file, pw)
        for key in ("kind", "positions", "opponent", "decides"):
            if key not in item:
                _fail(file, f"{pw}.{key}", f"missing {key}", expected="kind, positions, opponent, decides")
        lo, hi = _positions(item["positions"], file, f"{pw}.positions")
        if hi > fields["n_teams"]:
            _fail(file, f"{pw}.positions", "position beyond the last club", hi, f"<= {fields['n_teams']}")
        playoffs.append(Playoff(_get(item, "kind", str, file, pw), (lo, hi), _get(item, "opponent", str, file, pw),
                                _get(item, "decides", str, file, pw), _get(item, "note", str, file, pw, ""),
                                _get(item, "in_data", bool, file, pw, False)))
    fields["playoffs"] = tuple(playoffs)
    awarded = []
    for a, item in enumerate(_get(block, "awarded", list, file, where, [])):
        aw = f"{where}.awarded[{a}]"
        if not isinstance(item, dict):
            _fail(file, aw, "an awarded result is a table", item, "{date = ..., home = ..., away = ..., score = [3, 0]}")
        _check_keys(item, _AWARDED_KEYS, file, aw)
        score = item.get("score")
        if not (isinstance(score, list) and len(score) == 2 and all(isinstance(v, int) and v >= 0 for v in score)):
            _fail(file, f"{aw}.score", "a score is [home goals, away goals]", score, "two goal counts")
        if not isinstance(item.get("date"), dt.date):
            _fail(file, f"{aw}.date", "not a date", item.get("date"), "a TOML date such as 2024-02-11")
        for key in ("home", "away", "source"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                _fail(file, f"{aw}.{key}", f"missing {key}", item.get(key), "a team id, and the source of the decision")
        if not first <= season_start_year(season_of_date(item["date"])) <= last:
            _fail(file, f"{aw}.date", "the date is outside the block's seasons", item["date"].isoformat(),
                  f"a date of {block['seasons']}")
        awarded.append(AwardedResult(item["date"], item["home"], item["away"], score[0], score[1], item["source"]))
    fields["awarded"] = tuple(awarded)
    if fields.get("meetings_per_pair") is None and fields.get("format", SeasonFormat()).staged:
        fields["meetings_per_pair"] = 2
    return _Block(first, last, fields, file)


def parse_rule_file(text: str, file: str) -> tuple[str, list[_Block]]:
    """The competition code and season blocks of one rule file; any problem raises :class:`DataError`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"not valid TOML: {exc}", file=file) from None
    _check_keys(data, _FILE_KEYS, file, "")
    code = data.get("competition")
    if code not in LEAGUE_CODES:
        _fail(file, "competition", "unknown league", code, " ".join(LEAGUE_CODES))
    blocks = data.get("season")
    if not isinstance(blocks, list) or not blocks:
        _fail(file, "season", "a rule file needs [[season]] blocks", blocks, "one block per range of seasons")
    parsed = [_parse_block(block, file, i) for i, block in enumerate(blocks)]
    parsed.sort(key=lambda b: b.first)
    for before, after in zip(parsed, parsed[1:], strict=False):
        if after.first <= before.last:
            _fail(file, "season", "season ranges overlap", f"{after.first}-{(after.first + 1) % 100:02d}",
                  "each season in one block")
        if after.first != before.last + 1:
            _fail(file, "season", "season ranges leave a gap", f"{before.last + 1}-{(before.last + 2) % 100:02d}",
                  "contiguous season ranges")
    return code, parsed


@lru_cache(maxsize=1)
def load_rule_files() -> dict[str, tuple[_Block, ...]]:
    """Every rule file shipped with the package: competition code -> its season blocks, oldest first."""
    out: dict[str, tuple[_Block, ...]] = {}
    folder = resources.files("matchday.rules").joinpath(_RULE_DIR)
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        file = f"matchday/rules/{_RULE_DIR}/{entry.name}"
        code, blocks = parse_rule_file(entry.read_text(encoding="utf-8"), file)
        if entry.name != f"{code}.toml":
            _fail(file, "competition", "the file name must be the competition code", code, f"{code}.toml")
        out[code] = tuple(blocks)
    return out


def rules_for(competition: str, season: str) -> TableRules:
    """The ranking rules of a league (code or name, e.g. ``"E0"``, ``"Serie A"``) in a season (``"2023-24"``).

    A season without researched rules (outside 2012-13..2025-26) gets the nearest researched season's rules,
    with a WARNING and ``fallback``/``notes`` naming the season used.
    """
    code = resolve_competition(competition).code
    if code not in LEAGUE_CODES:
        raise UnknownChoiceError("league", competition, list(LEAGUE_CODES))
    season = normalize_season(season)
    year = season_start_year(season)
    blocks = load_rule_files().get(code)
    if not blocks:
        raise DataError(f"no rule file for {code}", file=f"matchday/rules/{_RULE_DIR}/{code}.toml",
                        expected="one TOML file per league")
    block = next((b for b in blocks if b.first <= year <= b.last), None)
    fallback = None
    fields = dict(block.rules) if block else {}
    if block is None:
        block = blocks[0] if year < blocks[0].first else blocks[-1]
        used = block.first if year < block.first else block.last
        fallback = f"{used}-{(used + 1) % 100:02d}"
        fields = dict(block.rules)
        fields["checked"] = ()
        fields["awarded"] = ()
        message = (f"no researched {code} rules for {season}: the rules of {fallback} are applied "
                   f"(club count, tie-breakers, format and places may differ)")
        logger.warning(message)
        fields["notes"] = " ".join(n for n in (fields.get("notes", ""), message + ".") if n)
    # An awarded result belongs to the season of its date (a block may cover several seasons).
    fields["awarded"] = tuple(a for a in fields.get("awarded", ()) if season_of_date(a.date) == season)
    return TableRules(competition=code, season=season, fallback=fallback, file=block.file, **fields)


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
