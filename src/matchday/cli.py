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
        return f"{value:.3f}"
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
    """The league table from stored results, with the league's tie-breakers and point deductions."""
    from matchday.data.competitions import resolve_competition
    from matchday.data.seasons import normalize_season
    from matchday.rules.table import league_table

    comp = resolve_competition(competition)
    if comp.kind != "league":
        raise MatchdayError(f"{comp.code} ({comp.name}) is a cup, not a league; use `matchday results {comp.code}`")
    season = normalize_season(season)
    cutoff = parse_date(as_of)
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


@app.command()
def results(
    competition: Annotated[str | None, typer.Argument(help="Competition code or name (default all).")] = None,
    season: Annotated[str | None, typer.Option("--season", help="Season, e.g. 2023-24.")] = None,
    team: Annotated[str | None, typer.Option("--team", help="Only matches of this club (any known name).")] = None,
    since: Annotated[str | None, typer.Option("--from", help="First date (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option("--to", help="Last date (YYYY-MM-DD).")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Only results known on this date.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many (the latest).")] = 50,
    db: DbOption = None,
    json_: FormatJson = False,
    csv: FormatCsv = False,
) -> None:
    """Played matches, latest last."""
    frame, _ = _match_listing(played=True, competition=competition, season=season, team=team, since=since,
                              until=until, as_of=as_of, limit=limit, db=db)
    emit(frame, as_json=json_, as_csv=csv, title=f"{len(frame)} results")


@app.command()
def fixtures(
    competition: Annotated[str | None, typer.Argument(help="Competition code or name (default all).")] = None,
    season: Annotated[str | None, typer.Option("--season", help="Season, e.g. 2023-24.")] = None,
    team: Annotated[str | None, typer.Option("--team", help="Only matches of this club (any known name).")] = None,
    since: Annotated[str | None, typer.Option("--from", help="First date (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option("--to", help="Last date (YYYY-MM-DD).")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Remaining fixtures as they stood on this date.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many (the soonest).")] = 50,
    db: DbOption = None,
    json_: FormatJson = False,
    csv: FormatCsv = False,
) -> None:
    """Matches still to play (or, with --as-of, those that were still to play on that date)."""
    frame, _ = _match_listing(played=False, competition=competition, season=season, team=team, since=since,
                              until=until, as_of=as_of, limit=limit, db=db)
    emit(frame, as_json=json_, as_csv=csv, title=f"{len(frame)} fixtures")


def main() -> None:
    """Entry point: user errors print one clear line (no traceback) and exit 2."""
    try:
        app()
    except MatchdayError as exc:
        err_console.print(f"[red]error:[/] {exc}", highlight=False)
        raise SystemExit(2) from None


if __name__ == "__main__":  # pragma: no cover
    main()
