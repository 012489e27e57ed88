"""Which rotation plan gives the best season, by how much, how sure we are, and what would flip the answer.

Entry point: :func:`analyse_calendar` (a calendar and a fitted model; the command line and the case study
go through :func:`matchday.workflows.analyse_rotation`, which reads both from the store)::

    analysis = analyse_calendar(calendar, model, weights="title=1,europa=0.5,top4=0.3", n_sims=20_000, seed=0)
    analysis.table            # one row per plan: P(outcomes), objective, SE, difference from the best (paired SE)
    analysis.best             # name of the best plan
    analysis.stance_flip()    # the weight on the trophy at which going all in on Europe beats resting for the league
    analysis.summary()        # plain-language paragraph
    analysis.to_dict()        # JSON-ready
    analysis.plot("rotation.png")

Sensitivity: :meth:`RotationAnalysis.weight_sensitivity` (free: outcomes are stored per future),
:meth:`RotationAnalysis.gap_sensitivity` (second-string gap), :meth:`RotationAnalysis.points_sensitivity`
(the club's points, i.e. the gap to the leader), :meth:`RotationAnalysis.fatigue_sensitivity`, and
:func:`matchday.workflows.compare_dates` (the as-of date). All reuse the same simulated futures (common random numbers), so
the curves are smooth and their differences are not noise.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from matchday.decide.calendar import Calendar
from matchday.decide.fatigue import FatigueModel
from matchday.decide.season_plan import DEFAULT_SIMS, PlanOutcomes, PlanSimulator
from matchday.decide.squad import LineupStrength, Squad, lineup_from
from matchday.decide.strategies import Plan, parse_weights, resolve_plans

if TYPE_CHECKING:  # pragma: no cover
    from matchday.models.interface import ScoreModel

EUROPE_PLAN = "all in Europe"
LEAGUE_PLAN = "all in league"

@dataclass(frozen=True)
class Comparison:
    """Objective of plan ``a`` minus plan ``b`` on the same futures: difference, paired standard error, and
    the standard error two independent runs of the same size would have."""

    a: str
    b: str
    difference: float
    se_paired: float
    se_independent: float

    @property
    def z(self) -> float:
        return self.difference / self.se_paired if self.se_paired > 0 else (np.inf if self.difference else 0.0)


@dataclass(frozen=True)
class StanceFlip:
    """Where going all in on Europe (``europe``) and resting players for the league (``league``) swap.

    threshold: the weight on the trophy at which the two plans are equal (None when the Europe plan never
    wins more trophies); se: its delta-method standard error; weight: the weight given; europe_wins: which
    side wins at that weight. league_gain / trophy_gain: objective without the trophy term (league plan
    minus Europe plan) and P(trophy) (Europe plan minus league plan).
    """

    europe: str
    league: str
    threshold: float | None
    se: float | None
    weight: float
    europe_wins: bool
    league_gain: float
    trophy_gain: float

    def describe(self) -> str:
        if self.threshold is None:
            return (f"'{self.europe}' never wins the trophy more often than '{self.league}': no weight on Europe "
                    "makes it better")
        if self.threshold <= 0:
            return (f"'{self.europe}' is at least as good for the league as '{self.league}' and better in Europe: "
                    "it wins at any weight on the trophy")
        return (f"going all in on Europe ('{self.europe}') beats resting players for the league ('{self.league}') "
                f"once the trophy is worth more than {self.threshold:.2f} (SE {self.se:.3f}) title-equivalents; "
                f"at the weight given ({self.weight:g}) {'Europe' if self.europe_wins else 'the league'} comes first")


@dataclass
class RotationAnalysis:
    """The plans evaluated on common simulated futures, with the inputs that produced them."""

    calendar: Calendar
    weights: dict[str, float]
    lineup: LineupStrength
    fatigue: FatigueModel
    plans: list[Plan]
    outcomes: list[PlanOutcomes]
    simulator: PlanSimulator = field(repr=False)
    model_name: str = ""
    team_names: dict[str, str] = field(default_factory=dict)
    sensitivity: dict[str, pd.DataFrame] = field(default_factory=dict)

    # ------------------------------------------------------------------ basics
    @property
    def n_sims(self) -> int:
        return self.simulator.n_sims

    @property
    def seed(self) -> int:
        return self.simulator.seed

    def name(self, team: str) -> str:
        return self.team_names.get(team, team)

    def outcome(self, plan: str) -> PlanOutcomes:
        for o in self.outcomes:
            if o.plan.name == plan:
                return o
        raise KeyError(f"no plan named {plan!r} (plans: {[o.plan.name for o in self.outcomes]})")

    def objectives(self, weights: Mapping[str, float] | None = None) -> np.ndarray:
        """(plans, futures) objective values."""
        w = self.weights if weights is None else parse_weights(dict(weights))
        return np.stack([o.objective(w) for o in self.outcomes])

    def reported_outcomes(self) -> list[str]:
        names = ["title", f"top{self.outcomes[0].places or 4}"]
        if self.calendar.cup is not None:
            names += ["trophy", "final"]
        cup_only = ("trophy", "final", "semi")
        names += [k for k in self.weights if k not in names and k != "points"
                  and (self.calendar.cup is not None or k not in cup_only)]
        return names

    @property
    def table(self) -> pd.DataFrame:
        """One row per plan: P(each outcome), expected points and injuries, objective with its SE, and the
        difference from the best plan with its paired SE (and the SE independent runs would give)."""
        values = self.objectives()
        means = values.mean(axis=1)
        best = int(np.argmax(means))
        s = self.n_sims
        rows = []
        for k, o in enumerate(self.outcomes):
            row: dict[str, Any] = {"plan": o.plan.name, "rules": o.plan.describe()}
            for name in self.reported_outcomes():
                row[f"p_{name}"] = float(o.indicator(name).mean())
            row["expected_points"] = float(o.points.mean())
            row["expected_injuries"] = o.expected_injuries
            row["objective"] = float(means[k])
            row["se"] = float(values[k].std(ddof=1) / np.sqrt(s))
            diff = values[k] - values[best]
            row["vs_best"] = float(diff.mean())
            row["se_vs_best"] = float(diff.std(ddof=1) / np.sqrt(s))
            row["se_vs_best_independent"] = float(np.sqrt((values[k].var(ddof=1) + values[best].var(ddof=1)) / s))
            rows.append(row)
        return pd.DataFrame(rows)

    @property
    def best(self) -> str:
        return self.outcomes[int(np.argmax(self.objectives().mean(axis=1)))].plan.name

    def compare(self, a: str, b: str, weights: Mapping[str, float] | None = None) -> Comparison:
        """Plan ``a`` minus plan ``b``, paired on the same futures."""
        w = self.weights if weights is None else parse_weights(dict(weights))
        va, vb = self.outcome(a).objective(w), self.outcome(b).objective(w)
        diff = va - vb
        s = self.n_sims
        return Comparison(a, b, float(diff.mean()), float(diff.std(ddof=1) / np.sqrt(s)),
                          float(np.sqrt((va.var(ddof=1) + vb.var(ddof=1)) / s)))

    # ------------------------------------------------------------------ stance flip
    def _stance_plans(self, europe: str | None, league: str | None) -> tuple[str, str]:
        names = [o.plan.name for o in self.outcomes]
        europe = europe or (EUROPE_PLAN if EUROPE_PLAN in names else "full strength")
        league = league or LEAGUE_PLAN
        for name in (europe, league):
            if name not in names:
                raise KeyError(f"stance flip needs plan {name!r} (plans: {names})")
        return europe, league

    @property
    def has_stance_flip(self) -> bool:
        """Whether the club has a European match and the plans include both stances."""
        if self.calendar.cup is None:
            return False
        try:
            self._stance_plans(None, None)
        except KeyError:
            return False
        return True

    def stance_flip(self, europe: str | None = None, league: str | None = None,
                    outcome: str = "trophy") -> StanceFlip:
        """The weight on ``outcome`` (the European trophy) at which ``europe`` and ``league`` are equal."""
        europe, league = self._stance_plans(europe, league)
        others = {k: v for k, v in self.weights.items() if k != outcome}
        e, lg = self.outcome(europe), self.outcome(league)
        a = lg.objective(others) - e.objective(others)  # what resting for the league gains there
        b = e.indicator(outcome) - lg.indicator(outcome)  # what going all in on Europe gains in the trophy
        mean_a, mean_b = float(a.mean()), float(b.mean())
        weight = float(self.weights.get(outcome, 0.0))
        if mean_b <= 0:
            return StanceFlip(europe, league, None, None, weight, False, mean_a, mean_b)
        threshold = mean_a / mean_b
        s = self.n_sims
        var = np.var(a - threshold * b, ddof=1) / (s * mean_b**2)
        return StanceFlip(europe, league, threshold, float(np.sqrt(var)), weight, weight > threshold, mean_a, mean_b)

    # ------------------------------------------------------------------ sensitivity
    def weight_sensitivity(self, outcome: str = "trophy", values: Iterable[float] | None = None) -> pd.DataFrame:
        """Objective of every plan as the weight on ``outcome`` varies (others fixed); column ``best``."""
        values = list(values) if values is not None else list(np.round(np.linspace(0, 2, 21), 3))
        rows = []
        for value in values:
            w = dict(self.weights)
            w[outcome] = float(value)
            means = self.objectives(w).mean(axis=1)
            row = {"weight": float(value)}
            row.update({o.plan.name: float(m) for o, m in zip(self.outcomes, means, strict=True)})
            row["best"] = self.outcomes[int(np.argmax(means))].plan.name
            rows.append(row)
        frame = pd.DataFrame(rows)
        self.sensitivity[f"weight:{outcome}"] = frame
        return frame

    def _rerun(self, lineup: LineupStrength, fatigue: FatigueModel, points_offset: int = 0) -> list[PlanOutcomes]:
        return self.simulator.evaluate_many(self.plans, lineup, fatigue, points_offset=points_offset)

    def _frame(self, label: str, values: Sequence[float], runs: list[list[PlanOutcomes]],
               europe: str | None = None, league: str | None = None) -> pd.DataFrame:
        rows = []
        europe, league = self._stance_plans(europe, league) if self.has_stance_flip else (None, None)
        for value, outcomes in zip(values, runs, strict=True):
            means = np.array([o.objective(self.weights).mean() for o in outcomes])
            row: dict[str, Any] = {label: value}
            row.update({o.plan.name: float(m) for o, m in zip(outcomes, means, strict=True)})
            row["best"] = outcomes[int(np.argmax(means))].plan.name
            row["p_title_first_plan"] = float(outcomes[0].indicator("title").mean())
            if europe is not None:
                e = next(o for o in outcomes if o.plan.name == europe)
                lg = next(o for o in outcomes if o.plan.name == league)
                diff = e.objective(self.weights) - lg.objective(self.weights)
                row["europe_minus_league"] = float(diff.mean())
                row["se_paired"] = float(diff.std(ddof=1) / np.sqrt(self.n_sims))
            rows.append(row)
        return pd.DataFrame(rows)

    def gap_sensitivity(self, gaps: Iterable[float] = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)) -> pd.DataFrame:
        """Objective of every plan as the second-string gap (log attack and defence) varies."""
        gaps = [float(g) for g in gaps]
        frame = self._frame("gap", gaps, [self._rerun(self.lineup.with_gap(g), self.fatigue) for g in gaps])
        self.sensitivity["gap"] = frame
        return frame

    def fatigue_sensitivity(self, factors: Iterable[float] = (0.0, 1.0, 2.0, 4.0)) -> pd.DataFrame:
        """Objective of every plan with the short-rest effect multiplied by each factor."""
        factors = [float(f) for f in factors]
        frame = self._frame("fatigue_factor", factors, [self._rerun(self.lineup, self.fatigue.scaled(f))
                                                         for f in factors])
        self.sensitivity["fatigue"] = frame
        return frame

    def points_sensitivity(self, offsets: Iterable[int] = (-6, -3, 0, 3, 6)) -> pd.DataFrame:
        """Objective of every plan if the club had ``offset`` more points now (the league situation: the gap to
        the leader changes by ``offset``). Column ``gap_to_leader`` is the resulting gap (negative = behind)."""
        offsets = [int(o) for o in offsets]
        frame = self._frame("points_offset", offsets, [self._rerun(self.lineup, self.fatigue, o) for o in offsets])
        frame.insert(1, "gap_to_leader", [self.gap_to_leader() + o for o in offsets])
        self.sensitivity["points"] = frame
        return frame

    def flip_point(self, frame: pd.DataFrame, column: str) -> float | None:
        """Where ``europe_minus_league`` changes sign along ``column`` of a sensitivity frame (linear
        interpolation), None when it does not."""
        if "europe_minus_league" not in frame:
            return None
        x = frame[column].to_numpy(dtype=float)
        y = frame["europe_minus_league"].to_numpy(dtype=float)
        for k in range(len(x) - 1):
            if y[k] == 0:
                return float(x[k])
            if y[k] * y[k + 1] < 0:
                return float(x[k] + (x[k + 1] - x[k]) * (-y[k]) / (y[k + 1] - y[k]))
        return None

    # ------------------------------------------------------------------ situation
    def current_table(self) -> pd.DataFrame:
        """The real league table on ``as_of`` (the simulation's own set-up of the season)."""
        return self.simulator.league.current_table()

    def gap_to_leader(self) -> int:
        """Club's points minus the best other club's points now (negative = behind)."""
        table = self.current_table()
        points = table.set_index("team")["points"]
        club = int(points.get(self.calendar.club, 0))
        others = points.drop(self.calendar.club, errors="ignore")
        return club - int(others.max()) if len(others) else 0

    # ------------------------------------------------------------------ reporting
    def summary(self) -> str:
        """A plain-language paragraph: the situation, the best plan and its margin, the stance flip, caveats."""
        cal = self.calendar
        table = self.table.set_index("plan")
        best = self.best
        lines = []
        situation = self._situation()
        lines.append(f"As of {cal.as_of.isoformat()}: {situation}")
        row = table.loc[best]
        lines.append(f"Best plan: '{best}' (objective {row['objective']:.3f} +/- {row['se']:.3f}; "
                     f"P(title) {row['p_title']:.1%}" + (f", P(trophy) {row['p_trophy']:.1%}" if "p_trophy" in row else "")
                     + ").")
        others = table.drop(index=best)
        if len(others):
            runner = others["objective"].idxmax()
            comp = self.compare(best, runner)
            verdict = ("clearly" if comp.z > 3 else "probably" if comp.z > 2 else "not clearly")
            lines.append(f"It beats the next best, '{runner}', by {comp.difference:.4f} (paired SE {comp.se_paired:.4f}; "
                         f"independent runs would give SE {comp.se_independent:.4f}): {verdict} better.")
        if self.has_stance_flip:
            flip = self.stance_flip()
            lines.append("Stance flip: " + flip.describe() + ".")
        for key, column, text in (("gap", "gap", "second-string gap"), ("points", "gap_to_leader", "gap to the leader"),
                                  ("fatigue", "fatigue_factor", "fatigue multiple")):
            if key in self.sensitivity:
                frame = self.sensitivity[key]
                point = self.flip_point(frame, column)
                tried = f"{frame[column].min():g} to {frame[column].max():g}"
                if point is not None:
                    lines.append(f"Sensitivity: '{self._stance_plans(None, None)[0]}' and "
                                 f"'{self._stance_plans(None, None)[1]}' swap places at a {text} of {point:.2f} "
                                 f"(tried {tried}).")
                bests = list(dict.fromkeys(frame["best"]))
                lines.append(f"Best plan across the {text} range {tried}: " + ", ".join(
                    f"'{b}' at {', '.join(f'{v:g}' for v in frame.loc[frame['best'] == b, column])}" for b in bests) + ".")
        lines.append(f"Assumptions: {self.lineup.source}; fatigue and injuries: {self.fatigue.source}. "
                     f"{self.n_sims:,} simulated futures, seed {self.seed}, model {self.model_name or 'given'}, "
                     "the same futures for every plan.")
        lines.extend(f"Note: {n}" for n in cal.notes)
        return " ".join(lines[:1]) + "\n" + "\n".join(lines[1:])

    def _situation(self) -> str:
        cal = self.calendar
        table = self.current_table().set_index("team")
        gap = self.gap_to_leader()
        points = int(table.loc[cal.club, "points"])
        position = int(table.loc[cal.club, "position"])
        if gap < 0:
            where = f"{-gap} point{'s' if gap != -1 else ''} behind the leader"
        elif gap == 0:
            where = "level on points with the top"
        else:
            where = f"{gap} point{'s' if gap != 1 else ''} clear at the top"
        text = (f"{self.name(cal.club)} are {_ordinal(position)} on {points} points, {where}, with "
                f"{len(cal.league_fixtures)} league matches left")
        cup = cal.cup
        if cup is not None:
            stage = cup.stages[0]
            text += f"; {cup.competition} {stage.round.lower()}"
            if stage.opponent is not None:
                text += f" v {self.name(stage.opponent)}"
            if stage.first_leg is not None:
                own, their = stage.first_leg if stage.club_hosts_first_leg else stage.first_leg[::-1]
                text += f", {own}-{their} after the first leg"
        return text + "."

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: inputs, calendar, table, best plan, stance flip, sensitivity frames, summary."""
        def clean(frame: pd.DataFrame) -> list[dict[str, Any]]:
            return [{k: (None if isinstance(v, float) and not np.isfinite(v) else
                         v.isoformat() if isinstance(v, dt.date) else v) for k, v in row.items()}
                    for row in frame.astype(object).where(frame.notna(), None).to_dict("records")]

        out: dict[str, Any] = {
            "club": self.calendar.club, "as_of": self.calendar.as_of.isoformat(), "league": self.calendar.league,
            "cup": self.calendar.cup.competition if self.calendar.cup else None, "weights": self.weights,
            "n_sims": self.n_sims, "seed": self.seed, "model": self.model_name,
            "lineup": {"source": self.lineup.source, "second_string_gap": self.lineup.gap},
            "fatigue": {"attack": self.fatigue.attack, "defence": self.fatigue.defence,
                        "short_rest_days": self.fatigue.short_rest_days,
                        "injury_per_match_short": self.fatigue.injury_per_match_short,
                        "injury_per_match_normal": self.fatigue.injury_per_match_normal,
                        "layoff_matches": self.fatigue.layoff_matches, "source": self.fatigue.source},
            "calendar": clean(self.calendar.frame()),
            "plans": clean(self.table),
            "best": self.best,
            "levels": {o.plan.name: dict(zip(self.calendar.keys, o.levels, strict=True)) for o in self.outcomes},
            "summary": self.summary(),
        }
        if self.has_stance_flip:
            flip = self.stance_flip()
            out["stance_flip"] = {"europe_plan": flip.europe, "league_plan": flip.league, "threshold": flip.threshold,
                                  "se": flip.se, "weight": flip.weight, "europe_wins": flip.europe_wins}
        out["sensitivity"] = {k: clean(v) for k, v in self.sensitivity.items()}
        return out

    def stance_flip_curve(self, points: int = 101) -> pd.DataFrame:
        """The Europe-first plan minus the league-first plan as the weight on the trophy varies: columns
        weight, difference, se (paired); ``attrs``: label, threshold, threshold_se, weight given."""
        flip = self.stance_flip()
        europe, league = self.outcome(flip.europe), self.outcome(flip.league)
        others = {k: v for k, v in self.weights.items() if k != "trophy"}
        a = europe.objective(others) - league.objective(others)
        b = europe.indicator("trophy") - league.indicator("trophy")
        top = max(2.0, 2.5 * (flip.threshold or 0.0), 1.5 * flip.weight)
        w = np.linspace(0.0, top, points)
        se = np.sqrt(np.array([np.var(a + x * b, ddof=1) for x in w]) / self.n_sims)
        frame = pd.DataFrame({"weight": w, "difference": a.mean() + w * b.mean(), "se": se})
        frame.attrs.update(label=f"'{flip.europe}' minus '{flip.league}'", threshold=flip.threshold,
                           threshold_se=flip.se, weight=flip.weight)
        return frame

    def plot(self, path: str | os.PathLike[str]) -> Path:
        """PNG chart: objective per plan with error bars, and the stance-flip curve (see :mod:`.plots`)."""
        from matchday.decide.plots import plot_rotation

        cal = self.calendar
        return plot_rotation(self.table, path, title=f"{self.name(cal.club)} as of {cal.as_of.isoformat()}: plans",
                             weights_label=", ".join(f"{k}={v:g}" for k, v in self.weights.items()),
                             flip_curve=self.stance_flip_curve() if self.has_stance_flip else None)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# ---------------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------------


def analyse_calendar(
    calendar: Calendar,
    model: ScoreModel,
    *,
    weights: str | Mapping[str, float] | None = None,
    plans: Iterable[str | Plan | Mapping[str, str]] | None = None,
    squad: str | os.PathLike[str] | Squad | LineupStrength | None = None,
    gap: float | None = None,
    fatigue: FatigueModel | None = None,
    n_sims: int = DEFAULT_SIMS,
    seed: int = 0,
    model_name: str = "",
    team_names: Mapping[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RotationAnalysis:
    """Rotation advice: evaluate ``plans`` for a ready calendar and a fitted model on common futures.

    weights: objective, e.g. ``"title=1,europa=0.5,top4=0.3"`` (default that). plans: names of the named
    plans, plan texts (``"rest Bergamo: UEL=second"``), :class:`Plan` objects or ``{selector: level}``
    dicts (default: the named plans). squad: a squad CSV path (or Squad / LineupStrength); None = the
    two-tier model with ``gap`` (default 0.30). fatigue: default :class:`FatigueModel()` (estimated
    short-rest effect, Dupont et al. injury rates). progress(done, total): called after each plan.
    :func:`matchday.workflows.analyse_rotation` builds the calendar and fits the model from the store.
    """
    weights_ = parse_weights(weights)
    lineup = lineup_from(squad, gap=gap)
    fatigue = fatigue if fatigue is not None else FatigueModel()
    plan_list = resolve_plans(calendar, plans)
    simulator = PlanSimulator(calendar, model, n_sims=n_sims, seed=seed)
    outcomes = simulator.evaluate_many(plan_list, lineup, fatigue, progress=progress)
    return RotationAnalysis(calendar=calendar, weights=weights_, lineup=lineup, fatigue=fatigue, plans=plan_list,
                            outcomes=outcomes, simulator=simulator, model_name=model_name,
                            team_names=dict(team_names or {}))
