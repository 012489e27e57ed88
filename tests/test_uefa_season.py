"""The league-phase engine (simulate/uefa_season.py): invariants on a constructed 36-club league phase
with a model fitted to known strengths, the knockout phase against the exact tie engine, what is known on
an as-of date, and the real 2024-25 CL, EL and ECL read back as they were played."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from matchday import cli
from matchday.data.errors import DataError
from matchday.rules.uefa_bracket import bracket_slots
from matchday.rules.uefa_draws import KNOCKOUT_ROUNDS, agreeing_draws, draw_date, every_draw, friday_after
from matchday.rules.uefa_format import uefa_format
from matchday.simulate.uefa_season import STAGE_COLUMNS, simulate_uefa_season
from synthetic import simulate_league

N = 36
CLUBS = [f"club-{i:02d}" for i in range(N)]


@pytest.fixture(scope="module")
def model():
    """A Poisson model fitted to a season of 36 clubs of known, spread strengths (club-00 the weakest)."""
    from matchday.models import MODELS

    rng = np.random.default_rng(7)
    history = simulate_league(rng, np.linspace(-0.5, 0.5, N), np.linspace(-0.4, 0.4, N), seasons=1,
                              competition="UCL", prefix="club", start="2023-08-01")
    return MODELS["poisson"]().fit(history)


def league_phase(matches_per_club: int = 8, *, start: str = "2024-09-17") -> pd.DataFrame:
    """A league-phase schedule: the first ``matches_per_club`` rounds of a circle-method round robin
    (distinct opponents), one round a week, no result yet."""
    rows = []
    others = list(range(1, N))
    for r in range(matches_per_club):
        ring = [0, *others]
        for k in range(N // 2):
            a, b = ring[k], ring[N - 1 - k]
            home, away = (a, b) if (r + k) % 2 else (b, a)
            rows.append({"home": CLUBS[home], "away": CLUBS[away],
                         "date": pd.Timestamp(start) + pd.Timedelta(days=7 * r),
                         "round": f"League phase, Matchday {r + 1}"})
        others = others[-1:] + others[:-1]
    frame = pd.DataFrame(rows)
    for column in ("home_goals", "away_goals", "aet_home_goals", "aet_away_goals", "pen_home", "pen_away"):
        frame[column] = pd.array([None] * len(frame), dtype="Int64")
    frame["leg"] = pd.array([None] * len(frame), dtype="Int64")
    frame["competition"], frame["season"] = "UCL", "2024-25"
    return frame


def play_out(frame: pd.DataFrame, model, seed: int, rows=None) -> pd.DataFrame:
    """Give ``rows`` (default all) of ``frame`` a result drawn from the model."""
    from matchday.simulate.sampling import sample_scores

    frame = frame.copy()
    rows = frame.index if rows is None else rows
    part = frame.loc[rows]
    grid = model.predict_many(part["home"].to_numpy(), part["away"].to_numpy(), np.zeros(len(part), bool),
                              competition="UCL")
    hg, ag = sample_scores(grid, 1, seed=seed)
    frame.loc[rows, "home_goals"] = hg[0].astype(int)
    frame.loc[rows, "away_goals"] = ag[0].astype(int)
    return frame


def test_invariants_of_a_simulated_league_phase_and_knockout(model):
    frame = league_phase()
    frame = play_out(frame, model, 1, frame.index[:90])  # five matchdays played
    as_of = dt.date(2024, 10, 16)
    result = simulate_uefa_season(frame, model, "UCL", "2024-25", as_of=as_of, n_sims=4000, seed=3)
    assert result.n_remaining == 54
    summary = result.summary()
    assert len(summary) == N
    # Zones add up: every club ends in one of them; 8 clubs go through, 16 to the play-offs.
    zones = summary[["p_top8", "p_playoff", "p_eliminated"]].sum(axis=1)
    assert np.allclose(zones, 1.0)
    assert summary["p_top8"].sum() == pytest.approx(8) and summary["p_playoff"].sum() == pytest.approx(16)
    positions = result.position_probabilities()
    assert np.allclose(positions.sum(axis=0), 1) and np.allclose(positions.sum(axis=1), 1)
    # Every stage holds the right number of clubs, and nobody reaches a stage without the one before.
    ko = result.knockout_table()
    assert [round(ko[c].sum(), 9) for c in STAGE_COLUMNS] == [24, 16, 8, 4, 2, 1]
    values = ko[list(STAGE_COLUMNS)].to_numpy()
    assert (np.diff(values, axis=1) <= 1e-12).all()
    # Points: those won by then plus at most 3 per match left.
    now = summary.set_index("team")
    left = 8 - now["played"]
    assert (result.points >= now["points"].reindex(result.teams).to_numpy()).all()
    assert (result.points <= (now["points"] + 3 * left).reindex(result.teams).to_numpy()).all()
    # The chances follow the model's strengths (and the points already won).
    strength = model.ratings().set_index("team")["strength"]
    best = ko.set_index("team")["p_round_of_16"]
    assert best.corr(strength.reindex(best.index), method="spearman") > 0.8
    # Same seed, same numbers; another seed, other numbers.
    again = simulate_uefa_season(frame, model, "UCL", "2024-25", as_of=as_of, n_sims=4000, seed=3)
    assert np.array_equal(again.positions, result.positions) and np.array_equal(again.reached, result.reached)
    other = simulate_uefa_season(frame, model, "UCL", "2024-25", as_of=as_of, n_sims=4000, seed=4)
    assert not np.array_equal(other.reached, result.reached)


def test_conference_league_has_six_matches_and_the_same_bracket(model):
    frame = league_phase(6)
    frame["competition"] = "UECL"
    result = simulate_uefa_season(frame, model, "UECL", "2024-25", as_of=dt.date(2024, 9, 1), n_sims=2000, seed=0)
    assert result.fmt.matches_per_club == 6
    assert result.points.max() <= 18
    assert [round(result.knockout_table()[c].sum(), 9) for c in STAGE_COLUMNS] == [24, 16, 8, 4, 2, 1]


def test_a_finished_league_phase_is_ranked_once_and_the_play_offs_come_from_positions(model):
    frame = play_out(league_phase(), model, 11)
    last = frame["date"].max().date()
    result = simulate_uefa_season(frame, model, "UCL", "2024-25", as_of=last, n_sims=3000, seed=0)
    assert result.n_remaining == 0
    assert (result.positions == result.positions[0]).all()  # one real table
    table = result.current.set_index("team")["position"]
    ko = result.knockout_table().set_index("team")
    for team, position in table.items():
        assert ko.at[team, "p_knockout_phase"] == (1.0 if position <= 24 else 0.0)
        if position <= 8:
            assert ko.at[team, "p_round_of_16"] == 1.0


def knockout_fixtures(frame: pd.DataFrame, model, positions: dict[str, int], rounds: int, seed: int,
                      fmt_season: str = "2024-25") -> pd.DataFrame:
    """Knockout rounds built from the positions by one draw of the rules, played from the model, as a
    store would hold them (play-offs 11/18 February 2025, round of 16 4/11 March ...)."""
    from matchday.rules.uefa_bracket import draw_bracket

    fmt = uefa_format("UCL", fmt_season)
    draw = draw_bracket(1, seed, fmt)
    slots = bracket_slots(draw)
    club_at = {p: c for c, p in positions.items()}
    rng = np.random.default_rng(seed)
    dates = {"Knockout play-off": ("2025-02-11", "2025-02-18"), "Round of 16": ("2025-03-04", "2025-03-11"),
             "Quarter-final": ("2025-04-08", "2025-04-15"), "Semi-final": ("2025-04-29", "2025-05-06"),
             "Final": ("2025-05-31",)}
    out = []

    def play(name, first, second):
        d = dates[name]
        legs = [(first, second, d[0], 1)] + ([(second, first, d[1], 2)] if len(d) > 1 else [])
        total = {first: 0, second: 0}
        for home, away, day, leg in legs:
            grid = model.predict_many(np.array([home]), np.array([away]), np.array([len(d) == 1]), competition="UCL")
            from matchday.simulate.sampling import sample_scores

            hg, ag = sample_scores(grid, 1, seed=int(rng.integers(1 << 30)))
            h, a = int(hg[0, 0]), int(ag[0, 0])
            total[home] += h
            total[away] += a
            out.append({"home": home, "away": away, "date": pd.Timestamp(day), "round": name,
                        "leg": leg if len(d) > 1 else None, "home_goals": h, "away_goals": a})
        if total[first] == total[second]:  # decided on penalties: the second-leg host wins (written as such)
            row = out[-1]
            row["aet_home_goals"], row["aet_away_goals"] = row["home_goals"], row["away_goals"]
            row["pen_home"], row["pen_away"] = 4, 2
            return legs[-1][0]
        return first if total[first] > total[second] else second

    winners = {}
    for j in range(8):
        a, b = (club_at[int(p)] for p in slots.playoff[0, j])
        winners[j] = play("Knockout play-off", a, b)
    if rounds >= 2:
        r16 = {}
        for j in range(8):
            r16[j] = play("Round of 16", winners[j], club_at[int(slots.round_of_16_seed[0, j])])
        if rounds >= 3:
            for q in range(4):
                better, other = r16[2 * q], r16[2 * q + 1]
                bit = slots.quarter_final_legs[0, q]
                play("Quarter-final", *((other, better) if bit == 0 else (better, other)))
    ko = pd.DataFrame(out)
    for column in ("aet_home_goals", "aet_away_goals", "pen_home", "pen_away", "home_goals", "away_goals", "leg"):
        if column not in ko:
            ko[column] = None
        ko[column] = ko[column].astype("Int64")
    ko["competition"], ko["season"] = "UCL", "2024-25"
    return pd.concat([frame, ko], ignore_index=True)


def test_knockout_rounds_are_used_only_once_drawn_and_known(model):
    frame = play_out(league_phase(), model, 5)
    frame["date"] = frame["date"] + pd.Timedelta(days=84)  # last matchday on 29 January 2025
    base = simulate_uefa_season(frame, model, "UCL", "2024-25", as_of=dt.date(2025, 1, 30), n_sims=10, seed=0)
    positions = dict(zip(base.current["team"], base.current["position"], strict=True))
    full = knockout_fixtures(frame, model, positions, rounds=3, seed=2)
    # Before the play-off draw (31 January) nothing stored is used; after it, the play-offs are.
    early = simulate_uefa_season(full, model, "UCL", "2024-25", as_of=dt.date(2025, 1, 30), n_sims=500, seed=0)
    assert early.known_rounds == ()
    drawn = simulate_uefa_season(full, model, "UCL", "2024-25", as_of=dt.date(2025, 2, 1), n_sims=500, seed=0)
    assert drawn.known_rounds == ("Knockout play-off",)
    # After the play-offs, before the round-of-16 draw (21 February): the winners are through, the
    # round-of-16 pairings are still a lot.
    day = dt.date(2025, 2, 20)
    after = simulate_uefa_season(full, model, "UCL", "2024-25", as_of=day, n_sims=3000, seed=0)
    assert after.known_rounds == ("Knockout play-off",)
    ko = after.knockout_table().set_index("team")
    through = {t.winner for t in after.known_ties}
    assert len(through) == 8 and all(ko.at[c, "p_round_of_16"] == 1.0 for c in through)
    losers = {c for t in after.known_ties for c in (t.home, t.away)} - through
    assert all(ko.at[c, "p_round_of_16"] == 0.0 for c in losers)
    # After the draw, the stored round-of-16 pairings hold in every simulation: each tie sends exactly one
    # of its two clubs to the quarter-finals.
    later = simulate_uefa_season(full, model, "UCL", "2024-25", as_of=dt.date(2025, 2, 21), n_sims=3000, seed=0)
    assert later.known_rounds == ("Knockout play-off", "Round of 16")
    r16 = full[(full["round"] == "Round of 16") & (full["leg"] == 1)]
    for home, away in zip(r16["home"], r16["away"], strict=True):
        pair = later.reached[:, [later.teams.index(home), later.teams.index(away)]] >= 3
        assert (pair.sum(axis=1) == 1).all()


def test_a_played_first_leg_gives_the_exact_tie_odds(model):
    """P(through) of a knockout tie after its first leg, simulated inside the bracket, equals the exact
    two-legged computation with the same grids and rules (within Monte Carlo error)."""
    from matchday.rules.knockout import tie_rules
    from matchday.simulate.tie_play import KnockoutParams
    from matchday.simulate.ties import exact_two_legged_tie

    frame = play_out(league_phase(), model, 5)
    frame["date"] = frame["date"] + pd.Timedelta(days=84)
    base = simulate_uefa_season(frame, model, "UCL", "2024-25", as_of=dt.date(2025, 1, 30), n_sims=10, seed=0)
    positions = dict(zip(base.current["team"], base.current["position"], strict=True))
    full = knockout_fixtures(frame, model, positions, rounds=1, seed=4)
    n = 40_000
    result = simulate_uefa_season(full, model, "UCL", "2024-25", as_of=dt.date(2025, 2, 12), n_sims=n, seed=1)
    params = KnockoutParams(rules=tie_rules("2024-25", "UCL"))
    for tie in result.known_ties:
        assert tie.first_leg is not None and tie.winner is None
        leg1 = model.predict(tie.home, tie.away, competition="UCL")
        leg2 = model.predict(tie.away, tie.home, competition="UCL")
        exact = exact_two_legged_tie(leg1, leg2, first_leg_score=tie.first_leg, params=params).p_advance[0]
        simulated = (result.reached[:, result.teams.index(tie.home)] >= 2).mean()
        assert abs(simulated - exact) < 4.5 * np.sqrt(exact * (1 - exact) / n) + 1e-9, (tie, simulated, exact)


def test_bad_league_phases_are_refused(model):
    frame = league_phase()
    with pytest.raises(DataError, match="no league phase"):
        simulate_uefa_season(frame.assign(season="2023-24"), model, "UCL", "2023-24", n_sims=10)
    with pytest.raises(DataError, match="144"):
        simulate_uefa_season(frame.iloc[:-1], model, "UCL", "2024-25", n_sims=10)
    with pytest.raises(DataError, match="no league-phase matches"):
        simulate_uefa_season(frame.assign(round="Round of 16"), model, "UCL", "2024-25", n_sims=10)


def test_draw_dates_and_the_lot_over_draws():
    assert friday_after(dt.date(2025, 1, 29)) == dt.date(2025, 1, 31)  # Wednesday -> Friday
    assert friday_after(dt.date(2025, 2, 21)) == dt.date(2025, 2, 28)  # Friday -> the next one
    real = draw_date("UEL", "2024-25", "Quarter-final", league_phase_end=None, playoff_end=None)
    assert real.researched and real.date == dt.date(2025, 2, 21)
    guess = draw_date("UCL", "2025-26", "Knockout play-off", league_phase_end=dt.date(2026, 1, 28), playoff_end=None)
    assert not guess.researched and guess.date == dt.date(2026, 1, 30)
    # Nothing stored: every draw agrees, and each open choice is a fair coin.
    fmt = uefa_format("UCL", "2024-25")
    everything = agreeing_draws(fmt, {}, {})
    assert everything.n == 2 ** 17 and every_draw(uefa_format("UCL", "2025-26")).n == 2 ** 11
    for value in everything.draw.fields().values():
        share = value.mean(axis=0)
        assert ((share == 0) | (share == 0.5)).all()


# --- the real 2024-25 season ------------------------------------------------------------------------------

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    try:
        result = runner.invoke(cli.app, list(args), catch_exceptions=False)
    except cli.MatchdayError as exc:
        return 2, str(exc)
    return result.exit_code, (result.stdout if result.exit_code == 0 else result.output)


def real_frame(store_path, code: str) -> pd.DataFrame:
    from matchday.data.store import Store

    with Store(store_path, read_only=True) as store:
        return store.matches([code], ["2024-25"])


def final_winner(frame: pd.DataFrame) -> str:
    """The stored final's winner (90 minutes, then extra time, then penalties)."""
    row = frame[frame["round"] == "Final"].iloc[0]
    for h, a in (("home_goals", "away_goals"), ("aet_home_goals", "aet_away_goals"), ("pen_home", "pen_away")):
        if pd.notna(row[h]) and row[h] != row[a]:
            return row["home"] if row[h] > row[a] else row["away"]
    raise AssertionError("the stored final is not decided")


