"""Precomputed "running season" views: what `matchday now` shows, kept in the store by `matchday update`.

A view is a JSON-ready ``dict`` answering one question about one competition as of the latest data: the
table, the season projection (title, Europe, relegation, promotion where the league has it; for a UEFA
competition of the league-phase format the league-phase odds and the knockout phase, for an older one the
bracket) and the next round of fixtures with the model's probabilities beside the market's where odds are
stored. :func:`compute_views` computes them (one model fit serves every competition);
:func:`save_views` keeps them in the store's ``views`` table with what made them; :func:`read_views`
finds fresh ones; :class:`StoreViews` is the read-only layer the web services consult first
(``Services(views=StoreViews(path))``).

Identity and freshness. A view is keyed ``<question>@<fingerprint>``: ``question`` is the canonical JSON
text of the question (``{"as_of":...,"competition":...,"kind":"now","model":...,"season":...,"seed":...,
"sims":...}``, keys sorted, no spaces: the web layer's :class:`~matchday.web.services.Question` form) and
``fingerprint`` is :func:`data_fingerprint`, a hash of what the store holds (matches and results per
competition season, and the table sizes, not the forecasts log or the views). New data, new fingerprint:
an old view is never served for new data. The schema of the table is in ``docs/running-season.md``.

Forecasts of the fixtures in a view go to the store's forecasts log (``details.command`` ``now`` or
``update``, with the view's key), so that :mod:`matchday.evaluate.track_record` grades them when the
results arrive.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matchday.data.errors import MatchdayError
from matchday.inputs import DEFAULT_MODEL

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from matchday.data.store import Store
    from matchday.models.interface import ScoreModel
    from matchday.models.provenance import TrainingProvenance

View = dict[str, Any]

VIEWS_TABLE = "views"
VIEWS_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {VIEWS_TABLE} (
    key VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, competition VARCHAR, season VARCHAR, as_of DATE,
    model VARCHAR, model_params VARCHAR, data_window VARCHAR, seed BIGINT, sims INTEGER,
    fingerprint VARCHAR NOT NULL, created_at TIMESTAMP, seconds DOUBLE, body VARCHAR NOT NULL)
"""
DEFAULT_SIMS = 10_000
#: A round of fixtures: the matches still to play within this many days of the first one.
ROUND_DAYS = 6
MAX_FIXTURES = 40


# ----------------------------------------------------------------------------------------- identity
def data_fingerprint(store: Store) -> str:
    """Hash of the store's imported data: per competition season its matches, results and dates, every
    match row (DuckDB's hash of each row's columns but where it was read from, aggregated in the database:
    a corrected score or a moved date counts, as in :meth:`matchday.data.store.Store.match_content`), and the
    size of every data table (the forecasts log and the views are left out, so logging a forecast or
    writing a view does not make the data look new). The web layer's cache key is this function."""
    counts = {k: v for k, v in store.counts().items() if k != "forecasts"}
    text = (store.available().to_json(orient="records", date_format="iso") + json.dumps(counts)
            + store.match_content())
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def question_text(kind: str, **params: Any) -> str:
    """Canonical JSON of a question: keys sorted, dates in ISO form, no spaces."""
    body = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in sorted(params.items())}
    return json.dumps({"kind": kind, **body}, sort_keys=True, separators=(",", ":"))


def view_key(question: str, fingerprint: str) -> str:
    return f"{question}@{fingerprint}"


def data_as_of(store: Store) -> dt.date:
    """The latest date with a stored result: what "as of the latest data" means."""
    import pandas as pd

    available = store.available()
    if available.empty:
        raise MatchdayError(f"the store at {store.path} holds no matches; run `matchday sync` first")
    row = store.con.execute("SELECT max(date) FROM matches WHERE home_goals IS NOT NULL").fetchone()
    if row is None or row[0] is None:
        raise MatchdayError("no stored match has a result yet; give --as-of")
    return pd.Timestamp(row[0]).date()


