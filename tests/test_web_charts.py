"""Server-made SVG charts: well-formed, accessible (title and description), escaped, colour-blind-safe."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from matchday.web import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup) -> ET.Element:
    root = ET.fromstring(str(markup))
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    ids = root.get("aria-labelledby").split()
    titles = {el.get("id"): el.text for el in root if el.tag in (f"{SVG}title", f"{SVG}desc")}
    assert set(ids) == set(titles) and all(titles.values())
    return root


def test_heatmap_cells_and_escaping():
    svg = charts.heatmap(["<script>alert(1)</script>", "B"], [1, 2], [[0.7, 0.3], [0.3, 0.7]],
                         title="T & <b>", desc="d", x_label="Final position", y_label="Club")
    root = parse(svg)
    assert "<script>" not in str(svg) and "&lt;script&gt;" in str(svg)
    cells = [el for el in root.iter(f"{SVG}rect") if el.find(f"{SVG}title") is not None]
    assert len(cells) == 4
    dark, light = cells[0].get("fill"), cells[1].get("fill")
    assert dark != light  # more probable, darker
    texts = [el.text for el in root.iter(f"{SVG}text")]
    assert "Final position" in texts and "70" in texts and "30" in texts
    # an impossible cell (exactly 0) is white on white: left out, so a 36 x 36 league phase stays small
    sparse = parse(charts.heatmap(["A", "B"], [1, 2], [[1.0, 0.0], [0.0, 1.0]], title="t", desc="d", x_label="x",
                                  y_label="y"))
    assert len([el for el in sparse.iter(f"{SVG}rect") if el.find(f"{SVG}title") is not None]) == 2


def test_line_chart_labels_colours_and_markers():
    series = [{"label": f"club {k}", "x": [0, 1, 2], "y": [0.1 * k, 0.2, 0.3]} for k in range(3)]
    root = parse(charts.line_chart(series, title="t", desc="d", x_label="Matchday", y_label="Chance of the title"))
    texts = [el.text for el in root.iter(f"{SVG}text")]
    assert {"club 0", "club 1", "club 2", "Matchday", "Chance of the title"} <= set(texts)
    strokes = {el.get("stroke") for el in root.iter(f"{SVG}path")}
    assert strokes <= set(charts.OKABE_ITO) and len(strokes) == 3
    assert any(el.get("stroke-dasharray") for el in root.iter(f"{SVG}path"))  # not colour alone


def test_interval_reliability_and_split_bar_parse():
    parse(charts.interval_chart(["a", "b"], [0.3, 0.31], [0.01, 0.01], half_narrow=[0.002, 0.0], highlight=1,
                                title="t", desc="d", x_label="objective", zero_line=True))
    rows = [{"mean_predicted": 0.3, "observed_frequency": 0.32, "ci_low": 0.25, "ci_high": 0.4, "count": 100}]
    parse(charts.reliability_chart({"model": rows}, title="t", desc="d"))
    root = parse(charts.split_bar("A", 0.25, "B", 0.75, title="t", desc="d"))
    assert {"A 25.0%", "B 75.0%"} <= {el.text for el in root.iter(f"{SVG}text")}


def test_nice_ticks():
    assert charts._nice_ticks(0, 1, 5) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert charts._nice_ticks(0.385, 0.4, 5)[0] >= 0.385


def test_heatmap_cells_under_one_percent_read_less_than_one_not_zero():
    """A finish with a 0.5-1% chance is possible: its cell says "<1", never "0"; below 0.1% it stays blank."""
    from matchday.simulate.plots import cell_percent

    assert [cell_percent(v) for v in (0.0004, 0.005, 0.0099, 0.01, 0.456)] == ["", "<1", "<1", "1", "46"]
    svg = str(charts.heatmap(["A", "B"], ["1", "2"], [[0.993, 0.007], [0.007, 0.993]], title="t", desc="d",
                             x_label="x", y_label="y"))
    texts = [t.text for t in ET.fromstring(svg).iter() if t.tag.endswith("text")]
    assert texts.count("<1") == 2 and texts.count("99") == 2 and "0" not in texts
