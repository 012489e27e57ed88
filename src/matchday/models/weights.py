"""Exponential time-decay weights for match likelihoods (Dixon & Coles 1997, section 4.2).

A match played ``t`` days before the reference date weighs ``exp(-xi * t)``: ``xi`` is in 1/day and the
half-life is ``ln 2 / xi`` days. Dixon & Coles chose ``xi = 0.0065`` per half-week by maximising the
out-of-sample predictive likelihood of English league results; that is ``0.0065 / 3.5 = 0.00186`` per day
(half-life of about 373 days), the default here (:data:`DEFAULT_XI`).

Every goal model uses :func:`decay_weights` (the likelihood code lives once, in ``models/base.py`` and
``models/scores.py``); the Elo mapping from rating difference to goals uses it too.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

DEFAULT_XI: float = 0.0019
"""Decay rate in 1/day: Dixon & Coles' 0.0065 per half-week (half-life ~365 days)."""

_DAY = np.timedelta64(1, "D")


def half_life_to_xi(half_life_days: float) -> float:
    """Decay rate xi (1/day) whose weights halve every ``half_life_days`` days (inf -> 0, no decay)."""
    if half_life_days <= 0:
        raise ValueError(f"half-life must be positive (got {half_life_days} days)")
    if math.isinf(half_life_days):
        return 0.0
    return math.log(2.0) / half_life_days


def xi_to_half_life(xi: float) -> float:
    """Half-life in days of the decay rate ``xi`` (1/day); inf when ``xi == 0`` (no decay)."""
    if xi < 0:
        raise ValueError(f"xi must be >= 0 (got {xi} per day)")
    return math.inf if xi == 0 else math.log(2.0) / xi


def age_in_days(dates: np.ndarray | pd.Series, reference: pd.Timestamp | np.datetime64) -> np.ndarray:
    """Age of each date at ``reference`` in (fractional) days; positive for dates before the reference."""
    values = np.asarray(dates, dtype="datetime64[ns]")
    ref = np.datetime64(pd.Timestamp(reference).to_datetime64(), "ns")
    return (ref - values) / _DAY


def decay_weights(
    dates: np.ndarray | pd.Series, reference: pd.Timestamp | np.datetime64, xi: float = DEFAULT_XI
) -> np.ndarray:
    """``exp(-xi * age_in_days)`` for each date: 1 for a match on the reference date, less before it.

    ``xi`` is the decay rate in 1/day (0 = all matches weigh 1). Dates after the reference are not
    up-weighted: their age is clipped at 0 (models only ever see matches before their as-of date).
    """
    if xi < 0 or not math.isfinite(xi):
        raise ValueError(f"xi must be a finite rate >= 0 per day (got {xi})")
    age = np.maximum(age_in_days(dates, reference), 0.0)
    if xi == 0:
        return np.ones(age.shape, dtype=float)
    return np.exp(-xi * age)
