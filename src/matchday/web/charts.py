"""Server-made SVG charts from plain numbers (no JavaScript, no chart library).

Every chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` (screen readers read both), a
``viewBox`` so it scales to the screen, axis labels in words with units, and colours from the Okabe-Ito
palette (distinguishable with the common colour-vision deficiencies); lines also differ by marker shape and
carry direct labels, so colour is never the only cue. Sequential values (probabilities in a heatmap) use
one blue ramp with the number printed in the cell.

Functions return :class:`markupsafe.Markup` (safe to drop into a Jinja2 template); every label is escaped.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from html import escape

from markupsafe import Markup

from matchday.simulate.plots import cell_percent

#: Okabe & Ito (2008), ordered for lines on white: blue, vermillion, bluish green, orange, reddish purple,
#: sky blue, black, yellow.
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")
MARKERS = ("circle", "square", "triangle", "diamond", "cross", "circle-open", "square-open", "triangle-open")
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
_counter = itertools.count(1)


def _id(prefix: str) -> str:
    return f"{prefix}-{next(_counter)}"


def _fmt(value: float, digits: int = 3) -> str:
    return f"{value:.{digits}g}"


def _pct(p: float | None) -> str:
    if p is None or not math.isfinite(p):
        return "n/a"
    if p <= 0:
        return "0%"
    if p < 0.001:
        return "<0.1%"
    if 0.999 < p < 1:
        return ">99.9%"
    return f"{100 * p:.1f}%"


class _Svg:
    def __init__(self, width: int, height: int, title: str, desc: str) -> None:
        self.width, self.height = width, height
        tid, did = _id("t"), _id("d")
        self.parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
            f'aria-labelledby="{tid} {did}" font-family="{escape(FONT)}" font-size="13" class="chart-svg">',
            f'<title id="{tid}">{escape(title)}</title><desc id="{did}">{escape(desc)}</desc>',
        ]

    def add(self, text: str) -> None:
        self.parts.append(text)

    def text(self, x: float, y: float, content: str, *, anchor: str = "start", size: int | None = None,
             weight: str | None = None, fill: str = "#1a1a1a", rotate: float | None = None,
             baseline: str | None = None) -> None:
        attrs = [f'x="{x:.1f}"', f'y="{y:.1f}"', f'text-anchor="{anchor}"', f'fill="{fill}"']
        if size:
            attrs.append(f'font-size="{size}"')
        if weight:
            attrs.append(f'font-weight="{weight}"')
        if baseline:
            attrs.append(f'dominant-baseline="{baseline}"')
        if rotate is not None:
            attrs.append(f'transform="rotate({rotate:.0f} {x:.1f} {y:.1f})"')
        self.parts.append(f"<text {' '.join(attrs)}>{escape(content)}</text>")

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str = "#1a1a1a", width: float = 1,
             dash: str | None = None) -> None:
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        self.parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}" '
                          f'stroke-width="{width}"{extra}/>')

    def marker(self, kind: str, x: float, y: float, color: str, size: float = 4.5, tip: str | None = None) -> None:
        open_ = kind.endswith("-open")
        fill = "#ffffff" if open_ else color
        shape = kind.replace("-open", "")
        attrs = f'fill="{fill}" stroke="{color}" stroke-width="1.6"'
        if shape == "circle":
            body = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size:.1f}" {attrs}>'
        elif shape == "square":
            s = size * 0.9
            body = f'<rect x="{x - s:.1f}" y="{y - s:.1f}" width="{2 * s:.1f}" height="{2 * s:.1f}" {attrs}>'
        elif shape == "triangle":
            s = size * 1.15
            body = (f'<polygon points="{x:.1f},{y - s:.1f} {x + s:.1f},{y + s * 0.8:.1f} {x - s:.1f},{y + s * 0.8:.1f}" '
                    f'{attrs}>')
        elif shape == "diamond":
            s = size * 1.2
            body = f'<polygon points="{x:.1f},{y - s:.1f} {x + s:.1f},{y:.1f} {x:.1f},{y + s:.1f} {x - s:.1f},{y:.1f}" {attrs}>'
        else:  # cross
            s = size
            body = (f'<path d="M{x - s:.1f},{y - s:.1f}L{x + s:.1f},{y + s:.1f}M{x - s:.1f},{y + s:.1f}L{x + s:.1f},'
                    f'{y - s:.1f}" stroke="{color}" stroke-width="2.2" fill="none">')
        closing = {"circle": "</circle>", "square": "</rect>", "triangle": "</polygon>", "diamond": "</polygon>"}.get(
            shape, "</path>")
        self.parts.append(body + (f"<title>{escape(tip)}</title>" if tip else "") + closing)

    def done(self) -> Markup:
        return Markup("".join(self.parts) + "</svg>")  # noqa: S704 - every piece of text was escaped above


def _nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    if not math.isfinite(low) or not math.isfinite(high):
        return [0.0]
    if high <= low:
        high = low + 1.0
    raw = (high - low) / max(1, count)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = min((m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw), default=raw)
    first = math.ceil(low / step - 1e-9) * step
    ticks = []
    value = first
    while value <= high + 1e-9 * step:
        ticks.append(round(value, 12))
        value += step
    return ticks


def _ramp(p: float) -> str:
    """White to dark blue (one hue: readable for every colour vision), by probability."""
    p = min(1.0, max(0.0, p)) ** 0.6
    start, end = (255, 255, 255), (8, 48, 107)
    rgb = [round(s + (e - s) * p) for s, e in zip(start, end, strict=True)]
    return "#{:02x}{:02x}{:02x}".format(*rgb)


# --------------------------------------------------------------------------------------------------- heatmap
def heatmap(row_labels: Sequence[str], col_labels: Sequence[str], matrix: Sequence[Sequence[float]], *,
            title: str, desc: str, x_label: str, y_label: str, cell_tip: str = "{row}: {value} at {col}",
            row_marks: Sequence[str] | None = None, col_marks: Sequence[str] | None = None) -> Markup:
    """A probability grid: one row per ``row_labels`` entry, one column per ``col_labels`` entry; values
    printed as whole percentages (blank under 0.5%). ``col_marks`` colours a strip above the columns (zones)."""
    n_rows, n_cols = len(row_labels), len(col_labels)
    label_w = min(170, 12 + 7 * max((len(str(r)) for r in row_labels), default=4))
    cell = max(22, min(34, (640 - label_w) // max(1, n_cols)))
    longest = max((len(str(c)) for c in col_labels), default=1)
    rotate = longest * 6.5 > cell  # long column labels stand at an angle
    top = 44 + (int(longest * 5.2) if rotate else 14)
    left = 30 + label_w
    width = left + cell * n_cols + (40 if rotate else 12)
    height = top + cell * n_rows + 12
    svg = _Svg(width, height, title, desc)
    svg.text(left + cell * n_cols / 2, 18, x_label, anchor="middle", weight="600")
    svg.text(16, top + cell * n_rows / 2, y_label, anchor="middle", weight="600", rotate=-90)
    zone_colours = {"champions_league": OKABE_ITO[0], "europa_league": OKABE_ITO[5],
                    "conference_league": OKABE_ITO[2], "promotion": OKABE_ITO[2], "promotion_playoff": OKABE_ITO[3],
                    "relegation_playoff": OKABE_ITO[3], "relegation": OKABE_ITO[1],
                    "round_of_16": OKABE_ITO[0], "knockout_playoff": OKABE_ITO[5]}
    for j, label in enumerate(col_labels):
        x = left + cell * (j + 0.5)
        if rotate:
            svg.text(x - 2, top - 10, str(label), size=11, rotate=-40)
        else:
            svg.text(x, top - 12, str(label), anchor="middle", size=11)
        if col_marks and col_marks[j] in zone_colours:
            svg.add(f'<rect x="{left + cell * j:.1f}" y="{top - 6}" width="{cell:.1f}" height="4" '
                    f'fill="{zone_colours[col_marks[j]]}"><title>{escape(col_marks[j].replace("_", " "))}</title></rect>')
    for i, row in enumerate(row_labels):
        y = top + cell * i
        svg.text(left - 6, y + cell / 2, row, anchor="end", size=12, baseline="central")
        for j, col in enumerate(col_labels):
            value = float(matrix[i][j])
            if value <= 0:  # white on white: an impossible cell is left out (a 36 x 36 grid is mostly zeros)
                continue
            x = left + cell * j
            tip = cell_tip.format(row=row, col=col, value=_pct(value))
            svg.add(f'<rect x="{x:.1f}" y="{y:.1f}" width="{cell:.1f}" height="{cell:.1f}" fill="{_ramp(value)}" '
                    f'stroke="#ffffff" stroke-width="1"><title>{escape(tip)}</title></rect>')
            label = cell_percent(value)
            if label:
                colour = "#ffffff" if value > 0.35 else "#1a1a1a"
                svg.text(x + cell / 2, y + cell / 2, label, anchor="middle", size=10, fill=colour,
                         baseline="central")
    return svg.done()


# --------------------------------------------------------------------------------------------------- lines
def line_chart(series: Sequence[dict], *, title: str, desc: str, x_label: str, y_label: str,
               y_percent: bool = True, y_max: float | None = None, x_ticks: Sequence[float] | None = None,
               width: int = 560, height: int = 320, bands: bool = False, zero_line: bool = False,
               vlines: Sequence[tuple[float, str, str]] = ()) -> Markup:
    """Lines with markers and a direct label at the end of each. ``series``: dicts with ``label``, ``x``,
    ``y`` (and ``low``/``high`` for a shaded band when ``bands``). ``vlines``: (x, label, dash) markers."""
    left, right, top, bottom = 58, 150, 24, 52
    plot_w, plot_h = width - left - right, height - top - bottom
    xs = [x for s in series for x in s["x"]]
    ys = [y for s in series for y in s["y"] if y is not None]
    if bands:
        ys += [v for s in series for v in (s.get("low") or []) + (s.get("high") or []) if v is not None]
    x_lo, x_hi = (min(xs), max(xs)) if xs else (0.0, 1.0)
    if x_hi == x_lo:
        x_hi = x_lo + 1
    if y_percent:
        y_lo, y_hi = 0.0, y_max if y_max is not None else min(1.0, max(0.1, max(ys, default=0.1) * 1.1))
    else:
        y_lo, y_hi = min(ys, default=0.0), max(ys, default=1.0)
        pad = 0.08 * (y_hi - y_lo or 1.0)
        y_lo, y_hi = y_lo - pad, y_hi + pad
        if zero_line:
            y_lo, y_hi = min(y_lo, 0.0), max(y_hi, 0.0)

    def sx(x: float) -> float:
        return left + (x - x_lo) / (x_hi - x_lo) * plot_w

    def sy(y: float) -> float:
        return top + plot_h - (y - y_lo) / (y_hi - y_lo) * plot_h

    svg = _Svg(width, height, title, desc)
    for tick in _nice_ticks(y_lo, y_hi, 5):
        if tick < y_lo - 1e-12 or tick > y_hi + 1e-12:
            continue
        svg.line(left, sy(tick), left + plot_w, sy(tick), stroke="#e3e3e3")
        svg.text(left - 6, sy(tick), f"{100 * tick:.0f}%" if y_percent else _fmt(tick), anchor="end", size=11,
                 baseline="central")
    ticks = list(x_ticks) if x_ticks is not None else _nice_ticks(x_lo, x_hi, 6)
    for tick in ticks:
        if x_lo - 1e-9 <= tick <= x_hi + 1e-9:
            svg.line(sx(tick), top + plot_h, sx(tick), top + plot_h + 4)
            svg.text(sx(tick), top + plot_h + 17, _fmt(tick), anchor="middle", size=11)
    svg.line(left, top + plot_h, left + plot_w, top + plot_h)
    svg.line(left, top, left, top + plot_h)
    if zero_line and y_lo < 0 < y_hi:
        svg.line(left, sy(0), left + plot_w, sy(0), stroke="#555555", width=1.2)
    svg.text(left + plot_w / 2, height - 10, x_label, anchor="middle", weight="600")
    svg.text(14, top + plot_h / 2, y_label, anchor="middle", weight="600", rotate=-90)
    for x, label, dash in vlines:
        if x_lo <= x <= x_hi:
            svg.line(sx(x), top, sx(x), top + plot_h, stroke="#555555", width=1.3, dash=dash)
            svg.text(sx(x) + 4, top + 12, label, size=11, fill="#333333")
    ends: list[tuple[float, str, str]] = []
    for k, s in enumerate(series):
        colour, marker = OKABE_ITO[k % len(OKABE_ITO)], MARKERS[k % len(MARKERS)]
        points = [(x, y) for x, y in zip(s["x"], s["y"], strict=True) if y is not None]
        if bands and s.get("low") and s.get("high"):
            upper = [(x, h) for x, h in zip(s["x"], s["high"], strict=True) if h is not None]
            lower = [(x, lo) for x, lo in zip(s["x"], s["low"], strict=True) if lo is not None]
            poly = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in upper + lower[::-1])
            svg.add(f'<polygon points="{poly}" fill="{colour}" fill-opacity="0.18" stroke="none"/>')
        if len(points) > 1:
            path = " ".join(f"{'M' if i == 0 else 'L'}{sx(x):.1f},{sy(y):.1f}" for i, (x, y) in enumerate(points))
            dash = ' stroke-dasharray="6 3"' if k % 2 else ""  # every other line dashed: not colour alone
            svg.add(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2.2"{dash}/>')
        every = max(1, len(points) // 20)
        for i, (x, y) in enumerate(points):
            if i % every == 0 or i == len(points) - 1:
                tip = f"{s['label']}: {(_pct(y) if y_percent else _fmt(y, 4))} at {x_label.lower()} {_fmt(x)}"
                svg.marker(marker, sx(x), sy(y), colour, 3.6, tip)
        if points:
            ends.append((sy(points[-1][1]), s["label"], colour))
    ends.sort()
    placed: list[float] = []
    for y, label, colour in ends:  # direct labels, pushed apart so they do not overlap
        y = max(y, (placed[-1] + 14) if placed else top)
        placed.append(y)
        svg.text(left + plot_w + 8, y, label[:20], size=12, fill=colour, baseline="central", weight="600")
    return svg.done()


# --------------------------------------------------------------------------------------------------- intervals
def interval_chart(labels: Sequence[str], values: Sequence[float], half_wide: Sequence[float], *,
                   title: str, desc: str, x_label: str, half_narrow: Sequence[float] | None = None,
                   highlight: int | None = None, zero_line: bool = False, wide_label: str = "+/- 2 SE",
                   narrow_label: str = "") -> Markup:
    """One row per label: a dot at the value, a thin bar for +/- ``half_wide`` and (optional) a thick bar for
    +/- ``half_narrow`` (e.g. the paired interval of a difference, much narrower on common futures)."""
    label_w = min(230, 14 + 7 * max((len(x) for x in labels), default=4))
    width, row_h, top = 600, 34, 30
    left, right = label_w + 10, 24
    height = top + row_h * len(labels) + 56
    lows = [v - w for v, w in zip(values, half_wide, strict=True)]
    highs = [v + w for v, w in zip(values, half_wide, strict=True)]
    lo, hi = min(lows, default=0.0), max(highs, default=1.0)
    if zero_line:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    pad = 0.1 * (hi - lo or abs(hi) or 1.0)
    lo, hi = lo - pad, hi + pad
    plot_w = width - left - right

    def sx(x: float) -> float:
        return left + (x - lo) / (hi - lo) * plot_w

    svg = _Svg(width, height, title, desc)
    axis_y = top + row_h * len(labels)
    for tick in _nice_ticks(lo, hi, 5):
        if lo <= tick <= hi:
            svg.line(sx(tick), top - 6, sx(tick), axis_y, stroke="#e3e3e3")
            svg.text(sx(tick), axis_y + 16, _fmt(tick), anchor="middle", size=11)
    if zero_line:
        svg.line(sx(0), top - 6, sx(0), axis_y, stroke="#555555", width=1.2)
    svg.line(left, axis_y, left + plot_w, axis_y)
    svg.text(left + plot_w / 2, height - 12, x_label, anchor="middle", weight="600")
    for i, label in enumerate(labels):
        y = top + row_h * (i + 0.5)
        best = highlight == i
        svg.text(left - 8, y, label, anchor="end", size=12, baseline="central", weight="700" if best else None)
        colour = OKABE_ITO[0] if best else "#555555"
        svg.line(sx(lows[i]), y, sx(highs[i]), y, stroke=colour, width=1.5)
        svg.line(sx(lows[i]), y - 5, sx(lows[i]), y + 5, stroke=colour, width=1.5)
        svg.line(sx(highs[i]), y - 5, sx(highs[i]), y + 5, stroke=colour, width=1.5)
        if half_narrow is not None:
            a, b = values[i] - half_narrow[i], values[i] + half_narrow[i]
            svg.add(f'<rect x="{sx(a):.1f}" y="{y - 4:.1f}" width="{max(1.5, sx(b) - sx(a)):.1f}" height="8" '
                    f'fill="{OKABE_ITO[1]}" fill-opacity="0.85"><title>{escape(narrow_label)}: '
                    f'{_fmt(a, 4)} to {_fmt(b, 4)}</title></rect>')
        svg.marker("circle" if best else "circle-open", sx(values[i]), y, colour, 5,
                   f"{label}: {_fmt(values[i], 4)} ({wide_label} {_fmt(lows[i], 4)} to {_fmt(highs[i], 4)})")
    legend = f"dot and thin bar: value {wide_label}"
    if half_narrow is not None and narrow_label:
        legend += f"; thick bar: {narrow_label}"
    svg.text(left, 16, legend, size=11, fill="#333333")
    return svg.done()


# --------------------------------------------------------------------------------------------------- reliability
def reliability_chart(series: dict[str, Sequence[dict]], *, title: str, desc: str) -> Markup:
    """Predicted probability (x) against how often it happened (y), with 95% Wilson intervals; the diagonal
    is perfect calibration. ``series``: model -> rows with mean_predicted, observed_frequency, ci_low,
    ci_high, count."""
    width, height, left, top, size = 460, 470, 62, 20, 370
    svg = _Svg(width, height, title, desc)

    def sx(p: float) -> float:
        return left + p * size

    def sy(p: float) -> float:
        return top + size - p * size

    for tick in (0.0, 0.2, 0.4, 0.6, 0.8, 1.0):
        svg.line(sx(tick), top, sx(tick), top + size, stroke="#e3e3e3")
        svg.line(left, sy(tick), left + size, sy(tick), stroke="#e3e3e3")
        svg.text(sx(tick), top + size + 16, f"{100 * tick:.0f}%", anchor="middle", size=11)
        svg.text(left - 6, sy(tick), f"{100 * tick:.0f}%", anchor="end", size=11, baseline="central")
    svg.line(sx(0), sy(0), sx(1), sy(1), stroke="#888888", dash="5 4")
    svg.text(sx(0.62), sy(0.55), "perfect calibration", size=11, fill="#666666", rotate=-45)
    svg.text(left + size / 2, top + size + 38, "forecast probability", anchor="middle", weight="600")
    svg.text(16, top + size / 2, "how often it happened", anchor="middle", weight="600", rotate=-90)
    offsets = [(-0.006 + 0.012 * k / max(1, len(series) - 1)) if len(series) > 1 else 0.0 for k in range(len(series))]
    legend_y = top + 14
    for k, (name, rows) in enumerate(series.items()):
        colour, marker = OKABE_ITO[k % len(OKABE_ITO)], MARKERS[k % len(MARKERS)]
        for row in rows:
            x = row["mean_predicted"] + offsets[k]
            if row.get("ci_low") is not None and row.get("ci_high") is not None:
                svg.line(sx(x), sy(row["ci_low"]), sx(x), sy(row["ci_high"]), stroke=colour, width=1.4)
            svg.marker(marker, sx(x), sy(row["observed_frequency"]), colour, 4,
                       f"{name}: forecasts near {_pct(row['mean_predicted'])} happened {_pct(row['observed_frequency'])} "
                       f"of {int(row['count'])} times")
        svg.marker(marker, left + 12, legend_y, colour, 4)
        svg.text(left + 22, legend_y, name, size=12, baseline="central", fill=colour, weight="600")
        legend_y += 17
    return svg.done()


# --------------------------------------------------------------------------------------------------- split bar
def split_bar(left_label: str, left_value: float, right_label: str, right_value: float, *, title: str,
              desc: str) -> Markup:
    """One bar split between two sides (e.g. who goes through a tie), with both shares printed."""
    width, height = 560, 64
    svg = _Svg(width, height, title, desc)
    total = (left_value + right_value) or 1.0
    split = 10 + (width - 20) * left_value / total
    svg.add(f'<rect x="10" y="8" width="{split - 10:.1f}" height="30" fill="{OKABE_ITO[0]}">'
            f'<title>{escape(left_label)}: {_pct(left_value)}</title></rect>')
    svg.add(f'<rect x="{split:.1f}" y="8" width="{width - 10 - split:.1f}" height="30" fill="{OKABE_ITO[3]}">'
            f'<title>{escape(right_label)}: {_pct(right_value)}</title></rect>')
    svg.text(10, 56, f"{left_label} {_pct(left_value)}", size=13, weight="600")
    svg.text(width - 10, 56, f"{right_label} {_pct(right_value)}", anchor="end", size=13, weight="600")
    return svg.done()
