"""Season 2024-25 end to end: every file of ../shared/data imports, the UEFA league phases are whole (36
clubs under one id each, across football.json and Football.TXT), and `matchday table` ranks them."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from conftest import SHARED_DATA, readme_match_counts
from matchday import cli

# Football.TXT main + qualifying files (cl 189 + clq 90, el 189 + elq 80, conf 153 + confq 256), from
# shared/data/README.md section 3; uefa.cl.json holds the same 189 UCL matches as cl.txt.
UEFA_2024_25_MATCHES = {"UCL": 279, "UEL": 269, "UECL": 409}

runner = CliRunner()


@pytest.fixture(scope="module")
def store_2024_25(shared_data, tmp_path_factory):
    from matchday.data.fetch import Fetcher, SourceURLs
    from matchday.data.store import Store
    from matchday.data.sync import sync

    base = tmp_path_factory.mktemp("season2425")
    path = base / "matchday.duckdb"
    with Store(path) as store:
        # openfootball's 2024-25 uefa.cl.json holds two impossible 4-4 shoot-outs (Liverpool v PSG and
        # Atletico v Real Madrid, round of 16; cl.txt has 1-4 and 2-4): those two values are left out, named
        # in the summary, and the file imports; cl.txt completes the two matches.
        report = sync(store, None, ["2024-25"], urls=SourceURLs.resolve(mirror=str(shared_data)),
                      fetcher=Fetcher(cache_dir=base / "cache"))
    return path, report


def test_every_file_imports_and_the_impossible_shootouts_are_named_and_completed(store_2024_25):
    from matchday.data.store import Store

    path, report = store_2024_25
    assert report.rejected == []
    notes = [w for w in report.warnings if "impossible shoot-out" in w]
    assert len(notes) == 2 and all("2024-25/uefa.cl.json" in w and "score 4-4" in w for w in notes)
    with Store(path, read_only=True) as store:
        frame = store.matches(["UCL"], ["2024-25"])
    days = frame["date"].astype("datetime64[ns]").dt.strftime("%Y-%m-%d")
    r16 = frame[days.isin(["2025-03-11", "2025-03-12"]) & frame["pen_home"].notna()]
    got = {(r.home, r.away): (int(r.pen_home), int(r.pen_away)) for r in r16.itertuples()}
    # the real shoot-outs (cl.txt): Paris Saint-Germain won 4-1 at Anfield, Real Madrid 4-2 at Atlético
    assert got[("liverpool", "paris-saint-germain")] == (1, 4) and got[("atletico-madrid", "real-madrid")] == (2, 4)

def run(*args: str):
    try:
        result = runner.invoke(cli.app, list(args), catch_exceptions=False)
    except cli.MatchdayError as exc:
        return 2, str(exc)
    return result.exit_code, (result.stdout if result.exit_code == 0 else result.output)


def test_every_2024_25_file_imports(store_2024_25):
    from matchday.data.store import Store

    path, report = store_2024_25
    with Store(path, read_only=True) as store:
        available = store.available().set_index("competition")
        conflicts = store.conflicts()
    # Counts from ../shared/data/README.md: football-data files; Football.TXT main + qualifying files
    # (cl 189 + clq 90, el 189 + elq 80, conf 153 + confq 256); uefa.cl.json holds the same 189 UCL matches.
    expected = {div: n for (code, div), n in readme_match_counts(SHARED_DATA).items() if code == "2425"}
    expected.update(UEFA_2024_25_MATCHES)
    assert available["matches"].to_dict() == expected
    # Every match has a result: es.1/it.1 lack matchday 38 and uefa.cl.json the final, the other
    # source fills them in.
    assert (available["played"] == available["matches"]).all()
    assert conflicts.empty, conflicts.head().to_string()
    assert report.conflicts == 0


@pytest.mark.parametrize(("code", "matches"), [("UCL", 144), ("UEL", 144), ("UECL", 108)])
def test_league_phases_are_whole(store_2024_25, code, matches):
    from matchday.data.store import Store
    from matchday.rules.uefa_league_phase import is_league_phase_round

    path, _ = store_2024_25
    with Store(path, read_only=True) as store:
        frame = store.matches([code], ["2024-25"])
    phase = frame[frame["round"].map(is_league_phase_round)]
    assert len(phase) == matches
    clubs = set(phase["home"]) | set(phase["away"])
    assert len(clubs) == 36  # one id per club although two sources name them differently (UCL)
    played = phase["home"].value_counts() + phase["away"].value_counts()
    assert (played == 2 * matches // 36).all()


def test_table_command_ranks_the_league_phase(store_2024_25):
    path, _ = store_2024_25
    code, out = run("table", "UCL", "2024-25", "--db", str(path), "--json")
    assert code == 0, out
    rows = json.loads(out)
    assert len(rows) == 36
    assert [r["position"] for r in rows] == list(range(1, 37))
    by_position = {r["position"]: r for r in rows}
    assert by_position[1]["club"] == "Liverpool" and by_position[1]["points"] == 21
    assert by_position[11]["points"] == by_position[12]["points"] == 15
    assert by_position[12]["tiebreak"] == "away_wins"
    assert [r["zone"] for r in rows].count("round_of_16") == 8
    code, out = run("table", "Conference League", "2024-25", "--as-of", "2024-11-10", "--db", str(path), "--csv")
    assert code == 0, out
    lines = out.strip().splitlines()
    assert lines[0].startswith("position,club,played,")
    assert len(lines) == 37
    assert {line.split(",")[2] for line in lines[1:]} <= {"2", "3"}  # matchdays 1-3 were played by then
    code, out = run("table", "UCL", "2023-24", "--db", str(path))
    assert code == 2 and "cup" in out  # no league phase before 2024-25


def test_bracket_before_the_round_of_16_is_simulated_from_league_positions(store_2425):
    """Before the round of 16 (in the league phase, or before the play-offs) the bracket is built from the
    league-phase positions (simulate/uefa_season.py); tests/test_uefa_season.py checks the numbers."""
    for day in ("2024-12-15", "2025-01-30"):
        code, out = run("bracket", "UCL", "2024-25", "--as-of", day, "--db", str(store_2425), "--sims", "200",
                        "--json")
        assert code == 0, out
        assert json.loads(out)["known_rounds"] == []
