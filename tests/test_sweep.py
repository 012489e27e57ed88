"""Parameter sweeps: the grid (command line and TOML), the runs (a sweep is nothing but walk-forward
backtests of every variant), the summary, and `matchday sweep` / `matchday backtest --scheduler` on a store.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from matchday import cli
from matchday.data.errors import DataError, MatchdayError, UnknownChoiceError
from matchday.evaluate.backtest import walk_forward_many
from matchday.evaluate.executor import ProcessExecutor, SerialExecutor
from matchday.evaluate.sweep import SweepSpec, Variant, expand_grid, parse_param, parse_value, run_sweep
from matchday.models import DixonColes, Elo

START = "2024-03-01"


# ------------------------------------------------------------------------------------------- the grid
def test_a_grid_expands_to_every_combination_in_order() -> None:
    variants = expand_grid("dixon-coles", {"xi": [0.0, 0.0019], "shrinkage": [3, 6, 6]})
    assert [v.label for v in variants] == [
        "dixon-coles(xi=0.0, shrinkage=3)", "dixon-coles(xi=0.0, shrinkage=6)",
        "dixon-coles(xi=0.0019, shrinkage=3)", "dixon-coles(xi=0.0019, shrinkage=6)"]
    assert expand_grid("elo") == [Variant("elo")] and Variant("elo").label == "elo"
    model = variants[2].factory()()
    assert isinstance(model, DixonColes) and model.xi == 0.0019 and model.shrinkage == 3
    tupled = expand_grid("dixon-coles", {"newcomer_prior": [[-0.3, 0.2]]})
    assert tupled[0].factory()().newcomer_prior == (-0.3, 0.2)


def test_unknown_parameters_and_models_are_named() -> None:
    with pytest.raises(UnknownChoiceError, match="parameter of dixon-coles 'xii'.*xi"):
        expand_grid("dixon-coles", {"xii": [0.1]})
    with pytest.raises(UnknownChoiceError, match="unknown model 'dixon'"):
        expand_grid("dixon", {})


def test_command_line_params() -> None:
    assert parse_value("0.0019") == 0.0019 and parse_value("true") is True and parse_value("none") is None
    assert parse_value("per-league") == "per-league" and parse_value("[1, 2]") == [1, 2]
    assert parse_param("dixon-coles.xi=0,0.0019", ["dixon-coles", "elo"]) == (["dixon-coles"], "xi", [0, 0.0019])
    # without a model: every listed model that has the parameter (xi: both; k: Elo only)
    assert parse_param("xi=0.001", ["dixon-coles", "elo"])[0] == ["dixon-coles", "elo"]
    assert parse_param("k=15,20", ["dixon-coles", "elo"]) == (["elo"], "k", [15, 20])
    assert parse_param("newcomer_prior=[-0.3,0.2],[-0.4,0.2]", ["poisson"])[2] == [[-0.3, 0.2], [-0.4, 0.2]]
    for bad in ("xi", "=1", "poisson.xi=", "k=3"):
        with pytest.raises(MatchdayError, match="--param"):
            parse_param(bad, ["poisson"])
    spec = SweepSpec.from_options(["Premier League", "SP1"], "2022-23:2023-24", ["dixon-coles", "elo"],
                                  ["dixon-coles.xi=0,0.0019", "k=15,20"], refit="gap", history_seasons=1)
    assert spec.leagues == ("E0", "SP1") and spec.seasons == ("2022-23", "2023-24") and spec.refit == "gap"
    assert [v.label for v in spec.variants] == ["dixon-coles(xi=0)", "dixon-coles(xi=0.0019)", "elo(k=15)", "elo(k=20)"]
    assert spec.n_tasks == 2 * 2 * 4 and "16 walk-forward runs" in spec.describe()
    with pytest.raises(MatchdayError, match="UEL .* is a cup"):
        SweepSpec.from_options(["UEL"], "2023-24", ["elo"])
    with pytest.raises(UnknownChoiceError, match="refit"):
        SweepSpec.from_options(["E0"], "2023-24", ["elo"], refit="monthly")


SPEC = """
leagues = ["E0"]
seasons = "2023-24"
history_seasons = 1
start = "2024-03-01"

