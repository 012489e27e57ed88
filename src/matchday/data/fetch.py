"""Downloads with a local cache, and where each source lives.

Every source has a base URL. The defaults are the real public addresses; each can be pointed at a
mirror: a local directory, a ``file://`` URL or an ``http://127.0.0.1:PORT`` server. A mirror *root*
laid out like ``shared/data`` (``football-data/``, ``openfootball/football.json/``,
``openfootball/champions-league/``, ``engsoccerdata/``) sets all four at once.

Precedence (first wins): explicit argument (CLI ``--mirror`` / ``--source NAME=URL``), environment
(``MATCHDAY_MIRROR``, ``MATCHDAY_FOOTBALL_DATA_URL``, ...), the config file
(``<user config dir>/matchday/config.toml``, section ``[sources]``), the defaults.
"""

from __future__ import annotations

import hashlib
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from matchday.data.errors import MatchdayError

#: source name -> (default base URL, sub-folder of a mirror root)
SOURCES: dict[str, tuple[str, str]] = {
    "football-data": ("https://www.football-data.co.uk", "football-data"),
    "openfootball-json": (
        "https://raw.githubusercontent.com/openfootball/football.json/master",
        "openfootball/football.json",
    ),
    "football-txt": (
        "https://raw.githubusercontent.com/openfootball/champions-league/master",
        "openfootball/champions-league",
    ),
    "engsoccerdata": (
        "https://raw.githubusercontent.com/jalapic/engsoccerdata/master/data-raw",
        "engsoccerdata",
    ),
}

ENV_MIRROR = "MATCHDAY_MIRROR"
USER_AGENT = "matchday/0.1 (+https://github.com/matchday)"


def env_var(source: str) -> str:
    """``football-data`` -> ``MATCHDAY_FOOTBALL_DATA_URL``."""
    return "MATCHDAY_" + source.upper().replace("-", "_") + "_URL"


class FetchError(MatchdayError):
    """A download failed for a reason other than 'this file does not exist'."""


def config_path() -> Path:
    from platformdirs import user_config_dir

    return Path(os.environ.get("MATCHDAY_CONFIG", Path(user_config_dir("matchday")) / "config.toml"))


def default_cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(os.environ.get("MATCHDAY_CACHE", user_cache_dir("matchday")))


def _as_url(location: str) -> str:
    """A directory path becomes a ``file://`` URL; URLs pass through; no trailing slash."""
    location = location.strip()
    if "://" not in location:
        location = Path(location).expanduser().resolve().as_uri()
    return location.rstrip("/")


def _read_config() -> dict[str, str]:
    path = config_path()
    if not path.exists():
        return {}
    import tomllib

    try:
        with path.open("rb") as handle:
            section = tomllib.load(handle).get("sources", {})
    except tomllib.TOMLDecodeError as exc:
        raise MatchdayError(f"{path}: not valid TOML ({exc})") from exc
    return {str(k): str(v) for k, v in section.items()}


@dataclass
class SourceURLs:
    """Resolved base URL of every source (see module docstring for the precedence)."""

    bases: dict[str, str] = field(default_factory=dict)

    @classmethod
    def resolve(cls, mirror: str | None = None, overrides: dict[str, str] | None = None) -> SourceURLs:
        config = _read_config()
        bases: dict[str, str] = {}
        for name, (default, subfolder) in SOURCES.items():
            candidates = [
                (overrides or {}).get(name),
                _join(mirror, subfolder) if mirror else None,
                os.environ.get(env_var(name)),
                _join(os.environ[ENV_MIRROR], subfolder) if os.environ.get(ENV_MIRROR) else None,
                config.get(name),
                _join(config["mirror"], subfolder) if config.get("mirror") else None,
            ]
            chosen = next((c for c in candidates if c), default)
            bases[name] = _as_url(chosen)
        unknown = set(overrides or {}) - set(SOURCES)
        if unknown:
            raise MatchdayError(f"unknown source(s) {sorted(unknown)}; valid: {sorted(SOURCES)}")
        return cls(bases)

    def url(self, source: str, relative: str) -> str:
        return f"{self.bases[source]}/{relative.lstrip('/')}"


def _join(root: str, subfolder: str) -> str:
    return _as_url(root) + "/" + subfolder


@dataclass
class Fetcher:
    """Reads URLs (http, https, file) through a cache directory.

    max_age: seconds after which a cached http(s) download is fetched again (None = never); use
    ``refresh=True`` to ignore the cache. ``file://`` URLs are read directly and never cached.
    """

    cache_dir: Path | None = None
    refresh: bool = False
    timeout: float = 30.0

    def __post_init__(self) -> None:
        if self.cache_dir is None:
            self.cache_dir = default_cache_dir()
        self.cache_dir = Path(self.cache_dir)

    def cache_path(self, url: str) -> Path:
        parsed = urllib.parse.urlparse(url)
        digest = hashlib.sha1(url.encode()).hexdigest()[:12]
        name = Path(parsed.path).name or "index"
        return self.cache_dir / parsed.netloc.replace(":", "_") / f"{digest}-{name}"

    def get(self, url: str, *, max_age: float | None = None) -> bytes | None:
        """The bytes at ``url``; None when the source says the file does not exist (404 / no file)."""
        parsed = urllib.parse.urlparse(url)
        if parsed.scheme == "file":
            path = Path(urllib.request.url2pathname(parsed.path))
            return path.read_bytes() if path.is_file() else None
        if parsed.scheme not in ("http", "https"):
            raise FetchError(f"unsupported URL scheme in {url!r} (use a directory, file://, http:// or https://)")
        cached = self.cache_path(url)
        missing_marker = cached.with_name(cached.name + ".missing")
        if not self.refresh:
            for marker, value in ((cached, None), (missing_marker, b"")):
                if marker.exists() and (max_age is None or time.time() - marker.stat().st_mtime < max_age):
                    return marker.read_bytes() if value is None else None
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                content = response.read()
        except urllib.error.HTTPError as exc:
            if exc.code in (404, 410):
                cached.parent.mkdir(parents=True, exist_ok=True)
                missing_marker.write_bytes(b"")
                return None
            raise FetchError(f"{url}: HTTP {exc.code} {exc.reason}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            if cached.exists():  # offline: fall back to the copy we have, however old
                return cached.read_bytes()
            raise FetchError(f"{url}: cannot download ({getattr(exc, 'reason', exc)})") from exc
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(cached.name + ".part")
        tmp.write_bytes(content)
        tmp.replace(cached)
        missing_marker.unlink(missing_ok=True)
        return content