def competition_seasons(store: Store, as_of: dt.date, competitions: Iterable[str] | None = None
                        ) -> list[tuple[str, str]]:
    """(competition, season) of every stored competition: the season running on ``as_of`` when stored,
    else the latest stored season that started before it."""
    from matchday.data.competitions import COMPETITIONS
    from matchday.data.seasons import season_of_date, season_start_year

    available = store.available()
    wanted = None if competitions is None else set(competitions)
    running = season_start_year(season_of_date(as_of))
    out = []
    for code in COMPETITIONS:
        if wanted is not None and code not in wanted:
            continue
        seasons = [s for s in available.loc[available["competition"] == code, "season"] if season_start_year(s) <= running]
        if seasons:
            out.append((code, max(seasons, key=season_start_year)))
    if wanted is not None:
        missing = sorted(wanted - {c for c, _ in out})
        if missing:
            raise MatchdayError(f"nothing stored for {', '.join(missing)} up to {as_of}; run `matchday sync "
                                f"{' '.join(missing)}`")
    return out


# ----------------------------------------------------------------------------------------- computing
def _clean(value: Any) -> Any:
    """JSON-ready values: NumPy scalars to Python, NaN to None, dates to ISO text."""
    import numpy as np
    import pandas as pd

    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, pd.Timedelta):
        return str(value)
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [_clean(row) for row in frame.to_dict("records")]


def next_fixtures(matches: pd.DataFrame, as_of: dt.date, *, days: int = ROUND_DAYS) -> pd.DataFrame:
    """The next round of a competition season: the matches dated after ``as_of`` (still to play on that
    day, whether a later result is stored or not), within ``days`` of the first of them (at most
    :data:`MAX_FIXTURES`); cancelled ones are left out."""
    import pandas as pd

    rest = matches[matches["date"] > pd.Timestamp(as_of)]
    if "status" in rest.columns:
        rest = rest[~rest["status"].isin(["cancelled"])]
    if rest.empty:
        return rest
    first = rest["date"].min()
    return rest[rest["date"] <= first + pd.Timedelta(days=days)].head(MAX_FIXTURES)


def fixture_forecasts(store: Store, fitted: ScoreModel, fixtures: pd.DataFrame, competition: str,
                      names: dict[str, str]) -> list[dict[str, Any]]:
    """The model's 1X2 and expected goals for each fixture, beside the stored pre-match market (margin
    removed, :func:`matchday.evaluate.market.market_probabilities`) where odds are stored."""
    from matchday.data.errors import UnknownChoiceError
    from matchday.evaluate.market import market_probabilities

    if fixtures.empty:
        return []
    try:
        grid = fitted.predict_many(fixtures["home"].to_numpy(), fixtures["away"].to_numpy(),
                                   fixtures["neutral"].fillna(False).to_numpy(dtype=bool), competition=competition)
    except UnknownChoiceError as exc:
        raise MatchdayError(f"{competition}: the model cannot rate a club of the next round ({exc})") from None
    outcomes = grid.outcomes()
    odds = store.odds(fixtures["match_id"].tolist(), market="1x2")
    market = (market_probabilities(odds, "pre").set_index("match_id") if not odds.empty else None)
    out = []
    for k, row in enumerate(fixtures.itertuples()):
        item = {"match_id": row.match_id, "date": row.date, "kickoff": getattr(row, "kickoff", None),
                "round": row.round, "home": row.home, "away": row.away,
                "home_name": names.get(row.home, row.home), "away_name": names.get(row.away, row.away),
                "p_home": float(outcomes[k, 0]), "p_draw": float(outcomes[k, 1]), "p_away": float(outcomes[k, 2]),
                "home_expected_goals": float(grid.home_expected_goals[k]),
                "away_expected_goals": float(grid.away_expected_goals[k]), "market": None}
        if market is not None and row.match_id in market.index:
            m = market.loc[row.match_id]
            item["market"] = {"p_home": float(m["p_home"]), "p_draw": float(m["p_draw"]),
                              "p_away": float(m["p_away"]), "bookmaker": str(m["bookmaker"]),
                              "overround": float(m["overround"])}
        out.append(item)
    return _clean(out)


