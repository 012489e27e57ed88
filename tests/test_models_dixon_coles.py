"""Dixon-Coles and Poisson: the true maximum on real data, an independent likelihood, recovery, real data."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from matchday.models import DixonColes, Poisson, ShotsDixonColes
from matchday.models.distributions import DixonColesScores
from matchday.models.weights import decay_weights
from synthetic import simulate_league, two_leagues


def read_football_data(root: Path, division: str, seasons: list[str]) -> pd.DataFrame:
    """The model input frame from football-data CSVs (read here with pandas, independently of matchday)."""
    frames = []
    for season in seasons:
        raw = pd.read_csv(root / "football-data" / "mmz4281" / season / f"{division}.csv", encoding="utf-8-sig")
        raw = raw[raw["Div"].notna()]
        frames.append(pd.DataFrame({
            "date": pd.to_datetime(raw["Date"], dayfirst=True, format="mixed"),
            "competition": division, "season": season,
            "home": raw["HomeTeam"], "away": raw["AwayTeam"],
            "home_goals": raw["FTHG"].astype(int), "away_goals": raw["FTAG"].astype(int), "neutral": False,
            "home_shots": raw["HS"], "away_shots": raw["AS"],
            "home_shots_on_target": raw["HST"], "away_shots_on_target": raw["AST"],
        }))
    return pd.concat(frames, ignore_index=True)


def independent_loglik(frame: pd.DataFrame, attack: dict, defence: dict, intercept: float, home_adv: dict,
                       rho: float, weights: np.ndarray) -> float:
    """The Dixon-Coles log-likelihood written out match by match with scipy.stats (no matchday code)."""
    total = 0.0
    for row, w in zip(frame.itertuples(index=False), weights, strict=True):
        adv = 0.0 if row.neutral else home_adv[row.competition]
        lam = math.exp(intercept + adv + attack[row.home] - defence[row.away])
        mu = math.exp(intercept + attack[row.away] - defence[row.home])
        x, y = int(row.home_goals), int(row.away_goals)
        if (x, y) == (0, 0):
            tau = 1 - lam * mu * rho
        elif (x, y) == (0, 1):
            tau = 1 + lam * rho
        elif (x, y) == (1, 0):
            tau = 1 + mu * rho
        elif (x, y) == (1, 1):
            tau = 1 - rho
        else:
            tau = 1.0
        total += w * (stats.poisson.logpmf(x, lam) + stats.poisson.logpmf(y, mu) + math.log(tau))
    return total


def test_loglik_agrees_with_an_independent_implementation():
    """Time decay, two competitions' home advantages, neutral venues and shrinkage all switched on."""
    frame = two_leagues(np.random.default_rng(21))
    as_of = pd.Timestamp("2012-06-01")
    model = DixonColes(xi=0.003, shrinkage=2.0).fit(frame, as_of=as_of)
    frame = frame[frame["date"] <= as_of]
    assert frame["neutral"].any() and frame["competition"].nunique() == 3
    weights = decay_weights(frame["date"], as_of + pd.Timedelta(days=1), 0.003)  # ages from the end of the day
    reference = independent_loglik(frame, model.attack_.to_dict(), model.defence_.to_dict(), model.intercept_,
                                   model.home_advantage_by_competition_.to_dict(), model.rho_, weights)
    assert model.loglik_ == pytest.approx(reference, rel=1e-12)


