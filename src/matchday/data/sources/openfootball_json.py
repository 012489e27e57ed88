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

``source_line`` is ``None``: a JSON match has no line of its own. Errors name the JSON path of the
offending value instead (``column='matches[12].score.ft'``).

This module also holds the small helpers the other two readers share (input loading, round names,
country suffixes, legs of two-legged ties).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import Any

from matchday.data.competitions import COMPETITIONS, resolve_competition
from matchday.data.domain import Match
from matchday.data.errors import DataError, MatchdayError
from matchday.data.seasons import normalize_season, season_of_date

SOURCE = "openfootball-json"
DEFAULT_BASE = "https://raw.githubusercontent.com/openfootball/football.json/master"

DataInput = bytes | bytearray | memoryview | str | os.PathLike


# ---------------------------------------------------------------------------------------------------
# Helpers shared by the source readers
# ---------------------------------------------------------------------------------------------------


def load_input(data: DataInput, source_file: str | os.PathLike | None) -> tuple[bytes, str]:
    """The raw bytes of ``data`` (downloaded bytes, or a path to read) and the name to report.

    ``source_file`` (a file name or URL) overrides the reported name; for bytes without it the
    name is ``"<bytes>"``.
    """
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data), str(source_file) if source_file else "<bytes>"
    if isinstance(data, str | os.PathLike):
        path = Path(data)
        name = str(source_file) if source_file else str(data)
        try:
            return path.read_bytes(), name
        except FileNotFoundError:
            raise DataError(
                "file not found", file=name,
                expected="an existing file (pass downloaded content as bytes, not str)",
            ) from None
        except IsADirectoryError:
            raise DataError("is a directory, not a file", file=name) from None
        except (OSError, ValueError) as exc:  # permissions, NUL in the path, name too long ...
            raise DataError(f"cannot read file: {exc}", file=name) from None
    raise DataError(
        f"cannot read input of type {type(data).__name__}", file=str(source_file) if source_file else None,
        expected="bytes, a str path or os.PathLike",
    )


