"""League strength offsets: the Gaussian prior that keeps every league on one scale, carried over time.

Why. In a joint fit of several leagues (:mod:`matchday.models.goal_model`) the matches inside a league say
nothing about where that league stands against the others: adding the same constant to the attack and the
defence of every club of a league leaves every domestic likelihood unchanged. Only cross-league matches
(UEFA matches, and clubs moving between divisions of one country) fix that *strength offset*. When they
are few (a training window without the Champions League files, a league whose clubs went out early), the
maximum-likelihood offset rests on a handful of matches and can be absurd (Barcelona at 8 goals a match
against an average side, the whole Greek league three goals worse than the average).

What. Each league ``k`` (each group of clubs centred together: a domestic league, or the clubs the data
knows only from one UEFA competition) has a strength offset ``o_k = (A_k + D_k) / 2``, where ``A_k`` and
``D_k`` are the league means of its clubs' attack and defence (log scale), measured from a reference league
(``o_ref = 0``). ``o_k`` shifts every club of the league by ``o_k`` in attack and in defence, i.e. the log
ratio of expected goals of a cross-league match by ``2 (o_home - o_away)``. The other direction,
``(A_k - D_k) / 2`` (how many goals the league's matches have), is identified by the league's own matches
and has no prior. The prior on the offsets is one multivariate normal :class:`LeaguePrior` (mean, full
covariance), so correlated offsets (E0 and E1, tied by promoted clubs) stay correlated.

Carried over time (:func:`carried_prior`): the prior of a fit as of D is the posterior of the offsets of the
fit of the previous, non-overlapping training window (the seasons just before D's window, fitted as of the
end of the last of them), whose own prior came the same way from the window before it, back to the first
stored season. Between the two as-of dates each offset (the reference's too) drifts as a random walk,
variance :data:`DEFAULT_OFFSET_DRIFT` ``**2`` per year. A window with a missing link therefore keeps the earlier
scale and reports a wider uncertainty instead of breaking. Leagues that no earlier window knew are draws
from the population of leagues, spread :data:`DEFAULT_OFFSET_PRIOR_SD` around their common level (see
:func:`default_prior`); a second division beside its first division is tied to it by promotions and has no
prior.

Windows do not overlap, so no match informs both a prior and the fit that uses it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

DEFAULT_OFFSET_PRIOR_SD: float = 0.30
"""Spread (log-goal scale) of the population of league strength offsets: the prior of leagues no earlier
window rated (:func:`default_prior`: exchangeable draws around their common level, so an offset measured
from the reference league has standard deviation ``sqrt(2) * 0.30``).

Principle: a league about which nothing is known is a draw from the population of leagues. Measured on the
well-linked windows (fits as of 30 June 2019 to 2025 of the full store, every UEFA competition in the data,
the 16 leagues, a nearly flat prior), the offsets spread by 0.23-0.31 around their mean (0.19-0.23 after
subtracting their Hessian variances, which a time-weighted likelihood overstates). Two out-of-sample checks
bracket the value. The walk-forward of the UEFA matches of 2013-14 to 2021-22 (1,783 matches, the selection
seasons of docs/cross-league.md, carried prior) gives RPS 0.19302 at 0.15, 0.19212 at 0.21, 0.19164 at 0.30,
0.19149 at 0.40 and 0.19143 at 0.55 (paired standard errors 0.0001-0.0002; no prior at all: 0.19248).
The unseen UEFA matches of autumn 2023 forecast from a two-season window without any carried prior
(tests/test_models_joint.py) give 0.2119 at 0.21, 0.2120 at 0.30, 0.2136 at 0.40 and 0.2162 at 0.55. 0.30
is the raw spread, within the noise of the best value of both checks.
"""

DEFAULT_OFFSET_DRIFT: float = 0.03
"""Random-walk drift of each league's strength offset (log-goal scale, standard deviation per year); an
offset measured from a reference league therefore drifts by ``sqrt(2) * 0.03`` per year.