def test_bundesliga_2022_24_reaches_the_true_maximum(shared_data):
    """penaltyblog 1.13.1 stops at -1858.620 (rho -0.141); the maximum is -1858.4415 (rho -0.1306)."""
    frame = read_football_data(shared_data, "D1", ["2223", "2324"])
    assert len(frame) == 612
    model = DixonColes(xi=0.0, shrinkage=0.0, home_advantage="single").fit(frame)
    assert model.converged_
    assert model.loglik_ == pytest.approx(-1858.4415, abs=5e-4)
    assert model.rho_ == pytest.approx(-0.1306, abs=5e-4)
    assert model.loglik_ > -1858.620 + 0.17  # strictly better than penaltyblog's end point
    # an independent optimiser (L-BFGS-B on the same exact gradient) finds the same maximum
    check = DixonColes(xi=0.0, shrinkage=0.0, home_advantage="single", solver="lbfgs", tol=1e-8).fit(frame)
    assert check.loglik_ == pytest.approx(model.loglik_, abs=1e-6)

    # identification: penaltyblog has no intercept and fixes mean attack = 1; map our optimum onto that
    # constraint (attack + 1, defence' = intercept - 1 - defence) and evaluate the textbook likelihood
    attack = model.attack_ + 1.0
    penaltyblog_defence = model.intercept_ - 1.0 - model.defence_
    assert attack.mean() == pytest.approx(1.0)
    ones = np.ones(len(frame))
    ours = independent_loglik(frame, model.attack_.to_dict(), model.defence_.to_dict(), model.intercept_,
                              {"D1": model.home_advantage_}, model.rho_, ones)
    theirs = independent_loglik(frame, attack.to_dict(), (-penaltyblog_defence).to_dict(), 0.0,
                                {"D1": model.home_advantage_}, model.rho_, ones)
    assert ours == pytest.approx(-1858.4415, abs=5e-4)
    assert theirs == pytest.approx(ours, abs=1e-9)


@pytest.mark.parametrize(("rho", "model_class"), [(-0.12, DixonColes), (0.0, Poisson)])
def test_recovers_parameters_from_data_simulated_by_the_model(rho, model_class):
    rng = np.random.default_rng(2024)
    attack = rng.normal(0, 0.3, 16)
    defence = rng.normal(0, 0.3, 16)
    attack -= attack.mean()
    defence -= defence.mean()
    frame = simulate_league(rng, attack, defence, intercept=0.1, home_advantage=0.25, seasons=40,
                            distribution=DixonColesScores(), extra=np.array([rho]))
    model = model_class(xi=0.0, shrinkage=0.0, home_advantage="single").fit(frame)
    assert model.converged_
    assert model.rho_ == pytest.approx(rho, abs=0.05)  # standard error ~0.014 with 9,600 matches
    assert model.home_advantage_ == pytest.approx(0.25, abs=0.06)
    assert model.intercept_ == pytest.approx(0.1, abs=0.06)
    error = np.r_[model.attack_.to_numpy() - attack, model.defence_.to_numpy() - defence]
    assert np.abs(error).max() < 0.15
    assert np.sqrt(np.mean(error**2)) < 0.05


def test_rho_is_estimated_where_it_matters():
    """Simulated with a strong negative rho: the Dixon-Coles fit finds it and beats the Poisson fit."""
    rng = np.random.default_rng(7)
    frame = simulate_league(rng, rng.normal(0, 0.2, 12), rng.normal(0, 0.2, 12), seasons=20,
                            distribution=DixonColesScores(), extra=np.array([-0.2]))
    dc = DixonColes(xi=0.0, shrinkage=0.0).fit(frame)
    poisson = Poisson(xi=0.0, shrinkage=0.0).fit(frame)
    assert dc.rho_ == pytest.approx(-0.2, abs=0.06)
    assert dc.loglik_ - poisson.loglik_ > 5  # likelihood-ratio statistic far beyond chi2(1)


def test_joint_fit_with_the_championship_rates_promoted_clubs_on_the_premier_league_scale(shared_data):
    """Burnley, Sheffield United and Luton (promoted 2023) get ratings from their Championship form."""
    e0 = read_football_data(shared_data, "E0", ["2122", "2223"])
    e1 = read_football_data(shared_data, "E1", ["2122", "2223"])
    joint = DixonColes().fit(pd.concat([e0, e1], ignore_index=True), as_of="2023-08-11")
    promoted = ["Burnley", "Sheffield United", "Luton"]
    ratings = joint.ratings().set_index("team")
    assert set(ratings.loc[promoted, "competition"]) == {"E1"}
    e0_now = ratings[ratings["competition"] == "E0"]
    # the data: the three were the Championship's top three in 2022-23, yet weaker than the average
    # Premier League side (all three went down again in 2023-24)
    assert (ratings.loc[promoted, "strength"] < e0_now["strength"].mean()).all()
    e1_now = ratings[ratings["competition"] == "E1"]
    assert (ratings.loc[promoted, "strength"] > e1_now["strength"].quantile(0.75)).all()
    # Burnley (101 points) ahead of Luton (80 points, third)
    assert ratings.loc["Burnley", "strength"] > ratings.loc["Luton", "strength"]
    # usable in a Premier League forecast: Man City at home are strong favourites against each
    for club in promoted:
        forecast = joint.predict("Man City", club, competition="E0")
        assert forecast.home_win[0] > 0.6


