"""The goal-model family: team attack/defence, home advantage, a score distribution, one likelihood.

Every goal model (:class:`GoalModel` and its subclasses Poisson, Dixon-Coles, negative binomial, bivariate
Poisson, shots-informed Dixon-Coles) keeps the contract of :mod:`matchday.models.interface` and shares one
parametrisation, one likelihood and one optimiser (:mod:`matchday.models.solver`)::

    log lambda_home = intercept + home_advantage[c] * (1 - neutral) + attack[home] - defence[away]
    log lambda_away = intercept                                     + attack[away] - defence[home]

with a higher ``defence`` meaning fewer goals conceded, a home advantage per competition ``c`` (or a
single one; matches played without crowds share one of their own, :data:`CLOSED_DOORS`), and a :class:`~matchday.models.distributions.ScoreDistribution` for the score given the two rates
(Poisson, Dixon-Coles, negative binomial, bivariate Poisson). The objective is the time-weighted
log-likelihood (weights from :mod:`matchday.models.weights`, ages counted from the end of the as-of day) minus a Gaussian (L2) prior on the team
parameters::

    sum_i w_i log p(x_i, y_i | lambda_i, extra) - shrinkage / 2 * sum_t [(a_t - m_t)^2 + (d_t - n_t)^2]

``shrinkage`` is the prior precision 1/sigma^2 of a team's attack or defence around its prior mean:
its competition's mean (estimated jointly; one group per current league, so a joint E0 + E1 fit shrinks
Championship clubs towards the Championship level) plus an offset (:data:`PROMOTED_PRIOR` for clubs new
to their league, or one given per team in ``priors``).

Fit: Newton's method on the exact Hessian (3-5 iterations from a moment-based start, 2-3 from a warm
start), with backtracking and an active set for bounded extras. The distribution returns, per match,
the first and second derivatives of the log-likelihood in the two log-rates, including every term of
the Dixon-Coles factor tau; the chain rule to the team parameters is a handful of ``np.bincount`` calls
over index arrays built once per fit (gradient) and a block-wise assembly (Hessian); no pandas and no
per-match Python in the objective. SciPy's L-BFGS-B on the same exact gradient is kept as
``solver="lbfgs"``, an independent check that both reach the same maximum.

Identifiability: the likelihood is invariant to ``attack += c, intercept -= c`` and to
``defence += c, intercept += c``. With ``shrinkage > 0`` the prior pins both (stationarity in the
intercept and in the competition means gives sum_t (a_t - m_t) = 0 within the reference group), so the
solution is unique. With ``shrinkage = 0`` those two directions are added to the Newton system as a
rank-2 term (the gradient is orthogonal to them, so the step never moves along them) and the fit is
re-centred to mean attack = mean defence = 0 afterwards. The maximised log-likelihood does not depend on
the choice: penaltyblog instead fixes mean attack = 1 with no intercept and, at its true optimum, gets
the same value (tests/test_models_dixon_coles.py maps one onto the other). Leagues with no match
between them (no UEFA data) keep one free relative level each: only cross-league matches put them on
one scale.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd

from matchday.data.competitions import COMPETITIONS, UEFA_CODES
from matchday.data.errors import DataError
from matchday.data.frames import ALL_COMPETITIONS, MatchArrays, as_of_day, day_end, played_matches
from matchday.models.distributions import LikelihoodResult, PoissonScores, ScoreDistribution
from matchday.models.interface import (
    NEWCOMER_DAYS,
    ModelBase,
    as_array,
    filter_ratings,
    map_values,
    sorted_codes,
)
from matchday.models.league_prior import (
    DEFAULT_OFFSET_PRIOR_SD,
    WEAK_LINK_MATCHES,
    WEAK_LINK_SD,
    LeaguePrior,
    default_prior,
    precision_of,
)
from matchday.models.solver import bounds_arrays, lbfgs, newton, single_threaded_blas
from matchday.models.weights import DEFAULT_XI, decay_weights

DEFAULT_SHRINKAGE: float = 6.0
"""Prior precision 1/sigma^2 of each team's attack and defence around its prior mean (sigma = 0.41).

How it was chosen (validation seasons 2014-15 to 2018-19 of the top-5 leagues, never the 2019-24 seasons
results are reported on): season-by-season unpenalised fits spread attacks with a standard deviation of
0.30 and defences 0.26 (log scale); net of sampling noise that is a between-team spread of about 0.25,
i.e. a precision of 16 for a prior on one season's strength. But the model rates a club on several
seasons of time-decayed data while strengths drift, so the precision that forecasts best is lower:
walk-forward RPS on the validation seasons was flat for precisions 3 to 8 (0.19691, 0.19686 at 6,
0.19690) and worse at 16 (0.19739) and at 0 (0.19720). 6 (sigma ~0.4; a match informs an attack by
about its expected goals, ~1.4, so the prior weighs like ~4 matches) is the middle of that plateau. An
established club (time-weighted information ~100) moves ~6% of the way to its prior mean; a club with
three matches (information ~4) ~60% of the way.
"""

PROMOTED_PRIOR: tuple[float, float] = (-0.22, -0.15)
"""Prior offset (attack, defence) of a newly promoted club relative to its league's mean.

Measured on the seasons 2013-14 to 2018-19 of the top-5 leagues (83 promoted club-seasons): promoted
clubs end their first season with attack -0.22 and defence -0.15 below the league mean (log scale), i.e. about
0.55 goals a match worse in goal difference. Used for clubs new to a competition that has older data in
the fit (see :func:`_team_membership`); fitting the second tier jointly (E0 + E1) lets their own
Championship form speak instead.
"""


CLOSED_DOORS: tuple[str, str] = ("2020-03-09", "2021-06-30")
"""First and last day (inclusive) of the period when European football was played without crowds.

Why: home advantage is mostly the crowd's. In a fit of the store's 2019-20 to 2021-22 seasons (16 leagues and
the UEFA competitions, no decay) the matches of this period have a home advantage of 0.17 against 0.22 for the
other matches of those seasons, and 0.28 in 2013-14 to 2018-19 (log-goal scale). A time-decayed fit with a
three-season window still weighs them two seasons later. In a fit, matches in this period share one home
advantage of their own (:attr:`GoalModel.closed_doors_home_advantage_`, all competitions: without crowds what
is left is travel and familiarity), so each competition's home advantage is that of matches with crowds, the
one every forecast after mid-2021 needs. It does not by itself fix the UEFA home wins of 2022-25 that
docs/cross-league.md shows under-predicted: the UEFA matches of 2021-22, with crowds back but restricted in
many countries, had a low home advantage too, and a window's UEFA matches are few.

