"""The end of a level: its result over the final board; Enter, Esc or a click (or a few seconds,
for a watched game) goes on."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import Static

from perpgame.session import WON
from perpgame.session.frame import Frame
from perpgame.session.numbers import format_cash
from perpgame.tui.screens.why import WhyScreen

GO_ON_KEYS = frozenset({"enter", "escape"})
"""The keys that go on. Not any key, nor Space: a player typing an order (``b 0.1``) or pressing
a hotkey as the level ends would otherwise skip this notice with the first stray key, and the
Enter that sends the order would then press the debrief's Retry: the newcomer found the level
restarted at 0:00. Now that Enter only goes on to the debrief."""

END_SECONDS = 6.0
"""How long the end-of-level notice of a watched game waits before it goes on by itself (the
player's own game waits for a key)."""


class LevelEnd(ModalScreen[None]):
    """The result of the level over the final board; Enter, Esc or a click goes on."""

    def __init__(self, snapshot: Frame, delay: float | None = None) -> None:
        """``delay``: seconds before it goes on by itself (0: it waits for a key)."""
        super().__init__(classes="-won" if snapshot.status == WON else "-lost")
        self.snapshot = snapshot
        self.delay = END_SECONDS if delay is None else delay

    def compose(self) -> ComposeResult:
        s = self.snapshot
        text = Text(justify="center")
        if s.status == WON:
            text.append("LEVEL COMPLETE\n", "bold")
            text.append("★" * s.stars + "☆" * (3 - s.stars) + "\n", "bold")
        else:
            text.append("LEVEL OVER\n", "bold")
        if s.end_reason:
            text.append(s.end_reason[0].upper() + s.end_reason[1:] + ".\n")
        text.append(f"Equity {format_cash(s.position.equity)}", "bold")
        pnl = s.position.pnl
        text.append(f"  PnL {'+' if pnl > 0 else ''}{format_cash(pnl)}\n")
        if s.why_view is not None:
            text.append("\nw: why? (every number of what happened to you)", "dim")
        text.append("\nEnter: continue", "dim")
        box = Static(text)
        box.border_title = s.title
        yield box

    def on_mount(self) -> None:
        self._timer = self.set_timer(self.delay, self._go) if self.delay else None

    def on_key(self, event: Key) -> None:
        event.stop()
        if event.key == "w" and self.snapshot.why_view is not None:
            if self._timer is not None:  # the player is reading: no going on by itself
                self._timer.stop()
                self._timer = None
            self.app.push_screen(WhyScreen(self.snapshot.why_view))
        elif event.key in GO_ON_KEYS:
            self._go()

    def on_click(self) -> None:
        self._go()

    def _go(self) -> None:
        if self.is_attached and self.app.screen is self:
            self.dismiss(None)


__all__ = ["END_SECONDS", "GO_ON_KEYS", "LevelEnd"]