def _time_weighted_per_match(frame: pd.DataFrame, as_of: str, xi: float, *, conceded: bool = False) -> pd.Series:
    """Goals scored (or conceded) per match by each team, time-weighted like the model, best first."""
    w = decay_weights(frame["date"], pd.Timestamp(as_of), xi)
    goals_for, goals_against = np.r_[frame["home_goals"], frame["away_goals"]], np.r_[frame["away_goals"],
                                                                                       frame["home_goals"]]
    long = pd.DataFrame({"team": np.r_[frame["home"], frame["away"]], "w": np.r_[w, w],
                         "goals": goals_against if conceded else goals_for})
    long["wg"] = long["goals"] * long["w"]
    sums = long.groupby("team")[["wg", "w"]].sum()
    return (sums["wg"] / sums["w"]).sort_values(ascending=conceded)


def test_epl_2023_24_top_attacks_are_the_clubs_the_data_says(shared_data):
    frame = read_football_data(shared_data, "E0", ["2223", "2324"])
    as_of = "2024-05-20"  # after the last matchday of 2023-24
    model = DixonColes().fit(frame, as_of=as_of)
    top_attack = list(model.attack_.sort_values(ascending=False).index[:3])
    # the data: the same three clubs scored the most (time-weighted) goals per match
    scored = _time_weighted_per_match(frame, as_of, model.xi)
    assert set(top_attack) == set(scored.index[:3]) == {"Man City", "Arsenal", "Liverpool"}
    assert top_attack[0] == scored.index[0] == "Man City"
    # and the best defence is the side that conceded the fewest (time-weighted) goals per match
    conceded = _time_weighted_per_match(frame, as_of, model.xi, conceded=True)
    assert model.defence_.idxmax() == conceded.index[0]
    assert model.defence_.idxmin() == conceded.index[-1]


def test_shots_variant_follows_the_shots_on_target(shared_data):
    """2023-24 alone: Liverpool scored 86, Newcastle 85, but Liverpool had 277 shots on target to 213.
    Goals cannot separate them on one season; shots can."""
    frame = read_football_data(shared_data, "E0", ["2324"])
    goals_only = DixonColes().fit(frame, as_of="2024-05-20")
    assert abs(goals_only.attack_["Liverpool"] - goals_only.attack_["Newcastle"]) < 0.05
    shots = ShotsDixonColes().fit(frame, as_of="2024-05-20")
    top = list(shots.attack_.sort_values(ascending=False).index[:3])
    on_target = (frame.groupby("home")["home_shots_on_target"].sum()
                 + frame.groupby("away")["away_shots_on_target"].sum()).sort_values(ascending=False)
    assert set(top) == set(on_target.index[:3]) == {"Man City", "Liverpool", "Arsenal"}
    assert shots.attack_["Liverpool"] - shots.attack_["Newcastle"] > 0.05
    assert 0.25 < shots.conversion_[0] < 0.4  # goals per shot on target


