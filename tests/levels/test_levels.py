"""The shipped levels: each one loads, its solution wins, idle play does not, the pile law holds
on every tick, and the mechanism its lesson is about really happens in it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from perpgame.level.catalog import curriculum
from perpgame.level.loader import load_level
from perpgame.level.schema import Narrate
from perpgame.session import GameSession
from perpgame.session.inputs import PlayerInput, load_inputs

ROOT = Path(__file__).resolve().parents[2]
LEVELS = ROOT / "perpgame" / "levels"
SOLUTIONS = LEVELS / "solutions"
FILES = sorted(LEVELS.glob("*.toml"))
STEMS = [p.stem for p in FILES]
SEEDS = (1, 2)
SANDBOX = "00-sandbox"


@cache
def level(stem: str):
    return load_level(LEVELS / f"{stem}.toml")


@cache
def played(stem: str, seed: int, solved: bool) -> GameSession:
    """One whole game of a shipped level: with its solution, or with a player who does nothing."""
    session = GameSession(level(stem), seed)
    if solved:
        session.schedule(load_inputs(SOLUTIONS / f"{stem}.toml"))
    session.run()
    return session


def events(session: GameSession, kind: str) -> list:
    return [e for e in session.waterfall_log if e.type == kind]


def group(session: GameSession, account_id: int) -> str:
    return session.groups_of[account_id]


def assert_pile_law(session: GameSession) -> None:
    assert session.pile_ok, session.pile_failure
    assert session.pile_checks == session.tick > 0


# --------------------------------------------------------------------------------- the set


def test_the_curriculum_has_at_least_13_levels_in_order_and_a_sandbox():
    levels = curriculum(LEVELS)
    lessons = [lv for lv in levels if lv.meta.order > 0]
    assert len(lessons) >= 13
    assert [lv.meta.order for lv in lessons] == list(range(1, len(lessons) + 1))
    assert [lv.id for lv in levels if lv.meta.order == 0] == ["sandbox"]
    heaviest = max(levels, key=lambda lv: lv.total_traders)
    assert heaviest.id == "the-big-one" and heaviest.total_traders >= 200


@pytest.mark.parametrize("stem", STEMS)
def test_level_shape(stem):
    lv = level(stem)
    assert lv.meta.lesson.strip() and lv.meta.summary
    assert lv.meta.tick_ms == 500
    narration = [e for e in lv.timeline if isinstance(e, Narrate)]
    assert len(narration) >= 3
    assert all(len(e.text) <= 160 for e in narration), "narration is a sentence, not a paragraph"
    if stem == SANDBOX:
        assert lv.meta.order == 0
        return
    assert 120_000 <= lv.objectives.time_limit_ms <= 360_000
    assert lv.objectives.win and 1 <= len(lv.objectives.stars) <= 2
    assert (SOLUTIONS / f"{stem}.toml").is_file()


# ------------------------------------------------------------------- solutions and idle play


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("stem", [s for s in STEMS if s != SANDBOX])
def test_solution_wins(stem, seed):
    session = played(stem, seed, True)
    assert session.status == "won", session.end_reason
    assert 1 <= session.stars <= 3
    assert_pile_law(session)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("stem", STEMS)
def test_idle_play_does_not_win(stem, seed):
    session = played(stem, seed, False)
    assert_pile_law(session)
    if stem == SANDBOX:
        assert session.status == "won"  # free play: surviving is all there is
    else:
        assert session.status == "lost"


@pytest.mark.parametrize("seed", SEEDS)
def test_who_pays_the_water_fill_drains_the_crowd_and_a_queue_takes_the_whale(seed):
    from perpgame.session.lab import with_policy

    s = played("14-who-pays", seed, True)
    lots: Counter = Counter()
    for e in events(s, "deleverage"):
        lots[group(s, e.account)] += e.qty
    assert "player" not in lots and lots["crowd-10x"] > lots["whale"] > 0
    queued = GameSession(with_policy(level("14-who-pays"), "pnl_leverage"), seed)
    queued.run()
    assert {group(queued, e.account) for e in events(queued, "deleverage")} == {"whale"}
    # the same long at 9x is drained first under the water-fill
    greedy = GameSession(level("14-who-pays"), seed)
    greedy.schedule([PlayerInput.order(30, 1, 15_000, leverage=10)])
    greedy.run()
    assert greedy.status == "lost" and greedy.player_counts["deleverage"] >= 1


@pytest.mark.parametrize(
    "stem",
    [
        "02-both-sides",
        "03-leverage",
        "06-happy-path",
        "07-thin-book",
        "09-vault-runs-dry",
        "11-policy-lab",
        "12-funding",
        "13-the-big-one",
        "14-who-pays",
    ],
)
def test_buying_at_maximum_leverage_does_not_win(stem):
    lv = level(stem)
    lev = lv.player.max_leverage
    qty = lv.player.cash * lev * 9 // 10 // lv.market.start_price // 10 * 10
    session = GameSession(lv, 1)
    session.schedule([PlayerInput.order(10, 1, qty, leverage=lev)])
    session.run()
    assert session.player_trades > 0
    assert session.status == "lost"


def test_perpgame_sim_reports_the_solution_as_won():
    stem = "01-no-coin"
    args = ["sim", f"{LEVELS / stem}.toml", "--seed", "1", "--actions", f"{SOLUTIONS / stem}.toml"]
    out = subprocess.run(
        [sys.executable, "-m", "perpgame", *args, "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(out.stdout)
    assert report["objectives"]["won"] is True
    assert report["pile_law"]["ok"] and report["pile_law"]["checks"] == report["ticks"]


# ------------------------------------------------------------------- each lesson's mechanism


@pytest.mark.parametrize("seed", SEEDS)
def test_no_coin_the_player_buys_from_and_sells_to_other_traders(seed):
    s = played("01-no-coin", seed, True)
    assert s.player_trades >= 2 and s.metrics["player_pnl"] > 0
    assert s.metrics["open_interest"] > 0


@pytest.mark.parametrize("seed", SEEDS)
def test_liquidated_the_player_is_liquidated_by_the_book(seed):
    s = played("04-liquidated", seed, True)
    mine = [e for e in events(s, "liquidation") if e.account == s.player.id]
    assert mine and mine[0].filled == abs(mine[0].qty)
    assert mine[0].fee > 0  # the liquidation fee moved to the vault, inside the pile
    assert not events(s, "backstop")


@pytest.mark.parametrize("seed", SEEDS)
def test_margin_call_idle_is_liquidated_and_the_solution_adds_margin(seed):
    idle = played("05-margin-call", seed, False)
    assert idle.metrics["player_liquidations"] == 1
    s = played("05-margin-call", seed, True)
    assert s.metrics["player_margin_added"] > 0 and s.metrics["player_liquidations"] == 0


@pytest.mark.parametrize("seed", SEEDS)
def test_happy_path_every_liquidation_is_filled_by_the_book(seed):
    for solved in (True, False):
        s = played("06-happy-path", seed, solved)
        liquidations = events(s, "liquidation")
        assert len(liquidations) >= 10
        assert all(e.filled == abs(e.qty) for e in liquidations)
        assert not events(s, "backstop") and not events(s, "deleverage")
        assert s.deepest == "book"
    assert played("06-happy-path", seed, True).player_filled_liquidations > 0


@pytest.mark.parametrize("seed", SEEDS)
def test_thin_book_liquidations_slip_and_the_vault_takes_the_rest(seed):
    s = played("07-thin-book", seed, True)
    assert len(events(s, "backstop")) >= 10
    assert not events(s, "deleverage")
    liquidations = {(e.tick, e.account): e for e in events(s, "liquidation")}
    assert any(e.filled and e.avg_price < e.mark for e in liquidations.values())
    for b in events(s, "backstop"):
        # the vault takes over at the bankruptcy price, under the mark that triggered it
        assert b.price < liquidations[(b.tick, b.account)].mark
    assert s.player_filled_liquidations > 0


@pytest.mark.parametrize("seed", SEEDS)
def test_be_the_vault_the_player_inherits_positions_and_unwinds_them(seed):
    s = played("08-be-the-vault", seed, True)
    assert s.role == "vault"
    backstops = events(s, "backstop")
    assert len(backstops) >= 5 and all(e.vault == s.player.id for e in backstops)
    assert s.player.size == 0 and s.metrics["player_pnl"] > 0


@pytest.mark.parametrize("seed", SEEDS)
def test_vault_runs_dry_the_player_is_deleveraged_above_the_mark(seed):
    s = played("09-vault-runs-dry", seed, True)
    mine = [e for e in events(s, "deleverage") if e.account == s.player.id]
    assert mine
    first = mine[0]
    assert first.rank == 1 and first.size_before < 0
    assert first.price > first.mark and first.lost_pnl > 0  # closed at the longs' bankruptcy
    assert s.metrics["player_pnl"] > 0


@pytest.mark.parametrize("seed", SEEDS)
def test_dodge_the_queue_others_are_deleveraged_but_not_the_player(seed):
    s = played("10-dodge-the-queue", seed, True)
    adl = events(s, "deleverage")
    assert len(adl) >= 10
    assert all(e.account != s.player.id for e in adl)
    ticks = sorted({e.tick for e in adl})
    assert ticks[-1] - ticks[0] >= 60, "the deleverages come in two waves"


def _wave(tick: int) -> int:
    return 1 if tick < 150 else 2 if tick < 250 else 3


@pytest.mark.parametrize("seed", SEEDS)
def test_policy_lab_each_policy_hits_different_accounts(seed):
    s = played("11-policy-lab", seed, True)
    hit: dict[int, Counter] = {1: Counter(), 2: Counter(), 3: Counter()}
    kinds: dict[int, set] = {1: set(), 2: set(), 3: set()}
    for e in s.waterfall_log:
        if e.type in ("deleverage", "haircut"):
            hit[_wave(e.tick)][group(s, e.account)] += 1
            kinds[_wave(e.tick)].add(e.type)
    # pnl_leverage: only the most levered winners
    assert kinds[1] == {"deleverage"} and set(hit[1]) <= {"shorts-25x", "shorts-12x"}
    assert "shorts-25x" in hit[1]
    # pro_rata: a slice of every winner, the low-leverage whale and the player included
    assert kinds[2] == {"deleverage"}
    assert {"whale-short", "shorts-5x", "player"} <= set(hit[2])
    # socialized_loss: nobody closed, every winner haircut
    assert kinds[3] == {"haircut"}
    assert {"whale-short", "shorts-5x", "player"} <= set(hit[3])
    assert set(hit[1]) != set(hit[2])


@pytest.mark.parametrize("seed", SEEDS)
def test_funding_longs_pay_the_shorting_player(seed):
    s = played("12-funding", seed, True)
    assert s.metrics["player_funding"] > 0 and s.player.size < 0
    idle = played("12-funding", seed, False)
    assert idle.metrics["player_funding"] == 0


def _big_one_with_leverage_watch(seed: int):
    """Play the big one; for each deleverage, the winner's leverage and profit just before."""
    session = GameSession(level("13-the-big-one"), seed)
    session.schedule(load_inputs(SOLUTIONS / "13-the-big-one.toml"))
    accounts = session.market.accounts
    watched = [a.id for a in accounts.values() if group(session, a.id) in ("hedgers", "funds")]

    def state() -> dict[int, tuple[int, int, int, int]]:
        return {
            i: (accounts[i].size, accounts[i].cash, accounts[i].cost, accounts[i].open_cost)
            for i in watched
        }

    seen = []
    before = state()
    while session.status == "playing" and session.step():
        for e in session.tick_events:
            # the first deleverage of the account in this tick: its state is the one before
            if e.type == "deleverage" and e.account in before:
                size, cash, cost, open_cost = before.pop(e.account)
                if size == e.size_before:
                    seen.append((e, cash, cost, open_cost))
        before = state()
    return session, seen


@pytest.mark.parametrize("seed", SEEDS)
def test_the_big_one_cascades_through_every_stage_in_bursts(seed):
    s = played("13-the-big-one", seed, True)
    assert s.level.total_traders >= 200
    assert len(events(s, "liquidation")) >= 30
    assert len(events(s, "backstop")) >= 10
    adl = events(s, "deleverage")
    assert len(adl) >= 50
    bursts = 0
    last = None
    for tick in sorted({e.tick for e in adl}):
        if last is None or tick - last > 10:
            bursts += 1
        last = tick
    assert bursts >= 3
    assert s.metrics["player_deleverages"] == 0  # the solution took profit before the queue


@pytest.mark.parametrize("seed", SEEDS)
def test_the_big_one_deleverages_low_leverage_winners(seed):
    _, seen = _big_one_with_leverage_watch(seed)
    low = []
    for e, cash, cost, open_cost in seen:
        # state at the start of the deleverage tick; these accounts do not trade after opening
        equity = cash + e.size_before * e.mark - cost
        profit = e.size_before * e.mark - open_cost
        if equity > 0 and profit > 0 and abs(e.size_before) * e.mark < equity:
            low.append(e)
    assert len(low) >= 5, "profitable winners under 1x leverage are deleveraged"