def decode_text(content: bytes, name: str) -> str:
    """UTF-8 text (a leading BOM is dropped); invalid bytes raise DataError with their line."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        raise DataError(
            "not valid UTF-8 text", file=name, line=line, value=content[exc.start : exc.start + 8],
            expected="UTF-8 text",
        ) from None


def path_parts(name: str) -> tuple[str | None, str | None]:
    """(season folder, file stem) of a path or URL like ``.../2019-20/en.1.json``; None if absent."""
    pure = PurePosixPath(name.replace("\\", "/").split("?", 1)[0])
    stem = pure.name
    for suffix in (".json", ".txt", ".csv"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    season = None
    parent = pure.parent.name
    if parent:
        try:
            season = normalize_season(parent)
        except DataError:
            season = None
    return season, stem or None


_COUNTRY_SUFFIX = re.compile(r"^(?P<name>.*?\S)\s*\((?P<code>[A-Z]{3})\)$")


def split_country(text: str) -> tuple[str, str | None]:
    """``"Liverpool FC (ENG)"`` -> ``("Liverpool FC", "ENG")``; a name without suffix -> (name, None)."""
    text = " ".join(text.split())
    match = _COUNTRY_SUFFIX.match(text)
    if match:
        return match.group("name"), match.group("code")
    return text, None


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9/]", "", text.lower())


# Canonical round vocabulary shared by the three readers, so that the same round reads the same
# whichever source it comes from ("Quarterfinals", "Viertelfinale", "QF" -> "Quarter-final").
_ROUND_NAMES: dict[str, str] = {
    **dict.fromkeys(("roundof32", "last32", "1/16finals", "1/16final", "sechzehntelfinale"), "Round of 32"),
    **dict.fromkeys(
        ("roundof16", "last16", "1/8finals", "1/8final", "eighthfinals", "achtelfinale"), "Round of 16"
    ),
    **dict.fromkeys(
        ("quarterfinals", "quarterfinal", "1/4finals", "1/4final", "viertelfinale", "viertelfinal"),
        "Quarter-final",
    ),
    **dict.fromkeys(("semifinals", "semifinal", "1/2finals", "halbfinale", "halbfinal"), "Semi-final"),
    **dict.fromkeys(("final", "finale"), "Final"),
    **dict.fromkeys(("preliminaryround", "prelimround", "preliminary", "vorrunde"), "Preliminary round"),
    **dict.fromkeys(("thirdplace", "matchforthirdplace", "thirdplaceplayoff", "spielumplatz3"), "Third place"),
}
_PLAYOFF_NAMES = frozenset(
    ("playoffs", "playoff", "playoffround", "knockoutroundplayoffs", "knockoutplayoffs",
     "knockoutphaseplayoffs", "knockoutplayoff", "zwischenrunde")
)
_STAGE_DROP = frozenset(("finals", "knockout", "knockoutstage", "knockoutphase", "finalstage", "finalrunde"))
_STAGE_NAMES = {
    **dict.fromkeys(("group", "groups", "groupstage", "groupphase", "gruppenphase"), "Group stage"),
    **dict.fromkeys(("league", "leaguephase", "leaguestage", "ligaphase"), "League phase"),
}
_QUALIFYING_WORDS = frozenset(("qualifying", "quali", "qualification", "qualifyingrounds", "qualifiers"))
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_GROUP_RE = re.compile(r"^(?:group|gruppe|grupo|groupe|girone)\s*([a-z])$", re.I)
_MATCHDAY_RE = re.compile(
    r"^(?:(?:matchday|spieltag|jornada|giornata|journee)\s*([0-9]{1,3})|([0-9]{1,3})\.?\s*(?:spieltag|matchday))$",
    re.I,
)
_ROUND_N_RE = re.compile(r"^(?:round|runde)\s*([0-9]{1,3})$|^([0-9]{1,3})\.?\s*(?:round|runde)$", re.I)
_QUALI_N_RE = re.compile(
    r"^(?:qualifying round\s*([0-9]{1,3})|(first|second|third|fourth|1st|2nd|3rd|4th)\s+qualifying round)$",
    re.I,
)
_LEG_RE = re.compile(r"^(?:leg\s*([12])|([12])(?:st|nd)\s+leg|(first|second)\s+leg|(hinspiel)|(r[uü]ckspiel))$", re.I)

KNOCKOUT_TOURNAMENT_ROUNDS = frozenset(("Round of 16", "Quarter-final", "Semi-final"))
_KNOCKOUT_LABELS = frozenset(("Round of 32", "Round of 16", "Quarter-final", "Semi-final", "Final",
                              "Knockout play-off", "Qualifying play-off", "Preliminary round"))


def canonical_round(text: str, *, qualifying: bool = False) -> tuple[str, int | None]:
    """Canonical round name and the leg a heading states (``"Quarterfinals, Leg 1"`` -> leg 1).

    ``"Gruppe G"`` -> ``"Group G"``; ``"Finals, Round of 16"`` -> ``"Round of 16"``;
    ``"Group, Matchday 1"`` -> ``"Group stage, Matchday 1"``; ``"Sechzehntelfinale"`` -> ``"Round of 32"``;
    ``"Playoffs"`` -> ``"Knockout play-off"`` (``"Qualifying play-off"`` in qualifying files, where
    ``"Round 2"`` also becomes ``"Qualifying round 2"``); ``"Playoffs, Matchday 2"`` -> leg 2 of the
    knockout play-off. Unknown labels are kept as written.
    """
    parts = [" ".join(p.split()) for p in str(text).split(",")]
    parts = [p for p in parts if p]
    leg: int | None = None
    out: list[str] = []
    for position, part in enumerate(parts):
        key = _norm(part)
        leg_match = _LEG_RE.match(part)
        if leg_match:
            first = leg_match.group(1) or leg_match.group(2)
            if first:
                leg = int(first)
            elif leg_match.group(3):
                leg = 1 if leg_match.group(3).lower() == "first" else 2
            else:
                leg = 1 if leg_match.group(4) else 2
            continue
        if position == 0 and len(parts) > 1:
            if key in _STAGE_DROP:
                continue
            if key in _QUALIFYING_WORDS:
                qualifying = True
                continue
            if key in _STAGE_NAMES:
                out.append(_STAGE_NAMES[key])
                continue
        if key in _ROUND_NAMES:
            out.append(_ROUND_NAMES[key])
        elif key in _PLAYOFF_NAMES:
            out.append("Qualifying play-off" if qualifying else "Knockout play-off")
        elif m := _GROUP_RE.match(part):
            out.append(f"Group {m.group(1).upper()}")
        elif m := _MATCHDAY_RE.match(part):
            out.append(f"Matchday {int(m.group(1) or m.group(2))}")
        elif m := _QUALI_N_RE.match(part):
            number = int(m.group(1)) if m.group(1) else _ORDINALS[m.group(2).lower()]
            out.append(f"Qualifying round {number}")
        elif m := _ROUND_N_RE.match(part):
            number = int(m.group(1) or m.group(2))
            out.append(f"Qualifying round {number}" if qualifying else f"Round {number}")
        else:
            out.append(part)
    # "Playoffs, Matchday 2" (openfootball from 2024-25): a matchday of a knockout round is a leg.
    if leg is None and any(p in _KNOCKOUT_LABELS or p.startswith("Qualifying round") for p in out):
        for part in out:
            if part in ("Matchday 1", "Matchday 2"):
                leg = int(part[-1])
                out.remove(part)
                break
    return (", ".join(out) if out else " ".join(str(text).split())), leg


def _is_round_robin(round_name: str) -> bool:
    return round_name.startswith(("Group", "League phase", "First group stage", "Second group stage")) or (
        "Matchday" in round_name
    )


def assign_legs(matches: Sequence[Match]) -> list[Match]:
    """Legs and neutral venues of knockout rounds, inferred from the fixtures themselves.

    Within one knockout round (not a group, league phase or matchday), every club meets one opponent.
    When a pair meets twice, the earlier meeting is leg 1 and the later one leg 2 (file order breaks
    a tie of dates). A single meeting is a one-match tie: it is played at a neutral venue when the
    round is the final, or when *every* tie of a Round of 16 / Quarter-final / Semi-final round is a
    single match (UEFA plays main-draw knockout rounds as one match only in centralised tournaments,
    such as Lisbon in August 2020). Legs already set (stated by the source) are kept. A round in
    which some club meets several opponents is not a knockout round and is left alone.
    """
    out = list(matches)
    rounds: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for index, match in enumerate(out):
        if match.round and not _is_round_robin(match.round):
            rounds[(match.competition, match.season, match.round)].append(index)
    for (_, _, round_name), indices in rounds.items():
        pairs: dict[frozenset[str], list[int]] = defaultdict(list)
        for index in indices:
            pairs[frozenset((out[index].home, out[index].away))].append(index)
        clubs = Counter(club for pair in pairs for club in pair)
        if any(count > 1 for count in clubs.values()):
            continue
        every_tie_single = all(len(members) == 1 for members in pairs.values())
        for members in pairs.values():
            if len(members) == 2:
                first, second = sorted(members, key=lambda i: (out[i].date, i))
                if out[first].leg is None and out[second].leg is None:
                    out[first] = replace(out[first], leg=1)
                    out[second] = replace(out[second], leg=2)
            elif len(members) == 1:
                index = members[0]
                if out[index].leg is None and (
                    round_name == "Final"
                    or (every_tie_single and round_name in KNOCKOUT_TOURNAMENT_ROUNDS)
                ):
                    out[index] = replace(out[index], neutral=True)
    return out


def resolve_competition_code(
    competition: str | None, stem: str | None, title: str | None, *, field: str, name: str
) -> str:
    """Competition code from the argument, else the file stem, else the title inside the file."""
    if competition:
        return resolve_competition(competition).code
    if stem:
        for comp in COMPETITIONS.values():
            if getattr(comp, field) == stem:
                return comp.code
    if title:
        candidates = [title, re.sub(r"\s*[0-9]{4}(?:[/-][0-9]{2,4})?\s*$", "", title)]
        candidates.append(re.sub(r"\s*-?\s*\b(?:quali\w*)\b.*$", "", candidates[1], flags=re.I))
        candidates += [re.sub(r"^UEFA\s+", "", c) for c in candidates]
        for candidate in candidates:
            try:
                return resolve_competition(candidate).code
            except MatchdayError:
                continue
    raise DataError(
        "cannot tell which competition this is", file=name, value=stem or title,
        expected="competition=... (e.g. 'E0', 'UCL') or a file named like the source's own files",
    )


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
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 99:
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
                expected="[home, away] goals as two integers from 0 to 99",
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
    return team, country or (code if code and re.fullmatch(r"[A-Z]{3}", code) else None)


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
) -> list[Match]:
    """Matches of one football.json file, in file order.

    data: the file's bytes (as downloaded), or a str path / ``os.PathLike`` to read.
    source_file: name or URL to report (and to take season folder and file stem from) when
        ``data`` is bytes; defaults to the path.
    competition: matchday code or name; default from the file stem (``en.1`` -> ``E0``, via
        ``competitions.py``) or else the ``name`` inside the file.
    season: default from the season folder (``2019-20/``), else the ``name`` (``... 2019/20``),
        else the season of the opening date.

    Raises DataError (file, JSON path, value, expectation) on anything unreadable, and
    UnknownChoiceError for a ``competition`` argument matchday does not know.
    """
    content, name = load_input(data, source_file)
    text = decode_text(content, name)
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
        parsed.append(dict(
            date=date, kickoff=kickoff, home=home, away=away, home_country=home_country,
            away_country=away_country, round=round_name, leg=leg, ft=ft, ht=ht, et=et, pen=pen,
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
        )
        for p in parsed
    ]
    matches = _fix_year_typos(matches)
    if COMPETITIONS[code].kind == "league":
        return matches
    return assign_legs(matches)
