"""Fatigue and injury risk: what short rest costs a team, measured where the data allow it.

Two effects enter the rotation simulation (:mod:`matchday.decide.season_plan`):

* **Short rest.** A side whose first-choice players played a match ``short_rest_days`` (3) or fewer days
  before is weaker: its log scoring rate moves by ``attack`` and its log conceding rate by ``-defence``
  (both negative numbers mean "weaker"). The size is ESTIMATED from the store by
  :func:`estimate_uefa_fatigue`: domestic league results of clubs that played a UEFA match 1-3 days
  before, against a Poisson team-strength model's expectation for that fixture (attack and defence per
  club-season, home advantage per league-season), over every top-5 league season for which the store holds
  UEFA dates. The estimate is the effect *as clubs manage it* (with whatever rotation they did in the
  league match after the European one). On the full store it cannot be told from zero (log goal ratio
  +0.060, SE 0.047, n = 980; see :data:`ESTIMATED_ATTACK`), in line with Dupont et al. (2010), who found
  physical match performance unaffected by two matches a week. The default keeps the part of the estimate
  with a possible sign (attack -0.030) and zero for the rest. The estimator takes frames
  (:func:`estimate_uefa_fatigue`); :func:`matchday.workflows.fatigue_from_store` reads them from the store.
* **Injuries.** The data hold no injuries, so the risk is a documented assumption: Dupont et al. (2010,
  Am J Sports Med 38(9):1752-8, doi:10.1177/0363546510361236; 32 players of Celtic FC, 2007-09) measured
  25.6 injuries per 1000 match-hours in weeks with two matches against 4.1 with one (about 6x). A
  first-choice player who plays a full match (1.5 h) therefore picks up an injury with probability
  0.0384 after short rest and 0.0062 otherwise; an injured player misses the club's next
  ``layoff_matches`` (2, an assumption: most time-loss injuries in the UEFA injury study last under four
  weeks, Ekstrand et al. 2011, Br J Sports Med 45:553-8). Expected absences lower later lineups by the
  second-string gap per missing player (see :mod:`matchday.decide.squad`).

Every number above is a parameter of :class:`FatigueModel`; ``FatigueModel.none()`` switches both off.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

TOP5: tuple[str, ...] = ("E0", "SP1", "I1", "D1", "F1")
SHORT_REST_DAYS = 3
MATCH_HOURS = 1.5
#: Dupont et al. (2010): injuries per 1000 match-hours, two matches a week vs one.
INJURY_RATE_CONGESTED_PER_1000H = 25.6
INJURY_RATE_NORMAL_PER_1000H = 4.1
LAYOFF_MATCHES = 2

#: Default short-rest effect, from :func:`estimate_uefa_fatigue` on the full store (top-5 leagues 2012-13 to
#: 2015-16 with Champions League dates from champs.csv and 2019-20 to 2023-24 with Football.TXT UCL/UEL/UECL
#: dates; 16,259 league matches, n = 980 tired team-matches, i.e. a UEFA match 1-3 days before):
#: attack -0.030 (SE 0.027), conceded -0.090 (SE 0.036), log goal ratio +0.060 (SE 0.047), points per match
#: +0.050 (SE 0.042). The data cannot tell this effect from zero, and its conceded part has the impossible
#: sign (tired sides conceding fewer goals). The default keeps the estimate where it is physically possible
#: and sets the rest to zero: attack -0.030, defence 0. A UEFA match 4-6 days before shows -0.059 (SE 0.043).
ESTIMATED_ATTACK = -0.030
ESTIMATED_DEFENCE = 0.0
DEFAULT_SOURCE = ("short rest: estimated from top-5 league matches played 1-3 days after a UEFA match (n = 980, "
                  "log goal ratio +0.060, SE 0.047; the part with the impossible sign set to 0); injuries: Dupont "
                  "et al. 2010 (25.6 vs 4.1 per 1000 match-hours)")

@dataclass(frozen=True)
class FatigueModel:
    """Effects of short rest and congestion on a club's match strength (log goal rates).

    attack: change of the club's log scoring rate when its first-choice players played ``short_rest_days``
    or fewer days before (negative = scores less). defence: change of the club's defence (higher = concedes
    fewer), i.e. minus the change of its log conceding rate. Both scale with the *overlap*: the share of
    first-choice players who played the previous match times the share who play this one.
    injury_per_match_short / injury_per_match_normal: probability that a first-choice player who plays a
    whole match is injured in it, after short rest / otherwise. layoff_matches: matches an injured player
    then misses. source: where the numbers come from (shown in reports).
    """

    attack: float = ESTIMATED_ATTACK
    defence: float = ESTIMATED_DEFENCE
    short_rest_days: int = SHORT_REST_DAYS
    injury_per_match_short: float = INJURY_RATE_CONGESTED_PER_1000H / 1000 * MATCH_HOURS
    injury_per_match_normal: float = INJURY_RATE_NORMAL_PER_1000H / 1000 * MATCH_HOURS
    layoff_matches: int = LAYOFF_MATCHES
    source: str = field(default=DEFAULT_SOURCE, compare=False)

    def __post_init__(self) -> None:
        for name in ("attack", "defence", "injury_per_match_short", "injury_per_match_normal"):
            value = getattr(self, name)
            if not np.isfinite(value):
                raise ValueError(f"{name} must be a finite number (got {value!r})")
        for name in ("injury_per_match_short", "injury_per_match_normal"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} is a probability per player and match (got {getattr(self, name)!r})")
        if self.short_rest_days < 0 or self.layoff_matches < 0:
            raise ValueError("short_rest_days and layoff_matches must be >= 0")

    @classmethod
    def none(cls) -> FatigueModel:
        """No fatigue and no injuries: rotation then changes only the lineup's quality."""
        return cls(attack=0.0, defence=0.0, injury_per_match_short=0.0, injury_per_match_normal=0.0,
                   source="switched off")

    def scaled(self, factor: float) -> FatigueModel:
        """The same model with the short-rest effect multiplied by ``factor`` (sensitivity runs)."""
        return replace(self, attack=self.attack * factor, defence=self.defence * factor)

    @property
    def cost(self) -> float:
        """Total short-rest cost on the log goal-ratio scale (attack loss + defence loss, >= 0 when weaker)."""
        return -(self.attack + self.defence)

    def is_short(self, rest_days: float | None) -> bool:
        """Whether ``rest_days`` (days since the previous match; None = unknown, long) is short rest."""
        return rest_days is not None and rest_days <= self.short_rest_days

    def expected_injuries(self, share: float, overlap: float) -> float:
        """Expected injuries to first-choice players in one match: ``share`` of the XI are first-choice
        players, ``overlap`` of the XI are first-choice players who also played the previous match after
        short rest (they carry the congested rate, the others the normal one)."""
        return 11.0 * (overlap * self.injury_per_match_short + (share - overlap) * self.injury_per_match_normal)


