"""League strength offsets and their carried prior (issue 8 item 1), on leagues simulated from known strengths.

Two simulated leagues whose clubs never meet are not on one scale; a few simulated cross-league matches tie
them. The tests check that the offset is recovered with links, stays at its prior without them (with the
prior's uncertainty), that the exact Hessian terms of the prior are right, that the uncertainty falls as
links are added, and that a chain of windows carries the scale into a window without links.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from matchday.models import DixonColes, Elo, Poisson
from matchday.models.distributions import DixonColesScores, PoissonScores
from matchday.models.goal_model import _Design, _Objective
from matchday.models.grid import ScoreGrid
from matchday.models.league_prior import (
    DEFAULT_OFFSET_PRIOR_SD,
    WEAK_LINK_MATCHES,
    WEAK_LINK_SD,
    LeaguePrior,
    PriorChain,
)
from synthetic import simulate_league

TRUE_OFFSET = 0.30  # league "L1" is this much stronger than "L2" (attack and defence), log-goal scale


def _leagues(seed: int, n_cross: int, *, start: str = "2020-08-01", seasons: int = 2) -> pd.DataFrame:
    """Leagues L1 (offset +0.30) and L2 (0) of 10 clubs, and ``n_cross`` UEFA matches between them drawn from
    the same model (random pairings, home advantage 0.25)."""
    rng = np.random.default_rng(seed)
    attack = {"a": rng.normal(0, 0.2, 10) + TRUE_OFFSET, "b": rng.normal(0, 0.2, 10)}
    defence = {"a": rng.normal(0, 0.2, 10) + TRUE_OFFSET, "b": rng.normal(0, 0.2, 10)}
    parts = [simulate_league(rng, attack[p], defence[p], seasons=seasons, start=start, competition=c, prefix=p)
             for p, c in (("a", "L1"), ("b", "L2"))]
    if n_cross:
        i, j = rng.integers(0, 10, n_cross), rng.integers(0, 10, n_cross)
        a_home = rng.random(n_cross) < 0.5
        ah, ad = attack["a"][i], defence["a"][i]
        bh, bd = attack["b"][j], defence["b"][j]
        eta_h = 0.15 + 0.25 + np.where(a_home, ah - bd, bh - ad)
        eta_a = 0.15 + np.where(a_home, bh - ad, ah - bd)
        span = 365 * seasons
        parts.append(pd.DataFrame({
            "date": pd.Timestamp(start) + pd.to_timedelta(np.sort(rng.uniform(30, span - 30, n_cross)).astype(int), unit="D"),
            "competition": "UCL", "season": "sim",
            "home": np.where(a_home, [f"a-{k:02d}" for k in i], [f"b-{k:02d}" for k in j]),
            "away": np.where(a_home, [f"b-{k:02d}" for k in j], [f"a-{k:02d}" for k in i]),
            "home_goals": rng.poisson(np.exp(eta_h)), "away_goals": rng.poisson(np.exp(eta_a)), "neutral": False,
        }))
    return pd.concat(parts, ignore_index=True).sort_values("date", kind="stable").reset_index(drop=True)


def _difference(model) -> tuple[float, float]:
    """Fitted offset of L1 over L2 and its standard deviation (from the league link of two of their clubs)."""
    offsets = model.league_offsets_["offset"]
    link = model.league_link(["a-00"], ["b-00"]).iloc[0]
    return float(offsets["L1"] - offsets["L2"]), float(link["offset_sd"])


# ------------------------------------------------------------------------------------------------ the prior object


def test_default_prior_centres_leagues_on_their_own_mean_and_frees_lower_divisions():
    from matchday.models.league_prior import TIER_GAP, default_prior

    mean, cov, carried = default_prior(["E1", "SP1", "N1", "F2"], 0.2, "E0")
    # the Championship beside the Premier League: no prior; Ligue 2 without Ligue 1: one division lower
    assert np.isinf(cov[0, 0]) and mean[0] == pytest.approx(-TIER_GAP)
    assert mean[3] == pytest.approx(-TIER_GAP) and not carried.any()
    drawn = cov[1:, 1:]
    np.testing.assert_allclose(drawn, 0.04 * (np.eye(3) + 1.0))
    # exchangeable: the prior density of offsets (0, o1, o2, o3) depends only on their spread, so it is the
    # same whichever league is the reference
    rng = np.random.default_rng(0)
    values = rng.normal(0, 0.3, 4)
    precision = np.linalg.inv(drawn)
    relative = values[1:] - values[0]
    quadratic = relative @ precision @ relative
    assert quadratic == pytest.approx(np.sum((values - values.mean()) ** 2) / 0.04)


def test_league_prior_changes_reference_and_drifts():
    prior = LeaguePrior.from_arrays(["B", "C"], np.array([0.2, -0.1]), np.array([[0.01, 0.004], [0.004, 0.02]]), "A")
    moved = prior.relative_to("B")
    assert moved.reference == "B" and set(moved.leagues) == {"A", "C"}
    mean = dict(zip(moved.leagues, moved.mean, strict=True))
    assert mean["A"] == pytest.approx(-0.2) and mean["C"] == pytest.approx(-0.3)
    sd = moved.sd()
    assert sd["A"] == pytest.approx(0.1) and sd["C"] == pytest.approx(np.sqrt(0.01 + 0.02 - 2 * 0.004))
    back = moved.relative_to("A")
    np.testing.assert_allclose(back.mean_array[[back.leagues.index("B"), back.leagues.index("C")]], prior.mean_array)
    drifted = prior.drifted(2.0, 0.05)
    # every offset and the reference walk independently: each relative offset gains 2 * 2 * 0.05^2
    np.testing.assert_allclose(np.diag(drifted.covariance_array) - np.diag(prior.covariance_array), 0.01)
    assert drifted.covariance_array[0, 1] - prior.covariance_array[0, 1] == pytest.approx(0.005)
    mean, cov, carried = prior.for_groups(["C", "D"], "A", 0.3)
    assert carried.tolist() == [True, False] and mean.tolist() == [-0.1, 0.0]
    # D is new: the difference of two draws from the population of leagues (sd 0.3 each)
    assert cov[1, 1] == pytest.approx(2 * 0.09) and cov[0, 1] == 0.0
    assert prior.relative_to("X") is None
    with pytest.raises(ValueError):
        LeaguePrior(("A",), (0.0,), ((1.0,),), "A")


def test_weak_link_threshold_moves_a_home_win_by_about_ten_points():
    """The justification of WEAK_LINK_SD: 2 x 0.15 on the log ratio of expected goals moves the home-win
    probability of a 1.6 v 1.2 match by about ten points either way."""
    dist = DixonColesScores()
    shift = 2 * WEAK_LINK_SD
    p = [float(ScoreGrid(dist.matrix(np.array([1.6 * np.exp(s / 2)]), np.array([1.2 * np.exp(-s / 2)]),
                                     np.array([-0.03]), 10), np.zeros(1), np.zeros(1)).outcomes()[0, 0])
         for s in (-shift, 0.0, shift)]
    assert p[1] == pytest.approx(0.46, abs=0.01)
    assert 0.08 < p[1] - p[0] < 0.12 and 0.08 < p[2] - p[1] < 0.12
    assert abs(WEAK_LINK_MATCHES - 1 / (2.7 * WEAK_LINK_SD**2)) <= 1.0


# ------------------------------------------------------------------------------------------------ exact derivatives


@pytest.mark.parametrize("dist_class", [PoissonScores, DixonColesScores])
def test_offset_prior_gradient_and_hessian_match_finite_differences(dist_class):
    """With the league-offset prior and a (carried) home-advantage prior on two of the three competitions."""
    frame = _leagues(1, 30, seasons=1)
    teams = np.array(sorted(set(frame.home) | set(frame.away)), dtype=object)
    home = np.searchsorted(teams, frame.home.to_numpy(object))
    away = np.searchsorted(teams, frame.away.to_numpy(object))
    comps, comp = np.unique(frame.competition.to_numpy(object), return_inverse=True)
    rng = np.random.default_rng(3)
    dist = dist_class()
    anchor = np.array([0 if t.startswith("a") else 1 for t in teams])
    design = _Design(n_teams=len(teams), n_comp=len(comps), n_extra=len(dist.extra_names), home=home, away=away,
                     comp=comp, weights=rng.uniform(0.3, 1.0, len(frame)), prior_attack=np.zeros(len(teams)),
                     prior_defence=np.zeros(len(teams)), anchor=anchor, n_anchor=2,
                     offset_mean=np.array([-0.2]), offset_precision=np.array([[16.0]]),
                     adv_mean=np.linspace(0.1, 0.4, len(comps)), adv_precision=np.r_[0.0, 400.0, 25.0][:len(comps)])
    prep = dist.prepare(frame.home_goals.to_numpy(float), frame.away_goals.to_numpy(float), design.weights)
    objective = _Objective(dist, design, prep, 5.0)
    theta = rng.normal(0, 0.2, design.size)
    theta[design.size - design.n_extra:] = -0.08
    _, g, res, _ = objective(theta, curvature=True)
    h = objective.hessian(res)
    step = 1e-6
    eye = np.eye(design.size)
    fd_grad = np.array([(objective(theta + step * e)[0] - objective(theta - step * e)[0]) / (2 * step) for e in eye])
    fd_hess = np.array([(objective(theta + step * e)[1] - objective(theta - step * e)[1]) / (2 * step) for e in eye])
    np.testing.assert_allclose(g, fd_grad, rtol=1e-6, atol=1e-5 * np.abs(g).max())
    np.testing.assert_allclose(h, fd_hess, rtol=1e-5, atol=1e-6 * np.abs(h).max())


# ------------------------------------------------------------------------------------------------ fits


def test_no_link_keeps_the_prior_instead_of_breaking():
    frame = _leagues(2, 0)
    free = DixonColes(league_prior_sd=None).fit(frame)
    assert not np.isfinite(free.league_offsets_.loc["L2", "sd"])  # nothing ties the two leagues
    assert free.league_posterior_ is None
    default = DixonColes().fit(frame)
    difference, sd = _difference(default)
    assert abs(difference) < 0.02  # the prior mean: the two leagues at one level
    assert sd == pytest.approx(DEFAULT_OFFSET_PRIOR_SD * np.sqrt(2), rel=0.05)  # two draws from the population
    assert default.league_link(["a-00"], ["b-00"])["weak"].iloc[0]
    assert not default.league_link(["a-00"], ["a-01"])["weak"].iloc[0]  # within a league there is no link to miss
    carried = LeaguePrior(("L2",), (-TRUE_OFFSET,), ((0.05**2,),), "L1")
    fitted = DixonColes(league_prior=carried).fit(frame)
    difference, sd = _difference(fitted)
    assert difference == pytest.approx(TRUE_OFFSET, abs=0.01) and sd == pytest.approx(0.05, rel=0.05)


@pytest.mark.parametrize("model_class", [DixonColes, Poisson])
def test_links_recover_the_offset_and_shrink_its_uncertainty(model_class):
    few = model_class().fit(_leagues(3, 12))
    many = model_class().fit(_leagues(3, 400))
    d_few, sd_few = _difference(few)
    d_many, sd_many = _difference(many)
    assert sd_many < sd_few < DEFAULT_OFFSET_PRIOR_SD * np.sqrt(2)
    assert abs(d_many - TRUE_OFFSET) < 3 * sd_many
    assert sd_many < WEAK_LINK_SD and not many.league_link(["a-00"], ["b-00"])["weak"].iloc[0]
    counts = many.league_offsets_
    assert counts.loc["L1", "cross_matches"] == 400  # every UEFA match is between the two groups
    assert counts.loc["L1", "foreign_matches"] == 400  # codes without a registered country count as countries


def test_chain_carries_the_scale_into_a_window_without_links():
    linked = _leagues(4, 300, start="2014-08-01", seasons=3)
    unlinked = _leagues(5, 0, start="2017-08-01", seasons=3)
    frames = {dt.date(2017, 6, 30): linked, dt.date(2020, 6, 30): unlinked}

    def loader(as_of: dt.date, seasons_back: int) -> pd.DataFrame | None:
        return frames.get(as_of)

    chain = PriorChain(DixonColes, loader, min_matches=100)
    earlier = chain.posterior(dt.date(2017, 6, 30))
    prior = chain.prior(dt.date(2020, 6, 30))
    assert earlier is not None and prior is not None and prior.as_of == dt.date(2017, 6, 30)
    assert prior.sd()["L2"] > earlier.sd()["L2"]  # three years of drift
    model = DixonColes(league_prior=prior).fit(unlinked)
    difference, sd = _difference(model)
    # the earlier scale is kept, with an uncertainty between the earlier window's and no information at all
    assert abs(difference - TRUE_OFFSET) < 3 * sd
    assert earlier.sd()["L2"] < sd < DEFAULT_OFFSET_PRIOR_SD * np.sqrt(2) / 2
    assert chain.prior(dt.date(2014, 6, 30)) is None  # nothing before the first window


def test_elo_starts_leagues_apart_and_flags_thin_links():
    frame = _leagues(6, 0)
    level = Elo().fit(frame)
    apart = Elo(league_ratings={"L1": 1680.0, "L2": 1500.0}).fit(frame)
    assert abs(level.ratings_.filter(like="a-").mean() - level.ratings_.filter(like="b-").mean()) < 1
    assert apart.ratings_.filter(like="a-").mean() - apart.ratings_.filter(like="b-").mean() == pytest.approx(180, abs=1)
    link = apart.league_link(["a-00"], ["b-00"]).iloc[0]
    assert link["weak"] and np.isnan(link["offset_sd"])
    linked = Elo().fit(_leagues(6, 200))
    assert not linked.league_link(["a-00"], ["b-00"])["weak"].iloc[0]


# ------------------------------------------------------------------------------------------------ carried home advantage


def test_uefa_home_advantage_is_carried_with_the_offsets_and_used_only_when_asked():
    prior = LeaguePrior.from_arrays(["L2"], np.array([0.0]), np.array([[0.04]]), "L1",
                                    home_advantage=[("UCL", 0.40, 0.02)])
    mean, precision = prior.home_advantage_prior(["L1", "UCL", "closed doors"])
    assert mean[1] == 0.40 and precision.tolist() == [0.0, pytest.approx(2500.0), 0.0]
    drifted = prior.drifted(4.0, 0.03, home_drift=0.05)
    assert drifted.home_advantage[0][2] == pytest.approx(np.sqrt(0.02**2 + 4 * 0.05**2))
    assert prior.relative_to("L2").home_advantage == prior.home_advantage  # not an offset: unchanged
    frame = _leagues(3, 80)  # UCL matches drawn with home advantage 0.25
    free = DixonColes(xi=0.0, league_prior=prior).fit(frame)
    tied = DixonColes(xi=0.0, league_prior=prior, carried_home_advantage=True).fit(frame)
    sd = float(free.home_advantage_sd_["UCL"])
    assert free.home_advantage_by_competition_["UCL"] == pytest.approx(0.25, abs=3.5 * sd)
    # precision-weighted mean of the data's estimate and the prior (normal approximation)
    w = (1 / sd**2) / (1 / sd**2 + 1 / 0.02**2)
    expected = w * free.home_advantage_by_competition_["UCL"] + (1 - w) * 0.40
    assert tied.home_advantage_by_competition_["UCL"] == pytest.approx(expected, abs=0.01)
    # the leagues' home advantages are not carried, and the posterior carries the UEFA one with its sd
    posterior = dict((c, (m, s)) for c, m, s in tied.league_posterior_.home_advantage)
    assert set(posterior) == {"UCL"}
    assert posterior["UCL"][0] == pytest.approx(tied.home_advantage_by_competition_["UCL"])
    assert posterior["UCL"][1] < min(sd, 0.02)
