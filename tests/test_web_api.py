"""The JSON API (FastAPI TestClient) on a real store: the same numbers as the CLI for the same question,
probability invariants, the heavy-question job flow, and clear 4xx errors for bad input on every endpoint."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import time

import pytest
from typer.testing import CliRunner

from matchday import cli
from matchday.inputs import DEFAULT_MODEL

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

runner = CliRunner()
AS_OF = "2024-04-15"


def run_cli(*args: str):
    try:
        result = runner.invoke(cli.app, list(args), catch_exceptions=False)
    except cli.MatchdayError as exc:
        return 2, str(exc)
    return result.exit_code, (result.stdout if result.exit_code == 0 else result.output)


@pytest.fixture(scope="module")
def web_db(synced_db, tmp_path_factory):
    """A private copy of the synced store (2022-23 and 2023-24) with one walk-forward backtest in its log."""
    path = tmp_path_factory.mktemp("web") / "matchday.duckdb"
    shutil.copy(synced_db, path)
    code, out = run_cli("backtest", "E0", "--seasons", "2023-24", "--models", "elo,dixon-coles", "--start",
                        "2024-03-01", "--jobs", "1", "--db", str(path), "--json")
    assert code == 0, out
    return path


@pytest.fixture(scope="module")
def client(web_db):
    from matchday.web.app import create_app

    app = create_app(web_db, workers=1)
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client


def get(client, url: str, **params):
    response = client.get(url, params=params)
    assert response.status_code == 200, (url, response.status_code, response.text[:500])
    return response.json()


def cli_doc(*args: str):
    """The CLI's whole JSON document."""
    code, out = run_cli(*args)
    assert code == 0, out
    return json.loads(out)


def cli_json(*args: str):
    """The CLI's JSON rows (a forecast's --json is {"basis": ..., "rows": [...]})."""
    data = cli_doc(*args)
    return data["rows"] if isinstance(data, dict) and "rows" in data else data


# ------------------------------------------------------------------------------------------------ same as CLI
def test_competitions_list_what_is_stored(client):
    view = get(client, "/api/v1/competitions")
    codes = {c["code"]: c for c in view["competitions"]}
    assert {"E0", "SP1", "UEL", "UCL"} <= set(codes)
    assert [s["season"] for s in codes["E0"]["seasons"]] == ["2023-24", "2022-23"]
    assert codes["E0"]["seasons"][0]["matches"] == 380


def test_table_equals_cli(client, web_db):
    view = get(client, "/api/v1/leagues/Premier League/2023-24/table", as_of="2024-04-14")
    expected = cli_json("table", "E0", "2023-24", "--as-of", "2024-04-14", "--db", str(web_db), "--json")
    assert [(r["club"], r["points"], r["goal_difference"]) for r in view["rows"]] == [
        (r["club"], r["points"], r["goal_difference"]) for r in expected]
    assert view["question"] == {"kind": "table", "competition": "E0", "season": "2023-24", "as_of": "2024-04-14"}
    zones = [r["zone"] for r in view["rows"]]
    assert zones[:4] == ["champions_league"] * 4 and zones[-3:] == ["relegation"] * 3


def test_projection_equals_cli_and_adds_up(client, web_db):
    view = get(client, "/api/v1/leagues/E0/2023-24/projection", as_of=AS_OF, sims=3000, seed=7)
    document = cli_doc("simulate", "E0", "2023-24", "--as-of", AS_OF, "--sims", "3000", "--seed", "7",
                       "--db", str(web_db), "--json")
    expected = document["rows"]
    # what the forecast rests on: the CLI's basis, field for field (model, window per competition, sims, seed)
    assert view["basis"] == document["basis"] and view["basis"]["sims"] == 3000 and view["basis"]["seed"] == 7
    assert view["basis_text"].startswith(f"{DEFAULT_MODEL} as of {AS_OF}, fitted on ")
    assert view["basis"]["training"]["short_window"]  # 2021-22 is not in this store: said, not hidden
    assert "shorter than the model's default" in view["basis_text"]
    assert [r["club"] for r in view["rows"]] == [r["club"] for r in expected]
    for mine, theirs in zip(view["rows"], expected, strict=True):
        for key in ("expected_points", "p_title", "p_top4", "p_europe", "p_relegation", "points_p05"):
            assert mine[key] == pytest.approx(theirs[key], abs=1e-9), (mine["club"], key)
    rows = view["rows"]
    assert sum(r["p_title"] for r in rows) == pytest.approx(1.0)
    assert sum(r["p_top4"] for r in rows) == pytest.approx(4.0)
    assert sum(r["p_relegation"] for r in rows) == pytest.approx(3.0)
    matrix = view["positions"]["matrix"]
    assert all(sum(row) == pytest.approx(1.0) for row in matrix)
    assert all(sum(col) == pytest.approx(1.0) for col in zip(*matrix, strict=True))
    # every remaining match hands out 2 (draw) or 3 points
    now, expected_total = sum(r["points"] for r in rows), sum(r["expected_points"] for r in rows)
    remaining = view["n_remaining"]
    assert now + 2 * remaining <= expected_total <= now + 3 * remaining


