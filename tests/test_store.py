"""The DuckDB store: idempotent, transactional imports, conflicts, fixtures filled in, forecasts log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

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
