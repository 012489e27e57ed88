"""Which rotation plan gives the best season, by how much, how sure we are, and what would flip the answer.

Entry point: :func:`analyse_calendar` (a calendar and a fitted model; the command line and the case study
go through :func:`matchday.workflows.analyse_rotation`, which reads both from the store)::

    analysis = analyse_calendar(calendar, model, weights="title=1,trophy=0.5,top4=0.3", n_sims=20_000, seed=0)
    analysis.table            # one row per plan: P(outcomes), objective, SE, difference from the best (paired SE)
    analysis.best             # name of the best plan
    analysis.stance_flip()    # the weight on the trophy at which going all in on Europe beats resting for the league
    analysis.summary()        # plain-language paragraph; every sentence is derived from analysis.table
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
from matchday.decide.strategies import Plan, check_weight_keys, describe_outcome, parse_weights, resolve_plans

if TYPE_CHECKING:  # pragma: no cover
    from matchday.models.interface import ScoreModel
    from matchday.models.provenance import TrainingProvenance

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
    """Where going all in on Europe (plan ``europe``) and resting players for the league (plan ``league``)
    swap, as the weight on the trophy varies (the other weights as given).

    The Europe plan minus the league plan is ``trophy_gain * w - league_gain`` at trophy weight ``w``, where
    league_gain is the league plan's objective without the trophy term minus the Europe plan's, and
    trophy_gain is P(trophy) of the Europe plan minus the league plan's (both means over the same futures,
    so both can be read off :attr:`RotationAnalysis.table`). threshold: the weight where the two are equal
    (``league_gain / trophy_gain``; None when trophy_gain is 0); se: its delta-method standard error;
    weight: the weight given; europe_wins: the Europe plan scores strictly higher at the weight given.
    """

    europe: str
    league: str
    threshold: float | None
    se: float | None
    weight: float
    europe_wins: bool
    league_gain: float
    trophy_gain: float

    @property
    def europe_above_threshold(self) -> bool:
        """Whether the Europe plan is the better one at trophy weights above the threshold."""
        return self.trophy_gain > 0

    def describe(self) -> str:
        """One sentence, from the two numbers only (see the class docstring); no claim they do not support."""
        e, lg = f"'{self.europe}'", f"'{self.league}'"
        if self.trophy_gain == 0:
            if self.league_gain == 0:
                return f"{e} and {lg} score the same at every trophy weight"
            first, second = (lg, e) if self.league_gain > 0 else (e, lg)
            return (f"both win the trophy equally often, so the trophy weight does not separate them: {first} "
                    f"comes before {second} at every weight")
        t = self.threshold
        assert t is not None
        where = f"a trophy weight of {t:.2f} (SE {self.se:.3f})"
        if self.trophy_gain > 0:
            if t <= 0:
                return (f"{e} does at least as well without the trophy and wins it more often: it comes first at any "
                        "trophy weight")
            return f"{lg} comes first below {where} and {e} above it"
        if t <= 0:
            return (f"{lg} does at least as well without the trophy and wins it at least as often: it comes first at "
                    "any trophy weight")
        return f"{e} comes first below {where} and {lg} above it"


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
    provenance: TrainingProvenance | None = None

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
        europe_wins = mean_b * weight - mean_a > 0
        if mean_b == 0:
            return StanceFlip(europe, league, None, None, weight, europe_wins, mean_a, mean_b)
        threshold = mean_a / mean_b
        s = self.n_sims
        var = np.var(a - threshold * b, ddof=1) / (s * mean_b**2)
        return StanceFlip(europe, league, threshold, float(np.sqrt(var)), weight, europe_wins, mean_a, mean_b)

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
        """A plain-language paragraph: the situation, the best plan and its margin, the stance flip, caveats.

        Every sentence is derived from the numbers of :attr:`table` (objectives, probabilities, paired
        standard errors), so the text cannot contradict the table printed beside it.
        """
        cal = self.calendar
        table = self.table.set_index("plan")
        lines = [f"As of {cal.as_of.isoformat()}: {self._situation()}"]
        lines += self._verdict_sentences(table)
        if self.has_stance_flip:
            lines.append("Stance flip: " + self._stance_sentence(table))
        lines += self._sensitivity_sentences()
        basis = (self.provenance.headline() if self.provenance is not None else f"model {self.model_name or 'given'}")
        lines.append(f"Assumptions: {self.lineup.source}; fatigue and injuries: {self.fatigue.source}. "
                     f"{self.n_sims:,} simulated futures, seed {self.seed}, the same futures for every plan; {basis}.")
        lines.extend(f"Note: {n}" for n in cal.notes)
        return " ".join(lines[:1]) + "\n" + "\n".join(lines[1:])

    def weights_label(self) -> str:
        """The objective as given, in canonical keys: ``title=1, trophy=0.5, top4=0.3``."""
        return ", ".join(f"{k}={v:g}" for k, v in self.weights.items())

    def outcome_label(self, outcome: str) -> str:
        """What an outcome key means for this club (``trophy`` -> "win the Europa League")."""
        cup = self.calendar.cup.competition if self.calendar.cup is not None else None
        return describe_outcome(outcome, competition=cup, league=self.calendar.league)

    def _probabilities(self, table: pd.DataFrame, plan: str, outcomes: Sequence[str]) -> str:
        return ", ".join(f"P({o}) {percent(table.loc[plan, f'p_{o}'])}" for o in outcomes if f"p_{o}" in table.columns)

    def _verdict_sentences(self, table: pd.DataFrame) -> list[str]:
        """The best plan and how far ahead of the next one it is, from the table's numbers."""
        best = str(table["objective"].idxmax())
        shown = [o for o in ("title", "trophy") if f"p_{o}" in table.columns]
        tied = [str(p) for p in table.index if p != best and table.loc[p, "vs_best"] == 0
                and table.loc[p, "se_vs_best"] == 0]
        row = table.loc[best]
        head = (f"objective {row['objective']:.4f} +/- {row['se']:.4f}; " + self._probabilities(table, best, shown))
        if tied:
            names = ", ".join(f"'{p}'" for p in [best, *tied])
            lines = [f"Best plans at the weights given ({self.weights_label()}): {names}, tied: they give the same "
                     f"result on every simulated future ({head})."]
        else:
            lines = [f"Best plan at the weights given ({self.weights_label()}): '{best}' ({head})."]
        others = table.drop(index=[best, *tied])
        if len(others):
            runner = str(others["objective"].idxmax())
            comp = self.compare(best, runner)
            margin = -float(table.loc[runner, "vs_best"])
            se = float(table.loc[runner, "se_vs_best"])
            if comp.z > 3:
                verdict = "clearly better (more than 3 paired SE)"
            elif comp.z > 2:
                verdict = "probably better (2 to 3 paired SE)"
            else:
                verdict = "not clearly better: the difference is within 2 paired SE, Monte Carlo noise could reverse it"
            lines.append(f"Next best: '{runner}', {margin:.4f} lower (paired SE {se:.4f}; independent runs would give SE "
                         f"{comp.se_independent:.4f}): '{best}' is {verdict}.")
        return lines

    def _stance_sentence(self, table: pd.DataFrame) -> str:
        """The Europe-first plan against the league-first plan, at the weight given and across trophy weights."""
        flip = self.stance_flip()
        e, lg = flip.europe, flip.league
        obj_e, obj_l = float(table.loc[e, "objective"]), float(table.loc[lg, "objective"])
        comp = self.compare(e, lg)
        best = str(table["objective"].idxmax())
        if comp.difference == 0 and comp.se_paired == 0:
            now = f"at the weights given '{e}' and '{lg}' score the same ({obj_e:.4f})"
        elif abs(comp.difference) <= 2 * comp.se_paired:
            now = (f"at the weights given '{e}' and '{lg}' are within noise of each other ({obj_e:.4f} vs {obj_l:.4f}, "
                   f"paired SE {comp.se_paired:.4f})")
        else:
            first, second = (e, lg) if comp.difference > 0 else (lg, e)
            now = (f"at the weights given '{first}' scores above '{second}' ({max(obj_e, obj_l):.4f} vs "
                   f"{min(obj_e, obj_l):.4f}, paired SE {comp.se_paired:.4f})")
        if best not in (e, lg):
            now += f", though '{best}' is better than both"
        others = [k for k in self.weights if k != "trophy"]
        without = ", ".join(f"{k}={self.weights[k]:g}" for k in others) or "nothing"
        parts = [f"objective without the trophy ({without}) "
                 f"{obj_l - flip.weight * float(table.loc[lg, 'p_trophy']):.4f} vs "
                 f"{obj_e - flip.weight * float(table.loc[e, 'p_trophy']):.4f}"]
        parts += [f"P({o}) {percent(table.loc[lg, f'p_{o}'])} vs {percent(table.loc[e, f'p_{o}'])}" for o in others
                  if f"p_{o}" in table.columns]
        parts.append(f"P({self.outcome_label('trophy')}) {percent(table.loc[lg, 'p_trophy'])} vs "
                     f"{percent(table.loc[e, 'p_trophy'])}")
        detail = f"'{lg}' vs '{e}': " + "; ".join(parts)
        return f"{now}. Across trophy weights, {flip.describe()} ({detail})."

    def _sensitivity_sentences(self) -> list[str]:
        lines = []
        for key, column, text in (("gap", "gap", "second-string gap"), ("points", "gap_to_leader", "gap to the leader"),
                                  ("fatigue", "fatigue_factor", "fatigue multiple")):
            if key not in self.sensitivity:
                continue
            frame = self.sensitivity[key]
            point = self.flip_point(frame, column)
            tried = f"{frame[column].min():g} to {frame[column].max():g}"
            if point is not None:
                europe, league = self._stance_plans(None, None)
                lines.append(f"Sensitivity: '{europe}' and '{league}' swap places at a {text} of {point:.2f} "
                             f"(tried {tried}).")
            bests = list(dict.fromkeys(frame["best"]))
            lines.append(f"Best plan across the {text} range {tried}: " + ", ".join(
                f"'{b}' at {', '.join(f'{v:g}' for v in frame.loc[frame['best'] == b, column])}" for b in bests) + ".")
        return lines

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
            "objectives": {k: self.outcome_label(k) for k in self.weights},
            "n_sims": self.n_sims, "seed": self.seed, "model": self.model_name,
            "basis": (self.provenance.to_dict(n_sims=self.n_sims, seed=self.seed,
                                              competitions=self._competitions())
                      if self.provenance is not None else None),
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
                                  "se": flip.se, "weight": flip.weight, "europe_wins": flip.europe_wins,
                                  "europe_above_threshold": flip.europe_above_threshold,
                                  "description": flip.describe()}
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
        # the axis follows the weights given: up to twice the largest other weight (the scale of the objective),
        # and far enough to show the weight given and the threshold
        scale = max((abs(v) for v in others.values()), default=1.0) or 1.0
        top = max(2.0 * scale, 2.5 * max(flip.threshold or 0.0, 0.0), 1.5 * flip.weight)
        w = np.linspace(0.0, top, points)
        se = np.sqrt(np.array([np.var(a + x * b, ddof=1) for x in w]) / self.n_sims)
        frame = pd.DataFrame({"weight": w, "difference": a.mean() + w * b.mean(), "se": se})
        frame.attrs.update(label=f"'{flip.europe}' minus '{flip.league}'", threshold=flip.threshold,
                           threshold_se=flip.se, weight=flip.weight, outcome=self.outcome_label("trophy"),
                           others=", ".join(f"{k}={v:g}" for k, v in others.items()) or "none")
        return frame

    def _competitions(self) -> list[str]:
        cal = self.calendar
        return [cal.league] + ([cal.cup.competition] if cal.cup is not None else [])

    def basis(self) -> str:
        """What the numbers rest on: model, training window, as-of, simulations and seed (one paragraph)."""
        if self.provenance is None:
            return (f"model {self.model_name or 'given'} (training window not known: a fitted model was passed in); "
                    f"{self.n_sims:,} simulations, seed {self.seed}.")
        return self.provenance.describe(n_sims=self.n_sims, seed=self.seed, competitions=self._competitions())

    def plot(self, path: str | os.PathLike[str]) -> Path:
        """PNG chart: objective per plan with error bars, and the stance-flip curve (see :mod:`.plots`); the
        footer says what the numbers rest on (:meth:`basis`)."""
        from matchday.decide.plots import plot_rotation

        cal = self.calendar
        return plot_rotation(self.table, path, title=f"{self.name(cal.club)} as of {cal.as_of.isoformat()}: plans",
                             weights_label=self.weights_label(),
                             flip_curve=self.stance_flip_curve() if self.has_stance_flip else None,
                             footnote=self.basis())