def test_whatif_equals_cli_and_moves_the_club(client, web_db):
    given = "Fulham v Liverpool: away win"
    view = get(client, "/api/v1/leagues/E0/2023-24/whatif", given=given, as_of=AS_OF, sims=3000, seed=1)
    expected = cli_json("whatif", "E0", "2023-24", "--given", given, "--as-of", AS_OF, "--sims", "3000",
                        "--seed", "1", "--db", str(web_db), "--json")
    by_club = {r["club"]: r for r in expected}
    for row in view["rows"]:
        for metric in view["metrics"]:
            for side in ("baseline", "if"):
                assert row[f"{metric}_{side}"] == pytest.approx(by_club[row["club"]][f"{metric}_{side}"], abs=1e-9)
    liverpool = next(r for r in view["rows"] if r["team"] == "liverpool")
    assert liverpool["p_title_if"] > liverpool["p_title_baseline"]
    assert liverpool["expected_points_if"] > liverpool["expected_points_baseline"]
    assert sum(r["p_title_if"] for r in view["rows"]) == pytest.approx(1.0)
    # the baseline is the projection for the same question
    projection = get(client, "/api/v1/leagues/E0/2023-24/projection", as_of=AS_OF, sims=3000, seed=1)
    assert [r["p_title"] for r in projection["rows"]] == [r["p_title_baseline"] for r in view["rows"]]


def test_tie_equals_cli(client, web_db):
    view = get(client, "/api/v1/tie", team_a="Atalanta", team_b="Liverpool", first_leg="Liverpool 0-3 Atalanta",
               as_of="2024-04-12")
    expected = cli_json("tie", "Atalanta", "Liverpool", "--first-leg", "Liverpool 0-3 Atalanta", "--as-of",
                        "2024-04-12", "--db", str(web_db), "--json")
    assert view["basis"] == expected["basis"]
    total = next(r for r in expected["odds"] if r["decided by"] == "total")
    assert view["p_advance"] == pytest.approx([total["Liverpool"], total["Atalanta"]], abs=1e-9)
    assert sum(view["p_advance"]) == pytest.approx(1.0)
    assert sum(m["a"] + m["b"] for m in view["methods"]) == pytest.approx(1.0)


def test_stored_tie_uses_the_played_first_leg(client):
    view = get(client, "/api/v1/cups/UEL/2023-24/ties/Atalanta/Liverpool", as_of="2024-04-12")
    assert (view["home"], view["away"], view["first_leg"]) == ("liverpool", "atalanta", [0, 3])
    direct = get(client, "/api/v1/tie", team_a="Liverpool", team_b="Atalanta", first_leg="Liverpool 0-3 Atalanta",
                 as_of="2024-04-12", competition="UEL")
    assert view["odds"]["p_advance"] == direct["p_advance"]
    before = get(client, "/api/v1/cups/UEL/2023-24/ties/liverpool/atalanta", as_of="2024-04-10")
    assert before["first_leg"] is None and before["legs"][0]["score"] is None  # not played yet on that date
    after = get(client, "/api/v1/cups/UEL/2023-24/ties/liverpool/atalanta", as_of="2024-04-30")
    assert after["winner"] == "atalanta" and after["odds"] is None


def test_cup_ties_show_known_rounds_only(client):
    view = get(client, "/api/v1/cups/UEL/2023-24/ties", as_of="2024-04-12")
    assert view["current_round"] == "Quarter-final"
    names = [r["name"] for r in view["rounds"]]
    assert "Semi-final" not in names  # its clubs were not known on that date
    current = next(r for r in view["rounds"] if r["current"])
    assert len(current["ties"]) == 4
    for tie in current["ties"]:
        assert sum(tie["p_advance"]) == pytest.approx(1.0)


def test_bracket_equals_cli_and_adds_up(client, web_db):
    view = get(client, "/api/v1/cups/UEL/2023-24/bracket", as_of="2024-04-12", sims=4000, seed=2)
    document = cli_doc("bracket", "UEL", "2023-24", "--as-of", "2024-04-12", "--sims", "4000", "--seed", "2",
                       "--db", str(web_db), "--json")
    expected = document["rows"]
    assert view["format"] == "knockout" and view["basis"] == document["basis"]
    assert {r["club"]: r["Winner"] for r in view["rows"]} == pytest.approx(
        {r["club"]: r["Winner"] for r in expected}, abs=1e-9)
    places = {"Quarter-final": 8, "Semi-final": 4, "Final": 2, "Winner": 1}
    for name, count in places.items():
        assert sum(r[name] for r in view["rows"]) == pytest.approx(count)


def test_ratings_and_forecast_equal_cli(client, web_db, tmp_path):
    view = get(client, "/api/v1/ratings/E0", as_of="2024-04-14", top=5)
    document = cli_doc("ratings", "E0", "--as-of", "2024-04-14", "--top", "5", "--db", str(web_db), "--json")
    expected = document["rows"]
    assert [(r["club"], r["strength"]) for r in view["rows"]] == [
        (r["club"], pytest.approx(r["strength"], abs=1e-9)) for r in expected]
    assert view["basis"] == document["basis"]
    forecast = get(client, "/api/v1/forecast", home="Liverpool", away="Atalanta", as_of="2024-04-10")
    copy = tmp_path / "predict.duckdb"  # predict logs to the store: never into the server's store
    shutil.copy(web_db, copy)
    document = cli_doc("predict", "Liverpool", "Atalanta", "--as-of", "2024-04-10", "--db", str(copy), "--json")
    one_x_two = [r["probability"] for r in document["rows"] if r["market"] == "1X2"]
    assert [forecast["p_home"], forecast["p_draw"], forecast["p_away"]] == pytest.approx(one_x_two, abs=1e-9)
    assert forecast["competition"] == "UEL" and forecast["basis"] == document["basis"]


