"""sync end to end through the real download path: a loopback HTTP mirror of ../shared/data."""

from __future__ import annotations

import shutil

import pytest

from matchday.data.errors import DataError
from matchday.data.fetch import Fetcher, SourceURLs
from matchday.data.store import Store
from matchday.data.sync import default_seasons, plan_files, sync


def test_plan_covers_every_source():
    planned = plan_files(["E0", "UEL", "UCL"], ["2023-24"])
    sources = {p.source for p in planned}
    assert sources == {"football-data", "openfootball-json", "football-txt"}
    assert any(p.relative == "mmz4281/2324/E0.csv" for p in planned)
    assert any(p.relative == "2023-24/el.txt" for p in planned)
    assert any(p.source == "engsoccerdata" for p in plan_files(["UCL"], ["2005-06"]))


def test_default_seasons_run_to_the_current_one():
    import datetime as dt

    seasons = default_seasons(dt.date(2024, 9, 1))
    assert seasons[0] == "2012-13" and seasons[-1] == "2024-25"


def test_sync_over_http_is_idempotent(shared_http, tmp_path):
    urls = SourceURLs.resolve(mirror=shared_http)
    with Store(tmp_path / "s.duckdb") as store:
        first = sync(store, ["E0", "UEL"], ["2023-24"], urls=urls, fetcher=Fetcher(cache_dir=tmp_path / "cache"))
        # E0 from football-data (380) and openfootball (same 380, recognised), UEL from el.txt (141)
        assert first.added == 380 + 141
        assert first.unchanged == 380 and first.conflicts == 0
        assert first.odds_added > 380 * 50
        counts = store.counts()
        second = sync(store, ["E0", "UEL"], ["2023-24"], urls=urls, fetcher=Fetcher(cache_dir=tmp_path / "cache2"))
        assert second.added == 0 and second.odds_added == 0
        assert store.counts() == counts
        tie = store.matches(["UEL"], teams=["liverpool"])
        tie = tie[tie["away"].eq("atalanta") | tie["home"].eq("atalanta")]
        assert [(r.home, r.away, r.home_goals, r.away_goals, r.leg) for r in tie.itertuples()] == [
            ("liverpool", "atalanta", 0, 3, 1),
            ("atalanta", "liverpool", 0, 1, 2),
        ]


def test_corrupted_csv_names_the_line_and_writes_nothing(shared_data, tmp_path):
    mirror = tmp_path / "mirror"
    target = mirror / "football-data" / "mmz4281" / "2324"
    target.mkdir(parents=True)
    lines = (shared_data / "football-data" / "mmz4281" / "2324" / "E0.csv").read_bytes().split(b"\r\n")
    fields = lines[200].split(b",")
    fields[5] = b"two"  # FTHG
    lines[200] = b",".join(fields)
    (target / "E0.csv").write_bytes(b"\r\n".join(lines))
    shutil.copytree(shared_data / "openfootball", mirror / "openfootball")
    urls = SourceURLs.resolve(mirror=str(mirror))
    with Store(tmp_path / "s.duckdb") as store:
        sync(store, ["UEL"], ["2023-24"], urls=urls, fetcher=Fetcher(cache_dir=tmp_path / "c"))
        before = store.counts()
        with pytest.raises(DataError) as info:
            sync(store, ["UEL", "E0"], ["2023-24"], urls=urls, fetcher=Fetcher(cache_dir=tmp_path / "c"))
        message = str(info.value)
        assert "E0.csv" in message and "line 201" in message and "FTHG" in message
        assert store.counts() == before
