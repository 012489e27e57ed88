"""League tables: tie-breakers on hand-made leagues, the vectorised engine against a plain reference, and
point deductions by date."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import zlib

import numpy as np
import pandas as pd
import pytest

from matchday.data.errors import DataError
from matchday.rules.leagues import (
    H2H_CRITERIA,
    Places,
    deductions_for,
    label_resolver,
    load_deductions,
    parse_deductions,
    rules_for,
)
from matchday.rules.table import TABLE_COLUMNS, double_round_robin, league_table, rank_league

# --- helpers --------------------------------------------------------------------------------------------


def frame_of(results: list[str], start: str = "2023-08-12") -> pd.DataFrame:
    """Matches from lines like ``"Alpha 2-1 Zeta"`` (home first), one day apart."""
    rows = []
    day = pd.Timestamp(start)
    for i, line in enumerate(results):
        home, score, away = line.split(" ")
        hg, ag = score.split("-")
        rows.append({"home": home, "away": away, "home_goals": int(hg), "away_goals": int(ag),
                     "date": day + pd.Timedelta(days=i)})
    return pd.DataFrame(rows)


def order_of(table: pd.DataFrame) -> list[str]:
    return table["team"].tolist()


def with_rules(code: str, season: str = "2023-24", **changes: object):
    return dataclasses.replace(rules_for(code, season), **changes)


# --- a plain reference implementation of the rules (one season, recursion over tied groups) --------------


def reference_rank(home, away, hg, ag, n, rules, adjust):
    """Finishing order, tied flags and play-off flags of one season, written as the regulations read."""
    pw, pd_ = rules.points_for_win, rules.points_for_draw
    pts = [int(adjust[t]) for t in range(n)]
    gf = [0] * n
    ga = [0] * n
    awf = [0] * n
    wins = [0] * n
    played = [0] * n
    for h, a, x, y in zip(home, away, hg, ag, strict=True):
        gf[h] += x
        ga[h] += y
        gf[a] += y
        ga[a] += x
        awf[a] += y
        played[h] += 1
        played[a] += 1
        if x > y:
            pts[h] += pw
            wins[h] += 1
        elif x < y:
            pts[a] += pw
            wins[a] += 1
        else:
            pts[h] += pd_
            pts[a] += pd_

    def whole(name, t):
        return {
            "points": pts[t],
            "points_per_game": (pts[t] * 1_000_000) // max(played[t], 1),
            "goal_difference": gf[t] - ga[t],
            "goals_for": gf[t],
            "away_goals_for": awf[t],
            "wins": wins[t],
        }[name]

    def h2h(group):
        members = set(group)
        rec = {t: {"h2h_points": 0, "h2h_goals_for": 0, "against": 0, "h2h_away_goals_for": 0} for t in group}
        count = 0
        for h, a, x, y in zip(home, away, hg, ag, strict=True):
            if h in members and a in members:
                count += 1
                rec[h]["h2h_goals_for"] += x
                rec[h]["against"] += y
                rec[a]["h2h_goals_for"] += y
                rec[a]["against"] += x
                rec[a]["h2h_away_goals_for"] += y
                rec[h]["h2h_points"] += pw if x > y else pd_ if x == y else 0
                rec[a]["h2h_points"] += pw if y > x else pd_ if x == y else 0
        for t in group:
            rec[t]["h2h_goal_difference"] = rec[t]["h2h_goals_for"] - rec[t]["against"]
        k = len(group)
        complete = count >= rules.meetings_per_pair * k * (k - 1) // 2
        return rec, complete

    def split(group, key):
        ordered = sorted(group, key=lambda t: (key[t], t))
        out = []
        for _, members in itertools.groupby(ordered, key=lambda t: key[t]):
            out.append(list(members))
        return out

    crit = list(rules.criteria)
    runs = []
    for name in crit:
        if runs and (name in H2H_CRITERIA) == (runs[-1][0] in H2H_CRITERIA):
            runs[-1].append(name)
        else:
            runs.append([name])

    def sequential(group, i):
        if len(group) == 1 or i == len(runs):
            return [group]
        run = runs[i]
        if run[0] in H2H_CRITERIA:
            rec, complete = h2h(group)
            if not complete:
                if rules.incomplete_h2h == "stop":
                    return [group]
                key = {t: () for t in group}
            else:
                key = {t: tuple(-rec[t][c] for c in run) for t in group}
        else:
            key = {t: tuple(-whole(c, t) for c in run) for t in group}
        return [g for sub in split(group, key) for g in sequential(sub, i + 1)]

    def restart(group, names):
        if len(group) == 1:
            return [group]
        rec, complete = h2h(group)
        for c in names:
            if c in H2H_CRITERIA:
                key = {t: (-rec[t][c] if complete else 0,) for t in group}
            else:
                key = {t: (-whole(c, t),) for t in group}
            parts = split(group, key)
            if len(parts) > 1:
                return [g for sub in parts for g in restart(sub, names)]
        return [group]

    everyone = list(range(n))
    if rules.h2h_restart:
        first_h2h = next(i for i, run in enumerate(runs) if run[0] in H2H_CRITERIA)
        names = [c for run in runs[first_h2h:] for c in run]
        lead = [everyone]
        for i in range(first_h2h):
            lead = [g for grp in lead for g in split(grp, {t: tuple(-whole(c, t) for c in runs[i]) for t in grp})]
        groups = [g for grp in lead for g in restart(grp, names)]
    else:
        groups = sequential(everyone, 0)
    order = [t for g in groups for t in sorted(g)]
    tied = [False] * n
    for g in groups:
        if len(g) > 1:
            for t in g:
                tied[t] = True
    by_place = [pts[t] for t in order]
    title = rules.playoff_for_title and n >= 2 and by_place[0] == by_place[1]
    safe = n - rules.places.relegation
    releg = rules.playoff_for_last_relegation_place and 1 <= safe < n and by_place[safe - 1] == by_place[safe]
    return order, tied, pts, bool(title), bool(releg)


def round_robin(n: int, rng: np.random.Generator, keep: float = 1.0):
    home, away = np.nonzero(~np.eye(n, dtype=bool))
    perm = rng.permutation(home.size)
    home, away = home[perm], away[perm]
    if keep < 1.0:
        mask = rng.random(home.size) < keep
        home, away = home[mask], away[mask]
    return home, away


ALL_RULES = [
    ("E0", "2018-19"), ("E0", "2023-24"), ("E1", "2023-24"), ("SP1", "2023-24"), ("I1", "2021-22"),
    ("I1", "2023-24"), ("D1", "2023-24"), ("F1", "2019-20"), ("F1", "2023-24"),
]


# --- the engine against the reference -------------------------------------------------------------------


@pytest.mark.parametrize(("code", "season"), ALL_RULES)
@pytest.mark.parametrize("keep", [1.0, 0.8])
def test_engine_matches_reference_on_random_leagues(code, season, keep):
    """Low-scoring random leagues are full of ties; every simulation must rank as the reference does."""
    rng = np.random.default_rng(zlib.crc32(f"{code}{season}{keep}".encode()))
    n = 6
    rules = dataclasses.replace(rules_for(code, season), places=Places(relegation=2))
    home, away = round_robin(n, rng, keep)
    sims = 300
    hg = rng.integers(0, 3, size=(sims, home.size)).astype(np.int8)
    ag = rng.integers(0, 3, size=(sims, home.size)).astype(np.int8)
    adjust = np.zeros(n, dtype=np.int64)
    adjust[rng.integers(0, n)] = -int(rng.integers(1, 4))
    st = rank_league(home, away, hg, ag, n, rules, adjust, chunk_size=64)
    for s in range(sims):
        order, tied, pts, title, releg = reference_rank(home, away, hg[s], ag[s], n, rules, adjust)
        assert st.order[s].tolist() == order, (s, hg[s], ag[s])
        assert st.tied[s].tolist() == tied
        assert st.points[s].tolist() == pts
        assert bool(st.title_playoff[s]) == title
        assert bool(st.relegation_playoff[s]) == releg


@pytest.mark.parametrize(("code", "season"), [("E0", "2023-24"), ("SP1", "2023-24"), ("D1", "2023-24")])
def test_many_simulations_equal_each_ranked_alone(code, season):
    rng = np.random.default_rng(7)
    n = 10
    rules = rules_for(code, season)
    home, away = round_robin(n, rng)
    hg = rng.poisson(1.3, size=(200, home.size))
    ag = rng.poisson(1.1, size=(200, home.size))
    together = rank_league(home, away, hg, ag, n, rules, chunk_size=37)
    for s in range(0, 200, 7):
        alone = rank_league(home, away, hg[s], ag[s], n, rules)
        for name in ("positions", "points", "won", "drawn", "lost", "goals_for", "goals_against", "tied"):
            assert np.array_equal(getattr(alone, name)[0], getattr(together, name)[s]), name


@pytest.mark.parametrize("n", [2, 3, 18, 24])
def test_canonical_fixture_order_ranks_like_any_other_order(n):
    """double_round_robin order takes the fast path; a shuffled copy of the same season must agree."""
    rng = np.random.default_rng(n)
    home, away = double_round_robin(n)
    assert home.size == n * (n - 1) and not (home == away).any()
    assert len(set(zip(home.tolist(), away.tolist(), strict=True))) == home.size
    hg = rng.poisson(1.4, size=(300, home.size))
    ag = rng.poisson(1.1, size=(300, home.size))
    perm = rng.permutation(home.size)
    rules = rules_for("SP1", "2023-24")
    fast = rank_league(home, away, hg, ag, n, rules)
    slow = rank_league(home[perm], away[perm], hg[:, perm], ag[:, perm], n, rules)
    for name in ("positions", "points", "won", "drawn", "lost", "goals_for", "goals_against",
                 "away_goals_for", "tied"):
        assert np.array_equal(getattr(fast, name), getattr(slow, name)), name
    order, tied, pts, _, _ = reference_rank(home, away, hg[0], ag[0], n, rules, np.zeros(n))
    assert fast.order[0].tolist() == order and fast.points[0].tolist() == pts


@pytest.mark.parametrize(("code", "season"), [("E0", "2023-24"), ("I1", "2023-24"), ("F1", "2023-24")])
def test_huge_scores_take_the_wide_counting_paths(code, season):
    """Goals in hundreds: 16-bit lanes for the totals and one bincount per head-to-head count."""
    rng = np.random.default_rng(4)
    n = 6
    rules = rules_for(code, season)
    home, away = round_robin(n, rng)
    hg = rng.integers(0, 3, size=(100, home.size)) * 500
    ag = rng.integers(0, 3, size=(100, home.size)) * 500
    st = rank_league(home, away, hg, ag, n, rules)
    for s in range(100):
        order, tied, pts, _, _ = reference_rank(home, away, hg[s], ag[s], n, rules, np.zeros(n))
        assert st.order[s].tolist() == order and st.tied[s].tolist() == tied and st.points[s].tolist() == pts
    assert np.array_equal(st.goals_for.sum(axis=1), hg.sum(axis=1) + ag.sum(axis=1))


def test_threads_and_chunks_do_not_change_the_result():
    rng = np.random.default_rng(5)
    home, away = round_robin(8, rng)
    hg = rng.integers(0, 3, size=(500, home.size))
    ag = rng.integers(0, 3, size=(500, home.size))
    rules = rules_for("I1", "2023-24")
    one = rank_league(home, away, hg, ag, 8, rules, chunk_size=64, n_jobs=1, rng=np.random.default_rng(1))
    two = rank_league(home, away, hg, ag, 8, rules, chunk_size=64, n_jobs=3, rng=np.random.default_rng(1))
    big = rank_league(home, away, hg, ag, 8, rules, chunk_size=10_000)
    fortran = rank_league(home, away, np.asfortranarray(hg), np.asfortranarray(ag), 8, rules, chunk_size=64)
    assert np.array_equal(fortran.classes, big.classes) and np.array_equal(fortran.points, big.points)
    for name in ("positions", "order", "classes", "tied", "points", "title_playoff", "relegation_playoff"):
        assert np.array_equal(getattr(one, name), getattr(two, name)), name
    for name in ("classes", "tied", "points", "goals_for"):
        assert np.array_equal(getattr(one, name), getattr(big, name)), name


@pytest.mark.parametrize(("code", "season"), [("E0", "2023-24"), ("SP1", "2023-24"), ("D1", "2023-24")])
def test_pairings_played_more_than_twice(code, season):
    """A league whose clubs meet four times (no N x N grid: the per-team column path)."""
    rng = np.random.default_rng(21)
    n = 5
    home, away = round_robin(n, rng)
    home, away = np.concatenate([home, away]), np.concatenate([away, home])
    rules = dataclasses.replace(rules_for(code, season), meetings_per_pair=4)
    hg = rng.integers(0, 3, size=(200, home.size))
    ag = rng.integers(0, 3, size=(200, home.size))
    st = rank_league(home, away, hg, ag, n, rules)
    assert (st.played == 4 * (n - 1)).all()
    for s in range(200):
        order, tied, pts, _, _ = reference_rank(home, away, hg[s], ag[s], n, rules, np.zeros(n))
        assert st.order[s].tolist() == order and st.tied[s].tolist() == tied and st.points[s].tolist() == pts


@pytest.mark.parametrize(("code", "season"), [("E0", "2023-24"), ("SP1", "2023-24"), ("SP1", "2022-23"),
                                           ("F1", "2023-24")])
def test_keys_too_wide_for_one_integer_rank_the_same(monkeypatch, code, season):
    """The fallbacks for wide keys (lexsort beyond 62 bits; no float shortcut beyond 52) agree with the
    reference."""
    import matchday.rules.table as table_module

    if season == "2022-23":  # the restart path: also try its bit-by-bit search for the splitting field
        monkeypatch.setattr(table_module, "_FLOAT_EXACT_BITS", 0)
    else:
        monkeypatch.setattr(table_module, "_pack", lambda cls, values: None)
    rng = np.random.default_rng(8)
    n = 6
    rules = rules_for(code, season)
    home, away = round_robin(n, rng)
    hg = rng.integers(0, 3, size=(150, home.size))
    ag = rng.integers(0, 3, size=(150, home.size))
    st = rank_league(home, away, hg, ag, n, rules)
    for s in range(150):
        order, tied, _, _, _ = reference_rank(home, away, hg[s], ag[s], n, rules, np.zeros(n))
        assert st.order[s].tolist() == order and st.tied[s].tolist() == tied


def test_invariants_on_simulated_seasons():
    rng = np.random.default_rng(11)
    n = 20
    home, away = round_robin(n, rng)
    hg = rng.poisson(1.5, size=(2000, home.size)).astype(np.int16)
    ag = rng.poisson(1.2, size=(2000, home.size)).astype(np.int16)
    st = rank_league(home, away, hg, ag, n, rules_for("I1", "2023-24"))
    draws = (hg == ag).sum(axis=1)
    decisive = home.size - draws
    assert np.array_equal(st.points.sum(axis=1), 3 * decisive + 2 * draws)
    assert (st.goal_difference.sum(axis=1) == 0).all()
    assert np.array_equal(st.goals_for.sum(axis=1), hg.sum(axis=1) + ag.sum(axis=1))
    assert (np.sort(st.positions, axis=1) == np.arange(1, n + 1)).all()
    assert (np.take_along_axis(st.positions, st.order.astype(np.int64), axis=1) == np.arange(1, n + 1)).all()
    assert ((st.won + st.drawn + st.lost) == 2 * (n - 1)).all()
    assert (st.won.sum(axis=1) == st.lost.sum(axis=1)).all()
    # points never increase down the table
    by_place = np.take_along_axis(st.points, st.order.astype(np.int64), axis=1)
    assert (np.diff(by_place, axis=1) <= 0).all()


def test_large_scores_and_irregular_fixtures_are_counted_exactly():
    """Scores beyond the one-byte code and clubs with unequal numbers of home matches."""
    home = np.array([0, 0, 0, 1, 2])
    away = np.array([1, 2, 3, 3, 0])
    hg = np.array([[17, 0, 30, 2, 1], [0, 0, 0, 0, 0]])
    ag = np.array([[3, 200, 1, 2, 1], [1, 1, 1, 1, 1]])
    st = rank_league(home, away, hg, ag, 4, rules_for("E0", "2023-24"))
    assert st.goals_for[0].tolist() == [17 + 0 + 30 + 1, 3 + 2, 200 + 1, 1 + 2]
    assert st.goals_against[0].tolist() == [3 + 200 + 1 + 1, 17 + 2, 0 + 1, 30 + 2]
    assert st.won[0].tolist() == [2, 0, 1, 0]
    assert st.drawn[0].tolist() == [1, 1, 1, 1]
    assert st.away_goals_for[0].tolist() == [1, 3, 200, 1 + 2]
    assert st.played[0].tolist() == [4, 2, 2, 2]
    assert st.won[1].tolist() == [1, 1, 1, 2] and st.lost[1].tolist() == [3, 1, 1, 0]  # all 0-1


def test_random_tie_break_is_seeded_and_only_touches_unresolved_ties():
    home = np.array([0, 1, 2, 3])
    away = np.array([1, 0, 3, 2])
    hg = np.zeros((50, 4), dtype=np.int8)
    ag = np.zeros((50, 4), dtype=np.int8)
    rules = rules_for("E0", "2023-24")
    a = rank_league(home, away, hg, ag, 4, rules, rng=np.random.default_rng(3))
    b = rank_league(home, away, hg, ag, 4, rules, rng=np.random.default_rng(3))
    assert np.array_equal(a.positions, b.positions)
    assert a.tied.all()
    assert len({tuple(row) for row in a.order.tolist()}) > 1  # lots differ between simulations
    fixed = rank_league(home, away, hg, ag, 4, rules)
    assert (fixed.order == np.arange(4)).all()  # without a generator: by team index


@pytest.mark.parametrize(
    ("args", "column"),
    [
        (([0, 1], [1, 5], [1, 1], [0, 0], 3), "away_idx"),
        (([0, 1], [1, 1], [1, 1], [0, 0], 3), "away_idx"),
        (([0, 1], [1, 0], [1, -1], [0, 0], 3), "home_goals/away_goals"),
        (([0, 1], [1, 0], [1, 1, 1], [0, 0, 0], 3), "home_goals"),
        (([0, 1], [1, 0], [1.5, 1], [0, 0], 3), "home_goals"),
        (([0, 1], [1, 0], [1, 1], [0, 0], 0), "n_teams"),
        (([[0, 1]], [1, 0], [1, 1], [0, 0], 3), "home_idx"),
        (([0, 1], [1, 0, 2], [1, 1], [0, 0], 3), "away_idx"),
        (([0, 1], [1, 0], [[1, 1], [0, 0]], [0, 0], 3), "away_goals"),
        (([0, 1], [1, 0], [1, 1], [0, 0], 3, None, [0, 0]), "deductions"),
        (([0, 1], [1, 0], [70_000, 1], [0, 0], 3), "home_goals/away_goals"),
    ],
)
def test_bad_engine_input_is_a_clear_error(args, column):
    rules = rules_for("E0", "2023-24")
    with pytest.raises(DataError) as err:
        if len(args) > 5:
            rank_league(*args[:5], rules, args[6])
        else:
            rank_league(*args, rules=rules)
    assert err.value.column == column


def test_a_season_before_its_first_match():
    frame = frame_of(["Alpha 1-0 Bravo", "Bravo 1-0 Alpha"])
    table = league_table(frame, "E0", "2023-24", as_of="2023-08-01", deductions={})
    assert order_of(table) == ["Alpha", "Bravo"] and (table["played"] == 0).all()
    assert table["note"].iloc[0] == "level on every tie-breaker with Bravo"
    st = rank_league([], [], np.zeros((3, 0), dtype=int), np.zeros((3, 0), dtype=int), 2,
                     rules_for("E0", "2023-24"))
    assert st.n_sims == 3 and st.n_teams == 2 and st.tied.all() and (st.points == 0).all()


# --- tie-breakers, league by league, on hand-made leagues -------------------------------------------------

# Zeta beats Alpha; both finish on 4 points, goal difference 0, 1 goal scored (see the arithmetic in the
# comments): only head-to-head separates them.
PL_H2H = [
    "Zeta 1-0 Alpha",
    "Xray 1-0 Zeta",  # Zeta: 3 + 0
    "Zeta 0-0 Yank",  # Zeta: 4 pts, GF 1, GA 1
    "Alpha 1-0 Xray",  # Alpha: 3
    "Yank 0-0 Alpha",  # Alpha: 4 pts, GF 1, GA 1
    "Xray 5-0 Yank",
]


def test_premier_league_head_to_head_points_from_2019_20():
    table = league_table(frame_of(PL_H2H), "E0", "2023-24", deductions={},
                         rules=with_rules("E0", meetings_per_pair=1))
    assert order_of(table) == ["Xray", "Zeta", "Alpha", "Yank"]
    row = table.set_index("team").loc[["Zeta", "Alpha"]]
    assert row["points"].tolist() == [4, 4]
    assert row["goal_difference"].tolist() == [0, 0] and row["goals_for"].tolist() == [1, 1]
    assert (table["note"] == "").all()


def test_premier_league_before_2019_20_leaves_the_tie_unresolved():
    table = league_table(frame_of(PL_H2H), "E0", "2018-19", deductions={},
                         rules=with_rules("E0", "2018-19", meetings_per_pair=1))
    assert order_of(table)[1:3] == ["Alpha", "Zeta"]  # level: kept in label order, flagged
    notes = table.set_index("team")["note"]
    assert notes["Alpha"].startswith("level on every tie-breaker with Zeta")
    assert "play-off" in notes["Alpha"]
    assert notes["Xray"] == ""


def test_premier_league_head_to_head_away_goals():
    # Each wins once away: head-to-head points 3-3, away goals Zeta 2, Alpha 1.
    results = ["Alpha 1-2 Zeta", "Zeta 0-1 Alpha", "Alpha 0-0 Xray", "Xray 0-0 Zeta"]
    table = league_table(frame_of(results), "E0", "2023-24", deductions={})
    assert order_of(table) == ["Zeta", "Alpha", "Xray"]
    assert table["points"].tolist() == [4, 4, 2]
    assert table["goal_difference"].tolist() == [0, 0, 0] and table["goals_for"].tolist() == [2, 2, 0]


# Three clubs level on 10 points. Matches among them: Alpha 9 pts (GD 0), Bravo 4 (GD -1), Charlie 4
# (GD +1); Bravo beat Charlie in their own two matches.
MINI_LEAGUE = [
    "Alpha 1-0 Bravo", "Bravo 0-1 Alpha",
    "Bravo 1-0 Charlie", "Charlie 0-0 Bravo",
    "Alpha 1-0 Charlie", "Charlie 3-0 Alpha",
    "Alpha 0-0 Xray", "Yank 1-0 Alpha",
    "Bravo 1-0 Xray", "Yank 0-1 Bravo",
    "Charlie 1-0 Xray", "Yank 0-1 Charlie",
]


def test_la_liga_mini_league_restarts_between_the_two_still_level():
    table = league_table(frame_of(MINI_LEAGUE), "SP1", "2023-24", deductions={})
    assert table["points"].tolist()[:3] == [10, 10, 10]
    # Alpha wins the mini-league; Bravo and Charlie are level in it, so their own matches decide: Bravo.
    assert order_of(table)[:3] == ["Alpha", "Bravo", "Charlie"]


def test_serie_a_classifica_avulsa_does_not_restart():
    # Same matches: after Alpha, the avulsa's goal difference among all three puts Charlie (+1) above
    # Bravo (-1).
    table = league_table(frame_of(MINI_LEAGUE), "I1", "2021-22", deductions={})
    assert order_of(table)[:3] == ["Alpha", "Charlie", "Bravo"]


def test_head_to_head_before_goal_difference_in_spain_and_italy_but_not_germany():
    # Alpha and Bravo on 4 points; Alpha has the better goal difference (+4 v 0), Bravo won the matches
    # between them (1-0, 0-0).
    results = ["Alpha 0-1 Bravo", "Bravo 0-0 Alpha", "Alpha 5-0 Xray", "Xray 1-0 Bravo"]
    frame = frame_of(results)
    for code, first in (("SP1", "Bravo"), ("I1", "Bravo"), ("D1", "Alpha"), ("E0", "Alpha"), ("F1", "Alpha")):
        table = league_table(frame, code, "2023-24", deductions={})
        assert order_of(table)[:2] == sorted(["Alpha", "Bravo"], key=lambda t: t != first), code


def test_bundesliga_aggregate_score_before_away_goals():
    # Level on points (3), goal difference (-2) and goals (2). Aggregate of their two matches: Alpha 2-1.
    # Away goals over the season favour Bravo (1 v 0): the aggregate comes first.
    results = ["Alpha 2-0 Bravo", "Bravo 1-0 Alpha", "Alpha 0-3 Xray", "Yank 2-1 Bravo"]
    table = league_table(frame_of(results), "D1", "2023-24", deductions={})
    teams = table.set_index("team")
    assert teams.loc["Alpha", "points"] == teams.loc["Bravo", "points"] == 3
    assert teams.loc["Alpha", "goal_difference"] == teams.loc["Bravo", "goal_difference"] == -2
    assert teams.loc["Alpha", "goals_for"] == teams.loc["Bravo", "goals_for"] == 2
    assert teams.loc["Alpha", "position"] < teams.loc["Bravo", "position"]


def test_bundesliga_order_is_goal_difference_goals_then_head_to_head():
    rules = rules_for("D1", "2023-24")
    assert rules.criteria[:3] == ("points", "goal_difference", "goals_for")
    assert rules.criteria[3:] == ("h2h_goal_difference", "h2h_away_goals_for", "away_goals_for")


def test_bundesliga_in_season_tie_without_both_meetings_is_a_shared_place():
    # Level on points, goal difference and goals; only one of their two meetings played: DFL rule, the
    # clubs share the place (not split by away goals).
    results = ["Alpha 1-1 Bravo", "Alpha 1-0 Xray", "Yank 0-1 Bravo"]
    table = league_table(frame_of(results), "D1", "2023-24", deductions={})
    notes = table.set_index("team")["note"]
    assert notes["Alpha"] == "level on every tie-breaker with Bravo"  # not a final table: no play-off text
    assert notes["Bravo"] == "level on every tie-breaker with Alpha"


def test_la_liga_in_season_skips_head_to_head_until_both_meetings_are_played():
    # Bravo beat Alpha in their only meeting so far; level on points, so goal difference decides: Alpha.
    results = ["Alpha 0-1 Bravo", "Alpha 4-0 Xray", "Xray 1-0 Bravo", "Xray 1-0 Yank"]
    table = league_table(frame_of(results), "SP1", "2023-24", deductions={})
    pair = [t for t in order_of(table) if t in ("Alpha", "Bravo")]
    assert pair == ["Alpha", "Bravo"]
    results.append("Bravo 0-0 Alpha")  # now both played: Bravo 4 pts in their matches, Alpha 1
    table = league_table(frame_of(results), "SP1", "2023-24", deductions={})
    assert table.set_index("team").loc[["Alpha", "Bravo"], "points"].tolist() == [4, 4]
    pair = [t for t in order_of(table) if t in ("Alpha", "Bravo")]
    assert pair == ["Bravo", "Alpha"]


def test_ligue_1_head_to_head_away_goals_before_goals_scored():
    # Metz and Lorient 2023-24 pattern: level on points and goal difference, 3-3 on points, 4-4 on goals
    # between them; away goals between them 3-2 for Metz; Lorient scored more over the season.
    results = ["Lorient 2-3 Metz", "Metz 1-2 Lorient", "Metz 1-0 Xray", "Lorient 3-2 Yank"]
    table = league_table(frame_of(results), "F1", "2023-24", deductions={})
    teams = table.set_index("team")
    assert teams.loc["Lorient", "goals_for"] > teams.loc["Metz", "goals_for"]
    assert teams.loc["Lorient", "goal_difference"] == teams.loc["Metz", "goal_difference"]
    assert order_of(table)[:2] == ["Metz", "Lorient"]


def test_ligue_1_2019_20_ranks_by_points_per_match():
    # Alpha: 4 points in 2 matches (2.0); Bravo: 5 points in 3 (1.67): Alpha ahead with fewer points.
    results = ["Alpha 1-0 Xray", "Alpha 0-0 Yank", "Bravo 1-0 Yank", "Bravo 0-0 Xray", "Xray 0-0 Bravo"]
    table = league_table(frame_of(results), "F1", "2019-20", deductions={})
    assert order_of(table)[:2] == ["Alpha", "Bravo"]
    assert table["points"].tolist()[:2] == [4, 5]


# Four clubs: Alpha and Bravo level on 15 points (each won at home against the other, Alpha by more),
# Charlie and Delta level on 3 and on every tie-breaker.
PLAYOFFS = [
    "Alpha 2-0 Bravo", "Bravo 1-0 Alpha", "Charlie 1-0 Delta", "Delta 1-0 Charlie",
    "Alpha 2-0 Charlie", "Charlie 0-2 Alpha", "Alpha 2-0 Delta", "Delta 0-2 Alpha",
    "Bravo 2-0 Charlie", "Charlie 0-2 Bravo", "Bravo 2-0 Delta", "Delta 0-2 Bravo",
]


def test_serie_a_play_offs_for_title_and_last_relegation_place():
    rules = with_rules("I1", places=Places(champions_league=1, relegation=1))
    table = league_table(frame_of(PLAYOFFS), "I1", "2023-24", deductions={}, rules=rules)
    notes = table.set_index("team")["note"]
    assert table["points"].tolist() == [15, 15, 3, 3]
    assert "title play-off" in notes["Alpha"] and "title play-off" in notes["Bravo"]
    assert "relegation play-off" in notes["Charlie"] and "relegation play-off" in notes["Delta"]
    # no play-off when the relegation line is not a tie, and none before 2022-23
    changed = [*PLAYOFFS[:3], "Delta 0-0 Charlie", *PLAYOFFS[4:]]
    table = league_table(frame_of(changed), "I1", "2023-24", deductions={}, rules=rules)
    assert not table["note"].str.contains("relegation").any()
    assert table["note"].str.contains("title play-off").sum() == 2
    old = with_rules("I1", "2021-22", places=Places(champions_league=1, relegation=1))
    table = league_table(frame_of(PLAYOFFS), "I1", "2021-22", deductions={}, rules=old)
    assert not table["note"].str.contains("play-off").any()


def test_serie_a_play_off_flags_in_the_engine():
    frame = frame_of(PLAYOFFS)
    teams = sorted(set(frame.home))
    idx = {t: i for i, t in enumerate(teams)}
    home = frame.home.map(idx).to_numpy()
    away = frame.away.map(idx).to_numpy()
    rules = with_rules("I1", places=Places(relegation=1))
    hg = np.stack([frame.home_goals.to_numpy(), np.zeros(len(frame), dtype=int)])
    ag = np.stack([frame.away_goals.to_numpy(), np.zeros(len(frame), dtype=int)])
    st = rank_league(home, away, hg, ag, 4, rules)
    assert st.title_playoff.tolist() == [True, True]  # all draws: everyone level
    assert st.relegation_playoff.tolist() == [True, True]
    assert st.tied[1].all()
    assert st.tied[0].tolist() == [False, False, True, True]  # Alpha ahead on head-to-head goal difference
    assert sorted(st.order[0, :2].tolist()) == [idx["Alpha"], idx["Bravo"]]


# --- the user table -------------------------------------------------------------------------------------


def test_league_table_columns_as_of_and_unplayed_matches():
    frame = frame_of(["Alpha 1-0 Bravo", "Bravo 2-2 Charlie", "Charlie 0-3 Alpha"])
    frame.loc[len(frame)] = {"home": "Delta", "away": "Alpha", "home_goals": None, "away_goals": None,
                             "date": pd.Timestamp("2023-09-01")}
    table = league_table(frame, "E0", "2023-24", deductions={})
    assert tuple(table.columns) == TABLE_COLUMNS
    assert order_of(table) == ["Alpha", "Bravo", "Charlie", "Delta"]
    assert table["played"].tolist() == [2, 2, 2, 0]
    assert table["position"].tolist() == [1, 2, 3, 4]
    # as_of is inclusive: the second match (13 Aug) counts on 13 Aug, the third (14 Aug) does not
    early = league_table(frame, "E0", "2023-24", as_of="2023-08-13", deductions={})
    assert early.set_index("team")["played"].to_dict() == {"Alpha": 1, "Bravo": 2, "Charlie": 1, "Delta": 0}
    frame["date"] = frame["date"] + pd.Timedelta(hours=20)  # evening kick-offs still count on their day
    late = league_table(frame, "E0", "2023-24", as_of=dt.date(2023, 8, 13), deductions={})
    assert late["played"].tolist() == early["played"].tolist()
    assert early.attrs["as_of"] == dt.date(2023, 8, 13)
    assert early.attrs["rules"].competition == "E0"


def test_league_table_applies_deductions_as_labels():
    frame = frame_of(["Alpha 1-0 Bravo", "Bravo 1-0 Alpha"])
    table = league_table(frame, "E0", "2023-24", deductions={"Alpha": -4})
    assert order_of(table) == ["Bravo", "Alpha"]
    assert table.set_index("team").loc["Alpha", ["points", "deduction"]].tolist() == [-1, -4]


@pytest.mark.parametrize(
    ("mutate", "column"),
    [
        (lambda f: f.drop(columns="date"), "date"),
        (lambda f: f.assign(home_goals=[1, -1]), "home_goals"),
        (lambda f: f.assign(away_goals=[1, 0.5]), "away_goals"),
        (lambda f: f.assign(date=["2023-08-12", "not a date"]), "date"),
        (lambda f: f.assign(away=["Bravo", "Bravo"]), "away"),
        (lambda f: f.assign(home=["Alpha", "Alpha"], away=["Bravo", "Bravo"]), "home"),
        (lambda f: f.assign(home=["Alpha", None]), "home"),
        (lambda f: f.assign(away=["", "Alpha"]), "away"),
    ],
)
def test_league_table_bad_input_names_the_column(mutate, column):
    frame = frame_of(["Alpha 1-0 Bravo", "Bravo 1-0 Alpha"])
    with pytest.raises(DataError) as err:
        league_table(mutate(frame), "E0", "2023-24", deductions={})
    assert err.value.column == column


def test_league_table_error_names_source_file_and_line():
    frame = frame_of(["Alpha 1-0 Bravo", "Bravo 1-0 Alpha"])
    frame["source_file"] = "E0.csv"
    frame["source_line"] = [2, 3]
    frame.loc[1, "home_goals"] = -2
    with pytest.raises(DataError) as err:
        league_table(frame, "E0", "2023-24", deductions={})
    assert err.value.file == "E0.csv" and err.value.line == 3
    assert "E0.csv, line 3" in str(err.value)


def test_a_deduction_for_an_unknown_label_is_an_error_not_ignored():
    frame = frame_of(["Everton 1-0 Fulham", "Fulham 1-0 Everton"], start="2024-01-01")
    # default deductions are keyed by team id ("everton"), the frame uses source names
    with pytest.raises(DataError) as err:
        league_table(frame, "E0", "2023-24")
    assert err.value.value == "everton"
    names = deductions_for("E0", "2023-24", resolve={"everton": "Everton", "nottingham-forest": "Nott'm Forest"})
    with pytest.raises(DataError) as err:  # Forest's deduction, but Forest is not in these matches
        league_table(frame, "E0", "2023-24", deductions=names)
    assert err.value.value == "Nott'm Forest"
    table = league_table(frame, "E0", "2023-24", deductions={"Everton": names["Everton"]})
    assert table.set_index("team").loc["Everton", "points"] == 3 - 8
    # with team ids as labels the default lookup works
    ids = frame.replace({"Everton": "everton", "Fulham": "fulham"})
    ids.loc[len(ids)] = {"home": "nottingham-forest", "away": "fulham", "home_goals": 0, "away_goals": 0,
                         "date": pd.Timestamp("2024-01-05")}
    table = league_table(ids, "E0", "2023-24")
    assert table.set_index("team").loc["everton", "deduction"] == -8


# --- deductions -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "everton", "forest"),
    [
        ("2023-11-16", 0, 0),
        ("2023-11-17", -10, 0),  # inclusive
        ("2024-02-25", -10, 0),
        ("2024-02-26", -6, 0),  # reduced on appeal
        ("2024-03-18", -6, -4),
        ("2024-04-08", -8, -4),
        (None, -8, -4),
    ],
)
def test_everton_and_forest_deductions_by_effective_date(as_of, everton, forest):
    got = deductions_for("E0", "2023-24", as_of=as_of)
    assert got.get("everton", 0) == everton
    assert got.get("nottingham-forest", 0) == forest
    assert set(got) <= {"everton", "nottingham-forest"}


def test_deductions_bad_as_of():
    with pytest.raises(DataError) as err:
        deductions_for("E0", "2023-24", as_of="the day after")
    assert err.value.column == "as_of"
    assert deductions_for("E0", "2023-24", as_of=dt.datetime(2024, 2, 26, 18, 0)) == {"everton": -6}


def test_deductions_resolve_to_caller_labels():
    names = {"everton": "Everton", "nottingham-forest": "Nott'm Forest"}
    assert deductions_for("Premier League", "2324", resolve=names) == {"Everton": -8, "Nott'm Forest": -4}
    assert deductions_for("E0", "2023-24", resolve=lambda tid: tid.upper()) == {
        "EVERTON": -8, "NOTTINGHAM-FOREST": -4}
    assert deductions_for("E0", "2022-23") == {}
    assert deductions_for("I1", "2022-23", as_of=dt.date(2023, 3, 1)) == {"juventus": -15}
    assert deductions_for("I1", "2022-23", as_of="2023-05-01") == {}
    assert deductions_for("I1", "2022-23") == {"juventus": -10}


def test_label_resolver_inverts_a_name_to_id_lookup():
    lookup = {"Everton": "everton", "Nott'm Forest": "nottingham-forest", "Fulham": "fulham"}.get
    mapping = label_resolver(["Everton", "Fulham", "Nott'm Forest", "Unknown FC"], lookup)
    assert mapping == {"everton": "Everton", "fulham": "Fulham", "nottingham-forest": "Nott'm Forest"}
    assert deductions_for("E0", "2023-24", resolve=mapping) == {"Everton": -8, "Nott'm Forest": -4}


def test_shipped_deductions_file_is_well_formed():
    rows = load_deductions()
    assert len(rows) >= 20
    for row in rows:
        assert row.points != 0
        assert row.reason and row.source
        # a decision takes effect within the season's July-June year (or the summer after it ends)
        start = int(row.season[:4])
        assert dt.date(start, 7, 1) <= row.effective_date <= dt.date(start + 1, 8, 31), row
    nets = {}
    for row in rows:
        nets[(row.competition, row.season, row.team_id)] = nets.get(
            (row.competition, row.season, row.team_id), 0) + row.points
    assert all(net < 0 for net in nets.values())  # appeals reduce deductions, never turn them into gifts


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("competition,season,team_id,points,effective_date,reason\n", "source"),
        ("competition,season,team_id,points,effective_date,reason,source\nXX,2023-24,a,-1,2024-01-01,r,s\n",
         "competition"),
        ("competition,season,team_id,points,effective_date,reason,source\nE0,2023,a,-1,2024-01-01,r,s\n",
         None),
        ("competition,season,team_id,points,effective_date,reason,source\nE0,2023-25,a,-1,2024-01-01,r,s\n",
         "season"),
        ("competition,season,team_id,points,effective_date,reason,source\nE0,2023-24,Bad Id,-1,2024-01-01,r,s\n",
         "team_id"),
        ("competition,season,team_id,points,effective_date,reason,source\nE0,2023-24,a,minus,2024-01-01,r,s\n",
         "points"),
        ("competition,season,team_id,points,effective_date,reason,source\nE0,2023-24,a,-1,17/11/2023,r,s\n",
         "effective_date"),
    ],
)
def test_bad_deduction_rows_name_line_and_column(text, column):
    if column is None:  # "2023" is a valid start year: normalised, not an error
        assert parse_deductions(text)[0].season == "2023-24"
        return
    with pytest.raises(DataError) as err:
        parse_deductions(text, file="x.csv")
    assert err.value.column == column
    assert err.value.file == "x.csv"
    assert err.value.line in (1, 2)


# --- rules data -----------------------------------------------------------------------------------------


def test_rules_per_league_and_season():
    assert rules_for("E0", "2018-19").criteria == ("points", "goal_difference", "goals_for")
    assert rules_for("Premier League", "2019/20").criteria[3:] == ("h2h_points", "h2h_away_goals_for")
    assert rules_for("SP1", "2023-24").h2h_restart
    assert not rules_for("I1", "2021-22").playoff_for_title
    assert rules_for("I1", "2022-23").playoff_for_last_relegation_place
    assert rules_for("F1", "2019-20").criteria[0] == "points_per_game"
    assert rules_for("F1", "2023-24").n_teams == 18 and rules_for("F1", "2022-23").n_teams == 20
    assert rules_for("F1", "2022-23").places.relegation == 4
    assert rules_for("D1", "2023-24").places.relegation_playoff == 1
    assert rules_for("E0", "2024-25").fallback is None and rules_for("E0", "2025-26").fallback is None
    for code in ("E0", "E1", "SP1", "I1", "D1", "F1"):
        for year in range(2012, 2026):
            rules = rules_for(code, f"{year}-{(year + 1) % 100:02d}")
            assert rules.source and rules.criteria[0] in ("points", "points_per_game")
            places = rules.places
            top = places.champions_league + places.europa_league + places.conference_league
            assert top + places.promotion + places.promotion_playoff + places.relegation_playoff \
                + places.relegation < rules.n_teams


def test_places_zone():
    places = rules_for("D1", "2024-25").places
    zones = [places.zone(p, 18) for p in range(1, 19)]
    assert zones[:7] == ["champions_league"] * 4 + ["europa_league"] * 2 + ["conference_league"]
    assert zones[15:] == ["relegation_playoff", "relegation", "relegation"]
    assert zones[7:15] == [""] * 8
    # 2023-24: Germany won a European Performance Spot, so the 5th also went to the Champions League
    assert [rules_for("D1", "2023-24").places.zone(p, 18) for p in (5, 6)] == ["champions_league", "europa_league"]
    e1 = rules_for("E1", "2023-24").places
    assert [e1.zone(p, 24) for p in (1, 2, 3, 6, 7, 22, 24)] == [
        "promotion", "promotion", "promotion_playoff", "promotion_playoff", "", "relegation", "relegation"]


def test_unknown_league_and_bad_rules():
    from matchday.data.errors import UnknownChoiceError

    with pytest.raises(UnknownChoiceError):
        rules_for("UCL", "2023-24")
    with pytest.raises(UnknownChoiceError):
        rules_for("Serie Z", "2023-24")
    with pytest.raises(ValueError):
        with_rules("E0", criteria=("points", "h2h_magic"))
    with pytest.raises(ValueError):
        with_rules("E0", criteria=("h2h_points",))


# --- split formats, play-off groups, awarded results ----------------------------------------------------

from matchday.rules.leagues import (  # noqa: E402
    AwardedResult,
    FormatNotSimulatedError,
    SeasonFormat,
    StageGroup,
    load_rule_files,
    parse_rule_file,
)


def split_rules(carry: str = "full", criteria: tuple[str, ...] = (), **changes: object):
    """Four clubs meet once (3 rounds), then 1st-2nd and 3rd-4th play each other twice."""
    fmt = SeasonFormat("split", 3, (StageGroup("top", 1, 2, carry, criteria), StageGroup("bottom", 3, 4, carry, criteria)))
    return with_rules("E0", n_teams=4, format=fmt, **changes)


REGULAR = ["A 3-0 B", "C 1-0 D", "A 2-0 C", "B 1-1 D", "A 1-0 D", "B 2-0 C"]  # A 9, B 4, C 3, D 1


def test_split_keeps_each_club_inside_its_group():
    table = league_table(frame_of(REGULAR + ["C 5-0 D", "D 0-5 C", "A 0-0 B", "B 0-0 A"]), "E0", "2023-24",
                         rules=split_rules(), deductions={})
    assert order_of(table) == ["A", "B", "C", "D"]
    assert table.set_index("team").loc[["B", "C"], "points"].tolist() == [6, 9]  # 3rd has more than 2nd
    assert table["note"].tolist() == ["top", "top", "bottom", "bottom"]


def test_split_tie_breaks_compare_only_clubs_of_one_group():
    # A (top group), D and B (bottom group) all end on 6. Inside the bottom group head-to-head decides (D won
    # 1-0 at home and lost 3-0 away, but beat B 1-0 in the regular season: 6 points to 3), although B has the
    # better goal difference; A, level on points but in the other group, is no part of that mini-league.
    regular = ["A 0-2 B", "C 1-0 D", "A 0-2 C", "B 0-1 D", "A 3-0 D", "B 0-2 C"]
    after = ["C 0-1 A", "A 0-3 C", "B 3-0 D", "D 1-0 B"]
    h2h = league_table(frame_of(regular + after), "E0", "2023-24",
                       rules=split_rules(criteria=("points", "h2h_points", "goal_difference")), deductions={})
    gd = league_table(frame_of(regular + after), "E0", "2023-24",
                      rules=split_rules(criteria=("points", "goal_difference")), deductions={})
    assert list(zip(h2h["team"], h2h["points"], strict=True)) == [("C", 12), ("A", 6), ("D", 6), ("B", 6)]
    assert order_of(gd) == ["C", "A", "B", "D"]


def test_play_off_groups_halve_points_rounding_up_and_the_rounded_club_loses_a_tie():
    rules = split_rules("half_up", ("points", "not_rounded_up", "regular_season_position"))
    # Regular: A 9 -> 5 (rounded up), B 4 -> 2, C 3 -> 2 (rounded up), D 1 -> 1 (rounded up).
    # After the split: B beats A twice -> B 8, A 5; C and D draw twice -> C 4, D 3.
    table = league_table(frame_of(REGULAR + ["A 0-1 B", "B 1-0 A", "C 1-1 D", "D 1-1 C"]), "E0", "2023-24",
                         rules=rules, deductions={})
    assert list(zip(table["team"], table["points"], strict=True)) == [("B", 8), ("A", 5), ("C", 4), ("D", 3)]
    assert table.set_index("team").loc["A", "note"] == "top: regular season 9 points, halved to 5 (rounded up)"
    # A level with B after halving: B (not rounded up) goes first although A was 1st in the regular season.
    level = league_table(frame_of(REGULAR + ["A 0-1 B", "B 0-0 A", "C 0-0 D", "D 0-0 C"]), "E0", "2023-24",
                         rules=rules, deductions={})
    assert list(zip(level["team"], level["points"], strict=True))[:2] == [("B", 6), ("A", 6)]
    # C (3 -> 2, rounded up) and D (1 -> 1, rounded up) after two draws: C 4, D 3.
    assert list(zip(level["team"], level["points"], strict=True))[2:] == [("C", 4), ("D", 3)]
    # (Both rounded up and level, the better regular-season position wins: the real B1 2023-24 test, Cercle
    # above Genk on 37.)


def test_split_errors_and_the_regular_season_table():
    rules = split_rules()
    with pytest.raises(DataError, match="between clubs of two groups"):
        league_table(frame_of(REGULAR + ["A 1-0 C"]), "E0", "2023-24", rules=rules, deductions={})
    # Before every club has played its 3 regular matches there is one table and no group note.
    partial = league_table(frame_of(REGULAR[:5]), "E0", "2023-24", rules=rules, deductions={})
    assert order_of(partial)[0] == "A" and (partial["note"] == "").all()
    # A European play-off between the groups (declared in the rules) is left out, not an error.
    from matchday.rules.leagues import Playoff

    with_final = dataclasses.replace(rules, playoffs=(Playoff("europe_playoff", (2, 3), "each other", "a ticket"),))
    table = league_table(frame_of(REGULAR + ["B 2-2 A", "A 0-0 B", "C 1-0 D", "D 0-1 C", "B 0-3 C"]), "E0",
                         "2023-24", rules=with_final, deductions={})
    assert "European play-off" in table.set_index("team").loc["B", "note"]
    assert table["played"].sum() == 2 * 10


def test_rank_league_refuses_to_simulate_a_split_unless_told_how():
    rules = split_rules()
    home, away = double_round_robin(4)
    goals = np.zeros((2, home.size), np.int8)
    with pytest.raises(FormatNotSimulatedError, match="cannot simulate"):
        rank_league(home, away, goals, goals, 4, rules)
    st = rank_league(home, away, goals, goals, 4, rules, groups=[1, 0, 1, 0])
    assert (st.positions[:, [1, 3]] <= 2).all() and (st.positions[:, [0, 2]] >= 3).all()
    assert rank_league(home, away, goals, goals, 4, rules, regular_season=True).positions.shape == (2, 4)
    with pytest.raises(DataError, match="not_rounded_up"):
        rank_league(home, away, goals, goals, 4, dataclasses.replace(rules, criteria=("points", "not_rounded_up")),
                    regular_season=True)


def test_away_wins_criterion():
    rules = with_rules("E0", n_teams=3, criteria=("points", "away_wins"))
    # A and B both win twice; A twice away, B once: A first.
    table = league_table(frame_of(["C 0-1 A", "B 0-1 A", "A 0-1 B", "B 1-0 C", "A 0-0 C", "C 0-0 B"]), "E0",
                         "2023-24", rules=rules, deductions={})
    assert order_of(table)[:2] == ["A", "B"]


def test_awarded_result_replaces_or_adds_a_match():
    awarded = (AwardedResult(dt.date(2023, 8, 12), "A", "B", 0, 3, "constructed"),
               AwardedResult(dt.date(2023, 9, 1), "C", "A", 0, 3, "constructed"))
    rules = with_rules("E0", n_teams=3, awarded=awarded)
    frame = frame_of(["A 2-0 B", "B 1-0 C", "A 1-1 C"])
    table = league_table(frame, "E0", "2023-24", rules=rules, deductions={}).set_index("team")
    assert table.loc["A", "points"] == 4 and table.loc["B", "points"] == 6  # 2-0 became 0-3; C v A added 0-3
    assert "counts 0-3 as awarded (played 2-0)" in table.loc["A", "note"]
    assert "(not in the source files)" in table.loc["C", "note"]
    early = league_table(frame, "E0", "2023-24", as_of="2023-08-20", rules=rules, deductions={}).set_index("team")
    assert early.loc["C", "played"] == 2 and "not in the source" not in early.loc["C", "note"]
    labels = league_table(frame.replace({"A": "Alpha"}), "E0", "2023-24", rules=rules, deductions={},
                          team_labels={"A": "Alpha"}).set_index("team")
    assert labels.loc["Alpha", "points"] == 4
    with pytest.raises(DataError, match="awarded result"):
        league_table(frame.replace({"A": "Alpha"}), "E0", "2023-24", rules=rules, deductions={})


# --- the rule files -------------------------------------------------------------------------------------

GOOD = '''competition = "N1"
[[season]]
seasons = "2012-13:2013-14"
teams = 18
criteria = ["points", "goal_difference"]
source = "constructed"
[season.places]
relegation = 1
[[season]]
seasons = "2014-15"
teams = 18
criteria = ["points"]
source = "constructed"
[season.places]
relegation = 2
'''


def test_rule_file_parses():
    code, blocks = parse_rule_file(GOOD, "x.toml")
    assert code == "N1" and [(b.first, b.last) for b in blocks] == [(2012, 2013), (2014, 2014)]
    assert blocks[1].rules["places"].relegation == 2


@pytest.mark.parametrize(("change", "where", "fragment"), [
    (("teams = 18\ncriteria = [\"points\"]", "teams = 18\ncolour = 1\ncriteria = [\"points\"]"), "season[1].colour",
     "unknown key"),
    (('seasons = "2014-15"', 'seasons = "2013-14"'), "season", "overlap"),
    (('seasons = "2014-15"', 'seasons = "2015-16"'), "season", "gap"),
    (('criteria = ["points"]', 'criteria = ["points", "luck"]'), "season[1].criteria", "unknown tie-breaker"),
    (('criteria = ["points"]', 'criteria = ["h2h_points"]'), "season[1].criteria", "first criterion"),
    (('criteria = ["points"]\nsource = "constructed"', 'criteria = ["points"]\nsource = ""'), "season[1].source", "names its source"),
    (("relegation = 2", "relegation = 19"), "season[1].places", "more places than clubs"),
    (('competition = "N1"', 'competition = "X9"'), "competition", "unknown league"),
    (('seasons = "2014-15"', 'seasons = "2014-13"'), "season[1].seasons", "not a season range"),
    (("teams = 18\ncriteria = [\"points\"]", "teams = \"18\"\ncriteria = [\"points\"]"), "season[1].teams", "wrong type"),
])
def test_rule_file_errors_name_the_file_and_key(change, where, fragment):
    with pytest.raises(DataError) as info:
        parse_rule_file(GOOD.replace(*change), "bad.toml")
    assert info.value.file == "bad.toml" and info.value.column == where and fragment in str(info.value)


def test_rule_file_format_and_awarded_errors():
    split = GOOD.replace('[season.places]\nrelegation = 2',
                         '[season.places]\nrelegation = 2\n[season.format]\nkind = "split"\nregular_rounds = 33\n'
                         'groups = [{ name = "a", positions = [1, 6] }, { name = "b", positions = [8, 18] }]')
    with pytest.raises(DataError, match="cover positions"):
        parse_rule_file(split, "s.toml")
    awarded = GOOD.replace('[season.places]\nrelegation = 2',
                           '[season.places]\nrelegation = 2\n[[season.awarded]]\ndate = 2016-01-01\n'
                           'home = "a"\naway = "b"\nscore = [3, 0]\nsource = "x"')
    with pytest.raises(DataError, match="outside the block"):
        parse_rule_file(awarded, "a.toml")
    with pytest.raises(DataError, match="not valid TOML"):
        parse_rule_file("competition = ", "t.toml")


def test_every_league_has_researched_rules_from_2012_13_to_2025_26():
    from matchday.data.competitions import LEAGUE_CODES

    files = load_rule_files()
    assert set(files) == set(LEAGUE_CODES)
    for code, blocks in files.items():
        assert (blocks[0].first, blocks[-1].last) == (2012, 2025), code
        for year in range(2012, 2026):
            rules = rules_for(code, f"{year}-{(year + 1) % 100:02d}")
            assert rules.fallback is None and rules.source and rules.file.endswith(f"{code}.toml")
            assert rules.n_teams >= 12 and rules.places.relegation + rules.places.relegation_playoff >= 0
            if rules.format.staged:
                assert rules.format.groups[-1].last == rules.n_teams


def test_unresearched_seasons_fall_back_loudly(caplog):
    with caplog.at_level("WARNING", logger="matchday.rules.leagues"):
        late = rules_for("SC0", "2031-32")
        early = rules_for("Eredivisie", "2005-06")
    assert late.fallback == "2025-26" and early.fallback == "2012-13"
    assert "no researched SC0 rules for 2031-32: the rules of 2025-26 are applied" in caplog.text
    assert "no researched N1 rules for 2005-06: the rules of 2012-13 are applied" in caplog.text
    assert "rules of 2025-26 are applied" in late.notes
    assert late.format.kind == "split" and late.checked == ()


def test_europe_definition_and_count():
    places = rules_for("E0", "2024-25").places
    assert places.europe == 8 and "cup winners' berths pass down" in places.europe_definition
    assert "European Performance Spot" in places.europe_definition