def test_default_as_of_is_the_latest_played_day_as_the_cli(client, web_db, tmp_path):
    """Without as_of, a question is answered as of the latest day with a played match of what it is about, as the
    CLI answers it, and the answer says so."""
    ratings = get(client, "/api/v1/ratings/E0", top=3)
    document = cli_doc("ratings", "E0", "--top", "3", "--db", str(web_db), "--json")
    assert ratings["as_of"] == document["basis"]["as_of"] == "2024-05-19"
    assert ratings["as_of_note"].startswith("as of 2024-05-19: the latest day with a played E0 match")
    table = get(client, "/api/v1/leagues/E0/2022-23/table")
    assert table["as_of"] == "2023-05-28" and "E0 2022-23" in table["as_of_note"]
    copy = tmp_path / "predict.duckdb"
    shutil.copy(web_db, copy)
    forecast = get(client, "/api/v1/forecast", home="Liverpool", away="Atalanta")
    document = cli_doc("predict", "Liverpool", "Atalanta", "--db", str(copy), "--json")
    assert forecast["as_of"] == document["basis"]["as_of"] and "Liverpool or Atalanta" in forecast["as_of_note"]
    given = get(client, "/api/v1/leagues/E0/2023-24/table", as_of="2024-04-14")
    assert "as_of_note" not in given  # a date the user gave needs no explanation
    page = client.get("/leagues/E0/2022-23/fixtures")
    assert 'id="as-of-note"' in page.text and "2023-05-28" in page.text


def test_fixtures_beside_the_market(client, web_db):
    view = get(client, "/api/v1/leagues/E0/2023-24/fixtures", as_of=AS_OF, limit=60)
    listing = cli_json("fixtures", "E0", "--season", "2023-24", "--as-of", AS_OF, "--limit", "60",
                       "--db", str(web_db), "--json")
    assert [(r["home_club"], r["away_club"]) for r in view["rows"]] == [(r["home"], r["away"]) for r in listing]
    assert len(view["rows"]) == 57
    for row in view["rows"]:
        assert row["p_home"] + row["p_draw"] + row["p_away"] == pytest.approx(1.0, abs=1e-6)
        market = row["market"]
        assert market is not None  # football-data stores pre-match odds for every Premier League match
        assert market["p_home"] + market["p_draw"] + market["p_away"] == pytest.approx(1.0)
        assert row["score_later"] is not None  # the season is complete in the store
    # the model and the market broadly agree on who is favourite
    agree = sum((r["p_home"] > r["p_away"]) == (r["market"]["p_home"] > r["market"]["p_away"]) for r in view["rows"])
    assert agree >= 0.8 * len(view["rows"])


def test_match_markets(client):
    fixtures = get(client, "/api/v1/leagues/E0/2023-24/fixtures", as_of=AS_OF, limit=1)
    match_id, date = fixtures["rows"][0]["match_id"], fixtures["rows"][0]["date"]
    default = get(client, f"/api/v1/matches/E0/2023-24/{match_id}")
    day_before = (dt.date.fromisoformat(date) - dt.timedelta(days=1)).isoformat()
    assert default["as_of"] == day_before  # default: what was known the day before kick-off
    view = get(client, f"/api/v1/matches/E0/2023-24/{match_id}", as_of=AS_OF)
    one_x_two = [m["probability"] for m in view["markets"] if m["market"] == "1X2"]
    assert one_x_two == pytest.approx([fixtures["rows"][0][k] for k in ("p_home", "p_draw", "p_away")], abs=1e-9)
    assert {m["kind"] for m in view["market"]["one_x_two"]} == {"pre", "closing"}
    assert view["market"]["totals"] and all(0 < t["model"] < 1 for t in view["market"]["totals"])
    assert not view["notes"]
    late = get(client, f"/api/v1/matches/E0/2023-24/{match_id}", as_of="2024-05-01")
    assert late["notes"]  # says the model has seen the result


def test_rotation_equals_cli(client, web_db):
    view = get(client, "/api/v1/rotation/Liverpool", as_of=AS_OF, sims=2000, wait=120)
    expected = cli_json("rotate", "Liverpool", "--as-of", AS_OF, "--sims", "2000", "--db", str(web_db), "--json")
    assert view["basis"] == expected["basis"] and view["basis_text"].startswith(f"{DEFAULT_MODEL} as of")
    assert [p["plan"] for p in view["plans"]] == [p["plan"] for p in expected["plans"]]
    assert [p["objective"] for p in view["plans"]] == pytest.approx([p["objective"] for p in expected["plans"]])
    assert view["best"] == expected["best"] and view["summary"] == expected["summary"]
    assert view["stance_flip"]["threshold"] == pytest.approx(expected["stance_flip"]["threshold"])
    assert len(view["stance_curve"]["weight"]) == len(view["stance_curve"]["difference"])


def test_chances_one_point_per_matchday(client):
    view = get(client, "/api/v1/leagues/E0/2023-24/chances", as_of="2023-09-30", sims=500, wait=120)
    days = [p["matchday"] for p in view["points"]]
    assert days[0] == 0 and days == sorted(days)
    assert [p["date"] for p in view["points"]] == sorted(p["date"] for p in view["points"])
    assert view["points"][-1]["date"] <= "2023-09-30"
    for point in view["points"]:
        assert sum(point["p_title"]) == pytest.approx(1.0)
        assert sum(point["p_relegation"]) == pytest.approx(3.0)


def test_backtests_equal_the_cli_backtest(client, web_db):
    view = get(client, "/api/v1/backtests")
    assert len(view["runs"]) == 1 and view["run"] == view["runs"][0]["run_id"]
    rows = {(r["model"], r["competition"], r["season"]): r for r in view["summary"]}
    rps = rows[("dixon-coles", "E0", "2023-24")]
    assert rps["n"] == 122 and rps["vs_market_close"] is not None and rps["se_market_close"] > 0
    assert rps["rps"] - rps["market_close_rps"] == pytest.approx(rps["vs_market_close"])
    calibration = view["calibration"]["dixon-coles"]
    assert sum(b["count"] for b in calibration) == 3 * 122  # home, draw and away pooled


