"""Source URLs, mirrors and the download cache (loopback HTTP only; never the internet)."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

from matchday.data.fetch import SOURCES, Fetcher, FetchError, SourceURLs, env_var


@pytest.fixture()
def tiny_server(tmp_path: Path):
    root = tmp_path / "www"
    (root / "football-data" / "mmz4281" / "2324").mkdir(parents=True)
    (root / "football-data" / "mmz4281" / "2324" / "E0.csv").write_text("Div,Date\n")
    hits: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            if self.path.endswith("boom.csv"):
                self.send_error(500, "server fault")
                return
            super().do_GET()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def test_defaults_are_the_public_sources():
    urls = SourceURLs.resolve()
    assert urls.bases["football-data"] == "https://www.football-data.co.uk"
    assert urls.url("football-data", "mmz4281/2324/E0.csv") == "https://www.football-data.co.uk/mmz4281/2324/E0.csv"
    assert set(urls.bases) == set(SOURCES)


def test_precedence_flag_env_config(tmp_path: Path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('[sources]\nfootball-data = "http://127.0.0.1:1/config"\nmirror = "/srv/mirror"\n')
    monkeypatch.setenv("MATCHDAY_CONFIG", str(config))
    urls = SourceURLs.resolve()
    assert urls.bases["football-data"] == "http://127.0.0.1:1/config"
    assert urls.bases["engsoccerdata"] == "file:///srv/mirror/engsoccerdata"
    monkeypatch.setenv(env_var("football-data"), "http://127.0.0.1:2/env")
    assert SourceURLs.resolve().bases["football-data"] == "http://127.0.0.1:2/env"
    flagged = SourceURLs.resolve(mirror=str(tmp_path), overrides={"football-txt": "http://127.0.0.1:3/x/"})
    assert flagged.bases["football-data"] == (tmp_path.resolve().as_uri() + "/football-data")
    assert flagged.bases["football-txt"] == "http://127.0.0.1:3/x"


def test_unknown_source_override_is_an_error():
    with pytest.raises(Exception, match="unknown source"):
        SourceURLs.resolve(overrides={"footbal-data": "x"})


def test_file_url_and_missing_file(tmp_path: Path):
    (tmp_path / "a.csv").write_bytes(b"abc")
    fetcher = Fetcher(cache_dir=tmp_path / "cache")
    assert fetcher.get((tmp_path / "a.csv").as_uri()) == b"abc"
    assert fetcher.get((tmp_path / "nope.csv").as_uri()) is None


def test_http_download_is_cached(tiny_server, tmp_path: Path):
    base, hits = tiny_server
    fetcher = Fetcher(cache_dir=tmp_path / "cache")
    url = base + "/football-data/mmz4281/2324/E0.csv"
    assert fetcher.get(url) == b"Div,Date\n"
    assert fetcher.get(url) == b"Div,Date\n"
    assert hits.count("/football-data/mmz4281/2324/E0.csv") == 1
    assert Fetcher(cache_dir=tmp_path / "cache", refresh=True).get(url) == b"Div,Date\n"
    assert hits.count("/football-data/mmz4281/2324/E0.csv") == 2
    # a 404 is "not published", remembered in the cache too
    assert fetcher.get(base + "/football-data/mmz4281/2324/XX.csv") is None
    assert fetcher.get(base + "/football-data/mmz4281/2324/XX.csv") is None
    assert hits.count("/football-data/mmz4281/2324/XX.csv") == 1


def test_http_server_error_is_reported(tiny_server, tmp_path: Path):
    base, _ = tiny_server
    with pytest.raises(FetchError, match="HTTP 500"):
        Fetcher(cache_dir=tmp_path / "cache").get(base + "/boom.csv")


def test_unreachable_host_falls_back_to_cache(tmp_path: Path):
    fetcher = Fetcher(cache_dir=tmp_path / "cache", timeout=2)
    url = "http://127.0.0.1:9/nothing-listens-here.csv"
    with pytest.raises(FetchError, match="cannot download"):
        fetcher.get(url)
    cached = fetcher.cache_path(url)
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"old copy")
    assert Fetcher(cache_dir=tmp_path / "cache", refresh=True, timeout=2).get(url) == b"old copy"


def test_unsupported_scheme():
    with pytest.raises(FetchError, match="unsupported"):
        Fetcher().get("ftp://127.0.0.1/x.csv")


# --- issue 9 items 3, 7, 8, 9, 10, 11: a server that misbehaves on purpose -------------------------------------

import os  # noqa: E402
import time  # noqa: E402

from matchday.data.errors import DataError, MatchdayError  # noqa: E402
from matchday.data.fetch import MISSING_MAX_AGE  # noqa: E402
from matchday.data.sources.footballdata import read_footballdata  # noqa: E402
from misbehaving_http import serving  # noqa: E402

MINI = Path(__file__).parent / "fixtures" / "footballdata" / "mini_2324.csv"


@pytest.fixture()
def bad_server(tmp_path: Path):
    root = tmp_path / "www"
    (root / "mmz4281" / "2324").mkdir(parents=True)
    (root / "mmz4281" / "2324" / "E0.csv").write_bytes(MINI.read_bytes())
    with serving(root) as server:
        yield server


def _check(content: bytes) -> None:
    read_footballdata(content, source_file="E0.csv")


E0 = "/mmz4281/2324/E0.csv"


def test_slow_drip_hits_the_overall_deadline(bad_server, tmp_path):
    """Old: the 30 s timeout applied to each read, so one byte every half second held a sync for minutes."""
    bad_server.misbehave(E0, ("drip", 0.05))
    fetcher = Fetcher(cache_dir=tmp_path / "cache", deadline=1.0, timeout=5)
    started = time.monotonic()
    with pytest.raises(FetchError, match="not finished after 1 s"):
        fetcher.fetch(bad_server.base + E0)
    assert time.monotonic() - started < 4
    assert not fetcher.cache_path(bad_server.base + E0).exists()


def test_body_shorter_than_content_length(bad_server, tmp_path):
    """Old: http.client.IncompleteRead traceback."""
    bad_server.misbehave(E0, ("truncate", 100))
    fetcher = Fetcher(cache_dir=tmp_path / "cache")
    with pytest.raises(FetchError, match="100 of the .* bytes announced"):
        fetcher.fetch(bad_server.base + E0, check=_check)
    assert not fetcher.cache_path(bad_server.base + E0).exists()


def test_body_cut_short_without_content_length_is_not_cached(bad_server, tmp_path):
    """Old: cached before it was checked, so every later sync failed until --refresh."""
    bad_server.misbehave(E0, ("cut", 700), ("ok", None))
    fetcher = Fetcher(cache_dir=tmp_path / "cache")
    with pytest.raises(DataError, match="not cached"):
        fetcher.fetch(bad_server.base + E0, check=_check)
    assert not fetcher.cache_path(bad_server.base + E0).exists()
    good = fetcher.fetch(bad_server.base + E0, check=_check)  # the next sync is not poisoned
    assert good.content == MINI.read_bytes() and not good.from_cache


@pytest.mark.parametrize("behaviour", [("html", 200), ("disguised", None)])
def test_captive_portal_never_replaces_the_cache(bad_server, tmp_path, behaviour):
    fetcher = Fetcher(cache_dir=tmp_path / "cache")
    url = bad_server.base + E0
    assert fetcher.fetch(url, check=_check).content == MINI.read_bytes()
    bad_server.misbehave(E0, behaviour)
    with pytest.raises((FetchError, DataError), match="HTML|not a CSV"):
        Fetcher(cache_dir=tmp_path / "fresh").fetch(url, check=_check)
    kept = Fetcher(cache_dir=tmp_path / "cache", refresh=True).fetch(url, check=_check)
    assert kept.content == MINI.read_bytes() and kept.from_cache
    assert "used the cached copy" in kept.warning and str(fetcher.cache_path(url)) in kept.warning


def test_a_poisoned_cache_is_named_and_healed(bad_server, tmp_path):
    """A cached copy that does not parse (written by an older matchday) is downloaded again; when that
    fails too, the error names the cached file."""
    url = bad_server.base + E0
    fetcher = Fetcher(cache_dir=tmp_path / "cache")
    cached = fetcher.cache_path(url)
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"<html>portal</html>")
    healed = fetcher.fetch(url, check=_check)
    assert healed.content == MINI.read_bytes() and "downloaded again" in healed.warning
    cached.write_bytes(b"<html>portal</html>")
    bad_server.misbehave(E0, ("status", 503))
    with pytest.raises(FetchError, match=f"cached copy {cached}"):
        fetcher.fetch(url, check=_check)


def test_redirect_to_another_host_is_refused(bad_server, tmp_path):
    """Old: followed to any host and cached under the original URL."""
    bad_server.misbehave(E0, ("redirect", "{other}/mmz4281/2324/E0.csv"))
    with pytest.raises(FetchError, match="redirects to http://localhost.*same host"):
        Fetcher(cache_dir=tmp_path / "cache").fetch(bad_server.base + E0)


def test_redirect_within_the_host_is_followed_and_recorded(bad_server, tmp_path):
    bad_server.misbehave("/old/E0.csv", ("redirect", "{base}/mmz4281/2324/E0.csv"))
    fetcher = Fetcher(cache_dir=tmp_path / "cache")
    found = fetcher.fetch(bad_server.base + "/old/E0.csv", check=_check)
    assert found.content == MINI.read_bytes() and found.final_url == bad_server.base + E0
    again = fetcher.fetch(bad_server.base + "/old/E0.csv")
    assert again.from_cache and again.final_url == bad_server.base + E0


def test_404_then_200_is_asked_again_after_the_expiry(bad_server, tmp_path):
    """Old: a 404 was remembered forever, so a file published later was never fetched."""
    bad_server.misbehave(E0, ("status", 404), ("ok", None))
    fetcher = Fetcher(cache_dir=tmp_path / "cache")
    url = bad_server.base + E0
    assert fetcher.fetch(url).missing
    remembered = fetcher.fetch(url)
    assert remembered.missing and remembered.from_cache and bad_server.hits[E0] == 1
    marker = fetcher.cache_path(url).with_name(fetcher.cache_path(url).name + ".missing")
    old = time.time() - MISSING_MAX_AGE - 60
    os.utime(marker, (old, old))
    assert fetcher.fetch(url).content == MINI.read_bytes() and bad_server.hits[E0] == 2
    assert not marker.exists()


def test_size_cap(bad_server, tmp_path):
    bad_server.misbehave(E0, ("ok", None))
    with pytest.raises(FetchError, match="more than the 100 accepted"):
        Fetcher(cache_dir=tmp_path / "cache", max_bytes=100).fetch(bad_server.base + E0)
    bad_server.misbehave("/endless.csv", ("endless", 4096))
    with pytest.raises(FetchError, match="more than the 100,000 bytes accepted"):
        Fetcher(cache_dir=tmp_path / "cache", max_bytes=100_000).fetch(bad_server.base + "/endless.csv")


def test_a_100000_character_url_is_one_clear_error(tmp_path):
    """Old: OSError 'File name too long' from the cache (a traceback)."""
    long = "http://127.0.0.1:9/" + "a" * 100_000
    with pytest.raises(MatchdayError, match="100,019 characters long"):
        SourceURLs.resolve(overrides={"football-data": long})
    with pytest.raises(FetchError, match="too long"):
        Fetcher(cache_dir=tmp_path).fetch(long + "/E0.csv")
    shorter = "http://127.0.0.1:9/" + "b" * 2000  # accepted, and its cache file name stays short
    assert len(Fetcher(cache_dir=tmp_path).cache_path(shorter + "/E0.csv").name) < 100


def test_cache_writes_are_atomic(bad_server, tmp_path):
    fetcher = Fetcher(cache_dir=tmp_path / "cache")
    fetcher.fetch(bad_server.base + E0)
    leftovers = [p.name for p in (tmp_path / "cache").rglob("*") if p.name.endswith(".part")]
    assert leftovers == []
