"""The game screen while the autopilot plays (the demo): a key or click offers to take over."""

from __future__ import annotations

from textual.events import Key

from perpgame.tui import messages
from perpgame.tui.screens.confirm import TakeOver


class DemoWatch:
    """Taking over a game the autopilot is playing: a mixin of ``GameScreen`` (it uses its
    autopilot, session, clock and feedback)."""

    def on_key(self, event: Key) -> None:
        """While the autopilot trades, a key is not a command: it offers to take over."""
        if self.autopilot is None or self.ended or self._leaving:
            return
        if event.key in ("question_mark", "f1"):
            return  # help stays help
        event.stop()
        event.prevent_default()
        self.offer_take_over()

    def on_click(self) -> None:
        if self.autopilot is not None and not self.ended:
            self.offer_take_over()

    def offer_take_over(self) -> None:
        """Pause and ask: take over, keep watching, or quit (the demo)."""
        if self.autopilot is None or self.ended or self._leaving or self.app.screen is not self:
            return

        def answered(choice: str | None) -> bool:
            if choice == "take":
                self.take_over()
                return True  # stay paused: the player looks before the clock runs
            if choice == "restart":
                self.restart_as_player()
                return True
            if choice == "quit":
                self._leave()
                return True
            return False  # keep watching, as it was

        self._overlay(TakeOver(late=self._late_warning()), answered)

    def _late_warning(self) -> str:
        """Why a take-over now may be too late to win, or "" when it is not."""
        snap = self.session.frame()
        left = snap.time_limit - snap.seconds
        if snap.position.margin_ratio_ppm >= 600_000 and snap.position.size:
            return "The autopilot's position is close to liquidation: r starts the level fresh."
        if left < snap.time_limit * 0.4:
            return f"Only {left:.0f} s are left: r starts the level fresh, with all its time."
        return ""

    def restart_as_player(self) -> None:
        """The visitor plays this level from its first tick, as a new game of their own."""
        level = self.session.level
        self.autopilot = None
        self._leave()
        self.app.post_message(messages.RestartFromDemo(level))

    def take_over(self) -> None:
        """The player has the controls from this tick on: no autopilot, 1x, a normal game."""
        if self.autopilot is None:
            return
        self.autopilot = None
        self.end_seconds = None
        self.speed = 1
        if self.banner_text:
            self.banner_text = ""
            for banner in self.query("#banner"):
                banner.remove()
        self.order_input.disabled = False
        self.refresh_bindings()
        self.app.post_message(messages.TookOver(self.session))
        self._restart_clock()
        self._dirty = True
        self._paint()
        self._feedback("You have the controls. Space starts the clock; ? shows every key.", "ok")