@pytest.fixture(scope="module")
def league_phase_db(shared_data, tmp_path_factory):
    """A store with the Champions League 2024-25 (league phase, then the knockout rounds) from the mirror, and the
    views `matchday update UCL --as-of 2024-12-15 --sims 2000` stored in it."""
    from matchday.data.fetch import Fetcher, SourceURLs
    from matchday.data.store import Store
    from matchday.data.sync import sync

    base = tmp_path_factory.mktemp("ucl2425")
    with Store(base / "matchday.duckdb") as store:
        report = sync(store, ["UCL"], ["2024-25"], urls=SourceURLs.resolve(mirror=str(shared_data)),
                      fetcher=Fetcher(cache_dir=base / "cache"))
    assert report.rejected == []  # every file imports (uefa.cl.json's two 4-4 shoot-outs are left out, named)
    code, out = run_cli("update", "UCL", "--as-of", "2024-12-15", "--sims", "2000", "--db",
                        str(base / "matchday.duckdb"))
    assert code == 0, out
    return base / "matchday.duckdb"


def test_league_phase_season_equals_cli_and_shows_on_the_cup_page(league_phase_db):
    """From 2024-25 the cup page and the API run the league-phase engine as `matchday simulate UCL 2024-25` and
    `matchday bracket UCL 2024-25` do: the same numbers for the same question, and the views `update` stored."""
    from matchday.web.app import create_app

    db = str(league_phase_db)
    with TestClient(create_app(league_phase_db, workers=1), base_url="http://127.0.0.1") as local:
        response = local.get("/api/v1/cups/Champions League/2024-25/table", params={"as_of": "2024-12-15"})
        assert response.status_code == 200, response.text
        view = response.json()
        final = local.get("/api/v1/cups/UCL/2024-25/table").json()
        projection = local.get("/api/v1/cups/UCL/2024-25/projection",
                               params={"as_of": "2024-12-15", "sims": 1500, "seed": 3, "wait": 120}).json()
        bracket = local.get("/api/v1/cups/UCL/2024-25/bracket",
                            params={"as_of": "2025-02-12", "sims": 1500, "seed": 3, "wait": 120}).json()
        stored = local.get("/api/v1/cups/UCL/2024-25/projection", params={"as_of": "2024-12-15"}).json()
        page = local.get("/cups/UCL/2024-25", params={"as_of": "2024-12-15"})
        ties = local.get("/api/v1/cups/UCL/2024-25/ties", params={"as_of": "2024-12-15"}).json()
    expected = cli_json("table", "UCL", "2024-25", "--as-of", "2024-12-15", "--db", db, "--json")
    keys = ("position", "club", "played", "points", "goal_difference", "zone", "tiebreak")
    assert [tuple(r[k] for k in keys) for r in view["rows"]] == [tuple(r[k] for k in keys) for r in expected]
    assert len(view["rows"]) == 36 and view["played"] == 6 * 18 and view["fixtures"] == 8 * 18
    assert [r["zone"] for r in view["rows"]].count("round_of_16") == 8
    assert not view["full_criteria"]  # before the last matchday: alphabetical order after criteria a-e
    assert final["played"] == final["fixtures"] == 144 and final["full_criteria"]

    # the league phase from 15 December: `matchday simulate UCL 2024-25 --as-of 2024-12-15 --json`
    document = cli_doc("simulate", "UCL", "2024-25", "--as-of", "2024-12-15", "--sims", "1500", "--seed", "3",
                       "--db", db, "--json")
    columns = ("expected_points", "points_p05", "p_top8", "p_playoff", "p_eliminated", "p_round_of_16",
               "p_quarter_final", "p_final", "p_winner")
    assert [r["club"] for r in projection["rows"]] == [r["club"] for r in document["rows"]]
    for mine, theirs in zip(projection["rows"], document["rows"], strict=True):
        assert {k: mine[k] for k in columns} == pytest.approx({k: theirs[k] for k in columns}, abs=1e-9), mine["club"]
    assert projection["basis"] == document["basis"] and projection["notes"] == document["notes"]
    rows = projection["rows"]  # the places add up: 8 + 16 + 12 clubs, one winner
    for column, places in (("p_top8", 8), ("p_playoff", 16), ("p_eliminated", 12), ("p_round_of_16", 16),
                           ("p_quarter_final", 8), ("p_final", 2), ("p_winner", 1)):
        assert sum(r[column] for r in rows) == pytest.approx(places), column
    matrix = projection["positions"]["matrix"]
    assert all(sum(row) == pytest.approx(1.0) for row in matrix)
    assert all(sum(col) == pytest.approx(1.0) for col in zip(*matrix, strict=True))
    assert projection["n_remaining"] == 36 and projection["known_rounds"] == []

    # the knockout phase from 12 February: `matchday bracket UCL 2024-25 --as-of 2025-02-12 --json`
    document = cli_doc("bracket", "UCL", "2024-25", "--as-of", "2025-02-12", "--sims", "1500", "--seed", "3",
                       "--db", db, "--json")
    assert bracket["format"] == "league_phase" and bracket["known_rounds"] == document["known_rounds"]
    stages = ("p_knockout_phase", "p_round_of_16", "p_quarter_final", "p_semi_final", "p_final", "p_winner")
    assert [(r["club"], r["position"]) for r in bracket["clubs"]] == [(r["club"], r["position"]) for r in document["clubs"]]
    for mine, theirs in zip(bracket["clubs"], document["clubs"], strict=True):
        assert [mine[k] for k in stages] == pytest.approx([theirs[k] for k in stages], abs=1e-9), mine["club"]
    assert [(t["round"], t["home_club"], t["away_club"], t["first_leg"]) for t in bracket["ties"]] == [
        (t["round"], t["home"], t["away"], t["first_leg"]) for t in document["ties"]]
    assert [t["p_home_through"] for t in bracket["ties"]] == pytest.approx(
        [t["p_home_through"] for t in document["ties"]], abs=1e-9)
    assert bracket["basis"] == document["basis"]
    assert sum(r["p_winner"] for r in bracket["clubs"]) == pytest.approx(1.0)
    assert sum(r["p_quarter_final"] for r in bracket["clubs"]) == pytest.approx(8.0)

    # the same question as the stored view: read, not simulated, and equal to `matchday now --json`
    now = cli_doc("now", "UCL", "--as-of", "2024-12-15", "--sims", "2000", "--db", db, "--json")
    assert now["from_store"] == 1
    stored_view = now["competitions"][0]
    assert stored["precomputed"]["view"] == stored_view["key"] and stored["sims"] == 2000
    assert stored["rows"] == stored_view["projection"] and stored["basis"] == stored_view["basis"]
    document = cli_doc("simulate", "UCL", "2024-25", "--as-of", "2024-12-15", "--sims", "2000", "--db", db, "--json")
    assert [r["p_top8"] for r in stored["rows"]] == pytest.approx([r["p_top8"] for r in document["rows"]],
                                                                  abs=1e-9)  # update = simulate

    # the cup page on 15 December: the table, then the projection read from the stored view (no progress bar)
    assert page.status_code == 200 and 'id="league-phase-table"' in page.text
    assert 'id="league-phase-projection"' in page.text and 'id="bracket-table"' in page.text
    assert "Read from the views" in page.text and f"Based on {DEFAULT_MODEL} as of 2024-12-15" in page.text
    # the knockout play-off pairings were drawn on 31 January: not shown as ties on 15 December
    assert ties["rounds"] == [] and "not drawn by 2024-12-15" in ties["status"]


