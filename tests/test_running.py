"""Merging the running season's sources: postponed and rescheduled matches keep one identity, a fixture
that gets played is filled in; checked on hand-made records and on cut mirrors of 2024-25."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from conftest import readme_match_counts
from cutmirror import build_cut_mirror
from matchday.data.competitions import LEAGUE_CODES
from matchday.data.errors import DataError
from matchday.data.running import MERGED_COLUMNS, link_to_stored, merge_fixtures


def rec(source: str, date: str, home: str = "everton", away: str = "liverpool", score: str | None = None,
        competition: str = "E0", kickoff: str | None = None, round_: str | None = None) -> dict:
    hg, ag = (None, None) if score is None else map(int, score.split("-"))
    return {"competition": competition, "season": "2024-25", "date": date, "home_id": home, "away_id": away,
            "home_goals": hg, "away_goals": ag, "source": source, "kickoff": kickoff, "round": round_}


def merged(rows: list[dict], **kwargs) -> pd.DataFrame:
    return merge_fixtures(pd.DataFrame(rows), **kwargs).matches


# --- hand-made cases ---------------------------------------------------------------------------------------


def test_postponed_rescheduled_then_played_keeps_one_identity():
    # The schedule says 7 December; the match is postponed (storm) and the fixtures file later lists it on
    # 12 February; then football-data's season file has it played on 12 February.
    schedule = rec("openfootball-json", "2024-12-07", kickoff="12:30", round_="Matchday 15")
    before = merged([schedule], as_of="2024-12-08")
    assert before["status"].tolist() == ["overdue"]  # no result the day after: still to play, date unknown
    moved = merged([schedule, rec("football-data-fixtures", "2025-02-12", kickoff="19:30")], as_of="2025-02-10")
    assert len(moved) == 1
    row = moved.iloc[0]
    assert row["status"] == "scheduled" and row["rescheduled"]
    assert (row["date"], row["kickoff"], row["date_source"]) == (pd.Timestamp("2025-02-12"), "19:30",
                                                                 "football-data-fixtures")
    assert row["round"] == "Matchday 15"  # kept from the schedule
    played = merged([schedule, rec("football-data-fixtures", "2025-02-12", kickoff="19:30"),
                     rec("football-data", "2025-02-12", score="2-2", kickoff="19:30")], as_of="2025-02-13")
    assert len(played) == 1
    row = played.iloc[0]
    assert row["identity"] == moved.iloc[0]["identity"] == before.iloc[0]["identity"]
    assert (row["status"], row["home_goals"], row["away_goals"], row["result_source"]) == ("played", 2, 2,
                                                                                         "football-data")
    assert row["date"] == pd.Timestamp("2025-02-12") and row["n_records"] == 3
    assert row["sources"] == "football-data,football-data-fixtures,openfootball-json"


def test_a_played_record_wins_over_a_stale_schedule_and_conflicts_are_listed():
    rows = [rec("openfootball-json", "2025-01-04", score="1-0"), rec("football-data", "2025-01-05", score="2-0"),
            rec("football-txt", "2025-01-05", score="2-0")]
    result = merge_fixtures(pd.DataFrame(rows))
    row = result.matches.iloc[0]
    assert (row["home_goals"], row["result_source"], row["date"]) == (2, "football-data", pd.Timestamp("2025-01-05"))
    assert result.conflicts[["source", "home_goals", "kept_source", "kept_home_goals"]].values.tolist() == [
        ["openfootball-json", 1, "football-data", 2]]
    assert result.links.nunique() == 1


def test_unconfirmed_when_the_fixtures_file_leaves_a_due_match_out():
    rows = [rec("openfootball-json", "2025-02-01"),  # due in the window, not in the fixtures file
            rec("openfootball-json", "2025-02-01", home="arsenal", away="chelsea"),
            rec("football-data-fixtures", "2025-02-01", home="arsenal", away="chelsea"),
            rec("openfootball-json", "2025-02-01", home="barcelona", away="girona", competition="SP1"),
            rec("openfootball-json", "2025-03-01", home="fulham", away="wolves")]
    out = merged(rows, as_of="2025-01-30", fixtures_window=("2025-01-31", "2025-02-06")).set_index("home_id")
    assert out.loc["everton", "unconfirmed"] and not out.loc["arsenal", "unconfirmed"]
    assert not out.loc["barcelona", "unconfirmed"]  # the fixtures file lists no SP1 match: not covered
    assert not out.loc["fulham", "unconfirmed"]  # outside the window


def test_repeated_pairings_match_by_nearest_date():
    # A Scottish-style season: Celtic host Rangers three times; football-data has the two played ones
    # (the second played five days after the schedule's date), the fixtures file the third.
    sched = [rec("openfootball-json", d, "celtic", "rangers", competition="SC0")
             for d in ("2024-08-31", "2025-01-02", "2025-05-10")]
    fd = [rec("football-data", "2024-08-31", "celtic", "rangers", "3-0", competition="SC0"),
          rec("football-data", "2025-01-07", "celtic", "rangers", "3-0", competition="SC0")]
    fix = [rec("football-data-fixtures", "2025-05-11", "celtic", "rangers", competition="SC0")]
    result = merge_fixtures(pd.DataFrame(sched + fd + fix), as_of="2025-05-05")
    out = result.matches
    assert len(out) == 3 and out["identity"].is_unique
    assert out["status"].tolist() == ["played", "played", "scheduled"]
    assert out["date"].dt.strftime("%m-%d").tolist() == ["08-31", "01-07", "05-11"]
    assert out["n_records"].tolist() == [2, 2, 2]
    # Identities do not depend on which source lists the pairing most often.
    again = merge_fixtures(pd.DataFrame(fd + sched + fix), as_of="2025-05-05").matches
    assert sorted(again["identity"]) == sorted(out["identity"])


def test_uefa_league_phase_and_knockout_meeting_are_two_matches():
    rows = [rec("openfootball-json", "2025-01-29", "psv", "liverpool", "3-2", "UCL", round_="League phase"),
            rec("football-txt", "2025-01-29", "psv", "liverpool", "3-2", "UCL", round_="League phase"),
            rec("football-txt", "2025-03-04", "psv", "liverpool", None, "UCL", round_="Round of 16")]
    out = merged(rows, as_of="2025-02-01")
    assert len(out) == 2
    assert out["round"].tolist() == ["League phase", "Round of 16"]
    assert out["status"].tolist() == ["played", "scheduled"]


def test_rounds_keep_apart_meetings_that_each_source_lists_once():
    # The JSON file lists only the league-phase meeting, the TXT file only the knockout tie (same home club).
    rows = [rec("openfootball-json", "2025-01-29", "psv", "liverpool", "3-2", "UCL", round_="League phase"),
            rec("football-txt", "2025-03-04", "psv", "liverpool", None, "UCL", round_="Round of 16")]
    assert len(merged(rows)) == 2


def test_link_to_stored_follows_postponements_and_rounds():
    stored = pd.DataFrame([
        {"match_id": "m1", "competition": "E0", "season": "2024-25", "date": "2024-12-07", "home_id": "everton",
         "away_id": "liverpool", "round": "Matchday 15"},
        {"match_id": "m2", "competition": "UCL", "season": "2024-25", "date": "2025-01-29", "home_id": "psv",
         "away_id": "liverpool", "round": "League phase"},
        {"match_id": "m3", "competition": "SC0", "season": "2024-25", "date": "2024-08-31", "home_id": "celtic",
         "away_id": "rangers", "round": None},
        {"match_id": "m4", "competition": "SC0", "season": "2024-25", "date": "2025-05-10", "home_id": "celtic",
         "away_id": "rangers", "round": None},
    ])
    incoming = pd.DataFrame([
        rec("football-data", "2025-02-12", score="2-2"),  # played two months after the stored date
        rec("football-txt", "2025-03-04", "psv", "liverpool", None, "UCL", round_="Round of 16"),
        rec("football-txt", "2025-01-29", "psv", "liverpool", "3-2", "UCL", round_="League phase"),
        rec("football-data", "2025-05-11", "celtic", "rangers", "1-1", "SC0"),
        rec("football-data", "2025-01-04", "arsenal", "brentford", "1-3"),  # not stored yet
    ])
    assert link_to_stored(incoming, stored).tolist() == ["m1", None, "m2", "m4", None]
    assert link_to_stored(incoming.iloc[:0], stored).empty


def test_bad_records_are_one_clear_error():
    with pytest.raises(DataError, match="lack a column"):
        merge_fixtures(pd.DataFrame([{"competition": "E0"}]))
    with pytest.raises(DataError, match="plays itself"):
        merged([rec("football-data", "2025-01-01", "a", "a")])
    with pytest.raises(DataError, match="no valid date"):
        merged([rec("football-data", "not a date")])
    with pytest.raises(DataError, match="one side of the score"):
        merged([rec("football-data", "2025-01-01") | {"home_goals": 1}])
    with pytest.raises(DataError, match="no home_id"):
        merged([rec("football-data", "2025-01-01", home="")])
    assert list(merge_fixtures(pd.DataFrame(columns=list(rec("x", "2025-01-01")))).matches.columns) == list(MERGED_COLUMNS)


# --- cut mirrors of 2024-25 ----------------------------------------------------------------------------------


def read_mirror(root) -> pd.DataFrame:
    """Every record of the cut mirror's 2024-25 files (leagues and UEFA) with team ids resolved as the
    store resolves them (registry, else the provisional id)."""
    from matchday.data.competitions import COMPETITIONS, LEAGUE_CODES
    from matchday.data.domain import matches_frame
    from matchday.data.registry import TeamRegistry
    from matchday.data.sources.footballdata import read_footballdata
    from matchday.data.sources.footballdata_fixtures import read_footballdata_fixtures
    from matchday.data.sources.footballtxt import read_football_txt
    from matchday.data.sources.openfootball_json import read_openfootball_json

    matches = []
    for code in LEAGUE_CODES:
        path = root / "football-data" / "mmz4281" / "2425" / f"{code}.csv"
        matches += read_footballdata(path, competition=code, season="2024-25")
        stem = COMPETITIONS[code].openfootball
        json_path = root / "openfootball" / "football.json" / "2024-25" / f"{stem}.json"
        if json_path.exists():
            matches += read_openfootball_json(json_path, competition=code, season="2024-25")
    fixtures = root / "football-data" / "fixtures.csv"
    if fixtures.exists():  # the cut mirror has one; ../shared/data (the finished season) has none
        matches += read_footballdata_fixtures(fixtures, divisions=LEAGUE_CODES)
    matches += read_openfootball_json(root / "openfootball" / "football.json" / "2024-25" / "uefa.cl.json",
                                      competition="UCL", season="2024-25")  # its two 4-4 shoot-outs left out
    for code, stem in (("UCL", "cl"), ("UEL", "el"), ("UECL", "conf")):
        for name in (stem, stem + "q"):  # the competition proper and its qualifying rounds
            matches += read_football_txt(root / "openfootball" / "champions-league" / "2024-25" / f"{name}.txt",
                                         competition=code, season="2024-25")
    frame = matches_frame(matches)
    registry = TeamRegistry.load()
    for side in ("home", "away"):
        country = frame[f"{side}_country"].fillna(frame["competition"].map(
            lambda c: COMPETITIONS[c].country if c in COMPETITIONS and COMPETITIONS[c].country != "EUR" else None))
        frame[f"{side}_id"] = [registry.resolve(n, c) or registry.provisional_id(n, c)
                               for n, c in zip(frame[side], country, strict=True)]
    return frame


@pytest.fixture(scope="module")
def season_merged(shared_data, tmp_path_factory):
    """The whole season merged from the full files (the truth the cuts must agree with)."""
    result = merge_fixtures(read_mirror(shared_data))
    assert result.conflicts.empty
    sizes = result.matches.groupby("competition").size()
    # The same counts as the store's import of the season (tests/test_season_2024_25.py): no duplicates.
    expected = {div: n for (code, div), n in readme_match_counts(shared_data).items() if code == "2425"}
    expected.update({"UCL": 279, "UEL": 269, "UECL": 409})  # README section 3: cl+clq, el+elq, conf+confq
    assert sizes.to_dict() == expected
    assert (result.matches["status"] == "played").all()
    return result.matches


@pytest.mark.parametrize("cut", ["2024-12-15", "2025-02-15", "2025-04-12"])
def test_cut_mirror_merges_into_the_season_without_duplicates(shared_data, tmp_path, cut):
    day = dt.date.fromisoformat(cut)
    root = build_cut_mirror(shared_data, tmp_path / "mirror", day)
    records = read_mirror(root)
    result = merge_fixtures(records, as_of=day, fixtures_window=(day + dt.timedelta(days=1),
                                                                   day + dt.timedelta(days=7)))
    out = result.matches
    assert result.conflicts.empty
    # No source lists a match twice in the merge; leagues: every pairing once, 380 / 306 / 552 matches.
    assert not result.links.groupby([result.links, records["source"]]).size().gt(1).any()
    sizes = out.groupby("competition").size()
    counts = readme_match_counts(shared_data)
    scheduled = [code for code in LEAGUE_CODES if code in set(records.loc[records["source"] == "openfootball-json",
                                                                          "competition"])]
    assert sizes[scheduled].tolist() == [counts[("2425", code)] for code in scheduled]  # whole schedules
    # Divisions without an openfootball schedule in the mirror (E1 and the ten others): only their played
    # matches and the fixtures file's week are known.
    for code in sorted(set(LEAGUE_CODES) - set(scheduled)):
        known = out[out["competition"] == code]
        assert (known["status"] == "played").sum() + (known["date_source"] == "football-data-fixtures").sum() == len(
            known), code
    # Played exactly when football-data's cut file (leagues) or the Football.TXT file (UEFA) has a result.
    league = out[out["competition"].isin(LEAGUE_CODES)]
    fd_played = records[(records["source"] == "football-data")]
    assert (league["status"] == "played").sum() == len(fd_played)
    assert (league.loc[league["status"] == "played", "date"] <= pd.Timestamp(day)).all()
    still = league[league["status"] != "played"]
    assert (still["date"] > pd.Timestamp(day)).all()  # the final files' dates: nothing overdue in a cut
    # Fixtures of the coming week come from the fixtures file, confirmed.
    week = still[still["date"] <= pd.Timestamp(day + dt.timedelta(days=7))]
    assert len(week) > 0 and (week["date_source"] == "football-data-fixtures").all()
    assert not week["unconfirmed"].any()
    # UEFA: the whole league phase, and the knockout rounds known by then.
    ucl = out[out["competition"] == "UCL"]
    assert (ucl["round"].astype(str).str.startswith("League phase")).sum() == 144


def test_cut_identities_are_the_final_identities(shared_data, tmp_path, season_merged):
    day = dt.date(2025, 2, 15)
    root = build_cut_mirror(shared_data, tmp_path / "mirror", day)
    cut = merge_fixtures(read_mirror(root), as_of=day).matches
    final = season_merged.set_index("identity")
    # Every match known on the cut day is the same match (same identity) once the season is over, and the
    # fixtures still to play then were all played later.
    assert cut["identity"].isin(final.index).all()
    later = final.loc[cut.loc[cut["status"] == "scheduled", "identity"]]
    assert (later["status"] == "played").all()
    scheduled_leagues = ["E0", "SP1", "I1", "D1", "F1"]  # those with an openfootball schedule in the mirror
    assert cut["competition"].isin(scheduled_leagues).sum() == final["competition"].isin(scheduled_leagues).sum()
