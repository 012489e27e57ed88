"""Helpers shared by the openfootball and engsoccerdata readers: input loading and decoding, country
suffixes, canonical round names, leg assignment in knockout rounds, competition from a file name."""

from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path, PurePosixPath

from matchday.data.competitions import COMPETITIONS, resolve_competition
from matchday.data.domain import Match
from matchday.data.errors import DataError, MatchdayError
from matchday.data.seasons import normalize_season

DataInput = bytes | bytearray | memoryview | str | os.PathLike


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


def require_text(text: str, name: str) -> str:
    """``text`` unchanged; DataError when it holds nothing but white space.

    One rule for every reader: an empty file (0 bytes, a BOM only, blank lines) is an error, because
    that is what a failed or cut-off download looks like. A file with its structure but no matches (a
    CSV header, ``{"matches": []}``, a Football.TXT header) is read as no matches.
    """
    if not text.strip():
        raise DataError("empty file (no text at all)", file=name,
                        expected="the source's format; a file without matches still has its header")
    return text


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