def _league_view(store: Store, fitted: ScoreModel, code: str, season: str, as_of: dt.date, sims: int, seed: int,
                 names: dict[str, str]) -> View:
    from matchday.rules.leagues import rules_for
    from matchday.rules.table import league_table
    from matchday.simulate.season import simulate_season

    matches = store.matches([code], [season])
    played = matches[matches["home_goals"].notna() & (matches["date"] <= str(as_of))]
    table = league_table(played, code, season, as_of=as_of)
    table.insert(2, "club", table["team"].map(names).fillna(table["team"]))
    rules = rules_for(code, season)
    view: View = {"format": "league", "table": _records(table), "projection": None, "notes": []}
    places = rules.places
    view["places"] = {"champions_league": places.champions_league, "europe": places.champions_league
                      + places.europa_league + places.conference_league, "relegation": places.relegation,
                      "promotion": places.promotion}
    try:
        result = simulate_season(matches, fitted, code, season, as_of=as_of, n_sims=sims, seed=seed)
    except (MatchdayError, ValueError) as exc:
        view["notes"].append(f"no projection: {exc}")
    else:
        summary = result.summary()
        summary.insert(1, "club", summary["team"].map(names).fillna(summary["team"]))
        view["projection"] = _records(summary)
        view["positions"] = _positions(result.position_probabilities())
        view["remaining"] = int(result.n_remaining)
    fixtures = next_fixtures(matches, as_of)
    view["fixtures"] = fixture_forecasts(store, fitted, fixtures, code, names)
    overdue = matches[matches["home_goals"].isna() & (matches["date"] <= str(as_of))]
    if len(overdue):
        view["notes"].append(f"{len(overdue)} match(es) dated on or before {as_of} have no result yet (postponed, or "
                             "the result is not published); they count as still to play")
    return view


def _positions(frame: pd.DataFrame) -> dict[str, Any]:
    """A position-probability frame (clubs x positions 1..N) as ``{"teams": [...], "matrix": [[...]]}``."""
    return {"teams": [str(t) for t in frame.index], "matrix": frame.to_numpy().tolist()}


def _uefa_view(store: Store, fitted: ScoreModel, code: str, season: str, as_of: dt.date, sims: int, seed: int,
               names: dict[str, str]) -> View:
    from matchday.rules.uefa_format import has_league_phase
    from matchday.workflows import uefa_season_from_store

    matches = store.matches([code], [season])
    view: View = {"format": "league_phase" if has_league_phase(code, season) else "knockout", "table": None,
                  "projection": None, "bracket": None, "notes": []}
    if has_league_phase(code, season):
        try:
            result = uefa_season_from_store(store, code, season, as_of, fitted=fitted, n_sims=sims, seed=seed)
        except MatchdayError as exc:
            view["notes"].append(f"no projection: {exc}")
        else:
            table = result.current.copy()
            table.insert(2, "club", table["team"].map(names).fillna(table["team"]))
            view["table"] = _records(table)
            summary = result.summary()
            summary.insert(1, "club", summary["team"].map(names).fillna(summary["team"]))
            view["projection"] = _records(summary)
            view["positions"] = _positions(result.position_probabilities())
            view["knockout"] = _records(result.knockout_table())
            ties = result.ties_table()
            view["bracket"] = {"known_rounds": list(result.known_rounds), "ties": _records(ties)}
            view["remaining"] = int(result.n_remaining)
            view["notes"] += result.notes
            # knockout fixtures of a round not drawn by then were not known: leave them out
            from matchday.rules.uefa_league_phase import is_league_phase_round

            known = matches["round"].map(is_league_phase_round) | matches["round"].isin(result.known_rounds)
            matches = matches[known]
    else:
        view["bracket"] = _old_format_bracket(matches, fitted, code, season, as_of, sims, seed, names, view["notes"])
    view["fixtures"] = fixture_forecasts(store, fitted, next_fixtures(matches, as_of), code, names)
    return view


def _old_format_bracket(matches, fitted, code, season, as_of, sims, seed, names, notes) -> dict | None:
    """The rest of a group-stage era knockout competition (:mod:`matchday.simulate.bracket`)."""
    import functools

    from matchday.rules.knockout import tie_rules
    from matchday.simulate.bracket import simulate_bracket
    from matchday.simulate.knockout_state import bracket_from_store
    from matchday.simulate.tie_play import KnockoutParams

    try:
        first_round, ties, later = bracket_from_store(matches, as_of)
    except MatchdayError as exc:
        notes.append(f"no bracket: {exc}")
        return None
    predict = functools.partial(fitted.predict_many, competition=code)
    result = simulate_bracket(ties, later, predict, first_round=first_round,
                              params=KnockoutParams(rules=tie_rules(season, code)), n=sims, seed=seed)
    table = result.table.reset_index().rename(columns={"club": "team"})
    table.insert(1, "club", table["team"].map(names).fillna(table["team"]))
    return {"from_round": first_round.name, "clubs": _records(table)}


