"""Every reported figure, recorded on one tree and compared with another ("every figure stays the same").

    # 1. the old tree (e.g. the commit before a refactor) and the new one, on the same store:
    git archive a05d5b8 | (mkdir -p /tmp/base && tar -x -C /tmp/base)
    python bench/bench_figures.py record --src /tmp/base/src --db /tmp/figures.duckdb --out /tmp/old.json
    python bench/bench_figures.py record --src src --db /tmp/figures.duckdb --out /tmp/new.json
    # 2. old/new pairs of every figure that changed, and a count of those that did not:
    python bench/bench_figures.py compare /tmp/old.json /tmp/new.json

``record`` runs every step in a fresh Python process with ``PYTHONPATH=<src>``, so the same script measures
any tree. The store is built once from ``--data`` (the shared data folder: every competition, 2021-22 to
2023-24) by the first tree that needs it and then reused unchanged; each command works on a copy (``predict``
writes its forecast log). Figures recorded:

* ``dixon_coles``: the Premier League 2022-23 + 2023-24 fit of ``bench/bench_dixon_coles.py`` (no decay, no
  prior, one home advantage): every fitted parameter and the log-likelihood; the Bundesliga log-likelihood;
  the default configuration (decay 0.0019/day, prior) fitted without an as-of date and as of 2024-05-20;
* ``simulate``: ``matchday simulate E0 2023-24 --as-of 2024-04-15 --seed 0`` (summary and position matrix);
* ``whatif``: Fulham v Liverpool away win and Wolves v Arsenal not an away win, asked "top", seed 0;
* ``tie``: ``matchday tie Atalanta Liverpool --first-leg "Liverpool 0-3 Atalanta" --as-of 2024-04-12``
  (exact, and 20,000 Monte Carlo ties, seed 0) and the first-leg-less tie of 10 April;
* ``bracket``: ``matchday bracket UEL 2023-24 --as-of 2024-04-12`` (seed 0);
* ``rotate``: ``matchday rotate Liverpool --as-of 2024-04-15`` (seed 0, with the sensitivity runs);
* ``predict``, ``ratings``: Liverpool v Atalanta on 10 April; the Premier League ratings on 14 April;
* ``backtest``: ``matchday backtest E0 --seasons 2023-24 --models dixon-coles,elo --no-save`` (RPS, log loss,
  Brier per model);
* ``fatigue``: ``matchday fatigue`` on the top five leagues (the short-rest estimate);
* ``tie_history``: the historical tie validation behind ``matchday validate-ties`` (every tie's predicted
  P(A through), the calibration table, the Brier scores).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEASONS = "2021-22:2023-24"

CLI_STEPS: dict[str, list[str]] = {
    "simulate": ["simulate", "E0", "2023-24", "--as-of", "2024-04-15", "--seed", "0", "--json"],
    "simulate_positions": ["simulate", "E0", "2023-24", "--as-of", "2024-04-15", "--seed", "0", "--positions",
                           "--json"],
    "whatif": ["whatif", "E0", "2023-24", "--given", "Fulham v Liverpool: away win", "--given",
               "Wolves v Arsenal: not away win", "--ask", "top", "--as-of", "2024-04-15", "--sims", "20000",
               "--seed", "0", "--json"],
    "tie_after_first_leg": ["tie", "Atalanta", "Liverpool", "--first-leg", "Liverpool 0-3 Atalanta", "--as-of",
                            "2024-04-12", "--sims", "20000", "--seed", "0", "--json"],
    "tie_before_first_leg": ["tie", "Liverpool", "Atalanta", "--as-of", "2024-04-10", "--competition", "UEL",
                             "--json"],
    "bracket": ["bracket", "UEL", "2023-24", "--as-of", "2024-04-12", "--seed", "0", "--json"],
    "rotate": ["rotate", "Liverpool", "--as-of", "2024-04-15", "--seed", "0", "--json"],
    "predict": ["predict", "Liverpool", "Atalanta", "--as-of", "2024-04-10", "--json"],
    "ratings": ["ratings", "E0", "--as-of", "2024-04-14", "--top", "20", "--json"],
    "backtest": ["backtest", "E0", "--seasons", "2023-24", "--models", "dixon-coles,elo", "--no-save", "--jobs", "1",
                 "--no-blend", "--json"],
    "fatigue": ["fatigue", "E0", "SP1", "I1", "D1", "F1", "--json"],
}

TIE_HISTORY = r"""
import json, sys
from matchday.evaluate.ties import load_history, tie_history, brier_scores, calibration_table

