"""A "cut mirror": ../shared/data as the live sites looked on a date D, for tests of the running season.

:func:`build_cut_mirror` writes a folder laid out like ``shared/data`` (so ``matchday sync --mirror`` and
``SourceURLs.resolve(mirror=...)`` read it) holding the season being cut (default 2024-25) as it stood
after the last match of day D:

* ``football-data/mmz4281/<ssss>/<DIV>.csv``: the season file of every division with only the rows of
  matches played on or before D (the live file holds played matches only; header, BOM and line endings
  kept byte for byte).
* ``football-data/fixtures.csv``: football-data's fixtures file on D: every division's matches of the
  next ``fixture_days`` days (D+1 .. D+fixture_days), columns ``Div, Date, Time, HomeTeam, AwayTeam``
  and the pre-match odds of the season file (closing odds are not known yet), UTF-8 BOM, CRLF.
* ``openfootball/football.json/<season>/*.json`` and ``openfootball/champions-league/<season>/*.txt``:
  the whole season's schedule, with the scores of matches after D removed.

What the published files cannot tell is approximated, and said here:

* Knockout pairings are listed only once they were known: a UEFA knockout round appears when its
  previous round is complete and, for the knockout play-offs and the round of 16, not before the draw
  (2024-25: knockout play-off draw 31 January 2025 for the UCL and UEL, 20 December 2024 for the UECL;
  round-of-16 draw 21 February 2025). Qualifying rounds likewise appear once the previous round is over.
  The league phase is listed whole (drawn in August).
* Dates are those of the final files: a match postponed after D shows its final date already, and a
  fixture the live file still showed at its original date cannot be rebuilt (test postponements with
  hand-made inputs, as ``tests/test_running.py`` does).

Older seasons are linked unchanged with ``history=True`` (symbolic links: fast), so that models can be
fitted on them. Building a cut of 2024-25 takes well under a second per call.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

from matchday.data.seasons import season_code
from matchday.data.sources._common import canonical_round
from matchday.data.sources.footballdata import describe_columns
from matchday.data.sources.footballtxt import read_football_txt

#: Draw dates of knockout rounds whose pairings were not known when the previous round ended (2024-25).
DRAW_DATES: dict[tuple[str, str, str], dt.date] = {
    ("2024-25", "cl", "Knockout play-off"): dt.date(2025, 1, 31),
    ("2024-25", "el", "Knockout play-off"): dt.date(2025, 1, 31),
    ("2024-25", "conf", "Knockout play-off"): dt.date(2024, 12, 20),
    ("2024-25", "cl", "Round of 16"): dt.date(2025, 2, 21),
    ("2024-25", "el", "Round of 16"): dt.date(2025, 2, 21),
    ("2024-25", "conf", "Round of 16"): dt.date(2025, 2, 21),
}
_JSON_STEM_TO_TXT = {"uefa.cl": "cl", "uefa.el": "el", "uefa.conf": "conf"}
_AWAY_WITH_COUNTRY = re.compile(r"^(?P<keep>\s*(?:[0-9]{1,2}[.:][0-9]{2}\s+)?.*?\sv\s.*?\([A-Z]{3}\))")


def _stage(round_name: str | None) -> str:
    """Rounds listed together: every league-phase matchday is one stage (drawn at once)."""
    name = round_name or ""
    return "League phase" if name.lower().startswith("league phase") else name


def _listing_dates(rounds: list[tuple[str, dt.date]], season: str, stem: str) -> dict[str, dt.date]:
    """When each stage's pairings became known: the day after the previous stage's last match, or the
    draw date if later. ``rounds`` is (round, match date) in file order."""
    order: list[str] = []
    last: dict[str, dt.date] = {}
    for name, date in rounds:
        stage = _stage(name)
        if stage not in last:
            order.append(stage)
        last[stage] = max(last.get(stage, date), date)
    listed: dict[str, dt.date] = {}
    for i, stage in enumerate(order):
        known = dt.date.min if i == 0 else last[order[i - 1]]
        draw = DRAW_DATES.get((season, stem, stage))
        listed[stage] = max(known, draw) if draw else known
    return listed


def _cut_footballdata(src: Path, dst: Path, cut: dt.date) -> list[dict[str, str]]:
    """Copy a season file keeping the rows played by ``cut``; return the later rows as dicts."""
    raw = src.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    lines = raw[3 if bom else 0:].splitlines(keepends=True)
    text_lines = [line.decode("utf-8", errors="replace") for line in lines]
    header = next(csv.reader([text_lines[0]]))
    header = [h.strip() for h in header]
    date_col = header.index("Date")
    kept = [lines[0]]
    later: list[dict[str, str]] = []
    for line, text in zip(lines[1:], text_lines[1:], strict=True):
        cells = next(csv.reader([text]), [])
        if not cells or not any(c.strip() for c in cells):
            continue
        day, month, year = (int(x) for x in cells[date_col].split("/"))
        date = dt.date(year + (2000 if year < 100 else 0), month, day)
        if date <= cut:
            kept.append(line)
        else:
            later.append(dict(zip(header, cells, strict=False)) | {"_date": date.isoformat()})
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes((b"\xef\xbb\xbf" if bom else b"") + b"".join(kept))
    return later


def _write_fixtures(rows: list[dict[str, str]], dst: Path) -> int:
    """football-data's fixtures.csv from season-file rows: match columns plus pre-match odds."""
    columns = ["Div", "Date", "Time", "HomeTeam", "AwayTeam"]
    for row in rows:
        roles = describe_columns([c for c in row if not c.startswith("_")])
        for column, role in roles.items():
            keep = (role.startswith("odds:") and not role.endswith("closing")) or role == "pre-match Asian handicap line"
            if keep and column not in columns:
                columns.append(column)
    rows = sorted(rows, key=lambda r: (r["_date"], r.get("Time", ""), r["Div"], r["HomeTeam"]))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode("utf-8"))
    return len(rows)


