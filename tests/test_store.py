"""The DuckDB store: idempotent, transactional imports, conflicts, fixtures filled in, forecasts log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import pytest

from matchday.data.domain import Match, OddsQuote
from matchday.data.errors import DataError
from matchday.data.store import Batch, Store


@dataclass(frozen=True)
class _Team:
    team_id: str
    name: str
    country: str


class FakeRegistry:
    """Knows three clubs; everything else is unknown (a test double for TeamRegistry)."""

    teams = {t.team_id: t for t in (_Team("arsenal", "Arsenal", "ENG"), _Team("chelsea", "Chelsea", "ENG"),
                                    _Team("liverpool", "Liverpool", "ENG"))}
    _aliases = {"arsenal": "arsenal", "arsenal fc": "arsenal", "chelsea": "chelsea", "liverpool": "liverpool",
                "liverpool fc": "liverpool"}

    def resolve(self, name, country=None):
        return self._aliases.get(name.lower())

    def provisional_id(self, name, country):
        return f"unregistered:{(country or 'xxx').lower()}:{name.lower().replace(' ', '-')}"


def _m(home, away, hg, ag, day, **kw) -> Match:
    base = dict(competition="E0", season="2023-24", date=dt.date(2023, 9, day), home=home, away=away,
                home_goals=hg, away_goals=ag, source="football-data", source_file="E0.csv", source_line=day)
    base.update(kw)
    return Match(**base)


@pytest.fixture()
def store(tmp_path):
    with Store(tmp_path / "t.duckdb") as s:
        yield s


def _batch(matches, source="football-data", name="E0.csv"):
    import hashlib

    return Batch(source, name, matches, hashlib.sha256(repr(matches).encode()).hexdigest())


def test_import_is_idempotent(store):
    odds = (OddsQuote("PS", "1x2", "home", 2.1), OddsQuote("PS", "1x2", "home", 2.0, closing=True))
    batch = _batch([_m("Arsenal", "Chelsea", 2, 1, 1, odds=odds), _m("Liverpool", "Arsenal", 0, 0, 2)])
    first = store.import_batches([batch], FakeRegistry())
    assert (first.added, first.odds_added) == (2, 2)
    counts = store.counts()
    second = store.import_batches([batch], FakeRegistry())
    assert (second.added, second.odds_added, second.unchanged) == (0, 0, 2)
    assert store.counts() == counts
    frame = store.matches(["E0"])
    assert list(frame["home"]) == ["arsenal", "liverpool"]
    assert list(frame["home_name"]) == ["Arsenal", "Liverpool"]


def test_same_match_from_second_source(store):
    store.import_batches([_batch([_m("Arsenal", "Chelsea", 2, 1, 1)])], FakeRegistry())
    other = _m("Arsenal FC", "Chelsea", 2, 1, 2, source="openfootball-json", source_file="en.1.json")
    report = store.import_batches([_batch([other], "openfootball-json", "en.1.json")], FakeRegistry())
    assert (report.added, report.unchanged, report.conflicts) == (0, 1, 0)
    wrong = replace(other, home_goals=3)
    report = store.import_batches([_batch([wrong], "openfootball-json", "en.1.json")], FakeRegistry())
    assert report.conflicts == 1
    assert store.matches(["E0"])["home_goals"].tolist() == [2]  # not overwritten
    conflicts = store.conflicts()
    assert conflicts.loc[0, "stored_score"] == "2-1" and conflicts.loc[0, "other_score"] == "3-1"


def test_fixture_gets_its_result(store):
    store.import_batches([_batch([_m("Arsenal", "Chelsea", None, None, 1)], "openfootball-json", "f.json")], FakeRegistry())
    assert store.matches(played=False).shape[0] == 1
    report = store.import_batches([_batch([_m("Arsenal", "Chelsea", 1, 1, 1)])], FakeRegistry())
    assert report.updated == 1
    assert store.matches(played=True)["home_goals"].tolist() == [1]


def test_failure_part_way_leaves_store_unchanged(store, monkeypatch):
    store.import_batches([_batch([_m("Arsenal", "Chelsea", 2, 1, 1)])], FakeRegistry())
    before = store.counts()
    calls = {"n": 0}
    original = Store._write_batch

    def failing(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Store, "_write_batch", failing)
    batches = [_batch([_m("Liverpool", "Chelsea", 1, 0, 3)], name="a.csv"), _batch([_m("Chelsea", "Liverpool", 1, 0, 4)], name="b.csv")]
    with pytest.raises(RuntimeError):
        store.import_batches(batches, FakeRegistry())
    assert store.counts() == before


def test_bad_input_writes_nothing(store):
    duplicated = [_m("Arsenal", "Chelsea", 2, 1, 1), _m("Arsenal", "Chelsea", 0, 1, 5)]
    with pytest.raises(DataError, match=r"E0.csv, line 5.*appears twice"):
        store.import_batches([_batch([_m("Liverpool", "Chelsea", 1, 1, 3)], name="ok.csv"), _batch(duplicated)], FakeRegistry())
    assert store.counts()["matches"] == 0
    with pytest.raises(DataError, match="cannot play itself"):
        store.import_batches([_batch([_m("Arsenal", "Arsenal FC", 1, 1, 1)])], FakeRegistry())


def test_unknown_names_kept_apart(store):
    report = store.import_batches([_batch([_m("Arsenal", "Arsenal Tula", 1, 0, 1)])], FakeRegistry())
    assert report.unknown_names == [("Arsenal Tula", "ENG")]
    unknown = store.unknown_names()
    assert unknown["name"].tolist() == ["Arsenal Tula"]
    assert unknown["team_id"].iloc[0] != "arsenal"
    teams = store.teams().set_index("team_id")
    assert not teams.loc[unknown["team_id"].iloc[0], "registered"]


def test_cup_rematch_in_same_season_is_a_new_match(store):
    group = _m("Arsenal", "Chelsea", 1, 0, 1, competition="UCL", round="Group A")
    knockout = _m("Arsenal", "Chelsea", 2, 2, 28, competition="UCL", round="Quarter-final", leg=1)
    report = store.import_batches([_batch([group, knockout], "football-txt", "cl.txt")], FakeRegistry())
    assert report.added == 2
    shifted = replace(knockout, date=knockout.date + dt.timedelta(days=1), source="openfootball-json")
    report = store.import_batches([_batch([shifted], "openfootball-json", "uefa.cl.json")], FakeRegistry())
    assert (report.added, report.unchanged) == (0, 1)


def test_forecast_log(store):
    rows = pd.DataFrame({"home": ["arsenal"], "away": ["chelsea"], "p_home": [0.5], "p_draw": [0.3], "p_away": [0.2]})
    run = store.log_forecasts(rows, model="dixon-coles", as_of=dt.date(2024, 4, 10))
    logged = store.forecasts(run)
    assert logged.loc[0, "model"] == "dixon-coles" and logged.loc[0, "p_home"] == 0.5
    assert pd.Timestamp(logged.loc[0, "as_of"]).date() == dt.date(2024, 4, 10)


def test_read_only_store_must_exist(tmp_path):
    with pytest.raises(Exception, match="matchday sync"):
        Store(tmp_path / "missing.duckdb", read_only=True)


# --- issue 9 items 3, 13, 14; issue 8 items 6 and 10 ---------------------------------------------------------


def _cup(home, away, hg, ag, **kw) -> Match:
    return _m(home, away, hg, ag, 1, competition="UCL", round="Final", source="football-txt",
              source_file="cl.txt", **kw)


def test_conflicts_on_extra_time_and_shootout(store):
    """Old: only the 90-minute score was compared, so a stored 4-3 shoot-out met a 5-4 silently."""
    stored = _cup("Arsenal", "Chelsea", 1, 1, aet_home_goals=2, aet_away_goals=2, pen_home=4, pen_away=3)
    store.import_batches([_batch([stored], "football-txt", "cl.txt")], FakeRegistry())
    other_pens = replace(stored, pen_home=5, pen_away=4, source="openfootball-json", source_file="cl.json")
    other_aet = replace(stored, aet_home_goals=3, aet_away_goals=3, source="engsoccerdata", source_file="champs.csv")
    silent = replace(stored, aet_home_goals=None, aet_away_goals=None, pen_home=None, pen_away=None,
                     source="openfootball-json", source_file="other.json")  # omits the detail: no conflict
    report = store.import_batches([_batch([other_pens], "openfootball-json", "cl.json"),
                                   _batch([other_aet], "engsoccerdata", "champs.csv"),
                                   _batch([silent], "openfootball-json", "other.json")], FakeRegistry())
    assert report.conflicts == 2 and report.open_conflicts == 2
    scores = sorted(store.conflicts()["other_score"])
    assert scores == ["1-1 aet 2-2 pens 5-4", "1-1 aet 3-3 pens 4-3"]
    kept = store.matches(["UCL"]).iloc[0]
    assert (kept["pen_home"], kept["pen_away"]) == (4, 3)  # the stored result is never overwritten


def test_changed_odds_are_recorded_with_provenance(store):
    """Old: a price that changed from 2.9 to 9.9 was dropped silently."""
    first = _m("Arsenal", "Chelsea", 2, 1, 1, odds=(OddsQuote("PS", "1x2", "home", 2.9),))
    store.import_batches([_batch([first], name="E0-old.csv")], FakeRegistry())
    revised = replace(first, source_file="E0-new.csv", odds=(OddsQuote("PS", "1x2", "home", 9.9),
                                                             OddsQuote("PS", "1x2", "draw", 3.4)))
    report = store.import_batches([_batch([revised], name="E0-new.csv")], FakeRegistry())
    assert (report.odds_added, report.odds_changed, report.open_odds_changes) == (1, 1, 1)
    change = store.odds_changes().iloc[0]
    assert (change["stored_price"], change["stored_file"], change["new_price"], change["new_file"]) == (
        2.9, "E0-old.csv", 9.9, "E0-new.csv")
    assert sorted(store.odds()["price"]) == [2.9, 3.4]  # the stored price is kept
    again = store.import_batches([_batch([revised], name="E0-new-copy.csv")], FakeRegistry())
    assert again.odds_changed == 0 and again.open_odds_changes == 1  # the same change is recorded once


def test_same_bytes_from_another_path_are_not_imported_twice(store):
    """Old: files were identified by path, so a second mirror doubled imports and match_sources."""
    matches = [_m("Arsenal", "Chelsea", 2, 1, 1), _m("Liverpool", "Arsenal", 0, 0, 2)]
    digest = "same-bytes"
    store.import_batches([Batch("football-data", "http://a/E0.csv", matches, digest)], FakeRegistry())
    rows = {t: store._count(t) for t in ("imports", "match_sources")}
    copies = [replace(m, source_file="file:///mirror/E0.csv") for m in matches]
    report = store.import_batches([Batch("football-data", "file:///mirror/E0.csv", copies, digest)], FakeRegistry())
    assert report.unchanged == 2 and report.added == 0
    assert {t: store._count(t) for t in ("imports", "match_sources")} == rows


def test_open_conflicts_are_reported_on_every_run(store):
    """Old: a re-run after a conflict reported "0 conflicts" though the conflict remained."""
    store.import_batches([_batch([_m("Arsenal", "Chelsea", 2, 1, 1)])], FakeRegistry())
    other = _m("Arsenal", "Chelsea", 3, 1, 1, source="openfootball-json", source_file="en.1.json")
    first = store.import_batches([_batch([other], "openfootball-json", "en.1.json")], FakeRegistry())
    rerun = store.import_batches([_batch([other], "openfootball-json", "en.1.json")], FakeRegistry())
    assert (first.conflicts, first.open_conflicts) == (1, 1)
    assert (rerun.conflicts, rerun.open_conflicts) == (0, 1)


def test_status_is_stored_and_moves_on(store):
    fixture = _m("Arsenal", "Chelsea", None, None, 1, status="scheduled")
    store.import_batches([_batch([fixture], "openfootball-json", "a.json")], FakeRegistry())
    cancelled = replace(fixture, status="cancelled", source="football-txt")
    report = store.import_batches([_batch([cancelled], "football-txt", "b.txt")], FakeRegistry())
    assert report.updated == 1 and store.matches()["status"].tolist() == ["cancelled"]
    back = replace(fixture, status="scheduled", source="football-txt")  # never moves back
    store.import_batches([_batch([back], "football-txt", "c.txt")], FakeRegistry())
    assert store.matches()["status"].tolist() == ["cancelled"]
    assert store.matches(statuses=["scheduled", "postponed"]).empty
    played = _m("Liverpool", "Chelsea", 0, 2, 3)
    store.import_batches([_batch([played], name="d.csv")], FakeRegistry())
    awarded = replace(played, status="awarded", source="openfootball-json")  # the same score, awarded
    store.import_batches([_batch([awarded], "openfootball-json", "e.json")], FakeRegistry())
    frame = store.matches(played=True)
    assert frame["status"].tolist() == ["awarded"]


def test_placeholder_fixtures_are_skipped_and_counted(store):
    final = _m("N.N.", "N.N.", None, None, 1, competition="UCL", round="Final")
    report = store.import_batches([_batch([final, _cup("Arsenal", "Chelsea", 1, 0)], "football-txt", "cl.txt")],
                                  FakeRegistry())
    assert (report.added, report.placeholders) == (1, 1)


def test_the_old_nan_country_crash_is_gone(store):
    """Old: a UEFA club without its country reached the registry as NaN ('float' has no 'strip')."""
    from matchday.data.registry import TeamRegistry

    known = _cup("Liverpool FC", "Atalanta", 0, 3, away_country="ITA")
    report = store.import_batches([_batch([known], "football-txt", "cl.txt")], TeamRegistry.load())
    assert report.added == 1 and store.matches(["UCL"])["home"].tolist() == ["liverpool"]
    unknown = _cup("Zzyzx Rovers", "Atalanta", 0, 3, away_country="ITA", source_line=12)
    with pytest.raises(DataError, match=r"cl.txt, line 12.*'Zzyzx Rovers' has no country code"):
        store.import_batches([_batch([unknown], "football-txt", "cl.txt")], TeamRegistry.load())


@pytest.mark.parametrize("kind", ["text file", "folder", "device", "other database", "newer store"])
def test_unusable_store_paths_are_one_line_errors(tmp_path, kind):
    import duckdb

    from matchday.data.errors import StoreError

    path = tmp_path / "store.duckdb"
    if kind == "text file":
        path.write_text("hello\n")
    elif kind == "folder":
        path.mkdir()
    elif kind == "device":
        path = Path("/dev/null")
    elif kind == "other database":
        con = duckdb.connect(str(path))
        con.execute("CREATE TABLE customers (id INTEGER)")
        con.close()
    else:
        Store(path).close()
        con = duckdb.connect(str(path))
        con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
        con.close()
    for read_only in (True, False):
        with pytest.raises(StoreError) as info:
            Store(path, read_only=read_only)
        assert "\n" not in str(info.value) and str(path) in str(info.value)


def test_empty_store_path_is_refused():
    from matchday.data.errors import StoreError

    with pytest.raises(StoreError, match="no store path"):
        Store("")


def test_store_in_a_folder_that_cannot_be_created(tmp_path):
    from matchday.data.errors import StoreError

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot create the folder"):
        Store(blocker / "sub" / "store.duckdb")


def test_an_older_store_is_upgraded_in_place(tmp_path):
    """A schema-1 store (no status, no odds provenance) opens, read-only too, and keeps its matches."""
    import duckdb

    path = tmp_path / "old.duckdb"
    with Store(path) as s:
        s.import_batches([_batch([_m("Arsenal", "Chelsea", 2, 1, 1, odds=(OddsQuote("PS", "1x2", "home", 2.1),)),
                                  _m("Liverpool", "Arsenal", None, None, 2)])], FakeRegistry())
    con = duckdb.connect(str(path))
    for statement in ("ALTER TABLE matches DROP COLUMN status", "ALTER TABLE odds DROP COLUMN source_file",
                      "ALTER TABLE imports DROP COLUMN final_url", "ALTER TABLE imports DROP COLUMN scope",
                      "DROP TABLE odds_changes", "UPDATE meta SET value = '1' WHERE key = 'schema_version'"):
        con.execute(statement)
    con.close()
    with Store(path, read_only=True) as s:
        frame = s.matches()
        assert frame["status"].tolist() == ["played", "scheduled"]
        assert s.counts()["odds_changes"] == 0 and s.odds()["price"].tolist() == [2.1]