# ------------------------------------------------------------------------------------------------ stored views
@pytest.fixture(scope="module")
def views_db(web_db, tmp_path_factory):
    """The web store with the views of `matchday update` (E0 and UEL as of AS_OF; E0 as of its last played day,
    2024-05-19), 3,000 simulations each; their fixture forecasts are in the forecasts log (the track record)."""
    path = tmp_path_factory.mktemp("views") / "matchday.duckdb"
    shutil.copy(web_db, path)
    for args in (("E0", "UEL", "--as-of", AS_OF), ("E0", "--as-of", "2024-05-19")):
        code, out = run_cli("update", *args, "--sims", "3000", "--db", str(path))
        assert code == 0, out
    return path


@pytest.fixture(scope="module")
def views_client(views_db):
    from matchday.web.app import create_app

    with TestClient(create_app(views_db, workers=1), base_url="http://127.0.0.1") as test_client:
        yield test_client


def test_pages_and_api_read_the_stored_views(views_client, views_db, tmp_path):
    now = cli_doc("now", "E0", "--as-of", AS_OF, "--sims", "3000", "--db", str(views_db), "--json")
    assert now["from_store"] == 1
    stored = now["competitions"][0]
    # the question `update` answered (no sims, seed or model given: the stored view's), read, not simulated
    view = get(views_client, "/api/v1/leagues/E0/2023-24/projection", as_of=AS_OF, wait=0)
    assert view["precomputed"]["view"] == stored["key"]
    assert (view["sims"], view["seed"], view["model"]) == (3000, 0, DEFAULT_MODEL)
    assert view["rows"] == stored["projection"] and view["basis"] == stored["basis"]  # = `matchday now --json`
    assert view["positions"]["teams"] == stored["positions"]["teams"] and view["n_remaining"] == stored["remaining"]
    # the same question simulated by a server without the views: the same view, number for number
    from matchday.web.services import Services, StoreSource

    plain = Services(StoreSource(views_db), views=False)
    computed = plain.answer(plain.projection_question("E0", "2023-24", AS_OF, sims=3000, seed=0))
    assert "precomputed" not in computed
    assert {k: v for k, v in computed.items() if k not in ("question",)} == {
        k: v for k, v in view.items() if k not in ("question", "precomputed")}
    # the page shows it on the first response (no progress bar), and says where it came from
    page = views_client.get("/leagues/E0/2023-24", params={"as_of": AS_OF})
    assert 'id="projection-table"' in page.text and "Read from the views" in page.text
    assert 'class="job"' not in page.text.split('id="h-chances"')[0]
    # the what-if page's baseline is the stored view: same futures, so the picks alone move the numbers
    whatif = get(views_client, "/api/v1/leagues/E0/2023-24/whatif", as_of=AS_OF, given="Fulham v Liverpool: away win",
                 wait=120)
    assert whatif["sims"] == 3000 and whatif["baseline_precomputed"]["view"] == stored["key"]
    assert [r["p_title_baseline"] for r in whatif["rows"]] == [r["p_title"] for r in stored["projection"]]
    # without as_of: the view made on the competition's latest played day sets the defaults, and says so
    default = get(views_client, "/api/v1/leagues/E0/2023-24/projection", wait=0)
    assert default["as_of"] == "2024-05-19" and default["sims"] == 3000 and default["precomputed"]
    assert default["as_of_note"].startswith("as of 2024-05-19: the date of the views `matchday update` stored")
    # UEL's view (15 April) is older than UEL's latest played match (the final): the CLI's default, not the view
    cup = get(views_client, "/api/v1/cups/UEL/2023-24/ties")
    assert cup["as_of"] == "2024-05-22" and "the latest day with a played UEL 2023-24 match" in cup["as_of_note"]
    # new data, new fingerprint: the stored views are stale and nothing is read from them
    from matchday.data.store import Store

    stale = tmp_path / "stale.duckdb"
    shutil.copy(views_db, stale)
    with Store(stale) as store:  # a result corrected by a later sync: same counts, new data
        store.con.execute("UPDATE matches SET home_goals = home_goals + 1 WHERE match_id = (SELECT min(match_id) "
                          "FROM matches WHERE competition = 'E0' AND season = '2023-24' AND date <= '2024-04-15')")
    services = Services(StoreSource(stale))
    question = services.projection_question("E0", "2023-24", AS_OF)
    assert question.params["sims"] == services.limits.default_sims and services.cached(question) is None


