"""Real league tables from football-data.co.uk results against the official final standings.

The expected tables below are external facts (the leagues' official final standings: order, points, goal
difference), written here by hand, not produced by matchday. Points include the point deductions in
``deductions.csv``. The football-data CSVs are read with pandas directly; only clubs with a deduction need
a football-data name -> team id entry.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from matchday.rules.leagues import deductions_for
from matchday.rules.table import league_table

# football-data names of the clubs that have a deduction in the seasons tested here
FOOTBALL_DATA_NAMES = {
    "everton": "Everton",
    "nottingham-forest": "Nott'm Forest",
    "montpellier": "Montpellier",
    "juventus": "Juventus",
    "derby-county": "Derby",
    "reading": "Reading",
    "wigan-athletic": "Wigan",
    "sheffield-wednesday": "Sheffield Weds",
    "birmingham-city": "Birmingham",
    "siena": "Siena",
    "atalanta": "Atalanta",
    "sampdoria": "Sampdoria",
    "torino": "Torino",
    "parma": "Parma",
    "chievo": "Chievo",
    "nice": "Nice",
    "lyon": "Lyon",
}

# Official final standings 2023-24: (club as football-data names it, points, goal difference).
OFFICIAL_2023_24 = {
    "E0": [
        ("Man City", 91, 62), ("Arsenal", 89, 62), ("Liverpool", 82, 45), ("Aston Villa", 68, 15),
        ("Tottenham", 66, 13), ("Chelsea", 63, 14), ("Newcastle", 60, 23), ("Man United", 60, -1),
        ("West Ham", 52, -14), ("Crystal Palace", 49, -1), ("Brighton", 48, -7), ("Bournemouth", 48, -13),
        ("Fulham", 47, -6), ("Wolves", 46, -15), ("Everton", 40, -11), ("Brentford", 39, -9),
        ("Nott'm Forest", 32, -18), ("Luton", 26, -33), ("Burnley", 24, -37), ("Sheffield United", 16, -69),
    ],
    "SP1": [
        ("Real Madrid", 95, 61), ("Barcelona", 85, 35), ("Girona", 81, 39), ("Ath Madrid", 76, 27),
        ("Ath Bilbao", 68, 24), ("Sociedad", 60, 12), ("Betis", 57, 3), ("Villarreal", 53, 0),
        ("Valencia", 49, -5), ("Alaves", 46, -10), ("Osasuna", 45, -11), ("Getafe", 43, -12),
        # Celta above Sevilla and Mallorca above Las Palmas on head-to-head (not goal difference);
        # Almeria above Granada: two draws between them, then overall goal difference.
        ("Celta", 41, -11), ("Sevilla", 41, -6), ("Mallorca", 40, -11), ("Las Palmas", 40, -14),
        ("Vallecano", 38, -19), ("Cadiz", 33, -29), ("Almeria", 21, -32), ("Granada", 21, -41),
    ],
    "I1": [
        ("Inter", 94, 67), ("Milan", 75, 27), ("Juventus", 71, 23), ("Atalanta", 69, 30),
        ("Bologna", 68, 22), ("Roma", 63, 19), ("Lazio", 61, 10), ("Fiorentina", 60, 15),
        # Torino above Napoli, Verona above Lecce, Cagliari above Empoli: head-to-head before goal difference
        ("Torino", 53, 0), ("Napoli", 53, 7), ("Genoa", 49, 0), ("Monza", 45, -12),
        ("Verona", 38, -13), ("Lecce", 38, -22), ("Udinese", 37, -16), ("Cagliari", 36, -26),
        ("Empoli", 36, -25), ("Frosinone", 35, -25), ("Sassuolo", 30, -32), ("Salernitana", 17, -49),
    ],
    "D1": [
        ("Leverkusen", 90, 65), ("Stuttgart", 73, 39), ("Bayern Munich", 72, 49), ("RB Leipzig", 65, 38),
        ("Dortmund", 63, 25), ("Ein Frankfurt", 47, 1), ("Hoffenheim", 46, 0), ("Heidenheim", 42, -5),
        ("Werder Bremen", 42, -6), ("Freiburg", 42, -13), ("Augsburg", 39, -10), ("Wolfsburg", 37, -15),
        ("Mainz", 35, -12), ("M'gladbach", 34, -11), ("Union Berlin", 33, -25), ("Bochum", 33, -32),
        ("FC Koln", 27, -32), ("Darmstadt", 17, -56),
    ],
    "F1": [
        ("Paris SG", 76, 48), ("Monaco", 67, 26), ("Brest", 61, 19), ("Lille", 59, 18), ("Nice", 55, 11),
        ("Lyon", 53, -6), ("Lens", 51, 8), ("Marseille", 50, 11), ("Reims", 47, -5), ("Rennes", 46, 7),
        ("Toulouse", 43, -4), ("Montpellier", 41, -5), ("Strasbourg", 39, -12), ("Nantes", 33, -25),
        # Metz above Lorient: level on points and goal difference, head-to-head away goals (3-2)
        ("Le Havre", 32, -11), ("Metz", 29, -23), ("Lorient", 29, -23), ("Clermont", 25, -34),
    ],
}


def read_season(shared: Path, division: str, code: str) -> pd.DataFrame:
    path = shared / "football-data" / "mmz4281" / code / f"{division}.csv"
    raw = pd.read_csv(path, encoding="utf-8-sig")
    raw = raw[raw["Div"].notna()]
    return pd.DataFrame({
        "home": raw["HomeTeam"],
        "away": raw["AwayTeam"],
        "home_goals": raw["FTHG"].astype(int),
        "away_goals": raw["FTAG"].astype(int),
        "date": pd.to_datetime(raw["Date"], dayfirst=True, format="mixed"),
    })


def table_of(shared: Path, division: str, season: str, as_of: str | None = None) -> pd.DataFrame:
    code = season[2:4] + season[5:7]
    frame = read_season(shared, division, code)
    deductions = deductions_for(division, season, as_of=as_of, resolve=FOOTBALL_DATA_NAMES)
    return league_table(frame, division, season, as_of=as_of, deductions=deductions)


@pytest.mark.shared_data
@pytest.mark.parametrize("division", sorted(OFFICIAL_2023_24))
def test_final_2023_24_table_equals_the_official_standings(shared_data, division):
    table = table_of(shared_data, division, "2023-24")
    got = list(zip(table["team"], table["points"], table["goal_difference"], strict=True))
    assert got == OFFICIAL_2023_24[division]
    assert (table["played"] == 2 * (len(table) - 1)).all()
    assert (table["note"] == "").all()  # no tie reached the last resort, no Serie A play-off


@pytest.mark.shared_data
def test_premier_league_deductions_in_the_final_table(shared_data):
    table = table_of(shared_data, "E0", "2023-24").set_index("team")
    assert table.loc["Everton", "deduction"] == -8
    assert table.loc["Nott'm Forest", "deduction"] == -4
    assert (table.drop(index=["Everton", "Nott'm Forest"])["deduction"] == 0).all()
    assert table.loc["Everton", "points"] == 3 * table.loc["Everton", "won"] + table.loc["Everton", "drawn"] - 8


@pytest.mark.shared_data
def test_premier_league_as_of_14_april_2024(shared_data):
    """After Liverpool lost to Crystal Palace and Arsenal to Aston Villa on 14 April (inclusive)."""
    table = table_of(shared_data, "E0", "2023-24", as_of="2024-04-14")
    top = table.head(3).set_index("team")
    assert top.index.tolist() == ["Man City", "Arsenal", "Liverpool"]
    assert top["points"].tolist() == [73, 71, 71]
    assert top.loc["Arsenal", "goal_difference"] > top.loc["Liverpool", "goal_difference"]
    everton = table.set_index("team").loc["Everton"]
    assert everton["deduction"] == -8  # the second deduction (8 Apr) is in force
    before = table_of(shared_data, "E0", "2023-24", as_of="2024-04-13").set_index("team")
    assert before.loc["Liverpool", "played"] == table.set_index("team").loc["Liverpool", "played"] - 1
    assert before.loc["Everton", "deduction"] == -8
    assert table_of(shared_data, "E0", "2023-24", as_of="2024-02-25").set_index("team").loc[
        "Everton", "deduction"] == -10


@pytest.mark.shared_data
def test_serie_a_2022_23_juventus_deduction_and_relegation_play_off(shared_data):
    """Juventus finished 7th on 62 after -10; Spezia and Verona level on 31 played a relegation play-off."""
    table = table_of(shared_data, "I1", "2022-23")
    assert table.head(8)["team"].tolist() == [
        "Napoli", "Lazio", "Inter", "Milan", "Atalanta", "Roma", "Juventus", "Fiorentina"]
    assert table.head(8)["points"].tolist() == [90, 74, 72, 70, 64, 63, 62, 56]
    spots = table.set_index("position").loc[[17, 18]]
    assert sorted(spots["team"]) == ["Spezia", "Verona"] and spots["points"].tolist() == [31, 31]
    assert spots["note"].str.contains("relegation play-off").all()
    assert not table["note"].str.contains("title").any()
    # in March 2023 the -15 (annulled on 20 April) was in force
    march = table_of(shared_data, "I1", "2022-23", as_of="2023-03-01").set_index("team")
    assert march.loc["Juventus", "deduction"] == -15


@pytest.mark.shared_data
def test_championship_2021_22_bottom_with_derby_and_reading_deductions(shared_data):
    table = table_of(shared_data, "E1", "2021-22")
    bottom = list(zip(table["team"], table["points"], strict=True))[-4:]
    assert bottom == [("Reading", 41), ("Peterboro", 37), ("Derby", 34), ("Barnsley", 30)]


@pytest.mark.shared_data
def test_championship_2019_20_wigan_relegated_by_the_deduction(shared_data):
    table = table_of(shared_data, "E1", "2019-20")
    bottom = list(zip(table["team"], table["points"], strict=True))[-3:]
    assert bottom == [("Charlton", 48), ("Wigan", 47), ("Hull", 45)]


@pytest.mark.shared_data
def test_serie_a_2012_13_match_fixing_deductions(shared_data):
    table = table_of(shared_data, "I1", "2012-13")
    got = list(zip(table["team"], table["points"], strict=True))[12:]
    assert got == [("Bologna", 44), ("Sampdoria", 42), ("Atalanta", 40), ("Torino", 39), ("Genoa", 38),
                   ("Palermo", 32), ("Siena", 30), ("Pescara", 22)]


def test_every_deduction_names_a_registered_club():
    from matchday.data.registry import TeamRegistry
    from matchday.rules.leagues import load_deductions

    registry = TeamRegistry.load()
    assert [d.team_id for d in load_deductions() if d.team_id not in registry.teams] == []


# --------------------------------------------------------------------------- every division, by team id
# Official final standings (club, points), written from the leagues' published tables, not produced by
# matchday. Where a source was consulted for a season it is named in the season's rule file (``source``)
# and listed under ``checked`` there. Points include the deductions of deductions.csv.
OFFICIAL_BY_ID = {
    ("E0", "2024-25"): [
        ("liverpool", 84), ("arsenal", 74), ("manchester-city", 71), ("chelsea", 69), ("newcastle-united", 66),
        ("aston-villa", 66), ("nottingham-forest", 65), ("brighton-and-hove-albion", 61), ("bournemouth", 56),
        ("brentford", 56), ("fulham", 54), ("crystal-palace", 53), ("everton", 48), ("west-ham-united", 43),
        ("manchester-united", 42), ("wolverhampton-wanderers", 42), ("tottenham-hotspur", 38),
        ("leicester-city", 25), ("ipswich-town", 22), ("southampton", 12),
    ],
    ("E1", "2024-25"): [  # Sheffield United started with -2
        ("leeds-united", 100), ("burnley", 100), ("sheffield-united", 90), ("sunderland", 76),
        ("coventry-city", 69), ("bristol-city", 68), ("blackburn-rovers", 66), ("millwall", 66),
        ("west-bromwich-albion", 64), ("middlesbrough", 64), ("swansea-city", 61), ("sheffield-wednesday", 58),
        ("norwich-city", 57), ("watford", 57), ("queens-park-rangers", 56), ("portsmouth", 54),
        ("oxford-united", 53), ("stoke-city", 51), ("derby-county", 50), ("preston-north-end", 50),
        ("hull-city", 49), ("luton-town", 49), ("plymouth-argyle", 46), ("cardiff-city", 44),
    ],
    ("SP1", "2024-25"): [
        ("barcelona", 88), ("real-madrid", 84), ("atletico-madrid", 76), ("athletic-bilbao", 70),
        ("villarreal", 70), ("real-betis", 60), ("celta-vigo", 55), ("rayo-vallecano", 52), ("osasuna", 52),
        ("mallorca", 48), ("real-sociedad", 46), ("valencia", 46), ("getafe", 42), ("espanyol", 42),
        ("alaves", 42), ("girona", 41), ("sevilla", 41), ("leganes", 40), ("las-palmas", 32),
        ("real-valladolid", 16),
    ],
    ("I1", "2024-25"): [
        ("napoli", 82), ("inter", 81), ("atalanta", 74), ("juventus", 70), ("roma", 69), ("fiorentina", 65),
        ("lazio", 65), ("ac-milan", 63), ("bologna", 62), ("como", 49), ("torino", 44), ("udinese", 44),
        ("genoa", 43), ("hellas-verona", 37), ("cagliari", 36), ("parma", 36), ("lecce", 34), ("empoli", 31),
        ("venezia", 29), ("monza", 18),
    ],
    ("D1", "2024-25"): [
        ("bayern-munich", 82), ("bayer-leverkusen", 69), ("eintracht-frankfurt", 60), ("borussia-dortmund", 57),
        ("freiburg", 55), ("mainz", 52), ("rb-leipzig", 51), ("werder-bremen", 51), ("vfb-stuttgart", 50),
        ("borussia-monchengladbach", 45), ("wolfsburg", 43), ("augsburg", 43), ("union-berlin", 40),
        ("st-pauli", 32), ("hoffenheim", 32), ("heidenheim", 29), ("holstein-kiel", 25), ("bochum", 25),
    ],
    ("F1", "2024-25"): [
        ("paris-saint-germain", 84), ("marseille", 65), ("monaco", 61), ("nice", 60), ("lille", 60), ("lyon", 57),
        ("strasbourg", 57), ("lens", 52), ("brest", 50), ("toulouse", 42), ("auxerre", 42), ("rennes", 41),
        ("nantes", 36), ("angers", 36), ("le-havre", 34), ("reims", 33), ("saint-etienne", 30),
        ("montpellier", 16),
    ],
    ("N1", "2023-24"): [  # Vitesse: 24 points won, 18 deducted
        ("psv-eindhoven", 91), ("feyenoord", 84), ("twente", 69), ("az-alkmaar", 65), ("ajax", 56),
        ("nec-nijmegen", 53), ("utrecht", 50), ("sparta-rotterdam", 49), ("go-ahead-eagles", 46),
        ("fortuna-sittard", 38), ("heerenveen", 37), ("pec-zwolle", 36), ("almere-city", 34),
        ("heracles-almelo", 33), ("rkc-waalwijk", 29), ("excelsior", 29), ("volendam", 19), ("vitesse", 6),
    ],
    ("P1", "2023-24"): [
        ("sporting-cp", 90), ("benfica", 80), ("porto", 72), ("sporting-braga", 68), ("vitoria-guimaraes", 63),
        ("moreirense", 55), ("arouca", 46), ("famalicao", 42), ("casa-pia", 38), ("farense", 37), ("rio-ave", 37),
        ("gil-vicente", 36), ("estoril", 33), ("estrela-amadora", 33), ("boavista", 32), ("portimonense", 32),
        ("vizela", 26), ("chaves", 23),
    ],
    ("B1", "2019-20"): [  # stopped after 29 of 30 rounds; the standings became final
        ("club-brugge", 70), ("gent", 55), ("charleroi", 54), ("royal-antwerp", 53), ("standard-liege", 49),
        ("mechelen", 44), ("genk", 44), ("anderlecht", 43), ("zulte-waregem", 36), ("mouscron", 36),
        ("kortrijk", 33), ("sint-truiden", 33), ("eupen", 30), ("cercle-brugge", 23), ("oostende", 22),
        ("waasland-beveren", 20),
    ],
    ("T1", "2020-21"): [  # Beşiktaş champions on overall goal difference (level on points and head-to-head)
        ("besiktas", 84), ("galatasaray", 84), ("fenerbahce", 82), ("trabzonspor", 71), ("sivasspor", 65),
        ("hatayspor", 61), ("alanyaspor", 60), ("fatih-karagumruk", 60), ("gaziantep-fk", 58), ("goztepe", 51),
        ("konyaspor", 50), ("istanbul-basaksehir", 48), ("rizespor", 48), ("kasimpasa", 46),
        ("yeni-malatyaspor", 45), ("antalyaspor", 44), ("kayserispor", 41), ("erzurumspor", 40),
        ("ankaragucu", 38), ("genclerbirligi", 38), ("denizlispor", 28),
    ],
    ("G1", "2013-14"): [  # five groups level on points, all ordered by the matches between the clubs
        ("olympiacos", 86), ("paok", 69), ("atromitos", 66), ("panathinaikos", 66), ("asteras-tripolis", 58),
        ("ofi-crete", 44), ("ergotelis", 44), ("panetolikos", 42), ("levadiakos", 42), ("panthrakikos", 41),
        ("pas-giannina", 41), ("kalloni", 39), ("panionios", 39), ("platanias", 38), ("veria", 38), ("xanthi", 38),
        ("apollon-smyrnis", 36), ("aris-thessaloniki", 22),
    ],
    ("D2", "2023-24"): [
        ("st-pauli", 69), ("holstein-kiel", 68), ("fortuna-dusseldorf", 63), ("hamburger-sv", 58),
        ("karlsruher-sc", 55), ("hannover-96", 52), ("paderborn", 52), ("greuther-furth", 50),
        ("hertha-berlin", 48), ("schalke-04", 43), ("elversberg", 43), ("nurnberg", 40), ("kaiserslautern", 39),
        ("magdeburg", 38), ("eintracht-braunschweig", 38), ("wehen-wiesbaden", 32), ("hansa-rostock", 31),
        ("vfl-osnabruck", 28),
    ],
    ("I2", "2023-24"): [  # Sampdoria -2
        ("parma", 76), ("como", 73), ("venezia", 70), ("cremonese", 67), ("catanzaro", 60), ("palermo", 56),
        ("sampdoria", 55), ("brescia", 51), ("cosenza", 47), ("modena", 47), ("reggiana", 47), ("sudtirol", 47),
        ("pisa", 46), ("cittadella", 46), ("spezia", 44), ("ternana", 43), ("bari", 41), ("ascoli", 41),
        ("feralpisalo", 33), ("lecco", 26),
    ],
    ("SP2", "2023-24"): [
        ("leganes", 74), ("real-valladolid", 72), ("eibar", 71), ("espanyol", 69), ("sporting-gijon", 65),
        ("real-oviedo", 64), ("racing-santander", 64), ("levante", 59), ("burgos", 59), ("racing-ferrol", 59),
        ("elche", 59), ("tenerife", 56), ("albacete", 51), ("cartagena", 51), ("real-zaragoza", 51),
        ("eldense", 50), ("huesca", 49), ("mirandes", 49), ("amorebieta", 45), ("alcorcon", 44),
        ("fc-andorra", 43), ("villarreal-b", 43),
    ],
    ("F2", "2024-25"): [
        ("lorient", 71), ("paris-fc", 69), ("metz", 65), ("dunkerque", 56), ("guingamp", 55), ("annecy", 51),
        ("laval", 50), ("bastia", 48), ("grenoble", 46), ("troyes", 44), ("amiens", 43), ("ajaccio", 42),
        ("pau", 42), ("rodez", 39), ("red-star", 38), ("clermont", 33), ("martigues", 32), ("caen", 22),
    ],
    # Split seasons: a club's final position stays within its group.
    ("SC0", "2013-14"): [  # Hearts -15 (administration)
        ("celtic", 99), ("motherwell", 70), ("aberdeen", 68), ("dundee-united", 58),
        ("inverness-caledonian-thistle", 57), ("st-johnstone", 53), ("ross-county", 40), ("st-mirren", 39),
        ("kilmarnock", 39), ("partick-thistle", 38), ("hibernian", 35), ("heart-of-midlothian", 23),
    ],
    ("SC0", "2023-24"): [  # Aberdeen 7th on 48, above the split but below Dundee's 42
        ("celtic", 93), ("rangers", 85), ("heart-of-midlothian", 68), ("kilmarnock", 56), ("st-mirren", 47),
        ("dundee", 42), ("aberdeen", 48), ("hibernian", 46), ("motherwell", 43), ("st-johnstone", 35),
        ("ross-county", 35), ("livingston", 25),
    ],
    ("SC0", "2024-25"): [  # Hearts 7th on 52, more than St Mirren's 50 in 6th
        ("celtic", 92), ("rangers", 75), ("hibernian", 58), ("dundee-united", 53), ("aberdeen", 53),
        ("st-mirren", 50), ("heart-of-midlothian", 52), ("motherwell", 49), ("kilmarnock", 44), ("dundee", 41),
        ("ross-county", 37), ("st-johnstone", 32),
    ],
    ("B1", "2023-24"): [  # champions' and Europe play-offs from halved points; relegation play-offs in full
        ("club-brugge", 50), ("union-saint-gilloise", 49), ("anderlecht", 46), ("cercle-brugge", 37), ("genk", 37),
        ("royal-antwerp", 32), ("gent", 48), ("mechelen", 39), ("sint-truiden", 33), ("oud-heverlee-leuven", 30),
        ("standard-liege", 22), ("westerlo", 21), ("charleroi", 45), ("kortrijk", 31), ("rwd-molenbeek", 30),
        ("eupen", 28),
    ],
    ("G1", "2023-24"): [  # Kifisia 0-0 Volos (11 Feb 2024) awarded 3-0 to Kifisia
        ("paok", 80), ("aek-athens", 78), ("olympiacos", 74), ("panathinaikos", 72), ("aris-thessaloniki", 55),
        ("lamia", 35), ("panserraikos", 38), ("asteras-tripolis", 38), ("panetolikos", 36), ("ofi-crete", 35),
        ("atromitos", 34), ("volos", 33), ("kifisia", 28), ("pas-giannina", 23),
    ],
}


@pytest.fixture(scope="module")
def registry():
    from matchday.data.registry import TeamRegistry

    return TeamRegistry.load()


def table_by_id(shared: Path, division: str, season: str, registry, as_of: str | None = None) -> pd.DataFrame:
    """The table of a football-data file read by matchday's reader, clubs by registry id (as in the store)."""
    from matchday.data.competitions import COMPETITIONS
    from matchday.data.domain import matches_frame
    from matchday.data.sources.footballdata import read_footballdata

    path = shared / "football-data" / "mmz4281" / f"{season[2:4]}{season[5:7]}" / f"{division}.csv"
    frame = matches_frame(read_footballdata(path))
    for side in ("home", "away"):
        frame[side] = [registry.require(name, COMPETITIONS[division].country) for name in frame[side]]
    return league_table(frame, division, season, as_of=as_of)


