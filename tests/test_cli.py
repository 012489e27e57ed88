"""The `matchday` command: output, filters and clear errors (exit code 2, no traceback)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from matchday import cli
from matchday.inputs import DEFAULT_MODEL

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
    document = json.loads(out)
    rows = {(r["market"], r["selection"]): r["probability"] for r in document["rows"] if r["line"] is None}
    assert document["basis"]["model"] == DEFAULT_MODEL and document["basis"]["as_of"] == "2024-04-10"
    assert document["competition"] == "UEL"
    one_x_two = [rows[("1X2", s)] for s in ("Home", "Draw", "Away")]
    assert abs(sum(one_x_two) - 1) < 1e-9
    from matchday.data.store import Store

    with Store(db, read_only=True) as store:
        logged = store.forecasts()
    assert len(logged) == 1 and logged.loc[0, "competition"] == "UEL"
    assert logged.loc[0, "p_home"] == pytest.approx(one_x_two[0])


def assert_basis_matches_the_store(basis: dict, db, as_of: str, *, sims: int, seed: int) -> None:
    """The basis of a forecast states the model, as-of, simulations, seed and the training window actually
    used: its match counts per competition are the store's played matches of those seasons up to as-of."""
    import datetime as dt

    from matchday.data.store import Store
    from matchday.models.training import training_seasons

    assert basis["model"] == DEFAULT_MODEL and basis["as_of"] == as_of
    assert basis["sims"] == sims and basis["seed"] == seed
    training = basis["training"]
    day = dt.date.fromisoformat(as_of)
    assert training["default_seasons"] == training_seasons(day)
    with Store(db, read_only=True) as store:
        stored = store.matches(None, training["default_seasons"], played=True, until=day)
    stored = stored[stored["status"] != "awarded"]
    assert training["seasons"] == sorted(stored["season"].unique())
    assert {c: v["matches"] for c, v in training["competitions"].items()} == stored["competition"].value_counts().to_dict()
    assert training["matches"] == len(stored)
    # the synced store holds 2022-23 and 2023-24 only: shorter than the default three seasons, and said so
    assert training["short_window"] and training["missing_seasons"] == ["2021-22"]
    assert any("shorter than the model's default" in w for w in basis["warnings"])


def test_ratings_top_attacks(synced_db):
    code, out = run("ratings", "E0", "--as-of", "2024-04-14", "--db", str(synced_db), "--json", "--top", "5")
    assert code == 0, out
    rows = json.loads(out)["rows"]
    assert len(rows) == 5 and rows[0]["rank"] == 1
    assert {"Manchester City", "Arsenal", "Liverpool"} <= {r["club"] for r in rows}


def test_simulate_and_whatif(synced_db, tmp_path):
    png = tmp_path / "heat.png"
    code, out = run("simulate", "E0", "2023-24", "--as-of", "2024-04-15", "--sims", "3000", "--seed", "1",
                    "--db", str(synced_db), "--json", "--heatmap", str(png))
    assert code == 0, out
    document = json.loads(out)
    rows = document["rows"]
    assert abs(sum(r["p_title"] for r in rows) - 1) < 1e-9
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert_basis_matches_the_store(document["basis"], synced_db, "2024-04-15", sims=3000, seed=1)
    europe = document["definitions"]["europe"]
    assert europe["places"] == 7 and "cup winners' berths" in europe["definition"]  # E0 2023-24: 4 + 2 + 1
    code, out = run("whatif", "E0", "--as-of", "2024-04-15", "--given", "Fulham v Liverpool: away win",
                    "--given", "Wolves v Arsenal: not away win", "--ask", "top", "--sims", "2000",
                    "--db", str(synced_db), "--json")
    assert code == 0, out
    top = {r["club"]: r for r in json.loads(out)["rows"]}
    assert top["Liverpool"]["p_top_if"] == 1.0 and top["Liverpool"]["p_top_baseline"] < 1.0
    code, out = run("whatif", "E0", "--as-of", "2024-04-15", "--given", "Liverpool v Crystal Palace: home win",
                    "--db", str(synced_db))
    assert code == 2 and "already played on 2024-04-14" in out


def test_tie_after_first_leg(synced_db):
    code, out = run("tie", "Atalanta", "Liverpool", "--first-leg", "Liverpool 0-3 Atalanta", "--as-of", "2024-04-12",
                    "--db", str(synced_db), "--json")
    assert code == 0, out
    total = next(r for r in json.loads(out)["odds"] if r["decided by"] == "total")
    assert total["Liverpool"] + total["Atalanta"] == pytest.approx(1)
    assert 0 < total["Liverpool"] < 0.2  # a comeback from 0-3 at home: possible, not likely
    code, out = run("tie", "Liverpool", "Atalanta", "--first-leg", "Liverpool 3-0 Roma", "--db", str(synced_db))
    assert code == 2 and "not the tie's clubs" in out


