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


# --- issue 9 items 2, 8, 9, 12, 14 --------------------------------------------------------------------------

import datetime as dt  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402

from matchday.data.errors import MatchdayError, NothingFoundError  # noqa: E402
from matchday.data.fetch import MISSING_MAX_AGE_RUNNING  # noqa: E402
from misbehaving_http import serving  # noqa: E402


def _mirror(tmp_path, shared_data, *relative: str):
    """A mirror root holding only the named files of ../shared/data."""
    root = tmp_path / "mirror"
    for rel in relative:
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((shared_data / rel).read_bytes())
    return root


def test_mirror_folder_that_does_not_exist(tmp_path):
    """Old: "synced 0 files", exit 0."""
    urls = SourceURLs.resolve(mirror=str(tmp_path / "nope"))
    with pytest.raises(MatchdayError, match="mirror folder .*nope .*does not exist"):
        sync(tmp_path / "s.duckdb", ["E0"], ["2023-24"], urls=urls, fetcher=Fetcher(cache_dir=tmp_path / "c"))
    assert not (tmp_path / "s.duckdb").exists()


def test_http_mirror_where_every_file_is_404(tmp_path):
    (tmp_path / "www").mkdir()
    with serving(tmp_path / "www") as server:
        urls = SourceURLs.resolve(mirror=server.base)
        with pytest.raises(NothingFoundError, match=r"nothing found for E0 UEL 2023-24.*mmz4281/2324/E0.csv"
                                                    r".*127.0.0.1"):
            sync(tmp_path / "s.duckdb", ["E0", "UEL"], ["2023-24"], urls=urls, fetcher=Fetcher(cache_dir=tmp_path / "c"))


def test_mirror_laid_out_wrongly_and_seasons_nobody_has(shared_data, tmp_path):
    wrong = SourceURLs.resolve(mirror=str(shared_data / "football-data"))  # one level too deep
    with pytest.raises(NothingFoundError, match="--mirror"):
        sync(tmp_path / "s.duckdb", ["E0"], ["2023-24"], urls=wrong, fetcher=Fetcher(cache_dir=tmp_path / "c"))
    right = SourceURLs.resolve(mirror=str(shared_data))
    with pytest.raises(NothingFoundError, match="2030-31"):
        sync(tmp_path / "s.duckdb", ["E0"], ["2030-31"], urls=right, fetcher=Fetcher(cache_dir=tmp_path / "c"))


def test_missing_files_are_listed_and_a_competition_without_any_is_warned(shared_data, tmp_path):
    root = _mirror(tmp_path, shared_data, "football-data/mmz4281/2324/E0.csv")
    report = sync(tmp_path / "s.duckdb", ["E0", "UEL"], ["2023-24"], urls=SourceURLs.resolve(mirror=str(root)),
                  fetcher=Fetcher(cache_dir=tmp_path / "c"))
    assert report.added == 380
    assert "openfootball-json 2023-24/en.1.json" in report.missing
    assert "football-txt 2023-24/el.txt" in report.missing
    assert any("nothing found for UEL" in w for w in report.warnings)


def test_an_empty_file_is_rejected_whatever_its_source(shared_data, tmp_path):
    """Old: an empty cl.txt was accepted while an empty CSV or JSON was rejected."""
    root = _mirror(tmp_path, shared_data, "football-data/mmz4281/2324/E0.csv")
    (root / "openfootball" / "champions-league" / "2023-24").mkdir(parents=True)
    (root / "openfootball" / "champions-league" / "2023-24" / "cl.txt").write_bytes(b"")
    with pytest.raises(DataError, match=r"cl.txt: empty file"):
        sync(tmp_path / "s.duckdb", ["UCL"], ["2023-24"], urls=SourceURLs.resolve(mirror=str(root)),
             fetcher=Fetcher(cache_dir=tmp_path / "c"))


def test_same_bytes_from_another_mirror_are_not_imported_again(shared_data, shared_http, tmp_path):
    """Old: re-syncing the same bytes from another mirror path doubled imports and match_sources."""
    db = tmp_path / "s.duckdb"
    first = sync(db, ["UEL"], ["2023-24"], urls=SourceURLs.resolve(mirror=str(shared_data)),
                 fetcher=Fetcher(cache_dir=tmp_path / "c"))
    with Store(db, read_only=True) as store:
        rows = [store._count(t) for t in ("imports", "match_sources")]
    again = sync(db, ["UEL"], ["2023-24"], urls=SourceURLs.resolve(mirror=shared_http),
                 fetcher=Fetcher(cache_dir=tmp_path / "c2"))
    assert first.added == 141 and again.added == 0 and again.unchanged == 141
    with Store(db, read_only=True) as store:
        assert [store._count(t) for t in ("imports", "match_sources")] == rows


