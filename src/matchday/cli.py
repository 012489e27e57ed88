"""The ``matchday`` command (Typer + Rich). It only orchestrates: every rule and number lives below."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from matchday import inputs, workflows
from matchday.data.errors import MatchdayError
from matchday.simulate.limits import MAX_ROTATION_SIMS

WHY_ROTATION_MINIMUM = "plans are compared by paired standard errors, which need at least two futures"

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


def _print_version(value: bool) -> None:
    if value:
        from matchday import __version__

        console.print(f"matchday {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def _global_options(
    lock_wait: Annotated[
        float | None,
        typer.Option("--lock-wait", min=0, max=86_400, help="Seconds to wait while another matchday process "
                     "holds the store (default: MATCHDAY_LOCK_WAIT, else 60).")
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Football results turned into forecasts and decisions."""
    import os

    if lock_wait is not None:
        os.environ["MATCHDAY_LOCK_WAIT"] = str(lock_wait)


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



def _count_check(minimum: int, maximum: int | None, why_minimum: str | None):
    """Typer callback for ``--sims``: the range :mod:`matchday.simulate.limits` accepts, as a one-line error."""

    def check(value: int) -> int:
        from matchday.simulate.limits import MAX_SIMS, SimulationSizeError, check_sims

        try:
            return check_sims(value, minimum=minimum, maximum=maximum or MAX_SIMS, name="",
                              why_minimum=why_minimum)
        except SimulationSizeError as exc:
            raise typer.BadParameter(str(exc)) from None

    return check


def sims_option(help: str, *, minimum: int = 1, maximum: int | None = None, why_minimum: str | None = None):
    """The one ``--sims`` option of every simulating command: a whole number from ``minimum`` to ``maximum``
    (default :data:`matchday.simulate.limits.MAX_SIMS`), checked before anything is read or fitted."""
    from matchday.simulate.limits import MAX_SIMS

    top = maximum or MAX_SIMS
    return typer.Option("--sims", help=f"{help} ({minimum:,} to {top:,}; memory does not grow with it, only time).",
                        callback=_count_check(minimum, maximum, why_minimum))


def _seed_check(value: int) -> int:
    from matchday.simulate.limits import SimulationSizeError, check_seed

    try:
        return check_seed(value, name="")
    except SimulationSizeError as exc:
        raise typer.BadParameter(str(exc)) from None


SimsOption = Annotated[int, sims_option("Number of simulated seasons.")]
SeedOption = Annotated[int, typer.Option("--seed", help="Random seed, 0 to 4,294,967,295 (same seed, same numbers).",
                                         callback=_seed_check)]

#: File types the charts can be written as (matplotlib's; the suffix of --heatmap / --chart / --plot picks one).
CHART_FORMATS = ("png", "svg", "pdf", "jpg", "jpeg", "webp", "tif", "tiff", "eps", "ps")


def _chart_path(path: Path | None, option: str) -> Path | None:
    """A chart file to write, checked before anything is computed: a known image type, not a folder, in a
    folder that exists."""
    if path is None:
        return None
    if str(path).endswith(("/", "\\")) or path.is_dir():
        raise MatchdayError(f"{option} {_one_line(path)!s} is a folder; give a file such as chart.png")
    suffix = path.suffix.lower().lstrip(".")
    if suffix and suffix not in CHART_FORMATS:
        raise MatchdayError(f"{option} {_one_line(path)!s}: a chart cannot be written as .{suffix}; end the file name "
                            f"in {', '.join('.' + f for f in CHART_FORMATS[:3])} (or {', '.join(CHART_FORMATS[3:])})")
    if not path.parent.is_dir():
        raise MatchdayError(f"{option} {_one_line(path)!s}: the folder {_one_line(path.parent)!s} does not exist")
    return path


# User-input resolution lives in matchday.inputs (shared with the web layer); the old names stay as aliases.
parse_date = inputs.parse_date
_competition = inputs.competition
_season = inputs.season


def _say_waiting(message: str) -> None:
    err_console.print(f"[yellow]{_one_line(message)}[/]", highlight=False, soft_wrap=True)


def _db_path(db: Path | None) -> Path | None:
    """The --db path, refusing what cannot be a store file before anything is opened."""
    if db is None:
        return None
    if str(db) in ("", ".") or str(db).strip() == "":
        raise MatchdayError("--db is empty or '.'; give a store file such as matchday.duckdb")
    if str(db) == ":memory:":
        raise MatchdayError("--db :memory: would keep nothing; give a store file such as matchday.duckdb")
    return db


def open_store(db: Path | None, *, read_only: bool = True) -> Store:
    """The store for a command: one clear line if the path cannot be a store; waits (a bounded time,
    ``--lock-wait`` / MATCHDAY_LOCK_WAIT) while another matchday process holds it."""
    from matchday.data.store import Store

    return Store(_db_path(db), read_only=read_only, on_wait=_say_waiting)


class Basis:
    """What a forecast rests on, rendered once for every output: ``text`` (a table caption, a chart footer)
    and ``data`` (the ``basis`` field of ``--json``). Built by :func:`_basis` from the fit's
    :class:`~matchday.models.provenance.TrainingProvenance`."""

    def __init__(self, text: str, data: dict) -> None:
        self.text, self.data = text, data


def _basis(provenance, *, sims: int | None = None, seed: int | None = None,
           competitions: tuple[str, ...] | list[str] = ()) -> Basis:
    """The one rendering of a forecast's provenance (model, training window per competition, as-of,
    simulations and seed, and a note when the window is shorter than the model's default)."""
    return Basis("Based on " + provenance.describe(n_sims=sims, seed=seed, competitions=competitions),
                 provenance.to_dict(n_sims=sims, seed=seed, competitions=competitions))


def emit(frame: pd.DataFrame, *, as_json: bool, as_csv: bool, title: str | None = None, caption: str | None = None,
         basis: Basis | None = None, meta: dict | None = None) -> None:
    """Print a DataFrame as a Rich table, JSON or CSV.

    Without ``basis`` and ``meta`` the JSON is the list of records; with them (a forecast) it is an object
    ``{"basis": ..., <meta>..., "rows": [records]}``, and the table's caption ends with the basis. CSV holds
    the rows only; the basis then goes to stderr.
    """
    if as_json:
        records = frame.to_json(orient="records", date_format="iso", indent=2)
        if basis is None and meta is None:
            sys.stdout.write(records + "\n")
            return
        import json

        document = {**({"basis": basis.data} if basis is not None else {}), **(meta or {}),
                    "rows": json.loads(records)}
        sys.stdout.write(json.dumps(document, indent=2, separators=(",", ":"), default=str) + "\n")  # as pandas
        return
    if as_csv:
        sys.stdout.write(frame.to_csv(index=False))
        if basis is not None:
            err_console.print(_one_line(basis.text, 4000), highlight=False, soft_wrap=True)
        return
    from rich.table import Table

    table = Table(title=title, caption=caption, header_style="bold")
    for column in frame.columns:
        numeric = frame[column].dtype.kind in "iufb"
        table.add_column(str(column), justify="right" if numeric else "left")
    for row in frame.itertuples(index=False):
        table.add_row(*("" if _missing(v) else _fmt(v) for v in row))
    console.print(table)
    if basis is not None:  # under the table at the terminal's width (a narrow table would squeeze it)
        console.print(basis.text, highlight=False, style="dim")


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
    skip_bad_files: Annotated[bool, typer.Option(
        "--skip-bad-files", help="Leave out files that cannot be read (named in the summary, exit code 3) "
        "instead of stopping with nothing written.")] = False,
    db: DbOption = None,
) -> None:
    """Download (through the local cache) and import matches, results and odds.

    Everything is downloaded and read before the store is opened for writing, so other commands can
    read the store meanwhile. Exit codes: 0 done; 2 nothing written (bad input, nothing found, store
    busy, ...); 3 done, but files were left out as unreadable (--skip-bad-files).
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from matchday.data.errors import DataError
    from matchday.data.fetch import Fetcher, SourceURLs
    from matchday.data.seasons import season_range
    from matchday.data.store import default_db_path
    from matchday.data.sync import sync as run_sync

    overrides = {}
    for item in source or []:
        if "=" not in item:
            raise MatchdayError(f"--source {item[:80]!r}: expected NAME=URL")
        name, url = item.split("=", 1)
        overrides[name.strip()] = url.strip()
    urls = SourceURLs.resolve(mirror=mirror, overrides=overrides)
    season_list = season_range(seasons) if seasons else None
    path = _db_path(db) or default_db_path()
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err_console, transient=True,  # the summary below says what was done
    ) as progress:
        tasks: dict[str, int] = {}

        def on_progress(stage: str, done: int, total: int) -> None:
            label = {"download": "download + read", "import": "import"}[stage]
            if stage not in tasks:
                tasks[stage] = progress.add_task(label, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        try:
            report = run_sync(
                path, competitions, season_list, urls=urls, fetcher=Fetcher(cache_dir=cache_dir, refresh=refresh),
                progress=on_progress, skip_bad_files=skip_bad_files, on_wait=_say_waiting,
            )
        except DataError as exc:
            raise exc.with_note("nothing was written (--skip-bad-files imports every other file)") from None
    _print_sync_report(report, path)
    if report.rejected:
        raise typer.Exit(3)


def _print_sync_report(report, path: Path) -> None:
    """The sync summary: what was read and added, what was skipped and why, what is open."""
    console.print(
        f"[green]synced[/] {report.files} files, {report.read} matches read: {report.added} added, "
        f"{report.updated} updated (results filled in or statuses moved on), {report.unchanged} already stored, {report.odds_added} odds added, "
        f"[{'red' if report.conflicts else 'green'}]{report.conflicts} new conflicts[/] -> {_one_line(path)}",
        highlight=False,
    )
    if report.open_conflicts or report.open_odds_changes:
        console.print(
            f"[yellow]open in the store: {report.open_conflicts} result conflicts, {report.open_odds_changes} "
            f"changed odds ({report.odds_changed} new)[/]; see `matchday conflicts` and `matchday conflicts --odds`",
            highlight=False,
        )
    if report.missing:
        by_source: dict[str, list[str]] = {}
        for entry in report.missing:
            name, _, rest = entry.partition(" ")
            by_source.setdefault(name, []).append(rest)
        parts = [f"{name} {len(items)} ({', '.join(items[:3])}{' ...' if len(items) > 3 else ''})"
                 for name, items in sorted(by_source.items())]
        console.print(f"skipped as missing (not published by the source): {len(report.missing)} files: "
                      + _one_line("; ".join(parts), 1000), highlight=False)
    if report.placeholders:
        console.print(f"skipped {report.placeholders} fixtures whose clubs are not known yet (N.N.)")
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/] {_one_line(warning)}", highlight=False, soft_wrap=True)
    for rejected in report.rejected:
        console.print(f"[red]left out (unreadable):[/] {_one_line(rejected)}", highlight=False, soft_wrap=True)
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
def conflicts(
    odds: Annotated[bool, typer.Option("--odds", help="List odds that a later file priced differently.")] = False,
    db: DbOption = None, json_: FormatJson = False, csv: FormatCsv = False,
) -> None:
    """Matches that two sources report with different results (90 minutes, extra time or shoot-out; the
    first stored result is kept); with --odds, stored prices that a later file changed (both kept)."""
    with open_store(db) as store:
        frame = store.odds_changes() if odds else store.conflicts()
    if odds:
        emit(frame, as_json=json_, as_csv=csv, title=f"{len(frame)} changed odds (the stored price is kept)")
    else:
        emit(frame, as_json=json_, as_csv=csv, title=f"{len(frame)} conflicting results")


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
        # every match of the season: its clubs are in the table even before they have played (pre-season)
        frame = store.matches([comp.code], [season])
    result = league_table(frame, comp.code, season, as_of=cutoff)
    names = dict(zip(frame["home"], frame["home_name"], strict=False)) | dict(zip(frame["away"], frame["away_name"], strict=False))
    result.insert(1, "club", result["team"].map(names).fillna(result["team"]))
    result = result.drop(columns=["team"])
    title = f"{comp.name} {season}" + (f" as of {cutoff.isoformat()}" if cutoff else "")
    caption = None
    if not result["played"].any():
        caption = (f"no {comp.code} {season} match played by {cutoff.isoformat()}: the pre-season table, every club on "
                   "0 points (listed alphabetically)" if cutoff else f"no {comp.code} {season} match played yet")
    if not (json_ or csv):
        short = {"position": "#", "played": "P", "won": "W", "drawn": "D", "lost": "L", "goals_for": "GF",
                 "goals_against": "GA", "goal_difference": "GD", "points": "Pts", "deduction": "adj"}
        result = result.rename(columns=short)
        if not result["adj"].any():
            result = result.drop(columns=["adj"])
        if not result["note"].astype(bool).any() or not result["P"].any():  # pre-season: all level, said above
            result = result.drop(columns=["note"])
    emit(result, as_json=json_, as_csv=csv, title=title, caption=caption)


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
    criteria = ", ".join(c.replace("_", " ") for c in result.attrs["criteria"][1:])
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
        if not result["note"].astype(bool).any() or not result["P"].any():  # pre-season: all level, said above
            result = result.drop(columns=["note"])
    emit(result, as_json=json_, as_csv=csv, title=title, caption=caption)


_require_season = inputs.require_season


# --------------------------------------------------------------------------- results / fixtures
def _match_listing(
    *, played: bool, competition: str | None, season: str | None, team: str | None, since: str | None,
    until: str | None, as_of: str | None, limit: int, db: Path | None,
) -> tuple[pd.DataFrame, str]:
    from matchday.data.competitions import resolve_competition
    from matchday.data.domain import STATUSES_TO_PLAY
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
            # (a match cancelled since was not to be played: left out)
            frame = store.matches(comps, seasons, since=cutoff + dt.timedelta(days=1), until=end, teams=team_ids)
            frame = frame[frame["status"].ne("cancelled")]
        else:
            frame = store.matches(comps, seasons, since=start, until=end, teams=team_ids,
                                  statuses=sorted(STATUSES_TO_PLAY))
    if not played and cutoff is not None and start is not None:
        frame = frame[frame["date"] >= str(start)]
    frame = frame.tail(limit) if played else frame.head(limit)
    columns = ["date", "competition", "season", "round", "leg", "home_name", "away_name", "status"]
    out = frame[columns].rename(columns={"home_name": "home", "away_name": "away"})
    if played:
        from matchday.workflows import score_text

        out.insert(len(columns) - 1, "score", [score_text(r) for r in frame.itertuples()])
    return out.reset_index(drop=True), ""


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
    if frame.empty and as_of is None:
        _say_why_no_fixtures(competition, season, db)


def _say_why_no_fixtures(competition: str | None, season: str | None, db: Path | None) -> None:
    """One true line on stderr when no fixture is left to play: what the store's latest played match is."""
    from matchday.data.competitions import resolve_competition
    from matchday.data.seasons import normalize_season
    from matchday.workflows import latest_played_date

    code = resolve_competition(competition).code if competition else None
    named = normalize_season(season) if season else None
    with open_store(db) as store:
        latest = latest_played_date(store, [code] if code else None, [named] if named else None)
    what = " ".join(x for x in (code, named) if x) or "any competition"
    if latest is None:
        err_console.print(f"no {what} match is in the store; `matchday sync` imports results and fixtures",
                          highlight=False)
        return
    err_console.print(f"no {what} fixture is left to play in the store (its latest played match is on "
                      f"{latest.isoformat()}); `matchday sync` fetches new fixtures, --as-of D lists those that were "
                      "still to play on D", highlight=False, soft_wrap=True)


