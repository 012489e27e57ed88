"""The `matchday` command: output, filters and clear errors (exit code 2, no traceback)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from matchday import cli

runner = CliRunner()


def run(*args: str):
    """Invoke like the console script does (user errors -> exit 2 with one line)."""
    try:
        result = runner.invoke(cli.app, list(args), catch_exceptions=False)
    except cli.MatchdayError as exc:  # what main() turns into "error: ..." and exit code 2
        return 2, str(exc)
    return result.exit_code, (result.stdout if result.exit_code == 0 else result.output)


def test_table_as_of_april_14(synced_db):
    code, out = run("table", "E0", "2023-24", "--as-of", "2024-04-14", "--db", str(synced_db), "--json")
    assert code == 0, out
    rows = json.loads(out)
    top = [(r["club"], r["points"], r["goal_difference"]) for r in rows[:3]]
    assert [t[:2] for t in top] == [("Manchester City", 73), ("Arsenal", 71), ("Liverpool", 71)]
    assert top[1][2] > top[2][2]  # Arsenal ahead of Liverpool on goal difference


def test_table_readable_name_and_csv(synced_db):
    code, out = run("table", "premier league", "2023/24", "--db", str(synced_db), "--csv")
    assert code == 0, out
    lines = out.strip().splitlines()
    assert lines[0].startswith("position,club,")
    assert len(lines) == 21 and ",Manchester City," in lines[1]


def test_unknown_league_lists_choices(synced_db):
    code, out = run("table", "XX9", "2023-24", "--db", str(synced_db))
    assert code == 2 and "unknown competition" in out and "E0 (Premier League)" in out


def test_unknown_season_lists_what_is_stored(synced_db):
    code, out = run("table", "E0", "2015-16", "--db", str(synced_db))
    assert code == 2 and "2022-23" in out and "2023-24" in out


def test_unknown_team_suggests_closest(synced_db):
    code, out = run("results", "--team", "Liverpol", "--db", str(synced_db))
    assert code == 2 and "Liverpool" in out


def test_results_and_fixtures_filters(synced_db):
    code, out = run("results", "UEL", "--team", "Atalanta", "--from", "2024-04-01", "--to", "2024-04-30",
                    "--db", str(synced_db), "--json")
    assert code == 0, out
    rows = json.loads(out)
    assert [(r["home"], r["away"], r["score"]) for r in rows] == [
        ("Liverpool", "Atalanta", "0-3"), ("Atalanta", "Liverpool", "0-1")]
    code, out = run("fixtures", "E0", "--team", "Liverpool", "--as-of", "2024-04-15", "--db", str(synced_db), "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 6  # Liverpool had six league matches left after the Palace defeat
    assert rows[0]["home"] == "Fulham" and rows[0]["date"].startswith("2024-04-21")


def test_teams_search_and_aliases():
    code, out = run("teams", "Gladbach", "--aliases", "--json")
    assert code == 0, out
    rows = json.loads(out)
    assert rows[0]["team_id"] == "borussia-monchengladbach" and "M'gladbach" in rows[0]["aliases"]


def test_status_and_unknown(synced_db):
    code, out = run("status", "--db", str(synced_db), "--json")
    assert code == 0
    assert {"E0", "UEL", "UCL"} <= {r["competition"] for r in json.loads(out)}
    code, out = run("teams", "--unknown", "--db", str(synced_db), "--json")
    assert code == 0 and json.loads(out) == []


def test_missing_store_is_a_clear_error(tmp_path):
    code, out = run("table", "E0", "2023-24", "--db", str(tmp_path / "none.duckdb"))
    assert code == 2 and "matchday sync" in out


@pytest.mark.parametrize("bad", ["2024-13-01", "yesterday"])
def test_bad_date(synced_db, bad):
    code, out = run("table", "E0", "2023-24", "--as-of", bad, "--db", str(synced_db))
    assert code == 2 and "YYYY-MM-DD" in out


def test_sync_command_from_mirror(shared_data, tmp_path):
    db = tmp_path / "cli.duckdb"
    code, out = run("sync", "D1", "--seasons", "2023-24", "--mirror", str(shared_data), "--db", str(db))
    assert code == 0, out
    assert "306 added" in out
    code, out = run("sync", "D1", "--seasons", "2023-24", "--mirror", str(shared_data), "--db", str(db))
    assert code == 0 and "0 added" in out and "0 odds added" in out


def test_main_prints_error_without_traceback(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr("sys.argv", ["matchday", "table", "E0", "2023-24", "--db", str(tmp_path / "x.duckdb")])
    with pytest.raises(SystemExit) as info:
        cli.main()
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "error:" in err and "Traceback" not in err


def test_predict_logs_the_forecast(synced_db, tmp_path):
    import shutil

    db = tmp_path / "copy.duckdb"
    shutil.copy(synced_db, db)
    code, out = run("predict", "Liverpool", "Atalanta", "--as-of", "2024-04-10", "--db", str(db), "--json")
    assert code == 0, out
    rows = {(r["market"], r["selection"]): r["probability"] for r in json.loads(out) if r["line"] is None}
    one_x_two = [rows[("1X2", s)] for s in ("Home", "Draw", "Away")]
    assert abs(sum(one_x_two) - 1) < 1e-9
    from matchday.data.store import Store

    with Store(db, read_only=True) as store:
        logged = store.forecasts()
    assert len(logged) == 1 and logged.loc[0, "competition"] == "UEL"
    assert logged.loc[0, "p_home"] == pytest.approx(one_x_two[0])


def test_ratings_top_attacks(synced_db):
    code, out = run("ratings", "E0", "--as-of", "2024-04-14", "--db", str(synced_db), "--json", "--top", "5")
    assert code == 0, out
    rows = json.loads(out)
    assert len(rows) == 5 and rows[0]["rank"] == 1
    assert {"Manchester City", "Arsenal", "Liverpool"} <= {r["club"] for r in rows}


def test_simulate_and_whatif(synced_db, tmp_path):
    png = tmp_path / "heat.png"
    code, out = run("simulate", "E0", "2023-24", "--as-of", "2024-04-15", "--sims", "3000", "--seed", "1",
                    "--db", str(synced_db), "--json", "--heatmap", str(png))
    assert code == 0, out
    rows = json.loads(out)
    assert abs(sum(r["p_title"] for r in rows) - 1) < 1e-9
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, out = run("whatif", "E0", "--as-of", "2024-04-15", "--given", "Fulham v Liverpool: away win",
                    "--given", "Wolves v Arsenal: not away win", "--ask", "top", "--sims", "2000",
                    "--db", str(synced_db), "--json")
    assert code == 0, out
    top = {r["club"]: r for r in json.loads(out)}
    assert top["Liverpool"]["p_top_if"] == 1.0 and top["Liverpool"]["p_top_baseline"] < 1.0
    code, out = run("whatif", "E0", "--as-of", "2024-04-15", "--given", "Liverpool v Crystal Palace: home win",
                    "--db", str(synced_db))
    assert code == 2 and "already played on 2024-04-14" in out


def test_tie_after_first_leg(synced_db):
    code, out = run("tie", "Atalanta", "Liverpool", "--first-leg", "Liverpool 0-3 Atalanta", "--as-of", "2024-04-12",
                    "--db", str(synced_db), "--json")
    assert code == 0, out
    total = next(r for r in json.loads(out) if r["decided by"] == "total")
    assert total["Liverpool"] + total["Atalanta"] == pytest.approx(1)
    assert 0 < total["Liverpool"] < 0.2  # a comeback from 0-3 at home: possible, not likely
    code, out = run("tie", "Liverpool", "Atalanta", "--first-leg", "Liverpool 3-0 Roma", "--db", str(synced_db))
    assert code == 2 and "not the tie's clubs" in out


def test_bracket_europa_league(synced_db):
    code, out = run("bracket", "UEL", "2023-24", "--as-of", "2024-04-12", "--sims", "4000", "--db", str(synced_db), "--json")
    assert code == 0, out
    rows = json.loads(out)
    assert len(rows) == 8
    assert sum(r["Winner"] for r in rows) == pytest.approx(1)
    assert sum(r["Semi-final"] for r in rows) == pytest.approx(4)


def test_rotate_json(synced_db, tmp_path):
    chart = tmp_path / "rotation.png"
    code, out = run("rotate", "Liverpool", "--as-of", "2024-04-15", "--sims", "2000", "--no-sensitivity",
                    "--chart", str(chart), "--db", str(synced_db), "--json")
    assert code == 0, out
    result = json.loads(out)
    plans = {p["plan"]: p for p in result["plans"]}
    assert {"all in league", "all in Europe", "balanced"} <= set(plans)
    assert result["best"] in plans and "Best plan" in result["summary"]
    assert chart.read_bytes()[:4] == b"\x89PNG"
    code, out = run("rotate", "Liverpool", "--as-of", "2024-04-15", "--weights", "title=banana", "--db", str(synced_db))
    assert code == 2


def test_case_study_is_generated(synced_db, tmp_path):
    output = tmp_path / "case.md"
    code, out = run("case-study", "--sims", "1000", "--output", str(output), "--db", str(synced_db))
    assert code == 0, out
    text = output.read_text()
    for date in ("2024-04-10", "2024-04-12", "2024-04-15"):
        assert f"## As of {date}" in text
    assert "Atalanta went through, 3-1 on aggregate" in text
    assert "Liverpool finished 3rd on 82 points" in text
    assert "Atalanta won the final" in text


def test_demo_end_to_end(shared_data, tmp_path):
    code, out = run("demo", "--mirror", str(shared_data), "--sims", "2000", "--db", str(tmp_path / "demo.duckdb"))
    assert code == 0, out
    for step in ("Sync", "table on 14 April", "comeback from 0-3", "Title odds", "Who is top", "Rest the first team"):
        assert step in out
    assert "demo finished" in out


def test_validate_ties_writes_the_report(shared_data, tmp_path):
    output = tmp_path / "validation.md"
    code, out = run("validate-ties", "--data", str(shared_data), "--output", str(output))
    assert code == 0, out
    assert "Brier" in output.read_text()


def test_fatigue_estimate(synced_db):
    code, out = run("fatigue", "E0", "SP1", "I1", "D1", "F1", "--db", str(synced_db), "--json")
    assert code == 0, out
    rows = {r["effect"]: r for r in json.loads(out)}
    strength = rows["strength (attack - conceded)"]
    assert strength["n"] > 100 and 0 < strength["se"] < 0.2


def test_backtest_command(synced_db):
    code, out = run("backtest", "E0", "--seasons", "2023-24", "--start", "2024-03-01", "--models", "poisson",
                    "--jobs", "1", "--no-save", "--db", str(synced_db), "--json")
    assert code == 0, out
    rows = {r["model"]: r for r in json.loads(out)}
    assert {"base_rates", "poisson", "market_close", "market_pre"} <= set(rows)
    assert rows["poisson"]["n"] == rows["market_close"]["n"] > 50
    assert rows["market_close"]["rps"] < rows["base_rates"]["rps"]
    code, out = run("backtest", "E0", "--models", "nonsense", "--db", str(synced_db))
    assert code == 2 and "dixon-coles" in out


def test_cross_league_answers_say_how_the_leagues_are_linked(synced_db):
    code, out = run("tie", "Atalanta", "Liverpool", "--first-leg", "Liverpool 0-3 Atalanta", "--as-of", "2024-04-12",
                    "--db", str(synced_db), "--json")
    assert code == 0, out
    row = json.loads(out)[0]
    assert (row["home_league"], row["away_league"]) == ("E0", "I1")
    assert 0 < row["league_link_sd"] < 1 and row["league_link_matches"] > 0 and isinstance(row["weak_link"], bool)
    code, out = run("tie", "Atalanta", "Liverpool", "--first-leg", "Liverpool 0-3 Atalanta", "--as-of", "2024-04-12",
                    "--db", str(synced_db))
    assert code == 0 and "E0-I1 link: offset sd" in out
    code, out = run("ratings", "SP1", "--as-of", "2024-04-14", "--db", str(synced_db), "--json", "--top", "3")
    assert code == 0, out
    rows = json.loads(out)
    assert all(0 < r["league_offset_sd"] < 1 and isinstance(r["weak_link"], bool) for r in rows)
