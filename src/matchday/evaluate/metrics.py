"""Scores for probabilistic match forecasts, paired comparisons and calibration.

Forecasts are arrays ``probs`` of shape ``(n, r)``: one row per match, ``r`` ordered outcomes (for 1X2:
home win, draw, away win). Outcomes are integer indices ``(n,)`` into those columns (see
:func:`outcome_index`). Scores are returned per match (shape ``(n,)``, lower is better) so that they
can be averaged by league or season and compared match by match with :func:`paired_difference`. A row
with a NaN probability, or a NaN outcome, scores NaN.

Conventions:

* RPS (ranked probability score, Epstein 1969) is normalised by ``r - 1`` as in Constantinou & Fenton
  (2012): ``RPS = sum_{j=1}^{r-1} (P_j - O_j)**2 / (r - 1)`` with cumulative forecast ``P`` and
  cumulative outcome ``O``. A perfect forecast scores 0, the uniform 1X2 forecast 5/18 or 1/9; EPL
  forecasts score ~0.20 (as penaltyblog reports).
* Log loss in nats, ``-ln p[outcome]`` with ``p`` clipped at ``eps`` from below.
* Brier score, multi-class: ``sum_j (p_j - o_j)**2`` (range 0 to 2), not divided by ``r``.
"""

from __future__ import annotations

from pathlib import Path
from statistics import NormalDist
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

FloatArray = npt.NDArray[np.float64]


