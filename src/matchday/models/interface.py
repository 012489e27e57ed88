"""The model contract: what simulate, decide, evaluate (and the web layer) may ask of a fitted model.

:class:`ScoreModel` is the contract as a :class:`typing.Protocol`; :class:`ModelBase` implements the part every
model shares (parameters, cloning, team lookup, ``predict``). See ``docs/models.md`` for how to add a model.

Contract (scikit-learn habit):

* configuration in ``__init__``, every argument an explicit keyword stored unchanged under its own name, so
  :meth:`ModelBase.get_params` / :func:`clone` rebuild the same model;
* ``fit(matches, as_of=None) -> self``: learns from the played matches dated on or before ``as_of`` (a day:
  "after the last match of that day", see :mod:`matchday.data.frames`; all played matches when None); fitted
  state ends in ``_`` (``teams_`` = the sorted team ids the model can rate);
* ``predict_many(home, away, neutral=False, competition=None) -> ScoreGrid`` for stacks of fixtures (arrays of
  team ids, one neutral flag and optionally one competition per fixture; ``competition`` picks the home
  advantage, default the home team's league);
* ``rates(home, away, neutral, competition) -> (home_rate, away_rate)``: the two rates the model's score
  distribution takes (the expected goals for every model but the bivariate Poisson, whose rates exclude the
  shared component), and ``grid_from_rates(home_rate, away_rate) -> ScoreGrid``: the model's grid for any
  rates, e.g. a lineup's adjusted ones; ``predict_many(...)`` equals ``grid_from_rates(*rates(...))``;
* ``ratings(teams=None, competition=None) -> DataFrame``: one row per team, strongest first, with at least
  ``team``, ``competition``, ``goals_for``, ``goals_against``, ``strength``, ``last_played``.

Calling a prediction before ``fit`` raises :class:`NotFittedError`; an unknown team raises
:class:`~matchday.data.errors.UnknownChoiceError` naming the closest fitted teams.
"""

from __future__ import annotations

import copy
import difflib
import inspect
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol, Self, runtime_checkable

import numpy as np

from matchday.data.errors import MatchdayError, UnknownChoiceError
from matchday.models.grid import ScoreGrid

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

NEWCOMER_DAYS = 300  # a club is "new" if its first match in the data is this recent, in an older competition


class NotFittedError(MatchdayError, RuntimeError):
    """A model asked for a prediction (or fitted state) before ``fit``."""


@runtime_checkable
class ScoreModel(Protocol):
    """What every score model offers (see the module docstring)."""

    max_goals: int

    def get_params(self, deep: bool = True) -> dict[str, Any]: ...

    def set_params(self, **params: Any) -> Self: ...

    def fit(self, matches: pd.DataFrame, as_of: Any = None) -> Self: ...

    def predict_many(self, home: Any, away: Any, neutral: Any = False, competition: Any = None,
                     second_leg: Any = False) -> ScoreGrid: ...

    def predict(self, home: str, away: str, neutral: bool = False, competition: str | None = None,
                second_leg: bool = False) -> ScoreGrid: ...

    def rates(self, home: Any, away: Any, neutral: Any = False, competition: Any = None
              ) -> tuple[np.ndarray, np.ndarray]: ...

    def grid_from_rates(self, home_rate: Any, away_rate: Any, second_leg: Any = False) -> ScoreGrid: ...

    def ratings(self, teams: Iterable[str] | None = None, competition: str | None = None) -> pd.DataFrame: ...


def clone(model: ScoreModel) -> ScoreModel:
    """An unfitted copy of ``model`` with the same parameters (deep-copied)."""
    return type(model)(**{name: copy.deepcopy(value) for name, value in model.get_params().items()})


