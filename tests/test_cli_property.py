"""Property test of the whole command line (issue 9): every command, with arguments drawn from a grammar of
plausible and broken values, ends with exit 0 (or 3: ``sync`` left unreadable files out) or with one line
``error: ...`` and exit 2 (the last line on stderr; before it only the notes commands print as they go, such
as the as-of date chosen or a cached fit): never a traceback, never ``internal error`` (exit 1).

The commands and their options are read from the Typer app, so a new command or option is covered without
touching this file: each parameter draws from the grammar of its name (dates, seasons, competitions, clubs,
counts, seeds, paths, conditions, plans, weights, models, URLs, ...) or, for a name this file does not know,
from the grammar of its type (whole numbers, numbers, paths, text). Every example runs ``matchday.cli.main()``
in-process, as the console script does, on its own copy of a small real store (``synced_db``: the leagues and
UEFA competitions of 2022-23 and 2023-24), in its own working folder, with a tiny local mirror of the real
data as ``MATCHDAY_MIRROR``; no socket may reach beyond the loopback interface. ``serve`` runs up to the
point where it would start the web server (``uvicorn.run`` returns at once here).

Speed. By default 200 examples in all (spread over the commands, fewer for the slow ones; well under a
minute on an idle machine), and the costliest values of a few options come from a narrower grammar (listed
in ``FAST_GRAMMAR``: a backtest starts late in the season, a calibration covers one season). A longer run
with the full grammar::

    MATCHDAY_PROPERTY_EXAMPLES=5000 python -m pytest -p no:cacheprovider tests/test_cli_property.py

(the number is the total of examples over all commands; ``MATCHDAY_PROPERTY_COMMANDS=simulate,whatif``
restricts the run to some commands; ``MATCHDAY_PROPERTY_LOG=file`` appends each example's exit code, command
line and last line on stderr to that file). Hypothesis prints the failing command line.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import socket
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from matchday import cli

pytestmark = pytest.mark.filterwarnings("ignore")

TOTAL = int(os.environ.get("MATCHDAY_PROPERTY_EXAMPLES", "0") or 0)
LONG = TOTAL > 0
TOTAL = TOTAL or 200
ONLY = [c for c in os.environ.get("MATCHDAY_PROPERTY_COMMANDS", "").split(",") if c]
LOG = os.environ.get("MATCHDAY_PROPERTY_LOG")  # append "exit code, command line, last stderr line" per example

#: Relative cost of one example of a command (default 1): slow commands get fewer examples.
COST = {"demo": 12.0, "case-study": 12.0, "backtest": 4.0, "sweep": 4.0, "calibrate-seasons": 4.0, "fatigue": 3.0,
        "validate-ties": 4.0, "check-scale": 4.0, "sanity-sweep": 2.0, "rotate": 2.0, "ratings": 2.0, "predict": 2.0}


def _commands() -> dict[str, object]:
    import typer

    group = typer.main.get_command(cli.app)
    return dict(group.commands)


COMMANDS = _commands()
GLOBAL_PARAMS = list(__import__("typer").main.get_command(cli.app).params)


# --------------------------------------------------------------------------------------------- value grammars
def one_of(*values: str) -> st.SearchStrategy[str]:
    return st.sampled_from(values)


class Values:
    """The grammar of one kind of value: plausible values (what a user would type, right or wrong about the
    data) and broken ones (malformed, impossible, out of range, hostile)."""

    def __init__(self, plausible: st.SearchStrategy[str], broken: st.SearchStrategy[str] | None = None) -> None:
        self.plausible = plausible
        self.broken = broken if broken is not None else BROKEN_TEXT

    def draw(self, mixed: bool) -> st.SearchStrategy[str]:
        """Plausible values only, or mostly plausible with broken ones among them."""
        return st.one_of(self.plausible, self.plausible, self.broken) if mixed else self.plausible


BROKEN_TEXT = one_of("", " ", "-", "--", "?", "'", '"', "\\", "%s", "{}", "[/]", "[red]x", "NaN", "None", "null",
                     "0", "-1", "x" * 300, "é", "日本", "🦊", "\t", "a\nb", "; DROP TABLE matches; --", "../../etc/passwd",
                     "\x00", "\u202e")
DATES = Values(one_of("2024-04-15", "2024-04-12", "2024-04-10", "2023-10-01", "2024-05-19", "2022-08-01",
                      "2023-08-11", "2023-05-28"),
               one_of("2024-02-30", "2023-13-01", "2024-00-10", "2024-04-31", "15/04/2024", "2024-4-15", "yesterday",
                      "1900-01-01", "0001-01-01", "2100-01-01", "9999-12-31", "2024-04-15T12:00", "20240415", ""))
SEASONS = Values(one_of("2023-24", "2022-23", "2023/24", "2022-23:2023-24", "2015-16", "2024-25"),
                 one_of("2023-2024", "2030-31", "2023-25", "23-24", "1899-00", "2023", "abcd", "2012-13:2023-24",
                        "2023-24:2022-23", "2023-24:", ":", "9999-00", ""))
COMPETITIONS = Values(one_of("E0", "UEL", "UCL", "UECL", "SP1", "I1", "D1", "E1", "SC0", "G1", "Premier League",
                             "premier league", "Europa League", "Champions League", "Eredivisie"),
                      one_of("XX9", "E", "ＥＯ", "E0 ", "UEL,UCL", "e0", ""))
CLUBS = Values(one_of("Liverpool", "Atalanta", "Arsenal", "Man City", "Manchester City", "Wolves", "Fulham",
                      "Tottenham", "Bayer Leverkusen", "Roma", "Real Madrid", "liverpool", "Inter", "Marseille"),
               one_of("Liverpol", "United", "FC", "Real", "Müller", "Atlético", "Бавария", "LIVERPOOL", "N.N.", ""))
E0_CLUBS = one_of("Fulham", "Liverpool", "Wolves", "Arsenal", "Man City", "Tottenham", "Aston Villa", "Chelsea",
                  "Everton", "Brighton", "Luton", "Sheffield United")
OUTCOMES = one_of("home win", "draw", "away win", "not home win", "not draw", "not away win", "Liverpool win",
                  "Liverpool wins", "Arsenal does not win", "Arsenal don't win", "Fulham draws or loses",
                  "Liverpool loses", "2-1", "0-2", "1:1", "Liverpool win by 2+", "25-0", "10-10",
                  "Liverpool win by 11")
CONDITIONS = Values(
    st.one_of(st.builds(lambda h, a, o: f"{h} v {a}: {o}", E0_CLUBS, E0_CLUBS, OUTCOMES),
              st.builds(lambda o: f"Fulham v Liverpool: {o}", OUTCOMES)),
    st.one_of(BROKEN_TEXT, st.builds(lambda o: f"Fulham v Liverpool: {o}",
                                     one_of("Liverpool win by 99999999999999999999", "home", "x", "", "win",
                                            "Atalanta win", "99-0")),
              one_of("Fulham v Liverpool", "Fulham - Liverpool: away win", "Fulham vs. Liverpool : 0-2",
                     "Atalanta v Liverpool: home win", "Liverpol v Fulham: draw")))
SIMS = Values(one_of("2", "3", "10", "50", "200"),
              one_of("-5", "0", "1", "1000000000", "99999999999999999999", "abc", "1e3", "", "2.5"))
SEEDS = Values(one_of("0", "1", "7", "4294967295"), one_of("-1", "4294967296", "abc", "", "1.5"))
COUNTS = Values(one_of("1", "3", "10", "1000"), one_of("-5", "-1", "0", "99999999999999999999", "abc", "1.5", ""))
FLOATS = Values(one_of("0", "0.3", "1", "0.0001"), one_of("-1", "nan", "inf", "-inf", "1e308", "abc", ""))
MODELS = Values(one_of("dixon-coles", "poisson", "negative-binomial", "bivariate-poisson", "shots-dixon-coles", "elo"),
                one_of("nope", "", "Dixon-Coles"))
WEIGHTS = Values(one_of("title=1,europa=0.5,top4=0.3", "title=1", "trophy=2,title=1", "top4=1", "points=1",
                        "title=1,final=0.5"),
                 one_of("title=abc", "", "=", "title=-1", "bogus=1", "title=1e400", "title=nan", "top99=1",
                        "title=1,title=2", "title"))
PLANS = Values(one_of("all in league", "all in Europe", "balanced", "full strength", "rest Bergamo: UEL=second",
                      "UEL=second, fulham=partial"),
               one_of("garbage", "", "rest: =", "nonsense=full", "E0=second", "UEL=bogus"))
FIRST_LEGS = Values(
    st.builds(lambda h, a, x, y: f"{h} {x}-{y} {a}", one_of("Liverpool", "Atalanta", "Arsenal", "Roma"),
              one_of("Atalanta", "Liverpool", "Bayern", "Roma"), one_of("0", "1", "3"), one_of("0", "3")),
    st.one_of(BROKEN_TEXT, one_of("Liverpool 0-3", "0-3", "Liverpool v Atalanta", "Liverpool 99-0 Atalanta",
                                  "Liverpool 0-3 Liverpool")))
HOSTS = Values(one_of("127.0.0.1", "localhost", "::1"),
               one_of("[::1]", "0.0.0.0", "999.1.1.1", "", "example.com", "127.0.0.1:80"))
PORTS = Values(one_of("18765", "28765"), one_of("0", "65536", "-1", "abc"))
OUTPUTS = Values(one_of("out.png", "out.svg", "out.md", "out.csv", "sub/out.png"),
                 one_of("out.txt", "out", "sub/dir/out.png", ".", "folder", "notes.txt", "/proc/matchday-test/out.png",
                        "", "out.png/", "/dev/null"))


def _grammar_by_name(workspace: Workspace) -> dict[str, Values]:
    """Value grammar of each parameter name (the Python name Typer gives it)."""
    inputs = Values(st.just(str(workspace.squad)), one_of("notes.txt", "empty.csv", "binary.bin", "folder",
                                                          "missing.csv", "/dev/null", "", "garbage.csv"))
    folders = Values(one_of("cache", str(workspace.mirror), *([str(workspace.shared)] if LONG else [])),
                     one_of(".", "folder", "missing-folder", "notes.txt", "/dev/null", ""))
    mirrors = Values(one_of(str(workspace.mirror), f"file://{workspace.mirror}"),
                     one_of("missing-folder", "notes.txt", "http://127.0.0.1:9", "ftp://example.com", "",
                            "http://example.com", "file:///nonexistent"))
    sources = Values(
        st.builds(lambda name, folder: f"{name}={workspace.mirror / folder}",
                  one_of("football-data", "football-txt"), one_of("football-data", "openfootball/champions-league")),
        st.one_of(st.builds(lambda name, url: f"{name}={url}",
                            one_of("football-data", "openfootball-json", "engsoccerdata", "bogus", ""),
                            one_of("http://127.0.0.1:9", "missing", "", "ftp://x")),
                  one_of("nonsense", "=", "football-data")))
    models = Values(st.lists(MODELS.plausible, min_size=1, max_size=2).map(",".join),
                    st.lists(st.one_of(MODELS.plausible, MODELS.broken), min_size=0, max_size=3).map(",".join))
    refit = Values(one_of("weekly", "gap", *(["daily"] if LONG else [])), one_of("bogus", ""))
    specs = Values(st.just(str(workspace.sweep)), one_of("notes.txt", "empty.csv", "binary.bin", "folder", "missing.toml",
                                                         "garbage.csv", "/dev/null", ""))
    leagues = Values(st.lists(COMPETITIONS.plausible, min_size=1, max_size=2).map(",".join),
                     one_of("", ",", "E0,,XX9", "XX9", "E0;SP1"))
    params = Values(one_of("dixon-coles.xi=0,0.0019", "xi=0.001", "elo.k=15,20", "shrinkage=3.0"),
                    one_of("x", "=", "dixon-coles.nope=1", "xi=", "xi=[1,", "elo.k=abc", "a.b.c=1"))
    schedulers = Values(one_of("serial", "processes:1", *(["processes:2", "processes"] if LONG else [])),
                        one_of("bogus", "processes:0", "local:0", "processes:x", "", "tcp://example.com:8786"))
    jobs = Values(one_of("1", *(["2", "-1"] if LONG else [])), one_of("0", "-5", "abc"))
    ask = Values(one_of("top", "title", "table"), one_of("bogus", ""))
    return {
        "as_of": DATES, "until": DATES, "since": DATES, "start": DATES, "date": DATES,
        "season": SEASONS, "seasons": SEASONS,
        "competition": COMPETITIONS, "competitions": COMPETITIONS, "leagues": COMPETITIONS,
        "leagues_option": leagues,
        "club": CLUBS, "home": CLUBS, "away": CLUBS, "team": CLUBS, "team_a": CLUBS, "team_b": CLUBS, "query": CLUBS,
        "sims": SIMS, "seed": SEEDS, "gap": FLOATS, "lock_wait": FLOATS, "port": PORTS, "workers": COUNTS,
        "model": MODELS, "models": models, "refit": refit, "given": CONDITIONS, "first_leg": FIRST_LEGS,
        "weights": WEIGHTS, "plan": PLANS, "ask": ask, "host": HOSTS, "mirror": mirrors, "source": sources,
        "cache_dir": folders, "data": folders, "squad": inputs, "spec": specs, "param": params,
        "scheduler": schedulers, "jobs": jobs, "history": COUNTS,
        "by": Values(one_of("all", "season", "competition", "competition,season"), one_of("bogus", "")),
    } | {name: OUTPUTS for name in ("heatmap", "chart", "plot", "output", "forecasts_csv")}


#: In the default (fast) run these options draw from a narrower grammar, so that no example runs for minutes;
#: the long run (MATCHDAY_PROPERTY_EXAMPLES) uses the full grammar above.
FAST_GRAMMAR: dict[tuple[str, str], Values] = {
    ("backtest", "start"): Values(one_of("2024-05-12", "2024-05-19"), one_of("2024-02-30", "9999-12-31", "x")),
    ("backtest", "seasons"): Values(st.just("2023-24"), one_of("2015-16", "2023-24:2022-23", "x")),
    ("backtest", "competitions"): Values(st.just("E0"), one_of("XX9", "UEL")),
    ("calibrate-seasons", "seasons"): Values(st.just("2023-24"), one_of("2015-16", "x")),
    ("calibrate-seasons", "competitions"): Values(st.just("E0"), one_of("XX9", "UEL")),
    ("fatigue", "leagues"): Values(st.just("E0"), one_of("XX9", "UEL")),
    ("sweep", "start"): Values(one_of("2024-05-12", "2024-05-19"), one_of("2024-02-30", "x")),
    ("sweep", "seasons"): Values(st.just("2023-24"), one_of("2015-16", "x")),
    ("sweep", "leagues"): Values(st.just("E0"), one_of("XX9", "E0,,")),
    ("sweep", "models"): Values(one_of("dixon-coles", "elo", "poisson"), one_of("nope", "")),
    ("sweep", "refit"): Values(one_of("weekly", "gap"), one_of("bogus",)),
    # a weekly walk-forward of a whole UEFA season takes minutes (tests/test_cross_league.py runs one on
    # simulated leagues): the fast run asks for seasons the store does not hold, or malformed ones
    ("check-scale", "seasons"): Values(one_of("2024-25", "2015-16"), one_of("2023-25", "x")),
    ("sanity-sweep", "seasons"): Values(st.just("2023-24"), one_of("2015-16", "x")),
    ("validate-ties", "seasons"): Values(st.just("2023-24"), one_of("2015-16", "2023-25", "x")),
    ("validate-ties", "model"): Values(one_of("dixon-coles", "poisson", "elo"), one_of("nope", "")),
}
#: Options whose default is costly are always given (a value from their grammar) in the fast run.
ALWAYS = {"sims", "db"}
FAST_ALWAYS = {("backtest", "start"), ("backtest", "seasons"), ("calibrate-seasons", "seasons"),
               ("backtest", "competitions"), ("calibrate-seasons", "competitions"), ("fatigue", "leagues"),
               ("backtest", "jobs"), ("sweep", "jobs"), ("sweep", "start"), ("sweep", "seasons"),
               ("sweep", "leagues"), ("validate-ties", "seasons"), ("check-scale", "seasons"),
               ("sanity-sweep", "seasons"), ("validate-ties", "model")}


def _kind(param) -> str:
    """int, float, bool, path or str: from Typer's annotation (Typer >= 0.26) or Click's type."""
    descriptor = getattr(param, "type_descriptor", None)
    annotation = getattr(descriptor, "annotation", None)
    if annotation is not None:
        text = str(annotation)
        for name, kind in (("bool", "bool"), ("int", "int"), ("float", "float"), ("Path", "path")):
            if name in text:
                return kind
        return "str"
    type_name = getattr(getattr(param, "type", None), "name", "")
    return {"integer": "int", "float": "float", "boolean": "bool", "path": "path"}.get(type_name, "str")


def _values(command: str, param, grammar: dict[str, Values], mixed: bool) -> st.SearchStrategy[str]:
    if not LONG and (command, param.name) in FAST_GRAMMAR:
        return FAST_GRAMMAR[(command, param.name)].draw(mixed)
    name = param.name
    if param.param_type_name == "option" and f"{name}_option" in grammar:  # e.g. --leagues E0,SP1 (one token)
        name = f"{name}_option"
    if name in grammar:
        return grammar[name].draw(mixed)
    fallback = {"int": COUNTS, "float": FLOATS, "path": OUTPUTS}.get(_kind(param), Values(CLUBS.plausible))
    return fallback.draw(mixed)


def _option(command: str, param, grammar, db: st.SearchStrategy[str], mixed: bool) -> st.SearchStrategy[list[str]]:
    """Tokens for one option: absent, its flag, or its name and a value (repeatable options: several)."""
    if getattr(param, "is_flag", False) or _kind(param) == "bool":
        flags = [*param.opts, *getattr(param, "secondary_opts", [])]
        return st.one_of(st.just([]), st.sampled_from(flags).map(lambda f: [f]))
    name = param.opts[0]
    values = db if param.name == "db" else _values(command, param, grammar, mixed)
    if getattr(param, "multiple", False):
        given = st.lists(values, min_size=1, max_size=3).map(lambda vs: [t for v in vs for t in (name, v)])
    else:
        given = values.map(lambda v: [name, v])
    if param.name in ALWAYS or (not LONG and (command, param.name) in FAST_ALWAYS):
        return given
    return st.one_of(st.just([]), given)


def _argument(command: str, param, grammar, mixed: bool) -> st.SearchStrategy[list[str]]:
    values = _values(command, param, grammar, mixed)
    if param.nargs == -1:
        fast = not LONG and (command, param.name) in FAST_ALWAYS
        return st.lists(values, min_size=1 if fast else 0, max_size=1 if fast else 3)
    present = values.map(lambda v: [v])
    if param.required:  # missing now and then in a mixed line (a usage error)
        return st.one_of(present, present, present, st.just([])) if mixed else present
    return st.one_of(present, st.just([]))


def invocations(command: str, workspace: Workspace) -> st.SearchStrategy[list[str]]:
    """Whole command lines for ``command``: global options, the command, its arguments and options. Half of
    them are plausible throughout (so that the commands run deep); the other half mix broken values in, and
    now and then an option the command does not have."""
    grammar = _grammar_by_name(workspace)
    params = COMMANDS[command].params

    def line(mixed: bool) -> st.SearchStrategy[list[str]]:
        db = (st.one_of(*[st.just("{db}")] * 5, one_of("folder", "notes.txt", "missing/store.duckdb", "new.duckdb",
                                                       "", "/dev/null", "/proc/matchday-test/x.duckdb", "{readonly}"))
              if mixed else st.just("{db}"))
        arguments = [_argument(command, p, grammar, mixed) for p in params if p.param_type_name == "argument"]
        options = [_option(command, p, grammar, db, mixed) for p in params if p.param_type_name != "argument"]
        globals_ = [_option("", p, grammar, db, mixed) for p in GLOBAL_PARAMS]
        extra = (st.one_of(*[st.just([])] * 6, one_of("--bogus", "--help", "extra-argument", "-x").map(lambda t: [t]))
                 if mixed else st.just([]))

        def flatten(parts: tuple[list[str], ...]) -> list[str]:
            head = [t for part in parts[:len(globals_)] for t in part]
            return [*head, command, *[t for part in parts[len(globals_):] for t in part]]

        return st.tuples(*globals_, *arguments, *options, extra).map(flatten)

    return st.booleans().flatmap(line)


# --------------------------------------------------------------------------------------------- the workspace
class Workspace:
    """Files the grammar points at: the store to copy, a tiny mirror, a squad file, broken files."""

    def __init__(self, root: Path, store: Path, shared: Path) -> None:
        self.root, self.store, self.shared = root, store, shared
        self.mirror = root / "mirror"
        for relative in ("football-data/mmz4281/2324/E0.csv", "openfootball/champions-league/2023-24/el.txt"):
            target = self.mirror / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(shared / relative, target)
        self.squad = Path(cli.__file__).parent / "decide" / "examples" / "squad_liverpool_2024_illustrative.csv"
        self.sweep = root / "sweep.toml"
        self.sweep.write_text('leagues = ["E0"]\nseasons = "2023-24"\nstart = "2024-05-12"\n'
                              '[models.dixon-coles]\nxi = [0.0, 0.0019]\n[models.elo]\n', encoding="utf-8")

    def prepare(self, folder: Path, argv: list[str]) -> list[str]:
        """One example's working folder (a copy of the store, a read-only copy when the line names one,
        broken inputs) and the command line pointing at it."""
        line = " ".join(argv)
        if "{db}" in line:
            shutil.copy(self.store, folder / "store.duckdb")
        if "{readonly}" in line:
            readonly = folder / "readonly.duckdb"
            shutil.copy(self.store, readonly)
            readonly.chmod(0o444)
        (folder / "folder").mkdir()
        (folder / "notes.txt").write_text("hello\n")
        (folder / "empty.csv").write_text("")
        (folder / "garbage.csv").write_text('name,rating\n"unclosed,1\n')
        (folder / "binary.bin").write_bytes(bytes(range(256)))
        return [a.replace("{db}", str(folder / "store.duckdb")).replace("{readonly}", str(folder / "readonly.duckdb"))
                for a in argv]


# --------------------------------------------------------------------------------------------- running one
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """No socket reaches beyond the loopback interface (tests never touch the internet)."""
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect

    def local(host: object) -> bool:
        text = str(host.decode() if isinstance(host, bytes) else host or "").strip("[]")
        return text in ("", "localhost", "::1", "0.0.0.0", "::") or text.startswith("127.")

    def getaddrinfo(host, *args, **kwargs):
        if not local(host):
            raise OSError(f"no network in tests: {host!r} is not loopback")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self, address):
        if isinstance(address, tuple) and not local(address[0]):
            raise OSError(f"no network in tests: {address!r} is not loopback")
        return real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)


def run_main(argv: list[str]) -> tuple[int, str, str]:
    """``matchday argv...`` as the console script runs it: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    saved_argv, saved_env = sys.argv, dict(os.environ)
    sys.argv = ["matchday", *argv]
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                cli.main()
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv = saved_argv
        os.environ.clear()
        os.environ.update(saved_env)
    return code, out.getvalue(), err.getvalue()


