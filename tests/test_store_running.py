"""The running season through the store's import (docs/running-season.md, "Wiring"): postponed and
rescheduled matches keep one identity, a played record fills in scores and date, repeated pairings and
rounds stay apart, football-data's fixtures file is synced, and cut mirrors synced one after another give
the store a sync of the whole season gives."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cutmirror import build_cut_mirror
from matchday.data.domain import Match, OddsQuote
from matchday.data.store import Batch, Store
from test_store import FakeRegistry


def match(source: str, day: dt.date, hg=None, ag=None, *, home="Everton", away="Liverpool", competition="E0",
          kickoff=None, round_=None, odds=()) -> Match:
    return Match(competition=competition, season="2024-25", date=day, home=home, away=away, home_goals=hg,
                 away_goals=ag, source=source, source_file=f"{source}.file", kickoff=kickoff, round=round_,
                 status="played" if hg is not None else "scheduled", odds=tuple(odds))


def load(store: Store, *batches: tuple[str, list[Match]]):
    return store.import_batches([Batch(source, f"{source}.{k}", ms, content_sha256=f"{source}{k}{len(ms)}")
                                 for k, (source, ms) in enumerate(batches)], FakeRegistry())


class Registry(FakeRegistry):
    _aliases = {**FakeRegistry._aliases, "everton": "everton"}


def test_postponed_then_rescheduled_then_played_is_one_match_on_its_real_day(tmp_path):
    """Everton v Liverpool, 2024-25: scheduled for 7 December, postponed (storm Darragh), played 2-2 on
    12 February. Before: the fixture kept 7 December with the score filled in."""
    with Store(tmp_path / "s.duckdb") as store:
        registry = Registry()
        store.import_batches([Batch("openfootball-json", "en.1.json", [match("openfootball-json", dt.date(2024, 12, 7))],
                                    content_sha256="a")], registry)
        report = store.import_batches([Batch("football-data-fixtures", "fixtures.csv", [
            match("football-data-fixtures", dt.date(2025, 2, 12), kickoff=dt.time(19, 30),
                  odds=[OddsQuote("B365", "1x2", "home", None, False, 5.0)])], content_sha256="b")], registry)
        assert report.rescheduled == 1 and report.added == 0
        frame = store.matches(["E0"])
        assert len(frame) == 1 and frame.iloc[0]["date"] == pd.Timestamp("2025-02-12")
        assert str(frame.iloc[0]["kickoff"]) == "19:30:00" and frame.iloc[0]["source"] == "football-data-fixtures"
        # A stale schedule (the season-long file still says 7 December) does not move it back.
        again = store.import_batches([Batch("openfootball-json", "en.1.json", [
            match("openfootball-json", dt.date(2024, 12, 7))], content_sha256="c")], registry)
        assert again.rescheduled == 0
        assert store.matches(["E0"]).iloc[0]["date"] == pd.Timestamp("2025-02-12")
        played = store.import_batches([Batch("football-data", "E0.csv", [
            match("football-data", dt.date(2025, 2, 12), 2, 2)], content_sha256="d")], registry)
        assert played.updated == 1 and played.conflicts == 0
        row = store.matches(["E0"]).iloc[0]
        assert (row["home_goals"], row["away_goals"], row["date"]) == (2, 2, pd.Timestamp("2025-02-12"))
        assert store.odds().shape[0] == 1  # the fixture's odds stay with the one match
        # The fixture stored first, played later on another day: the result's day wins.
    with Store(tmp_path / "t.duckdb") as store:
        store.import_batches([Batch("openfootball-json", "x", [match("openfootball-json", dt.date(2024, 12, 7))],
                                    content_sha256="e")], registry)
        store.import_batches([Batch("football-data", "y", [match("football-data", dt.date(2025, 2, 12), 2, 2)],
                                    content_sha256="f")], registry)
        row = store.matches(["E0"]).iloc[0]
        assert row["date"] == pd.Timestamp("2025-02-12") and row["home_goals"] == 2
        assert len(store.matches(["E0"])) == 1


def test_cup_meetings_far_apart_and_league_phase_against_knockout_stay_apart(tmp_path):
    registry = Registry()
    league_phase = match("football-txt", dt.date(2024, 10, 22), 1, 0, home="Arsenal", away="Chelsea",
                         competition="UCL", round_="League phase, Matchday 3")
    with Store(tmp_path / "s.duckdb") as store:
        store.import_batches([Batch("football-txt", "cl.txt", [league_phase], content_sha256="a")], registry)
        # The same home pairing in the knockout phase: another match (its round differs) ...
        knockout = match("openfootball-json", dt.date(2025, 3, 4), home="Arsenal", away="Chelsea",
                         competition="UCL", round_="Round of 16")
        report = store.import_batches([Batch("openfootball-json", "uefa.cl.json", [knockout],
                                             content_sha256="b")], registry)
        assert report.added == 1
        # ... and a knockout match moved by more than three days is still that match (before: a ghost).
        moved = match("football-txt", dt.date(2025, 3, 11), 2, 1, home="Arsenal", away="Chelsea",
                      competition="UCL", round_="Round of 16")
        report = store.import_batches([Batch("football-txt", "cl.txt", [moved], content_sha256="c")], registry)
        assert report.added == 0 and report.updated == 1
        frame = store.matches(["UCL"]).sort_values("date")
        assert list(frame["round"]) == ["League phase, Matchday 3", "Round of 16"]
        assert list(frame["date"]) == [pd.Timestamp("2024-10-22"), pd.Timestamp("2025-03-11")]


def test_repeated_league_pairings_link_by_nearest_date(tmp_path):
    """Scottish Premiership: a pairing met before and after the split is two matches; a later file that
    lists both links each to its own."""
    registry = Registry()
    days = [dt.date(2024, 9, 1), dt.date(2025, 4, 20)]
    with Store(tmp_path / "s.duckdb") as store:
        store.import_batches([Batch("openfootball-json", "sco.1.json", [
            match("openfootball-json", d, competition="SC0", home="Arsenal", away="Chelsea") for d in days],
            content_sha256="a")], registry)
        report = store.import_batches([Batch("football-data", "SC0.csv", [
            match("football-data", days[0] + dt.timedelta(days=1), 1, 1, competition="SC0", home="Arsenal",
                  away="Chelsea"),
            match("football-data", days[1], 0, 2, competition="SC0", home="Arsenal", away="Chelsea")],
            content_sha256="b")], registry)
        assert report.added == 0 and report.updated == 2
        frame = store.matches(["SC0"])
        assert list(zip(frame["date"].dt.date, frame["home_goals"], strict=True)) == [
            (days[0] + dt.timedelta(days=1), 1), (days[1], 0)]


def test_overdue_matches_are_marked(tmp_path):
    registry = Registry()
    with Store(tmp_path / "s.duckdb") as store:
        store.import_batches([Batch("football-data", "E0.csv", [
            match("football-data", dt.date(2024, 12, 8), 1, 0, home="Arsenal", away="Chelsea"),
            match("openfootball-json", dt.date(2024, 12, 7)),
            match("openfootball-json", dt.date(2024, 12, 20), home="Liverpool", away="Arsenal")],
            content_sha256="a")], registry)
        frame = store.matches(["E0"]).set_index("home")
    assert frame.at["everton", "overdue"] and not frame.at["liverpool", "overdue"]
    assert not frame.at["arsenal", "overdue"]


# --- cut mirrors -------------------------------------------------------------------------------------------

COMPETITIONS = ["E0", "SC0", "UCL"]


def sync_into(shared, tmp, path, cut: dt.date | None):
    from matchday.data.fetch import Fetcher, SourceURLs
    from matchday.data.sync import sync

    root = shared if cut is None else build_cut_mirror(shared, tmp / f"m{cut}", cut)
    today = cut or dt.date(2025, 7, 1)
    with Store(path) as store:
        return sync(store, COMPETITIONS, ["2024-25"], urls=SourceURLs.resolve(mirror=str(root)),
                    fetcher=Fetcher(cache_dir=tmp / f"c{cut}"), today=today)


def snapshot(path) -> pd.DataFrame:
    with Store(path, read_only=True) as store:
        frame = store.matches(COMPETITIONS, ["2024-25"])
        conflicts = store.conflicts()
    assert conflicts.empty, conflicts.head().to_string()
    columns = ["competition", "date", "home", "away", "home_goals", "away_goals", "aet_home_goals", "pen_home"]
    return frame[columns].sort_values(columns[:4]).reset_index(drop=True)


def test_cut_mirrors_synced_in_turn_give_the_store_of_the_whole_season(shared_data, tmp_path):
    live = tmp_path / "live.duckdb"
    reports = [sync_into(shared_data, tmp_path, live, dt.date.fromisoformat(day))
               for day in ("2024-11-30", "2025-02-15", "2025-05-20")]
    # The fixtures file is read for the running season's leagues and links to the stored fixtures.
    assert all(not [m for m in r.missing if "fixtures" in m] for r in reports)
    with Store(live, read_only=True) as store:
        sources = store.con.execute("SELECT DISTINCT source FROM match_sources").df()["source"].tolist()
    assert "football-data-fixtures" in sources
    sync_into(shared_data, tmp_path, live, None)
    whole = tmp_path / "whole.duckdb"
    sync_into(shared_data, tmp_path, whole, None)
    pd.testing.assert_frame_equal(snapshot(live), snapshot(whole))


@pytest.mark.parametrize("day", ["2024-12-06"])
def test_a_cut_mirror_store_holds_the_fixtures_still_to_play(shared_data, tmp_path, day):
    cut = dt.date.fromisoformat(day)
    path = tmp_path / "s.duckdb"
    sync_into(shared_data, tmp_path, path, cut)
    with Store(path, read_only=True) as store:
        e0 = store.matches(["E0"], ["2024-25"])
        fixture_odds = store.odds(e0.loc[e0["date"] > pd.Timestamp(cut), "match_id"].tolist())
    assert len(e0) == 380  # the whole schedule, one row per match
    assert e0.loc[e0["date"] <= pd.Timestamp(cut), "home_goals"].notna().all()
    assert e0.loc[e0["date"] > pd.Timestamp(cut), "home_goals"].isna().all()
    assert not fixture_odds.empty and not fixture_odds["closing"].any()  # the coming week's pre-match odds