@pytest.mark.shared_data
@pytest.mark.parametrize(("division", "season"), sorted(OFFICIAL_BY_ID), ids=lambda v: str(v))
def test_final_table_equals_the_official_standings(shared_data, registry, division, season):
    table = table_by_id(shared_data, division, season, registry)
    assert list(zip(table["team"], table["points"], strict=True)) == OFFICIAL_BY_ID[(division, season)]
    rules = table.attrs["rules"]
    assert season in rules.checked, "a season checked here is listed under `checked` in its rule file"
    assert rules.fallback is None
    assert not table["note"].str.contains("level on every tie-breaker").any()


def test_every_checked_season_has_an_official_table_here():
    """The rule files' `checked` lists and this module agree, so `checked` never claims an untested season."""
    from matchday.rules.leagues import load_rule_files

    claimed = {(code, f"{y}-{(y + 1) % 100:02d}")
               for code, blocks in load_rule_files().items() for b in blocks
               for y in range(b.first, b.last + 1)
               if f"{y}-{(y + 1) % 100:02d}" in b.rules["checked"]}
    tested = set(OFFICIAL_BY_ID) | {(d, "2023-24") for d in OFFICIAL_2023_24}
    assert claimed == tested


@pytest.mark.shared_data
def test_scottish_split_as_the_season_goes(shared_data, registry):
    """Before the split one table; after it the halves keep their positions whatever their points."""
    before = table_by_id(shared_data, "SC0", "2023-24", registry, as_of="2024-04-16")  # one match before the split
    assert sorted(before["played"]) == [32] * 2 + [33] * 10
    assert (before["note"] == "").all()
    split = table_by_id(shared_data, "SC0", "2023-24", registry, as_of="2024-04-17")  # 33 rounds played
    assert (split["played"] == 33).all()
    assert split["team"].tolist()[:6] == ["celtic", "rangers", "heart-of-midlothian", "kilmarnock", "st-mirren",
                                         "dundee"]
    assert split["note"].tolist() == ["top six"] * 6 + ["bottom six"] * 6
    final = table_by_id(shared_data, "SC0", "2023-24", registry)
    seventh, sixth = final.set_index("position").loc[[7, 6], "points"]
    assert seventh > sixth  # Aberdeen 48 below Dundee 42
    assert final["note"].tolist() == ["top six"] * 6 + ["bottom six"] * 6