def test_a_file_published_after_a_404_is_fetched_once_the_memory_expires(shared_data, tmp_path):
    """Old: a 404 for E0 2023-24 was remembered forever; sync reported success with no odds."""
    www = tmp_path / "www"
    (www / "football-data" / "mmz4281" / "2324").mkdir(parents=True)
    (www / "openfootball" / "football.json" / "2023-24").mkdir(parents=True)
    (www / "openfootball" / "football.json" / "2023-24" / "en.1.json").write_bytes(
        (shared_data / "openfootball" / "football.json" / "2023-24" / "en.1.json").read_bytes())
    today = dt.date(2024, 5, 25)  # 2023-24 is still the running season
    with serving(www) as server:
        urls = SourceURLs.resolve(mirror=server.base)
        fetcher = Fetcher(cache_dir=tmp_path / "c")
        first = sync(tmp_path / "s.duckdb", ["E0"], ["2023-24"], urls=urls, fetcher=fetcher, today=today)
        assert first.odds_added == 0 and "football-data mmz4281/2324/E0.csv" in first.missing
        (www / "football-data" / "mmz4281" / "2324" / "E0.csv").write_bytes(
            (shared_data / "football-data" / "mmz4281" / "2324" / "E0.csv").read_bytes())
        soon = sync(tmp_path / "s.duckdb", ["E0"], ["2023-24"], urls=urls, fetcher=fetcher, today=today)
        assert "football-data mmz4281/2324/E0.csv (remembered)" in soon.missing  # said, not hidden
        marker = next((tmp_path / "c").rglob("*E0.csv.missing"))
        old = time.time() - MISSING_MAX_AGE_RUNNING - 60
        os.utime(marker, (old, old))
        later = sync(tmp_path / "s.duckdb", ["E0"], ["2023-24"], urls=urls, fetcher=fetcher, today=today)
        # the mirror has no fixtures.csv (read for the running season's leagues): said, nothing else missing
        assert later.odds_added > 380 * 50 and later.missing == ["football-data-fixtures fixtures.csv (remembered)"]


def test_every_shared_file_imports_and_impossible_shootouts_are_named(shared_data, tmp_path):
    """The real 2024-25 uefa.cl.json writes two round-of-16 shoot-outs 4-4: the file imports, those two values
    are left out and named in the summary, and cl.txt's shoot-outs complete the two matches."""
    db = tmp_path / "s.duckdb"
    report = sync(db, ["UCL"], ["2024-25"], urls=SourceURLs.resolve(mirror=str(shared_data)),
                  fetcher=Fetcher(cache_dir=tmp_path / "c"))
    assert report.rejected == [] and report.added == 189 + 90  # cl.txt and clq.txt; uefa.cl.json: the same 189
    notes = [w for w in report.warnings if "impossible shoot-out score 4-4" in w]
    assert [n.split(": impossible")[0].rsplit(", ", 1)[1] for n in notes] == ["matches[169].score.p",
                                                                              "matches[174].score.p"]
    with Store(db, read_only=True) as store:
        shootouts = store.con.execute("SELECT home_id, pen_home, pen_away FROM matches WHERE date = '2025-03-11' "
                                      "AND pen_home IS NOT NULL").fetchall()
    assert ("liverpool", 1, 4) in shootouts


def test_bad_files_stop_the_sync_unless_skipped(tmp_path):
    """A file a reader cannot read: by default nothing is written and the error names it; with
    skip_bad_files the rest imports and the file is named."""
    mirror = tmp_path / "m" / "openfootball" / "champions-league" / "2023-24"
    mirror.mkdir(parents=True)
    (mirror / "el.txt").write_text("= UEFA Europa League 2023/24\n» Final\n  Wed May/22 2024\n"
                                   "    21.00  Atalanta (ITA) v Bayer Leverkusen (GER)  3-0 (1-0) 2-1\n")
    (mirror / "cl.txt").write_text("= UEFA Champions League 2023/24\n» Final\n  Sat Jun/1 2024\n"
                                   "    21.00  Borussia Dortmund (GER) v Real Madrid CF (ESP)  0-2 (0-0)\n")
    db = tmp_path / "s.duckdb"
    urls = SourceURLs.resolve(mirror=str(tmp_path / "m"))
    with pytest.raises(DataError, match=r"2023-24/el.txt, line 4"):
        sync(db, ["UCL", "UEL"], ["2023-24"], urls=urls, fetcher=Fetcher(cache_dir=tmp_path / "c"))
    if db.exists():
        with Store(db, read_only=True) as store:
            assert store.counts()["matches"] == 0
    report = sync(db, ["UCL", "UEL"], ["2023-24"], urls=urls, fetcher=Fetcher(cache_dir=tmp_path / "c"),
                  skip_bad_files=True)
    assert len(report.rejected) == 1 and "el.txt" in report.rejected[0] and report.added == 1


def test_a_long_download_does_not_hold_the_store(shared_data, tmp_path):
    """Everything is downloaded and parsed before the store is opened for writing: while a slow file
    drips in, another reader of the store is served at once."""
    import threading

    db = tmp_path / "s.duckdb"
    sync(db, ["UEL"], ["2023-24"], urls=SourceURLs.resolve(mirror=str(shared_data)),
         fetcher=Fetcher(cache_dir=tmp_path / "c0"))
    www = _mirror(tmp_path, shared_data, "football-data/mmz4281/2324/E0.csv")
    with serving(www) as server:
        started = threading.Event()
        release = threading.Event()

        class SlowFetcher(Fetcher):
            def fetch(self, url, **kwargs):
                started.set()
                release.wait(10)  # a download that takes as long as the test needs
                return super().fetch(url, **kwargs)

        result = {}
        worker = threading.Thread(target=lambda: result.setdefault("report", sync(
            db, ["E0"], ["2023-24"], urls=SourceURLs.resolve(mirror=server.base),
            fetcher=SlowFetcher(cache_dir=tmp_path / "c1"))))
        worker.start()
        assert started.wait(10)
        with Store(db, read_only=True, lock_wait=0) as reader:  # not blocked by the download
            assert reader.counts()["matches"] == 141
        release.set()
        worker.join(30)
    assert result["report"].added == 380