def test_track_record_equals_cli(views_client, views_db):
    view = get(views_client, "/api/v1/track-record")
    document = cli_doc("track-record", "--db", str(views_db), "--json")
    assert view["graded"] == document["graded"] > 0
    assert (view["pending"], view["unlinked"]) == (document["pending"], document["unlinked"])
    keys = ("competition", "model", "forecasts", "with_odds")
    assert [tuple(r[k] for k in keys) for r in view["summary"]] == [tuple(r[k] for k in keys)
                                                                     for r in document["summary"]]
    for mine, theirs in zip(view["summary"], document["summary"], strict=True):
        for key in ("rps", "log_loss", "brier", "market_rps", "rps_vs_market", "live_share"):
            assert mine[key] == pytest.approx(theirs[key], abs=1e-9, nan_ok=True), (mine["competition"], key)
    assert [b["count"] for b in view["calibration"]] == [b["count"] for b in document["calibration"]]
    assert sum(b["count"] for b in view["calibration"]) == 3 * view["graded"]  # home, draw and away pooled
    assert {r["competition"] for r in view["summary"]} == {"E0", "UEL", "all"}
    # the walk-forward backtests are kept apart, as the CLI keeps them, and added on request
    assert view["backtests_kept_apart"] > 0 and not view["include_backtests"]
    both = get(views_client, "/api/v1/track-record", backtests="true")
    document = cli_doc("track-record", "--backtests", "--db", str(views_db), "--json")
    assert both["graded"] == document["graded"] > view["graded"] and both["backtests_kept_apart"] == 0
    # the CLI's filters
    e0 = get(views_client, "/api/v1/track-record", competition="Premier League", model=DEFAULT_MODEL, matches="true")
    document = cli_doc("track-record", "--competition", "E0", "--model", DEFAULT_MODEL, "--db", str(views_db), "--json")
    assert e0["graded"] == document["graded"] == len(e0["matches"]) and e0["competition"] == "E0"
    assert all(m["competition"] == "E0" and m["as_of"] < m["date"] for m in e0["matches"])  # made before the match
    # the model page: the track record, and the backtests in their own section
    page = views_client.get("/model")
    assert 'id="track-record-table"' in page.text and 'id="rps-table"' in page.text
    assert "Calibration of the graded forecasts" in page.text and "backtest forecasts kept apart" in page.text


# ------------------------------------------------------------------------------------------------ jobs
def test_heavy_question_runs_once_as_a_job(client):
    params = {"as_of": "2024-03-01", "sims": 5000, "seed": 11}
    first = client.get("/api/v1/leagues/SP1/2023-24/projection", params={**params, "wait": 0})
    assert first.status_code in (200, 202)
    if first.status_code == 202:
        body = first.json()
        assert first.headers["Location"] == body["poll"]
        again = client.get("/api/v1/leagues/La Liga/2023-24/projection", params={**params, "wait": 0})
        if again.status_code == 202:  # the same question: the same job, not a second computation
            assert again.json()["job"]["id"] == body["job"]["id"]
        deadline = time.monotonic() + 60
        while True:
            job = client.get(body["poll"]).json()
            assert 0 <= job["progress"] <= 1
            if job["status"] == "done" or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert job["status"] == "done"
    answer = client.get("/api/v1/leagues/SP1/2023-24/projection", params={**params, "wait": 0})
    assert answer.status_code == 200 and answer.json()["sims"] == 5000


def test_a_heavy_question_past_the_time_limit_is_a_503(web_db):
    from matchday.web.app import create_app
    from matchday.web.services import Limits, Services, StoreSource

    services = Services(StoreSource(web_db), limits=Limits(max_job_seconds=0.05))
    with TestClient(create_app(services=services, workers=1), base_url="http://127.0.0.1") as local:
        response = local.get("/api/v1/leagues/E0/2023-24/projection", params={"as_of": AS_OF, "wait": 120})
        body = response.json()
        assert response.status_code == 503 and "took longer than the server's limit of 0.05 s" in body["error"]
        assert local.get("/api/v1/health").json()["jobs"]["max_seconds"] == 0.05


def test_unknown_job_is_404(client):
    response = client.get("/api/v1/jobs/0123456789abcdef")
    assert response.status_code == 404 and "no job" in response.json()["error"]


