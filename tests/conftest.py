"""Shared test fixtures.

Real data lives in ``../shared/data`` beside the repository (never copied in). Tests that need it use
the ``shared_data`` fixture: it skips with a reason when the folder is absent, but fails when
``CI=true`` because CI must run every real-data test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("MATCHDAY_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))


def require_shared(*relative: str) -> Path:
    """Path inside ../shared/data; skip (locally) or fail (CI=true) when it is missing."""
    path = SHARED_DATA.joinpath(*relative)
    if not path.exists():
        message = f"real data not found: {path} (put ../shared/data beside the repo)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Root of ../shared/data (see require_shared for the skip/fail policy)."""
    return require_shared()


@pytest.fixture(scope="session")
def shared_http(shared_data: Path):
    """A loopback HTTP server serving ../shared/data, to exercise the real download path."""
    import functools
    import http.server
    import threading

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format, *args):  # noqa: A002 - silence per-request logging
            pass

    handler = functools.partial(QuietHandler, directory=str(shared_data))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _isolate_user_dirs(base, monkeypatch) -> None:
    monkeypatch.setenv("MATCHDAY_DB", str(base / "matchday.duckdb"))
    monkeypatch.setenv("MATCHDAY_CACHE", str(base / "cache"))
    monkeypatch.setenv("MATCHDAY_CONFIG", str(base / "config.toml"))
    for name in ("MATCHDAY_MIRROR", "MATCHDAY_FOOTBALL_DATA_URL", "MATCHDAY_OPENFOOTBALL_JSON_URL",
                 "MATCHDAY_FOOTBALL_TXT_URL", "MATCHDAY_ENGSOCCERDATA_URL", "MATCHDAY_ALIASES",
                 "MATCHDAY_LOCK_WAIT", "MATCHDAY_DEBUG",
                 "MATCHDAY_MODEL_CACHE", "MATCHDAY_MODEL_CACHE_MB"):  # fitted models: under MATCHDAY_CACHE
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session", autouse=True)
def _isolated_user_dirs_for_the_session(tmp_path_factory):
    """Session fixtures (a synced store, the browser tests' server and its `matchday update`) run before any
    function-scoped fixture: isolate them too."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        _isolate_user_dirs(tmp_path_factory.getbasetemp() / "userdirs", monkeypatch)
        yield


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    """Never touch the real user's store, cache or config from a test."""
    _isolate_user_dirs(tmp_path_factory.getbasetemp() / "userdirs", monkeypatch)


@pytest.fixture(scope="session")
def synced_db(shared_data: Path, tmp_path_factory) -> Path:
    """A store with every league and UEFA competition of 2022-23 and 2023-24, imported from the mirror."""
    from matchday.data.fetch import Fetcher, SourceURLs
    from matchday.data.store import Store
    from matchday.data.sync import sync

    base = tmp_path_factory.mktemp("synced")
    path = base / "matchday.duckdb"
    with Store(path) as store:
        sync(store, None, ["2022-23", "2023-24"], urls=SourceURLs.resolve(mirror=str(shared_data)),
             fetcher=Fetcher(cache_dir=base / "cache"))
    return path


def readme_match_counts(shared: Path) -> dict[tuple[str, str], int]:
    """(season code such as "2425", division) -> matches per football-data file, read from the table
    "Matches per file" of shared/data/README.md (the data's own documentation, not our reader)."""
    lines = (shared / "README.md").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("### Matches per file"))
    header = next(line for line in lines[start:] if line.startswith("| div |"))
    seasons = [cell.strip() for cell in header.strip("|").split("|")][1:-1]  # drop "div" and "total"
    counts: dict[tuple[str, str], int] = {}
    for line in lines[lines.index(header) + 2:]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        for season, cell in zip(seasons, cells[1:-1], strict=True):
            counts[(season, cells[0])] = int(cell.replace(",", ""))
    return counts


@pytest.fixture(scope="session")
def distributed():
    """The ``distributed`` module (Dask); skip (locally) or fail (CI=true) when it is not installed (the dev
    extra installs it). A fixture, not an importable helper: ``from conftest import ...`` is ambiguous next to
    tests/e2e/conftest.py."""
    try:
        import distributed as module
    except ImportError:
        message = "dask[distributed] is not installed (pip install -e '.[dev]')"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return module


@pytest.fixture(scope="session")
def store_2425(shared_data: Path, tmp_path_factory) -> Path:
    """A store with every league and UEFA competition of 2023-24 and 2024-25 from the mirror (every file
    imports; football.json's uefa.cl.json 2024-25 writes two shoot-outs 4-4: those two shoot-outs are left
    out, and Football.TXT's cl.txt gives them)."""
    from matchday.data.fetch import Fetcher, SourceURLs
    from matchday.data.store import Store
    from matchday.data.sync import sync

    base = tmp_path_factory.mktemp("store2425")
    path = base / "matchday.duckdb"
    with Store(path) as store:
        sync(store, None, ["2023-24", "2024-25"], urls=SourceURLs.resolve(mirror=str(shared_data)),
             fetcher=Fetcher(cache_dir=base / "cache"))
    return path
