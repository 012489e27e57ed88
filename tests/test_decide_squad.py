"""Squad files and lineup strength: parsing with clear errors, best XIs, level deltas."""

from __future__ import annotations

import pytest

from matchday.data.errors import DataError
from matchday.decide.squad import (
    DEFAULT_GAP,
    LEVELS,
    LineupStrength,
    example_squad_path,
    lineup_from,
    normalize_level,
    parse_squad,
    read_squad,
)

HEADER = "player,positions,rating,availability,recent_minutes\n"


def squad_text(extra: str = "") -> str:
    rows = ["Keeper A,GK,85,1,90", "Keeper B,GK,75,1,0"]
    rows += [f"Def {k},CB,{84 - k},1,90" for k in range(4)] + [f"Def R{k},DF,{74 - k},1,0" for k in range(4)]
    rows += [f"Mid {k},CM,{83 - k},1,90" for k in range(3)] + [f"Mid R{k},MF,{73 - k},1,0" for k in range(3)]
    rows += [f"Fwd {k},ST,{86 - k},1,90" for k in range(3)] + [f"Fwd R{k},FW,{76 - k},1,0" for k in range(3)]
    return HEADER + "\n".join(rows) + "\n" + extra


def test_two_tier_levels_are_ordered_and_default_gap():
    lineup = LineupStrength.two_tier()
    assert lineup.attack["full"] == 0 and lineup.defence["full"] == 0
    assert lineup.attack["second"] == pytest.approx(-DEFAULT_GAP)
    assert lineup.attack["full"] > lineup.attack["partial"] > lineup.attack["second"]
    assert lineup.defence["partial"] == pytest.approx(-DEFAULT_GAP * 5 / 11)
    assert lineup.per_player_attack == pytest.approx(-DEFAULT_GAP / 11)
    zero = LineupStrength.two_tier(0.0)
    assert all(v == 0 for v in zero.attack.values()) and all(v == 0 for v in zero.defence.values())
    with pytest.raises(ValueError):
        LineupStrength.two_tier(-0.1)


def test_level_names_and_aliases():
    assert normalize_level("Full") == "full"
    assert normalize_level("reserves") == "second"
    assert normalize_level("rotate") == "partial"
    with pytest.raises(Exception, match="rotation level"):
        normalize_level("everyone")
    assert LEVELS["full"] == 1 and LEVELS["second"] == 0


def test_best_xis_and_strength_from_a_squad_file():
    squad = parse_squad(squad_text(), file="t.csv")
    xis = squad.lineups()
    first = set(xis["full"]["player"])
    assert first == {"Keeper A", "Def 0", "Def 1", "Def 2", "Def 3", "Mid 0", "Mid 1", "Mid 2",
                     "Fwd 0", "Fwd 1", "Fwd 2"}
    assert not first & set(xis["second"]["player"])
    lineup = squad.lineup_strength(rating_point_log=0.04)
    # second-string attack quality: mids 73,72,71 and forwards 76,75,74 vs 83,82,81 and 86,85,84
    assert lineup.attack["second"] == pytest.approx(-0.04 * 10.0)
    assert lineup.attack["full"] == pytest.approx(0.0)
    assert lineup.initial_load == pytest.approx(1.0)  # every first-choice player played 90 minutes


def test_unavailable_star_lowers_the_full_lineup():
    text = squad_text().replace("Fwd 0,ST,86,1,90", "Fwd 0,ST,86,0,0")
    lineup = parse_squad(text).lineup_strength(rating_point_log=0.04)
    assert lineup.attack["full"] < 0  # the reference XI still holds the injured forward
    assert lineup.defence["full"] == pytest.approx(0.0)


def test_gap_rescaling_keeps_the_shape():
    lineup = parse_squad(squad_text()).lineup_strength()
    scaled = lineup.with_gap(0.1)
    assert scaled.gap == pytest.approx(0.1)
    assert lineup_from(None, gap=0.2).gap == pytest.approx(0.2)
    assert lineup_from(None).gap == pytest.approx(DEFAULT_GAP)


@pytest.mark.parametrize(("line", "column", "message"), [
    ("Bad,GK,105,1,0", "rating", "out of range"),
    ("Bad,GK,eighty,1,0", "rating", "not a number"),
    ("Bad,XX,80,1,0", "positions", "unknown position"),
    ("Bad,GK,80,2,0", "availability", "out of range"),
    ("Keeper A,GK,80,1,0", "player", "listed twice"),
])
def test_bad_rows_name_file_line_column_and_value(line, column, message):
    with pytest.raises(DataError) as info:
        parse_squad(squad_text(line + "\n"), file="squad.csv")
    error = info.value
    text = str(error)
    assert "squad.csv" in text and f"line {24}" in text and column in text and message in text


def test_missing_column_and_too_few_players(tmp_path):
    with pytest.raises(DataError, match="lacks a column"):
        parse_squad("player,positions,rating\nA,GK,80\n")
    with pytest.raises(DataError, match="at least 11 players"):
        parse_squad(HEADER + "A,GK,80,1,0\n")
    with pytest.raises(DataError, match="cannot read"):
        read_squad(tmp_path / "missing.csv")


def test_example_squad_is_labelled_illustrative_and_parses():
    path = example_squad_path()
    text = path.read_text(encoding="utf-8")
    assert "ILLUSTRATIVE" in text.splitlines()[0] and "NOT DATA" in text.splitlines()[0]
    squad = read_squad(path)
    lineup = squad.lineup_strength()
    assert 0.15 < lineup.gap < 0.45  # a plausible second-string gap on the log scale
    assert lineup.attack["full"] >= lineup.attack["partial"] >= lineup.attack["second"]
    assert "Alisson Becker" not in set(squad.lineups()["full"]["player"])  # listed as unavailable
