"""Team-name registry: one canonical id per club across sources and seasons.

Sources spell clubs differently ("Man City", "Manchester City FC", "Manchester City FC (ENG)"). The
registry maps every known spelling to one canonical id, a lowercase ASCII slug of the club's common
English name ("manchester-city", "bayern-munich", "atletico-madrid").

Two readable data files ship with the package:

* ``teams.csv`` -- ``team_id,name,country``: one row per club. ``country`` is the 3-letter code the
  sources write (ENG, ESP, ITA, GER, FRA, NED, POR, SCO, ...); for clubs playing in another country's
  league (Cardiff, Swansea, Monaco) it is the league's country.
* ``team_aliases.csv`` -- ``alias,team_id,note``: one row per spelling. An alias only ever matches a
  club of its team's country, so "Arsenal" can never resolve to a club of another country when the
  caller knows the country.
* ``cross_border.csv`` -- ``team_id,country,note``: the documented cross-border clubs, each with the
  other country code a source may write for it (Monaco plays in Ligue 1 and openfootball writes
  ``AS Monaco FC (MCO)``; Cardiff, Swansea and Wrexham are Welsh clubs in the English leagues; Vaduz
  plays in the Swiss league and UEFA lists it as LIE; Derry City plays in the League of Ireland). A
  country hint matches a club of that country or a club listed here with that code.

Lookups compare *normalised* keys: a trailing ``(XXX)`` country suffix is removed (and used as a country
hint), letters are folded to ASCII (München -> munchen, Atlético -> atletico, Bodø -> bodo), case is
folded, apostrophes are dropped (Nott'm -> nottm), ``&`` reads ``and``, dots are dropped and other
punctuation becomes a space. Club words such as "FC", "AC" or "Real" are deliberately *not* removed:
stripping them merges different clubs; such variants are listed as explicit aliases instead.

Both files are kept sorted (teams by ``team_id``, aliases by normalised alias; a test checks it). The
display name and the id of a team always resolve, whether or not they are also listed as alias rows.
``python scripts/team_names.py`` lists the names in the raw data that do not resolve.

Matching is on the club, not only on the spelling. When no registered spelling has a name's key (within
the country), two fallbacks are tried in order, each accepted only if it points to exactly one club:

1. *legal-form words dropped*: ``FC``, ``FK``, ``NK``, ``SK``, ``AFC``, ``CF``, ``AS``, ``AC``, ``SC``, ...
   (:data:`LEGAL_FORM_WORDS`) are removed from both sides, so "Kilmarnock FC", "FK Rostov" or "Celtic
   FC" find "Kilmarnock", "Rostov", "Celtic". Words that tell clubs apart ("Real", "Sporting", "Inter",
   "Dinamo", "Athletic", "Club", "B", numbers such as "1948") are never dropped.
2. *transliteration variants folded*: ``ph``->``f``, ``th``->``t``, ``kh``->``h``, ``ou``->``u``, ``c``/``q``->``k``,
   ``y``/``j``->``i``, ``w``->``v``, ``ck``->``k``, spaces ignored, "Saint"/"Sankt" read "St" (Paphos /
   Pafos, Olympiakos / Olympiacos / Olimpiakos, Thessaloniki / Thesaloniki).

If a fallback points to two or more clubs, the name is *ambiguous*: it does not resolve, and
:meth:`TeamRegistry.match` / :meth:`TeamRegistry.require` name the candidates. There is never a silent
merge.

Names not in the table are never guessed: :meth:`TeamRegistry.resolve` returns ``None`` and importers
store the club under :meth:`TeamRegistry.provisional_id` (``unregistered:<country>:<slug>``), which can
never collide with a registered id.
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from matchday.data.csvrecords import numbered_records
from matchday.data.errors import DataError, UnknownChoiceError

__all__ = [
    "LEGAL_FORM_WORDS",
    "PROVISIONAL_PREFIX",
    "Team",
    "TeamMatch",
    "TeamRegistry",
    "is_provisional",
    "normalize_name",
    "split_country",
]

PROVISIONAL_PREFIX = "unregistered:"

_TEAMS_FILE = "teams.csv"
_ALIASES_FILE = "team_aliases.csv"
_CROSS_BORDER_FILE = "cross_border.csv"

#: Abbreviations of a club's legal form or society type ("Football Club", "Fudbalski klub", "Sportklub",
#: "Associazione Calcio", ...), dropped by the first matching fallback. Where two registered clubs of one
#: country differ only by such a word (CA Bastia / SC Bastia), a name without it is ambiguous, not merged.
LEGAL_FORM_WORDS: frozenset[str] = frozenset({
    "fc", "fk", "nk", "sk", "kf", "afc", "cf", "cd", "ud", "sd", "as", "ac", "sc", "ss", "us", "cs", "ca",
    "gfk", "pfc", "sv", "kv", "kaa", "krc", "rsc", "bk", "if", "ik", "il", "ff", "jk", "ssc", "ks", "mks",
    "hnk", "gnk", "osc",
})
_TRANSLIT_DIGRAPHS = (("ph", "f"), ("th", "t"), ("kh", "h"), ("gh", "g"), ("ou", "u"), ("ks", "x"))
_TRANSLIT_LETTERS = str.maketrans({"c": "k", "q": "k", "y": "i", "j": "i", "w": "v"})
_TOKEN_SYNONYMS = {"saint": "st", "sankt": "st"}
_DOUBLED = re.compile(r"([ik])\1+")  # "ck" -> "kk" -> "k"; "ij"/"yi" -> "ii" -> "i"; other doubles stay

_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_COUNTRY_RE = re.compile(r"^[A-Z]{3}$")
_SUFFIX_RE = re.compile(r"\s*\(\s*([A-Za-z]{3})\s*\)\s*$")

# Letters that Unicode decomposition does not reduce to ASCII.
_FOLD = str.maketrans(
    {
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ß": "ss",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "Th",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ı": "i",
        "ħ": "h",
        "Ħ": "H",
        "&": " and ",
    }
)
_APOSTROPHES = re.compile(r"['’‘`´ʼ]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class TeamMatch:
    """How a name was matched: ``team_id`` (None if not), ``how`` (``"exact"``, ``"legal-form"``,
    ``"transliteration"``, ``"ambiguous"`` or ``"unknown"``) and, when ambiguous, the ``candidates``."""

    team_id: str | None
    how: str
    candidates: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Team:
    """A registered club: canonical id, display name and 3-letter country code."""

    team_id: str
    name: str
    country: str


def split_country(name: str) -> tuple[str, str | None]:
    """Split a trailing ``(XXX)`` country suffix: ``"Liverpool FC (ENG)" -> ("Liverpool FC", "ENG")``."""
    stripped = name.rstrip()
    match = _SUFFIX_RE.search(stripped) if stripped.endswith(")") else None
    if match is None:
        return name.strip(), None
    return name[: match.start()].strip(), match.group(1).upper()


def _fold(text: str) -> str:
    """Case-folded ASCII text with accents removed, whitespace collapsed (punctuation kept)."""
    text = text.translate(_FOLD)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.casefold().split())


def _key_of_folded(folded: str) -> str:
    text = _APOSTROPHES.sub("", folded).replace(".", "")
    return _NON_ALNUM.sub(" ", text).strip()


def normalize_name(name: str) -> str:
    """Lookup key of a team name: ``"Nott'm Forest" -> "nottm forest"``, ``"1. FC Köln" -> "1 fc koln"``.

    A trailing ``(XXX)`` country suffix is removed (see :func:`split_country`). Club words ("FC",
    "Real", ...) are kept on purpose.
    """
    base, _ = split_country(name)
    return _key_of_folded(_fold(base))


def _exact_key(name: str) -> str:
    """Finer key used only to break ties between clubs whose normalised keys coincide."""
    base, _ = split_country(name)
    return _fold(base)


def _legal_form_key(key: str) -> str:
    """A normalised key without legal-form words: ``"fk rostov" -> "rostov"``."""
    return " ".join(word for word in key.split() if word not in LEGAL_FORM_WORDS)


def _translit_key(key: str) -> str:
    """A legal-form key with transliteration variants folded: ``"paphos" -> "pafos"``."""
    text = " ".join(_TOKEN_SYNONYMS.get(word, word) for word in key.split())
    for digraph, letter in _TRANSLIT_DIGRAPHS:
        text = text.replace(digraph, letter)
    text = text.translate(_TRANSLIT_LETTERS).replace(" ", "")
    return _DOUBLED.sub(r"\1", text)


def _slug(name: str) -> str:
    return normalize_name(name).replace(" ", "-")


def is_provisional(team_id: str) -> bool:
    """True for ids made by :meth:`TeamRegistry.provisional_id` (clubs not in the table)."""
    return team_id.startswith(PROVISIONAL_PREFIX)


class _Entry(NamedTuple):
    """One indexed spelling: the id it points to and where it was declared (for error messages)."""

    team_id: str
    country: str
    alias: str
    exact: str
    file: str
    line: int | None


class TeamRegistry:
    """Canonical team ids, display names and aliases.

    Build it with :meth:`load`. ``teams`` maps team id -> :class:`Team`.
    """

    def __init__(self) -> None:
        self.teams: dict[str, Team] = {}
        self._index: dict[str, list[_Entry]] = {}
        self._legal_index: dict[str, list[_Entry]] = {}
        self._translit_index: dict[str, list[_Entry]] = {}
        self._aliases: dict[str, list[str]] = {}
        self._countries: dict[str, frozenset[str]] = {}
        self.cross_border: dict[tuple[str, str], str] = {}  # (team_id, other country) -> note

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, extra_aliases: str | os.PathLike[str] | None = None) -> TeamRegistry:
        """The packaged table, plus an optional user CSV of extra aliases and teams.

        The user file has columns ``alias,team_id`` and optionally ``name,country,note``. A row whose
        ``team_id`` is registered adds an alias to that club; a row with a new ``team_id`` must also give
        ``name`` and ``country`` and registers a new club. Any problem (missing column, malformed id or
        country, an alias that already means another club of the same country) raises
        :class:`~matchday.data.errors.DataError` naming the file, line and column.
        """
        registry = cls()
        teams_text, teams_name = _package_text(_TEAMS_FILE)
        aliases_text, aliases_name = _package_text(_ALIASES_FILE)
        border_text, border_name = _package_text(_CROSS_BORDER_FILE)
        registry._read_teams(teams_text, teams_name)
        registry._read_cross_border(border_text, border_name)
        registry._read_aliases(aliases_text, aliases_name, allow_new_teams=False)
        if extra_aliases is not None:
            path = Path(extra_aliases)
            try:
                text = path.read_text(encoding="utf-8-sig")
            except FileNotFoundError:
                raise DataError("alias file not found", file=str(path)) from None
            except OSError as exc:
                raise DataError(f"cannot read alias file: {exc.strerror or exc}", file=str(path)) from None
            except UnicodeDecodeError as exc:
                raise DataError(
                    f"alias file is not UTF-8 text (byte {exc.start})", file=str(path), expected="UTF-8 CSV"
                ) from None
            registry._read_aliases(text, str(path), allow_new_teams=True)
        return registry

    def _read_teams(self, text: str, file: str) -> None:
        for line, row in _rows(text, file, required=("team_id", "name", "country"), optional=()):
            team_id = _check_id(row["team_id"], file, line)
            name = _check_text(row["name"], "name", file, line)
            country = _check_country(row["country"], file, line)
            if team_id in self.teams:
                raise DataError(
                    "duplicate team_id",
                    file=file,
                    line=line,
                    column="team_id",
                    value=team_id,
                    expected="each team_id once",
                )
            self._add_team(Team(team_id, name, country), file, line)

    def _read_cross_border(self, text: str, file: str) -> None:
        for line, row in _rows(text, file, required=("team_id", "country", "note"), optional=()):
            team_id = _check_id(row["team_id"], file, line)
            country = _check_country(row["country"], file, line)
            team = self.teams.get(team_id)
            if team is None:
                raise DataError("cross-border entry for an unknown team_id", file=file, line=line,
                                column="team_id", value=team_id, expected=f"a team_id of {_TEAMS_FILE}")
            if country in self._countries[team_id]:
                raise DataError(f"team {team_id!r} already has country {country}", file=file, line=line,
                                column="country", value=country, expected="another country than the club's own")
            note = _check_text(row["note"], "note", file, line)
            # The club's spellings must not collide with another club's in the added country.
            for key, entries in self._index.items():
                mine = [e for e in entries if e.team_id == team_id]
                others = [e for e in entries if e.team_id != team_id and country in self._countries[e.team_id]]
                if mine and others:
                    raise DataError(
                        f"cross-border country {country} makes {mine[0].alias!r} collide with "
                        f"{others[0].alias!r} ({others[0].team_id}): both read {key!r}",
                        file=file, line=line, column="country", value=country,
                        expected="one team per spelling within a country")
            self._countries[team_id] = self._countries[team_id] | {country}
            self.cross_border[(team_id, country)] = note

    def countries(self, team_id: str) -> frozenset[str]:
        """Every country code that names this club: its own and the documented cross-border ones."""
        self._team(team_id)
        return self._countries[team_id]

    def _read_aliases(self, text: str, file: str, *, allow_new_teams: bool) -> None:
        optional = ("name", "country", "note") if allow_new_teams else ("note",)
        for line, row in _rows(text, file, required=("alias", "team_id"), optional=optional):
            alias = _check_text(row["alias"], "alias", file, line)
            team_id = _check_id(row["team_id"], file, line)
            name = (row.get("name") or "").strip()
            country = (row.get("country") or "").strip()
            team = self.teams.get(team_id)
            if team is None:
                if not allow_new_teams:
                    raise DataError(
                        "alias points to an unknown team_id",
                        file=file,
                        line=line,
                        column="team_id",
                        value=team_id,
                        expected=f"a team_id of {_TEAMS_FILE}",
                    )
                if not name or not country:
                    missing = "name" if not name else "country"
                    raise DataError(
                        f"new team {team_id!r} needs a name and a country",
                        file=file,
                        line=line,
                        column=missing,
                        expected="name and 3-letter country for a team_id not yet registered",
                    )
                team = Team(team_id, name, _check_country(country, file, line))
                self._add_team(team, file, line)
            else:
                if country and country != team.country:
                    raise DataError(
                        f"team {team_id!r} is registered with country {team.country}",
                        file=file,
                        line=line,
                        column="country",
                        value=country,
                        expected=f"{team.country} or empty",
                    )
                if name and name != team.name:
                    raise DataError(
                        f"team {team_id!r} is registered with name {team.name!r}",
                        file=file,
                        line=line,
                        column="name",
                        value=name,
                        expected=f"{team.name!r} or empty",
                    )
            _, suffix = split_country(alias)
            if suffix is not None and suffix not in self._countries[team.team_id]:
                raise DataError(
                    f"alias carries country {suffix} but team {team_id!r} is {team.country}",
                    file=file,
                    line=line,
                    column="alias",
                    value=alias,
                    expected=f"no suffix or ({team.country})",
                )
            self._add_alias(team, alias, file, line)

    def _add_team(self, team: Team, file: str, line: int | None) -> None:
        self.teams[team.team_id] = team
        self._aliases[team.team_id] = []
        self._countries[team.team_id] = frozenset({team.country})
        self._add_key(team, team.name, file, line, column="name")
        self._add_key(team, team.team_id, file, line, column="team_id")

    def _add_alias(self, team: Team, alias: str, file: str, line: int | None) -> None:
        self._add_key(team, alias, file, line, column="alias")
        alias = split_country(alias)[0]
        known = self._aliases[team.team_id]
        if alias != team.name and alias not in known:
            known.append(alias)

    def _add_key(self, team: Team, text: str, file: str, line: int | None, *, column: str) -> None:
        exact = _exact_key(text)
        key = _key_of_folded(exact)
        if not key:
            raise DataError(
                "name has no letters or digits",
                file=file,
                line=line,
                column=column,
                value=text,
                expected="a team name",
            )
        entries = self._index.setdefault(key, [])
        mine = self._countries[team.team_id]
        for entry in entries:
            if not mine & self._countries[entry.team_id]:
                continue
            if entry.team_id != team.team_id:
                where = entry.file + (f" line {entry.line}" if entry.line is not None else "")
                raise DataError(
                    f"alias collision: {text!r} and {entry.alias!r} ({where}) both read {key!r} in "
                    f"{team.country} but name different teams ({team.team_id} vs {entry.team_id})",
                    file=file,
                    line=line,
                    column=column,
                    value=text,
                    expected="one team per spelling within a country",
                )
            if entry.exact == exact:
                return  # same spelling of the same team declared twice (e.g. the name as an alias row)
        entry = _Entry(team.team_id, team.country, text, exact, file, line)
        entries.append(entry)
        legal = _legal_form_key(key)
        if legal:
            self._legal_index.setdefault(legal, []).append(entry)
            self._translit_index.setdefault(_translit_key(legal), []).append(entry)

    # ------------------------------------------------------------------ lookups
    def resolve(self, name: str, country: str | None = None) -> str | None:
        """Canonical team id of a source's team name, or ``None`` when the name is not registered.

        ``country`` (3-letter code) or a ``(XXX)`` suffix in ``name`` restricts the match to clubs of
        that country (or documented cross-border clubs with that code); if both are given and differ the
        result is ``None``. Without any country, a name that two clubs of different countries share
        resolves only if exactly one of them is spelled exactly so (case and spaces aside), otherwise
        ``None``. When no spelling has the name's key, the legal-form and transliteration fallbacks of the
        module docstring are tried; an ambiguous name gives ``None`` (see :meth:`match`).
        """
        return self.match(name, country).team_id

    def match(self, name: str, country: str | None = None) -> TeamMatch:
        """Like :meth:`resolve`, with how the name matched and, if ambiguous, the candidate team ids."""
        base, suffix = split_country(name)
        wanted = country.strip().upper() if country else None
        if suffix is not None and wanted is not None and suffix != wanted:
            return TeamMatch(None, "unknown")
        wanted = wanted or suffix
        key = normalize_name(base)
        entries = self._within(self._index.get(key, ()), wanted)
        ids = {e.team_id for e in entries}
        if len(ids) == 1:
            return TeamMatch(ids.pop(), "exact")
        if len(ids) > 1:  # same spelling in several countries, no country given
            exact = _exact_key(base)
            chosen = {e.team_id for e in entries if e.exact == exact}
            if len(chosen) == 1:
                return TeamMatch(chosen.pop(), "exact")
            return TeamMatch(None, "ambiguous", tuple(sorted(ids)))
        legal = _legal_form_key(key)
        if not legal:
            return TeamMatch(None, "unknown")
        for how, index, fallback_key in (("legal-form", self._legal_index, legal),
                                         ("transliteration", self._translit_index, _translit_key(legal))):
            ids = {e.team_id for e in self._within(index.get(fallback_key, ()), wanted)}
            if len(ids) == 1:
                return TeamMatch(ids.pop(), how)
            if len(ids) > 1:
                return TeamMatch(None, "ambiguous", tuple(sorted(ids)))
        return TeamMatch(None, "unknown")

    def _within(self, entries: Iterable[_Entry], country: str | None) -> list[_Entry]:
        if country is None:
            return list(entries)
        return [e for e in entries if country in self._countries[e.team_id]]

    def require(self, name: str, country: str | None = None) -> str:
        """Like :meth:`resolve` but raises :class:`UnknownChoiceError` listing the closest known names."""
        found = self.match(name, country)
        if found.team_id is None:
            if found.how == "ambiguous":
                names = [f"{self.teams[t].name} ({self.teams[t].country})" for t in found.candidates]
                raise UnknownChoiceError(f"team (ambiguous: {len(names)} clubs match)", name, names)
            raise UnknownChoiceError("team", name, self.closest(name, country=country), closest=True)
        return found.team_id

    def name(self, team_id: str) -> str:
        """Display name of a registered team id."""
        return self._team(team_id).name

    def aliases_of(self, team_id: str) -> list[str]:
        """Every registered spelling of a team except its display name, sorted."""
        self._team(team_id)
        return sorted(self._aliases[team_id], key=lambda a: (_fold(a), a))

    def closest(self, name: str, n: int = 5, *, country: str | None = None) -> list[str]:
        """Display names of the ``n`` registered teams whose spellings are nearest to ``name``.

        Compares normalised keys of names and aliases (difflib ratio, cutoff 0.6). A country (argument
        or ``(XXX)`` suffix) restricts the candidates. Names shared by clubs of several countries get
        their country appended: ``"Rangers (SCO)"``.
        """
        import difflib

        base, suffix = split_country(name)
        wanted = (country.strip().upper() if country else None) or suffix
        key = normalize_name(base)
        if not key or n <= 0:
            return []
        keys = [
            k
            for k, entries in self._index.items()
            if wanted is None or any(wanted in self._countries[e.team_id] for e in entries)
        ]
        ranked = difflib.get_close_matches(key, keys, n=max(4 * n, 20), cutoff=0.6)
        out: list[str] = []
        seen: set[str] = set()
        for match in ranked:
            for entry in self._index[match]:
                if entry.team_id in seen or (wanted is not None and wanted not in self._countries[entry.team_id]):
                    continue
                seen.add(entry.team_id)
                out.append(self._display(entry.team_id))
                if len(out) == n:
                    return out
        return out

    def search(self, text: str) -> list[Team]:
        """Teams whose name, id or an alias contains ``text`` (normalised), best matches first.

        Ranking: exact spelling, then prefix, then word start, then anywhere; if nothing contains the
        text, near spellings (difflib) follow. A ``(XXX)`` suffix restricts the search to that country.
        An empty text lists every team by name.
        """
        base, wanted = split_country(text)
        key = normalize_name(base)
        teams = [t for t in self.teams.values() if wanted is None or wanted in self._countries[t.team_id]]
        if not key:
            return sorted(teams, key=lambda t: (_fold(t.name), t.team_id))
        allowed = {t.team_id for t in teams}
        best: dict[str, int] = {}
        for candidate, entries in self._index.items():
            if candidate == key:
                rank = 0
            elif candidate.startswith(key):
                rank = 1
            elif f" {key}" in f" {candidate}":
                rank = 2
            elif key in candidate:
                rank = 3
            else:
                continue
            for entry in entries:
                if entry.team_id in allowed and rank < best.get(entry.team_id, 99):
                    best[entry.team_id] = rank
        if not best:
            import difflib

            for candidate in difflib.get_close_matches(key, list(self._index), n=20, cutoff=0.75):
                for entry in self._index[candidate]:
                    if entry.team_id in allowed:
                        best.setdefault(entry.team_id, 4)
        return sorted(
            (self.teams[t] for t in best),
            key=lambda t: (best[t.team_id], _fold(t.name), t.team_id),
        )

    def provisional_id(self, name: str, country: str | None) -> str:
        """Deterministic id for a club that is NOT in the table: ``unregistered:<country>:<slug>``.

        ``country`` (or else the name's ``(XXX)`` suffix) is lowercased; ``unknown`` when neither is
        given. The prefix keeps such ids apart from every registered id; importers store these clubs
        separately and list them as unknown names rather than merging them with a registered club.
        """
        base, suffix = split_country(name)
        code = (country.strip() if country else None) or suffix or "unknown"
        slug = _slug(base)
        if not slug:
            raise ValueError(f"team name {name!r} has no letters or digits")
        return f"{PROVISIONAL_PREFIX}{code.lower()}:{slug}"

    # ------------------------------------------------------------------ helpers
    def __contains__(self, team_id: object) -> bool:
        return team_id in self.teams

    def __len__(self) -> int:
        return len(self.teams)

    def __iter__(self) -> Iterator[Team]:
        return iter(self.teams.values())

    def _team(self, team_id: str) -> Team:
        team = self.teams.get(team_id)
        if team is None:
            import difflib

            near = difflib.get_close_matches(team_id, list(self.teams), n=5, cutoff=0.6)
            raise UnknownChoiceError("team id", team_id, near, closest=True)
        return team

    def _display(self, team_id: str) -> str:
        team = self.teams[team_id]
        key = normalize_name(team.name)
        shared = {e.team_id for e in self._index.get(key, ()) if e.team_id != team_id}
        return f"{team.name} ({team.country})" if shared else team.name


# ---------------------------------------------------------------------- file reading
def _package_text(filename: str) -> tuple[str, str]:
    from importlib.resources import files

    resource = files("matchday.data").joinpath(filename)
    return resource.read_text(encoding="utf-8-sig"), f"matchday/data/{filename}"


def _rows(
    text: str, file: str, *, required: tuple[str, ...], optional: tuple[str, ...]
) -> Iterable[tuple[int, dict[str, str]]]:
    """Data rows with their 1-based line numbers; checks the header and the number of fields."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise DataError("file is empty", file=file, line=1, expected=f"header {','.join(required)}") from None
    except csv.Error as exc:
        raise DataError(f"malformed CSV: {exc}", file=file, line=1) from None
    header = [h.strip() for h in header]
    allowed = (*required, *optional)
    expected = ",".join(required) + (f"[,{','.join(optional)}]" if optional else "")
    for column in header:
        if column not in allowed:
            raise DataError(
                "unexpected column",
                file=file,
                line=1,
                column=column,
                value=column,
                expected=f"columns {expected}",
            )
    for column in required:
        if column not in header:
            raise DataError(
                f"missing column {column!r}", file=file, line=1, column=column, expected=f"columns {expected}"
            )
    if len(set(header)) != len(header):
        raise DataError(
            "duplicate column in header",
            file=file,
            line=1,
            value=",".join(header),
            expected=f"columns {expected}",
        )
    for line, fields in numbered_records(reader, file):
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            raise DataError(
                f"row has {len(fields)} fields",
                file=file,
                line=line,
                value=",".join(fields),
                expected=f"{len(header)} fields ({','.join(header)})",
            )
        yield line, dict(zip(header, fields, strict=True))


def _check_id(value: str, file: str, line: int) -> str:
    team_id = value.strip()
    if not _ID_RE.match(team_id):
        raise DataError(
            "malformed team_id",
            file=file,
            line=line,
            column="team_id",
            value=value,
            expected="lowercase ASCII slug such as 'manchester-city'",
        )
    return team_id


def _check_country(value: str, file: str, line: int) -> str:
    country = value.strip()
    if not _COUNTRY_RE.match(country):
        raise DataError(
            "malformed country code",
            file=file,
            line=line,
            column="country",
            value=value,
            expected="3 capital letters such as ENG, ESP, GER",
        )
    return country


def _check_text(value: str, column: str, file: str, line: int) -> str:
    text = value.strip()
    if not text:
        raise DataError(
            f"empty {column}",
            file=file,
            line=line,
            column=column,
            value=value,
            expected=f"a non-empty {column}",
        )
    return text
