"""Walk-forward backtest: no look-ahead, refit blocks, baselines, markets, summaries, the store.

Real data: Premier League 2022-23 and 2023-24 (football-data), evaluated on the second half of 2023-24
with a cheap Poisson model and a recording test double.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from matchday.data.store import Store
from matchday.evaluate.backtest import (
    BASE_RATES,
    FORECAST_COLUMNS,
    add_blend,
    frames_from_matches,
    iso_week_labels,
    refit_blocks,
    save_backtest,
    walk_forward,
    walk_forward_many,
)
from matchday.evaluate.market import market_probabilities, one_x_two_books
from matchday.evaluate.metrics import outcome_index, paired_difference, rps
from matchday.forecast.odds import remove_margin
from matchday.models import ModelBase, Poisson, ScoreGrid

START = "2024-02-01"  # evaluate EPL 2023-24 from here: ~150 matches, ~15 weekly blocks


@pytest.fixture(scope="module")
def epl(shared_data):
    from matchday.data.sources.footballdata import read_footballdata

    matches = []
    for season in ("2223", "2324"):
        matches += read_footballdata(shared_data / "football-data" / "mmz4281" / season / "E0.csv")
    return frames_from_matches(matches)


class RecordingModel(ModelBase):
    """Test double keeping the model contract: remembers what each fit saw and what it was asked to predict.

    Predicts independent Poisson scores at the training data's mean home and away goals for every club it
    has seen; ``log`` is shared by every instance a factory creates.
    """

    max_goals = 10

    def __init__(self, log: list[dict]) -> None:
        self.log = log

    def fit(self, matches: pd.DataFrame, as_of=None) -> RecordingModel:
        self.entry = {"as_of": pd.Timestamp(as_of), "max_date": matches["date"].max(), "n": len(matches),
                      "predicted": []}
        self.log.append(self.entry)
        self.teams_ = np.array(sorted(set(matches["home"]) | set(matches["away"])), dtype=object)
        self.home_mean_ = float(matches["home_goals"].mean())
        self.away_mean_ = float(matches["away_goals"].mean())
        self.n_matches_ = len(matches)
        return self

    def rates(self, home, away, neutral=False, competition=None):
        self.entry["predicted"].extend(zip(home, away, strict=True))
        return np.full(len(home), self.home_mean_), np.full(len(home), self.away_mean_)

    def grid_from_rates(self, home_rate, away_rate) -> ScoreGrid:
        return ScoreGrid.from_rates(home_rate, away_rate, self.max_goals)


def test_no_look_ahead_and_one_fit_per_weekly_block(epl) -> None:
    frame, _ = epl
    log: list[dict] = []
    result = walk_forward(lambda: RecordingModel(log), frame, competitions=["E0"], seasons=["2023-24"],
                          start=START, history_seasons=1, name="double")
    kickoff = frame.set_index(["home", "away", "season"])["date"]
    assert log, "the double was never fitted"
    for entry in log:
        assert entry["max_date"] <= entry["as_of"]  # as of the day before the block: all it knew
        dates = kickoff.loc[[(h, a, "2023-24") for h, a in entry["predicted"]]]
        assert entry["max_date"] < dates.min()
        assert (dates > entry["as_of"]).all()
    # ISO weeks of the evaluated matches, counted independently of refit_blocks
    evaluated = frame[(frame["season"] == "2023-24") & (frame["date"] >= START)]
    weeks = evaluated["date"].dt.isocalendar()
    assert len(log) == len(weeks[["year", "week"]].drop_duplicates())
    assert sum(len(entry["predicted"]) for entry in log) == len(evaluated)
    fits = result.fits[result.fits["model"] == "double"]
    assert len(fits) == len(log)
    assert (fits["last_train_date"] <= fits["as_of"]).all()


def test_changing_later_results_leaves_earlier_forecasts_unchanged(epl) -> None:
    frame, _ = epl
    cut = pd.Timestamp("2024-04-01")
    changed = frame.copy()
    later = changed["date"] >= cut
    changed.loc[later, ["home_goals", "away_goals"]] = changed.loc[later, ["away_goals", "home_goals"]].to_numpy() + 2
    runs = [walk_forward(Poisson, f, competitions=["E0"], seasons=["2023-24"], start=START, history_seasons=1)
            for f in (frame, changed)]
    columns = ["p_home", "p_draw", "p_away"]
    before = [r.forecasts[r.forecasts["date"] < cut].sort_values(["model", "match_id"]) for r in runs]
    np.testing.assert_array_equal(before[0][columns].to_numpy(), before[1][columns].to_numpy())
    after = [r.forecasts[(r.forecasts["date"] > cut + pd.Timedelta(days=7))
                         & (r.forecasts["model"] == "Poisson")] for r in runs]
    assert not np.allclose(after[0][columns].to_numpy(), after[1][columns].to_numpy())


@pytest.fixture(scope="module")
def run(epl):
    frame, odds = epl
    return walk_forward_many({"poisson": Poisson}, frame, competitions=["E0"], seasons=["2023-24"], start=START,
                             history_seasons=1, odds=odds)


def test_forecast_frame_shape_and_probabilities(run, epl) -> None:
    frame, _ = epl
    forecasts = run.forecasts
    assert list(forecasts.columns) == list(FORECAST_COLUMNS)
    assert run.models == [BASE_RATES, "poisson", "market_close", "market_pre"]
    n = int(((frame["season"] == "2023-24") & (frame["date"] >= START)).sum())
    assert (forecasts.groupby("model").size() == n).all()
    probs = forecasts[["p_home", "p_draw", "p_away"]].to_numpy()
    assert np.isfinite(probs).all()
    assert ((probs >= 0) & (probs <= 1)).all()
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-12)
    # outcomes and scores agree with the results and the metrics module
    merged = forecasts.merge(frame[["match_id", "home_goals", "away_goals"]], on="match_id")
    np.testing.assert_array_equal(merged["outcome"], outcome_index(merged["home_goals"], merged["away_goals"]))
    np.testing.assert_allclose(merged["rps"], rps(merged[["p_home", "p_draw", "p_away"]], merged["outcome"]))
    # a real model beats the base rates on half a Premier League season; the closing market beats both
    means = forecasts.groupby("model")["rps"].mean()
    assert means["market_close"] < means["poisson"] < means[BASE_RATES]


def test_base_rates_use_training_data_only(run, epl) -> None:
    frame, _ = epl
    base = run.forecasts[run.forecasts["model"] == BASE_RATES]
    outcome = outcome_index(frame["home_goals"], frame["away_goals"])
    for as_of, block in base.groupby("as_of"):
        past = (frame["date"] <= as_of).to_numpy()
        expected = np.bincount(outcome[past], minlength=3) / past.sum()
        np.testing.assert_allclose(block[["p_home", "p_draw", "p_away"]].to_numpy(),
                                   np.repeat(expected[None], len(block), axis=0), rtol=1e-12)
    # the rates move as results come in, so they are not the frequencies of the whole data
    assert base[["p_home"]].nunique().iloc[0] == base["as_of"].nunique()


def test_market_probabilities_are_the_demargined_odds(run, epl) -> None:
    _, odds = epl
    for model, closing in (("market_close", True), ("market_pre", False)):
        rows = run.forecasts[run.forecasts["model"] == model].set_index("match_id")
        pinnacle = odds[(odds["bookmaker"] == "PS") & (odds["closing"] == closing) & (odds["market"] == "1x2")]
        prices = pinnacle.pivot(index="match_id", columns="selection", values="price").reindex(rows.index)
        expected = remove_margin(prices[["home", "draw", "away"]].to_numpy(), "shin").probabilities
        np.testing.assert_allclose(rows[["p_home", "p_draw", "p_away"]].to_numpy(), expected, rtol=1e-12)


def test_market_falls_back_to_the_average_when_pinnacle_is_missing(epl) -> None:
    _, odds = epl
    ids = odds["match_id"].drop_duplicates().iloc[:20].tolist()
    dropped = ids[:5]
    thinned = odds[~(odds["match_id"].isin(dropped) & (odds["bookmaker"] == "PS"))]
    table = market_probabilities(thinned, "closing", method="multiplicative", match_ids=ids).set_index("match_id")
    assert set(table.index) == set(ids)
    assert (table.loc[dropped, "bookmaker"] == "Avg").all()
    assert (table.drop(index=dropped)["bookmaker"] == "PS").all()
    books = one_x_two_books(odds).set_index(["match_id", "bookmaker", "closing"])
    average = books.loc[[(i, "Avg", True) for i in dropped], ["home", "draw", "away"]].to_numpy()
    np.testing.assert_allclose(table.loc[dropped, ["p_home", "p_draw", "p_away"]].to_numpy(),
                               (1 / average) / (1 / average).sum(axis=1, keepdims=True), rtol=1e-12)
    chosen = books.loc[[(i, b, True) for i, b in zip(table.index, table["bookmaker"], strict=True)]]
    np.testing.assert_allclose(table["overround"], (1 / chosen[["home", "draw", "away"]].to_numpy()).sum(axis=1))


def test_summary_and_paired_differences(run) -> None:
    forecasts = run.forecasts
    summary = run.summary().set_index("model")
    for model, group in forecasts.groupby("model"):
        assert summary.loc[model, "n"] == len(group)
        assert summary.loc[model, "rps"] == pytest.approx(group["rps"].mean(), rel=1e-12)
        assert summary.loc[model, "log_loss"] == pytest.approx(group["log_loss"].mean(), rel=1e-12)
    table = run.compare("market_close", "rps").set_index("model")
    wide = forecasts.pivot(index="match_id", columns="model", values="rps")
    weeks = forecasts.drop_duplicates("match_id").set_index("match_id")["week"].reindex(wide.index)
    expected = paired_difference(wide["poisson"], wide["market_close"], clusters=weeks.to_numpy())
    assert table.loc["poisson", "difference"] == pytest.approx(expected.mean, rel=1e-12)
    assert table.loc["poisson", "standard_error"] == pytest.approx(expected.standard_error, rel=1e-12)
    report = run.report()
    assert {"vs_market_close", "se_market_close", "vs_market_pre", "se_market_pre"} <= set(report.columns)


def test_calibration_table_and_reliability_png(run, tmp_path) -> None:
    table = run.calibration("poisson", bins=5)
    assert table["count"].sum() == 3 * (run.forecasts["model"] == "poisson").sum()
    path = run.write_reliability("poisson", tmp_path / "reliability.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="no forecasts named"):
        run.calibration("nonsense")


def test_reliability_png_when_a_bin_is_all_hits(run, tmp_path) -> None:
    from matchday.evaluate.backtest import BacktestResult

    forecasts = run.forecasts.copy()
    sure = forecasts.index[forecasts["model"] == "poisson"][:15]  # 15 hits at 0.95: observed frequency 1
    forecasts.loc[sure, ["p_home", "p_draw", "p_away", "outcome"]] = [0.95, 0.03, 0.02, 0]
    result = BacktestResult(forecasts, run.fits)
    table = result.calibration("poisson")
    assert table["observed_frequency"].iloc[-1] == 1.0
    path = result.write_reliability("poisson", tmp_path / "sure.png")
    assert path.stat().st_size > 0


def test_save_backtest_writes_every_forecast(run, tmp_path) -> None:
    with Store(tmp_path / "store.duckdb") as store:
        save_backtest(store, run, "bt-test")
        logged = store.forecasts("bt-test")
    assert len(logged) == len(run.forecasts)
    assert set(logged["model"]) == set(run.models)
    model_rows = run.forecasts[run.forecasts["model"] == "poisson"].set_index("match_id")
    stored = logged[logged["model"] == "poisson"].set_index("match_id").reindex(model_rows.index)
    np.testing.assert_allclose(stored["p_home"], model_rows["p_home"])
    assert (pd.to_datetime(stored["as_of"]) == model_rows["as_of"]).all()
    assert logged.loc[logged["model"] == "market_close", "as_of"].isna().all()
    details = json.loads(stored["details"].iloc[0])
    assert details["rps"] == pytest.approx(model_rows["rps"].iloc[0])
    assert details["season"] == "2023-24"


def test_save_backtest_is_all_or_nothing(run, tmp_path, monkeypatch) -> None:
    with Store(tmp_path / "store.duckdb") as store:
        original = store.log_forecasts
        calls = []

        def failing(rows, **kwargs):
            calls.append(len(rows))
            if len(calls) == 3:
                raise OSError("disk full")
            return original(rows, **kwargs)

        monkeypatch.setattr(store, "log_forecasts", failing)
        with pytest.raises(OSError, match="disk full"):
            save_backtest(store, run, "bt-fail")
        assert len(store.forecasts("bt-fail")) == 0


def test_refit_blocks_modes() -> None:
    # Sat Sun Mon | Wed | Sat ... : ISO weeks start on Monday
    dates = pd.to_datetime(["2024-03-02", "2024-03-03", "2024-03-04", "2024-03-06", "2024-03-09", "2024-03-16"])
    np.testing.assert_array_equal(refit_blocks(dates, "weekly"), [0, 0, 1, 1, 1, 2])
    np.testing.assert_array_equal(refit_blocks(dates, "daily"), [0, 1, 2, 3, 4, 5])
    # gap: Sat-Sun-Mon is one round, Wed another (Tue free), Sat another (Thu free)
    np.testing.assert_array_equal(refit_blocks(dates, "gap"), [0, 0, 0, 1, 2, 3])
    every_day = pd.date_range("2024-03-01", periods=16, freq="D")
    assert refit_blocks(every_day, "gap").max() == 2  # no free day: still a new block every 7 days
    assert list(iso_week_labels(pd.to_datetime(["2024-01-01", "2023-12-31"]))) == ["2024-W01", "2023-W52"]
    with pytest.raises(ValueError, match="refit must be one of"):
        refit_blocks(dates, "monthly")


def test_refit_count_equals_blocks_for_every_mode(epl) -> None:
    frame, _ = epl
    evaluated = frame[(frame["season"] == "2023-24") & (frame["date"] >= "2024-03-01")]
    for refit in ("daily", "gap"):
        log: list[dict] = []
        walk_forward(lambda log=log: RecordingModel(log), frame, competitions=["E0"], seasons=["2023-24"],
                     start="2024-03-01", history_seasons=0, refit=refit)
        assert len(log) == refit_blocks(evaluated["date"], refit).max() + 1


def test_warm_start_reuses_the_model_and_matches_cold_fits(epl) -> None:
    frame, _ = epl
    kwargs = dict(competitions=["E0"], seasons=["2023-24"], start="2024-04-01", history_seasons=1)
    warm = walk_forward(Poisson, frame, **kwargs)
    cold = walk_forward(Poisson, frame, warm_start=False, **kwargs)
    fits = warm.fits[warm.fits["model"] == "Poisson"]
    assert not fits["warm_start"].iloc[0] and fits["warm_start"].iloc[1:].all()
    assert not cold.fits["warm_start"].any()
    columns = ["p_home", "p_draw", "p_away"]
    np.testing.assert_allclose(warm.forecasts[columns], cold.forecasts[columns], atol=2e-4)


def test_parallel_run_equals_serial_run(epl) -> None:
    frame, _ = epl
    kwargs = dict(competitions=["E0"], seasons=["2022-23", "2023-24"], start="2023-04-15", history_seasons=0)
    factories = {"double": lambda: RecordingModel([])}  # a lambda: the forked workers inherit it
    serial = walk_forward_many(factories, frame, n_jobs=1, **kwargs)
    parallel = walk_forward_many(factories, frame, n_jobs=2, **kwargs)
    pd.testing.assert_frame_equal(serial.forecasts, parallel.forecasts)
    assert set(serial.forecasts["season"]) == {"2022-23", "2023-24"}


def test_unknown_clubs_get_base_rates_and_are_flagged(epl) -> None:
    frame, _ = epl
    # EPL only, from the start of 2023-24: the promoted clubs have no Premier League history yet
    result = walk_forward(Poisson, frame, competitions=["E0"], seasons=["2023-24"], history_seasons=1,
                          train_competitions=["E0"], start="2023-08-01")
    model = result.forecasts[result.forecasts["model"] == "Poisson"]
    base = result.forecasts[result.forecasts["model"] == BASE_RATES].set_index("match_id")
    promoted = {"burnley", "sheffield-united", "luton-town"} & set(frame["home"])
    assert promoted, "expected the promoted clubs' ids in the frame"
    first_week = model[model["block"] == 0]
    involved = first_week["home"].isin(promoted) | first_week["away"].isin(promoted)
    assert involved.any()
    assert (first_week["imputed"] == involved).all()
    imputed = model[model["imputed"]].set_index("match_id")
    columns = ["p_home", "p_draw", "p_away"]
    np.testing.assert_array_equal(imputed[columns].to_numpy(), base.loc[imputed.index, columns].to_numpy())
    assert not model[model["block"] >= 3]["imputed"].any()  # once they have played they are rated


def test_blend_with_fixed_weights_reproduces_market_and_model(run) -> None:
    columns = ["p_home", "p_draw", "p_away"]
    for weight, source in ((0.0, "market_pre"), (1.0, "poisson")):
        blended = add_blend(run, "poisson", name="fixed", weight=weight)
        got = blended.forecasts[blended.forecasts["model"] == "fixed"].set_index("match_id")
        want = run.forecasts[run.forecasts["model"] == source].set_index("match_id").reindex(got.index)
        np.testing.assert_array_equal(got[columns].to_numpy(), want[columns].to_numpy())
        np.testing.assert_array_equal(got["rps"].to_numpy(), want["rps"].to_numpy())


def test_bad_input_is_reported_clearly(epl) -> None:
    from matchday.data.errors import DataError

    frame, _ = epl
    with pytest.raises(DataError, match="home_goals"):
        walk_forward(Poisson, frame.drop(columns="home_goals"), competitions=["E0"], seasons=["2023-24"])
    with pytest.raises(DataError, match="no played matches to evaluate"):
        walk_forward(Poisson, frame, competitions=["SP1"], seasons=["2023-24"])
    with pytest.raises(ValueError, match="reserved"):
        walk_forward_many({"market_close": Poisson}, frame, competitions=["E0"], seasons=["2023-24"])
