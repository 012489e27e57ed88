"""Fit once, use many times: fitted models kept on disk, keyed by what determines the fit.

A fitted model is a deterministic function of its class, its configuration (``get_params``), the as-of day
and the training matches. :class:`FitKey` holds exactly those: the model's name and full parameters, the
as-of day, the training window (competitions and seasons) and a fingerprint of the data in that window
(computed from the store's content by :func:`matchday.workflows.store_fingerprint`, never from a file's
modification time). A new result, a corrected score or a re-labelled club in the window changes the
fingerprint, so the old fit is simply not found any more and the model is refitted.

On disk (:class:`ModelCache`): one file per key, ``<sha256 of the key>.fit``, in ``MATCHDAY_MODEL_CACHE``
(default ``<MATCHDAY_CACHE or the user cache dir>/models``). A file is a magic line, one line of JSON (the
header: the key's fields, the number of training matches, fit time, the matchday version and code
fingerprint that made it, the payload's SHA-256) and the pickled model. So:

* writes are atomic (a temporary file in the same folder, then ``os.replace``): two processes writing the
  same fit each write a whole file and one wins; a reader sees a whole old file or a whole new one;
* an entry that is damaged (truncated, wrong checksum, not unpicklable) or was made by another matchday
  version or other model code is ignored with a log line and the model is refitted (and the entry replaced);
  the header is checked before anything is unpickled;
* the folder is bounded (``max_bytes``, default 512 MB or ``MATCHDAY_MODEL_CACHE_MB``): after each write the
  least recently used entries (a hit touches its file) are deleted until the rest fits;
* any failure to read or write the cache is logged and never stops a command: it then fits as if there were
  no cache.

Only load entries from a folder you trust: unpickling runs code, like any pickle.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import pickle
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from matchday.models.interface import ScoreModel
    from matchday.models.provenance import TrainingProvenance

log = logging.getLogger(__name__)

CACHE_FORMAT = 3  # 2: the payload is {model, provenance}; 3: goal models carry league offsets
MAGIC = b"matchday-fitted-model\n"
SUFFIX = ".fit"
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
STALE_TEMP_SECONDS = 3600.0  # a temporary file this old belongs to a writer that died


def default_model_cache_dir() -> Path:
    """``MATCHDAY_MODEL_CACHE``, else ``models`` under the download cache (``MATCHDAY_CACHE`` or the user cache
    dir)."""
    if os.environ.get("MATCHDAY_MODEL_CACHE"):
        return Path(os.environ["MATCHDAY_MODEL_CACHE"])
    from matchday.data.fetch import default_cache_dir

    return default_cache_dir() / "models"


def _default_max_bytes() -> int:
    text = os.environ.get("MATCHDAY_MODEL_CACHE_MB", "").strip()
    if not text:
        return DEFAULT_MAX_BYTES
    try:
        megabytes = float(text)
    except ValueError:
        log.warning("MATCHDAY_MODEL_CACHE_MB=%r is not a number; using %d MB", text, DEFAULT_MAX_BYTES >> 20)
        return DEFAULT_MAX_BYTES
    return max(0, int(megabytes * 1024 * 1024))


def canonical(value: Any) -> Any:
    """JSON-ready canonical form of a parameter value (tuples as lists, dict keys sorted, dates as ISO text, a
    model by its class and parameters, other objects by class and ``repr``: an object whose repr changes between
    runs, such as a default ``<object at 0x...>``, is then simply never found again and refitted)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if callable(getattr(value, "get_params", None)):  # a model given as a parameter (an ensemble's members)
        return {"class": f"{type(value).__module__}.{type(value).__qualname__}",
                "params": canonical(value.get_params(deep=False))}
    try:  # numpy scalars
        import numpy as np

        if isinstance(value, np.generic):
            return canonical(value.item())
    except ImportError:  # pragma: no cover
        pass
    return f"{type(value).__module__}.{type(value).__qualname__}:{value!r}"


