"""Reader for openfootball's Football.TXT files of the UEFA club competitions (public domain, CC0).

Files live at ``<base>/<season>/<stem>.txt`` in ``openfootball/champions-league``: ``cl`` (Champions
League), ``el`` (Europa League), ``conf`` (Conference League) and the qualifying rounds ``clq``,
``elq``, ``confq``. UTF-8 (accents: ``Qarabağ FK``), CRLF or LF line endings.

Every non-blank line is one of these kinds; anything else is a DataError naming the line::

    = UEFA Europa League 2023/24                   header: competition and season
    # Teams      40                                comment (ignored)
    » Group A   » Finals, Quarterfinals   » Round 1   round heading (``>>`` also accepted)
      Thu Sep/21 2023     Thu Oct/5                date line; the weekday is optional
        21.00  Liverpool FC (ENG) v Atalanta (ITA)  0-3 (0-1)      match line
               West Ham United (ENG) v TSC Bačka Topola (SRB)  3-1 (0-0)

Dates: the year is written only on the first date line of a block (the first group, the first
knockout round). A date line without a year takes the year of the date line before it, and moves
to the next year when that would put it more than half a year *before* the previous date line.
Consecutive date lines are never that far apart backwards, but the file lists group after group,
so the calendar legitimately steps back a few months (Group A ends in December, Group B starts in
September of the same year); a December -> January step (11 months back) rolls the year over.
A first date line without any year takes it from the season (July-December -> first year).

Kick-off: a match line may start with the local kick-off time (``21.00``). Lines without one are
the continuation lines under it (the layout aligns them) and take the last time given since the
date line; a line without a time directly under a date line has ``kickoff=None``.

Results, as verified on the finals and knockout matches of the files::

    0-3 (0-1)                              90 minutes, (half time)
    0-0                                    90 minutes, no half-time score
    2-3 a.e.t. (1-0, 1-0)                  after extra time, (90 minutes, half time)
    2-0 a.e.t. (0-0)                       after extra time, (90 minutes)
    4-2 pen. 1-0 a.e.t. (1-0, 1-0)         shoot-out, after extra time, (90 minutes, half time)
    3-0    [awarded]                       awarded result (kept as the official score)
    [cancelled]                            not played (goals None)

A trailing ``[...]`` note is allowed on any match line. ``home``/``away`` are the names without
the ``(ENG)`` country suffix, which goes to ``home_country``/``away_country``. A club name must look
like one (:func:`~matchday.data.domain.club_name_problem`): ``AC Milan (ITA) v   0-0 ??`` is an
error, not a fixture against a club called "0-0 ??".

Status (:data:`~matchday.data.domain.MATCH_STATUSES`) from the notes: ``[awarded]`` (with its score)
-> ``awarded``; ``[cancelled]``/``[canceled]``/``[annulled]``/``[void]`` -> ``cancelled``;
``[postponed]``/``[suspended]`` -> ``postponed``; ``[abandoned]`` -> ``abandoned`` (a score written
with it is where play stopped, not a result, and is not kept). A line without a score or note gets
its status from :func:`~matchday.data.domain.classify_unplayed`. An empty file (no text at all) is
a DataError, as in every reader.

Legs: see :func:`matchday.data.sources.openfootball_json.assign_legs` (a heading such as
``» Quarterfinals, Leg 1`` states the leg directly). Rounds use the canonical names of
:func:`~matchday.data.sources.openfootball_json.canonical_round`.
"""

from __future__ import annotations

import datetime as dt
import re

from matchday.data.competitions import COMPETITIONS
from matchday.data.domain import Match, checked_shootout, classify_unplayed, club_name_problem
from matchday.data.errors import DataError
from matchday.data.seasons import normalize_season, season_of_date
from matchday.data.sources._common import (
    DataInput,
    assign_legs,
    canonical_round,
    decode_text,
    load_input,
    path_parts,
    require_text,
    resolve_competition_code,
    split_country,
)

