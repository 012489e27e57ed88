"""Rotation plans and objectives.

A :class:`Plan` gives a rotation level (``full``, ``partial``, ``second``; see :mod:`matchday.decide.squad`)
to each of the club's remaining matches. It is written as rules applied in order, a later rule overriding
an earlier one for the matches it selects; matches no rule selects are played at full strength.
Selectors (case-insensitive):

* ``all``; ``league``; ``europe`` (or ``cup``): every match, the league matches, the UEFA matches;
* a competition code (``E0``, ``UEL``) or a knockout round (``quarter-final``, ``semi-final``, ``final``, or
  with the competition: ``UEL quarter-final``);
* a date (``2024-04-21``), a calendar key (``E0 2024-04-21 at fulham``) or an opponent's id (``fulham``);
* ``before-europe`` / ``after-europe``: league matches within the short-rest window (3 days) before / after
  a UEFA match.

Text form (CLI): ``name: selector=level, selector=level`` e.g. ``"rest Bergamo: UEL=second"``.

Named plans (:func:`named_plans`):

* ``full strength`` - the first XI every match ("throw the lot at it");
* ``all in league`` - the second string in every European match, full strength in the league;
* ``all in Europe`` - full strength in Europe, the second string in league matches within the short-rest
  window before a European match (so the first XI arrives fresh);
* ``balanced`` - partial rotation in European matches and in the league matches just before them.

Objectives (:func:`parse_weights`): a weighted sum of outcomes, e.g. ``title=1, trophy=0.5, top4=0.3``.
Outcome keys, named by what they are:

* ``title``: win the league; ``topN`` (``top4``, ``top6``, ...): finish in the top N of the league;
* ``europe``: finish in one of the league's European places (the ``europe`` column of ``matchday simulate``:
  league positions that qualify for a UEFA competition, with the cup winners' berths passed down the table;
  the definition per league and season is in ``rules/leagues/<code>.toml``);
* ``trophy``: win the UEFA competition the club is playing in (Champions League, Europa League or Conference
  League); ``final`` / ``semi``: reach that round of it;
* ``points``: per expected league point.

``ucl`` / ``champions-league``, ``uel`` / ``europa-league`` and ``uecl`` / ``conference-league`` name the
trophy of one competition: they are accepted when the club plays that competition and refused otherwise
(:func:`check_weight_keys`). ``europa`` and ``cup`` are deprecated aliases of ``trophy`` (a
``FutureWarning`` says what they mean for the club).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from matchday.data.errors import MatchdayError, UnknownChoiceError
from matchday.decide.calendar import Calendar, CalendarMatch
from matchday.decide.squad import normalize_level

SHORT_WINDOW_DAYS = 3
#: Keys that name the trophy of one UEFA competition: accepted only for a club playing that competition.
COMPETITION_TROPHY_KEYS: dict[str, str] = {
    "ucl": "UCL", "champions-league": "UCL", "championsleague": "UCL", "champions": "UCL",
    "uel": "UEL", "europa-league": "UEL", "europaleague": "UEL",
    "uecl": "UECL", "conference-league": "UECL", "conferenceleague": "UECL", "conference": "UECL",
}
#: Deprecated keys for ``trophy`` (``europa`` was used for Champions League clubs too).
DEPRECATED_TROPHY_KEYS = ("europa", "cup")
TROPHY_ALIASES = ("trophy", "europe-trophy", "uefa-trophy", *COMPETITION_TROPHY_KEYS, *DEPRECATED_TROPHY_KEYS)
ROUND_ALIASES = {"qf": "quarter-final", "quarter": "quarter-final", "quarterfinal": "quarter-final",
                 "quarter-finals": "quarter-final", "sf": "semi-final", "semi": "semi-final",
                 "semifinal": "semi-final", "semi-finals": "semi-final", "r16": "round of 16",
                 "round-of-16": "round of 16", "last-16": "round of 16", "final": "final"}


@dataclass(frozen=True)
class Plan:
    """A named rotation plan: ``rules`` = ((selector, level), ...) applied in order (see the module doc)."""

    name: str
    rules: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "rules", tuple((str(s).strip(), normalize_level(v)) for s, v in self.rules))

    @classmethod
    def from_mapping(cls, name: str, levels: Mapping[str, str]) -> Plan:
        """A plan from ``{selector: level}`` (insertion order = rule order)."""
        return cls(name, tuple(levels.items()))

    def levels(self, calendar: Calendar, stages_played: int | None = None) -> list[str]:
        """The level of each calendar match (calendar order); an unknown selector raises, naming the choices.

        stages_played: on a path where the club plays only that many cup stages, a ``before-europe`` /
        ``after-europe`` rule applies only to league matches next to a European match that is played.
        """
        out = ["full"] * len(calendar.matches)
        for selector, level in self.rules:
            chosen = select(calendar, selector)
            if not chosen:
                raise UnknownChoiceError(f"match selector in plan {self.name!r}", selector,
                                         ["all", "league", "europe", "before-europe", "after-europe", *calendar.keys])
            key = _norm(selector)
            if stages_played is not None and key in WINDOW_SELECTORS:
                after = WINDOW_SELECTORS[key]
                chosen = [i for i in chosen if _window_stage(calendar, calendar.matches[i], after) < stages_played]
            for index in chosen:
                out[index] = level
        return out

    def describe(self) -> str:
        return ", ".join(f"{s}={v}" for s, v in self.rules) or "full strength everywhere"


def _norm(text: str) -> str:
    return re.sub(r"[\s_]+", " ", text.strip().lower())


WINDOW_SELECTORS = {"before-europe": False, "before europe": False, "after-europe": True, "after europe": True}


def _window_stage(calendar: Calendar, match: CalendarMatch, after: bool) -> float:
    """The earliest cup stage of a European match within SHORT_WINDOW_DAYS after (after=False: the league
    match comes before it) or before a league match; inf when there is none."""
    if match.is_cup:
        return np.inf
    stages = [cup.stage if cup.stage is not None else 0 for cup in calendar.cup_matches
              if 0 < ((match.date - cup.date).days if after else (cup.date - match.date).days) <= SHORT_WINDOW_DAYS]
    return float(min(stages)) if stages else np.inf


def _window(calendar: Calendar, match: CalendarMatch, after: bool) -> bool:
    """A league match within SHORT_WINDOW_DAYS before (after=False) / after a European match."""
    return bool(np.isfinite(_window_stage(calendar, match, after)))


def select(calendar: Calendar, selector: str) -> list[int]:
    """Indices of the calendar matches a selector names (see the module docstring)."""
    key = _norm(selector)
    matches = calendar.matches
    if key in ("all", "*", "every"):
        return list(range(len(matches)))
    if key in ("league", "domestic"):
        return [i for i, m in enumerate(matches) if not m.is_cup]
    if key in ("europe", "cup", "uefa", "european"):
        return [i for i, m in enumerate(matches) if m.is_cup]
    if key in ("before-europe", "before europe"):
        return [i for i, m in enumerate(matches) if _window(calendar, m, after=False)]
    if key in ("after-europe", "after europe"):
        return [i for i, m in enumerate(matches) if _window(calendar, m, after=True)]
    exact = [i for i, m in enumerate(matches) if _norm(m.key) == key]
    if exact:
        return exact
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", key):
        day = dt.date.fromisoformat(key)
        return [i for i, m in enumerate(matches) if m.date == day]
    by_competition = [i for i, m in enumerate(matches) if m.competition.lower() == key]
    if by_competition:
        return by_competition
    competition, _, rest = key.partition(" ")
    for comp, text in ((None, key), (competition, rest)):  # "semi-final" or "UEL semi-final"
        round_name = ROUND_ALIASES.get(text.replace(" ", "-"), text).replace("-", " ")
        by_round = [i for i, m in enumerate(matches) if m.round and m.round.lower().replace("-", " ") == round_name
                    and (comp is None or m.competition.lower() == comp)]
        if by_round:
            return by_round
    return [i for i, m in enumerate(matches) if m.opponent is not None and m.opponent.lower() == key]


def named_plans(calendar: Calendar) -> list[Plan]:
    """The four named plans (see the module docstring); without a European match only ``full strength``."""
    plans = [Plan("full strength")]
    if not calendar.cup_matches:
        return plans
    plans.append(Plan("all in league", (("europe", "second"),)))
    before = select(calendar, "before-europe")
    europe_rules: tuple[tuple[str, str], ...] = (("before-europe", "second"),) if before else ()
    plans.append(Plan("all in Europe", europe_rules))
    balanced: tuple[tuple[str, str], ...] = (("europe", "partial"),) + ((("before-europe", "partial"),) if before else ())
    plans.append(Plan("balanced", balanced))
    return plans


def parse_plan(text: str) -> Plan:
    """A plan from ``"name: selector=level, selector=level"`` (without ``name:`` the text names the plan)."""
    text = text.strip()
    if ":" in text:
        name, body = (part.strip() for part in text.split(":", 1))
    else:
        name, body = text, text
    parts = [p.strip() for p in body.split(",") if p.strip()]
    if not name or not parts:
        raise MatchdayError(f"plan {text!r}: expected 'name: selector=level, ...', e.g. 'rest Bergamo: UEL=second'")
    rules = []
    for part in parts:
        if "=" not in part:
            raise MatchdayError(f"plan {text!r}: {part!r} is not 'selector=level' (levels: full, partial, second)")
        selector, level = (x.strip() for x in part.split("=", 1))
        rules.append((selector, normalize_level(level)))
    return Plan(name, tuple(rules))


def resolve_plans(calendar: Calendar, plans: Iterable[str | Plan | Mapping[str, str]] | None) -> list[Plan]:
    """Plans from names of named plans, :class:`Plan` objects, ``{selector: level}`` dicts or plan text;
    None = the named plans. Names must be unique."""
    named = {p.name.lower(): p for p in named_plans(calendar)}
    if plans is None:
        return list(named.values())
    out: list[Plan] = []
    for k, item in enumerate(plans):
        if isinstance(item, Plan):
            plan = item
        elif isinstance(item, Mapping):
            plan = Plan.from_mapping(f"custom {k + 1}", item)
        elif str(item).strip().lower() in named:
            plan = named[str(item).strip().lower()]
        elif "=" in str(item) or ":" in str(item):
            plan = parse_plan(str(item))
        else:
            raise UnknownChoiceError("plan", str(item), [p.name for p in named.values()])
        out.append(plan)
    names = [p.name for p in out]
    if len(set(names)) != len(names):
        raise MatchdayError(f"plan names must be unique (got {names})")
    for plan in out:
        plan.levels(calendar)  # validate selectors now, with a clear error
    return out


# ---------------------------------------------------------------------------------------------------
# Objectives
# ---------------------------------------------------------------------------------------------------


def _key(name: str) -> str:
    return name.strip().lower().replace(" ", "").replace("_", "-")


def outcome_name(name: str) -> str:
    """Canonical outcome name: title, topN, europe, trophy, final, semi, points (see the module docstring)."""
    key = _key(name)
    if key in ("title", "champion", "league-title", "league"):
        return "title"
    if key in ("europe", "european-place", "european-places", "europe-place"):
        return "europe"
    if key in TROPHY_ALIASES:
        return "trophy"
    if key in ("final", "reachfinal", "reach-final"):
        return "final"
    if key in ("semi", "semifinal", "semi-final", "sf"):
        return "semi"
    if key in ("points", "pts"):
        return "points"
    match = re.fullmatch(r"top-?(\d+)", key)
    if match and int(match.group(1)) >= 1:
        return f"top{int(match.group(1))}"
    raise UnknownChoiceError("outcome", name, ["title", "top4 (any topN)", "europe (a European place in the league)",
                                               "trophy (win the UEFA competition)", "final", "semi", "points"])


def _weight_items(weights: str | Mapping[str, float]) -> list[tuple[str, object]]:
    if isinstance(weights, str):
        items: list[tuple[str, object]] = []
        for part in filter(None, (p.strip() for p in weights.split(","))):
            if "=" not in part:
                raise MatchdayError(f"weights {weights!r}: {part!r} is not 'outcome=number' "
                                    "(e.g. title=1,trophy=0.5,top4=0.3)")
            name, value = (x.strip() for x in part.split("=", 1))
            items.append((name, value))
        return items
    return list(weights.items())


def check_weight_keys(weights: str | Mapping[str, float] | None, competition: str | None) -> None:
    """Refuse a key naming another competition's trophy (``uel`` for a Champions League club) and warn
    (``FutureWarning``) about a deprecated key, saying what it means for a club in ``competition`` (the
    UEFA competition it plays, None when it plays none)."""
    import warnings

    from matchday.data.competitions import COMPETITIONS

    if weights is None:
        return
    for name, _ in _weight_items(weights):
        key = _key(str(name))
        named = COMPETITION_TROPHY_KEYS.get(key)
        if named is not None and competition is not None and named != competition:
            raise MatchdayError(
                f"weight {name!r} names the {COMPETITIONS[named].name} trophy, but the club plays the "
                f"{COMPETITIONS[competition].name} ({competition}); write 'trophy' for the competition it plays")
        if key in DEPRECATED_TROPHY_KEYS:
            meaning = (f"winning the {COMPETITIONS[competition].name}" if competition is not None
                       else "winning the UEFA competition the club plays (it plays none here)")
            warnings.warn(f"weight key {name!r} is deprecated: write 'trophy' ({meaning}); 'europe' means "
                          "finishing in a European place in the league", FutureWarning, stacklevel=2)


def parse_weights(weights: str | Mapping[str, float] | None) -> dict[str, float]:
    """``"title=1,trophy=0.5,top4=0.3"`` or a mapping -> {canonical outcome: weight}."""
    if weights is None:
        return dict(DEFAULT_WEIGHTS)
    out: dict[str, float] = {}
    for name, value in _weight_items(weights):
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise MatchdayError(f"weight of {name!r} must be a number (got {value!r})") from None
        canonical = outcome_name(str(name))
        out[canonical] = out.get(canonical, 0.0) + number
    if not out:
        raise MatchdayError("no weights given: expected e.g. title=1,trophy=0.5,top4=0.3")
    return out


def describe_outcome(outcome: str, *, competition: str | None = None, league: str | None = None) -> str:
    """What an outcome key means, in words (``trophy`` -> "win the Europa League" for a UEL club)."""
    from matchday.data.competitions import COMPETITIONS

    outcome = outcome_name(outcome)
    cup = COMPETITIONS[competition].name if competition in COMPETITIONS else "the UEFA competition"
    if outcome == "title":
        return "win the league" if league is None else f"win the {COMPETITIONS[league].name}"
    if outcome.startswith("top"):
        return f"finish in the top {outcome[3:]}"
    if outcome == "europe":
        return "finish in a European place in the league"
    if outcome == "trophy":
        return f"win the {cup}"
    if outcome in ("final", "semi"):
        return f"reach the {'final' if outcome == 'final' else 'semi-final'} of the {cup}"
    return "expected league points"


DEFAULT_WEIGHTS: dict[str, float] = {"title": 1.0, "trophy": 0.5, "top4": 0.3}