# ---------------------------------------------------------------------------------------------------
# Estimation from league and UEFA matches
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FatigueEstimate:
    """Effect on domestic league results of a UEFA match shortly before, with standard errors.

    attack / conceded: change of the tired side's log scoring / conceding rate (per match, against the
    model's expectation); strength = attack - conceded (change of the log ratio of goals scored to goals
    conceded; negative = weaker). points: change of the tired side's expected points in an average league
    fixture (home and away averaged). *_se: standard errors (model-based, inflated by the Pearson dispersion
    when goals are over-dispersed). n_short: tired team-matches (UEFA match 1..``max_rest_days`` days
    before); n_mid: team-matches with a UEFA match ``max_rest_days+1``..6 days before (estimated as a
    separate effect, ``mid_*``); n_matches: league matches used.
    """

    attack: float
    attack_se: float
    conceded: float
    conceded_se: float
    strength: float
    strength_se: float
    points: float
    points_se: float
    mid_attack: float
    mid_conceded: float
    mid_strength: float
    mid_strength_se: float
    n_short: int
    n_mid: int
    n_matches: int
    max_rest_days: int
    leagues: tuple[str, ...]
    seasons: tuple[str, ...]
    dispersion: float
    converged: bool

    def model(self, *, physical: bool = True, **overrides) -> FatigueModel:
        """A :class:`FatigueModel` whose short-rest effect is this estimate (injury defaults kept).

        physical: set the parts with the impossible sign (tired sides scoring more or conceding fewer) to
        zero, as the package default does.
        """
        source = (f"estimated: UEFA match <= {self.max_rest_days} days before a league match, "
                  f"{len(self.leagues)} leagues, {len(self.seasons)} seasons, n = {self.n_short} tired "
                  f"team-matches; strength {self.strength:+.3f} (SE {self.strength_se:.3f})")
        fields = dict(attack=self.attack, defence=-self.conceded, short_rest_days=self.max_rest_days, source=source)
        if physical:  # tiredness cannot make a side better: keep the estimate where it is possible, else 0
            fields.update(attack=min(0.0, self.attack), defence=min(0.0, -self.conceded))
        fields.update(overrides)
        return FatigueModel(**fields)

    def table(self) -> pd.DataFrame:
        """One row per effect: estimate, standard error, z and sample size."""
        rows = [
            ("attack (log goals scored)", self.attack, self.attack_se, self.n_short),
            ("conceded (log goals conceded)", self.conceded, self.conceded_se, self.n_short),
            ("strength (attack - conceded)", self.strength, self.strength_se, self.n_short),
            ("points per match", self.points, self.points_se, self.n_short),
            (f"strength, UEFA {self.max_rest_days + 1}-6 days before", self.mid_strength, self.mid_strength_se,
             self.n_mid),
        ]
        frame = pd.DataFrame(rows, columns=["effect", "estimate", "se", "n"])
        frame["z"] = frame["estimate"] / frame["se"]
        return frame

    def summary(self) -> str:
        return (f"Playing a UEFA match 1-{self.max_rest_days} days before a league match changes the log "
                f"goal ratio by {self.strength:+.3f} (SE {self.strength_se:.3f}; attack {self.attack:+.3f}, "
                f"conceded {self.conceded:+.3f}) and expected points by {self.points:+.3f} (SE "
                f"{self.points_se:.3f}) per match; n = {self.n_short} tired team-matches in {self.n_matches} "
                f"league matches ({', '.join(self.leagues)}; {self.seasons[0]}..{self.seasons[-1]}).")


