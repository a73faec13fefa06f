"""A resting order that takes margin says so, in the order line's answer and in the narration,
and an order refused for margin that resting orders hold says that too (docs/mechanics.md, "The
margin check": the worst case counts every open order filling, as venues reserve initial margin
for open orders).

Before: "… limit buy 0.5 resting at 55,000.00, not filled yet" and nothing else; the player's free
margin shrank by 10,000.00 without a word, and a later order was refused with "your cash does not
cover its margin" while resting bids were what held it.
"""

from __future__ import annotations

from pathlib import Path

from perpgame.engine.risk import initial_margin
from perpgame.engine.units import format_cash
from perpgame.level.loader import load_level
from perpgame.session import GameSession, PlayerInput
from perpgame.session.numbers import BUY, SELL, parse_price, parse_qty

LEVEL = Path(__file__).resolve().parents[2] / "perpgame" / "levels" / "06-happy-path.toml"


def session() -> GameSession:
    return GameSession(load_level(LEVEL), 5)


def send(s: GameSession, action: PlayerInput) -> None:
    s.submit(action)
    s.step()


def said(s: GameSession) -> str:
    return "\n".join(s.chronicle.narration)


def test_a_resting_bid_says_how_much_margin_it_holds():
    s = session()
    s.run(5)
    mark, lev = s.market.mark, s.player.leverage
    send(s, PlayerInput.order(0, BUY, parse_qty("0.5"), parse_price("55000")))
    held_units = initial_margin(parse_qty("0.5"), mark, lev)
    held = format_cash(held_units)
    answer = s.answers[-1]
    assert answer.kind == "resting"
    assert answer.text.endswith(f"resting at 55,000.00, holds {held} margin"), answer.text
    assert f"Your resting buy holds {held} of margin until it fills or you cancel it" in said(s)
    free = s.player.cash - held_units  # flat: equity is the cash, at the mark the order met
    assert f"Free margin now {format_cash(free)}." in said(s)


def test_an_order_refused_for_margin_resting_orders_hold_says_so():
    s = session()
    s.run(5)
    send(s, PlayerInput.order(0, BUY, parse_qty("0.9"), parse_price("55000")))
    assert s.answers[-1].kind == "resting"
    send(s, PlayerInput.order(0, BUY, parse_qty("0.3")))  # market: alone it would fit
    answer = s.answers[-1]
    assert answer.kind == "refused"
    assert answer.text.startswith("× market buy 0.3 refused: your resting orders hold ")
    assert answer.text.endswith(" of the margin")
    assert "Refused for margin: your resting orders already hold " in said(s)


def test_a_bid_that_only_closes_a_short_holds_nothing_and_says_nothing():
    s = session()
    s.run(5)
    send(s, PlayerInput.order(0, SELL, parse_qty("0.5")))
    send(s, PlayerInput.order(0, BUY, parse_qty("0.5"), parse_price("55000")))
    answer = s.answers[-1]
    assert answer.kind == "resting" and "holds" not in answer.text
    assert "Your resting buy holds" not in said(s)
