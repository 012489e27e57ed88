"""Squads and lineup strength: what fielding a rotated XI does to a team's model rating.

Rotation levels say how many first-choice players start a match:

==========  ===================================  ==================================
level       XI                                   share of first-choice players
==========  ===================================  ==================================
``full``    the first-choice XI                  1
``partial`` five changes (six first-choice)      6/11
``second``  the second string (no first-choice)  0
==========  ===================================  ==================================

The team's model rating (attack, defence on the log goal-rate scale) is taken to be the rating of its
first-choice XI. A rotated XI moves the club's log scoring rate by ``attack[level]`` and its defence (minus
the log conceding rate) by ``defence[level]``, both <= 0.

**Two-tier model** (no squad file): the second string is weaker by ``gap`` on both scales, a partial
rotation by ``gap * 5/11``. The default :data:`DEFAULT_GAP` = 0.30 is a documented assumption, not an
estimate (the public data hold no lineups): it makes a title contender's second string about a mid-table
Premier League side. In the Dixon-Coles fit of 2024-04-15 Liverpool rate attack 0.87 and defence 0.62, the
league's median club 0.48 and 0.37 and its 7th-8th placed clubs (Chelsea, Manchester United) about 0.55 and
0.41: taking 0.30 off both puts Liverpool's reserves at 0.57 / 0.32, i.e. among those clubs. The rotation
advice is reported across a range of gaps because this number matters.

**Squad file** (:func:`read_squad`, format in ``docs/squad-file.md``): each player has positions, a 0-100
quality rating (the scale of video-game or scouting ratings), availability and recent minutes. The
first-choice XI is the best XI of a 4-3-3 (1 GK, 4 DF, 3 MF, 3 FW; optimal assignment, a player may cover
several positions) among available players; the second string is the best XI among the others. Attack
quality is the mean rating of the XI's midfielders and forwards, defence quality that of its goalkeeper,
defenders and midfielders. A lineup's deltas are ``-RATING_POINT_LOG`` per rating point below the
reference XI (the best XI of the whole squad, available or not, whose strength the model has seen), so
injured stars lower even the full-strength lineup. :data:`RATING_POINT_LOG` = 0.04 per point is an
assumption anchored the same way: top Premier League XIs rate about 85 on such scales and mid-table ones
about 78, while the model puts the top clubs about 0.3 above mid-table on each of attack and defence
(0.3 / 7 points ~ 0.04).
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from matchday.data.errors import DataError

LEVELS: dict[str, float] = {"full": 1.0, "partial": 6.0 / 11.0, "second": 0.0}
"""Share of first-choice players in the XI, per rotation level."""
LEVEL_ALIASES: dict[str, str] = {
    "full": "full", "first": "full", "all": "full", "strongest": "full",
    "partial": "partial", "rotate": "partial", "rotated": "partial", "half": "partial", "mixed": "partial",
    "second": "second", "reserves": "second", "rest": "second", "b": "second", "second-string": "second",
    "second_string": "second",
}
DEFAULT_GAP = 0.30
RATING_POINT_LOG = 0.04
FORMATION: dict[str, int] = {"GK": 1, "DF": 4, "MF": 3, "FW": 3}
POSITION_GROUPS: dict[str, str] = {
    "GK": "GK", "G": "GK", "GOALKEEPER": "GK",
    "DF": "DF", "D": "DF", "DEF": "DF", "DEFENDER": "DF", "CB": "DF", "LB": "DF", "RB": "DF", "LWB": "DF",
    "RWB": "DF", "FB": "DF", "WB": "DF",
    "MF": "MF", "M": "MF", "MID": "MF", "MIDFIELDER": "MF", "DM": "MF", "CDM": "MF", "CM": "MF", "AM": "MF",
    "CAM": "MF", "LM": "MF", "RM": "MF",
    "FW": "FW", "F": "FW", "FWD": "FW", "FORWARD": "FW", "ST": "FW", "CF": "FW", "LW": "FW", "RW": "FW",
    "W": "FW", "SS": "FW",
}
ATTACK_GROUPS = ("MF", "FW")
DEFENCE_GROUPS = ("GK", "DF", "MF")
AVAILABLE_THRESHOLD = 0.5
SQUAD_COLUMNS = ("player", "positions", "rating", "availability", "recent_minutes")


def normalize_level(level: str) -> str:
    """``full``, ``partial`` or ``second`` from a level name or alias (clear error otherwise)."""
    from matchday.data.errors import UnknownChoiceError

    key = str(level).strip().lower().replace(" ", "-")
    if key not in LEVEL_ALIASES:
        raise UnknownChoiceError("rotation level", str(level), list(LEVELS))
    return LEVEL_ALIASES[key]


@dataclass(frozen=True)
class LineupStrength:
    """Log-scale strength changes of each rotation level relative to the team's model rating.

    attack / defence: per level (<= 0 = weaker). share: share of first-choice players per level.
    per_player_attack / per_player_defence: change when one first-choice player is replaced by a
    second-string one (used for injuries). initial_load: share of first-choice players who played the
    club's latest match (fatigue going into the first remaining match; 1 = assume they all did).
    """

    attack: dict[str, float]
    defence: dict[str, float]
    share: dict[str, float] = field(default_factory=lambda: dict(LEVELS))
    per_player_attack: float = 0.0
    per_player_defence: float = 0.0
    initial_load: float = 1.0
    source: str = ""

    @classmethod
    def two_tier(cls, gap: float = DEFAULT_GAP, gap_defence: float | None = None) -> LineupStrength:
        """First XI = the model rating; second string ``gap`` weaker on log attack and on log defence."""
        gap_defence = gap if gap_defence is None else gap_defence
        for name, value in (("gap", gap), ("gap_defence", gap_defence)):
            if not np.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be a finite number >= 0 (got {value!r})")
        attack = {level: -gap * (1.0 - share) for level, share in LEVELS.items()}
        defence = {level: -gap_defence * (1.0 - share) for level, share in LEVELS.items()}
        return cls(attack, defence, dict(LEVELS), -gap / 11.0, -gap_defence / 11.0,
                   source=f"two-tier model: second string {gap:.2f} weaker in log attack, {gap_defence:.2f} in log defence")

    def delta(self, level: str) -> tuple[float, float]:
        level = normalize_level(level)
        return self.attack[level], self.defence[level]

    def with_gap(self, gap: float) -> LineupStrength:
        """The same lineup model with its second-string gap rescaled to ``gap`` (mean of attack and defence);
        for a two-tier model this is ``two_tier(gap)``. Keeps the full-strength offset (unavailable players)."""
        current = -(self.attack["second"] - self.attack["full"] + self.defence["second"] - self.defence["full"]) / 2
        if current <= 0:
            return replace(LineupStrength.two_tier(gap), initial_load=self.initial_load)
        k = gap / current
        full_a, full_d = self.attack["full"], self.defence["full"]
        attack = {lv: full_a + k * (v - full_a) for lv, v in self.attack.items()}
        defence = {lv: full_d + k * (v - full_d) for lv, v in self.defence.items()}
        return replace(self, attack=attack, defence=defence, per_player_attack=self.per_player_attack * k,
                       per_player_defence=self.per_player_defence * k, source=self.source + f" (gap rescaled to {gap:.2f})")

    @property
    def gap(self) -> float:
        """Mean second-string gap (log attack and log defence) relative to the full-strength XI."""
        return -(self.attack["second"] - self.attack["full"] + self.defence["second"] - self.defence["full"]) / 2

    def table(self) -> pd.DataFrame:
        return pd.DataFrame({"share_first_choice": self.share, "attack": self.attack, "defence": self.defence})


# ---------------------------------------------------------------------------------------------------
# Squad file
# ---------------------------------------------------------------------------------------------------


@dataclass
class Squad:
    """Players of a squad file: columns player, groups (tuple of GK/DF/MF/FW), rating, availability,
    recent_minutes. ``source``: the file it came from."""

    players: pd.DataFrame
    source: str = ""

    @property
    def available(self) -> pd.DataFrame:
        return self.players[self.players["availability"] >= AVAILABLE_THRESHOLD]

    def best_xi(self, players: pd.DataFrame | None = None, *, formation: dict[str, int] | None = None,
                exclude: set[str] | frozenset[str] = frozenset(), filler: float | None = None) -> pd.DataFrame:
        """The best XI (max total rating) of ``players`` (default: the available ones) in ``formation``.

        Returns one row per slot: slot group, player (None for a slot no eligible player can fill, which gets
        ``filler`` = the squad's lowest rating minus 5: a youth player).
        """
        from scipy.optimize import linear_sum_assignment

        formation = formation or FORMATION
        pool = self.available if players is None else players
        pool = pool[~pool["player"].isin(exclude)].reset_index(drop=True)
        slots = [group for group, count in formation.items() for _ in range(count)]
        filler = float(self.players["rating"].min() - 5.0) if filler is None else filler
        big = 1e6
        cost = np.full((len(pool) + len(slots), len(slots)), big)
        for i, row in enumerate(pool.itertuples()):
            for k, group in enumerate(slots):
                if group in row.groups:
                    cost[i, k] = -float(row.rating)
        cost[len(pool):, :] = -filler + big / 2  # dummy "youth" rows: usable, but only when nothing else is
        rows, cols = linear_sum_assignment(cost)
        out = []
        for r, k in zip(rows, cols, strict=True):
            if r < len(pool) and cost[r, k] < big / 2:
                out.append((slots[k], pool.loc[r, "player"], float(pool.loc[r, "rating"])))
            else:
                out.append((slots[k], None, filler))
        return pd.DataFrame(out, columns=["group", "player", "rating"]).sort_values("group", kind="stable")

    def lineups(self, formation: dict[str, int] | None = None) -> dict[str, pd.DataFrame]:
        """The reference XI (whole squad), the first-choice XI and the second string (available players)."""
        reference = self.best_xi(self.players, formation=formation)
        first = self.best_xi(formation=formation)
        second = self.best_xi(formation=formation, exclude=set(first["player"].dropna()))
        return {"reference": reference, "full": first, "second": second}

    def lineup_strength(self, *, rating_point_log: float = RATING_POINT_LOG,
                        formation: dict[str, int] | None = None) -> LineupStrength:
        """Per-level deltas (see the module docstring) and the fatigue state from ``recent_minutes``."""
        xis = self.lineups(formation)

        def quality(xi: pd.DataFrame, groups: tuple[str, ...]) -> float:
            return float(xi[xi["group"].isin(groups)]["rating"].mean())

        ref_a, ref_d = quality(xis["reference"], ATTACK_GROUPS), quality(xis["reference"], DEFENCE_GROUPS)
        full_a, full_d = quality(xis["full"], ATTACK_GROUPS), quality(xis["full"], DEFENCE_GROUPS)
        sec_a, sec_d = quality(xis["second"], ATTACK_GROUPS), quality(xis["second"], DEFENCE_GROUPS)
        attack, defence = {}, {}
        for level, share in LEVELS.items():
            qa = full_a - (1.0 - share) * (full_a - sec_a)
            qd = full_d - (1.0 - share) * (full_d - sec_d)
            attack[level] = -rating_point_log * (ref_a - qa)
            defence[level] = -rating_point_log * (ref_d - qd)
        first_names = set(xis["full"]["player"].dropna())
        minutes = self.players.set_index("player")["recent_minutes"]
        load = float(np.mean([min(float(minutes.get(p, 0.0)), 90.0) / 90.0 for p in first_names])) if first_names else 1.0
        return LineupStrength(
            attack=attack, defence=defence, share=dict(LEVELS),
            per_player_attack=-rating_point_log * (full_a - sec_a) / 11.0,
            per_player_defence=-rating_point_log * (full_d - sec_d) / 11.0,
            initial_load=load,
            source=(f"squad file {self.source}: first XI rates {full_a:.1f}/{full_d:.1f} (attack/defence quality), "
                    f"second string {sec_a:.1f}/{sec_d:.1f}, whole-squad best {ref_a:.1f}/{ref_d:.1f}; "
                    f"{rating_point_log} log per rating point"),
        )


def read_squad(path: str | os.PathLike[str]) -> Squad:
    """Read and validate a squad CSV (see ``docs/squad-file.md``); bad input raises :class:`DataError`
    naming the file, line, column, value and what was expected."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise DataError(f"cannot read the squad file ({exc.strerror or exc})", file=file) from None
    except UnicodeDecodeError:
        raise DataError("the squad file is not UTF-8 text", file=file, expected="a UTF-8 CSV file") from None
    return parse_squad(text, file=file)


def parse_squad(text: str, *, file: str = "<squad>") -> Squad:
    """Parse squad CSV text (lines starting with ``#`` are comments)."""
    lines = [(number, line) for number, line in enumerate(text.splitlines(), start=1)
             if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise DataError("the squad file has no header and no players", file=file,
                        expected="a header line: " + ",".join(SQUAD_COLUMNS))
    reader = csv.reader(io.StringIO("\n".join(line for _, line in lines)))
    rows = list(reader)
    header = [h.strip().lower() for h in rows[0]]
    header_line = lines[0][0]
    missing = [c for c in SQUAD_COLUMNS if c not in header]
    if missing:
        raise DataError("the squad file lacks a column", file=file, line=header_line, column=missing[0],
                        value=",".join(rows[0]), expected="columns " + ",".join(SQUAD_COLUMNS))
    where = {c: header.index(c) for c in SQUAD_COLUMNS}
    records = []
    seen: set[str] = set()
    for (number, _), row in zip(lines[1:], rows[1:], strict=True):
        if len(row) < len(header):
            raise DataError("too few fields", file=file, line=number, value=",".join(row),
                            expected=f"{len(header)} comma-separated fields")

        def cell(column: str, row: list[str] = row) -> str:
            return row[where[column]].strip()

        name = cell("player")
        if not name:
            raise DataError("player name is empty", file=file, line=number, column="player", value="",
                            expected="a name")
        if name in seen:
            raise DataError("player listed twice", file=file, line=number, column="player", value=name,
                            expected="one row per player")
        seen.add(name)
        groups = []
        for token in cell("positions").replace(";", "/").replace("|", "/").replace(" ", "/").split("/"):
            token = token.strip().upper()
            if not token:
                continue
            if token not in POSITION_GROUPS:
                raise DataError("unknown position", file=file, line=number, column="positions", value=token,
                                expected="GK, DF, MF, FW (or CB, LB, RB, DM, CM, AM, LW, RW, ST, ...), "
                                         "several separated by /")
            groups.append(POSITION_GROUPS[token])
        if not groups:
            raise DataError("no position given", file=file, line=number, column="positions", value=cell("positions"),
                            expected="at least one of GK, DF, MF, FW")
        rating = _number(cell("rating"), file, number, "rating", 0.0, 100.0, "a rating from 0 to 100")
        availability = _number(cell("availability"), file, number, "availability", 0.0, 1.0,
                               "a number from 0 (out) to 1 (available)", default=1.0)
        minutes = _number(cell("recent_minutes"), file, number, "recent_minutes", 0.0, 130.0,
                          "minutes played in the club's latest match, 0 to 120", default=0.0)
        records.append(dict(player=name, groups=tuple(dict.fromkeys(groups)), rating=rating,
                            availability=availability, recent_minutes=minutes))
    if len(records) < 11:
        raise DataError(f"a squad needs at least 11 players (found {len(records)})", file=file,
                        expected="11 or more player rows")
    players = pd.DataFrame(records)
    squad = Squad(players, source=file)
    if (squad.available["groups"].map(lambda g: "GK" in g)).sum() == 0:
        raise DataError("no available goalkeeper", file=file, column="positions",
                        expected="at least one available player with position GK")
    return squad


def _number(text: str, file: str, line: int, column: str, lo: float, hi: float, expected: str,
            default: float | None = None) -> float:
    if text == "" and default is not None:
        return default
    try:
        value = float(text)
    except ValueError:
        raise DataError("not a number", file=file, line=line, column=column, value=text, expected=expected) from None
    if not (lo <= value <= hi):
        raise DataError("out of range", file=file, line=line, column=column, value=text, expected=expected)
    return value


def example_squad_path() -> Path:
    """Path of the illustrative example squad shipped with the package (made-up ratings, not data)."""
    from importlib import resources

    return Path(str(resources.files("matchday.decide").joinpath("examples/squad_liverpool_2024_illustrative.csv")))


def lineup_from(squad: str | os.PathLike[str] | Squad | LineupStrength | None, *, gap: float | None = None,
                rating_point_log: float = RATING_POINT_LOG) -> LineupStrength:
    """The lineup model for a squad file path, a :class:`Squad`, a ready :class:`LineupStrength`, or None
    (two-tier model with ``gap``, default :data:`DEFAULT_GAP`). ``gap`` with a squad rescales its gap."""
    if isinstance(squad, LineupStrength):
        lineup = squad
    elif squad is None:
        return LineupStrength.two_tier(DEFAULT_GAP if gap is None else gap)
    else:
        squad = squad if isinstance(squad, Squad) else read_squad(squad)
        lineup = squad.lineup_strength(rating_point_log=rating_point_log)
    return lineup if gap is None else lineup.with_gap(gap)
