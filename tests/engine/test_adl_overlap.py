"""The overlap rule, as a property: nobody who would end below zero at B is closed while a
position that would not is still open (docs/mechanics.md, stage 3; dYdX v4's condition).

Any book of shorts against one bankrupt long, a gap from 100 to 90, every closing policy: the
waterfall first takes every short that stays solvent fully closed at the bankrupt's price B, in
the policy's order, and only then, capped at zero equity, the others; the audit holds.
"""

from __future__ import annotations

from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from perpgame.engine.adl import POLICIES
from perpgame.engine.units import parse_price

from .helpers import hold, market, of_type, tick, trader

CLOSING = [name for name, cls in POLICIES.items() if cls.closes_positions]


@st.composite
def books(draw: st.DrawFn) -> tuple[str, str, list[tuple[str, str, str]]]:
    """The bankrupt's (coins, cash) and each short's (coins, entry, cash), as decimal text."""
    shorts = draw(
        st.lists(
            st.tuples(st.integers(1, 30), st.integers(85, 130), st.integers(1, 80)),
            min_size=1,
            max_size=6,
        )
    )
    # at most what the shorts hold, so that "other" stays long (no rich short to fall back on)
    coins = draw(st.integers(1, sum(n for n, _, _ in shorts)))
    cash = draw(st.integers(1, 9 * coins))  # below the 10 $/coin the gap costs: bankrupt
    return (
        f"{coins / 10}",
        f"{cash / 10}",
        [(f"{n / 10}", str(entry), f"{c / 10}") for n, entry, c in shorts],
    )


@settings(max_examples=150, deadline=None)
@given(books(), st.sampled_from(CLOSING), st.sampled_from(["deficit", "takeover"]))
# both shorts losing, so pro rata's last resort: the one solvent at B used to share the close
@example(("0.1", "0.8", [("0.1", "85", "0.6"), ("0.1", "85", "0.7")]), "pro_rata", "deficit")
def test_solvent_at_b_goes_first(book, policy, trigger):
    coins, cash, shorts = book
    m = market("100", adl_policy=policy, adl_trigger=trigger, maintenance_ppm=10_000)
    bankrupt = trader(m, "bankrupt", cash)  # the lowest id: liquidated first
    other = trader(m, "other", "100000000")
    accounts = [trader(m, f"short{i}", c) for i, (_, _, c) in enumerate(shorts)]
    hold(bankrupt, other, coins, "100")
    for acct, (n, entry, _) in zip(accounts, shorts, strict=True):
        hold(other, acct, n, entry)
    start = {a.id: (a.equity(parse_price("90")), a.size) for a in accounts}
    events = tick(m, "90")
    adl = [e for e in of_type(events, "deleverage") if e.counterparty == bankrupt.id]
    if not adl:
        event("no ADL against the bankrupt")
        return
    price, mark = adl[0].price, adl[0].mark
    g = price - mark  # what closing a short at B costs it a lot, against the mark

    def solvent(equity: int, size: int) -> bool:
        return equity - abs(size) * g >= 0

    if any(not solvent(e.equity, e.size_before) for e in adl):
        # a short that would go under was closed: every short that would not is flat
        event("a short insolvent at B was closed")
        for a in accounts:
            if a.size < 0:
                assert not solvent(*start[a.id]), (a.id, policy)
    for e in adl:
        assert e.equity - e.lost_pnl >= 0  # never below zero
    assert m.check() == []
