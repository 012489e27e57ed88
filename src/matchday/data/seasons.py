"""Season labels: matchday writes seasons as ``"2023-24"``; football-data as ``"2324"``."""

from __future__ import annotations

import datetime as dt
import re

from matchday.data.errors import DataError

_LONG = re.compile(r"^(\d{4})[-/](\d{2}|\d{4})$")
_SHORT = re.compile(r"^(\d{2})(\d{2})$")


def normalize_season(text: str) -> str:
    """Accept ``2023-24``, ``2023/24``, ``2023-2024``, ``2324`` or ``2023`` (start year); return ``2023-24``."""
    value = str(text).strip()
    match = _LONG.match(value)
    if match:
        start = int(match.group(1))
        end = match.group(2)
        end_year = int(end) if len(end) == 4 else (start // 100) * 100 + int(end)
        if end_year < start:
            end_year += 100
        if end_year != start + 1:
            raise DataError("a season spans two consecutive years", value=text, expected="e.g. 2023-24")
        return f"{start}-{(start + 1) % 100:02d}"
    match = _SHORT.match(value)
    if match:
        first, second = int(match.group(1)), int(match.group(2))
        if (first + 1) % 100 == second:
            start = (1900 if first >= 50 else 2000) + first
            return f"{start}-{second:02d}"
        start = int(value)
        if 1850 <= start <= 2100:
            return f"{start}-{(start + 1) % 100:02d}"
    raise DataError("not a season", value=text, expected="e.g. 2023-24, 2023/24 or 2324")


def season_start_year(season: str) -> int:
    return int(normalize_season(season)[:4])


def season_code(season: str) -> str:
    """football-data's folder code: ``2023-24`` -> ``2324``."""
    start = season_start_year(season)
    return f"{start % 100:02d}{(start + 1) % 100:02d}"


#: Seasons that ended later than 30 June: the COVID-19 suspension stretched 2019-20 to August 2020.
SEASON_END_EXCEPTIONS: dict[str, dt.date] = {"2019-20": dt.date(2020, 8, 31)}


def season_end(season: str) -> dt.date:
    """Last day of a season: 30 June of its second year (31 August 2020 for 2019-20)."""
    label = normalize_season(season)
    return SEASON_END_EXCEPTIONS.get(label, dt.date(int(label[:4]) + 1, 6, 30))


def season_of_date(date: dt.date, start_month: int = 7) -> str:
    """The European season a date falls in (a season runs from July to June)."""
    start = date.year if date.month >= start_month else date.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def season_range(spec: str) -> list[str]:
    """``2019-20:2023-24`` -> the five seasons; a single season -> a one-element list."""
    if ":" in spec:
        first, last = (season_start_year(part) for part in spec.split(":", 1))
        if last < first:
            raise DataError("season range runs backwards", value=spec, expected="FIRST:LAST")
        return [f"{y}-{(y + 1) % 100:02d}" for y in range(first, last + 1)]
    return [normalize_season(spec)]