@dataclass(frozen=True)
class FitKey:
    """Everything a fit depends on. ``data`` is the fingerprint of the training window's matches."""

    model: str
    params: Mapping[str, Any]
    as_of: dt.date
    competitions: tuple[str, ...]
    seasons: tuple[str, ...]
    data: str

    def as_dict(self) -> dict[str, Any]:
        return {"model": self.model, "params": canonical(dict(self.params)), "as_of": self.as_of.isoformat(),
                "competitions": sorted(self.competitions), "seasons": sorted(self.seasons), "data": self.data}

    @property
    def digest(self) -> str:
        """SHA-256 of the key's canonical JSON: the entry's file name."""
        text = json.dumps(self.as_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class CachedFit:
    """A fitted model and where it came from (``cached``: loaded from the cache instead of fitted)."""

    model: ScoreModel
    key: FitKey | None
    cached: bool
    seconds: float  # to load, or to read the training data and fit
    n_matches: int | None = None
    path: Path | None = None
    header: dict[str, Any] = field(default_factory=dict)
    provenance: TrainingProvenance | None = None  # the training window the model rests on, kept beside it


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Hash of the installed matchday's Python sources and version (16 hex digits): two processes with the
    same value compute the same numbers from the same input. Cached fits and Dask workers are checked
    against it, so a fit made by other code (an upgrade, an edited model) is never reused."""
    import matchday

    root = Path(matchday.__file__).resolve().parent
    digest = hashlib.sha256(matchday.__version__.encode())
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root).as_posix()).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _versions() -> dict[str, str]:
    import matchday

    return {"matchday": matchday.__version__, "code": code_fingerprint()}


class ModelCache:
    """Fitted models on disk (see the module doc). ``load(key)`` / ``save(key, model)``; ``entries()`` lists
    what is kept; ``clear()`` empties it."""

    def __init__(self, directory: str | os.PathLike[str] | None = None, *, max_bytes: int | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_model_cache_dir()
        self.max_bytes = _default_max_bytes() if max_bytes is None else int(max_bytes)
        self.hits = 0
        self.misses = 0
        self._warned_unwritable = False

    def __repr__(self) -> str:
        return f"ModelCache({str(self.directory)!r}, max_bytes={self.max_bytes})"

    def path(self, key: FitKey) -> Path:
        return self.directory / f"{key.digest}{SUFFIX}"

    # ------------------------------------------------------------------------------------------ reading
    def load(self, key: FitKey) -> CachedFit | None:
        """The cached fit of ``key``, or None (absent, damaged or made by other code: logged, then refitted)."""
        started = time.perf_counter()
        path = self.path(key)
        try:
            with open(path, "rb") as handle:
                blob = handle.read()
        except FileNotFoundError:
            self.misses += 1
            return None
        except OSError as exc:
            log.warning("cannot read the cached fit %s (%s); refitting", path, exc.strerror or exc)
            self.misses += 1
            return None
        found = self._decode(path, blob, key)
        if found is None:
            self.misses += 1
            return None
        header, entry = found
        with contextlib.suppress(OSError):
            os.utime(path)  # last use: the LRU order of eviction
        self.hits += 1
        return CachedFit(entry["model"], key, True, time.perf_counter() - started, header.get("n_matches"), path,
                         header, entry.get("provenance"))

    def _decode(self, path: Path, blob: bytes, key: FitKey | None) -> tuple[dict, Any] | None:
        if not blob.startswith(MAGIC):
            log.warning("ignoring the damaged cached fit %s (not a matchday fit file); refitting", path)
            return None
        end = blob.find(b"\n", len(MAGIC))
        try:
            header = json.loads(blob[len(MAGIC):end])
        except (ValueError, UnicodeDecodeError):
            log.warning("ignoring the damaged cached fit %s (unreadable header); refitting", path)
            return None
        if not isinstance(header, dict) or header.get("format") != CACHE_FORMAT:
            log.warning("ignoring the cached fit %s (cache format %s, this matchday reads %s); refitting", path,
                        header.get("format") if isinstance(header, dict) else "?", CACHE_FORMAT)
            return None
        here = _versions()
        if (header.get("matchday"), header.get("code")) != (here["matchday"], here["code"]):
            log.warning("ignoring the cached fit %s: made by matchday %s (code %s), this is matchday %s (code %s); "
                        "refitting", path, header.get("matchday"), header.get("code"), here["matchday"], here["code"])
            return None
        if key is not None and header.get("key") != key.digest:
            log.warning("ignoring the cached fit %s: its header is for another key; refitting", path)
            return None
        payload = blob[end + 1:]
        if len(payload) != header.get("payload_bytes") or hashlib.sha256(payload).hexdigest() != header.get(
                "payload_sha256"):
            log.warning("ignoring the damaged cached fit %s (checksum mismatch: truncated or altered); refitting", path)
            return None
        try:
            entry = pickle.loads(payload)
        except Exception as exc:  # an incompatible class layout, a missing module
            log.warning("ignoring the cached fit %s (cannot unpickle: %s: %s); refitting", path, type(exc).__name__, exc)
            return None
        if not isinstance(entry, dict) or "model" not in entry:
            log.warning("ignoring the cached fit %s (not a model entry); refitting", path)
            return None
        return header, entry

    # ------------------------------------------------------------------------------------------ writing
    def save(self, key: FitKey, model: ScoreModel, *, n_matches: int | None = None, fit_seconds: float | None = None,
             provenance: TrainingProvenance | None = None) -> Path | None:
        """Write the fit (and the provenance of its training window) atomically, then evict least recently
        used entries beyond ``max_bytes``. Returns the entry's path, or None when the cache cannot be written
        (logged once; the command goes on)."""
        import platform

        payload = pickle.dumps({"model": model, "provenance": provenance}, protocol=pickle.HIGHEST_PROTOCOL)
        header = {"format": CACHE_FORMAT, "key": key.digest, **key.as_dict(), "n_matches": n_matches,
                  "fit_seconds": fit_seconds, "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                  **_versions(), "python": platform.python_version(), "class": f"{type(model).__module__}."
                  f"{type(model).__qualname__}", "payload_bytes": len(payload),
                  "payload_sha256": hashlib.sha256(payload).hexdigest()}
        blob = MAGIC + json.dumps(header, sort_keys=True, separators=(",", ":")).encode() + b"\n" + payload
        path = self.path(key)
        if self.max_bytes and len(blob) > self.max_bytes:
            log.warning("not caching the %s fit (%d bytes): larger than the cache's bound of %d bytes", key.model,
                        len(blob), self.max_bytes)
            return None
        temporary = None
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=SUFFIX, dir=self.directory)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(blob)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
            temporary = None
        except OSError as exc:
            if not self._warned_unwritable:
                log.warning("cannot write the model cache at %s (%s); continuing without caching", self.directory,
                            exc.strerror or exc)
                self._warned_unwritable = True
            return None
        finally:
            if temporary is not None:
                Path(temporary).unlink(missing_ok=True)
        self.evict(keep=path)
        return path

    def _files(self) -> Iterator[tuple[Path, os.stat_result]]:
        try:
            candidates = list(self.directory.iterdir())
        except OSError:
            return
        for path in candidates:
            try:
                yield path, path.stat()
            except OSError:  # removed by another process meanwhile
                continue

    def evict(self, keep: Path | None = None) -> list[Path]:
        """Delete the least recently used entries until the folder holds at most ``max_bytes`` (``keep`` last),
        and temporary files of writers that died. Returns the deleted entries."""
        now = time.time()
        entries = []
        for path, stat in self._files():
            if path.name.startswith(".tmp-"):
                if now - stat.st_mtime > STALE_TEMP_SECONDS:
                    path.unlink(missing_ok=True)
                continue
            if path.suffix == SUFFIX:
                entries.append((path != keep, stat.st_mtime, path.name, path, stat.st_size))
        total = sum(e[4] for e in entries)
        removed = []
        # oldest use first; the entry just written goes last (it is evicted only if it alone is too big)
        for _, _, _, path, size in sorted(entries, key=lambda e: (not e[0], e[1], e[2])):
            if total <= self.max_bytes:
                break
            try:
                path.unlink()
            except FileNotFoundError:  # another process evicted it first
                pass
            except OSError as exc:
                log.warning("cannot evict %s from the model cache (%s)", path, exc.strerror or exc)
                continue
            total -= size
            removed.append(path)
        if removed:
            log.info("model cache: evicted %d least recently used fit(s) to stay under %d bytes", len(removed),
                     self.max_bytes)
        return removed

    # ------------------------------------------------------------------------------------------ listing
    def entries(self) -> pd.DataFrame:
        """One row per readable entry's header (model, as_of, data, n_matches, matchday, ..., bytes, last_used)."""
        import pandas as pd

        rows = []
        for path, stat in self._files():
            if path.suffix != SUFFIX or path.name.startswith(".tmp-"):
                continue
            try:
                with open(path, "rb") as handle:
                    head = handle.read(len(MAGIC))
                    line = handle.readline()
                header = json.loads(line) if head == MAGIC else {}
            except (OSError, ValueError):
                header = {}
            rows.append({**{k: v for k, v in header.items() if k not in ("payload_sha256",)}, "file": path.name,
                         "bytes": stat.st_size, "last_used": dt.datetime.fromtimestamp(stat.st_mtime)})
        return pd.DataFrame(rows)

    def clear(self) -> int:
        """Delete every entry; returns how many."""
        count = 0
        for path, _ in self._files():
            if path.suffix == SUFFIX:
                path.unlink(missing_ok=True)
                count += 1
        return count


def key_dict(key: FitKey) -> dict[str, Any]:
    """The key as plain data (for logs and reports)."""
    return asdict(key)