@pytest.mark.shared_data
def test_belgian_play_offs_halve_and_round_up(shared_data, registry):
    """2023-24: Club Brugge came from 4th (51 points -> 26, rounded up) to the title; Cercle and Genk, level
    on 37 and both rounded up, are ordered by the regular season (Cercle 5th with more wins than Genk)."""
    table = table_by_id(shared_data, "B1", "2023-24", registry).set_index("team")
    assert table.loc["club-brugge", "note"].startswith(
        "champions' play-offs: regular season 51 points, halved to 26 (rounded up)")
    assert table.loc["union-saint-gilloise", "note"].startswith(
        "champions' play-offs: regular season 70 points, halved to 35")
    assert table.loc["charleroi", "note"].startswith("relegation play-offs")
    # The Europe play-off final (Genk v Gent, 2 June 2024) is in the file but is no league match.
    assert "European play-off" in table.loc["genk", "note"] and "European play-off" in table.loc["gent", "note"]
    assert table["played"].sum() == 2 * (312 - 1)
    # During the regular season: one table. Its last day (17 March 2024) splits it, points halved at once:
    # Antwerp (52 -> 26) goes before Club Brugge (51 -> 26, rounded up).
    regular = table_by_id(shared_data, "B1", "2023-24", registry, as_of="2024-03-16")
    assert regular.iloc[0]["team"] == "union-saint-gilloise" and (regular["note"] == "").all()
    split = table_by_id(shared_data, "B1", "2023-24", registry, as_of="2024-03-17")
    assert list(zip(split["team"], split["points"], strict=True))[:6] == [
        ("union-saint-gilloise", 35), ("anderlecht", 32), ("royal-antwerp", 26), ("club-brugge", 26),
        ("cercle-brugge", 24), ("genk", 24)]  # Cercle, Genk, Gent had 47 each: wins 14, 12, 12
    assert split.iloc[6]["team"] == "gent"


