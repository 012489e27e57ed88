"""Calibration of league-phase forecasts (evaluate/uefa.py): scores on constructed forecasts, the binomial
band, checkpoints from the data, and the real 2024-25 Conference League scored end to end."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from matchday import cli
from matchday.evaluate.uefa import (
    calibration_scores,
    league_phase_checkpoints,
    league_phase_forecasts,
    reliability,
    zone_rps,
)


def test_zone_rps_is_zero_for_a_sure_right_forecast_and_orders_misses():
    p = np.array([[1.0, 0, 0], [0, 1.0, 0], [0.5, 0.5, 0], [0, 0, 1.0]])
    zone = np.array([0, 1, 0, 0])
    scores = zone_rps(p, zone)
    assert scores[0] == 0 and scores[1] == 0
    assert 0 < scores[2] < scores[3] == 1.0  # a near miss costs less than the far one


def test_reliability_band_holds_calibrated_forecasts_most_of_the_time():
    rng = np.random.default_rng(0)
    inside = []
    for _ in range(40):
        p = rng.uniform(0, 1, 2000)
        y = (rng.uniform(0, 1, 2000) < p).astype(float)
        inside.append(reliability(p, y)["inside"].mean())
    assert np.mean(inside) > 0.9  # 95% bands (discreteness makes them a little wider)
    p = rng.uniform(0, 1, 2000)
    y = (rng.uniform(0, 1, 2000) < p ** 3).astype(float)  # badly over-confident forecasts
    assert reliability(p, y)["inside"].mean() < 0.5


def test_checkpoints_follow_the_matchdays_in_the_data():
    dates = [dt.date(2024, 10, 3) + dt.timedelta(days=14 * (k // 18)) for k in range(108)]
    frame = pd.DataFrame({"date": pd.to_datetime(dates)})
    points = league_phase_checkpoints(frame, 6)
    assert [(name, k) for name, k, _ in points] == [("start", 0), ("half", 3), ("last matchday", 5)]
    assert points[0][2] == dt.date(2024, 10, 2)
    assert points[1][2] == dt.date(2024, 10, 3) + dt.timedelta(days=28)
    assert points[2][2] == dt.date(2024, 10, 3) + dt.timedelta(days=56)


def test_scores_against_baselines_on_constructed_forecasts():
    rows = []
    for club in range(36):
        zone = 0 if club < 8 else (1 if club < 24 else 2)
        rows.append({"competition": "UCL", "checkpoint": "half", "team": f"c{club}", "position_now": club + 1,
                     "played_now": 4, "p_top8": float(zone == 0), "p_playoff": float(zone == 1),
                     "p_eliminated": float(zone == 2), "top8": int(zone == 0), "playoff": int(zone == 1)})
    scores = calibration_scores(pd.DataFrame(rows)).set_index(["competition", "checkpoint"])
    perfect = scores.loc[("UCL", "half")]
    assert perfect["brier_top 8"] == 0 and perfect["rps_zones"] == 0 and perfect["brier_top 8_table_now"] == 0
    assert perfect["brier_top 8_base_rate"] == pytest.approx(8 / 36 * (1 - 8 / 36))


def test_real_conference_league_2024_25(store_2425, tmp_path):
    from matchday.data.store import Store

    with Store(store_2425, read_only=True) as store:
        forecasts = league_phase_forecasts(store, ["UECL", "UCL"], ["2023-24", "2024-25"], n_sims=2000, seed=0)
    skipped = forecasts.attrs["skipped"]
    assert any("2023-24" in s and "group-stage" in s for s in skipped)
    assert len(forecasts) == 2 * 3 * 36
    zones = forecasts[["p_top8", "p_playoff", "p_eliminated"]].sum(axis=1)
    assert np.allclose(zones, 1)
    per = forecasts.groupby(["competition", "checkpoint"])
    assert np.allclose(per["p_top8"].sum(), 8) and (per["top8"].sum() == 8).all()
    scores = calibration_scores(forecasts).set_index(["competition", "checkpoint"])
    # Before the last matchday the model beats the base rate and the table as it stands.
    late = scores.loc[("all", "last matchday")]
    assert late["brier_top 8"] < late["brier_top 8_table_now"] < late["brier_top 8_base_rate"]
    output = tmp_path / "uefa.md"
    result = CliRunner().invoke(cli.app, ["calibrate-uefa", "UECL", "--sims", "500", "--db", str(store_2425),
                                          "--output", str(output)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    text = output.read_text()
    assert "## Reliability: P(top 8)" in text and "| UECL | 2024-25 | half |" in text
