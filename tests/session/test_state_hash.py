"""The state hash covers the whole game: market, oracle, every bot, rng streams and the timeline.

Before issue 13 it covered the market only, so the pairs below hashed the same.
"""

import pytest

from perpgame.level.catalog import find_level
from perpgame.level.loader import load_level
from perpgame.session import GameSession
from perpgame.session.report import report
from perpgame.world.state import StateError, canonical


def fresh(level_id: str = "the-big-one", seed: int = 1, ticks: int = 30) -> GameSession:
    session = GameSession(load_level(find_level(level_id)), seed)
    session.run(ticks)
    return session


def test_the_same_game_hashes_the_same():
    assert fresh().state_hash() == fresh().state_hash()


def test_a_bot_memory_that_differs_changes_the_hash_but_not_the_market_hash():
    a, b = fresh(), fresh()
    bot = next(x for x in b.bots if x.archetype == "market_maker")
    bot.stress += 1  # what the market maker remembers, invisible to the market
    assert a.market.state_hash() == b.market.state_hash()
    assert a.state_hash() != b.state_hash()


def test_a_bot_rng_stream_that_differs_changes_the_hash():
    a, b = fresh(), fresh()
    b.bots[-1].rng.next_u64()
    assert a.market.state_hash() == b.market.state_hash()
    assert a.state_hash() != b.state_hash()


def test_the_oracle_pending_move_changes_the_hash():
    a, b = fresh(), fresh()
    b.oracle.gap(-100_000)  # pending until the next step: the market has not seen it
    assert a.market.state_hash() == b.market.state_hash()
    assert a.state_hash() != b.state_hash()


def test_the_timeline_position_changes_the_hash():
    a, b = fresh(), fresh()
    b.director.fired.add(len(b.level.timeline))
    assert a.state_hash() != b.state_hash()


@pytest.mark.parametrize("level_id", ["happy-path", "the-big-one", "policy-lab", "funding"])
def test_every_bot_and_the_oracle_have_a_canonical_form(level_id):
    session = fresh(level_id, ticks=5)
    text = session.state_text()
    assert text.count("\n") >= 2 + len(session.bots) - 1
    assert len(session.state_hash()) == 64


def test_canonical_text_ignores_dict_and_set_order_and_refuses_objects():
    assert canonical({2: "b", 1: "a"}) == canonical({1: "a", 2: "b"})
    assert canonical({3, 1, 2}) == canonical({2, 3, 1})
    assert canonical([1, 2]) != canonical([2, 1])
    with pytest.raises(StateError, match="object"):
        canonical(object())


def test_sim_json_reports_each_account_entry_and_cost():
    session = fresh("the-big-one", ticks=60)
    accounts = report(session)["accounts"]
    assert all({"entry", "cost", "open_cost"} <= set(a) for a in accounts)
    for a, acct in zip(accounts, session.market.accounts.values(), strict=True):
        assert a["cost"] == acct.cost and a["open_cost"] == acct.open_cost
        if a["size"] == 0:
            assert a["entry"] is None
        else:  # the entry is the open cost per lot, rounded to the nearest cent
            assert abs(a["entry"] * a["size"] - a["open_cost"]) <= abs(a["size"])