# ------------------------------------------------------------------------------------------------ bad input
BAD = [
    ("/api/v1/leagues/XX9/2023-24/table", {}, 404, "unknown competition 'XX9'"),
    ("/api/v1/leagues/E0/2015-16/table", {}, 404, "2023-24"),
    ("/api/v1/leagues/E0/20x5/table", {}, 400, "not a season"),
    ("/api/v1/leagues/UEL/2023-24/table", {}, 400, "is a cup, not a league"),
    ("/api/v1/leagues/E0/2023-24/table", {"as_of": "2024-13-45"}, 400, "is not a date"),
    ("/api/v1/leagues/E0/2023-24/fixtures", {"limit": 0}, 422, "limit"),
    ("/api/v1/leagues/E0/2023-24/fixtures", {"model": "magic"}, 400, "unknown model 'magic'"),
    ("/api/v1/leagues/E0/2023-24/projection", {"sims": 10**9}, 422, "sims"),
    ("/api/v1/leagues/E0/2023-24/projection", {"sims": "many"}, 422, "sims"),
    ("/api/v1/leagues/E0/2023-24/projection", {"seed": -1}, 422, "seed"),
    ("/api/v1/leagues/E0/2023-24/chances", {"sims": 10**6}, 422, "sims"),
    ("/api/v1/leagues/E0/2023-24/whatif", {}, 422, "given"),
    ("/api/v1/leagues/E0/2023-24/whatif", {"given": "Fulham beat Liverpool", "as_of": AS_OF}, 400,
     "cannot read condition"),
    ("/api/v1/leagues/E0/2023-24/whatif", {"given": "Fulham v Liverpol: away win", "as_of": AS_OF}, 400,
     "unknown team 'Liverpol'"),
    ("/api/v1/leagues/E0/2023-24/whatif", {"given": "Liverpool v Fulham: home win", "as_of": AS_OF}, 400,
     "already played"),
    ("/api/v1/leagues/E0/2023-24/whatif", {"given": "Fulham v Liverpool: 11-0", "as_of": AS_OF}, 400,
     "no score up to 10 goals"),
    ("/api/v1/leagues/E0/2023-24/whatif", {"given": "Fulham v Real Madrid: draw", "as_of": AS_OF}, 400,
     "no such fixture"),
    ("/api/v1/ratings/E0", {"top": 100000}, 422, "top"),
    ("/api/v1/ratings/E0", {"as_of": "1990-01-01"}, 400, "no E0 matches stored"),
    ("/api/v1/matches/E0/2023-24/not-a-match", {}, 404, "16 hexadecimal"),
    ("/api/v1/matches/E0/2023-24/0123456789abcdef", {}, 404, "no match"),
    ("/api/v1/forecast", {"home": "Nowhere Rovers", "away": "Liverpool"}, 400, "unknown team 'Nowhere Rovers'"),
    ("/api/v1/forecast", {"home": "Liverpool", "away": "Liverpool"}, 400, "same club"),
    ("/api/v1/forecast", {"home": "Liverpool"}, 422, "away"),
    ("/api/v1/tie", {"team_a": "Liverpool", "team_b": "Atalanta", "first_leg": "Liverpool won"}, 400,
     "expected '<home club> <goals>-<goals> <away club>'"),
    ("/api/v1/tie", {"team_a": "Liverpool", "team_b": "Atalanta", "first_leg": "Roma 1-0 Atalanta"}, 400,
     "not the tie's clubs"),
    ("/api/v1/cups/E0/2023-24/ties", {}, 400, "is a league"),
    ("/api/v1/cups/UCL/2023-24/table", {}, 400, "has no league phase"),
    ("/api/v1/cups/UCL/2023-24/table", {"as_of": "yesterday"}, 400, "is not a date"),
    ("/api/v1/cups/UEL/2023-24/ties/Liverpool/Arsenal", {}, 404, "no stored UEL 2023-24 knockout tie"),
    ("/api/v1/cups/UEL/2023-24/bracket", {"as_of": "2024-06-30"}, 400, "every knockout round was decided"),
    ("/api/v1/cups/UEL/2023-24/bracket", {"seed": 2**40}, 422, "seed"),
    ("/api/v1/cups/UCL/2023-24/projection", {}, 400, "has no league phase (group stage before 2024-25)"),
    ("/api/v1/cups/E0/2023-24/projection", {}, 400, "is a league"),
    ("/api/v1/cups/UCL/2030-31/projection", {}, 404, "2023-24"),
    ("/api/v1/cups/UCL/2023-24/projection", {"sims": 10**7}, 422, "sims"),
    ("/api/v1/track-record", {"since": "2024-99-01"}, 400, "is not a date"),
    ("/api/v1/track-record", {"competition": "XX9"}, 404, "unknown competition 'XX9'"),
    ("/api/v1/track-record", {"model": "../etc/passwd"}, 400, "is not a model name"),
    ("/api/v1/track-record", {"live_only": "perhaps"}, 422, "live_only"),
    ("/api/v1/rotation/Liverpool", {"weights": "title=lots"}, 400, "must be a number"),
    ("/api/v1/rotation/Liverpool", {"weights": "title=nan"}, 400, "must be a number between"),
    ("/api/v1/rotation/Liverpool", {"gap": 9}, 422, "gap"),
    ("/api/v1/rotation/Liverpool", {"as_of": AS_OF, "plan": "rest: nowhere=second"}, 400, "nowhere"),
    ("/api/v1/rotation/Nowhere Rovers", {}, 400, "unknown team"),
    ("/api/v1/backtests", {"run": "../../etc/passwd"}, 404, "run id"),
    ("/api/v1/backtests", {"run": "nosuchrun"}, 404, "no backtest run 'nosuchrun'"),
    ("/api/v1/jobs/../../etc/passwd", {}, 404, "no such page"),
    ("/api/v1/jobs/nosuchjob", {}, 404, "no job 'nosuchjob'"),
    ("/api/v1/no-such-endpoint", {}, 404, "no such page"),
]


