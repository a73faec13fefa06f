"""Events that explain themselves: who, what, at what price, and why, in one plain sentence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from perpgame.engine import events as ev
from perpgame.engine.risk import Refusal
from perpgame.engine.units import format_cash, format_price, format_rate
from perpgame.session.numbers import coin_size, side_word
from perpgame.session.rules import rule


@dataclass(frozen=True, slots=True)
class Story:
    """One line for the tape, the narrator and the why? key."""

    tick: int
    kind: str
    """The event type: liquidation, backstop, deleverage, bad_debt, haircut, funding, fill, ..."""
    text: str
    player: bool
    """True when the event touched the player."""
    loud: bool
    """True for the waterfall's stages: the TUI flashes these."""
    price: int | None = None
    subject: bool = False
    """True when the player is who the event happened to (liquidated, deleveraged, taken over)."""


ORDER_REASONS: dict[str, Callable[[ev.OrderRejected], str]] = {
    "house_does_not_trade": lambda e: "the house does not trade",
    "bad_side": lambda e: "side must be buy or sell",
    "qty_not_positive": lambda e: "quantity must be positive",
    "qty_not_lot_multiple": lambda e: (
        f"quantity must be a multiple of the lot size ({e.step} lots)"
    ),
    "market_has_price": lambda e: "a market order has no price",
    "limit_needs_price": lambda e: "a limit order needs a positive price",
    "price_not_tick_multiple": lambda e: (
        f"price must be a multiple of the tick size ({format_price(e.step)})"
    ),
    "reduce_only_would_not_reduce": lambda e: "reduce-only order would not reduce the position",
    "reduce_only_covered": lambda e: "reduce-only orders already cover the whole position",
    "no_liquidity": lambda e: "no liquidity on the other side of the book",
    "margin": lambda e: (
        f"needs {format_cash(e.need)} initial margin at {e.leverage}x, "
        f"equity after costs is {format_cash(e.available)}"
    ),
    "post_only_would_cross": lambda e: "post-only order would cross the book",
    "beyond_bankruptcy": lambda e: (
        "the rest would have filled past your bankruptcy price, leaving you owing more than you "
        "have; nothing fills there"
    ),
    "in_liquidation": lambda e: (
        "you are below maintenance margin, so only orders that reduce your position go in"
    ),
}
"""The engine's reason codes on ``order_rejected`` events, in words (unknown codes as they are)."""

REFUSALS: dict[str, Callable[[Refusal], str]] = {
    "withdraw_not_positive": lambda r: "a withdrawal must be positive",
    "withdraw_below_margin": lambda r: (
        f"withdrawal of {format_cash(r.amount)} refused: equity {format_cash(r.available)} "
        f"must stay above initial margin {format_cash(r.need)}"
    ),
    "leverage_out_of_range": lambda r: f"leverage must be between 1x and {r.cap}x",
    "leverage_not_covered": lambda r: (
        f"{r.leverage}x refused: the position needs {format_cash(r.need)} initial margin, "
        f"equity is {format_cash(r.available)}"
    ),
}
"""The market's refusals of a withdrawal or a leverage change (``engine.risk.Refusal``), in words."""


def refusal_words(refusal: Refusal) -> str:
    """A withdrawal's or leverage change's refusal in words (an unknown code as it is)."""
    words = REFUSALS.get(refusal.code)
    return words(refusal) if words is not None else refusal.code


BACKSTOP_REASONS = {
    "vault_took": ".",
    "vault_forced": (
        ": no winner could absorb the rest without going below zero, so the vault had to take it."
    ),
    "socialized": ": socialised loss, the vault takes the position at the mark and winners cover the deficit.",
}


def _liquidation_reason(e: ev.Liquidation) -> str:
    """The words for a liquidation event's reason code, with its numbers."""
    mark = format_price(e.mark)
    if e.reason == "below_backstop":
        return (
            f"equity {format_cash(e.equity)} is under the vault's threshold (maintenance "
            f"{format_cash(e.maintenance)}) at mark {mark}, so it skips the book"
        )
    if e.reason == "book_off":
        return "this exchange sends liquidations straight to the vault"
    if e.reason == "book_again":
        return "the vault could not take it all, so the book gets another try"
    return (
        f"equity {format_cash(e.equity)} below maintenance margin {format_cash(e.maintenance)}"
        f" at mark {mark}"
    )