@pytest.mark.parametrize("code", ["UCL", "UEL", "UECL"])
def test_the_real_2024_25_knockout_phase_reads_as_it_was_played(store_2425, code):
    from matchday.data.store import Store
    from matchday.workflows import uefa_season_from_store

    frame = real_frame(store_2425, code)
    with Store(store_2425, read_only=True) as store:
        result = uefa_season_from_store(store, code, "2024-25", dt.date(2025, 6, 30), n_sims=200, seed=0)
    assert result.known_rounds == KNOCKOUT_ROUNDS
    assert not [n for n in result.notes if "do not follow" in n]
    ko = result.knockout_table().set_index("team")
    # Every club of every stored round reached it in every simulation; nobody else did.
    for stage, name in zip(STAGE_COLUMNS[1:5], KNOCKOUT_ROUNDS[1:], strict=True):
        rows = frame[frame["round"] == name]
        clubs = set(rows["home"]) | set(rows["away"])
        assert set(ko.index[ko[stage] == 1.0]) == clubs, name
        assert set(ko.index[ko[stage] > 0]) == clubs, name
    assert ko["p_winner"].idxmax() == final_winner(frame) and ko["p_winner"].max() == 1.0


def test_simulate_and_bracket_commands_on_the_real_season(store_2425):
    db = str(store_2425)
    code, out = run("simulate", "UCL", "2024-25", "--as-of", "2024-12-15", "--sims", "2000", "--db", db, "--json")
    assert code == 0, out
    rows = json.loads(out)["rows"]
    assert len(rows) == 36
    assert sum(r["p_top8"] for r in rows) == pytest.approx(8)
    assert sum(r["p_winner"] for r in rows) == pytest.approx(1)
    # Six matchdays were played by then: points now come from the real table.
    assert {r["played"] for r in rows} == {6}
    code, out = run("bracket", "UCL", "2024-25", "--as-of", "2025-02-20", "--sims", "2000", "--db", db, "--json")
    assert code == 0, out
    view = json.loads(out)
    assert view["known_rounds"] == ["Knockout play-off"]  # the round-of-16 draw was on 21 February
    clubs = {c["club"]: c for c in view["clubs"]}
    assert len(clubs) == 24
    assert sum(c["p_round_of_16"] for c in clubs.values()) == pytest.approx(16)
    decided = [t for t in view["ties"] if t["winner"]]
    assert len(decided) == 8
    code, out = run("bracket", "UCL", "2024-25", "--as-of", "2024-12-15", "--sims", "500", "--db", db)
    assert code == 0 and "every knockout draw by seeded lot" in out, out
