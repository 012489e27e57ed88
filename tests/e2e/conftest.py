"""Browser tests: pytest-playwright drives Debian's headless Chromium against `matchday serve` on loopback.

No browser is downloaded: Playwright launches the system Chromium (``MATCHDAY_CHROMIUM``, else ``chromium`` on
PATH, else /usr/bin/chromium; ``.ci/run`` installs it with apt-get). Without it the tests skip locally and fail
with CI=true. Screenshots of every page are written to ``test-artifacts/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _require(condition: bool, message: str) -> None:
    if condition:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def chromium_path() -> str | None:
    for candidate in (os.environ.get("MATCHDAY_CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's launch options, pointed at the system Chromium with flags that work offline."""
    path = chromium_path()
    _require(path is not None, "Chromium not found (apt-get install chromium, or set MATCHDAY_CHROMIUM)")
    return {**browser_type_launch_args, "executable_path": path, "args": CHROMIUM_FLAGS, "headless": True}


@pytest.fixture(scope="session")
def e2e_db(synced_db, shared_data, tmp_path_factory) -> Path:
    """A copy of the synced store with the Champions League 2024-25 added (the league-phase cup page), one
    walk-forward backtest in its forecasts log, and the views of `matchday update E0 --as-of 2024-04-15` (the
    league page reads them; their fixture forecasts are the model page's track record)."""
    from typer.testing import CliRunner

    from matchday import cli
    from matchday.data.fetch import Fetcher, SourceURLs
    from matchday.data.store import Store
    from matchday.data.sync import sync

    base = tmp_path_factory.mktemp("e2e")
    path = base / "matchday.duckdb"
    shutil.copy(synced_db, path)
    with Store(path) as store:
        sync(store, ["UCL"], ["2024-25"], urls=SourceURLs.resolve(mirror=str(shared_data)),
             fetcher=Fetcher(cache_dir=base / "cache"))
    for args in (["backtest", "E0", "--seasons", "2023-24", "--models", "dixon-coles,elo", "--start", "2024-03-01",
                  "--jobs", "1", "--json"], ["update", "E0", "--as-of", "2024-04-15"]):
        result = CliRunner().invoke(cli.app, [*args, "--db", str(path)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(e2e_db, tmp_path_factory):
    """`matchday serve` on a free loopback port, as a user starts it; stopped after the session."""
    port = _free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "matchday.cli", "serve", "--host", "127.0.0.1",
                                    "--port", str(port), "--db", str(e2e_db)], stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/v1/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"matchday serve did not start: {log.read_text()[-2000:]}")
        time.sleep(0.2)
    yield url
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def console(page):
    """Console errors and uncaught exceptions of the page; a test asserts the list is empty."""
    problems: list[str] = []
    page.on("console", lambda message: problems.append(f"{message.type}: {message.text}")
            if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    return problems


@pytest.fixture
def screenshot(page):
    """screenshot(name): a full-page PNG of the current page in test-artifacts/screenshots/."""
    def take(name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
