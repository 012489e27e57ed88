"""Fit once, use many times: the fitted-model cache (models/cache.py) and its one door,
workflows.fit_or_load, used by the CLI and the web layer.

Real data: the store of 2022-23 and 2023-24 (every league and UEFA competition), copied so that results can be
changed; most fits use the Premier League only (fast), the CLI the full joint model.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import multiprocessing
import os
import shutil
import time

import numpy as np
import pytest
from typer.testing import CliRunner

from matchday import cli
from matchday.data.store import Store
from matchday.models import DixonColes, Poisson
from matchday.models.cache import CACHE_FORMAT, MAGIC, FitKey, ModelCache, default_model_cache_dir
from matchday.workflows import fit_or_load, fitted_model, store_fingerprint

AS_OF = dt.date(2024, 4, 10)
E0 = ["E0"]


@pytest.fixture()
def db(synced_db, tmp_path):
    """A writable copy of the synced store."""
    path = tmp_path / "store.duckdb"
    shutil.copy(synced_db, path)
    return path


def _key(model: str = "poisson", data: str = "d1", as_of: dt.date = AS_OF, **params) -> FitKey:
    return FitKey(model, {"xi": 0.001, **params}, as_of, ("E0",), ("2023-24",), data)


def _grid(model) -> np.ndarray:
    return model.predict("liverpool", "atalanta", competition="UEL").probabilities


# ------------------------------------------------------------------------------------------- the store
def test_a_second_call_loads_the_fit_and_predicts_the_same(db, tmp_path) -> None:
    cache = ModelCache(tmp_path / "fits")
    with Store(db, read_only=True) as store:
        first = fit_or_load(store, "dixon-coles", AS_OF, competitions=["E0", "UEL"], cache=cache)
        second = fit_or_load(store, "dixon-coles", AS_OF, competitions=["E0", "UEL"], cache=cache)
        fresh = fit_or_load(store, "dixon-coles", AS_OF, competitions=["E0", "UEL"], cache=False)
    assert not first.cached and second.cached and not fresh.cached and fresh.key is None
    assert first.n_matches == second.n_matches == fresh.n_matches > 700
    assert np.array_equal(_grid(second.model), _grid(first.model))
    assert np.array_equal(_grid(second.model), _grid(fresh.model))
    assert second.model.as_of_ == first.model.as_of_ and list(second.model.teams_) == list(first.model.teams_)
    header = second.header
    assert header["model"] == "dixon-coles" and header["as_of"] == AS_OF.isoformat()
    assert header["competitions"] == ["E0", "UEL"] and header["seasons"] == ["2021-22", "2022-23", "2023-24"]
    assert header["params"] == json.loads(json.dumps(DixonColes().get_params(deep=False)))
    assert header["n_matches"] == first.n_matches and header["data"] == first.key.data
    assert (cache.hits, len(cache.entries())) == (1, 1)


def test_a_changed_store_invalidates_only_fits_that_saw_the_change(db, tmp_path) -> None:
    cache = ModelCache(tmp_path / "fits")
    with Store(db) as store:
        window = store.matches(E0, ["2023-24"], played=True, until=AS_OF)
        early, late = window["match_id"].iloc[10], window["match_id"].iloc[-1]
        after = store.matches(E0, ["2023-24"], played=True, since=AS_OF + dt.timedelta(days=1))["match_id"].iloc[0]
        base = fit_or_load(store, "poisson", AS_OF, competitions=E0, cache=cache)
        before = base.key.data

        # a result after the as-of day is outside the window: the fit is still the right one
        store.con.execute("UPDATE matches SET home_goals = home_goals + 3 WHERE match_id = ?", [after])
        assert fit_or_load(store, "poisson", AS_OF, competitions=E0, cache=cache).cached

        # a corrected score inside the window: refitted, and the forecasts move
        store.con.execute("UPDATE matches SET home_goals = home_goals + 3 WHERE match_id = ?", [early])
        corrected = fit_or_load(store, "poisson", AS_OF, competitions=E0, cache=cache)
        assert not corrected.cached and corrected.key.data != before
        assert not np.allclose(corrected.model.ratings()["strength"], base.model.ratings()["strength"])

        # a match without its result yet, then the result arrives: two different fits
        store.con.execute("UPDATE matches SET home_goals = NULL, away_goals = NULL WHERE match_id = ?", [late])
        pending = fit_or_load(store, "poisson", AS_OF, competitions=E0, cache=cache)
        assert not pending.cached and pending.n_matches == corrected.n_matches - 1
        store.con.execute("UPDATE matches SET home_goals = 2, away_goals = 2 WHERE match_id = ?", [late])
        arrived = fit_or_load(store, "poisson", AS_OF, competitions=E0, cache=cache)
        assert not arrived.cached and arrived.n_matches == corrected.n_matches
        # undoing every change brings back the first fit's fingerprint (content, not time)
        store.con.execute("UPDATE matches SET home_goals = home_goals - 3 WHERE match_id IN (?, ?)", [early, after])
        store.con.execute("UPDATE matches SET home_goals = ?, away_goals = ? WHERE match_id = ?",
                          [int(window["home_goals"].iloc[-1]), int(window["away_goals"].iloc[-1]), late])
        again = fit_or_load(store, "poisson", AS_OF, competitions=E0, cache=cache)
        assert again.cached and again.key.data == before


def test_the_fingerprint_is_content_not_file_time(db) -> None:
    with Store(db, read_only=True) as store:
        first = store_fingerprint(store, E0, ["2023-24"], AS_OF)
    os.utime(db, (time.time() + 3600, time.time() + 3600))
    with Store(db) as store:
        assert store_fingerprint(store, E0, ["2023-24"], AS_OF) == first
        store.log_forecasts(  # writing the forecasts log changes the file, not the matches
            __import__("pandas").DataFrame({"home": ["liverpool"], "away": ["fulham"], "p_home": [0.6],
                                            "p_draw": [0.2], "p_away": [0.2]}), model="x", as_of=AS_OF)
        assert store_fingerprint(store, E0, ["2023-24"], AS_OF) == first
        assert store_fingerprint(store, E0, ["2023-24"], AS_OF - dt.timedelta(days=7)) != first
        assert store_fingerprint(store, ["E0", "E1"], ["2023-24"], AS_OF) != first
        assert first.split(":")[0] == str(len(store.matches(E0, ["2023-24"], until=AS_OF)))


def test_configuration_and_date_are_part_of_the_key(db, tmp_path) -> None:
    cache = ModelCache(tmp_path / "fits")
    with Store(db, read_only=True) as store:
        plain = fit_or_load(store, "poisson", AS_OF, competitions=E0, cache=cache)
        other = fit_or_load(store, "poisson", AS_OF, competitions=E0, params={"xi": 0.0}, cache=cache)
        later = fit_or_load(store, "poisson", AS_OF + dt.timedelta(days=1), competitions=E0, cache=cache)
        same = fitted_model(store, "poisson", AS_OF, competitions=E0, cache=cache)
    assert not other.cached and not later.cached and other.key.digest != plain.key.digest
    assert isinstance(same, Poisson) and cache.hits == 1 and len(cache.entries()) == 3


# ------------------------------------------------------------------------------------------- the files
def test_damaged_and_foreign_entries_are_ignored_with_a_log_line_and_replaced(tmp_path, caplog) -> None:
    cache = ModelCache(tmp_path / "fits")
    model = Poisson()
    key = _key()
    path = cache.save(key, model, n_matches=1)
    assert cache.load(key) is not None
    blob = path.read_bytes()
    damaged = {
        "truncated": blob[:-100],
        "altered": blob[:-10] + bytes(10),
        "not a fit": b"hello",
        "bad header": MAGIC + b"{not json\n" + blob[len(MAGIC):],
        "other version": blob.replace(b'"matchday":"', b'"matchday":"0.0.0-', 1),
        "other code": blob.replace(b'"code":"', b'"code":"x', 1),
        "other key": blob.replace(key.digest.encode(), b"0" * 64, 1),
        "old format": blob.replace(f'"format":{CACHE_FORMAT}'.encode(), b'"format":0', 1),
    }
    messages = {"truncated": "checksum", "altered": "checksum", "not a fit": "not a matchday fit file",
                "bad header": "unreadable header", "other version": "made by matchday 0.0.0-",
                "other code": "code x", "other key": "another key", "old format": "cache format 0"}
    for name, content in damaged.items():
        path.write_bytes(content)
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="matchday.models.cache"):
            assert cache.load(key) is None, name
        assert messages[name] in caplog.text and "refitting" in caplog.text, name
    cache.save(key, model)  # the refit replaces the entry
    assert cache.load(key) is not None


def test_an_entry_that_cannot_be_unpickled_is_refitted(db, tmp_path, caplog) -> None:
    cache = ModelCache(tmp_path / "fits")
    with Store(db, read_only=True) as store:
        first = fit_or_load(store, "poisson", AS_OF, competitions=E0, cache=cache)
        path = first.path
        blob = path.read_bytes()
        head, _, payload = blob[len(MAGIC):].partition(b"\n")
        header = json.loads(head)
        bad = b"\x80\x05not a pickle at all."
        import hashlib

        header.update(payload_bytes=len(bad), payload_sha256=hashlib.sha256(bad).hexdigest())
        path.write_bytes(MAGIC + json.dumps(header).encode() + b"\n" + bad)
        with caplog.at_level(logging.WARNING, logger="matchday.models.cache"):
            again = fit_or_load(store, "poisson", AS_OF, competitions=E0, cache=cache)
    assert not again.cached and "cannot unpickle" in caplog.text
    assert np.array_equal(_grid_e0(again.model), _grid_e0(first.model))
    assert ModelCache(tmp_path / "fits").load(first.key) is not None  # replaced by a good entry


def _grid_e0(model) -> np.ndarray:
    return model.predict("liverpool", "fulham").probabilities


def test_least_recently_used_entries_are_evicted(tmp_path) -> None:
    model = Poisson()
    sizing = ModelCache(tmp_path / "size")
    size = sizing.save(_key(data="size"), model).stat().st_size
    cache = ModelCache(tmp_path / "fits", max_bytes=int(3.5 * size))
    keys = [_key(data=f"d{i}") for i in range(4)]
    now = time.time()
    for age, key in zip((400, 300, 200), keys[:3], strict=True):
        os.utime(cache.save(key, model), (now - age, now - age))
    assert cache.load(keys[0]) is not None  # used: now the most recent of the three
    cache.save(keys[3], model)  # a fourth entry does not fit: the least recently used (keys[1]) goes
    kept = {k.data for k in keys if cache.path(k).exists()}
    assert kept == {"d0", "d2", "d3"}
    assert sum(p.stat().st_size for p in cache.directory.iterdir()) <= cache.max_bytes
    tiny = ModelCache(tmp_path / "tiny", max_bytes=100)  # a fit larger than the bound is not kept
    assert tiny.save(keys[0], model) is None and not list((tmp_path / "tiny").glob("*.fit"))


def _hammer(directory: str, worker: int, rounds: int, max_bytes: int) -> int:
    """Save and load 8 overlapping keys in a cache that holds about 3 (evicting all the time); a load may miss
    (the other process evicted the entry) but never raises. Returns the hits."""
    import random

    cache = ModelCache(directory, max_bytes=max_bytes)
    model = Poisson(xi=0.001 * worker)
    rng = random.Random(worker)
    for _ in range(rounds):
        key = _key(data=f"d{rng.randrange(8)}")
        cache.save(key, model)
        cache.load(key)
    return cache.hits


def test_two_processes_share_a_cache_safely(tmp_path) -> None:
    directory = tmp_path / "fits"
    size = ModelCache(tmp_path / "size").save(_key(data="size"), Poisson()).stat().st_size
    bound = int(3.5 * size)
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with context.Pool(2) as pool:
        outcomes = pool.starmap(_hammer, [(str(directory), 1, 80, bound), (str(directory), 2, 80, bound)])
    assert all(hits > 40 for hits in outcomes)  # most loads right after a save find it
    cache = ModelCache(directory)
    files = list(directory.iterdir())
    assert len(files) <= 4  # bounded (a save and an eviction of the other process may overlap by one)
    assert files and not [f for f in files if f.name.startswith(".tmp-")]  # every write completed or cleaned up
    for path in files:  # every entry left is whole and loadable, written by one process or the other
        key = next(_key(data=f"d{i}") for i in range(8) if cache.path(_key(data=f"d{i}")) == path)
        loaded = cache.load(key)
        assert loaded is not None and loaded.model.xi in (0.001, 0.002)


def test_an_unwritable_cache_never_stops_a_fit(db, tmp_path, caplog) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache folder should be")
    cache = ModelCache(blocker / "fits")
    with Store(db, read_only=True) as store, caplog.at_level(logging.WARNING, logger="matchday.models.cache"):
        found = fit_or_load(store, "poisson", AS_OF, competitions=E0, cache=cache)
        again = fit_or_load(store, "poisson", AS_OF, competitions=E0, cache=cache)
    assert not found.cached and not again.cached and found.path is None
    assert caplog.text.count("cannot write the model cache") == 1  # said once, not on every fit


def test_the_cache_folder_follows_the_environment(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("MATCHDAY_MODEL_CACHE", str(tmp_path / "mine"))
    assert default_model_cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("MATCHDAY_MODEL_CACHE")
    monkeypatch.setenv("MATCHDAY_CACHE", str(tmp_path / "downloads"))
    assert ModelCache().directory == tmp_path / "downloads" / "models"
    monkeypatch.setenv("MATCHDAY_MODEL_CACHE_MB", "2")
    assert ModelCache().max_bytes == 2 * 1024 * 1024


# ------------------------------------------------------------------------------------------- callers
runner = CliRunner()


def _predict(db, *extra: str):
    result = runner.invoke(cli.app, ["predict", "Liverpool", "Atalanta", "--as-of", "2024-04-10", "--db", str(db),
                                     "--json", *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stderr


def test_cli_commands_reuse_the_fit_until_the_store_changes(db, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("MATCHDAY_MODEL_CACHE", str(tmp_path / "fits"))
    first, said = _predict(db)
    assert "fitted on" in said and "cached" in said
    second, said = _predict(db)
    assert "cached fit" in said and first == second
    third, said = _predict(db, "--no-cache")
    assert "fitted on" in said and third == first
    result = runner.invoke(cli.app, ["ratings", "E0", "--as-of", "2024-04-10", "--db", str(db), "--json"],
                           catch_exceptions=False)
    assert result.exit_code == 0 and "cached fit" in result.stderr  # another command, the same fit
    with Store(db) as store:
        row = store.matches(["UEL"], ["2023-24"], played=True, until=dt.date(2024, 4, 10)).iloc[-1]
        store.con.execute("UPDATE matches SET home_goals = home_goals + 2 WHERE match_id = ?", [row["match_id"]])
    changed, said = _predict(db)
    assert "fitted on" in said and changed != first


def test_the_web_layer_reads_and_fills_the_same_cache(db, tmp_path) -> None:
    from matchday.web.services import MemoryCache, Services, StoreSource

    cache = ModelCache(tmp_path / "fits")
    with Store(db, read_only=True) as store:
        cli_fit = fit_or_load(store, "dixon-coles", AS_OF, cache=cache)  # what the CLI would have left
        services = Services(StoreSource(db), fits=cache)
        served = services._fitted(store, "dixon-coles", AS_OF)
        assert cache.hits == 1 and np.array_equal(_grid(served), _grid(cli_fit.model))
        assert services._fitted(store, "dixon-coles", AS_OF) is served  # then from memory
        services._fitted(store, "poisson", AS_OF)
        assert len(cache.entries()) == 2  # fitted by the web layer, kept for the CLI
        memory_only = Services(StoreSource(db), fits=MemoryCache(4))
        memory_only._fitted(store, "poisson", AS_OF)
        assert len(cache.entries()) == 2 and len(memory_only.fits) == 1


def test_keys_follow_the_configuration_also_of_models_given_as_parameters() -> None:
    def key(**params) -> str:
        return FitKey("ensemble", params, AS_OF, ("E0",), ("2023-24",), "d").digest

    assert key(members=[DixonColes(xi=0.0), Poisson()]) == key(members=(DixonColes(xi=0.0), Poisson()))
    assert key(members=[DixonColes(xi=0.0)]) != key(members=[DixonColes(xi=0.001)])
    assert key(w={"a": 1, "b": 2}) == key(w={"b": 2, "a": 1}) != key(w={"a": 1, "b": 3})
    assert key(xi=0.001) != key(xi=0.0010000001) and key(as_list=[1, 2]) != key(as_list=[2, 1])


def test_the_league_prior_chain_fits_each_earlier_window_once_per_store_content(db, monkeypatch) -> None:
    """Every as-of day of a season shares its earlier windows: the second day fits nothing again, and the
    prior is the same drifted further; a changed match makes the chain start again."""
    import numpy as np

    from matchday.models import training

    loads = []
    real = training.training_frame
    monkeypatch.setattr(training, "training_frame", lambda *a, **k: loads.append(a[1]) or real(*a, **k))
    monkeypatch.setattr(training, "_CHAINS", type(training._CHAINS)())
    with Store(db, read_only=True) as store:  # 2026-27: its earlier window 2021-22..2023-24 is stored
        first = training.league_prior_from_store("dixon-coles", store, dt.date(2027, 1, 10))
        assert first is not None and len(loads) >= 1
        before = len(loads)
        later = training.league_prior_from_store("dixon-coles", store, dt.date(2027, 2, 1))
        assert len(loads) == before  # nothing fitted again
        assert later.leagues == first.leagues and np.allclose(later.mean, first.mean)
        assert (np.diag(later.covariance) > np.diag(first.covariance)).all()  # three more weeks of drift
    with Store(db) as store:
        store.con.execute("UPDATE matches SET home_goals = home_goals + 1 WHERE match_id = "
                          "(SELECT min(match_id) FROM matches WHERE season = '2023-24' AND home_goals IS NOT NULL)")
        training.league_prior_from_store("dixon-coles", store, dt.date(2027, 1, 10))
    assert len(loads) > before  # a corrected result: the earlier window is fitted again
