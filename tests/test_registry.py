"""Team-name registry: every name in the real data resolves, the same club gets one id across sources,
different clubs never share one, and a user alias file is validated."""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from matchday.data.competitions import COMPETITIONS, league_country
from matchday.data.errors import DataError, UnknownChoiceError
from matchday.data.registry import (
    TeamRegistry,
    is_provisional,
    normalize_name,
    split_country,
)
from matchday.data.sources.footballdata import FOOTBALLDATA_DIVISIONS, read_footballdata
from matchday.data.sources.footballtxt import read_football_txt

BIG5 = ("ENG", "ESP", "ITA", "GER", "FRA")
DATA_DIR = Path(__file__).resolve().parents[1] / "src" / "matchday" / "data"


@pytest.fixture(scope="module")
def registry() -> TeamRegistry:
    return TeamRegistry.load()


# --------------------------------------------------------------------------- raw-name readers
def football_data_names(root: Path) -> dict[tuple[str, str], set[str]]:
    """(season code, division) -> team names of that football-data file (read by the reader itself, so the
    names are decoded the way an import decodes them: I2 and SC0 2018-19 are not valid UTF-8)."""
    out: dict[tuple[str, str], set[str]] = {}
    for path in sorted(root.glob("football-data/mmz4281/*/*.csv")):
        out[(path.parent.name, path.stem)] = {n for m in read_footballdata(path) for n in (m.home, m.away)}
    return out


def clubs_per_file(code: str, division: str) -> int:
    """Clubs in one football-data file, from shared/data/README.md section 1 ("What the counts mean")."""
    year = 2000 + int(code[:2])
    fixed = {"E0": 20, "E1": 24, "SP1": 20, "I1": 20, "D1": 18, "N1": 18, "SC0": 12, "D2": 18, "SP2": 22}
    if division in fixed:
        return fixed[division]
    if division == "F1":
        return 18 if year >= 2023 else 20
    if division == "F2":
        return 18 if year >= 2024 else 20
    if division == "P1":
        return 16 if year <= 2013 else 18
    if division == "B1":
        return 18 if 2020 <= year <= 2022 else 16
    if division == "T1":
        return {2020: 21, 2021: 20, 2022: 19, 2023: 20, 2024: 19}.get(year, 18)
    if division == "G1":
        return 18 if year in (2013, 2014) else 14 if year >= 2019 else 16
    if division == "I2":
        return 22 if year <= 2017 else 19 if year == 2018 else 20
    raise AssertionError(division)


