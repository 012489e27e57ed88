"""Reader for football-data.co.uk's ``fixtures.csv``: the matches of the coming days, several divisions in
one file, with pre-match odds and no results.

``https://www.football-data.co.uk/fixtures.csv`` is rewritten by the site a few times a week. It uses the
columns of the season files (:mod:`matchday.data.sources.footballdata`) without the result and statistics
columns: ``Div, Date, Time, HomeTeam, AwayTeam`` and the odds (``B365H`` ... ``AvgA``, totals, Asian
handicap; the closing-odds columns are present but empty), UTF-8 with a BOM. Example (two rows)::

    Div,Date,Time,HomeTeam,AwayTeam,B365H,B365D,B365A,...,AHh,B365AHH,B365AHA,...
    E0,01/02/2025,15:00,Nott'm Forest,Brighton,2.3,3.4,3.1,...,-0.25,2.02,1.88,...
    SP1,01/02/2025,20:00,Barcelona,Alaves,1.2,7.5,13,...

Every division of the file is read (``competition`` is matchday's code where it knows the division, else
the ``Div`` value as written); ``divisions`` keeps some. Each match's season is the season of its date.
Rows are read with the season-file reader's row grammar, so dates, times, odds and their validation are
the same; a result in a row (a file that is not a fixtures file) is kept as a result. Reading is
all-or-nothing: a malformed row raises a DataError naming file, line, column and what was expected.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from matchday.data.domain import Match
from matchday.data.errors import DataError
from matchday.data.seasons import season_of_date
from matchday.data.sources._common import load_input
from matchday.data.sources.footballdata import (
    FOOTBALLDATA_BASE_URL,
    _competition_code,
    _decode,
    _layout,
    _parse_row,
    _rows,
)

SOURCE = "football-data-fixtures"
FIXTURES_FILE = "fixtures.csv"
_REQUIRED = ("Div", "Date", "HomeTeam", "AwayTeam")


def fixtures_url(base_url: str | None = None) -> str:
    """URL (or mirror path) of the fixtures file: ``<base>/fixtures.csv``; None means the real site."""
    return f"{(base_url or FOOTBALLDATA_BASE_URL).rstrip('/')}/{FIXTURES_FILE}"


def read_footballdata_fixtures(
    data: bytes | str | os.PathLike[str],
    *,
    source_file: str | None = None,
    divisions: Iterable[str] | None = None,
) -> list[Match]:
    """The fixtures of football-data's ``fixtures.csv`` (bytes as downloaded, or a path), in file order.

    divisions: codes or names to keep (``["E0", "La Liga"]``); None keeps every division. Unplayed
    matches have ``home_goals is None``; odds come as :class:`~matchday.data.domain.OddsQuote` tuples.
    """
    raw, name = load_input(data, source_file)
    text = _decode(raw, name)
    rows = _rows(text, name)
    header_line, header = next((item for item in rows if any(cell.strip() for cell in item[1])), (1, []))
    header = [cell.strip() for cell in header]
    seen: set[str] = set()
    for column in header:
        if column and column in seen:
            raise DataError("column appears twice in the header", file=name, line=header_line, column=column,
                            expected="unique column names")
        seen.add(column)
    missing = [column for column in _REQUIRED if column not in seen]
    if missing:
        raise DataError(f"header lacks column(s) {', '.join(missing)}; is this football-data's fixtures.csv?",
                        file=name, line=header_line, value=",".join(header)[:60],
                        expected="a header starting Div,Date,Time,HomeTeam,AwayTeam")
    layout = _layout(header)
    wanted = None if divisions is None else {_competition_code(d) for d in divisions}

    matches: list[Match] = []
    first_line: dict[tuple[str, str, str], int] = {}
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        fields = _parse_row(row, line, layout, name)
        code = _competition_code(fields.pop("competition"))
        fields.pop("skipped", None)
        key = (code, fields["home"], fields["away"])
        if key in first_line:
            raise DataError("the same fixture appears twice", file=name, line=line, column="HomeTeam/AwayTeam",
                            value=f"{fields['home']} v {fields['away']} ({code})",
                            expected=f"each fixture once (first on line {first_line[key]})")
        first_line[key] = line
        if wanted is not None and code not in wanted:
            continue
        # the file lists matches still to play (a row with a result, from a file that is not a fixtures file,
        # keeps it as a result)
        status = fields.pop("status", None) or ("played" if fields.get("home_goals") is not None else "scheduled")
        matches.append(Match(competition=code, season=season_of_date(fields["date"]), source=SOURCE,
                             source_file=name, source_line=line, status=status, **fields))
    return matches
