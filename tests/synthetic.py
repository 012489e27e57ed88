"""Synthetic data for the tests: leagues drawn from known strengths, small seasons, a small cup.

Nothing here is production code: the model tests, the synthetic season and rotation tests and the fatigue
estimator's recovery test build their inputs with these functions (no real data needed).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from matchday.models.distributions import PoissonScores, ScoreDistribution


def simulate_league(
    rng: np.random.Generator,
    attack: np.ndarray,
    defence: np.ndarray,
    *,
    intercept: float = 0.15,
    home_advantage: float = 0.25,
    distribution: ScoreDistribution | None = None,
    extra: np.ndarray | None = None,
    seasons: int = 10,
    start: str = "2010-08-01",
    competition: str = "X1",
    prefix: str = "team",
    neutral_share: float = 0.0,
) -> pd.DataFrame:
    """Double round robins of len(attack) teams, scores drawn from the model's own score matrix."""
    distribution = distribution or PoissonScores()
    extra = np.zeros(0) if extra is None else np.asarray(extra, dtype=float)
    n_teams = len(attack)
    home, away = np.array([(i, j) for i in range(n_teams) for j in range(n_teams) if i != j]).T
    home, away = np.tile(home, seasons), np.tile(away, seasons)
    n = len(home)
    dates = pd.Timestamp(start) + pd.to_timedelta(np.sort(rng.uniform(0, 365 * seasons, n)).astype(int), unit="D")
    neutral = rng.random(n) < neutral_share
    eta_h = intercept + home_advantage * ~neutral + attack[home] - defence[away]
    eta_a = intercept + attack[away] - defence[home]
    g = 15
    matrices = distribution.matrix(np.exp(eta_h), np.exp(eta_a), extra, g).reshape(n, -1)
    cells = (matrices.cumsum(axis=1) < rng.random(n)[:, None]).sum(axis=1).clip(max=(g + 1) ** 2 - 1)
    names = np.array([f"{prefix}-{i:02d}" for i in range(n_teams)], dtype=object)
    return pd.DataFrame({
        "date": dates, "competition": competition, "season": "sim", "home": names[home], "away": names[away],
        "home_goals": (cells // (g + 1)).astype(int), "away_goals": (cells % (g + 1)).astype(int), "neutral": neutral,
    })


def two_leagues(rng: np.random.Generator) -> pd.DataFrame:
    """Two simulated leagues linked by a few cross-league matches at neutral and home venues."""
    a = simulate_league(rng, rng.normal(0, 0.3, 8), rng.normal(0, 0.3, 8), seasons=2, competition="L1", prefix="a")
    b = simulate_league(rng, rng.normal(-0.2, 0.3, 8), rng.normal(-0.2, 0.3, 8), seasons=2, competition="L2",
                        prefix="b", home_advantage=0.35)
    cup = pd.DataFrame({
        "date": pd.Timestamp("2011-03-01") + pd.to_timedelta(np.arange(24) * 7, unit="D"),
        "competition": "CUP", "season": "sim",
        "home": [f"a-{i % 8:02d}" if i % 2 else f"b-{i % 8:02d}" for i in range(24)],
        "away": [f"b-{(i + 3) % 8:02d}" if i % 2 else f"a-{(i + 5) % 8:02d}" for i in range(24)],
        "home_goals": rng.poisson(1.4, 24), "away_goals": rng.poisson(1.1, 24), "neutral": np.arange(24) % 3 == 0,
    })
    return pd.concat([a, b, cup], ignore_index=True)


def with_shots(rng: np.random.Generator, frame: pd.DataFrame, conversion: float = 0.3) -> pd.DataFrame:
    """The frame plus shot columns drawn around its goals (on target ~ Poisson((goals + 1) / conversion))."""
    out = frame.copy()
    for side in ("home", "away"):
        goals = out[f"{side}_goals"].to_numpy()
        out[f"{side}_shots_on_target"] = goals + rng.poisson((goals + 1) / conversion)
        out[f"{side}_shots"] = out[f"{side}_shots_on_target"] + rng.poisson(4.0, len(out))
    return out


def with_market(frame: pd.DataFrame, seed: int = 11) -> pd.DataFrame:
    """The frame plus corners and made-up margin-free closing 1X2 probabilities (``market_p_home/draw/away``,
    noisy around the base rates, summing to 1) so that every evidence of the combined models is present."""
    rng = np.random.default_rng(seed)
    out = frame.copy()
    out["home_corners"] = rng.poisson(5.5, len(out))
    out["away_corners"] = rng.poisson(4.5, len(out))
    raw = np.array([0.46, 0.26, 0.28]) * rng.lognormal(0.0, 0.3, (len(out), 3))
    probs = raw / raw.sum(axis=1, keepdims=True)
    out["market_p_home"], out["market_p_draw"], out["market_p_away"] = probs.T
    return out


def double_round_robin_dates(teams: list[str], start: str, days_between_rounds: int = 7) -> pd.DataFrame:
    """A double round robin (circle method: every team plays once a round) with one date per round."""
    n = len(teams)
    order = list(range(n))
    rounds = []
    for _ in range(n - 1):
        rounds.append([(order[i], order[n - 1 - i]) for i in range(n // 2)])
        order = [order[0], order[-1], *order[1:-1]]
    rounds += [[(b, a) for a, b in r] for r in rounds]  # the return matches
    rows = []
    for number, pairs in enumerate(rounds):
        date = pd.Timestamp(start) + pd.Timedelta(days=days_between_rounds * number)
        rows += [{"date": date, "round": number + 1, "home": teams[h], "away": teams[a]} for h, a in pairs]
    return pd.DataFrame(rows)


def small_season(rng: np.random.Generator, teams: list[str], strength: dict[str, float], *, start: str,
                 rounds_played: int, competition: str = "E0", season: str = "2023-24") -> pd.DataFrame:
    """One season of ``teams`` (a double round robin) with the first ``rounds_played`` rounds played:
    Poisson goals with log rate 0.2 (+0.25 at home) + strength of the scorer - strength of the other."""
    frame = double_round_robin_dates(teams, start)
    s_home, s_away = frame["home"].map(strength).to_numpy(), frame["away"].map(strength).to_numpy()
    home_goals = rng.poisson(np.exp(0.45 + s_home - s_away)).astype(float)
    away_goals = rng.poisson(np.exp(0.2 + s_away - s_home)).astype(float)
    unplayed = frame["round"].to_numpy() > rounds_played
    home_goals[unplayed] = np.nan
    away_goals[unplayed] = np.nan
    return frame.assign(competition=competition, season=season, home_goals=home_goals, away_goals=away_goals,
                        neutral=False)


def simulate_fatigue_data(
    n_teams: int = 20, n_seasons: int = 4, *, attack: float = -0.1, conceded: float = 0.1, share_tired: float = 0.15,
    seed: int = 0,
) -> pd.DataFrame:
    """A synthetic league (double round robin per season, Poisson goals) with known short-rest effects, for
    testing the estimator: the columns :func:`rest_after_uefa` returns (tired sides have 3 days of rest)."""
    rng = np.random.default_rng(seed)
    home, away = np.meshgrid(np.arange(n_teams), np.arange(n_teams), indexing="ij")
    keep = home != away
    home, away = home[keep], away[keep]
    frames = []
    for season in range(n_seasons):
        strength_a, strength_d = rng.normal(0, 0.3, n_teams), rng.normal(0, 0.3, n_teams)
        europe = rng.random(n_teams) < 0.3
        p_tired = min(1.0, share_tired / 0.3)
        tired_h = europe[home] & (rng.random(home.size) < p_tired)
        tired_a = europe[away] & (rng.random(home.size) < p_tired)
        lam_h = np.exp(0.35 + strength_a[home] - strength_d[away] + attack * tired_h + conceded * tired_a)
        lam_a = np.exp(0.1 + strength_a[away] - strength_d[home] + attack * tired_a + conceded * tired_h)
        start = pd.Timestamp(2020 + season, 8, 1)
        frames.append(pd.DataFrame({
            "date": start + pd.to_timedelta(rng.integers(0, 280, home.size), unit="D"), "competition": "XX",
            "season": f"{2020 + season}-{(21 + season) % 100:02d}",
            "home": [f"t{h}" for h in home], "away": [f"t{a}" for a in away],
            "home_goals": rng.poisson(lam_h), "away_goals": rng.poisson(lam_a),
            "home_rest_uefa": np.where(tired_h, 3.0, np.nan), "away_rest_uefa": np.where(tired_a, 3.0, np.nan),
        }))
    return pd.concat(frames, ignore_index=True)
