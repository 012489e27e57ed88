"""Charts and small tables for the pages, made from the services' JSON views (plain dicts).

Pure presentation: no computation below the view, so the JSON API and the pages always show the same
numbers. Templates call these as ``present.<function>(view)``.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from matchday.web import charts

ZONE_NAMES = {"champions_league": "Champions League", "europa_league": "Europa League",
              "conference_league": "Conference League", "promotion": "promotion",
              "promotion_playoff": "promotion play-off", "relegation_playoff": "relegation play-off",
              "relegation": "relegation"}


def place_columns(projection: dict) -> list[tuple[str, str]]:
    """(column, header) of the probability columns of a projection, in the CLI's order."""
    places = projection["places"]
    out = [("p_title", "Title")]
    if places.get("promotion"):
        out.append(("p_promotion", "Promotion"))
    if places.get("champions_league"):
        out.append((f"p_top{places['champions_league']}", f"Top {places['champions_league']}"))
    if any(places.get(k) for k in ("champions_league", "europa_league", "conference_league")):
        out.append(("p_europe", "Europe"))
    if places.get("relegation"):
        out.append(("p_relegation", "Relegation"))
    return out


def position_heatmap(projection: dict, x_label: str = "Final league position") -> Markup:
    positions = projection["positions"]
    n = len(positions["teams"])
    return charts.heatmap(
        positions["clubs"], list(range(1, n + 1)), positions["matrix"],
        title=f"Finishing-position chances, {projection['competition']} {projection['season']}",
        desc=f"For each club (rows, current order) the chance in percent of finishing in each position (columns) "
             f"after {projection['sims']:,} simulations of the {projection['n_remaining']} remaining fixtures as of "
             f"{projection['as_of']}. Blank cells are under 0.5%.",
        x_label=x_label, y_label="Club", cell_tip="{row}: {value} to finish {col}",
        col_marks=projection.get("zones"))


def chance_series(chances: dict, column: str, count: int = 6, threshold: float = 0.02) -> list[dict]:
    """The ``count`` clubs whose ``column`` chance peaked highest (at least ``threshold``), one series each."""
    points = chances["points"]
    if not points or column not in points[0]:
        return []
    peaks = []
    for k, club in enumerate(chances["clubs"]):
        values = [p[column][k] for p in points]
        peaks.append((max(values), k, club, values))
    peaks.sort(key=lambda x: (-x[0], x[2]))
    chosen = [p for p in peaks if p[0] >= threshold][:count]
    x = [p["matchday"] for p in points]
    return [{"label": club, "x": x, "y": values} for _, _, club, values in chosen]


def chances_chart(chances: dict, column: str, what: str) -> Markup:
    series = chance_series(chances, column)
    if not series:
        return Markup(f"<p class='muted'>No club had a chance of {what} of 2% or more.</p>")
    names = ", ".join(s["label"] for s in series)
    last = chances["points"][-1]
    return charts.line_chart(
        series, title=f"Chance of {what} through the season, {chances['competition']} {chances['season']}",
        desc=f"Chance of {what} in percent after each matchday (x axis) up to {last['date']}, for {names}; each "
             f"point refits the model on what was known that day and simulates the rest of the season "
             f"{chances['sims']:,} times.",
        x_label="Matchday", y_label=f"Chance of {what}", y_percent=True)


def rotation_chart(view: dict) -> Markup:
    plans = view["plans"]
    best = next((k for k, p in enumerate(plans) if p["plan"] == view["best"]), None)
    return charts.interval_chart(
        [p["plan"] for p in plans], [p["objective"] for p in plans], [2 * p["se"] for p in plans],
        half_narrow=[2 * p["se_vs_best"] for p in plans], highlight=best,
        title=f"Rotation plans for {view['club_name']} as of {view['as_of']}",
        desc=f"Objective ({view['weights_text']}) of each plan with +/- 2 standard errors, and the paired interval of "
             f"its difference from the best plan ('{view['best']}'), computed on the same {view['n_sims']:,} "
             "simulated futures.",
        x_label="objective (weighted chance of the goals; higher is better)",
        narrow_label="difference from the best plan, paired +/- 2 SE")


def stance_chart(view: dict) -> Markup | None:
    curve = view.get("stance_curve")
    if not curve:
        return None
    low = [d - 2 * s for d, s in zip(curve["difference"], curve["se"], strict=True)]
    high = [d + 2 * s for d, s in zip(curve["difference"], curve["se"], strict=True)]
    flip = view.get("stance_flip") or {}
    vlines = [(flip.get("weight", 0.0), "weight given", "2 3")]
    if flip.get("threshold") is not None:
        vlines.append((flip["threshold"], "flip", "6 3"))
    return charts.line_chart(
        [{"label": "Europe minus league", "x": curve["weight"], "y": curve["difference"], "low": low, "high": high}],
        title="Stance flip: all in on Europe against resting for the league",
        desc=f"Objective of '{curve['europe_plan']}' minus '{curve['league_plan']}' (with a paired +/- 2 SE band) as "
             f"the weight on winning the European trophy grows; above zero, Europe first is better. "
             f"{curve['description']}.",
        x_label="Weight on winning the European trophy (league title = 1)", y_label="Objective difference",
        y_percent=False, bands=True, zero_line=True, vlines=vlines)


