"""What a fitted model rests on: the training window actually used, computed from the training frame.

:class:`TrainingProvenance` is a plain, frozen dataclass (picklable, no reference to the store or the
model), built by :meth:`TrainingProvenance.from_frame` from the very frame the model was fitted on. The
fit path (:func:`matchday.workflows.fit_from_store`) returns it beside the fitted model, so that a cache
can keep the two together and every answer (a table caption, ``--json``, a chart) can say which model,
which seasons, how many matches per competition and which as-of date it rests on, and whether the window
is shorter than the model's default.

Simulations and seed belong to a forecast, not to a fit: :meth:`TrainingProvenance.describe` and
:meth:`TrainingProvenance.to_dict` take them as arguments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


#: Why matches of the window were not fitted, in words (keys of ``TrainingProvenance.left_out``).
LEFT_OUT_REASONS: dict[str, str] = {"awarded": "results awarded by the league (no goals were played)"}


@dataclass(frozen=True)
class CompetitionWindow:
    """The matches of one competition in a training frame: how many, from which seasons, first and last date."""

    competition: str
    matches: int
    seasons: tuple[str, ...]
    first_date: dt.date
    last_date: dt.date


@dataclass(frozen=True)
class TrainingProvenance:
    """The training window a model was fitted on.

    model: the model's name (``dixon-coles``); params: the constructor arguments given (not the defaults);
    as_of: the forecast date (matches up to the end of that day); default_seasons: the seasons the
    model's default window asks for on that date (the running season and the ones before it);
    seasons: the seasons the frame actually holds; competitions: one :class:`CompetitionWindow` per
    competition, in the frame's order of codes; n_matches: matches fitted; left_out: matches of the
    window the fit did not use, by reason (``{"awarded": 2}``: results awarded by the league, no goals).
    """

    model: str
    as_of: dt.date
    default_seasons: tuple[str, ...]
    seasons: tuple[str, ...]
    competitions: tuple[CompetitionWindow, ...]
    n_matches: int
    params: Mapping[str, Any] = field(default_factory=dict)
    left_out: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_frame(cls, model: str, frame: pd.DataFrame, as_of: dt.date, default_seasons: Sequence[str], *,
                   params: Mapping[str, Any] | None = None,
                   left_out: Mapping[str, int] | None = None) -> TrainingProvenance:
        """The provenance of a fit on ``frame`` (a match frame with ``date``, ``competition``, ``season``)."""
        import pandas as pd

        comps = []
        if len(frame):
            dates = pd.to_datetime(frame["date"])
            grouped = frame.assign(_date=dates).groupby("competition", sort=True)
            for code, group in grouped:
                comps.append(CompetitionWindow(
                    competition=str(code), matches=int(len(group)),
                    seasons=tuple(sorted(str(s) for s in group["season"].unique())),
                    first_date=group["_date"].min().date(), last_date=group["_date"].max().date()))
        seasons = tuple(sorted(str(s) for s in frame["season"].unique())) if len(frame) else ()
        return cls(model=model, as_of=as_of, default_seasons=tuple(default_seasons), seasons=seasons,
                   competitions=tuple(comps), n_matches=int(len(frame)), params=dict(params or {}),
                   left_out={k: int(v) for k, v in (left_out or {}).items() if v})

    # ------------------------------------------------------------------ facts
    @property
    def missing_seasons(self) -> tuple[str, ...]:
        """Seasons of the default window with no match in the frame (not stored, or not started yet)."""
        return tuple(s for s in self.default_seasons if s not in self.seasons)

    @property
    def short_window(self) -> bool:
        """True when the frame holds fewer seasons than the model's default window asks for."""
        return bool(self.missing_seasons)

    def matches_by_competition(self) -> dict[str, int]:
        return {c.competition: c.matches for c in self.competitions}

    def window(self, competition: str) -> CompetitionWindow | None:
        return next((c for c in self.competitions if c.competition == competition), None)

    def warnings(self, competitions: Sequence[str] = ()) -> list[str]:
        """Plain sentences about thin data: a window shorter than the default, a competition asked about
        with fewer seasons than the window or no match at all."""
        out = []
        if self.short_window:
            out.append(f"the training window is shorter than the model's default of {len(self.default_seasons)} "
                       f"seasons ({_season_span(self.default_seasons)}): no match of "
                       f"{', '.join(self.missing_seasons)} is in the store")
        for code in competitions:
            found = self.window(code)
            if found is None:
                out.append(f"no {code} match is in the training window: its clubs are rated from other competitions only")
            elif self.seasons and len(found.seasons) < len(self.seasons):
                out.append(f"{code} has {len(found.seasons)} of the window's {len(self.seasons)} seasons "
                           f"({', '.join(found.seasons)})")
        return out

    # ------------------------------------------------------------------ rendering
    def headline(self) -> str:
        """Short form: ``dixon-coles as of 2024-04-15, fitted on 11,523 matches of 2021-22 to 2023-24`` (and
        a word when the window is shorter than the default)."""
        text = (f"{self.model} as of {self.as_of.isoformat()}, fitted on {self.n_matches:,} matches of "
                f"{_season_span(self.seasons) or 'no season'}")
        if self.short_window:
            text += (f" (shorter than the default {len(self.default_seasons)} seasons: "
                     f"{', '.join(self.missing_seasons)} not in the store)")
        return text

    def describe(self, *, n_sims: int | None = None, seed: int | None = None,
                 competitions: Sequence[str] = ()) -> str:
        """One paragraph: model, as-of, the window (seasons, matches per competition), sims and seed, and
        the warnings of :meth:`warnings` for ``competitions`` (the ones the answer is about)."""
        per = ", ".join(
            f"{c.competition} {c.matches:,}" + ("" if c.seasons == self.seasons else f" ({_season_span(c.seasons)})")
            for c in self.competitions)
        text = (f"{self.model} as of {self.as_of.isoformat()}, fitted on {self.n_matches:,} matches of "
                f"{_season_span(self.seasons) or 'no season'}" + (f": {per}" if per else ""))
        if self.left_out:
            text += "; left out: " + ", ".join(f"{n:,} {LEFT_OUT_REASONS.get(reason, reason)}"
                                               for reason, n in self.left_out.items())
        if n_sims is not None:
            text += f"; {n_sims:,} simulations, seed {seed}"
        elif seed is not None:
            text += f"; seed {seed}"
        notes = self.warnings(competitions)
        if notes:
            text += ". Note: " + "; ".join(notes)
        return text + "."

    def to_dict(self, *, n_sims: int | None = None, seed: int | None = None,
                competitions: Sequence[str] = ()) -> dict[str, Any]:
        """JSON-ready: model, params, as_of, the window (default and actual seasons, matches per
        competition), left-out matches, simulations and seed, and the warnings."""
        return {
            "model": self.model,
            "params": dict(self.params),
            "as_of": self.as_of.isoformat(),
            "training": {
                "default_seasons": list(self.default_seasons),
                "seasons": list(self.seasons),
                "short_window": self.short_window,
                "missing_seasons": list(self.missing_seasons),
                "matches": self.n_matches,
                "competitions": {c.competition: {"matches": c.matches, "seasons": list(c.seasons),
                                                 "first_date": c.first_date.isoformat(),
                                                 "last_date": c.last_date.isoformat()}
                                 for c in self.competitions},
                "left_out": dict(self.left_out),
            },
            "sims": n_sims,
            "seed": seed,
            "warnings": self.warnings(competitions),
        }


def _season_span(seasons: Sequence[str]) -> str:
    """``2021-22 to 2023-24`` (3 seasons), ``2023-24``, or the list when there is a gap."""
    seasons = sorted(seasons)
    if not seasons:
        return ""
    if len(seasons) == 1:
        return seasons[0]
    starts = [int(s[:4]) for s in seasons]
    if starts == list(range(starts[0], starts[0] + len(starts))):
        return f"{seasons[0]} to {seasons[-1]}"
    return ", ".join(seasons)