history = tie_history(load_history(sys.argv[1]))
ties = history.ties
table = calibration_table(ties).reset_index()
print(json.dumps({"p_model_a": [float(v) for v in ties["p_model_a"]],
                  "calibration": json.loads(table.to_json(orient="records")),
                  "brier": json.loads(brier_scores(ties).reset_index().to_json(orient="records"))}))
"""

DIXON_COLES = r"""
import json, sys
import pandas as pd
from matchday.models import DixonColes

data = sys.argv[1]

def read(division, seasons):
    frames = []
    for season in seasons:
        raw = pd.read_csv(f"{data}/football-data/mmz4281/{season}/{division}.csv", encoding="utf-8-sig")
        raw = raw[raw["Div"].notna()]
        frames.append(pd.DataFrame({
            "date": pd.to_datetime(raw["Date"], dayfirst=True, format="mixed"), "competition": division,
            "home": raw["HomeTeam"], "away": raw["AwayTeam"], "home_goals": raw["FTHG"].astype(int),
            "away_goals": raw["FTAG"].astype(int), "neutral": False}))
    return pd.concat(frames, ignore_index=True)

def describe(model):
    return {"loglik": model.loglik_, "objective": model.objective_, "intercept": model.intercept_,
            "home_advantage": model.home_advantage_, "rho": model.rho_, "n_matches": model.n_matches_,
            "attack": {str(k): float(v) for k, v in model.attack_.items()},
            "defence": {str(k): float(v) for k, v in model.defence_.items()}}

epl, d1 = read("E0", ["2223", "2324"]), read("D1", ["2223", "2324"])
same = dict(xi=0.0, shrinkage=0.0, home_advantage="single")
out = {"epl_plain": describe(DixonColes(**same).fit(epl)),
       "d1_plain": {"loglik": DixonColes(**same).fit(d1).loglik_},
       "epl_default": describe(DixonColes().fit(epl)),
       "epl_default_as_of_2024_05_20": describe(DixonColes().fit(epl, as_of="2024-05-20"))}
