"""Store-backed entry points: read what a question needs from the store, then ask the layers below.

The command line, the report writers (:mod:`matchday.reports`) and a web layer share these, so that the
layers below never open the store themselves (decide, in particular, takes frames and a fitted model).
Fitting a model from the store as of a date is :func:`matchday.models.training.fit_model`.

* :func:`calendar_from_store` - a club's remaining matches across competitions (:mod:`matchday.decide.calendar`);
* :func:`analyse_rotation` - rotation advice for a club as of a date; :func:`compare_dates` at several dates;
* :func:`fatigue_from_store` - the short-rest effect estimated from the stored league and UEFA matches;
* :func:`resolve_club` - a club's id from any name, provisional (unregistered) clubs of the store included;
* :func:`tie_from_store` - a knockout tie on a date, store first (played legs, finished ties), with the tie
  model's odds (:mod:`matchday.simulate.tie_model`, the function ``validate-ties`` scores).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from matchday.data.errors import MatchdayError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from matchday.data.store import Store
    from matchday.decide.calendar import Calendar
    from matchday.decide.fatigue import FatigueEstimate, FatigueModel
    from matchday.decide.recommend import RotationAnalysis
    from matchday.decide.squad import LineupStrength, Squad
    from matchday.decide.strategies import Plan
    from matchday.models.interface import ScoreModel


def resolve_club(store: Store, club: str) -> str:
    """A team id from an id or any known name (clear error naming the closest clubs when unknown).

    Registered clubs resolve through the registry; clubs the store holds only under a provisional
    (``unregistered:``) id resolve by the names the sources wrote for them (case, accents, punctuation and
    legal-form words such as "FC" or "NK" aside). A name matching two provisional clubs is ambiguous (an
    error naming both), never a guess.
    """
    teams = store.teams()
    if club in set(teams["team_id"]):
        return club
    from matchday.data.errors import UnknownChoiceError
    from matchday.data.registry import LEGAL_FORM_WORDS, TeamRegistry, normalize_name

    registry = TeamRegistry.load()
    found = registry.match(club)
    if found.team_id is not None:
        return found.team_id
    provisional = teams[~teams["registered"].astype(bool)]
    if found.how != "ambiguous" and not provisional.empty:
        spellings = [(str(name), str(team)) for name, team in zip(provisional["name"], provisional["team_id"], strict=True)]
        unknown = store.unknown_names()
        spellings += [(str(name), str(team)) for name, team in zip(unknown["name"], unknown["team_id"], strict=True)]

        def short(key: str) -> str:
            return " ".join(word for word in key.split() if word not in LEGAL_FORM_WORDS)

        wanted = normalize_name(club)
        for key_of in (lambda text: text, short):
            ids = {team for name, team in spellings if key_of(normalize_name(name)) == key_of(wanted)}
            if len(ids) == 1:
                return ids.pop()
            if len(ids) > 1:
                names = teams.set_index("team_id")["name"]
                raise UnknownChoiceError(f"team (ambiguous: {len(ids)} unregistered clubs match)", club,
                                         [f"{names.get(t, t)} ({t})" for t in sorted(ids)])
    try:
        return registry.require(club)
    except UnknownChoiceError as error:
        if provisional.empty or found.how == "ambiguous":
            raise
        import difflib

        names = list(provisional["name"].astype(str))
        closer = difflib.get_close_matches(club, names, n=3, cutoff=0.6)
        raise UnknownChoiceError("team", club, closer + list(error.choices), closest=True) from None


def team_names(store: Store, team_ids: Iterable[str]) -> dict[str, str]:
    """Display names of team ids (the id itself where the store has no name)."""
    names = store.teams().set_index("team_id")["name"]
    return {t: str(names.get(t, t)) for t in team_ids}


def find_league(store: Store, club: str, season: str) -> str:
    """The domestic league the club plays in ``season`` (the one with most of its stored matches)."""
    from matchday.data.competitions import LEAGUE_CODES

    frame = store.matches(list(LEAGUE_CODES), [season], teams=[club])
    if frame.empty:
        raise MatchdayError(f"{club} has no stored league matches in {season}: run `matchday sync` for its league")
    return str(frame["competition"].value_counts().index[0])


def calendar_from_store(store: Store, club: str, as_of: dt.date, *, league: str | None = None,
                        cup_dates: Mapping[str, Sequence[dt.date]] | None = None,
                        include_cup: bool = True) -> Calendar:
    """The club's remaining matches on ``as_of`` (end of that day), read from the store.

    club: team id or name. league: the domestic league (default: the one the club plays that season).
    include_cup: False ignores UEFA matches. See :func:`matchday.decide.calendar.club_calendar`.
    """
    from matchday.data.competitions import UEFA_CODES
    from matchday.data.seasons import season_of_date
    from matchday.decide.calendar import club_calendar

    club = resolve_club(store, club)
    season = season_of_date(as_of)
    league = league or find_league(store, club, season)
    uefa = None
    if include_cup:
        own = store.matches(list(UEFA_CODES), [season], teams=[club])
        competitions = list(own["competition"].drop_duplicates())
        uefa = store.matches(competitions, [season]) if competitions else own
    past = store.matches(None, None, played=True, until=as_of, teams=[club])
    last = None if past.empty else past["date"].max().date()
    return club_calendar(club, as_of, league=league, league_matches=store.matches([league], [season]),
                         uefa_matches=uefa, last_match=last, cup_dates=cup_dates)


def analyse_rotation(
    store: Store,
    club: str,
    as_of: dt.date,
    *,
    weights: str | Mapping[str, float] | None = None,
    plans: Iterable[str | Plan | Mapping[str, str]] | None = None,
    squad: str | os.PathLike[str] | Squad | LineupStrength | None = None,
    gap: float | None = None,
    fatigue: FatigueModel | None = None,
    model: str = "dixon-coles",
    fitted: ScoreModel | None = None,
    n_sims: int = 20_000,
    seed: int = 0,
    cup_dates: Mapping[str, Sequence[dt.date]] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RotationAnalysis:
    """Rotation advice for ``club`` (id or name) as of ``as_of`` (end of that day), from the store.

    model / fitted: the model's name (fitted here on the matches up to ``as_of``), or an already fitted one.
    Every other argument is :func:`matchday.decide.recommend.analyse_calendar`'s.
    """
    from matchday.decide.recommend import analyse_calendar
    from matchday.models.training import fit_model

    calendar = calendar_from_store(store, club, as_of, cup_dates=cup_dates)
    model_name = model if fitted is None else f"{type(fitted).__name__} (given)"
    fitted = fitted if fitted is not None else fit_model(model, store, as_of)
    involved = set(calendar.league_matches["home"]) | set(calendar.league_matches["away"])
    if calendar.cup is not None:
        involved |= {t for tie in calendar.cup.ties for t in (tie.home, tie.away)}
    return analyse_calendar(calendar, fitted, weights=weights, plans=plans, squad=squad, gap=gap, fatigue=fatigue,
                            n_sims=n_sims, seed=seed, model_name=model_name, team_names=team_names(store, involved),
                            progress=progress)


def compare_dates(store: Store, club: str, dates: Iterable[dt.date], **options: Any) -> pd.DataFrame:
    """:func:`analyse_rotation` at several as-of dates (the model refitted at each): one row per date and
    plan with the table's columns, plus ``best`` and the stance-flip threshold."""
    import pandas as pd

    frames = []
    for date in dates:
        analysis = analyse_rotation(store, club, date, **options)
        table = analysis.table
        table.insert(0, "as_of", date)
        table["best"] = table["plan"] == analysis.best
        if analysis.has_stance_flip:
            flip = analysis.stance_flip()
            table["flip_threshold"] = flip.threshold
            table["flip_se"] = flip.se
        frames.append(table)
    return pd.concat(frames, ignore_index=True)