@pytest.mark.parametrize(("url", "params", "status", "message"), BAD, ids=[f"{b[0]}-{b[3][:20]}" for b in BAD])
def test_bad_input_is_a_clear_4xx_json_error(client, url, params, status, message):
    response = client.get(url, params=params)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == status and message in body["error"], body
    assert "Traceback" not in response.text and "\n" not in body["error"]


def test_every_api_endpoint_is_covered_by_the_bad_input_test(client):
    import re

    schema = client.get("/api/v1/openapi.json").json()
    covered = {url for url, *_ in BAD}
    templates = [p for p in schema["paths"] if p not in ("/api/v1/health", "/api/v1/competitions")]
    for path in templates:
        pattern = re.sub(r"\{[^}]+\}", "[^/]+", path)
        assert any(re.fullmatch(pattern, u) for u in covered), f"no bad-input case for {path}"


def test_error_messages_equal_the_cli(client, web_db):
    code, message = run_cli("predict", "Nowhere Rovers", "Liverpool", "--as-of", "2024-04-10", "--db", str(web_db))
    assert code == 2
    body = client.get("/api/v1/forecast", params={"home": "Nowhere Rovers", "away": "Liverpool"}).json()
    assert body["error"] == message


# ------------------------------------------------------------------------------------------------ safety
def test_store_is_never_written(client, web_db):
    before = hashlib.sha256(web_db.read_bytes()).hexdigest()
    get(client, "/api/v1/forecast", home="Arsenal", away="Chelsea", as_of="2024-04-10")
    get(client, "/api/v1/leagues/E0/2023-24/table")
    assert hashlib.sha256(web_db.read_bytes()).hexdigest() == before


def test_only_loopback_host_headers(client):
    response = client.get("/api/v1/health", headers={"host": "attacker.example"})
    assert response.status_code == 400


def test_pages_have_a_strict_content_security_policy(client):
    response = client.get("/")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<script>" not in response.text  # no inline script: the CSP would block it


def test_openapi_schema_describes_the_api(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    projection = schema["paths"]["/api/v1/leagues/{competition}/{season}/projection"]["get"]
    assert {"200", "202", "400", "404", "422"} <= set(projection["responses"])
    sims = next(p for p in projection["parameters"] if p["name"] == "sims")
    integer = next(x for x in sims["schema"].get("anyOf", [sims["schema"]]) if x.get("type") == "integer")
    assert integer["maximum"] == 100_000 and integer["minimum"] == 100  # optional: the default may be a stored view's


# ------------------------------------------------------------------------------------------------ pages
def test_every_page_renders_from_the_same_views(client):
    for url, params in [("/leagues/E0/2023-24/projection", {"as_of": AS_OF}),
                        ("/cups/UEL/2023-24/bracket", {"as_of": "2024-04-12"}),
                        ("/leagues/E0/2023-24/chances", {"as_of": AS_OF})]:
        get(client, f"/api/v1{url}", wait=120, **params)  # warm the cache so the pages render in full
    pages = {
        "/": "Premier League",
        f"/leagues/E0/2023-24?as_of={AS_OF}": "Chance of winning the title",
        f"/leagues/E0/2023-24/fixtures?as_of={AS_OF}": "Market H / D / A",
        f"/leagues/E0/2023-24/whatif?as_of={AS_OF}": 'data-outcome="away win"',
        "/cups/UEL/2023-24?as_of=2024-04-12": "Who reaches each round",
        "/cups/UEL/2023-24/tie?home=Liverpool&away=Atalanta&as_of=2024-04-12": "Who goes through",
        "/rotation": "Compare plans",
        "/model": "Calibration",
        "/api": "/api/v1/leagues/{competition}/{season}/whatif",
    }
    for url, text in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (url, response.text[:300])
        assert text in response.text, url
        assert "<svg" not in response.text or "<title id=" in response.text  # every chart has a title


def test_a_part_of_a_page_that_cannot_be_answered_is_a_note(client):
    """Belgium's season splits into play-offs the simulator does not cover: the API says so (400), and the league
    page still shows the table, with the reason where the projection would be."""
    response = client.get("/api/v1/leagues/B1/2023-24/projection", params={"as_of": "2024-02-01", "wait": 120})
    assert response.status_code == 400 and "cannot simulate" in response.json()["error"]
    page = client.get("/leagues/B1/2023-24", params={"as_of": "2024-02-01"})
    assert page.status_code == 200 and 'id="league-table"' in page.text
    assert 'id="projection-note"' in page.text and "cannot simulate" in page.text


def test_pages_show_errors_as_html(client):
    response = client.get("/leagues/E0/1999-00")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"] and "E0" in response.text
    response = client.get("/rotation", params={"club": "Nowhere Rovers"})
    assert response.status_code == 400 and "unknown team" in response.text


def test_a_writing_process_gives_503_not_500(web_db, tmp_path):
    import subprocess
    import sys

    from matchday.web.app import create_app

    path = tmp_path / "locked.duckdb"
    shutil.copy(web_db, path)
    with TestClient(create_app(path, workers=1), base_url="http://127.0.0.1") as local:
        assert local.get("/api/v1/leagues/E0/2023-24/table").status_code == 200
        writer = subprocess.Popen(
            [sys.executable, "-c", "import sys, time; from matchday.data.store import Store; "
             f"s = Store({str(path)!r}); print('locked', flush=True); sys.stdin.readline()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            assert writer.stdout.readline().strip() == "locked"
            response = local.get("/api/v1/leagues/E0/2023-24/table", params={"as_of": "2024-02-01"})
            assert response.status_code == 503 and "being written by another process" in response.json()["error"]
        finally:
            writer.communicate("\n", timeout=30)
        assert local.get("/api/v1/leagues/E0/2023-24/table", params={"as_of": "2024-02-01"}).status_code == 200
