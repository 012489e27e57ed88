"""The cut mirror (tests/cutmirror.py) looks like the live sites on the cut day, and `sync` reads it."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from cutmirror import build_cut_mirror
from matchday.data.sources.footballdata import read_footballdata
from matchday.data.sources.footballdata_fixtures import read_footballdata_fixtures
from matchday.data.sources.footballtxt import read_football_txt

CUT = dt.date(2025, 2, 15)


def test_football_data_files_hold_the_played_matches_only(shared_data, tmp_path):
    root = build_cut_mirror(shared_data, tmp_path / "m", CUT)
    for name in ("E0", "SP1", "N1", "T1"):
        full = read_footballdata(shared_data / "football-data" / "mmz4281" / "2425" / f"{name}.csv")
        cut = read_footballdata(root / "football-data" / "mmz4281" / "2425" / f"{name}.csv")
        assert [(m.home, m.away, m.date) for m in cut] == [(m.home, m.away, m.date) for m in full if m.date <= CUT]
        raw_full = (shared_data / "football-data" / "mmz4281" / "2425" / f"{name}.csv").read_bytes()
        raw_cut = (root / "football-data" / "mmz4281" / "2425" / f"{name}.csv").read_bytes()
        assert raw_full.startswith(raw_cut.splitlines(keepends=True)[0])  # BOM and header byte for byte
    fixtures = read_footballdata_fixtures(root / "football-data" / "fixtures.csv")
    dates = {m.date for m in fixtures}
    assert min(dates) > CUT and max(dates) <= CUT + dt.timedelta(days=7)
    assert {"E0", "SP1", "I1", "D1", "F1", "E1"} <= {m.competition for m in fixtures}
    assert all(not m.played and m.odds and not any(q.closing for q in m.odds) for m in fixtures)
    # Exactly the matches of that week in the season files.
    week = [m for code in ("E0",) for m in read_footballdata(
        shared_data / "football-data" / "mmz4281" / "2425" / f"{code}.csv") if CUT < m.date <= CUT + dt.timedelta(days=7)]
    assert sorted((m.home, m.away) for m in week) == sorted((m.home, m.away) for m in fixtures if m.competition == "E0")


def test_openfootball_files_keep_the_schedule_without_later_scores(shared_data, tmp_path):
    root = build_cut_mirror(shared_data, tmp_path / "m", CUT)
    doc = json.loads((root / "openfootball" / "football.json" / "2024-25" / "en.1.json").read_text("utf-8"))
    assert len(doc["matches"]) == 380
    assert all(("score" in m) == (m["date"] <= CUT.isoformat()) for m in doc["matches"])
    cl = read_football_txt(root / "openfootball" / "champions-league" / "2024-25" / "cl.txt", season="2024-25")
    rounds = pd.Series([m.round for m in cl]).value_counts().to_dict()
    # League phase whole; play-offs known (draw 31 January); round of 16 not drawn yet (21 February).
    assert sum(v for k, v in rounds.items() if k.startswith("League phase")) == 144
    assert rounds["Knockout play-off"] == 16 and "Round of 16" not in rounds
    assert sum(m.played for m in cl) == 144 + 8  # first legs played on 11-12 February
    early = read_football_txt(build_cut_mirror(shared_data, tmp_path / "early", "2024-12-15")
                              / "openfootball" / "champions-league" / "2024-25" / "conf.txt", season="2024-25")
    assert "Knockout play-off" not in {m.round for m in early}  # UECL play-off draw: 20 December


def test_sync_reads_a_cut_mirror(shared_data, tmp_path):
    from matchday.data.fetch import Fetcher, SourceURLs
    from matchday.data.store import Store
    from matchday.data.sync import sync

    root = build_cut_mirror(shared_data, tmp_path / "m", CUT)
    with Store(tmp_path / "db.duckdb") as store:
        report = sync(store, ["E0", "UCL"], ["2024-25"], urls=SourceURLs.resolve(mirror=str(root)),
                      fetcher=Fetcher(cache_dir=tmp_path / "cache"), today=CUT)
        available = store.available().set_index("competition")
        assert report.conflicts == 0
    played_e0 = len(read_footballdata(root / "football-data" / "mmz4281" / "2425" / "E0.csv"))
    assert available.loc["E0", "matches"] == 380 and available.loc["E0", "played"] == played_e0
    assert available.loc["UCL", "matches"] == 90 + 144 + 16  # qualifying, league phase, play-offs
