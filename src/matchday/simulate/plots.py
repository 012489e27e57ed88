"""Charts of simulation results (matplotlib, Agg backend, imported only when a chart is drawn)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from matchday.simulate.season import SeasonSimulation


def cell_percent(value: float) -> str:
    """The label of a heatmap cell holding probability ``value``: whole percent, "<1" below 1% (a possible
    finish never reads 0), empty below 0.1% (rounding noise of the simulation)."""
    if value < 0.001:
        return ""
    return "<1" if value < 0.01 else f"{100 * value:.0f}"


def position_heatmap(result: SeasonSimulation, path: str | Path, names: Mapping[str, str] | None = None,
                     footnote: str | None = None) -> Path:
    """PNG heatmap: clubs (current table order) x finishing positions, cell = probability; ``footnote``
    (what the forecast rests on: model, training window, seed) is printed under the chart."""
    import textwrap

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    probs = result.position_probabilities()
    labels = [(names or {}).get(t, t) for t in probs.index]
    n = len(labels)
    width = 1.0 + 0.45 * n
    note_lines = textwrap.wrap(footnote, width=int(width * 17)) if footnote else []
    height = 1.0 + 0.38 * n + 0.16 * len(note_lines)
    figure = Figure(figsize=(width, height))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    image = axes.imshow(probs.to_numpy(), cmap="Blues", vmin=0, vmax=1, aspect="auto")
    axes.set_xticks(range(n), [str(p) for p in probs.columns])
    axes.set_yticks(range(n), labels)
    axes.set_xlabel("finishing position")
    for i in range(n):
        for j in range(n):
            value = probs.iat[i, j]
            label = cell_percent(value)
            if label:
                axes.text(j, i, label, ha="center", va="center", fontsize=7,
                          color="white" if value > 0.6 else "black")
    when = f"as of {result.as_of.isoformat()}" if result.as_of else "before the season"
    axes.set_title(f"{result.competition} {result.season} {when}: P(position) in % ({result.n_sims:,} simulations)")
    figure.colorbar(image, ax=axes, fraction=0.03)
    if note_lines:
        figure.text(0.01, 0.01, "\n".join(note_lines), fontsize=7, color="#4a5568", va="bottom", ha="left")
        figure.tight_layout(rect=(0, 0.16 * len(note_lines) / height + 0.01, 1, 1))
    else:
        figure.tight_layout()
    path = Path(path)
    figure.savefig(path, dpi=110)
    return path
