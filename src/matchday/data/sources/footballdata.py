"""football-data.co.uk CSV reader: results, match statistics and every odds column, for any season file.

One file (``https://www.football-data.co.uk/mmz4281/2324/E0.csv``) holds one division and one season.
:func:`read_footballdata` turns it into :class:`~matchday.data.domain.Match` objects, each with its
odds as a tuple of :class:`~matchday.data.domain.OddsQuote` (the long odds table).

Reading is all-or-nothing: the whole file is validated first and any malformed row raises a
:class:`~matchday.data.errors.DataError` naming the file, the 1-based line (the header is line 1),
the column, the value and what was expected. No partial list is ever returned.

Column grammar
--------------
Columns are selected by name and may be absent; their order does not matter. The grammar below was
derived from the headers of all 72 files from 2012-13 to 2023-24, and is generic enough for the
bookmakers added since (2024-25: ``BF`` Betfair, ``BFD`` Betfred, ``BMGM``, ``BV``, ``CL``, ``BFE``
Betfair Exchange, ``1XB``; note ``BFD`` alone is Betfair's draw, ``BFDH`` Betfred's home price).

* Match: ``Div``, ``Date`` (``dd/mm/yy`` or ``dd/mm/yyyy``), ``Time`` (kick-off ``HH:MM``, UK time,
  from 2019-20), ``HomeTeam``, ``AwayTeam``, ``Referee``.
* Results: ``FTHG``/``FTAG``/``FTR`` (full time; ``FTR`` must agree with the score),
  ``HTHG``/``HTAG``/``HTR`` (half time; ``HTR`` must agree, half-time goals cannot exceed full-time).
* Statistics (counts, empty = ``None``): ``HS``/``AS`` shots, ``HST``/``AST`` on target, ``HF``/``AF``
  fouls, ``HC``/``AC`` corners, ``HY``/``AY`` yellow and ``HR``/``AR`` red cards.
* 1X2 odds: ``<bk>H``/``<bk>D``/``<bk>A`` pre-match, ``<bk>CH``/``<bk>CD``/``<bk>CA`` closing.
* Totals: ``<bk>>2.5``/``<bk><2.5`` pre-match, ``<bk>C>2.5``/``<bk>C<2.5`` closing; the line is read
  from the column name (every file so far uses 2.5).
* Asian handicap: ``<bk>AHH``/``<bk>AHA`` pre-match, ``<bk>CAHH``/``<bk>CAHA`` closing. The handicap
  given to the home side is a separate column: ``AHh`` (pre-match, 2019-20 on), ``AHCh`` (closing),
  ``BbAHh`` (for the BetBrain ``BbMx``/``BbAv`` prices, up to 2018-19) and, in files before 2012-13,
  ``<bk>AH`` per bookmaker. A price whose line is empty is skipped (a handicap price without its
  handicap means nothing).
* ``C`` directly before the selection marks closing odds. Because a bookmaker code may itself end in
  ``C`` (``VC`` = VC Bet), a stem ``XC`` counts as "X closing" only when ``XC`` is not a known
  bookmaker and ``X`` is a known bookmaker or appears in the same header.

Deliberately ignored columns (they are not prices): ``Bb1X2``, ``BbOU``, ``BbAH`` (how many
bookmakers BetBrain averaged), ``Attendance``, ``HHW``/``AHW`` (woodwork), ``HO``/``AO``
(offsides), ``HBP``/``ABP`` (booking points), ``HFKC``/``AFKC`` (free kicks conceded; these five
appear in old or non-league files), and any other column the grammar does not recognise. Call
:func:`describe_columns` to see what a header's columns are read as.

Bookmaker codes
---------------
Each bookmaker gets one code across all markets. football-data writes Pinnacle as ``PS`` in 1X2
columns but ``P`` in totals and Asian-handicap columns: both become ``PS``. Every other code is kept
as football-data writes it (see :data:`FOOTBALLDATA_BOOKMAKERS` for the names).

Prices
------
An empty cell means "not quoted" and gives no quote. football-data also writes ``0`` for "not
quoted" (E1 2012-13 and 2018-19 ``B365H``, E0 2021-22 ``B365C>2.5``), and at least one price is a
typo below 1 (D1 2019-20 line 261 ``AvgC>2.5`` = 0.42, where the maximum is 1.47): a price in
``[0, 1]`` cannot be a decimal price, so that quote is skipped (logged at INFO level) rather than
rejecting the whole season. So is a cell that is a spreadsheet artefact rather than a price: an error
value starting with ``#`` (N1 2022-23 line 133 ``B365CH`` = ``#``) or a bookmaker's name shifted into a
price cell (G1 2024-25 line 123 ``1XBH`` = ``1xBet``). Any other negative, non-numeric or infinite
price is a corrupt file: DataError.

Rows that are not results
-------------------------
A row without division, date and teams is spreadsheet debris (T1 2013-14 ends with one holding
``#REF!``) and is skipped (INFO). A row with a half-time score but no full-time score, no ``FTR`` and
no statistics was started and never finished (G1 2018-19 Panathinaikos v Olympiakos): it is read as an
``abandoned`` match without a result (see "Status"); where the league awarded one, the league's rules
data (:mod:`matchday.rules`) adds it to the table. A row with neither score is a match
without a result (not played) and is read as such.

Text
----
Bytes are decoded as UTF-8 (a leading BOM, as in downloads from 2025 on, is removed); a byte that is not
part of valid UTF-8 is read as the Windows-1252 character it encodes (the encoding of old football-data
files and of copies saved by Excel on Windows), and a WARNING names the file, how many such bytes it
holds and the first one's line (I2 and SC0 2018-19 hold one 0xA0 no-break space). See :func:`_decode`
for why per byte. Bytes that are neither fail with a DataError.
Line endings may be CRLF, LF, CR or ``\\r\\r\\n`` (a git-on-Windows artefact of some mirrors); the
last counts as one line, so line numbers match what the file means, not its stray CR bytes.

Status
------
football-data has no status column; the rows say it by what they lack (see the data README's quirks):

* ``awarded``: a score without a half-time score and, in a file that records statistics, without any;
  and either a forfeit score (3-0, 0-3, 5-0, 0-5) or no odds at all (bookmakers priced no match that
  was played). Examples: T1 2022-23 (Hatayspor and Gaziantep withdrew), SP2 2018-19 (Reus expelled,
  1-0 / 0-1 without odds), B1 5-0 forfeits.
* ``abandoned``: a half-time score but no full-time score and no statistics (G1 2018-19
  Panathinaikos v Olympiakos); the half-time score is not kept (it is not a result).
* a row without any score: :func:`~matchday.data.domain.classify_unplayed` (in a season that is over,
  ``cancelled``: G1 2014-15 Niki Volos v OFI).
* every other row with a score: ``played``.

Goals lie in ``0..MAX_GOALS`` and statistics in ``0..MAX_COUNT`` (:mod:`matchday.data.domain`).

Season
------
A season runs from 1 July to 30 June (:func:`~matchday.data.seasons.season_of_date`), except
2019-20, which the COVID-19 suspension stretched to 31 August 2020 (Serie A ended on 2 August).
Without an explicit ``season`` the file's season is that of its earliest date; every row must fall
inside it.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import logging
import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from matchday.data.competitions import resolve_competition
from matchday.data.csvrecords import numbered_records
from matchday.data.domain import MAX_COUNT, MAX_GOALS, Match, OddsQuote, classify_unplayed
from matchday.data.errors import DataError, UnknownChoiceError
from matchday.data.seasons import SEASON_END_EXCEPTIONS, normalize_season, season_code, season_of_date

__all__ = [
    "FOOTBALLDATA_BASE_URL",
    "FOOTBALLDATA_BOOKMAKERS",
    "FOOTBALLDATA_DIVISIONS",
    "SOURCE",
    "describe_columns",
    "footballdata_url",
    "read_footballdata",
]

logger = logging.getLogger(__name__)

SOURCE = "football-data"
FOOTBALLDATA_BASE_URL = "https://www.football-data.co.uk"
FOOTBALLDATA_DIVISIONS: tuple[str, ...] = (
    "E0", "E1", "SP1", "I1", "D1", "F1",  # the big six
    "N1", "P1", "B1", "T1", "G1", "SC0",  # the other first divisions of Europe's cups
    "D2", "I2", "SP2", "F2",  # second divisions
)

#: football-data bookmaker code -> name. ``P`` (Pinnacle in totals/AH columns) is stored as ``PS``.
FOOTBALLDATA_BOOKMAKERS: dict[str, str] = {
    "1XB": "1xBet",
    "B365": "Bet365",
    "BF": "Betfair",
    "BFD": "Betfred",
    "BFE": "Betfair Exchange",
    "BMGM": "BetMGM",
    "BS": "Blue Square",
    "BV": "BetVictor",
    "BW": "Bet&Win (bwin)",
    "CL": "Coral",
    "GB": "Gamebookers",
    "IW": "Interwetten",
    "LB": "Ladbrokes",
    "PS": "Pinnacle",
    "SB": "Sportingbet",
    "SJ": "Stan James",
    "SO": "Sporting Odds",
    "SY": "Stanleybet",
    "VC": "VC Bet",
    "WH": "William Hill",
    "Max": "market maximum (football-data's odds portal, 2019-20 on)",
    "Avg": "market average (football-data's odds portal, 2019-20 on)",
    "BbMx": "BetBrain maximum (up to 2018-19)",
    "BbAv": "BetBrain average (up to 2018-19)",
}
_BOOKMAKER_ALIASES: dict[str, str] = {"P": "PS"}  # Pinnacle is "P" in totals and AH columns
_KNOWN_STEMS = frozenset(FOOTBALLDATA_BOOKMAKERS) | frozenset(_BOOKMAKER_ALIASES)

_REQUIRED = ("Div", "Date", "HomeTeam", "AwayTeam", "FTHG", "FTAG")
_STATS: dict[str, str] = {  # column -> Match field (non-negative counts; empty -> None)
    "HS": "home_shots",
    "AS": "away_shots",
    "HST": "home_shots_on_target",
    "AST": "away_shots_on_target",
    "HF": "home_fouls",
    "AF": "away_fouls",
    "HC": "home_corners",
    "AC": "away_corners",
    "HY": "home_yellow",
    "AY": "away_yellow",
    "HR": "home_red",
    "AR": "away_red",
}
_MATCH_COLUMNS = frozenset({*_REQUIRED, "Time", "Referee", "FTR", "HTHG", "HTAG", "HTR"})
_LINE_COLUMNS = {"AHh": "pre-match Asian handicap line", "AHCh": "closing Asian handicap line",
                 "BbAHh": "BetBrain Asian handicap line"}
_IGNORED: dict[str, str] = {
    "Bb1X2": "number of bookmakers in the BetBrain 1X2 average",
    "BbOU": "number of bookmakers in the BetBrain over/under average",
    "BbAH": "number of bookmakers in the BetBrain Asian-handicap average",
    "Attendance": "crowd size (old files)",
    "HHW": "hit woodwork (old files)",
    "AHW": "hit woodwork (old files)",
    "HO": "offsides (old files)",
    "AO": "offsides (old files)",
    "HBP": "booking points (old files)",
    "ABP": "booking points (old files)",
    "HFKC": "free kicks conceded (old files)",
    "AFKC": "free kicks conceded (old files)",
}

_STEM = r"[A-Za-z0-9]+?"
_RE_TOTAL = re.compile(rf"^(?P<stem>{_STEM})(?P<side>[<>])(?P<line>\d+(?:\.\d+)?)$")
_RE_AH_PRICE = re.compile(rf"^(?P<stem>{_STEM})AH(?P<sel>[HA])$")
_RE_AH_LINE = re.compile(rf"^(?P<stem>{_STEM})AH$")
_RE_1X2 = re.compile(rf"^(?P<stem>{_STEM})(?P<sel>[HDA])$")
_SELECTIONS = {"H": "home", "D": "draw", "A": "away", ">": "over", "<": "under"}

_RE_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})$")
_RE_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")
_RE_DIV = re.compile(r"^[A-Za-z0-9]{1,6}$")
_SEASON_END_EXCEPTIONS = SEASON_END_EXCEPTIONS  # COVID-19: seasons finished in July/August
_FORFEIT_SCORES = frozenset(((3, 0), (0, 3), (5, 0), (0, 5)))
_HTML_MARKERS = ("<!doctype", "<html", "<head", "<body", "<?xml", "<title")

_EXPECT_COUNT = "a non-negative integer"
_EXPECT_ODDS = "decimal odds > 1"
_EXPECT_LINE = "a handicap in quarter goals, e.g. -0.75"


@dataclass(frozen=True, slots=True)
class _OddsColumn:
    index: int
    column: str
    bookmaker: str
    market: str  # "1x2", "ou" or "ah"
    selection: str
    closing: bool
    line: float | None = None  # totals: from the column name
    line_index: int | None = None  # Asian handicap: index of the column holding the home handicap
    line_column: str = ""


@dataclass(slots=True)
class _Layout:
    """What each column of one header means, resolved once per file."""

    index: dict[str, int]
    odds: tuple[_OddsColumn, ...]
    roles: dict[str, str]
    width: int
    caches: tuple[dict, ...] = ()  # per odds column: cell text -> OddsQuote (see _parse_row)


def _split_closing(stem: str, header_stems: set[str]) -> tuple[str, bool]:
    """``PSC`` -> (``PS``, closing); ``VC`` -> (``VC``, pre-match) because VC Bet is a bookmaker."""
    if stem in _KNOWN_STEMS:
        return stem, False
    if stem.endswith("C") and len(stem) > 1 and (stem[:-1] in _KNOWN_STEMS or stem[:-1] in header_stems):
        return stem[:-1], True
    return stem, False


def _bookmaker(stem: str) -> str:
    return _BOOKMAKER_ALIASES.get(stem, stem)


def _layout(header: Sequence[str]) -> _Layout:
    index = {name: i for i, name in enumerate(header) if name}
    roles: dict[str, str] = {}
    pending: list[tuple[int, str, str, str, str, float | None]] = []  # index, column, stem, market, sel, line
    for i, name in enumerate(header):
        if not name:
            continue
        if name in _MATCH_COLUMNS:
            roles[name] = "match"
        elif name in _STATS:
            roles[name] = f"statistic: {_STATS[name]}"
        elif name in _LINE_COLUMNS:
            roles[name] = _LINE_COLUMNS[name]
        elif name in _IGNORED:
            roles[name] = f"ignored: {_IGNORED[name]}"
        elif m := _RE_TOTAL.match(name):
            pending.append((i, name, m["stem"], "ou", _SELECTIONS[m["side"]], float(m["line"])))
        elif m := _RE_AH_PRICE.match(name):
            pending.append((i, name, m["stem"], "ah", _SELECTIONS[m["sel"]], None))
        elif m := _RE_AH_LINE.match(name):
            roles[name] = f"Asian handicap line of bookmaker {_bookmaker(m['stem'])}"
        elif m := _RE_1X2.match(name):
            pending.append((i, name, m["stem"], "1x2", _SELECTIONS[m["sel"]], None))
        else:
            roles[name] = "ignored: not a column matchday knows"
    header_stems = {stem for _, _, stem, _, _, _ in pending}
    odds: list[_OddsColumn] = []
    for i, name, raw_stem, market, selection, line in pending:
        stem, closing = _split_closing(raw_stem, header_stems)
        bookmaker = _bookmaker(stem)
        line_index, line_column = None, ""
        if market == "ah":
            if closing:
                line_column = "AHCh"
            elif stem.startswith("Bb") and "BbAHh" in index:
                line_column = "BbAHh"
            elif f"{stem}AH" in index and f"{stem}AH" not in _IGNORED:
                line_column = f"{stem}AH"
            else:
                line_column = "AHh"
            line_index = index.get(line_column)
            if line_index is None:
                roles[name] = f"ignored: Asian handicap price without its line column {line_column}"
                continue
        odds.append(_OddsColumn(i, name, bookmaker, market, selection, closing, line, line_index,
                                line_column if line_index is not None else ""))
        when = "closing" if closing else "pre-match"
        at = f" {line:g}" if line is not None else f" (line in {line_column})" if market == "ah" else ""
        roles[name] = f"odds: {bookmaker} {market} {selection}{at} {when}"
    return _Layout(index=index, odds=tuple(odds), roles=roles, width=len(header),
                   caches=tuple({} for _ in odds))


def describe_columns(header: Sequence[str] | str) -> dict[str, str]:
    """How :func:`read_footballdata` reads each column of a header (a list, or the header line).

    Values are ``"match"``, ``"statistic: home_shots"``, ``"odds: PS 1x2 home closing"``,
    ``"pre-match Asian handicap line"``, ``"ignored: <why>"`` ...
    """
    if isinstance(header, str):
        header = next(csv.reader([header.lstrip("\ufeff").strip()]), [])
    return _layout([name.strip() for name in header]).roles


def footballdata_url(base_url: str | None, competition: str, season: str) -> str:
    """URL of one season file: ``<base>/mmz4281/2324/E0.csv``.

    ``base_url`` may be a mirror (``http://127.0.0.1:8000``, ``file:///data``, a directory); ``None``
    or ``""`` means the real site. ``competition`` is a code or readable name ("E0", "Premier League").
    """
    try:
        code = resolve_competition(competition).code
    except UnknownChoiceError:
        code = None
    if code not in FOOTBALLDATA_DIVISIONS:
        raise UnknownChoiceError("football-data division", competition, list(FOOTBALLDATA_DIVISIONS))
    base = (base_url or FOOTBALLDATA_BASE_URL).rstrip("/")
    return f"{base}/mmz4281/{season_code(season)}/{code}.csv"


# --------------------------------------------------------------------------------------------- reading


def read_footballdata(
    data: bytes | str | os.PathLike[str],
    *,
    source_file: str | None = None,
    competition: str | None = None,
    season: str | None = None,
    today: dt.date | None = None,
) -> list[Match]:
    """Read one football-data.co.uk season file into matches (with their odds), in file order.

    data: the file's raw bytes (e.g. a download), or a path (``str`` or ``os.PathLike``) to read.
    source_file: name recorded on every match and in errors; defaults to the path, or ``"<bytes>"``.
    competition: matchday code or readable name; defaults to the ``Div`` column, which must agree.
    season: e.g. ``"2023-24"`` or ``"2324"``; defaults to the season of the earliest date. Every row
    must lie in that season.
    today: decides whether a row without a score is still to play (default today).

    Raises DataError (file, line, column, value, expected) on any malformed input; nothing is
    returned for a file with a bad row. A header-only file gives ``[]``.
    """
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
        name = source_file or "<bytes>"
    elif isinstance(data, (str, os.PathLike)):
        path = os.fspath(data)
        name = source_file or str(path)
        if isinstance(path, str) and "\n" in path:
            raise DataError("got text where a file path was expected; pass the file's content as bytes",
                            file=name, value=path, expected="a path or bytes")
        try:
            with open(path, "rb") as handle:
                raw = handle.read()
        except (OSError, ValueError) as error:  # ValueError: a NUL byte in the path
            raise DataError(f"cannot read the file: {getattr(error, 'strerror', None) or error}",
                            file=name) from None
    else:
        raise TypeError(f"read_footballdata needs bytes or a path, not {type(data).__name__}")

    text = _decode(raw, name)
    rows = _rows(text, name)
    # Blank lines before the header are harmless; _rows has already rejected a file with no text.
    header_line, header = next((item for item in rows if any(cell.strip() for cell in item[1])), (1, []))
    header = [cell.strip() for cell in header]
    _check_header(header, header_line, name)
    layout = _layout(header)

    wanted_competition = _competition_code(competition) if competition else None
    wanted_season = normalize_season(season) if season else None

    parsed: list[tuple[int, dict]] = []
    file_competition, first_line = wanted_competition, 0
    debris: list[int] = []
    match_cells = [layout.index[c] for c in ("Div", "Date", "HomeTeam", "AwayTeam")]
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue  # blank or comma-only row (several files end with some)
        if all(i >= len(row) or not row[i].strip() for i in match_cells):
            debris.append(line)  # no division, date or team: spreadsheet debris such as "#REF!" (T1 2013-14)
            continue
        fields = _parse_row(row, line, layout, name)
        division = _competition_code(fields.pop("competition"))
        if file_competition is None:
            file_competition, first_line = division, line
        elif division != file_competition:
            expected = (f"{file_competition} (the competition asked for)" if wanted_competition
                        else f"{file_competition} like line {first_line}; one division per file")
            raise DataError("Div disagrees", file=name, line=line, column="Div",
                            value=row[layout.index["Div"]].strip(), expected=expected)
        parsed.append((line, fields))
    if debris:
        logger.info("%s: skipped %d row(s) with no division, date or teams (lines %s)", name, len(debris),
                    ", ".join(map(str, debris[:5])))
    if not parsed:
        return []

    file_season = wanted_season or season_of_date(min(f["date"] for _, f in parsed))
    start = dt.date(int(file_season[:4]), 7, 1)
    end = _SEASON_END_EXCEPTIONS.get(file_season, dt.date(start.year + 1, 6, 30))
    for line, fields in parsed:
        if not start <= fields["date"] <= end:
            why = "the season asked for" if wanted_season else "the season of the earliest date"
            raise DataError(f"date outside season {file_season} ({why}); rows from two seasons?",
                            file=name, line=line, column="Date", value=fields["date"].isoformat(),
                            expected=f"a date from {start.isoformat()} to {end.isoformat()}")

    _log_skipped(layout, parsed, name)
    _set_status(parsed)
    return classify_unplayed([
        Match(
            competition=file_competition,
            season=file_season,
            source=SOURCE,
            source_file=name,
            source_line=line,
            **{k: v for k, v in fields.items() if k not in ("skipped", "abandoned_ht")},
        )
        for line, fields in parsed
    ], today)


def _set_status(parsed: list[tuple[int, dict]]) -> None:
    """Awarded and abandoned rows, recognised by what they lack (module docstring, "Status")."""
    stat_fields = [key for key in _STATS.values()]
    has_stats = any(fields.get(key) is not None for _, fields in parsed for key in stat_fields[:2])
    for _, fields in parsed:
        no_stats = all(fields.get(key) is None for key in stat_fields)
        if fields.pop("abandoned_ht", False):
            fields["status"] = "abandoned"
        elif (fields["home_goals"] is not None and fields.get("ht_home_goals") is None
              and (no_stats or not has_stats)
              and ((fields["home_goals"], fields["away_goals"]) in _FORFEIT_SCORES or not fields["odds"])):
            fields["status"] = "awarded"
        elif fields["home_goals"] is not None:
            fields["status"] = "played"


def _decode(raw: bytes, name: str) -> str:
    """The file's text: UTF-8 (a leading BOM removed); a byte that is not part of valid UTF-8 is read as
    the Windows-1252 character it encodes, and the file is logged at WARNING.

    Why per byte: football-data wrote its files in Windows-1252 before it moved to UTF-8 (2025), and Excel
    on Windows saves copies that way, so an invalid UTF-8 byte is a Windows-1252 character (0xA0 a no-break
    space, 0xE9 "é"). Reading each such byte as Windows-1252, and every valid UTF-8 sequence as UTF-8,
    decodes a pure Windows-1252 file exactly as a whole-file fallback would (a Windows-1252 text that
    happens to form valid UTF-8 pairs, such as "Ã¼", does not occur in names or numbers), and it also keeps
    the UTF-8 names of a file that a later edit left with one stray byte (I2 and SC0 2018-19 hold a 0xA0
    after a number in ``BbAH``, an ignored column). The WARNING names the file, the number of such bytes
    and the first one's line. Bytes undefined in Windows-1252 (0x81, 0x8D, 0x8F, 0x90, 0x9D) fail with a
    DataError: such a file is not text.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = raw.decode("utf-8", errors="surrogateescape")
    stray = [m.start() for m in _STRAY.finditer(text)]
    chars = {}
    for i in stray:
        byte = bytes([ord(text[i]) - 0xDC00])
        if byte not in chars:
            try:
                chars[byte] = byte.decode("cp1252")
            except UnicodeDecodeError:
                line = text.count("\n", 0, i) + 1
                raise DataError("bytes that are neither UTF-8 nor Windows-1252 text", file=name, line=line,
                                value=byte, expected="a text (CSV) file") from None
    first_byte, first_line = ord(text[stray[0]]) - 0xDC00, text.count("\n", 0, stray[0]) + 1
    logger.warning("%s: %d byte(s) are not UTF-8 (first: 0x%02X on line %d); read as Windows-1252", name,
                   len(stray), first_byte, first_line)
    return _replace_stray(text, stray, chars)


_STRAY = re.compile("[\udc80-\udcff]")  # bytes that surrogateescape could not decode as UTF-8


def _replace_stray(text: str, positions: list[int], chars: dict[bytes, str]) -> str:
    pieces, last = [], 0
    for i in positions:
        pieces.append(text[last:i])
        pieces.append(chars[bytes([ord(text[i]) - 0xDC00])])
        last = i + 1
    pieces.append(text[last:])
    return "".join(pieces)


def _rows(text: str, name: str) -> Iterable[tuple[int, list[str]]]:
    """(1-based line, cells) of each CSV record; quoted newlines keep the record's first line."""
    if not text.strip():
        raise DataError("empty file; expected a football-data CSV with a header line", file=name)
    head = text.lstrip().lower()
    if head.startswith("<"):
        looks = "an HTML page" if head.startswith(_HTML_MARKERS) else "markup"
        raise DataError(f"not a CSV file: it looks like {looks} (a mirror's error page?)", file=name,
                        value=text.lstrip()[:60], expected="a football-data CSV starting with Div,Date")
    text = text.replace("\r\r\n", "\n").replace("\r\n", "\n").replace("\r", "\n")
    yield from numbered_records(csv.reader(io.StringIO(text, newline=""), strict=False), name, multiline=False)


def _check_header(header: list[str], line: int, name: str) -> None:
    seen: set[str] = set()
    for column in header:
        if column and column in seen:
            raise DataError("column appears twice in the header", file=name, line=line, column=column,
                            expected="unique column names")
        seen.add(column)
    missing = [column for column in _REQUIRED if column not in seen]
    if missing:
        raise DataError(f"header lacks column(s) {', '.join(missing)}; is this a football-data file?",
                        file=name, line=line, value=",".join(header)[:60],
                        expected="a header with " + ", ".join(_REQUIRED))


@functools.lru_cache(maxsize=256)
def _competition_code(text: str) -> str:
    """matchday code of a Div value or a readable name; a division matchday does not know stays as is."""
    try:
        return resolve_competition(text).code
    except UnknownChoiceError:
        return text.strip()


# ----------------------------------------------------------------------------------------- row fields


def _count(cell: str, line: int, column: str, name: str, high: int = MAX_COUNT) -> int | None:
    cell = cell.strip()
    if not cell:
        return None
    if cell.isascii() and cell.isdigit() and len(cell) <= 6:  # 6 digits: far above any bound, never huge
        value = int(cell)
        if value <= high:
            return value
    raise DataError("not a count" if not (cell.isascii() and cell.isdigit()) else "count out of range",
                    file=name, line=line, column=column, value=cell,
                    expected=f"{_EXPECT_COUNT} up to {high}")


def _date(cell: str, line: int, name: str) -> dt.date:
    m = _RE_DATE.match(cell.strip())
    if m:
        day, month, year = int(m[1]), int(m[2]), int(m[3])
        if len(m[3]) == 2:
            year += 2000 if year < 70 else 1900  # the site starts in 1993-94
        try:
            return dt.date(year, month, day)
        except ValueError:
            pass
    raise DataError("not a date", file=name, line=line, column="Date", value=cell,
                    expected="dd/mm/yy or dd/mm/yyyy")


def _kickoff(cell: str, line: int, name: str) -> dt.time | None:
    cell = cell.strip()
    if not cell:
        return None
    m = _RE_TIME.match(cell)
    if m and int(m[1]) < 24 and int(m[2]) < 60:
        return dt.time(int(m[1]), int(m[2]))
    raise DataError("not a kick-off time", file=name, line=line, column="Time", value=cell, expected="HH:MM")


def _outcome(home: int, away: int) -> str:
    return "H" if home > away else "A" if home < away else "D"


def _goals(row: list[str], layout: _Layout, line: int, name: str, home_col: str, away_col: str,
           result_col: str) -> tuple[int | None, int | None]:
    index = layout.index
    home = _count(row[index[home_col]], line, home_col, name, MAX_GOALS) if home_col in index else None
    away = _count(row[index[away_col]], line, away_col, name, MAX_GOALS) if away_col in index else None
    if (home is None) != (away is None):
        column = away_col if home is not None else home_col
        raise DataError("one side of the score is missing", file=name, line=line, column=column,
                        value=row[index[column]] if column in index else "", expected=_EXPECT_COUNT)
    if result_col in index:
        result = row[index[result_col]].strip()
        if home is None and result:
            raise DataError(f"{result_col} given without a score", file=name, line=line,
                            column=result_col, value=result, expected="empty, as the score is")
        if home is not None and result and result != _outcome(home, away):
            raise DataError(f"{result_col} disagrees with the score {home}-{away}", file=name, line=line,
                            column=result_col, value=result, expected=_outcome(home, away))
    return home, away


def _no_full_time(row: list[str], layout: _Layout) -> bool:
    """True when the row has no full-time result and no match statistic: nothing says it was completed."""
    cells = ("FTR", *_STATS)
    return all(not row[layout.index[c]].strip() for c in cells if c in layout.index)


#: Cell texts that are not prices but artefacts of the publisher's spreadsheet: an error value ("#",
#: "#REF!", "#N/A") or a bookmaker's name shifted into a price cell (G1 2024-25 line 123 "1xBet").
_ARTEFACT_NAMES = frozenset(n.casefold() for n in FOOTBALLDATA_BOOKMAKERS.values()) | frozenset(
    c.casefold() for c in FOOTBALLDATA_BOOKMAKERS)


def _is_artefact(cell: str) -> bool:
    text = cell.strip()
    return text.startswith("#") or text.casefold() in _ARTEFACT_NAMES


def _price(cell: str, line: int, column: str, name: str) -> float | None:
    """Decimal price; None for "not quoted" (0) and for impossible prices <= 1 (publisher typos)."""
    try:
        price = float(cell)
    except ValueError:
        price = math.nan
    if not math.isfinite(price) or price < 0:
        raise DataError("not a price", file=name, line=line, column=column, value=cell.strip(),
                        expected=_EXPECT_ODDS)
    return price if price > 1 else None


def _handicap(cell: str, line: int, column: str, name: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value * 4 != round(value * 4):
        raise DataError("not an Asian handicap line", file=name, line=line, column=column,
                        value=cell.strip(), expected=_EXPECT_LINE)
    return value


def _parse_row(row: list[str], line: int, layout: _Layout, name: str) -> dict:
    if len(row) < layout.width:
        raise DataError(f"row has {len(row)} fields but the header has {layout.width}", file=name,
                        line=line, expected=f"{layout.width} comma-separated fields")
    if len(row) > layout.width and any(cell.strip() for cell in row[layout.width:]):
        raise DataError(f"row has {len(row)} fields but the header has {layout.width}", file=name,
                        line=line, value=row[layout.width].strip(), expected="no values after the last column")
    index = layout.index

    division = row[index["Div"]].strip()
    if not _RE_DIV.match(division):
        raise DataError("not a division code", file=name, line=line, column="Div", value=division,
                        expected="a football-data division code such as E0 or SP1")
    fields: dict = {"competition": division, "date": _date(row[index["Date"]], line, name)}
    for column, key in (("HomeTeam", "home"), ("AwayTeam", "away")):
        team = row[index[column]].strip()
        if not team:
            raise DataError(f"missing {column}", file=name, line=line, column=column, value=team,
                            expected="a team name")
        fields[key] = team
    if fields["home"] == fields["away"]:
        raise DataError("a team cannot play itself", file=name, line=line, column="AwayTeam",
                        value=fields["away"], expected=f"a team other than {fields['home']}")
    if "Time" in index:
        fields["kickoff"] = _kickoff(row[index["Time"]], line, name)
    if "Referee" in index:
        fields["referee"] = row[index["Referee"]].strip() or None

    fields["home_goals"], fields["away_goals"] = _goals(row, layout, line, name, "FTHG", "FTAG", "FTR")
    ht_home, ht_away = _goals(row, layout, line, name, "HTHG", "HTAG", "HTR")
    if ht_home is not None and fields["home_goals"] is None and _no_full_time(row, layout):
        # Started, never finished (G1 2018-19 Panathinaikos v Olympiakos): a half-time score but no full-time
        # score, no FTR and no statistics. Not a result: kept as an abandoned match (module docstring, "Status").
        fields["abandoned_ht"] = True
        ht_home = ht_away = None
    if ht_home is not None:
        for half, full, column, full_column in ((ht_home, fields["home_goals"], "HTHG", "FTHG"),
                                                (ht_away, fields["away_goals"], "HTAG", "FTAG")):
            if full is None:
                raise DataError("half-time score without a full-time score", file=name, line=line,
                                column=column, value=str(half), expected=f"empty, as {full_column} is")
            if half > full:
                raise DataError(f"half-time goals exceed {full_column}", file=name, line=line,
                                column=column, value=str(half),
                                expected=f"at most the full-time goals ({full})")
    fields["ht_home_goals"], fields["ht_away_goals"] = ht_home, ht_away

    for column, key in _STATS.items():
        if column in index:
            fields[key] = _count(row[index[column]], line, column, name)

    quotes: list[OddsQuote] = []
    skipped: list[str] = []
    # Prices repeat a lot (1.6M cells in the 72 files, far fewer distinct quotes): each column keeps a
    # cache from cell text (and handicap text) to its frozen OddsQuote, shared between rows.
    for spec, cache in zip(layout.odds, layout.caches, strict=True):
        cell = row[spec.index]
        if not cell:
            continue
        key = cell if spec.line_index is None else (cell, row[spec.line_index])
        quote = cache.get(key)
        if quote is None:
            quote = _quote(spec, cell, key, line, name, skipped)
            if quote is None:
                continue
            cache[key] = quote
        quotes.append(quote)
    fields["odds"] = tuple(quotes)
    if skipped:
        fields["skipped"] = skipped
    return fields


def _quote(spec: _OddsColumn, cell: str, key: str | tuple[str, str], line: int, name: str,
           skipped: list[str]) -> OddsQuote | None:
    """The quote of one non-empty cell, or None for no quote (blank, "0", impossible price, no line)."""
    if not cell.strip():
        return None
    if _is_artefact(cell):
        skipped.append(f"{spec.column}={cell.strip()}")
        return None
    price = _price(cell, line, spec.column, name)
    if price is None:
        if cell.strip().strip("0.") != "":  # a real price of at most 1, not the "0" placeholder
            skipped.append(f"{spec.column}={cell.strip()}")
        return None
    handicap = spec.line
    if spec.line_index is not None:
        line_cell = key[1]
        if not line_cell.strip():
            return None  # a handicap price without its handicap means nothing
        handicap = _handicap(line_cell, line, spec.line_column, name)
    return OddsQuote(spec.bookmaker, spec.market, spec.selection, price, handicap, spec.closing)


def _log_skipped(layout: _Layout, parsed: list[tuple[int, dict]], name: str) -> None:
    skipped = [f"line {line} {cell}" for line, fields in parsed for cell in fields.get("skipped", ())]
    if skipped:
        logger.info("%s: skipped %d impossible price(s) <= 1 or spreadsheet artefacts: %s", name, len(skipped),
                    "; ".join(skipped[:5]))
