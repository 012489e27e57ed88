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