# --------------------------------------------------------------------------- models and forecasts
DEFAULT_MODEL = inputs.DEFAULT_MODEL

ModelOption = Annotated[str, typer.Option("--model", help="combined (default: goals, shots, corners and a "
                                          "score-driven filter on the goal model's cross-league scale), dixon-coles, "
                                          "poisson, negative-binomial, bivariate-poisson, shots-dixon-coles, elo, "
                                          "score-driven, or with-market (also past closing prices; opt-in).")]
NoCacheOption = Annotated[bool, typer.Option("--no-cache", help="Fit the model afresh instead of loading a cached "
                                             "fit (fits are cached under MATCHDAY_MODEL_CACHE).")]
AsOfOption = Annotated[str | None, typer.Option("--as-of", help="Use what was known at the end of this day "
                                                "(YYYY-MM-DD; default: the latest day with a played match of the "
                                                "competition asked about in the store).")]


def _as_of(store: Store, as_of: str | None, *, what: str, competitions: list[str] | None = None,
           seasons: list[str] | None = None, teams: list[str] | None = None) -> dt.date:
    """``--as-of`` when given; else the latest day with a played match of ``competitions`` / ``seasons`` /
    ``teams`` in the store (not today: the store may end long before), said in one line on stderr.

    what: the matches in words for that line and for the error when there are none (``"E0"``,
    ``"Liverpool or Arsenal"``).
    """
    cutoff = parse_date(as_of)
    if cutoff is not None:
        return cutoff
    from matchday.workflows import latest_played_date

    latest = latest_played_date(store, competitions, seasons, teams)
    if latest is None:
        hint = f"`matchday sync {' '.join(competitions)}`" if competitions else "`matchday sync`"
        raise MatchdayError(f"no played {what} match in the store at {_one_line(store.path)}, so there is no "
                            f"latest date to answer as of; run {hint} or give --as-of")
    err_console.print(f"as of {latest.isoformat()}: the latest day with a played {what} match in the store "
                      "(--as-of picks another date)", highlight=False, soft_wrap=True)
    return latest


_team_id = inputs.club


def _fit(store: Store, model: str, as_of: dt.date, no_cache: bool = False):
    """:func:`matchday.workflows.fit_from_store` with a spinner, through the fitted-model cache (one stderr line
    says whether it was loaded or fitted; a combined model's notes say what evidence it could not use):
    ``(fitted model, provenance)``."""
    import logging

    from matchday.workflows import FittedModel, fit_or_load

    logger = logging.getLogger("matchday.models.combined")  # its notes are printed here, once, in the CLI's style
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with err_console.status(f"fitting {model} on matches up to {as_of.isoformat()} ..."):
            found = fit_or_load(store, model, as_of, cache=False if no_cache else None)
    finally:
        logger.setLevel(level)
    matches = f"{found.n_matches:,} matches, " if found.n_matches is not None else ""
    if found.cached:
        err_console.print(f"[dim]{model} as of {as_of.isoformat()}: cached fit ({matches}{1000 * found.seconds:.0f} ms "
                          "to load; --no-cache refits)[/]", highlight=False)
    else:
        err_console.print(f"[dim]{model} as of {as_of.isoformat()}: fitted on {matches.rstrip(', ')} in "
                          f"{found.seconds:.1f} s{'' if no_cache or found.path is None else ', cached'}[/]",
                          highlight=False)
    for note in getattr(found.model, "notes_", ()):  # what a combined model could not use, and where it fell back
        err_console.print(f"[dim]{model}: {_one_line(note, 1000)}[/]", highlight=False)
    return FittedModel(found.model, found.provenance)


def _fallback_note(fitted, model: str, home: list[str], away: list[str], competition) -> None:
    """Say when a combined model forecasts fixtures with the goal model alone (a club lacks its evidence)."""
    if not hasattr(fitted, "goal_model_only"):
        return
    fallback = fitted.goal_model_only(home, away, False, competition)
    if fallback.any():
        err_console.print(f"[yellow]note:[/] {int(fallback.sum())} of {len(home)} fixture(s) use the goal model "
                          f"alone ({model} lacks statistics or league matches for a club in them)")


_fixture_competition = inputs.fixture_competition


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
    model: ModelOption = DEFAULT_MODEL,
    no_cache: NoCacheOption = False,
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
    from matchday.data.errors import StoreBusyError
    from matchday.workflows import resolve_club, team_names

    with open_store(db) as store:  # read-only while fitting: other commands may read meanwhile
        home_id, away_id = resolve_club(store, home), resolve_club(store, away)  # provisional clubs too
        if home_id == away_id:
            raise MatchdayError(f"{home!r} and {away!r} are the same club ({home_id}): a match needs two different "
                                "clubs")
        names = team_names(store, [home_id, away_id])
        chosen = resolve_competition(competition).code if competition else None
        cutoff = _as_of(store, as_of, what=chosen or f"{names[home_id]} or {names[away_id]}",
                        competitions=[chosen] if chosen else None, teams=None if chosen else [home_id, away_id])
        fitted, provenance = _fit(store, model, cutoff, no_cache)
        comp = chosen or _fixture_competition(store, home_id, away_id, cutoff)
        forecast = fitted.predict(home_id, away_id, neutral=neutral, competition=comp)
        _fallback_note(fitted, model, [home_id], [away_id], None if comp is None else [comp])
        p = forecast.outcomes()[0]
        xg = (float(forecast.home_expected_goals[0]), float(forecast.away_expected_goals[0]))
        table = forecast.markets_table()
    log = pd.DataFrame({"home": [home_id], "away": [away_id], "p_home": [p[0]], "p_draw": [p[1]], "p_away": [p[2]],
                        "competition": [comp], "home_expected_goals": [xg[0]], "away_expected_goals": [xg[1]],
                        "details": [{"neutral": neutral, "command": "predict"}]})
    try:
        with open_store(db, read_only=False) as store:  # the write lock only for logging the forecast
            store.log_forecasts(log, model=model, as_of=cutoff)
    except StoreBusyError as exc:  # the forecast stands; only its log entry is missing, and we say so
        err_console.print(f"[yellow]warning:[/] forecast not logged: {_one_line(exc)}", highlight=False,
                          soft_wrap=True)
    title = (f"{names[home_id]} v {names[away_id]}" + (" (neutral)" if neutral else "")
             + f" - {model}, as of {cutoff.isoformat()}" + (f", {comp}" if comp else ""))
    link, fields = _league_link(fitted, home_id, away_id)
    caption = f"expected goals {xg[0]:.2f} - {xg[1]:.2f}" + (f"\n{link}" if link else "")
    emit(_with_fields(table, fields, not csv), as_json=json_, as_csv=csv, title=title, caption=caption,
         basis=_basis(provenance, competitions=[c for c in [comp] if c]),
         meta={"home": home_id, "away": away_id, "competition": comp, "neutral": neutral,
               "expected_goals": list(xg), **fields})


