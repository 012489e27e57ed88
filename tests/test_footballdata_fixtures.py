"""football-data's fixtures.csv: several divisions in one file, no results, odds as in the season files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from matchday.data.errors import DataError
from matchday.data.sources.footballdata_fixtures import SOURCE, fixtures_url, read_footballdata_fixtures

SAMPLE = Path(__file__).parent / "fixtures" / "footballdata" / "fixtures_sample.csv"


def test_reads_every_division_without_results():
    matches = read_footballdata_fixtures(SAMPLE)
    assert len(matches) == 9
    assert {m.competition for m in matches} == {"B1", "E0", "E1", "SP1", "I1", "D1", "SC0"}
    assert all(not m.played and m.source == SOURCE for m in matches)
    assert all(m.season == "2024-25" for m in matches)
    first = matches[1]
    assert (first.home, first.away, first.date, first.kickoff) == (
        "Nott'm Forest", "Brighton", dt.date(2025, 2, 1), dt.time(12, 30))
    assert first.source_line == 3  # header on line 1 (after the BOM), B1 on line 2
    quotes = {(q.bookmaker, q.market, q.selection, q.line, q.closing): q.price for q in first.odds}
    assert quotes[("B365", "1x2", "home", None, False)] == 2.3
    assert quotes[("PS", "ou", "over", 2.5, False)] == 1.84
    assert quotes[("Avg", "ah", "away", -0.25, False)] == 1.86
    assert not any(q.closing for q in first.odds)  # closing columns are empty in a fixtures file
    no_time = next(m for m in matches if m.home == "Sheffield United")
    assert no_time.kickoff is None and no_time.competition == "E1"


def test_divisions_filter_takes_codes_or_names():
    kept = read_footballdata_fixtures(SAMPLE, divisions=["E0", "La Liga"])
    assert [m.competition for m in kept] == ["E0", "E0", "E0", "SP1"]


def test_line_endings_and_bytes(tmp_path):
    raw = SAMPLE.read_bytes()
    lf = raw.replace(b"\r\n", b"\n").removeprefix(b"\xef\xbb\xbf")
    a = read_footballdata_fixtures(raw, source_file="fixtures.csv")
    b = read_footballdata_fixtures(lf, source_file="fixtures.csv")
    assert [(m.home, m.away, m.date, m.odds) for m in a] == [(m.home, m.away, m.date, m.odds) for m in b]
    assert fixtures_url("http://127.0.0.1:8000/") == "http://127.0.0.1:8000/fixtures.csv"
    assert fixtures_url(None) == "https://www.football-data.co.uk/fixtures.csv"


def test_header_only_file_gives_nothing():
    header = SAMPLE.read_bytes().splitlines()[0] + b"\r\n"
    assert read_footballdata_fixtures(header) == []


@pytest.mark.parametrize(("change", "message"), [
    (lambda t: t.replace("01/02/2025,12:30", "31/02/2025,12:30"), "line 3.*not a date"),
    (lambda t: t.replace("01/02/2025,12:30", "01/02/2025,25:30"), "line 3.*kick-off"),
    (lambda t: t.replace("Nott'm Forest,Brighton,2.3", "Nott'm Forest,Brighton,abc"), "line 3.*B365H.*price"),
    (lambda t: t.replace("Div,Date", "Division,Date"), "lacks column.*Div"),
    (lambda t: t + t.splitlines()[2] + "\r\n", "same fixture appears twice"),
    (lambda t: t.replace(",Wolves,", ",,"), "line 5.*HomeTeam"),
])
def test_bad_input_is_one_clear_line(change, message):
    text = SAMPLE.read_bytes().decode("utf-8-sig")
    with pytest.raises(DataError, match=message):
        read_footballdata_fixtures(change(text).encode("utf-8"), source_file="fixtures.csv")
