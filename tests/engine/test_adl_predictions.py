"""What the papers predict, on one crash played through the real waterfall under every policy.

The orderings of docs/mechanics.md "What the papers predict": queues put it all on one account,
the water-fill (Campbell et al.) leaves the lowest maximum leverage and, with the whale the least
levered, the lowest top-1 share; pro-rata by profit has no rank inversions; a haircut raises
leverage where closing lowers it; and the totals are the same for every exact contract policy.
Measures are ``perpgame/session/measures.py``'s (read only here).

Units as in the engine: price in cents, size in lots of 1e-4 coin, cash in micro-dollars
(price * lots). Trigger ``deficit``, no book, an empty vault (it can take nothing), no fees.

The book, worked once. Mark falls from 100 to 90. The bankrupt long holds 0.8 coin (Q = 8,000
lots) from 100 with $4: equity 4 - 0.8 * 10 = -$4, bankruptcy price B = 100 - 4 / 0.8 = 95, so
D = 0.8 * (95 - 90) = $4 = 4,000,000. The winners are shorts (s_w = -1); closing one at 95
instead of the mark costs g = 5 $/coin = 500 a lot.

    acct      short from  cash   pnl u   equity E   notional  leverage  E - n*g (solvent at B)
    whale     5     120   1000   +150    1150       450       0.39x     1150 - 25 = 1125
    crowd1-3  1     95    4      +5      9          90        10x       9 - 5 = 4
    medium    2     100   25     +20     45         180       4x        45 - 10 = 35
    loser     8     85    140    -40     100        720       7.2x      100 - 40 = 60

Every winner holds at least 1 coin >= Q, so a queue's first winner pays it all.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from perpgame.engine.adl import POLICIES, Position
from perpgame.engine.units import parse_cash, parse_price
from perpgame.session.measures import Episode, EpisodeMeasures, Hit, measure

from .helpers import hold, market, of_type, tick, trader

Q = 8_000
D = parse_cash("4")
MARK = parse_price("90")
LATER = parse_price("80")  # the price keeps falling: what the closed shorts miss
CONTRACT = [name for name, cls in POLICIES.items() if cls.closes_positions]
QUEUES = ["pnl_leverage", "hyperliquid", "binance", "largest_first", "random"]


def crash(policy: str, seed: int = 0):
    """Build the book, play the tick to 90; the accounts by name, the episode and its events."""
    m = market("100", adl_policy=policy, adl_trigger="deficit", seed=seed)
    other = trader(m, "other", "10000000")  # a rich long on the other side of every short
    bankrupt = trader(m, "bankrupt", "4")
    shorts = {
        "whale": trader(m, "whale", "1000"),
        "crowd1": trader(m, "crowd1", "4"),
        "crowd2": trader(m, "crowd2", "4"),
        "crowd3": trader(m, "crowd3", "4"),
        "medium": trader(m, "medium", "25"),
        "loser": trader(m, "loser", "140"),
    }
    hold(bankrupt, other, "0.8", "100")
    for name, coins, entry in [
        ("whale", "5", "120"),
        ("crowd1", "1", "95"),
        ("crowd2", "1", "95"),
        ("crowd3", "1", "95"),
        ("medium", "2", "100"),
        ("loser", "8", "85"),
    ]:
        hold(other, shorts[name], coins, entry)
    candidates = tuple(
        Position(a.id, a.size, a.open_cost, a.equity(MARK), MARK) for a in shorts.values()
    )
    events = tick(m, "90")
    hits = [Hit(e.account, e.qty, e.lost_pnl) for e in of_type(events, "deleverage")]
    hits += [Hit(e.account, 0, e.amount) for e in of_type(events, "haircut")]
    closes = POLICIES[policy].closes_positions
    ep = Episode(m.tick, bankrupt.id, MARK, D, closes, -1, candidates, tuple(hits))
    ids = {name: a.id for name, a in shorts.items()}
    return ids, ep, events, m


def measured(policy: str) -> EpisodeMeasures:
    return measure(crash(policy)[1], later_price=LATER)


def lots(policy: str) -> dict[str, int]:
    ids, ep, _, _ = crash(policy)
    names = {i: n for n, i in ids.items()}
    return {names[h.account]: h.lots for h in ep.hits}


def test_the_book_is_as_worked():
    ids, ep, events, m = crash("pnl_leverage")
    u = {p.account: p.pnl for p in ep.candidates}
    lev = {p.account: Fraction(abs(p.size) * p.mark, p.equity) for p in ep.candidates}
    assert u[ids["whale"]] == parse_cash("150") and lev[ids["whale"]] == Fraction(450, 1150)
    assert u[ids["crowd1"]] == parse_cash("5") and lev[ids["crowd1"]] == 10
    assert u[ids["medium"]] == parse_cash("20") and lev[ids["medium"]] == 4
    assert u[ids["loser"]] == parse_cash("-40") and lev[ids["loser"]] == Fraction(72, 10)
    assert sum(e.amount for e in of_type(events, "bad_debt")) == D
    assert {e.price for e in of_type(events, "deleverage")} == {parse_price("95")}
    assert m.check() == []


# ------------------------------------------------------------------ per policy, by hand


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        # BitMEX pnl/|cost| * N/E: whale 150/600 * 450/1150 = 0.098, crowd 5/95 * 10 = 0.53,
        # medium 20/200 * 4 = 0.4: crowd1 first (ties by id) and it holds 10,000 >= 8,000 lots
        ("pnl_leverage", {"crowd1": Q}),
        # Hyperliquid entry/mark * N/E: whale 120/90 * 0.39 = 0.52, crowd 95/90 * 10 = 10.6,
        # medium 100/90 * 4 = 4.4: crowd1
        ("hyperliquid", {"crowd1": Q}),
        # Binance pnl/wallet * N/E: whale 150/1000 * 0.39 = 0.059, crowd 5/4 * 10 = 12.5,
        # medium 20/25 * 4 = 3.2: crowd1
        ("binance", {"crowd1": Q}),
        # biggest winner first: the whale's 5 coins (the loser's 8 are no candidate)
        ("largest_first", {"whale": Q}),
        # winners 5 + 1 + 1 + 1 + 2 = 10 coins: 8,000 * 5/10 = 4,000, 8,000 * 1/10 = 800 each,
        # 8,000 * 2/10 = 1,600, exact (no remainder); the loser gives nothing
        (
            "pro_rata",
            {"whale": 4_000, "crowd1": 800, "crowd2": 800, "crowd3": 800, "medium": 1_600},
        ),
        # L(d) = (10,000 - d) * 9,000 / (9,000,000 - 500 d) for each crowd account, 10x at d = 0:
        # the three drain in turn (ties to the lower id), 8,000 = 2,667 + 2,667 + 2,666, and
        # stop at (7,333 * 9,000) / (9,000,000 - 1,333,500) = 8.6x, still above medium's 4x
        ("water_fill", {"crowd1": 2_667, "crowd2": 2_667, "crowd3": 2_666}),
    ],
)
def test_who_is_closed(policy, expected):
    assert lots(policy) == expected


def test_random_rotates_from_a_seeded_start_and_keeps_the_totals():
    """dYdX v4: the shorts by id, a random start, then round-robin: one account pays (all hold
    >= Q), which one depends on the seed, and the same seed gives the same game."""
    payers = set()
    for seed in range(8):
        ids, ep, _, m = crash("random", seed)
        assert len(ep.hits) == 1 and ep.hits[0].lots == Q
        assert sum(h.burden for h in ep.hits) == D
        assert crash("random", seed)[3].state_hash() == m.state_hash()
        payers.add(ep.hits[0].account)
    assert len(payers) > 1


def test_socialized_loss_charges_profit_pro_rata():
    """$4 over profits 150 + 3 * 5 + 20 = $185: whale 4,000,000 * 150/185 = 3,243,243 r45,
    crowd 108,108 r20 each, medium 432,432 r80; floors sum to 3,999,999, the 1 left goes to the
    largest remainder (medium). The loser pays nothing."""
    ids, ep, _, _ = crash("socialized_loss")
    burdens = {h.account: h.burden for h in ep.hits}
    assert burdens == {
        ids["whale"]: 3_243_243,
        ids["crowd1"]: 108_108,
        ids["crowd2"]: 108_108,
        ids["crowd3"]: 108_108,
        ids["medium"]: 432_433,
    }


# ------------------------------------------------------------------ the predicted orderings


@pytest.mark.parametrize("policy", QUEUES)
def test_a_queue_puts_it_all_on_one_account(policy):
    m = measured(policy)
    assert (m.accounts_hit, m.top1_share, m.top1_amount) == (1, 1, D)


def test_water_fill_leaves_the_lowest_max_leverage_and_the_lowest_top1_share():
    """The whale is the least levered (0.39x), so the water-fill never touches it: top-1 share
    2,667/8,000, below pro-rata's 1/2, the haircut's 0.81 and every queue's 1; highest leverage
    left 8.6x where every other policy leaves a 10x crowd account (or, haircut, above 10x)."""
    ms = {name: measured(name) for name in POLICIES}
    wf = ms.pop("water_fill")
    assert wf.top1_share == Fraction(2_667, 8_000)
    # the highest left is crowd3's, closed one lot less: 7,334 * 9,000 / (9,000,000 - 2,666 * 500)
    assert wf.max_leverage_after == Fraction(7_334 * 9_000, 9_000_000 - 2_666 * 500)
    for name, m in ms.items():
        assert wf.max_leverage_after < m.max_leverage_after, name
        assert wf.top1_share < m.top1_share, name


def test_pro_rata_by_profit_has_no_inversions():
    m = measured("socialized_loss")
    assert m.inversions == 0 and m.closed_notional == 0 and m.cash_taken == D


def test_a_haircut_raises_leverage_and_closing_lowers_it():
    """The crowd pays 108,108 out of 9,000,000 with its coin still open: 90 / 8.89 = 10.1x."""
    before = measured("socialized_loss").max_leverage_before
    assert before == 10
    assert measured("socialized_loss").max_leverage_after > before
    for name in CONTRACT:
        assert measured(name).max_leverage_after <= before, name


def test_totals_are_the_same_for_every_exact_contract_policy():
    """Closed notional 8,000 * 9,000 = $72, cash taken = D = $4 (overshoot 0), and lost upside at
    80: 8,000 * (-1) * (8,000 - 9,000) = $8, whoever pays."""
    totals = {
        name: (m.closed_notional, m.cash_taken, m.overshoot, m.lost_upside_later)
        for name, m in ((n, measured(n)) for n in CONTRACT)
    }
    assert set(totals.values()) == {(parse_cash("72"), D, 0, parse_cash("8"))}, totals
