"""The competitions matchday knows: football-data league codes plus the UEFA club competitions."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from matchday.data.errors import UnknownChoiceError


@dataclass(frozen=True, slots=True)
class Competition:
    code: str  # matchday code (football-data's division code for leagues)
    name: str
    country: str  # 3-letter code of the league's country; "EUR" for UEFA competitions
    kind: str  # "league" or "cup"
    tier: int  # 1 = top flight; UEFA competitions rank 1 (UCL), 2 (UEL), 3 (UECL)
    openfootball: str | None = None  # football.json file stem (en.1, uefa.cl, ...)
    football_txt: str | None = None  # Football.TXT file stem in openfootball/champions-league
    aliases: tuple[str, ...] = ()
    #: Most times one home/away pairing can occur in one league season, in any season's format: 1 for a
    #: double round robin; more where a split or a play-off stage repeats pairings (the season rules in
    #: :mod:`matchday.rules` say which season does). The store accepts that many, on different dates.
    pairing_repeats: int = 1


COMPETITIONS: dict[str, Competition] = {
    c.code: c
    for c in (
        Competition("E0", "Premier League", "ENG", "league", 1, "en.1", None,
                    ("EPL", "Premier League", "English Premier League", "eng.1", "en.1")),
        Competition("E1", "Championship", "ENG", "league", 2, "en.2", None,
                    ("EFL Championship", "Championship", "eng.2", "en.2")),
        Competition("SP1", "La Liga", "ESP", "league", 1, "es.1", None,
                    ("LaLiga", "La Liga", "Primera Division", "LaLiga EA Sports", "es.1", "S1")),
        Competition("I1", "Serie A", "ITA", "league", 1, "it.1", None, ("Serie A", "it.1")),
        Competition("D1", "Bundesliga", "GER", "league", 1, "de.1", None,
                    ("Bundesliga", "1. Bundesliga", "de.1")),
        Competition("F1", "Ligue 1", "FRA", "league", 1, "fr.1", None, ("Ligue 1", "fr.1")),
        # The other first divisions whose clubs play most of the remaining European matches.
        Competition("N1", "Eredivisie", "NED", "league", 1, "nl.1", None,
                    ("Eredivisie", "Dutch Eredivisie", "nl.1", "ned.1")),
        Competition("P1", "Primeira Liga", "POR", "league", 1, "pt.1", None,
                    ("Primeira Liga", "Liga Portugal", "Liga Portugal Betclic", "Liga NOS", "pt.1", "por.1")),
        Competition("B1", "Belgian Pro League", "BEL", "league", 1, "be.1", None,
                    ("Pro League", "Jupiler Pro League", "Jupiler League", "First Division A",
                     "Belgian First Division A", "be.1", "bel.1"), pairing_repeats=2),
        Competition("T1", "Süper Lig", "TUR", "league", 1, "tr.1", None,
                    ("Super Lig", "Süper Lig", "Turkish Super Lig", "tr.1", "tur.1")),
        Competition("G1", "Super League Greece", "GRE", "league", 1, "gr.1", None,
                    ("Greek Super League", "Super League Greece", "Super League 1", "gr.1", "gre.1"),
                    pairing_repeats=2),
        Competition("SC0", "Scottish Premiership", "SCO", "league", 1, "sco.1", None,
                    ("Scottish Premiership", "Premiership", "SPFL Premiership", "Scottish Premier League",
                     "SPL", "sco.1"), pairing_repeats=3),
        # Second divisions: promoted clubs bring their form with them.
        Competition("D2", "2. Bundesliga", "GER", "league", 2, "de.2", None,
                    ("2. Bundesliga", "Bundesliga 2", "2 Bundesliga", "de.2")),
        Competition("I2", "Serie B", "ITA", "league", 2, "it.2", None, ("Serie B", "it.2")),
        Competition("SP2", "Segunda División", "ESP", "league", 2, "es.2", None,
                    ("Segunda Division", "LaLiga 2", "La Liga 2", "LaLiga Hypermotion", "LaLiga SmartBank",
                     "es.2", "S2")),
        Competition("F2", "Ligue 2", "FRA", "league", 2, "fr.2", None, ("Ligue 2", "fr.2")),
        Competition("UCL", "UEFA Champions League", "EUR", "cup", 1, "uefa.cl", "cl",
                    ("Champions League", "CL", "European Cup", "uefa.cl")),
        Competition("UEL", "UEFA Europa League", "EUR", "cup", 2, "uefa.el", "el",
                    ("Europa League", "EL", "UEFA Cup", "uefa.el")),
        Competition("UECL", "UEFA Europa Conference League", "EUR", "cup", 3, "uefa.conf", "conf",
                    ("Conference League", "ECL", "UECL", "uefa.conf")),
    )
}

LEAGUE_CODES: tuple[str, ...] = tuple(c.code for c in COMPETITIONS.values() if c.kind == "league")
UEFA_CODES: tuple[str, ...] = tuple(c.code for c in COMPETITIONS.values() if c.kind == "cup")


def _key(text: str) -> str:
    """Lookup key of a code or name: accents folded, case and punctuation ignored ("Süper Lig" -> superlig)."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]", "", folded.lower())


_LOOKUP: dict[str, str] = {}
for _comp in COMPETITIONS.values():
    for _label in (_comp.code, _comp.name, *_comp.aliases):
        _LOOKUP.setdefault(_key(_label), _comp.code)


def resolve_competition(text: str) -> Competition:
    """Competition from a code or readable name ("E0", "epl", "Premier League", "Europa League")."""
    code = _LOOKUP.get(_key(text))
    if code is None:
        choices = [f"{c.code} ({c.name})" for c in COMPETITIONS.values()]
        raise UnknownChoiceError("competition", text, choices)
    return COMPETITIONS[code]


def league_country(code: str) -> str | None:
    """Country of a league named by any of its codes (``E0``, ``eng.1``, ``en.1``); None for UEFA
    competitions and unknown codes (their club names carry a "(XXX)" country suffix instead)."""
    code_key = _LOOKUP.get(_key(code))
    country = COMPETITIONS[code_key].country if code_key else None
    return None if country == "EUR" else country
