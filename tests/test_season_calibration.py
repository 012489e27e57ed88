"""Season calibration on a small real slice (the full back-test is `matchday calibrate-seasons`)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from matchday.data.store import Store
from matchday.evaluate.seasons import (
    calibration_scores,
    checkpoint_dates,
    season_calibration_report,
    season_forecasts,
)


def test_checkpoints_fall_inside_the_season():
    dates = checkpoint_dates("2023-24")
    assert dates == [dt.date(2023, 10, 15), dt.date(2024, 1, 1), dt.date(2024, 3, 1), dt.date(2024, 4, 15)]


def test_small_real_backtest(synced_db):
    with Store(synced_db, read_only=True) as store:
        forecasts = season_forecasts(store, ["E0"], ["2023-24"], checkpoints=((1, 1), (4, 15)), n_sims=2000, seed=1)
    assert set(forecasts["as_of"]) == {dt.date(2024, 1, 1), dt.date(2024, 4, 15)}
    for _, group in forecasts.groupby("as_of"):
        assert len(group) == 20
        assert np.isclose(group["p_title"].sum(), 1) and np.isclose(group["p_relegation"].sum(), 3)
        assert group["champion"].sum() == 1 and group["relegated"].sum() == 3
    city = forecasts[(forecasts["team"] == "manchester-city")]
    assert city["champion"].all()
    scores = calibration_scores(forecasts).set_index(["event", "checkpoint"])
    # the model must beat the uninformed base rate on what happened in 2023-24
    assert scores.loc[("relegation", "all"), "brier_model"] < scores.loc[("relegation", "all"), "brier_base_rate"]
    assert scores.loc[("title", "all"), "brier_model"] < scores.loc[("title", "all"), "brier_base_rate"]
    report = season_calibration_report(forecasts, model="dixon-coles", n_sims=2000, seed=1)
    assert "## Brier scores" in report and "## Reliability: relegation" in report


# --- issue 8 item 9: nothing dropped silently (constructed seasons, no real data) ------------------------

class FrameStore:
    """The part of the store the calibration reads (``matches`` with its filters), over a DataFrame."""

    path = "constructed"

    def __init__(self, frame):
        self.frame = frame

    def matches(self, competitions=None, seasons=None, *, played=None, since=None, until=None, teams=None,
                statuses=None):
        import pandas as pd

        f = self.frame
        keep = pd.Series(True, index=f.index)
        if competitions is not None:
            keep &= f["competition"].isin(list(competitions))
        if seasons is not None:
            keep &= f["season"].isin(list(seasons))
        if played is not None:
            keep &= f["home_goals"].notna() == played
        if until is not None:
            keep &= f["date"] <= pd.Timestamp(until)
        if since is not None:
            keep &= f["date"] >= pd.Timestamp(since)
        if teams is not None:
            keep &= f["home"].isin(list(teams)) | f["away"].isin(list(teams))
        if statuses is not None:
            keep &= f["status"].isin(list(statuses))
        return f[keep].sort_values("date").reset_index(drop=True)


def constructed_seasons():
    """Three seasons of six clubs: 2021-22 complete; 2022-23 complete but for one cancelled match;
    2023-24 with one match still scheduled."""
    import pandas as pd

    from synthetic import small_season

    clubs = [f"c-{i}" for i in range(6)]
    strength = dict(zip(clubs, [0.3, 0.2, 0.0, -0.1, -0.2, -0.3], strict=True))
    frames = []
    for k, season in enumerate(("2021-22", "2022-23", "2023-24")):
        frame = small_season(np.random.default_rng(k), clubs, strength, start=f"{2021 + k}-08-07", rounds_played=10,
                             season=season)
        frame["status"] = "played"
        frames.append(frame)
    frame = pd.concat(frames, ignore_index=True)
    frame["home_name"], frame["away_name"] = frame["home"], frame["away"]
    cancelled = frame.index[(frame["season"] == "2022-23") & (frame["round"] == 7)][0]
    scheduled = frame.index[(frame["season"] == "2023-24") & (frame["round"] == 10)][0]
    frame.loc[[cancelled, scheduled], ["home_goals", "away_goals"]] = np.nan
    frame.loc[cancelled, "status"], frame.loc[scheduled, "status"] = "cancelled", "scheduled"
    return FrameStore(frame), frame.loc[cancelled]


def test_a_never_played_match_does_not_drop_the_season_and_every_omission_is_reported():
    from matchday.evaluate.seasons import season_coverage

    store, cancelled = constructed_seasons()
    checkpoints = ((8, 20), (12, 1))  # mid-season; after the last round (the season ends early October)
    coverage = season_coverage(store, ["E0"], ["2021-22", "2022-23", "2023-24", "2024-25"], checkpoints)
    assert len(coverage) == 8
    row = coverage.set_index(["season", "as_of"])
    assert row.loc[("2022-23", dt.date(2022, 8, 20)), "evaluated"]  # one cancelled match: still evaluated
    note = row.loc[("2022-23", dt.date(2022, 8, 20)), "note"]
    assert "1 of 30 matches never played" in note and f"{cancelled['home']} v {cancelled['away']}" in note
    assert "cancelled" in note
    assert not row.loc[("2023-24", dt.date(2023, 8, 20)), "evaluated"]
    assert "1 of 30 matches still to play" in row.loc[("2023-24", dt.date(2023, 8, 20)), "reason"]
    assert row.loc[("2024-25", dt.date(2024, 8, 20)), "reason"] == "not in the store"
    assert "nothing left to play" in row.loc[("2021-22", dt.date(2021, 12, 1)), "reason"]
    assert (coverage["evaluated"] == (coverage["reason"] == "")).all()

    forecasts = season_forecasts(store, ["E0"], ["2021-22", "2022-23", "2023-24"], checkpoints=checkpoints,
                                 n_sims=500, seed=3)
    assert set(zip(forecasts["season"], forecasts["as_of"], strict=True)) == {
        ("2021-22", dt.date(2021, 8, 20)), ("2022-23", dt.date(2022, 8, 20))}
    for _, group in forecasts.groupby("as_of"):  # the cancelled match is simulated as of August: it was to play
        assert len(group) == 6 and np.isclose(group["p_title"].sum(), 1) and group["champion"].sum() == 1
    report = season_calibration_report(forecasts, model="dixon-coles", n_sims=500, seed=3)
    assert "2 of 6 league-season checkpoints asked for were evaluated (4 left out" in report
    assert "| E0 | 2023-24 | 2023-08-20, 2023-12-01 | not finished in the store: 1 of 30 matches still to play" in report
    assert "- E0 2022-23: 1 of 30 matches never played" in report