def outcome_index(home_goals: npt.ArrayLike, away_goals: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """1X2 outcome index per match: 0 home win, 1 draw, 2 away win."""
    home = np.asarray(home_goals)
    away = np.asarray(away_goals)
    return np.where(home > away, 0, np.where(home == away, 1, 2)).astype(np.int64)


def _forecasts(probs: npt.ArrayLike, outcome: npt.ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Checked probabilities (n, r), outcome indices (n,) as floats (NaN = unknown) and one-hot (n, r)."""
    p = np.asarray(probs, dtype=float)
    if p.ndim == 1:
        p = p[None, :]
    if p.ndim != 2 or p.shape[1] < 2:
        raise ValueError(f"probs must have shape (n, r) with r >= 2 outcomes; got shape {p.shape}")
    y = np.asarray(outcome, dtype=float).reshape(-1)
    if y.shape[0] != p.shape[0]:
        raise ValueError(f"probs has {p.shape[0]} rows but outcome has {y.shape[0]} entries")
    known = ~np.isnan(y)
    bad = known & ((y != np.round(y)) | (y < 0) | (y >= p.shape[1]))
    if np.any(bad):
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"outcome: row {row} is {float(y[row])!r}; expected an integer index in 0..{p.shape[1] - 1}"
        )
    one_hot = (np.arange(p.shape[1]) == y[:, None]).astype(float)
    one_hot[~known] = np.nan
    return p, y, one_hot


def rps(probs: npt.ArrayLike, outcome: npt.ArrayLike) -> FloatArray:
    """Ranked probability score per match, normalised by ``r - 1`` (Constantinou & Fenton 2012)."""
    p, _, one_hot = _forecasts(probs, outcome)
    gap = np.cumsum(p, axis=1)[:, :-1] - np.cumsum(one_hot, axis=1)[:, :-1]
    return (gap**2).sum(axis=1) / (p.shape[1] - 1)


def log_loss(probs: npt.ArrayLike, outcome: npt.ArrayLike, eps: float = 1e-15) -> FloatArray:
    """Negative log-likelihood per match in nats, ``-ln max(p[outcome], eps)``."""
    p, _, one_hot = _forecasts(probs, outcome)
    chosen = (p * one_hot).sum(axis=1)
    return -np.log(np.maximum(chosen, eps))


def brier(probs: npt.ArrayLike, outcome: npt.ArrayLike) -> FloatArray:
    """Multi-class Brier score per match, ``sum_j (p_j - o_j)**2`` (0 perfect, 2 worst)."""
    p, _, one_hot = _forecasts(probs, outcome)
    return ((p - one_hot) ** 2).sum(axis=1)


class PairedDifference(NamedTuple):
    """Mean of ``score_a - score_b`` over matches, and its standard error."""

    mean: float
    standard_error: float


def paired_difference(
    score_a: npt.ArrayLike, score_b: npt.ArrayLike, clusters: npt.ArrayLike | None = None
) -> PairedDifference:
    """Mean per-match difference ``a - b`` of two forecasts scored on the same matches, with its SE.

    Negative means ``a`` scores lower (better, for RPS, log loss, Brier). Pairs where either score is
    NaN are dropped. With ``clusters`` (one label per match, e.g. the matchday or week), the standard
    error is cluster-robust (CR1: ``G / (G - 1) * sum_g (sum_{i in g} (d_i - mean))**2 / n**2``), which
    allows for matches of one round sharing a common shock; without, it is ``sd(d) / sqrt(n)``.
    """
    import pandas as pd

    a = np.asarray(score_a, dtype=float).reshape(-1)
    b = np.asarray(score_b, dtype=float).reshape(-1)
    if a.shape != b.shape:
        raise ValueError(f"score_a has {a.size} entries but score_b has {b.size}")
    keep = ~(np.isnan(a) | np.isnan(b))
    difference = a[keep] - b[keep]
    n = difference.size
    if n < 2:
        raise ValueError(f"need at least 2 matches scored by both forecasts; got {n}")
    mean = float(difference.mean())
    if clusters is None:
        return PairedDifference(mean, float(difference.std(ddof=1) / np.sqrt(n)))
    labels = np.asarray(clusters).reshape(-1)
    if labels.size != a.size:
        raise ValueError(f"clusters has {labels.size} labels but there are {a.size} scores")
    codes, uniques = pd.factorize(labels[keep], use_na_sentinel=False)
    groups = len(uniques)
    if groups < 2:
        raise ValueError(f"need at least 2 clusters for a cluster-robust standard error; got {groups}")
    cluster_sums = np.bincount(codes, weights=difference - mean, minlength=groups)
    variance = groups / (groups - 1) * np.sum(cluster_sums**2) / n**2
    return PairedDifference(mean, float(np.sqrt(variance)))


def wilson_interval(
    successes: npt.ArrayLike, trials: npt.ArrayLike, confidence: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval for a binomial proportion; NaN where ``trials == 0``."""
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    z = NormalDist().inv_cdf(0.5 + confidence / 2.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = k / n
        denominator = 1.0 + z**2 / n
        centre = (share + z**2 / (2.0 * n)) / denominator
        half_width = z / denominator * np.sqrt(share * (1.0 - share) / n + z**2 / (4.0 * n**2))
    # Rounding can leave the bound a hair inside an observed 0 or 1; the interval always contains the share.
    low = np.clip(np.fmin(centre - half_width, share), 0.0, 1.0)
    high = np.clip(np.fmax(centre + half_width, share), 0.0, 1.0)
    return low, high


def calibration_table(
    p: npt.ArrayLike, y: npt.ArrayLike, bins: int | npt.ArrayLike = 10, confidence: float = 0.95
) -> pd.DataFrame:
    """Reliability table: forecasts grouped by predicted probability, against observed frequencies.

    Either ``p`` (n,) probabilities of a binary event with ``y`` (n,) 0/1 outcomes, or ``p`` (n, r)
    forecasts with ``y`` (n,) outcome indices, in which case every (match, outcome) pair is one binary
    event (all outcomes pooled). ``bins``: number of equal-width bins on [0, 1] or the bin edges. Rows
    with NaN are dropped, and so are empty bins.

    Columns: ``bin`` (0-based), ``lower``, ``upper``, ``count``, ``mean_predicted``,
    ``observed_frequency``, ``ci_low``, ``ci_high`` (Wilson interval at ``confidence`` for the observed
    frequency). A calibrated forecast has ``mean_predicted`` inside most intervals.
    """
    import pandas as pd

    probs = np.asarray(p, dtype=float)
    outcomes = np.asarray(y, dtype=float)
    if probs.ndim == 2:
        probs, _, events = _forecasts(probs, outcomes)
        probs, events = probs.reshape(-1), events.reshape(-1)
    elif probs.ndim == 1:
        events = outcomes.reshape(-1)
        if events.shape != probs.shape:
            raise ValueError(f"p has {probs.size} entries but y has {events.size}")
        known = ~np.isnan(events)
        if np.any(known & (events != 0) & (events != 1)):
            row = int(np.flatnonzero(known & (events != 0) & (events != 1))[0])
            raise ValueError(f"y: row {row} is {float(events[row])!r}; expected 0 or 1")
    else:
        raise ValueError(f"p must have shape (n,) or (n, r); got shape {probs.shape}")
    keep = ~(np.isnan(probs) | np.isnan(events))
    probs, events = probs[keep], events[keep]
    if np.any((probs < 0) | (probs > 1)):
        raise ValueError("p: probabilities must lie in [0, 1]")

    edges = np.linspace(0.0, 1.0, int(bins) + 1) if np.ndim(bins) == 0 else np.asarray(bins, dtype=float)
    if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) <= 0):
        raise ValueError(f"bins must be a positive count or increasing edges; got {bins!r}")
    number = edges.size - 1
    index = np.clip(np.searchsorted(edges, probs, side="right") - 1, 0, number - 1)
    count = np.bincount(index, minlength=number)
    hits = np.bincount(index, weights=events, minlength=number)
    predicted = np.bincount(index, weights=probs, minlength=number)
    low, high = wilson_interval(hits, count, confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        table = pd.DataFrame(
            {
                "bin": np.arange(number),
                "lower": edges[:-1],
                "upper": edges[1:],
                "count": count,
                "mean_predicted": predicted / count,
                "observed_frequency": hits / count,
                "ci_low": low,
                "ci_high": high,
            }
        )
    return table[table["count"] > 0].reset_index(drop=True)


def reliability_plot(table: pd.DataFrame, path: str | Path, title: str = "Reliability") -> Path:
    """Write a reliability diagram of a :func:`calibration_table` as PNG to ``path``; returns the path.

    Observed frequency against mean predicted probability with the table's intervals, the diagonal of
    perfect calibration, and the number of forecasts per bin underneath.
    """
    # the Agg canvas directly: no pyplot, no global backend switch, no display needed
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure = Figure(figsize=(5.5, 6.5), dpi=100)
    FigureCanvasAgg(figure)
    top, bottom = figure.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    top.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="perfect calibration")
    error = np.vstack(
        [
            (table["observed_frequency"] - table["ci_low"]).to_numpy(),
            (table["ci_high"] - table["observed_frequency"]).to_numpy(),
        ]
    )
    top.errorbar(
        table["mean_predicted"],
        table["observed_frequency"],
        yerr=error,
        fmt="o-",
        capsize=3,
        label="forecast",
    )
    top.set_ylabel("observed frequency")
    top.set_xlim(0, 1)
    top.set_ylim(0, 1)
    top.set_title(title)
    top.legend(loc="upper left")
    bottom.bar(
        (table["lower"] + table["upper"]) / 2, table["count"], width=(table["upper"] - table["lower"]) * 0.9
    )
    bottom.set_xlabel("predicted probability")
    bottom.set_ylabel("forecasts")
    figure.tight_layout()
    figure.savefig(path, format="png")
    return path