def percent(p: float) -> str:
    """A probability for people, as the command line's tables print it: ``<0.1%`` rather than a misleading
    ``0.0%``, ``>99.9%`` rather than ``100.0%`` when it is not certain, ``0%`` / ``100%`` when it is."""
    if p <= 0:
        return "0%"
    if p >= 1:
        return "100%"
    if p < 0.001:
        return "<0.1%"
    if p > 0.999:
        return ">99.9%"
    return f"{100 * p:.1f}%"


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
    provenance: TrainingProvenance | None = None,
) -> RotationAnalysis:
    """Rotation advice: evaluate ``plans`` for a ready calendar and a fitted model on common futures.

    weights: objective, e.g. ``"title=1,trophy=0.5,top4=0.3"`` (default that; keys in
    :mod:`matchday.decide.strategies`: a key naming another competition's trophy is an error, a deprecated
    key warns). provenance: what the fitted model rests on (shown in the summary, JSON and chart). plans: names of the named
    plans, plan texts (``"rest Bergamo: UEL=second"``), :class:`Plan` objects or ``{selector: level}``
    dicts (default: the named plans). squad: a squad CSV path (or Squad / LineupStrength); None = the
    two-tier model with ``gap`` (default 0.30). fatigue: default :class:`FatigueModel()` (estimated
    short-rest effect, Dupont et al. injury rates). progress(done, total): called after each plan.
    :func:`matchday.workflows.analyse_rotation` builds the calendar and fits the model from the store.
    """
    if not calendar.matches:
        from matchday.data.errors import MatchdayError

        name = dict(team_names or {}).get(calendar.club, calendar.club)
        raise MatchdayError(f"{name} have no match left to play after {calendar.as_of.isoformat()} (league or "
                            "UEFA knockout): nothing to rotate; ask about a date before the end of its season")
    check_weight_keys(weights, calendar.cup.competition if calendar.cup is not None else None)
    weights_ = parse_weights(weights)
    lineup = lineup_from(squad, gap=gap)
    fatigue = fatigue if fatigue is not None else FatigueModel()
    plan_list = resolve_plans(calendar, plans)
    simulator = PlanSimulator(calendar, model, n_sims=n_sims, seed=seed)
    outcomes = simulator.evaluate_many(plan_list, lineup, fatigue, progress=progress)
    return RotationAnalysis(calendar=calendar, weights=weights_, lineup=lineup, fatigue=fatigue, plans=plan_list,
                            outcomes=outcomes, simulator=simulator, model_name=model_name,
                            team_names=dict(team_names or {}), provenance=provenance)