@app.command()
def ratings(
    competition: Annotated[str, typer.Argument(help="League or UEFA competition to list (code or name).")],
    as_of: AsOfOption = None,
    model: ModelOption = DEFAULT_MODEL,
    no_cache: NoCacheOption = False,
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
    with open_store(db) as store:
        cutoff = _as_of(store, as_of, what=comp.code, competitions=[comp.code])
        season = season_of_date(cutoff)
        members = store.matches([comp.code], [season])
        if members.empty:
            _require_season(store, comp.code, season, why=f"the season running on {cutoff.isoformat()}")
        fitted, provenance = _fit(store, model, cutoff, no_cache)
        teams = set(members["home"]) | set(members["away"])
        table = fitted.ratings()
        table = table[table["team"].isin(teams)].head(top).reset_index(drop=True)
        table.insert(1, "club", table["team"].map(team_names(store, list(table["team"]))))
    table.insert(0, "rank", range(1, len(table) + 1))
    caption = "strength = expected goal difference per match against an average side on neutral ground"
    note, fields = _league_scale(fitted, comp.code)
    emit(_with_fields(table.drop(columns=["team"]), fields, not (json_ or csv)), as_json=json_, as_csv=csv,
         title=f"{comp.name} {season} - {model} ratings as of {cutoff.isoformat()}",
         caption=caption + (f"\n{note}" if note else ""),
         basis=_basis(provenance, competitions=[comp.code]), meta={"competition": comp.code, "season": season})


SchedulerOption = Annotated[str | None, typer.Option(
    "--scheduler", help="Where the work runs: processes[:N] (local processes, the default; N = --jobs), serial, "
    "local:N (a Dask LocalCluster of N workers) or a Dask scheduler address tcp://host:8786 "
    "(pip install 'matchday\\[distributed]'; docs/sweeps.md). Results are the same on every one.")]
JobsOption = Annotated[int, typer.Option("--jobs", help="Local worker processes without --scheduler (-1 = every core).")]


def _task_progress(description: str):
    """A Rich progress bar for executor tasks: (context manager, callback(done, total, label))."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(TextColumn(f"[bold]{description}" + " {task.fields[label]}"), BarColumn(),
                        MofNCompleteColumn(), TimeElapsedColumn(), console=err_console, transient=True)
    task = progress.add_task("tasks", total=None, label="")
    return progress, lambda done, total, label: progress.update(task, completed=done, total=total, label=label)


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
    scheduler: SchedulerOption = None,
    jobs: JobsOption = -1,
    plot: Annotated[Path | None, typer.Option("--plot", help="Reliability PNG of the first model.")] = None,
    save: Annotated[bool, typer.Option("--save/--no-save", help="Write the forecasts to the store.")] = True,
    db: DbOption = None,
    json_: FormatJson = False,
    csv: FormatCsv = False,
) -> None:
    """Walk-forward evaluation: refit at least weekly on data before kick-off; RPS, log loss and Brier per
    league and season, next to the closing and pre-match market on the very same matches."""
    import uuid

    from matchday.data.competitions import resolve_competition
    from matchday.data.errors import UnknownChoiceError
    from matchday.data.seasons import season_range
    from matchday.evaluate.backtest import add_blend, save_backtest, walk_forward_many
    from matchday.evaluate.executor import executor_for
    from matchday.models import MODELS
    from matchday.workflows import backtest_input

    names = [m.strip() for m in models.split(",") if m.strip()]
    from matchday.models import checked_model_name

    for name in names:
        checked_model_name(name)
    stacked = [name for name in names if name in ("combined", "with-market")]
    if stacked:
        err_console.print(f"[yellow]note:[/] {', '.join(stacked)} use the shipped weights, learned on the top five "
                          "leagues 2014-15..2024-25: on those seasons this backtest is not fully out of sample "
                          "(bench/bench_accuracy.py learns them walk-forward)")
    from matchday.evaluate.backtest import REFIT_MODES

    if refit not in REFIT_MODES:
        raise UnknownChoiceError("--refit", refit, list(REFIT_MODES))
    plot = _chart_path(plot, "--plot")
    codes = [resolve_competition(c).code for c in competitions]
    season_list = season_range(seasons)
    history = 2
    with open_store(db, read_only=not save) as store:
        matches, odds = backtest_input(store, codes, season_list, history)
        with executor_for(scheduler, jobs) as executor:
            err_console.print(f"[dim]running on {executor.describe()}[/]", highlight=False)
            bar, on_progress = _task_progress("backtest")
            with bar:
                result = walk_forward_many(
                    {name: MODELS[name] for name in names}, matches, competitions=codes, seasons=season_list,
                    start=parse_date(start, "--start"), refit=refit, history_seasons=history, odds=odds,
                    executor=executor, progress=on_progress)
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


@app.command()
def sweep(
    spec: Annotated[Path | None, typer.Argument(help="A TOML sweep file (docs/sweeps.md); the options below "
                                                "override its keys.")] = None,
    leagues: Annotated[str | None, typer.Option("--leagues", help="Comma-separated leagues, e.g. E0,SP1.")] = None,
    seasons: Annotated[str | None, typer.Option("--seasons", help="Season or range, e.g. 2021-22:2023-24.")] = None,
    models: Annotated[str | None, typer.Option("--models", help="Comma-separated model names.")] = None,
    param: Annotated[list[str] | None, typer.Option("--param", help="A parameter grid: [MODEL.]NAME=V1,V2,... "
                                                    "(e.g. dixon-coles.xi=0,0.0019); repeatable.")] = None,
    refit: Annotated[str | None, typer.Option("--refit", help="weekly (default), daily or gap.")] = None,
    history: Annotated[int | None, typer.Option("--history", help="Seasons before the evaluated one that train "
                                                "it (default 2).")] = None,
    start: Annotated[str | None, typer.Option("--start", help="Evaluate matches from this date on (YYYY-MM-DD).")] = None,
    by: Annotated[str, typer.Option("--by", help="Summary rows: all (pooled, default), season, competition or "
                                    "competition,season.")] = "all",
    scheduler: SchedulerOption = None,
    jobs: JobsOption = -1,
    save: Annotated[bool, typer.Option("--save/--no-save", help="Write the forecasts to the store.")] = True,
    db: DbOption = None,
    json_: FormatJson = False,
    csv: FormatCsv = False,
) -> None:
    """Parameter sweep: walk-forward backtests of every league x season x model x setting, on local processes
    or a Dask cluster; forecasts saved to the store as backtests are, and a summary table."""
    import uuid

    from matchday.evaluate.backtest import save_backtest
    from matchday.evaluate.executor import executor_for
    from matchday.evaluate.sweep import SweepSpec, run_sweep
    from matchday.workflows import backtest_input

    groups = {"all": (), "season": ("season",), "competition": ("competition",),
              "competition,season": ("competition", "season"), "season,competition": ("season", "competition")}
    if by not in groups:
        raise MatchdayError(f"--by {by!r}: expected {', '.join(groups)}")
    league_list = [x.strip() for x in leagues.split(",") if x.strip()] if leagues else None
    model_list = [x.strip() for x in models.split(",") if x.strip()] if models else None
    options = {"refit": refit, "history_seasons": history, "start": parse_date(start, "--start")}
    if spec is not None:
        parsed = SweepSpec.from_toml(spec, leagues=league_list, seasons=seasons, **options)
        if model_list or param:
            parsed = parsed.with_grid(model_list, param or [])
    else:
        if not league_list or not seasons:
            raise MatchdayError("give a sweep file, or --leagues and --seasons (and --models, --param)")
        parsed = SweepSpec.from_options(league_list, seasons, model_list or ["dixon-coles"], param or [],
                                        **{k: v for k, v in options.items() if v is not None})
    with open_store(db, read_only=not save) as store:
        matches, odds = backtest_input(store, parsed.leagues, parsed.seasons, parsed.history_seasons)
        with executor_for(scheduler, jobs) as executor:
            err_console.print(f"[dim]sweep: {parsed.describe()} on {executor.describe()}[/]", highlight=False)
            bar, on_progress = _task_progress("sweep")
            with bar:
                result = run_sweep(parsed, matches, odds=odds, executor=executor, progress=on_progress)
        if save:
            result.run_id = save_backtest(store, result.backtest, "sweep-" + uuid.uuid4().hex[:12])
            err_console.print(f"saved as run {result.run_id} in {store.path}")
    table = result.summary(by=groups[by])
    if json_ or csv:
        emit(table, as_json=json_, as_csv=csv)
        return
    keep = [c for c in ("rank", "model", *groups[by], "n", "rps", "log_loss", "brier", "vs_market_close",
                        "se_market_close") if c in table.columns]
    if table["imputed"].any():
        keep.append("imputed")
    shown = table[keep].rename(columns={"model": "forecast", "vs_market_close": "vs close", "se_market_close": "se"})
    shown["rank"] = shown["rank"].map(lambda r: "" if r != r else f"{r:.0f}")
    emit(shown.round(4), as_json=False, as_csv=False,
         title=f"sweep {', '.join(parsed.leagues)} {parsed.seasons[0]}..{parsed.seasons[-1]}: {len(parsed.variants)} "
               f"variant(s), {result.backtest.wall_seconds:.1f} s",
         caption=f"best by RPS: {result.best()}; vs_market_close = paired RPS difference (negative = better than "
                 "the closing market), se clustered by week")


# --------------------------------------------------------------------------- simulations


def _league_season(store, competition: str, season: str | None, cutoff: dt.date):
    """(competition code, season, every match of that season, display names) of a stored league season."""
    from matchday.workflows import team_names

    comp = _competition(competition, "league")
    named = season
    season = _season(season, cutoff)
    _require_season(store, comp.code, season, why=None if named else f"the season running on {cutoff.isoformat()}")
    matches = store.matches([comp.code], [season])
    return comp.code, season, matches, team_names(store, sorted(set(matches["home"]) | set(matches["away"])))


def _progress_bar(label: str):
    """A Rich progress bar on stderr (elapsed and remaining time) for a long computation; yields the
    ``progress(done, total)`` callback the simulations take. Transient: the result below replaces it."""
    import contextlib

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    @contextlib.contextmanager
    def bar():
        with Progress(TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      TimeRemainingColumn(), console=err_console, transient=True) as progress:
            task = progress.add_task(label, total=None)
            yield lambda done, total: progress.update(task, completed=done, total=total)

    return bar()


def _question_as_of(store, competition: str, season: str | None, as_of: str | None, *, kind: str) -> dt.date:
    """The as-of date of a question about one competition (and season, when named): ``--as-of`` or the
    latest day with a played match of it in the store (:func:`_as_of`)."""
    from matchday.data.seasons import normalize_season

    code = _competition(competition, kind).code
    named = normalize_season(season) if season else None
    return _as_of(store, as_of, what=f"{code} {named}" if named else code, competitions=[code],
                  seasons=[named] if named else None)


def _season_meta(result) -> tuple[str, dict]:
    """The definition of the ``europe`` column for this league and season: caption text and JSON field."""
    places = result.rules.places
    if not places.europe:
        return "", {"europe": None}
    text = (f"europe = finishing 1st to {_ordinal(places.europe)} ({places.europe} places: "
            f"{places.champions_league} Champions League, {places.europa_league} Europa League, "
            f"{places.conference_league} Conference League): {places.europe_definition}")
    return text, {"europe": {"places": places.europe, "champions_league": places.champions_league,
                             "europa_league": places.europa_league,
                             "conference_league": places.conference_league,
                             "definition": places.europe_definition}}


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _run_season(matches, fitted, code: str, season: str, cutoff: dt.date, sims: int, seed: int,
                conditions=(), until: dt.date | None = None):
    """simulate_season with a progress bar."""
    from matchday.simulate.season import simulate_season

    with _progress_bar("simulating") as progress:
        return simulate_season(matches, fitted, code, season, as_of=cutoff, until=until,
                               conditions=list(conditions), n_sims=sims, seed=seed, progress=progress)


@app.command()
def simulate(
    competition: Annotated[str, typer.Argument(help="League code or name.")],
    season: Annotated[str | None, typer.Argument(help="Season (default: the one running on --as-of).")] = None,
    as_of: AsOfOption = None,
    model: ModelOption = DEFAULT_MODEL,
    no_cache: NoCacheOption = False,
    sims: SimsOption = 100_000,
    seed: SeedOption = 0,
    heatmap: Annotated[Path | None, typer.Option("--heatmap", help="Write a PNG of the position probabilities.")] = None,
    positions: Annotated[bool, typer.Option("--positions", help="Print the full finishing-position matrix.")] = False,
    db: DbOption = None,
    json_: FormatJson = False,
    csv: FormatCsv = False,
) -> None:
    """Simulate the rest of a league season: title, places and relegation odds, expected points. A UEFA
    competition from 2024-25: the league phase (P(top 8), P(9-24), P(out), points) and the knockout phase."""
    heatmap = _chart_path(heatmap, "--heatmap")
    if _competition(competition).kind == "cup":
        _simulate_uefa(_competition(competition), season, as_of, model=model, sims=sims, seed=seed,
                       heatmap=heatmap, positions=positions, db=db, json_=json_, csv=csv, no_cache=no_cache)
        return
    with open_store(db) as store:
        cutoff = _question_as_of(store, competition, season, as_of, kind="league")
        code, season, matches, names = _league_season(store, competition, season, cutoff)
        fitted, provenance = _fit(store, model, cutoff, no_cache)
        result = _run_season(matches, fitted, code, season, cutoff, sims, seed)
    basis = _basis(provenance, sims=sims, seed=seed, competitions=[code])
    if heatmap:
        from matchday.simulate.plots import position_heatmap

        position_heatmap(result, heatmap, names, footnote=basis.text)
        err_console.print(f"wrote {heatmap}")
    frame = result.position_probabilities().reset_index(names="team") if positions else result.summary()
    frame.insert(1, "club", frame["team"].map(names))
    frame = frame.drop(columns=["team"])
    if not (json_ or csv):
        frame = _percent_view(frame) if positions else _summary_view(frame)
    europe_text, definitions = _season_meta(result)
    finished = ("; nothing left to play on that date: the table is final, every probability is 0 or 1"
                if result.n_remaining == 0 else "")
    emit(frame, as_json=json_, as_csv=csv,
         title=f"{result.rules.competition} {result.season}: {result.n_sims:,} simulations as of {cutoff.isoformat()} "
               f"({result.n_remaining} fixtures to play, {model}, seed {seed})",
         caption="Monte Carlo standard error of a probability p: sqrt(p(1-p)/sims)" + finished
                 + (f"\n{europe_text}" if europe_text else ""),
         basis=basis, meta={"competition": code, "season": result.season, "n_remaining": result.n_remaining,
                            "definitions": definitions})


def _uefa_simulation(comp, season: str | None, as_of: str | None, *, model: str, sims: int, seed: int,
                     db: Path | None, no_cache: bool = False, knockout: bool = True):
    """The league-phase engine on the store (workflows.uefa_season_from_store) with a progress bar: (result,
    the as-of date used, the provenance of the model's fit). ``as_of`` None: the latest played day."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from matchday.rules.uefa_format import has_league_phase
    from matchday.simulate.limits import MAX_LEAGUE_PHASE_SIMS, check_sims
    from matchday.workflows import uefa_season_from_store

    check_sims(sims, maximum=MAX_LEAGUE_PHASE_SIMS, name="--sims", why_maximum=(
        "the league-phase engine keeps every simulated season, a few KB each; more would need several GB"))
    with open_store(db) as store:
        named = season
        cutoff = _question_as_of(store, comp.code, season, as_of, kind="cup")
        season = _season(season, cutoff)
        if not has_league_phase(comp.code, season):
            raise MatchdayError(f"{comp.code} ({comp.name}) {season} has no league phase (group stage before 2024-25); "
                                f"use `matchday bracket {comp.code} {season}` for its knockout rounds")
        _require_season(store, comp.code, season, why=None if named else f"the season running on {cutoff.isoformat()}")
        fitted, provenance = _fit(store, model, cutoff, no_cache)
        with Progress(TextColumn("[bold]simulating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err_console, transient=True) as progress:
            task = progress.add_task("sim", total=sims)
            result = uefa_season_from_store(store, comp.code, season, cutoff, fitted=fitted, n_sims=sims, seed=seed,
                                            knockout=knockout,
                                            progress=lambda done, total: progress.update(task, completed=done))
    return result, cutoff, provenance


def _simulate_uefa(comp, season: str | None, as_of: str | None, *, model: str, sims: int, seed: int,
                   heatmap: Path | None, positions: bool, db: Path | None, json_: bool, csv: bool,
                   no_cache: bool = False) -> None:
    """``matchday simulate UCL 2024-25 --as-of D``: the league phase and the knockout phase from D."""
    import pandas as pd

    result, cutoff, provenance = _uefa_simulation(comp, season, as_of, model=model, sims=sims, seed=seed, db=db,
                                                  no_cache=no_cache)
    basis = _basis(provenance, sims=sims, seed=seed, competitions=[comp.code])
    names = result.names
    if heatmap:
        from matchday.simulate.plots import position_heatmap

        position_heatmap(result, heatmap, names)
        err_console.print(f"wrote {heatmap}")
    frame = result.position_probabilities().reset_index() if positions else result.summary()
    frame.insert(1, "club", frame["team"].map(names))
    frame = frame.drop(columns=["team"])
    if not (json_ or csv):
        if positions:
            frame = _percent_view(frame)
        else:
            view = pd.DataFrame({"#": frame["position"], "club": frame["club"], "P": frame["played"],
                                 "Pts": frame["points"], "xPts": [f"{v:.1f}" for v in frame["expected_points"]],
                                 "Pts 5-95%": [f"{a:.0f}-{b:.0f}" for a, b in
                                               zip(frame["points_p05"], frame["points_p95"], strict=True)]})
            labels = {"p_top8": "top 8", "p_playoff": "9-24", "p_eliminated": "out", "p_round_of_16": "R16",
                      "p_quarter_final": "QF", "p_semi_final": "SF", "p_final": "final", "p_winner": "win"}
            for column, label in labels.items():
                view[label] = _pct(frame[column])
            frame = view
    done = "the league phase is over" if not result.n_remaining else f"{result.n_remaining} league-phase matches to play"
    drawn = [f"knockout pairings as drawn: {', '.join(result.known_rounds)}"] if result.known_rounds else []
    caption = "; ".join(["Monte Carlo standard error of a probability p: sqrt(p(1-p)/sims)", *drawn, *result.notes])
    emit(frame, as_json=json_, as_csv=csv,
         title=f"{comp.name} {result.season}: {result.n_sims:,} simulations as of {cutoff.isoformat()} ({done}, "
               f"{model}, seed {seed})", caption=caption, basis=basis,
         meta={"competition": comp.code, "season": result.season, "known_rounds": list(result.known_rounds),
               "notes": list(result.notes)})


def _uefa_bracket(comp, season: str | None, as_of: str | None, *, model: str, sims: int, seed: int, db: Path | None,
                  json_: bool, csv: bool, no_cache: bool = False) -> None:
    """``matchday bracket UCL 2024-25 --as-of D``: the knockout phase fixed by league position, from D."""
    import json

    result, cutoff, provenance = _uefa_simulation(comp, season, as_of, model=model, sims=sims, seed=seed, db=db,
                                                  no_cache=no_cache)
    basis = _basis(provenance, sims=sims, seed=seed, competitions=[comp.code])
    names = result.names
    clubs = result.knockout_table()
    clubs.insert(1, "club", clubs["team"].map(names))
    clubs.insert(2, "position", result.league_summary()["position"].to_numpy())
    clubs = clubs[clubs["p_knockout_phase"] > 0].drop(columns=["team"])
    clubs = clubs.sort_values(["p_winner", "p_final", "p_semi_final", "p_quarter_final", "p_round_of_16", "position"],
                              ascending=[False, False, False, False, False, True]).reset_index(drop=True)
    ties = result.ties_table()
    for side in ("home", "away", "winner"):
        ties[side] = ties[side].map(lambda t: names.get(t, t))
    if json_:
        payload = {"basis": basis.data, "competition": comp.code, "season": result.season,
                   "as_of": cutoff.isoformat(), "model": model,
                   "sims": result.n_sims, "seed": seed, "known_rounds": list(result.known_rounds),
                   "notes": result.notes,
                   "clubs": json.loads(clubs.to_json(orient="records")),
                   "ties": json.loads(ties.to_json(orient="records"))}
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return
    if csv:
        sys.stdout.write(clubs.to_csv(index=False))
        return
    view = clubs[["club", "position"]].copy()
    labels = {"p_knockout_phase": "KO phase", "p_round_of_16": "R16", "p_quarter_final": "QF",
              "p_semi_final": "SF", "p_final": "final", "p_winner": "win"}
    for column, label in labels.items():
        view[label] = _pct(clubs[column])
    drawn = (f"pairings as drawn: {', '.join(result.known_rounds)}; later draws by seeded lot"
             if result.known_rounds else "every knockout draw by seeded lot (rules/uefa_bracket.py)")
    emit(view, as_json=False, as_csv=False,
         title=f"{comp.name} {result.season} knockout phase as of {cutoff.isoformat()} ({result.n_sims:,} sims, "
               f"{model}, seed {seed})", caption="; ".join([drawn, *result.notes]), basis=basis)
    if not ties.empty:
        ties_view = ties.rename(columns={"home": "first-leg host", "away": "second-leg host", "first_leg": "leg 1"})
        ties_view["through"] = [w or f"{h} {_pct([p])[0]} / {a} {_pct([q])[0]}" for w, h, a, p, q in zip(
            ties["winner"], ties["home"], ties["away"], ties["p_home_through"], ties["p_away_through"], strict=True)]
        emit(ties_view[["round", "first-leg host", "second-leg host", "leg 1", "through"]], as_json=False,
             as_csv=False, title="the bracket as drawn and played by then",
             caption="a final lists its two clubs; 'through' is the winner, or the simulated chances")


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
    model: ModelOption = DEFAULT_MODEL,
    no_cache: NoCacheOption = False,
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

    horizon = parse_date(until, "--until")
    parsed = [parse_condition(text, _team_id) for text in given]
    with open_store(db) as store:
        cutoff = _question_as_of(store, competition, season, as_of, kind="league")
        code, season, matches, names = _league_season(store, competition, season, cutoff)
        if ask == "top" and horizon is None:  # the table just after the last conditioned fixture
            dates = [matches.loc[(matches["home"] == c.home) & (matches["away"] == c.away), "date"] for c in parsed]
            found = [d.iloc[0].date() for d in dates if not d.empty]
            horizon = max(found) if found else None
        _, remaining = split_fixtures(matches, cutoff)
        if horizon is not None:
            remaining = remaining[remaining["date"] <= str(horizon)]
        conditions = to_fixture_conditions(parsed, matches, remaining, cutoff, lambda t: names.get(t, t),
                                           until=horizon)
        fitted, provenance = _fit(store, model, cutoff, no_cache)  # one fit serves the baseline and the what-if
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
    frame = frame.reset_index(drop=True)
    when = f"after {horizon.isoformat()}" if horizon else "at the end of the season"
    europe_text, definitions = _season_meta(base)
    caption = ("baseline→if the conditions hold (one number: unchanged); pp = percentage points; the same seed for both "
               "runs, so the difference comes from the conditions, not from noise"
               + (f"\n{europe_text}" if europe_text and ask == "table" else ""))
    emit(frame if (json_ or csv) else _whatif_view(frame, ask), as_json=json_, as_csv=csv,
         title=f"What if {'; '.join(given)} - {when} (as of {cutoff.isoformat()}, {sims:,} sims, seed {seed})",
         caption=caption, basis=_basis(provenance, sims=sims, seed=seed, competitions=[code]),
         meta={"competition": code, "season": season, "given": list(given), "ask": ask,
               "until": horizon.isoformat() if horizon else None, "definitions": definitions})


def _whatif_view(frame: pd.DataFrame, ask: str) -> pd.DataFrame:
    """``whatif`` for people, narrow enough for a 100-column terminal: percentages as ``simulate`` prints them
    (without the % sign, which the header carries), ``baseline→if`` where the condition changes the number
    and the number alone where it does not; club names cut at 20 characters."""
    import pandas as pd

    def bare(values) -> list[str]:
        return [v.rstrip("%") for v in _pct(values)]

    def pair(a, b) -> list[str]:
        return [x if x == y else f"{x}→{y}" for x, y in zip(bare(a), bare(b), strict=True)]

    clubs = [c if len(c) <= 20 else c[:19] + "…" for c in frame["club"].astype(str)]
    view = pd.DataFrame({"club": clubs})
    if ask in ("top", "title"):
        label = "top" if "p_top_baseline" in frame.columns else "title"
        view[f"P({label}) %"] = pair(frame[f"p_{label}_baseline"], frame[f"p_{label}_if"])
        view["change"] = [f"{100 * v:+.1f} pp" for v in frame["change"]]
        return view
    view["xPts"] = [f"{a:.1f}" if f"{a:.1f}" == f"{b:.1f}" else f"{a:.1f}→{b:.1f}"
                    for a, b in zip(frame["expected_points_baseline"], frame["expected_points_if"], strict=True)]
    for column in frame.columns:
        if column.startswith("p_") and column.endswith("_baseline"):
            metric = column[2:-len("_baseline")]
            view[f"{metric.replace('relegation', 'releg.')} %"] = pair(frame[column], frame[f"p_{metric}_if"])
    return view


# --------------------------------------------------------------------------- knockout ties
_tie_context = inputs.tie_competition


def _parse_first_leg(text: str) -> tuple[str, int, int, str]:
    """(host name, host goals, visitor goals, visitor name) as typed; the names are resolved with the store."""
    return inputs.parse_first_leg(text, resolve=lambda name: name)


def _tie_frame(result, names: tuple[str, str]) -> pd.DataFrame:
    frame = result.summary().reset_index()
    frame.columns = ["decided by", *names]
    return frame


@app.command()
def tie(
    team_a: Annotated[str, typer.Argument(help="One club of the tie.")],
    team_b: Annotated[str, typer.Argument(help="The other club (a tie the store does not hold: team A hosts leg 1).")],
    first_leg: Annotated[str | None, typer.Option("--first-leg", help="First leg, e.g. 'Liverpool 0-3 Atalanta' "
                                                  "(default: the stored result, when played by --as-of).")] = None,
    final: Annotated[bool, typer.Option("--final", help="A single match at a neutral venue instead of two legs.")] = False,
    as_of: AsOfOption = None,
    model: ModelOption = DEFAULT_MODEL,
    no_cache: NoCacheOption = False,
    competition: Annotated[str | None, typer.Option("--competition", help="UCL, UEL or UECL for a tie the store does "
                                                    "not hold (home advantage, rules; default UCL).")] = None,
    show_forecast: Annotated[bool, typer.Option("--show-forecast", help="Also what the model said before each "
                                                "played leg (refitted as of the day before it).")] = False,
    sims: Annotated[int, sims_option("Also run this many Monte Carlo ties (0 = exact only)", minimum=0,
                                     why_minimum="0 gives the exact answer alone")] = 0,
    seed: SeedOption = 0,
    db: DbOption = None,
    json_: FormatJson = False,
    csv: FormatCsv = False,
) -> None:
    """Knockout tie: the stored legs first, then the odds of who goes through, and how.

    A leg the store holds as played by --as-of is used (a finished tie reports its result); a --first-leg
    that contradicts the stored one is an error. Odds are exact (no Monte Carlo error), from the tie model
    that `matchday validate-ties` scores; the away-goals rule applies to seasons up to 2020-21.
    """
    import json

    import pandas as pd

    from matchday.rules.knockout import tie_rules
    from matchday.simulate.tie_model import knockout_params, tie_legs
    from matchday.simulate.ties import simulate_single_match_tie, simulate_two_legged_tie
    from matchday.workflows import resolve_club, team_names, tie_from_store

    given = _parse_first_leg(first_leg) if first_leg else None
    with open_store(db) as store:
        club_a, club_b = resolve_club(store, team_a), resolve_club(store, team_b)
        if club_a == club_b:
            raise MatchdayError(f"{team_a!r} and {team_b!r} are the same club ({club_a}): a tie needs two different "
                                "clubs")
        clubs = team_names(store, [club_a, club_b])
        chosen = _competition(competition, "cup").code if competition else None
        cutoff = _as_of(store, as_of, what=chosen or f"{clubs[club_a]} or {clubs[club_b]}",
                        competitions=[chosen] if chosen else None, teams=None if chosen else [club_a, club_b])
        fitted = provenance = None
        if sims or no_cache:
            fitted, provenance = _fit(store, model, cutoff, no_cache)
        answer = tie_from_store(store, team_a, team_b, cutoff, model=model, first_leg=given, final=final,
                                competition=competition, show_forecast=show_forecast, fitted=fitted,
                                cache=False if no_cache else None)
        if answer.forecast is not None and provenance is None:  # an open tie: what its odds rest on
            fitted, provenance = _fit(store, model, cutoff)  # the fit tie_from_store just cached: a load
    if answer.forecast is not None:
        _fallback_note(fitted, model, [answer.team_a], [answer.team_b], [answer.competition])
    a, b = answer.team_a, answer.team_b
    teams = (answer.names[a], answer.names[b])
    where = f"{answer.competition} {answer.season}" + (f" {answer.round}" if answer.round else "")
    rules = tie_rules(answer.season, answer.competition)
    caption = f"{model}, {where} rules" + (", away goals count" if rules.away_goals else "")
    legs = [{"date": leg.date.isoformat(), "match": leg.score(answer.names) if leg.played else
             f"{answer.names[leg.home]} v {answer.names[leg.away]} (not played by {cutoff.isoformat()})"}
            for leg in answer.legs]

    def forecast_row(item) -> dict:
        p = item.result.p_advance
        return {"forecast": item.label, "as of": item.as_of.isoformat(),
                "first leg": "" if item.first_leg is None else f"{item.first_leg[0]}-{item.first_leg[1]}",
                teams[0]: float(p[0]), teams[1]: float(p[1])}

    before = pd.DataFrame([forecast_row(item) for item in answer.before])
    if answer.decided is not None:
        won = answer.decided
        how = {"regulation": "", "away_goals": " on away goals", "extra_time": " after extra time",
               "penalties": " on penalties", "away_goals_extra_time": " on away goals after extra time",
               "replay": " in a replay", "coin_toss": " on a coin toss"}.get(won["method"], f" ({won['method']})")
        agg = won["aggregate"] if won["winner"] == a else won["aggregate"][::-1]
        line = (f"{answer.names[won['winner']]} won{how}: {answer.legs[0].score(answer.names)}" if answer.final else
                f"{answer.names[won['winner']]} went through{how}, {agg[0]}-{agg[1]} on aggregate after 180 minutes")
        if json_:
            sys.stdout.write(json.dumps({"tie": {"team_a": teams[0], "team_b": teams[1], "competition": answer.competition,
                                                  "season": answer.season, "round": answer.round, "as_of": cutoff.isoformat()},
                                          "result": {"winner": answer.names[won["winner"]], "method": won["method"],
                                                     "aggregate": {teams[0]: won["aggregate"][0],
                                                                   teams[1]: won["aggregate"][1]}},
                                          "legs": legs, "before": before.to_dict(orient="records")}, indent=2) + "\n")
            return
        emit(pd.DataFrame(legs), as_json=False, as_csv=csv, title=f"{teams[0]} v {teams[1]}, {where}: finished by "
             f"{cutoff.isoformat()}", caption=line)
        if not before.empty:
            if not csv:
                for column in teams:
                    before[column] = _pct(before[column])
            emit(before, as_json=False, as_csv=csv, title="What the model said before each leg", caption=caption)
        elif not csv:
            console.print("(add --show-forecast for what the model said before each leg)")
        return

    result = answer.forecast.result
    frame = _tie_frame(result, teams)
    if sims:
        params = knockout_params(answer.season, answer.competition)
        if answer.final:
            grid = fitted.predict(a, b, neutral=True, competition=answer.competition)
            with _progress_bar("simulating ties") as progress:
                mc = simulate_single_match_tie(grid, params=params, n=sims, seed=seed, teams=teams, progress=progress)
        else:
            leg1, leg2 = tie_legs(fitted, [a], [b], answer.competition)
            with _progress_bar("simulating ties") as progress:
                mc = simulate_two_legged_tie(leg1, leg2, first_leg_score=answer.first_leg, params=params, n=sims,
                                             seed=seed, teams=teams, progress=progress)
        frame = frame.merge(_tie_frame(mc, teams), on="decided by", how="left", suffixes=("", " (MC)"))
        caption += f"; Monte Carlo: {sims:,} ties, seed {seed}, SE {mc.se[0]:.4f}"
    frame = frame.fillna(0.0)
    link, fields = _league_link(fitted, a, b)
    if link:
        caption += f"\n{link}"
    caption = f"as of {cutoff.isoformat()}, " + caption + "".join(f"; {note}" for note in answer.notes)
    basis = _basis(provenance, sims=sims or None, seed=seed if sims else None, competitions=[answer.competition])
    if json_:
        sys.stdout.write(json.dumps({"basis": basis.data,
                                     "tie": {"team_a": teams[0], "team_b": teams[1], "competition": answer.competition,
                                              "season": answer.season, "round": answer.round, "as_of": cutoff.isoformat(),
                                              "first_leg": None if answer.first_leg is None else list(answer.first_leg),
                                              "first_leg_from": answer.first_leg_from, "model": model,
                                              "notes": list(answer.notes), **fields},
                                      "odds": frame.to_dict(orient="records"), "legs": legs,
                                      "before": before.to_dict(orient="records")}, indent=2) + "\n")
        return
    if not csv:
        for column in frame.columns[1:]:
            frame[column] = _pct(frame[column])
    emit(_with_fields(frame, fields, not csv), as_json=False, as_csv=csv,
         title=f"{teams[0]} v {teams[1]}: {answer.situation()}", caption=caption,
         basis=basis)
    if not before.empty:
        if not csv:
            for column in teams:
                before[column] = _pct(before[column])
        emit(before, as_json=False, as_csv=csv, title="What the model said before each played leg")


@app.command()
def bracket(
    competition: Annotated[str, typer.Argument(help="UCL, UEL or UECL (or a name).")],
    season: Annotated[str | None, typer.Argument(help="Season (default: the one running on --as-of).")] = None,
    as_of: AsOfOption = None,
    model: ModelOption = DEFAULT_MODEL,
    no_cache: NoCacheOption = False,
    sims: SimsOption = 100_000,
    seed: SeedOption = 0,
    db: DbOption = None,
    json_: FormatJson = False,
    csv: FormatCsv = False,
) -> None:
    """The rest of a UEFA knockout competition: P(each club reaches each round, and wins the trophy).

    Played legs are the stored ones up to --as-of; a round's pairings are used only if its draw was known by
    then (from the eve of its first match, or with an earlier round it was drawn with), else they are drawn
    at random in each simulation. Ties are played by the tie model `matchday tie` uses."""
    import functools

    from matchday.rules.uefa_format import has_league_phase
    from matchday.rules.uefa_league_phase import is_league_phase_round
    from matchday.simulate.bracket import simulate_bracket
    from matchday.simulate.tie_model import knockout_params
    from matchday.workflows import bracket_state, team_names

    comp = _competition(competition, "cup")
    with open_store(db) as store:
        named = season
        cutoff = _question_as_of(store, competition, season, as_of, kind="cup")
        season = _season(season, cutoff)
        stored_rounds = store.matches([comp.code], [season])["round"].astype(str)
    if has_league_phase(comp.code, season) and stored_rounds.map(is_league_phase_round).any():
        # 2024-25 on: the league phase, then the bracket fixed by league-phase position
        _uefa_bracket(comp, season, cutoff.isoformat(), model=model, sims=sims, seed=seed, db=db, json_=json_,
                      csv=csv, no_cache=no_cache)
        return
    # an older format, or a store that holds only the knockout rounds of a season: the rounds as stored
    with open_store(db) as store:
        _require_season(store, comp.code, season, why=None if named else f"the season running on {cutoff.isoformat()}")
        first_round, ties, later, draws = bracket_state(store.matches([comp.code], [season]), comp.code, season,
                                                        cutoff)
        fitted, provenance = _fit(store, model, cutoff, no_cache)
        clubs = [t for tie_ in ties for t in (tie_.home, tie_.away)] + [c for r in later for c in r.entrants]
        names = team_names(store, clubs)

    _fallback_note(fitted, model, [t.home for t in ties], [t.away for t in ties], [comp.code] * len(ties))
    predict = functools.partial(fitted.predict_many, competition=comp.code)
    with _progress_bar("simulating brackets") as progress:
        result = simulate_bracket(ties, later, predict, first_round=first_round,
                                  params=knockout_params(season, comp.code), n=sims, seed=seed, progress=progress)
    frame = result.table.copy()
    frame.insert(0, "club", frame.index.map(names))
    frame = frame.sort_values(frame.columns[-1], ascending=False).reset_index(drop=True)
    if not (json_ or csv):
        for column in frame.columns[1:]:
            frame[column] = _pct(frame[column])

    from matchday.workflows import later_round_note

    caption = "; ".join(f"{r.name}: {later_round_note(r, draws)}" for r in later)
    emit(frame, as_json=json_, as_csv=csv,
         title=f"{comp.name} {season} from the {first_round.name.lower()} (as of {cutoff.isoformat()}, {sims:,} sims, seed {seed})",
         caption=caption, basis=_basis(provenance, sims=sims, seed=seed, competitions=[comp.code]),
         meta={"competition": comp.code, "season": season, "first_round": first_round.name})


_refuse_bracket_before_round_of_16 = workflows.refuse_bracket_before_round_of_16  # shared with the web layer


@app.command("validate-ties")
def validate_ties(
    data: Annotated[Path | None, typer.Option("--data", help="Folder laid out like shared/data: every UEFA file under "
                                              "it gives the extra-time estimate, and files the store lacks are "
                                              "named (default ../shared/data when present).")] = None,
    output: Annotated[Path, typer.Option("--output", help="Markdown file to write.")] = Path("docs/validation.md"),
    model: ModelOption = DEFAULT_MODEL,
    seasons: Annotated[str | None, typer.Option("--seasons", help="Only ties of these seasons, e.g. 2019-20:2024-25 "
                                                "(default: every stored season).")] = None,
    db: DbOption = None,
) -> None:
    """Score the tie model (what `tie` and `bracket` print) on every stored two-legged tie, as of the day after
    its first leg; estimate the extra-time factor from every source; write docs/validation.md."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from matchday.data.seasons import season_range
    from matchday.evaluate.ties import run_validation

    if data is None:
        default = Path("../shared/data")
        data = default if default.exists() else None
    elif not data.exists():
        raise MatchdayError(f"--data {data}: no such folder (it needs engsoccerdata/champs.csv or "
                            "openfootball/champions-league/)")
    season_list = season_range(seasons) if seasons else None
    from matchday.models import checked_model_name

    checked_model_name(model)  # before the store is read and the progress bar starts
    with open_store(db) as store, Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                                           TimeElapsedColumn(), console=err_console) as bar:
        task = bar.add_task(f"fitting {model} as of each first-leg day", total=None)
        validation, extra, _ = run_validation(store, model=model, data=data, output=output, seasons=season_list,
                                              progress=lambda done, total: bar.update(task, completed=done, total=total))
    console.print(f"wrote {output}: {len(validation.ties)} ties scored, {len(validation.fits)} model fits"
                  + (f", extra-time factor {extra.pooled.factor:.3f} (SE {extra.pooled.se:.3f})" if extra else ""))


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
    seasons: Annotated[str | None, typer.Option("--seasons", help="Season range (default: every season the store "
                                                "holds for those leagues).")] = None,
    model: ModelOption = "dixon-coles",
    sims: Annotated[int, sims_option("Simulations per league, season and checkpoint")] = 10_000,
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
                                           TimeElapsedColumn(), console=err_console, transient=True) as progress:
        if seasons:
            season_list = season_range(seasons)
        else:
            available = store.available()
            season_list = sorted(available.loc[available["competition"].isin(codes), "season"].unique())
            if not season_list:
                raise MatchdayError(f"no {', '.join(codes)} season in the store at {store.path}; run `matchday sync`")
        task = progress.add_task("calibration", total=None)
        forecasts = season_forecasts(store, codes, season_list, model=model, n_sims=sims, seed=seed,
                                     progress=lambda done, total: progress.update(task, completed=done, total=total))
    coverage = forecasts.attrs["coverage"]
    left = coverage[~coverage["evaluated"]]
    if forecasts.empty:
        reasons = "; ".join(f"{r.competition} {r.season}: {r.reason}"
                            for r in left.drop_duplicates(["competition", "season"]).head(5).itertuples())
        raise MatchdayError(f"nothing to evaluate for {', '.join(codes)} {season_list[0]} to {season_list[-1]}: "
                            f"{reasons}" + (" ..." if left[["competition", "season"]].drop_duplicates().shape[0] > 5 else ""))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(season_calibration_report(forecasts, model=model, n_sims=sims, seed=seed), encoding="utf-8")
    if forecasts_csv:
        forecasts.to_csv(forecasts_csv, index=False)
    console.print(f"wrote {output} ({len(forecasts):,} forecasts; {int(coverage['evaluated'].sum())} league-season "
                  f"checkpoints evaluated, {len(left)} left out, each with its reason in the report)")


@app.command("calibrate-uefa")
def calibrate_uefa(
    competitions: Annotated[list[str] | None, typer.Argument(help="UEFA competitions (default UCL UEL UECL).")] = None,
    seasons: Annotated[str, typer.Option("--seasons", help="Season or range (league-phase format: 2024-25 on).")] =
        "2024-25",
    model: ModelOption = DEFAULT_MODEL,
    sims: Annotated[int, sims_option("Simulations per competition, season and checkpoint")] = 10_000,
    seed: SeedOption = 0,
    output: Annotated[Path, typer.Option("--output", help="Markdown file to write.")] = Path("docs/uefa-calibration.md"),
    forecasts_csv: Annotated[Path | None, typer.Option("--forecasts-csv", help="Also save every forecast as CSV.")] = None,
    db: DbOption = None,
) -> None:
    """Back-test league-phase forecasts (P(top 8), P(9-24)) at three checkpoints against the final tables."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from matchday.data.competitions import resolve_competition
    from matchday.data.seasons import season_range
    from matchday.evaluate.uefa import league_phase_forecasts, uefa_calibration_report

    codes = [resolve_competition(c).code for c in (competitions or ["UCL", "UEL", "UECL"])]
    for code in codes:
        _competition(code, "cup")
    with open_store(db) as store, Progress(TextColumn("[bold]league-phase forecasts"), BarColumn(),
                                           MofNCompleteColumn(), TimeElapsedColumn(), console=err_console) as progress:
        task = progress.add_task("calibration", total=None)
        forecasts = league_phase_forecasts(store, codes, season_range(seasons), model=model, n_sims=sims, seed=seed,
                                           progress=lambda done, total: progress.update(task, completed=done,
                                                                                        total=total))
    for line in forecasts.attrs.get("skipped", []):
        err_console.print(f"[yellow]skipped:[/] {line}")
    if forecasts.empty:
        raise MatchdayError("no complete league phase in the store for those competitions and seasons "
                            "(2024-25 on; run `matchday sync UCL UEL UECL`)")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(uefa_calibration_report(forecasts, model=model, n_sims=sims, seed=seed), encoding="utf-8")
    if forecasts_csv:
        forecasts.to_csv(forecasts_csv, index=False)
    console.print(f"wrote {output} ({len(forecasts):,} forecasts)")


# --------------------------------------------------------------------------- the running season
NowSims = Annotated[int, sims_option("Simulated seasons per competition")]
NowCompetitions = Annotated[list[str] | None, typer.Argument(help="Competitions (default: every stored one).")]
NowAsOf = Annotated[str | None, typer.Option("--as-of", help="Use what was known at the end of this day "
                                             "(default: the latest stored result).")]


def _now_settings(store: Store, as_of: str | None, model: str, sims: int, seed: int, competitions: list[str] | None):
    from matchday.data.competitions import resolve_competition
    from matchday.views import NowSettings, competition_seasons, data_as_of

    cutoff = parse_date(as_of) or data_as_of(store)
    codes = [resolve_competition(c).code for c in competitions] if competitions else None
    return NowSettings(as_of=cutoff, model=model, sims=sims, seed=seed), competition_seasons(store, cutoff, codes)


def _log_view_forecasts(db: Path | None, views: list, command: str) -> None:
    """Log the views' fixture forecasts (the track record grades them later); a busy store only warns."""
    from matchday.data.errors import StoreBusyError
    from matchday.views import log_view_forecasts

    if not any(v.get("fixtures") for v in views):
        return
    try:
        with open_store(db, read_only=False) as store:
            log_view_forecasts(store, views, command)
    except StoreBusyError as exc:
        err_console.print(f"[yellow]warning:[/] forecasts not logged: {_one_line(exc)}", highlight=False,
                          soft_wrap=True)


def _compute_views(db: Path | None, as_of: str | None, model: str, sims: int, seed: int,
                   competitions: list[str] | None, *, reuse: bool):
    """(settings, views, how many came from the store): stored fresh views when ``reuse``, the rest computed
    with one model fit."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from matchday.views import compute_views, data_fingerprint, read_views, view_key

    with open_store(db) as store:
        settings, units = _now_settings(store, as_of, model, sims, seed, competitions)
        fingerprint = data_fingerprint(store)
        keys = {unit: view_key(settings.question(*unit), fingerprint) for unit in units}
        stored = read_views(store, keys.values()) if reuse else {}
        todo = [unit for unit in units if keys[unit] not in stored]
        computed = []
        if todo:
            fitted, provenance = _fit(store, model, settings.as_of)  # each view keeps its basis
            with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), console=err_console, transient=True) as progress:
                task = progress.add_task("projecting", total=len(todo))
                computed = compute_views(store, settings, todo, fitted=fitted, provenance=provenance,
                                         progress=lambda done, total, code: progress.update(
                                             task, completed=done, description=f"projecting {code}"))
    by_unit = {(v["competition"], v["season"]): v for v in computed}
    views = [stored.get(keys[unit]) or by_unit[unit] for unit in units]
    return settings, views, computed, len(units) - len(todo)


def _now_frames(view: dict) -> tuple[pd.DataFrame | None, pd.DataFrame]:
    """(standings with the projection, next fixtures) of a view, for people."""
    import pandas as pd

    projection = view.get("projection")
    frame = None
    if projection:
        data = pd.DataFrame(projection)
        frame = pd.DataFrame({"club": data["club"], "P": data["played"], "Pts": data["points"],
                              "xPts": [f"{v:.1f}" for v in data["expected_points"]]})
        if "position" in data:
            frame.insert(0, "#", data["position"])
        labels = {"p_title": "title", "p_promotion": "promotion", "p_europe": "Europe", "p_relegation": "releg.",
                  "p_top8": "top 8", "p_playoff": "9-24", "p_eliminated": "out", "p_quarter_final": "QF",
                  "p_winner": "win"}
        for column in data.columns:
            if column in labels or (column.startswith("p_top") and column != "p_top8"):
                frame[labels.get(column, column[2:])] = _pct(data[column])
    elif view.get("table"):
        data = pd.DataFrame(view["table"])
        frame = data[[c for c in ("position", "club", "played", "points") if c in data.columns]]
    elif view.get("bracket") and view["bracket"].get("clubs"):
        data = pd.DataFrame(view["bracket"]["clubs"])
        frame = data[["club"]].copy()
        for column in data.columns[2:]:
            frame[column] = _pct(data[column])
    rows = []
    for f in view.get("fixtures") or []:
        market = f.get("market") or {}
        rows.append({"date": f["date"], "home": f["home_name"], "away": f["away_name"],
                     "1": _pct([f["p_home"]])[0], "X": _pct([f["p_draw"]])[0], "2": _pct([f["p_away"]])[0],
                     "market 1": _pct([market["p_home"]])[0] if market else "",
                     "market X": _pct([market["p_draw"]])[0] if market else "",
                     "market 2": _pct([market["p_away"]])[0] if market else ""})
    return frame, pd.DataFrame(rows)


@app.command()
def now(
    competitions: NowCompetitions = None,
    as_of: NowAsOf = None,
    model: ModelOption = DEFAULT_MODEL,
    sims: NowSims = 10_000,
    seed: SeedOption = 0,
    fresh: Annotated[bool, typer.Option("--recompute", help="Compute even when `matchday update` stored the "
                                        "views for the same data.")] = False,
    db: DbOption = None,
    json_: FormatJson = False,
) -> None:
    """Every stored league and UEFA competition as of the latest data: the table, the season projection
    (title, Europe, relegation, promotion; UEFA: league-phase odds and the knockout phase) and the next
    round of fixtures with the model's and the market's probabilities."""
    import json

    settings, views, computed, reused = _compute_views(db, as_of, model, sims, seed, competitions, reuse=not fresh)
    _log_view_forecasts(db, computed, "now")
    if json_:
        payload = {"as_of": settings.as_of.isoformat(), "model": model, "sims": sims, "seed": seed,
                   "from_store": reused, "competitions": views}
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return
    console.print(f"[bold]matchday now[/]: as of {settings.as_of.isoformat()} ({model}, {sims:,} simulations, seed "
                  f"{seed}; {reused} of {len(views)} views from `matchday update`)", highlight=False)
    for view in views:
        standings, fixtures = _now_frames(view)
        title = f"{view['name']} {view['season']} as of {view['as_of']}"
        caption = "; ".join(view.get("notes") or []) or None
        if standings is not None:
            emit(standings, as_json=False, as_csv=False, title=title, caption=caption)
        else:
            console.print(f"[bold]{title}[/]: {caption or 'nothing to show'}", highlight=False)
        if not fixtures.empty:
            emit(fixtures, as_json=False, as_csv=False, title=f"{view['name']}: next fixtures",
                 caption="model 1X2 beside the pre-match market (margin removed) where odds are stored")


@app.command()
def update(
    competitions: NowCompetitions = None,
    as_of: NowAsOf = None,
    model: ModelOption = DEFAULT_MODEL,
    sims: NowSims = 10_000,
    seed: SeedOption = 0,
    db: DbOption = None,
) -> None:
    """Compute the `matchday now` views of every stored competition and keep them in the store (with the
    model, data window, as-of date, seed, simulations and a fingerprint of the data), so that `now` and the
    web pages read them instead of refitting; log their fixture forecasts for the track record."""
    import time

    from matchday.views import save_views

    started = time.perf_counter()
    settings, views, computed, _ = _compute_views(db, as_of, model, sims, seed, competitions, reuse=False)
    with open_store(db, read_only=False) as store:
        written = save_views(store, views)
    _log_view_forecasts(db, computed, "update")
    fixtures = sum(len(v.get("fixtures") or []) for v in views)
    console.print(f"[green]updated[/] {written} views as of {settings.as_of.isoformat()} ({model}, {sims:,} sims, "
                  f"seed {seed}; {fixtures} fixture forecasts logged) in {time.perf_counter() - started:.1f} s")
    for view in views:
        for note in view.get("notes") or []:
            if note.startswith("no projection"):
                err_console.print(f"[yellow]{view['competition']}:[/] {note}", highlight=False)


@app.command("track-record")
def track_record_command(
    model: Annotated[str | None, typer.Option("--model", help="Only this model's forecasts.")] = None,
    competition: Annotated[str | None, typer.Option("--competition", help="Only this competition.")] = None,
    since: Annotated[str | None, typer.Option("--since", help="Only matches from this date (YYYY-MM-DD).")] = None,
    live_only: Annotated[bool, typer.Option("--live-only", help="Only forecasts logged before the match day "
                                            "(not those asked about the past with --as-of).")] = False,
    backtests: Annotated[bool, typer.Option("--backtests", help="Also grade the walk-forward backtests' "
                                            "forecasts (kept apart by default).")] = False,
    matches: Annotated[bool, typer.Option("--matches", help="List every graded forecast instead.")] = False,
    db: DbOption = None,
    json_: FormatJson = False,
    csv: FormatCsv = False,
) -> None:
    """How good the logged forecasts have been: forecasts made before matches (predict, now, update),
    graded once the results are stored: RPS, log loss and calibration per competition and model, next to
    the pre-match market where odds exist."""
    import json

    from matchday.workflows import track_record_from_store

    with open_store(db) as store:  # the same function as the web's track record
        record = track_record_from_store(store, model=model, competition=competition,
                                         since=parse_date(since, "--since"), live_only=live_only,
                                         include_backtests=backtests)
    graded, summary, caption = record.graded, record.summary, record.caption
    pending, unlinked = record.pending, record.unlinked
    if matches:
        emit(graded, as_json=json_, as_csv=csv, title="graded forecasts", caption=caption)
        return
    if json_:
        payload = {"summary": json.loads(summary.to_json(orient="records", date_format="iso")),
                   "calibration": json.loads(record.calibration.to_json(orient="records")),
                   "graded": len(graded), "pending": pending, "unlinked": unlinked}
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return
    if graded.empty:
        console.print("no graded forecast yet: forecasts are logged by `matchday predict`, `now` and `update`, "
                      f"and graded once their matches' results are synced ({caption})", highlight=False)
        return
    emit(summary.round(4) if not csv else summary, as_json=False, as_csv=csv, title="track record", caption=caption)
    if not csv:
        emit(record.calibration.round(3), as_json=False, as_csv=False,
             title="calibration of the graded 1X2 probabilities",
             caption="calibrated: the observed frequency lies between ci_low and ci_high around the mean forecast")


# --------------------------------------------------------------------------- rotation
@app.command()
def rotate(
    club: Annotated[str, typer.Argument(help="The club to advise (any known name).")],
    as_of: AsOfOption = None,
    weights: Annotated[str, typer.Option("--weights", help="Objective weights: title (win the league), topN (finish "
                                         "in the top N), europe (a European place in the league), trophy (win the "
                                         "UEFA competition the club plays), final, semi, points; e.g. "
                                         "title=1,trophy=0.5,top4=0.3.")] = "title=1,trophy=0.5,top4=0.3",
    squad: Annotated[Path | None, typer.Option("--squad", help="Squad CSV (see docs/squad-file.md); default: "
                                               "the two-tier model.")] = None,
    plan: Annotated[list[str] | None, typer.Option("--plan", help="A plan: a named plan ('all in league', 'all in "
                                                   "Europe', 'balanced', 'full strength') or rules like "
                                                   "'rest Bergamo: UEL=second, fulham=partial'. Repeatable.")] = None,
    gap: Annotated[float | None, typer.Option("--gap", help="Second-string strength gap (log goals; default 0.30).")] = None,
    sims: Annotated[int, sims_option("Simulated futures (the same for every plan)", minimum=2,
                                     maximum=MAX_ROTATION_SIMS, why_minimum=WHY_ROTATION_MINIMUM)] = 20_000,
    seed: SeedOption = 0,
    sensitivity: Annotated[bool, typer.Option("--sensitivity/--no-sensitivity",
                                              help="Also vary the gap, the points situation and the weights.")] = True,
    chart: Annotated[Path | None, typer.Option("--chart", help="Write a PNG chart of the plans and the stance flip.")] = None,
    model: ModelOption = DEFAULT_MODEL,
    no_cache: NoCacheOption = False,
    db: DbOption = None,
    json_: FormatJson = False,
    csv: FormatCsv = False,
) -> None:
    """Which rotation plan gives the best season, by how much, how sure, and what would flip the answer."""
    import json
    import warnings

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from matchday.workflows import analyse_rotation, resolve_club, team_names

    chart = _chart_path(chart, "--chart")
    with open_store(db) as store:
        club_id = resolve_club(store, club)
        cutoff = _as_of(store, as_of, what=team_names(store, [club_id])[club_id], teams=[club_id])
    with open_store(db) as store, Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                                           TimeElapsedColumn(), console=err_console, transient=True) as progress, \
            warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FutureWarning)
        task = progress.add_task("evaluating plans", total=None)
        analysis = analyse_rotation(
            store, club_id, cutoff, weights=weights, plans=plan or None, squad=squad, gap=gap, model=model,
            n_sims=sims, seed=seed, progress=lambda done, total: progress.update(task, completed=done, total=total),
            cache=False if no_cache else None,
        )
        if sensitivity:
            progress.update(task, description="sensitivity", completed=0)
            analysis.simulator.progress = lambda done, total: progress.update(task, completed=done, total=total)
            analysis.gap_sensitivity()
            analysis.points_sensitivity()
            analysis.weight_sensitivity()
    for warning in caught:
        if issubclass(warning.category, FutureWarning):
            err_console.print(f"[yellow]warning:[/] {_one_line(warning.message)}", highlight=False, soft_wrap=True)
    if chart:
        analysis.plot(chart)
        err_console.print(f"wrote {chart}")
    if json_:
        sys.stdout.write(json.dumps(analysis.to_dict(), indent=2, default=str) + "\n")
        return
    table = analysis.table
    if csv:
        sys.stdout.write(table.to_csv(index=False))
        err_console.print(_one_line("Based on " + analysis.basis(), 4000), highlight=False, soft_wrap=True)
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
         caption=f"objective = {analysis.weights_label()} ("
                 + "; ".join(f"{k}: {analysis.outcome_label(k)}" for k in analysis.weights)
                 + "); ± = Monte Carlo standard error; vs best: paired on the same futures\nBased on "
                 + analysis.basis())
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
    sims: Annotated[int, sims_option("Simulated futures per analysis", minimum=2, maximum=MAX_ROTATION_SIMS,
                                     why_minimum=WHY_ROTATION_MINIMUM)] = 20_000,
    seed: SeedOption = 0,
    no_cache: NoCacheOption = False,
    db: DbOption = None,
) -> None:
    """Write the Liverpool April 2024 case study (every figure computed here, from the store)."""
    from matchday.reports.case_study import liverpool_april_2024

    with open_store(db) as store, err_console.status("computing the case study ..."):
        path = liverpool_april_2024(store, output, n_sims=sims, seed=seed, cache=False if no_cache else None)
    console.print(f"wrote {path}")


@app.command()
def demo(
    mirror: MirrorOption = None,
    sims: Annotated[int, sims_option("Simulations for each step", minimum=2, maximum=MAX_ROTATION_SIMS,
                                     why_minimum=WHY_ROTATION_MINIMUM)] = 20_000,
    seed: SeedOption = 0,
    no_cache: NoCacheOption = False,
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

    from matchday.models.training import training_seasons
    from matchday.reports.case_study import DATES

    # what the models train on for the story's dates (the same window as the case study): nothing less
    seasons = sorted({s for date in DATES for s in training_seasons(date)})
    header(f"Sync the {seasons[0]} to {seasons[-1]} data (leagues, UEFA, odds: the seasons the models train on "
           "for April 2024)")
    with open_store(db, read_only=False) as store:
        report = run_sync(store, None, seasons, urls=SourceURLs.resolve(mirror=mirror))
        console.print(f"{report.read} matches read, {report.added} added, {report.odds_added} odds added -> {store.path}")
        db_path = store.path
    header("The Premier League table on 14 April 2024 (after Liverpool 0-1 Crystal Palace)")
    table(competition="E0", season="2023-24", as_of="2024-04-14", db=db_path, json_=False, csv=False)
    header("Liverpool v Atalanta before the first leg (10 April)")
    tie(team_a="Liverpool", team_b="Atalanta", first_leg=None, final=False, as_of="2024-04-10", model=DEFAULT_MODEL, no_cache=no_cache,
        competition="UEL", sims=0, seed=seed, db=db_path, json_=False, csv=False)
    header("How likely is a comeback from 0-3? (12 April)")
    tie(team_a="Atalanta", team_b="Liverpool", first_leg="Liverpool 0-3 Atalanta", final=False, as_of="2024-04-12",
        model=DEFAULT_MODEL, no_cache=no_cache, competition="UEL", sims=0, seed=seed, db=db_path, json_=False, csv=False)
    header("Title odds on 15 April")
    simulate(competition="E0", season="2023-24", as_of="2024-04-15", model=DEFAULT_MODEL, no_cache=no_cache, sims=sims, seed=seed,
             heatmap=None, positions=False, db=db_path, json_=False, csv=False)
    header("Who is top if Liverpool beat Fulham and Arsenal don't win at Wolves?")
    whatif(competition="E0", season="2023-24", given=["Fulham v Liverpool: away win", "Wolves v Arsenal: not away win"],
           ask="top", until=None, as_of="2024-04-15", model=DEFAULT_MODEL, no_cache=no_cache, sims=sims, seed=seed, db=db_path,
           json_=False, csv=False)
    header("Rest the first team in Bergamo, or throw the lot at it?")
    rotate(club="Liverpool", as_of="2024-04-15", weights="title=1,trophy=0.5,top4=0.3", squad=None, plan=None,
           gap=None, sims=sims, seed=seed, sensitivity=False, chart=None, model=DEFAULT_MODEL, no_cache=no_cache, db=db_path,
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


def _one_line(text: object, limit: int = 400) -> str:
    """``text`` on one line (at most ``limit`` characters), escaped for Rich markup: a message that
    quotes ``[awarded]`` or ``[/]`` from a file must print as written."""
    from rich.markup import escape

    text = " ".join(str(text).split())
    return escape(text if len(text) <= limit else text[: limit - 3] + "...")


def main() -> None:
    """Entry point for every command: a problem prints one line (never a traceback) and sets the exit code.

    2: bad input (a usage error: unknown option, missing argument, a value out of range, ...; a
    MatchdayError) or a store / file / network problem the user can act on (a DuckDB or operating-system
    error); 130: interrupted; 1: a bug in matchday (set MATCHDAY_DEBUG=1 for the traceback). A command may
    also exit 3 (``sync --skip-bad-files`` left files out).
    """
    import os

    try:
        code = app(standalone_mode=False)  # usage errors come back here, printed on one line below
    except _usage_errors() as exc:  # UsageError, BadParameter, NoSuchOption, ...
        err_console.print(f"[red]error:[/] {_one_line(exc.format_message())}{_usage_hint(exc)}", highlight=False,
                          soft_wrap=True)
        raise SystemExit(2) from None
    except MatchdayError as exc:
        err_console.print(f"[red]error:[/] {_one_line(exc)}", highlight=False, soft_wrap=True)  # markup escaped
        raise SystemExit(2) from None
    except (KeyboardInterrupt, typer.Abort):
        err_console.print("[red]interrupted[/]", highlight=False)
        raise SystemExit(130) from None
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, never a traceback
        if os.environ.get("MATCHDAY_DEBUG"):
            raise
        kind = _environment_error(exc)
        if kind is not None:
            err_console.print(f"[red]error:[/] {kind}: {_one_line(exc)}", highlight=False, soft_wrap=True)
            raise SystemExit(2) from None
        err_console.print(f"[red]internal error (a bug in matchday):[/] {type(exc).__name__}: {_one_line(exc)}; "
                          "run with MATCHDAY_DEBUG=1 for the traceback", highlight=False, soft_wrap=True)
        raise SystemExit(1) from None
    if code == 130:  # Ctrl+C inside a command (Click turns it into exit code 130)
        err_console.print("[red]interrupted[/]", highlight=False)
    if isinstance(code, int) and code:
        raise SystemExit(code)


def _usage_errors() -> tuple[type[Exception], ...]:
    """The exception classes of command-line usage errors: Typer's own (Typer >= 0.26 vendors Click) and
    Click's (older Typer)."""
    import importlib

    kinds = []
    for module, name in (("typer", "TyperException"), ("click.exceptions", "ClickException")):
        try:
            kinds.append(getattr(importlib.import_module(module), name))
        except (ImportError, AttributeError):
            continue
    return tuple(kinds)


def _usage_hint(exc: Exception) -> str:
    """' (see `matchday CMD --help`)' for a usage error raised while reading a command's arguments."""
    ctx = getattr(exc, "ctx", None)
    if ctx is None:
        return ""
    return " " + _one_line(f"(see `{ctx.command_path} --help`)")


def _environment_error(exc: BaseException) -> str | None:
    """A short label for errors that come from the machine, not from matchday: disk, permissions, store."""
    if isinstance(exc, OSError):
        return "system error"
    module = type(exc).__module__ or ""
    if module.startswith(("duckdb", "_duckdb")):
        return "store error"
    return None


if __name__ == "__main__":  # pragma: no cover
    main()
