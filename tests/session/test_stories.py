"""Events explained in one sentence, from the player's point of view."""

from perpgame.engine.events import Deleverage, Fill
from perpgame.session.stories import Storyteller

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
        "queue rank 1 under pnl_leverage, against degen-7's position; paper profit lost against "
        "the mark: 200.00."
    )


def test_deleverage_at_a_price_better_than_the_mark_is_not_called_a_loss():
    assert TELLER.tell(deleverage(-5_000_000)).text.endswith("closed 5.00 better than the mark.")
