"""The ``matchday`` command (Typer + Rich). It only orchestrates: every rule and number lives below."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from matchday.data.errors import MatchdayError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from matchday.data.store import Store

app = typer.Typer(
    name="matchday",
    help="Football results turned into forecasts and decisions.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console()
err_console = Console(stderr=True)


DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="DuckDB store file (default: MATCHDAY_DB or the user data dir)."),
]
FormatJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
FormatCsv = Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")]
MirrorOption = Annotated[
    str | None,
    typer.Option(
        "--mirror",
        help="Read every source from a mirror root laid out like shared/data: a directory, file:// or "
        "http://127.0.0.1:PORT URL (default: MATCHDAY_MIRROR, the config file, then the public sources).",
    ),
]


def parse_date(text: str | None, option: str = "--as-of") -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise MatchdayError(f"{option}: {text!r} is not a date (expected YYYY-MM-DD)") from exc


def _competition(text: str, kind: str | None = None):
    """The competition named by ``text``; with ``kind``, a clear error when it is the other kind."""
    from matchday.data.competitions import resolve_competition

    comp = resolve_competition(text)
    if kind == "league" and comp.kind != "league":
        raise MatchdayError(f"{comp.code} ({comp.name}) is a cup, not a league; use `matchday bracket {comp.code}` "
                            f"or `matchday results {comp.code}`")
    if kind == "cup" and comp.kind != "cup":
        raise MatchdayError(f"{comp.code} ({comp.name}) is a league; use `matchday simulate {comp.code}`")
    return comp


def _season(season: str | None, cutoff: dt.date | None) -> str:
    """The named season, else the one running on ``cutoff`` (today when None)."""
    from matchday.data.seasons import normalize_season, season_of_date

    return normalize_season(season) if season else season_of_date(cutoff or dt.date.today())


def open_store(db: Path | None, *, read_only: bool = True) -> Store:
    from matchday.data.store import Store

    return Store(db, read_only=read_only)


def emit(frame: pd.DataFrame, *, as_json: bool, as_csv: bool, title: str | None = None, caption: str | None = None) -> None:
    """Print a DataFrame as a Rich table, JSON records or CSV."""
    if as_json:
        sys.stdout.write(frame.to_json(orient="records", date_format="iso", indent=2) + "\n")
        return
    if as_csv:
        sys.stdout.write(frame.to_csv(index=False))
        return
    from rich.table import Table

    table = Table(title=title, caption=caption, header_style="bold")
    for column in frame.columns:
        numeric = frame[column].dtype.kind in "iufb"
        table.add_column(str(column), justify="right" if numeric else "left")
    for row in frame.itertuples(index=False):
        table.add_row(*("" if _missing(v) else _fmt(v) for v in row))
    console.print(table)


def _missing(value: object) -> bool:
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    if hasattr(value, "strftime") and hasattr(value, "hour") and getattr(value, "hour", 1) == 0 and getattr(value, "minute", 1) == 0:
        return value.strftime("%Y-%m-%d")
    return str(value)


# --------------------------------------------------------------------------- sync
@app.command()
def sync(
    competitions: Annotated[
        list[str] | None, typer.Argument(help="Competitions (E0 E1 SP1 I1 D1 F1 UCL UEL UECL or names); default all.")
    ] = None,
    seasons: Annotated[
        str | None, typer.Option("--seasons", help="Season or range, e.g. 2023-24 or 2012-13:2023-24 (default 2012-13 to now).")
    ] = None,
    mirror: MirrorOption = None,
    source: Annotated[
        list[str] | None, typer.Option("--source", help="Point one source at a URL: NAME=URL (e.g. football-data=http://127.0.0.1:8000).")
    ] = None,
    refresh: Annotated[bool, typer.Option("--refresh", help="Download again even when cached.")] = False,
    cache_dir: Annotated[Path | None, typer.Option("--cache-dir", help="Download cache (default: user cache dir).")] = None,
    db: DbOption = None,
) -> None:
    """Download (through the local cache) and import matches, results and odds."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from matchday.data.fetch import Fetcher, SourceURLs
    from matchday.data.seasons import season_range
    from matchday.data.sync import sync as run_sync

    overrides = {}
    for item in source or []:
        if "=" not in item:
            raise MatchdayError(f"--source {item!r}: expected NAME=URL")
        name, url = item.split("=", 1)
        overrides[name.strip()] = url.strip()
    urls = SourceURLs.resolve(mirror=mirror, overrides=overrides)
    season_list = season_range(seasons) if seasons else None
    with open_store(db, read_only=False) as store, Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err_console, transient=False,
    ) as progress:
        tasks: dict[str, int] = {}

        def on_progress(stage: str, done: int, total: int) -> None:
            label = {"download": "download + read", "import": "import"}[stage]
            if stage not in tasks:
                tasks[stage] = progress.add_task(label, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        report = run_sync(
            store, competitions, season_list, urls=urls, fetcher=Fetcher(cache_dir=cache_dir, refresh=refresh),
            progress=on_progress,
        )
        path = store.path
    console.print(
        f"[green]synced[/] {report.files} files, {report.read} matches read: {report.added} added, "
        f"{report.updated} results filled in, {report.unchanged} already stored, {report.odds_added} odds added, "
        f"[{'red' if report.conflicts else 'green'}]{report.conflicts} conflicts[/] -> {path}"
    )
    unknown = sorted({n for n, _ in report.unknown_names})
    if unknown:
        console.print(
            f"[yellow]{len(unknown)} team names are not in the registry[/] (kept apart, not merged); "
            "see `matchday teams --unknown`."
        )


# --------------------------------------------------------------------------- status
@app.command()
def status(db: DbOption = None, json_: FormatJson = False, csv: FormatCsv = False) -> None:
    """What the store holds: competitions, seasons, counts and conflicts."""
    with open_store(db) as store:
        available = store.available()
        counts = store.counts()
        path = store.path
    emit(available, as_json=json_, as_csv=csv, title=f"matchday store {path}",
         caption=", ".join(f"{k}: {v}" for k, v in counts.items()))


@app.command()
def conflicts(db: DbOption = None, json_: FormatJson = False, csv: FormatCsv = False) -> None:
    """Matches that two sources report with different results (the first stored result is kept)."""
    with open_store(db) as store:
        frame = store.conflicts()
    emit(frame, as_json=json_, as_csv=csv, title="conflicting results")


# --------------------------------------------------------------------------- teams
@app.command()
def teams(
    query: Annotated[str | None, typer.Argument(help="Part of a name or alias to search for.")] = None,
    aliases: Annotated[bool, typer.Option("--aliases", help="Show every alias of the matching teams.")] = False,
    unknown: Annotated[bool, typer.Option("--unknown", help="List names in the store that the registry does not know.")] = False,
    db: DbOption = None,
    json_: FormatJson = False,
    csv: FormatCsv = False,
) -> None:
    """Search the team registry; show aliases; list unknown names seen in imported data."""
    import pandas as pd

    from matchday.data.registry import TeamRegistry

    if unknown:
        with open_store(db) as store:
            frame = store.unknown_names()
        emit(frame, as_json=json_, as_csv=csv, title="names not in the registry (kept as separate clubs)",
             caption="add them to an alias file (MATCHDAY_ALIASES) to merge them with a known club")
        return
    registry = TeamRegistry.load()
    found = registry.search(query) if query else sorted(registry.teams.values(), key=lambda t: t.team_id)
    if query and not found:
        raise MatchdayError(f"no team matches {query!r}; closest known: {', '.join(registry.closest(query)) or '(none)'}")
    rows = [
        {"team_id": t.team_id, "name": t.name, "country": t.country,
         **({"aliases": "; ".join(registry.aliases_of(t.team_id))} if aliases else {})}
        for t in found
    ]
    emit(pd.DataFrame(rows), as_json=json_, as_csv=csv, title=f"{len(rows)} teams")


# --------------------------------------------------------------------------- table
@app.command()
def table(
    competition: Annotated[str, typer.Argument(help="League code or name, e.g. E0 or 'Premier League'.")],
    season: Annotated[str, typer.Argument(help="Season, e.g. 2023-24.")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Table after the matches of this date (YYYY-MM-DD, inclusive).")] = None,
    db: DbOption = None,
    json_: FormatJson = False,
    csv: FormatCsv = False,
) -> None:
    """The league table from stored results, with the league's tie-breakers and point deductions (a UEFA
    competition from 2024-25: the league-phase table with UEFA's criteria)."""
    from matchday.data.seasons import normalize_season
    from matchday.rules.table import league_table
    from matchday.rules.uefa_format import has_league_phase

    season = normalize_season(season)
    cutoff = parse_date(as_of)
    if _competition(competition).kind == "cup" and has_league_phase(competition, season):
        _league_phase_table(_competition(competition), season, cutoff, db, json_=json_, csv=csv)
        return
    comp = _competition(competition, "league")
    with open_store(db) as store:
        _require_season(store, comp.code, season)
        frame = store.matches([comp.code], [season], played=True, until=cutoff)
    result = league_table(frame, comp.code, season, as_of=cutoff)
    names = dict(zip(frame["home"], frame["home_name"], strict=False)) | dict(zip(frame["away"], frame["away_name"], strict=False))
    result.insert(1, "club", result["team"].map(names).fillna(result["team"]))
    result = result.drop(columns=["team"])
    title = f"{comp.name} {season}" + (f" as of {cutoff.isoformat()}" if cutoff else "")
    if not (json_ or csv):
        short = {"position": "#", "played": "P", "won": "W", "drawn": "D", "lost": "L", "goals_for": "GF",
                 "goals_against": "GA", "goal_difference": "GD", "points": "Pts", "deduction": "adj"}
        result = result.rename(columns=short)
        if not result["adj"].any():
            result = result.drop(columns=["adj"])
        if not result["note"].astype(bool).any():
            result = result.drop(columns=["note"])
    emit(result, as_json=json_, as_csv=csv, title=title)


def _league_phase_table(comp, season: str, cutoff: dt.date | None, db: Path | None, *, json_: bool,
                        csv: bool) -> None:
    """``matchday table UCL 2024-25``: the league phase ranked by UEFA's criteria (rules.uefa_league_phase)."""
    from matchday.rules.uefa_league_phase import league_phase_table

    with open_store(db) as store:
        _require_season(store, comp.code, season)
        frame = store.matches([comp.code], [season])
    names = dict(zip(frame["home"], frame["home_name"], strict=False)) | dict(zip(frame["away"], frame["away_name"], strict=False))
    names = {k: v for k, v in names.items() if isinstance(v, str)}
    result = league_phase_table(frame, comp.code, season, as_of=cutoff, names=names)
    criteria = ", ".join(result.attrs["criteria"][1:])
    caption = (f"level on points: {criteria}"
               + ("" if result.attrs["full_criteria"] else "; then alphabetical order (before the last matchday)")
               + f"; {result.attrs['played']} of {result.attrs['fixtures']} league-phase matches played")
    result.insert(1, "club", result["team"].map(names).fillna(result["team"]))
    result = result.drop(columns=["team"])
    title = f"{comp.name} {season} league phase" + (f" as of {cutoff.isoformat()}" if cutoff else "")
    if not (json_ or csv):
        short = {"position": "#", "played": "P", "won": "W", "drawn": "D", "lost": "L", "goals_for": "GF",
                 "goals_against": "GA", "goal_difference": "GD", "points": "Pts", "away_goals_for": "aGF",
                 "away_won": "aW", "opponents_points": "oPts", "opponents_goal_difference": "oGD",
                 "opponents_goals_for": "oGF", "tiebreak": "split by"}
        result = result.rename(columns=short).drop(columns=["oPts", "oGD", "oGF"])
        result["zone"] = result["zone"].map({"round_of_16": "R16", "knockout_playoff": "play-offs",
                                             "eliminated": "out"})
        if not result["note"].astype(bool).any():
            result = result.drop(columns=["note"])
    emit(result, as_json=json_, as_csv=csv, title=title, caption=caption)


def _require_season(store: Store, competition: str, season: str) -> None:
    available = store.available()
    have = available[available["competition"] == competition]["season"].tolist()
    if season not in have:
        from matchday.data.errors import UnknownChoiceError

        if not have:
            raise MatchdayError(
                f"no {competition} matches in the store at {store.path}; run `matchday sync {competition}`"
            )
        raise UnknownChoiceError(f"season for {competition}", season, have)


# --------------------------------------------------------------------------- results / fixtures
def _match_listing(
    *, played: bool, competition: str | None, season: str | None, team: str | None, since: str | None,
    until: str | None, as_of: str | None, limit: int, db: Path | None,
) -> tuple[pd.DataFrame, str]:
    from matchday.data.competitions import resolve_competition
    from matchday.data.registry import TeamRegistry
    from matchday.data.seasons import normalize_season

    comps = [resolve_competition(competition).code] if competition else None
    seasons = [normalize_season(season)] if season else None
    team_ids = None
    if team:
        team_ids = [TeamRegistry.load().require(team)]
    start, end, cutoff = parse_date(since, "--from"), parse_date(until, "--to"), parse_date(as_of)
    with open_store(db) as store:
        if played:
            frame = store.matches(comps, seasons, played=True, since=start, until=min(filter(None, [end, cutoff]), default=None), teams=team_ids)
        elif cutoff is not None:
            # fixtures as they stood on that date: everything dated after it, whether played since or not
            frame = store.matches(comps, seasons, since=cutoff + dt.timedelta(days=1), until=end, teams=team_ids)
        else:
            frame = store.matches(comps, seasons, played=False, since=start, until=end, teams=team_ids)
    if not played and cutoff is not None and start is not None:
        frame = frame[frame["date"] >= str(start)]
    frame = frame.tail(limit) if played else frame.head(limit)
    columns = ["date", "competition", "season", "round", "leg", "home_name", "away_name"]
    out = frame[columns].rename(columns={"home_name": "home", "away_name": "away"})
    if played:
        out["score"] = [_score(r) for r in frame.itertuples()]
    return out.reset_index(drop=True), ""


def _score(row) -> str:
    text = f"{row.home_goals}-{row.away_goals}"
    if not _missing(row.aet_home_goals):
        text += f" (aet {row.aet_home_goals}-{row.aet_away_goals})"
    if not _missing(row.pen_home):
        text += f" (pens {row.pen_home}-{row.pen_away})"
    return text


ListCompetition = Annotated[str | None, typer.Argument(help="Competition code or name (default all).")]
ListSeason = Annotated[str | None, typer.Option("--season", help="Season, e.g. 2023-24.")]
ListTeam = Annotated[str | None, typer.Option("--team", help="Only matches of this club (any known name).")]
ListFrom = Annotated[str | None, typer.Option("--from", help="First date (YYYY-MM-DD).")]
ListTo = Annotated[str | None, typer.Option("--to", help="Last date (YYYY-MM-DD).")]
ListLimit = Annotated[int, typer.Option("--limit", help="At most this many.")]


@app.command()
def results(
    competition: ListCompetition = None, season: ListSeason = None, team: ListTeam = None, since: ListFrom = None,
    until: ListTo = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Only results known on this date.")] = None,
    limit: ListLimit = 50, db: DbOption = None, json_: FormatJson = False, csv: FormatCsv = False,
) -> None:
    """Played matches, latest last (--limit keeps the latest)."""
    frame, _ = _match_listing(played=True, competition=competition, season=season, team=team, since=since,
                              until=until, as_of=as_of, limit=limit, db=db)
    emit(frame, as_json=json_, as_csv=csv, title=f"{len(frame)} results")


@app.command()
def fixtures(
    competition: ListCompetition = None, season: ListSeason = None, team: ListTeam = None, since: ListFrom = None,
    until: ListTo = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Remaining fixtures as they stood on this date.")] = None,
    limit: ListLimit = 50, db: DbOption = None, json_: FormatJson = False, csv: FormatCsv = False,
) -> None:
    """Matches still to play (or, with --as-of, those that were still to play on that date); --limit keeps
    the soonest."""
    frame, _ = _match_listing(played=False, competition=competition, season=season, team=team, since=since,
                              until=until, as_of=as_of, limit=limit, db=db)
    emit(frame, as_json=json_, as_csv=csv, title=f"{len(frame)} fixtures")


# --------------------------------------------------------------------------- models and forecasts
ModelOption = Annotated[str, typer.Option("--model", help="dixon-coles, poisson, negative-binomial, "
                                          "bivariate-poisson, shots-dixon-coles or elo.")]
AsOfOption = Annotated[str | None, typer.Option("--as-of", help="Use what was known at the end of this day "
                                                "(YYYY-MM-DD; default: today).")]


def _as_of_or_today(as_of: str | None) -> dt.date:
    return parse_date(as_of) or dt.date.today()


def _team_id(name: str) -> str:
    from matchday.data.registry import TeamRegistry

    return TeamRegistry.load().require(name)


def _fit(store: Store, model: str, as_of: dt.date):
    from matchday.models.training import fit_model

    with err_console.status(f"fitting {model} on matches up to {as_of.isoformat()} ..."):
        return fit_model(model, store, as_of)


def _fixture_competition(store: Store, home: str, away: str, as_of: dt.date) -> str | None:
    """The competition of the pair's latest meeting up to ``as_of`` or scheduled after it (a UEFA tie
    between clubs of two leagues); None lets the model use the home club's league."""
    meetings = store.matches(teams=[home])
    meetings = meetings[(meetings["home"].isin([home, away])) & (meetings["away"].isin([home, away]))]
    if meetings.empty:
        return None
    after = meetings[meetings["date"] > str(as_of)]
    row = after.iloc[0] if not after.empty else meetings.iloc[-1]
    return str(row["competition"])


def _league_link(fitted, home: str, away: str) -> tuple[str, dict[str, object]]:
    """Caption text and JSON fields saying how well the two clubs' leagues are tied together
    (models/league_prior.py: WEAK_LINK_SD, WEAK_LINK_MATCHES). Empty within a league."""
    from matchday.models.league_prior import WEAK_LINK_MATCHES, WEAK_LINK_SD

    if not hasattr(fitted, "league_link"):
        return "", {}
    row = fitted.league_link([home], [away]).iloc[0]
    fields: dict[str, object] = {"home_league": row["home_league"], "away_league": row["away_league"],
                                 "league_link_sd": None if _missing(row["offset_sd"]) else float(row["offset_sd"]),
                                 "league_link_matches": None if _missing(row["cross_weight"]) else
                                 round(float(row["cross_weight"]), 1),
                                 "weak_link": bool(row["weak"])}
    if row["home_league"] == row["away_league"]:
        return "", fields
    pair = f"{row['home_league']}-{row['away_league']} link"
    weight = 0.0 if _missing(row["cross_weight"]) else float(row["cross_weight"])
    matches = f"{weight:.0f} time-weighted cross-league matches in the training data"
    few = weight < WEAK_LINK_MATCHES
    if _missing(row["offset_sd"]):
        text = f"{pair}: {matches}"
        if few:
            text = (f"WEAK LINK: {text} (fewer than {WEAK_LINK_MATCHES:.0f}); the leagues' relative level rests "
                    "on their starting ratings")
        return text, fields
    text = f"{pair}: offset sd {row['offset_sd']:.2f}, {matches}"
    if row["offset_sd"] > WEAK_LINK_SD:
        text = (f"WEAK LINK: {text}; sd above {WEAK_LINK_SD}: the two leagues' relative level is uncertain, "
                "treat the forecast with caution")
    elif few:
        text = (f"WEAK LINK: {text} (fewer than {WEAK_LINK_MATCHES:.0f}); the leagues' relative level is carried "
                "from earlier seasons")
    return text, fields


def _with_fields(frame: pd.DataFrame, fields: dict[str, object], as_table: bool) -> pd.DataFrame:
    """``frame`` with one column per field (JSON and CSV output only; the table shows them in its caption)."""
    if as_table or not fields:
        return frame
    frame = frame.copy()
    for key, value in fields.items():
        frame[key] = value
    return frame


@app.command()
def predict(
    home: Annotated[str, typer.Argument(help="Home club (any known name).")],
    away: Annotated[str, typer.Argument(help="Away club.")],
    as_of: AsOfOption = None,
    model: ModelOption = "dixon-coles",
    competition: Annotated[str | None, typer.Option("--competition", help="Competition whose home advantage "
                                                    "applies (default: the pair's tie, else the home league).")] = None,
    neutral: Annotated[bool, typer.Option("--neutral", help="Neutral venue (no home advantage).")] = False,
    db: DbOption = None,
    json_: FormatJson = False,
    csv: FormatCsv = False,
) -> None:
    """Match forecast: 1X2, expected goals, totals, both teams to score, Asian handicaps, correct scores."""
    import pandas as pd

    from matchday.data.competitions import resolve_competition
    from matchday.workflows import team_names

    cutoff = _as_of_or_today(as_of)
    home_id, away_id = _team_id(home), _team_id(away)
    with open_store(db, read_only=False) as store:
        fitted = _fit(store, model, cutoff)
        comp = resolve_competition(competition).code if competition else _fixture_competition(store, home_id, away_id, cutoff)
        forecast = fitted.predict(home_id, away_id, neutral=neutral, competition=comp)
        p = forecast.outcomes()[0]
        xg = (float(forecast.home_expected_goals[0]), float(forecast.away_expected_goals[0]))
        table = forecast.markets_table()
        store.log_forecasts(
            pd.DataFrame({"home": [home_id], "away": [away_id], "p_home": [p[0]], "p_draw": [p[1]], "p_away": [p[2]],
                          "competition": [comp], "home_expected_goals": [xg[0]], "away_expected_goals": [xg[1]],
                          "details": [{"neutral": neutral, "command": "predict"}]}),
            model=model, as_of=cutoff,
        )
        names = team_names(store, [home_id, away_id])
    title = (f"{names[home_id]} v {names[away_id]}" + (" (neutral)" if neutral else "")
             + f" - {model}, as of {cutoff.isoformat()}" + (f", {comp}" if comp else ""))
    link, fields = _league_link(fitted, home_id, away_id)
    caption = f"expected goals {xg[0]:.2f} - {xg[1]:.2f}" + (f"\n{link}" if link else "")
    emit(_with_fields(table, fields, not (json_ or csv)), as_json=json_, as_csv=csv, title=title, caption=caption)


@app.command()
def ratings(
    competition: Annotated[str, typer.Argument(help="League or UEFA competition to list (code or name).")],
    as_of: AsOfOption = None,
    model: ModelOption = "dixon-coles",
    top: Annotated[int, typer.Option("--top", help="Show this many clubs.")] = 30,
    db: DbOption = None,
    json_: FormatJson = False,
    csv: FormatCsv = False,
) -> None:
    """Team ratings on one scale across leagues: attack, defence and overall strength (goals per match)."""
    from matchday.data.competitions import resolve_competition
    from matchday.data.seasons import season_of_date
    from matchday.workflows import team_names

    comp = resolve_competition(competition)
    cutoff = _as_of_or_today(as_of)
    with open_store(db) as store:
        fitted = _fit(store, model, cutoff)
        season = season_of_date(cutoff)
        members = store.matches([comp.code], [season])
        if members.empty:
            raise MatchdayError(f"no {comp.code} matches stored for {season}; run `matchday sync {comp.code}`")
        teams = set(members["home"]) | set(members["away"])
        table = fitted.ratings()
        table = table[table["team"].isin(teams)].head(top).reset_index(drop=True)
        table.insert(1, "club", table["team"].map(team_names(store, list(table["team"]))))
    table.insert(0, "rank", range(1, len(table) + 1))
    caption = "strength = expected goal difference per match against an average side on neutral ground"
    note, fields = _league_scale(fitted, comp.code)
    emit(_with_fields(table.drop(columns=["team"]), fields, not (json_ or csv)), as_json=json_, as_csv=csv,
         title=f"{comp.name} {season} - {model} ratings as of {cutoff.isoformat()}",
         caption=caption + (f"\n{note}" if note else ""))


def _league_scale(fitted, league: str) -> tuple[str, dict[str, object]]:
    """Caption text and JSON fields: how firmly ``league`` sits on the common scale (its offset's standard
    deviation against the mean of the leagues; Elo: its cross-league matches)."""
    from matchday.models.league_prior import WEAK_LINK_MATCHES, WEAK_LINK_SD

    offsets = getattr(fitted, "league_offsets_", None)
    if offsets is not None and league in offsets.index and "sd_vs_leagues" in offsets.columns:
        row = offsets.loc[league]
        sd, foreign = float(row["sd_vs_leagues"]), float(row["foreign_weight"])
        weak = bool(sd > WEAK_LINK_SD or foreign < WEAK_LINK_MATCHES)
        text = (f"{league} on the common scale: offset sd {sd:.2f} against the leagues' mean, "
                f"{foreign:.0f} time-weighted matches against other countries' clubs in the training data")
        if sd > WEAK_LINK_SD:
            text = f"WEAK LINK: {text}; sd above {WEAK_LINK_SD}: its level against other leagues is uncertain"
        elif weak:
            text = (f"WEAK LINK: {text} (fewer than {WEAK_LINK_MATCHES:.0f}); its level against other leagues is "
                    "carried from earlier seasons")
        return text, {"league_offset": float(row["offset"]), "league_offset_sd": sd,
                      "league_link_matches": round(foreign, 1), "weak_link": weak}
    if hasattr(fitted, "foreign_weights_"):
        weight = float(fitted.foreign_weights_.get(league, 0.0))
        weak = weight < WEAK_LINK_MATCHES
        text = f"{league}: {weight:.0f} time-weighted matches against other countries' clubs in the rating history"
        if weak:
            text = f"WEAK LINK: {text} (fewer than {WEAK_LINK_MATCHES:.0f}); its level rests on its starting ratings"
        return text, {"league_link_matches": round(weight, 1), "weak_link": weak}
    return "", {}


@app.command()
def backtest(
    competitions: Annotated[list[str], typer.Argument(help="Leagues to evaluate, e.g. E0 SP1.")],
    seasons: Annotated[str, typer.Option("--seasons", help="Season or range, e.g. 2019-20:2023-24.")] = "2023-24",
    models: Annotated[str, typer.Option("--models", help="Comma-separated model names.")] = "dixon-coles,elo",
    refit: Annotated[str, typer.Option("--refit", help="weekly (default), daily or gap.")] = "weekly",
    start: Annotated[str | None, typer.Option("--start", help="Evaluate matches from this date on (YYYY-MM-DD).")] = None,
    blend: Annotated[bool, typer.Option("--blend/--no-blend", help="Add model + pre-match market blends.")] = True,
    jobs: Annotated[int, typer.Option("--jobs", help="Worker processes (-1 = every core).")] = -1,
    plot: Annotated[Path | None, typer.Option("--plot", help="Reliability PNG of the first model.")] = None,
    save: Annotated[bool, typer.Option("--save/--no-save", help="Write the forecasts to the store.")] = True,
    db: DbOption = None,
    json_: FormatJson = False,
    csv: FormatCsv = False,
) -> None:
    """Walk-forward evaluation: refit at least weekly on data before kick-off; RPS, log loss and Brier per
    league and season, next to the closing and pre-match market on the very same matches."""
    import uuid

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from matchday.data.competitions import resolve_competition
    from matchday.data.errors import UnknownChoiceError
    from matchday.data.seasons import season_range, season_start_year
    from matchday.evaluate.backtest import add_blend, save_backtest, walk_forward_many
    from matchday.models import MODELS

    names = [m.strip() for m in models.split(",") if m.strip()]
    for name in names:
        if name not in MODELS:
            raise UnknownChoiceError("model", name, sorted(MODELS))
    codes = [resolve_competition(c).code for c in competitions]
    season_list = season_range(seasons)
    history = 2
    first = season_start_year(season_list[0]) - history
    needed = [f"{y}-{(y + 1) % 100:02d}" for y in range(first, season_start_year(season_list[-1]) + 1)]
    with open_store(db, read_only=not save) as store:
        from matchday.data.competitions import COMPETITIONS

        countries = {COMPETITIONS[c].country for c in codes}
        train_codes = sorted({c.code for c in COMPETITIONS.values() if c.kind == "league" and c.country in countries})
        matches = store.matches(train_codes, needed, played=True)
        if matches.empty:
            raise MatchdayError(f"no matches stored for {', '.join(codes)} {seasons}; run `matchday sync` first")
        odds = store.odds(matches["match_id"].tolist(), market="1x2")
        with Progress(TextColumn("[bold]backtest {task.fields[label]}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=err_console, transient=True) as progress:
            task = progress.add_task("units", total=None, label="")
            result = walk_forward_many(
                {name: MODELS[name] for name in names}, matches, competitions=codes, seasons=season_list,
                start=parse_date(start, "--start"), refit=refit, history_seasons=history, odds=odds, n_jobs=jobs,
                progress=lambda done, total, label: progress.update(task, completed=done, total=total, label=label),
            )
        if blend and "market_pre" in result.models:
            for name in names:
                result = add_blend(result, name)
        if save:
            run_id = save_backtest(store, result, uuid.uuid4().hex[:12])
            err_console.print(f"saved as run {run_id} in {store.path}")
    if plot:
        result.write_reliability(names[0], plot)
        err_console.print(f"wrote {plot}")
    table = result.summary(by=("competition", "season"))
    overall = result.summary(by=())
    emit(table if (json_ or csv) else table.round(4), as_json=json_, as_csv=csv,
         title=f"walk-forward {', '.join(codes)} {seasons} ({refit} refits, {result.wall_seconds:.1f} s)")
    if not (json_ or csv):
        emit(overall.round(4), as_json=False, as_csv=False, title="all matches")
        if "market_close" in result.models:
            emit(result.compare("market_close", by=()).round(4), as_json=False, as_csv=False,
                 title="paired RPS difference to the closing market (negative = better than the market)")


# --------------------------------------------------------------------------- simulations
SimsOption = Annotated[int, typer.Option("--sims", help="Number of simulated seasons.")]
SeedOption = Annotated[int, typer.Option("--seed", help="Random seed (same seed, same numbers).")]


def _league_season(store, competition: str, season: str | None, cutoff: dt.date):
    """(competition code, season, every match of that season, display names) of a stored league season."""
    from matchday.workflows import team_names

    comp = _competition(competition, "league")
    season = _season(season, cutoff)
    _require_season(store, comp.code, season)
    matches = store.matches([comp.code], [season])
    return comp.code, season, matches, team_names(store, sorted(set(matches["home"]) | set(matches["away"])))


def _run_season(matches, fitted, code: str, season: str, cutoff: dt.date, sims: int, seed: int,
                conditions=(), until: dt.date | None = None):
    """simulate_season with a progress bar."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from matchday.simulate.season import simulate_season

    with Progress(TextColumn("[bold]simulating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True) as progress:
        task = progress.add_task("sim", total=sims)
        return simulate_season(matches, fitted, code, season, as_of=cutoff, until=until,
                               conditions=list(conditions), n_sims=sims, seed=seed,
                               progress=lambda done, total: progress.update(task, completed=done))


@app.command()
def simulate(
    competition: Annotated[str, typer.Argument(help="League code or name.")],
    season: Annotated[str | None, typer.Argument(help="Season (default: the one running on --as-of).")] = None,
    as_of: AsOfOption = None,
    model: ModelOption = "dixon-coles",
    sims: SimsOption = 100_000,
    seed: SeedOption = 0,
    heatmap: Annotated[Path | None, typer.Option("--heatmap", help="Write a PNG of the position probabilities.")] = None,
    positions: Annotated[bool, typer.Option("--positions", help="Print the full finishing-position matrix.")] = False,
    db: DbOption = None,
    json_: FormatJson = False,
    csv: FormatCsv = False,
) -> None:
    """Simulate the rest of a league season: title, places and relegation odds, expected points."""
    cutoff = _as_of_or_today(as_of)
    with open_store(db) as store:
        code, season, matches, names = _league_season(store, competition, season, cutoff)
        result = _run_season(matches, _fit(store, model, cutoff), code, season, cutoff, sims, seed)
    if heatmap:
        from matchday.simulate.plots import position_heatmap

        position_heatmap(result, heatmap, names)
        err_console.print(f"wrote {heatmap}")
    frame = result.position_probabilities().reset_index(names="team") if positions else result.summary()
    frame.insert(1, "club", frame["team"].map(names))
    frame = frame.drop(columns=["team"])
    if not (json_ or csv):
        frame = _percent_view(frame) if positions else _summary_view(frame)
    emit(frame, as_json=json_, as_csv=csv,
         title=f"{result.rules.competition} {result.season}: {result.n_sims:,} simulations as of {cutoff.isoformat()} "
               f"({result.n_remaining} fixtures to play, {model}, seed {seed})",
         caption="Monte Carlo standard error of a probability p: sqrt(p(1-p)/sims)")


def _pct(values) -> list[str]:
    """Probabilities as percentages for people: '<0.1%' rather than a misleading 0, '>99.9%' likewise."""
    out = []
    for v in values:
        if v <= 0:
            out.append("-")
        elif v < 0.001:
            out.append("<0.1%")
        elif v > 0.999 and v < 1:
            out.append(">99.9%")
        else:
            out.append(f"{100 * v:.1f}%")
    return out


def _summary_view(frame: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    view = pd.DataFrame({"club": frame["club"], "P": frame["played"], "Pts": frame["points"],
                         "xPts": [f"{v:.1f}" for v in frame["expected_points"]],
                         "Pts 5-95%": [f"{a:.0f}-{b:.0f}" for a, b in zip(frame["points_p05"], frame["points_p95"], strict=True)]})
    for column in frame.columns:
        if column.startswith("p_"):
            view[column[2:].replace("relegation", "releg.")] = _pct(frame[column])
    return view


def _percent_view(frame: pd.DataFrame) -> pd.DataFrame:
    view = frame[["club"]].copy()
    for column in frame.columns[1:]:
        view[str(column)] = [("" if v < 0.0005 else f"{100 * v:.0f}") for v in frame[column]]
    return view


@app.command()
def whatif(
    competition: Annotated[str, typer.Argument(help="League code or name.")],
    season: Annotated[str | None, typer.Argument(help="Season (default: the one running on --as-of).")] = None,
    given: Annotated[list[str] | None, typer.Option("--given", help="A condition, e.g. 'Fulham v Liverpool: away win' "
                                                  "(repeat for several; see docs/whatif.md).")] = None,
    ask: Annotated[str, typer.Option("--ask", help="top (who is top), title, table (all outcomes).")] = "table",
    until: Annotated[str | None, typer.Option("--until", help="Ask about the table after this date (YYYY-MM-DD) "
                                              "instead of the end of the season.")] = None,
    as_of: AsOfOption = None,
    model: ModelOption = "dixon-coles",
    sims: SimsOption = 100_000,
    seed: SeedOption = 0,
    db: DbOption = None,
    json_: FormatJson = False,
    csv: FormatCsv = False,
) -> None:
    """What-if: fix remaining matches and compare the probabilities with the baseline."""
    import pandas as pd

    if not given:
        raise MatchdayError("give at least one --given condition, e.g. --given 'Fulham v Liverpool: away win'")
    if ask not in ("top", "title", "table"):
        raise MatchdayError(f"--ask {ask!r}: expected top, title or table")
    from matchday.simulate.conditions import parse_condition, to_fixture_conditions
    from matchday.simulate.season import split_fixtures

    cutoff = _as_of_or_today(as_of)
    horizon = parse_date(until, "--until")
    parsed = [parse_condition(text, _team_id) for text in given]
    with open_store(db) as store:
        code, season, matches, names = _league_season(store, competition, season, cutoff)
        if ask == "top" and horizon is None:  # the table just after the last conditioned fixture
            dates = [matches.loc[(matches["home"] == c.home) & (matches["away"] == c.away), "date"] for c in parsed]
            found = [d.iloc[0].date() for d in dates if not d.empty]
            horizon = max(found) if found else None
        _, remaining = split_fixtures(matches, cutoff)
        if horizon is not None:
            remaining = remaining[remaining["date"] <= str(horizon)]
        conditions = to_fixture_conditions(parsed, matches, remaining, cutoff, lambda t: names.get(t, t))
        fitted = _fit(store, model, cutoff)  # one fit serves the baseline and the what-if
    base = _run_season(matches, fitted, code, season, cutoff, sims, seed, until=horizon)
    cond = _run_season(matches, fitted, code, season, cutoff, sims, seed, conditions, until=horizon)
    if ask in ("top", "title"):
        frame = pd.DataFrame({"baseline": base.top_probabilities(), "what_if": cond.top_probabilities()})
        frame["change"] = frame["what_if"] - frame["baseline"]
        frame = frame[(frame["baseline"] > 0) | (frame["what_if"] > 0)].sort_values("what_if", ascending=False)
        label = "p_top" if horizon else "p_title"
        frame = frame.rename(columns={"baseline": f"{label}_baseline", "what_if": f"{label}_if"})
    else:
        b, c = base.summary().set_index("team"), cond.summary().set_index("team")
        keep = [col for col in b.columns if col.startswith("p_") or col == "expected_points"]
        frame = pd.concat({"baseline": b[keep], "if": c[keep]}, axis=1)
        frame.columns = [f"{metric}_{which}" for which, metric in frame.columns]
        frame = frame[sorted(frame.columns, key=lambda x: (keep.index(x.rsplit("_", 1)[0]), x))]
    frame.insert(0, "club", frame.index.map(names))
    when = f"after {horizon.isoformat()}" if horizon else "at the end of the season"
    emit(frame.reset_index(drop=True), as_json=json_, as_csv=csv,
         title=f"What if {'; '.join(given)} - {when} (as of {cutoff.isoformat()}, {sims:,} sims, seed {seed})",
         caption="same seed for both runs: the difference comes from the conditions, not from noise")


# --------------------------------------------------------------------------- knockout ties
_FIRST_LEG = __import__("re").compile(r"^\s*(?P<home>.+?)\s+(?P<h>\d{1,2})\s*[-:]\s*(?P<a>\d{1,2})\s+(?P<away>.+?)\s*$")


def _parse_first_leg(text: str) -> tuple[str, int, int, str]:
    match = _FIRST_LEG.match(text)
    if not match:
        raise MatchdayError(f"--first-leg {text!r}: expected '<home club> <goals>-<goals> <away club>', "
                            "e.g. 'Liverpool 0-3 Atalanta'")
    return _team_id(match["home"]), int(match["h"]), int(match["a"]), _team_id(match["away"])


def _tie_context(store: Store, a: str, b: str, cutoff: dt.date, competition: str | None) -> str:
    from matchday.data.competitions import resolve_competition

    if competition:
        return resolve_competition(competition).code
    found = _fixture_competition(store, a, b, cutoff)
    return found if found in ("UCL", "UEL", "UECL") else "UCL"


@app.command()
def tie(
    team_a: Annotated[str, typer.Argument(help="One club of the tie.")],
    team_b: Annotated[str, typer.Argument(help="The other club (without --first-leg, team A hosts leg 1).")],
    first_leg: Annotated[str | None, typer.Option("--first-leg", help="Played first leg, e.g. 'Liverpool 0-3 Atalanta'.")] = None,
    final: Annotated[bool, typer.Option("--final", help="A single match at a neutral venue instead of two legs.")] = False,
    as_of: AsOfOption = None,
    model: ModelOption = "dixon-coles",
    competition: Annotated[str | None, typer.Option("--competition", help="UCL, UEL or UECL (home advantage, rules).")] = None,
    sims: Annotated[int, typer.Option("--sims", help="Also run this many Monte Carlo ties (0 = exact only).")] = 0,
    seed: SeedOption = 0,
    db: DbOption = None,
    json_: FormatJson = False,
    csv: FormatCsv = False,
) -> None:
    """Knockout tie odds: who goes through, and how (90/180 minutes, extra time, penalties).

    Computed exactly from the model's score matrices (no Monte Carlo error); the away-goals rule applies
    to seasons up to 2020-21.
    """
    import pandas as pd

    from matchday.data.seasons import season_of_date
    from matchday.rules.knockout import tie_rules
    from matchday.simulate.tie_play import KnockoutParams
    from matchday.simulate.ties import (
        exact_single_match_tie,
        exact_two_legged_tie,
        simulate_single_match_tie,
        simulate_two_legged_tie,
    )
    from matchday.workflows import team_names

    cutoff = _as_of_or_today(as_of)
    a, b = _team_id(team_a), _team_id(team_b)
    score = None
    if first_leg:
        leg_home, h, g, leg_away = _parse_first_leg(first_leg)
        if {leg_home, leg_away} != {a, b}:
            raise MatchdayError(f"--first-leg names {leg_home} and {leg_away}, not the tie's clubs {a} and {b}")
        a, b, score = leg_home, leg_away, (h, g)
    with open_store(db) as store:
        comp = _tie_context(store, a, b, cutoff, competition)
        fitted = _fit(store, model, cutoff)
        names = team_names(store, [a, b])
    rules = tie_rules(season_of_date(cutoff), comp)
    params = KnockoutParams(rules=rules)
    teams = (names[a], names[b])
    if final:
        grid = fitted.predict(a, b, neutral=True, competition=comp)
        result = exact_single_match_tie(grid, params=params, teams=teams)
        mc = simulate_single_match_tie(grid, params=params, n=sims, seed=seed, teams=teams) if sims else None
    else:
        leg1 = fitted.predict(a, b, competition=comp)
        leg2 = fitted.predict(b, a, competition=comp)
        result = exact_two_legged_tie(leg1, leg2, first_leg_score=score, params=params, teams=teams)
        mc = (simulate_two_legged_tie(leg1, leg2, first_leg_score=score, params=params, n=sims, seed=seed,
                                      teams=teams) if sims else None)
    frame = result.summary().reset_index()
    if mc is not None:
        frame = frame.merge(mc.summary().reset_index(), on="decided by", how="left", suffixes=("", " (MC)"))
    frame = frame.fillna(0.0)
    situation = (f"after {names[a]} {score[0]}-{score[1]} {names[b]}" if score else
                 ("single match, neutral venue" if final else f"{names[a]} at home first"))
    caption = f"{model} as of {cutoff.isoformat()}, {comp} {season_of_date(cutoff)} rules" + (
        ", away goals count" if rules.away_goals else "")
    if mc is not None:
        caption += f"; Monte Carlo: {sims:,} ties, seed {seed}, SE {mc.se[0]:.4f}"
    link, fields = _league_link(fitted, a, b)
    if link:
        caption += f"\n{link}"
    if not (json_ or csv):
        for column in frame.columns[1:]:
            frame[column] = _pct(frame[column])
    emit(_with_fields(pd.DataFrame(frame), fields, not (json_ or csv)), as_json=json_, as_csv=csv,
         title=f"{names[a]} v {names[b]}: {situation}", caption=caption)


@app.command()
def bracket(
    competition: Annotated[str, typer.Argument(help="UCL, UEL or UECL (or a name).")],
    season: Annotated[str | None, typer.Argument(help="Season (default: the one running on --as-of).")] = None,
    as_of: AsOfOption = None,
    model: ModelOption = "dixon-coles",
    sims: SimsOption = 100_000,
    seed: SeedOption = 0,
    db: DbOption = None,
    json_: FormatJson = False,
    csv: FormatCsv = False,
) -> None:
    """The rest of a UEFA knockout competition: P(each club reaches each round, and wins the trophy)."""
    import functools

    from matchday.rules.knockout import tie_rules
    from matchday.simulate.bracket import simulate_bracket
    from matchday.simulate.knockout_state import bracket_from_store
    from matchday.simulate.tie_play import KnockoutParams
    from matchday.workflows import team_names

    comp = _competition(competition, "cup")
    cutoff = _as_of_or_today(as_of)
    season = _season(season, cutoff)
    with open_store(db) as store:
        _require_season(store, comp.code, season)
        matches = store.matches([comp.code], [season])
        first_round, ties, later = bracket_from_store(matches, cutoff)
        _refuse_bracket_before_round_of_16(comp.code, season, first_round.name, cutoff)
        fitted = _fit(store, model, cutoff)
        names = team_names(store, [t for tie_ in ties for t in (tie_.home, tie_.away)])

    predict = functools.partial(fitted.predict_many, competition=comp.code)
    with err_console.status(f"simulating {sims:,} brackets ..."):
        result = simulate_bracket(ties, later, predict, first_round=first_round,
                                  params=KnockoutParams(rules=tie_rules(season, comp.code)), n=sims, seed=seed)
    frame = result.table.copy()
    frame.insert(0, "club", frame.index.map(names))
    frame = frame.sort_values(frame.columns[-1], ascending=False).reset_index(drop=True)
    if not (json_ or csv):
        for column in frame.columns[1:]:
            frame[column] = _pct(frame[column])
    drawn = "; ".join(f"{r.name}: {'drawn at random' if r.open_draw else 'pairings as drawn'}" for r in later)
    emit(frame, as_json=json_, as_csv=csv,
         title=f"{comp.name} {season} from the {first_round.name.lower()} (as of {cutoff.isoformat()}, {sims:,} sims, seed {seed})",
         caption=drawn)


def _refuse_bracket_before_round_of_16(code: str, season: str, current: str, cutoff: dt.date) -> None:
    """From 2024-25 the clubs ranked 1-8 enter in the round of 16 by league position: a bracket that starts
    at the knockout play-offs (or in the league phase) is not simulated yet; say so instead of failing."""
    from matchday.rules.uefa_format import has_league_phase

    if current == "Knockout play-off" and has_league_phase(code, season):
        raise MatchdayError(
            f"{code} {season} on {cutoff.isoformat()}: the knockout play-offs are still to be decided and the "
            "round of 16 is fixed by league-phase position (rules/uefa_bracket.py); simulating the bracket "
            "from there is not implemented yet. Ask for a date after the play-offs (the round of 16 on)."
        )


@app.command("validate-ties")
def validate_ties(
    data: Annotated[Path, typer.Option("--data", help="Folder laid out like shared/data (champs.csv, Football.TXT).")] = Path("../shared/data"),
    output: Annotated[Path, typer.Option("--output", help="Markdown file to write.")] = Path("docs/validation.md"),
) -> None:
    """Compare the tie model with history (first-leg losers who went through) and write docs/validation.md."""
    from matchday.evaluate.ties import tie_history_report

    if not data.exists():
        raise MatchdayError(f"--data {data}: no such folder (it needs engsoccerdata/champs.csv and openfootball/)")
    with err_console.status("validating the tie model against history ..."):
        table, _ = tie_history_report(data, output=output)
    console.print(f"wrote {output} ({len(table)} rows in the calibration table)")


@app.command("check-scale")
def check_scale(
    seasons: Annotated[str, typer.Option("--seasons", help="UEFA seasons to forecast, e.g. 2013-14:2024-25.")] =
        "2013-14:2024-25",
    tuning: Annotated[bool, typer.Option("--tuning/--no-tuning", help="Also compare the prior settings on the "
                                         "selection seasons.")] = True,
    output: Annotated[Path, typer.Option("--output", help="Markdown file to write.")] = Path("docs/cross-league.md"),
    forecasts_csv: Annotated[Path | None, typer.Option("--forecasts-csv", help="Also save every forecast as CSV.")] = None,
    db: DbOption = None,
) -> None:
    """Check the cross-league scale out of sample: every UEFA match forecast as of the day before its week
    (weekly refits), residuals per country, draw and home-win rates, reliability, with and without the ten
    leagues of issue 14; writes docs/cross-league.md."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from matchday.data.seasons import season_range
    from matchday.evaluate.cross_league import cross_league_report, history_from_store, run_check

    chosen = season_range(seasons)
    with open_store(db) as store:
        history = history_from_store(store)
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console) as bar:
        task = bar.add_task("UEFA weeks", total=None)
        walk = run_check(history, chosen, tuning=tuning,
                         progress=lambda done, total, label: bar.update(task, completed=done, total=total,
                                                                         description=label))
    command = f"matchday check-scale --seasons {seasons}" + ("" if tuning else " --no-tuning")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(cross_league_report(walk, command=command), encoding="utf-8")
    if forecasts_csv:
        walk.forecasts.to_csv(forecasts_csv, index=False)
    console.print(f"wrote {output} ({walk.forecasts['match_id'].nunique():,} UEFA matches, "
                  f"{len(walk.settings['variants'])} models, {walk.seconds / 60:.1f} minutes)")


@app.command("sanity-sweep")
def sanity_sweep_command(
    seasons: Annotated[str, typer.Option("--seasons", help="Seasons to sweep, e.g. 2013-14:2024-25.")] = "2013-14:2024-25",
    output: Annotated[Path, typer.Option("--output", help="Markdown file to write.")] = Path("docs/sanity-sweep.md"),
    db: DbOption = None,
) -> None:
    """Ratings and the most lopsided cross-league forecasts of every league and UEFA competition on 1 October,
    1 February and 1 May of every season, with the invariants the tests assert; writes docs/sanity-sweep.md."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from matchday.data.seasons import season_range
    from matchday.evaluate.cross_league import history_from_store
    from matchday.evaluate.sanity import sanity_sweep, sweep_report
    from matchday.workflows import team_names

    with open_store(db) as store:
        history = history_from_store(store)
        names = team_names(store, sorted(set(history["home"]) | set(history["away"])))
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console) as bar:
        task = bar.add_task("sweep", total=None)
        sweep = sanity_sweep(history, season_range(seasons),
                             progress=lambda done, total, label: bar.update(task, completed=done, total=total,
                                                                             description=label))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(sweep_report(sweep, history, names, command=f"matchday sanity-sweep --seasons {seasons}"),
                      encoding="utf-8")
    console.print(f"wrote {output} ({len(sweep.settings['dates'])} dates, {sweep.seconds / 60:.1f} minutes)")


@app.command("calibrate-seasons")
def calibrate_seasons(
    competitions: Annotated[list[str] | None, typer.Argument(help="Leagues (default E0 SP1 I1 D1 F1).")] = None,
    seasons: Annotated[str, typer.Option("--seasons", help="Season range.")] = "2012-13:2023-24",
    model: ModelOption = "dixon-coles",
    sims: Annotated[int, typer.Option("--sims", help="Simulations per league, season and checkpoint.")] = 10_000,
    seed: SeedOption = 0,
    output: Annotated[Path, typer.Option("--output", help="Markdown file to write.")] = Path("docs/season-calibration.md"),
    forecasts_csv: Annotated[Path | None, typer.Option("--forecasts-csv", help="Also save every forecast as CSV.")] = None,
    db: DbOption = None,
) -> None:
    """Back-test title and relegation odds made during past seasons against the final tables."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from matchday.data.competitions import resolve_competition
    from matchday.data.seasons import season_range
    from matchday.evaluate.seasons import season_calibration_report, season_forecasts

    codes = [resolve_competition(c).code for c in (competitions or ["E0", "SP1", "I1", "D1", "F1"])]
    with open_store(db) as store, Progress(TextColumn("[bold]season forecasts"), BarColumn(), MofNCompleteColumn(),
                                           TimeElapsedColumn(), console=err_console) as progress:
        task = progress.add_task("calibration", total=None)
        forecasts = season_forecasts(store, codes, season_range(seasons), model=model, n_sims=sims, seed=seed,
                                     progress=lambda done, total: progress.update(task, completed=done, total=total))
    if forecasts.empty:
        raise MatchdayError("no finished league season in the store for those competitions and seasons")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(season_calibration_report(forecasts, model=model, n_sims=sims, seed=seed), encoding="utf-8")
    if forecasts_csv:
        forecasts.to_csv(forecasts_csv, index=False)
    console.print(f"wrote {output} ({len(forecasts):,} forecasts)")


# --------------------------------------------------------------------------- rotation
@app.command()
def rotate(
    club: Annotated[str, typer.Argument(help="The club to advise (any known name).")],
    as_of: AsOfOption = None,
    weights: Annotated[str, typer.Option("--weights", help="Objective weights, e.g. title=1,europa=0.5,top4=0.3.")] =
        "title=1,europa=0.5,top4=0.3",
    squad: Annotated[Path | None, typer.Option("--squad", help="Squad CSV (see docs/squad-file.md); default: "
                                               "the two-tier model.")] = None,
    plan: Annotated[list[str] | None, typer.Option("--plan", help="A plan: a named plan ('all in league', 'all in "
                                                   "Europe', 'balanced', 'full strength') or rules like "
                                                   "'rest Bergamo: UEL=second, fulham=partial'. Repeatable.")] = None,
    gap: Annotated[float | None, typer.Option("--gap", help="Second-string strength gap (log goals; default 0.30).")] = None,
    sims: Annotated[int, typer.Option("--sims", help="Simulated futures (the same for every plan).")] = 20_000,
    seed: SeedOption = 0,
    sensitivity: Annotated[bool, typer.Option("--sensitivity/--no-sensitivity",
                                              help="Also vary the gap, the points situation and the weights.")] = True,
    chart: Annotated[Path | None, typer.Option("--chart", help="Write a PNG chart of the plans and the stance flip.")] = None,
    model: ModelOption = "dixon-coles",
    db: DbOption = None,
    json_: FormatJson = False,
    csv: FormatCsv = False,
) -> None:
    """Which rotation plan gives the best season, by how much, how sure, and what would flip the answer."""
    import json

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from matchday.workflows import analyse_rotation

    cutoff = _as_of_or_today(as_of)
    with open_store(db) as store, Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                                           TimeElapsedColumn(), console=err_console, transient=True) as progress:
        task = progress.add_task("evaluating plans", total=None)
        analysis = analyse_rotation(
            store, club, cutoff, weights=weights, plans=plan or None, squad=squad, gap=gap, model=model,
            n_sims=sims, seed=seed, progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
        if sensitivity:
            progress.update(task, description="sensitivity")
            analysis.gap_sensitivity()
            analysis.points_sensitivity()
            analysis.weight_sensitivity()
    if chart:
        analysis.plot(chart)
        err_console.print(f"wrote {chart}")
    if json_:
        sys.stdout.write(json.dumps(analysis.to_dict(), indent=2, default=str) + "\n")
        return
    table = analysis.table
    if csv:
        sys.stdout.write(table.to_csv(index=False))
        return
    import pandas as pd

    view = pd.DataFrame({"plan": table["plan"]})
    for column in table.columns:
        if column.startswith("p_"):
            view[column[2:]] = _pct(table[column])
    view["xPts"] = [f"{v:.1f}" for v in table["expected_points"]]
    view["objective"] = [f"{o:.4f} ± {e:.4f}" for o, e in zip(table["objective"], table["se"], strict=True)]
    view["vs best"] = [f"{d:+.4f} ± {e:.4f}" for d, e in zip(table["vs_best"], table["se_vs_best"], strict=True)]
    emit(view, as_json=False, as_csv=False,
         title=f"{analysis.name(analysis.calendar.club)} as of {cutoff.isoformat()}: plans on {sims:,} common futures",
         caption=f"objective = {weights}; se = Monte Carlo standard error; vs_best paired on the same futures")
    console.print(analysis.summary(), highlight=False)


@app.command()
def fatigue(
    leagues: Annotated[list[str] | None, typer.Argument(help="Domestic leagues (default E0 SP1 I1 D1 F1).")] = None,
    max_rest_days: Annotated[int, typer.Option("--max-rest-days", help="A UEFA match this many days before or "
                                               "fewer counts as short rest.")] = 3,
    db: DbOption = None,
    json_: FormatJson = False,
    csv: FormatCsv = False,
) -> None:
    """Estimate from the store how a UEFA match a few days earlier changes domestic league results."""
    from matchday.data.competitions import resolve_competition
    from matchday.workflows import fatigue_from_store

    codes = [resolve_competition(c).code for c in (leagues or ["E0", "SP1", "I1", "D1", "F1"])]
    with open_store(db) as store, err_console.status("fitting the short-rest model ..."):
        estimate = fatigue_from_store(store, codes, max_rest_days=max_rest_days)
    emit(estimate.table(), as_json=json_, as_csv=csv,
         title=f"Short rest (UEFA match <= {max_rest_days} days before), {', '.join(codes)}, "
               f"{len(estimate.seasons)} seasons, {estimate.n_matches:,} league matches",
         caption="log effects per match, tired side's view (negative = weaker); z = estimate / SE")


@app.command("case-study")
def case_study(
    output: Annotated[Path, typer.Option("--output", help="Markdown file to write.")] =
        Path("docs/case-studies/liverpool-april-2024.md"),
    sims: Annotated[int, typer.Option("--sims", help="Simulated futures per analysis.")] = 20_000,
    seed: SeedOption = 0,
    db: DbOption = None,
) -> None:
    """Write the Liverpool April 2024 case study (every figure computed here, from the store)."""
    from matchday.reports.case_study import liverpool_april_2024

    with open_store(db) as store, err_console.status("computing the case study ..."):
        path = liverpool_april_2024(store, output, n_sims=sims, seed=seed)
    console.print(f"wrote {path}")


@app.command()
def demo(
    mirror: MirrorOption = None,
    sims: Annotated[int, typer.Option("--sims", help="Simulations for each step.")] = 20_000,
    seed: SeedOption = 0,
    db: DbOption = None,
) -> None:
    """The April 2024 story end to end: sync, fit, table, tie odds, title odds, what-if, rotation advice."""
    import time

    from matchday.data.fetch import SourceURLs
    from matchday.data.sync import sync as run_sync

    started = time.perf_counter()
    step = 0

    def header(text: str) -> None:
        nonlocal step
        step += 1
        console.rule(f"[bold]{step}. {text}")

    header("Sync the 2022-23 and 2023-24 data (leagues, UEFA, odds)")
    with open_store(db, read_only=False) as store:
        report = run_sync(store, None, ["2022-23", "2023-24"], urls=SourceURLs.resolve(mirror=mirror))
        console.print(f"{report.read} matches read, {report.added} added, {report.odds_added} odds added -> {store.path}")
        db_path = store.path
    header("The Premier League table on 14 April 2024 (after Liverpool 0-1 Crystal Palace)")
    table(competition="E0", season="2023-24", as_of="2024-04-14", db=db_path, json_=False, csv=False)
    header("Liverpool v Atalanta before the first leg (10 April)")
    tie(team_a="Liverpool", team_b="Atalanta", first_leg=None, final=False, as_of="2024-04-10", model="dixon-coles",
        competition="UEL", sims=0, seed=seed, db=db_path, json_=False, csv=False)
    header("How likely is a comeback from 0-3? (12 April)")
    tie(team_a="Atalanta", team_b="Liverpool", first_leg="Liverpool 0-3 Atalanta", final=False, as_of="2024-04-12",
        model="dixon-coles", competition="UEL", sims=0, seed=seed, db=db_path, json_=False, csv=False)
    header("Title odds on 15 April")
    simulate(competition="E0", season="2023-24", as_of="2024-04-15", model="dixon-coles", sims=sims, seed=seed,
             heatmap=None, positions=False, db=db_path, json_=False, csv=False)
    header("Who is top if Liverpool beat Fulham and Arsenal don't win at Wolves?")
    whatif(competition="E0", season="2023-24", given=["Fulham v Liverpool: away win", "Wolves v Arsenal: not away win"],
           ask="top", until=None, as_of="2024-04-15", model="dixon-coles", sims=sims, seed=seed, db=db_path,
           json_=False, csv=False)
    header("Rest the first team in Bergamo, or throw the lot at it?")
    rotate(club="Liverpool", as_of="2024-04-15", weights="title=1,europa=0.5,top4=0.3", squad=None, plan=None,
           gap=None, sims=sims, seed=seed, sensitivity=False, chart=None, model="dixon-coles", db=db_path,
           json_=False, csv=False)
    console.print(f"[green]demo finished in {time.perf_counter() - started:.1f} s[/]")


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on (loopback by default; anything else "
                                      "exposes the dashboard to the network, without authentication).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option("--workers", help="Threads for heavy questions (simulations).",
                                         min=1, max=8)] = 2,
    db: DbOption = None,
) -> None:
    """Serve the web dashboard and the JSON API (/api/v1) on the store, opened read-only."""
    import ipaddress
    import logging
    import socket

    from matchday.web.app import create_app

    try:
        loopback = host == "localhost" or ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        loopback = False
    # loopback: only loopback Host headers are accepted (no DNS rebinding); elsewhere any Host is
    application = create_app(db, workers=workers, allowed_hosts=None if loopback else ["*"])
    if not loopback:
        err_console.print(f"[yellow]warning:[/] listening on {host}, not loopback: anyone who can reach it can use "
                          "the dashboard (there is no authentication)")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:  # a clear message instead of uvicorn's exit
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as exc:
            raise MatchdayError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    shown = f"[{host}]" if ":" in host else host
    console.print(f"matchday serving http://{shown}:{port}/ (store {application.state.services.source.path}, "
                  f"read-only; JSON API under /api/v1; Ctrl+C stops)", highlight=False)
    uvicorn.run(application, host=host.strip("[]"), port=port, log_level="warning", access_log=False)


def main() -> None:
    """Entry point: user errors print one clear line (no traceback) and exit 2."""
    try:
        app()
    except MatchdayError as exc:
        err_console.print(f"[red]error:[/] {exc}", highlight=False)
        raise SystemExit(2) from None


if __name__ == "__main__":  # pragma: no cover
    main()