class ModelBase:
    """Shared implementation of the contract: parameters from the ``__init__`` signature, ``predict``,
    ``predict_many`` through ``rates`` and ``grid_from_rates``, team lookup and the fitted check."""

    max_goals: int

    # ------------------------------------------------------------------ parameters
    @classmethod
    def _param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        names = []
        for name, parameter in signature.parameters.items():
            if name == "self":
                continue
            if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                raise TypeError(f"{cls.__name__}.__init__ must list its parameters explicitly (no *args/**kwargs)")
            names.append(name)
        return names

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor arguments by name (``deep`` is accepted for scikit-learn compatibility)."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> Self:
        """Change constructor arguments (takes effect at the next ``fit``); unknown names are an error."""
        valid = set(self._param_names())
        for name, value in params.items():
            if name not in valid:
                raise ValueError(f"{type(self).__name__} has no parameter {name!r}; parameters: {sorted(valid)}")
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = {name: p.default for name, p in inspect.signature(type(self).__init__).parameters.items()}
        changed = []
        for name, value in self.get_params().items():
            default = defaults.get(name, inspect.Parameter.empty)
            try:
                same = bool(value == default)
            except (TypeError, ValueError):
                same = value is default
            if not same:
                changed.append(f"{name}={value!r}")
        state = f"fitted on {self.n_matches_} matches" if self._is_fitted() else "not fitted"
        return f"{type(self).__name__}({', '.join(changed)})  # {state}"

    # ------------------------------------------------------------------ prediction
    def predict(self, home: str, away: str, neutral: bool = False, competition: str | None = None,
                second_leg: bool = False) -> ScoreGrid:
        """The grid of one fixture (``competition`` picks its home advantage; default the home team's league;
        ``second_leg``: the second leg of a two-legged tie)."""
        return self.predict_many([home], [away], [bool(neutral)], None if competition is None else [competition],
                                 second_leg=[bool(second_leg)])

    def predict_many(self, home: Any, away: Any, neutral: Any = False, competition: Any = None,
                     second_leg: Any = False) -> ScoreGrid:
        """Score grids of a stack of fixtures (vectorised): ``grid_from_rates(*rates(...), second_leg)``.
        ``second_leg`` (one flag or one per fixture): the fixture is the second leg of a two-legged tie (a
        goal model then uses its second-leg rho, see ``GoalModel(second_leg_rho=...)``)."""
        rates = self.rates(home, away, neutral, competition)
        if np.asarray(second_leg, dtype=bool).any():
            return self.grid_from_rates(*rates, second_leg=second_leg)
        return self.grid_from_rates(*rates)  # models overriding grid_from_rates(home_rate, away_rate) keep working

    def rates(self, home: Any, away: Any, neutral: Any = False, competition: Any = None
              ) -> tuple[np.ndarray, np.ndarray]:
        """The two rates of the model's score distribution per fixture: ``exp(log_rates(...))`` (a model
        without log-linear rates overrides this)."""
        eta_h, eta_a = self.log_rates(home, away, neutral, competition)
        return np.exp(eta_h), np.exp(eta_a)

    def log_rates(self, home: Any, away: Any, neutral: Any = False, competition: Any = None
                  ) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError(f"{type(self).__name__} defines neither rates nor log_rates")

    def grid_from_rates(self, home_rate: Any, away_rate: Any, second_leg: Any = False) -> ScoreGrid:
        """The fitted score distribution's grid for any rates (e.g. a lineup's adjusted ones), with the
        distribution's exact expected goals. Uses the fitted ``distribution_`` and its ``extra_`` parameters
        (rho, ...), or per fixture those of ``fixture_extras(second_leg, n)`` where the model has them (a
        goal model's second-leg rho); a model with another kind of score model overrides this."""
        self._check_fitted()
        lam_h = np.atleast_1d(np.asarray(home_rate, dtype=float))
        lam_a = np.atleast_1d(np.asarray(away_rate, dtype=float))
        distribution = self.distribution_
        extra = np.array([self.extra_[name] for name in distribution.extra_names], dtype=float)
        by_fixture = self.fixture_extras(second_leg, int(np.broadcast(lam_h, lam_a).size))
        if by_fixture is not None:
            extra = by_fixture.T  # (e, n): each extra broadcasts over the fixtures
        home_goals, away_goals = distribution.means(lam_h, lam_a, extra)
        return ScoreGrid(distribution.matrix(lam_h, lam_a, extra, self.max_goals), home_goals, away_goals)

    def fixture_extras(self, second_leg: Any, n: int) -> np.ndarray | None:
        """Per-fixture extra parameters of the score distribution ``(n, len(extra_names))`` for ``n`` fixtures
        (``second_leg``: one flag or one per fixture): ``extra_`` with rho replaced by the fitted
        ``second_leg_rho_`` for second legs (goal models, see ``GoalModel(second_leg_rho=...)``); None when
        every fixture uses ``extra_`` (no second leg, no second-leg rho fitted)."""
        rho = getattr(self, "second_leg_rho_", float("nan"))
        flags = np.asarray(second_leg, dtype=bool).ravel()
        if not flags.any() or rho is None or not np.isfinite(rho):
            return None
        names = self.distribution_.extra_names
        if "rho" not in names:
            return None
        flags = np.broadcast_to(flags, (n,)) if flags.size == 1 else flags
        extras = np.tile(np.array([self.extra_[name] for name in names], dtype=float), (n, 1))
        extras[flags, names.index("rho")] = rho
        return extras

    # ------------------------------------------------------------------ helpers
    def _is_fitted(self) -> bool:
        return hasattr(self, "teams_")

    def _check_fitted(self) -> None:
        if not self._is_fitted():
            raise NotFittedError(f"{type(self).__name__} is not fitted yet: call fit(matches, as_of) first")

    def _team_index(self, names: Any) -> np.ndarray:
        """Indices of team ids in ``teams_``; an unknown id raises naming the closest fitted teams."""
        self._check_fitted()
        teams = self.teams_
        names = as_array(names)
        index = np.clip(np.searchsorted(teams, names), 0, len(teams) - 1)
        unknown = teams[index] != names
        if unknown.any():
            name = str(names[np.flatnonzero(unknown)[0]])
            closest = difflib.get_close_matches(name, [str(t) for t in teams], n=5, cutoff=0.0)
            raise UnknownChoiceError(f"team (not in {type(self).__name__}'s fitted data)", name, closest,
                                     closest=True)
        return index

    def _fixtures(self, home: Any, away: Any, neutral: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(home indices, away indices, neutral flags) of a stack of fixtures, checked."""
        hi = self._team_index(home)
        ai = self._team_index(away)
        if hi.size != ai.size:
            raise ValueError(f"home and away must have the same length ({hi.size} != {ai.size})")
        flag = as_array(neutral, hi.size, dtype=bool)
        if flag.size != hi.size:
            raise ValueError("neutral must be a bool or have one entry per fixture")
        return hi, ai, flag


# ---------------------------------------------------------------------------------------------------
# Array helpers shared by the models
# ---------------------------------------------------------------------------------------------------


def as_array(values: Any, n: int | None = None, *, dtype: Any = object) -> np.ndarray:
    """1-D array from a scalar or sequence (a scalar is repeated ``n`` times)."""
    if isinstance(values, str) or np.ndim(values) == 0:
        return np.full(1 if n is None else n, values, dtype=dtype)
    return np.asarray(values, dtype=dtype).ravel()


def map_values(values: Any, mapping: Any, default: Any, dtype: Any = float) -> np.ndarray:
    """``mapping`` (a dict or a callable returning None when it has no value) applied to each entry, once
    per distinct value; missing entries and unmapped values get ``default``. Vectorised: simulations ask
    for 10^5 fixtures between a few dozen teams."""
    import pandas as pd

    codes, uniques = pd.factorize(np.asarray(values, dtype=object).ravel())
    get = mapping.get if isinstance(mapping, dict) else mapping
    table = []
    for key in uniques:
        value = get(key)
        table.append(default if value is None else value)
    table.append(default)  # code -1: a missing value
    return np.asarray(table, dtype=dtype)[codes]


def sorted_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes, sorted unique values): ``uniques[codes] == values``; hash-based, then sorted."""
    import pandas as pd

    codes, uniques = pd.factorize(values)
    uniques = np.asarray(uniques, dtype=object)
    order = np.argsort(uniques)
    rank = np.empty(len(order), dtype=np.intp)
    rank[order] = np.arange(len(order))
    return rank[codes], uniques[order]


def filter_ratings(frame: pd.DataFrame, teams: Iterable[str] | None, competition: str | None) -> pd.DataFrame:
    """Rows of a ratings table for ``teams`` and/or the current members of ``competition`` (clubs whose
    latest league is that one and who played within NEWCOMER_DAYS of the last match in the table)."""
    import pandas as pd

    keep = np.ones(len(frame), dtype=bool)
    if competition is not None:
        recent = frame["last_played"] >= frame["last_played"].max() - pd.Timedelta(days=NEWCOMER_DAYS)
        keep &= ((frame["competition"] == competition) & recent).to_numpy()
    if teams is not None:
        keep &= frame["team"].isin(set(teams)).to_numpy()
    return frame[keep]