@dataclass(frozen=True)
class NowSettings:
    """What the views of one `update` (or `now`) are made with."""

    as_of: dt.date
    model: str = DEFAULT_MODEL
    sims: int = DEFAULT_SIMS
    seed: int = 0

    def question(self, competition: str, season: str) -> str:
        return question_text("now", competition=competition, season=season, as_of=self.as_of, model=self.model,
                             sims=self.sims, seed=self.seed)


def compute_views(store: Store, settings: NowSettings, competitions: Sequence[tuple[str, str]], *,
                  fitted: ScoreModel | None = None, provenance: TrainingProvenance | None = None,
                  progress: Callable[[int, int, str], None] | None = None) -> list[View]:
    """One view per (competition, season), all from one model fitted on the matches up to ``settings.as_of``.
    A competition that cannot be projected says why in its ``notes`` (the others go on).

    provenance: what ``fitted`` rests on (:class:`~matchday.models.provenance.TrainingProvenance`; found by the
    fit when ``fitted`` is None); each view then carries ``basis`` (its ``to_dict`` with the simulations, seed
    and the view's competition) and ``basis_text`` (its ``describe``), as the CLI's ``--json`` and captions."""
    from matchday.data.competitions import COMPETITIONS
    from matchday.models.training import training_seasons
    from matchday.workflows import fit_from_store, team_names

    fingerprint = data_fingerprint(store)
    if fitted is None:
        fitted, provenance = fit_from_store(store, settings.model, settings.as_of)
    names = team_names(store, store.teams()["team_id"])
    window = {"seasons": training_seasons(settings.as_of), "until": settings.as_of.isoformat(),
              "matches": int(getattr(fitted, "n_matches_", 0) or 0)}
    views = []
    for done, (code, season) in enumerate(competitions, start=1):
        started = time.perf_counter()
        comp = COMPETITIONS[code]
        compute = _uefa_view if comp.kind == "cup" else _league_view
        try:
            body = compute(store, fitted, code, season, settings.as_of, settings.sims, settings.seed, names)
        except MatchdayError as exc:
            body = {"format": None, "table": None, "projection": None, "fixtures": [], "notes": [str(exc)]}
        question = settings.question(code, season)
        view = {"kind": "now", "competition": code, "name": comp.name, "season": season,
                "as_of": settings.as_of.isoformat(), "model": settings.model,
                "model_params": _clean(fitted.get_params()), "data_window": window, "seed": settings.seed,
                "sims": settings.sims, "fingerprint": fingerprint, "key": view_key(question, fingerprint),
                "question": json.loads(question), "seconds": round(time.perf_counter() - started, 3), **body}
        if provenance is not None:
            basis = {"n_sims": settings.sims, "seed": settings.seed, "competitions": [code]}
            view["basis"] = provenance.to_dict(**basis)
            view["basis_text"] = provenance.describe(**basis)
        views.append(_clean(view))
        if progress:
            progress(done, len(competitions), code)
    return views


# ----------------------------------------------------------------------------------------- the store table
def _has_table(store: Store) -> bool:
    rows = store.con.execute("SELECT 1 FROM information_schema.tables WHERE table_schema = 'main' AND table_name = ?",
                             [VIEWS_TABLE]).fetchall()
    return bool(rows)


def save_views(store: Store, views: Sequence[View]) -> int:
    """Write views to the store's ``views`` table (created when missing; a view with the same key is
    replaced), in one transaction. Returns how many were written."""
    import pandas as pd

    if not views:
        return 0
    frame = pd.DataFrame({
        "key": [v["key"] for v in views], "kind": [v["kind"] for v in views],
        "competition": [v.get("competition") for v in views], "season": [v.get("season") for v in views],
        "as_of": [pd.Timestamp(v["as_of"]) for v in views], "model": [v.get("model") for v in views],
        "model_params": [json.dumps(v.get("model_params"), sort_keys=True) for v in views],
        "data_window": [json.dumps(v.get("data_window"), sort_keys=True) for v in views],
        "seed": [v.get("seed") for v in views], "sims": [v.get("sims") for v in views],
        "fingerprint": [v["fingerprint"] for v in views],
        "created_at": pd.Timestamp.now(tz="UTC").tz_localize(None),
        "seconds": [v.get("seconds") for v in views], "body": [json.dumps(v) for v in views],
    })
    store.con.execute("BEGIN TRANSACTION")
    try:
        store.con.execute(VIEWS_SCHEMA)
        store.con.register("incoming_views", frame)
        store.con.execute(f"INSERT OR REPLACE INTO {VIEWS_TABLE} SELECT * FROM incoming_views")
        store.con.unregister("incoming_views")
        store.con.execute("COMMIT")
    except BaseException:
        store.con.execute("ROLLBACK")
        raise
    return len(frame)