[models.dixon-coles]
xi = [0.0, 0.0019]

[models.elo]
"""


def test_a_toml_file_and_command_line_overrides(tmp_path) -> None:
    path = tmp_path / "sweep.toml"
    path.write_text(SPEC, encoding="utf-8")
    spec = SweepSpec.from_toml(path)
    assert spec.leagues == ("E0",) and spec.history_seasons == 1 and str(spec.start) == "2024-03-01"
    assert [v.label for v in spec.variants] == ["dixon-coles(xi=0.0)", "dixon-coles(xi=0.0019)", "elo"]
    assert spec.grid() == {"dixon-coles": {"xi": [0.0, 0.0019]}, "elo": {}}
    wider = spec.with_grid(params=["dixon-coles.shrinkage=3,6"])
    assert len(wider.variants) == 5 and wider.start == spec.start
    assert [v.label for v in spec.with_grid(["poisson"]).variants] == ["poisson"]
    other = SweepSpec.from_toml(path, leagues=["SP1"], refit="daily")
    assert other.leagues == ("SP1",) and other.refit == "daily"


@pytest.mark.parametrize(("text", "message"), [
    ("leagues = [E0]", r"sweep\.toml: not valid TOML: .*line 1"),
    ('leagues = ["E0"]\nseasons = "2023-24"\nmodel = 1\n[models.elo]', "unknown key 'model'"),
    ('leagues = ["E0"]\n[models.elo]', "missing key 'seasons'"),
    ('leagues = ["E0"]\nseasons = "2023-24"\nmodels = 3', "models must be tables"),
    ('leagues = ["E0"]\nseasons = "2023-24"\n[models.elo]\nkk = 1', "parameter of elo 'kk'"),
    ('leagues = ["E0"]\nseasons = "2023-24"\nstart = "March"\n[models.elo]', "start 'March' is not a date"),
])
def test_bad_sweep_files_get_one_clear_line(tmp_path, text, message) -> None:
    path = tmp_path / "sweep.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises((DataError, MatchdayError), match=message):
        SweepSpec.from_toml(path)


# ------------------------------------------------------------------------------------------- runs
@pytest.fixture(scope="module")
def epl(shared_data):
    from matchday.data.sources.footballdata import read_footballdata
    from matchday.evaluate.backtest import frames_from_matches

    matches = []
    for season in ("2223", "2324"):
        matches += read_footballdata(shared_data / "football-data" / "mmz4281" / season / "E0.csv")
    return frames_from_matches(matches)


def test_a_sweep_is_the_backtests_of_its_variants(epl, tmp_path) -> None:
    frame, odds = epl
    path = tmp_path / "sweep.toml"
    path.write_text(SPEC, encoding="utf-8")
    spec = SweepSpec.from_toml(path)
    done: list[tuple[int, int, str]] = []
    with ProcessExecutor(2) as executor:
        result = run_sweep(spec, frame, odds=odds, executor=executor, progress=lambda *a: done.append(a))
    assert len(done) == 3 and done[-1][:2] == (3, 3)  # one task per (league, season, variant)
    forecasts = result.backtest.forecasts
    # each variant equals its own backtest, run alone and serially
    for variant, factory in [("dixon-coles(xi=0.0019)", lambda: DixonColes(xi=0.0019)), ("elo", Elo)]:
        alone = walk_forward_many({variant: factory}, frame, competitions=["E0"], seasons=["2023-24"], start=START,
                                  history_seasons=1, executor=SerialExecutor()).forecasts
        mine = forecasts[forecasts["model"] == variant].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone[alone["model"] == variant].reset_index(drop=True), check_exact=True)
    # the two decay settings really differ, and are scored on the same matches
    a, b = (forecasts[forecasts["model"] == m].set_index("match_id") for m in ("dixon-coles(xi=0.0)",
                                                                            "dixon-coles(xi=0.0019)"))
    assert a.index.equals(b.index) and not np.allclose(a["p_home"], b["p_home"])
    summary = result.summary()
    assert list(summary["model"][:3]) == result.variants
    assert set(summary["model"]) >= {"base_rates", "market_close", "market_pre"}
    ranked = summary.dropna(subset=["rank"]).sort_values("rank")
    assert ranked["rps"].is_monotonic_increasing and result.best() == ranked.iloc[0]["model"]
    pooled = result.backtest.summary(by=())
    assert np.allclose(summary.set_index("model").loc[result.variants, "rps"],
                       pooled.set_index("model").loc[result.variants, "rps"])
    # the market gap is a paired difference on the same matches
    close = forecasts[forecasts["model"] == "market_close"].set_index("match_id")["rps"]
    diff = (a["rps"] - close.reindex(a.index)).mean()
    assert summary.set_index("model").loc["dixon-coles(xi=0.0)", "vs_market_close"] == pytest.approx(diff)
    per_season = result.summary(by=("season",))
    assert set(per_season["season"]) == {"2023-24"} and per_season["rank"].max() == 3


# ------------------------------------------------------------------------------------------- CLI
runner = CliRunner()


def _run(*args: str) -> tuple[int, str]:
    try:
        result = runner.invoke(cli.app, list(args), catch_exceptions=False)
    except cli.MatchdayError as exc:
        return 2, str(exc)
    return result.exit_code, (result.stdout if result.exit_code == 0 else result.output)


def test_sweep_command_saves_to_the_store_and_prints_the_summary(synced_db, tmp_path) -> None:
    import shutil

    from matchday.data.store import Store

    db = tmp_path / "store.duckdb"
    shutil.copy(synced_db, db)
    path = tmp_path / "sweep.toml"
    path.write_text(SPEC.replace('start = "2024-03-01"', 'start = "2024-04-01"'), encoding="utf-8")
    code, out = _run("sweep", str(path), "--models", "poisson", "--param", "xi=0,0.0019", "--scheduler", "serial",
                     "--db", str(db), "--json")
    assert code == 0, out
    rows = json.loads(out)
    assert [r["model"] for r in rows if r["rank"] is not None] == ["poisson(xi=0)", "poisson(xi=0.0019)"]
    assert all(r["n"] > 50 for r in rows)
    with Store(db, read_only=True) as store:
        log = store.forecasts()
    runs = log[log["run_id"].str.startswith("sweep-")]
    assert set(runs["model"]) >= {"poisson(xi=0)", "poisson(xi=0.0019)", "base_rates", "market_close"}
    assert (runs.groupby("model").size() == rows[0]["n"]).all()
    code, out = _run("sweep", "--leagues", "E0", "--seasons", "2023-24", "--history", "1", "--start", "2024-04-01",
                     "--models", "elo", "--param", "elo.k=15,25", "--by", "season", "--no-save", "--scheduler",
                     "processes:2", "--db", str(db))
    assert code == 0, out
    assert out.count("elo(k") >= 2 and "best by RPS" in out and "2023-24" in out


def test_sweep_and_backtest_errors_are_one_line(synced_db) -> None:
    code, out = _run("sweep", "--leagues", "E0", "--db", str(synced_db))
    assert code == 2 and "--leagues and --seasons" in out
    code, out = _run("sweep", "--leagues", "E0", "--seasons", "2023-24", "--by", "week", "--db", str(synced_db))
    assert code == 2 and "--by 'week'" in out
    code, out = _run("backtest", "E0", "--seasons", "2023-24", "--scheduler", "yarn", "--no-save", "--db",
                     str(synced_db))
    assert code == 2 and "--scheduler 'yarn'" in out and "tcp://" in out
    code, out = _run("sweep", "--leagues", "E0", "--seasons", "2023-24", "--models", "poisson", "--param",
                     "shrinkage=-1", "--history", "1", "--start", "2024-05-01", "--no-save", "--scheduler", "serial",
                     "--db", str(synced_db))
    assert code == 2 and "poisson(shrinkage=-1): ValueError: shrinkage must be >= 0" in out


def test_backtest_command_takes_a_scheduler(synced_db) -> None:
    code, out = _run("backtest", "E0", "--seasons", "2023-24", "--start", "2024-05-01", "--models", "poisson",
                     "--scheduler", "serial", "--no-save", "--no-blend", "--db", str(synced_db), "--json")
    assert code == 0, out
    rows = json.loads(out)
    assert {r["model"] for r in rows} >= {"poisson", "base_rates", "market_close"}