def test_bracket_europa_league(synced_db):
    code, out = run("bracket", "UEL", "2023-24", "--as-of", "2024-04-12", "--sims", "4000", "--db", str(synced_db), "--json")
    assert code == 0, out
    document = json.loads(out)
    rows = document["rows"]
    assert document["basis"]["sims"] == 4000 and document["basis"]["seed"] == 0
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
    assert_basis_matches_the_store(result["basis"], synced_db, "2024-04-15", sims=2000, seed=0)
    assert result["objectives"]["trophy"] == "win the UEFA Europa League"
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


def test_demo_end_to_end_and_it_agrees_with_the_case_study(shared_data, tmp_path):
    """Old: the demo synced two seasons while the model trains on three, so it printed a 5.4% comeback chance
    where the case study printed 8.5%. The demo now syncs the model's window (and says nothing is short), and
    the case study computed on the demo's store prints the same number."""
    import re

    db = tmp_path / "demo.duckdb"
    code, out = run("demo", "--mirror", str(shared_data), "--sims", "2000", "--db", str(db))
    assert code == 0, out
    for step in ("Sync", "table on 14 April", "comeback from 0-3", "Title odds", "Who is top", "Rest the first team"):
        assert step in out
    assert "demo finished" in out
    assert "shorter than the model's default" not in " ".join(out.split())
    comeback = out[out.index("comeback from 0-3"):]
    total = next(line for line in comeback.splitlines() if line.startswith("│ total"))
    demo_liverpool = re.findall(r"(\d+\.\d)%", total)[0]  # columns: Liverpool, Atalanta
    report = tmp_path / "case.md"
    code, out = run("case-study", "--sims", "300", "--output", str(report), "--db", str(db))
    assert code == 0, out
    text = report.read_text()
    after = text[text.index("## As of 2024-04-12"):text.index("## As of 2024-04-15")]
    case_liverpool = re.search(r"after Liverpool 0-3 Atalanta: P\(Liverpool through\) = (\d+\.\d)%", after).group(1)
    assert demo_liverpool == case_liverpool
    assert "shorter than the model's default" not in text


def test_validate_ties_writes_the_report(synced_db, shared_data, tmp_path):
    output = tmp_path / "validation.md"
    code, out = run("validate-ties", "--db", str(synced_db), "--seasons", "2023-24", "--data", str(shared_data),
                    "--output", str(output))
    assert code == 0, out
    text = output.read_text()
    assert "Brier" in text and "log loss" in text and "## What was left out, and why" in text
    # it names what it read, and only that: UCL, UEL and UECL 2023-24 from this store
    assert "UCL 2023-24 to 2023-24 (1 seasons" in text and "1955-56" not in text.split("## Scores")[0]
    # the data folder holds files this store never imported, and the report says which
    assert "the store does not hold" in text and "2011-12/cl.txt" in text
    from matchday.data.store import Store

    Store(tmp_path / "empty.duckdb").close()
    code, out = run("validate-ties", "--db", str(tmp_path / "empty.duckdb"), "--data", str(shared_data),
                    "--output", str(tmp_path / "x.md"))
    assert code == 2 and "no two-legged ties" in out


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


# --- issue 9: the generic error path, --db, sync exit codes; issue 8 item 10: statuses in listings ----------

import os  # noqa: E402
from pathlib import Path  # noqa: E402


