"""The FastAPI application behind ``matchday serve``: the JSON API (``/api/v1``) and the HTML pages.

It only orchestrates: every number comes from :mod:`matchday.web.services`; heavy questions run through
:mod:`matchday.web.jobs`. Errors are never tracebacks: bad input is a JSON error (API) or an error page
(HTML) with the CLI's message and a 4xx status; an unexpected failure is a 500 that says so and is logged.

Security: no request reaches a file path, SQL or a shell (parameters are codes, dates, names and numbers,
validated before use); the store is opened read-only; simulations are bounded in size (:class:`Limits`)
and in concurrency (:class:`JobRunner`); pages carry a strict Content-Security-Policy (no inline script,
no third-party origin); the Host header is checked (loopback names by default) against DNS rebinding.
"""


import asyncio
import contextlib
import logging
import math
import time
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from matchday.data.errors import MatchdayError, UnknownChoiceError
from matchday.web import charts, present
from matchday.web.jobs import Job, JobRunner
from matchday.web.services import (
    DEFAULT_MODEL,
    MODEL_NAMES,
    TRACK_RECORD_NOTE,
    BusyError,
    JobTimeoutError,
    Limits,
    NotFoundError,
    Question,
    Services,
    StoreBusyError,
    StoreSource,
)

log = logging.getLogger("matchday.web")
HERE = Path(__file__).parent
API = "/api/v1"
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1", "[::1]"]
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
PAGE_WAIT_SECONDS = 1.5  # a page waits this long for a heavy answer before showing a progress bar


class ErrorBody(BaseModel):
    error: str
    status: int


class JobBody(BaseModel):
    id: str
    label: str
    status: str
    done: int
    total: int
    progress: float
    error: str | None = None
    seconds: float


class Accepted(BaseModel):
    job: JobBody
    poll: str


class View(BaseModel):
    """A JSON view; every view echoes the canonical ``question`` it answers and the store ``fingerprint``."""

    model_config = ConfigDict(extra="allow")
    question: dict[str, Any] | None = None
    fingerprint: str | None = None


ERRORS = {400: {"model": ErrorBody, "description": "bad input (the CLI's message)"},
          404: {"model": ErrorBody, "description": "unknown competition season, match, tie or job"},
          422: {"model": ErrorBody, "description": "a parameter of the wrong type or out of range"},
          429: {"model": ErrorBody, "description": "too many heavy questions waiting"},
          503: {"model": ErrorBody, "description": "the store is being written by sync/update, or a heavy "
                                                   "question ran past the server's time limit"}}
HEAVY = {202: {"model": Accepted, "description": "still computing: poll the job, then ask again"}, **ERRORS}

# ------------------------------------------------------------------------------------------------ parameters
Competition = Annotated[str, PathParam(max_length=60, description="Code or name: E0, 'Premier League', UEL ...")]
Season = Annotated[str, PathParam(max_length=12, description="Season, e.g. 2023-24")]
AsOf = Annotated[str | None, Query(max_length=10, description="After the matches of this day (YYYY-MM-DD); "
                                   "default: the season's last stored day, or today if earlier")]
Model = Annotated[str, Query(max_length=30, description=f"One of {', '.join(MODEL_NAMES)}")]
Seed = Annotated[int, Query(ge=0, le=2**32 - 1, description="Random seed (same seed, same numbers)")]
Wait = Annotated[float, Query(ge=0, le=120, description="Seconds to wait for a heavy answer before a 202")]
Club = Annotated[str, Query(min_length=1, max_length=80, description="Any known club name or team id")]


def _sims(default: int, high: int) -> Any:
    return Query(default, ge=100, le=high, description=f"Simulations ({default:,} by default, at most {high:,})")


def error_status(exc: Exception) -> int:
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, BusyError):
        return 429
    if isinstance(exc, StoreBusyError | JobTimeoutError):
        return 503
    if isinstance(exc, UnknownChoiceError) and exc.kind == "competition":
        return 404
    return 400


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(x) for x in error.get("loc", ()) if x not in ("query", "path", "body"))
        got = error.get("input")
        text = f"{where}: {error.get('msg', 'invalid')}"
        if got is not None and not isinstance(got, dict):
            shown = repr(got)
            text += f" (got {shown[:60]})"
        parts.append(text)
    return "; ".join(parts) or "invalid request"


