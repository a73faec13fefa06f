"""The quiet run's short cuts give the same answers as the plain definitions they replace.

``why.scan`` looks at a tick's events once (cancels and fills inline) instead of calling
``touches`` on each and looking for funding again; the lab's measures compare leverages in
integers and share one list of winners. Each must agree with the definition exactly.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perpgame.level.loader import load_level
from perpgame.session import GameSession
from perpgame.session import measures as ms
from perpgame.session.inputs import load_inputs
from perpgame.session.lab import play
from perpgame.session.why import scan, touches

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("stem", ["04-liquidated", "08-be-the-vault", "12-funding"])
def test_scan_agrees_with_touches_on_every_tick(stem):
    s = GameSession(load_level(ROOT / "levels" / f"{stem}.toml"), 1)
    s.schedule(load_inputs(ROOT / "levels" / "solutions" / f"{stem}.toml"))
    ids = sorted({s.player.id, s.market.vault.id, s.market.house.id, *list(s.market.accounts)[:5]})
    touched_ticks = 0
    while s.step():
        events = s.tick_events
        funding = any(e.type == "funding" for e in events)
        for pid in ids:
            touched = any(touches(e, pid) for e in events)
            assert scan(events, pid) == (touched, funding)
            touched_ticks += touched and pid == s.player.id
    assert touched_ticks  # the solutions trade: the player is touched on some ticks


lots = st.integers(min_value=-50, max_value=10**6) | st.just(0)
equities = st.integers(min_value=-10, max_value=10) | st.integers(min_value=1, max_value=10**12)


@given(st.lists(st.tuples(lots, equities), max_size=8), st.integers(min_value=1, max_value=10**8))
def test_max_leverage_in_integers_equals_the_max_of_fractions(terms, mark):
    expected = ms._max_lev(ms._lev(n, mark, e) for n, e in terms)
    assert ms._max_lev_of(terms, mark) == expected
    assert type(ms._max_lev_of(terms, mark)) is type(expected)


def test_measure_with_shared_winners_equals_each_measure_alone():
    level = load_level(ROOT / "levels" / "13-the-big-one.toml")
    _, episodes, _ = play(level, "pnl_leverage", 1)
    assert episodes
    for ep in episodes:
        got = ms.measure(ep, ep.mark)
        assert got.losers_hit == ms.losers_hit(ep)
        assert got.max_profit_seized == ms.max_profit_seized(ep)
        assert got.max_leverage_before == ms.max_leverage_before(ep)
        assert got.max_leverage_after == ms.max_leverage_after(ep)
        assert got.inversions == ms.inversions(ep)