def test_one_scale_across_leagues_from_cross_league_matches():
    """Two leagues that meet only in a cup: the joint fit puts them on one scale (league B is weaker by
    0.4 in attack and defence; nothing inside either league could tell)."""
    rng = np.random.default_rng(77)
    a_att, a_def = rng.normal(0, 0.2, 10), rng.normal(0, 0.2, 10)
    b_att, b_def = rng.normal(-0.4, 0.2, 10), rng.normal(-0.4, 0.2, 10)
    league_a = simulate_league(rng, a_att, a_def, seasons=3, competition="LA", prefix="a")
    league_b = simulate_league(rng, b_att, b_def, seasons=3, competition="LB", prefix="b")
    # 300 cup matches between the leagues, scores from the same model
    home_a = rng.random(300) < 0.5
    i, j = rng.integers(0, 10, 300), rng.integers(0, 10, 300)
    att_h = np.where(home_a, a_att[i], b_att[j])
    def_h = np.where(home_a, a_def[i], b_def[j])
    att_a = np.where(home_a, b_att[j], a_att[i])
    def_a = np.where(home_a, b_def[j], a_def[i])
    cup = pd.DataFrame({
        "date": pd.Timestamp("2010-09-01") + pd.to_timedelta(rng.integers(0, 1000, 300), unit="D"),
        "competition": "CUP", "season": "sim",
        "home": np.where(home_a, [f"a-{k:02d}" for k in i], [f"b-{k:02d}" for k in j]),
        "away": np.where(home_a, [f"b-{k:02d}" for k in j], [f"a-{k:02d}" for k in i]),
        "home_goals": rng.poisson(np.exp(0.15 + 0.25 + att_h - def_a)),
        "away_goals": rng.poisson(np.exp(0.15 + att_a - def_h)), "neutral": False,
    })
    joint = Poisson(xi=0.0, shrinkage=0.0).fit(pd.concat([league_a, league_b, cup], ignore_index=True))
    a_teams = [f"a-{k:02d}" for k in range(10)]
    b_teams = [f"b-{k:02d}" for k in range(10)]
    gap_attack = joint.attack_[a_teams].mean() - joint.attack_[b_teams].mean()
    gap_defence = joint.defence_[a_teams].mean() - joint.defence_[b_teams].mean()
    assert gap_attack == pytest.approx(a_att.mean() - b_att.mean(), abs=0.12)
    assert gap_defence == pytest.approx(a_def.mean() - b_def.mean(), abs=0.12)
    # so the best of league B is correctly rated below the average of league A when it truly is
    forecast = joint.predict("a-00", "b-00", neutral=True)
    lam_a = np.exp(0.15 + a_att[0] - b_def[0])
    assert forecast.home_expected_goals[0] == pytest.approx(lam_a, rel=0.2)


def test_matches_without_crowds_had_less_home_advantage_in_the_big_five(shared_data):
    """The five first divisions of 2018-19 to 2021-22: the closed-doors home advantage (March 2020 to June
    2021; 0.16) is below the leagues' home advantages with crowds (0.21 on average, by their matches), a gap of
    about 1.7 standard errors of the two goal ratios, and one home advantage for both regimes lies in between."""
    frame = pd.concat([read_football_data(shared_data, division, ["1819", "1920", "2021", "2122"])
                       for division in ("E0", "SP1", "D1", "I1", "F1")], ignore_index=True)
    frame = frame.sort_values("date", kind="stable")
    model = DixonColes(xi=0.0).fit(frame)
    plain = DixonColes(xi=0.0, closed_doors=None).fit(frame)
    inside = (frame["date"] >= "2020-03-09") & (frame["date"] <= "2021-06-30")
    assert model.closed_doors_matches_ == int(inside.sum()) > 1500

    def se(part: pd.DataFrame) -> float:  # sd of a log home/away goal ratio from the goal counts
        return float(np.sqrt(1 / part["home_goals"].sum() + 1 / part["away_goals"].sum()))

    crowd = model.home_advantage_by_competition_
    weights = frame[~inside].groupby("competition").size()[crowd.index]
    gap = float(np.average(crowd, weights=weights)) - model.closed_doors_home_advantage_
    assert 1.0 < gap / math.hypot(se(frame[inside]), se(frame[~inside])) < 4.0
    mixed = float(np.average(plain.home_advantage_by_competition_[crowd.index], weights=weights))
    assert model.closed_doors_home_advantage_ < mixed < float(np.average(crowd, weights=weights))
