"""matchday.inputs: what a user types (dates, competitions, seasons, clubs, a first-leg score) turned into codes
and ids, with one clear error line, shared by the command line and the web layer."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from matchday import cli, inputs
from matchday.data.errors import MatchdayError, UnknownChoiceError

SRC = Path(__file__).resolve().parents[1] / "src" / "matchday"


# ------------------------------------------------------------------------------------------------ dates
def test_dates():
    assert inputs.parse_date("2024-04-15") == dt.date(2024, 4, 15)
    assert inputs.parse_date(None) is None
    with pytest.raises(MatchdayError, match=r"^--as-of: '2024-13-45' is not a date \(expected YYYY-MM-DD\)$"):
        inputs.parse_date("2024-13-45")
    with pytest.raises(MatchdayError, match=r"^as_of: '15/04/2024' is not a date"):
        inputs.parse_date("15/04/2024", "as_of")
    assert inputs.as_of_or_today(None) == dt.date.today()
    assert inputs.as_of_or_today("2020-02-29") == dt.date(2020, 2, 29)


# ------------------------------------------------------------------------------------------------ competitions
def test_competitions_by_code_or_name_and_kind():
    assert inputs.competition("Premier League").code == "E0"
    assert inputs.competition("europa league", "cup").code == "UEL"
    assert inputs.competition("E0", "league").kind == "league"
    with pytest.raises(MatchdayError, match=r"UEL \(.*\) is a cup, not a league; use `matchday bracket UEL`"):
        inputs.competition("UEL", "league")
    with pytest.raises(MatchdayError, match=r"SP1 \(.*\) is a league; use `matchday simulate SP1`"):
        inputs.competition("SP1", "cup")
    with pytest.raises(UnknownChoiceError, match="unknown competition 'XX9'"):
        inputs.competition("XX9")


# ------------------------------------------------------------------------------------------------ seasons
@pytest.mark.parametrize(("text", "cutoff", "expected"), [
    ("2023/24", None, "2023-24"),
    ("2023-2024", dt.date(2010, 1, 1), "2023-24"),  # a named season wins over the date
    (None, dt.date(2024, 6, 30), "2023-24"),  # a season runs July to June
    (None, dt.date(2024, 7, 1), "2024-25"),
    ("", dt.date(2000, 1, 1), "1999-00"),
])
def test_seasons(text, cutoff, expected):
    assert inputs.season(text, cutoff) == expected


def test_a_season_that_is_not_a_season_is_an_error():
    with pytest.raises(MatchdayError, match="not a season"):
        inputs.season("20x5", None)


# ------------------------------------------------------------------------------------------------ clubs and first legs
def test_clubs_by_any_known_name():
    assert inputs.club("Liverpool") == inputs.club("  Liverpool FC ") == "liverpool"
    with pytest.raises(UnknownChoiceError, match="unknown team 'Nowhere Rovers'"):
        inputs.club("Nowhere Rovers")
    with pytest.raises(MatchdayError, match="a club name is required"):
        inputs.club("   ")


def test_first_leg_text():
    assert inputs.parse_first_leg("Liverpool 0-3 Atalanta") == ("liverpool", 0, 3, "atalanta")
    assert inputs.parse_first_leg("  Bayern Munich 2:1 Real Madrid ") == ("bayern-munich", 2, 1, "real-madrid")
    with pytest.raises(MatchdayError, match=r"^--first-leg 'Liverpool won': expected '<home club> <goals>-<goals> "
                                            r"<away club>'"):
        inputs.parse_first_leg("Liverpool won")
    with pytest.raises(MatchdayError, match=r"^first_leg '0-3': expected"):
        inputs.parse_first_leg("0-3", option="first_leg")
    seen = []
    assert inputs.parse_first_leg("A 1-1 B", resolve=lambda name: seen.append(name) or name.lower()) == (
        "a", 1, 1, "b")
    assert seen == ["A", "B"]


def test_tie_sides_put_the_first_leg_host_first():
    assert inputs.tie_sides("Atalanta", "Liverpool", None) == ("atalanta", "liverpool", None)
    assert inputs.tie_sides("Atalanta", "Liverpool", "Liverpool 0-3 Atalanta") == ("liverpool", "atalanta", (0, 3))
    with pytest.raises(MatchdayError, match="--first-leg names roma and atalanta, not the tie's clubs"):
        inputs.tie_sides("Liverpool", "Atalanta", "Roma 1-0 Atalanta")
    with pytest.raises(MatchdayError, match="two different clubs"):
        inputs.tie_sides("Liverpool", "Liverpool FC", None)
    with pytest.raises(MatchdayError, match="give either first_leg or final, not both"):
        inputs.tie_sides("Liverpool", "Atalanta", "Liverpool 0-3 Atalanta", final=True, option="first_leg",
                         final_option="final")


# ------------------------------------------------------------------------------------------------ with a store
def test_store_backed_resolution(synced_db):
    from matchday.data.store import Store

    with Store(synced_db, read_only=True) as store:
        inputs.require_season(store, "E0", "2023-24")
        with pytest.raises(UnknownChoiceError, match="unknown season for E0 '2015-16'.*2022-23, 2023-24"):
            inputs.require_season(store, "E0", "2015-16")
        with pytest.raises(MatchdayError, match="no XYZ matches in the store at .*; run `matchday sync XYZ`"):
            inputs.require_season(store, "XYZ", "2023-24")
        stored_ids = list(store.teams()["team_id"])
        assert all(inputs.club(team, store) == team for team in stored_ids[:20])  # ids the store holds
        # the pair met in the Europa League quarter-final (April 2024): its competition, before and after
        assert inputs.fixture_competition(store, "liverpool", "atalanta", dt.date(2024, 4, 1)) == "UEL"
        assert inputs.fixture_competition(store, "atalanta", "liverpool", dt.date(2024, 6, 1)) == "UEL"
        assert inputs.fixture_competition(store, "liverpool", "arsenal", dt.date(2024, 4, 1)) == "E0"
        assert inputs.tie_competition(store, "liverpool", "atalanta", dt.date(2024, 4, 12), None) == "UEL"
        # two league clubs: not a UEFA meeting, so the Champions League's home advantage and rules
        assert inputs.tie_competition(store, "liverpool", "arsenal", dt.date(2024, 4, 12), None) == "UCL"
        assert inputs.tie_competition(store, "liverpool", "arsenal", dt.date(2024, 4, 12), "Europa League") == "UEL"


# ------------------------------------------------------------------------------------------------ one implementation
def test_the_cli_uses_these_functions():
    assert cli.parse_date is inputs.parse_date
    assert cli._competition is inputs.competition and cli._season is inputs.season
    assert cli._require_season is inputs.require_season and cli._team_id is inputs.club
    assert cli._tie_context is inputs.tie_competition
    # the CLI reads the first leg's text with inputs.parse_first_leg and resolves the names with the store
    # later (provisional clubs included), so it keeps them as typed
    assert cli._parse_first_leg("Liverpool FC 0-3 Atalanta") == ("Liverpool FC", 0, 3, "Atalanta")
    assert inputs.parse_first_leg("Liverpool FC 0-3 Atalanta") == ("liverpool", 0, 3, "atalanta")
    assert cli._fixture_competition is inputs.fixture_competition


def _matchday_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("matchday"):
            found.add(node.module if node.module != "matchday" else f"matchday.{node.names[0].name}")
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("matchday")}
    return found


def test_inputs_sit_below_the_cli_and_the_web_layer():
    below = {"matchday.data", "matchday.rules"}
    imports = _matchday_imports(SRC / "inputs.py")
    assert imports and all(any(m == b or m.startswith(b + ".") for b in below) for m in imports), imports
    users = [path.relative_to(SRC).as_posix() for path in SRC.rglob("*.py")
             if any(m == "matchday.cli" for m in _matchday_imports(path))]
    assert users == []  # nothing imports the command line: the web layer resolves through inputs
