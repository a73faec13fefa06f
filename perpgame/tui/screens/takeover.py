"""The demo's two screens of its own: the take-over offer, and the debrief between demo levels.

``perpgame demo`` (attract mode) plays levels with the autopilot on the real game screen. The first
key or click over a demo game asks ``TakeOver``: y takes the controls from this tick on, n keeps
watching, q quits. Between levels a ``DemoDebrief`` shows the debrief for a few seconds with a
countdown, then the next level starts; a key there offers to play the level just shown.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.events import Key
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Button, Static

from perpgame.session import GameSession
from perpgame.tui import messages
from perpgame.tui.screens.debrief import DebriefScreen

TAKE, WATCH, QUIT, RESTART = "take", "watch", "quit", "restart"
"""What ``TakeOver`` dismisses with."""


class TakeOver(ModalScreen[str]):
    """Asked when someone touches a demo: take over (y), keep watching (n) or quit (q)."""

    DEFAULT_CSS = """
    TakeOver {
        align: center middle;
        background: $background 60%;
    }
    TakeOver > Vertical {
        width: 72;
        max-width: 100%;
        height: auto;
        border: thick $accent;
        border-title-style: bold;
        background: $surface;
        padding: 1 2;
    }
    TakeOver #takeover-text { width: 100%; margin: 0 0 1 0; }
    TakeOver Horizontal { height: auto; align: center middle; }
    TakeOver Button { margin: 0 1 0 0; min-width: 0; width: auto; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", f"answer('{TAKE}')", "Take over"),
        Binding("n,escape", f"answer('{WATCH}')", "Keep watching"),
        Binding("q", f"answer('{QUIT}')", "Quit"),
        Binding("r", f"answer('{RESTART}')", "Restart the level"),
    ]

    AUTO_FOCUS = ""

    def __init__(
        self,
        title: str = "Take over this game?",
        message: str = "",
        take: str = "play from here as yourself",
        late: str = "",
    ) -> None:
        """``late``: why taking over now may be too late to win (shown, and r restarts)."""
        super().__init__()
        self.late = late
        self.title_text = title
        self.message = message or (
            "The autopilot has been trading this level. Take over and the game goes on from "
            "this very tick with you at the keys, paused and at 1x: from then on it is your "
            "game, saved and scored like any other."
        )
        self.take = take

    def compose(self) -> ComposeResult:
        box = Vertical(id="takeover-box")
        box.border_title = self.title_text
        with box:
            text = Text(self.message + "\n\n")
            if self.late:
                text.append(self.late + "\n\n", "bold")
            choices = (
                ("y", self.take),
                ("r", "start this level from the beginning, as yourself"),
                ("n", "keep watching"),
                ("q", "quit"),
            )
            for key, what in choices:
                text.append(f" {key} ", "bold reverse")
                text.append(f"  {what}\n")
            text.rstrip()
            yield Static(text, id="takeover-text")
            with Horizontal():
                yield Button("Take over (y)", id=TAKE, variant="success")
                yield Button("Restart (r)", id=RESTART)
                yield Button("Watch (n)", id=WATCH, variant="primary")
                yield Button("Quit (q)", id=QUIT)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(str(event.button.id))

    def action_answer(self, choice: str) -> None:
        self.dismiss(choice)


class DemoDebrief(DebriefScreen):
    """The debrief of a demo level, shown for ``seconds`` before the next one starts.

    A key (or ``pause()``) stops the countdown (``start()`` runs it again) and offers to play the level just watched; the app's
    ``next_demo`` starts the next level, ``play_from_demo(level)`` the player's own game.
    """

    DEFAULT_CSS = """
    DemoDebrief Footer { display: none; }  /* its keys all offer the level instead */
    DemoDebrief #demo-countdown {
        dock: top;
        height: 1;
        padding: 0 1;
        background: $warning;
        color: $text-warning;
        text-style: bold;
    }
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

    def on_mount(self) -> None:
        super().on_mount()
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


__all__ = ["QUIT", "TAKE", "WATCH", "DemoDebrief", "TakeOver"]