Measured: the offsets of the big five leagues (relative to their mean) in non-overlapping windows three
years apart (fits as of 30 June 2015 to 2025) change by 0.08 (root mean square), less than their own
Hessian standard errors would give without any drift (0.14; a time-weighted likelihood overstates them),
so the drift is not distinguishable from 0 over three years. The walk-forward check (2013-14 to 2021-22,
spread 0.30) gives RPS 0.191645 at 0.03, 0.191682 at 0.06 and 0.191802 at 0.12. 0.03 is the smallest value
tried: league strengths do change over a decade, and a carried prior must not pin them.
"""

TIER_GAP: float = 0.42
"""Default prior offset of a division below the one above it in the same country (log-goal scale).

Measured in the joint fit as of 2024-04-10 (16 leagues, UEFA matches, carried prior): Premier League over
Championship 0.50, La Liga over Segunda 0.36, Bundesliga over 2. Bundesliga 0.38, Serie A over Serie B 0.43,
Ligue 1 over Ligue 2 0.46; mean 0.42 (Elo's ``tier_gap`` of 300 points is 0.5 at 600 points per unit). It is
the default prior mean of a lower division whose first division is not in the fit (a lower division beside
its first division has no prior: :func:`default_prior`). A default prior centred on the reference for every
league pulled a Premier League + Championship fit's gap towards 0 (walk-forward RPS of the Premier League
2023-24: 0.19216 against 0.19174 before issue 8); without a prior between divisions of one country it is
0.19174 again.
"""

DEFAULT_HOME_ADVANTAGE_DRIFT: float = 0.03
"""Random-walk drift of a carried home advantage (log-goal scale, standard deviation per year).

What is carried: the home advantage of each UEFA competition (fitted on its matches with crowds), as a normal
prior on the next window's value. Why: a UEFA competition has 125-400 matches a season in the store, so a
three-season window pins its home advantage to about +-0.05-0.08, and the windows after 2020 hold few matches
with crowds; the leagues (thousands of matches) need no prior. A home advantage changes slowly, so 0.03 a year,
the offsets' drift. Used only with ``GoalModel(carried_home_advantage=True)``: on the selection seasons of
docs/cross-league.md it changed the RPS by -0.00002 (within noise) and is not the default.
"""

WEAK_LINK_SD: float = 0.15
"""A forecast rests on a weak link when the standard deviation of the difference between the two clubs'
league offsets exceeds this (log-goal scale).

