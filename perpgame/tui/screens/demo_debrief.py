"""The debrief between demo levels.

``perpgame demo`` (attract mode) plays levels with the autopilot on the real game screen (a key or
click there asks ``TakeOver``, in confirm.py). Between levels a ``DemoDebrief`` shows the debrief
for a few seconds with a countdown, then the next level starts; a key there offers to play the
level just shown.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.events import Key
from textual.timer import Timer
from textual.widgets import Static

from perpgame.session import GameSession
from perpgame.tui import messages
from perpgame.tui.screens.confirm import QUIT, TAKE, TakeOver
from perpgame.tui.screens.debrief import DebriefScreen


class DemoDebrief(DebriefScreen):
    """The debrief of a demo level, shown for ``seconds`` before the next one starts.

    A key (or ``pause()``) stops the countdown (``start()`` runs it again) and offers to play the level just watched; the app's
    ``next_demo`` starts the next level, ``play_from_demo(level)`` the player's own game.
    """

    def __init__(
        self, session: GameSession, *, seconds: float, next_title: str = "", banner: str = ""
    ) -> None:
        super().__init__(session, watched="Demo")
        self.seconds = seconds
        self.next_title = next_title
        self.banner = banner
        self.left = seconds
        self._timer: Timer | None = None
        self._countdown: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static(self._countdown_text(), id="demo-countdown")
        yield from super().compose()

    def on_mount(self) -> None:  # Textual runs DebriefScreen's on_mount too (it walks the MRO)
        self.start()

    def _countdown_text(self) -> Text:
        what = f"next: {self.next_title}" if self.next_title else "the demo ends"
        head = f"{self.banner} · " if self.banner else "DEMO · "
        when = f" in {max(0, round(self.left))} s" if self._timer is not None else " (paused)"
        return Text(f"{head}{what}{when} — press any key to play this level yourself")

    def start(self, seconds: float | None = None) -> None:
        """(Re)start the countdown: ``seconds`` (default: the ones given) to the next level."""
        self.pause()
        if seconds is not None:
            self.seconds = seconds
        self.left = self.seconds
        self._timer = self.set_timer(self.seconds, self._go)
        self._countdown = self.set_interval(1.0, self._tick)
        self._show()

    def _tick(self) -> None:
        self.left -= 1
        self._show()

    def _show(self) -> None:
        for line in self.query("#demo-countdown"):
            if isinstance(line, Static):
                line.update(self._countdown_text())

    @property
    def counting(self) -> bool:
        """The countdown to the next level is running."""
        return self._timer is not None

    def pause(self) -> None:
        """Stop the countdown (until ``start`` runs it again)."""
        for timer in (self._timer, self._countdown):
            if timer is not None:
                timer.stop()
        self._timer = self._countdown = None
        self._show()

    def _go(self) -> None:
        self.pause()
        if self.is_attached and self.app.screen is self:
            self.app.post_message(messages.NextDemo())

    def on_key(self, event: Key) -> None:
        event.stop()
        event.prevent_default()
        if self.app.screen is not self:
            return
        self.pause()

        def answered(choice: str | None) -> None:
            if choice == TAKE:
                self.app.post_message(messages.PlayFromDemo(self.session.level))
            elif choice == QUIT:
                self.app.post_message(messages.StopDemo())
            else:
                self.start()

        self.app.push_screen(
            TakeOver(
                title="Play this level yourself?",
                message=f"That was the autopilot playing {self.session.level.title}. Your turn?",
                take="play it from the start",
            ),
            answered,
        )

    # the debrief's own buttons (a mouse click): stay in the demo's flow
    def action_retry(self) -> None:
        self.pause()
        self.app.post_message(messages.WatchAgain())

    def action_levels(self) -> None:
        self.pause()
        self.app.post_message(messages.StopDemo())


__all__ = ["DemoDebrief"]