def read_views(store: Store, keys: Iterable[str]) -> dict[str, View]:
    """The stored views of these keys (missing keys are absent from the result)."""
    keys = list(keys)
    if not keys or not _has_table(store):
        return {}
    rows = store.con.execute(f"SELECT key, body FROM {VIEWS_TABLE} WHERE list_contains(?, key)", [keys]).fetchall()
    return {key: json.loads(body) for key, body in rows}


def stored_views(store: Store) -> pd.DataFrame:
    """What the ``views`` table holds (without the bodies), newest first; stale ones flagged."""
    import pandas as pd

    if not _has_table(store):
        return pd.DataFrame(columns=["key", "kind", "competition", "season", "as_of", "model", "seed", "sims",
                                     "fingerprint", "created_at", "seconds", "fresh"])
    frame = store.con.execute(
        f"SELECT key, kind, competition, season, as_of, model, seed, sims, fingerprint, created_at, seconds "
        f"FROM {VIEWS_TABLE} ORDER BY created_at DESC, competition").df()
    frame["fresh"] = frame["fingerprint"] == data_fingerprint(store)
    return frame


class StoreViews:
    """Read-only access to the stored views for the web layer (``get(key)`` -> view or None; ``put`` is
    refused: views are written by `matchday update`). Opens the store read-only for each look-up, so that
    a writer can take the file between requests."""

    def __init__(self, path: str | Path | None = None, *, lock_wait: float | None = None) -> None:
        from matchday.data.store import default_db_path

        self.path = Path(path) if path is not None else default_db_path()
        self.lock_wait = lock_wait  # seconds to wait for a writer (None: the store's default)

    def get(self, key: str) -> View | None:
        from matchday.data.store import Store

        with Store(self.path, read_only=True, lock_wait=self.lock_wait) as store:
            return read_views(store, [key]).get(key)

    def put(self, key: str, value: Any) -> None:
        raise MatchdayError("stored views are written by `matchday update`, not by a reader")


# ----------------------------------------------------------------------------------------- logging
def forecast_log_rows(views: Sequence[View], command: str) -> pd.DataFrame:
    """The fixtures' forecasts of ``views`` as rows for :meth:`~matchday.data.store.Store.log_forecasts`
    (plus ``model`` and ``as_of``, which the log takes per call: see :func:`log_view_forecasts`)."""
    import pandas as pd

    rows = []
    for view in views:
        for fixture in view.get("fixtures") or []:
            rows.append({"model": view["model"], "as_of": view["as_of"],
                         "match_id": fixture["match_id"], "competition": view["competition"],
                         "home": fixture["home"], "away": fixture["away"], "p_home": fixture["p_home"],
                         "p_draw": fixture["p_draw"], "p_away": fixture["p_away"],
                         "home_expected_goals": fixture["home_expected_goals"],
                         "away_expected_goals": fixture["away_expected_goals"],
                         "details": {"command": command, "view": view["key"], "match_date": fixture["date"],
                                     "seed": view["seed"]}})
    return pd.DataFrame(rows)


def log_view_forecasts(store: Store, views: Sequence[View], command: str) -> int:
    """Append the fixtures' forecasts of ``views`` to the store's forecasts log (one run per model and
    as-of date); returns the number of rows logged."""
    rows = forecast_log_rows(views, command)
    if rows.empty:
        return 0
    for (model, as_of), part in rows.groupby(["model", "as_of"], sort=False):
        store.log_forecasts(part.drop(columns=["model", "as_of"]).reset_index(drop=True), model=str(model),
                            as_of=dt.date.fromisoformat(str(as_of)))
    return len(rows)