Why 0.15: an error of ``delta`` in the offset difference shifts the log ratio of the two sides' expected
goals by ``2 delta``; at ``2 * 0.15 = 0.3`` the home-win probability of a match of 1.6 against 1.2 expected
goals moves from 0.46 to 0.36 or 0.56 (tests/test_models_league_prior.py computes it). The two clubs' own
ratings (an established club has about 60 time-weighted matches: attack and defence standard deviations
~0.10) put about 0.2 on the same log ratio; above 0.15 the link, not the clubs, is the main uncertainty
of the forecast. One cross-league match informs the offset difference by about its expected goals (~2.7),
so without a prior 0.15 needs about 16 time-weighted cross-league matches; Elo, which has no standard
deviation, uses that count (:data:`WEAK_LINK_MATCHES`).
"""

WEAK_LINK_MATCHES: float = 16.0
"""Time-weighted cross-league matches below which a league's link is weak for a model without an
uncertainty (Elo): ``1 / (2.7 * WEAK_LINK_SD ** 2)`` rounded, see :data:`WEAK_LINK_SD`."""


@dataclass(frozen=True)
class LeaguePrior:
    """A multivariate normal prior (or posterior) on league strength offsets.

    ``leagues``: names of the offsets (competition codes of the groups); ``reference``: the league whose
    offset is 0 by definition (not in ``leagues``); ``mean``: one value per league; ``covariance``: rows of
    the covariance matrix; ``as_of``: the day the estimate refers to (None if not from a fit). Tuples, so
    that the object compares by value and rebuilds a model from ``get_params()``.
    """

    leagues: tuple[str, ...]
    mean: tuple[float, ...]
    covariance: tuple[tuple[float, ...], ...]
    reference: str
    as_of: dt.date | None = None
    home_advantage: tuple[tuple[str, float, float], ...] = ()
    """``(competition, mean, sd)`` of the home advantages carried with the offsets (log-goal scale; the UEFA
    competitions', fitted on matches with crowds: see :data:`DEFAULT_HOME_ADVANTAGE_DRIFT`)."""

    def __post_init__(self) -> None:
        k = len(self.leagues)
        if len(self.mean) != k or len(self.covariance) != k or any(len(row) != k for row in self.covariance):
            raise ValueError(f"LeaguePrior: {k} leagues need {k} means and a {k} x {k} covariance")
        if self.reference in self.leagues:
            raise ValueError(f"LeaguePrior: the reference {self.reference!r} cannot also have an offset")

    @classmethod
    def from_arrays(cls, leagues: Sequence[str], mean: np.ndarray, covariance: np.ndarray, reference: str,
                    as_of: dt.date | None = None,
                    home_advantage: Sequence[tuple[str, float, float]] = ()) -> LeaguePrior:
        cov = 0.5 * (np.asarray(covariance, dtype=float) + np.asarray(covariance, dtype=float).T)
        return cls(tuple(str(x) for x in leagues), tuple(float(x) for x in np.asarray(mean, dtype=float)),
                   tuple(tuple(float(x) for x in row) for row in cov), str(reference), as_of,
                   tuple((str(c), float(m), float(v)) for c, m, v in home_advantage))

    def home_advantage_prior(self, competitions: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(mean, precision) of the home advantage of each of ``competitions``: the carried values, precision 0
        (no prior) for competitions this prior does not carry."""
        known = {c: (m, v) for c, m, v in self.home_advantage}
        mean = np.array([known.get(str(c), (0.0, np.inf))[0] for c in competitions], dtype=float)
        sd = np.array([known.get(str(c), (0.0, np.inf))[1] for c in competitions], dtype=float)
        with np.errstate(divide="ignore"):
            precision = np.where(np.isfinite(sd) & (sd > 0), 1.0 / np.where(sd > 0, sd, 1.0) ** 2, 0.0)
        return mean, precision

    @property
    def mean_array(self) -> np.ndarray:
        return np.asarray(self.mean, dtype=float)

    @property
    def covariance_array(self) -> np.ndarray:
        return np.asarray(self.covariance, dtype=float).reshape(len(self.leagues), len(self.leagues))

    def sd(self) -> dict[str, float]:
        """Marginal standard deviation of each offset."""
        return dict(zip(self.leagues, np.sqrt(np.clip(np.diag(self.covariance_array), 0.0, None)).tolist(),
                        strict=True))

    def drifted(self, years: float, drift: float, home_drift: float | None = None) -> LeaguePrior:
        """The prior ``years`` later: each offset (and the reference) takes an independent random walk of
        ``drift`` per sqrt(year); relative to the reference that adds ``drift^2 years (I + 1 1^T)``. Each
        home advantage walks by ``home_drift`` per sqrt(year) (default
        :data:`DEFAULT_HOME_ADVANTAGE_DRIFT`)."""
        k = len(self.leagues)
        years = max(float(years), 0.0)
        cov = self.covariance_array + years * drift**2 * (np.eye(k) + np.ones((k, k)))
        h = DEFAULT_HOME_ADVANTAGE_DRIFT if home_drift is None else float(home_drift)
        home = [(c, m, math.sqrt(v**2 + years * h**2)) for c, m, v in self.home_advantage]
        return LeaguePrior.from_arrays(self.leagues, self.mean_array, cov, self.reference, self.as_of, home)

    def relative_to(self, reference: str) -> LeaguePrior | None:
        """The same distribution with offsets measured from ``reference`` (None if it is not in it)."""
        if reference == self.reference:
            return self
        if reference not in self.leagues:
            return None
        r = self.leagues.index(reference)
        k = len(self.leagues)
        # new offsets: o_j - o_r for j != r, and the old reference becomes -o_r
        names = [self.reference] + [name for j, name in enumerate(self.leagues) if j != r]
        transform = np.zeros((k, k))
        transform[0, r] = -1.0
        row = 1
        for j in range(k):
            if j == r:
                continue
            transform[row, j] = 1.0
            transform[row, r] = -1.0
            row += 1
        mean = transform @ self.mean_array
        cov = transform @ self.covariance_array @ transform.T
        return LeaguePrior.from_arrays(names, mean, cov, reference, self.as_of, self.home_advantage)

    def for_groups(self, groups: Sequence[str], reference: str, default_sd: float
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(mean, covariance, carried) of the offsets of ``groups`` (names, the reference excluded) measured
        from ``reference``: carried values where this prior knows the league, else the default prior
        (:func:`default_prior`), independent of the rest. ``carried`` flags the first kind."""
        mean, cov, carried = default_prior(groups, default_sd, reference)
        prior = self.relative_to(reference)
        if prior is None:
            return mean, cov, carried
        where = {name: j for j, name in enumerate(prior.leagues)}
        known = [i for i, name in enumerate(groups) if name in where]
        if known:
            idx = np.array([where[groups[i]] for i in known])
            mean[known] = prior.mean_array[idx]
            cov[known, :] = 0.0
            cov[:, known] = 0.0
            cov[np.ix_(known, known)] = prior.covariance_array[np.ix_(idx, idx)]
            carried[known] = True
        return mean, cov, carried


def default_prior(groups: Sequence[str], default_sd: float, reference: str | None = None
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mean, covariance, nothing carried) of the offsets of ``groups`` from ``reference`` for leagues
    nobody rated before.

    The leagues (the reference among them) are exchangeable draws around an unknown common level with
    standard deviation ``default_sd``: integrating that level out (a flat prior on it), the offsets measured
    from the reference have covariance ``default_sd**2 * (I + 1 1^T)`` (each one the difference of two draws),
    so the prior centres the leagues on their own mean, not on the reference, whichever league that is.
    A division below the first starts :data:`TIER_GAP` lower per division than the reference's tier.
    A league whose country's first division is also in the fit (a second division beside it) is linked to
    it every season by the promoted and relegated clubs: its offset gets no prior (infinite variance), as
    before issue 8. Groups that are not divisions (UEFA pools, unknown codes) count as first divisions of
    their own country.
    """
    k = len(groups)
    names = [*groups, reference] if reference is not None else list(groups)
    firsts = {_country(name) for name in names if _tier(name) == 1}
    base = _tier(reference) if reference is not None else 1
    mean = np.array([-TIER_GAP * (_tier(name) - base) for name in groups], dtype=float)
    free = np.array([_tier(name) > 1 and _country(name) in firsts for name in groups], dtype=bool)
    drawn = ~free
    cov = np.zeros((k, k))
    cov[np.ix_(drawn, drawn)] = default_sd**2 * (np.eye(int(drawn.sum())) + 1.0)
    cov[free, free] = np.inf
    return mean, cov, np.zeros(k, dtype=bool)


def precision_of(cov: np.ndarray) -> np.ndarray:
    """The precision matrix of a covariance whose infinite-variance coordinates (no prior) are independent of
    the rest: the inverse of the finite block, 0 elsewhere."""
    finite = np.isfinite(np.diag(cov))
    precision = np.zeros_like(cov)
    if finite.any():
        precision[np.ix_(finite, finite)] = np.linalg.inv(cov[np.ix_(finite, finite)])
    return precision


def _country(code: str) -> str:
    from matchday.data.competitions import COMPETITIONS

    info = COMPETITIONS.get(code)
    return str(info.country) if info is not None and info.kind == "league" else f"EUR:{code}"


def _tier(code: str) -> int:
    from matchday.data.competitions import COMPETITIONS

    info = COMPETITIONS.get(code)
    return int(info.tier) if info is not None and info.kind == "league" else 1


# ---------------------------------------------------------------------------------------------------
# Carrying the prior over time
# ---------------------------------------------------------------------------------------------------

WindowLoader = Callable[[dt.date, int], "pd.DataFrame | None"]
"""loader(as_of, seasons_back) -> the played matches a fit as of that day learns from (None/empty: none)."""


def window_start(as_of: dt.date, seasons_back: int) -> dt.date:
    """First day (1 July) of the first season of the training window of a fit as of ``as_of``."""
    from matchday.data.seasons import season_of_date, season_start_year

    first = season_start_year(season_of_date(as_of)) - seasons_back + 1
    return dt.date(first, 7, 1)


def previous_window_end(as_of: dt.date, seasons_back: int) -> dt.date:
    """As-of day of the previous, non-overlapping window: the day before ``as_of``'s window starts."""
    return window_start(as_of, seasons_back) - dt.timedelta(days=1)


@dataclass
class PriorChain:
    """The carried league prior of a model, as of any day: fits of successive non-overlapping windows.

    ``factory()`` builds an unfitted goal model (its ``league_prior`` is set here); ``loader(as_of,
    seasons_back)`` returns the training frame of a fit as of a day. Fitted window posteriors are cached
    by their as-of day, so a walk-forward run fits each earlier window once. ``min_matches``: a window with
    fewer matches, or with one competition only, ends the chain (the first stored seasons). ``drift``: see :data:`DEFAULT_OFFSET_DRIFT`.
    """

    factory: Callable[[], Any]
    loader: WindowLoader
    seasons_back: int = 3
    drift: float = DEFAULT_OFFSET_DRIFT
    min_matches: int = 500
    home_drift: float | None = None  # drift of the carried home advantages (None: DEFAULT_HOME_ADVANTAGE_DRIFT)
    max_depth: int = 12

    def __post_init__(self) -> None:
        self._posteriors: dict[dt.date, LeaguePrior | None] = {}

    def posterior(self, as_of: dt.date, depth: int = 0) -> LeaguePrior | None:
        """Posterior of the league offsets of the window fitted as of ``as_of`` (None: no usable data)."""
        if as_of in self._posteriors:
            return self._posteriors[as_of]
        frame = self.loader(as_of, self.seasons_back)
        result: LeaguePrior | None = None
        # a window of one competition (the European Cup before the stored leagues begin) has no offsets
        if frame is not None and len(frame) >= self.min_matches and frame["competition"].nunique() > 1:
            prior = self.prior(as_of, depth + 1) if depth < self.max_depth else None
            model = self.factory()
            model.set_params(league_prior=prior)
            model.fit(frame, as_of=as_of)
            result = getattr(model, "league_posterior_", None)
        self._posteriors[as_of] = result
        return result

    def prior(self, as_of: dt.date, depth: int = 0) -> LeaguePrior | None:
        """The carried prior of a fit as of ``as_of``: the previous window's posterior, drifted to ``as_of``."""
        earlier = previous_window_end(as_of, self.seasons_back)
        posterior = self.posterior(earlier, depth)
        if posterior is None:
            return None
        years = (as_of - earlier).days / 365.25
        drifted = posterior.drifted(years, self.drift, self.home_drift)
        return dataclasses.replace(drifted, as_of=earlier)


def carried_prior(factory: Callable[[], Any], loader: WindowLoader, as_of: dt.date, *, seasons_back: int = 3,
                  drift: float = DEFAULT_OFFSET_DRIFT) -> LeaguePrior | None:
    """The carried league prior of a fit as of ``as_of`` (one-off; keep a :class:`PriorChain` to reuse fits)."""
    return PriorChain(factory, loader, seasons_back=seasons_back, drift=drift).prior(as_of)

