"""The game screen's trading: keys and buttons turn into ``PlayerInput``s sent to the session
(applied at the next tick, acknowledged on screen at once), and the quick-order line."""

from __future__ import annotations

from perpgame.session import PlayerInput
from perpgame.session.frame import Frame
from perpgame.session.numbers import CASH_SCALE
from perpgame.tui.screens.game_keys import LEVERAGE_STEPS, SIZE_STEPS
from perpgame.tui.text import describe


class OrderKeys:
    """What the game screen does with an order: a mixin of ``GameScreen`` (it uses its state:
    the session, the book, the ticket, the order size and leverage)."""

    def _set_up_orders(self, snap: Frame) -> None:
        """The ticket's starting order size, leverage and margin step, from the first frame."""
        self.base = snap.symbol.split("-")[0] or "coin"
        self.lot = max(1, snap.lot_size)
        self.sizes = tuple(s for s in SIZE_STEPS if s >= self.lot and s % self.lot == 0) or (
            self.lot,
        )
        self.order_size = self._default_size(snap)
        self.leverage = snap.position.leverage
        self._leverage_sent_at: int | None = None
        start_cash = max(snap.position.deposited, CASH_SCALE)
        self.margin_step = max(CASH_SCALE, start_cash // 10 // CASH_SCALE * CASH_SCALE)
        self.last_sent = ""
        """A description of the last action sent (shown beside the quick-order line)."""

    def _send(self, action: PlayerInput) -> None:
        if self.ended:
            self._feedback("The level is over.", "warn")
            return
        if self.read_only:
            self._feedback("This is a replay: it plays back what was recorded.", "warn")
            return
        if self.autopilot is not None:
            self.offer_take_over()
            return
        self.session.submit(action)
        if action.leverage is not None:  # shown now, confirmed by the next snapshot
            self.leverage = min(action.leverage, self.session.max_leverage)
            self._leverage_sent_at = self.session.tick
            self._paint_ticket()
        when = "queued: paused" if self.paused else "next tick"
        self.last_sent = describe(action, self.base)
        self._feedback(f"✓ {self.last_sent} ({when})", "ok")

    def action_market(self, side: int) -> None:
        self._send(PlayerInput.order(self.session.tick, side, self.order_size))

    def action_limit(self, side: int) -> None:
        price = self.book.cursor
        if price is None:
            self._feedback("No price under the cursor yet.", "warn")
            return
        self._send(PlayerInput.order(self.session.tick, side, self.order_size, price))

    def action_cursor(self, rows: int) -> None:
        self.book.move_cursor(rows)
        self._paint_ticket()

    def action_recentre(self) -> None:
        self.book.recentre()
        self._paint_ticket()

    def action_size(self, step: int) -> None:
        sizes = self.sizes
        if step > 0:
            bigger = [s for s in sizes if s > self.order_size]
            self.order_size = bigger[0] if bigger else sizes[-1]
        else:
            smaller = [s for s in sizes if s < self.order_size]
            self.order_size = smaller[-1] if smaller else sizes[0]
        self._paint_ticket()

    def action_leverage(self, step: int) -> None:
        cap = self.session.max_leverage
        steps = sorted({s for s in LEVERAGE_STEPS if s <= cap} | {cap})
        if step > 0:
            higher = [s for s in steps if s > self.leverage]
            wanted = higher[0] if higher else cap
        else:
            lower = [s for s in steps if s < self.leverage]
            wanted = lower[-1] if lower else 1
        if wanted == self.leverage:
            self._feedback(f"Leverage is already at its {'cap' if step > 0 else 'floor'}.", "warn")
            return
        self._send(PlayerInput(self.session.tick, "leverage", leverage=wanted))

    def action_cancel_all(self) -> None:
        self._send(PlayerInput(self.session.tick, "cancel_all"))

    def action_close(self) -> None:
        self._send(PlayerInput(self.session.tick, "close"))

    def action_margin(self, sign: int) -> None:
        kind = "add_margin" if sign > 0 else "remove_margin"
        self._send(PlayerInput(self.session.tick, kind, amount=self.margin_step))

    def action_order_line(self) -> None:
        # typing takes a few seconds: the clock waits for the player (found in playtesting)
        if not self.paused and not self.ended:
            self._paused_for_typing = True
            self._set_paused(True)
        # at once, not after the keys already queued: ":m..." typed fast must not add margin
        self.set_focus(self.order_input)
        # a line left after an error opens selected: typing replaces it, an arrow key edits it
        # (found in playtesting: "b 0" then ":b 0.1" read "b 0b 0.1", and every order after it)
        self.order_input.select_all()

    def _resume_after_typing(self) -> None:
        if self._paused_for_typing:
            self._paused_for_typing = False
            if not self.ended:
                self._set_paused(False)

    def _default_size(self, snap: Frame) -> int:
        """About a quarter of what the player's cash buys at its leverage, rounded to a step."""
        buying = snap.position.equity * max(1, snap.position.leverage) // max(1, snap.mark)
        want = buying // 4
        fitting = [s for s in self.sizes if s <= want]
        return fitting[-1] if fitting else self.sizes[0]