def rest_after_uefa(league: pd.DataFrame, uefa: pd.DataFrame) -> pd.DataFrame:
    """Days since each side's latest UEFA match before a league match (NaN when none within the data).

    league: played league matches (date, home, away, ...); uefa: UEFA matches (date, home, away).
    Returns ``league`` with columns ``home_rest_uefa`` and ``away_rest_uefa`` (days, float).
    """
    appearances = pd.concat([uefa[["date", "home"]].rename(columns={"home": "team"}),
                             uefa[["date", "away"]].rename(columns={"away": "team"})], ignore_index=True)
    appearances = appearances.assign(date=pd.to_datetime(appearances["date"]), uefa_date=pd.to_datetime(
        appearances["date"])).sort_values("date")
    out = league.copy()
    out["date"] = pd.to_datetime(out["date"])
    for side in ("home", "away"):
        left = out[["date", side]].rename(columns={side: "team"}).reset_index().sort_values("date")
        merged = pd.merge_asof(left, appearances[["date", "team", "uefa_date"]], on="date", by="team",
                               direction="backward", allow_exact_matches=False)
        days = (merged["date"] - merged["uefa_date"]).dt.days.astype(float)
        out.loc[merged["index"].to_numpy(), f"{side}_rest_uefa"] = days.to_numpy()
    return out


