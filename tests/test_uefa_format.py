"""UEFA competition formats per season: league phase from 2024-25, groups before, loud fallback after."""

from __future__ import annotations

import pytest

from matchday.data.errors import DataError
from matchday.rules.uefa_format import (
    ELIMINATED,
    KNOCKOUT_PLAYOFF,
    ROUND_OF_16,
    has_league_phase,
    uefa_format,
)


@pytest.mark.parametrize(("code", "matches", "total"), [("UCL", 8, 144), ("UEL", 8, 144), ("UECL", 6, 108)])
def test_league_phase_sizes_from_2024_25(code, matches, total):
    fmt = uefa_format(code, "2024-25")
    assert fmt.league_phase and fmt.n_clubs == 36 and fmt.matches_per_club == matches
    assert fmt.league_phase_matches == total
    assert not fmt.away_goals and fmt.final_neutral
    assert (fmt.quarter_final_legs, fmt.semi_final_legs) == ("drawn", "drawn")
    zones = [fmt.zone(p) for p in range(1, 37)]
    assert zones.count(ROUND_OF_16) == 8 and zones.count(KNOCKOUT_PLAYOFF) == 16 and zones.count(ELIMINATED) == 12
    assert zones[7] == ROUND_OF_16 and zones[8] == KNOCKOUT_PLAYOFF and zones[24] == ELIMINATED
    assert uefa_format(code, "2025-26").quarter_final_legs == "path_seed"
    assert "Regulations" in fmt.source


def test_group_seasons_and_names():
    fmt = uefa_format("Europa League", "2019-20")
    assert fmt.kind == "groups" and fmt.n_groups == 12 and fmt.away_goals
    assert uefa_format("UEL", "2022-23").n_groups == 8 and not uefa_format("UEL", "2022-23").away_goals
    assert not has_league_phase("UCL", "2023-24") and has_league_phase("UCL", "2024-25")
    with pytest.raises(DataError, match="no league phase"):
        fmt.zone(1)


def test_unresearched_seasons_are_loud():
    with pytest.warns(UserWarning, match="no researched format"):
        fmt = uefa_format("UCL", "2027-28")
    assert fmt.assumed and "no researched format" in fmt.notes and fmt.league_phase
    with pytest.raises(DataError, match="no researched format"):
        uefa_format("UECL", "2019-20")
    with pytest.raises(DataError, match="not a UEFA"):
        uefa_format("E0", "2024-25")
    with pytest.raises(DataError, match="out of range"):
        uefa_format("UCL", "2024-25").zone(37)