def uefa_seasons(store: Store, minimum_matches: int = 100) -> list[str]:
    """Seasons for which the store holds at least ``minimum_matches`` UEFA matches (knockout dates known)."""
    from matchday.data.competitions import UEFA_CODES

    available = store.available()
    uefa = available[available["competition"].isin(UEFA_CODES)].groupby("season")["matches"].sum()
    return sorted(str(s) for s, n in uefa.items() if n >= minimum_matches)


def fatigue_from_store(store: Store, leagues: Sequence[str] | None = None, seasons: Sequence[str] | None = None, *,
                       max_rest_days: int | None = None, ridge: float = 1e-4) -> FatigueEstimate:
    """:func:`matchday.decide.fatigue.estimate_uefa_fatigue` on the stored matches.

    leagues: domestic leagues whose matches are the outcomes (default the top five); seasons: default every
    season with UEFA dates in the store (:func:`uefa_seasons`); max_rest_days: default
    :data:`~matchday.decide.fatigue.SHORT_REST_DAYS`.
    """
    import pandas as pd

    from matchday.data.competitions import UEFA_CODES
    from matchday.decide.fatigue import SHORT_REST_DAYS, TOP5, estimate_uefa_fatigue

    leagues = list(leagues or TOP5)
    seasons = list(seasons) if seasons is not None else uefa_seasons(store)
    if not seasons:
        raise MatchdayError("no season with UEFA matches in the store: run `matchday sync` first")
    league = store.matches(leagues, seasons, played=True)
    if league.empty:
        raise MatchdayError(f"no played {', '.join(leagues)} matches stored for {', '.join(seasons)}")
    lo, hi = league["date"].min() - pd.Timedelta(days=30), league["date"].max()
    uefa = store.matches(list(UEFA_CODES), None, played=None, since=lo.date(), until=hi.date())
    return estimate_uefa_fatigue(league, uefa, max_rest_days=max_rest_days or SHORT_REST_DAYS, ridge=ridge)