def main_run(capsys, monkeypatch, *args: str) -> tuple[int, str, str]:
    """Run like the console script (``main()``): (exit code, stdout, stderr)."""
    monkeypatch.setattr("sys.argv", ["matchday", *args])
    monkeypatch.setenv("COLUMNS", "300")
    code = 0
    try:
        cli.main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_error(code: int, err: str, *needles: str) -> None:
    """Exit 2 and the error in one line, the last on stderr; lines before it may only be the informational
    notes commands print as they go (the as-of date chosen, a cached model fit), never a traceback."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, err
    assert "Traceback" not in err and lines and lines[-1].startswith("error: "), err
    assert sum(line.startswith("error") for line in lines) == 1, err
    for needle in needles:
        assert needle in lines[-1], (needle, lines[-1])


@pytest.mark.parametrize("command", [["status"], ["table", "E0", "2023-24"], ["conflicts"],
                                     ["predict", "Liverpool", "Arsenal", "--as-of", "2024-04-10"],
                                     ["sync", "E0", "--seasons", "2023-24", "--mirror", "/nonexistent-mirror"]])
@pytest.mark.parametrize("kind", ["text file", "folder", "empty", "dev null"])
def test_db_that_cannot_be_a_store(capsys, monkeypatch, tmp_path, command, kind):
    """Old: duckdb IOException / CatalogException tracebacks (and an empty --db gave an in-memory store)."""
    target = {"text file": tmp_path / "notes.txt", "folder": tmp_path, "empty": "", "dev null": "/dev/null"}[kind]
    if kind == "text file":
        target.write_text("hello\n")
    code, _, err = main_run(capsys, monkeypatch, *command, "--db", str(target))
    assert_one_line_error(code, err)
    assert "store" in err or "--db" in err


def test_db_in_a_folder_that_cannot_be_written(capsys, monkeypatch):
    code, _, err = main_run(capsys, monkeypatch, "sync", "E0", "--db", "/proc/matchday-test/store.duckdb")
    assert_one_line_error(code, err, "/proc/matchday-test")


def test_read_only_store_with_a_writing_command(capsys, monkeypatch, synced_db, tmp_path):
    copy = tmp_path / "ro.duckdb"
    copy.write_bytes(Path(synced_db).read_bytes())
    copy.chmod(0o444)
    if os.geteuid() == 0:  # root may write anything: make the permission check see what a user would
        real_access = os.access
        monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if (Path(p) == copy and mode & os.W_OK)
                            else real_access(p, mode, **kw))
    code, _, err = main_run(capsys, monkeypatch, "predict", "Liverpool", "Arsenal", "--as-of", "2024-04-10",
                            "--db", str(copy))
    assert_one_line_error(code, err, "read-only")
    code, out, _ = main_run(capsys, monkeypatch, "status", "--db", str(copy), "--json")  # reading still works
    assert code == 0 and json.loads(out)


def test_a_100000_character_source_url(capsys, monkeypatch, tmp_path):
    code, _, err = main_run(capsys, monkeypatch, "sync", "E0", "--db", str(tmp_path / "s.duckdb"),
                            "--source", "football-data=http://127.0.0.1:9/" + "x" * 100_000)
    assert_one_line_error(code, err, "100,019 characters long")
    assert len(err) < 600


def test_sync_nothing_found_exits_non_zero(capsys, monkeypatch, shared_data, tmp_path):
    """Old: "synced 0 files", exit 0, for a wrong mirror or seasons nobody has."""
    code, _, err = main_run(capsys, monkeypatch, "sync", "E0", "--seasons", "2030-31", "--mirror", str(shared_data),
                            "--db", str(tmp_path / "s.duckdb"))
    assert_one_line_error(code, err, "nothing found for E0 2030-31", "mmz4281/3031/E0.csv")
    # champs.csv holds every European Cup season from 1955: found, but nothing of 1800-01 in it
    code, _, err = main_run(capsys, monkeypatch, "sync", "UCL", "--seasons", "1800-01", "--mirror", str(shared_data),
                            "--db", str(tmp_path / "s.duckdb"))
    assert_one_line_error(code, err, "nothing found for UCL in 1800-01", "champs.csv) hold no match")
    code, _, err = main_run(capsys, monkeypatch, "sync", "E0", "--mirror", str(tmp_path / "missing"),
                            "--db", str(tmp_path / "s.duckdb"))
    assert_one_line_error(code, err, "does not exist")


def test_sync_summary_names_what_it_left_out_and_exit_code_3_for_left_out_files(capsys, monkeypatch, shared_data,
                                                                                tmp_path):
    db = str(tmp_path / "s.duckdb")
    args = ("sync", "UCL", "UEL", "--seasons", "2024-25", "--mirror", str(shared_data), "--db", db)
    code, out, err = main_run(capsys, monkeypatch, *args)
    assert code == 0, err  # every file of the shared data imports
    # cl.txt 189 + clq.txt 90 + el.txt 189 + elq.txt 80 (data README); uefa.cl.json: the same UCL matches
    assert "548 added" in out and "left out (unreadable)" not in out
    assert "skipped as missing (not published by the source): 1 files: openfootball-json 1 (2024-25/uefa.el.json)" in out
    warned = [line for line in out.splitlines() if line.startswith("warning:") and "impossible shoot-out" in line]
    assert len(warned) == 2 and all("uefa.cl.json" in line and "score 4-4" in line for line in warned)
    code, out, _ = main_run(capsys, monkeypatch, *args)
    assert code == 0 and " 0 added" in out
    # a file no reader can read: exit 2 naming it; --skip-bad-files imports the rest, names it, exit 3
    mirror = tmp_path / "m" / "openfootball" / "champions-league" / "2023-24"
    mirror.mkdir(parents=True)
    (mirror / "el.txt").write_text("= UEFA Europa League 2023/24\n» Final\n  Wed May/22 2024\n"
                                   "    21.00  Atalanta (ITA) v Bayer Leverkusen (GER)  3-0 (1-0) 2-1\n")
    (mirror / "cl.txt").write_text("= UEFA Champions League 2023/24\n» Final\n  Sat Jun/1 2024\n"
                                   "    21.00  Borussia Dortmund (GER) v Real Madrid CF (ESP)  0-2 (0-0)\n")
    bad = ("sync", "UCL", "UEL", "--seasons", "2023-24", "--mirror", str(tmp_path / "m"), "--db",
           str(tmp_path / "b.duckdb"))
    code, _, err = main_run(capsys, monkeypatch, *bad)
    assert_one_line_error(code, err, "el.txt, line 4")
    code, out, err = main_run(capsys, monkeypatch, *bad, "--skip-bad-files")
    assert code == 3, err
    assert "1 added" in out and "left out (unreadable):" in out and "el.txt" in out


def test_cancelled_matches_are_not_fixtures_and_statuses_show(capsys, monkeypatch, shared_data, tmp_path):
    """Old: the two cancelled 2021-22 UEL matches (Spartak Moskva) were listed as still to play."""
    db = tmp_path / "s.duckdb"
    code, _, err = main_run(capsys, monkeypatch, "sync", "UEL", "UECL", "--seasons", "2021-22", "--mirror",
                            str(shared_data), "--db", str(db))
    assert code == 0, err
    code, out = run("fixtures", "UEL", "--season", "2021-22", "--db", str(db), "--json")
    assert code == 0 and json.loads(out) == []
    code, out = run("fixtures", "UEL", "--season", "2021-22", "--as-of", "2022-03-01", "--db", str(db), "--json")
    assert code == 0 and "Spartak Moskva" not in out and json.loads(out)
    code, out = run("results", "UECL", "--season", "2021-22", "--team", "Tottenham", "--db", str(db), "--json",
                    "--limit", "100")
    awarded = [r for r in json.loads(out) if r["status"] == "awarded"]
    assert [(r["home"], r["score"]) for r in awarded] == [("Tottenham Hotspur", "0-3")]


def test_conflicts_lists_odds_changes(capsys, monkeypatch, synced_db):
    code, out = run("conflicts", "--odds", "--db", str(synced_db), "--json")
    assert code == 0 and json.loads(out) == []


def test_an_unexpected_exception_is_one_line_too(capsys, monkeypatch, tmp_path):
    def boom(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(cli, "_db_path", boom)
    code, _, err = main_run(capsys, monkeypatch, "status", "--db", str(tmp_path / "x.duckdb"))
    assert code == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "internal error (a bug in matchday): ZeroDivisionError" in err


def test_messages_quoting_markup_print_as_written(capsys, monkeypatch, tmp_path):
    mirror = tmp_path / "m" / "openfootball" / "champions-league" / "2023-24"
    mirror.mkdir(parents=True)
    (mirror / "el.txt").write_text("= UEFA Europa League 2023/24\n» Final\n  Wed May/22 2024\n"
                                   "    21.00  Atalanta (ITA) v Bayer Leverkusen (GER)  [awarded]\n")
    code, _, err = main_run(capsys, monkeypatch, "sync", "UEL", "--seasons", "2023-24", "--mirror",
                            str(tmp_path / "m"), "--db", str(tmp_path / "s.duckdb"))
    assert_one_line_error(code, err, "el.txt, line 4", "[awarded] without a score")


# --- issue 9 items 4 and 5: simulation counts and seeds; what-if conditions that cannot all hold --------------

SIMULATING = {
    "simulate": ["simulate", "E0", "2023-24", "--as-of", "2024-04-15"],
    "whatif": ["whatif", "E0", "--as-of", "2024-04-15", "--given", "Fulham v Liverpool: away win"],
    "tie": ["tie", "Liverpool", "Atalanta", "--as-of", "2024-04-10"],
    "bracket": ["bracket", "UEL", "2023-24", "--as-of", "2024-04-12"],
    "rotate": ["rotate", "Liverpool", "--as-of", "2024-04-15"],
}


@pytest.mark.parametrize("command", sorted(SIMULATING))
@pytest.mark.parametrize("option", [("--sims", "0"), ("--sims", "-5"), ("--seed", "-1"), ("--sims", "1000000000"),
                                    ("--seed", "4294967296"), ("--sims", "many")])
def test_simulation_counts_and_seeds_out_of_range_are_one_line(capsys, monkeypatch, tmp_path, command, option):
    """Old: tracebacks (ValueError, IndexError after a 0-row simulation) or a 35 GiB allocation. Checked before
    the store is opened: the --db here does not exist."""
    if command == "tie" and option == ("--sims", "0"):
        pytest.skip("tie --sims 0 is valid: the exact answer alone")
    code, _, err = main_run(capsys, monkeypatch, *SIMULATING[command], *option, "--db", str(tmp_path / "none.duckdb"))
    assert_one_line_error(code, err, option[0])
    if option[1] != "many":
        assert "give a whole number from" in err


def test_rotate_needs_two_futures(capsys, monkeypatch, tmp_path):
    code, _, err = main_run(capsys, monkeypatch, *SIMULATING["rotate"], "--sims", "1", "--db", str(tmp_path / "x"))
    assert_one_line_error(code, err, "from 2 to 10,000,000", "paired standard errors")


def test_usage_errors_are_one_line_too(capsys, monkeypatch):
    for args, needle in ((["simulate"], "Missing argument"), (["nosuch"], "No such command"),
                         (["status", "--bogus"], "No such option"), (["--lock-wait", "-1", "status"], "--lock-wait")):
        code, _, err = main_run(capsys, monkeypatch, *args)
        assert_one_line_error(code, err, needle)
        assert "--help" in err


def test_tie_sims_zero_is_the_exact_answer_alone(capsys, monkeypatch, synced_db):
    code, out, err = main_run(capsys, monkeypatch, "tie", "Liverpool", "Atalanta", "--as-of", "2024-04-10", "--sims",
                              "0", "--db", str(synced_db), "--json")
    assert code == 0, err
    assert "(MC)" not in out and json.loads(out)


@pytest.mark.parametrize(("given", "needles"), [
    (["Fulham v Liverpool: 0-2", "Fulham v Liverpool: home win"],
     ["'Fulham v Liverpool: 0-2' and 'Fulham v Liverpool: home win' contradict each other"]),
    (["Fulham v Liverpool: 25-0"], ["'Fulham v Liverpool: 25-0' leaves no possible score", "0 to 10 goals a side"]),
    (["Fulham v Liverpool: Liverpool win by 11"], ["leaves no possible score", "10 meaning 10 or more"]),
    (["Fulham v Liverpool: not draw", "Fulham v Liverpool: not home win", "Fulham v Liverpool: not away win"],
     ["contradict each other: no score of that fixture meets them all"]),
    (["Fulham v Liverpool: home win", "Fulham v Liverpool: away win"], ["contradict each other"]),
])
def test_whatif_conditions_that_leave_no_score(capsys, monkeypatch, synced_db, given, needles):
    """Old: ValueError tracebacks ("leaves no possible score"), naming neither the conflict nor the grid."""
    args = ["whatif", "E0", "--as-of", "2024-04-15", "--sims", "100", "--db", str(synced_db)]
    for text in given:
        args += ["--given", text]
    code, _, err = main_run(capsys, monkeypatch, *args)
    assert_one_line_error(code, err, *needles)


def test_whatif_conditions_that_can_all_hold(capsys, monkeypatch, synced_db):
    """Two conditions on one fixture are both applied (away win and 0-2: the 0-2); a club named in two
    fixtures is fine."""
    args = ["whatif", "E0", "--as-of", "2024-04-15", "--sims", "200", "--ask", "table", "--db", str(synced_db),
            "--json", "--given", "Fulham v Liverpool: away win", "--given", "Fulham v Liverpool: 0-2",
            "--given", "Liverpool v Tottenham: Liverpool win", "--given", "Liverpool v Tottenham: Liverpool win"]
    code, out, err = main_run(capsys, monkeypatch, *args)
    assert code == 0, err
    assert json.loads(out)


def test_whatif_condition_after_the_until_date(capsys, monkeypatch, synced_db):
    """Old: int(NaN) ValueError traceback while writing "already played"."""
    code, _, err = main_run(capsys, monkeypatch, "whatif", "E0", "--as-of", "2024-04-15", "--until", "2024-04-21",
                            "--given", "Aston Villa v Liverpool: home win", "--sims", "100", "--db", str(synced_db))
    assert_one_line_error(code, err, "after the date the question stops at (2024-04-21)")


def test_simulated_conditions_hold_in_every_simulation(synced_db):
    from matchday.data.registry import TeamRegistry
    from matchday.models.training import fit_model
    from matchday.simulate.conditions import parse_condition, to_fixture_conditions
    from matchday.simulate.season import simulate_season, split_fixtures

    as_of = dt.date(2024, 4, 15)
    with cli.open_store(Path(synced_db)) as store:
        season = store.matches(["E0"], ["2023-24"])
        model = fit_model("dixon-coles", store, as_of)
    parsed = [parse_condition(t, TeamRegistry.load().require) for t in
              ("Fulham v Liverpool: Liverpool win", "Fulham v Liverpool: 0-2")]
    conditions = to_fixture_conditions(parsed, season, split_fixtures(season, as_of)[1], as_of, str)
    sim = simulate_season(season, model, "E0", "2023-24", as_of=as_of, conditions=conditions, n_sims=300, seed=0,
                          record=[("fulham", "liverpool")])
    home, away = sim.recorded[("fulham", "liverpool")]
    assert (home == 0).all() and (away == 2).all()


# --- found by the CLI property test (tests/test_cli_property.py): each was an `internal error` (exit 1) --------

@pytest.mark.parametrize(("args", "needles"), [
    (["ratings", "E0", "--as-of", "2024-04-15", "--model", "shots-dixon-coles", "--top", "3"], []),
    (["backtest", "E0", "--refit", "bogus", "--no-save"], ["unknown --refit 'bogus'", "weekly"]),
    (["simulate", "E0", "2023-24", "--as-of", "2024-04-15", "--sims", "10", "--heatmap", "out.csv"],
     ["a chart cannot be written as .csv", ".png"]),
    (["simulate", "E0", "2023-24", "--as-of", "2024-04-15", "--sims", "10", "--heatmap", "missing/out.png"],
     ["the folder missing does not exist"]),
    (["rotate", "Liverpool", "--as-of", "2024-04-15", "--sims", "10", "--chart", "."], ["is a folder"]),
    (["calibrate-seasons", "E0", "--seasons", "2023-24", "--model", "", "--sims", "3"], ["unknown model ''"]),
    (["calibrate-seasons", "E0", "--seasons", "2024-25", "--sims", "3"], ["nothing to evaluate"]),  # no bar left
    (["fatigue", "E0", "--max-rest-days", "1"], ["1-1 days after a UEFA match", "cannot be estimated"]),
    (["tie", "Man City", "Manchester City", "--as-of", "2024-04-10"], ["two different clubs"]),
    (["rotate", "Bayer Leverkusen", "--as-of", "2024-05-19", "--sims", "3", "--no-sensitivity"], []),  # no league match left
    (["table", "G1", "2023/24", "--as-of", "2023-08-11"], []),  # before the first match of a split season
    (["validate-ties", "--model", "Dixon-Coles", "--seasons", "2023-24", "--output", "v.md"],
     ["unknown model 'Dixon-Coles'"]),
    (["sweep", "binary.bin", "--no-save"], ["binary.bin: not a text file", "TOML"]),
    (["check-scale", "--seasons", "2024-25", "--output", "c.md"], ["no played UEFA match of 2024-25 in the store"]),
])
def test_what_the_property_test_found(capsys, monkeypatch, synced_db, tmp_path, args, needles):
    import shutil

    db = tmp_path / "copy.duckdb"
    shutil.copy(synced_db, db)
    (tmp_path / "binary.bin").write_bytes(bytes(range(256)))
    monkeypatch.chdir(tmp_path)
    code, _, err = main_run(capsys, monkeypatch, *args, "--db", str(db))
    if not needles:
        assert code == 0, err
        return
    assert_one_line_error(code, err, *needles)


# --- issue 8 items 7, 8, 10: dates from the store, what every answer rests on, wording ----------------------

def latest_played(db, competitions=None, teams=None) -> str:
    from matchday.data.store import Store

    with Store(db, read_only=True) as store:
        frame = store.matches(competitions, None, played=True, teams=teams)
    return frame["date"].max().date().isoformat()


def test_without_as_of_the_latest_stored_day_is_used_and_said(capsys, monkeypatch, synced_db):
    """Old: today (2026) was used: 'unknown season for E0 2026-27' while the store held 2023-24."""
    latest = latest_played(synced_db, ["E0"])
    code, out, err = main_run(capsys, monkeypatch, "simulate", "E0", "--sims", "300", "--db", str(synced_db), "--json")
    assert code == 0, err
    assert f"as of {latest}: the latest day with a played E0 match in the store" in err
    document = json.loads(out)
    assert document["basis"]["as_of"] == latest and document["season"] == "2023-24"
    assert document["n_remaining"] == 0  # the season is over on that day: said in the caption
    code, out, err = main_run(capsys, monkeypatch, "simulate", "E0", "--sims", "300", "--db", str(synced_db))
    assert "nothing left to play on that date: the table is final" in " ".join(out.split())
    code, out, err = main_run(capsys, monkeypatch, "ratings", "UEL", "--db", str(synced_db), "--json")
    assert code == 0, err
    assert json.loads(out)["basis"]["as_of"] == latest_played(synced_db, ["UEL"])
    code, out, err = main_run(capsys, monkeypatch, "rotate", "Liverpool", "--sims", "200", "--no-sensitivity",
                              "--db", str(synced_db))
    club_latest = latest_played(synced_db, teams=["liverpool"])
    lines = [line for line in err.splitlines() if line.strip()]  # the as-of line, then the one-line error
    assert code == 2 and "Traceback" not in err and len(lines) == 2, err
    assert lines[0].startswith(f"as of {club_latest}: the latest day with a played Liverpool match")
    assert lines[1].startswith(f"error: Liverpool have no match left to play after {club_latest}")


def test_messages_stay_true_on_a_date_beyond_the_store(capsys, monkeypatch, synced_db):
    code, _, err = main_run(capsys, monkeypatch, "simulate", "E0", "--as-of", "2026-11-30", "--db", str(synced_db))
    assert_one_line_error(code, err, "no E0 matches of 2026-27 (the season running on 2026-11-30)",
                          "it holds E0 2022-23 to 2023-24")
    assert "unknown season" not in err
    code, _, err = main_run(capsys, monkeypatch, "predict", "Liverpool", "Arsenal", "--as-of", "2026-11-30",
                            "--db", str(synced_db))
    first, last = latest_played_range(synced_db)
    assert_one_line_error(code, err, "2024-25 to 2026-27 (the training window)",
                          f"holds played matches from {first} to {last}")
    assert "run `matchday sync` first" not in err
    code, out, err = main_run(capsys, monkeypatch, "fixtures", "E0", "--db", str(synced_db))
    assert code == 0 and f"its latest played match is on {latest_played(synced_db, ['E0'])}" in err


def latest_played_range(db) -> tuple[str, str]:
    from matchday.data.store import Store

    with Store(db, read_only=True) as store:
        dates = store.matches(None, None, played=True)["date"]
    return dates.min().date().isoformat(), dates.max().date().isoformat()


def test_pre_season_table_is_every_club_on_zero(capsys, monkeypatch, synced_db):
    code, out = run("table", "E0", "2023-24", "--as-of", "2023-07-01", "--db", str(synced_db), "--json")
    assert code == 0, out
    rows = json.loads(out)
    assert len(rows) == 20 and {r["points"] for r in rows} == {0} and {r["played"] for r in rows} == {0}
    assert [r["club"] for r in rows] == sorted(r["club"] for r in rows)
    code, out, err = main_run(capsys, monkeypatch, "table", "E0", "2023-24", "--as-of", "2023-07-01",
                              "--db", str(synced_db))
    assert code == 0 and "the pre-season table, every club on 0 points" in " ".join(out.split())


def test_same_club_twice_and_version(capsys, monkeypatch, synced_db):
    code, _, err = main_run(capsys, monkeypatch, "predict", "Liverpool", "Liverpool FC", "--as-of", "2024-04-10",
                            "--db", str(synced_db))
    assert_one_line_error(code, err, "are the same club (liverpool)")
    code, _, err = main_run(capsys, monkeypatch, "tie", "Atalanta", "atalanta", "--db", str(synced_db))
    assert_one_line_error(code, err, "are the same club (atalanta)")
    from matchday import __version__

    code, out, _ = main_run(capsys, monkeypatch, "--version")
    assert code == 0 and out.strip() == f"matchday {__version__}"


def test_forecast_captions_state_the_basis(capsys, monkeypatch, synced_db):
    code, out, err = main_run(capsys, monkeypatch, "tie", "Atalanta", "Liverpool", "--first-leg",
                              "Liverpool 0-3 Atalanta", "--as-of", "2024-04-12", "--db", str(synced_db))
    assert code == 0, err
    text = " ".join(out.split())
    assert f"Based on {DEFAULT_MODEL} as of 2024-04-12, fitted on" in text and "matches of 2022-23 to 2023-24" in text
    assert "E0 " in text and "UEL " in text
    assert "shorter than the model's default of 3 seasons (2021-22 to 2023-24)" in text
    code, out, err = main_run(capsys, monkeypatch, "simulate", "E0", "2023-24", "--as-of", "2024-04-15",
                              "--sims", "300", "--db", str(synced_db))
    text = " ".join(out.split())
    assert "europe = finishing 1st to 7th (7 places: 4 Champions League, 2 Europa League, 1 Conference League)" in text
    assert "300 simulations, seed 0" in text


def test_whatif_prints_percentages_and_fits_100_columns(synced_db):
    """Run as a user would, in a 100-column terminal: one line per club, no cell wrapped, simulate's numbers."""
    import subprocess
    import sys

    args = ["E0", "2023-24", "--as-of", "2024-04-15", "--sims", "2000", "--seed", "3", "--db", str(synced_db)]
    env = {**os.environ, "COLUMNS": "100"}
    result = subprocess.run([sys.executable, "-m", "matchday.cli", "whatif", *args, "--given",
                             "Fulham v Liverpool: away win"], capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 100
    rows = [line for line in lines if line.startswith("│")]
    assert len(rows) == 20, result.stdout  # one line per club: nothing wrapped
    header = next(line for line in lines if line.startswith("┃"))
    assert "title %" in header and "releg. %" in header
    code, out = run("simulate", *args, "--json")
    baseline = {r["club"]: r["p_title"] for r in json.loads(out)["rows"]}
    city = next(line for line in rows if "Manchester City" in line)
    assert f"{100 * baseline['Manchester City']:.1f}→" in city  # the baseline is simulate's number, as simulate shows it
    liverpool = next(line for line in rows if "Liverpool" in line)
    assert f"{100 * baseline['Liverpool']:.1f}→" in liverpool


def test_the_default_model_is_combined_and_says_when_it_falls_back(synced_db, tmp_path):
    import shutil

    db = tmp_path / "copy.duckdb"
    shutil.copy(synced_db, db)
    # Sparta Prague's league is not in the data: the fixture is the goal model's, and the command says so
    result = runner.invoke(cli.app, ["predict", "Liverpool", "Sparta Prague", "--as-of", "2024-03-01", "--db",
                                     str(db)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "combined, as of 2024-03-01" in result.stdout
    assert "use the goal model alone" in result.stderr
    assert "have no league match in the data" in result.stderr  # the fit's own note
    plain = runner.invoke(cli.app, ["predict", "Liverpool", "Sparta Prague", "--as-of", "2024-03-01", "--db", str(db),
                                    "--model", "dixon-coles"], catch_exceptions=False)
    assert plain.exit_code == 0 and "goal model alone" not in plain.stderr
    league = runner.invoke(cli.app, ["predict", "Liverpool", "Arsenal", "--as-of", "2024-03-01", "--db", str(db)],
                           catch_exceptions=False)
    assert league.exit_code == 0 and "goal model alone" not in league.stderr


def test_cross_league_answers_say_how_the_leagues_are_linked(synced_db, tmp_path):
    code, out = run("tie", "Atalanta", "Liverpool", "--first-leg", "Liverpool 0-3 Atalanta", "--as-of", "2024-04-12",
                    "--db", str(synced_db), "--json")
    assert code == 0, out
    row = json.loads(out)["tie"]  # the tie's description carries the link fields
    assert (row["home_league"], row["away_league"]) == ("E0", "I1")
    assert 0 < row["league_link_sd"] < 1 and row["league_link_matches"] > 0 and isinstance(row["weak_link"], bool)
    code, out = run("tie", "Atalanta", "Liverpool", "--first-leg", "Liverpool 0-3 Atalanta", "--as-of", "2024-04-12",
                    "--db", str(synced_db))
    assert code == 0 and "E0-I1 link: offset sd" in out
    code, out = run("ratings", "SP1", "--as-of", "2024-04-14", "--db", str(synced_db), "--json", "--top", "3")
    assert code == 0, out
    rows = json.loads(out)["rows"]
    assert len(rows) == 3 and all(0 < r["league_offset_sd"] < 1 and isinstance(r["weak_link"], bool) for r in rows)
    import shutil

    copy = tmp_path / "copy.duckdb"  # predict logs its forecast
    shutil.copy(synced_db, copy)
    code, out = run("predict", "Liverpool", "Atalanta", "--as-of", "2024-04-10", "--db", str(copy), "--json")
    document = json.loads(out)
    assert code == 0 and (document["home_league"], document["away_league"]) == ("E0", "I1")
