"""The web layer's services: canonical questions, the cache, the data fingerprint and the bounds on heavy
questions (the endpoints themselves are in test_web_api.py; the computations behind them, such as the matchday
checkpoints, in test_workflows.py)."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from matchday.data.errors import MatchdayError
from matchday.web.services import Limits, MemoryCache, Question, Services, StoreSource


def test_questions_are_canonical():
    a = Question.of("projection", competition="E0", season="2023-24", as_of=dt.date(2024, 4, 15), sims=20000)
    b = Question.of("projection", sims=20000, as_of="2024-04-15", season="2023-24", competition="E0")
    assert a == b and a.key("f1") == b.key("f1") != a.key("f2")
    assert a.params == {"competition": "E0", "season": "2023-24", "as_of": "2024-04-15", "sims": 20000}
    assert a.heavy and not Question.of("table").heavy


def test_memory_cache_is_a_bounded_lru():
    cache = MemoryCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # a is now the most recent
    cache.put("c", 3)
    assert cache.get("b") is None and cache.get("a") == 1 and cache.get("c") == 3
    assert len(cache) == 2 and cache.hits == 3 and cache.misses == 1
    with pytest.raises(ValueError):
        MemoryCache(0)


def test_fingerprint_follows_the_data(synced_db, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copy(synced_db, path)
    source = StoreSource(path)
    first = source.fingerprint()
    assert source.fingerprint() == first and len(first) == 16
    from matchday.data.store import Store

    with Store(path) as store:  # a result corrected after a sync: same counts, new data
        store.con.execute("UPDATE matches SET home_goals = home_goals + 1 WHERE match_id = "
                          "(SELECT min(match_id) FROM matches WHERE competition = 'E0')")
        store.con.execute("INSERT INTO seasons SELECT competition, season, min(date), max(date), count(*) "
                          "FROM matches GROUP BY ALL ON CONFLICT DO NOTHING")
        store.con.execute("INSERT INTO imports (source, source_file, sha256, imported_at, matches, added) "
                          "VALUES ('test', 'x.csv', 'abc', now(), 1, 0)")
        store.con.execute("INSERT INTO odds (match_id, bookmaker, market, selection, line, closing, price) "
                          "VALUES ('0', 'B365', '1x2', 'home', NULL, false, 2.0)")
    assert source.fingerprint() != first


def test_missing_store_is_a_clear_error(tmp_path):
    with pytest.raises(MatchdayError, match="run `matchday sync` first"):
        StoreSource(tmp_path / "none.duckdb")


def test_limits_bound_heavy_questions(synced_db):
    services = Services(StoreSource(synced_db), limits=Limits(max_sims=1000, max_rotation_sims=1000))
    with pytest.raises(MatchdayError, match="sims: 5,000 is outside the allowed range 100 to 1,000"):
        services.projection_question("E0", "2023-24", "2024-04-15", sims=5000)
    with pytest.raises(MatchdayError, match="at most"):
        services.whatif_question("E0", "2023-24", ["Fulham v Liverpool: draw"] * 100, "2024-04-15")
    with pytest.raises(MatchdayError, match="one condition per fixture"):
        services.whatif_question("E0", "2023-24", ["Fulham v Liverpool: draw", "Fulham v Liverpool: away win"],
                                 "2024-04-15")
    with pytest.raises(MatchdayError, match="gap"):
        services.rotation_question("Liverpool", "2024-04-15", gap=float("inf"))


def test_answers_are_cached_per_question_and_data(synced_db):
    services = Services(StoreSource(synced_db))
    question = services.table_question("Premier League", "2023/24", "2024-04-14")
    assert services.cached(question) is None
    view = services.answer(question)
    assert services.cached(question) is view
    assert view["question"]["competition"] == "E0" and view["fingerprint"] == services.fingerprint()


def test_default_as_of_is_the_last_stored_day_of_a_finished_season(synced_db):
    services = Services(StoreSource(synced_db), today=lambda: dt.date(2030, 1, 1))
    assert services.table_question("E0", "2023-24").params["as_of"] == "2024-05-19"
    running = Services(StoreSource(synced_db), today=lambda: dt.date(2024, 1, 2))
    assert running.table_question("E0", "2023-24").params["as_of"] == "2024-01-02"
