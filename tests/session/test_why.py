"""why? adds up: every tick that touched the player is explained by lines whose amounts sum
exactly to the change of the player's equity, with no unexplained remainder.

Before this, why? was one sentence (the last story) with no total at all.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from perpgame.level.loader import load_level
from perpgame.session import GameSession
from perpgame.session.inputs import load_inputs

ROOT = Path(__file__).resolve().parents[2]


def played(stem: str, seed: int = 1):
    """Play a level's tested solution; yield the why? of every tick that touched the player."""
    s = GameSession(load_level(ROOT / "levels" / f"{stem}.toml"), seed)
    s.schedule(load_inputs(ROOT / "levels" / "solutions" / f"{stem}.toml"))
    views = []
    while s.step():
        if s.why_view is not None and s.why_view.tick == s.tick:
            views.append(s.why_view)
    return s, views


@pytest.mark.parametrize(
    "stem", ["04-liquidated", "08-be-the-vault", "09-vault-runs-dry", "12-funding"]
)
def test_every_why_adds_up_to_the_change_in_equity(stem):
    _, views = played(stem)
    assert views
    for v in views:
        assert sum(line.amount or 0 for line in v.lines) == v.equity_after - v.equity_before
        assert not [line for line in v.lines if line.label == "Other transfers"], v


def test_a_liquidation_shows_the_numbers_that_triggered_it():
    # 04: 1 coin long at 25x with $2,500 left: the dip to ~58,650 liquidates it.
    _, views = played("04-liquidated")
    v = next(v for v in views if any(f.label == "Liquidated" for f in v.facts))
    fact = next(f for f in v.facts if f.label == "Liquidated")
    equity, maintenance = (
        float(x.replace(",", ""))
        for x in fact.detail.replace("equity ", "").split(" (")[0].split(" < maintenance ")
    )
    assert equity < maintenance  # the trigger, before the liquidation sold anything
    assert any(line.label == "Liquidation fee to the vault" for line in v.lines)
    assert any("your liquidation order" in line.label for line in v.lines)


def test_an_adl_names_rank_policy_and_the_account_on_the_other_side():
    _, views = played("09-vault-runs-dry")
    v = next(v for v in views if any(f.label == "Auto-deleveraged" for f in v.facts))
    fact = next(f for f in v.facts if f.label == "Auto-deleveraged")
    assert "queue rank" in fact.detail and "BitMEX queue" in fact.detail
    closes = [line for line in v.lines if "closed at" in line.label]
    assert closes and all(" against " in line.label and line.amount < 0 for line in closes)


def test_the_vault_sees_its_discount_on_each_takeover():
    _, views = played("08-be-the-vault")
    v = next(v for v in views if any("(the vault) took" in line.label for line in v.lines))
    takeovers = [line for line in v.lines if "(the vault) took" in line.label]
    assert all("discount" in line.detail and line.amount > 0 for line in takeovers)


def test_order_answers_say_filled_resting_and_refused():
    from perpgame.session.inputs import PlayerInput
    from perpgame.session.numbers import BUY, SELL

    s = GameSession(load_level(ROOT / "levels" / "01-no-coin.toml"), 1)
    s.run(3)
    s.submit(PlayerInput.order(s.tick, BUY, 1_000))
    s.step()
    assert [a.kind for a in s.answers] == ["filled"] and "filled, avg" in s.answers[0].text
    bid = s.frame().best_bid
    s.submit(PlayerInput.order(s.tick, SELL, 1_000, bid * 2))
    s.step()
    assert [a.kind for a in s.answers] == ["resting"]
    s.submit(PlayerInput.order(s.tick, BUY, 100_000_000))
    s.step()
    assert [a.kind for a in s.answers] == ["refused"]
    assert "margin" in s.answers[0].text
    s.step()
    assert s.answers == []  # answered once, in the tick it was decided


def test_a_loss_names_its_cause():
    # Before: "time ran out" and "Getting liquidated", nothing more.
    from perpgame.session.inputs import PlayerInput
    from perpgame.session.numbers import BUY

    s = GameSession(load_level(ROOT / "levels" / "01-no-coin.toml"), 1)
    s.run(3)  # the market makers quote
    s.submit(PlayerInput.order(s.tick, BUY, 1_000))
    s.run()
    assert s.status == "lost"
    assert s.end_reason.startswith("time ran out before: Close a long $50 or more up")
    assert "(with 0.1 BTC still open, long)" in s.end_reason

    s = GameSession(load_level(ROOT / "levels" / "05-margin-call.toml"), 1)
    s.run()  # idle: the preset long is liquidated
    assert s.status == "lost"
    label, cause = s.end_reason.split(": ", 1)
    assert label == "Getting liquidated"
    assert cause.startswith("liquidated, equity ") and " < maintenance " in cause