class Storyteller:
    """Turns engine events into Stories, naming accounts the way the screen does."""

    def __init__(self, name_of: Callable[[int], str | None], player_id: int) -> None:
        """``name_of(account_id)`` looks a name up at the time of telling (None: unknown)."""
        self._name_of = name_of
        self.player_id = player_id

    def name(self, account_id: int) -> str:
        if account_id == self.player_id:
            return "you"
        return self._name_of(account_id) or f"#{account_id}"

    def tell(self, event: ev.Event) -> Story | None:
        """A Story for the events worth telling (fills of others and bookkeeping are not)."""
        teller: Callable[[ev.Event], Story | None] | None = getattr(self, f"_{event.type}", None)
        return teller(event) if teller is not None else None

    def _fill(self, e: ev.Fill) -> Story | None:
        if self.player_id not in (e.maker, e.taker):
            return None
        bought = (e.taker == self.player_id) == (e.taker_side > 0)
        other = e.maker if e.taker == self.player_id else e.taker
        fee = e.taker_fee if e.taker == self.player_id else e.maker_fee
        verb, towards = ("bought", "from") if bought else ("sold", "to")
        text = (
            f"You {verb} {coin_size(e.qty)} at {format_price(e.price)} {towards} {self.name(other)}"
        )
        if e.liquidation and e.taker == self.player_id:
            text += " (your liquidation order)"
        elif e.liquidation:
            text += " (their liquidation order: you replaced them)"
        if fee:
            text += f"; fee {format_cash(fee)} to the house"
        return Story(e.tick, "fill", text + ".", True, e.liquidation, e.price)

    def _liquidation(self, e: ev.Liquidation) -> Story:
        who = self.name(e.account)
        if e.filled:
            avg = format_price(e.avg_price or 0)
            what = f"the book took {coin_size(e.filled)} of {coin_size(e.qty)} at {avg}"
        else:
            what = f"the book took none of {coin_size(e.qty)} {side_word(e.qty)}"
        subject = "You were" if e.account == self.player_id else f"{who} was"
        text = f"{subject} liquidated: {_liquidation_reason(e)}; {what}."
        if e.reason == "held":
            subject = "You stay" if e.account == self.player_id else f"{who} stays"
            text = (
                f"{subject} in liquidation with {coin_size(e.qty)} {side_word(e.qty)}: equity "
                f"{format_cash(e.equity)} is still above zero, so nobody is deleveraged; the "
                "position goes back to the book each tick, and only orders that reduce it go in."
            )
        if e.fee:
            text += f" Liquidation fee {format_cash(e.fee)} to the vault."
        mine = e.account == self.player_id
        return Story(e.tick, "liquidation", text, mine, True, e.avg_price, subject=mine)

    def _backstop(self, e: ev.Backstop) -> Story:
        whose = "your" if e.account == self.player_id else f"{self.name(e.account)}'s"
        taker = "You (the vault) took" if e.vault == self.player_id else "The vault took"
        text = (
            f"{taker} over {whose} {coin_size(e.qty)} {side_word(e.qty)} at {format_price(e.price)}"
        )
        text += BACKSTOP_REASONS.get(e.reason, f" ({e.reason}).")
        touched = self.player_id in (e.account, e.vault)
        return Story(e.tick, "backstop", text, touched, True, e.price, subject=touched)

    def _deleverage(self, e: ev.Deleverage) -> Story:
        subject = "You were" if e.account == self.player_id else f"{self.name(e.account)} was"
        text = (
            f"{subject} auto-deleveraged: {coin_size(e.qty)} of a {coin_size(e.size_before)} "
            f"{side_word(e.size_before)} closed at {format_price(e.price)} (mark "
            f"{format_price(e.mark)}), queue rank {e.rank} under the {rule(e.policy).short} rule, against "
            f"{self.name(e.counterparty)}'s position"
        )
        if e.counterparty_equity < 0:
            text += f" (its equity was {format_cash(e.counterparty_equity)})"
        if e.lost_pnl > 0:
            text += f"; paper profit lost against the mark: {format_cash(e.lost_pnl)}."
        elif e.lost_pnl < 0:
            text += f"; closed {format_cash(-e.lost_pnl)} better than the mark."
        else:
            text += "; closed at the mark."
        touched = self.player_id in (e.account, e.counterparty)
        return Story(e.tick, "deleverage", text, touched, True, e.price, subject=touched)

    def _bad_debt(self, e: ev.BadDebt) -> Story:
        who = "You" if e.account == self.player_id else self.name(e.account)
        by = {
            "vault": "the vault absorbed it",
            "adl": "the deleveraged winners gave up that much paper profit",
            "socialized_loss": "the winners' profits were haircut to pay it",
        }.get(e.absorbed_by, e.absorbed_by)
        if e.reason == "flat_deficit":
            whom = "you" if e.account == self.player_id else who
            text = (
                f"Fees, funding or a fill left {whom} flat and {format_cash(e.amount)} below zero"
            )
            text += f"; {by}."
        else:
            text = f"{who} went {format_cash(e.amount)} below zero; {by}."
        touched = e.account == self.player_id or self.player_id in e.absorbers
        return Story(e.tick, "bad_debt", text, touched, True)

    def _haircut(self, e: ev.Haircut) -> Story:
        who = "Your" if e.account == self.player_id else f"{self.name(e.account)}'s"
        text = (
            f"{who} unrealised profit was cut by {format_cash(e.amount)} to cover "
            f"{self.name(e.counterparty)}'s deficit (socialised loss)."
        )
        mine = e.account == self.player_id
        return Story(e.tick, "haircut", text, mine, True, subject=mine)

    def _funding(self, e: ev.Funding) -> Story:
        payer = "Longs" if e.rate_ppm > 0 else "Shorts"
        receiver = "shorts" if e.rate_ppm > 0 else "longs"
        text = (
            f"Funding: {payer.lower()} paid {receiver} {format_cash(e.paid)} "
            f"({format_rate(abs(e.rate_ppm))} of {format_price(e.price)} per coin)."
        )
        return Story(e.tick, "funding", text, False, False)

    def _order_rejected(self, e: ev.OrderRejected) -> Story | None:
        if e.account != self.player_id:
            return None
        words = ORDER_REASONS.get(e.reason)
        reason = words(e) if words is not None else e.reason
        return Story(e.tick, "order_rejected", f"Order rejected: {reason}.", True, False)

    def _order_cancelled(self, e: ev.OrderCancelled) -> Story | None:
        if e.account != self.player_id or e.reason == "cancelled":
            return None
        return Story(
            e.tick, "order_cancelled", f"Your order was cancelled: {e.reason}.", True, False
        )
