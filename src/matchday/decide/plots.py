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
    import pandas as pd


def plot_rotation(table: pd.DataFrame, path: str | os.PathLike[str], *, title: str, weights_label: str,
                  flip_curve: pd.DataFrame | None = None, footnote: str | None = None) -> Path:
    """Write the chart to ``path`` (PNG) and return the path.

    table: :attr:`RotationAnalysis.table` (plan, objective, se, se_vs_best); weights_label: the objective's
    weights as given (``title=1, trophy=0.5, top4=0.3``), which label the objective axis; flip_curve:
    :meth:`RotationAnalysis.stance_flip_curve` (weight, difference, se; ``attrs`` label, threshold,
    threshold_se, weight, outcome, others), or None for no right panel; footnote: what the numbers rest on
    (model, training window, as-of, simulations, seed), printed under the panels.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    has_flip = flip_curve is not None
    import textwrap

    width = 12 if has_flip else 7
    note_lines = textwrap.wrap(footnote, width=int(width * 17)) if footnote else []
    height = 4.8 + 0.16 * len(note_lines)
    fig, axes = plt.subplots(1, 2 if has_flip else 1, figsize=(width, height), squeeze=False)
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
    ax.set_xlabel(f"objective ({weights_label})")
    ax.set_title(title)
    ax.legend(loc="best", fontsize=8)
    if has_flip:
        ax = axes[0, 1]
        w, diff, se = (flip_curve[c].to_numpy() for c in ("weight", "difference", "se"))
        threshold, weight = flip_curve.attrs["threshold"], flip_curve.attrs["weight"]
        ax.plot(w, diff, color="#2b6cb0", label=flip_curve.attrs["label"])
        ax.fill_between(w, diff - 2 * se, diff + 2 * se, color="#2b6cb0", alpha=0.2, label="paired +/- 2 SE")
        ax.axhline(0.0, color="black", linewidth=0.8)
        if threshold is not None and 0 <= threshold <= w[-1]:
            ax.axvline(threshold, color="#c53030", linestyle="--",
                       label=f"stance flip at {threshold:.2f} (SE {flip_curve.attrs['threshold_se']:.3f})")
        ax.axvline(weight, color="gray", linestyle=":", label=f"weight given ({weight:g})")
        outcome = flip_curve.attrs.get("outcome", "win the UEFA competition")
        others = flip_curve.attrs.get("others", "as given")
        ax.set_xlabel(f"weight on 'trophy' ({outcome})\nother weights fixed: {others}")
        ax.set_ylabel("objective difference")
        ax.set_title("Stance flip: all in on Europe vs resting for the league")
        ax.legend(fontsize=8)
    if note_lines:
        fig.text(0.01, 0.01, "\n".join(note_lines), fontsize=7, color="#4a5568", va="bottom", ha="left")
        fig.tight_layout(rect=(0, 0.16 * len(note_lines) / height + 0.01, 1, 1))
    else:
        fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