# --------------------------------------------------------------------------------------------------------
# Knockout ties, store first
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TieLeg:
    """One stored match of a tie. ``played``: its result is known at the end of the as-of day."""

    date: dt.date
    home: str
    away: str
    home_goals: int | None
    away_goals: int | None
    aet_home_goals: int | None
    aet_away_goals: int | None
    pen_home: int | None
    pen_away: int | None
    played: bool
    source_file: str | None
    source_line: int | None

    def score(self, names: Mapping[str, str] | None = None) -> str:
        """``Liverpool 0-3 Atalanta`` (with extra time and penalties when played)."""
        names = names or {}
        home, away = names.get(self.home, self.home), names.get(self.away, self.away)
        if self.home_goals is None:
            return f"{home} v {away}"
        text = f"{home} {self.home_goals}-{self.away_goals} {away}"
        if self.aet_home_goals is not None:
            text += f" ({self.aet_home_goals}-{self.aet_away_goals} a.e.t."
            text += f", {self.pen_home}-{self.pen_away} pens)" if self.pen_home is not None else ")"
        return text

    def where(self) -> str:
        """The source file and line that holds the leg (for messages)."""
        if not self.source_file:
            return "the store"
        name = str(self.source_file).rstrip("/").split("/")[-2:]
        return "/".join(name) + (f" line {self.source_line}" if self.source_line else "")


@dataclass(frozen=True)
class TieForecast:
    """The tie model's odds at one as-of date: ``label`` says which moment ("now", "before leg 1", ...)."""

    label: str
    as_of: dt.date
    first_leg: tuple[int, int] | None
    result: Any  # matchday.simulate.ties.TieResult


@dataclass(frozen=True)
class TieAnswer:
    """What ``matchday tie`` reports: the tie as the store holds it on ``as_of`` and the model's odds.

    team_a hosts the first leg (a single match: is written first); the stored order wins over the order
    the clubs were named in. round: None when the store holds no tie between the clubs in the season
    running on ``as_of`` (a hypothetical tie). first_leg / first_leg_from: the first-leg score used and
    where it came from ("store", "given", "given (not played by the as-of date)"). decided: for a tie
    finished on ``as_of``, a dict with winner, method (a name of ``METHOD_NAMES``), aggregate
    (A's goals, B's goals over both legs, 90 minutes each) and the legs' extra time and penalties;
    forecast: the odds on ``as_of`` (None when decided); before: with ``show_forecast``, what the model
    said before each played leg.
    """

    team_a: str
    team_b: str
    names: dict[str, str]
    competition: str
    season: str
    round: str | None
    final: bool
    legs: tuple[TieLeg, ...]
    first_leg: tuple[int, int] | None
    first_leg_from: str | None
    as_of: dt.date
    model: str
    decided: dict | None
    forecast: TieForecast | None
    before: tuple[TieForecast, ...] = ()
    notes: tuple[str, ...] = ()

    def situation(self) -> str:
        a, b = self.names[self.team_a], self.names[self.team_b]
        if self.decided is not None:
            return f"{self.names[self.decided['winner']]} went through"
        if self.first_leg is not None:
            return f"after {a} {self.first_leg[0]}-{self.first_leg[1]} {b}"
        return "single match, neutral venue" if self.final else f"{a} at home first"


def _int(value: Any) -> int | None:
    import pandas as pd

    return None if value is None or pd.isna(value) else int(value)


def _legs_of(rows: pd.DataFrame, as_of: dt.date) -> tuple[TieLeg, ...]:
    import pandas as pd

    legs = []
    for row in rows.sort_values("date").itertuples():
        date = pd.Timestamp(row.date).date()
        legs.append(TieLeg(
            date=date, home=row.home, away=row.away, home_goals=_int(row.home_goals), away_goals=_int(row.away_goals),
            aet_home_goals=_int(row.aet_home_goals), aet_away_goals=_int(row.aet_away_goals),
            pen_home=_int(row.pen_home), pen_away=_int(row.pen_away),
            played=row.home_goals is not None and not pd.isna(row.home_goals) and date <= as_of,
            source_file=getattr(row, "source_file", None), source_line=_int(getattr(row, "source_line", None)),
        ))
    return tuple(legs)


