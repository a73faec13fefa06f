"""Events explained in one sentence, from the player's point of view."""

from dataclasses import replace

import pytest

from perpgame.engine.events import Backstop, BadDebt, Deleverage, Fill, Liquidation, OrderRejected
from perpgame.engine.risk import ACCOUNT_REFUSAL_CODES, REFUSAL_CODES, Refusal
from perpgame.session.stories import Storyteller, refusal_words

TELLER = Storyteller({2: "you", 3: "mm-1", 4: "degen-7"}.get, player_id=2)


def fill(maker, taker, liquidation):
    return Fill(9, maker, taker, 10, 11, 5_900_000, 4_000, -1, 0, 0, liquidation)


def test_a_fill_of_the_players_own_liquidation_says_so():
    story = TELLER.tell(fill(maker=3, taker=2, liquidation=True))
    assert story.text == "You sold 0.4 at 59,000.00 to mm-1 (your liquidation order)."
    assert story.player and story.loud


def test_catching_someone_elses_liquidation_says_you_replaced_them():
    story = TELLER.tell(fill(maker=2, taker=4, liquidation=True))
    assert story.text == (
        "You bought 0.4 at 59,000.00 from degen-7 (their liquidation order: you replaced them)."
    )


def test_fills_of_others_are_not_the_players_story():
    assert TELLER.tell(fill(maker=3, taker=4, liquidation=False)) is None


def deleverage(lost):
    return Deleverage(12, 2, 4, -5_000, 2_000, 6_100_000, 1, "pnl_leverage", 6_000_000, lost)


def test_deleverage_names_rank_price_and_what_was_lost():
    story = TELLER.tell(deleverage(200_000_000))
    assert story.text == (
        "You were auto-deleveraged: 0.2 of a 0.5 short closed at 61,000.00 (mark 60,000.00), "
        "queue rank 1 under the BitMEX queue rule, against degen-7's position; paper profit lost against "
        "the mark: 200.00."
    )


def test_deleverage_at_a_price_better_than_the_mark_is_not_called_a_loss():
    assert TELLER.tell(deleverage(-5_000_000)).text.endswith("closed 5.00 better than the mark.")


# ------------------------------------------------------------------ the engine's reason codes
# (issue 13: events carry codes and numbers; the storyteller owns the sentences)


@pytest.mark.parametrize("code", REFUSAL_CODES)
def test_every_order_refusal_code_is_told_in_words(code):
    e = OrderRejected(3, 2, 1, 1_000, 6_000_000, code, 6_000_000_000, 1_000_000_000, 10, 10)
    text = TELLER.tell(e).text
    assert text.startswith("Order rejected: ") and text != f"Order rejected: {code}."


@pytest.mark.parametrize("code", ACCOUNT_REFUSAL_CODES)
def test_every_withdrawal_and_leverage_refusal_code_is_told_in_words(code):
    text = refusal_words(Refusal(code, 6_000_000_000, 1_000_000_000, 0, 30, 500_000_000, 20))
    assert text != code and code not in text


def test_a_withdrawal_refusal_says_what_must_stay_covered():
    refusal = Refusal("withdraw_below_margin", need=6_000_000_000, available=10_000_000_000)
    refusal = replace(refusal, amount=4_000_010_000)
    assert refusal_words(refusal) == (
        "withdrawal of 4,000.01 refused: equity 10,000.00 must stay above initial margin 6,000.00"
    )


def test_a_margin_refusal_says_what_was_needed():
    e = OrderRejected(3, 2, 1, 10_000, None, "margin", 6_000_000_000, 1_000_000_000, 0, 10)
    assert TELLER.tell(e).text == (
        "Order rejected: needs 6,000.00 initial margin at 10x, equity after costs is 1,000.00."
    )


@pytest.mark.parametrize("code", ["below_maintenance", "below_backstop", "book_off", "book_again"])
def test_every_liquidation_code_is_told_in_words(code):
    e = Liquidation(5, 2, 10_000, 0, None, 5_530_000, 1_300_000_000, 1_382_500_000, 0, 0, code)
    text = TELLER.tell(e).text
    assert text.startswith("You were liquidated: ") and code not in text


def test_a_held_account_is_told_why_nobody_is_deleveraged():
    e = Liquidation(5, 2, 10_000, 0, None, 5_530_000, 1_300_000_000, 1_382_500_000, 0, 0, "held")
    assert TELLER.tell(e).text == (
        "You stay in liquidation with 1 long: equity 1,300.00 is still above zero, so nobody is "
        "deleveraged; the position goes back to the book each tick, and only orders that reduce "
        "it go in."
    )


@pytest.mark.parametrize("code", ["vault_took", "vault_forced", "socialized"])
def test_every_backstop_code_is_told_in_words(code):
    text = TELLER.tell(Backstop(5, 2, 1, 10_000, 5_400_000, 0, code)).text
    assert text.startswith("The vault took over your 1 long at 54,000.00") and code not in text


def test_a_flat_deficit_says_who_paid():
    text = TELLER.tell(BadDebt(5, 2, 50_000_000, "vault", (1,), "flat_deficit")).text
    assert text == (
        "Fees, funding or a fill left you flat and 50.00 below zero; the vault absorbed it."
    )
