"""PNG charts of a rotation analysis (matplotlib with the Agg backend, imported only when drawing).

Left panel: the objective of every plan with +/- 2 standard-error bars (and the paired 2-SE interval of
its difference from the best plan, which common random numbers make much narrower). Right panel: the
stance flip, the objective of the Europe-first plan minus the league-first plan as the weight on the
trophy varies, with its paired 2-SE band and the threshold marked.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from matchday.decide.recommend import RotationAnalysis


def plot_rotation(analysis: RotationAnalysis, path: str | os.PathLike[str]) -> Path:
    """Write the chart to ``path`` (PNG) and return the path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    table = analysis.table
    has_flip = analysis.has_stance_flip
    fig, axes = plt.subplots(1, 2 if has_flip else 1, figsize=(12 if has_flip else 7, 4.8), squeeze=False)
    ax = axes[0, 0]
    y = np.arange(len(table))
    best = table["objective"].idxmax()
    ax.errorbar(table["objective"], y, xerr=2 * table["se"], fmt="o", color="#90a4ae", capsize=4,
                label="objective +/- 2 SE")
    ax.errorbar(table["objective"], y, xerr=2 * table["se_vs_best"], fmt="none", ecolor="#c53030", capsize=7,
                linewidth=2.5, label="difference from best, paired +/- 2 SE")
    ax.plot(table["objective"][best], y[best], "o", color="#2b6cb0", markersize=10, label=f"best: {table['plan'][best]}")
    ax.set_yticks(y, table["plan"])
    ax.invert_yaxis()
    low = float((table["objective"] - 3 * table["se"]).min())
    high = float((table["objective"] + 3 * table["se"]).max())
    ax.set_xlim(low - 0.1 * (high - low + 1e-9), high + 0.1 * (high - low + 1e-9))
    weights = ", ".join(f"{k}={v:g}" for k, v in analysis.weights.items())
    ax.set_xlabel(f"objective ({weights})")
    ax.set_title(f"{analysis.name(analysis.calendar.club)} as of {analysis.calendar.as_of.isoformat()}: plans")
    ax.legend(loc="best", fontsize=8)
    if has_flip:
        ax = axes[0, 1]
        flip = analysis.stance_flip()
        europe, league = analysis.outcome(flip.europe), analysis.outcome(flip.league)
        others = {k: v for k, v in analysis.weights.items() if k != "trophy"}
        a = europe.objective(others) - league.objective(others)
        b = europe.indicator("trophy") - league.indicator("trophy")
        top = max(2.0, 2.5 * (flip.threshold or 0.0), 1.5 * flip.weight)
        w = np.linspace(0.0, top, 101)
        diff = a.mean() + w * b.mean()
        n = analysis.n_sims
        se = np.sqrt(np.array([np.var(a + x * b, ddof=1) for x in w]) / n)
        ax.plot(w, diff, color="#2b6cb0", label=f"'{flip.europe}' minus '{flip.league}'")
        ax.fill_between(w, diff - 2 * se, diff + 2 * se, color="#2b6cb0", alpha=0.2, label="paired +/- 2 SE")
        ax.axhline(0.0, color="black", linewidth=0.8)
        if flip.threshold is not None and 0 <= flip.threshold <= top:
            ax.axvline(flip.threshold, color="#c53030", linestyle="--",
                       label=f"stance flip at {flip.threshold:.2f} (SE {flip.se:.3f})")
        ax.axvline(flip.weight, color="gray", linestyle=":", label=f"weight given ({flip.weight:g})")
        ax.set_xlabel("weight on winning the European trophy (title = 1)")
        ax.set_ylabel("objective difference")
        ax.set_title("Stance flip: all in on Europe vs resting for the league")
        ax.legend(fontsize=8)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