def check_outcome(argv: list[str], code: int, out: str, err: str) -> None:
    shown = " ".join(repr(a) if (not a or " " in a) else a for a in argv)
    assert "Traceback" not in out + err, f"matchday {shown}\n{err[-3000:]}"
    assert "internal error" not in err, f"matchday {shown}\n{err[-3000:]}"
    assert code in (0, 2, 3), f"matchday {shown}: exit {code}\n{err[-3000:]}"
    if code == 2:  # the error is one line, the last; before it only the notes commands print as they go
        lines = [line for line in err.splitlines() if line.strip()]
        assert lines and lines[-1].startswith("error: "), f"matchday {shown}: no error line last\n{err[-3000:]}"
        assert sum(line.startswith("error") for line in lines) == 1, f"matchday {shown}: not one line\n{err[-3000:]}"


def _examples(command: str) -> int:
    """This command's share of TOTAL examples: in proportion to 1 / sqrt(cost), at least 2."""
    weight = {c: COST.get(c, 1.0) ** -0.5 for c in COMMANDS}
    return max(2, round(TOTAL * weight[command] / sum(weight.values())))


@pytest.fixture(scope="module")
def workspace(synced_db, shared_data, tmp_path_factory) -> Workspace:
    return Workspace(tmp_path_factory.mktemp("cli-property"), Path(synced_db), shared_data)


