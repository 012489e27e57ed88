"""`matchday now` / `update` (views.py) and `matchday track-record` (evaluate/track_record.py) on cut
mirrors: the store a user would have had on a day of 2024-25, the views they would have seen, and their
forecasts graded once the later results are synced."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cutmirror import build_cut_mirror
from matchday import cli
from matchday.inputs import DEFAULT_MODEL

COMPETITIONS = ["E0", "UCL"]
SEASONS = ["2023-24", "2024-25"]
FIRST = dt.date(2025, 1, 15)
SECOND = dt.date(2025, 2, 20)
runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    try:
        result = runner.invoke(cli.app, list(args), catch_exceptions=False)
    except cli.MatchdayError as exc:
        return 2, str(exc)
    return result.exit_code, (result.stdout if result.exit_code == 0 else result.output)


def sync_cut(shared, tmp, store_path, cut: dt.date) -> None:
    from matchday.data.fetch import Fetcher, SourceURLs
    from matchday.data.store import Store
    from matchday.data.sync import sync

    root = build_cut_mirror(shared, tmp / f"mirror-{cut.isoformat()}", cut, history=True)
    with Store(store_path) as store:
        sync(store, COMPETITIONS, SEASONS, urls=SourceURLs.resolve(mirror=str(root)),
             fetcher=Fetcher(cache_dir=tmp / f"cache-{cut.isoformat()}"), today=cut)


@pytest.fixture(scope="module")
def first_store(shared_data, tmp_path_factory):
    """The store synced from the live sources as they were on 15 January 2025."""
    tmp = tmp_path_factory.mktemp("now")
    path = tmp / "matchday.duckdb"
    sync_cut(shared_data, tmp, path, FIRST)
    return tmp, path


def test_now_shows_what_a_user_saw_on_the_day(first_store, shared_data):
    from matchday.data.store import Store

    _, path = first_store
    with Store(path, read_only=True) as store:
        stored = store.matches(["E0"], ["2024-25"])
    code, out = run("now", "--db", str(path), "--sims", "2000", "--json")
    assert code == 0, out
    view = json.loads(out)
    latest = stored.loc[stored["home_goals"].notna(), "date"].max().date()
    assert view["as_of"] == latest.isoformat() <= FIRST.isoformat()  # as of the latest data, no later
    by_code = {v["competition"]: v for v in view["competitions"]}
    assert set(by_code) == set(COMPETITIONS)
    league = by_code["E0"]
    # Table: every club, the matches played by then.
    played = stored[stored["home_goals"].notna()]
    assert sum(r["played"] for r in league["table"]) == 2 * len(played)
    # Projection: probabilities add up; relegation places and title from the rules.
    projection = pd.DataFrame(league["projection"])
    assert projection["p_title"].sum() == pytest.approx(1)
    assert projection["p_relegation"].sum() == pytest.approx(league["places"]["relegation"])
    # The next fixtures are matches still to play on that day, with the model's and the market's odds.
    fixtures = league["fixtures"]
    assert fixtures and all(f["date"] > view["as_of"] for f in fixtures)
    unplayed = set(stored.loc[stored["home_goals"].isna(), "match_id"])
    assert {f["match_id"] for f in fixtures} <= unplayed
    for f in fixtures:
        assert f["p_home"] + f["p_draw"] + f["p_away"] == pytest.approx(1)
    # football-data's fixtures file of that day priced the coming week: the market stands beside the model.
    week = [f for f in fixtures if f["date"] <= (FIRST + dt.timedelta(days=7)).isoformat()]
    assert week and all(f["market"] is not None for f in week)
    # The league phase was running: P(top 8) adds up to 8, no knockout pairing is known yet.
    ucl = by_code["UCL"]
    assert ucl["format"] == "league_phase"
    assert sum(r["p_top8"] for r in ucl["projection"]) == pytest.approx(8)
    assert ucl["bracket"]["known_rounds"] == []
    assert {f["round"] for f in ucl["fixtures"]} <= {"League phase, Matchday 7", "League phase, Matchday 8"}


def test_update_keeps_views_that_now_then_reads(first_store):
    from matchday.data.store import Store
    from matchday.views import StoreViews, data_fingerprint, stored_views

    _, path = first_store
    code, out = run("update", "--db", str(path), "--sims", "1000")
    assert code == 0, out
    with Store(path, read_only=True) as store:
        table = stored_views(store)
        fingerprint = data_fingerprint(store)
        logged = store.forecasts()
    assert len(table) == 2 and table["fresh"].all() and (table["fingerprint"] == fingerprint).all()
    assert set(table["sims"]) == {1000} and set(table["model"]) == {DEFAULT_MODEL}
    assert (logged["details"].str.contains('"command": "update"')).any()
    code, out = run("now", "--db", str(path), "--sims", "1000", "--json")
    assert code == 0, out
    view = json.loads(out)
    assert view["from_store"] == 2
    # The web layer reads the same view by its key.
    key = view["competitions"][0]["key"]
    assert StoreViews(path).get(key)["competition"] == view["competitions"][0]["competition"]
    # Other settings are another question: computed, not read.
    code, out = run("now", "E0", "--db", str(path), "--sims", "500", "--json")
    assert code == 0 and json.loads(out)["from_store"] == 0


def test_forecasts_made_on_the_day_are_graded_when_the_results_arrive(first_store, shared_data):
    from matchday.data.store import Store
    from matchday.evaluate.track_record import graded_forecasts, track_record

    tmp, path = first_store
    with Store(path, read_only=True) as store:
        before = graded_forecasts(store)
        logged = store.forecasts()
    assert before.empty and before.attrs["pending"] > 0  # nothing played yet
    view_rows = logged[logged["details"].str.contains('"command": "(?:now|update)"', regex=True)]
    sync_cut(shared_data, tmp, path, SECOND)  # later: the results of those fixtures are published
    with Store(path, read_only=True) as store:
        graded = graded_forecasts(store)
        results = store.matches(COMPETITIONS, ["2024-25"], played=True)
    # Every fixture forecast on the first day, played by the second, is graded once per model and match.
    forecast_matches = set(view_rows["match_id"])
    played_by_then = set(results.loc[results["date"] <= pd.Timestamp(SECOND), "match_id"])
    assert set(graded["match_id"]) == forecast_matches & played_by_then
    assert not graded.duplicated(["model", "match_id"]).any()
    assert (pd.to_datetime(graded["as_of"]) < pd.to_datetime(graded["date"])).all()
    # Scores recomputed from the stored results.
    from matchday.evaluate.metrics import outcome_index, rps

    truth = results.set_index("match_id").loc[graded["match_id"]]
    y = outcome_index(truth["home_goals"].to_numpy(float), truth["away_goals"].to_numpy(float))
    assert np.allclose(graded["rps"], rps(graded[["p_home", "p_draw", "p_away"]].to_numpy(), y))
    # Next to the market on the league matches (odds stored), not on the UEFA ones (no odds source).
    summary = track_record(graded).set_index(["competition", "model"])
    e0 = summary.loc[("E0", DEFAULT_MODEL)]
    assert e0["with_odds"] == e0["forecasts"] > 0 and np.isfinite(e0["rps_vs_market"])
    assert summary.loc[("UCL", DEFAULT_MODEL), "with_odds"] == 0
    code, out = run("track-record", "--db", str(path), "--json")
    assert code == 0, out
    payload = json.loads(out)
    assert payload["graded"] == len(graded)
    assert sum(b["count"] for b in payload["calibration"]) == 3 * len(graded)


def test_track_record_links_predict_forecasts_and_keeps_backtests_apart(store_2425, tmp_path):
    """`predict` names only the clubs: the forecast is linked to their next meeting after its date."""
    import shutil

    from matchday.data.store import Store
    from matchday.evaluate.track_record import graded_forecasts

    path = tmp_path / "copy.duckdb"
    shutil.copy(store_2425, path)
    code, out = run("predict", "Arsenal", "Liverpool", "--as-of", "2024-10-20", "--db", str(path), "--json")
    assert code == 0, out
    with Store(path) as store:
        store.log_forecasts(pd.DataFrame({"home": ["arsenal"], "away": ["liverpool"], "p_home": [0.5],
                                          "p_draw": [0.3], "p_away": [0.2],
                                          "details": [{"source": "backtest"}]}), model="elo",
                            as_of=dt.date(2024, 10, 20))
    with Store(path, read_only=True) as store:
        graded = graded_forecasts(store)
        everything = graded_forecasts(store, include_backtests=True)
        live = graded_forecasts(store, live_only=True)
        meeting = store.matches(["E0"], ["2024-25"], teams=["arsenal"])
    meeting = meeting[(meeting["home"] == "arsenal") & (meeting["away"] == "liverpool")].iloc[0]
    assert list(graded["match_id"]) == [meeting["match_id"]] and graded.attrs["backtests"] == 1
    assert graded.iloc[0]["date"] == meeting["date"].date()
    assert set(everything["model"]) == {DEFAULT_MODEL, "elo"}
    assert live.empty  # asked about the past: graded, but not a live forecast
