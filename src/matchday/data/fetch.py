"""Downloads with a local cache, and where each source lives.

Every source has a base URL. The defaults are the real public addresses; each can be pointed at a
mirror: a local directory, a ``file://`` URL or an ``http://127.0.0.1:PORT`` server. A mirror *root*
laid out like ``shared/data`` (``football-data/``, ``openfootball/football.json/``,
``openfootball/champions-league/``, ``engsoccerdata/``) sets all four at once.

Precedence (first wins): explicit argument (CLI ``--mirror`` / ``--source NAME=URL``), environment
(``MATCHDAY_MIRROR``, ``MATCHDAY_FOOTBALL_DATA_URL``, ...), the config file
(``<user config dir>/matchday/config.toml``, section ``[sources]``), the defaults.

Downloads (:class:`Fetcher`) are checked before they are cached: a page that is not the file (an HTML
page served with status 200, a body cut short, a file that does not parse as its source's format, via
the ``check`` callback) never replaces a good cached copy, and the cache is written atomically. Each
file has an overall deadline and a size cap besides the per-read timeout; redirects are followed only
to the same host (``http`` -> ``https`` allowed), and the final URL is recorded. A 404 is remembered
as "missing" for a limited time only (:data:`MISSING_MAX_AGE_RUNNING` for the running season,
:data:`MISSING_MAX_AGE` otherwise).
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import os
import re
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from matchday.data.errors import DataError, MatchdayError

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

#: Longest base URL or file URL accepted (browsers and servers cap URLs at a few thousand characters).
MAX_URL_LENGTH = 2048
#: A 404 for a file of the running season is asked again after this many seconds ...
MISSING_MAX_AGE_RUNNING = 6 * 3600
#: ... and for a finished season after this many (the source may publish a file late).
MISSING_MAX_AGE = 7 * 24 * 3600
#: Per-file limits: the largest source file is ~1 MB (champs.csv); 64 MiB and 120 s leave room for any
#: honest file on a slow line and stop a server that drips or never ends.
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_DEADLINE = 120.0
_MAX_REDIRECTS = 5


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


def _as_url(location: str, what: str = "source URL") -> str:
    """A directory path becomes a ``file://`` URL; URLs pass through; no trailing slash.

    Raises MatchdayError for what cannot be a base URL: too long, an unsupported scheme, an http(s)
    URL without a host, a path with a NUL byte.
    """
    location = location.strip()
    shown = location if len(location) <= 80 else location[:77] + "..."
    if not location:
        raise MatchdayError(f"{what} is empty")
    if len(location) > MAX_URL_LENGTH:
        raise MatchdayError(f"{what} is {len(location):,} characters long (at most {MAX_URL_LENGTH:,}): {shown}")
    if "://" not in location:
        try:
            location = Path(location).expanduser().resolve().as_uri()
        except (OSError, ValueError) as exc:
            raise MatchdayError(f"{what} {shown!r} is not a usable path ({exc})") from None
    parsed = urllib.parse.urlparse(location)
    if parsed.scheme not in ("http", "https", "file"):
        raise MatchdayError(f"{what} {shown!r}: unsupported scheme {parsed.scheme!r} "
                            "(use a directory, file://, http:// or https://)")
    if parsed.scheme in ("http", "https") and not parsed.hostname:
        raise MatchdayError(f"{what} {shown!r} has no host")
    return location.rstrip("/")


def _local_folder(location: str) -> Path | None:
    """The directory a mirror location names, or None when it is an http(s) URL."""
    location = location.strip()
    if "://" not in location:
        return Path(location).expanduser()
    parsed = urllib.parse.urlparse(location)
    return Path(urllib.request.url2pathname(parsed.path)) if parsed.scheme == "file" else None


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
    roots: dict[str, str] = field(default_factory=dict)  # where a mirror root was set -> the root

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
            bases[name] = _as_url(chosen, f"the base URL of {name}")
        unknown = set(overrides or {}) - set(SOURCES)
        if unknown:
            raise MatchdayError(f"unknown source(s) {sorted(unknown)}; valid: {sorted(SOURCES)}")
        roots = {origin: root for root, origin in (
            (mirror, "--mirror"), (os.environ.get(ENV_MIRROR), ENV_MIRROR), (config.get("mirror"), str(config_path())))
            if root and root.strip()}
        for origin, root in roots.items():
            _as_url(root, f"the mirror root ({origin})")
        return cls(bases, roots)

    def check_mirror_roots(self) -> None:
        """A mirror root that is a local folder and serves a source must exist: otherwise every file
        would merely be "missing". Raises MatchdayError naming the folder and where it was set."""
        for origin, root in self.roots.items():
            folder = _local_folder(root)
            if folder is None or folder.is_dir():
                continue
            if any(self.bases[name] == _join(root, sub) for name, (_, sub) in SOURCES.items()):
                raise MatchdayError(f"mirror folder {folder} (from {origin}) does not exist or is not a folder")

    def url(self, source: str, relative: str) -> str:
        return f"{self.bases[source]}/{relative.lstrip('/')}"


def _join(root: str, subfolder: str) -> str:
    return _as_url(root) + "/" + subfolder


@dataclass(frozen=True)
class Download:
    """What :meth:`Fetcher.fetch` found at a URL.

    content: the bytes, or None when the source says the file does not exist (404/410, no such file).
    final_url: where the bytes came from after redirects (the URL itself when there were none).
    from_cache: True when the bytes (or the "missing" answer) are the cache's, not a new download.
    cache_path: the cached copy (None for ``file://`` URLs, which are never cached).
    warning: set when something was done differently than asked (an old cached copy used because a new
        download failed, a download not cached), in one line saying what and why.
    """

    url: str
    content: bytes | None
    final_url: str
    from_cache: bool = False
    cache_path: Path | None = None
    warning: str | None = None

    @property
    def missing(self) -> bool:
        return self.content is None


class _Missing(Exception):
    """The server says the file does not exist (404 / 410)."""


class _SameHostRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to the same host (``http`` -> ``https`` allowed, never back)."""

    max_redirections = _MAX_REDIRECTS

    def __init__(self, origin: str) -> None:
        super().__init__()
        self.origin = urllib.parse.urlparse(origin)

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, ANN201 - urllib's API
        target = urllib.parse.urlparse(urllib.parse.urljoin(req.full_url, newurl))
        same_host = (target.hostname or "").lower() == (self.origin.hostname or "").lower()
        same_port = target.port == self.origin.port or (
            target.scheme == "https" and self.origin.scheme == "http" and target.port in (None, 443))
        downgrade = self.origin.scheme == "https" and target.scheme != "https"
        if not same_host or not same_port or downgrade or target.scheme not in ("http", "https"):
            raise FetchError(
                f"{_short(self.origin.geturl())}: the server redirects to {_short(target.geturl())}, another "
                "host or a weaker scheme; matchday follows redirects only within the same host"
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _short(url: str, limit: int = 120) -> str:
    return url if len(url) <= limit else url[: limit - 3] + "..."


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader sees the old file or the new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name[:40] + ".", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


@dataclass
class Fetcher:
    """Reads URLs (http, https, file) through a cache directory.

    refresh: ignore the cache (download again; a 404 is asked again too).
    timeout: seconds one read from the network may wait for data.
    deadline: seconds one file may take in all (a server sending a byte at a time is cut off).
    max_bytes: the largest file accepted.
    ``file://`` URLs are read directly and never cached.
    """

    cache_dir: Path | None = None
    refresh: bool = False
    timeout: float = 30.0
    deadline: float = DEFAULT_DEADLINE
    max_bytes: int = DEFAULT_MAX_BYTES

    def __post_init__(self) -> None:
        if self.cache_dir is None:
            self.cache_dir = default_cache_dir()
        self.cache_dir = Path(self.cache_dir)

    def cache_path(self, url: str) -> Path:
        parsed = urllib.parse.urlparse(url)
        digest = hashlib.sha1(url.encode()).hexdigest()[:12]
        name = re.sub(r"[^A-Za-z0-9._-]", "_", Path(parsed.path).name)[:60] or "index"
        host = re.sub(r"[^A-Za-z0-9._-]", "_", parsed.netloc)[:80] or "local"
        return self.cache_dir / host / f"{digest}-{name}"

    def get(self, url: str, *, max_age: float | None = None, missing_max_age: float | None = MISSING_MAX_AGE,
            check: Callable[[bytes], object] | None = None) -> bytes | None:
        """The bytes at ``url``; None when the source says the file does not exist (see :meth:`fetch`)."""
        return self.fetch(url, max_age=max_age, missing_max_age=missing_max_age, check=check).content

    def fetch(
        self,
        url: str,
        *,
        max_age: float | None = None,
        missing_max_age: float | None = MISSING_MAX_AGE,
        check: Callable[[bytes], object] | None = None,
    ) -> Download:
        """The file at ``url``, through the cache.

        max_age: seconds after which a cached copy is downloaded again (None: a cached copy never expires).
        missing_max_age: seconds a 404 is remembered (None: forever; 0: never).
        check: called with new bytes before they are cached (and with a cached copy before it is used);
            it raises :class:`DataError` when the bytes are not the file (they parse as nothing the
            source publishes). Unreadable new bytes never replace a cached copy.
        Raises :class:`FetchError` (network trouble, no cached copy to fall back on) or DataError.
        """
        if len(url) > MAX_URL_LENGTH + 512:
            raise FetchError(f"URL of {len(url):,} characters is too long: {_short(url)}")
        parsed = urllib.parse.urlparse(url)
        if parsed.scheme == "file":
            return self._read_file(url, parsed)
        if parsed.scheme not in ("http", "https"):
            raise FetchError(f"unsupported URL scheme in {_short(url)!r} (use a directory, file://, http:// or https://)")
        cached = self.cache_path(url)
        missing_marker = cached.with_name(cached.name + ".missing")
        stale_note = None
        if not self.refresh:
            if cached.exists() and (max_age is None or time.time() - cached.stat().st_mtime < max_age):
                content = cached.read_bytes()
                problem = self._problem(check, content)
                if problem is None:
                    return Download(url, content, self._final_url(cached, url), True, cached)
                stale_note = f"the cached copy {cached} was unreadable ({problem}) and was downloaded again"
            elif missing_marker.exists() and missing_max_age is not None and (
                    time.time() - missing_marker.stat().st_mtime < missing_max_age):
                return Download(url, None, url, True, cached)
        try:
            content, final_url, _ = self._download(url)
        except _Missing:
            with contextlib.suppress(OSError):  # the marker only saves asking again
                _write_atomic(missing_marker, b"")
                if stale_note:
                    cached.unlink(missing_ok=True)
            return Download(url, None, url, False, cached)
        except FetchError as exc:
            return self._fall_back(url, cached, check, str(exc), exc)
        problem = self._problem(check, content)
        if problem is not None:
            error = problem if isinstance(problem, DataError) else DataError(str(problem), file=url)
            note = f"downloaded from {_short(final_url)}; not cached"
            return self._fall_back(url, cached, check, f"the new download is unreadable ({error})",
                                   error.with_note(note))
        warning = stale_note
        try:
            _write_atomic(cached, content)
            _write_atomic(cached.with_name(cached.name + ".json"), json.dumps(
                {"url": url, "final_url": final_url, "fetched_at": time.time(), "bytes": len(content),
                 "sha256": hashlib.sha256(content).hexdigest()}).encode())
            missing_marker.unlink(missing_ok=True)
        except OSError as exc:
            warning = f"{_short(url)}: downloaded but not cached ({exc.strerror or exc} in {self.cache_dir})"
        return Download(url, content, final_url, False, cached, warning)

    def _read_file(self, url: str, parsed: urllib.parse.ParseResult) -> Download:
        path = Path(urllib.request.url2pathname(parsed.path))
        try:
            if not path.is_file():
                return Download(url, None, url)
            size = path.stat().st_size
            if size > self.max_bytes:
                raise FetchError(f"{path}: {size:,} bytes, more than the {self.max_bytes:,} accepted")
            return Download(url, path.read_bytes(), url)
        except OSError as exc:
            raise FetchError(f"{path}: cannot read ({exc.strerror or exc})") from None

    @staticmethod
    def _problem(check: Callable[[bytes], object] | None, content: bytes) -> DataError | None:
        if check is None:
            return None
        try:
            check(content)
        except DataError as exc:
            return exc
        return None

    @staticmethod
    def _final_url(cached: Path, url: str) -> str:
        try:
            return str(json.loads(cached.with_name(cached.name + ".json").read_text()).get("final_url") or url)
        except (OSError, ValueError, AttributeError):
            return url

    def _fall_back(self, url: str, cached: Path, check: Callable[[bytes], object] | None, why: str,
                   error: Exception) -> Download:
        """A download failed: use the cached copy (saying so) if there is a readable one, else raise."""
        if cached.exists():
            content = cached.read_bytes()
            if self._problem(check, content) is None:
                when = time.strftime("%Y-%m-%d %H:%M", time.localtime(cached.stat().st_mtime))
                return Download(url, content, self._final_url(cached, url), True, cached,
                                f"{_short(url)}: {why}; used the cached copy from {when} ({cached})")
            if isinstance(error, DataError):
                raise error.with_note(f"the cached copy {cached} is unreadable too; delete it or use --refresh")
            raise FetchError(f"{error}; the cached copy {cached} is unreadable (delete it or use --refresh)")
        raise error

    def _download(self, url: str) -> tuple[bytes, str, str]:
        """(bytes, final URL, content type) of a GET; raises _Missing or FetchError."""
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        opener = urllib.request.build_opener(_SameHostRedirects(url))
        started = time.monotonic()
        shown = _short(url)
        try:
            with opener.open(request, timeout=self.timeout) as response:
                final_url = response.geturl()
                content_type = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
                if content_type in ("text/html", "application/xhtml+xml"):
                    raise FetchError(f"{shown}: the server sent an HTML page ({content_type}, status "
                                     f"{response.status}), not the data file; a login page or a wrong "
                                     "mirror? Nothing was cached")
                declared = response.headers.get("Content-Length")
                length = int(declared) if declared and declared.strip().isdigit() else None
                if length is not None and length > self.max_bytes:
                    raise FetchError(f"{shown}: {length:,} bytes announced, more than the {self.max_bytes:,} accepted")
                chunks: list[bytes] = []
                total = 0
                while True:
                    if time.monotonic() - started > self.deadline:
                        raise FetchError(f"{shown}: not finished after {self.deadline:g} s ({total:,} bytes so "
                                         "far); the server is too slow")
                    chunk = response.read1(65536)
                    if not chunk:
                        break
                    total += len(chunk)
                    if total > self.max_bytes:
                        raise FetchError(f"{shown}: more than the {self.max_bytes:,} bytes accepted")
                    chunks.append(chunk)
                if length is not None and total != length:
                    raise FetchError(f"{shown}: the body has {total:,} of the {length:,} bytes announced "
                                     "(the connection broke off); nothing was cached")
                return b"".join(chunks), final_url, content_type
        except urllib.error.HTTPError as exc:
            if exc.code in (404, 410):
                raise _Missing() from None
            raise FetchError(f"{shown}: HTTP {exc.code} {exc.reason}") from None
        except http.client.IncompleteRead as exc:
            raise FetchError(f"{shown}: the body has {len(exc.partial):,} bytes, fewer than announced "
                             "(the connection broke off); nothing was cached") from None
        except TimeoutError:
            raise FetchError(f"{shown}: no data for {self.timeout:g} s") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, FetchError):
                raise exc.reason from None
            raise FetchError(f"{shown}: cannot download ({exc.reason})") from None
        except (http.client.HTTPException, OSError, ValueError) as exc:
            raise FetchError(f"{shown}: cannot download ({type(exc).__name__}: {exc})") from None