SOURCE = "football-txt"
DEFAULT_BASE = "https://raw.githubusercontent.com/openfootball/champions-league/master"

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_DATE_LINE = re.compile(
    r"^\[?(?:(?P<weekday>[A-Za-z]{3})\.?\s+)?(?P<month>[A-Za-z]{3})/(?P<day>[0-9]{1,2})(?:\s+(?P<year>[0-9]{4}))?\]?$"
)
_MATCH_LINE = re.compile(
    r"^(?:(?P<hour>[0-9]{1,2})[.:](?P<minute>[0-9]{2})\s+)?(?P<home>\S.*?)\s+v\s+(?P<rest>\S.*)$"
)
_NOTE = re.compile(r"\s*\[(?P<note>[^\[\]]*)\]\s*$")
_SCORE = r"[0-9]{1,2}-[0-9]{1,2}"
_RESULT = re.compile(
    rf"""^
    (?:(?P<pen>{_SCORE})\s*pen\.?\s+)?
    (?:
        (?P<aet>{_SCORE})\s*a\.?e\.?t\.?
        (?:\s*\(\s*(?P<aet_ft>{_SCORE})(?:\s*,\s*(?P<aet_ht>{_SCORE}))?\s*\))?
      |
        (?P<ft>{_SCORE})(?:\s*\(\s*(?P<ht>{_SCORE})\s*\))?
    )$""",
    re.X,
)
_AWAY_AND_RESULT = re.compile(rf"^(?P<away>.*?\S)\s+(?P<result>(?:{_SCORE}\s*pen\.?\s+)?{_SCORE}\b.*)$")
_NOTE_STATUS = {
    "cancelled": "cancelled", "canceled": "cancelled", "annulled": "cancelled", "void": "cancelled",
    "postponed": "postponed", "suspended": "postponed", "abandoned": "abandoned", "awarded": "awarded",
}
_NOT_PLAYED = frozenset(note for note, status in _NOTE_STATUS.items() if status != "awarded")
_HALF_YEAR = dt.timedelta(days=183)


def football_txt_url(base: str | None, season: str, stem: str) -> str:
    """URL (or mirror path) of one Football.TXT file.

    ``base`` is the repository root or a mirror of it; ``None``/``""`` means the public GitHub copy.
    ``stem`` is the file stem (``cl``, ``el``, ``conf``, ``clq`` ...) or a competition code
    (``UCL`` -> ``cl``).
    """
    root = (base or DEFAULT_BASE).rstrip("/")
    name = stem
    if stem.upper() in COMPETITIONS and COMPETITIONS[stem.upper()].football_txt:
        name = COMPETITIONS[stem.upper()].football_txt
    return f"{root}/{normalize_season(season)}/{name}.txt"