def footballcsv_names(root: Path) -> dict[tuple[str, str], set[str]]:
    out: dict[tuple[str, str], set[str]] = {}
    for path in sorted(root.glob("footballcsv/*/*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            out[(path.parent.name, path.stem)] = {
                name for row in csv.DictReader(handle) for name in (row["Team 1"], row["Team 2"])
            }
    return out


def football_txt_names(root: Path) -> dict[str, set[str]]:
    """Football.TXT file -> club names with their "(XXX)" suffix, from the match lines."""
    out: dict[str, set[str]] = {}
    for path in sorted(root.glob("openfootball/champions-league/*/*.txt")):
        out[str(path.relative_to(root))] = {
            f"{name} ({country})"
            for m in read_football_txt(path)
            for name, country in ((m.home, m.home_country), (m.away, m.away_country))
        }
    return out


def champs_rows(root: Path) -> list[dict[str, str]]:
    with (root / "engsoccerdata" / "champs.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --------------------------------------------------------------------------- crosswalk
def test_crosswalk_pairs_resolve_to_the_same_id(shared_data: Path, registry: TeamRegistry) -> None:
    path = shared_data / "crosswalk" / "team_names_footballdata_openfootball.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 114
    ids_per_division: dict[str, dict[str, str]] = defaultdict(dict)
    for row in rows:
        country = COMPETITIONS[row["fd_div"]].country
        fd_id = registry.resolve(row["footballdata_name"], country)
        of_id = registry.resolve(row["openfootball_name"], country)
        assert fd_id is not None, row
        assert fd_id == of_id, row
        ids_per_division[row["fd_div"]][row["footballdata_name"]] = fd_id
    for division, mapping in ids_per_division.items():
        assert len(set(mapping.values())) == len(mapping), f"two {division} names share an id: {mapping}"


# --------------------------------------------------------------------------- football-data / footballcsv
def test_every_football_data_name_resolves_and_stays_distinct(
    shared_data: Path, registry: TeamRegistry
) -> None:
    files = football_data_names(shared_data)
    assert len(files) == 208  # 13 seasons x 16 divisions (README section 1)
    assert {division for _, division in files} == set(FOOTBALLDATA_DIVISIONS)
    for (season, division), names in files.items():
        country = COMPETITIONS[division].country
        ids = {name: registry.resolve(name, country) for name in names}
        unknown = sorted(name for name, team_id in ids.items() if team_id is None)
        assert not unknown, f"{season}/{division}: unregistered {unknown}"
        assert len(set(ids.values())) == len(names), f"{season}/{division}: names collapse: {ids}"
        # The README's club count per division and season: a merge (or a split) would show up here too.
        assert len(names) == clubs_per_file(season, division), (season, division, len(names))
        # Every football-data name is registered by an exact spelling, never by a fallback.
        assert all(registry.match(name, country).how == "exact" for name in names), (season, division)


def test_every_footballcsv_name_resolves_and_stays_distinct(
    shared_data: Path, registry: TeamRegistry
) -> None:
    files = footballcsv_names(shared_data)
    assert len(files) == 186
    for (season, code), names in files.items():
        country = league_country(code)
        ids = {name: registry.resolve(name, country) for name in names}
        unknown = sorted(name for name, team_id in ids.items() if team_id is None)
        assert not unknown, f"{season}/{code}: unregistered {unknown}"
        assert len(set(ids.values())) == len(names), f"{season}/{code}: names collapse"


def test_football_data_ids_are_stable_across_seasons(shared_data: Path, registry: TeamRegistry) -> None:
    """A football-data spelling means one club in every season (so ratings carry over)."""
    seen: dict[str, set[str | None]] = defaultdict(set)
    for (_, division), names in football_data_names(shared_data).items():
        for name in names:
            seen[name].add(registry.resolve(name, COMPETITIONS[division].country))
    assert all(len(ids) == 1 for ids in seen.values())
    assert registry.resolve("Nott'm Forest", "ENG") == "nottingham-forest"
    assert registry.resolve("Wolves", "ENG") == "wolverhampton-wanderers"
    assert registry.resolve("M'gladbach", "GER") == "borussia-monchengladbach"
    assert registry.resolve("Ath Bilbao", "ESP") == "athletic-bilbao"
    assert registry.resolve("Ath Madrid", "ESP") == "atletico-madrid"
    assert registry.resolve("Paris SG", "FRA") == "paris-saint-germain"


# --------------------------------------------------------------------------- openfootball JSON
def test_every_openfootball_json_name_resolves(shared_data: Path, registry: TeamRegistry) -> None:
    paths = sorted(shared_data.glob("openfootball/football.json/*/*.json"))
    assert len(paths) == 16  # README section 2: 16 files
    for path in paths:
        matches = json.loads(path.read_text(encoding="utf-8"))["matches"]
        names = {m[k] for m in matches for k in ("team1", "team2")}
        country = league_country(path.stem)  # None for uefa.cl (names carry "(XXX)")
        ids = {name: registry.resolve(name, country) for name in names}
        unknown = sorted(name for name, team_id in ids.items() if team_id is None)
        assert not unknown, f"{path.name}: unregistered {unknown}"
        assert len(set(ids.values())) == len(names), f"{path}: names collapse"
    assert registry.resolve("Manchester City") == registry.resolve("Manchester City FC") == "manchester-city"
    assert registry.resolve("Club Atlético de Madrid", "ESP") == "atletico-madrid"
    assert registry.resolve("FC Internazionale Milano", "ITA") == "inter"
    assert registry.resolve("Inter (ITA)") == "inter"
    assert registry.resolve("Bayern München (GER)") == "bayern-munich"


# --------------------------------------------------------------------------- Football.TXT
def test_football_txt_clubs_resolve_and_big5_match_football_data(
    shared_data: Path, registry: TeamRegistry
) -> None:
    files = football_txt_names(shared_data)
    assert len(files) == 26  # README section 3: 8 + 1 + 2 + 3 + 3 + 3 + 6 files
    domestic: dict[str, set[str]] = defaultdict(set)
    for (_, division), names in football_data_names(shared_data).items():
        country = COMPETITIONS[division].country
        domestic[country].update(registry.require(name, country) for name in names)
    big5_checked = 0
    for file, names in files.items():
        ids = {name: registry.resolve(name) for name in names}
        unknown = sorted(name for name, team_id in ids.items() if team_id is None)
        assert not unknown, f"{file}: unregistered {unknown}"
        assert len(set(ids.values())) == len(names), f"{file}: two names share an id"
        for name, team_id in ids.items():
            country = split_country(name)[1]
            # The club's country, or a documented cross-border code (AS Monaco FC (MCO) plays in Ligue 1).
            assert country in registry.countries(team_id), name
            if country in BIG5:
                # Every big-five club of these European seasons also played its top flight in 2012-24.
                assert team_id in domestic[country], f"{file}: {name} -> {team_id} is no football-data club"
                big5_checked += 1
    assert big5_checked > 150  # 171 (file, club) pairs
    assert registry.resolve("Liverpool FC (ENG)") == registry.resolve("Liverpool", "ENG") == "liverpool"
    assert registry.resolve("Atalanta (ITA)") == registry.resolve("Atalanta", "ITA") == "atalanta"
    assert registry.resolve("FC Bayern München (GER)") == registry.resolve("Bayern Munich", "GER")
    assert registry.resolve("Bor. Mönchengladbach (GER)") == registry.resolve("M'gladbach", "GER")
    assert registry.resolve("Lazio Roma (ITA)") == registry.resolve("Lazio", "ITA")
    assert registry.resolve("Olympique Marseille (FRA)") == registry.resolve("Marseille", "FRA")


# --------------------------------------------------------------------------- engsoccerdata
def test_engsoccerdata_clubs_resolve(shared_data: Path, registry: TeamRegistry) -> None:
    rows = champs_rows(shared_data)
    assert len(rows) == 6556
    per_season: dict[str, dict[str, str | None]] = defaultdict(dict)
    for row in rows:
        for name_col, country_col in (("home", "hcountry"), ("visitor", "vcountry")):
            name, country = row[name_col], row[country_col]
            per_season[row["Season"]][name] = registry.resolve(name, country)
    unknown = sorted({n for ids in per_season.values() for n, i in ids.items() if i is None})
    assert not unknown, unknown  # every club is registered, not only the big five
    for season, ids in per_season.items():
        assert len(set(ids.values())) == len(ids), f"season {season}: two names share an id"
    # Historic clubs that also play in the Football.TXT seasons get the same id there.
    pairs = [
        (("Celtic", "SCO"), "Celtic FC (SCO)"),
        (("SL Benfica", "POR"), "Sport Lisboa e Benfica (POR)"),
        (("AFC Ajax", "NED"), "AFC Ajax (NED)"),
        (("Dinamo Kiev", "UKR"), "Dinamo Kiev (UKR)"),
        (("Crvena Zvezda", "SRB"), "FK Crvena Zvezda (SRB)"),
        (("Olympiacos", "GRE"), "Olympiakos Piraeus (GRE)"),
        (("Kobenhavn", "DEN"), "FC København (DEN)"),
        (("Salzburg", "AUT"), "FC Red Bull Salzburg (AUT)"),
        (("Internazionale", "ITA"), "FC Internazionale Milano (ITA)"),
        (("Atletico Madrid", "ESP"), "Club Atlético de Madrid (ESP)"),
        (("Athletic Bilbao", "ESP"), "Ath Bilbao (ESP)"),
        (("Olympique Lyon", "FRA"), "Olympique Lyonnais (FRA)"),
        (("Koln", "GER"), "1. FC Köln (GER)"),
    ]
    for (name, country), other in pairs:
        assert registry.resolve(name, country) == registry.resolve(other) is not None, (name, other)


# --------------------------------------------------------------------------- traps
TRAPS = [
    [("Sporting CP", "POR"), ("Sporting Braga", "POR"), ("Sp Gijon", "ESP")],
    [("Dinamo Kiev", "UKR"), ("Dinamo Zagreb", "CRO"), ("Dinamo Moskva", "RUS"), ("Dinamo Bucuresti", "ROU")],
    [("Olympiakos Piraeus", "GRE"), ("Olympique Lyonnais", "FRA"), ("Olympique Marseille", "FRA")],
    [("Racing Club de Lens", "FRA"), ("Santander", "ESP"), ("RC Strasbourg", "FRA")],
    [
        ("Real Madrid", "ESP"),
        ("Sociedad", "ESP"),
        ("Betis", "ESP"),
        ("Valladolid", "ESP"),
        ("Zaragoza", "ESP"),
    ],
    [("Inter", "ITA"), ("Inter Turku", "FIN"), ("Inter Baku PIK", "AZE"), ("FK Inter Bratislava", "SVK")],
    [("Inter", "ITA"), ("Milan", "ITA"), ("Verona", "ITA"), ("Chievo", "ITA")],
    [("Ath Bilbao", "ESP"), ("Ath Madrid", "ESP"), ("Real Madrid", "ESP")],
    [("Celta", "ESP"), ("Celtic", "SCO"), ("Cork Celtic", "IRL")],
    [("Rangers", "SCO"), ("QPR", "ENG"), ("Ranger's", "AND")],
    [("Leipzig", "GER"), ("RB Leipzig", "GER")],
    [("Ajaccio", "FRA"), ("Ajaccio GFCO", "FRA")],
    [("Paris SG", "FRA"), ("Paris FC", "FRA")],
    [("Man City", "ENG"), ("Man United", "ENG")],
    [("Sheffield United", "ENG"), ("Sheffield Weds", "ENG")],
    [("Wimbledon", "ENG"), ("Milton Keynes Dons", "ENG")],
    [("Munich 1860", "GER"), ("Bayern Munich", "GER")],
    [("Hamburg", "GER"), ("St Pauli", "GER")],
    [("Spartak Moskva", "RUS"), ("Spartak Trnava", "SVK")],
    [("CSKA Moskva", "RUS"), ("CSKA Sofia", "BUL")],
    [("Malmo FF", "SWE"), ("IFK Malmo", "SWE")],
    [("FC Zurich", "SUI"), ("Grasshoppers Zurich", "SUI")],
    [("Kobenhavn", "DEN"), ("KB Kobenhavn", "DEN")],
    [("SK Dnipro-1", "UKR"), ("Dnepr Dnepropetrovsk", "UKR")],
    [("Bohemians", "IRL"), ("Bohemians EKD Praha", "CZE")],
    [("Hibernian FC", "SCO"), ("Hibernians", "MLT")],
    [("Astana", "KAZ"), ("Astana-64", "KAZ")],
    [("Lokomotiv Moskva", "RUS"), ("Lokomotiv Sofia", "BUL"), ("Lokomotiv Plovdiv", "BUL")],
    [("FC Karl-Marx-Stadt", "GER"), ("SC Wismut Karl-Marx-Stadt", "GER")],
]


@pytest.mark.parametrize("group", TRAPS, ids=lambda g: " / ".join(n for n, _ in g))
def test_similar_names_stay_apart(registry: TeamRegistry, group: list[tuple[str, str]]) -> None:
    ids = [registry.resolve(name, country) for name, country in group]
    assert None not in ids, dict(zip(group, ids, strict=True))
    assert len(set(ids)) == len(ids), dict(zip(group, ids, strict=True))


@pytest.mark.parametrize(
    ("name", "country"),
    [
        ("Real", "ESP"),
        ("FC", None),
        ("Sporting", "POR"),
        ("Dinamo", None),
        ("Internacional", None),
        ("Inter", "BRA"),
        ("Manchester", "ENG"),
        ("Athletic", "ESP"),
        ("Racing", None),
        ("United", "ENG"),
    ],
)
def test_club_words_alone_do_not_resolve(registry: TeamRegistry, name: str, country: str | None) -> None:
    assert registry.resolve(name, country) is None


# --------------------------------------------------------------------------- normalisation and country
def test_normalisation() -> None:
    assert normalize_name("Nott'm Forest") == normalize_name("Nott’m  forest") == "nottm forest"
    assert normalize_name("1. FC Köln") == "1 fc koln"
    assert normalize_name("Atlético Madrid (ESP)") == "atletico madrid"
    assert normalize_name("FK Bodø/Glimt") == "fk bodo glimt"
    assert normalize_name("Brighton & Hove Albion") == normalize_name("Brighton and Hove Albion")
    assert normalize_name("İstanbul Başakşehir") == "istanbul basaksehir"
    assert normalize_name("Raków Częstochowa") == "rakow czestochowa"
    assert normalize_name("Real Madrid CF") == "real madrid cf"  # club words are kept
    assert split_country("Liverpool FC (ENG)") == ("Liverpool FC", "ENG")
    assert split_country("Liverpool FC") == ("Liverpool FC", None)


def test_lookup_variants(registry: TeamRegistry) -> None:
    for name in (
        "Man City",
        "MAN CITY",
        "Manchester City",
        "Manchester City FC",
        "Manchester City FC (ENG)",
        "manchester-city",
        "  manchester   city fc ",
    ):
        assert registry.resolve(name) == "manchester-city", name
    assert registry.resolve("Nottm Forest", "ENG") == registry.resolve("Nott’m Forest") == "nottingham-forest"
    assert registry.resolve("Bayern Munchen") == registry.resolve("BAYERN MÜNCHEN") == "bayern-munich"
    assert registry.resolve("Atletico Madrid") == "atletico-madrid"


def test_country_hint_blocks_other_countries(registry: TeamRegistry) -> None:
    assert registry.resolve("Arsenal", "ENG") == "arsenal"
    assert registry.resolve("Arsenal", "UKR") is None
    assert registry.resolve("Arsenal (UKR)") is None
    assert registry.resolve("Liverpool FC (ENG)", "ENG") == "liverpool"
    assert registry.resolve("Liverpool FC (ENG)", "ITA") is None  # suffix and argument disagree
    assert registry.resolve("Celtic", "ESP") is None
    # The same spelling in two countries: a country picks one; without one the exact spelling decides.
    assert registry.resolve("Rangers") == "rangers"
    assert registry.resolve("Ranger's") == "rangers-andorra"
    assert registry.resolve("Rangers", "AND") == "rangers-andorra"


# --------------------------------------------------------------------------- API
def test_closest_require_and_unknown(registry: TeamRegistry) -> None:
    assert "Liverpool" in registry.closest("Liverpol")
    assert "Manchester City" in registry.closest("Manchestr City FC")
    assert registry.closest("Liverpol", n=1) == ["Liverpool"]
    assert registry.resolve("Liverpol") is None
    assert registry.resolve("Atlantis Rovers") is None
    with pytest.raises(UnknownChoiceError) as info:
        registry.require("Liverpol")
    assert "Liverpool" in info.value.choices and "closest known" in str(info.value)
    assert registry.require("Liverpool FC (ENG)") == "liverpool"
    # A country restricts the suggestions too.
    assert all("(" not in c for c in registry.closest("Atletico", country="ESP"))


def test_provisional_ids(registry: TeamRegistry) -> None:
    first = registry.provisional_id("Atlantis Rovers", "ENG")
    assert first == registry.provisional_id("Atlantis Rovers", "ENG") == "unregistered:eng:atlantis-rovers"
    assert registry.provisional_id("Atlantis Rovers (ENG)", None) == first
    assert registry.provisional_id("ATLANTIS  Rovers", "ENG") == first
    assert registry.provisional_id("Atlantis Rovers", "SCO") != first
    assert registry.provisional_id("Qarabağ FK", None) == "unregistered:unknown:qarabag-fk"
    assert is_provisional(first) and not is_provisional("liverpool")
    # A provisional id never equals a registered one, even for a registered name.
    assert registry.provisional_id("Liverpool", "ENG") not in registry.teams
    with pytest.raises(ValueError):
        registry.provisional_id("(ENG)", None)


def test_name_aliases_and_search(registry: TeamRegistry) -> None:
    assert registry.name("bayern-munich") == "Bayern Munich"
    assert registry.teams["atalanta"].country == "ITA"
    aliases = registry.aliases_of("manchester-city")
    assert "Man City" in aliases and "Manchester City FC" in aliases and "Manchester City" not in aliases
    with pytest.raises(UnknownChoiceError):
        registry.name("manchester-cty")
    found = [t.team_id for t in registry.search("leipzig")]
    assert {"rb-leipzig", "vfb-leipzig", "chemie-leipzig"} <= set(found)
    assert registry.search("Man City")[0].team_id == "manchester-city"
    assert {t.team_id for t in registry.search("sporting")} >= {
        "sporting-cp",
        "sporting-braga",
        "sporting-gijon",
    }
    assert [t.team_id for t in registry.search("Liverpol")] == ["liverpool"]  # fuzzy fallback
    assert all(t.country == "ITA" for t in registry.search("inter (ITA)"))
    assert len(registry.search("")) == len(registry.teams)


# --------------------------------------------------------------------------- data files
def test_data_files_are_sorted_and_consistent(registry: TeamRegistry) -> None:
    with (DATA_DIR / "teams.csv").open(encoding="utf-8", newline="") as handle:
        teams = list(csv.DictReader(handle))
    with (DATA_DIR / "team_aliases.csv").open(encoding="utf-8", newline="") as handle:
        aliases = list(csv.DictReader(handle))
    ids = [t["team_id"] for t in teams]
    assert ids == sorted(ids), "teams.csv must be sorted by team_id"
    order = [(normalize_name(a["alias"]), a["alias"].casefold(), a["team_id"]) for a in aliases]
    assert order == sorted(order), "team_aliases.csv must be sorted by normalised alias"
    pairs = [(a["alias"], a["team_id"]) for a in aliases]
    assert len(pairs) == len(set(pairs)), "one row per alias"
    assert {a["team_id"] for a in aliases} <= set(ids)
    assert len(registry.teams) == len(teams) > 600
    for team in teams:  # ids are slugs; most are the slug of the display name
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", team["team_id"])


# --------------------------------------------------------------------------- user alias file
def write(tmp_path: Path, text: str, name: str = "aliases.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_extra_aliases_add_names_and_teams(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "alias,team_id,name,country\n"
        "Citizens,manchester-city,,\n"
        "Liverpool,liverpool-montevideo,Liverpool Montevideo,URU\n"
        "Liverpool FC (URU),liverpool-montevideo,,\n",
    )
    registry = TeamRegistry.load(path)
    assert registry.resolve("Citizens", "ENG") == "manchester-city"
    assert registry.resolve("Liverpool", "URU") == "liverpool-montevideo"
    assert registry.resolve("Liverpool FC (URU)") == "liverpool-montevideo"
    assert registry.resolve("Liverpool", "ENG") == "liverpool"
    assert registry.resolve("Liverpool") is None  # two clubs spelled exactly so: needs a country
    assert registry.name("liverpool-montevideo") == "Liverpool Montevideo"
    # The packaged table is not changed by loading a user file.
    assert TeamRegistry.load().resolve("Citizens") is None


@pytest.mark.parametrize(
    ("text", "line", "column", "fragment"),
    [
        ("alias,club\nFoo,liverpool\n", 1, "club", "unexpected column"),
        ("alias\nFoo\n", 1, "team_id", "missing column"),
        ("alias,team_id\nFoo,Liverpool FC\n", 2, "team_id", "malformed team_id"),
        ("alias,team_id\nFoo,liverpool\nBar,no-such-club\n", 3, "name", "needs a name and a country"),
        ("alias,team_id,name,country\nFoo,new-club,New Club,England\n", 2, "country", "malformed country"),
        ("alias,team_id,country\nFoo,liverpool,ITA\n", 2, "country", "registered with country ENG"),
        ("alias,team_id\n ,liverpool\n", 2, "alias", "empty alias"),
        ("alias,team_id\n(ENG),liverpool\n", 2, "alias", "no letters or digits"),
        ("alias,team_id\nLiverpool FC (ITA),liverpool\n", 2, "alias", "carries country ITA"),
        ("alias,team_id\nFoo,liverpool,extra\n", 2, None, "row has 3 fields"),
        # collisions: one spelling, two clubs of one country
        ("alias,team_id\nMan. City,manchester-united\n", 2, "alias", "alias collision"),
        ("alias,team_id\nSPURS,arsenal\n", 2, "alias", "alias collision"),
        (
            "alias,team_id,name,country\nReds,liverpool,,\nReds,new-reds,Reds FC,ENG\n",
            3,
            "alias",
            "alias collision",
        ),
        ("alias,team_id,name,country\nFoo,new-city,Man City,ENG\n", 2, "name", "alias collision"),
    ],
)
def test_extra_alias_file_errors(
    tmp_path: Path, text: str, line: int, column: str | None, fragment: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(DataError) as info:
        TeamRegistry.load(path)
    error = info.value
    assert error.file == str(path)
    assert error.line == line
    assert error.column == column
    assert fragment in str(error)


def test_extra_alias_file_unreadable(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not found"):
        TeamRegistry.load(tmp_path / "missing.csv")
    with pytest.raises(DataError, match="cannot read"):
        TeamRegistry.load(tmp_path)  # a directory
    path = tmp_path / "latin1.csv"
    path.write_bytes("alias,team_id\nM\xfcnchen,bayern-munich\n".encode("latin-1"))
    with pytest.raises(DataError, match="not UTF-8"):
        TeamRegistry.load(path)
    with pytest.raises(DataError, match="empty"):
        TeamRegistry.load(write(tmp_path, "", "empty.csv"))


def test_same_alias_in_other_country_is_allowed(tmp_path: Path) -> None:
    path = write(tmp_path, "alias,team_id,name,country\nArsenal,arsenal-kyiv,Arsenal Kyiv,UKR\n")
    registry = TeamRegistry.load(path)
    assert registry.resolve("Arsenal", "UKR") == "arsenal-kyiv"
    assert registry.resolve("Arsenal", "ENG") == "arsenal"


# --------------------------------------------------------------------------- the ten new divisions and UEFA names
def test_uefa_names_of_new_league_clubs_resolve_to_the_football_data_id(registry: TeamRegistry) -> None:
    """The clubs that play most European matches outside the big five: UEFA spellings (as in openfootball
    and Football.TXT, and constructed in their styles) give the id of the football-data name."""
    pairs = {
        ("Benfica", "POR"): ["SL Benfica (POR)", "Sport Lisboa e Benfica (POR)", "Benfica Lisbon (POR)"],
        ("Porto", "POR"): ["FC Porto (POR)", "Porto FC (POR)"],
        ("Sp Lisbon", "POR"): ["Sporting CP (POR)", "Sporting Clube de Portugal (POR)"],
        ("Sp Braga", "POR"): ["SC Braga (POR)", "Sporting Clube de Braga (POR)"],
        ("Guimaraes", "POR"): ["Vitória Guimarães (POR)", "Vitória SC (POR)"],
        ("Ajax", "NED"): ["AFC Ajax (NED)", "Ajax Amsterdam (NED)"],
        ("PSV Eindhoven", "NED"): ["PSV (NED)", "PSV Eindhoven (NED)"],
        ("Feyenoord", "NED"): ["Feyenoord Rotterdam (NED)"],
        ("Twente", "NED"): ["FC Twente (NED)"],
        ("Go Ahead Eagles", "NED"): ["Go Ahead Eagles (NED)"],
        ("Celtic", "SCO"): ["Celtic FC (SCO)"],
        ("Rangers", "SCO"): ["Rangers FC (SCO)"],
        ("Hearts", "SCO"): ["Heart of Midlothian (SCO)", "Heart of Midlothian FC (SCO)"],
        ("Kilmarnock", "SCO"): ["Kilmarnock FC (SCO)"],
        ("St Mirren", "SCO"): ["St. Mirren FC (SCO)", "Saint Mirren (SCO)"],
        ("Galatasaray", "TUR"): ["Galatasaray SK (TUR)", "Galatasaray AŞ (TUR)"],
        ("Fenerbahce", "TUR"): ["Fenerbahçe (TUR)", "Fenerbahçe SK (TUR)"],
        ("Besiktas", "TUR"): ["Beşiktaş (TUR)", "Beşiktaş JK (TUR)"],
        ("Buyuksehyr", "TUR"): ["İstanbul Başakşehir (TUR)", "Istanbul Basaksehir FK (TUR)"],
        ("Olympiakos", "GRE"): ["Olympiakos Piraeus (GRE)", "Olympiacos FC (GRE)", "Olimpiakos (GRE)"],
        ("PAOK", "GRE"): ["PAOK Saloniki (GRE)", "PAOK FC (GRE)"],
        ("AEK", "GRE"): ["AEK Athen (GRE)", "AEK Athens FC (GRE)"],
        ("Club Brugge", "BEL"): ["Club Brugge KV (BEL)", "Club Brugge (BEL)"],
        ("Cercle Brugge", "BEL"): ["Cercle Brugge (BEL)", "Cercle Brugge KSV (BEL)"],
        ("St. Gilloise", "BEL"): ["Union Saint-Gilloise (BEL)", "Royale Union Saint-Gilloise (BEL)"],
        ("Antwerp", "BEL"): ["Royal Antwerp FC (BEL)"],
        ("Genk", "BEL"): ["KRC Genk (BEL)"],
        ("Standard", "BEL"): ["Standard Liège (BEL)"],
    }
    for (fd_name, country), uefa_names in pairs.items():
        fd_id = registry.resolve(fd_name, country)
        assert fd_id is not None, fd_name
        for name in uefa_names:
            assert registry.resolve(name) == fd_id, (name, fd_name)


def test_cross_border_clubs_match_on_the_club(registry: TeamRegistry) -> None:
    """A source may write a club's own association instead of its league's country (issue 8 item 5)."""
    assert registry.resolve("AS Monaco FC (MCO)") == registry.resolve("Monaco", "FRA") == "monaco"
    assert registry.resolve("AS Monaco (MCO)") == registry.resolve("Monaco FC (FRA)") == "monaco"
    assert registry.resolve("Swansea City AFC (WAL)") == registry.resolve("Swansea", "ENG") == "swansea-city"
    assert registry.resolve("Cardiff City FC (WAL)") == "cardiff-city"
    assert registry.resolve("FC Vaduz (LIE)") == registry.resolve("Vaduz (SUI)") == "vaduz"
    assert registry.resolve("Derry City (NIR)") == registry.resolve("Derry City FC (IRL)") == "derry-city"
    assert registry.countries("monaco") == {"FRA", "MCO"}
    assert registry.countries("liverpool") == {"ENG"}
    # A cross-border code opens only the documented club, never every club of the league's country.
    assert registry.resolve("Paris Saint-Germain (MCO)") is None
    assert registry.resolve("Arsenal (WAL)") is None
    assert ("monaco", "MCO") in registry.cross_border


def test_accents_and_transliteration_variants(registry: TeamRegistry) -> None:
    for name in ("Qarabağ FK (AZE)", "QARABAG (AZE)", "Qarabag FK", "qarabağ"):
        assert registry.resolve(name) == "qarabag", name
    for name in ("Paphos FC (CYP)", "Pafos FC (CYP)", "Paphos (CYP)", "PAFOS"):
        assert registry.resolve(name) == "pafos", name
    assert registry.match("Olimpiakos (GRE)").how == "transliteration"
    assert registry.match("Fenerbahçe SK (TUR)").how == "legal-form"
    assert registry.resolve("Saint-Étienne", "FRA") == registry.resolve("St Etienne", "FRA") == "saint-etienne"
    # A typo is not a transliteration: no near-miss guessing.
    assert registry.resolve("Liverpol") is None
    assert registry.resolve("Olympiakos Nicosia (CYP)") is None


def test_ambiguity_stays_an_error(registry: TeamRegistry, tmp_path: Path) -> None:
    # Two registered clubs of one country differ only by a legal-form word: without it, no club is chosen.
    found = registry.match("Bastia FC", "FRA")
    assert found.team_id is None and found.how == "ambiguous" and set(found.candidates) == {"bastia", "ca-bastia"}
    assert registry.resolve("Vitória", "POR") is None  # Guimarães or Setúbal
    with pytest.raises(UnknownChoiceError, match="ambiguous"):
        registry.require("Bastia FC", "FRA")
    # Two clubs whose names are transliterations of each other: a third spelling matches neither.
    path = write(tmp_path, "alias,team_id,name,country\nKastoria,kastoria,Kastoria,GRE\n"
                           "Castoria,castoria-athens,Castoria Athens,GRE\n")
    extra = TeamRegistry.load(path)
    assert extra.resolve("Kastoria", "GRE") == "kastoria" and extra.resolve("Castoria", "GRE") == "castoria-athens"
    assert extra.match("Qastoria", "GRE").how == "ambiguous"
    assert extra.resolve("Qastoria FC (GRE)") is None


def test_every_registered_spelling_resolves_to_its_own_club(registry: TeamRegistry) -> None:
    """No alias is shadowed: with its team's country, every spelling in the files resolves exactly."""
    with (DATA_DIR / "team_aliases.csv").open(encoding="utf-8", newline="") as handle:
        aliases = list(csv.DictReader(handle))
    for row in aliases:
        team = registry.teams[row["team_id"]]
        found = registry.match(row["alias"], team.country)
        assert (found.team_id, found.how) == (team.team_id, "exact"), row


def test_cross_border_file_errors(tmp_path: Path) -> None:
    registry = TeamRegistry()
    registry._read_teams("team_id,name,country\nmonaco,Monaco,FRA\npsg,Paris SG,FRA\nmco-club,Monaco FC,MCO\n", "t")
    with pytest.raises(DataError, match="unknown team_id"):
        registry._read_cross_border("team_id,country,note\nnice,MCO,x\n", "cb")
    with pytest.raises(DataError, match="already has country"):
        registry._read_cross_border("team_id,country,note\nmonaco,FRA,x\n", "cb")
    with pytest.raises(DataError, match="empty note"):
        registry._read_cross_border("team_id,country,note\nmonaco,MCO,\n", "cb")
    with pytest.raises(DataError, match="collide"):  # "Monaco" (FRA) and "Monaco FC" (MCO) both read "monaco"?
        registry._add_key(registry.teams["mco-club"], "Monaco", "t", 9, column="alias")
        registry._read_cross_border("team_id,country,note\nmonaco,MCO,x\n", "cb")