@pytest.mark.parametrize("command", [c for c in COMMANDS if not ONLY or c in ONLY])
def test_every_command_ends_in_a_result_or_one_line(command, workspace, monkeypatch, tmp_path):
    _loopback_only(monkeypatch)
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: None)  # serve: stop where the server would start
    monkeypatch.setenv("MATCHDAY_MIRROR", str(workspace.mirror))
    monkeypatch.setenv("MATCHDAY_LOCK_WAIT", "2")
    monkeypatch.setenv("COLUMNS", "300")
    monkeypatch.chdir(tmp_path)

    # no shrinking: one example can take seconds, and the failing command line is printed as drawn
    @settings(max_examples=_examples(command), deadline=None, database=None, print_blob=True,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    @given(invocations(command, workspace))
    def check(argv: list[str]) -> None:
        folder = Path(tempfile.mkdtemp(dir=tmp_path))
        try:
            argv = workspace.prepare(folder, argv)
            os.chdir(folder)
            code, out, err = run_main(argv)
            if LOG:
                with open(LOG, "a", encoding="utf-8") as log:
                    log.write(f"{code}\t{' '.join(argv)!r}\t{(err.strip().splitlines() or [''])[-1][:200]!r}\n")
            check_outcome(argv, code, out, err)
        finally:
            os.chdir(tmp_path)
            _remove(folder)

    check()


def _remove(folder: Path) -> None:
    def writable(function: Callable, path: str, _exc) -> None:
        os.chmod(path, 0o700)
        function(path)

    shutil.rmtree(folder, onexc=writable) if sys.version_info >= (3, 12) else shutil.rmtree(folder, onerror=writable)


def test_the_grammar_covers_every_command_and_option():
    """A command or option added later is drawn from its name's grammar or its type's: nothing is skipped."""
    assert {"simulate", "whatif", "tie", "bracket", "rotate", "sync", "serve"} <= set(COMMANDS)
    for command, group in COMMANDS.items():
        for param in group.params:
            assert param.param_type_name in ("argument", "option"), (command, param.name)
            assert _kind(param) in ("int", "float", "bool", "path", "str"), (command, param.name)
