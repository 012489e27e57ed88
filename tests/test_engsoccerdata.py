"""engsoccerdata champs.csv reader and the two-legged tie table, on the real file and small fixtures."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzzing import mutations
from matchday.data.domain import Match, matches_frame
from matchday.data.errors import DataError
from matchday.data.sources.engsoccerdata import (
    SOURCE,
    champs_ties,
    engsoccerdata_url,
    read_engsoccerdata_champs,
)


@pytest.fixture(scope="module")
def champs_path(shared_data: Path) -> Path:
    return shared_data / "engsoccerdata" / "champs.csv"


@pytest.fixture(scope="module")
def champs(champs_path: Path) -> list[Match]:
    return read_engsoccerdata_champs(champs_path)


@pytest.fixture(scope="module")
def raw(champs_path: Path) -> pd.DataFrame:
    """The file read independently with pandas (strings, 'NA' kept), line numbers as index."""
    frame = pd.read_csv(champs_path, dtype=str, keep_default_na=False)
    frame.index = frame.index + 2
    return frame


@pytest.fixture(scope="module")
def ties(champs_path: Path) -> pd.DataFrame:
    return champs_ties(champs_path)


def _at(matches: list[Match], line: int) -> Match:
    (match,) = [m for m in matches if m.source_line == line]
    return match


def test_counts_seasons_and_sources(champs, raw, champs_path):
    assert len(champs) == 6556 == len(raw)
    assert sum(m.extra_time for m in champs) == 128  # README section 4
    assert sum(m.penalties for m in champs) == 56
    assert (raw["pens"] != "NA").sum() == 205  # 56 shoot-outs + 140 away goals + 7 coin tosses + 2 walkovers
    assert Counter(raw["pens"].str.strip()[~raw["pens"].str.match(r"^\d")])["away goals"] == 140
    assert all(m.played and m.competition == "UCL" and m.source == SOURCE for m in champs)
    assert {m.source_file for m in champs} == {str(champs_path)}
    assert [m.source_line for m in champs] == list(range(2, 6558))
    assert min(m.date for m in champs) == dt.date(1955, 9, 4)
    assert max(m.date for m in champs) == dt.date(2018, 5, 26)
    seasons = sorted({m.season for m in champs})
    assert seasons[0] == "1955-56" and seasons[-1] == "2017-18" and len(seasons) == 63
    for m in champs:  # a season runs from June of its first year to August of the next
        start = int(m.season[:4])
        assert dt.date(start, 6, 1) <= m.date <= dt.date(start + 1, 8, 31)


def test_every_value_matches_the_raw_columns(champs, raw):
    frame = matches_frame(champs)
    frame.index = frame["source_line"].astype(int).to_numpy()
    assert list(frame.index) == list(raw.index)
    assert (frame["home"] == raw["home"]).all() and (frame["away"] == raw["visitor"]).all()
    assert (frame["home_goals"].astype(int) == raw["hgoal"].astype(int)).all()
    assert (frame["away_goals"].astype(int) == raw["vgoal"].astype(int)).all()
    aet = raw["aet"] != "NA"
    assert (frame.loc[aet, "aet_home_goals"].astype(int) == raw.loc[aet, "aethgoal"].astype(int)).all()
    assert frame.loc[~aet, "aet_home_goals"].isna().all()
    assert (frame["home_country"] == raw["hcountry"]).all() and (frame["away_country"] == raw["vcountry"]).all()
    ht = raw["HT"] != "NA"
    assert (frame.loc[ht, "ht_home_goals"].astype(str) + "-" + frame.loc[ht, "ht_away_goals"].astype(str)
            == raw.loc[ht, "HT"]).all()
    assert frame.loc[~ht, "ht_home_goals"].isna().all()


def test_2005_final_liverpool_milan_on_penalties(champs):
    final = _at(champs, 4216)
    assert (final.date, final.home, final.away, final.round, final.leg, final.neutral) == (
        dt.date(2005, 5, 25), "Liverpool", "AC Milan", "Final", None, True)
    assert (final.ht_home_goals, final.ht_away_goals, final.home_goals, final.away_goals) == (0, 3, 3, 3)
    assert (final.aet_home_goals, final.aet_away_goals, final.pen_home, final.pen_away) == (3, 3, 3, 2)
    assert final.season == "2004-05"


def test_finals_replays_and_legs(champs):
    finals = [m for m in champs if m.round.startswith("Final")]
    assert len(finals) == 64 and all(m.neutral and m.leg is None for m in finals)
    first, replay = _at(champs, 1059), _at(champs, 1060)  # 1974: Bayern v Atletico, drawn then replayed
    assert (first.round, first.home_goals, first.away_goals) == ("Final, first match", 1, 1)
    assert (replay.round, replay.home_goals, replay.away_goals, replay.date) == (
        "Final, replay", 4, 0, dt.date(1974, 5, 17))
    replays = [m for m in champs if m.round.endswith(", replay")]
    assert len(replays) == 34 and all(m.neutral and m.leg is None for m in replays)
    assert Counter(m.leg for m in champs) == {None: 2184 + 64 + 34 + 1, 1: 2137, 2: 2136}
    assert not any(m.neutral for m in champs if not m.round.startswith("Final") and not m.round.endswith("replay"))
    assert {m.round for m in champs if m.round.startswith(("First group", "Second group"))} == {
        *(f"First group stage, Group {g}" for g in "ABCDEFGH"), *(f"Second group stage, Group {g}" for g in "ABCD")}
    assert {m.round for m in champs if m.source_line in range(1001, 1031)} == {"First round"}  # round "1" in 1973


def test_coin_toss_keeps_the_score_and_no_penalties(champs, ties):
    toss = _at(champs, 513)  # 1965 quarter-final replay, Liverpool v 1. FC Köln in Rotterdam
    assert (toss.home, toss.away, toss.home_goals, toss.aet_home_goals, toss.aet_away_goals) == (
        "Liverpool", "Koln", 2, 2, 2)
    assert toss.pen_home is None and toss.neutral and toss.round == "Quarter-final, replay"
    (tie,) = ties[(ties["first_leg_home"] == "Koln") & (ties["season"] == "1964-65")].itertuples()
    assert (tie.decided_by, tie.tiewinner, tie.replay, tie.first_leg_home_through) == (
        "coin toss", "Liverpool", True, False)


def test_corrections_leg_labels_and_year_typo(champs):
    # 1992 preliminary round: both matches of four pairs carry the same leg number in the file.
    prelim = [m for m in champs if m.season == "1992-93" and m.round == "Preliminary round"]
    assert len(prelim) == 8 and Counter(m.leg for m in prelim) == {1: 4, 2: 4}
    assert all(m.leg == (1 if m.date == dt.date(1992, 8, 19) else 2) for m in prelim)
    # 2009-10 semi-final first leg written as 2009-04-20, played 2010-04-20 (second leg 2010-04-28).
    inter = _at(champs, 5054)
    assert (inter.home, inter.away, inter.date, inter.leg, inter.season) == (
        "Internazionale", "Barcelona", dt.date(2010, 4, 20), 1, "2009-10")
    assert _at(champs, 5270).date == dt.date(2010, 4, 28)


def test_ties_table_shape_and_consistency(ties, raw):
    assert len(ties) == 2136  # 2137 first legs; 1961 Vorwärts v Linfield never had a second leg
    assert ties["agg_consistent"].all()  # FTagg/totagg agree with the legs (and replays)
    assert Counter(ties["decided_by"].fillna("unknown")) == {
        "aggregate": 1864, "away goals": 140, "extra time": 49, "penalties": 45, "replay": 28,
        "coin toss": 7, "walkover": 2, "unknown": 1}
    # Independent aggregate: both legs straight from the raw CSV.
    for tie in ties.sample(200, random_state=1).itertuples():
        one, two = raw.loc[tie.first_leg_line], raw.loc[tie.second_leg_line]
        assert (one["home"], one["visitor"]) == (two["visitor"], two["home"]) == (tie.first_leg_home, tie.first_leg_away)
        assert tie.agg_home == int(one["hgoal"]) + int(two["vgoal"])
        assert tie.agg_away == int(one["vgoal"]) + int(two["hgoal"])
    changed_in_extra_time = ties["agg_aet_home"].ne(ties["agg_home"]) | ties["agg_aet_away"].ne(ties["agg_away"])
    assert not (changed_in_extra_time & ~ties["extra_time"]).any()
    assert ties["extra_time"].sum() == 103  # second legs with an aet result (128 minus finals and replays)
    shootouts = ties[ties["penalties"]]
    assert (shootouts["agg_aet_home"] == shootouts["agg_aet_away"]).all() and shootouts["extra_time"].all()


def test_ties_anomalies_found_in_the_file(ties):
    # The dataset names Bayern as winner of the 1999-00 semi-final; Real Madrid won 3-2 on aggregate.
    wrong = ties[ties["winner_consistent"] == False]  # noqa: E712  (nullable boolean)
    assert list(zip(wrong["season"], wrong["first_leg_home"], wrong["tiewinner"], strict=True)) == [
        ("1999-00", "Real Madrid", "Bayern Munich")]
    assert bool(wrong["first_leg_home_through"].iloc[0]) is True
    # Only 1982 CSKA Sofia v Sporting (level, no tie-break recorded, tiewinner NA) is undecided.
    unknown = ties[ties["first_leg_home_through"].isna()]
    assert list(zip(unknown["season"], unknown["first_leg_home"], strict=True)) == [("1982-83", "CSKA Sofia")]
    # Five 1982-83 round-of-16 ties have both legs on the same date in the file.
    same_day = ties[ties["first_leg_date"] >= ties["second_leg_date"]]
    assert sorted(same_day["first_leg_home"]) == [
        "Dinamo Bucuresti", "HJK Helsinki", "Rapid Wien", "Real Sociedad", "Standard Liege"]
    assert set(same_day["season"]) == {"1982-83"}


def test_famous_comeback_and_first_leg_loser_statistics(ties):
    (depor,) = ties[(ties["first_leg_home"] == "AC Milan") & (ties["season"] == "2003-04")].itertuples()
    assert (depor.first_leg_home_goals, depor.first_leg_away_goals) == (4, 1)
    assert (depor.second_leg_home_goals, depor.second_leg_away_goals) == (4, 0)
    assert (depor.agg_home, depor.agg_away, depor.first_leg_home_through, depor.decided_by) == (4, 5, False, "aggregate")
    # A side that lost the first leg at home rarely goes through; none of the 146 that lost it by
    # three goals or more did, while 16 of 351 sides that won it by 3+ at home went out (Milan 2004).
    known = ties.dropna(subset=["first_leg_home_through"])
    margin = known["first_leg_home_goals"] - known["first_leg_away_goals"]
    lost = known[margin < 0]
    assert 0 < lost["first_leg_home_through"].mean() < 0.1
    heavy_defeats = known[margin <= -3]["first_leg_home_through"]
    assert (len(heavy_defeats), heavy_defeats.sum()) == (146, 0)
    heavy_wins = known[margin >= 3]["first_leg_home_through"]
    assert (len(heavy_wins), (~heavy_wins).sum()) == (351, 16)


def test_ties_columns_and_types(ties):
    assert str(ties["first_leg_date"].dtype).startswith("datetime64")
    assert str(ties["agg_home"].dtype) == "Int64" and str(ties["first_leg_home_through"].dtype) == "boolean"
    assert ties["pen_home"].notna().sum() == 45


HEADER = ('"Date","Season","round","leg","home","visitor","FT","HT","aet","pens","hgoal","vgoal","FTagg_home",'
          '"FTagg_visitor","aethgoal","aetvgoal","tothgoal","totvgoal","totagg_home","totagg_visitor","tiewinner",'
          '"hcountry","vcountry"\n')
ROWS = (
    '1973-09-19,1973,"Round1","1","Bayern Munich","Atvidabergs FF","3-1",NA,NA,NA,3,1,4,4,NA,NA,3,1,4,4,'
    '"Bayern Munich","GER","SWE"\n'
    '1973-10-03,1973,"Round1","2","Atvidabergs FF","Bayern Munich","3-1",NA,"3-1","3-4",3,1,4,4,3,1,3,1,4,4,'
    '"Bayern Munich","SWE","GER"\n'
    '2005-05-25,2004,"final",NA,"Liverpool","AC Milan","3-3","0-3","3-3","3-2 ",3,3,3,3,3,3,3,3,3,3,'
    '"Liverpool","ENG","ITA"\n'
)
SNIPPET = (HEADER + ROWS).encode()


def test_small_file_with_a_shootout_after_extra_time():
    first, second, final = read_engsoccerdata_champs(SNIPPET, source_file="champs.csv")
    assert (second.aet_home_goals, second.aet_away_goals, second.pen_home, second.pen_away) == (3, 1, 3, 4)
    assert (first.leg, second.leg, final.pen_home, final.pen_away) == (1, 2, 3, 2)  # "3-2 " trailing space
    (tie,) = champs_ties(SNIPPET).itertuples()
    assert (tie.agg_home, tie.agg_away, tie.agg_aet_home, tie.agg_aet_away) == (4, 4, 4, 4)
    assert (tie.pen_home, tie.pen_away, tie.decided_by, tie.first_leg_home_through) == (4, 3, "penalties", True)


@pytest.mark.parametrize(
    ("row", "message", "column"),
    [
        ('2005-05-25,2004,"final",NA,"Liverpool","AC Milan","3-3","0-3","3-3","3-2",3,3,3,3,3,3,3,3,3,3,"Liverpool","ENG"\n',
         "row has 22 fields", None),
        ('2005-05-25,2004,"final",NA,"Liverpool","AC Milan","3-2","0-3","3-3","3-2",3,3,3,3,3,3,3,3,3,3,"Liverpool","ENG","ITA"\n',
         "FT disagrees", "FT"),
        ('2005-05-25,2004,"final",NA,"Liverpool","AC Milan","3-3","0-3","3-3","golden goal",3,3,3,3,3,3,3,3,3,3,"Liverpool","ENG","ITA"\n',
         "unknown tie-break", "pens"),
        ('2005-13-25,2004,"final",NA,"Liverpool","AC Milan","3-3","0-3","3-3","3-2",3,3,3,3,3,3,3,3,3,3,"Liverpool","ENG","ITA"\n',
         "not a date", "Date"),
        ('2007-05-25,2004,"final",NA,"Liverpool","AC Milan","3-3","0-3","3-3","3-2",3,3,3,3,3,3,3,3,3,3,"Liverpool","ENG","ITA"\n',
         "date outside season", "Date"),
        ('2005-05-25,2004,"final","3","Liverpool","AC Milan","3-3","0-3","3-3","3-2",3,3,3,3,3,3,3,3,3,3,"Liverpool","ENG","ITA"\n',
         "unknown leg", "leg"),
        ('2005-05-25,2004,"final",NA,"Liverpool","AC Milan","3-3","0-3","3-3","3-2",3,x,3,3,3,3,3,3,3,3,"Liverpool","ENG","ITA"\n',
         "not a whole number", "vgoal"),
        ('2005-05-25,2004,"final",NA,"Liverpool","AC Milan","3-3","0-3","2-2","3-2",3,3,3,3,2,2,3,3,3,3,"Liverpool","ENG","ITA"\n',
         "below the 90-minute score", "aet"),
    ],
)
def test_bad_rows_name_file_line_column_value(row, message, column):
    with pytest.raises(DataError, match=message) as caught:
        read_engsoccerdata_champs((HEADER + ROWS + row).encode(), source_file="mirror/champs.csv")
    error = caught.value
    assert (error.file, error.line, error.column) == ("mirror/champs.csv", 5, column)
    assert error.value is not None and error.expected
    assert "mirror/champs.csv, line 5" in str(error)


def test_missing_columns_and_empty_input():
    with pytest.raises(DataError, match="missing columns: pens") as caught:
        read_engsoccerdata_champs(HEADER.replace('"pens",', "").encode(), source_file="champs.csv")
    assert caught.value.line == 1
    with pytest.raises(DataError, match="empty file"):
        read_engsoccerdata_champs(b"")
    # The match reader does not need the tie columns; the tie table does.
    rows = list(csv.reader(io.StringIO(HEADER + ROWS)))
    drop = rows[0].index("tiewinner")
    buffer = io.StringIO()
    csv.writer(buffer).writerows([row[:drop] + row[drop + 1:] for row in rows])
    slim = buffer.getvalue()
    assert len(read_engsoccerdata_champs(slim.encode())) == 3
    with pytest.raises(DataError, match="missing columns: tiewinner"):
        champs_ties(slim.encode())


def test_url_helper():
    assert engsoccerdata_url() == "https://raw.githubusercontent.com/jalapic/engsoccerdata/master/data-raw/champs.csv"
    assert engsoccerdata_url("http://127.0.0.1:8000/engsoccerdata/") == "http://127.0.0.1:8000/engsoccerdata/champs.csv"
    assert engsoccerdata_url("/data/champs.csv") == "/data/champs.csv"


# --- fuzzing: any bytes end in matches or a DataError -------------------------------------------------

TOKENS = [b"NA", b'"', b",", b"\n", b"\r\n", b"-", b"99", b"away goals", b"coin toss", b'"replay"', b"2-2",
          b"1955-02-29", b"\xff", b"\x00", b'""', b"GroupA-inter"]


def mutated(base: bytes = SNIPPET):
    return mutations(base, TOKENS)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=400), mutated()))
def test_fuzz_any_bytes_give_matches_or_a_data_error(data):
    try:
        matches = read_engsoccerdata_champs(data, source_file="champs.csv")
        frame = champs_ties(data, source_file="champs.csv")
    except DataError as error:
        assert error.file == "champs.csv"
        return
    assert len(frame) <= len(matches)
    for m in matches:
        assert isinstance(m, Match) and m.source_line >= 2
        if m.extra_time:
            assert m.aet_home_goals >= m.home_goals and m.aet_away_goals >= m.away_goals


# --- issue 8 items 6 and 10 ---------------------------------------------------------------------------------


def test_impossible_shootout_is_left_out_naming_file_and_line(caplog):
    lines = SNIPPET.decode().splitlines()
    header = lines[0]
    row = ('2005-05-25,2004,"final",NA,"AC Milan","Liverpool","3-3","3-0","3-3","4-4",3,3,NA,NA,3,3,3,3,NA,NA,'
           '"Liverpool","ITA","ENG"')
    with caplog.at_level("WARNING", logger="matchday.data.quality"):
        [match] = read_engsoccerdata_champs(f"{header}\n{row}\n".encode(), source_file="champs.csv")
    notes = [r.getMessage() for r in caplog.records if r.name == "matchday.data.quality"]
    assert len(notes) == 1 and "champs.csv, line 2, column 'pens': impossible shoot-out score 4-4" in notes[0]
    assert (match.home_goals, match.away_goals, match.pen_home, match.pen_away) == (3, 3, None, None)


def test_walkovers_are_awarded(shared_data):
    """1990-91 quarter-finals: Marseille v Milan and Dresden v Crvena Zvezda second legs were awarded 3-0."""
    matches = read_engsoccerdata_champs(shared_data / "engsoccerdata" / "champs.csv")
    awarded = [(m.source_line, m.home, m.home_goals, m.away_goals) for m in matches if m.status == "awarded"]
    assert awarded == [(2075, "Olympique Marseille", 3, 0), (2077, "Dynamo Dresden", 0, 3)]
    assert sum(m.status == "played" for m in matches) == len(matches) - 2
