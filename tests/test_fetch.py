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
