"""Scoring rate in extra time, relative to the 90-minute rate, estimated from matches that went a.e.t.

Model: in 30 minutes of extra time each side scores Poisson goals at its 90-minute expected goals
times ``30/90 * et_factor``. ``et_factor`` < 1 means fewer goals per minute than in normal time
(tired legs, caution: a goal conceded in extra time is rarely recoverable).

Estimator. For every match that went to extra time, ``y`` = goals scored in extra time (score after
120 minutes minus score after 90) and ``e`` = goals expected in 30 minutes at the 90-minute rate,
``e = (30/90) * mu``, where ``mu`` is the mean number of goals per match (both sides, 90 minutes) of
that competition in a five-season window centred on the match's season (all played matches of the
source, so that eras with 4 goals a match and eras with 2.6 are compared with their own rate).
``et_factor = sum(y) / sum(e)`` is the maximum-likelihood estimate of a common multiplier of Poisson
means. Its standard error is given two ways: Poisson, ``sqrt(sum(y)) / sum(e)``, and robust
(sandwich, allowing over-dispersion), ``sqrt(sum((y - f e)^2)) / sum(e)``; the robust one is reported.

Caveat: ``mu`` is an average match, not the two sides that went to extra time. Sides level after 90
or 180 minutes are more often evenly matched, and evenly matched sides do not score fewer goals in
total on average, so the bias is small; the selection of low-scoring sides into level ties is a
possible downward bias of a few per cent at most.

Sources. Every match that went to extra time in every source is used once: engsoccerdata
``champs.csv`` (1955-56 to 2015-16 and the later finals), openfootball Football.TXT (Champions League
2011-12 to 2024-25, Europa and Conference League 2020-21 on, qualifying rounds 2024-25) and openfootball
football.json (``uefa.cl`` 2019-20 and 2024-25). The sources overlap (champs.csv and Football.TXT for
2011-12 to 2015-16 and the finals; football.json and Football.TXT for 2019-20 and 2024-25), so the same
match, found by club pair and a date within three days, counts once (``evaluate.ties.extra_time_matches``
deduplicates; the earliest source keeps it). :func:`heterogeneity` tests whether the sources (disjoint
after deduplication) share one factor.

``DEFAULT_ET_FACTOR`` below is the pooled estimate on the shared data, recomputed by
``tests/test_tie_history.py``, which fails if the constant drifts more than one standard error from
the data. Without any data the principled fallback would be 1 (extra time scores at the 90-minute
rate). The data point below 1 (0.91) but do not exclude it: the 95% interval is 0.77-1.05. The sources
differ by about their noise: champs.csv (1955-2016, away-goals era) 0.82 +- 0.09, Football.TXT (mostly
2021-25, no away goals, five substitutes) 1.01 +- 0.11 on its own matches; the test of one common factor
gives p = 0.14 (see ``docs/validation.md``), so one pooled factor is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

EXTRA_TIME_SHARE = 30.0 / 90.0  # extra time lasts a third of normal time

# Estimated by estimate_extra_time_factor(evaluate.ties.extra_time_matches(shared_data), deduplicated) on the
# shared data (see module docstring): 221 matches a.e.t. (128 champs.csv, 93 Football.TXT; 13 more were
# listed by two sources and count once) with 190 extra-time goals against 208.2 expected at the 90-minute
# rate: 0.913, robust SE 0.071 (Poisson SE 0.066).
DEFAULT_ET_FACTOR = 0.91
DEFAULT_ET_FACTOR_SE = 0.071

WINDOW_SEASONS = 5  # the 90-minute rate is pooled over this many seasons, centred on the match's


@dataclass(frozen=True, slots=True)
class ExtraTimeEstimate:
    """Extra-time scoring rate relative to the 90-minute rate.

    factor: goals per minute in extra time / goals per minute in normal time.
    se: robust (sandwich) standard error; se_poisson: the pure-Poisson one.
    n_matches: matches that went to extra time; extra_time_goals: goals they had in extra time;
    expected_goals: goals expected in their extra time at the 90-minute rate.
    by_group: the same figures per group (source, era), a DataFrame.
    """

    factor: float
    se: float
    se_poisson: float
    n_matches: int
    extra_time_goals: int
    expected_goals: float
    by_group: pd.DataFrame
    heterogeneity: Heterogeneity | None = None

    def interval(self, z: float = 1.96) -> tuple[float, float]:
        return self.factor - z * self.se, self.factor + z * self.se


@dataclass(frozen=True, slots=True)
class Heterogeneity:
    """Do the groups share one extra-time factor? Pearson's test of the group totals against one common
    factor (quasi-Poisson: scaled by the match-level dispersion), with I^2 (the share of the spread
    beyond chance).

    statistic: sum over groups of (goals - f e)^2 / (f e), divided by ``dispersion``; df: groups - 1;
    p_value: P(chi^2_df >= statistic); dispersion: Pearson chi^2 of the single matches / (matches - 1)
    (1 = Poisson); groups: the labels compared.
    """

    statistic: float
    df: int
    p_value: float
    i_squared: float
    dispersion: float
    groups: tuple[str, ...]


def heterogeneity(y: np.ndarray, e: np.ndarray, group: np.ndarray) -> Heterogeneity:
    """Test of one common factor across ``group`` labels (per-match goals ``y``, expectations ``e``)."""
    from scipy.stats import chi2

    y, e = np.asarray(y, dtype=float), np.asarray(e, dtype=float)
    group = np.asarray(group)
    labels = tuple(str(g) for g in dict.fromkeys(group.tolist()))
    factor = y.sum() / e.sum()
    dispersion = float(np.sum((y - factor * e) ** 2 / (factor * e)) / max(len(y) - 1, 1))
    dispersion = max(dispersion, 1e-12)
    totals_y = np.array([y[group == g].sum() for g in labels])
    totals_e = np.array([e[group == g].sum() for g in labels])
    pearson = float(np.sum((totals_y - factor * totals_e) ** 2 / (factor * totals_e)))
    statistic = pearson / dispersion
    df = len(labels) - 1
    p_value = float(chi2.sf(statistic, df)) if df > 0 else float("nan")
    i_squared = max(0.0, (statistic - df) / statistic) if statistic > 0 else 0.0
    return Heterogeneity(statistic, df, p_value, i_squared, dispersion, labels)


def _ratio(y: np.ndarray, e: np.ndarray) -> tuple[float, float, float]:
    total_e = float(e.sum())
    if total_e <= 0:
        return float("nan"), float("nan"), float("nan")
    factor = float(y.sum()) / total_e
    se_poisson = float(np.sqrt(y.sum())) / total_e
    se_robust = float(np.sqrt(np.sum((y - factor * e) ** 2))) / total_e
    return factor, se_robust, se_poisson


def ninety_minute_rates(matches: pd.DataFrame, window: int = WINDOW_SEASONS) -> pd.Series:
    """Mean goals per match (both sides, 90 minutes) of each row's competition over ``window``
    seasons centred on its season; indexed like ``matches``."""
    import pandas as pd

    played = matches.dropna(subset=["home_goals", "away_goals"])
    start = played["season"].astype(str).str[:4].astype(int)
    totals = (
        pd.DataFrame(
            {
                "competition": played["competition"].to_numpy(),
                "start": start.to_numpy(),
                "goals": (played["home_goals"] + played["away_goals"]).astype(float).to_numpy(),
            }
        )
        .groupby(["competition", "start"])["goals"]
        .agg(["sum", "count"])
    )
    half = window // 2
    rates = {}
    for competition, per_season in totals.groupby(level="competition"):
        per_season = per_season.droplevel("competition")
        years = per_season.index.to_numpy()
        sums, counts = per_season["sum"].to_numpy(), per_season["count"].to_numpy()
        for year in years:
            near = np.abs(years - year) <= half
            rates[(competition, int(year))] = sums[near].sum() / counts[near].sum()
    keys = zip(matches["competition"], matches["season"].astype(str).str[:4].astype(int), strict=True)
    return pd.Series([rates.get((c, y), np.nan) for c, y in keys], index=matches.index, dtype=float)


def estimate_extra_time_factor(
    matches: pd.DataFrame, *, group_by: str | None = "source", window: int = WINDOW_SEASONS
) -> ExtraTimeEstimate:
    """Estimate ``et_factor`` from a matches frame (columns as :func:`matchday.data.domain.matches_frame`).

    Uses ``competition``, ``season``, ``home_goals``, ``away_goals`` (90 minutes), ``aet_home_goals``
    and ``aet_away_goals`` (120 minutes, NaN when no extra time) of every row: all played rows give
    the 90-minute rate, the rows with an after-extra-time score give the extra-time goals.
    ``group_by``: optional column (e.g. ``source``) for the per-group table; an ``era`` split
    (away-goals era to 2020-21 / after) is always added. The ``heterogeneity`` test compares the
    ``group_by`` groups (pass a deduplicated frame: a match counted in two groups would make the test
    meaningless).
    """
    import pandas as pd

    from matchday.data.errors import DataError

    required = {"competition", "season", "home_goals", "away_goals", "aet_home_goals", "aet_away_goals"}
    missing = required - set(matches.columns)
    if missing:
        raise DataError("matches frame lacks columns", value=sorted(missing), expected=", ".join(sorted(required)))
    rates = ninety_minute_rates(matches, window)
    aet = matches["aet_home_goals"].notna() & matches["aet_away_goals"].notna() & matches["home_goals"].notna()
    et = matches.loc[aet]
    goals = (et["aet_home_goals"] + et["aet_away_goals"] - et["home_goals"] - et["away_goals"]).astype(float)
    if (goals < 0).any():
        row = et.loc[goals.index[goals.to_numpy() < 0][0]]
        raise DataError(
            "score after extra time is lower than after 90 minutes",
            file=row.get("source_file"),
            line=int(row["source_line"]) if "source_line" in row and row["source_line"] == row["source_line"] else None,
            column="aet_home_goals/aet_away_goals",
            value=f"{row['home_goals']}-{row['away_goals']} a.e.t. {row['aet_home_goals']}-{row['aet_away_goals']}",
            expected="the a.e.t. score includes the 90-minute goals",
        )
    expected = EXTRA_TIME_SHARE * rates.loc[et.index]
    usable = expected.notna().to_numpy()
    y, e = goals.to_numpy()[usable], expected.to_numpy()[usable]
    factor, se, se_poisson = _ratio(y, e)

    frame = pd.DataFrame({"y": y, "e": e})
    start = et["season"].astype(str).str[:4].astype(int).to_numpy()[usable]
    frame["era"] = np.where(start <= 2020, "to 2020-21", "from 2021-22")
    groups = ["era"]
    if group_by is not None and group_by in et.columns:
        frame[group_by] = et[group_by].to_numpy()[usable]
        groups = [group_by, "era"]
    rows = []
    for key, part in frame.groupby(groups, sort=True):
        f, s, sp = _ratio(part["y"].to_numpy(), part["e"].to_numpy())
        labels = key if isinstance(key, tuple) else (key,)
        rows.append(
            dict(zip(groups, labels, strict=True))
            | {
                "matches": len(part),
                "extra_time_goals": int(part["y"].sum()),
                "expected_goals": float(part["e"].sum()),
                "factor": f,
                "se": s,
                "se_poisson": sp,
            }
        )
    test = None
    if group_by is not None and group_by in et.columns:
        test = heterogeneity(y, e, et[group_by].to_numpy()[usable])
    return ExtraTimeEstimate(
        heterogeneity=test,
        factor=factor,
        se=se,
        se_poisson=se_poisson,
        n_matches=int(usable.sum()),
        extra_time_goals=int(y.sum()),
        expected_goals=float(e.sum()),
        by_group=pd.DataFrame(rows),
    )