@pytest.mark.shared_data
def test_seasons_whose_files_hold_only_the_regular_season_say_so(shared_data, registry):
    table = table_by_id(shared_data, "B1", "2018-19", registry)
    assert table["note"].str.startswith("regular season only").all()
    assert table.iloc[0][["team", "points"]].tolist() == ["genk", 63]


@pytest.mark.shared_data
def test_awarded_result_replaces_the_score_played(shared_data, registry):
    table = table_by_id(shared_data, "G1", "2023-24", registry).set_index("team")
    assert "counts 3-0 as awarded (played 0-0)" in table.loc["kifisia", "note"]
    before = table_by_id(shared_data, "G1", "2023-24", registry, as_of="2024-02-10").set_index("team")
    assert "awarded" not in before.loc["kifisia", "note"]


@pytest.mark.shared_data
@pytest.mark.parametrize(("division", "season"), [("SC0", "2023-24"), ("B1", "2023-24"), ("G1", "2022-23"),
                                                   ("B1", "2016-17")])
def test_simulating_a_split_season_says_what_it_cannot_do(shared_data, registry, division, season):
    """The season simulator ranks with rank_league; for a split format it raises a clear error instead of
    simulating pairings fixed in advance."""
    import numpy as np

    from matchday.rules.leagues import FormatNotSimulatedError, rules_for
    from matchday.rules.table import double_round_robin, rank_league

    rules = rules_for(division, season)
    home, away = double_round_robin(rules.n_teams)
    with pytest.raises(FormatNotSimulatedError) as info:
        rank_league(home, away, np.zeros(home.size, np.int8), np.zeros(home.size, np.int8), rules.n_teams, rules)
    message = str(info.value)
    assert message.startswith("cannot simulate") and division in message and season in message
    assert f"matchday table {division} {season}" in message