print(json.dumps(out))
"""


def run_python(src: Path, code: str, *args: str, cwd: Path | None = None) -> str:
    env = dict(os.environ, PYTHONPATH=str(src.resolve()), OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, cwd=cwd)
    if done.returncode != 0:
        raise RuntimeError(f"step failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return done.stdout


def run_cli(src: Path, arguments: list[str], db: Path, cwd: Path) -> str:
    code = "import sys; from matchday.cli import main; sys.argv = ['matchday', *sys.argv[1:]]; main()"
    return run_python(src, code, *arguments, "--db", str(db), cwd=cwd)


def build_store(src: Path, db: Path, data: Path, cwd: Path) -> None:
    print(f"building the store {db} from {data} ({SEASONS}) with {src} ...", flush=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    run_cli(src, ["sync", "--seasons", SEASONS, "--mirror", str(data), "--cache-dir", str(db.parent / "cache")],
            db, cwd)


def record(args: argparse.Namespace) -> int:
    src, db, data = args.src.resolve(), args.db.resolve(), args.data.resolve()
    with tempfile.TemporaryDirectory(prefix="figures-") as scratch:
        cwd = Path(scratch)
        if not db.exists():
            build_store(src, db, data, cwd)
        figures: dict[str, object] = {"src": str(src), "store": str(db)}
        seconds: dict[str, float] = {}
        started = time.perf_counter()
        figures["dixon_coles"] = json.loads(run_python(src, DIXON_COLES, str(data), cwd=cwd))
        seconds["dixon_coles"] = time.perf_counter() - started
        if not args.only or "tie_history" in args.only:
            started = time.perf_counter()
            figures["tie_history"] = json.loads(run_python(src, TIE_HISTORY, str(data), cwd=cwd))
            seconds["tie_history"] = time.perf_counter() - started
        for name, arguments in CLI_STEPS.items():
            if args.only and name not in args.only:
                continue
            copy = cwd / f"{name}.duckdb"
            shutil.copyfile(db, copy)
            started = time.perf_counter()
            text = run_cli(src, arguments, copy, cwd)
            seconds[name] = time.perf_counter() - started
            figures[name] = json.loads(text)
            print(f"  {name:22s} {seconds[name]:6.1f} s", flush=True)
        figures["seconds"] = seconds
    args.out.write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


def flatten(value: object, prefix: str = "") -> dict[str, object]:
    """Leaves of nested JSON keyed by their path; list rows keyed by their club/team/plan/model when present."""
    out: dict[str, object] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}/{key}" if prefix else str(key)))
    elif isinstance(value, list):
        for position, item in enumerate(value):
            label = position
            if isinstance(item, dict):
                for field in ("team", "club", "plan", "key", "decided by", "model", "market"):
                    if field in item:
                        label = "|".join(str(item[f]) for f in (field, "selection", "line", "gap", "gap_to_leader",
                                                                  "fatigue_factor", "weight")
                                         if f in item)
                        break
            out.update(flatten(item, f"{prefix}[{label}]"))
    else:
        out[prefix] = value
    return out


def _number(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip().rstrip("%").replace(",", "")
        try:
            return float(text)
        except ValueError:
            return None
    return None


def compare(args: argparse.Namespace) -> int:
    old = json.loads(args.old.read_text(encoding="utf-8"))
    new = json.loads(args.new.read_text(encoding="utf-8"))
    for meta in ("src", "store", "seconds"):
        old.pop(meta, None)
        new.pop(meta, None)
    a, b = flatten(old), flatten(new)
    same = changed = 0
    rows: dict[str, list[str]] = {}
    for key in sorted(set(a) | set(b)):
        x, y = a.get(key, "<missing>"), b.get(key, "<missing>")
        if x == y:
            same += 1
            continue
        nx, ny = _number(x), _number(y)
        if nx is not None and ny is not None and (nx == ny or (math.isnan(nx) and math.isnan(ny))):
            same += 1
            continue
        changed += 1
        group = key.split("/")[0].split("[")[0]
        diff = f"  (diff {ny - nx:+.3g})" if nx is not None and ny is not None else ""
        rows.setdefault(group, []).append(f"  {key}: {x!r} -> {y!r}{diff}")
    print(f"{same} figures identical, {changed} changed")
    for group, lines in rows.items():
        print(f"{group}: {len(lines)} changed")
        for line in lines[: args.most]:
            print(line)
        if len(lines) > args.most:
            print(f"  ... {len(lines) - args.most} more")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record", help="record every figure of one tree")
    rec.add_argument("--src", type=Path, default=REPO / "src", help="the tree's src folder (default: this one)")
    rec.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "matchday-figures" / "store.duckdb",
                     help="store to use (built from --data when missing)")
    rec.add_argument("--data", type=Path, default=Path(os.environ.get("MATCHDAY_SHARED_DATA",
                                                                       REPO.parent / "shared" / "data")))
    rec.add_argument("--out", type=Path, required=True)
    rec.add_argument("--only", nargs="*", help="only these CLI steps")
    cmp_ = sub.add_parser("compare", help="old/new pairs of every figure that changed")
    cmp_.add_argument("old", type=Path)
    cmp_.add_argument("new", type=Path)
    cmp_.add_argument("--most", type=int, default=40, help="rows shown per group")
    args = parser.parse_args()
    return record(args) if args.command == "record" else compare(args)


if __name__ == "__main__":
    raise SystemExit(main())
