"""Stored ties, who went through, and which draws were known on a date (the bracket's store-first view)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from matchday.data.errors import MatchdayError
from matchday.rules.knockout import draw_round
from matchday.simulate.knockout_state import (
    bracket_from_store,
    decide_ties,
    pair_tie,
    pairings_known_as_of,
    two_legged_ties,
)


def test_draw_rounds_by_season():
    # Before 2018-19 each round was drawn after the one before it; the final is the semi-finals' draw.
    assert draw_round("UCL", "2017-18", "Semi-final") == "Semi-final"
    assert draw_round("UCL", "2017-18", "Final") == "Semi-final"
    # 2018-19 to 2023-24: quarter- and semi-finals in one draw (UCL, UEL; the UECL from its first season).
    assert draw_round("UCL", "2018-19", "Semi-final") == "Quarter-final"
    assert draw_round("UEL", "2023-24", "Final") == "Quarter-final"
    assert draw_round("UECL", "2021-22", "Semi-final") == "Quarter-final"
    assert draw_round("UCL", "2023-24", "Round of 16") == "Round of 16"
    # From 2024-25 the draw after the knockout play-offs fixes the whole bracket.
    assert draw_round("UCL", "2024-25", "Quarter-final") == "Round of 16"
    assert draw_round("UEL", 2024, "Final") == "Round of 16"
    assert draw_round("UCL", 1990, "Quarter-final") == "Quarter-final"


def _frame(rows: list[tuple]) -> pd.DataFrame:
    """Matches from (date, round, leg, home, away, home goals, away goals[, aet home, aet away, pens h, pens a])."""
    records = []
    for row in rows:
        date, round_, leg, home, away, hg, ag, *more = row
        more = [*more, None, None, None, None][:4]
        records.append({"competition": "UCL", "season": "2030-31", "date": pd.Timestamp(date), "round": round_,
                        "leg": leg, "home": home, "away": away, "home_goals": hg, "away_goals": ag,
                        "aet_home_goals": more[0], "aet_away_goals": more[1], "pen_home": more[2],
                        "pen_away": more[3], "neutral": leg is None})
    frame = pd.DataFrame(records)
    frame["leg"] = frame["leg"].astype("Int64")
    return frame


QUARTERS = [
    ("2031-04-08", "Quarter-final", 1, "a", "b", 2, 0), ("2031-04-15", "Quarter-final", 2, "b", "a", 3, 1, 3, 1, 5, 4),
    ("2031-04-08", "Quarter-final", 1, "c", "d", 0, 0), ("2031-04-15", "Quarter-final", 2, "d", "c", 1, 1),
    ("2031-04-09", "Quarter-final", 1, "e", "f", 1, 1), ("2031-04-16", "Quarter-final", 2, "f", "e", 0, 2),
    ("2031-04-09", "Quarter-final", 1, "g", "h", 4, 0), ("2031-04-16", "Quarter-final", 2, "h", "g", None, None),
    ("2031-04-29", "Semi-final", 1, "b", "c", None, None), ("2031-05-06", "Semi-final", 2, "c", "b", None, None),
    ("2031-04-30", "Semi-final", 1, "e", "g", None, None), ("2031-05-07", "Semi-final", 2, "g", "e", None, None),
]


def test_ties_and_winners_by_the_rules():
    ties = decide_ties(two_legged_ties(_frame(QUARTERS)))
    assert len(ties) == 6 and list(ties["team_a"][:4]) == ["a", "c", "e", "g"]
    by = ties[ties["round"] == "Quarter-final"].set_index("team_a")
    # 2030-31: no away goals (from 2021-22); b won the shoot-out 5-4 after 3-3 on aggregate
    assert by.loc["a", "winner"] == "b" and by.loc["a", "method"] == "penalties"
    assert by.loc["c", "winner"] is None or pd.isna(by.loc["c", "winner"])  # 1-1 with no extra time stored
    assert by.loc["e", "winner"] == "e" and by.loc["e", "method"] == "regulation"
    assert not by.loc["g", "leg2_played"] and by.loc["g", "side"] == -1
    # as of the day after the first legs, nothing is decided yet
    early = decide_ties(two_legged_ties(_frame(QUARTERS)), dt.date(2031, 4, 10))
    early = early[early["round"] == "Quarter-final"]
    assert early["leg1_played"].all() and not early["leg2_played"].any() and (early["side"] == -1).all()


def test_pair_tie_finds_the_stored_tie_whoever_is_named_first():
    found = pair_tie(_frame(QUARTERS), "b", "a")
    assert found["kind"] == "two-legged" and found["round"] == "Quarter-final"
    assert list(found["legs"]["home"]) == ["a", "b"]
    assert pair_tie(_frame(QUARTERS), "a", "h") is None


def test_pairings_known_only_from_the_eve_of_the_first_match():
    frame = _frame(QUARTERS)
    # 2030-31 is a league-phase season: semi-finals drawn with the round of 16 (not stored here), so the
    # quarter-final draw stands in for it; on its own, each round is known from the eve of its first match.
    draws = pairings_known_as_of(frame, dt.date(2031, 4, 7))
    assert draws["Quarter-final"].known and draws["Quarter-final"].known_from == dt.date(2031, 4, 7)
    before = pairings_known_as_of(frame, dt.date(2031, 4, 6))
    assert not before["Quarter-final"].known and "2031-04-07" in before["Quarter-final"].reason
    # the data end on 2031-04-16: after that, stored fixtures count as the published draw
    late = pairings_known_as_of(frame[frame["round"] == "Quarter-final"], dt.date(2031, 4, 17))
    assert late["Quarter-final"].known


def test_a_draw_made_after_the_as_of_date_is_not_used(synced_db):
    """UEL 2023-24: the quarter- and semi-finals were drawn on 15 March 2024, the quarter-finals began on
    11 April. As of 20 February (knockout play-offs under way) the round of 16 is not drawn yet: its
    pairings must be drawn at random, with the group winners entering against the play-off winners."""
    from matchday.data.store import Store

    with Store(synced_db, read_only=True) as store:
        uel = store.matches(["UEL"], ["2023-24"])
    first, ties, later = bracket_from_store(uel, dt.date(2024, 2, 20), allow_entrants=True)
    assert first.name == "Knockout play-off" and len(ties) == 8
    r16 = later[0]
    assert r16.name == "Round of 16" and r16.open_draw and len(r16.entrants) == 8
    assert [r.name for r in later] == ["Round of 16", "Quarter-final", "Semi-final", "Final"]
    assert all(r.open_draw for r in later[:3])
    with pytest.raises(MatchdayError, match="brings in 8 clubs"):
        bracket_from_store(uel, dt.date(2024, 2, 20))
    # As of 14 March the round of 16 is decided and the quarter-final draw (15 March) not known: the
    # round of 16 is the (decided) current round and the quarter-finals are drawn at random.
    first, ties, later = bracket_from_store(uel, dt.date(2024, 3, 14))
    assert first.name == "Round of 16" and all(t.winner is not None for t in ties)
    assert later[0].name == "Quarter-final" and later[0].open_draw
    # As of 10 April (the eve of the quarter-finals) the joint draw is known: stored pairings, fixed bracket.
    first, ties, later = bracket_from_store(uel, dt.date(2024, 4, 10))
    assert first.name == "Quarter-final" and not any(r.open_draw for r in later)
    assert later[0].pairings is not None


def test_bracket_with_entrants_sums_up(synced_db):
    from functools import partial

    from matchday.data.store import Store
    from matchday.models.training import fit_model
    from matchday.simulate.bracket import simulate_bracket
    from matchday.simulate.tie_model import knockout_params

    as_of = dt.date(2024, 2, 20)
    with Store(synced_db, read_only=True) as store:
        uel = store.matches(["UEL"], ["2023-24"])
        model = fit_model("dixon-coles", store, as_of)
    first, ties, later = bracket_from_store(uel, as_of, allow_entrants=True)
    result = simulate_bracket(ties, later, partial(model.predict_many, competition="UEL"), first_round=first,
                              params=knockout_params("2023-24", "UEL"), n=4000, seed=2)
    table = result.table
    assert len(table) == 24
    assert table["Round of 16"].sum() == pytest.approx(16) and table["Winner"].sum() == pytest.approx(1)
    entrants = list(later[0].entrants)
    assert (table.loc[entrants, "Knockout play-off"] == 0).all() and (table.loc[entrants, "Round of 16"] == 1).all()
    assert np.all(np.diff(table[["Round of 16", "Quarter-final", "Semi-final", "Final", "Winner"]].to_numpy(),
                          axis=1) <= 1e-12)
    # Leverkusen (unbeaten group winner) is among the favourites; every club keeps a chance
    assert table.loc["bayer-leverkusen", "Winner"] > table["Winner"].median()


def test_winners_by_the_rule_code_agree_with_champs_csv(shared_data):
    """Every European Cup / Champions League tie of champs.csv 1955-2016, decided from its results by the
    season's rules (and the replay where there is one), has the winner the file records: the rule code the
    tie command and the validation use reads history right. Coin tosses are not results: left undecided."""
    from matchday.data.domain import matches_frame
    from matchday.data.sources.engsoccerdata import champs_ties, read_engsoccerdata_champs

    path = shared_data / "engsoccerdata" / "champs.csv"
    ours = decide_ties(two_legged_ties(matches_frame(read_engsoccerdata_champs(path))))
    record = champs_ties(path)
    key = ["season", "round", "first_leg_home", "first_leg_away"]
    both = ours.rename(columns={"team_a": "first_leg_home", "team_b": "first_leg_away"}).merge(
        record[[*key, "first_leg_home_through", "decided_by"]], on=key, how="inner")
    assert len(both) >= 2100 and len(both) == len(record)
    known = both["first_leg_home_through"].notna()
    assert (~known).sum() <= 5  # the file itself names no winner for a handful
    decided = both[(both["side"] >= 0) & known]
    agree = (decided["side"] == 0) == decided["first_leg_home_through"].astype(bool)
    assert agree.all(), decided.loc[~agree, [*key, "method", "decided_by"]].to_string()
    undecided = both[(both["side"] < 0) & known]
    assert set(undecided["decided_by"]) <= {"coin toss", "walkover"} and len(undecided) <= 10
    replays = both[both["method"] == "replay"]
    assert len(replays) >= 10  # 1955-69 level ties, and 1992-93 Stuttgart v Leeds (an ordered replay)
    assert ((replays["first_leg_home"] == "VfB Stuttgart") & (replays["season"] == "1992-93")).any()
