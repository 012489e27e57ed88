"""How many simulations a Monte Carlo accepts, and which seeds: one rule for the library and the command line.

Every simulation engine (season and what-if, knockout ties, brackets, rotation plans) works in chunks of a
fixed size and accumulates what it reports, so its memory does not grow with the number of simulations;
only its run time does (the command line shows progress and the time left). The limits therefore are:

* **at least one simulation** (two for the rotation plans: their paired standard errors need two futures);
* **at most** :data:`MAX_SIMS` = 10**8. With 10**8 simulations the Monte Carlo standard error of any
  probability is at most sqrt(0.25 / 10**8) = 0.00005, twenty times below the last digit the tables print
  (0.1 %) and far below the model's own error: more simulations cannot change an answer, they only cost time
  (``bench/bench_sims_memory.py``: the rest of the 2023-24 Premier League from mid-April runs about 16 s per
  10**6 simulations at under 100 MiB of working memory, so 10**8 take about half an hour; a whole season
  from August about three times as long);
* **at most** :data:`MAX_ROTATION_SIMS` = 10**7 futures for the rotation plans: every plan keeps its
  outcome in each future (position, points, cup stages, trophy) so that plans are compared on the same
  futures (paired standard errors, the weight at which the advice flips), about 120 bytes per future for
  the four named plans with the analysis' temporaries (1.3 GB measured at 10**7, the sensitivity runs add
  about half as much again); the paired standard errors are then below 0.0001.

Seeds are whole numbers from 0 to :data:`MAX_SEED` (2**32 - 1): NumPy's seed sequence takes non-negative
integers, 32 bits are plenty to tell runs apart, and the web dashboard accepts the same range.
"""

from __future__ import annotations

import operator

from matchday.data.errors import MatchdayError

MAX_SIMS = 100_000_000
MAX_ROTATION_SIMS = 10_000_000
#: The league-phase engine (:mod:`matchday.simulate.uefa_season`) still keeps every simulated season (a few
#: KB each: 0.35 GB measured at 100,000): until it counts in chunks, the command line stops it at 10**6.
MAX_LEAGUE_PHASE_SIMS = 1_000_000
MAX_SEED = 2**32 - 1

WHY_MAX = ("more cannot change a printed figure: at 10^8 the Monte Carlo standard error of any probability is "
           "below 0.00005")
WHY_MAX_ROTATION = ("every plan keeps its outcome in each future to be compared on the same futures, about 120 "
                    "bytes per future; at 10^7 the paired standard errors are below 0.0001")


class SimulationSizeError(MatchdayError, ValueError):
    """A number of simulations or a seed outside what the simulations accept (the message says the range)."""


def _whole(value: object, name: str) -> int:
    if isinstance(value, bool):
        raise SimulationSizeError(f"{name or 'value'}: {value!r} is not a whole number")
    try:
        return operator.index(value)  # int, NumPy integers; not floats or strings
    except TypeError:
        pass
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise SimulationSizeError(f"{name or 'value'}: {value!r} is not a whole number")


def check_sims(value: object, *, minimum: int = 1, maximum: int = MAX_SIMS, name: str = "n_sims",
               why_minimum: str | None = None, why_maximum: str | None = None) -> int:
    """``value`` as an int when ``minimum <= value <= maximum``; otherwise a :class:`SimulationSizeError`
    whose one line says the accepted range and why."""
    number = _whole(value, name)
    if minimum <= number <= maximum:
        return number
    if number < minimum:
        why = why_minimum or ("at least one simulation is needed to estimate anything" if minimum == 1 else
                              f"at least {minimum} are needed")
    else:
        why = why_maximum or (WHY_MAX_ROTATION if maximum == MAX_ROTATION_SIMS else WHY_MAX)
    prefix = f"{name} " if name else ""
    raise SimulationSizeError(f"{prefix}{number:,}: give a whole number from {minimum:,} to {maximum:,} ({why})")


def check_seed(value: object, *, name: str = "seed") -> int:
    """``value`` as an int in ``0 .. MAX_SEED``; otherwise a :class:`SimulationSizeError` saying the range."""
    number = _whole(value, name)
    if 0 <= number <= MAX_SEED:
        return number
    prefix = f"{name} " if name else ""
    raise SimulationSizeError(f"{prefix}{number:,}: give a whole number from 0 to {MAX_SEED:,} (NumPy seeds are "
                              "non-negative; 32 bits are plenty to tell runs apart)")