# ------------------------------------------------------------------------------------------------ formatting
def pct(value: Any) -> str:
    """The CLI's percentage format: '<0.1%' rather than a misleading 0, '>99.9%' likewise, '-' for zero."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    v = float(value)
    if v <= 0:
        return "-"
    if v < 0.001:
        return "<0.1%"
    if 0.999 < v < 1:
        return ">99.9%"
    return f"{100 * v:.1f}%"


def signed_pct(value: Any) -> str:
    if value is None:
        return ""
    v = 100 * float(value)
    if abs(v) < 0.05:
        return "0.0"
    return f"{v:+.1f}"


def num(value: Any, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    return f"{float(value):.{digits}f}"


# ------------------------------------------------------------------------------------------------ the app
def create_app(
    db: str | Path | None = None,
    *,
    services: Services | None = None,
    runner: JobRunner | None = None,
    workers: int = 2,
    allowed_hosts: list[str] | None = None,
) -> FastAPI:
    """The application for the store at ``db`` (default: MATCHDAY_DB or the user data dir), read-only."""
    services = services or Services(StoreSource(db))
    limits: Limits = services.limits
    runner = runner or JobRunner(workers=workers, max_seconds=limits.max_job_seconds)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        runner.shutdown()

    app = FastAPI(
        lifespan=lifespan,
        title="matchday",
        version="1",
        summary="Football results turned into forecasts and decisions: the JSON API behind the dashboard.",
        description="Every view echoes the question it answers. Heavy questions (simulations) answer 202 with a job "
                    "to poll when they take longer than `wait` seconds; ask again when the job is done. "
                    + TRACK_RECORD_NOTE,
        openapi_url=f"{API}/openapi.json", docs_url=None, redoc_url=None,
    )
    app.state.services, app.state.runner = services, runner
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts or LOOPBACK_HOSTS)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters.update(pct=pct, num=num, signed_pct=signed_pct)
    templates.env.globals.update(charts=charts, present=present, models=MODEL_NAMES, api=API, limits=limits, urlencode=urlencode)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.middleware("http")
    async def headers(request: Request, call_next):
        response: Response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    # -------------------------------------------------------------------------------------- errors
    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    def error_response(request: Request, status: int, message: str) -> Response:
        if wants_json(request):
            return JSONResponse({"error": message, "status": status}, status_code=status)
        return templates.TemplateResponse(request, "error.html", {"status": status, "message": message},
                                          status_code=status)

    @app.exception_handler(MatchdayError)
    async def matchday_error(request: Request, exc: MatchdayError) -> Response:
        return error_response(request, error_status(exc), str(exc))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        return error_response(request, 422, _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 404:
            message = f"no such page or endpoint: {request.url.path}"
        return error_response(request, exc.status_code, message)

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        return error_response(request, 500, "internal error (logged on the server); please report it")

    # -------------------------------------------------------------------------------------- helpers
    async def build(method: str, *args: Any, **kwargs: Any) -> Question:
        """Validate a question in a worker thread (it reads the store)."""
        return await run_in_threadpool(getattr(services, method), *args, **kwargs)

    async def cheap(question: Question) -> dict:
        return await run_in_threadpool(services.answer, question)

    async def start(question: Question, wait: float) -> tuple[dict | None, Job | None]:
        """A heavy answer from the cache, or within ``wait`` seconds, else the job computing it."""
        found = await run_in_threadpool(services.cached, question)
        if found is not None:
            return found, None
        fingerprint = await run_in_threadpool(services.fingerprint)
        label = f"{question.kind} {' '.join(str(v) for v in question.params.values() if v not in (None, []))}"
        job = runner.submit(question.key(fingerprint), label[:160],
                            lambda progress: services.answer(question, progress))
        deadline = time.monotonic() + wait
        while job.status in ("queued", "running") and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        if job.status == "done":
            return job.result, None
        if job.status == "failed":
            if job.user_error is not None:
                raise job.user_error
            raise RuntimeError(job.error)
        return None, job

    async def heavy(question: Question, wait: float) -> Any:
        view, job = await start(question, wait)
        if view is not None:
            return view
        assert job is not None
        return JSONResponse({"job": job.to_dict(), "poll": f"{API}/jobs/{job.id}"}, status_code=202,
                            headers={"Location": f"{API}/jobs/{job.id}", "Retry-After": "1"})

    # -------------------------------------------------------------------------------------- API
    @app.get(f"{API}/health", tags=["meta"])
    def health() -> dict:
        """Store path, data fingerprint and the heavy-question pool."""
        return {"status": "ok", "store": str(services.source.path), "fingerprint": services.fingerprint(),
                "jobs": runner.stats(), "track_record": TRACK_RECORD_NOTE}

    @app.get(f"{API}/competitions", tags=["data"], response_model=View, responses=ERRORS)
    async def api_competitions() -> Any:
        """Stored competitions and their seasons (dates, matches, played)."""
        return await cheap(Question.of("competitions"))

    @app.get(f"{API}/leagues/{{competition}}/{{season}}/table", tags=["leagues"], response_model=View,
             responses=ERRORS)
    async def api_table(competition: Competition, season: Season, as_of: AsOf = None) -> Any:
        """League table after the matches of ``as_of``, with the league's tie-breakers and deductions (CLI
        ``table``)."""
        return await cheap(await build("table_question", competition, season, as_of))

    @app.get(f"{API}/leagues/{{competition}}/{{season}}/fixtures", tags=["leagues"], response_model=View,
             responses=ERRORS)
    async def api_fixtures(competition: Competition, season: Season, as_of: AsOf = None, model: Model = DEFAULT_MODEL,
                           limit: Annotated[int, Query(ge=1, le=limits.max_fixtures)] = 50) -> Any:
        """Fixtures still to play on ``as_of`` with the model's 1X2 and expected goals, beside the pre-match
        market's margin-free probabilities where odds are stored."""
        return await cheap(await build("fixtures_question", competition, season, as_of, model, limit))

    @app.get(f"{API}/leagues/{{competition}}/{{season}}/projection", tags=["leagues"], response_model=View,
             responses=HEAVY)
    async def api_projection(competition: Competition, season: Season, as_of: AsOf = None,
                             model: Model = DEFAULT_MODEL, sims: int = _sims(limits.default_sims, limits.max_sims),
                             seed: Seed = 0, wait: Wait = 30) -> Any:
        """The rest of the season simulated (CLI ``simulate``): expected points, P(title), P(top places),
        P(Europe), P(relegation), finishing-position probabilities."""
        return await heavy(await build("projection_question", competition, season, as_of, model, sims, seed), wait)

    @app.get(f"{API}/leagues/{{competition}}/{{season}}/chances", tags=["leagues"], response_model=View,
             responses=HEAVY)
    async def api_chances(competition: Competition, season: Season, as_of: AsOf = None, model: Model = DEFAULT_MODEL,
                          sims: int = _sims(limits.default_chances_sims, limits.max_chances_sims), seed: Seed = 0,
                          wait: Wait = 30) -> Any:
        """P(title), P(top places), P(relegation) at the end of every matchday up to ``as_of`` (refitted then)."""
        return await heavy(await build("chances_question", competition, season, as_of, model, sims, seed), wait)

    @app.get(f"{API}/leagues/{{competition}}/{{season}}/whatif", tags=["leagues"], response_model=View,
             responses=HEAVY)
    async def api_whatif(competition: Competition, season: Season,
                         given: Annotated[list[str], Query(max_length=limits.max_conditions,
                                                           description="A condition such as 'Fulham v Liverpool: "
                                                           "away win' (repeat the parameter)")],
                         as_of: AsOf = None, model: Model = DEFAULT_MODEL,
                         sims: int = _sims(limits.default_sims, limits.max_sims), seed: Seed = 0,
                         wait: Wait = 30) -> Any:
        """Fix remaining fixtures and compare with the baseline (CLI ``whatif --ask table``)."""
        if any(len(g) > 200 for g in given):
            raise MatchdayError("given: a condition is at most 200 characters")
        return await heavy(await build("whatif_question", competition, season, given, as_of, model, sims, seed), wait)

    @app.get(f"{API}/ratings/{{competition}}", tags=["models"], response_model=View, responses=ERRORS)
    async def api_ratings(competition: Competition, as_of: AsOf = None, model: Model = DEFAULT_MODEL,
                          top: Annotated[int, Query(ge=1, le=limits.max_top)] = 30) -> Any:
        """Team ratings on one scale across leagues (CLI ``ratings``)."""
        return await cheap(await build("ratings_question", competition, as_of, model, top))

    @app.get(f"{API}/matches/{{competition}}/{{season}}/{{match_id}}", tags=["matches"], response_model=View,
             responses=ERRORS)
    async def api_match(competition: Competition, season: Season,
                        match_id: Annotated[str, PathParam(max_length=32)], as_of: AsOf = None,
                        model: Model = DEFAULT_MODEL) -> Any:
        """A stored match: the model's markets (1X2, totals, handicaps, both teams to score, correct scores) as of
        ``as_of`` (default: the day before kick-off) beside the stored bookmaker prices."""
        return await cheap(await build("match_question", competition, season, match_id, as_of, model))

    @app.get(f"{API}/forecast", tags=["matches"], response_model=View, responses=ERRORS)
    async def api_forecast(home: Club, away: Club, as_of: AsOf = None, model: Model = DEFAULT_MODEL,
                           competition: Annotated[str | None, Query(max_length=60)] = None,
                           neutral: bool = False) -> Any:
        """Any pairing (CLI ``predict``, without logging: the server's store is read-only)."""
        return await cheap(await build("forecast_question", home, away, as_of, model, competition, neutral))

    @app.get(f"{API}/tie", tags=["cups"], response_model=View, responses=ERRORS)
    async def api_tie(team_a: Club, team_b: Club, as_of: AsOf = None, model: Model = DEFAULT_MODEL,
                      competition: Annotated[str | None, Query(max_length=60)] = None,
                      first_leg: Annotated[str | None, Query(max_length=120, description="e.g. 'Liverpool 0-3 "
                                                             "Atalanta'")] = None,
                      final: bool = False) -> Any:
        """Exact knockout-tie odds: who goes through and how (CLI ``tie``)."""
        return await cheap(await build("tie_question", team_a, team_b, as_of, model, competition, first_leg, final))

    @app.get(f"{API}/cups/{{competition}}/{{season}}/table", tags=["cups"], response_model=View, responses=ERRORS)
    async def api_league_phase(competition: Competition, season: Season, as_of: AsOf = None) -> Any:
        """A UEFA league phase (2024-25 on) after the matches of ``as_of``, ranked by UEFA's criteria, with each
        club's zone (round of 16, knockout play-offs, eliminated) (CLI ``table UCL 2024-25``)."""
        return await cheap(await build("league_phase_question", competition, season, as_of))

    @app.get(f"{API}/cups/{{competition}}/{{season}}/ties", tags=["cups"], response_model=View, responses=ERRORS)
    async def api_cup(competition: Competition, season: Season, as_of: AsOf = None,
                      model: Model = DEFAULT_MODEL) -> Any:
        """The knockout rounds known on ``as_of``: decided ties, the current round with exact odds from the
        stored first legs, and how later rounds pair up."""
        return await cheap(await build("cup_question", competition, season, as_of, model))

    @app.get(f"{API}/cups/{{competition}}/{{season}}/ties/{{home}}/{{away}}", tags=["cups"], response_model=View,
             responses=ERRORS)
    async def api_stored_tie(competition: Competition, season: Season,
                             home: Annotated[str, PathParam(max_length=80)],
                             away: Annotated[str, PathParam(max_length=80)], as_of: AsOf = None,
                             model: Model = DEFAULT_MODEL) -> Any:
        """One stored tie as it stood on ``as_of`` (legs played by then count)."""
        return await cheap(await build("stored_tie_question", competition, season, home, away, as_of, model))

    @app.get(f"{API}/cups/{{competition}}/{{season}}/bracket", tags=["cups"], response_model=View, responses=HEAVY)
    async def api_bracket(competition: Competition, season: Season, as_of: AsOf = None, model: Model = DEFAULT_MODEL,
                          sims: int = _sims(limits.default_sims, limits.max_sims), seed: Seed = 0,
                          wait: Wait = 30) -> Any:
        """P(each club reaches each round, and wins the trophy) (CLI ``bracket``)."""
        return await heavy(await build("bracket_question", competition, season, as_of, model, sims, seed), wait)

    @app.get(f"{API}/rotation/{{club}}", tags=["decisions"], response_model=View, responses=HEAVY)
    async def api_rotation(club: Annotated[str, PathParam(max_length=80)], as_of: AsOf = None,
                           weights: Annotated[str | None, Query(max_length=200, description="e.g. title=1,"
                                                                "trophy=0.5,top4=0.3")] = None,
                           gap: Annotated[float | None, Query(ge=0, le=limits.max_gap, description="Second-string "
                                                              "gap (log goals; default 0.30)")] = None,
                           plan: Annotated[list[str] | None, Query(max_length=limits.max_plans)] = None,
                           model: Model = DEFAULT_MODEL,
                           sims: int = _sims(limits.default_sims, limits.max_rotation_sims), seed: Seed = 0,
                           wait: Wait = 30) -> Any:
        """Which rotation plan gives the best season, by how much, how sure, and what flips it (CLI ``rotate``
        with the two-tier squad model and its sensitivity analyses)."""
        if plan and any(len(p) > 200 for p in plan):
            raise MatchdayError("plan: a plan is at most 200 characters")
        return await heavy(await build("rotation_question", club, as_of, weights, gap, plan, model, sims, seed), wait)

    @app.get(f"{API}/backtests", tags=["models"], response_model=View, responses=ERRORS)
    async def api_backtests(run: Annotated[str | None, Query(max_length=64)] = None) -> Any:
        """Walk-forward backtests in the store's forecasts log (``matchday backtest``): RPS per model, league and
        season beside the closing and pre-match market, and calibration tables."""
        return await cheap(await build("backtests_question", run))

    @app.get(f"{API}/jobs/{{job_id}}", tags=["meta"], response_model=JobBody, responses=ERRORS)
    def api_job(job_id: Annotated[str, PathParam(max_length=32)]) -> Any:
        """Progress of a heavy question (queued, running, done or failed)."""
        job = runner.get(job_id)
        if job is None:
            raise NotFoundError(f"no job {job_id!r} (finished jobs are forgotten after a while: ask again)")
        return job.to_dict()

    # -------------------------------------------------------------------------------------- pages
    def page(request: Request, name: str, context: dict, status: int = 200) -> HTMLResponse:
        context.setdefault("nav", [("Home", "/"), ("Model", "/model"), ("Rotation", "/rotation"), ("API", "/api")])
        return templates.TemplateResponse(request, name, context, status_code=status)

    def job_info(job: Job | None) -> dict | None:
        return None if job is None else {**job.to_dict(), "poll": f"{API}/jobs/{job.id}"}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def index(request: Request) -> Any:
        view = await cheap(Question.of("competitions"))
        return page(request, "index.html", {"view": view, "title": "matchday"})

    @app.get("/leagues/{competition}/{season}", response_class=HTMLResponse, include_in_schema=False)
    async def league_page(request: Request, competition: Competition, season: Season, as_of: AsOf = None,
                          model: Model = DEFAULT_MODEL, sims: int = _sims(limits.default_sims, limits.max_sims),
                          seed: Seed = 0) -> Any:
        table = await cheap(await build("table_question", competition, season, as_of))
        as_of_ = table["as_of"]
        fixtures = await cheap(await build("fixtures_question", competition, season, as_of_, model, 10))
        projection, projection_job = await start(
            await build("projection_question", competition, season, as_of_, model, sims, seed), PAGE_WAIT_SECONDS)
        chances, chances_job = await start(
            await build("chances_question", competition, season, as_of_, model, None, seed), 0.2)
        return page(request, "league.html", {
            "title": f"{table['name']} {table['season']}", "table": table, "fixtures": fixtures,
            "projection": projection, "projection_job": job_info(projection_job), "chances": chances,
            "chances_job": job_info(chances_job), "model": model, "sims": sims, "seed": seed})

    @app.get("/leagues/{competition}/{season}/fixtures", response_class=HTMLResponse, include_in_schema=False)
    async def fixtures_page(request: Request, competition: Competition, season: Season, as_of: AsOf = None,
                            model: Model = DEFAULT_MODEL,
                            limit: Annotated[int, Query(ge=1, le=limits.max_fixtures)] = 100) -> Any:
        table = await cheap(await build("table_question", competition, season, as_of))
        fixtures = await cheap(await build("fixtures_question", competition, season, table["as_of"], model, limit))
        return page(request, "fixtures.html", {"title": f"{table['name']} {table['season']} fixtures",
                                               "table": table, "fixtures": fixtures, "model": model})

    @app.get("/leagues/{competition}/{season}/whatif", response_class=HTMLResponse, include_in_schema=False)
    async def whatif_page(request: Request, competition: Competition, season: Season, as_of: AsOf = None,
                          model: Model = DEFAULT_MODEL, sims: int = _sims(limits.default_sims, limits.max_sims),
                          seed: Seed = 0) -> Any:
        table = await cheap(await build("table_question", competition, season, as_of))
        fixtures = await cheap(await build("remaining_question", competition, season, table["as_of"], model))
        baseline, job = await start(
            await build("projection_question", competition, season, table["as_of"], model, sims, seed),
            PAGE_WAIT_SECONDS)
        return page(request, "whatif.html", {
            "title": f"What if? {table['name']} {table['season']}", "table": table, "fixtures": fixtures,
            "baseline": baseline, "baseline_job": job_info(job), "model": model, "sims": sims, "seed": seed})

    @app.get("/matches/{competition}/{season}/{match_id}", response_class=HTMLResponse, include_in_schema=False)
    async def match_page(request: Request, competition: Competition, season: Season,
                         match_id: Annotated[str, PathParam(max_length=32)], as_of: AsOf = None,
                         model: Model = DEFAULT_MODEL) -> Any:
        view = await cheap(await build("match_question", competition, season, match_id, as_of, model))
        return page(request, "match.html", {"title": f"{view['home_club']} v {view['away_club']}", "view": view})

    @app.get("/cups/{competition}/{season}", response_class=HTMLResponse, include_in_schema=False)
    async def cup_page(request: Request, competition: Competition, season: Season, as_of: AsOf = None,
                       model: Model = DEFAULT_MODEL, sims: int = _sims(limits.default_sims, limits.max_sims),
                       seed: Seed = 0) -> Any:
        cup = await cheap(await build("cup_question", competition, season, as_of, model))
        league_phase = None
        if cup["league_phase"]:
            league_phase = await cheap(await build("league_phase_question", competition, season, cup["as_of"]))
        bracket, job, bracket_note = None, None, None
        if cup["current_round"]:
            try:
                question = await build("bracket_question", competition, season, cup["as_of"], model, sims, seed)
            except MatchdayError as exc:  # a bracket the simulator does not start from (said, not an error page)
                bracket_note = str(exc)
            else:
                bracket, job = await start(question, PAGE_WAIT_SECONDS)
        return page(request, "cup.html", {"title": f"{cup['name']} {cup['season']}", "league_phase": league_phase,
                                          "cup": cup, "bracket": bracket, "bracket_job": job_info(job),
                                          "bracket_note": bracket_note,
                                          "model": model, "sims": sims, "seed": seed})

    @app.get("/cups/{competition}/{season}/tie", response_class=HTMLResponse, include_in_schema=False)
    async def tie_page(request: Request, competition: Competition, season: Season, home: Club, away: Club,
                       as_of: AsOf = None, model: Model = DEFAULT_MODEL) -> Any:
        view = await cheap(await build("stored_tie_question", competition, season, home, away, as_of, model))
        return page(request, "tie.html", {"title": f"{view['home_club']} v {view['away_club']}", "view": view})

    @app.get("/rotation", response_class=HTMLResponse, include_in_schema=False)
    async def rotation_page(request: Request, club: Annotated[str | None, Query(max_length=80)] = None,
                            as_of: AsOf = None, weights: Annotated[str | None, Query(max_length=200)] = None,
                            gap: Annotated[float | None, Query(ge=0, le=limits.max_gap)] = None,
                            model: Model = DEFAULT_MODEL,
                            sims: int = _sims(limits.default_sims, limits.max_rotation_sims), seed: Seed = 0) -> Any:
        context: dict[str, Any] = {"title": "Rotation", "club": club or "", "as_of": as_of or "",
                                   "weights": weights or "title=1,trophy=0.5,top4=0.3",
                                   "gap": 0.30 if gap is None else gap, "view": None, "job": None, "sims": sims,
                                   "seed": seed, "model": model}
        if club:
            view, job = await start(await build("rotation_question", club, as_of, weights, gap, None, model, sims,
                                                seed), PAGE_WAIT_SECONDS)
            context.update(view=view, job=job_info(job), title=f"Rotation: {club}")
        return page(request, "rotation.html", context)

    @app.get("/model", response_class=HTMLResponse, include_in_schema=False)
    async def model_page(request: Request, run: Annotated[str | None, Query(max_length=64)] = None) -> Any:
        view = await cheap(await build("backtests_question", run))
        return page(request, "model.html", {"title": "How good is the model?", "view": view})

    @app.get("/api", response_class=HTMLResponse, include_in_schema=False)
    async def api_page(request: Request) -> Any:
        schema = app.openapi()
        endpoints = []
        for path, methods in schema["paths"].items():
            for method, spec in methods.items():
                params = [(p["name"], p["in"], p.get("description", "")) for p in spec.get("parameters", [])]
                endpoints.append({"method": method.upper(), "path": path, "summary": spec.get("summary", ""),
                                  "description": spec.get("description", ""), "params": params,
                                  "tag": (spec.get("tags") or [""])[0]})
        return page(request, "api.html", {"title": "JSON API", "endpoints": endpoints,
                                          "openapi": f"{API}/openapi.json"})

    return app