def sensitivity_chart(view: dict, key: str, column: str, x_label: str) -> Markup | None:
    rows = view.get("sensitivity", {}).get(key)
    if not rows:
        return None
    plans = [p["plan"] for p in view["plans"]]
    series = [{"label": plan, "x": [r[column] for r in rows], "y": [r.get(plan) for r in rows]} for plan in plans]
    return charts.line_chart(
        series, title=f"Objective of each plan as the {x_label.lower()} varies",
        desc=f"Objective of every plan (y) against the {x_label.lower()} (x), on the same simulated futures.",
        x_label=x_label, y_label="Objective", y_percent=False)


def reliability(view: dict) -> Markup | None:
    series = {k: v for k, v in view.get("calibration", {}).items() if not k.startswith("blend")}
    if not series:
        return None
    return charts.reliability_chart(
        series, title="Calibration of home, draw and away forecasts",
        desc="Forecasts grouped by their probability (x) against how often the outcome happened (y) with 95% "
             "intervals; points on the diagonal are perfectly calibrated. Home, draw and away are pooled.")


def track_reliability(record: dict) -> Markup | None:
    """The track record's calibration, one series per model (home, draw and away pooled)."""
    series = {k: v for k, v in (record.get("calibration_by_model") or {}).items() if v}
    if not series:
        return None
    return charts.reliability_chart(
        series, title="Calibration of the graded forecasts (track record)",
        desc="Forecasts made before the matches, grouped by their probability (x), against how often the outcome "
             "happened (y) with 95% intervals, per model; points on the diagonal are perfectly calibrated. Home, draw "
             "and away are pooled.")


def rps_chart(view: dict) -> Markup | None:
    rows = [r for r in view.get("summary", []) if not r["model"].startswith("market")
            and r.get("vs_market_close") is not None]
    if not rows:
        return None
    labels = [f"{r['model']} · {r['competition']} {r['season']}" for r in rows]
    values = [r["vs_market_close"] for r in rows]
    half = [2 * (r.get("se_market_close") or 0.0) for r in rows]
    return charts.interval_chart(
        labels, values, half, zero_line=True,
        title="Ranked probability score of each model minus the closing market's",
        desc="Mean RPS difference per model, league and season with +/- 2 standard errors clustered by week; below "
             "zero the model beat the closing market, above zero the market was better (it usually is).",
        x_label="RPS difference from the closing market (lower is better)")


def tie_bar(odds: dict) -> Markup:
    return charts.split_bar(odds["club_a"], odds["p_advance"][0], odds["club_b"], odds["p_advance"][1],
                            title=f"Who goes through: {odds['club_a']} or {odds['club_b']}",
                            desc=f"{odds['club_a']} go through with probability {charts._pct(odds['p_advance'][0])}, "
                                 f"{odds['club_b']} with {charts._pct(odds['p_advance'][1])} (as of {odds['as_of']}).")


def bracket_heatmap(bracket: dict) -> Markup:
    """P(reach each round) per club: a knockout bracket's ``rows`` by round name, or a league-phase season's
    ``clubs`` by stage column (labelled with ``round_labels``)."""
    rows = bracket["clubs"] if bracket.get("format") == "league_phase" else bracket["rows"]
    rounds = bracket["rounds"]
    labels = [bracket.get("round_labels", {}).get(c, c) for c in rounds]
    return charts.heatmap(
        [r["club"] for r in rows], labels, [[r[c] for c in rounds] for r in rows],
        title=f"Chance of reaching each round, {bracket['competition']} {bracket['season']}",
        desc=f"For each club the chance in percent of reaching each round and of winning, from {bracket['sims']:,} "
             f"simulated brackets as of {bracket['as_of']}.",
        x_label="Round reached", y_label="Club", cell_tip="{row}: {value} to reach {col}")


def score_grid(view: dict) -> Markup:
    grid = view["score_grid"]
    return charts.heatmap(
        [str(i) for i in range(len(grid))], list(range(len(grid))), grid,
        title=f"Score probabilities, {view['home_club']} v {view['away_club']}",
        desc="Chance in percent of each score after 90 minutes: home goals down the rows, away goals across; the "
             "last row and column also hold higher scores.",
        x_label=f"{view['away_club']} goals (away)", y_label=f"{view['home_club']} goals",
        cell_tip="{row}-{col}: {value}")


def zone_name(zone: str) -> str:
    return ZONE_NAMES.get(zone, "")


def market_row(view: dict, kind: str) -> dict[str, Any] | None:
    for row in view["market"]["one_x_two"]:
        if row["kind"] == kind:
            return row
    return None
