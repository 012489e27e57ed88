"""Peak memory and run time of every Monte Carlo engine as the number of simulations grows (issue 9 item 4).

Each run is a fresh process (so its peak resident memory is its own), on a store synced from the mirror
(every league and UEFA competition of 2022-23 and 2023-24), with the Dixon-Coles model fitted as of the date:

* season:  simulate_season E0 2023-24 as of 2024-04-15 (what `matchday simulate` runs);
* whatif:  the same with "Fulham v Liverpool: away win" (the conditioned half of `matchday whatif`);
* bracket: the 2023-24 Europa League from the quarter-finals as of 2024-04-12 (`matchday bracket`);
* tie:     Liverpool v Atalanta after the 0-3 first leg, Monte Carlo (`matchday tie --sims`);
* rotate:  Liverpool's rotation plans as of 2024-04-15 (`matchday rotate --no-sensitivity`).

Run: python bench/bench_sims_memory.py [--engines season,tie] [--sims 100000,1000000,10000000]
     [--data ../shared/data] [--max-memory-gib 8]
Prints one line per run: seconds, the peak resident memory (MiB) while the engine ran (the peak is reset
when it starts, Linux /proc/self/clear_refs), and how much that peak exceeds the memory in use when it
started (the engine's own share). --max-memory-gib caps each child's address space, so a run that
would exhaust the machine stops with MemoryError instead (reported as such). Point PYTHONPATH at another
tree's src/ to measure it ("before" figures).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENGINES = ("season", "whatif", "bracket", "tie", "rotate")


def _status_kib(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return float(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> float:
    """Resident memory now (MiB), after resetting the peak (Linux: /proc/self/clear_refs), so that the peak
    read later is the engine's own; elsewhere the process's peak so far."""
    import resource

    try:
        Path("/proc/self/clear_refs").write_text("5")
        return (_status_kib("VmRSS") or 0.0) / 1024
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _peak() -> float:
    """Peak resident memory (MiB) since :func:`_reset_peak`."""
    import resource

    hwm = _status_kib("VmHWM")
    return hwm / 1024 if hwm is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(engine: str, sims: int, db: str, cap_gib: float) -> None:
    """One measured run (in its own process); prints a JSON line."""
    import datetime as dt
    import resource

    if cap_gib > 0:
        limit = int(cap_gib * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from matchday.data.store import Store
    from matchday.models.training import fit_model

    as_of = dt.date(2024, 4, 12) if engine in ("bracket", "tie") else dt.date(2024, 4, 15)
    with Store(Path(db), read_only=True) as store:
        model = fit_model("dixon-coles", store, as_of)
        season = store.matches(["E0"], ["2023-24"])
        uel = store.matches(["UEL"], ["2023-24"])
        calendar = None
        if engine == "rotate":
            from matchday.workflows import calendar_from_store

            calendar = calendar_from_store(store, "liverpool", as_of)
    before = _reset_peak()
    start = time.perf_counter()
    try:
        if engine in ("season", "whatif"):
            from matchday.simulate.season import FixtureCondition, simulate_season

            conditions = ([FixtureCondition("fulham", "liverpool", lambda h, a: a > h, "Fulham v Liverpool: away win")]
                          if engine == "whatif" else [])
            result = simulate_season(season, model, "E0", "2023-24", as_of=as_of, conditions=conditions,
                                     n_sims=sims, seed=0)
            answer = f"P(Arsenal title) {result.summary().set_index('team').loc['arsenal', 'p_title']:.4f}"
        elif engine == "bracket":
            import functools

            from matchday.rules.knockout import tie_rules
            from matchday.simulate.bracket import simulate_bracket
            from matchday.simulate.knockout_state import bracket_from_store
            from matchday.simulate.tie_play import KnockoutParams

            first_round, ties, later = bracket_from_store(uel, as_of)
            result = simulate_bracket(ties, later, functools.partial(model.predict_many, competition="UEL"),
                                      first_round=first_round, params=KnockoutParams(rules=tie_rules("2023-24", "UEL")),
                                      n=sims, seed=0)
            answer = f"P(Leverkusen wins) {result.table.loc['bayer-leverkusen', 'Winner']:.4f}"
        elif engine == "tie":
            from matchday.rules.knockout import tie_rules
            from matchday.simulate.tie_play import KnockoutParams
            from matchday.simulate.ties import simulate_two_legged_tie

            leg1 = model.predict("liverpool", "atalanta", competition="UEL")
            leg2 = model.predict("atalanta", "liverpool", competition="UEL")
            result = simulate_two_legged_tie(leg1, leg2, first_leg_score=(0, 3),
                                             params=KnockoutParams(rules=tie_rules("2023-24", "UEL")), n=sims, seed=0)
            answer = f"P(Liverpool through) {result.p_advance[0]:.4f}"
        else:
            from matchday.decide.recommend import analyse_calendar

            analysis = analyse_calendar(calendar, model, n_sims=sims, seed=0)
            answer = f"best {analysis.best!r}, objective {analysis.table['objective'].max():.4f}"
        status = "ok"
    except MemoryError:
        answer, status = "", f"MemoryError (address space capped at {cap_gib:g} GiB)"
    except ValueError as exc:  # a limit refused the run
        answer, status = "", f"refused: {exc}"
    seconds = time.perf_counter() - start
    peak = _peak()
    print(json.dumps({"engine": engine, "sims": sims, "seconds": seconds, "peak_mib": peak, "before_mib": before,
                      "status": status, "answer": answer}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--sims", default="100000,1000000,10000000")
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--max-memory-gib", type=float, default=8.0)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        engine, sims, db = args.child
        child(engine, int(sims), db, args.max_memory_gib)
        return

    from matchday.data.fetch import Fetcher, SourceURLs
    from matchday.data.store import Store
    from matchday.data.sync import sync

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        with Store(db) as store:
            sync(store, None, ["2022-23", "2023-24"], urls=SourceURLs.resolve(mirror=str(args.data)),
                 fetcher=Fetcher(cache_dir=Path(tmp) / "cache"))
        print(f"{'engine':8} {'sims':>11} {'seconds':>9} {'peak MiB':>9} {'engine MiB':>10}  answer / status")
        for engine in args.engines.split(","):
            for sims in (int(float(s)) for s in args.sims.split(",")):
                command = [sys.executable, __file__, "--child", engine, str(sims), str(db),
                           "--max-memory-gib", str(args.max_memory_gib)]
                done = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy())
                lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
                if not lines:
                    tail = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
                    print(f"{engine:8} {sims:>11,}  failed: {tail}")
                    continue
                r = json.loads(lines[-1])
                print(f"{engine:8} {sims:>11,} {r['seconds']:>9.1f} {r['peak_mib']:>9.0f} "
                      f"{r['peak_mib'] - r['before_mib']:>10.0f}  {r['answer'] or r['status']}", flush=True)


if __name__ == "__main__":
    main()