def _cut_json(src: Path, dst: Path, cut: dt.date, season: str) -> None:
    doc = json.loads(src.read_text(encoding="utf-8-sig"))
    stem = _JSON_STEM_TO_TXT.get(src.stem)
    matches = doc.get("matches", [])
    if stem is not None:  # a UEFA competition: knockout rounds appear once their pairings are known
        rounds = [(canonical_round(m.get("round") or "")[0], dt.date.fromisoformat(m["date"])) for m in matches]
        listed = _listing_dates(rounds, season, stem)
        matches = [m for m, (name, _) in zip(matches, rounds, strict=True) if listed[_stage(name)] <= cut]
    for match in matches:
        if dt.date.fromisoformat(match["date"]) > cut:  # on day D the site listed it as still to play
            match.pop("score", None)
            match.pop("status", None)  # "awarded" etc. was decided after D
    doc["matches"] = matches
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")


def _cut_txt(src: Path, dst: Path, cut: dt.date, season: str) -> None:
    matches = read_football_txt(src, season=season)
    listed = _listing_dates([(m.round or "", m.date) for m in matches], season, src.stem)
    action = {m.source_line: ("keep" if m.date <= cut else "fixture" if listed[_stage(m.round)] <= cut else "drop")
              for m in matches}
    raw = src.read_bytes()
    out: list[bytes] = []
    for number, line in enumerate(raw.splitlines(keepends=True), start=1):
        what = action.get(number, "keep")
        if what == "drop":
            continue
        if what == "fixture":
            text = line.decode("utf-8")
            ending = text[len(text.rstrip("\r\n")):]
            found = _AWAY_WITH_COUNTRY.match(text.rstrip("\r\n"))
            if found is None:
                raise ValueError(f"{src}: line {number}: cannot strip the result from {text!r}")
            line = (found.group("keep") + ending).encode("utf-8")
        out.append(line)
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes(b"".join(out))


def build_cut_mirror(
    shared: Path,
    dest: Path,
    cut: dt.date | str,
    *,
    season: str = "2024-25",
    fixture_days: int = 7,
    history: bool = False,
) -> Path:
    """Write the cut mirror of ``season`` on day ``cut`` under ``dest`` and return ``dest`` (see the module
    docstring). ``history`` links the other seasons' files unchanged."""
    cut = dt.date.fromisoformat(cut) if isinstance(cut, str) else cut
    shared, dest = Path(shared), Path(dest)
    code = season_code(season)
    fd_root = shared / "football-data" / "mmz4281"
    upcoming: list[dict[str, str]] = []
    for src in sorted((fd_root / code).glob("*.csv")):
        later = _cut_footballdata(src, dest / "football-data" / "mmz4281" / code / src.name, cut)
        horizon = cut + dt.timedelta(days=fixture_days)
        upcoming += [row for row in later if row["_date"] <= horizon.isoformat()]
    _write_fixtures(upcoming, dest / "football-data" / "fixtures.csv")
    for src in sorted((shared / "openfootball" / "football.json" / season).glob("*.json")):
        _cut_json(src, dest / "openfootball" / "football.json" / season / src.name, cut, season)
    for src in sorted((shared / "openfootball" / "champions-league" / season).glob("*.txt")):
        _cut_txt(src, dest / "openfootball" / "champions-league" / season / src.name, cut, season)
    if history:
        for src in shared.rglob("*"):
            rel = src.relative_to(shared)
            if src.is_dir() or code in rel.parts or season in rel.parts:
                continue
            target = dest / rel
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                target.symlink_to(src)
    return dest