def _score(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    home, away = text.split("-")
    return int(home), int(away)


class _Reader:
    """State of one pass over a Football.TXT file."""

    def __init__(self, name: str, lines: list[str], stem: str | None) -> None:
        self.name = name
        self.lines = lines
        self.qualifying = bool(stem and stem.endswith("q"))
        self.title: str | None = None
        self.header_season: str | None = None
        self.round: str | None = None
        self.round_leg: int | None = None
        self.date: dt.date | None = None
        self.kickoff: dt.time | None = None
        self.season_param: str | None = None
        self.folder_season: str | None = None
        self.rows: list[dict] = []

    def error(self, number: int, line: str, reason: str, expected: str) -> DataError:
        return DataError(reason, file=self.name, line=number, value=line.strip(), expected=expected)

    def run(self, season_param: str | None, folder_season: str | None) -> None:
        self.season_param = season_param
        self.folder_season = folder_season
        for number, raw in enumerate(self.lines, start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("="):
                self.header(number, line)
            elif line.startswith(("»", ">>")):
                self.heading(number, line)
            elif match := _DATE_LINE.match(line):
                self.date_line(number, line, match)
            elif match := _MATCH_LINE.match(line):
                self.match_line(number, line, match)
            else:
                raise self.error(
                    number, line, "unrecognised line",
                    "a header '= Name 2023/24', a comment '# ...', a heading '» Round', a date line "
                    "'Thu Sep/21 2023' or a match line '21.00  Home (ENG) v Away (ITA)  1-0 (0-0)'",
                )

    def header(self, number: int, line: str) -> None:
        title = line.lstrip("=").strip()
        if not title:
            raise self.error(number, line, "empty header", "'= Competition 2023/24'")
        self.title = title
        if re.search(r"\bquali", title, re.I):
            self.qualifying = True
        found = re.search(r"\b([0-9]{4}[/-][0-9]{2}(?:[0-9]{2})?)\b", title)
        if found:
            try:
                self.header_season = normalize_season(found.group(1))
            except DataError:
                raise self.error(number, line, "header names an impossible season", "e.g. 2023/24") from None

    def heading(self, number: int, line: str) -> None:
        text = line.lstrip("»>").strip()
        if not text:
            raise self.error(number, line, "empty round heading", "'» Quarterfinals'")
        self.round, self.round_leg = canonical_round(text, qualifying=self.qualifying)

    def season_start(self) -> int | None:
        season = self.season_param or self.header_season or self.folder_season
        return int(season[:4]) if season else None

    def date_line(self, number: int, line: str, match: re.Match) -> None:
        month = _MONTHS.get(match.group("month").lower())
        weekday = match.group("weekday")
        if month is None or (weekday is not None and weekday.lower() not in _WEEKDAYS):
            raise self.error(number, line, "unknown month or weekday", "e.g. 'Thu Sep/21 2023' (English names)")
        day = int(match.group("day"))
        if match.group("year"):
            year = int(match.group("year"))
        elif self.date is not None:
            # The year of the previous date line, or the next one if that would go back > half a year.
            previous = dt.date(2000, self.date.month, self.date.day)
            try:
                candidate = dt.date(2000, month, day)  # 2000 is a leap year: 29 Feb compares fine
            except ValueError:
                raise self.error(number, line, "not a calendar date", "a real day of the month") from None
            year = self.date.year + (1 if previous - candidate > _HALF_YEAR else 0)
        else:
            start = self.season_start()
            if start is None:
                raise self.error(number, line, "date without a year, and no year or season to take it from",
                                 "a year on the first date line ('Thu Sep/21 2023'), a header season or season=")
            year = start if month >= 7 else start + 1
        try:
            self.date = dt.date(year, month, day)
        except ValueError:
            raise self.error(number, line, "not a calendar date", "a real day of the month") from None
        self.kickoff = None

    def match_line(self, number: int, line: str, match: re.Match) -> None:
        if self.date is None:
            raise self.error(number, line, "match line before any date line", "a date line such as 'Thu Sep/21 2023'")
        if match.group("hour") is not None:
            hour, minute = int(match.group("hour")), int(match.group("minute"))
            if hour > 23 or minute > 59:
                raise self.error(number, line, "bad kick-off time", "HH.MM, e.g. 21.00")
            self.kickoff = dt.time(hour, minute)
        rest = match.group("rest")
        notes: list[str] = []
        while note := _NOTE.search(rest):
            notes.insert(0, note.group("note").strip().lower())
            rest = rest[: note.start()]
        rest = rest.strip()
        home, home_country = split_country(match.group("home"))
        away_text, result_text = self.split_away(rest)
        if not away_text:
            raise self.error(number, line, "missing away team", "'Home (ENG) v Away (ITA)  1-0'")
        away, away_country = split_country(away_text)
        if home_country is None and away_country is None and re.search(r"\(\w{3}\)", home + away):
            raise self.error(number, line, "country code in an unexpected place", "'Club Name (ENG)'")
        for side, club in (("home", home), ("away", away)):
            problem = club_name_problem(club)
            if problem is not None:
                raise self.error(number, line, f"cannot read the {side} club {club!r}: {problem}",
                                 "'Home (ENG) v Away (ITA)  1-0 (0-0)': two club names, then the result")
        statuses = {_NOTE_STATUS[note] for note in notes if note in _NOTE_STATUS}
        if len(statuses) > 1:
            raise self.error(number, line, f"contradictory notes {notes}", "one of [awarded], [cancelled], ...")
        status = statuses.pop() if statuses else None
        row = dict(
            date=self.date, kickoff=self.kickoff, home=home, away=away, home_country=home_country,
            away_country=away_country, round=self.round, leg=self.round_leg, line=number,
            ft=None, ht=None, aet=None, pen=None, status=status,
        )
        if result_text:
            result = _RESULT.match(result_text)
            if not result:
                raise self.error(
                    number, line, f"cannot read the result {result_text!r}",
                    "'2-1', '2-1 (1-0)', '2-3 a.e.t. (1-0, 1-0)' or '4-2 pen. 1-1 a.e.t. (1-1, 0-0)'",
                )
            row["pen"] = _score(result.group("pen"))
            if result.group("aet"):
                row["aet"] = _score(result.group("aet"))
                row["ft"] = _score(result.group("aet_ft"))
                row["ht"] = _score(result.group("aet_ht"))
                if row["ft"] is None:
                    raise self.error(number, line, "a.e.t. result without the 90-minute score",
                                     "'2-3 a.e.t. (1-1, 1-0)': (90 minutes, half time) in brackets")
            else:
                row["ft"] = _score(result.group("ft"))
                row["ht"] = _score(result.group("ht"))
            ft, ht, aet = row["ft"], row["ht"], row["aet"]
            if ht and (ht[0] > ft[0] or ht[1] > ft[1]):
                raise self.error(number, line, "half-time score exceeds the 90-minute score",
                                 "(90 minutes, half time) with half time <= 90 minutes")
            if aet and (aet[0] < ft[0] or aet[1] < ft[1]):
                raise self.error(number, line, "score after extra time is below the 90-minute score",
                                 "'A-B a.e.t. (90-minute score, half time)', extra-time score >= 90-minute score")
            row["pen"] = checked_shootout(row["pen"], f"{self.name}, line {number}")
            if status in ("cancelled", "postponed"):
                raise self.error(number, line, f"a score with the note [{status}]",
                                 "no score for a match that was not played, or [awarded] for an awarded one")
            if status == "abandoned":  # the score where play stopped is not a result
                row.update(ft=None, ht=None, aet=None, pen=None)
        elif status is None and notes:
            raise self.error(number, line, f"note [{notes[-1]}] without a score",
                             "a score, or a note such as [cancelled] / [postponed]")
        elif status == "awarded":
            raise self.error(number, line, "[awarded] without a score", "e.g. '3-0  [awarded]'")
        self.rows.append(row)

    def split_away(self, rest: str) -> tuple[str, str]:
        """Away team (with its country suffix) and the result text after it."""
        coded = re.match(r"^(?P<away>.*?\([A-Z]{3}\))\s*(?P<result>.*)$", rest)
        if coded:
            return coded.group("away"), coded.group("result").strip()
        plain = _AWAY_AND_RESULT.match(rest)
        if plain:
            return plain.group("away"), plain.group("result").strip()
        return rest, ""


def read_football_txt(
    data: DataInput,
    *,
    source_file: str | None = None,
    competition: str | None = None,
    season: str | None = None,
    today: dt.date | None = None,
) -> list[Match]:
    """Matches of one Football.TXT file, in file order (unplayed ones with goals ``None``).

    data: the file's bytes (as downloaded), or a str path / ``os.PathLike`` to read.
    source_file: name or URL to report (and to take season folder and stem from) for bytes.
    competition: matchday code or name; default from the stem (``cl``/``clq`` -> UCL,
        ``el`` -> UEL, ``conf`` -> UECL) or else the header.
    season: default from the header (``= UEFA Europa League 2023/24``), else the season folder,
        else the season of the first date.

    today: the date that decides whether a match without a score is still to play (default today;
        see :func:`~matchday.data.domain.classify_unplayed`).

    Every line must be blank, a comment, the header, a heading, a date or a match; anything else
    raises DataError with file, line number, the line and what was expected.
    """
    content, name = load_input(data, source_file)
    text = require_text(decode_text(content, name), name)
    folder_season, stem = path_parts(name)
    stem = stem.lower() if stem else None
    season_hint = normalize_season(season) if season else None
    reader = _Reader(name, text.splitlines(), stem)
    reader.run(season_hint, folder_season)

    txt_stem = stem[:-1] if stem and stem.endswith("q") and stem[:-1] in ("cl", "el", "conf") else stem
    code = resolve_competition_code(competition, txt_stem, reader.title, field="football_txt", name=name)
    season_label = season_hint or reader.header_season or folder_season
    if season_label is None:
        if not reader.rows:
            raise DataError("cannot tell the season of a file without matches", file=name,
                            expected="season=..., a header like '= UEFA Champions League 2023/24' or a season folder")
        season_label = season_of_date(reader.rows[0]["date"])

    matches = [
        Match(
            competition=code, season=season_label, date=r["date"], home=r["home"], away=r["away"],
            home_goals=r["ft"][0] if r["ft"] else None, away_goals=r["ft"][1] if r["ft"] else None,
            ht_home_goals=r["ht"][0] if r["ht"] else None, ht_away_goals=r["ht"][1] if r["ht"] else None,
            aet_home_goals=r["aet"][0] if r["aet"] else None, aet_away_goals=r["aet"][1] if r["aet"] else None,
            pen_home=r["pen"][0] if r["pen"] else None, pen_away=r["pen"][1] if r["pen"] else None,
            kickoff=r["kickoff"], round=r["round"], leg=r["leg"],
            home_country=r["home_country"], away_country=r["away_country"],
            source=SOURCE, source_file=name, source_line=r["line"],
            status=r["status"] or ("played" if r["ft"] else None),
        )
        for r in reader.rows
    ]
    return classify_unplayed(assign_legs(matches), today)