def _tie_odds(fitted: ScoreModel, a: str, b: str, *, season: str, competition: str, first_leg: tuple[int, int] | None,
              final: bool, names: Mapping[str, str]) -> Any:
    from matchday.simulate.tie_model import forecast_tie

    return forecast_tie(fitted, a, b, season=season, competition=competition, first_leg=first_leg, final=final,
                        teams=(names[a], names[b]))


def tie_from_store(
    store: Store,
    club_a: str,
    club_b: str,
    as_of: dt.date,
    *,
    model: str = "dixon-coles",
    first_leg: tuple[str, int, int, str] | None = None,
    final: bool = False,
    competition: str | None = None,
    show_forecast: bool = False,
    fitted: ScoreModel | None = None,
) -> TieAnswer:
    """A knockout tie on ``as_of`` (end of that day), store first, and the tie model's odds.

    The store's UEFA matches of the season running on ``as_of`` are searched for a tie between the two
    clubs: a leg played by ``as_of`` is used (a finished tie reports its result instead of odds), the
    stored order of legs fixes who hosts the first leg, and the stored competition its rules and home
    advantage. ``first_leg`` = (host, host's goals, visitor's goals, visitor) as typed: a score that
    contradicts a stored, played first leg is an error naming the stored result; one for a first leg not
    played by ``as_of`` is used as a hypothetical. Without a stored tie the tie is hypothetical
    (``club_a`` at home first; ``competition`` default UCL). ``show_forecast``: also the odds before each
    played leg (the model refitted as of the day before it). ``fitted``: a model already fitted as of
    ``as_of`` (else ``fit_model(model, store, as_of)``). The odds are
    :func:`matchday.simulate.tie_model.forecast_tie`, the function the validation scores.
    """
    from matchday.data.competitions import UEFA_CODES, resolve_competition
    from matchday.data.seasons import season_of_date
    from matchday.models.training import fit_model
    from matchday.simulate.knockout_state import decide_ties, pair_tie, pairings_known_as_of

    a, b = resolve_club(store, club_a), resolve_club(store, club_b)
    if a == b:
        raise MatchdayError(f"a tie needs two different clubs ({club_a!r} and {club_b!r} are the same club)")
    given = None
    if first_leg is not None:
        host, h, g, visitor = first_leg
        host, visitor = resolve_club(store, host), resolve_club(store, visitor)
        if {host, visitor} != {a, b}:
            raise MatchdayError(f"--first-leg names {host} and {visitor}, not the tie's clubs {a} and {b}")
        given = (host, int(h), int(g), visitor)
    season = season_of_date(as_of)
    wanted = resolve_competition(competition).code if competition else None
    uefa = store.matches(list(UEFA_CODES), [season], teams=[a])
    found = pair_tie(uefa, a, b)
    names = team_names(store, [a, b])
    notes: list[str] = []
    if found is None:
        comp = wanted or "UCL"
        if given is not None:
            a, b = given[0], given[3]
        notes.append(f"no {season} UEFA tie between these clubs is stored: a hypothetical tie")
        score = None if given is None else (given[1], given[2])
        fitted = fitted or fit_model(model, store, as_of)
        result = _tie_odds(fitted, a, b, season=season, competition=comp, first_leg=score, final=final, names=names)
        return TieAnswer(a, b, names, comp, season, None, final, (), score, None if score is None else "given",
                         as_of, model, None, TieForecast("now", as_of, score, result), (), tuple(notes))

    comp, round_name = str(found["competition"]), str(found["round"])
    if wanted is not None and wanted != comp:
        raise MatchdayError(f"the store holds this tie in {comp} {season} ({round_name}), not {wanted}")
    legs = _legs_of(found["legs"], as_of)
    draw = pairings_known_as_of(uefa[uefa["competition"] == comp], as_of).get(round_name)
    if draw is not None and not draw.known and not legs[0].played:
        # the pairing was drawn after as_of: knowing it (or who hosts first) would use the future
        notes.append(f"the store holds a {comp} {season} {round_name.lower()} between these clubs, but its draw "
                     f"is not known on {as_of.isoformat()} ({draw.reason}): a hypothetical tie")
        if given is not None:
            a, b = given[0], given[3]
        score = None if given is None else (given[1], given[2])
        fitted = fitted or fit_model(model, store, as_of)
        result = _tie_odds(fitted, a, b, season=season, competition=comp, first_leg=score, final=final, names=names)
        return TieAnswer(a, b, names, comp, season, None, final, (), score, None if score is None else "given",
                         as_of, model, None, TieForecast("now", as_of, score, result), (), tuple(notes))
    single = found["kind"] == "single"
    if final and not single:
        raise MatchdayError(f"--final: the store holds a two-legged {comp} {season} {round_name.lower()} between "
                            "these clubs")
    if single and not final:
        notes.append(f"the stored {round_name.lower()} is a single match at a neutral ground")
    a, b = legs[0].home, legs[0].away
    first = legs[0]
    score = (first.home_goals, first.away_goals) if first.played and not single else None
    source = "store" if score is not None else None
    if given is not None:
        if single:
            raise MatchdayError(f"--first-leg: the stored {comp} {season} {round_name.lower()} is a single match")
        stored_text = first.score(names)
        if first.played:
            if (given[0], given[3]) != (first.home, first.away) or (given[1], given[2]) != score:
                raise MatchdayError(
                    f"--first-leg '{names[given[0]]} {given[1]}-{given[2]} {names[given[3]]}' contradicts the stored "
                    f"first leg: {stored_text} on {first.date.isoformat()} ({comp} {season} {round_name}, "
                    f"{first.where()})")
            notes.append(f"--first-leg agrees with the stored result ({stored_text}, {first.date.isoformat()})")
        else:
            if (given[0], given[3]) != (first.home, first.away):
                raise MatchdayError(
                    f"--first-leg has {names[given[0]]} at home, but the stored first leg on "
                    f"{first.date.isoformat()} is {names[first.home]} v {names[first.away]} ({first.where()})")
            score, source = (given[1], given[2]), "given (not played by the as-of date)"
            notes.append(f"the first leg ({first.date.isoformat()}) was not played by {as_of.isoformat()}: the given "
                         "score is a hypothesis")
    elif score is not None:
        notes.append(f"first leg from the store: {first.score(names)} on {first.date.isoformat()}")

    decided = None
    if all(leg.played for leg in legs):
        decided = _decided(found, legs, as_of, decide_ties)
    before: list[TieForecast] = []
    if show_forecast:
        for number, leg in enumerate(legs):
            if not leg.played:
                break
            day = leg.date - dt.timedelta(days=1)
            known = None if number == 0 else (legs[0].home_goals, legs[0].away_goals)
            label = "before the match" if single else f"before leg {number + 1}"
            model_then = fit_model(model, store, day)
            before.append(TieForecast(label, day, known, _tie_odds(model_then, a, b, season=season, competition=comp,
                                                                   first_leg=known, final=single, names=names)))
    forecast = None
    if decided is None:
        fitted = fitted or fit_model(model, store, as_of)
        forecast = TieForecast("now", as_of, score, _tie_odds(fitted, a, b, season=season, competition=comp,
                                                              first_leg=score, final=single, names=names))
    return TieAnswer(a, b, names, comp, season, round_name, single, legs, score, source, as_of, model, decided,
                     forecast, tuple(before), tuple(notes))


