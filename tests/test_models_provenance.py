"""What a fit rests on: TrainingProvenance from the training frame, and training_frame's own promises
(awarded results left out, true messages when the window is empty). Constructed frames; no real data."""

from __future__ import annotations

import datetime as dt
import pickle

import numpy as np
import pandas as pd
import pytest

from matchday.data.errors import MatchdayError
from matchday.models.provenance import TrainingProvenance
from matchday.models.training import training_frame, training_seasons


def frame_of(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    """(date, competition, season, status) rows with made-up clubs and scores."""
    out = pd.DataFrame(rows, columns=["date", "competition", "season", "status"])
    n = len(out)
    return out.assign(date=pd.to_datetime(out["date"]), home=[f"h{i}" for i in range(n)],
                      away=[f"a{i}" for i in range(n)], home_goals=np.ones(n), away_goals=np.zeros(n))


class FrameStore:
    """``Store.matches`` over a DataFrame (the filters training_frame uses)."""

    path = "constructed.duckdb"

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame

    def matches(self, competitions=None, seasons=None, *, played=None, until=None, **_):
        f = self.frame
        keep = pd.Series(True, index=f.index)
        if competitions is not None:
            keep &= f["competition"].isin(list(competitions))
        if seasons is not None:
            keep &= f["season"].isin(list(seasons))
        if played is True:
            keep &= f["home_goals"].notna()
        if until is not None:
            keep &= f["date"] <= pd.Timestamp(until)
        return f[keep].reset_index(drop=True)


def test_provenance_counts_the_frame_and_flags_a_short_window():
    frame = frame_of([("2022-09-01", "E0", "2022-23", "played"), ("2023-09-01", "E0", "2023-24", "played"),
                      ("2023-10-01", "E0", "2023-24", "played"), ("2023-10-02", "UEL", "2023-24", "played")])
    as_of = dt.date(2024, 4, 15)
    prov = TrainingProvenance.from_frame("dixon-coles", frame, as_of, training_seasons(as_of), left_out={"awarded": 2})
    assert prov.default_seasons == ("2021-22", "2022-23", "2023-24")
    assert prov.seasons == ("2022-23", "2023-24") and prov.n_matches == 4
    assert prov.matches_by_competition() == {"E0": 3, "UEL": 1}
    assert prov.window("UEL").seasons == ("2023-24",)
    assert prov.window("E0").first_date == dt.date(2022, 9, 1) and prov.window("E0").last_date == dt.date(2023, 10, 1)
    assert prov.short_window and prov.missing_seasons == ("2021-22",)
    text = prov.describe(n_sims=1000, seed=7, competitions=["E0", "UEL", "SP1"])
    assert text.startswith("dixon-coles as of 2024-04-15, fitted on 4 matches of 2022-23 to 2023-24: E0 3, UEL 1 (2023-24)")
    assert "1,000 simulations, seed 7" in text and "2 results awarded by the league" in text
    assert "shorter than the model's default of 3 seasons" in text and "2021-22" in text
    assert "UEL has 1 of the window's 2 seasons" in text and "no SP1 match is in the training window" in text
    data = prov.to_dict(n_sims=1000, seed=7)
    assert data["training"]["competitions"]["E0"] == {"matches": 3, "seasons": ["2022-23", "2023-24"],
                                                      "first_date": "2022-09-01", "last_date": "2023-10-01"}
    assert data["training"]["short_window"] and data["training"]["missing_seasons"] == ["2021-22"]
    assert (data["sims"], data["seed"], data["as_of"]) == (1000, 7, "2024-04-15")
    assert pickle.loads(pickle.dumps(prov)) == prov  # a cache can store it beside the model


def test_a_full_window_is_not_flagged():
    frame = frame_of([(f"{y}-09-01", "E0", f"{y}-{(y + 1) % 100:02d}", "played") for y in (2021, 2022, 2023)])
    as_of = dt.date(2024, 4, 15)
    prov = TrainingProvenance.from_frame("elo", frame, as_of, training_seasons(as_of))
    assert not prov.short_window and prov.warnings(["E0"]) == []
    assert "Note:" not in prov.describe() and "shorter" not in prov.headline()


def test_training_frame_leaves_awarded_results_out_and_counts_them():
    frame = frame_of([("2023-09-01", "E0", "2023-24", "played"), ("2023-09-02", "E0", "2023-24", "awarded"),
                      ("2023-09-03", "E0", "2023-24", "played")])
    train = training_frame(FrameStore(frame), dt.date(2024, 1, 1), competitions=["E0"])
    assert len(train) == 2 and (train["status"] == "played").all()
    assert train.attrs["left_out"] == {"awarded": 1}


def test_an_empty_window_says_what_the_store_holds():
    frame = frame_of([("2015-09-01", "E0", "2015-16", "played"), ("2024-05-19", "E0", "2023-24", "played")])
    store = FrameStore(frame)
    with pytest.raises(MatchdayError) as info:
        training_frame(store, dt.date(2026, 11, 30), competitions=["E0"])
    message = str(info.value)
    assert "2024-25 to 2026-27 (the training window)" in message
    assert "holds played matches from 2015-09-01 to 2024-05-19" in message and "run `matchday sync`" not in message
    with pytest.raises(MatchdayError, match="run `matchday sync` first"):
        training_frame(FrameStore(frame.iloc[:0]), dt.date(2024, 1, 1), competitions=["E0"])
