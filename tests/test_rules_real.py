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
