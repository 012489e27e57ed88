"""The combined model on real data: a small walk-forward on the top five leagues (each trained with its second
division), weights learned on the out-of-sample forecasts of the season before only, against Dixon-Coles on the
very same matches of a validation season; and the with-market variant fitted from a store the way the CLI fits
it."""

from __future__ import annotations

import datetime as dt
import logging

import numpy as np
import pandas as pd

from matchday.data.seasons import season_code
from matchday.data.sources.footballdata import read_footballdata
from matchday.data.store import Store
from matchday.evaluate.backtest import frames_from_matches, iso_week_labels, refit_blocks
from matchday.evaluate.metrics import log_loss, outcome_index, paired_difference, rps
from matchday.models import CombinedModel, DixonColes
from matchday.models.combined import COMPONENTS, Evidence, combine, learn_weights
from matchday.models.distributions import DixonColesScores
from matchday.models.grid import ScoreGrid
from matchday.models.training import fit_model

LEAGUES = {"E0": "E1", "SP1": "SP2", "I1": "I2", "D1": "D2", "F1": "F2"}
LEARN = "2017-18"  # the weights are learned on this season's out-of-sample forecasts
VALIDATE = "2018-19"  # a validation season of the research protocol (choices were made on 2014-15..2018-19)


def load(shared, seasons: list[str]) -> pd.DataFrame:
    matches = []
    for season in seasons:
        for league in (*LEAGUES, *LEAGUES.values()):
            matches.extend(read_footballdata(shared / "football-data" / "mmz4281" / season_code(season) / f"{league}.csv"))
    frame, _ = frames_from_matches(matches)
    return frame.sort_values("date", kind="stable").reset_index(drop=True)


def walk_forward(frame: pd.DataFrame, league: str, season: str, start_day: int):
    """Weekly refits over one season of ``league`` (training: it and its second division from two seasons
    before, dated before each block): the combined model's evidence (with its rho) per block and Dixon-Coles'
    1X2 for every forecast match."""
    year = int(season[:4])
    window = frame[frame["competition"].isin([league, LEAGUES[league]])
                   & frame["season"].str[:4].astype(int).between(year - 2, year)].reset_index(drop=True)
    test = window[(window["competition"] == league) & (window["season"] == season)]
    test = test[test["date"] >= test["date"].min() + pd.Timedelta(days=start_day)]
    blocks = refit_blocks(test["date"].to_numpy(), "weekly")
    dates = window["date"].to_numpy()
    combined, goal = CombinedModel(warm_start=True), DixonColes(warm_start=True)
    evidence, dixon_coles = [], []
    for block in np.unique(blocks):
        rows = test[blocks == block]
        cutoff = rows["date"].min().normalize()
        train = window.iloc[: int(np.searchsorted(dates, np.datetime64(cutoff), side="left"))]
        day_before = cutoff - pd.Timedelta(days=1)
        combined.fit(train, as_of=day_before)
        goal.fit(train, as_of=day_before)
        args = (rows["home"].to_numpy(), rows["away"].to_numpy())
        evidence.append((combined.evidence(*args), combined.extra_["rho"]))
        dixon_coles.append(goal.predict_many(*args).outcomes())
    return test, evidence, np.vstack(dixon_coles)


def test_combined_beats_dixon_coles_on_a_validation_season_with_weights_learned_before_it(shared_data, caplog):
    caplog.set_level(logging.ERROR, logger="matchday.models.combined")
    frame = load(shared_data, ["2015-16", "2016-17", "2017-18", "2018-19"])
    learned_on = [walk_forward(frame, league, LEARN, 0) for league in LEAGUES]
    evidence = Evidence.concat([e for _, parts, _ in learned_on for e, _ in parts])
    goals = pd.concat([test for test, _, _ in learned_on])
    weights = learn_weights(evidence, goals["home_goals"].to_numpy(float), goals["away_goals"].to_numpy(float))
    assert weights["shots_on_target"] + weights["shots"] + weights["corners"] > 0.1, weights  # they earn weight

    ours, theirs, weeks, better = [], [], [], 0
    for league in LEAGUES:
        test, parts, dixon_coles = walk_forward(frame, league, VALIDATE, 70)
        combined = []
        for part, rho in parts:  # the combined model's own arithmetic: combined rates, the goal model's grid
            log_h, log_a = combine(part, weights)
            matrix = DixonColesScores().matrix(np.exp(log_h), np.exp(log_a), np.array([rho]), 10)
            combined.append(ScoreGrid.from_matrices(matrix).outcomes())
        p = np.vstack(combined)
        p /= p.sum(axis=1, keepdims=True)
        y = outcome_index(test["home_goals"].to_numpy(float), test["away_goals"].to_numpy(float))
        ours.append(np.column_stack([rps(p, y), log_loss(p, y)]))
        theirs.append(np.column_stack([rps(dixon_coles, y), log_loss(dixon_coles, y)]))
        weeks.append(iso_week_labels(test["date"]))
        better += int(ours[-1][:, 0].mean() < theirs[-1][:, 0].mean())
    ours, theirs, weeks = np.vstack(ours), np.vstack(theirs), np.concatenate(weeks)
    assert len(weeks) > 1300
    for metric in (0, 1):  # RPS and log loss, pooled over the five leagues, paired, clustered by ISO week
        difference = paired_difference(ours[:, metric], theirs[:, metric], clusters=weeks)
        assert difference.mean < 0, (metric, difference)
    assert better >= 3  # and in most of the five leagues


def test_the_combined_grid_is_the_goal_models_dixon_coles_grid_of_the_combined_rates(shared_data):
    frame = load(shared_data, ["2017-18", "2018-19"])
    frame = frame[frame["competition"].isin(["E0", "E1"])]
    weights = {"home": 0.01, "away": 0.02, "goals": 0.5, "shots_on_target": 0.1, "shots": 0.2, "corners": 0.15,
               "score_driven": 0.3}
    model = CombinedModel(weights=weights).fit(frame, as_of="2019-03-01")
    teams = model.coverage_.query("league == 'E0'")["team"].to_numpy()
    home, away = np.repeat(teams, 3)[:40], np.tile(teams, 3)[1:41]
    keep = home != away
    grid = model.predict_many(home[keep], away[keep], competition="E0")
    log_h, log_a = combine(model.evidence(home[keep], away[keep], competition="E0"), weights)
    matrix = DixonColesScores().matrix(np.exp(log_h), np.exp(log_a), np.array([model.goal_model_.rho_]), 10)
    np.testing.assert_allclose(grid.probabilities, matrix, rtol=1e-12, atol=1e-15)
    assert tuple(model.components) == COMPONENTS


def test_with_market_is_fitted_from_the_store_with_past_closing_prices(synced_db):
    as_of = dt.date(2024, 3, 1)
    with Store(synced_db, read_only=True) as store:
        model = fit_model("with-market", store, as_of)
    coverage = model.coverage_.set_index("team")
    leagues = coverage[coverage["league"].isin(["E0", "SP1", "I1", "D1", "F1"])]
    active = leagues[leagues["last_played"] >= pd.Timestamp("2024-01-01")]
    assert len(active) > 90 and active["past_odds"].all() and active["combined"].all()
    uefa_only = coverage["league"].isna()
    assert uefa_only.any() and not coverage.loc[uefa_only, "combined"].any()
    assert any("no league match" in note for note in model.notes_)