The dates: the first top-flight matches behind closed doors (Serie A) were on 8 March 2020 and European
football stopped within days; crowds came back in most leagues for 2021-22 (July 2021 on).
Partial crowds in some leagues in autumn 2020 and restrictions in some countries in the winter of 2021-22 are
not modelled (the store has no attendance).
"""

SECOND_LEG_MIN_WEIGHT: float = 60.0
"""Time-weighted second legs below which a fit keeps the one rho for second legs too (``second_leg_rho_`` is
then NaN). One match informs rho by about 0.5 (the curvature of its Dixon-Coles log-likelihood at the usual
expected goals), so 60 weighted matches give a standard error of about 0.18, as large as the effect. The
training windows of the UEFA check hold 10-220 (the sources mark legs for some seasons only)."""

CLOSED_DOORS_LABEL = "closed doors"
"""Name of the shared home-advantage slot of the matches in :data:`CLOSED_DOORS` (see ``closed_doors_home_advantage_``)."""


@dataclass
class _Design:
    """Index arrays of one fit, built once and reused by every objective evaluation.

    Parameter vector: ``[attack (T), defence (T), intercept, home_advantage (C), competition mean attack
    (K-1), competition mean defence (K-1), extra (E)]``; the K competition means (prior means of the teams'
    attack/defence, the reference group's fixed at 0) exist only with shrinkage and several competitions.
    """

    n_teams: int
    n_comp: int
    n_extra: int
    home: np.ndarray
    away: np.ndarray
    comp: np.ndarray  # competition index of the match's home advantage; n_comp for neutral venues
    weights: np.ndarray
    prior_attack: np.ndarray  # per-team prior offsets (relative to the team's competition mean)
    prior_defence: np.ndarray
    anchor: np.ndarray | None = None  # per-team competition group (0 = reference) for the prior means
    n_anchor: int = 1
    # Gaussian prior on the strength offsets o_k = (A_k + D_k) / 2 of the groups 1..K-1 (league_prior.py)
    offset_mean: np.ndarray | None = None
    offset_precision: np.ndarray | None = None
    # Gaussian prior on the home advantages (one per slot; precision 0 = none), carried for UEFA competitions
    adv_mean: np.ndarray | None = None
    adv_precision: np.ndarray | None = None

    def __post_init__(self) -> None:
        t, c = self.n_teams, self.n_comp
        if self.anchor is None:
            self.anchor = np.zeros(t, dtype=np.intp)
            self.n_anchor = 1
        self.n_linear = 2 * t + 1 + c  # parameters that enter the log-rates
        k = self.n_anchor - 1
        self.anchor_attack = slice(self.n_linear, self.n_linear + k)
        self.anchor_defence = slice(self.n_linear + k, self.n_linear + 2 * k)
        self.anchor_size = np.bincount(self.anchor, minlength=self.n_anchor).astype(float)
        self.scatter_attack = np.concatenate([self.home, self.away])  # where d_home, d_away land
        self.scatter_defence = np.concatenate([self.away, self.home])
        self.home_mask = (self.comp < c).astype(float)
        self.pair_home_away = self.home * t + self.away  # team-pair cells of the Hessian
        self.pair_away_home = self.away * t + self.home
        self.home_comp = self.home * (c + 1) + self.comp  # team x competition cells (c = neutral)
        self.away_comp = self.away * (c + 1) + self.comp

    def cross_pairs(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Flat Hessian cells (row * size + col) and signs linking eta_home and eta_away of ``rows``.

        eta_home depends on (attack[home], defence[away], intercept, home_advantage[c]) with signs
        (+, -, +, +); eta_away on (attack[away], defence[home], intercept) with (+, -, +). A neutral
        venue's home advantage points at a dummy slot ``size`` (dropped afterwards).
        """
        t, c, size = self.n_teams, self.n_comp, self.size
        comp = self.comp[rows]
        adv = np.where(comp < c, 2 * t + 1 + comp, size)
        slots_h = np.stack([self.home[rows], t + self.away[rows], np.full(rows.size, 2 * t), adv], axis=1)
        slots_a = np.stack([self.away[rows], t + self.home[rows], np.full(rows.size, 2 * t)], axis=1)
        p1 = size + 1
        cells = np.concatenate([(slots_h[:, :, None] * p1 + slots_a[:, None, :]).reshape(rows.size, -1),
                                (slots_a[:, None, :] * p1 + slots_h[:, :, None]).reshape(rows.size, -1)], axis=1)
        signs = np.outer([1.0, -1.0, 1.0, 1.0], [1.0, -1.0, 1.0]).ravel()
        return cells, np.concatenate([signs, signs])

    def chain(self, d_home: np.ndarray, d_away: np.ndarray) -> np.ndarray:
        """J^T (d_home, d_away): a per-match derivative in the two log-rates mapped onto the parameters
        (without the extras): the gradient, or a mixed Hessian column."""
        t, c = self.n_teams, self.n_comp
        out = np.empty(2 * t + 1 + c)
        both = np.concatenate([d_home, d_away])
        out[:t] = np.bincount(self.scatter_attack, both, minlength=t)
        out[t:2 * t] = -np.bincount(self.scatter_defence, both, minlength=t)
        out[2 * t] = both.sum()
        if c == 1:
            out[2 * t + 1] = float(np.dot(d_home, self.home_mask))
        else:
            out[2 * t + 1:] = np.bincount(self.comp, d_home, minlength=c + 1)[:c]
        return out

    @property
    def size(self) -> int:
        return self.n_linear + 2 * (self.n_anchor - 1) + self.n_extra

    def strength_offsets(self, theta: np.ndarray) -> np.ndarray:
        """o_k = (A_k + D_k) / 2 of the groups 1..K-1 (the reference's is 0)."""
        return 0.5 * (theta[self.anchor_attack] + theta[self.anchor_defence])

    def prior_means(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per-team prior means of attack and defence: competition mean + the team's own offset."""
        mean_attack = np.concatenate([[0.0], theta[self.anchor_attack]])[self.anchor]
        mean_defence = np.concatenate([[0.0], theta[self.anchor_defence]])[self.anchor]
        return mean_attack + self.prior_attack, mean_defence + self.prior_defence

    def split(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, np.ndarray, np.ndarray]:
        """(attack, defence, intercept, home advantages, extras) views of ``theta``."""
        t, c = self.n_teams, self.n_comp
        return (theta[:t], theta[t:2 * t], float(theta[2 * t]), theta[2 * t + 1:2 * t + 1 + c],
                theta[self.size - self.n_extra:])

    def linear_predictors(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        attack, defence, intercept, home_adv, _ = self.split(theta)
        adv = np.append(home_adv, 0.0)  # slot n_comp = neutral venue: no home advantage
        eta_h = intercept + adv[self.comp] + attack[self.home] - defence[self.away]
        eta_a = intercept + attack[self.away] - defence[self.home]
        return eta_h, eta_a

    def null_directions(self) -> np.ndarray:
        """The two directions along which the likelihood is flat (attack+c & intercept-c, defence+c &
        intercept+c), normalised, as columns."""
        t = self.n_teams
        v = np.zeros((self.size, 2))
        v[:t, 0] = 1.0
        v[2 * t, 0] = -1.0
        v[t:2 * t, 1] = 1.0
        v[2 * t, 1] = 1.0
        return v / np.sqrt(t + 1.0)


class _Objective:
    """Negative penalised log-likelihood F(theta) with exact gradient and Hessian."""

    def __init__(self, distribution: ScoreDistribution, design: _Design, prep: dict, shrinkage: float) -> None:
        self.dist = distribution
        self.design = design
        self.prep = prep
        self.shrinkage = shrinkage
        self._pairs: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}

    def __call__(self, theta: np.ndarray, curvature: bool = False):
        """(F, dF/dtheta, likelihood result, unpenalised log-likelihood) at ``theta``.

        With ``curvature`` the result carries the second derivatives that :meth:`hessian` assembles.
        """
        d = self.design
        t, size, e = d.n_teams, d.size, d.n_extra
        eta_h, eta_a = d.linear_predictors(theta)
        res = self.dist.loglik(eta_h, eta_a, theta[size - e:], self.prep, curvature)
        grad = np.zeros(size)
        grad[:d.n_linear] = d.chain(res.d_home, res.d_away)
        grad[size - e:] = res.d_extra
        value = res.loglik
        s = self.shrinkage
        if s:
            mean_attack, mean_defence = d.prior_means(theta)
            da = theta[:t] - mean_attack
            dd = theta[t:2 * t] - mean_defence
            value -= 0.5 * s * (float(np.dot(da, da)) + float(np.dot(dd, dd)))
            grad[:t] -= s * da
            grad[t:2 * t] -= s * dd
            if d.n_anchor > 1:
                grad[d.anchor_attack] += s * np.bincount(d.anchor, da, minlength=d.n_anchor)[1:]
                grad[d.anchor_defence] += s * np.bincount(d.anchor, dd, minlength=d.n_anchor)[1:]
                if d.offset_precision is not None:
                    r = d.strength_offsets(theta) - d.offset_mean
                    pr = d.offset_precision @ r
                    value -= 0.5 * float(np.dot(r, pr))
                    grad[d.anchor_attack] -= 0.5 * pr
                    grad[d.anchor_defence] -= 0.5 * pr
        if d.adv_precision is not None:
            block = slice(2 * t + 1, 2 * t + 1 + d.n_comp)
            r = theta[block] - d.adv_mean
            value -= 0.5 * float(np.dot(d.adv_precision * r, r))
            grad[block] -= d.adv_precision * r
        return -value, -grad, res, res.loglik

    def hessian(self, res: LikelihoodResult) -> np.ndarray:
        """d2F/dtheta2 = -(J^T H_eta J - shrinkage), assembled block by block with bincount."""
        d = self.design
        t, c, size, e = d.n_teams, d.n_comp, d.size, d.n_extra
        hh, aa = res.h_hh, res.h_aa
        hess = np.zeros((size, size))
        m, g0 = 2 * t, 2 * t + 1
        diag_attack = np.bincount(d.home, hh, minlength=t) + np.bincount(d.away, aa, minlength=t)
        diag_defence = np.bincount(d.away, hh, minlength=t) + np.bincount(d.home, aa, minlength=t)
        cross = (np.bincount(d.pair_home_away, hh, minlength=t * t)
                 + np.bincount(d.pair_away_home, aa, minlength=t * t)).reshape(t, t)
        hess[:t, t:2 * t] = -cross  # attack[i] with defence[j]: i scored against j
        hess[t:2 * t, :t] = -cross.T
        idx = np.arange(t)
        hess[idx, idx] = diag_attack
        hess[t + idx, t + idx] = diag_defence
        hess[:t, m] = hess[m, :t] = diag_attack
        hess[t:2 * t, m] = hess[m, t:2 * t] = -diag_defence
        hess[m, m] = hh.sum() + aa.sum()
        per_comp = np.bincount(d.comp, hh, minlength=c + 1)[:c]
        home_block = np.bincount(d.home_comp, hh, minlength=t * (c + 1)).reshape(t, c + 1)[:, :c]
        away_block = np.bincount(d.away_comp, hh, minlength=t * (c + 1)).reshape(t, c + 1)[:, :c]
        hess[:t, g0:g0 + c] = home_block
        hess[g0:g0 + c, :t] = home_block.T
        hess[t:2 * t, g0:g0 + c] = -away_block
        hess[g0:g0 + c, t:2 * t] = -away_block.T
        hess[m, g0:g0 + c] = hess[g0:g0 + c, m] = per_comp
        hess[g0 + np.arange(c), g0 + np.arange(c)] = per_comp
        rows = np.flatnonzero(res.h_ha)
        if rows.size:  # matches whose two scores are dependent (Dixon-Coles 0-0, bivariate Poisson)
            key = rows.tobytes()
            if key not in self._pairs:  # the rows depend on the scores only: build the cells once
                self._pairs = {key: d.cross_pairs(rows)}
            cells, signs = self._pairs[key]
            values = (res.h_ha[rows, None] * signs).ravel()
            flat = np.bincount(cells.ravel(), values, minlength=(size + 1) ** 2)
            hess += flat.reshape(size + 1, size + 1)[:size, :size]
        lin = d.n_linear
        for j in range(e):
            col = size - e + j
            mixed = d.chain(res.h_he[:, j], res.h_ae[:, j])
            hess[:lin, col] = mixed
            hess[col, :lin] = mixed
        if e:
            hess[size - e:, size - e:] = res.h_ee
        s = self.shrinkage
        if s:
            hess[np.arange(2 * t), np.arange(2 * t)] -= s
            if d.n_anchor > 1:
                k = d.n_anchor - 1
                grouped = d.anchor > 0
                teams = np.flatnonzero(grouped)
                groups = d.anchor[grouped] - 1
                for offset, block in ((0, d.anchor_attack), (t, d.anchor_defence)):
                    cols = block.start + groups
                    hess[offset + teams, cols] = s
                    hess[cols, offset + teams] = s
                    idx = block.start + np.arange(k)
                    hess[idx, idx] = -s * d.anchor_size[1:]
                if d.offset_precision is not None:  # d2/dA dA = d2/dA dD = ... = -P / 4
                    for rows in (d.anchor_attack, d.anchor_defence):
                        for cols in (d.anchor_attack, d.anchor_defence):
                            hess[rows, cols] -= 0.25 * d.offset_precision
        if d.adv_precision is not None:
            hess[g0 + np.arange(c), g0 + np.arange(c)] -= d.adv_precision
        return -hess



def _group_country(name: str) -> str:
    """Country of a league group: the league's country; the clubs known only from a UEFA competition
    form their own ("EUR:<code>")."""
    info = COMPETITIONS.get(name)
    if info is None or name in UEFA_CODES:
        return f"EUR:{name}"
    return str(info.country)


@dataclass
class _Membership:
    current: np.ndarray  # per team: index (into the fit's competitions) of its latest domestic competition
    first: np.ndarray  # per team: date of its first match in the data (datetime64[ns])
    last: np.ndarray  # per team: date of its latest match in the data
    newcomer: np.ndarray  # per team: new to a competition that has older data (a promoted club)


def _team_membership(home: np.ndarray, away: np.ndarray, comp: np.ndarray, comp_names: np.ndarray,
                     dates: np.ndarray, n_teams: int, reference: pd.Timestamp) -> _Membership:
    """Each team's current competition (that of its latest match, a domestic league if it has one), first
    and last dates, and whether it is a newcomer: first seen less than NEWCOMER_DAYS before ``reference``
    in a competition whose data starts more than NEWCOMER_DAYS before that first match (a promoted club)."""
    team = np.concatenate([home, away])
    comps = np.concatenate([comp, comp])
    day = dates.astype("datetime64[ns]").astype(np.int64)
    day2 = np.concatenate([day, day])
    order = np.lexsort((day2, team))  # by team, then date
    sorted_team, sorted_day, sorted_comp = team[order], day2[order], comps[order]
    change = sorted_team[1:] != sorted_team[:-1]
    head = np.flatnonzero(np.r_[True, change])
    tail = np.flatnonzero(np.r_[change, True])
    teams_seen = sorted_team[head]
    first = np.full(n_teams, np.iinfo(np.int64).max, dtype=np.int64)
    last = np.full(n_teams, np.iinfo(np.int64).min, dtype=np.int64)
    first[teams_seen] = sorted_day[head]
    last[teams_seen] = sorted_day[tail]
    current = np.full(n_teams, -1, dtype=np.intp)
    current[teams_seen] = sorted_comp[tail]  # latest match of any kind ...
    domestic = ~np.isin(comp_names, list(UEFA_CODES))
    if not domestic.all():  # ... replaced by the latest domestic match where there is one
        dom = domestic[sorted_comp]
        dom_team = sorted_team[dom]
        if dom_team.size:
            dom_tail = np.flatnonzero(np.r_[dom_team[1:] != dom_team[:-1], True])
            current[dom_team[dom_tail]] = sorted_comp[dom][dom_tail]
    comp_first = np.array([day[comp == c].min() if (comp == c).any() else np.iinfo(np.int64).max
                           for c in range(len(comp_names))], dtype=np.int64)
    window = np.int64(NEWCOMER_DAYS) * 86_400 * 1_000_000_000
    ref = np.int64(pd.Timestamp(reference).value)
    has = current >= 0
    newcomer = np.zeros(n_teams, dtype=bool)
    newcomer[has] = (first[has] > comp_first[current[has]] + window) & (first[has] > ref - window)
    return _Membership(current, first.astype("datetime64[ns]"), last.astype("datetime64[ns]"), newcomer)


class GoalModel(ModelBase):
    """Team attack/defence model with a pluggable score distribution (see the module docstring).

    Parameters
    ----------
    distribution: the :class:`ScoreDistribution` (Poisson, Dixon-Coles, ...); None = the class's own
        (:attr:`default_distribution`: independent Poisson here, Dixon-Coles for :class:`DixonColes`, ...).
        The one in use after ``fit`` is ``distribution_``.
    xi: time-decay rate in 1/day (weight ``exp(-xi * age)``); 0 = no decay. Default 0.0019
        (Dixon & Coles' published optimum, half-life ~365 days).
    max_goals: G, size of the (censored) score matrices.
    shrinkage: prior precision of attack/defence around the prior means (0 = plain maximum likelihood);
        default :data:`DEFAULT_SHRINKAGE`.
    priors: optional ``{team: (attack, defence)}`` prior means (default 0, an average team). A team listed
        here but absent from the data is rated at its prior (e.g. a promoted club before its first match).
    league_prior: a :class:`~matchday.models.league_prior.LeaguePrior` on the leagues' strength offsets,
        normally the posterior of the previous training window carried forward
        (:func:`matchday.models.training.fit_model` builds it); None = every league's offset has the
        default prior below. Leagues it does not know get the default prior.
    league_prior_sd: standard deviation of the default prior of a league's strength offset around the
        reference league (default :data:`~matchday.models.league_prior.DEFAULT_OFFSET_PRIOR_SD`); None =
        no prior on the offsets (maximum likelihood: a league without cross-league matches is then not
        tied to the others; the behaviour before issue 8).
    home_advantage: ``"competition"`` (default: one per competition; leagues differ and UEFA away trips
        are longer, so a joint fit across leagues should not force one value; for a one-league fit it is
        the same as ``"single"``) or ``"single"``.
    closed_doors: ``(first, last)`` days (ISO text or dates, inclusive) of a period without crowds whose matches
        get one home advantage of their own, shared by all competitions (default :data:`CLOSED_DOORS`, the
        COVID-19 period; None = none: every match gets its competition's home advantage). Forecasts use the
        competitions' own home advantages (fitted on the other matches); ``competition="closed doors"`` asks
        for the closed-doors one (``closed_doors_home_advantage_``).
    second_leg_rho: second legs of two-legged ties get their own Dixon-Coles rho (``second_leg_rho_``;
        default False, see below; distributions with a ``rho`` only). After the joint fit, rho is re-estimated on the
        window's second legs (``leg == 2``) with every team's rates held at the fitted values (time-weighted
        conditional maximum likelihood); ``predict_many(..., second_leg=True)`` uses it. Why: in the UEFA
        walk-forward (docs/cross-league.md) second legs had far fewer draws than one rho predicts (selection
        seasons: 0.248 predicted, 0.180 observed in 328 second legs; first legs and group matches matched):
        the side behind on aggregate must attack, so a level score rarely lasts. Needs
        :data:`SECOND_LEG_MIN_WEIGHT` time-weighted second legs, else the one rho is kept. Off by default: a
        training window holds 10-220 weighted second legs, rho's standard error is 0.1-0.2 and, fitted in
        the window, second legs show no draw deficit given the fitted rates (-0.03 to -0.10 in 2013-16); on
        the selection seasons it changed the RPS by -0.00004 +- 0.00032. The deficit depends on the first-leg
        margin (the tie state), which a match model does not see.
    carried_home_advantage: use the UEFA home advantages carried in ``league_prior`` (the previous window's
        posterior, fitted on matches with crowds, drifted by
        :data:`~matchday.models.league_prior.DEFAULT_HOME_ADVANTAGE_DRIFT` a year) as normal priors of this
        fit's (default False: on the selection seasons of docs/cross-league.md it changed the RPS by -0.00002,
        within noise; the posterior always carries them, so a chain can switch it on).
    newcomer_prior: prior offset (attack, defence) of a club new to a competition with older data (a
        promoted club); default :data:`PROMOTED_PRIOR`; None = no offset.
    prior_mean: ``"competition"`` (default: each team's prior mean is its current competition's mean,
        estimated jointly) or ``"zero"`` (every team's prior mean is the average team).
    warm_start: each ``fit`` starts from this model's previous solution (scikit-learn's meaning); the
        optimum does not depend on it, only the number of iterations.
    solver: ``"newton"`` (exact Hessian, default: ~6 iterations) or ``"lbfgs"`` (SciPy L-BFGS-B with the
        exact gradient; kept as an independent check).
    tol: stop when every gradient component of the log-likelihood is below ``tol`` (default 1e-4: the
        log-likelihood is then within ~1e-8 of its maximum, the parameters within ~1e-6).
    max_iter: Newton iterations at most.
    """

    default_distribution: ClassVar[type[ScoreDistribution]] = PoissonScores

    def __init__(
        self,
        distribution: ScoreDistribution | None = None,
        *,
        xi: float = DEFAULT_XI,
        max_goals: int = 10,
        shrinkage: float = DEFAULT_SHRINKAGE,
        priors: Mapping[str, tuple[float, float]] | None = None,
        newcomer_prior: tuple[float, float] | None = PROMOTED_PRIOR,
        prior_mean: str = "competition",
        league_prior: LeaguePrior | None = None,
        league_prior_sd: float | None = DEFAULT_OFFSET_PRIOR_SD,
        home_advantage: str = "competition",
        closed_doors: tuple[Any, Any] | None = CLOSED_DOORS,
        second_leg_rho: bool = False,
        carried_home_advantage: bool = False,
        warm_start: bool = False,
        solver: str = "newton",
        tol: float = 1e-4,
        max_iter: int = 100,
    ) -> None:
        self.distribution = distribution
        self.league_prior = league_prior
        self.league_prior_sd = league_prior_sd
        self.xi = xi
        self.max_goals = max_goals
        self.shrinkage = shrinkage
        self.priors = priors
        self.newcomer_prior = newcomer_prior
        self.prior_mean = prior_mean
        self.home_advantage = home_advantage
        self.closed_doors = closed_doors
        self.second_leg_rho = second_leg_rho
        self.carried_home_advantage = carried_home_advantage
        self.warm_start = warm_start
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter

    # ------------------------------------------------------------------ hooks for variants
    def _targets(self, data: MatchArrays, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """What the likelihood models as goals (the shots variant substitutes an xG proxy)."""
        return data.home_goals, data.away_goals

    def _after_fit(self, data: MatchArrays, design: _Design) -> None:
        """Called at the end of ``fit`` (the shots variant refits rho on real goals here)."""

    def _predict_distribution(self) -> ScoreDistribution:
        """The distribution of the predicted scores: ``distribution``, else the class's default."""
        return self.distribution if self.distribution is not None else self.default_distribution()

    def _fit_distribution(self) -> ScoreDistribution:
        """The distribution whose likelihood the team parameters maximise (the shots variant fits a
        quasi-Poisson on its xG proxy but predicts with its ``distribution``)."""
        return self._predict_distribution()

    # ------------------------------------------------------------------ fitting
    def _validate_config(self) -> None:
        if not (self.xi >= 0 and math.isfinite(self.xi)):
            raise ValueError(f"xi must be a finite decay rate >= 0 per day (got {self.xi})")
        if not (self.shrinkage >= 0 and math.isfinite(self.shrinkage)):
            raise ValueError(f"shrinkage must be >= 0 (got {self.shrinkage})")
        if self.home_advantage not in ("competition", "single"):
            raise ValueError(f"home_advantage must be 'competition' or 'single' (got {self.home_advantage!r})")
        if int(self.max_goals) != self.max_goals or self.max_goals < 2:
            raise ValueError(f"max_goals must be an integer >= 2 (got {self.max_goals!r})")
        if self.prior_mean not in ("competition", "zero"):
            raise ValueError(f"prior_mean must be 'competition' or 'zero' (got {self.prior_mean!r})")
        if self.league_prior_sd is not None and not (self.league_prior_sd > 0 and math.isfinite(self.league_prior_sd)):
            raise ValueError(f"league_prior_sd must be a finite standard deviation > 0 or None (got {self.league_prior_sd})")
        if self.league_prior is not None and not isinstance(self.league_prior, LeaguePrior):
            raise ValueError(f"league_prior must be a LeaguePrior or None (got {type(self.league_prior).__name__})")
        if self.closed_doors is not None:
            try:
                first, last = (pd.Timestamp(day) for day in self.closed_doors)
            except (TypeError, ValueError) as error:
                raise ValueError(f"closed_doors must be (first day, last day) or None (got {self.closed_doors!r})"
                                 ) from error
            if pd.isna(first) or pd.isna(last) or last < first:
                raise ValueError(f"closed_doors must be (first day, last day) with first <= last "
                                 f"(got {self.closed_doors!r})")
        if self.solver not in ("newton", "lbfgs"):
            raise ValueError(f"solver must be 'newton' or 'lbfgs' (got {self.solver!r})")

    def fit(self, matches: pd.DataFrame, as_of: Any = None) -> Self:
        """Fit on the played matches dated on or before ``as_of`` (a day; every played match when None).

        Time-decay weights count a match's age from the end of the as-of day (of the last match day when
        ``as_of`` is None): a match played that day weighs ``exp(-xi)``. With ``warm_start=True`` the
        previous solution of this model starts the optimiser; the optimum does not depend on it.
        """
        self._validate_config()
        day = as_of_day(as_of)
        data = played_matches(matches, day)
        if len(data) == 0:
            raise DataError("no played matches to fit" + (f" on or before {day.date()}" if day is not None else ""),
                            column="date", expected="at least one played match on or before the as-of date")
        day = day if day is not None else pd.Timestamp(data.date.max()).normalize()
        reference = day_end(day)
        weights = decay_weights(data.date, reference, self.xi)
        x, y = self._targets(data, weights)

        n = len(data)
        prior_names = np.asarray(list(self.priors) if self.priors else [], dtype=object)
        codes, teams = sorted_codes(np.concatenate([data.home, data.away, prior_names]))
        home_idx, away_idx = codes[:n], codes[n:2 * n]
        comp_idx, comps_all = sorted_codes(data.competition)
        if self.home_advantage == "single":
            comp_names = np.array([ALL_COMPETITIONS], dtype=object)
            slot_names, slot_of = comp_names, np.zeros(len(comps_all), dtype=np.intp)
        else:
            comp_names = comps_all
            slot_names, slot_of = comps_all, np.arange(len(comps_all), dtype=np.intp)
        adv_idx, fit_names, n_closed, closed_only = self._closed_doors_slot(data, slot_of[comp_idx], slot_names)
        n_comp = len(fit_names)

        membership = _team_membership(home_idx, away_idx, comp_idx, comps_all, data.date, len(teams), reference)
        prior_attack = np.zeros(len(teams))
        prior_defence = np.zeros(len(teams))
        if self.newcomer_prior is not None:
            prior_attack[membership.newcomer] = self.newcomer_prior[0]
            prior_defence[membership.newcomer] = self.newcomer_prior[1]
        if self.priors:
            where = np.searchsorted(teams, prior_names)
            values = np.asarray([self.priors[name] for name in prior_names], dtype=float).reshape(-1, 2)
            prior_attack[where] = values[:, 0]
            prior_defence[where] = values[:, 1]
        anchor: np.ndarray | None = None
        n_anchor = 1
        group_names = np.array([], dtype=object)
        offset_mean = offset_precision = None
        self._offset_prior = None
        if self.shrinkage > 0 and self.prior_mean == "competition":
            anchor, group_names = self._league_groups(membership.current, comps_all)
            n_anchor = len(group_names)
            if n_anchor > 1 and self.league_prior_sd is not None:
                others = [str(g) for g in group_names[1:]]
                if self.league_prior is not None:
                    mean, cov, carried = self.league_prior.for_groups(others, str(group_names[0]),
                                                                      float(self.league_prior_sd))
                else:
                    mean, cov, carried = default_prior(others, float(self.league_prior_sd), str(group_names[0]))
                offset_mean, offset_precision = mean, precision_of(cov)
                self._offset_prior = (mean, cov, carried)
            elif n_anchor <= 1:
                anchor = None
        self._newcomers = teams[membership.newcomer]
        self._last_played = membership.last

        adv_mean = adv_precision = None
        if self.carried_home_advantage and self.league_prior is not None and self.league_prior.home_advantage:
            adv_mean, adv_precision = self.league_prior.home_advantage_prior([str(c) for c in fit_names])
            if not adv_precision.any():
                adv_mean = adv_precision = None
        self._adv_prior = (adv_mean, adv_precision)
        self._carried_slots = np.array([str(c) in UEFA_CODES for c in fit_names]) & np.r_[
            ~closed_only, np.zeros(len(fit_names) - len(closed_only), dtype=bool)]

        dist = self._fit_distribution()
        design = _Design(n_teams=len(teams), n_comp=n_comp, n_extra=len(dist.extra_names), home=home_idx,
                         away=away_idx, comp=np.where(data.neutral, n_comp, adv_idx), weights=weights,
                         prior_attack=prior_attack, prior_defence=prior_defence, anchor=anchor, n_anchor=n_anchor,
                         offset_mean=offset_mean, offset_precision=offset_precision, adv_mean=adv_mean,
                         adv_precision=adv_precision)
        prep = dist.prepare(x, y, weights)
        objective = _Objective(dist, design, prep, float(self.shrinkage))

        warm = self.warm_start and self._is_fitted() and type(self._fitted_with) is type(dist)
        theta0 = self._warm_theta(teams, fit_names, design) if warm else self._initial_theta(x, y, design)
        lower, upper = bounds_arrays(design.size, dist.extra_bounds())

        def evaluate(theta: np.ndarray, curvature: bool) -> tuple[float, np.ndarray, tuple]:
            value, gradient, result, loglik = objective(theta, curvature)
            return value, gradient, (result, loglik)

        if self.solver == "newton":
            null = design.null_directions() if self.shrinkage == 0 else None
            solution = newton(evaluate, lambda state: objective.hessian(state[0]), theta0, lower, upper,
                              tol=self.tol, max_iter=self.max_iter, null=null)
        else:
            with single_threaded_blas(design.size):
                solution = lbfgs(evaluate, theta0, lower, upper, tol=self.tol, max_iter=self.max_iter)
        theta = solution.theta
        if self.shrinkage == 0:
            theta = self._recentre(theta, design)

        self._cache: dict[str, Any] = {}
        self.params_ = theta
        self.teams_ = teams
        self.competitions_ = comp_names
        self._attack, self._defence, self.intercept_, home_adv, extra = design.split(theta)
        n_slots = len(slot_names)
        self._home_adv = home_adv[slot_of] if self.home_advantage != "single" else home_adv[:1]
        self.closed_doors_home_advantage_ = float(home_adv[-1]) if n_comp > n_slots else float("nan")
        self.closed_doors_matches_ = n_closed
        counts = np.bincount(design.comp, weights, minlength=n_comp + 1)[:n_slots]
        # pooled home advantage: weighted by each slot's (time-weighted) non-neutral matches with crowds
        self.home_advantage_ = (float(np.dot(counts, home_adv[:n_slots]) / counts.sum()) if counts.sum() > 0
                                else 0.0)
        self.extra_ = dict(zip(dist.extra_names, (float(v) for v in extra), strict=True))
        self.loglik_ = float(solution.state[1])
        self.objective_ = -float(solution.objective)
        self.n_iter_ = int(solution.n_iter)
        self.n_eval_ = int(solution.n_eval)
        self.converged_ = bool(solution.converged)
        self.message_ = solution.message
        self.n_matches_ = n
        self.as_of_ = day
        self.distribution_ = self._predict_distribution()
        self._fitted_with = dist
        self.last_match_date_ = pd.Timestamp(data.date.max())
        self._fit_arrays = (design.scatter_attack, np.concatenate([comp_idx, comp_idx]),
                            np.concatenate([weights, weights]), comps_all)
        self._comp_lookup = {str(name): i for i, name in enumerate(comp_names)}
        self._after_fit(data, design)
        self._fit_second_leg_rho(data, design)
        self._league_state(objective, theta, design, group_names, day, fit_names)
        return self

    def _fit_second_leg_rho(self, data: MatchArrays, design: _Design) -> None:
        """``second_leg_rho_`` / ``second_leg_rho_sd_`` / ``second_leg_weight_``: rho re-estimated on the second
        legs of the fit with the fitted rates held fixed (see ``second_leg_rho``); NaN when switched off, when
        the distribution has no rho or when the second legs weigh less than :data:`SECOND_LEG_MIN_WEIGHT`."""
        from matchday.models.distributions import fit_score_glm

        self.second_leg_rho_ = self.second_leg_rho_sd_ = float("nan")
        distribution = self.distribution_
        legs = data.column("leg")
        second = np.zeros(len(data), dtype=bool) if legs is None else (legs == 2)
        self.second_leg_weight_ = float(design.weights[second].sum())
        if (not self.second_leg_rho or "rho" not in distribution.extra_names
                or self.second_leg_weight_ < SECOND_LEG_MIN_WEIGHT):
            return
        eta_h, eta_a = design.linear_predictors(self.params_)
        rows = np.flatnonzero(second)
        empty = np.zeros((rows.size, 0))
        x, y, w = data.home_goals[rows], data.away_goals[rows], design.weights[rows]
        theta, _, converged = fit_score_glm(distribution, empty, empty, x, y, w, offset_home=eta_h[rows],
                                            offset_away=eta_a[rows], start=self._extra_vector())
        if not converged:
            return
        at = distribution.loglik(eta_h[rows], eta_a[rows], theta, distribution.prepare(x, y, w), True)
        which = distribution.extra_names.index("rho")
        curvature = -float(at.h_ee[which, which])
        self.second_leg_rho_ = float(theta[which])
        self.second_leg_rho_sd_ = float(1.0 / math.sqrt(curvature)) if curvature > 0 else float("inf")

    def _closed_doors_slot(self, data: MatchArrays, adv_idx: np.ndarray, comp_names: np.ndarray
                           ) -> tuple[np.ndarray, np.ndarray, int, np.ndarray]:
        """(home-advantage slot per match, slot names, matches moved, per competition slot: played only
        without crowds): the non-neutral matches dated in ``closed_doors`` move to one extra slot
        :data:`CLOSED_DOORS_LABEL`, except those of a competition with no non-neutral match outside the period
        (its own home advantage would have no data left; it is then a closed-doors value, never carried)."""
        k = len(comp_names)
        nothing = np.zeros(k, dtype=bool)
        if self.closed_doors is None or len(data) == 0:
            return adv_idx, comp_names, 0, nothing
        first, last = (np.datetime64(pd.Timestamp(day).normalize(), "ns") for day in self.closed_doors)
        day = data.date.astype("datetime64[ns]")
        inside = (day >= first) & (day < last + np.timedelta64(1, "D")) & ~data.neutral
        if not inside.any():
            return adv_idx, comp_names, 0, nothing
        with_crowd = np.bincount(adv_idx[~inside & ~data.neutral], minlength=k) > 0
        closed_only = ~with_crowd & (np.bincount(adv_idx[inside], minlength=k) > 0)
        moved = inside & with_crowd[adv_idx]
        if not moved.any():
            return adv_idx, comp_names, 0, closed_only
        return (np.where(moved, k, adv_idx), np.append(comp_names, CLOSED_DOORS_LABEL).astype(object),
                int(moved.sum()), closed_only)

    def _league_groups(self, current: np.ndarray, comps_all: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(group per team, group names with the reference first): one group per current competition.

        The reference (offset 0) is the carried prior's reference when it is among the groups (so a chain of
        fits keeps one frame), else the first division with the most clubs (else any domestic league; the
        first in code order on a tie).
        Clubs without a match (listed in ``priors`` only) join the reference.
        """
        codes = np.unique(current[current >= 0])
        names = comps_all[codes].astype(object)
        sizes = np.array([(current == c).sum() for c in codes])
        wanted = self.league_prior.reference if self.league_prior is not None else None
        first = np.array([name not in UEFA_CODES and getattr(COMPETITIONS.get(name), "tier", 1) == 1
                          for name in names])
        domestic = ~np.isin(names, list(UEFA_CODES))
        if wanted in set(names.tolist()):
            ref = int(np.flatnonzero(names == wanted)[0])
        else:  # a first division (the UEFA-only pools change their membership every season)
            rank = np.where(first, sizes + 10_000, np.where(domestic, sizes, -1))
            ref = int(np.argmax(rank))
        order = np.r_[ref, [j for j in range(len(codes)) if j != ref]].astype(np.intp)
        position = np.empty(len(comps_all), dtype=np.intp)
        position[codes[order]] = np.arange(len(order))
        anchor = np.where(current >= 0, position[np.clip(current, 0, None)], 0).astype(np.intp)
        return anchor, names[order]

    def _league_state(self, objective: _Objective, theta: np.ndarray, design: _Design, group_names: np.ndarray,
                      day: pd.Timestamp, slot_names: np.ndarray) -> None:
        """League offsets, their covariance (inverse of the exact Hessian of the penalised objective at the
        optimum, restricted to the offsets) and the cross-league matches behind each."""
        k = len(group_names)
        self._group_names = group_names
        self._team_group = design.anchor if k > 1 else np.zeros(design.n_teams, dtype=np.intp)
        self._offset_cov = np.zeros((max(k, 1), max(k, 1)))
        self.home_advantage_sd_ = pd.Series(dtype=float, name="home_advantage_sd")
        if k <= 1:
            self.league_posterior_ = None
            return
        offsets = design.strength_offsets(theta)
        # columns: the k-1 offsets, then the home advantages carried to the next window (UEFA, with crowds)
        counts = np.bincount(design.comp, minlength=design.n_comp + 1)[:design.n_comp]
        carried = np.flatnonzero(self._carried_slots & (counts > 0))
        selector = np.zeros((design.size, k - 1 + carried.size))
        rows = np.arange(k - 1)
        selector[design.anchor_attack.start + rows, rows] = 0.5
        selector[design.anchor_defence.start + rows, rows] = 0.5
        selector[2 * design.n_teams + 1 + carried, k - 1 + np.arange(carried.size)] = 1.0
        _, _, result, _ = objective(theta, True)
        hess = objective.hessian(result)
        try:
            from scipy.linalg import cho_factor, cho_solve

            with single_threaded_blas(design.size):
                solved = cho_solve(cho_factor(hess), selector)
        except np.linalg.LinAlgError:  # flat directions (no prior, no link): the offset is not identified
            solved = np.linalg.lstsq(hess, selector, rcond=None)[0]
            unidentified = np.abs(hess @ solved - selector).max(axis=0) > 1e-6
            solved[:, unidentified] = np.inf
        # a flat direction can survive the Cholesky factorisation as a huge but finite variance (rounding);
        # an offset sd above 100 log-goals means "not identified"
        with np.errstate(invalid="ignore", over="ignore"):
            variance = np.einsum("ij,ij->j", selector, np.where(np.isfinite(solved), solved, 0.0))
        finite = np.isfinite(solved).all(axis=0) & (variance <= 1e4)
        home = [(str(slot_names[j]), float(theta[2 * design.n_teams + 1 + j]), float(math.sqrt(variance[k - 1 + i])))
                for i, j in enumerate(carried) if finite[k - 1 + i] and variance[k - 1 + i] > 0]
        self.home_advantage_sd_ = pd.Series({name: sd for name, _, sd in home}, dtype=float,
                                            name="home_advantage_sd")
        finite, selector, solved = finite[:k - 1], selector[:, :k - 1], solved[:, :k - 1]
        cov = np.full((k - 1, k - 1), np.inf)
        cov[np.ix_(finite, finite)] = selector[:, finite].T @ solved[:, finite]
        cov = np.where(np.isfinite(cov), 0.5 * (cov + cov.T), np.inf)
        self._offset_cov[1:, 1:] = cov
        self._offsets = np.r_[0.0, offsets]
        self._anchors = (np.r_[0.0, theta[design.anchor_attack]], np.r_[0.0, theta[design.anchor_defence]])
        gh, ga = design.anchor[design.home], design.anchor[design.away]
        country = np.array([_group_country(str(name)) for name in group_names], dtype=object)
        self._group_country = country

        def both_sides(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            w = design.weights[mask]
            return (np.bincount(gh[mask], minlength=k) + np.bincount(ga[mask], minlength=k),
                    np.bincount(gh[mask], w, minlength=k) + np.bincount(ga[mask], w, minlength=k))

        self._cross = both_sides(gh != ga)
        self._foreign = both_sides(country[gh] != country[ga])
        self.league_posterior_ = (LeaguePrior.from_arrays(group_names[1:], offsets, cov, str(group_names[0]),
                                                          day.date(), home)
                                  if np.isfinite(cov).all() else None)

    # ------------------------------------------------------------------ fitted state as pandas
    def _cached(self, key: str, build):
        self._check_fitted()
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def _team_index_labels(self) -> pd.Index:
        return self._cached("index", lambda: pd.Index(self.teams_, dtype=object, name="team"))

    @property
    def attack_(self) -> pd.Series:
        """Attack per team (log scale; 0 = average, higher = scores more)."""
        return self._cached("attack", lambda: pd.Series(self._attack, index=self._team_index_labels(), name="attack"))

    @property
    def defence_(self) -> pd.Series:
        """Defence per team (log scale; 0 = average, higher = concedes fewer)."""
        return self._cached("defence",
                            lambda: pd.Series(self._defence, index=self._team_index_labels(), name="defence"))

    @property
    def home_advantage_by_competition_(self) -> pd.Series:
        """Home advantage (log scale) per competition (one entry ``"*"`` with ``home_advantage="single"``)."""
        return self._cached("adv", lambda: pd.Series(self._home_adv, name="home_advantage",
                                                     index=pd.Index(self.competitions_, dtype=object,
                                                                    name="competition")))

    @property
    def team_weight_(self) -> pd.Series:
        """Time-weighted number of matches behind each team's rating."""
        def build() -> pd.Series:
            team_of, _, w2, _ = self._fit_arrays
            return pd.Series(np.bincount(team_of, w2, minlength=len(self.teams_)), index=self._team_index_labels(),
                             name="weighted_matches")
        return self._cached("weight", build)

    @property
    def team_competition_(self) -> pd.Series:
        """Each team's competition with the most time-weighted matches, a domestic league if it has one."""
        def build() -> pd.Series:
            team_of, comp_of, w2, comps_all = self._fit_arrays
            k, t = len(comps_all), len(self.teams_)
            domestic = np.array([name not in UEFA_CODES for name in comps_all])
            table = np.bincount(team_of * k + comp_of, w2, minlength=t * k).reshape(t, k)
            table = table + 1e9 * (table > 0) * domestic
            best = np.where(table.max(axis=1) > 0, comps_all[table.argmax(axis=1)], None)
            return pd.Series(best, index=self._team_index_labels(), name="competition", dtype=object)
        return self._cached("competition", build)

    @property
    def rho_(self) -> float:
        """Dixon-Coles rho (0 for models without the low-score correction)."""
        self._check_fitted()
        return self.extra_.get("rho", 0.0)

    @property
    def league_offsets_(self) -> pd.DataFrame:
        """The strength offset of each league (group of clubs centred together), reference first.

        Index ``league`` (a competition code: the clubs' current league, or the UEFA competition of clubs the
        data knows only from UEFA matches). Columns: ``offset`` ((A + D) / 2, log-goal scale, from the
        reference league), ``sd`` (its posterior standard deviation, from the exact Hessian of the
        penalised, time-weighted likelihood at the optimum), ``sd_vs_leagues`` (that of the offset minus the
        mean offset of the domestic leagues: how firmly the league sits on the common scale, whatever the
        reference), ``attack`` /
        ``defence`` (league means A and D), ``prior_mean`` / ``prior_sd`` / ``carried`` (the prior used,
        and whether it was carried from an earlier window), ``cross_matches`` / ``cross_weight`` (matches
        and time-weighted matches against clubs of other groups, e.g. promoted clubs' second-tier matches),
        ``foreign_matches`` / ``foreign_weight`` (the same against clubs of other countries: the UEFA links),
        ``teams``, ``reference``. Empty when the
        fit has one group (or ``shrinkage=0`` / ``prior_mean="zero"``: no league means).
        """
        def build() -> pd.DataFrame:
            names = self._group_names
            k = len(names)
            columns = ["offset", "sd", "sd_vs_leagues", "attack", "defence", "prior_mean", "prior_sd", "carried", "cross_matches",
                       "cross_weight", "foreign_matches", "foreign_weight", "teams", "reference"]
            if k <= 1:
                return pd.DataFrame(columns=columns, index=pd.Index([], name="league"))
            if self._offset_prior is not None:
                mean, cov, carried = self._offset_prior
                prior_mean, prior_sd = np.r_[0.0, mean], np.r_[0.0, np.sqrt(np.diag(cov))]
                carried = np.r_[False, carried]
            else:
                prior_mean, prior_sd, carried = np.zeros(k), np.full(k, np.inf), np.zeros(k, dtype=bool)
            prior_sd[0] = 0.0
            domestic = np.array([not str(c).startswith("EUR:") for c in self._group_country])
            contrast = np.eye(k) - (domestic / max(domestic.sum(), 1))[None, :]
            with np.errstate(invalid="ignore"):
                vs_leagues = np.sqrt(np.clip(np.einsum("ij,jk,ik->i", contrast, self._offset_cov, contrast), 0, None))
            frame = pd.DataFrame({
                "offset": self._offsets, "sd": np.sqrt(np.diag(self._offset_cov)), "sd_vs_leagues": vs_leagues,
                "attack": self._anchors[0], "defence": self._anchors[1],
                "prior_mean": prior_mean, "prior_sd": prior_sd, "carried": carried,
                "cross_matches": self._cross[0].astype(int), "cross_weight": self._cross[1],
                "foreign_matches": self._foreign[0].astype(int), "foreign_weight": self._foreign[1],
                "teams": np.bincount(self._team_group, minlength=k), "reference": np.arange(k) == 0,
            }, index=pd.Index(names.astype(str), name="league"))
            return frame
        return self._cached("leagues", build)

    @property
    def team_league_(self) -> pd.Series:
        """The group (league) each team is centred in: its current domestic league, else its UEFA competition."""
        return self._cached("team_league", lambda: pd.Series(
            self._group_names[self._team_group] if len(self._group_names) else np.full(len(self.teams_), None),
            index=self._team_index_labels(), name="league", dtype=object))

    def league_link(self, home: Any, away: Any) -> pd.DataFrame:
        """How well the two clubs' leagues are tied to each other, per fixture (vectorised).

        Columns: ``home_league``, ``away_league``, ``offset_sd`` (standard deviation of the difference of
        the two leagues' strength offsets, log-goal scale; 0 within a league; NaN when the fit has no
        league offsets), ``cross_weight`` (the smaller of the two leagues' time-weighted matches against
        other countries' clubs, or against other leagues for two leagues of one country; NaN within a
        league) and ``weak``: ``offset_sd`` above :data:`~matchday.models.league_prior.WEAK_LINK_SD`, or
        ``cross_weight`` below :data:`~matchday.models.league_prior.WEAK_LINK_MATCHES` (the training window
        itself hardly links the two leagues: their relative level is carried from older seasons, and its
        standard deviation rests on the assumed drift).
        """
        hi = self._team_index(home)
        ai = self._team_index(away)
        groups = self._team_group
        gh, ga = groups[hi], groups[ai]
        names = self._group_names
        if len(names) > 1:
            c = self._offset_cov
            with np.errstate(invalid="ignore"):
                var = c[gh, gh] + c[ga, ga] - 2.0 * c[gh, ga]
            sd = np.where(gh == ga, 0.0, np.sqrt(np.clip(var, 0.0, None)))
            country = self._group_country
            weight = np.where((country[gh] == country[ga])[:, None], self._cross[1][np.c_[gh, ga]],
                              self._foreign[1][np.c_[gh, ga]])
            cross = np.where(gh == ga, np.nan, weight.min(axis=1))
            league_h, league_a = names[gh].astype(str), names[ga].astype(str)
        else:
            sd = np.full(hi.size, np.nan)
            cross = np.full(hi.size, np.nan)
            league_h = league_a = np.full(hi.size, None, dtype=object)
        weak = (np.nan_to_num(sd, nan=0.0) > WEAK_LINK_SD) | (np.nan_to_num(cross, nan=np.inf) < WEAK_LINK_MATCHES)
        return pd.DataFrame({"home_league": league_h, "away_league": league_a, "offset_sd": sd,
                             "cross_weight": cross, "weak": weak})

    # ------------------------------------------------------------------ starting values
    def _initial_theta(self, x: np.ndarray, y: np.ndarray, design: _Design) -> np.ndarray:
        """Cheap moment start: log goal rates per team relative to the average, shrunk by pseudo-counts."""
        t, c = design.n_teams, design.n_comp
        w = design.weights
        w_total = float(w.sum())
        mean_home = max(float(np.dot(w, x)) / w_total, 0.05)
        mean_away = max(float(np.dot(w, y)) / w_total, 0.05)
        overall = 0.5 * (mean_home + mean_away)
        w2 = np.concatenate([w, w])
        goals = np.concatenate([w * x, w * y])
        played = np.bincount(design.scatter_attack, w2, minlength=t)
        scored = np.bincount(design.scatter_attack, goals, minlength=t)
        conceded = np.bincount(design.scatter_defence, goals, minlength=t)
        pseudo = 2.0  # matches at the average rate: keeps teams with little data near 0
        attack = np.log((scored + pseudo * overall) / ((played + pseudo) * overall))
        defence = -np.log((conceded + pseudo * overall) / ((played + pseudo) * overall))
        theta = np.zeros(design.size)
        theta[:t] = attack - attack.mean() + design.prior_attack
        theta[t:2 * t] = defence - defence.mean() + design.prior_defence
        theta[2 * t] = math.log(mean_away)
        theta[2 * t + 1:2 * t + 1 + c] = math.log(mean_home / mean_away)
        theta[design.size - design.n_extra:] = self._fit_distribution().extra_init(x, y, w)
        self._start_anchors(theta, design)
        return theta

    @staticmethod
    def _start_anchors(theta: np.ndarray, design: _Design) -> None:
        """Competition means started at the groups' mean attack/defence relative to the reference group."""
        if design.n_anchor <= 1:
            return
        t = design.n_teams
        for values, block in ((theta[:t] - design.prior_attack, design.anchor_attack),
                              (theta[t:2 * t] - design.prior_defence, design.anchor_defence)):
            means = np.bincount(design.anchor, values, minlength=design.n_anchor) / design.anchor_size
            theta[block] = means[1:] - means[0]

    def _warm_theta(self, teams: np.ndarray, comp_names: np.ndarray, design: _Design) -> np.ndarray:
        """Start from this model's previous fit: same teams keep their values, new teams start at their prior."""
        previous = self
        t, c = design.n_teams, design.n_comp
        theta = np.zeros(design.size)
        where = np.clip(np.searchsorted(previous.teams_, teams), 0, len(previous.teams_) - 1)
        known = previous.teams_[where] == teams
        theta[:t] = np.where(known, previous._attack[where], design.prior_attack)
        theta[t:2 * t] = np.where(known, previous._defence[where], design.prior_defence)
        theta[2 * t] = previous.intercept_
        lookup = previous._comp_lookup
        closed = getattr(previous, "closed_doors_home_advantage_", float("nan"))
        theta[2 * t + 1:2 * t + 1 + c] = [
            previous._home_adv[lookup[name]] if name in lookup
            else closed if name == CLOSED_DOORS_LABEL and math.isfinite(closed)
            else previous.home_advantage_ for name in comp_names]
        theta[design.size - design.n_extra:] = previous.params_[len(previous.params_) - design.n_extra:]
        self._start_anchors(theta, design)
        return theta

    @staticmethod
    def _recentre(theta: np.ndarray, design: _Design) -> np.ndarray:
        theta = theta.copy()
        t = design.n_teams
        mean_attack = theta[:t].mean()
        mean_defence = theta[t:2 * t].mean()
        theta[:t] -= mean_attack
        theta[t:2 * t] -= mean_defence
        theta[2 * t] += mean_attack - mean_defence
        return theta

    # ------------------------------------------------------------------ prediction
    def _home_advantage_for(self, home_idx: np.ndarray, competition: Any) -> np.ndarray:
        by_comp = self._home_adv
        if len(by_comp) == 1 and not math.isfinite(getattr(self, "closed_doors_home_advantage_", float("nan"))):
            return np.full(home_idx.shape, by_comp[0])
        lookup = self._comp_lookup
        if competition is None:
            comps = self.team_competition_.to_numpy()[home_idx]
        else:
            comps = as_array(competition, home_idx.size)
        mapping = {name: by_comp[i] for name, i in lookup.items()}
        closed = getattr(self, "closed_doors_home_advantage_", float("nan"))
        if math.isfinite(closed):
            mapping[CLOSED_DOORS_LABEL] = closed
        return map_values(comps, mapping, self.home_advantage_)

    def log_rates(self, home: Any, away: Any, neutral: Any = False, competition: Any = None
                  ) -> tuple[np.ndarray, np.ndarray]:
        """log lambda_home, log lambda_away per fixture (vectorised).

        ``competition`` (a code or one per fixture) chooses the home advantage; by default the home
        team's main competition in the fitted data. Neutral venues get none.
        """
        hi, ai, flag = self._fixtures(home, away, neutral)
        adv = np.where(flag, 0.0, self._home_advantage_for(hi, competition))
        eta_h = self.intercept_ + adv + self._attack[hi] - self._defence[ai]
        eta_a = self.intercept_ + self._attack[ai] - self._defence[hi]
        return eta_h, eta_a

    def _extra_vector(self) -> np.ndarray:
        return np.array([self.extra_[name] for name in self.distribution_.extra_names])

    def ratings(self, teams: Iterable[str] | None = None, competition: str | None = None) -> pd.DataFrame:
        """Team ratings, strongest first.

        Columns: team, competition (current league in the fitted data), attack, defence (log-scale
        effects, 0 = the average fitted team, higher = better), goals_for / goals_against (expected goals
        per match against that average team on neutral ground), strength = goals_for - goals_against
        (expected goal difference per match against it), weighted_matches (time-weighted matches
        behind the rating), last_played. ``teams``/``competition`` filter the rows (the scale stays the
        same); ``competition`` keeps the clubs of that league that played in the last 300 days of the data.
        """
        self._check_fitted()
        frame = pd.DataFrame({
            "team": self.teams_,
            "competition": self.team_competition_.to_numpy(),
            "attack": self._attack,
            "defence": self._defence,
        })
        lam_for = np.exp(self.intercept_ + self._attack - self._defence.mean())
        lam_against = np.exp(self.intercept_ + self._attack.mean() - self._defence)
        goals_for, goals_against = self.distribution_.means(lam_for, lam_against, self._extra_vector())
        frame["goals_for"] = goals_for
        frame["goals_against"] = goals_against
        frame["strength"] = goals_for - goals_against
        frame["weighted_matches"] = self.team_weight_.to_numpy()
        frame["last_played"] = pd.to_datetime(self._last_played)
        return filter_ratings(frame, teams, competition).sort_values("strength", ascending=False,
                                                                     kind="stable").reset_index(drop=True)