def _decided(found: dict, legs: tuple[TieLeg, ...], as_of: dt.date, decide_ties: Callable) -> dict:
    """Winner, method and aggregate of a finished tie (the rule code of matchday.rules.knockout)."""
    from matchday.rules.knockout import match_winner

    first = legs[0]
    if found["tie"] is None:  # a single match
        decision = match_winner([first.home_goals], [first.away_goals],
                                [first.aet_home_goals if first.aet_home_goals is not None else float("nan")],
                                [first.aet_away_goals if first.aet_away_goals is not None else float("nan")],
                                [first.pen_home if first.pen_home is not None else float("nan")],
                                [first.pen_away if first.pen_away is not None else float("nan")])
        side = int(decision.winner[0])
        method = str(decision.method_names()[0])
        aggregate = (first.home_goals, first.away_goals)
    else:
        import pandas as pd

        row = decide_ties(pd.DataFrame([found["tie"]]), as_of).iloc[0]
        side, method = int(row["side"]), str(row["method"])
        aggregate = (int(row["agg_a"]), int(row["agg_b"]))
    if side < 0:
        raise MatchdayError(f"the stored results of {first.home} v {first.away} do not decide the tie")
    return {"winner": first.home if side == 0 else first.away, "method": method, "aggregate": aggregate}
