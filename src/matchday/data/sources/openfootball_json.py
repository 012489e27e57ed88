"""Reader for openfootball's football.json match files (public domain, CC0).

Files live at ``<base>/<season>/<code>.json`` (``2023-24/en.1.json``, ``2019-20/uefa.cl.json``). Two
layouts exist upstream and both are read:

* current: ``{"name": ..., "matches": [{"round", "group"?, "date", "time", "team1", "team2",
  "score": {"ht": [h, a], "ft": [h, a], "et": [h, a], "p": [h, a]}}]}``;
* older: ``{"name": ..., "rounds": [{"name": ..., "matches": [{"date", "team1": {"name", "code"},
  "team2": {...}, "score1", "score2", "score1i", "score2i", "score1et", ..., "score1p", ...}]}]}``.

Score keys: ``ft`` = after 90 minutes, ``ht`` = half time, ``et`` = after extra time (120 minutes,
including the 90-minute goals, so it maps to ``aet_*``), ``p`` = penalty shoot-out (``pen_*``). A match
without a score is a scheduled fixture (goals ``None``).

Club names in UEFA files carry the country, ``"Liverpool FC (ENG)"``: the suffix is moved to
``home_country``/``away_country`` and the name is kept without it. League files have no suffix, so
their countries stay ``None`` (as the source writes them).

Status: a match's ``"status"`` (2024-25 files write ``"awarded"``) maps to
:data:`~matchday.data.domain.MATCH_STATUSES` (``canceled``/``annulled``/``void`` -> ``cancelled``,
``suspended`` -> ``postponed``, ``finished``/``full-time`` -> ``played``); an unknown status is a
DataError. A match without a score and without a status gets one from
:func:`~matchday.data.domain.classify_unplayed` (in a season that is over: ``cancelled``). An
abandoned match keeps no score. An empty file (no text) is a DataError, as in every reader.

``source_line`` is ``None``: a JSON match has no line of its own. Errors name the JSON path of the
offending value instead (``column='matches[12].score.ft'``).

This module also holds the small helpers the other two readers share (input loading, round names,
country suffixes, legs of two-legged ties).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace
from typing import Any

from matchday.data.competitions import COMPETITIONS
from matchday.data.domain import MAX_GOALS, Match, checked_shootout, classify_unplayed, club_name_problem
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

SOURCE = "openfootball-json"
DEFAULT_BASE = "https://raw.githubusercontent.com/openfootball/football.json/master"

# ---------------------------------------------------------------------------------------------------
# football.json
# ---------------------------------------------------------------------------------------------------


def openfootball_json_url(base: str | None, season: str, code: str) -> str:
    """URL (or mirror path) of one football.json file.

    ``base`` is the repository root or a mirror of it (a directory, ``file://`` or
    ``http://127.0.0.1:PORT/...``); ``None`` or ``""`` means the public GitHub copy. ``code`` is the
    file stem (``en.1``, ``uefa.cl``) or a matchday competition code (``E0``, ``UCL``).
    """
    root = (base or DEFAULT_BASE).rstrip("/")
    stem = code
    if code.upper() in COMPETITIONS and COMPETITIONS[code.upper()].openfootball:
        stem = COMPETITIONS[code.upper()].openfootball
    return f"{root}/{normalize_season(season)}/{stem}.json"


_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_TIME_RE = re.compile(r"^([0-9]{1,2})[:.]([0-9]{2})(?:\s.*)?$")
_SCORE_KEYS = (("ft", "score1", "score2"), ("ht", "score1i", "score2i"), ("et", "score1et", "score2et"),
               ("p", "score1p", "score2p"))


def _goals(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > MAX_GOALS:
        raise ValueError
    return value


def _pair(value: Any) -> tuple[int, int] | None:
    if value is None or value == []:
        return None
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ValueError
    home, away = _goals(value[0]), _goals(value[1])
    if home is None or away is None:
        raise ValueError
    return home, away


def _scores(match: dict, path: str, name: str) -> dict[str, tuple[int, int] | None]:
    result: dict[str, tuple[int, int] | None] = {}
    score = match.get("score")
    if score is not None and not isinstance(score, dict):
        raise DataError("score is not an object", file=name, column=f"{path}.score", value=score,
                        expected='{"ft": [home, away], ...}')
    for key, old_home, old_away in _SCORE_KEYS:
        try:
            if isinstance(score, dict) and key in score:
                result[key] = _pair(score[key])
                continue
            home, away = _goals(match.get(old_home)), _goals(match.get(old_away))
        except ValueError:
            shown = score.get(key) if isinstance(score, dict) and key in score else match.get(old_home)
            raise DataError(
                "bad score", file=name, column=f"{path}.score.{key}", value=shown,
                expected=f"[home, away] goals as two integers from 0 to {MAX_GOALS}",
            ) from None
        if (home is None) != (away is None):
            raise DataError("score given for one team only", file=name, column=f"{path}.{old_home}",
                            value=[home, away], expected="both goals or neither")
        result[key] = (home, away) if home is not None else None
    return result


def _team(value: Any, column: str, name: str) -> tuple[str, str | None]:
    code = None
    if isinstance(value, dict):
        code = value.get("code") if isinstance(value.get("code"), str) else None
        value = value.get("name")
    if not isinstance(value, str) or not value.strip():
        raise DataError("missing team name", file=name, column=column, value=value, expected="a club name")
    team, country = split_country(value)
    problem = club_name_problem(team)
    if problem is not None:
        raise DataError(f"cannot read the club: {problem}", file=name, column=column, value=value,
                        expected="a club name")
    return team, country or (code if code and re.fullmatch(r"[A-Z]{3}", code) else None)


_STATUS_WORDS = {
    "played": "played", "finished": "played", "full-time": "played", "fulltime": "played", "ft": "played",
    "scheduled": "scheduled", "fixture": "scheduled", "postponed": "postponed", "suspended": "postponed",
    "cancelled": "cancelled", "canceled": "cancelled", "annulled": "cancelled", "void": "cancelled",
    "awarded": "awarded", "abandoned": "abandoned",
}


def _status(match: dict, path: str, name: str, has_score: bool) -> str | None:
    raw = match.get("status")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    status = _STATUS_WORDS.get(raw.strip().lower()) if isinstance(raw, str) else None
    if status is None:
        raise DataError("unknown match status", file=name, column=f"{path}.status", value=raw,
                        expected=", ".join(sorted(_STATUS_WORDS)))
    if status == "abandoned":
        return status
    if has_score and status not in ("played", "awarded"):
        raise DataError(f"a score for a {status} match", file=name, column=f"{path}.status", value=raw,
                        expected="no score, or the status 'awarded' / 'played'")
    if not has_score and status in ("played", "awarded"):
        raise DataError(f"a {status} match without a score", file=name, column=f"{path}.status", value=raw,
                        expected='a "score": {"ft": [home, away]}')
    return status


def _json_matches(doc: Any, name: str) -> list[tuple[str, dict, str | None]]:
    """(JSON path, match object, round of the enclosing ``rounds`` entry) for every match."""
    if not isinstance(doc, dict):
        raise DataError("not a football.json document", file=name, value=type(doc).__name__,
                        expected='an object with a "matches" (or "rounds") list')
    found: list[tuple[str, dict, str | None]] = []
    if "matches" in doc:
        if not isinstance(doc["matches"], list):
            raise DataError('"matches" is not a list', file=name, column="matches",
                            value=type(doc["matches"]).__name__, expected="a list of match objects")
        found = [(f"matches[{i}]", m, None) for i, m in enumerate(doc["matches"])]
    elif "rounds" in doc and isinstance(doc["rounds"], list):
        for r, entry in enumerate(doc["rounds"]):
            if not isinstance(entry, dict) or not isinstance(entry.get("matches"), list):
                raise DataError("round without a match list", file=name, column=f"rounds[{r}]",
                                value=type(entry).__name__, expected='{"name": ..., "matches": [...]}')
            label = entry.get("name") if isinstance(entry.get("name"), str) else None
            found += [(f"rounds[{r}].matches[{i}]", m, label) for i, m in enumerate(entry["matches"])]
    else:
        raise DataError("not a football.json document", file=name, value=sorted(map(str, doc))[:5],
                        expected='an object with a "matches" (or "rounds") list')
    for path, match, _ in found:
        if not isinstance(match, dict):
            raise DataError("match is not an object", file=name, column=path, value=match,
                            expected="a match object")
    return found


def _fix_year_typos(matches: list[Match]) -> list[Match]:
    """Correct dates whose year is one too small (2019-20 en.1: 66 matches of July 2020 say 2019).

    A season opens with its first round (in file order) and lasts less than a year, so no match
    can be dated before the opening. A date more than a week before the earliest date of the first
    round, listed after a match that is more than half a year later, is read as the same day one
    year later. Both conditions must hold, so a match legitimately brought forward by a few days
    is left alone.
    """
    if not matches:
        return matches
    first_round = matches[0].round
    opening = min(m.date for m in matches if m.round == first_round)
    out = list(matches)
    latest_so_far = out[0].date
    for index, match in enumerate(matches):
        if (
            match.date < opening - dt.timedelta(days=7)
            and latest_so_far - match.date > dt.timedelta(days=183)
            and match.date.year < dt.MAXYEAR
        ):
            day = min(match.date.day, 28) if (match.date.month, match.date.day) == (2, 29) else match.date.day
            out[index] = replace(match, date=match.date.replace(year=match.date.year + 1, day=day))
        latest_so_far = max(latest_so_far, match.date)
    return out


def read_openfootball_json(
    data: DataInput,
    *,
    source_file: str | None = None,
    competition: str | None = None,
    season: str | None = None,
    today: dt.date | None = None,
) -> list[Match]:
    """Matches of one football.json file, in file order.

    data: the file's bytes (as downloaded), or a str path / ``os.PathLike`` to read.
    source_file: name or URL to report (and to take season folder and file stem from) when
        ``data`` is bytes; defaults to the path.
    competition: matchday code or name; default from the file stem (``en.1`` -> ``E0``, via
        ``competitions.py``) or else the ``name`` inside the file.
    season: default from the season folder (``2019-20/``), else the ``name`` (``... 2019/20``),
        else the season of the opening date.

    today: decides whether a match without a score is still to play (default today; see
        :func:`~matchday.data.domain.classify_unplayed`).

    Raises DataError (file, JSON path, value, expectation) on anything unreadable, and
    UnknownChoiceError for a ``competition`` argument matchday does not know.
    """
    content, name = load_input(data, source_file)
    text = require_text(decode_text(content, name), name)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"not valid JSON: {exc.msg}", file=name, line=exc.lineno, column=f"char {exc.colno}",
                        expected="a football.json document") from None
    except (ValueError, RecursionError) as exc:
        raise DataError(f"not valid JSON: {type(exc).__name__}", file=name,
                        expected="a football.json document") from None

    entries = _json_matches(doc, name)
    folder_season, stem = path_parts(name)
    title = doc.get("name") if isinstance(doc.get("name"), str) else None
    code = resolve_competition_code(competition, stem, title, field="openfootball", name=name)

    parsed: list[dict[str, Any]] = []
    for path, match, parent_round in entries:
        raw_date = match.get("date")
        if not isinstance(raw_date, str) or not _DATE_RE.match(raw_date.strip()):
            raise DataError("bad or missing date", file=name, column=f"{path}.date", value=raw_date,
                            expected="YYYY-MM-DD")
        try:
            date = dt.date.fromisoformat(raw_date.strip())
        except ValueError:
            raise DataError("not a calendar date", file=name, column=f"{path}.date", value=raw_date,
                            expected="a real YYYY-MM-DD date") from None
        kickoff = None
        raw_time = match.get("time")
        if raw_time not in (None, ""):
            time_match = _TIME_RE.match(raw_time) if isinstance(raw_time, str) else None
            if not time_match or int(time_match.group(1)) > 23 or int(time_match.group(2)) > 59:
                raise DataError("bad kick-off time", file=name, column=f"{path}.time", value=raw_time,
                                expected="HH:MM")
            kickoff = dt.time(int(time_match.group(1)), int(time_match.group(2)))
        home, home_country = _team(match.get("team1"), f"{path}.team1", name)
        away, away_country = _team(match.get("team2"), f"{path}.team2", name)
        raw_round = match.get("round", parent_round)
        if raw_round is not None and not isinstance(raw_round, str):
            raise DataError("round is not text", file=name, column=f"{path}.round", value=raw_round,
                            expected="a round name")
        round_name, leg = canonical_round(raw_round) if raw_round and raw_round.strip() else (None, None)
        group = match.get("group")
        if isinstance(group, str) and group.strip():
            group_name, _ = canonical_round(group)
            round_name = f"{group_name}, {round_name}" if round_name and round_name != group_name else group_name
        scores = _scores(match, path, name)
        ft, ht, et, pen = scores["ft"], scores["ht"], scores["et"], scores["p"]
        if ft is None and (et or pen or ht):
            raise DataError("half-time, extra-time or penalty score without the 90-minute score",
                            file=name, column=f"{path}.score", value=match.get("score"),
                            expected='"ft": [home, away]')
        if ft and ht and (ht[0] > ft[0] or ht[1] > ft[1]):
            raise DataError("half-time score exceeds the full-time score", file=name,
                            column=f"{path}.score.ht", value=[ht, ft], expected="ht <= ft for each team")
        if ft and et and (et[0] < ft[0] or et[1] < ft[1]):
            raise DataError("score after extra time is below the 90-minute score", file=name,
                            column=f"{path}.score.et", value=[et, ft],
                            expected="et (after 120 minutes, including the 90) >= ft for each team")
        pen = checked_shootout(pen, f"{name}, {path}.score.p")
        status = _status(match, path, name, ft is not None)
        if status == "abandoned":  # where play stopped is not a result
            ft = ht = et = pen = None
        parsed.append(dict(
            date=date, kickoff=kickoff, home=home, away=away, home_country=home_country,
            away_country=away_country, round=round_name, leg=leg, ft=ft, ht=ht, et=et, pen=pen, status=status,
        ))

    if season:
        season_label = normalize_season(season)
    elif folder_season:
        season_label = folder_season
    elif title and (found := re.search(r"([0-9]{4})[/-]([0-9]{2,4})\b", title)):
        try:
            season_label = normalize_season(found.group(0))
        except DataError:
            season_label = None
    else:
        season_label = None
    if season_label is None:
        if not parsed:
            raise DataError("cannot tell the season of an empty file", file=name,
                            expected="season=... or a season folder such as 2019-20/")
        season_label = season_of_date(min(p["date"] for p in parsed))

    matches = [
        Match(
            competition=code, season=season_label, date=p["date"], home=p["home"], away=p["away"],
            home_goals=p["ft"][0] if p["ft"] else None, away_goals=p["ft"][1] if p["ft"] else None,
            ht_home_goals=p["ht"][0] if p["ht"] else None, ht_away_goals=p["ht"][1] if p["ht"] else None,
            aet_home_goals=p["et"][0] if p["et"] else None, aet_away_goals=p["et"][1] if p["et"] else None,
            pen_home=p["pen"][0] if p["pen"] else None, pen_away=p["pen"][1] if p["pen"] else None,
            kickoff=p["kickoff"], round=p["round"], leg=p["leg"],
            home_country=p["home_country"], away_country=p["away_country"],
            source=SOURCE, source_file=name, source_line=None,
            status=p["status"] or ("played" if p["ft"] else None),
        )
        for p in parsed
    ]
    matches = _fix_year_typos(matches)
    if COMPETITIONS[code].kind != "league":
        matches = assign_legs(matches)
    return classify_unplayed(matches, today)
