"""Several matchday processes on one store: readers while a sync writes, two writers at once.

DuckDB lets one process write or many read. A command that meets the lock waits (a bounded time,
--lock-wait / MATCHDAY_LOCK_WAIT) and then says in one line which process holds the store; it never
ends in an `IOException: Could not set lock` traceback (issue 9, item 2).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from matchday.data.errors import EmptyStoreError
from matchday.data.store import Store

HOLD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from matchday.data.store import Store
    store = Store(sys.argv[1])            # takes the write lock
    Path(sys.argv[2]).write_text("locked")
    time.sleep(float(sys.argv[3]))
    store.close()
""")


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MATCHDAY_")}
    env.update(MATCHDAY_CACHE=str(tmp_path / "cache"), MATCHDAY_CONFIG=str(tmp_path / "none.toml"),
               MATCHDAY_DB=str(tmp_path / "default.duckdb"), COLUMNS="200")
    return env


def matchday(tmp_path: Path, *args: str, wait: bool = True) -> subprocess.Popen | subprocess.CompletedProcess:
    command = [sys.executable, "-m", "matchday.cli", *args]
    if wait:
        return subprocess.run(command, capture_output=True, text=True, env=_env(tmp_path), timeout=240)
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(tmp_path))


def _holder(tmp_path: Path, db: Path, seconds: float) -> subprocess.Popen:
    flag = tmp_path / f"locked-{time.monotonic_ns()}"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db), str(flag), str(seconds)], env=_env(tmp_path))
    deadline = time.monotonic() + 60
    while not flag.exists():
        assert holder.poll() is None and time.monotonic() < deadline, "the lock holder did not start"
        time.sleep(0.05)
    return holder


@pytest.fixture()
def small_store(tmp_path: Path) -> Path:
    db = tmp_path / "s.duckdb"
    Store(db).close()
    return db


def test_a_busy_store_is_one_line_naming_the_holder(tmp_path, small_store):
    holder = _holder(tmp_path, small_store, 30)
    try:
        result = matchday(tmp_path, "--lock-wait", "0.5", "status", "--db", str(small_store))
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert "Traceback" not in result.stderr and "IOException" not in result.stderr
    assert lines[-1].startswith("error: the store") and f"PID {holder.pid}" in lines[-1]
    assert "gave up after waiting 0.5 s" in lines[-1]


def test_a_reader_waits_for_a_writer_then_reads(tmp_path, small_store):
    holder = _holder(tmp_path, small_store, 2)
    try:
        result = matchday(tmp_path, "--lock-wait", "60", "status", "--db", str(small_store), "--json")
    finally:
        holder.wait(30)
    assert result.returncode == 0, result.stderr
    assert f"in use by another process, PID {holder.pid}" in result.stderr and "waiting up to 60 s" in result.stderr


def test_two_writers_and_readers_during_a_sync(shared_data, tmp_path):
    """Two syncs of the same data at once, with reads in between: both succeed, the store holds each match
    once, and every reader gets an answer (it waits while a sync writes)."""
    db = tmp_path / "s.duckdb"
    args = ("sync", "UEL", "UECL", "--seasons", "2022-23:2023-24", "--mirror", str(shared_data), "--db", str(db))
    first = matchday(tmp_path, *args, wait=False)
    second = matchday(tmp_path, *args, wait=False)
    readers = []
    while first.poll() is None or second.poll() is None:
        if db.exists() and len(readers) < 4:
            readers.append(matchday(tmp_path, "status", "--db", str(db), "--json"))
        time.sleep(0.3)
    outputs = [p.communicate() for p in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    for reader in readers:
        assert reader.returncode in (0, 2), reader.stderr
        assert "Traceback" not in reader.stderr
        if reader.returncode == 2:  # a read before the first import committed: a clear line, not a crash
            assert "no matchday store" in reader.stderr or "empty database" in reader.stderr, reader.stderr
    with Store(db, read_only=True) as store:
        counts = store.counts()
        dupes = store.con.execute(
            "SELECT count(*) FROM (SELECT competition, season, date, home_id, away_id FROM matches "
            "GROUP BY ALL HAVING count(*) > 1)").fetchall()[0][0]
    # UEL 2022-23 141 + 2023-24 141, UECL 2022-23 141 + 2023-24 141 (el.txt and conf.txt, knockouts included)
    assert dupes == 0 and counts["matches"] == 141 * 2 + 141 * 2
    added = sorted(int(out.split(" added")[0].rsplit(" ", 1)[-1]) for out, _ in outputs)
    assert added == [0, counts["matches"]]


def test_kill_9_leaves_the_store_empty_or_complete(shared_data, tmp_path):
    """Crash safety kept: a sync killed while it downloads leaves no store; killed as soon as it opens the
    store for writing, the store is empty or complete, never partial; a re-run ends identical."""
    import signal

    args = ("sync", "UEL", "--seasons", "2022-23:2023-24", "--mirror", str(shared_data))
    reference = tmp_path / "reference.duckdb"
    assert matchday(tmp_path, *args, "--db", str(reference)).returncode == 0
    with Store(reference, read_only=True) as store:
        want = store.counts()
    for moment in ("downloading", "writing"):
        db = tmp_path / f"{moment}.duckdb"
        child = matchday(tmp_path, *args, "--db", str(db), wait=False)
        if moment == "downloading":
            time.sleep(0.2)
        else:
            deadline = time.monotonic() + 60
            while not db.exists() and child.poll() is None and time.monotonic() < deadline:
                time.sleep(0.005)
        child.send_signal(signal.SIGKILL)
        child.wait()
        if db.exists():
            try:
                with Store(db, read_only=True) as store:
                    got = store.counts()
            except EmptyStoreError:  # killed before even the empty tables were committed
                got = {"matches": 0}
            assert got["matches"] == 0 or got == want, (moment, got)
        assert matchday(tmp_path, *args, "--db", str(db)).returncode == 0
        with Store(db, read_only=True) as store:
            assert store.counts() == want


def test_predict_while_another_command_reads(synced_db, tmp_path):
    """predict reads while fitting (so it runs beside simulate and other readers) and takes the write lock
    only to log its forecast; if a long reader keeps the store past the wait, the forecast is still
    shown and the missing log entry is said in one line."""
    db = tmp_path / "copy.duckdb"
    db.write_bytes(Path(synced_db).read_bytes())
    flag = tmp_path / "reading"
    script = HOLD.replace("Store(sys.argv[1])", "Store(sys.argv[1], read_only=True)")
    reader = subprocess.Popen([sys.executable, "-c", script, str(db), str(flag), "60"], env=_env(tmp_path))
    try:
        deadline = time.monotonic() + 60
        while not flag.exists():
            assert reader.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        result = matchday(tmp_path, "--lock-wait", "0.5", "predict", "Liverpool", "Arsenal", "--as-of",
                          "2024-04-10", "--db", str(db), "--json")
    finally:
        reader.kill()
        reader.wait()
    assert result.returncode == 0, result.stderr
    assert "\"selection\":\"Home\"" in result.stdout and "Traceback" not in result.stderr
    assert "forecast not logged" in result.stderr and f"PID {reader.pid}" in result.stderr