def estimate_uefa_fatigue(league: pd.DataFrame, uefa: pd.DataFrame, *, max_rest_days: int = SHORT_REST_DAYS,
                          ridge: float = 1e-4) -> FatigueEstimate:
    """Estimate the short-rest effect (see the module docstring).

    league: played domestic league matches (the outcomes); uefa: the UEFA matches around them (their dates
    say who played in Europe when). A league match counts as "tired" for a side whose latest UEFA match was
    1..``max_rest_days`` days earlier. Model: Poisson goals, log rate = intercept and home advantage per
    league-season + attack of the scoring club-season - defence of the conceding club-season + effects of
    the scorer's and the conceder's tiredness (and of a UEFA match 4-6 days before, as a separate term).
    ``ridge``: tiny L2 penalty on the club terms that only fixes the sum-to-zero freedom.
    """
    return fit_rest_effect(rest_after_uefa(league, uefa), max_rest_days=max_rest_days, ridge=ridge)


def fit_rest_effect(league: pd.DataFrame, *, max_rest_days: int = SHORT_REST_DAYS, ridge: float = 1e-4) -> FatigueEstimate:
    """The Poisson fixed-effects fit behind :func:`estimate_uefa_fatigue` (the package's Newton solver,
    :func:`matchday.models.solver.newton`, on the exact Hessian).

    league: played league matches with ``competition``, ``season``, ``home``, ``away``, goals and the
    ``home_rest_uefa`` / ``away_rest_uefa`` days of :func:`rest_after_uefa`.
    """
    from scipy import sparse
    from scipy.special import gammaln

    from matchday.models.solver import newton

    leagues = tuple(sorted(set(league["competition"].astype(str))))
    seasons = tuple(sorted(set(league["season"].astype(str))))

    n = len(league)
    group = (league["competition"].astype(str) + " " + league["season"].astype(str)).to_numpy()
    group_code, groups = pd.factorize(group)
    home_ts, away_ts = (league["home"].astype(str) + "|" + group).to_numpy(), (league["away"].astype(str) + "|" + group).to_numpy()
    team_code, team_names = pd.factorize(np.concatenate([home_ts, away_ts]))
    h_team, a_team = team_code[:n], team_code[n:]
    rest = {side: league[f"{side}_rest_uefa"].to_numpy(dtype=float) for side in ("home", "away")}
    short = {s: ((rest[s] >= 1) & (rest[s] <= max_rest_days)).astype(float) for s in rest}
    mid = {s: ((rest[s] > max_rest_days) & (rest[s] <= 6)).astype(float) for s in rest}
    goals = np.concatenate([league["home_goals"].to_numpy(dtype=float), league["away_goals"].to_numpy(dtype=float)])

    n_groups, n_teams = len(groups), len(team_names)
    # parameters: intercept[g], home[g], attack[t], defence[t], then the effects that occur in the data
    rows = np.arange(2 * n)
    scorer = np.concatenate([h_team, a_team])
    conceder = np.concatenate([a_team, h_team])
    g2 = np.concatenate([group_code, group_code])
    is_home = np.concatenate([np.ones(n), np.zeros(n)])
    own_short = np.concatenate([short["home"], short["away"]])
    opp_short = np.concatenate([short["away"], short["home"]])
    own_mid = np.concatenate([mid["home"], mid["away"]])
    opp_mid = np.concatenate([mid["away"], mid["home"]])
    e0 = 2 * n_groups + 2 * n_teams
    if not own_short.any():  # nothing to estimate the effect from: say so instead of returning NaN
        from matchday.data.errors import MatchdayError

        raise MatchdayError(f"no league match in the data was played 1-{max_rest_days} days after a UEFA match of "
                            f"one of its clubs ({n} league matches of {', '.join(leagues)}): the short-rest effect "
                            "cannot be estimated; allow more rest days (the default is "
                            f"{SHORT_REST_DAYS}) or add seasons with UEFA dates")
    effects = [own_short, opp_short, own_mid, opp_mid]
    active = [k for k, values in enumerate(effects) if values.any()]  # a term nobody has cannot be estimated
    p = e0 + len(active)
    cols = [g2, n_groups + g2, 2 * n_groups + scorer, 2 * n_groups + n_teams + conceder]
    cols += [np.full(2 * n, e0 + j) for j in range(len(active))]
    vals = [np.ones(2 * n), is_home, np.ones(2 * n), -np.ones(2 * n)] + [effects[k] for k in active]
    x = sparse.csr_matrix((np.concatenate(vals), (np.tile(rows, len(cols)), np.concatenate(cols))), shape=(2 * n, p))
    penalty = np.zeros(p)
    penalty[2 * n_groups:2 * n_groups + 2 * n_teams] = ridge
    theta0 = np.zeros(p)
    theta0[:n_groups] = np.log(max(goals.mean(), 0.1))
    log_factorial = float(gammaln(goals + 1.0).sum())

    def evaluate(theta: np.ndarray, curvature: bool) -> tuple[float, np.ndarray, np.ndarray]:
        eta = x @ theta
        mu = np.exp(eta)
        loglik = float(goals @ eta - mu.sum()) - log_factorial - 0.5 * float(penalty @ theta**2)
        return -loglik, -(x.T @ (goals - mu) - penalty * theta), mu

    def hessian(mu: np.ndarray) -> np.ndarray:
        return (x.T @ sparse.diags(mu) @ x).toarray() + np.diag(penalty)

    unbounded = np.full(p, np.inf)
    solution = newton(evaluate, hessian, theta0, -unbounded, unbounded, tol=1e-8, max_iter=50)
    theta, mu, converged = solution.theta, solution.state, solution.converged
    hess = hessian(mu)
    dispersion = float(np.sum((goals - mu) ** 2 / mu) / max(2 * n - p, 1))
    cov_active = np.linalg.inv(hess)[e0:, e0:] * max(1.0, dispersion)
    b = np.full(4, np.nan)
    b[active] = theta[e0:]
    cov_effects = np.full((4, 4), np.nan)
    cov_effects[np.ix_(active, active)] = cov_active
    se = np.sqrt(np.diag(cov_effects))
    contrast = np.array([1.0, -1.0, 0.0, 0.0])
    mid_contrast = np.array([0.0, 0.0, 1.0, -1.0])

    def contrast_se(c: np.ndarray) -> float:
        used = c != 0
        return float(np.sqrt(c[used] @ cov_effects[np.ix_(used, used)] @ c[used]))

    strength_se = contrast_se(contrast)
    mid_se = contrast_se(mid_contrast)
    mean_home = float(league["home_goals"].astype(float).mean())
    mean_away = float(league["away_goals"].astype(float).mean())

    def points(effects: np.ndarray) -> float:
        return _points_change(mean_home, mean_away, effects[0], effects[1])

    base = points(b)
    gradient = np.zeros(2)
    for k in range(2):
        bumped = b.copy()
        bumped[k] += 1e-5
        gradient[k] = (points(bumped) - base) / 1e-5
    points_se = float(np.sqrt(gradient @ cov_effects[:2, :2] @ gradient))
    return FatigueEstimate(
        attack=float(b[0]), attack_se=float(se[0]), conceded=float(b[1]), conceded_se=float(se[1]),
        strength=float(b[0] - b[1]), strength_se=strength_se, points=base, points_se=points_se,
        mid_attack=float(b[2]), mid_conceded=float(b[3]), mid_strength=float(b[2] - b[3]), mid_strength_se=mid_se,
        n_short=int(own_short.sum()), n_mid=int(own_mid.sum()), n_matches=n, max_rest_days=max_rest_days,
        leagues=leagues, seasons=seasons, dispersion=dispersion, converged=converged,
    )


def _points_change(mean_home: float, mean_away: float, attack: float, conceded: float) -> float:
    """Change of a side's expected points when its scoring rate is x exp(attack) and its conceding rate
    x exp(conceded), in an average fixture (independent Poisson, home and away averaged)."""
    from matchday.models.grid import ScoreGrid

    def expected_points(scored: float, allowed: float) -> float:
        return float(ScoreGrid.from_rates(scored, allowed, 15).expected_points()[0, 0])

    change = 0.0
    for scored, allowed in ((mean_home, mean_away), (mean_away, mean_home)):
        change += expected_points(scored * np.exp(attack), allowed * np.exp(conceded)) - expected_points(scored, allowed)
    return change / 2
